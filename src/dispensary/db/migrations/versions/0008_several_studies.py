"""several studies: kits and participants belong to a study; users are given access to studies

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-04 09:00:00

- `kits.study_id`, `participants.study_id`: set on every row there is to the database's one
  study (both tables hold projections that change in place, so the rows' new content is listed
  by this revision's `facts_baseline` entry, as 0005's is: `audit verify` checks them from it);
- participant numbers are unique within a study, not the database (SQLite rebuilds the table,
  with foreign keys off: db/migrate.upgrade);
- `rule_confirmations.study_id`, `reconciliation_signoffs.study_id`: records of what happened
  are never updated, so older rows keep NULL, which means the first study (models.FIRST_STUDY);
  a confirmation is unique per study, rule and source (SQLite rebuilds the table, its
  append-only triggers put back);
- `study.version`, `closed_at`, `closed_reason`: amendments are counted, a study can be closed;
- `study_access`: append-only, which studies a user may reach; every user there is gets the
  database's study (`by_id` NULL: the upgrade).

The downgrade keeps the columns, the table and what they hold, as 0005 and 0006 do: dropping
them would change the hashes written since.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import import_module

import sqlalchemy as sa
from alembic import op

import dispensary.db.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ACCESS = "study_access"
REASON = "upgrade: the database's one study is the study of its kits, participants and users"


def _columns(table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _add_study_id(table: str, index: bool) -> None:
    """SQLite adds the reference with its column in one ALTER (a copy would meet triggers)."""
    if "study_id" in _columns(table):  # kept by a downgrade
        return
    fk = f"fk_{table}_study_id_study"
    if _sqlite():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN study_id INTEGER CONSTRAINT {fk} REFERENCES study (id)"
        )
    else:
        op.add_column(table, sa.Column("study_id", sa.Integer(), nullable=True))
        op.create_foreign_key(fk, table, "study", ["study_id"], ["id"])
    if index:
        op.create_index(f"ix_{table}_study_id", table, ["study_id"])


def _unique_columns(table: str, name: str) -> list[str]:
    for unique in sa.inspect(op.get_bind()).get_unique_constraints(table):
        if unique["name"] == name:
            return list(unique["column_names"])
    return []


def _per_study_unique(table: str, name: str, columns: list[str], triggered: bool) -> None:
    """The unique constraint `name` over `columns` (study_id first) in place of the old one."""
    if _unique_columns(table, name) == columns:
        return
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    if not _sqlite():
        op.drop_constraint(name, table, type_="unique")
        op.create_unique_constraint(name, table, columns)
        return
    if triggered:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
    with op.batch_alter_table(table, recreate="always") as batch:
        batch.drop_constraint(name, type_="unique")
        batch.create_unique_constraint(name, columns)
    if triggered:
        for statement in append_only.sqlite_triggers(table):
            op.execute(statement)


def upgrade() -> None:
    bind = op.get_bind()
    for column, kind in (
        ("version", sa.Integer()),
        ("closed_at", dispensary.db.models.UTCDateTime(timezone=True)),
        ("closed_reason", sa.Text()),
    ):
        if column not in _columns("study"):
            op.add_column("study", sa.Column(column, kind, nullable=True))
    _add_study_id("kits", index=True)
    _add_study_id("participants", index=True)
    _add_study_id("rule_confirmations", index=False)
    _add_study_id("reconciliation_signoffs", index=False)
    _per_study_unique(
        "participants", "uq_participants_study_number", ["study_id", "study_number"], False
    )
    _per_study_unique(
        "rule_confirmations", "uq_rule_confirmations_rule", ["study_id", "rule", "source"], True
    )
    if ACCESS not in sa.inspect(bind).get_table_names():
        op.create_table(
            ACCESS,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("study_id", sa.Integer(), nullable=False),
            sa.Column("granted", sa.Boolean(), nullable=False),
            sa.Column("reason", sa.Text(), nullable=False),
            sa.Column("by_id", sa.Integer(), nullable=True),
            sa.Column("at", dispensary.db.models.UTCDateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["by_id"], ["users.id"], name=op.f("fk_study_access_by_id_users")
            ),
            sa.ForeignKeyConstraint(
                ["study_id"], ["study.id"], name=op.f("fk_study_access_study_id_study")
            ),
            sa.ForeignKeyConstraint(
                ["user_id"], ["users.id"], name=op.f("fk_study_access_user_id_users")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f("pk_study_access")),
        )
        op.create_index(op.f("ix_study_access_user_id"), ACCESS, ["user_id"])
    append_only = import_module("dispensary.db.migrations.versions.0004_append_only")
    _drop_triggers()
    for statement in (
        append_only.sqlite_triggers(ACCESS) if _sqlite() else append_only.pg_triggers(ACCESS)
    ):
        op.execute(statement)
    _one_study(bind)


def _one_study(bind: sa.Connection) -> None:
    """The database's one study becomes the study of everything there is (nothing to do in a
    database being created: the study is stored after the migrations)."""
    study = bind.execute(sa.text("SELECT min(id) FROM study")).scalar()
    if study is None:
        return
    amended = bind.execute(
        sa.text("SELECT count(*) FROM audit_entries WHERE action = 'study_updated'")
    ).scalar()
    bind.execute(
        sa.text("UPDATE study SET version = :v WHERE id = :id AND version IS NULL"),
        {"v": 1 + int(amended or 0), "id": study},
    )
    for table in ("kits", "participants"):
        bind.execute(
            sa.text(f"UPDATE {table} SET study_id = :id WHERE study_id IS NULL"), {"id": study}
        )
    given = {int(u) for (u,) in bind.execute(sa.text(f"SELECT user_id FROM {ACCESS}"))}
    at = bind.execute(sa.text("SELECT max(at) FROM audit_entries")).scalar()
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    if not isinstance(when, datetime):
        when = datetime.now(UTC)
    elif when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    access = sa.table(
        ACCESS,
        sa.column("id", sa.Integer()),
        sa.column("user_id", sa.Integer()),
        sa.column("study_id", sa.Integer()),
        sa.column("granted", sa.Boolean()),
        sa.column("reason", sa.Text()),
        sa.column("by_id", sa.Integer()),
        sa.column("at", dispensary.db.models.UTCDateTime(timezone=True)),
    )
    next_id = int(bind.execute(sa.text(f"SELECT coalesce(max(id), 0) FROM {ACCESS}")).scalar() or 0)
    for (user,) in bind.execute(sa.text("SELECT id FROM users ORDER BY id")).all():
        if int(user) in given:
            continue
        next_id += 1
        bind.execute(
            sa.insert(access).values(
                id=next_id,
                user_id=int(user),
                study_id=study,
                granted=True,
                reason=REASON,
                by_id=None,
                at=when,
            )
        )
    baseline = import_module("dispensary.db.migrations.versions.0005_facts_in_chain")
    baseline.baseline(bind, revision, REASON)


def _drop_triggers() -> None:
    if _sqlite():
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {ACCESS}_no_{verb}")
    else:
        for name in ("no_update_or_delete", "no_truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {ACCESS}_{name} ON {ACCESS}")


def downgrade() -> None:
    """Takes off `study_access`'s triggers (as 0004's downgrade does for its tables) and keeps
    the table, the columns and what they hold: dropping them would change what the audit
    entries written since list. Upgrading again finds them."""
    _drop_triggers()
