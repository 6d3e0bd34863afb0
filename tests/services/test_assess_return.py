"""Assess, then act, for a return: `assess_return` shows what `record_return` will refuse and
record, because both run the one return policy. Examples, then a property over random counter
states: the assessment refuses exactly when the return is refused (with the same message), and
its adherence preview is what the return then records."""

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

from dispensary.domain.codes import Flag, KitStatus
from dispensary.domain.errors import DispensaryError, InvalidInput, NotFound, RuleViolation
from dispensary.services import dispensing, participants, queries, receiving, returns
from dispensary.services.assessment import ReturnAssessment, ReturnCheck, ReturnRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.receiving import KitIn
from dispensary.services.results import DispenseResult, ReturnResult
from dispensary.study import Study

from .conftest import Stock
from .helpers import P25, P75, dispense, enroll, read_then_dispense, receive_small_kits

Password = Callable[[Actor], str]
PASSWORD = "pharm-pass-1"
NEXT_DAY1 = date(2026, 1, 26)


@pytest.fixture
def back(clock: FixedClock, cycle1: DispenseResult) -> DispenseResult:
    clock.set_date(NEXT_DAY1)
    return cycle1


def assess(ctx: Context, actor: Actor, **request: Any) -> ReturnAssessment:
    return returns.assess_return(ctx, actor, ReturnRequest(**request))


def codes(found: ReturnAssessment) -> list[ReturnCheck]:
    return [r.code for r in found.refusals]


def test_a_scanned_label_shows_the_dispense_and_its_kits_and_writes_nothing(
    ctx: Context,
    back: DispenseResult,
    technician: Actor,
    snapshot: Callable[[Context], object],
) -> None:
    before = snapshot(ctx)
    found = assess(ctx, technician, scanned=back.number.lower())
    assert snapshot(ctx) == before
    assert (found.dispense.number, found.dispense.participant, found.kit) == (
        "DSP000001",
        "01-001",
        "K0011",
    )
    [line] = found.kits
    assert (line.kit, line.dispensed, line.to_count, line.state) == ("K0011", 21, True, "to count")
    assert (found.tablets, found.preview, found.refusals, found.accepted) == (None, None, (), False)


def test_a_kit_or_the_participant_number_finds_the_same_dispense(
    ctx: Context, back: DispenseResult, technician: Actor
) -> None:
    assert assess(ctx, technician, scanned="k0011").dispense.number == "DSP000001"
    assert assess(ctx, technician, scanned="01-001").dispense.number == "DSP000001"
    with pytest.raises(NotFound, match=r"Kit K0001 was never dispensed \(it is available\)"):
        assess(ctx, technician, scanned="K0001")
    with pytest.raises(NotFound, match="no dispense 'DSP000009'"):
        assess(ctx, technician, scanned="DSP000009")
    with pytest.raises(InvalidInput, match="Scan the barcode"):
        assess(ctx, technician, scanned="  ")
    with pytest.raises(NotFound, match="L2 is a lot number, not a kit"):
        assess(ctx, technician, scanned="l2")


def test_a_lot_or_a_dispensing_label_given_as_the_kit_is_named_as_what_it_is(
    ctx: Context, back: DispenseResult, technician: Actor
) -> None:
    """`return --kit DSP000001` said kit DSP000001 was not dispensed in DSP000001."""
    found = assess(ctx, technician, dispense="DSP000001", kit="DSP000001", tablets=1)
    assert found.refusals[0].message.startswith(
        "DSP000001 is a dispensing label's number, not a kit. Scan the barcode on the kit's own"
    )
    found = assess(ctx, technician, dispense="DSP000001", kit="L2", tablets=1)
    assert found.refusals[0].message.startswith("L2 is a lot number, not a kit.")
    found = assess(ctx, technician, dispense="DSP000001", kit="K0001", tablets=1)
    assert found.refusals[0].message.startswith(
        "Kit K0001 was not dispensed in DSP000001 (cycle 1); its kits are K0011."
    )


def test_a_kit_of_another_dispense_is_refused_naming_whose_it_is_and_nothing_moves(
    ctx: Context, back: DispenseResult, pharmacist: Actor, technician: Actor, pw: Password
) -> None:
    """01-001's label open, 01-002's bottle scanned: refused for 01-001's return, never taken
    as 01-002's return in its place; the command's --kit likewise."""
    enroll(ctx, pharmacist, "01-002", initials="CD")
    theirs = dispense(ctx, pharmacist, pw(pharmacist), number="01-002")
    [kit] = [k.kit for k in theirs.kits]
    found = assess(ctx, technician, dispense=back.number, scanned=kit)
    assert (found.dispense.number, found.kit, codes(found)) == (
        back.number,
        kit,
        [ReturnCheck.KIT_ELSEWHERE],
    )
    said = (
        f"Kit {kit} was dispensed to 01-002 ({theirs.number}), not to 01-001 ({back.number})."
        f" Check whose bottle it is: if it is 01-002's, record its return under {theirs.number}."
    )
    assert found.refusals[0].message == said
    typed = assess(ctx, technician, dispense=back.number, kit=kit, tablets=3)
    assert [(r.code, r.message) for r in typed.refusals] == [(ReturnCheck.KIT_ELSEWHERE, said)]
    with pytest.raises(RuleViolation, match=re.escape(said)):
        returns.record_return(ctx, technician, kit, 3, pw(technician), dispense=back.number)
    # Her own kit, another label or a participant scanned with her label open: as scanned.
    assert assess(ctx, technician, dispense=back.number, scanned="k0011").kit == "K0011"
    assert assess(ctx, technician, dispense=back.number, scanned="01-002").dispense.number == (
        theirs.number
    )
    assert assess(ctx, technician, scanned=kit).dispense.number == theirs.number  # no label open


def test_a_kit_of_the_same_participants_other_cycle_names_that_cycle(
    ctx: Context, back: DispenseResult, pharmacist: Actor, technician: Actor, pw: Password
) -> None:
    returns.record_return(ctx, technician, "K0011", 0, pw(technician), dispense=back.number)
    second = dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    [kit] = [k.kit for k in second.kits]
    found = assess(ctx, technician, dispense=back.number, scanned=kit)
    assert codes(found) == [ReturnCheck.KIT_ELSEWHERE]
    assert found.refusals[0].message == (
        f"Kit {kit} went out in {second.number} (cycle 2), not in {back.number} (cycle 1)."
        f" Count it under {second.number}."
    )


def test_a_code_that_names_nothing_is_named_as_what_it_looks_like(
    ctx: Context, back: DispenseResult, pharmacist: Actor, technician: Actor
) -> None:
    enroll(ctx, pharmacist, "01-002", initials="CD")
    with pytest.raises(NotFound, match="01-002 has no dispense waiting for a return: nothing"):
        assess(ctx, technician, scanned="01-002")
    with pytest.raises(NotFound, match=r"^DSP00001 is not a dispensing label's number"):
        assess(ctx, technician, scanned="dsp00001")
    with pytest.raises(NotFound, match=r"^Participant 01-00I is not enrolled in this study\."):
        assess(ctx, technician, scanned="01-00I")
    with pytest.raises(NotFound, match=r"^Kit K00O1 is not in this pharmacy's stock\. Check"):
        assess(ctx, technician, scanned="K00O1")
    with pytest.raises(NotFound, match=r"^XYZ is not a dispensing label, kit or participant"):
        assess(ctx, technician, scanned="xyz")


def test_once_every_kit_is_back_the_participant_has_no_bottle_out(
    ctx: Context, back: DispenseResult, technician: Actor, pw: Password
) -> None:
    returns.record_return(ctx, technician, "K0011", 0, pw(technician), dispense=back.number)
    with pytest.raises(NotFound, match="01-001 has no dispense waiting for a return: every"):
        assess(ctx, technician, scanned="01-001")
    found = assess(ctx, technician, scanned=back.number)
    assert codes(found) == [ReturnCheck.ALL_BACK]
    assert found.kits[0].state == KitStatus.RETURNED.label
    assert found.kits[0].returned == 0
    again = assess(ctx, technician, dispense=back.number, kit="K0011", tablets=1)
    assert codes(again) == [ReturnCheck.ALREADY_RECORDED]


def test_the_count_typed_gets_its_refusals(
    ctx: Context, back: DispenseResult, technician: Actor
) -> None:
    too_many = assess(ctx, technician, scanned=back.number, tablets=25)
    assert codes(too_many) == [ReturnCheck.TOO_MANY]
    assert too_many.refusals[0].message.startswith("25 tablets returned for kit K0011, but only")
    assert too_many.preview is None and not too_many.accepted
    early = assess(
        ctx, technician, dispense=back.number, tablets=1, returned_on=date(2026, 1, 4), held_days=22
    )
    assert codes(early) == [ReturnCheck.HELD_DAYS, ReturnCheck.RETURN_DATE]
    assert early.refusals[0].error is InvalidInput
    wrong_kit = assess(ctx, technician, dispense=back.number, kit="K0001", tablets=1)
    assert codes(wrong_kit) == [ReturnCheck.KIT]
    assert "its kits are K0011" in wrong_kit.refusals[0].message


def test_a_voided_dispense_is_refused(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    dispensing.void_dispense(ctx, pharmacist, cycle1.number, "wrong kit", pw(pharmacist))
    found = assess(ctx, pharmacist, dispense=cycle1.number, tablets=0)
    assert codes(found)[0] is ReturnCheck.VOIDED
    with pytest.raises(RuleViolation, match=re.escape(found.refusals[0].message)):
        returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), cycle1.number)


def test_the_preview_is_the_adherence_the_return_records(
    ctx: Context, back: DispenseResult, technician: Actor, pw: Password
) -> None:
    found = assess(ctx, technician, scanned=back.number, tablets=10)
    preview = found.preview
    assert preview is not None and found.accepted
    assert (preview.kit_dispensed, preview.kit_returned, preview.kit_taken) == (21, 10, 11)
    assert (preview.expected, preview.taken, preview.flags, preview.complete) == (
        21,
        11,
        (Flag.UNDER_USE,),
        True,
    )
    assert preview.needs_explanation
    noted = assess(ctx, technician, scanned=back.number, tablets=10, note="vomited")
    assert noted.preview is not None and not noted.preview.needs_explanation
    held = assess(ctx, technician, scanned=back.number, tablets=10, held_days=10)
    assert held.preview is not None and (held.preview.expected, held.preview.flags) == (11, ())

    done = returns.record_return(ctx, technician, "K0011", 10, pw(technician), back.number)
    assert (done.taken, done.expected, done.adherence, done.flags) == (
        preview.taken,
        preview.expected,
        preview.adherence,
        preview.flags,
    )


def test_a_kit_of_several_shows_what_is_left_to_count(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, clock: FixedClock
) -> None:
    small = [KitIn(f"H{n:04d}", P75, "LH", date(2027, 6, 30), 12) for n in (1, 2)]
    receive_small_kits(ctx, pharmacist, "SH-H", small)
    record = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        kits=["H0001", "H0002"],
        override_reason="x",
        overrides=["not_first_expiry"],
    )
    clock.set_date(NEXT_DAY1)
    first = assess(ctx, pharmacist, scanned="H0002", tablets=2)
    assert first.kit == "H0002" and first.preview is not None
    assert (first.preview.kits_left, first.preview.expected, first.preview.taken) == (1, 0, 22)
    returns.record_return(ctx, pharmacist, "H0002", 2, pw(pharmacist), record.number)
    second = assess(ctx, pharmacist, scanned="01-001", tablets=1)
    assert [k.kit for k in second.kits_to_count] == ["H0001"] and second.kit == "H0001"
    assert second.preview is not None and second.preview.complete
    assert (second.preview.returned, second.preview.taken, second.preview.expected) == (3, 21, 21)


# -- the property -------------------------------------------------------------------------------

PEOPLE = ("01-001", "01-002")


class ReturnCounter(RuleBasedStateMachine):
    """One pharmacy in random states; each return is assessed, then recorded for real."""

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
        self.voided: list[tuple[str, str]] = []  # (dispense, its first kit)

    def teardown(self) -> None:
        self.release(self.ctx)

    @initialize()
    def open_the_pharmacy(self) -> None:
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
        expiry = self.clock.today() + timedelta(days=400)
        small = [KitIn(f"H{n:04d}", P75, "LH", expiry, 12) for n in range(1, 13)]  # 2 a cycle
        receive_small_kits(self.ctx, self.pharmacist, "SH-0", small)
        listed = [KitIn(f"K{n:04d}", P75, "LK", expiry, 21) for n in range(1, 9)]
        listed += [KitIn(f"S{n:04d}", P25, "LS", expiry, 42) for n in range(1, 5)]
        receiving.receive_shipment(self.ctx, self.pharmacist, "SH-1", listed)

    def history(self, who: str) -> list[Any]:
        return queries.participant_history(self.ctx, self.pharmacist, who)[1]

    def dispense_next(self, who: str, level: int, pair: bool) -> None:
        due = queries.participant(self.ctx, self.pharmacist, who).next_cycle
        free = [
            k.number
            for k in queries.inventory(self.ctx, self.pharmacist, status=KitStatus.AVAILABLE)
            if k.number.startswith("H")
        ]
        kits = free[:2] if pair and level == 0 and len(free) >= 2 else []
        with suppress(RuleViolation):  # too early, out of stock
            read_then_dispense(
                self.ctx,
                self.pharmacist,
                PASSWORD,
                who,
                due,
                self.clock.today(),
                dose_level=level,
                kits=kits,
                override_reason="investigator's instruction",
                dose_ordered_by="Dr Liu",
            )

    @rule(who=st.sampled_from(PEOPLE))
    def void_the_last(self, who: str) -> None:
        rows = self.history(who)
        if rows:
            with suppress(RuleViolation):  # returns recorded
                dispensing.void_dispense(  # its kits scanned back, on a later day too
                    self.ctx,
                    self.pharmacist,
                    rows[-1].dispense_number,
                    "wrong kit",
                    PASSWORD,
                    rows[-1].kits,
                )
                self.voided.append((rows[-1].dispense_number, rows[-1].kits[0]))

    @rule(
        who=st.sampled_from(PEOPLE),
        days=st.sampled_from([0, 1, 5, 21, 21]),
        level=st.sampled_from([0, 0, -1]),
        pair=st.booleans(),
        which=st.integers(0, 9),
        kit=st.sampled_from(["first", "first", "second", "other", "none"]),
        tablets=st.sampled_from([0, 0, 3, 10, 12, 21, 25, 43]),
        held=st.sampled_from([0, 0, 0, 5, 30]),
        back_days=st.sampled_from([0, 0, 0, 3, 30]),
        note=st.sampled_from(["", "", "missed doses"]),
        by=st.sampled_from(["dispense", "dispense", "participant", "voided"]),
    )
    def assess_then_return(
        self,
        who: str,
        days: int,
        level: int,
        pair: bool,
        which: int,
        kit: str,
        tablets: int,
        held: int,
        back_days: int,
        note: str,
        by: str,
    ) -> None:
        """Time passes, the next cycle may be dispensed, and a kit of a dispense comes back."""
        self.clock.set_date(self.clock.today() + timedelta(days=days))
        self.dispense_next(who, level, pair)
        dispenses = self.history(who)
        if not dispenses:
            return
        row = dispenses[which % len(dispenses)]
        kit_number = {
            "first": row.kits[0],
            "second": row.kits[-1],
            "other": "K0008",
            "none": None,
        }[kit]
        named: dict[str, Any] = {"dispense": row.dispense_number}
        if by == "participant":
            named = {"study_number": who, "cycle": row.cycle}
        elif by == "voided" and self.voided:
            number, first = self.voided[which % len(self.voided)]
            named, kit_number = {"dispense": number}, first
        request = ReturnRequest(
            kit=kit_number,
            tablets=tablets,
            returned_on=self.clock.today() - timedelta(days=back_days),
            held_days=held,
            note=note,
            **named,
        )
        self.compare(request)

    def compare(self, request: ReturnRequest) -> None:
        found: ReturnAssessment | DispensaryError
        try:
            found = returns.assess_return(self.ctx, self.pharmacist, request)
        except DispensaryError as exc:
            found = exc
        done: ReturnResult | DispensaryError
        try:
            done = returns.record_return(
                self.ctx,
                self.pharmacist,
                request.kit
                or (found.kit if isinstance(found, ReturnAssessment) else "")
                or "K0008",
                request.tablets,  # type: ignore[arg-type]
                PASSWORD,
                dispense=request.dispense,
                study_number=request.study_number,
                cycle=request.cycle,
                returned_on=request.returned_on,
                held_days=request.held_days,
                note=request.note,
            )
        except DispensaryError as exc:
            done = exc
        if isinstance(found, DispensaryError):
            assert isinstance(done, type(found)) and done.message == found.message, (found, done)
            self.count("raised")
            return
        if not found.kit:  # no kit named and none left to count: the return needs a kit
            assert [r.code for r in found.refusals][-1] is ReturnCheck.ALL_BACK
            self.count("all_back")
            return
        if found.refusals:
            first = found.refusals[0]
            self.count(first.code.value)
            assert isinstance(done, first.error) and done.message == first.message, (found, done)
            return
        self.count("accepted")
        assert isinstance(done, ReturnResult), (found, done)
        preview = found.preview
        assert preview is not None
        assert (done.kit, done.tablets_returned, done.dispensed, done.returned) == (
            preview.kit,
            preview.kit_returned,
            preview.dispensed,
            preview.returned,
        )
        assert (done.taken, done.expected, done.adherence, done.flags) == (
            preview.taken,
            preview.expected,
            preview.adherence,
            preview.flags,
        )

    def count(self, kind: str) -> None:
        ReturnCounter.seen[kind] = ReturnCounter.seen.get(kind, 0) + 1


def test_the_assessment_refuses_exactly_as_the_return_does(
    databases: Any, study: Study, _template: Any
) -> None:
    ReturnCounter.seen = {}
    run_state_machine_as_test(
        lambda: ReturnCounter(
            lambda clock: databases.context(study, clock), databases.release, _template.actors
        ),
        settings=settings(
            max_examples=25,
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            derandomize=True,
            database=None,
        ),
    )
    print(f"\nassess then return, by outcome: {ReturnCounter.seen}")
    seen = set(ReturnCounter.seen)
    assert {"accepted", "too_many", "already_recorded", "kit", "voided"} <= seen, seen
    assert ReturnCounter.seen["accepted"] >= 10, ReturnCounter.seen
