"""The audit trail report holds exactly the entries the Audit trail screen lists for the same
filters: the period in the workstation's local days (as the screen shows the times), the user,
the action and the text; its first page says which. The report took the period as UTC days and
ignored the user, action and text, so an inspector who filtered to "pharm, dispenses, 1-7
March" at a site 8 hours ahead of UTC and saved the report got other entries."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pytest

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue
from dispensary.reports.csvfile import read_rows
from dispensary.services import audit, report_data
from dispensary.services.audit import AuditFilter
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.documents import Values

from .helpers import dispense, enroll, receive

MARCH = (date(2026, 3, 1), date(2026, 3, 7))


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's clock 8 hours ahead of UTC (China), no summer time."""
    monkeypatch.setenv("TZ", "CST-8")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


@dataclass(frozen=True)
class Trail:
    """The dispense numbers (DSP...) of the entries made around the period's edges."""

    before: str  # 28 Feb 23:30 local (15:30 UTC): before the period on both clocks
    first: str  # 1 March 00:30 local (28 Feb 16:30 UTC): in it as the screen shows it
    other_user: str  # 3 March, by pharm2
    middle: str  # 5 March, participant 01-005
    after: str  # 8 March 00:30 local (7 March 16:30 UTC): after it as the screen shows it


@pytest.fixture
def trail(
    ctx: Context,
    clock: FixedClock,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Callable[[Actor], str],
    shanghai: None,
) -> Trail:
    def at(day: int, hour: int, minute: int = 0, month: int = 3) -> None:
        clock.current = datetime(2026, month, day, hour, minute, tzinfo=UTC)

    at(28, 12, month=2)
    receive(ctx, pharmacist, "K0001-K0010")
    for number in ("01-001", "01-002", "01-003", "01-004", "01-005"):
        enroll(ctx, pharmacist, number)
    at(28, 15, 30, month=2)
    before = dispense(ctx, pharmacist, pw(pharmacist), "01-001").number
    at(28, 16, 30, month=2)
    first = dispense(ctx, pharmacist, pw(pharmacist), "01-002").number
    at(2, 10)
    receive(ctx, pharmacist, "K0021-K0022", shipment="SH-MARCH")  # pharm, not a dispense
    at(3, 9)
    other_user = dispense(ctx, pharmacist2, pw(pharmacist2), "01-003").number
    at(5, 9)
    middle = dispense(ctx, pharmacist, pw(pharmacist), "01-005").number
    at(7, 16, 30)
    after = dispense(ctx, pharmacist, pw(pharmacist), "01-004").number
    at(9, 9)
    return Trail(before, first, other_user, middle, after)


def _pdfium_text(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            text = page.get_textpage()
            pages.append(" ".join(text.get_text_range().split()))
            text.close()
            page.close()
        return pages
    finally:
        document.close()


def _dispenses_named(text: str, trail: Trail) -> set[str]:
    every = (trail.before, trail.first, trail.other_user, trail.middle, trail.after)
    return {number for number in every if number in text}


def test_the_period_is_the_days_the_screen_shows(
    ctx: Context, trail: Trail, monitor: Actor
) -> None:
    chosen = AuditFilter(*MARCH, username="pharm", action="dispense")
    listed = audit.matching(ctx, monitor, chosen)
    assert [r.action for r in listed] == ["dispense", "dispense"]
    assert [r.username for r in listed] == ["pharm", "pharm"]
    report = report_data.audit_report(ctx, monitor, chosen)
    assert [e.id for e in report.entries] == [r.id for r in listed]
    shown = " ".join(f"{r.entity} {r.entity_id} {r.new}" for r in listed)
    assert _dispenses_named(shown, trail) == {trail.first, trail.middle}


def test_the_pdf_lists_exactly_the_filtered_entries_and_says_the_filters(
    ctx: Context, trail: Trail, monitor: Actor
) -> None:
    chosen = AuditFilter(*MARCH, username="pharm", action="dispense")
    report = report_data.audit_report(ctx, monitor, chosen)
    meta = report_data.report_meta(ctx, monitor)
    with speaking(Language.EN):
        pages = _pdfium_text(reports.audit_pdf(meta, ctx.study, report))
    first = pages[0]
    assert "2026-03-01 to 2026-03-07, local days of this workstation (UTC+08:00)" in first
    assert "User pharm" in first, first
    assert "Action Dispense" in first, first
    body = " ".join(pages[1:])
    assert _dispenses_named(body, trail) == {trail.first, trail.middle}, body
    assert "2026-03-01 00:30:00 UTC+08:00" in body and "2026-02-28 16:30:00 UTC" in body
    # The text narrows them as the screen's Text does, and is said.
    narrowed = AuditFilter(*MARCH, username="pharm", action="dispense", text="01-005")
    report = report_data.audit_report(ctx, monitor, narrowed)
    with speaking(Language.EN):
        pages = _pdfium_text(reports.audit_pdf(meta, ctx.study, report))
    assert "Text \u201c01-005\u201d" in pages[0], pages[0]
    assert _dispenses_named(" ".join(pages[1:]), trail) == {trail.middle}


def test_the_catalogue_report_keeps_the_same_entries_as_the_screen(
    ctx: Context, trail: Trail, monitor: Actor
) -> None:
    """`dispensary report audit` and the Reports screen give the filters as parameters: the
    same filter, so the same entries, the CSV's title saying them."""
    chosen = AuditFilter(*MARCH, username="pharm", action="dispense")
    assert AuditFilter.of(chosen.values()) == chosen
    listed = audit.matching(ctx, monitor, chosen)
    entry = catalogue.report("audit")
    values = Values(since=MARCH[0], until=MARCH[1], user="pharm", action="dispense")
    made = catalogue.make_report(entry, ctx, monitor, values, "csv", language=Language.EN)
    text = made.data.decode("utf-8-sig")
    assert [int(r["id"]) for r in read_rows(text)] == [r.id for r in listed]
    title = text.splitlines()[0]
    assert "local days of this workstation (UTC+08:00)" in title, title
    assert "; user pharm; action Dispense" in title, title
