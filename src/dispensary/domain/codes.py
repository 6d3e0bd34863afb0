"""Coded values shared by the database, reports and screens, each with the label a user reads."""

from __future__ import annotations

from enum import StrEnum

from dispensary.i18n import ENGLISH, N_, _, current_language

LANGUAGE_NAMES: dict[str, str] = {"en": N_("English"), "zh_CN": N_("Simplified Chinese")}
"""A label language of the study file (its code) by name: in a rule's title, and in a label
print's audit entry (its `languages`), which the trail says in words, not by the codes."""


class KitStatus(StrEnum):
    AVAILABLE = "available"
    QUARANTINED = "quarantined"
    DISPENSED = "dispensed"
    RETURNED = "returned"
    DESTROYED = "destroyed"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def colour(self) -> str:
        return _KIT_COLOURS[self]


HELD_FOR_COUNT = "held"
"""The status filter's choice of the kits available but held for an open count difference
(KitRow.held_for_count), beside the statuses (KitStatus): the Inventory screen's and
`dispensary inventory --status held`. The Available choice leaves them out, as the screen's
Status column and the command's say them held, not available."""

SHORT_DATED = "short"
"""The status filter's choice of the kits available but too short-dated for a cycle dispensed
today (KitRow.refused_for_expiry; ExpiryStanding.SHORT): the Inventory screen's Status column
says them "Too short-dated", `dispensary inventory` "too short-dated", so the Available choice
leaves them out and this one lists them (held for a count difference or not)."""


_KIT_COLOURS = {
    KitStatus.AVAILABLE: "#2e7d32",
    KitStatus.QUARANTINED: "#ef6c00",
    KitStatus.DISPENSED: "#1565c0",
    KitStatus.RETURNED: "#6a1b9a",
    KitStatus.DESTROYED: "#616161",
    KitStatus.EXPIRED: "#c62828",
}


class ExpiryStanding(StrEnum):
    """How a kit on the shelf stands against its expiry today (rules.expiry_standing): what
    the inventory says of it, in its Expiry column and, for a kit available but too short, in
    its Status. None (no standing): it lasts a cycle and expires beyond the warning window."""

    EXPIRED = "expired"
    """Past its expiry."""
    SHORT = "short"
    """In date, but expiring before the supply of a cycle dispensed today must last
    (rules.covers_supply): every dispense refuses it."""
    NEAR = "near"
    """Lasting a cycle, but expiring within the warning window (rules.EXPIRY_WARNING_DAYS,
    the Today screen's "Kits expiring within 90 days")."""

    @property
    def label(self) -> str:
        return _EXPIRY_LABELS[self]

    @property
    def colour(self) -> str:
        return _EXPIRY_COLOURS[self]


_EXPIRY_LABELS = {
    ExpiryStanding.EXPIRED: "Expired",
    ExpiryStanding.SHORT: "Too short-dated",
    ExpiryStanding.NEAR: "Expires soon",
}
_EXPIRY_COLOURS = {
    ExpiryStanding.EXPIRED: "#c62828",  # red, as an expired kit's status
    ExpiryStanding.SHORT: "#c62828",  # red: no dispense takes it
    ExpiryStanding.NEAR: "#b26a00",  # amber
}


class MovementKind(StrEnum):
    """What one ledger row did to the stock; the sign convention lives in accountability.py."""

    RECEIVE = "receive"
    DISPENSE = "dispense"
    RETURN = "return"
    DESTROY = "destroy"
    ADJUST = "adjust"

    @property
    def label(self) -> str:
        return {
            "receive": "Received",
            "dispense": "Dispensed",
            "return": "Returned by participant",
            "destroy": "Destroyed / returned to sponsor",
            "adjust": "Count adjustment",
        }[self.value]


class DiscrepancyKind(StrEnum):
    """What a reconciliation finding is about; every kind is produced by the reconciliation."""

    AUDIT_CHAIN = "audit_chain"
    UNBALANCED = "unbalanced"
    STATUS_MISMATCH = "status_mismatch"
    COUNT_DIFFERENCE = "count_difference"
    COUNT_OPEN = "count_open"
    ADHERENCE = "adherence"
    RETURN_OVERDUE = "return_overdue"
    EXPIRED_IN_STOCK = "expired_in_stock"
    QUARANTINE_OPEN = "quarantine_open"

    @property
    def label(self) -> str:
        return _DISCREPANCY_LABELS[self]

    @property
    def to_review(self) -> bool:
        """Whether a finding of this kind waits for someone to act on it. A count difference
        does not: it was adjusted with a signed reason (or counted again), and it stays listed
        as the record of that. A count difference not adjusted (COUNT_OPEN: the kit's last
        count, recorded as counted) does: count the kit again or adjust it. The Today screen,
        the reconciliation, the command and the monitor pack's open items count the same
        findings to review by this."""
        return self is not DiscrepancyKind.COUNT_DIFFERENCE


_DISCREPANCY_LABELS = {
    DiscrepancyKind.AUDIT_CHAIN: "Audit trail damaged",
    DiscrepancyKind.UNBALANCED: "Does not balance",
    DiscrepancyKind.STATUS_MISMATCH: "Status differs from ledger",
    DiscrepancyKind.COUNT_DIFFERENCE: "Count difference",
    DiscrepancyKind.COUNT_OPEN: "Count difference not adjusted",
    DiscrepancyKind.ADHERENCE: "Adherence flag",
    DiscrepancyKind.RETURN_OVERDUE: "Return overdue",
    DiscrepancyKind.EXPIRED_IN_STOCK: "Expired in stock",
    DiscrepancyKind.QUARANTINE_OPEN: "In quarantine",
}


class Role(StrEnum):
    PHARMACIST = "pharmacist"
    TECHNICIAN = "technician"
    MONITOR = "monitor"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def word(self) -> str:
        """The role inside a sentence ("tom (technician) may not..."): its code in English, the
        translation of its label otherwise (药师, as the user list and the reports name it)."""
        return self.value if current_language() is ENGLISH else _(self.label)


class ReasonCode(StrEnum):
    """Why a physical count differs from the book."""

    BREAKAGE = "breakage"
    MISCOUNT = "miscount"
    LOST = "lost"
    FOUND = "found"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def direction(self) -> int:
        """The way the code moves the count from the book: breakage and lost take tablets
        away (-1), found adds them (+1); a miscount or another reason may go either way (0)."""
        return {ReasonCode.BREAKAGE: -1, ReasonCode.LOST: -1, ReasonCode.FOUND: 1}.get(self, 0)

    def explains(self, difference: int) -> bool:
        """Whether the code can explain a count `difference` tablets from the book."""
        return self.direction == 0 or self.direction * difference > 0


class ParticipantStatus(StrEnum):
    ON_TREATMENT = "on_treatment"
    DISCONTINUED = "discontinued"
    COMPLETED = "completed"
    VOIDED = "voided"
    """Enrolled in error and voided (services.participants.void_enrolment): never treated, out
    of every list and count; only its history and the audit trail show it."""

    @property
    def label(self) -> str:
        return _PARTICIPANT_LABELS[self.value]

    @property
    def word(self) -> str:
        """The status inside a sentence ("Participant 01-001 is discontinued"), in English."""
        return _PARTICIPANT_WORDS[self.value]


_PARTICIPANT_LABELS = {
    "on_treatment": N_("On treatment"),
    "discontinued": N_("Discontinued"),
    "completed": N_("Completed"),
    "voided": N_("Enrolled in error (voided)"),
}
_PARTICIPANT_WORDS = {
    "on_treatment": N_("on treatment"),
    "discontinued": N_("discontinued"),
    "completed": N_("completed"),
    "voided": N_("voided as enrolled in error"),
}


class Flag(StrEnum):
    """Adherence findings the pharmacist must look at and explain."""

    UNDER_USE = "under_use"
    OVER_USE = "over_use"
    NOT_BROUGHT_BACK = "not_brought_back"  # a kit not returned: its tablets are unaccounted for

    @property
    def label(self) -> str:
        return {
            "under_use": N_("Under-use (missed doses)"),
            "over_use": N_("Over-use (safety signal)"),
            "not_brought_back": N_("Not brought back (unaccounted for)"),
        }[self.value]

    @property
    def counted_label(self) -> str:
        """The label with {units} for the word the flagged product is counted in
        (Study.flag_said): a capsule kit not brought back leaves capsules unaccounted for,
        not "tablets". `label` stays for what names no product (the audit trail's values)."""
        if self is Flag.NOT_BROUGHT_BACK:
            return N_("Not brought back ({units} unaccounted for)")
        return self.label


class SignatureMeaning(StrEnum):
    """The meaning shown to the signer, as Part 11 requires."""

    DISPENSED = "dispensed"
    CHECKED = "checked"
    RETURN_COUNTED = "return counted"
    DESTROYED = "destroyed"
    RETURNED_TO_SPONSOR = "returned to sponsor"
    """The signature of stock returned to the sponsor (not destroyed here). Returns to the
    sponsor signed before it existed carry "destroyed", and show as they were signed."""
    WITNESSED = "witnessed"
    ADJUSTED = "adjusted"
    COUNT_VERIFIED = "count verified"
    """The second person's countersignature of a count (a count that differs from the book).
    Counts recorded before "counted" existed carry it as the counter's own signature too."""
    COUNTED = "counted"
    """The counter's own signature of a count that matches the book: counted, not verified."""
    CORRECTED = "corrected"
    RECONCILIATION_SIGNED_OFF = "reconciliation signed off"
    RELEASED = "released"
    RECEIVED = "received"
    STATUS_CHANGED = "status changed"
    """A participant taken off treatment (discontinued, completed) or back on: from then on
    no cycle is dispensed, or cycles are again."""

    @property
    def shown(self) -> str:
        """The meaning as the signer reads it, in the reader's language; the value, stored with
        the signature and in the audit trail, stays English."""
        return _(_SIGNATURE_MEANINGS[self])


_SIGNATURE_MEANINGS = {
    SignatureMeaning.DISPENSED: N_("dispensed"),
    SignatureMeaning.CHECKED: N_("checked"),
    SignatureMeaning.RETURN_COUNTED: N_("return counted"),
    SignatureMeaning.DESTROYED: N_("destroyed"),
    SignatureMeaning.RETURNED_TO_SPONSOR: N_("returned to sponsor"),
    SignatureMeaning.WITNESSED: N_("witnessed"),
    SignatureMeaning.ADJUSTED: N_("adjusted"),
    SignatureMeaning.COUNT_VERIFIED: N_("count verified"),
    SignatureMeaning.COUNTED: N_("counted"),
    SignatureMeaning.CORRECTED: N_("corrected"),
    SignatureMeaning.RECONCILIATION_SIGNED_OFF: N_("reconciliation signed off"),
    SignatureMeaning.STATUS_CHANGED: N_("status changed"),
    SignatureMeaning.RELEASED: N_("released"),
    SignatureMeaning.RECEIVED: N_("received"),
}


class DestructionReason(StrEnum):
    """Why stock still in date leaves unused, as the sponsor's destruction authorisation
    records it: required when an in-date kit from the shelf is destroyed or sent back (an
    expired kit, or tablets a participant returned, need no reason code)."""

    DAMAGED = "damaged"
    TEMPERATURE_EXCURSION = "temperature_excursion"
    RECALL = "recall"
    STUDY_CLOSED = "study_closed"
    SPONSOR_INSTRUCTION = "sponsor_instruction"

    @property
    def label(self) -> str:
        return _DESTRUCTION_REASON_LABELS[self]


_DESTRUCTION_REASON_LABELS = {
    DestructionReason.DAMAGED: "Damaged or contaminated",
    DestructionReason.TEMPERATURE_EXCURSION: "Temperature excursion (sponsor rejected)",
    DestructionReason.RECALL: "Recall of the lot",
    DestructionReason.STUDY_CLOSED: "Study closed or treatment ended",
    DestructionReason.SPONSOR_INSTRUCTION: "Other written instruction of the sponsor",
}


class LabelKind(StrEnum):
    """What a label print is recorded as: kits (kit labels), a dispense (its label, its
    leaflet). The value is the audit trail's entity ("kit label"...), so it never changes.
    Here, not in services.labels (which records the prints): the label catalogue, and with it
    `dispensary label --help`, names the kinds without loading the services."""

    KIT = "kit"
    DISPENSE = "dispense"
    LEAFLET = "leaflet"

    @property
    def entity(self) -> str:
        return f"{self.value} label"

    @property
    def noun(self) -> str:
        """What a pharmacist calls one print of this kind."""
        return _NOUNS[self]


_NOUNS = {
    LabelKind.KIT: "kit label",
    LabelKind.DISPENSE: "dispensing label",
    LabelKind.LEAFLET: "participant leaflet",
}


DISPENSE_OVERRIDES: tuple[str, ...] = (
    "approval_expired",  # until the study file's approval rule is confirmed
    "day1_interval",
    "previous_return_missing",
    "platelets_hold",
    "not_first_expiry",
    "irt",  # until the study file's kit assignment rule is confirmed
)
"""The codes of the dispense's warnings overridden with a reason (services.assessment's
DispenseCheck values): a dispense names each one its reason covers (`dispense --override`)."""
