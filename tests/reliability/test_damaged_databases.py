"""Damaged or foreign databases are refused with a clear DatabaseProblem and left exactly as they
were (same bytes, no files added next to them); an older schema is migrated after a backup."""

from __future__ import annotations

import gzip
import hashlib
import os
import random
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from dispensary import cli
from dispensary.db import migrate
from dispensary.domain.errors import (
    DatabaseDamaged,
    DatabaseProblem,
    NoDatabase,
    NotADispensaryDatabase,
    UnknownStudy,
    Unprotected,
)
from dispensary.services import audit, setup, users
from dispensary.services.context import FixedClock
from tamper import lose_index_rows, schema_name_not_text

from .conftest import Figures
from .sites import START, build_site, password

PROBE_REVISION = "9001"
MIGRATION_PROBE = '''"""reliability probe: a trivial migration after the program's head, only inside this test
"""

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("reliability_probe", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade() -> None:
    op.drop_table("reliability_probe")
'''


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real pharmacy database, closed (its WAL merged), to damage copies of."""
    path = tmp_path_factory.mktemp("good") / "pharmacy.sqlite3"
    site = build_site(str(path), kits=30, enrolled=10)
    site.ctx.engine.dispose()
    assert not Path(f"{path}-wal").exists()
    return path


def _copy(good: Path, folder: Path) -> Path:
    target = folder / "pharmacy.sqlite3"
    shutil.copyfile(good, target)
    return target


def truncated(good: Path, folder: Path) -> Path:
    path = _copy(good, folder)
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)
    return path


def header_only(good: Path, folder: Path) -> Path:
    path = _copy(good, folder)
    with path.open("r+b") as handle:
        handle.truncate(60)
    return path


def random_bytes_in_the_middle(good: Path, folder: Path) -> Path:
    path = _copy(good, folder)
    page = 4096
    size = path.stat().st_size
    rng = random.Random(20260105)
    with path.open("r+b") as handle:
        for middle in (size // 2, size // 3, 2 * size // 3):
            handle.seek(middle - middle % page)
            handle.write(rng.randbytes(page))
    return path


def text_file(good: Path, folder: Path) -> Path:
    path = folder / "pharmacy.sqlite3"
    path.write_text("kit,lot,expiry,tablets\nK0001,L1,2027-06-30,21\n", encoding="utf-8")
    return path


def empty_file(good: Path, folder: Path) -> Path:
    path = folder / "pharmacy.sqlite3"
    path.write_bytes(b"")
    return path


def folder_instead(good: Path, folder: Path) -> Path:
    path = folder / "pharmacy.sqlite3"
    path.mkdir()
    return path


def named_pipe(good: Path, folder: Path) -> Path:
    """A pipe where the file should be: reading its header waited for ever."""
    path = folder / "pharmacy.sqlite3"
    os.mkfifo(path)
    return path


def other_programs_database(good: Path, folder: Path) -> Path:
    path = folder / "pharmacy.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    return path


def newer_schema(good: Path, folder: Path) -> Path:
    path = _copy(good, folder)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    conn.commit()
    conn.close()
    return path


def newer_schema_rollback_journal(good: Path, folder: Path) -> Path:
    """A newer schema in a file left in rollback-journal mode (a database tool's edit, a copy
    made with VACUUM INTO): the engine switched it to WAL before the version was read, changing
    its header (bytes 18-19, 28, 96) while the refusal said nothing was changed."""
    path = newer_schema(good, folder)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode=DELETE").fetchone() == ("delete",)
    conn.close()
    return path


def schema_not_text(good: Path, folder: Path) -> Path:
    """Damage in the schema whose SQLite message is not text: an 'Unexpected error
    (UnicodeDecodeError)' from the command, the windows and `restore`."""
    path = _copy(good, folder)
    schema_name_not_text(path)
    return path


def another_study(good: Path, folder: Path) -> Path:
    """A good database, opened as another study's."""
    return _copy(good, folder)


def missing_file(good: Path, folder: Path) -> Path:
    return folder / "pharmacy.sqlite3"


Damage = Callable[[Path, Path], Path]

CASES: list[tuple[Damage, str, str | None]] = [
    (truncated, "damaged", None),
    (header_only, "is truncated", None),
    (random_bytes_in_the_middle, "damaged", None),
    (schema_not_text, "damaged", None),
    (text_file, "not a Dispensary database", None),
    (empty_file, "not a Dispensary database", None),
    (folder_instead, "is a folder", None),
    (named_pipe, "is not a file (a pipe or a device)", None),
    (other_programs_database, "not a Dispensary database", None),
    (newer_schema, "newer version of Dispensary", None),
    (newer_schema_rollback_journal, "newer version of Dispensary", None),
    (another_study, "belongs to study NCT07198672", "NCT00000001"),
    (missing_file, "There is no database", None),
]
IDS = [
    "truncated",
    "header_only",
    "random_bytes_in_the_middle",
    "schema_not_text",
    "text_file",
    "empty_file",
    "folder",
    "named_pipe",
    "another_programs_database",
    "newer_schema",
    "newer_schema_rollback_journal",
    "another_study",
    "missing_file",
]
# The kind of each refusal: only damage advises restoring the last backup (issue 9).
KINDS: dict[str, type[DatabaseProblem]] = {
    "truncated": DatabaseDamaged,
    "header_only": DatabaseDamaged,
    "random_bytes_in_the_middle": DatabaseDamaged,
    "schema_not_text": DatabaseDamaged,
    "text_file": NotADispensaryDatabase,
    "empty_file": NotADispensaryDatabase,
    "folder_instead": NotADispensaryDatabase,
    "named_pipe": NotADispensaryDatabase,
    "other_programs_database": NotADispensaryDatabase,
    "another_study": UnknownStudy,  # the command says it as a usage mistake naming --study
    "missing_file": NoDatabase,  # a window says it in its own words (a drive not connected)
}


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file under the folder and its sha256 (folders as such)."""
    found: dict[str, str] = {}
    for item in sorted(folder.rglob("*")):
        key = str(item.relative_to(folder))
        if item.is_dir():
            found[key] = "folder"
        elif not item.is_file():
            found[key] = "not a file"  # a pipe: reading it would wait
        else:
            found[key] = hashlib.sha256(item.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize(("damage", "words", "protocol"), CASES, ids=IDS)
def test_damaged_or_foreign_database_is_refused_untouched(
    damage: Damage,
    words: str,
    protocol: str | None,
    good_database: Path,
    tmp_path: Path,
    figures: Figures,
) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    path = damage(good_database, folder)
    before = _fingerprint(folder)
    with pytest.raises(DatabaseProblem) as refused:
        setup.open_database(str(path), FixedClock(START), expect_protocol=protocol)
    assert words in refused.value.message, refused.value.message
    kind = KINDS.get(getattr(damage, "__name__", ""), DatabaseProblem)
    assert type(refused.value) is kind, f"{type(refused.value).__name__}: {refused.value}"
    assert ("Restore the last backup" in refused.value.message) == (kind is DatabaseDamaged)
    assert refused.value.exit_code == 3
    assert _fingerprint(folder) == before, "opening must change nothing"
    figures.add("damaged databases.refused untouched")


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def migrations_with_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The program's migrations plus a trivial migration after its head, in a temporary folder used by this test."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    probe = MIGRATION_PROBE.replace("{head}", migrate.head_revision())
    (copy / "versions" / "9001_reliability_probe.py").write_text(probe)
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    yield copy


def test_older_schema_is_migrated_after_a_backup(
    good_database: Path, tmp_path: Path, migrations_with_probe: Path, figures: Figures
) -> None:
    path = _copy(good_database, tmp_path)
    backups = tmp_path / "backups"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        head_before = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    opened = setup.open_database(str(path), FixedClock(START), backup_dir=backups)
    try:
        assert opened.migrated_from == head_before
        assert migrate.current_revision(opened.context.engine) == PROBE_REVISION
        assert "reliability_probe" in inspect(opened.context.engine).get_table_names()
        admin = users.sign_in(opened.context, "admin", password("admin"))
        assert audit.verify(opened.context, admin).ok
    finally:
        opened.context.engine.dispose()
    assert opened.backup is not None
    backup = Path(opened.backup)
    assert backup.parent == backups
    assert _dump(backup) == _dump(good_database), "the backup holds the database as it was"
    figures.add("damaged databases.older schema migrated after backup")


def test_a_value_that_is_not_text_is_named_damage_with_its_column(
    good_database: Path, tmp_path: Path, figures: Figures
) -> None:
    """Bytes that are not UTF-8 inside a text value (a disk fault SQLite's quick check does
    not see: the page is well formed) were an 'unexpected error' of the driver that stopped
    `audit verify`; they are the file's damage, named as such, with the column."""
    path = _copy(good_database, tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE kits SET location = CAST(X'FFFE41' AS TEXT) WHERE id = 3")
    conn.close()
    opened = setup.open_database(str(path), FixedClock(START))
    try:
        admin = users.sign_in(opened.context, "admin", password("admin"))
        with pytest.raises(DatabaseDamaged) as damaged:
            audit.verify(opened.context, admin)
    finally:
        opened.context.engine.dispose()
    message = damaged.value.message
    assert "is damaged" in message and "Restore the last backup" in message, message
    assert "column 'location'" in message and "\\x" not in message and "\ufffd" not in message
    figures.add("damaged databases.a value not text named")


def test_an_older_schema_whose_index_lost_rows_is_not_upgraded(
    good_database: Path, tmp_path: Path, migrations_with_probe: Path
) -> None:
    """The backup made before an upgrade gets the full integrity check: a file whose index lost
    rows (the quick check at opening passes) is refused as damaged, in the words of an
    upgrade, and neither upgraded nor changed."""
    path = _copy(good_database, tmp_path)
    lose_index_rows(path)
    before = _dump(path)
    backups = tmp_path / "backups"
    with pytest.raises(DatabaseDamaged) as refused:
        setup.open_database(str(path), FixedClock(START), backup_dir=backups)
    message = str(refused.value)
    said, _mark, detail = message.partition("Technical detail: ")
    assert "is damaged" in said and "ix_kits_study_number" in detail, message
    assert "was not upgraded to this version and nothing was changed" in message
    assert "Restore the last good backup" in message
    assert _dump(path) == before
    assert not backups.exists() or not list(backups.glob("*.sqlite3*")), "no backup kept"


def damaged_header(good: Path, folder: Path) -> Path:
    """The header's page size overwritten: SQLite's own words are "file is not a database"."""
    path = _copy(good, folder)
    with path.open("r+b") as handle:
        handle.seek(16)
        handle.write(b"\x00\x03")
    return path


@pytest.mark.parametrize(
    "damage",
    [truncated, random_bytes_in_the_middle, damaged_header, schema_not_text],
    ids=["truncated", "random_bytes_in_the_middle", "damaged_header", "schema_not_text"],
)
def test_a_damaged_database_is_said_in_the_readers_words_sqlites_only_as_the_detail(
    damage: Damage,
    good_database: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under zh_CN the whole message is Chinese and says what to do (restore the last backup,
    the guide's section); SQLite's English ("file is not a database") only follows as the
    technical detail, where it was the message's middle."""
    path = damage(good_database, tmp_path)
    monkeypatch.setenv("DISPENSARY_PASSWORD", password("admin"))
    capsys.readouterr()
    code = cli.main(["--db", str(path), "--user", "admin", "--lang", "zh_CN", "audit", "verify"])
    err = capsys.readouterr().err
    assert code == 5, err
    said, mark, detail = err.partition("技术细节：")
    assert mark and detail.strip(), f"SQLite's own words kept as the technical detail: {err}"
    assert "已损坏" in said and "请恢复最近一次备份" in said and "备份与恢复演练" in said, said
    latin = re.findall(r"[A-Za-z]{3,}", said.replace(str(path), ""))
    assert latin == ["dispensary", "restore"], f"English left in the sentence: {said}"


OLD_RELEASE = Path(__file__).parents[1] / "fixtures" / "release-0007-demo.sqlite3.gz"


def test_an_older_schema_missing_a_trigger_is_upgraded_then_refused_saying_so(
    tmp_path: Path,
) -> None:
    """The triggers are checked against the schema the program requires, so after the upgrade
    (an older schema lacks those of later migrations): the refusal then says the file was
    upgraded and where the copy before it is, not that nothing was changed."""
    path = tmp_path / "pharmacy.sqlite3"
    with gzip.open(OLD_RELEASE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER returns_no_update")
    conn.close()
    backups = tmp_path / "backups"
    with pytest.raises(Unprotected) as refused:
        setup.open_database(str(path), FixedClock(START), backup_dir=backups)
    message = refused.value.message
    [copy] = backups.glob("pharmacy.before-*.sqlite3")
    assert "returns_no_update" in message and "append-only protection" in message, message
    assert (
        f"It was upgraded to this version first; the file as it was before is kept at {copy}"
        in (message)
    )
    assert "Nothing was changed" not in message, message
    with sqlite3.connect(copy) as conn:
        kept = {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    conn.close()
    assert "returns_no_update" not in kept and "returns_no_delete" in kept
