"""Reconciliation: every tablet accounted for by product, lot, kit and participant, and every
discrepancy a monitor must see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

import signed
from dispensary.domain.errors import (
    InvalidInput,
    NotPermitted,
    NotSignedIn,
    SignatureFailed,
)
from dispensary.services import destruction, reconciliation, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import BalanceRow, DispenseResult, ReconcileResult
from signed import seen_now

from .conftest import Stock
from .helpers import EARLY, P25, P75, WITNESSED, receive, scalar, sql

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def identity(row: BalanceRow) -> bool:
    return row.received == (
        row.dispensed
        - row.returned
        + row.on_hand
        + row.held_returned
        + row.destroyed
        + row.adjusted
    )


def kinds(result: ReconcileResult) -> list[tuple[str, str]]:
    return [(d.kind, d.subject) for d in result.discrepancies]


@pytest.mark.usefixtures("busy")  # helpers.busy_pharmacy\'s month of work
def test_everything_balances_after_a_busy_month(ctx: Context, monitor: Actor) -> None:
    result = reconciliation.reconcile(ctx, monitor)
    assert result.balanced
    rows = result.products + result.lots + result.kits + result.participants
    assert all(r.balanced and identity(r) for r in rows), [r for r in rows if not r.balanced]
    products = {r.key: r for r in result.products}
    seven = products[P75]
    assert (seven.received, seven.dispensed, seven.returned, seven.destroyed) == (420, 42, 3, 24)
    assert (seven.adjusted, seven.on_hand, seven.held_returned) == (1, 420 - 42 - 21 - 1, 0)
    two = products[P25]
    assert (two.received, two.dispensed, two.returned, two.held_returned) == (168, 42, 0, 0)
    assert [r.key for r in result.lots] == [f"{P25}/S1", f"{P75}/L1", f"{P75}/L2"]
    people = {r.key: r for r in result.participants}
    assert (people["01-001"].received, people["01-001"].dispensed) == (42, 42)
    assert (people["01-001"].returned, people["01-001"].destroyed) == (3, 3)
    # The voided kit is back on the shelf and is nobody's.
    assert (people["01-002"].received, people["01-002"].dispensed) == (42, 42)
    kits = {r.key: r for r in result.kits}
    assert (kits["K0001"].on_hand, kits["K0001"].dispensed) == (21, 0)
    assert (kits["K0020"].destroyed, kits["K0005"].adjusted) == (21, 1)
    assert kinds(result) == [("count_difference", "K0005")]


def test_open_adherence_flag_is_a_discrepancy(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 12, pw(pharmacist), dispense="DSP000001")
    result = reconciliation.reconcile(ctx, pharmacist)
    [finding] = [d for d in result.discrepancies if d.kind == "adherence"]
    assert finding.subject == "01-001"
    assert "Under-use (missed doses); taken 9 of 21 expected" in finding.message
    assert finding.on == date(2026, 1, 26)


@pytest.mark.parametrize(
    ("today", "overdue"), [(date(2026, 2, 2), False), (date(2026, 2, 3), True)]
)
def test_overdue_return(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    today: date,
    overdue: bool,
) -> None:
    clock.set_date(today)  # day 1 + 21 days of the cycle + 7 days' grace = 2026-02-02
    found = [d for d in reconciliation.reconcile(ctx, monitor).discrepancies]
    assert [(d.kind, d.subject) for d in found if d.kind == "return_overdue"] == (
        [("return_overdue", "01-001")] if overdue else []
    )


def test_expired_kit_still_in_stock(
    ctx: Context, clock: FixedClock, stock: Stock, monitor: Actor
) -> None:
    clock.set_date(date(2027, 1, 1))  # lot L2 expired on 2026-12-31
    result = reconciliation.reconcile(ctx, monitor)
    expired = [d for d in result.discrepancies if d.kind == "expired_in_stock"]
    assert [d.subject for d in expired] == [f"K{n:04d}" for n in range(11, 21)]
    assert expired[0].on == EARLY
    assert "destroy it or return it to the sponsor" in expired[0].message


def test_status_edited_behind_the_programs_back(
    ctx: Context, cycle1: DispenseResult, monitor: Actor
) -> None:
    sql(ctx, "UPDATE kits SET status = 'dispensed' WHERE number = 'K0001'")
    sql(ctx, "UPDATE kits SET status = 'available' WHERE number = 'K0011'")
    result = reconciliation.reconcile(ctx, monitor)
    mismatches = [d for d in result.discrepancies if d.kind == "status_mismatch"]
    assert [d.subject for d in mismatches] == ["K0001", "K0011"]
    assert "recorded as dispensed, but its ledger shows 21 tablets on hand" in mismatches[0].message


def test_tampered_audit_trail_is_the_first_finding(
    ctx: Context, cycle1: DispenseResult, monitor: Actor
) -> None:
    sql(ctx, "UPDATE ledger_entries SET quantity = 20 WHERE kind = 'dispense'")
    result = reconciliation.reconcile(ctx, monitor)
    assert result.discrepancies[0].kind == "audit_chain"
    assert "Tampering or damage found" in result.discrepancies[0].message


def test_every_role_may_reconcile(
    ctx: Context,
    stock: Stock,
    admin: Actor,
    technician: Actor,
    monitor: Actor,
    pharmacist: Actor,
) -> None:
    results = [reconciliation.reconcile(ctx, a) for a in (admin, technician, monitor, pharmacist)]
    assert all(r.balanced and r.discrepancies == () for r in results)


def test_sign_off(
    ctx: Context,
    stock: Stock,
    monitor: Actor,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    with refused(ctx, NotPermitted, "tech (technician) may not sign off a reconciliation"):
        reconciliation.sign_off(ctx, technician, pw(technician), seen=seen_now(ctx))
    with refused(ctx, SignatureFailed, "signature password for monitor is wrong"):
        reconciliation.sign_off(ctx, monitor, "pharm-pass-1", seen=seen_now(ctx))
    with refused(ctx, InvalidInput, "The note contains control characters"):
        reconciliation.sign_off(ctx, monitor, pw(monitor), "a\x00", seen=seen_now(ctx))
    result = reconciliation.sign_off(
        ctx, monitor, pw(monitor), "visit 3, all in order", seen=seen_now(ctx)
    )
    [signed] = result.signoffs
    assert (signed.username, signed.role.value, signed.note) == (
        "monitor",
        "monitor",
        "visit 3, all in order",
    )
    assert reconciliation.reconcile(ctx, technician).signoffs == result.signoffs


def test_the_sign_off_itself_counts_wrong_passwords_to_the_lock(
    ctx: Context, stock: Stock, monitor: Actor, technician: Actor, pw: Password
) -> None:
    """Called straight, as a script or another front end would: each wrong signature password
    counts against the signer, the fifth locks the account, and the right password is then
    refused (the count is not left to the windows or the command line)."""
    said = []
    for _attempt in range(5):
        with pytest.raises(SignatureFailed) as failed:
            reconciliation.sign_off(ctx, monitor, "not-the-password", "visit 3", seen=seen_now(ctx))
        assert failed.value.counted and not failed.value.uncounted
        said.append(failed.value.message.split(". ")[-1])
    assert said == [
        "4 attempts left before the account locks.",
        "3 attempts left before the account locks.",
        "2 attempts left before the account locks.",
        "1 attempt left before the account locks.",
        "The account is now locked; ask an administrator to unlock it.",
    ]
    assert scalar(ctx, "SELECT failed_attempts FROM users WHERE username = 'monitor'") == 5
    assert scalar(ctx, "SELECT locked FROM users WHERE username = 'monitor'")
    for password in ("not-the-password", pw(monitor)):
        with pytest.raises(NotSignedIn, match="The account 'monitor' has been locked"):
            reconciliation.sign_off(ctx, monitor, password, "visit 3", seen=seen_now(ctx))
    assert reconciliation.reconcile(ctx, technician).signoffs == ()


def test_empty_pharmacy_balances(ctx: Context, monitor: Actor) -> None:
    result = reconciliation.reconcile(ctx, monitor)
    assert result.balanced
    assert (result.products, result.kits, result.participants, result.discrepancies) == (
        (),
        (),
        (),
        (),
    )


def test_a_short_shipment_kept_apart(ctx: Context, pharmacist: Actor, monitor: Actor) -> None:
    receive(ctx, pharmacist, "K0001", temperature_ok=False)
    [product] = reconciliation.reconcile(ctx, monitor).products
    assert (product.received, product.on_hand, product.balanced) == (21, 21, True)


def test_a_sign_off_shows_what_it_attested_and_the_corrections_made_since(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """A sign-off attests figures: it shows them, and once a record it covered is corrected
    (or one dated before it is added) it says so, never looking current over changed figures."""
    clock.set_date(date(2026, 1, 26))
    first = returns.record_return(ctx, pharmacist, "K0011", 2, pw(pharmacist), dispense="DSP000001")
    clock.set_date(date(2026, 1, 27))
    [signed] = reconciliation.sign_off(
        ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx)
    ).signoffs
    assert (signed.balanced, dict(signed.held), signed.changed_since, signed.changed) == (
        True,
        {P75: 2, P25: 0},
        (),
        "",
    )
    assert signed.findings == len(reconciliation.reconcile(ctx, monitor).discrepancies)
    assert signed.attested.startswith("balanced, ")
    assert "herombopag (hetrombopag olamine) 7.5 mg tablet 2 tablets" in signed.attested

    clock.set_date(date(2026, 1, 28))
    fixed = returns.correct_return(ctx, pharmacist, first.return_id, 3, "recount", pw(pharmacist))
    result = reconciliation.reconcile(ctx, monitor)
    [after] = result.signoffs
    assert after.held == signed.held  # what it attested, not today's figures
    assert after.changed_since == (f"return {fixed.return_id} corrects return {first.return_id}",)
    assert after.changed == (
        "Records corrected or added since this sign-off: "
        f"return {fixed.return_id} corrects return {first.return_id}."
    )
    # A later sign-off covers the correction: it is current, the first still marked.
    clock.set_date(date(2026, 1, 29))
    signoffs = reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx)).signoffs
    assert [bool(s.changed_since) for s in signoffs] == [True, False]
    assert dict(signoffs[1].held)[P75] == 3


def test_no_sign_off_over_an_audit_trail_that_does_not_verify(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A return's count edited with sqlite3: the sign-off's full check found it, but only as
    one finding among the others, and the sign-off went through as "balanced". It is refused
    now, and the reconciliation after says the trail does not verify (checked in full: the
    failed check let go of the point an incremental check would have started from)."""
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 2, pw(pharmacist), dispense="DSP000001")
    assert reconciliation.reconcile(ctx, monitor).audit_verified  # the point is kept
    sql(ctx, "UPDATE returns SET tablets = 5 WHERE id = 1")
    with refused(
        ctx,
        reconciliation.SignOffRefused,
        "The reconciliation cannot be signed off: the audit trail does not verify. Tampering or "
        "damage found: Return 1 (K0011, DSP000001) was changed after audit entry",
    ) as caught:
        reconciliation.sign_off(ctx, monitor, pw(monitor), "test", seen=seen_now(ctx))
    assert "Run `dispensary audit verify`" in caught.value.message
    assert caught.value.code is reconciliation.SignOffCheck.TRAIL_NOT_VERIFIED
    result = reconciliation.reconcile(ctx, monitor)
    assert (result.audit_verified, result.audit_checked_in_full) == (False, True)
    assert result.audit_problem.startswith("Tampering or damage found: Return 1 (K0011, DSP000001)")
    assert result.signoffs == ()


def test_a_record_dated_before_a_sign_off_but_written_after_it_marks_it(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """A return brought back on the 26th but recorded on the 28th, after a sign-off of the
    27th: the sign-off did not see it, and says so; the day's ordinary work after a sign-off
    (a return dated the day it is written) does not mark it."""
    clock.set_date(date(2026, 1, 27))
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    clock.set_date(date(2026, 1, 28))
    late = returns.record_return(
        ctx,
        pharmacist,
        "K0011",
        2,
        pw(pharmacist),
        dispense="DSP000001",
        returned_on=date(2026, 1, 26),
    )
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == (f"return {late.return_id} dated before it",)
    clock.set_date(date(2026, 1, 29))
    [_first, second] = reconciliation.sign_off(
        ctx, monitor, pw(monitor), seen=seen_now(ctx)
    ).signoffs
    clock.set_date(date(2026, 1, 30))
    returns.correct_return(ctx, pharmacist, late.return_id, 3, "recounted", pw(pharmacist))
    assert len(reconciliation.reconcile(ctx, monitor).signoffs[1].changed_since) == 1
    assert second.changed_since == ()


@pytest.mark.parametrize(
    ("offset", "signed_at", "written_at", "dated", "marked"),
    [
        # UTC+8: signed at 07:00 on the 27th (23:00 UTC on the 26th); the 26th's paper return
        # typed at 07:30 (23:30 UTC on the 26th). Compared with the UTC day (the 26th) it was
        # not before the sign-off's day, nor before the day it was written: missed.
        (8, datetime(2026, 1, 27, 7, 0), datetime(2026, 1, 27, 7, 30), date(2026, 1, 26), True),
        # ... the day's own work at 07:30 never marks it.
        (8, datetime(2026, 1, 27, 7, 0), datetime(2026, 1, 27, 7, 30), date(2026, 1, 27), False),
        # UTC-5: signed at 19:00 on the 27th (00:00 UTC on the 28th); a return of the 27th
        # recorded at 20:00 (01:00 UTC on the 28th) is the day's own work, taken for one dated
        # before the sign-off's (UTC) day: wrongly marked.
        (-5, datetime(2026, 1, 27, 19, 0), datetime(2026, 1, 27, 20, 0), date(2026, 1, 27), False),
        # ... one of the 26th recorded then was dated before it.
        (-5, datetime(2026, 1, 27, 19, 0), datetime(2026, 1, 27, 20, 0), date(2026, 1, 26), True),
    ],
)
def test_a_sign_off_s_day_is_the_pharmacy_s_local_day_around_midnight(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
    offset: int,
    signed_at: datetime,
    written_at: datetime,
    dated: date,
    marked: bool,
) -> None:
    """A sign-off covers the records dated before its day, the pharmacy's local day (as the
    Today screen's and the records' own dates are): it was the UTC day of its time, and a record
    was "dated before the day it was written" by the UTC day of its writing, so around local
    midnight a record dated before the sign-off was missed (east of UTC) and the day's own work
    after it was marked (west of UTC)."""
    zone = timezone(timedelta(hours=offset))
    clock.current = signed_at.replace(tzinfo=zone)
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    clock.current = written_at.replace(tzinfo=zone)
    back = returns.record_return(
        ctx, pharmacist, "K0011", 2, pw(pharmacist), dispense="DSP000001", returned_on=dated
    )
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == ((f"return {back.return_id} dated before it",) if marked else ())


def test_records_typed_in_the_small_hours_east_of_utc_mark_the_sign_off_once(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """UTC+8, signed at 07:00 on the 27th: a destruction of the 26th and a return of the 26th
    typed at 07:30 (the UTC 26th) are found by their time, a destruction of the 25th by the
    index of those dated before the UTC day written as well: each said once; a sign-off made
    later that morning, after them, is not marked."""
    zone = timezone(timedelta(hours=8))
    clock.current = datetime(2026, 1, 27, 7, 0, tzinfo=zone)
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    clock.current = datetime(2026, 1, 27, 7, 30, tzinfo=zone)
    back = returns.record_return(
        ctx,
        pharmacist,
        "K0011",
        2,
        pw(pharmacist),
        dispense="DSP000001",
        returned_on=date(2026, 1, 26),
    )
    destroyed = [
        destruction.destroy(
            ctx,
            pharmacist,
            [kit],
            "tech",
            "incineration",
            pw(pharmacist),
            destroyed_on=day,
            **WITNESSED,
        ).destruction_id
        for kit, day in (("K0001", date(2026, 1, 26)), ("K0002", date(2026, 1, 25)))
    ]
    clock.current = datetime(2026, 1, 27, 7, 45, tzinfo=zone)
    [signed, later] = reconciliation.sign_off(
        ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx)
    ).signoffs
    assert signed.changed_since == (
        f"return {back.return_id} dated before it",
        f"destruction No. {destroyed[0]} dated before it",
        f"destruction No. {destroyed[1]} dated before it",
    )
    assert later.changed_since == ()


def test_a_destruction_dated_before_a_sign_off_but_written_after_it_marks_it(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """A destruction witnessed on the 26th but recorded on the 28th, after a sign-off of the
    27th, changed the figures it attested (stock destroyed) and did not mark it: a destruction
    names kits, not a study. It marks it now; one dated the day it is written does not."""
    clock.set_date(date(2026, 1, 27))
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    clock.set_date(date(2026, 1, 28))
    late = destruction.destroy(
        ctx,
        pharmacist,
        ["K0001"],
        "tech",
        "incineration",
        pw(pharmacist),
        destroyed_on=date(2026, 1, 26),
        **WITNESSED,
    )
    destruction.destroy(
        ctx, pharmacist, ["K0002"], "tech", "incineration", pw(pharmacist), **WITNESSED
    )  # the day's work, dated the 28th
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == (f"destruction No. {late.destruction_id} dated before it",)


def test_a_receipt_dated_before_a_sign_off_but_written_after_it_marks_it(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    monitor: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """A shipment received on the 26th but recorded on the 28th, after a sign-off of the 27th,
    raised the tablets received and on hand it attested, and did not mark it (a return entered
    late the same way did). It marks it now; a shipment received and recorded on the 28th does
    not, nor does the late receipt mark a sign-off made after it was recorded."""
    clock.set_date(date(2026, 1, 27))
    reconciliation.sign_off(ctx, monitor, pw(monitor), "visit 4", seen=seen_now(ctx))
    clock.set_date(date(2026, 1, 28))
    receive(ctx, pharmacist, "K9201-K9204", shipment="SH-OLD", received_on=date(2026, 1, 26))
    receive(ctx, pharmacist, "K9301-K9302", shipment="SH-NEW")  # the day's work, dated the 28th
    [signed] = reconciliation.reconcile(ctx, monitor).signoffs
    assert signed.changed_since == ("receipt of shipment SH-OLD dated before it",)
    assert signed.changed == (
        "Records corrected or added since this sign-off: "
        "receipt of shipment SH-OLD dated before it."
    )
    clock.set_date(date(2026, 1, 29))
    [first, second] = reconciliation.sign_off(
        ctx, monitor, pw(monitor), seen=seen_now(ctx)
    ).signoffs
    assert (first.changed_since, second.changed_since) == (signed.changed_since, ())


def test_open_quarantines_are_to_review_a_finding_per_cause(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor
) -> None:
    """Kits in quarantine awaiting the sponsor were seen only inside "On hand" (review: 62 kits
    held after an excursion, no finding): a finding per cause, excursion or reason typed, with
    its kits and what to do; a release or a destruction closes it."""
    from dispensary.services import quarantine, temperature

    from .test_quarantine import LOG

    clock.set_date(date(2026, 1, 3))
    receive(ctx, pharmacist, "K0101-K0103")  # IP store 1
    quarantine.quarantine(ctx, pharmacist, ["K0101"], "Cap seal broken.")
    clock.set_date(date(2026, 1, 6))
    [excursion, second] = temperature.import_logger(ctx, pharmacist, "IP store 1", LOG, "a.csv")
    found = [d for d in reconciliation.reconcile(ctx, monitor).discrepancies if d.kind.to_review]
    held = [d for d in found if d.kind == "quarantine_open"]
    on_hand = {k for d in held for k in ("K0101", "K0102", "K0103") if k in d.message}
    assert on_hand == {"K0101", "K0102", "K0103"} and len(held) == 2
    seal, storm = held
    assert seal.subject == "K0101" and seal.on == date(2026, 1, 3)
    assert seal.message == (
        "Quarantined for 'Cap seal broken.': 1 kit in quarantine since 2026-01-03, awaiting the "
        "sponsor's decision (K0101). Also exposed while held to temperature excursion "
        f"{excursion.excursion_id}, {second.excursion_id}. Ask the sponsor; then release the "
        "kits with the sponsor's reference, or destroy them."
    )
    # The excursion's own day (2026-01-04), then the quarantine's (the import's, 2026-01-06).
    assert storm.message.startswith(
        f"Temperature excursion {excursion.excursion_id} on 2026-01-04: 2 kits in quarantine "
        "since 2026-01-06, awaiting the sponsor's decision (K0102, K0103)."
    ), storm.message
    assert (storm.subject, storm.on) == ("K0102 … K0103", date(2026, 1, 6))
    signed.release(ctx, pharmacist, ["K0101"], "sponsor: use", "TE-2026-021")
    after = reconciliation.reconcile(ctx, monitor).discrepancies
    assert [d.subject for d in after if d.kind == "quarantine_open"] == ["K0102 … K0103"]
    fresh = reconciliation.reconcile_session  # the carried-forward result equals a full read
    from dispensary.db.engine import read_transaction

    with read_transaction(ctx.engine) as session:
        assert fresh(session, ctx, fresh=True).discrepancies == after


def test_a_quarantine_on_its_excursions_day_says_that_day_once(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor
) -> None:
    """The finding gave the import's day as the quarantine's ("since 2026-12-07") for an
    excursion of the day before: it says the excursion's day, and the quarantine's only when
    it is another."""
    from dispensary.services import temperature

    clock.set_date(date(2026, 1, 2))
    receive(ctx, pharmacist, "K0101-K0102")
    log = "timestamp,celsius\n2026-01-03T06:00:00+00:00,26.5\n2026-01-03T07:00:00+00:00,21.0\n"
    clock.set_date(date(2026, 1, 3))
    [excursion] = temperature.import_logger(ctx, pharmacist, "IP store 1", log, "b.csv")
    [held] = [
        d
        for d in reconciliation.reconcile(ctx, monitor).discrepancies
        if d.kind == "quarantine_open"
    ]
    assert held.message.startswith(
        f"Temperature excursion {excursion.excursion_id} on 2026-01-03: 2 kits in quarantine, "
        "awaiting the sponsor's decision (K0101, K0102)."
    ), held.message
