"""Files that hold study data: created readable by their owner only from the first byte, written
whole or not at all.

A chmod after the write leaves a window (and a killed process leaves the file as it was
created), so every copy, report, label and partial file is opened with mode 0600 here.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_MODE = 0o600
PRIVATE_UMASK = 0o077


def private_umask() -> int:
    """Makes files created by this process (SQLite's -wal/-shm included) owner-only; returns the
    previous umask. Called once by each entry point (the `dispensary` command, the app)."""
    return os.umask(PRIVATE_UMASK)


def create_private(path: Path, exist_ok: bool = False) -> None:
    """Creates `path` empty with mode 0600 (so a SQLite file opened on it next is private)."""
    flags = os.O_WRONLY | os.O_CREAT | (0 if exist_ok else os.O_EXCL)
    fd = os.open(path, flags, PRIVATE_MODE)
    os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Makes a rename in the folder durable (POSIX; a no-op where folders cannot be opened)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private(target: Path, data: bytes) -> None:
    """Writes `data` to `target` whole or not at all (a partial file renamed into place), owner-
    only from the start. An OSError (disk full, read-only folder...) leaves no partial file."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def mode_wider_than_private(path: Path) -> bool:
    """Whether group or others may read or write the file (a warning, not a refusal: a file
    shared on purpose by two accounts of one computer is the site's choice)."""
    if os.name != "posix":
        return False
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False
