"""Frozen result rows that services return and screens, labels and reports consume."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dispensary.domain.anchor import AnchorVerdict
from dispensary.domain.codes import DiscrepancyKind, Flag, KitStatus, ParticipantStatus, Role


@dataclass(frozen=True)
class UserRow:
    username: str
    full_name: str
    initials: str
    role: Role
    active: bool
    locked: bool


@dataclass(frozen=True)
class KitRow:
    number: str
    product: str
    lot: str
    expiry: date
    status: KitStatus
    tablets: int  # tablets in the kit now (on hand, or held returned)
    location: str
    shipment: str


@dataclass(frozen=True)
class ReceiveResult:
    shipment: str
    received_on: date
    kits: tuple[str, ...]
    tablets: int
    quarantined: bool


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
    next_cycle: int
    next_due: date | None  # earliest day 1 of the next cycle
    return_pending: bool  # the last dispense has no return recorded


@dataclass(frozen=True)
class DispensedKit:
    kit: str
    product: str
    product_name: str
    strength: str
    lot: str
    expiry: date
    tablets: int


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
    warnings: tuple[str, ...]


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


@dataclass(frozen=True)
class StatusChange:
    kits: tuple[str, ...]
    status: KitStatus
    reason: str


@dataclass(frozen=True)
class DestroyResult:
    destruction_id: int
    kits: tuple[str, ...]
    tablets: int
    method: str
    witness: str
    to_sponsor: bool
    destroyed_on: date


@dataclass(frozen=True)
class CountResult:
    count_id: int
    kit: str
    counted: int
    book: int
    difference: int
    adjusted: bool


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Discrepancy:
    kind: DiscrepancyKind
    subject: str  # kit / participant / lot it concerns
    message: str
    on: date | None = None


@dataclass(frozen=True)
class ReconcileResult:
    generated_at: datetime
    products: tuple[BalanceRow, ...]
    lots: tuple[BalanceRow, ...]
    kits: tuple[BalanceRow, ...]
    participants: tuple[BalanceRow, ...]
    discrepancies: tuple[Discrepancy, ...]
    signoffs: tuple[SignOffRow, ...]

    @property
    def balanced(self) -> bool:
        return all(row.balanced for row in self.products + self.lots + self.kits)


@dataclass(frozen=True)
class SignOffRow:
    username: str
    full_name: str
    role: Role
    at: datetime
    note: str


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


@dataclass(frozen=True)
class BackupResult:
    path: str
    bytes: int
    at: datetime
    anchor: str = ""  # the verification code of the chain the backup holds
    anchor_log: str = ""  # the anchor log the code was appended to
    warning: str = ""  # the backup is made, but something beside it was not (the anchor log)
