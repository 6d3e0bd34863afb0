"""A return's correction: the explanation of a flag answers the flag it was written for, the
correction keeps what the return recorded (hold period, note), may correct its date and hold
period, and a correction that changes nothing is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from dispensary.db.engine import read_transaction
from dispensary.domain.codes import Flag
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.services import audit, queries, reconciliation, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from dispensary.services.returns import ReturnChange

from .helpers import scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
NEXT_DAY1 = date(2026, 1, 26)  # 21 days after the first day 1 (cycle 1: 21 tablets, 1 a day)
HOLD = {
    "held_from": date(2026, 1, 10),
    "held_until": date(2026, 1, 14),
    "held_ordered_by": "Dr Liu",
}


@pytest.fixture
def back(clock: FixedClock, cycle1: DispenseResult) -> DispenseResult:
    clock.set_date(NEXT_DAY1)
    return cycle1


def later(clock: FixedClock) -> None:
    """A minute on: each step of these tests at its own time, as at a real counter."""
    clock.current += timedelta(minutes=1)


def history(ctx: Context, actor: Actor) -> Any:
    return queries.participant_history(ctx, actor, "01-001")[1][0]


def open_findings(ctx: Context, actor: Actor) -> list[str]:
    found = reconciliation.reconcile(ctx, actor).discrepancies
    return [d.subject for d in found if d.kind == "adherence"]


def flagged(ctx: Context) -> set[int]:
    with read_transaction(ctx.engine) as session:
        return queries.flagged_participants(session, ctx)


def test_an_explanation_answers_the_flag_it_was_written_for(
    ctx: Context, back: DispenseResult, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    # 0 of 21 back after a five-day hold: 21 taken of 16, over-use the note explains.
    first = returns.record_return(
        ctx,
        pharmacist,
        "K0011",
        0,
        pw(pharmacist),
        dispense="DSP000001",
        note="Held for platelets",
        **HOLD,
    )
    assert first.flags == (Flag.OVER_USE,)
    assert (history(ctx, pharmacist).flag_reason, open_findings(ctx, pharmacist)) == (
        "Held for platelets",
        [],
    )
    later(clock)
    same = returns.correct_return(ctx, pharmacist, first.return_id, 1, "recount", pw(pharmacist))
    assert same.flags == (Flag.OVER_USE,)  # still over-use: still explained
    assert history(ctx, pharmacist).flag_reason == "Held for platelets"
    assert flagged(ctx) == set()
    later(clock)
    cleared = returns.correct_return(ctx, pharmacist, same.return_id, 5, "recount", pw(pharmacist))
    assert cleared.flags == ()
    later(clock)
    under = returns.correct_return(
        ctx, pharmacist, cleared.return_id, 12, "recount", pw(pharmacist)
    )
    assert (under.flags, under.taken, under.expected) == ((Flag.UNDER_USE,), 9, 16)
    # The hold's note answered over-use, not this under-use: open until explained.
    row = history(ctx, pharmacist)
    assert (row.flags, row.flag_reason) == ((Flag.UNDER_USE,), "")
    assert open_findings(ctx, pharmacist) == ["01-001"]
    assert flagged(ctx) == {scalar(ctx, "SELECT id FROM participants")}
    later(clock)
    returns.explain_flag(ctx, pharmacist, "DSP000001", "tablets lost in the wash")
    assert history(ctx, pharmacist).flag_reason == "tablets lost in the wash"
    assert (open_findings(ctx, pharmacist), flagged(ctx)) == ([], set())


def test_an_explanation_before_a_correction_that_changes_the_flag_no_longer_answers(
    ctx: Context, back: DispenseResult, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    first = returns.record_return(
        ctx, pharmacist, "K0011", 10, pw(pharmacist), dispense="DSP000001"
    )
    assert first.flags == (Flag.UNDER_USE,)
    later(clock)
    returns.explain_flag(ctx, pharmacist, "DSP000001", "forgot doses")
    assert open_findings(ctx, pharmacist) == []
    later(clock)
    over = returns.correct_return(
        ctx, pharmacist, first.return_id, 0, "recount", pw(pharmacist), ReturnChange(held_days=5)
    )
    assert over.flags == (Flag.OVER_USE,)
    assert history(ctx, pharmacist).flag_reason == ""
    assert open_findings(ctx, pharmacist) == ["01-001"]


def test_a_correction_keeps_the_hold_and_the_note(
    ctx: Context, back: DispenseResult, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    first = returns.record_return(
        ctx,
        pharmacist,
        "K0011",
        5,
        pw(pharmacist),
        dispense="DSP000001",
        note="Held for platelets",
        condition="bottle intact",
        **HOLD,
    )
    later(clock)
    fixed = returns.correct_return(ctx, pharmacist, first.return_id, 6, "recounted", pw(pharmacist))
    kept = "SELECT {} FROM returns WHERE id = :i"
    columns = "held_from, held_until, held_ordered_by, held_days, note, condition, returned_on"
    with read_transaction(ctx.engine) as session:
        was, now = (
            session.execute(text(kept.format(columns)), {"i": i}).one()
            for i in (first.return_id, fixed.return_id)
        )
    assert now == was and now[2:5] == ("Dr Liu", 5, "Held for platelets")
    [entry] = audit.list_entries(ctx, pharmacist, action="return_corrected")
    assert entry.reason == "recounted"  # the correction's reason: its own, not the note
    assert entry.old == '{"tablets":5}'


def test_a_correction_may_give_the_return_date_and_the_held_period(
    ctx: Context,
    back: DispenseResult,
    clock: FixedClock,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    first = returns.record_return(ctx, pharmacist, "K0011", 5, pw(pharmacist), dispense="DSP000001")
    later(clock)
    for change, error, words in (
        (ReturnChange(returned_on=date(2026, 1, 4)), InvalidInput, "is before the dispense"),
        (ReturnChange(returned_on=date(2026, 1, 27)), InvalidInput, "is in the future"),
        (ReturnChange(held_from=date(2026, 1, 10)), InvalidInput, "give both 'held from'"),
        (
            ReturnChange(held_from=date(2026, 1, 10), held_until=date(2026, 1, 14)),
            InvalidInput,
            "Give the investigator who ordered",
        ),
        (
            ReturnChange(
                returned_on=date(2026, 1, 12),
                **HOLD,  # type: ignore[arg-type]
            ),
            InvalidInput,
            "must end on or before the return date (2026-01-12)",
        ),
        (ReturnChange(held_days=22), InvalidInput, "22 days held is more than the 21 days"),
    ):
        with refused(ctx, error, words):
            returns.correct_return(
                ctx, pharmacist, first.return_id, 5, "wrong date", pw(pharmacist), change
            )
    fixed = returns.correct_return(
        ctx,
        pharmacist,
        first.return_id,
        5,
        "hold not recorded",
        pw(pharmacist),
        ReturnChange(returned_on=date(2026, 1, 23), **HOLD),  # type: ignore[arg-type]
    )
    assert (fixed.corrects, fixed.expected) == (first.return_id, 18 - 5)
    row = scalar(
        ctx,
        "SELECT returned_on || ' ' || held_from || ' ' || held_until || ' ' || held_ordered_by"
        " || ' ' || held_days FROM returns WHERE id = :i",
        i=fixed.return_id,
    )
    assert row == "2026-01-23 2026-01-10 2026-01-14 Dr Liu 5"
    [entry] = audit.list_entries(ctx, pharmacist, action="return_corrected")
    assert '"returned_on":"2026-01-26"' in entry.old and '"held_ordered_by":null' in entry.old


def test_a_correction_that_changes_nothing_is_refused(
    ctx: Context, back: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    first = returns.record_return(
        ctx, pharmacist, "K0011", 5, pw(pharmacist), dispense="DSP000001", **HOLD
    )
    for change in (KEPT := ReturnChange(), ReturnChange(returned_on=date(2026, 1, 26), **HOLD)):  # type: ignore[arg-type]
        with refused(ctx, RuleViolation, "the count is already 5, returned on 2026-01-26; nothing"):
            returns.check_return_correction(ctx, pharmacist, first.return_id, 5, "recount", change)
        with refused(ctx, RuleViolation, "nothing to correct"):
            returns.correct_return(
                ctx, pharmacist, first.return_id, 5, "recount", pw(pharmacist), change
            )
    assert KEPT == returns.KEPT
