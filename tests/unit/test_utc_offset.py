"""A local time says its zone by its offset from UTC: "CST" printed beside an audit entry's
time is China Standard Time (UTC+8) and US Central Standard Time (UTC-6) both."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dispensary.i18n import utc_offset
from dispensary.reports.audit import local

AT = datetime(2026, 12, 4, 8, 36, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "offset"),
    [
        ("Asia/Shanghai", "UTC+08:00"),
        ("America/Chicago", "UTC-06:00"),
        ("Asia/Kolkata", "UTC+05:30"),
        ("America/St_Johns", "UTC-03:30"),
        ("UTC", "UTC+00:00"),
    ],
)
def test_a_zone_is_said_by_its_offset(zone: str, offset: str) -> None:
    assert utc_offset(AT.astimezone(ZoneInfo(zone))) == offset


def test_a_time_without_a_zone_says_none() -> None:
    assert utc_offset(datetime(2026, 12, 4, 8, 36)) == ""


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Asia/Shanghai", "2026-12-04 16:36:00 UTC+08:00"),
        ("America/Chicago", "2026-12-04 02:36:00 UTC-06:00"),
    ],
)
def test_the_audit_reports_local_time_gives_the_offset_not_cst(
    monkeypatch: pytest.MonkeyPatch, zone: str, said: str
) -> None:
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert local(AT) == said
    finally:
        monkeypatch.undo()
        time.tzset()
