"""Files that hold study data: created readable by their owner only from the first byte, written
whole or not at all; and what to tell the user when one cannot be written.

A chmod after the write leaves a window (and a killed process leaves the file as it was
created), so every copy, report, label and partial file is opened with mode 0600 here.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

PRIVATE_MODE = 0o600
PRIVATE_UMASK = 0o077
NOTHING_SAVED = "Nothing was saved."
NOTHING_CHANGED = "Nothing was changed."


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


# What Windows refuses in a file or folder name besides NUL: the control characters and <>"|?*
# (`:` is left to the system: it names the drive, and a path holding it elsewhere is refused
# with a plain error).
_WINDOWS_REFUSED = frozenset('<>"|?*') | frozenset(map(chr, range(1, 32)))


def _escaped(text: str) -> str:
    """`text` with each character a terminal would not show written as an escape (\\x00)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def path_refusal(text: str, url: bool = False) -> str | None:
    """Why `text` can be no path on this computer, or None: it holds a NUL byte (the system
    calls would end the name there; Python refuses it with a ValueError, not an OSError), or on
    Windows a character no file name there may hold. A database URL (`url`, and `://` in `text`)
    may hold `?` and the like; a NUL byte is refused in it all the same. The message starts with
    the value, so that a caller can put where it was in front (a command-line option)."""
    refused = "\0" if "\0" in text else None
    if refused is None and sys.platform == "win32" and not (url and "://" in text):
        name = text.removeprefix("\\\\?\\")  # \\?\C:\... : a long path, not a character
        refused = next((ch for ch in name if ch in _WINDOWS_REFUSED), None)
    if refused is None:
        return None
    character = "a NUL byte (\\x00)" if refused == "\0" else f"the character '{_escaped(refused)}'"
    return (
        f"'{shown(_escaped(text))}' holds {character}, which no file or folder name on this "
        "computer may hold. Nothing was done: give the name again without it."
    )


def shown(path: str | Path, limit: int = 120) -> str:
    """A path as a message can show it: a name over the system's limit is cut in the middle."""
    text = str(path)
    if len(text) <= limit:
        return text
    return f"{text[: limit // 2]}…{text[-limit // 3 :]} ({len(text)} characters)"


def write_error_text(exc: OSError, target: Path | str, written: bool = True) -> str:
    """What to tell the user when a file the program writes (a report, a label, a copy) could
    not be written (or, `written` False, a file it reads or writes could not be used); a
    partial file is already gone."""
    where = shown(target)
    done = "written" if written else "used"
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full: {where} could not be {done}. {NOTHING_SAVED} Free some space, "
            "then try again."
        )
    if exc.errno == errno.EROFS:
        return f"{where} is on a read-only disk. {NOTHING_SAVED} Choose a folder on another disk."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return (
            f"This account may not {'write' if written else 'use'} {where} (permission "
            f"denied). {NOTHING_SAVED} Choose a folder of yours, or ask for access."
        )
    if exc.errno == errno.ENAMETOOLONG:
        return (
            f"The file name is longer than this system allows: {where}. {NOTHING_SAVED} Choose "
            "a shorter name or folder."
        )
    if exc.errno == errno.ENOENT:
        if written:
            return f"The folder of {where} does not exist. {NOTHING_SAVED} Create it first."
        return f"{where} does not exist. {NOTHING_SAVED} Check the name."
    if exc.errno == errno.EISDIR:
        return f"{where} is a folder. {NOTHING_SAVED} Give a file name."
    return (
        f"{where} could not be {done} ({exc.strerror or exc}). {NOTHING_SAVED} Check the "
        "folder, and that the file is not open in another program."
    )
