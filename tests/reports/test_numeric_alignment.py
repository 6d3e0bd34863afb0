"""A report table sets its numbers to the right in every language. A Chinese count carries its
unit ("28粒", "9片") and is set as a paragraph (the CJK font), which was left-aligned while a
plain number ("100%", "21") beside it was set to the right: a column of counts read ragged.
The property is checked in the table's own setting of each cell, not in pixels."""

from __future__ import annotations

from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.platypus import Paragraph

from dispensary.reports.base import RuledRows, data_table

HEADER = ["药盒", "数量", "已服用", "依从性", "备注"]
ENGLISH_HEADER = ["Kit", "Quantity", "Taken", "Adherence", "Note"]
NUMERIC = (1, 2, 3)
CHINESE_ROWS = [
    ["C3001", "28粒", "28粒", "100%", "由 21-001 退回"],
    ["T3001", "30片", "21片", "100%", ""],
    ["T3002", "1 234片", "0片", "0%", "未退回"],
]
ENGLISH_ROWS = [
    ["C3001", "28 capsules", "28 capsules", "100%", "returned by 21-001"],
    ["T3001", "30 tablets", "21 tablets", "100%", ""],
]


def _table(header: list[str], rows: list[list[str]]) -> RuledRows:
    table = data_table(header, rows, [60.0, 60.0, 60.0, 50.0, 120.0], numeric=NUMERIC)
    assert isinstance(table, RuledRows)
    return table


def test_a_chinese_count_with_its_unit_is_set_right_as_a_plain_number() -> None:
    grid = _table(HEADER, CHINESE_ROWS).grid
    for index, row in enumerate(grid.rows):  # "28粒": the paragraph's own style
        for column, value in enumerate(row):
            if isinstance(value, Paragraph):
                wanted_style = TA_RIGHT if column in NUMERIC else TA_LEFT
                assert value.style.alignment == wanted_style, (index, column)
    for index, row in enumerate(grid.rows):  # as the grid sets every cell, text or paragraph
        for column, value in enumerate(row):
            wanted = "RIGHT" if column in NUMERIC else "LEFT"
            assert grid.alignment(index, column) == wanted, (index, column, value)
    # The units really are paragraphs, and the plain numbers text, side by side in one table.
    assert isinstance(grid.rows[0][1], Paragraph) and isinstance(grid.rows[0][3], str)
    assert [grid.alignment(-1, column) for column in range(len(HEADER))] == ["LEFT"] * 5


def test_an_english_table_sets_its_numbers_right_as_before() -> None:
    grid = _table(ENGLISH_HEADER, ENGLISH_ROWS).grid
    for index in range(len(ENGLISH_ROWS)):
        assert [grid.alignment(index, column) for column in range(5)] == [
            "LEFT",
            "RIGHT",
            "RIGHT",
            "RIGHT",
            "LEFT",
        ]
