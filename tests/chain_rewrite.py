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

from dispensary.services.audit import GENESIS, canonical, digest

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


def rewrite_history(path: str | Path, *statements: str, **params: Any) -> None:
    """Runs `statements` on the file, then recomputes both chains and the head, in one
    transaction, with the guards dropped and put back."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("BEGIN IMMEDIATE")
        guards = drop_guards(db)
        for statement in statements:
            db.execute(statement, params)
        rehashed: dict[int, str] = {}
        prev = GENESIS
        ledger = db.execute(f"SELECT {', '.join(_LEDGER_FIELDS)} FROM ledger_entries ORDER BY id")
        for values in ledger.fetchall():
            row = dict(zip(_LEDGER_FIELDS, values, strict=True))
            row["at"] = _ts(row["at"])
            row["from_returned"] = bool(row["from_returned"])
            row_hash = digest(prev, row)
            db.execute(
                "UPDATE ledger_entries SET prev_hash = ?, row_hash = ? WHERE id = ?",
                (prev, row_hash, row["id"]),
            )
            rehashed[row["id"]] = prev = row_hash
        ledger_count = len(rehashed)
        ledger_hash = prev
        prev = GENESIS
        audit = db.execute(f"SELECT {', '.join(_AUDIT_FIELDS)} FROM audit_entries ORDER BY id")
        count = 0
        for values in audit.fetchall():
            entry = dict(zip(_AUDIT_FIELDS, values, strict=True))
            entry["at"] = _ts(entry["at"])
            if entry["new"]:
                new = json.loads(entry["new"])
                if isinstance(new, dict) and "ledger" in new:
                    new["ledger"] = [[i, rehashed.get(i, h)] for i, h in new["ledger"]]
                    entry["new"] = canonical(new)
            entry_hash = digest(prev, entry)
            db.execute(
                "UPDATE audit_entries SET new = ?, prev_hash = ?, entry_hash = ? WHERE id = ?",
                (entry["new"], prev, entry_hash, entry["id"]),
            )
            prev = entry_hash
            count += 1
        db.execute(
            "UPDATE chain_head SET audit_hash = ?, audit_count = ?, ledger_hash = ?, "
            "ledger_count = ? WHERE id = 1",
            (prev, count, ledger_hash, ledger_count),
        )
        for guard in guards:  # the schema looks untouched
            db.execute(guard)
        db.commit()
    finally:
        db.close()


def edit_only(path: str | Path, *statements: str, **params: Any) -> None:
    """Runs `statements` on the file with the guards dropped and put back, recomputing nothing
    (a clumsy edit: `audit verify` finds it)."""
    db = sqlite3.connect(str(path))
    try:
        db.execute("BEGIN IMMEDIATE")
        guards = drop_guards(db)
        for statement in statements:
            db.execute(statement, params)
        for guard in guards:
            db.execute(guard)
        db.commit()
    finally:
        db.close()
