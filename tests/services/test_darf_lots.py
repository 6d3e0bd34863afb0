"""A shipment's kits of two lots numbered alternately (K1000 L75C, K1001 L75C, K1002 L75D...)
made one DARF line for each run of a lot: 533 "Shipment SH-A2" lines for one shipment of 800
kits. Lines were merged only where their ledger rows followed one another; now the movements
of one transaction that share a line's key (the lot among them) are one line: one receipt line
per lot per shipment (per product and storage area, as the DARF is), the running balance
right, in the order each lot first came; a shipment quarantined on receipt too."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import timedelta

import pytest

from dispensary.domain.codes import MovementKind
from dispensary.i18n import Language, _, speaking
from dispensary.services import receiving, report_data
from dispensary.services.assessment.receiving import KitIn
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.report_data import DarfRecord
from reports.pdfread import pdf_pages_text

from .helpers import LATE, P75, dispense, enroll


def _alternating(prefix: str, count: int) -> list[KitIn]:
    """Two lots as a manifest numbered them: two kits of the first, one of the second..."""
    return [
        KitIn(f"{prefix}{n:04d}", P75, "L75D" if n % 3 == 2 else "L75C", LATE, 21)
        for n in range(count)
    ]


def _check_balances(record: DarfRecord) -> None:
    previous = record.opening_balance
    for line in record.lines:
        assert line.balance_forward == previous, line
        assert line.balance == line.balance_forward + line.quantity
        previous = line.balance
    assert record.closing_balance == previous


def test_one_receipt_line_per_lot_per_shipment(
    ctx: Context,
    pharmacist: Actor,
    clock: FixedClock,
    pw: Callable[[Actor], str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    receiving.receive_shipment(ctx, pharmacist, "SH-A2", _alternating("K", 60))
    receiving.receive_shipment(
        ctx, pharmacist, "SH-A3", _alternating("Q", 30), temperature_ok=False
    )
    first_day = clock.today()
    clock.set_date(first_day + timedelta(days=1))
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist))
    (record,) = report_data.darf_records(ctx, pharmacist)
    receipts = [line for line in record.lines if line.kind == MovementKind.RECEIVE]
    assert Counter((line.note, line.lot) for line in receipts) == {
        ("Shipment SH-A2", "L75C"): 1,
        ("Shipment SH-A2", "L75D"): 1,
        ("Shipment SH-A3", "L75C"): 1,
        ("Shipment SH-A3", "L75D"): 1,
    }, [(line.number, line.note, line.lot, line.quantity) for line in record.lines]
    assert [line.quantity for line in receipts] == [40 * 21, 20 * 21, 20 * 21, 10 * 21]
    assert len(record.lines) <= 8, [(line.number, line.kind, line.lot) for line in record.lines]
    assert [line.number for line in record.lines] == list(range(1, len(record.lines) + 1))
    _check_balances(record)

    # A later period numbers on from the same lines, whether the history before it is counted
    # by SQL or row by row.
    later = first_day + timedelta(days=1)
    for by_sql in (True, False):
        if not by_sql:
            monkeypatch.setattr(report_data, "_history_by_lines", lambda *a, **k: False)
        (period,) = report_data.darf_records(ctx, pharmacist, since=later)
        assert list(period.lines) == [line for line in record.lines if line.entry_date >= later]
        assert period.opening_balance == period.lines[0].balance_forward


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_a_lot_of_hundreds_of_kits_goes_on_over_the_next_page(
    ctx: Context, pharmacist: Actor, language: Language
) -> None:
    """One line for a lot whose 200 kits were numbered between another lot's lists its kits
    in 134 ranges, taller than a page: it goes on over the next page under its line number and
    date marked continued (a line taller than a page could not be placed: no DARF at all)."""
    from dispensary import reports

    receiving.receive_shipment(ctx, pharmacist, "SH-A2", _alternating("K", 300))
    meta = report_data.report_meta(ctx, pharmacist)
    with speaking(language):
        records = report_data.darf_records(ctx, pharmacist)
        pdf = reports.darf_pdf(meta, records, study=ctx.study)
        continued = _("(continued)")
    (record,) = records
    assert [line.quantity for line in record.lines] == [200 * 21, 100 * 21]
    pages = pdf_pages_text(pdf)
    assert len(pages) >= 2
    assert continued not in pages[0]
    assert all(page.count(continued) == 1 for page in pages[1:-1]), pages
    assert "K0000-K0001" in pages[0] and "K0299" in " ".join(pages[1:])
