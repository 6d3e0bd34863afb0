"""21 CFR Part 11: every failed signature attempt is counted, whatever else is wrong. Signed
steps check some of their input before their write transaction (a blank reason, a malformed
count or date, the destruction's paperwork) and refused it without checking the password, so a
wrong password typed with a blank reason was neither said nor counted towards the lock. Every
signed step now checks its input inside `users.passwords_first`: a refusal of it goes on only
once the signers' passwords were checked, a wrong one refused (SignatureFailed) and counted
instead, nothing of the step written (the `refused` fixture checks both); with the right
password the input's own refusal is said, nothing written, no failure reset or counted.

And a wrong password at an open count's adjustment is recorded as what the counter signed
("adjusted", the book shown and signed against), not "counted"; a blind count's as "counted",
what its signature window shows, the book not yet read (the entry must not tell it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.domain.errors import InvalidInput, SignatureFailed
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    reconciliation,
    returns,
)
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

from .helpers import ADJUSTED, TECH_PASSWORD, WITNESSED

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
WRONG = "not-the-password"
PHARM_WRONG = "Paula Pharm: The signature password for pharm is wrong; nothing was saved."
Step = Callable[[Context, Actor, str], object]
HIDDEN = "fine\u202e12"  # a bidi override: refused in every free text


def _destroy(ctx: Context, actor: Actor, password: str) -> object:
    return destruction.destroy(ctx, actor, ["K0001"], "tech", "", password, **WITNESSED)


# Each signed step given input it refuses before its write (a blank or hidden-character
# reason or note, a malformed figure), by the pharmacist (pharm) with `password`.
BAD_INPUT: dict[str, tuple[Step, str]] = {
    "dispense": (
        lambda c, a, p: dispensing.dispense_cycle(c, a, "01-001", 2, None, p),  # type: ignore[arg-type]
        "dispensed",
    ),
    "void": (lambda c, a, p: dispensing.void_dispense(c, a, "DSP000001", " ", p), "corrected"),
    "return": (lambda c, a, p: returns.record_return(c, a, "K0011", -1, p), "return counted"),
    "return correction": (
        lambda c, a, p: returns.correct_return(c, a, 1, 4, "", p),
        "corrected",
    ),
    "destruction": (_destroy, "destroyed"),
    "count": (lambda c, a, p: counts.record_count(c, a, "K0001", -3, p), "counted"),
    "release": (
        lambda c, a, p: quarantine.release(c, a, ["K0001"], "", "DEC-1", password=p),
        "released",
    ),
    "sign-off": (
        lambda c, a, p: reconciliation.sign_off(c, a, p, HIDDEN, seen="shown"),
        "reconciliation signed off",
    ),
    "status": (
        lambda c, a, p: participants.set_status(c, a, "01-001", "discontinued", "", password=p),
        "status changed",
    ),
    "enrolment void": (
        lambda c, a, p: participants.void_enrolment(c, a, "01-001", "", p),
        "corrected",
    ),
    "enrolment correction": (
        lambda c, a, p: participants.correct_enrolment(
            c, a, "01-001", initials="AB", reason="", password=p
        ),
        "corrected",
    ),
}


def _failures(ctx: Context) -> list[tuple[str, str]]:
    """The signature_failed entries: whose password, with what meaning."""
    with read_transaction(ctx.engine) as session:
        failed = (
            session.query(AuditEntry)
            .filter_by(action="signature_failed")
            .order_by(AuditEntry.id)
            .all()
        )
        return [(e.entity_id, json.loads(e.new)["meaning"]) for e in failed]


def _failed_attempts(ctx: Context, username: str) -> int:
    with ctx.engine.connect() as conn:
        found = conn.execute(
            text("SELECT failed_attempts FROM users WHERE username = :u"), {"u": username}
        ).scalar_one()
    return int(found)


@pytest.mark.parametrize("name", list(BAD_INPUT))
def test_a_wrong_password_with_bad_input_is_said_and_counted(
    name: str,
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    step, meaning = BAD_INPUT[name]
    with pytest.raises(InvalidInput) as right:  # the input is refused, with the right password
        step(ctx, pharmacist, pw(pharmacist))
    assert not isinstance(right.value, SignatureFailed)
    assert _failures(ctx) == [] and _failed_attempts(ctx, "pharm") == 0
    with refused(ctx, SignatureFailed, PHARM_WRONG):
        step(ctx, pharmacist, WRONG)
    assert _failures(ctx) == [("pharm", meaning)]
    assert _failed_attempts(ctx, "pharm") == 1
    with refused(ctx, InvalidInput, right.value.message):  # then right: no failure reset
        step(ctx, pharmacist, pw(pharmacist))
    assert _failed_attempts(ctx, "pharm") == 1


def test_five_wrong_passwords_with_a_blank_reason_lock_the_account(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    for _attempt in range(5):
        with pytest.raises(SignatureFailed):
            dispensing.void_dispense(ctx, pharmacist, "DSP000001", "", WRONG)
    assert _failed_attempts(ctx, "pharm") == 5
    with ctx.engine.connect() as conn:
        assert conn.execute(text("SELECT locked FROM users WHERE username = 'pharm'")).scalar()


SECOND_WRONG: dict[str, tuple[Step, str, str]] = {
    "dispense's checker": (
        lambda c, a, p: dispensing.dispense_cycle(
            c,
            a,
            "01-001",
            2,
            None,  # type: ignore[arg-type]
            p,
            checked_by="tech",
            checker_password=WRONG,
        ),
        "The second checker's password is wrong: tech, who checks the dispense",
        "checked",
    ),
    "count's verifier": (
        lambda c, a, p: counts.record_count(
            c, a, "K0001", -3, p, "breakage", "crushed", "tech", WRONG
        ),
        "The verifier's password is wrong: tech, who countersigns the count",
        "count verified",
    ),
    "destruction's witness": (
        lambda c, a, p: destruction.destroy(
            c, a, ["K0001"], "tech", "", p, **{**WITNESSED, "witness_password": WRONG}
        ),
        "The witness's password is wrong: tech, the witness, signs the destruction",
        "witnessed",
    ),
}


@pytest.mark.parametrize("name", list(SECOND_WRONG))
def test_a_second_persons_wrong_password_with_bad_input_is_said_and_counted(
    name: str,
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    step, said, meaning = SECOND_WRONG[name]
    with refused(ctx, SignatureFailed, said):
        step(ctx, pharmacist, pw(pharmacist))
    assert _failures(ctx) == [("tech", meaning)]
    assert _failed_attempts(ctx, "tech") == 1 and _failed_attempts(ctx, "pharm") == 0


def test_no_password_typed_with_bad_input_says_the_input(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, refused: Refused
) -> None:
    """An empty password is no attempt at one: the input's refusal is said, nothing counted."""
    with refused(ctx, InvalidInput, "Give the reason for the void"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "", "")
    assert _failures(ctx) == []


def test_a_wrong_password_at_an_adjustment_is_recorded_adjusted(
    ctx: Context, cycle1: DispenseResult, technician: Actor, pw: Password, refused: Refused
) -> None:
    """K0001 (book 21) counted 20 blind, then its difference adjusted against the book shown:
    the counter's wrong password at the adjustment is an attempt to sign "adjusted" (as the
    window asked); at the blind count it is "counted", the book not read."""
    technician_wrong = "Tom Tech: The signature password for tech is wrong"
    with refused(ctx, SignatureFailed, technician_wrong):
        counts.record_count(ctx, technician, "K0001", 20, WRONG)
    assert _failures(ctx)[-1] == ("tech", "counted")
    first = counts.record_count(ctx, technician, "K0001", 20, TECH_PASSWORD)
    assert first.open and first.book == 21
    adjusting = {"expected_book": 21, "adjusting_count": first.count_id, **ADJUSTED}
    with refused(ctx, SignatureFailed, technician_wrong):
        counts.record_count(ctx, technician, "K0001", 20, WRONG, **adjusting)
    assert _failures(ctx)[-1] == ("tech", "adjusted")
    with refused(ctx, SignatureFailed, technician_wrong):  # the book given again, the same
        counts.record_count(ctx, technician, "K0001", 21, WRONG, **adjusting)
    assert _failures(ctx)[-1] == ("tech", "counted")
    done = counts.record_count(ctx, technician, "K0001", 20, TECH_PASSWORD, **adjusting)
    assert done.adjusted
    with read_transaction(ctx.engine) as session:
        meanings = session.execute(
            text("SELECT meaning FROM signatures WHERE record_type = 'count' AND record_id = :i"),
            {"i": done.count_id},
        ).scalars()
        assert "adjusted" in set(meanings)
