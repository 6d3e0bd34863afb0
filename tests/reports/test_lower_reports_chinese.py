"""The services' words on a report (a DARF note, where a kit is, the shelf's sentence of the
reconciliation) are in the reader's language on a Chinese PDF, and in English in a CSV of either
language (a script reads both alike; test_reports_chinese checks the CSVs are the same). A
refusal is said in the reader's language whichever the format."""

from __future__ import annotations

from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary.domain.errors import NotFound
from dispensary.i18n import Language
from dispensary.reports import catalogue as reports
from dispensary.services.documents import Values

from .pdfread import pdf_text

ZH = Language.ZH_CN
PERIOD = Values(since=date(2025, 1, 1))


def _made(sample: SampleStudy, key: str, fmt: str, language: Language) -> str:
    document = reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, PERIOD, fmt, language=language
    )
    return pdf_text(document.data) if fmt == "pdf" else document.data.decode("utf-8-sig")


def test_the_services_words_are_chinese_on_a_chinese_pdf(sample: SampleStudy) -> None:
    darf = _made(sample, "darf", "pdf", ZH)
    # A void called one, read whatever line of its cell the words wrap at (the DARF's columns
    # are set by their shares: a column added moves where a note's lines break).
    assert "发放DSP000020已作废，撤销第22行（药盒从未离开药房）" in darf.replace(" ", "")
    assert "DSP000020，第 2 周期（已由第 23 行作废）" in darf
    assert "实物库存 货架上 50 个药盒中已盘点 1 个" in _made(sample, "reconciliation", "pdf", ZH)
    assert "已于 2025-12-10 销毁" in _made(sample, "inventory", "pdf", ZH)


def test_the_services_words_stay_english_in_a_chinese_csv(sample: SampleStudy) -> None:
    darf = _made(sample, "darf", "csv", ZH)
    assert (
        "voided, line 22 undone (its kits never left the pharmacy): Wrong participant's bag" in darf
    )
    assert "作废" not in darf
    inventory = _made(sample, "inventory", "csv", ZH)
    assert "destroyed on 2025-12-10" in inventory and "已于" not in inventory


def test_a_refused_csv_is_refused_in_the_readers_language(sample: SampleStudy) -> None:
    with pytest.raises(NotFound) as refused:
        reports.make_report(
            reports.report("lot"), sample.ctx, sample.monitor, Values(lot="NO-SUCH"), "csv", ZH
        )
    assert refused.value.message == "库存记录中没有批号“NO-SUCH”。请检查批号。"
