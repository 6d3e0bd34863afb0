"""Starting the program: the sign-in window first, a clear refusal for a bad database file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter

from dispensary import app as gui
from dispensary.app import build_demo_if_missing
from dispensary.ui.app import style_sheet_path


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def critical(_parent: Any, title: str, text: str) -> None:
        shown.append((title, text))

    monkeypatch.setattr(gui.QMessageBox, "critical", critical)
    return shown


def test_a_file_that_is_not_a_database_gets_a_message_and_is_left_alone(
    qtbot: Any, tmp_path: Path, messages: list[tuple[str, str]]
) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("shopping list\n", encoding="utf-8")
    assert gui.main(["--db", str(notes)]) == 3
    [(title, text)] = messages
    assert "cannot open the database" in title
    assert "not a Dispensary database" in text
    assert notes.read_text(encoding="utf-8") == "shopping list\n"
    assert not (tmp_path / "backups").exists()


def test_a_missing_database_is_named_in_the_message(
    qtbot: Any, tmp_path: Path, messages: list[tuple[str, str]]
) -> None:
    assert gui.main(["--db", str(tmp_path / "nowhere.sqlite3")]) == 3
    assert "There is no database" in messages[0][1]
    assert not (tmp_path / "nowhere.sqlite3").exists()


def test_demo_leaves_an_existing_database_as_it_is(counter: Counter) -> None:
    before = counter.path.stat().st_size
    assert build_demo_if_missing(str(counter.path)) is False
    assert counter.path.stat().st_size == before


def test_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = gui.parse_arguments(["--db", "x.sqlite3", "--demo"])
    assert args.db == "x.sqlite3" and args.demo is True
    assert gui.demo_database(args) == "x.sqlite3"
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path))
    monkeypatch.setenv("DISPENSARY_DB", str(tmp_path / "real.sqlite3"))
    assert gui.demo_database(gui.parse_arguments(["--demo"])) == str(tmp_path / "demo.sqlite3")
    sheet = style_sheet_path()
    assert sheet.name == "style.qss" and sheet.exists()


def test_an_empty_database_option_is_a_usage_mistake_not_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--db ""` opened DISPENSARY_DB's database (or the set-up of a new one), as the command
    did."""
    monkeypatch.setenv("DISPENSARY_DB", str(tmp_path / "elsewhere.sqlite3"))
    for empty in ("", " "):
        with pytest.raises(SystemExit) as stopped:
            gui.parse_arguments(["--db", empty])
        assert stopped.value.code == 2
        assert "argument --db: the option is empty" in capsys.readouterr().err


@pytest.mark.slow
def test_python_dash_m_dispensary_shows_the_sign_in_window_then_opens_the_database(
    counter: Counter,
) -> None:
    """Run as a separate process: the probe quits the application, which a test run's shared
    QApplication must not do."""
    env = dict(os.environ, DISPENSARY_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "dispensary", "--db", str(counter.path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" after ")[0] for line in lines[:2]] == [
        "sign-in window shown",
        "database open",
    ]
    # Its own peak memory, which a parent's wait4 cannot tell (gui.PROBE_PEAK).
    (peak,) = lines[2:]
    assert peak.startswith(f"{gui.PROBE_PEAK} ") and peak.endswith(" MB")
    assert 20 < float(peak.split()[-2]) < 1000
