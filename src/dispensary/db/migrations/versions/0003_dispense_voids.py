"""dispense voids: a voided dispense is a row of its own, not a ledger sum of zero

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-09 10:20:00

A database voided dispenses in before this revision: each one (its dispense ledger rows sum to
zero) gets its row from the first ledger row that reversed it, which carries the reason, the
user and the time of the void.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import dispensary.db.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

VOIDED_BEFORE = """
INSERT INTO dispense_voids (dispense_id, reason, user_id, at)
SELECT l.dispense_id, l.reason, l.user_id, l.at
FROM ledger_entries l
WHERE l.id IN (
    SELECT MIN(r.id) FROM ledger_entries r
    WHERE r.kind = 'dispense' AND r.reverses_id IS NOT NULL AND r.dispense_id IS NOT NULL
    GROUP BY r.dispense_id
)
AND l.dispense_id IN (
    SELECT s.dispense_id FROM ledger_entries s
    WHERE s.kind = 'dispense' AND s.dispense_id IS NOT NULL
    GROUP BY s.dispense_id
    HAVING SUM(s.quantity) = 0
)
ORDER BY l.id
"""


def upgrade() -> None:
    op.create_table(
        "dispense_voids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dispense_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", dispensary.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispense_id"], ["dispenses.id"], name=op.f("fk_dispense_voids_dispense_id_dispenses")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_dispense_voids_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispense_voids")),
        sa.UniqueConstraint("dispense_id", name=op.f("uq_dispense_voids_dispense_id")),
    )
    op.execute(VOIDED_BEFORE)


def downgrade() -> None:
    op.drop_table("dispense_voids")
