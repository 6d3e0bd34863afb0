"""A kit whose last count differs from the book, neither adjusted nor counted again, holds what
nobody knows: it is neither dispensed (scanned, or proposed by first expiry first out) nor
destroyed from the shelf until the difference is settled; nothing is written by a refusal. A
recount that agrees with the book settles it, and the kit goes out again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.codes import DestructionReason
from dispensary.domain.errors import RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import counts, destruction, dispensing, returns
from dispensary.services.assessment import DestroyCheck, DestroyRequest, DispenseCheck
from dispensary.services.assessment.dispense import DispenseRequest
from dispensary.services.context import Actor, Context

from .conftest import Stock
from .helpers import TECH_PASSWORD, dispense, receive, scalar, write_off

Password = Callable[[Actor], str]
HELD = (
    "Kit K0011 has a count difference not adjusted: 20 counted, 21 in the book. Recount the kit "
    "or record the adjustment first: Physical count (Ctrl+7), or count K0011 on the command line."
)


def open_count(ctx: Context, actor: Actor, password: str, kit: str = "K0011") -> None:
    """K0011 (lot L2, the first expiry) counted 20 against a book of 21, left open."""
    result = counts.record_count(ctx, actor, kit, 20, password)
    assert result.open


def rows(ctx: Context) -> tuple[int, int, int, int]:
    """What a refusal must not have written: dispenses, destructions, ledger and audit rows."""
    return tuple(  # type: ignore[return-value]
        scalar(ctx, f"SELECT COUNT(*) FROM {table}")
        for table in ("dispenses", "destructions", "ledger_entries", "audit_entries")
    )


def test_a_kit_scanned_with_an_open_difference_is_refused_naming_the_figures(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    open_count(ctx, pharmacist, pw(pharmacist))
    before = rows(ctx)
    request = DispenseRequest(enrolled, 1, date(2026, 1, 5), kits=("K0011",))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    [verdict] = found.kits
    assert not verdict.accepted and verdict.message == HELD
    assert [r.message for r in found.refusals if r.code is DispenseCheck.KIT] == [HELD]
    with pytest.raises(RuleViolation) as refused:
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0011"])
    assert HELD in refused.value.message
    assert rows(ctx) == before
    with speaking(Language.ZH_CN):
        found = dispensing.assess_dispense(ctx, pharmacist, request)
    assert found.kits[0].message == (
        "药盒 K0011 有未调整的盘点差异：盘点 20，账面 21。请先重新盘点该药盒或登记调整："
        "盘点（Ctrl+7），或在命令行 count K0011。"
    )


def test_first_expiry_first_out_passes_over_a_kit_with_an_open_difference(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """K0011 would go first (lot L2 expires first): K0012 is proposed and dispensed instead,
    and scanning K0012 is not warned of K0011 as the first expiry skipped."""
    open_count(ctx, pharmacist, pw(pharmacist))
    request = DispenseRequest(enrolled, 1, date(2026, 1, 5))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    assert [k.number for k in found.proposed] == ["K0012"] and not found.refused
    scanned = dispensing.assess_dispense(
        ctx, pharmacist, DispenseRequest(enrolled, 1, date(2026, 1, 5), kits=("K0012",))
    )
    assert not scanned.refused and not scanned.warnings
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert [k.kit for k in result.kits] == ["K0012"]


def test_no_other_kit_left_names_the_kit_held(
    ctx: Context, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    receive(ctx, pharmacist, "K0011-K0011", "L2")
    open_count(ctx, pharmacist, pw(pharmacist))
    found = dispensing.assess_dispense(
        ctx, pharmacist, DispenseRequest(enrolled, 1, date(2026, 1, 5))
    )
    short = [r.message for r in found.refusals if r.code is DispenseCheck.STOCK_SHORT]
    assert short[-1] == HELD and len(short) == 2 and "Not enough" in short[0]
    assert found.proposed == ()


def test_a_kit_with_an_open_difference_is_not_destroyed_nothing_written(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    open_count(ctx, pharmacist, pw(pharmacist))
    before = rows(ctx)
    request = DestroyRequest(
        ("K0011", "K0012"),
        "tech",
        "incineration",
        reference="AUTH-1",
        reason_code=DestructionReason.STUDY_CLOSED,
    )
    found = destruction.assess_destroy(ctx, pharmacist, request)
    held, other = found.kits
    assert (held.accepted, held.message, other.accepted) == (False, HELD, True)
    assert [(r.code, r.message) for r in found.refusals] == [(DestroyCheck.KIT, HELD)]
    with pytest.raises(RuleViolation) as refused:
        destruction.destroy(
            ctx,
            pharmacist,
            ["K0011", "K0012"],
            "tech",
            "incineration",
            pw(pharmacist),
            reference="AUTH-1",
            reason_code=DestructionReason.STUDY_CLOSED,
            witness_password=TECH_PASSWORD,
        )
    assert refused.value.message == HELD
    assert rows(ctx) == before


def test_an_adjusted_difference_no_longer_holds_the_kit(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    write_off(ctx, pharmacist, "K0011", 20, pw(pharmacist))
    request = DispenseRequest(enrolled, 1, date(2026, 1, 5), kits=("K0011",))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    assert found.kits[0].accepted  # 20 tablets: short of the cycle's 21, but it may go


def test_a_recount_that_agrees_settles_it_and_the_kit_goes_out(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """End to end: counted open, refused, counted again (21, as the book), dispensed; its
    return is recorded into the kit as before."""
    open_count(ctx, pharmacist, pw(pharmacist))
    with pytest.raises(RuleViolation):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0011"])
    again = counts.record_count(ctx, pharmacist, "K0011", 21, pw(pharmacist))
    assert not again.open and again.recount_of is not None
    result = dispense(ctx, pharmacist, pw(pharmacist))  # first expiry first out: K0011 again
    assert [k.kit for k in result.kits] == ["K0011"]
    back = returns.record_return(
        ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense=result.number
    )
    assert back.kit == "K0011"
