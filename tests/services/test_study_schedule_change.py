"""A new version of the study file that changes the cycle schedule (cycle length, minimum
interval, any timing rule) while participants are on treatment: refused, naming them, unless the
administrator confirms the sponsor changed it mid-study, recorded in the audit entry."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import InvalidInput, ToConfirm
from dispensary.services import audit, dispensing, participants, studies
from dispensary.services.assessment import DispenseCheck, DispenseRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .helpers import dispense, enroll, receive, return_all

Refused = Callable[..., Any]
Password = Callable[[Actor], str]

INTERVAL = "min_days_since_previous_day1 = 18\n"


def longer_interval(study: Study) -> str:
    assert study.source_text.count(INTERVAL) == 1
    return study.source_text.replace(INTERVAL, "min_days_since_previous_day1 = 19\n")


def test_a_schedule_change_with_participants_on_treatment_is_refused_naming_them(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist)
    for number in ("01-001", "01-002"):
        enroll(ctx, pharmacist, number)
        dispense(ctx, pharmacist, pw(pharmacist), number)
    enroll(ctx, pharmacist, "01-003")  # enrolled, nothing dispensed: no cycle to time
    with refused(ctx, ToConfirm, "changes the cycle schedule") as info:
        studies.update_study(ctx, admin, longer_interval(study), "v2.toml", "protocol v2")
    said = info.value.message
    assert "cycle.min_days_since_previous_day1: 18 → 19" in said, said
    assert "participants are on treatment (2): 01-001, 01-002." in said, said
    assert "01-003" not in said
    assert "--schedule-change" in said and "Finish or end those cycles first" in said
    # The window asks the same before the reason is typed.
    asked = studies.schedule_change_of(ctx, admin, longer_interval(study), "v2.toml")
    assert asked is not None and asked.participants == ("01-001", "01-002")


def test_the_administrator_confirms_it_and_the_audit_entry_names_them(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    receive(ctx, pharmacist)
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist))
    new = studies.update_study(
        ctx, admin, longer_interval(study), "v2.toml", "sponsor amendment 3", schedule_change=True
    )
    assert new.cycle.min_days_since_previous_day1 == 19
    entry = audit.list_entries(ctx, admin, action="study_updated")[-1]
    recorded = json.loads(entry.new)
    assert recorded["schedule_changed"] == ["cycle.min_days_since_previous_day1: 18 → 19"]
    assert recorded["participants_on_treatment"] == ["01-001"]
    assert audit.verify(ctx, admin).ok


def test_with_no_one_on_treatment_or_no_change_of_schedule_it_is_not_asked(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password, clock: FixedClock
) -> None:
    receive(ctx, pharmacist)
    enroll(ctx, pharmacist)
    result = dispense(ctx, pharmacist, pw(pharmacist))
    wording = study.source_text.replace("Keep out of reach of children", "Keep away from children")
    assert studies.schedule_change_of(ctx, admin, wording, "v2.toml") is None
    studies.update_study(ctx, admin, wording, "v2.toml", "label wording")
    # The cycle's supply back and the participant off treatment: nothing left to time.
    clock.set_date(clock.today() + timedelta(days=21))
    ctx = studies_stored(ctx, admin)
    return_all(ctx, pharmacist, pw(pharmacist), result)
    participants.set_status(
        ctx,
        pharmacist,
        "01-001",
        ParticipantStatus.COMPLETED,
        "cycles done",
        password=pw(pharmacist),
    )
    changed = longer_interval(ctx.study)
    assert studies.schedule_change_of(ctx, admin, changed, "v3.toml") is None
    studies.update_study(ctx, admin, changed, "v3.toml", "protocol v3")


def test_a_dose_levels_days_and_the_day1_window_are_timing_rules_too(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist)
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist))
    near = study.source_text.replace("day1_near_days = 7\n", "day1_near_days = 3\n")
    with refused(ctx, ToConfirm, "cycle.day1_near_days: 7 → 3"):
        studies.update_study(ctx, admin, near, "v2.toml", "tighter window")


def test_the_day1_window_is_the_study_files(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """[cycle] day1_near_days: once the rule holds (confirmed, or from the protocol) a day 1
    further from the dispense date than the study file's days is refused; until then the
    program's own typing check (7 days), as the Study rules screen says of a rule to confirm."""
    near = study.source_text.replace("day1_near_days = 7\n", "day1_near_days = 3\n")
    studies.update_study(ctx, admin, near, "v2.toml", "a tighter window, no one on treatment")
    fresh = studies.switch_study(ctx, admin, study.protocol)
    receive(fresh, pharmacist)
    enroll(fresh, pharmacist)
    five_days = fresh.clock.today() + timedelta(days=5)
    assessed = dispensing.assess_dispense(
        fresh, pharmacist, DispenseRequest(study_number="01-001", day1=five_days)
    )
    assert DispenseCheck.DAY1_FAR not in {r.code for r in assessed.refusals}
    studies.confirm_rule(fresh, admin, "cycle.day1_near", "pharmacy SOP 12")
    with refused(fresh, InvalidInput, "more than 3 days from the dispense date"):
        dispense(fresh, pharmacist, pw(pharmacist), day1=five_days)


def studies_stored(ctx: Context, admin: Actor) -> Context:
    """The study open read again from the database, as a window reloads it."""
    return studies.switch_study(ctx, admin, ctx.study.protocol)
