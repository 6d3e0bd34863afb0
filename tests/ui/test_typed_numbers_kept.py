"""A number mistyped in the back office is kept as typed and refused, never read as another
number (as at the counter, tests/ui/test_counter_typed_numbers.py): the blind count's field
dropped the minus of "-2" and showed, then recorded, a count of 2; the receipt's tablets per kit
and the year of birth dropped a letter or a minus without a word."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import answer_eligibility

from dispensary.domain.errors import NotFound
from dispensary.services import queries
from dispensary.ui.count_view import CountScreen
from dispensary.ui.participants_view import CorrectEnrolmentDialog, EnrolDialog
from dispensary.ui.receive_view import ReceiveScreen


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    """What a scanner (or a person) does: the keys into the field, then Enter."""
    field.setFocus()
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def rescan(qtbot: QtBot, field: QWidget, code: str) -> None:
    """The code scanned again into a field that kept the refused one, selected (Ctrl+A)."""
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    scan(qtbot, field, code)


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The windows made inside the test in English, or in Simplified Chinese."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    yield request.param


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_minus_typed_in_the_blind_count_is_kept_and_refused(
    qtbot: QtBot, counter: Counter, signatures: Signatures, language: str
) -> None:
    screen = CountScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    scan(qtbot, screen.kit, "K0001")
    assert QApplication.focusWidget() is screen.counted
    scan(qtbot, screen.counted, "-2")
    assert screen.counted.text() == "-2"  # as typed: not 2
    assert not screen.result_box.isVisibleTo(screen)  # the book stays hidden
    said = {
        "en": "The number of tablets counted cannot be negative (-2). Count again.",
        "zh_CN": "盘点片数不能为负数（-2）。请重新盘点。",  # 清点: a return's
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == "-2"  # typed again over it

    scan(qtbot, screen.counted, "2O")  # a letter O for a zero, over the selected "-2"
    assert screen.counted.text() == "2O"
    assert not screen.result_box.isVisibleTo(screen)
    said = {
        "en": "'2O' is not a whole number: write the number of tablets counted with the digits "
        "0-9 only (no separators, decimal point or spaces inside).",
        "zh_CN": "“2O”不是整数：盘点片数只能用数字 0-9 书写（中间不能有分隔符、小数点或空格）。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == "2O"
    assert signatures.asked == []

    scan(qtbot, screen.counted, "21")  # counted again: signed and recorded, as typed
    assert [asked[2] for asked in signatures.asked] == [
        {"en": "Count of kit K0001: 21 tablets", "zh_CN": "药盒 K0001 盘点：21 片"}[language]
    ]


def receiving_screen(qtbot: QtBot, counter: Counter) -> ReceiveScreen:
    """The receiving screen with shipment SH-002's paperwork typed: lot L2402, expiry."""
    screen = ReceiveScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    qtbot.keyClicks(screen.shipment, "SH-002")
    qtbot.keyClicks(screen.lot, "L2402")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    return screen


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_minus_or_a_letter_in_the_tablets_per_kit_is_kept_and_refused(
    qtbot: QtBot, counter: Counter, language: str
) -> None:
    screen = receiving_screen(qtbot, counter)
    screen.tablets.clear()
    qtbot.keyClicks(screen.tablets, "-21")
    assert screen.tablets.text() == "-21"  # as typed: not 21
    scan(qtbot, screen.scan_field, "K0201")
    assert screen.kits_model.rows == []
    said = {
        "en": "The number of tablets in kit K0201 cannot be negative (-21): enter 0 or more.",
        "zh_CN": "药盒 K0201 的片数不能为负数（-21）：请填写 0 或更大的数。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.tablets  # to type it again
    assert screen.tablets.selectedText() == "-21"

    qtbot.keyClicks(screen.tablets, "2l")  # a letter l for a one, over the selected "-21"
    assert screen.tablets.text() == "2l"  # not 2
    rescan(qtbot, screen.scan_field, "K0201")
    assert screen.kits_model.rows == []
    said = {
        "en": "'2l' is not a whole number: write the number of tablets in each kit with the "
        "digits 0-9 only (no separators, decimal point or spaces inside).",
        "zh_CN": "“2l”不是整数：每盒片数只能用数字 0-9 书写（中间不能有分隔符、小数点或空格）。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.tablets
    assert screen.tablets.selectedText() == "2l"

    qtbot.keyClicks(screen.tablets, "0")
    screen.range_field.setFocus()
    scan(qtbot, screen.range_field, "K0201-K0202")  # a range refused for its tablets, too
    assert screen.kits_model.rows == []
    assert screen.message.text().startswith(
        {
            "en": "Kit K0201 is listed with 0 tablets; check the count.",
            "zh_CN": "药盒 K0201 列出的数量为 0 片；请核对数量。",
        }[language]
    )
    assert QApplication.focusWidget() is screen.tablets

    qtbot.keyClicks(screen.tablets, "21")  # corrected: the kit is listed with 21 tablets
    rescan(qtbot, screen.scan_field, "K0201")
    assert [(k.number, k.tablets) for k in screen.kits_model.rows] == [("K0201", 21)]


def tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Clicks the box itself, as a user does, wherever the layout placed it."""
    box.ensurePolished()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_letter_or_a_key_too_many_in_the_year_of_birth_is_kept_and_refused(
    qtbot: QtBot, counter: Counter, language: str
) -> None:
    dialog = EnrolDialog(counter.session("pharm"))
    show(qtbot, dialog)
    qtbot.keyClicks(dialog.study_number, "01-003")
    qtbot.keyClicks(dialog.initials, "ef")
    answer_eligibility(qtbot, dialog)
    for box in dialog.criteria:
        tick(qtbot, box)
    qtbot.keyClicks(dialog.birth_year, "19S5")  # a letter S for a 5
    assert dialog.birth_year.text() == "19S5"  # as typed: not 195
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    said = {
        "en": "'19S5' is not a whole number: write the year of birth with the digits 0-9 only "
        "(no separators, decimal point or spaces inside).",
        "zh_CN": "“19S5”不是整数：出生年份只能用数字 0-9 书写（中间不能有分隔符、小数点或空格）。",
    }[language]
    assert dialog.message.text() == said and dialog.message.kind == "error"
    assert QApplication.focusWidget() is dialog.birth_year
    assert dialog.birth_year.selectedText() == "19S5"  # typed again over it

    qtbot.keyClicks(dialog.birth_year, "19725")  # a key too many: not enrolled as 1972
    assert dialog.birth_year.text() == "19725"
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    said = {
        "en": "Year of birth 19725 is not possible; check it.",
        "zh_CN": "出生年份 19725 不可能；请核对。",
    }[language]
    assert dialog.message.text() == said
    assert dialog.enrolled is None
    with pytest.raises(NotFound):
        queries.participant(counter.ctx, counter.actor("pharm"), "01-003")

    dialog.birth_year.clear()
    qtbot.keyClicks(dialog.birth_year, "1972")
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.enrolled is not None, dialog.message.text()
    assert dialog.enrolled.birth_year == 1972


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_corrected_year_of_birth_typed_with_a_letter_is_kept_and_refused(
    qtbot: QtBot, counter: Counter, signatures: Signatures, language: str
) -> None:
    person = queries.participant(counter.ctx, counter.actor("pharm"), "01-001")
    dialog = CorrectEnrolmentDialog(counter.session("pharm"), person)
    show(qtbot, dialog)
    dialog.birth_year.selectAll()
    qtbot.keyClicks(dialog.birth_year, "-1965")
    qtbot.keyClicks(dialog.reason, "typed from the wrong line of the log")
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    assert dialog.birth_year.text() == "-1965"  # as typed: not 1965
    said = {
        "en": "Year of birth -1965 is not possible; check it.",
        "zh_CN": "出生年份 -1965 不可能；请核对。",
    }[language]
    assert dialog.message.text() == said
    dialog.birth_year.selectAll()
    qtbot.keyClicks(dialog.birth_year, "196S")
    qtbot.mouseClick(dialog.correct_button, Qt.MouseButton.LeftButton)
    assert dialog.birth_year.text() == "196S"
    assert dialog.message.text().startswith(
        {
            "en": "'196S' is not a whole number: write the year of birth",
            "zh_CN": "“196S”不是整数：出生年份",
        }[language]
    )
    assert QApplication.focusWidget() is dialog.birth_year
    assert dialog.birth_year.selectedText() == "196S"
    assert signatures.asked == [] and dialog.corrected is None


@pytest.mark.parametrize("language", ["zh_CN"], indirect=True)
def test_a_participant_is_enrolled_from_the_chinese_checklist(
    qtbot: QtBot, counter: Counter, language: str
) -> None:
    """The boxes read the study file's Chinese criteria and record its own ([eligibility]),
    which the service checks: every box ticked in Chinese was refused as "not confirmed"."""
    dialog = EnrolDialog(counter.session("pharm"))
    show(qtbot, dialog)
    eligibility = counter.ctx.study.eligibility
    wanted = [*eligibility.inclusion, *(f"Not: {c}" for c in eligibility.exclusion)]
    assert [box.property("criterion") for box in dialog.criteria] == wanted
    assert not any(box.text() in wanted for box in dialog.criteria)  # shown in Chinese
    qtbot.keyClicks(dialog.study_number, "01-003")
    qtbot.keyClicks(dialog.initials, "ef")
    answer_eligibility(qtbot, dialog)
    qtbot.keyClicks(dialog.birth_year, "1972")
    for box in dialog.criteria:
        tick(qtbot, box)
    qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
    assert dialog.enrolled is not None, dialog.message.text()
    assert queries.participant(counter.ctx, counter.actor("pharm"), "01-003")
