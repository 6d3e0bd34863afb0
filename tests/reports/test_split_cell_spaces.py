"""A Chinese cell taller than a page goes on over the next one (the audit trail's and the DARF's
long entries: `data_table(split_rows=True)`). Its rest was reportlab's split of the paragraph,
wrapped again: it lost the spaces at which the first wrapping had broken its lines, and where
the second broke them elsewhere the words ran together ("于 2026-01-05到期"). Each part is now a
paragraph of its own text. Read back with pypdfium2 from every page."""

from __future__ import annotations

import re

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports.base import Section, build_report, data_table, heading
from dispensary.services import report_data

from .pdfread import pdfium_pages_text

LOST_SPACE = re.compile(r"号L|\d于|于\d|\d到|期\d")
"""Where a space of "批号 L2301 于 2026-01-05 到期 7" went missing."""

CJK = "\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"


def read(page: str) -> str:
    """A page's text on one line: a line broken between two Chinese characters read as one, a
    line broken at a space as that space."""
    return re.sub(rf"(?<=[{CJK}])\n(?=[{CJK}])", "", page).replace("\n", " ")


# Widths (points) and separators at which the rest lost spaces before the fix.
@pytest.mark.parametrize(("width", "separator"), [(100, " "), (176, "，"), (300, " ")])
def test_chinese_carried_over_onto_the_next_page_keeps_its_spaces(
    sample: SampleStudy, width: float, separator: str
) -> None:
    said = [f"批号 L2301 于 2026-01-05 到期 {i}" for i in range(400 * 300 // int(width))]
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(Language.ZH_CN):
        story = [
            *heading("备注"),
            data_table(
                ["编号", "备注"],
                [["1", separator.join(said)]],
                [40, width],
                split_rows=True,
                repeated=[0],
            ),
        ]
        pdf = build_report(meta, "备注", [Section("备注", story)])
    pages = [read(page) for page in pdfium_pages_text(pdf)]
    assert len(pages) >= 3, "the cell goes on over two pages at least"
    for number, text in enumerate(pages, 1):
        lost = [text[max(0, m.start() - 16) : m.end() + 4] for m in LOST_SPACE.finditer(text)]
        assert not lost, f"page {number}: {lost[:5]}"
    found = [[s for s in said if f"{s}{separator}" in f"{text}{separator}"] for text in pages]
    assert all(found), "part of the cell on every page"
    # Each whole on one page or another, but one at each page's end; none twice.
    assert len(said) - sum(len(f) for f in found) <= len(pages)
    assert sum(len(f) for f in found) == len({s for f in found for s in f})
