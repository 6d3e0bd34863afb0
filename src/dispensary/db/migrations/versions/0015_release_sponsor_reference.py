"""the sponsor's reference of a release: a quarantined kit goes back to stock on its decision

Revision ID: 0015
Revises: 0014
Create Date: 2027-02-09 09:00:00

A kit quarantined (damage, a temperature excursion) may be released back to usable stock only
on the sponsor's written decision, as a destruction only on its authorisation: a release now
records the sponsor's reference (its decision or excursion assessment number). A nullable
column on quarantine_events, added in place (ALTER TABLE ... ADD COLUMN, on SQLite and
PostgreSQL alike): no table is rebuilt, so 0004's append-only triggers on it stay as they are,
and no row is written. The quarantines and the releases recorded before hold NULL, which the
facts' hashes leave out (db/facts.py), so their hashes are as they were.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TABLE = "quarantine_events"
COLUMN = "sponsor_reference"


def upgrade() -> None:
    op.add_column(TABLE, sa.Column(COLUMN, sa.String(length=120), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later): not a batch rebuild, which would
    # drop the table's triggers.
    op.drop_column(TABLE, COLUMN)
