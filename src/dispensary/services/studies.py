"""The studies a pharmacy's database serves: list, add, amend, close, switch between them, and
who may work in each (administrator only for changes).

Each study file is stored in the database so that every workstation applies the same rules. A
new version (corrected label wording, a new dose level) replaces the stored text and counts one
more version; the old and new texts are kept in the audit trail, so nothing of the old set-up
is lost. A closed study's records stay, to be read and reported, and take no new step.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    FIRST_STUDY,
    AuditEntry,
    Dispense,
    DispenseKit,
    Kit,
    Participant,
    Return,
    RuleConfirmation,
    StudyRecord,
    User,
)
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus, ParticipantStatus, Role
from dispensary.domain.errors import (
    DatabaseProblem,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    StudyFileError,
    ToConfirm,
)
from dispensary.domain.rules import check_text, source_words
from dispensary.i18n import N_, _, listed, sentences
from dispensary.services.audit import Recorder
from dispensary.services.common import not_voided, of_study
from dispensary.services.context import Actor, Context, local_day
from dispensary.services.permissions import Permission, may, require, studies_now
from dispensary.services.pharmacy import LabelRoom, refuse_study_without_room
from dispensary.services.queries import not_brought_back_in_force
from dispensary.services.reconciliation import reconcile_session
from dispensary.services.results import RuleState, StudyRow, study_full_titles, study_titles
from dispensary.services.study_versions import StudyVersion, study_versions
from dispensary.services.users import find_user, record_access, studies_of
from dispensary.study import Study, chosen_protocol, parse_study, schedule_changes


def _record(session: Session, ctx: Context) -> StudyRecord:
    record = session.get(StudyRecord, ctx.study_id)
    if record is None:
        raise DatabaseProblem(
            _("Study {study} is not recorded in this database.").format(study=ctx.study.protocol)
        )
    return record


def _open_record(session: Session, ctx: Context) -> StudyRecord:
    """The study's row, refused when the study is closed: its records are read only then."""
    record = _record(session, ctx)
    if record.closed_at is not None:
        raise RuleViolation(
            _(
                "Study {study} was closed on {day}: its records can be read, not changed. "
                "Switch to an open study."
            ).format(study=record.protocol, day=local_day(record.closed_at).isoformat())
        )
    return record


def _treating(session: Session, study_id: int) -> list[str]:
    """The study numbers of the participants on treatment with a cycle dispensed (not voided):
    those whose next cycle the cycle schedule times."""
    return list(
        session.scalars(
            select(Participant.study_number)
            .where(
                Participant.study_id == study_id,
                Participant.status == ParticipantStatus.ON_TREATMENT.value,
                exists().where(Dispense.participant_id == Participant.id, not_voided()),
            )
            .order_by(Participant.study_number)
        )
    )


@dataclass(frozen=True)
class ScheduleChange:
    """A new study file's change of the cycle schedule while participants are on treatment:
    what changes (study.schedule_changes) and who is on treatment."""

    changes: tuple[str, ...]
    participants: tuple[str, ...]

    def said(self) -> str:
        return _(
            "The new study file changes the cycle schedule ({changes}) while participants "
            "are on treatment ({count}): {participants}. Their cycles already dispensed "
            "would be timed by the new schedule: the next cycle's due date and earliest day 1 "
            "move, and may fall before the supply handed out runs out."
        ).format(
            changes="; ".join(self.changes),
            count=len(self.participants),
            participants=_listed(list(self.participants)),
        )


def _schedule_change(
    session: Session, ctx: Context, record: StudyRecord, new: Study
) -> ScheduleChange | None:
    stored = (
        ctx.study
        if ctx.study.source_text == record.source_text
        else parse_study(record.source_text, f"{ctx.database} (stored study)")
    )
    changes = schedule_changes(stored, new)
    if not changes:
        return None
    treating = _treating(session, ctx.study_id)
    return ScheduleChange(tuple(changes), tuple(treating)) if treating else None


def schedule_change_of(ctx: Context, actor: Actor, text: str, origin: str) -> ScheduleChange | None:
    """What a new version of the study file would change of the cycle schedule while
    participants are on treatment (None: nothing), for a window to ask the administrator to
    confirm before update_study(schedule_change=True)."""
    require(actor, Permission.STUDY, ctx)
    new = parse_study(text, origin, new_file=True)
    with read_transaction(ctx.engine) as session:
        return _schedule_change(session, ctx, _record(session, ctx), new)


def update_study(
    ctx: Context,
    actor: Actor,
    text: str,
    origin: str,
    reason: str,
    room: LabelRoom | None = None,
    schedule_change: bool = False,
) -> Study:
    """Amends the study open: a new version of its file, checked against what its records
    already use (no product with stock, no dose level dispensed may go) and, with `room`,
    against the pharmacy's particulars saved (its labels must hold them), then stored; the old
    and new texts are kept in the audit trail. A change of the cycle schedule (cycle length,
    minimum interval, any timing rule) while participants are on treatment is refused unless
    the administrator confirms it (`schedule_change`: the sponsor changed the schedule
    mid-study), recorded in the audit entry with the participants named."""
    require(actor, Permission.STUDY, ctx, recorded=True)
    why = check_text(reason, N_("reason for changing the study file"))
    new = parse_study(text, origin, new_file=True)
    if new.protocol != ctx.study.protocol:
        raise RuleViolation(
            _(
                "{origin} is for study {protocol}, but the study open is {serves}. Switch to "
                "study {protocol} to amend it, or add it as a new study (`dispensary study add`)."
            ).format(origin=origin, protocol=new.protocol, serves=ctx.study.protocol)
        )
    with write_transaction(ctx.engine) as session:
        record = _open_record(session, ctx)
        if record.source_text == text:
            raise RuleViolation(
                _("The study file is the same as the one in use; nothing to change.")
            )
        rescheduled = _schedule_change(session, ctx, record, new)
        if rescheduled is not None and not schedule_change:
            raise ToConfirm(
                sentences(
                    [
                        rescheduled.said(),
                        _(
                            "Finish or end those cycles first (record the returns, then mark "
                            "each participant completed or discontinued), or, if the sponsor "
                            "changed the schedule mid-study, confirm the change of schedule: "
                            "`dispensary study update FILE --schedule-change --reason ...`, or "
                            "the question the Studies screen asks."
                        ),
                    ]
                )
            )
        codes = {p.code for p in new.products}
        used_products = set(
            session.scalars(select(Kit.product).where(Kit.study_id == ctx.study_id).distinct())
        )
        if used_products - codes:
            missing = sorted(used_products - codes)[0]
            raise RuleViolation(
                _(
                    "Kits of product {product} are on record, but the new study file does not "
                    "list it. Keep every product that has stock in the file."
                ).format(product=missing)
            )
        levels = {d.level for d in new.dose_levels}
        used_levels = set(
            session.scalars(
                select(Dispense.dose_level)
                .join(Participant, Participant.id == Dispense.participant_id)
                .where(Participant.study_id == ctx.study_id)
                .distinct()
            )
        )
        if used_levels - levels:
            missing_level = sorted(used_levels - levels)[0]
            raise RuleViolation(
                _(
                    "Dispenses at dose level {level} are on record, but the new study file does "
                    "not define it. Keep every dose level that has been dispensed."
                ).format(level=missing_level)
            )
        refuse_study_without_room(session, new, room)
        stored = (
            ctx.study
            if ctx.study.source_text == record.source_text
            else parse_study(record.source_text, f"{ctx.database} (stored study)")
        )
        undone = _undone(session, stored, new, ctx.study_id)
        old_text = record.source_text
        old_version = record.version or 1
        record.source_text = text
        record.version = old_version + 1
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.STUDY)
        record.loaded_at = rec.now
        rec.audit(
            AuditAction.STUDY_UPDATED,
            "study",
            new.protocol,
            {"source_text": text, "origin": origin, "version": record.version}
            | ({"confirmations_undone": undone} if undone else {})
            | (
                {
                    "schedule_changed": list(rescheduled.changes),
                    "participants_on_treatment": list(rescheduled.participants),
                }
                if rescheduled is not None
                else {}
            ),
            {"source_text": old_text, "version": old_version},
            why,
        )
    return new


def _study_row(session: Session, record: StudyRecord) -> StudyRow:
    study = parse_study(record.source_text, record.protocol)
    people = session.scalar(
        select(func.count()).select_from(Participant).where(Participant.study_id == record.id)
    )
    kits = session.scalar(select(func.count()).select_from(Kit).where(Kit.study_id == record.id))
    return StudyRow(
        protocol=record.protocol,
        title=study.title,
        short_title=study.short_title,
        status="closed" if record.closed_at is not None else "open",
        version=record.version or 1,
        participants=int(people or 0),
        kits=int(kits or 0),
        loaded_at=record.loaded_at,
        closed_at=record.closed_at,
        closed_reason=record.closed_reason or "",
        titles=study_titles(study),
        full_titles=study_full_titles(study),
    )


def list_studies(ctx: Context, actor: Actor) -> list[StudyRow]:
    """The studies of this pharmacy the user may work in (an administrator: all of them), open
    ones first, each by protocol."""
    require(actor, Permission.VIEW)
    with read_transaction(ctx.engine) as session:
        mine = studies_now(session, actor)
        records = session.scalars(select(StudyRecord).order_by(StudyRecord.protocol))
        rows = [_study_row(session, r) for r in records if r.id in mine]
    return sorted(rows, key=lambda r: (r.status != "open", r.protocol))


NO_STUDY_OF_YOURS = N_(
    "{user} has no study {study} to work in: it is not a study of this pharmacy, or {user} was "
    "not given access to it. Check the protocol number, or ask an administrator for access "
    "(Users, or `dispensary study access`). {user}'s studies: {known}."
)
"""The one refusal of a protocol to a user who does not administer the studies, whether the
pharmacy holds no such study or holds it for another sponsor: two refusals would confirm a
guessed protocol."""


def _find(session: Session, protocol: str, actor: Actor | None = None) -> StudyRecord:
    """The study of this protocol. For `actor` (a user who does not administer the studies) a
    protocol the pharmacy does not hold and one they were not given are refused alike, listing
    their own studies (NO_STUDY_OF_YOURS); an administrator (or None: an administrator's step)
    is told the pharmacy holds no such study, with every study it holds."""
    if not isinstance(protocol, str) or not protocol.strip():
        raise InvalidInput(_("Name the study by its protocol number, e.g. NCT07198672."))
    records = list(session.scalars(select(StudyRecord).order_by(StudyRecord.protocol)))
    named = chosen_protocol([r.protocol for r in records], protocol.strip())
    found = next((r for r in records if r.protocol == named), None)
    if actor is not None and not may(actor, Permission.STUDY):
        mine = studies_now(session, actor)
        if found is None or found.id not in mine:
            raise NotPermitted(
                _(NO_STUDY_OF_YOURS).format(
                    user=actor.username,
                    study=protocol.strip()[:40],
                    known=listed(r.protocol for r in records if r.id in mine) or "-",
                )
            )
        return found
    if found is None:
        raise NotFound(
            _("There is no study {study} in this pharmacy. Studies: {known}.").format(
                study=protocol.strip()[:40], known=listed(r.protocol for r in records) or "-"
            )
        )
    return found


def switch_study(ctx: Context, actor: Actor, protocol: str) -> Context:
    """The context of another study of the same database, for a user given access to it."""
    require(actor, Permission.VIEW)
    with read_transaction(ctx.engine) as session:
        record = _find(session, protocol, actor)
        study = parse_study(record.source_text, f"{ctx.database} (stored study)")
        other = replace(
            ctx,
            study=study,
            study_id=record.id,
            closed=record.closed_at is not None,
            version=record.version or 1,
        )
    require(actor, Permission.VIEW, other)
    return other


def check_study_named(ctx: Context, actor: Actor, protocol: str) -> None:
    """Refuses a protocol named for the signed-in user (the command's --study) as switch_study
    does, without reading the study's file: the command opened the database in that study, or
    in its first one where the protocol is not held, before it knew who the user is."""
    require(actor, Permission.VIEW)
    with read_transaction(ctx.engine) as session:
        _find(session, protocol, actor)


def own_protocols(ctx: Context, actor: Actor) -> list[str]:
    """The protocols of the studies this user works in (an administrator: every study): what
    may be listed to them, and to no one else, when they must name one."""
    require(actor, Permission.VIEW)
    with read_transaction(ctx.engine) as session:
        records = session.execute(
            select(StudyRecord.id, StudyRecord.protocol).order_by(StudyRecord.protocol)
        ).all()
        mine = studies_now(session, actor)
    return [protocol for study_id, protocol in records if study_id in mine]


def check_new_study(
    ctx: Context, actor: Actor, text: str, origin: str, room: LabelRoom | None = None
) -> Study:
    """The study file assessed for adding, with nothing written: its refusal (not a valid
    study file, a study the pharmacy already holds, or one whose label cannot hold the
    pharmacy's particulars saved) said before the reason is asked."""
    require(actor, Permission.STUDY)
    new = parse_study(text, origin, new_file=True)
    with read_transaction(ctx.engine) as session:
        _refuse_held(session, new.protocol)
        refuse_study_without_room(session, new, room)
    return new


def _refuse_held(session: Session, protocol: str) -> None:
    """A study already held under this protocol, spelt alike but for case or spaces, is
    refused by the name it is held under: "nct07198672" added beside NCT07198672 made a second
    study that `--study nct07198672` never opened."""
    held = chosen_protocol(session.scalars(select(StudyRecord.protocol)), protocol)
    if held is not None:
        raise RuleViolation(
            _(
                "Study {study} is already in this pharmacy. To change its file, an "
                "administrator updates the study: on the Studies screen, select {study}, choose "
                "Work in this study, then Update study file…; or run "
                "`dispensary --study {study} study update FILE.toml --reason ...`."
            ).format(study=held)
        )


def add_study(
    ctx: Context,
    actor: Actor,
    text: str,
    origin: str,
    reason: str,
    room: LabelRoom | None = None,
) -> StudyRow:
    """Loads a new study file into the pharmacy's database (administrator, audited): its kits,
    participants and records are its own from then on. With `room` (the front ends pass
    labels.dispensing.check_particulars_fit), refused when its dispensing label cannot hold
    the pharmacy's particulars saved."""
    require(actor, Permission.STUDY)
    why = check_text(reason, N_("reason for adding the study"))
    new = parse_study(text, origin, new_file=True)
    with write_transaction(ctx.engine) as session:
        _refuse_held(session, new.protocol)
        refuse_study_without_room(session, new, room)
        rec = Recorder(session, actor, ctx.clock.now())
        record = StudyRecord(protocol=new.protocol, source_text=text, loaded_at=rec.now, version=1)
        session.add(record)
        session.flush()
        rec.audit(
            AuditAction.STUDY_ADDED,
            "study",
            new.protocol,
            {"title": new.title, "origin": origin, "version": 1},
            reason=why,
        )
        return _study_row(session, record)


def close_study(ctx: Context, actor: Actor, protocol: str, reason: str) -> StudyRow:
    """Closes a study (administrator, audited): its records stay, to be read and reported;
    nothing more is received, dispensed or returned in it."""
    require(actor, Permission.STUDY)
    why = check_text(reason, N_("reason for closing the study"))
    with write_transaction(ctx.engine) as session:
        record = _find(session, protocol)
        if record.closed_at is not None:
            raise RuleViolation(_("Study {study} is already closed.").format(study=record.protocol))
        out = session.scalar(
            select(func.count())
            .select_from(Kit)
            .where(
                Kit.study_id == record.id,
                Kit.status.in_(_STILL_HELD),
                # A kit not brought back is not in the pharmacy (an older version made it
                # 'returned'): nothing to destroy, its return recorded.
                ~not_brought_back_in_force(),
            )
        )
        if out:
            raise RuleViolation(
                _(
                    "Study {study} still has {count} kits in the pharmacy (on the shelf, in "
                    "quarantine or held for the monitor). Destroy them or return them to the "
                    "sponsor first; then close the study."
                ).format(study=record.protocol, count=out)
            )
        _refuse_still_treating(session, record)
        _refuse_to_review(session, ctx, record)
        rec = Recorder(session, actor, ctx.clock.now())
        record.closed_at = rec.now
        record.closed_reason = why
        rec.audit(
            AuditAction.STUDY_CLOSED,
            "study",
            record.protocol,
            {"status": "closed"},
            {"status": "open"},
            why,
        )
        return _study_row(session, record)


SHOWN_AT_MOST = 10
"""Kits or participants a refusal to close names at most (then "and N more")."""


def _listed(items: list[str]) -> str:
    """The first SHOWN_AT_MOST items, then how many more there are."""
    shown = listed(items[:SHOWN_AT_MOST])
    more = len(items) - SHOWN_AT_MOST
    if more > 0:
        shown += _(" (and {count} more)").format(count=more)
    return shown


def _refuse_still_treating(session: Session, record: StudyRecord) -> None:
    """A study is closed only when its books are done: every kit that went out to a participant
    (a dispense not voided) has its return recorded, if only as a kit not brought back, and no
    participant is on treatment. Closed earlier, the return would be refused as the study is
    closed, and the kit's units would drop out of the books while the reconciliation balanced."""
    out = session.execute(
        select(Kit.number, Participant.study_number, Dispense.cycle)
        .select_from(DispenseKit)
        .join(Dispense, Dispense.id == DispenseKit.dispense_id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .join(Kit, Kit.id == DispenseKit.kit_id)
        .where(
            Participant.study_id == record.id,
            not_voided(),
            ~exists().where(
                Return.dispense_id == DispenseKit.dispense_id, Return.kit_id == DispenseKit.kit_id
            ),
        )
        .order_by(Participant.study_number, Dispense.cycle, Kit.number)
    ).all()
    treating = list(
        session.scalars(
            select(Participant.study_number)
            .where(
                Participant.study_id == record.id,
                Participant.status == ParticipantStatus.ON_TREATMENT.value,
            )
            .order_by(Participant.study_number)
        )
    )
    problems: list[str] = []
    if out:
        kits = [
            _("{kit} ({participant}, cycle {cycle})").format(
                kit=kit, participant=number, cycle=cycle
            )
            for kit, number, cycle in out
        ]
        problems.append(
            _(
                "{count} kits went out to participants and have no return recorded: {kits}. "
                "Record each kit's return (a kit the participant did not bring back: 0, not "
                "brought back)."
            ).format(count=len(out), kits=_listed(kits))
        )
    if treating:
        problems.append(
            _(
                "{count} participants are still on treatment: {participants}. Mark each one "
                "completed or discontinued (`dispensary participant-status NUMBER completed "
                "--reason ...`)."
            ).format(count=len(treating), participants=_listed(treating))
        )
    if problems:
        raise RuleViolation(
            _("Study {study} cannot be closed yet. {problems} Then close the study.").format(
                study=record.protocol, problems=sentences(problems)
            )
        )


def _refuse_to_review(session: Session, ctx: Context, record: StudyRecord) -> None:
    """A study is closed only when its reconciliation has nothing left to review, as the
    reconciliation itself assesses it (ReconcileResult.to_review: an adherence flag without its
    reason, a count difference not adjusted, kits in quarantine, an audit trail that does not
    verify...). Closed with one open, the step that settles it was refused ("closed ... not
    added to") while the reconciliation and its screen went on asking for it."""
    study = parse_study(record.source_text, f"{ctx.database} (stored study)")
    there = replace(ctx, study=study, study_id=record.id, closed=False)
    found = reconcile_session(session, there).to_review
    if not found:
        return
    said = [
        _("{kind}: {finding}").format(kind=_(d.kind.label), finding=d.message)
        for d in found[:SHOWN_AT_MOST]
    ]
    more = len(found) - SHOWN_AT_MOST
    if more > 0:
        said.append(_("(and {count} more)").format(count=more))
    raise RuleViolation(
        _(
            "Study {study} cannot be closed yet: its reconciliation has {count} findings to "
            "review. {findings} Act on each as it says, in study {study} (the Reconciliation "
            "screen, or `dispensary --study {study} reconcile`); then close the study."
        ).format(study=record.protocol, count=len(found), findings=sentences(said))
    )


_STILL_HELD = (
    KitStatus.AVAILABLE.value,
    KitStatus.QUARANTINED.value,
    KitStatus.RETURNED.value,
)


def set_access(
    ctx: Context, actor: Actor, username: str, protocol: str, granted: bool, reason: str
) -> list[str]:
    """Gives a user access to a study, or takes it away (administrator, audited). Returns the
    protocols the user may work in afterwards."""
    require(actor, Permission.USERS)
    why = check_text(reason, N_("reason for the change of access"))
    with write_transaction(ctx.engine) as session:
        user = find_user(session, username)
        record = _find(session, protocol)
        if user.role == Role.ADMINISTRATOR.value:
            raise RuleViolation(
                _(
                    "{user} is an administrator, who reaches every study; access is given to "
                    "other roles."
                ).format(user=user.username)
            )
        before = studies_of(session, user)
        if (record.id in before) == granted:
            raise RuleViolation(
                (
                    _("{user} already has access to study {study}.")
                    if granted
                    else _("{user} has no access to study {study}.")
                ).format(user=user.username, study=record.protocol)
            )
        rec = Recorder(session, actor, ctx.clock.now())
        record_access(session, rec, user, record, granted, why, actor.user_id)
        after = studies_of(session, user)
        names = dict(session.execute(select(StudyRecord.id, StudyRecord.protocol)).tuples().all())
        return sorted(names[s] for s in after)


_CONFIRMED: dict[bool, Select[tuple[int, str, str, str | None, datetime]]] = {}


@dataclass(frozen=True)
class Confirmations:
    """Which rules of a study hold, and which were confirmed for a text of the rule the study
    file no longer gives (its source kept): to confirm again."""

    held: frozenset[str]
    changed: frozenset[str]
    by: dict[str, int]  # the confirmation (rule_confirmations.id) a confirmed rule holds by


def _in_force_digests(
    session: Session, versions: list[StudyVersion], key: str, at: datetime
) -> dict[str, str] | None:
    """The digest of each rule of the study file in force when rule `key` was confirmed at
    `at`, by the study's versions in the audit trail (services.study_versions): the last
    version put in force by an update written before the confirmation's audit entry (or, that
    entry not found, at an earlier time). None when they cannot establish it."""
    entry = session.scalar(
        select(func.min(AuditEntry.id)).where(
            AuditEntry.action == AuditAction.RULE_CONFIRMED,
            AuditEntry.entity == "rule",
            AuditEntry.entity_id == key,
            AuditEntry.at == at,
        )
    )
    if entry is not None:
        before = [v for v in versions if v.since_entry < entry]
    else:
        updates = dict(
            session.execute(
                select(AuditEntry.id, AuditEntry.at).where(
                    AuditEntry.id.in_([v.since_entry for v in versions if v.since_entry])
                )
            )
            .tuples()
            .all()
        )
        if any(when == at for when in updates.values()):
            return None  # updated in the same instant: which text was confirmed is not known
        before = [v for v in versions if not v.since_entry or updates[v.since_entry] < at]
    return _digests_of(before[-1].text) if before else None


@lru_cache(maxsize=16)
def _digests_of(text: str) -> dict[str, str] | None:
    try:
        return {r.key: r.digest for r in parse_study(text, "stored study").rules}
    except StudyFileError:
        return None


def rule_confirmations(session: Session, study: Study, study_id: int) -> Confirmations:
    """The study's rules that hold: from the registry or the protocol, or confirmed by an
    administrator for the source and the text (StudyRule.digest) the study file gives them. A
    confirmation made before confirmations recorded their text (migration 0019) covers the
    text of the file in force when it was made, if the trail establishes it."""
    first = study_id == FIRST_STUDY
    query = _CONFIRMED.get(first)
    if query is None:  # built once per form: every dispense and its assessment read it
        query = _CONFIRMED[first] = select(
            RuleConfirmation.id,
            RuleConfirmation.rule,
            RuleConfirmation.source,
            RuleConfirmation.digest,
            RuleConfirmation.confirmed_at,
        ).where(of_study(RuleConfirmation.study_id, study_id, bound="study"))
    rows = session.connection().execute(query, {"study": study_id}).tuples().all()
    rules = {r.key: r for r in study.rules if not r.authoritative}
    held = {r.key for r in study.rules if r.authoritative}
    changed: set[str] = set()
    by: dict[str, int] = {}
    versions: list[StudyVersion] = []  # read once, for the confirmations made before 0019
    for row_id, key, source, digest, at in rows:
        rule = rules.get(key)
        if rule is None or rule.source != source:
            continue
        if digest is None:
            versions = versions or study_versions(session, study_id)
            then = _in_force_digests(session, versions, key, at)
            if then is None or key not in then:
                continue  # the text it covered is not established: to confirm
            digest = then[key]
        if digest == rule.digest:
            held.add(key)
            by[key] = row_id
        else:
            changed.add(key)
    return Confirmations(frozenset(held), frozenset(changed - held), by)


def confirmed_rules(session: Session, study: Study, study_id: int) -> frozenset[str]:
    """The keys of the study's rules that hold (rule_confirmations)."""
    return rule_confirmations(session, study, study_id).held


def study_rules(ctx: Context, actor: Actor) -> list[RuleState]:
    """Every rule of the study file with its source and whether it holds (confirmed); one
    confirmed for an earlier text of the rule is to confirm again (`changed`)."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        found = rule_confirmations(session, ctx.study, ctx.study_id)
        rows = {
            c.id: c
            for c in session.scalars(
                select(RuleConfirmation).where(RuleConfirmation.id.in_(found.by.values()))
            )
        }
        names = {u.id: (u.username, u.full_name) for u in session.scalars(select(User))}
        states = []
        for rule in ctx.study.rules:
            row = rows.get(found.by.get(rule.key, 0))
            states.append(
                RuleState(
                    key=rule.key,
                    title=rule.title,
                    source=rule.source,
                    confirmed=rule.key in found.held,
                    by_source=rule.authoritative,
                    confirmed_by=names.get(row.confirmed_by_id, ("", ""))[0] if row else "",
                    confirmed_by_name=names.get(row.confirmed_by_id, ("", ""))[1] if row else "",
                    confirmed_at=row.confirmed_at if row else None,
                    reason=row.reason if row else "",
                    said=ctx.study.rule_title(rule.key),
                    name=ctx.study.rule_name(rule.key),
                    changed=rule.key in found.changed,
                )
            )
        return states


def _undone(session: Session, old: Study, new: Study, study_id: int) -> list[str]:
    """The rules confirmed for the old file whose confirmation does not cover the new one:
    their text changed, their source kept (a rule whose source changed was always to confirm
    again)."""
    before = rule_confirmations(session, old, study_id).held
    after = rule_confirmations(session, new, study_id)
    return [r.key for r in new.rules if r.key in before and r.key in after.changed]


def confirmations_undone(ctx: Context, actor: Actor, old: Study, new: Study) -> list[str]:
    """After an update of the study file from `old` to `new`, the rules whose confirmation
    the update undid: confirmed for `old`'s text of them, to confirm again (as the update's
    audit entry records them, `confirmations_undone`)."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        return _undone(session, old, new, ctx.study_id)


UNDONE = N_(
    "The update changed the text of {rules}, confirmed for the text before: each is to confirm "
    "again (`dispensary study rules`, then `dispensary study confirm RULE`, or the Study rules "
    "screen). Until then it never blocks the counter, and a label text to confirm is not "
    "printed: the label prints in the study's next confirmed language, English at the last."
)
"""What an update of the study file says of the confirmations it undid (study.update)."""


def undone_said(undone: list[str]) -> str:
    """What the front ends say after an update of the study file of the confirmations it
    undid (confirmations_undone); "" when it undid none."""
    return _(UNDONE).format(rules=listed(undone)) if undone else ""


def rules_to_confirm(ctx: Context, actor: Actor) -> list[RuleState]:
    """The rules an administrator still has to confirm (source neither registry nor protocol)."""
    return [r for r in study_rules(ctx, actor) if not r.confirmed]


def confirm_rule(ctx: Context, actor: Actor, rule: str, reason: str) -> RuleState:
    """An administrator confirms a site-decision rule of the study file (audited); from then on
    the counter applies it as written."""
    require(actor, Permission.STUDY, ctx, recorded=True)
    why = check_text(reason, N_("reason for confirming the rule"))
    if not isinstance(rule, str):
        raise InvalidInput(
            _("A rule is named by its key (e.g. cycle.min_interval), not {value}.").format(
                value=repr(rule)
            )
        )
    found = ctx.study.rule(rule.strip())
    if found.authoritative:
        raise RuleViolation(
            _(
                "Rule {rule} comes from the {source}: it holds as written and needs no "
                "confirmation."
            ).format(rule=found.key, source=source_words(found.source))
        )
    with write_transaction(ctx.engine) as session:
        if found.key in rule_confirmations(session, ctx.study, ctx.study_id).held:
            raise RuleViolation(
                _("Rule {rule} ({source}) is already confirmed.").format(
                    rule=found.key, source=source_words(found.source)
                )
            )
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.STUDY)
        row = RuleConfirmation(
            rule=found.key,
            source=found.source,
            reason=why,
            confirmed_by_id=actor.user_id,
            confirmed_at=rec.now,
            study_id=ctx.study_id,
            digest=found.digest,
        )
        session.add(row)
        session.flush()
        rec.audit(
            AuditAction.RULE_CONFIRMED,
            "rule",
            found.key,
            {
                "rule": found.key,
                "title": found.title,
                "source": found.source,
                "confirmed": True,
                "rule_digest": found.digest,
            },
            {"confirmed": False},
            why,
        )
        return RuleState(
            key=found.key,
            title=found.title,
            source=found.source,
            confirmed=True,
            by_source=False,
            confirmed_by=actor.username,
            confirmed_by_name=actor.full_name,
            confirmed_at=row.confirmed_at,
            reason=why,
            said=ctx.study.rule_title(found.key),
            name=ctx.study.rule_name(found.key),
        )
