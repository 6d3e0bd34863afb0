"""Usage mistakes (exit 2), database problems (exit 3) and unexpected failures (exit 1).

Mistakes argparse catches never reach the database, so most run `main()` in this process; the
first test runs the installed command to prove the same answers come from the real script.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Cli

from dispensary import cli as command
from dispensary.services import queries


def test_the_installed_command_answers_help_and_usage_mistakes(cli: Cli, sqlite_only: None) -> None:
    helped = cli("--help", user=None)
    assert helped.code == 0
    assert "exit codes" in helped.out and "DISPENSARY_PASSWORD" in helped.out
    bad_date = cli("dispense", "01-001", "--cycle", "2", "--day1", "2026-13-01")
    assert bad_date.code == 2
    assert "argument --day1: '2026-13-01' is not a date: write it as YYYY-MM-DD" in bad_date.err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        ([], "name a command"),
        (["dispence", "01-001"], "invalid choice: 'dispence'"),
        (["user"], "'user' needs an action"),
        (["return", "01-001", "--kit", "K1", "--tablets", "2"], "NUMBER --cycle N, or --dispense"),
        (["return", "--dispense", "D1", "--cycle", "1", "--kit", "K", "--tablets", "1"], "either"),
        (["receive", "--shipment", "S1", "--kits", "K1-K2"], "give --product, --lot, --expiry"),
        (["receive", "--shipment", "S1", "--kits", "K1", "--manifest", "m.csv"], "not allowed"),
        (["count", "K1", "--tablets", "two"], "'two' is not a whole number"),
        (["inventory", "--status", "lost"], "invalid choice: 'lost'"),
        (["audit", "list", "--limit", "0"], "--limit: 0 is not a number of entries from 1 to"),
        (["audit", "list", "--limit", "-5"], "--limit: -5 is not a number of entries from 1 to"),
        (["audit", "list", "--limit", "9" * 30], "is not a number of entries from 1 to 100000"),
    ],
)
def test_usage_mistakes_exit_2_with_a_message(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command.main(argv) == 2
    captured = capsys.readouterr()
    assert words in captured.err
    assert captured.out == ""


def test_a_malformed_fixed_today_is_a_usage_mistake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISPENSARY_TODAY", "2026-3-x")
    assert command.main(["inventory"]) == 2
    assert "DISPENSARY_TODAY='2026-3-x' is not a date" in capsys.readouterr().err


def test_global_options_also_work_after_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DISPENSARY_DB", raising=False)
    missing = tmp_path / "nowhere.sqlite3"
    assert command.main(["inventory", "--db", str(missing), "--user", "x", "--json"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"Database problem: There is no database at {missing}")


def test_a_file_that_is_not_a_database_is_refused(
    sqlite_only: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("shopping list\n")
    assert command.main(["--db", str(notes), "--user", "pharmacist", "participants"]) == 3
    assert "is not a Dispensary database" in capsys.readouterr().err
    assert notes.read_text() == "shopping list\n"


def test_an_unexpected_failure_is_one_short_line_unless_debugging(
    demo_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(queries, "participants", broken)
    monkeypatch.setenv("DISPENSARY_PASSWORD", "demo-pass-1")
    monkeypatch.setenv("DISPENSARY_TODAY", "2026-03-02")
    monkeypatch.delenv("DISPENSARY_DEBUG", raising=False)
    argv = ["--db", demo_db, "--user", "pharmacist", "participants"]
    assert command.main(argv) == 1
    err = capsys.readouterr().err
    assert "Unexpected error (RuntimeError: disk on fire)" in err
    assert "Traceback" not in err

    monkeypatch.setenv("DISPENSARY_DEBUG", "1")
    assert command.main(argv) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err
