"""A read-only table that holds only the rows read so far, for lists too long to read whole
(issue 15: the inventory of 300,000 kits). The view asks for more as it scrolls (`canFetchMore`,
`fetchMore`); a click on a header asks the service for another order, read from the top again.
The filters are the screen's: it calls `reload` when they change. The model never talks to a
database itself: `fetch(offset, limit, column, descending)` is the screen's call of a service."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, Qt, Signal

from dispensary.ui.models.table import TOOLTIP_FROM, AnyIndex, Column, RowTableModel, _Row

Fetch = Callable[[int, int, int, bool], Sequence[_Row]]
"""(offset, limit, sort column, descending) -> at most `limit` rows from `offset`."""

SHOWN_ROLES = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.UserRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.TextAlignmentRole,
    )
)
"""The roles `RowTableModel.data` answers; a view asks each cell for a dozen more."""

PAGE_SIZE = 60
"""Rows read per step: two screenfuls of a tall window (the view reads on as it is scrolled,
or while its rows do not fill it). Each row read is worked out whole (its contents and
whereabouts, about 0.3 ms at 300,000 kits), and a search reads its first page at each
keystroke: 200 rows cost a search keystroke about 40 ms more processor time than 60."""


class PagedTableModel(RowTableModel[_Row]):
    """Rows read a page at a time, in the order the service sorts them."""

    sort_refused = Signal(int)
    """A header was clicked whose column the service cannot sort on (the column's index)."""

    def __init__(
        self,
        columns: Sequence[Column[_Row]],
        fetch: Fetch[_Row],
        sortable: Sequence[bool],
        page_size: int = PAGE_SIZE,
        sort_column: int = 0,
        descending: bool = False,
        parent: QObject | None = None,
        tooltip_from: int = TOOLTIP_FROM,
    ) -> None:
        super().__init__(columns, parent, tooltip_from=tooltip_from)
        if len(sortable) != len(columns):
            raise ValueError("one sortable flag per column")
        self._fetch = fetch
        self._sortable = list(sortable)
        self.page_size = max(1, page_size)
        self.sort_column = sort_column
        self.descending = descending
        self._more = False
        self._started = False  # nothing is read before the screen's first reload
        self._fetching = False

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """None at once for the roles no cell has (fitting a column asks for each of them)."""
        if role not in SHOWN_ROLES:
            return None
        return super().data(index, role)

    # reading --------------------------------------------------------------------------------

    def _read(self, offset: int, count: int) -> tuple[list[_Row], bool]:
        """Up to `count` rows from `offset`, and whether there are more (one row more is asked
        for, so that no count is needed)."""
        rows = list(self._fetch(offset, count + 1, self.sort_column, self.descending))
        return rows[:count], len(rows) > count

    def reload(self, keep: int = 0) -> None:
        """Reads the rows again from the top: a page, or as many as were read (`keep`), so
        that a selection among them is found again."""
        self._started = True
        rows, more = self._read(0, max(self.page_size, keep))
        self.beginResetModel()
        self._rows = rows
        self._more = more
        self.endResetModel()

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._append(self.page_size)

    def load_to(self, count: int) -> None:
        """Reads on until `count` rows are held (or there are no more), in one read."""
        if count > len(self._rows) and self.canFetchMore():
            self._append(count - len(self._rows))

    def _append(self, count: int) -> None:
        """Reads `count` rows more. The view may ask for more while they go in (it scrolls as
        they are inserted): it is told there is none until they are in."""
        self._fetching = True
        try:
            rows, more = self._read(len(self._rows), count)
            if rows:
                first = len(self._rows)
                self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
                self._rows.extend(rows)
                self.endInsertRows()
            self._more = more
        finally:
            self._fetching = False

    # sorting --------------------------------------------------------------------------------

    def is_sortable(self, column: int) -> bool:
        return 0 <= column < len(self._sortable) and self._sortable[column]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The service sorts: the rows are read again from the top in the new order."""
        if not self.is_sortable(column):
            if column >= 0:
                self.sort_refused.emit(column)
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if (column, descending) == (self.sort_column, self.descending) and self._started:
            return
        self.sort_column = column
        self.descending = descending
        if self._started:  # before the first reload the order is only noted
            self.reload()
