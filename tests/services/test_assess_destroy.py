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

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import DispensaryError, InvalidInput, NotFound, RuleViolation
from dispensary.services import (
    destruction,
    dispensing,
    participants,
    queries,
    receiving,
    returns,
)
from dispensary.services.assessment import DestroyAssessment, DestroyCheck, DestroyRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.receiving import KitIn
from dispensary.services.results import DestroyResult, DispenseResult
from dispensary.study import Study

from .helpers import P75, TECH_PASSWORD, WITNESSED

Password = Callable[[Actor], str]
PASSWORD = "pharm-pass-1"
PAPERWORK: dict[str, Any] = {"reference": "AUTH-1", "reason_code": "damaged"}


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
        participants.enroll(self.ctx, self.pharmacist, "01-001", "AB", 1970, "F", "Dr Liu")

    @rule(kit=st.sampled_from(KITS[:5]), back=st.booleans())
    def dispensed_and_maybe_back(self, kit: str, back: bool) -> None:
        """A kit goes out (cycle 1, or the next once the last came back), and may come back."""
        with suppress(RuleViolation):
            cycle = len(returns_of(self)) + 1
            done = dispensing.dispense_cycle(
                self.ctx,
                self.pharmacist,
                "01-001",
                cycle,
                self.clock.today(),
                PASSWORD,
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
