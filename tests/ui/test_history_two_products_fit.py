"""A participant's history in a study of two products (DEMO-2DRUG), in the window at 1366x768
in English and Chinese: the Dose column cut the dose naming both drugs ("democapib 100 mg twice
daily days 1-14 with demotinib 25 m…") and the Product column its name, each line one row high
beside columns with width to spare. Every cell now reads whole, the dose and product going onto
more lines, the line as tall as its text, and no horizontal scroll bar."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import OPENING_DAY, PASSWORDS, Counter, study_pharmacy
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QStyle, QTableView
from pytestqt.qtbot import QtBot
from window_helpers import SCREEN, main_window

from dispensary.i18n import ENGLISH, Language
from dispensary.services import dispensing, returns
from dispensary.study import bundled_studies, load_study


@pytest.fixture
def pharmacy(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-2DRUG with 01-001 given two cycles of both drugs, the first brought back."""
    study = load_study(bundled_studies() / "DEMO-2DRUG.toml")
    kits = [("C0001-C0004", "democapib-100mg"), ("T0001-T0004", "demotinib-25mg")]
    place = study_pharmacy(study, kits, tmp_path / "pharmacy.sqlite3")
    pharm, password = place.actor("pharm"), PASSWORDS["pharm"]
    first = dispensing.dispense_cycle(place.ctx, pharm, "01-001", 1, OPENING_DAY, password)
    place.clock.set_date(date.fromordinal(OPENING_DAY.toordinal() + 21))
    returns.record_return(place.ctx, pharm, "C0001", 10, password, first.number)
    returns.record_return(place.ctx, pharm, "T0001", 9, password, first.number)
    dispensing.dispense_cycle(place.ctx, pharm, "01-001", 2, place.clock.today(), password)
    yield place
    place.ctx.engine.dispose()


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    """Each language's windows with the program's style sheet (its fonts take room)."""
    return language


def cut_cells(view: QTableView) -> list[str]:
    """The cells whose text does not fit their cell, measured with the view's font metrics:
    wider than the column (a word no line holds) or, wrapped at the column's width, taller
    than the line (Qt then ends the last line it shows with an ellipsis)."""
    model = view.model()
    metrics = view.fontMetrics()
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    cut = []
    for column in range(model.columnCount()):
        if view.isColumnHidden(column):
            continue
        room = view.columnWidth(column) - 2 * margin - 1
        for line in range(model.rowCount()):
            text = str(model.index(line, column).data() or "")
            needs = metrics.boundingRect(QRect(0, 0, room, 10_000), Qt.TextFlag.TextWordWrap, text)
            if needs.width() > room or needs.height() > view.rowHeight(line) - 1:
                cut.append(f"{text!r} in {room} x {view.rowHeight(line)} px")
    return cut


def titles_cut(view: QTableView) -> list[str]:
    """Column titles narrower than their text (the sort arrow counted on the sorted column
    only: Qt's size hint counts it on every column while the table is sorted)."""
    header = view.horizontalHeader()
    sorted_on = header.sortIndicatorSection()
    header.setSortIndicatorShown(False)
    needs = [header.sectionSizeHint(c) for c in range(header.count())]
    header.setSortIndicatorShown(True)
    needs[sorted_on] = header.sectionSizeHint(sorted_on)
    return [
        str(view.model().headerData(c, Qt.Orientation.Horizontal))
        for c in range(header.count())
        if not header.isSectionHidden(c) and header.sectionSize(c) < needs[c]
    ]


def participant_open(qtbot: QtBot, pharmacy: Counter) -> tuple[Any, Any]:
    """The main window at 1366x768 on Participants (Ctrl+6), its one participant clicked and
    the four lines of the two-product history shown: (window, screen)."""
    from dispensary.ui.participants_view import ParticipantsScreen

    window = main_window(qtbot, pharmacy.session("pharm"))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)  # Participants
    qtbot.waitUntil(lambda: ParticipantsScreen in window.screens)
    screen = window.screens[ParticipantsScreen]
    assert isinstance(screen, ParticipantsScreen)
    qtbot.waitUntil(screen.isVisible)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1)
    table = screen.table
    first = table.visualRect(table.model().index(0, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=first)
    qtbot.waitUntil(lambda: screen.history.rowCount() == 4)
    qtbot.wait(100)
    return window, screen


def test_every_column_of_a_two_product_history_reads_whole_at_1366x768(
    qtbot: QtBot, pharmacy: Counter, language: Language
) -> None:
    from dispensary.ui.participants_view import PRODUCT_COLUMN

    window, screen = participant_open(qtbot, pharmacy)
    history = screen.history_table
    assert (window.width(), window.height()) == SCREEN
    assert not history.isColumnHidden(PRODUCT_COLUMN)
    doses = {
        ENGLISH: "democapib 100 mg twice daily days 1-14 with demotinib 25 mg once daily",
        Language.ZH_CN: "德莫卡匹布 100 mg，每日两次（第1–14天），联合德莫替尼 25 mg，每日一次",
    }
    assert str(history.model().index(0, 3).data()) == doses[language]
    shots = os.environ.get("DISPENSARY_SHOTS")
    if shots:
        window.grab().save(os.path.join(shots, f"history-two-products-{language.value}.png"))
    assert cut_cells(history) == []
    assert titles_cut(history) == []
    assert history.horizontalScrollBar().maximum() == 0


def test_the_history_of_two_products_has_the_room_the_register_does_not_need(
    qtbot: QtBot, pharmacy: Counter, language: Language
) -> None:
    """A register of one participant took three fifths of the pane, empty below its row, and
    the history of two products (its lines three or four text lines tall in English) showed
    one and a half lines at 1366x768. The register is now no taller than its rows, and every
    line of the history is in view; the search field's hint reads whole."""
    window, screen = participant_open(qtbot, pharmacy)
    table, history = screen.table, screen.history_table
    register_rows = table.horizontalHeader().height() + table.verticalHeader().length()
    assert table.height() < register_rows + table.rowHeight(0)  # no room for an empty row
    lines = history.verticalHeader()
    assert lines.length() <= history.viewport().height(), "a line of the history out of view"
    assert history.verticalScrollBar().maximum() == 0
    hint = screen.search.placeholderText()
    margins = screen.search.textMargins()
    room = screen.search.width() - margins.left() - margins.right() - 12  # the frame's padding
    assert screen.search.fontMetrics().horizontalAdvance(hint) <= room, hint
    # A split the user drags stays as they left it, a refresh (F5) or not.
    handle = screen.splitter.handle(1)
    start = handle.rect().center()
    qtbot.mousePress(handle, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(handle, start + QPoint(0, 60))
    qtbot.mouseRelease(handle, Qt.MouseButton.LeftButton, pos=start + QPoint(0, 60))
    dragged = screen.splitter.sizes()[0]
    assert dragged > register_rows + table.rowHeight(0)
    window.refresh_action.trigger()
    qtbot.wait(50)
    assert screen.splitter.sizes()[0] == dragged


def test_the_newest_cycle_is_first_in_the_history(
    qtbot: QtBot, pharmacy: Counter, language: Language
) -> None:
    """At 1366x768 the history shows three or four rows under the summary: the latest cycle,
    the one the record is opened for, comes first, in sight."""
    _window, screen = participant_open(qtbot, pharmacy)
    model = screen.history_table.model()
    cycles = [int(model.index(row, 0).data()) for row in range(model.rowCount())]
    assert cycles == sorted(cycles, reverse=True) and cycles[0] > cycles[-1], cycles
