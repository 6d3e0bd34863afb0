"""The `dispensary` command: parses arguments, signs in, calls one service, prints text or JSON.

Every rule lives in the services; this module only turns a command line into a service call and
a result into lines a pharmacist can read (or JSON a script can). Exit codes: 0 done, 1 unexpected
failure, 2 usage mistake, 3 refused by a rule (nothing written), 4 not signed in or not permitted.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from dispensary import config
from dispensary.domain.codes import KitStatus, ParticipantStatus, ReasonCode, Role
from dispensary.domain.errors import (
    DatabaseProblem,
    DispensaryError,
    InvalidInput,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    SignatureFailed,
    StudyFileError,
)
from dispensary.domain.rules import (
    MAX_DAYS_AHEAD,
    parse_date,
    parse_decimal,
    parse_whole,
    undecodable,
)
from dispensary.files import private_umask, write_error_text, write_private
from dispensary.labels import catalogue as label_catalogue
from dispensary.reports import catalogue as report_catalogue
from dispensary.services import (
    audit,
    backup,
    counts,
    demo,
    destruction,
    dispensing,
    documents,
    participants,
    permissions,
    quarantine,
    queries,
    receiving,
    reconciliation,
    returns,
    setup,
    signing,
    studies,
    temperature,
    users,
)
from dispensary.services.assessment import DispenseAssessment, DispenseRequest
from dispensary.services.context import Actor, Clock, Context, FixedClock, SystemClock
from dispensary.services.faults import escaped_fault
from dispensary.services.labels import PrintRefused
from dispensary.services.results import (
    DispenseHistoryRow,
    DispenseResult,
    KitRow,
    ParticipantRow,
    ReconcileResult,
    ReturnResult,
)
from dispensary.study import Study, default_study_path, load_study

if TYPE_CHECKING:  # reportlab loads only for the label and report commands
    from dispensary.labels import Calibration, LabelStock

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_REFUSED, EXIT_NOT_SIGNED_IN = 0, 1, 2, 3, 4
ENV_USER = "DISPENSARY_USER"
ENV_PASSWORD = "DISPENSARY_PASSWORD"
ENV_NEW_PASSWORD = "DISPENSARY_NEW_PASSWORD"
ENV_VERIFIER_PASSWORD = "DISPENSARY_VERIFIER_PASSWORD"
ENV_CHECKER_PASSWORD = "DISPENSARY_CHECKER_PASSWORD"
ENV_TODAY = "DISPENSARY_TODAY"
ENV_DEBUG = "DISPENSARY_DEBUG"
_TRAINING_ONLY = (
    f"{ENV_TODAY} fixes today's date on a training database only (the demo, or one created "
    f"with `init --training`), not on {{what}}: the audit trail must carry the real dates. "
    f"Unset {ENV_TODAY}; nothing was changed."
)


class UsageError(Exception):
    """A command line that cannot be carried out as written (exit 2), e.g. a missing password."""


# -- the run: database, sign-in and output of one command ---------------------------------------


class Run:
    """What one command needs: the database (opened once), the signed-in user, the output."""

    def __init__(self, args: argparse.Namespace, clock: Clock, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.clock = clock
        self.clock_fixed = not isinstance(clock, SystemClock)  # DISPENSARY_TODAY was given
        self.out = out
        self.err = err
        self.json = bool(args.json)
        self.db = config.database_from(args.db)
        self._ctx: Context | None = None
        self._actor: Actor | None = None
        self._password: str | None = None

    def context(self) -> Context:
        if self._ctx is None:
            opened = setup.open_database(self.db, self.clock)
            self._ctx = opened.context
            if opened.warning:  # e.g. other accounts may read the file: said, not refused
                self.note(f"Warning: {opened.warning}")
            if self.clock_fixed and not setup.training_clock_allowed(self._ctx):
                raise RuleViolation(_TRAINING_ONLY.format(what="this database"))
            if opened.migrated_from:
                kept = (
                    f"; the file before the upgrade is kept at {opened.backup}"
                    if opened.backup
                    else ""
                )
                self.note(f"The database was upgraded from schema {opened.migrated_from}{kept}.")
        return self._ctx

    def adopt(self, ctx: Context) -> None:
        self._ctx = ctx

    def username(self) -> str:
        name = self.args.user or os.environ.get(ENV_USER, "")
        if not name.strip():
            raise NotSignedIn(f"Sign in to do this: give --user NAME (or set {ENV_USER}).")
        return name

    def password(self) -> str:
        """The signed-in user's password: for signing in and for each electronic signature."""
        if self._password is None:
            self._password = _secret(ENV_PASSWORD, self.username())
        return self._password

    def actor(self, changing_password: bool = False) -> Actor:
        """The signed-in user. One whose password an administrator set may only choose their
        own (`user password`) until then: the administrator who knows it cannot act as them."""
        if self._actor is None:
            ctx = self.context()
            self._actor = users.sign_in(ctx, self.username(), self.password())
        if self._actor.must_change_password and not changing_password:
            raise NotPermitted(
                f"An administrator set the password of {self._actor.username}: choose your own "
                f"first with `{ENV_NEW_PASSWORD}=... dispensary --user {self._actor.username} "
                "user password`. Nothing was done."
            )
        return self._actor

    def signer(self) -> tuple[Context, Actor] | None:
        """Who was signed in, for counting a failed signature (signing.run_counted)."""
        if self._ctx is not None and self._actor is not None:
            return self._ctx, self._actor
        return None

    def close(self) -> None:
        if self._ctx is not None:
            self._ctx.engine.dispose()
            self._ctx = None

    def emit(self, data: Any, lines: Sequence[str]) -> None:
        if self.json:
            print(
                json.dumps(data, indent=2, default=_json_default, ensure_ascii=False), file=self.out
            )
            return
        for line in lines:
            print(line, file=self.out)

    def note(self, text: str) -> None:
        print(text, file=self.err)


def _typed_secret(prompt: str) -> str:
    """A password typed without echo; bytes the terminal did not send as UTF-8 are a usage
    mistake, not a crash (they could never match a stored password anyway)."""
    try:
        value = getpass.getpass(prompt)
    except UnicodeDecodeError as exc:
        raise UsageError(_NOT_UTF8.format(what="The password typed")) from exc
    if undecodable(value):
        raise UsageError(_NOT_UTF8.format(what="The password typed"))
    return value


def _env_secret(env: str) -> str:
    value = os.environ.get(env, "")
    if undecodable(value):
        raise UsageError(_NOT_UTF8.format(what=env))
    return value


_NOT_UTF8 = (
    "{what} holds bytes that are not UTF-8 text. Nothing was done: give it again as text (check "
    "the character encoding of the terminal or script)."
)


def _secret(env: str, who: str) -> str:
    """A password that signs in or signs: from the environment, or typed in a terminal."""
    value = _env_secret(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise NotSignedIn(
            f"No password for {who}: set {env}, or run the command in a terminal to type it."
        )
    return _typed_secret(f"Password for {who}: ")


def _second_person_secret(env: str, name: str | None, why: str) -> str:
    """The password of the second person named (count verifier, dispense checker); none named,
    no password asked."""
    return _secret(env, f"{name} ({why})") if name else ""


def _new_secret(env: str, whose: str) -> str:
    """A password being set: from the environment, or typed twice in a terminal."""
    value = _env_secret(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"Give the new password for {whose} in {env}, or run in a terminal.")
    first = _typed_secret(f"New password for {whose}: ")
    if _typed_secret("Type it again: ") != first:
        raise UsageError("The two passwords differ; nothing was changed.")
    return first


def _clock_from_env() -> Clock:
    """DISPENSARY_TODAY=YYYY-MM-DD fixes "today" (for tests and training); else the real date."""
    raw = os.environ.get(ENV_TODAY, "").strip()
    if not raw:
        return SystemClock()
    try:
        day = parse_date(raw, "date")
    except InvalidInput as exc:
        raise UsageError(f"{ENV_TODAY}={exc.message}") from exc
    now = datetime.now(UTC)
    return FixedClock(datetime.combine(day, now.timetz()))


# -- formatting ----------------------------------------------------------------------------------


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()
) -> list[str]:
    """Columns aligned for a terminal; numbers (the `right` columns) aligned to the right."""
    cells = [list(headers), *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(cells[0]), line(["-" * w for w in widths]), *[line(r) for r in cells[1:]]]


def _keyed(keys: Sequence[str], rows: Sequence[Sequence[object]]) -> list[dict[str, object]]:
    """The rows of a terminal table as JSON objects: the same values under `keys`."""
    return [dict(zip(keys, row, strict=True)) for row in rows]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _kits_text(kits: Sequence[str]) -> str:
    if len(kits) <= 6:
        return ", ".join(kits)
    return f"{kits[0]} ... {kits[-1]} ({len(kits)} kits)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _status_label(status: ParticipantStatus) -> str:
    return status.label.lower()


# -- argument types ------------------------------------------------------------------------------


# Each type reads one value with the domain's parser, so that the command line, the screens and
# the imported files take a number or a date the same way; a refusal is a usage mistake (exit 2),
# raised before the database is opened.

_Parsed = TypeVar("_Parsed")


def _argument(parse: Callable[[str], _Parsed], text: str) -> _Parsed:
    try:
        return parse(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from exc


def _date(text: str) -> date:
    """YYYY-MM-DD within the plausible window, so that `--to` + 1 day stays in the calendar."""
    return _argument(partial(parse_date, what="date"), text)


def _whole(text: str) -> int:
    """Digits 0-9 only, within what the database's INTEGER holds (on PostgreSQL too)."""
    return _argument(partial(parse_whole, what="number"), text)


def _record_id(text: str) -> int:
    """The number of a record (a return): 1 or more, and within the database's INTEGER."""
    return _argument(partial(parse_whole, what="record number", minimum=1), text)


def _days(text: str) -> int:
    """A number of days counted ahead of today: 0 to a century, so that today + N stays in the
    calendar."""
    return _argument(
        partial(parse_whole, what="number of days", minimum=0, maximum=MAX_DAYS_AHEAD), text
    )


AUDIT_LIST_MOST = 100_000


def _audit_limit(text: str) -> int:
    """How many entries `audit list --limit` shows: 0 or less would show them all, and a huge
    number cannot be given to the database."""
    return _argument(
        partial(parse_whole, what="number of entries", minimum=1, maximum=AUDIT_LIST_MOST), text
    )


def _number(text: str) -> float:
    """A decimal number written with 0-9 and a point: no nan, inf or exponent, which would slip
    past a range check (nan compares false with every limit)."""
    return _argument(partial(parse_decimal, what="number"), text)


def _comma_pieces(texts: Sequence[str]) -> list[str]:
    """Kits (or kit ranges) given as `K1,K2`, as several arguments, or both."""
    return [piece for text in texts for piece in text.split(",") if piece.strip()]


def _undecodable_input(argv: Sequence[str] | None) -> str | None:
    """Why the command line cannot be read, or None: an argument (or DISPENSARY_USER, _DB,
    _TODAY) holding bytes that are not UTF-8. Python keeps such bytes as lone surrogates, which
    no database, file or terminal would take later, after part of the work was done."""
    arguments = sys.argv[1:] if argv is None else argv
    for index, item in enumerate(arguments, start=1):
        if undecodable(item):
            shown = item.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            return _NOT_UTF8.format(what=f"Argument {index} ('{shown[:40]}')")
    for env in (ENV_USER, config.ENV_DB, ENV_TODAY):
        if undecodable(os.environ.get(env, "")):
            return _NOT_UTF8.format(what=env)
    return None


def _read_text(path: str, what: str) -> str:
    try:
        return Path(path).expanduser().read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"The {what} {path} cannot be read ({exc}). Check the file name."
        ) from exc


# -- commands: set-up and users ------------------------------------------------------------------


def cmd_init(run: Run) -> int:
    a = run.args
    study = load_study(a.study or default_study_path())
    full_name = (a.full_name or a.admin.strip().title()).strip()
    initials = a.initials or "".join(w[0] for w in full_name.split() if w[:1].isalpha())[:4]
    if len(initials) < 2:
        initials = "".join(ch for ch in full_name if ch.isalpha())[:2]
    if run.clock_fixed and not a.training:
        raise RuleViolation(_TRAINING_ONLY.format(what="a database created without --training"))
    password = _new_secret(ENV_PASSWORD, f"administrator {a.admin}")
    ctx = setup.init_database(
        run.db, study, a.admin, full_name, initials, password, run.clock, training=a.training
    )
    run.adopt(ctx)
    admin = a.admin.strip().lower()
    run.emit(
        {"database": run.db, "study": study.protocol, "administrator": admin},
        [
            f"Created the database {run.db}",
            f"  Study          {study.protocol}: {study.short_title}",
            f"  Administrator  {admin} ({full_name})",
            f"Next: add users: dispensary --user {admin} user add NAME --role pharmacist ...",
        ],
    )
    return EXIT_OK


def cmd_study_show(run: Run) -> int:
    ctx = run.context()
    run.actor()
    s = ctx.study
    data = {
        "protocol": s.protocol,
        "title": s.title,
        "products": [asdict(p) for p in s.products],
        "dose_levels": [
            {
                "level": d.level,
                "name": d.name,
                "doses_per_day": d.doses_per_day,
                "components": [asdict(c) for c in d.components],
            }
            for d in s.dose_levels
        ],
        "cycle": asdict(s.cycle),
    }
    lines = [
        f"{s.protocol}: {s.title}",
        f"Investigator: {s.investigator}; pharmacy: {s.pharmacy_name}, {s.site_name}",
        f"Cycle {s.cycle.length_days} days, {s.cycle.days_of_supply} days of supply, next "
        f"cycle from day {s.cycle.min_days_since_previous_day1} after the previous day 1",
        "Products:",
        *(f"  {p.code:<20} {p.display}, {p.tablets_per_kit} per kit" for p in s.products),
        "Dose levels:",
        *(f"  {d.level:>3}  {d.name}" for d in s.dose_levels),
    ]
    run.emit(data, lines)
    return EXIT_OK


def cmd_study_update(run: Run) -> int:
    a = run.args
    text = _read_text(a.file, "study file")
    new = studies.update_study(run.context(), run.actor(), text, a.file, a.reason)
    run.emit(
        {"protocol": new.protocol, "updated": True},
        [f"The study file of {new.protocol} was replaced; the old text is in the audit trail."],
    )
    return EXIT_OK


def cmd_user_add(run: Run) -> int:
    a = run.args
    actor = run.actor()
    password = _new_secret(ENV_NEW_PASSWORD, f"the new user {a.name}")
    row = users.add_user(run.context(), actor, a.name, a.role, a.full_name, a.initials, password)
    run.emit(
        asdict(row),
        [
            f"Added {row.username} ({row.full_name}, {row.initials}) as {row.role.value}.",
            "Give them the password in person: they choose their own at the first sign-in.",
        ],
    )
    return EXIT_OK


def cmd_user_list(run: Run) -> int:
    rows = users.list_users(run.context(), run.actor())
    state = ["active" if r.active else "deactivated" for r in rows]
    run.emit(
        [asdict(r) for r in rows],
        _table(
            ["User", "Name", "Initials", "Role", "Account"],
            [
                (r.username, r.full_name, r.initials, r.role, s + (", locked" if r.locked else ""))
                for r, s in zip(rows, state, strict=True)
            ],
        ),
    )
    return EXIT_OK


def cmd_user_activate(run: Run, active: bool) -> int:
    row = users.set_active(run.context(), run.actor(), run.args.name, active, run.args.reason)
    word = "Reactivated" if active else "Deactivated"
    run.emit(asdict(row), [f"{word} the account {row.username} ({row.full_name})."])
    return EXIT_OK


def cmd_user_unlock(run: Run) -> int:
    row = users.unlock(run.context(), run.actor(), run.args.name, run.args.reason)
    run.emit(asdict(row), [f"Unlocked the account {row.username}; the failed sign-ins are reset."])
    return EXIT_OK


def cmd_user_password(run: Run) -> int:
    actor = run.actor(changing_password=True)
    new = _new_secret(ENV_NEW_PASSWORD, actor.username)
    users.change_password(run.context(), actor, run.password(), new)
    run.emit({"user": actor.username, "changed": True}, [f"Password changed for {actor.username}."])
    return EXIT_OK


def cmd_recover_admin(run: Run) -> int:
    """No sign-in: the proof is control of the database itself (see users.recovery_access)."""
    a = run.args
    new = _new_secret(ENV_NEW_PASSWORD, a.name) if a.new_password else None
    row = users.recover_administrator(run.context(), a.name, a.reason, new)
    lines = [f"Recovered the administrator account {row.username}: unlocked and active."]
    if new is not None:
        lines.append("It signs in with the new password and must choose its own at once.")
    run.emit({**asdict(row), "password_set": new is not None}, lines)
    return EXIT_OK


def cmd_user_reset(run: Run) -> int:
    actor = run.actor()
    new = _new_secret(ENV_NEW_PASSWORD, run.args.name)
    users.reset_password(run.context(), actor, run.args.name, new)
    name = run.args.name.strip().lower()
    run.emit(
        {"user": name, "reset": True},
        [
            f"Password reset for {name}; give it to them in person. They must choose their own "
            "at the next sign-in and can sign nothing before."
        ],
    )
    return EXIT_OK


# -- commands: stock -----------------------------------------------------------------------------


def cmd_receive(run: Run) -> int:
    a = run.args
    given = {"--product": a.product, "--lot": a.lot, "--expiry": a.expiry}
    missing = [option for option, value in given.items() if not value]
    if a.kits and missing:
        raise UsageError(
            f"With --kits, give {', '.join(missing)} too (or use --manifest FILE.csv)."
        )
    ctx = run.context()
    if a.manifest:
        per_kit = a.tablets_per_kit
        if per_kit is None and a.product:
            per_kit = ctx.study.product(a.product).tablets_per_kit
        text = _read_text(a.manifest, "manifest")
        kits = receiving.parse_manifest(text, a.product, a.lot, a.expiry, per_kit)
    else:
        kits = [
            kit
            for piece in _comma_pieces(a.kits)
            for kit in receiving.kits_from_range(
                ctx, piece, a.product, a.lot, a.expiry, a.tablets_per_kit
            )
        ]
    result = receiving.receive_shipment(
        ctx,
        run.actor(),
        a.shipment,
        kits,
        received_on=a.date,
        condition=a.condition,
        temperature_ok=not a.temperature_failed,
    )
    lines = [
        f"Received shipment {result.shipment} on {result.received_on.isoformat()}: "
        f"{_plural(len(result.kits), 'kit')}, {result.tablets} tablets.",
        f"  Kits  {_kits_text(result.kits)}",
    ]
    if result.quarantined:
        lines.append(
            "  The temperature record failed: every kit is QUARANTINED until the sponsor decides "
            "(then `dispensary release KIT... --reason ...`)."
        )
    run.emit(asdict(result), lines)
    return EXIT_OK


def cmd_quarantine(run: Run, release: bool) -> int:
    change = quarantine.release if release else quarantine.quarantine
    result = change(run.context(), run.actor(), run.args.kits, run.args.reason)
    verb = "Released" if release else "Quarantined"
    run.emit(
        asdict(result),
        [
            f"{verb} {_plural(len(result.kits), 'kit')}: {_kits_text(result.kits)}.",
            f"  Reason  {result.reason}",
        ],
    )
    return EXIT_OK


def cmd_destroy(run: Run) -> int:
    a = run.args
    result = destruction.destroy(
        run.context(),
        run.actor(),
        a.kits,
        a.witness,
        a.method,
        run.password(),
        destroyed_on=a.date,
        reference=a.reference,
        to_sponsor=a.to_sponsor,
    )
    verb = "Returned to the sponsor" if result.to_sponsor else "Destroyed"
    lines = [
        f"{verb}: {_plural(len(result.kits), 'kit')} ({_kits_text(result.kits)}), "
        f"{result.tablets} tablets, on {result.destroyed_on.isoformat()}.",
        f"  Method     {result.method}",
        f"  Witness    {result.witness}",
    ]
    if a.reference:
        lines.append(f"  Reference  {a.reference}")
    run.emit(asdict(result), lines)
    return EXIT_OK


def cmd_count(run: Run) -> int:
    a = run.args
    verifier_password = _second_person_secret(
        ENV_VERIFIER_PASSWORD, a.verified_by, "countersigning"
    )
    result = counts.record_count(
        run.context(),
        run.actor(),
        a.kit,
        a.tablets,
        run.password(),
        reason_code=a.reason_code,
        reason=a.reason or "",
        verified_by=a.verified_by or "",
        verifier_password=verifier_password,
        counted_on=a.date,
    )
    if result.difference:
        lines = [
            f"Kit {result.kit}: {result.counted} counted, {result.book} in the book: "
            f"difference {result.difference:+d}, adjusted ({a.reason_code}: {a.reason}).",
            f"  Countersigned by {a.verified_by}.",
        ]
    else:
        lines = [f"Kit {result.kit}: {result.counted} counted, matches the book."]
    run.emit(asdict(result), lines)
    return EXIT_OK


def cmd_temperature(run: Run) -> int:
    a = run.args
    text = _read_text(a.file, "logger file")
    found = temperature.import_logger(
        run.context(), run.actor(), a.area, text, source=Path(a.file).name
    )
    study = run.context().study
    allowed = f"{study.temperature.min_celsius:g}-{study.temperature.max_celsius:g} °C"
    if not found:
        lines = [f"{a.area}: every reading within {allowed}; nothing quarantined."]
    else:
        lines = [f"{a.area}: {_plural(len(found), 'excursion')} outside {allowed}."]
        for e in found:
            when = f"{_cell(e.started_at)} to {_cell(e.ended_at)} UTC"
            kits = f": {_kits_text(e.kits_quarantined)}" if e.kits_quarantined else ""
            lines.append(
                f"  {when}, {e.lowest:g} to {e.highest:g} °C: "
                f"{_plural(len(e.kits_quarantined), 'kit')} quarantined{kits}"
            )
        lines.append("Ask the sponsor; then `dispensary release` or `dispensary destroy` the kits.")
    run.emit({"excursions": [asdict(e) for e in found]}, lines)
    return EXIT_OK


def cmd_inventory(run: Run) -> int:
    a = run.args
    status = KitStatus(a.status) if a.status else None
    rows = queries.inventory(
        run.context(), run.actor(), status=status, product=a.product, lot=a.lot
    )
    values = [(r.number, r.product, r.lot, r.expiry, r.status, r.tablets) for r in rows]
    data = _keyed(("kit", "product", "lot", "expiry", "status", "tablets"), values)
    lines = _table(["Kit", "Product", "Lot", "Expiry", "Status", "Tablets"], values, right=[5])
    lines.append(_inventory_summary(rows))
    run.emit(data, lines)
    return EXIT_OK


def _inventory_summary(rows: Sequence[KitRow]) -> str:
    available = [r for r in rows if r.status is KitStatus.AVAILABLE]
    return (
        f"{_plural(len(rows), 'kit')}; available to dispense: {_plural(len(available), 'kit')}, "
        f"{sum(r.tablets for r in available)} tablets."
    )


# -- commands: participants, dispensing and returns ---------------------------------------------


def _participant_dict(row: ParticipantRow) -> dict[str, Any]:
    return asdict(row)


def cmd_enroll(run: Run) -> int:
    a = run.args
    row = participants.enroll(
        run.context(),
        run.actor(),
        a.number,
        a.initials,
        a.birth_year,
        a.sex,
        a.eligibility_confirmed_by,
        enrolled_on=a.date,
    )
    run.emit(
        _participant_dict(row),
        [
            f"Enrolled {row.study_number} ({row.initials}), born {row.birth_year}, {row.sex}, "
            f"on {row.enrolled_on.isoformat()}.",
            f"  Eligibility confirmed by {a.eligibility_confirmed_by.strip()}",
            "Next: dispense cycle 1.",
        ],
    )
    return EXIT_OK


def cmd_participant_status(run: Run) -> int:
    a = run.args
    row = participants.set_status(run.context(), run.actor(), a.number, a.status, a.reason)
    run.emit(
        _participant_dict(row),
        [
            f"{row.study_number} ({row.initials}) is now {_status_label(row.status)}.",
            f"  Reason  {a.reason.strip()}",
        ],
    )
    return EXIT_OK


def cmd_dispense(run: Run) -> int:
    a = run.args
    checker_password = _second_person_secret(ENV_CHECKER_PASSWORD, a.checked_by, "second check")
    ctx, actor = run.context(), run.actor()
    if a.dose_level is None:  # as at the counter: the participant's dose until one is ordered
        dose_level = queries.current_dose_level(ctx, actor, a.number)
    else:
        dose_level = a.dose_level
    result = dispensing.dispense_cycle(
        ctx,
        actor,
        a.number,
        a.cycle,
        a.day1,
        run.password(),
        dose_level=dose_level,
        kits=a.kit or (),
        dispensed_on=a.date,
        override_reason=a.override_reason or "",
        platelet_count=a.platelets,
        dose_ordered_by=a.dose_ordered_by or "",
        checked_by=a.checked_by or "",
        checker_password=checker_password,
    )
    data = {
        "dispense": result.number,
        "kits": [k.kit for k in result.kits],
        "tablets": result.tablets,
        "days": result.days,
        "warnings": list(result.warnings),
    }
    run.emit(data, _dispense_lines(result, "Dispensed"))
    return EXIT_OK


def _dispense_lines(result: DispenseResult, verb: str) -> list[str]:
    lines = [
        f"{verb} {result.number}: {result.participant} ({result.initials}), cycle {result.cycle}, "
        f"day 1 {result.day1.isoformat()}",
        f"  Dose        {result.dose_name}",
    ]
    for kit in result.kits:
        lines.append(
            f"  Kit         {kit.kit}  {kit.product_name} {kit.strength}  lot {kit.lot}  "
            f"exp {kit.expiry.isoformat()}  {kit.tablets} tablets"
        )
    lines += [
        f"  Supply      {result.tablets} tablets for {result.days} days, "
        f"last day {result.last_day.isoformat()}",
        f"  Directions  {result.directions}",
        f"  Dispensed   {result.dispensed_on.isoformat()} by {result.pharmacist} "
        f"({result.pharmacist_initials})"
        + (f", checked by {result.checked_by}" if result.checked_by else ""),
    ]
    lines += [f"  Overridden  {w}" for w in result.warnings]
    return lines


def cmd_check_dispense(run: Run) -> int:
    """The dispense as the counter would assess it, with nothing written: exit 0 when it would
    be accepted as it stands, 3 when refused or an override is missing."""
    a = run.args
    request = DispenseRequest(
        study_number=a.number,
        cycle=a.cycle,
        day1=a.day1,
        dose_level=a.dose_level,
        kits=tuple(a.kit or ()),
        dispensed_on=a.date,
        override_reason=a.override_reason or "",
        platelet_count=a.platelets,
        dose_ordered_by=a.dose_ordered_by or "",
    )
    found = dispensing.assess_dispense(run.context(), run.actor(), request)
    run.emit(_assessment_data(found), _assessment_lines(found))
    if found.refusals:
        run.note(f"Refused: {found.refusals[0].message} Nothing was changed.")
        return EXIT_REFUSED
    if found.overrides_missing:
        run.note(f"Needs an override: {found.override_text()} Nothing was changed.")
        return EXIT_REFUSED
    return EXIT_OK


def _assessment_data(found: DispenseAssessment) -> dict[str, Any]:
    return {
        "participant": found.participant,
        "cycle": found.cycle,
        "cycle_due": found.cycle_due,
        "day1": found.day1,
        "earliest_day1": found.earliest_day1,
        "latest_day1": found.latest_day1,
        "dispensed_on": found.dispensed_on,
        "dose_level": found.dose_level,
        "dose_name": found.dose_name,
        "tablets_needed": found.tablets_needed,
        "tablets_in_kits": found.tablets_in_kits,
        "accepted": found.accepted,
        "refusals": [{"code": r.code, "message": r.message} for r in found.refusals],
        "warnings": [
            {"code": w.code, "message": w.message, "needs": w.needs, "given": w.given}
            for w in found.warnings
        ],
        "proposed": [
            {"kit": k.number, "lot": k.lot, "expiry": k.expiry, "tablets": k.tablets}
            for k in found.proposed
        ],
        "kits": [{"kit": v.code, "accepted": v.accepted, "message": v.message} for v in found.kits],
    }


def _assessment_lines(found: DispenseAssessment) -> list[str]:
    if found.refusals:
        verdict = "refused"
    elif found.overrides_missing:
        verdict = "needs an override"
    else:
        verdict = "would be accepted as it stands"
    lines = [
        f"Dispense of cycle {found.cycle} to {found.participant}, day 1 "
        f"{found.day1.isoformat()}: {verdict}. Nothing was changed.",
        f"  Cycle due   {found.cycle_due}, day 1 from {found.earliest_day1.isoformat()} to "
        f"{found.latest_day1.isoformat()} (dispensed {found.dispensed_on.isoformat()})",
        f"  Dose        {found.dose_name} (level {found.dose_level})",
        f"  Tablets     {found.tablets_needed} needed, {found.tablets_in_kits} in the kits",
    ]
    for kit in found.proposed:
        lines.append(
            f"  Proposed    {kit.number}  lot {kit.lot}  exp {kit.expiry.isoformat()}  "
            f"{kit.tablets} tablets"
        )
    for verdict_of in found.kits:
        said = "taken" if verdict_of.accepted else f"refused: {verdict_of.message}"
        lines.append(f"  Kit {verdict_of.code:<8}{said}")
    lines += [f"  Refused     {r.message}" for r in found.refusals]
    for w in found.warnings:
        given = "given" if w.given else "missing"
        lines.append(f"  Warning     {w.message} (override: {w.needs.label}, {given})")
    return lines


def cmd_void(run: Run) -> int:
    result = dispensing.void_dispense(
        run.context(), run.actor(), run.args.dispense, run.args.reason, run.password()
    )
    kits = [k.kit for k in result.kits]
    run.emit(
        {
            "voided": result.number,
            "participant": result.participant,
            "cycle": result.cycle,
            "kits": kits,
        },
        [
            f"Voided {result.number} ({result.participant}, cycle {result.cycle}): "
            f"{_kits_text(kits)} back in stock.",
            f"Cycle {result.cycle} can be dispensed again.",
        ],
    )
    return EXIT_OK


def cmd_return(run: Run) -> int:
    a = run.args
    if a.dispense and (a.number or a.cycle is not None):
        raise UsageError(
            "Name the dispense either with --dispense, or with the study number and --cycle."
        )
    if not a.dispense and (not a.number or a.cycle is None):
        raise UsageError(
            "Name the dispense: NUMBER --cycle N, or --dispense DSP000001 (the label's barcode)."
        )
    result = returns.record_return(
        run.context(),
        run.actor(),
        a.kit,
        a.tablets,
        run.password(),
        dispense=a.dispense,
        study_number=a.number,
        cycle=a.cycle,
        returned_on=a.date,
        held_days=a.held_days,
        condition=a.condition or "",
        note=a.note or "",
    )
    head = (
        f"Return {result.return_id} recorded: kit {result.kit} of {result.dispense_number} "
        f"({result.participant}, cycle {result.cycle}): "
        f"{_plural(result.tablets_returned, 'tablet')} back."
    )
    run.emit(_return_data(result), [head, *_adherence_lines(result, a.note or "")])
    return EXIT_OK


def _return_data(result: ReturnResult) -> dict[str, Any]:
    return {
        "return_id": result.return_id,
        "taken": result.taken,
        "expected": result.expected,
        "adherence": result.adherence,
        "flags": [f.value for f in result.flags],
    }


def _adherence_lines(result: ReturnResult, note: str) -> list[str]:
    if result.adherence is None and not result.flags:
        return [
            f"  Adherence is worked out once every kit of {result.dispense_number} is back "
            f"({result.returned} of {result.dispensed} tablets dispensed are back so far)."
        ]
    lines = [
        f"  Taken {result.taken} of {result.expected} expected: "
        f"adherence {_percent(result.adherence)}."
    ]
    for flag in result.flags:
        lines.append(f"  FLAG  {flag.label}.")
    if result.flags and note:
        lines.append(f"  Reason recorded: {note.strip()}")
    elif result.flags:
        lines.append(
            f'  Record the reason: dispensary explain {result.dispense_number} --reason "..."'
        )
    return lines


def cmd_correct_return(run: Run) -> int:
    a = run.args
    result = returns.correct_return(
        run.context(), run.actor(), a.return_id, a.tablets, a.reason, run.password()
    )
    head = (
        f"Return {result.return_id} corrects return {result.corrects}: kit {result.kit} of "
        f"{result.dispense_number} now counts {_plural(result.tablets_returned, 'tablet')} back."
    )
    data = _return_data(result) | {"corrects": result.corrects}
    run.emit(data, [head, *_adherence_lines(result, "")])
    return EXIT_OK


def cmd_explain(run: Run) -> int:
    a = run.args
    result = returns.explain_flag(run.context(), run.actor(), a.dispense, a.reason)
    run.emit(
        {
            "dispense": result.dispense_number,
            "flags": [f.value for f in result.flags],
            "reason": a.reason.strip(),
        },
        [
            f"Explanation recorded for {result.dispense_number} "
            f"({result.participant}, cycle {result.cycle})."
        ],
    )
    return EXIT_OK


def _return_state(row: ParticipantRow, today: date) -> str:
    """'pending' while the participant has the bottle; 'overdue' a week after the cycle ended."""
    if not row.return_pending or row.next_due is None:
        return ""
    overdue = row.next_due + timedelta(days=reconciliation.RETURN_GRACE_DAYS) < today
    return "OVERDUE" if overdue else "pending"


def cmd_participants(run: Run) -> int:
    rows = queries.participants(run.context(), run.actor())
    today = run.clock.today()
    lines = _table(
        ["Number", "Initials", "Enrolled", "Status", "Cycle", "Day 1", "Next due", "Return"],
        [
            (
                r.study_number,
                r.initials,
                r.enrolled_on,
                _status_label(r.status),
                r.last_cycle,
                r.last_day1,
                r.next_due if r.status is ParticipantStatus.ON_TREATMENT else None,
                _return_state(r, today),
            )
            for r in rows
        ],
        right=[4],
    )
    run.emit([_participant_dict(r) for r in rows], lines)
    return EXIT_OK


def _history_table(rows: Sequence[DispenseHistoryRow]) -> list[str]:
    return _table(
        [
            "Cycle",
            "Dispense",
            "Day 1",
            "Dose",
            "Kits",
            "Given",
            "Back",
            "Taken",
            "Expected",
            "Adherence",
            "Flags",
        ],
        [
            (
                r.cycle,
                r.dispense_number,
                r.day1,
                r.dose_name,
                ", ".join(r.kits),
                r.tablets,
                r.returned,
                r.taken,
                r.expected,
                _percent(r.adherence),
                ", ".join(f.value.replace("_", "-") for f in r.flags)
                + (" (explained)" if r.flags and r.flag_reason else ""),
            )
            for r in rows
        ],
        right=[0, 5, 6, 7, 8, 9],
    )


def cmd_history(run: Run) -> int:
    person, rows = queries.participant_history(run.context(), run.actor(), run.args.number)
    lines = [
        f"{person.study_number} ({person.initials}), born {person.birth_year}, {person.sex}, "
        f"enrolled {person.enrolled_on.isoformat()}, {_status_label(person.status)}",
    ]
    if person.status is ParticipantStatus.ON_TREATMENT and person.next_due:
        pending = (
            f"; the return of cycle {person.last_cycle} is pending" if person.return_pending else ""
        )
        lines.append(f"Next: cycle {person.next_cycle} from {person.next_due.isoformat()}{pending}")
    lines.append("")
    lines += _history_table(rows) if rows else ["No dispenses yet."]
    explained = [r for r in rows if r.flag_reason]
    if explained:
        lines.append("")
        lines += [f"Cycle {r.cycle}: {r.flag_reason}" for r in explained]
    run.emit(
        {"participant": _participant_dict(person), "dispenses": [asdict(r) for r in rows]}, lines
    )
    return EXIT_OK


def cmd_trace(run: Run) -> int:
    """A recall list: who received the lot, in date order, with their dispenses."""
    ctx, actor = run.context(), run.actor()
    rows = queries.lot_trace(ctx, actor, run.args.lot)
    who = {
        r.dispense_number: queries.dispense_participant(ctx, actor, r.dispense_number) for r in rows
    }
    people = sorted(set(who.values()))
    lines = [
        f"Lot {run.args.lot.strip()}: {_plural(len(rows), 'dispense')} to "
        f"{_plural(len(people), 'participant')}",
        "",
    ]
    lines += (
        _table(
            [
                "Dispensed",
                "Participant",
                "Cycle",
                "Dispense",
                "Kits",
                "Given",
                "Back",
                "Returned on",
            ],
            [
                (
                    r.dispensed_on,
                    "{} ({})".format(*who[r.dispense_number]),
                    r.cycle,
                    r.dispense_number,
                    ", ".join(r.kits),
                    r.tablets,
                    r.returned,
                    r.returned_on,
                )
                for r in rows
            ],
            right=[2, 5, 6],
        )
        if rows
        else ["No kit of this lot has been dispensed."]
    )
    data = [
        asdict(r)
        | {"participant": who[r.dispense_number][0], "initials": who[r.dispense_number][1]}
        for r in rows
    ]
    run.emit(data, lines)
    return EXIT_OK


# -- commands: reconciliation, audit, backup -----------------------------------------------------


_BALANCE_KEYS = (
    "product",
    "received",
    "dispensed",
    "returned",
    "destroyed",
    "adjusted",
    "on_hand",
    "held_returned",
    "balanced",
)


def _balances(result: ReconcileResult) -> list[tuple[object, ...]]:
    """Each product's balance, in the order of _BALANCE_KEYS (the table's columns too)."""
    return [
        (
            p.key,
            p.received,
            p.dispensed,
            p.returned,
            p.destroyed,
            p.adjusted,
            p.on_hand,
            p.held_returned,
            p.balanced,
        )
        for p in result.products
    ]


def _reconcile_lines(result: ReconcileResult, today: date) -> list[str]:
    lines = [f"Reconciliation of {today.isoformat()}", ""]
    lines += _table(
        [
            "Product",
            "Received",
            "Dispensed",
            "Returned",
            "Destroyed",
            "Adjusted",
            "On hand",
            "Held",
            "Balanced",
        ],
        _balances(result),
        right=[1, 2, 3, 4, 5, 6, 7],
    )
    lines += [
        "Held: tablets participants brought back, kept for the monitor until destroyed.",
        "Adjusted: tablets written off by physical counts (found tablets count negative).",
        "",
    ]
    if result.discrepancies:
        lines.append(f"To review ({len(result.discrepancies)}):")
        lines += [
            f"  {d.kind.value.replace('_', ' '):<17} {d.message}" for d in result.discrepancies
        ]
    else:
        lines.append("Nothing to review.")
    if result.signoffs:
        last = result.signoffs[-1]
        lines.append(
            f"Last signed off by {last.full_name} ({last.role.value}) on {_cell(last.at)} UTC."
        )
    lines.append("Reconciliation: balanced" if result.balanced else "Reconciliation: NOT balanced")
    return lines


def cmd_reconcile(run: Run) -> int:
    result = reconciliation.reconcile(run.context(), run.actor())
    data = {
        "products": _keyed(_BALANCE_KEYS, _balances(result)),
        "discrepancies": [asdict(d) for d in result.discrepancies],
    }
    run.emit(data, _reconcile_lines(result, run.clock.today()))
    return EXIT_OK


def cmd_sign_off(run: Run) -> int:
    actor = run.actor()
    result = reconciliation.sign_off(run.context(), actor, run.password(), run.args.note or "")
    data = {
        "signed_off_by": actor.username,
        "at": result.signoffs[-1].at if result.signoffs else None,
        "balanced": result.balanced,
        "discrepancies": len(result.discrepancies),
    }
    run.emit(
        data,
        [
            f"Signed off by {actor.full_name} ({actor.role.value}): "
            + ("balanced" if result.balanced else "NOT balanced")
            + f", {_plural(len(result.discrepancies), 'item')} to review."
        ],
    )
    return EXIT_OK


def cmd_audit_verify(run: Run) -> int:
    result = audit.verify(run.context(), run.actor())
    run.emit(
        {"ok": result.ok, "entries": result.entries, "first_bad": result.first_bad},
        [
            result.message,
            f"  {result.entries} audit entries, {result.ledger_entries} ledger rows checked.",
        ],
    )
    if not result.ok:
        run.note(result.message)
        return EXIT_REFUSED
    return EXIT_OK


def _loads(text: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_audit_list(run: Run) -> int:
    a = run.args
    rows = audit.list_entries(
        run.context(), run.actor(), username=a.user_filter, action=a.action, limit=a.limit
    )
    data = [
        {
            "id": r.id,
            "at": r.at,
            "user": r.username,
            "action": r.action,
            "entity": r.entity,
            "entity_id": r.entity_id,
            "old": _loads(r.old),
            "new": _loads(r.new),
            "reason": r.reason,
        }
        for r in rows
    ]
    lines = _table(
        ["#", "When (UTC)", "User", "Action", "Record", "Reason"],
        [
            (r.id, r.at, r.username, r.action, f"{r.entity} {r.entity_id}"[:40], r.reason[:60])
            for r in rows
        ],
        right=[0],
    )
    run.emit(data, lines)
    return EXIT_OK


def cmd_backup(run: Run) -> int:
    result = backup.backup(run.context(), run.actor(), run.args.out)
    run.emit(asdict(result), [f"Backup written: {result.path} ({result.bytes // 1024 or 1} kB)."])
    return EXIT_OK


def cmd_restore(run: Run) -> int:
    a = run.args
    if backup.is_server_database(run.db):
        raise RuleViolation(backup.SERVER_RESTORE)
    restored_by = "-"
    protocol: str | None = None
    clock: Clock = SystemClock()  # a fixed today only once this is known to be a training database
    try:
        ctx = run.context()
    except DatabaseProblem as exc:
        if not a.force:
            raise DatabaseProblem(
                f"{exc.message} As the current database cannot be opened, no administrator can "
                "sign in to it: to replace it with the backup anyway, add --force."
            ) from exc
        run.note(f"The current database cannot be opened ({exc.message}); replacing it (--force).")
    else:
        restored_by = run.actor().username
        permissions.require(run.actor(), "restore")
        protocol, clock = ctx.study.protocol, run.clock
        run.close()  # the file is about to be replaced: this command keeps no connection to it
    result = backup.restore(run.db, a.file, restored_by, clock=clock, expect_protocol=protocol)
    lines = [f"Restored {result.database} from {result.restored_from}."]
    if result.replaced_file_kept_at:
        lines.append(f"The file it replaced is kept whole at {result.replaced_file_kept_at}.")
    run.emit(asdict(result), lines)
    return EXIT_OK


def cmd_demo(run: Run) -> int:
    a = run.args
    path = a.db or str(config.data_dir() / "demo.sqlite3")
    if "://" in path:
        info = demo.build_demo(path, run.clock.today())
    else:
        file = Path(path).expanduser().absolute()
        real = config.database_from(None)
        if file.exists() and not a.replace:
            raise RuleViolation(
                f"{file} already exists. Add --replace to overwrite it with a new demo, or give "
                "another --db."
            )
        if (
            file.exists()
            and "://" not in real
            and file.resolve() == Path(real).expanduser().resolve()
        ):
            raise RuleViolation(
                f"{file} is this workstation's database; the demo never replaces it."
            )
        # Only a new file or an earlier training database; built beside it, renamed over it.
        info = demo.build_demo_file(file, run.clock.today(), replace=a.replace)
    data = {
        "database": info.database,
        "today": info.today,
        "password": info.password,
        "users": [
            {"username": u.username, "role": u.role, "full_name": u.full_name} for u in info.users
        ],
        "shipments": info.shipments,
        "kits": info.kits,
        "participants": info.participants,
        "dispenses": info.dispenses,
        "returns": info.returns,
        "destroyed_kits": info.destroyed_kits,
        "counts": info.counts,
        "quarantined_kits": list(info.quarantined_kits),
        "expiring_soon": list(info.expiring_soon),
        "due_this_week": list(info.due_this_week),
        "returns_overdue": list(info.returns_overdue),
    }
    lines = [
        f"Demo database created: {info.database} (today is {info.today.isoformat()})",
        f"  {info.participants} participants, {info.dispenses} dispenses, {info.returns} returns, "
        f"{info.kits} kits in {info.shipments} shipments, {info.destroyed_kits} kits destroyed",
        "",
        f"Sign in as any of these users with the password {info.password}",
        *_table(["User", "Role", "Name"], [(u.username, u.role, u.full_name) for u in info.users]),
        "",
        "Try:",
        f"  export DISPENSARY_DB={info.database} DISPENSARY_PASSWORD={info.password}",
        "  dispensary --user pharmacist participants",
    ]
    run.emit(data, lines)
    return EXIT_OK


# -- commands: labels and reports ----------------------------------------------------------------
# reportlab takes a third of a second to import: only the label and report commands load it.

_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def _out_path(path: str, formats: Sequence[str], what: str) -> tuple[Path, str]:
    """The file to write and its format (from the suffix), checked before any work is done."""
    try:
        target = Path(path).expanduser().absolute()
    except RuntimeError:  # ~user of no such user
        target = Path(path).absolute()
    suffix = target.suffix.lower().lstrip(".")
    if suffix not in formats:
        allowed = " or ".join(f".{f}" for f in formats)
        raise UsageError(f"--out {path}: {what} is written as {allowed}; end the file name so.")
    try:
        if target.is_dir():
            raise InvalidInput(f"{target} is a folder: give a file name after --out.")
        if not target.parent.is_dir():
            raise InvalidInput(f"The folder {target.parent} does not exist: create it first.")
        target.with_name(f".{target.name}.partial").exists()  # a name over the system's limit
    except OSError as exc:
        raise InvalidInput(write_error_text(exc, target)) from exc
    if not os.access(target.parent, os.W_OK | os.X_OK):
        denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))
        raise InvalidInput(write_error_text(denied, target))
    return target, suffix


def _write(target: Path, data: bytes) -> None:
    """Written whole or not at all (a half-written PDF must not be printed), and readable by
    its owner only from the first byte: reports and labels hold study data."""
    try:
        write_private(target, data)
    except OSError as exc:  # a full disk, a read-only folder...: no partial file is left
        raise InvalidInput(write_error_text(exc, target)) from exc


def _pdf_pages(data: bytes) -> int:
    """Pages of a reportlab PDF: each page is one uncompressed /Type /Page dictionary."""
    return len(_PDF_PAGE.findall(data))


def _written(target: Path, data: bytes, pdf: bool) -> dict[str, Any]:
    return {"out": str(target), "pages": _pdf_pages(data) if pdf else None, "bytes": len(data)}


def _size_text(info: dict[str, Any]) -> str:
    size = f"{max(1, round(info['bytes'] / 1024))} kB"
    if info["pages"] is None:
        return size
    return f"{_plural(info['pages'], 'page')}, {size}"


def _values(a: argparse.Namespace) -> documents.Values:
    """The parameters of a report or label as given on the command line (see `_param_options`)."""
    kits: Sequence[str] = getattr(a, "kits", None) or ()
    return documents.Values(
        product=getattr(a, "product", None),
        lot=getattr(a, "lot", None),
        participant=getattr(a, "participant", None),
        days=getattr(a, "days", 90),
        since=getattr(a, "since", None),
        until=getattr(a, "until", None),
        kits=tuple(_comma_pieces(kits)),
        shipment=getattr(a, "shipment", None),
        dispense=getattr(a, "dispense", None),
        paper=getattr(a, "paper", "a4"),
        position=getattr(a, "position", 1),
    )


def _reason(run: Run) -> tuple[bool, str]:
    """--reprint and --reason, checked by the print rule (services.labels) before any work;
    a slip is a usage mistake, said with this command line's options."""
    from dispensary.services import labels as label_prints

    reprint = bool(getattr(run.args, "reprint", False))
    try:
        return reprint, label_prints.reprint_reason(reprint, getattr(run.args, "reason", None))
    except label_prints.ReprintReasonMissing as exc:
        raise UsageError("A reprint is recorded with its reason: add --reason TEXT.") from exc
    except label_prints.ReasonWithoutReprint as exc:
        raise UsageError("--reason goes with --reprint (a first print needs no reason).") from exc


def _the(what: str, items: Sequence[str]) -> str:
    """'The kit label of K1 has' or 'The kit labels of K1, K2 have': the subject of a refusal."""
    if len(items) == 1:
        return f"The {what} of {items[0]} has"
    return f"The {what}s of {_kits_text(items)} have"


def _print_refused(refused: PrintRefused, what: str, reprint: bool) -> RuleViolation:
    """The print rule's refusal, told with this command line's options."""
    if not reprint:
        return RuleViolation(
            f"{_the(what, refused.printed)} been printed before. To print again, add --reprint "
            "--reason TEXT: the print is then marked REPRINT and recorded as a reprint."
            + (" Name the kits not printed yet separately." if refused.fresh else "")
        )
    return RuleViolation(
        f"{_the(what, refused.fresh)} not been printed yet: print without --reprint"
        + (" (name the kits printed before separately)." if refused.printed else ".")
    )


def _settings() -> config.Settings:
    return config.Settings.load()


def _stock_and_calibration(run: Run, study: Study | None) -> tuple[LabelStock, Calibration]:
    """The label stock asked for (else this workstation's, else the study's) and its saved
    calibration: what every label sheet or roll is drawn for. Without a study (a calibration
    page) the database is opened only when no stock is named at all."""
    from dispensary import labels

    settings = _settings()
    named = run.args.stock or settings.label_stock.strip()
    if study is None and named:
        stock = labels.get_stock(named)
    else:
        stock = labels.choose_stock(study or run.context().study, settings, run.args.stock or "")
    return stock, labels.calibration_for(settings, stock)


def cmd_label(run: Run, key: str) -> int:
    """One label of the catalogue: planned (a second print must be asked for as a reprint,
    with its reason), drawn, written, then recorded; nothing is recorded if drawing or
    writing fails, and the file goes again if the record is refused."""
    from dispensary.services import labels as label_prints

    entry = label_catalogue.label(key)
    if entry.kind is None:
        return _calibration_page(run, entry)
    a = run.args
    what = "a leaflet" if entry.kind == "leaflet" else "a label"
    target, _ = _out_path(a.out, ("pdf",), "a label sheet" if entry.kind == "kit" else what)
    reprint, reason = _reason(run)
    ctx, actor = run.context(), run.actor()
    stock, cal = _stock_and_calibration(run, ctx.study) if entry.on_stock else (None, None)
    noun = {"kit": "kit label", "dispense": "dispensing label", "leaflet": "participant leaflet"}
    try:
        sheet = label_catalogue.plan_label(entry, ctx, actor, _values(a), stock, cal, reprint)
    except PrintRefused as refused:
        raise _print_refused(refused, noun[entry.kind], reprint) from refused
    assert sheet.plan is not None  # a label with a kind is planned
    plan, drawn = sheet.plan, []

    def write(pdf: bytes) -> bool:
        _write(target, pdf)
        drawn.append(pdf)
        return True

    label_prints.print_labels(
        ctx,
        actor,
        plan,
        lambda _: sheet.draw(),
        write,
        reason,
        withdraw=lambda: target.unlink(missing_ok=True),
    )
    info = _written(target, drawn[0], pdf=True)
    info |= {"kind": plan.kind, "items": list(plan.items), "stock": plan.stock}
    info["reprint"] = plan.reprint
    marked = ", marked REPRINT" if plan.reprint else ""
    lines = [f"Wrote {sheet.says} on {plan.stock}{marked}: {target} ({_size_text(info)})."]
    if entry.kind == "kit" and cal is not None:
        lines.append(f"  Calibration  {cal.text}")
    lines.append(
        "  Recorded in the audit trail as " + ("a reprint." if plan.reprint else "printed.")
    )
    run.emit(info, lines)
    return EXIT_OK


def _calibration_page(run: Run, entry: label_catalogue.Label) -> int:
    """No sign-in: the page shows this workstation's printer settings, no trial records."""
    a = run.args
    target, _ = _out_path(a.out, ("pdf",), "a calibration page")
    stock, cal = _stock_and_calibration(run, None)
    sheet = label_catalogue.calibration_sheet(entry, stock, cal)
    pdf = sheet.draw()
    _write(target, pdf)
    info = _written(target, pdf, pdf=True) | {"stock": stock.name, "calibration": asdict(cal)}
    run.emit(
        info,
        [
            f"Wrote {sheet.says}: {target}.",
            f"  Saved calibration  {cal.text}",
            "Print it at 100% (no 'fit to page'), measure, then: dispensary label calibrate "
            f"--stock {stock.name} --dx MM --dy MM [--scale X]",
        ],
    )
    return EXIT_OK


def cmd_label_calibrate(run: Run) -> int:
    """Workstation settings, not trial records: saved in settings.json, not in the database."""
    from dispensary import labels

    a = run.args
    settings = _settings()
    stock = labels.get_stock(a.stock)
    before = labels.calibration_for(settings, stock)
    cal = labels.Calibration(a.dx, a.dy, before.scale if a.scale is None else a.scale)
    labels.save_calibration(settings, stock, cal)
    path = settings.save()
    run.emit(
        {"stock": stock.name, **asdict(cal), "settings": str(path)},
        [
            f"Saved the calibration of {stock.name}: {cal.text}.",
            f"  Before         {before.text}",
            f"  Settings file  {path}",
            "Labels printed on this workstation now use it. Print the calibration page again "
            f"to check: dispensary label calibration --stock {stock.name} --out FILE.pdf",
        ],
    )
    return EXIT_OK


def cmd_report(run: Run, key: str) -> int:
    """One report of the catalogue, as PDF or CSV by the suffix of --out."""
    entry = report_catalogue.report(key)
    a = run.args
    if entry.csv is None and Path(a.out).suffix.lower() == ".csv":
        raise UsageError(entry.pdf_only)
    target, fmt = _out_path(a.out, entry.formats, f"the {key} report")
    values = _values(a)
    documents.check(entry.fields, values)  # refused before the database is opened
    document = report_catalogue.make_report(entry, run.context(), run.actor(), values, fmt)
    _write(target, document.data)
    info = _written(target, document.data, document.pdf)
    run.emit(info, [f"Wrote the {document.says}: {target} ({_size_text(info)})."])
    return EXIT_OK


# -- the parser ----------------------------------------------------------------------------------

Handler = Callable[[Run], int]

EPILOG = f"""\
sign-in:   --user NAME (or {ENV_USER}); the password comes from {ENV_PASSWORD},
           or is asked for in a terminal. It also signs each dispense, return, count...
passwords: {ENV_NEW_PASSWORD} for user add, user password, user reset-password;
           {ENV_VERIFIER_PASSWORD} for count --verified-by;
           {ENV_CHECKER_PASSWORD} for dispense --checked-by.
database:  --db, else {config.ENV_DB}, else the file in this user's data folder.
training:  {ENV_TODAY}=YYYY-MM-DD acts as if today were that date, on a training
           database only (the demo, or one made with init --training).
exit codes: 0 done; 1 unexpected ({ENV_DEBUG}=1 for details); 2 usage mistake;
           3 refused by a rule, nothing saved; 4 not signed in or not permitted.
"""


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """--db, --user and --json: before the command, or after it."""
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db", metavar="PATH_OR_URL", default=default, help="the database file or URL"
    )
    parser.add_argument("--user", metavar="NAME", default=default, help="sign in as this user")
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print JSON on stdout (errors stay on stderr, stdout empty)",
    )


class _Commands:
    """Adds subcommands that all accept the global options after the command name too."""

    def __init__(self, subparsers: Any) -> None:
        self.subparsers = subparsers
        self.common = argparse.ArgumentParser(add_help=False)
        _global_options(self.common, suppress=True)

    def add(
        self, name: str, handler: Handler, text: str, parent: argparse.ArgumentParser | None = None
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = self.subparsers.add_parser(
            name, help=text, description=text, parents=[parent or self.common]
        )
        p.set_defaults(handler=handler)
        return p

    def group(self, name: str, text: str, dest: str) -> _Commands:
        p = self.add(name, _missing_subcommand, text)
        return _Commands(p.add_subparsers(dest=dest, metavar="ACTION"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dispensary",
        description="Investigational drug accountability for a clinical-trial site pharmacy.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _global_options(parser, suppress=False)
    commands = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND"))
    _counter_commands(commands)
    _stock_commands(commands)
    _record_commands(commands)
    _label_commands(commands)
    _report_commands(commands)
    _setup_commands(commands)
    return parser


def _setup_commands(c: _Commands) -> None:
    p = c.add("init", cmd_init, "create a new database with its study and first administrator")
    p.add_argument("--study", metavar="FILE", help="study file (default: the bundled NCT07198672)")
    p.add_argument("--admin", required=True, metavar="NAME", help="user name of the administrator")
    p.add_argument("--full-name", metavar="TEXT")
    p.add_argument("--initials", metavar="XX")
    p.add_argument(
        "--training",
        action="store_true",
        help=f"a training or test database, where {ENV_TODAY} may fix today's date",
    )

    user = c.group("user", "manage users (administrator)", "user_command")
    p = user.add("add", cmd_user_add, f"add a user (password from {ENV_NEW_PASSWORD})")
    p.add_argument("name")
    p.add_argument("--role", required=True, choices=[r.value for r in Role])
    p.add_argument("--full-name", required=True, metavar="TEXT")
    p.add_argument("--initials", required=True, metavar="XX")
    user.add("list", cmd_user_list, "list users")
    for name, active in (("deactivate", False), ("activate", True)):
        p = user.add(name, partial(cmd_user_activate, active=active), f"{name} an account")
        p.add_argument("name")
        p.add_argument("--reason", required=True)
    p = user.add("unlock", cmd_user_unlock, "unlock an account locked by failed sign-ins")
    p.add_argument("name")
    p.add_argument("--reason", required=True)
    user.add("password", cmd_user_password, f"change your password (new: {ENV_NEW_PASSWORD})")
    p = user.add("reset-password", cmd_user_reset, f"set a user's password ({ENV_NEW_PASSWORD})")
    p.add_argument("name")
    p = c.add(
        "recover-admin",
        cmd_recover_admin,
        "unlock a locked-out administrator (no sign-in: run it as the owner of the database "
        "file, or with the PostgreSQL database owner's URL)",
    )
    p.add_argument("name", help="the administrator's user name")
    p.add_argument("--reason", required=True)
    p.add_argument(
        "--new-password",
        action="store_true",
        help=f"also set a password ({ENV_NEW_PASSWORD}), to be changed at the next sign-in",
    )

    study = c.group("study", "the study this database serves", "study_command")
    study.add("show", cmd_study_show, "show the study's products, dose levels and cycle")
    p = study.add("update", cmd_study_update, "replace the study file (administrator)")
    p.add_argument("file", metavar="FILE.toml")
    p.add_argument("--reason", required=True)

    p = c.add("backup", cmd_backup, "copy the database to a file")
    p.add_argument("--out", required=True, metavar="FILE")
    p = c.add(
        "restore",
        cmd_restore,
        "replace the database with a checked backup (administrator; no one else may have it open)",
    )
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="when the current database cannot open")
    p = c.add("demo", cmd_demo, "build the demo pharmacy (users, six months of records)")
    p.add_argument(
        "--replace", action="store_true", help="replace an earlier demo (a training database only)"
    )


def _stock_commands(c: _Commands) -> None:
    p = c.add("receive", cmd_receive, "receive a shipment of kits")
    p.add_argument("--shipment", required=True, metavar="NO")
    p.add_argument("--product", metavar="CODE", help="product code from the study file")
    p.add_argument("--lot", metavar="LOT")
    p.add_argument("--expiry", type=_date, metavar="DATE")
    kits = p.add_mutually_exclusive_group(required=True)
    kits.add_argument("--kits", action="append", metavar="RANGE", help="K0001-K0050 or K1,K2")
    kits.add_argument(
        "--manifest", metavar="FILE.csv", help="CSV: kit,lot,expiry,tablets[,product]"
    )
    p.add_argument("--tablets-per-kit", type=_whole, metavar="N")
    p.add_argument("--date", type=_date, help="date received (default today)")
    p.add_argument("--condition", default="intact", metavar="TEXT")
    p.add_argument("--temperature-failed", action="store_true", help="quarantine every kit")

    for name, release in (("quarantine", False), ("release", True)):
        text = "release quarantined kits" if release else "set kits aside (quarantine)"
        p = c.add(name, partial(cmd_quarantine, release=release), text)
        p.add_argument("kits", nargs="+", metavar="KIT")
        p.add_argument("--reason", required=True)

    p = c.add("destroy", cmd_destroy, "destroy kits or return them to the sponsor (witnessed)")
    p.add_argument("kits", nargs="+", metavar="KIT")
    p.add_argument("--witness", required=True, metavar="NAME")
    p.add_argument("--method", required=True, metavar="TEXT")
    p.add_argument("--date", type=_date)
    p.add_argument("--reference", default="", metavar="TEXT")
    p.add_argument("--to-sponsor", action="store_true")

    p = c.add("count", cmd_count, "record a blind physical count of a kit")
    p.add_argument("kit")
    p.add_argument("--tablets", required=True, type=_whole, metavar="N")
    p.add_argument("--reason-code", choices=[r.value for r in ReasonCode])
    p.add_argument("--reason", metavar="TEXT")
    p.add_argument("--verified-by", metavar="NAME", help=f"second person ({ENV_VERIFIER_PASSWORD})")
    p.add_argument("--date", type=_date)

    p = c.add("temperature", cmd_temperature, "import a data logger's CSV (timestamp,celsius)")
    p.add_argument("--area", required=True, metavar="NAME", help="storage area of the logger")
    p.add_argument("file", metavar="FILE.csv")

    p = c.add("inventory", cmd_inventory, "kits on record, with status and tablets")
    p.add_argument("--status", choices=[s.value for s in KitStatus])
    p.add_argument("--product", metavar="CODE")
    p.add_argument("--lot", metavar="LOT")
    p = c.add("trace", cmd_trace, "every dispense of a lot (recall)")
    p.add_argument("lot")


def _counter_commands(c: _Commands) -> None:
    p = c.add("enroll", cmd_enroll, "enrol a participant (study number and initials only)")
    p.add_argument("number")
    p.add_argument("--initials", required=True, metavar="XX")
    p.add_argument("--birth-year", required=True, type=_whole, metavar="YYYY")
    p.add_argument("--sex", required=True, metavar="F|M")
    p.add_argument("--eligibility-confirmed-by", required=True, metavar="NAME")
    p.add_argument("--date", type=_date, help="enrolment date (default today)")

    p = c.add("participant-status", cmd_participant_status, "mark discontinued or completed")
    p.add_argument("number")
    p.add_argument("status", choices=[s.value for s in ParticipantStatus])
    p.add_argument("--reason", required=True)

    p = c.add("dispense", cmd_dispense, "dispense a cycle (signed with your password)")
    p.add_argument("number")
    p.add_argument("--cycle", required=True, type=_whole)
    p.add_argument("--day1", required=True, type=_date, help="day 1 (T-DM1 infusion date)")
    p.add_argument(
        "--dose-level",
        type=_whole,
        metavar="L",
        help="a dose ordered by the investigator (default: the participant's current level)",
    )
    p.add_argument("--kit", action="extend", nargs="+", help="kits taken (default: FEFO)")
    p.add_argument("--date", type=_date, help="dispense date (default today)")
    p.add_argument("--override-reason", metavar="TEXT", help="why dispense despite a warning")
    p.add_argument("--platelets", type=_number, metavar="X", help="platelet count, x 10^9/L")
    p.add_argument("--dose-ordered-by", metavar="NAME", help="who ordered a dose change")
    p.add_argument("--checked-by", metavar="NAME", help=f"second check ({ENV_CHECKER_PASSWORD})")

    check = c.group("check", "assess a step without doing it; nothing is changed", "check_command")
    p = check.add(
        "dispense",
        cmd_check_dispense,
        "what a dispense would meet: refusals, warnings to override, kits (exit 0: accepted "
        "as it stands; 3: refused or an override is missing)",
    )
    p.add_argument("number")
    p.add_argument("--cycle", type=_whole, help="default: the cycle due")
    p.add_argument("--day1", type=_date, help="day 1 (T-DM1 infusion date; default today)")
    p.add_argument(
        "--dose-level", type=_whole, metavar="L", help="default: the participant's current level"
    )
    p.add_argument("--kit", action="extend", nargs="+", help="kits in hand (default: FEFO)")
    p.add_argument("--date", type=_date, help="dispense date (default today)")
    p.add_argument("--override-reason", metavar="TEXT", help="the reason an override would give")
    p.add_argument("--platelets", type=_number, metavar="X", help="platelet count, x 10^9/L")
    p.add_argument("--dose-ordered-by", metavar="NAME", help="who ordered a dose change")

    p = c.add("void", cmd_void, "void a dispense made in error (the kits never left)")
    p.add_argument("dispense")
    p.add_argument("--reason", required=True)

    p = c.add("return", cmd_return, "count back the tablets of a kit")
    p.add_argument("number", nargs="?", help="participant's study number (with --cycle)")
    p.add_argument("--cycle", type=_whole)
    p.add_argument("--dispense", metavar="DSP000001", help="the dispense (label barcode)")
    p.add_argument("--kit", required=True)
    p.add_argument("--tablets", required=True, type=_whole, metavar="N")
    p.add_argument("--date", type=_date, help="return date (default today)")
    p.add_argument("--note", metavar="TEXT", help="remark; explains an adherence flag")
    p.add_argument("--held-days", type=_whole, default=0, metavar="N", help="days drug held")
    p.add_argument("--condition", metavar="TEXT")

    p = c.add("correct-return", cmd_correct_return, "correct a recorded return count")
    p.add_argument("return_id", type=_record_id, metavar="RETURN_ID")
    p.add_argument("--tablets", required=True, type=_whole, metavar="N")
    p.add_argument("--reason", required=True)

    p = c.add("explain", cmd_explain, "record the reason for an adherence flag")
    p.add_argument("dispense")
    p.add_argument("--reason", required=True)

    c.add("participants", cmd_participants, "participants and their next cycle")
    p = c.add("history", cmd_history, "a participant's dispenses, returns and adherence")
    p.add_argument("number")


def _record_commands(c: _Commands) -> None:
    c.add("reconcile", cmd_reconcile, "balances per product and what to review")
    p = c.add("sign-off", cmd_sign_off, "sign off today's reconciliation")
    p.add_argument("--note", metavar="TEXT")

    trail = c.group("audit", "the audit trail", "audit_command")
    trail.add("verify", cmd_audit_verify, "recompute the hash chain (exit 3 if it breaks)")
    # Here --user filters the list; sign in with --user before the command name.
    no_user = argparse.ArgumentParser(add_help=False)
    no_user.add_argument("--db", metavar="PATH_OR_URL", default=argparse.SUPPRESS)
    no_user.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    p = trail.add("list", cmd_audit_list, "list audit entries", parent=no_user)
    p.add_argument(
        "--limit", type=_audit_limit, metavar="N", help=f"the last N entries (1-{AUDIT_LIST_MOST})"
    )
    p.add_argument("--user", dest="user_filter", metavar="NAME", help="entries by this user")
    p.add_argument("--action", metavar="A", help="e.g. dispense, return, sign_in")


def _param_options(
    p: argparse.ArgumentParser, fields: Sequence[documents.Field], sheet: bool
) -> None:
    """The options of a report's or label's parameters (the catalogue's `Param`s)."""
    for field in fields:
        param = field.param
        if param is documents.Param.PRODUCT:
            p.add_argument("--product", metavar="CODE", help="one product (default: all)")
        elif param is documents.Param.LOT:
            p.add_argument("--lot", required=field.required, metavar="LOT")
        elif param is documents.Param.PARTICIPANT:
            p.add_argument("--participant", required=field.required, metavar="NUMBER")
        elif param is documents.Param.DAYS:
            p.add_argument("--days", type=_days, default=90, metavar="N", help="default: 90")
        elif param is documents.Param.PERIOD:
            p.add_argument(
                "--from",
                dest="since",
                type=_date,
                required=field.required,
                metavar="DATE",
                help="first day of the period",
            )
            p.add_argument(
                "--to", dest="until", type=_date, metavar="DATE", help="last day (default: today)"
            )
        elif param is documents.Param.KITS:
            p.add_argument("kits", nargs="+", metavar="KIT")
        elif param is documents.Param.SHIPMENT:
            p.add_argument("shipment", metavar="NO")
        elif param is documents.Param.DISPENSE:
            p.add_argument("dispense", metavar="DISPENSE")
        elif param is documents.Param.STOCK:
            p.add_argument(
                "--stock", metavar="NAME", help="label stock (default: this workstation's)"
            )
            if sheet:
                p.add_argument(
                    "--position",
                    type=_whole,
                    default=1,
                    metavar="N",
                    help="first free label on a part-used sheet (1 = top left)",
                )
        else:
            _paper_option(p)


def _paper_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--paper", choices=list(documents.PAPERS), default="a4", help="default: a4")


def _label_commands(c: _Commands) -> None:
    label = c.group("label", "print kit and dispensing labels, leaflets (PDF)", "label_command")
    for entry in label_catalogue.LABELS:
        p = label.add(entry.key, partial(cmd_label, key=entry.key), entry.summary)
        positional = [f for f in entry.fields if f.param in _POSITIONAL]
        _param_options(p, positional, entry.sheet)
        p.add_argument("--out", required=True, metavar="FILE.pdf")
        _param_options(p, [f for f in entry.fields if f.param not in _POSITIONAL], entry.sheet)
        if entry.kind is not None:
            p.add_argument("--reprint", action="store_true", help="print again, marked REPRINT")
            p.add_argument("--reason", metavar="TEXT", help="why it is reprinted (with --reprint)")
    p = label.add("calibrate", cmd_label_calibrate, "save a stock's offset on this workstation")
    p.add_argument("--stock", required=True, metavar="NAME")
    # The offset saved replaces the one before: a page printed with a saved offset shows it.
    p.add_argument("--dx", required=True, type=_number, metavar="MM", help="+ moves print right")
    p.add_argument("--dy", required=True, type=_number, metavar="MM", help="+ moves print down")
    p.add_argument("--scale", type=_number, metavar="X", help="50 / measured bar (default: kept)")


_POSITIONAL = {documents.Param.KITS, documents.Param.SHIPMENT, documents.Param.DISPENSE}


def _report_commands(c: _Commands) -> None:
    report = c.group("report", "write a report as PDF or CSV (by the --out suffix)", "report")
    for entry in report_catalogue.REPORTS:
        p = report.add(entry.key, partial(cmd_report, key=entry.key), entry.summary)
        p.add_argument("--out", required=True, metavar="|".join(f"FILE.{f}" for f in entry.formats))
        _paper_option(p)
        _param_options(p, entry.fields, sheet=False)


def _missing_subcommand(run: Run) -> int:
    raise UsageError(
        f"'{run.args.command}' needs an action; see `dispensary {run.args.command} --help`."
    )


# -- main ----------------------------------------------------------------------------------------


def _report(run_err: TextIO, exc: DispensaryError) -> int:
    if isinstance(exc, NotSignedIn):
        prefix = "Not signed in"
    elif isinstance(exc, NotPermitted):
        prefix = "Not permitted"
    elif isinstance(exc, DatabaseProblem):
        prefix = "Database problem"
    elif isinstance(exc, StudyFileError):
        prefix = "Study file problem"
    elif exc.exit_code == EXIT_REFUSED:
        prefix = "Refused"
    else:
        prefix = "Error"
    print(f"{prefix}: {exc.message}", file=run_err)
    return exc.exit_code


def main(argv: list[str] | None = None) -> int:
    out, err = sys.stdout, sys.stderr
    if (unreadable := _undecodable_input(argv)) is not None:
        print(f"dispensary: error: {unreadable}", file=err)
        return EXIT_USAGE
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage mistake (2)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if getattr(args, "handler", None) is None:
        parser.print_usage(err)
        print("dispensary: error: name a command; see `dispensary --help`.", file=err)
        return EXIT_USAGE
    run: Run | None = None
    umask = private_umask()  # every file this command creates (SQLite's too) is owner-only
    try:
        run = Run(args, _clock_from_env(), out, err)
        handler: Handler = args.handler
        signing_run = run  # a wrong signature password counts against its signer
        return signing.run_counted(signing_run.signer, lambda: handler(signing_run))
    except UsageError as exc:
        print(f"dispensary {args.command}: error: {exc}", file=err)
        return EXIT_USAGE
    except DispensaryError as exc:
        if isinstance(exc, SignatureFailed) and exc.uncounted:  # a busy or full database
            print(f"The failed signature was not counted: {exc.uncounted}", file=err)
        return _report(err, exc)
    except BrokenPipeError:  # the reader stopped early (`| head`): the work itself is done
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, out.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("Interrupted; nothing more was saved.", file=err)
        return 130
    except OSError as exc:  # a file the command reads or writes: full disk, read-only, too long
        what = exc.filename or "a file"
        print(f"Refused: {write_error_text(exc, what, written=False)}", file=err)
        return EXIT_REFUSED
    except Exception as exc:
        fault = escaped_fault(exc, run.db if run is not None else "the database")
        if fault is not None:  # a database fault outside a transaction: named all the same
            return _report(err, fault)
        if os.environ.get(ENV_DEBUG) == "1":
            traceback.print_exc(file=err)
        else:
            print(
                f"Unexpected error ({type(exc).__name__}: {str(exc)[:300]}). "
                f"Run again with {ENV_DEBUG}=1 for details.",
                file=err,
            )
        return EXIT_UNEXPECTED
    finally:
        if run is not None:
            run.close()
        os.umask(umask)


if __name__ == "__main__":
    raise SystemExit(main())
