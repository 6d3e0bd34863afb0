"""Frozen result rows that services return and screens, labels and reports consume."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from dispensary.domain.anchor import AnchorVerdict
from dispensary.domain.audit_actions import person_named
from dispensary.domain.codes import (
    HELD_FOR_COUNT,
    SHORT_DATED,
    DestructionReason,
    DiscrepancyKind,
    ExpiryStanding,
    Flag,
    KitStatus,
    ParticipantStatus,
    Role,
)
from dispensary.i18n import _

if TYPE_CHECKING:
    from dispensary.study import Study


@dataclass(frozen=True)
class UserRow:
    username: str
    full_name: str
    initials: str
    role: Role
    active: bool
    locked: bool
    language: str = ""  # the language of the user's windows ("": the workstation's)
    # The protocols the user may work in (an administrator: all); read by anyone but an
    # administrator, only those that are the reader's own too (users.list_users).
    studies: tuple[str, ...] = ()
    # The day the password was last set, by the user or for them (a reset, the account's
    # first, a recovery): for the periodic review of passwords (21 CFR 11.300(b)).
    password_last_set: date | None = None
    # That password is a temporary one someone else set (an administrator's reset, the
    # account's first, a recovery): the user must change it at their next sign-in.
    password_temporary: bool = False


@dataclass(frozen=True)
class PasswordReset:
    """An administrator's reset of another user's password (users.reset_password)."""

    account: UserRow  # as it is after the reset: active, unlocked
    unlocked: bool  # the reset also lifted a lock of failed sign-ins (one audit entry)
    failures_cleared: int = 0  # the failed sign-ins the reset cleared (locked or not)


@dataclass(frozen=True)
class StudyRow:
    """One study of the pharmacy's database, as the study list and switcher show it."""

    protocol: str
    title: str
    short_title: str  # in English, as the study file gives it
    status: str  # "open" or "closed"
    version: int
    participants: int
    kits: int
    loaded_at: datetime
    closed_at: datetime | None = None
    closed_reason: str = ""
    titles: tuple[tuple[str, str], ...] = ()
    """(language, short title) for each language the study file words (its JSON the same
    whatever the reader's language): see `title_in`."""

    full_titles: tuple[tuple[str, str], ...] = ()
    """(language, full title) for each language the study file gives its title in."""

    def title_in(self, language: str) -> str:
        return title_in(self.short_title, self.titles, language)

    def full_title_in(self, language: str) -> str:
        """The protocol's title as a reader of `language` reads it, else as registered."""
        return dict(self.full_titles).get(language) or self.title


def title_in(short_title: str, titles: tuple[tuple[str, str], ...], language: str) -> str:
    """A study's short title as a reader of `language` reads it: the study file's own words
    in that language, else the English short title."""
    return dict(titles).get(language) or short_title


def study_titles(study: Study) -> tuple[tuple[str, str], ...]:
    """(language, short title) of each language the study file words, for `title_in`."""
    return tuple(
        (language, text.short_title) for language, text in study.texts.items() if text.short_title
    )


def study_full_titles(study: Study) -> tuple[tuple[str, str], ...]:
    """(language, full title) of each language the study file words, for `full_title_in`."""
    return tuple((language, text.title) for language, text in study.texts.items() if text.title)


@dataclass(frozen=True)
class KitRow:
    number: str
    product: str
    lot: str
    expiry: date
    status: KitStatus
    tablets: int  # tablets in the kit now (on hand, or held returned)
    location: str  # the storage area the kit was received into
    shipment: str
    where: str = ""
    """Where the kit really is now: its storage area, "with participant 01-001 (...)", "held for
    the monitor in ...", "destroyed on ..." or "returned to the sponsor on ..."."""
    study: str = ""  # the kit's study (protocol), on the pharmacy's inventory of every study
    dispensable: bool = False
    """Available, not held for a count difference (`held`), and lasting the supply of a cycle
    dispensed today (rules.covers_supply): what a dispense would take. An available kit that
    expires sooner is refused by every dispense."""
    held: bool = False
    """Available, but held for an open count difference (counts.open_differences): no dispense
    hands it out until the difference is settled (recounted, or adjusted). Given with
    `dispensable`."""
    expiry_standing: ExpiryStanding | None = None
    """For a kit on the shelf (available, quarantined or expired there), how its expiry stands
    today (rules.expiry_standing: expired, too short for a cycle, expiring soon); None for a
    kit that left the shelf, or one whose expiry is no concern. Given with `dispensable`."""

    @property
    def refused_for_expiry(self) -> bool:
        """Shown by its expiry ("Too short-dated"), not as available: available, and refused by
        every dispense for its expiry (not `dispensable`, and not held for a count difference
        alone). What the status filter's SHORT_DATED choice finds."""
        if self.status is not KitStatus.AVAILABLE or self.dispensable:
            return False
        return not self.held or self.expiry_standing in (
            ExpiryStanding.EXPIRED,
            ExpiryStanding.SHORT,
        )

    @property
    def held_for_count(self) -> bool:
        """Shown as held for a count difference ("Held: count"), not as available: available,
        held (`held`), and not refused for its expiry (expired, too short for a cycle), which
        a kit's status says first. What the status filter's HELD_FOR_COUNT choice finds."""
        return (
            self.status is KitStatus.AVAILABLE
            and self.held
            and self.expiry_standing not in (ExpiryStanding.EXPIRED, ExpiryStanding.SHORT)
        )

    @property
    def shown_status(self) -> str:
        """The status as the Inventory screen's Status column and `dispensary inventory` show
        it, by the status filter's choice that lists the kit: SHORT_DATED for a kit
        `refused_for_expiry` ("Too short-dated"), HELD_FOR_COUNT for one `held_for_count`
        ("Held: count"), else the status's value. What the screen searches and sorts by, and
        the `shown_status` of `inventory --json` (whose `status` stays the one recorded)."""
        if self.refused_for_expiry:
            return SHORT_DATED
        if self.held_for_count:
            return HELD_FOR_COUNT
        return self.status.value


@dataclass(frozen=True)
class ReceiptExcursion:
    """A temperature excursion on record in the storage area a shipment is received into that
    ended after the kits arrived there (a receipt entered late): the kits were exposed to it,
    so they go into quarantine linked to it, as an import quarantines the kits already there."""

    excursion_id: int
    started_at: datetime
    ended_at: datetime
    lowest: float
    highest: float


@dataclass(frozen=True)
class ReceiveResult:
    shipment: str
    received_on: date
    kits: tuple[str, ...]
    tablets: int
    quarantined: bool
    by_product: tuple[tuple[str, int], ...] = ()
    """`tablets` per product (study file code), in the kits' order: said each in its units."""
    warnings: tuple[str, ...] = ()
    """What was received but cannot be used as it is (a lot that cannot cover a cycle)."""
    excursions: tuple[ReceiptExcursion, ...] = ()
    """The excursions on record the kits were exposed to (received on or before their end):
    every kit went into quarantine, linked to the first."""
    location: str = ""  # the storage area the kits went into
    damaged: tuple[tuple[str, str], ...] = ()
    """The kits that arrived damaged, each with its condition as written (the manifest's, or
    receiving.SEEN_AT_RECEIPT): received into quarantine, whatever the others."""
    missing: tuple[str, ...] = ()
    """The sponsor's manifest's kits that did not arrive: recorded missing, not received."""

    @property
    def into_quarantine(self) -> bool:
        """Every kit went into quarantine: the temperature record failed, or an excursion."""
        return self.quarantined or bool(self.excursions)


@dataclass(frozen=True)
class ParticipantRow:
    study_number: str
    initials: str
    birth_year: int
    sex: str
    enrolled_on: date
    status: ParticipantStatus
    last_cycle: int | None
    last_day1: date | None
    next_cycle: int | None  # None once treatment has ended (completed or discontinued)
    next_due: date | None
    """The next cycle's due date: the last day 1 plus a cycle's length (rules.next_day1; cycle 1:
    the enrolment date; None, as next_cycle, once ended)."""
    return_pending: bool  # the last dispense has no return recorded
    overdue: bool = False  # on treatment, and the next cycle's due date has passed
    return_overdue: bool = False  # the last cycle's return is late (rules.return_overdue)
    return_due: bool = False  # the last cycle's supply has ended: due back (rules.return_due)
    next_earliest: date | None = None
    """The next cycle's earliest day 1 the study allows: the last day 1 plus its minimum
    interval (rules.next_day1; cycle 1: the enrolment date; None once ended)."""


@dataclass(frozen=True)
class RecordChange:
    """One value of a participant's record changed after enrolment, as the audit trail holds
    it: a correction of what the enrolment recorded ("initials", "enrolled_on", "birth_year")
    or a change of status ("status"), or a status change corrected (STATUS_CORRECTED). The
    participant's row holds only the value now; this is what a monitor reads to see what it
    was, who changed it, when and why."""

    at: datetime
    field: str
    old: str
    new: str
    username: str
    full_name: str
    reason: str
    effective_on: date | None = None
    """A status change's effective date (the day treatment ended or resumed); None for a
    correction, and for a status change recorded before the date was asked."""
    signed: bool = False
    """Whether the change carries the changer's electronic signature."""
    cycle: int | None = None
    """A voided dispense's cycle (field "dispense_void", `new` its number); None otherwise."""
    dispense: str = ""
    """A return count corrected (RETURN_CORRECTED): the dispense's number; empty otherwise."""
    kit: str = ""
    """A return count corrected: the kit counted."""
    return_id: int | None = None
    """A return count corrected: the return that now stands (the number `correct-return`
    takes); `old` is the count it replaced, `new` its count."""
    role: str = ""
    """The changer's role (Role's value, "pharmacist"): named in the reader's words beside the
    username; empty when the user is not on file."""
    corrects: RecordChange | None = None
    """A status change corrected (STATUS_CORRECTED): the status change it corrects, as the
    record lists it (field "status": when, by whom, the status before and after, effective
    from); None otherwise, and for a correction whose change is not found."""
    old_effective_on: date | None = None
    """A status change corrected: the effective date in force before the correction (`old`
    the status then, `new` and `effective_on` the status and date it gives)."""
    withdrawn: bool = False
    """A status change corrected: withdrawn as recorded in error (the status before it back,
    from the date before it)."""

    @property
    def correction(self) -> bool:
        """A correction of the enrolment (not a status change or its correction, a void or a
        recount)."""
        return self.field not in ("status", STATUS_CORRECTED, *VOIDS, RETURN_CORRECTED)


VOIDS = ("void", "dispense_void")
"""RecordChange.field of the voids of a participant's records: the enrolment voided as
entered in error (`old` the status it had), a dispense voided as made in error (`new` its
number). What was voided, when, by whom and why, not the void's row id."""
RETURN_CORRECTED = "return_count"
"""RecordChange.field of a return's count corrected (queries.participant_record)."""
STATUS_CORRECTED = "status_correction"
"""RecordChange.field of a status change corrected (services.participants.correct_status): it
names the change it corrects (`corrects`); `old` and `old_effective_on` the status and date in
force before, `new` and `effective_on` after."""


@dataclass(frozen=True)
class DispensedKit:
    kit: str
    product: str
    product_name: str
    strength: str
    lot: str
    expiry: date
    tablets: int
    partial: bool = False  # fewer tablets than a full kit: the label says "partial kit"


@dataclass(frozen=True)
class ObservationValue:
    """One value recorded at a dispense."""

    key: str
    name: str
    value: float
    unit: str


@dataclass(frozen=True)
class SecondPerson:
    """The second person named to check a dispense, as the dispense would accept them: their
    account (typed by them again when they sign), full name and role (Role's code)."""

    username: str
    full_name: str
    role: str

    @property
    def shown(self) -> str:
        """Who they are, as a record names a signer ("Tom Tech (Technician)")."""
        return person_named(self.full_name, self.role)


@dataclass(frozen=True)
class DispenseResult:
    """A dispense with everything its label, leaflet and screens need."""

    dispense_id: int
    number: str  # printed as the label's barcode
    participant: str
    initials: str
    cycle: int
    day1: date
    dose_level: int
    dose_name: str
    directions: str
    kits: tuple[DispensedKit, ...]
    tablets: int
    days: int
    last_day: date
    dispensed_on: date
    pharmacist: str
    pharmacist_initials: str
    checked_by: str
    warnings: tuple[str, ...]  # what the pharmacist overrode, with the reason recorded
    start_date: date | None = None
    """The first day to take a dose, printed on the label: the later of day 1 and the
    dispense date (day 1 may be up to 7 days before the dispense). Adherence counts from it."""
    observations: tuple[ObservationValue, ...] = ()
    notices: tuple[str, ...] = ()
    """What the pharmacist was told and nothing overrides (a rule to confirm, the previous
    cycle's safety signal): the dispense went on; never shown as overridden."""
    """What was recorded at dispense: the platelet count (its own column) and the study file's
    observations (dispense_observations), in the study file's order."""
    irt_confirmation: str = ""  # the IRT's confirmation number (a study assigning kits by IRT)
    overrides: tuple[str, ...] = ()  # the code of each warning in `warnings`, in its order
    product_directions: tuple[str, ...] = ()  # a sentence per product (per part), in English
    pharmacist_username: str = ""  # the account of `pharmacist` (who dispensed and signed)
    checked_by_username: str = ""  # the account of `checked_by`; empty when nobody checked
    checked_by_initials: str = ""
    """The initials of `checked_by`, printed on the label beside the pharmacist's; empty when
    nobody checked."""


@dataclass(frozen=True)
class RuleState:
    """A rule of the study file, its source, and whether it holds: by its source (registry,
    protocol) or confirmed by an administrator; otherwise it is "to confirm"."""

    key: str
    title: str
    source: str
    confirmed: bool
    by_source: bool  # from the registry or the protocol: needs no confirmation
    confirmed_by: str = ""  # the user name of who confirmed it
    confirmed_at: datetime | None = None
    reason: str = ""
    said: str = ""
    """What the rule says in the reader's language (Study.rule_title); `title` keeps the
    English the audit trail and the JSON output hold."""
    name: str = ""
    """The rule by name in the reader's language (Study.rule_name: "周期间隔"); `key`
    ("cycle.min_interval") is what the study file and the command write."""
    confirmed_by_name: str = ""  # and their full name ("" when the account is not on file)
    changed: bool = False
    """Confirmed for an earlier text of the rule (its source the same): the study file was
    updated since with the rule's text changed, and the rule is to confirm again."""

    @property
    def state(self) -> str:
        if self.by_source:
            return "holds (" + self.source + ")"
        if self.confirmed:
            return "confirmed"
        return "to confirm (changed since confirmed)" if self.changed else "to confirm"


@dataclass(frozen=True)
class ReturnResult:
    return_id: int
    dispense_number: str
    participant: str
    cycle: int
    kit: str
    tablets_returned: int
    dispensed: int  # tablets dispensed in the whole dispense
    returned: int  # tablets returned so far in the whole dispense
    taken: int
    expected: int
    adherence: float | None
    flags: tuple[Flag, ...]
    corrects: int | None
    products: tuple[ProductFigures, ...] = ()
    """Each product of the dispense with its own figures (DispenseHistoryRow.products): a
    dispense of several products is said product by product, its sums counting no one unit."""
    flag_reason: str = ""
    """The explanations that answer the dispense's flags now (DispenseHistoryRow.flag_reason,
    queries.answering_explanations): a correction that left the flags as they were keeps
    them; "" while a flag is open (or there is none)."""
    return_day_note: str = ""
    """What the expected count makes of the return day (DispenseHistoryRow.return_day_note)."""


@dataclass(frozen=True)
class StatusChange:
    kits: tuple[str, ...]
    status: KitStatus
    reason: str
    relabel: tuple[str, ...] = ()
    """Released kits whose kit label was printed, maybe marked QUARANTINED: to relabel."""
    relabel_note: str = ""
    """What to do about their labels, in the reader's language ("" when none)."""
    sponsor_reference: str = ""
    """A release's: the sponsor's decision the kits went back to stock on ("" for a
    quarantine)."""
    held_for: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """A release's: each kit released and why it was held, in the reader's words (its open
    quarantine, the excursions it was exposed to while held): what the decision covered."""


@dataclass(frozen=True)
class DestroyResult:
    destruction_id: int
    kits: tuple[str, ...]
    tablets: int
    method: str
    witness: str  # the witness's full name
    to_sponsor: bool
    destroyed_on: date
    reference: str = ""  # the sponsor's authorisation reference
    reason_code: DestructionReason | None = None
    by_product: tuple[tuple[str, int], ...] = ()
    """The units that left, by product code (a capsule study's are capsules, not tablets)."""
    witness_username: str = ""  # the witness's user name (`witness` is their full name)


@dataclass(frozen=True)
class CountResult:
    count_id: int
    kit: str
    counted: int
    book: int
    difference: int
    adjusted: bool
    blind: bool = True  # counted before any record showed the kit's book
    recount_of: int | None = None  # the open count this one followed (the book shown by it)
    still_needed: tuple[str, ...] = ()
    """A difference recorded as counted, not adjusted: what its adjustment still needs (or why
    the adjustment given was refused). Empty when the count matched or was adjusted."""
    verified_by_username: str = ""
    """The second person who countersigned the adjustment: their user name ("" when the count
    was not adjusted, so nobody countersigned it)."""
    verified_by_name: str = ""  # and their full name

    @property
    def open(self) -> bool:
        """A difference recorded and left for a recount or an adjustment."""
        return bool(self.difference) and not self.adjusted


@dataclass(frozen=True, slots=True)  # one per kit, kept between reconciliations
class BalanceRow:
    """One line of the reconciliation: a product, lot, kit or participant."""

    scope: str  # product, lot, kit, participant
    key: str
    label: str
    received: int
    dispensed: int
    returned: int
    destroyed: int
    adjusted: int
    on_hand: int
    held_returned: int
    balanced: bool
    # The product's code on every line (a participant's line is per product: strengths are
    # never added), so that a reader filtering the CSV by product keeps the kits and lots.
    product: str = ""


@dataclass(frozen=True, slots=True)  # one per kit on the shelf, kept between reconciliations
class KitCountCheck:
    """A kit on the shelf: its book now against its last physical count (if any)."""

    kit: str
    product: str
    lot: str
    book: int  # tablets on hand in the book now
    counted_on: date | None  # the last physical count; None: never counted
    counted: int | None
    book_then: int | None  # what the book said when it was counted
    moved_since: int | None  # book now minus what the book held right after the count
    counted_by: str = ""  # the full name of who counted last ("" if never counted)
    verified_by: str = ""  # who countersigned a difference ("" if none was needed)
    adjusted: bool = False  # the last count's difference was written to the ledger, signed

    @property
    def never_counted(self) -> bool:
        return self.counted_on is None

    @property
    def unresolved(self) -> bool:
        """Never counted, or the last count differs from the book with no adjustment written
        for it: what is still to be looked at. A difference adjusted with a reason and a
        second person's signature is a record (the book was corrected to the count), not an
        open difference: the header, the screen's and the report's highlight count by this."""
        return self.never_counted or (not self.agrees and not self.adjusted)

    @property
    def difference(self) -> int | None:
        """What the last count found against what the book said then (None: never counted)."""
        if self.counted is None or self.book_then is None:
            return None
        return self.counted - self.book_then

    @property
    def agrees(self) -> bool:
        """The last count found what the book said."""
        return self.counted is not None and self.counted == self.book_then

    @property
    def verdict(self) -> str:
        if self.counted_on is None:
            return _("never counted: the book has not been checked against the shelf")
        difference = (self.counted or 0) - (self.book_then or 0)
        found = (
            _("agreed with the book")
            if not difference
            else _("differed by {difference}").format(difference=f"{difference:+d}")
        )
        if difference and self.adjusted:
            found = _("{found}, adjusted, verified by {name}").format(
                found=found, name=self.verified_by or "?"
            )
        since = (
            _("no movement since")
            if not self.moved_since
            else _("{moved} moved since by recorded movements").format(
                moved=f"{self.moved_since:+d}"
            )
        )
        return _("counted {counted} on {date}: {found}; {since}").format(
            counted=self.counted, date=self.counted_on.isoformat(), found=found, since=since
        )


@dataclass(frozen=True)
class Discrepancy:
    kind: DiscrepancyKind
    subject: str  # kit / participant / lot it concerns
    message: str
    on: date | None = None
    ref: str = field(default="", repr=False, compare=False)
    """The record that tells this finding from another of its kind, subject and day, where
    those may not (an adherence flag's dispense: two returned on one visit). Not in `seen`'s
    digest nor in equality: it names, it is not a figure."""
    detail: str = field(default="", repr=False, compare=False)
    """The finding said beside its subject, where a table has a column for it (the PDF's and
    the window's Concerns): `message` without the subject it names ("Cycle 3: Over-use ..."
    beside 01-007, not "01-007 cycle 3: ..."); empty where the message names no subject
    first. Not in `seen`'s digest nor in equality: the same finding in other words."""

    @property
    def beside_subject(self) -> str:
        """The finding in a table that shows its subject in a column of its own; `message`
        alone (a line of the command) names it."""
        return self.detail or self.message

    @property
    def key(self) -> str:
        """Which finding this is among a reconciliation's, said in no language (its message
        is): the Today screen's line of it opens the reconciliation on it by this."""
        day = self.on.isoformat() if self.on is not None else ""
        return "|".join((self.kind.value, self.subject, day, self.ref))


@dataclass(frozen=True)
class ReconcileResult:
    generated_at: datetime
    products: tuple[BalanceRow, ...]
    lots: tuple[BalanceRow, ...]
    kits: tuple[BalanceRow, ...]
    participants: tuple[BalanceRow, ...]
    discrepancies: tuple[Discrepancy, ...]
    signoffs: tuple[SignOffRow, ...]
    counts: tuple[KitCountCheck, ...] = ()  # every kit on the shelf, against its last count
    audit_check: str = ""  # which check of the audit trail was made (audit_check.TrailCheck)
    audit_checked_in_full: bool = True
    audit_verified: bool = True
    """The audit trail verified at this reconciliation. When it did not, no figure can be
    trusted: every front end says so instead of "balanced", and no sign-off is made."""
    audit_problem: str = ""  # what the check found, with what to do (when not verified)

    def seen(self) -> str:
        """A digest of everything the reconciliation shows (balances of every scope, the
        findings, the shelf's counts, whether the trail verified; not when it was made, which
        check of the trail was made nor the sign-offs): what a screen read, given back with a
        sign-off so that no one signs figures they never saw (reconciliation.sign_off). Made
        only when asked (at a sign-off): a whole study's rows."""
        figures = (
            self.products,
            self.lots,
            self.kits,
            self.participants,
            self.discrepancies,
            self.counts,
            self.audit_verified,
        )
        return hashlib.sha256(repr(figures).encode("utf-8")).hexdigest()

    @property
    def to_review(self) -> tuple[Discrepancy, ...]:
        """The findings someone must act on (DiscrepancyKind.to_review); the others are
        records (a count difference adjusted with a signed reason)."""
        return tuple(d for d in self.discrepancies if d.kind.to_review)

    @property
    def balanced(self) -> bool:
        """The ledger balances with itself (see `physical` for the shelf)."""
        return all(row.balanced for row in self.products + self.lots + self.kits)

    @property
    def latest_signoffs(self) -> tuple[SignOffRow, ...]:
        """Each signer's latest sign-off in each role, in the order signed, each with what was
        recorded since that changes it (`SignOffRow.changed`): what a short account of the
        sign-offs shows (the command's text), so that a monitor's sign-off marked as changed is
        never hidden behind a pharmacist's made since. The window's Sign-offs tab, the report
        and the JSON list them all."""
        latest = {(s.username, s.role): s for s in self.signoffs}
        return tuple(s for s in self.signoffs if latest[(s.username, s.role)] is s)

    @property
    def never_counted(self) -> tuple[KitCountCheck, ...]:
        return tuple(c for c in self.counts if c.never_counted)

    @property
    def count_differences(self) -> tuple[KitCountCheck, ...]:
        """The kits whose last count differs from the book and was not adjusted."""
        return tuple(c for c in self.counts if not c.never_counted and c.unresolved)

    @property
    def shelf_agrees(self) -> bool:
        """Every kit on the shelf has been counted and its last count found what the book said."""
        return not self.never_counted and not self.count_differences

    @property
    def physical(self) -> str:
        """What the physical counts say of the book, in a sentence's words."""
        if not self.counts:
            return _("no kit on the shelf")
        checked = len(self.counts) - len(self.never_counted)
        words = _("{checked} of {total} kits on the shelf counted").format(
            checked=checked, total=len(self.counts)
        )
        if self.count_differences:
            words += _(", {count} last count differing from the book").format(
                count=len(self.count_differences)
            )
        if self.never_counted:
            words += _(", {count} never counted").format(count=len(self.never_counted))
        return words


@dataclass(frozen=True)
class SignOffRow:
    """A reconciliation sign-off: who signed when, what they attested (the figures the
    service stored in its summary), and what was recorded after it that changes those figures
    (a record it covered corrected, or one dated before it added), so a sign-off never looks
    current once the figures it attested have changed."""

    username: str
    full_name: str
    role: Role
    at: datetime
    note: str
    balanced: bool | None = None  # None: a summary that cannot be read (not the program's)
    findings: int | None = None  # the discrepancies found then
    to_review: int | None = None  # of them, those to review (None: not stored, before 2026-12)
    held: tuple[tuple[str, int], ...] = ()  # (product code, held returned) then
    changed_since: tuple[str, ...] = ()  # the records since that change what it attested
    attested: str = ""  # the figures it attested, in the reader's words
    changed: str = ""  # changed_since in a sentence ("" when nothing changed since)


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    username: str
    action: str
    entity: str
    entity_id: str
    old: str
    new: str
    reason: str
    return_of: tuple[str, ...] = ()
    """For an entry naming a return (a return, its correction): the kit, dispense and
    participant of that return, read from the return row when the trail is listed (the entry
    itself stores only the kit and dispense, a correction only the counts)."""
    referred: tuple[str, ...] = ()
    """For an entry that names another record by its row (audit_actions.REFERRING_KEYS: a
    count's `recount_of`, the open count it followed, or `adjustment_of`, the open count it
    adjusted; a return correction's `corrects`, the return it replaces): the kind of that record
    and the facts a reader knows it by, read from its row when the trail is listed (the entry
    stores only the row's number): ("count", kit, day counted, entry), ("return", kit,
    dispense, participant, entry), where `entry` is the number ("No.") of the audit entry that
    recorded that count or return, the one whose facts list its row ("" when none does: a
    reader follows the reference in the trail by it). Empty for any other entry, or when the
    row was not found."""


@dataclass(frozen=True)
class EntrySignature:
    """A signature recorded with an audit entry (one of the rows its facts list), as 21 CFR
    11.50 asks a signed record to show it: the signer's printed name and role, the meaning
    and the time. `role` is the role code the signer held when signing, as the trail recorded
    it (services.audit.signers_of), not the account's role now."""

    username: str
    full_name: str
    role: str
    meaning: str
    at: datetime


@dataclass(frozen=True)
class ExportedEntry:
    """An audit entry as the exports carry it (the audit report's CSV, `audit list --json`),
    with the same facts as the PDF and the window: the kit, dispense and participant of the
    return it names (read from the return row; empty otherwise) and its signatures, each with
    the signer's role at signing (services.audit.exported)."""

    entry: AuditRow
    kit: str
    dispense: str
    participant: str
    signatures: tuple[EntrySignature, ...]
    count_kit: str = ""  # the kit and day of the earlier count it names (AuditRow.referred)
    count_on: str = ""
    referred_entry: str = ""
    full_name: str = ""  # the entry's user's full name ("" when the account is not on file)
    """The "No." of the audit entry that recorded the count or return this entry names by its
    row (AuditRow.referred's last fact): the stored `adjustment_of`, `recount_of` or
    `corrects` is that record's row, which no column of the trail holds."""


@dataclass(frozen=True)
class PersonNamed:
    """An account named in the audit trail: its username with the full name and role code,
    so a reader of usernames knows who acted."""

    username: str
    full_name: str
    role: str


@dataclass(frozen=True)
class EntrySigners:
    """The signatures recorded with each audit entry (by entry id; an entry without any is
    absent) and the accounts the entries and signatures name, read from recorded rows only."""

    signatures: Mapping[int, tuple[EntrySignature, ...]]
    people: tuple[PersonNamed, ...]
    roles: Mapping[int, str] = field(default_factory=dict)
    """The role each entry's user held when the entry was made (by entry id: the last role
    the trail recorded for the account at or before the entry, else its role now); an entry
    whose user has no account is absent. `people` holds the role now."""


@dataclass(frozen=True)
class TrailAccount:
    """An account the audit screen's filter offers: `former` when it no longer works in the
    open study (its entries stay in the study's trail)."""

    username: str
    full_name: str
    former: bool = False


@dataclass(frozen=True)
class VerifiedPoint:
    """Where a verification that passed stood: the next one can start here and check only
    what was written since (services.verification). Held by the screen that checked, in
    memory: never a proof by itself (the full `audit verify` re-reads everything)."""

    position: int  # the last audit entry verified
    audit_hash: str
    ledger_position: int
    ledger_hash: str
    marks: tuple[tuple[str, int], ...]  # each fact table's highest id then


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    ledger_entries: int
    first_bad: int | None  # the first audit entry that does not match (or names a bad row)
    message: str
    findings: tuple[str, ...] = ()  # every difference found (the message leads with the first)
    point: VerifiedPoint | None = None  # where a verification that passed stood
    new_entries: int | None = None  # entries checked by an incremental verification


@dataclass(frozen=True)
class AnchorCheck:
    """A verification code checked against the audit chain as it is now (services.audit)."""

    code: str
    position: int  # the audit entry the code names
    verdict: AnchorVerdict
    entries: int  # audit entries in the chain now
    message: str  # the verdict in words, with what to do when it fails
    verification: VerifyResult  # the whole chain's own check

    @property
    def ok(self) -> bool:
        return self.verdict is AnchorVerdict.MATCHES and self.verification.ok


@dataclass(frozen=True)
class LedgerRow:
    """One ledger movement as the DARF and the histories read it."""

    id: int
    entry_date: date
    at: datetime
    kind: str
    quantity: int
    from_returned: bool
    kit: str
    product: str
    lot: str
    expiry: date
    participant: str
    initials: str
    dispense: str
    dose: str
    user_initials: str
    reason: str
    reverses: int | None
    verified_by: str = ""  # a count adjustment's countersigner's initials ("" for the rest)
    # A destruction's sponsor authorisation and witness (its certificate's: the witness's
    # initials, or the name typed before witnesses signed), "" for the rest.
    authorisation: str = ""
    witness: str = ""
    # The second pharmacist who checked the dispense and signed (their initials, as the DARF
    # names the recorder), on the dispense's own rows; "" when nobody checked, and on the rest
    # (a void's row is its voider's, a return's its counter's).
    checked_by: str = ""


@dataclass(frozen=True)
class ProductFigures:
    """One product of a dispense, counted in its own units: what its DARF shows (the
    dispensed, returned, taken and expected of a capsule and a tablet summed reconcile with
    neither). None: not known yet (no kit of it back; adherence once every kit is back)."""

    product: str  # the study file's code
    kits: tuple[str, ...]
    dispensed: int
    returned: int | None = None
    taken: int | None = None
    expected: int | None = None
    adherence: float | None = None
    flags: tuple[Flag, ...] = ()
    unaccounted: int = 0  # units of its kits not brought back: unknown, never taken

    def recorded(self) -> dict[str, object]:
        """The product's own figures as an audit entry of a dispense of several products
        records them (`by_product`): a capsule's and a tablet's counts never summed into one
        number of "tablets"; a figure not known yet left out."""
        values: dict[str, object] = {"product": self.product, "dispensed": self.dispensed}
        for key, value in (
            ("returned", self.returned),
            ("taken", self.taken),
            ("expected", self.expected),
        ):
            if value is not None:
                values[key] = value
        if self.unaccounted:
            values["not_brought_back"] = self.unaccounted
        if self.flags:
            values["flags"] = [f.value for f in self.flags]
        return values


def flagged_products(products: Sequence[ProductFigures], flag: Flag) -> tuple[str, ...]:
    """The products (study file codes) a dispense's flag is of: those flagged so, else every
    product of the dispense; none when it names none (a study of one product): the flag then
    says the study's unit word (Study.flag_said)."""
    flagged = tuple(p.product for p in products if flag in p.flags)
    return flagged or tuple(p.product for p in products)


@dataclass(frozen=True)
class DispenseHistoryRow:
    dispense_number: str
    cycle: int
    day1: date
    dispensed_on: date
    dose_name: str
    kits: tuple[str, ...]
    tablets: int
    returned: int | None  # None: no return recorded yet
    taken: int | None
    expected: int | None
    adherence: float | None
    flags: tuple[Flag, ...]
    flag_reason: str
    returned_on: date | None
    unaccounted: int = 0  # tablets of kits not brought back: unknown, never counted as taken
    dose_level: int | None = None  # shown by its name in the reader's language (Study.dose_name)
    observations: tuple[ObservationValue, ...] = ()
    """What was recorded at the dispense (queries.observations_of), in the study file's order."""
    irt_confirmation: str = ""  # the IRT's confirmation number (a study assigning kits by IRT)
    kits_out: tuple[str, ...] = ()
    """Once a return is recorded, the kits of the dispense still to count (not yet returned or
    recorded as not brought back): the return is part of it, no adherence yet. Empty before
    any return (`returned` is None) and once every kit is accounted for."""
    returned_by_product: tuple[tuple[str, int], ...] = ()
    """For a dispense of several products, the units counted back per product (study file
    code), in the kits' order: said product by product, not as one sum of "tablets" (empty for
    a dispense of one product, and before any return)."""
    products: tuple[ProductFigures, ...] = ()
    """Each product of the dispense with its own figures, in the kits' order (one for a
    dispense of one product: it says which product the totals count)."""
    returns: tuple[ReturnLine, ...] = ()
    """The returns of the dispense that stand (a corrected one replaced by its correction),
    each with its number: what `dispensary correct-return` and the window's "Correct return
    count..." correct."""
    voided: VoidMark | None = None
    """Set when the dispense was voided: it stays in the history, marked, with who voided it,
    when and why (queries.participant_record); None for a dispense that stands."""
    dispensed_by: str = ""  # the pharmacist who dispensed and signed (full name)
    dispensed_by_username: str = ""
    checked_by: str = ""  # the second pharmacist who checked and signed; "" when nobody did
    checked_by_username: str = ""
    dispensed_by_initials: str = ""
    checked_by_initials: str = ""
    """Who dispensed and who checked (full name, account, initials), read with the dispenses
    by queries.participant_record (the participant's record: `history`, the participants
    window, the participant report); empty in the rows read for the rules and the lot trace."""
    return_day_note: str = ""
    """What the expected count makes of the return day, in the reader's words
    (queries.return_day_note): the doses allowed for beyond it, or why none is; "" when the
    study allows none that day, or before every kit is back."""


@dataclass(frozen=True)
class ReturnLine:
    """One return of a dispense as it stands: its number, the kit and the count."""

    return_id: int
    kit: str
    tablets: int
    returned_on: date
    not_brought_back: bool = False
    corrects: int | None = None  # the return it replaced, for a correction
    product: str = ""  # the kit's product (study file code): the count said in its word


@dataclass(frozen=True)
class VoidMark:
    """A dispense's void: when, who (full name and user name), why, signed or not."""

    at: datetime
    full_name: str
    username: str
    reason: str
    signed: bool
    on: date | None = None
    """The pharmacy's day of `at` (the clock's local day, as records are dated): the day a
    screen names, not the UTC date of the time."""


@dataclass(frozen=True)
class ParticipantRecord:
    """A participant's whole record, one result for `history`, the participants window and
    the participant report: the row, every dispense (voided ones kept, marked) and every change
    since enrolment (corrections, status changes, voids, return recounts) in the order made."""

    participant: ParticipantRow
    history: tuple[DispenseHistoryRow, ...]
    changes: tuple[RecordChange, ...]

    @property
    def standing(self) -> tuple[DispenseHistoryRow, ...]:
        """The dispenses not voided (what the adherence chart plots)."""
        return tuple(r for r in self.history if r.voided is None)

    @property
    def unchanged(self) -> bool:
        """Nothing changed since enrolment: no correction, status change, void or recount."""
        return not self.changes


@dataclass(frozen=True)
class DestructionLine:
    """The tablets of one lot of one product that left in a destruction."""

    product: str  # the product with its strength, as the study names it
    lot: str
    expiry: date
    kits: tuple[str, ...]
    tablets: int
    from_returned: bool  # returned by participants (else unused stock from the shelf)
    code: str = ""  # the product's code (a report names it in the reader's language)


@dataclass(frozen=True)
class SignedBy:
    """One signature on a record: who, meaning what, when."""

    name: str
    meaning: str
    at: datetime
    role: str = ""  # the signer's account role (Role's code), as the audit trail names them


@dataclass(frozen=True)
class DestructionRow:
    destruction_id: int
    destroyed_on: date
    kits: tuple[str, ...]
    tablets: int
    method: str
    witness: str
    reference: str
    to_sponsor: bool
    by: str
    lines: tuple[DestructionLine, ...] = ()  # per product (strength) and lot
    signatures: tuple[SignedBy, ...] = ()  # the destroyer's, then the witness's (since 0006)
    reason_code: DestructionReason | None = None
    # Returned kits destroyed before a monitor saw their return (`--unseen-returns-ok`), and
    # who acknowledged it (the one destroying): the logs and the certificate say so.
    unseen_returns: tuple[str, ...] = ()
    unseen_acknowledged_by: str = ""


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    at: datetime
    anchor: str = ""  # the verification code of the chain the backup holds
    anchor_log: str = ""  # the anchor log the code was appended to
    warning: str = ""  # the backup is made, but something beside it was not (the anchor log)
    # The anchor log of the database's own backup folder, where a backup written elsewhere is
    # logged too (`audit verify --anchor-log` reads it by default); "" for one written there.
    own_anchor_log: str = ""
    # The audit trail does not verify: the backup was made as evidence, named CHAIN-BROKEN, with
    # no code (anchor ""); what to say of it, loud. "" for a backup of a chain that verifies.
    chain_broken: str = ""


@dataclass(frozen=True)
class InventorySummary:
    """The inventory screen's summary line, counted by the database (issue 15)."""

    kits: int  # the kits the filters find
    tablets_available: int  # in those of them available today
    by_product: tuple[tuple[str, int], ...] = ()
    """For a study of several products: each product code with the units available in its
    kits found (capsules of one, tablets of another: a total in one word would misstate them),
    in the study's order; empty for a study of one product."""
    held: int = 0
    """Of the kits found, those available but held for an open count difference: no stock
    (rules.in_stock), their units left out of the figures above."""
    short: int = 0
    """Of the kits found, those available (not held) but expiring before the supply of a cycle
    dispensed today must last (rules.covers_supply): every dispense refuses them, so their
    units are left out of the figures above."""
