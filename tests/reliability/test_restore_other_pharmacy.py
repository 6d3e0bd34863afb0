"""A restore refuses a backup of another pharmacy's database, even one running the same study:
each database's audit trail begins with its own first entry. Where the live database cannot be
read (restore --force), the pharmacy's name and the anchor log are compared instead, and the
result says what was not checked. Restoring into an empty place stays allowed."""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from dispensary.domain.errors import DatabaseProblem
from dispensary.services import backup, pharmacy, setup, users
from dispensary.services.context import Actor, FixedClock
from signed import restore_forced

from .sites import START, build_site, password

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or bool(os.environ.get("DISPENSARY_TEST_DB")),
    reason="SQLite files replaced under POSIX locks",
)

HENAN, ZHENGZHOU = "Henan Cancer Hospital Pharmacy", "Zhengzhou University First Hospital Pharmacy"


def _site(db: Path, minutes: int, name: str) -> Path:
    """A pharmacy of the same study begun `minutes` after START, with its own backup in
    `db`'s backups folder (and its line in the anchor log there)."""
    db.parent.mkdir(parents=True)
    site = build_site(
        str(db), kits=2, enrolled=1, clock=FixedClock(START + timedelta(minutes=minutes))
    )
    try:
        if name:
            pharmacy.set_particulars(site.ctx, site.actors["admin"], name, "", "", "setup")
        made = backup.backup(
            site.ctx, site.actors["admin"], db.parent / "backups" / f"{db.stem}-own.sqlite3"
        )
    finally:
        site.ctx.engine.dispose()
    return Path(made.path)


def _content(db: Path) -> list[str]:
    """Every row and table of the database (its header's change counter aside)."""
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def sites(tmp_path: Path) -> tuple[Path, Path, Path]:
    """Site A's database and own backup, and site B's backup (same study, another pharmacy)."""
    a = tmp_path / "a" / "dispensary.sqlite3"
    own = _site(a, 0, HENAN)
    other = _site(tmp_path / "b" / "dispensary.sqlite3", 5, ZHENGZHOU)
    return a, own, other


def test_a_backup_of_another_pharmacy_of_the_same_study_is_refused(
    sites: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    a, own, other = sites
    admin = _admin(a)
    before, listed = _content(a), _listing(a.parent)
    for actor in (None, admin):  # --force too (None): the live trail can be read
        with pytest.raises(DatabaseProblem) as refused:
            if actor is None:
                restore_forced(a, other, reason="restored in a test")
            else:
                backup.restore(a, other, actor, reason="restored in a test")
        message = refused.value.message
        assert f"is the database of {ZHENGZHOU}" in message and f"not a backup of {a}" in message
        assert "nothing was changed" in message and f"move {a} to another folder first" in message
        assert _content(a) == before and _listing(a.parent) == listed
    assert backup.restore(a, own, admin, reason="restored in a test").not_checked == "", (
        "its own backup is restored"
    )
    into_new = restore_forced(
        tmp_path / "new" / "dispensary.sqlite3", other, reason="restored in a test"
    )
    assert into_new.replaced_file_kept_at is None, "an empty place takes any pharmacy's backup"


def test_another_database_without_a_pharmacy_name_is_refused_too(tmp_path: Path) -> None:
    a = tmp_path / "a" / "dispensary.sqlite3"
    _site(a, 0, HENAN)
    other = _site(tmp_path / "b" / "dispensary.sqlite3", 5, "")
    with pytest.raises(DatabaseProblem, match=r"is another database \(begun 2026-01-05 09:05"):
        backup.restore(a, other, _admin(a), reason="restored in a test")


def test_force_over_a_database_whose_trail_cannot_be_read_compares_the_pharmacy_name(
    sites: tuple[Path, Path, Path],
) -> None:
    a, own, other = sites
    conn = sqlite3.connect(a)
    try:
        conn.execute("DROP TABLE audit_entries")  # the program cannot open it: --force
        conn.commit()
    finally:
        conn.close()
    before = _content(a)
    with pytest.raises(DatabaseProblem, match=f"is that of {HENAN}: it was not restored"):
        restore_forced(a, other, reason="restored in a test")
    assert _content(a) == before
    (a.parent / "backups" / backup.ANCHOR_LOG).unlink()
    made = restore_forced(a, own, reason="restored in a test")
    assert "was not checked that the backup begins with the same first" in made.not_checked
    assert f"Checked instead: both name the pharmacy {HENAN}." in made.not_checked


def test_force_over_an_unreadable_file_compares_the_anchor_log(
    sites: tuple[Path, Path, Path],
) -> None:
    a, own, other = sites
    damaged = b"not a database any more " * 400
    a.write_bytes(damaged)
    beside = a.parent / "backups" / "from-b.sqlite3"
    shutil.copyfile(other, beside)  # among this database's backups, where its log is
    with pytest.raises(DatabaseProblem, match="holds none of the verification codes"):
        restore_forced(a, beside, reason="restored in a test")
    assert a.read_bytes() == damaged
    made = restore_forced(a, own, reason="restored in a test")
    assert "Checked instead: the backup holds the verification code" in made.not_checked
    a.write_bytes(damaged)
    (a.parent / "backups" / backup.ANCHOR_LOG).unlink()
    made = restore_forced(
        a, other, reason="restored in a test"
    )  # nothing to compare with: allowed, and said
    assert "Nothing else could be compared" in made.not_checked


def _admin(db: Path) -> Actor:
    """The administrator signed in to the database, who restores (without --force)."""
    opened = setup.open_database(str(db))
    try:
        return users.sign_in(opened.context, "admin", password("admin"))
    finally:
        opened.context.engine.dispose()
