"""The reports screen's typed numbers (the expiry's days, the forecast's weeks) are kept as typed
and refused naming the field: the spin boxes they were dropped a typed minus or letter without a
word ("-3" made the report for 3 days, "1O" for 1 week)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from dispensary.ui.reports_view import ReportsScreen


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The windows made inside the test in English, or in Simplified Chinese."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    yield request.param


def shown(qtbot: QtBot, pharmacy: Pharmacy) -> ReportsScreen:
    """The screen in an active window of 1366x768, its lists filled."""
    screen = ReportsScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.resize(1166, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.refresh()
    return screen


def retype(qtbot: QtBot, field: QLineEdit, text: str) -> None:
    """What a user does: click in the field, select what is there, type over it."""
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, text)


def refused_at_once(qtbot: QtBot, screen: ReportsScreen, field: QLineEdit, typed: str) -> str:
    """Make PDF refuses before any work is started: nothing is being made, the text kept, the
    cursor back in the field with the text selected. The words shown."""
    qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.generate_button.isEnabled() and not screen.busy.isVisible()
    assert screen.made is None and screen._jobs == {}
    return back_in(screen, field, typed)


def refused_by_the_service(
    qtbot: QtBot, screen: ReportsScreen, field: QLineEdit, typed: str
) -> str:
    """Made on the worker, which refuses: the service's words shown, the cursor back."""
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is None
    return back_in(screen, field, typed)


def back_in(screen: ReportsScreen, field: QLineEdit, typed: str) -> str:
    assert field.text() == typed  # as typed: not read as another number
    assert screen.message.kind == "error"
    assert QApplication.focusWidget() is field
    assert field.selectedText() == typed
    return screen.message.text()


WORDS = {
    "en": {
        "days letter": "'1O' is not a whole number: write the number of days (expiring within) "
        "with the digits 0-9 only (no separators, decimal point or spaces inside).",
        "days minus": "'-3' is not a number of days (0 or more).",
        "weeks letter": "'1O' is not a whole number: write the number of weeks ahead with the "
        "digits 0-9 only (no separators, decimal point or spaces inside).",
        "weeks minus": "Forecast 1 to 156 weeks ahead, not -3.",
        "weeks many": "Forecast 1 to 156 weeks ahead, not 200.",
    },
    "zh_CN": {
        "days letter": "“1O”不是整数：有效期剩余天数只能用数字 0-9 书写（中间不能有分隔符、"
        "小数点或空格）。",
        "days minus": "“-3”不是天数（0 或以上）。",
        "weeks letter": "“1O”不是整数：预测周数只能用数字 0-9 书写（中间不能有分隔符、"
        "小数点或空格）。",
        "weeks minus": "预测范围为未来1至156周，不能是-3。",
        "weeks many": "预测范围为未来1至156周，不能是200。",
    },
}


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_minus_or_a_letter_in_the_expiry_days_is_kept_and_refused(
    qtbot: QtBot, pharmacy: Pharmacy, language: str
) -> None:
    words = WORDS[language]
    screen = shown(qtbot, pharmacy)
    screen.choose("expiry")

    retype(qtbot, screen.days, "1O")  # a letter O for a zero
    assert refused_at_once(qtbot, screen, screen.days, "1O") == words["days letter"]
    qtbot.keyClicks(screen.days, "-3")  # over the selected "1O"
    assert refused_by_the_service(qtbot, screen, screen.days, "-3") == words["days minus"]
    qtbot.keyClicks(screen.days, "30")
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.keyClick(screen.days, Qt.Key.Key_Return)  # Enter in the field makes it
    assert screen.made is not None and screen.message.kind == ""


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_minus_or_a_letter_in_the_forecast_weeks_is_kept_and_refused(
    qtbot: QtBot, pharmacy: Pharmacy, language: str
) -> None:
    words = WORDS[language]
    screen = shown(qtbot, pharmacy)
    screen.choose("forecast")

    retype(qtbot, screen.weeks, "1O")
    assert refused_at_once(qtbot, screen, screen.weeks, "1O") == words["weeks letter"]
    qtbot.keyClicks(screen.weeks, "-3")
    assert refused_by_the_service(qtbot, screen, screen.weeks, "-3") == words["weeks minus"]
    qtbot.keyClicks(screen.weeks, "200")
    assert refused_by_the_service(qtbot, screen, screen.weeks, "200") == words["weeks many"]
    qtbot.keyClicks(screen.weeks, "4")
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.keyClick(screen.weeks, Qt.Key.Key_Return)
    assert screen.made is not None and screen.message.kind == ""
