"""Dispensing a cycle: every rule at the counter, the signature, the second check, and voiding."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.services import (
    audit,
    destruction,
    dispensing,
    participants,
    quarantine,
    queries,
    reconciliation,
    returns,
    studies,
)
from dispensary.services.assessment import (
    DispenseCheck,
    DispenseRequest,
    OverrideMissing,
    OverrideNeeds,
    OverrideUnmatched,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import (
    IN_HAND,
    LATE,
    N25,
    N75,
    P25,
    P75,
    WITNESSED,
    dispense,
    enroll,
    receive,
    return_all,
    scalar,
    sql,
    write_off,
)

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
DAY1 = date(2026, 1, 5)


def kit_status(ctx: Context, actor: Actor, number: str) -> KitStatus:
    return queries.kit_detail(ctx, actor, number).status


def test_first_cycle_first_expiry_first_out(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert result.number == "DSP000001"
    assert (result.participant, result.initials, result.cycle) == ("01-001", "AB", 1)
    assert [(k.kit, k.lot, k.expiry, k.tablets) for k in result.kits] == [
        ("K0011", "L2", date(2026, 12, 31), 21)
    ]
    assert (result.tablets, result.days, result.day1) == (21, 21, DAY1)
    assert (result.last_day, result.dispensed_on) == (date(2026, 1, 25), DAY1)
    assert (result.dose_level, result.dose_name) == (0, "7.5 mg once daily")
    assert result.directions.startswith("Take 1 tablet by mouth once daily in the evening")
    assert "starting the evening of 2026-01-05, for 21 days." in result.directions
    assert (result.pharmacist, result.pharmacist_initials, result.checked_by) == (
        "Paula Pharm",
        "PP",
        "",
    )
    assert result.warnings == ()
    assert kit_status(ctx, pharmacist, "K0011") is KitStatus.DISPENSED
    [row] = [r for r in queries.ledger_rows(ctx, pharmacist) if r.kind == "dispense"]
    assert (row.kit, row.quantity, row.participant, row.initials, row.dispense) == (
        "K0011",
        21,
        "01-001",
        "AB",
        "DSP000001",
    )
    assert scalar(ctx, "SELECT meaning FROM signatures WHERE record_type = 'dispense'") == (
        "dispensed"
    )
    [entry] = audit.list_entries(ctx, pharmacist, action="dispense")
    assert entry.entity_id == "DSP000001" and '"kits":["K0011"]' in entry.new
    assert queries.get_dispense_detail(ctx, pharmacist, "DSP000001") == replace(result)
    assert audit.verify(ctx, pharmacist).ok


def test_fefo_skips_kits_that_expire_before_the_supply_lasts(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    # Last day of supply 2026-01-25, plus the study's 7 days: a kit must last to 2026-02-01.
    receive(ctx, pharmacist, "K0900", "SHORT", date(2026, 1, 31))
    receive(ctx, pharmacist, "K0901", "JUST", date(2026, 2, 1))
    assert [k.kit for k in dispense(ctx, pharmacist, pw(pharmacist)).kits] == ["K0901"]
    assert kit_status(ctx, pharmacist, "K0900") is KitStatus.AVAILABLE


def test_reduced_dose_uses_the_other_strength(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(ctx, pharmacist, pw(pharmacist), dose_level=-1, dose_ordered_by="Dr Liu")
    assert [(k.kit, k.product, k.tablets) for k in result.kits] == [("S0001", P25, 42)]
    assert result.directions.startswith("Take 2 tablets by mouth")


def test_whole_kits_are_handed_out(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(ctx, pharmacist, pw(pharmacist), dose_level=-2, dose_ordered_by="Dr Liu")
    assert (result.tablets, [k.tablets for k in result.kits]) == (42, [42])  # 21 needed


def test_a_partial_kit_is_not_topped_up_with_a_full_kit(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """Issue 12: a partial kit of 20 and a full kit of 21 gave 41 tablets for a 21-day cycle."""
    write_off(ctx, pharmacist, "K0011", 20, pw(pharmacist))
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert [(k.kit, k.tablets, k.partial) for k in result.kits] == [("K0012", 21, False)]
    assert result.tablets == 21


def test_two_kits_when_one_is_not_enough(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    write_off(ctx, pharmacist, "K0011", 20, pw(pharmacist))
    write_off(ctx, pharmacist, "K0012", 1, pw(pharmacist), reason="spilt")
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert [(k.kit, k.tablets, k.partial) for k in result.kits] == [
        ("K0011", 20, True),
        ("K0012", 1, True),
    ]
    assert result.tablets == 21


def test_only_participants_on_treatment(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    participants.set_status(
        ctx, pharmacist, "01-001", "discontinued", "withdrew consent", password=pw(pharmacist)
    )
    with refused(ctx, RuleViolation, "01-001 is discontinued; only participants on treatment"):
        dispense(ctx, pharmacist, pw(pharmacist))


def test_participant_not_enrolled(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, NotFound, "Participant 01-009 is not enrolled"):
        dispense(ctx, pharmacist, pw(pharmacist), "01-009")


def test_next_cycle_only(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, "Cycle 2 is not the next cycle: dispense cycle 1 first"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    dispense(ctx, pharmacist, pw(pharmacist))
    with refused(ctx, RuleViolation, "Cycle 1 has already been dispensed. The next cycle"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=1)


def test_minimum_interval_since_previous_day1(
    ctx: Context,
    admin: Actor,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    clock.set_date(date(2026, 1, 22))
    return_all(ctx, pharmacist, pw(pharmacist), cycle1)
    studies.confirm_rule(ctx, admin, "cycle.min_interval", "protocol amendment 2")
    with refused(ctx, RuleViolation, "only 17 days after the previous cycle's day 1"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    clock.set_date(date(2026, 1, 23))
    assert dispense(ctx, pharmacist, pw(pharmacist), cycle=2).cycle == 2


def test_day1_far_from_the_dispense_date(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "Day 1 (2026-01-13) is more than 7 days from the dispense"):
        dispense(ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 13))


def test_day1_before_enrolment(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "Day 1 (2026-01-04) is before enrolment (2026-01-05)"):
        dispense(ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 4))


def test_a_dispense_is_not_dated_before_the_enrolment(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0001-K0004", "L1", LATE, received_on=date(2025, 12, 1))
    clock.set_date(date(2026, 1, 12))
    enroll(ctx, pharmacist, enrolled_on=date(2026, 1, 10))
    enrolled = "Participant 01-001 was enrolled on 2026-01-10: a dispense cannot be dated"
    for dispensed_on in (date(2026, 1, 6), date(2026, 1, 9), date(2025, 12, 20)):
        request = DispenseRequest("01-001", 1, date(2026, 1, 10), dispensed_on=dispensed_on)
        found = dispensing.assess_dispense(ctx, pharmacist, request)
        # The enrolment is the refusal, and no other proposes a day before it ("too early:
        # dispense it from" a week before the enrolment).
        assert [r.code for r in found.refusals] == [DispenseCheck.BEFORE_ENROLMENT]
        assert found.refusals[0].message == (
            f"{enrolled} {dispensed_on.isoformat()}, before the enrolment. Give the day the "
            "cycle was really dispensed (on or after 2026-01-10)."
        )
        with refused(ctx, RuleViolation, f"{enrolled} {dispensed_on.isoformat()}"):
            dispense(
                ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 10), dispensed_on=dispensed_on
            )
    with refused(ctx, InvalidInput, "Day 1 (2026-01-09) is before enrolment (2026-01-10)"):
        dispense(
            ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 9), dispensed_on=date(2026, 1, 10)
        )
    done = dispense(
        ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 10), dispensed_on=date(2026, 1, 10)
    )
    assert (done.dispensed_on, done.day1) == (date(2026, 1, 10), date(2026, 1, 10))


@pytest.mark.parametrize(
    ("options", "error", "words"),
    [
        ({"cycle": 0}, InvalidInput, "Cycle 0 is not a cycle number"),
        ({"cycle": True}, InvalidInput, "Cycle True is not a cycle number"),
        ({"dispensed_on": date(2026, 1, 6)}, InvalidInput, "dispense date 2026-01-06 is in the"),
        ({"dose_level": 5}, NotFound, "Dose level 5 is not in study NCT07198672"),
        (
            {"platelet_count": -1.0},
            dispensing.ObservationRefused,  # an InvalidInput naming its field (`key`)
            "platelet count of -1 ×10⁹/L is not possible: enter a count from 0 to 5000 ×10⁹/L.",
        ),
        ({"override_reason": "a\x00b"}, InvalidInput, "control characters"),
    ],
)
@pytest.mark.usefixtures("stock", "enrolled")
def test_malformed_dispense_is_refused(
    ctx: Context,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    options: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        dispense(ctx, pharmacist, pw(pharmacist), **options)


def test_previous_return_missing_is_a_warning_to_override(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(
        ctx, OverrideMissing, "The return of cycle 1 (DSP000001) is not recorded yet. To dispense"
    ):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2)
    result = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        cycle=2,
        override_reason="bottle forgotten at home",
        overrides=["previous_return_missing"],
    )
    assert result.warnings == ("The return of cycle 1 (DSP000001) is not recorded yet.",)
    assert result.overrides == ("previous_return_missing",)
    assert scalar(ctx, "SELECT warning_override FROM dispenses WHERE cycle = 2") == (
        "bottle forgotten at home"
    )
    [entry] = audit.list_entries(ctx, pharmacist, text="DSP000002")
    assert entry.reason == "bottle forgotten at home"


def test_previous_return_missing_refused_when_the_study_says_so(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    strict = replace(ctx.study, cycle=replace(ctx.study.cycle, previous_return_missing="refuse"))
    strict_ctx = replace(ctx, study=strict)
    with refused(ctx, RuleViolation, "Record the return before dispensing the next cycle"):
        dispense(strict_ctx, pharmacist, pw(pharmacist), cycle=2, override_reason="forgot it")
    return_all(strict_ctx, pharmacist, pw(pharmacist), cycle1_ended)
    assert dispense(strict_ctx, pharmacist, pw(pharmacist), cycle=2).warnings == ()


def test_dose_change_needs_who_ordered_it(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    return_all(ctx, pharmacist, pw(pharmacist), cycle1_ended)
    with refused(
        ctx, OverrideMissing, "The dose changes from level 0 to -1 (5 mg once daily (reduced))"
    ) as missing:
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2, dose_level=-1)
    assert missing.value.needs == (OverrideNeeds.ORDERED_BY,)  # what a front end asks for
    result = dispense(
        ctx, pharmacist, pw(pharmacist), cycle=2, dose_level=-1, dose_ordered_by="Dr Liu"
    )
    assert result.dose_level == -1
    assert scalar(ctx, "SELECT dose_ordered_by FROM dispenses WHERE cycle = 2") == "Dr Liu"


@pytest.mark.usefixtures("stock", "enrolled")
def test_platelets_at_the_hold_threshold_need_an_override(
    ctx: Context, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    studies.confirm_rule(ctx, admin, "platelets", "the investigator's written rule")
    with refused(ctx, OverrideMissing, "Platelets 100 ×10⁹/L are at or above 100 ×10⁹/L"):
        dispense(ctx, pharmacist, pw(pharmacist), platelet_count=100)
    result = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        platelet_count=120,
        override_reason="Dr Liu: continue",
        overrides=["platelets_hold"],
    )
    assert len(result.warnings) == 1 and "Platelets 120" in result.warnings[0]
    assert scalar(ctx, "SELECT platelet_count FROM dispenses") == 120


def test_an_override_reason_covers_only_the_warnings_it_names(
    ctx: Context,
    admin: Actor,
    cycle1_ended: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The review's case: a reason written for the return left at home never overrides the
    platelet hold, a warning the pharmacist was not shown; nothing is written until each
    warning assessed at the save is named."""
    studies.confirm_rule(ctx, admin, "platelets", "the investigator's written rule")
    why = "Bottle forgotten at home; PI informed"
    bottle = {"cycle": 2, "override_reason": why, "platelet_count": 185}
    with refused(
        ctx,
        OverrideMissing,
        "A warning this dispense does not acknowledge applies now: Platelets 185 ×10⁹/L",
    ) as missing:
        dispense(ctx, pharmacist, pw(pharmacist), overrides=["previous_return_missing"], **bottle)
    assert "name it too (platelets_hold)" in missing.value.message
    assert missing.value.codes == ("previous_return_missing", "platelets_hold")
    with refused(  # a reason naming no warning: the codes to name
        ctx, OverrideMissing, "A reason overrides only the warnings it names"
    ) as bare:
        dispense(ctx, pharmacist, pw(pharmacist), **bottle)
    assert "by its code: previous_return_missing, platelets_hold." in bare.value.message
    with refused(ctx, OverrideMissing, "and name each warning it overrides by its code"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2, overrides=["previous_return_missing"])
    assert scalar(ctx, "SELECT count(*) FROM dispenses") == 1  # nothing written
    codes = ["previous_return_missing", "platelets_hold"]
    result = dispense(ctx, pharmacist, pw(pharmacist), overrides=codes, **bottle)
    assert result.overrides == tuple(codes) and len(result.warnings) == 2
    [entry] = audit.list_entries(ctx, pharmacist, text="DSP000002")
    assert entry.reason == why
    assert json.loads(entry.new)["overrides"] == codes  # each warning's code, in order
    assert "Platelets 185" in entry.new and "not recorded yet" in entry.new


def test_an_override_naming_a_warning_that_does_not_apply_is_refused(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """A reason written for a warning gone since (the return recorded meanwhile) is never
    recorded against another; a code that is no warning's is refused, naming the codes."""
    stale = {"override_reason": "bottle at home", "overrides": ["previous_return_missing"]}
    return_all(ctx, pharmacist, pw(pharmacist), cycle1_ended)
    with refused(
        ctx,
        OverrideUnmatched,
        "The override names previous_return_missing, but no such warning applies to this "
        "dispense now: it needs no override.",
    ):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2, **stale)
    found = dispensing.assess_dispense(ctx, pharmacist, DispenseRequest("01-001", cycle=2, **stale))
    assert [r.code for r in found.refusals] == [DispenseCheck.OVERRIDE_UNMATCHED]
    with refused(ctx, InvalidInput, "platelet_hold is not a warning a reason overrides: name one"):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2, overrides=["platelet_hold"])
    assert dispense(ctx, pharmacist, pw(pharmacist), cycle=2).warnings == ()


def test_platelets_below_the_threshold_need_nothing(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    assert dispense(ctx, pharmacist, pw(pharmacist), platelet_count=99.9).warnings == ()


def test_scanned_kits_are_dispensed_as_scanned(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """K0015 expires with K0011, the first-expiry choice: as good, no warning."""
    result = dispense(ctx, pharmacist, pw(pharmacist), kits=[" k0015 "])
    assert [k.kit for k in result.kits] == ["K0015"] and result.warnings == ()


def test_a_kit_expiring_after_the_first_expiry_choice_needs_a_reason_which_is_recorded(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    words = (
        "Kit K0003 (lot L1) expires 2027-06-30, after kit K0011 (lot L2, expires 2026-12-31), "
        "which first expiry first out hands out first."
    )
    with refused(ctx, OverrideMissing, words[:-1] + ": take kit K0011 instead. To dispense anyway"):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0003"])
    why = "Participant travels for 4 months: the longest-dated kit"
    result = dispense(
        ctx,
        pharmacist,
        pw(pharmacist),
        kits=["K0003"],
        override_reason=why,
        overrides=["not_first_expiry"],
    )
    assert [k.kit for k in result.kits] == ["K0003"]
    assert len(result.warnings) == 1 and result.warnings[0].startswith(words[:-1])
    assert scalar(ctx, "SELECT warning_override FROM dispenses") == why
    [entry] = audit.list_entries(ctx, pharmacist, action="dispense")
    assert entry.reason == why and "K0003 (lot L1) expires 2027-06-30" in entry.new


def test_the_next_cycle_on_the_same_day_is_too_early_whatever_day_1_says(
    ctx: Context,
    admin: Actor,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    studies.confirm_rule(ctx, admin, "cycle.min_interval", "protocol amendment 2")
    with refused(
        ctx,
        RuleViolation,
        "Too early for cycle 2: its earliest day 1 is 2026-01-23, and a cycle is dispensed at "
        "most 7 days before its day 1. Dispense it from 2026-01-16.",
    ):
        dispense(ctx, pharmacist, pw(pharmacist), cycle=2, override_reason="forgot")


def make_kit(ctx: Context, actor: Actor, password: str, status: str) -> str:
    """A kit of the stock fixture brought into the given state by the services themselves."""
    if status == "quarantined":
        quarantine.quarantine(ctx, actor, ["K0001"], "dropped on the floor")
    elif status == "dispensed":
        enroll(ctx, actor, "01-002", "CD")
        dispense(ctx, actor, password, "01-002", kits=["K0001"], **IN_HAND)
    elif status == "returned":
        enroll(ctx, actor, "01-002", "CD")
        result = dispense(ctx, actor, password, "01-002", kits=["K0001"], **IN_HAND)
        returns.record_return(ctx, actor, "K0001", 4, password, dispense=result.number)
    elif status == "destroyed":
        destruction.destroy(ctx, actor, ["K0001"], "tech", "incineration", password, **WITNESSED)
    return "K0001"


@pytest.mark.parametrize(
    ("status", "words"),
    [
        ("quarantined", "Kit K0001 is quarantined. Release it from quarantine first"),
        ("dispensed", "Kit K0001 is dispensed. Take another kit"),
        ("returned", "Kit K0001 is returned. A returned kit is never dispensed again"),
        ("destroyed", "Kit K0001 is destroyed. Check the kit you scanned"),
    ],
)
@pytest.mark.usefixtures("stock", "enrolled")
def test_scanned_kit_must_be_available(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused, status: str, words: str
) -> None:
    kit = make_kit(ctx, pharmacist, pw(pharmacist), status)
    with refused(ctx, RuleViolation, words):
        dispense(ctx, pharmacist, pw(pharmacist), kits=[kit])


@pytest.mark.usefixtures("stock", "enrolled")
def test_scanned_kit_that_has_expired(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0900", "SHORT", date(2026, 1, 10))
    clock.set_date(date(2026, 1, 11))
    with refused(ctx, RuleViolation, "Kit K0900 is expired. Set it aside for destruction"):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0900"])


def test_scanned_kit_must_last_the_supply(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0900", "SHORT", date(2026, 1, 31))
    with refused(
        ctx, RuleViolation, "expires 2026-01-31, before the supply must last (2026-02-01)"
    ):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0900"])


def test_scanned_kit_of_the_wrong_product(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, f"Kit S0001 holds {N25}; this dose (7.5 mg once daily)"):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["S0001"])


def test_scanned_kit_not_in_stock(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, NotFound, "Kit Z0001 is not in this pharmacy's stock"):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["Z0001"])


def test_too_many_scanned_kits(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(
        ctx, RuleViolation, "Kit K0012 is not needed: the kits scanned already hold the 21"
    ):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0011", "K0012"])


def test_scanned_kits_that_do_not_cover_the_cycle(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    write_off(ctx, pharmacist, "K0001", 20, pw(pharmacist), "lost", "one missing")
    with refused(ctx, RuleViolation, f"The kits scanned hold 20 tablets of {N75}; 21 are needed"):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0001"])


def test_not_enough_stock(ctx: Context, pharmacist: Actor, pw: Password, refused: Refused) -> None:
    receive(ctx, pharmacist, "K0001", "L1", LATE)
    receive(ctx, pharmacist, "K0002", "L1", LATE, temperature_ok=False)
    enroll(ctx, pharmacist, "01-001", "AB")
    enroll(ctx, pharmacist, "01-002", "CD")
    dispense(ctx, pharmacist, pw(pharmacist), "01-001")
    with refused(ctx, RuleViolation, f"Not enough {N75} in stock: 21 tablets needed, 0 available"):
        dispense(ctx, pharmacist, pw(pharmacist), "01-002")


def test_wrong_signature_password_writes_nothing(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, refused: Refused
) -> None:
    with refused(
        ctx, SignatureFailed, "The signature password for pharm is wrong; nothing was saved"
    ):
        dispense(ctx, pharmacist, "pharm2-pass-1")


@pytest.mark.parametrize("who", ["technician", "monitor", "admin"])
def test_only_a_pharmacist_dispenses(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    who: str,
    request: pytest.FixtureRequest,
    pw: Password,
    refused: Refused,
) -> None:
    actor: Actor = request.getfixturevalue(who)
    with refused(ctx, NotPermitted, f"{actor.username} ({actor.role.value}) may not dispense"):
        dispense(ctx, actor, pw(actor))


def test_second_check_by_another_pharmacist(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(
        ctx, pharmacist, pw(pharmacist), checked_by="pharm2", checker_password="pharm2-pass-1"
    )
    assert result.checked_by == "Peter Second"
    meanings = scalar(
        ctx,
        "SELECT COUNT(*) FROM signatures WHERE record_type = 'dispense' AND meaning = 'checked'",
    )
    assert meanings == 1


@pytest.mark.parametrize(
    ("checker", "password", "error", "words"),
    [
        ("pharm", "pharm-pass-1", RuleViolation, "The second check must be done by another"),
        (
            "pharm2",
            "wrong-password",
            SignatureFailed,
            "second checker's password is wrong: pharm2, who checks",
        ),
        ("nobody", "x", NotFound, "There is no user 'nobody'"),
    ],
)
@pytest.mark.usefixtures("stock", "enrolled")
def test_second_check_refusals(
    ctx: Context,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    checker: str,
    password: str,
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        dispense(ctx, pharmacist, pw(pharmacist), checked_by=checker, checker_password=password)


def test_void_reverses_and_the_cycle_can_be_dispensed_again(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    voided = dispensing.void_dispense(
        ctx, pharmacist, "dsp000001", "wrong participant's label", pw(pharmacist)
    )
    assert voided.number == "DSP000001"
    assert kit_status(ctx, pharmacist, "K0011") is KitStatus.AVAILABLE
    rows = [r for r in queries.ledger_rows(ctx, pharmacist) if r.kind == "dispense"]
    assert [(r.kit, r.quantity, r.reverses) for r in rows] == [
        ("K0011", 21, None),
        ("K0011", -21, rows[0].id),
    ]
    assert rows[1].reason == "wrong participant's label"
    row = queries.participant(ctx, pharmacist, "01-001")
    assert (row.last_cycle, row.next_cycle) == (None, 1)
    again = dispense(ctx, pharmacist, pw(pharmacist))
    assert (again.number, again.cycle, [k.kit for k in again.kits]) == ("DSP000002", 1, ["K0011"])
    assert scalar(ctx, "SELECT MAX(attempt) FROM dispenses") == 2
    [entry] = audit.list_entries(ctx, pharmacist, action="dispense_voided")
    assert entry.reason == "wrong participant's label"
    assert audit.verify(ctx, pharmacist).ok
    [product] = [p for p in reconciliation.reconcile(ctx, pharmacist).products if p.key == P75]
    assert (product.dispensed, product.on_hand) == (21, 21 * 19)


def test_void_refusals(
    ctx: Context,
    cycle1: DispenseResult,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    with refused(ctx, SignatureFailed, "signature password for pharm is wrong"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", "nope-nope-1")
    with refused(ctx, InvalidInput, "Give the reason for the void"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "", pw(pharmacist))
    # the step refused is named: voiding, not dispensing
    with refused(ctx, NotPermitted, "tech (technician) may not void a dispense made in error"):
        dispensing.void_dispense(ctx, technician, "DSP000001", "typo", pw(technician))
    with refused(ctx, NotFound, "There is no dispense 'DSP000009'"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000009", "typo", pw(pharmacist))
    dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", pw(pharmacist))
    with refused(ctx, RuleViolation, "Dispense DSP000001 has already been voided"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", pw(pharmacist))


def test_void_refused_after_a_return(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    return_all(ctx, pharmacist, pw(pharmacist), cycle1_ended)
    with refused(ctx, RuleViolation, "Dispense DSP000001 has returns recorded"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", pw(pharmacist))


def test_a_voided_dispense_takes_no_return(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", pw(pharmacist))
    with refused(ctx, RuleViolation, "Dispense DSP000001 was voided"):
        returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), dispense="DSP000001")


def test_dispense_on_an_earlier_day(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 7))
    result = dispense(ctx, pharmacist, pw(pharmacist), day1=DAY1, dispensed_on=DAY1)
    assert result.dispensed_on == DAY1
    assert queries.ledger_rows(ctx, pharmacist)[-1].entry_date == DAY1
    assert timedelta(0) == result.dispensed_on - DAY1


@pytest.mark.usefixtures("stock", "enrolled")
def test_a_dispense_on_an_earlier_day_takes_no_kit_received_after_it(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """Recorded late, a dispense of 5 January cannot hand out a kit received on the 7th: the
    accountability log would show the kit leaving before it arrived."""
    clock.set_date(date(2026, 1, 7))
    receive(ctx, pharmacist, "K0031", "L0", date(2026, 6, 30), shipment="SH-LATE")
    proposed = dispensing.assess_dispense(
        ctx, pharmacist, dispensing.DispenseRequest("01-001", day1=DAY1, dispensed_on=DAY1)
    ).proposed
    assert [k.number for k in proposed] == ["K0011"]  # first expiry first among those there then
    today = dispensing.assess_dispense(ctx, pharmacist, dispensing.DispenseRequest("01-001"))
    assert [k.number for k in today.proposed] == ["K0031"]  # dispensed today, it is first
    with refused(
        ctx,
        RuleViolation,
        "Kit K0031 was received on 2026-01-07: it cannot have been dispensed on 2026-01-05",
    ):
        dispense(ctx, pharmacist, pw(pharmacist), day1=DAY1, dispensed_on=DAY1, kits=["K0031"])
    done = dispense(ctx, pharmacist, pw(pharmacist), day1=DAY1, dispensed_on=DAY1)
    assert [k.kit for k in done.kits] == ["K0011"]


def test_void_of_a_kit_no_longer_dispensed(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    sql(ctx, "UPDATE kits SET status = 'available' WHERE number = 'K0011'")  # behind our back
    with refused(ctx, RuleViolation, "Kit K0011 is no longer dispensed; cannot void"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", pw(pharmacist))


@pytest.mark.parametrize(
    ("checker", "password"), [("monitor", "monitor-pass-1"), ("admin", "admin-pass-1")]
)
@pytest.mark.usefixtures("stock", "enrolled")
def test_second_check_needs_a_pharmacist_or_technician(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused, checker: str, password: str
) -> None:
    with refused(ctx, NotPermitted, "the second check needs a user with the role pharmacist or"):
        dispense(ctx, pharmacist, pw(pharmacist), checked_by=checker, checker_password=password)


def test_a_technician_may_check_a_dispense(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(
        ctx, pharmacist, pw(pharmacist), checked_by="tech", checker_password="tech-pass-1"
    )
    assert result.checked_by == "Tom Tech"


@pytest.mark.usefixtures("stock", "enrolled")
def test_the_second_person_is_named_before_anyone_signs(
    ctx: Context, pharmacist: Actor, pw: Password
) -> None:
    """The Dispense screen names the second person (full name and role) from the user name
    typed, before both sign; the same refusals as the dispense, nothing written."""
    before = scalar(ctx, "SELECT COUNT(*) FROM audit_entries")
    person = dispensing.check_second_person(ctx, pharmacist, "tech")
    assert (person.username, person.full_name, person.role) == ("tech", "Tom Tech", "technician")
    assert person.shown == "Tom Tech (Technician)"
    with pytest.raises(RuleViolation, match="The second check must be done by another"):
        dispensing.check_second_person(ctx, pharmacist, "pharm")
    with pytest.raises(NotPermitted, match="the second check needs a user with the role"):
        dispensing.check_second_person(ctx, pharmacist, "monitor")
    assert scalar(ctx, "SELECT COUNT(*) FROM audit_entries") == before


@pytest.mark.usefixtures("stock", "enrolled")
def test_a_kit_held_for_an_excursion_is_refused_with_the_sponsors_decision_to_wait_for(
    ctx: Context, clock: FixedClock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """The counter said "Release it from quarantine first, or take another kit." of a kit a
    temperature excursion set aside, as if a release were the pharmacist's to make: it names
    the excursion and that a release needs the sponsor's decision and reference."""
    from dispensary.services import temperature

    log = "timestamp,celsius\n2026-01-05T20:00:00+00:00,27.5\n2026-01-05T21:00:00+00:00,21.0\n"
    clock.set_date(date(2026, 1, 6))
    [excursion] = temperature.import_logger(ctx, pharmacist, "IP store 1", log, "a.csv")
    words = (
        f"Kit K0001 cannot be dispensed: quarantined 2026-01-06 for temperature excursion "
        f"{excursion.excursion_id} (27.5-27.5 °C). A release needs the sponsor's decision on the "
        "excursion and its reference (Inventory, Release); until then, take another kit."
    )
    with refused(ctx, RuleViolation, words):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0001"])
    from dispensary.i18n import Language, speaking

    with (
        speaking(Language.ZH_CN),
        refused(ctx, RuleViolation, "解除隔离需要申办方对该温度超标的决定"),
    ):
        dispense(ctx, pharmacist, pw(pharmacist), kits=["K0001"])
