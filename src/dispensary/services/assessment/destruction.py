"""The destruction's assessment: a verdict on each kit (from the kit lifecycle table), the
tablets that would leave the shelf and the monitor's hold, and the paperwork's rules (the
sponsor's authorisation reference, a witness who is another active user, the reason code an
in-date kit needs, a date not before any kit's receipt or return)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dispensary.domain.audit_actions import person_named
from dispensary.domain.codes import DestructionReason, KitStatus
from dispensary.services.assessment.base import Refusal


class DestroyCheck(StrEnum):
    """Every refusal a destruction can meet: a code a script or a screen can act on."""

    WITNESS = "witness"  # no witness named (or the name cannot be recorded)
    WITNESS_SELF = "witness_self"  # the witness is the one destroying
    METHOD = "method"  # no method given (or it cannot be recorded)
    REFERENCE = "reference"  # no sponsor's authorisation reference (or it cannot be recorded)
    REASON_CODE = "reason_code"  # the reason code given is not one of DestructionReason
    WITNESS_UNKNOWN = "witness_unknown"  # no user of that name: the witness is a user
    WITNESS_INACTIVE = "witness_inactive"  # the witness's account is deactivated or locked
    WITNESS_ACCESS = "witness_access"  # the witness has no access to the study
    KIT_UNKNOWN = "kit_unknown"  # not a kit of this pharmacy
    KIT = "kit"  # its status does not allow it (dispensed, destroyed), or a count is open
    DATE = "date"  # the date is before a kit's receipt or return
    REASON_NEEDED = "reason_needed"  # an in-date kit from the shelf needs a reason code
    UNSEEN_RETURNS = "unseen_returns"  # returned tablets the monitor has not seen, unacknowledged


@dataclass(frozen=True)
class DestroyRequest:
    """A destruction (or a return to the sponsor) as the screen or the command line has it."""

    kits: Sequence[str]
    witness: str = ""  # the witness's user name (they sign with their own password)
    method: str = ""
    destroyed_on: date | None = None
    reference: str = ""  # the sponsor's destruction authorisation reference
    to_sponsor: bool = False
    reason_code: DestructionReason | str | None = None  # needed for in-date kits from the shelf
    unseen_returns_ok: bool = False
    """The one destroying acknowledges destroying returned tablets recorded after the monitor's
    last sign-off (held for the monitor, who has not seen them)."""


@dataclass(frozen=True)
class DestroyKitVerdict:
    """One kit named: destroyable (with the tablets that would leave) or refused."""

    kit: str  # the kit number (as named, upper-cased, when it is no kit of this pharmacy)
    status: KitStatus | None  # today's status; None for a kit not in stock
    accepted: bool
    message: str  # the refusal, with what to do; "" when accepted
    on_hand: int  # tablets on the shelf in the kit
    held_returned: int  # returned tablets held for the monitor
    from_returned: bool  # the tablets leave the monitor's hold, not the shelf
    needs_reason: bool = False  # in date and from the shelf: a reason code is needed
    product: str = ""  # the kit's product code ("" for a kit not in stock): its unit word

    @property
    def tablets(self) -> int:
        """The tablets that would leave with the kit."""
        if not self.accepted:
            return 0
        return self.held_returned if self.from_returned else self.on_hand


@dataclass(frozen=True)
class DestroyAssessment:
    """Everything the destruction panel shows before it is signed."""

    kits: tuple[DestroyKitVerdict, ...]
    refusals: tuple[Refusal[DestroyCheck], ...]  # in the order destroy meets them
    witness: str  # as named (a user name)
    method: str
    destroyed_on: date
    to_sponsor: bool
    reference: str = ""
    reason_code: DestructionReason | None = None
    witness_name: str = ""  # the witness user's full name, once found
    witness_role: str = ""  # and the role of their account (Role's code)
    unseen_returns: tuple[str, ...] = ()
    """The kits whose returned tablets were recorded after the monitor's last sign-off (or with
    no sign-off by a monitor yet): the monitor has not seen them."""
    warnings: tuple[str, ...] = ()  # said, refused or not (the unseen returns)
    unseen_returns_ok: bool = False  # the request's acknowledgement of the unseen returns

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def witness_shown(self) -> str:
        """Who the user name typed as witness is ("Wang Fang (Technician)"), for the one
        destroying to see before both sign; "" until a user is found."""
        return person_named(self.witness_name, self.witness_role) if self.witness_name else ""

    @property
    def accepted(self) -> bool:
        return not self.refusals

    @property
    def destroyable(self) -> tuple[DestroyKitVerdict, ...]:
        """The kits named that may be destroyed."""
        return tuple(v for v in self.kits if v.accepted)

    @property
    def tablets(self) -> int:
        """Tablets that would leave, over the kits accepted."""
        return sum(v.tablets for v in self.kits)

    @property
    def from_stock(self) -> int:
        return sum(v.tablets for v in self.kits if not v.from_returned)

    @property
    def from_returned(self) -> int:
        return sum(v.tablets for v in self.kits if v.from_returned)
