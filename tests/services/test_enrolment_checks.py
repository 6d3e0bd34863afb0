"""What an enrolment refuses or warns of beyond the participant's own eligibility: a number
that is another study's participant's, a kit's or a dispensing label's (a scan resolves a code
by its number across the pharmacy); an enrolment date before the study was loaded here; the
same initials and year of birth on treatment in another study (a warning); and numbers typed
on a Chinese keyboard in full-width characters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import (
    InvalidInput,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
    ToConfirm,
)
from dispensary.reports.participant import participant_section as report_section
from dispensary.services import (
    audit,
    dashboard,
    dispensing,
    forecast,
    participants,
    queries,
    report_data,
    studies,
)
from dispensary.services.context import Actor, Context
from dispensary.study import Study

from .helpers import dispense, enroll, receive, scalar
from .test_several_studies import OTHER, other_text, signed_in

Password = Callable[[Actor], str]
PAPER = "a4"
Refused = Callable[..., Any]


def participant_section(ctx: Context, actor: Actor, number: str) -> str:
    """The participant report's header fields, as the PDF prints them."""
    report = report_data.participant_report(ctx, actor, number)
    section = report_section(ctx.study, report, PAPER)
    return " | ".join(f"{label}: {value}" for label, value in section.fields)


def other_study(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password, *, access: bool
) -> tuple[Actor, Context]:
    """A second study of the pharmacy with participant 21-001 (AB, born 1970) on treatment;
    the pharmacist given access to it or not."""
    studies.add_study(ctx, admin, other_text(study), "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    enroll(other, both, "21-001", initials="AB", birth_year=1970)
    if not access:
        studies.set_access(ctx, admin, "pharm", OTHER, False, "left the protocol")
    return signed_in(ctx, pharmacist, pw), other


@pytest.mark.parametrize("access", [True, False])
def test_a_number_of_another_study_is_refused_without_naming_it(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    access: bool,
) -> None:
    me, _other = other_study(ctx, study, admin, pharmacist, pw, access=access)
    with refused(ctx, RuleViolation, "21-001 is already a participant's in another study") as e:
        enroll(ctx, me, "21-001", initials="GR", birth_year=1977)
    assert OTHER not in e.value.message and "GR" not in e.value.message


def test_a_kit_number_is_refused_as_a_study_number(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K1001-K1004")
    with refused(ctx, RuleViolation, "K1002 is a kit's number in this pharmacy"):
        enroll(ctx, pharmacist, "k1002")
    # Of the kits' form, not received yet: a scan could not tell it from a kit.
    with refused(ctx, RuleViolation, "K1009 has the form of this study's kit numbers"):
        enroll(ctx, pharmacist, "K1009")
    assert enroll(ctx, pharmacist, "01-001").study_number == "01-001"


@pytest.mark.parametrize("number", ["DSP000002", "dsp00002"])
def test_a_dispensing_label_number_is_refused_as_a_study_number(
    ctx: Context, pharmacist: Actor, refused: Refused, number: str
) -> None:
    with refused(ctx, RuleViolation, "is a dispensing label's number, not a participant's"):
        enroll(ctx, pharmacist, number)


def test_numbers_of_the_kit_form_stay_when_participants_have_that_form(
    ctx: Context, pharmacist: Actor, pw: Password
) -> None:
    """A study whose participants are numbered as its kits are (a site's choice) still enrols."""
    enroll(ctx, pharmacist, "P0001")
    receive(ctx, pharmacist, "P1001-P1002")
    assert enroll(ctx, pharmacist, "P0002").study_number == "P0002"


def test_same_initials_and_year_in_another_study_is_a_warning(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    me, _other = other_study(ctx, study, admin, pharmacist, pw, access=True)
    [warning] = participants.enrolment_warnings(ctx, me, "a.b.", 1970)
    assert f"participant 21-001 of {OTHER}, on treatment" in warning
    assert "Other interventional study treatment, or investigational drug" in warning
    assert participants.enrolment_warnings(ctx, me, "AB", 1971) == ()
    assert enroll(ctx, me, "01-002", initials="AB", birth_year=1970).initials == "AB"


def test_the_warning_names_no_study_the_user_may_not_open(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Password
) -> None:
    me, _other = other_study(ctx, study, admin, pharmacist, pw, access=False)
    [warning] = participants.enrolment_warnings(ctx, me, "AB", 1970)
    assert "a participant of another study" in warning
    assert OTHER not in warning and "21-001" not in warning


def test_an_enrolment_date_before_the_study_was_loaded_is_refused(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "The enrolment date 2020-01-01 is before NCT07198672 was"):
        enroll(ctx, pharmacist, enrolled_on=date(2020, 1, 1))
    assert enroll(ctx, pharmacist, enrolled_on=date(2025, 6, 2)).enrolled_on == date(2025, 6, 2)
    with refused(ctx, InvalidInput, "give a date on or after 2025-06-02"):
        participants.correct_enrolment(
            ctx,
            pharmacist,
            "01-001",
            enrolled_on=date(2025, 6, 1),
            reason="typed",
            password=pw(pharmacist),
        )
    found = participants.assess_enrolment_correction(
        ctx, pharmacist, "01-001", enrolled_on=date(2020, 1, 1)
    )
    assert found.refusals[0].code == "enrolment_date"


def test_records_kept_on_paper_are_entered_from_the_first_receipt(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """A pharmacy that starts the program mid-study enters its paper records from the first
    shipment on: an enrolment after that receipt, before the study was loaded, is taken."""
    with refused(ctx, InvalidInput, "record the receipt of the study's first stock"):
        enroll(ctx, pharmacist, enrolled_on=date(2025, 5, 2))
    receive(ctx, pharmacist, "K0001-K0002", received_on=date(2025, 5, 1))
    assert enroll(ctx, pharmacist, enrolled_on=date(2025, 5, 2)).enrolled_on == date(2025, 5, 2)


def test_an_amendment_does_not_move_the_day_the_study_was_loaded(
    ctx: Context, clock: Any, admin: Actor, pharmacist: Actor
) -> None:
    clock.set_date(date(2026, 1, 5))
    studies.update_study(
        ctx, admin, ctx.study.source_text.replace("Site 01", "Site 01b"), "v2.toml", "renamed"
    )
    ctx = studies.switch_study(ctx, pharmacist, ctx.study.protocol)  # read again (F5)
    assert enroll(ctx, pharmacist, enrolled_on=date(2025, 12, 1)).enrolled_on == date(2025, 12, 1)


def test_full_width_input_is_read_as_what_it_shows(
    ctx: Context, pharmacist: Actor, pw: Password
) -> None:
    row = enroll(ctx, pharmacist, "０１－０５０", initials="ＡＢ")
    assert (row.study_number, row.initials) == ("01-050", "AB")
    receive(ctx, pharmacist, "K0001-K0002")
    assert dispense(ctx, pharmacist, pw(pharmacist), "０１－０５０").number.startswith("DSP")


# -- an enrolment entered in error, voided ------------------------------------------------------


def test_an_enrolment_entered_in_error_is_voided_out_of_lists_and_counts(
    ctx: Context, pharmacist: Actor, monitor: Actor, admin: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist, "01-001")
    enroll(ctx, pharmacist, "01-0001")  # the typo
    assert forecast.forecast(ctx, pharmacist).participants == 2
    assert len(dashboard.dashboard(ctx, pharmacist).due) == 2
    row = participants.void_enrolment(
        ctx, pharmacist, "01-0001", "typed 01-0001 for 01-001", pw(pharmacist)
    )
    assert row.status is ParticipantStatus.VOIDED
    assert [p.study_number for p in queries.participants(ctx, pharmacist)] == ["01-001"]
    assert forecast.forecast(ctx, pharmacist).participants == 1
    assert [d.study_number for d in dashboard.dashboard(ctx, pharmacist).due] == ["01-001"]
    # The enrolment is kept, voided: its own record, the history and the audit trail say so.
    assert scalar(ctx, "SELECT count(*) FROM participants") == 2
    assert scalar(ctx, "SELECT reason FROM enrolment_voids") == "typed 01-0001 for 01-001"
    assert queries.participant(ctx, monitor, "01-0001").status is ParticipantStatus.VOIDED
    [entry] = audit.list_entries(ctx, monitor, action="enrolment_voided")
    assert (entry.entity_id, entry.reason) == ("01-0001", "typed 01-0001 for 01-001")
    assert '"status":"voided"' in entry.new and '"status":"on_treatment"' in entry.old
    assert audit.verify(ctx, admin).ok


def test_a_voided_enrolment_is_neither_dispensed_to_nor_changed(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0001-K0004")
    enroll(ctx, pharmacist, "01-009")
    participants.void_enrolment(ctx, pharmacist, "01-009", "wrong number", pw(pharmacist))
    with refused(ctx, RuleViolation, "01-009 was voided as entered in error"):
        participants.void_enrolment(ctx, pharmacist, "01-009", "again", pw(pharmacist))
    with refused(ctx, RuleViolation, "01-009 was voided as entered in error"):
        participants.set_status(
            ctx, pharmacist, "01-009", "discontinued", "left", password=pw(pharmacist)
        )
    with refused(ctx, RuleViolation, "01-009 was voided as entered in error"):
        participants.correct_enrolment(
            ctx, pharmacist, "01-009", initials="XY", reason="typo", password=pw(pharmacist)
        )
    with refused(ctx, RuleViolation, "01-009 is voided as enrolled in error; only participants"):
        dispense(ctx, pharmacist, pw(pharmacist), "01-009")
    with refused(ctx, InvalidInput, "voided with its own signed step"):
        participants.set_status(ctx, pharmacist, "01-009", "voided", "x", password=pw(pharmacist))


def test_an_enrolment_with_a_dispense_is_not_voided(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    receive(ctx, pharmacist, "K0001-K0004")
    enroll(ctx, pharmacist, "01-001")
    made = dispense(ctx, pharmacist, pw(pharmacist))
    with refused(ctx, RuleViolation, f"was dispensed cycle 1 ({made.number})"):
        participants.void_enrolment(ctx, pharmacist, "01-001", "typo", pw(pharmacist))
    dispensing.void_dispense(ctx, pharmacist, made.number, "wrong participant", pw(pharmacist))
    voided = participants.void_enrolment(ctx, pharmacist, "01-001", "typo", pw(pharmacist))
    assert voided.status is ParticipantStatus.VOIDED


def test_only_a_pharmacist_voids_an_enrolment(
    ctx: Context, pharmacist: Actor, technician: Actor, pw: Password, refused: Refused
) -> None:
    enroll(ctx, pharmacist, "01-001")
    with refused(ctx, NotPermitted, "may not correct an enrolment or void one entered in error"):
        participants.void_enrolment(ctx, technician, "01-001", "typo", pw(technician))
    with refused(ctx, SignatureFailed, ""):
        participants.void_enrolment(ctx, pharmacist, "01-001", "typo", "wrong password")


# -- the age: under it for certain, or to confirm ------------------------------------------------


def test_born_in_a_year_certainly_under_age_is_under_age(
    ctx: Context, clock: Any, pharmacist: Actor, refused: Refused
) -> None:
    clock.set_date(date(2026, 12, 5))
    with refused(ctx, RuleViolation, "A participant born in 2009 is under 18 on 2026-12-05"):
        enroll(ctx, pharmacist, birth_year=2009)


def test_born_in_the_year_that_may_be_under_age_is_asked(
    ctx: Context, pharmacist: Actor, monitor: Actor, refused: Refused
) -> None:
    """Enrolled 2026-01-05, born 2008: 17 unless born 1-5 January."""
    with refused(ctx, ToConfirm, "born in 2008 is 17 or 18 on 2026-01-05"):
        enroll(ctx, pharmacist, birth_year=2008)
    row = enroll(ctx, pharmacist, birth_year=2008, age_confirmed=True)
    assert row.birth_year == 2008
    [entry] = audit.list_entries(ctx, monitor, action="enroll")
    assert '"age_confirmed":true' in entry.new


def test_on_31_december_the_age_is_certain(ctx: Context, clock: Any, pharmacist: Actor) -> None:
    clock.set_date(date(2026, 12, 31))
    assert enroll(ctx, pharmacist, birth_year=2008).birth_year == 2008


def test_the_participant_report_says_whether_a_checklist_was_recorded(
    ctx: Context, pharmacist: Actor
) -> None:
    """Every enrolment records the study's whole checklist now (the command line confirms it
    with --criteria-confirmed, the window ticks every criterion): the report says how many were
    ticked. (A record of an earlier version without one says "no checklist recorded".)"""
    enroll(ctx, pharmacist, "01-001")
    elig = ctx.study.eligibility
    ticked = [*elig.inclusion, *(f"Not: {c}" for c in elig.exclusion)]
    enroll(ctx, pharmacist, "01-002", criteria_confirmed=ticked)
    assert report_data.participant_report(ctx, pharmacist, "01-001").eligibility_criteria == 16
    assert report_data.participant_report(ctx, pharmacist, "01-002").eligibility_criteria == 16
    assert "16 criteria ticked on the checklist" in participant_section(ctx, pharmacist, "01-001")
    assert "16 criteria ticked on the checklist" in participant_section(ctx, pharmacist, "01-002")
