"""append only: the database itself refuses to change or delete a record of what happened

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-16 10:00:00

Every table of a record of what happened gets triggers that refuse an UPDATE or a DELETE,
whatever sends it (the program's guards, db.guards, refuse them before any SQL is sent; these
catch a database tool, another program, text SQL):

- SQLite: `<table>_no_update` and `<table>_no_delete`, BEFORE UPDATE / BEFORE DELETE, each
  `SELECT RAISE(ABORT, '<table> is append-only: ...')` (SQLITE_CONSTRAINT_TRIGGER);
- PostgreSQL: one function, `dispensary_append_only()`, raising '<table> is append-only: ...'
  (SQLSTATE P0001), called by `<table>_no_update_or_delete` (BEFORE UPDATE OR DELETE, FOR EACH
  ROW) and `<table>_no_truncate` (BEFORE TRUNCATE, FOR EACH STATEMENT).

db.faults turns either error into `AppendOnly`. The list of tables is written out here, as the
schema of this revision (models.APPEND_ONLY must name the same: tests/services/
test_append_only.py). A later migration that rebuilds one of these tables (SQLite's batch mode
copies it and drops the old one, its triggers with it) must create its triggers again.
"""

from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "ledger_entries",
    "audit_entries",
    "signatures",
    "dispenses",
    "dispense_kits",
    "dispense_voids",
    "returns",
    "adherence_notes",
    "physical_counts",
    "destructions",
    "quarantine_events",
    "reconciliation_signoffs",
    "shipments",
    "excursions",
)
WORDS = "is append-only: record a correction that names the entry"
FUNCTION = "dispensary_append_only"

PG_FUNCTION = f"""
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    RAISE EXCEPTION '% {WORDS}', TG_TABLE_NAME
        USING ERRCODE = 'P0001', DETAIL = TG_OP || ' of a record of what happened refused';
END;
$body$
"""


SQLITE_VERBS = ("UPDATE", "DELETE")


def trigger_names(table: str, sqlite: bool) -> tuple[str, ...]:
    """The names of the triggers sqlite_triggers / pg_triggers create on `table`: what the
    schema must hold for each append-only table (db.protection checks them at each opening)."""
    if sqlite:
        return tuple(f"{table}_no_{verb.lower()}" for verb in SQLITE_VERBS)
    return (f"{table}_no_update_or_delete", f"{table}_no_truncate")


def sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} {WORDS}'); END"
        for name, verb in zip(trigger_names(table, True), SQLITE_VERBS, strict=True)
    ]


def pg_triggers(table: str) -> list[str]:
    row, statement = trigger_names(table, False)
    return [
        f"CREATE TRIGGER {row} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE TRIGGER {statement} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
    ]


def upgrade() -> None:
    from alembic import op  # here, not above: db.protection reads this file on the way to the GUI

    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        op.execute(PG_FUNCTION)
    for table in TABLES:
        for statement in sqlite_triggers(table) if sqlite else pg_triggers(table):
            op.execute(statement)


def downgrade() -> None:
    from alembic import op

    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in TABLES:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_or_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    if not sqlite:
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
