"""A label printed from Reports and labels whose record the database refused waits for it (see
test_reprint_record_waits_with_its_reason). What the user is then told follows the screens the
user has: a technician (no Dispense screen in the window's list) was told to press Record the
print on the Dispense screen. And the waiting print is named in the window's language: the
Dispense screen listed it (and said it recorded) by the PDF's English title, "Dispensing label
DSP000001 (01-001, cycle 1) (REPRINT)", on a Chinese window too."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_print_record_discarded_and_kept import crash, new_desk, sign_in
from test_reprint_record_waits_with_its_reason import REASON, printer_to, type_reason

from dispensary.app import Desk
from dispensary.domain.errors import DatabaseProblem
from dispensary.services import dispensing
from dispensary.services import labels as label_prints
from dispensary.ui import unrecorded_prints
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.reports_view import ReportsScreen


def reprint_refused(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
) -> tuple[MainWindow, ReportsScreen, str]:
    """A dispense's label printed once, then reprinted by `username` from Reports and labels,
    its reason typed, the record refused: the window, the screen and the dispense's number."""
    pharm = counter.actor("pharm")
    number = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    ).number
    label_prints.record_label_print(counter.ctx, pharm, "dispense", [number], False)
    window = sign_in(qtbot, desk, username)
    screen = window.show_screen(ReportsScreen)
    assert isinstance(screen, ReportsScreen)
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(tmp_path / "reprint.pdf"))
    screen.choose("dispense")
    screen.handle_scan(number)
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None and screen.made.reprint
    with monkeypatch.context() as refusing:

        def busy(*_args: Any, **_kwargs: Any) -> Any:
            raise DatabaseProblem("The database is busy: try again.")

        refusing.setattr(label_prints, "record_label_print", busy)
        type_reason(qtbot, REASON)
        qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "warning", screen.message.text()
    assert len(window.session.unrecorded_labels) == 1
    return window, screen, number


@pytest.mark.parametrize("username", ["pharm", "tech"])
def test_the_waiting_print_is_said_with_what_this_user_can_do(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    username: str,
) -> None:
    window, screen, _number = reprint_refused(qtbot, counter, desk, tmp_path, monkeypatch, username)
    said = screen.message.text()
    screen.grab().save(str(tmp_path / f"reprint-waits-{username}.png"))
    has_dispense = DispenseScreen in window.classes  # the window's list of screens
    assert has_dispense == (username == "pharm")
    assert ("Dispense screen" in said) == has_dispense, said
    assert "sign out" in said, said
    # Signing out, the database back: the question's Record now records it.
    record = unrecorded_prints.UnrecordedPrintsQuestion.RECORD
    monkeypatch.setattr(unrecorded_prints.UnrecordedPrintsQuestion, "ask", lambda *_: record)
    assert window.settle_prints() and window.session.unrecorded_labels == {}
    window.quit()


def test_the_waiting_reprint_is_named_in_chinese(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    chinese: None,
) -> None:
    window, _screen, number = reprint_refused(qtbot, counter, desk, tmp_path, monkeypatch, "pharm")
    [key] = window.session.unrecorded_labels  # the key may stay the PDF's title: internal
    dispense = window.show_screen(DispenseScreen)
    assert isinstance(dispense, DispenseScreen)
    listed = dispense.unrecorded_label.text() + dispense.unrecorded_label.toolTip()
    dispense.grab().save(str(tmp_path / "reprint-waiting-zh_CN.png"))
    assert number in listed and "01-001" in listed and "补打" in listed, listed
    assert key not in listed and "Dispensing label" not in listed and "REPRINT" not in listed

    asked: list[list[str]] = []

    def ask(_parent: object, prints: list[str]) -> str:
        asked.append(prints)
        return unrecorded_prints.UnrecordedPrintsQuestion.KEEP

    monkeypatch.setattr(unrecorded_prints.UnrecordedPrintsQuestion, "ask", ask)
    assert not window.settle_prints()
    [[named]] = asked
    assert number in named and "补打" in named and "Dispensing label" not in named, named

    qtbot.mouseClick(dispense.record_button, Qt.MouseButton.LeftButton)
    said = dispense.message.text()
    dispense.grab().save(str(tmp_path / "reprint-recorded-zh_CN.png"))
    assert dispense.message.kind == "ok", said
    assert number in said and "Dispensing label" not in said and "REPRINT" not in said, said
    window.quit()


def test_the_print_kept_from_the_last_session_is_said_with_what_this_user_can_do(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The technician's reprint waits through a crash; at their next sign-in the notice said
    to press Record the print on the Receive or Dispense screen: neither records it for them
    (no Dispense screen; Receive records its own kit labels only)."""
    window, _screen, number = reprint_refused(qtbot, counter, desk, tmp_path, monkeypatch, "tech")
    crash(desk)
    again = new_desk(qtbot, counter)
    window = sign_in(qtbot, again, "tech")
    said = window.notice.text()
    window.grab().save(str(tmp_path / "kept-notice-tech.png"))
    assert number in said and "Dispense screen" not in said and "sign out" in said, said
    record = unrecorded_prints.UnrecordedPrintsQuestion.RECORD
    monkeypatch.setattr(unrecorded_prints.UnrecordedPrintsQuestion, "ask", lambda *_: record)
    assert window.settle_prints() and window.session.unrecorded_labels == {}
    window.quit()
    again.close_database()
