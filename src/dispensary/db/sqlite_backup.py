"""Copies and swaps of SQLite database files: a consistent copy of a live database through
SQLite's online backup API, and the exclusive lock under which a database's content is replaced.

Every file made here is created owner-only (mode 0600) before its first byte, so a process killed
half-way leaves nothing that others can read; SQLite gives a database's -journal and -wal the mode
of the database file itself.

Replacing a database that another process has open is what loses work: that process keeps
writing to the old one. So `exclusive_lock` succeeds only when no other connection has the file
open (on a WAL database, `locking_mode=EXCLUSIVE` + `journal_mode=DELETE` needs every other
connection closed, an idle pooled one included), and holds the lock until the new content is in.

The new content is written into the same file, not renamed over it. A connection that opened the
path while it was locked waits on the old file; after a rename it would read the old file, and
SQLite's SQLITE_READONLY_DBMOVED guard only stops it opening a rollback journal: once a third
connection had put the new file in WAL mode, the waiting one was seen (in a test of this design)
to share the new file's -wal and write to it while reading pages of the old file. Written in
place, by SQLite's backup API in one transaction of the locking connection, the content changes
atomically (a kill mid-copy leaves a hot journal that the next opener rolls back), and whoever was
waiting then simply reads the restored database.
"""

from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from dispensary.db.engine import sqlite_path
from dispensary.domain.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseProblem,
    DiskFull,
    InvalidInput,
    ReadOnlyDatabase,
)
from dispensary.files import (
    PRIVATE_MODE,
    create_private,
    fsync_dir,
    fsync_file,
    os_detail,
    with_detail,
    write_all,
)
from dispensary.i18n import _

if sys.platform != "win32":
    import fcntl

SIDE_FILES = ("-wal", "-shm", "-journal")
# SQLite's lock bytes (os_unix.c): PENDING, RESERVED, then 510 SHARED bytes. A write lock on all
# of them is what SQLite's own EXCLUSIVE lock is, for a file SQLite itself cannot open.
PENDING_BYTE = 0x40000000
LOCK_BYTES = 512
_CHUNK = 1 << 20
BACKUP_MARK = 0x44535042  # "DSPB": the application id a backup copy carries in its header
"""A copy made by backup_file carries BACKUP_MARK as its SQLite application id (header offset
68) and the minute it was taken (since 1970, UTC) as its user version (offset 60): a backup is
then known as one wherever it is copied or renamed, and is refused as the live database
(services.setup); a restore takes the mark off the copy it puts in place (unmark)."""
REPLACED_MARK = 0x44535052  # "DSPR": the application id of the database a restore replaced
"""The database a restore replaces is kept (ExclusiveLock.keep) carrying REPLACED_MARK, and the
minute of the restore as its user version, as a backup carries its own: kept for the record,
it is refused as the live database like a backup (services.setup), read by `audit verify`, and
a restore from it takes the mark off (unmark)."""
FINDINGS_NAMED = 3
"""How many of `PRAGMA integrity_check`'s findings a message names (the first few say where)."""


def source_path(engine: Engine) -> Path:
    path = sqlite_path(str(engine.url))
    if path is None:
        raise InvalidInput(
            _(
                "This database is on a server: back it up with the server's tools (pg_dump). "
                "The backup command copies SQLite files only."
            )
        )
    return path


def side_files(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in SIDE_FILES]


def remove_with_side_files(path: Path) -> None:
    for leftover in (path, *side_files(path)):
        leftover.unlink(missing_ok=True)


def file_fault(exc: OSError | sqlite3.Error, what: str) -> DatabaseProblem:
    """A failed file step as the fault the user can act on (free space, permissions, a busy
    workstation), rather than a bare OSError. `what` is in the reader's language ("the backup
    {path}", translated by the caller); the system's own words follow as the technical detail."""
    full = _("No space left on the disk for {what}. Free some space, then try again.")
    failed = _("Could not write {what}. Check the disk and the folder, then try again.")
    denied = _("This account may not write {what}. Check the folder's permissions, then try again.")
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFull(full.format(what=what))
        if exc.errno == errno.EROFS:  # no permission would help: the disk itself is read-only
            read_only = _(
                "The disk or folder of {what} is read-only (a write-protected disk, a read-only "
                "mount): nothing can be written there. Make it writable, or use another disk."
            )
            return ReadOnlyDatabase(with_detail(read_only.format(what=what), os_detail(exc)))
        if exc.errno in (errno.EACCES, errno.EPERM):
            return ReadOnlyDatabase(with_detail(denied.format(what=what), os_detail(exc)))
        return DatabaseProblem(with_detail(failed.format(what=what), exc))
    name = getattr(exc, "sqlite_errorname", None) or ""
    if name == "SQLITE_FULL":
        return DiskFull(full.format(what=what))
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return DatabaseBusy(
            _("The database was busy while writing {what}; try again.").format(what=what)
        )
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_PERM")):
        return ReadOnlyDatabase(with_detail(denied.format(what=what), exc))
    return DatabaseProblem(with_detail(failed.format(what=what), exc))


def _refuse_own_file(source: Path, target: Path) -> None:
    """A backup written over the database itself (or its -wal/-journal) would be renamed over
    the live file while windows hold it open: their later saves would go to the deleted file."""
    own = {p.resolve() for p in (source, *side_files(source))}
    if target.expanduser().resolve() in own:
        raise InvalidInput(
            _(
                "{path} is the database itself: a backup cannot be written over it. Give another "
                "file name, for example in the backups folder. Nothing was written."
            ).format(path=target)
        )


def backup_file(
    engine: Engine,
    target: Path,
    damaged: Callable[[str], DatabaseDamaged] | None = None,
    *,
    replace: bool = True,
) -> Path:
    """Copies the database page by page into `target`, consistent even during writes: into a
    private *.partial first, renamed into place once whole and on disk. A copy that fails the
    full integrity check is not kept: `damaged` (default damaged_source) words the refusal
    from the check's findings, for the step the backup was made for. `replace=False`: an
    existing `target` is never written over (FileExistsError, the partial copy removed)."""
    damaged = damaged or damaged_source
    source = source_path(engine)
    _refuse_own_file(source, target)
    if not replace and (target.exists() or target.is_symlink()):  # before copying a byte
        raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        remove_with_side_files(partial)  # left by a killed backup
        create_private(partial)
        src = sqlite3.connect(str(source), timeout=30)
        try:
            dst = sqlite3.connect(str(partial))
            try:
                src.backup(dst, pages=256)
                dst.execute("PRAGMA journal_mode=DELETE")
                _mark(dst)
                damage = integrity_findings(dst)
            finally:
                dst.close()
        finally:
            src.close()
        if damage:
            raise damaged("; ".join(damage))
        fsync_file(partial)
        if replace:
            os.replace(partial, target)
        else:
            _link_new(partial, target)
        fsync_dir(target.parent)
    except FileExistsError:
        remove_with_side_files(partial)
        raise
    except (OSError, sqlite3.Error) as exc:
        remove_with_side_files(partial)
        name = getattr(exc, "sqlite_errorname", None) or ""
        if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")):  # the database read, damaged
            raise damaged(str(exc)) from exc
        raise file_fault(exc, _("the backup {path}").format(path=target)) from exc
    except BaseException:
        remove_with_side_files(partial)
        raise
    return target


def _mark(conn: sqlite3.Connection, mark: int = BACKUP_MARK) -> None:
    minute = int(datetime.now(UTC).timestamp()) // 60
    conn.execute(f"PRAGMA application_id = {mark}")
    conn.execute(f"PRAGMA user_version = {minute}")
    conn.commit()


def backup_taken(path: Path) -> datetime | None:
    """When the file at `path` was taken as a backup (UTC, to the minute), read from its header
    without opening it with SQLite; None when it is not a backup (or cannot be read)."""
    return _marked_at(path, BACKUP_MARK)


def replaced_on(path: Path) -> datetime | None:
    """When a restore replaced the database kept in the file at `path` (UTC, to the minute),
    read from its header; None when it is not a database a restore replaced (REPLACED_MARK)."""
    return _marked_at(path, REPLACED_MARK)


def _marked_at(path: Path, mark: int) -> datetime | None:
    """The minute the header of the file at `path` carries with `mark` (None: another mark, no
    mark, or a file that cannot be read), read without opening it with SQLite."""
    try:
        with path.open("rb") as handle:
            header = handle.read(72)
    except OSError:
        return None
    if len(header) < 72 or int.from_bytes(header[68:72], "big") != mark:
        return None
    minute = int.from_bytes(header[60:64], "big", signed=True)
    return datetime.fromtimestamp(max(minute, 0) * 60, UTC)


ANCHOR_LOG = "anchors.log"
"""The anchor log beside the backups (services.backup): a line per backup, its name in the sixth
field and the whole hash of the last audit entry it holds in the fifth."""
WRITTEN_LIST = "automatic-backups.log"
"""The list beside the automatic backups (services.backup): name, bytes and SHA-256 of each."""


def listed_backup(path: Path) -> datetime | None:
    """When the file at `path` was taken as a backup, for a copy made before backups were marked
    (backup_taken): the anchor log beside it has a line of its name holding the whole hash of
    its last audit entry (the time logged), or the automatic backups' list beside it a line of
    its name, size and SHA-256 (the file's time). None when no log beside it lists this very
    file: a name alone is not enough (a backup named like the live database elsewhere)."""
    folder, name = path.parent, path.name
    logged = [f for f in _log_lines(folder / ANCHOR_LOG) if len(f) in (6, 7) and f[5] == name]
    written = {
        (int(f[1]), f[2])
        for f in _log_lines(folder / WRITTEN_LIST)
        if len(f) == 3 and f[0] == name and f[1].isdigit()
    }
    if not logged and not written:
        return None
    last = _last_entry_hash(path) if logged else None
    for fields in reversed(logged):
        if last is not None and fields[4] == last:
            with suppress(ValueError):
                at = datetime.fromisoformat(fields[0])
                return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    try:
        size = path.stat().st_size
        if written and any(size == n for n, _digest in written):
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            if (size, digest) in written:
                return datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return None
    return None


def _log_lines(log: Path) -> list[list[str]]:
    """The tab-separated fields of each line of a log beside the backups (none: no log)."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return []
    return [line.split("\t") for line in text.splitlines() if not line.startswith("#")]


def _last_entry_hash(path: Path) -> str | None:
    """The whole hash of the last audit entry the file holds, read without changing it."""
    try:
        conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            row = conn.execute(
                "SELECT entry_hash FROM audit_entries ORDER BY id DESC LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def unmark(path: Path) -> None:
    """Takes the backup's mark (or that of a database a restore replaced) off a private copy
    about to become the live database."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        if conn.execute("PRAGMA application_id").fetchone()[0] in (BACKUP_MARK, REPLACED_MARK):
            conn.execute("PRAGMA application_id = 0")
            conn.execute("PRAGMA user_version = 0")
    finally:
        conn.close()


def _link_new(partial: Path, target: Path) -> None:
    """Puts `partial` at `target` only if no file is there (a link fails on an existing name,
    where a rename would replace it); on a file system without hard links, checked then
    renamed."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError:
        if target.exists():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target)) from None
        os.replace(partial, target)
    else:
        partial.unlink()


def damaged_source(findings: str) -> DatabaseDamaged:
    """A backup refused because the database it copies is damaged: the copy is not kept, so the
    day's rotation cannot replace the good backups with damaged ones."""
    return DatabaseDamaged(
        with_detail(
            _(
                "The database is damaged, so this backup of it was not kept and the older backups "
                "were left as they are. Stop work on this database and restore the last good "
                'backup, or call the administrator (see "Backups and a restore drill" in the '
                "administrator's guide)."
            ),
            findings,
        )
    )


def integrity_findings(conn: sqlite3.Connection) -> list[str]:
    """The first few of `PRAGMA integrity_check`'s findings, none when the file is whole. The
    full check, not the quick one made at each opening: it also compares every index with its
    table, and an index that has lost rows silently hides them from the queries that use it
    (a kit no longer found by its number). It reads the whole file, so it is made where a
    whole-file pass is paid anyway: on each backup (off the counter's thread) and on the copy
    a restore brings in."""
    rows = conn.execute(f"PRAGMA integrity_check({FINDINGS_NAMED})").fetchall()
    found = [str(row[0]) for row in rows]
    return [] if found == ["ok"] else found


def copy_private(source: Path, target: Path) -> None:
    """The bytes of `source` in `target`, fsynced: a new file created owner-only, or an existing
    one (a scratch file made private, whose lock must stay on it) overwritten in place. `source`
    is only read, never opened with SQLite (which would switch it to WAL or checkpoint it)."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError:
        fd = os.open(target, os.O_WRONLY | os.O_TRUNC)
    try:
        with source.open("rb") as src:
            while chunk := src.read(_CHUNK):
                write_all(fd, chunk)
        os.fsync(fd)
    finally:
        os.close(fd)


def copy_database_private(source: Path, target: Path) -> None:
    """A private copy of a database file with its -wal and -journal, as SQLite would read them."""
    copy_private(source, target)
    for suffix in ("-wal", "-journal"):
        side, copied = Path(f"{source}{suffix}"), Path(f"{target}{suffix}")
        copied.unlink(missing_ok=True)
        if side.is_file():
            copy_private(side, copied)


def single_file(path: Path) -> None:
    """Folds a closed database's WAL into the file and leaves it in rollback mode: one file, with
    no -wal beside it, that can be renamed into place whole. Fsynced with its folder."""
    conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
    try:
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    finally:
        conn.close()
    if mode != "delete" or Path(f"{path}-wal").exists():
        raise DatabaseBusy(
            _("{path} is still in use; nothing was replaced. Try again.").format(path=path)
        )
    fsync_file(path)
    fsync_dir(path.parent)


def put_in_place(new: Path, target: Path) -> None:
    """Puts a finished database where there was none: linked into place, which fails rather than
    replace a file that appeared meanwhile (renamed where links are not supported)."""
    try:
        try:
            os.link(new, target)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            os.replace(new, target)
        else:
            new.unlink()
        fsync_dir(target.parent)
    except FileExistsError as exc:
        raise DatabaseBusy(
            _(
                "{path} appeared while the new database was being made; nothing was replaced. "
                "Try again."
            ).format(path=target)
        ) from exc
    except OSError as exc:
        raise file_fault(exc, _("the database {path}").format(path=target)) from exc


@contextmanager
def scratch_beside(target: Path, suffix: str, doing: str) -> Iterator[Path]:
    """A private, empty scratch file beside `target` (`target` + `suffix`) to build a database
    in before it takes the place of `target`. A leftover of a killed run is removed first; one
    that a running process still holds (an flock) is refused. Removed at the end."""
    scratch = target.with_name(target.name + suffix)
    _remove_leftover(scratch, doing)
    try:
        fd = os.open(scratch, os.O_RDWR | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
    except FileExistsError as exc:
        raise DatabaseBusy(
            _("Another {doing} of {path} is under way; try again later.").format(
                doing=_(doing), path=target
            )
        ) from exc
    except OSError as exc:
        raise file_fault(exc, _("a new file beside {path}").format(path=target)) from exc
    try:
        if sys.platform != "win32":
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        yield scratch
    finally:
        remove_with_side_files(scratch)  # copied into place, or renamed away already
        os.close(fd)


def _remove_leftover(scratch: Path, doing: str) -> None:
    if not scratch.exists():
        return
    fd = os.open(scratch, os.O_RDONLY)
    try:
        if sys.platform != "win32":
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise DatabaseBusy(
                    _("Another {doing} is under way ({path} is in use); try again later.").format(
                        doing=_(doing), path=scratch
                    )
                ) from exc
        remove_with_side_files(scratch)
    finally:
        os.close(fd)


def open_elsewhere(path: Path) -> DatabaseBusy:
    return DatabaseBusy(
        _(
            "Another workstation or window has the database {path} open. Close the program there "
            "(every window and command using this database), then try again. Nothing was changed."
        ).format(path=path)
    )


@dataclass
class LockedFile:
    """A database file no other process may read or write until the lock is released.

    `conn` holds SQLite's own EXCLUSIVE lock (the file checkpointed into one file, in rollback
    mode); for a file SQLite cannot read (a damaged database being replaced by --force), `fd`
    holds the same lock bytes with fcntl instead.
    """

    path: Path
    conn: sqlite3.Connection | None
    fd: int | None

    @property
    def identity(self) -> tuple[int, int]:
        found = os.stat(self.path)
        return found.st_dev, found.st_ino

    def protocol(self) -> str | None:
        """The first study of the locked database (the one it was made for), if it can be read
        (read through the lock: opening the file again in this process would drop POSIX locks
        on closing)."""
        if self.conn is None:
            return None
        try:
            row = self.conn.execute("SELECT protocol FROM study ORDER BY id LIMIT 1").fetchone()
        except sqlite3.Error:
            return None
        return str(row[0]) if row else None

    def first_entry(self) -> tuple[str, str] | None:
        """The hash and time of the locked database's first audit entry, which no other
        database shares (its own creation), if it can be read (through the lock, as protocol)."""
        return self._row("SELECT entry_hash, at FROM audit_entries ORDER BY id LIMIT 1")

    def pharmacy_name(self) -> str | None:
        """The pharmacy's name in the locked database's settings, if it can be read and is set."""
        row = self._row("SELECT value, '' FROM settings WHERE key = 'pharmacy.name'")
        return row[0] if row and row[0] else None

    def _row(self, sql: str) -> tuple[str, str] | None:
        if self.conn is None:
            return None
        try:
            row = self.conn.execute(sql).fetchone()
        except sqlite3.Error:
            return None
        return (str(row[0]), str(row[1])) if row else None

    def keep(self, kept: Path) -> None:
        """Keeps the locked file whole at `kept` (a new name, owner-only), copied under the lock
        into `kept`.partial, fsynced, then renamed. A copy and not a hard link: two names of one
        file would give SQLite two -wal files for it, and a kill before the swap would leave them.
        A copy SQLite can read carries REPLACED_MARK (refused as the live database); a file it
        cannot read is kept byte for byte, unmarked: the mark written outside SQLite would change
        the bytes kept for investigation (and a file that is no SQLite file has no header to
        carry it); the restore's result says so (services.backup.REPLACED_NOT_MARKED)."""
        partial = kept.with_name(kept.name + ".partial")
        remove_with_side_files(partial)
        create_private(partial)
        try:
            if self.conn is not None:
                dst = sqlite3.connect(str(partial))
                try:
                    self.conn.backup(dst)
                    dst.execute("PRAGMA journal_mode=DELETE")
                    _mark(dst, REPLACED_MARK)  # kept for the record, not the live database
                finally:
                    dst.close()
            else:
                self._copy_bytes(partial)
            fsync_file(partial)
            os.replace(partial, kept)
        except BaseException:
            remove_with_side_files(partial)
            raise
        if self.conn is None:
            self._keep_side_files(kept)
        fsync_dir(kept.parent)

    def _keep_side_files(self, kept: Path) -> None:
        """The -wal/-journal of a file SQLite cannot read go with its copy, so that none is left
        to be read with the new database (SQLite would apply a -wal it finds to any file)."""
        for suffix in SIDE_FILES:
            side = Path(f"{self.path}{suffix}")
            if not side.exists():
                continue
            if suffix == "-shm":
                side.unlink()
            else:
                side.chmod(PRIVATE_MODE)
                os.replace(side, Path(f"{kept}{suffix}"))

    def _copy_bytes(self, partial: Path) -> None:
        """Read through the locked descriptor: opening and closing the file again in this
        process would release the fcntl lock (POSIX locks belong to the process)."""
        if self.fd is None:  # pragma: no cover - Windows, where no lock bytes are held
            partial.unlink()
            copy_private(self.path, partial)
            return
        out = os.open(partial, os.O_WRONLY)
        try:
            offset = 0
            while chunk := os.pread(self.fd, _CHUNK, offset):
                write_all(out, chunk)
                offset += len(chunk)
        finally:
            os.close(out)

    def replace_with(self, new: Path, copying: Callable[[], None] | None = None) -> None:
        """Puts the database `new` in place of the locked one, the lock held until `release`:
        its pages written into the locked file in one transaction (`copying` is called once,
        half-way through the copy, before anything is committed). A file SQLite cannot read, which no one
        can be using, is renamed over instead."""
        if self.conn is not None:
            self._copy_into(new, copying)
            return
        if os.name == "nt":  # pragma: no cover - not run here
            # Windows cannot rename over a file that is open; one opened elsewhere meanwhile
            # makes the rename fail, which refuses.
            self.release()
            try:
                os.replace(new, self.path)
            except PermissionError as exc:
                raise open_elsewhere(self.path) from exc
            return
        os.replace(new, self.path)

    def _copy_into(self, new: Path, copying: Callable[[], None] | None) -> None:
        assert self.conn is not None
        src = sqlite3.connect(f"{new.absolute().as_uri()}?mode=ro", uri=True)
        try:
            pages = int(src.execute("PRAGMA page_count").fetchone()[0])
            told = False

            def progress(_status: int, remaining: int, total: int) -> None:
                nonlocal told
                if copying is not None and 0 < remaining <= total // 2 and not told:
                    told = True  # half-way through, nothing committed yet
                    copying()

            # Several steps, one destination transaction: committed only with the last step.
            src.backup(self.conn, pages=max(1, pages // 8), progress=progress)
        finally:
            src.close()

    def release(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@contextmanager
def exclusive_lock(path: Path, wait_seconds: float) -> Iterator[LockedFile]:
    """Holds `path` so that no other connection can use it; raises DatabaseBusy at once (after
    `wait_seconds` for a step under way elsewhere to end) when another connection has it open."""
    # Not chmodded: its mode is the site's choice; the -journal SQLite makes under the lock takes
    # that mode, no wider than the database itself.
    locked = _lock_with_sqlite(path, wait_seconds)
    if locked is None:
        locked = _lock_bytes(path)
    try:
        yield locked
    finally:
        locked.release()


def _lock_with_sqlite(path: Path, wait_seconds: float) -> LockedFile | None:
    """None when SQLite cannot read the file (not a database, damaged)."""
    uri = f"{path.absolute().as_uri()}?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=wait_seconds, isolation_level=None)
    except sqlite3.Error as exc:
        raise file_fault(exc, _("the database {path}").format(path=path)) from exc
    try:
        conn.execute("PRAGMA locking_mode=EXCLUSIVE")
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.close()
        name = getattr(exc, "sqlite_errorname", None) or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            raise open_elsewhere(path) from exc
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return None
        raise file_fault(exc, _("the database {path}").format(path=path)) from exc
    if mode != "delete" or Path(f"{path}-wal").exists():
        conn.close()
        raise open_elsewhere(path)
    return LockedFile(path, conn, None)


def _lock_bytes(path: Path) -> LockedFile:
    if sys.platform == "win32":  # pragma: no cover - the rename itself refuses an open file
        return LockedFile(path, None, None)
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, LOCK_BYTES, PENDING_BYTE, os.SEEK_SET)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise open_elsewhere(path) from exc
        raise file_fault(exc, _("the database {path}").format(path=path)) from exc
    return LockedFile(path, None, fd)
