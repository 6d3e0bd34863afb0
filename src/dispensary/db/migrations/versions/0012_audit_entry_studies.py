"""audit entry studies: which studies each audit entry concerns, indexed

Revision ID: 0012
Revises: 0011
Create Date: 2027-01-26 09:00:00

A study's audit trail (its entries and the site's) was found by reading the pharmacy's entries
newest first and working out each one's study from the rows it lists: the latest 500 of a small
study among a million entries meant reading them all, so a listing stopped after 50,000 and said
so. `audit_entry_studies` holds, for each entry, the studies it concerns (0 for the site's own),
written by the Recorder with the entry; this revision writes it for the entries already there,
500 at a time (about half a minute for a million entries, once), with the functions the
Recorder uses (db/entry_studies.py), and gives the table 0004's append-only triggers. Nothing
hashed changes: the index is derived, and `audit verify` checks it (db/entry_studies.py).
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TRIGGERED = "audit_entry_studies"


def upgrade() -> None:
    op.create_table(
        TRIGGERED,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_entry_id", sa.Integer(), nullable=False),
        sa.Column("study_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_entry_id"],
            ["audit_entries.id"],
            name=op.f("fk_audit_entry_studies_audit_entry_id_audit_entries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry_studies")),
    )
    op.create_index(
        "ix_audit_entry_studies_entry", TRIGGERED, ["audit_entry_id", "study_id"], unique=True
    )
    op.create_index(
        "ix_audit_entry_studies_study", TRIGGERED, ["study_id", "audit_entry_id"], unique=False
    )
    from dispensary.db import entry_studies

    entry_studies.back_fill(op.get_bind())
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in (
        append_only.sqlite_triggers(TRIGGERED) if sqlite else append_only.pg_triggers(TRIGGERED)
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index("ix_audit_entry_studies_study", table_name=TRIGGERED)
    op.drop_index("ix_audit_entry_studies_entry", table_name=TRIGGERED)
    op.drop_table(TRIGGERED)  # its triggers go with it
