"""Backups of a database whose audit trail does not verify (an old record edited behind the
program's back): still taken, as evidence, but named and said CHAIN-BROKEN, with no verification
code issued or logged for them, and never counted by the rotation: the good backups before the
edit are all kept however many days the broken trail is backed up."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dispensary.db.sqlite_backup import ANCHOR_LOG, WRITTEN_LIST
from dispensary.services import audit, backup, setup, users
from dispensary.services.audit_check import FULL_CHECK_DAYS
from dispensary.services.context import FixedClock
from tamper import edit_file

from .sites import START, build_site, password


def test_a_broken_chain_is_backed_up_marked_and_never_rotates_good_backups_out(
    tmp_path: Path,
) -> None:
    """The daily backup checks from the point the last check kept, and in full once the last
    full check is FULL_CHECK_DAYS old: a row edited after a full check is found by then, and
    from then on each day's copy is marked and not counted. The 14 kept are more than the days
    it can go unseen, so the backups from before the edit are never rotated out by it."""
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    keep = backup.DEFAULT_KEEP
    assert keep > FULL_CHECK_DAYS + 1
    try:
        good: list[str] = []
        for day in (6, 7, 8):
            clock.set_date(date(2026, 1, day), hour=8)
            made = backup.automatic_backup(site.ctx, site.pharmacist, folder, keep=keep)
            assert made is not None and made.chain_broken == "" and made.anchor
            good.append(Path(made.path).name)
        edit_file(db, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
        log_before = (folder / ANCHOR_LOG).read_text()
        listed_before = (folder / WRITTEN_LIST).read_text()
        unseen: list[str] = []
        broken: list[str] = []
        for day in range(9, 9 + 15):  # two weeks and more of sign-ins on the broken trail
            clock.set_date(date(2026, 1, day), hour=8)
            actor = users.sign_in(site.ctx, "pharm", password("pharm"))
            made = backup.automatic_backup(site.ctx, actor, folder, keep=keep)
            assert made is not None
            if not made.chain_broken:
                assert not broken, "once found, every later copy is marked"
                unseen.append(Path(made.path).name)
                continue
            assert made.anchor == "", "no verification code for a broken chain"
            assert "CHAIN BROKEN" in made.chain_broken and "not counted" in made.chain_broken
            again = backup.automatic_backup(site.ctx, actor, folder, keep=keep)
            assert again is not None and again.path == made.path, "one marked copy a day"
            broken.append(Path(made.path).name)
        log_after = (folder / ANCHOR_LOG).read_text()
    finally:
        site.ctx.engine.dispose()
    # The last full check was at the first backup, on the 6th: found by the 6th + 7 days.
    assert len(unseen) <= FULL_CHECK_DAYS and broken
    assert all(name.endswith("-CHAIN-BROKEN.sqlite3") for name in broken)
    kept = sorted(p.name for p in folder.glob("*.sqlite3"))
    assert kept == sorted(good + unseen + broken), "every backup kept, the good ones first"
    logged = log_after.removeprefix(log_before)
    assert all("CHAIN-BROKEN" not in line for line in logged.splitlines()), "no code logged"
    assert len(logged.splitlines()) == len(unseen)
    assert (folder / WRITTEN_LIST).read_text().count("CHAIN-BROKEN") == 0
    assert listed_before


def test_a_failed_full_check_marks_the_very_next_backup(tmp_path: Path) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    clock = FixedClock(START)
    site = build_site(str(db), kits=5, enrolled=1, clock=clock)
    folder = tmp_path / "backups"
    try:
        clock.set_date(date(2026, 1, 6), hour=8)
        assert backup.automatic_backup(site.ctx, site.pharmacist, folder) is not None
        edit_file(db, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
        assert not audit.verify(site.ctx, site.actors["admin"]).ok  # a full check finds it
        clock.set_date(date(2026, 1, 7), hour=8)
        made = backup.automatic_backup(site.ctx, site.pharmacist, folder)
    finally:
        site.ctx.engine.dispose()
    assert made is not None and made.path.endswith("-CHAIN-BROKEN.sqlite3")
    assert made.anchor == "" and "CHAIN BROKEN" in made.chain_broken


def test_a_backup_by_hand_of_a_broken_chain_is_marked_and_logs_no_code(tmp_path: Path) -> None:
    db = tmp_path / "pharmacy.sqlite3"
    site = build_site(str(db), kits=5, enrolled=1)
    site.ctx.engine.dispose()
    edit_file(db, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    opened = setup.open_database(str(db))
    try:
        pharmacist = users.sign_in(opened.context, "pharm", password("pharm"))
        made = backup.backup(opened.context, pharmacist, tmp_path / "out" / "b1.sqlite3")
    finally:
        opened.context.engine.dispose()
    assert made.path == str(tmp_path / "out" / "b1-CHAIN-BROKEN.sqlite3")
    assert Path(made.path).is_file() and not (tmp_path / "out" / "b1.sqlite3").exists()
    assert made.anchor == "" and "CHAIN BROKEN" in made.chain_broken
    assert not (tmp_path / "out" / ANCHOR_LOG).exists()
