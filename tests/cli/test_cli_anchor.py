"""`audit anchor` prints where the chain stands; `audit verify --anchor CODE` (or
`--anchor-log`) proves the chain still holds that point, and fails (exit 6) once the history
has been rewritten, even when every hash was recomputed and plain `audit verify` passes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from cli_support import Cli

from chain_rewrite import rewrite_history
from dispensary.domain.anchor import parse_anchor


def anchor_now(cli: Cli) -> str:
    result = cli("audit", "anchor", "--json", user="monitor")
    assert result.code == 0, result.err
    data = result.json()
    assert set(data) == {"code"}
    code: str = data["code"]
    return code


def test_a_code_taken_then_checked(cli: Cli) -> None:
    text = cli("audit", "anchor", user="monitor")
    assert text.code == 0 and text.out.startswith("Verification code A-")
    code = anchor_now(cli)
    assert parse_anchor(code).position > 100
    # Each command since has signed in (a new entry): the code still stands.
    checked = cli("audit", "verify", "--anchor", code, user="monitor")
    assert checked.code == 0, checked.err
    assert f"Verification code {code} matches" in checked.out
    data = cli("--json", "audit", "verify", "--anchor", code.lower(), user="monitor").json()
    assert data["ok"] is True and data["first_bad"] is None
    # The plain verify's keys, all kept (docs/CLI.md: the anchor check only adds `anchor`).
    plain = cli("--json", "audit", "verify", user="monitor").json()
    assert set(data) == {*plain, "anchor"}
    assert data["ledger_rows"] == plain["ledger_rows"] > 0 and data["findings"] == []
    assert data["anchor"]["code"] == code and data["anchor"]["verdict"] == "matches"
    assert data["anchor"]["position"] == parse_anchor(code).position


def test_a_rewritten_history_fails_against_an_earlier_code(cli: Cli, sqlite_only: None) -> None:
    code = anchor_now(cli)
    rewrite_history(cli.db, "UPDATE audit_entries SET reason = 'nothing happened' WHERE id = 40")
    plain = cli("audit", "verify", user="monitor")
    assert plain.code == 0, plain.err  # every hash recomputed: the chain alone cannot tell
    failed = cli("audit", "verify", "--anchor", code, "--json", user="monitor")
    assert failed.code == 6
    data = failed.json()
    assert data["ok"] is False and data["anchor"]["verdict"] == "rewritten"
    assert "rewritten after the code was taken" in failed.err
    assert "call the study monitor or the sponsor's QA" in failed.err


def test_a_misread_or_malformed_code_is_refused(cli: Cli) -> None:
    code = anchor_now(cli)
    misread = code[:-3] + ("7" if code[-3] != "7" else "8") + code[-2:]  # one hash character
    refused = cli("audit", "verify", "--anchor", misread, user="monitor")
    assert refused.code == 3 and "misread or mistyped" in refused.err
    assert "rewritten" not in refused.err + refused.out
    malformed = cli("audit", "verify", "--anchor", "12345", user="monitor")
    assert malformed.code == 3 and "looks like A-104233-7QK2-M9TD-C" in malformed.err
    both = cli("audit", "verify", "--anchor", code, "--anchor-log", "x", user="monitor")
    assert both.code == 2  # one or the other


def test_a_backup_logs_its_code_and_verify_checks_the_log(cli: Cli, sqlite_only: None) -> None:
    backups = Path(cli.db).parent / "backups"  # the database's own backup folder
    made = cli("backup", "--out", str(backups / "b1.sqlite3"), "--json", user="admin")
    assert made.code == 0, made.err
    result = made.json()
    assert result["anchor_log"] == str(backups / "anchors.log") and result["warning"] == ""
    log = (backups / "anchors.log").read_text().splitlines()
    assert log[-1].split("\t")[3] == result["anchor"]
    assert log[-1].endswith("\tb1.sqlite3")
    text = cli("backup", "--out", str(backups / "b2.sqlite3"), user="admin")
    assert "Verification code A-" in text.out and "anchors.log" in text.out

    checked = cli("audit", "verify", "--anchor-log", user="monitor")  # the default folder
    assert checked.code == 0, checked.err
    assert "b2.sqlite3" in checked.out and "matches" in checked.out
    named = cli("audit", "verify", "--anchor-log", str(backups), "--json", user="monitor")
    assert named.code == 0 and json.loads(named.out)["anchor"]["verdict"] == "matches"

    rewrite_history(cli.db, "UPDATE audit_entries SET reason = 'edited' WHERE id = 12")
    assert cli("audit", "verify", user="monitor").code == 0
    failed = cli("audit", "verify", "--anchor-log", str(backups), user="monitor")
    assert failed.code == 6 and "does NOT match" in failed.out


def test_a_backup_written_elsewhere_is_logged_in_the_databases_own_folder_too(
    cli: Cli, tmp_path: Path, sqlite_only: None
) -> None:
    """A backup by hand to a USB stick logged its code only beside it: `audit verify
    --anchor-log` then said "There is no anchor log at .../backups", where the administrator's
    guide says the codes are kept."""
    backups = Path(cli.db).parent / "backups"
    usb = tmp_path / "usb"
    usb.mkdir()
    made = cli("backup", "--out", str(usb / "b.sqlite3"), "--json", user="admin")
    assert made.code == 0, made.err
    result = made.json()
    assert result["anchor_log"] == str(usb / "anchors.log") and result["warning"] == ""
    assert result["own_anchor_log"] == str(backups / "anchors.log")
    beside = (usb / "anchors.log").read_text().splitlines()[-1].split("\t")
    own = (backups / "anchors.log").read_text().splitlines()[-1].split("\t")
    assert own[3] == beside[3] == result["anchor"]
    assert own[5] == str((usb / "b.sqlite3").resolve()) and beside[5] == "b.sqlite3"
    checked = cli("audit", "verify", "--anchor-log", user="monitor")  # the default folder
    assert checked.code == 0, checked.err
    assert "matches" in checked.out and "b.sqlite3" in checked.out
    text = cli("backup", "--out", str(usb / "c.sqlite3"), user="admin")
    assert str(usb / "anchors.log") in text.out and str(backups / "anchors.log") in text.out


def test_a_broken_chain_after_a_matching_code_is_told_once(cli: Cli, sqlite_only: None) -> None:
    """The code matches but an entry after it was edited: the matching code's message names the
    finding, and the finding was printed again on the next line (the result twice)."""
    backups = Path(cli.db).parent / "backups"
    assert cli("backup", "--out", str(backups / "b1.sqlite3"), user="admin").code == 0
    logged = int((backups / "anchors.log").read_text().splitlines()[-1].split("\t")[3][2:5])
    with sqlite3.connect(cli.db) as db:
        (trigger,) = db.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'audit_entries_no_update'"
        ).fetchone()
        db.execute("DROP TRIGGER audit_entries_no_update")
        db.execute("UPDATE audit_entries SET reason = 'edited' WHERE id = ?", (logged + 1,))
        db.execute(trigger)
    finding = f"audit entry {logged + 1} was changed"
    text = cli("audit", "verify", "--anchor-log", user="monitor")
    assert text.code == 6
    assert "matches" in text.out and "But the chain does not verify" in text.out
    assert text.out.count(finding) == 1, text.out
    assert text.err.strip() == "Verification failed (exit 6): the findings are listed above."
    data = cli("audit", "verify", "--anchor-log", "--json", user="monitor")
    assert data.code == 6 and data.err.count(finding) == 1
    verdict = data.json()
    assert verdict["findings"] == [finding] and verdict["anchor"]["verdict"] == "matches"


def test_no_anchor_log(cli: Cli, tmp_path: Path) -> None:
    missing = cli("audit", "verify", "--anchor-log", str(tmp_path / "none"), user="monitor")
    assert missing.code == 3 and "no anchor log" in missing.err


def test_a_restore_logs_its_code_and_verify_judges_by_the_lines_since(
    cli: Cli, sqlite_only: None
) -> None:
    """A restore wrote no line: the log's last code was the replaced history's, and `audit
    verify --anchor-log` called the restored database tampered until the next backup."""
    backups = Path(cli.db).parent / "backups"
    assert cli("backup", "--out", str(backups / "b1.sqlite3"), user="admin").code == 0
    cli("enroll", "01-900", "--initials", "ZZ", "--birth-year", "1970", "--sex", "F",
        "--criteria-confirmed", "--eligibility-confirmed-by", "Dr Li", user="pharmacist")  # fmt: skip
    assert cli("backup", "--out", str(backups / "b2.sqlite3"), user="admin").code == 0
    restored = cli(
        "restore",
        "--reason",
        "back to the last good day",
        str(backups / "b1.sqlite3"),
        "--json",
        user="admin",
    )
    assert restored.code == 0, restored.err
    line = (backups / "anchors.log").read_text().splitlines()[-1].split("\t")
    assert line[3] == restored.json()["anchor"]
    assert line[5] == f"restored from {backups / 'b1.sqlite3'}"

    checked = cli("audit", "verify", "--anchor-log", str(backups), user="monitor")
    assert checked.code == 0, checked.err + checked.out
    assert f"restored on {line[0]} from {backups / 'b1.sqlite3'}" in checked.out
    assert "codes logged before belong to the replaced history" in checked.out
    assert cli("backup", "--out", str(backups / "b3.sqlite3"), user="admin").code == 0
    later = cli("audit", "verify", "--anchor-log", str(backups), user="monitor")
    assert later.code == 0 and "b3.sqlite3" in later.out
    assert f"The database was restored on {line[0]}" in later.out

    rewrite_history(cli.db, "UPDATE audit_entries SET reason = 'edited' WHERE id = 12")
    assert cli("audit", "verify", user="monitor").code == 0
    failed = cli("audit", "verify", "--anchor-log", str(backups), user="monitor")
    assert failed.code == 6 and "does NOT match" in failed.out, "a rewrite still fails"


def test_a_backup_over_the_database_itself_is_refused_and_nothing_is_written(
    cli: Cli, sqlite_only: None
) -> None:
    db = Path(cli.db)
    for target in (db, Path(f"{db}-wal"), db.parent / "." / db.name):
        refused = cli("backup", "--out", str(target), user="admin")
        assert refused.code != 0
        assert "is the database itself" in refused.err and "Nothing was written" in refused.err
        assert not Path(f"{target}.partial").exists()
    with sqlite3.connect(db) as con:
        backups = con.execute("SELECT count(*) FROM audit_entries WHERE action = ?", ("backup",))
        assert backups.fetchone() == (0,)
    assert cli("audit", "verify", user="monitor").code == 0
    zh = cli("--lang", "zh_CN", "backup", "--out", str(db), user="admin")
    assert "就是数据库本身" in zh.err
