"""How long an excursion may have lasted: readings 12:15 22 °C, 12:30 30 °C, 12:45 22 °C were
recorded "04:30 to 04:30 UTC", 0 minutes, where the sponsor's assessment needs how long it
could have lasted: between the readings within the range next to it (04:15 and 04:45 UTC).
Kept in the excursion's audit entry (no new column), read back by the window and the pack."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from dispensary import reports
from dispensary.services import audit, report_data, temperature
from dispensary.services.context import Actor, Context, FixedClock
from reports.pdfread import pdf_pages_text

from .conftest import Stock

ONE_READING = (
    "timestamp,celsius\n2026-01-06T12:00:00+08:00,22.0\n2026-01-06T12:15:00+08:00,22.0\n"
    "2026-01-06T12:30:00+08:00,30.0\n2026-01-06T12:45:00+08:00,22.0\n"
)


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 1, 6, hour, minute, tzinfo=UTC)


def test_a_single_reading_outside_is_bounded_by_the_readings_next_to_it(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor
) -> None:
    clock.current = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
    done = temperature.import_logger_file(ctx, pharmacist, "IP store 1", ONE_READING)
    [one] = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert (one.started_at, one.ended_at) == (at(4, 30), at(4, 30))
    assert (one.in_range_before, one.in_range_after) == (at(4, 15), at(4, 45))
    assert temperature.longest_text(one.in_range_before, one.in_range_after) == (
        "between 2026-01-06 04:15 and 2026-01-06 04:45 UTC at the longest"
    )
    [entry] = [
        x
        for x in audit.list_entries(ctx, pharmacist, action="temperature_excursion")
        if x.entity_id == str(one.excursion_id)
    ]
    kept = json.loads(entry.new)
    assert (kept["in_range_before"], kept["in_range_after"]) == (
        "2026-01-06T04:15:00+00:00",
        "2026-01-06T04:45:00+00:00",
    )
    [row] = [
        r for r in report_data.excursions(ctx, pharmacist) if r.excursion_id == one.excursion_id
    ]
    assert (row.in_range_before, row.in_range_after) == (at(4, 15), at(4, 45))
    pack = report_data.monitor_pack(ctx, pharmacist, date(2026, 1, 1), date(2026, 1, 8))
    meta = report_data.report_meta(ctx, pharmacist)
    text = " ".join(
        " ".join(pdf_pages_text(reports.monitor_pack_pdf(meta, ctx.study, pack))).split()
    )
    assert "between 2026-01-06 04:15 and 2026-01-06 04:45 UTC at the longest" in text, text


def test_a_file_starting_or_ending_outside_bounds_one_side_only(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor
) -> None:
    clock.current = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
    text = (
        "timestamp,celsius\n2026-01-06T04:00:00+00:00,30.0\n2026-01-06T04:15:00+00:00,22.0\n"
        "2026-01-06T04:30:00+00:00,22.0\n2026-01-06T04:45:00+00:00,31.0\n"
    )
    done = temperature.import_logger_file(ctx, pharmacist, "IP store 1", text)
    own = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert [(e.in_range_before, e.in_range_after) for e in own] == [
        (None, at(4, 15)),
        (at(4, 30), None),
    ]
    assert [temperature.longest_text(e.in_range_before, e.in_range_after) for e in own] == [
        "until 2026-01-06 04:15 UTC at the latest; no reading within the range before it",
        "from 2026-01-06 04:30 UTC at the earliest; no reading within the range after it",
    ]


def test_the_rest_of_an_excursion_on_record_is_not_bounded_by_it(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor
) -> None:
    """The reading before the rest of a longer excursion is the one on record, outside: not a
    reading within the range, so that side is not said."""
    clock.current = datetime(2026, 1, 8, 9, 0, tzinfo=UTC)
    head = "timestamp,celsius\n2026-01-06T04:00:00+00:00,22.0\n2026-01-06T04:15:00+00:00,30.0\n"
    temperature.import_logger_file(ctx, pharmacist, "IP store 1", head)
    whole = head + "2026-01-06T04:30:00+00:00,31.0\n2026-01-06T04:45:00+00:00,22.0\n"
    done = temperature.import_logger_file(ctx, pharmacist, "IP store 1", whole)
    [rest] = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert rest.continues and (rest.in_range_before, rest.in_range_after) == (None, at(4, 45))
