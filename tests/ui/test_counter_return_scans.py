"""Codes scanned on the Returns screen that name no bottle to count there: each stays on the
screen, says what the code is and what to do, in the reader's language, and leaves the cursor in
the scan field. A bottle of another participant scanned while a return is open never replaces
that return: it is refused, and opened only when the pharmacist starts over and scans it again.
Driven as a scanner user drives the screen: type the code, Enter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.services import dispensing, quarantine, queries
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screens import OPENS, screen_classes


@pytest.fixture
def two_out(counter: Counter) -> None:
    """01-001 took home K0101 and 01-002 took home K0102 on 5 January (DSP000001, DSP000002);
    K0001 is on the shelf, K0002 in quarantine; today is 26 January."""
    pharm = counter.actor("pharm")
    for number, kit in (("01-001", "K0101"), ("01-002", "K0102")):
        dispensing.dispense_cycle(
            counter.ctx, pharm, number, 1, date(2026, 1, 5), "pharmpass1", kits=[kit]
        )
    quarantine.quarantine(counter.ctx, pharm, ["K0002"], "carton arrived crushed")
    counter.actor("tech")
    counter.clock.set_date(date(2026, 1, 26))


def open_screen(qtbot: QtBot, counter: Counter) -> ReturnScreen:
    widget = ReturnScreen(counter.session("tech"))
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


@pytest.fixture
def screen(qtbot: QtBot, counter: Counter, two_out: None) -> ReturnScreen:
    return open_screen(qtbot, counter)


@pytest.fixture
def chinese_screen(
    qtbot: QtBot, chinese: None, counter: Counter, two_out: None
) -> Iterator[ReturnScreen]:
    """Made after `chinese`: a window made before the language is installed stays English."""
    yield open_screen(qtbot, counter)


def returned(counter: Counter, number: str) -> int | None:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), number)
    return rows[0].returned


def refused_in_place(screen: ReturnScreen, code: str) -> None:
    """The code stays in the scan field, red and selected, with the cursor, for the next scan."""
    assert screen.scan_field.text() == code
    assert screen.scan_field.cue == "error"
    assert screen.scan_field.selectedText() == code
    assert QApplication.focusWidget() is screen.scan_field
    assert screen.message.kind == "error"


def test_another_participants_bottle_never_replaces_the_return_open(
    qtbot: QtBot, screen: ReturnScreen, counter: Counter, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "DSP000001")  # 01-001's label
    assert screen.dispense is not None and screen.dispense.participant == "01-001"
    screen.scan_field.setFocus()
    with qtbot.assertNotEmitted(screen.open_request):
        scan(qtbot, screen.scan_field, "K0102")  # the bottle 01-002 took home

    assert screen.message.text() == (
        "Kit K0102 was dispensed to 01-002 (DSP000002), not to 01-001 (DSP000001). Check whose"
        " bottle it is: if it is 01-002's, record its return under DSP000002. To open that"
        " return, press Esc, then scan the kit again."
    )
    refused_in_place(screen, "K0102")
    assert screen.dispense.number == "DSP000001"  # 01-001's return stays open
    assert "01-001" in screen.card.text() and "01-002" not in screen.card.text()
    assert screen.kit.currentData() == "K0101"
    scan(qtbot, screen.scan_field, "K0102")  # scanned again: still refused, still 01-001's
    assert screen.dispense.number == "DSP000001"
    assert screen.scan_field.cue == "error"

    scan(qtbot, screen.scan_field, "K0101")  # 01-001's own bottle: counted for her
    assert screen.kit.currentData() == "K0101"
    assert QApplication.focusWidget() is screen.counted
    scan(qtbot, screen.counted, "0")
    assert (returned(counter, "01-001"), returned(counter, "01-002")) == (0, None)

    qtbot.keyClick(screen, Qt.Key.Key_Escape)  # the pharmacist deliberately opens 01-002's
    scan(qtbot, screen.scan_field, "K0102")
    assert screen.dispense.number == "DSP000002"
    assert screen.kit.currentData() == "K0102"
    assert QApplication.focusWidget() is screen.counted


def test_another_participants_bottle_scanned_in_the_toolbar_is_refused_too(
    qtbot: QtBot, counter: Counter, two_out: None, signatures: Signatures
) -> None:
    """The window's scan field, or a scan into the note: the return open stays open. Her own
    number scanned there once her bottle is counted still goes on to her next cycle."""
    window = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    screen = window.show_screen(ReturnScreen)
    assert isinstance(screen, ReturnScreen)
    scan(qtbot, screen.scan_field, "DSP000001")
    window.focus_scan()
    scan(qtbot, window.scan_field, "K0102")
    assert window.current_screen() is screen
    assert screen.dispense is not None and screen.dispense.number == "DSP000001"
    assert screen.message.text().startswith("Kit K0102 was dispensed to 01-002 (DSP000002)")
    assert screen.scan_field.cue == "error"

    scan(qtbot, screen.counted, "0")  # 01-001's own bottle, counted and signed
    assert returned(counter, "01-001") == 0
    window.focus_scan()
    scan(qtbot, window.scan_field, "01-001")
    assert isinstance(window.current_screen(), DispenseScreen)


def test_a_kit_never_dispensed_or_quarantined_is_said_on_the_returns_screen(
    qtbot: QtBot, screen: ReturnScreen, signatures: Signatures
) -> None:
    with qtbot.assertNotEmitted(screen.open_request):
        scan(qtbot, screen.scan_field, "K0001")
    assert screen.message.text() == (
        "Kit K0001 was never dispensed (it is available): there is nothing to return. Check the"
        " number on the bottle, or scan the dispensing label the participant brought back."
    )
    refused_in_place(screen, "K0001")
    assert screen.dispense is None

    with qtbot.assertNotEmitted(screen.open_request):
        scan(qtbot, screen.scan_field, "K0002")
    assert screen.message.text().startswith(
        "Kit K0002 was never dispensed: it is quarantined in the pharmacy, so there is nothing"
        " to return. If this bottle is in your hand, put it back in quarantine;"
    )
    refused_in_place(screen, "K0002")


def test_a_mistyped_label_or_participant_number_is_named_as_what_it_looks_like(
    qtbot: QtBot, screen: ReturnScreen, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "DSP00001")  # a digit left out of DSP000001
    assert screen.message.text() == (
        "DSP00001 is not a dispensing label's number: those are DSP and at least six digits"
        " (DSP000001). Check the number under the label's barcode, or scan the barcode."
    )
    refused_in_place(screen, "DSP00001")
    scan(qtbot, screen.scan_field, "01-0l2")  # a letter l typed for the digit 1... of 01-012
    assert screen.message.text() == (
        "Participant 01-0L2 is not enrolled in this study. Check the study number, or scan the"
        " dispensing label."
    )
    scan(qtbot, screen.scan_field, "K01O1")  # the letter O for a zero: a kit's number
    assert screen.message.text() == (
        "Kit K01O1 is not in this pharmacy's stock. Check the number on the kit's label, or scan"
        " the dispensing label."
    )
    refused_in_place(screen, "K01O1")


def test_a_participant_with_nothing_out_is_said_on_the_returns_screen(
    qtbot: QtBot, screen: ReturnScreen, counter: Counter, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "DSP000002")
    scan(qtbot, screen.counted, "0")
    assert returned(counter, "01-002") == 0
    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    with qtbot.assertNotEmitted(screen.open_request):
        scan(qtbot, screen.scan_field, "01-002")
    assert screen.message.text() == (
        "Participant 01-002 has no dispense waiting for a return: every return is recorded. To"
        " change a count, select the cycle in the participant's history (Participants) and"
        " choose Correct return count..., or run `dispensary correct-return` with the return's"
        " number, which `dispensary history 01-002` shows."
    )
    refused_in_place(screen, "01-002")


def test_the_returns_screen_says_each_code_in_chinese(
    qtbot: QtBot, chinese_screen: ReturnScreen, signatures: Signatures
) -> None:
    screen = chinese_screen
    scan(qtbot, screen.scan_field, "DSP000001")
    screen.scan_field.setFocus()
    scan(qtbot, screen.scan_field, "K0102")
    assert screen.message.text() == (
        "药盒 K0102 发放给了 01-002（DSP000002），不是 01-001（DSP000001）。请核对这瓶药是谁的："
        "如果是 01-002 的，请在 DSP000002 下登记退药。要打开那次退药，请按 Esc，然后再次扫描该药盒。"
    )
    assert screen.dispense is not None and screen.dispense.number == "DSP000001"
    refused_in_place(screen, "K0102")

    qtbot.keyClick(screen, Qt.Key.Key_Escape)
    scan(qtbot, screen.scan_field, "K0001")
    assert screen.message.text() == (
        "药盒 K0001 从未发放（当前状态：可用）：没有可退回的药物。请核对药瓶上的编号，"
        "或扫描受试者带回的发放标签。"
    )
    scan(qtbot, screen.scan_field, "K0002")
    assert screen.message.text().startswith("药盒 K0002 从未发放：它在药房中处于隔离状态，")
    scan(qtbot, screen.scan_field, "DSP00001")
    assert screen.message.text().startswith("DSP00001 不是发放标签编号：")
    scan(qtbot, screen.scan_field, "01-0L2")
    assert screen.message.text() == "受试者 01-0L2 未入组本研究。请核对研究编号，或扫描发放标签。"
    refused_in_place(screen, "01-0L2")
