"""The Temperature window's row to enter the storage area's min/max thermometer by hand: typed
and recorded with Enter, said as an import's result, listed as entered by hand."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.services import temperature
from dispensary.ui.temperature_view import LOGGER_FILE, TemperatureScreen

SHOTS = os.environ.get("DISPENSARY_SHOTS")  # a folder: the windows saved there to look at


def type_reading(qtbot: Any, screen: TemperatureScreen, at: str, low: str, high: str) -> None:
    """The three fields typed, each ended with Enter, as a user does at the keyboard."""
    screen.reading_at.setFocus()
    for field, text in (
        (screen.reading_at, at),
        (screen.reading_min, low),
        (screen.reading_max, high),
    ):
        assert screen.focusWidget() is field  # Enter moved on to it
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key.Key_Return)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_reading_typed_and_entered_records_an_excursion_as_entered_by_hand(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path, language: str, request: pytest.FixtureRequest
) -> None:
    if language != "en":
        request.getfixturevalue("chinese")
    screen = refreshed(qtbot, TemperatureScreen(pharmacy.session("tech")))
    screen.show()
    qtbot.waitExposed(screen)
    # a refusal first: the maximum not a number; nothing recorded, the fields kept
    type_reading(qtbot, screen, "2026-01-25 08:00", "4", "warm")
    assert screen.message.kind == "error", screen.message.text()
    assert "warm" in screen.message.text()
    assert screen.loggers.rows == [] and screen.reading_at.text() == "2026-01-25 08:00"
    screen.reading_max.clear()
    qtbot.keyClicks(screen.reading_max, "27.5")
    qtbot.keyClick(screen.reading_max, Qt.Key.Key_Return)
    said = screen.message.text()
    assert screen.message.kind == "warning", said
    assert len(screen.loggers.rows) == 1
    [excursion] = screen.excursions.rows
    assert excursion.highest == 27.5 and excursion.kits
    shown = screen.loggers.index(0, LOGGER_FILE).data()
    if language == "en":
        assert said.startswith("1 excursion found in the reading entered by hand for IP store 1")
        assert shown == "entered by hand"
    else:
        assert shown == "手工记录" and "手工" in said, said
    assert screen.reading_at.text() == "" and screen.focusWidget() is screen.reading_at
    qtbot.wait(100)
    screen.page.verticalScrollBar().setValue(0)  # the form and the message, to look at
    qtbot.wait(50)
    screen.grab().save(str(Path(SHOTS or tmp_path) / f"manual-reading-{language}.png"))


def test_a_reading_within_the_range_is_said_as_checked(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = refreshed(qtbot, TemperatureScreen(pharmacy.session("tech")))
    type_reading(qtbot, screen, "2026-01-25 08:00", "3.5", "7")
    assert screen.message.kind == "ok", screen.message.text()
    assert "No excursion in the reading entered by hand" in screen.message.text()
    assert screen.excursions.rows == [] and len(screen.loggers.rows) == 1


QUIET = "timestamp,celsius\n2026-01-21T10:00:00+00:00,21.0\n2026-01-21T11:00:00+00:00,21.5\n"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_hand_reading_counted_as_such_said_in_chinese_and_the_excursions_at_full_width(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path, language: str, request: pytest.FixtureRequest
) -> None:
    """At 1366x768, a logger file and a reading entered by hand: the status line counted both
    as logger files; the Chinese result read "在 手工记录的读数 中发现"; the excursions' table
    stopped short of the window's width, an empty strip at its right."""
    if language != "en":
        request.getfixturevalue("chinese")
    temperature.import_logger_file(
        pharmacy.ctx, pharmacy.actor("tech"), "IP store 1", QUIET, source="quiet.csv"
    )
    screen = refreshed(qtbot, TemperatureScreen(pharmacy.session("tech")))
    screen.resize(1366, 768)
    screen.show()
    qtbot.waitExposed(screen)
    type_reading(qtbot, screen, "2026-01-25 08:00", "4", "27.5")
    said, status = screen.message.text(), screen.log_status.text()
    assert screen.message.kind == "warning", said
    if language == "en":
        assert "1 excursion in 1 logger file and 1 reading entered by hand of IP store 1" in status
    else:
        assert "1 个记录仪文件和 1 条手工记录的读数中有 1 次温度超标" in status, status
        assert "在手工记录的读数中发现 1 次温度超标" in said, said
        assert " 手工" not in said and "读数 " not in said, said
    qtbot.wait(50)
    view = screen.excursion_table
    assert view.horizontalHeader().length() >= view.viewport().width() - 1, (
        view.horizontalHeader().length(),
        view.viewport().width(),
    )
    screen.grab().save(str(Path(SHOTS or tmp_path) / f"manual-status-{language}.png"))
