"""Enrolment (study number and initials only, eligibility confirmed) and status changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
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
from dispensary.i18n import Language, speaking
from dispensary.services import audit, dispensing, participants, queries, returns
from dispensary.services.context import Actor, Context, FixedClock

from .helpers import dispense, enroll, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def every_criterion(ctx: Context) -> list[str]:
    elig = ctx.study.eligibility
    return [*elig.inclusion, *(f"Not: {c}" for c in elig.exclusion)]


def test_enrol(ctx: Context, pharmacist: Actor) -> None:
    row = enroll(ctx, pharmacist, " 01-001 ", "a.b.", criteria_confirmed=every_criterion(ctx))
    assert (row.study_number, row.initials, row.birth_year, row.sex) == ("01-001", "AB", 1970, "F")
    assert (row.enrolled_on, row.status) == (date(2026, 1, 5), ParticipantStatus.ON_TREATMENT)
    assert (row.last_cycle, row.next_cycle, row.return_pending) == (None, 1, False)
    stored = scalar(ctx, "SELECT eligibility_checklist FROM participants")
    assert json.loads(stored) == every_criterion(ctx)
    assert scalar(ctx, "SELECT eligibility_confirmed_by FROM participants") == "Dr Liu"
    [entry] = audit.list_entries(ctx, pharmacist, action="enroll")
    assert entry.entity_id == "01-001" and '"criteria":16' in entry.new
    assert queries.participant(ctx, pharmacist, "01-001") == row


@pytest.mark.parametrize("entered", ["F", "f", " female ", "Female"])
def test_sex_is_entered_as_its_code_or_its_word(
    ctx: Context, pharmacist: Actor, entered: str
) -> None:
    assert enroll(ctx, pharmacist, sex=entered).sex == "F"


@pytest.mark.parametrize("entered", ["女", "女性", " 女性 ", "F"])
def test_sex_is_entered_in_the_readers_language_too(
    ctx: Context, pharmacist: Actor, entered: str
) -> None:
    with speaking(Language.ZH_CN):
        assert enroll(ctx, pharmacist, sex=entered).sex == "F"


@pytest.mark.parametrize("entered", ["女", "女性", "Ｆ"])
def test_the_chinese_word_is_taken_in_english_too(
    ctx: Context, pharmacist: Actor, entered: str
) -> None:
    """A Chinese-speaking pharmacist in an English window types 女 as readily as F."""
    assert enroll(ctx, pharmacist, sex=entered).sex == "F"


def test_the_english_word_is_taken_in_chinese_too(ctx: Context, pharmacist: Actor) -> None:
    with speaking(Language.ZH_CN):
        assert enroll(ctx, pharmacist, sex="female").sex == "F"


def test_a_word_for_no_sex_is_still_refused_in_english(ctx: Context, pharmacist: Actor) -> None:
    with pytest.raises(InvalidInput, match="enter F"):
        enroll(ctx, pharmacist, sex="男女")


def test_enrolled_on_an_earlier_day(ctx: Context, pharmacist: Actor) -> None:
    assert enroll(ctx, pharmacist, enrolled_on=date(2025, 12, 30)).enrolled_on == date(2025, 12, 30)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"birth_year": 2009}, RuleViolation, "born in 2009 is under 18 on 2026-01-05"),
        (
            {"sex": "M"},
            RuleViolation,
            "admit sex 'female' only; this participant is recorded as 'male'",
        ),
        ({"sex": "X"}, InvalidInput, "Sex 'X' is not one this study records: enter F (female)."),
        ({"sex": "Fish"}, InvalidInput, "Sex 'Fish' is not one this study records: enter F"),
        ({"sex": "fm"}, InvalidInput, "Sex 'fm' is not one this study records: enter F"),
        ({"sex": ""}, InvalidInput, "Give the sex: it is required for the record."),
        ({"birth_year": 2030}, InvalidInput, "Year of birth 2030 is not possible"),
        ({"initials": "Anne Berry"}, InvalidInput, "'Anne Berry' are not initials"),
        ({"initials": "A"}, InvalidInput, "are not initials"),
        ({"number": "01 001"}, InvalidInput, "is not a participant study number"),
        ({"number": ""}, InvalidInput, "is not a participant study number"),
        ({"enrolled_on": date(2026, 1, 6)}, InvalidInput, "enrolment date 2026-01-06 is in the"),
    ],
)
def test_enrolment_refusals(
    ctx: Context,
    pharmacist: Actor,
    refused: Refused,
    change: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        enroll(ctx, pharmacist, **change)


def test_birth_year_must_be_a_number(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    with refused(ctx, InvalidInput, "year of birth must be a number"):
        participants.enroll(
            ctx,
            pharmacist,
            "01-001",
            "AB",
            "1970",
            "F",
            "Dr Liu",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )  # type: ignore[arg-type]


def test_the_eligibility_checklist_is_required_of_every_front_end(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    """The review: the CLI enrolled with no checklist (`criteria: 0`); the service now refuses
    an enrolment given none, as it refuses one with a criterion missing."""
    with refused(
        ctx,
        participants.ChecklistNotConfirmed,  # a RuleViolation the CLI adds its option to
        f"The eligibility checklist of {ctx.study.protocol} is not confirmed (16 criteria)",
    ):
        enroll(ctx, pharmacist, criteria_confirmed=None)
    with refused(ctx, RuleViolation, "Eligibility is not confirmed for: Not: "):
        enroll(ctx, pharmacist, criteria_confirmed=every_criterion(ctx)[:-1])
    assert every_criterion(ctx) == participants.eligibility_checklist(ctx.study)


def test_who_confirmed_eligibility_is_required(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    with refused(ctx, InvalidInput, "Give the name of the investigator who confirmed"):
        participants.enroll(
            ctx,
            pharmacist,
            "01-001",
            "AB",
            1970,
            "F",
            " ",
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )


def test_adult_of_18_this_year_is_enrolled_once_the_age_is_confirmed(
    ctx: Context, pharmacist: Actor
) -> None:
    """Born 2008, enrolled 2026-01-05: 18 only if born by 5 January, which the year of birth
    does not say: the investigator's confirmation is asked (the protocol: age 18 or more)."""
    with pytest.raises(ToConfirm, match="is 17 or 18 on 2026-01-05"):
        enroll(ctx, pharmacist, birth_year=2008)
    assert enroll(ctx, pharmacist, birth_year=2008, age_confirmed=True).birth_year == 2008


def test_a_study_open_to_all_enrols_men(ctx: Context, pharmacist: Actor) -> None:
    study = replace(ctx.study, eligibility=replace(ctx.study.eligibility, sex="ALL"))
    assert enroll(replace(ctx, study=study), pharmacist, sex="m").sex == "M"


def test_duplicate_is_refused(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    enroll(ctx, pharmacist)
    with refused(
        ctx,
        RuleViolation,
        "Participant 01-001 is already enrolled. Check the number on the enrolment log; to work "
        "with this participant, open 01-001 under Participants (`dispensary history 01-001`).",
    ):
        enroll(ctx, pharmacist, initials="CD")


def test_the_number_of_a_voided_enrolment_is_said_to_be_voided_not_enrolled(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    enroll(ctx, pharmacist, "01-009")
    participants.void_enrolment(ctx, pharmacist, "01-009", "wrong number", pw(pharmacist))
    with refused(
        ctx,
        RuleViolation,
        "The enrolment of 01-009 was voided as entered in error; the number stays with that "
        "voided record and is not enrolled again. Check the number on the enrolment log",
    ):
        enroll(ctx, pharmacist, "01-009", initials="CD")


def test_a_sex_the_study_does_not_admit_is_said_in_words_in_chinese(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    with speaking(Language.ZH_CN), refused(ctx, RuleViolation, "只接受性别“女”") as found:
        enroll(ctx, pharmacist, sex="男")
    assert "登记的性别为“男”" in found.value.message
    assert "F" not in found.value.message and "M" not in found.value.message


def test_incomplete_eligibility_checklist_is_refused(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    ticked = every_criterion(ctx)
    missing = ticked.pop(5)
    with refused(ctx, RuleViolation, f"Eligibility is not confirmed for: {missing}"):
        enroll(ctx, pharmacist, criteria_confirmed=ticked)
    with refused(ctx, RuleViolation, f"not confirmed for: {ctx.study.eligibility.inclusion[0]}"):
        enroll(ctx, pharmacist, criteria_confirmed=[])


@pytest.mark.parametrize("who", ["technician", "monitor", "admin"])
def test_only_a_pharmacist_enrols(
    ctx: Context, who: str, request: pytest.FixtureRequest, refused: Refused
) -> None:
    actor: Actor = request.getfixturevalue(who)
    with refused(ctx, NotPermitted, "may not enrol participants"):
        enroll(ctx, actor)


def test_status_change(
    ctx: Context, clock: FixedClock, pharmacist: Actor, refused: Refused, pw: Password
) -> None:
    """Signed ("status changed"), with its effective date audited (the review: unsigned, no
    date, reversible with a reason "x" and no trace a monitor could read)."""
    enroll(ctx, pharmacist)  # 2026-01-05
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 20))
    row = participants.set_status(
        ctx,
        pharmacist,
        "01-001",
        "discontinued",
        "adverse event",
        password=secret,
        effective_on=date(2026, 1, 18),
    )
    assert row.status is ParticipantStatus.DISCONTINUED
    [entry] = audit.list_entries(ctx, pharmacist, action="participant_status")
    assert (entry.old, entry.new, entry.reason) == (
        '{"status":"on_treatment"}',
        '{"effective_on":"2026-01-18","status":"discontinued"}',
        "adverse event",
    )
    signed = scalar(
        ctx,
        "SELECT meaning FROM signatures WHERE record_type = 'participant' ORDER BY id DESC",
    )
    assert signed == "status changed"
    with refused(ctx, RuleViolation, "Participant 01-001 is already discontinued."):
        participants.set_status(ctx, pharmacist, "01-001", "discontinued", "again", password=secret)
    with refused(ctx, InvalidInput, "'paused' is not a status"):
        participants.set_status(ctx, pharmacist, "01-001", "paused", "why", password=secret)
    with refused(ctx, InvalidInput, "Give the reason"):
        participants.set_status(ctx, pharmacist, "01-001", "completed", "", password=secret)
    with refused(ctx, SignatureFailed, "password"):
        participants.set_status(
            ctx, pharmacist, "01-001", "on_treatment", "discontinued in error", password="wrong"
        )
    with refused(ctx, InvalidInput, "before participant 01-001 was enrolled (2026-01-05)"):
        participants.set_status(
            ctx,
            pharmacist,
            "01-001",
            "on_treatment",
            "discontinued in error",
            password=secret,
            effective_on=date(2026, 1, 4),
        )
    with refused(ctx, InvalidInput, "future"):
        participants.set_status(
            ctx,
            pharmacist,
            "01-001",
            "on_treatment",
            "discontinued in error",
            password=secret,
            effective_on=date(2026, 1, 21),
        )
    # A return to treatment (a correction, or a slip) goes through signed, and shows.
    participants.set_status(
        ctx, pharmacist, "01-001", "on_treatment", "discontinued in error", password=secret
    )
    changes = queries.participant_changes(ctx, pharmacist, "01-001")
    assert [(c.old, c.new, c.effective_on, c.signed) for c in changes] == [
        ("on_treatment", "discontinued", date(2026, 1, 18), True),
        ("discontinued", "on_treatment", date(2026, 1, 20), True),
    ]
    assert "effective 2026-01-18" in queries.change_words(changes[0])
    assert audit.verify(ctx, pharmacist).ok


def test_the_kits_still_out_are_listed_for_a_status_change(
    ctx: Context, stock: object, pharmacist: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist)
    given = dispense(ctx, pharmacist, pw(pharmacist))
    assert participants.kits_out(ctx, pharmacist, "01-001") == tuple(k.kit for k in given.kits)
    returns.record_return(
        ctx, pharmacist, given.kits[0].kit, 0, pw(pharmacist), dispense=given.number
    )
    assert participants.kits_out(ctx, pharmacist, "01-001") == ()


def test_a_status_change_is_not_dated_before_the_last_dispense(
    ctx: Context,
    stock: object,
    clock: FixedClock,
    pharmacist: Actor,
    refused: Refused,
    pw: Password,
) -> None:
    """The review: discontinued on 1 Oct though cycles were dispensed on 19 Oct and 16 Nov.
    Refused, naming the last dispense; once the dispense after the date is voided, accepted."""
    enroll(ctx, pharmacist)  # 2026-01-05
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 19))
    given = dispense(ctx, pharmacist, secret)
    clock.set_date(date(2026, 1, 25))
    with refused(
        ctx,
        RuleViolation,
        "The effective date 2026-01-10 is before the last dispense to participant 01-001 "
        "(2026-01-19). Give a date on or after 2026-01-19; if a dispense after 2026-01-10 was "
        "made in error, void it first.",
    ):
        participants.set_status(
            ctx,
            pharmacist,
            "01-001",
            "discontinued",
            "withdrew consent",
            password=secret,
            effective_on=date(2026, 1, 10),
        )
    with refused(ctx, RuleViolation, "before the last dispense"):  # the screen's check too
        participants.check_status_change(
            ctx, pharmacist, "01-001", "discontinued", "withdrew consent", date(2026, 1, 10)
        )
    # On the day of the last dispense, or after it: accepted.
    participants.check_status_change(
        ctx, pharmacist, "01-001", "discontinued", "withdrew consent", date(2026, 1, 19)
    )
    dispensing.void_dispense(  # its kits scanned back: not the dispense's day
        ctx, pharmacist, given.number, "wrong participant", secret, [k.kit for k in given.kits]
    )
    row = participants.set_status(
        ctx,
        pharmacist,
        "01-001",
        "discontinued",
        "withdrew consent",
        password=secret,
        effective_on=date(2026, 1, 10),
    )
    assert row.status is ParticipantStatus.DISCONTINUED


def test_status_of_someone_not_enrolled(ctx: Context, pharmacist: Actor, refused: Refused) -> None:
    from dispensary.domain.errors import NotFound

    with refused(ctx, NotFound, "Participant 09-999 is not enrolled"):
        participants.set_status(
            ctx, pharmacist, "09-999", "completed", "end of study", password="pharm-pass-1"
        )


def test_technician_cannot_change_status(
    ctx: Context, pharmacist: Actor, technician: Actor, refused: Refused
) -> None:
    enroll(ctx, pharmacist)
    with refused(ctx, NotPermitted, "may not change a participant's status"):
        participants.set_status(
            ctx, technician, "01-001", "completed", "end of study", password="tech-pass-1"
        )


@pytest.mark.parametrize("status", ["completed", "discontinued"])
def test_no_next_cycle_is_due_once_treatment_has_ended(
    ctx: Context, stock: object, pharmacist: Actor, pw: Callable[[Actor], str], status: str
) -> None:
    enroll(ctx, pharmacist)
    dispense(ctx, pharmacist, pw(pharmacist))
    assert queries.participant(ctx, pharmacist, "01-001").next_due is not None
    participants.set_status(
        ctx, pharmacist, "01-001", status, "end of treatment visit", password=pw(pharmacist)
    )
    row = queries.participant(ctx, pharmacist, "01-001")
    assert (row.status, row.last_cycle, row.next_cycle, row.next_due) == (
        ParticipantStatus(status),
        1,
        None,
        None,
    )
    assert [(p.next_cycle, p.next_due) for p in queries.participants(ctx, pharmacist)] == [
        (None, None)
    ]


def test_cycle_1_is_due_from_enrolment(ctx: Context, pharmacist: Actor) -> None:
    """A participant enrolled and not dispensed yet is due for cycle 1 (the Today screen lists
    them): the list said no next due date."""
    enroll(ctx, pharmacist)
    row = queries.participant(ctx, pharmacist, "01-001")
    assert (row.last_cycle, row.next_cycle, row.next_due) == (None, 1, row.enrolled_on)
