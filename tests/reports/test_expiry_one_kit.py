"""The expiry report's headings count one kit in the singular: "(1 kit)", not "(1 kits)"."""

from __future__ import annotations

from dataclasses import replace

from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports import expiry_pdf
from dispensary.services import report_data

from .pdfread import pdf_pages_text


def test_one_expired_and_one_expiring_kit_are_said_in_the_singular(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.pharmacist)
    report = report_data.expiry_report(sample.ctx, sample.pharmacist, 3650)
    assert report.expired and report.expiring
    one = replace(report, expired=report.expired[:1], expiring=report.expiring[:1])
    study = sample.ctx.study
    text = " ".join(" ".join(pdf_pages_text(expiry_pdf(meta, study, one))).split())
    assert "Expired and not destroyed (1 kit)" in text, text
    assert "Expiring within 3650 days (1 kit)" in text, text
    assert "(1 kits)" not in text
    none = replace(report, expired=(), expiring=())
    text = " ".join(" ".join(pdf_pages_text(expiry_pdf(meta, study, none))).split())
    assert "Expired and not destroyed (0 kits)" in text, text
    with speaking(Language.ZH_CN):
        text = "".join(pdf_pages_text(expiry_pdf(meta, study, one)))
    assert "已过期未销毁（1 盒）" in text and "kit" not in text, text
