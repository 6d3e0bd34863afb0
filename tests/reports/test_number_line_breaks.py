"""A wrapped Chinese line never parts a number from its measure word or unit ("连服14 / 天",
"21 / 粒", "7.5 / mg"), nor a number's digits: the label and the leaflet (labels.text.wrap),
and a Chinese report's cells and paragraphs (pdffonts.split_cjk under reportlab's CJK
wrapping). Read back as lines at every width from narrow to wide, and from a drawn PDF."""

from __future__ import annotations

import io
import itertools
import re

import pytest
from pypdf import PdfReader
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import SimpleDocTemplate

from dispensary import pdffonts
from dispensary.labels.leaflet import SetText
from dispensary.labels.text import wrap
from dispensary.reports.base import cell

TEXT = (
    "每晚空腹口服21粒，自2026年3月10日晚间开始，连服14天。德莫卡匹布 7.5 mg每日两次"
    "（第1–14天），第 3 周期共28天，每次服用１４粒，每日不超过12.5毫克。"
)
"""Directions as the study files write them (连服{days}天, {count}粒, 7.5 mg, 第 3 周期), and
full-width digits, which Chinese breaking would split between any two. The longest piece that
may not break, "12.5毫克。", is 50 pt wide at 9 pt; on a label, where a date never breaks
either, "2026年3月10日", 62 pt."""

UNIT_FIRST = re.compile(r"\s*(?:[天日周月年粒片次克]|周期|毫克|mg(?![A-Za-z]))")
NUMBER_LAST = re.compile(r"[0-9０-９][.．]?\s*$")
DIGIT_FIRST = re.compile(r"\s*[0-9０-９.．]")


def parted(lines: list[str]) -> list[tuple[str, str]]:
    """The pairs of lines where a number was parted from its unit or from its own digits."""
    return [
        (before[-8:], after[:8])
        for before, after in itertools.pairwise(lines)
        if NUMBER_LAST.search(before) and (UNIT_FIRST.match(after) or DIGIT_FIRST.match(after))
    ]


def _flat(text: str) -> str:
    return "".join(text.split())


def test_a_label_line_never_parts_a_number_from_its_unit() -> None:
    font = pdffonts.cjk_font()
    seen = 0
    for width in range(62, 300, 2):  # the date, whole, fits in 62 pt
        lines = wrap(TEXT, font, 9, width)
        assert lines is not None, width
        assert _flat("".join(lines)) == _flat(TEXT)
        assert all(pdffonts.string_width(line, font, 9) <= width + 1e-6 for line in lines)
        assert parted(lines) == [], width
        seen += len(lines) > 1
    assert seen > 100  # it did wrap, at nearly every width


def test_the_words_around_a_number_still_break_as_chinese_does() -> None:
    """Only the number and its unit are held together: a line still breaks before the number
    and after the unit, and a number without a unit (a year's digits) is not tied to what
    follows it unless that is a unit."""
    font = pdffonts.cjk_font()
    narrow = wrap("连服14天。", font, 9, 30)
    assert narrow == ["连服", "14天。"]
    assert pdffonts.kept_inside("连服14天。") == {3, 4}
    assert pdffonts.kept_inside("德莫卡匹布 7.5 mg每日") == set(range(7, 12))
    assert pdffonts.kept_inside("批号L2401，") == {4, 5, 6}  # the digits only
    assert pdffonts.bind_numbers("7.5 mg") == "7\u2060.\u20605\u2060\u00a0\u2060m\u2060g"


def test_a_codes_digits_are_not_bound_to_the_word_after_it() -> None:
    """NUMBER_AND_UNIT read "K2401 days" as "2401 days", a count of days, and kept the kit's
    digits with the word after it: a number that ends a code (a letter or digit before it) is
    kept whole but bound to nothing; "14 days" still is."""
    text = "Kit K2401 days"
    space = text.index(" days")
    kept = pdffonts.kept_inside(text)
    assert {space, space + 1}.isdisjoint(kept), sorted(kept)
    assert set(range(text.index("2401") + 1, space)) <= kept  # the digits, together
    assert pdffonts.bind_numbers(text).endswith("1 days")
    assert pdffonts.kept_inside("14 days") == set(range(1, 7))
    assert pdffonts.bind_numbers("14 days") == "1\u20604\u2060\u00a0\u2060d\u2060a\u2060y\u2060s"
    assert pdffonts.bind_spaces("for 14 days, kit K2401 days") == "for 14\u00a0days, kit K2401 days"


@pytest.mark.parametrize("size", [7.5, 9.0])
def test_a_chinese_report_cell_never_parts_a_number_from_its_unit(size: float) -> None:
    for width in range(56, 260, 3):
        paragraph = cell(TEXT, width, size)
        paragraph.wrap(width, 1e6)
        lines = ["".join(words) for _extra, words in paragraph.blPara.lines]
        assert _flat("".join(lines)) == _flat(TEXT)
        assert parted(lines) == [], (size, width)


def test_the_drawn_leaflet_paragraph_keeps_each_number_with_its_unit() -> None:
    """The leaflet's Chinese paragraph (SetText), drawn in narrow columns and read back from
    the PDF one line per text run."""
    style = ParagraphStyle("zh", fontName=pdffonts.cjk_font(), fontSize=9, leading=11)
    for width in (64, 78, 92, 118, 150):
        buffer = io.BytesIO()
        page = (width + 32, 400)  # the frame's padding takes 6 pt either side
        doc = SimpleDocTemplate(buffer, pagesize=page, leftMargin=10, rightMargin=10)
        doc.build([SetText(TEXT, style)])
        text = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].extract_text()
        lines = [line for line in text.replace("\u00a0", " ").splitlines() if line.strip()]
        assert len(lines) > 3, width
        assert _flat("".join(lines)) == _flat(TEXT)
        assert parted(lines) == [], width
