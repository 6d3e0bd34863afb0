"""Creating and opening a database: migrations, the study it serves, and the first administrator.

Opening refuses, with a message and without writing, a file that is not a database, is damaged,
has a newer schema than this program, or serves another study; a full disk, a read-only file or
folder and a busy database are each named as such (db.faults), never as damage. An older schema
is migrated after an automatic backup. Opening reads without the write lock, and never chmods
the file: a database other accounts may read opens with a warning.

A database this account may not write (a read-only disk, file or folder) is opened read-only
where the caller reads (`read_only_ok`: the `dispensary` command): it is read as it is, and every
step that would record is refused. The windows, which record every sign-in, refuse it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import DBAPIError

from dispensary.db import migrate
from dispensary.db.engine import (
    checked_url,
    display_name,
    fault,
    make_engine,
    read_only_uri,
    read_transaction,
    restrict_file,
    sqlite_path,
    url_for,
    write_transaction,
)
from dispensary.db.faults import (
    SQLITE_CORRUPT,
    SQLITE_NOTADB,
    ReadOnlyKind,
    damaged,
    file_fault,
    mode_warning,
    read_only_cause,
    read_only_kind,
    read_only_note,
    read_only_reason,
    sqlite_code,
    sqlite_fault,
)
from dispensary.db.models import AuditEntry, StudyRecord, User
from dispensary.db.protection import named_triggers, unprotected
from dispensary.db.sqlite_backup import (
    ANCHOR_LOG,
    backup_file,
    backup_taken,
    listed_backup,
    replaced_on,
)
from dispensary.domain.audit_actions import TRAINING_REASON, AuditAction
from dispensary.domain.errors import (
    DatabaseDamaged,
    DatabaseProblem,
    InvalidInput,
    NoDatabase,
    NotADispensaryDatabase,
    ReadOnlyDatabase,
    RuleViolation,
    StudyFileError,
    UnknownStudy,
    Unprotected,
)
from dispensary.files import NOTHING_CHANGED, before_detail, create_private, shown, with_detail
from dispensary.i18n import N_, _, listed, sentences
from dispensary.services.audit import Recorder
from dispensary.services.context import Clock, Context, FixedClock, SystemClock
from dispensary.services.users import check_new_user, create_first_admin
from dispensary.study import Study, chosen_protocol, default_study_path, load_study, parse_study

SQLITE_MAGIC = b"SQLite format 3\x00"
# The audit entry that marks a training database (the demo, a scripted test database): only there
# may "today" be fixed by hand, since on a real database that would forge the audit trail's dates.
# It is written in the transaction that creates the database, inside the hash chain, so it cannot
# be added to a real database afterwards without breaking the chain (a settings row could be).
TRAINING_ACTION = AuditAction.TRAINING_DATABASE
_CREATION_ENTRIES = 5  # the entries `init` writes: the study, the administrator, the mark


@dataclass(frozen=True)
class OpenedDatabase:
    context: Context
    migrated_from: str | None
    backup: str | None
    warning: str | None = None  # e.g. other accounts may read the file: said, not refused
    studies: tuple[str, ...] = ()
    """The protocols of every study the database holds (the context is one of them)."""
    read_only: str | None = None
    """Said when the database was opened read-only (open_database's `read_only_ok`)."""


@dataclass(frozen=True)
class CheckedFile:
    """A SQLite file as checked before SQLAlchemy opens it."""

    tables: set[str]
    read_only: ReadOnlyKind | None = None  # this account may not write it, and why
    revision: str | None = None  # its schema version (alembic_version), None if it has none
    made: tuple[Path, ...] = ()
    """The -wal and -shm files absent before the check (its connection may leave them): a file
    refused after the check is left as it was found (_remove_left_behind)."""


READ_WITH_THE_COMMAND = N_(
    "The dispensary command can still read it as it is, recording nothing: audit verify, "
    'reconcile and the reports (see "When something goes wrong" in the administrator\'s guide).'
)
"""Said after the refusal of a database this account may not write, where it must be written."""


def _check_sqlite_file(
    path: Path,
    must_exist: bool,
    read_only_ok: bool = False,
    in_window: bool = False,
    backup_ok: bool = False,
) -> CheckedFile:
    """Checks the file read-only, before SQLAlchemy opens it (which would switch a foreign file
    to WAL and create -wal/-shm files beside it); returns the names of its tables (none for a
    new or empty file). Each refusal names its cause, so that only damage advises a restore.
    A file this account may not write is refused, unless `read_only_ok`: then it is checked,
    and said to be read-only, through the URI it will be read by (read_only_uri). `in_window`:
    a file picked in a window (the set-up wizard, Settings), whose refusal says to pick another,
    not the command line's --db or DISPENSARY_DB. A backup (sqlite_backup.backup_taken, or for
    one made before backups were marked, listed_backup) is refused as the database to work in,
    and so is the database a restore replaced (sqlite_backup.replaced_on), kept beside the live
    one, unless `backup_ok` (`audit verify`, which only reads): such a file is then opened
    read-only (ReadOnlyKind.KEPT, unless this account may not write it anyway), so that reading
    it leaves it byte for byte as it was taken (SQLAlchemy's engine would switch it to WAL: an
    inspector comparing its SHA-256 with the backup's log would find it changed)."""
    try:
        checked = _checked_tables(path, must_exist, read_only_ok, in_window)
        if checked.tables:
            replaced = replaced_on(path)
            if replaced is not None and not backup_ok:
                raise InvalidInput(_a_replaced_database(path, replaced))
            # listed: a backup made before the mark
            taken = None if replaced else backup_taken(path) or listed_backup(path)
            if taken is not None and not backup_ok:
                raise InvalidInput(_a_backup(path, taken))
            if (replaced or taken) and checked.read_only is None:
                checked = replace(checked, read_only=ReadOnlyKind.KEPT)
        return checked
    except OSError as exc:  # a path over the system's limit, a folder of another account...
        raise file_fault(exc, path) from exc


def _checked_tables(
    path: Path, must_exist: bool, read_only_ok: bool, in_window: bool = False
) -> CheckedFile:
    if not path.exists():
        if must_exist:
            raise NoDatabase(
                _(
                    "There is no database at {path}. Create one with `dispensary init` or pick "
                    "another file."
                ).format(path=shown(path)),
                shown(path),
            )
        return CheckedFile(set())
    if path.is_dir():
        raise NotADispensaryDatabase(
            _("{path} is a folder, not a database file.").format(path=shown(path))
        )
    if not path.is_file():  # a named pipe or a device: reading its header would wait for ever
        raise NotADispensaryDatabase(
            (
                _(
                    "{path} is not a file (a pipe or a device), so it is not a database. "
                    "{nothing} Choose another file, or a new file in an empty folder."
                )
                if in_window
                else _(
                    "{path} is not a file (a pipe or a device), so it is not a database. "
                    "{nothing} Check the path (--db, or DISPENSARY_DB)."
                )
            ).format(path=shown(path), nothing=_(NOTHING_CHANGED))
        )
    refused = read_only_reason(path)
    kind = read_only_kind(path) if refused is not None else None
    if refused is not None and not os.access(path, os.R_OK):
        raise refused
    with path.open("rb") as handle:
        header = handle.read(100)
    if len(header) == 0:
        if must_exist:
            raise NotADispensaryDatabase(
                _(
                    "{path} is empty: it is not a Dispensary database. {nothing} Check the path; "
                    "if the pharmacy's database was here, restore the last backup."
                ).format(path=shown(path), nothing=_(NOTHING_CHANGED))
            )
        if refused is not None:
            raise refused
        return CheckedFile(set())  # an empty file: SQLite treats it as a new database
    if not header.startswith(SQLITE_MAGIC):
        raise NotADispensaryDatabase(
            (
                _(
                    "{path} is not a Dispensary database (it is not an SQLite file). {nothing} "
                    "Choose another file, or a new file in an empty folder."
                )
                if in_window
                else _(
                    "{path} is not a Dispensary database (it is not an SQLite file). {nothing} "
                    "Check the path (--db, or DISPENSARY_DB)."
                )
            ).format(path=shown(path), nothing=_(NOTHING_CHANGED))
        )
    if len(header) < 100:
        raise DatabaseDamaged(
            _("{path} is truncated. {nothing} Restore the last backup.").format(
                path=shown(path), nothing=_(NOTHING_CHANGED)
            )
        )
    if refused is not None and not read_only_ok:
        raise refused  # before SQLite, which would leave -wal/-shm files behind
    absent = [p for p in (Path(f"{path}-wal"), Path(f"{path}-shm")) if not p.exists()]
    # Read-only, without creating a file beside it: read_only_uri.
    uri = f"file:{quote(str(path))}?mode=ro" if kind is None else read_only_uri(path, kind)
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            # Read here, before SQLAlchemy's engine switches the file to WAL: a file of a newer
            # schema is refused byte for byte as it was (open_database).
            version = (
                conn.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
        finally:
            conn.close()
    except UnicodeDecodeError as exc:
        # A damaged page of the schema: SQLite's message quotes its bytes, which are not text.
        _remove_left_behind(absent)
        raise _damaged(path, f"malformed database schema ({exc})", in_window) from exc
    except sqlite3.DatabaseError as exc:
        _remove_left_behind(absent)
        if sqlite_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB):  # an SQLite file, damaged
            raise _damaged(path, str(exc), in_window) from exc
        problem = sqlite_fault(exc, str(path), path, NOTHING_CHANGED) or DatabaseProblem(
            with_detail(
                _("{path} cannot be read. {nothing} Check the path.").format(
                    path=shown(path), nothing=_(NOTHING_CHANGED)
                ),
                exc,
            )
        )
        raise problem from exc
    if not result or result[0] != "ok":
        _remove_left_behind(absent)
        raise _damaged(path, f"PRAGMA quick_check: {result[0] if result else '-'}", in_window)
    return CheckedFile(tables, kind, str(version[0]) if version else None, tuple(absent))


def _damaged(path: Path, detail: str, in_window: bool) -> DatabaseDamaged:
    """A damaged file: picked in a window (the set-up wizard, Settings), the way on is another
    file; the command line's --db is the pharmacy's database, whose last backup is restored."""
    if not in_window:
        return damaged(str(path), detail)
    return DatabaseDamaged(
        with_detail(
            _(
                "{path} is damaged: part of the file cannot be read as a database. {nothing} "
                "Choose another file. If this is the pharmacy's database, an administrator "
                'restores its last backup (see "Backups and a restore drill" in the '
                "administrator's guide)."
            ).format(path=shown(path), nothing=_(NOTHING_CHANGED)),
            detail,
        )
    )


def _a_backup(path: Path, taken: datetime) -> str:
    """The refusal of a backup chosen as the database to work in, naming the live database
    where the anchor log beside the backup names the one it was taken of."""
    database = _backed_up_database(path)
    told = _(
        "{path} is a backup (taken {taken} UTC), not the pharmacy's live database: records "
        "made in it would be missing from the live one. {nothing}"
    ).format(path=shown(path), taken=f"{taken:%Y-%m-%d %H:%M}", nothing=_(NOTHING_CHANGED))
    if database:
        way = _(
            "To go back to it, restore it (an administrator: `dispensary restore`); to keep "
            "working, choose the live database {database}."
        ).format(database=database)
    else:
        way = _(
            "To go back to it, restore it (an administrator: `dispensary restore`); to keep "
            "working, choose the live database, not a backup."
        )
    return sentences([told, way])


def _a_replaced_database(path: Path, replaced: datetime) -> str:
    """The refusal of the database a restore replaced (NAME.replaced-<time>.sqlite3) chosen as
    the database to work in, naming the live database NAME.sqlite3 where it is beside it."""
    live = _live_of_replaced(path)
    told = (
        _(
            "{path} is the database a restore replaced on {replaced} UTC, kept for the record: "
            "it is not the live database; choose {database}, or restore from it with "
            "`dispensary restore` (an administrator)."
        )
        if live is not None
        else _(
            "{path} is the database a restore replaced on {replaced} UTC, kept for the record: "
            "it is not the live database; choose the live database, or restore from it with "
            "`dispensary restore` (an administrator)."
        )
    ).format(
        path=shown(path),
        replaced=f"{replaced:%Y-%m-%d %H:%M}",
        database=shown(live) if live is not None else "",
    )
    return sentences([told, _(NOTHING_CHANGED)])


def _live_of_replaced(path: Path) -> Path | None:
    """NAME.sqlite3 beside NAME.replaced-<time>[-n].sqlite3, where there is one (None: renamed,
    or no live database beside it)."""
    found = re.fullmatch(r"(.+)\.replaced-\d{8}T\d{6}(?:-\d+)?", path.stem)
    if found is None:
        return None
    live = path.with_name(found.group(1) + path.suffix)
    return live.absolute() if live.is_file() else None


def _backed_up_database(path: Path) -> str:
    """The database the anchor log beside the backup names for it ("" when none does)."""
    try:
        lines = (path.parent / ANCHOR_LOG).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    found = ""
    for line in lines.splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) >= 6 and fields[5] == path.name:
            found = fields[2]
    return found


def _not_upgraded(db: str, findings: str) -> DatabaseDamaged:
    """The refusal of an upgrade whose backup found the file damaged: nothing is upgraded
    (an upgrade of a damaged file could spread the damage), and the backups are untouched."""
    return DatabaseDamaged(
        with_detail(
            _(
                "{path} is damaged, so it was not upgraded to this version and nothing was "
                'changed. Restore the last good backup, or call the administrator (see "Backups '
                "and a restore drill\" in the administrator's guide)."
            ).format(path=shown(db)),
            findings,
        )
    )


def _already_a_database(db: str) -> str:
    return _("{path} already holds a database. Open it, or choose a new file to create.").format(
        path=db
    )


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
    check_new_user(admin, admin_name, admin_initials, password)  # before anything is made
    path = sqlite_path(url_for(db))
    before: int | None = None  # the file's size before: None when there was none
    if path is not None:
        if _check_sqlite_file(path, must_exist=False).tables:
            raise RuleViolation(_already_a_database(db))
        before = path.stat().st_size if path.exists() else None
        _new_database_file(path)
    engine = make_engine(db)
    try:
        if migrate.has_tables(engine):
            raise RuleViolation(_already_a_database(db))
        migrate.upgrade(engine)
        with write_transaction(engine) as session:
            rec = Recorder(session, None, clock.now())
            session.add(
                StudyRecord(
                    protocol=study.protocol,
                    source_text=study.source_text,
                    loaded_at=rec.now,
                    version=1,
                )
            )
            rec.audit(
                AuditAction.STUDY_LOADED,
                "study",
                study.protocol,
                {"title": study.title},
                username=admin,
            )
            create_first_admin(session, rec, admin, admin_name, admin_initials, password)
            if training:
                rec.audit(
                    TRAINING_ACTION,
                    "database",
                    study.protocol,
                    {"today_may_be_fixed": "yes"},
                    reason=TRAINING_REASON,
                    username=admin,
                )
    except Exception:
        engine.dispose()
        if path is not None:
            _remove_unfinished(path, before)
        raise
    return Context(engine, study, clock, db)


def _remove_unfinished(path: Path, before: int | None) -> None:
    """The database file as it was before this `init` (none, or empty), when a later part
    failed (a full disk, a fault): tables with no study and no user would be refused by
    `init` as an existing database, and by every other step as one with no study. Only a
    file that held nothing before (no file, or an empty one) is touched."""
    if before not in (None, 0):
        return
    with contextlib.suppress(OSError):  # what failed is said by the step's own error
        for end in ("-wal", "-shm", "-journal"):
            path.with_name(path.name + end).unlink(missing_ok=True)
        if before == 0:
            path.open("wb").close()
        else:
            path.unlink(missing_ok=True)


def _new_database_file(path: Path) -> None:
    """A new database is owner-only from its first byte: created 0600 here, before SQLite writes
    to it (SQLite gives its -wal and -shm files the database's mode). An empty file of this
    account already there is made private before anything is written to it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private(path, exist_ok=True)
        restrict_file(path)
    except OSError as exc:
        raise file_fault(exc, path) from exc


def training_clock_allowed(ctx: Context) -> bool:
    """Whether this is a training database, where "today" may be fixed by hand: marked by an
    audit entry written when the database was created (at the time of the first entry)."""
    with read_transaction(ctx.engine) as session:
        first = session.get(AuditEntry, 1)
        mark = session.scalar(
            select(AuditEntry).where(
                AuditEntry.id <= _CREATION_ENTRIES, AuditEntry.action == TRAINING_ACTION
            )
        )
        return first is not None and mark is not None and mark.at == first.at


def training_clock_on_trail(ctx: Context) -> None:
    """A fixed day's clock (DISPENSARY_TODAY, on a training database) moved on to the audit
    trail's last entry when that is later the same day: the real time of day it follows starts
    again at midnight, behind what was recorded before it (a session across midnight), which
    the trail would refuse as a clock set back. A last entry of a later day leaves it behind,
    refused as a training date set before those entries; the system clock is never moved."""
    if not isinstance(ctx.clock, FixedClock):
        return
    with read_transaction(ctx.engine) as session:
        last = session.scalar(select(AuditEntry.at).order_by(AuditEntry.id.desc()).limit(1))
    ctx.clock.not_before(last)


def open_database(
    db: str,
    clock: Clock | None = None,
    expect_protocol: str | None = None,
    backup_dir: Path | None = None,
    read_only_ok: bool = False,
    studies_unread: bool = False,
) -> OpenedDatabase:
    """Opens an existing database, checking it before anything is written; reads without the
    write lock, so another workstation writing does not stop it. A SQLite file this account may
    not write is refused, or, with `read_only_ok` (a caller that may only read: the command's
    audit verify, reports), opened read-only: every step that would record is then refused
    (db.engine.refuse_if_read_only), and `read_only` says so.

    Every study stored must read as a study file, and one at least must be stored: else the
    database was altered outside the program (DatabaseDamaged, naming the study). With
    `studies_unread` (`audit verify` only, which reads the trail, not a study) it opens all
    the same, so that an inspector can see what was changed."""
    clock = clock or SystemClock()
    checked_url(db)  # a location this program can use, or a message saying which are
    path = sqlite_path(url_for(db))
    warning: str | None = None
    kind: ReadOnlyKind | None = None
    if path is not None:
        try:
            checked = _check_sqlite_file(path, True, read_only_ok, backup_ok=studies_unread)
        except ReadOnlyDatabase as exc:
            if not read_only_ok and read_only_kind(path) not in (None, ReadOnlyKind.UNREADABLE):
                exc.message = before_detail(exc.message, _(READ_WITH_THE_COMMAND))
            raise
        if not {"alembic_version", "study"} <= checked.tables:
            raise NotADispensaryDatabase(
                _(
                    "{path} is not a Dispensary database (no schema version or study). {nothing} "
                    "Check the path, or create one with `dispensary init`."
                ).format(path=shown(db), nothing=_(NOTHING_CHANGED))
            )
        if checked.revision is not None and checked.revision not in migrate.known_revisions():
            # Before the engine, which would switch the file to WAL: refused byte for byte.
            _remove_left_behind(list(checked.made))
            raise _newer(db, checked.revision)
        kind = checked.read_only
        # On a read-only disk (a CD) the mode cannot be changed, nor the file written to.
        warning = mode_warning(path) if kind is not ReadOnlyKind.DISK else None
    engine = make_engine(db, read_only=kind)
    try:
        opened = _open(engine, db, path, clock, expect_protocol, backup_dir, kind, studies_unread)
    except DBAPIError as exc:
        engine.dispose()
        problem = fault(engine, exc, NOTHING_CHANGED) or DatabaseProblem(
            with_detail(
                _("The database {path} cannot be read. {nothing} Check the path or URL.").format(
                    path=shown(db), nothing=_(NOTHING_CHANGED)
                ),
                exc.orig,
            )
        )
        raise problem from exc
    except OSError as exc:  # the copy kept before an upgrade: a full disk, a read-only folder
        engine.dispose()
        raise file_fault(exc, exc.filename or db) from exc
    except Exception:
        engine.dispose()
        raise
    note = read_only_note(db, kind) if kind is not None else None
    return replace(opened, warning=warning, read_only=note)


def _open(
    engine: Engine,
    db: str,
    path: Path | None,
    clock: Clock,
    expect_protocol: str | None,
    backup_dir: Path | None,
    read_only: ReadOnlyKind | None = None,
    studies_unread: bool = False,
) -> OpenedDatabase:
    tables = set(inspect(engine).get_table_names())
    if "alembic_version" not in tables or "study" not in tables:
        raise NotADispensaryDatabase(
            _(
                "{path} is not a Dispensary database (no schema version or study). {nothing} "
                "Check the URL, or create one with `dispensary init`."
            ).format(path=shown(db), nothing=_(NOTHING_CHANGED))
        )
    current = migrate.current_revision(engine)
    if current not in migrate.known_revisions():
        raise _newer(db, current)
    migrated_from: str | None = None
    backup: str | None = None
    if current != migrate.head_revision() and read_only is not None:
        facts = {
            "path": shown(db),
            "schema": current,
            "cause": read_only_cause(read_only),
            "nothing": _(NOTHING_CHANGED),
        }
        if read_only is ReadOnlyKind.KEPT:  # a copy of it is a backup too: never upgraded in place
            raise ReadOnlyDatabase(
                _(
                    "{path} was written by an older version of Dispensary (schema {schema}) and "
                    "is kept as it is for the record ({cause}), so this version does not upgrade "
                    "it. {nothing} Verify it with the version that wrote it, or restore it "
                    "(`dispensary restore`) and verify the restored database."
                ).format(**facts)
            )
        raise ReadOnlyDatabase(
            _(
                "{path} was written by an older version of Dispensary (schema {schema}) and must "
                "be upgraded before this version can read it, which cannot be done while it is "
                "open read-only ({cause}). {nothing} Copy it to a folder you can write and open "
                "the copy (it is upgraded there, after a backup), or read it with the version "
                "that wrote it."
            ).format(**facts)
        )
    if current != migrate.head_revision():
        if path is not None:
            target = (
                backup_dir or path.parent
            ) / f"{path.stem}.before-{migrate.head_revision()}.sqlite3"
            backup = str(backup_file(engine, target, partial(_not_upgraded, db)))
        migrate.upgrade(engine)
        migrated_from = current
    with read_transaction(engine) as session:
        lacking = unprotected(session.connection())
    if lacking and not studies_unread:  # `audit verify` opens it, and names it (audit.verify)
        raise unprotected_refusal(db, lacking, backup if migrated_from else None)
    with read_transaction(engine) as session:
        records = list(session.scalars(select(StudyRecord).order_by(StudyRecord.id)))
        if not records and studies_unread:
            return _unread(engine, db, clock, migrated_from, backup)
        if not records:
            if session.scalar(select(User).limit(1)) is not None:
                raise _altered(db, _("it holds users and records but no study"))
            raise NotADispensaryDatabase(
                _("{path} has no study recorded. Create it with `dispensary init`.").format(
                    path=shown(db)
                )
            )
        stored = {}
        for each in records:
            try:
                stored[each.id] = parse_study(each.source_text, f"{db} (stored study)")
            except StudyFileError as exc:
                if studies_unread:
                    return _unread(engine, db, clock, migrated_from, backup, records)
                # Its parser's words are left out: they say to correct a file no one holds.
                raise _altered(
                    db,
                    _("the study file stored for study {study} no longer reads as one").format(
                        study=each.protocol
                    ),
                ) from exc
        held = held_of(records)
        if expect_protocol:
            named = chosen_protocol([r.protocol for r in records], expect_protocol.strip())
            chosen = [r for r in records if r.protocol == named]
            if not chosen:
                words = (
                    _(
                        "{path} holds studies {studies}, not {expected}. Name one of them, or "
                        "open the database of the study you mean."
                    )
                    if len(held) > 1
                    else _(
                        "{path} belongs to study {study}, not {expected}. Open the database of "
                        "the study you mean."
                    )
                )
                studies = listed(held)
                raise UnknownStudy(
                    words.format(
                        path=shown(db), studies=studies, study=studies, expected=expect_protocol
                    ),
                    expect_protocol,
                    held,
                    shown(db),
                )
            record = chosen[0]
        else:  # the first study still open (a database's first study, most often)
            record = next((r for r in records if r.closed_at is None), records[0])
        study = stored[record.id]
        if session.scalar(select(User).limit(1)) is None:
            raise NotADispensaryDatabase(
                _("{path} has no users. Create it with `dispensary init`.").format(path=shown(db))
            )
    context = Context(
        engine,
        study,
        clock,
        db,
        study_id=record.id,
        closed=record.closed_at is not None,
        version=record.version or 1,
    )
    return OpenedDatabase(context, migrated_from, backup, studies=held)


def _newer(db: str, schema: str | None) -> DatabaseProblem:
    return DatabaseProblem(
        _(
            "{path} was written by a newer version of Dispensary (schema {schema}). "
            "{nothing} Install the newer version to open it."
        ).format(path=shown(db), schema=schema, nothing=_(NOTHING_CHANGED))
    )


UNPROTECTED = N_(
    "the append-only protection of its records was removed, so they could have been changed "
    "(database triggers missing, disabled or altered: {triggers}; the program does not put them "
    "back itself, which would hide what was done meanwhile)"
)


UPGRADED_FIRST = N_(
    "It was upgraded to this version first; the file as it was before is kept at {path}."
)


def unprotected_refusal(db: str, lacking: list[str], upgraded: str | None = None) -> Unprotected:
    """The refusal of a database whose append-only triggers are missing (db.protection). Found
    after an upgrade (an older schema lacks the triggers of later migrations), it says so, and
    where the copy before it is (`upgraded`), not that nothing was changed."""
    triggers = named_triggers(lacking)
    message = _altered(db, _(UNPROTECTED).format(triggers=triggers)).message
    if upgraded is not None:
        message = message.replace(_(NOTHING_CHANGED), _(UPGRADED_FIRST).format(path=upgraded))
    return Unprotected(message, triggers)


def held_of(records: list[StudyRecord]) -> tuple[str, ...]:
    return tuple(r.protocol for r in records)


def _altered(db: str, what: str) -> DatabaseDamaged:
    """A database whose studies were changed outside the program: no study file to correct
    and no `init` to run, but a backup to restore, after `audit verify` has shown what was
    changed (it opens such a database: open_database's `studies_unread`)."""
    return DatabaseDamaged(
        _(
            "{path} was changed outside the program: {what}. {nothing} An administrator runs "
            "`dispensary audit verify` to see what was changed, keeps this file for "
            "investigation and restores the last good backup (`dispensary restore`)."
        ).format(path=shown(db), what=what, nothing=_(NOTHING_CHANGED))
    )


def _unread(
    engine: Engine,
    db: str,
    clock: Clock,
    migrated_from: str | None,
    backup: str | None,
    records: list[StudyRecord] | None = None,
) -> OpenedDatabase:
    """The database opened for `audit verify` though its studies cannot be read: the context's
    study is the bundled study file's, a stand-in the trail's verification never reads (in
    the first study stored, for the permission to verify; none left: an administrator's)."""
    first = records[0].id if records else 1
    stand_in = load_study(default_study_path())
    context = Context(engine, stand_in, clock, db, study_id=first, stand_in=True)
    return OpenedDatabase(context, migrated_from, backup, studies=held_of(records or []))


@dataclass(frozen=True)
class Location:
    """Where the set-up would keep the pharmacy's records, as tested before anything is made."""

    database: str
    shown: str  # how messages name it (a server URL without its password)
    existing: bool  # already a Dispensary database: opened as it is, not created


TEST_CONNECT_SECONDS = 10
"""How long testing a server waits for it to answer before saying it cannot be reached."""


def check_location(db: str) -> Location:
    """Tests a location for a new database without writing anything: an empty or absent file
    in a folder this account may write, or a PostgreSQL database this program can reach and
    sign in to, empty or already a Dispensary database. Anything else is refused, saying why."""
    url = checked_url(db)
    path = sqlite_path(url_for(db))
    if path is not None:
        tables = _check_sqlite_file(path, must_exist=False, in_window=True).tables
        if not tables:
            _check_folder(path)
            return Location(db, shown(path), existing=False)
        return _judged(db, str(path), tables)
    name = display_name(url)
    tested = db
    if "connect_timeout" not in url.query:
        waited = url.update_query_dict({"connect_timeout": str(TEST_CONNECT_SECONDS)})
        tested = waited.render_as_string(hide_password=False)
    engine = make_engine(tested)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    except DBAPIError as exc:
        problem = fault(engine, exc, NOTHING_CHANGED) or DatabaseProblem(
            with_detail(
                _("The database {path} cannot be reached. {nothing} Check the URL.").format(
                    path=name, nothing=_(NOTHING_CHANGED)
                ),
                exc.orig,
            )
        )
        # Named as it was typed, without the waiting time added for the test.
        problem.message = problem.message.replace(display_name(engine.url), name)
        raise problem from exc
    finally:
        engine.dispose()
    return _judged(db, name, tables)


def _judged(db: str, name: str, tables: set[str]) -> Location:
    if not tables:
        return Location(db, name, existing=False)
    if {"alembic_version", "study"} <= tables:
        return Location(db, name, existing=True)
    raise NotADispensaryDatabase(
        _(
            "{path} is not empty and is not a Dispensary database (it holds {count} other "
            "tables). {nothing} Choose an empty database, or a new file."
        ).format(path=shown(name), count=len(tables), nothing=_(NOTHING_CHANGED))
    )


def _check_folder(path: Path) -> None:
    """The new file's folder, or the nearest one that exists, must be writable by this
    account: said now rather than when the set-up is finished."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise DatabaseProblem(
            _(
                "This account may not create files in {folder}. {nothing} Choose a folder of "
                "your own, or ask the computer's administrator for access."
            ).format(folder=shown(folder), nothing=_(NOTHING_CHANGED))
        )
