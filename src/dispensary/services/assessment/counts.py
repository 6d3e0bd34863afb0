"""The physical count's assessment: whether the kit can be counted, the book once the count is
given (the count is blind), the difference, and what a difference needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.domain.audit_actions import person_named
from dispensary.domain.codes import KitStatus, ReasonCode
from dispensary.i18n import N_
from dispensary.services.assessment.base import Refusal


class CountCheck(StrEnum):
    """Every refusal a count can meet: a code a script or a screen can act on."""

    NOT_ON_SHELF = "not_on_shelf"  # dispensed, returned or destroyed: not counted here
    DATE = "date"  # the count is dated before the kit's receipt or its last movement
    TOO_MANY = "too_many"  # more tablets than the kit was received with
    REASON_CODE = "reason_code"  # the reason code given is not one of ReasonCode
    REASON_DIRECTION = "reason_direction"  # breakage or lost for more tablets, found for fewer
    VERIFIER_UNKNOWN = "verifier_unknown"  # no user of that name
    VERIFIER_SELF = "verifier_self"  # the second person is the counter
    VERIFIER_ROLE = "verifier_role"  # that user's role may not countersign a count
    VERIFIER_ACCESS = "verifier_access"  # that user has no access to the study
    BOOK_CHANGED = "book_changed"  # the book or open count is not the one shown: recorded since
    NO_OPEN_COUNT = "no_open_count"  # a book given, but no count is open to adjust (none settled)

    @property
    def needs_the_book(self) -> bool:
        """A refusal only the book can tell (a reason code that goes the other way from the
        difference): the count is recorded all the same, as counted, and the difference stays
        open (record_count). Every other refusal is told before the count, blind or not."""
        return self is CountCheck.REASON_DIRECTION


class CountNeeds(StrEnum):
    """What a count that differs from the book needs before it is signed."""

    REASON_CODE = "reason_code"
    REASON = "reason"
    SECOND_PERSON = "second_person"

    @property
    def label(self) -> str:
        """In English, as every code's label (the windows translate it as a term)."""
        return {
            CountNeeds.REASON_CODE: N_("a reason code"),
            CountNeeds.REASON: N_("the reason, in a few words"),
            CountNeeds.SECOND_PERSON: N_(
                "a second person who may verify counts, and their password"
            ),
        }[self]


@dataclass(frozen=True)
class CountNeed:
    """One thing the difference needs; `given` when the request already carries it."""

    needs: CountNeeds
    message: str  # what record_count says while it is missing
    given: bool


@dataclass(frozen=True)
class CountRequest:
    """A count as the counter or the command line has it so far; `counted` None: the kit is
    scanned but not counted yet, so the book stays hidden."""

    kit: str
    counted: int | None = None
    reason_code: ReasonCode | str | None = None
    reason: str = ""
    verified_by: str = ""
    counted_on: date | None = None
    expected_book: int | None = None
    """The book the counter was shown (by the record of the kit's open count, or the assessment
    shown with it), when the count is signed against it: the count is refused when the book is
    no longer that one (another workstation recorded the kit since), so the difference signed
    for is the difference written. None: no book was shown (a blind count)."""
    adjusting_count: int | None = None
    """The open count the request adjusts (its number: the count shown with the book): refused
    (book_changed) when the kit's open count is another one (counted again elsewhere since) or
    none (settled since). None: not said (the book given is then checked alone)."""


@dataclass(frozen=True)
class CountAssessment:
    """Everything the count screen shows; the book only once a count of the kit is recorded
    (`recount_of`): never before the first figure is a fact."""

    kit: str
    status: KitStatus  # the kit's status today
    counted: int | None
    book: int | None  # None until a count is recorded (and while the kit cannot be counted)
    difference: int | None
    refusals: tuple[Refusal[CountCheck], ...]
    needs: tuple[CountNeed, ...]  # what the difference needs; empty when there is none
    product: str = ""  # the kit's product code: a count says its word ("20 capsules")
    recount_of: int | None = None
    """The kit's last count, when it differed from the book and was not adjusted: its record
    showed the book, so this count is a recount (not blind) and the book is shown with it."""
    verifier_name: str = ""  # the full name of the second person named, once accepted
    verifier_role: str = ""  # and the role of their account (Role's code)

    @property
    def verifier_shown(self) -> str:
        """Who the user name typed as second person is ("Wang Fang (Pharmacist)"), for the
        counter to see before both sign; "" until a user who may verify the count is named."""
        if not self.verifier_name:
            return ""
        return person_named(self.verifier_name, self.verifier_role)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def needs_missing(self) -> tuple[CountNeed, ...]:
        return tuple(n for n in self.needs if not n.given)

    @property
    def accepted(self) -> bool:
        """The count would be recorded as it stands (the signatures aside)."""
        return self.counted is not None and not self.refusals and not self.needs_missing

    def needed(self, what: CountNeeds) -> bool:
        return any(n.needs is what for n in self.needs)
