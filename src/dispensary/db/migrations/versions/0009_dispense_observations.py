"""dispense observations: values a study file asks at dispense, and the IRT's confirmation

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-05 09:00:00

A new append-only table (0004's triggers, as 0006 gives rule_confirmations), tracked as a fact
(db/facts.py tracks every table it does not name as untracked). The platelet count stays in
`dispenses.platelet_count`: nothing of an older database is moved or rewritten.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

TRIGGERED = "dispense_observations"
"""The table this revision adds to the append-only records (0004's triggers)."""

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        TRIGGERED,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispense_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("text", sa.String(length=80), nullable=True),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispense_id"],
            ["dispenses.id"],
            name=op.f("fk_dispense_observations_dispense_id_dispenses"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispense_observations")),
        sa.UniqueConstraint("dispense_id", "key", name=op.f("uq_dispense_observations_key")),
    )
    op.create_index(
        op.f("ix_dispense_observations_dispense_id"), TRIGGERED, ["dispense_id"], unique=False
    )
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in (
        append_only.sqlite_triggers(TRIGGERED) if sqlite else append_only.pg_triggers(TRIGGERED)
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_dispense_observations_dispense_id"), table_name=TRIGGERED)
    op.drop_table(TRIGGERED)  # its triggers go with it
