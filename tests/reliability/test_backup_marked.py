"""A backup is marked as one in its own header (taken where and when it is copied or renamed), and
is refused as the database to work in: the set-up wizard's location, Settings' change of the
database's location, and --db. The restore takes the mark off the file it puts in place."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from dispensary import cli
from dispensary.db.sqlite_backup import backup_taken, replaced_on, unmark
from dispensary.domain.errors import DatabaseDamaged, InvalidInput, NotADispensaryDatabase
from dispensary.i18n import Language, speaking
from dispensary.services import backup, setup, workstation
from dispensary.services.context import FixedClock
from signed import restore_forced

from .sites import START, build_site, password


def _backed_up(tmp_path: Path, clock: FixedClock | None, *names: str) -> tuple[Path, list[Path]]:
    """A site's database (tmp_path/pharmacy.sqlite3, two kits, no participant) and a backup of
    it taken by the administrator as tmp_path/bk/NAME for each of `names`, in that order."""
    db = tmp_path / "pharmacy.sqlite3"
    site = build_site(str(db), kits=2, enrolled=0, clock=clock)
    try:
        admin = site.actors["admin"]
        return db, [Path(backup.backup(site.ctx, admin, tmp_path / "bk" / n).path) for n in names]
    finally:
        site.ctx.engine.dispose()


def test_a_backup_is_refused_as_the_live_database_and_a_restore_unmarks_it(
    tmp_path: Path,
) -> None:
    clock = FixedClock(START)
    db, [made] = _backed_up(tmp_path, clock, "r1.bak")
    assert backup_taken(made) is not None and backup_taken(db) is None
    renamed = tmp_path / "elsewhere" / "pharmacy.sqlite3"  # copied away, renamed: still a backup
    renamed.parent.mkdir()
    shutil.copyfile(made, renamed)
    before = made.read_bytes()

    with pytest.raises(InvalidInput) as wizard:
        setup.check_location(str(made))
    message = wizard.value.message
    assert f"{made} is a backup (taken " in message and "restore" in message
    assert f"choose the live database {db.resolve()}" in message, "named by the anchor log"
    with pytest.raises(InvalidInput) as moved:
        workstation.check_new_database(str(db), str(renamed))
    assert "is a backup (taken" in moved.value.message
    assert "choose the live database, not a backup" in moved.value.message
    with pytest.raises(InvalidInput):
        setup.open_database(str(made), clock)
    assert made.read_bytes() == before and not Path(f"{made}-wal").exists()

    restore_forced(db, made, clock=clock, reason="restored in a test")
    assert backup_taken(db) is None, "the restored database is the live one, not a backup"
    assert backup_taken(made) is not None, "the backup itself is only read"
    setup.open_database(str(db), clock).context.engine.dispose()
    assert setup.check_location(str(db)).existing


def test_the_database_a_restore_replaced_is_refused_as_the_live_one_and_read_by_audit_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database a restore replaced, kept as NAME.replaced-<time>.sqlite3, carried no mark:
    `--db` on it took new records (a count was written into it) while a backup was refused.
    It is marked as kept for the record, refused with its own words, read by `audit verify`,
    and a restore from it puts it back as the live database."""
    clock = FixedClock(START)
    db, [made] = _backed_up(tmp_path, clock, "r1.bak")
    restored = restore_forced(db, made, clock=clock, reason="restored in a test")
    assert restored.replaced_file_kept_at is not None
    kept = Path(restored.replaced_file_kept_at)
    assert replaced_on(kept) is not None and backup_taken(kept) is None
    assert replaced_on(db) is None and replaced_on(made) is None
    before = kept.read_bytes()

    with pytest.raises(InvalidInput) as opened:
        setup.open_database(str(kept), clock)
    message = opened.value.message
    assert message.startswith(f"{kept} is the database a restore replaced on "), message
    assert "kept for the record: it is not the live database" in message
    assert f"choose {db.absolute()}, or restore from it with `dispensary restore`" in message
    assert message.endswith("Nothing was changed.")
    renamed = tmp_path / "elsewhere" / "old.sqlite3"  # copied away: still the replaced one
    renamed.parent.mkdir()
    shutil.copyfile(kept, renamed)
    with pytest.raises(InvalidInput) as moved:
        workstation.check_new_database(str(db), str(renamed))
    assert "choose the live database, or restore from it" in moved.value.message
    assert kept.read_bytes() == before, "refused before anything was written"

    monkeypatch.setenv("DISPENSARY_PASSWORD", password("admin"))
    capsys.readouterr()
    code = cli.main(["--db", str(kept), "--user", "admin", "inventory"])
    assert code != 0 and "is the database a restore replaced on" in capsys.readouterr().err
    code = cli.main(["--db", str(kept), "--user", "admin", "audit", "verify"])
    out = capsys.readouterr()
    assert code == 0, out
    assert replaced_on(kept) is not None, "still marked once read"

    restore_forced(db, kept, reason="back to the replaced one")  # after verify's real time
    assert replaced_on(db) is None, "the live database again, its mark taken off"
    setup.open_database(str(db)).context.engine.dispose()


def test_a_refused_restore_gives_advice_about_the_backup_not_the_database(tmp_path: Path) -> None:
    """`restore bk/junk.bak` said "...Nothing was changed. Check the path (--db, or
    DISPENSARY_DB)" (nothing changed said twice, and --db is not the file refused); a damaged
    backup said "Restore the last backup (dispensary restore ...)"; a damaged file chosen in the
    set-up wizard likewise."""
    db, [made] = _backed_up(tmp_path, None, "r1.bak")
    before = db.read_bytes()
    junk = tmp_path / "bk" / "junk.bak"
    junk.write_bytes(b"not a database at all, " * 40)
    with pytest.raises(NotADispensaryDatabase) as refused:
        restore_forced(db, junk, reason="t")
    message = refused.value.message
    assert message.startswith(f"{junk} is not a backup of a Dispensary database")
    assert "nothing was changed" in message and "Nothing was changed" not in message
    assert "--db" not in message and "DISPENSARY_DB" not in message
    assert "restoring" not in message, "the private copy is not named"

    damaged = tmp_path / "bk" / "damaged.bak"
    data = bytearray(made.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the first page's b-tree: not readable
    damaged.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged) as broken:
        restore_forced(db, damaged, reason="t")
    said = broken.value.message
    assert said.startswith(f"The backup {damaged} is damaged") and "older backup" in said
    assert "dispensary restore" not in said and "Nothing was changed" not in said
    assert db.read_bytes() == before

    with pytest.raises(DatabaseDamaged) as picked:
        setup.check_location(str(damaged))
    assert "Choose another file" in picked.value.message
    assert "dispensary restore" not in picked.value.message


def _as_made_before_the_mark(path: Path) -> None:
    """The file as a release before the header mark wrote it: no mark in its header."""
    unmark(path)
    assert backup_taken(path) is None


def test_a_backup_made_before_the_mark_is_known_by_the_logs_beside_it(tmp_path: Path) -> None:
    """A backup made before copies were marked carries no mark: it was accepted as the live
    database. The anchor log beside it (its name, and the hash of the last audit entry it holds)
    or the automatic backups' list (its name, size and SHA-256) says it is one."""
    db = tmp_path / "pharmacy.sqlite3"
    folder = tmp_path / "backups"
    clock = FixedClock(START)
    site = build_site(str(db), kits=2, enrolled=0, clock=clock)
    try:
        by_hand = Path(backup.backup(site.ctx, site.actors["admin"], folder / "r1.bak").path)
        daily = backup.automatic_backup(site.ctx, site.actors["pharm"], folder)
        assert daily is not None
        automatic = Path(daily.path)
    finally:
        site.ctx.engine.dispose()
    for made in (by_hand, automatic):
        _as_made_before_the_mark(made)

    # Listed in the anchor log: its name, and the last audit entry it holds.
    before = by_hand.read_bytes()
    with pytest.raises(InvalidInput) as wizard:
        setup.check_location(str(by_hand))
    message = wizard.value.message
    assert f"{by_hand} is a backup (taken " in message, message
    assert f"choose the live database {db.resolve()}" in message
    with pytest.raises(InvalidInput):
        setup.open_database(str(by_hand), clock)
    assert by_hand.read_bytes() == before

    # Listed only in the automatic backups' list (its anchor log line lost): name, size, SHA-256,
    # as the release that wrote it listed the unmarked file.
    (folder / "anchors.log").unlink()
    listed = (folder / backup.WRITTEN_LIST).read_text(encoding="utf-8").splitlines()
    kept = [line for line in listed if not line.startswith(automatic.name)]
    digest = hashlib.sha256(automatic.read_bytes()).hexdigest()
    kept.append(f"{automatic.name}\t{automatic.stat().st_size}\t{digest}")
    (folder / backup.WRITTEN_LIST).write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as chosen:
        workstation.check_new_database(str(db), str(automatic))
    assert f"{automatic} is a backup (taken " in chosen.value.message

    # A name alone is not enough: another file put under a listed name is not a backup.
    shutil.copyfile(db, by_hand)
    (folder / "anchors.log").write_text(
        f"2026-01-05T09:00:00+00:00\tP\t{db}\tA-1-X\t{'0' * 64}\t{by_hand.name}\n",
        encoding="utf-8",
    )
    assert setup.check_location(str(by_hand)).existing


def _fingerprint(path: Path) -> tuple[str, list[str]]:
    """The file's SHA-256 and what lies beside it (a -wal or -shm left by SQLite)."""
    beside = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))
    return hashlib.sha256(path.read_bytes()).hexdigest(), beside


def test_audit_verify_leaves_a_backup_byte_for_byte_as_it_was_taken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`audit verify --db BACKUP` opened the backup for writing: its header was switched to WAL
    and the sign-in recorded in it, so its SHA-256 no longer matched the one an inspector
    compares with the backup's log. A backup, one made before the mark (known by its log) and
    the database a restore replaced are read as they are, said so, and verify."""
    clock = FixedClock(START)
    db, [made, old] = _backed_up(tmp_path, clock, "r1.bak", "r0.bak")
    _as_made_before_the_mark(old)
    restored = restore_forced(db, made, clock=clock, reason="restored in a test")
    assert restored.replaced_file_kept_at is not None
    kept = Path(restored.replaced_file_kept_at)

    monkeypatch.setenv("DISPENSARY_PASSWORD", password("admin"))
    for copy in (made, old, kept):
        before = _fingerprint(copy)
        capsys.readouterr()
        code = cli.main(["--db", str(copy), "--user", "admin", "audit", "verify"])
        out = capsys.readouterr()
        assert code == 0, out
        assert _fingerprint(copy) == before, f"{copy.name} changed by its verification"
        assert "The audit trail and ledger verify." in out.out
        assert f"{copy} is open read-only (it is a backup" in out.err, out.err
        assert "nothing is recorded in it, not even this sign-in" in out.err
        code = cli.main(["--db", str(copy), "--user", "admin", "--json", "audit", "verify"])
        assert code == 0, capsys.readouterr()
        assert _fingerprint(copy) == before
    assert backup_taken(made) is not None and replaced_on(kept) is not None


def test_a_damaged_file_replaced_by_restore_force_is_kept_as_it_was_and_said_unmarked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file `restore --force` replaces when SQLite cannot read it is kept byte for byte (for
    investigation): it cannot carry the mark a replaced database carries in its header without
    being changed, so the restore's result says it is not marked, in the output and its JSON;
    it is still refused as the live database. A readable file replaced is marked, said nowhere."""
    clock = FixedClock(START)
    db, [made] = _backed_up(tmp_path, clock, "r1.bak")
    readable = restore_forced(db, made, clock=clock, reason="restored in a test")
    assert readable.replaced_file_not_marked == ""
    assert replaced_on(Path(str(readable.replaced_file_kept_at))) is not None

    monkeypatch.setenv("DISPENSARY_PASSWORD", password("admin"))  # the backup's administrator
    for damage in (b"\x00" * 4096, db.read_bytes()[:100] + b"\xff" * 8092):
        db.write_bytes(damage)
        capsys.readouterr()
        code = cli.main(
            [
                *("--db", str(db), "--user", "admin", "--json", "restore", str(made)),
                *("--force", "--reason", "damaged"),
            ]
        )
        out = capsys.readouterr()
        assert code == 0, out
        result = json.loads(out.out)
        kept = Path(result["replaced_file_kept_at"])
        assert kept.read_bytes() == damage, "kept byte for byte"
        assert replaced_on(kept) is None and backup_taken(kept) is None
        said = result["replaced_file_not_marked"]
        assert said.startswith("The file it replaced cannot be read as a database, so it is kept")
        assert "without the mark a replaced database carries" in said
        with pytest.raises((DatabaseDamaged, NotADispensaryDatabase)):
            setup.open_database(str(kept), clock)
        assert kept.read_bytes() == damage

        db.write_bytes(damage)
        code = cli.main(
            [
                *("--db", str(db), "--user", "admin", "restore", str(made)),
                *("--force", "--reason", "again"),
            ]
        )
        out = capsys.readouterr()
        assert code == 0, out
        assert "without the mark a replaced database carries in its header" in out.out, out.out
        db.write_bytes(damage)
        with speaking(Language.ZH_CN):
            chinese = restore_forced(db, made, clock=clock, reason="again, in Chinese")
        assert chinese.replaced_file_not_marked.startswith("被替换的文件无法作为数据库读取")
