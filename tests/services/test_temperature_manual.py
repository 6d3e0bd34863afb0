"""A storage area's min/max thermometer read by hand: recorded by the logger import's own rules
(the study file's range, the excursion, the kits quarantined, the audit entry), its source
"manual"; bad entries refused with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.services import audit, queries, report_data, temperature
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock
from .helpers import dispense, enroll

AT = "2026-12-06T08:00:00+08:00"  # 00:00 UTC


@pytest.fixture
def december(ctx: Context, clock: FixedClock, stock: Stock) -> Context:
    clock.current = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    return ctx


def _entries(ctx: Context, actor: Actor) -> int:
    return len(audit.list_entries(ctx, actor))


def test_a_reading_within_the_range_holds_nothing_and_is_logged_as_entered_by_hand(
    december: Context, pharmacist: Actor
) -> None:
    ctx = december
    done = temperature.record_manual_reading(ctx, pharmacist, "IP store 1", AT, "3.5", "7.0")
    assert done.excursions == () and done.source == temperature.MANUAL
    assert queries.inventory(ctx, pharmacist, status=KitStatus.QUARANTINED) == []
    [check] = temperature.logger_checks(ctx, pharmacist)
    assert check.source == temperature.MANUAL and check.readings == 2
    assert (check.lowest, check.highest) == (3.5, 7.0)
    assert check.readings_from == datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    [entry] = audit.list_entries(ctx, pharmacist, action="temperature_checked")
    assert json.loads(entry.new)["manual"] is True
    assert check.manual and temperature.source_text(check.source, check.manual) == "entered by hand"


def test_a_maximum_outside_the_range_records_an_excursion_and_holds_the_kits(
    december: Context, pharmacist: Actor, stock: Stock
) -> None:
    ctx = december
    low, high = ctx.study.temperature.min_celsius, ctx.study.temperature.max_celsius
    done = temperature.record_manual_reading(
        ctx, pharmacist, "IP store 1", AT, f"{low + 1:g}", f"{high + 3:g}"
    )
    [own] = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert own.highest == own.lowest == high + 3
    assert sorted(own.kits_quarantined) == sorted(stock.late + stock.early + stock.small)
    assert (own.in_range_before, own.in_range_after) == (None, None)
    [entry] = audit.list_entries(ctx, pharmacist, action="temperature_excursion")[:1]
    said = json.loads(entry.new)
    assert said["source"] == "manual" and said["manual"] is True
    [row] = [
        r for r in report_data.excursions(ctx, pharmacist) if r.excursion_id == own.excursion_id
    ]
    assert row.source == temperature.MANUAL
    # the same entry again: refused, nothing written
    before = _entries(ctx, pharmacist)
    with pytest.raises(RuleViolation, match="entered on 2026-12-06 already"):
        temperature.record_manual_reading(
            ctx, pharmacist, "IP store 1", AT, f"{low + 1:g}", f"{high + 3:g}"
        )
    assert _entries(ctx, pharmacist) == before


@pytest.mark.parametrize(
    ("area", "at", "lowest", "highest", "said"),
    [
        ("IP store 1", "2026-12-06T12:00:00+08:00", "3", "7", "is after now"),
        ("IP store 1", None, "3", "7", "Give the time the thermometer was read"),
        ("IP store 1", " ", "3", "7", "Give the time the thermometer was read"),
        ("IP store 1", "yesterday", "3", "7", "'yesterday' is not a time"),
        ("IP store 1", AT, "warm", "7", "'warm' is not a number"),
        ("IP store 1", AT, "3", "7,5", "'7,5' is not a number"),
        ("IP store 1", AT, None, "", "Give the minimum or the maximum"),
        ("IP store 1", AT, "8", "3", "is above the maximum"),
        ("IP store 1", AT, "3", "700", "700 °C is not plausible"),
        ("Fridge 9", AT, "3", "7", "'Fridge 9' is not a storage area in use"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_written(
    december: Context,
    pharmacist: Actor,
    area: str,
    at: str | None,
    lowest: str | None,
    highest: str,
    said: str,
) -> None:
    before = _entries(december, pharmacist)
    with pytest.raises(InvalidInput, match=said.replace("(", r"\(")):
        temperature.record_manual_reading(december, pharmacist, area, at, lowest, highest)
    assert _entries(december, pharmacist) == before
    assert temperature.logger_checks(december, pharmacist) == []


def test_a_monitor_may_not_enter_a_reading(december: Context, monitor: Actor) -> None:
    with pytest.raises(NotPermitted):
        temperature.record_manual_reading(december, monitor, "IP store 1", AT, "3", "7")


def test_a_logger_file_named_manual_is_a_logger_file_not_a_reading_entered_by_hand(
    december: Context, pharmacist: Actor
) -> None:
    """A reading entered by hand is known by its audit entries' mark, not by its source's name:
    a site's logger file named `manual` was shown as entered by hand (手工记录 in the pack)."""
    ctx = december
    high = ctx.study.temperature.max_celsius
    text = (
        "timestamp,celsius\n2026-12-05T20:00:00+00:00,5.0\n"
        f"2026-12-05T21:00:00+00:00,{high + 5:g}\n2026-12-05T22:00:00+00:00,5.0\n"
    )
    done = temperature.import_logger_file(ctx, pharmacist, "IP store 1", text, source="manual")
    assert not done.manual and done.excursions
    [check] = temperature.logger_checks(ctx, pharmacist)
    assert check.source == "manual" and not check.manual
    assert temperature.source_text(check.source, check.manual) == "manual"
    [row] = report_data.excursions(ctx, pharmacist)
    assert not row.manual and temperature.source_text(row.source, row.manual) == "manual"
    [area] = [c for c in temperature.coverage(ctx, pharmacist) if c.storage_area == "IP store 1"]
    assert (area.imports, area.by_hand) == (1, 0)
    # the same file again: refused as a logger file's readings, not as a reading entered by hand
    with pytest.raises(RuleViolation, match="were imported on 2026-12-06 already"):
        temperature.import_logger_file(ctx, pharmacist, "IP store 1", text, source="manual")
    # a reading entered by hand next to it is still one
    temperature.record_manual_reading(ctx, pharmacist, "IP store 1", AT, "3", "7")
    checks = temperature.logger_checks(ctx, pharmacist)
    assert [c.manual for c in checks] == [True, False]
    [area] = [c for c in temperature.coverage(ctx, pharmacist) if c.storage_area == "IP store 1"]
    assert (area.imports, area.by_hand) == (2, 1)


def test_a_reading_outside_names_the_kits_dispensed_since_the_previous_reading(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> None:
    """A min/max thermometer's maximum may have been reached at any time since the area's
    previous reading: a kit dispensed from the area since then was exposed, and is named with
    the words an import of a logger file uses (it was named by neither)."""
    clock.current = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    enroll(ctx, pharmacist, "01-001", "AB")
    enroll(ctx, pharmacist, "01-002", "CD")
    earlier = dispense(ctx, pharmacist, pw(pharmacist), "01-002")  # before the previous reading
    clock.current = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    previous = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    temperature.record_manual_reading(ctx, pharmacist, "IP store 1", previous, "3", "7")
    clock.current = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    given = dispense(ctx, pharmacist, pw(pharmacist), "01-001").kits[0].kit  # between the two
    clock.current = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    high = ctx.study.temperature.max_celsius
    done = temperature.record_manual_reading(
        ctx, pharmacist, "IP store 1", AT, "3", f"{high + 3:g}"
    )
    [own] = [e for e in done.excursions if e.study == ctx.study.protocol]
    assert [(k.kit, k.status, k.on, k.participant) for k in own.kits_gone] == [
        (given, "dispensed", date(2026, 12, 5), "01-001")
    ]
    assert earlier.kits[0].kit not in {k.kit for k in own.kits_gone}
    assert own.notices("IP store 1")[0] == (
        f"Kits in IP store 1 during this excursion and dispensed since: {given}. Tell the "
        f"sponsor and the investigator; the participants: 01-001 AB ({given}, dispensed "
        "2026-12-05)."
    )
    # it began after the previous reading, within the range; when it ended is not known
    assert (own.in_range_before, own.in_range_after) == (previous, None)
    [row] = report_data.excursions(ctx, pharmacist)
    assert row.kits_gone == own.kits_gone and row.in_range_before == previous
