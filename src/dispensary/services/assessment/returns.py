"""The return's assessment: the dispense a scanned code names, each of its kits to count or
already back, the refusals for the count typed, and the adherence it would give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.domain.codes import Flag, KitStatus
from dispensary.services.assessment.base import Refusal
from dispensary.services.results import DispenseResult, ProductFigures

TO_COUNT = "to count"
NOT_BROUGHT_BACK_STATE = "not brought back"


class ReturnCheck(StrEnum):
    """Every refusal a return can meet: a code a script or a screen can act on."""

    VOIDED = "voided"  # the dispense was voided: its kits never left
    HELD_DAYS = "held_days"  # more days held than the days of supply
    RETURN_DATE = "return_date"  # the return date is before the dispense
    KIT = "kit"  # the kit is not one of the dispense
    KIT_ELSEWHERE = "kit_elsewhere"  # the kit went out in another dispense (whose it names)
    ALREADY_RECORDED = "already_recorded"  # the kit's return is recorded: correct it instead
    ALL_BACK = "all_back"  # no kit named, and every kit of the dispense is back
    TOO_MANY = "too_many"  # more tablets than were dispensed in the kit
    HELD_PERIOD = "held_period"  # the held period's dates or who ordered it do not fit
    NOT_BROUGHT_BACK = "not_brought_back"  # tablets counted for a kit not brought back
    STUDY_FILE_CHANGED = "study_file_changed"  # assessed with a study file updated since


NOT_BROUGHT_BACK = "not_brought_back"
"""The return outcome of a kit the participant did not bring back: its tablets are unaccounted
for (flagged), never counted as taken."""
RETURN_OUTCOMES = ("", NOT_BROUGHT_BACK)  # "": counted back


@dataclass(frozen=True)
class ReturnRequest:
    """A return as the counter or the command line has it so far.

    The dispense is named by `dispense` (its number), or `study_number` and `cycle`, or
    `scanned`: a dispensing label, a kit of the dispense, or a participant's number (their
    first dispense with a kit still to count). `kit` None: the kit scanned, else the first kit
    still to count. `tablets` None: not counted yet (nothing to refuse or preview about it)."""

    scanned: str = ""
    dispense: str | None = None
    study_number: str | None = None
    cycle: int | None = None
    kit: str | None = None
    tablets: int | None = None
    returned_on: date | None = None
    held_days: int = 0  # without a held period: the bare number of days (older records)
    condition: str = ""
    note: str = ""
    outcome: str = ""  # "" counted back; "not_brought_back"
    held_from: date | None = None  # the period the investigator held the drug (both dates)
    held_until: date | None = None
    held_ordered_by: str = ""  # the investigator who ordered the hold


@dataclass(frozen=True)
class ReturnKitLine:
    """One kit of the dispense: still to count, or back (with the tablets counted)."""

    kit: str
    product: str
    lot: str
    dispensed: int  # tablets of this kit in the dispense
    status: KitStatus  # the kit's status today
    returned: int | None  # tablets counted back (the return in force); None: still to count
    not_brought_back: bool = False  # the return in force records the kit as not brought back

    @property
    def to_count(self) -> bool:
        return self.returned is None

    @property
    def state(self) -> str:
        """'to count', 'not brought back' (the kit is still out: not returned), or the kit's
        status once back (returned, destroyed)."""
        if self.to_count:
            return TO_COUNT
        return NOT_BROUGHT_BACK_STATE if self.not_brought_back else self.status.label


@dataclass(frozen=True)
class AdherencePreview:
    """What the return would record: the kit's tally, and the dispense's adherence once every
    kit is back (worked out as the reconciliation and the history will show it)."""

    kit: str
    kit_dispensed: int
    kit_returned: int  # the tablets counted, as typed
    kit_taken: int  # dispensed less counted back and unaccounted for
    dispensed: int  # tablets of the whole dispense
    returned: int  # tablets back from the whole dispense, this count included
    kits_left: int  # kits still to count after this one
    taken: int
    expected: int  # 0 until every kit is back
    adherence: float | None
    flags: tuple[Flag, ...]
    explained: bool  # a note is given: it becomes the reason for the flags
    kit_unaccounted: int = 0
    """The kit's units when it is not brought back: unaccounted for, neither back nor taken
    (a tally saying them "taken" contradicted the flag below it)."""
    products: tuple[ProductFigures, ...] = ()
    """Each product of the dispense with its own figures, as the history will show them (one
    for a dispense of one product): once every kit is back with its taken, expected, adherence
    and flags; before, only what is dispensed and back so far (returned None while no kit of
    it is back), as the return's result says it."""
    return_day_note: str = ""
    """What the expected count makes of the return day, in the reader's words
    (queries.return_day_note), once every kit is back; "" when the study allows none that day."""

    @property
    def complete(self) -> bool:
        """Every kit is back with this count: the adherence is worked out."""
        return self.kits_left == 0

    @property
    def needs_explanation(self) -> bool:
        """A flag the pharmacist must explain (now as the note, or after signing)."""
        return bool(self.flags) and not self.explained


@dataclass(frozen=True)
class ReturnAssessment:
    """Everything the return screen shows before a count is signed."""

    dispense: DispenseResult
    kits: tuple[ReturnKitLine, ...]
    kit: str  # the kit assessed ("" when none is named and none is left to count)
    tablets: int | None
    returned_on: date
    held_days: int
    refusals: tuple[Refusal[ReturnCheck], ...]
    preview: AdherencePreview | None  # once the tablets are given and nothing is refused

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def accepted(self) -> bool:
        """The return would be recorded as it stands (a signature aside)."""
        return not self.refusals and self.tablets is not None and bool(self.kit)

    @property
    def kits_to_count(self) -> tuple[ReturnKitLine, ...]:
        return tuple(line for line in self.kits if line.to_count)

    def line(self, kit: str) -> ReturnKitLine | None:
        return next((line for line in self.kits if line.kit == kit), None)
