"""Physical counts: blind; a difference needs a reason code, a reason and a second signature."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.i18n import Language, speaking
from dispensary.services import (
    audit,
    counts,
    dashboard,
    quarantine,
    queries,
    reconciliation,
    returns,
)
from dispensary.services.assessment import CountCheck
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import P75, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def count(
    ctx: Context,
    actor: Actor,
    password: str,
    counted: int,
    kit: str = "K0001",
    **options: Any,
) -> Any:
    return counts.record_count(ctx, actor, kit, counted, password, **options)


def test_count_that_matches_the_book(
    ctx: Context, stock: Stock, technician: Actor, pw: Password
) -> None:
    result = count(ctx, technician, pw(technician), 21)
    assert (result.kit, result.counted, result.book, result.difference, result.adjusted) == (
        "K0001",
        21,
        21,
        0,
        False,
    )
    assert [r.kind for r in queries.ledger_rows(ctx, technician)].count("adjust") == 0
    # The counter alone signed: "counted", not "count verified" (a second person's meaning).
    assert scalar(ctx, "SELECT meaning FROM signatures WHERE record_type = 'count'") == "counted"
    found = reconciliation.reconcile(ctx, technician).discrepancies
    assert [d for d in found if d.kind == "count_difference"] == []
    [entry] = audit.list_entries(ctx, technician, action="count")
    assert '"difference":0' in entry.new


def test_difference_is_adjusted_with_reason_and_second_signature(
    ctx: Context, stock: Stock, technician: Actor, pw: Password
) -> None:
    result = count(
        ctx,
        technician,
        pw(technician),
        19,
        reason_code="breakage",
        reason="two crushed in the bottle",
        verified_by="pharm",
        verifier_password="pharm-pass-1",
    )
    assert (result.book, result.difference, result.adjusted) == (21, -2, True)
    last = queries.ledger_rows(ctx, technician)[-1]
    assert (last.kind, last.quantity, last.kit, last.reason) == (
        "adjust",
        -2,
        "K0001",
        "breakage: two crushed in the bottle",
    )
    assert queries.kit_detail(ctx, technician, "K0001").tablets == 19
    meanings = scalar(ctx, "SELECT COUNT(*) FROM signatures WHERE record_type = 'count'")
    assert meanings == 2
    rec = reconciliation.reconcile(ctx, technician)
    [product] = [p for p in rec.products if p.key == P75]
    assert (product.adjusted, product.on_hand, product.balanced) == (2, 21 * 20 - 2, True)
    [finding] = [d for d in rec.discrepancies if d.kind == "count_difference"]
    assert (
        finding.subject == "K0001"
        and "19 tablets counted, 21 tablets in the book (-2)" in finding.message
    )
    assert audit.verify(ctx, technician).ok
    with speaking(Language.ZH_CN):
        [chinese] = [
            d
            for d in reconciliation.reconcile(ctx, technician).discrepancies
            if d.kind == "count_difference"
        ]
    assert "“破损：two crushed in the bottle”" in chinese.message, chinese.message
    # Listed for the record, not a finding to review: the Today screen counts the same.
    assert finding not in rec.to_review
    today = dashboard.dashboard(ctx, technician)
    assert today.discrepancies == rec.to_review


def test_a_count_is_not_dated_before_the_kit_was_received(
    ctx: Context, stock: Stock, technician: Actor, pw: Password, refused: Refused
) -> None:
    """Its adjustment would open the kit's log with a negative balance before the receipt."""
    day = ctx.clock.today()
    before = day - timedelta(days=3)
    with refused(
        ctx,
        RuleViolation,
        f"Kit K0001 was received on {day.isoformat()}: it cannot have been counted on "
        f"{before.isoformat()}",
    ):
        count(
            ctx,
            technician,
            pw(technician),
            20,
            reason_code="breakage",
            reason="crumbled",
            verified_by="pharm",
            verifier_password="pharm-pass-1",
            counted_on=before,
        )
    found = counts.assess_count(
        ctx, technician, counts.CountRequest("K0001", counted=21, counted_on=before)
    )
    assert [r.code for r in found.refusals] == [CountCheck.DATE]
    assert count(ctx, technician, pw(technician), 21, counted_on=day).book == 21


def test_a_count_is_not_dated_before_the_kits_last_movement(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Counted 19 on the 10th (the book adjusted -2), a count of 21 dated the 7th would write
    +2 on the 7th: the log would read 21, 23, 21."""
    received = ctx.clock.today()
    clock.set_date(received + timedelta(days=5))
    adjusted_on = received + timedelta(days=5)
    count(
        ctx,
        technician,
        pw(technician),
        19,
        reason_code="breakage",
        reason="two crushed",
        verified_by="pharm",
        verifier_password="pharm-pass-1",
        counted_on=adjusted_on,
    )
    earlier = received + timedelta(days=2)
    with refused(
        ctx,
        RuleViolation,
        f"Kit K0001 was counted on {adjusted_on.isoformat()}: it cannot have been counted on "
        f"{earlier.isoformat()}",
    ):
        count(
            ctx,
            technician,
            pw(technician),
            21,
            reason_code="found",
            reason="miscounted",
            verified_by="pharm",
            verifier_password="pharm-pass-1",
            counted_on=earlier,
        )


def lose(ctx: Context, actor: Actor, password: str, book: int, kit: str = "K0001") -> None:
    """Tablets of the kit written off as lost, down to `book`: a later count may find them."""
    count(
        ctx,
        actor,
        password,
        book,
        kit,
        reason_code="lost",
        reason="missing at the count",
        verified_by="tech",
        verifier_password="tech-pass-1",
    )


def test_tablets_found(ctx: Context, stock: Stock, pharmacist: Actor, pw: Password) -> None:
    lose(ctx, pharmacist, pw(pharmacist), 20)
    result = count(
        ctx,
        pharmacist,
        pw(pharmacist),
        21,
        reason_code="found",
        reason="loose tablet",
        verified_by="tech",
        verifier_password="tech-pass-1",
    )
    assert result.difference == 1
    assert queries.kit_detail(ctx, pharmacist, "K0001").tablets == 21


@pytest.mark.parametrize("book", [21, 18])
def test_a_count_above_the_tablets_received_is_refused_and_nothing_written(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password, refused: Refused, book: int
) -> None:
    if book != 21:
        lose(ctx, pharmacist, pw(pharmacist), book)
    for counted in (22, 500):
        with refused(
            ctx,
            RuleViolation,
            f"{counted} tablets counted in kit K0001, which was received with 21: a kit cannot "
            "hold more than it was received with. Count the tablets again; if it really holds "
            "more, quarantine it and ask the sponsor (its receipt's count would be wrong).",
        ):
            count(
                ctx,
                pharmacist,
                pw(pharmacist),
                counted,
                reason_code="found",
                reason="x",
                verified_by="tech",
                verifier_password="tech-pass-1",
            )
    assert queries.kit_detail(ctx, pharmacist, "K0001").tablets == book


@pytest.mark.parametrize(
    ("counted", "code"),
    [(21, "breakage"), (19, "lost"), (17, "found")],
)
def test_a_reason_code_that_goes_the_other_way_is_not_written_but_the_count_is(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password, counted: int, code: str
) -> None:
    """The figure counted is a fact: a reason code that cannot explain the difference keeps
    the book as it is, but the count is recorded (as counted, open) before its refusal tells
    which way the book lies."""
    lose(ctx, pharmacist, pw(pharmacist), 18)  # a book of 18: a count may be above it
    ledger = scalar(ctx, "SELECT COUNT(*) FROM ledger_entries")
    request = counts.CountRequest("K0001", counted, code, "checked twice", "tech")
    # Blind: nothing is said of the book (nor of the code's direction) before a count is made.
    blind = counts.assess_count(ctx, pharmacist, request)
    assert (blind.book, blind.difference, blind.refusals) == (None, None, ())
    result = count(
        ctx,
        pharmacist,
        pw(pharmacist),
        counted,
        reason_code=code,
        reason="checked twice",
        verified_by="tech",
        verifier_password="tech-pass-1",
    )
    assert result.open and result.blind and not result.adjusted
    [why] = result.still_needed
    assert f"is {counted - 18:+d} from the book, which '{code}' cannot explain" in why
    assert "miscount or other" in why, "it says what to do"
    assert scalar(ctx, "SELECT COUNT(*) FROM ledger_entries") == ledger
    assert queries.kit_detail(ctx, pharmacist, "K0001").tablets == 18
    # Now the book was shown by that record: the recount's assessment gives it.
    [refusal] = counts.assess_count(ctx, pharmacist, request).refusals
    assert refusal.code is counts.CountCheck.REASON_DIRECTION and refusal.message == why
    for either_way in ("miscount", "other"):
        fine = counts.CountRequest("K0001", counted, either_way, "checked twice", "tech")
        assert not counts.assess_count(ctx, pharmacist, fine).refusals


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({}, RuleViolation, "differs from the book by -2. Give a reason code"),
        ({"reason_code": "eaten", "reason": "x"}, InvalidInput, "'eaten' is not a reason code"),
        ({"reason_code": "lost"}, RuleViolation, "Explain the difference in a few words"),
        ({"reason_code": "lost", "reason": "gone"}, RuleViolation, "a second person must check"),
        (
            {
                "reason_code": "lost",
                "reason": "gone",
                "verified_by": "tech",
                "verifier_password": "tech-pass-1",
            },
            RuleViolation,
            "must be another person's",
        ),
        (
            {
                "reason_code": "lost",
                "reason": "gone",
                "verified_by": "monitor",
                "verifier_password": "monitor-pass-1",
            },
            NotPermitted,
            "monitor (monitor) may not countersign a count. Ask a user with the role: "
            "pharmacist, technician.",
        ),
        (
            {
                "reason_code": "lost",
                "reason": "gone",
                "verified_by": "pharm",
                "verifier_password": "wrong-one-1",
            },
            SignatureFailed,
            "The verifier's password is wrong: pharm, who countersigns the count",
        ),
        (
            {
                "reason_code": "lost",
                "reason": "gone",
                "verified_by": "ghost",
                "verifier_password": "x",
            },
            NotFound,
            "There is no user 'ghost'",
        ),
    ],
)
def test_difference_refusals(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    pw: Password,
    refused: Refused,
    options: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    """What the adjustment of a difference lacks leaves the count recorded as counted and open
    (the book untouched), saying why: said first, it would tell the book. What was given
    wrong (a reason code that is none, a second person who may not sign, a wrong password)
    is refused before anything is recorded, whatever the count: none of it tells the book."""
    if error is not RuleViolation or "another person" in words:
        with refused(ctx, error, words):
            count(ctx, technician, pw(technician), 19, **options)
        if error is not SignatureFailed:  # a password is checked when it signs: a difference
            with refused(ctx, error, words):  # a count that matches the book too
                count(ctx, technician, pw(technician), 21, **options)
        return
    ledger = scalar(ctx, "SELECT COUNT(*) FROM ledger_entries")
    result = count(ctx, technician, pw(technician), 19, **options)
    assert result.open and (result.counted, result.book) == (19, 21)
    assert any(words in why for why in result.still_needed), result.still_needed
    assert scalar(ctx, "SELECT COUNT(*) FROM ledger_entries") == ledger
    assert scalar(ctx, "SELECT verified_by_id FROM physical_counts") is None
    assert scalar(ctx, "SELECT meaning FROM signatures WHERE record_type = 'count'") == "counted"


def test_returned_kit_is_not_counted_here(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense="DSP000001")
    with refused(ctx, RuleViolation, "Kit K0011 is returned; counts are for kits on the shelf"):
        count(ctx, pharmacist, pw(pharmacist), 3, "K0011")


def test_dispensed_kit_is_not_counted(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, "Kit K0011 is dispensed; counts are for kits on the shelf"):
        count(ctx, pharmacist, pw(pharmacist), 0, "K0011")


def test_quarantined_kit_is_counted(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    quarantine.quarantine(ctx, pharmacist, ["K0001"], "seal broken")
    assert count(ctx, pharmacist, pw(pharmacist), 21).difference == 0


def test_malformed_counts_and_roles(
    ctx: Context,
    stock: Stock,
    technician: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    with refused(ctx, InvalidInput, "number of tablets counted cannot be negative"):
        count(ctx, technician, pw(technician), -1)
    with refused(ctx, InvalidInput, "count date 2026-01-06 is in the future"):
        count(ctx, technician, pw(technician), 21, counted_on=date(2026, 1, 6))
    with refused(ctx, SignatureFailed, "signature password for tech is wrong"):
        count(ctx, technician, "tech-pass-2", 21)
    with refused(ctx, NotPermitted, "monitor (monitor) may not record physical counts"):
        count(ctx, monitor, pw(monitor), 21)


def test_a_wrong_first_count_is_recorded_before_the_book_is_shown_and_the_recount_follows_it(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor, pw: Password
) -> None:
    """Review of COUNTS, item 1: a count of 20 against a book of 21 was refused with "differs
    from the book by -1", which gave the book away; the 21 typed next was recorded as a blind
    count that "matches the book", and the 20 left no trace. Now the 20 is recorded (signed,
    audited, open) as the book is shown, and the 21 is recorded as a recount, not blind."""
    blind = counts.assess_count(ctx, technician, counts.CountRequest("K0001", 20))
    assert (blind.book, blind.difference, blind.needs, blind.recount_of) == (None, None, (), None)
    first = count(ctx, technician, pw(technician), 20)
    assert (first.counted, first.book, first.difference) == (20, 21, -1)
    assert first.open and first.blind and first.recount_of is None
    assert any("differs from the book by -1" in why for why in first.still_needed)
    assert queries.kit_detail(ctx, technician, "K0001").tablets == 21  # the book untouched
    findings = reconciliation.reconcile(ctx, pharmacist)
    [open_one] = [d for d in findings.to_review if d.subject == "K0001"]
    assert (
        open_one.kind == "count_open"
        and "20 tablets counted, 21 tablets in the book (-1)" in open_one.message
    )
    assert [c.kit for c in findings.count_differences] == ["K0001"]
    # The book was shown by that record: the recount is assessed against it.
    again = counts.assess_count(ctx, technician, counts.CountRequest("K0001", 21))
    assert (again.book, again.difference, again.recount_of) == (21, 0, first.count_id)
    # The second person named by user name is found by full name and role, for the window
    # and the signature dialog to name them as every signed step names its signer.
    named = counts.assess_count(
        ctx, technician, counts.CountRequest("K0001", 20, verified_by=pharmacist.username)
    )
    assert named.verifier_name == pharmacist.full_name and named.verifier_role == "pharmacist"
    assert named.verifier_shown == f"{pharmacist.full_name} (Pharmacist)"
    assert (
        counts.assess_count(ctx, technician, counts.CountRequest("K0001", 20)).verifier_shown == ""
    )
    second = count(ctx, technician, pw(technician), 21)
    assert not second.blind and second.recount_of == first.count_id and not second.open
    entries = audit.list_entries(ctx, technician, action="count")
    assert len(entries) == 2
    assert '"blind":true' in entries[-1].new or '"blind":true' in entries[0].new
    recount = [e for e in entries if f'"recount_of":{first.count_id}' in e.new]
    assert len(recount) == 1 and '"blind":false' in recount[0].new
    result = reconciliation.reconcile(ctx, pharmacist)
    assert [d for d in result.to_review if d.subject == "K0001"] == []
    [record] = [d for d in result.discrepancies if d.subject == "K0001"]
    assert record.message.endswith("not adjusted: counted again on 2026-01-05.")
    assert result.count_differences == ()


def test_an_open_difference_is_adjusted_by_the_count_that_follows_it(
    ctx: Context, stock: Stock, technician: Actor, pharmacist: Actor, pw: Password
) -> None:
    """What follows an open count: the figure counted again with its reason code, reason and
    second person: the adjustment, written with that follow-up count (not blind)."""
    first = count(ctx, technician, pw(technician), 19)
    assert first.open
    adjusted = count(
        ctx,
        technician,
        pw(technician),
        19,
        reason_code="breakage",
        reason="two crushed",
        verified_by="pharm",
        verifier_password="pharm-pass-1",
    )
    assert adjusted.adjusted and not adjusted.blind and adjusted.recount_of == first.count_id
    assert queries.kit_detail(ctx, technician, "K0001").tablets == 19
    result = reconciliation.reconcile(ctx, pharmacist)
    assert [d for d in result.to_review if d.subject == "K0001"] == []
    # One difference, adjusted by the count that followed it: one finding, not two.
    assert [d.kind.value for d in result.discrepancies if d.subject == "K0001"] == [
        "count_difference"
    ]
    # Matching the corrected book, the next count is blind again.
    assert count(ctx, technician, pw(technician), 19).blind
