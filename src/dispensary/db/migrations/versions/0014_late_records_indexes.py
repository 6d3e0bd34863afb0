"""indexes of the records written late and of the return corrections, for the sign-offs

Revision ID: 0014
Revises: 0013
Create Date: 2027-02-02 09:00:00

After the first sign-off each reconciliation looks for the records that change what a sign-off
attested: a dispense, return, count or destruction written after it but dated before its day,
a return corrected after it. No index served that look-up: SQLite walked every dispense and
return of the study (a participant at a time) and every count and destruction, PostgreSQL read
the tables whole, and the walk grew with the history (about 12 ms per table of 200,000 rows,
at every reconciliation). A record written after a sign-off and dated before its day is dated
before the day it was written, which few records are (paper records entered later): these
partial indexes hold only those rows, by the time they were written, and the corrections of
returns, so the look-up reads a few rows however long the history. Only indexes: no table, row
or trigger changes, so the audit trail and the facts' hashes are untouched.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

LATE = {
    "sqlite": "{day} < date(created_at)",
    "postgresql": "{day} < CAST((created_at AT TIME ZONE 'UTC') AS DATE)",
}
"""models.dated_before_written as it was when this revision was written: a record dated before
the UTC day it was written."""

CORRECTION = "corrects_id IS NOT NULL"
"""models.CORRECTION as it was when this revision was written."""

LATE_INDEXES: tuple[tuple[str, str, str], ...] = (
    ("ix_dispenses_late", "dispenses", "dispensed_on"),
    ("ix_returns_late", "returns", "returned_on"),
    ("ix_physical_counts_late", "physical_counts", "counted_on"),
    ("ix_destructions_late", "destructions", "destroyed_on"),
)
"""(name, table, the record's own date) of the indexes of the records dated before the day
they were written."""


def upgrade() -> None:
    where = LATE[op.get_bind().dialect.name]
    for name, table, day in LATE_INDEXES:
        clause = sa.text(where.format(day=day))
        op.create_index(
            name, table, ["created_at"], unique=False, sqlite_where=clause, postgresql_where=clause
        )
    op.create_index(
        "ix_returns_corrections",
        "returns",
        ["created_at"],
        unique=False,
        sqlite_where=sa.text(CORRECTION),
        postgresql_where=sa.text(CORRECTION),
    )


def downgrade() -> None:
    op.drop_index("ix_returns_corrections", table_name="returns")
    for name, table, _day in reversed(LATE_INDEXES):
        op.drop_index(name, table_name=table)
