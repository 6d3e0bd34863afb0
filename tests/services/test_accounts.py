"""Accounts that hold (issue 9): a password set by an administrator must be changed before any
work, an account locked elsewhere stops its open session, a password policy, a way back for a
locked-out administrator, a chain head out of step that blocks writes but not verify or
sign-in, audit time that never goes backwards, and a training mark inside the chain."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from dispensary.db.engine import READ_SNAPSHOT, is_sqlite, make_engine, sqlite_path
from dispensary.domain.errors import (
    ChainOutOfStep,
    InvalidInput,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    SignatureFailed,
)
from dispensary.domain.passwords import password_problem
from dispensary.services import audit, quarantine, setup, users
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock
from .helpers import dispense, scalar, sql

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


# -- a password an administrator set ------------------------------------------------------------


def test_a_password_set_by_an_administrator_must_be_changed_before_anything_else(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The administrator who reset Paula's password knows it: signed in with it, they can
    neither work nor sign as her; only Paula's own new password frees the account."""
    users.reset_password(ctx, admin, "pharm", "set-by-admin-1", "forgotten")
    as_her = users.sign_in(ctx, "pharm", "set-by-admin-1")
    assert as_her.must_change_password
    with refused(ctx, NotPermitted, "choose your own password"):
        quarantine.quarantine(ctx, as_her, [stock.late[0]], "seal broken")
    with refused(ctx, NotPermitted, "choose your own password"):
        dispense(ctx, as_her, "set-by-admin-1", enrolled)
    with refused(ctx, InvalidInput, "one of your last 5 passwords"):
        users.change_password(ctx, as_her, "set-by-admin-1", "set-by-admin-1")
    freed = users.change_password(ctx, as_her, "set-by-admin-1", "paula-own-pass-7")
    assert not freed.must_change_password
    quarantine.quarantine(ctx, freed, [stock.late[0]], "seal broken")
    assert not users.sign_in(ctx, "pharm", "paula-own-pass-7").must_change_password
    [reset] = audit.list_entries(ctx, admin, action="password_reset")
    assert '"must_change_password":"yes"' in reset.new


def test_a_change_made_with_a_temporary_password_is_in_the_trail_and_told_at_the_next_sign_in(
    ctx: Context, admin: Actor
) -> None:
    """The administrator who reset Paula's password knows it: they could sign in with it and
    choose the new one themselves. The trail records that change as made with the temporary
    password they set (who, when), and Paula's next sign-in is told so, once."""
    users.reset_password(ctx, admin, "pharm", "set-by-admin-1", "forgotten")
    as_her = users.sign_in(ctx, "pharm", "set-by-admin-1")
    users.change_password(ctx, as_her, "set-by-admin-1", "chosen-new-pass-7")
    assert users.password_last_set(ctx, as_her) is None  # the session that made the change
    [changed] = audit.list_entries(ctx, admin, action="password_changed")
    made = json.loads(changed.new)
    assert made["with_temporary_password"] == "yes" and made["temporary_set_by"] == "admin"
    assert made["temporary_set_as"] == "password_reset"
    [reset] = audit.list_entries(ctx, admin, action="password_reset")
    assert made["temporary_set_at"] == reset.at.isoformat()
    paula = users.sign_in(ctx, "pharm", "chosen-new-pass-7")
    said = users.password_last_set(ctx, paula)
    assert said is not None, "the next sign-in is told"
    when = changed.at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    assert f"last set on {when} by a change made under your account" in said, said
    assert "temporary password that admin set on" in said and "(Password reset)" in said
    again = users.sign_in(ctx, "pharm", "chosen-new-pass-7")
    assert users.password_last_set(ctx, again) is None  # told once
    freed = users.change_password(ctx, again, "chosen-new-pass-7", "her-own-pass-8")
    [_, own] = audit.list_entries(ctx, admin, action="password_changed")
    assert not own.new or "with_temporary_password" not in own.new
    assert users.password_last_set(ctx, users.sign_in(ctx, "pharm", "her-own-pass-8")) is None
    assert freed


def test_a_recent_password_is_not_chosen_again(
    ctx: Context, technician: Actor, pw: Password, refused: Refused
) -> None:
    first = current = pw(technician)
    for new in ("second-pass-22", "third-pass-33"):
        technician = users.change_password(ctx, technician, current, new)
        current = new
    with refused(ctx, InvalidInput, "one of your last 5 passwords"):
        users.change_password(ctx, technician, current, first)
    with refused(ctx, InvalidInput, "one of your last 5 passwords"):
        users.change_password(ctx, technician, current, "second-pass-22")


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("aaaaaaaa", "repetition or a run"),
        ("12345678", "repetition or a run"),
        ("87654321", "repetition or a run"),
        ("abababab", "repetition or a run"),
        ("qwertyui", "repetition or a run"),
        ("password1", "list of common passwords"),
        ("Password1!", "list of common passwords"),
        ("woaini1314", "list of common passwords"),
        ("nora", "at least 8 characters"),
        ("noranora", "repetition or a run"),
        ("nora.night", None),
        ("nora2026!", "not be your user name"),
        ("night-shift-1", None),
    ],
)
def test_the_password_policy(password: str, words: str | None) -> None:
    problem = password_problem(password, "nora2026", users.common_passwords())
    if words is None:
        assert problem is None, problem
    else:
        assert problem is not None and words in problem, problem


@pytest.mark.parametrize(
    ("password", "username", "words"),
    [
        ("adminadmin1", "admin", "mostly your user name or your name"),
        ("AdaLovelace", "ada", "mostly your user name or your name"),
        ("Lovelace-1815!", "ada", "mostly your user name or your name"),
        ("12345678a", "nora2026", "repetition or a run"),
        ("aaaaaaa1", "nora2026", "repetition or a run"),
        ("abcabcabc!", "nora2026", "repetition or a run"),
        ("adminpass1", "admin", None),  # the name with a word of its own
        ("ada-pass-word-1", "ada", None),
        ("lovelace rides a bicycle", "ada", None),
    ],
)
def test_a_password_mostly_a_name_a_repetition_or_a_run_is_refused(
    password: str, username: str, words: str | None
) -> None:
    """Not only the whole password: mostly one of them, digits and marks added."""
    problem = password_problem(password, username, users.common_passwords(), "Ada Lovelace")
    if words is None:
        assert problem is None, problem
    else:
        assert problem is not None and words in problem, problem


def test_the_full_name_is_held_against_a_password_set_by_an_administrator(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "mostly your user name or your name"):
        users.add_user(ctx, admin, "nora", "technician", "Nora Nightingale", "NN", "Nightingale1")
    pharm = users.list_users(ctx, admin)
    full = next(u.full_name for u in pharm if u.username == "pharm")
    with refused(ctx, InvalidInput, "mostly your user name or your name"):
        users.reset_password(ctx, admin, "pharm", full.replace(" ", "") + "2026", "forgotten")


def test_a_common_password_is_refused_whoever_sets_it(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "list of common passwords"):
        users.add_user(ctx, admin, "nora", "technician", "Nora Night", "NN", "iloveyou1")
    with refused(ctx, InvalidInput, "not be your user name"):
        users.reset_password(ctx, admin, "pharm", "pharm2026", "forgotten")


# -- a session whose account was locked elsewhere ------------------------------------------------


def test_a_session_stops_at_its_next_action_once_its_account_is_locked(
    ctx: Context, stock: Stock, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    assert users.account_state(ctx, pharmacist) is None
    for _ in range(users.MAX_FAILURES):  # someone guesses at another workstation
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "pharm", "a-wrong-guess-1")
    ended = users.account_state(ctx, pharmacist)
    assert ended is not None and "has been locked" in ended
    with refused(ctx, NotSignedIn, "has been locked: this session has ended"):
        quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    users.unlock(ctx, admin, "pharm", "identity checked")
    quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")


# -- the administrator who is locked out --------------------------------------------------------


def lock_out(ctx: Context, name: str) -> None:
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, name, "a-wrong-guess-1")


def test_a_locked_out_administrator_is_recovered_by_the_owner_of_the_database(
    ctx: Context, admin: Actor, pw: Password, refused: Refused
) -> None:
    lock_out(ctx, "admin")
    with pytest.raises(NotSignedIn, match="is locked"):
        users.sign_in(ctx, "admin", pw(admin))
    with refused(ctx, RuleViolation, "not an administrator"):
        users.recover_administrator(ctx, "pharm", "locked out", "Sam Lead")
    with refused(ctx, InvalidInput, "reason"):
        users.recover_administrator(ctx, "admin", "", "Sam Lead")
    with refused(ctx, InvalidInput, "name of the person"):
        users.recover_administrator(ctx, "admin", "locked out", " ")
    row = users.recover_administrator(
        ctx, "admin", "Locked out; identity checked by the lead", "Sam Lead"
    )
    assert not row.locked and row.active
    assert users.sign_in(ctx, "admin", pw(admin)) == admin
    [entry] = audit.list_entries(ctx, admin, action="administrator_recovered")
    assert entry.username == "-" and '"computer_account"' in entry.new
    assert '"recovered_by":"Sam Lead"' in entry.new
    assert "grounds" in entry.new and entry.reason.startswith("Locked out")
    assert audit.verify(ctx, admin).ok


def test_recovery_with_a_new_password_must_be_followed_by_the_administrators_own(
    ctx: Context, admin: Actor
) -> None:
    lock_out(ctx, "admin")
    users.recover_administrator(ctx, "admin", "forgot it", "Sam Lead", "recovery-pass-9")
    back = users.sign_in(ctx, "admin", "recovery-pass-9")
    assert back.must_change_password


def test_recovery_is_refused_while_an_administrator_can_sign_in(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    """Recovery is for the day no administrator can sign in: while one can, that one unlocks
    or resets the account (signed in); an administrator not locked is not recovered; and a
    deactivated account is never reactivated by it. Nothing is written by a refusal."""
    users.add_user(ctx, admin, "zhang", "administrator", "Zhang Wei", "ZW", "night-shift-1")
    with refused(ctx, RuleViolation, "The administrator account admin is not locked"):
        users.recover_administrator(ctx, "admin", "forgot it", "Sam Lead", "taken-over-1")
    lock_out(ctx, "zhang")
    with refused(
        ctx,
        RuleViolation,
        "Ada Admin (user admin) is an active administrator who can sign in: ask them to "
        "unlock zhang",
    ):
        users.recover_administrator(ctx, "zhang", "locked out", "Sam Lead", "taken-over-1")
    users.set_active(ctx, admin, "zhang", False, "left the site")
    lock_out(ctx, "admin")
    with refused(ctx, RuleViolation, "was deactivated: recovery does not reactivate"):
        users.recover_administrator(ctx, "zhang", "locked out", "Sam Lead", "taken-over-1")
    row = users.recover_administrator(ctx, "admin", "locked out", "Sam Lead")
    assert row.active and not row.locked
    assert not next(u for u in users.list_users(ctx, admin) if u.username == "zhang").active


def test_recovery_needs_the_owner_of_the_database_file(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    path = sqlite_path(str(ctx.engine.url))
    if path is None or os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs a SQLite file and root to give it to another account")
    lock_out(ctx, "admin")
    os.chown(path, 12345, -1)
    try:
        with refused(ctx, NotPermitted, "Only the owner of"):
            users.recover_administrator(ctx, "admin", "locked out", "Sam Lead")
    finally:
        os.chown(path, 0, -1)


# -- a chain head out of step --------------------------------------------------------------------


def test_a_chain_head_out_of_step_stops_writes_but_not_sign_in_or_verify(
    ctx: Context, stock: Stock, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    sql(ctx, "UPDATE chain_head SET audit_count = audit_count - 1")
    # Sign-in still works (read-only), so the trail can be verified and a backup restored.
    assert users.sign_in(ctx, "admin", pw(admin)) == admin
    with pytest.raises(ChainOutOfStep, match="chain head does not match its last entries"):
        quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    result = audit.verify(ctx, admin)
    assert not result.ok and "chain head" in result.message
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", "a-wrong-guess-1")
    assert info.value.message == users.SIGN_IN_FAILED


# -- time goes forwards --------------------------------------------------------------------------


def test_a_clock_set_back_cannot_back_date_a_record(
    ctx: Context, clock: FixedClock, stock: Stock, admin: Actor, pharmacist: Actor, refused: Refused
) -> None:
    start = clock.current
    clock.current = start - timedelta(days=400)
    with refused(ctx, RuleViolation, "is behind the last entry of the audit trail"):
        quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    # Days behind: perhaps a training date's entries; hours behind: the clock only.
    with refused(ctx, RuleViolation, "written with a training date (DISPENSARY_TODAY)"):
        quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    clock.current = start - timedelta(hours=3)
    with pytest.raises(RuleViolation) as info:
        quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    assert "DISPENSARY_TODAY" not in info.value.message
    # Workstations a minute apart: dated as the last entry, so the trail never goes back.
    clock.current = start - timedelta(minutes=1)
    quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    last = audit.list_entries(ctx, admin)[-1]
    assert last.action == "quarantine" and last.at == start
    assert audit.verify(ctx, admin).ok


def test_verify_names_an_entry_dated_before_the_one_it_follows(
    ctx: Context, stock: Stock, admin: Actor
) -> None:
    """Someone rewrote the chain from an entry on, back-dating it: the hashes agree again, but
    time goes backwards there."""
    last = int(scalar(ctx, "SELECT max(id) FROM audit_entries"))
    _rewrite_chain_from(ctx, last, timedelta(days=-30))
    result = audit.verify(ctx, admin)
    assert not result.ok and result.first_bad == last
    assert "dated before entry" in result.message


def _rewrite_chain_from(ctx: Context, entry_id: int, shift: timedelta) -> None:
    """Read through the models, written back with SQL and the append-only triggers dropped (the
    program's own guards refuse to save a changed audit entry): as a tamperer would."""
    from sqlalchemy import bindparam, text
    from sqlalchemy.orm import Session

    from dispensary.db.engine import writing
    from dispensary.db.models import AuditEntry
    from tamper import triggers_off

    with Session(ctx.engine) as session:
        entry = session.get(AuditEntry, entry_id)
        previous = session.get(AuditEntry, entry_id - 1)
        assert entry is not None and previous is not None
        session.expunge_all()
    entry.at = previous.at + shift
    entry.entry_hash = audit.digest(entry.prev_hash, audit.audit_content(entry))
    rewrite = text("UPDATE audit_entries SET at = :at, entry_hash = :h WHERE id = :i")
    rewrite = rewrite.bindparams(bindparam("at", type_=AuditEntry.__table__.c.at.type))
    with writing(ctx.engine).begin() as conn, triggers_off(conn):
        conn.execute(rewrite, {"at": entry.at, "h": entry.entry_hash, "i": entry_id})
        conn.execute(text("UPDATE chain_head SET audit_hash = :h"), {"h": entry.entry_hash})


def test_verify_names_an_entry_with_an_impossible_stored_date(
    ctx: Context, stock: Stock, admin: Actor
) -> None:
    if not is_sqlite(ctx.engine):
        pytest.skip("PostgreSQL's timestamp column cannot hold an impossible date")
    sql(ctx, "UPDATE audit_entries SET at = '2026-13-45 99:00:00' WHERE id = 3")
    result = audit.verify(ctx, admin)
    assert not result.ok and result.first_bad == 3
    assert "audit entry 3 holds a value that cannot be read" in result.message


# -- the training mark ---------------------------------------------------------------------------


def test_only_a_database_created_for_training_may_fix_today(
    ctx: Context, study: Any, tmp_path: Any, admin: Actor
) -> None:
    assert not setup.training_clock_allowed(ctx)
    # A settings row, as the old mark was, does nothing now.
    sql(ctx, "INSERT INTO settings (key, value) VALUES ('training_clock', 'allowed')")
    assert not setup.training_clock_allowed(ctx)
    if not is_sqlite(ctx.engine):
        return
    training = setup.init_database(
        str(tmp_path / "training.sqlite3"),
        study,
        "admin",
        "Ada Admin",
        "AA",
        "admin-pass-1",
        FixedClock(),
        training=True,
    )
    try:
        assert setup.training_clock_allowed(training)
        trainer = users.sign_in(training, "admin", "admin-pass-1")
        assert audit.verify(training, trainer).ok
    finally:
        training.engine.dispose()


# -- argon2 outside the write lock ---------------------------------------------------------------


def test_passwords_are_checked_before_the_write_lock_is_taken(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """argon2 takes a third of a second with the program's parameters: run under the write lock,
    it held up every other workstation (and timed some out as "database is locked")."""
    connections_held: list[int] = []
    real_verify = users._verify

    def timed_verify(stored: str, password: str) -> bool:
        connections_held.append(ctx.engine.pool.checkedout())  # type: ignore[attr-defined]
        return real_verify(stored, password)

    monkeypatch.setattr(users, "_verify", timed_verify)
    users.sign_in(ctx, "pharm", pw(pharmacist))
    dispense(ctx, pharmacist, pw(pharmacist), enrolled, checked_by="pharm2",
             checker_password="pharm2-pass-1")  # fmt: skip
    assert len(connections_held) >= 3, "sign-in, the dispenser's and the checker's signature"
    assert set(connections_held) == {0}, "no password was checked inside a transaction"


def test_a_signature_after_the_sign_in_reads_no_stored_hash_before_its_step(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The signer's stored hash, read at the sign-in or the last signature, is what the
    signature is checked against before the write lock: no read transaction of its own before
    each signed step (a third of a millisecond of a dispense's database part)."""
    users.sign_in(ctx, "pharm", pw(pharmacist))
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(ctx.engine, "before_cursor_execute", before)
    try:
        dispense(ctx, pharmacist, pw(pharmacist), enrolled)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", before)
    assert not [s for s in sent if s in ("BEGIN DEFERRED", READ_SNAPSHOT)]  # no read before
    assert not [s for s in sent if "password_hash FROM users WHERE users.username IN" in s]


def test_a_password_changed_on_another_workstation_is_checked_as_stored_at_the_step(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The hash a signature is checked against before the write lock may be one changed since
    on another workstation: the step still checks the password against the hash as stored
    when it writes. The old password is refused, nothing written; the new one signs."""
    actor = users.sign_in(ctx, "pharm", pw(pharmacist))  # this workstation knows the old hash
    other = Context(make_engine(ctx.database), ctx.study, ctx.clock, ctx.database)
    try:
        users.change_password(other, actor, pw(pharmacist), "Changed-elsewhere-26")
    finally:
        other.engine.dispose()
    before = scalar(ctx, "SELECT count(*) FROM dispenses")
    with pytest.raises(SignatureFailed):
        dispense(ctx, actor, pw(pharmacist), enrolled)
    assert scalar(ctx, "SELECT count(*) FROM dispenses") == before
    done = dispense(ctx, actor, "Changed-elsewhere-26", enrolled)
    assert scalar(ctx, "SELECT count(*) FROM dispenses") == before + 1
    assert done.pharmacist == pharmacist.full_name


def test_a_new_users_audit_entry_names_the_study_by_its_protocol(
    ctx: Context, admin: Actor
) -> None:
    """The audit screen shows the entry's details as written: a study is named by its
    protocol, as in every other entry, not by the row id only the database knows."""
    import json

    users.add_user(ctx, admin, "wendy", "pharmacist", "Wendy Wu", "WW", "night-shift-1")
    entry = next(
        e for e in audit.list_entries(ctx, admin, action="user_added") if e.entity_id == "wendy"
    )
    assert json.loads(entry.new)["study_access"] == ctx.study.protocol
