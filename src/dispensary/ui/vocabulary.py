"""The program's own words that reach the windows from below the ui layer: the names of kit
statuses, roles, participant statuses, flags, reason codes and the rest (each enum's `label`).
They are listed here for lupdate, in the context "Vocabulary", and `term()` shows one in the
user's language.

tests/ui/test_vocabulary.py checks that every label of every such enum is listed, so a new
status never reaches a Chinese window in English unnoticed.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from dispensary.domain.codes import Flag
from dispensary.services.results import ProductFigures, flagged_products
from dispensary.study import Study

TERMS = (
    # KitStatus
    QT_TRANSLATE_NOOP("Vocabulary", "Available"),
    QT_TRANSLATE_NOOP("Vocabulary", "Quarantined"),
    QT_TRANSLATE_NOOP("Vocabulary", "Dispensed"),
    QT_TRANSLATE_NOOP("Vocabulary", "Returned"),
    QT_TRANSLATE_NOOP("Vocabulary", "Destroyed"),
    QT_TRANSLATE_NOOP("Vocabulary", "Expired"),
    # ExpiryStanding ("Expired" as KitStatus's)
    QT_TRANSLATE_NOOP("Vocabulary", "Too short-dated"),
    QT_TRANSLATE_NOOP("Vocabulary", "Expires soon"),
    # MovementKind
    QT_TRANSLATE_NOOP("Vocabulary", "Received"),
    QT_TRANSLATE_NOOP("Vocabulary", "Dispensed"),
    QT_TRANSLATE_NOOP("Vocabulary", "Returned by participant"),
    QT_TRANSLATE_NOOP("Vocabulary", "Destroyed / returned to sponsor"),
    QT_TRANSLATE_NOOP("Vocabulary", "Count adjustment"),
    # DiscrepancyKind
    QT_TRANSLATE_NOOP("Vocabulary", "Audit trail damaged"),
    QT_TRANSLATE_NOOP("Vocabulary", "Does not balance"),
    QT_TRANSLATE_NOOP("Vocabulary", "Status differs from ledger"),
    QT_TRANSLATE_NOOP("Vocabulary", "Count difference"),
    QT_TRANSLATE_NOOP("Vocabulary", "Count difference not adjusted"),
    QT_TRANSLATE_NOOP("Vocabulary", "Adherence flag"),
    QT_TRANSLATE_NOOP("Vocabulary", "Return overdue"),
    QT_TRANSLATE_NOOP("Vocabulary", "Expired in stock"),
    QT_TRANSLATE_NOOP("Vocabulary", "In quarantine"),
    # Role
    QT_TRANSLATE_NOOP("Vocabulary", "Pharmacist"),
    QT_TRANSLATE_NOOP("Vocabulary", "Technician"),
    QT_TRANSLATE_NOOP("Vocabulary", "Monitor"),
    QT_TRANSLATE_NOOP("Vocabulary", "Administrator"),
    # ReasonCode
    QT_TRANSLATE_NOOP("Vocabulary", "Breakage"),
    QT_TRANSLATE_NOOP("Vocabulary", "Miscount"),
    QT_TRANSLATE_NOOP("Vocabulary", "Lost"),
    QT_TRANSLATE_NOOP("Vocabulary", "Found"),
    QT_TRANSLATE_NOOP("Vocabulary", "Other"),
    # ParticipantStatus
    QT_TRANSLATE_NOOP("Vocabulary", "On treatment"),
    QT_TRANSLATE_NOOP("Vocabulary", "Discontinued"),
    QT_TRANSLATE_NOOP("Vocabulary", "Completed"),
    QT_TRANSLATE_NOOP("Vocabulary", "Enrolled in error (voided)"),
    # Flag
    QT_TRANSLATE_NOOP("Vocabulary", "Under-use (missed doses)"),
    QT_TRANSLATE_NOOP("Vocabulary", "Over-use (safety signal)"),
    QT_TRANSLATE_NOOP("Vocabulary", "Not brought back (unaccounted for)"),
    QT_TRANSLATE_NOOP("Vocabulary", "Not brought back ({units} unaccounted for)"),
    # DestructionReason
    QT_TRANSLATE_NOOP("Vocabulary", "Damaged or contaminated"),
    QT_TRANSLATE_NOOP("Vocabulary", "Temperature excursion (sponsor rejected)"),
    QT_TRANSLATE_NOOP("Vocabulary", "Recall of the lot"),
    QT_TRANSLATE_NOOP("Vocabulary", "Study closed or treatment ended"),
    QT_TRANSLATE_NOOP("Vocabulary", "Other written instruction of the sponsor"),
    # KitEvent
    QT_TRANSLATE_NOOP("Vocabulary", "Received"),
    QT_TRANSLATE_NOOP("Vocabulary", "Received into quarantine"),
    QT_TRANSLATE_NOOP("Vocabulary", "Dispensed"),
    QT_TRANSLATE_NOOP("Vocabulary", "Dispense voided"),
    QT_TRANSLATE_NOOP("Vocabulary", "Returned by participant"),
    QT_TRANSLATE_NOOP("Vocabulary", "Not brought back by participant"),
    QT_TRANSLATE_NOOP("Vocabulary", "Quarantined"),
    QT_TRANSLATE_NOOP("Vocabulary", "Released from quarantine"),
    QT_TRANSLATE_NOOP("Vocabulary", "Destroyed / returned to sponsor"),
    # CountNeeds
    QT_TRANSLATE_NOOP("Vocabulary", "a reason code"),
    QT_TRANSLATE_NOOP("Vocabulary", "the reason, in a few words"),
    QT_TRANSLATE_NOOP("Vocabulary", "a second person who may verify counts, and their password"),
    # OverrideNeeds
    QT_TRANSLATE_NOOP("Vocabulary", "a reason to dispense anyway"),
    QT_TRANSLATE_NOOP("Vocabulary", "who ordered it (the investigator)"),
)


def term(text: str) -> str:
    """A label of the program's vocabulary (e.g. KitStatus.label) in the user's language."""
    return QCoreApplication.translate("Vocabulary", text)


def flag_term(study: Study, flag: Flag, products: Sequence[ProductFigures]) -> str:
    """A flag of a dispense (or of one product of it) in the user's language, in the unit word
    of the products it is of (services.results.flagged_products): a capsule kit not brought back
    leaves capsules unaccounted for, not "tablets"."""
    codes = flagged_products(products, flag)
    return term(flag.counted_label).format(units=study.unit_words(codes))
