"""Accounts that hold, tried as someone guessing at a counter would (issue 9): every failed
sign-in gets one message, an open session stops once its account is locked, a password an
administrator set cannot be used to act as its owner, weak passwords are refused whoever sets
them, and a locked-out administrator has a way back that only the database's owner can use."""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.errors import InvalidInput, NotPermitted, NotSignedIn
from dispensary.services import audit, quarantine, receiving, users
from dispensary.services.context import Actor, Context

from .conftest import Figures

Snapshot = dict[str, tuple[int, str]]
P75 = "herombopag-7.5mg"


def _weak_passwords() -> list[str]:
    """Repetitions, runs of keys, common passwords and the user's own name, as people type them."""
    weak = [c * n for c in "a1z0!" for n in (8, 9, 12)]
    weak += [p * r for p, r in (("ab", 4), ("123", 3), ("abc", 3), ("12", 5), ("qw", 4))]
    for run in (string.digits, string.ascii_lowercase, "qwertyuiopasdfghjklzxcvbnm"):
        weak += [run[i : i + 8] for i in range(0, len(run) - 7, 3)]
        weak += [run[i : i + 8][::-1] for i in range(0, len(run) - 7, 5)]
    weak += sorted(users.common_passwords())
    weak += [w.upper() for w in sorted(users.common_passwords())[:20]]
    weak += ["nurse01", "short"]
    weak += ["pharm", "pharm2026", "pharm!!!", "mrahp"]
    return [w for w in weak if w]


def test_weak_passwords_are_refused_whoever_sets_them(
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    snapshot: Callable[[Context], Snapshot],
    figures: Figures,
) -> None:
    before = snapshot(ctx)
    weak = _weak_passwords()
    for password in weak:
        with pytest.raises(InvalidInput):
            users.reset_password(ctx, admin, "pharm", password, "forgotten")
        with pytest.raises(InvalidInput):
            users.change_password(ctx, pharmacist, pw(pharmacist), password)
        figures.add("accounts.weak passwords refused", 2)
    assert snapshot(ctx) == before, "a refused password changed nothing"


def test_every_failed_sign_in_gets_one_message(
    ctx: Context,
    admin: Actor,
    technician: Actor,
    pharmacist2: Actor,
    pw: Callable[[Actor], str],
    figures: Figures,
) -> None:
    """Unknown name, wrong password, locked, deactivated: a guesser cannot tell them apart."""
    users.set_active(ctx, admin, "tech", False, "left the site")
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "pharm2", "a-wrong-guess-1")
    names = ["nobody", "pharm", "tech", "pharm2", "monitor", "x", "ADMIN ", "Robert');--"]
    guesses = ["a-wrong-guess-1", "password1", "", "x" * 300, "admin-pass-1x"]
    messages = set()
    for name, guess in itertools.product(names, guesses):
        with pytest.raises(NotSignedIn) as info:
            users.sign_in(ctx, name, guess)
        messages.add(info.value.message)
        figures.add("accounts.failed sign-ins with one message")
    # The right password of the deactivated account and of the locked one: the same words.
    for name, account in (("tech", technician), ("pharm2", pharmacist2)):
        with pytest.raises(NotSignedIn) as info:
            users.sign_in(ctx, name, pw(account))
        messages.add(info.value.message)
    assert messages == {users.SIGN_IN_FAILED}
    # "ADMIN " locked the administrator too: its open session reads no more (the account as
    # the database holds it now), so the trail is checked once it is recovered.
    users.recover_administrator(ctx, "admin", "five guesses from the front desk", "Sam Lead")
    assert audit.verify(ctx, users.sign_in(ctx, "admin", pw(admin))).ok


def test_an_open_session_stops_once_its_account_is_locked_or_deactivated(
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    technician: Actor,
    snapshot: Callable[[Context], Snapshot],
    figures: Figures,
) -> None:
    listed = receiving.kits_from_range(ctx, "Y0001-Y0002", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-Y", listed)
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "pharm", "a-wrong-guess-1")
    users.set_active(ctx, admin, "tech", False, "left the site")
    before = snapshot(ctx)
    for actor in (pharmacist, technician):
        assert users.account_state(ctx, actor) is not None
        with pytest.raises(NotSignedIn, match=r"can no longer sign|this session has ended"):
            quarantine.quarantine(ctx, actor, ["Y0001"], "seal broken")
        figures.add("accounts.stale sessions stopped")
    assert snapshot(ctx) == before


def test_an_administrator_who_reset_a_password_cannot_act_as_its_owner(
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    snapshot: Callable[[Context], Snapshot],
    figures: Figures,
) -> None:
    listed = receiving.kits_from_range(ctx, "Y0001", P75, "L1", date(2027, 6, 30), None)
    receiving.receive_shipment(ctx, pharmacist, "SH-Y", listed)
    users.reset_password(ctx, admin, "pharm", "known-to-admin-5", "forgotten")
    as_her = users.sign_in(ctx, "pharm", "known-to-admin-5")
    before = snapshot(ctx)
    with pytest.raises(NotPermitted, match="choose your own password"):
        quarantine.quarantine(ctx, as_her, ["Y0001"], "seal broken")
    assert snapshot(ctx) == before
    figures.add("accounts.reset passwords that could not act")


def test_the_last_administrator_locked_out_is_recovered_and_audited(
    ctx: Context, admin: Actor, pw: Callable[[Actor], str], figures: Figures
) -> None:
    for _ in range(users.MAX_FAILURES):
        with pytest.raises(NotSignedIn):
            users.sign_in(ctx, "admin", "a-wrong-guess-1")
    users.recover_administrator(ctx, "admin", "five guesses from the front desk", "Sam Lead")
    back = users.sign_in(ctx, "admin", pw(admin))
    assert back == admin and audit.verify(ctx, admin).ok
    figures.add("accounts.locked-out administrators recovered")
