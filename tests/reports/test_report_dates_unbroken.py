"""A date in a report's table cell is never broken across two lines ("2026-12-" / "07",
"7 Dec" / "2026", "2026年12月" / "7日" misread), in English and in Chinese, as labels and
leaflets never break one (pdffonts.WRITTEN_DATE): the cell breaks its lines around the date,
and a column narrower than a date in it is widened (reports.base.data_table). Read back with
pypdfium2, line by line, as a viewer copies the text."""

from __future__ import annotations

import math
import re

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports import base
from dispensary.reports.base import Section, build_report, data_table, heading
from dispensary.services import report_data

from .pdfread import pdfium_pages_text

ENGLISH_ROWS = [
    ["1", "2026-12-07", "Checked 2026-12-07 and again 7 Dec 2026 by AB", "fine"],
    ["2", "2027-01-15", "Counted on Wed 9 Dec 2026 at the desk", "ok"],
    ["3", "2026-11-30", "Returned 2026-11-30 14:03 UTC\nSigned 1 Dec 2026", "ok"],
]
CHINESE_ROWS = [
    ["1", "2026-12-07", "于2026年12月7日核对，2026-12-07再核对", "良好"],
    ["2", "2027-01-15", "2026年12月9日 周三 清点", "良好"],
    ["3", "2026-11-30", "退回 2026-11-30 14:03 UTC\n签名于2026年12月1日", "良好"],
]
DATES = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2} Dec 2026|Wed 9 Dec 2026|\d{4}年\d{1,2}月\d{1,2}日")


def lines_of(pdf: bytes) -> list[str]:
    return [
        line.replace("\u00a0", " ") for page in pdfium_pages_text(pdf) for line in page.split("\n")
    ]


def dates_in(rows: list[list[str]]) -> list[str]:
    return [m.group() for row in rows for text in row for m in DATES.finditer(text)]


@pytest.mark.parametrize(
    ("language", "rows"), [(Language.EN, ENGLISH_ROWS), (Language.ZH_CN, CHINESE_ROWS)]
)
@pytest.mark.parametrize("narrow", [22.0, 34.0, 48.0])
def test_no_date_in_a_narrow_cell_is_split_across_lines(
    sample: SampleStudy, language: Language, rows: list[list[str]], narrow: float
) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(language):
        story = [
            *heading("Dates"),
            data_table(["No", "Day", "Note", "Remark"], rows, [20, narrow, narrow, 300]),
        ]
        pdf = build_report(meta, "Dates", [Section("Dates", story)])
    lines = lines_of(pdf)
    whole = "\n".join(lines)
    missing = [date for date in dates_in(rows) if date not in whole]
    assert not missing, f"dates broken across lines: {missing}\n{whole}"


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_a_date_wider_than_a_column_with_no_room_to_spare_is_still_drawn(
    sample: SampleStudy, language: Language
) -> None:
    """No column has room to spare: the date is broken as the last resort, never lost."""
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    with speaking(language):
        story = [data_table(["N", "D"], [["1", "2026-12-07"]], [12, 12])]
        pdf = build_report(meta, "Dates", [Section("Dates", story)])
    text = "".join(lines_of(pdf))
    assert "2026-12-07" in text.replace("\n", "")


def test_a_pre_wrapped_cell_breaks_around_its_dates() -> None:
    """At every width the dates fit in (data_table widens a column to them), whole."""
    text = "Checked on 7 Dec 2026 and 2026-12-07"
    least = math.ceil(base.widest_date(text, base.FONT, 7.5) + 4.5)
    for width in range(least, 140, 2):
        lines = base.wrapped(text, float(width)).split("\n")
        assert any("7 Dec 2026" in line for line in lines), (width, lines)
        assert any("2026-12-07" in line for line in lines), (width, lines)
        assert " ".join(lines) == text
