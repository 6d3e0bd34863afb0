"""Edits behind the program's back, made as someone who holds the database file (or the
PostgreSQL owner's role) would make them: the database refuses to change or delete a record of
what happened (migration 0004's append-only triggers), so the tamperer first drops the
triggers (disables them, on PostgreSQL), makes the edit, and puts them back in the same
transaction, leaving a schema that looks untouched. Only `audit verify` can tell.

`with triggers_dropped(sqlite3_connection):` for the sqlite3 module on a file (committed on
leaving), `with triggers_off(sqlalchemy_connection):` inside a SQLAlchemy transaction (SQLite or
PostgreSQL). `sqlite3_edit(path, ...)` and `psql_edit(url, ...)` make an edit with the sqlite3
module or the `psql` command-line client and return the database's refusal, if any.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.engine import make_url

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


def edit_file(path: object, *statements: str, **params: object) -> None:
    """Runs the statements on the SQLite file with its triggers dropped (see triggers_dropped).
    The sqlite3 module leaves foreign keys unenforced, as a database tool does."""
    conn = sqlite3.connect(str(path))
    try:
        with triggers_dropped(conn):
            for statement in statements:
                conn.execute(statement, params)
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
    # A superuser's edit: foreign keys unenforced too (as the sqlite3 module leaves them).
    conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
    yield conn
    conn.exec_driver_sql("SET LOCAL session_replication_role = origin")
    for table in tables:
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def sqlite3_edit(
    path: object, *statements: str, keep_triggers: bool = False, foreign_keys: bool = False
) -> str | None:
    """Runs the statements on the SQLite file with the sqlite3 module, in one transaction: the
    triggers dropped first and put back (kept in place with `keep_triggers`), foreign keys
    unenforced as the module leaves them (enforced with `foreign_keys`, as some database tools
    do). Returns the database's refusal (nothing is then changed), or None once committed."""
    conn = sqlite3.connect(str(path))
    try:
        if foreign_keys:
            conn.execute("PRAGMA foreign_keys = ON")
        try:
            if keep_triggers:
                conn.execute("BEGIN IMMEDIATE")
                for statement in statements:
                    conn.execute(statement)
                conn.commit()
            else:
                with triggers_dropped(conn):
                    for statement in statements:
                        conn.execute(statement)
        except sqlite3.DatabaseError as exc:  # a deferred key fails at COMMIT: rolled back
            if conn.in_transaction:
                conn.rollback()
            return str(exc)
        return None
    finally:
        conn.close()


def psql_path() -> str | None:
    """The psql client: on the PATH, or PostgreSQL's own bin folder on Debian."""
    found = shutil.which("psql")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"), reverse=True)
    return str(candidates[0]) if candidates else None


_PG_TRIGGERS = f"""DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_proc p ON p.oid = g.tgfoid
             JOIN pg_class c ON c.oid = g.tgrelid WHERE p.proname = '{PG_FUNCTION}' LOOP
        EXECUTE format('ALTER TABLE %I {{verb}} TRIGGER USER', t);
    END LOOP;
END $$;"""


def psql_script(
    statements: tuple[str, ...] | list[str], keep_triggers: bool = False, foreign_keys: bool = False
) -> str:
    """What the owner of the database types into psql: one transaction, the append-only
    triggers disabled and foreign keys off (session_replication_role, a superuser's setting)
    for the edit, then put back, unless kept."""
    lines = ["BEGIN;"]
    if not keep_triggers:
        lines.append(_PG_TRIGGERS.format(verb="DISABLE"))
        if foreign_keys:  # a deferred key checked at once: ENABLE refuses pending checks
            lines.append("SET CONSTRAINTS ALL IMMEDIATE;")
        else:
            lines.append("SET LOCAL session_replication_role = replica;")
    lines.extend(f"{statement.rstrip().rstrip(';')};" for statement in statements)
    if not keep_triggers:
        if not foreign_keys:
            lines.append("SET LOCAL session_replication_role = origin;")
        lines.append(_PG_TRIGGERS.format(verb="ENABLE"))
    lines.append("COMMIT;")
    return "\n".join(lines) + "\n"


def psql_edit(
    url: str, *statements: str, keep_triggers: bool = False, foreign_keys: bool = False
) -> str | None:
    """Runs the statements with the psql client on the database of the SQLAlchemy `url`
    (host, port, user, password, database), in one transaction (see psql_script). Returns the
    server's refusal (psql stops at the first error; the transaction is rolled back), or None
    once committed."""
    client = psql_path()
    if client is None:
        raise FileNotFoundError("psql is not installed")
    target = make_url(url)
    env = dict(os.environ)
    if target.password:
        env["PGPASSWORD"] = str(target.password)
    command = [client, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", str(target.database)]
    command += ["-h", target.host or "localhost", "-p", str(target.port or 5432)]
    if target.username:
        command += ["-U", target.username]
    done = subprocess.run(
        command,
        input=psql_script(statements, keep_triggers, foreign_keys),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if done.returncode == 0:
        return None
    return done.stderr.strip() or f"psql exited with {done.returncode}"


def lose_index_rows(db: Path | str) -> None:
    """Damage that only the full integrity check sees: the index that finds a kit by its
    number no longer matches the kits table (as after a torn write of its pages), while every
    page still reads; `PRAGMA quick_check` passes, and a kit looked up through the index is
    not found."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA writable_schema=ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_kits_study_number ON kits "
            "(study_id, product)' WHERE name = 'ix_kits_study_number'"
        )
        conn.commit()
    finally:
        conn.close()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA quick_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA integrity_check").fetchone() != ("ok",)
    finally:
        conn.close()


def schema_name_not_text(db: Path | str, table: str = "audit_entries") -> None:
    """Damage whose SQLite message is not text: the high bit of each byte of a table's name,
    where the schema (sqlite_master) stores it, flipped, as a disk's bad block leaves bytes.
    SQLite then says "malformed database schema (<those bytes>)", which the sqlite3 module
    cannot decode (UnicodeDecodeError, not a DatabaseError). The same bytes every time, unlike
    random blocks, whose message is text or not by chance. The file must hold no -wal."""
    path = Path(db)
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    data = bytearray(path.read_bytes())
    record = b"table" + table.encode() * 2  # sqlite_master's type, name and tbl_name
    at = data.find(record)
    assert at > 0, f"no schema record of {table}"
    for i in range(at + len(b"table"), at + len(record)):
        data[i] ^= 0x80
    path.write_bytes(bytes(data))
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA quick_check")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("the schema's damage reads as text")
    finally:
        conn.close()
