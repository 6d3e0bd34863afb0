"""Engine and transactions for SQLite (default) and PostgreSQL (several workstations).

Every write transaction is serialised: SQLite takes its write lock at BEGIN (BEGIN IMMEDIATE),
PostgreSQL locks the single chain-head row. So two workstations can never hand out the same kit,
and the audit chain never forks.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from dispensary.db.models import ChainHead
from dispensary.domain.errors import DatabaseProblem

BUSY_TIMEOUT_MS = 15_000


def url_for(db: str) -> str:
    """A bare path means a SQLite file; anything with '://' is a SQLAlchemy URL."""
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(db: str) -> Engine:
    url = url_for(db)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseProblem(
            f"'{db}' is neither a file path nor a database URL "
            "(e.g. postgresql+psycopg://user@host/dispensary)."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # We issue BEGIN ourselves, so that write transactions take the lock at once.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Session]:
    """One workflow step: commits on success, rolls back on any exception."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if not is_sqlite(engine):
            _lock_chain_head(session)
        yield session


def _lock_chain_head(session: Session) -> None:
    """Locks the one chain-head row, creating it on the very first write: of two first writers
    at once, the second waits for the first's row (ON CONFLICT DO NOTHING), then locks it."""
    locked = select(ChainHead).where(ChainHead.id == 1).with_for_update()
    if session.execute(locked).first() is not None:
        return
    genesis = "0" * 64
    session.execute(
        pg_insert(ChainHead)
        .values(id=1, audit_hash=genesis, audit_count=0, ledger_hash=genesis, ledger_count=0)
        .on_conflict_do_nothing(index_elements=[ChainHead.id])
    )
    session.execute(locked)


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Session]:
    """A consistent snapshot for screens and reports; never takes the write lock."""
    bind = engine.execution_options(sqlite_begin="DEFERRED") if is_sqlite(engine) else engine
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


def restrict_file(path: Path) -> None:
    """The database holds study data: readable by its owner only."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists() and os.name == "posix":
            candidate.chmod(0o600)
