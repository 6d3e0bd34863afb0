"""Label prints: what a print covers, whether it is a first print or a reprint, and its record
in the audit trail. The rules live here once, for the command line, the reports screen and the
counter's label preview alike:

- a second print of the same kit or dispense is a reprint, marked REPRINT and recorded with a
  reason; a first print carries no reason;
- a print is recorded only once it is out (written or sent to a printer): when rendering or
  writing fails, nothing is recorded; when the record is refused after a file was written, the
  file is withdrawn (a printer's page cannot be). A file is written beside the one named and put
  in its place only once recorded (files.Staged): withdrawn, an earlier file of that name is
  left as it was.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    BATCH_ENTRY,
    AuditEntry,
    Dispense,
    DispenseKit,
    Kit,
    Participant,
    Return,
)
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import LANGUAGE_NAMES, KitStatus, LabelKind
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import check_text
from dispensary.i18n import N_, _, listed
from dispensary.services import pharmacy
from dispensary.services.assessment.returns import NOT_BROUGHT_BACK
from dispensary.services.audit import Recorder
from dispensary.services.common import get_dispense, get_kit, voided_ids
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.pharmacy import NONE_SET, Particulars
from dispensary.services.report_data import KitLabelRow
from dispensary.services.studies import rule_confirmations
from dispensary.services.study_versions import dispense_version, study_of_dispense
from dispensary.study import Study

_ENTITIES = (N_("kit label"), N_("dispense label"), N_("leaflet label"))
"""Each kind's audit entity (LabelKind.entity, English in the records) as a refusal names it:
translated (`_(entity)`) where the refusal is written."""


class PrintRefused(RuleViolation):
    """The print is not the kind asked for: some of its items were printed before (a reprint
    is needed) or never were (a reprint is refused). Carries both lists, so that a front end
    can say how to ask for the right kind in its own words."""

    def __init__(self, message: str, printed: Sequence[str], fresh: Sequence[str]) -> None:
        super().__init__(message)
        self.printed = tuple(printed)
        self.fresh = tuple(fresh)


class ReprintReasonMissing(InvalidInput):
    """A reprint without its reason."""


class ReasonWithoutReprint(InvalidInput):
    """A reason given for a first print: a slip, not something to record silently."""


class NoLabelForKit(RuleViolation):
    """A kit that has left the store for good (destroyed, or back from a participant) gets no
    new label: a label on it could send it out again."""


class PrintedMeanwhile(RuleViolation):
    """Labels made as a first print were printed elsewhere before this one went out."""


class MarkedOtherwise(RuleViolation):
    """Kit labels drawn while a kit was quarantined (marked QUARANTINED: DO NOT DISPENSE) and
    the kit released since, or the other way round: the labels no longer say what the kit is."""


@dataclass(frozen=True)
class PrintPlan:
    """One print, decided before anything is drawn: its kind, items and whether it is a reprint
    (the renderer marks it so) on which stock or paper, and in which languages."""

    kind: LabelKind
    items: tuple[str, ...]
    reprint: bool
    stock: str = ""
    quarantined: tuple[str, ...] = ()  # kits whose labels are marked QUARANTINED
    previous_dose: int | None = None  # a dispense's: the dose level of the one before it
    languages: tuple[str, ...] = ("en",)
    """The languages the labels print in, the main one first (print_languages)."""
    language_note: str = ""
    """Why a language the study asks for is not printed ("" when every one is)."""
    pharmacy: Particulars = NONE_SET
    """The pharmacy's own name, address and telephone (services.pharmacy), for its labels."""
    study: Study | None = None
    """A dispense's label and leaflet: the study as the file the dispense was made with says
    it (services.study_versions), which they are worded from, first print and reprint alike;
    None: the study open (kit labels)."""
    study_version: int | None = None
    """The version of the study file of `study` (its number, 1 as loaded), as recorded."""
    reason: str = ""
    """A reprint's reason as the user gave it, carried with a print out whose record waits (the
    database refused it), so that its record later is the one it would have been at once
    (`record_label_print` wants it); "" until given, and for a first print."""
    token: str = ""
    """This print's own identity (`new_print_token`), made with the plan (`plan_print`, or
    `another_print` for one more print of the same PDF) and recorded in its audit entry
    (PRINT_TOKEN): a record retried after its answer was lost (the record went in, the
    connection dropped) finds it and is not written twice, nor a discard written for a print
    recorded. "" for a print kept waiting by an older version (recorded as before, unguarded)."""

    @property
    def entity(self) -> str:
        return self.kind.entity


@dataclass(frozen=True)
class LabelPrintRow:
    kind: LabelKind
    items: tuple[str, ...]
    reprint: bool
    stock: str
    at: datetime
    already: AuditAction | None = None
    """The entry this print already had in the audit trail (its record, or its discard) when
    this call wrote nothing: an earlier call's answer was lost (`PrintPlan.token`); None once
    this call wrote it."""


LABEL_ACTIONS = (AuditAction.LABEL_PRINTED, AuditAction.LABEL_REPRINTED)
"""The audit actions of a label print: a first print, a reprint."""

SETTLING_ACTIONS = (*LABEL_ACTIONS, AuditAction.LABEL_PRINT_RECORD_DISCARDED)
"""The audit actions that settle a print out: its record (first print or reprint), or the
discard of its record."""

PRINT_TOKEN = "print_id"
"""The key of a print's identity (PrintPlan.token) in its audit entry's values."""

PRINT_LANGUAGES = "languages"
"""The key of the languages a print's labels are in (PrintPlan.languages, the main one first:
["zh_CN", "en"] for a bilingual label) in its audit entry's values: which text the participant
got. Not in entries written before it was recorded (the trail says nothing of those)."""


def _languages_recorded(languages: Sequence[str]) -> dict[str, object]:
    """The print's languages as its entry records them, in order, once each; none when the
    caller does not know them (a script recording a print made elsewhere)."""
    codes = list(dict.fromkeys(c.strip() for c in languages if c.strip()))
    return {PRINT_LANGUAGES: codes} if codes else {}


def new_print_token() -> str:
    """A new print's identity: random, so that no two prints (of any workstation) share one."""
    return secrets.token_hex(16)


def another_print(plan: PrintPlan) -> PrintPlan:
    """The plan of one more print of the same labels (a reprint printed again from the same
    PDF): the same in all but its identity, so that its record is its own."""
    return replace(plan, token=new_print_token())


def _ref(names: Sequence[str]) -> str:
    """What a print's audit entry is filed under (entity_id): its one item, or the first and
    last of several ("K1..K9 (9)"), cut at 60 characters."""
    ref = names[0] if len(names) == 1 else f"{names[0]}..{names[-1]} ({len(names)})"
    return ref[:60]


def _settled(session: Session, entity: str, names: Sequence[str], token: str) -> AuditAction | None:
    """The action of the entry already in the audit trail for the print of this identity (its
    record or its discard), None when there is none: read among the entries filed under its
    items (ix_audit_entries_entity: the few prints of these labels), never the whole trail."""
    if not token:
        return None
    query = select(AuditEntry.action, AuditEntry.new).where(
        AuditEntry.entity == entity,
        AuditEntry.entity_id == _ref(names),
        AuditEntry.action.in_(SETTLING_ACTIONS),
    )
    for action, new in session.execute(query):
        try:
            found = json.loads(new).get(PRINT_TOKEN)
        except (ValueError, AttributeError):
            continue
        if found == token:
            return AuditAction(action)
    return None


def print_settled(ctx: Context, actor: Actor, plan: PrintPlan) -> AuditAction | None:
    """Whether this print (by its identity, `PrintPlan.token`) is already recorded, or its
    record discarded: the action of that entry, else None (and None for a plan without one)."""
    require(actor, Permission.PRINT_LABEL, ctx)
    if not plan.token:
        return None
    with read_transaction(ctx.engine) as session:
        return _settled(session, plan.entity, _names(plan.items), plan.token)


def label_kind(kind: LabelKind | str) -> LabelKind:
    """A kind named by a script or a screen, refused with the kinds there are."""
    try:
        return LabelKind(kind)
    except ValueError:
        kinds = ", ".join(k.value for k in LabelKind)
        raise InvalidInput(
            _("'{kind}' is not a kind of label: use {kinds}.").format(kind=kind, kinds=kinds)
        ) from None


def _names(items: Iterable[str]) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(i.strip().upper() for i in items if i.strip()))
    if not names:
        raise InvalidInput(_("Name what the labels were printed for (kits or a dispense)."))
    return names


def _printed(session: Session, entity: str, items: Iterable[str]) -> list[str]:
    """The items of these that had this kind of label printed: read from the print entries of
    these items (entity_id is the item of a print of one) and the prints of several items
    (models.BATCH_ENTRY), both found by index, never from every print ever recorded."""
    wanted = set(items)
    done: set[str] = set()
    refs = sorted({i[:60] for i in wanted})  # a print of one item is recorded under its name
    queries = [
        select(AuditEntry.new).where(
            AuditEntry.entity == entity,
            AuditEntry.entity_id.in_(refs[start : start + 500]),  # bounded: SQLite's limit
            AuditEntry.action.in_(LABEL_ACTIONS),
        )
        for start in range(0, len(refs), 500)
    ]
    queries.append(
        select(AuditEntry.new).where(
            AuditEntry.entity == entity,
            text(BATCH_ENTRY),  # as written, so that the partial index serves it
            AuditEntry.action.in_(LABEL_ACTIONS),
        )
    )
    for query in queries:
        for new in session.scalars(query):
            try:
                printed = json.loads(new).get("items", [])
            except (ValueError, AttributeError):
                continue
            done.update(i for i in printed if i in wanted)
    return sorted(done)


def already_printed(
    ctx: Context, actor: Actor, kind: LabelKind | str, items: Sequence[str]
) -> list[str]:
    """Which of these kits or dispenses already had this kind of label printed."""
    require(actor, Permission.PRINT_LABEL, ctx)
    entity = label_kind(kind).entity
    with read_transaction(ctx.engine) as session:
        return _printed(session, entity, items)


QUARANTINE_MARK = "QUARANTINED: DO NOT DISPENSE"
"""What the kit label of a quarantined kit says, as it prints it (named so in messages)."""

RELEASED_REASON = N_("released from quarantine")
"""The reason of the reprint of a released kit's label (its label said QUARANTINED)."""


def labelled_kits(session: Session, kits: Sequence[str]) -> list[str]:
    """Which of these kits had a kit label printed (any user may learn it of a kit he moves)."""
    return _printed(session, LabelKind.KIT.entity, kits)


def _check_kind(entity: str, names: Sequence[str], done: Sequence[str], reprint: bool) -> None:
    """The reprint rule: all printed before and marked a reprint, or none and not marked."""
    fresh = [n for n in names if n not in done]
    if done and not reprint:
        raise PrintRefused(
            _(
                "The {entity} of {item} has been printed before: print it as a reprint (it is "
                "then marked REPRINT and recorded as one)."
            ).format(entity=_(entity), item=done[0]),
            done,
            fresh,
        )
    if fresh and reprint:
        raise PrintRefused(
            _(
                "The {entity} of {item} has not been printed yet: print it normally, not as a "
                "reprint."
            ).format(entity=_(entity), item=fresh[0]),
            done,
            fresh,
        )


def reprint_reason(reprint: bool, reason: str | None) -> str:
    """The reason to record: required for a reprint, refused for a first print. Needs no
    database, so a front end can ask for it before any work is done."""
    why = (reason or "").strip()
    if reprint and not why:
        raise ReprintReasonMissing(_("A reprint is recorded with its reason: give one."))
    if why and not reprint:
        raise ReasonWithoutReprint(_("A first print needs no reason: only a reprint is given one."))
    return check_text(why, N_("reason for the reprint"), required=False)


def language_name(code: str) -> str:
    """A label language of the study file named in words in the reader's language ("Simplified
    Chinese", "简体中文"), not by its code ("zh_CN"); a language the program has no name for, by
    its code."""
    named = LANGUAGE_NAMES.get(code)
    return _(named) if named else code


def print_languages(
    study: Study,
    confirmed: Collection[str],
    requested: Sequence[str] = (),
    changed: Collection[str] = (),
) -> tuple[tuple[str, ...], str]:
    """The languages a label prints in, and why any asked for is left out.

    Asked for: `requested` (a user's explicit choice), else the study's print languages (all of
    label_languages on a bilingual label, else the first). A language prints only when the study
    file lists it in [label] languages, English too (`--lang en` gives the administrator English
    messages, not a Chinese-only study's participant an English label); a language other than
    English also only once its text is confirmed (the rule label.text.<language>, a site
    decision until an administrator confirms it) and the study file gives it. One that cannot
    print is skipped.
    When none is left, the label prints in the next language of label_languages that can,
    English as the last resort (Study.may_print_in): the file's own words, so that a study
    whose translation waits to be confirmed still prints (README, "Study text"). A text
    confirmed once and changed since by an update of the study file (`changed`, services.
    studies.rule_confirmations) is to confirm again, and said so."""
    wanted = tuple(dict.fromkeys(code.strip() for code in requested if code.strip()))
    wanted = wanted or study.print_languages
    reasons: list[str] = []

    def usable(code: str, say: bool) -> bool:
        if code == "en" and code in study.label_languages:
            return True  # the study file's own words: nothing to confirm
        key = f"label.text.{code}"
        if code not in study.texts:
            if say:
                reasons.append(
                    _("the study file gives no {language} label text ([{key}])").format(
                        language=language_name(code), key=key
                    )
                )
            return False
        if code not in study.label_languages:
            # The file gives the text but does not print in it (`languages = ["en"]`): a label
            # in it was printed all the same when --lang asked for it.
            if say:
                reasons.append(
                    _(
                        "the study file does not list {code} in [label] languages ({languages})"
                    ).format(code=code, languages=", ".join(study.label_languages))
                )
            return False
        if key not in confirmed:
            if say and key in changed:
                reasons.append(
                    _(
                        "the {language} label text ({key}) changed since it was confirmed (an "
                        "update of the study file): its new words are to confirm; an "
                        "administrator confirms them with `dispensary study confirm {key}` or "
                        "on the Study rules screen"
                    ).format(language=language_name(code), key=key)
                )
            elif say:
                source = next((r.source for r in study.rules if r.key == key), "site decision")
                reasons.append(
                    _(
                        "the {language} label text ({key}, {source}) is to confirm; an "
                        "administrator confirms it with `dispensary study confirm {key}` or on the "
                        "Study rules screen"
                    ).format(language=language_name(code), key=key, source=source)
                )
            return False
        return True

    chosen = [code for code in wanted if usable(code, True)]
    if not chosen:
        chosen = [next((c for c in study.label_languages if usable(c, False)), "en")]
    note = ""
    if reasons:
        # Languages named in words in the reader's language ("English", "英文"), not the study
        # file's codes ("en", "zh_CN"): the codes are in the reasons, where the file is to change.
        left_out = listed(language_name(c) for c in wanted if c not in chosen)
        note = _("Printed in {chosen}, not in {left_out}: {reasons}.").format(
            chosen=listed(language_name(c) for c in chosen),
            left_out=left_out,
            reasons=_("; ").join(reasons),
        )
    return tuple(chosen), note


def plan_print(
    ctx: Context,
    actor: Actor,
    kind: LabelKind | str,
    items: Sequence[str],
    stock: str = "",
    reprint: bool | None = None,
    languages: Sequence[str] = (),
) -> PrintPlan:
    """Decides the print before it is drawn. `reprint=None` lets the records decide (a screen
    marks the preview); True or False is what the user asked for, refused if it does not match
    what was printed before. Items printed and not printed together are refused either way:
    one print is all first prints or all reprints. The languages are the study's (or
    `languages`, a user's explicit choice), less those whose text is still to confirm."""
    require(actor, Permission.PRINT_LABEL, ctx)
    printed_as = label_kind(kind)
    entity = printed_as.entity
    names = _names(items)
    quarantined: tuple[str, ...] = ()
    previous: int | None = None
    worded: Study | None = None
    version: int | None = None
    with read_transaction(ctx.engine) as session:
        # What is named is checked first: a kit or dispense that gets no label is refused as
        # such, not as a reprint or a first print (a returned kit was told to print without
        # --reprint, then refused as returned when printed so).
        if printed_as is LabelKind.KIT:
            quarantined = _kits_to_label(session, names, ctx.study_id, Readable(session, actor))
        else:
            _dispenses_to_label(session, names, ctx.study_id, Readable(session, actor))
        done = _printed(session, entity, names)
        if reprint is None:
            if done and len(done) < len(names):
                raise PrintRefused(
                    _(
                        "{printed} of these {count} {entity}s were printed before: print the "
                        "others first, then reprint those by their own numbers."
                    ).format(printed=len(done), count=len(names), entity=_(entity)),
                    done,
                    [n for n in names if n not in done],
                )
            reprint = bool(done)
        _check_kind(entity, names, done, reprint)
        if printed_as is not LabelKind.KIT and len(names) == 1:
            previous = _previous_dose(session, names[0])
            made = _made_with(session, ctx, names[0])
            if made is not None:
                worded, version = made
        study = worded or ctx.study
        confirmed = rule_confirmations(session, study, ctx.study_id)
        spoken, note = print_languages(study, confirmed.held, languages, confirmed.changed)
        particulars = pharmacy.read(session)
    return PrintPlan(
        printed_as,
        names,
        reprint,
        stock,
        quarantined,
        previous,
        spoken,
        note,
        particulars,
        worded,
        version,
        token=new_print_token(),
    )


def worded_from(ctx: Context, actor: Actor, number: str) -> tuple[Study, int] | None:
    """The study a dispense's label and leaflet are worded from, as `plan_print` puts it in
    the plan (PrintPlan.study, .study_version): for a plan kept outside the program (the
    workstation's file of the prints waiting for their record) given back whole. A dispense
    not on record in the study open is refused."""
    require(actor, Permission.PRINT_LABEL, ctx)
    with read_transaction(ctx.engine) as session:
        get_dispense(session, number, ctx.study_id, reader=Readable(session, actor))
        return _made_with(session, ctx, number)


def _made_with(session: Session, ctx: Context, number: str) -> tuple[Study, int] | None:
    """The study as the file a dispense was made with says it, and that version's number
    (services.study_versions); None for a dispense not on record (its label names it)."""
    this = session.scalar(select(Dispense).where(Dispense.number == number))
    if this is None:
        return None
    study, version = study_of_dispense(session, ctx, this)
    return study, version.number


def _versions_printed(session: Session, kind: LabelKind, names: Sequence[str]) -> dict[str, object]:
    """What a dispense's label print records of the study file its wording came from: the
    version and its SHA-256 (each dispense's, by number, when a print of several differs)."""
    if kind is LabelKind.KIT:
        return {}
    found: dict[str, tuple[int, str]] = {}
    for number in names:
        this = session.scalar(select(Dispense).where(Dispense.number == number))
        if this is not None:
            version = dispense_version(session, this)
            found[number] = (version.number, version.sha256)
    if not found:
        return {}
    if len(set(found.values())) == 1:
        version_number, sha = next(iter(found.values()))
        return {"study_version": version_number, "study_sha256": sha}
    return {
        "study_version": {n: v for n, (v, _sha) in found.items()},
        "study_sha256": {n: sha for n, (_v, sha) in found.items()},
    }


NO_LABEL = {
    KitStatus.DESTROYED.value: N_("was destroyed"),
    KitStatus.RETURNED.value: N_("came back from a participant and awaits destruction"),
}
"""Why a kit gets no label, by its status (in English: translated where the refusal is said)."""


def on_hand_to_label(
    rows: Sequence[KitLabelRow],
) -> tuple[list[KitLabelRow], list[tuple[str, str]]]:
    """A shipment's sheet of kit labels: the kits still in the store, and the ones left out,
    (kit, status), destroyed or back from a participant (NO_LABEL says why). Kits named one by
    one are refused instead (`_kits_to_label`): a person who names a kit gone is told so; a
    shipment's sheet prints what is still there."""
    kept = [r for r in rows if r.status not in NO_LABEL]
    return kept, [(r.number, r.status) for r in rows if r.status in NO_LABEL]


LEFT_OUT = {
    KitStatus.DESTROYED.value: N_("destroyed: {kits}"),
    KitStatus.RETURNED.value: N_("back from a participant, awaiting destruction: {kits}"),
}
"""A shipment's kits left out of its sheet, by status (the NO_LABEL reasons, said of several)."""


def left_out_text(left_out: Sequence[tuple[str, str]]) -> str:
    """The kits a shipment's sheet left out, by why: "destroyed: K1001 ... K5003 (63 kits);
    back from a participant, awaiting destruction: K5004"."""
    by_status: dict[str, list[str]] = {}
    for kit, status in left_out:
        by_status.setdefault(status, []).append(kit)
    return _("; ").join(
        _(LEFT_OUT[status]).format(kits=_kits_said(kits)) for status, kits in by_status.items()
    )


def _kits_said(kits: Sequence[str]) -> str:
    if len(kits) <= 6:
        return listed(kits)
    return _("{first} ... {last} ({count} kits)").format(
        first=kits[0], last=kits[-1], count=len(kits)
    )


def _kits_to_label(
    session: Session, names: Sequence[str], study: int, reader: Collection[int]
) -> tuple[str, ...]:
    """Refuses a kit destroyed or returned, or of another study (named to a `reader` who may
    open it); the quarantined kits, whose labels are marked."""
    statuses: dict[str, str] = {}
    for start in range(0, len(names), 500):  # bounded: SQLite's variable limit
        batch = names[start : start + 500]
        query = select(Kit.number, Kit.status).where(Kit.number.in_(batch), Kit.study_id == study)
        statuses.update((number, status) for number, status in session.execute(query))
    for name in names:
        if name not in statuses:
            get_kit(
                session, name, study, reader=reader
            )  # says why: no such kit, or another study's
        why = NO_LABEL.get(statuses.get(name, ""))
        if why is not None:
            raise NoLabelForKit(
                _(
                    "Kit {kit} {why}: it gets no label. Leave it out of the print (a kit leaves "
                    "the store for good once destroyed or returned)."
                ).format(kit=name, why=_(why))
            )
    return tuple(n for n in names if statuses.get(n) == KitStatus.QUARANTINED.value)


def _dispenses_to_label(
    session: Session,
    names: Sequence[str],
    study: int,
    reader: Collection[int],
    known: bool = False,
) -> None:
    """Refuses the label of a voided dispense, or of one whose every bottle came back: a new
    label on a returned bottle could send it out again. A kit not brought back is still out.
    The one rule of a dispense's label, asked when it is planned, again just before it goes
    out (`still_current`) and inside the write that records it (`record_label_print`), so a
    dispense voided or brought back meanwhile gets none. A dispense of another study is
    refused, named to a `reader` who may open it; `known`: an unknown one too (a print to
    record names dispenses on record; the renderer names an unknown one when planned)."""
    for name in names:
        this = session.scalar(select(Dispense).where(Dispense.number == name))
        if this is None and not known:
            continue  # the renderer names an unknown dispense
        # Refused when of another study (or, `known`, when there is none of this number).
        this = get_dispense(session, name, study, reader=reader)
        if voided_ids(session, [this.id]):
            raise NoLabelForKit(
                _(
                    "Dispense {dispense} was voided: it gets no label. Print the label of the "
                    "dispense that replaced it."
                ).format(dispense=name)
            )
        kits = set(
            session.scalars(select(DispenseKit.kit_id).where(DispenseKit.dispense_id == this.id))
        )
        back = set(
            session.scalars(
                select(Return.kit_id).where(
                    Return.dispense_id == this.id,
                    (Return.outcome.is_(None)) | (Return.outcome != NOT_BROUGHT_BACK),
                )
            )
        )
        if kits and kits <= back:
            raise NoLabelForKit(
                _(
                    "Every bottle of dispense {dispense} came back (return recorded): it gets no "
                    "new label. A label goes only on a bottle the participant still has."
                ).format(dispense=name)
            )


def _previous_dose(session: Session, number: str) -> int | None:
    """The dose level of the participant's dispense before this one (voided ones do not
    count); None for the first."""
    this = session.scalar(select(Dispense).where(Dispense.number == number))
    if this is None:
        return None
    earlier = list(
        session.scalars(
            select(Dispense)
            .where(
                Dispense.participant_id == this.participant_id,
                Dispense.id != this.id,
                (Dispense.cycle < this.cycle)
                | ((Dispense.cycle == this.cycle) & (Dispense.attempt < this.attempt)),
            )
            .order_by(Dispense.cycle.desc(), Dispense.attempt.desc())
        )
    )
    voided = voided_ids(session, [d.id for d in earlier])
    for dispense in earlier:
        if dispense.id not in voided:
            return dispense.dose_level
    return None


def confirm(ctx: Context, actor: Actor, plan: PrintPlan, reason: str | None = "") -> str:
    """Just before the print goes out: the reason is right for its kind, and the labels are
    still as made (`still_current`)."""
    require(actor, Permission.PRINT_LABEL, ctx)
    why = reprint_reason(plan.reprint, reason)
    still_current(ctx, actor, plan)
    return why


def still_current(ctx: Context, actor: Actor, plan: PrintPlan) -> PrintPlan:
    """The plan, refused when its PDF no longer says what is so: nobody printed these labels
    since it was made (else a first print would go out unmarked), a dispense's label is still
    to be had (not voided, not every bottle back since: `_dispenses_to_label`), a kit is not
    gone for good, and each kit's QUARANTINED mark is still right (a kit released since would
    be relabelled QUARANTINED: DO NOT DISPENSE again, that print recorded as its relabel; a
    kit quarantined since would go out unmarked). A screen asks it before it asks a reprint's reason; `confirm` asks it again."""
    require(actor, Permission.PRINT_LABEL, ctx)
    if print_settled(ctx, actor, plan) is not None:
        raise PrintedMeanwhile(
            _(
                "This print of the labels is already in the audit trail: make the PDF again to "
                "print them once more."
            )
        )
    done = already_printed(ctx, actor, plan.kind, plan.items)
    if done and not plan.reprint:
        raise PrintedMeanwhile(
            _(
                "These labels were printed from another screen since this PDF was made: make it "
                "again, so that it is marked as a reprint."
            )
        )
    if plan.kind is not LabelKind.KIT:
        with read_transaction(ctx.engine) as session:  # voided or back since: refused as planned
            _dispenses_to_label(session, plan.items, ctx.study_id, Readable(session, actor))
        return plan
    with read_transaction(ctx.engine) as session:  # a kit gone for good is refused as planned
        now = set(_kits_to_label(session, plan.items, ctx.study_id, Readable(session, actor)))
    marked = set(plan.quarantined)
    released = sorted(marked - now)
    if released:
        raise MarkedOtherwise(
            _(
                "Kit {kit} was released from quarantine after this PDF was made: its label "
                "still says {marked}. Make the PDF again, then print it."
            ).format(kit=released[0], marked=QUARANTINE_MARK)
        )
    quarantined = sorted(now - marked)
    if quarantined:
        raise MarkedOtherwise(
            _(
                "Kit {kit} was quarantined after this PDF was made: its label does not say "
                "{marked}. Make the PDF again, then print it."
            ).format(kit=quarantined[0], marked=QUARANTINE_MARK)
        )
    return plan


def record_label_print(
    ctx: Context,
    actor: Actor,
    kind: LabelKind | str,
    items: Sequence[str],
    reprint: bool,
    stock: str = "",
    reason: str = "",
    token: str = "",
    languages: Sequence[str] = (),
) -> LabelPrintRow:
    """Puts a label print in the audit trail. A second print must be marked as a reprint and
    carry its reason; checked again inside the write, so two workstations cannot both record a
    first print. `token`, the print's identity (PrintPlan.token), is recorded with it: a print
    whose record (or discard) is already in the trail under it is not recorded again, nothing
    is written and the row says so (`already`): a retry after the answer was lost, a first
    print's or a reprint's alike. "" (a script's print, a print kept by an older version):
    not guarded. A dispense's label or leaflet names the version of the study file it is worded
    from, the dispense's (services.study_versions): which wording the bottle carries.
    Each item is found in the study open, among the kits or dispenses on record, and is still
    to be labelled, checked inside the write as the plan was: a kit or dispense of another
    study is refused (named only to a user who may open it), so that its print is neither
    filed under this study nor taken for a first print of the other; a voided dispense, one
    whose every bottle came back, or a kit gone for good is refused, never recorded as
    labelled. `languages`: the languages the labels went out in (PrintPlan.languages),
    recorded (PRINT_LANGUAGES) so that an inspector can tell which text the participant got."""
    require(actor, Permission.PRINT_LABEL, ctx, recorded=True)
    printed_as = label_kind(kind)
    entity = printed_as.entity
    names = _names(items)
    why = reprint_reason(reprint, reason)
    with write_transaction(ctx.engine) as session:
        # First, under the write lock: a print already settled is not judged again (a dispense
        # voided since its record went in is no reason to refuse what is recorded).
        earlier = _settled(session, entity, names, token)
        if earlier is not None:
            return LabelPrintRow(printed_as, names, reprint, stock, ctx.clock.now(), earlier)
        reader = Readable(session, actor)
        if printed_as is LabelKind.KIT:
            _kits_to_label(session, names, ctx.study_id, reader)
        else:
            _dispenses_to_label(session, names, ctx.study_id, reader, known=True)
        _check_kind(entity, names, _printed(session, entity, names), reprint)
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.PRINT_LABEL)
        rec.audit(
            LABEL_ACTIONS[1] if reprint else LABEL_ACTIONS[0],
            entity,
            _ref(names),
            {
                "items": list(names),
                "stock": stock,
                "reprint": reprint,
                **_versions_printed(session, printed_as, names),
                **_languages_recorded(languages),
                **({PRINT_TOKEN: token} if token else {}),
            },
            reason=why,
        )
        return LabelPrintRow(printed_as, names, reprint, stock, rec.now)


DISCARDED_REASON = N_(
    "printed, but the database refused its record; the user discarded the record waiting"
)
"""The reason of a discarded print record when the user gives none (written in the user's
language, as RELEASED_REASON is)."""


def discard_print_record(
    ctx: Context,
    actor: Actor,
    kind: LabelKind | str,
    items: Sequence[str],
    reprint: bool,
    stock: str = "",
    reason: str = "",
    token: str = "",
    languages: Sequence[str] = (),
) -> LabelPrintRow:
    """A print that went out but whose record the database refused, let go by the user
    knowingly (the Receive screen's question, the one as a session ends): its discard is put
    in the audit trail, who, when, which labels (the kits, or the dispenses and their
    participants) and why, so that the trail never falls silent about labels that went out.
    Each item is found in the study open, checked inside the write (filed under its study by
    its items, as a print is); a kit destroyed or a dispense voided since is named all the
    same, for its labels did go out. Not a print record: the items are not counted as printed
    (`_printed` reads the print actions only). One write; refused, nothing is written and the
    print is still to record or discard. `token`, the print's identity (PrintPlan.token):
    a print whose record went in after all, or whose discard is already written (the answer
    lost), gets no discard; nothing is written and the row says which (`already`).
    `languages`: the languages the labels went out in, recorded as a print's are."""
    require(actor, Permission.PRINT_LABEL, ctx, recorded=True)
    printed_as = label_kind(kind)
    entity = printed_as.entity
    names = _names(items)
    why = check_text(
        (reason or "").strip() or _(DISCARDED_REASON), N_("reason for discarding the print record")
    )
    with write_transaction(ctx.engine) as session:
        earlier = _settled(session, entity, names, token)
        if earlier is not None:
            return LabelPrintRow(printed_as, names, reprint, stock, ctx.clock.now(), earlier)
        reader = Readable(session, actor)
        new: dict[str, object] = {"items": list(names), "stock": stock, "reprint": reprint}
        new.update(_languages_recorded(languages))
        if token:
            new[PRINT_TOKEN] = token
        if printed_as is LabelKind.KIT:
            for name in names:
                get_kit(session, name, ctx.study_id, reader=reader)
        else:
            people: list[str] = []
            for name in names:
                dispense = get_dispense(session, name, ctx.study_id, reader=reader)
                number = session.scalar(
                    select(Participant.study_number).where(
                        Participant.id == dispense.participant_id
                    )
                )
                if number is not None and number not in people:
                    people.append(str(number))
            new["participant"] = ", ".join(people)
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.PRINT_LABEL)
        rec.audit(AuditAction.LABEL_PRINT_RECORD_DISCARDED, entity, _ref(names), new, reason=why)
        return LabelPrintRow(printed_as, names, reprint, stock, rec.now)


def print_labels(
    ctx: Context,
    actor: Actor,
    plan: PrintPlan,
    render: Callable[[PrintPlan], bytes],
    output: Callable[[bytes], bool],
    reason: str | None = "",
    withdraw: Callable[[], None] | None = None,
) -> LabelPrintRow | None:
    """The one way a label goes out: checked, drawn, put out, then recorded. When drawing or
    output fails (or the user cancels: `output` returns False) nothing is recorded; when the
    record is refused after the output, `withdraw` takes a written file back and the refusal
    is raised. None when nothing went out. A file is written under a temporary name and put
    in place by the caller once this returns (files.Staged), so that `withdraw` removes the new
    file alone, never an earlier one of the name it replaces. Recorded with the plan's identity
    (PrintPlan.token): a print kept waiting because its record was refused is recorded later
    by it, once (`record_label_print`). The record names the plan's languages, as drawn."""
    require(actor, Permission.PRINT_LABEL, ctx)
    why = confirm(ctx, actor, plan, reason)
    pdf = render(plan)
    if not output(pdf):
        return None
    token = plan.token or new_print_token()
    try:
        return record_label_print(
            ctx,
            actor,
            plan.kind,
            plan.items,
            plan.reprint,
            plan.stock,
            why,
            token,
            languages=plan.languages,
        )
    except BaseException:
        if withdraw is not None:
            withdraw()
        raise


RECENT_DISPENSES = 2000
"""How far back `labels_waiting` reads: the pharmacy's latest dispenses, newest first (a week
at a busy counter is far fewer), found by the primary key rather than by reading every
dispense."""

WAITING_DAYS = 7
"""How many days a label not printed waits at the counter: a label failed at closing time is
still there the next morning, and after a weekend."""


def labels_waiting(ctx: Context, actor: Actor, on: date) -> list[str]:
    """The dispenses this user made in this study in the `WAITING_DAYS` up to `on` whose
    dispensing label was never recorded as printed, oldest first: the counter's queue of labels
    to print, rebuilt from the records, so a label whose printer failed is still waiting after
    the application was closed. Each pharmacist's own: another counter's new dispense, its
    preview still open, is not printed here. A voided dispense, or one whose every bottle came
    back, gets no label and does not wait."""
    require(actor, Permission.PRINT_LABEL, ctx)
    since = on - timedelta(days=WAITING_DAYS - 1)
    with read_transaction(ctx.engine) as session:
        recent = session.execute(  # by the primary key alone: no sort of every dispense
            select(
                Dispense.id,
                Dispense.number,
                Dispense.dispensed_on,
                Dispense.participant_id,
                Dispense.dispensed_by_id,
            )
            .order_by(Dispense.id.desc())
            .limit(RECENT_DISPENSES)
        ).all()
        in_window = [
            row
            for row in recent
            if since <= row.dispensed_on <= on and row.dispensed_by_id == actor.user_id
        ]
        if not in_window:
            return []
        ours = set(
            session.scalars(
                select(Participant.id).where(
                    Participant.id.in_({row.participant_id for row in in_window}),
                    Participant.study_id == ctx.study_id,
                )
            )
        )
        today = {row.id: row.number for row in in_window if row.participant_id in ours}
        voided = voided_ids(session, list(today))
        numbers = [today[i] for i in sorted(today) if i not in voided]
        printed = set(_printed(session, LabelKind.DISPENSE.entity, numbers))
        waiting: list[str] = []
        for number in numbers:
            if number in printed:
                continue
            try:
                _dispenses_to_label(session, [number], ctx.study_id, Readable(session, actor))
            except NoLabelForKit:
                continue
            waiting.append(number)
        return waiting
