"""Records a monitor trusts (issue 12): open items whatever their start, each kit's real
whereabouts, the manufacturer on the DARF, the book against the shelf, balances per product."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.errors import RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import counts, quarantine, queries, reconciliation, report_data
from dispensary.services import temperature as temperature_service
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import N25, N75, P25, P75, busy_pharmacy, dispense, enroll, receive, sql

Password = Callable[[Actor], str]


def kinds(items: tuple[report_data.OpenItem, ...] | list[report_data.OpenItem]) -> list[str]:
    return [i.kind for i in items]


def logger_csv(first: str, last: str, celsius: float = 5.0) -> str:
    return f"timestamp,celsius\n{first},{celsius}\n{last},{celsius}\n"


def test_a_quarantine_begun_before_the_period_is_open_in_the_pack(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, monitor: Actor
) -> None:
    quarantine.quarantine(ctx, pharmacist, ["K0003"], "dropped on the floor")
    clock.set_date(date(2026, 5, 5))  # four months on, still undecided
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 4, 1), date(2026, 5, 5))
    assert pack.quarantines == ()  # no quarantine *event* in the period...
    held = [i for i in pack.open_items if i.kind == "Quarantine awaiting decision"]
    assert [i.subject for i in held] == ["K0003"]  # ...but the kit is open all the same
    assert held[0].since == date(2026, 1, 5) and held[0].before_period
    assert "dropped on the floor" in held[0].detail and "120 days" in held[0].detail
    assert pack.quarantined_now == 1


def test_gaps_in_the_temperature_log_are_open_items(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, monitor: Actor
) -> None:
    area = ctx.study.storage_area
    clock.set_date(date(2026, 1, 20), hour=12)
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 10), date(2026, 1, 20))
    gaps = [i for i in pack.open_items if i.kind == "Gap in the temperature log"]
    assert [(g.subject, g.since) for g in gaps] == [(area, date(2026, 1, 5))]
    assert "no logger reading imported since 2026-01-05 00:00 UTC" in gaps[0].detail
    assert [(c.storage_area, c.imports, c.gaps) for c in pack.coverage] == [(area, 0, 1)]

    # Readings from receipt to the 10th, then from the 14th on: one gap of four days left.
    temperature_service.import_logger(
        ctx, pharmacist, area, logger_csv("2026-01-04T23:00", "2026-01-10T08:00"), "a.csv"
    )
    temperature_service.import_logger(
        ctx,
        pharmacist,
        area,
        "timestamp,celsius\n2026-01-14T08:00,5\n2026-01-17T09:30,12\n2026-01-20T11:00,5\n",
        "b.csv",
    )  # with an excursion in it: its whole span still counts as covered (its readings evenly
    # spaced: a time between two readings past twice the file's usual one is a gap)
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 10), date(2026, 1, 20))
    gaps = [i for i in pack.open_items if i.kind == "Gap in the temperature log"]
    assert [g.detail for g in gaps] == [
        "no logger reading from 2026-01-10 08:00 UTC to 2026-01-14 08:00 UTC"
    ]
    assert [(c.imports, c.gaps) for c in pack.coverage] == [(2, 1)]


def test_flags_overrides_dose_changes_counts_and_warm_shipments_are_open(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    receive(ctx, pharmacist, "W0001-W0002", "LW", shipment="SH-WARM", temperature_ok=False)
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist), recount=False)
    clock.set_date(date(2026, 3, 1))
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 2, 1), date(2026, 3, 1))
    found = {(i.kind, i.subject): i for i in pack.open_items}
    assert ("Shipment received with a temperature alarm", "SH-WARM") in found
    assert (
        "2 quarantined" in found[("Shipment received with a temperature alarm", "SH-WARM")].detail
    )
    assert ("Quarantine awaiting decision", "W0001") in found
    change = found[("Dose change", "01-002")]
    assert "level 0" in change.detail and "level -1" in change.detail
    assert change.before_period
    # K0005's count difference was adjusted with a reason and countersigned: a record (the
    # pack's reconciliation lists it), not an open item.
    assert ("Count difference", "K0005") not in found
    # Every item but the returns that fell due in February began before it: all shown, the
    # order fixed by kind.
    overdue = [i for i in pack.open_items if i.kind == "Return overdue"]
    assert overdue and all(not i.before_period for i in overdue)
    assert all(i.before_period for i in pack.open_items if i not in overdue)
    order = [report_data.OPEN_KINDS.index(k) for k in kinds(pack.open_items)]
    assert order == sorted(order)


def test_inventory_and_lot_trace_say_where_each_kit_really_is(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist), recount=False)
    where = {k.number: k.where for k in queries.inventory(ctx, monitor)}
    area = ctx.study.storage_area
    assert where["K0012"].startswith("with participant 01-001 (21 tablets, DSP")
    assert where["K0011"] == "destroyed on 2026-01-26"
    assert (
        where["S0001"].startswith("with participant 01-002")
        or "held for the monitor" in (where["S0001"])
    )
    assert where["K0001"] == area  # voided: back on the shelf
    assert area not in where["K0012"]
    trace = report_data.lot_trace(ctx, monitor, "L2")
    kits = {k.number: k for k in trace.kits}
    assert kits["K0012"].where.startswith("with participant 01-001")
    assert kits["K0020"].where.startswith("destroyed on")


def test_returned_kit_is_held_for_the_monitor(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    from dispensary.services import returns

    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 1, pw(pharmacist), dispense="DSP000001")
    kit = queries.kit_detail(ctx, pharmacist, "K0011")
    assert kit.where == f"returned by 01-001, held for the monitor in {ctx.study.storage_area}"


def test_darf_header_has_the_manufacturer(ctx: Context, stock: Stock, monitor: Actor) -> None:
    records = report_data.darf_records(ctx, monitor)
    assert records and all(r.manufacturer for r in records)
    assert {r.manufacturer for r in records} == {
        p.manufacturer for p in ctx.study.products if p.manufacturer
    }


def test_reconciliation_compares_the_book_with_the_last_count(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    result = reconciliation.reconcile(ctx, pharmacist)
    assert result.balanced  # the ledger agrees with itself...
    assert len(result.never_counted) == 24  # ...but no kit was ever counted
    assert "24 never counted" in result.physical
    counts.record_count(ctx, pharmacist, "K0001", 21, pw(pharmacist))
    counts.record_count(
        ctx,
        pharmacist,
        "K0002",
        19,
        pw(pharmacist),
        "breakage",
        "two crushed",
        "tech",
        "tech-pass-1",
    )
    result = reconciliation.reconcile(ctx, pharmacist)
    checks = {c.kit: c for c in result.counts}
    assert checks["K0001"].agrees and checks["K0001"].moved_since == 0
    assert "agreed with the book" in checks["K0001"].verdict
    assert not checks["K0002"].agrees and checks["K0002"].book == 19
    assert "differed by -2" in checks["K0002"].verdict
    assert checks["K0003"].never_counted
    # K0002's difference was adjusted and countersigned: the book holds what was counted, so
    # no kit's last count is left differing from the book.
    assert checks["K0002"].adjusted and not checks["K0002"].unresolved
    assert result.count_differences == ()
    assert len(result.never_counted) == 22


def test_participant_balances_are_per_product(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
) -> None:
    from dispensary.services import returns

    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), dispense="DSP000001")
    dispense(ctx, pharmacist, pw(pharmacist), cycle=2, dose_level=-1, dose_ordered_by="Dr Liu")
    rows = reconciliation.reconcile(ctx, pharmacist).participants
    # 21 tablets of 7.5 mg and 42 of 2.5 mg: never "63 tablets".
    assert [(r.key, r.product, r.dispensed) for r in rows] == [
        ("01-001", P25, 42),
        ("01-001", P75, 21),
    ]


def test_a_quarantined_kit_open_in_the_pack_names_its_product_as_the_reader_does(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, monitor: Actor
) -> None:
    """Not by its code ("herombopag-7.5mg lot L1: quarantined ..."), in English or Chinese."""
    quarantine.quarantine(ctx, pharmacist, ["K0003"], "dropped on the floor")
    clock.set_date(date(2026, 1, 8))
    lot = queries.kit_detail(ctx, monitor, "K0003").lot
    for language, said in (
        (Language.EN, f"{N75} lot {lot}: quarantined 3 days ago, dropped on the floor"),
        (Language.ZH_CN, f"海曲泊帕乙醇胺片 7.5 mg 批号 {lot}：3 天前被隔离，dropped on the floor"),
    ):
        with speaking(language):
            pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 8))
        [held] = [i for i in pack.open_items if i.subject == "K0003"]
        assert held.detail.startswith(said), held.detail


def two_products_lot(ctx: Context, technician: Actor) -> None:
    """Lot L77 recorded for both products, as an older release let a receipt record it (a
    receipt now refuses a lot number of another product): the records such a database holds."""
    receive(ctx, technician, "M0001-M0002", "L77", product=P75)
    receive(ctx, technician, "M0003-M0004", "L77-OLD", product=P25)
    sql(ctx, "UPDATE lots SET number = 'L77' WHERE number = 'L77-OLD'")


def test_a_lot_number_of_two_products_is_refused_naming_them_as_the_reader_does(
    ctx: Context, stock: Stock, technician: Actor, monitor: Actor
) -> None:
    """The lot report (one lot's kits and balance) names the products, not their codes."""
    two_products_lot(ctx, technician)
    for language, said in (
        (Language.EN, f"Lot L77 is recorded for several products ({N25}, {N75}); trace each"),
        (
            Language.ZH_CN,
            "批号 L77 登记在多个药品下（海曲泊帕乙醇胺片 2.5 mg、海曲泊帕乙醇胺片 7.5 mg）",
        ),
    ):
        with speaking(language), pytest.raises(RuleViolation) as refused:
            report_data.lot_trace(ctx, monitor, "L77")
        assert refused.value.message.startswith(said), refused.value.message


def test_the_recall_list_of_a_lot_number_two_products_share_names_every_dispense(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    technician: Actor,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """A recall takes back whatever carries the number: `trace` lists the dispenses of both
    products' lots L77 (it was refused as "recorded for several products", leaving no list)."""
    two_products_lot(ctx, technician)
    enroll(ctx, pharmacist, "01-002", "CD")
    first = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        "01-001",
        kits=["M0001"],
        override_reason="x",
        overrides=["not_first_expiry"],
    )
    second = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        "01-002",
        kits=["M0003"],
        dose_level=-1,
        dose_ordered_by="Dr Liu",
    )
    rows = queries.lot_trace(ctx, monitor, "L77")
    assert sorted(r.dispense_number for r in rows) == sorted([first.number, second.number])


def test_an_adjusted_count_difference_is_a_record_with_its_verifier_not_an_open_item(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """Review of COUNTS, item 2: an adjusted, countersigned difference stayed an open item in
    every pack, the header said "1 last count differing from the book", and neither the open
    item nor the DARF line named who verified it."""
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist), recount=False)
    clock.set_date(date(2026, 3, 1))
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 3, 1))
    assert "Count difference" not in kinds(pack.open_items)
    result = pack.reconciliation
    to_review = [d for d in result.to_review if d.subject == "K0005"]
    assert to_review == []  # the same rule: nothing to review, nothing open
    (record,) = [d for d in result.discrepancies if d.subject == "K0005"]
    verifier = reconciliation_name(ctx, "tech")
    assert f"verified by {verifier}" in record.message
    (check,) = [c for c in result.counts if c.kit == "K0005"]
    assert check.adjusted and not check.unresolved
    assert check not in result.count_differences
    assert "last count differing" not in result.physical
    assert f"adjusted, verified by {verifier}" in check.verdict
    lines = [line for darf in pack.darfs for line in darf.lines if "K0005" in line.kits]
    (adjustment,) = [line for line in lines if line.kind.value == "adjust"]
    assert adjustment.note.endswith(f", verified by {reconciliation_initials(ctx, 'tech')}")


def reconciliation_name(ctx: Context, username: str) -> str:
    from sqlalchemy import select

    from dispensary.db.engine import read_transaction
    from dispensary.db.models import User

    with read_transaction(ctx.engine) as session:
        return str(session.scalar(select(User.full_name).where(User.username == username)))


def reconciliation_initials(ctx: Context, username: str) -> str:
    from sqlalchemy import select

    from dispensary.db.engine import read_transaction
    from dispensary.db.models import User

    with read_transaction(ctx.engine) as session:
        return str(session.scalar(select(User.initials).where(User.username == username)))


def test_a_count_difference_left_open_is_an_open_item_until_the_kit_is_counted_again(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """The pack's open items and the reconciliation's "to review" follow one rule: a count
    recorded as counted, not adjusted, is open while it is the kit's last count."""
    from dispensary.services import dashboard

    counts.record_count(ctx, pharmacist, "K0005", 20, pw(pharmacist))  # open: not adjusted
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 5))
    [item] = [i for i in pack.open_items if i.subject == "K0005"]
    assert item.kind == "Count difference" and "not adjusted" in item.detail
    assert [d.subject for d in pack.reconciliation.to_review if d.subject == "K0005"] == ["K0005"]
    assert "1 last count differing from the book" in pack.reconciliation.physical
    today = dashboard.dashboard(ctx, monitor)
    assert [d.kind.value for d in today.discrepancies if d.subject == "K0005"] == ["count_open"]
    counts.record_count(ctx, pharmacist, "K0005", 21, pw(pharmacist))  # the recount agrees
    pack = report_data.monitor_pack(ctx, monitor, date(2026, 1, 1), date(2026, 1, 5))
    assert [i for i in pack.open_items if i.subject == "K0005"] == []
    assert [d for d in pack.reconciliation.to_review if d.subject == "K0005"] == []
    today = dashboard.dashboard(ctx, monitor)
    assert [d for d in today.discrepancies if d.subject == "K0005"] == []


def test_a_return_overdue_and_a_kit_expired_in_stock_are_open_in_the_pack(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """The reconciliation listed "Return overdue 01-001" and the pack's open items did not.
    Each kind of the reconciliation's findings is open in the pack as it is, under another
    open item's kind that reads it where it is kept, or deliberately no open item."""
    from dispensary.domain.codes import DiscrepancyKind

    dispense(ctx, pharmacist, pw(pharmacist), enrolled)
    clock.set_date(date(2027, 1, 10))  # the cycle's return long overdue; lot L2 expired
    result = reconciliation.reconcile(ctx, monitor)
    expected = [
        (d.kind.label, d.subject, d.message)
        for d in result.discrepancies
        if d.kind in (DiscrepancyKind.RETURN_OVERDUE, DiscrepancyKind.EXPIRED_IN_STOCK)
    ]
    assert {kind for kind, _subject, _message in expected} == {
        "Return overdue",
        "Expired in stock",
    }
    pack = report_data.monitor_pack(ctx, monitor, date(2027, 1, 1), date(2027, 1, 10))
    listed = [(i.kind, i.subject, i.detail) for i in pack.open_items]
    assert sorted(item for item in listed if item in expected) == sorted(expected), listed
    assert ("Return overdue", enrolled) in [(i.kind, i.subject) for i in pack.open_items]
    # Every kind: open as it is, open under its own kind, or a record.
    as_is = {k for k in DiscrepancyKind if k.label in report_data.OPEN_KINDS}
    elsewhere = {
        DiscrepancyKind.QUARANTINE_OPEN: "Quarantine awaiting decision",
        DiscrepancyKind.ADHERENCE: "Unexplained adherence flag",
        DiscrepancyKind.COUNT_OPEN: "Count difference",
    }
    assert set(elsewhere.values()) <= set(report_data.OPEN_KINDS)
    not_open = {k for k in DiscrepancyKind if not k.to_review}
    assert as_is | elsewhere.keys() | not_open == set(DiscrepancyKind)
    assert not_open == {DiscrepancyKind.COUNT_DIFFERENCE}
