"""facts in the chain: each audit entry lists the rows its step wrote; ledger rows name their entry

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-23 10:00:00

- `audit_entries.facts`: `[[table, id, content hash], ...]` of every row the entry's step wrote
  (db/facts.py), part of the entry's hash;
- `ledger_entries.audit_entry_id`: the audit entry of the step that wrote the row, a foreign key
  checked at commit (the entry is written after its rows);
- a database that holds records already gets one audit entry, `facts_baseline`, that lists the
  content hash of every row there is, as it stands at the upgrade, and each kit's and
  participant's status then (where `audit verify` starts rebuilding them from). Rows written
  before are thereby in the chain too, from this entry on.

Adding the columns fires no trigger; nothing existing is updated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import sqlalchemy as sa
from alembic import op

from dispensary.db import facts as chain
from dispensary.db.models import AuditEntry, Base, ChainHead

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FK = "fk_ledger_entries_audit_entry_id_audit_entries"
INDEX = "ix_ledger_entries_audit_entry_id"


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if "facts" not in columns("audit_entries"):  # else kept by a downgrade (see there)
        op.add_column(
            "audit_entries", sa.Column("facts", sa.Text(), nullable=False, server_default="")
        )
    if "audit_entry_id" in columns("ledger_entries"):
        pass
    elif sqlite:
        # SQLite adds a reference only with its column, in one ALTER (copying the table instead
        # would delete its rows one by one on the way, which a reversing row's reference to the
        # row it reverses refuses). Its reflection does not read the constraint's name back.
        op.execute(
            f"ALTER TABLE ledger_entries ADD COLUMN audit_entry_id INTEGER CONSTRAINT {FK} "
            "REFERENCES audit_entries (id) DEFERRABLE INITIALLY DEFERRED"
        )
    else:
        op.add_column("ledger_entries", sa.Column("audit_entry_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            FK,
            "ledger_entries",
            "audit_entries",
            ["audit_entry_id"],
            ["id"],
            deferrable=True,
            initially="DEFERRED",
        )
    op.create_index(INDEX, "ledger_entries", ["audit_entry_id"])
    baseline(bind, revision, "upgrade: the records written before are listed as they stand")


def baseline(bind: sa.Connection, mark: str, reason: str) -> None:
    """The facts_baseline entry, when there is anything to stand behind: every row no entry
    lists yet, and every row of a table changed in place as it stands (0008 uses it too)."""
    inspector = sa.inspect(bind)
    present = set(inspector.get_table_names())
    found: list[chain.Fact] = []
    # A database upgraded again after a downgrade: rows that entries list already stay theirs.
    listed = {
        (table, row_id)
        for (text,) in bind.execute(sa.text("SELECT facts FROM audit_entries WHERE facts <> ''"))
        for table, row_id, _hash in chain.parse_facts(text)
    }
    seeds: dict[str, object] = {}
    statuses: dict[str, list[list[object]]] = {"kits": [], "participants": []}
    for table in chain.tracked(Base.metadata.sorted_tables):
        if table.name not in present:
            continue
        existing = {c["name"] for c in inspector.get_columns(table.name)}
        columns = [c for c in table.columns if c.name in existing]
        names = [c.name for c in columns]
        for row in bind.execute(sa.select(*columns).order_by(table.c.id)):
            values = tuple(row)
            if (table.name, int(row.id)) in listed and table.name not in chain.MUTABLE:
                continue
            found.append((table.name, int(row.id), chain.fact_hash(table.name, names, values)))
            if table.name in statuses:
                statuses[table.name].append([int(row.id), str(row.status)])
    if not found:
        return
    seeds.update(statuses)
    head = bind.execute(sa.select(ChainHead.__table__).where(ChainHead.__table__.c.id == 1)).first()
    if head is None:
        audit_count, audit_hash = 0, chain.GENESIS
    else:
        audit_count, audit_hash = int(head.audit_count), str(head.audit_hash)
    entries = cast(sa.Table, AuditEntry.__table__)
    # Dated as the last entry (the program's clock, which the next entries follow, is not known
    # here; a test's may stand in the past); the computer's time of the upgrade is in `new`.
    last_at = bind.execute(sa.select(sa.func.max(entries.c.at))).scalar()
    seeds["upgraded_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if isinstance(last_at, str):
        last_at = datetime.fromisoformat(last_at)
    if isinstance(last_at, datetime):
        now = last_at if last_at.tzinfo else last_at.replace(tzinfo=UTC)
    else:
        now = datetime.now(UTC)
    entry = {
        "id": audit_count + 1,
        "at": now,
        "user_id": None,
        "username": "-",
        "action": "facts_baseline",
        "entity": "database",
        "entity_id": mark,
        "old": "",
        "new": chain.canonical(seeds),
        "reason": reason,
        "facts": chain.facts_text(found),
    }
    entry_hash = chain.digest(audit_hash, chain.audit_content(entry))
    bind.execute(sa.insert(entries).values(**entry, prev_hash=audit_hash, entry_hash=entry_hash))
    heads = cast(sa.Table, ChainHead.__table__)
    if head is None:  # records but no head: `audit verify` names that; the entry is chained on
        bind.execute(
            sa.insert(heads).values(
                id=1,
                audit_hash=entry_hash,
                audit_count=entry["id"],
                ledger_hash=chain.GENESIS,
                ledger_count=0,
            )
        )
    else:
        bind.execute(
            sa.update(heads)
            .where(heads.c.id == 1)
            .values(audit_hash=entry_hash, audit_count=entry["id"])
        )


def columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def downgrade() -> None:
    """Keeps both columns and what they hold: dropping them would change the hash of every
    entry and row written since (the chain would no longer verify), and the program before
    0005 leaves them empty. Upgrading again finds them and lists what is there anew."""
    op.drop_index(INDEX, table_name="ledger_entries")
