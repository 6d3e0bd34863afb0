"""A read-only table model over frozen result rows, with columns described once.

A column's title is written in English and marked for lupdate where the columns are declared,
`Column(str(QT_TRANSLATE_NOOP("Column", "Kit")), ...)`: `headerData` shows it in the user's
language, in the context "Column" (or the column's own `context`, when it gives one). A title
already translated where it was made passes through unchanged. A title shortened to fit a narrow
window gives its full wording as `tooltip`, marked and translated the same way, shown on
hovering the header. Enum labels in a cell (a kit's
status, a role) are shown through the vocabulary (`ui.vocabulary.term`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QCoreApplication,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from dispensary.ui.vocabulary import term

_Row = TypeVar("_Row")
TOOLTIP_FROM = 20
"""Cell texts longer than this many characters are also given as the cell's tooltip."""
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[_Row]):
    title: str
    """In English, marked `QT_TRANSLATE_NOOP("Column", ...)`; translated where shown."""
    value: Callable[[_Row], Any]
    colour: Callable[[_Row], str | None] | None = None
    align_right: bool = False
    text: Callable[[Any], str] | None = None  # how the value reads, when not the default
    context: str = ""  # the title's translation context, when not "Column"
    tooltip: str = ""
    """The full wording of a shortened title (in English, marked like the title); "": none."""
    hint: Callable[[_Row], str] | None = None
    """A cell's tooltip when it is not its whole text (a rule's key under its name)."""
    shown: Callable[[_Row], str] | None = None
    """A cell's text made from its row, when its value alone does not say it ("28 capsules":
    the count and its product's word); the value still sorts it."""

    two_lines: bool = False
    """A long title said whole, on two lines where it has spaces ("Dispensed to / participant"),
    so that its column stays narrow; a title without one (Chinese) stays on one."""

    def shown_title(self) -> str:
        """The title in the user's language."""
        title = QCoreApplication.translate(self.context or "Column", self.title)
        return two_lines(title) if self.two_lines else title

    def shown_tooltip(self) -> str | None:
        """The header's tooltip in the user's language (None: the title says it all)."""
        if not self.tooltip:
            return None
        return QCoreApplication.translate(self.context or "Column", self.tooltip)


def two_lines(title: str) -> str:
    """The title broken at the space nearest its middle; as it is when it has none."""
    spaces = [i for i, c in enumerate(title) if c == " "]
    if not spaces:
        return title
    at = min(spaces, key=lambda i: abs(len(title) - 2 * i))
    return f"{title[:at]}\n{title[at + 1 :]}"


def percent(value: float | None) -> str:
    """Adherence and other ratios read as whole percentages."""
    return "" if value is None else f"{value:.0%}"


def separated(items: Iterable[str]) -> str:
    """Items of a list written one after the other, with the user's language's separator
    ("K0101, K0102"; in Chinese the enumeration comma, "K0101、K0102"): a window's messages and
    its tables' cells alike (`display`), as the services' messages (i18n.listed)."""
    return QCoreApplication.translate("List", ", ").join(items)


def display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        if value:
            return QCoreApplication.translate("RowTableModel", "yes")
        return QCoreApplication.translate("RowTableModel", "no")
    if isinstance(value, datetime):
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Enum):
        label = getattr(value, "label", None)
        return term(str(label)) if label is not None else str(value.value)
    if isinstance(value, tuple | list):
        # The kits, products or roles of a cell, as a message lists them (a list to type
        # exactly, a command's arguments, is a string of its own, never a tuple).
        return separated(display(v) for v in value)
    return str(value)


def sort_key(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):  # compared as times, never collated as text
        return value.timestamp() if value.tzinfo is not None else value.isoformat()
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return display(value).lower()


class RowTableModel(QAbstractTableModel, Generic[_Row]):
    """Rows are replaced whole after each service call; the model never talks to a database."""

    def __init__(
        self,
        columns: Sequence[Column[_Row]],
        parent: QObject | None = None,
        *,
        tooltip_from: int = TOOLTIP_FROM,
    ) -> None:
        """`tooltip_from`: cell texts longer than this are also the cell's tooltip (0: every
        cell's, for a table whose columns may be cut whatever their text's length)."""
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[_Row] = []
        self.tooltip_from = tooltip_from

    def set_title(self, section: int, title: str, tooltip: str | None = None) -> None:
        """A column's title made anew (already in the user's language: the zone the times of
        the rows shown are in), and its header's tooltip when given; its header redrawn."""
        column = replace(self._columns[section], title=title)
        self._columns[section] = column if tooltip is None else replace(column, tooltip=tooltip)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, section, section)

    def set_rows(self, rows: Sequence[_Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> _Row:
        return self._rows[row]

    @property
    def rows(self) -> list[_Row]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.ToolTipRole and horizontal:
            if 0 <= section < len(self._columns):
                return self._columns[section].shown_tooltip()
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if horizontal and 0 <= section < len(self._columns):
            return self._columns[section].shown_title()
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not 0 <= index.column() < len(self._columns):
            return None
        column = self._columns[index.column()]
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = column.value(row)
            if column.shown is not None:
                text = column.shown(row)
            elif column.text is not None:
                text = column.text(value)
            else:
                text = display(value)
            if role == Qt.ItemDataRole.ToolTipRole:
                if column.hint is not None:
                    return column.hint(row) or None
                # A long text may be elided in a narrow column: the whole of it on hover.
                return text if len(text) > self.tooltip_from else None
            return text
        if role == Qt.ItemDataRole.UserRole:
            return sort_key(column.value(row))
        if role == Qt.ItemDataRole.ForegroundRole and column.colour is not None:
            colour = column.colour(row)
            return QBrush(QColor(colour)) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def collator() -> QCollator:
    """Text in the order of the reader's language: Chinese by pinyin (对账 dui, 发放 fa, 隔离
    ge), where the order of the characters' code points means nothing to a reader."""
    return QCollator(QLocale())


class RowFilterProxy(QSortFilterProxyModel):
    """Sorts on typed values (numbers as numbers, dates as dates, text in the reader's
    language's order) and filters on any column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(Qt.ItemDataRole.UserRole)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)
        self._collator = collator()
        self._only: tuple[int, frozenset[str]] | None = None

    def only(self, column: int, values: frozenset[str] | None) -> None:
        """Only the rows whose `column` reads one of `values` (a list another screen chose, as
        the Today screen's participants due), with the text filter too; None: every row."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 on; invalidateFilter before
            self.beginFilterChange()
            self._only = None if values is None else (column, values)
            self.endFilterChange()
        else:
            self._only = None if values is None else (column, values)
            self.invalidateFilter()

    @property
    def limited(self) -> bool:
        """True while `only` keeps some rows out."""
        return self._only is not None

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if self._only is not None:
            column, values = self._only
            model = self.sourceModel()
            if model.index(source_row, column, source_parent).data() not in values:
                return False
        return super().filterAcceptsRow(source_row, source_parent)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._collator = collator()  # the language may have changed since the last sort
        super().sort(column, order)

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:
        a = left.data(Qt.ItemDataRole.UserRole)
        b = right.data(Qt.ItemDataRole.UserRole)
        if isinstance(a, str) and isinstance(b, str):
            return self._collator.compare(a, b) < 0
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)
