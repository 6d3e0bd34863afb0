"""21 CFR 11.200(a)(1): the second person of a step (a destruction's witness, a count's verifier,
a dispense's second checker) is in no session of their own, so signs with both components: the
user name they type themself and their password. The finding: the window named them from the
signed-in pharmacist's list, and they typed only a password. The service now takes the user name
typed and refuses it, nothing written, when it is not that of the person named for the role; the
mismatch counts against nobody, except a wrong password for an account that exists under the name
typed, counted against that account as a wrong password always is."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import SignatureFailed
from dispensary.services import audit, counts, destruction, queries
from dispensary.services.context import Actor, Context
from signed import PEOPLE

from .conftest import Stock
from .helpers import TECH_PASSWORD, dispense, read_audit_trail, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
Snapshot = Callable[[Context], object]

WITNESS_NOT_TYPED = (
    "The user name typed is not Tom Tech's: the witness signs with their own user name and "
    "password. Nothing was saved."
)


def failures(ctx: Context, user: str) -> int:
    return int(scalar(ctx, f"SELECT failed_attempts FROM users WHERE username = '{user}'"))


def destroy(ctx: Context, actor: Actor, typed: str | None, password: str = TECH_PASSWORD) -> Any:
    """K0001 destroyed by `actor`, Tom Tech (`tech`) named as the witness, who types `typed`."""
    return destruction.destroy(
        ctx,
        actor,
        ["K0001"],
        "tech",
        "incineration",
        PEOPLE[actor.username][3],
        reference="AUTH-1",
        reason_code="study_closed",
        witness_password=password,
        witness_typed=typed,
    )


@pytest.mark.usefixtures("stock")
def test_the_witness_types_their_own_user_name(ctx: Context, pharmacist: Actor) -> None:
    done = destroy(ctx, pharmacist, "  Tech ")  # as a user name is typed at sign-in
    assert done.witness == "Tom Tech"
    assert queries.kit_detail(ctx, pharmacist, "K0001").status is KitStatus.DESTROYED


@pytest.mark.parametrize(
    ("typed", "password"),
    [
        ("nobody", TECH_PASSWORD),  # no account: the witness's password under another name
        ("", TECH_PASSWORD),  # nothing typed
        ("Tom Tech", TECH_PASSWORD),  # the printed name is no user name
    ],
)
@pytest.mark.usefixtures("stock")
def test_another_user_name_is_refused_and_counts_against_nobody(
    ctx: Context, pharmacist: Actor, snapshot: Snapshot, typed: str, password: str
) -> None:
    before = snapshot(ctx)
    with pytest.raises(SignatureFailed) as failed:
        destroy(ctx, pharmacist, typed, password)
    assert failed.value.message == WITNESS_NOT_TYPED
    assert failed.value.second and failed.value.signer == "tech"
    assert snapshot(ctx) == before  # nothing written: no destruction, no failure counted
    assert queries.kit_detail(ctx, pharmacist, "K0001").status is KitStatus.AVAILABLE


@pytest.mark.parametrize(
    ("typed", "password"),
    [
        ("pharm", PEOPLE["pharm"][3]),  # the pharmacist's own name and password
        ("pharm2", PEOPLE["pharm2"][3]),  # another's, who may sign: not the one named
    ],
)
@pytest.mark.usefixtures("stock")
def test_another_persons_valid_credentials_are_refused_and_recorded(
    ctx: Context, pharmacist: Actor, refused: Refused, monitor: Actor, typed: str, password: str
) -> None:
    """Part 11: a second signature made with another person's user name and correct password
    is refused, nothing of the step written, and the attempt is in the trail (a wrong password
    was, this was not): a failed signature under the account used, naming the person expected
    to sign; counted against no one's lock."""
    with refused(ctx, SignatureFailed, WITNESS_NOT_TYPED) as failed:
        destroy(ctx, pharmacist, typed, password)
    assert not failed.value.uncounted
    assert (failures(ctx, typed), failures(ctx, "tech")) == (0, 0)
    entry = audit.list_entries(ctx, monitor, action="signature_failed")[-1]
    assert (entry.entity_id, entry.username) == (typed, "pharm")
    assert json.loads(entry.new) == {
        "meaning": "witnessed",
        "signed_as": typed,
        "expected_signer": "tech",
    }
    trail = read_audit_trail(ctx, monitor)  # the entry as the trail's report words it
    assert "Signed with the account of" in trail.english
    assert "Person expected to sign" in trail.english
    assert "签名所用账户" in trail.chinese and "应签名人" in trail.chinese


@pytest.mark.usefixtures("stock")
def test_a_wrong_password_for_the_account_typed_counts_against_that_account(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """The witness's password typed under pharm2's user name: a wrong password for pharm2, as
    at any sign-in, counted against pharm2 (not against tech, whose password it was not)."""
    with refused(ctx, SignatureFailed, WITNESS_NOT_TYPED) as failed:
        destroy(ctx, pharmacist, "pharm2", TECH_PASSWORD)
    assert failed.value.signer == "pharm2"
    assert failed.value.message.endswith(
        "The password typed is not that of pharm2 either. 4 attempts left before the account "
        "of pharm2 locks."
    )
    assert (failures(ctx, "pharm2"), failures(ctx, "tech"), failures(ctx, "pharm")) == (1, 0, 0)


@pytest.mark.usefixtures("stock")
def test_the_right_user_name_with_a_wrong_password_counts_against_the_witness(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    with refused(ctx, SignatureFailed, "The witness's password is wrong: tech, the witness"):
        destroy(ctx, pharmacist, "tech", "not-it")
    assert failures(ctx, "tech") == 1


@pytest.mark.usefixtures("stock")
def test_a_command_names_the_witness_and_gives_the_password(
    ctx: Context, pharmacist: Actor
) -> None:
    """`dispensary destroy --witness tech` with the witness's password from the environment:
    both components given together; no user name typed apart (None)."""
    assert destroy(ctx, pharmacist, None).witness == "Tom Tech"


def test_the_count_verifier_types_their_own_user_name(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    pharmacist: Actor,
    pw: Password,
    snapshot: Snapshot,
) -> None:
    def adjust(typed: str) -> Any:
        return counts.record_count(
            ctx,
            technician,
            "K0002",
            19,
            pw(technician),
            reason_code="breakage",
            reason="two crushed",
            verified_by="pharm",
            verifier_password=pw(pharmacist),
            verifier_typed=typed,
        )

    before = snapshot(ctx)
    with pytest.raises(SignatureFailed) as failed:
        adjust("paula")  # no account of that name: counted against nobody
    assert failed.value.message == (
        "The user name typed is not Paula Pharm's: the verifier signs with their own user name "
        "and password. Nothing was saved."
    )
    assert snapshot(ctx) == before
    assert adjust("pharm").adjusted


@pytest.mark.usefixtures("stock", "enrolled")
def test_the_dispense_checker_types_their_own_user_name(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    checker = {"checked_by": "pharm2", "checker_password": PEOPLE["pharm2"][3]}
    with refused(ctx, SignatureFailed, "The user name typed is not Peter Second's: the second"):
        dispense(ctx, pharmacist, pw(pharmacist), checker_typed="admin", **checker)
    assert failures(ctx, "admin") == 1  # pharm2's password is not admin's: counted there
    assert dispense(ctx, pharmacist, pw(pharmacist), checker_typed="pharm2", **checker).checked_by
