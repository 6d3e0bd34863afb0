"""Users: only an administrator manages them; sign-in with lockout; signatures need an active,
unlocked account and one's own password."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from argon2 import PasswordHasher

from dispensary.domain.codes import Role
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    NotSignedIn,
    RuleViolation,
    SignatureFailed,
)
from dispensary.services import audit, users
from dispensary.services.context import Actor, Context

from .conftest import Stock
from .helpers import dispense, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def test_add_user(ctx: Context, admin: Actor) -> None:
    row = users.add_user(ctx, admin, " Nora ", "technician", "Nora Night", "n.n.", "night-shift-1")
    assert (row.username, row.full_name, row.initials, row.role, row.active, row.locked) == (
        "nora",
        "Nora Night",
        "NN",
        Role.TECHNICIAN,
        True,
        False,
    )
    actor = users.sign_in(ctx, "NORA", "night-shift-1")
    assert (actor.username, actor.role) == ("nora", Role.TECHNICIAN)
    assert actor.must_change_password, "the administrator chose it: Nora chooses her own first"
    [entry] = audit.list_entries(ctx, admin, action="user_added", text="Nora")
    assert entry.username == "admin" and "night-shift-1" not in entry.new
    stored = scalar(ctx, "SELECT password_hash FROM users WHERE username = 'nora'")
    assert stored.startswith("$argon2id$") and "night-shift-1" not in stored


@pytest.mark.parametrize("who", ["pharmacist", "technician", "monitor"])
def test_only_an_administrator_adds_users(
    ctx: Context, who: str, request: pytest.FixtureRequest, refused: Refused
) -> None:
    actor: Actor = request.getfixturevalue(who)
    with refused(ctx, NotPermitted, f"{actor.username} ({actor.role.value}) may not manage users"):
        users.add_user(ctx, actor, "nora", "technician", "Nora Night", "NN", "night-shift-1")


@pytest.mark.parametrize(
    ("username", "role", "initials", "password", "error", "words"),
    [
        (
            "pharm",
            "technician",
            "NN",
            "night-shift-1",
            RuleViolation,
            "There is already a user 'pharm'",
        ),
        ("nora", "technician", "NN", "short-1", InvalidInput, "at least 8 characters"),
        ("nora", "technician", "NN", " padded-password", InvalidInput, "may not start or end"),
        ("nora", "technician", "NN", "x" * 201, InvalidInput, "at most 200 characters"),
        ("1nora", "technician", "NN", "night-shift-1", InvalidInput, "is not a valid user name"),
        ("nora", "chef", "NN", "night-shift-1", InvalidInput, "'chef' is not a role"),
        ("nora", "technician", "N", "night-shift-1", InvalidInput, "'N' are not initials"),
    ],
)
def test_add_user_refusals(
    ctx: Context,
    admin: Actor,
    refused: Refused,
    username: str,
    role: str,
    initials: str,
    password: str,
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        users.add_user(ctx, admin, username, role, "Nora Night", initials, password)


def failed_attempts(ctx: Context, username: str) -> int:
    count: int = scalar(ctx, "SELECT failed_attempts FROM users WHERE username = :u", u=username)
    return count


def test_lockout_after_five_failures_and_unlock(
    ctx: Context, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    for attempt in range(1, 6):
        with pytest.raises(NotSignedIn) as info:
            users.sign_in(ctx, "pharm", "guess-guess-1")
        # One message for every failure: a guesser learns nothing of the account.
        assert info.value.message == users.SIGN_IN_FAILED
        assert failed_attempts(ctx, "pharm") == attempt  # counted although refused
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", "guess-guess-1")
    assert info.value.message == users.SIGN_IN_FAILED, "locked, but said only to the password"
    # The right password of a locked account is refused in the same words: were the lock said
    # to it, a guesser who locked the account would learn which guess was the password.
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", pw(pharmacist))
    assert info.value.message == users.SIGN_IN_FAILED
    assert "pharm" not in info.value.message
    failures = audit.list_entries(ctx, admin, action="sign_in_failed", username="pharm")
    assert len(failures) == 6
    # The trail keeps the real cause, and the administrator's list shows the lock.
    refusals = audit.list_entries(ctx, admin, action="sign_in_refused", username="pharm")
    assert [e.reason for e in refusals] == ["locked"]
    assert [u.locked for u in users.list_users(ctx, admin) if u.username == "pharm"] == [True]
    # A locked account cannot work either, whatever session it still has open.
    with refused(ctx, NotSignedIn, "The account 'pharm' has been locked: this session has ended"):
        users.change_password(ctx, pharmacist, pw(pharmacist), "fresh-password-1")
    with refused(ctx, NotPermitted, "may not manage users"):
        users.unlock(ctx, pharmacist, "pharm", "I know the password now")
    row = users.unlock(ctx, admin, "pharm", "identity checked by phone")
    assert not row.locked and failed_attempts(ctx, "pharm") == 0
    assert users.sign_in(ctx, "pharm", pw(pharmacist)) == pharmacist


def test_a_good_sign_in_resets_the_failure_count(
    ctx: Context, pharmacist: Actor, pw: Password
) -> None:
    for _ in range(3):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "pharm", "guess-guess-1")
    users.sign_in(ctx, "pharm", pw(pharmacist))
    assert failed_attempts(ctx, "pharm") == 0


def test_a_password_with_bytes_the_terminal_could_not_decode_is_wrong_not_a_crash(
    ctx: Context, pharmacist: Actor, stock: Stock, enrolled: str
) -> None:
    """A lone surrogate (Python's stand-in for undecodable bytes in an argument) reached argon2,
    which raised UnicodeEncodeError: a sign-in or a signature with it is a wrong password."""
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", "bad \udcff byte")
    assert info.value.message == users.SIGN_IN_FAILED
    with pytest.raises(SignatureFailed):
        dispense(ctx, pharmacist, "bad \udcff byte", enrolled)


@pytest.mark.parametrize("name", ["nobody", "Robert'); DROP TABLE users;--", ""])
def test_unknown_user_gets_the_same_answer(ctx: Context, name: str) -> None:
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, name, "whatever-1")
    assert info.value.message == users.SIGN_IN_FAILED


def test_deactivated_user_cannot_sign_in_or_sign(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    row = users.set_active(ctx, admin, "pharm", False, "left the hospital")
    assert not row.active
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", "a-wrong-guess-1")
    assert info.value.message == users.SIGN_IN_FAILED, "deactivated: said only to the password"
    # The right password of a deactivated account is refused in the same words: were the
    # deactivation said to it, a guesser would learn that the guess was the password.
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", pw(pharmacist))
    assert info.value.message == users.SIGN_IN_FAILED
    assert "pharm" not in info.value.message
    # The trail keeps the real cause, and the administrator's list shows the deactivation.
    refusals = audit.list_entries(ctx, admin, action="sign_in_refused", username="pharm")
    assert [e.reason for e in refusals] == ["deactivated"]
    assert [u.active for u in users.list_users(ctx, admin) if u.username == "pharm"] == [False]
    # A screen still open with the old session cannot sign a dispense.
    with refused(ctx, NotSignedIn, "pharm can no longer sign: the account is not active"):
        dispense(ctx, pharmacist, pw(pharmacist))
    users.set_active(ctx, admin, "pharm", True, "back from leave")
    assert users.sign_in(ctx, "pharm", pw(pharmacist)) == pharmacist
    [entry] = audit.list_entries(ctx, admin, action="user_deactivated")
    assert (entry.entity_id, entry.old, entry.reason) == (
        "pharm",
        '{"active":true}',
        "left the hospital",
    )


def test_deactivation_refusals(ctx: Context, admin: Actor, refused: Refused) -> None:
    with refused(ctx, RuleViolation, "You cannot deactivate your own account"):
        users.set_active(ctx, admin, "admin", False, "leaving")
    with refused(ctx, InvalidInput, "Give the reason"):
        users.set_active(ctx, admin, "pharm", False, "")
    with refused(ctx, NotFound, "There is no user 'ghost'"):
        users.set_active(ctx, admin, "ghost", False, "leaving")


def test_change_password(ctx: Context, technician: Actor, pw: Password, refused: Refused) -> None:
    with refused(ctx, NotPermitted, "The current password is wrong"):
        users.change_password(ctx, technician, "not-my-password", "brand-new-pass-1")
    with refused(ctx, InvalidInput, "one of your last 5 passwords"):
        users.change_password(ctx, technician, pw(technician), pw(technician))
    with refused(ctx, InvalidInput, "at least 8 characters"):
        users.change_password(ctx, technician, pw(technician), "short")
    users.change_password(ctx, technician, pw(technician), "brand-new-pass-1")
    assert users.sign_in(ctx, "tech", "brand-new-pass-1") == technician
    with pytest.raises(NotSignedIn):
        users.sign_in(ctx, "tech", pw(technician))
    assert len(audit.list_entries(ctx, technician, action="password_changed")) == 1


def test_reset_password_by_an_administrator(
    ctx: Context, admin: Actor, pharmacist: Actor, refused: Refused
) -> None:
    with refused(ctx, NotPermitted, "may not manage users"):
        users.reset_password(ctx, pharmacist, "tech", "reset-by-pharm-1", "forgotten")
    with refused(ctx, InvalidInput, "reason"):
        users.reset_password(ctx, admin, "tech", "reset-by-admin-1", " ")
    users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten, identity checked")
    tech = users.sign_in(ctx, "tech", "reset-by-admin-1")
    assert tech.username == "tech" and tech.must_change_password
    [entry] = audit.list_entries(ctx, admin, action="password_reset")
    assert entry.reason == "forgotten, identity checked"


def test_an_administrator_does_not_reset_their_own_password(
    ctx: Context, admin: Actor, pw: Password, refused: Refused
) -> None:
    """A reset of one's own password would skip the current password and the history check
    of `change_password`: refused, nothing written, whichever way the name is typed."""
    for name in ("admin", " ADMIN "):
        with refused(ctx, RuleViolation, "cannot reset their own password"):
            users.reset_password(ctx, admin, name, pw(admin), "forgotten")
    assert users.sign_in(ctx, "admin", pw(admin)) == admin
    # Another user's reset records what it stored: the password to be changed.
    users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten")
    entry = audit.list_entries(ctx, admin, action="password_reset")[-1]
    assert entry.new == '{"must_change_password":"yes"}'
    assert users.sign_in(ctx, "tech", "reset-by-admin-1").must_change_password


def test_everyone_may_list_users(ctx: Context, monitor: Actor) -> None:
    assert [u.username for u in users.list_users(ctx, monitor)] == [
        "admin",
        "monitor",
        "pharm",
        "pharm2",
        "tech",
    ]


def test_production_hashes_are_strong(production_hasher: PasswordHasher) -> None:
    # Tests hash with cheap parameters for speed; the program's own hasher must not.
    assert (production_hasher.time_cost, production_hasher.memory_cost) >= (3, 65536)
    assert production_hasher.hash("a-password-1").startswith("$argon2id$")


@pytest.mark.parametrize("who", ["monitor", "technician", "admin"])
def test_sign_out_lock_and_unlock_are_in_the_audit_trail(
    ctx: Context, admin: Actor, request: pytest.FixtureRequest, who: str
) -> None:
    actor: Actor = request.getfixturevalue(who)
    for event in ("locked", "unlocked", "sign_out"):
        users.record_session_event(ctx, actor, event)
    rows = audit.list_entries(ctx, admin)[-3:]
    assert [(r.username, r.action, r.entity, r.entity_id) for r in rows] == [
        (actor.username, "locked", "user", actor.username),
        (actor.username, "unlocked", "user", actor.username),
        (actor.username, "sign_out", "user", actor.username),
    ]
    assert audit.verify(ctx, admin).ok


def test_session_event_refusals(
    ctx: Context, admin: Actor, pharmacist: Actor, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "'napping' is not a session event: use sign_out, locked"):
        users.record_session_event(ctx, pharmacist, "napping")
    users.set_active(ctx, admin, "pharm", False, "left the hospital")
    with refused(ctx, NotSignedIn, "pharm can no longer sign"):
        users.record_session_event(ctx, pharmacist, "sign_out")


def test_five_wrong_signature_passwords_lock_the_account(
    ctx: Context, stock: Stock, enrolled: str, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """A signature prompt must not allow endless guesses: each failure counts, as at sign-in,
    by the service itself (a script calling it counts as the windows do)."""
    for attempt in range(1, 6):
        with pytest.raises(SignatureFailed) as info:
            dispense(ctx, pharmacist, "guess-guess-1", enrolled)
        failed = info.value
        assert (failed.signer, failed.meaning) == ("pharm", "dispensed")
        left = (
            (f"{5 - attempt} attempts left" if attempt < 4 else "1 attempt left")
            if attempt < 5
            else "The account is now locked"
        )
        assert left in failed.message
        assert failed.counted and not failed.uncounted
        assert failed_attempts(ctx, "pharm") == attempt
    entries = audit.list_entries(ctx, admin, action="signature_failed")
    assert [(e.username, e.entity_id) for e in entries] == [("pharm", "pharm")] * 5
    assert '"locked":true' in entries[-1].new and '"meaning":"dispensed"' in entries[-1].new
    assert audit.verify(ctx, admin).ok
    with pytest.raises(NotSignedIn, match="The account 'pharm' has been locked"):
        dispense(ctx, pharmacist, pw(pharmacist), enrolled)
    with pytest.raises(NotSignedIn) as info:
        users.sign_in(ctx, "pharm", pw(pharmacist))
    assert info.value.message == users.SIGN_IN_FAILED


def test_a_second_persons_wrong_signature_counts_against_them(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, passwords: Any
) -> None:
    with pytest.raises(SignatureFailed) as info:
        dispense(
            ctx, pharmacist, pw(pharmacist), enrolled, checked_by="pharm2", checker_password="no"
        )
    assert (info.value.signer, info.value.meaning) == ("pharm2", "checked")
    assert (failed_attempts(ctx, "pharm2"), failed_attempts(ctx, "pharm")) == (1, 0)
    checker = {"checked_by": "pharm2", "checker_password": passwords["pharm2"]}
    dispense(ctx, pharmacist, pw(pharmacist), enrolled, **checker)
    assert failed_attempts(ctx, "pharm2") == 0, "a good signature starts the count again"


def test_a_new_account_may_not_take_the_initials_of_another_active_account(
    ctx: Context, admin: Actor
) -> None:
    """Records are signed by initials: two active accounts with the same ones could not be told
    apart (the demo's administrator is Li Wei, LW; a user "Li Wei (LW)" was accepted)."""
    users.add_user(ctx, admin, "liwei", "pharmacist", "Li Wei", "LW", "night-shift-1")
    with pytest.raises(RuleViolation, match=r"The initials LW are those of Li Wei \(user liwei\)"):
        users.add_user(ctx, admin, "liwei2", "technician", "Li Wei", "l.w.", "night-shift-1")
    users.set_active(ctx, admin, "liwei", False, "left the site")
    row = users.add_user(ctx, admin, "liwei2", "technician", "Li Wei", "LW", "night-shift-1")
    assert row.initials == "LW"  # the initials of an account no longer active are free again


def test_a_reactivated_account_may_not_bring_back_initials_taken_meanwhile(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    """Reactivation got round the rule: pharm (PP) deactivated, a new account given PP, then
    pharm reactivated left two active accounts signing PP. Refused, naming the holder and the
    way out, and nothing written; the account comes back once the initials are free again."""
    users.set_active(ctx, admin, "pharm", False, "on leave")
    users.add_user(ctx, admin, "ppark", "pharmacist", "Pat Park", "PP", "night-shift-1")
    with refused(
        ctx,
        RuleViolation,
        "The initials PP of pharm are now those of Pat Park (user ppark), an active account: "
        "records are signed by initials, so pharm was not reactivated. Deactivate ppark first, "
        "or give pharm a new account with other initials.",
    ):
        users.set_active(ctx, admin, "pharm", True, "back from leave")
    # An active account "activated" again changes nothing: said so, not as a clash of initials.
    with refused(ctx, RuleViolation, "ppark is already active: nothing recorded"):
        users.set_active(ctx, admin, "ppark", True, "an active account is active again")
    users.set_active(ctx, admin, "ppark", False, "covered the leave")
    assert users.set_active(ctx, admin, "pharm", True, "back from leave").active
    active = [r.username for r in users.list_users(ctx, admin) if r.active and r.initials == "PP"]
    assert active == ["pharm"]


def test_an_empty_signature_password_is_asked_for_not_counted_as_wrong(
    ctx: Context, stock: Stock, enrolled: str, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    """Nothing typed is no guess: counted as a wrong password (a SignatureFailed the screens
    and the command count), an empty field moved the account towards its lock."""
    before = len(audit.list_entries(ctx, admin))
    with pytest.raises(InvalidInput) as info:
        dispense(ctx, pharmacist, "", enrolled)
    assert not isinstance(info.value, SignatureFailed)
    assert info.value.message == (
        "No signature password was typed for pharm: type it to sign. Nothing was saved."
    )
    assert failed_attempts(ctx, "pharm") == 0
    assert len(audit.list_entries(ctx, admin)) == before
    dispense(ctx, pharmacist, pw(pharmacist), enrolled)  # typed, it signs


def test_a_change_of_an_account_that_changes_nothing_is_refused_and_not_recorded(
    ctx: Context, admin: Actor, refused: Refused
) -> None:
    """`user activate` of an active account said "Reactivated" and wrote an audit entry each
    time; so did `user unlock` of an account not locked."""
    with refused(ctx, RuleViolation, "tech is already active: nothing recorded"):
        users.set_active(ctx, admin, "tech", True, "back technician")
    users.set_active(ctx, admin, "tech", False, "on leave")
    with refused(ctx, RuleViolation, "tech is already deactivated: nothing recorded"):
        users.set_active(ctx, admin, "tech", False, "on leave again")
    users.set_active(ctx, admin, "tech", True, "back")
    assert len(audit.list_entries(ctx, admin, action="user_deactivated", text="tech")) == 1
    assert len(audit.list_entries(ctx, admin, action="user_activated", text="tech")) == 1
    with refused(ctx, RuleViolation, "tech is not locked and has no failed sign-ins"):
        users.unlock(ctx, admin, "tech", "just in case")
    with pytest.raises(NotSignedIn):  # one failure: unlocking resets the count, a change
        users.sign_in(ctx, "tech", "guess-guess-1")
    users.unlock(ctx, admin, "tech", "reset the count")
    assert failed_attempts(ctx, "tech") == 0
    assert len(audit.list_entries(ctx, admin, action="user_unlocked", text="tech")) == 1


@pytest.mark.parametrize("who", ["pharmacist", "technician", "monitor"])
def test_whether_an_actor_manages_users_is_asked_of_the_service(
    who: str, admin: Actor, request: pytest.FixtureRequest
) -> None:
    """A front end asks before it asks for a new password (the command asked for it twice,
    then said "Not permitted")."""
    actor: Actor = request.getfixturevalue(who)
    with pytest.raises(NotPermitted, match="may not manage users"):
        users.check_manages_users(actor)
    users.check_manages_users(admin)


def test_a_reset_of_a_locked_account_unlocks_it_in_the_same_entry(
    ctx: Context, admin: Actor, technician: Actor, pw: Password
) -> None:
    """A reset of a locked account said "done" while the user still could not sign in: the
    reset lifts the lock (the administrator has the person in front of them), and the one
    audit entry says so, old and new."""
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "tech", "not-the-password")
    done = users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten, in person")
    assert done.unlocked and (done.account.active, done.account.locked) == (True, False)
    tech = users.sign_in(ctx, "tech", "reset-by-admin-1")
    assert tech.username == "tech" and tech.must_change_password
    [entry] = audit.list_entries(ctx, admin, action="password_reset")
    assert entry.old == '{"failed_attempts":5,"locked":true}', entry.old
    assert entry.new == '{"failed_attempts":0,"locked":false,"must_change_password":"yes"}'
    assert audit.list_entries(ctx, admin, action="user_unlocked") == []
    # An account that is not locked: the entry is the one it was, nothing said of a lock.
    again = users.reset_password(ctx, admin, "pharm", "reset-by-admin-2", "forgotten")
    assert not again.unlocked
    last = audit.list_entries(ctx, admin, action="password_reset")[-1]
    assert (last.entity_id, last.old, last.new) == ("pharm", "", '{"must_change_password":"yes"}')


def test_a_reset_that_clears_failed_sign_ins_of_an_unlocked_account_says_so(
    ctx: Context, admin: Actor, technician: Actor, pw: Password
) -> None:
    """A reset of an account that is not locked cleared its failed sign-ins without saying so:
    it still clears them (they were guesses at the password now replaced, and left they would
    lock the user out at the first mistyping of the new one), and says so: in the result
    (`failures_cleared`, the words) and in the audit entry's fields, old and new, with no
    lock named that there was not."""
    for _ in range(2):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "tech", "not-the-password")
    done = users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten, in person")
    assert not done.unlocked and done.failures_cleared == 2
    assert failed_attempts(ctx, "tech") == 0
    [entry] = audit.list_entries(ctx, admin, action="password_reset")
    assert entry.old == '{"failed_attempts":2}', entry.old
    assert entry.new == '{"failed_attempts":0,"must_change_password":"yes"}', entry.new
    none = users.reset_password(ctx, admin, "pharm", "reset-by-admin-2", "forgotten")
    assert none.failures_cleared == 0  # none to clear: nothing said of them


def test_a_reset_of_a_deactivated_account_is_refused(
    ctx: Context, admin: Actor, technician: Actor, pw: Password, refused: Refused
) -> None:
    """A deactivated account cannot sign in with any password: a reset of it said "done".
    Refused, before the password is asked for too (check_reset), nothing written."""
    users.set_active(ctx, admin, "tech", False, "left the site")
    for call in (
        lambda: users.check_reset(ctx, admin, "TECH"),
        lambda: users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten"),
    ):
        with refused(ctx, RuleViolation, "tech is deactivated and cannot sign in"):
            call()
    with refused(ctx, RuleViolation, "activate the account first"):
        users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten")
    users.set_active(ctx, admin, "tech", True, "back")
    users.check_reset(ctx, admin, "tech")
    users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten")
    assert users.sign_in(ctx, "tech", "reset-by-admin-1").must_change_password


def test_check_reset_refuses_one_s_own_account_and_who_may_not_manage_users(
    ctx: Context, admin: Actor, pharmacist: Actor, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, "cannot reset their own password"):
        users.check_reset(ctx, admin, " Admin ")
    with refused(ctx, NotPermitted, "may not manage users"):
        users.check_reset(ctx, pharmacist, "tech")
    with refused(ctx, NotFound, "nobody"):
        users.check_reset(ctx, admin, "nobody")


def test_the_list_of_users_says_when_each_password_was_last_set(
    ctx: Context, admin: Actor, technician: Actor, clock: Any
) -> None:
    """For the periodic review of passwords (21 CFR 11.300(b)): the day each password was
    last set, by the user or for them."""
    from datetime import date, timedelta

    first = {r.username: r.password_last_set for r in users.list_users(ctx, admin)}
    assert all(isinstance(day, date) for day in first.values()), first
    clock.current += timedelta(days=40)
    users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten")
    after = {r.username: r.password_last_set for r in users.list_users(ctx, admin)}
    assert after["tech"] == clock.today() > first["tech"]
    assert after["pharm"] == first["pharm"]


def test_a_password_an_administrator_set_is_listed_as_temporary(ctx: Context, admin: Actor) -> None:
    """After a reset the list said "Password set <day>" as if the user had chosen it: it says
    the password is a temporary one (to be changed at the next sign-in), until the user has."""
    temporary = {r.username: r.password_temporary for r in users.list_users(ctx, admin)}
    assert not any(temporary.values()), temporary
    users.reset_password(ctx, admin, "tech", "reset-by-admin-1", "forgotten")
    temporary = {r.username: r.password_temporary for r in users.list_users(ctx, admin)}
    assert temporary["tech"] and not temporary["pharm"], temporary
    tech = users.sign_in(ctx, "tech", "reset-by-admin-1")
    users.change_password(ctx, tech, "reset-by-admin-1", "tech-own-pass-9")
    listed = {r.username: r for r in users.list_users(ctx, admin)}
    assert not listed["tech"].password_temporary
