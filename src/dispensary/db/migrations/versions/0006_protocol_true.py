"""protocol true: the columns issue 12 adds (quantities and returns; destruction controls)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-30 10:00:00

Each part adds its own columns; a column a fact table gains goes last in its model (db/facts.py:
the trailing NULLs of older rows are left out of their hashes, which stay as they were).
"""

from __future__ import annotations

from importlib import import_module

from alembic import op

TRIGGERED = "rule_confirmations"
"""The table this revision adds to the append-only records (0004's triggers)."""

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _quantities_upgrade()
    _destruction_upgrade()


def downgrade() -> None:
    _destruction_downgrade()
    _quantities_downgrade()


# -- quantities, returns and rules (issue 12) ---------------------------------------------------


def _quantities_upgrade() -> None:
    """Returns gain their outcome and the held period; a table records confirmed rules."""
    import sqlalchemy as sa

    import dispensary.db.models

    op.add_column("returns", sa.Column("outcome", sa.String(length=20), nullable=True))
    op.add_column("returns", sa.Column("held_from", sa.Date(), nullable=True))
    op.add_column("returns", sa.Column("held_until", sa.Date(), nullable=True))
    op.add_column("returns", sa.Column("held_ordered_by", sa.String(length=120), nullable=True))
    op.create_table(
        "rule_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", dispensary.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"],
            ["users.id"],
            name=op.f("fk_rule_confirmations_confirmed_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rule_confirmations")),
        sa.UniqueConstraint("rule", "source", name=op.f("uq_rule_confirmations_rule")),
    )
    # A confirmation is a record of what happened: append-only, as 0004's tables.
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in (
        append_only.sqlite_triggers(TRIGGERED) if sqlite else append_only.pg_triggers(TRIGGERED)
    ):
        op.execute(statement)


def _quantities_downgrade() -> None:
    op.drop_table("rule_confirmations")  # its triggers go with it
    for column in ("held_ordered_by", "held_until", "held_from", "outcome"):
        op.drop_column("returns", column)


# -- destruction controls (issue 12) ------------------------------------------------------------


_WITNESS_FK = "fk_destructions_witness_id_users"


def _destruction_upgrade() -> None:
    """`destructions.witness_id` (the witness, a user who signed) and `reason_code` (why stock
    still in date leaves: domain/codes.DestructionReason). Older rows keep the witness's name as
    typed, with both NULL (their hashes leave trailing NULLs out). SQLite adds the reference
    with its column in one ALTER: copying the table would meet the append-only triggers."""
    import sqlalchemy as sa

    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("destructions")}
    if "witness_id" not in present:  # else kept by a downgrade (see there)
        if op.get_bind().dialect.name == "sqlite":
            op.execute(
                f"ALTER TABLE destructions ADD COLUMN witness_id INTEGER CONSTRAINT {_WITNESS_FK} "
                "REFERENCES users (id)"
            )
        else:
            op.add_column("destructions", sa.Column("witness_id", sa.Integer(), nullable=True))
            op.create_foreign_key(_WITNESS_FK, "destructions", "users", ["witness_id"], ["id"])
    if "reason_code" not in present:
        op.add_column("destructions", sa.Column("reason_code", sa.String(30), nullable=True))


def _destruction_downgrade() -> None:
    """Keeps both columns and what they hold, as 0005 does: dropping them would change the hash
    of every destruction written since, and the program before 0006 leaves them NULL. Upgrading
    again finds them."""
