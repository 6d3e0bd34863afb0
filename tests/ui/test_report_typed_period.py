"""The reports window's period is read as typed, or refused naming the date at Make PDF: its
dates were QDateEdits read as they held, so "2026-02-30" typed in the from date made the report
from 2026-02-03 and "20260108" from the date the field held before, with nothing said (the
other date fields refuse so since 9bfbff0)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.widgets import DateEdit


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


def retype(qtbot: QtBot, field: DateEdit, typed: str) -> None:
    """What a user does: click in the date, select the whole of it, type over it."""
    qtbot.mouseClick(field.lineEdit(), Qt.MouseButton.LeftButton)
    qtbot.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field, typed)


def refused_at_once(qtbot: QtBot, screen: ReportsScreen, field: DateEdit) -> str:
    """Make PDF refuses before any work is started: nothing is being made, the cursor back in
    the date with the whole of it selected. The words shown."""
    qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.generate_button.isEnabled() and not screen.busy.isVisible()
    assert screen.made is None and screen._jobs == {}
    assert screen.message.kind == "error"
    assert QApplication.focusWidget() in (field, field.lineEdit())
    assert field.lineEdit().selectedText() == field.lineEdit().text()
    return screen.message.text()


WORDS = {
    "en": {
        "30": "From date: '2026-02-30' is not a day of the calendar: check the month and the day.",
        "run": "To date: '20260108' is not a date: write it as YYYY-MM-DD (e.g. 2026-01-05).",
    },
    "zh_CN": {
        "30": "起始日期：“2026-02-30”不是日历上的日期：请核对月份和日期。",
        "run": "截止日期：“20260108”不是日期：请按 YYYY-MM-DD 格式书写（例如 2026-01-05）。",
    },
}


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_period_typed_wrong_is_refused_at_make_pdf_never_another_day(
    qtbot: QtBot, pharmacy: Pharmacy, language: str, tmp_path: Path
) -> None:
    words = WORDS[language]
    screen = shown(qtbot, pharmacy)
    screen.choose("destruction")
    qtbot.mouseClick(
        screen.dates.limit, Qt.MouseButton.LeftButton, pos=screen.dates.limit.rect().center()
    )
    assert screen.dates.limit.isChecked()

    retype(qtbot, screen.dates.since, "2026-02-30")  # made from 2026-02-03 before
    assert refused_at_once(qtbot, screen, screen.dates.since) == words["30"]
    screen.grab().save(str(tmp_path / f"period-{language}.png"))
    qtbot.keyClicks(screen.dates.since, "2026-01-01")  # over the selected date
    retype(qtbot, screen.dates.until, "20260108")  # made up to the date it held before
    assert refused_at_once(qtbot, screen, screen.dates.until) == words["run"]
    qtbot.keyClicks(screen.dates.until, "2026-01-26")  # today
    assert screen.dates.value() == (date(2026, 1, 1), date(2026, 1, 26))
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None and screen.message.kind == ""


AHEAD = {
    "en": "The period ends on 2026-01-31, after today (2026-01-26): a report would claim days "
    "that have not happened yet. Give an end on or before today.",
    "zh_CN": "期间结束于 2026-01-31，晚于今天（2026-01-26）：报告将涵盖尚未到来的日子。"
    "请给出今天或更早的结束日期。",
}


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_period_that_ends_after_today_is_refused_at_once_as_the_command_refuses_it(
    qtbot: QtBot, pharmacy: Pharmacy, language: str, tmp_path: Path
) -> None:
    """The finding: the dates have no maximum, and a DARF "2026-01-01 to 2026-01-31" made on
    2026-01-26 was drawn, its header claiming days not yet lived. The service's refusal, said
    at once in the window's language; nothing is made."""
    screen = shown(qtbot, pharmacy)
    screen.choose("darf")
    screen.dates.set_range(date(2026, 1, 1), date(2026, 1, 31))
    # Presented as a date typed wrong is (a finding of the review): the "to" date marked, the
    # cursor back in it, the whole of it selected to be typed again.
    assert refused_at_once(qtbot, screen, screen.dates.until) == AHEAD[language]
    assert screen.dates.until.property("cue") == "error"
    screen.grab().save(str(tmp_path / f"ahead-{language}.png"))
    qtbot.keyClicks(screen.dates.until, "2026-01-26")  # over the selected date: today
    assert screen.dates.value() == (date(2026, 1, 1), date(2026, 1, 26))
    retype(qtbot, screen.dates.since, "2026-01-27")  # a period all after today: its start
    retype(qtbot, screen.dates.until, "2026-01-28")
    assert "2026-01-27" in refused_at_once(qtbot, screen, screen.dates.since)
    qtbot.keyClicks(screen.dates.since, "2026-01-01")
    assert refused_at_once(qtbot, screen, screen.dates.until).startswith(
        AHEAD[language][:6]
    )  # then its end
    qtbot.keyClicks(screen.dates.until, "2026-01-26")
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None and screen.message.kind == ""


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_the_audit_trail_period_typed_wrong_is_refused_never_another_day(
    qtbot: QtBot, pharmacy: Pharmacy, language: str
) -> None:
    """The Audit trail screen's dates are the same DateRange: "2026-02-30" listed the entries
    from 2026-02-03. Show refuses it naming the date, the list left as it was."""
    from dispensary.ui.audit_view import AuditScreen

    screen = AuditScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    screen.resize(1166, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    screen.refresh()
    listed = screen.model.rowCount()
    assert listed > 0
    qtbot.mouseClick(
        screen.dates.limit, Qt.MouseButton.LeftButton, pos=screen.dates.limit.rect().center()
    )
    retype(qtbot, screen.dates.since, "2026-02-30")
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    assert screen.message.text() == WORDS[language]["30"]
    assert QApplication.focusWidget() in (screen.dates.since, screen.dates.since.lineEdit())
    assert screen.model.rowCount() == listed


BACKWARDS = {
    "en": "The period ends (2026-01-05) before it starts (2026-01-20); give the dates the other "
    "way round.",
    "zh_CN": "期间的结束日期（2026-01-05）早于开始日期（2026-01-20）：请将两个日期对调。",
}


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_period_that_ends_before_it_starts_marks_its_end_as_a_date_typed_wrong(
    qtbot: QtBot, pharmacy: Pharmacy, language: str, tmp_path: Path
) -> None:
    """It was refused with neither date marked nor the cursor put back: the end, the date to
    correct, is presented as a date typed wrong is (marked, focused, selected)."""
    screen = shown(qtbot, pharmacy)
    screen.choose("darf")
    screen.dates.set_range(date(2026, 1, 20), date(2026, 1, 5))
    said = refused_at_once(qtbot, screen, screen.dates.until)
    assert said == BACKWARDS[language]
    assert screen.dates.until.property("cue") == "error"
    assert not screen.dates.since.property("cue")
    screen.grab().save(str(tmp_path / f"backwards-{language}.png"))
    qtbot.keyClicks(screen.dates.until, "2026-01-26")  # over the selected date
    assert screen.dates.value() == (date(2026, 1, 20), date(2026, 1, 26))
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None and screen.message.kind == ""
