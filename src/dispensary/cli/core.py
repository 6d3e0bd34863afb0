"""What every command module shares, and nothing heavy: exit codes and environment variables,
passwords from the environment or the terminal, the argument types, the parser helpers and the
terminal's text. A command's `--help` loads this module and its own, not the services: those
load when a command runs (see cli.program).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, is_dataclass, replace
from datetime import UTC, date, datetime
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from dispensary import config
from dispensary.domain.codes import DestructionReason, KitStatus, ParticipantStatus, Role
from dispensary.domain.errors import DispensaryError, InvalidInput, NotSignedIn
from dispensary.domain.lifecycle import status_word
from dispensary.domain.rules import (
    MAX_DAYS_AHEAD,
    half_width,
    parse_cycle,
    parse_date,
    parse_decimal,
    parse_expiry,
    parse_whole,
    undecodable,
)
from dispensary.files import path_refusal, write_error_text
from dispensary.i18n import N_, Language, _, language_named, listed
from dispensary.pdffonts import is_wide, split_cjk

if TYPE_CHECKING:  # the run loads the services: only a command that runs needs it
    from dispensary.cli.run import Run
    from dispensary.services.context import Actor
    from dispensary.services.receiving import Manifest
    from dispensary.services.results import DispenseHistoryRow, ProductFigures
    from dispensary.study import Study

EXIT_OK, EXIT_UNEXPECTED, EXIT_USAGE, EXIT_REFUSED, EXIT_NOT_SIGNED_IN = 0, 1, 2, 3, 4
EXIT_DATABASE = 5
"""The database cannot be used: missing, damaged, busy, read-only, unreachable, changed outside
the program (a script retries or calls someone; a rule's refusal, 3, asks for other input)."""
EXIT_NOT_VERIFIED = 6
"""`audit verify` ran and the records do not verify (or the anchor does not match)."""
ENV_USER = "DISPENSARY_USER"
ENV_PASSWORD = "DISPENSARY_PASSWORD"
ENV_NEW_PASSWORD = "DISPENSARY_NEW_PASSWORD"
ENV_VERIFIER_PASSWORD = "DISPENSARY_VERIFIER_PASSWORD"
ENV_CHECKER_PASSWORD = "DISPENSARY_CHECKER_PASSWORD"
ENV_WITNESS_PASSWORD = "DISPENSARY_WITNESS_PASSWORD"
ENV_TODAY = "DISPENSARY_TODAY"
ENV_DEBUG = "DISPENSARY_DEBUG"
ENV_STUDY = "DISPENSARY_STUDY"
OWN_STUDY_OPTION = frozenset({"init"})
"""Commands whose own --study is a study file (`init --study FILE`), not the global one."""
TRAINING_ONLY = N_(
    "{env} fixes today's date on a training database only (the demo, or one created "
    "with `init --training`), not on {what}: the audit trail must carry the real dates. "
    "Unset {env}; nothing was changed."
)
"""Said with `_(TRAINING_ONLY).format(env=ENV_TODAY, what=...)`."""


class UsageError(Exception):
    """A command line that cannot be carried out as written (exit 2), e.g. a missing password."""


def hinted(exc: DispensaryError, *hints: str) -> DispensaryError:
    """The refusal with lines of the command's own after the service's message: the option or
    variable that gives what the message asks for. The message is shared with the windows and
    names no option; the refusal itself (its kind, exit code, what it carries) is unchanged."""
    exc.message = "\n".join([exc.message, *hints])
    return exc


def override_hints(needs: Sequence[str]) -> list[str]:
    """How to give, on the command line, what a dispense refused for want of an override needs
    (services.assessment.OverrideNeeds: the reason, who ordered it)."""
    options = {
        "ordered_by": _(
            'To dispense as the investigator ordered, give their name: --dose-ordered-by "NAME".'
        ),
        "reason": _(
            'To dispense anyway, give the reason with --override-reason "TEXT" (the same '
            "command again)."
        ),
    }
    return [options[need] for need in options if need in needs]


# -- passwords ----------------------------------------------------------------------------------


def _typed_secret(prompt: str) -> str:
    """A password typed without echo; bytes the terminal did not send as UTF-8 are a usage
    mistake, not a crash (they could never match a stored password anyway)."""
    try:
        value = getpass.getpass(prompt)
    except UnicodeDecodeError as exc:
        raise UsageError(_(NOT_UTF8).format(what=_("The password typed"))) from exc
    if undecodable(value):
        raise UsageError(_(NOT_UTF8).format(what=_("The password typed")))
    return value


def _env_secret(env: str) -> str:
    value = os.environ.get(env, "")
    if undecodable(value):
        raise UsageError(_(NOT_UTF8).format(what=env))
    return value


NOT_UTF8 = N_(
    "{what} holds bytes that are not UTF-8 text. Nothing was done: give it again as text (check "
    "the character encoding of the terminal or script)."
)


def secret(env: str, who: str) -> str:
    """A password that signs in or signs: from the environment, or typed in a terminal."""
    value = _env_secret(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise NotSignedIn(
            _(
                "No password for {who}: set {env}, or run the command in a terminal to type it."
            ).format(who=who, env=env)
        )
    return _typed_secret(_("Password for {who}: ").format(who=who))


def signing_secret(env: str, who: str, signed_in_with: str) -> str:
    """The password of a signature made under figures the command has just shown: from the
    environment (a script, which read nothing), else typed again in the terminal now, after the
    figures, not the one typed to sign in before they were shown (`signed_in_with`)."""
    if _env_secret(env):
        return signed_in_with
    return _typed_secret(_("Sign the figures above: password for {who}: ").format(who=who))


EXPECTED_BOOK_HELP = N_(
    "the book printed when the kit's open count was recorded, which the adjustment is signed "
    "against: refused when the book changed since (needed to adjust an open count)"
)
ADJUSTING_COUNT_HELP = N_(
    "the number of the open count adjusted, printed when it was recorded: refused when the "
    "kit was counted again since (needed to adjust an open count)"
)


def second_person_secret(env: str, name: str | None, why: str) -> str:
    """The password of the second person named (count verifier, dispense checker, destruction
    witness); none named, no password asked. One missing is the command's mistake, not the
    user's sign-in ("Not signed in: No password for tech (second check)" though signed in)."""
    if not name:
        return ""
    try:
        return secret(env, f"{name} ({why})")
    except NotSignedIn as exc:
        raise UsageError(exc.message) from exc


def new_secret(env: str, whose: str) -> str:
    """A password being set: from the environment, or typed twice in a terminal."""
    value = _env_secret(env)
    if value:
        return value
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(
            _("Give the new password for {whose} in {env}, or run in a terminal.").format(
                whose=whose, env=env
            )
        )
    first = _typed_secret(_("New password for {whose}: ").format(whose=whose))
    if _typed_secret(_("Type it again: ")) != first:
        raise UsageError(_("The two passwords differ; nothing was changed."))
    return first


# -- formatting ----------------------------------------------------------------------------------


def json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot show {type(value).__name__} as JSON")


def person_keys(
    role: str, username: str | None = None, name: str | None = None, initials: str | None = None
) -> dict[str, str | None]:
    """A person of a record as every `--json` output names one (docs/CLI.md, "People in the
    JSON output"): `<role>_username`, `<role>_name` (the full name) and, where the record
    holds them, `<role>_initials`; a form the data does not hold is left out, one it holds but
    is empty (an account no longer on file) is null. `actor` is the account that made the
    record; any other role is the record's own (`witness`, `confirmed_by`, ...)."""
    forms = {"username": username, "name": name, "initials": initials}
    return {f"{role}_{form}": value or None for form, value in forms.items() if value is not None}


def actor_keys(actor: Actor) -> dict[str, str | None]:
    """The account that made a record and signed it, as every `--json` output of a step
    names it (person_keys): `actor_username`, `actor_name`, `actor_initials`."""
    return person_keys("actor", actor.username, actor.full_name, actor.initials)


def product_data(figures: ProductFigures) -> dict[str, Any]:
    """One product of a return's dispense in its own units (`return --json`, `check return
    --json`); null where not known yet (taken, expected and adherence once every kit is back)."""
    return {
        "product": figures.product,
        "kits": list(figures.kits),
        "dispensed": figures.dispensed,
        "returned": figures.returned,
        "taken": figures.taken,
        "expected": figures.expected,
        "adherence": figures.adherence,
        "flags": [f.value for f in figures.flags],
        "not_brought_back": figures.unaccounted,
    }


SUMMED_HISTORY_KEYS = ("tablets", "returned", "taken", "expected", "adherence", "unaccounted")
"""A history row's figures of the whole dispense: for a dispense of several products, a
capsule's and a tablet's counts summed, and their ratio, which are neither product's."""


def history_data(row: DispenseHistoryRow) -> dict[str, Any]:
    """A dispense of the history as JSON (`history`, `trace`): each product's own figures
    (`products`); a dispense of several products leaves out the summed figures
    (SUMMED_HISTORY_KEYS), one of one product keeps them (its product's)."""
    data = asdict(row)
    # Who dispensed and who checked as every --json output names a person (null checker: none
    # checked); left out where the rows were read without them (the lot trace).
    read_people = bool(row.dispensed_by_username)
    for role in ("dispensed_by", "checked_by"):
        for key in (role, f"{role}_username", f"{role}_initials"):
            del data[key]
    if read_people:
        data |= person_keys(
            "dispensed_by", row.dispensed_by_username, row.dispensed_by, row.dispensed_by_initials
        )
        data |= person_keys(
            "checked_by", row.checked_by_username, row.checked_by, row.checked_by_initials
        )
    if row.voided is not None:  # who voided it as every --json output names a person; the
        # void's "username" and "full_name" are kept for one release
        data["voided"] |= person_keys("actor", row.voided.username, row.voided.full_name)
    if len(row.products) > 1:
        for key in SUMMED_HISTORY_KEYS:
            del data[key]
    return data


def cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, KitStatus):
        return status_word(value)  # in the reader's language, as the screens show it
    if isinstance(value, ParticipantStatus):
        return status_label(value)
    if isinstance(value, Role):
        return _(value.label)
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], right: Sequence[int] = ()
) -> list[str]:
    """Columns aligned for a terminal; numbers (the `right` columns) aligned to the right."""
    cells = [list(headers), *[[cell(c) for c in row] for row in rows]]
    widths = [max(display_width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        parts = []
        for i, (c, w) in enumerate(zip(row, widths, strict=True)):
            pad = " " * (w - display_width(c))
            parts.append(pad + c if i in right else c + pad)
        return "  ".join(parts).rstrip()

    return [line(cells[0]), line(["-" * w for w in widths]), *[line(r) for r in cells[1:]]]


def display_width(text: str) -> int:
    """The columns `text` takes in a terminal: a Chinese character (East Asian Wide or
    Fullwidth) takes two, so a table padded by `len` would shift every column after a Chinese
    cell; combining marks take none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def clipped(text: str, most: int) -> str:
    """`text` in at most `most` characters: a text cut ends with "…", so that it does not read
    as complete (the JSON keeps it whole)."""
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


def keyed(keys: Sequence[str], rows: Sequence[Sequence[object]]) -> list[dict[str, object]]:
    """The rows of a terminal table as JSON objects: the same values under `keys`."""
    return [dict(zip(keys, row, strict=True)) for row in rows]


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def kits_text(kits: Sequence[str]) -> str:
    """Kit numbers in a sentence, with the reader's list separator ("K1061, K5010"; in Chinese
    "K1061、K5010", not "K1061, K5010 的药盒标签")."""
    if len(kits) <= 6:
        return listed(kits)
    return _("{first} ... {last} ({count} kits)").format(
        first=kits[0], last=kits[-1], count=len(kits)
    )


def units_counted(study: Study, counts: Iterable[tuple[str, int]]) -> str:
    """Units of the study's products in their own words (Study.units_each): "56 capsules",
    "28 capsules + 30 tablets", "0" for none; never capsules as tablets. The one helper of
    every command that says counts of several products (dispense, destroy and their checks)."""
    return study.units_each(counts)


def plural(n: int, word: str) -> str:
    """ "1 tablet", "3 tablets": the word (a literal `plural`'s callers pass) is translated as
    itself; its translations are in zh_CN-cli.po beside the CLI's other messages."""
    if n == 1:
        return _("{n} {word}").format(n=n, word=_(word))
    return _("{n} {word}s").format(n=n, word=_(word))


def status_label(status: ParticipantStatus) -> str:
    """The status inside a sentence or a table cell, in the reader's language."""
    return _(status.word)


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


def calendar_date(text: str) -> date:
    """YYYY-MM-DD within the plausible window, so that `--to` + 1 day stays in the calendar."""
    return _argument(partial(parse_date, what="date"), text)


def expiry_date(text: str) -> date:
    """An expiry as the kit label gives it: YYYY-MM-DD, or YYYY-MM for the month's last day
    (rules.parse_expiry, as the receiving screen and a manifest read it)."""
    return _argument(parse_expiry, text)


def whole(text: str) -> int:
    """Digits 0-9 only, within what the database's INTEGER holds (on PostgreSQL too)."""
    return _argument(partial(parse_whole, what="number"), text)


def cycle_number(text: str) -> int:
    """--cycle: 1 or more (cycles start at 1); any other value is a usage mistake (exit 2),
    said with the words the counter uses for a cycle number that is none."""
    return _argument(parse_cycle, text)


def record_id(text: str) -> int:
    """The number of a record (a return): 1 or more, and within the database's INTEGER."""
    return _argument(partial(parse_whole, what=_("record number"), minimum=1), text)


def days(text: str) -> int:
    """A number of days counted ahead of today: 0 to a century, so that today + N stays in the
    calendar."""
    return _argument(
        partial(parse_whole, what=_("number of days"), minimum=0, maximum=MAX_DAYS_AHEAD), text
    )


AUDIT_LIST_MOST = 100_000


def audit_limit(text: str) -> int:
    """How many entries `audit list --limit` shows: 0 or less would show them all, and a huge
    number cannot be given to the database."""
    return _argument(
        partial(parse_whole, what=_("number of entries"), minimum=1, maximum=AUDIT_LIST_MOST), text
    )


def observation(text: str) -> tuple[str, float]:
    """KEY=VALUE, a value the study file asks at dispense (`--observation weight=61.5`)."""
    key, sign, value = text.partition("=")
    if not sign or not key.strip():
        raise argparse.ArgumentTypeError(
            _("{text} is not KEY=VALUE (e.g. weight=61.5).").format(text=f"{text!r:.40}")
        )
    return key.strip(), number(value.strip())


def observation_options(p: argparse.ArgumentParser) -> None:
    """The study file's observations and the IRT's assignment (dispense, check dispense). The
    help is written before any study is read: --platelets says which studies it is for (a
    study without a platelet rule refuses it: services.dispensing)."""
    p.add_argument(
        "--platelets",
        type=number,
        metavar="X",
        help=N_(
            "platelet count, ×10⁹/L: only for a study whose study file asks a platelet count "
            "(a platelet rule); refused for any other study"
        ),
    )
    p.add_argument(
        "--observation",
        action="append",
        type=observation,
        metavar="KEY=VALUE",
        help=N_("a value the study file asks at dispense, e.g. weight=61.5 (repeat for each)"),
    )
    p.add_argument("--irt-confirmation", metavar="NUMBER", help=N_("the IRT's confirmation number"))
    p.add_argument("--irt-kit", metavar="KIT", help=N_("the kit number the IRT assigned"))


def number(text: str) -> float:
    """A decimal number written with 0-9 and a point: no nan, inf or exponent, which would slip
    past a range check (nan compares false with every limit)."""
    return _argument(partial(parse_decimal, what="number"), text)


# Every option or argument that names a file or folder (--db, --study, --out, --manifest,
# --anchor-log, the file of `restore`, `study update`, `temperature`) takes one of these two
# types, so that a name no file system takes (a NUL byte: Python's file calls raise ValueError
# on it, not OSError) is a usage mistake before anything is opened or written, whatever the
# command. The value is kept as typed: each command resolves it as before.


def path_option(text: str) -> str:
    """A file or folder name."""
    if (refusal := path_refusal(text)) is not None:
        raise argparse.ArgumentTypeError(refusal)
    return text


def _not_empty(text: str, refusal: str) -> str:
    """A global option given empty (`--db ""`, `--user "$UNSET"`) is a usage mistake, never
    read as left out: the environment's database or user would silently take its place."""
    if not text.strip():
        raise argparse.ArgumentTypeError(refusal)
    return text


def database_option(text: str) -> str:
    """--db: a database file, or a database URL (which may hold `?`, `&`...)."""
    _not_empty(
        text,
        _(
            "the option is empty: give the database file or URL. To use {env} (or the "
            "default database), leave --db out."
        ).format(env=config.ENV_DB),
    )
    if (refusal := path_refusal(text, url=True)) is not None:
        raise argparse.ArgumentTypeError(refusal)
    return text


def user_option(text: str) -> str:
    """--user: the name to sign in as."""
    return _not_empty(
        text,
        _(
            "the option is empty: give the user name to sign in as. To sign in as the user "
            "{env} names, leave --user out."
        ).format(env=ENV_USER),
    )


def study_option(text: str) -> str:
    """--study: the protocol number of the study to work in."""
    return _not_empty(
        text,
        _(
            "the option is empty: give the study's protocol number. To work in the study "
            "{env} names, leave --study out."
        ).format(env=ENV_STUDY),
    )


def study_file_option(text: str) -> str:
    """`init --study`: the study file the new database is made for."""
    _not_empty(
        text,
        _(
            "the option is empty: give the study file. To use the study file that comes with "
            "the program, leave --study out."
        ),
    )
    return path_option(text)


def comma_pieces(texts: Sequence[str]) -> list[str]:
    """Kits (or kit ranges) given as `K1,K2`, as several arguments, or both; the comma typed
    full-width too (K1，K2, a Chinese keyboard's), as each kit number is read (half_width)."""
    return [piece for text in texts for piece in half_width(text).split(",") if piece.strip()]


def read_text(path: str, what: str) -> str:
    """A file the command reads, as UTF-8 text; why not, in the reader's words (the system's
    English error inside a Chinese sentence said neither what was wrong nor what to do)."""
    try:
        return Path(path).expanduser().read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            _(
                "The {what} {path} is not UTF-8 text (saved as UTF-16, or in another encoding?): "
                "save it as UTF-8 (in a spreadsheet: CSV UTF-8) and give it again."
            ).format(what=what, path=path)
        ) from exc
    except OSError as exc:
        raise InvalidInput(
            _("The {what} cannot be read: {why}").format(
                what=what, why=write_error_text(exc, path, written=False)
            )
        ) from exc


def read_bytes(path: str, what: str) -> bytes:
    """A file the command reads as it is (its encoding the service's to judge: a logger's
    export may be GB18030); why not, in the reader's words."""
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as exc:
        raise InvalidInput(
            _("The {what} cannot be read: {why}").format(
                what=what, why=write_error_text(exc, path, written=False)
            )
        ) from exc


# -- a return's outcome and held period: `return` and `check return` ---------------------------


def return_outcome_options(p: argparse.ArgumentParser) -> None:
    """The options `return` and `check return` share for a kit not brought back and the period
    the investigator held the drug (both dates and who ordered it, or the older --held-days)."""
    p.add_argument(
        "--not-brought-back",
        action="store_true",
        help=N_(
            "the participant did not bring the kit back: give --tablets 0 (flagged, not taken)"
        ),
    )
    p.add_argument("--held-from", type=calendar_date, metavar="DATE", help=N_("drug held from"))
    p.add_argument("--held-until", type=calendar_date, metavar="DATE", help=N_("drug held until"))
    p.add_argument(
        "--held-ordered-by",
        default="",
        metavar="NAME",
        help=N_("investigator who ordered the hold"),
    )


def return_outcome(run: Run) -> dict[str, Any]:
    """The return service's keywords for those options. The held period's options go together,
    and one given without its partner is said by their names (the service's refusal names the
    fields of the return screen: 'held from', 'held until')."""
    from dispensary.services.assessment.returns import NOT_BROUGHT_BACK

    a = run.args
    dates = {"--held-from": a.held_from, "--held-until": a.held_until}
    given = [option for option, day in dates.items() if day is not None]
    if len(given) == 1:
        [missing] = set(dates) - set(given)
        raise UsageError(
            _(
                "{given} needs {missing} too: a held period is given by both its dates, with "
                "--held-ordered-by NAME (the investigator who ordered the hold)."
            ).format(given=given[0], missing=missing)
        )
    if given and not (a.held_ordered_by or "").strip():
        raise UsageError(
            _(
                "--held-from and --held-until need --held-ordered-by NAME too: the investigator "
                "who ordered the hold."
            )
        )
    return {
        "outcome": NOT_BROUGHT_BACK if a.not_brought_back else "",
        "held_from": a.held_from,
        "held_until": a.held_until,
        "held_ordered_by": a.held_ordered_by or "",
    }


# -- a shipment's kits: `receive` and `check receive` -------------------------------------------


def receive_options(p: argparse.ArgumentParser) -> None:
    """The options of `receive`; `check receive` takes the same, so that a script can swap one
    for the other."""
    p.add_argument(
        "--shipment",
        required=True,
        metavar="NO",
        help=N_("the shipment's number, as on its manifest"),
    )
    p.add_argument("--product", metavar="CODE", help=N_("product code from the study file"))
    p.add_argument("--lot", metavar="LOT", help=N_("lot number, as printed on the kits"))
    p.add_argument(
        "--expiry",
        type=expiry_date,
        metavar="DATE",
        help=N_("expiry: YYYY-MM-DD, or YYYY-MM for the month's last day"),
    )
    kits = p.add_mutually_exclusive_group(required=True)
    kits.add_argument("--kits", action="append", metavar="RANGE", help=N_("K0001-K0050 or K1,K2"))
    kits.add_argument(
        "--manifest",
        type=path_option,
        metavar="FILE.csv",
        help=N_("CSV: kit,lot,expiry,tablets[,product]"),
    )
    p.add_argument("--tablets-per-kit", type=whole, metavar="N")
    p.add_argument("--date", type=calendar_date, help=N_("date received (default today)"))
    p.add_argument("--condition", default="intact", metavar="TEXT")
    p.add_argument("--temperature-failed", action="store_true", help=N_("quarantine every kit"))
    p.add_argument(
        "--damaged",
        action="append",
        default=[],
        metavar="KIT[,KIT]",
        help=N_("kits of the list that arrived damaged: received into quarantine"),
    )


def shipment_kits(run: Run) -> Manifest:
    """The kits the receive options list: --kits ranges (with --product, --lot and --expiry),
    or the --manifest file (those options fill its missing columns), with the manifest's
    columns not read; the --damaged kits marked damaged (received into quarantine)."""
    from dispensary.services import receiving

    listed = _listed_kits(run)
    damaged = comma_pieces(run.args.damaged)
    if not damaged:
        return listed
    return replace(listed, kits=receiving.mark_damaged(listed.kits, damaged))


def _listed_kits(run: Run) -> Manifest:
    from dispensary.services import receiving

    a = run.args
    given = {"--product": a.product, "--lot": a.lot, "--expiry": a.expiry}
    missing = [option for option, value in given.items() if not value]
    if a.kits and missing:
        raise UsageError(
            _("With --kits, give {join} too (or use --manifest FILE.csv).").format(
                join=", ".join(missing)
            )
        )
    if a.manifest is not None and not a.manifest.strip():
        # An empty --manifest (a script's unset variable) fell through to --kits, which was not
        # given either: "Unexpected error (TypeError)".
        raise UsageError(_("--manifest names no file: give the manifest's path (FILE.csv)."))
    ctx = run.context()
    if a.manifest:
        per_kit = a.tablets_per_kit
        if per_kit is None and a.product:
            per_kit = ctx.study.product(a.product).tablets_per_kit
        try:  # UTF-8, or GB18030 (Chinese Excel's CSV), as the window reads it
            text, encoding = receiving.manifest_text(read_bytes(a.manifest, _("manifest")))
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                _(
                    "The {what} {path} is not UTF-8 text (saved as UTF-16, or in another "
                    "encoding?): save it as UTF-8 (in a spreadsheet: CSV UTF-8) and give it again."
                ).format(what=_("manifest"), path=a.manifest)
            ) from exc
        manifest = receiving.read_manifest(text, a.product, a.lot, a.expiry, per_kit)
        return replace(manifest, encoding=encoding)
    return receiving.Manifest(
        [
            kit
            for piece in comma_pieces(a.kits)
            for kit in receiving.listed_kits(
                ctx, run.actor(), piece, a.product, a.lot, a.expiry, a.tablets_per_kit
            )
        ]
    )


# -- the help, in the reader's language ---------------------------------------------------------

# The parsers hold their texts (a command's line, an option's help) in English, marked N_ where
# they are written: the tests of the reference (docs/CLI.md) read them so, and one parser prints
# either language. SpokenHelp says them in the reader's language only as a help is written, so
# that a command that runs, or a usage mistake, looks none of them up.


class _Filled(str):
    """A help text with values in it (an environment variable, a limit): the English with its
    values, and what `spoken` needs to say it in another language with the same values."""

    message: str
    values: dict[str, object]

    def __new__(cls, message: str, values: dict[str, object]) -> _Filled:
        text = super().__new__(cls, message.format(**values))
        text.message, text.values = message, values
        return text


def help_text(message: str, **values: object) -> str:
    """`message` (marked N_) filled with `values`, in English until the help is printed, e.g.
    `help_text(N_("second check ({env})"), env=ENV_CHECKER_PASSWORD)`. A value that is itself a
    help text is said in the reader's language too."""
    return _Filled(message, values)


def spoken(text: str) -> str:
    """A text of the parser (its English, or a `help_text`) in the reader's language."""
    if isinstance(text, _Filled):
        values = {k: spoken(v) if isinstance(v, _Filled) else v for k, v in text.values.items()}
        return _(text.message).format(**values)
    return _(text)


class SpokenHelp(argparse.HelpFormatter):
    """argparse's help in the reader's language: the parser's texts translated as they are
    written, the usage's and the headings' words from the catalogue (program.ARGPARSE_MESSAGES),
    and lines filled by terminal columns, where a Chinese character takes two. A Chinese line
    breaks between two characters, never before a closing mark (，。）) nor after an opening
    one; English is filled by argparse itself, as before."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._headings: list[str] = []

    def add_text(self, text: str | None) -> None:
        super().add_text(spoken(text) if text and text != argparse.SUPPRESS else text)

    def start_section(self, heading: str | None) -> None:
        self._headings.append(heading or "")
        super().start_section(heading)

    def format_help(self) -> str:
        """The help, each Chinese heading ended by a full-width colon (argparse adds ':')."""
        text = super().format_help()
        for heading in self._headings:
            if heading and is_wide(heading[-1]):
                text = text.replace(f"{heading}:\n", f"{heading}：\n")
        return text

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return spoken(action.help) if action.help else action.help

    def _format_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None,
    ) -> str:
        """The usage lines, their continuation aligned under the program's name when "usage: "
        is Chinese (用法：takes six columns for its three characters)."""
        if prefix is None:
            prefix = _("usage: ")
        stand_in = "#" * display_width(prefix)
        return super()._format_usage(usage, actions, groups, stand_in).replace(stand_in, prefix, 1)

    def _split_lines(self, text: str, width: int) -> list[str]:
        if not any(is_wide(char) for char in text):
            return super()._split_lines(text, width)
        text = " ".join(text.split())
        return [line for _room, line in split_cjk(text, [display_width(c) for c in text], width)]

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if not any(is_wide(char) for char in text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in self._split_lines(text, width - len(indent)))


class SpokenRawHelp(argparse.RawDescriptionHelpFormatter, SpokenHelp):
    """SpokenHelp for `dispensary --help`, whose description and list of variables and exit
    codes keep the lines they are written in (in each language)."""


# -- the parser ----------------------------------------------------------------------------------

Handler = Callable[["Run"], int]
"""What runs a command: its exit code, from the command line in the run."""
Fill = Callable[[argparse.ArgumentParser], None]
"""Adds a command's arguments and handler to its parser (each command module's PARSERS)."""


def language_option(value: str) -> Language:
    _not_empty(
        value,
        _(
            "the option is empty: give one of {languages}. To use the workstation's language, "
            "leave --lang out."
        ).format(languages=", ".join(lang.value for lang in Language)),
    )
    try:
        return language_named(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def global_options(parser: argparse.ArgumentParser, suppress: bool, study: bool = True) -> None:
    """--db, --study, --user, --lang and --json: before the command, or after it."""
    default: Any = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        type=database_option,
        metavar="PATH_OR_URL",
        default=default,
        help=N_("the database file or URL"),
    )
    if study:
        parser.add_argument(
            "--study",
            type=study_option,
            metavar="PROTOCOL",
            default=default,
            help=help_text(
                N_(
                    "the study to work in (else {env}); needed when the database holds several "
                    "studies"
                ),
                env=ENV_STUDY,
            ),
        )
    parser.add_argument(
        "--user", type=user_option, metavar="NAME", default=default, help=N_("sign in as this user")
    )
    parser.add_argument(
        "--lang",
        type=language_option,
        metavar="LANG",
        default=default,
        help=N_(
            "language of reports, labels and dates: en or zh_CN (default: LANG); JSON keys "
            "and CSV headers never change"
        ),
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help=N_("print JSON on stdout (an error: a JSON object on stderr, stdout empty)"),
    )


class Commands:
    """Adds subcommands that all accept the global options after the command name too."""

    def __init__(self, subparsers: Any) -> None:
        self.subparsers = subparsers
        self.common = argparse.ArgumentParser(add_help=False)
        global_options(self.common, suppress=True)
        self.common_own_study = argparse.ArgumentParser(add_help=False)
        global_options(self.common_own_study, suppress=True, study=False)

    @classmethod
    def actions(cls, group: argparse.ArgumentParser, dest: str) -> Commands:
        """The actions of a command group (`user add`, `user list`...); the group's name alone
        is a usage mistake that names the group."""
        group.set_defaults(handler=missing_subcommand)
        return cls(group.add_subparsers(dest=dest, metavar="ACTION"))

    def parser(
        self, name: str, text: str, parent: argparse.ArgumentParser | None = None
    ) -> argparse.ArgumentParser:
        """The parser of a command, without its arguments and handler yet."""
        p: argparse.ArgumentParser = self.subparsers.add_parser(
            name,
            help=text,
            description=text,
            formatter_class=SpokenHelp,
            parents=[
                parent or (self.common_own_study if name in OWN_STUDY_OPTION else self.common)
            ],
        )
        return p

    def add(
        self, name: str, handler: Handler, text: str, parent: argparse.ArgumentParser | None = None
    ) -> argparse.ArgumentParser:
        p = self.parser(name, text, parent)
        p.set_defaults(handler=handler)
        return p


def missing_subcommand(run: Run) -> int:
    raise UsageError(
        _("'{command}' needs an action; see `dispensary {command} --help`.").format(
            command=run.args.command
        )
    )


def destruction_refusal(code: str, message: str) -> str:
    """A refusal of `destroy` or `check destroy` as the command says it: the service names the
    reasons of in-date kits as the form does; the command adds the codes --reason-code takes."""
    if code == "unseen_returns":
        return _("{refusal} Give --unseen-returns-ok to acknowledge it.").format(refusal=message)
    if code != "reason_needed":
        return message
    return _("{refusal} --reason-code takes, in that order: {codes}.").format(
        refusal=message, codes=", ".join(r.value for r in DestructionReason)
    )


def destruction_options(p: argparse.ArgumentParser, required: bool) -> None:
    """The paperwork of `destroy` and `check destroy` (which lets any of it be left out, to
    see what destroy would say)."""
    need = N_("{text} (required)") if required else N_("{text} (destroy requires it)")
    p.add_argument("kits", nargs="+", metavar="KIT")
    p.add_argument(
        "--witness",
        required=required,
        default="",
        metavar="USER",
        help=help_text(
            need,
            text=help_text(
                N_("user name of the witness, another active user ({env})"),
                env=ENV_WITNESS_PASSWORD,
            ),
        ),
    )
    p.add_argument(
        "--method",
        required=required,
        default="",
        metavar="TEXT",
        help=help_text(
            need,
            text=help_text(
                N_(
                    "how the kits are destroyed, e.g. incineration on site, or return to the sponsor"
                )
            ),
        ),
    )
    p.add_argument("--date", type=calendar_date, help=N_("destruction date (default today)"))
    p.add_argument(
        "--reference",
        required=required,
        default="",
        metavar="TEXT",
        help=help_text(
            need, text=help_text(N_("the sponsor's destruction authorisation reference"))
        ),
    )
    p.add_argument(
        "--reason-code",
        choices=[r.value for r in DestructionReason],
        help=N_("why kits still in date leave (needed for them)"),
    )
    p.add_argument(
        "--to-sponsor",
        action="store_true",
        help=N_(
            "the kits go back to the sponsor instead of being destroyed here (recorded and "
            "certified as a return to the sponsor)"
        ),
    )
    p.add_argument(
        "--unseen-returns-ok",
        action="store_true",
        help=N_(
            "destroy returned tablets or capsules recorded after the monitor's last sign-off, "
            "which no monitor has seen (written into the audit trail)"
        ),
    )
