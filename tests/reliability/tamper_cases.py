"""The kinds of edit the tamper suite makes behind the program's back (tests/reliability/
test_tampering.py), and the pharmacy they are made on.

The scene is a few weeks of a pharmacy with rows in every table the audit trail stands behind
(each fact table holds two rows or more, so that two can be swapped). Each kind of edit is SQL
that someone holding the SQLite file (the `sqlite3` module) or the PostgreSQL owner's role (the
`psql` client) would type: the append-only triggers dropped first (disabled, on PostgreSQL) and
foreign keys left unenforced, unless the kind keeps them; a kind may then recompute every hash
as an attacker who knows the algorithm would (`rewrite_chains`). Each kind says how it must
end: refused by the database with nothing changed, named by `audit verify` (the table and row,
or the entry), or, once rewritten, caught by a verification code taken before the edit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Table, create_engine, select, text
from sqlalchemy.dialects.postgresql.base import PGDialect
from sqlalchemy.pool import NullPool

import signed
from chain_rewrite import rewrite_chains
from dispensary.db.engine import checked_url
from dispensary.db.facts import audit_content, digest, facts_text, ledger_content, parse_facts
from dispensary.db.models import APPEND_ONLY, Base
from dispensary.domain.anchor import AnchorVerdict
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    reconciliation,
    returns,
    studies,
    temperature,
    users,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Observation
from services.helpers import (
    EARLY,
    LATE,
    P25,
    WITNESSED,
    busy_pharmacy,
    dispense,
    enroll,
    receive,
)
from signed import seen_now
from tamper import psql_edit, sqlite3_edit, triggers_off

SQLITE3 = "sqlite3"
PSQL = "psql"

# The template's passwords (tests/conftest.py PEOPLE); busy_pharmacy signs with tech's itself.
PASSWORDS = {"pharm": "pharm-pass-1", "monitor": "monitor-pass-1"}

WARM = """timestamp,celsius
2026-01-20T08:00:00+00:00,21.0
2026-01-20T09:00:00+00:00,26.5
2026-01-20T10:00:00+00:00,21.0
"""
COLD = """timestamp,celsius
2026-01-22T08:00:00+00:00,21.0
2026-01-22T09:00:00+00:00,1.5
2026-01-22T10:00:00+00:00,21.0
"""


def build_scene(ctx: Context, clock: FixedClock, actors: Mapping[str, Actor]) -> None:
    """Stock, two participants, dispenses (two voided), a count, returns and a correction, two
    destructions, a quarantine and its release, two excursions, two adherence notes, two
    sign-offs, a participant discontinued, an account deactivated, and a dispense with two
    observations."""
    pharm, tech, monitor, admin = (actors[n] for n in ("pharm", "tech", "monitor", "admin"))
    secret = PASSWORDS["pharm"]
    receive(ctx, pharm, "K0001-K0010", "L1", LATE)
    receive(ctx, pharm, "K0011-K0020", "L2", EARLY)
    receive(ctx, pharm, "S0001-S0004", "S1", LATE, product=P25)
    enroll(ctx, pharm)
    busy_pharmacy(ctx, clock, pharm, secret)  # ends on 2026-01-26
    counts.record_count(ctx, pharm, "K0003", 21, secret)
    dispense(
        ctx, pharm, secret, "01-002", cycle=2, dose_level=-1, dose_ordered_by="Dr Liu"
    )  # DSP000005
    dispensing.void_dispense(ctx, pharm, "DSP000005", "wrong participant", secret)
    destruction.destroy(ctx, pharm, ["K0013"], "tech", "incineration", secret, **WITNESSED)
    quarantine.quarantine(ctx, tech, ["K0002"], "box crushed")
    signed.release(ctx, pharm, ["K0002"], "box checked, tablets intact", "TE-2026-014")
    temperature.import_logger(ctx, tech, "IP store 1", WARM, "warm.csv")
    temperature.import_logger(ctx, tech, "IP store 1", COLD, "cold.csv")
    # S0001 recounted: 10 of 42 tablets back, under-use, a flag to explain (return 3 is its count)
    returns.correct_return(ctx, pharm, 3, 10, "recount", secret)
    returns.explain_flag(ctx, pharm, "DSP000003", "doses held for nausea")
    returns.explain_flag(ctx, pharm, "DSP000003", "and one visit missed")
    reconciliation.sign_off(ctx, monitor, PASSWORDS["monitor"], "visit 1", seen=seen_now(ctx))
    reconciliation.sign_off(ctx, pharm, secret, "visit 1, pharmacy", seen=seen_now(ctx))
    studies.confirm_rule(ctx, admin, "platelets", "the investigators' written rule")
    studies.confirm_rule(ctx, admin, "adherence", "site decision minuted")
    # Observations a study file may ask at dispense (weight, height): their own table.
    asked = (
        Observation("weight", "Weight", "kg", False, 20.0, 250.0),
        Observation("height", "Height", "cm", False, 100.0, 230.0),
    )
    weighed = replace(ctx, study=replace(ctx.study, observations=asked))
    receive(ctx, pharm, "K0021-K0022", "L3", LATE)
    enroll(weighed, pharm, "01-003", initials="EF")
    dispense(weighed, pharm, secret, "01-003", observations={"weight": 61.0, "height": 165.0})
    participants.set_status(
        ctx, pharm, "01-002", "discontinued", "withdrew consent", password=secret
    )
    # Two enrolments entered in error (typos), voided: their own table. Before the last step,
    # whose entry deleted leaves records that still verify (rewritten_after_the_last_entry_...).
    for typo in ("01-0001", "1-002"):
        enroll(ctx, pharm, typo, initials="GH")
        participants.void_enrolment(ctx, pharm, typo, "typed wrongly", secret)
    users.set_active(ctx, admin, "pharm2", False, "left the site")


@dataclass(frozen=True)
class SceneFacts:
    """What the scene holds, read once when it was built (every copy has the same ids)."""

    listed: Mapping[tuple[str, int], tuple[int, ...]]  # (table, id) -> the entries listing it
    ids: Mapping[str, int]  # "kit K0012", "dispense DSP000001", "user tech", "lot L2" ...
    first: Mapping[str, int]  # the lowest id of each table
    last: Mapping[str, int]  # the highest id of each table
    end: datetime  # the scene's clock when it was done


def read_facts(ctx: Context, end: datetime) -> SceneFacts:
    listed: dict[tuple[str, int], tuple[int, ...]] = {}
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    ids: dict[str, int] = {}
    with ctx.engine.connect() as conn:
        for entry_id, stored in conn.execute(text("SELECT id, facts FROM audit_entries")):
            for table, row_id, _hash in parse_facts(stored or ""):
                listed[(table, row_id)] = (*listed.get((table, row_id), ()), int(entry_id))
        for model in Base.metadata.sorted_tables:
            if "id" not in model.c:
                continue
            low, high = conn.execute(text(f"SELECT MIN(id), MAX(id) FROM {model.name}")).one()
            if low is not None:
                first[model.name], last[model.name] = int(low), int(high)
        for prefix, query in (
            ("kit", "SELECT number, id FROM kits"),
            ("dispense", "SELECT number, id FROM dispenses"),
            ("participant", "SELECT study_number, id FROM participants"),
            ("user", "SELECT username, id FROM users"),
            ("lot", "SELECT number, id FROM lots"),
        ):
            ids.update({f"{prefix} {name}": int(i) for name, i in conn.execute(text(query))})
    return SceneFacts({k: tuple(sorted(v)) for k, v in listed.items()}, ids, first, last, end)


@dataclass(frozen=True)
class Scene:
    ctx: Context
    facts: SceneFacts

    def id(self, name: str) -> int:
        return self.facts.ids[name]

    def entry(self, table: str, row_id: int) -> int:
        """The audit entry that last listed the row (the one its state now must match)."""
        return self.facts.listed[(table, row_id)][-1]

    def first(self, table: str) -> int:
        return self.facts.first[table]

    def last(self, table: str) -> int:
        return self.facts.last[table]

    def row(self, table: str, row_id: int) -> dict[str, Any]:
        """The row as stored now, read through the models' column types."""
        columns = Base.metadata.tables[table]
        with self.ctx.engine.connect() as conn:
            found = conn.execute(select(columns).where(columns.c.id == row_id)).one()
        return dict(found._mapping)

    def scalar(self, statement: str) -> Any:
        with self.ctx.engine.connect() as conn:
            return conn.execute(text(statement)).scalar()


# -- how a kind must end ---------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """The database refuses the edit (a trigger, a foreign key, a CHECK): nothing changes."""

    words: str  # in the database's error, lower case


@dataclass(frozen=True)
class Named:
    """`audit verify` fails, leading with an entry of `first_bad`, and its message or findings
    hold every one of `words`."""

    first_bad: frozenset[int | None]
    words: tuple[str, ...]


@dataclass(frozen=True)
class Anchored:
    """After the attacker recomputed every hash, a verification code taken before the edit no
    longer matches (`verdict`); `verify_passes`: whether `audit verify` alone is fooled."""

    verdict: AnchorVerdict
    verify_passes: bool


Expect = Refused | Named | Anchored


@dataclass(frozen=True)
class Edit:
    statements: tuple[str, ...]
    keep_triggers: bool = False  # the append-only triggers left in place
    foreign_keys: bool = False  # foreign keys enforced (sqlite3: PRAGMA; psql: not replica)
    rewrite: bool = False  # then every hash recomputed (rewrite_chains)


Build = Callable[[Scene, str], tuple[Edit, Expect]]


@dataclass(frozen=True)
class Kind:
    name: str
    build: Build
    tables: tuple[str, ...] = field(default=())  # the tables it edits (for the coverage test)


KINDS: list[Kind] = []


def kind(*tables: str) -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        KINDS.append(Kind(build.__name__, build, tables))
        return build

    return register


def apply(scene: Scene, tool: str, edit: Edit) -> str | None:
    """Makes the edit with the tool; returns the database's refusal, or None once committed
    (and, for a rewrite, once every hash was recomputed)."""
    url = checked_url(scene.ctx.database)
    options = {"keep_triggers": edit.keep_triggers, "foreign_keys": edit.foreign_keys}
    if tool == SQLITE3:
        refusal = sqlite3_edit(url.database, *edit.statements, **options)
    else:
        refusal = psql_edit(url.render_as_string(hide_password=False), *edit.statements, **options)
    if refusal is None and edit.rewrite:
        rewrite(scene.ctx)
    return refusal


def rewrite(ctx: Context) -> None:
    """Every hash recomputed on a plain connection (no program code, foreign keys off)."""
    url = checked_url(ctx.database)
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn, triggers_off(conn):
            rewrite_chains(conn)
    finally:
        engine.dispose()


# -- SQL as a person would type it -------------------------------------------------------------


def lit(value: object) -> str:
    """A literal both SQLite and PostgreSQL read (TRUE/FALSE: SQLite 3.23 and later)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date | datetime):
        value = value.isoformat()
    return "'" + str(value).replace("'", "''") + "'"


def _typed(value: object, column: Column[Any], tool: str) -> str:
    # PostgreSQL types a literal in a SELECT list as text, and text is not assigned to a date
    # or an integer column without a cast; SQLite would read CAST(... AS DATE) as a number.
    if tool == PSQL and (value is None or isinstance(value, str | date)):
        pg_type = column.type.compile(dialect=PGDialect())  # type: ignore[no-untyped-call]
        return f"CAST({lit(value)} AS {pg_type})"
    return lit(value)


def copy_row(tool: str, table: str, source: int, **values: object) -> str:
    """INSERT of a copy of row `source` with some values of its own (a new id at least)."""
    columns: Table = Base.metadata.tables[table]
    picked = [_typed(values[c.name], c, tool) if c.name in values else c.name for c in columns.c]
    names = ", ".join(c.name for c in columns.c)
    return (
        f"INSERT INTO {table} ({names}) SELECT {', '.join(picked)} FROM {table} WHERE id = {source}"
    )


def swap_ids(table: str, a: int, b: int) -> tuple[str, ...]:
    return (
        f"UPDATE {table} SET id = -1 WHERE id = {a}",
        f"UPDATE {table} SET id = {a} WHERE id = {b}",
        f"UPDATE {table} SET id = {b} WHERE id = -1",
    )


def swap_values(scene: Scene, table: str, column: str, a: int, b: int) -> tuple[str, ...]:
    first, second = scene.row(table, a)[column], scene.row(table, b)[column]
    assert first != second, f"{table}.{column} of rows {a} and {b} are the same: no swap"
    return (
        f"UPDATE {table} SET {column} = {lit(second)} WHERE id = {a}",
        f"UPDATE {table} SET {column} = {lit(first)} WHERE id = {b}",
    )


# -- what verify must say ----------------------------------------------------------------------


def changed(scene: Scene, table: str, row_id: int, *more: str) -> Named:
    entry = scene.entry(table, row_id)
    words = f"after audit entry {entry} recorded it (technical detail: {table} row {row_id})"
    return Named(frozenset({entry}), (words, *more))


def missing(scene: Scene, table: str, row_id: int) -> Named:
    entry = scene.entry(table, row_id)
    return Named(
        frozenset({entry}),
        (f"recorded by audit entry {entry}, is missing (technical detail: {table} row {row_id})",),
    )


def unlisted(table: str, row_id: int) -> Named:
    words = f"{table} row {row_id} has no audit entry (added outside the program)"
    return Named(frozenset({None}), (words,))


def both_changed(scene: Scene, table: str, a: int, b: int) -> Named:
    one, other = changed(scene, table, a), changed(scene, table, b)
    return Named(one.first_bad | other.first_bad, one.words + other.words)


def chained(first_bad: int | None, words: str) -> Named:
    return Named(frozenset({first_bad}), (words,))


APPEND_ONLY_WORDS = "is append-only"
FOREIGN_KEY = "foreign key"
CHECK = "check constraint"


# -- every fact table: changed, deleted, inserted, two rows swapped ----------------------------


@dataclass(frozen=True)
class FactTable:
    """How each kind is made on one table: the row changed (and the SET clause), the row
    deleted, the row an inserted copy is made of (with the values a unique key needs), and
    how two rows are swapped (their ids, or a column's values)."""

    table: str
    change: str
    changed_row: Callable[[Scene], int]
    deleted_row: Callable[[Scene], int]
    unique: Callable[[Scene], dict[str, object]] = lambda _s: {}
    swap_column: str | None = None  # None: the ids are swapped
    swap_rows: Callable[[Scene], tuple[int, int]] | None = None


def _first(table: str) -> Callable[[Scene], int]:
    return lambda s: s.first(table)


def _last(table: str) -> Callable[[Scene], int]:
    return lambda s: s.last(table)


def _named(name: str) -> Callable[[Scene], int]:
    return lambda s: s.id(name)


FACT_TABLES = (
    FactTable(
        "dispenses",
        "tablets = 14",
        _named("dispense DSP000001"),
        _named("dispense DSP000004"),
        lambda _s: {"number": "DSP000099", "attempt": 9},
        swap_rows=lambda s: (s.id("dispense DSP000001"), s.id("dispense DSP000004")),
    ),
    FactTable(
        "dispense_kits",
        "tablets = 14",
        _first("dispense_kits"),
        _last("dispense_kits"),
        lambda s: {"kit_id": s.id("kit K0014")},
        swap_column="kit_id",
    ),
    FactTable(
        "dispense_voids",
        "reason = 'entered twice'",
        _first("dispense_voids"),  # the void of DSP000002 erased: it looks handed out again
        _first("dispense_voids"),
        lambda s: {"dispense_id": s.id("dispense DSP000004")},
    ),
    FactTable(
        "enrolment_voids",
        "reason = 'entered twice'",
        _first("enrolment_voids"),  # the void erased: the typo looks on treatment again
        _first("enrolment_voids"),
        lambda s: {"participant_id": s.id("participant 01-001")},
    ),
    FactTable("returns", "tablets = 0", _first("returns"), _last("returns"), swap_column="tablets"),
    FactTable(
        "adherence_notes", "reason = 'no flag'", _first("adherence_notes"), _last("adherence_notes")
    ),
    FactTable(
        "physical_counts",
        "counted = book",  # the breakage hidden
        _first("physical_counts"),
        _first("physical_counts"),
        swap_column="kit_id",
    ),
    FactTable(
        "destructions",
        "witness = 'nobody'",
        _first("destructions"),
        _last("destructions"),
    ),
    FactTable(
        "quarantine_events",
        "reason = 'routine'",
        _first("quarantine_events"),
        _first("quarantine_events"),
        swap_column="action",  # the quarantine of K0002 and its release
        swap_rows=lambda s: (s.first("quarantine_events"), s.first("quarantine_events") + 1),
    ),
    FactTable("excursions", "highest = 24.5", _first("excursions"), _first("excursions")),
    FactTable(
        "rule_confirmations",
        "reason = 'never confirmed'",
        _first("rule_confirmations"),
        _last("rule_confirmations"),
        lambda _s: {"rule": "cycle.min_interval"},
        swap_column="reason",
    ),
    FactTable(
        "reconciliation_signoffs",
        "note = 'all in order'",
        _first("reconciliation_signoffs"),
        _last("reconciliation_signoffs"),
        swap_column="user_id",
    ),
    FactTable(
        "signatures",
        "meaning = 'checked'",
        _first("signatures"),
        _last("signatures"),
    ),
    FactTable(
        "shipments",
        "temperature_ok = FALSE",
        _first("shipments"),
        _last("shipments"),
        lambda _s: {"number": "SH-FORGED"},
    ),
    FactTable(
        "participants",
        "birth_year = 1990",  # an enrolment field
        _named("participant 01-001"),
        _named("participant 01-001"),
        lambda _s: {"study_number": "01-099"},
        swap_column="initials",
    ),
    FactTable(
        "users",
        "role = 'administrator'",
        _named("user tech"),
        # Not the monitor's own row: the monitor checks the trail, and an account the database
        # no longer holds reads nothing (its session has ended).
        _named("user pharm2"),
        lambda _s: {"username": "ghost"},
        swap_column="password_hash",
        swap_rows=lambda s: (s.id("user pharm"), s.id("user pharm2")),
    ),
    FactTable(
        "kits",
        "tablets = 28",
        _named("kit K0014"),
        _named("kit K0019"),
        lambda _s: {"number": "K9999", "status": "available"},
        swap_column="status",
        swap_rows=lambda s: (s.id("kit K0012"), s.id("kit K0014")),
    ),
    FactTable(
        "lots",
        "expiry = '2027-12-31'",  # the early lot made to last
        _named("lot L2"),
        _named("lot S1"),
        lambda _s: {"number": "L9"},
        swap_column="expiry",
        swap_rows=lambda s: (s.id("lot L1"), s.id("lot L2")),
    ),
)


def _fact_kinds(spec: FactTable) -> None:
    table = spec.table

    def updated(s: Scene, _tool: str) -> tuple[Edit, Expect]:
        row = spec.changed_row(s)
        return Edit((f"UPDATE {table} SET {spec.change} WHERE id = {row}",)), changed(s, table, row)

    def deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
        row = spec.deleted_row(s)
        return Edit((f"DELETE FROM {table} WHERE id = {row}",)), missing(s, table, row)

    def inserted(s: Scene, tool: str) -> tuple[Edit, Expect]:
        new = s.last(table) + 1
        statement = copy_row(tool, table, spec.deleted_row(s), id=new, **spec.unique(s))
        return Edit((statement,)), unlisted(table, new)

    def swapped(s: Scene, _tool: str) -> tuple[Edit, Expect]:
        a, b = spec.swap_rows(s) if spec.swap_rows else (s.first(table), s.last(table))
        if spec.swap_column is None:
            statements = swap_ids(table, a, b)
        else:
            statements = swap_values(s, table, spec.swap_column, a, b)
        return Edit(statements), both_changed(s, table, a, b)

    for verb, build in (
        ("updated", updated),
        ("deleted", deleted),
        ("inserted", inserted),
        ("swapped", swapped),
    ):
        build.__name__ = f"{table}_{verb}"
        kind(table)(build)


for _spec in FACT_TABLES:
    _fact_kinds(_spec)


# -- rows given an id below the first one (0, or negative) ------------------------------------


@kind("users")
def users_inserted_with_id_0(s: Scene, tool: str) -> tuple[Edit, Expect]:
    """A second administrator (the first one's password, another username), id 0."""
    statement = copy_row(tool, "users", s.id("user admin"), id=0, username="ghost")
    return Edit((statement,)), unlisted("users", 0)


@kind("kits")
def kits_inserted_with_id_0(s: Scene, tool: str) -> tuple[Edit, Expect]:
    statement = copy_row(tool, "kits", s.id("kit K0019"), id=0, number="K0000", status="available")
    return Edit((statement,)), unlisted("kits", 0)


@kind("dispenses")
def dispenses_inserted_with_a_negative_id(s: Scene, tool: str) -> tuple[Edit, Expect]:
    source = s.id("dispense DSP000004")
    statement = copy_row(tool, "dispenses", source, id=-1, number="DSP-00001", attempt=9)
    return Edit((statement,)), unlisted("dispenses", -1)


@kind("ledger_entries")
def ledger_row_inserted_with_id_0(s: Scene, tool: str) -> tuple[Edit, Expect]:
    """A copy of the first receipt (a kit's tablets counted in twice), id 0."""
    statement = copy_row(tool, "ledger_entries", s.first("ledger_entries"), id=0)
    return Edit((statement,)), Named(frozenset({None, 0, 1}), ("ledger row 0",))


@kind("audit_entries")
def audit_entry_inserted_with_id_0(s: Scene, tool: str) -> tuple[Edit, Expect]:
    statement = copy_row(tool, "audit_entries", s.first("audit_entries"), id=0)
    return Edit((statement,)), Named(frozenset({None, 0, 1}), ("audit entry 0",))


# -- the triggers in place: the database refuses ----------------------------------------------

APPEND_ONLY_TABLES = sorted(str(model.__tablename__) for model in APPEND_ONLY)


def _refused_kinds(table: str) -> None:
    def update_refused(s: Scene, _tool: str) -> tuple[Edit, Expect]:
        statement = f"UPDATE {table} SET id = id WHERE id = {s.first(table)}"
        return Edit((statement,), keep_triggers=True), Refused(APPEND_ONLY_WORDS)

    def delete_refused(s: Scene, _tool: str) -> tuple[Edit, Expect]:
        statement = f"DELETE FROM {table} WHERE id = {s.last(table)}"
        return Edit((statement,), keep_triggers=True), Refused(APPEND_ONLY_WORDS)

    update_refused.__name__ = f"{table}_update_refused_by_its_trigger"
    delete_refused.__name__ = f"{table}_delete_refused_by_its_trigger"
    kind(table)(update_refused)
    kind(table)(delete_refused)


for _table in APPEND_ONLY_TABLES:
    _refused_kinds(_table)


@kind("ledger_entries")
def ledger_emptied_refused(s: Scene, tool: str) -> tuple[Edit, Expect]:
    statement = "TRUNCATE ledger_entries" if tool == PSQL else "DELETE FROM ledger_entries"
    return Edit((statement,), keep_triggers=True), Refused(APPEND_ONLY_WORDS)


@kind("returns")
def return_replaced_with_the_triggers_in_place(s: Scene, tool: str) -> tuple[Edit, Expect]:
    """SQLite's INSERT OR REPLACE deletes the row it replaces without firing its DELETE trigger
    (recursive triggers are off): the file takes it, verify names it. PostgreSQL's upsert is an
    UPDATE, which the trigger refuses."""
    row = s.first("returns")
    if tool == SQLITE3:
        statement = copy_row(tool, "returns", row, tablets=0).replace(
            "INSERT", "INSERT OR REPLACE", 1
        )
        return Edit((statement,), keep_triggers=True), changed(s, "returns", row)
    statement = (
        copy_row(tool, "returns", row, tablets=0)
        + " ON CONFLICT (id) DO UPDATE SET tablets = EXCLUDED.tablets"
    )
    return Edit((statement,), keep_triggers=True), Refused(APPEND_ONLY_WORDS)


@kind("audit_entries")
def audit_entry_replaced_with_the_triggers_in_place(s: Scene, tool: str) -> tuple[Edit, Expect]:
    entry = s.entry("dispenses", s.id("dispense DSP000001"))
    if tool == SQLITE3:
        statement = copy_row(tool, "audit_entries", entry, reason="nothing happened")
        statement = statement.replace("INSERT", "REPLACE", 1)
        return Edit((statement,), keep_triggers=True), chained(
            entry, f"audit entry {entry} was changed"
        )
    statement = (
        copy_row(tool, "audit_entries", entry, reason="nothing happened")
        + " ON CONFLICT (id) DO UPDATE SET reason = EXCLUDED.reason"
    )
    return Edit((statement,), keep_triggers=True), Refused(APPEND_ONLY_WORDS)


# -- foreign keys and CHECK constraints --------------------------------------------------------


@kind("kits")
def kit_deleted_with_foreign_keys_enforced(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"DELETE FROM kits WHERE id = {s.id('kit K0012')}"
    return Edit((statement,), foreign_keys=True), Refused(FOREIGN_KEY)


@kind("participants")
def participant_deleted_with_foreign_keys_enforced(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"DELETE FROM participants WHERE id = {s.id('participant 01-001')}"
    return Edit((statement,), foreign_keys=True), Refused(FOREIGN_KEY)


@kind("lots")
def lot_deleted_with_foreign_keys_enforced(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"DELETE FROM lots WHERE id = {s.id('lot L1')}"
    return Edit((statement,), foreign_keys=True), Refused(FOREIGN_KEY)


@kind("audit_entries", "ledger_entries")
def audit_entry_deleted_with_foreign_keys_enforced(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """Its ledger rows name it (a deferred reference, checked at COMMIT)."""
    entry = s.entry("dispenses", s.id("dispense DSP000001"))
    statement = f"DELETE FROM audit_entries WHERE id = {entry}"
    return Edit((statement,), foreign_keys=True), Refused(FOREIGN_KEY)


@kind("kits")
def kit_tablets_made_negative(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE kits SET tablets = -7 WHERE id = {s.id('kit K0014')}"
    return Edit((statement,)), Refused(CHECK)


@kind("ledger_entries")
def ledger_quantity_made_zero(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE ledger_entries SET quantity = 0 WHERE id = {s.first('ledger_entries')}"
    return Edit((statement,)), Refused(CHECK)


@kind("dispense_kits")
def dispense_kit_tablets_made_zero(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE dispense_kits SET tablets = 0 WHERE id = {s.first('dispense_kits')}"
    return Edit((statement,)), Refused(CHECK)


# -- the mutable rows: each column that matters, and the status rebuilt from the records -------


@kind("participants")
def participant_status_changed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    row = s.id("participant 01-002")
    statement = f"UPDATE participants SET status = 'on_treatment' WHERE id = {row}"
    projection = "participant 01-002 reads 'on treatment', but its records make it 'discontinued'"
    return Edit((statement,)), changed(s, "participants", row, projection)


@kind("users")
def user_locked(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    row = s.id("user pharm")
    return Edit((f"UPDATE users SET locked = TRUE WHERE id = {row}",)), changed(s, "users", row)


@kind("users")
def user_password_hash_replaced(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """The administrator's hash put on the pharmacist: whoever knows one password signs as
    the pharmacist."""
    row = s.id("user pharm")
    known = s.row("users", s.id("user admin"))["password_hash"]
    statement = f"UPDATE users SET password_hash = {lit(known)} WHERE id = {row}"
    return Edit((statement,)), changed(s, "users", row)


@kind("users")
def user_reactivated(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """A deactivated account switched back on: its last state was listed by the deactivation."""
    row = s.id("user pharm2")
    statement = f"UPDATE users SET active = TRUE WHERE id = {row}"
    return Edit((statement,)), changed(s, "users", row)


@kind("kits")
def kit_status_changed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """A dispensed kit put back on the shelf."""
    row = s.id("kit K0012")
    projection = "kit K0012 reads 'available', but its records make it 'dispensed'"
    statement = f"UPDATE kits SET status = 'available' WHERE id = {row}"
    return Edit((statement,)), changed(s, "kits", row, projection)


@kind("kits")
def kit_lot_changed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    row = s.id("kit K0014")
    statement = f"UPDATE kits SET lot_id = {s.id('lot L1')} WHERE id = {row}"
    return Edit((statement,)), changed(s, "kits", row)


@kind("password_history")
def password_history_changed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    row = s.first("password_history")
    statement = f"UPDATE password_history SET password_hash = 'x' WHERE id = {row}"
    return Edit((statement,)), changed(s, "password_history", row)


@kind("study")
def study_file_changed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """The stored study file (its dose rules) edited."""
    row = s.first("study")
    statement = f"UPDATE study SET source_text = source_text || '# edited' WHERE id = {row}"
    return Edit((statement,)), changed(s, "study", row)


@kind("destructions")
def destruction_kits_changed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """Another kit written into a destruction record."""
    row = s.last("destructions")
    statement = f"""UPDATE destructions SET kits = '["K0013","K0014"]' WHERE id = {row}"""
    return Edit((statement,)), changed(s, "destructions", row)


# -- the chains: ledger rows, audit entries, the chain head -----------------------------------


def _dispense(s: Scene) -> tuple[int, int]:
    """The audit entry of DSP000001 and its ledger row."""
    entry = s.entry("dispenses", s.id("dispense DSP000001"))
    row = s.scalar(
        "SELECT id FROM ledger_entries WHERE kind = 'dispense' AND reverses_id IS NULL "
        f"AND dispense_id = {s.id('dispense DSP000001')}"
    )
    return entry, int(row)


def _ledger_entry(s: Scene, row: int) -> int:
    return int(s.row("ledger_entries", row)["audit_entry_id"])


@kind("audit_entries")
def audit_text_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, _row = _dispense(s)
    statement = f"UPDATE audit_entries SET reason = 'nothing happened' WHERE id = {entry}"
    return Edit((statement,)), chained(entry, f"audit entry {entry} was changed")


@kind("audit_entries")
def audit_values_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, _row = _dispense(s)
    new = s.row("audit_entries", entry)["new"]
    assert '"tablets":21' in new
    edited = new.replace('"tablets":21', '"tablets":14')
    statement = f"UPDATE audit_entries SET new = {lit(edited)} WHERE id = {entry}"
    return Edit((statement,)), chained(entry, f"audit entry {entry} was changed")


@kind("audit_entries")
def audit_user_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, _row = _dispense(s)
    statement = f"UPDATE audit_entries SET username = 'tech' WHERE id = {entry}"
    return Edit((statement,)), chained(entry, f"audit entry {entry} was changed")


@kind("audit_entries")
def audit_facts_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """The signature taken off the list of what the dispense wrote."""
    entry, _row = _dispense(s)
    listed = parse_facts(s.row("audit_entries", entry)["facts"])
    kept = facts_text([f for f in listed if f[0] != "signatures"])
    assert len(kept) < len(facts_text(listed))
    statement = f"UPDATE audit_entries SET facts = {lit(kept)} WHERE id = {entry}"
    return Edit((statement,)), chained(entry, f"audit entry {entry} was changed")


@kind("audit_entries")
def audit_middle_entry_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, _row = _dispense(s)
    statement = f"DELETE FROM audit_entries WHERE id = {entry}"
    return Edit((statement,)), chained(entry, f"audit entry {entry} is missing")


@kind("audit_entries")
def audit_last_entry_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    last = s.last("audit_entries")
    statement = f"DELETE FROM audit_entries WHERE id = {last}"
    return Edit((statement,)), chained(last, "audit entries at the end are missing")


@kind("audit_entries")
def audit_entries_swapped(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, _row = _dispense(s)
    return Edit(swap_ids("audit_entries", entry, entry + 1)), chained(
        entry, f"audit entry {entry} was changed"
    )


def _forged_entry(s: Scene, tool: str) -> tuple[int, str]:
    last = s.row("audit_entries", s.last("audit_entries"))
    forged = {
        **last,
        "id": last["id"] + 1,
        "action": "destroy",
        "entity": "destruction",
        "entity_id": "99",
        "old": "",
        "new": '{"kits":["K0005"]}',
        "reason": "",
        "facts": "",
        "prev_hash": last["entry_hash"],
    }
    forged["entry_hash"] = digest(forged["prev_hash"], audit_content(forged))
    values = {k: forged[k] for k in forged if k not in ("at", "user_id", "username")}
    return int(forged["id"]), copy_row(tool, "audit_entries", last["id"], **values)


@kind("audit_entries")
def audit_entry_forged(s: Scene, tool: str) -> tuple[Edit, Expect]:
    forged, statement = _forged_entry(s, tool)
    return Edit((statement,)), chained(
        forged, f"audit entry {forged} was added outside the program"
    )


@kind("audit_entries")
def audit_entry_rehashed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """Its own hash recomputed: the chain breaks at the next entry."""
    entry, _row = _dispense(s)
    content = {**s.row("audit_entries", entry), "reason": "nothing happened"}
    entry_hash = digest(content["prev_hash"], audit_content(content))
    statement = (
        f"UPDATE audit_entries SET reason = 'nothing happened', entry_hash = {lit(entry_hash)} "
        f"WHERE id = {entry}"
    )
    return Edit((statement,)), chained(entry + 1, f"audit entry {entry + 1} was changed")


@kind("audit_entries")
def last_audit_entry_rehashed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    last = s.last("audit_entries")
    content = {**s.row("audit_entries", last), "reason": "nothing happened"}
    entry_hash = digest(content["prev_hash"], audit_content(content))
    statement = (
        f"UPDATE audit_entries SET reason = 'nothing happened', entry_hash = {lit(entry_hash)} "
        f"WHERE id = {last}"
    )
    return Edit((statement,)), chained(last, "does not match the chain head")


@kind("ledger_entries")
def ledger_quantity_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, row = _dispense(s)
    statement = f"UPDATE ledger_entries SET quantity = 14 WHERE id = {row}"
    return Edit((statement,)), chained(entry, f"ledger row {row} was changed")


@kind("ledger_entries")
def ledger_kit_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, row = _dispense(s)
    statement = f"UPDATE ledger_entries SET kit_id = kit_id + 1 WHERE id = {row}"
    return Edit((statement,)), chained(entry, f"ledger row {row} was changed")


@kind("ledger_entries")
def ledger_entry_reference_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """The row made to name another audit entry (the reference is in its hash)."""
    entry, row = _dispense(s)
    statement = f"UPDATE ledger_entries SET audit_entry_id = {entry + 1} WHERE id = {row}"
    return Edit((statement,)), chained(entry, f"ledger row {row} was changed")


@kind("ledger_entries")
def ledger_middle_row_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, row = _dispense(s)
    statement = f"DELETE FROM ledger_entries WHERE id = {row}"
    return Edit((statement,)), chained(entry, f"ledger row {row} is missing")


@kind("ledger_entries")
def ledger_last_row_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    last = s.last("ledger_entries")
    statement = f"DELETE FROM ledger_entries WHERE id = {last}"
    return Edit((statement,)), chained(_ledger_entry(s, last), f"ledger row {last} is missing")


@kind("ledger_entries")
def ledger_rows_swapped(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    _entry, row = _dispense(s)
    named = frozenset({_ledger_entry(s, row), _ledger_entry(s, row + 1)})
    return Edit(swap_ids("ledger_entries", row, row + 1)), Named(
        named, (f"ledger row {row} was changed",)
    )


def _forged_row(s: Scene, tool: str, move_head: bool) -> tuple[int, tuple[str, ...]]:
    """A correctly hashed ledger row appended (a kit 'found' out of nowhere)."""
    last = s.row("ledger_entries", s.last("ledger_entries"))
    forged = {
        **last,
        "id": last["id"] + 1,
        "kind": "adjust",
        "quantity": 5,
        "participant_id": None,
        "dispense_id": None,
        "return_id": None,
        "destruction_id": None,
        "count_id": None,
        "reverses_id": None,
        "audit_entry_id": None,
        "reason": "found: extra",
        "prev_hash": last["row_hash"],
    }
    forged["row_hash"] = digest(forged["prev_hash"], ledger_content(forged))
    values = {k: forged[k] for k in forged if k not in ("at", "entry_date", "from_returned")}
    statements = [copy_row(tool, "ledger_entries", last["id"], **values)]
    if move_head:
        statements.append(
            f"UPDATE chain_head SET ledger_count = {forged['id']}, "
            f"ledger_hash = {lit(forged['row_hash'])} WHERE id = 1"
        )
    return int(forged["id"]), tuple(statements)


@kind("ledger_entries")
def ledger_row_forged(s: Scene, tool: str) -> tuple[Edit, Expect]:
    forged, statements = _forged_row(s, tool, move_head=False)
    return Edit(statements), chained(None, f"ledger row {forged} was added outside the program")


@kind("ledger_entries", "chain_head")
def ledger_row_forged_head_moved(s: Scene, tool: str) -> tuple[Edit, Expect]:
    forged, statements = _forged_row(s, tool, move_head=True)
    return Edit(statements), chained(None, f"ledger row {forged} has no audit entry")


@kind("ledger_entries")
def ledger_row_rehashed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """Its own hash recomputed: the chain breaks at the next row."""
    entry, row = _dispense(s)
    content = {**s.row("ledger_entries", row), "quantity": 14}
    row_hash = digest(content["prev_hash"], ledger_content(content))
    statement = (
        f"UPDATE ledger_entries SET quantity = 14, row_hash = {lit(row_hash)} WHERE id = {row}"
    )
    return Edit((statement,)), Named(
        frozenset({entry, _ledger_entry(s, row + 1)}), (f"ledger row {row + 1} was changed",)
    )


@kind("chain_head")
def chain_head_hash_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE chain_head SET audit_hash = {lit('f' * 64)}"
    return Edit((statement,)), chained(s.last("audit_entries"), "does not match the chain head")


@kind("chain_head")
def chain_head_count_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    last = s.last("audit_entries")
    statement = "UPDATE chain_head SET audit_count = audit_count - 1"
    return Edit((statement,)), chained(last, f"audit entry {last} was added outside the program")


@kind("chain_head")
def chain_head_ledger_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE chain_head SET ledger_hash = {lit('e' * 64)}"
    last = _ledger_entry(s, s.last("ledger_entries"))
    return Edit((statement,)), Named(
        frozenset({last, None}), ("the last ledger row does not match the chain head",)
    )


@kind("chain_head")
def chain_head_removed(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    return Edit(("DELETE FROM chain_head",)), chained(
        None, "the chain head (the last hashes) was removed"
    )


# -- the whole chain recomputed after the edit: only a verification code shows it -------------


def _rewritten(edit: Edit, verdict: AnchorVerdict, verify_passes: bool) -> tuple[Edit, Expect]:
    return Edit(edit.statements, rewrite=True), Anchored(verdict, verify_passes)


@kind("returns")
def rewritten_after_a_return_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE returns SET tablets = 0 WHERE id = {s.first('returns')}"
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, True)


@kind("dispenses")
def rewritten_after_a_dispense_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"DELETE FROM dispenses WHERE id = {s.id('dispense DSP000004')}"
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, True)


@kind("signatures")
def rewritten_after_a_signature_reassigned(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = (
        f"UPDATE signatures SET user_id = {s.id('user pharm2')} WHERE id = {s.first('signatures')}"
    )
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, True)


@kind("users")
def rewritten_after_a_role_raised(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    statement = f"UPDATE users SET role = 'administrator' WHERE id = {s.id('user tech')}"
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, True)


@kind("kits")
def rewritten_after_a_kit_put_back_on_the_shelf(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """Verify still names this one: the kit's status is rebuilt from its records."""
    statement = f"UPDATE kits SET status = 'available' WHERE id = {s.id('kit K0012')}"
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, False)


@kind("ledger_entries")
def rewritten_after_a_ledger_row_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    _entry, row = _dispense(s)
    statement = f"UPDATE ledger_entries SET quantity = 14 WHERE id = {row}"
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, True)


@kind("audit_entries")
def rewritten_after_an_audit_entry_edited(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    entry, _row = _dispense(s)
    statement = f"UPDATE audit_entries SET reason = 'rewritten history' WHERE id = {entry}"
    return _rewritten(Edit((statement,)), AnchorVerdict.REWRITTEN, True)


@kind("audit_entries")
def rewritten_after_the_last_entry_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """Its row in the study index too, as an attacker who knows the program would."""
    last = s.last("audit_entries")
    statements = (
        f"DELETE FROM audit_entry_studies WHERE audit_entry_id = {last}",
        f"DELETE FROM audit_entries WHERE id = {last}",
    )
    return _rewritten(Edit(statements), AnchorVerdict.SHORTER, True)


# -- the study index of the entries (db/entry_studies.py): derived, not hashed -----------------


@kind("audit_entry_studies")
def entry_study_index_row_deleted(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """The entry then shows in no study's trail: the full verification names it."""
    entry = s.entry("dispenses", s.id("dispense DSP000001"))
    statement = f"DELETE FROM audit_entry_studies WHERE audit_entry_id = {entry}"
    words = f"audit entry {entry} is missing from the index of the studies each entry concerns"
    return Edit((statement,)), Named(frozenset({entry}), (words,))


@kind("audit_entry_studies")
def entry_study_index_row_moved_to_no_study(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """The entry hidden from its study's trail (under a study the database does not hold)."""
    entry = s.entry("dispenses", s.id("dispense DSP000001"))
    statement = f"UPDATE audit_entry_studies SET study_id = 99 WHERE audit_entry_id = {entry}"
    words = (
        f"audit entry {entry} is indexed as concerning study 99, which this database does not hold"
    )
    return Edit((statement,)), Named(frozenset({entry}), (words,))


@kind("audit_entry_studies")
def entry_study_index_row_added_for_the_site(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    """A study's entry also indexed as the site's: it would show in every study's trail."""
    entry = s.entry("dispenses", s.id("dispense DSP000001"))
    statement = (
        f"INSERT INTO audit_entry_studies (id, audit_entry_id, study_id) "
        f"VALUES ({s.last('audit_entry_studies') + 1}, {entry}, 0)"
    )
    words = f"audit entry {entry} is filed both under the whole site and under a study"
    return Edit((statement,)), Named(frozenset({entry}), (words,))


@kind("audit_entry_studies")
def entry_study_index_row_for_no_entry(s: Scene, _tool: str) -> tuple[Edit, Expect]:
    ahead = s.last("audit_entries") + 5
    statement = (
        f"INSERT INTO audit_entry_studies (id, audit_entry_id, study_id) "
        f"VALUES ({s.last('audit_entry_studies') + 1}, {ahead}, 1)"
    )
    words = (
        f"the index of the studies each entry concerns names audit entry {ahead}, which is not "
        "in the trail"
    )
    return Edit((statement,)), Named(frozenset({None}), (words,))


def kinds_by_name() -> dict[str, Kind]:
    named = {k.name: k for k in KINDS}
    assert len(named) == len(KINDS), "two kinds of edit share a name"
    return named
