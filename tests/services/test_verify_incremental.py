"""The incremental verification (services/verification.verify_since), which the Today screen
runs at each refresh and once per study: it reads what was written since the point, by index,
and a table with nothing new not at all; what it skips is what it could not have found."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState

from dispensary.db import facts
from dispensary.db.engine import is_sqlite, read_transaction
from dispensary.db.models import Base
from dispensary.services import audit, labels
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import VerifiedPoint
from dispensary.services.verification import verify_since

from .helpers import dispense, enroll, scalar, sql

Password = Callable[[Actor], str]


def _point(ctx: Context, monitor: Actor) -> VerifiedPoint:
    result = audit.verify(ctx, monitor)
    assert result.ok and result.point is not None, result.message
    return result.point


def _traced(ctx: Context, point: VerifiedPoint) -> tuple[list[str], list[str]]:
    """The statements an incremental check sends (SQLite), and the query plan of each read."""
    statements: list[str] = []
    plans: list[str] = []
    with read_transaction(ctx.engine) as session:
        dbapi = facts.driver_connection(session)
        dbapi.set_trace_callback(statements.append)
        try:
            result = verify_since(session, point)
        finally:
            dbapi.set_trace_callback(None)
        assert result.ok, result.message
        for statement in statements:
            if statement.lstrip().upper().startswith("SELECT"):
                plan = dbapi.execute(f"EXPLAIN QUERY PLAN {statement}").fetchall()
                plans.extend(str(row[-1]) for row in plan)
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")], plans


def test_an_incremental_check_with_nothing_new_makes_a_few_indexed_reads(
    busy: Context, monitor: Actor
) -> None:
    if not is_sqlite(busy.engine):
        pytest.skip("SQLite's trace and query plans")
    point = _point(busy, monitor)
    reads, plans = _traced(busy, point)
    # Not one read per fact table: a table whose highest id is its mark is not read.
    assert len(reads) <= 10, reads
    scans = [p for p in plans if p.startswith("SCAN") and p not in ("SCAN CONSTANT ROW",)]
    # The settings table holds a few named values (its LIKE cannot use the key's index).
    assert all(p == "SCAN settings" for p in scans), scans


def test_only_the_tables_with_new_rows_are_read(
    busy: Context, clock: FixedClock, monitor: Actor, pharmacist: Actor, pw: Password
) -> None:
    if not is_sqlite(busy.engine):
        pytest.skip("SQLite's trace")
    point = _point(busy, monitor)
    enroll(busy, pharmacist, "01-003", "EF")
    reads, plans = _traced(busy, point)
    tables = {t.name for t in facts.tracked(Base.metadata.sorted_tables)}
    read = {t for t in tables for s in reads if f'FROM "{t}" WHERE "id" >' in s}
    assert read == {"participants"}, reads  # the enrolment's one new row (kits: none)
    assert not [
        p for p in plans if p.startswith("SCAN") and "settings" not in p and "CONST" not in p
    ]


def test_the_new_point_marks_each_tables_highest_id(
    busy: Context, clock: FixedClock, monitor: Actor, pharmacist: Actor, pw: Password
) -> None:
    point = _point(busy, monitor)
    enroll(busy, pharmacist, "01-003", "EF")
    clock.set_date(date(2026, 2, 16))
    dispense(busy, pharmacist, pw(pharmacist), "01-003")
    result = audit.verify(busy, monitor, since=point)
    assert result.ok and result.point is not None, result.message
    for name, mark in result.point.marks:
        assert mark == (scalar(busy, f'SELECT MAX(id) FROM "{name}"') or 0), name
    assert dict(result.point.marks)["dispenses"] > dict(point.marks)["dispenses"]
    # And a check from that point, with nothing new, passes and keeps it.
    again = audit.verify(busy, monitor, since=result.point)
    assert again.ok and again.point == result.point and again.new_entries == 0


def test_a_participant_added_since_the_point_outside_the_program_is_named(
    busy: Context, monitor: Actor
) -> None:
    point = _point(busy, monitor)
    sql(
        busy,
        "INSERT INTO participants (study_number, initials, birth_year, sex, enrolled_on, "
        "eligibility_confirmed_by, eligibility_confirmed_at, eligibility_checklist, status, "
        "created_by_id, study_id) SELECT '09-999', 'ZZ', 1970, 'F', '2026-01-05', 'Dr X', "
        "'2026-01-05 09:00:00.000000', '[]', 'active', 1, study_id FROM participants LIMIT 1",
    )
    added = scalar(busy, "SELECT MAX(id) FROM participants")
    result = audit.verify(busy, monitor, since=point)
    assert not result.ok
    assert f"participants row {added} has no audit entry" in result.message


def test_a_fact_row_removed_at_the_end_is_not_taken_for_a_new_one(
    busy: Context, monitor: Actor
) -> None:
    """Its highest id below the mark: nothing new to read there (the full check names the
    removal, the incremental one leaves the past to it, as before)."""
    point = _point(busy, monitor)
    last = scalar(busy, "SELECT MAX(id) FROM signatures")
    sql(busy, "DELETE FROM signatures WHERE id = :i", i=last)
    assert audit.verify(busy, monitor, since=point).ok
    assert not audit.verify(busy, monitor).ok


def test_the_check_of_new_steps_makes_no_orm_statement(
    busy: Context, clock: FixedClock, monitor: Actor, pharmacist: Actor, pw: Password
) -> None:
    """Core statements only: the ORM's first statement in a process configures every mapper,
    which cost a fresh process's check about 30 ms (half its time on a server)."""
    point = _point(busy, monitor)
    enroll(busy, pharmacist, "01-003", "EF")
    clock.set_date(date(2026, 2, 16))
    done = dispense(busy, pharmacist, pw(pharmacist), "01-003")
    labels.record_label_print(busy, pharmacist, labels.LabelKind.DISPENSE, [done.number], False)
    orm: list[str] = []
    with read_transaction(busy.engine) as session:

        @event.listens_for(session, "do_orm_execute")
        def noted(state: ORMExecuteState) -> None:
            if state.is_orm_statement:
                orm.append(str(state.statement))

        result = verify_since(session, point)
    assert result.ok and result.new_entries == 3, result.message
    assert orm == []
