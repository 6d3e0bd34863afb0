"""The Receive screen's excursion notice read whole at 1366x768 however long it is: a receipt
dated before many excursions on record (a notice of ten lines) while the message bar holds a
long message (twelve lines). The label was squeezed below the height of its lines, its last
lines cut off; the right-hand column now scrolls when the notice, the kit list and the
buttons do not all fit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from window_helpers import SCREEN, go_to, main_window, shoot

from dispensary.i18n import Language
from dispensary.services import temperature
from dispensary.ui.main_window import MainWindow
from dispensary.ui.receive_view import ReceiveScreen


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    """Each language's windows with the program's style sheet (its fonts size the lines)."""
    return language


def warm_spells(count: int) -> str:
    """A logger's readings with `count` warm spells in IP store 1, a day apart (each an
    excursion on record), from 2026-01-02."""
    rows = ["timestamp,celsius"]
    start = datetime(2026, 1, 2, 8, tzinfo=UTC)
    for day in range(count):
        at = start + timedelta(days=day)
        for hours, celsius in ((0, 20.0), (2, 31.5), (3, 31.5), (5, 20.0)):
            rows.append(f"{(at + timedelta(hours=hours)).isoformat()},{celsius}")
    return "\n".join(rows) + "\n"


def shown_lines(widget: QWidget) -> tuple[int, int]:
    """The first and the last row of pixels of `widget` its window shows (clipped by its
    parents: the scroll area's viewport, the screen)."""
    rect = widget.visibleRegion().boundingRect()
    return rect.top(), rect.bottom()


def long_message(screen: ReceiveScreen, lines: int) -> str:
    """A warning that takes `lines` lines of the screen's message bar at its width."""
    bar = screen.message
    words = "A long warning about the shipment, said in full for the test's sake."
    text = words
    while (
        bar.fontMetrics()
        .boundingRect(0, 0, bar.contentsRect().width() - 16, 10_000, Qt.TextFlag.TextWordWrap, text)
        .height()
        < lines * bar.fontMetrics().lineSpacing()
    ):
        text += " " + words
    return text


def receipt_before_excursions(
    qtbot: QtBot, pharmacy: Pharmacy, spells: int
) -> tuple[MainWindow, ReceiveScreen]:
    """The Receive screen at 1366x768, twelve kits listed (typed, Enter) into IP store 1 dated
    before `spells` excursions on record there."""
    temperature.import_logger(
        pharmacy.ctx, pharmacy.actor("pharm"), "IP store 1", warm_spells(spells)
    )
    window = main_window(qtbot, pharmacy.session("tech"))
    screen = go_to(window, ReceiveScreen)
    qtbot.keyClicks(screen.shipment, "SH-78")
    qtbot.keyClicks(screen.lot, "L2601")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    screen.received_on.setDate(QDate(2026, 1, 1))
    qtbot.keyClicks(screen.range_field, "K0301-K0312")
    qtbot.keyClick(screen.range_field, Qt.Key.Key_Return)
    found = screen.assessment
    assert found is not None and len(found.excursions) == spells
    return window, screen


def test_a_ten_line_excursion_notice_beside_a_twelve_line_message_is_read_whole(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    window, screen = receipt_before_excursions(qtbot, pharmacy, 11)
    label = screen.excursion_label
    assert label.isVisibleTo(screen)
    screen.message.show_message(long_message(screen, 12), "warning")
    qtbot.wait(50)
    shoot(window, f"receive-long-excursions-{language.value}")
    spacing = label.fontMetrics().lineSpacing()
    full = label.heightForWidth(label.width())
    assert full >= 10 * spacing - 2, (full, spacing)
    assert window.height() <= SCREEN[1], window.height()
    # Every line of the notice is laid out (none cut off below the label's height)...
    assert label.height() >= full, (label.height(), full)
    # ...at least four in sight at once, the rest scrolled to: its first and its last line
    # each shown in turn.
    box = screen.excursion_box
    assert box.viewport().height() >= min(full, 4 * spacing), box.viewport().height()
    box.verticalScrollBar().setValue(0)
    assert shown_lines(label)[0] == 0
    box.verticalScrollBar().setValue(box.verticalScrollBar().maximum())
    qtbot.wait(10)
    assert shown_lines(label)[1] >= full - 1, (shown_lines(label), full)
    shoot(window, f"receive-long-excursions-end-{language.value}")


def test_the_notice_is_shown_whole_without_scrolling_where_the_column_has_room(
    qtbot: QtBot, language: Language, pharmacy: Pharmacy
) -> None:
    window, screen = receipt_before_excursions(qtbot, pharmacy, 11)
    qtbot.wait(50)
    shoot(window, f"receive-excursions-room-{language.value}")
    label = screen.excursion_label
    full = label.heightForWidth(label.width())
    assert label.height() >= full
    top, bottom = shown_lines(label)
    assert (top, bottom) == (0, label.height() - 1), (top, bottom, full)
    assert not screen.excursion_box.verticalScrollBar().isVisible()
