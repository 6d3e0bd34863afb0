"""Backups with SQLite's online backup API (safe while the app is in use), rotation, restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from dispensary.db.engine import restrict_file, sqlite_path, write_transaction
from dispensary.db.sqlite_backup import backup_file, source_path
from dispensary.domain.errors import InvalidInput
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import require
from dispensary.services.results import BackupResult
from dispensary.services.setup import open_database

DEFAULT_KEEP = 14


def backup(ctx: Context, actor: Actor, out: str | Path) -> BackupResult:
    require(actor, "backup")
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


def _copy_live(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file, including what is still in its WAL."""
    src = sqlite3.connect(str(source), timeout=30)
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def restore(db_path: str | Path, backup_path: str | Path, restored_by: str = "") -> Path:
    """Replaces the database file with a checked backup; the replaced file is kept aside, and
    the restored database's audit trail says who restored it, from where, and when."""
    source = Path(backup_path).expanduser()
    target = Path(db_path).expanduser()
    if not source.is_file():
        raise InvalidInput(f"There is no backup file {source}.")
    opened = open_database(str(source))
    opened.context.engine.dispose()
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    kept: Path | None = None
    if target.exists():
        kept = target.with_name(f"{target.stem}.replaced-{stamp}{target.suffix}")
        try:
            _copy_live(target, kept)
        except sqlite3.DatabaseError:
            shutil.copy2(target, kept)  # a damaged file: keep its bytes as they are
        restrict_file(kept)  # the replaced database holds study data too
        for suffix in ("-wal", "-shm"):
            side = Path(f"{target}{suffix}")
            if side.exists():
                side.unlink()
    partial = target.with_name(target.name + ".restoring")
    shutil.copy2(source, partial)
    os.replace(partial, target)
    restrict_file(target)
    check = open_database(str(target))
    try:
        with write_transaction(check.context.engine) as session:
            Recorder(session, None, check.context.clock.now()).audit(
                "database_restored",
                "database",
                target.name,
                {"from": str(source), "replaced_file_kept_at": str(kept) if kept else ""},
                username=restored_by or "-",
            )
    finally:
        check.context.engine.dispose()
    return target
