"""Backups: one automatically at the first sign-in of each day, rotated to the number kept; a
consistent copy taken while another process writes; a restore drill that brings it back whole;
and every file of the study data readable by its owner only."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dispensary.config import Settings
from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import AuditEntry, Dispense
from dispensary.db.sqlite_backup import backup_taken
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import DatabaseDamaged, DatabaseProblem, NotPermitted
from dispensary.services import backup, setup, users
from dispensary.services.audit import Recorder
from dispensary.services.context import FixedClock
from signed import restore_forced
from tamper import lose_index_rows

from .checks import everything
from .conftest import Figures
from .sites import START, Site, build_site, password, start_worker, study_number


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _dispenses(db: Path) -> int:
    opened = setup.open_database(str(db))
    try:
        with read_transaction(opened.context.engine) as s:
            return int(s.scalar(select(func.count()).select_from(Dispense)) or 0)
    finally:
        opened.context.engine.dispose()


def _dailies(
    site: Site, clock: FixedClock, folder: Path, days: tuple[int, ...], keep: int
) -> dict[int, Path]:
    """A daily backup at 08:00 on each of the days of January 2026 (the pharmacist's first
    sign-in): each day's file."""
    made: dict[int, Path] = {}
    for day in days:
        clock.set_date(date(2026, 1, day), hour=8)
        result = backup.automatic_backup(site.ctx, site.pharmacist, folder, keep=keep)
        assert result is not None
        made[day] = Path(result.path)
    return made


def test_database_and_backups_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    site = build_site(str(db), kits=5, enrolled=1)
    try:
        assert _mode(db) == 0o600
        made = backup.backup(site.ctx, site.pharmacist, tmp_path / "copy.sqlite3")
        assert _mode(Path(made.path)) == 0o600
        auto = backup.automatic_backup(site.ctx, site.pharmacist, tmp_path / "backups")
        assert auto is not None and _mode(Path(auto.path)) == 0o600
    finally:
        site.ctx.engine.dispose()
    db.chmod(0o644)
    opened = setup.open_database(str(db))
    opened.context.engine.dispose()
    assert opened.warning and "may be read by other accounts" in opened.warning
    assert _mode(db) == 0o644, "opening warns, and never chmods (a shared file is the site's call)"
    db.chmod(0o600)
    umask = os.umask(0o022)  # new files readable by all unless the program restricts them
    try:
        restore_forced(db, made.path, reason="restored in a test")
    finally:
        os.umask(umask)
    (kept,) = tmp_path.glob("pharmacy.replaced-*.sqlite3")
    assert _mode(kept) == 0o600, "the replaced database kept aside is study data too"
    assert _mode(db) == 0o600


def test_first_sign_in_of_each_day_makes_one_backup_and_old_ones_rotate(
    tmp_path: Path, figures: Figures
) -> None:
    clock = FixedClock(START)
    site = build_site(str(tmp_path / "pharmacy.sqlite3"), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    keep = Settings(backups_kept=3).backups_kept
    made: list[str] = []
    try:
        for day in range(6):
            clock.set_date(date(2026, 1, 6) + timedelta(days=day), hour=8)  # after the site
            for _sign_in in range(3):  # three sign-ins that day: only the first backs up
                actor = users.sign_in(site.ctx, "pharm", password("pharm"))
                result = backup.automatic_backup(site.ctx, actor, folder, keep=keep)
                if result is not None:
                    made.append(Path(result.path).name)
                clock.current += timedelta(hours=1)
        kept = sorted(p.name for p in folder.glob("*.sqlite3"))
        with read_transaction(site.ctx.engine) as s:
            logged = s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "backup_automatic")
            )
    finally:
        site.ctx.engine.dispose()
    assert len(made) == 6, made
    assert kept == made[-keep:], "the newest `backups_kept` remain"
    assert logged == 6
    for name in kept:  # each a whole database, marked as a backup (opened to verify only)
        assert backup_taken(folder / name) is not None, name
        setup.open_database(str(folder / name), studies_unread=True).context.engine.dispose()
    figures.add("backups.automatic backups made", len(made))


@pytest.mark.parametrize("stem", ["dispensary", "demo"])
def test_rotation_keeps_only_this_database_s_backups_and_never_the_one_just_made(
    tmp_path: Path, stem: str
) -> None:
    """`dispensary-*` also matched `dispensary-training-...` (and `demo-*` `demo-zh_CN-...`): the
    other database's backups sorted after the dated ones and were kept, this one's deleted."""
    clock = FixedClock(START)
    site = build_site(str(tmp_path / f"{stem}.sqlite3"), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    folder.mkdir()
    other = "training" if stem == "dispensary" else "zh_CN"
    theirs = [folder / f"{stem}-{other}-2026-01-{d:02d}T090000.sqlite3" for d in range(1, 15)]
    # named by a clock that was set wrong, say: sorted after the one about to be made
    later = [folder / f"{stem}-2099-01-0{d}T090000.sqlite3" for d in (1, 2)]
    for path in (*theirs, *later):
        path.write_bytes(b"a backup")
    try:
        ours = list(_dailies(site, clock, folder, (6, 7, 8), keep=2).values())
        listed = [m.path for m in backup.daily_backups(site.ctx, folder, stem)]
    finally:
        site.ctx.engine.dispose()
    assert ours[-1].exists(), "the backup just made is kept"
    assert all(path.exists() for path in theirs), "the other database's backups are not ours"
    assert all(path.exists() for path in later), "files it did not write are never removed"
    assert listed == ours[-2:], "the newest two of its own, by the time written"
    assert not ours[0].exists()
    assert backup.anchor_log(folder)[-1].backup == ours[-1].name


class LocalClock(FixedClock):
    """A settable clock that reads as the system clock does: now() in UTC, today() the local
    date of the workstation's time zone."""

    def today(self) -> date:
        return self.current.astimezone().date()

    def day_of(self, at: datetime) -> date:
        return at.astimezone().date()


@pytest.fixture
def in_shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's time zone is UTC+08:00 (Asia/Shanghai, no summer time)."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_one_daily_backup_by_the_local_date_in_utc_plus_8(
    tmp_path: Path, in_shanghai: None
) -> None:
    """The name was in UTC and the test for one made today on the local date: every sign-in
    between 00:00 and 08:00 local made another "daily" backup and rotated good ones away."""
    clock = LocalClock(START)
    site = build_site(str(tmp_path / "pharmacy.sqlite3"), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    signed_in_at = [  # UTC: the local day 2026-01-07 from 01:30 to 17:00, then 01:00 on the 8th
        datetime(2026, 1, 6, 17, 30, tzinfo=UTC),
        datetime(2026, 1, 6, 18, 30, tzinfo=UTC),
        datetime(2026, 1, 7, 9, 0, tzinfo=UTC),
        datetime(2026, 1, 7, 17, 0, tzinfo=UTC),
    ]
    made = []
    try:
        for at in signed_in_at:
            clock.current = at
            actor = users.sign_in(site.ctx, "pharm", password("pharm"))
            result = backup.automatic_backup(site.ctx, actor, folder, keep=14)
            made.append(Path(result.path).name if result is not None else None)
    finally:
        site.ctx.engine.dispose()
    assert made == [
        "pharmacy-2026-01-07T013000.sqlite3",
        None,
        None,
        "pharmacy-2026-01-08T010000.sqlite3",
    ]
    assert [line.backup for line in backup.anchor_log(folder)] == [m for m in made if m]


@pytest.fixture
def in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The workstation's time zone is UTC-05:00 in January (America/New_York)."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _old_release_backup(site: Site, folder: Path, at: datetime) -> Path:
    """An automatic backup as release 0.1.0 made it: named by the UTC date and time, recorded
    in the audit trail (backup_automatic, the file's name) at that moment."""
    path = folder / f"pharmacy-{at.astimezone(UTC):%Y-%m-%dT%H%M%S}.sqlite3"
    shutil.copyfile(site.ctx.database, path)
    with write_transaction(site.ctx.engine) as session:
        Recorder(session, site.pharmacist, at).audit(
            AuditAction.BACKUP_AUTOMATIC, "database", path.name, {"path": str(path)}
        )
    return path


def test_daily_backups_old_utc_names_and_new_local_ones_go_by_the_time_written(
    tmp_path: Path, in_new_york: None
) -> None:
    """0.1.0 named the daily backups by the UTC date and time, this release by the local ones.
    In New York an evening backup of 0.1.0 bears the next day's date: the test for "one made
    today" took it for the next day's, and no backup was made that day; and the rotation,
    sorting names, removed a newer backup before an older one. It also removed any file merely
    named like one of its own."""
    clock = LocalClock(START)
    site = build_site(str(tmp_path / "pharmacy.sqlite3"), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    folder.mkdir()
    by_hand = folder / "pharmacy-2026-01-06T120000.sqlite3"  # named like one, not its own
    by_hand.write_bytes(b"a copy the pharmacist put here")
    made: list[Path | None] = []
    try:
        # 0.1.0, 21:00 local on the 5th and the 6th: named 02:00 (UTC) on the 6th and the 7th
        old = [
            _old_release_backup(site, folder, datetime(2026, 1, d, 2, 0, tzinfo=UTC))
            for d in (6, 7)
        ]
        for at in (  # this release: 01:00 local on the 7th, 08:00 on the 8th
            datetime(2026, 1, 7, 6, 0, tzinfo=UTC),
            datetime(2026, 1, 8, 13, 0, tzinfo=UTC),
        ):
            clock.current = at
            actor = users.sign_in(site.ctx, "pharm", password("pharm"))
            result = backup.automatic_backup(site.ctx, actor, folder, keep=2)
            made.append(Path(result.path) if result is not None else None)
        listed = [m.path for m in backup.daily_backups(site.ctx, folder, "pharmacy")]
    finally:
        site.ctx.engine.dispose()
    assert [p.name if p else None for p in made] == [
        "pharmacy-2026-01-07T010000.sqlite3",  # the 7th's, though 0.1.0's is named the 7th
        "pharmacy-2026-01-08T080000.sqlite3",
    ]
    assert listed == made, "the newest two by the time written: not 0.1.0's 6th-evening one"
    assert not old[0].exists() and not old[1].exists()
    assert by_hand.read_bytes() == b"a copy the pharmacist put here", "never removed"


def test_an_automatic_backup_never_writes_over_an_existing_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workstations' first sign-ins in the same second: the second takes the next name."""
    clock = FixedClock(START)
    site = build_site(str(tmp_path / "pharmacy.sqlite3"), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    folder.mkdir()
    first = folder / "pharmacy-2026-01-06T080000.sqlite3"
    first.write_bytes(b"the other workstation's backup")
    monkeypatch.setattr(backup, "daily_backups", lambda _ctx, _folder, _stem: [])  # not seen
    clock.set_date(date(2026, 1, 6), hour=8)
    try:
        made = backup.automatic_backup(site.ctx, site.pharmacist, folder, keep=14)
    finally:
        site.ctx.engine.dispose()
    assert made is not None and Path(made.path).name == "pharmacy-2026-01-06T080001.sqlite3"
    assert first.read_bytes() == b"the other workstation's backup"
    assert not list(folder.glob("*.partial*"))


def test_daily_backups_rotate_after_a_restore_to_the_number_kept(tmp_path: Path) -> None:
    """A restored trail holds no record of the backup restored from (written after its copy)
    nor of those the replaced history wrote since: neither was ever removed again, and the
    folder held more than `backups_kept` for good. Counted by the restore's time and the anchor
    log's, they rotate away, the one restored from only after the replaced history's."""
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    keep = 3
    try:
        made = _dailies(site, clock, folder, (6, 7, 8, 9), keep)
    finally:
        site.ctx.engine.dispose()
    restored_from = made[8]
    clock.set_date(date(2026, 1, 9), hour=12)  # the 9th's backup made: the 8th's restored
    restore_forced(db, restored_from, clock=clock, reason="restored in a test")
    by_hand = folder / "pharmacy-2026-01-10T070000.sqlite3"  # named like a daily one
    after: list[Path] = []
    folders: list[list[str]] = []
    for day, hour in ((9, 13), (10, 8), (11, 8), (12, 8), (13, 8)):
        clock.set_date(date(2026, 1, day), hour=hour)
        opened = setup.open_database(str(db), clock)
        try:
            actor = users.sign_in(opened.context, "pharm", password("pharm"))
            if day == 10:  # a backup by hand, in the daily folder
                backup.backup(opened.context, actor, by_hand)
            result = backup.automatic_backup(opened.context, actor, folder, keep=keep)
            again = backup.automatic_backup(opened.context, actor, folder, keep=keep)
        finally:
            opened.context.engine.dispose()
        assert result is not None, "the restored database is backed up at its first sign-in"
        assert again is None, "once a day"
        after.append(Path(result.path))
        daily = backup.own_backups(folder, "pharmacy")
        folders.append([p.name for p in daily])
        assert len([p for p in daily if p != by_hand]) == keep, folders
        assert after[-1].exists(), "the newest is kept"
        if len(after) < keep - 1:
            assert restored_from.exists(), "kept until newer backups of the restored database"
    assert folders[0] == sorted(p.name for p in (made[8], made[9], after[0])), folders
    assert folders[1] == sorted(p.name for p in (made[8], by_hand, after[0], after[1])), folders
    assert sorted(folders[-1]) == sorted([by_hand.name, *(p.name for p in after[-keep:])])
    assert by_hand.exists(), "a backup by hand is never rotated away"
    (kept,) = tmp_path.glob("pharmacy.replaced-*.sqlite3")
    assert kept.exists(), "the replaced database itself is not a daily backup"


def test_rotation_removes_only_the_files_it_wrote_not_others_named_like_them(
    tmp_path: Path,
) -> None:
    """The rotation went by names: a file put by hand where a daily backup once was (the
    trail still names it) was removed as that backup, and so, after a restore, was a backup by
    hand named like a daily one that the restored trail cannot name (the anchor log does, as
    it names every backup). Only the very files it wrote, as they were written, go."""
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    try:
        made = _dailies(site, clock, folder, (6, 7, 8), keep=2)
        assert not made[6].exists(), "rotated away"
        # The pharmacist copies the database in by hand under the 6th's name, say from the
        # habit of that folder's names, and makes a backup by hand there too.
        in_its_place = made[6]
        shutil.copyfile(db, in_its_place)
        mine = in_its_place.read_bytes()
        clock.set_date(date(2026, 1, 8), hour=12)
        by_hand = folder / "pharmacy-2026-01-08T120000.sqlite3"
        backup.backup(site.ctx, site.pharmacist, by_hand)
        made |= _dailies(site, clock, folder, (9,), keep=2)
    finally:
        site.ctx.engine.dispose()
    assert in_its_place.read_bytes() == mine, "a file it did not write is never removed"
    assert not made[7].exists(), "its own still rotate"
    # The 8th's restored: its trail has no record of the backup by hand made after it.
    clock.set_date(date(2026, 1, 9), hour=13)
    restore_forced(db, made[8], clock=clock, reason="restored in a test")
    for day in (10, 11, 12):
        clock.set_date(date(2026, 1, day), hour=8)
        opened = setup.open_database(str(db), clock)
        try:
            actor = users.sign_in(opened.context, "pharm", password("pharm"))
            assert backup.automatic_backup(opened.context, actor, folder, keep=2) is not None
        finally:
            opened.context.engine.dispose()
    assert by_hand.exists(), "a backup by hand is never rotated away, restored trail or not"
    assert in_its_place.read_bytes() == mine
    assert not made[8].exists() and not made[9].exists(), "its own rotate after a restore too"
    listed = (folder / backup.WRITTEN_LIST).read_text(encoding="utf-8").splitlines()
    assert len(listed) == 1 + 7 and by_hand.name not in "".join(listed)  # a header, 7 lines


def test_a_backup_written_before_the_list_goes_only_while_it_holds_the_chain_recorded(
    tmp_path: Path,
) -> None:
    """A daily backup no line of the list names (written before the list was kept) is the
    program's while it holds the chain's point its audit entry recorded: a copy of the
    database put under its name is another file, and stays."""
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    try:
        made = _dailies(site, clock, folder, (6, 7), keep=3)
        (folder / backup.WRITTEN_LIST).unlink()
        made[6].unlink()
        shutil.copyfile(db, made[6])  # by hand, under the name
        mine = made[6].read_bytes()
        _dailies(site, clock, folder, (8, 9, 10), keep=2)
    finally:
        site.ctx.engine.dispose()
    assert made[6].read_bytes() == mine
    assert not made[7].exists(), "unlisted, but holding what its entry recorded: its own"


def test_backup_taken_while_another_process_dispenses_restores_whole(
    tmp_path: Path, figures: Figures
) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    site = build_site(str(db), kits=70, enrolled=60)
    numbers = tmp_path / "numbers.txt"
    numbers.write_text("\n".join(study_number(n) for n in range(1, 61)))
    errors = tmp_path / "worker.err"
    worker = start_worker(
        "dispense_loop.py",
        str(db),
        "pharm2",
        password("pharm2"),
        str(numbers),
        str(tmp_path / "worker.log"),
        errors=errors,
    )
    copies: list[Path] = []
    try:
        assert worker.stdout is not None
        marks = {150, 500, 900}  # SQL statements of the worker after which a backup is taken
        for seen, _line in enumerate(worker.stdout, start=1):
            if seen in marks:
                made = backup.backup(site.ctx, site.pharmacist, tmp_path / f"during-{seen}.sqlite3")
                copies.append(Path(made.path))
        assert worker.wait(timeout=600) == 0, errors.read_text()
        worker.stdout.close()
    finally:
        site.ctx.engine.dispose()
    assert len(copies) == 3
    counts = []
    for n, copy in enumerate(copies):
        target = tmp_path / f"restored-{n}" / "pharmacy.sqlite3"
        target.parent.mkdir()
        restore_forced(target, copy, reason="restored in a test")
        opened = setup.open_database(str(target))
        try:
            monitor = users.sign_in(opened.context, "monitor", password("monitor"))
            problems = everything(opened.context, monitor)
            assert not problems, problems[:5]
        finally:
            opened.context.engine.dispose()
        counts.append(_dispenses(target))
        figures.add("backups.restore drills whole")
    assert 0 < counts[0] <= counts[1] <= counts[2] <= _dispenses(db) == 60
    assert counts[0] < 60, "the first backup was taken while dispensing was under way"


def test_restore_refuses_a_damaged_backup_and_keeps_the_database(tmp_path: Path) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    build_site(str(db), kits=5, enrolled=1).ctx.engine.dispose()
    before = db.read_bytes()
    broken = tmp_path / "broken.sqlite3"
    shutil.copyfile(db, broken)
    with broken.open("r+b") as handle:
        handle.truncate(broken.stat().st_size // 2)
    with pytest.raises(DatabaseProblem):
        restore_forced(db, broken, reason="restored in a test")
    assert db.read_bytes() == before


def test_only_administrators_and_pharmacists_back_up(tmp_path: Path) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    site = build_site(str(db), kits=5, enrolled=1)
    try:
        for name in ("tech", "monitor"):
            with pytest.raises(NotPermitted):
                backup.backup(site.ctx, site.actors[name], tmp_path / f"{name}.sqlite3")
            assert not (tmp_path / f"{name}.sqlite3").exists()
    finally:
        site.ctx.engine.dispose()


def test_a_database_whose_index_lost_rows_is_not_backed_up_over_the_good_backups(
    tmp_path: Path,
) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    try:
        good = backup.automatic_backup(site.ctx, site.pharmacist, folder, keep=1)
        assert good is not None
    finally:
        site.ctx.engine.dispose()
    lose_index_rows(db)
    opened = setup.open_database(str(db), clock)  # the opening's quick check cannot see it
    clock.set_date(date(2026, 1, 7), hour=8)  # the next day's first sign-in
    try:
        pharmacist = users.sign_in(opened.context, "pharm", password("pharm"))
        with pytest.raises(DatabaseDamaged) as refused:
            backup.automatic_backup(opened.context, pharmacist, folder, keep=1)
        with pytest.raises(DatabaseDamaged):
            backup.backup(opened.context, pharmacist, tmp_path / "by-hand.sqlite3")
    finally:
        opened.context.engine.dispose()
    message = str(refused.value)
    assert "ix_kits_study_number" in message, "the finding says where"
    assert "older backups were left" in message and "restore the last good backup" in message
    assert sorted(folder.glob("*.sqlite3*")) == [Path(good.path)], "the good one kept, alone"
    assert not (tmp_path / "by-hand.sqlite3").exists()
    assert not list(tmp_path.glob("*.partial*"))
    restore_forced(db, good.path, reason="restored in a test")  # the way back the message names
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()


def test_restore_refuses_a_backup_whose_index_lost_rows(tmp_path: Path) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    build_site(str(db), kits=5, enrolled=1).ctx.engine.dispose()
    broken = tmp_path / "broken.sqlite3"
    shutil.copyfile(db, broken)
    lose_index_rows(broken)
    damaged_backup = broken.read_bytes()
    before = db.read_bytes()
    with pytest.raises(DatabaseProblem) as refused:
        restore_forced(db, broken, reason="restored in a test")
    assert "is damaged" in str(refused.value) and "ix_kits_study_number" in str(refused.value)
    assert "Restore an older backup" in str(refused.value)
    assert db.read_bytes() == before, "nothing was changed"
    assert broken.read_bytes() == damaged_backup, "the backup itself is never opened"
    assert not list(tmp_path.glob("*.restoring*")) and not list(tmp_path.glob("*.replaced-*"))
