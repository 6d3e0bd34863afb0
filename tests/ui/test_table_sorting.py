"""The windows' tables sort each column by what it holds: numbers as numbers, days and times as
times, text in the reader's language's order (Chinese by pinyin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from PySide6.QtCore import Qt

from dispensary.ui.models.table import Column, RowFilterProxy, RowTableModel


@dataclass(frozen=True)
class Line:
    name: str
    at: datetime
    day: date | None


def _sorted(column: int, rows: list[Line]) -> list[Line]:
    model: RowTableModel[Line] = RowTableModel(
        [
            Column("Name", lambda r: r.name),
            Column("At", lambda r: r.at),
            Column("Day", lambda r: r.day),
        ]
    )
    model.set_rows(rows)
    proxy = RowFilterProxy()
    proxy.setSourceModel(model)
    proxy.sort(column, Qt.SortOrder.AscendingOrder)
    return [model.row_at(proxy.mapToSource(proxy.index(i, 0)).row()) for i in range(len(rows))]


def test_times_sort_as_times_not_as_collated_text(qapp: Any) -> None:
    """ICU puts '.' before '+': '09:00:00.5+00:00' collated before '09:00:00+00:00'."""
    later = Line("b", datetime(2026, 1, 5, 9, 0, 0, 500_000, tzinfo=UTC), date(2026, 1, 6))
    earlier = Line("a", datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC), date(2026, 1, 5))
    assert _sorted(1, [later, earlier]) == [earlier, later]
    assert _sorted(2, [later, earlier]) == [earlier, later]
    none = Line("c", datetime(2026, 1, 4, tzinfo=UTC), None)
    assert _sorted(2, [later, none, earlier]) == [none, earlier, later]  # an empty day first


def test_text_sorts_in_the_readers_order(qapp: Any) -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    rows = [Line(n, at, None) for n in ("Kit 10", "kit 2", "Apple")]
    assert [r.name for r in _sorted(0, rows)] == ["Apple", "Kit 10", "kit 2"]
