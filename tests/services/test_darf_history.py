"""The DARF of a period reads that period by its dates however long the history before it
(issue 15): the history is only counted (line numbers, the balance forward) from thin rows
read a chunk at a time; the period's movements are read in full, found through the ledger's
date index, in the same statements and rows after three times the history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from dispensary.db.engine import is_sqlite
from dispensary.domain.codes import MovementKind
from dispensary.services import dispensing, report_data
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.report_data import DarfRecord

from .conftest import Stock
from .helpers import busy_pharmacy, sql
from .test_query_plans import SMALL, Captured, Site, capturing, full_scans, rows_read
from .test_query_plans import site as site  # the fixture: a pharmacy that grows by visits

HISTORY_MARK = "CASE WHEN"
"""The thin count of the history (its `before the period` column): the one statement whose
rows grow with the history, read a chunk at a time and not kept."""


def next_day_darf(site: Site) -> tuple[date, list[DarfRecord], Captured]:
    """One visit on the next day, then the DARF of that day, its statements captured."""
    day = site.clock.today() + timedelta(days=1)
    site.clock.set_date(day)
    site.grow(1)
    with capturing(site.ctx) as captured:
        records = report_data.darf_records(site.ctx, site.actor, since=day, until=day)
    return day, records, captured


def period_rows(site: Site, captured: Captured) -> list[int]:
    """Rows returned by each statement except the history's count."""
    counted = Captured(on=False)
    counted.statements = [(s, p) for s, p in captured.queries if HISTORY_MARK not in s]
    return rows_read(site.ctx, counted)


def test_a_period_is_read_by_its_dates_however_long_the_history(site: Site) -> None:
    site.grow(2)
    _first_day, first, before = next_day_darf(site)
    read_before = period_rows(site, before)
    site.grow(6)
    day, later, after = next_day_darf(site)

    shapes = [statement for statement, _parameters in before.queries]
    assert [statement for statement, _parameters in after.queries] == shapes
    assert sum(HISTORY_MARK in statement for statement in shapes) == 1
    assert period_rows(site, after) == read_before

    # The same visit's lines, numbered on from the whole record, balanced from what came before.
    (record,) = later
    assert [line.kind for line in record.lines] == [MovementKind.DISPENSE]
    assert record.lines[0].number > first[0].lines[-1].number
    whole = report_data.darf_records(site.ctx, site.actor)[0]
    assert [line for line in whole.lines if line.entry_date == day] == list(record.lines)
    assert record.opening_balance == record.lines[0].balance_forward
    assert (
        record.opening_balance
        == max(
            (line for line in whole.lines if line.entry_date < day), key=lambda line: line.number
        ).balance
    )

    if is_sqlite(site.ctx.engine):
        period = [(s, p) for s, p in after.queries if HISTORY_MARK not in s and "kits" in s]
        with site.ctx.engine.connect() as conn:
            plans = [
                " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
                for s, p in period
            ]
        assert plans and all("ix_ledger_entries_entry_date" in plan for plan in plans), plans
        # Read whole: only the history's count walks the study's kits (it counts them all).
        counted = Captured(on=False)
        counted.statements = period
        assert full_scans(site.ctx, counted, SMALL) == []


def test_a_correction_of_a_line_before_the_period_is_numbered_row_by_row(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A period's correction of a movement before it names that line by its number: SQL's
    count of the history gives no numbers, so the history is counted row by row; a period
    with corrections only before it (a void the day of its dispense) is counted by SQL. Both
    give the whole record's lines."""
    password = pw(pharmacist)
    busy_pharmacy(ctx, clock, pharmacist, password)  # DSP000002 voided 01-05; cycle 2 on 01-26
    clock.set_date(date(2026, 1, 27))
    back = dispensing.check_void(ctx, pharmacist, "DSP000004").kits  # scanned back the next day
    dispensing.void_dispense(ctx, pharmacist, "DSP000004", "wrong day", password, back)
    by_sql = report_data._history_by_lines
    ways: list[bool] = []

    def counted(*args: Any, **kwargs: Any) -> bool:
        ways.append(by_sql(*args, **kwargs))
        return ways[-1]

    monkeypatch.setattr(report_data, "_history_by_lines", counted)
    whole = {(r.product, r.storage_area): r for r in report_data.darf_records(ctx, pharmacist)}
    assert ways == []  # no period start: nothing before it
    for since, way in ((date(2026, 1, 26), True), (date(2026, 1, 27), False)):
        for record in report_data.darf_records(ctx, pharmacist, since=since):
            full = whole[(record.product, record.storage_area)]
            before = [line for line in full.lines if line.entry_date < since]
            assert list(record.lines) == [line for line in full.lines if line.entry_date >= since]
            assert record.opening_balance == (before[-1].balance if before else 0)
        assert ways[-1] is way
    (fix,) = [
        line
        for r in report_data.darf_records(ctx, pharmacist, since=date(2026, 1, 27))
        for line in r.lines
    ]
    assert fix.corrects_line is not None and fix.corrects_line < fix.number


def test_the_history_grouped_by_author_or_by_initials_counts_as_row_by_row(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQL's count of the history groups by the author's id while no two users share their
    initials (the users not joined to every row), by the initials when two do: either way the
    record is the one counted row by row."""
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    since = date(2026, 1, 26)
    by_sql = report_data._history_by_lines

    def counted(ways: list[bool], by_rows: bool = False) -> list[DarfRecord]:
        def way(*args: Any, **kwargs: Any) -> bool:
            ways.append(False if by_rows else by_sql(*args, **kwargs))
            return ways[-1]

        with monkeypatch.context() as patched:
            patched.setattr(report_data, "_history_by_lines", way)
            return report_data.darf_records(ctx, pharmacist, since=since)

    def history_statement(captured: Captured) -> str:
        (statement,) = [s for s, _p in captured.queries if "GROUP BY" in s and HISTORY_MARK in s]
        return " ".join(statement.split())

    for shared in (False, True):
        if shared:  # another user takes the pharmacist's initials
            sql(
                ctx,
                "UPDATE users SET initials = :i WHERE username = 'tech'",
                i=pharmacist.initials,
            )
        row_by_row: list[bool] = []
        reference = counted(row_by_row, by_rows=True)
        ways: list[bool] = []
        with capturing(ctx) as captured:
            grouped = counted(ways)
        assert ways == [True] and row_by_row == [False]
        assert grouped == reference and any(r.lines for r in grouped)
        assert ("JOIN users" in history_statement(captured)) is shared
