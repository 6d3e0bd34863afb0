"""A DARF of one line says "1 line", not "1 lines" (a monitor pack's DARF of a month with one
dispense said "Balance at the end of the period: 378 (1 lines)")."""

from __future__ import annotations

from dataclasses import replace

from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports import darf_pdf
from dispensary.services import report_data

from .pdfread import pdf_pages_text


def test_the_closing_balance_counts_one_line_in_the_singular(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.pharmacist)
    record = report_data.darf_records(sample.ctx, sample.pharmacist)[0]
    one = replace(record, lines=record.lines[:1], closing_balance=record.lines[0].balance)
    balance = record.lines[0].balance
    for study in (None, sample.ctx.study):
        text = " ".join(" ".join(pdf_pages_text(darf_pdf(meta, [one], "a4", study))).split())
        assert f"Balance at the end of the period: {balance} (1 line)." in text, text
        assert "(1 lines)" not in text
    two = replace(record, lines=record.lines[:2])
    text = " ".join(" ".join(pdf_pages_text(darf_pdf(meta, [two]))).split())
    assert "(2 lines)." in text
    with speaking(Language.ZH_CN):
        text = "".join(pdf_pages_text(darf_pdf(meta, [one], "a4", sample.ctx.study)))
    assert "（共 1 行）" in text, text
