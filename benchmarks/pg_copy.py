"""Copies a generated SQLite site into a fresh PostgreSQL database, row for row.

Part of the benchmarks' bulk path (see bench_verify.Generator): the PostgreSQL site is a copy of
exactly the rows the SQLite site holds, so that the two engines are measured on the same
records. The PostgreSQL database is created by the program's own migrations (db/migrate), so
its schema, constraints and append-only triggers are the program's; then every table is copied
in foreign-key order with COPY (rows read through SQLAlchemy Core, so each value arrives as the
Python type the program reads and writes: dates, aware UTC datetimes, booleans), the rows the
migrations seeded (the chain head, the schema version) replaced by the site's, and each id
sequence set past the highest id. The append-only triggers refuse UPDATE and DELETE only, so
COPY (an INSERT) goes through them. `audit verify` on the copy checks the result: every hash of
both chains and every fact row is recomputed from the PostgreSQL rows.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from dispensary.db import migrate
from dispensary.db.models import Base

BATCH = 20_000


def server_url(url: str, database: str) -> str:
    """The same server's URL for another database."""
    return make_url(url).set(database=database).render_as_string(hide_password=False)


@contextmanager
def autocommit(url: str) -> Iterator[Any]:
    """A connection to the server's maintenance database, for CREATE and DROP DATABASE."""
    engine = create_engine(server_url(url, "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def exists(url: str, name: str) -> bool:
    with autocommit(url) as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        return found.first() is not None


def drop(url: str, name: str) -> None:
    with autocommit(url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def clone(url: str, template: str, name: str) -> str:
    """A copy of database `template` (CREATE DATABASE ... TEMPLATE: a file copy on the server);
    returns its URL."""
    with autocommit(url) as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return server_url(url, name)


def copy_site(sqlite_path: str, url: str, name: str) -> tuple[str, dict[str, int]]:
    """Creates database `name` on the server of `url` with the program's migrations, copies
    every row of the SQLite site into it, and returns its URL and the rows copied per table."""
    drop(url, name)
    with autocommit(url) as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    target_url = server_url(url, name)
    target = create_engine(target_url)
    source = create_engine(f"sqlite:///{sqlite_path}")
    copied: dict[str, int] = {}
    try:
        migrate.upgrade(target)
        copied = _copy_rows(source, target)
        # A database that grew over years has its planner statistics from autovacuum; a bulk
        # copy has none until autovacuum gets to it, and the planner then guesses table sizes
        # (a join over dispense_kits planned as if it were empty). Measured as on a site in use.
        with target.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    finally:
        source.dispose()
        target.dispose()
    return target_url, copied


def _copy_rows(source: Engine, target: Engine) -> dict[str, int]:
    copied: dict[str, int] = {}
    raw = target.raw_connection()
    try:
        cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
        cursor.execute("SET TimeZone = 'UTC'")
        tables = Base.metadata.sorted_tables
        # The rows the migrations seeded give way to the site's (children first).
        for table in reversed(tables):
            cursor.execute(f"DELETE FROM {table.name}")
        with source.connect() as conn:
            for table in tables:
                started = time.perf_counter()
                names = [c.name for c in table.columns]
                count = 0
                statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    result = conn.execution_options(yield_per=BATCH).execute(select(table))
                    for partition in result.partitions():
                        for row in partition:
                            copy.write_row(tuple(row))
                        count += len(partition)
                copied[table.name] = count
                if "id" in names and table.c.id.autoincrement in (True, "auto"):
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)",
                        (table.name,),
                    )
                if count > 100_000:
                    took = time.perf_counter() - started
                    print(f"  copied {count:,} rows of {table.name} in {took:.0f} s", flush=True)
        raw.commit()
    finally:
        raw.close()
    return copied
