"""Backups with SQLite's online backup API (safe while the app is in use), rotation, restore.

A restore is built so that a kill at any moment leaves either the old database or the restored
one, each whole and each with its audit trail in step:

1. the backup's bytes are copied to a private `NAME.restoring` beside the database (the backup
   itself is only read: opening it with the program would switch it to WAL);
2. that copy must open as a Dispensary database of the same study, and its audit trail and
   ledger must verify;
3. the restore is recorded in the copy's own audit trail (`database_restored`), never in the
   live database, whose chain may be the very thing that is out of step;
4. the copy is checkpointed into one file and fsynced;
5. the live database is locked exclusively, which fails while any other connection has it open
   (a workstation, a window, an idle pooled connection): then nothing has been changed;
6. under that lock the live database is kept whole as `NAME.replaced-<time>.sqlite3`, and the
   copy's pages are written into it in one SQLite transaction (db/sqlite_backup.py says why in
   place rather than by a rename), before the lock is released.

A PostgreSQL database is restored with the server's own tools (docs/INSTALL.md).
"""

from __future__ import annotations

import glob
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import ArgumentError

from dispensary.db.engine import read_transaction, sqlite_path, url_for, write_transaction
from dispensary.db.sqlite_backup import (
    backup_file,
    copy_database_private,
    exclusive_lock,
    file_fault,
    put_in_place,
    remove_with_side_files,
    scratch_beside,
    single_file,
    source_path,
)
from dispensary.domain.errors import DatabaseProblem, InvalidInput, RuleViolation
from dispensary.files import fsync_dir
from dispensary.services.audit import Recorder, verify_session
from dispensary.services.context import Actor, Clock, Context, SystemClock
from dispensary.services.permissions import Permission, require
from dispensary.services.results import BackupResult
from dispensary.services.setup import open_database

DEFAULT_KEEP = 14
# How long a restore waits for a step under way on another workstation to end before it says
# the database is in use. An open window holds the file for as long as it is open: no wait helps.
LOCK_WAIT_SECONDS = 3.0
# The points of a restore, in order, at which `restore(on_step=...)` is called: the kill tests
# stop the process at each of them.
RESTORE_STEPS = (
    "copied",  # the backup's bytes are in the private NAME.restoring
    "verified",  # ... which opens, is of this study, and whose chains verify
    "recorded",  # ... with database_restored in its audit trail
    "single_file",  # ... checkpointed into one fsynced file
    "locked",  # the live database is locked: no other connection has it open
    "kept",  # the live database is kept whole as NAME.replaced-<time>.sqlite3
    "copying",  # the restored pages are being written into it, not yet committed
    "replaced",  # ... committed (the lock still held)
    "released",  # the lock is released
)
SERVER_RESTORE = (
    "restore replaces a SQLite database file. A database server is restored with its own tools: "
    "pg_restore the dump into a new database, check it with `dispensary --db URL audit verify`, "
    "then point the workstations at it (docs/INSTALL.md, 'Restoring a PostgreSQL database'). "
    "Nothing was changed."
)

StepHook = Callable[[str], None]


@dataclass(frozen=True)
class RestoreResult:
    database: str
    restored_from: str
    replaced_file_kept_at: str | None  # None when there was no database to replace


def backup(ctx: Context, actor: Actor, out: str | Path) -> BackupResult:
    require(actor, Permission.BACKUP)
    target = Path(out).expanduser()
    if target.exists() and target.is_dir():
        raise InvalidInput(f"{target} is a folder: give a file name for the backup.")
    written = backup_file(ctx.engine, target)
    with write_transaction(ctx.engine) as session:
        Recorder(session, actor, ctx.clock.now()).audit(
            "backup",
            "database",
            written.name,
            {"path": str(written), "bytes": written.stat().st_size},
        )
    return BackupResult(str(written), written.stat().st_size, ctx.clock.now())


def automatic_backup(
    ctx: Context, actor: Actor, folder: Path, keep: int = DEFAULT_KEEP
) -> BackupResult | None:
    """The first sign-in of a day makes a backup; older ones beyond `keep` are removed."""
    if sqlite_path(str(ctx.engine.url)) is None:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    stem = source_path(ctx.engine).stem
    today = ctx.clock.today().isoformat()
    existing = sorted(folder.glob(f"{stem}-*.sqlite3"))
    if any(p.name.startswith(f"{stem}-{today}") for p in existing):
        return None
    stamp = ctx.clock.now().strftime("%Y-%m-%dT%H%M%S")
    target = folder / f"{stem}-{stamp}.sqlite3"
    written = backup_file(ctx.engine, target)
    with write_transaction(ctx.engine) as session:
        Recorder(session, actor, ctx.clock.now()).audit(
            "backup_automatic", "database", written.name, {"path": str(written)}
        )
    for old in sorted(folder.glob(f"{stem}-*.sqlite3"))[:-keep] if keep > 0 else []:
        old.unlink()
    return BackupResult(str(written), written.stat().st_size, ctx.clock.now())


def is_server_database(db: str | Path) -> bool:
    """A database URL other than a SQLite file: restored with the server's tools, not here."""
    text = str(db)
    if "://" not in text:
        return False
    try:
        return sqlite_path(url_for(text)) is None
    except ArgumentError:
        return True


def restore(
    db_path: str | Path,
    backup_path: str | Path,
    restored_by: str = "",
    *,
    clock: Clock | None = None,
    expect_protocol: str | None = None,
    on_step: StepHook | None = None,
) -> RestoreResult:
    """Replaces the database file with a checked backup while no one else has it open; the
    replaced file is kept whole beside it, and the restored database's audit trail says who
    restored it, from where, and where the replaced file is. `on_step` is called at each of
    RESTORE_STEPS (for the kill tests)."""
    if is_server_database(db_path):
        raise RuleViolation(SERVER_RESTORE)
    target = sqlite_path(url_for(str(db_path)))
    assert target is not None  # not a server database
    source = Path(backup_path).expanduser()
    try:
        found = source.is_file()
    except OSError:  # a name too long for the file system, say
        found = False
    if not found:
        raise InvalidInput(f"There is no backup file {source}.")
    if target.is_dir():
        raise InvalidInput(f"{target} is a folder, not a database file.")
    if target.exists() and source.resolve() == target.resolve():
        raise InvalidInput(f"{source} is the database itself, not a backup of it.")
    step = on_step or _no_step
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_fault(exc, f"the folder of {target}") from exc
    with scratch_beside(target, ".restoring", "restore") as restoring:
        _remove_killed_copies(target)
        try:
            copy_database_private(source, restoring)
        except OSError as exc:
            raise file_fault(exc, f"a copy of the backup beside {target}") from exc
        step("copied")
        kept = _kept_name(target) if target.exists() else None
        protocol = _check_and_record(
            restoring,
            source,
            target,
            clock or SystemClock(),
            expect_protocol,
            kept,
            restored_by,
            step,
        )
        step("recorded")
        single_file(restoring)
        step("single_file")
        if kept is None:
            put_in_place(restoring, target)
            for name in RESTORE_STEPS[RESTORE_STEPS.index("replaced") :]:
                step(name)
            return RestoreResult(str(target), str(source), None)
        with exclusive_lock(target, LOCK_WAIT_SECONDS) as live:
            step("locked")
            live_protocol = live.protocol()
            if live_protocol is not None and live_protocol != protocol:
                raise DatabaseProblem(
                    f"The backup {source} belongs to study {protocol}, not {live_protocol}; it "
                    "was not restored, and nothing was changed."
                )
            try:
                live.keep(kept)
                step("kept")
                live.replace_with(restoring, copying=lambda: step("copying"))
                fsync_dir(target.parent)
            except (OSError, sqlite3.Error) as exc:
                raise file_fault(exc, f"the restored database {target}") from exc
            step("replaced")
        step("released")
    return RestoreResult(str(target), str(source), str(kept))


def _no_step(_name: str) -> None:
    return None


def _remove_killed_copies(target: Path) -> None:
    """A restore killed while keeping the replaced file leaves NAME.replaced-<time>.sqlite3.partial
    (the database it was copying was not replaced); only one restore runs at a time."""
    pattern = f"{glob.escape(target.stem)}.replaced-*{glob.escape(target.suffix)}.partial"
    for leftover in target.parent.glob(pattern):
        remove_with_side_files(leftover)


def _kept_name(target: Path) -> Path:
    """NAME.replaced-<time>.sqlite3, a new name even for two restores within a second."""
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    kept = target.with_name(f"{target.stem}.replaced-{stamp}{target.suffix}")
    n = 2
    while kept.exists():
        kept = target.with_name(f"{target.stem}.replaced-{stamp}-{n}{target.suffix}")
        n += 1
    return kept


def _refusal(exc: DatabaseProblem, copy: Path, source: Path) -> DatabaseProblem:
    """The check's own message, about the backup the user named rather than the private copy."""
    reason = exc.message.replace(str(copy), str(source))
    return type(exc)(f"The backup was not restored, and nothing was changed: {reason}")


def _check_and_record(
    copy: Path,
    source: Path,
    target: Path,
    clock: Clock,
    expect_protocol: str | None,
    kept: Path | None,
    restored_by: str,
    step: StepHook,
) -> str:
    """Opens the private copy (never the backup itself), refuses it unless it is a Dispensary
    database of the expected study whose chains verify, then records the restore in it; returns
    its study's protocol."""
    with tempfile.TemporaryDirectory(prefix="dispensary-restore-") as scratch:
        try:
            # An older schema is upgraded in the copy; the backup itself is the file before.
            opened = open_database(str(copy), clock, backup_dir=Path(scratch))
        except DatabaseProblem as exc:
            raise _refusal(exc, copy, source) from exc
        ctx = opened.context
        try:
            if expect_protocol is not None and ctx.study.protocol != expect_protocol:
                raise DatabaseProblem(
                    f"The backup {source} belongs to study {ctx.study.protocol}, not "
                    f"{expect_protocol}; it was not restored, and nothing was changed."
                )
            with read_transaction(ctx.engine) as session:
                verified = verify_session(session)
            if not verified.ok:
                first = (
                    f" The first bad audit entry is {verified.first_bad}."
                    if verified.first_bad is not None
                    else ""
                )
                raise DatabaseProblem(
                    f"The backup {source} does not verify, so it was not restored and nothing "
                    f"was changed. {verified.message}{first}"
                )
            step("verified")
            with write_transaction(ctx.engine) as session:
                Recorder(session, None, clock.now()).audit(
                    "database_restored",
                    "database",
                    target.name,
                    {"from": str(source), "replaced_file_kept_at": str(kept) if kept else ""},
                    username=restored_by or "-",
                )
            return ctx.study.protocol
        finally:
            ctx.engine.dispose()
