"""Assess, then act, for a destruction: `assess_destroy` gives each kit its verdict (from the
kit lifecycle table), the tablets that would leave and the witness rules, by the policy `destroy`
runs. Examples, then a property over random kits and paperwork: the assessment refuses exactly
when the destruction is refused (same message) and accepts exactly when it is recorded."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test
from sqlalchemy import func, select

from dispensary.db.engine import read_transaction
from dispensary.db.models import LedgerEntry, Return
from dispensary.domain.accountability import balance_of
from dispensary.domain.codes import DestructionReason, KitStatus, MovementKind
from dispensary.domain.errors import DispensaryError, InvalidInput, NotFound, RuleViolation
from dispensary.domain.lifecycle import ON_SHELF, KitEvent, transition
from dispensary.services import (
    common,
    destruction,
    dispensing,
    participants,
    quarantine,
    queries,
    receiving,
    returns,
)
from dispensary.services.assessment import (
    DestroyAssessment,
    DestroyCheck,
    DestroyKitVerdict,
    DestroyRequest,
)
from dispensary.services.common import get_kit, kit_movements, status_now
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.receiving import KitIn
from dispensary.services.results import DestroyResult, DispenseResult
from dispensary.study import Study

from .helpers import P75, TECH_PASSWORD, WITNESSED, read_then_dispense

Password = Callable[[Actor], str]
PASSWORD = "pharm-pass-1"
PAPERWORK: dict[str, Any] = {
    "reference": "AUTH-1",
    "reason_code": "damaged",
    "unseen_returns_ok": True,
}


def assess(ctx: Context, actor: Actor, *kits: str, **request: Any) -> DestroyAssessment:
    return destruction.assess_destroy(ctx, actor, DestroyRequest(kits, **request))


def test_each_kit_gets_its_verdict_and_the_tablets_that_would_leave(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    snapshot: Callable[[Context], object],
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), cycle1.number)
    dispensing.dispense_cycle(ctx, pharmacist, "01-001", 2, clock.today(), pw(pharmacist))
    before = snapshot(ctx)
    found = assess(ctx, pharmacist, "K0011", "k0001", "K0012", "K0001", witness="tech", **PAPERWORK)
    assert snapshot(ctx) == before
    verdicts = [(v.kit, v.status, v.accepted, v.tablets, v.from_returned) for v in found.kits]
    assert verdicts == [
        ("K0011", KitStatus.RETURNED, True, 3, True),  # the returned tablets, held
        ("K0001", KitStatus.AVAILABLE, True, 21, False),  # named twice: once
        ("K0012", KitStatus.DISPENSED, False, 0, False),
    ]
    assert found.kits[2].message == "Kit K0012 is dispensed: record its return first."
    assert (found.tablets, found.from_stock, found.from_returned) == (24, 21, 3)
    assert [r.code for r in found.refusals] == [DestroyCheck.METHOD, DestroyCheck.KIT]
    with pytest.raises(InvalidInput, match=re.escape(found.refusals[0].message)):
        destruction.destroy(ctx, pharmacist, ["K0011"], "tech", "", pw(pharmacist), **WITNESSED)


def test_the_witness_must_be_named_and_another_person(
    ctx: Context, stock: Any, pharmacist: Actor
) -> None:
    nobody = assess(ctx, pharmacist, "K0001", method="incineration", **PAPERWORK)
    assert [r.code for r in nobody.refusals] == [DestroyCheck.WITNESS]
    assert nobody.refusals[0].message.startswith("Give the witness's user name")
    for me in ("pharm", "Paula Pharm", "PHARM "):
        found = assess(ctx, pharmacist, "K0001", witness=me, method="incineration", **PAPERWORK)
        assert [r.code for r in found.refusals] == [DestroyCheck.WITNESS_SELF]
    ok = assess(ctx, pharmacist, "K0001", witness="tech", method="incineration", **PAPERWORK)
    assert ok.accepted and ok.tablets == 21
    assert ok.witness_name == "Tom Tech"


def test_unknown_kits_are_refused_each_and_no_kit_at_all_raises(
    ctx: Context, stock: Any, pharmacist: Actor
) -> None:
    found = assess(ctx, pharmacist, "K0001", "Z0001", witness="tech", method="x", **PAPERWORK)
    assert [(v.kit, v.accepted) for v in found.kits] == [("K0001", True), ("Z0001", False)]
    assert found.refusals[0].code is DestroyCheck.KIT_UNKNOWN
    assert found.refusals[0].error is NotFound
    with pytest.raises(InvalidInput, match="Name at least one kit"):
        assess(ctx, pharmacist)


def test_an_expired_kit_on_the_shelf_is_destroyed(
    ctx: Context, stock: Any, pharmacist: Actor, clock: FixedClock
) -> None:
    clock.set_date(date(2027, 1, 2))  # lot L2 expired on 2026-12-31
    found = assess(ctx, pharmacist, "K0011", witness="tech", method="x", reference="AUTH-1")
    assert found.accepted  # an expired kit needs no reason code
    assert (found.kits[0].status, found.kits[0].accepted, found.tablets) == (
        KitStatus.EXPIRED,
        True,
        21,
    )


# -- the property -------------------------------------------------------------------------------

KITS = ("K0001", "K0002", "K0003", "K0004", "K0005", "Z0009")


def returns_of(machine: DestroyCounter) -> list[Any]:
    """The participant's dispenses so far (the next cycle is one more)."""
    return queries.participant_history(machine.ctx, machine.pharmacist, "01-001")[1]


class DestroyCounter(RuleBasedStateMachine):
    """Kits dispensed, returned, quarantined and destroyed at random; each destruction is
    assessed, then done for real."""

    seen: dict[str, int] = {}

    def __init__(
        self,
        make_context: Callable[[FixedClock], Context],
        release: Callable[[Context], None],
        people: dict[str, Actor],
    ) -> None:
        super().__init__()
        self.clock = FixedClock()
        self.ctx = make_context(self.clock)
        self.release = release
        self.pharmacist = people["pharm"]

    def teardown(self) -> None:
        self.release(self.ctx)

    @initialize()
    def open_the_pharmacy(self) -> None:
        today = self.clock.today()
        listed = [KitIn(k, P75, "L1", today + timedelta(days=30), 21) for k in KITS[:5]]
        receiving.receive_shipment(self.ctx, self.pharmacist, "SH-1", listed)
        participants.enroll(
            self.ctx,
            self.pharmacist,
            "01-001",
            "AB",
            1970,
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(self.ctx.study),
        )

    @rule(kit=st.sampled_from(KITS[:5]), back=st.booleans())
    def dispensed_and_maybe_back(self, kit: str, back: bool) -> None:
        """A kit goes out (cycle 1, or the next once the last came back), and may come back."""
        with suppress(RuleViolation):
            cycle = len(returns_of(self)) + 1
            done = read_then_dispense(
                self.ctx,
                self.pharmacist,
                PASSWORD,
                "01-001",
                cycle,
                self.clock.today(),
                kits=[kit],
                override_reason="in hand",
            )
            if back:
                returns.record_return(self.ctx, self.pharmacist, kit, 2, PASSWORD, done.number)

    @rule(
        kits=st.lists(st.sampled_from(KITS), min_size=1, max_size=3),
        witness=st.sampled_from(["tech"] * 6 + ["", "pharm", "Tom Tech", "gone"]),
        method=st.sampled_from(["incineration"] * 4 + [""]),
        days=st.sampled_from([0, 0, 40]),
        to_sponsor=st.booleans(),
        reference=st.sampled_from(["AUTH-1"] * 4 + [""]),
        reason=st.sampled_from(["study_closed"] * 3 + [None, "bin"]),
        back=st.sampled_from([0, 0, 1, 60, 60]),
    )
    def assess_then_destroy(
        self,
        kits: list[str],
        witness: str,
        method: str,
        days: int,
        to_sponsor: bool,
        reference: str,
        reason: str | None,
        back: int,
    ) -> None:
        self.clock.set_date(self.clock.today() + timedelta(days=days))
        on = self.clock.today() - timedelta(days=back)
        request = DestroyRequest(
            tuple(kits), witness, method, on, reference, to_sponsor, reason_code=reason
        )
        found: DestroyAssessment | DispensaryError
        try:
            found = destruction.assess_destroy(self.ctx, self.pharmacist, request)
        except DispensaryError as exc:
            found = exc
        done: DestroyResult | DispensaryError
        try:
            done = destruction.destroy(
                self.ctx,
                self.pharmacist,
                kits,
                witness,
                method,
                PASSWORD,
                destroyed_on=on,
                reference=reference,
                to_sponsor=to_sponsor,
                witness_password=TECH_PASSWORD,
                reason_code=reason,
            )
        except DispensaryError as exc:
            done = exc
        if isinstance(found, DispensaryError):
            assert isinstance(done, type(found)) and done.message == found.message, (found, done)
            self.count("raised")
            return
        if found.refusals:
            first = found.refusals[0]
            self.count(first.code.value)
            assert isinstance(done, first.error) and done.message == first.message, (found, done)
            return
        self.count("accepted")
        assert isinstance(done, DestroyResult), (found, done)
        assert done.kits == tuple(v.kit for v in found.kits)
        assert (done.tablets, done.witness, done.to_sponsor) == (
            found.tablets,
            found.witness_name,
            found.to_sponsor,
        )

    def count(self, kind: str) -> None:
        DestroyCounter.seen[kind] = DestroyCounter.seen.get(kind, 0) + 1


def test_the_assessment_refuses_exactly_as_the_destruction_does(
    databases: Any, study: Study, _template: Any
) -> None:
    DestroyCounter.seen = {}
    run_state_machine_as_test(
        lambda: DestroyCounter(
            lambda clock: databases.context(study, clock), databases.release, _template.actors
        ),
        settings=settings(
            max_examples=40,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
            database=None,
        ),
    )
    print(f"\nassess then destroy, by outcome: {DestroyCounter.seen}")
    wanted = {"accepted", "witness", "witness_self", "method", "kit", "kit_unknown"}
    wanted |= {"reference", "witness_unknown", "reason_code", "date", "reason_needed"}
    assert wanted <= set(DestroyCounter.seen), DestroyCounter.seen
    assert DestroyCounter.seen["accepted"] >= 10, DestroyCounter.seen


# -- the kits read in batches give the per-kit rule's verdicts ----------------------------------


def per_kit_rule(
    ctx: Context, kits: tuple[str, ...], day: date, reason_code: str | None
) -> tuple[list[DestroyKitVerdict], list[tuple[DestroyCheck, str, type[DispensaryError]]]]:
    """The destruction's rule on each kit named, read a kit at a time as it was before the
    kits were read in batches (get_kit, its lot, its last event, its ledger): the verdicts,
    and the refusals about the kits, in the order the assessment gives them."""
    today = ctx.clock.today()
    verdicts: list[DestroyKitVerdict] = []
    unknown: list[tuple[DestroyCheck, str, type[DispensaryError]]] = []
    refused: list[tuple[DestroyCheck, str, type[DispensaryError]]] = []
    too_early: list[tuple[DestroyCheck, str, type[DispensaryError]]] = []
    needing: list[str] = []
    seen: set[int] = set()
    with read_transaction(ctx.engine) as session:
        for raw in kits:
            try:
                kit = get_kit(session, raw, ctx.study_id, reader={ctx.study_id})
            except RuleViolation as exc:
                verdicts.append(
                    DestroyKitVerdict(raw.strip().upper(), None, False, exc.message, 0, 0, False)
                )
                unknown.append((DestroyCheck.KIT_UNKNOWN, exc.message, type(exc)))
                continue
            if kit.id in seen:
                continue
            seen.add(kit.id)
            status = KitStatus(kit.status)
            expired_on = kit.lot.expiry if kit.lot.expiry < today else None
            message = ""
            try:
                transition(status, KitEvent.DESTROY, kit=kit.number, expired_on=expired_on)
            except RuleViolation as exc:
                message = exc.message
                refused.append((DestroyCheck.KIT, message, type(exc)))
            if not message:
                found = [(kit.shipment.received_on, "received")]
                last = session.execute(
                    select(LedgerEntry.entry_date, LedgerEntry.kind)
                    .where(LedgerEntry.kit_id == kit.id)
                    .order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc())
                    .limit(1)
                ).first()
                if last is not None:
                    found.append((last[0], common._DONE[MovementKind(last[1])]))
                back = session.scalar(
                    select(func.max(Return.returned_on)).where(Return.kit_id == kit.id)
                )
                if back is not None:
                    found.append((back, "returned"))
                since, what = max(found, key=lambda f: f[0])
                if day < since:
                    message = (
                        f"Kit {kit.number} was {what} on {since.isoformat()}: it cannot have "
                        f"been destroyed on {day.isoformat()}. Give the day it was destroyed "
                        "(on or after that date)."
                    )
                    too_early.append((DestroyCheck.DATE, message, RuleViolation))
            needs_reason = not message and status in ON_SHELF and kit.lot.expiry >= day
            if needs_reason:
                needing.append(kit.number)
            balance = balance_of(kit_movements(session, kit.id))
            verdicts.append(
                DestroyKitVerdict(
                    kit.number,
                    status_now(kit, today),
                    not message,
                    message,
                    balance.on_hand,
                    balance.held_returned,
                    status is KitStatus.RETURNED,
                    needs_reason,
                    kit.product,
                )
            )
    reasons = []
    if needing and reason_code is None:
        names = "; ".join(r.label for r in DestructionReason)
        reasons.append(
            (
                DestroyCheck.REASON_NEEDED,
                (f"Kit {needing[0]} is" if len(needing) == 1 else f"Kits {', '.join(needing)} are")
                + " still in date and unused: give the reason for in-date kits that the "
                + f"sponsor's authorisation records: {names}.",
                InvalidInput,
            )
        )
    return verdicts, [*unknown, *refused, *too_early, *reasons]


def test_the_kits_read_in_batches_get_the_per_kit_rules_verdicts(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """A mixed selection, as Select all gives it: kits available (in date, expired), returned
    (the day after the destruction date asked), destroyed, quarantined, dispensed, named twice,
    unknown and malformed; the batched assessment gives each the verdict and message the rule
    gives a kit at a time, in the same order, with or without a reason code."""
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), cycle1.number)
    destruction.destroy(
        ctx, pharmacist, ["K0002"], "tech", "incineration", pw(pharmacist), **WITNESSED
    )
    quarantine.quarantine(ctx, pharmacist, ["K0003"], "fridge excursion")
    two = dispensing.dispense_cycle(ctx, pharmacist, "01-001", 2, clock.today(), pw(pharmacist))
    clock.set_date(date(2026, 2, 16))  # cycle 2's kit back empty: a return, no ledger row
    back_empty = two.kits[0].kit
    returns.record_return(ctx, pharmacist, back_empty, 0, pw(pharmacist), two.number)
    three = dispensing.dispense_cycle(ctx, pharmacist, "01-001", 3, clock.today(), pw(pharmacist))
    dispensed = three.kits[0].kit
    clock.set_date(date(2027, 1, 2))  # lot L2 (K0011-K0020) expired on 2026-12-31
    named = (
        "K0001",  # available, in date: a reason code is needed
        "K0011",  # returned on 2026-01-26, after the day asked
        "K0002",  # destroyed
        "Z0001",  # no kit of this pharmacy
        "K0003",  # quarantined, in date
        "K0015",  # on the shelf, expired
        "k0001",  # named twice
        dispensed,  # with the participant
        "not a kit!",  # malformed
        "S0001",  # another product, in date
        "Z0001",  # the unknown named twice: refused twice, as before
        back_empty,  # returned on 2026-02-16 with no tablet: its last event is the return's
    )
    days = (date(2026, 1, 20), date(2026, 1, 26), date(2026, 2, 1), date(2026, 2, 16))
    for day in (*days, clock.today()):
        for reason in (None, "study_closed"):
            found = assess(
                ctx,
                pharmacist,
                *named,
                witness="tech",
                method="incineration",
                reference="AUTH-1",
                destroyed_on=day,
                reason_code=reason,
                unseen_returns_ok=True,  # returned tablets no monitor saw: acknowledged
            )
            verdicts, refusals = per_kit_rule(ctx, named, day, reason)
            assert list(found.kits) == verdicts
            assert [(r.code, r.message, r.error) for r in found.refusals] == refusals
    # The day of the return is refused before it, accepted on it; the rest as their status says.
    early = assess(
        ctx,
        pharmacist,
        *named,
        witness="tech",
        method="x",
        destroyed_on=date(2026, 1, 20),
        **PAPERWORK,
    )
    by_kit = {v.kit: v for v in early.kits}
    assert by_kit["K0011"].message.startswith("Kit K0011 was returned on 2026-01-26")
    assert by_kit["K0002"].message and by_kit["Z0001"].message and by_kit[dispensed].message
    assert by_kit["K0015"].accepted and by_kit["K0015"].status is KitStatus.EXPIRED
    assert by_kit["K0003"].accepted and by_kit["K0003"].needs_reason
    assert [v.kit for v in early.kits].count("K0001") == 1
    assert [v.kit for v in early.kits].count("Z0001") == 2
    later = assess(
        ctx,
        pharmacist,
        *named,
        witness="tech",
        method="x",
        destroyed_on=date(2026, 2, 1),
        **PAPERWORK,
    )
    by_kit = {v.kit: v for v in later.kits}
    assert by_kit["K0011"].accepted
    assert by_kit[back_empty].message.startswith(f"Kit {back_empty} was returned on 2026-02-16")
