"""Edits behind the program's back, made as someone who holds the database file (or the
PostgreSQL owner's role) would make them: the database refuses to change or delete a record of
what happened (migration 0004's append-only triggers), so the tamperer first drops the
triggers (disables them, on PostgreSQL), makes the edit, and puts them back in the same
transaction, leaving a schema that looks untouched. Only `audit verify` can tell.

`with triggers_dropped(sqlite3_connection):` for the sqlite3 module on a file (committed on
leaving), `with triggers_off(sqlalchemy_connection):` inside a SQLAlchemy transaction (SQLite or
PostgreSQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

PG_FUNCTION = "dispensary_append_only"
_SQLITE_TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"


@contextmanager
def triggers_dropped(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The edits made inside run with the file's triggers dropped; they are created again and
    everything committed in one transaction on leaving (rolled back on an error)."""
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        triggers = conn.execute(_SQLITE_TRIGGERS).fetchall()
        for name, _sql in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        yield conn
        for _name, sql in triggers:
            conn.execute(sql)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()


def edit_file(path: object, *statements: str) -> None:
    """Runs the statements on the SQLite file with its triggers dropped (see triggers_dropped)."""
    conn = sqlite3.connect(str(path))
    try:
        with triggers_dropped(conn):
            for statement in statements:
                conn.execute(statement)
    finally:
        conn.close()


@contextmanager
def triggers_off(conn: Connection) -> Iterator[Connection]:
    """Inside the connection's transaction: the append-only triggers dropped (SQLite) or
    disabled (PostgreSQL) for the edits made inside, then put back."""
    if conn.dialect.name == "sqlite":
        triggers = list(conn.exec_driver_sql(_SQLITE_TRIGGERS))
        for name, _sql in triggers:
            conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield conn
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)
        return
    tables = [
        table
        for (table,) in conn.exec_driver_sql(
            "SELECT DISTINCT t.tgrelid::regclass::text FROM pg_trigger t "
            f"JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = '{PG_FUNCTION}'"
        )
    ]
    for table in tables:
        conn.exec_driver_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
    yield conn
    for table in tables:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
