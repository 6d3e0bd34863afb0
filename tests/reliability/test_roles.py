"""Roles: every service function, called directly with every role, lets through exactly the roles
that permissions.ALLOWED grants; the others get NotPermitted and nothing is written. Plus the
account rules: argon2 hashes, minimum length, lockout and unlock, signatures that re-check the
password, and accounts deactivated while someone is still signed in.

Which action a service checks is found by calling it with a spy in place of `require` and a
context without a database, so a service added later is walked too, and one that checks no
role at all fails the test unless it is listed in EXEMPT with the reason.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

import dispensary.services as services_package
from dispensary.db.engine import is_sqlite, read_transaction
from dispensary.db.models import User
from dispensary.domain.codes import Role
from dispensary.domain.errors import (
    InvalidInput,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    SignatureFailed,
)
from dispensary.labels import STOCKS
from dispensary.services import (
    audit,
    backup,
    counts,
    destruction,
    dispensing,
    participants,
    permissions,
    pharmacy,
    quarantine,
    queries,
    receiving,
    reconciliation,
    returns,
    studies,
    temperature,
    users,
    workstation,
)
from dispensary.services import labels as label_prints
from dispensary.services.assessment.returns import NOT_BROUGHT_BACK
from dispensary.services.context import Actor, Context, FixedClock
from signed import seen_now

from .conftest import Figures

# Services that take (ctx, actor) but check no role, and why that is right.
EXEMPT = {
    "backup.automatic_backup": "runs for whoever signs in first each day, not as a user action",
    "users.change_password": "every user may change their own password (the old one is checked)",
    "users.record_session_event": "everyone signed in records their own sign-out, lock, unlock",
    "users.account_state": "asks only whether the caller's own account was locked meanwhile",
    "users.set_language": "every user chooses the language of their own windows (only their own)",
    "users.password_last_set": "tells the signed-in user how their own password was last set",
    "users.current_actor": "re-reads the signed-in user's own account (studies given since)",
    "about.about": "anyone signed in may see which program and database they use (Help > About);"
    " its study list is the user's own (studies.list_studies)",
}
# Actions of permissions.ALLOWED checked by a service the walk cannot call as (ctx, actor).
# None now: backup.restore itself replaces the file of a database no context may hold open
# (test_restore_safety.test_only_an_administrator_restores checks its roles), but its action
# is walked through backup.restore_command, the Backups screen's command line, which asks it.
NOT_WALKED: set[str] = set()
P75 = "herombopag-7.5mg"
ROLE_USER = {
    Role.PHARMACIST: "pharm",
    Role.TECHNICIAN: "tech",
    Role.MONITOR: "monitor",
    Role.ADMINISTRATOR: "admin",
}
Snapshot = dict[str, tuple[int, str]]


class Asked(Exception):
    """Raised by the spy in place of `require`: the service asked for this action first."""

    def __init__(self, action: str) -> None:
        super().__init__(action)
        self.action = action


def _service_functions() -> dict[str, Callable[..., Any]]:
    found: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"dispensary.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            if list(inspect.signature(fn).parameters)[:2] == ["ctx", "actor"]:
                found[f"{info.name}.{name}"] = fn
    return found


def _dummy_args(fn: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    """A value for each parameter after (ctx, actor) that has no default: positional, or by
    name for a keyword-only one (`correct_enrolment(..., *, reason, password)`)."""
    params = list(inspect.signature(fn).parameters.values())[2:]
    required = [p for p in params if p.default is inspect.Parameter.empty]
    named = {p.name: "1" for p in required if p.kind is inspect.Parameter.KEYWORD_ONLY}
    return ["1" for p in required if p.name not in named], named


def _action_asked(fn: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The action the function checks first, found without a database: None if none."""

    def spy(
        actor: Actor, action: str, ctx: Context | None = None, *, recorded: bool = False
    ) -> None:
        raise Asked(action)  # `recorded`: a write judged again by its Recorder

    real = permissions.require
    for info in pkgutil.iter_modules(services_package.__path__):
        module = importlib.import_module(f"dispensary.services.{info.name}")
        if getattr(module, "require", None) is real:
            monkeypatch.setattr(module, "require", spy)
    no_database = Context(engine=None, study=None, clock=FixedClock())  # type: ignore[arg-type]
    anyone = Actor(0, "anyone", "Any One", "AO", Role.PHARMACIST)
    try:
        args, named = _dummy_args(fn)
        fn(no_database, anyone, *args, **named)
    except Asked as asked:
        return asked.action
    except Exception:
        return None
    finally:
        monkeypatch.undo()
    return None


FUNCTIONS = _service_functions()


def test_every_service_checks_a_role(monkeypatch: pytest.MonkeyPatch, figures: Figures) -> None:
    asked = {name: _action_asked(fn, monkeypatch) for name, fn in FUNCTIONS.items()}
    unchecked = sorted(n for n, a in asked.items() if a is None and n not in EXEMPT)
    assert not unchecked, f"services that check no role: {unchecked}"
    assert all(a in permissions.ALLOWED for a in asked.values() if a is not None)
    covered = {a for a in asked.values() if a is not None} | {"verify_count", "check_dispense"}
    assert covered | NOT_WALKED == set(permissions.ALLOWED), (
        set(permissions.ALLOWED) - covered - NOT_WALKED
    )
    assert not covered & NOT_WALKED, "the walk now calls it: drop it from the list"
    figures.add("roles.service functions walked", len(FUNCTIONS))


@pytest.mark.parametrize("name", sorted(set(FUNCTIONS) - set(EXEMPT)))
def test_refused_roles_get_not_permitted_and_write_nothing(
    name: str,
    ctx: Context,
    snapshot: Callable[[Context], Snapshot],
    _template: Any,
    monkeypatch: pytest.MonkeyPatch,
    figures: Figures,
    tmp_path: Path,
) -> None:
    fn = FUNCTIONS[name]
    action = _action_asked(fn, monkeypatch)
    assert action is not None
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # a service that wrote a file by mistake would write it here
    before = snapshot(ctx)
    for role in Role:
        if role in permissions.ALLOWED[action]:
            continue
        actor = _template.actors[ROLE_USER[role]]
        args, named = _dummy_args(fn)
        with pytest.raises(NotPermitted, match="may not"):
            fn(ctx, actor, *args, **named)
        figures.add("roles.refusals checked (role x service)")
    assert snapshot(ctx) == before
    assert not list(cwd.iterdir())


@dataclass
class Desk:
    """A database with stock, participants and a dispense, to act on as each role."""

    ctx: Context
    pharmacist: Actor
    secret: str
    folder: Path
    second: Actor  # another pharmacist, when a step needs two people
    second_secret: str
    serial: int = 0

    def next(self) -> int:
        self.serial += 1
        return self.serial

    def receive(self, first: int, last: int) -> list[str]:
        listed = receiving.kits_from_range(
            self.ctx, f"R{first:04d}-R{last:04d}", P75, "L1", date(2027, 6, 30), None
        )
        return list(
            receiving.receive_shipment(self.ctx, self.pharmacist, f"SH-{first}", listed).kits
        )

    def kit(self) -> str:
        n = 100 + self.next()
        return self.receive(n, n)[0]

    def enrolled(self) -> str:
        number = f"05-{self.next():03d}"
        participants.enroll(
            self.ctx,
            self.pharmacist,
            number,
            "AB",
            1970,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(self.ctx.study),
        )
        return number

    def dispensed(self) -> tuple[str, str]:
        self.kit()
        number = self.enrolled()
        result = dispensing.dispense_cycle(
            self.ctx, self.pharmacist, number, 1, date(2026, 1, 5), self.secret
        )
        return number, result.kits[0].kit

    def returned(self) -> int:
        number, kit = self.dispensed()
        return returns.record_return(
            self.ctx, self.pharmacist, kit, 3, self.secret, study_number=number, cycle=1
        ).return_id


Work = Callable[[Desk, Actor, str], object]


def _record_return(d: Desk, a: Actor, pw: str) -> object:
    number, kit = d.dispensed()
    return returns.record_return(d.ctx, a, kit, 2, pw, study_number=number, cycle=1)


def _countersign(d: Desk, a: Actor, pw: str) -> object:
    counter, secret = (d.second, d.second_secret) if a == d.pharmacist else (d.pharmacist, d.secret)
    return counts.record_count(
        d.ctx, counter, d.kit(), 20, secret, "breakage", "one broken", a.username, pw
    )


def _destroy(d: Desk, a: Actor, pw: str) -> object:
    """Witnessed by another user, who signs."""
    by, secret = (d.second, d.second_secret) if a == d.pharmacist else (d.pharmacist, d.secret)
    return destruction.destroy(
        d.ctx,
        a,
        [d.kit()],
        by.username,
        "incineration",
        pw,
        reference="AUTH-1",
        witness_password=secret,
        reason_code="study_closed",
    )


def _check_dispense(d: Desk, a: Actor, pw: str) -> object:
    by, secret = (d.second, d.second_secret) if a == d.pharmacist else (d.pharmacist, d.secret)
    d.kit()
    day1 = date(2026, 1, 5)
    number = d.enrolled()
    return dispensing.dispense_cycle(
        d.ctx, by, number, 1, day1, secret, checked_by=a.username, checker_password=pw
    )


def _void(d: Desk, a: Actor, pw: str) -> object:
    d.kit()
    number = d.enrolled()
    made = dispensing.dispense_cycle(d.ctx, d.pharmacist, number, 1, date(2026, 1, 5), d.secret)
    return dispensing.void_dispense(d.ctx, a, made.number, "wrong participant", pw)


def _explain_flag(d: Desk, a: Actor, pw: str) -> object:
    """A kit not brought back: a flag to explain."""
    number, kit = d.dispensed()
    back = returns.record_return(
        d.ctx, d.pharmacist, kit, 0, d.secret, study_number=number, cycle=1,
        outcome=NOT_BROUGHT_BACK,
    )  # fmt: skip
    return returns.explain_flag(d.ctx, a, back.dispense_number, "the bottle was lost")


def _backup(d: Desk, a: Actor, pw: str) -> object:
    try:
        return backup.backup(d.ctx, a, d.folder / f"backup-{d.next()}.sqlite3")
    except InvalidInput:
        assert not is_sqlite(d.ctx.engine), "only a server database is backed up by its tools"
        return None


def _restore_command(d: Desk, a: Actor, pw: str) -> object:
    """The restore's command line for a backup made by the pharmacist (the restore itself is
    walked by test_restore_safety: it needs every context on the database closed)."""
    if not is_sqlite(d.ctx.engine):  # a server's: refused by role first, then sent to its tools
        try:
            return backup.restore_command(d.ctx, a, "backup.dump", "damaged by a power cut")
        except RuleViolation:
            return None
    made = backup.backup(d.ctx, d.pharmacist, d.folder / f"to-restore-{d.next()}.sqlite3")
    return backup.restore_command(d.ctx, a, made.path, "damaged by a power cut")


LOGGER_CSV = "timestamp,celsius\n2026-01-04T08:00:00,5.0\n2026-01-04T09:00:00,6.0\n"

WORK: dict[str, Work] = {
    "receive": lambda d, a, pw: receiving.receive_shipment(
        d.ctx,
        a,
        f"SH-X{d.next()}",
        receiving.kits_from_range(d.ctx, f"X{d.next():04d}", P75, "L1", date(2027, 6, 30), None),
    ),
    "quarantine": lambda d, a, pw: quarantine.quarantine(d.ctx, a, [d.kit()], "dented box"),
    "release": lambda d, a, pw: quarantine.release(
        d.ctx,
        a,
        quarantine.quarantine(d.ctx, d.pharmacist, [d.kit()], "dented box").kits,
        "sponsor says release",
        "TE-2026-014",
        password=pw,
    ),
    "enroll": lambda d, a, pw: participants.enroll(
        d.ctx,
        a,
        f"06-{d.next():03d}",
        "CD",
        1960,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(d.ctx.study),
    ),
    "correct_enrolment": lambda d, a, pw: participants.correct_enrolment(
        d.ctx, a, d.enrolled(), initials="XY", reason="initials typed wrongly", password=pw
    ),
    "participant_status": lambda d, a, pw: participants.set_status(
        d.ctx, a, d.enrolled(), "discontinued", "withdrew consent", password=pw
    ),
    "dispense": lambda d, a, pw: (
        d.kit(),
        dispensing.dispense_cycle(d.ctx, a, d.enrolled(), 1, date(2026, 1, 5), pw),
    ),
    "void_dispense": _void,
    "return": _record_return,
    "explain_flag": _explain_flag,
    "correct_return": lambda d, a, pw: returns.correct_return(
        d.ctx, a, d.returned(), 4, "recounted", pw
    ),
    "destroy": _destroy,
    "count": lambda d, a, pw: counts.record_count(d.ctx, a, d.kit(), 21, pw),
    "verify_count": _countersign,
    "check_dispense": _check_dispense,
    # Each role's own export (a reading more, at a minute of its own): the same readings
    # imported again are refused whoever imports them.
    "temperature": lambda d, a, pw: temperature.import_logger(
        d.ctx, a, "IP store 1", LOGGER_CSV + f"2026-01-04T10:{d.next() % 60:02d}:00,6.0\n"
    ),
    "print_label": lambda d, a, pw: label_prints.record_label_print(
        d.ctx, a, "kit", [d.kit()], False
    ),
    "view": lambda d, a, pw: queries.inventory(d.ctx, a),
    "reconcile": lambda d, a, pw: reconciliation.reconcile(d.ctx, a),
    "sign_off": lambda d, a, pw: reconciliation.sign_off(
        d.ctx, a, pw, "all balanced", seen=seen_now(d.ctx)
    ),
    "audit": lambda d, a, pw: audit.verify(d.ctx, a),
    "users": lambda d, a, pw: users.add_user(
        d.ctx, a, f"new{d.next()}", "technician", "New Person", "NP", "new-pass-123"
    ),
    "backup": _backup,
    "backups": lambda d, a, pw: backup.kept_backups(d.ctx, a),
    "restore": _restore_command,
    "pharmacy": lambda d, a, pw: pharmacy.set_particulars(
        d.ctx, a, f"Trial Pharmacy {d.next()}", "1 Road", "+86 1", "renamed"
    ),
    "idle_lock": lambda d, a, pw: pharmacy.set_idle_lock(
        d.ctx, a, 1 + d.next() % 29, "another idle lock time"
    ),
    "workstation": lambda d, a, pw: workstation.bind_printers(
        d.ctx,
        a,
        "counter-pc",
        {},
        {"a4-sheet": f"Laser {d.next()}"},
        STOCKS,
        "new printer",
        lambda _bindings: None,
    ),
    "study": lambda d, a, pw: studies.update_study(
        d.ctx,
        a,
        d.ctx.study.source_text.replace("Site 01", f"Site 01-{d.next()}"),
        "v2.toml",
        "site renamed",
    ),
}


def test_the_walk_covers_every_action() -> None:
    assert set(WORK) | NOT_WALKED == set(permissions.ALLOWED)


def test_who_reads_the_audit_trail_reads_the_backups_and_only_an_administrator_restores() -> None:
    """The list of backups and their state (a copy whose audit trail did not verify among them)
    is evidence an inspector reads: every role that reads the audit trail reads it. Restoring
    one (and its command line) stays the administrator's."""
    allowed = permissions.ALLOWED
    assert allowed[permissions.Permission.BACKUPS] == allowed[permissions.Permission.AUDIT]
    assert allowed[permissions.Permission.RESTORE] == {Role.ADMINISTRATOR}


@pytest.mark.parametrize("action", sorted(WORK))
def test_each_role_may_do_exactly_what_it_is_allowed(
    action: str,
    ctx: Context,
    _template: Any,
    pw: Callable[[Actor], str],
    snapshot: Callable[[Context], Snapshot],
    tmp_path: Path,
    figures: Figures,
) -> None:
    pharmacist, second = _template.actors["pharm"], _template.actors["pharm2"]
    desk = Desk(ctx, pharmacist, pw(pharmacist), tmp_path, second, pw(second))
    desk.receive(1, 10)
    for role in Role:
        actor = _template.actors[ROLE_USER[role]]
        if role in permissions.ALLOWED[action]:
            WORK[action](desk, actor, pw(actor))
        else:
            try:
                WORK[action](desk, actor, pw(actor))
            except NotPermitted as refused:
                assert "may not" in refused.message
            else:
                pytest.fail(f"{role.value} was let {permissions.WHAT[action]}")
        figures.add("roles.role x action calls")
    assert snapshot(ctx)  # the database is still readable after the walk


def test_passwords_are_argon2_hashes_of_a_minimum_length(
    ctx: Context, admin: Actor, production_hasher: Any
) -> None:
    with read_transaction(ctx.engine) as s:
        hashes = list(s.scalars(select(User.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    # The program's own parameters: at least OWASP's argon2id minimum (19 MiB, 2 passes).
    assert production_hasher.time_cost >= 2 and production_hasher.memory_cost >= 19 * 1024
    assert production_hasher.hash("eight888").startswith("$argon2id$")
    for short in ("", "a", "seven77"):
        with pytest.raises(InvalidInput, match="at least 8"):
            users.add_user(ctx, admin, "shorty", "technician", "Short Pass", "SP", short)
    users.add_user(ctx, admin, "longer", "technician", "Long Enough", "LE", "eight888")


def test_five_failures_lock_the_account_until_an_administrator_unlocks_it(
    ctx: Context, admin: Actor, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    for attempt in range(1, 6):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "pharm", f"wrong-{attempt}-password")
    with pytest.raises(NotSignedIn, match="locked"):
        users.sign_in(ctx, "pharm", pw(pharmacist))  # even the right password now
    users.unlock(ctx, admin, "pharm", "phoned, identity checked")
    assert users.sign_in(ctx, "pharm", pw(pharmacist)) == pharmacist


def test_a_signature_rechecks_the_password(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    refused: Any,
    tmp_path: Path,
) -> None:
    """Nothing of the dispense written; only the wrong password counted against the signer
    (the `refused` fixture allows that much for a SignatureFailed, and checks it was)."""
    desk = Desk(ctx, pharmacist, pw(pharmacist), tmp_path, pharmacist, pw(pharmacist))
    desk.receive(1, 3)
    number = desk.enrolled()
    with refused(ctx, SignatureFailed, "signature password"):
        dispensing.dispense_cycle(ctx, pharmacist, number, 1, date(2026, 1, 5), "not-my-password")


def test_a_deactivated_account_can_do_nothing(
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    technician: Actor,
    pw: Callable[[Actor], str],
    snapshot: Callable[[Context], Snapshot],
) -> None:
    on_shelf = receiving.kits_from_range(ctx, "Y0001", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-Y", on_shelf)
    users.set_active(ctx, admin, "tech", False, "left the hospital")
    with pytest.raises(NotSignedIn) as info:  # told what every failed sign-in is told
        users.sign_in(ctx, "tech", pw(technician))
    assert info.value.message == users.SIGN_IN_FAILED
    listed = receiving.kits_from_range(ctx, "Z0001", P75, "L1", date(2027, 6, 30), None)
    before = snapshot(ctx)
    # Still signed in on a screen opened before the deactivation: nothing goes through.
    stale: list[Callable[[], object]] = [
        lambda: receiving.receive_shipment(ctx, technician, "SH-Z", listed),
        lambda: counts.record_count(ctx, technician, "Y0001", 21, pw(technician)),
        lambda: quarantine.quarantine(ctx, technician, ["Y0001"], "dented box"),
        lambda: users.change_password(ctx, technician, pw(technician), "another-pass-9"),
        lambda: label_prints.record_label_print(ctx, technician, "kit", ["Y0001"], False),
    ]
    for act in stale:
        with pytest.raises(NotPermitted):
            act()
    assert snapshot(ctx) == before
