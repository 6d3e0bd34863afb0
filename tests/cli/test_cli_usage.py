"""Usage mistakes (exit 2), database problems (exit 3) and unexpected failures (exit 1).

Mistakes argparse catches never reach the database, so most run `main()` in this process; the
first test runs the installed command to prove the same answers come from the real script.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_support import DEMO_TODAY, Cli

from dispensary import cli as command
from dispensary.cli import core
from dispensary.services import queries
from dispensary.services.demo import DEMO_PASSWORD


def test_the_installed_command_answers_help_and_usage_mistakes(cli: Cli, sqlite_only: None) -> None:
    helped = cli("--help", user=None)
    assert helped.code == 0
    assert "exit codes" in helped.out and "DISPENSARY_PASSWORD" in helped.out
    bad_date = cli("dispense", "01-001", "--cycle", "2", "--day1", "2026-13-01")
    assert bad_date.code == 2
    assert "argument --day1: '2026-13-01' is not a day of the calendar" in bad_date.err


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
    assert command.main(["inventory", "--db", str(missing), "--user", "x", "--json"]) == 5
    captured = capsys.readouterr()
    assert captured.out == ""
    error = json.loads(captured.err)["error"]  # --json: the error as an object on stderr
    assert (error["kind"], error["code"], error["exit"]) == ("database", "no_database", 5)
    assert error["message"].startswith(f"There is no database at {missing}")


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--db", "give the database file or URL. To use DISPENSARY_DB"),
        ("--user", "give the user name to sign in as. To sign in as the user DISPENSARY_USER"),
        ("--study", "give the study's protocol number. To work in the study DISPENSARY_STUDY"),
        ("--lang", "give one of en, zh_CN. To use the workstation's language"),
    ],
)
@pytest.mark.parametrize("empty", ["", "  "])
@pytest.mark.parametrize("after", [False, True])
def test_a_global_option_given_empty_is_a_usage_mistake_not_the_environment(
    cli: Cli, option: str, words: str, empty: str, after: bool
) -> None:
    """`--db "$DB"` with DB unset worked on DISPENSARY_DB's database, and `--user ""` signed in
    as DISPENSARY_USER: a script would have worked on another database or as another user."""
    given = [f"{option}={empty}"]
    result = cli(*(["participants", *given] if after else [*given, "participants"]))
    assert (result.code, result.out) == (2, ""), result.err
    assert f"argument {option}: the option is empty: {words}" in result.err
    assert f"leave {option} out" in result.err


@pytest.mark.parametrize("empty", ["", "  "])
def test_init_given_an_empty_study_file_is_a_usage_mistake_not_the_bundled_study(
    cli: Cli, tmp_path: Path, empty: str
) -> None:
    """`init --study "$FILE"` with FILE unset made the database with the bundled study."""
    new = tmp_path / "new.sqlite3"
    made = cli("init", "--db", str(new), "--admin", "boss", "--training", "--study", empty)
    assert (made.code, made.out) == (2, ""), made.err
    assert "argument --study: the option is empty: give the study file." in made.err
    assert "leave --study out" in made.err
    assert not new.exists()


@pytest.mark.parametrize("empty", ["", " "])
def test_dispensary_db_set_but_empty_is_a_usage_mistake_not_the_default_database(
    cli: Cli, empty: str
) -> None:
    """`export DISPENSARY_DB="$DB"` with DB unset opened (or, for init, made) the database in
    the user data folder: the commands would have worked on another database than meant."""
    for argv in (["participants"], ["init", "--admin", "boss", "--training"]):
        refused = cli(*argv, env={"DISPENSARY_DB": empty})
        assert (refused.code, refused.out) == (2, ""), refused.err
        assert "error: DISPENSARY_DB is set but empty: set it to the database file" in refused.err
        assert "Nothing was opened." in refused.err
    assert list(cli.home.iterdir()) == []  # no default database opened or made
    given = cli("--db", cli.db, "participants", "--json", env={"DISPENSARY_DB": empty})
    assert given.code == 0, given.err  # --db given: the variable is not read


def test_a_study_a_database_of_one_study_does_not_hold_is_a_usage_mistake(
    cli: Cli, tmp_path: Path
) -> None:
    """It was "Database problem: ... belongs to study NCT07198672, not NOPE", exit 3."""
    new = tmp_path / "one.sqlite3"
    made = cli("init", "--db", str(new), "--admin", "boss", "--training", user=None)
    assert made.code == 0, made.err
    wrong = cli("--db", str(new), "--study", "NOPE", "participants", user="boss")
    assert (wrong.code, wrong.out) == (2, ""), wrong.err
    assert f"the study NOPE (--study) is not known in {new}, which holds NCT07198672:" in wrong.err
    assert "Database problem" not in wrong.err


def test_a_file_that_is_not_a_database_is_refused(
    sqlite_only: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("shopping list\n")
    assert command.main(["--db", str(notes), "--user", "pharmacist", "participants"]) == 5
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
    monkeypatch.setenv("DISPENSARY_STUDY", "NCT07198672")  # the demo holds three studies
    monkeypatch.delenv("DISPENSARY_DEBUG", raising=False)
    argv = ["--db", demo_db, "--user", "pharmacist", "participants"]
    assert command.main(argv) == 1
    err = capsys.readouterr().err
    assert "Unexpected error (RuntimeError: disk on fire)" in err
    assert "Traceback" not in err

    monkeypatch.setenv("DISPENSARY_DEBUG", "1")
    assert command.main(argv) == 1
    assert "Traceback (most recent call last)" in capsys.readouterr().err


# A NUL byte ends a name for the system calls (Python's file functions raise ValueError on it,
# not OSError). A real command line cannot hold one, but main() called in-process can, so these
# run in-process whatever DISPENSARY_TEST_CLI_SUBPROCESS says. NEW is a database not yet made,
# DB the demo's copy, OUT an existing folder: without the NUL byte each command could write.
NUL_PATHS = [
    (["init", "--admin", "admin2", "--training", "--db", "NEW", "--study", "OUT/s\0.toml"], "--study"),
    (["--db", "NEW\0", "init", "--admin", "admin2", "--training"], "--db"),
    (["participants", "--db", "DB\0"], "--db"),
    (["audit", "list", "--db", "DB\0"], "--db"),
    (["study", "update", "OUT/study\0.toml", "--reason", "version 2"], "FILE.toml"),
    (["backup", "--out", "OUT/copy\0.sqlite3"], "--out"),
    (["restore", "OUT/copy\0.sqlite3", "--force", "--reason", "x"], "FILE"),
    (["audit", "verify", "--anchor-log", "OUT\0"], "--anchor-log"),
    (["report", "inventory", "--out", "OUT/inventory\0.pdf"], "--out"),
    (["report", "audit", "--out", "OUT/audit.csv\0"], "--out"),
    (["label", "calibration", "--stock", "a4-sheet", "--out", "OUT/\0cal.pdf"], "--out"),
    (["temperature", "--area", "IP store 1", "OUT/logger\0.csv"], "FILE.csv"),
    (["receive", "--shipment", "SH-9", "--manifest", "OUT/m\0.csv"], "--manifest"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "option"), NUL_PATHS, ids=[" ".join(a[:2]) for a, _ in NUL_PATHS])
def test_a_path_holding_a_nul_byte_is_a_usage_mistake(
    argv: list[str],
    option: str,
    demo_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state: Callable[[str], dict[str, Any]],
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DISPENSARY_DB", demo_db)
    monkeypatch.setenv("DISPENSARY_USER", "admin")
    monkeypatch.setenv("DISPENSARY_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("DISPENSARY_TODAY", DEMO_TODAY.isoformat())
    places = {"NEW": str(tmp_path / "new.sqlite3"), "DB": demo_db, "OUT": str(out)}
    filled = [
        next((a.replace(k, v, 1) for k, v in places.items() if a.startswith(k)), a) for a in argv
    ]
    before, files = state(demo_db), set(tmp_path.rglob("*"))

    assert command.main(filled) == 2
    captured = capsys.readouterr()
    assert f"argument {option}: '" in captured.err
    assert "holds a NUL byte (\\x00), which no file or folder name" in captured.err
    assert "Nothing was done: give the name again without it." in captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    assert state(demo_db) == before
    assert set(tmp_path.rglob("*")) == files  # no database, copy, report, label or settings


def test_on_windows_its_reserved_characters_are_refused_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Windows refuses <>"|?* and control characters in a name; a database URL may hold ?."""
    monkeypatch.setattr(sys, "platform", "win32")  # read at each call by files.path_refusal
    for name in ["report<1>.pdf", "a|b.csv", "what?.pdf", 'say "hi".pdf', "tab\there.pdf"]:
        with pytest.raises(argparse.ArgumentTypeError, match="which no file or folder name"):
            core.path_option(name)
    assert core.path_option(r"C:\Users\pharmacy\report.pdf") == r"C:\Users\pharmacy\report.pdf"
    assert core.path_option("\\\\?\\C:\\very\\long\\name.pdf") == "\\\\?\\C:\\very\\long\\name.pdf"
    url = "postgresql+psycopg://dsp@db.site/dispensary?sslmode=require"
    assert core.database_option(url) == url
    with pytest.raises(argparse.ArgumentTypeError, match="NUL byte"):
        core.database_option(url + "\0")
    with pytest.raises(argparse.ArgumentTypeError, match="the character '\\?'"):
        core.database_option(r"C:\data\what?.sqlite3")


def test_version_is_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`dispensary --version` says the release written once, in dispensary.__version__ (the
    installed distribution's version is read from there too: tests/install/test_wheel.py)."""
    import dispensary

    assert command.main(["--version"]) == 0
    assert capsys.readouterr().out == f"dispensary {dispensary.__version__}\n"
