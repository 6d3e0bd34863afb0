"""The demo's steps are never dated after the moment it is built: a demo made before its working
day's 08:30 UTC (a CI run at night, a site east of UTC), or east of UTC before the UTC date turns
(its "today" a day ahead of UTC's), would otherwise date entries ahead of the real clock, and
the next real step would be refused as dated before them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dispensary.services.demo import _before_now


def test_the_real_days_late_steps_are_spread_before_now_in_order() -> None:
    now = datetime(2026, 12, 4, 0, 31, tzinfo=UTC)
    today = date(2026, 12, 4)
    times = [
        datetime(2026, 12, 3, 8, 36, tzinfo=UTC),
        datetime(2026, 12, 4, 8, 36, tzinfo=UTC),
        datetime(2026, 12, 4, 8, 42, tzinfo=UTC),
    ]
    _before_now(times, now)
    assert times[0] == datetime(2026, 12, 3, 8, 36, tzinfo=UTC)  # an earlier day: as planned
    midnight = datetime(2026, 12, 4, tzinfo=UTC)
    assert midnight < times[1] < times[2] < now - timedelta(seconds=1)
    assert all(t.date() == today for t in times[1:])


def test_a_demo_built_after_its_working_day_keeps_its_times() -> None:
    now = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    planned = [datetime(2026, 12, 4, 8, 36, tzinfo=UTC), datetime(2026, 12, 4, 8, 42, tzinfo=UTC)]
    times = list(planned)
    _before_now(times, now)
    assert times == planned


def test_only_the_steps_after_now_move() -> None:
    now = datetime(2026, 12, 4, 8, 40, tzinfo=UTC)
    times = [datetime(2026, 12, 4, 8, 36, tzinfo=UTC), datetime(2026, 12, 4, 8, 42, tzinfo=UTC)]
    _before_now(times, now)
    assert times[0] == datetime(2026, 12, 4, 8, 36, tzinfo=UTC)
    assert times[0] < times[1] < now


def test_east_of_utc_before_the_utc_date_turns_todays_steps_move_before_now() -> None:
    """Henan at 07:00 (23:00 UTC the day before): the local "today" is UTC's tomorrow."""
    now = datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    times = [
        datetime(2026, 12, 4, 8, 36, tzinfo=UTC),  # local yesterday: already past
        datetime(2026, 12, 5, 8, 36, tzinfo=UTC),  # local today
        datetime(2026, 12, 5, 8, 42, tzinfo=UTC),
    ]
    _before_now(times, now)
    assert times[0] == datetime(2026, 12, 4, 8, 36, tzinfo=UTC)
    assert times[0] < times[1] < times[2] < now
