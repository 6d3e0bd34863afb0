"""The dispense's assessment: refusals, warnings to override, and the kits that would go out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from dispensary.domain.codes import DISPENSE_OVERRIDES
from dispensary.domain.errors import RuleViolation
from dispensary.i18n import N_, _, listed, sentences
from dispensary.services.assessment.base import Refusal
from dispensary.services.results import KitRow


class DispenseCheck(StrEnum):
    """Every refusal and warning a dispense can meet: a code a script or a screen can act on."""

    NOT_ON_TREATMENT = "not_on_treatment"
    CYCLE = "cycle"
    BEFORE_ENROLMENT = "before_enrolment"  # the dispense date is before the enrolment
    TOO_EARLY = "too_early"
    DAY1_FAR = "day1_far"
    DAY1_INTERVAL = "day1_interval"
    PREVIOUS_RETURN_MISSING = "previous_return_missing"
    DOSE_CHANGE = "dose_change"
    PLATELETS_HOLD = "platelets_hold"
    NOT_FIRST_EXPIRY = "not_first_expiry"
    STOCK_SHORT = "stock_short"
    KIT = "kit"
    KITS_SHORT = "kits_short"
    STARTING_DOSE = "starting_dose"  # cycle 1 at another level than the starting dose
    RULE_TO_CONFIRM = "rule_to_confirm"  # an unconfirmed study-file rule would apply (notice)
    SAFETY_SIGNAL = "safety_signal"  # the previous cycle's over-use is not explained (notice)
    OBSERVATION_MISSING = "observation_missing"  # the study asks a value not given yet
    WEIGHT_BAND = "weight_band"  # the dose level is not the weight band's
    APPROVAL_EXPIRED = "approval_expired"  # the ethics approval has expired
    APPROVAL_EXPIRING = "approval_expiring"  # it expires soon (notice)
    IRT = "irt"  # the IRT confirmation or its assigned kit is missing, or another kit scanned
    OVERRIDE_UNMATCHED = "override_unmatched"  # a warning acknowledged that is not assessed
    STUDY_FILE_CHANGED = "study_file_changed"  # assessed with a study file updated since


CYCLE_REFUSALS = frozenset(
    {
        DispenseCheck.NOT_ON_TREATMENT,
        DispenseCheck.CYCLE,
        DispenseCheck.BEFORE_ENROLMENT,
        DispenseCheck.TOO_EARLY,
        DispenseCheck.DAY1_FAR,
        DispenseCheck.DAY1_INTERVAL,
        DispenseCheck.PREVIOUS_RETURN_MISSING,
        DispenseCheck.APPROVAL_EXPIRED,
        DispenseCheck.STOCK_SHORT,
    }
)
"""The refusals no kit lifts (the participant, the cycle, its day 1, the approval, the stock):
while one applies there is no kit to pick or scan. A kit refused, kits short, an observation or
the IRT's entries still to give are settled at the counter, the kits still to pick named."""

TIMING_REFUSALS = frozenset(
    {DispenseCheck.CYCLE, DispenseCheck.TOO_EARLY, DispenseCheck.DAY1_INTERVAL}
)
"""The refusals of a cycle's timing: the previous dispense is said with them, so that a cycle
dispensed already (today, at another workstation) is seen at once."""

REASON_OVERRIDES: tuple[DispenseCheck, ...] = tuple(DispenseCheck(c) for c in DISPENSE_OVERRIDES)
"""The warnings a dispense overrides with a reason: each is acknowledged by its code (a reason
covers only the warnings it names), the codes a command line's `--override` takes."""


class OverrideNeeds(StrEnum):
    """What the pharmacist gives to dispense despite a warning."""

    REASON = "reason"  # the override reason (e.g. the investigator's instruction)
    ORDERED_BY = "ordered_by"  # the name of the investigator who ordered it

    @property
    def label(self) -> str:
        """In English, as every code's label (the windows translate it as a term)."""
        return {
            OverrideNeeds.REASON: N_("a reason to dispense anyway"),
            OverrideNeeds.ORDERED_BY: N_("who ordered it (the investigator)"),
        }[self]


class OverrideMissing(RuleViolation):
    """A dispense refused only for want of an override: given what `needs` names (a reason, who
    ordered it) and, for a reason, the codes of the warnings it acknowledges (`codes`: every
    warning assessed now that needs the reason), it would go ahead. A front end may say how to
    give it (the command, its option)."""

    def __init__(
        self, message: str, needs: tuple[OverrideNeeds, ...], codes: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.needs = needs
        self.codes = codes


class OverrideUnmatched(RuleViolation):
    """A dispense refused because it names a warning to override that is not assessed now (a
    reason written for a warning gone since): a screen shows the warnings as they are."""


class StudyFileChanged(RuleViolation):
    """A dispense refused because the study file it was assessed with is no longer the one in
    force for the study (updated, at this or another workstation, after the screen read it):
    a screen reads the study again and shows the dispense as the new file assesses it."""


@dataclass(frozen=True)
class Caution:
    """A warning the pharmacist may override by giving what `needs` names; a warning that needs
    the reason is overridden only when the request acknowledges its code too."""

    code: DispenseCheck
    message: str
    needs: OverrideNeeds
    given: bool  # the request already carries what the override needs
    english: str = field(default="", compare=False, repr=False)  # the message as recorded

    @property
    def recorded(self) -> str:
        """The message as the dispense's audit entry keeps it: in English, whatever language
        the pharmacist reads."""
        return self.english or self.message


@dataclass(frozen=True)
class Notice:
    """A warning that needs no override: the dispense goes on, the pharmacist is told (a rule
    to confirm, an unexplained safety signal of the previous cycle)."""

    code: DispenseCheck
    message: str
    english: str = field(default="", compare=False, repr=False)  # the message as recorded

    @property
    def recorded(self) -> str:
        """The message as the dispense's audit entry keeps it: in English."""
        return self.english or self.message


@dataclass(frozen=True)
class KitVerdict:
    """One scanned code: taken (with its row) or refused (with the reason)."""

    code: str  # the code as scanned, upper-cased
    accepted: bool
    message: str
    row: KitRow | None = None
    participant: str = ""  # the code is this participant's study number, not a kit
    replaces: str = ""
    """The kit scanned before it that this one replaces: this kit is the first expiry that kit
    was warned against (NOT_FIRST_EXPIRY), and the cycle needs only one of them. The replaced
    kit's verdict is refused, saying to put it back; a screen drops it from its list."""


@dataclass(frozen=True)
class DispenseRequest:
    """A dispense as the counter or the command line has it so far; None: what is due (the
    cycle due, today as day 1, the participant's current dose level)."""

    study_number: str
    cycle: int | None = None
    day1: date | None = None
    dose_level: int | None = None
    kits: tuple[str, ...] = ()
    dispensed_on: date | None = None
    override_reason: str = ""
    overrides: tuple[str, ...] | None = None
    """The codes of the warnings the override reason acknowledges (REASON_OVERRIDES). None: a
    screen's assessment before anything is signed, every warning shown counts as acknowledged
    once a reason is typed; a dispense always names them (`dispense_cycle`)."""
    platelet_count: float | None = None
    dose_ordered_by: str = ""
    observations: Mapping[str, float] = field(default_factory=dict)
    """The study file's observations by key (a weight); the platelet count may come here too."""
    irt_confirmation: str = ""  # the IRT's confirmation number (kit_assignment = "irt")
    irt_kit: str = ""  # the kit the IRT assigned
    study_sha256: str = ""
    """The SHA-256 of the study file the screen's assessment was made with (its
    `DispenseAssessment.study_sha256`); "": the file of the context's study. A file no longer
    in force for the study is refused (STUDY_FILE_CHANGED), before anything is written."""


@dataclass(frozen=True)
class ProductNeed:
    """One product of the dose: the tablets the cycle needs and those in the kits going out."""

    product: str
    tablets_needed: int
    tablets_in_kits: int


@dataclass(frozen=True)
class DispenseAssessment:
    """Everything the counter shows before a dispense is signed."""

    participant: str
    cycle: int  # the cycle assessed
    cycle_due: int
    previous_day1: date | None
    earliest_day1: date
    latest_day1: date
    day1: date
    dispensed_on: date
    dose_level: int
    dose_name: str
    previous_dose_level: int | None
    refusals: tuple[Refusal[DispenseCheck], ...]
    warnings: tuple[Caution, ...]
    proposed: tuple[KitRow, ...]  # first expiry first out, whatever was scanned
    kits: tuple[KitVerdict, ...]  # each scanned code, in scan order
    assigned: tuple[KitRow, ...]  # the kit the IRT assigned (irt), as typed: scanned or not
    tablets_needed: int
    tablets_in_kits: int  # in the kits that would go out (scanned, else proposed)
    notices: tuple[Notice, ...] = ()  # warnings that need no override
    start_date: date | None = None  # the label's start: the later of day 1 and the dispense
    products: tuple[ProductNeed, ...] = ()  # per product of the dose, in the dose's order
    weight_band_level: int | None = None  # the dose level of the weight recorded (by weight)
    approval_expires: date | None = None  # the ethics approval's expiry, when the study gives it
    irt: bool = False  # kits are assigned by the sponsor's IRT
    overrides: tuple[str, ...] | None = None  # the codes the request acknowledged (None: unnamed)
    reason_given: bool = False  # the request carries an override reason
    study_sha256: str = ""
    """The SHA-256 of the study file this assessment applied: what the dispense signed on it
    names (`DispenseRequest.study_sha256`), so that a file updated since is refused."""
    day1_unwarned: date | None = None
    """The first day 1 of the window the unconfirmed minimum interval does not warn about
    (None: no such warning in the window): earlier ones need the investigator's reason."""
    due_day1: date | None = None
    """The cycle due's due date: a cycle's length after the previous day 1 (None: a first
    cycle), as `check dispense` and the participant's record say it (rules.next_day1)."""
    earliest_due_day1: date | None = None
    """The cycle due's earliest day 1 by the study file's minimum interval (rules.next_day1),
    confirmed or not; `earliest_day1` is the first day 1 accepted on the dispense day."""
    previous_number: str = ""  # the last dispense not voided ("" for a first cycle)
    previous_dispensed_on: date | None = None
    previous_said: str = ""
    """The last dispense in a sentence in the reader's language, its cycle, date and number
    ("Cycle 9 was dispensed today, 2026-12-06 (DSP000135)."); "" for a first cycle."""

    @property
    def timing_refused(self) -> bool:
        """The cycle's timing is refused (TIMING_REFUSALS): the previous dispense is what the
        pharmacist needs to see first (`previous_said`)."""
        return any(r.code in TIMING_REFUSALS for r in self.refusals)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def overrides_missing(self) -> tuple[Caution, ...]:
        return tuple(w for w in self.warnings if not w.given)

    @property
    def accepted(self) -> bool:
        """The dispense would be accepted as it stands (a signature aside)."""
        return not self.refusals and not self.overrides_missing

    @property
    def cycle_refused(self) -> bool:
        """A refusal no kit lifts applies (CYCLE_REFUSALS): nothing to pick or scan."""
        return any(r.code in CYCLE_REFUSALS for r in self.refusals)

    @property
    def scanned(self) -> tuple[KitRow, ...]:
        return tuple(v.row for v in self.kits if v.accepted and v.row is not None)

    @property
    def to_pick(self) -> tuple[KitRow, ...]:
        """The kits the pharmacist is told to pick: those the IRT assigned where it assigns
        them, else those proposed (first expiry first out)."""
        return self.assigned if self.irt else self.proposed

    @property
    def kits_to_dispense(self) -> tuple[KitRow, ...]:
        return self.scanned if self.kits else self.to_pick

    @property
    def to_scan(self) -> tuple[KitRow, ...]:
        """The kits to pick still to scan before the dispense is signed: each kit handed over
        is confirmed by its scan, never signed for unseen. Where the IRT assigns the kit, the
        kit typed from its confirmation is confirmed by the scan of the bottle in hand (a
        scan of another kit is refused while the rule holds). A kit scanned that was not to
        pick (accepted: another lot, a kit at hand, an IRT kit overridden) stands in for the
        first kit to pick of its product not scanned; none is left once the kits scanned
        cover the cycle."""
        scanned = self.scanned
        if self.cycle_refused:
            return ()
        if scanned and not any(r.code is DispenseCheck.KITS_SHORT for r in self.refusals):
            return ()
        numbers = {k.number for k in scanned}
        left = [k for k in self.to_pick if k.number not in numbers]
        proposed = {k.number for k in self.to_pick}
        for kit in scanned:
            if kit.number in proposed:
                continue
            same = next((k for k in left if k.product == kit.product), None)
            if same is not None:
                left.remove(same)
        return tuple(left)

    def needs(self, what: OverrideNeeds) -> tuple[Caution, ...]:
        return tuple(w for w in self.warnings if w.needs is what)

    @property
    def override_codes(self) -> tuple[str, ...]:
        """The codes of the warnings that need the reason, each once, in the order met: what
        a dispense overriding them acknowledges."""
        return tuple(dict.fromkeys(str(w.code) for w in self.needs(OverrideNeeds.REASON)))

    def override_text(self) -> str:
        """What dispense_cycle says when an override is missing (the first kind missing)."""
        missing = self.overrides_missing
        if not missing:
            return ""
        ordered = [w for w in missing if w.needs is OverrideNeeds.ORDERED_BY]
        if ordered:
            return ordered[0].message
        warnings = sentences(w.message for w in missing)
        codes = listed(dict.fromkeys(str(w.code) for w in missing))
        if self.overrides is None:  # a screen: the reason typed acknowledges what it shows
            return _(
                "{warnings} To dispense anyway, give the reason for overriding (e.g. the "
                "investigator's instruction)."
            ).format(warnings=warnings)
        if not self.reason_given:
            return _(
                "{warnings} To dispense anyway, give the reason for overriding (e.g. the "
                "investigator's instruction) and name each warning it overrides by its code: "
                "{codes}."
            ).format(warnings=warnings, codes=codes)
        if not self.overrides:
            return _(
                "{warnings} A reason overrides only the warnings it names: to dispense anyway, "
                "name each warning it overrides by its code: {codes}."
            ).format(warnings=warnings, codes=codes)
        return _(
            "A warning this dispense does not acknowledge applies now: {warnings} Read it; to "
            "dispense anyway, name it too ({codes}), with a reason that covers it."
        ).format(warnings=warnings, codes=codes)
