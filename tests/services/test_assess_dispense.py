"""Assess, then act: `assess_dispense` shows what `dispense_cycle` will do, because both run the
one dispensing policy. A few examples, then a property over random counter states and requests:
the assessment refuses exactly when the dispense refuses (with the same message), and asks for an
override exactly when the dispense requires one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

import signed
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import DispensaryError, NotFound, RuleViolation
from dispensary.services import dispensing, participants, quarantine, queries, receiving, returns
from dispensary.services.assessment import (
    DispenseAssessment,
    DispenseCheck,
    DispenseRequest,
    OverrideNeeds,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.receiving import KitIn
from dispensary.services.results import DispenseResult
from dispensary.study import Study

from .conftest import Stock
from .helpers import EARLY, N25, N75, P25, P75, receive

Password = Callable[[Actor], str]
PASSWORD = "pharm-pass-1"


def test_an_assessment_writes_nothing_and_shows_what_is_due(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    before = snapshot(ctx)
    found = dispensing.assess_dispense(ctx, pharmacist, DispenseRequest("01-001"))
    assert snapshot(ctx) == before
    assert (found.cycle, found.cycle_due, found.day1) == (1, 1, date(2026, 1, 5))
    assert (found.earliest_day1, found.latest_day1) == (date(2026, 1, 5), date(2026, 1, 12))
    assert [k.number for k in found.proposed] == ["K0011"]  # lot L2 expires first
    assert (found.tablets_needed, found.tablets_in_kits, found.accepted) == (21, 21, True)


def test_each_scanned_code_gets_a_verdict(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor
) -> None:
    request = DispenseRequest("01-001", kits=("K0012", "S0001", "01-001", "Z0001", "K0012"))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    verdicts = [(v.code, v.accepted) for v in found.kits]
    assert verdicts == [
        ("K0012", True),
        ("S0001", False),
        ("01-001", False),
        ("Z0001", False),
        ("K0012", False),
    ]
    messages = [v.message for v in found.kits]
    assert messages[1] == (  # each product by its name, not its code
        f"Kit S0001 holds {N25}; this dose (7.5 mg once daily) needs {N75}. Take a kit of the"
        " right product."
    )
    assert messages[2].startswith("01-001 is a participant's study number, not a kit")
    assert messages[3].startswith("Kit Z0001 is not in this pharmacy's stock")
    assert messages[4] == "Kit K0012 is already scanned for this dispense."
    assert found.kits[2].participant == "01-001"
    assert [r.code for r in found.refusals] == [DispenseCheck.KIT] * 4
    assert found.warnings == ()  # K0012 expires with K0011: a first-expiry kit too


def test_a_lot_or_a_dispensing_label_scanned_as_a_kit_is_named_as_what_it_is(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor
) -> None:
    """They were 'not in this pharmacy's stock ... receive the kit's shipment first'."""
    request = DispenseRequest("01-001", kits=("l2", "DSP000110", " dsp000001 "))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    assert [(v.code, v.accepted) for v in found.kits] == [
        ("L2", False),
        ("DSP000110", False),
        ("DSP000001", False),
    ]
    scan_the_kit = (
        "Scan the barcode on the kit's own label, or type the kit number printed under it."
    )
    assert [v.message for v in found.kits] == [
        f"L2 is a lot number, not a kit. {scan_the_kit}",
        f"DSP000110 is a dispensing label's number, not a kit. {scan_the_kit}",
        f"DSP000001 is a dispensing label's number, not a kit. {scan_the_kit}",
    ]
    assert [r.message for r in found.refusals][:3] == [v.message for v in found.kits]


def test_the_first_expiry_kit_named_replaces_the_later_kit_it_was_named_against(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """Scanned after a later kit, the kit the warning said to take instead is not refused as
    not needed: it replaces the later kit, which is to be put back."""
    later = dispensing.assess_dispense(ctx, pharmacist, DispenseRequest("01-001", kits=("K0003",)))
    [warning] = later.warnings
    assert warning.code is DispenseCheck.NOT_FIRST_EXPIRY
    assert warning.message.endswith("take kit K0011 instead.")
    request = DispenseRequest("01-001", kits=("K0003", "K0011"))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    put_back = "Kit K0011 replaces kit K0003: put K0003 back."
    assert [(v.code, v.accepted, v.message, v.replaces) for v in found.kits] == [
        ("K0003", False, put_back, ""),
        ("K0011", True, "", "K0003"),
    ]
    assert [k.number for k in found.scanned] == ["K0011"]
    assert [(r.code, r.message) for r in found.refusals] == [(DispenseCheck.KIT, put_back)]
    assert found.warnings == ()  # K0011 is the first expiry
    # Signed with both kits, the dispense is refused the same way: nothing written.
    with pytest.raises(RuleViolation, match="put K0003 back"):
        dispensing.dispense_cycle(
            ctx, pharmacist, "01-001", 1, date(2026, 1, 5), pw(pharmacist), kits=["K0003", "K0011"]
        )
    assert queries.kit_detail(ctx, pharmacist, "K0003").status is KitStatus.AVAILABLE


def test_any_kit_expiring_with_the_one_named_replaces_the_later_kit_too(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The warning names one first-expiry kit (K0011), but first expiry first out takes any kit
    of its product expiring no later: K0012 (lot L2, as K0011) replaces K0003 as K0011 does. It
    was refused as not needed, K0003 kept. A kit not available, or expiring after the kit named
    (still before K0003), is refused as before, K0003 kept."""
    request = DispenseRequest("01-001", kits=("K0003", "K0012"))
    found = dispensing.assess_dispense(ctx, pharmacist, request)
    put_back = "Kit K0012 replaces kit K0003: put K0003 back."
    assert [(v.code, v.accepted, v.message, v.replaces) for v in found.kits] == [
        ("K0003", False, put_back, ""),
        ("K0012", True, "", "K0003"),
    ]
    assert [k.number for k in found.scanned] == ["K0012"]
    assert [(r.code, r.message) for r in found.refusals] == [(DispenseCheck.KIT, put_back)]
    assert found.warnings == ()
    # Not available (quarantined), though it expires with K0011: refused for what it is.
    quarantine.quarantine(ctx, pharmacist, ["K0013"], "dented")
    # Expiring between K0011 and K0003: no first-expiry choice either, so not needed.
    receive(ctx, pharmacist, "K0021-K0022", "L3", EARLY + timedelta(days=90))
    for kit, words in (("K0013", "quarantined"), ("K0021", "Kit K0021 is not needed")):
        request = DispenseRequest("01-001", kits=("K0003", kit))
        verdicts = dispensing.assess_dispense(ctx, pharmacist, request).kits
        assert [(v.code, v.accepted, v.replaces) for v in verdicts] == [
            ("K0003", True, ""),
            (kit, False, ""),
        ]
        assert words in verdicts[1].message, verdicts[1].message
    # Signed so, K0012 alone goes out: the warning's reason is not asked.
    result = dispensing.dispense_cycle(
        ctx, pharmacist, "01-001", 1, date(2026, 1, 5), pw(pharmacist), kits=["K0012"]
    )
    assert [k.kit for k in result.kits] == ["K0012"]


def test_a_lot_or_a_dispensing_label_where_another_step_expects_a_kit(
    ctx: Context, stock: Stock, pharmacist: Actor
) -> None:
    """The same words wherever a kit is looked up (here a quarantine)."""
    for code, words in (("L1", "L1 is a lot number, not a kit"), ("DSP000001", "dispensing label")):
        with pytest.raises(NotFound, match=words):
            quarantine.quarantine(ctx, pharmacist, [code], "dented")


def test_a_dose_change_is_a_warning_that_needs_who_ordered_it(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), dispense=cycle1.number)
    found = dispensing.assess_dispense(ctx, pharmacist, DispenseRequest("01-001", dose_level=-1))
    [warning] = found.warnings
    assert (warning.code, warning.needs, warning.given) == (
        DispenseCheck.DOSE_CHANGE,
        OverrideNeeds.ORDERED_BY,
        False,
    )
    assert found.override_text().startswith("The dose changes from level 0 to -1")
    ordered = DispenseRequest("01-001", dose_level=-1, dose_ordered_by="Dr Liu")
    assert dispensing.assess_dispense(ctx, pharmacist, ordered).accepted


# -- the property -------------------------------------------------------------------------------

PEOPLE = ("01-001", "01-002", "01-003")


def outcome(found: DispenseAssessment) -> str:
    if found.refusals:
        return "refused"
    return "override" if found.overrides_missing else "accepted"


ACKNOWLEDGED = ("day1_interval", "previous_return_missing", "platelets_hold", "not_first_expiry")


class Counter(RuleBasedStateMachine):
    """One pharmacy in random states; each request is assessed, then dispensed for real."""

    seen: dict[str, int] = {}  # outcomes over every run, so the test can show it tried them all

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
        self.serial = 0

    def teardown(self) -> None:
        self.release(self.ctx)

    @initialize(stopped=st.booleans())
    def open_the_pharmacy(self, stopped: bool) -> None:
        for number in PEOPLE:
            participants.enroll(
                self.ctx,
                self.pharmacist,
                number,
                "AB",
                1970,
                "F",
                "Dr Liu",
                criteria_confirmed=participants.eligibility_checklist(self.ctx.study),
            )
        if stopped:
            participants.set_status(
                self.ctx,
                self.pharmacist,
                PEOPLE[2],
                "discontinued",
                "left",
                password="pharm-pass-1",
            )
        today = self.clock.today()
        for product, lasts, kits in ((P75, 40, 2), (P75, 400, 3), (P25, 400, 2), (P75, 20, 1)):
            self.receive(product, today + timedelta(days=lasts), kits)

    def receive(self, product: str, expiry: date, kits: int) -> None:
        per_kit = self.ctx.study.product(product).tablets_per_kit
        lot = f"L{expiry:%y%m%d}{'S' if product == P25 else 'B'}"  # one product's lot number
        listed = []
        for _ in range(kits):
            self.serial += 1
            listed.append(KitIn(f"K{self.serial:04d}", product, lot, expiry, per_kit))
        receiving.receive_shipment(self.ctx, self.pharmacist, f"SH-{self.serial}", listed)

    def time_passes(self, days: int) -> None:
        self.clock.set_date(self.clock.today() + timedelta(days=days))

    def tablets_come_back(self, who: str) -> None:
        rows = queries.participant_history(self.ctx, self.pharmacist, who)[1]
        if rows and rows[-1].returned is None:
            last = rows[-1]
            returns.record_return(
                self.ctx, self.pharmacist, last.kits[0], 0, PASSWORD, last.dispense_number
            )

    @rule(index=st.integers(0, 99), release=st.booleans())
    def quarantine_or_release(self, index: int, release: bool) -> None:
        kits = queries.inventory(self.ctx, self.pharmacist)
        kit = kits[index % len(kits)].number
        with suppress(RuleViolation):  # not available, or not quarantined
            if release:
                signed.release(
                    self.ctx, self.pharmacist, [kit], "sponsor's decision", "TE-2026-014"
                )
            else:
                quarantine.quarantine(self.ctx, self.pharmacist, [kit], "sponsor's decision")

    @rule(
        who=st.sampled_from(PEOPLE),
        days=st.sampled_from([0, 0, 1, 5, 18, 21, 21, 25]),
        back=st.sampled_from([True, True, False]),
        cycle_offset=st.sampled_from([0, 0, 0, 0, 0, 1, -1]),
        day1_offset=st.sampled_from([0, 0, 0, 0, -3, 5, 9, -9]),
        level=st.sampled_from([0, 0, 0, -1, -2]),
        scans=st.sampled_from([0, 0, 0, 0, 1, 2]),
        index=st.integers(0, 99),
        odd_code=st.sampled_from(["", "", "", "", "", "01-002", "Z9999"]),
        reason=st.booleans(),
        acknowledged=st.sampled_from(
            [(), (), ("previous_return_missing",), ("platelets_hold",), ACKNOWLEDGED]
        ),
        ordered_by=st.booleans(),
        platelets=st.sampled_from([None, None, 60.0, 100.0, 150.0]),
    )
    def assess_then_dispense(
        self,
        who: str,
        days: int,
        back: bool,
        cycle_offset: int,
        day1_offset: int,
        level: int,
        scans: int,
        index: int,
        odd_code: str,
        reason: bool,
        acknowledged: tuple[str, ...],
        ordered_by: bool,
        platelets: float | None,
    ) -> None:
        """Time passes, the tablets may come back, and a dispense is asked for."""
        self.time_passes(days)
        if back:
            self.tablets_come_back(who)
        # the cycle after the last: asked for even once treatment has ended (no next cycle)
        due = (queries.participant(self.ctx, self.pharmacist, who).last_cycle or 0) + 1
        kits = [k.number for k in queries.inventory(self.ctx, self.pharmacist)]
        scanned = [kits[(index + 3 * n) % len(kits)] for n in range(scans)]
        scanned += [odd_code] if odd_code else []
        request = DispenseRequest(
            study_number=who,
            cycle=max(1, due + cycle_offset),
            day1=self.clock.today() + timedelta(days=day1_offset),
            dose_level=level,
            kits=tuple(scanned),
            override_reason="investigator's instruction" if reason else "",
            overrides=acknowledged,  # named, as a dispense names them
            platelet_count=platelets,
            dose_ordered_by="Dr Liu" if ordered_by else "",
        )
        self.compare(request)

    def compare(self, request: DispenseRequest) -> None:
        assert request.cycle is not None and request.day1 is not None
        assert request.dose_level is not None
        found: DispenseAssessment | DispensaryError
        try:
            found = dispensing.assess_dispense(self.ctx, self.pharmacist, request)
        except DispensaryError as exc:
            found = exc
        done: DispenseResult | DispensaryError
        try:
            done = dispensing.dispense_cycle(
                self.ctx,
                self.pharmacist,
                request.study_number,
                request.cycle,
                request.day1,
                PASSWORD,
                dose_level=request.dose_level,
                kits=request.kits,
                override_reason=request.override_reason,
                overrides=request.overrides or (),
                platelet_count=request.platelet_count,
                dose_ordered_by=request.dose_ordered_by,
            )
        except DispensaryError as exc:
            done = exc
        if isinstance(found, DispensaryError):
            assert isinstance(done, type(found)) and done.message == found.message, (found, done)
            self.count("raised")
            return
        kind = outcome(found)
        self.count(kind)
        for refusal in found.refusals[:1]:
            self.count(refusal.code.value)
        if kind == "refused":
            first = found.refusals[0]
            assert isinstance(done, first.error), (found, done)
            assert done.message == first.message
        elif kind == "override":
            assert isinstance(done, RuleViolation), (found, done)
            assert done.message == found.override_text()
        else:
            assert isinstance(done, DispenseResult), (found, done)
            assert [k.kit for k in done.kits] == [k.number for k in found.kits_to_dispense]
            assert done.warnings == tuple(w.message for w in found.needs(OverrideNeeds.REASON))
            assert done.overrides == tuple(w.code for w in found.needs(OverrideNeeds.REASON))
            assert done.notices == tuple(n.message for n in found.notices)
            assert (done.cycle, done.day1, done.tablets) == (
                found.cycle,
                found.day1,
                found.tablets_in_kits,
            )

    def count(self, kind: str) -> None:
        Counter.seen[kind] = Counter.seen.get(kind, 0) + 1


def test_the_assessment_refuses_and_warns_exactly_as_the_dispense_does(
    databases: Any, study: Study, _template: Any
) -> None:
    Counter.seen = {}
    run_state_machine_as_test(
        lambda: Counter(
            lambda clock: databases.context(study, clock), databases.release, _template.actors
        ),
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
            database=None,
        ),
    )
    print(f"\nassess then dispense, by outcome: {Counter.seen}")
    assert {"accepted", "refused", "override"} <= set(Counter.seen), Counter.seen
    assert Counter.seen["accepted"] >= 20 and Counter.seen["override"] >= 5, Counter.seen
