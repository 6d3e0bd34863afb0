"""Engine and transactions for SQLite (default) and PostgreSQL (several workstations).

Every write transaction is serialised: SQLite takes its write lock at BEGIN (BEGIN IMMEDIATE, in
`write_transaction` and migrations only), PostgreSQL locks the single chain-head row. So two
workstations can never hand out the same kit, and the audit chain never forks. Everything else
reads without the write lock (BEGIN DEFERRED: in WAL mode a reader never waits for a writer), so
opening the database and reading go on while another workstation is writing.

A fault of the disk, the file, the lock or the server comes out of a transaction as the
`DatabaseProblem` that names it (see db.faults), the transaction rolled back: nothing written.

A SQLite file this account may not write (a read-only disk, file or folder: an inspector's copy
on a CD) is opened read-only (`make_engine(db, read_only=kind)`): SQLite reads it without
writing a byte, nor creating a -wal or -shm file beside it, and every write transaction is
refused before it begins (`read_only_refusal`).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import URL, Engine, create_engine, event, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from dispensary.db.faults import (
    ReadOnlyKind,
    dbapi_fault,
    read_only_refusal,
    sqlite_fault,
    unread_wal_refusal,
)
from dispensary.db.models import ChainHead
from dispensary.domain.errors import DatabaseProblem, ReadOnlyDatabase
from dispensary.files import NOTHING_CHANGED, NOTHING_SAVED, shown, with_detail
from dispensary.i18n import N_, _

# How long a writer waits for another workstation's write to finish before it is told the
# database is busy (SQLite's busy timeout; PostgreSQL's lock_timeout).
BUSY_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 10
"""How long a workstation waits for the PostgreSQL server to answer a connection, unless the
URL gives its own `connect_timeout`: without it a server that takes the connection but never
answers (hung, or behind a firewall that drops its replies) held the window or the command
for ever; after it the pharmacist is told the server cannot be reached."""
ACCEPTED = N_(
    "a database file path (e.g. ~/pharmacy/dispensary.sqlite3) or a PostgreSQL URL "
    "(e.g. postgresql+psycopg://user@server/dispensary)"
)
"""What a database may be, said after each refusal of one (translated where it is said)."""


def url_for(db: str) -> str:
    """A bare path means a SQLite file; anything with '://' is a SQLAlchemy URL."""
    if "://" in db:
        return db
    if db.startswith("file:"):  # SQLite's URI form, "file:pharmacy.sqlite3?mode=ro"
        return f"sqlite:///{db}"
    try:
        path = Path(db).expanduser().resolve()
    except (OSError, RuntimeError):  # a path over the system's limit, an unknown ~user
        path = Path(os.path.abspath(db))
    return f"sqlite:///{path}"


def sqlite_path(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def display_name(url: URL) -> str:
    """How messages name a database: a SQLite file by its path, a server URL without password."""
    if url.get_backend_name() == "sqlite" and url.database:
        return url.database
    return url.render_as_string(hide_password=True)


def checked_url(db: str) -> URL:
    """The URL of `db` if this program can keep its records there (a SQLite file, a PostgreSQL
    database); otherwise a DatabaseProblem that says what is accepted."""
    try:
        url = make_url(url_for(db))
    except ArgumentError as exc:
        raise DatabaseProblem(
            _("'{db}' is neither a file path nor a database URL. Give {accepted}.").format(
                db=shown(db), accepted=_(ACCEPTED)
            )
        ) from exc
    if url.drivername in ("postgresql", "postgres"):
        # A plain postgresql:// (as psql and the server's documentation write it) means the
        # driver this program ships (psycopg 3), not SQLAlchemy's default psycopg2.
        url = url.set(drivername="postgresql+psycopg")
    backend = url.get_backend_name()
    if backend == "sqlite" and (url.query or (url.database or "").startswith("file:")):
        # SQLite's own URI form and its options were taken for a file named "file:..." or
        # dropped without a word: "?mode=ro" opened the database for writing all the same.
        raise DatabaseProblem(
            _(
                "'{db}' is a SQLite URI with options: Dispensary takes a SQLite database by its "
                "file path alone. Give {accepted}. To read a database with nothing written, "
                "give a copy, or a file this account may only read (it is then opened "
                "read-only)."
            ).format(db=shown(db), accepted=_(ACCEPTED))
        )
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise DatabaseProblem(
                _(
                    "'{db}' names no database file (a database in memory keeps nothing). Give "
                    "{accepted}."
                ).format(db=shown(db), accepted=_(ACCEPTED))
            )
    elif backend != "postgresql":
        raise DatabaseProblem(
            _(
                "'{db}' is a {backend} URL, but Dispensary keeps its records in a SQLite file or "
                "a PostgreSQL database. Give {accepted}."
            ).format(db=shown(display_name(url)), backend=backend, accepted=_(ACCEPTED))
        )
    return url


@dataclass(frozen=True)
class ReadOnly:
    """How a database this account may not write was opened: why, and the URI SQLite reads
    it through."""

    kind: ReadOnlyKind
    uri: str


_read_only: WeakKeyDictionary[Engine, ReadOnly] = WeakKeyDictionary()
"""The engines opened read-only (make_engine's `read_only`)."""


def read_only(engine: Engine) -> ReadOnly | None:
    """How the database of `engine` was opened read-only, or None when it may be written."""
    return _read_only.get(engine)


def read_only_uri(path: Path, kind: ReadOnlyKind) -> str:
    """The URI SQLite reads a database through without writing anything, nor creating a file
    beside it. Without records in a -wal file (a database closed, a backup, a copy of the file
    alone), the file is all there is: `immutable=1` reads it with no locks and no -shm file.
    With records in its -wal, SQLite reads them through the -shm file beside it (`mode=ro`:
    read-only, and in step with an owner writing it meanwhile); without a -shm file it would
    have to create one, so the copy is refused, saying what to copy where."""
    wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
    try:
        pending = wal.stat().st_size > 0
    except OSError:
        pending = False
    base = path.absolute().as_uri()
    if not pending:
        return f"{base}?mode=ro&immutable=1"
    if shm.exists():
        return f"{base}?mode=ro"
    raise unread_wal_refusal(path, kind)


def refuse_if_read_only(engine: Engine, nothing: str = NOTHING_SAVED) -> None:
    """A step that would write (a transaction, a backup beside the database) is refused before
    anything is written when the database is open read-only."""
    opened = _read_only.get(engine)
    if opened is not None:
        raise read_only_refusal(display_name(engine.url), opened.kind, nothing)


def make_engine(db: str, read_only: ReadOnlyKind | None = None) -> Engine:
    """The engine of a database; `read_only` (a SQLite file this account may not write, and
    why) opens it read-only: see read_only_uri."""
    url = checked_url(db)
    timeout_ms = BUSY_TIMEOUT_MS
    try:
        if url.get_backend_name() == "sqlite":
            engine = create_engine(url, connect_args={"timeout": timeout_ms / 1000})
            if read_only is not None and url.database:
                opened = ReadOnly(read_only, read_only_uri(Path(url.database), read_only))
                _read_only_setup(engine, opened.uri)
                _read_only[engine] = opened
            _sqlite_setup(engine, timeout_ms, writable=read_only is None)
            return engine
        waiting = {} if "connect_timeout" in url.query else {"connect_timeout": CONNECT_TIMEOUT_S}
        engine = create_engine(url, pool_pre_ping=True, connect_args=waiting)
    except (ArgumentError, ImportError) as exc:  # an unknown driver, one not installed
        raise DatabaseProblem(
            with_detail(
                _(
                    "The database driver of '{db}' ({driver}) is not available. Give {accepted}."
                ).format(db=shown(display_name(url)), driver=url.drivername, accepted=_(ACCEPTED)),
                exc,
            )
        ) from exc
    _server_setup(engine, timeout_ms)
    return engine


def _read_only_setup(engine: Engine, uri: str) -> None:
    @event.listens_for(engine, "do_connect")
    def _read_only_connect(_dialect: Any, _record: Any, cargs: list[Any], cparams: Any) -> None:
        # The URL stays the file's path (messages name it); the driver opens the URI.
        cargs[:] = [uri]
        cparams["uri"] = True


def _sqlite_setup(engine: Engine, timeout_ms: int, writable: bool = True) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # We issue BEGIN ourselves, so that write transactions take the lock at once.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        if writable:  # a database opened read-only is read in the mode it was left in
            mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Reading takes no lock; `writing(engine)` asks for the write lock at BEGIN, waiting
        # for it as long as the step asks (`wait_ms` of write_transaction), else timeout_ms.
        options = conn.get_execution_options()
        wait = int(options.get("sqlite_wait_ms", timeout_ms))
        if conn.info.get("busy_timeout_ms", timeout_ms) != wait:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={wait}")
            conn.info["busy_timeout_ms"] = wait
        mode = options.get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


JIT_SINCE = 110000
"""PostgreSQL 11, the first with JIT compilation (server_version_num)."""


def _server_setup(engine: Engine, timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # A writer waiting for another's lock gives up as SQLite's busy timeout does, and is
        # told the database is busy, instead of waiting for ever.
        cursor = dbapi_conn.cursor()
        cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
        # The server compiles a query it estimates costly (a report's history, a whole-site
        # read) to machine code first: on the DARF's history that took 0.4 s of its 2.5 s,
        # more than it saved. The program's queries are short or read by index: no JIT.
        if getattr(getattr(dbapi_conn, "info", None), "server_version", 0) >= JIT_SINCE:
            cursor.execute("SET jit = off")
        cursor.close()
        dbapi_conn.commit()


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


GROUPING_MEMORY = "64MB"
"""PostgreSQL's work_mem for a report's grouping of the whole history (see room_to_group)."""


def room_to_group(session: Session) -> None:
    """For the rest of this transaction, PostgreSQL may group in memory (GROUPING_MEMORY, not
    the server's default 4 MB): the DARF's count of a million rows' history into lines was
    sorted on 12 keys through temporary files (an external merge); with room it is one hash
    aggregate. SQLite has no such setting."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(text(f"SET LOCAL work_mem = '{GROUPING_MEMORY}'"))


def writing(engine: Engine) -> Engine:
    """The engine whose transactions take SQLite's write lock at BEGIN (BEGIN IMMEDIATE): for
    write transactions and migrations only, so that readers never hold or wait for it."""
    return engine.execution_options(sqlite_begin="IMMEDIATE") if is_sqlite(engine) else engine


def fault(
    engine: Engine, exc: DBAPIError | sqlite3.Error, nothing: str = NOTHING_SAVED
) -> DatabaseProblem | None:
    """The DatabaseProblem an error of this engine stands for (full disk, read-only, busy,
    damaged, server unreachable...), or None when it is no such fault (a bug stays visible).
    An sqlite3 error is one raised on the driver's own connection (the verification's reads)."""
    url = engine.url
    path = Path(url.database) if is_sqlite(engine) and url.database else None
    if isinstance(exc, sqlite3.Error):
        problem = sqlite_fault(exc, display_name(url), path, nothing, BUSY_TIMEOUT_MS)
    else:
        problem = dbapi_fault(exc, display_name(url), path, nothing, BUSY_TIMEOUT_MS)
    opened = _read_only.get(engine)
    if isinstance(problem, ReadOnlyDatabase) and opened is not None:
        return read_only_refusal(display_name(url), opened.kind, nothing)
    return problem


FirstWrite = Callable[[Session], None]
_before_next_write: WeakKeyDictionary[Engine, list[FirstWrite]] = WeakKeyDictionary()
"""Steps owed to the trail that could not be written when they happened (a sign-in while
another workstation held the write lock: users.sign_in): each is written at the start of the
next write transaction of the engine, under its lock and before the step's own rows, and
forgotten once that transaction commits (a step refused or rolled back keeps it owed)."""


def before_next_write(engine: Engine, step: FirstWrite) -> None:
    """Writes `step` at the start of the next write transaction of `engine` (see above)."""
    _before_next_write.setdefault(engine, []).append(step)


def writes_owed(engine: Engine) -> bool:
    """Whether steps wait for the next write transaction of `engine` (before_next_write)."""
    return bool(_before_next_write.get(engine))


AfterStep = Callable[[Engine], None]
_AFTER = "dispensary.after_transaction"
"""The key of a write transaction's session.info under which `after_transaction` keeps its
steps (present only in a session of write_transaction)."""


def after_transaction(session: Session, step: AfterStep) -> None:
    """Runs `step` with the engine once the write transaction of `session` has ended, however it
    ended (committed, or rolled back by the refusal that follows): for what must be written
    even though the step is refused (a wrong signature password counted against its signer,
    users.check_signature), in a transaction of its own after the step's lock is released.
    `step` raises nothing: what could not be done it keeps for the refusal to say."""
    steps = session.info.get(_AFTER)
    if steps is None:
        raise RuntimeError("after_transaction: not the session of a write transaction")
    steps.append(step)


@contextmanager
def write_transaction(engine: Engine, wait_ms: int | None = None) -> Iterator[Session]:
    """One workflow step: commits on success, rolls back on any exception; a database fault is
    raised as the DatabaseProblem that names it, nothing of the step written. A database open
    read-only refuses the step before it begins. `wait_ms`: how long to wait for another
    workstation's write to end (the busy timeout by default). Steps left by after_transaction
    run once the transaction has ended, before the refusal (if any) goes on."""
    refuse_if_read_only(engine)
    owed = list(_before_next_write.get(engine, ()))
    bound = writing(engine)
    if wait_ms is not None and is_sqlite(engine):
        bound = bound.execution_options(sqlite_wait_ms=wait_ms)
    after: list[AfterStep] = []
    try:
        with Session(bound, expire_on_commit=False) as session, session.begin():
            session.info[_AFTER] = after
            if not is_sqlite(engine):
                if wait_ms is not None:
                    session.execute(text(f"SET LOCAL lock_timeout = {int(wait_ms)}"))
                _lock_chain_head(session)
            for step in owed:
                step(session)
            yield session
    except (DBAPIError, sqlite3.Error) as exc:
        problem = fault(engine, exc, NOTHING_SAVED)
        if problem is None:
            raise
        raise problem from exc
    finally:
        for then in after:
            then(engine)
    if owed:
        left = _before_next_write.get(engine, [])
        left[:] = [step for step in left if step not in owed]


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


# The read transactions open in this thread (or task), by engine pool: a read inside a read
# joins the outer one, so a report or screen that gathers through several service calls still
# reads one snapshot. A new thread starts with none (each thread its own transaction).
_open_reads: ContextVar[tuple[tuple[Pool, Session], ...]] = ContextVar("open_reads", default=())


READ_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
"""PostgreSQL's first statement of a read transaction: every later statement sees the state of
the first (READ COMMITTED would let a receive committed halfway through show in the later
queries only), and nothing can be written. Set per transaction, not on the pooled connection,
so the server's own defaults (a database made read-only) still hold for the next writer.
SQLite needs nothing: a deferred transaction reads one snapshot from its first read (WAL)."""


@contextmanager
def read_transaction(engine: Engine) -> Iterator[Session]:
    """A consistent snapshot for screens and reports; never takes the write lock. Opened inside
    another read transaction of the same database (same thread), it is that transaction: wrap
    a whole report or screen refresh in one, and everything it gathers reads one state. A
    fault (an unreachable server, a damaged page) is raised as the DatabaseProblem that names
    it."""
    for pool, outer in _open_reads.get():
        if pool is engine.pool:
            yield outer
            return
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            if not is_sqlite(engine):
                session.execute(text(READ_SNAPSHOT))
            token = _open_reads.set((*_open_reads.get(), (engine.pool, session)))
            try:
                yield session
            finally:
                _open_reads.reset(token)
    except (DBAPIError, sqlite3.Error) as exc:
        problem = fault(engine, exc, NOTHING_CHANGED)
        if problem is None:
            raise
        raise problem from exc


def restrict_file(path: Path) -> None:
    """Owner-only for a copy this program has just written itself (a backup, a kept file).
    A file of another account is left as it is: it could not be chmodded, and a database shared
    by two accounts is the site's choice (opening only warns, see faults.mode_warning)."""
    if os.name != "posix":
        return
    me = os.geteuid()
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            status = candidate.stat()
            if status.st_uid == me and status.st_mode & 0o077:
                candidate.chmod(0o600)
        except OSError:
            continue
