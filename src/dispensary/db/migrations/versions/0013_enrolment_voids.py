"""enrolment voids: an enrolment entered in error, voided

Revision ID: 0013
Revises: 0012
Create Date: 2027-02-02 09:00:00

A new append-only table (0004's triggers, as 0009 gives dispense_observations), tracked as a
fact (db/facts.py tracks every table it does not name as untracked). The participant's row is
left as enrolled; its status becomes "voided" as any status change is made (audited). Nothing
of an older database is moved or rewritten.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

import dispensary.db.models

TRIGGERED = "enrolment_voids"
"""The table this revision adds to the append-only records (0004's triggers)."""

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        TRIGGERED,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", dispensary.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_enrolment_voids_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_enrolment_voids_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment_voids")),
        sa.UniqueConstraint("participant_id", name=op.f("uq_enrolment_voids_participant_id")),
    )
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in (
        append_only.sqlite_triggers(TRIGGERED) if sqlite else append_only.pg_triggers(TRIGGERED)
    ):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table(TRIGGERED)  # its triggers go with it
