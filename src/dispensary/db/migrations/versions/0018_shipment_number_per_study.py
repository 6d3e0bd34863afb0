"""a shipment number is unique within its study, not the pharmacy

Revision ID: 0018
Revises: 0017
Create Date: 2027-03-02 09:00:00

Two sponsors, each with a study in the pharmacy, may both number a delivery SH1: the second
could not be received (`shipments.number` was unique in the database). A shipment now records
the study it was received for (`shipments.study_id`, a reference to `study`), and its number is
unique within that study (`uq_shipments_study_number` over study_id and number, in place of
`uq_shipments_number`).

The shipments received before keep NULL in the new column: a shipment is a record of what
happened (append-only, 0004), and its fact's hash leaves out a trailing NULL (db/facts.py), so
the audit trail verifies as it did; such a shipment is the study of its kits, as it always was
(services.common.shipments_of reads both). Their numbers were unique in the pharmacy, so unique
in each study too.

SQLite rebuilds the table (batch mode) to drop the old constraint, its append-only triggers
taken off before and put back after, with foreign keys off (db/migrate.upgrade: kits refer to
shipments). PostgreSQL alters it in place.

The downgrade keeps the column, what it holds and the per-study constraint, as 0005, 0006, 0008
and 0017 keep theirs: the facts of the shipments received since hash the column. A release
before this one checks a new shipment number against every shipment of the pharmacy, so it
records no number twice.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLE = "shipments"
OLD = "uq_shipments_number"
NEW = "uq_shipments_study_number"
FK = "fk_shipments_study_id_study"


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}


def _uniques() -> dict[str | None, list[str]]:
    return {
        u["name"]: list(u["column_names"])
        for u in sa.inspect(op.get_bind()).get_unique_constraints(TABLE)
    }


def upgrade() -> None:
    uniques = _uniques()
    has_column = "study_id" in _columns()
    if has_column and uniques.get(NEW) == ["study_id", "number"] and OLD not in uniques:
        return  # upgraded before, kept by a downgrade
    if op.get_bind().dialect.name != "sqlite":
        if not has_column:
            op.add_column(TABLE, sa.Column("study_id", sa.Integer(), nullable=True))
            op.create_foreign_key(FK, TABLE, "study", ["study_id"], ["id"])
        if OLD in uniques:
            op.drop_constraint(OLD, TABLE, type_="unique")
        if NEW not in uniques:
            op.create_unique_constraint(NEW, TABLE, ["study_id", "number"])
        return
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")
    with op.batch_alter_table(TABLE, recreate="always") as batch:
        if not has_column:
            batch.add_column(sa.Column("study_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(FK, "study", ["study_id"], ["id"])
        if OLD in uniques:
            batch.drop_constraint(OLD, type_="unique")
        if NEW not in uniques:
            batch.create_unique_constraint(NEW, ["study_id", "number"])
    for statement in append_only.sqlite_triggers(TABLE):
        op.execute(statement)


def downgrade() -> None:
    # The column, what it holds and the per-study constraint are kept (see above).
    pass
