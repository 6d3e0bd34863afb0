"""One form of date on one report (reports/words.py). A Chinese header wrote its period
"2026年10月1日至…" beside "编制时间 2026-12-05 12:10 UTC"; made consistent within the header
(2026年12月5日 12:10 UTC), the page still wrote "截至 2026年12月5日 15:09 UTC" over a table of
"2026-08-12" and a footer "于 2026-12-05 15:09 UTC 生成" (a monitor's review). Every date on a
report is ISO now, as its tables and the records write them, in every language; its moments
are UTC, the header's as the footer's."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue as reports
from dispensary.reports.words import long_day, long_when, period_text
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

ZH, EN = Language.ZH_CN, Language.EN
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
WRITTEN_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


def _pages(sample: SampleStudy, key: str, values: Values, language: Language) -> list[str]:
    document = reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, values, language=language
    )
    return pdf_pages_text(document.data)


def test_a_date_and_a_moment_are_written_one_way_in_every_language() -> None:
    at = datetime(2026, 12, 5, 12, 10, tzinfo=UTC)
    for language in (ZH, EN):
        with speaking(language):
            assert long_when(at) == "2026-12-05 12:10 UTC"
            assert long_day(date(2026, 6, 1)) == "2026-06-01"
    with speaking(ZH):
        assert period_text(date(2026, 6, 1), date(2026, 12, 5)) == "2026-06-01 至 2026-12-05"


def test_the_chinese_monitor_pack_and_reconciliation_write_every_date_one_way(
    sample: SampleStudy,
) -> None:
    for key, values in (
        ("monitor", Values(since=date(2025, 1, 1))),
        ("reconciliation", Values()),
        ("participant", Values(participant="01-003")),
    ):
        pages = _pages(sample, key, values, ZH)
        text = " ".join(pages)
        assert not WRITTEN_DATE.search(text), (key, WRITTEN_DATE.search(text))
        assert re.search(r"\d{4}-\d\d-\d\d", text)
        # The header's moment as the footer's: ISO, UTC.
        footer = re.search(r"由 .{0,60}于 (" + ISO_MOMENT.pattern + ") 生成", pages[0])
        assert footer, (key, pages[0][-300:])
    monitor = _pages(sample, "monitor", Values(since=date(2025, 1, 1)), ZH)[0]
    assert re.search(r"编制时间 " + ISO_MOMENT.pattern, monitor), monitor[:300]
    page = _pages(sample, "reconciliation", Values(), ZH)[0]
    assert re.search(r"截至 " + ISO_MOMENT.pattern, page)
    # Said once, by the header (截至) and the footer: no opening sentence says it again.
    assert not re.search(r"生成于 " + ISO_MOMENT.pattern + "。", page)
    english = _pages(sample, "participant", Values(participant="01-003"), EN)[0]
    assert re.search(r"Eligibility confirmed .{1,30}; recorded " + ISO_MOMENT.pattern, english)
