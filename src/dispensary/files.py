"""Files that hold study data: created readable by their owner only from the first byte, written
whole or not at all; and what to tell the user when one cannot be written.

A chmod after the write leaves a window (and a killed process leaves the file as it was
created), so every copy, report, label and partial file is opened with mode 0600 here.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
from pathlib import Path

from dispensary.i18n import N_, _, sentences

PRIVATE_MODE = 0o600
PRIVATE_UMASK = 0o077
NOTHING_SAVED = N_("Nothing was saved.")
NOTHING_CHANGED = N_("Nothing was changed.")
"""In English, as every message is written: translated (`_(NOTHING_SAVED)`) where it is said."""
TECHNICAL_DETAIL = N_("Technical detail: {detail}")
"""The system's own words for a fault (SQLite's, the operating system's, a database server's),
which no catalogue translates: said last, after the sentence in the reader's words."""


NOT_IN_FILE_NAMES = frozenset('<>:"/\\|?*')
"""Characters Windows refuses in a file name (and "/" everywhere)."""
DEVICE_NAMES = frozenset(
    {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{n}" for n in range(1, 10)),
        *(f"LPT{n}" for n in range(1, 10)),
    }
)
"""Names Windows keeps for devices, whatever follows the dot ("NUL.pdf" is no file)."""
FILE_NAME_LENGTH = 150
"""Characters of a suggested name before its suffix: room left for the folder's path."""


def offered_file_name(stem: str, suffix: str = ".pdf") -> str:
    """A name to suggest when a document is saved, in the reader's words ("发放标签 DSP000135.pdf")
    and safe on Windows: no character it refuses, no control character, no device name, no
    trailing dot or space, not too long. `stem` is the translated name without `suffix`."""
    kept = "".join(" " if c in NOT_IN_FILE_NAMES or not c.isprintable() else c for c in stem)
    name = " ".join(kept.split())[:FILE_NAME_LENGTH].rstrip(" .")
    if not name:
        name = "document"
    if name.split(".")[0].strip().upper() in DEVICE_NAMES:
        name = f"_{name}"
    return name + suffix


def with_detail(message: str, detail: object) -> str:
    """`message`, a sentence in the reader's words that says what happened and what to do, then
    the system's own (English) words as the technical detail, for whoever investigates: in the
    middle of a Chinese sentence they said neither what was wrong nor what to do."""
    words = " ".join(str(detail if detail is not None else "").split())
    if not words:
        return message
    return sentences([message, _(TECHNICAL_DETAIL).format(detail=words)])


def before_detail(message: str, *more: str) -> str:
    """`message` (a fault's, perhaps ending with its technical detail) followed by `more`
    sentences, put before that detail so that it stays last: the reader reads what to do, not
    the system's words, after the quoted fault."""
    marker = _(TECHNICAL_DETAIL).partition("{detail}")[0].strip()
    said, found, detail = message.partition(marker)
    if not found or not said.strip():
        return sentences([message, *more])
    return sentences([said, *more, found + detail])


def os_detail(exc: OSError) -> str:
    """The operating system's words for a failed file step ("Permission denied"), the technical
    detail of the message that says it in the reader's words."""
    return exc.strerror or str(exc)


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


def write_all(fd: int, data: bytes) -> None:
    """Writes the whole of `data` to the open file `fd` (one os.write may write only part)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_and_close(fd: int, data: bytes) -> None:
    """`data` written whole to `fd` and fsynced; `fd` closed whatever happens."""
    try:
        write_all(fd, data)
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
        _write_and_close(fd, data)
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def staged_name(target: Path) -> Path:
    """The longest name a `Staged` file beside `target` may take (its random part as long as
    `tempfile` makes it): checked before any work, as a name over the system's limit."""
    return target.with_name(f".{target.name}.XXXXXXXX.partial")


class Staged:
    """A file written whole beside its target under a temporary name, owner-only from the first
    byte, and put in its place (`keep`) only once the step it belongs to has been recorded: a
    label sheet whose print the audit trail must hold. Until then the file of that name (an
    earlier copy, replaced with --force) is as it was; `discard` removes the temporary file
    alone, so that a step refused after the writing leaves the earlier file untouched."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.partial: Path | None = None

    def write(self, data: bytes) -> None:
        """Writes `data` to a new temporary file in the target's folder (so that `keep` is a
        rename, at once); an OSError (disk full...) leaves no temporary file."""
        self.discard()
        fd, name = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=".partial", dir=self.target.parent
        )
        self.partial = Path(name)  # mkstemp opens it with mode 0600
        try:
            _write_and_close(fd, data)
        except OSError:
            self.discard()
            raise

    def keep(self) -> None:
        """The file written put in the target's place (an earlier file of that name replaced);
        an OSError leaves the earlier file as it was and removes the temporary one."""
        assert self.partial is not None, "nothing written to keep"
        try:
            os.replace(self.partial, self.target)
        except OSError:
            self.discard()
            raise
        self.partial = None

    def discard(self) -> None:
        """The temporary file removed, if one is left; the target is not touched."""
        if self.partial is not None:
            self.partial.unlink(missing_ok=True)
            self.partial = None


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
    if refused == "\0":
        refusal = _(
            "'{name}' holds a NUL byte (\\x00), which no file or folder name on this computer may "
            "hold. Nothing was done: give the name again without it."
        )
    else:
        refusal = _(
            "'{name}' holds the character '{character}', which no file or folder name on this "
            "computer may hold. Nothing was done: give the name again without it."
        )
    return refusal.format(name=shown(_escaped(text)), character=_escaped(refused))


def shown(path: str | Path, limit: int = 120) -> str:
    """A path as a message can show it: a name over the system's limit is cut in the middle."""
    text = str(path)
    if len(text) <= limit:
        return text
    return _("{start}…{end} ({count} characters)").format(
        start=text[: limit // 2], end=text[-limit // 3 :], count=len(text)
    )


def write_error_text(exc: OSError, target: Path | str, written: bool = True) -> str:
    """What to tell the user when a file the program writes (a report, a label, a copy) could
    not be written (or, `written` False, a file it reads or writes could not be used); a
    partial file is already gone."""
    where = shown(target)
    nothing = _(NOTHING_SAVED)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        full = (
            _(
                "The disk is full: {path} could not be written. {nothing} Free some space, then "
                "try again."
            )
            if written
            else _(
                "The disk is full: {path} could not be used. {nothing} Free some space, then "
                "try again."
            )
        )
        return full.format(path=where, nothing=nothing)
    if exc.errno == errno.EROFS:
        return _(
            "{path} is on a read-only disk. {nothing} Choose a folder on another disk."
        ).format(path=where, nothing=nothing)
    if exc.errno in (errno.EACCES, errno.EPERM):
        denied = (
            _(
                "This account may not write {path} (permission denied). {nothing} Choose a "
                "folder of yours, or ask for access."
            )
            if written
            else _(
                "This account may not use {path} (permission denied). {nothing} Choose a folder "
                "of yours, or ask for access."
            )
        )
        return denied.format(path=where, nothing=nothing)
    if exc.errno == errno.ENAMETOOLONG:
        return _(
            "The file name is longer than this system allows: {path}. {nothing} Choose a shorter "
            "name or folder."
        ).format(path=where, nothing=nothing)
    if exc.errno == errno.ENOENT:
        if written:
            return _("The folder of {path} does not exist. {nothing} Create it first.").format(
                path=where, nothing=nothing
            )
        return _("{path} does not exist. {nothing} Check the name.").format(
            path=where, nothing=nothing
        )
    if exc.errno == errno.EISDIR:
        return _("{path} is a folder. {nothing} Give a file name.").format(
            path=where, nothing=nothing
        )
    other = (
        _(
            "{path} could not be written. {nothing} Check the folder, and that the file is not "
            "open in another program."
        )
        if written
        else _(
            "{path} could not be used. {nothing} Check the folder, and that the file is not open "
            "in another program."
        )
    )
    return with_detail(other.format(path=where, nothing=nothing), os_detail(exc))
