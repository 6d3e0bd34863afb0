"""Review s9: `dispensary restore`'s words. A folder given as the backup was "There is no backup
file /tmp/x."; a damaged backup told the administrator restoring it to "ask the administrator";
the Chinese refusal of another database's backup read "…首个记录开始。 未恢复…", its two
sentences joined with an English space (services.backup now joins them as i18n.sentences does)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_support import Cli

from dispensary.i18n import Language, reset_language, set_language
from dispensary.services import backup
from tamper import schema_name_not_text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "is a folder, not a backup file: give the backup file to restore"),
        ("zh_CN", "是文件夹，不是备份文件：请给出要恢复的备份文件"),
    ],
)
def test_a_folder_given_as_the_backup_is_said_to_be_a_folder(
    cli: Cli,
    tmp_path: Path,
    state: Callable[[str], Any],
    lang: str,
    words: str,
    sqlite_only: None,  # a database server's restore is refused before any file is looked at
) -> None:
    folder = tmp_path / "x"
    folder.mkdir()
    before = state(cli.db)
    refused = cli("--lang", lang, "restore", str(folder), "--reason", "drill", user="admin")
    assert refused.code != 0
    assert f"{folder} {words}" in refused.err or f"{folder}{words}" in refused.err, refused.err
    assert "There is no backup file" not in refused.err and "不存在备份文件" not in refused.err
    assert state(cli.db) == before


def test_a_damaged_backup_says_to_restore_an_older_one_not_to_ask_the_administrator(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    conn = sqlite3.connect(cli.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    damaged = tmp_path / "damaged.sqlite3"
    shutil.copyfile(cli.db, damaged)
    damaged.chmod(0o600)
    schema_name_not_text(damaged)
    for lang, words, not_said in (
        ("en", "Restore an older backup instead", "ask the administrator"),
        ("zh_CN", "请改为恢复更早的备份", "联系管理员"),
    ):
        refused = cli("--lang", lang, "restore", str(damaged), "--reason", "drill", user="admin")
        assert refused.code == 5, refused.err
        assert words in refused.err and not_said not in refused.err, refused.err


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "A database server is restored with its own tools"),
        ("zh_CN", "数据库服务器需用其自带工具恢复"),
    ],
)
def test_a_database_servers_restore_is_refused_in_the_readers_language(
    tmp_path: Path, lang: str, words: str
) -> None:
    """Refused before anything is opened (no server needed): the words were English whatever
    the language, the message not looked up in the catalogue."""
    server = Cli("postgresql://nobody@127.0.0.1:1/none", tmp_path)
    refused = server("--lang", lang, "restore", str(tmp_path / "b.sqlite3"), "--reason", "drill")
    assert refused.code == 3 and words in refused.err, refused.err


def test_the_chinese_refusal_of_another_database_has_no_space_between_its_sentences() -> None:
    held = backup._Held("NCT07198672", ("b" * 64, "2026-01-05 09:00:00"), "")
    token = set_language(Language.ZH_CN)
    try:
        said = backup._another_database(
            Path("/backups/other.sqlite3"),
            Path("/data/dispensary.sqlite3"),
            held,
            ("a" * 64, "2026-01-02 08:00:00"),
        )
    finally:
        reset_language(token)
    assert "首个记录开始。未恢复" in said, said
    assert "。 " not in said
