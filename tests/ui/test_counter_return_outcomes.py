"""Returns at the counter: a kit not brought back, and a held period with its dates and the
investigator who ordered it, typed and clicked as a technician does."""

from __future__ import annotations

import os
from datetime import date

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDateEdit
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.domain.codes import Flag
from dispensary.services import dispensing, queries
from dispensary.services.results import DispenseResult
from dispensary.ui.return_view import ReturnScreen

SHOTS = os.environ.get("DISPENSARY_TEST_SHOTS", "")  # a folder: save a picture of each screen


def type_date(qtbot: QtBot, edit: QDateEdit, day: str) -> None:
    """Into the field, select what is there, type the date as the field shows it."""
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, day)


@pytest.fixture
def first_cycle(counter: Counter) -> DispenseResult:
    result = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.actor("tech")
    counter.clock.set_date(date(2026, 1, 26))
    return result


@pytest.fixture
def screen(qtbot: QtBot, counter: Counter, first_cycle: DispenseResult) -> ReturnScreen:
    widget = ReturnScreen(counter.session("tech"))
    qtbot.addWidget(widget)
    widget.resize(1166, 760)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


def cycle_one(counter: Counter) -> tuple[int | None, tuple[Flag, ...], int | None]:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return rows[0].returned, rows[0].flags, rows[0].taken


def test_a_kit_not_brought_back_is_recorded_with_no_count_and_flagged(
    qtbot: QtBot,
    screen: ReturnScreen,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
) -> None:
    scan(qtbot, screen.scan_field, first_cycle.number)
    qtbot.keyClicks(screen.counted, "4")
    screen.not_back.setFocus()
    qtbot.keyClick(screen.not_back, Qt.Key.Key_Space)  # ticked: nothing to count
    assert screen.not_back.isChecked()
    assert screen.counted.text() == "0" and not screen.counted.isEnabled()
    assert screen.sign_button.isEnabled()
    if SHOTS:
        qtbot.wait(50)
        screen.grab().save(os.path.join(SHOTS, "return-not-brought-back.png"))

    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert signatures.asked and signatures.asked[0][1] == "return counted"
    returned, flags, taken = cycle_one(counter)
    assert (returned, flags, taken) == (0, (Flag.NOT_BROUGHT_BACK,), 0)  # none taken
    assert not screen.not_back.isChecked()


def test_a_held_period_needs_who_ordered_it_and_counts_its_days(
    qtbot: QtBot,
    screen: ReturnScreen,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
) -> None:
    scan(qtbot, screen.scan_field, first_cycle.number)
    assert not screen.held_from.isVisibleTo(screen)
    qtbot.mouseClick(screen.held_period, Qt.MouseButton.LeftButton)
    assert screen.held_from.isVisibleTo(screen) and screen.held_by.isVisibleTo(screen)
    assert not screen.held.isEnabled()  # the period's dates replace a bare number of days
    type_date(qtbot, screen.held_from, "2026-01-10")
    type_date(qtbot, screen.held_until, "2026-01-14")
    assert screen.held_from.date() == QDate(2026, 1, 10)
    assert screen.held_until.date() == QDate(2026, 1, 14)
    qtbot.keyClicks(screen.counted, "5")
    assert "who ordered the drug to be held" in screen.message.text()
    assert screen.message.kind == "error"

    qtbot.keyClicks(screen.held_by, "Dr Liu")
    assert screen.message.kind != "error"
    assert screen.assessment is not None and screen.assessment.held_days == 5
    if SHOTS:
        qtbot.wait(50)
        screen.grab().save(os.path.join(SHOTS, "return-held-period.png"))
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert signatures.asked
    returned, flags, taken = cycle_one(counter)
    assert (returned, flags, taken) == (5, (), 16)  # 21 days less 5 held: 16 expected, taken
