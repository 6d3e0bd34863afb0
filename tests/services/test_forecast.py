"""The supply forecast service: its inputs read from a real database, its permission, and a
simulation: the cycles then dispensed through the real dispensing service run out of stock in
the very week the forecast said they would."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from dispensary.db.engine import make_engine
from dispensary.domain.codes import Role
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.services import forecast as forecast_service
from dispensary.services import participants
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.forecast import ExpectedEnrolment
from dispensary.services.permissions import ALLOWED, Permission
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import P25, P75, dispense, enroll, receive, return_all

Password = Callable[[Actor], str]


def test_every_role_may_read_it_and_it_writes_nothing(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    technician: Actor,
    monitor: Actor,
    admin: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    before = snapshot(ctx)
    for actor in (pharmacist, technician, monitor, admin):
        result = forecast_service.forecast(ctx, actor, weeks=4)
        assert result.participants == 1
    assert snapshot(ctx) == before


def test_it_asks_for_the_view_permission(
    ctx: Context, monitor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ALLOWED, Permission.VIEW, frozenset({Role.PHARMACIST}))
    with pytest.raises(NotPermitted, match="view records"):
        forecast_service.forecast(ctx, monitor)


def test_inputs_from_the_database(
    ctx: Context, stock: Stock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    # 01-001 had cycle 1 on 2026-01-05 (K0011 of lot L2): cycle 2 falls on 01-26 (week 4 of a
    # forecast from 01-05). 01-002, enrolled today and not dispensed yet, starts cycle 1 today
    # at the starting dose (week 1), and cycle 2 on 01-26 too. On the shelf: 19 kits of 7.5 mg
    # (L2 first: 9 left, expiring 2026-12-31), 4 of 2.5 mg (no one needs them).
    enroll(ctx, pharmacist, "01-002", "CD")
    result = forecast_service.forecast(ctx, pharmacist, weeks=6)
    rows = result.forecast.product_rows(P75)
    assert [r.kits_needed for r in rows] == [1, 0, 0, 2, 0, 0]
    assert [r.kits_on_hand for r in rows][:2] == [19, 18]
    assert [(c.participant, c.kits) for c in result.forecast.cycles] == [
        ("01-002", ("K0012",)),
        ("01-001", ("K0013",)),
        ("01-002", ("K0014",)),
    ]
    assert [r.kits_on_hand for r in result.forecast.product_rows(P25)] == [4] * 6
    assert result.first_short_week is None and result.forecast.resupply == ()
    assert result.lead_time_days == 21 and not result.lead_time_confirmed
    assert result.lead_time_source == "site decision 2026-11"
    assert result.product_names[P75] == "herombopag (hetrombopag olamine) 7.5 mg tablet"


def test_a_dose_reduction_and_a_participant_off_treatment(
    ctx: Context, stock: Stock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    # 01-002 on the reduced dose (level -1, 2 x 2.5 mg = 42 tablets, one kit S000x of 42);
    # 01-003 discontinued: not forecast.
    enroll(ctx, pharmacist, "01-002", "CD")
    enroll(ctx, pharmacist, "01-003", "EF")
    dispense(ctx, pharmacist, pw(pharmacist), "01-002", dose_level=-1, dose_ordered_by="Dr Liu")
    participants.set_status(
        ctx, pharmacist, "01-003", "discontinued", "withdrew consent", password=pw(pharmacist)
    )
    result = forecast_service.forecast(ctx, pharmacist, weeks=4)
    assert result.participants == 2
    reduced = result.forecast.product_rows(P25)
    assert [r.tablets_needed for r in reduced] == [0, 0, 0, 42]
    assert [r.kits_on_hand for r in reduced] == [3, 3, 3, 3]


def test_a_delayed_cycle_and_enrolment_to_come(
    ctx: Context, stock: Stock, cycle1: DispenseResult, pharmacist: Actor
) -> None:
    delayed = forecast_service.forecast(
        ctx, pharmacist, weeks=6, day1s={"01-001": date(2026, 2, 2)}
    )
    assert [c.day1 for c in delayed.forecast.cycles] == [date(2026, 2, 2)]
    with pytest.raises(InvalidInput, match="not a participant on treatment"):
        forecast_service.forecast(ctx, pharmacist, day1s={"09-999": date(2026, 2, 2)})
    coming = ExpectedEnrolment(participants=2, first_day1=date(2026, 1, 12), every_days=7)
    result = forecast_service.forecast(ctx, pharmacist, weeks=4, enrolment=coming)
    assert [(c.participant, c.day1) for c in result.forecast.cycles] == [
        ("new-1", date(2026, 1, 12)),
        ("new-2", date(2026, 1, 19)),
        ("01-001", date(2026, 1, 26)),
    ]
    assert result.enrolment == coming


def test_a_wrong_horizon_is_refused(ctx: Context, pharmacist: Actor) -> None:
    with pytest.raises(InvalidInput, match="weeks ahead"):
        forecast_service.forecast(ctx, pharmacist, weeks=0)


def test_simulated_dispenses_run_out_in_the_forecast_short_week(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password
) -> None:
    # The shelf: 3 kits of lot E1 expiring 2026-03-01, 3 of lot E2 expiring 2026-03-05, 2 of
    # lot L1 expiring 2027-06-30. Three participants start a week apart (01-05, 01-12,
    # 01-19), the forecast is made on 01-19; then every cycle is dispensed on its day 1, each
    # previous bottle returned first, the clock moving a day at a time. By hand: E1 covers
    # cycle 1 of all three; E2 cycle 2 of 01-001 (01-26, lasting to 02-22) and 01-002 (02-02,
    # to 03-01); 01-003's cycle 2 (02-09) needs a kit lasting to 03-08: L1; 01-001's cycle 3
    # (02-16) the last L1; 01-002's cycle 3 (02-23) finds nothing: week 6 of the forecast
    # (02-23 is 35 days after 01-19). The third E2 kit expires unused.
    password = pw(pharmacist)
    receive(ctx, pharmacist, "E001-E003", "E1", date(2026, 3, 1))
    receive(ctx, pharmacist, "E004-E006", "E2", date(2026, 3, 5))
    receive(ctx, pharmacist, "L001-L002", "L1", date(2027, 6, 30))
    people = ("01-001", "01-002", "01-003")
    last: dict[str, DispenseResult] = {}
    day1s: dict[str, date] = {}
    for n, number in enumerate(people):
        clock.set_date(date(2026, 1, 5) + timedelta(weeks=n))
        enroll(ctx, pharmacist, number, "AB")
        last[number] = dispense(ctx, pharmacist, password, number)
        day1s[number] = clock.today()
    start = clock.today()
    weeks = 10
    predicted = forecast_service.forecast(ctx, pharmacist, weeks=weeks)
    assert [k.number for k in predicted.forecast.unused] == ["E006"]

    ran_out: int | None = None
    day = start
    while ran_out is None and day < start + timedelta(weeks=weeks):
        clock.set_date(day)
        for number in people:
            if day != day1s[number] + timedelta(days=21):
                continue
            return_all(ctx, pharmacist, password, last[number])
            try:
                last[number] = dispense(
                    ctx, pharmacist, password, number, cycle=last[number].cycle + 1
                )
            except RuleViolation as exc:
                assert "Not enough" in exc.message
                ran_out = (day - start).days // 7 + 1
                break
            day1s[number] = day
        day += timedelta(days=1)

    first = predicted.forecast.first_short
    assert ran_out == 6
    assert first is not None and first.week == ran_out
    assert first.start == date(2026, 2, 23)
    [order] = predicted.forecast.resupply
    assert order.order_by == date(2026, 2, 2)  # 02-23 - 21 days' lead time


def test_kept_while_nothing_is_written_read_again_after_another_workstation_s_step(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The Today screen asks at every refresh: with no entry written the forecast is the last
    one; a step at another workstation (its own engine) moves the chain head and it is played
    again, as is one given an enrolment to come, and one of another day."""
    first = forecast_service.forecast(ctx, pharmacist, weeks=6)
    assert forecast_service.forecast(ctx, pharmacist, weeks=6) is first
    assert forecast_service.forecast(ctx, pharmacist, weeks=4) is not first
    other = Context(make_engine(ctx.database), ctx.study, clock, ctx.database)
    dispense(other, pharmacist, pw(pharmacist), "01-001")
    after = forecast_service.forecast(ctx, pharmacist, weeks=6)
    assert after is not first and after.forecast.cycles != first.forecast.cycles
    assert after.forecast.cycles[0].day1 == first.forecast.cycles[0].day1 + timedelta(
        days=ctx.study.cycle.length_days
    )
    coming = ExpectedEnrolment(2, clock.today(), 7)
    with_enrolment = forecast_service.forecast(ctx, pharmacist, weeks=6, enrolment=coming)
    assert with_enrolment.participants == after.participants
    assert len(with_enrolment.forecast.cycles) > len(after.forecast.cycles)
    assert forecast_service.forecast(ctx, pharmacist, weeks=6) is after
    clock.set_date(clock.today() + timedelta(days=1))
    assert forecast_service.forecast(ctx, pharmacist, weeks=6).today == clock.today()
    other.engine.dispose()
