"""What an audit entry records: the code written in its `action` column, and the name a monitor
or an inspector reads for it in their own language; the same for the kind of record it names
(its `entity`).

The codes are the records as written: they never change with the language, reports and scripts
filter on them, and `Recorder.audit` writes no code that is not an `AuditAction`, so every entry
the program writes has a name here. A code this version does not know (written by a newer
version, or by an upgrade of an older one) is shown as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from functools import partial

from dispensary.domain import reasons
from dispensary.domain.codes import (
    LANGUAGE_NAMES,
    DestructionReason,
    Flag,
    KitStatus,
    ParticipantStatus,
    ReasonCode,
    Role,
    SignatureMeaning,
)
from dispensary.domain.rules import NOTICE_FORMS, NOTICE_PARTS, SEXES, day1_named
from dispensary.i18n import ENGLISH, N_, Language, _, current_language, pgettext, speaking
from dispensary.i18n import listed as joined


class AuditAction(StrEnum):
    """Every action the program writes in the audit trail."""

    # Accounts and sessions (services/users.py)
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGNATURE_FAILED = "signature_failed"
    SIGN_OUT = "sign_out"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    USER_ADDED = "user_added"
    USER_ACTIVATED = "user_activated"
    USER_DEACTIVATED = "user_deactivated"
    USER_UNLOCKED = "user_unlocked"
    ACCOUNT_LOCKED = "account_locked"  # a lock-out made again after a restore had undone it
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    ADMINISTRATOR_RECOVERED = "administrator_recovered"
    LANGUAGE_SET = "language_set"
    # Studies (services/studies.py, services/setup.py)
    STUDY_LOADED = "study_loaded"
    STUDY_ADDED = "study_added"
    STUDY_UPDATED = "study_updated"
    STUDY_CLOSED = "study_closed"
    STUDY_ACCESS_GIVEN = "study_access_given"
    STUDY_ACCESS_TAKEN = "study_access_taken"
    RULE_CONFIRMED = "rule_confirmed"
    TRAINING_DATABASE = "training_database"
    # The stock and the participants
    RECEIVE = "receive"
    QUARANTINE = "quarantine"
    RELEASE = "release"
    ENROLL = "enroll"
    PARTICIPANT_STATUS = "participant_status"
    PARTICIPANT_STATUS_CORRECTED = "participant_status_corrected"
    ENROLMENT_CORRECTED = "enrolment_corrected"
    ENROLMENT_VOIDED = "enrolment_voided"
    DISPENSE = "dispense"
    DISPENSE_VOIDED = "dispense_voided"
    RETURN = "return"
    RETURN_CORRECTED = "return_corrected"
    ADHERENCE_EXPLAINED = "adherence_explained"
    COUNT = "count"
    COUNT_ADJUSTED = "count_adjusted"  # an open count's difference adjusted (the same figure)
    DESTROY = "destroy"
    TEMPERATURE_EXCURSION = "temperature_excursion"
    TEMPERATURE_CHECKED = "temperature_checked"
    RECONCILIATION_SIGNED_OFF = "reconciliation_signed_off"
    LABEL_PRINTED = "label_printed"
    LABEL_REPRINTED = "label_reprinted"
    LABEL_PRINT_RECORD_DISCARDED = "label_print_record_discarded"
    # The pharmacy, the workstations and the database
    PHARMACY_PARTICULARS_SET = "pharmacy_particulars_set"
    PHARMACY_LANGUAGE_SET = "pharmacy_language_set"
    PHARMACY_IDLE_LOCK_SET = "pharmacy_idle_lock_set"
    LABEL_PRINTERS_BOUND = "label_printers_bound"
    DATABASE_LOCATION_CHANGED = "database_location_changed"
    SITE_KEY_CREATED = "site_key_created"
    SITE_KEY_SET = "site_key_set"
    BACKUP = "backup"
    BACKUP_AUTOMATIC = "backup_automatic"
    DATABASE_RESTORED = "database_restored"
    FACTS_BASELINE = "facts_baseline"  # written by the upgrade to schema 0005 (migrations)

    @property
    def label(self) -> str:
        """The name in English; `name_of` gives it in the reader's language."""
        return _ACTION_NAMES[self].split("|", 1)[1]


_ACTION_NAMES: dict[AuditAction, str] = {
    AuditAction.SIGN_IN: N_("audit action|Signed in"),
    AuditAction.SIGN_IN_FAILED: N_("audit action|Sign-in failed"),
    AuditAction.SIGN_IN_REFUSED: N_("audit action|Sign-in refused"),
    AuditAction.SIGNATURE_FAILED: N_("audit action|Signature failed"),
    AuditAction.SIGN_OUT: N_("audit action|Signed out"),
    AuditAction.LOCKED: N_("audit action|Session locked"),
    AuditAction.UNLOCKED: N_("audit action|Session unlocked"),
    AuditAction.USER_ADDED: N_("audit action|User added"),
    AuditAction.USER_ACTIVATED: N_("audit action|User activated"),
    AuditAction.USER_DEACTIVATED: N_("audit action|User deactivated"),
    AuditAction.USER_UNLOCKED: N_("audit action|Account unlocked"),
    AuditAction.ACCOUNT_LOCKED: N_("audit action|Account locked"),
    AuditAction.PASSWORD_CHANGED: N_("audit action|Password changed"),
    AuditAction.PASSWORD_RESET: N_("audit action|Password reset"),
    AuditAction.ADMINISTRATOR_RECOVERED: N_("audit action|Administrator access recovered"),
    AuditAction.LANGUAGE_SET: N_("audit action|User's language set"),
    AuditAction.STUDY_LOADED: N_("audit action|Study loaded"),
    AuditAction.STUDY_ADDED: N_("audit action|Study added"),
    AuditAction.STUDY_UPDATED: N_("audit action|Study file updated"),
    AuditAction.STUDY_CLOSED: N_("audit action|Study closed"),
    AuditAction.STUDY_ACCESS_GIVEN: N_("audit action|Study access given"),
    AuditAction.STUDY_ACCESS_TAKEN: N_("audit action|Study access taken away"),
    AuditAction.RULE_CONFIRMED: N_("audit action|Study rule confirmed"),
    AuditAction.TRAINING_DATABASE: N_("audit action|Training database made"),
    AuditAction.RECEIVE: N_("audit action|Shipment received"),
    AuditAction.QUARANTINE: N_("audit action|Quarantine"),
    AuditAction.RELEASE: N_("audit action|Release from quarantine"),
    AuditAction.ENROLL: N_("audit action|Enrolment"),
    AuditAction.PARTICIPANT_STATUS: N_("audit action|Participant status changed"),
    AuditAction.PARTICIPANT_STATUS_CORRECTED: N_("audit action|Status change corrected"),
    AuditAction.ENROLMENT_CORRECTED: N_("audit action|Enrolment corrected"),
    AuditAction.ENROLMENT_VOIDED: N_("audit action|Enrolment voided (entered in error)"),
    AuditAction.DISPENSE: N_("audit action|Dispense"),
    AuditAction.DISPENSE_VOIDED: N_("audit action|Dispense voided"),
    AuditAction.RETURN: N_("audit action|Return"),
    AuditAction.RETURN_CORRECTED: N_("audit action|Return corrected"),
    AuditAction.ADHERENCE_EXPLAINED: N_("audit action|Adherence flag explained"),
    AuditAction.COUNT: N_("audit action|Physical count"),
    AuditAction.COUNT_ADJUSTED: N_("audit action|Count difference adjusted"),
    AuditAction.DESTROY: N_("audit action|Destruction"),
    AuditAction.TEMPERATURE_EXCURSION: N_("audit action|Temperature excursion"),
    AuditAction.TEMPERATURE_CHECKED: N_("audit action|Temperature log checked"),
    AuditAction.RECONCILIATION_SIGNED_OFF: N_("audit action|Reconciliation signed off"),
    AuditAction.LABEL_PRINTED: N_("audit action|Labels printed"),
    AuditAction.LABEL_REPRINTED: N_("audit action|Labels reprinted"),
    AuditAction.LABEL_PRINT_RECORD_DISCARDED: N_("audit action|Label print not recorded"),
    AuditAction.PHARMACY_PARTICULARS_SET: N_("audit action|Pharmacy particulars set"),
    AuditAction.PHARMACY_LANGUAGE_SET: N_("audit action|Pharmacy language set"),
    AuditAction.PHARMACY_IDLE_LOCK_SET: N_("audit action|Idle lock time set"),
    AuditAction.LABEL_PRINTERS_BOUND: N_("audit action|Label printers set"),
    AuditAction.DATABASE_LOCATION_CHANGED: N_("audit action|Database location changed"),
    AuditAction.SITE_KEY_CREATED: N_("audit action|Site key created"),
    AuditAction.SITE_KEY_SET: N_("audit action|Site key set"),
    AuditAction.BACKUP: N_("audit action|Backup"),
    AuditAction.BACKUP_AUTOMATIC: N_("audit action|Automatic backup"),
    AuditAction.DATABASE_RESTORED: N_("audit action|Database restored"),
    AuditAction.FACTS_BASELINE: N_("audit action|Records sealed at upgrade"),
}


RECORD_KINDS: dict[str, str] = {
    "user": N_("audit record|User"),
    "study": N_("audit record|Study"),
    "rule": N_("audit record|Study rule"),
    "participant": N_("audit record|Participant"),
    "shipment": N_("audit record|Shipment"),
    "kit": N_("audit record|Kit"),
    "dispense": N_("audit record|Dispense"),
    "return": N_("audit record|Return"),
    "destruction": N_("audit record|Destruction"),
    "excursion": N_("audit record|Temperature excursion"),
    "storage": N_("audit record|Storage area"),
    "reconciliation": N_("audit record|Reconciliation"),
    "kit label": N_("audit record|Kit labels"),
    "dispense label": N_("audit record|Dispensing labels"),
    "leaflet label": N_("audit record|Participant leaflets"),
    "pharmacy": N_("audit record|Pharmacy"),
    "workstation": N_("audit record|Workstation"),
    "site_key": N_("audit record|Site key"),
    "database": N_("audit record|Database"),
}
"""The kinds of record the entries name (their `entity`), as the services write them."""


FIELD_NAMES: dict[str, str] = {
    "access": N_("audit field|Access"),
    "active": N_("audit field|Active"),
    "address": N_("audit field|Address"),
    "age_confirmed": N_("audit field|Age confirmed"),
    "adjusted": N_("audit field|Book adjusted"),
    "already_recorded": N_("audit field|Excursions already on record"),
    "anchor": N_("audit field|Verification code"),
    "birth_year": N_("audit field|Year of birth"),
    "bytes": N_("audit field|Size (bytes)"),
    "chain": N_("audit field|Audit trail"),
    "blind": N_("audit field|Blind count"),
    "book": N_("audit field|On the book"),
    "by_product": N_("audit field|Each product"),
    "computer": N_("audit field|Computer"),
    "computer_account": N_("audit field|Computer account"),
    "condition": N_("audit field|Condition on arrival"),
    "confirmed": N_("audit field|Confirmed"),
    # The rules whose confirmation an update of the study file undid (their text changed).
    "confirmations_undone": N_("audit field|Confirmations undone"),
    "continues": N_("audit field|Continues excursion"),
    "corrects": N_("audit field|Corrects"),
    "count_number": N_("audit field|Count number"),  # a count's own (what later entries name)
    "counted": N_("audit field|Counted"),
    "cover_until": N_("audit field|Covers until"),
    "criteria": N_("audit field|Criteria checked"),
    "cycle": N_("audit field|Cycle"),
    "damaged": N_("audit field|Damaged on arrival"),  # a receipt: kit -> condition as written
    "database": N_("audit field|Database"),
    "day1": N_("audit field|Day 1"),
    "days": N_("audit field|Days' supply"),
    "destroyed_on": N_("audit field|Destroyed on"),
    "difference": N_("audit field|Difference"),
    "discrepancies": N_("audit field|Discrepancies"),
    "dispense": N_("audit field|Dispense"),
    "dispensed_on": N_("audit field|Dispensed on"),
    "dose_level": N_("audit field|Dose level"),
    "eligibility_confirmed_by": N_("audit field|Eligibility confirmed by"),
    "effective_on": N_("audit field|Effective on"),
    "enrolled_on": N_("audit field|Enrolled on"),
    "expected": N_("audit field|Quantity expected"),
    "expiry": N_("audit field|Expiry"),
    "excursions": N_("audit field|Excursions"),
    "failed_attempts": N_("audit field|Failed attempts"),
    "file": N_("audit field|File"),
    "fingerprint": N_("audit field|Fingerprint"),
    "flags": N_("audit field|Flags"),
    "from": N_("audit field|From"),
    "gaps": N_("audit field|Gaps in the readings"),
    "full_name": N_("audit field|Full name"),
    "grounds": N_("audit field|Grounds"),
    "held_days": N_("audit field|Days held"),
    "held_from": N_("audit field|Held from"),
    "held_for": N_("audit field|Held for"),  # a release: why each kit was quarantined
    "held_ordered_by": N_("audit field|Hold ordered by"),
    "held_until": N_("audit field|Held until"),
    "highest": N_("audit field|Highest"),
    "idle_lock_minutes": N_("audit field|Idle lock time (minutes)"),
    "initials": N_("audit field|Initials"),
    "items": N_("audit field|Items"),
    "kit": N_("audit field|Kit"),
    "kits": N_("audit field|Kits"),
    "kits_already_quarantined": N_("audit field|Kits already quarantined"),
    "kits_gone": N_("audit field|Kits there during it, dispensed or gone since"),
    # A logger file's excursion: the readings within the range next to it (how long it may have
    # lasted); a reading entered by hand instead of a logger file.
    "in_range_before": N_("audit field|Last reading within the range before it"),
    "in_range_after": N_("audit field|First reading within the range after it"),
    "manual": N_("audit field|Entered by hand"),
    "language": N_("audit field|Language"),
    "languages": N_("audit field|Label languages"),  # a label print's (services.labels)
    "ledger": N_("audit field|Ledger rows"),
    "location": N_("audit field|Storage area"),
    "locked": N_("audit field|Locked"),
    "lot": N_("audit field|Lot"),
    "lots": N_("audit field|Lots"),
    "lowest": N_("audit field|Lowest"),
    "max_celsius": N_("audit field|Highest allowed (°C)"),
    "meaning": N_("audit field|Meaning"),
    "method": N_("audit field|Method"),
    "min_celsius": N_("audit field|Lowest allowed (°C)"),
    # A second signature made with another account's user name and its correct password.
    "signed_as": N_("audit field|Signed with the account of"),
    "expected_signer": N_("audit field|Person expected to sign"),
    "missing": N_("audit field|Missing from the shipment"),  # a receipt: not received
    "must_change_password": N_("audit field|Must change password"),
    "name": N_("audit field|Name"),
    "names": N_("audit field|Names"),
    "not_brought_back": N_("audit field|Not brought back"),
    "note": N_("audit field|Note"),
    "notices": N_("audit field|Notices"),
    "number": N_("audit field|Number"),
    "observations": N_("audit field|Observations"),
    "origin": N_("audit field|Origin"),
    "outcome": N_("audit field|Outcome"),
    "overrides": N_("audit field|Warnings overridden (codes)"),
    "participant": N_("audit field|Participant"),
    "password_set": N_("audit field|Password set"),
    "path": N_("audit field|Path"),
    "phone": N_("audit field|Phone"),
    "platelets": N_("audit field|Platelets"),
    "position": N_("audit field|Position"),
    "print_id": N_("audit field|Print identifier"),  # a label print's (services.labels)
    "product": N_("audit field|Product"),
    "products": N_("audit field|Products"),
    "public_key": N_("audit field|Public key"),
    "readings": N_("audit field|Readings"),
    "readings_from": N_("audit field|Readings from"),
    "readings_highest": N_("audit field|Highest reading"),
    "readings_sha256": N_("audit field|Readings' SHA-256"),
    "readings_lowest": N_("audit field|Lowest reading"),
    "readings_to": N_("audit field|Readings to"),
    "reason": N_("audit field|Reason"),
    "recovered_by": N_("audit field|Recovered by"),
    "reason_code": N_("audit field|Reason code"),
    "schedule_changed": N_("audit field|Cycle schedule changed"),
    "participants_on_treatment": N_("audit field|Participants on treatment then"),
    "recount_of": N_("audit field|Recount of"),
    "adjustment_of": N_("audit field|Adjustment of the count"),
    "received_by_day": N_("audit field|Received on that day, time not recorded"),
    "received_on": N_("audit field|Received on"),
    "reference": N_("audit field|Authorisation"),
    "replaced_file_kept_at": N_("audit field|Replaced file kept at"),
    "audit_entries_replaced": N_("audit field|Audit entries in the database replaced"),
    "audit_entries_restored": N_("audit field|Audit entries in the backup restored"),
    "accounts_made_again": N_("audit field|Account changes made again after the restore"),
    "accounts_undone": N_("audit field|Account changes undone by the restore"),
    "accounts_not_checked": N_("audit field|Account changes not checked"),
    "reprint": N_("audit field|Reprint"),
    "returned_on": N_("audit field|Returned on"),
    "role": N_("audit field|Role"),
    "rule": N_("audit field|Rule"),
    "rule_digest": N_("audit field|Rule text's SHA-256"),  # what a confirmation covers
    "sex": N_("audit field|Sex"),
    "signature": N_("audit field|Signature"),
    "signed_in_at": N_("audit field|Signed in at"),  # a sign-in recorded late
    "size": N_("audit field|Size"),
    "source": N_("audit field|Source"),
    "source_text": N_("audit field|Study file text"),
    "sponsor_reference": N_("audit field|Sponsor's decision"),
    "status": N_("audit field|Status"),
    "status_change": N_("audit field|Status change corrected (entry)"),  # its audit entry
    "stock": N_("audit field|Label stock"),
    "storage_area": N_("audit field|Storage area"),
    "study": N_("audit field|Study"),
    "study_access": N_("audit field|Studies"),
    "study_sha256": N_("audit field|Study file's SHA-256"),
    "study_version": N_("audit field|Study file version"),
    "tablets": N_("audit field|Quantity"),
    "taken": N_("audit field|Quantity taken"),
    "temperature_ok": N_("audit field|Temperature within range"),
    # A password changed with one someone else set (services.users.change_password).
    "temporary_set_as": N_("audit field|Temporary password from"),
    "temporary_set_at": N_("audit field|Temporary password set at"),
    "temporary_set_by": N_("audit field|Temporary password set by"),
    "title": N_("audit field|Title"),
    "to": N_("audit field|To"),
    "to_review": N_("audit field|Findings to review"),
    "to_sponsor": N_("audit field|Returned to the sponsor"),
    "today_may_be_fixed": N_("audit field|Date may be set"),
    "unseen_returns_acknowledged": N_("audit field|Destroyed before a monitor saw the return"),
    "username": N_("audit field|Username"),
    "verified_by": N_("audit field|Verified by"),
    "version": N_("audit field|Version"),
    "void": N_("audit field|Void"),
    "voided": N_("audit field|Voided"),
    "warnings": N_("audit field|Warnings"),
    "weight": N_("audit field|Weight"),
    "with_people": N_("audit field|With participants"),
    "with_temporary_password": N_("audit field|Made with a temporary password"),
    "witness": N_("audit field|Witness"),
}
"""The values the entries record (the keys of their `new` and `old`), as the services write
them; a key this version does not know is shown as written."""


TRAINING_REASON = "training database: not for real participants"
"""The reason written on the entry that marks a training database (services/setup)."""

REASON_CODES: dict[tuple[str, str], str] = {
    (AuditAction.SIGN_IN_REFUSED, "deactivated"): N_("audit reason|the account is deactivated"),
    (AuditAction.SIGN_IN_REFUSED, "locked"): N_("audit reason|the account is locked"),
    (AuditAction.TRAINING_DATABASE, TRAINING_REASON): N_(
        "audit reason|a training database: not for real participants"
    ),
}
"""Reasons the program writes itself, as a code (the others are a person's own words)."""


def _in_context(marked: str) -> str:
    context, message = marked.split("|", 1)
    return pgettext(context, message)


def name_of(code: str) -> str:
    """The action's name in the reader's language; a code this version does not write, as it
    was written."""
    try:
        action = AuditAction(code)
    except ValueError:
        return code
    return _in_context(_ACTION_NAMES[action])


def action_typed(typed: str) -> str | None:
    """The action code a person typed to filter on (`audit list --action`): the code, or the
    action's name as the trail shows it in English or Chinese, case and spaces aside; None
    when it is neither (a filter on it would find nothing, and say nothing of the typo)."""
    wanted = " ".join(typed.split()).casefold()
    for action in AuditAction:
        if action.value == wanted.replace(" ", "_"):
            return action.value
    for language in Language:
        with speaking(language):
            for action in AuditAction:
                if " ".join(name_of(action.value).split()).casefold() == wanted:
                    return action.value
    return None


def record_kind(entity: str) -> str:
    """The kind of record an entry names, in the reader's language; an unknown one as written."""
    marked = RECORD_KINDS.get(entity)
    return _in_context(marked) if marked else entity


LABEL_ITEMS = {
    "kit label": N_("{kind} of {count} kits: {items}"),
    "dispense label": N_("{kind} of {count} dispenses: {items}"),
    "leaflet label": N_("{kind} of {count} dispenses: {items}"),
}
"""A label print of several items, as a reader is told it: the count and the items themselves.
Its identifier ("K8001..K8005 (4)", the batch index's key: db.models.BATCH_ENTRY) read as a
range of five kits, K8004 among them, when four were printed."""
LABEL_ITEMS_SHOWN = 8
"""The items a label print's name lists at most (then "…": the count says how many in all)."""


def _label_items(new: str) -> list[str]:
    """The items a label print's entry records (its `new` values), [] when it records none."""
    try:
        values = json.loads(new or "{}")
    except json.JSONDecodeError:
        return []
    items = values.get("items") if isinstance(values, dict) else None
    return [str(i) for i in items] if isinstance(items, list) else []


def languages_named(value: object) -> str | None:
    """The languages a label print's entry records (its `languages`: the study file's codes,
    the main one first) in the reader's words, "Simplified Chinese and English" (简体中文和英文):
    an inspector reads which text the participant got, not "zh_CN, en". A language the program
    has no name for, by its code; None for a value of another shape (or none recorded)."""
    if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
        return None
    names = [_(LANGUAGE_NAMES[c]) if c in LANGUAGE_NAMES else c for c in value]
    if len(names) == 1:
        return names[0]
    return _("{languages} and {last}").format(languages=joined(names[:-1]), last=names[-1])


def _label_languages(new: str) -> str | None:
    """The languages a label print's entry records, in words (`languages_named`); None for an
    entry written before they were recorded."""
    try:
        values = json.loads(new or "{}")
    except json.JSONDecodeError:
        return None
    return languages_named(values.get("languages")) if isinstance(values, dict) else None


def record_named(
    entity: str,
    entity_id: str,
    new: str,
    area_name: Callable[[str], str] = str,
    return_of: tuple[str, ...] = (),
) -> str:
    """The record an entry names, as the Audit trail window, `audit list` and the audit report
    say it: its kind in the reader's words and its identifier; the study's store by its name in
    the reader's language (`area_name`; the entry keeps the name as recorded); a return, numbered
    only in the database, with the kit, dispense and participant a pharmacist knows it by
    ("return 115 (K1008, DSP000107, 01-004)"): `return_of`, read from the return row (a
    correction stores none of them), else the kit and dispense the entry stored; a label
    print with the languages its labels went out in, where its entry records them."""
    named = area_name(entity_id) if entity == "storage" else entity_id
    if entity == "return" and len(return_of) == 3:
        kit, dispense, participant = return_of
        return _("{kind} {id} ({kit}, {dispense}, {participant})").format(
            kind=record_kind(entity), id=named, kit=kit, dispense=dispense, participant=participant
        )
    if entity == "return":
        try:
            values = json.loads(new or "{}")
        except json.JSONDecodeError:
            values = {}
        if isinstance(values, dict) and values.get("kit") and values.get("dispense"):
            return _("{kind} {id} ({kit}, {dispense})").format(
                kind=record_kind(entity), id=named, kit=values["kit"], dispense=values["dispense"]
            )
    if entity not in LABEL_ITEMS:
        return f"{record_kind(entity)} {named}"
    items = _label_items(new)
    if len(items) > 1:  # "Kit labels of 4 kits: K8001, K8002, K8003, K8005", never a range
        shown = items[:LABEL_ITEMS_SHOWN] + (["…"] if len(items) > LABEL_ITEMS_SHOWN else [])
        record = _(LABEL_ITEMS[entity]).format(
            kind=record_kind(entity), count=len(items), items=joined(shown)
        )
    else:
        record = f"{record_kind(entity)} {named}"
    # The languages the labels went out in, where the entry records them: "Dispensing labels
    # DSP000107 (Simplified Chinese and English)", the text the participant got said beside
    # the label in every list of the trail (an entry written before: as it was).
    languages = _label_languages(new)
    if languages is None:
        return record
    return _("{record} ({languages})").format(record=record, languages=languages)


TECHNICAL_FIELDS = frozenset({"ledger", "void", "print_id"})
"""Values an entry records for the chain, not for a reader: the ledger rows' ids and hashes, a
void's own row id (an enrolment's or a dispense's void read "Void: 1"), a label print's
identity (a random code the program finds a retried record by). The entry's action,
record, user, time and reason say what was voided, by whom, when and why; these are shown
only with the technical details (the audit screen) or counted (the ledger rows, in the PDF)."""


DIGEST_FIELDS = frozenset({"study_sha256", "readings_sha256", "rule_digest"})
"""Values that are a file's or a text's SHA-256: shown to be compared whole, never read for a
few characters (any two letters or digits of 0-9a-f are in most of them)."""


def searched_values(stored: str) -> list[str]:
    """The text of the values a reader reads in an entry's stored values (its `new` or `old`),
    for a search of the trail: each value as stored, a list's and a nested object's items too,
    without the keys, yes/no and empty values (shown in words), the values kept for the chain
    (TECHNICAL_FIELDS: the ledger rows' hashes) and the digests (DIGEST_FIELDS), which are
    found only typed whole. Text that is not a JSON object is read as it is."""
    try:
        data = json.loads(stored) if stored else {}
    except json.JSONDecodeError:
        return [stored]
    if not isinstance(data, dict):
        return [stored]
    found: list[str] = []

    def scalars(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                scalars(item)
        elif isinstance(value, dict):
            for item in value.values():
                scalars(item)
        elif isinstance(value, str):
            found.append(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            found.append(json.dumps(value))

    for key, value in data.items():
        if key not in TECHNICAL_FIELDS and key not in DIGEST_FIELDS:
            scalars(value)
    return found


def digests_of(stored: str) -> list[str]:
    """The digests an entry's stored values hold (DIGEST_FIELDS), found by a search only when
    typed whole."""
    try:
        data = json.loads(stored) if stored else {}
    except json.JSONDecodeError:
        return []
    if not isinstance(data, dict):
        return []
    return [str(v) for k, v in data.items() if k in DIGEST_FIELDS and isinstance(v, str)]


def field_name(key: str) -> str:
    """The name of a value an entry records ("destroyed_on": "Destroyed on", 销毁日期), in the
    reader's language; a key this version does not write, as written."""
    marked = FIELD_NAMES.get(key)
    return _in_context(marked) if marked else key


RETURN_OUTCOMES: dict[str, str] = {
    "counted": N_("return outcome|counted"),
    "not_brought_back": N_("return outcome|not brought back"),
}
"""A return's outcome as services.returns records it (a kit counted back, or tablets counted
for a kit not brought back)."""

BALANCE_FIELDS = ("product", "received", "on_hand", "held_returned", "balanced")
"""What a reconciliation sign-off records of each product, in this order
(services.reconciliation.sign_off: `[key, received, on_hand, held_returned, balanced]`)."""


def held_for_shown(value: object) -> str | None:
    """A release's `held_for` (kit -> the causes it was held for, as
    services.quarantine.HoldCause.fact stores them) in the reader's words, as the release's
    dialog says them ("K1061: quarantined 2026-10-01 for temperature excursion 3: ..."): the
    stored JSON is no reading for an inspector. None for a value of another shape."""
    if not isinstance(value, dict) or not value:
        return None
    kits = []
    for kit, causes in value.items():
        if not isinstance(causes, list):
            return None
        words = []
        for cause in causes:
            if not isinstance(cause, dict) or not isinstance(cause.get("on"), str):
                return None
            day = cause["on"]
            if "exposed_to_excursion" in cause:
                words.append(
                    _("exposed to temperature excursion {excursion} on {day} while held").format(
                        excursion=cause["exposed_to_excursion"], day=day
                    )
                )
                continue
            recorded = str(cause.get("reason", ""))
            excursion = cause.get("excursion")
            forms = reasons.EXCURSION_FORMS if excursion is not None else reasons.RECEIPT_FORMS
            reason = reasons.in_reader_words(recorded, forms)
            words.append(reasons.quarantined_for(day, reason, excursion))
        kits.append(_("{kit}: {causes}").format(kit=kit, causes=_(", ").join(words)))
    return _("; ").join(kits)


def balances_shown(value: object, product_name: Callable[[str], str] = str) -> str | None:
    """A reconciliation sign-off's products with what each number is, in the reader's
    language ("海曲泊帕乙醇胺片 2.5 mg：已接收 588，库存 420，退回留存 8，平衡"): stored
    as bare lists, which no inspector can read. `product_name`: a product's name from its code
    (Study.product_name). None for a value of another shape (not a sign-off's)."""
    if not isinstance(value, list) or not value:
        return None
    lines = []
    for item in value:
        if not (
            isinstance(item, list)
            and len(item) == len(BALANCE_FIELDS)
            and isinstance(item[0], str)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in item[1:4])
            and isinstance(item[4], bool)
        ):
            return None
        code, received, on_hand, held, balanced = item
        lines.append(
            _(
                "{product}: received {received}, on hand {on_hand}, held returned {held}, {balance}"
            ).format(
                product=product_name(code),
                received=received,
                on_hand=on_hand,
                held=held,
                balance=_("balances") if balanced else _("does not balance"),
            )
        )
    return _("; ").join(lines)


PRODUCT_FIGURES: tuple[tuple[str, str], ...] = (
    ("dispensed", N_("dispensed {count}")),
    ("returned", N_("returned {count}")),
    ("taken", N_("taken {count}")),
    ("expected", N_("expected {count}")),
    ("not_brought_back", N_("not brought back {count}")),
)
"""What a dispense or a return of several products records of each (`by_product`:
ProductFigures.recorded, dispensing._units_recorded), in this order: each in its own units."""


def by_product_shown(value: object, product_name: Callable[[str], str] = str) -> str | None:
    """Each product's figures of a dispense or return of several products in the reader's
    language ("democapib (fictional) 100 mg capsule: dispensed 28, returned 10, taken 18,
    expected 28, under-use"), stored as a list of objects. None for a value of another shape."""
    if not isinstance(value, list) or not value:
        return None
    lines = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("product"), str):
            return None
        parts = [
            _(words).format(count=item[key])
            for key, words in PRODUCT_FIGURES
            if isinstance(item.get(key), int) and not isinstance(item.get(key), bool)
        ]
        flags = item.get("flags")
        if isinstance(flags, list):
            parts.extend(_first_lower(_coded("flags", f) or f) for f in flags if isinstance(f, str))
        lines.append(
            _("{product}: {figures}").format(
                product=product_name(item["product"]), figures=_(", ").join(parts)
            )
        )
    return _("; ").join(lines)


REFERRING_KEYS: dict[str, str] = {
    "adjustment_of": "count",
    "recount_of": "count",
    "corrects": "return",
}
"""The values an entry names another record by, that record's row number, and the kind of
record each names (services.counts: `adjustment_of`, the open count a count adjusted;
`recount_of`, the open count it followed; services.returns: `corrects`, the return a
correction replaces). The trail names that record as a pharmacist knows it, read from its row
when the trail is listed (AuditRow.referred: the kind, then its facts, then the audit entry that
recorded it)."""


def referred_shown(key: str, value: object, referred: tuple[str, ...]) -> str | None:
    """Another record an entry's value names by its row (`REFERRING_KEYS`) in words, from
    `referred` (the kind, then the facts read from the row, then the number of the audit entry
    that recorded it: AuditRow.referred): an earlier count as "count of kit K1008 on 2026-12-01
    (count number 4812, entry No. 336)", its kit, the day counted, its own number (the one
    `count --adjusting-count` takes) and the trail's "No." of the entry that recorded it (a
    count of the 1st may be recorded on the 2nd: the entry is what an inspector finds in the
    trail); a return as the Record column names one, "Return 114 (K1008, DSP000107, 01-004,
    entry No. 335)". Without the entry when none lists the record. None when the key names no
    record, or the record was not found (the value is shown as stored)."""
    kind = REFERRING_KEYS.get(key)
    if kind is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    if not referred or referred[0] != kind:
        return None
    *facts, entry = referred[1:] or ("",)
    if kind == "count" and len(facts) == 2:
        kit, day = facts
        if entry:
            return _(
                "count of kit {kit} on {day} (count number {number}, entry No. {entry})"
            ).format(kit=kit, day=day, number=value, entry=entry)
        return _("count of kit {kit} on {day} (count number {number})").format(
            kit=kit, day=day, number=value
        )
    if kind == "return" and len(facts) == 3:
        if entry:
            kit, dispense, participant = facts
            return _("{kind} {id} ({kit}, {dispense}, {participant}, entry No. {entry})").format(
                kind=record_kind(kind),
                id=value,
                kit=kit,
                dispense=dispense,
                participant=participant,
                entry=entry,
            )
        return record_named(kind, str(value), "", return_of=tuple(facts))
    return None


def value_shown(
    key: str,
    value: object,
    product_name: Callable[[str], str] = str,
    rule_named: Callable[[str], str] = str,
    dose_named: Callable[[str], str] = str,
    event_named: Callable[[str], str] = str,
    referred: tuple[str, ...] = (),
) -> object:
    """A coded value in the reader's words where its key says which code it is, in every
    language: an inspector reads "Status: on treatment" and "Sex: female", not the stored
    on_treatment and F (role: pharmacist, 药师; sex: F, female, 女; signature: dispensed; a
    kit's status; a count's or a destruction's reason code; a return's outcome and flags; a
    study's status; a "yes" or "no" the services write as a word, 是/否). English words start
    in lower case, as they read after "Status: ". Anything else (free text, numbers, a code this version does not write) as
    stored. A reconciliation sign-off's products are written with what each number is
    (`product_name` names a product by its code: Study.product_name). A dispense's notices and
    warnings the program wrote are read back in the reader's language (`rule_named` names a
    rule by the title recorded: Study.rule_named). A dose level's name and what
    day 1 is in them too (`dose_named`: Study.dose_named; `event_named`:
    Study.day1_event_recorded). Another record an entry names by its row (an earlier count,
    the return a correction replaces) as a pharmacist knows it (`referred`: referred_shown)."""
    if key in REFERRING_KEYS:
        named = referred_shown(key, value, referred)
        if named is not None:
            return named
    if key == "products":
        balances = balances_shown(value, product_name)
        if balances is not None:
            return balances
    if key == "by_product":
        figures = by_product_shown(value, product_name)
        if figures is not None:
            return figures
    if key == "product" and isinstance(value, str) and value:
        return product_name(value)
    if key == "languages":
        languages = languages_named(value)
        if languages is not None:
            return languages
    if key == "held_for":
        held = held_for_shown(value)
        if held is not None:
            return held
    if key in NOTICE_KEYS and isinstance(value, list) and all(isinstance(v, str) for v in value):
        # Recorded in English as the program wrote them: in the reader's words where the form
        # is the program's (a rule to confirm, an expiring approval); any other as recorded.
        # A rule's title in the reader's words too (`rule_named`: Study.rule_named).
        parts: reasons.Parts = {
            **NOTICE_PARTS,
            "title": rule_named,
            "rule": rule_named,
            "name": dose_named,
            "start_name": dose_named,
            "band_name": dose_named,
            "event": partial(_event_named, event_named),
        }
        return [reasons.in_reader_words(v, NOTICE_FORMS, parts) for v in value]
    if key == "flags" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [_first_lower(_coded("flags", v) or v) for v in value]
    if key in ACTION_KEYS and isinstance(value, str):
        return name_of(value)  # the step's name, as the entry's action is named: "User added"
    if not isinstance(value, str):
        return value
    word = _coded(key, value)
    return value if word is None else _first_lower(word)


STUDY_STATUSES: dict[str, str] = {
    "open": N_("study status|open"),
    "closed": N_("study status|closed"),
}
"""A study's status as services.studies records its closing."""


def _event_named(event_named: Callable[[str], str], recorded: str) -> str:
    """What day 1 is in a recorded warning: "day 1" where the study file does not say
    (rules.day1_named), else the study file's words (`event_named`)."""
    return day1_named("") if recorded == "day 1" else event_named(recorded)


NOTICE_KEYS = frozenset({"notices", "warnings"})
"""A dispense's notices and the warnings it overrode, as the program wrote them (in English)."""


ACCOUNTS_NOT_CHECKED = N_(
    "The replaced database could not be read: account changes made since the backup "
    "(deactivations, lock-outs, passwords) could not be checked: review the users, and make "
    "again those that still hold."
)
"""Said by a restore (--force) over a database whose accounts could not be read."""
REPLACED_UNREADABLE = "replaced_database_unreadable"
"""The code a restore's entry records as `accounts_not_checked` (services.backup), said in the
reader's words (ACCOUNTS_NOT_CHECKED) when the trail is read."""
NOT_CHECKED_CODES: dict[str, str] = {
    REPLACED_UNREADABLE: ACCOUNTS_NOT_CHECKED,
    # Entries written before the code: the English sentence itself, read in the reader's words.
    ACCOUNTS_NOT_CHECKED: ACCOUNTS_NOT_CHECKED,
}


YES_NO_KEYS = frozenset(
    {
        "today_may_be_fixed",
        "must_change_password",
        "password_set",
        "access",
        "with_temporary_password",
    }
)
"""The values the services record as the words "yes" or "no" (services.setup's training
database, services.users, services.studies' access), said in the reader's language."""


ACTION_KEYS = frozenset({"temporary_set_as"})
"""The values that are an audit action's code (the step that set a temporary password): said by
the action's name, as the trail names its entries."""


def _coded(key: str, value: str) -> str | None:
    """The word for the code `value` of `key` in the reader's language; None when `key` holds
    no code or `value` is not one of its codes."""
    if key == "accounts_not_checked" and value in NOT_CHECKED_CODES:
        return _(NOT_CHECKED_CODES[value])
    if key in YES_NO_KEYS and value in ("yes", "no"):
        return _("yes") if value == "yes" else _("no")
    if key == "outcome" and value in RETURN_OUTCOMES:
        return _in_context(RETURN_OUTCOMES[value])
    if key == "chain" and value == "broken":  # a backup made as evidence (services.backup)
        return _("does not verify")
    if key == "status" and value in STUDY_STATUSES:
        return _in_context(STUDY_STATUSES[value])
    if key == "sex" and value in SEXES:
        return _(SEXES[value])
    try:
        if key == "role":
            return _(Role(value).label)
        if key == "status" and value in {c.value for c in ParticipantStatus}:
            return _(ParticipantStatus(value).label)
        if key == "status":
            return _(KitStatus(value).label)
        if key in ("signature", "meaning"):
            return SignatureMeaning(value).shown
        if key == "reason_code" and value in {c.value for c in ReasonCode}:
            return _(ReasonCode(value).label)
        if key == "reason_code":
            return _(DestructionReason(value).label)
        if key == "flags":
            return _(Flag(value).label)
    except ValueError:
        return None  # a code this version does not write: as written
    return None


def _coded_values() -> list[tuple[str, str]]:
    """Every (key, code) `_coded` says in words but yes and no (a word too common to search
    by): roles, statuses, signatures' meanings, reason codes, flags, outcomes, sexes."""
    return [
        *(("role", r.value) for r in Role),
        *(("status", s.value) for s in ParticipantStatus),
        *(("status", s.value) for s in KitStatus),
        *(("status", s) for s in STUDY_STATUSES),
        *(("signature", m.value) for m in SignatureMeaning),
        *(("reason_code", c.value) for c in ReasonCode),
        *(("reason_code", c.value) for c in DestructionReason),
        *(("flags", f.value) for f in Flag),
        *(("outcome", o) for o in RETURN_OUTCOMES),
        *(("sex", s) for s in SEXES),
    ]


LISTED_CODES = frozenset({"flags"})
"""The keys whose value is a list of codes (a return's flags), the others' a code alone."""


def codes_shown_as(typed: str) -> list[tuple[str, str]]:
    """The (key, stored code) pairs whose words in the reader's language hold `typed` (case
    aside): what a search of the trail looks for beside the text typed, as the values read on
    screen and in the report are these words (a count's reason code `breakage` reads 破损 to a
    Chinese reader, who types 破损 to find it). By key: the same code may be said otherwise
    under another (`counted`, a count's signature 已盘点, a return's outcome 已清点退回)."""
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        return []
    return sorted(
        {
            (key, code)
            for key, code in _coded_values()
            if wanted in " ".join((_coded(key, code) or "").split()).casefold()
        }
    )


def reasons_shown_as(typed: str) -> list[tuple[str, str]]:
    """The (action, reason code) pairs of the program's own reasons (REASON_CODES) whose words
    in the reader's language hold `typed`, case aside (reason_shown)."""
    wanted = " ".join(typed.split()).casefold()
    if not wanted:
        return []
    return [
        (str(action), code)
        for (action, code), marked in REASON_CODES.items()
        if wanted in _in_context(marked).casefold()
    ]


MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")
"""A stored moment with its offset ("2026-06-23T06:00:00+00:00"), as the services write them."""


def stored_moment(value: object) -> datetime | None:
    """A value that is a stored moment with its offset (a temperature reading's time), to be
    shown in the reader's local time as the entry's own time is; None for anything else and a
    time with no offset (which cannot be placed)."""
    if not isinstance(value, str) or not MOMENT.fullmatch(value):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def role_named(code: str) -> str:
    """An account's role as a list of people names it ("Pharmacist", 药师); a role this
    version does not know as stored."""
    return _coded("role", code) or code


def person_named(full_name: str, role: str) -> str:
    """Who signed or witnessed, as a record names them: the full name and the role of the
    account ("Wang Fang (Technician)", 王芳（技术员）); the name alone when no role is known."""
    if not role:
        return full_name
    return _("{name} ({role})").format(name=full_name, role=role_named(role))


def meaning_named(code: str) -> str:
    """A signature's meaning as the signer read it ("return counted", 退回已清点); a meaning
    this version does not write as stored."""
    return _coded("meaning", code) or code


def _first_lower(word: str) -> str:
    """A label ("On treatment") as a value after its name ("Status: on treatment"); Chinese,
    which has no case, as it is."""
    if current_language() is not ENGLISH:
        return word
    return word[:1].lower() + word[1:]


def reason_shown(action: str, reason: str) -> str:
    """An entry's reason: the program's own codes in words, a person's words as written."""
    marked = REASON_CODES.get((action, reason))
    return _in_context(marked) if marked else reason


def reason_and_decision(action: str, reason: str, new: str) -> str:
    """An entry's reason (`reason_shown`) with the sponsor's decision a release was made on,
    for the lists that show no values beside the reason (`audit list`, a kit's history)."""
    shown = reason_shown(action, reason)
    try:
        values = json.loads(new or "{}")
    except json.JSONDecodeError:
        return shown
    reference = values.get("sponsor_reference") if isinstance(values, dict) else None
    if not reference:
        return shown
    # The reference first: a long reason is clipped in a list, the decision stays.
    return _("Sponsor's decision {reference}; {reason}").format(reference=reference, reason=shown)


NOTHING = "—"
"""A value stored empty (null, an empty text or list)."""


def value_words(value: object, yes: str, no: str) -> str:
    """One stored value as a reader reads it, in the window and the audit report alike: a
    list's items joined with commas, a nested object as compact JSON, `yes`/`no` (the reader's
    words) for booleans, a dash for nothing (never a Python repr)."""
    if value is None or value == "" or value == []:
        return NOTHING
    if isinstance(value, bool):
        return yes if value else no
    if isinstance(value, list):
        return listed(
            [
                compact_json(item) if isinstance(item, list | dict) else value_words(item, yes, no)
                for item in value
            ]
        )
    if isinstance(value, dict):
        return compact_json(value)
    return str(value)


_SENTENCE_ENDS = ("。", "！", "？")


def listed(items: list[str]) -> str:
    """A stored list's items one after the other with the reader's list separator: "a, b";
    in Chinese "a、b", and sentences (a dispense's notices) "甲；乙。" as Chinese writes
    clauses one after the other, never "甲。, 乙。" (reports.words.listing)."""
    if current_language() is not ENGLISH and any(item.endswith(_SENTENCE_ENDS) for item in items):
        last = len(items) - 1
        return "；".join(
            item.removesuffix("。") if i < last else item for i, item in enumerate(items)
        )
    return joined(items)


def compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
