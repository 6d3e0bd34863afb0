"""Database faults told apart, each with what to do about it.

A full disk, a read-only file or folder and a workstation holding the write lock leave every
saved record intact: advising a restore for them would throw saved work away. So every error of
SQLite (its result codes), of PostgreSQL (its SQLSTATE) or of the file system is turned here
into the `DatabaseProblem` that names it truthfully; only damage advises restoring a backup.
An error that is not a fault of the disk, the file, the lock or the server (a constraint, a
programming mistake) is left as it is: it is a bug to be seen, not a condition to explain. The
one exception is the database's own refusal to change or delete a record of what happened
(migration 0004's append-only triggers): it is `AppendOnly`, as the program's guards say it.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
from enum import StrEnum
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import OperationalError as SAOperationalError

from dispensary.db.guards import TRIGGER_WORDS
from dispensary.domain.errors import (
    AppendOnly,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseProblem,
    DiskFull,
    NotADispensaryDatabase,
    ReadOnlyDatabase,
)
from dispensary.files import (
    NOTHING_CHANGED,
    NOTHING_SAVED,
    mode_wider_than_private,
    os_detail,
    shown,
    with_detail,
)
from dispensary.i18n import N_, _

KEEP_BACKUPS = N_("Your saved records are safe: do not restore a backup.")
"""Said after every fault that leaves the records intact; `nothing` (NOTHING_SAVED or
NOTHING_CHANGED) is given in English and translated, like this, when the message is written."""
# Below this much free space, an I/O error of SQLite is most likely the full disk (SQLite
# reports a failed shared-memory or journal allocation as an I/O error, not as SQLITE_FULL).
LOW_SPACE_BYTES = 1024 * 1024

# SQLite primary result codes (the low byte of the extended code Python 3.11 reports).
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_PROTOCOL = 15
SQLITE_AUTH = 23
SQLITE_NOTADB = 26
SQLITE_READONLY_DBMOVED = SQLITE_READONLY | (4 << 8)  # the file was renamed or deleted under us
SQLITE_CONSTRAINT = 19
SQLITE_CONSTRAINT_TRIGGER = SQLITE_CONSTRAINT | (7 << 8)  # RAISE(ABORT, ...) in a trigger
# When a code is missing (an exception raised by hand, an older driver): SQLite's own words.
_SQLITE_WORDS = [
    ("database or disk is full", SQLITE_FULL),
    ("readonly database", SQLITE_READONLY),
    ("database is locked", SQLITE_BUSY),
    ("database table is locked", SQLITE_LOCKED),
    ("malformed", SQLITE_CORRUPT),
    # The driver's own words for bytes that are not UTF-8 in a text value: a page SQLite's
    # quick check finds well formed, with damaged contents.
    ("could not decode to utf-8", SQLITE_CORRUPT),
    ("file is not a database", SQLITE_NOTADB),
    ("unable to open database file", SQLITE_CANTOPEN),
    ("disk i/o error", SQLITE_IOERR),
]


def busy_message(waited_ms: int | None, nothing: str = NOTHING_SAVED) -> str:
    if waited_ms:
        return _(
            "The database is busy: another workstation is writing; try again in a moment. This "
            "workstation waited {seconds} s for it to finish. {nothing}"
        ).format(seconds=f"{waited_ms / 1000:g}", nothing=_(nothing))
    return _(
        "The database is busy: another workstation is writing; try again in a moment. {nothing}"
    ).format(nothing=_(nothing))


def disk_full_message(db: str, nothing: str) -> str:
    return _(
        "The disk holding {path} is full. {nothing} Free some space on that disk (or ask IT "
        "to), then try again. {keep}"
    ).format(path=shown(db), nothing=_(nothing), keep=_(KEEP_BACKUPS))


def read_only_message(db: str, nothing: str) -> str:
    return _(
        "{path} cannot be written: the file, its folder or its disk is read-only for this "
        "account. {nothing} Ask whoever looks after this computer to give your account write "
        "access to the file and its folder, then try again. {keep}"
    ).format(path=shown(db), nothing=_(nothing), keep=_(KEEP_BACKUPS))


SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def _unusable_side_files(path: Path) -> list[Path]:
    """The database's working files beside it that this account may not read and write: left
    by the program run there under another account (an administrator's, root's), they make
    SQLite open the database read-only, or not at all, though the file and its folder may be
    written by this account."""
    found = [Path(f"{path}{suffix}") for suffix in SQLITE_SIDE_FILES]
    return [p for p in found if p.exists() and not os.access(p, os.R_OK | os.W_OK)]


def _side_files_message(db: str, blocked: list[Path], nothing: str) -> str:
    return _(
        "{path} cannot be written by this account: its working files beside it ({files}) may "
        "not be read and written by this account (left, for example, by the program run there "
        "under another account). The database file and its folder are not the cause. {nothing} "
        "Ask whoever looks after this computer to give your account read and write access to "
        "{files}; do not delete them, as they may hold saved records. {keep}"
    ).format(
        path=shown(db),
        files=", ".join(p.name for p in blocked),
        nothing=_(nothing),
        keep=_(KEEP_BACKUPS),
    )


def read_only_fault(db: str, path: Path | None, nothing: str = NOTHING_SAVED) -> ReadOnlyDatabase:
    """SQLite's own report that it may not write the database (SQLITE_READONLY), with the cause
    found on the disk: the file, its folder, its disk, or working files (-wal, -shm) that another
    account left. "The file, its folder or its disk" without looking sent the administrator to
    change permissions that were already right."""
    if path is None:  # a server, or a file not known here: the general words
        return ReadOnlyDatabase(read_only_message(db, nothing))
    kind = read_only_kind(path)
    where = {"path": shown(db), "nothing": _(nothing), "keep": _(KEEP_BACKUPS)}
    if kind is ReadOnlyKind.DISK:
        why = _(
            "{path} cannot be written: its disk is mounted read-only. {nothing} Have the disk "
            "mounted writable, or copy the database to a disk that can be written. {keep}"
        )
    elif kind is ReadOnlyKind.FOLDER:
        why = _(
            "{path} cannot be written: its folder {folder} is read-only for this account, and "
            "the database needs to create its working files there. {nothing} Ask whoever looks "
            "after this computer to give your account write access to the folder. {keep}"
        )
    elif kind is not None:
        why = _(
            "{path} cannot be written: the file is read-only for this account. {nothing} Ask "
            "whoever looks after this computer to give your account read and write access to "
            "the file. {keep}"
        )
    elif blocked := _unusable_side_files(path):
        return ReadOnlyDatabase(_side_files_message(db, blocked, nothing))
    else:
        why = _(
            "SQLite reports {path} read-only, though this account may write the file, its "
            "folder and its working files. {nothing} Close every window and command using this "
            "database and start again; if it is still read-only, ask whoever looks after this "
            "computer what keeps it from being written (a security policy, the network share's "
            "own rules). {keep}"
        )
    return ReadOnlyDatabase(why.format(folder=shown(path.parent), **where))


def _low_on_space(path: Path | None) -> bool:
    if path is None:
        return False
    try:
        return shutil.disk_usage(path.parent).free < LOW_SPACE_BYTES
    except OSError:
        return False


def append_only_refusal(detail: str, nothing: str) -> AppendOnly:
    """The database's own refusal (migration 0004's triggers) to change or delete a record of
    what happened: not damage, and nothing to restore. Its words say what to do instead."""
    return AppendOnly(
        _("The database refused to change or delete a saved record: {detail}. {nothing}").format(
            detail=detail, nothing=_(nothing)
        )
    )


_UNDECODABLE = re.compile(r"Could not decode to UTF-8 column '(?P<column>.*?)' with text", re.S)


def _undecodable(detail: str) -> str:
    """The driver's words for a text value that is not UTF-8, without the value itself (its
    bytes garbled) or the SQL of a computed column: only the column, when it has a name."""
    found = _UNDECODABLE.match(detail)
    if found is None:
        return detail
    column = found["column"]
    if re.fullmatch(r"\w{1,64}", column):
        return _("a value in column '{column}' is not readable text").format(column=column)
    return _("a value is not readable text")


def sqlite_code(exc: BaseException) -> int | None:
    """SQLite's primary result code of an sqlite3 error (from its words if it has no code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    words = str(exc).lower()
    for phrase, guessed in _SQLITE_WORDS:
        if phrase in words:
            return guessed
    return None


def sqlite_fault(
    exc: BaseException,
    db: str,
    path: Path | None,
    nothing: str = NOTHING_SAVED,
    waited_ms: int | None = None,
) -> DatabaseProblem | None:
    """The fault an SQLite error stands for, or None if it is not one (a constraint, a bug).
    `path` is the database file (its disk is measured on an I/O error)."""
    code = sqlite_code(exc)
    detail = _undecodable(str(exc))
    if (
        getattr(exc, "sqlite_errorcode", None) == SQLITE_CONSTRAINT_TRIGGER
        and TRIGGER_WORDS in detail
    ):
        return append_only_refusal(detail, nothing)
    if getattr(exc, "sqlite_errorcode", None) == SQLITE_READONLY_DBMOVED:
        return DatabaseProblem(
            _(
                "{path} was replaced (a restore, or the file moved) while this workstation had "
                "it open. {nothing} Close Dispensary here and start it again. {keep}"
            ).format(path=shown(db), nothing=_(nothing), keep=_(KEEP_BACKUPS))
        )
    if code == SQLITE_FULL or (code == SQLITE_IOERR and _low_on_space(path)):
        return DiskFull(disk_full_message(db, nothing))
    if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH):
        return read_only_fault(db, path, nothing)
    if code in (SQLITE_BUSY, SQLITE_LOCKED, SQLITE_PROTOCOL):
        return DatabaseBusy(busy_message(waited_ms, nothing))
    if code == SQLITE_CORRUPT:
        return damaged(db, detail)
    if code == SQLITE_NOTADB:
        return NotADispensaryDatabase(
            with_detail(
                _(
                    "{path} is not a Dispensary database, or is damaged: SQLite cannot read it "
                    "as a database. {nothing} Check the path (--db, or DISPENSARY_DB)."
                ).format(path=shown(db), nothing=_(NOTHING_CHANGED)),
                detail,
            )
        )
    if code == SQLITE_CANTOPEN and path is not None and (blocked := _unusable_side_files(path)):
        return ReadOnlyDatabase(_side_files_message(db, blocked, nothing))
    if code == SQLITE_CANTOPEN:
        return DatabaseProblem(
            with_detail(
                _(
                    "{path} cannot be opened. {nothing} Check the path, and that this account "
                    "may read and write the file and its folder."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    if code == SQLITE_IOERR:
        return DatabaseProblem(
            with_detail(
                _(
                    "{path} could not be read or written: the disk reported an error. {nothing} "
                    "Check the disk or network drive, then try again; if it keeps happening, "
                    "have it checked before restoring anything."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    return None


# PostgreSQL SQLSTATEs (psycopg's DiskFull, ReadOnlySqlTransaction, LockNotAvailable...).
_PG_DISK_FULL = {"53100"}
_PG_READ_ONLY = {"25006", "42501"}
_PG_BUSY = {"55P03", "40P01", "40001", "57014"}
_PG_DAMAGED = {"XX001", "XX002"}
_PG_NOT_NOW = {"53300", "57P01", "57P02", "57P03", "53000", "53200"}
_PG_SIGN_IN = {"28000", "28P01"}
_PG_NO_DATABASE = {"3D000"}
_PG_RAISED = "P0001"  # raise_exception: RAISE EXCEPTION in a trigger function
_PG_REFUSED_AT_CONNECT = (
    ("password authentication failed", "28P01"),
    ("no password supplied", "28P01"),
    ('role "', "28000"),  # role "x" does not exist
    ('database "', "3D000"),  # database "x" does not exist
)
"""A refusal at connection carries no SQLSTATE in psycopg (libpq gives only the server's text):
the SQLSTATE the server's message stands for, so that a wrong password is not said to be an
unreachable server."""


def _connect_state(detail: str) -> str | None:
    if "no password supplied" in detail:  # libpq's own words, before the server answers
        return "28P01"
    if "FATAL" not in detail or ("does not exist" not in detail and "password" not in detail):
        return None
    return next((state for words, state in _PG_REFUSED_AT_CONNECT if words in detail), None)


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    return (lines[0] if lines else type(exc).__name__)[:300]


def server_fault(
    exc: DBAPIError, db: str, nothing: str = NOTHING_SAVED, waited_ms: int | None = None
) -> DatabaseProblem | None:
    """The fault a database server's error stands for (PostgreSQL's SQLSTATE), or None."""
    orig = exc.orig
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    detail = _first_line(orig) if orig is not None else _first_line(exc)
    state = state or _connect_state(detail)
    if state == _PG_RAISED and TRIGGER_WORDS in detail:
        return append_only_refusal(detail, nothing)
    if state in _PG_DISK_FULL:
        return DiskFull(
            with_detail(
                _(
                    "The database server's disk is full. {nothing} Ask whoever runs the server "
                    "for {path} to free space, then try again. {keep}"
                ).format(path=shown(db), nothing=_(nothing), keep=_(KEEP_BACKUPS)),
                detail,
            )
        )
    if state in _PG_READ_ONLY:
        return ReadOnlyDatabase(
            with_detail(
                _(
                    "The database server for {path} lets this connection read only. {nothing} "
                    "Use the URL of the primary server, or a database user that may write. "
                    "{keep}"
                ).format(path=shown(db), nothing=_(nothing), keep=_(KEEP_BACKUPS)),
                detail,
            )
        )
    if state in _PG_BUSY:
        return DatabaseBusy(busy_message(waited_ms, nothing))
    if state in _PG_DAMAGED:
        return DatabaseDamaged(
            with_detail(
                _(
                    "The database server reports damaged data in {path}. {nothing} Ask whoever "
                    "runs the server to check it and restore its last backup."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    if state in _PG_SIGN_IN and "no password supplied" in detail:
        return DatabaseProblem(
            with_detail(
                _(
                    "The database server of {path} asks for a password, and this workstation has "
                    "none for it: a password is never kept with the database's location. "
                    "{nothing} Add the line host:port:database:user:password to this computer's "
                    "PostgreSQL password file (PGPASSFILE, else ~/.pgpass with owner-only "
                    "access, or %APPDATA%\\postgresql\\pgpass.conf on Windows), then start "
                    "again."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    if state in _PG_SIGN_IN:
        return DatabaseProblem(
            with_detail(
                _(
                    "The database server refused the user name or password of {path}. {nothing} "
                    "Check the URL (--db, or DISPENSARY_DB)."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    if state in _PG_NO_DATABASE:
        return DatabaseProblem(
            with_detail(
                _(
                    "The database server has no such database: {path}. {nothing} Check the URL, "
                    "or create the database with `dispensary init`."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    if (
        state in _PG_NOT_NOW
        or (state or "").startswith("08")
        or (state is None and (isinstance(exc, SAOperationalError) or exc.connection_invalidated))
    ):
        return DatabaseProblem(
            with_detail(
                _(
                    "The database server of {path} cannot be reached or is not taking "
                    "connections. {nothing} Check that the server is running and that this "
                    "computer can reach it, then try again."
                ).format(path=shown(db), nothing=_(nothing)),
                detail,
            )
        )
    return None


def dbapi_fault(
    exc: DBAPIError,
    db: str,
    path: Path | None,
    nothing: str = NOTHING_SAVED,
    waited_ms: int | None = None,
) -> DatabaseProblem | None:
    """The fault behind an error SQLAlchemy raised (SQLite file or server), or None."""
    if isinstance(exc.orig, sqlite3.Error):
        return sqlite_fault(exc.orig, db, path, nothing, waited_ms)
    return server_fault(exc, db, nothing, waited_ms)


def file_fault(exc: OSError, path: Path | str, nothing: str = NOTHING_CHANGED) -> DatabaseProblem:
    """The fault an OSError on the database file (or its folder) stands for."""
    where = shown(exc.filename if exc.filename and exc.errno == errno.ENAMETOOLONG else path)
    if exc.errno == errno.ENAMETOOLONG:
        return DatabaseProblem(
            _(
                "The database path is longer than this system allows: {path}. {nothing} Choose "
                "a shorter path."
            ).format(path=where, nothing=_(nothing))
        )
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(disk_full_message(str(path), nothing))
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ReadOnlyDatabase(
            with_detail(
                _(
                    "This account may not use {path}. {nothing} Ask whoever looks after this "
                    "computer to give your account read and write access to the file and its "
                    "folder. {keep}"
                ).format(path=where, nothing=_(nothing), keep=_(KEEP_BACKUPS)),
                os_detail(exc),
            )
        )
    return DatabaseProblem(
        with_detail(
            _("{path} cannot be opened. {nothing} Check the path.").format(
                path=where, nothing=_(nothing)
            ),
            os_detail(exc),
        )
    )


def escaped_fault(exc: BaseException, db: str) -> DatabaseProblem | None:
    """The fault behind a database error that reached the top of a command or window without
    passing through a transaction (a last resort: the transactions name their own)."""
    path = Path(db) if "://" not in db else None
    if path is None:
        try:
            db = make_url(db).render_as_string(hide_password=True)
        except ArgumentError:
            db = _("the database")
    if isinstance(exc, DBAPIError):
        return dbapi_fault(exc, db, path)
    if isinstance(exc, sqlite3.Error):
        return sqlite_fault(exc, db, path)
    return None


class ReadOnlyKind(StrEnum):
    """Why this account may only read a database file (read_only_kind)."""

    DISK = "disk"  # the disk is mounted read-only (a CD, a locked USB stick, a read-only share)
    UNREADABLE = "unreadable"  # not even readable: nothing can be done with it
    FILE = "file"  # the file is read-only for this account (chmod 444, another owner's)
    FOLDER = "folder"  # its folder is: SQLite could not create its -wal and -shm files there
    KEPT = "kept"  # a backup, or a database a restore replaced: read by `audit verify` only,
    # never written, so that its bytes still match the checksum logged for it


def read_only_kind(path: Path) -> ReadOnlyKind | None:
    """Why this account may not write the database file, before SQLite touches it: a read-only
    disk, an unreadable or read-only file, or a folder where SQLite cannot create the -wal and
    -shm files a writer needs (WAL mode). None if the file and its folder may be written."""
    folder = path.parent
    if (
        os.access(path, os.R_OK)
        and os.access(path, os.W_OK)
        and os.access(folder, os.W_OK | os.X_OK)
    ):
        return None
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return ReadOnlyKind.DISK
    except (OSError, AttributeError):
        pass
    if not os.access(path, os.R_OK):
        return ReadOnlyKind.UNREADABLE
    if not os.access(path, os.W_OK):
        return ReadOnlyKind.FILE
    return ReadOnlyKind.FOLDER


def read_only_reason(path: Path) -> ReadOnlyDatabase | None:
    """The refusal of a database file this account may not write (read_only_kind), where it
    must be written (a new database, the windows, which record every sign-in); None if it
    may be written."""
    kind = read_only_kind(path)
    if kind is None:
        return None
    folder = path.parent
    if kind is ReadOnlyKind.DISK:
        why = _(
            "The database cannot be used: the disk holding {path} is read-only (mounted "
            "read-only). {nothing} Copy the database to a disk that can be written, or have this "
            "one mounted writable. {keep}"
        )
    elif kind is ReadOnlyKind.UNREADABLE:
        why = _(
            "The database cannot be used: {path} cannot be read by this account (permission "
            "denied). {nothing} Ask whoever looks after this computer to give your account read "
            "and write access to it. {keep}"
        )
    elif kind is ReadOnlyKind.FILE:
        why = _(
            "The database cannot be used: {path} is read-only for this account, so nothing "
            "could be saved in it. {nothing} Ask whoever looks after this computer to give your "
            "account write access to the file. {keep}"
        )
    else:
        why = _(
            "The database cannot be used: the folder {folder} is read-only for this account, and "
            "the database needs to create its working files ({name}-wal, {name}-shm) beside it "
            "to record anything. {nothing} Ask whoever looks after this computer to give your "
            "account write access to the folder. {keep}"
        )
    return ReadOnlyDatabase(
        why.format(
            path=shown(path),
            folder=shown(folder),
            name=path.name,
            nothing=_(NOTHING_CHANGED),
            keep=_(KEEP_BACKUPS),
        )
    )


def read_only_cause(kind: ReadOnlyKind) -> str:
    """Why a database is open read-only, as a clause of the sentences that say so."""
    if kind is ReadOnlyKind.DISK:
        return _("its disk is mounted read-only")
    if kind is ReadOnlyKind.FOLDER:
        return _("its folder is read-only for this account")
    if kind is ReadOnlyKind.KEPT:
        return _(
            "it is a backup, or a database a restore replaced, kept as it is for the record: "
            "reading it changes not a byte of it"
        )
    return _("the file is read-only for this account")


def read_only_note(db: str, kind: ReadOnlyKind) -> str:
    """Said when a database this account may not write is opened to be read (an inspector's
    copy on a CD or a locked USB stick, a file chmodded 444): read as it is, nothing recorded."""
    return _(
        "{path} is open read-only ({cause}): it is read as it is, and nothing is recorded in it, "
        "not even this sign-in."
    ).format(path=shown(db), cause=read_only_cause(kind))


def read_only_refusal(
    db: str, kind: ReadOnlyKind, nothing: str = NOTHING_SAVED
) -> ReadOnlyDatabase:
    """The refusal of a step that would record something in a database open read-only: refused
    before anything is written (a sign-in, a report, a verification record nothing there)."""
    return ReadOnlyDatabase(
        _(
            "Nothing can be recorded in {path}: it is open read-only ({cause}). {nothing} It can "
            "still be read, verified (audit verify) and reported on as it is. To record in it, "
            "this account needs write access to the file and its folder: ask whoever looks after "
            "this computer. A copy handed over for inspection can be copied to a folder you can "
            "write, and that copy opened. {keep}"
        ).format(
            path=shown(db), cause=read_only_cause(kind), nothing=_(nothing), keep=_(KEEP_BACKUPS)
        )
    )


def unread_wal_refusal(path: Path, kind: ReadOnlyKind) -> ReadOnlyDatabase:
    """A read-only database whose -wal file holds records not yet in the file, without the -shm
    file SQLite reads them through: it cannot create one here, and reading the file alone would
    show the records as they were before those (a wrong state, said as if it were the file's)."""
    return ReadOnlyDatabase(
        _(
            "{path} cannot be read as it is: its {name}-wal file holds records not yet written "
            "into the database file, and SQLite needs to create {name}-shm beside it to read "
            "them, which it may not do there ({cause}). {nothing} Copy the database together "
            "with its {name}-wal file to a folder you can write, and open the copy. {keep}"
        ).format(
            path=shown(path),
            name=path.name,
            cause=read_only_cause(kind),
            nothing=_(NOTHING_CHANGED),
            keep=_(KEEP_BACKUPS),
        )
    )


def damaged(db: str, detail: str) -> DatabaseDamaged:
    """A damaged database file, said in the reader's words with what to do; SQLite's own
    (English) words only as the technical detail at the end, for whoever investigates."""
    return DatabaseDamaged(
        with_detail(
            _(
                "{path} is damaged: part of the file cannot be read as a database. {nothing} "
                "Restore the last backup (dispensary restore, or ask the administrator: see "
                '"Backups and a restore drill" in the administrator\'s guide).'
            ).format(path=shown(db), nothing=_(NOTHING_CHANGED)),
            detail,
        )
    )


def mode_warning(path: Path) -> str | None:
    """A warning, not a refusal, when other accounts may read or write the database: a file
    shared on purpose by two accounts of one computer is the site's choice, and is never
    chmodded by the program (it may not even be allowed to)."""
    if not mode_wider_than_private(path):
        return None
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return None
    return _(
        "{shown} may be read by other accounts of this computer (permissions {mode}, not 600), "
        "and it holds study data. Unless it is shared with another account on purpose, make it "
        "private: chmod 600 '{path}'."
    ).format(shown=shown(path), mode=f"{mode:03o}", path=path)
