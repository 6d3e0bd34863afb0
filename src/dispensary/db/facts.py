"""What the chains hash: the canonical content of an audit entry, a ledger row, and a fact.

A fact is a row of any table the audit trail stands behind (`TRACKED`): a dispense, a return,
a signature, a participant, a user, a kit... Each audit entry lists the table, id and content
hash of every fact its step wrote (`[[table, id, hash], ...]`), so `audit verify` re-hashes
them and names an edit, a deletion or an insertion of any of them with its audit entry.

The content of a row is read back through SQLAlchemy Core (`select(table)`), the same way at
write time (services/audit.Recorder, after the step's flush) and at verify time, so the values
are the column types' own (aware UTC datetimes, dates, bools) on SQLite and PostgreSQL alike.
Columns holding NULL are left out, so a nullable column added by a later migration leaves the
hashes of older rows as they were.

This module is below the services (migration 0005 hashes the rows that were there before the
facts were recorded, the same way); it holds no rule of the pharmacy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Table, event
from sqlalchemy.orm import Session

from dispensary.domain.errors import UnrecordedWrite

GENESIS = "0" * 64

UNTRACKED = frozenset(
    {"chain_head", "audit_entries", "ledger_entries", "alembic_version", "settings"}
)
"""Tables that are not facts: the chain head (the chains' own state), the audit entries and
ledger rows (chained themselves), and settings (keyed by name, written by nothing yet)."""

MUTABLE = frozenset({"users", "kits", "participants", "study"})
"""Tracked tables whose rows change in place (models.UPDATED less the chain head): every state
a row is given is listed by the audit entry of its step, and the last one must be the row as it
stands now."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot put {type(value).__name__} in the audit trail")


def canonical(content: Mapping[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=_default)


def digest(prev_hash: str, content: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(content)).encode("utf-8")).hexdigest()


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def audit_content(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What an audit entry's hash covers; `row` is the entry's columns by name. `facts` is in
    it from migration 0005 on (an entry before it has none, and hashes as it always did)."""
    content = {
        "id": row["id"],
        "at": timestamp(row["at"]),
        "user_id": row["user_id"],
        "username": row["username"],
        "action": row["action"],
        "entity": row["entity"],
        "entity_id": row["entity_id"],
        "old": row["old"],
        "new": row["new"],
        "reason": row["reason"],
    }
    if row.get("facts"):
        content["facts"] = row["facts"]
    return content


def ledger_content(row: Mapping[Any, Any]) -> dict[str, Any]:
    """What a ledger row's hash covers. `audit_entry_id` (the entry that wrote it, from
    migration 0005 on) is in it when set: a row written before has none."""
    content = {
        "id": row["id"],
        "at": timestamp(row["at"]),
        "entry_date": row["entry_date"].isoformat(),
        "kind": row["kind"],
        "quantity": row["quantity"],
        "from_returned": bool(row["from_returned"]),
        "kit_id": row["kit_id"],
        "lot_id": row["lot_id"],
        "product": row["product"],
        "participant_id": row["participant_id"],
        "dispense_id": row["dispense_id"],
        "return_id": row["return_id"],
        "destruction_id": row["destruction_id"],
        "count_id": row["count_id"],
        "reverses_id": row["reverses_id"],
        "reason": row["reason"],
        "user_id": row["user_id"],
    }
    if row.get("audit_entry_id") is not None:
        content["audit_entry_id"] = row["audit_entry_id"]
    return content


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def fact_hash(table: str, names: Sequence[str], values: Sequence[Any]) -> str:
    """The content hash of one row of `table`: its non-NULL columns, by name, in column order."""
    pairs = [[name, _value(v)] for name, v in zip(names, values, strict=True) if v is not None]
    text = json.dumps([table, pairs], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def tracked(tables: Iterable[Table]) -> list[Table]:
    """The fact tables among `tables`, by name."""
    return sorted((t for t in tables if t.name not in UNTRACKED), key=lambda t: t.name)


Fact = tuple[str, int, str]
"""(table, id, content hash)."""


def facts_text(facts: Sequence[Fact]) -> str:
    """The facts of one audit entry as stored (and hashed) in its `facts` column."""
    return json.dumps([list(f) for f in facts], separators=(",", ":")) if facts else ""


def parse_facts(text: str) -> list[Fact]:
    """An entry's stored facts; a value that is not a list of [table, id, hash] reads as
    nothing (the entry's own hash is what says it was changed)."""
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    if not isinstance(data, list):
        return []
    return [
        (str(f[0]), int(f[1]), str(f[2]))
        for f in data
        if isinstance(f, list) and len(f) == 3 and isinstance(f[1], int)
    ]


# -- what a transaction wrote, until its audit entry lists it --------------------------------------

WRITTEN = "dispensary.facts_written"
"""session.info key: {(table, id): None} of the fact rows flushed since the last audit entry."""


def _after_flush(session: Session, _context: Any) -> None:
    written: dict[tuple[str, int], None] = session.info.setdefault(WRITTEN, {})
    for target in (*session.new, *session.dirty):
        table = getattr(target, "__table__", None)
        if not isinstance(table, Table) or table.name in UNTRACKED:
            continue
        if target in session.dirty and not session.is_modified(target):
            continue  # loaded, touched, nothing changed: no UPDATE was sent
        written[(table.name, int(target.id))] = None


def _before_commit(session: Session) -> None:
    if session.new or session.dirty:
        session.flush()  # before_commit comes before the commit's own flush
    written = session.info.get(WRITTEN)
    if written:
        shown = ", ".join(f"{t} row {i}" for t, i in list(written)[:5])
        raise UnrecordedWrite(
            f"{shown} would be saved without the audit entry of its step: refused, nothing was "
            "saved (a program error: the step writes its audit entry last)."
        )


def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(WRITTEN, None)


def take_written(session: Session) -> list[tuple[str, int]]:
    """The fact rows flushed since the last call (the audit entry being written lists them)."""
    session.flush()
    written = session.info.pop(WRITTEN, {})
    return sorted(written)


def install_recording() -> None:
    """Every session notes the fact rows it flushes; a commit with rows no audit entry listed
    is refused (services/audit.Recorder lists them). Idempotent."""
    if event.contains(Session, "after_flush", _after_flush):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_rollback", _forget)
    event.listen(Session, "after_soft_rollback", _forget)
    event.listen(Session, "after_commit", _forget)
