"""Enrolling participants (study number and initials only), changing their status, and
correcting an enrolment recorded wrongly (signed, audited)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    AuditEntry,
    Dispense,
    DispenseKit,
    EnrolmentVoid,
    Kit,
    Participant,
    Shipment,
    StudyRecord,
    User,
)
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus, ParticipantStatus, SignatureMeaning
from dispensary.domain.errors import DispensaryError, InvalidInput, RuleViolation
from dispensary.domain.rules import (
    check_date,
    check_eligibility,
    check_not_future,
    check_sex,
    check_text,
    is_dispense_number,
    looks_like_dispense_number,
    normalise_initials,
    normalise_study_number,
)
from dispensary.i18n import N_, _
from dispensary.services.assessment.base import Refusal
from dispensary.services.assessment.dispense import StudyFileChanged
from dispensary.services.assessment.enrolment import (
    CORRECTED_FIELDS,
    EnrolmentCheck,
    EnrolmentCorrection,
)
from dispensary.services.assessment.status import StatusCorrection, StatusCorrectionCheck
from dispensary.services.audit import Recorder
from dispensary.services.common import CodeKind, form_kind, get_participant, not_voided
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.queries import (
    live_dispenses,
    participant_row,
    status_changed_last,
    status_entries,
)
from dispensary.services.results import ParticipantRow
from dispensary.services.study_versions import refuse_study_file_changed, study_file_changed
from dispensary.services.users import check_signer, passwords_first, presign, record_signature
from dispensary.study import Study


class ChecklistNotConfirmed(RuleViolation):
    """An enrolment given no eligibility checklist (a front end's own hint may follow)."""


def eligibility_checklist(study: Study) -> list[str]:
    """The criteria an enrolment confirms, as recorded: each inclusion criterion, then the
    absence of each exclusion criterion ("Not: <criterion>")."""
    elig = study.eligibility
    return [*elig.inclusion, *(f"Not: {c}" for c in elig.exclusion)]


def eligibility_checklist_words(study: Study) -> list[str]:
    """The criteria of eligibility_checklist, in its order, as the reader reads them: the
    study file's words in the reader's language (Study.criteria), each exclusion as "Not:
    <criterion>" in that language. For what the command shows; the record keeps
    eligibility_checklist's."""
    inclusion, exclusion = study.criteria()
    return [*inclusion, *(_("Not: {criterion}").format(criterion=c) for c in exclusion)]


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
    age_confirmed: bool = False,
) -> ParticipantRow:
    """Enrols after the investigator's eligibility confirmation; every criterion of the study's
    checklist (`eligibility_checklist`) must be confirmed, whatever the front end (the GUI's
    boxes, the CLI's --criteria-confirmed): None (no checklist given) is refused. `age_confirmed`: the investigator
    confirmed the age of a participant born in the year that makes them under age or not by
    the birthday (check_eligibility asks it, ToConfirm); recorded in the audit trail."""
    require(actor, Permission.ENROLL, ctx, recorded=True)
    with write_transaction(ctx.engine) as session:
        # The rules below are the study file's the process read: refused first when it is no
        # longer the file in force (updated at this or another workstation since).
        refuse_study_file_changed(session, ctx, "enrolment")
        today = ctx.clock.today()
        # Each refusal names the parameter it is about (DispensaryError.field_name): the
        # enrolment window puts the cursor in that field; check_eligibility names its own.
        day = _about(
            "enrolled_on", lambda: check_not_future(enrolled_on, today, N_("enrolment date"))
        )
        number = _about("study_number", lambda: normalise_study_number(study_number))
        letters = _about("initials", lambda: normalise_initials(initials))
        elig = ctx.study.eligibility
        sex_code = _about("sex", lambda: check_sex(check_text(sex, N_("sex"), limit=10), elig.sex))
        _about("birth_year", lambda: _check_birth_year(birth_year))
        confirmed_by = _about(
            "eligibility_confirmed_by",
            lambda: check_text(
                eligibility_confirmed_by,
                N_("name of the investigator who confirmed eligibility"),
                limit=120,
            ),
        )
        check_eligibility(
            birth_year, sex_code, day, elig.min_age, elig.sex, age_confirmed=age_confirmed
        )
        _about("study_number", lambda: _check_not_a_label(number))
        checklist = eligibility_checklist(ctx.study)
        if criteria_confirmed is None and checklist:
            raise ChecklistNotConfirmed(
                _(
                    "The eligibility checklist of {protocol} is not confirmed ({count} criteria): "
                    "confirm every inclusion criterion and the absence of every exclusion criterion "
                    "before enrolling."
                ).format(protocol=ctx.study.protocol, count=len(checklist))
            )
        missing = [c for c in checklist if c not in set(criteria_confirmed or ())]
        if missing:
            raise RuleViolation(
                _(
                    "Eligibility is not confirmed for: {criterion}. Confirm every inclusion "
                    "criterion and the absence of every exclusion criterion before enrolling."
                ).format(criterion=missing[0])
            )
        _about("study_number", lambda: _check_not_enrolled(session, ctx, number))
        _about("study_number", lambda: _check_number_free(session, ctx, number))
        _about("enrolled_on", lambda: _check_enrolled_after_loading(session, ctx, day))
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
                **({"age_confirmed": True} if age_confirmed else {}),
            },
        )
        return participant_row(session, ctx, participant)


_T = TypeVar("_T")


def _about(field: str, check: Callable[[], _T]) -> _T:
    """`check` run; a refusal it raises names `field` (DispensaryError.field_name), the
    parameter of the step it is about, unless it names one already. The refusal itself is
    unchanged."""
    try:
        return check()
    except DispensaryError as exc:
        exc.field_name = exc.field_name or field
        raise


def _check_not_a_label(number: str) -> None:
    """A dispensing label's number (DSP000002, or one mistyped) is never a participant's: a
    scan of that label would open the participant, or the participant's number the label."""
    if is_dispense_number(number) or looks_like_dispense_number(number):
        raise RuleViolation(
            _(
                "{number} is a dispensing label's number, not a participant's study number. "
                "Give the participant's number as on the enrolment log (e.g. 01-001)."
            ).format(number=number)
        )


def _check_number_free(session: Session, ctx: Context, number: str) -> None:
    """One number, one person or kit across the pharmacy: a scan resolves a code by its number
    in every study. Refused: a participant's number of another study (not named: the user may
    have no access to it), a kit's number, or a number of the form of the study's kit numbers
    that none of its participants' numbers has (K1003 before that kit arrives)."""
    if session.scalar(
        select(Participant.id).where(
            Participant.study_number == number,
            Participant.study_id != ctx.study_id,
            Participant.status != ParticipantStatus.VOIDED.value,
        )
    ):
        raise RuleViolation(
            _(
                "Study number {number} is already a participant's in another study of this "
                "pharmacy: a number names one person across the pharmacy, as a scan finds the "
                "participant by it. Check the number on the enrolment log and give this "
                "participant's own number."
            ).format(number=number)
        )
    if session.scalar(select(Kit.id).where(Kit.number == number)):
        raise RuleViolation(
            _(
                "{number} is a kit's number in this pharmacy, not a participant's study number: "
                "a scan of it would find the kit. Give the participant's number as on the "
                "enrolment log (e.g. 01-001)."
            ).format(number=number)
        )
    if form_kind(session, number, ctx.study_id) is CodeKind.KIT:
        raise RuleViolation(
            _(
                "{number} has the form of this study's kit numbers, not of its participants' "
                "study numbers: a scan could not tell the participant from a kit. Give the "
                "participant's number as on the enrolment log (e.g. 01-001)."
            ).format(number=number)
        )


def other_treatment_criterion(ctx: Context) -> str | None:
    """The study's exclusion criterion on another study's treatment, as the file words it in
    the reader's language: the one its [eligibility] other_study_exclusion names; None when
    the file names none (the warning then asks to check the protocol's exclusion criteria)."""
    return ctx.study.other_study_criterion()


def enrolment_warnings(
    ctx: Context, actor: Actor, initials: str, birth_year: int
) -> tuple[str, ...]:
    """Read-only, before an enrolment: a participant on treatment in another study of this
    pharmacy with the same initials and year of birth may be the same person, whom the
    protocol's exclusion criterion on other study treatment keeps out. A warning, not a
    refusal (initials and a year are shared by strangers); the other study is named only to a
    user who has access to it."""
    require(actor, Permission.ENROLL, ctx)
    letters = normalise_initials(initials)
    year = _check_birth_year(birth_year)
    with read_transaction(ctx.engine) as session:
        rows = session.execute(
            select(Participant.study_number, Participant.study_id, StudyRecord.protocol)
            .join(StudyRecord, StudyRecord.id == Participant.study_id)
            .where(
                Participant.initials == letters,
                Participant.birth_year == year,
                Participant.status == ParticipantStatus.ON_TREATMENT.value,
                Participant.study_id != ctx.study_id,
            )
            .order_by(Participant.id)
        ).all()
        readable = Readable(session, actor)
        opened = {study_id for _number, study_id, _protocol in rows if study_id in readable}
    criterion = other_treatment_criterion(ctx)
    cited = (
        _('the protocol excludes: "{criterion}"').format(criterion=criterion)
        if criterion
        else _("check the protocol's exclusion criteria on other study treatment")
    )
    warnings: list[str] = []
    for number, study_id, protocol in rows:
        where = (
            _("participant {number} of {protocol}").format(number=number, protocol=protocol)
            if study_id in opened
            else _("a participant of another study")
        )
        warnings.append(
            _(
                "{initials}, born {year}, are the initials and year of birth of {where}, on "
                "treatment in this pharmacy. If this is the same person, {cited}; check with "
                "the investigator."
            ).format(initials=letters, year=year, where=where, cited=cited)
        )
    return tuple(warnings)


def study_loaded_on(session: Session, ctx: Context) -> date:
    """The day the study was first loaded in this pharmacy (its first version: an amendment
    does not move it), from the audit trail; the study's row when the trail has no entry. The
    earlier of its UTC and local day, so that no enrolment of that day is refused."""
    loaded = session.scalar(
        select(func.min(AuditEntry.at)).where(
            AuditEntry.action.in_((AuditAction.STUDY_LOADED, AuditAction.STUDY_ADDED)),
            AuditEntry.entity == "study",
            AuditEntry.entity_id == ctx.study.protocol,
        )
    )
    if loaded is None:
        loaded = session.scalar(select(StudyRecord.loaded_at).where(StudyRecord.id == ctx.study_id))
    if loaded is None:
        return date.min
    return min(loaded.date(), loaded.astimezone().date())


def study_here_since(session: Session, ctx: Context) -> date:
    """The first day the study was in this pharmacy: the day it was loaded, or its first
    stock's receipt if recorded as earlier (records kept on paper before the program was used,
    entered from the first shipment on, as the README's walk-through does)."""
    loaded = study_loaded_on(session, ctx)
    received = session.scalar(
        select(func.min(Shipment.received_on))
        .join(Kit, Kit.shipment_id == Shipment.id)
        .where(Kit.study_id == ctx.study_id)
    )
    return min(loaded, received) if received is not None else loaded


def _enrolment_date_refusal(session: Session, ctx: Context, day: date) -> str | None:
    """An enrolment date before the study was in this pharmacy is a typo (2020 for 2026): no
    participant was enrolled here before the study was. What to do, or None."""
    since = study_here_since(session, ctx)
    if day >= since:
        return None
    return _(
        "The enrolment date {day} is before {protocol} was in this pharmacy (loaded, or its "
        "first stock received, on {since}). Check the date on the enrolment log and give a date "
        "on or after {since}; to enter records kept on paper from before then, record the "
        "receipt of the study's first stock, with its date, first."
    ).format(day=day.isoformat(), protocol=ctx.study.protocol, since=since.isoformat())


def _check_enrolled_after_loading(session: Session, ctx: Context, day: date) -> None:
    refusal = _enrolment_date_refusal(session, ctx, day)
    if refusal is not None:
        raise InvalidInput(refusal)


_SIGNED_AS = {
    Permission.PARTICIPANT_STATUS: SignatureMeaning.STATUS_CHANGED,
    Permission.CORRECT_ENROLMENT: SignatureMeaning.CORRECTED,  # a correction, a void
}
"""The meaning of the signature of each signed step on a participant (_signed_step)."""


def _signed_step(
    session: Session,
    ctx: Context,
    actor: Actor,
    password: str,
    action: Permission,
    study_number: str,
    meaning: SignatureMeaning | None = None,
) -> tuple[Recorder, User, Participant]:
    """The start of a signed step on one participant (a status change, a correction or a void
    of the enrolment), in its write transaction: the step's Recorder, the signature's checks
    (signed as _SIGNED_AS says) with the password first (a wrong one is said and counted
    whatever else is refused), then the participant as `actor` may read it. One home, so
    that the steps check in the same order. `meaning`: the signature's, when not the action's
    (a status change corrected is signed "corrected")."""
    rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=action)
    meaning = meaning or _SIGNED_AS[action]
    signer = check_signer(session, actor, password, meaning, auditor=actor, now=rec.now)
    participant = get_participant(
        session, study_number, ctx.study_id, reader=Readable(session, actor)
    )
    return rec, signer, participant


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
    with passwords_first(ctx, actor, password, SignatureMeaning.STATUS_CHANGED):
        new, why, day = _status_given(ctx, status, reason, effective_on)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec, signer, participant = _signed_step(
            session, ctx, actor, password, Permission.PARTICIPANT_STATUS, study_number
        )
        old = participant.status
        _check_status_change(session, participant, new, day)
        record_signature(
            session, signer, SignatureMeaning.STATUS_CHANGED, "participant", participant.id, rec
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
        _check_status_change(session, participant, new, day)
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
    if new is ParticipantStatus.VOIDED:
        raise InvalidInput(
            _(
                "An enrolment entered in error is voided with its own signed step "
                "(participant-void), not by a status change."
            )
        )
    day = check_not_future(effective_on, ctx.clock.today(), N_("effective date"))
    return new, why, day


def _check_status_change(
    session: Session, participant: Participant, new: ParticipantStatus, day: date
) -> None:
    """A change to the status the participant has is refused, and an effective date before
    the enrolment (no status can change before it), before the effective date of the status
    the participant has (each change follows the one before it: discontinued from 1 Dec, back
    on treatment from 28 Nov was an order no record could have), or before the participant's
    last dispense not voided (the dispenses recorded say the participant was on treatment
    then); a voided enrolment stays as voided. A status set in error is put right by the next
    change, on or after its date: to the status it should have been, or back on treatment."""
    _refuse_voided(participant)
    if participant.status == new.value:
        raise RuleViolation(
            _("Participant {participant} is already {status}.").format(
                participant=participant.study_number, status=_(new.word)
            )
        )
    since = status_changed_last(session, {participant.id: participant.study_number}).get(
        participant.id
    )
    before = None if since is None else (participant.status, since)
    for refusal in _effective_date_refusals(participant, day, before, correcting=False)[:1]:
        raise refusal.error(refusal.message)
    last = session.scalar(
        select(func.max(Dispense.dispensed_on)).where(
            Dispense.participant_id == participant.id, not_voided()
        )
    )
    if last is not None and day < last:
        raise RuleViolation(
            _(
                "The effective date {day} is before the last dispense to participant "
                "{participant} ({last}). Give a date on or after {last}; if a dispense after "
                "{day} was made in error, void it first."
            ).format(
                day=day.isoformat(), participant=participant.study_number, last=last.isoformat()
            )
        )


def _effective_date_refusals(
    participant: Participant,
    day: date,
    before: tuple[str, date] | None,
    *,
    correcting: bool,
) -> list[Refusal[StatusCorrectionCheck]]:
    """The one rule of the effective date of a status, for a status change and for the
    correction of one alike: not before the enrolment (no status can change before it), nor
    before the status it follows took effect (`before`: that status and its date; each change
    follows the one before it). The first met only, as the steps refuse it (a change raises
    it, a correction lists it); `correcting`: said of the status change corrected, which
    followed the status before it, not of the status now."""
    if day < participant.enrolled_on:
        return [
            Refusal(
                StatusCorrectionCheck.BEFORE_ENROLMENT,
                _(
                    "The effective date {day} is before participant {participant} was enrolled "
                    "({enrolled}): give the day the status changed, on or after the enrolment."
                ).format(
                    day=day.isoformat(),
                    participant=participant.study_number,
                    enrolled=participant.enrolled_on.isoformat(),
                ),
                InvalidInput,
            )
        ]
    if before is None or day >= before[1]:
        return []
    status, since = _(ParticipantStatus(before[0]).word), before[1].isoformat()
    if correcting:
        message = _(
            "The effective date {day} is before the status change it followed took "
            "effect: participant {participant} was {status} from {since}. Give a date "
            "on or after {since}."
        )
    else:
        message = _(
            "The effective date {day} is before participant {participant}'s status now, "
            "{status}, took effect ({since}). Give a date on or after {since}."
        )
    return [
        Refusal(
            StatusCorrectionCheck.BEFORE_PREVIOUS,
            message.format(
                day=day.isoformat(),
                participant=participant.study_number,
                status=status,
                since=since,
            ),
        )
    ]


def _status_correction_given(
    status: ParticipantStatus | str | None, effective_on: date | None
) -> tuple[ParticipantStatus | None, date | None]:
    """The status and the effective date a correction of a status change gives (None: as in
    force), each checked for its form; a voided enrolment is not a status a change sets."""
    new = None
    if status is not None:
        try:
            new = ParticipantStatus(status)
        except ValueError as exc:
            raise InvalidInput(
                _("'{status}' is not a status: use {statuses}.").format(
                    status=status,
                    statuses=", ".join(
                        s.value for s in ParticipantStatus if s is not ParticipantStatus.VOIDED
                    ),
                )
            ) from exc
        if new is ParticipantStatus.VOIDED:
            raise InvalidInput(
                _(
                    "An enrolment entered in error is voided with its own signed step "
                    "(participant-void), not by a status change."
                )
            )
    day = None if effective_on is None else check_date(effective_on, N_("effective date"))
    return new, day


def _status_correction(
    session: Session,
    ctx: Context,
    participant: Participant,
    status: ParticipantStatus | None,
    effective_on: date | None,
    reason: str | None,
) -> StatusCorrection:
    """The one policy of a correction of the status change in force (the participant's last),
    read and written alike: what it changes, and the refusals in the order they are met (the
    reason is not checked when None: not typed yet). The status the change replaced, given as
    the corrected status, withdraws the change as recorded in error: that status is back from
    the date it had (the enrolment's when it was the first)."""
    number = participant.study_number
    refusals: list[Refusal[StatusCorrectionCheck]] = []
    if reason is not None:
        try:
            check_text(reason, N_("reason for the correction"))
        except InvalidInput as exc:
            refusals.append(Refusal(StatusCorrectionCheck.REASON, exc.message, InvalidInput))
    entries = status_entries(session, {participant.id: number}).get(participant.id, [])
    changes = [e for e in entries if e.corrects is None]
    old_status = participant.status
    if not changes:
        refusals.append(
            Refusal(
                StatusCorrectionCheck.NO_STATUS_CHANGE,
                _(
                    "Participant {participant}'s status was never changed: they are on "
                    "treatment since the enrolment ({enrolled}). To record a status, change it "
                    "(participant-status); an enrolment recorded wrongly is corrected with "
                    "participant-correct."
                ).format(participant=number, enrolled=participant.enrolled_on.isoformat()),
            )
        )
        return StatusCorrection(
            number, None, old_status, None, old_status, None, False, tuple(refusals)
        )
    change = changes[-1]
    earlier = entries[: entries.index(change)]
    previous = earlier[-1].effective_on if earlier else None  # the status before took effect
    before = change.old_status or ParticipantStatus.ON_TREATMENT.value
    old_day = entries[-1].effective_on
    new_status = status.value if status is not None else old_status
    withdrawn = new_status == before
    if withdrawn:
        new_day = previous or participant.enrolled_on
        if effective_on is not None and effective_on != new_day:
            raise InvalidInput(
                _(
                    "Withdrawn as recorded in error, the status change gives {status} back from "
                    "the date it had ({day}): give no effective date, or give the status it "
                    "should have been with its date."
                ).format(status=_(ParticipantStatus(before).word), day=new_day.isoformat())
            )
    else:
        new_day = effective_on or old_day or change.effective_on or participant.enrolled_on
    if new_status == old_status and new_day == old_day:
        refusals.append(
            Refusal(
                StatusCorrectionCheck.NOTHING_TO_CHANGE,
                _(
                    "Nothing to correct: participant {participant} is already recorded as "
                    "{status} from {day}. Give the effective date or the status as it should "
                    "have been recorded."
                ).format(
                    participant=number,
                    status=_(ParticipantStatus(old_status).word),
                    day=new_day.isoformat(),
                ),
                InvalidInput,
            )
        )
    today = ctx.clock.today()
    if not withdrawn and new_day > today:
        refusals.append(
            Refusal(
                StatusCorrectionCheck.FUTURE_DATE,
                _(
                    "The effective date {day} is after today ({today}): give the day the status "
                    "changed, today or before."
                ).format(day=new_day.isoformat(), today=today.isoformat()),
                InvalidInput,
            )
        )
    if not withdrawn:
        earlier_status = None if previous is None else (before, previous)
        refusals += _effective_date_refusals(participant, new_day, earlier_status, correcting=True)
    refusals.extend(_dispensed_against(session, participant, new_status, new_day, previous))
    return StatusCorrection(
        number,
        change.entry_id,
        old_status,
        old_day,
        new_status,
        new_day,
        withdrawn,
        tuple(refusals),
    )


def _dispensed_against(
    session: Session, participant: Participant, status: str, day: date, previous: date | None
) -> list[Refusal[StatusCorrectionCheck]]:
    """The dispenses (not voided) that a corrected status and date contradict: off treatment
    from `day`, a dispense after it; back on treatment from `day` after the status before it
    (from `previous`), a dispense between the two (made while off treatment)."""
    live = live_dispenses(session, participant.id)
    if status == ParticipantStatus.ON_TREATMENT.value:
        if previous is None:
            return []
        late = [d for d in live if previous < d.dispensed_on < day]
        if not late:
            return []
        first = late[0]
        return [
            Refusal(
                StatusCorrectionCheck.DISPENSED,
                _(
                    "Participant {participant} was dispensed cycle {cycle} ({dispense}) on "
                    "{dispensed}, which puts them back on treatment by then: the change back on "
                    "treatment cannot take effect on {day}. Give a date on or before "
                    "{dispensed}; if that dispense was made in error, void it first."
                ).format(
                    participant=participant.study_number,
                    cycle=first.cycle,
                    dispense=first.number,
                    dispensed=first.dispensed_on.isoformat(),
                    day=day.isoformat(),
                ),
            )
        ]
    late = [d for d in live if d.dispensed_on > day]
    if not late:
        return []
    last = late[-1]
    return [
        Refusal(
            StatusCorrectionCheck.DISPENSED,
            _(
                "Participant {participant} was dispensed cycle {cycle} ({dispense}) on "
                "{dispensed}, after {day}: they cannot have been {status} from {day}. Give a "
                "date on or after {dispensed}; if that dispense was made in error, void it "
                "first."
            ).format(
                participant=participant.study_number,
                cycle=last.cycle,
                dispense=last.number,
                dispensed=last.dispensed_on.isoformat(),
                day=day.isoformat(),
                status=_(ParticipantStatus(status).word),
            ),
        )
    ]


def assess_status_correction(
    ctx: Context,
    actor: Actor,
    study_number: str,
    *,
    status: ParticipantStatus | str | None = None,
    effective_on: date | None = None,
    reason: str | None = None,
) -> StatusCorrection:
    """Read-only: what `correct_status` would record for these values, and what it would
    refuse (the same policy, in one read transaction): a screen asks for the signature only
    once nothing is refused. Malformed values raise as they do for the correction."""
    require(actor, Permission.PARTICIPANT_STATUS, ctx)
    new, day = _status_correction_given(status, effective_on)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        _refuse_voided(participant)
        return _status_correction(session, ctx, participant, new, day, reason)


def correct_status(
    ctx: Context,
    actor: Actor,
    study_number: str,
    *,
    status: ParticipantStatus | str | None = None,
    effective_on: date | None = None,
    reason: str,
    password: str,
) -> ParticipantRow:
    """Corrects the participant's last status change recorded wrongly: its effective date (a
    typo), the status it set (completed, not discontinued), or the change itself recorded in
    error (given the status it replaced: that status is back, from its own date). Never an
    update of the change: a new entry names it (`status_change`, its audit entry), signed by
    the pharmacist ("corrected") and audited with the status and date in force before and
    after and the reason; the participant's status follows, and every figure read from the
    effective date (expected doses, kits due back: queries.status_changed_last). A refusal
    (StatusCorrectionCheck) writes nothing."""
    require(actor, Permission.PARTICIPANT_STATUS, ctx, recorded=True)
    with passwords_first(ctx, actor, password, SignatureMeaning.CORRECTED):
        why = check_text(reason, N_("reason for the correction"))
        new, day = _status_correction_given(status, effective_on)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec, signer, participant = _signed_step(
            session,
            ctx,
            actor,
            password,
            Permission.PARTICIPANT_STATUS,
            study_number,
            meaning=SignatureMeaning.CORRECTED,
        )
        _refuse_voided(participant)
        correction = _status_correction(session, ctx, participant, new, day, why)
        if correction.refusals:
            first = correction.refusals[0]
            raise first.error(first.message)
        record_signature(
            session, signer, SignatureMeaning.CORRECTED, "participant", participant.id, rec
        )
        if correction.new_status != participant.status:
            participant.status = correction.new_status
        rec.audit(
            AuditAction.PARTICIPANT_STATUS_CORRECTED,
            "participant",
            participant.study_number,
            {
                "status": correction.new_status,
                "effective_on": correction.new_effective_on,
                "status_change": correction.status_change,
            },
            {"status": correction.old_status, "effective_on": correction.old_effective_on},
            why,
        )
        return participant_row(session, ctx, participant)


def kits_out(ctx: Context, actor: Actor, study_number: str) -> tuple[str, ...]:
    """The kits dispensed to the participant and not returned yet (voided dispenses left out):
    what a change of status shows, as the kits are still to come back."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        found = session.execute(
            select(Dispense.cycle, Kit.number)
            .join(DispenseKit, DispenseKit.kit_id == Kit.id)
            .join(Dispense, Dispense.id == DispenseKit.dispense_id)
            .where(
                Dispense.participant_id == participant.id,
                not_voided(),
                Kit.status == KitStatus.DISPENSED.value,
            )
            .order_by(Dispense.cycle, Kit.number)  # PostgreSQL: DISTINCT orders by its columns
        ).tuples()
        return tuple(dict.fromkeys(str(number) for _cycle, number in found))


def _check_not_enrolled(session: Session, ctx: Context, number: str) -> None:
    """A number this study holds already is refused saying what to do: an enrolment voided as
    entered in error keeps its number (its history and audit trail stay under it)."""
    held = session.scalar(
        select(Participant).where(
            Participant.study_id == ctx.study_id, Participant.study_number == number
        )
    )
    if held is None:
        return
    if held.status == ParticipantStatus.VOIDED.value:
        raise RuleViolation(
            _(
                "The enrolment of {participant} was voided as entered in error; the number stays "
                "with that voided record and is not enrolled again. Check the number on the "
                "enrolment log, and enrol the participant under the number it gives."
            ).format(participant=number)
        )
    raise RuleViolation(
        _(
            "Participant {participant} is already enrolled. Check the number on the enrolment "
            "log; to work with this participant, open {participant} under Participants "
            "(`dispensary history {participant}`)."
        ).format(participant=number)
    )


def _refuse_voided(participant: Participant) -> None:
    """A voided enrolment stays as it was voided: it is not changed, corrected or voided again."""
    if participant.status == ParticipantStatus.VOIDED.value:
        raise RuleViolation(
            _(
                "The enrolment of {participant} was voided as entered in error: it is kept as it "
                "was, for the record. Enrol the participant under the right number."
            ).format(participant=participant.study_number)
        )


def _refuse_void(session: Session, participant: Participant) -> None:
    """What refuses the void of an enrolment: voided already, or a dispense not voided."""
    _refuse_voided(participant)
    live = live_dispenses(session, participant.id)
    if live:
        first = live[0]
        raise RuleViolation(
            _(
                "Participant {participant} was dispensed cycle {cycle} ({dispense}): an "
                "enrolment under which drug was dispensed is not voided. Void a dispense "
                "made in error first; a participant who left the study is discontinued."
            ).format(participant=participant.study_number, cycle=first.cycle, dispense=first.number)
        )


def check_enrolment_void(ctx: Context, actor: Actor, study_number: str) -> bool:
    """Read-only: raises what `void_enrolment` would refuse (the same policy), so that a screen
    asks for the reason and the signature only once nothing refuses it; True then."""
    require(actor, Permission.CORRECT_ENROLMENT, ctx)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        _refuse_void(session, participant)
        return True


def void_enrolment(
    ctx: Context, actor: Actor, study_number: str, reason: str, password: str
) -> ParticipantRow:
    """Voids an enrolment entered in error (a mistyped number, a kit's number) while nothing
    has been dispensed to the participant: a new record (EnrolmentVoid) names the enrolment,
    signed by the pharmacist ("corrected") and audited with the reason; the participant's row
    is kept, its status "voided", so it leaves every list, forecast and due count while its
    history and the audit trail show it. A participant with a dispense not voided is refused:
    the drug left the pharmacy in their name."""
    require(actor, Permission.CORRECT_ENROLMENT, ctx, recorded=True)
    with passwords_first(ctx, actor, password, SignatureMeaning.CORRECTED):
        why = check_text(reason, N_("reason for voiding the enrolment"))
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec, signer, participant = _signed_step(
            session, ctx, actor, password, Permission.CORRECT_ENROLMENT, study_number
        )
        _refuse_void(session, participant)
        void = EnrolmentVoid(
            participant_id=participant.id, reason=why, user_id=actor.user_id, at=rec.now
        )
        session.add(void)
        old = participant.status
        participant.status = ParticipantStatus.VOIDED.value
        session.flush()
        record_signature(
            session, signer, SignatureMeaning.CORRECTED, "participant", participant.id, rec
        )
        rec.audit(
            AuditAction.ENROLMENT_VOIDED,
            "participant",
            participant.study_number,
            {"status": participant.status, "void": void.id},
            {"status": old},
            why,
        )
        return participant_row(session, ctx, participant)


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
    stale = study_file_changed(session, ctx, step="correction")
    if stale is not None:  # the eligibility below is the study file's the process read
        refusals.append(Refusal(EnrolmentCheck.STUDY_FILE_CHANGED, stale, StudyFileChanged))
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
        else:
            early = _enrolment_date_refusal(session, ctx, day)
            if early is not None:
                dated = False
                refusals.append(Refusal(EnrolmentCheck.ENROLMENT_DATE, early, InvalidInput))
    if dated and ("enrolled_on" in changed or "birth_year" in changed):
        elig = ctx.study.eligibility
        try:  # the sex as recorded: a correction does not change it. The age of the year
            # that may be under it is not asked: the corrected values are signed with a reason,
            # from the enrolment log, after the investigator's confirmation at enrolment.
            check_eligibility(
                year, participant.sex, day, elig.min_age, elig.sex, age_confirmed=True
            )
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
    require(actor, Permission.CORRECT_ENROLMENT, ctx)
    given = _given(enrolled_on, initials, birth_year)
    with read_transaction(ctx.engine) as session:
        participant = get_participant(
            session, study_number, ctx.study_id, reader=Readable(session, actor)
        )
        _refuse_voided(participant)
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
    require(actor, Permission.CORRECT_ENROLMENT, ctx, recorded=True)
    with passwords_first(ctx, actor, password, SignatureMeaning.CORRECTED):
        why = check_text(reason, N_("reason for the correction"))
        given = _given(enrolled_on, initials, birth_year)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec, signer, participant = _signed_step(
            session, ctx, actor, password, Permission.CORRECT_ENROLMENT, study_number
        )
        _refuse_voided(participant)
        correction = _correction(session, ctx, participant, given, why)
        if correction.refusals:
            first = correction.refusals[0]
            raise first.error(first.message)
        record_signature(
            session, signer, SignatureMeaning.CORRECTED, "participant", participant.id, rec
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
