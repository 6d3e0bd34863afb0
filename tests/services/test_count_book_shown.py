"""An adjustment is signed against the book the counter was shown (`expected_book`): when another
workstation recorded the kit between the assessment shown and the save, the book is no longer
that one and the difference signed for would not be the difference written. The save is
refused (book_changed), nothing written; the counter counts again or reviews the kit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dispensary.domain.audit_actions import field_name, name_of
from dispensary.domain.errors import Conflict
from dispensary.i18n import Language, speaking
from dispensary.services import audit, counts, queries, reconciliation
from dispensary.services.assessment import CountCheck, CountRequest
from dispensary.services.context import Actor, Context

from .conftest import Stock

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
ADJUST = {
    "reason_code": "miscount",
    "reason": "one tablet short",
    "verified_by": "pharm",
    "verifier_password": "pharm-pass-1",
}
SETTLED = (
    "Kit K0001 has no count open against the book 21 given: another workstation may have "
    "counted the kit since it was shown. Nothing was written: count the kit again (blind), "
    "or review its history."
)
CHANGED = (
    "The book of kit K0001 changed from 21 to 19 since it was shown: another workstation "
    "recorded the kit since (counted, 2026-01-05). Nothing was written: count the kit again, "
    "or review its history."
)


def shown(ctx: Context, technician: Actor, pw: Password) -> int:
    """K0001 counted 20 against a book of 21, left open: the record shows the book (21); the
    assessment the window shows then, with the adjustment given, is accepted against it."""
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))
    assert first.open and first.book == 21
    request = CountRequest(
        "K0001", 20, "miscount", "one tablet short", "pharm", expected_book=first.book
    )
    found = counts.assess_count(ctx, technician, request)
    assert found.accepted and (found.book, found.difference) == (21, -1)
    assert found.recount_of == first.count_id
    return first.book


def elsewhere(ctx: Context, pharmacist2: Actor, pw: Password) -> None:
    """Another workstation (another person, its own transaction) counts the kit again at 19
    and adjusts the book to it: the book is 19 now."""
    other = counts.record_count(
        ctx,
        pharmacist2,
        "K0001",
        19,
        pw(pharmacist2),
        reason_code="breakage",
        reason="two crushed",
        verified_by="pharm",
        verifier_password="pharm-pass-1",
    )
    assert other.adjusted and other.book == 21


def adjust(ctx: Context, technician: Actor, pw: Password, book: int) -> None:
    """The counter signs the adjustment of the count shown (20, against the book shown)."""
    counts.record_count(ctx, technician, "K0001", 20, pw(technician), expected_book=book, **ADJUST)


def adjusting(book: int) -> CountRequest:
    """The assessment the window asks for of that adjustment, against the book shown."""
    return CountRequest("K0001", 20, "miscount", "x", "pharm", expected_book=book)


def in_chinese(ctx: Context, technician: Actor, book: int) -> str:
    """The assessment's first refusal, read in Chinese."""
    with speaking(Language.ZH_CN):
        return counts.assess_count(ctx, technician, adjusting(book)).refusals[0].message


def test_a_count_adjusted_elsewhere_between_the_assessment_and_the_save_is_refused(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The other workstation's adjustment settled the count shown: none is open now, so the
    next count is blind and the refusal does not tell the book (19)."""
    book = shown(ctx, technician, pw)
    elsewhere(ctx, pharmacist2, pw)
    with refused(ctx, Conflict, SETTLED) as refusal:
        adjust(ctx, technician, pw, book)
    assert refusal.value.message == SETTLED and "19" not in SETTLED
    assert queries.kit_detail(ctx, technician, "K0001").tablets == 19  # as the other wrote it
    # The assessment says it too, with its code: what a screen or a script acts on.
    found = counts.assess_count(ctx, technician, adjusting(book))
    assert [(r.code, r.message) for r in found.refusals] == [(CountCheck.BOOK_CHANGED, SETTLED)]
    assert not found.accepted and found.book is None
    assert in_chinese(ctx, technician, book) == (
        "药盒 K0001 现在没有对照所给账面数 21 的未结盘点：在显示账面数之后，另一台工作站可能"
        "已盘点过该药盒。未写入任何内容：请重新盘点该药盒（盲态盘点），或先查看其历史记录。"
    )


def test_a_count_settled_elsewhere_as_the_book_is_refused(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Another workstation counted the kit again and it matched the book: the book is the one
    shown, but the count it was shown with is settled; the adjustment is not written as a
    blind count of its own."""
    book = shown(ctx, technician, pw)
    assert not counts.record_count(ctx, pharmacist2, "K0001", 21, pw(pharmacist2)).open
    with refused(ctx, Conflict, SETTLED):
        adjust(ctx, technician, pw, book)


def test_a_book_changed_under_a_count_still_open_names_both_books(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    pharmacist2: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The other workstation adjusted the book to 19, then counted 18 and left that open: a
    count is open (its record showed 19), and the refusal names the book shown and the book."""
    book = shown(ctx, technician, pw)
    elsewhere(ctx, pharmacist2, pw)
    assert counts.record_count(ctx, pharmacist2, "K0001", 18, pw(pharmacist2)).open
    with refused(ctx, Conflict, CHANGED):
        adjust(ctx, technician, pw, book)
    assert in_chinese(ctx, technician, book) == (
        "药盒 K0001 的账面数在显示之后已从 21 变为 19：另一台工作站此后登记了该药盒（已盘点，"
        "2026-01-05）。未写入任何内容：请重新盘点该药盒，或先查看其历史记录。"
    )


@pytest.mark.parametrize("expected", [21, None])
def test_the_book_still_the_one_shown_is_adjusted_as_signed(
    ctx: Context, stock: Stock, technician: Actor, pw: Password, expected: int | None
) -> None:
    book = shown(ctx, technician, pw)
    assert book == 21
    done = counts.record_count(
        ctx, technician, "K0001", 20, pw(technician), expected_book=expected, **ADJUST
    )
    assert done.adjusted and (done.book, done.difference) == (21, -1)
    assert queries.kit_detail(ctx, technician, "K0001").tablets == 20


def test_an_open_count_adjusted_by_the_record_that_follows_it_reads_adjusted(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor, pw: Password
) -> None:
    """The figure of an open count given again with its reason code and second person is that
    difference's adjustment: the reconciliation said of the open count "not adjusted: counted
    again". A different figure is a count again, as before."""
    first = counts.record_count(ctx, technician, "K0001", 20, pw(technician))  # book 21 shown
    assert first.open
    done = counts.record_count(
        ctx, technician, "K0001", 20, pw(technician), expected_book=21, **ADJUST
    )
    assert done.adjusted and done.recount_of == first.count_id
    counts.record_count(ctx, technician, "K0002", 19, pw(technician))  # open, then counted 20
    counts.record_count(ctx, technician, "K0002", 20, pw(technician), expected_book=21, **ADJUST)
    # The trail names the adjustment as such, of the open count; a different figure stays a
    # recount (a count of its own).
    [adjusting] = audit.list_entries(ctx, pharmacist, action="count_adjusted")
    assert adjusting.entity_id == "K0001"
    assert (
        f'"adjustment_of":{first.count_id}' in adjusting.new and "recount_of" not in adjusting.new
    )
    [recount] = [
        e
        for e in audit.list_entries(ctx, pharmacist, action="count")
        if '"recount_of":' in e.new and '"recount_of":null' not in e.new
    ]
    assert recount.entity_id == "K0002" and '"adjusted":true' in recount.new
    with speaking(Language.ZH_CN):
        assert name_of("count_adjusted") == "盘点差异已调整"
        assert field_name("adjustment_of") == "所调整的盘点"
    said = {
        kit: [d.message for d in reconciliation.reconcile(ctx, pharmacist).discrepancies
              if d.subject == kit]
        for kit in ("K0001", "K0002")
    }  # fmt: skip
    # One difference, adjusted: one finding (test_reconcile_count_adjusted_once).
    assert said["K0001"] == [
        "Count of kit K0001 on 2026-01-05: 20 tablets counted, 21 tablets in the book (-1); adjusted on "
        "2026-01-05 by the record that followed it (the same figure), with reason 'miscount: "
        "one tablet short', verified by Paula Pharm."
    ]
    assert said["K0002"][0].endswith("not adjusted: counted again on 2026-01-05.")
    with speaking(Language.ZH_CN):
        [chinese] = [
            d.message
            for d in reconciliation.reconcile(ctx, pharmacist).discrepancies
            if d.subject == "K0001"
        ]
    assert chinese == (
        "药盒 K0001 于 2026-01-05 的盘点：盘点数 20 片，账面 21 片（-1）；已于 2026-01-05 由其后的"
        "记录（同一盘点数）按原因“计数错误：one tablet short”调整，由 Paula Pharm 核对。"
    )
