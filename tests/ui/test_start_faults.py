"""Starting the program with a database it cannot use, or one other accounts may read (issue 9):
the same named messages as the `dispensary` command, exit 3, and never a sign-in window left
waiting on a worker that died of an unexpected exception; a warning, not a refusal, for a file
readable by others."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from dispensary import app as gui
from dispensary.app import Workstation, open_workstation
from dispensary.i18n import Language
from dispensary.services.context import Context
from dispensary.ui.translations import install_language


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def critical(_parent: Any, title: str, text: str) -> None:
        shown.append((title, text))

    monkeypatch.setattr(gui.QMessageBox, "critical", critical)
    return shown


@pytest.fixture
def answered(qapp: QApplication) -> Iterator[None]:
    """Fails the test (exit 99) instead of waiting for ever if the start-up never answers."""
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: qapp.exit(99))
    timer.start(60_000)
    yield
    timer.stop()


@pytest.mark.parametrize(
    ("db", "words"),
    [
        ("mysql://user@host/pharmacy", "PostgreSQL URL"),
        ("://", "PostgreSQL URL"),
        ("/tmp/" + "a" * 300 + "/pharmacy.sqlite3", "longer than this system allows"),
        ("postgresql+psycopg://u:s3cret@127.0.0.1:1/x?connect_timeout=5", "cannot be reached"),
    ],
    ids=["mysql", "scheme_only", "path_too_long", "server_unreachable"],
)
def test_a_database_that_cannot_be_used_is_named_at_start(
    db: str, words: str, qtbot: Any, answered: None, messages: list[tuple[str, str]]
) -> None:
    assert gui.main(["--db", db]) == 3
    [(title, text)] = messages
    assert "cannot open the database" in title
    assert words in text, text
    assert "s3cret" not in text


def test_a_read_only_folder_is_named_at_start(
    ctx: Context, tmp_path: Path, qtbot: Any, answered: None, messages: list[tuple[str, str]]
) -> None:
    if os.name != "posix" or os.geteuid() == 0:
        pytest.skip("root may write anywhere (tests/reliability/test_faults.py acts as another)")
    ctx.engine.dispose()
    folder = Path(ctx.database).parent
    folder.chmod(0o555)
    try:
        assert gui.main(["--db", ctx.database]) == 3
    finally:
        folder.chmod(0o755)
    [(_title, text)] = messages
    assert "read-only for this account" in text and "do not restore" in text


@contextmanager
def _read_only(folder: Path) -> Iterator[str]:
    """The folder read-only for this process, in a way that stops root too: as root (CI) a
    small disk mounted read-only (Linux), else the folder chmodded 555. Yields what the refusal
    names as the cause."""
    if os.name != "posix":
        pytest.skip("a read-only folder or disk of POSIX")
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "read-only for this account"
        finally:
            folder.chmod(0o755)
        return
    if sys.platform != "linux":
        pytest.skip("as root, only a disk mounted read-only stops the writes (Linux)")
    done = subprocess.run(
        ["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        pytest.skip(f"cannot make the disk read-only: {done.stderr.strip()}")
    yield "mounted read-only"


@contextmanager
def _small_disk(folder: Path) -> Iterator[Path]:
    """As root on Linux, a small disk (tmpfs) at `folder`; else the folder itself."""
    folder.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or sys.platform != "linux":
        yield folder
        return
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small disk here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=False)


def test_a_read_only_database_is_refused_at_start_and_the_command_named_to_read_it(
    ctx: Context, tmp_path: Path, qtbot: Any, answered: None, messages: list[tuple[str, str]]
) -> None:
    """An inspector's copy on a CD: the windows record every sign-in and the day's backup, so
    they refuse it at start, saying why, that nothing was changed, and that the `dispensary`
    command reads, verifies and reports on it as it is; not a byte of the copy is written."""
    ctx.engine.dispose()
    with _small_disk(tmp_path / "cd") as folder:
        path = folder / "pharmacy.sqlite3"
        shutil.copyfile(ctx.database, path)
        with _read_only(folder) as cause:
            before = sorted((p.name, p.read_bytes()) for p in folder.iterdir())
            assert gui.main(["--db", str(path)]) == 3
            assert sorted((p.name, p.read_bytes()) for p in folder.iterdir()) == before
    [(title, text)] = messages
    assert "cannot open the database" in title
    assert cause in text and "Nothing was changed" in text and "do not restore" in text, text
    assert "The dispensary command can still read it as it is" in text, text


def test_a_database_others_may_read_opens_with_a_warning(ctx: Context) -> None:
    ctx.engine.dispose()
    path = Path(ctx.database)
    path.chmod(0o640)
    shared = open_workstation(ctx.database)
    shared.ctx.engine.dispose()
    assert shared.warning and "may be read by other accounts" in shared.warning
    assert path.stat().st_mode & 0o777 == 0o640, "the file is never chmodded"
    path.chmod(0o600)
    private = open_workstation(ctx.database)
    private.ctx.engine.dispose()
    assert private.warning is None


class _QuietDesk:
    """Stands in for the Desk: keeps what the start-up showed, then quits."""

    made: list[_QuietDesk] = []

    def __init__(self, workstation: Workstation, sign_in: Any) -> None:
        self.workstation = workstation
        self.sign_in = sign_in
        _QuietDesk.made.append(self)
        QTimer.singleShot(0, lambda: QApplication.instance().exit(0))  # type: ignore[union-attr]

    def wait_for_backup(self) -> None:
        pass

    def close_database(self) -> None:
        self.workstation.ctx.engine.dispose()


def test_the_sign_in_window_shows_the_warning(
    ctx: Context, qtbot: Any, answered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx.engine.dispose()
    Path(ctx.database).chmod(0o644)
    monkeypatch.setattr(gui, "Desk", _QuietDesk)
    _QuietDesk.made.clear()
    assert gui.main(["--db", ctx.database]) == 0
    [desk] = _QuietDesk.made
    bar = desk.sign_in.form.message
    assert bar.kind == "warning" and "may be read by other accounts" in bar.text()


OLD_RELEASE = Path(__file__).parents[1] / "fixtures" / "release-0007-demo.sqlite3.gz"


def test_the_window_says_once_that_it_upgraded_the_database_and_where_the_copy_is(
    tmp_path: Path, qtbot: Any, answered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window kept the file before the upgrade in backups/ and said so nowhere (the guides
    said it was kept beside the database)."""
    path = tmp_path / "pharmacy.sqlite3"
    with gzip.open(OLD_RELEASE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    path.chmod(0o600)
    monkeypatch.setattr(gui, "Desk", _QuietDesk)
    _QuietDesk.made.clear()
    assert gui.main(["--db", str(path)]) == 0
    assert gui.main(["--db", str(path)]) == 0  # opened again: nothing more to say
    first, again = _QuietDesk.made
    [copy] = (tmp_path / "backups").glob("pharmacy.before-*.sqlite3")
    assert not list(tmp_path.glob("*.before-*")), "one place: the backups folder"
    bar = first.sign_in.form.message
    assert bar.kind == "info" and "upgraded to this version of Dispensary" in bar.text()
    assert f"kept at {copy}" in bar.text()
    assert "upgraded" not in again.sign_in.form.message.text()


def _flipped(path: Path) -> str:
    from tamper import schema_name_not_text

    schema_name_not_text(path)
    return "damaged"


def _unprotected(path: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(path)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.commit()
    conn.close()
    return "append-only"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("edit", [_flipped, _unprotected], ids=["flipped", "unprotected"])
def test_a_damaged_or_unprotected_database_is_named_at_start_in_either_language(
    edit: Any,
    lang: str,
    ctx: Context,
    tmp_path: Path,
    qtbot: Any,
    answered: None,
    messages: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bytes of the schema flipped were an 'Unexpected error (UnicodeDecodeError)' at start;
    a database whose append-only triggers were dropped opened as if whole."""
    ctx.engine.dispose()
    path = tmp_path / "copy.sqlite3"
    shutil.copyfile(ctx.database, path)
    path.chmod(0o600)
    kind = edit(path)
    before = path.read_bytes()
    monkeypatch.setenv("DISPENSARY_LANG", lang)
    try:
        assert gui.main(["--db", str(path)]) == 3
    finally:  # the windows of the next tests in English again
        monkeypatch.setenv("DISPENSARY_LANG", "en")
        install_language(Language.EN)
    [(_title, text)] = messages
    assert "Unexpected" not in text and "UnicodeDecodeError" not in text, text
    said = {
        ("damaged", "en"): "is damaged",
        ("damaged", "zh_CN"): "已损坏",
        ("append-only", "en"): "append-only protection of its records was removed",
        ("append-only", "zh_CN"): "只允许追加保护已被移除",
    }[(kind, lang)]
    assert said in text, text
    assert path.read_bytes() == before
