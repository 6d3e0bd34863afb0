"""The participant's record keeps a voided dispense, marked with who voided it, when and why,
and counts a void and a return recount as changes of the record (participant_record, the one
result `history`, the participants window and the participant report read)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date

import pytest

from dispensary.domain.errors import NotPermitted, RuleViolation
from dispensary.services import dispensing, queries, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import RETURN_CORRECTED, DispenseResult

Password = Callable[[Actor], str]


def test_a_voided_dispense_stays_in_the_history_with_who_and_why(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    before = queries.participant_record(ctx, pharmacist, "01-001")
    assert before.unchanged and before.history[0].voided is None
    assert dispensing.check_void(ctx, pharmacist, cycle1.number)
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "wrong participant", pw(pharmacist))
    record = queries.participant_record(ctx, pharmacist, "01-001")
    [row] = record.history
    assert row.dispense_number == cycle1.number and row.voided is not None
    assert (row.voided.full_name, row.voided.reason, row.voided.signed) == (
        pharmacist.full_name,
        "wrong participant",
        True,
    )
    assert record.standing == ()
    assert not record.unchanged
    assert [(c.field, c.new) for c in record.changes] == [("dispense_void", cycle1.number)]
    assert queries.participant_history(ctx, pharmacist, "01-001")[1] == []  # the next cycle's
    with pytest.raises(RuleViolation, match="has already been voided"):
        dispensing.check_void(ctx, pharmacist, cycle1.number)


def test_a_return_recount_is_a_change_of_the_record(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    kit = cycle1.kits[0].kit
    first = returns.record_return(ctx, pharmacist, kit, 3, pw(pharmacist), cycle1.number)
    with pytest.raises(RuleViolation, match="has returns recorded"):
        dispensing.check_void(ctx, pharmacist, cycle1.number)
    [ret] = queries.participant_record(ctx, pharmacist, "01-001").history[0].returns
    assert (ret.return_id, ret.kit, ret.tablets) == (first.return_id, kit, 3)
    assert returns.check_return_correction(ctx, pharmacist, ret.return_id, 4, "recounted")
    fixed = returns.correct_return(ctx, pharmacist, ret.return_id, 4, "recounted", pw(pharmacist))
    record = queries.participant_record(ctx, pharmacist, "01-001")
    [now] = record.history[0].returns
    assert (now.return_id, now.tablets, now.corrects) == (fixed.return_id, 4, ret.return_id)
    [change] = record.changes
    assert (change.field, change.old, change.new, change.return_id, change.kit) == (
        RETURN_CORRECTED,
        "3",
        "4",
        fixed.return_id,
        kit,
    )
    assert "corrected from 3 to 4" in queries.change_words(change)
    with pytest.raises(RuleViolation, match="has already been corrected"):
        returns.check_return_correction(ctx, pharmacist, ret.return_id, 5, "again")


def test_a_technician_is_refused_both(
    ctx: Context, cycle1: DispenseResult, technician: Actor
) -> None:
    with pytest.raises(NotPermitted):
        dispensing.check_void(ctx, technician, cycle1.number)
    with pytest.raises(NotPermitted):
        returns.check_return_correction(ctx, technician, 1, 4, "recount")


def test_a_void_is_dated_by_the_pharmacy_s_day_not_the_utc_date(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """Voided at 03:00 on 6 January in Henan (UTC+8) is 19:00 UTC on 5 January: the window
    said "voided 2026-01-05"."""
    from datetime import datetime, timedelta, timezone

    henan = timezone(timedelta(hours=8))
    clock.current = datetime(2026, 1, 6, 3, 0, tzinfo=henan)
    dispensing.void_dispense(
        ctx, pharmacist, cycle1.number, "wrong participant", pw(pharmacist), ["K0011"]
    )  # the day after the dispense: its kit scanned back
    [row] = queries.participant_record(ctx, pharmacist, "01-001").history
    assert row.voided is not None
    assert row.voided.at.astimezone(UTC).date() == date(2026, 1, 5)
    assert row.voided.on == date(2026, 1, 6)
