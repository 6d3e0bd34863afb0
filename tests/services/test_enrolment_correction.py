"""The correction of an enrolment recorded wrongly (its date, the initials, the year of birth):
signed, audited with the values before and after and the reason, each refusal with its code and
nothing written, and `audit verify` passing after it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.i18n import Language, speaking
from dispensary.services import audit, dispensing, participants, queries
from dispensary.services.assessment import DispenseCheck, DispenseRequest, EnrolmentCheck
from dispensary.services.context import Actor, Context, FixedClock

from .conftest import Stock
from .helpers import LATE, dispense, enroll, receive, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
REASON = "typed in a week late; see the enrolment log"


def correct(
    ctx: Context, actor: Actor, password: str, number: str = "01-001", **values: Any
) -> Any:
    return participants.correct_enrolment(
        ctx, actor, number, reason=values.pop("reason", REASON), password=password, **values
    )


def codes(ctx: Context, actor: Actor, number: str = "01-001", **values: Any) -> list[str]:
    found = participants.assess_enrolment_correction(ctx, actor, number, **values)
    return [r.code.value for r in found.refusals]


def test_a_late_typed_enrolment_corrected_lets_the_real_first_dispense_through(
    ctx: Context, clock: FixedClock, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """The review's case: the enrolment was typed in on 2026-01-12 with that day's date; cycle
    1 was really dispensed on 2026-01-10, and dispensing it is refused until the enrolment is
    corrected."""
    receive(ctx, pharmacist, "K0001-K0004", "L1", LATE, received_on=date(2025, 12, 1))
    clock.set_date(date(2026, 1, 12))
    enroll(ctx, pharmacist)  # today: 2026-01-12
    real = DispenseRequest("01-001", 1, date(2026, 1, 10), dispensed_on=date(2026, 1, 10))
    refused = dispensing.assess_dispense(ctx, pharmacist, real)
    assert [r.code for r in refused.refusals] == [DispenseCheck.BEFORE_ENROLMENT]

    row = correct(ctx, pharmacist, pw(pharmacist), enrolled_on=date(2026, 1, 9))
    assert (row.study_number, row.enrolled_on, row.initials, row.birth_year) == (
        "01-001",
        date(2026, 1, 9),
        "AB",
        1970,
    )
    assert queries.participant(ctx, pharmacist, "01-001").enrolled_on == date(2026, 1, 9)
    assert dispensing.assess_dispense(ctx, pharmacist, real).refusals == ()
    done = dispense(
        ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 10), dispensed_on=date(2026, 1, 10)
    )
    assert (done.cycle, done.day1) == (1, date(2026, 1, 10))
    assert audit.verify(ctx, monitor).ok


def test_the_audit_entry_keeps_each_value_before_and_after_and_the_reason(
    ctx: Context, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist)  # 01-001, AB, 1970, enrolled 2026-01-05
    row = correct(
        ctx,
        pharmacist,
        pw(pharmacist),
        enrolled_on=date(2026, 1, 2),
        initials=" a.c. ",  # normalised as the enrolment does
        birth_year=1971,
    )
    assert (row.enrolled_on, row.initials, row.birth_year) == (date(2026, 1, 2), "AC", 1971)
    [entry] = audit.list_entries(ctx, monitor, action="enrolment_corrected")
    assert (entry.entity, entry.entity_id, entry.username) == ("participant", "01-001", "pharm")
    assert json.loads(entry.old) == {
        "enrolled_on": "2026-01-05",
        "initials": "AB",
        "birth_year": 1970,
    }
    assert json.loads(entry.new) == {
        "enrolled_on": "2026-01-02",
        "initials": "AC",
        "birth_year": 1971,
    }
    assert entry.reason == REASON
    # Signed as a correction of the participant's record, by the pharmacist.
    signed = "SELECT meaning || ' by ' || user_id FROM signatures WHERE record_type = 'participant'"
    assert scalar(ctx, signed) == f"corrected by {pharmacist.user_id}"
    assert audit.verify(ctx, monitor).ok


def test_only_the_values_that_change_are_recorded(
    ctx: Context, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist)
    correct(
        ctx,
        pharmacist,
        pw(pharmacist),
        enrolled_on=date(2026, 1, 5),
        initials="ab",
        birth_year=1969,
    )
    [entry] = audit.list_entries(ctx, monitor, action="enrolment_corrected")
    assert (json.loads(entry.old), json.loads(entry.new)) == (
        {"birth_year": 1970},
        {"birth_year": 1969},
    )
    row = queries.participant(ctx, pharmacist, "01-001")
    assert (row.enrolled_on, row.initials, row.birth_year, row.sex) == (
        date(2026, 1, 5),
        "AB",
        1969,
        "F",
    )


def test_the_assessment_says_what_would_change_and_writes_nothing(
    ctx: Context, pharmacist: Actor, snapshot: Callable[[Context], Any]
) -> None:
    enroll(ctx, pharmacist)
    before = snapshot(ctx)
    found = participants.assess_enrolment_correction(
        ctx, pharmacist, "01-001", enrolled_on=date(2026, 1, 2), initials="AB", reason=REASON
    )
    assert (found.participant, found.refusals) == ("01-001", ())
    assert (dict(found.old), dict(found.new)) == (
        {"enrolled_on": date(2026, 1, 5)},
        {"enrolled_on": date(2026, 1, 2)},
    )
    assert snapshot(ctx) == before


@pytest.mark.parametrize(
    ("values", "code", "error", "words"),
    [
        (
            {},
            EnrolmentCheck.NOTHING_TO_CHANGE,
            InvalidInput,
            "Nothing to correct for participant 01-001: give the enrolment date, the initials or "
            "the year of birth as they should be recorded.",
        ),
        (
            {"enrolled_on": date(2026, 1, 5), "initials": "a.b.", "birth_year": 1970},
            EnrolmentCheck.NOTHING_TO_CHANGE,
            RuleViolation,
            "Nothing to correct: participant 01-001 is already recorded as AB, born 1970, "
            "enrolled on 2026-01-05. Give the value that was recorded wrongly, as it should be.",
        ),
        (
            {"enrolled_on": date(2026, 1, 6)},
            EnrolmentCheck.ENROLMENT_DATE,
            InvalidInput,
            "The enrolment date 2026-01-06 is in the future (today is 2026-01-05). Record steps "
            "on or after the day they happen.",
        ),
        (
            {"enrolled_on": date(1999, 12, 31)},
            EnrolmentCheck.ENROLMENT_DATE,
            InvalidInput,
            "The enrolment date 1999-12-31 is before 2000; check the date.",
        ),
        (
            {"birth_year": 2009},
            EnrolmentCheck.ELIGIBILITY,
            RuleViolation,
            "A participant born in 2009 is under 18 on 2026-01-05; the study enrols adults "
            "of 18 or more only. Check the year of birth with the investigator.",
        ),
        (  # born 2008: 18 in 2026, but not at an enrolment corrected to 2025
            {"birth_year": 2008, "enrolled_on": date(2025, 12, 30)},
            EnrolmentCheck.ELIGIBILITY,
            RuleViolation,
            "A participant born in 2008 is under 18 on 2025-12-30",
        ),
        (
            {"birth_year": 2027},
            EnrolmentCheck.ELIGIBILITY,
            InvalidInput,
            "Year of birth 2027 is not possible; check it.",
        ),
        (
            {"initials": "CD", "reason": "  "},
            EnrolmentCheck.REASON,
            InvalidInput,
            "Give the reason for the correction: it is required for the record.",
        ),
    ],
)
def test_each_refusal_has_its_code_and_writes_nothing(
    ctx: Context,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    values: dict[str, Any],
    code: EnrolmentCheck,
    error: type[Exception],
    words: str,
) -> None:
    enroll(ctx, pharmacist)
    assert codes(ctx, pharmacist, **values) == [code]
    with refused(ctx, error, words):
        correct(ctx, pharmacist, pw(pharmacist), **values)


def test_the_enrolment_date_may_not_move_after_a_cycle_dispensed(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Cycle 1 has day 1 2026-01-05 (dispensed that day): the enrolment cannot move after it;
    on or before it, it can. The cycle to put right first and the latest date are named."""
    enroll(ctx, pharmacist, enrolled_on=date(2026, 1, 2))
    dispense(ctx, pharmacist, pw(pharmacist))  # DSP000001, cycle 1, day 1 2026-01-05
    clock.set_date(date(2026, 1, 12))
    later = {"enrolled_on": date(2026, 1, 7)}
    assert codes(ctx, pharmacist, **later) == [EnrolmentCheck.AFTER_DAY1]
    words = (
        "Participant 01-001 was dispensed cycle 1 (DSP000001) on 2026-01-05, day 1 2026-01-05: "
        "the enrolment date cannot be 2026-01-07, after that. Give an enrolment date on or "
        "before 2026-01-05, or put cycle 1 right first (void a dispense made in error, then "
        "dispense it again)."
    )
    with refused(ctx, RuleViolation, words):
        correct(ctx, pharmacist, pw(pharmacist), **later)
    assert correct(ctx, pharmacist, pw(pharmacist), enrolled_on=date(2026, 1, 5)).enrolled_on == (
        date(2026, 1, 5)
    )
    assert audit.verify(ctx, monitor).ok


def test_a_cycle_dispensed_before_its_day_1_holds_the_enrolment_to_the_dispense_date(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A cycle dispensed on 2026-01-05 for a day 1 on 2026-01-08: the enrolment cannot move
    after the dispense either (dispensing refuses a dispense dated before the enrolment)."""
    enroll(ctx, pharmacist, enrolled_on=date(2026, 1, 2))
    dispense(ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 8))
    clock.set_date(date(2026, 1, 12))
    words = "on 2026-01-05, day 1 2026-01-08: the enrolment date cannot be 2026-01-06"
    with refused(ctx, RuleViolation, words):
        correct(ctx, pharmacist, pw(pharmacist), enrolled_on=date(2026, 1, 6))
    assert codes(ctx, pharmacist, enrolled_on=date(2026, 1, 5)) == []


def test_a_voided_dispense_does_not_hold_the_enrolment_date(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist, enrolled_on=date(2026, 1, 2))
    made = dispense(ctx, pharmacist, pw(pharmacist))
    dispensing.void_dispense(ctx, pharmacist, made.number, "wrong participant", pw(pharmacist))
    clock.set_date(date(2026, 1, 12))
    assert correct(ctx, pharmacist, pw(pharmacist), enrolled_on=date(2026, 1, 9)).enrolled_on == (
        date(2026, 1, 9)
    )


def test_malformed_values_and_an_unknown_participant_are_refused(
    ctx: Context, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    enroll(ctx, pharmacist)
    secret = pw(pharmacist)
    with refused(ctx, InvalidInput, "'Anne Berry' are not initials"):
        correct(ctx, pharmacist, secret, initials="Anne Berry")
    with refused(ctx, InvalidInput, "The year of birth must be a number such as 1970."):
        correct(ctx, pharmacist, secret, birth_year="1971")
    with refused(ctx, InvalidInput, "The enrolment date must be a date (YYYY-MM-DD)"):
        correct(ctx, pharmacist, secret, enrolled_on="2026-01-02")
    with refused(ctx, NotFound, "Participant 09-999 is not enrolled"):
        correct(ctx, pharmacist, secret, "09-999", initials="CD")


def test_a_wrong_signature_password_writes_nothing(
    ctx: Context, pharmacist: Actor, refused: Refused
) -> None:
    enroll(ctx, pharmacist)
    with refused(ctx, SignatureFailed, "The signature password for pharm is wrong"):
        correct(ctx, pharmacist, "not-the-password", initials="CD")


@pytest.mark.parametrize("who", ["technician", "monitor", "admin"])
def test_only_a_pharmacist_corrects_an_enrolment(
    ctx: Context,
    pharmacist: Actor,
    who: str,
    request: pytest.FixtureRequest,
    pw: Password,
    refused: Refused,
) -> None:
    enroll(ctx, pharmacist)
    actor: Actor = request.getfixturevalue(who)
    with refused(ctx, NotPermitted, "may not correct an enrolment"):
        correct(ctx, actor, pw(actor), initials="CD")
    with pytest.raises(NotPermitted):
        participants.assess_enrolment_correction(ctx, actor, "01-001", initials="CD")


def test_verify_still_rebuilds_the_status_after_a_correction(
    ctx: Context, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """The participant row is a projection `audit verify` rebuilds: a correction lists the row
    as it leaves it, and says nothing of its status (discontinued before, still so after)."""
    enroll(ctx, pharmacist)
    enroll(ctx, pharmacist, "01-002", "CD")
    participants.set_status(
        ctx, pharmacist, "01-001", "discontinued", "withdrew consent", password=pw(pharmacist)
    )
    before = audit.verify(ctx, monitor)
    assert before.ok and before.point is not None
    correct(ctx, pharmacist, pw(pharmacist), initials="AD")
    correct(ctx, pharmacist, pw(pharmacist), "01-002", enrolled_on=date(2026, 1, 3))
    row = queries.participant(ctx, pharmacist, "01-001")
    assert (row.initials, row.status) == ("AD", ParticipantStatus.DISCONTINUED)
    result = audit.verify(ctx, monitor)
    assert result.ok, result.message
    since = audit.verify(ctx, monitor, since=before.point)  # the Today screen's check
    assert since.ok and since.new_entries == 2, since.message


def test_the_refusal_is_in_the_readers_language(
    ctx: Context, pharmacist: Actor, pw: Password
) -> None:
    enroll(ctx, pharmacist)
    with speaking(Language.ZH_CN), pytest.raises(RuleViolation) as refused:
        correct(ctx, pharmacist, pw(pharmacist), initials="AB")
    assert refused.value.message == (
        "没有要更正的内容：受试者 01-001 已记录为 AB，1970 年出生，2026-01-05 入组。"
        "请填写记录错误的那一项应有的值。"
    )


def test_the_participant_report_shows_the_corrected_enrolment(
    ctx: Context, pharmacist: Actor, monitor: Actor, pw: Password
) -> None:
    """The enrolment date is the row's: the register, the history and the report read the
    corrected one."""
    import io

    from pypdf import PdfReader

    from dispensary import reports
    from dispensary.services import report_data

    enroll(ctx, pharmacist)
    correct(ctx, pharmacist, pw(pharmacist), enrolled_on=date(2026, 1, 2), birth_year=1969)
    data = report_data.participant_report(ctx, monitor, "01-001")
    assert (data.participant.enrolled_on, data.participant.birth_year) == (date(2026, 1, 2), 1969)
    person, _history = queries.participant_history(ctx, monitor, "01-001")
    assert person.enrolled_on == date(2026, 1, 2)
    meta = report_data.report_meta(ctx, monitor)
    pdf = reports.participant_pdf(meta, ctx.study, data)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    # Each marked as corrected, with the value enrolled (the report showed the new ones only).
    assert "Enrolled\n2026-01-02 (corrected from 2026-01-05 on\n2026-01-05)" in text, text
    assert "Year of birth / sex\n1969 (corrected from 1970 on 2026-01-05) / F" in text, text
    assert "1, due from 2026-01-02" in text  # cycle 1 is due from the enrolment
