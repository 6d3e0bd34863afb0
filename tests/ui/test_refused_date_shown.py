"""A date refused at the counter stays in its field as the pharmacist typed it, marked, with
the message; and nothing on the screen is worked out on another date meanwhile. A QDateEdit
showed the date it made of the keys: "2026-02-30" became 2026-02-03 while typed (the cycle's
assessment, its proposed kits and its refusals then of 3 February), 2026-02-28 once the field
was left, and the refusal naming "2026-02-30" stood beside a field showing another date; a
Backspace put 2026-02-03 back. The report period's dates, the return date and the date
received were the same field."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from counter_fixtures import Counter, Printer, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import scan_kits_to_pick

from dispensary.i18n import ENGLISH, Language
from dispensary.services import dispensing, queries
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.translations import install_language
from dispensary.ui.widgets import DateEdit


@pytest.fixture(params=[ENGLISH, Language.ZH_CN], ids=lambda language: language.value)
def styled(request: pytest.FixtureRequest, qapp: Any) -> Iterator[Language]:
    """The windows in the language, with the program's style sheet (the mark is its)."""
    from dispensary.ui.app import apply_style
    from dispensary.ui.translations import load_cjk_font

    chosen: Language = request.param
    if chosen is not ENGLISH:
        load_cjk_font()
    assert install_language(chosen)
    apply_style(qapp)
    try:
        yield chosen
    finally:
        install_language(ENGLISH)
        qapp.setStyleSheet("")


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def retype(qtbot: QtBot, field: DateEdit, typed: str) -> None:
    """What a user does: click in the date, select the whole of it, type over it."""
    qtbot.mouseClick(field.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, typed)


def refused_as_typed(field: DateEdit, typed: str) -> None:
    """The refused entry in its field as typed, marked, the cursor back in it, selected."""
    assert field.text() == typed
    assert field.property("cue") == "error"
    assert QApplication.focusWidget() in (field, field.lineEdit())
    assert field.lineEdit().selectedText() == typed


WORDS = {
    ENGLISH: {
        "30": "Day 1 of the cycle: '2026-02-30' is not a day of the calendar: check the month "
        "and the day.",
        "1850": "Day 1 of the cycle: 1850-01-01 is not a plausible Day 1 of the cycle (only dates "
        "from 1900 to 2199); check the year.",
        "3O": "Day 1 of the cycle: '2026-02-3O' is not a date: write it as YYYY-MM-DD "
        "(e.g. 2026-01-05).",
    },
    Language.ZH_CN: {
        "30": "周期第1天：“2026-02-30”不是日历上的日期：请核对月份和日期。",
        "1850": "周期第1天：1850-01-01 不是合理的周期第1天（只接受 1900 年至 2199 年的日期）；"
        "请核对年份。",
        "3O": "周期第1天：“2026-02-3O”不是日期：请按 YYYY-MM-DD 格式书写（例如 2026-01-05）。",
    },
}


def test_a_day_1_refused_stays_as_typed_and_nothing_is_assessed_on_another_day(
    qtbot: QtBot,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    styled: Language,
    tmp_path: Path,
) -> None:
    words = WORDS[styled]
    screen = DispenseScreen(counter.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    assert [k.number for k in screen.kits_model.rows] == ["K0101"]

    retype(qtbot, screen.day1, "2026-02-30")
    # While it is typed: shown as typed, the cycle not assessed on 3 February (its kits and
    # its "more than 7 days" refusal were of that day), the message naming what was typed.
    assert screen.day1.text() == "2026-02-30"
    assert screen.message.text() == words["30"] and screen.message.kind == "error"
    assert screen.assessment is None and screen.kits_model.rows == []
    assert not screen.sign_button.isEnabled()
    qtbot.keyClick(screen.day1, Qt.Key.Key_Tab)  # the field left: not put to 2026-02-28
    assert screen.day1.text() == "2026-02-30" and screen.assessment is None
    screen.day1.setFocus()
    qtbot.keyClick(screen.day1, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert screen.message.text() == words["30"]
    refused_as_typed(screen.day1, "2026-02-30")
    qtbot.wait(50)
    screen.grab().save(str(tmp_path / f"day1-refused-{styled.value}.png"))
    assert signatures.asked == []

    # Put right as text: the last digit erased (Qt put 2026-02-03 back), an O typed for it.
    qtbot.keyClick(screen.day1, Qt.Key.Key_End)
    qtbot.keyClick(screen.day1, Qt.Key.Key_Backspace)
    assert screen.day1.text() == "2026-02-3" and screen.day1.property("cue") == ""
    qtbot.keyClicks(screen.day1, "O")
    assert screen.day1.text() == "2026-02-3O" and screen.message.text() == words["3O"]
    assert screen.assessment is None

    retype(qtbot, screen.day1, "1850-01-01")  # out of the window: kept, not another year
    qtbot.keyClick(screen.day1, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert screen.message.text() == words["1850"]
    refused_as_typed(screen.day1, "1850-01-01")

    qtbot.keyClicks(screen.day1, "2026-01-08")  # over the selected entry
    assert screen.day1.property("cue") == "" and screen.message.kind != "error"
    assert [k.number for k in screen.kits_model.rows] == ["K0101"]
    scan_kits_to_pick(qtbot, screen)  # the kit scanned on the day typed: signed
    assert len(signatures.asked) == 1, screen.message.text()
    _person, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert [r.day1 for r in rows] == [date(2026, 1, 8)]


def test_a_return_date_half_typed_leaves_no_tally_of_another_day(
    qtbot: QtBot, counter: Counter, signatures: Signatures
) -> None:
    """The tally of what was taken, and the sign button, were of the date the field held."""
    dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 26))
    screen = ReturnScreen(counter.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    screen.scan_field.setFocus()
    qtbot.keyClicks(screen.scan_field, "K0101")
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.counted, "10")
    assert screen.tally.text() and screen.sign_button.isEnabled()
    retype(qtbot, screen.returned_on, "2026-01-2O")
    assert screen.returned_on.text() == "2026-01-2O"
    assert screen.message.text() == (
        "Return date: '2026-01-2O' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-05)."
    )
    assert screen.tally.text() == "" and not screen.sign_button.isEnabled()
    screen.counted.setFocus()
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)  # Enter in the count signs
    refused_as_typed(screen.returned_on, "2026-01-2O")
    assert signatures.asked == []
    qtbot.keyClicks(screen.returned_on, "2026-01-20")
    assert screen.tally.text() and screen.sign_button.isEnabled()


def test_a_date_received_refused_is_not_used_to_assess_a_kit_scanned(
    qtbot: QtBot, counter: Counter
) -> None:
    """A kit scanned was assessed as received on the date the field held before."""
    screen = ReceiveScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    qtbot.keyClicks(screen.shipment, "SH-002")
    qtbot.keyClicks(screen.lot, "L2402")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    retype(qtbot, screen.received_on, "2026-02-30")
    screen.scan_field.setFocus()
    qtbot.keyClicks(screen.scan_field, "K0201")
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    assert screen.message.text() == (
        "Date received: '2026-02-30' is not a day of the calendar: check the month and the day."
    )
    assert screen.kits_model.rows == [] and screen.received_on.text() == "2026-02-30"


def test_a_report_period_refused_stays_as_typed(
    qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """The from date showed 2026-02-03 beside "'2026-02-30' is not a day of the calendar"."""
    screen = ReportsScreen(pharmacy.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    screen.choose("destruction")
    qtbot.mouseClick(
        screen.dates.limit, Qt.MouseButton.LeftButton, pos=screen.dates.limit.rect().center()
    )
    retype(qtbot, screen.dates.since, "2026-02-30")
    qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.message.text() == (
        "From date: '2026-02-30' is not a day of the calendar: check the month and the day."
    )
    refused_as_typed(screen.dates.since, "2026-02-30")
    assert screen.made is None


def test_a_date_pasted_or_cut_is_edited_as_text(qtbot: QtBot) -> None:
    """Ctrl+V and Ctrl+X edit the date as the keys do: a paste after "2026-02-30" was typed
    went through the QDateEdit, and the text typed was put back over it."""
    from dispensary.ui.widgets import date_edit

    field = date_edit(date(2026, 1, 5))
    show(qtbot, field)
    retype(qtbot, field, "2026-02-30")
    assert field.entered() is None
    QApplication.clipboard().setText("2026-01-08")
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "2026-01-08" and field.entered() == date(2026, 1, 8)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(field, Qt.Key.Key_X, Qt.KeyboardModifier.ControlModifier)
    assert field.text() == "" and field.entered() is None
    assert QApplication.clipboard().text() == "2026-01-08"


def test_a_destruction_date_half_typed_is_not_assessed_as_another_day(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    """The destroy form's verdict, worked out as the form is typed, was of the date the field
    held ("2026-01-2O" was the day before)."""
    from dispensary.ui.inventory_view import InventoryScreen

    screen = InventoryScreen(pharmacy.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    screen.open_kit("K0002")
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    retype(qtbot, screen.destroyed_on, "2026-01-2O")
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    assert screen.destroyed_on.text() == "2026-01-2O"
    assert screen.destroy_verdict.text() == escape(
        "Date destroyed: '2026-01-2O' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-05)."
    )
