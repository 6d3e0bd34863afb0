"""The inventory report of a study not all of tablets counts each product in its own word
("28 capsules"; 28粒), never under "Tablets on the shelf"; the Chinese reports head a column
of tablets 片数, as the windows do (it said 药片). A study of tablets only reads as before."""

from __future__ import annotations

import dataclasses

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import queries, report_data
from dispensary.services.report_data import ReportMeta

from .pdfread import pdf_pages_text


@pytest.fixture(scope="module")
def meta(sample: SampleStudy) -> ReportMeta:
    return report_data.report_meta(sample.ctx, sample.monitor)


def test_the_inventory_report_counts_capsules_as_capsules(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    study = sample.ctx.study
    capsules = dataclasses.replace(
        study, products=tuple(dataclasses.replace(p, form="capsule") for p in study.products)
    )
    kits = queries.inventory(sample.ctx, sample.monitor)
    text = " ".join(pdf_pages_text(reports.inventory_pdf(meta, capsules, kits)))
    assert "On the shelf" in text and "In the pharmacy" in text, text
    assert "Tablets" not in text and " tablets on the shelf" not in text
    assert " capsules on the shelf (the DARF balance), of which " in text, text
    assert " 21 capsules " in text
    with speaking(Language.ZH_CN):
        chinese = " ".join(pdf_pages_text(reports.inventory_pdf(meta, capsules, kits)))
    assert "库存数量" in chinese and "药房内数量" in chinese, chinese
    assert "库存片数" not in chinese and "药房内片数" not in chinese
    tablets = " ".join(pdf_pages_text(reports.inventory_pdf(meta, study, kits)))
    assert "Tablets on the shelf" in tablets and "Tablets in the pharmacy" in tablets
    assert " tablets on the shelf (the DARF balance)" in tablets and " 21 tablets " not in tablets


def test_chinese_reports_head_tablets_as_the_windows_do(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    expiry = report_data.expiry_report(sample.ctx, sample.monitor)
    kits = queries.inventory(sample.ctx, sample.monitor)
    with speaking(Language.ZH_CN):
        dated = " ".join(pdf_pages_text(reports.expiry_pdf(meta, sample.ctx.study, expiry)))
        stock = " ".join(pdf_pages_text(reports.inventory_pdf(meta, sample.ctx.study, kits)))
    assert " 片数 " in dated and "药片" not in dated, dated
    assert "库存片数" in stock and "药房内片数" in stock and "药房内药片" not in stock, stock
