"""a rule's confirmation covers the text it confirmed, not only its source

Revision ID: 0019
Revises: 0018
Create Date: 2027-03-09 09:00:00

A confirmation of a study-file rule was matched on the rule and its source alone: a study file
updated with the rule's text changed (the Chinese label's directions reworded), its source kept,
kept the rule confirmed, and the labels printed the new, unchecked words. A confirmation now
records the SHA-256 of what the rule said (`rule_confirmations.digest`, dispensary.study.
rule_digest), and covers that text only: a rule whose text changes is to confirm again, and
confirmed again by a new row (the unique constraint `uq_rule_confirmations_digest` over study,
rule, source and digest, in place of `uq_rule_confirmations_rule` over study, rule and source).

The confirmations made before keep NULL in the new column: a confirmation is a record of what
happened (append-only, 0004), and its fact's hash leaves out a trailing NULL (db/facts.py), so
the audit trail verifies as it did. Such a confirmation covers the text of the study file in
force when it was made, as the study's versions in the audit trail establish it (services.
studies.confirmed_rules); one whose file cannot be established covers nothing (to confirm).

SQLite rebuilds the table (batch mode) to change the constraint, its append-only triggers taken
off before and put back after. PostgreSQL alters it in place.

The downgrade puts the old constraint back where the confirmations allow it (no rule confirmed
twice for one source: a release before this one confirms a rule once per source) and keeps the
column and what it holds, as 0005, 0006, 0008, 0017 and 0018 keep theirs: the facts of the
confirmations made since hash it.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLE = "rule_confirmations"
OLD = "uq_rule_confirmations_rule"
OLD_COLUMNS = ["study_id", "rule", "source"]
NEW = "uq_rule_confirmations_digest"
NEW_COLUMNS = ["study_id", "rule", "source", "digest"]


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}


def _uniques() -> dict[str | None, list[str]]:
    return {
        u["name"]: list(u["column_names"])
        for u in sa.inspect(op.get_bind()).get_unique_constraints(TABLE)
    }


def _alter(add_column: bool, drop: str | None, create: tuple[str, list[str]] | None) -> None:
    """The column added, a unique constraint dropped and one created (SQLite: the table
    rebuilt, its append-only triggers off meanwhile)."""
    if op.get_bind().dialect.name != "sqlite":
        if add_column:
            op.add_column(TABLE, sa.Column("digest", sa.String(length=64), nullable=True))
        if drop is not None:
            op.drop_constraint(drop, TABLE, type_="unique")
        if create is not None:
            op.create_unique_constraint(create[0], TABLE, create[1])
        return
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    for verb in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")
    with op.batch_alter_table(TABLE, recreate="always") as batch:
        if add_column:
            batch.add_column(sa.Column("digest", sa.String(length=64), nullable=True))
        if drop is not None:
            batch.drop_constraint(drop, type_="unique")
        if create is not None:
            batch.create_unique_constraint(create[0], create[1])
    for statement in append_only.sqlite_triggers(TABLE):
        op.execute(statement)


def upgrade() -> None:
    uniques = _uniques()
    has_column = "digest" in _columns()
    if has_column and uniques.get(NEW) == NEW_COLUMNS and OLD not in uniques:
        return  # upgraded before, kept by a downgrade that could not put the old one back
    _alter(
        not has_column,
        OLD if OLD in uniques else None,
        (NEW, NEW_COLUMNS) if NEW not in uniques else None,
    )


def downgrade() -> None:
    # The column and what it holds are kept (see above); the old constraint comes back unless a
    # rule was confirmed again for its source (its text changed), which it would refuse.
    twice = op.get_bind().execute(
        sa.text(
            f"SELECT 1 FROM {TABLE} GROUP BY study_id, rule, source HAVING count(*) > 1 LIMIT 1"
        )
    )
    if twice.first() is not None or OLD in _uniques():
        return
    _alter(False, NEW if NEW in _uniques() else None, (OLD, OLD_COLUMNS))
