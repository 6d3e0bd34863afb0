"""Creating and opening a database: migrations, the study it serves, and the first administrator.

Opening refuses, with a message and without writing, a file that is not a database, is damaged,
has a newer schema than this program, or serves another study. An older schema is migrated
after an automatic backup.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import DatabaseError, OperationalError

from dispensary.db import migrate
from dispensary.db.engine import (
    make_engine,
    read_transaction,
    restrict_file,
    sqlite_path,
    url_for,
    write_transaction,
)
from dispensary.db.models import Setting, StudyRecord, User
from dispensary.db.sqlite_backup import backup_file
from dispensary.domain.errors import DatabaseProblem, RuleViolation
from dispensary.services.audit import Recorder
from dispensary.services.context import Clock, Context, SystemClock
from dispensary.services.users import create_first_admin
from dispensary.study import Study, parse_study

SQLITE_MAGIC = b"SQLite format 3\x00"
# The setting that marks a training database (the demo, a scripted test database): only there
# may "today" be fixed by hand, since on a real database that would forge the audit trail's dates.
TRAINING_CLOCK_KEY = "training_clock"
TRAINING_CLOCK_ALLOWED = "allowed"


@dataclass(frozen=True)
class OpenedDatabase:
    context: Context
    migrated_from: str | None
    backup: str | None


def _check_sqlite_file(path: Path, must_exist: bool) -> set[str]:
    """Checks the file read-only, before SQLAlchemy opens it (which would switch a foreign file
    to WAL); returns the names of its tables (none for a new or empty file)."""
    if not path.exists():
        if must_exist:
            raise DatabaseProblem(
                f"There is no database at {path}. Create one with `dispensary init` or pick "
                "another file."
            )
        return set()
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a database file.")
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) == 0:
        if must_exist:
            raise DatabaseProblem(
                f"{path} is empty: it is not a Dispensary database. Check the path, or restore "
                "the last backup."
            )
        return set()  # an empty file: SQLite treats it as a new database
    if not header.startswith(SQLITE_MAGIC):
        raise DatabaseProblem(
            f"{path} is not a Dispensary database (it is not an SQLite file). "
            "Check the path, or restore the last backup."
        )
    if len(header) < 100:
        raise DatabaseProblem(f"{path} is truncated. Restore the last backup.")
    absent = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if not p.exists()]
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        _remove_left_behind(absent)
        raise DatabaseProblem(
            f"{path} is damaged ({exc}). Nothing was changed. Restore the last backup."
        ) from exc
    if not result or result[0] != "ok":
        _remove_left_behind(absent)
        raise DatabaseProblem(
            f"{path} is damaged (integrity check: {result[0] if result else 'no answer'}). "
            "Nothing was changed. Restore the last backup."
        )
    return tables


def _remove_left_behind(absent: list[Path]) -> None:
    """The read-only check of a damaged WAL file leaves an empty -wal and its -shm behind;
    a refused file is left exactly as it was found."""
    wal = [p for p in absent if p.name.endswith("-wal")]
    if not wal or not wal[0].exists() or wal[0].stat().st_size:
        return
    for created in absent:
        created.unlink(missing_ok=True)


def init_database(
    db: str,
    study: Study,
    admin: str,
    admin_name: str,
    admin_initials: str,
    password: str,
    clock: Clock | None = None,
    training: bool = False,
) -> Context:
    """Creates the schema by migration, stores the study and the first administrator; a training
    database (`training`) also lets "today" be fixed by hand, see `training_clock_allowed`."""
    clock = clock or SystemClock()
    path = sqlite_path(url_for(db))
    if path is not None:
        if _check_sqlite_file(path, must_exist=False):
            raise RuleViolation(
                f"{db} already holds a database. Open it, or choose a new file to create."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(db)
    try:
        if migrate.has_tables(engine):
            raise RuleViolation(
                f"{db} already holds a database. Open it, or choose a new file to create."
            )
        migrate.upgrade(engine)
        with write_transaction(engine) as session:
            rec = Recorder(session, None, clock.now())
            session.add(
                StudyRecord(
                    protocol=study.protocol, source_text=study.source_text, loaded_at=rec.now
                )
            )
            rec.audit(
                "study_loaded", "study", study.protocol, {"title": study.title}, username=admin
            )
            create_first_admin(session, rec, admin, admin_name, admin_initials, password)
            if training:
                session.add(Setting(key=TRAINING_CLOCK_KEY, value=TRAINING_CLOCK_ALLOWED))
    except Exception:
        engine.dispose()
        raise
    if path is not None:
        restrict_file(path)
    return Context(engine, study, clock, db)


def training_clock_allowed(ctx: Context) -> bool:
    """Whether this is a training database, where "today" may be fixed by hand."""
    with read_transaction(ctx.engine) as session:
        value = session.get(Setting, TRAINING_CLOCK_KEY)
        return value is not None and value.value == TRAINING_CLOCK_ALLOWED


def open_database(
    db: str,
    clock: Clock | None = None,
    expect_protocol: str | None = None,
    backup_dir: Path | None = None,
) -> OpenedDatabase:
    """Opens an existing database, checking it before anything is written."""
    clock = clock or SystemClock()
    url = url_for(db)
    path = sqlite_path(url)
    if path is not None and not {"alembic_version", "study"} <= _check_sqlite_file(path, True):
        raise DatabaseProblem(
            f"{db} is not a Dispensary database (no schema version or study). "
            "Create one with `dispensary init`."
        )
    engine = make_engine(db)
    try:
        return _open(engine, db, path, clock, expect_protocol, backup_dir)
    except (OperationalError, DatabaseError) as exc:
        engine.dispose()
        raise DatabaseProblem(
            f"The database {db} cannot be read ({exc.orig}). Check the path or URL, or restore "
            "the last backup."
        ) from exc
    except Exception:
        engine.dispose()
        raise


def _open(
    engine: Engine,
    db: str,
    path: Path | None,
    clock: Clock,
    expect_protocol: str | None,
    backup_dir: Path | None,
) -> OpenedDatabase:
    tables = set(inspect(engine).get_table_names())
    if "alembic_version" not in tables or "study" not in tables:
        raise DatabaseProblem(
            f"{db} is not a Dispensary database (no schema version or study). "
            "Create one with `dispensary init`."
        )
    current = migrate.current_revision(engine)
    if current not in migrate.known_revisions():
        raise DatabaseProblem(
            f"{db} was written by a newer version of Dispensary (schema {current}). "
            "Nothing was changed. Install the newer version to open it."
        )
    migrated_from: str | None = None
    backup: str | None = None
    if current != migrate.head_revision():
        if path is not None:
            target = (
                backup_dir or path.parent
            ) / f"{path.stem}.before-{migrate.head_revision()}.sqlite3"
            backup = str(backup_file(engine, target))
        migrate.upgrade(engine)
        migrated_from = current
    with read_transaction(engine) as session:
        record = session.scalar(select(StudyRecord))
        if record is None:
            raise DatabaseProblem(f"{db} has no study recorded. Create it with `dispensary init`.")
        study = parse_study(record.source_text, f"{db} (stored study)")
        if session.scalar(select(User).limit(1)) is None:
            raise DatabaseProblem(f"{db} has no users. Create it with `dispensary init`.")
    if expect_protocol and study.protocol != expect_protocol:
        raise DatabaseProblem(
            f"{db} belongs to study {study.protocol}, not {expect_protocol}. "
            "Open the database of the study you mean."
        )
    if path is not None:
        restrict_file(path)
    return OpenedDatabase(Context(engine, study, clock, db), migrated_from, backup)
