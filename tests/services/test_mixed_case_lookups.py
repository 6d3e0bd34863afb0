"""Lots and shipments recorded by older releases in another case than typed ('lx' beside LX,
'sh-m1' for SH-M1): receiving now upper-cases them, but the rows already written stay as they
were, and every look-up by a typed lot or shipment must still find them (a recall that misses
a lot's kits, or a sheet of labels refused for a shipment on record)."""

from __future__ import annotations

from collections.abc import Callable

from dispensary.services import queries, receiving, report_data
from dispensary.services.context import Actor, Context
from dispensary.services.receiving import KitIn

from .helpers import LATE, P75, dispense, enroll, scalar, sql


def legacy_lots(ctx: Context, pharmacist: Actor) -> None:
    """One lot recorded twice, as 'LX' and 'lx' (an older release kept the case typed), and a
    shipment recorded as 'sh-m1' and 'Sh-M2'."""
    receiving.receive_shipment(ctx, pharmacist, "SH-M1", [KitIn("K7101", P75, "LX", LATE, 21)])
    receiving.receive_shipment(ctx, pharmacist, "SH-M2", [KitIn("K7102", P75, "LY", LATE, 21)])
    sql(ctx, "UPDATE lots SET number = 'lx' WHERE number = 'LY'")
    sql(ctx, "UPDATE shipments SET number = 'sh-m1' WHERE number = 'SH-M1'")
    sql(ctx, "UPDATE shipments SET number = 'Sh-M2' WHERE number = 'SH-M2'")
    assert scalar(ctx, "SELECT count(*) FROM lots WHERE upper(number) = 'LX'") == 2


def test_the_lot_report_recalls_every_kit_of_a_lot_recorded_in_two_cases(
    ctx: Context, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    """The lot trace (recall list) read one record of the lot: the kits and dispenses of the
    other were missing from the recall."""
    legacy_lots(ctx, pharmacist)
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist), kits=["K7102"])
    for typed in ("LX", "lx", " Lx "):
        trace = report_data.lot_trace(ctx, pharmacist, typed)
        assert trace.lot == "LX"
        assert [k.number for k in trace.kits] == ["K7101", "K7102"]
        assert trace.tablets_received == 2 * ctx.study.product(P75).tablets_per_kit
        assert [line.kit for line in trace.dispenses] == ["K7102"]


def test_a_shipment_recorded_in_another_case_gets_its_labels_and_kits(
    ctx: Context, pharmacist: Actor
) -> None:
    """The sheet of a shipment's kit labels compared the number exactly: 'SH-M1' typed (or
    chosen) was 'no shipment' for one recorded as 'sh-m1'."""
    legacy_lots(ctx, pharmacist)
    for typed in ("SH-M1", "sh-m1", " Sh-m1 "):
        rows = report_data.kit_label_rows(ctx, pharmacist, shipment=typed)
        assert [(r.number, r.shipment) for r in rows] == [("K7101", "sh-m1")]
        named = report_data.kit_label_rows(ctx, pharmacist, kits=["K7101"], shipment=typed)
        assert [r.number for r in named] == ["K7101"]
        assert [k.number for k in queries.shipment_kits(ctx, pharmacist, typed)] == ["K7101"]
    rows = report_data.kit_label_rows(ctx, pharmacist, shipment="sh-m2")
    assert [(r.number, r.shipment) for r in rows] == [("K7102", "Sh-M2")]


def test_one_shipment_recorded_in_two_cases_lists_the_kits_of_both(
    ctx: Context, pharmacist: Actor
) -> None:
    """Before receiving upper-cased them, 'sh-m3' and 'SH-M3' could both be received (the
    number is unique as written): the shipment's kits are those of both records."""
    receiving.receive_shipment(ctx, pharmacist, "SH-M3", [KitIn("K7201", P75, "LZ", LATE, 21)])
    receiving.receive_shipment(ctx, pharmacist, "SH-M4", [KitIn("K7202", P75, "LZ", LATE, 21)])
    sql(ctx, "UPDATE shipments SET number = 'sh-m3' WHERE number = 'SH-M4'")
    assert [k.number for k in queries.shipment_kits(ctx, pharmacist, "SH-M3")] == [
        "K7201",
        "K7202",
    ]
    rows = report_data.kit_label_rows(ctx, pharmacist, shipment="Sh-M3")
    assert [r.number for r in rows] == ["K7201", "K7202"]
