"""A monitor reading the reconciliation found it said three things twice: when it was made (its
first paragraph began "Generated … UTC." under the header's As of, over the footer's
Generated), each participant's finding (tests/services/test_findings_beside_subject.py), and its
signature lines, which fell alone at the top of the last page
away from the sign-offs before them."""

from __future__ import annotations

from dataclasses import replace

from sample_study import SampleStudy

from dispensary import reports
from dispensary.reports.base import long_when
from dispensary.services import reconciliation, report_data

from .pdfread import pdfium_pages_text


def test_when_it_was_made_is_said_once_on_a_page(sample: SampleStudy) -> None:
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    first = pdfium_pages_text(reports.reconciliation_pdf(meta, sample.ctx.study, result))[0]
    assert first.count("Generated") == 1, first[:600]  # the footer's, with who and where from
    assert long_when(result.generated_at) in first  # the header's As of
    assert first.index("The ledger balances for every product") < first.index("By product")


def _signatures_page(pdf: bytes) -> str:
    [page] = [p for p in pdfium_pages_text(pdf) if "Signatures" in p]
    return page


def test_the_signature_lines_are_never_alone_on_a_page(sample: SampleStudy) -> None:
    """Whatever the length of the tables above, the signature lines share their page with the
    sign-offs recorded before them (kept together), never a page of their own."""
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    for n in range(0, min(len(result.kits), 50)):
        pdf = reports.reconciliation_pdf(
            meta, sample.ctx.study, replace(result, kits=result.kits[:n])
        )
        page = _signatures_page(pdf)
        assert "Sign-offs recorded in the program" in page, (n, page[-400:])
