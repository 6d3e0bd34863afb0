"""The destruction certificate, the destruction and returns logs (alone and in the monitor pack)
and the participant report's returns of a study not all of tablets: each count in its product's
word ("5 capsules", 5 粒) under headings without "tablets" (the certificate's "Tablets in all",
"Returned tablets" over capsules). A study of tablets only reads as before."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import queries, report_data
from dispensary.services.report_data import ReportMeta
from dispensary.study import Study

from .pdfread import pdf_pages_text


@pytest.fixture(scope="module")
def meta(sample: SampleStudy) -> ReportMeta:
    return report_data.report_meta(sample.ctx, sample.monitor)


def capsules(study: Study) -> Study:
    """The sample study with every product a capsule, counted 粒 in Chinese as the demo's
    DEMO-2DRUG study file says."""
    chinese = dataclasses.replace(study.texts["zh_CN"], units={"capsule": "{count}粒"})
    texts = {**study.texts, "zh_CN": chinese}
    products = tuple(dataclasses.replace(p, form="capsule") for p in study.products)
    return dataclasses.replace(study, products=products, texts=texts)


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(pdf_pages_text(pdf)).split())


def test_the_destruction_certificate_counts_capsules_as_capsules(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    study = sample.ctx.study
    rows = queries.destruction_log(sample.ctx, sample.monitor)
    certificate = report_data.DestructionCertificate("destruction No. 1", tuple(rows))
    english = _text(reports.certificate_pdf(meta, capsules(study), certificate))
    assert "Unused quantity (stock)" in english and "Quantity in all" in english, english
    assert "Returned quantity (participants)" in english
    assert "5 capsules 5 capsules" in english, english  # returned, and in all
    assert "8 kits, with their contents" in english
    assert "none needed (expired stock, or returned by participants)" in english
    assert "tablet" not in english.lower(), english
    with speaking(Language.ZH_CN):
        chinese = _text(reports.certificate_pdf(meta, capsules(study), certificate))
    assert "合计数量" in chinese and "5 粒" in chinese and "及其中药物" in chinese, chinese
    assert "药片" not in chinese and "5 片" not in chinese and "0 片" not in chinese
    tablets = _text(reports.certificate_pdf(meta, study, certificate))
    assert "Unused tablets (stock)" in tablets and "Tablets in all" in tablets
    assert "8 kits, with their tablets" in tablets and " 5 5 " in tablets, tablets
    assert "capsule" not in tablets and "Quantity" not in tablets


def test_the_destruction_and_returns_logs_count_capsules_as_capsules(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    study = sample.ctx.study
    rows = queries.destruction_log(sample.ctx, sample.monitor)
    english = _text(reports.destruction_pdf(meta, capsules(study), rows))
    assert "Quantity" in english and "5 capsules returned" in english, english
    assert "Tablets" not in english and "5 returned" not in english
    with speaking(Language.ZH_CN):
        chinese = _text(reports.destruction_pdf(meta, capsules(study), rows))
    assert "退回 5 粒" in chinese and " 数量 " in chinese
    assert "退回 5 片" not in chinese and "退回 5 粒 片" not in chinese, chinese
    tablets = _text(reports.destruction_pdf(meta, study, rows))
    assert "Tablets" in tablets and "5 returned" in tablets and "capsule" not in tablets
    pack = report_data.monitor_pack(
        sample.ctx, sample.monitor, date(2025, 12, 1), date(2025, 12, 31)
    )
    pages = pdf_pages_text(reports.monitor_pack_pdf(meta, capsules(study), pack))
    returned = " ".join(p for p in pages if "Returns log (brought back by participants)" in p)
    assert "Returned quantity" in returned and "Returned tablets" not in returned, returned
    assert " 21 capsules 0 capsules " in returned  # dispensed, returned (the log counts them)
    assert " capsules returned" in " ".join(p for p in pages if "Destruction and" in p)
    assert not [p for p in pages if "Returns log (tablets" in p]


def test_the_participant_reports_returns_count_capsules_as_capsules(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    study = sample.ctx.study
    who = report_data.returns_log(sample.ctx, sample.monitor)[0].participant
    report = report_data.participant_report(sample.ctx, sample.monitor, who)
    english = _text(reports.participant_pdf(meta, capsules(study), report))
    assert "Returned quantity" in english and "Returned tablets" not in english, english
    with speaking(Language.ZH_CN):
        chinese = _text(reports.participant_pdf(meta, capsules(study), report))
    assert "退回数量" in chinese and "退回药片" not in chinese and "粒" in chinese, chinese
    tablets = _text(reports.participant_pdf(meta, study, report))
    assert "Returned tablets" in tablets and "Returned quantity" not in tablets
    assert "capsule" not in tablets


def test_the_darf_does_not_call_returned_capsules_tablets(
    sample: SampleStudy, meta: ReportMeta
) -> None:
    study = sample.ctx.study
    records = report_data.darf_records(sample.ctx, sample.pharmacist)[:1]
    english = _text(reports.darf_pdf(meta, records, study=capsules(study)))
    assert "What participants bring back is not stock: see the returns log." in english, english
    assert "Returned tablets" not in english
    with speaking(Language.ZH_CN):
        chinese = _text(reports.darf_pdf(meta, records, study=capsules(study)))
    assert "受试者带回的药物不计入库存：见退回记录。" in chinese and "药片" not in chinese, chinese
    tablets = _text(reports.darf_pdf(meta, records, study=study))
    assert "Returned tablets are not stock: see the returns log." in tablets
