"""Returns: tablets counted back per kit, adherence and its flags, corrections that never edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from dispensary.domain.codes import Flag, KitStatus
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.services import audit, counts, destruction, queries, reconciliation, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import WITNESSED, dispense, scalar, write_off

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
NEXT_DAY1 = date(2026, 1, 26)  # 21 days after the first day 1


@pytest.fixture
def back(clock: FixedClock, cycle1: DispenseResult) -> DispenseResult:
    """The day the participant comes back for cycle 2."""
    clock.set_date(NEXT_DAY1)
    return cycle1


def give_back(ctx: Context, actor: Actor, password: str, tablets: int, **options: Any) -> Any:
    return returns.record_return(
        ctx, actor, "K0011", tablets, password, dispense="DSP000001", **options
    )


def test_return_and_adherence(
    ctx: Context, back: DispenseResult, technician: Actor, pw: Password
) -> None:
    result = give_back(ctx, technician, pw(technician), 3, condition="bottle intact")
    assert (result.dispense_number, result.participant, result.cycle, result.kit) == (
        "DSP000001",
        "01-001",
        1,
        "K0011",
    )
    assert (result.tablets_returned, result.dispensed, result.returned) == (3, 21, 3)
    assert (result.taken, result.expected, result.flags, result.corrects) == (18, 21, (), None)
    assert result.adherence == pytest.approx(18 / 21)
    kit = queries.kit_detail(ctx, technician, "K0011")
    assert (kit.status, kit.tablets) == (KitStatus.RETURNED, 3)
    last = queries.ledger_rows(ctx, technician)[-1]
    assert (last.kind, last.quantity, last.participant, last.entry_date) == (
        "return",
        3,
        "01-001",
        NEXT_DAY1,
    )
    assert scalar(ctx, "SELECT meaning FROM signatures WHERE record_type = 'return'") == (
        "return counted"
    )
    assert queries.participant(ctx, technician, "01-001").return_pending is False
    assert audit.verify(ctx, technician).ok


def test_return_named_by_participant_and_cycle(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    result = returns.record_return(
        ctx, pharmacist, "k0011", 0, pw(pharmacist), study_number="01-001", cycle=1
    )
    assert (result.dispense_number, result.taken) == ("DSP000001", 21)


def test_more_than_dispensed_is_refused(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(
        ctx,
        RuleViolation,
        "22 tablets returned for kit K0011, but only 21 tablets were dispensed from it",
    ):
        give_back(ctx, pharmacist, pw(pharmacist), 22)


def test_kit_not_in_that_dispense_is_refused(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(
        ctx, RuleViolation, "Kit K0001 was not dispensed in DSP000001 (cycle 1); its kits"
    ):
        returns.record_return(ctx, pharmacist, "K0001", 0, pw(pharmacist), dispense="DSP000001")


def test_second_return_of_a_kit_is_refused(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    give_back(ctx, pharmacist, pw(pharmacist), 3)
    with refused(ctx, RuleViolation, "The return of kit K0011 for DSP000001 is already recorded"):
        give_back(ctx, pharmacist, pw(pharmacist), 1)


@pytest.mark.parametrize(
    ("tablets", "options", "error", "words"),
    [
        (-1, {}, InvalidInput, "number of tablets returned cannot be negative"),
        (0, {"held_days": 22}, InvalidInput, "22 days held is more than the 21 days of supply"),
        (0, {"held_days": -1}, InvalidInput, "days the drug was held cannot be negative"),
        (0, {"returned_on": date(2026, 1, 27)}, InvalidInput, "return date 2026-01-27 is in the"),
        (0, {"returned_on": date(2026, 1, 4)}, InvalidInput, "is before the dispense (2026-01-05)"),
        (0, {"note": "x" * 501}, InvalidInput, "The note is 501 characters long"),
    ],
)
def test_malformed_returns_are_refused(
    ctx: Context,
    back: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    tablets: int,
    options: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        give_back(ctx, pharmacist, pw(pharmacist), tablets, **options)


def test_the_dispense_must_be_named(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "Name the dispense"):
        returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist))
    with refused(ctx, NotFound, "There is no dispense 'DSP000042'"):
        returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), dispense="DSP000042")
    with refused(ctx, NotFound, "Participant 01-001 has no dispense for cycle 2"):
        returns.record_return(
            ctx, pharmacist, "K0011", 0, pw(pharmacist), study_number="01-001", cycle=2
        )


def test_wrong_password_and_roles(
    ctx: Context,
    back: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    admin: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    with refused(ctx, SignatureFailed, "signature password for pharm is wrong"):
        give_back(ctx, pharmacist, "tech-pass-1", 3)
    for actor in (monitor, admin):
        with refused(ctx, NotPermitted, f"{actor.username} ({actor.role.value}) may not record"):
            give_back(ctx, actor, pw(actor), 3)


def test_held_days_are_not_expected_doses(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    result = give_back(ctx, pharmacist, pw(pharmacist), 5, held_days=5)
    assert (result.taken, result.expected, result.flags) == (16, 16, ())
    assert result.adherence == pytest.approx(1.0)


def test_under_use_is_flagged(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    result = give_back(ctx, pharmacist, pw(pharmacist), 10)
    assert (result.taken, result.expected, result.flags) == (11, 21, (Flag.UNDER_USE,))


def test_over_use_is_flagged(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 20))  # 15 days of treatment, nothing brought back
    result = give_back(ctx, pharmacist, pw(pharmacist), 0)
    assert (result.taken, result.expected, result.flags) == (21, 15, (Flag.OVER_USE,))


def test_thresholds_come_from_the_study_file(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    lenient = replace(
        ctx.study,
        adherence=replace(ctx.study.adherence, under_use_below=0.5, over_use_above=1.5),
    )
    result = give_back(replace(ctx, study=lenient), pharmacist, pw(pharmacist), 10)
    assert (result.taken, result.flags) == (11, ())


def test_adherence_waits_for_every_kit_of_the_dispense(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
) -> None:
    write_off(ctx, pharmacist, "K0011", 20, pw(pharmacist))
    counts.record_count(
        ctx, pharmacist, "K0012", 1, pw(pharmacist), "breakage", "spilt", "tech", "tech-pass-1"
    )
    first = dispense(ctx, pharmacist, pw(pharmacist))
    assert [k.kit for k in first.kits] == ["K0011", "K0012"]
    clock.set_date(NEXT_DAY1)
    part = returns.record_return(ctx, pharmacist, "K0011", 1, pw(pharmacist), dispense="DSP000001")
    assert (part.returned, part.expected, part.adherence, part.flags) == (1, 0, None, ())
    whole = returns.record_return(ctx, pharmacist, "K0012", 0, pw(pharmacist), dispense="DSP000001")
    assert (whole.dispensed, whole.returned, whole.taken, whole.expected) == (21, 1, 20, 21)


def test_correction_is_a_new_return_with_reversing_entries(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    first = give_back(ctx, pharmacist, pw(pharmacist), 3)
    fixed = returns.correct_return(
        ctx, pharmacist, first.return_id, 5, "recounted with the monitor", pw(pharmacist)
    )
    assert (fixed.corrects, fixed.tablets_returned, fixed.returned, fixed.taken) == (
        first.return_id,
        5,
        5,
        16,
    )
    # The first return is still there, as it was; the correction names it.
    assert scalar(ctx, "SELECT tablets FROM returns WHERE id = :i", i=first.return_id) == 3
    assert scalar(ctx, "SELECT corrects_id FROM returns WHERE id = :i", i=fixed.return_id) == (
        first.return_id
    )
    rows = [r for r in queries.ledger_rows(ctx, pharmacist) if r.kind == "return"]
    assert [(r.quantity, r.reverses is not None) for r in rows] == [
        (3, False),
        (-3, True),
        (5, False),
    ]
    assert rows[1].reverses == rows[0].id and rows[1].reason == "recounted with the monitor"
    assert queries.kit_detail(ctx, pharmacist, "K0011").tablets == 5
    [entry] = audit.list_entries(ctx, pharmacist, action="return_corrected")
    assert (entry.old, entry.reason) == ('{"tablets":3}', "recounted with the monitor")
    assert audit.verify(ctx, pharmacist).ok
    history = queries.participant_history(ctx, pharmacist, "01-001")[1]
    assert (history[0].returned, history[0].taken) == (5, 16)


def test_correction_refusals(
    ctx: Context,
    back: DispenseResult,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    first = give_back(ctx, pharmacist, pw(pharmacist), 3)
    with refused(ctx, NotPermitted, "tech (technician) may not correct a recorded return"):
        returns.correct_return(ctx, technician, first.return_id, 5, "recount", pw(technician))
    with refused(ctx, SignatureFailed, "signature password for pharm is wrong"):
        returns.correct_return(ctx, pharmacist, first.return_id, 5, "recount", "bad-password")
    with refused(ctx, InvalidInput, "Give the reason for the correction"):
        returns.correct_return(ctx, pharmacist, first.return_id, 5, " ", pw(pharmacist))
    with refused(ctx, RuleViolation, "22 tablets returned for kit K0011"):
        returns.correct_return(ctx, pharmacist, first.return_id, 22, "recount", pw(pharmacist))
    # A mistyped number says where the returns' numbers are listed, not only that it is wrong.
    with refused(
        ctx,
        NotFound,
        "There is no return 99. Check the number: the participant's history lists each return "
        "with its number (in Participants, or `dispensary history STUDY_NUMBER`).",
    ):
        returns.correct_return(ctx, pharmacist, 99, 5, "recount", pw(pharmacist))
    second = returns.correct_return(ctx, pharmacist, first.return_id, 5, "recount", pw(pharmacist))
    with refused(ctx, RuleViolation, f"Return {first.return_id} has already been corrected"):
        returns.correct_return(ctx, pharmacist, first.return_id, 4, "recount", pw(pharmacist))
    third = returns.correct_return(ctx, pharmacist, second.return_id, 4, "again", pw(pharmacist))
    assert (third.corrects, third.returned) == (second.return_id, 4)
    # Named: the latest of the chain, not only "the latest one".
    latest = f"correct the latest one, return {third.return_id}."
    for old in (first.return_id, second.return_id):
        with refused(ctx, RuleViolation, latest):
            returns.correct_return(ctx, pharmacist, old, 3, "recount", pw(pharmacist))


@pytest.mark.parametrize("tablets", [3, 0])
def test_correction_after_destruction_is_refused(
    ctx: Context,
    back: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    tablets: int,
) -> None:
    first = give_back(ctx, pharmacist, pw(pharmacist), tablets)
    destruction.destroy(
        ctx, pharmacist, ["K0011"], "tech", "incineration", pw(pharmacist), **WITNESSED
    )
    with refused(
        ctx, RuleViolation, "The returned tablets of kit K0011 have already been destroyed"
    ) as found:
        returns.correct_return(ctx, pharmacist, first.return_id, 2, "recount", pw(pharmacist))
    # The step there is: the sign-off's note (no "difference in the reconciliation" to record).
    assert "`dispensary sign-off --note TEXT`" in found.value.message
    assert "Record the difference" not in found.value.message


def open_adherence_findings(ctx: Context, actor: Actor) -> list[str]:
    found = reconciliation.reconcile(ctx, actor).discrepancies
    return [d.subject for d in found if d.kind == "adherence"]


def test_explaining_a_flag_closes_it(
    ctx: Context,
    back: DispenseResult,
    pharmacist: Actor,
    technician: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    give_back(ctx, pharmacist, pw(pharmacist), 10)
    assert open_adherence_findings(ctx, monitor) == ["01-001"]
    with refused(
        ctx, NotPermitted, "monitor (monitor) may not record the reason for an adherence flag"
    ):
        returns.explain_flag(ctx, monitor, "DSP000001", "vomited")
    with refused(ctx, InvalidInput, "Give the explanation of the adherence flag"):
        returns.explain_flag(ctx, pharmacist, "DSP000001", "")
    result = returns.explain_flag(ctx, technician, "DSP000001", "doses held for nausea")
    assert result.flags == (Flag.UNDER_USE,)  # the counts are unchanged; the flag is explained
    assert open_adherence_findings(ctx, monitor) == []
    history = queries.participant_history(ctx, monitor, "01-001")[1]
    assert history[0].flag_reason == "doses held for nausea"
    [entry] = audit.list_entries(ctx, monitor, action="adherence_explained")
    assert entry.reason == "doses held for nausea"


def test_a_note_at_the_return_explains_the_flag(
    ctx: Context, back: DispenseResult, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    give_back(ctx, pharmacist, pw(pharmacist), 10, note="lost 9 tablets on holiday")
    assert open_adherence_findings(ctx, monitor) == []


def test_a_dispense_without_a_flag_has_nothing_to_explain(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """Every tablet taken: no flag, so no explanation is recorded (no note, no audit entry)."""
    result = give_back(ctx, pharmacist, pw(pharmacist), 0)
    assert result.flags == ()
    with refused(ctx, RuleViolation, "Dispense DSP000001 has no adherence flag to explain"):
        returns.explain_flag(ctx, pharmacist, "DSP000001", "missed doses")


def test_no_flag_to_explain_without_a_return(
    ctx: Context, back: DispenseResult, pharmacist: Actor, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, "No return is recorded for DSP000001 yet"):
        returns.explain_flag(ctx, pharmacist, "DSP000001", "vomited")
