"""user language: the language of the windows, chosen at sign-in and kept with the user

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-31 09:00:00

A column last in `users` (db/facts.py: older rows keep their hashes, their NULL trimmed).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=10), nullable=True))


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35 and later): a batch copy of `users` would break the
    # foreign keys of every table that names a user.
    op.drop_column("users", "language")
