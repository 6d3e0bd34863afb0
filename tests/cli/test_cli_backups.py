"""`dispensary backups` lists the backups kept as the Backups screen does (services.backup
.kept_backups: the automatic ones and those by hand, each with its state, time, size and
verification code), to every role that reads the audit trail; a role the service refuses is
refused (exit 4); none kept is said in a sentence; Chinese for a zh_CN reader, the JSON keeping
the service's codes. With --restore-command FILE --reason TEXT, the restore's command line the
Backups screen gives (services.backup.restore_command), refused as the service refuses it; the
list numbers the backups (the service's KeptBackup.number) and --restore-command takes that
number or the file (services.backup.kept_backup)."""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_support import DEMO_TODAY, SUBPROCESS_ENV, Cli, pg_server

from dispensary.cli.program import build_parser
from dispensary.domain.codes import Role
from dispensary.services import backup, setup, users
from dispensary.services.context import clock_on
from dispensary.services.demo import DEMO_PASSWORD
from dispensary.services.permissions import ALLOWED, Permission
from tamper import edit_file


def _line(text: str, path: Path) -> str:
    [found] = [line for line in text.splitlines() if line.rstrip().endswith(str(path))]
    return found


def _automatic_backup(db: str) -> Path:
    """The day's automatic backup, as the windows make it at the first sign-in."""
    ctx = setup.open_database(db, clock_on(DEMO_TODAY)).context
    try:
        actor = users.sign_in(ctx, "monitor", DEMO_PASSWORD)
        made = backup.automatic_backup(ctx, actor, Path(db).parent / "backups")
        assert made is not None
        return Path(made.path)
    finally:
        ctx.engine.dispose()


def test_none_kept_is_said_in_a_sentence(cli: Cli) -> None:
    listed = cli("backups", user="technician")
    assert listed.code == 0, listed.err
    if pg_server() is None:
        folder = Path(cli.db).parent / "backups"
        assert listed.out.startswith("No backup of this database yet:"), listed.out
        assert str(folder) in listed.out and "dispensary backup --out FILE" in listed.out
    else:  # a server is backed up with its own tools
        assert listed.out.startswith("No backup of this database is kept:"), listed.out
        assert "pg_dump" in listed.out
    assert "Written" not in listed.out  # no table of headers alone
    data = cli("backups", "--json", user="technician").json()
    assert data["backups"] == [] and data["server"] == (pg_server() is not None)
    chinese = cli("--lang", "zh_CN", "backups", user="technician")
    assert chinese.code == 0, chinese.err
    assert chinese.out.startswith("本"), chinese.out
    assert "No backup" not in chinese.out


def test_the_backups_kept_are_listed_with_their_state(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    backups = Path(cli.db).parent / "backups"
    automatic = _automatic_backup(cli.db)
    kept = backups / "b1.sqlite3"
    assert cli("backup", "--out", str(kept), user="admin").code == 0
    changed = backups / "b2.sqlite3"
    assert cli("backup", "--out", str(changed), user="admin").code == 0
    changed.write_bytes(b"overwritten")  # no longer the file written
    usb = tmp_path / "usb"
    usb.mkdir()
    away = usb / "b3.sqlite3"
    assert cli("backup", "--out", str(away), user="admin").code == 0
    away.unlink()  # the USB stick is not plugged in

    for role in ("monitor", "technician", "pharmacist", "admin"):
        listed = cli("backups", user=role)
        assert listed.code == 0, listed.err
    lines = listed.out.splitlines()
    assert lines[0] == f"Backup folder: {backups}"
    assert lines[2].startswith("No.  Written (UTC)") and "Verification code" in lines[2]
    data = cli("backups", "--json", user="monitor").json()
    rows = {Path(r["path"]): r for r in data["backups"]}
    assert set(rows) == {automatic, kept, changed, away}
    assert {p: r["state"] for p, r in rows.items()} == {
        automatic: "as_written",
        kept: "holds_code",
        changed: "changed",
        away: "missing",
    }
    assert rows[automatic]["automatic"] and not rows[kept]["automatic"]
    assert rows[away]["bytes"] is None and rows[kept]["bytes"] == kept.stat().st_size
    # One line per backup, with the same facts as the JSON.
    for path, row in rows.items():
        line = _line(listed.out, path)
        assert row["code"] in line, line
        assert ("Automatic" if row["automatic"] else "By hand") in line, line
        if row["bytes"] is not None:
            assert f"{row['bytes'] // 1024 or 1} kB" in line, line
    assert "As written" in _line(listed.out, automatic)
    assert "Holds its code" in _line(listed.out, kept)
    assert "Changed since written" in _line(listed.out, changed)
    assert "Not found" in _line(listed.out, away)
    # What the states shown mean, once each, as the screen's hints say it.
    assert listed.out.count("do not restore it; keep it for investigation.") == 1
    assert listed.out.count("on removable media not plugged in.") == 1

    chinese = cli("--lang", "zh_CN", "backups", user="monitor")
    assert chinese.code == 0, chinese.err
    assert chinese.out.splitlines()[0] == f"备份文件夹：{backups}"
    assert "与写出时一致" in _line(chinese.out, automatic)
    assert "自动" in _line(chinese.out, automatic)
    assert "仍含其校验码" in _line(chinese.out, kept) and "手动" in _line(chinese.out, kept)
    assert "写出后已改变" in _line(chinese.out, changed)
    assert "未找到" in _line(chinese.out, away)
    assert "校验码" in chinese.out.splitlines()[2] and "写出时间（UTC）" in chinese.out
    for english in ("As written", "By hand", "Automatic", "Not found", "Backup folder", "Kind"):
        assert english not in chinese.out, english
    coded = cli("--lang", "zh_CN", "backups", "--json", user="monitor").json()
    assert {r["state"] for r in coded["backups"]} == {
        "as_written",
        "holds_code",
        "changed",
        "missing",
    }


def test_a_copy_of_a_broken_chain_is_listed_as_evidence_not_for_restore(
    cli: Cli, sqlite_only: None
) -> None:
    edit_file(cli.db, "UPDATE returns SET tablets = tablets + 3")
    backups = Path(cli.db).parent / "backups"
    assert cli("backup", "--out", str(backups / "b1.sqlite3"), user="admin").code == 6
    broken = backups / "b1-CHAIN-BROKEN.sqlite3"
    listed = cli("backups", user="monitor")
    assert listed.code == 0, listed.err
    assert "CHAIN BROKEN" in _line(listed.out, broken)
    assert "b1-CHAIN-BROKEN.sqlite3 was made when the audit trail did not verify" in listed.out
    [row] = cli("backups", "--json", user="monitor").json()["backups"]
    assert row["state"] == "chain_broken" and row["code"] == ""
    assert row["not_for_restore"].startswith("b1-CHAIN-BROKEN.sqlite3 was made")
    chinese = cli("--lang", "zh_CN", "backups", user="monitor")
    assert "链已损坏" in _line(chinese.out, broken)
    assert "CHAIN BROKEN" not in chinese.out


def test_a_role_the_service_refuses_is_refused(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """The refusal is the service's (services.backup.kept_backups): every role reads the list
    today, so one is taken away for the test, as the command runs in this process."""
    if os.environ.get(SUBPROCESS_ENV) == "1":
        pytest.skip("the permission is changed in this process only")
    monkeypatch.setitem(
        ALLOWED, Permission.BACKUPS, ALLOWED[Permission.BACKUPS] - {Role.TECHNICIAN}
    )
    refused = cli("backups", user="technician")
    assert refused.code == 4
    assert "technician (technician) may not see the backups kept." in refused.err
    assert refused.out == ""
    chinese = cli("--lang", "zh_CN", "backups", user="technician")
    assert chinese.code == 4 and "无权查看保存的备份" in chinese.err, chinese.err
    assert cli("backups", user="monitor").code == 0


def test_every_state_the_service_gives_has_its_words() -> None:
    from dispensary.cli.records import BACKUP_STATE_MEANS, BACKUP_STATES

    assert set(BACKUP_STATES) == {s.value for s in backup.BackupState}
    assert set(BACKUP_STATE_MEANS) <= set(BACKUP_STATES)


REASON = "damaged by a power cut"


def _service_command(db: str, source: Path, reason: str) -> str:
    """The command line the Backups screen gives an administrator for `source`."""
    ctx = setup.open_database(db, clock_on(DEMO_TODAY)).context
    try:
        actor = users.sign_in(ctx, "admin", DEMO_PASSWORD)
        return backup.restore_command(ctx, actor, str(source), reason)
    finally:
        ctx.engine.dispose()


def test_an_administrator_is_given_the_restore_command_the_screen_gives(
    cli: Cli, sqlite_only: None, state: Callable[[str], dict[str, Any]]
) -> None:
    """`backups --restore-command FILE --reason TEXT` prints the service's command line
    (services.backup.restore_command, as the Backups screen shows it), alone on stdout so it can
    be copied; what to do with it on stderr; nothing restored or written."""
    kept = Path(cli.db).parent / "backups" / "b1.sqlite3"
    assert cli("backup", "--out", str(kept), user="admin").code == 0
    before, held = state(cli.db), kept.read_bytes()
    given = cli("backups", "--restore-command", str(kept), "--reason", REASON, user="admin")
    assert given.code == 0, given.err
    [line] = given.out.splitlines()
    assert line == _service_command(cli.db, kept, REASON)
    words = shlex.split(line)
    assert words[words.index("restore") + 1] == str(kept), words
    parsed = build_parser().parse_args(words[1:])
    assert parsed.file == str(kept) and parsed.reason == REASON, parsed
    assert parsed.user == "admin" and Path(parsed.db) == Path(cli.db).resolve(), parsed
    assert "Close Dispensary on every workstation" in given.err, given.err
    assert state(cli.db) == before and kept.read_bytes() == held
    data = cli(
        "backups", "--restore-command", str(kept), "--reason", REASON, "--json", user="admin"
    ).json()
    assert data == {"backup": str(kept), "number": 1, "command": line}
    # Given by a path relative to the folder it is typed in: the command names the whole path.
    relative = os.path.relpath(kept)
    assert cli(
        "backups", "--restore-command", relative, "--reason", REASON, user="admin"
    ).out.splitlines() == [line]
    chinese = cli(
        "--lang",
        "zh_CN",
        "backups",
        "--restore-command",
        str(kept),
        "--reason",
        REASON,
        user="admin",
    )
    assert chinese.code == 0 and chinese.out.splitlines() == [line], chinese.err
    assert "关闭" in chinese.err and "Close" not in chinese.err, chinese.err


@pytest.mark.parametrize("role", ["pharmacist", "technician", "monitor"])
def test_a_role_that_may_not_restore_is_refused_the_command(
    cli: Cli, role: str, state: Callable[[str], dict[str, Any]]
) -> None:
    """The service's permission check (Permission.RESTORE), its words, exit 4; no command."""
    kept = Path(cli.db).parent / "backups" / "b1.sqlite3"
    before = state(cli.db)
    refused = cli("backups", "--restore-command", str(kept), "--reason", REASON, user=role)
    assert refused.code == 4, refused.err
    assert f"({role}) may not restore a backup." in refused.err, refused.err
    assert refused.out == ""
    chinese = cli(
        "--lang", "zh_CN", "backups", "--restore-command", str(kept), "--reason", REASON, user=role
    )
    assert chinese.code == 4 and "无权恢复备份" in chinese.err and chinese.out == "", chinese.err
    assert state(cli.db) == before


def test_the_restore_command_is_refused_as_the_service_refuses_it(
    cli: Cli, sqlite_only: None
) -> None:
    """Without its reason (the restore's audit entry), and for a copy kept as evidence of a trail
    that did not verify: the service's words, no command. --reason alone is a usage mistake."""
    kept = Path(cli.db).parent / "backups" / "b1.sqlite3"
    assert cli("backup", "--out", str(kept), user="admin").code == 0
    no_reason = cli("backups", "--restore-command", str(kept), user="admin")
    assert no_reason.code == 3 and no_reason.out == "", no_reason
    assert "Give the reason: it is required for the record." in no_reason.err, no_reason.err
    blank = cli("backups", "--restore-command", str(kept), "--reason", " ", user="admin")
    assert blank.code == 3 and blank.out == "", blank
    alone = cli("backups", "--reason", REASON, user="admin")
    assert alone.code == 2 and alone.out == "", alone
    assert "--restore-command" in alone.err, alone.err
    broken = Path(cli.db).parent / "backups" / "b2-CHAIN-BROKEN.sqlite3"
    refused = cli("backups", "--restore-command", str(broken), "--reason", REASON, user="admin")
    assert refused.code == 3 and refused.out == "", refused
    assert "b2-CHAIN-BROKEN.sqlite3 was made when the audit trail did not verify" in refused.err


def test_a_database_server_is_given_no_restore_command(cli: Cli) -> None:
    """The service's refusal (backup.SERVER_RESTORE): a server is restored with its own tools."""
    if pg_server() is None:
        pytest.skip("a database server only (DISPENSARY_TEST_DB)")
    refused = cli("backups", "--restore-command", "b1.sqlite3", "--reason", REASON, user="admin")
    assert refused.code == 3 and refused.out == "", refused
    assert "pg_restore" in refused.err, refused.err


def test_the_list_numbers_the_backups_as_the_restore_command_takes_them(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    """Each backup listed has its number (text: the first column, No.; JSON: `number`), the
    service's (1 the newest, in the list's order); `--restore-command NUMBER` gives the command
    for the backup listed under that number, the same as for its file."""
    backups = Path(cli.db).parent / "backups"
    _automatic_backup(cli.db)
    for name in ("b1.sqlite3", "b2.sqlite3"):
        assert cli("backup", "--out", str(backups / name), user="admin").code == 0
    listed = cli("backups", user="admin")
    assert listed.code == 0, listed.err
    assert listed.out.splitlines()[2].split()[:2] == ["No.", "Written"], listed.out
    rows = cli("backups", "--json", user="admin").json()["backups"]
    assert [row["number"] for row in rows] == [1, 2, 3]
    assert [row["at"] for row in rows] == sorted((row["at"] for row in rows), reverse=True)
    for row in rows:
        path = Path(row["path"])
        assert _line(listed.out, path).split()[0] == str(row["number"])
        by_number = cli(
            "backups", "--restore-command", str(row["number"]), "--reason", REASON, user="admin"
        )
        assert by_number.code == 0, by_number.err
        assert by_number.out.splitlines() == [_service_command(cli.db, path, REASON)]
        by_file = cli("backups", "--restore-command", str(path), "--reason", REASON, user="admin")
        assert by_file.out == by_number.out
        data = cli(
            "backups",
            "--restore-command",
            str(row["number"]),
            "--reason",
            REASON,
            "--json",
            user="admin",
        ).json()
        assert data == {
            "backup": str(path),
            "number": row["number"],
            "command": by_number.out.strip(),
        }
    chinese = cli("--lang", "zh_CN", "backups", user="admin")
    assert chinese.out.splitlines()[2].startswith("编号"), chinese.out
    # The help names both ways of giving it.
    helped = cli("backups", "--help", user="admin")
    assert "NUMBER|FILE" in helped.out and "number in the list" in helped.out, helped.out


@pytest.mark.parametrize("given", ["4", "0", "99"])
def test_a_number_not_in_the_list_is_refused_with_what_to_do(
    cli: Cli, given: str, sqlite_only: None, state: Callable[[str], dict[str, Any]]
) -> None:
    """Three backups kept: a number outside 1 to 3 is refused (exit 3), saying the numbers there
    are and how to see them; no command, nothing written."""
    backups = Path(cli.db).parent / "backups"
    for name in ("b1.sqlite3", "b2.sqlite3", "b3.sqlite3"):
        assert cli("backup", "--out", str(backups / name), user="admin").code == 0
    before = state(cli.db)
    refused = cli("backups", "--restore-command", given, "--reason", REASON, user="admin")
    assert refused.code == 3 and refused.out == "", refused
    assert f"There is no backup numbered {given}: the backups kept are numbered 1 to 3" in (
        refused.err
    ), refused.err
    assert "Run `dispensary backups` to see them with their numbers" in refused.err
    assert "Nothing was done." in refused.err
    chinese = cli(
        "--lang", "zh_CN", "backups", "--restore-command", given, "--reason", REASON, user="admin"
    )
    assert chinese.code == 3 and chinese.out == "", chinese
    assert f"没有编号为 {given} 的备份" in chinese.err and "There is" not in chinese.err
    assert state(cli.db) == before


def test_a_number_with_no_backup_kept_is_refused(cli: Cli, sqlite_only: None) -> None:
    refused = cli("backups", "--restore-command", "1", "--reason", REASON, user="admin")
    assert refused.code == 3 and refused.out == "", refused
    assert "There is no backup numbered 1: no backup of this database is kept." in refused.err


def test_a_file_that_is_not_a_backup_kept_is_refused_with_what_to_do(
    cli: Cli, tmp_path: Path, sqlite_only: None, state: Callable[[str], dict[str, Any]]
) -> None:
    """A file the list does not hold (one not there; the database itself; a copy made by hand
    outside the program) is refused (exit 3), saying how to see the backups and how such a copy
    is restored; no command, nothing written."""
    kept = Path(cli.db).parent / "backups" / "b1.sqlite3"
    assert cli("backup", "--out", str(kept), user="admin").code == 0
    copied = tmp_path / "copied.sqlite3"
    copied.write_bytes(kept.read_bytes())
    before = state(cli.db)
    for given in (tmp_path / "nowhere.sqlite3", Path(cli.db), copied):
        refused = cli("backups", "--restore-command", str(given), "--reason", REASON, user="admin")
        assert refused.code == 3 and refused.out == "", refused
        assert f"{given} is not one of the backups kept of this database." in refused.err
        assert "Run `dispensary backups` to see them" in refused.err, refused.err
        assert "dispensary restore FILE --reason TEXT" in refused.err, refused.err
    chinese = cli(
        "--lang",
        "zh_CN",
        "backups",
        "--restore-command",
        str(copied),
        "--reason",
        REASON,
        user="admin",
    )
    assert chinese.code == 3 and "不是本程序为此数据库保存的备份之一" in chinese.err, chinese
    assert state(cli.db) == before
