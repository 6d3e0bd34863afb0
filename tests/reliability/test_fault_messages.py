"""A database or file fault is a sentence in the reader's language that says what happened and
what to do; the system's own words (SQLite's findings, the operating system's, a database
server's), which no catalogue translates, come only at the end, as the technical detail. Under
zh_CN they were in the middle of the Chinese ('数据库已损坏（row 3 missing from index ...）').

Each fault is a real one, made as tests/reliability/test_faults.py, test_damaged_databases.py,
test_backups.py and test_restore_safety.py make them (an index that lost rows, a damaged header,
a folder this account may not enter, a server that is not there), said in English and in
Chinese by the `dispensary` command; the exit code and what is (not) written are as before.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dispensary import cli
from dispensary.db import migrate
from dispensary.domain.errors import ReadOnlyDatabase
from dispensary.i18n import Language, speaking
from dispensary.services import backup, setup
from tamper import lose_index_rows

from .sites import build_site, password

ZH = "技术细节："
EN = "Technical detail: "
LANGUAGES = ["zh_CN", "en"]
NOBODY = 65534
ALLOWED_LATIN = {"dispensary", "restore", "--reason", "back to the last good day", "force"}
"""The only Latin words a Chinese sentence of these messages holds besides paths: a command."""

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DISPENSARY_TEST_DB")), reason="SQLite files (a server's faults: below)"
)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


Run = Callable[..., Result]


@pytest.fixture(scope="module")
def good_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real pharmacy database, closed (its WAL merged), to damage copies of."""
    path = tmp_path_factory.mktemp("good") / "pharmacy.sqlite3"
    build_site(str(path), kits=5, enrolled=2).ctx.engine.dispose()
    return path


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """`run(db, lang, "backup", ...)`: the real `dispensary` command, in-process, as admin."""

    def command(db: str | Path, lang: str, *args: str) -> Result:
        monkeypatch.setenv("DISPENSARY_PASSWORD", password("admin"))
        for name in ("DISPENSARY_TODAY", "DISPENSARY_DB", "DISPENSARY_USER"):
            monkeypatch.delenv(name, raising=False)
        capsys.readouterr()
        code = cli.main(["--db", str(db), "--user", "admin", "--lang", lang, *args])
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return command


def _copy(good: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "pharmacy.sqlite3"
    shutil.copyfile(good, target)
    target.chmod(0o600)
    return target


def _fingerprint(folder: Path) -> dict[str, str]:
    """Every file under the folder and its sha256: what "nothing written" compares."""
    return {
        str(item.relative_to(folder)): (
            "folder" if item.is_dir() else hashlib.sha256(item.read_bytes()).hexdigest()
        )
        for item in sorted(folder.rglob("*"))
    }


def _dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def _actions(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT action FROM audit_entries ORDER BY id")]
    finally:
        conn.close()


SIGN_IN_TABLES = ("audit_entries", "audit_entry_studies", "chain_head", "users")
"""What the command's sign-in writes: the entry, its study index row, the chain's head, the
user's last sign-in."""


def _records(path: Path) -> list[str]:
    """Every row of the database but those its sign-in writes."""
    return [
        line for line in _dump(path) if not any(f'"{table}"' in line for table in SIGN_IN_TABLES)
    ]


def said_then_detail(text: str, lang: str, *shown: str | Path) -> tuple[str, str]:
    """The message's sentence and its technical detail, checked: the detail is there, once, at
    the end; under zh_CN the sentence is Chinese, but for the paths (`shown`) and a command's
    words, with no English of the system left in it."""
    mark = ZH if lang == "zh_CN" else EN
    said, found, detail = text.strip().partition(mark)
    assert found and detail.strip(), f"the system's words kept as the technical detail: {text}"
    assert mark not in detail, text
    if lang == "zh_CN":
        bare = said
        for path in sorted(map(str, shown), key=len, reverse=True):
            bare = bare.replace(path, "")
        latin = set(re.findall(r"[A-Za-z]{3,}", bare)) - ALLOWED_LATIN
        assert not latin, f"English left in the Chinese sentence {sorted(latin)}: {said}"
    return said, detail


# -- a damaged database, its backup, its upgrade -------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_backup_of_a_damaged_database_is_refused_saying_what_to_do_then_the_findings(
    lang: str, good_database: Path, tmp_path: Path, run: Run
) -> None:
    """'The database is damaged (row 3 missing from index ix_kits_study_number; ...), so this
    backup ...': the integrity check's findings now follow the sentence, as the detail."""
    db = _copy(good_database, tmp_path / "site")
    lose_index_rows(db)
    out = tmp_path / "backups"
    before = _actions(db)
    result = run(db, lang, "backup", "--out", str(out / "by-hand.sqlite3"))
    assert result.code == 5, result.err
    said, detail = said_then_detail(result.err, lang, db)
    assert "ix_kits_study_number" in detail and "ix_kits_study_number" not in said
    if lang == "zh_CN":
        assert "数据库已损坏" in said and "较早的备份保持原样" in said, said
        assert "备份与恢复演练" in said, said
    else:
        assert "The database is damaged, so this backup of it was not kept" in said, said
        assert "restore the last good backup" in said, said
    assert not out.exists() or not list(out.iterdir()), "no backup, no partial file, no log"
    assert _actions(db)[len(before) :] == ["sign_in"], "nothing recorded but the sign-in"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_damaged_backup_is_not_restored_saying_what_to_do_then_the_findings(
    lang: str, good_database: Path, tmp_path: Path, run: Run
) -> None:
    db = _copy(good_database, tmp_path / "site")
    broken = tmp_path / "broken.sqlite3"
    shutil.copyfile(db, broken)
    lose_index_rows(broken)
    damaged_backup = broken.read_bytes()
    records, actions = _records(db), _actions(db)
    result = run(db, lang, "restore", "--reason", "back to the last good day", str(broken))
    assert result.code == 5, result.err
    said, detail = said_then_detail(result.err, lang, broken)
    assert "ix_kits_study_number" in detail and "ix_kits_study_number" not in said
    if lang == "zh_CN":
        assert f"备份 {broken} 已损坏，因此未予恢复" in said and "请恢复更早的备份" in said, said
    else:
        assert f"The backup {broken} is damaged, so it was not restored" in said, said
        assert "Restore an older backup" in said, said
    assert broken.read_bytes() == damaged_backup, "the backup itself is never opened"
    assert _records(db) == records and _actions(db) == [*actions, "sign_in"], "nothing restored"
    assert sorted(p.name for p in db.parent.iterdir()) == ["pharmacy.sqlite3"]


@pytest.fixture
def migrations_with_probe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The program's migrations plus a trivial one after its head (test_damaged_databases.py):
    the database is one schema behind, and is upgraded at its opening after a backup."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    probe = (
        '"""probe"""\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
        f'revision = "9001"\ndown_revision = "{migrate.head_revision()}"\n'
        "branch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n"
        '    op.create_table("reliability_probe", sa.Column("id", sa.Integer(), '
        "primary_key=True))\n\n\n"
        "def downgrade() -> None:\n"
        '    op.drop_table("reliability_probe")\n'
    )
    (copy / "versions" / "9001_reliability_probe.py").write_text(probe)
    monkeypatch.setattr(migrate, "MIGRATIONS", copy)
    yield copy


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_damaged_database_is_not_upgraded_saying_what_to_do_then_the_findings(
    lang: str, good_database: Path, tmp_path: Path, migrations_with_probe: Path, run: Run
) -> None:
    db = _copy(good_database, tmp_path / "site")
    lose_index_rows(db)
    before = _dump(db)
    result = run(db, lang, "inventory")
    assert result.code == 5, result.err
    said, detail = said_then_detail(result.err, lang, db)
    assert "ix_kits_study_number" in detail and "ix_kits_study_number" not in said
    if lang == "zh_CN":
        assert "已损坏，因此未升级到此版本" in said and "备份与恢复演练" in said, said
    else:
        assert "is damaged, so it was not upgraded to this version" in said, said
        assert "Restore the last good backup" in said, said
    assert _dump(db) == before, "neither upgraded nor changed"
    assert not list(tmp_path.rglob("*.before-*")), "no backup kept"


def _damaged_header(good: Path, folder: Path) -> Path:
    """The header's page size overwritten: SQLite's own words are "file is not a database"."""
    path = _copy(good, folder)
    with path.open("r+b") as handle:
        handle.seek(16)
        handle.write(b"\x00\x03")
    return path


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_restore_over_a_damaged_database_says_add_force_before_the_detail(
    lang: str, good_database: Path, tmp_path: Path, run: Run
) -> None:
    """The command's own advice (--force) followed SQLite's words ('Technical detail: file is
    not a database As the current database cannot be opened...'); it now comes before them."""
    copy = tmp_path / "backup.sqlite3"
    shutil.copyfile(good_database, copy)
    db = _damaged_header(good_database, tmp_path / "site")
    files = _fingerprint(db.parent)
    refused = run(db, lang, "restore", "--reason", "back to the last good day", str(copy))
    assert refused.code == 5, refused.err
    said, detail = said_then_detail(refused.err, lang, db)
    assert detail.strip() == "file is not a database", refused.err
    assert ("--force" in said) and ("请恢复最近一次备份" in said if lang == "zh_CN" else True)
    assert _fingerprint(db.parent) == files, "nothing written"
    forced = run(db, lang, "restore", "--reason", "back to the last good day", str(copy), "--force")
    assert forced.code == 0, forced.err
    said, detail = said_then_detail(forced.err, lang, db)
    assert detail.strip() == "file is not a database", forced.err
    assert "(--force)" in said or "（--force）" in said, said


# -- files the system refuses ---------------------------------------------------------------------


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux's /proc")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_file_that_cannot_be_opened_is_said_then_the_systems_error(
    lang: str, tmp_path: Path, run: Run
) -> None:
    """/proc/self/mem cannot be read from its start (an input/output error): '无法打开
    /proc/…/mem（Input/output error）' had the system's English in the middle."""
    result = run("/proc/self/mem", lang, "inventory")
    assert result.code == 5, result.err
    path = re.search(r"/proc/\S+?/mem", result.err)
    assert path is not None, result.err
    said, detail = said_then_detail(result.err, lang, path.group(0))
    assert detail.strip() == os.strerror(5), result.err  # EIO
    assert ("请检查路径" if lang == "zh_CN" else "Check the path") in said, said


@contextmanager
def as_nobody() -> Iterator[None]:
    """This process as another account (root only), root again afterwards (test_faults.py)."""
    groups = os.getgroups()
    os.setgroups([])
    os.setresgid(NOBODY, NOBODY, 0)
    os.setresuid(NOBODY, NOBODY, 0)
    try:
        yield
    finally:
        os.setresuid(0, 0, 0)
        os.setresgid(0, 0, 0)
        os.setgroups(groups)


@contextmanager
def folder_shut(folder: Path) -> Iterator[None]:
    """The folder may not be entered by the account the block runs as: another account's, as
    root; as anyone else, the folder's mode 000 (its owner cannot enter it either)."""
    if sys.platform == "win32":
        pytest.skip("POSIX permissions")
    if os.geteuid() == 0:
        folder.chmod(0o700)
        with as_nobody():
            yield
        return
    folder.chmod(0o000)
    try:
        yield
    finally:
        folder.chmod(0o700)


@pytest.mark.parametrize("lang", [Language.ZH_CN, Language.EN])
def test_a_database_in_a_folder_this_account_may_not_enter_says_ask_then_the_error(
    lang: Language, good_database: Path, tmp_path: Path
) -> None:
    db = _copy(good_database, tmp_path / "site")
    files = _fingerprint(db.parent)
    with folder_shut(db.parent), speaking(lang), pytest.raises(ReadOnlyDatabase) as refused:
        setup.open_database(str(db))
    assert refused.value.exit_code == 3
    said, detail = said_then_detail(refused.value.message, lang.value, db)
    assert detail.strip() == os.strerror(13), refused.value.message  # EACCES
    words = "请联系此计算机的管理人员" if lang is Language.ZH_CN else "Ask whoever looks after"
    assert words in said, said
    assert _fingerprint(db.parent) == files


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="Linux's /proc")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_backup_that_cannot_be_written_says_what_to_do_then_the_systems_error(
    lang: str, good_database: Path, tmp_path: Path, run: Run
) -> None:
    """No file can be made in /proc/self: "{what} could not be written ([Errno 2] ...)."."""
    db = _copy(good_database, tmp_path / "site")
    result = run(db, lang, "backup", "--out", "/proc/self/pharmacy-backup.sqlite3")
    assert result.code == 5, result.err
    said, detail = said_then_detail(result.err, lang, "/proc/self/pharmacy-backup.sqlite3")
    assert "No such file or directory" in detail and "No such file" not in said, result.err
    words = "请检查磁盘和文件夹" if lang == "zh_CN" else "Check the disk and the folder"
    assert words in said, said
    assert "backup" not in _actions(db)[-1]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_anchor_log_that_cannot_be_written_is_a_warning_ending_with_the_error(
    lang: str, good_database: Path, tmp_path: Path, run: Run
) -> None:
    """The backup is made; its code could not be logged (anchors.log is a folder here)."""
    db = _copy(good_database, tmp_path / "site")
    out = tmp_path / "backups"
    (out / backup.ANCHOR_LOG).mkdir(parents=True)
    result = run(db, lang, "backup", "--out", str(out / "by-hand.sqlite3"))
    assert result.code == 0, result.err
    assert (out / "by-hand.sqlite3").is_file()
    log = out / backup.ANCHOR_LOG
    code = re.search(r"A-\d+-\w{4}-\w{4}-\w", result.err)
    assert code is not None, result.err
    said, detail = said_then_detail(result.err, lang, log, code.group(0))
    assert detail.strip() == os.strerror(21), result.err  # EISDIR
    assert ("请手工记下该校验码" if lang == "zh_CN" else "write the code down") in said, said


# -- a database server that is not there ---------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_unreachable_database_server_says_what_to_do_then_the_drivers_words(
    lang: str, run: Run
) -> None:
    url = "postgresql+psycopg://dispensary:s3cret@127.0.0.1:1/dispensary?connect_timeout=5"
    result = run(url, lang, "inventory")
    assert result.code == 5, result.err
    shown = re.search(r"postgresql\+psycopg://\S+?dispensary\?connect_timeout=5", result.err)
    assert shown is not None and "s3cret" not in result.err, result.err
    said, detail = said_then_detail(result.err, lang, shown.group(0))
    assert "connection" in detail.lower(), result.err
    assert ("请确认服务器正在运行" if lang == "zh_CN" else "Check that the server") in said, said
