"""After a return is signed the next step is a scan: the cursor is in the Returns screen's scan
field, not on the "Next return (Esc)" button the disabled count field handed it to (a scan typed
there was lost without a word). The participant's own number scanned then opens her next cycle
(count the return, then scan her for the next dispense, with the scanner only); another label
opens its return. Driven as a scanner user drives the window: type into the field that has the
cursor, Enter."""

from __future__ import annotations

from datetime import date

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from dispensary.services import dispensing
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screens import OPENS, screen_classes


def scan_here(qtbot: QtBot, code: str) -> None:
    """What a scanner does: types the code into whatever has the cursor, then Enter."""
    field = QApplication.focusWidget()
    assert isinstance(field, QWidget)
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


@pytest.fixture
def two_out(counter: Counter) -> None:
    """01-001 and 01-002 took home one kit each on 5 January; today is 26 January."""
    pharm = counter.actor("pharm")
    for number, kit in (("01-001", "K0101"), ("01-002", "K0102")):
        dispensing.dispense_cycle(
            counter.ctx, pharm, number, 1, date(2026, 1, 5), "pharmpass1", kits=[kit]
        )
    counter.clock.set_date(date(2026, 1, 26))


def open_window(qtbot: QtBot, counter: Counter, username: str = "pharm") -> MainWindow:
    window = MainWindow(
        counter.session(username), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def signed_return(qtbot: QtBot, window: MainWindow, label: str, count: str) -> ReturnScreen:
    """The label scanned in the toolbar, the count typed where the cursor goes, Enter: signed."""
    window.focus_scan()
    scan_here(qtbot, label)
    screen = window.current_screen()
    assert isinstance(screen, ReturnScreen)
    assert QApplication.focusWidget() is screen.counted
    scan_here(qtbot, count)
    return screen


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_after_a_signed_return_the_next_scan_is_taken(
    qtbot: QtBot,
    counter: Counter,
    two_out: None,
    signatures: Signatures,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    window = open_window(qtbot, counter)
    screen = signed_return(qtbot, window, "DSP000001", "2")
    assert screen.message.text() == {"en": "Return recorded.", "zh_CN": "退药已登记。"}[language]
    assert QApplication.focusWidget() is screen.scan_field

    scan_here(qtbot, "DSP000002")  # the next participant's label: her return opens
    assert window.current_screen() is screen
    assert screen.dispense is not None and screen.dispense.number == "DSP000002"
    assert QApplication.focusWidget() is screen.counted
    scan_here(qtbot, "0")
    assert QApplication.focusWidget() is screen.scan_field

    scan_here(qtbot, "01-002")  # her own number: her next cycle
    dispense = window.current_screen()
    assert isinstance(dispense, DispenseScreen)
    assert dispense.participant is not None and dispense.participant.study_number == "01-002"


def test_a_flag_explained_in_the_note_leaves_the_cursor_for_the_next_scan(
    qtbot: QtBot, counter: Counter, two_out: None, signatures: Signatures
) -> None:
    window = open_window(qtbot, counter)
    window.focus_scan()
    scan_here(qtbot, "DSP000001")
    screen = window.current_screen()
    assert isinstance(screen, ReturnScreen)
    screen.note.setText("missed a week in hospital")
    screen.counted.setFocus()
    scan_here(qtbot, "10")  # 11 of 21 taken: under-use, the note its reason
    assert screen.message.text() == "Return recorded with your note as the reason for the flag."
    assert QApplication.focusWidget() is screen.scan_field
    scan_here(qtbot, "DSP000002")
    assert screen.dispense is not None and screen.dispense.number == "DSP000002"


def test_a_technician_scanning_the_participant_after_her_return_is_told_why(
    qtbot: QtBot, counter: Counter, two_out: None, signatures: Signatures
) -> None:
    """A technician does not dispense: her number is refused on Returns, in the service's
    words, the code left selected for the next scan (never lost)."""
    window = open_window(qtbot, counter, "tech")
    screen = signed_return(qtbot, window, "DSP000001", "0")
    assert QApplication.focusWidget() is screen.scan_field
    scan_here(qtbot, "01-001")
    assert window.current_screen() is screen
    assert screen.message.text().startswith(
        "Participant 01-001 has no dispense waiting for a return: every return is recorded."
    )
    assert screen.scan_field.selectedText() == "01-001"
    assert QApplication.focusWidget() is screen.scan_field
