"""services.labels: the reprint rule and the one failure policy of a label print, enforced by
the service whatever front end asks (issue 10: no longer only in the command line and the
reports screen)."""

from __future__ import annotations

import errno
from collections.abc import Callable

import pytest

import signed
from dispensary.domain.errors import NotFound
from dispensary.services import dispensing, labels, quarantine, returns
from dispensary.services.context import Actor, Context
from dispensary.services.labels import (
    MarkedOtherwise,
    PrintedMeanwhile,
    PrintRefused,
    ReasonWithoutReprint,
    ReprintReasonMissing,
)
from dispensary.services.results import DispenseResult

from .conftest import Stock

PDF = b"%PDF-1.4 a label"


def test_a_reprint_without_its_reason_is_refused_by_the_service_and_nothing_is_recorded(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    labels.record_label_print(ctx, technician, "kit", ["K0001"], False, "thermal-4x2")
    before = snapshot(ctx)
    for reason in ("", "   "):
        with pytest.raises(ReprintReasonMissing, match="recorded with its reason"):
            labels.record_label_print(ctx, technician, "kit", ["K0001"], True, "x", reason)
    with pytest.raises(PrintRefused, match="print it as a reprint") as unmarked:
        labels.record_label_print(ctx, technician, "kit", ["K0001"], False)
    assert unmarked.value.printed == ("K0001",)
    with pytest.raises(ReasonWithoutReprint):
        labels.record_label_print(ctx, technician, "kit", ["K0002"], False, reason="why not")

    plan = labels.plan_print(ctx, technician, "kit", ["k0001"], "thermal-4x2")
    assert plan.reprint and plan.items == ("K0001",)  # the records decide: a reprint
    drawn: list[labels.PrintPlan] = []

    def draw(p: labels.PrintPlan) -> bytes:
        drawn.append(p)
        return PDF

    with pytest.raises(ReprintReasonMissing):
        labels.print_labels(ctx, technician, plan, draw, lambda pdf: True, reason=None)
    assert drawn == []  # refused before anything was drawn
    assert snapshot(ctx) == before

    row = labels.print_labels(ctx, technician, plan, draw, lambda pdf: True, "label torn")
    assert row is not None and row.reprint and drawn == [plan]


def test_one_print_is_all_first_prints_or_all_reprints(
    ctx: Context, stock: Stock, technician: Actor
) -> None:
    labels.record_label_print(ctx, technician, "kit", ["K0001"], False)
    with pytest.raises(PrintRefused, match="1 of these 2 kit labels were printed before"):
        labels.plan_print(ctx, technician, "kit", ["K0001", "K0002"])
    with pytest.raises(PrintRefused, match="has not been printed yet") as asked:
        labels.plan_print(ctx, technician, "kit", ["K0002"], reprint=True)
    assert asked.value.fresh == ("K0002",)


def test_a_failed_render_or_write_records_nothing(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    plan = labels.plan_print(ctx, technician, "kit", ["K0001", "K0002"], "a4-sheet")
    before = snapshot(ctx)

    def broken_renderer(p: labels.PrintPlan) -> bytes:
        raise RuntimeError("the renderer broke")

    with pytest.raises(RuntimeError):
        labels.print_labels(ctx, technician, plan, broken_renderer, lambda pdf: True)

    def full_disk(pdf: bytes) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        labels.print_labels(ctx, technician, plan, lambda p: PDF, full_disk)
    assert labels.print_labels(ctx, technician, plan, lambda p: PDF, lambda pdf: False) is None
    assert snapshot(ctx) == before  # failed, or cancelled: nothing recorded
    assert labels.already_printed(ctx, technician, "kit", ["K0001", "K0002"]) == []


def test_a_print_whose_record_is_refused_is_withdrawn(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor
) -> None:
    plan = labels.plan_print(ctx, technician, "kit", ["K0003"])
    withdrawn: list[bool] = []

    def written_while_another_workstation_prints(pdf: bytes) -> bool:
        labels.record_label_print(ctx, pharmacist, "kit", ["K0003"], False)
        return True

    with pytest.raises(PrintRefused, match="printed before"):
        labels.print_labels(
            ctx,
            technician,
            plan,
            lambda p: PDF,
            written_while_another_workstation_prints,
            withdraw=lambda: withdrawn.append(True),
        )
    assert withdrawn == [True]
    with pytest.raises(PrintedMeanwhile, match="make it again"):  # and caught before output
        labels.confirm(ctx, technician, plan)


def test_no_dispensing_label_for_a_bottle_back_or_a_voided_dispense(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    snapshot: Callable[[Context], object],
) -> None:
    """Issue 12: a dispensing label could be reprinted for a bottle already back in the pharmacy."""
    number = cycle1.number
    assert labels.plan_print(ctx, pharmacist, "dispense", [number]).items == (number,)
    kit = cycle1.kits[0].kit
    returns.record_return(ctx, pharmacist, kit, 3, pw(pharmacist), dispense=number)
    before = snapshot(ctx)
    for kind in ("dispense", "leaflet"):
        with pytest.raises(labels.NoLabelForKit, match="came back"):
            labels.plan_print(ctx, pharmacist, kind, [number])
    assert snapshot(ctx) == before


def test_a_kit_not_brought_back_keeps_its_label(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    kit = cycle1.kits[0].kit
    returns.record_return(
        ctx, pharmacist, kit, 0, pw(pharmacist), dispense=cycle1.number, outcome="not_brought_back"
    )
    assert labels.plan_print(ctx, pharmacist, "dispense", [cycle1.number]).items


def test_no_label_for_a_voided_dispense(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "wrong participant", pw(pharmacist))
    with pytest.raises(labels.NoLabelForKit, match="was voided"):
        labels.plan_print(ctx, pharmacist, "dispense", [cycle1.number])


def test_kit_labels_whose_quarantine_mark_is_no_longer_right_are_refused_before_any_print(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    pharmacist: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    """A relabel planned while the kit was quarantined (its PDF says QUARANTINED: DO NOT
    DISPENSE) and printed once the kit was released put the quarantine mark on it again, and
    was recorded as its relabel 'released from quarantine'; a label planned before a
    quarantine went out unmarked."""
    quarantine.quarantine(ctx, technician, ["K0001"], "box crushed")
    labels.record_label_print(ctx, technician, "kit", ["K0001"], False, "thermal-4x2")
    stale = labels.plan_print(ctx, technician, "kit", ["K0001"], "thermal-4x2")
    assert stale.reprint and stale.quarantined == ("K0001",)
    unmarked = labels.plan_print(ctx, technician, "kit", ["K0002"], "thermal-4x2")
    released = signed.release(ctx, pharmacist, ["K0001"], "sponsor: use", "TE-2026-014")
    quarantine.quarantine(ctx, technician, ["K0002"], "box crushed")
    assert released.relabel == ("K0001",)
    before = snapshot(ctx)
    drawn: list[labels.PrintPlan] = []

    def draw(p: labels.PrintPlan) -> bytes:
        drawn.append(p)
        return PDF

    reason = labels.RELEASED_REASON
    with pytest.raises(MarkedOtherwise, match="K0001 was released from quarantine after this"):
        labels.print_labels(ctx, technician, stale, draw, lambda pdf: True, reason)
    with pytest.raises(MarkedOtherwise, match="K0002 was quarantined after this PDF"):
        labels.still_current(ctx, technician, unmarked)
    with pytest.raises(MarkedOtherwise, match="K0002 was quarantined after this PDF"):
        labels.print_labels(ctx, technician, unmarked, draw, lambda pdf: True)
    assert drawn == [] and snapshot(ctx) == before

    fresh = labels.plan_print(ctx, technician, "kit", ["K0001"], "thermal-4x2")
    assert fresh.reprint and fresh.quarantined == ()
    assert labels.still_current(ctx, technician, fresh) is fresh
    row = labels.print_labels(ctx, technician, fresh, draw, lambda pdf: True, reason)
    assert row is not None and row.reprint and drawn == [fresh]


def test_a_dispensing_label_planned_before_its_dispense_was_voided_is_neither_printed_nor_recorded(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    snapshot: Callable[[Context], object],
) -> None:
    """Its preview open (Reports and labels, the counter's), another workstation voided the
    dispense: Print still printed the label and recorded "Labels printed" after "Dispense
    voided". The rule the plan was checked by is asked again just before the print goes out,
    and inside the write that records it."""
    number = cycle1.number
    plans = {
        kind: labels.plan_print(ctx, pharmacist, kind, [number]) for kind in ("dispense", "leaflet")
    }
    dispensing.void_dispense(ctx, pharmacist, number, "wrong participant", pw(pharmacist))
    before = snapshot(ctx)
    drawn: list[labels.PrintPlan] = []

    def draw(p: labels.PrintPlan) -> bytes:
        drawn.append(p)
        return PDF

    for kind, plan in plans.items():
        with pytest.raises(labels.NoLabelForKit, match=f"Dispense {number} was voided"):
            labels.still_current(ctx, pharmacist, plan)
        with pytest.raises(labels.NoLabelForKit, match="was voided"):
            labels.print_labels(ctx, pharmacist, plan, draw, lambda pdf: True)
        with pytest.raises(labels.NoLabelForKit, match="was voided"):  # the record alone, too
            labels.record_label_print(ctx, pharmacist, kind, [number], False)
    assert drawn == [] and snapshot(ctx) == before
    assert labels.already_printed(ctx, pharmacist, "dispense", [number]) == []


def test_a_dispensing_label_whose_bottles_came_back_after_its_plan_is_refused_as_it_goes_out(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    snapshot: Callable[[Context], object],
) -> None:
    number = cycle1.number
    plan = labels.plan_print(ctx, pharmacist, "dispense", [number])
    for given in cycle1.kits:
        returns.record_return(ctx, pharmacist, given.kit, 3, pw(pharmacist), dispense=number)
    before = snapshot(ctx)
    went: list[bytes] = []

    def out(pdf: bytes) -> bool:
        went.append(pdf)
        return True

    with pytest.raises(labels.NoLabelForKit, match="came back"):
        labels.print_labels(ctx, pharmacist, plan, lambda p: PDF, out)
    with pytest.raises(labels.NoLabelForKit, match="came back"):
        labels.record_label_print(ctx, pharmacist, "dispense", [number], False)
    assert went == [] and snapshot(ctx) == before


def test_a_label_print_recorded_for_a_dispense_not_on_record_is_refused(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor
) -> None:
    with pytest.raises(NotFound, match="There is no dispense 'DSP999999'"):
        labels.record_label_print(ctx, pharmacist, "dispense", ["DSP999999"], False)
    with pytest.raises(NotFound):
        labels.record_label_print(ctx, pharmacist, "kit", ["K9999"], False)
