"""An adjustment of an open count is checked against the count shown, and the book shown with
it: the book given is compared with the book recorded with the open count, so a figure typed
wrong is said to be one (not blamed on another workstation); a book given with no count open,
and none settled since, is no adjustment (no_open_count); and the open count the request
adjusts (`adjusting_count`) must still be the kit's open count: another workstation's recount
since refuses it (book_changed), nothing written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dispensary.domain.errors import Conflict, InvalidInput
from dispensary.i18n import Language, speaking
from dispensary.services import counts, queries, reconciliation
from dispensary.services.assessment import CountRequest
from dispensary.services.context import Actor, Context

from .conftest import Stock
from .helpers import ADJUSTED

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def codes(ctx: Context, actor: Actor, request: CountRequest) -> list[tuple[str, str]]:
    found = counts.assess_count(ctx, actor, request)
    return [(r.code.value, r.message) for r in found.refusals]


def test_a_book_typed_wrong_is_said_so_not_blamed_on_another_workstation(
    ctx: Context, stock: Stock, technician: Actor, pw: Password, refused: Refused
) -> None:
    """K0001 counted 20 against a book of 21, open; the adjustment given 22 as the book: the
    book was 21 all along, nothing recorded since."""
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))
    assert first.open and first.book == 21
    said = (
        "The book of kit K0001 shown with the count of 2026-01-05 was 21, not 22. Nothing was "
        "written: give the book the count showed (21), or count the kit again."
    )
    with refused(ctx, InvalidInput, said):
        counts.record_count(
            ctx, technician, "K0001", 20, pw(technician), expected_book=22, **ADJUSTED
        )
    for count in (None, first.count_id):
        request = CountRequest("K0001", 20, "breakage", "x", "pharm", None, 22, count)
        assert codes(ctx, technician, request) == [("book_changed", said)]
        assert "another workstation" not in said
    with speaking(Language.ZH_CN):
        [chinese] = counts.assess_count(ctx, technician, request).refusals
    assert chinese.message == (
        "随 2026-01-05 的盘点显示的药盒 K0001 账面数为 21，而不是 22。未写入任何内容：请给出该盘点"
        "显示的账面数（21），或重新盘点该药盒。"
    )


def test_a_book_given_with_no_count_open_and_none_settled_is_no_adjustment(
    ctx: Context, stock: Stock, technician: Actor, pw: Password, refused: Refused
) -> None:
    """K0002 was never counted: nobody counted it since; a book given is refused as no
    adjustment at all (no_open_count), not blamed on another workstation."""
    said = (
        "Kit K0002 has no count open to adjust: the book (--expected-book) and the open count "
        "(--adjusting-count) are given only to adjust a count recorded open, whose record "
        "showed the book. Nothing was written: count the kit without them (the count is blind)."
    )
    with refused(ctx, InvalidInput, said):
        counts.record_count(ctx, technician, "K0002", 20, pw(technician), expected_book=21)
    request = CountRequest("K0002", 20, expected_book=21)
    assert codes(ctx, technician, request) == [("no_open_count", said)]
    with speaking(Language.ZH_CN):
        [chinese] = counts.assess_count(ctx, technician, request).refusals
    assert chinese.message == (
        "药盒 K0002 没有可调整的未结盘点：账面数（--expected-book）和未结盘点（--adjusting-count）"
        "仅用于调整已登记为未结、其记录已显示账面数的盘点。未写入任何内容：请不带这两项盘点该药盒"
        "（盲态盘点）。"
    )
    # Counted blind, it is recorded.
    assert counts.record_count(ctx, technician, "K0002", 21, pw(technician)).book == 21


def test_an_adjustment_of_a_count_recounted_elsewhere_since_is_refused(
    ctx: Context,
    stock: Stock,
    pharmacist2: Actor,
    technician: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """pharmacist2 counts K0001 at 20 (book 21), open; the technician counts it again at 19
    (the book still 21): the open count is the technician's now. pharmacist2's adjustment of
    the count shown (20, its number given) is refused, nothing written; the book stays 21."""
    first = counts.record_count(ctx, pharmacist2, "K0001", 20, pw(pharmacist2))
    assert first.open and first.book == 21
    again = counts.record_count(ctx, technician, "K0001", 19, pw(technician))
    assert again.open and again.book == 21
    said = (
        f"The open count of kit K0001 is no longer count {first.count_id}, the one shown: "
        f"another workstation counted the kit again since (count {again.count_id}: 19 counted "
        "on 2026-01-05, 21 in the book). Nothing was written: review the kit's history, then "
        "adjust its open count or count the kit again."
    )
    with refused(ctx, Conflict, said):
        counts.record_count(
            ctx,
            pharmacist2,
            "K0001",
            20,
            pw(pharmacist2),
            expected_book=21,
            adjusting_count=first.count_id,
            **ADJUSTED,
        )
    request = CountRequest("K0001", 20, "breakage", "x", "pharm", None, 21, first.count_id)
    assert codes(ctx, pharmacist2, request) == [("book_changed", said)]
    assert queries.kit_detail(ctx, pharmacist2, "K0001").tablets == 21
    with speaking(Language.ZH_CN):
        [chinese] = counts.assess_count(ctx, pharmacist2, request).refusals
    assert chinese.message == (
        f"药盒 K0001 的未结盘点已不再是所显示的盘点 {first.count_id}：此后另一台工作站重新盘点了"
        f"该药盒（盘点 {again.count_id}：2026-01-05 盘点 19，账面 21）。未写入任何内容：请先查看"
        "该药盒的历史记录，再调整其未结盘点或重新盘点该药盒。"
    )
    # The count open now, named: adjusted as signed; the later count is not left "counted
    # again" under an adjustment of the earlier one.
    done = counts.record_count(
        ctx,
        pharmacist2,
        "K0001",
        19,
        pw(pharmacist2),
        expected_book=21,
        adjusting_count=again.count_id,
        **ADJUSTED,
    )
    assert done.adjusted and done.book == 21
    assert queries.kit_detail(ctx, pharmacist2, "K0001").tablets == 19
    said_of = [
        d.message
        for d in reconciliation.reconcile(ctx, pharmacist).discrepancies
        if d.subject == "K0001"
    ]
    assert not any("19 counted" in m and "not adjusted" in m for m in said_of), said_of


def test_an_adjustment_of_a_count_settled_since_is_refused_without_the_book(
    ctx: Context, stock: Stock, technician: Actor, pharmacist2: Actor, pw: Password
) -> None:
    """The count shown (by number) was settled elsewhere (counted again, matching the book):
    refused as book_changed, the book not told."""
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))
    assert not counts.record_count(ctx, pharmacist2, "K0001", 21, pw(pharmacist2)).open
    request = CountRequest("K0001", 20, "breakage", "x", "pharm", None, 21, first.count_id)
    [(code, message)] = codes(ctx, technician, request)
    assert code == "book_changed" and "may have counted the kit since" in message
