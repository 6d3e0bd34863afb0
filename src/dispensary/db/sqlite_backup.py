"""A consistent copy of a live SQLite database through SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from dispensary.db.engine import restrict_file, sqlite_path
from dispensary.domain.errors import InvalidInput


def source_path(engine: Engine) -> Path:
    path = sqlite_path(str(engine.url))
    if path is None:
        raise InvalidInput(
            "This database is on a server: back it up with the server's tools (pg_dump). "
            "The backup command copies SQLite files only."
        )
    return path


def backup_file(engine: Engine, target: Path) -> Path:
    """Copies the database page by page into `target`, consistent even during writes."""
    source = source_path(engine)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if partial.exists():
        partial.unlink()
    src = sqlite3.connect(str(source), timeout=30)
    try:
        dst = sqlite3.connect(str(partial))
        try:
            src.backup(dst, pages=256)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    restrict_file(partial)
    os.replace(partial, target)
    return target
