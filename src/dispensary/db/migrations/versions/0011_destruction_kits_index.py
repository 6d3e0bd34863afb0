"""PostgreSQL: an index of the kit numbers each destruction lists

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-19 09:00:00

A kit destroyed empty has no ledger row: only its destruction's list of kit numbers (JSON text)
names it. The inventory says where each kit on its page went, so it looked those kits up in
every destruction's list: on PostgreSQL the whole table came to the program and was parsed
(1,324 destructions listing 293,542 kits on the benchmark site: 80-110 ms a page, each search
keystroke a page). A GIN index of the lists read as jsonb finds the few destructions naming a
page's kits, a kit at a time, in a few milliseconds. Without its pending list (fastupdate off):
rows inserted wait there, read whole at every look-up, until a vacuum merges them, and the
planner, pricing that, read the table once per kit instead (4 s for 100 kits on a copied site).
A destruction is written every few weeks; merging its kits at once costs nothing noticeable.
SQLite has no such index: it reads the lists itself with json_each (services/queries.
_whereabouts). Only an index: no table, row or trigger changes, so the audit trail and the
facts' hashes are untouched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME = "ix_destructions_kits"
"""models.DESTRUCTION_KITS_INDEX as it was when this revision was written."""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.create_index(
        NAME,
        "destructions",
        [sa.text("(kits::jsonb)")],
        unique=False,
        postgresql_using="gin",
        postgresql_with={"fastupdate": "off"},
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index(NAME, table_name="destructions")
