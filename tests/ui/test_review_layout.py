"""What a visual review of the windows at 1366x768 and 1920x1080 found cut, squashed or
offered in vain, driven through the real widgets in the program's style: the count dialog's
column titles, Count... for a kit not on the shelf, the inventory's destroy panel, the Today
screen's discrepancies, the adherence chart, the audit trail's values and times, and the
quarantine question for one kit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, RETURN_DAY, Pharmacy
from PySide6.QtCore import QCoreApplication, QPoint, QRect, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLineEdit,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QStyleOptionFrame,
    QWidget,
)
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.services import dispensing, inventory_pages, temperature
from dispensary.services.inventory_pages import KitQuery
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.dashboard import LINK_PADDING, DashboardScreen, LinkButton
from dispensary.ui.forms import ReasonDialog
from dispensary.ui.inventory_view import CountDialog, InventoryScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.participants_view import ParticipantsScreen
from dispensary.ui.screens import OPENS, screen_classes

SMALL, LARGE = (1366, 768), (1920, 1080)
NEW_VALUES = 6
"""The audit trail's column of new values."""
WRAPPED = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap


@pytest.fixture
def styled(qapp: Any) -> Iterator[None]:
    """The program's style sheet (its fonts and paddings size what is measured here)."""
    from dispensary.ui.app import apply_style

    apply_style(qapp)
    yield
    qapp.setStyleSheet("")


def main_window(qtbot: Any, pharmacy: Pharmacy, size: tuple[int, int]) -> MainWindow:
    window = MainWindow(
        pharmacy.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    return window


def settle(qtbot: Any) -> None:
    qtbot.wait(50)


def kit_with(pharmacy: Pharmacy, status: KitStatus) -> str:
    rows = inventory_pages.inventory_page(
        pharmacy.ctx, pharmacy.actor("pharm"), KitQuery(status=status), 0, 10
    )
    assert rows, f"no {status} kit"
    return rows[0].number


def dispense_one(pharmacy: Pharmacy) -> str:
    """01-002's first cycle: a kit with a participant."""
    done = dispensing.dispense_cycle(
        pharmacy.ctx, pharmacy.actor("pharm"), "01-002", 1, RETURN_DAY, PASSWORDS["pharm"]
    )
    return done.kits[0].kit


def header_cut(view: Any) -> list[str]:
    """The titles of a table whose section is narrower than its text needs."""
    header: QHeaderView = view.horizontalHeader()
    cut = []
    for column in range(header.count()):
        title = str(view.model().headerData(column, Qt.Orientation.Horizontal))
        needed = header.fontMetrics().horizontalAdvance(title)
        if header.sectionSize(column) < needed:
            cut.append(title)
    return cut


# -- 1. the count dialog -----------------------------------------------------------------------


def test_the_count_dialogs_column_titles_read_whole(
    qtbot: Any, pharmacy: Pharmacy, styled: None
) -> None:
    """ "Ledger adjusted" read "lger adjus": the dialog never fitted its list's columns."""
    screen = InventoryScreen(pharmacy.session("pharm"))
    qtbot.addWidget(screen)
    dialog = CountDialog(pharmacy.session("pharm"), "K0006", screen)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    settle(qtbot)
    assert header_cut(dialog.counter.log_table) == []


@pytest.mark.parametrize("status", [KitStatus.DISPENSED, KitStatus.RETURNED])
def test_count_is_offered_only_for_a_kit_the_service_would_count(
    qtbot: Any, pharmacy: Pharmacy, status: KitStatus
) -> None:
    """Count... was enabled for a dispensed kit; the dialog opened only to refuse it. The
    button follows the service's assessment, its refusal in the tooltip."""
    if status is KitStatus.DISPENSED:
        dispense_one(pharmacy)
    refused = kit_with(pharmacy, status)
    on_shelf = kit_with(pharmacy, KitStatus.AVAILABLE)
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")), None)
    assert screen.open_kit(refused)
    assert not screen.count_button.isEnabled()
    assert "counts are for kits on the shelf" in screen.count_button.toolTip()
    assert screen.open_kit(on_shelf)
    assert screen.count_button.isEnabled()
    assert "refus" not in screen.count_button.toolTip()


# -- 6. the quarantine question for one kit ----------------------------------------------------


def asked_reason(qtbot: Any, pharmacy: Pharmacy, monkeypatch: Any, kits: list[str]) -> str:
    asked: list[str] = []

    def ask(
        cls: Any, parent: QWidget, title: str, prompt: str, button: str, whole: str = ""
    ) -> None:
        asked.append(prompt)
        return None

    monkeypatch.setattr(ReasonDialog, "ask", classmethod(ask))
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")), None)
    assert screen.open_kit(kits[0])
    if len(kits) > 1:
        screen.search.setText("K010")
        qtbot.waitUntil(lambda: not screen.counting)
        screen.table.selectAll()
    qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1
    return asked[0]


def test_the_quarantine_question_speaks_of_one_kit_or_of_several(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = asked_reason(qtbot, pharmacy, monkeypatch, ["K0006"])
    assert one == "Why is K0006 set aside? It cannot be dispensed until released."
    several = asked_reason(qtbot, pharmacy, monkeypatch, ["K0101", "K0102"])
    assert several.startswith("Why are K0101, K0102")
    assert several.endswith("They cannot be dispensed until released.")


def test_the_quarantine_question_for_one_kit_reads_in_chinese(
    qtbot: Any, chinese: None, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    singular = "Why is {kits} set aside? It cannot be dispensed until released."
    assert QCoreApplication.translate("InventoryScreen", singular) != singular
    one = asked_reason(qtbot, pharmacy, monkeypatch, ["K0006"])
    assert "K0006" in one and "Why" not in one and "隔离" in one, one


# -- 2. the inventory's destroy panel ----------------------------------------------------------


def text_room(field: QLineEdit) -> int:
    """The pixels a line of text has for its text, as its style lays it out."""
    option = QStyleOptionFrame()
    field.initStyleOption(option)
    rect = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, field)
    margins = field.textMargins()
    return rect.width() - margins.left() - margins.right() - 4  # Qt's 2-pixel margins


def choice_room(combo: QComboBox) -> int:
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    rect = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    return rect.width()


def inventory_at(qtbot: Any, pharmacy: Pharmacy, size: tuple[int, int]) -> InventoryScreen:
    window = main_window(qtbot, pharmacy, size)
    screen = window.show_screen(InventoryScreen)
    assert isinstance(screen, InventoryScreen)
    qtbot.waitUntil(lambda: screen._panel_fitted)
    settle(qtbot)
    assert screen.open_kit("K0006")
    settle(qtbot)
    return screen


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_destroy_panel_reads_whole_and_its_button_is_in_reach(
    qtbot: Any, pharmacy: Pharmacy, styled: None, request: Any, size: Any, language: str
) -> None:
    """The panel kept its least width, the table taking every pixel to spare: placeholders
    and the reason were cut even at 1920x1080, and Destroy was cut at the bottom."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = inventory_at(qtbot, pharmacy, size)
    for field in (screen.witness, screen.reference):
        needed = field.fontMetrics().horizontalAdvance(field.placeholderText())
        assert needed <= text_room(field), (field.placeholderText(), needed, text_room(field))
    reason = screen.reason_code
    assert reason.fontMetrics().horizontalAdvance(reason.currentText()) <= choice_room(reason)
    panel = screen.panel
    assert isinstance(panel, QScrollArea)
    # The button and the verdict in sight without scrolling, at 1366x768 too (at the foot of
    # the form that scrolls, the button was out of sight once a kit was selected).
    assert panel.verticalScrollBar().value() == 0
    for shown in (screen.destroy_button, screen.destroy_verdict):
        assert shown.visibleRegion().boundingRect() == shown.rect(), shown.objectName()
        bottom = shown.mapTo(screen, QPoint(0, shown.height()))
        assert bottom.y() <= screen.height(), (shown.objectName(), bottom.y(), screen.height())
    # The table keeps most of the width.
    assert screen.table.width() >= 2 * panel.width()


# -- 3. the Today screen's discrepancies -------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_each_discrepancy_reads_whole_at_1366x768(
    qtbot: Any, pharmacy: Pharmacy, styled: None, request: Any, language: str
) -> None:
    """ "…taken 20 of 16 expected.…": a discrepancy longer than its card was cut; it wraps."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    window = main_window(qtbot, pharmacy, SMALL)
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    settle(qtbot)
    lines = [
        b
        for b in dashboard.discrepancies.findChildren(LinkButton)
        if b.isVisibleTo(dashboard.discrepancies)
    ]
    assert lines
    long = [b for b in lines if b.fontMetrics().horizontalAdvance(b.full_text) > b.width()]
    assert long, "no discrepancy longer than its card: nothing to check"
    for button in lines:
        assert button.text() == button.full_text  # never elided
        room = QRect(0, 0, button.width() - 2 * LINK_PADDING, 10_000)
        wrapped = button.fontMetrics().boundingRect(room, WRAPPED, button.full_text)
        assert wrapped.width() <= room.width()
        assert button.height() >= wrapped.height(), (button.height(), wrapped.height())


# -- 4. the adherence chart --------------------------------------------------------------------


def test_the_adherence_chart_has_room_for_its_bars_at_1366x768(
    qtbot: Any, pharmacy: Pharmacy, styled: None
) -> None:
    """The plot was some 60 pixels high, its axis's labels crowded."""
    window = main_window(qtbot, pharmacy, SMALL)
    screen = window.show_screen(ParticipantsScreen)
    assert isinstance(screen, ParticipantsScreen)
    assert screen.select("01-001")
    screen.history_tabs.setCurrentIndex(1)
    settle(qtbot)
    chart = screen.chart
    assert chart.isVisible()
    assert chart.chart().plotArea().height() >= 150, chart.chart().plotArea()
    page = screen.history_tabs.currentWidget()
    assert isinstance(page, QScrollArea) and page.widget() is chart


# -- 5. the audit trail ------------------------------------------------------------------------


LOG = "timestamp,celsius\n2026-01-20T08:00:00+00:00,21\n2026-01-20T09:00:00+00:00,22\n"


def audit_at(qtbot: Any, pharmacy: Pharmacy, size: tuple[int, int]) -> AuditScreen:
    """The trail with a logger import, whose entry holds the moments the file covers."""
    area = pharmacy.ctx.study.storage_area
    temperature.import_logger(pharmacy.ctx, pharmacy.actor("pharm"), area, LOG)
    window = main_window(qtbot, pharmacy, size)
    screen = window.show_screen(AuditScreen)
    assert isinstance(screen, AuditScreen)
    settle(qtbot)
    return screen


def cell(screen: AuditScreen, line: int, column: int) -> Any:
    return screen.proxy.index(line, column)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_trails_values_show_times_as_its_when_column(
    qtbot: Any, pharmacy: Pharmacy, styled: None, request: Any, language: str
) -> None:
    """ "起：2026-06-23T06:00:00+00:00": a stored moment read as the machine wrote it."""
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    screen = audit_at(qtbot, pharmacy, SMALL)
    lines = [
        line
        for line in range(screen.proxy.rowCount())
        if "2026-01-20" in str(cell(screen, line, NEW_VALUES).data())
    ]
    assert lines
    local = datetime(2026, 1, 20, 8, 0, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    for line in lines:
        shown = str(cell(screen, line, NEW_VALUES).data())
        assert "T08:00" not in shown and "+00:00" not in shown, shown
        assert local in shown, shown
    screen.table.selectRow(lines[0])
    detail = screen.detail.toPlainText()
    assert local in detail and "T08:00:00+00:00" not in detail, detail


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_trails_values_read_a_few_words_and_whole_on_hover(
    qtbot: Any, pharmacy: Pharmacy, styled: None, size: tuple[int, int]
) -> None:
    """The new values were cut to their header ("Role: …") while the record kept its room;
    at 1920x1080 they stopped at 320 pixels, the rest of the row empty."""
    screen = audit_at(qtbot, pharmacy, size)
    table = screen.table
    width = table.columnWidth(NEW_VALUES)
    assert width >= table.fontMetrics().horizontalAdvance("Role: pharmacist; Cycle: 7")
    for line in range(screen.proxy.rowCount()):
        text = str(cell(screen, line, NEW_VALUES).data() or "")
        if text:
            assert cell(screen, line, NEW_VALUES).data(Qt.ItemDataRole.ToolTipRole) == text
    header = table.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()))
    if size == LARGE:  # the width to spare goes to the values
        assert used >= table.viewport().width() - 2, (used, table.viewport().width())
    assert used <= table.viewport().width()
