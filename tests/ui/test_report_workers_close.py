"""A report being made or saved when the window closes, or its screen is gone (a sign-out,
another study): the Audit trail screen's Save report... and the Reports screen's preview ran on
each screen's own thread pool, which the window did not wait for as it closed. Closed during a
save, the file was never written, without a word, and the database was closed under the job
reading it; a screen deleted blocked the window until the report was done. The jobs are started
as the Today screen's readers are: the window waits for them as it closes, and the audit report
is written by its job, so it is saved even when its screen is gone."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from dispensary.reports import catalogue
from dispensary.ui import dashboard
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.screens import OPENS, screen_classes


def main_window(qtbot: QtBot, pharmacy: Pharmacy) -> MainWindow:
    window = MainWindow(
        pharmacy.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    today = window.screens[DashboardScreen]
    assert isinstance(today, DashboardScreen)
    qtbot.waitUntil(lambda: not today.checking and today.snapshot is not None)
    return window


class Slow:
    """The report's service held until released (a long trail), from another thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = threading.Event()
        self.go_on = threading.Event()
        self.finished = threading.Event()
        real = catalogue.make_report

        def slow(*args: Any, **kwargs: Any) -> Any:
            self.started.set()
            self.go_on.wait(timeout=20)
            try:
                return real(*args, **kwargs)
            finally:
                self.finished.set()

        monkeypatch.setattr(catalogue, "make_report", slow)

    def release_in(self, seconds: float) -> threading.Timer:
        timer = threading.Timer(seconds, self.go_on.set)
        timer.start()
        return timer


def none_running() -> bool:
    return not [w for w in dashboard._RUNNING if w.isRunning()]


def save_audit_report(
    qtbot: QtBot, screen: AuditScreen, monkeypatch: pytest.MonkeyPatch, target: Path
) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a: (str(target), "PDF (*.pdf)"))
    )
    qtbot.mouseClick(screen.export, Qt.MouseButton.LeftButton)


def test_the_window_closed_while_the_audit_report_is_saved_waits_and_saves_it(
    qtbot: QtBot, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    slow = Slow(monkeypatch)
    window = main_window(qtbot, pharmacy)
    screen = window.show_screen(AuditScreen)
    assert isinstance(screen, AuditScreen)
    target = tmp_path / "trail.pdf"
    save_audit_report(qtbot, screen, monkeypatch, target)
    assert slow.started.wait(10)
    timer = slow.release_in(0.5)
    window.close()  # waits for the job (under the wait cursor), then closes
    timer.join()
    assert slow.finished.is_set()
    assert none_running()
    assert target.read_bytes().startswith(b"%PDF")


def test_a_sign_out_while_the_audit_report_is_saved_neither_blocks_nor_loses_it(
    qtbot: QtBot, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The screen deleted (as a sign-out or a switch of study deletes it) while the job reads:
    the window is not held until the report is done, and the file is still written."""
    slow = Slow(monkeypatch)
    screen = AuditScreen(pharmacy.session("monitor"))
    screen.refresh()
    target = tmp_path / "trail.pdf"
    save_audit_report(qtbot, screen, monkeypatch, target)
    assert slow.started.wait(10)
    timer = slow.release_in(3)
    began = time.monotonic()
    shiboken6.delete(screen)  # the screen's own thread pool waited here for the job
    assert time.monotonic() - began < 2
    timer.join()
    qtbot.waitUntil(none_running, timeout=30000)
    assert target.read_bytes().startswith(b"%PDF")


def test_the_window_closed_while_a_report_is_made_waits_for_it(
    qtbot: QtBot, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = Slow(monkeypatch)
    window = main_window(qtbot, pharmacy)
    screen = window.show_screen(ReportsScreen)
    assert isinstance(screen, ReportsScreen)
    screen.choose("audit")
    qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert slow.started.wait(10)
    timer = slow.release_in(0.5)
    window.close()
    timer.join()
    assert slow.finished.is_set()  # not left reading a database closed under it
    assert none_running()


def test_the_window_closed_while_a_logger_file_is_imported_waits_for_the_import(
    qtbot: QtBot, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The Temperature screen's import ran on its own thread pool too: closed meanwhile, the
    window closed the database under the import writing it."""
    from dispensary.services import temperature
    from dispensary.ui.temperature_view import TemperatureScreen

    started, go_on, finished = threading.Event(), threading.Event(), threading.Event()
    real = temperature.import_logger_file
    imported: list[Any] = []

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        go_on.wait(timeout=20)
        try:
            imported.append(real(*args, **kwargs))
            return imported[-1]
        finally:
            finished.set()

    monkeypatch.setattr(temperature, "import_logger_file", slow)
    path = tmp_path / "night.csv"
    path.write_text(
        "timestamp,celsius\n2026-01-20T10:00:00+00:00,22.0\n2026-01-20T11:00:00+00:00,27.5\n"
        "2026-01-20T12:00:00+00:00,23.0\n",
        encoding="utf-8",
    )
    window = main_window(qtbot, pharmacy)
    screen = window.show_screen(TemperatureScreen)
    assert isinstance(screen, TemperatureScreen)
    screen.file.clear()
    qtbot.keyClicks(screen.file, str(path))
    qtbot.mouseClick(screen.import_button, Qt.MouseButton.LeftButton)
    assert started.wait(10)
    timer = threading.Timer(0.5, go_on.set)
    timer.start()
    window.close()
    timer.join()
    assert finished.is_set()
    assert none_running()
    assert imported, "the import was recorded, whole"
