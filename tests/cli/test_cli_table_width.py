"""The command's text tables line up in a terminal when a cell is Chinese (issue 13): a Chinese
character takes two columns, so widths are counted in terminal columns, not characters."""

from __future__ import annotations

from dispensary.cli.core import display_width, table


def test_a_chinese_character_takes_two_columns() -> None:
    assert display_width("K0101") == 5
    assert display_width("药盒") == 4
    assert display_width("海曲泊帕乙醇胺片 7.5 mg") == 8 * 2 + 7
    assert display_width("Ｋ") == 2  # fullwidth
    assert display_width("e\u0301") == 1  # a combining accent takes none


def test_columns_after_a_chinese_cell_line_up() -> None:
    lines = table(
        ("药盒", "药品", "片数"), [("K0101", "海曲泊帕乙醇胺片", 21), ("K2", "x", 3)], [2]
    )
    starts = [
        display_width(line[: line.index(last)])
        for line, last in zip([lines[0], lines[2], lines[3]], ["片数", "21", "3"], strict=True)
    ]
    # the right-aligned last column ends at the same terminal column on every line
    ends = [
        start + display_width(last) for start, last in zip(starts, ["片数", "21", "3"], strict=True)
    ]
    assert len(set(ends)) == 1, lines
    assert display_width(lines[1]) == display_width(lines[0])  # the rule under the headers
    product_at = {
        display_width(line[: line.index(p)])
        for line, p in ((lines[0], "药品"), (lines[2], "海曲"), (lines[3], "x"))
    }
    assert product_at == {7}, lines


def test_yes_and_no_in_chinese() -> None:
    from dispensary.cli.core import cell
    from dispensary.i18n import Language, speaking

    with speaking(Language.ZH_CN):
        assert (cell(True), cell(False)) == ("是", "否")
    with speaking(Language.EN):
        assert (cell(True), cell(False)) == ("yes", "no")
