"""A lot number reads whole in the reconciliation's tables (by lot, and the book against the
last physical count), in the report and in the monitor's visit pack: a sponsor's lot numbers
of seven characters (HT2504L) were broken over two lines ("HT2504" / "L") in English, the
lot column being narrowest where the counts' headers take the room, and a monitor reading
the line read lot HT2504."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import reconciliation, report_data
from dispensary.services.report_data import ReportMeta
from dispensary.services.results import ReconcileResult

from .pdfread import pdfium_pages_text

LONG = "HT2504LX"
"""A lot number longer than the sample's (L2401): the demo pharmacy's are HT2504L."""


@pytest.fixture(scope="module")
def meta(sample: SampleStudy) -> ReportMeta:
    return report_data.report_meta(sample.ctx, sample.monitor)


def with_long_lots(result: ReconcileResult) -> ReconcileResult:
    """The sample's reconciliation with every lot given a sponsor's longer number."""
    lots = tuple(
        replace(r, key=f"{r.key.partition('/')[0]}/{LONG}{i}") for i, r in enumerate(result.lots)
    )
    counts = tuple(replace(c, lot=f"{LONG}{i % 10}") for i, c in enumerate(result.counts))
    return replace(result, lots=lots, counts=counts)


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_every_lot_number_reads_whole(
    sample: SampleStudy, meta: ReportMeta, language: Language
) -> None:
    result = with_long_lots(reconciliation.reconcile(sample.ctx, sample.monitor))
    assert result.lots and result.counts
    with speaking(language):
        pdf = reports.reconciliation_pdf(meta, sample.ctx.study, result)
    text = "\n".join(pdfium_pages_text(pdf))
    lines = [line.strip() for line in text.splitlines()]
    # No line ends in a lot's first characters: each lot reads on one line.
    assert [line for line in lines if line.endswith(LONG[:-1]) or line.endswith(LONG)] == []
    for i in range(len(result.lots)):
        assert f"{LONG}{i}" in text
