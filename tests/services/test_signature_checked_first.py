"""21 CFR Part 11: every failed signature attempt is counted. A signed step refused for another
reason (a kit not on the shelf, a cycle already dispensed, a participant with a dispense) once
checked the password only after that refusal, so a wrong password typed on it went unsaid and
uncounted: endless guesses at a signature prompt, as long as the step was refused anyway. Each
signed step now checks its signers' passwords first, as the reconciliation's sign-off does: the
wrong password is said and counted (one `signature_failed` entry, the account's failures),
nothing of the step written (the `refused` fixture checks both); with the right password the
other refusal is said, as before."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.domain.errors import DispensaryError, SignatureFailed
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    returns,
)
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

from .conftest import CorrectedReturn
from .helpers import TECH_PASSWORD, WITNESSED, dispense

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
WRONG = "not-the-password"
PHARM_WRONG = "Paula Pharm: The signature password for pharm is wrong; nothing was saved."


def _meanings(ctx: Context) -> list[str]:
    with read_transaction(ctx.engine) as session:
        failed = (
            session.query(AuditEntry)
            .filter_by(action="signature_failed")
            .order_by(AuditEntry.id)
            .all()
        )
        return [json.loads(e.new)["meaning"] for e in failed]


def _both(
    ctx: Context, refused: Refused, step: Callable[[str], object], right: str, meaning: str
) -> None:
    with refused(ctx, SignatureFailed, PHARM_WRONG):
        step(WRONG)
    assert _meanings(ctx)[-1] == meaning
    with pytest.raises(DispensaryError) as other:
        step(right)
    assert not isinstance(other.value, SignatureFailed), other.value.message


def test_a_dispense_refused_otherwise_counts_a_wrong_password(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Cycle 1 dispensed already: a second dispense of it is refused, and its wrong password
    (the dispenser's, then the second checker's) counted."""
    _both(ctx, refused, lambda p: dispense(ctx, pharmacist, p), pw(pharmacist), "dispensed")
    wrong = "The second checker's password is wrong: pharm2, who checks the dispense"
    with refused(ctx, SignatureFailed, wrong):
        dispense(ctx, pharmacist, pw(pharmacist), checked_by="pharm2", checker_password=WRONG)
    assert _meanings(ctx)[-1] == "checked"


def test_a_void_refused_otherwise_counts_a_wrong_password(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """No such dispense to void."""
    _both(
        ctx,
        refused,
        lambda p: dispensing.void_dispense(ctx, pharmacist, "DSP000099", "wrong kit", p),
        pw(pharmacist),
        "corrected",
    )


def test_a_return_and_its_correction_refused_otherwise_count_a_wrong_password(
    ctx: Context,
    corrected_return: CorrectedReturn,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A kit that was never dispensed is returned; a return already corrected is corrected."""
    _both(
        ctx,
        refused,
        lambda p: returns.record_return(ctx, pharmacist, "K0001", 3, p),
        pw(pharmacist),
        "return counted",
    )
    first = corrected_return.first.return_id
    _both(
        ctx,
        refused,
        lambda p: returns.correct_return(ctx, pharmacist, first, 5, "recounted", p),
        pw(pharmacist),
        "corrected",
    )


def test_a_destruction_refused_otherwise_counts_a_wrong_password(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """The paperwork refused (no sponsor's authorisation), then a kit out with a participant:
    the destroyer's wrong password, then the witness's, counted."""
    unsigned = {**WITNESSED, "reference": ""}
    _both(
        ctx,
        refused,
        lambda p: destruction.destroy(
            ctx, pharmacist, ["K0001"], "tech", "incineration", p, **unsigned
        ),
        pw(pharmacist),
        "destroyed",
    )
    witness = "The witness's password is wrong: tech, the witness, signs the destruction"
    out = {**WITNESSED, "witness_password": WRONG}
    with refused(ctx, SignatureFailed, witness):
        destruction.destroy(
            ctx, pharmacist, ["K0011"], "tech", "incineration", pw(pharmacist), **out
        )
    assert _meanings(ctx)[-1] == "witnessed"
    with pytest.raises(DispensaryError) as other:  # the kit out, with the witness's password
        destruction.destroy(
            ctx, pharmacist, ["K0011"], "tech", "incineration", pw(pharmacist), **WITNESSED
        )
    assert not isinstance(other.value, SignatureFailed), other.value.message


def test_a_count_refused_otherwise_counts_a_wrong_password(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """A kit out with a participant is counted: the counter's wrong password, then the
    countersigner's, counted (the second person's whether or not the count differs, which a
    refusal must not tell before the count is recorded)."""
    _both(
        ctx,
        refused,
        lambda p: counts.record_count(ctx, pharmacist, "K0011", 3, p),
        pw(pharmacist),
        "counted",
    )
    verifier = "The verifier's password is wrong: tech, who countersigns the count"
    with refused(ctx, SignatureFailed, verifier):
        counts.record_count(
            ctx, pharmacist, "K0011", 3, pw(pharmacist), "breakage", "crushed", "tech", WRONG
        )
    assert _meanings(ctx)[-1] == "count verified"
    with pytest.raises(DispensaryError) as other:
        counts.record_count(
            ctx,
            pharmacist,
            "K0011",
            3,
            pw(pharmacist),
            "breakage",
            "crushed",
            "tech",
            TECH_PASSWORD,
        )
    assert not isinstance(other.value, SignatureFailed), other.value.message


def test_a_release_refused_otherwise_counts_a_wrong_password(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """A kit not in quarantine is released."""
    _both(
        ctx,
        refused,
        lambda p: quarantine.release(ctx, pharmacist, ["K0001"], "fine", "DEC-1", password=p),
        pw(pharmacist),
        "released",
    )


def test_participant_steps_refused_otherwise_count_a_wrong_password(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """A status change dated before the enrolment; the void of an enrolment with a dispense;
    an enrolment date corrected to after the participant's first dispense."""
    _both(
        ctx,
        refused,
        lambda p: participants.set_status(
            ctx,
            pharmacist,
            "01-001",
            "discontinued",
            "withdrew",
            password=p,
            effective_on=date(2020, 1, 1),
        ),
        pw(pharmacist),
        "status changed",
    )
    _both(
        ctx,
        refused,
        lambda p: participants.void_enrolment(ctx, pharmacist, "01-001", "typo", p),
        pw(pharmacist),
        "corrected",
    )
    _both(
        ctx,
        refused,
        lambda p: participants.correct_enrolment(
            ctx, pharmacist, "01-001", enrolled_on=date(2026, 1, 20), reason="typo", password=p
        ),
        pw(pharmacist),
        "corrected",
    )
