"""A reconciliation carried forward from the last one (issue 15) is the reconciliation read
anew: after every kind of write, step by step, and across the days."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

import signed
from dispensary.db.engine import read_transaction
from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    reconciliation,
    returns,
    studies,
)
from dispensary.services.audit_check import check_trail
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import ReconcileResult
from dispensary.study import Study
from signed import seen_now

from .conftest import Stock
from .helpers import IN_HAND, TECH_PASSWORD, WITNESSED, dispense, enroll, receive, sql
from .test_several_studies import OTHER, other_text, signed_in

Password = Callable[[Actor], str]


def read_anew(ctx: Context) -> ReconcileResult:
    with read_transaction(ctx.engine) as session:
        return reconciliation.reconcile_session(session, ctx, fresh=True)


def same_as_anew(ctx: Context, actor: Actor) -> ReconcileResult:
    """The reconciliation (carried forward when one is kept) equals the one read anew, and it
    was carried forward: the kept read is the same one, moved on."""
    kept = reconciliation._kept(ctx)
    carried = reconciliation.reconcile(ctx, actor)
    assert kept is None or reconciliation._kept(ctx) is kept
    anew = read_anew(ctx)
    # The findings alone (the Today screen's), carried forward the same way, are the same.
    lean = reconciliation._kept_lean(ctx)
    with read_transaction(ctx.engine) as session:
        trail = check_trail(session, ctx)
        assert reconciliation.findings_session(session, ctx, trail) == anew.discrepancies
    assert lean is None or reconciliation._kept_lean(ctx) is lean
    for field in ("products", "lots", "kits", "participants", "counts", "signoffs"):
        assert getattr(carried, field) == getattr(anew, field), field
    assert carried.discrepancies == anew.discrepancies
    # All but which check of the audit trail each made (the first of all, in full).
    assert replace(carried, audit_check="", audit_checked_in_full=True) == replace(
        anew, audit_check="", audit_checked_in_full=True
    )
    return carried


def test_every_kind_of_write_carried_forward(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    password = pw(pharmacist)
    assert reconciliation._kept(ctx) is None
    same_as_anew(ctx, monitor)
    assert reconciliation._kept(ctx) is not None
    steps: list[Callable[[], object]] = [
        lambda: enroll(ctx, pharmacist, "01-002", "CD"),
        lambda: dispense(ctx, pharmacist, password, "01-001"),  # K0011
        lambda: dispense(ctx, pharmacist, password, "01-002", kits=["K0001"], **IN_HAND),
        lambda: dispensing.void_dispense(ctx, pharmacist, "DSP000002", "wrong kit", password),
        lambda: dispense(
            ctx, pharmacist, password, "01-002", dose_level=-1, dose_ordered_by="Dr Liu"
        ),
        lambda: counts.record_count(
            ctx, pharmacist, "K0005", 20, password, "breakage", "crushed", "tech", TECH_PASSWORD
        ),
        lambda: counts.record_count(ctx, pharmacist, "K0006", 21, password),
        lambda: quarantine.quarantine(ctx, pharmacist, ["K0007", "K0008"], "fridge alarm"),
        lambda: signed.release(ctx, pharmacist, ["K0008"], "alarm explained", "TE-2026-014"),
        lambda: clock.set_date(date(2026, 1, 26)),
        lambda: returns.record_return(ctx, pharmacist, "K0011", 2, password, dispense="DSP000001"),
        lambda: returns.correct_return(ctx, pharmacist, 1, 12, "recount", password),
        lambda: returns.record_return(ctx, pharmacist, "S0001", 0, password, dispense="DSP000003"),
        lambda: returns.explain_flag(ctx, pharmacist, "DSP000001", "missed doses on holiday"),
        lambda: destruction.destroy(
            ctx, pharmacist, ["K0011", "K0020"], "tech", "incineration", password, **WITNESSED
        ),
        lambda: dispense(ctx, pharmacist, password, "01-001", cycle=2),  # K0012
        lambda: clock.set_date(date(2026, 2, 20)),  # the return of cycle 2 overdue
        lambda: participants.set_status(
            ctx,
            pharmacist,
            "01-002",
            ParticipantStatus.DISCONTINUED,
            "withdrew consent",
            password=pw(pharmacist),
        ),
        lambda: receive(ctx, pharmacist, "K0021-K0022", "L3", date(2026, 6, 30)),
        lambda: clock.set_date(date(2026, 7, 1)),  # lot L3 expired on the shelf
        lambda: clock.set_date(date(2027, 1, 1)),  # lot L2 too
    ]
    for step in steps:
        step()
        same_as_anew(ctx, monitor)
    result = reconciliation.reconcile(ctx, monitor)
    found = {(d.kind.value, d.subject) for d in result.discrepancies}
    assert {("count_difference", "K0005"), ("expired_in_stock", "K0021")} <= found
    assert ("expired_in_stock", "K0013") in found
    assert ("return_overdue", "01-001") in found
    assert [c.kit for c in result.counts if not c.never_counted] == ["K0005", "K0006"]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_returns_and_flags_carried_forward(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    seed: int,
) -> None:
    """Participants dispensed, counted back with tablets drawn at random (flags or none),
    corrected, explained, their kits destroyed: each step's reconciliation as read anew."""
    rng = random.Random(seed)
    password = pw(pharmacist)
    people = ["01-001", "01-002", "01-003"]
    for number in people:
        enroll(ctx, pharmacist, number, "AB")
    same_as_anew(ctx, monitor)
    given = {}
    for number in people:
        given[number] = dispense(ctx, pharmacist, password, number)
        same_as_anew(ctx, monitor)
    clock.set_date(date(2026, 1, 26))
    order = list(people)
    rng.shuffle(order)
    for number in order:
        result = given[number]
        flagged = False
        for kit in result.kits:
            back = returns.record_return(
                ctx,
                pharmacist,
                kit.kit,
                rng.randint(0, kit.tablets),
                password,
                dispense=result.number,
            )
            same_as_anew(ctx, monitor)
            if rng.random() < 0.5:
                back = returns.correct_return(
                    ctx,
                    pharmacist,
                    back.return_id,
                    rng.randint(0, kit.tablets),
                    "recount",
                    password,
                )
                same_as_anew(ctx, monitor)
            flagged = bool(back.flags)
        # only a flagged dispense is explained (one without a flag is refused)
        if rng.random() < 0.5 and flagged:
            returns.explain_flag(ctx, pharmacist, result.number, "explained")
            same_as_anew(ctx, monitor)
    kits = [kit.kit for number in order for kit in given[number].kits]
    destruction.destroy(ctx, pharmacist, kits[:2], "tech", "incineration", password, **WITNESSED)
    same_as_anew(ctx, monitor)


def test_a_new_language_or_study_file_reads_anew(
    ctx: Context, stock: Stock, monitor: Actor, pharmacist: Actor, pw: Password
) -> None:
    same_as_anew(ctx, monitor)
    kept = reconciliation._kept(ctx)
    with speaking(Language.ZH_CN):
        chinese = reconciliation.reconcile(ctx, monitor)
        assert chinese.discrepancies == read_anew(ctx).discrepancies
    assert reconciliation._kept(ctx) is not kept
    assert reconciliation.reconcile(ctx, monitor).kits == read_anew(ctx).kits


def test_the_sign_off_reads_everything(
    ctx: Context, stock: Stock, monitor: Actor, pw: Password
) -> None:
    """An edit behind the program's back after the last full check: a reconciliation carried
    forward trusts the trail as verified since its point; the sign-off, an attestation, reads
    every row anew and sees it: it is refused (nothing is attested over an edited trail), and the
    failed full check lets go of the point, so the next reconciliation reads anew and shows it."""
    reconciliation.reconcile(ctx, monitor)
    sql(ctx, "UPDATE kits SET status = 'dispensed' WHERE number = 'K0001'")
    with pytest.raises(RuleViolation, match="the audit trail does not verify"):
        reconciliation.sign_off(ctx, monitor, pw(monitor), "visit", seen=seen_now(ctx))
    after = reconciliation.reconcile(ctx, monitor)
    assert ("status_mismatch", "K0001") in {(d.kind.value, d.subject) for d in after.discrepancies}
    assert after.audit_checked_in_full and not after.audit_verified


@pytest.mark.parametrize("limit", ["table", "size"])
def test_what_cannot_be_followed_is_read_anew(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
) -> None:
    """A row of a table the reconciliation does not follow, or more written since than is worth
    following: everything read anew (and kept for the next)."""
    same_as_anew(ctx, monitor)
    kept = reconciliation._kept(ctx)
    if limit == "table":
        monkeypatch.setattr(reconciliation, "FOLLOWED", reconciliation.FOLLOWED - {"dispenses"})
    else:
        monkeypatch.setattr(reconciliation, "FORWARD_MOST", 0)
    dispense(ctx, pharmacist, pw(pharmacist), enrolled)
    result = reconciliation.reconcile(ctx, monitor)
    assert reconciliation._kept(ctx) is not kept
    assert result.participants == read_anew(ctx).participants
    assert [r.key for r in result.participants] == [enrolled]


def test_each_study_of_a_database_carried_forward(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """Two studies in one database: each study's reconciliation kept and carried forward, the
    other study's writes named by the audit entries but none of its own."""
    studies.add_study(ctx, admin, other_text(study), "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0010")
    receive(other, both, "B0001-B0010", lot="LB")
    enroll(ctx, both, "01-001")
    # The same number, another study: refused now, kept by a pharmacy enrolled before that.
    with pytest.MonkeyPatch.context() as before_the_rule:
        before_the_rule.setattr(participants, "_check_number_free", lambda *_a: None)
        enroll(other, both, "01-001", initials="CD")
    for each in (ctx, other):
        same_as_anew(each, both)
    steps: list[Callable[[], object]] = [
        lambda: dispense(ctx, both, pw(both)),
        lambda: dispense(other, both, pw(both)),
        lambda: quarantine.quarantine(other, both, ["B0005"], "fridge alarm"),
        lambda: participants.set_status(
            other,
            both,
            "01-001",
            ParticipantStatus.DISCONTINUED,
            "withdrew consent",
            password=pw(both),
        ),
    ]
    for step in steps:
        step()
        for each in (ctx, other):
            same_as_anew(each, both)
    assert {r.key for r in reconciliation.reconcile(other, both).kits} == {
        f"B{n:04d}" for n in range(1, 11)
    }
