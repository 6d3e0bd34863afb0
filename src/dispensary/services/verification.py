"""`audit verify`: both chains, every fact the audit entries list, and the kits' and
participants' status rebuilt from the facts, in one streaming pass (constant memory but for
one small entry per kit, user and participant).

Every table is read in id order a window at a time. The audit entries are walked in order;
each one's ledger rows and facts are matched against the ledger's and each fact table's own
window, which moves forward in step (ids are handed out under the write lock, so a table's
rows are listed in id order). A row passed over and listed later (out of order) is kept aside
until it is; one never listed at the end was added outside the program. A changed row, a
deleted one, an inserted one, an edited status are each named with the audit entry concerned.

A quick pass comes first (_quick): the same checks made a table at a time, the hashing of the
chains and fact tables beside it: on SQLite in a second process (verification_jobs), on
PostgreSQL by the server itself over two more connections in the same snapshot (_ServerJobs).
It can only say that everything verifies: at the first difference, or anything not as the
program writes it, it gives up and the walk above names what is wrong.

An incremental verification (`since`: a VerifiedPoint from a check that passed) checks only
the entries, ledger rows and fact rows written since, with their chains continuing from the
point: what the Today screen runs at each refresh. It does not re-read what came before, nor
rebuild the kits' status: the full verification does (`audit verify`, the audit report).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, cast

from sqlalchemy import Table, distinct, exists, func, select
from sqlalchemy.orm import Session

from dispensary.db import entry_studies, facts
from dispensary.db.engine import read_only
from dispensary.db.facts import GENESIS
from dispensary.db.models import (
    AuditEntry,
    AuditEntryStudy,
    Base,
    Kit,
    LedgerEntry,
    Participant,
    StudyRecord,
)
from dispensary.domain.audit_actions import (
    YES_NO_KEYS,
    field_name,
    meaning_named,
    record_named,
    value_shown,
)
from dispensary.domain.codes import KitStatus, MovementKind, ParticipantStatus
from dispensary.domain.errors import RuleViolation
from dispensary.domain.lifecycle import KitEvent, transition
from dispensary.i18n import ENGLISH, N_, _, current_language, pgettext
from dispensary.i18n import listed as in_words
from dispensary.services import verification_jobs
from dispensary.services.assessment.returns import NOT_BROUGHT_BACK
from dispensary.services.results import VerifiedPoint, VerifyResult

WINDOW = 2000
MAX_FINDINGS = 50
AUDIT = cast(Table, AuditEntry.__table__)
LEDGER = cast(Table, LedgerEntry.__table__)
BASELINE = "facts_baseline"
"""The audit entry of migration 0005 that lists the rows written before facts were recorded."""

# Priorities of what the message leads with: the chains first, then the facts, then status.
CHAIN, FACT, STATUS = 0, 1, 2

Problem = tuple[int, int | None, str]  # priority, audit entry named, words


Unreadable = facts.Unreadable


KEEP: Mapping[str, tuple[str, ...]] = {
    "audit_entries": (
        "at",
        "action",
        "entity",
        "entity_id",
        "new",
        "facts",
        "prev_hash",
        "entry_hash",
    ),
    "ledger_entries": ("kind", "kit_id", "reverses_id", "audit_entry_id", "prev_hash", "row_hash"),
    "returns": ("kit_id", "corrects_id", "outcome"),
    "quarantine_events": ("kit_id", "action"),
    "destructions": ("kits",),
    "kits": ("number", "status"),
    "participants": ("study_number", "status"),
}
"""The columns the walk reads besides a row's id and canonical text (chains, kit status)."""

_sha256 = hashlib.sha256


PHARMACY_SET: Mapping[str, tuple[str, ...]] = {
    "pharmacy_particulars_set": ("name", "address", "phone"),
    "pharmacy_language_set": ("language",),
    "pharmacy_idle_lock_set": ("idle_lock_minutes",),
}
"""The audit actions that set the pharmacy's settings (services/pharmacy), with the values each
carries: the `settings` rows `pharmacy.<value>` are changed in place, so they are checked
against the newest such entry, which the chain protects."""

RECEIVE, DISPENSE = MovementKind.RECEIVE.value, MovementKind.DISPENSE.value

LEDGER_EVENTS: Mapping[tuple[str, bool], KitEvent] = {
    (RECEIVE, False): KitEvent.RECEIVE,
    (RECEIVE, True): KitEvent.RECEIVE,
    (DISPENSE, False): KitEvent.DISPENSE,
    (DISPENSE, True): KitEvent.VOID_DISPENSE,
}
"""The kit event of a ledger row, by its kind and whether it reverses another row."""

CHAINED = {"audit_entries": "entry_hash", "ledger_entries": "row_hash"}
"""The chained tables and the column of each row's own hash."""


class _Table:
    """One table as the walk reads it: rows as named tuples (id, text, the KEEP columns), `text`
    the row's canonical text (facts.python_text). On SQLite the SQL builds the text (facts.
    text_sql) and Python only hashes it; where that hash is not the one expected, the row is
    read whole by the table's Reader and encoded in Python, whose text is the one that counts.
    Elsewhere every row is read whole and encoded in Python."""

    def __init__(self, table: Table, sqlite: bool, fast: bool) -> None:
        self.name = table.name
        self.full = facts.reader(table, sqlite)
        kept = KEEP.get(table.name, ())
        self.positions = tuple(self.full.position(n) for n in kept)
        self.shape: Any = namedtuple(f"{table.name}_row", ("id", "text", *kept))  # type: ignore[misc]
        self.fast = fast  # SQLite with its JSON functions: the SQL writes the text
        columns = ", ".join(
            ['"id"', facts.text_sql(table)] + [facts.stored_form_sql(table, n) for n in kept]
        )
        self.sql = f'SELECT {columns} FROM "{table.name}" WHERE "id" > ? ORDER BY "id" LIMIT ?'
        own = CHAINED.get(table.name)
        self.own = 2 + kept.index(own) if own else 0
        self.prev = 2 + kept.index("prev_hash") if own else 0

    def _whole(self, values: Sequence[Any]) -> Any:
        text = facts.python_text(self.name, self.full.names, values)
        return self.shape._make((values[0], text, *[values[p] for p in self.positions]))

    def after(self, dbapi: Any, after: int, limit: int) -> tuple[list[Any], list[str]]:
        """The next `limit` rows with an id above `after`, in id order, and their hashes: a
        fact's content hash; an audit entry's or ledger row's digest after its stored previous
        hash (the walk checks that one)."""
        rows: list[Any] = []
        if self.fast:
            cursor = dbapi.cursor()
            try:
                cursor.execute(self.sql, (after, limit))
                fetched = cursor.fetchall()
                rows = list(map(self.shape._make, fetched)) if self.positions else fetched
            except sqlite3.Error:  # a value json_quote refuses (bytes): all read in Python
                rows = [self._whole(v) for v in self.full.after(dbapi, after, limit)]
            finally:
                cursor.close()
        else:
            rows = [self._whole(v) for v in self.full.after(dbapi, after, limit)]
        if not self.own:
            return rows, [_sha256(r[1].encode()).hexdigest() for r in rows]
        own, prev = self.own, self.prev
        try:
            hashes = [_sha256((r[prev] + r[1]).encode()).hexdigest() for r in rows]
        except TypeError:  # a previous hash that is not text: the chain says so
            hashes = [_sha256((str(r[prev]) + r[1]).encode()).hexdigest() for r in rows]
        if self.fast:
            for i, row in enumerate(rows):
                if hashes[i] != row[own]:
                    rows[i], hashes[i] = self.python(dbapi, row, str(row[prev]))
        return rows, hashes

    def python(self, dbapi: Any, row: Any, prev: str | None = None) -> tuple[Any, str]:
        """The row read whole and encoded in Python, and its hash (after `prev` when given);
        the row as it is when it is gone."""
        found = self.full.by_ids(dbapi, [int(row[0])])
        if found:
            row = self._whole(found[0])
        text = row[1] if prev is None else prev + row[1]
        return row, _sha256(text.encode()).hexdigest()

    def by_ids(self, dbapi: Any, ids: Sequence[int]) -> list[Any]:
        return [self._whole(v) for v in self.full.by_ids(dbapi, ids)]


def _hash(text: str) -> str:
    return _sha256(text.encode("utf-8")).hexdigest()


class _Source:
    """Reads tables for one verification with the driver's own cursor."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dbapi = facts.driver_connection(session)
        self.sqlite = facts.on_sqlite(session)
        self.fast = self.sqlite and _has_json(self.dbapi)
        # PostgreSQL: the server writes the canonical texts and hashes them (facts.pg_text_sql).
        self.server = session.connection().dialect.name == "postgresql"
        self.snapshot: object = None  # PostgreSQL: the verifying transaction's, exported
        self.tables: dict[str, _Table] = {}

    def table(self, table: Table) -> _Table:
        found = self.tables.get(table.name)
        if found is None:
            found = self.tables[table.name] = _shared_table(table, self.sqlite, self.fast)
        return found

    def sql(self, text: str) -> str:
        """`text` with the driver's mark of a parameter (`{}` in `text`)."""
        return text.format("?" if self.sqlite else "%s")

    def fetch(self, sql: str, args: Sequence[Any] = ()) -> list[Any]:
        """The rows of a small read with the driver's cursor: no statement to compile, which
        the Today screen's incremental check would otherwise pay at each of its reads."""
        cursor = self.dbapi.cursor()
        try:
            cursor.execute(sql, args)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def batches(
        self, table: Table, after: int | None = None
    ) -> Iterator[tuple[list[Any], list[str]]]:
        """Every row with an id above `after` (None: every row, an id of 0 or below that no
        program gives included), in id order, a window at a time, with their hashes (_Table.
        after); a value that cannot be read stops the walk with Unreadable naming its row."""
        reader = self.table(table)
        if after is None:
            lowest = reader.full.lowest(self.dbapi)
            after = min(0, lowest - 1) if lowest is not None else 0
        while True:
            rows, hashes = reader.after(self.dbapi, after, WINDOW)
            if not rows:
                return
            yield rows, hashes
            after = int(rows[-1][0])
            if len(rows) < WINDOW:
                return

    def windows(self, table: Table, after: int | None = None) -> Iterator[tuple[Any, str]]:
        for rows, hashes in self.batches(table, after):
            yield from zip(rows, hashes, strict=True)

    def by_ids(self, table: Table, ids: Sequence[int]) -> list[Any]:
        return self.table(table).by_ids(self.dbapi, ids)

    def fact_hash(self, table: Table, row: Any, found: str, expected: str) -> tuple[Any, str]:
        """A fact row and its hash `found`, encoded in Python when the SQL's text does not give
        `expected` (Python's text is the one that counts)."""
        if found == expected or not self.fast:
            return row, found
        return self.table(table).python(self.dbapi, row)


_SHARED: dict[tuple[str, bool, bool], _Table] = {}


def _shared_table(table: Table, sqlite: bool, fast: bool) -> _Table:
    """A table's reader, its SQL and row shape made once per process (they depend on the schema
    only, and making them costs more than an incremental check's reads)."""
    key = (table.name, sqlite, fast)
    found = _SHARED.get(key)
    if found is None:
        found = _SHARED[key] = _Table(table, sqlite, fast)
    return found


def _has_json(dbapi: Any) -> bool:
    """Whether this SQLite has json_quote (built in since 3.38, and in most builds before)."""
    cursor = dbapi.cursor()
    try:
        cursor.execute("SELECT json_quote('a')")
        return True
    except sqlite3.Error:
        return False
    finally:
        cursor.close()


@dataclass
class _Cursor:
    """One append-only table's rows in id order, matched against the ids the audit entries
    list: rows passed over wait aside (listed later, or never: added outside the program)."""

    source: _Source
    table: Table
    keep: bool  # keep the rows' content (kit status is rebuilt from them)
    on_batch: Callable[[list[Any], list[str]], list[str]] | None = None  # the ledger chain
    after: int | None = None  # None: from the first row there is
    empty: bool = False  # known to hold no row above `after` (its highest id is not above)
    waiting: dict[int, tuple[str, Any]] = field(default_factory=dict)
    batches: Iterator[tuple[list[Any], list[str]]] | None = None
    batch: list[Any] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    at: int = 0
    read: int = 0

    def _load(self) -> bool:
        if self.empty:
            self.batch, self.hashes = [], []
            return False
        if self.batches is None:
            self.batches = self.source.batches(self.table, self.after)
        self.batch, self.hashes = next(self.batches, ([], []))
        if self.on_batch is not None:
            self.hashes = self.on_batch(self.batch, self.hashes)
        self.at = 0
        return bool(self.batch)

    def _next(self) -> tuple[int, str, Any] | None:
        if self.at >= len(self.batch) and not self._load():
            return None
        at = self.at
        self.at = at + 1
        self.read += 1
        row = self.batch[at]
        return int(row[0]), self.hashes[at], row

    def take(self, row_id: int) -> tuple[str, Any] | None:
        """The listed row's hash and content, or None when there is no such row."""
        if self.waiting and row_id in self.waiting:
            return self.waiting.pop(row_id)
        at = self.at
        if at < len(self.batch) and self.batch[at][0] == row_id:  # in order, as written
            self.at = at + 1
            self.read += 1
            return self.hashes[at], self.batch[at]
        while True:
            found = self._next()
            if found is None:
                return None
            if found[0] < row_id:
                self.waiting[found[0]] = found[1:]
                continue
            if found[0] == row_id:
                return found[1:]
            self.waiting[found[0]] = found[1:]
            return None

    def rest(self) -> list[int]:
        """The ids of the rows no entry listed, reading to the end."""
        while (found := self._next()) is not None:
            self.waiting[found[0]] = found[1:]
        return sorted(self.waiting)


@dataclass
class _Walk:
    """The state of one verification as the audit entries go by."""

    source: _Source
    problems: list[Problem] = field(default_factory=list)
    cursors: dict[str, _Cursor] = field(default_factory=dict)
    last_state: dict[str, dict[int, tuple[str, int]]] = field(default_factory=dict)
    kit_status: dict[int, KitStatus | None] = field(default_factory=dict)
    kit_broken: set[int] = field(default_factory=set)
    person_status: dict[int, str] = field(default_factory=dict)
    kit_numbers: dict[str, int] = field(default_factory=dict)
    person_ids: dict[str, int] = field(default_factory=dict)
    ledger_prev: str = GENESIS
    ledger_expected: int = 1
    ledger_bad: dict[int, str] = field(default_factory=dict)
    entries: int = 0
    replay: bool = True  # rebuild the kits' status (the full verification only)
    moves: dict[tuple[KitStatus | None, KitEvent], KitStatus] = field(default_factory=dict)
    # Returns recording a kit not brought back, not corrected yet (return id -> kit id): a
    # correction of one that counts the kit brings it back.
    not_back: dict[int, int] = field(default_factory=dict)
    # Kits out on such a return that an older version made 'returned' (it moved every
    # return so): either status agrees with their records until the kit moves again.
    out_or_back: set[int] = field(default_factory=set)

    def add(self, priority: int, entry: int | None, words: str) -> None:
        if len(self.problems) < MAX_FINDINGS:
            self.problems.append((priority, entry, words))

    # -- the ledger chain, row by row in id order ---------------------------------------------

    def ledger_batch(self, rows: list[Any], hashes: list[str]) -> list[str]:
        """The chain checks of a window of ledger rows (in id order, each with its digest after
        its stored previous hash); returns their stored hashes, which the entries list."""
        stored: list[str] = []
        prev, expected = self.ledger_prev, self.ledger_expected
        for row, found in zip(rows, hashes, strict=True):
            row_id = int(row.id)
            own = str(row.row_hash)
            stored.append(own)
            if row_id < 1:  # no program gives it: the chain goes on as if it were not there
                self.ledger_bad.setdefault(
                    row_id,
                    _("ledger row {row} was added outside the program (ids start at 1)").format(
                        row=row_id
                    ),
                )
                continue
            if row_id > expected:
                for gap in range(expected, min(row_id, expected + 3)):
                    self.ledger_bad.setdefault(
                        gap, _("ledger row {row} is missing").format(row=gap)
                    )
            expected = row_id + 1
            if row.prev_hash != prev or row.row_hash != found:
                self.ledger_bad.setdefault(
                    row_id,
                    _ledger_finding(_("ledger row {row} was changed").format(row=row_id), row_id),
                )
            prev = own
        self.ledger_prev, self.ledger_expected = prev, expected
        return stored

    # -- kit status, rebuilt ---------------------------------------------------------------------

    def kit_number(self, kit_id: int) -> str:
        return next(
            (n for n, i in self.kit_numbers.items() if i == kit_id),
            _("id {id}").format(id=kit_id),
        )

    def kit_event(self, kit_id: int, event: KitEvent, entry: int) -> None:
        if not self.replay or kit_id in self.kit_broken:
            return
        status = self.kit_status.get(kit_id)
        after = self.moves.get((status, event))  # transition() of the pair, once given
        if after is not None:
            self.kit_status[kit_id] = after
            return
        try:
            after = transition(status, event, kit=str(kit_id))
            self.kit_status[kit_id] = self.moves[(status, event)] = after
        except RuleViolation:
            self.kit_broken.add(kit_id)
            self.add(
                STATUS,
                entry,
                _(
                    "kit {kit}: audit entry {entry} records '{event}', which its earlier records "
                    "do not allow (a record before it is missing or changed)"
                ).format(kit=self.kit_number(kit_id), entry=entry, event=_event_words(event)),
            )

    def ledger_event(self, kind: str, kit_id: Any, reverses_id: Any, entry: int) -> None:
        """The kit event of a ledger row (its kind, kit and the row it reverses)."""
        event = LEDGER_EVENTS.get((kind, reverses_id is not None))
        if event is not None:
            self.kit_event(int(kit_id), event, entry)

    def return_event(self, row: Any, entry: int) -> None:
        """A return: the kit comes back, or stays out when not brought back (until a correction
        of that return counts it back); a recount of a kit counted back moves nothing."""
        kit_id = int(row.kit_id)
        out = row.outcome == NOT_BROUGHT_BACK
        if row.corrects_id is not None and self.not_back.pop(int(row.corrects_id), None) is None:
            return  # a recount of a kit already back
        if out:
            if row.corrects_id is None:
                self.kit_event(kit_id, KitEvent.NOT_BROUGHT_BACK, entry)
                self.out_or_back.add(kit_id)
            self.not_back[int(row.id)] = kit_id
            return
        self.out_or_back.discard(kit_id)
        self.kit_event(kit_id, KitEvent.RETURN, entry)

    def fact_event(self, table: str, row: Any, entry: int) -> None:
        if table == "returns":
            self.return_event(row, entry)
        elif table == "quarantine_events":
            event = KitEvent.RELEASE if row.action == "release" else KitEvent.QUARANTINE
            self.kit_event(int(row.kit_id), event, entry)
        elif table == "destructions":
            try:
                numbers = json.loads(row.kits)
            except (json.JSONDecodeError, TypeError):
                numbers = []
            for number in numbers if isinstance(numbers, list) else []:
                kit_id = self.kit_numbers.get(str(number))
                if kit_id is None:
                    self.add(
                        STATUS,
                        entry,
                        _("destructions row {row} names kit {kit}, which is not in stock").format(
                            row=row.id, kit=number
                        ),
                    )
                else:
                    if kit_id in self.out_or_back:
                        # Destroyed as 'returned' by an older version: the program now refuses
                        # it (not brought back), but the records are as that version wrote them.
                        self.out_or_back.discard(kit_id)
                        if self.kit_status.get(kit_id) is KitStatus.DISPENSED:
                            self.kit_status[kit_id] = KitStatus.RETURNED
                    self.kit_event(kit_id, KitEvent.DESTROY, entry)


KEPT = frozenset({"returns", "quarantine_events", "destructions"})
"""Fact tables whose content rebuilds the kits' status."""


def _entry_of(problem: Unreadable) -> int | None:
    return int(str(problem.row_id)) if problem.table == "audit_entries" else None


@functools.cache
def _tables() -> Mapping[str, Table]:
    return MappingProxyType({t.name: t for t in facts.tracked(Base.metadata.sorted_tables)})


def verify_session(session: Session) -> VerifyResult:
    """The full verification, inside the caller's read transaction: on SQLite first the quick
    pass (_quick), which can only say that everything verifies; whenever it cannot, the walk
    below says what is wrong, as it always has."""
    source = _Source(session)
    result = None
    if source.fast or source.server:
        result = _try_quick(session, source)
    if result is None:
        result = _walk_all(session, source)
    return _with_index(result, _study_index_problems(session, 0, derive=False))


def _try_quick(session: Session, source: _Source) -> VerifyResult | None:
    """The quick pass; None where it gives up, or meets a value it does not expect (the walk
    then looks at it). On PostgreSQL inside a savepoint: a statement the server refuses would
    otherwise end the transaction the walk reads in."""
    driver = sys.modules.get("psycopg")
    errors: tuple[type[BaseException], ...] = (
        TypeError,
        ValueError,
        KeyError,
        AttributeError,
        sqlite3.Error,
        *([driver.Error] if driver is not None else []),
    )
    if not source.server:
        try:
            return _quick(session, source)
        except errors:
            return None
    # Exported before the savepoint (a subtransaction cannot): the jobs' connection reads it.
    source.snapshot = next(_rows(source.dbapi, "SELECT pg_export_snapshot()"))[0]
    _execute(source.dbapi, "SAVEPOINT verify_quick")
    try:
        passed = _quick(session, source)
    except errors:
        _execute(source.dbapi, "ROLLBACK TO SAVEPOINT verify_quick")
        passed = None
    _execute(source.dbapi, "RELEASE SAVEPOINT verify_quick")
    return passed


def _execute(dbapi: Any, sql: str) -> None:
    cursor = dbapi.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _walk_all(session: Session, source: _Source) -> VerifyResult:
    """The full verification row by row, naming each problem with its audit entry."""
    tables = _tables()
    walk = _Walk(source)
    walk.kit_numbers = {
        str(number): int(kit_id) for kit_id, number in session.execute(select(Kit.id, Kit.number))
    }
    walk.person_ids = {
        str(n): int(i) for i, n in session.execute(select(Participant.id, Participant.study_number))
    }
    for name, table in tables.items():
        if name in facts.MUTABLE:
            walk.last_state[name] = {}
        else:
            walk.cursors[name] = _Cursor(source, table, keep=name in KEPT)
    ledger = _Cursor(source, LEDGER, keep=True, on_batch=walk.ledger_batch)
    head = _head(source)
    try:
        audit_prev, position = _walk_entries(walk, ledger, 0, GENESIS)
        unlisted = ledger.rest()
        ledger_count = ledger.read
    except Unreadable as exc:
        return _result(walk, [(CHAIN, _entry_of(exc), str(exc))])
    ledger_position = walk.ledger_expected - 1
    _check_head(walk, head, position, audit_prev, ledger_position, walk.ledger_prev, ledger_count)
    for gap_or_bad in sorted(walk.ledger_bad):
        walk.add(CHAIN, None, walk.ledger_bad[gap_or_bad])
    if unlisted:
        walk.add(CHAIN, None, _no_audit_entry(unlisted[0]))
    try:
        _unlisted_facts(walk, tables)
    except Unreadable as exc:
        walk.add(FACT, None, str(exc))
    _check_projections(walk)
    _check_pharmacy(session, walk)
    marks = _marks(session, tables)
    point = VerifiedPoint(position, audit_prev, ledger_position, walk.ledger_prev, marks)
    return _result(walk, [], ledger_rows=ledger_count, point=point)


# -- the quick pass (SQLite, PostgreSQL) -----------------------------------------------------------
#
# The walk above names every problem with its audit entry, which costs a few microseconds of
# Python per row and fact. The quick pass makes the same checks in bulk and only says that all
# of them hold: the SQL writes each row's canonical text (facts.text_sql; on PostgreSQL
# facts.pg_text_sql, and the server hashes it too), Python hashes it, and what the walk matches
# row by row is compared a table at a time. The ledger's chain and each append-only fact
# table's hashes (verification_jobs; _server_jobs) are worked out beside the walk of the audit
# entries, in a second process (SQLite) or on the server (PostgreSQL) on a big database, where
# the walk reads through server-side cursors. Where anything differs (a row the SQL
# writes otherwise than Python, a row listed out of order, a finding), it gives up and the walk
# is made: the quick pass never names a problem, and never passes what the walk would not.

QUICK_BATCH = 4000
WORKER_ROWS = 200_000
"""From this many audit entries and ledger rows the jobs run in a second process (starting it
costs more than it gains on a small database)."""


_CURSORS = iter(range(1, 1 << 62))


def _stream(dbapi: Any, sql: str, args: Sequence[Any] = ()) -> Iterator[list[Any]]:
    """The rows of `sql` a batch at a time; on a server through a cursor of its own there (a
    client-side cursor would hold the whole result in memory)."""
    if isinstance(dbapi, sqlite3.Connection):
        cursor = dbapi.cursor()
    else:
        cursor = dbapi.cursor(name=f"dispensary_verify_{next(_CURSORS)}")
    try:
        if args:
            cursor.execute(sql, args)
        else:  # psycopg: no parameters, so no % in the SQL taken for one
            cursor.execute(sql)
        while rows := cursor.fetchmany(QUICK_BATCH):
            yield rows
    finally:
        with contextlib.suppress(Exception):  # a server's cursor gone with its savepoint
            cursor.close()


def _rows(dbapi: Any, sql: str, shape: Any = None) -> Iterator[Any]:
    for rows in _stream(dbapi, sql):
        yield from (map(shape._make, rows) if shape is not None else rows)


def _jobs(tables: Mapping[str, Table]) -> list[verification_jobs.Job]:
    """The ledger's chain check and the listing of each append-only fact table."""
    jobs: list[verification_jobs.Job] = []
    for chained, kind, time in ((AUDIT, "timed chain", ', "at"'), (LEDGER, "chain", "")):
        own = CHAINED[chained.name]
        sql = (
            f'SELECT "id", CAST("prev_hash" || {facts.text_sql(chained)} AS BLOB), "prev_hash", '
            f'"{own}"{time} FROM "{chained.name}" WHERE "id" <= ? ORDER BY "id"'
        )
        jobs.append((kind, chained.name, sql))
    for name, table in tables.items():
        if name not in facts.MUTABLE:
            sql = (
                f'SELECT "id", CAST({facts.text_sql(table)} AS BLOB), {facts.odd_sql(table)} '
                f'FROM "{name}" WHERE "id" <= ? ORDER BY "id"'
            )
            jobs.append(("listing", name, sql))
    return jobs


HERE: frozenset[str] = frozenset()
"""Listings the verifying process makes itself when a worker makes the rest: after its walk of the
audit entries, while the worker still hashes (the two sides are to end together). Measured alone
on the benchmark's site (1M entries and ledger rows, CPU seconds on a shared machine), the walk
took about 9.2 s and the worker's jobs 9.4 s, of which the dispenses listing 0.65 s, once the
worker hashed the rows as SQLite reads them: none is made here (with the dispenses here, the walk
was the longer side, 9.9 s against 8.7 s)."""


class _Jobs:
    """The jobs, in a second process when the database is a big file and this is a Python that
    can start one (but the listings of HERE); else on the verification's own connection when
    their answers are asked."""

    def __init__(self, session: Session, jobs: list[verification_jobs.Job], bounds: dict[str, int]):
        self.jobs, self.bounds = jobs, bounds
        self.here = [job[0] == "listing" and job[1] in HERE for job in jobs]
        self.there = [job for job, here in zip(jobs, self.here, strict=True) if not here]
        self.dbapi = facts.driver_connection(session)
        self.worker: subprocess.Popen[bytes] | None = None
        engine = session.get_bind().engine
        path = engine.url.database
        big = bounds.get(LEDGER.name, 0) + bounds.get(AUDIT.name, 0) >= WORKER_ROWS
        if not big or not path or not os.path.isfile(path) or getattr(sys, "frozen", False):
            return  # small, in memory, given as a URI, or no Python to start: done here
        opened = read_only(engine)  # read as this process reads it: nothing written beside it
        where = {"path": opened.uri, "uri": True} if opened is not None else {"path": path}
        work = json.dumps({**where, "jobs": self.there, "bounds": bounds}).encode()
        try:
            self.worker = subprocess.Popen(
                [sys.executable, "-I", "-S", verification_jobs.__file__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # Windows: no console window flashes up over the counter's screen.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
            assert self.worker.stdin is not None
            self.worker.stdin.write(work)
            self.worker.stdin.close()
            self.worker.stdin = None  # sent: communicate() has nothing to write
        except OSError:
            self.stop()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.kill()
            self.worker.communicate()
            self.worker = None

    def _run(self, jobs: list[verification_jobs.Job]) -> list[verification_jobs.Answer]:
        cursor = self.dbapi.cursor()
        try:
            return verification_jobs.run(cursor, jobs, self.bounds)
        finally:
            cursor.close()

    def answers(self) -> list[verification_jobs.Answer]:
        """Every job's answer, in the order of the jobs."""
        if self.worker is not None:
            mine = iter(self._run([j for j, h in zip(self.jobs, self.here, strict=True) if h]))
            out, _err = self.worker.communicate()
            done = self.worker.returncode == 0
            self.worker = None
            if done:
                try:
                    found = json.loads(out)
                    if isinstance(found, list) and len(found) == len(self.there):
                        theirs = iter(cast(list[verification_jobs.Answer], found))
                        return [next(mine) if h else next(theirs) for h in self.here]
                except json.JSONDecodeError:
                    pass
        return self._run(self.jobs)  # no worker, or it failed: here, in this transaction


def _server_jobs(tables: Mapping[str, Table]) -> list[verification_jobs.Job]:
    """PostgreSQL: the jobs of _jobs, each one statement the server answers in full (it writes
    the texts and hashes them): a chain's count, its broken links (an id out of 1, 2, 3..., a
    previous hash that is not the row before's own hash, a time that goes backwards) and the
    ids whose digest is not their own hash (the caller encodes those in Python); a listing's
    `id:hash,` tokens of a range of ids, in id order, leaving out the odd rows."""
    jobs: list[verification_jobs.Job] = []
    for chained, kind in ((AUDIT, "timed chain"), (LEDGER, "chain")):
        own = CHAINED[chained.name]
        timed = kind == "timed chain"
        digest = facts.pg_hash_sql(f'"prev_hash" || {facts.pg_text_sql(chained)}')
        sql = (
            'SELECT count(*), count(*) FILTER (WHERE "id" <> rn '
            'OR "prev_hash" IS DISTINCT FROM coalesce(before, %s) OR own IS NULL'
            + (' OR "at" < before_at' if timed else "")
            + '), array_agg("id") FILTER (WHERE digest IS DISTINCT FROM own) FROM ('
            f'SELECT "id", "prev_hash", "{own}" AS own, lag("{own}") OVER w AS before, '
            + ('"at", lag("at") OVER w AS before_at, ' if timed else "")
            + f'row_number() OVER w AS rn, {digest} AS digest FROM "{chained.name}" '
            'WHERE "id" <= %s WINDOW w AS (ORDER BY "id")) AS rows'
        )
        jobs.append((kind, chained.name, sql))
    for name, table in tables.items():
        if name not in facts.MUTABLE:
            token = f"\"id\"::text || ':' || {facts.pg_hash_sql(facts.pg_text_sql(table))} || ','"
            sql = (
                f'SELECT count(*), string_agg({token}, \'\' ORDER BY "id") FROM "{name}" '
                f'WHERE "id" > %s AND "id" <= %s AND NOT {facts.pg_odd_sql(table)}'
            )
            jobs.append(("listing", name, sql))
    return jobs


SERVER_RANGE = 100_000
"""The ids of a fact table one listing statement covers (its tokens are one text)."""


def _run_server_jobs(
    dbapi: Any, jobs: Sequence[verification_jobs.Job], bounds: Mapping[str, int]
) -> list[verification_jobs.Answer]:
    """The answers of _server_jobs, as verification_jobs.run gives them on SQLite."""
    answers: list[verification_jobs.Answer] = []
    cursor = dbapi.cursor()
    try:
        for kind, name, sql in jobs:
            bound = bounds[name]
            if kind != "listing":
                cursor.execute(sql, (GENESIS, bound))
                count, broken, doubts = cursor.fetchone()
                doubts = list(doubts or [])
                last: str | None = GENESIS
                if count:
                    own = CHAINED[name]
                    cursor.execute(f'SELECT "{own}" FROM "{name}" WHERE "id" = %s', (count,))
                    found = cursor.fetchone()
                    last = found[0] if found else None
                ok = not broken and len(doubts) <= verification_jobs.DOUBTS
                answers.append([ok, int(count), last, doubts])
                continue
            cursor.execute(f'SELECT min("id") FROM "{name}"')
            lowest = cursor.fetchone()[0]
            whole, total = hashlib.sha256(), 0
            start = min(0, int(lowest) - 1) if lowest is not None else 0
            while start < bound:
                end = min(bound, start + SERVER_RANGE)
                cursor.execute(sql, (start, end))
                count, tokens = cursor.fetchone()
                whole.update((tokens or "").encode())
                total += int(count)
                start = end
            answers.append([total, whole.hexdigest()])
    finally:
        cursor.close()
    return answers


_SNAPSHOT = re.compile(r"[0-9A-Fa-f-]+")


class _ServerJobs:
    """PostgreSQL: the jobs on two more connections that read the verifying transaction's own
    snapshot (pg_export_snapshot), each from a thread that mostly waits: the server writes and
    hashes the texts (the audit entries' chain on one, the rest on the other, about even)
    while this process walks the audit entries. Whatever a connection could not answer is
    answered on the verification's own connection when asked."""

    def __init__(
        self,
        session: Session,
        jobs: list[verification_jobs.Job],
        bounds: dict[str, int],
        snapshot: object,
    ):
        self.jobs, self.bounds = jobs, bounds
        self.dbapi = facts.driver_connection(session)
        self.found: dict[int, verification_jobs.Answer] = {}
        self.workers: list[tuple[Any, threading.Thread]] = []
        big = bounds.get(LEDGER.name, 0) + bounds.get(AUDIT.name, 0) >= WORKER_ROWS
        if not big or not isinstance(snapshot, str) or not _SNAPSHOT.fullmatch(snapshot):
            return
        audit = [i for i, job in enumerate(jobs) if job[1] == AUDIT.name]
        rest = [i for i in range(len(jobs)) if i not in audit]
        engine = session.get_bind().engine
        for share in (audit, rest):
            try:
                pooled = engine.raw_connection()
            except Exception:  # no connection to be had: answered here
                break
            thread = threading.Thread(
                target=self._work,
                args=(pooled, snapshot, share),
                name="dispensary-verify",
                daemon=True,
            )
            self.workers.append((pooled, thread))
            thread.start()

    def _work(self, pooled: Any, snapshot: str, share: list[int]) -> None:
        driver = pooled.driver_connection
        try:
            driver.autocommit = True  # the transaction below is begun as it must be
            cursor = driver.cursor()
            try:
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                cursor.execute("SET LOCAL extra_float_digits = 1")
                cursor.execute("SET LOCAL work_mem = '64MB'")  # a range's tokens, sorted
                found = _run_server_jobs(driver, [self.jobs[i] for i in share], self.bounds)
                cursor.execute("COMMIT")
                self.found.update(zip(share, found, strict=True))
            finally:
                cursor.close()
        except Exception:  # answered on the verification's connection instead
            pass

    def stop(self) -> None:
        for pooled, thread in self.workers:
            if thread.is_alive():
                with contextlib.suppress(Exception):  # done, or gone: the join returns
                    pooled.driver_connection.cancel()
            thread.join()
            pooled.invalidate()  # its session settings are not the pool's
        self.workers = []

    def answers(self) -> list[verification_jobs.Answer]:
        """Every job's answer, in the order of the jobs."""
        for _pooled, thread in self.workers:
            thread.join()
        left = [i for i in range(len(self.jobs)) if i not in self.found]
        found = dict(self.found)
        if left:
            mine = _run_server_jobs(self.dbapi, [self.jobs[i] for i in left], self.bounds)
            found.update(zip(left, mine, strict=True))
        return [found[i] for i in range(len(self.jobs))]


def _quick(session: Session, source: _Source) -> VerifyResult | None:
    """The full verification's result when everything verifies; None when anything may not."""
    dbapi = source.dbapi
    tables = _tables()
    appended = [name for name in tables if name not in facts.MUTABLE]
    bounds = {
        name: int(next(_rows(dbapi, f'SELECT MAX("id") FROM "{name}"'))[0] or 0)
        for name in [LEDGER.name, AUDIT.name, *appended]
    }
    jobs: _Jobs | _ServerJobs
    if source.server:
        _execute(dbapi, "SET LOCAL extra_float_digits = 1")  # the floats' text: repr's digits
        jobs = _ServerJobs(session, _server_jobs(tables), bounds, source.snapshot)
    else:
        jobs = _Jobs(session, _jobs(tables), bounds)
    try:
        return _quick_walk(session, source, tables, appended, jobs)
    finally:
        jobs.stop()


def _quick_walk(
    session: Session,
    source: _Source,
    tables: Mapping[str, Table],
    appended: list[str],
    jobs: _Jobs | _ServerJobs,
) -> VerifyResult | None:
    dbapi = source.dbapi
    walk = _Walk(source)
    walk.kit_numbers = {
        str(number): int(kit_id) for kit_id, number in _rows(dbapi, "SELECT id, number FROM kits")
    }
    walk.person_ids = {
        str(number): int(person)
        for person, number in _rows(dbapi, "SELECT id, study_number FROM participants")
    }
    last: dict[str, dict[int, str]] = {name: {} for name in tables if name in facts.MUTABLE}
    listed_tokens: dict[str, list[str]] = {name: [] for name in appended}
    digests = {name: hashlib.sha256() for name in appended}
    counts = dict.fromkeys(appended, 0)
    kept: dict[str, Iterator[Any]] = {}
    for name in KEPT:
        columns = ", ".join(['"id"'] + [_stored(source, tables[name], c) for c in KEEP[name]])
        shape = namedtuple(f"{name}_kept", ("id", *KEEP[name]))  # type: ignore[misc]
        kept[name] = _rows(dbapi, f'SELECT {columns} FROM "{name}" ORDER BY "id"', shape)
    odd = {name: _Odd(source, tables[name]) for name in appended}
    odd = {name: rows for name, rows in odd.items() if rows.next is not None}
    # Where each fact table's listed rows go: one look-up per fact.
    routes: dict[str, tuple[list[str] | None, dict[int, str] | None, Any, Any]] = {
        name: (listed_tokens.get(name), last.get(name), odd.get(name), kept.get(name))
        for name in tables
    }
    # The ledger rows a batch at a time, indexed (no generator step per row).
    ledger = _stream(
        dbapi,
        'SELECT "id", "row_hash", "kind", "kit_id", "reverses_id", "audit_entry_id" '
        'FROM "ledger_entries" ORDER BY "id"',
    )
    moving: list[Any] = []
    at = 0
    # The entries' hashes, links and times are the job's (the times compared as stored: the
    # order of the ISO form the walk compares).
    columns = '"id", "action", "entity", "entity_id", "new", "facts"'
    expected = 1
    ledger_count, ledger_prev = 0, GENESIS
    # The kits' status replayed inline where the move is one seen before (_Walk.kit_event).
    kit_status, broken, moves = walk.kit_status, walk.kit_broken, walk.moves
    decode, events = _DECODE, LEDGER_EVENTS
    for rows in _stream(dbapi, f'SELECT {columns} FROM "audit_entries" ORDER BY "id"'):
        for entry_id, action, entity, entity_id, new, listing in rows:
            if entry_id != expected:
                return None
            expected = entry_id + 1
            if new and '"ledger"' in new:
                for ledger_id, row_hash in _quick_ledger_refs(new, decode):
                    if at == len(moving):
                        moving, at = next(ledger, []), 0
                        if not moving:
                            return None  # listed, and no such row
                    moved = moving[at]
                    at += 1
                    if (
                        type(ledger_id) is not int
                        or moved[0] != ledger_id
                        or moved[1] != row_hash
                        or (moved[5] is not None and moved[5] != entry_id)
                    ):
                        return None
                    ledger_count, ledger_prev = ledger_count + 1, row_hash
                    event = events.get((moved[2], moved[4] is not None))
                    if event is None:
                        continue  # no kit event (walk.ledger_event)
                    kit_id = int(moved[3])
                    if kit_id in broken:
                        continue
                    after = moves.get((kit_status.get(kit_id), event))
                    if after is not None:
                        kit_status[kit_id] = after
                    else:
                        walk.kit_event(kit_id, event, entry_id)
            baseline = action == BASELINE
            listed: Sequence[Sequence[Any]] = _quick_facts(listing, decode) if listing else ()
            for table, row_id, row_hash in listed:
                route = routes.get(table)
                if type(row_id) is not int or route is None:
                    return None  # not an id, or a table that is no fact table
                tokens, states, odd_rows, stream = route
                if states is not None:
                    states[row_id] = row_hash
                    continue
                if tokens is None:
                    return None
                if odd_rows is not None and odd_rows.next == row_id:
                    if not odd_rows.take(row_hash):
                        return None
                else:
                    tokens.append(f"{row_id}:{row_hash},")  # verification_jobs.token
                if stream is not None:
                    fact = next(stream, None)
                    if fact is None or fact.id != row_id:
                        return None
                    if not baseline:
                        walk.fact_event(table, fact, entry_id)
            if baseline:
                _seed(walk, new)
            elif entity == "participant":
                # Every id listed is an int here (the loop above gave up on any other).
                people = [row_id for table, row_id, _h in listed if table == "participants"]
                status = _new_value(new, "status")
                person = _person_of(walk, str(entity_id), people)
                if status is not None and person is not None:
                    walk.person_status[person] = status
        for name, tokens in listed_tokens.items():
            if tokens:
                digests[name].update("".join(tokens).encode())
                counts[name] += len(tokens)
                tokens.clear()
    if (
        at < len(moving)
        or next(ledger, None) is not None
        or any(next(s, None) is not None for s in kept.values())
        or any(rows.next is not None for rows in odd.values())
    ):
        return None  # a row no entry listed
    position = walk.entries = expected - 1
    prev = GENESIS
    if position:
        prev = next(
            _rows(dbapi, f'SELECT "entry_hash" FROM "audit_entries" WHERE "id" = {position}')
        )[0]
    answers = jobs.answers()
    if answers[0][:3] != [True, position, prev] or answers[1][:3] != [
        True,
        ledger_count,
        ledger_prev,
    ]:
        return None  # a chain is broken, or does not end where the walk does
    if not _python_chained(source, AUDIT, answers[0][3]) or not _python_chained(
        source, LEDGER, answers[1][3]
    ):
        return None
    for name, answer in zip(appended, answers[2:], strict=True):
        if answer != [counts[name], digests[name].hexdigest()]:
            return None
    head = _head(source)
    _check_head(walk, head, position, prev, ledger_count, ledger_prev, ledger_count)
    if walk.problems or walk.ledger_bad or not _quick_mutable(walk, tables, last):
        return None
    _check_projections(walk)
    _check_pharmacy(session, walk)
    if walk.problems:
        return None
    point = VerifiedPoint(position, prev, ledger_count, ledger_prev, _marks(session, tables))
    return _result(walk, [], ledger_rows=ledger_count, point=point)


_DECODE = json.JSONDecoder().raw_decode


def _quick_facts(text: str, decode: Callable[[str], tuple[Any, int]] = _DECODE) -> Sequence[Any]:
    """facts.parse_facts(text) without its copies when the text is a JSON list: the caller
    gives up on an item that is not [table, id, hash] (its id not an int), which parse_facts
    would read otherwise or leave out."""
    try:
        data, end = decode(text)
    except ValueError:
        return facts.parse_facts(text)
    if end == len(text) and type(data) is list:
        return cast(Sequence[Any], data)
    return facts.parse_facts(text)


def _quick_ledger_refs(
    new: str, decode: Callable[[str], tuple[Any, int]] = _DECODE
) -> Sequence[Any]:
    """_ledger_refs(new) without its copies when `new` is a JSON object whose ledger is a list:
    the caller gives up on an item that is not [id, hash] (its id not an int)."""
    try:
        data, end = decode(new)
    except ValueError:
        return _ledger_refs(new)
    if end == len(new) and type(data) is dict:
        refs = data.get("ledger", [])
        if type(refs) is list:
            return cast(Sequence[Any], refs)
    return _ledger_refs(new)


class _Odd:
    """The rows of a fact table whose text the SQL may write otherwise than Python (facts.
    odd_sql), in id order, each hashed in Python as the entries list them."""

    def __init__(self, source: _Source, table: Table) -> None:
        self.table = source.table(table)
        condition = facts.odd_sql(table) if source.sqlite else facts.pg_odd_sql(table)
        self.rows: Iterator[Any] = iter(())
        if condition not in ("0", "false"):
            full = self.table.full
            self.rows = _rows(
                source.dbapi,
                f'SELECT {full.select} FROM "{table.name}" WHERE {condition} ORDER BY "id"',
            )
        self.next: int | None = None
        self._advance()

    def _advance(self) -> None:
        self.raw = next(self.rows, None)
        self.next = None if self.raw is None else int(self.raw[0])

    def take(self, listed: str) -> bool:
        """Whether the next odd row's hash, encoded in Python, is the one listed."""
        values = self.table.full._rows([self.raw])[0]
        row = self.table._whole(values)
        self._advance()
        return bool(_hash(row.text) == listed)


def _stored(source: _Source, table: Table, name: str) -> str:
    """A column as a Reader gives it when its row is in the program's form (a server's values
    are: the columns the walk keeps are numbers and texts)."""
    return facts.stored_form_sql(table, name) if source.sqlite else f'"{name}"'


def _python_chained(source: _Source, table: Table, ids: Sequence[int]) -> bool:
    """Whether each of these chained rows, encoded in Python, hashes to its own hash after its
    previous (rows whose text the SQL writes otherwise: outside ASCII)."""
    reader = source.table(table)
    found = reader.by_ids(source.dbapi, ids)
    return len(found) == len(ids) and all(
        _hash(str(row[reader.prev]) + row.text) == row[reader.own] for row in found
    )


def _quick_mutable(
    walk: _Walk, tables: Mapping[str, Table], last: dict[str, dict[int, str]]
) -> bool:
    """Whether each row of the tables changed in place is as the last entry listing it says,
    every one listed; the kits' and participants' status is checked on the way."""
    sha256 = _sha256
    source = walk.source
    for name, states in last.items():
        table = tables[name]
        reader = source.table(table)
        # SQLite writes each row's text, a server its hash as well.
        content = (
            f"CAST({facts.text_sql(table)} AS BLOB)"
            if source.sqlite
            else facts.pg_hash_sql(facts.pg_text_sql(table))
        )
        columns = ", ".join(
            ['"id"', content] + [_stored(source, table, c) for c in KEEP.get(name, ())]
        )
        for row in _rows(source.dbapi, f'SELECT {columns} FROM "{name}" ORDER BY "id"'):
            row_hash = states.pop(row[0], None)
            if row_hash is None:
                return False  # a row no entry listed
            found = row[1]
            if found is not None and source.sqlite:
                found = sha256(found).hexdigest()
            if found != row_hash:
                row, found = reader.python(walk.source.dbapi, row)
                if found != row_hash:
                    return False
            if name == "kits":
                _check_kit(walk, row[0], row[2], row[3])
            elif name == "participants":
                _check_person(walk, row[0], row[2], row[3])
        if states:
            return False  # a listed row is gone
    return True


def _walk_entries(walk: _Walk, ledger: _Cursor, after: int, prev: str) -> tuple[str, int]:
    """Walks the audit entries after `after`, chaining from `prev`; returns the last hash
    stored and the last id."""
    expected = after + 1
    last_at: datetime | None = None
    position = after
    for entry, found in walk.source.windows(AUDIT, after if after else None):
        entry_id = int(entry.id)
        if entry_id < 1:  # no program gives it: the chain goes on as if it were not there
            walk.add(
                CHAIN,
                None,
                _("audit entry {entry} was added outside the program (ids start at 1)").format(
                    entry=entry_id
                ),
            )
            continue
        walk.entries += 1
        if entry_id != expected:
            walk.add(CHAIN, expected, _("audit entry {entry} is missing").format(entry=expected))
        expected = entry_id + 1
        if entry.prev_hash != prev or entry.entry_hash != found:
            walk.add(CHAIN, entry_id, _("audit entry {entry} was changed").format(entry=entry_id))
        if last_at is not None and entry.at < last_at:
            walk.add(
                CHAIN,
                entry_id,
                _(
                    "audit entry {entry} is dated before entry {before} (time went backwards: a "
                    "clock set back, or an entry back-dated)"
                ).format(entry=entry_id, before=entry_id - 1),
            )
        last_at = entry.at
        prev = str(entry.entry_hash)
        position = entry_id
        _entry_ledger(walk, ledger, entry)
        _entry_facts(walk, entry)
    return prev, position


def _entry_ledger(walk: _Walk, ledger: _Cursor, entry: Any) -> None:
    entry_id = int(entry.id)
    for ledger_id, row_hash in _ledger_refs(entry.new):
        found = ledger.take(ledger_id)
        if found is None:
            walk.add(
                CHAIN,
                entry_id,
                walk.ledger_bad.pop(
                    ledger_id, _("ledger row {row} is missing").format(row=ledger_id)
                ),
            )
            continue
        stored, row = found
        assert row is not None
        if ledger_id in walk.ledger_bad or stored != row_hash:
            words = walk.ledger_bad.pop(
                ledger_id,
                _ledger_finding(
                    _("ledger row {row} of audit entry {entry} differs").format(
                        row=ledger_id, entry=entry_id
                    ),
                    ledger_id,
                ),
            )
            walk.add(CHAIN, entry_id, words)
            continue
        if row.audit_entry_id is not None and int(row.audit_entry_id) != entry_id:
            walk.add(
                CHAIN,
                entry_id,
                _(
                    "ledger row {row} names audit entry {named}, but audit entry {entry} wrote it"
                ).format(row=ledger_id, named=row.audit_entry_id, entry=entry_id),
            )
        walk.ledger_event(row.kind, row.kit_id, row.reverses_id, entry_id)


def _entry_facts(walk: _Walk, entry: Any) -> None:
    entry_id = int(entry.id)
    baseline = entry.action == BASELINE
    listed_people: list[int] = []
    for table, row_id, listed in facts.parse_facts(entry.facts or ""):
        if table == "participants":
            listed_people.append(row_id)
        if table in walk.last_state:
            walk.last_state[table][row_id] = (listed, entry_id)
            continue
        cursor = walk.cursors.get(table)
        if cursor is None:
            walk.add(
                FACT,
                entry_id,
                _("audit entry {entry} lists a table '{table}' unknown").format(
                    entry=entry_id, table=table
                ),
            )
            continue
        found = cursor.take(row_id)
        if found is None:
            walk.add(FACT, entry_id, _missing(table, row_id, entry_id))
            continue
        row, stored = walk.source.fact_hash(cursor.table, found[1], found[0], listed)
        if stored != listed:
            walk.add(FACT, entry_id, _changed(table, row_id, entry_id))
        elif cursor.keep and not baseline:
            walk.fact_event(table, row, entry_id)
    if baseline:
        _seed(walk, entry.new)
    elif entry.entity == "participant":
        status = _new_value(entry.new, "status")
        person = _person_of(walk, str(entry.entity_id), listed_people)
        if status is not None and person is not None:
            walk.person_status[person] = status


def _person_of(walk: _Walk, number: str, listed: list[int]) -> int | None:
    """The participant a participant entry is about: the participants row its step wrote (a
    study number alone is ambiguous: two studies of one pharmacy may both have an 01-001);
    by number only for an entry that lists no participants row (written before facts were)."""
    if len(listed) == 1:
        return listed[0]
    return walk.person_ids.get(number)


def _seed(walk: _Walk, new: str) -> None:
    """The status each kit and participant had when migration 0005 listed them."""
    try:
        seeds = json.loads(new) if new else {}
    except json.JSONDecodeError:
        return
    for kit_id, status in seeds.get("kits", []):
        walk.kit_status[int(kit_id)] = (
            KitStatus(status) if status in {k.value for k in KitStatus} else None
        )
        walk.kit_broken.discard(int(kit_id))
    for person, status in seeds.get("participants", []):
        walk.person_status[int(person)] = str(status)


def _new_value(new: str, key: str) -> str | None:
    try:
        data = json.loads(new) if new else {}
    except json.JSONDecodeError:
        return None
    value = data.get(key) if isinstance(data, dict) else None
    return str(value) if value is not None else None


def _ledger_refs(new: str) -> list[tuple[int, str]]:
    if not new or '"ledger"' not in new:
        return []
    try:
        data = json.loads(new)
    except json.JSONDecodeError:
        return []
    refs = data.get("ledger", []) if isinstance(data, dict) else []
    return [(int(r[0]), str(r[1])) for r in refs if isinstance(r, list) and len(r) == 2]


def _check_head(
    walk: _Walk,
    head: Any,
    position: int,
    audit_prev: str,
    ledger_position: int,
    ledger_prev: str,
    ledger_rows: int,
) -> None:
    if head is None:
        if walk.entries or ledger_rows:
            walk.add(CHAIN, None, _("the chain head (the last hashes) was removed"))
        return
    if position > head.audit_count:
        first = int(head.audit_count) + 1
        walk.add(
            CHAIN,
            first,
            _(
                "audit entry {entry} was added outside the program (the chain head ends at {head})"
            ).format(entry=first, head=head.audit_count),
        )
    elif position < head.audit_count:
        walk.add(
            CHAIN,
            position + 1,
            _("audit entries at the end are missing (the chain head counts {head})").format(
                head=head.audit_count
            ),
        )
    elif audit_prev != head.audit_hash:
        walk.add(
            CHAIN,
            position,
            _(
                "the last audit entry ({entry}) does not match the chain head: the entry or the "
                "head was changed"
            ).format(entry=position),
        )
    if ledger_position > head.ledger_count:
        first = int(head.ledger_count) + 1
        walk.ledger_bad.setdefault(
            first, _("ledger row {row} was added outside the program").format(row=first)
        )
    elif ledger_position < head.ledger_count:
        walk.ledger_bad.setdefault(
            ledger_position + 1,
            _("ledger rows after {row} are missing").format(row=ledger_position),
        )
    elif ledger_rows and ledger_prev != head.ledger_hash:
        walk.ledger_bad.setdefault(
            ledger_position, _("the last ledger row does not match the chain head")
        )


def _unlisted_facts(walk: _Walk, tables: Mapping[str, Table]) -> None:
    for name, cursor in walk.cursors.items():
        for row_id in cursor.rest()[:3]:
            walk.add(FACT, None, _unlisted(name, row_id))
    for name, last in walk.last_state.items():
        table = tables[name]
        seen: set[int] = set()
        for row, found in walk.source.windows(table):
            row_id = int(row[0])
            seen.add(row_id)
            recorded = last.get(row_id)
            if recorded is None:
                walk.add(
                    FACT,
                    None,
                    _unlisted(name, row_id),
                )
            else:
                row, found = walk.source.fact_hash(table, row, found, recorded[0])
                if recorded[0] != found:
                    walk.add(FACT, recorded[1], _changed(name, row_id, recorded[1]))
            if name == "kits":
                _check_kit(walk, row_id, row.number, row.status)
            elif name == "participants":
                _check_person(walk, row_id, row.study_number, row.status)
        for row_id in sorted(set(last) - seen)[:3]:
            entry = last[row_id][1]
            walk.add(FACT, entry, _missing(name, row_id, entry))


def _no_audit_entry(row_id: int) -> str:
    return _("ledger row {row} has no audit entry").format(row=row_id)


def _unlisted(table: str, row_id: int) -> str:
    return _("{table} row {row} has no audit entry (added outside the program)").format(
        table=table, row=row_id
    )


class _RowFinding(str):
    """A recorded row changed or missing: its words name the table (what verify knows while it
    walks), and `_described` says them again as a pharmacist reads the record once the walk is
    over (only for the few rows found, read by their ids)."""

    table: str
    row: int
    entry: int
    changed: bool


def _row_finding(words: str, table: str, row_id: int, entry: int, changed: bool) -> str:
    found = _RowFinding(words)
    found.table, found.row, found.entry, found.changed = table, row_id, entry, changed
    return found


def _changed(table: str, row_id: int, entry: int) -> str:
    words = _("{table} row {row} was changed after audit entry {entry} recorded it").format(
        table=table, row=row_id, entry=entry
    )
    return _row_finding(words, table, row_id, entry, True)


def _missing(table: str, row_id: int, entry: int) -> str:
    words = _("{table} row {row}, recorded by audit entry {entry}, is missing").format(
        table=table, row=row_id, entry=entry
    )
    return _row_finding(words, table, row_id, entry, False)


TABLE_RECORDS = {
    "dispenses": "dispense",
    "returns": "return",
    "kits": "kit",
    "participants": "participant",
    "destructions": "destruction",
    "shipments": "shipment",
    "physical_counts": "kit",
    "users": "user",
}
"""The kind of record (an audit entry's entity) each table's row is: a row of its entry's
own kind is that record, and the entry's values are its recorded values."""


def _one(source: _Source, sql: str, args: Sequence[Any]) -> dict[str, Any] | None:
    """One row by a statement, as a mapping of its columns; None when there is none."""
    cursor = source.dbapi.cursor()
    try:
        cursor.execute(source.sql(sql), list(args))
        row = cursor.fetchone()
        if row is None:
            return None
        return {str(d[0]): v for d, v in zip(cursor.description, row, strict=True)}
    finally:
        cursor.close()


def _described(source: _Source, found: _RowFinding) -> str:
    """A changed or missing row named as a pharmacist reads it: the record its audit entry
    names (a return by its kit and dispense, a signature by its meaning and the signer the entry
    recorded, a dispensed kit by its number), what the entry recorded against what the row holds
    now, and the table and row as a technical detail. The table's own words when the entry
    cannot be read."""
    try:
        entry = _one(
            source,
            'SELECT "entity", "entity_id", "new", "facts" FROM "audit_entries" WHERE "id" = {}',
            [found.entry],
        )
        row = _one(source, f'SELECT * FROM "{found.table}" WHERE "id" = {{}}', [found.row])
        if entry is None:
            return str(found)
        new = str(entry["new"] or "")
        record = record_named(str(entry["entity"]), str(entry["entity_id"]), new)
        own = TABLE_RECORDS.get(found.table) == entry["entity"]
        said: list[str] = []
        if own:
            named = record
            if found.changed and row is not None:
                said = [
                    _("{field} recorded as {recorded}, now {now}").format(
                        field=field_name(key), recorded=recorded, now=now
                    )
                    for key, recorded, now in _value_changes(new, row)
                ]
        elif found.table == "signatures" and row is not None:
            named, said = _signature_named(source, found, entry, row, record)
        elif found.table == "signatures":
            named = _("a signature on {record}").format(record=record)
        elif found.table == "dispense_kits" and row is not None:
            named, said = _dispensed_kit_named(source, found, entry, row, record)
        elif found.table == "kits" and row is not None:
            named = _("kit {kit} (of {record})").format(kit=row["number"], record=record)
        else:
            named = _("a record of {record}").format(record=record)
    except Exception:  # a damaged file (or a refused statement): the plain words say it
        return str(found)
    detail = _("technical detail: {table} row {row}").format(table=found.table, row=found.row)
    if not found.changed:
        return _("{record}, recorded by audit entry {entry}, is missing ({detail})").format(
            record=named, entry=found.entry, detail=detail
        )
    if said:
        return _(
            "{record} was changed after audit entry {entry} recorded it ({detail}): {changes}"
        ).format(record=named, entry=found.entry, changes=_("; ").join(said), detail=detail)
    return _("{record} was changed after audit entry {entry} recorded it ({detail})").format(
        record=named, entry=found.entry, detail=detail
    )


def _listed_hash(entry: Mapping[str, Any], table: str, row_id: int) -> str | None:
    """The hash the audit entry lists for the row (its facts), None when it lists none."""
    for listed_table, listed_id, listed in facts.parse_facts(str(entry.get("facts") or "")):
        if listed_table == table and listed_id == row_id:
            return listed
    return None


TRIALS = 2001
"""At most this many values of one column tried for a row as recorded (_recorded): a few
milliseconds."""


def _recorded(
    source: _Source,
    table: str,
    row_id: int,
    listed: str | None,
    candidates: Sequence[Mapping[str, Any]],
    prev: str = "",
) -> Mapping[str, Any] | None:
    """Which of `candidates` (values of some columns, in their stored form) the row held when its
    audit entry recorded it: the one that, put back in the row as it is now, gives the hash
    the entry lists (after `prev` for a ledger row). None when none does (another column was
    changed too): the finding then says what the row holds now only."""
    if listed is None:
        return None
    reader = source.table(LEDGER if table == LEDGER.name else _tables()[table]).full
    found = reader.by_ids(source.dbapi, [row_id])
    if not found:
        return None
    names = list(reader.names)
    values = list(found[0])
    for candidate in candidates[:TRIALS]:
        if any(name not in names for name in candidate):
            continue
        tried = list(values)
        for name, value in candidate.items():
            tried[names.index(name)] = value
        if _hash(prev + facts.python_text(table, names, tried)) == listed:
            return candidate
    return None


def _user_names(source: _Source) -> dict[int, str]:
    rows = source.fetch(source.sql('SELECT "id", "full_name" FROM "users" ORDER BY "id"'))
    return {int(user_id): str(name) for user_id, name in rows}


def _signature_named(
    source: _Source,
    found: _RowFinding,
    entry: Mapping[str, Any],
    row: Mapping[str, Any],
    record: str,
) -> tuple[str, list[str]]:
    """A changed signature by the signer its audit entry recorded (the account whose id, put
    back, gives the hash the entry lists), and the one it now shows: a signature moved to
    another account names the one who signed, not the one it was moved to."""
    names = _user_names(source)
    now = row["user_id"]
    now_name = names.get(int(now), str(now)) if now is not None else "—"
    meaning = meaning_named(str(row["meaning"]))
    recorded = _recorded(
        source,
        "signatures",
        found.row,
        _listed_hash(entry, "signatures", found.row),
        [{"user_id": user_id} for user_id in names],
    )
    shows = _("it now shows {name} as the signer").format(name=now_name)
    if recorded is None:
        named = _("the signature '{meaning}' on {record}").format(meaning=meaning, record=record)
        return named, [shows]
    signer = int(recorded["user_id"])
    named = _("the signature '{meaning}' of {name} on {record}").format(
        meaning=meaning, name=names.get(signer, str(signer)), record=record
    )
    return named, [] if now is not None and int(now) == signer else [shows]


def _kit_number(source: _Source, kit_id: Any) -> str:
    if kit_id is None:
        return "—"
    kit = _one(source, 'SELECT "number" FROM "kits" WHERE "id" = {}', [kit_id])
    return str(kit["number"]) if kit is not None else _("id {id}").format(id=kit_id)


def _dispensed_kit_named(
    source: _Source,
    found: _RowFinding,
    entry: Mapping[str, Any],
    row: Mapping[str, Any],
    record: str,
) -> tuple[str, list[str]]:
    """A changed kit of a dispense by the kit and tablets its audit entry recorded: the entry's
    ledger rows (chained) give each kit's tablets, and the one that, put back, gives the hash
    the entry lists is the row as recorded."""
    refs = [ledger_id for ledger_id, _hash_ in _ledger_refs(str(entry.get("new") or ""))]
    moved = [
        (kit_id, quantity)
        for ledger_id in refs
        for kit_id, quantity in source.fetch(
            source.sql('SELECT "kit_id", "quantity" FROM "ledger_entries" WHERE "id" = {}'),
            [ledger_id],
        )
    ]
    dispenses = [
        row_id
        for table, row_id, _listed in facts.parse_facts(str(entry.get("facts") or ""))
        if table == "dispenses"
    ] or [row["dispense_id"]]
    candidates = [
        {"dispense_id": dispense, "kit_id": kit_id, "tablets": abs(int(quantity))}
        for dispense in dispenses
        for kit_id, quantity in moved
        if quantity is not None
    ]
    recorded = _recorded(
        source,
        "dispense_kits",
        found.row,
        _listed_hash(entry, "dispense_kits", found.row),
        candidates,
    )
    tablets = field_name("tablets")
    if recorded is None:
        named = _("kit {kit} on {record}").format(
            kit=_kit_number(source, row["kit_id"]), record=record
        )
        return named, [_("{field} now {now}").format(field=tablets, now=row["tablets"])]
    named = _("kit {kit} on {record}").format(
        kit=_kit_number(source, recorded["kit_id"]), record=record
    )
    said = []
    if row["kit_id"] != recorded["kit_id"]:
        said.append(_("it now names kit {kit}").format(kit=_kit_number(source, row["kit_id"])))
    if row["tablets"] != recorded["tablets"]:
        said.append(
            _("{field} recorded as {recorded}, now {now}").format(
                field=tablets, recorded=recorded["tablets"], now=row["tablets"]
            )
        )
    return named, said


def _value_changes(new: str, row: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The values the entry recorded that the row, under the same column, no longer holds
    (a return's tablets: recorded 3, now 0), in the reader's words (a role, a status); a
    "yes" or "no" the entry records as a word and the row holds as 1 or 0 compared as yes or
    no. Numbers and words only."""
    try:
        recorded = json.loads(new) if new else {}
    except json.JSONDecodeError:
        return []
    if not isinstance(recorded, dict):
        return []
    changes = []
    for key, value in recorded.items():
        if key not in row or isinstance(value, (list, dict)) or value is None:
            continue
        now = row[key]
        if now is None or value == "":
            continue  # a column the record leaves empty
        if key in YES_NO_KEYS and value in ("yes", "no"):
            now = YES_NO_STORED.get(now if isinstance(now, (bool, int)) else str(now), now)
        elif isinstance(value, bool) or isinstance(now, bool):
            continue  # a yes/no stored as a number
        if str(value) != str(now):
            changes.append((str(key), _value_words(key, value), _value_words(key, now)))
    return changes


YES_NO_STORED: Mapping[Any, str] = MappingProxyType(
    {1: "yes", 0: "no", "1": "yes", "0": "no", "yes": "yes", "no": "no"}  # True is 1
)
"""A yes/no column as stored (1 or 0; a word on a file edited by hand) in the words the audit
entry records it by."""


def _value_words(key: str, value: Any) -> str:
    """A recorded or stored value in the reader's words (a role, a status, yes or no)."""
    return str(value_shown(key, value))


MOVEMENT_WORDS: Mapping[str, str] = MappingProxyType(
    {
        MovementKind.RECEIVE.value: N_("ledger movement|receipt"),
        MovementKind.DISPENSE.value: N_("ledger movement|dispense"),
        MovementKind.RETURN.value: N_("ledger movement|return"),
        MovementKind.DESTROY.value: N_("ledger movement|destruction"),
        MovementKind.ADJUST.value: N_("ledger movement|count adjustment"),
    }
)
"""What a ledger row did to a kit, as a finding names it; a row reversing another is its
reversal."""
REVERSAL = N_("ledger movement|reversal")


class _LedgerFinding(str):
    """A changed ledger row: its words name the row (what the chain's walk knows), and
    `_ledger_described` adds the kit, the movement and its tablets once the walk is over."""

    row: int


def _ledger_finding(words: str, row_id: int) -> str:
    found = _LedgerFinding(words)
    found.row = row_id
    return found


def _ledger_described(source: _Source, found: _LedgerFinding, entry: int | None) -> str:
    """A changed ledger row with what a pharmacist knows it by: the movement, the kit and the
    record of the audit entry that wrote it, and its tablets as recorded and now (the quantity
    that, put back, gives the hash the entry lists; else what it reads now)."""
    try:
        row = _one(source, 'SELECT * FROM "ledger_entries" WHERE "id" = {}', [found.row])
        if row is None:
            return str(found)
        entry_id = entry if entry is not None else row.get("audit_entry_id")
        written = (
            _one(
                source,
                'SELECT "entity", "entity_id", "new" FROM "audit_entries" WHERE "id" = {}',
                [entry_id],
            )
            if entry_id is not None
            else None
        )
        if written is None:
            return str(found)
        new = str(written["new"] or "")
        listed = dict(_ledger_refs(new)).get(found.row) or str(row["row_hash"])
        now, kit_now = row["quantity"], row["kit_id"]
        recorded = _recorded(
            source,
            "ledger_entries",
            found.row,
            listed,
            [{}]  # as it is: its content as recorded, only its link in the chain broken
            + [{"quantity": q} for q in _nearest(now)]
            + [{"kit_id": k} for k in _nearest(kit_now)],
            str(row["prev_hash"] or ""),
        )
        kit = recorded["kit_id"] if recorded and "kit_id" in recorded else kit_now
        kind = str(row["kind"])
        movement = pgettext(
            *(
                REVERSAL if row["reverses_id"] is not None else MOVEMENT_WORDS.get(kind, "|" + kind)
            ).split("|", 1)
        )
        named = _(
            "{finding}: the {movement} of kit {kit} that audit entry {entry} recorded ({record})"
        ).format(
            finding=str(found),
            movement=movement,
            kit=_kit_number(source, kit),
            entry=entry_id,
            record=record_named(str(written["entity"]), str(written["entity_id"]), new),
        )
    except Exception:  # a damaged file (or a refused statement): the plain words say it
        return str(found)
    tablets = field_name("tablets")
    if recorded == {}:
        return named  # the row as recorded (a row before it missing or changed)
    if recorded is not None and "quantity" in recorded:
        change = _("{field} recorded as {recorded}, now {now}").format(
            field=tablets, recorded=recorded["quantity"], now=now
        )
    elif recorded is not None:
        change = _("it now names kit {kit}").format(kit=_kit_number(source, kit_now))
    else:
        change = _("{field} now {now}").format(field=tablets, now=now)
    return _("{finding}: {changes}").format(finding=named, changes=change)


def _nearest(value: Any) -> list[int]:
    """The whole numbers around `value` (itself left out), nearest first: what a row's number
    may have been before it was changed (_recorded)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return []
    half = TRIALS // 2
    return sorted(
        (n for n in range(value - half, value + half + 1) if n != value),
        key=lambda n: abs(n - value),
    )


def _lower(word: str) -> str:
    """A label ("Destroyed / returned to sponsor") inside an English sentence; Chinese, which
    has no case, as it is."""
    return word[:1].lower() + word[1:] if current_language() is ENGLISH else word


def _event_words(event: KitEvent) -> str:
    """What an entry did to a kit in the reader's words ("destroyed / returned to sponsor",
    销毁/退回申办方), never its code ("destroy")."""
    return _lower(_(event.label))


def _status_words(status: Any, codes: type[KitStatus] | type[ParticipantStatus] = KitStatus) -> str:
    """A kit's (or participant's) status in the reader's words; a value the program does not
    write (put there by hand) as it is stored."""
    try:
        return _lower(_(codes(str(status)).label))
    except ValueError:
        return str(status)


def _check_kit(walk: _Walk, kit_id: int, number: Any, status: Any) -> None:
    if kit_id in walk.kit_broken or kit_id not in walk.kit_status:
        return
    expected = walk.kit_status[kit_id]
    if (
        kit_id in walk.out_or_back
        and expected is KitStatus.DISPENSED
        and status == KitStatus.RETURNED.value
    ):
        return  # not brought back, made 'returned' by an older version (_Walk.out_or_back)
    if expected is None or status != expected.value:
        shown = _status_words(expected.value) if expected is not None else _("not in stock")
        walk.add(
            STATUS,
            None,
            _("kit {kit} reads '{status}', but its records make it '{expected}'").format(
                kit=number, status=_status_words(status), expected=shown
            ),
        )


def _check_person(walk: _Walk, person: int, study_number: Any, status: Any) -> None:
    expected = walk.person_status.get(person)
    if expected is not None and status != expected:
        walk.add(
            STATUS,
            None,
            _(
                "participant {participant} reads '{status}', but its records make it '{expected}'"
            ).format(
                participant=study_number,
                status=_status_words(status, ParticipantStatus),
                expected=_status_words(expected, ParticipantStatus),
            ),
        )


def _check_projections(walk: _Walk) -> None:
    """Kits whose status was rebuilt but that are not in the kits table are named there."""
    known = set(walk.kit_numbers.values())
    for kit_id in sorted(set(walk.kit_status) - known)[:3]:
        walk.add(
            STATUS,
            None,
            _("kit id {id} has records but is not in the kits table").format(id=kit_id),
        )


_HEAD = namedtuple("_HEAD", ("audit_hash", "audit_count", "ledger_hash", "ledger_count"))


def _head(source: _Source) -> Any:
    """The chain head's row (None when it is gone)."""
    found = source.fetch(
        'SELECT "audit_hash", "audit_count", "ledger_hash", "ledger_count" FROM "chain_head" '
        'WHERE "id" = 1'
    )
    return _HEAD._make(found[0]) if found else None


def _check_pharmacy(session: Session, walk: _Walk) -> None:
    """The pharmacy's particulars printed on every label, as stored, against what their newest
    audit entries set: an edit of the `settings` table outside the program is named. A few
    indexed reads, so the Today screen's incremental check makes it too."""
    source = walk.source
    expected: dict[str, str] = {}
    for action, values in PHARMACY_SET.items():
        newest = source.fetch(
            source.sql(
                # `"id" + 0`: by the action's index, then the few entries sorted. Ordered by
                # the id itself, PostgreSQL walks the whole trail backwards from its newest
                # entry when the pharmacy's settings were never set (0.7 s at 1,000,000).
                'SELECT "new" FROM "audit_entries" WHERE "entity" = {0} AND "action" = {0} '
                'ORDER BY "id" + 0 DESC LIMIT 1'
            ),
            ["pharmacy", action],
        )
        new = newest[0][0] if newest else None
        if new is None:
            continue
        try:
            record = json.loads(new)
        except (json.JSONDecodeError, TypeError):
            record = None
        if not isinstance(record, dict):
            continue  # the entry itself is checked by the chain, which names a change to it
        for value in values:
            expected[f"pharmacy.{value}"] = str(record.get(value, ""))
    stored = {
        str(key): str(value)
        for key, value in source.fetch(
            source.sql('SELECT "key", "value" FROM "settings" WHERE "key" LIKE {}'), ["pharmacy.%"]
        )
    }
    for key in sorted(set(expected) | set(stored)):
        if stored.get(key, "") != expected.get(key, ""):
            walk.add(
                STATUS,
                None,
                _(
                    "the pharmacy's setting {setting} reads '{value}', but its audit entries "
                    "make it '{expected}'"
                ).format(setting=key, value=stored.get(key, ""), expected=expected.get(key, "")),
            )


def _study_index_problems(
    session: Session, after: int, derive: bool, last: int | None = None
) -> list[Problem]:
    """The audit entries' study index (db/entry_studies.py) for the entries after `after`: each
    indexed, none indexed that is not in the trail, none under a study the database does not
    hold, none both the site's and a study's, and (`derive`: the incremental check, which sees
    each entry once as it is new) each under the studies its rows say. The full check makes
    only the first four, along the index's own indexes (about 0.1 s at a million entries):
    deriving a million entries' studies again would take longer than the rest of the
    verification, so an older entry moved to another study that exists is not seen by it."""
    if last is None:
        last = int(session.scalar(select(func.max(AuditEntry.id))) or 0)
    if derive:
        return _index_derived(session, after, last)
    index = cast(Table, AuditEntryStudy.__table__)
    problems: list[Problem] = []
    indexed = session.scalar(
        select(func.count(distinct(index.c.audit_entry_id))).where(
            index.c.audit_entry_id > after, index.c.audit_entry_id <= last
        )
    )
    if int(indexed or 0) != last - after:
        unindexed = select(AuditEntry.id).where(
            AuditEntry.id > after, ~exists().where(index.c.audit_entry_id == AuditEntry.id)
        )
        for entry in session.scalars(unindexed.order_by(AuditEntry.id).limit(3)):
            problems.append((STATUS, int(entry), _unindexed(entry)))
    beyond = select(index.c.audit_entry_id).where(index.c.audit_entry_id > last)
    for entry in session.scalars(beyond.order_by(index.c.audit_entry_id).limit(3)):
        problems.append((STATUS, None, _beyond(entry)))
    unknown = select(index.c.audit_entry_id, index.c.study_id).where(
        index.c.audit_entry_id > after,
        index.c.study_id != entry_studies.SITE,
        index.c.study_id.not_in(select(StudyRecord.id)),
    )
    for entry, study in session.execute(unknown.order_by(index.c.audit_entry_id).limit(3)):
        words = _(
            "audit entry {entry} is indexed as concerning study {study}, which this database "
            "does not hold"
        ).format(entry=entry, study=study)
        problems.append((STATUS, int(entry), words))
    other = index.alias("other")
    both = (
        select(index.c.audit_entry_id)
        .join(other, other.c.audit_entry_id == index.c.audit_entry_id)
        .where(
            index.c.audit_entry_id > after,
            index.c.study_id == entry_studies.SITE,
            other.c.study_id != entry_studies.SITE,
        )
    )
    for entry in session.scalars(both.order_by(index.c.audit_entry_id).limit(3)):
        words = _(
            "audit entry {entry} is filed both under the whole site and under a study: it would "
            "show in every study's audit trail, not only its own (technical detail: "
            "audit_entry_studies rows)"
        ).format(entry=entry)
        problems.append((STATUS, int(entry), words))
    return problems


def _unindexed(entry: int) -> str:
    return _(
        "audit entry {entry} is missing from the index of the studies each entry concerns"
    ).format(entry=entry)


def _beyond(entry: int) -> str:
    return _(
        "the index of the studies each entry concerns names audit entry {entry}, which is not in "
        "the trail"
    ).format(entry=entry)


def _index_derived(session: Session, after: int, last: int) -> list[Problem]:
    """The index of the entries after `after` against their studies derived again: a few
    statements for the Today screen's 100 new entries (the index's rows from `after` on, rows
    beyond the trail with them; the entries; their rows' studies in one UNION ALL). Core
    statements, as the rest of the check: the ORM's first statement in a process configures
    every mapper (about 30 ms, half the check's time on a server)."""
    index = cast(Table, AuditEntryStudy.__table__)
    problems: list[Problem] = []
    stored: dict[int, set[int]] = {}
    rows = select(index.c.audit_entry_id, index.c.study_id).where(index.c.audit_entry_id > after)
    for entry_id, study in session.execute(rows.order_by(index.c.audit_entry_id)):
        stored.setdefault(int(entry_id), set()).add(int(study))
    for entry_id in sorted(e for e in stored if e > last)[:3]:
        problems.append((STATUS, None, _beyond(entry_id)))

    def said(studies: set[int]) -> str:
        wanted = sorted(studies - {entry_studies.SITE})
        study = cast(Table, StudyRecord.__table__)
        query = select(study.c.id, study.c.protocol).where(study.c.id.in_(wanted))
        names = {int(i): str(p) for i, p in session.execute(query)}
        shown = [names.get(s, str(s)) for s in wanted]
        return in_words(shown) if shown else _("the site's own")

    entries = cast(Table, AuditEntry.__table__)
    for start in range(after, last, 500):
        batch = list(
            session.execute(
                select(entries.c.id, entries.c.entity, entries.c.new, entries.c.facts)
                .where(entries.c.id > start, entries.c.id <= min(start + 500, last))
                .order_by(entries.c.id)
            )
        )
        for entry_id, studies in entry_studies.entry_studies(session, batch).items():
            wanted = studies or {entry_studies.SITE}
            if entry_id not in stored:
                problems.append((STATUS, entry_id, _unindexed(entry_id)))
            elif stored[entry_id] != wanted:
                words = _(
                    "audit entry {entry} is indexed as concerning {indexed}, but its records "
                    "are of {studies}"
                ).format(entry=entry_id, indexed=said(stored[entry_id]), studies=said(wanted))
                problems.append((STATUS, entry_id, words))
    return problems


def _with_index(result: VerifyResult, problems: list[Problem]) -> VerifyResult:
    """A full verification's result with the study index's problems (named after the others)."""
    if not problems:
        return result
    findings = (*result.findings, *(words for _p, _e, words in problems))
    if not result.ok:
        return replace(result, findings=findings[:MAX_FINDINGS])
    _priority, entry, words = problems[0]
    return replace(
        result,
        ok=False,
        first_bad=entry,
        message=_(
            "Tampering or damage found: {finding}. Keep the file for investigation and restore "
            "the last good backup."
        ).format(finding=words),
        findings=findings[:MAX_FINDINGS],
        point=None,
    )


def _marks(session: Session, tables: Mapping[str, Table]) -> tuple[tuple[str, int], ...]:
    """Each table's highest id (0 when empty), in one statement: each MAX a look-up at the end
    of the primary key's index."""
    names = sorted(tables)
    sql = "SELECT " + ", ".join(f'(SELECT MAX("id") FROM "{name}")' for name in names)
    cursor = facts.driver_connection(session).cursor()
    try:
        cursor.execute(sql)
        highest = cursor.fetchone()
    finally:
        cursor.close()
    return tuple((name, int(value or 0)) for name, value in zip(names, highest, strict=True))


VERIFIED = N_("The audit trail and ledger verify.")
"""A verification that found nothing, in words (a CSV's title says it in its reader's language,
though its facts were gathered in English)."""


def _result(
    walk: _Walk,
    extra: list[Problem],
    ledger_rows: int = 0,
    point: VerifiedPoint | None = None,
    new_entries: int | None = None,
) -> VerifyResult:
    problems = sorted(enumerate(extra + walk.problems), key=lambda p: (p[1][0], p[0]))
    if not problems:
        return VerifyResult(
            True,
            point.position if point is not None else walk.entries,
            ledger_rows,
            None,
            _(VERIFIED),
            point=point,
            new_entries=new_entries,
        )
    problems = [
        (order, (priority, entry, _described(walk.source, words)))
        if isinstance(words, _RowFinding)
        else (order, (priority, entry, _ledger_described(walk.source, words, entry)))
        if isinstance(words, _LedgerFinding)
        else (order, (priority, entry, words))
        for order, (priority, entry, words) in problems
    ]
    _order, (_priority, entry, words) = problems[0]
    findings = tuple(p[1][2] for p in problems)
    return VerifyResult(
        False,
        walk.entries,
        ledger_rows,
        entry,
        _(
            "Tampering or damage found: {finding}. Keep the file for investigation and restore "
            "the last good backup."
        ).format(finding=words),
        findings=findings,
        new_entries=new_entries,
    )


# -- incremental --------------------------------------------------------------------------------


def verify_since(session: Session, point: VerifiedPoint) -> VerifyResult:
    """Only what was written after `point` (a verification that passed): the new audit
    entries and ledger rows, chained on from the point's hashes, and the fact rows they list or
    that were added since. Memory and time follow what is new, not the database's size."""
    tables = _tables()
    source = _Source(session)
    walk = _Walk(source, replay=False)
    found = source.fetch(
        source.sql('SELECT "entry_hash" FROM "audit_entries" WHERE "id" = {}'), [point.position]
    )
    stored = found[0][0] if found else None
    if point.position and stored != point.audit_hash:
        return _result(
            walk,
            [
                (
                    CHAIN,
                    point.position,
                    _(
                        "audit entry {entry}, verified before, was changed or removed since (run "
                        "`dispensary audit verify` for the whole trail)"
                    ).format(entry=point.position),
                )
            ],
        )
    marks = dict(point.marks)
    # Read first, in the same snapshot: a table whose highest id is not above its mark has no
    # new row, and is not read at all.
    new_marks = _marks(session, tables)
    highest = dict(new_marks)
    for name, table in tables.items():
        if name in facts.MUTABLE:
            walk.last_state[name] = {}
        else:
            after = _first_listed(marks, name)
            walk.cursors[name] = _Cursor(
                source, table, keep=False, after=after, empty=highest[name] <= after
            )
    walk.ledger_prev = point.ledger_hash
    walk.ledger_expected = point.ledger_position + 1
    ledger = _Cursor(
        source, LEDGER, keep=True, on_batch=walk.ledger_batch, after=point.ledger_position
    )
    head = _head(source)
    try:
        audit_prev, position = _walk_entries(walk, ledger, point.position, point.audit_hash)
        unlisted = ledger.rest()
    except Unreadable as exc:
        return _result(walk, [(CHAIN, _entry_of(exc), str(exc))])
    ledger_position = walk.ledger_expected - 1
    total_ledger = point.ledger_position + ledger.read
    _check_head(walk, head, position, audit_prev, ledger_position, walk.ledger_prev, total_ledger)
    for bad in sorted(walk.ledger_bad):
        walk.add(CHAIN, None, walk.ledger_bad[bad])
    if unlisted:
        walk.add(CHAIN, None, _no_audit_entry(unlisted[0]))
    for name, cursor in walk.cursors.items():
        for row_id in cursor.rest()[:3]:
            if row_id > marks.get(name, 0):
                walk.add(
                    FACT,
                    None,
                    _unlisted(name, row_id),
                )
    _recheck_mutable(walk, tables, marks, highest)
    _check_pharmacy(session, walk)
    if position > point.position:
        for problem in _study_index_problems(session, point.position, derive=True, last=position):
            walk.add(*problem)
    result_point = VerifiedPoint(position, audit_prev, ledger_position, walk.ledger_prev, new_marks)
    return _result(
        walk,
        [],
        ledger_rows=total_ledger,
        point=result_point,
        new_entries=walk.entries,
    )


def _first_listed(marks: Mapping[str, int], name: str) -> int:
    """New rows of an append-only table start after its mark; rows listed by the new entries
    are among them (ids are handed out in order under the write lock)."""
    return marks.get(name, 0)


def _recheck_mutable(
    walk: _Walk,
    tables: Mapping[str, Table],
    marks: Mapping[str, int],
    highest: Mapping[str, int],
) -> None:
    """The mutable rows the new entries list, as they stand now, and rows added since."""
    for name, last in walk.last_state.items():
        table = tables[name]
        wanted = sorted(last)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows = {int(r.id): r for r in walk.source.by_ids(table, chunk)}
            for row_id in chunk:
                listed, entry = last[row_id]
                row = rows.get(row_id)
                if row is None:
                    walk.add(
                        FACT,
                        entry,
                        _missing(name, row_id, entry),
                    )
                elif walk.source.fact_hash(table, row, _hash(row.text), listed)[1] != listed:
                    walk.add(
                        FACT,
                        entry,
                        _changed(name, row_id, entry),
                    )
        mark = marks.get(name, 0)
        if highest[name] <= mark:
            continue  # no row added since
        added = walk.source.fetch(
            walk.source.sql(f'SELECT "id" FROM "{name}" WHERE "id" > {{}} ORDER BY "id"'), [mark]
        )
        for (row_id,) in added:
            if int(row_id) not in last:
                walk.add(
                    FACT,
                    None,
                    _unlisted(name, row_id),
                )
