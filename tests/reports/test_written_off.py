"""The reconciliation's count adjustments read as tablets written off: a breakage the count
found (-1 against the book) shows as 1 written off, the figure the accountability equation adds
(received = dispensed - returned + on hand + held returned + destroyed + written off), in the
PDF (alone and in the monitor's visit pack), in English and Chinese; the CSV keeps its key
`adjusted`. The column said "Adjusted" with 1 for a tablet lost, which read as one added."""

from __future__ import annotations

from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.reports.csvfile import read_rows
from dispensary.services import reconciliation, report_data
from dispensary.services.report_data import ReportMeta

from .pdfread import pdf_text

NOTE = (
    "Written off (adjusted): tablets physical counts took off the book (broken, lost), less the "
    "tablets they found; a count 1 tablet short of the book writes off 1, a count 1 over writes "
    "off -1."
)
"""The tablets found are taken away ("less the tablets they found"): it read "less tablets
found", as if fewer were found."""


@pytest.fixture(scope="module")
def meta(sample: SampleStudy) -> ReportMeta:
    return report_data.report_meta(sample.ctx, sample.monitor)


def test_a_breakage_reads_as_one_tablet_written_off(sample: SampleStudy, meta: ReportMeta) -> None:
    # The sample's kit K0085 was counted 20 against 21 in the book: breakage, adjusted by -1.
    result = reconciliation.reconcile(sample.ctx, sample.monitor)
    [kit] = [k for k in result.kits if k.key == "K0085"]
    assert (kit.adjusted, kit.on_hand, kit.received) == (1, 20, 21)
    text = pdf_text(reports.reconciliation_pdf(meta, sample.ctx.study, result))
    assert "20 tablets counted, 21 tablets in the book (-1)" in text
    assert "Adjusted" not in text
    assert "Destroyed Written off (adjusted) On hand" in text
    assert NOTE in text
    assert "+ held returned + destroyed + written off (adjusted)." in text
    assert "K0085 herombopag (hetrombopag olamine) 7.5 mg tablet 21 0 0 0 1 20 0 yes" in text
    with speaking(Language.ZH_CN):
        chinese = pdf_text(reports.reconciliation_pdf(meta, sample.ctx.study, result))
    assert "核销（盘点调整）：实物盘点从账面核销的药片" in chinese
    # Read without the spaces the text extraction puts at line ends (a line may end in 销|毁).
    assert "+销毁+核销（盘点调整）。" in chinese.replace(" ", "") and "已调整" not in chinese
    # The CSV's header and the figure are as before: `adjusted`, 1 for the tablet lost.
    rows = read_rows(reports.reconciliation_csv(meta, result))
    assert list(rows[0])[3:10] == [
        "received", "dispensed", "returned", "destroyed", "adjusted", "on_hand", "held_returned",
    ]  # fmt: skip
    [line] = [r for r in rows if r["scope"] == "kit" and r["key"] == "K0085"]
    assert line["adjusted"] == "1"


def test_the_monitor_pack_says_it_the_same_way(sample: SampleStudy, meta: ReportMeta) -> None:
    pack = report_data.monitor_pack(sample.ctx, sample.monitor, date(2020, 1, 1), sample.today)
    text = pdf_text(reports.monitor_pack_pdf(meta, sample.ctx.study, pack))
    assert NOTE in text and "Adjusted" not in text
