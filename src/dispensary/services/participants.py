"""Enrolling participants (study number and initials only), changing their status, and
correcting an enrolment recorded wrongly (signed, audited)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Dispense, DispenseKit, Kit, Participant
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus, ParticipantStatus, SignatureMeaning
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import (
    check_date,
    check_eligibility,
    check_not_future,
    check_sex,
    check_text,
    normalise_initials,
    normalise_study_number,
)
from dispensary.i18n import N_, _
from dispensary.services.assessment.base import Refusal
from dispensary.services.assessment.enrolment import (
    CORRECTED_FIELDS,
    EnrolmentCheck,
    EnrolmentCorrection,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import get_participant, not_voided
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.queries import live_dispenses, participant_row
from dispensary.services.results import ParticipantRow
from dispensary.services.users import check_signature, presign


def enroll(
    ctx: Context,
    actor: Actor,
    study_number: str,
    initials: str,
    birth_year: int,
    sex: str,
    eligibility_confirmed_by: str,
    enrolled_on: date | None = None,
    criteria_confirmed: Sequence[str] | None = None,
) -> ParticipantRow:
    """Enrols after the investigator's eligibility confirmation; every criterion must be ticked
    when a checklist is given (the GUI always gives it)."""
    require(actor, Permission.ENROLL, ctx, recorded=True)
    today = ctx.clock.today()
    day = check_not_future(enrolled_on, today, N_("enrolment date"))
    number = normalise_study_number(study_number)
    letters = normalise_initials(initials)
    elig = ctx.study.eligibility
    sex_code = check_sex(check_text(sex, N_("sex"), required=False, limit=10), elig.sex)
    _check_birth_year(birth_year)
    confirmed_by = check_text(
        eligibility_confirmed_by,
        N_("name of the investigator who confirmed eligibility"),
        limit=120,
    )
    check_eligibility(birth_year, sex_code, day, elig.min_age, elig.sex)
    checklist: list[str] = []
    if criteria_confirmed is not None:
        wanted = list(elig.inclusion) + [f"Not: {c}" for c in elig.exclusion]
        missing = [c for c in wanted if c not in set(criteria_confirmed)]
        if missing:
            raise RuleViolation(
                _(
                    "Eligibility is not confirmed for: {criterion}. Confirm every inclusion "
                    "criterion and the absence of every exclusion criterion before enrolling."
                ).format(criterion=missing[0])
            )
        checklist = wanted
    with write_transaction(ctx.engine) as session:
        if session.scalar(
            select(Participant).where(
                Participant.study_id == ctx.study_id, Participant.study_number == number
            )
        ):
            raise RuleViolation(
                _("Participant {participant} is already enrolled.").format(participant=number)
            )
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.ENROLL)
        participant = Participant(
            study_number=number,
            initials=letters,
            birth_year=birth_year,
            sex=sex_code,
            enrolled_on=day,
            eligibility_confirmed_by=confirmed_by,
            eligibility_confirmed_at=rec.now,
            eligibility_checklist=json.dumps(checklist),
            status=ParticipantStatus.ON_TREATMENT.value,
            created_by_id=actor.user_id,
            study_id=ctx.study_id,
        )
        session.add(participant)
        session.flush()
        rec.audit(
            AuditAction.ENROLL,
            "participant",
            number,
            {
                "initials": letters,
                "birth_year": birth_year,
                "sex": sex_code,
                "enrolled_on": day,
                "eligibility_confirmed_by": confirmed_by,
                "criteria": len(checklist),
                "status": participant.status,  # where `audit verify` rebuilds it from
            },
        )
        return participant_row(session, ctx, participant)


def set_status(
    ctx: Context,
    actor: Actor,
    study_number: str,
    status: ParticipantStatus | str,
    reason: str,
    *,
    password: str,
    effective_on: date | None = None,
) -> ParticipantRow:
    """Takes a participant off treatment (discontinued, completed), or back on, from the
    effective date (today when not given: not in the future, not before enrolment). Signed
    by the pharmacist ("status changed"): it decides whether kits are dispensed, and a
    return to treatment after a discontinuation may be a correction or a slip; the reason,
    the date and the status before are audited, and shown with the participant's history."""
    require(actor, Permission.PARTICIPANT_STATUS, ctx, recorded=True)
    new, why, day = _status_given(ctx, status, reason, effective_on)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        old = participant.status
        _check_status_change(participant, new, day)
        rec = Recorder(
            session, actor, ctx.clock.now(), study=ctx, action=Permission.PARTICIPANT_STATUS
        )
        check_signature(
            session,
            actor,
            password,
            SignatureMeaning.STATUS_CHANGED,
            "participant",
            participant.id,
            rec,
        )
        participant.status = new.value
        rec.audit(
            AuditAction.PARTICIPANT_STATUS,
            "participant",
            participant.study_number,
            {"status": new.value, "effective_on": day},
            {"status": old},
            why,
        )
        return participant_row(session, ctx, participant)


def check_status_change(
    ctx: Context,
    actor: Actor,
    study_number: str,
    status: ParticipantStatus | str,
    reason: str,
    effective_on: date | None = None,
) -> ParticipantStatus:
    """Read-only: raises what `set_status` would refuse for these values (the same checks), so
    a screen asks for the signature only once nothing is refused; the status it would set."""
    require(actor, Permission.PARTICIPANT_STATUS, ctx)
    new, _why, day = _status_given(ctx, status, reason, effective_on)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        _check_status_change(participant, new, day)
    return new


def _status_given(
    ctx: Context, status: ParticipantStatus | str, reason: str, effective_on: date | None
) -> tuple[ParticipantStatus, str, date]:
    """The status, the reason (the rule of every reason: check_text) and the effective date
    (today when not given; never in the future), each checked for its form."""
    try:
        new = ParticipantStatus(status)
    except ValueError as exc:
        raise InvalidInput(
            _("'{status}' is not a status: use {statuses}.").format(
                status=status, statuses=", ".join(s.value for s in ParticipantStatus)
            )
        ) from exc
    why = check_text(reason, N_("reason"))
    day = check_not_future(effective_on, ctx.clock.today(), N_("effective date"))
    return new, why, day


def _check_status_change(participant: Participant, new: ParticipantStatus, day: date) -> None:
    """A change to the status the participant has is refused, and an effective date before
    the enrolment (no status can change before it)."""
    if participant.status == new.value:
        raise RuleViolation(
            _("Participant {participant} is already {status}.").format(
                participant=participant.study_number, status=_(new.word)
            )
        )
    if day < participant.enrolled_on:
        raise InvalidInput(
            _(
                "The effective date {day} is before participant {participant} was enrolled "
                "({enrolled}): give the day the status changed, on or after the enrolment."
            ).format(
                day=day.isoformat(),
                participant=participant.study_number,
                enrolled=participant.enrolled_on.isoformat(),
            )
        )


def kits_out(ctx: Context, actor: Actor, study_number: str) -> tuple[str, ...]:
    """The kits dispensed to the participant and not returned yet (voided dispenses left out):
    what a change of status shows, as the kits are still to come back."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        return tuple(
            session.scalars(
                select(Kit.number)
                .join(DispenseKit, DispenseKit.kit_id == Kit.id)
                .join(Dispense, Dispense.id == DispenseKit.dispense_id)
                .where(
                    Dispense.participant_id == participant.id,
                    not_voided(),
                    Kit.status == KitStatus.DISPENSED.value,
                )
                .order_by(Dispense.cycle, Kit.number)
                .distinct()
            )
        )


def _check_birth_year(birth_year: object) -> int:
    if isinstance(birth_year, bool) or not isinstance(birth_year, int):
        raise InvalidInput(_("The year of birth must be a number such as 1970."))
    return birth_year


@dataclass(frozen=True)
class _Given:
    """The values a correction gives (None: left as recorded), each checked for its form."""

    enrolled_on: date | None
    initials: str | None
    birth_year: int | None

    def values(self) -> dict[str, object]:
        """The values given, keyed as CORRECTED_FIELDS."""
        given: dict[str, object | None] = {
            "enrolled_on": self.enrolled_on,
            "initials": self.initials,
            "birth_year": self.birth_year,
        }
        return {k: v for k, v in given.items() if v is not None}


def _given(enrolled_on: date | None, initials: str | None, birth_year: int | None) -> _Given:
    """Malformed values refused before anything is read (initials normalised as at enrolment)."""
    day = None if enrolled_on is None else check_date(enrolled_on, N_("enrolment date"))
    letters = None if initials is None else normalise_initials(initials)
    year = None if birth_year is None else _check_birth_year(birth_year)
    return _Given(day, letters, year)


def _correction(
    session: Session,
    ctx: Context,
    participant: Participant,
    given: _Given,
    reason: str | None,
) -> EnrolmentCorrection:
    """The one policy of a correction, read and written alike: what it changes, and the
    refusals in the order they are met (the reason is not checked when None: not typed yet)."""
    number = participant.study_number
    recorded: dict[str, object] = {
        "enrolled_on": participant.enrolled_on,
        "initials": participant.initials,
        "birth_year": participant.birth_year,
    }
    changed = {k: v for k, v in given.values().items() if v != recorded[k]}
    old = {k: recorded[k] for k in CORRECTED_FIELDS if k in changed}
    new = {k: changed[k] for k in CORRECTED_FIELDS if k in changed}
    refusals: list[Refusal[EnrolmentCheck]] = []
    if reason is not None:
        try:
            check_text(reason, N_("reason for the correction"))
        except InvalidInput as exc:
            refusals.append(Refusal(EnrolmentCheck.REASON, exc.message, InvalidInput))
    if not given.values():
        refusals.append(
            Refusal(
                EnrolmentCheck.NOTHING_TO_CHANGE,
                _(
                    "Nothing to correct for participant {participant}: give the enrolment date, "
                    "the initials or the year of birth as they should be recorded."
                ).format(participant=number),
                InvalidInput,
            )
        )
    elif not changed:
        refusals.append(
            Refusal(
                EnrolmentCheck.NOTHING_TO_CHANGE,
                _(
                    "Nothing to correct: participant {participant} is already recorded as "
                    "{initials}, born {year}, enrolled on {day}. Give the value that was recorded "
                    "wrongly, as it should be."
                ).format(
                    participant=number,
                    initials=participant.initials,
                    year=participant.birth_year,
                    day=participant.enrolled_on.isoformat(),
                ),
            )
        )
    day = given.enrolled_on if "enrolled_on" in changed else participant.enrolled_on
    year = given.birth_year if "birth_year" in changed else participant.birth_year
    assert day is not None and year is not None
    dated = True
    if "enrolled_on" in changed:
        try:
            check_not_future(day, ctx.clock.today(), N_("enrolment date"))
        except InvalidInput as exc:
            dated = False
            refusals.append(Refusal(EnrolmentCheck.ENROLMENT_DATE, exc.message, InvalidInput))
    if dated and ("enrolled_on" in changed or "birth_year" in changed):
        elig = ctx.study.eligibility
        try:  # the sex as recorded: a correction does not change it
            check_eligibility(year, participant.sex, day, elig.min_age, elig.sex)
        except RuleViolation as exc:
            refusals.append(Refusal(EnrolmentCheck.ELIGIBILITY, exc.message, type(exc)))
    if dated and "enrolled_on" in changed:
        refusals.extend(_dispensed_before(session, participant, day))
    return EnrolmentCorrection(number, old, new, tuple(refusals))


def _dispensed_before(
    session: Session, participant: Participant, day: date
) -> list[Refusal[EnrolmentCheck]]:
    """A participant is dispensed to from enrolment on (dispensing refuses a day 1 or a
    dispense date before it): an enrolment date after a dispense recorded is refused, naming
    the cycle to put right first (the earliest) and the latest enrolment date that fits."""
    live = live_dispenses(session, participant.id)  # a voided dispense never left: not counted
    late = [d for d in live if min(d.day1, d.dispensed_on) < day]
    if not late:
        return []
    first = min(late, key=lambda d: (min(d.day1, d.dispensed_on), d.cycle))
    latest = min(min(d.day1, d.dispensed_on) for d in live)
    return [
        Refusal(
            EnrolmentCheck.AFTER_DAY1,
            _(
                "Participant {participant} was dispensed cycle {cycle} ({dispense}) on "
                "{dispensed}, day 1 {day1}: the enrolment date cannot be {day}, after that. Give "
                "an enrolment date on or before {latest}, or put cycle {cycle} right first (void "
                "a dispense made in error, then dispense it again)."
            ).format(
                participant=participant.study_number,
                cycle=first.cycle,
                dispense=first.number,
                dispensed=first.dispensed_on.isoformat(),
                day1=first.day1.isoformat(),
                day=day.isoformat(),
                latest=latest.isoformat(),
            ),
        )
    ]


def assess_enrolment_correction(
    ctx: Context,
    actor: Actor,
    study_number: str,
    *,
    enrolled_on: date | None = None,
    initials: str | None = None,
    birth_year: int | None = None,
    reason: str | None = None,
) -> EnrolmentCorrection:
    """Read-only: what `correct_enrolment` would change for these values, and what it would
    refuse (the same policy, in one read transaction): a screen asks for the signature only
    once nothing is refused. Malformed values raise as they do for the correction; the reason
    is checked when given."""
    require(actor, Permission.ENROLL, ctx)
    given = _given(enrolled_on, initials, birth_year)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        return _correction(session, ctx, participant, given, reason)


def correct_enrolment(
    ctx: Context,
    actor: Actor,
    study_number: str,
    *,
    enrolled_on: date | None = None,
    initials: str | None = None,
    birth_year: int | None = None,
    reason: str,
    password: str,
) -> ParticipantRow:
    """Corrects what the enrolment recorded wrongly (the enrolment date, the initials, the year
    of birth): the participant's row changed in place, signed by the pharmacist ("corrected")
    and audited with the values before and after and the reason. Only the values given are
    changed; a refusal (EnrolmentCheck) writes nothing."""
    require(actor, Permission.ENROLL, ctx, recorded=True)
    why = check_text(reason, N_("reason for the correction"))
    given = _given(enrolled_on, initials, birth_year)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        correction = _correction(session, ctx, participant, given, why)
        if correction.refusals:
            first = correction.refusals[0]
            raise first.error(first.message)
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.ENROLL)
        check_signature(
            session, actor, password, SignatureMeaning.CORRECTED, "participant", participant.id, rec
        )
        for key, value in correction.new.items():
            setattr(participant, key, value)
        rec.audit(
            AuditAction.ENROLMENT_CORRECTED,
            "participant",
            participant.study_number,
            correction.new,
            correction.old,
            why,
        )
        return participant_row(session, ctx, participant)
