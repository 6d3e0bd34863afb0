"""A backup copied whole whose audit entry cannot be written is kept, never deleted: the lock
held by another workstation past the busy timeout, a full disk, a database found read-only only
then. The automatic backup at sign-in deleted its copy in each case, and the backup by hand in
all but the first; now each keeps it, logs its code in the anchor log beside it, and says where
it is, that the audit trail does not record it, and what to do."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dispensary.db import engine as db_engine
from dispensary.domain.errors import DatabaseBusy, DiskFull, ReadOnlyDatabase
from dispensary.services import backup
from dispensary.services.audit import Recorder

from .sites import build_site


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another workstation holds the database's write lock meanwhile."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            held.set()
            release.wait(timeout=60)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(timeout=30)
        yield
    finally:
        release.set()
        holder.join(timeout=60)


def _recorded(db: Path, action: str) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT entity_id FROM audit_entries WHERE action = ? ORDER BY id", (action,)
            )
        ]


def _whole(copy: Path) -> None:
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_automatic_backup_keeps_the_copy_the_lock_kept_out_of_the_trail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db_engine, "BUSY_TIMEOUT_MS", 300)
    db = tmp_path / "pharmacy.sqlite3"
    folder = tmp_path / "backups"
    site = build_site(str(db), kits=2, enrolled=0)
    try:
        site.ctx.engine.dispose()
        with write_lock_held(db), pytest.raises(backup.BackupNotRecorded) as kept:
            backup.automatic_backup(site.ctx, site.actors["pharm"], folder)
        copy = Path(kept.value.path)
        message = kept.value.message
        assert isinstance(kept.value.cause, DatabaseBusy)
        assert message.startswith(f"Today's automatic backup was copied to {copy} and kept")
        assert "the audit trail could not record it" in message
        assert "another workstation is writing" in message
        assert str(folder / "anchors.log") in message
        assert "the next sign-in makes the day's backup again" in message
        assert copy.is_file() and copy.parent == folder
        _whole(copy)
        assert f"\t{copy.name}" in (folder / "anchors.log").read_text(encoding="utf-8")
        assert copy.name in (folder / backup.WRITTEN_LIST).read_text(encoding="utf-8")
        assert _recorded(db, "backup_automatic") == []

        # Not today's backup for the trail: the next sign-in makes one it records.
        again = backup.automatic_backup(site.ctx, site.actors["pharm"], folder)
        assert again is not None and Path(again.path) != copy
        assert _recorded(db, "backup_automatic") == [Path(again.path).name]
        assert copy.is_file(), "the unrecorded copy is not rotated away"
    finally:
        site.ctx.engine.dispose()


@pytest.mark.parametrize(
    ("errorname", "kind", "said"),
    [
        ("SQLITE_FULL", DiskFull, "is full"),
        ("SQLITE_READONLY", ReadOnlyDatabase, "read-only"),
    ],
)
@pytest.mark.parametrize("automatic", [False, True])
def test_a_backup_whose_entry_fails_another_way_keeps_the_copy(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    errorname: str,
    kind: type[Exception],
    said: str,
    automatic: bool,
) -> None:
    """The entry's write fails as SQLite fails it on a full disk or a read-only file found only
    then: the copy was removed and the fault said "Nothing was saved"."""
    db = tmp_path / "pharmacy.sqlite3"
    folder = tmp_path / "backups"
    site = build_site(str(db), kits=2, enrolled=0)
    before = _recorded(db, "backup") + _recorded(db, "backup_automatic")

    def failing(self: Recorder, action: object, *args: object, **kwargs: object) -> None:
        fault = sqlite3.OperationalError("database or disk is full")
        fault.sqlite_errorname = errorname
        fault.sqlite_errorcode = {"SQLITE_FULL": 13, "SQLITE_READONLY": 8}[errorname]
        raise fault

    monkeypatch.setattr(Recorder, "audit", failing)
    try:
        with pytest.raises(backup.BackupNotRecorded if automatic else kind) as refused:
            if automatic:
                backup.automatic_backup(site.ctx, site.actors["pharm"], folder)
            else:
                backup.backup(site.ctx, site.actors["admin"], folder / "before-upgrade.sqlite3")
    finally:
        site.ctx.engine.dispose()
    monkeypatch.undo()
    fault = refused.value
    if automatic:
        assert isinstance(fault, backup.BackupNotRecorded)
        assert isinstance(fault.cause, kind)
        copy = Path(fault.path)
        assert fault.message.startswith(f"Today's automatic backup was copied to {copy} and kept")
    else:
        copy = folder / "before-upgrade.sqlite3"
        assert str(fault).startswith(f"The backup was copied to {copy} and kept")
        assert "once that is put right, run the backup again, to a new file name" in str(fault)
    message = str(fault)
    assert "the audit trail could not record it. " in message and said in message
    assert "Nothing was saved" not in message
    assert str(folder / "anchors.log") in message
    assert "this copy may then be deleted" in message
    assert copy.is_file()
    _whole(copy)
    assert f"\t{copy.name}" in (folder / "anchors.log").read_text(encoding="utf-8")
    assert _recorded(db, "backup") + _recorded(db, "backup_automatic") == before
