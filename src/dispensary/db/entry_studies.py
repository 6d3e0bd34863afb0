"""Which studies an audit entry concerns, kept in an index beside the trail.

A pharmacy keeps several studies in one database, and a study's audit trail is its own entries
and the site's (accounts, sign-ins, backups): another study's entries are not shown to its
readers. Which study an entry concerns is read from the rows its step wrote (kits, participants,
dispenses and what hangs from them, a study's own rows), from the items a label print names, or
from the study a step names when it wrote no record of one (a temperature file's check), or,
for a correction that wrote none (a status change's date corrected: its signature alone), from
the entry it corrects, as services/queries.status_entries gives it its participant. The
Recorder (services/audit) writes the answer into `audit_entry_studies` with each entry, so a
listing finds a small study's entries by an index instead of reading the pharmacy's whole
trail; migration 0012 wrote it for the entries before it, with these same functions.

Study 0 (`SITE`) stands for an entry of no study. The index is not hashed: it is derived. Every
verification names an entry missing from it and a row naming no entry; the incremental check
(the Today screen's) derives each new entry's studies again and names any difference
(services/verification._study_index_problems).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any, Protocol, cast

from sqlalchemy import BindParameter, Integer, bindparam, func, insert, literal, select, union_all
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.orm import Session

from dispensary.db import facts
from dispensary.db.models import FIRST_STUDY, AuditEntry, AuditEntryStudy, Base

SITE = 0
"""The study id an entry of the site's own (no study) is indexed under."""
BATCH = 500
"""Row ids looked up in one statement (SQLite's variables are limited, 999 in older builds)."""


class Entry(Protocol):
    """An audit entry as read: an ORM object or a Core row."""

    @property
    def id(self) -> int: ...
    @property
    def entity(self) -> str: ...
    @property
    def new(self) -> str: ...
    @property
    def facts(self) -> str: ...


Reader = Session | Connection


_BY_DISPENSE = (
    "dispense_kits",
    "returns",
    "adherence_notes",
    "dispense_voids",
    "dispense_observations",
)
_BY_KIT = ("physical_counts", "quarantine_events")
_BY_PARTICIPANT = ("enrolment_voids",)
_OWN_STUDY = ("study_access", "rule_confirmations", "reconciliation_signoffs")
_OWNED = frozenset(
    {"kits", "participants", "study", "dispenses", "lots", "shipments"}
    | {*_BY_DISPENSE, *_BY_KIT, *_BY_PARTICIPANT, *_OWN_STUDY}
)
"""The tables whose rows are a study's: those _owner_query looks up."""


def _owner_query(table: str, ids: Sequence[int] | BindParameter[Any]) -> Any:
    """(row id, its study) of the rows of `table` among `ids` (or an expanding parameter's);
    None for a table whose rows are no study's (signatures, users, excursions...)."""
    tables = Base.metadata.tables
    kits, people, dispenses = tables["kits"], tables["participants"], tables["dispenses"]
    if table == "kits":
        return select(kits.c.id, kits.c.study_id).where(kits.c.id.in_(ids))
    if table == "participants":
        return select(people.c.id, people.c.study_id).where(people.c.id.in_(ids))
    if table == "study":
        study = tables["study"]
        return select(study.c.id, study.c.id.label("study_id")).where(study.c.id.in_(ids))
    if table == "dispenses":
        return (
            select(dispenses.c.id, people.c.study_id)
            .join(people, people.c.id == dispenses.c.participant_id)
            .where(dispenses.c.id.in_(ids))
        )
    if table in _BY_DISPENSE:
        found_in = tables[table]
        return (
            select(found_in.c.id, people.c.study_id)
            .join(dispenses, dispenses.c.id == found_in.c.dispense_id)
            .join(people, people.c.id == dispenses.c.participant_id)
            .where(found_in.c.id.in_(ids))
        )
    if table in _BY_PARTICIPANT:
        found_in = tables[table]
        return (
            select(found_in.c.id, people.c.study_id)
            .join(people, people.c.id == found_in.c.participant_id)
            .where(found_in.c.id.in_(ids))
        )
    if table in _BY_KIT:
        found_in = tables[table]
        return (
            select(found_in.c.id, kits.c.study_id)
            .join(kits, kits.c.id == found_in.c.kit_id)
            .where(found_in.c.id.in_(ids))
        )
    if table in _OWN_STUDY:
        found_in = tables[table]
        return select(found_in.c.id, found_in.c.study_id).where(found_in.c.id.in_(ids))
    if table in ("lots", "shipments"):
        # The study of its first kit, received in the step that made the lot or shipment: a
        # lot of a product two studies share may later hold the other study's kits too, and
        # the lowest study among them would then name the first receipt another study's (a
        # false alarm of the check that derives each new entry's studies again).
        column = kits.c.lot_id if table == "lots" else kits.c.shipment_id
        first = select(func.min(kits.c.id)).where(column.in_(ids)).group_by(column)
        return select(column, kits.c.study_id).where(kits.c.id.in_(first))
    return None


def _listed(entry: Entry) -> list[tuple[str, int]]:
    return [(t, i) for t, i, _h in facts.parse_facts(entry.facts or "")]


def _owners(session: Reader, wanted: dict[str, set[int]]) -> dict[tuple[str, int], int]:
    """The study of each listed row of a study's table, read in as few statements as the limit
    of variables allows (UNION ALL of each table's look-up, at most BATCH ids a statement: the
    Today screen's check of 100 new entries is one or two round trips to a server)."""
    pieces: list[Any] = []
    size = 0
    owner: dict[tuple[str, int], int] = {}

    def read() -> None:
        for table, row_id, study in session.execute(union_all(*pieces)):
            owner[(str(table), int(row_id))] = int(study) if study is not None else FIRST_STUDY

    for table, ids in sorted(wanted.items()):
        ordered = sorted(ids)
        for start in range(0, len(ordered), BATCH):
            chunk = ordered[start : start + BATCH]
            query = _owner_query(table, chunk)
            if query is None:
                break
            if pieces and size + len(chunk) > BATCH:
                read()
                pieces, size = [], 0
            inner = query.subquery()
            pieces.append(select(literal(table), *inner.c))
            size += len(chunk)
    if pieces:
        read()
    return owner


def entry_studies(session: Reader, entries: Sequence[Entry]) -> dict[int, set[int]]:
    """The studies each entry's step wrote records of (kits, participants, dispenses and what
    hangs from them; a study's own rows); an entry of the site's (an account, a backup, a
    temperature log) concerns none. Read in a few grouped queries per table."""
    wanted: dict[str, set[int]] = {}
    listed: dict[int, list[tuple[str, int]]] = {}
    for entry in entries:
        rows = listed[entry.id] = _listed(entry)
        for table, row_id in rows:
            wanted.setdefault(table, set()).add(row_id)
    owner = _owners(session, wanted)
    found: dict[int, set[int]] = {}
    for entry_id, rows in listed.items():
        found[entry_id] = {owner[r] for r in rows if r in owner}
    _label_studies(session, [e for e in entries if not listed[e.id]], found)
    # Also an entry whose rows are no study's records (an excursion that quarantined nothing).
    _named_studies(session, [e for e in entries if not found[e.id]], found)
    _corrected_studies(session, [e for e in entries if not found[e.id]], found)
    return found


def _named_studies(session: Reader, entries: Sequence[Entry], found: dict[int, set[int]]) -> None:
    """A step that wrote no record of a study but names the study it judged (a logger file's
    check or an excursion that quarantined nothing: services/temperature) is that study's."""
    named: dict[int, str] = {}
    for entry in entries:
        if found.get(entry.id) or '"study"' not in (entry.new or ""):
            continue
        try:
            protocol = json.loads(entry.new or "{}").get("study")
        except (ValueError, AttributeError):
            continue
        if isinstance(protocol, str):
            named[entry.id] = protocol
    if not named:
        return
    study = Base.metadata.tables["study"]
    query = select(study.c.protocol, study.c.id).where(study.c.protocol.in_(set(named.values())))
    ids = {str(protocol): int(study) for protocol, study in session.execute(query)}
    for entry_id, protocol in named.items():
        if protocol in ids:
            found[entry_id] = {int(ids[protocol])}


CORRECTS = "status_change"
"""The key of an entry's `new` naming the audit entry it corrects (a participant's status
correction: services/participants.correct_status), whose study it is when it wrote no record."""


def _corrected_studies(
    session: Reader, entries: Sequence[Entry], found: dict[int, set[int]]
) -> None:
    """A correction that wrote no record of a study (a status change's effective date
    corrected writes its signature only: the participant's row is as it was) is the study of
    the entry it corrects, derived from that entry's own rows (itself a correction: the entry
    it corrects, and so on back). Without it the correction was filed as the site's, and every
    study's readers saw another study's participant and status in their trail."""
    corrects: dict[int, int] = {}
    for entry in entries:
        if found.get(entry.id) or f'"{CORRECTS}"' not in (entry.new or ""):
            continue
        try:
            named = json.loads(entry.new or "{}").get(CORRECTS)
        except (ValueError, AttributeError):
            continue
        # An earlier entry only: an edited number cannot send the derivation round in a loop.
        if isinstance(named, int) and not isinstance(named, bool) and 0 < named < entry.id:
            corrects[entry.id] = named
    if not corrects:
        return
    table = AuditEntry.__table__
    wanted = sorted(set(corrects.values()))
    corrected: list[Any] = []
    for start in range(0, len(wanted), BATCH):
        corrected += session.execute(
            select(table.c.id, table.c.entity, table.c.new, table.c.facts).where(
                table.c.id.in_(wanted[start : start + BATCH])
            )
        ).all()
    studies = entry_studies(session, corrected) if corrected else {}
    for entry_id, named in corrects.items():
        if studies.get(named):
            found[entry_id] = set(studies[named])


_LABEL_ENTITIES = {"kit label": "kits", "dispense label": "dispenses", "leaflet label": "dispenses"}
"""A label print writes no record but its entry (services/labels.LabelKind.entity): the kits or
dispenses its `items` name say whose study it is."""


def _label_studies(session: Reader, entries: Sequence[Entry], found: dict[int, set[int]]) -> None:
    named: dict[int, tuple[str, list[str]]] = {}
    for entry in entries:
        table = _LABEL_ENTITIES.get(entry.entity)
        if table is None:
            continue
        try:
            items = json.loads(entry.new or "{}").get("items", [])
        except (ValueError, AttributeError):
            continue
        if isinstance(items, list):
            named[entry.id] = (table, [str(i) for i in items])
    if not named:
        return
    tables = Base.metadata.tables
    kits, people, dispenses = tables["kits"], tables["participants"], tables["dispenses"]
    numbers = {
        t: {n for tt, ns in named.values() if tt == t for n in ns}
        for t in set(_LABEL_ENTITIES.values())
    }
    study_of: dict[tuple[str, str], int] = {}
    for start in range(0, max(len(n) for n in numbers.values()), 500):
        kit_batch = sorted(numbers["kits"])[start : start + 500]
        if kit_batch:
            query = select(kits.c.number, kits.c.study_id).where(kits.c.number.in_(kit_batch))
            for number, study in session.execute(query):
                study_of[("kits", str(number))] = int(study or FIRST_STUDY)
        dispense_batch = sorted(numbers["dispenses"])[start : start + 500]
        if dispense_batch:
            query = (
                select(dispenses.c.number, people.c.study_id)
                .join(people, people.c.id == dispenses.c.participant_id)
                .where(dispenses.c.number.in_(dispense_batch))
            )
            for number, study in session.execute(query):
                study_of[("dispenses", str(number))] = int(study or FIRST_STUDY)
    for entry_id, (table, items) in named.items():
        found[entry_id] = {study_of[(table, i)] for i in items if (table, i) in study_of}


def index_rows(studies: dict[int, set[int]]) -> list[dict[str, int]]:
    """The index's rows for entries and the studies they concern (SITE for none)."""
    return [
        {"audit_entry_id": entry_id, "study_id": study}
        for entry_id, found in sorted(studies.items())
        for study in sorted(found or {SITE})
    ]


def write_index(session: Reader, entries: Sequence[Entry]) -> None:
    """Indexes the entries just written (a migration's back-fill)."""
    rows = index_rows(entry_studies(session, entries))
    if rows:
        session.execute(insert(AuditEntryStudy), rows)


def index_entry(session: Reader, entry: Entry) -> None:
    """Indexes the entry a step just wrote: one INSERT ... SELECT of the studies of the
    records it lists (a dispense: one statement more, not four), else as `write_index`."""
    wanted: dict[str, list[int]] = {}
    listed = _listed(entry)
    for table, row_id in listed:
        wanted.setdefault(table, []).append(row_id)
    tables = tuple(sorted(t for t in wanted if t in _OWNED))
    if tables and len(listed) <= BATCH:  # a bigger step (an excursion quarantining thousands
        # of kits) is read in batches: one statement's variables are limited (999 on old SQLite)
        values: dict[str, Any] = {f"ids_{t}": wanted[t] for t in tables}
        values["entry"] = entry.id
        if cast(CursorResult[Any], session.execute(_from_records(tables), values)).rowcount:
            return
    write_index(session, [entry])


@functools.cache
def _from_records(tables: tuple[str, ...]) -> Any:
    """index_entry's INSERT ... SELECT for entries listing rows of these tables, built once
    per set of tables (the ids bound at each entry): building the union and its subquery anew
    took most of an entry's indexing (1 ms of a dispense's 5)."""
    queries = [_owner_query(t, bindparam(f"ids_{t}", expanding=True)) for t in tables]
    owners = union_all(*queries).subquery()
    study = func.coalesce(owners.c.study_id, FIRST_STUDY).label("study")
    # Of the table, not the mapped class: the ORM would take the values for rows to insert.
    return insert(Base.metadata.tables["audit_entry_studies"]).from_select(
        ["audit_entry_id", "study_id"],
        select(bindparam("entry", type_=Integer), study).distinct().order_by(study),
    )


def back_fill(connection: Connection, after: int = 0) -> None:
    """Indexes every entry after `after`, 500 at a time (migration 0012 for the entries before
    it; the benchmark's site generator for the entries it writes in bulk)."""
    entries = AuditEntry.__table__
    while True:
        batch = list(
            connection.execute(
                select(entries.c.id, entries.c.entity, entries.c.new, entries.c.facts)
                .where(entries.c.id > after)
                .order_by(entries.c.id)
                .limit(500)
            )
        )
        if not batch:
            return
        write_index(connection, batch)
        after = batch[-1].id
