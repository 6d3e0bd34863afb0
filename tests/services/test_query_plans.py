"""The counter's steps read by index and in a number of statements that does not grow with the
history (issue 15): every statement a step sends is captured, and on SQLite its query plan is
asked for; no big table is read whole, and the same step after three times the history sends
the same statements."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection

from dispensary.db.engine import is_sqlite, read_transaction
from dispensary.services import (
    audit,
    counts,
    dashboard,
    destruction,
    dispensing,
    inventory_pages,
    labels,
    quarantine,
    queries,
    reconciliation,
    returns,
    temperature,
    users,
)
from dispensary.services.assessment import DestroyRequest, DispenseRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from signed import seen_now

from .helpers import LATE, TECH_PASSWORD, WITNESSED, dispense, enroll, receive

BIG = frozenset(
    {
        "ledger_entries",
        "audit_entries",
        "kits",
        "participants",
        "dispenses",
        "dispense_kits",
        "dispense_observations",
        "returns",
        "signatures",
        "adherence_notes",
        "physical_counts",
        "quarantine_events",
        "destructions",
        "password_history",
    }
)
"""Tables that grow with the site's history: a step never reads one of them whole."""

SMALL = {
    "users": "the site's accounts: tens of rows",
    "study": "one row per study",
    "chain_head": "one row",
    "settings": "a few settings",
    "lots": "tens of lots: FEFO walks a product's lots by ix_lots_fefo",
    "shipments": "one row per shipment, read by id",
    "rule_confirmations": "a study's confirmed rules: one per study-file rule",
    "study_access": "who may see which study: a row per grant",
    "dispense_voids": "voids are rare (a dispense made in error); the whole-site read takes all",
    "reconciliation_signoffs": "a sign-off per reconciliation: tens",
}
"""Tables a step may read whole, and why that is cheap."""

WHOLE_SITE = {
    "physical_counts": "the reconciliation compares every kit with its last count",
}
"""Tables the whole-site reconciliation reads whole besides (it reports on every row)."""


@dataclass
class Captured:
    """The statements sent while capturing (driver-level text and parameters)."""

    statements: list[tuple[str, Any]] = field(default_factory=list)
    on: bool = False

    def add(self, statement: str, parameters: Any, many: bool) -> None:
        if not self.on:
            return
        if many and isinstance(parameters, list | tuple) and parameters:
            parameters = parameters[0]  # (PostgreSQL's batched INSERT gives one dict)
        self.statements.append((statement, parameters))

    @property
    def queries(self) -> list[tuple[str, Any]]:
        """The statements that read or write rows (not the transaction's own)."""
        kinds = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")
        return [(s, p) for s, p in self.statements if s.lstrip().upper().startswith(kinds)]


@contextmanager
def capturing(ctx: Context) -> Iterator[Captured]:
    captured = Captured(on=True)

    def before(
        _conn: Connection, _cursor: Any, statement: str, parameters: Any, _ctx: Any, many: bool
    ) -> None:
        captured.add(statement, parameters, many)

    event.listen(ctx.engine, "before_cursor_execute", before)
    try:
        yield captured
    finally:
        captured.on = False
        event.remove(ctx.engine, "before_cursor_execute", before)


def full_scans(ctx: Context, captured: Captured, allowed: dict[str, str]) -> list[str]:
    """The plan lines, with their statement, that read a big table whole."""
    found: list[str] = []
    with ctx.engine.connect() as conn:
        for statement, parameters in captured.queries:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            for line in (str(row[-1]) for row in plan):
                words = line.split()
                if len(words) < 2 or words[0] != "SCAN":
                    continue
                table = words[1]
                if table in BIG and table not in allowed and not _last_by_id(statement, table):
                    found.append(f"{line}\n    in: {' '.join(statement.split())[:300]}")
    return found


def rows_read(ctx: Context, captured: Captured) -> list[int]:
    """How many rows each reading statement returns, asked again just after the step."""
    counts: list[int] = []
    with ctx.engine.connect() as conn:
        for statement, parameters in captured.queries:
            if statement.lstrip().upper().startswith(("SELECT", "WITH")):
                counts.append(len(conn.exec_driver_sql(statement, parameters).all()))
    return counts


def _last_by_id(statement: str, table: str) -> bool:
    """The last (or first) rows by id: SQLite walks the table in id order and stops at the
    LIMIT (its plan says SCAN), reading a row or two however long the table."""
    text = " ".join(statement.split())
    return (
        re.search(rf"FROM {table} ORDER BY {table}\.id( DESC)? LIMIT \?( OFFSET \?)?$", text)
        is not None
    )


Step = Callable[[str], object]
"""Runs a step once for a participant not dispensed to yet (its study number)."""


@dataclass
class Site:
    """A pharmacy whose history grows by whole visits: enrolment, dispense, label, return."""

    ctx: Context
    clock: FixedClock
    actor: Actor
    password: str
    made: int = 0

    def grow(self, visits: int) -> None:
        for _ in range(visits):
            number = self.next_number()
            result = self.dispense(number)
            labels.record_label_print(
                self.ctx, self.actor, labels.LabelKind.DISPENSE, [result.number], False
            )
            for kit in result.kits:
                returns.record_return(
                    self.ctx, self.actor, kit.kit, 0, self.password, dispense=result.number
                )

    def next_number(self) -> str:
        self.made += 1
        number = f"02-{self.made:03d}"
        enroll(self.ctx, self.actor, number)
        return number

    def dispense(self, number: str, **options: Any) -> DispenseResult:
        return dispense(self.ctx, self.actor, self.password, number, **options)


@pytest.fixture
def site(ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Callable[[Actor], str]) -> Site:
    # Three lots of one product: FEFO must pick the earliest usable lot's first kit.
    receive(ctx, pharmacist, "Q0001-Q0030", "LQ1", LATE)
    receive(ctx, pharmacist, "Q0031-Q0060", "LQ2", LATE - timedelta(days=200))
    receive(ctx, pharmacist, "Q0061-Q0090", "LQ3", LATE + timedelta(days=100))
    labels.record_label_print(
        ctx, pharmacist, labels.LabelKind.KIT, [f"Q{n:04d}" for n in range(1, 31)], False
    )
    # Signed in on this workstation, as at the counter: its signatures need no read of the
    # stored hash before the step (users.presign), from the first step on.
    users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    return Site(ctx, clock, pharmacist, pw(pharmacist))


def steps(site: Site) -> dict[str, tuple[Step, dict[str, str]]]:
    """The counter's steps, each with the big tables it may read whole (and why)."""
    ctx, actor, password = site.ctx, site.actor, site.password

    def assess(number: str) -> object:
        return dispensing.assess_dispense(ctx, actor, DispenseRequest(number))

    def dispense_fefo(number: str) -> object:
        return site.dispense(number)

    def dispense_scanned(number: str) -> object:
        # Kits of the later lot: checked by scan, and compared with the first to expire.
        kit = f"Q{site.made:04d}"
        return site.dispense(
            number, kits=[kit], override_reason="in hand", overrides=["not_first_expiry"]
        )

    def label(number: str) -> object:
        result = site.dispense(number)
        with capturing(ctx) as captured:
            labels.record_label_print(ctx, actor, labels.LabelKind.DISPENSE, [result.number], False)
        return captured

    def give_back(number: str) -> object:
        result = site.dispense(number)
        with capturing(ctx) as captured:
            returns.record_return(ctx, actor, result.kits[0].kit, 3, password, result.number)
        return captured

    def reconcile(_number: str) -> object:
        with read_transaction(ctx.engine) as session:
            check = audit.verify_session(session)
        with capturing(ctx) as captured, read_transaction(ctx.engine) as session:
            # Everything read, as the sign-off reads (carried forward: the test below).
            reconciliation.reconcile_session(session, ctx, check, fresh=True)
        return captured

    return {  # the big tables each step may read whole, with why
        "assess a dispense": (assess, {}),
        "dispense, first expiry first out": (dispense_fefo, {}),
        "dispense, kits scanned": (dispense_scanned, {}),
        "record a label print": (label, {}),
        "record a return": (give_back, {}),
        "reconcile the site": (reconcile, WHOLE_SITE),
    }


def run(site: Site, step: Step) -> Captured:
    """The step's statements: those the step captured itself (after its own set-up), else all
    it sent."""
    number = site.next_number()
    with capturing(site.ctx) as captured:
        own = step(number)
    return own if isinstance(own, Captured) else captured


STEPS = (
    "assess a dispense",
    "dispense, first expiry first out",
    "dispense, kits scanned",
    "record a label print",
    "record a return",
    "reconcile the site",
)


@pytest.mark.parametrize("name", STEPS)
def test_a_step_reads_by_index_and_the_same_statements_as_history_grows(
    site: Site, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The adherence flags are queries.open_flags' (per participant, another module's).
    monkeypatch.setattr(reconciliation, "open_flags", lambda _session, _ctx, _only=None: [])
    step, allowed = steps(site)[name]
    site.grow(2)
    first = run(site, step)
    read_first = rows_read(site.ctx, first)
    site.grow(4)
    later = run(site, step)
    assert first.queries, "the step sent no statement"
    shapes = [statement for statement, _parameters in first.queries]
    assert [statement for statement, _parameters in later.queries] == shapes
    if not allowed:  # a step at the counter reads as many rows whatever the history
        assert rows_read(site.ctx, later) == read_first
    if is_sqlite(site.ctx.engine):
        assert full_scans(site.ctx, later, {**SMALL, **allowed}) == []


def test_a_reconciliation_carried_forward_reads_what_was_written_by_index(site: Site) -> None:
    """The reconciliation after a visit (enrolment, dispense, label, return) and a void,
    carried forward from the last one: what those wrote read by index, no big table whole."""
    ctx = site.ctx
    site.grow(3)

    def reconcile() -> Captured:
        with read_transaction(ctx.engine) as session:
            check = audit.verify_session(session)
        with capturing(ctx) as captured, read_transaction(ctx.engine) as session:
            reconciliation.reconcile_session(session, ctx, check)
        return captured

    reconcile()
    kept = reconciliation._kept(ctx)
    site.grow(1)
    voided = site.dispense(site.next_number())
    dispensing.void_dispense(ctx, site.actor, voided.number, "wrong participant", site.password)
    captured = reconcile()
    assert reconciliation._kept(ctx) is kept is not None  # carried forward
    assert captured.queries
    if is_sqlite(ctx.engine):
        assert full_scans(ctx, captured, SMALL) == []


def test_the_labels_waiting_read_the_latest_dispenses_by_key_and_no_table_whole(
    site: Site,
) -> None:
    """The counter's list of labels to print, asked after each dispense: the latest dispenses
    by the primary key (bounded by labels.RECENT_DISPENSES), the print records by index."""
    site.grow(2)
    waiting = site.dispense(site.next_number()).number
    today = site.clock.today()
    with capturing(site.ctx) as first:
        assert labels.labels_waiting(site.ctx, site.actor, today) == [waiting]
    site.grow(4)
    with capturing(site.ctx) as later:
        assert labels.labels_waiting(site.ctx, site.actor, today) == [waiting]
    assert len(later.queries) == len(first.queries)  # the week's dispenses in lists, not each
    if is_sqlite(site.ctx.engine):
        assert full_scans(site.ctx, later, SMALL) == []


def test_fefo_reads_a_few_kits_however_full_the_shelf(site: Site) -> None:
    """The dispense reads the first kits of the first lot to expire, not the shelf: a shelf
    three times fuller sends the same statements, and the kits chosen are the rule's."""
    before = run(site, lambda number: site.dispense(number))
    receive(site.ctx, site.actor, "Q0101-Q0190", "LQ4", LATE + timedelta(days=300))
    number = site.next_number()
    with capturing(site.ctx) as after:
        result = site.dispense(number)
    assert len(after.queries) == len(before.queries)
    # LQ2 expires first; its first kits went to the earlier dispense, the next one goes now.
    assert [k.lot for k in result.kits] == ["LQ2"]
    assert [k.kit for k in result.kits] == ["Q0032"]


def test_fefo_reads_a_lots_kits_in_order_sorting_nothing(site: Site) -> None:
    """SQLite reads the shelf's kits in the rule's order from the indexes (ix_lots_fefo, then
    ix_kits_shelf within each lot): no lot's kits are all read and sorted to give the first."""
    if not is_sqlite(site.ctx.engine):
        pytest.skip("SQLite's query plan")
    with capturing(site.ctx) as captured:
        site.dispense(site.next_number())
    shelf = [(s, p) for s, p in captured.queries if "ix_kits_shelf" in _plan(site.ctx, s, p)]
    assert len(shelf) == 1
    assert "TEMP B-TREE" not in _plan(site.ctx, *shelf[0])


def _plan(ctx: Context, statement: str, parameters: Any) -> str:
    with ctx.engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    return "\n".join(str(row[-1]) for row in plan)


def test_the_partial_index_of_label_batches_is_used(site: Site) -> None:
    """A print of several kits is found through ix_audit_entries_batches (models.BATCH_ENTRY
    written as the index says it), not by reading every kit label print."""
    if not is_sqlite(site.ctx.engine):
        pytest.skip("SQLite's plan")
    with capturing(site.ctx) as captured:
        done = labels.already_printed(
            site.ctx, site.actor, labels.LabelKind.KIT, ["Q0002", "Q0045"]
        )
    assert done == ["Q0002"]
    with site.ctx.engine.connect() as conn:
        plans = [
            " ".join(str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {s}", p))
            for s, p in captured.queries
        ]
    assert any("ix_audit_entries_batches" in plan for plan in plans), plans
    assert any("ix_audit_entries_entity" in plan for plan in plans), plans


def test_a_print_retried_under_its_identity_is_found_by_the_index_of_its_items(
    site: Site,
) -> None:
    """A print's record retried (the answer of the first lost) looks for its identity among
    the entries filed under its items (ix_audit_entries_entity), not the whole trail, in as
    many statements however long it is; and writes nothing."""
    kits = [f"Q{n:04d}" for n in range(1, 31)]
    token = labels.new_print_token()
    labels.record_label_print(
        site.ctx, site.actor, labels.LabelKind.KIT, kits, True, "", "torn", token
    )
    site.grow(2)
    with capturing(site.ctx) as first:
        row = labels.record_label_print(
            site.ctx, site.actor, labels.LabelKind.KIT, kits, True, "", "torn", token
        )
    assert row.already is not None
    assert not any(s.lstrip().upper().startswith("INSERT") for s, _p in first.queries)
    site.grow(4)
    with capturing(site.ctx) as later:
        labels.record_label_print(
            site.ctx, site.actor, labels.LabelKind.KIT, kits, True, "", "torn", token
        )
    assert [s for s, _p in later.queries] == [s for s, _p in first.queries]
    if is_sqlite(site.ctx.engine):
        assert full_scans(site.ctx, later, SMALL) == []
        plans = [_plan(site.ctx, s, p) for s, p in later.queries if "audit_entries" in s]
        assert plans and all("ix_audit_entries_entity" in plan for plan in plans), plans


def test_the_logger_files_checked_are_read_by_the_index_of_their_action(site: Site) -> None:
    """The temperature screen's list of logger files reads the imports' audit entries through
    ix_audit_entries_action, not the whole trail, in as many statements however long it is."""
    now = site.clock.now()
    lines = ["timestamp,celsius"] + [
        f"{(now - timedelta(hours=h)).isoformat()},21.0" for h in range(48, 0, -6)
    ]
    temperature.import_logger(site.ctx, site.actor, "IP store 1", "\n".join(lines) + "\n")
    site.grow(2)
    with capturing(site.ctx) as first:
        assert len(temperature.logger_checks(site.ctx, site.actor)) == 1
    site.grow(4)
    with capturing(site.ctx) as later:
        assert len(temperature.logger_checks(site.ctx, site.actor)) == 1
    assert [s for s, _p in later.queries] == [s for s, _p in first.queries]
    if is_sqlite(site.ctx.engine):
        assert full_scans(site.ctx, later, SMALL) == []
        plans = [_plan(site.ctx, s, p) for s, p in later.queries if "audit_entries" in s]
        assert plans and all("ix_audit_entries_action" in plan for plan in plans), plans


def test_a_manifest_is_received_in_as_many_statements_whatever_its_length(site: Site) -> None:
    """The kits of a shipment go in with one batched INSERT (stock.receive_kits): a manifest of
    40 kits sends the statements of one of 10, not four times as many."""
    with capturing(site.ctx) as short:
        receive(site.ctx, site.actor, "R0001-R0010", "LR1", LATE + timedelta(days=400))
    with capturing(site.ctx) as long:
        receive(site.ctx, site.actor, "R0101-R0140", "LR2", LATE + timedelta(days=400))
    assert len(long.queries) == len(short.queries), [s for s, _p in long.queries]


@pytest.mark.parametrize("text", ["02-00", "dsp0", "Q00", "LQ2"])
def test_an_inventory_search_reads_the_kits_once_and_no_other_history_whole(
    site: Site, text: str
) -> None:
    """A search for text anywhere in a kit's number or storage area reads the study's kits
    (no index serves a substring); the participants, dispenses and their kits it also names
    are found from the few kits out with participants, not by reading every dispense."""
    if not is_sqlite(site.ctx.engine):
        pytest.skip("SQLite's plan")
    site.grow(3)  # kits back from participants (held for the monitor)
    site.dispense(site.next_number())  # and one out with a participant
    query = inventory_pages.KitQuery(text=text)
    with capturing(site.ctx) as captured:
        found = inventory_pages.inventory_page(site.ctx, site.actor, query, 0, 200)
        counted = inventory_pages.inventory_summary(site.ctx, site.actor, query)
    assert found and counted.kits == len(found)
    kits = "a substring of a kit's number or storage area: every kit of the study, once a call"
    assert full_scans(site.ctx, captured, {**SMALL, "kits": kits}) == []
    scans = [s for s, _p in captured.queries if "kits.number LIKE" in s]
    assert len(scans) == 2  # the page and the count: one statement each reads the kits


def test_the_server_compiles_no_query_to_machine_code(ctx: Context) -> None:
    """PostgreSQL's JIT compiles a query it estimates costly before running it: on the DARF's
    history that took longer than it saved, so each connection turns it off (db/engine)."""
    if is_sqlite(ctx.engine):
        pytest.skip("SQLite has no JIT")
    with ctx.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"


def test_the_destructions_naming_a_kit_are_found_by_the_index_of_their_lists(
    ctx: Context,
) -> None:
    """PostgreSQL: a kit destroyed empty is named only in its destruction's list; the lookup
    casts the list as the index does (migration 0011), so the index can serve it, one kit at a
    time. Asked with table scans priced out: on a test's few rows reading them is cheaper."""
    if is_sqlite(ctx.engine):
        pytest.skip("PostgreSQL's index (SQLite reads the lists with json_each)")
    statement = queries._destructions_naming([f"K{n:04d}" for n in range(1, 501)])
    compiled = statement.compile(ctx.engine)
    # Each kit's look-up kept apart (the planner does not fold it into a join).
    assert "OFFSET" in str(compiled)
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            str(row[0]) for row in conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        )
    assert "Index Scan on ix_destructions_kits" in plan, plan
    assert "Index Cond: ((kits)::jsonb ? key.number)" in plan, plan  # kit by kit
    # No list cast once per kit and destruction (a join filter on the jsonb of every list).
    assert not [line for line in plan.splitlines() if "Filter" in line and "jsonb" in line], plan


def test_the_index_of_the_destructions_lists_is_theirs_with_no_pending_list(ctx: Context) -> None:
    """PostgreSQL: rows waiting in a GIN index's pending list are read whole at every look-up;
    on a copied site the planner then read the destructions once per kit (4 s a page), so the
    index merges each destruction's kits as it is written (fastupdate off)."""
    if is_sqlite(ctx.engine):
        pytest.skip("PostgreSQL's index")
    with ctx.engine.connect() as conn:
        made = conn.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_destructions_kits'"
        ).scalar()
    # (The schema comparison of test_migrations sees its name, not its kind or expression.)
    assert made == (
        "CREATE INDEX ix_destructions_kits ON public.destructions USING gin (((kits)::jsonb))"
        " WITH (fastupdate=off)"
    )


def test_assessing_a_destruction_sends_as_many_statements_for_200_kits_as_for_10(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    """Select all on the Inventory screen names up to 2,000 kits, and the destruction is
    assessed again at every change of the selection: the kits, their lots, balances and last
    events are read in batches (no statement per kit), by index."""
    receive(ctx, pharmacist, "D0001-D0200", "LD1", LATE)
    receive(ctx, pharmacist, "R0001-R0002", "LR1", LATE - timedelta(days=200))  # dispensed first
    enroll(ctx, pharmacist, "02-001")
    given = dispense(ctx, pharmacist, pw(pharmacist), "02-001")
    returns.record_return(ctx, pharmacist, given.kits[0].kit, 5, pw(pharmacist), given.number)
    named = [given.kits[0].kit, *(f"D{n:04d}" for n in range(1, 201)), "Z0001"]

    def assessed(kits: list[str]) -> Captured:
        request = DestroyRequest(
            tuple(kits), "tech", "incineration", reference="AUTH-1", reason_code="damaged"
        )
        with capturing(ctx) as captured:
            found = destruction.assess_destroy(ctx, pharmacist, request)
        assert len(found.kits) == len(kits)
        return captured

    few = assessed([*named[:10], "Z0001"])
    many = assessed(named)
    assert len(few.queries) == len(many.queries), [s for s, _p in many.queries]
    if is_sqlite(ctx.engine):
        assert full_scans(ctx, many, SMALL) == []


def test_the_bottles_out_with_participants_off_treatment_are_read_from_the_kits_out(
    site: Site,
) -> None:
    """The Today screen's returns due of participants no longer on treatment are read from
    the kits still dispensed (ix_kits_study_status_number), not from every participant who
    ever completed the study: no table read whole."""
    site.grow(3)
    with capturing(site.ctx) as captured, read_transaction(site.ctx.engine) as session:
        dashboard._off_treatment_out(session, site.ctx)
    assert captured.queries
    if is_sqlite(site.ctx.engine):
        assert full_scans(site.ctx, captured, SMALL) == []


def kits_of_the_whole_study(ctx: Context, captured: Captured) -> list[str]:
    """The plan lines, with their statement, that read the kits by their study alone: every
    kit the study ever received (160,000 at a busy site), not the shelf's few thousand by
    their status. The count of the kits ever received, which is that read, is left out."""
    found: list[str] = []
    with ctx.engine.connect() as conn:
        for statement, parameters in captured.queries:
            text = " ".join(statement.split())
            if text.startswith("SELECT count(kits.id) AS count_1 FROM kits WHERE kits.study_id"):
                continue
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            for line in (str(row[-1]) for row in plan):
                if re.fullmatch(r"SEARCH kits USING (COVERING )?INDEX \w+ \(study_id=\?\)", line):
                    found.append(f"{line}\n    in: {text[:300]}")
    return found


def test_the_today_screen_reads_the_shelf_by_status_and_as_many_statements_as_history_grows(
    site: Site,
) -> None:
    """The Today screen's read after a step (the findings carried forward, its figures read
    again), with kits quarantined and one held for a count difference: no big table read
    whole, the shelf read by the kits' status (a kit's count by its own index), never every
    kit of the study (issue 15: the held kits' list, the quarantined and the expiring kits
    were read so, 160,000 kits at a busy site); the same statements after more history."""
    ctx, actor = site.ctx, site.actor
    quarantine.quarantine(ctx, actor, ["Q0088"], "Dropped")
    assert counts.record_count(ctx, actor, "Q0087", 20, site.password).open

    def read_after_a_step() -> Captured:
        first = dashboard.dashboard(ctx, actor)
        site.next_number()
        with capturing(ctx) as captured:
            again = dashboard.dashboard(ctx, actor, since=first.verification.point)
        [need] = [s for s in again.stock if s.kits_quarantined]
        assert need.kits_held == 1
        return captured

    site.grow(2)
    first = read_after_a_step()
    site.grow(4)
    later = read_after_a_step()
    assert [s for s, _p in later.queries] == [s for s, _p in first.queries]
    if is_sqlite(ctx.engine):
        assert full_scans(ctx, later, SMALL) == []
        assert kits_of_the_whole_study(ctx, later) == []


LATE_INDEXES = {
    "ix_returns_corrections": "returns.corrects_id IS NOT NULL",
    "ix_dispenses_late": "dispenses.dispensed_on < ",
    "ix_returns_late": "returns.returned_on < ",
    "ix_physical_counts_late": "physical_counts.counted_on < ",
    "ix_destructions_late": "destructions.destroyed_on < ",
}
"""The indexes of migration 0014, each with the words of the statement it serves."""


def _typed_late(site: Site, brought: str, day: date) -> tuple[str, ...]:
    """A receipt, a dispense to `brought`, its return, a count and a destruction done on paper
    on `day` and typed in now: what a sign-off made since is told of each, in its order."""
    ctx, actor, password = site.ctx, site.actor, site.password
    receive(ctx, actor, "Q0201-Q0202", "LQ5", LATE, shipment="SH-PAPER", received_on=day)
    late = site.dispense(brought, day1=day, dispensed_on=day)
    back = returns.record_return(
        ctx, actor, late.kits[0].kit, 1, password, late.number, returned_on=day
    )
    counts.record_count(
        ctx, actor, "Q0088", 20, password, "breakage", "crushed", "tech", TECH_PASSWORD, day
    )
    destroyed = destruction.destroy(
        ctx, actor, ["Q0089"], "tech", "incineration", password, destroyed_on=day, **WITNESSED
    )
    return (
        "receipt of shipment SH-PAPER dated before it",
        f"dispense {late.number} dated before it",
        f"return {back.return_id} dated before it",
        "count of kit Q0088 dated before it",
        f"destruction No. {destroyed.destruction_id} dated before it",
    )


def _looked_up(ctx: Context, said: tuple[str, ...]) -> Captured:
    """The statements of the look-up of what changed since the one sign-off, which finds `said`."""
    with capturing(ctx) as captured, read_transaction(ctx.engine) as session:
        [signed] = reconciliation.signoff_rows(session, ctx.study_id, ctx.study, ctx.clock)
    assert signed.changed_since == said
    return captured


def _plans(ctx: Context, captured: Captured) -> list[tuple[str, str]]:
    """Each statement captured (white space folded) with its plan; on SQLite, none reads a
    table whole but the small ones."""
    if is_sqlite(ctx.engine):
        assert full_scans(ctx, captured, SMALL) == []
        return [(" ".join(s.split()), _plan(ctx, s, p)) for s, p in captured.queries]
    return [(" ".join(s.split()), _pg_plan(ctx, s, p)) for s, p in captured.queries]


def test_the_records_changing_a_sign_off_are_found_by_index_however_long_the_history(
    site: Site, monitor: Actor, pw: Callable[[Actor], str]
) -> None:
    """After a sign-off each reconciliation looks for the records written after it that change
    what it attested: a return corrected, a dispense voided, a dispense, return, count or
    destruction dated before its day. SQLite walked the study's participants and every
    dispense and return of theirs (and every count and destruction) for them: now the indexes
    of the records dated before the day they were written (and of the corrections) are read,
    the same statements and rows however much ordinary work is written after the sign-off."""
    ctx, clock, actor, password = site.ctx, site.clock, site.actor, site.password
    site.grow(2)
    counted = site.dispense(site.next_number())
    first = returns.record_return(ctx, actor, counted.kits[0].kit, 3, password, counted.number)
    wrong = site.dispense(site.next_number())
    brought = site.next_number()  # enrolled before the sign-off, dispensed to after it
    before = clock.today()
    clock.set_date(before + timedelta(days=1))
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit", seen=seen_now(ctx))
    clock.set_date(before + timedelta(days=2))
    site.grow(1)  # the day's work after the sign-off changes nothing it attested
    for kit in ("Q0085", "Q0086", "Q0087"):
        counts.record_count(
            ctx, actor, kit, 15, password, "breakage", "crushed", "tech", TECH_PASSWORD
        )
    fixed = returns.correct_return(ctx, actor, first.return_id, 2, "recount", password)
    dispensing.void_dispense(  # two days after the dispense: its kits scanned back
        ctx, actor, wrong.number, "wrong participant", password, [k.kit for k in wrong.kits]
    )
    said = (
        f"return {fixed.return_id} corrects return {first.return_id}",
        f"dispense {wrong.number} voided",
        *_typed_late(site, brought, before),
    )

    first_read = _looked_up(ctx, said)
    rows_first = rows_read(ctx, first_read)
    site.grow(4)
    later = _looked_up(ctx, said)
    assert [s for s, _p in later.queries] == [s for s, _p in first_read.queries]
    assert rows_read(ctx, later) == rows_first
    plans = _plans(ctx, later)
    if is_sqlite(ctx.engine):
        # No walk of the study's participants or kits (a SEARCH by the study alone).
        assert not [plan for _s, plan in plans if "(study_id=?)" in plan], "\n\n".join(
            f"{a}\n{b}" for a, b in plans
        )
    for index, words in LATE_INDEXES.items():
        served = [plan for statement, plan in plans if words in statement]
        assert served and all(index in plan for plan in served), (index, "\n".join(served))


def _pg_plan(ctx: Context, statement: str, parameters: Any) -> str:
    """PostgreSQL's plan, with the tables' statistics taken (as autovacuum keeps them) and
    table scans priced out (on a test's few rows reading a table is cheaper than any index):
    a partial index is in it only if PostgreSQL proves the statement's condition is the
    index's."""
    with ctx.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = conn.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    return "\n".join(str(row[0]) for row in plan)


WRITTEN_INDEXES = {
    "ix_dispenses_written": "dispenses.created_at < ",
    "ix_returns_written": "returns.created_at < ",
    "ix_physical_counts_written": "physical_counts.created_at < ",
    "ix_destructions_written": "destructions.created_at < ",
}
"""The indexes of migration 0016, each with the words of the statement it serves: the records
written from a sign-off to the UTC midnight after it (a window's end)."""


def test_records_typed_in_the_small_hours_east_of_utc_are_read_by_their_time_by_index(
    site: Site, monitor: Actor, pw: Callable[[Actor], str]
) -> None:
    """In Henan (UTC+8) a monitor signs off at 07:00, 23:00 UTC the day before, and the day
    before's paper dispense, return, count and destruction are typed at 07:30: dated the UTC
    day they were written, they are not in 0014's indexes, and the look-up reads the records
    written from the sign-off to the UTC midnight by their time. That read went through every
    dispense, return, count and destruction; now the indexes of the records by the time they
    were written serve it (0014's still serve the rest): the same statements and rows however
    much work is written after that midnight, and what the sign-off is told stays right."""
    ctx, clock, actor, password = site.ctx, site.clock, site.actor, site.password
    henan = ZoneInfo("Asia/Shanghai")
    site.grow(2)
    brought = site.next_number()  # enrolled before the sign-off, dispensed to after it
    before = clock.today()
    clock.current = datetime.combine(before + timedelta(days=1), time(7, 0), henan)
    assert clock.current.astimezone(UTC).date() == before  # the UTC day before the local one
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit", seen=seen_now(ctx))
    clock.current += timedelta(minutes=30)
    said = _typed_late(site, brought, before)
    clock.current += timedelta(hours=2)  # 09:30, the next UTC day: the day's work after it

    site.grow(1)
    first_read = _looked_up(ctx, said)
    rows_first = rows_read(ctx, first_read)
    site.grow(4)
    # The day's counts (PostgreSQL reads a table of one count by any index as cheaply).
    for n in range(61, 85):
        counts.record_count(
            ctx, actor, f"Q{n:04d}", 20, password, "breakage", "crushed", "tech", TECH_PASSWORD
        )
    later = _looked_up(ctx, said)
    assert [s for s, _p in later.queries] == [s for s, _p in first_read.queries]
    assert rows_read(ctx, later) == rows_first
    plans = _plans(ctx, later)
    for index, words in WRITTEN_INDEXES.items():
        served = [plan for statement, plan in plans if words in statement]
        assert served and all(index in plan for plan in served), (index, "\n".join(served))
    for index, words in LATE_INDEXES.items():  # the records dated before the UTC day written
        served = [
            plan
            for statement, plan in plans
            if words in statement and not any(w in statement for w in WRITTEN_INDEXES.values())
        ]
        assert served and all(index in plan for plan in served), (index, "\n".join(served))


def test_the_small_hours_of_several_sign_offs_are_each_read_by_index(site: Site) -> None:
    """Several sign-offs made in the local small hours east of UTC: each one's hours up to the
    UTC midnight are a range of the indexes by the time written (SQLite's MULTI-INDEX OR), no
    table read through. (PostgreSQL prices an OR of ranges over a test's few rows above a walk
    of any index: the test above checks its plan for one sign-off's hours.)"""
    if not is_sqlite(site.ctx.engine):
        pytest.skip("SQLite's plan")
    ctx = site.ctx
    site.grow(3)
    start = site.clock.now()
    windows = [
        (start - timedelta(days=3, hours=1), start - timedelta(days=3)),
        (start - timedelta(hours=1), start + timedelta(hours=1)),
    ]
    with capturing(ctx) as captured, read_transaction(ctx.engine) as session:
        reconciliation._changes_after(
            session, ctx.study_id, start - timedelta(days=4), site.clock.today(), windows
        )
    assert full_scans(ctx, captured, SMALL) == []
    plans = [(" ".join(s.split()), _plan(ctx, s, p)) for s, p in captured.queries]
    for index, words in WRITTEN_INDEXES.items():
        served = [plan for statement, plan in plans if words in statement]
        assert served and all(index in plan for plan in served), (index, "\n".join(served))
