"""The command on copies of the demo pharmacy edited as a reviewer edits them (Python's sqlite3
module): every append-only trigger dropped, bytes of the schema flipped, a newer schema in a
file left in rollback-journal mode. Each is refused, saying what it is and what to do, and
leaves the file as it was; a restore puts none of them in service."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_support import Cli

from tamper import schema_name_not_text

Copy = Callable[[str], Path]


@pytest.fixture
def copy_of(cli: Cli, tmp_path: Path, sqlite_only: None) -> Copy:
    """A copy of the demo database, closed (its WAL merged), beside the test's files."""
    conn = sqlite3.connect(cli.db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()

    def made(name: str) -> Path:
        target = tmp_path / name
        shutil.copyfile(cli.db, target)
        target.chmod(0o600)
        return target

    return made


def _drop_every_trigger(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    names = sorted(
        n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    )
    for name in names:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.commit()
    conn.close()
    return names


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_restore_refuses_a_backup_whose_triggers_were_dropped(
    cli: Cli, copy_of: Copy, state: Callable[[str], Any]
) -> None:
    dropped = copy_of("t_dropped.sqlite3")
    names = _drop_every_trigger(dropped)
    before, sha = state(cli.db), _sha(dropped)
    refused = cli("restore", str(dropped), "--reason", "drill", user="admin")
    assert refused.code == 5, refused.out + refused.err
    assert "was changed outside the program" in refused.err, refused.err
    assert "append-only protection" in refused.err and names[0] in refused.err
    assert "It was not restored, and nothing was changed" in refused.err
    assert state(cli.db) == before and _sha(dropped) == sha
    live = sqlite3.connect(cli.db)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="returns is append-only"):
            live.execute("UPDATE returns SET tablets = tablets + 5")
    finally:
        live.close()


def test_a_database_whose_triggers_were_dropped_is_named_at_opening_and_by_verify(
    cli: Cli, copy_of: Copy
) -> None:
    dropped = copy_of("t_dropped.sqlite3")
    names = _drop_every_trigger(dropped)
    opened = cli("--db", str(dropped), "participants")
    assert opened.code == 5, opened.out + opened.err
    assert "append-only protection of its records was removed" in opened.err, opened.err
    assert names[0] in opened.err and "audit verify" in opened.err
    verified = cli("--db", str(dropped), "audit", "verify", user="admin")
    assert verified.code == 6, verified.out + verified.err
    assert "append-only protection was removed outside the program" in verified.out
    assert names[0] in verified.out
    conn = sqlite3.connect(dropped)
    try:
        assert (
            conn.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger'").fetchone()[0]
            == 0
        ), "not put back in silence"
    finally:
        conn.close()
    chinese = cli("--db", str(dropped), "--lang", "zh_CN", "participants")
    assert chinese.code == 5 and names[0] in chinese.err
    assert "只允许追加保护" in chinese.err, chinese.err
    verified = cli("--db", str(dropped), "--lang", "zh_CN", "audit", "verify", user="admin")
    assert verified.code == 6 and "只允许追加保护" in verified.out, verified.out


def test_flipped_schema_bytes_are_damage_not_an_unexpected_error(
    cli: Cli, copy_of: Copy, state: Callable[[str], Any]
) -> None:
    flipped = copy_of("t_flipped.sqlite3")
    schema_name_not_text(flipped)
    sha = _sha(flipped)
    for lang, words in (("en", "is damaged"), ("zh_CN", "已损坏")):
        opened = cli("--db", str(flipped), "--lang", lang, "participants")
        assert opened.code == 5, opened.out + opened.err
        assert words in opened.err and "Unexpected" not in opened.err, opened.err
    before = state(cli.db)
    refused = cli("restore", str(flipped), "--reason", "drill", user="admin")
    assert refused.code == 5, refused.err
    assert f"The backup {flipped} is damaged" in refused.err and "Unexpected" not in refused.err
    assert state(cli.db) == before and _sha(flipped) == sha


def test_a_newer_schema_is_refused_byte_for_byte(cli: Cli, copy_of: Copy) -> None:
    newer = copy_of("t_newer.sqlite3")
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = 'ffff9999'")
    conn.commit()
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    sha, beside = _sha(newer), sorted(p.name for p in newer.parent.iterdir())
    refused = cli("--db", str(newer), "participants")
    assert refused.code == 5, refused.err
    assert "newer version of Dispensary" in refused.err and "Nothing was changed" in refused.err
    assert _sha(newer) == sha, "the header was switched to WAL"
    assert sorted(p.name for p in newer.parent.iterdir()) == beside
