"""The receipt's assessment: a verdict on each kit line of the shipment, what goes into
quarantine at receipt, and the totals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.domain.codes import KitStatus
from dispensary.services.assessment.base import Refusal
from dispensary.services.results import ReceiptExcursion


@dataclass(frozen=True)
class KitIn:
    """One kit as the shipment paperwork lists it."""

    number: str
    product: str
    lot: str
    expiry: date
    tablets: int
    damaged: str = ""
    """The kit's condition as written when it arrived damaged, "" when sound: the sponsor's
    manifest's ("condition: Leaking"), or SEEN_AT_RECEIPT for a kit the user marked damaged. A
    damaged kit is received into quarantine, never as available."""


SEEN_AT_RECEIPT = "seen at receipt"
"""The condition of a kit the user marks damaged at receipt (the window, `--damaged`), recorded
as this English phrase (reasons.DAMAGED_SEEN gives it in the reader's words)."""


class ReceiveCheck(StrEnum):
    """Every refusal a receipt can meet: a code a script or a screen can act on."""

    PAPERWORK = "paperwork"  # the date received, shipment number, condition or location
    KIT_FIELD = "kit_field"  # a field of the line is malformed (number, lot, dates, counts)
    PRODUCT_UNKNOWN = "product_unknown"  # the product is not one of the study's
    NO_TABLETS = "no_tablets"  # the line gives no tablets
    TABLET_COUNT = "tablet_count"  # the line's tablets are no count (negative, beyond any kit)
    KIT_COUNT = "kit_count"  # the line's tablets are not the study's count for a kit
    EXPIRED = "expired"  # the kit expired before the date received, or before today
    DUPLICATE = "duplicate"  # the kit is listed twice in the shipment
    SHIPMENT_RECEIVED = "shipment_received"  # the shipment number is received already
    IN_STOCK = "in_stock"  # the kit number is in stock already
    LOT_EXPIRY = "lot_expiry"  # the lot has another expiry (recorded, or on another line)
    LOT_ELSEWHERE = "lot_elsewhere"  # the lot number is in use in a study the user cannot open
    LOT_PRODUCT = "lot_product"  # the lot number is another product's (recorded, or listed)
    LOT_NUMBER = "lot_number"  # the kit number is a lot's (recorded, or on this list)
    PARTICIPANT_NUMBER = "participant_number"  # a participant's study number, or of its form
    BEFORE_STUDY = "before_study"  # the date received is before the study was in the pharmacy
    STUDY_FILE_CHANGED = "study_file_changed"  # assessed with a study file updated since


@dataclass(frozen=True)
class ReceiveRequest:
    """A shipment as the receiving screen or the command line has it so far."""

    shipment: str
    kits: Sequence[KitIn]
    received_on: date | None = None
    condition: str = "intact"
    temperature_ok: bool = True
    location: str | None = None


@dataclass(frozen=True)
class ReceiveLine:
    """One kit line of the shipment and its verdict; the kit as it would be recorded (number
    and text normalised) when its fields can be read."""

    line: int  # 1, 2 ... in the order listed
    kit: KitIn
    accepted: bool
    code: ReceiveCheck | None  # why it is refused (the first reason)
    message: str  # the refusal, "" when accepted
    status: KitStatus  # what it would be on receipt: available, or quarantined
    new_lot: bool  # the lot is not recorded yet: it is created with this expiry

    @property
    def number(self) -> str:
        return self.kit.number

    @property
    def damaged(self) -> str:
        """The kit's condition as written when damaged ("" when sound): into quarantine."""
        return self.kit.damaged

    @property
    def product(self) -> str:
        return self.kit.product

    @property
    def lot(self) -> str:
        return self.kit.lot

    @property
    def expiry(self) -> date:
        return self.kit.expiry

    @property
    def tablets(self) -> int:
        return self.kit.tablets


@dataclass(frozen=True)
class ReceiveAssessment:
    """Everything the receiving screen shows before Receive."""

    shipment: str
    received_on: date
    lines: tuple[ReceiveLine, ...]
    refusals: tuple[Refusal[ReceiveCheck], ...]  # in the order receive_shipment meets them
    quarantined: bool  # the temperature record failed: every kit goes into quarantine
    location: str
    kits: int  # kit lines listed
    tablets: int  # tablets in them
    accepted_kits: int  # kit lines with no refusal: what is received once the rest is off
    accepted_tablets: int  # tablets in them
    warnings: tuple[str, ...] = ()
    """What is received but cannot be used as it is (a lot that cannot cover a cycle)."""
    excursions: tuple[ReceiptExcursion, ...] = ()
    """The excursions on record in the storage area that ended on or after the kits' arrival
    (a receipt entered late): every kit goes into quarantine, linked to the first."""

    @property
    def into_quarantine(self) -> bool:
        """Every kit goes into quarantine: the temperature record failed, or an excursion."""
        return self.quarantined or bool(self.excursions)

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def damaged(self) -> tuple[ReceiveLine, ...]:
        """The accepted lines of kits that arrived damaged: received into quarantine."""
        return tuple(line for line in self.lines if line.accepted and line.damaged)

    @property
    def accepted(self) -> bool:
        """The shipment would be received as it stands."""
        return not self.refusals

    @property
    def refused_lines(self) -> tuple[ReceiveLine, ...]:
        return tuple(line for line in self.lines if not line.accepted)

    @property
    def by_product(self) -> tuple[tuple[str, int], ...]:
        """`tablets` per product (study file code), in the lines' order: a count said in each
        product's units ("56 capsules, 30 tablets"), never capsules and tablets summed."""
        return units_by_product((line.product, line.tablets) for line in self.lines)

    @property
    def accepted_by_product(self) -> tuple[tuple[str, int], ...]:
        """`accepted_tablets` per product, as by_product."""
        return units_by_product(
            (line.product, line.tablets) for line in self.lines if line.accepted
        )


def units_by_product(counts: Iterable[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """Counts summed per product, in the order the products first come."""
    summed: dict[str, int] = {}
    for product, count in counts:
        summed[product] = summed.get(product, 0) + count
    return tuple(summed.items())
