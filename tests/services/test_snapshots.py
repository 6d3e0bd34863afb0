"""Reports and screens read one snapshot, and no query carries an unbounded `IN (...)` list.

A receive committed by another workstation is injected before each statement of a gather in
turn (an engine hook on the reading engine, so the timing is exact, not a race): the report
must neither fail nor mix the states before and after it. The `IN` tests lower SQLite's limit
on bound variables (32,766 by default) so that a few hundred kits stand for tens of thousands.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Engine, event, text

from dispensary.db.engine import is_sqlite, make_engine, read_transaction
from dispensary.domain.codes import KitStatus, MovementKind
from dispensary.services import queries, report_data
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

from .helpers import P75, receive

VARIABLE_LIMIT = 999
"""The lowered limit (SQLite's default before 3.32): more kits than this would need more
bound variables than SQLite takes, as 32,767 kits do at today's default."""


@dataclass
class ReceiveBefore:
    """Receives K0901-K0903 through a second engine (another workstation) just before the
    reading engine runs its statement number `at` (1 = the first)."""

    other: Context
    actor: Actor
    at: int
    seen: int = 0
    fired: bool = False
    statements: list[str] = field(default_factory=list)

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("BEGIN", "SET", "SHOW")):
            return
        self.seen += 1
        self.statements.append(statement.split("\n", 1)[0][:60])
        if self.seen == self.at and not self.fired:
            self.fired = True
            receive(self.other, self.actor, "K0901-K0903", "L9", shipment="SH-RACE")


@contextmanager
def receive_during(ctx: Context, actor: Actor, at: int) -> Iterator[ReceiveBefore]:
    other = Context(make_engine(ctx.database), ctx.study, ctx.clock, ctx.database)
    hook = ReceiveBefore(other, actor, at)
    event.listen(ctx.engine, "before_cursor_execute", hook)
    try:
        yield hook
    finally:
        event.remove(ctx.engine, "before_cursor_execute", hook)
        other.engine.dispose()


def _received(darfs: list[report_data.DarfRecord], product: str = P75) -> int:
    return sum(
        line.quantity
        for d in darfs
        if d.product == product
        for line in d.lines
        if line.kind is MovementKind.RECEIVE
    )


@pytest.mark.parametrize("at", range(1, 8))
def test_a_receive_committed_while_a_darf_is_gathered_is_in_all_of_it_or_none(
    ctx: Context, pharmacist: Actor, cycle1: DispenseResult, at: int
) -> None:
    before = report_data.darf_records(ctx, pharmacist, product=P75)
    with receive_during(ctx, pharmacist, at) as hook:
        during = report_data.darf_records(ctx, pharmacist, product=P75)
    after = report_data.darf_records(ctx, pharmacist, product=P75)
    if at <= 2:  # the DARF reads in two statements; later positions find none to precede
        assert hook.fired, hook.statements
    if hook.fired:
        assert _received(after) == _received(before) + 3 * 21
    assert during in (before, after), f"a mix of two states (receive before {hook.statements})"


@pytest.mark.parametrize("at", [1, 2, 5, 12, 25])
def test_a_receive_committed_while_a_monitor_pack_is_gathered_is_in_all_of_it_or_none(
    ctx: Context, pharmacist: Actor, cycle1: DispenseResult, at: int
) -> None:
    """The reconciliation, the DARFs and the audit check of one pack read the same state."""
    since, until = ctx.clock.today().replace(day=1), ctx.clock.today()
    with receive_during(ctx, pharmacist, at) as hook:
        pack = report_data.monitor_pack(ctx, pharmacist, since, until)
    assert hook.fired
    received = next(r.received for r in pack.reconciliation.products if r.key == P75)
    assert received == _received(list(pack.darfs))
    assert received in (20 * 21, 23 * 21)
    assert pack.verification.ok
    # 24 kits received and one dispensed before; 3 kits more if the receive is in the pack
    assert pack.verification.ledger_entries == 25 + (3 if received == 23 * 21 else 0)


@pytest.mark.parametrize("at", range(1, 7))
def test_ledger_rows_never_miss_a_kit_received_meanwhile(
    ctx: Context, pharmacist: Actor, cycle1: DispenseResult, at: int
) -> None:
    """Every row names its kit and lot, whenever the receive lands (the rows once looked kits
    up in a table read a statement earlier: a KeyError under PostgreSQL's READ COMMITTED)."""
    before = queries.ledger_rows(ctx, pharmacist)
    with receive_during(ctx, pharmacist, at) as hook:
        during = queries.ledger_rows(ctx, pharmacist)
    after = queries.ledger_rows(ctx, pharmacist)
    assert hook.fired or at > 1, hook.statements  # one statement now; six before
    if hook.fired:
        assert len(after) == len(before) + 3
    assert during in (before, after)


def test_reads_on_postgresql_are_repeatable_and_read_only(ctx: Context) -> None:
    if is_sqlite(ctx.engine):
        pytest.skip("PostgreSQL only: a SQLite deferred transaction is a snapshot already")
    with read_transaction(ctx.engine) as session:
        assert session.execute(text("SHOW transaction_isolation")).scalar() == "repeatable read"
        assert session.execute(text("SHOW transaction_read_only")).scalar() == "on"


def test_a_read_inside_a_read_is_the_same_transaction(ctx: Context) -> None:
    with read_transaction(ctx.engine) as outer, read_transaction(ctx.engine) as inner:
        assert inner is outer
    with read_transaction(ctx.engine) as first:
        pass
    with read_transaction(ctx.engine) as second:
        assert second is not first


# -- no unbounded IN lists -----------------------------------------------------------------------


@contextmanager
def variable_limit(engine: Engine, limit: int) -> Iterator[None]:
    """SQLite refuses statements with more than `limit` bound variables on every connection
    the engine opens from now on."""

    def lower(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)

    engine.dispose()
    event.listen(engine, "connect", lower)
    try:
        yield
    finally:
        event.remove(engine, "connect", lower)
        engine.dispose()


@pytest.fixture
def many_kits(ctx: Context, pharmacist: Actor) -> int:
    """More kits than VARIABLE_LIMIT, received in shipments below it."""
    if not is_sqlite(ctx.engine):
        pytest.skip("SQLite's bound-variable limit")
    count = 0
    for first in (1, 601):
        last = first + 599
        receive(ctx, pharmacist, f"K{first:04d}-K{last:04d}", f"L{first}", shipment=f"SH{first}")
        count += last - first + 1
    assert count > VARIABLE_LIMIT
    return count


def test_the_inventory_of_more_kits_than_sqlite_takes_variables(
    ctx: Context, pharmacist: Actor, many_kits: int
) -> None:
    with variable_limit(ctx.engine, VARIABLE_LIMIT):
        marks = ", ".join(["?"] * (VARIABLE_LIMIT + 1))
        with (
            pytest.raises(Exception, match="too many SQL variables"),  # the limit holds
            read_transaction(ctx.engine) as session,
        ):
            session.connection().exec_driver_sql(
                f"SELECT 1 WHERE 1 IN ({marks})", tuple(range(VARIABLE_LIMIT + 1))
            )
        rows = queries.inventory(ctx, pharmacist)
        available = queries.inventory(ctx, pharmacist, status=KitStatus.AVAILABLE)
        darfs = report_data.darf_records(ctx, pharmacist)
        expiry = report_data.expiry_report(ctx, pharmacist, 3650)
        labels = report_data.kit_label_rows(ctx, pharmacist, [r.number for r in rows])
    assert len(rows) == len(available) == len(labels) == many_kits
    assert all(r.tablets == 21 for r in rows)
    assert _received(darfs) == many_kits * 21
    assert len(expiry.expiring) == many_kits


def test_the_inventory_command_lists_more_kits_than_sqlite_takes_variables(
    ctx: Context,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    many_kits: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`dispensary inventory` in-process, on its own engine: every engine's connections get
    the lowered limit (a pool-class listener)."""
    import json

    from sqlalchemy.pool import Pool

    from dispensary.cli import main

    def lower(dbapi_conn: Any, _record: Any) -> None:
        if isinstance(dbapi_conn, sqlite3.Connection):
            dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, VARIABLE_LIMIT)

    ctx.engine.dispose()
    monkeypatch.setenv("DISPENSARY_PASSWORD", pw(pharmacist))
    event.listen(Pool, "connect", lower)
    try:
        code = main(["--db", ctx.database, "--user", pharmacist.username, "inventory", "--json"])
    finally:
        event.remove(Pool, "connect", lower)
    out, err = capsys.readouterr()
    assert code == 0, err
    assert len(json.loads(out)) == many_kits
