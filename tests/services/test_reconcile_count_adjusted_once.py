"""A count left open, then adjusted by the count that followed it (the same figure against the
same book, with its reason code and second person), is written as a second physical count: the
correction is a new record, the open count kept as it was counted. The reconciliation listed
both rows as count differences, the one difference of -1 shown twice and counted twice ("count
differences on record: 2" in the report's CSV and PDF, "2 findings" when signing off). It lists
one finding, the open count's, saying the adjustment that followed it; the records stay as
written (two counts, one ledger adjustment), and a balance moves by the one tablet."""

from __future__ import annotations

from collections.abc import Callable

from dispensary import reports
from dispensary.i18n import Language, speaking
from dispensary.services import counts, kit_history, queries, reconciliation, report_data
from dispensary.services.context import Actor, Context
from reports.pdfread import pdf_text

from .conftest import Stock
from .helpers import adjust_count, scalar

Password = Callable[[Actor], str]


def test_a_count_adjusted_by_the_record_that_followed_it_is_one_finding(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor, pw: Password
) -> None:
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))  # -1, open
    adjusted = adjust_count(ctx, technician, pw(technician), "K0001", 20, 21, first)
    # A count that differed and was adjusted in its own step: one finding, as before.
    counts.record_count(
        ctx,
        technician,
        "K0002",
        19,
        pw(technician),
        reason_code="breakage",
        reason="two crushed",
        verified_by="pharm",
        verifier_password=pw(pharmacist),
    )

    # The records as written: two counts of K0001, one ledger adjustment of -1.
    written = (
        "SELECT COUNT(*) FROM physical_counts JOIN kits ON kits.id = physical_counts.kit_id "
        "WHERE kits.number = 'K0001'"
    )
    assert scalar(ctx, written) == 2
    adjustments = [
        r for r in queries.ledger_rows(ctx, pharmacist) if r.kind == "adjust" and r.kit == "K0001"
    ]
    assert [r.quantity for r in adjustments] == [-1]
    assert adjusted.count_id != first.count_id

    with speaking(Language.EN):
        result = reconciliation.reconcile(ctx, pharmacist)
        meta = report_data.report_meta(ctx, pharmacist)
        text = pdf_text(reports.reconciliation_pdf(meta, ctx.study, result))
        csv = reports.reconciliation_csv(meta, result)
    said = [d.message for d in result.discrepancies if d.subject == "K0001"]
    assert said == [
        "Count of kit K0001 on 2026-01-05: 20 tablets counted, 21 tablets in the book (-1); adjusted on "
        "2026-01-05 by the record that followed it (the same figure), with reason 'breakage: "
        "one crushed', verified by Paula Pharm."
    ]
    assert len(result.discrepancies) == 2 and not result.to_review  # K0001's and K0002's
    assert "count differences on record: 2;" in csv.splitlines()[0]
    assert "Count differences on record (2)" in text
    # One finding, beside K0001 in Concerns (the kit named once there).
    assert text.count("Count on 2026-01-05: 20 tablets counted") == 1
    [kit] = [r for r in result.kits if r.key == "K0001"]
    assert (kit.adjusted, kit.on_hand) == (1, 20)

    # The kit's history keeps both records, the second named as the first's adjustment.
    events = kit_history.kit_history(ctx, pharmacist, "K0001").events
    assert [e.what for e in events if "ount" in e.what] == [
        "Physical count",
        "Count difference adjusted",
    ]
    with speaking(Language.ZH_CN):
        chinese = [
            d.message
            for d in reconciliation.reconcile(ctx, pharmacist).discrepancies
            if d.subject == "K0001"
        ]
    assert chinese == [
        "药盒 K0001 于 2026-01-05 的盘点：盘点数 20 片，账面 21 片（-1）；已于 2026-01-05 由其后的"
        "记录（同一盘点数）按原因“破损：one crushed”调整，由 Paula Pharm 核对。"
    ]
