"""A local day begins at the first moment of it that exists on the workstation's clock
(services.context.local_day_start), the one rule the audit trail's filter (the Audit trail
screen, the audit report, `audit list --from/--to`, the monitor pack's count) and the
temperature kits' days take. Where the clocks go forward at midnight (America/Santiago on
6 Sep 2026: 00:00 becomes 01:00) it took the hour before midnight, 23:00 on 5 Sep, so an entry
the screen showed at 5 Sep 23:30 was counted in "6 Sep"."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from dispensary.services import audit, context, temperature
from dispensary.services.audit import AuditFilter
from dispensary.services.context import local_day_start


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Sets the workstation's zone (TZ + time.tzset), restored after the test."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    try:
        yield set_zone
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_day_whose_midnight_does_not_exist_begins_at_one(zone: Callable[[str], None]) -> None:
    zone("America/Santiago")
    start, end = AuditFilter(since=date(2026, 9, 6), until=date(2026, 9, 6)).bounds()
    assert start == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)  # 01:00 -03:00, the first time of 6 Sep
    assert start is not None and start.astimezone().date() == date(2026, 9, 6)
    assert end == datetime(2026, 9, 7, 3, 0, tzinfo=UTC)  # 7 Sep 00:00 -03:00
    shown_on_the_5th = datetime(2026, 9, 6, 3, 30, tzinfo=UTC)  # 5 Sep 23:30 -04:00
    assert shown_on_the_5th.astimezone().date() == date(2026, 9, 5)
    assert not start <= shown_on_the_5th
    _, end_of_5th = AuditFilter(since=date(2026, 9, 5), until=date(2026, 9, 5)).bounds()
    assert end_of_5th == start and end_of_5th is not None and shown_on_the_5th < end_of_5th


def test_the_day_the_clocks_go_back_begins_at_its_midnight(zone: Callable[[str], None]) -> None:
    zone("America/Santiago")  # 5 Apr 2026: 00:00 -03:00 becomes 23:00 -04:00 on 4 Apr
    assert local_day_start(date(2026, 4, 5)) == datetime(2026, 4, 5, 4, 0, tzinfo=UTC)
    assert local_day_start(date(2026, 4, 4)) == datetime(2026, 4, 4, 3, 0, tzinfo=UTC)
    assert local_day_start(date(2026, 9, 5)) == datetime(2026, 9, 5, 4, 0, tzinfo=UTC)


def test_in_china_a_day_begins_at_16_utc_the_day_before(zone: Callable[[str], None]) -> None:
    zone("Asia/Shanghai")
    start, end = AuditFilter(since=date(2026, 3, 1), until=date(2026, 3, 2)).bounds()
    assert start == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)


def test_the_temperature_kits_days_take_the_same_rule(zone: Callable[[str], None]) -> None:
    for module in (audit, temperature):  # the one helper, not a copy of the rule
        assert vars(module)["local_day_start"] is context.local_day_start
    zone("America/Santiago")
    entered_later = datetime(2026, 9, 8, 15, 0, tzinfo=UTC)
    arrived, by_day = temperature._when_on(date(2026, 9, 6), entered_later, leaving=False)
    assert (arrived, by_day) == (datetime(2026, 9, 6, 4, 0, tzinfo=UTC), True)
    left, _ = temperature._when_on(date(2026, 9, 5), entered_later, leaving=True)
    assert left == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)  # the end of 5 Sep is the start of 6 Sep
