"""The dispense screen shows the assessment's notices (a rule to confirm, an unexplained safety
signal) as a pharmacist meets them: amber, never blocking the dispense."""

from __future__ import annotations

import os
from datetime import date

import pytest
from counter_fixtures import Counter, Printer, Signatures
from PySide6 import QtGui
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick, scan

from dispensary.services import dispensing, queries, returns
from dispensary.ui.dispense_view import DispenseScreen

SHOTS = os.environ.get("DISPENSARY_TEST_SHOTS", "")  # a folder: save a picture of each screen


@pytest.fixture
def screen(qtbot: QtBot, counter: Counter) -> DispenseScreen:
    widget = DispenseScreen(counter.session("pharm"))
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


def test_a_rule_to_confirm_and_an_unexplained_safety_signal_show_and_do_not_block(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
) -> None:
    pharm = counter.actor("pharm")
    first = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 12))  # back after a week with no tablet: over-use
    back = returns.record_return(
        counter.ctx, pharm, first.kits[0].kit, 0, "pharmpass1", first.number
    )
    assert back.flags, "the return should be flagged"
    counter.clock.set_date(date(2026, 1, 26))

    screen.refresh()
    assert not screen.notices.isVisibleTo(screen)
    scan(qtbot, screen.participant_field, "01-001")
    assert screen.notices.isVisibleTo(screen)
    assert "flagged for over-use (a safety signal)" in screen.notices.text()
    assert shown(screen.notices).startswith("\u26a0 Cycle 1"), shown(screen.notices)
    assert "Rule to confirm" not in screen.notices.text()
    assert screen.sign_button.isEnabled()

    qtbot.keyClicks(screen.platelets, "150")
    text = screen.notices.text()
    assert "Rule to confirm: platelets 150 ×10⁹/L are recorded." in text
    assert "safety signal" in text
    assert not screen.platelet_warning.isVisibleTo(screen)  # the rule holds nothing yet
    assert not screen.override.isVisibleTo(screen)
    assert screen.message.kind != "error" and screen.sign_button.isEnabled()
    if SHOTS:
        qtbot.wait(50)  # the layout makes room for the notice typed in
        screen.grab().save(os.path.join(SHOTS, "dispense-notices.png"))

    dispense_kits_to_pick(qtbot, screen)
    assert screen.message.kind == "ok", screen.message.text()
    last = queries.participant_history(counter.ctx, pharm, "01-001")[1][-1]
    assert last.cycle == 2

    screen.start_over()
    assert not screen.notices.isVisibleTo(screen)


def shown(label: QLabel) -> str:
    """The words a label shows: its text read as Qt reads it (rich text when set so, or when
    Qt guesses so from a tag), not the markup."""
    text = label.text()
    form = label.textFormat()
    rich = form == Qt.TextFormat.RichText or (
        form == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text)
    )
    document = QTextDocument()
    if rich:
        document.setHtml(text)
    else:
        document.setPlainText(text)
    return document.toPlainText()
