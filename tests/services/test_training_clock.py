"""The training clock (DISPENSARY_TODAY): a fixed day whose time moves on with the real one, and
never goes back behind the trail, at real midnight or days later. The real time is given, so
nothing here depends on the calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from dispensary.domain.errors import RuleViolation
from dispensary.services import audit, quarantine, setup
from dispensary.services.context import Actor, Context, FixedClock, clock_on

from .conftest import Stock

Refused = Callable[..., Any]
DAY = date(2026, 3, 2)


def real(day: int, hour: int, minute: int) -> datetime:
    """A real moment of December 2026, long after the fixed day."""
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """A time on the fixed day."""
    return datetime(2026, 3, 2, hour, minute, second, tzinfo=UTC)


def test_the_real_day_runs_through_the_fixed_days_evening_and_starts_again_at_midnight() -> None:
    assert clock_on(DAY, real(6, 0, 0)).now() == at(18, 0)
    assert clock_on(DAY, real(6, 12, 0)).now() == at(21, 0)
    before_midnight = clock_on(DAY, real(6, 23, 59))
    assert before_midnight.now() == at(23, 59, 45) and before_midnight.today() == DAY
    # Either side of real midnight, and days later: still the fixed day, at its evening again.
    after_midnight = clock_on(DAY, real(7, 0, 1))
    assert after_midnight.now() == at(18, 0, 15) and after_midnight.today() == DAY
    days_later = clock_on(DAY, real(10, 10, 0))
    assert days_later.now() == at(20, 30) and days_later.today() == DAY


def test_a_fixed_days_clock_moves_on_to_a_later_entry_of_its_day_only() -> None:
    last = clock_on(DAY, real(6, 23, 59)).now()
    for moment in (real(7, 0, 1), real(7, 12, 0), real(10, 10, 0)):
        clock = clock_on(DAY, moment)
        clock.not_before(last)
        assert clock.now() == last and clock.today() == DAY
    # An earlier entry leaves it where the real time put it.
    clock = clock_on(DAY, real(7, 12, 0))
    clock.not_before(at(17, 0))
    assert clock.now() == at(21, 0)
    # An entry of a later day is not followed there: "today" stays the fixed day.
    clock.not_before(at(9, 0) + timedelta(days=1))
    assert clock.now() == at(21, 0) and clock.today() == DAY
    clock.not_before(None)  # a trail with no entry yet
    assert clock.now() == at(21, 0)


def _train_at(ctx: Context, clock: FixedClock, moment: datetime) -> None:
    """A command's clock with DISPENSARY_TODAY at this real moment, on the open database."""
    clock.current = clock_on(ctx.clock.today(), moment).current
    setup.training_clock_on_trail(ctx)


def test_a_training_session_across_real_midnight_records_on(
    ctx: Context, clock: FixedClock, stock: Stock, admin: Actor, pharmacist: Actor
) -> None:
    """An entry at 23:59 real, then one at 00:01 real: the second was refused as a clock set
    back ("This computer's clock (... 18:00 UTC) is behind the last entry ... (... 23:59
    UTC)"); it is dated as the last entry, and the trail verifies."""
    day = clock.today()
    _train_at(ctx, clock, real(6, 23, 59))
    quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    first = audit.list_entries(ctx, admin)[-1]
    assert first.at == datetime.combine(day, at(23, 59, 45).time(), UTC)
    for kit, moment in zip(stock.late[1:], (real(7, 0, 1), real(9, 10, 0)), strict=False):
        _train_at(ctx, clock, moment)  # after midnight, and days later
        quarantine.quarantine(ctx, pharmacist, [kit], "seal broken")
        last = audit.list_entries(ctx, admin)[-1]
        assert last.action == "quarantine" and last.at == first.at
    assert audit.verify(ctx, admin).ok


def test_a_training_date_set_before_later_entries_is_still_refused(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, refused: Refused
) -> None:
    """Only an entry of the fixed day itself moves the clock: a date set days before the trail's
    last entry is refused, said as perhaps a training date's."""
    later_day = clock.today()
    _train_at(ctx, clock, real(6, 23, 59))
    quarantine.quarantine(ctx, pharmacist, [stock.late[0]], "seal broken")
    clock.current = clock_on(later_day - timedelta(days=3), real(7, 0, 1)).current
    setup.training_clock_on_trail(ctx)
    assert clock.today() == later_day - timedelta(days=3)
    with refused(ctx, RuleViolation, "written with a training date (DISPENSARY_TODAY)"):
        quarantine.quarantine(ctx, pharmacist, [stock.late[1]], "seal broken")
