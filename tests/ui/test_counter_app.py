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
from dispensary.i18n import Language
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
    """A network drive not connected yet: the window says to check it, or to ask the
    administrator, never to create a new pharmacy with a command a desktop user has not got."""
    missing = tmp_path / "nowhere.sqlite3"
    assert gui.main(["--db", str(missing)]) == 3
    assert messages[0][1] == (
        f"There is no database at {missing}. Check that the drive or folder it is on is"
        " available (a network drive may not be connected yet), then start Dispensary again."
        " If it is, ask the administrator which database file this workstation opens."
    )
    assert not missing.exists()


def test_a_missing_database_is_said_in_chinese_in_the_window(
    qtbot: Any,
    tmp_path: Path,
    messages: list[tuple[str, str]],
    chinese: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A workstation whose system language is Chinese."""
    monkeypatch.setattr(gui, "system_language", lambda: Language.ZH_CN)
    missing = tmp_path / "nowhere.sqlite3"
    assert gui.main(["--db", str(missing)]) == 3
    title, text = messages[0]
    assert text == (
        f"{missing} 处没有数据库。请检查它所在的驱动器或文件夹是否可用（网络驱动器可能尚未连接），"
        "然后重新启动 Dispensary。如果可用，请询问管理员本工作站应打开哪个数据库文件。"
    )
    assert "dispensary init" not in text and "数据库" in title


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
