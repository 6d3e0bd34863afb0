"""indexes of the records by the time they were written, for the sign-offs east of UTC

Revision ID: 0016
Revises: 0015
Create Date: 2027-02-16 09:00:00

0014's indexes hold the records dated before the UTC day they were written. A sign-off's day
is the pharmacy's local one: east of UTC (the study site is in Henan, UTC+8) a sign-off made in
the local small hours is already on the next UTC day, and a record typed after it, before the
UTC midnight, and dated the day before is dated the UTC day it was written, so it is not in
0014's indexes. The look-up reads those records by their time (from the sign-off to that UTC
midnight: a few hours), and no index held the records by their time: SQLite walked every
dispense and return of the study and every count and destruction, PostgreSQL read the tables
whole, once per reconciliation after such a sign-off, growing with the history. These indexes
hold each record table's rows by the time they were written, so those few hours are read as a
range. Only indexes: no table, row or trigger changes (0004's append-only triggers stay as they
are, on SQLite and PostgreSQL alike), so the audit trail and the facts' hashes are untouched.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

WRITTEN_INDEXES: tuple[tuple[str, str], ...] = (
    ("ix_dispenses_written", "dispenses"),
    ("ix_returns_written", "returns"),
    ("ix_physical_counts_written", "physical_counts"),
    ("ix_destructions_written", "destructions"),
)
"""(name, table) of the indexes of a record table's rows by the time they were written
(created_at): models.written_index as it was when this revision was written."""


def upgrade() -> None:
    for name, table in WRITTEN_INDEXES:
        op.create_index(name, table, ["created_at"], unique=False)


def downgrade() -> None:
    for name, table in reversed(WRITTEN_INDEXES):
        op.drop_index(name, table_name=table)
