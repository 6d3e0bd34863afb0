"""A date typed at the counter is the date used, or refused: a QDateEdit drops the keys it
refuses without a word and keeps its last date while a day is half typed, so a day 1 typed
"2026-01-1O" (a letter O for a zero) or "20260108" was dispensed on the field's old date
(2026-01-05) with nothing said, and "2026-02-30" became 2026-02-03. The step now refuses what
cannot be read as typed, naming the field (the domain's words where it reads the text), the
cursor back in the field with the text selected, nothing signed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from counter_fixtures import Counter, Printer, Signatures
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QDateEdit, QLineEdit, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import answer_eligibility, scan_kits_to_pick

from dispensary.domain.errors import NotFound
from dispensary.services import dispensing, queries
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.participants_view import EnrolDialog
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.return_view import ReturnScreen


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The windows made inside the test in English, or in Simplified Chinese."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    yield request.param


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def retype(qtbot: QtBot, field: QDateEdit, typed: str) -> None:
    """Into the field, select the whole date, type over it."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, typed)


def sign_with_keys(qtbot: QtBot, field: QWidget) -> None:
    """Ctrl+Enter, the counter's sign key, with the cursor still in the date."""
    qtbot.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def back_in(field: QDateEdit) -> None:
    assert QApplication.focusWidget() in (field, field.lineEdit())
    line: QLineEdit = field.lineEdit()
    assert line.selectedText() == line.text()


DAY1 = {
    "en": {
        "1O": "Day 1 of the cycle: '2026-01-1O' is not a date: write it as YYYY-MM-DD "
        "(e.g. 2026-01-05).",
        "run": "Day 1 of the cycle: '20260108' is not a date: write it as YYYY-MM-DD "
        "(e.g. 2026-01-05).",
        "30": "Day 1 of the cycle: '2026-02-30' is not a day of the calendar: check the month "
        "and the day.",
        "part": "Day 1 of the cycle: '2026-02-1O' is not a date: write it as YYYY-MM-DD "
        "(e.g. 2026-01-05).",
    },
    "zh_CN": {
        "1O": "周期第1天：“2026-01-1O”不是日期：请按 YYYY-MM-DD 格式书写（例如 2026-01-05）。",
        "run": "周期第1天：“20260108”不是日期：请按 YYYY-MM-DD 格式书写（例如 2026-01-05）。",
        "30": "周期第1天：“2026-02-30”不是日历上的日期：请核对月份和日期。",
        "part": "周期第1天：“2026-02-1O”不是日期：请按 YYYY-MM-DD 格式书写（例如 2026-01-05）。",
    },
}


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_day_1_typed_wrong_is_refused_never_dispensed_on_another_day(
    qtbot: QtBot, counter: Counter, signatures: Signatures, printer: Printer, language: str
) -> None:
    said = DAY1[language]
    screen = DispenseScreen(counter.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    assert screen.day1.text() == "2026-01-05"

    for typed, key in (("2026-01-1O", "1O"), ("20260108", "run"), ("2026-02-30", "30")):
        retype(qtbot, screen.day1, typed)
        sign_with_keys(qtbot, screen.day1)
        assert screen.message.text() == said[key] and screen.message.kind == "error"
        back_in(screen.day1)
        assert signatures.asked == [], f"{typed!r} was signed as {screen.day1.text()}"

    # The day alone typed over: its last two digits erased, "1O" typed (a QDateEdit dropped
    # the O, and put 2026-02-03 back at the first Backspace): edited as text, kept as typed.
    qtbot.keyClick(screen.day1, Qt.Key.Key_End)
    qtbot.keyClick(screen.day1, Qt.Key.Key_Backspace)
    qtbot.keyClick(screen.day1, Qt.Key.Key_Backspace)
    qtbot.keyClicks(screen.day1, "1O")
    sign_with_keys(qtbot, screen.day1)
    assert screen.message.text() == said["part"], screen.message.text()
    back_in(screen.day1)
    assert signatures.asked == []

    retype(qtbot, screen.day1, "2026-01-08")
    scan_kits_to_pick(qtbot, screen)  # the kit scanned on the day typed: signed
    assert len(signatures.asked) == 1, screen.message.text()
    _person, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert [r.day1 for r in rows] == [date(2026, 1, 8)]


@pytest.fixture
def first_cycle(counter: Counter) -> None:
    """01-001 took home kit K0101 (21 tablets) on 5 January; today is 26 January."""
    dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 26))


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_return_date_typed_wrong_is_refused_never_recorded_as_another_day(
    qtbot: QtBot, counter: Counter, first_cycle: None, signatures: Signatures, language: str
) -> None:
    screen = ReturnScreen(counter.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    screen.scan_field.setFocus()
    qtbot.keyClicks(screen.scan_field, "K0101")
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    qtbot.keyClicks(screen.counted, "10")
    retype(qtbot, screen.returned_on, "2026-01-2O")  # a letter O for a zero
    screen.counted.setFocus()  # back to the count: the date field left half typed
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)  # Enter in the count signs
    assert (
        screen.message.text()
        == {
            "en": "Return date: '2026-01-2O' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-05).",
            "zh_CN": "退药日期：“2026-01-2O”不是日期：请按 YYYY-MM-DD 格式书写（例如 2026-01-05）。",
        }[language]
    )
    back_in(screen.returned_on)
    _person, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert signatures.asked == [] and rows[0].returned is None

    qtbot.keyClicks(screen.returned_on, "2026-01-20")
    screen.counted.setFocus()
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    assert len(signatures.asked) == 1, screen.message.text()
    _person, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    assert (rows[0].returned, rows[0].returned_on) == (10, date(2026, 1, 20))


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_date_received_typed_wrong_is_refused_never_recorded_as_another_day(
    qtbot: QtBot, counter: Counter, language: str
) -> None:
    screen = ReceiveScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    qtbot.keyClicks(screen.shipment, "SH-002")
    qtbot.keyClicks(screen.lot, "L2402")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    screen.scan_field.setFocus()
    qtbot.keyClicks(screen.scan_field, "K0201")
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    assert [k.number for k in screen.kits_model.rows] == ["K0201"], screen.message.text()
    retype(qtbot, screen.received_on, "2026-02-30")  # shown as 2026-02-03 by the QDateEdit
    qtbot.mouseClick(screen.receive_button, Qt.MouseButton.LeftButton)
    assert (
        screen.message.text()
        == {
            "en": "Date received: '2026-02-30' is not a day of the calendar: check the month and "
            "the day.",
            "zh_CN": "接收日期：“2026-02-30”不是日历上的日期：请核对月份和日期。",
        }[language]
    )
    back_in(screen.received_on)
    shipments = queries.shipments(counter.ctx, counter.actor("tech"))
    assert "SH-002" not in [number for number, _day, _n in shipments]

    qtbot.keyClicks(screen.received_on, "2026-01-05")
    qtbot.mouseClick(screen.receive_button, Qt.MouseButton.LeftButton)
    shipments = queries.shipments(counter.ctx, counter.actor("tech"))
    assert ("SH-002", date(2026, 1, 5)) in [(number, day) for number, day, _n in shipments]


def test_an_enrolment_date_typed_wrong_is_refused_never_recorded_as_another_day(
    qtbot: QtBot, counter: Counter
) -> None:
    """The enrolment date typed "2026-01-O4" (a letter O for a zero) was the field's date of
    today (2026-01-05), recorded."""
    dialog = EnrolDialog(counter.session("pharm"))
    show(qtbot, dialog)
    qtbot.keyClicks(dialog.study_number, "01-003")
    qtbot.keyClicks(dialog.initials, "ef")
    answer_eligibility(qtbot, dialog)
    for box in dialog.criteria:
        box.ensurePolished()
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    qtbot.keyClicks(dialog.birth_year, "1972")
    retype(qtbot, dialog.enrolled_on, "2026-01-O4")
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.message.text() == (
        "Enrolment date: '2026-01-O4' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-05)."
    )
    back_in(dialog.enrolled_on)
    assert dialog.enrolled is None
    with pytest.raises(NotFound):
        queries.participant(counter.ctx, counter.actor("pharm"), "01-003")

    # The day the study came into the pharmacy (an earlier date is refused as such).
    qtbot.keyClicks(dialog.enrolled_on, "2026-01-05")
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.enrolled is not None, dialog.message.text()
    assert dialog.enrolled.enrolled_on == date(2026, 1, 5)


def test_a_date_picked_from_the_calendar_after_a_wrong_one_typed_stands(qtbot: QtBot) -> None:
    """The calendar is built only when the field is first used (a screen's date fields
    build no calendar's month and year buttons), and a date picked from it replaces what
    was typed."""
    from PySide6.QtWidgets import QCalendarWidget

    from dispensary.ui.widgets import date_edit

    field = date_edit(date(2026, 1, 5))
    qtbot.addWidget(field)
    field.show()
    assert field.findChildren(QCalendarWidget) == []
    retype(qtbot, field, "2026-01-2O")
    with pytest.raises(Exception, match="2O"):
        field.typed_date("Return date")
    calendar = field.calendarWidget()
    calendar.clicked.emit(date(2026, 1, 8))  # what a click on a day sends, as the field is set
    assert field.typed_date("Return date") == field.date().toPython()
