"""SQLite itself finds a database read-only although this account may write the file and its
folder: its working files (-wal, -shm) beside it were left by the program run under another
account (an administrator's, root's). The message said "the file, its folder or its disk is
read-only for this account" and to ask for write access to the file and its folder, which the
account already had; and a backup by hand left its copy behind while saying nothing was saved.

As root (CI), the other account is `nobody` and the working files are root's, mode 644; as
another user, they are this account's own, chmodded 444: SQLite sees the same.

A restore over a database file this account may not write went through the backup's checks and
failed at the lock with "Could not write the database ... Check the disk and the folder" and
SQLite's "disk I/O error": it is refused first, naming the cause."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from dispensary.db.faults import read_only_fault
from dispensary.domain.errors import ReadOnlyDatabase
from signed import restore_forced

from .test_faults import (
    ENROL_ARGS,
    NOBODY,
    Command,
    _fingerprint,
    _is_root,
    _read_only_site,
    _this_account,
    as_account,
    load_every_command,
)
from .test_faults import command as command  # the fixtures: the real command, in-process
from .test_faults import db_file as db_file  # the test database as a closed SQLite file
from .test_faults import open_folder as open_folder  # a folder other accounts can reach

SIDE_WORDS = "its working files beside it (pharmacy.sqlite3-wal, pharmacy.sqlite3-shm)"
OLD_WORDS = "the file, its folder or its disk is read-only"


@pytest.fixture
def foreign_side_files(db_file: Path, open_folder: Path) -> Iterator[Path]:
    """The database in a folder this account may write, the file too, with its -wal and -shm
    held open by another connection, as a running program would (_only_read makes them
    read-only for the account the test acts as)."""
    folder = open_folder / "site"
    folder.mkdir()
    folder.chmod(0o777)
    path = folder / "pharmacy.sqlite3"
    shutil.copyfile(db_file, path)
    path.chmod(0o666)
    holder = sqlite3.connect(path)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("SELECT count(*) FROM audit_entries").fetchone()
    try:
        yield path
    finally:
        holder.close()


def _only_read(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").chmod(0o644 if _is_root() else 0o444)


def test_working_files_of_another_account_are_named_and_no_backup_is_left(
    foreign_side_files: Path, open_folder: Path, command: Command
) -> None:
    path = foreign_side_files
    out, home = open_folder / "out", open_folder / "home"
    for folder in (out, home):
        folder.mkdir()
        folder.chmod(0o777)
    command(path, "inventory")  # its modules loaded, before another account runs it
    load_every_command()
    _only_read(path)  # after this account's own run, which may have made them anew
    account = (lambda: as_account(NOBODY, NOBODY)) if _is_root() else _this_account
    with account():
        made = command(path, "backup", "--out", str(out / "b.sqlite3"), user="admin", home_dir=home)
        enrolled = command(path, *ENROL_ARGS, home_dir=home)
    for result in (made, enrolled):
        assert result.code == 5, result.err
        assert SIDE_WORDS in result.err and "folder are not the cause" in result.err, result.err
        assert "do not delete them" in result.err
        assert OLD_WORDS not in result.err
    # The copy made before the entry could not be written is kept, named by the anchor log
    # and by the message (services/backup.py keeps a copy whose audit entry failed).
    assert sorted(p.name for p in out.iterdir()) == ["anchors.log", "b.sqlite3"]
    assert "b.sqlite3" in (out / "anchors.log").read_text(encoding="utf-8")
    assert "b.sqlite3" in made.err, made.err


def test_a_database_sqlite_calls_read_only_with_nothing_found_is_not_blamed_on_permissions(
    tmp_path: Path,
) -> None:
    """The file, its folder and its disk writable, no working file in the way: what is true."""
    path = tmp_path / "pharmacy.sqlite3"
    sqlite3.connect(path).close()
    fault = read_only_fault(str(path), path)
    assert isinstance(fault, ReadOnlyDatabase)
    assert fault.message.startswith(f"SQLite reports {path} read-only, though this account may")
    assert OLD_WORDS not in fault.message


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_restore_over_a_database_this_account_may_not_write_is_refused_first(
    what: str, db_file: Path, open_folder: Path
) -> None:
    path, account = _read_only_site(db_file, open_folder, what)
    copy = open_folder / "backup.sqlite3"
    shutil.copyfile(db_file, copy)
    copy.chmod(0o644)
    files = _fingerprint(path.parent)
    with account(), pytest.raises(ReadOnlyDatabase) as refused:
        restore_forced(path, copy, reason="restored in a test")
    message = refused.value.message
    assert message.startswith("The backup was not restored, and nothing was changed: "), message
    cause = "the file is read-only" if what == "file" else "its folder is read-only"
    assert f"cannot be written by this account ({cause} for this account)" in message
    assert "disk I/O" not in message and "Check the disk" not in message
    assert _fingerprint(path.parent) == files, "not a byte written beside it"
