"""A window names a few kits of a long list, then the reader's ellipsis: "K0101, K0102…" in
English, "K0101、K0102……" in Chinese (the Inventory screen said "K0101、K0102 ..." in Chinese)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dispensary.reports.base import kit_ranges
from dispensary.ui.models.table import Column, RowTableModel
from dispensary.ui.widgets import separated, separated_first

KITS = [f"K01{n:02d}" for n in range(1, 15)]


def test_a_long_list_is_named_in_part_with_the_english_ellipsis(qapp: Any) -> None:
    assert separated_first(KITS, 12) == separated(KITS[:12]) + "…"
    assert separated_first(KITS, 12).startswith("K0101, K0102, ")
    assert separated_first(KITS[:3], 12) == "K0101, K0102, K0103"


def test_a_long_list_is_named_in_part_with_the_chinese_ellipsis(chinese: None) -> None:
    said = separated_first(KITS, 12)
    assert said.startswith("K0101、K0102、") and said.endswith("K0112……"), said
    assert " ..." not in said and ", " not in said
    assert separated_first(KITS[:2], 12) == "K0101、K0102"


@dataclass(frozen=True)
class _Line:
    dispense: str
    kits: tuple[str, ...]


def _cells(model: RowTableModel[_Line]) -> list[str]:
    return [str(model.data(model.index(0, c))) for c in range(model.columnCount())]


def _history() -> RowTableModel[_Line]:
    """A table whose cell lists several kits, as a participant's history lists a dispense's
    (participants_view HISTORY_COLUMNS: the kits, a tuple, shown by the table model)."""
    model: RowTableModel[_Line] = RowTableModel(
        [
            Column("Dispense", lambda r: r.dispense),
            Column("Kits", lambda r: r.kits),
        ]
    )
    model.set_rows([_Line("D-0001", ("K0101", "K0102", "K0103"))])
    return model


def test_a_table_cell_lists_its_kits_with_the_english_comma(qapp: Any) -> None:
    assert _cells(_history()) == ["D-0001", "K0101, K0102, K0103"]


def test_a_table_cell_lists_its_kits_with_the_enumeration_comma_in_chinese(chinese: None) -> None:
    """A cell listing several kits said "K0101, K0102" in Chinese while every message said
    "K0101、K0102": the cell as the messages (and the reports' kit ranges) list them."""
    assert _cells(_history()) == ["D-0001", "K0101、K0102、K0103"]
    assert kit_ranges(["K0101", "K0102", "K0103", "K0107"]) == "K0101-K0103、K0107（共 4 盒）"
