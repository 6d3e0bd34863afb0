"""The monitor pack counts the audit entries of its period as the audit report of the same
days lists them: the workstation's local days, as the Audit trail screen shows the times
(services.audit.AuditFilter.bounds). It counted UTC days, so at a site 8 hours ahead of UTC
(Henan) the pack said "N audit entries were written between 1 and 7 March; the audit trail
report lists them" of entries from 08:00 on 1 March to 08:00 on 8 March, local, and the report
of those days listed others."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import audit, report_data
from dispensary.services.audit import AuditFilter
from dispensary.services.context import Actor, Context, FixedClock
from reports.pdfread import pdfium_pages_text

from .helpers import dispense, enroll, receive

MARCH = (date(2026, 3, 1), date(2026, 3, 7))
HENAN = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's clock in China's zone (UTC+8, no summer time)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_pack_counts_the_entries_of_the_local_days(
    ctx: Context,
    clock: FixedClock,
    pharmacist: Actor,
    monitor: Actor,
    pw: Callable[[Actor], str],
    shanghai: None,
) -> None:
    def at(month: int, day: int, hour: int, minute: int = 0) -> None:
        clock.current = datetime(2026, month, day, hour, minute, tzinfo=UTC)

    at(2, 27, 9)
    receive(ctx, pharmacist, "K0001-K0010")
    for number in ("01-001", "01-002", "01-003", "01-004", "01-005"):
        enroll(ctx, pharmacist, number)
    at(2, 28, 15, 30)  # 28 Feb 23:30 local: before the period
    dispense(ctx, pharmacist, pw(pharmacist), "01-001")
    at(2, 28, 16, 30)  # 1 March 00:30 local: in it (28 Feb on a UTC clock)
    dispense(ctx, pharmacist, pw(pharmacist), "01-002")
    at(2, 28, 16, 40)
    dispense(ctx, pharmacist, pw(pharmacist), "01-005")
    at(3, 7, 15, 30)  # 7 March 23:30 local: in it
    dispense(ctx, pharmacist, pw(pharmacist), "01-003")
    at(3, 7, 16, 30)  # 8 March 00:30 local: after it (7 March on a UTC clock)
    dispense(ctx, pharmacist, pw(pharmacist), "01-004")
    at(3, 9, 9)

    every = audit.list_entries(ctx, monitor)
    local = [e for e in every if MARCH[0] <= e.at.astimezone(HENAN).date() <= MARCH[1]]
    in_utc = [e for e in every if MARCH[0] <= e.at.astimezone(UTC).date() <= MARCH[1]]
    assert len(local) == 3 and len(in_utc) == 2  # the days' edges hold entries

    pack = report_data.monitor_pack(ctx, pharmacist, *MARCH)
    assert pack.audit_entries_in_range == len(local)
    # The audit report of the same days lists as many ("the audit trail report lists them").
    listed = report_data.audit_report(ctx, monitor, AuditFilter(*MARCH)).entries
    assert pack.audit_entries_in_range == len(listed)
    # The pack says which days it counted.
    meta = report_data.report_meta(ctx, pharmacist)
    with speaking(Language.EN):
        pdf = reports.monitor_pack_pdf(meta, ctx.study, pack)
    text = " ".join(pdfium_pages_text(pdf)).split()
    assert (
        "3 audit entries were written between 2026-03-01 and 2026-03-07 (local days of this "
        "workstation, UTC+08:00)"
    ) in " ".join(text), " ".join(text)
