"""A number mistyped in the back office is kept as typed and refused, never read as another
number (as at the counter, tests/ui/test_counter_typed_numbers.py): the blind count's field
dropped the minus of "-2" and showed, then recorded, a count of 2; the receipt's tablets per kit
and the year of birth dropped a letter or a minus without a word."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from dispensary.ui.count_view import CountScreen


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
        "zh_CN": "清点片数不能为负数（-2）。请重新清点。",
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
        "zh_CN": "“2O”不是整数：清点片数只能用数字 0-9 书写（中间不能有分隔符、小数点或空格）。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == "2O"
    assert signatures.asked == []

    scan(qtbot, screen.counted, "21")  # counted again: now the book is shown
    assert screen.result_box.isVisibleTo(screen)
    assert screen.assessment is not None and screen.assessment.counted == 21
