"""The correction of an enrolment recorded wrongly (its date, the initials, the year of birth):
what it would change, and the refusals it meets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dispensary.services.assessment.base import Refusal


class EnrolmentCheck(StrEnum):
    """Every refusal a correction of an enrolment can meet: a code a script or a screen can act
    on."""

    REASON = "reason"  # no reason given for the correction (or one that cannot be recorded)
    NOTHING_TO_CHANGE = "nothing_to_change"  # no value given, or each is the one recorded
    ENROLMENT_DATE = "enrolment_date"  # the corrected enrolment date is in the future
    ELIGIBILITY = "eligibility"  # not eligible at the corrected date or year of birth
    AFTER_DAY1 = "after_day1"  # the corrected date is after a recorded dispense's day 1
    STUDY_FILE_CHANGED = "study_file_changed"  # assessed with a study file updated since


CORRECTED_FIELDS = ("enrolled_on", "initials", "birth_year")
"""What a correction of an enrolment may change, as the participant's row and the audit
entries name it."""


@dataclass(frozen=True)
class EnrolmentCorrection:
    """What the correction would record: the values it changes, as recorded now (`old`) and as
    corrected (`new`), keyed as CORRECTED_FIELDS; and what refuses it (none: it may be signed)."""

    participant: str
    old: Mapping[str, object]
    new: Mapping[str, object]
    refusals: tuple[Refusal[EnrolmentCheck], ...]
