"""Enrolling participants (study number and initials only) and changing their status."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from dispensary.db.engine import write_transaction
from dispensary.db.models import Participant
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import ParticipantStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import (
    check_eligibility,
    check_not_future,
    check_sex,
    check_text,
    normalise_initials,
    normalise_study_number,
)
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.common import get_participant
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.queries import participant_row
from dispensary.services.results import ParticipantRow


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
    require(actor, Permission.ENROLL, ctx)
    today = ctx.clock.today()
    day = check_not_future(enrolled_on, today, N_("enrolment date"))
    number = normalise_study_number(study_number)
    letters = normalise_initials(initials)
    elig = ctx.study.eligibility
    sex_code = check_sex(check_text(sex, N_("sex"), required=False, limit=10), elig.sex)
    if isinstance(birth_year, bool) or not isinstance(birth_year, int):
        raise InvalidInput(_("The year of birth must be a number such as 1970."))
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
        rec = Recorder(session, actor, ctx.clock.now())
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
    ctx: Context, actor: Actor, study_number: str, status: ParticipantStatus | str, reason: str
) -> ParticipantRow:
    require(actor, Permission.PARTICIPANT_STATUS, ctx)
    try:
        new = ParticipantStatus(status)
    except ValueError as exc:
        raise InvalidInput(
            _("'{status}' is not a status: use {statuses}.").format(
                status=status, statuses=", ".join(s.value for s in ParticipantStatus)
            )
        ) from exc
    why = check_text(reason, N_("reason"))
    with write_transaction(ctx.engine) as session:
        participant = get_participant(session, study_number, ctx.study_id)
        old = participant.status
        if old == new.value:
            raise RuleViolation(
                _("Participant {participant} is already {status}.").format(
                    participant=participant.study_number, status=_(new.word)
                )
            )
        participant.status = new.value
        Recorder(session, actor, ctx.clock.now()).audit(
            AuditAction.PARTICIPANT_STATUS,
            "participant",
            participant.study_number,
            {"status": new.value},
            {"status": old},
            why,
        )
        return participant_row(session, ctx, participant)
