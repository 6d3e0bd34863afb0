"""One form of date in one header, one sentence or one table (reports/words.py): a Chinese
header wrote its period "2026年10月1日至…" beside "编制时间 2026-12-05 12:10 UTC", the
participant report "入组日期 2026年6月4日" beside "入选资格确认 …，2026-06-04 08:36 UTC". A moment
in a header or a sentence now writes its date as the header's other dates do; tables and the
footer keep ISO; English documents are ISO throughout, as before."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue as reports
from dispensary.reports.words import long_when
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

ZH, EN = Language.ZH_CN, Language.EN
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC")
WRITTEN_MOMENT = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC")


def _first_page(sample: SampleStudy, key: str, values: Values, language: Language) -> str:
    document = reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, values, language=language
    )
    return pdf_pages_text(document.data)[0]


def _header(page: str) -> str:
    """The page's text before its footer line (which keeps ISO, as the records do)."""
    footer = re.search(r"由 .{0,60}于 \d{4}-\d\d-\d\d \d\d:\d\d UTC 生成", page)
    return page[: footer.start()] if footer else page


def test_a_moment_in_a_chinese_header_is_written_as_its_dates_are() -> None:
    at = datetime(2026, 12, 5, 12, 10, tzinfo=UTC)
    with speaking(ZH):
        assert long_when(at) == "2026年12月5日 12:10 UTC"
    with speaking(EN):
        assert long_when(at) == "2026-12-05 12:10 UTC"


def test_the_chinese_monitor_packs_header_has_one_form_of_date(sample: SampleStudy) -> None:
    values = Values(since=date(2025, 1, 1))
    header = _header(_first_page(sample, "monitor", values, ZH))
    assert re.search(r"编制时间 " + WRITTEN_MOMENT.pattern, header), header[:300]
    assert not ISO_MOMENT.search(header) and not re.search(r"\d{4}-\d\d-\d\d", header)
    english = _first_page(sample, "monitor", values, EN)
    assert re.search(r"Prepared on " + ISO_MOMENT.pattern, english)


def test_the_chinese_participant_and_reconciliation_headers_have_one_form(
    sample: SampleStudy,
) -> None:
    participant = _header(_first_page(sample, "participant", Values(participant="01-003"), ZH))
    assert re.search(r"入组日期 \d{4}年", participant)
    assert re.search(r"入选资格确认 .{1,20}，" + WRITTEN_MOMENT.pattern, participant)
    assert not ISO_MOMENT.search(participant)
    page = _first_page(sample, "reconciliation", Values(), ZH)
    assert re.search(r"截至 " + WRITTEN_MOMENT.pattern, _header(page))
    assert not ISO_MOMENT.search(_header(page))
    assert re.search(r"生成于 " + WRITTEN_MOMENT.pattern + "。", page)  # the opening sentence
    english = _first_page(sample, "participant", Values(participant="01-003"), EN)
    assert re.search(r"Eligibility confirmed .{1,30}, " + ISO_MOMENT.pattern, english)
