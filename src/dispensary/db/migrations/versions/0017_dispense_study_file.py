"""the study file version a dispense was made with: its label and leaflet keep its wording

Revision ID: 0017
Revises: 0016
Create Date: 2027-02-23 09:00:00

A study file updated after a dispense (its label directions or missed-dose text changed) gave
the dispense's reprint, and a first print made after the update, the new wording: not what the
participant was told. A dispense now records the SHA-256 of the study file text it was made
with (`dispenses.study_sha256`), and its label and leaflet are worded from that version
(services/study_versions.py, which finds the version of a dispense made before this column
from the audit trail's order). A nullable column added in place (ALTER TABLE ... ADD COLUMN,
on SQLite and PostgreSQL alike): no table is rebuilt, so 0004's append-only triggers on
dispenses stay as they are, and no row is written. The dispenses recorded before hold NULL,
which the facts' hashes leave out (db/facts.py), so their hashes are as they were. The
downgrade keeps the column (a release before this one writes NULL there, which it never reads).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE = "dispenses"
COLUMN = "study_sha256"


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}


def upgrade() -> None:
    if COLUMN in _columns():  # kept by a downgrade
        return
    op.add_column(TABLE, sa.Column(COLUMN, sa.String(length=64), nullable=True))


def downgrade() -> None:
    # The column and what it holds are kept, as 0005, 0006 and 0008 keep theirs: the facts of
    # the dispenses written since hash it, and dropping it would make them fail to verify.
    pass
