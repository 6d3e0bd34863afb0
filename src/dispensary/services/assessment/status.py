"""The correction of a status change recorded wrongly (its effective date, or its status, or
the change itself recorded in error): what it would change, and the refusals it meets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.services.assessment.base import Refusal


class StatusCorrectionCheck(StrEnum):
    """Every refusal a correction of a status change can meet: a code a script or a screen can
    act on."""

    REASON = "reason"  # no reason given for the correction (or one that cannot be recorded)
    NO_STATUS_CHANGE = "no_status_change"  # the participant's status was never changed
    NOTHING_TO_CHANGE = "nothing_to_change"  # the status and the date given are those in force
    FUTURE_DATE = "future_date"  # the corrected effective date is after today
    BEFORE_ENROLMENT = "before_enrolment"  # the corrected date is before the enrolment
    BEFORE_PREVIOUS = "before_previous"  # ... before the status change it followed took effect
    DISPENSED = "dispensed"  # a dispense recorded contradicts the corrected status and date


@dataclass(frozen=True)
class StatusCorrection:
    """What the correction would record: the status change it corrects (its audit entry), the
    status and effective date in force (`old_*`) and as corrected (`new_*`), whether it
    withdraws the change as recorded in error (the status before it, from the date before it),
    and what refuses it (none: it may be signed)."""

    participant: str
    status_change: int | None
    old_status: str
    old_effective_on: date | None
    new_status: str
    new_effective_on: date | None
    withdrawn: bool
    refusals: tuple[Refusal[StatusCorrectionCheck], ...]
