"""The names suggested when a label or report is saved: in the reader's language (they stayed
English, "Dispensing label DSP000135.pdf", in the Chinese windows), and safe for Windows."""

from __future__ import annotations

from datetime import date

import pytest

from dispensary.domain.documents import Values
from dispensary.files import NOT_IN_FILE_NAMES, offered_file_name
from dispensary.i18n import Language, speaking
from dispensary.reports.catalogue import REPORTS

STAMP = "2026-01-28"
VALUES = Values(
    product="ELT-25",
    lot="L2401",
    participant="01-001",
    since=date(2026, 1, 1),
    until=date(2026, 1, 28),
    destruction="3",
)


@pytest.mark.parametrize(
    ("stem", "offered"),
    [
        ("Dispensing label DSP000135", "Dispensing label DSP000135.pdf"),
        ("发放标签 DSP000135", "发放标签 DSP000135.pdf"),
        ('Lot trace A/B:C*?"<>|\\ 2026-01-28', "Lot trace A B C 2026-01-28.pdf"),
        ("Tab\there\nand a bell\x07", "Tab here and a bell.pdf"),
        ("Ends with a dot. ", "Ends with a dot.pdf"),
        ("CON", "_CON.pdf"),
        ("nul.txt", "_nul.txt.pdf"),
        ("", "document.pdf"),
        ("x" * 300, "x" * 150 + ".pdf"),
    ],
)
def test_a_suggested_name_is_safe_on_windows(stem: str, offered: str) -> None:
    assert offered_file_name(stem) == offered


@pytest.mark.parametrize("report", REPORTS, ids=lambda r: r.key)
def test_every_reports_name_follows_the_language(report: object) -> None:
    from dispensary.reports.catalogue import Report

    assert isinstance(report, Report)
    english = report.file_name(VALUES, STAMP)
    with speaking(Language.ZH_CN):
        chinese = report.file_name(VALUES, STAMP)
    for name in (english, chinese):
        assert name.endswith(".pdf") and not set(name) & NOT_IN_FILE_NAMES, name
        assert name == offered_file_name(name.removesuffix(".pdf")), name
    assert chinese != english
    assert any("\u4e00" <= c <= "\u9fff" for c in chinese), chinese
    assert english.isascii(), english
