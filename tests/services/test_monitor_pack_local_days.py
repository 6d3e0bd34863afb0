"""The monitor pack's parts read the days a pharmacist picks as this workstation's local days
(services.context.local_day_start), as its audit count does: the records' changes, the
quarantine log, the excursions of the temperature log and the open items' days read UTC days,
so at a site 8 hours ahead of UTC (Henan) a record made at 00:30 on the 2nd fell on the 1st
(outside a period beginning the 2nd), and 5 hours behind (New York) one made at 23:30 on the
6th fell on the 7th (outside a period ending the 6th)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dispensary.services import participants, quarantine, report_data, temperature
from dispensary.services.context import Actor, Context, FixedClock, local_day

from .conftest import Stock

PERIOD = (date(2026, 2, 2), date(2026, 2, 6))  # no change of summer time in either zone
ZONES = ("Asia/Shanghai", "America/New_York")


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZoneInfo]:
    """The workstation's clock in the zone (TZ + time.tzset), restored after the test."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    try:
        yield ZoneInfo(request.param)
    finally:
        monkeypatch.undo()
        time.tzset()


def moments(zone: ZoneInfo) -> dict[str, datetime]:
    """Half an hour either side of the period's two edges, local time, as UTC instants."""

    def local(day: int, hour: int, minute: int) -> datetime:
        return datetime(2026, 2, day, hour, minute, tzinfo=zone).astimezone(UTC)

    return {
        "before": local(1, 23, 30),  # out
        "first": local(2, 0, 30),  # in
        "last": local(6, 23, 30),  # in
        "after": local(7, 0, 30),  # out
    }


def test_the_records_changes_and_quarantine_log_read_the_local_days(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    monitor: Actor,
    pw: Callable[[Actor], str],
    zone: ZoneInfo,
) -> None:
    from .helpers import enroll

    enroll(ctx, pharmacist, "01-001")
    at = moments(zone)
    for year, (name, moment) in enumerate(at.items(), start=1971):
        clock.current = moment
        participants.correct_enrolment(
            ctx, pharmacist, "01-001", birth_year=year, reason=name, password=pw(pharmacist)
        )
        quarantine.quarantine(ctx, pharmacist, [f"K000{year - 1970}"], f"dropped ({name})")
    clock.current = datetime(2026, 2, 10, 9, tzinfo=UTC)

    pack = report_data.monitor_pack(ctx, monitor, *PERIOD)
    # The period's corrections: the one made at 00:30 on its first day and at 23:30 on its
    # last, local time; not those half an hour outside it.
    assert [c.at for _n, c in pack.record_changes] == [at["first"], at["last"]]
    assert [r.at for r in pack.quarantines] == [at["first"], at["last"]]
    # Each kit in quarantine since its local day: the first day's and the last day's are in
    # the period (neither begun before it, nor left out as after it).
    held = {
        i.subject: (i.since, i.before_period)
        for i in pack.open_items
        if i.kind == "Quarantine awaiting decision"
    }
    assert held == {
        "K0001": (date(2026, 2, 1), True),
        "K0002": (PERIOD[0], False),
        "K0003": (PERIOD[1], False),
    }  # K0004, quarantined after the period's last day, is not open on it
    # The logs cover the study's store from the local day its first kit was received.
    [covered] = pack.coverage
    assert covered.since == date(2026, 1, 5)


def test_the_excursions_read_the_local_days(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    monitor: Actor,
    zone: ZoneInfo,
) -> None:
    at = moments(zone)
    readings = ["timestamp,celsius"]
    for moment in sorted(at.values()):  # a quarter of an hour too warm around each moment
        for minutes, celsius in ((-30, 22.0), (-15, 30.0), (15, 30.0), (30, 22.0)):
            when = moment + timedelta(minutes=minutes)
            readings.append(f"{when.isoformat()},{celsius}")
    clock.current = datetime(2026, 2, 10, 9, tzinfo=UTC)
    temperature.import_logger(
        ctx, pharmacist, ctx.study.storage_area, "\n".join(readings) + "\n", "edges.csv"
    )
    every = report_data.excursions(ctx, monitor)
    assert len(every) == 4
    pack = report_data.monitor_pack(ctx, monitor, *PERIOD)
    days = [local_day(e.started_at) for e in pack.excursions]
    assert days == list(PERIOD)
    assert [e.started_at for e in pack.excursions] == [
        at["first"] - timedelta(minutes=15),
        at["last"] - timedelta(minutes=15),
    ]
