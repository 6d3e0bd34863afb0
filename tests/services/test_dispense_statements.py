"""A dispense sends a fixed, small number of statements (issue 15: its database part near a bare
INSERT and COMMIT), and the result it returns, built from what it wrote, is the dispense as it
is read back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from dispensary.db import entry_studies
from dispensary.db.engine import is_sqlite
from dispensary.db.models import Base
from dispensary.services import dispensing, queries, users
from dispensary.services.assessment import DispenseRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Observation

from .conftest import Stock
from .helpers import dispense, enroll, return_all

Password = Callable[[Actor], str]

FIRST_CYCLE = 15
"""Statements of a first cycle's FEFO dispense by a pharmacist signed in on this workstation
(whose stored hash the sign-in read: users.presign reads it again only for a signer it has
not seen): the participant with their last dispense and the last dispense number and
attempt, the confirmed rules, the study file in force (its row: a dispense assessed with a
file updated since is refused, study_file_changed), the first kits on the shelf and their
contents; the signer's
account with the chain head and the chains' last rows; then one INSERT or UPDATE per table written (dispense, ledger row, signature,
kit, dispense kit, audit entry, the entry's study index, chain head). Transaction control
(BEGIN) is not counted."""

NEXT_CYCLE = FIRST_CYCLE + 6
"""A later cycle reads besides whether the last cycle's return is recorded, and that cycle's
flags (over-use, a safety signal) and their explanation: its kits, returns, next day 1,
tablets per product and notes. Never a statement per earlier cycle."""


def budget(ctx: Context, count: int) -> int:
    """PostgreSQL locks the chain head first (db.engine.write_transaction): one more."""
    return count if is_sqlite(ctx.engine) else count + 1


@contextmanager
def statements(ctx: Context) -> Iterator[list[str]]:
    """The statements that read or write rows, as the driver is given them."""
    sent: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
            sent.append(" ".join(statement.split()))

    event.listen(ctx.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(ctx.engine, "before_cursor_execute", before)


def _said(sent: list[str]) -> str:
    return "\n".join(s[:160] for s in sent)


def test_first_cycle_statements(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    with statements(ctx) as sent:
        result = dispense(ctx, pharmacist, pw(pharmacist))
    assert [k.kit for k in result.kits] == ["K0011"]
    assert len(sent) <= budget(ctx, FIRST_CYCLE), _said(sent)
    writes = [" ".join(s.replace(" INTO ", " ").split()[:2]) for s in sent if s[0] != "S"]
    assert sorted(writes) == [
        "INSERT audit_entries",
        "INSERT audit_entry_studies",
        "INSERT dispense_kits",
        "INSERT dispenses",
        "INSERT ledger_entries",
        "INSERT signatures",
        "UPDATE chain_head",
        "UPDATE kits",
    ]


def test_next_cycle_statements(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    clock: FixedClock,
    pharmacist: Actor,
    pw: Password,
) -> None:
    counted: list[int] = []
    done = dispense(ctx, pharmacist, pw(pharmacist))
    for cycle in (2, 3):
        clock.set_date(clock.today() + timedelta(days=21))
        return_all(ctx, pharmacist, pw(pharmacist), done)
        with statements(ctx) as sent:
            done = dispense(ctx, pharmacist, pw(pharmacist), cycle=cycle)
        assert done.cycle == cycle
        assert len(sent) <= budget(ctx, NEXT_CYCLE), _said(sent)
        counted.append(len(sent))
    assert counted[0] == counted[1]  # a longer history, the same statements


def test_result_is_the_dispense_as_read_back(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
) -> None:
    """Every part the written result is built from: kits scanned (one not first to expire),
    a second check, observations and the platelet count, warnings overridden."""
    weight = Observation("weight", "Weight", "kg", False, 20.0, 250.0)
    weighed = replace(ctx, study=replace(ctx.study, observations=(weight,)))
    result = dispense(
        weighed,
        pharmacist,
        pw(pharmacist),
        kits=["K0001"],
        override_reason="the participant's own kit lot",
        overrides=["not_first_expiry"],
        checked_by=pharmacist2.username,
        checker_password=pw(pharmacist2),
        observations={"weight": 61.5},
        platelet_count=120,
    )
    assert result.warnings and result.checked_by == pharmacist2.full_name
    assert [(o.key, o.value) for o in result.observations] == [
        ("weight", 61.5),
        ("platelets", 120),
    ]
    read = queries.get_dispense_detail(weighed, pharmacist, result.number)
    assert result.notices  # the platelet rule, not yet confirmed
    assert replace(result, warnings=(), notices=(), overrides=()) == read


def test_the_study_index_statement_is_built_once_per_kind_of_entry(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The audit entry's INSERT ... SELECT into the study index is built once per set of
    tables an entry lists, its ids bound at each entry: building the union anew took 1 ms of
    a dispense. The second dispense builds no statement, and is indexed as the first."""
    dispense(ctx, pharmacist, pw(pharmacist))
    number = enroll(ctx, pharmacist, "01-002").study_number
    built: list[str] = []
    real = entry_studies._owner_query

    def counted(table: str, ids: Any) -> Any:
        built.append(table)
        return real(table, ids)

    monkeypatch.setattr(entry_studies, "_owner_query", counted)
    dispense(ctx, pharmacist, pw(pharmacist), number)
    assert built == []
    with ctx.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT s.study_id FROM audit_entry_studies s JOIN audit_entries e "
            "ON e.id = s.audit_entry_id WHERE e.action = 'dispense' ORDER BY e.id"
        ).all()
    assert [r[0] for r in rows] == [ctx.study_id, ctx.study_id]


def test_the_tables_a_study_owns_are_those_the_index_looks_up() -> None:
    """entry_studies._OWNED (which tables an entry's index reads) names exactly the tables
    _owner_query finds a study for."""
    tables = Base.metadata.tables
    assert {t for t in tables if entry_studies._owner_query(t, [1]) is not None} == set(
        entry_studies._OWNED
    )


def test_the_previous_cycle_is_the_last_dispense_not_voided(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    clock: FixedClock,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """The participant and their last dispense are read together (one statement, the last by
    cycle and attempt): a voided cycle 2 leaves cycle 1 the previous, and cycle 2 due again."""
    first = dispense(ctx, pharmacist, pw(pharmacist))
    clock.set_date(clock.today() + timedelta(days=21))
    return_all(ctx, pharmacist, pw(pharmacist), first)
    second = dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    dispensing.void_dispense(ctx, pharmacist, second.number, "wrong day 1", pw(pharmacist))
    found = dispensing.assess_dispense(ctx, pharmacist, DispenseRequest(enrolled))
    assert (found.cycle_due, found.previous_day1) == (2, first.day1)
    again = dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    assert again.cycle == 2 and again.number != second.number
