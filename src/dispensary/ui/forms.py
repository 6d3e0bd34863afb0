"""Pieces the back-office screens share: a sortable table view, a service call whose refusal
lands in the form's message bar, a reason prompt, and an optional date range."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError
from dispensary.ui.feedback import MessageBar
from dispensary.ui.models.table import RowTableModel

NARROWEST = 48
"""Columns are never squeezed below this many pixels to fit a table in the window."""

T = TypeVar("T")
Row = TypeVar("Row")


def attempt(bar: MessageBar, call: Callable[[], T]) -> T | None:
    """Runs one service call; a refusal is shown in plain words and None comes back."""
    try:
        result = call()
    except DispensaryError as exc:
        bar.show_message(exc.message, "error")
        return None
    return result


def table_view(proxy: QSortFilterProxyModel, multi: bool = False) -> QTableView:
    """A read-only, sortable row table: whole rows are selected, columns fit their text."""
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection
        if multi
        else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    return view


def fit_columns(view: QTableView, widest: int = 360) -> None:
    """Columns as wide as their content after a reload, within reason."""
    view.resizeColumnsToContents()
    header = view.horizontalHeader()
    sizes = [min(header.sectionSize(column), widest) for column in range(header.count())]
    # The data's own width (without the header): what a column may shrink to.
    floors = [
        min(size, max(NARROWEST, view.sizeHintForColumn(column)))
        for column, size in enumerate(sizes)
    ]
    excess = sum(sizes) - view.viewport().width()
    slack = sum(size - floor for size, floor in zip(sizes, floors, strict=True))
    if view.isVisible() and excess > 0 and slack > 0:
        # Too wide for the window: headers give up width before any value is cut, so the
        # whole row stays in sight without a horizontal scroll bar.
        share = min(1.0, excess / slack)
        sizes = [
            size - int((size - floor) * share + 0.999)
            for size, floor in zip(sizes, floors, strict=True)
        ]
    for column, size in enumerate(sizes):
        header.resizeSection(column, size)


def selected_rows(
    view: QTableView, proxy: QSortFilterProxyModel, model: RowTableModel[Row]
) -> list[Row]:
    """The frozen rows behind the selected lines, in the order shown."""
    selection = view.selectionModel()
    if selection is None:
        return []
    lines = sorted(index.row() for index in selection.selectedRows())
    return [model.row_at(proxy.mapToSource(proxy.index(line, 0)).row()) for line in lines]


def select_where(
    view: QTableView,
    proxy: QSortFilterProxyModel,
    model: RowTableModel[Row],
    wanted: Callable[[Row], bool],
) -> bool:
    """Selects and shows the first line whose row matches; False when none is shown."""
    for line in range(proxy.rowCount()):
        source = proxy.mapToSource(proxy.index(line, 0))
        if wanted(model.row_at(source.row())):
            view.selectRow(line)
            view.scrollTo(proxy.index(line, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
            return True
    return False


def heading(text: str) -> QLabel:
    """The screen's title line, styled by the application style sheet like every screen's."""
    label = QLabel(text)
    label.setObjectName("screenTitle")
    return label


def banner_style(ok: bool) -> str:
    """A large green or red strip for a result that must not be missed."""
    colours = ("#e8f5e9", "#1b5e20", "#81c784") if ok else ("#fdecea", "#8a1c13", "#e57373")
    return (
        f"QLabel {{ background:{colours[0]}; color:{colours[1]}; border:2px solid {colours[2]};"
        " border-radius:6px; padding:10px; font-size:16px; font-weight:600; }"
    )


class ReasonDialog(QDialog):
    """Asks why, before a step whose reason goes into the audit trail."""

    def __init__(self, parent: QWidget | None, title: str, prompt: str, action: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        text = QLabel(prompt)
        text.setWordWrap(True)
        layout.addWidget(text)
        self.reason = QLineEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("Reason (kept in the audit trail)")
        layout.addWidget(self.reason)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str, action: str) -> str | None:
        """The reason typed, or None when cancelled. Tests replace this method."""
        dialog = cls(parent, title, prompt, action)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.reason.text()
        return None


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class DateRange(QWidget):
    """From and to dates that only count when 'Limit to dates' is ticked; `stacked` puts the
    dates under the tick box, for narrow panels."""

    def __init__(self, today: date, parent: QWidget | None = None, stacked: bool = False) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.limit = QCheckBox("Limit to dates")
        self.since = QDateEdit(to_qdate(today.replace(day=1)))
        self.until = QDateEdit(to_qdate(today))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        self.limit.toggled.connect(self.since.setEnabled)
        self.limit.toggled.connect(self.until.setEnabled)
        row, column = (1, 0) if stacked else (0, 1)
        layout.addWidget(self.limit, 0, 0, 1, 4 if stacked else 1)
        layout.addWidget(QLabel("from"), row, column)
        layout.addWidget(self.since, row, column + 1)
        layout.addWidget(QLabel("to"), row, column + 2)
        layout.addWidget(self.until, row, column + 3)

    def set_range(self, since: date, until: date) -> None:
        self.limit.setChecked(True)
        self.since.setDate(to_qdate(since))
        self.until.setDate(to_qdate(until))

    def value(self) -> tuple[date | None, date | None]:
        if not self.limit.isChecked():
            return None, None
        return from_qdate(self.since.date()), from_qdate(self.until.date())
