"""A rewritten history, as someone with write access to a SQLite file and the program's source
would make it: drop the guards, edit, then recompute every hash of both chains, the ledger
hashes the audit entries name, and the chain head, so that `audit verify` passes again.

Only the sqlite3 module writes (no program code runs on the file); the hash is the program's
own, as the rewriter would read it in the source. Used by the anchor tests (tests/services,
tests/cli, tests/ui): only a verification code kept outside the database shows such a rewrite.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, select, text

from dispensary.db import facts
from dispensary.db.facts import GENESIS, canonical, digest
from dispensary.db.models import AuditEntry, Base, LedgerEntry
from tamper import triggers_off

_GUARDED = ("audit_entries", "ledger_entries", "chain_head")
_LEDGER_FIELDS = (
    "id",
    "at",
    "entry_date",
    "kind",
    "quantity",
    "from_returned",
    "kit_id",
    "lot_id",
    "product",
    "participant_id",
    "dispense_id",
    "return_id",
    "destruction_id",
    "count_id",
    "reverses_id",
    "reason",
    "user_id",
)
_AUDIT_FIELDS = (
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "entity",
    "entity_id",
    "old",
    "new",
    "reason",
)


def _ts(stored: str) -> str:
    moment = datetime.fromisoformat(stored)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def drop_guards(db: sqlite3.Connection) -> list[str]:
    """Drops every trigger on the chained tables (migration 0004 adds some that refuse UPDATE
    and DELETE); returns their SQL, to put them back."""
    marks = ",".join("?" * len(_GUARDED))
    found = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
        f"AND tbl_name IN ({marks}) ORDER BY name",
        _GUARDED,
    ).fetchall()
    for name, _sql in found:
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return [sql for _name, sql in found]


def rewrite_chains(conn: Connection) -> None:
    """Recomputes, inside the connection's transaction (triggers off), every fact hash the
    audit entries list (a deleted row's fact dropped, a changed row's hash replaced), both
    chains and the head: what an attacker who knows the algorithm does after an edit. Text SQL
    only (the program's guards refuse its UPDATE statements, not a tool's)."""
    current: dict[tuple[str, int], str] = {}
    for table in facts.tracked(Base.metadata.sorted_tables):
        names = [c.name for c in table.columns]
        for row in conn.execute(select(table)):
            current[(table.name, int(row.id))] = facts.fact_hash(table.name, names, tuple(row))
    ledger_cols = [c.name for c in LedgerEntry.__table__.columns]
    rehashed: dict[int, str] = {}
    prev = GENESIS
    for row in conn.execute(select(LedgerEntry.__table__).order_by(LedgerEntry.id)):
        content = dict(zip(ledger_cols, tuple(row), strict=True))
        row_hash = digest(prev, facts.ledger_content(content))
        conn.execute(
            text("UPDATE ledger_entries SET prev_hash = :p, row_hash = :h WHERE id = :i"),
            {"p": prev, "h": row_hash, "i": content["id"]},
        )
        rehashed[content["id"]] = prev = row_hash
    ledger_count, ledger_hash = len(rehashed), prev
    audit_cols = [c.name for c in AuditEntry.__table__.columns]
    prev = GENESIS
    count = 0
    entries = list(conn.execute(select(AuditEntry.__table__).order_by(AuditEntry.id)))
    last_listed: dict[tuple[str, int], int] = {}  # an earlier state of a kit stays as it was
    for row in entries:
        for t, i, _h in facts.parse_facts(row.facts):
            last_listed[(t, i)] = int(row.id)
    for row in entries:
        entry = dict(zip(audit_cols, tuple(row), strict=True))
        if entry["new"]:
            new = json.loads(entry["new"])
            if isinstance(new, dict) and "ledger" in new:
                new["ledger"] = [[i, rehashed[i]] for i, _h in new["ledger"] if i in rehashed]
                entry["new"] = canonical(new)
        listed = [
            (t, i, current[(t, i)] if last_listed[(t, i)] == entry["id"] else h)
            for t, i, h in facts.parse_facts(entry["facts"])
            if (t, i) in current
        ]
        entry["facts"] = facts.facts_text(listed)
        entry_hash = digest(prev, facts.audit_content(entry))
        conn.execute(
            text(
                "UPDATE audit_entries SET new = :n, facts = :f, prev_hash = :p, "
                "entry_hash = :h WHERE id = :i"
            ),
            {"n": entry["new"], "f": entry["facts"], "p": prev, "h": entry_hash, "i": entry["id"]},
        )
        prev = entry_hash
        count += 1
    conn.execute(
        text(
            "UPDATE chain_head SET audit_hash = :a, audit_count = :c, ledger_hash = :l, "
            "ledger_count = :n WHERE id = 1"
        ),
        {"a": prev, "c": count, "l": ledger_hash, "n": ledger_count},
    )


def rewrite_history(path: str | Path, *statements: str, **params: Any) -> None:
    """Runs `statements` on the file with the sqlite3 module, then recomputes every hash
    (`rewrite_chains`), with the guards dropped and put back: a whole rewrite that verifies."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("BEGIN IMMEDIATE")
        guards = drop_all_guards(db)
        for statement in statements:
            db.execute(statement, params)
        for guard in guards:
            db.execute(guard)
        db.commit()
    finally:
        db.close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn, triggers_off(conn):
            rewrite_chains(conn)
    finally:
        engine.dispose()


def drop_all_guards(db: sqlite3.Connection) -> list[str]:
    """Drops every trigger of the file (the append-only ones of every fact table); returns
    their SQL, to put them back."""
    found = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
    ).fetchall()
    for name, _sql in found:
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    return [sql for _name, sql in found]


def edit_only(path: str | Path, *statements: str, **params: Any) -> None:
    """Runs `statements` on the file with the guards dropped and put back, recomputing nothing
    (a clumsy edit: `audit verify` finds it)."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("BEGIN IMMEDIATE")
        guards = drop_all_guards(db)
        for statement in statements:
            db.execute(statement, params)
        for guard in guards:
            db.execute(guard)
        db.commit()
    finally:
        db.close()
