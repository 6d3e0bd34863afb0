"""Leaving treatment as the record gives it: no dose expected from the status's effective date,
the kits still out due back from it, status dates in order; and a held period trimmed to the
days expected use counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from dispensary.domain.codes import Flag
from dispensary.domain.errors import RuleViolation
from dispensary.services import audit, dashboard, participants, queries, reconciliation, returns
from dispensary.services.assessment import ReturnRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import dispense, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
DAY1 = date(2026, 1, 5)  # cycle 1's day 1 and dispense (21 days of supply: to 2026-01-25)


def _stop(
    ctx: Context, actor: Actor, password: str, status: str, effective_on: date, **kw: Any
) -> None:
    participants.set_status(
        ctx,
        actor,
        "01-001",
        status,
        "investigator stopped drug",
        password=password,
        effective_on=effective_on,
        **kw,
    )


@pytest.mark.parametrize("status", ["discontinued", "completed"])
def test_no_dose_is_expected_from_the_day_treatment_ended(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    status: str,
) -> None:
    """The review: told to stop on 25 Nov (cycle 7 from 18 Nov), the count back on 6 Dec said
    "taken 7 of 18 expected: 39%", under-use: expected use stopped on the day the status was
    recorded, not on its effective date. The doses from day 1 to the day before it: 7."""
    clock.set_date(date(2026, 1, 20))
    _stop(ctx, pharmacist, pw(pharmacist), status, DAY1 + timedelta(days=7))  # 2026-01-12
    clock.set_date(date(2026, 1, 23))
    request = ReturnRequest(dispense=cycle1.number, kit=cycle1.kits[0].kit, tablets=14)
    preview = returns.assess_return(ctx, pharmacist, request).preview
    assert preview is not None
    assert (preview.taken, preview.expected, preview.flags) == (7, 7, ())
    result = returns.record_return(
        ctx, pharmacist, cycle1.kits[0].kit, 14, pw(pharmacist), dispense=cycle1.number
    )
    assert (result.taken, result.expected, result.flags) == (7, 7, ())
    [row] = queries.participant_history(ctx, pharmacist, "01-001")[1]
    assert (row.taken, row.expected, row.flags) == (7, 7, ())
    found = reconciliation.reconcile(ctx, pharmacist).discrepancies
    assert not [d for d in found if d.kind == "adherence"]


def test_a_held_period_ending_on_the_return_day_holds_no_dose_of_that_day(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """The review: held 25 Nov to the return day (6 Dec), 7 taken said "7 of 6 expected:
    117%", a false over-use. Expected use counts the days before the return (2026-01-05 to
    2026-01-19: 15); the period held counts the same days (2026-01-15 to 2026-01-19: 5)."""
    clock.set_date(date(2026, 1, 20))
    kit = cycle1.kits[0].kit
    held = {"held_from": date(2026, 1, 15), "held_until": date(2026, 1, 20)}
    request = ReturnRequest(
        dispense=cycle1.number, kit=kit, tablets=11, held_ordered_by="Dr Liu", **held
    )
    assessed = returns.assess_return(ctx, pharmacist, request)
    assert assessed.held_days == 5
    assert assessed.preview is not None
    assert (assessed.preview.taken, assessed.preview.expected) == (10, 10)
    result = returns.record_return(
        ctx,
        pharmacist,
        kit,
        11,
        pw(pharmacist),
        dispense=cycle1.number,
        held_ordered_by="Dr Liu",
        **held,
    )
    assert (result.taken, result.expected, result.flags) == (10, 10, ())
    assert scalar(ctx, "SELECT held_days FROM returns") == 5


def test_a_held_period_after_treatment_ended_holds_no_expected_dose(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """Stopped on 2026-01-12 and held from then to the return: the days after the stop are
    no expected doses already; counted again as held they left 7 - 9 = none expected."""
    clock.set_date(date(2026, 1, 20))
    _stop(ctx, pharmacist, pw(pharmacist), "discontinued", date(2026, 1, 12))
    request = ReturnRequest(
        dispense=cycle1.number,
        kit=cycle1.kits[0].kit,
        tablets=14,
        held_from=date(2026, 1, 12),
        held_until=date(2026, 1, 20),
        held_ordered_by="Dr Liu",
    )
    assessed = returns.assess_return(ctx, pharmacist, request)
    assert assessed.held_days == 0
    assert assessed.preview is not None
    assert (assessed.preview.taken, assessed.preview.expected, assessed.preview.flags) == (
        7,
        7,
        (),
    )


def test_the_kits_out_are_due_back_from_the_day_treatment_ended(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The review: discontinued on 25 Nov with cycle 7's bottle out (supply to 8 Dec), the
    register said "not yet due" on 6 Dec, overdue only after the supply's end and the grace.
    Off treatment the bottle is due back from the effective date, overdue after the study's
    grace ([returns] grace_days) from it, on the register, the Today screen and in the
    reconciliation alike."""
    given = dispense(ctx, pharmacist, pw(pharmacist), "01-001")
    stopped = DAY1 + timedelta(days=3)
    grace = ctx.study.return_grace_days
    clock.set_date(stopped + timedelta(days=grace + 1))
    before = reconciliation.reconcile(ctx, pharmacist).discrepancies  # a read kept, then moved on
    assert not [d for d in before if d.kind == "return_overdue"]
    _stop(ctx, pharmacist, pw(pharmacist), "discontinued", stopped)
    for day, due, overdue in (  # the day of the kept read first: the status change read in
        (stopped + timedelta(days=grace + 1), True, True),
        (stopped + timedelta(days=grace), True, False),
        (stopped, True, False),
    ):
        clock.set_date(max(day, stopped + timedelta(days=1)))
        [row] = queries.participants(ctx, pharmacist)
        assert (row.return_pending, row.return_due, row.return_overdue) == (True, due, overdue)
        today = dashboard.dashboard(ctx, pharmacist)
        assert [(p.study_number, p.last_day, p.overdue) for p in today.returns_pending] == [
            ("01-001", stopped - timedelta(days=1), overdue)  # "supply to": the last dose
        ]
        found = reconciliation.reconcile(ctx, pharmacist).discrepancies
        late = [d for d in found if d.kind == "return_overdue"]
        assert [d.subject for d in late] == (["01-001"] if overdue else []), day
    assert clock.today() < given.day1 + timedelta(days=ctx.study.cycle.days_of_supply)


def test_back_on_treatment_the_bottle_is_due_as_the_cycle_says(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    dispense(ctx, pharmacist, pw(pharmacist), "01-001")
    clock.set_date(DAY1 + timedelta(days=4))
    _stop(ctx, pharmacist, pw(pharmacist), "discontinued", DAY1 + timedelta(days=3))
    participants.set_status(
        ctx, pharmacist, "01-001", "on_treatment", "discontinued in error", password=pw(pharmacist)
    )
    [row] = queries.participants(ctx, pharmacist)
    assert (row.return_pending, row.return_due, row.return_overdue) == (True, False, False)


def test_a_status_change_is_not_dated_before_the_status_it_replaces(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    refused: Refused,
    pw: Password,
) -> None:
    """The review: discontinued effective 1 Dec, then back on treatment effective 28 Nov, then
    completed effective 27 Nov, all accepted: an order no record could have. Refused naming
    the date the status now took effect, nothing written; on that date or after, accepted. A
    status set in error is put right by the next change: the status it should have been, on
    the same date, or back on treatment."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 20))
    _stop(ctx, pharmacist, secret, "discontinued", date(2026, 1, 15))
    entries = scalar(ctx, "SELECT COUNT(*) FROM audit_entries")
    message = (
        "The effective date 2026-01-12 is before participant 01-001's status now, "
        "discontinued, took effect (2026-01-15). Give a date on or after 2026-01-15."
    )
    with refused(ctx, RuleViolation, message):
        _stop(ctx, pharmacist, secret, "on_treatment", date(2026, 1, 12))
    with refused(ctx, RuleViolation, "before participant 01-001's status now"):
        participants.check_status_change(
            ctx, pharmacist, "01-001", "completed", "end of study", date(2026, 1, 14)
        )
    assert scalar(ctx, "SELECT COUNT(*) FROM audit_entries") == entries
    # The wrong status put right on the same date; then back on treatment, later.
    _stop(ctx, pharmacist, secret, "completed", date(2026, 1, 15))
    with refused(ctx, RuleViolation, "status now, completed, took effect (2026-01-15)"):
        _stop(ctx, pharmacist, secret, "on_treatment", date(2026, 1, 14))
    _stop(ctx, pharmacist, secret, "on_treatment", date(2026, 1, 18))
    with refused(ctx, RuleViolation, "status now, on treatment, took effect (2026-01-18)"):
        _stop(ctx, pharmacist, secret, "discontinued", date(2026, 1, 17))
    changes = queries.participant_changes(ctx, pharmacist, "01-001")
    assert [(c.new, c.effective_on) for c in changes] == [
        ("discontinued", date(2026, 1, 15)),
        ("completed", date(2026, 1, 15)),
        ("on_treatment", date(2026, 1, 18)),
    ]
    assert audit.verify(ctx, pharmacist).ok


def test_flags_still_follow_the_count_once_treatment_ended(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """Expected use stops at the effective date; a count that says more was taken is still
    over-use (the stop is arithmetic from the record, not a pass)."""
    clock.set_date(date(2026, 1, 20))
    _stop(ctx, pharmacist, pw(pharmacist), "discontinued", date(2026, 1, 12))
    result = returns.record_return(
        ctx, pharmacist, cycle1.kits[0].kit, 5, pw(pharmacist), dispense=cycle1.number
    )
    assert (result.taken, result.expected, result.flags) == (16, 7, (Flag.OVER_USE,))
