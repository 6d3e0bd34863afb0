"""A kit's life in one table: (status, event) -> the new status, or the refusal that says why not
and what to do instead.

Every status a kit is given goes through `transition` (services/stock.py writes it with the
ledger row and the event record of the step). Expired is not a stored status: a kit on the
shelf whose lot's expiry has passed reads as expired (`rules.effective_status`); the table says
which events that refuses (dispensing it, releasing it), given the expiry date as `expired_on`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from dispensary.domain.codes import KitStatus, MovementKind
from dispensary.domain.errors import RuleViolation


class KitEvent(StrEnum):
    """What a workflow step does to one kit."""

    RECEIVE = "receive"
    RECEIVE_QUARANTINED = "receive_quarantined"  # the shipment's temperature record failed
    DISPENSE = "dispense"
    VOID_DISPENSE = "void_dispense"  # a dispense made in error: the kit never left
    RETURN = "return"
    QUARANTINE = "quarantine"  # by hand, or a temperature excursion in its storage area
    RELEASE = "release"
    DESTROY = "destroy"  # destroyed, or returned to the sponsor

    @property
    def label(self) -> str:
        return _EVENT_LABELS[self]


_EVENT_LABELS = {
    KitEvent.RECEIVE: "Received",
    KitEvent.RECEIVE_QUARANTINED: "Received into quarantine",
    KitEvent.DISPENSE: "Dispensed",
    KitEvent.VOID_DISPENSE: "Dispense voided",
    KitEvent.RETURN: "Returned by participant",
    KitEvent.QUARANTINE: "Quarantined",
    KitEvent.RELEASE: "Released from quarantine",
    KitEvent.DESTROY: "Destroyed / returned to sponsor",
}

NOT_IN_STOCK = None
"""The 'status' of a kit number not received yet: the source of the receiving events."""

TRANSITIONS: Mapping[tuple[KitStatus | None, KitEvent], KitStatus] = MappingProxyType(
    {
        (NOT_IN_STOCK, KitEvent.RECEIVE): KitStatus.AVAILABLE,
        (NOT_IN_STOCK, KitEvent.RECEIVE_QUARANTINED): KitStatus.QUARANTINED,
        (KitStatus.AVAILABLE, KitEvent.DISPENSE): KitStatus.DISPENSED,
        (KitStatus.DISPENSED, KitEvent.VOID_DISPENSE): KitStatus.AVAILABLE,
        (KitStatus.DISPENSED, KitEvent.RETURN): KitStatus.RETURNED,
        (KitStatus.AVAILABLE, KitEvent.QUARANTINE): KitStatus.QUARANTINED,
        (KitStatus.QUARANTINED, KitEvent.RELEASE): KitStatus.AVAILABLE,
        (KitStatus.AVAILABLE, KitEvent.DESTROY): KitStatus.DESTROYED,
        (KitStatus.QUARANTINED, KitEvent.DESTROY): KitStatus.DESTROYED,
        (KitStatus.RETURNED, KitEvent.DESTROY): KitStatus.DESTROYED,
    }
)
"""Every move a kit can make. A pair not here is refused with `refusal`'s message."""

REFUSED_WHEN_EXPIRED = frozenset({KitEvent.DISPENSE, KitEvent.RELEASE})
"""Moves of the table that an expired kit may not make: it stays out of stock. (Quarantining an
expired kit, or destroying it, is what should happen to it.)"""

ON_SHELF = frozenset({KitStatus.AVAILABLE, KitStatus.QUARANTINED})
"""The statuses of a kit in the pharmacy's stock: past its lot's expiry, such a kit reads as
expired."""

STORED = tuple(s for s in KitStatus if s is not KitStatus.EXPIRED)
"""The statuses a kit record holds; expired is read from the lot's expiry, never stored."""

MOVEMENTS: Mapping[KitEvent, MovementKind | None] = MappingProxyType(
    {
        KitEvent.RECEIVE: MovementKind.RECEIVE,
        KitEvent.RECEIVE_QUARANTINED: MovementKind.RECEIVE,
        KitEvent.DISPENSE: MovementKind.DISPENSE,
        KitEvent.VOID_DISPENSE: MovementKind.DISPENSE,  # a row reversing the dispense's row
        KitEvent.RETURN: MovementKind.RETURN,  # none when nothing came back
        KitEvent.QUARANTINE: None,
        KitEvent.RELEASE: None,
        KitEvent.DESTROY: MovementKind.DESTROY,  # none when the kit held nothing
    }
)
"""The kind of ledger row each event writes for the kit (None: it moves no tablets)."""

QUARANTINE_ACTIONS: Mapping[KitEvent, str] = MappingProxyType(
    {
        KitEvent.RECEIVE_QUARANTINED: "quarantine",
        KitEvent.QUARANTINE: "quarantine",
        KitEvent.RELEASE: "release",
    }
)
"""The events that write a quarantine event record, with the action it records."""

_DISPENSE_ADVICE = {
    KitStatus.QUARANTINED: "It is quarantined: release it first or take another kit.",
    KitStatus.EXPIRED: "It has expired: set it aside for destruction and take another.",
    KitStatus.DISPENSED: "It has already been dispensed: take another kit.",
    KitStatus.RETURNED: "Returned tablets are never dispensed again: take another kit.",
    KitStatus.DESTROYED: "It has been destroyed: check the kit you scanned.",
}


def transition(
    status: KitStatus | None, event: KitEvent, *, kit: str, expired_on: date | None = None
) -> KitStatus:
    """The status the kit takes after the event, or RuleViolation with the refusal.

    `status` is the stored status (None for a kit not received yet); `expired_on` is the lot's
    expiry date when it has passed (None while the kit is in date)."""
    if status is KitStatus.EXPIRED:
        raise ValueError("expired is not a stored status: give the expiry as expired_on")
    new = TRANSITIONS.get((status, event))
    if new is None or (expired_on is not None and event in REFUSED_WHEN_EXPIRED):
        raise RuleViolation(refusal(status, event, kit=kit, expired_on=expired_on))
    return new


def refusal(
    status: KitStatus | None, event: KitEvent, *, kit: str, expired_on: date | None = None
) -> str:
    """What is wrong with the event for a kit in this status, and what to do instead."""
    shown = "not in stock" if status is None else status.value
    if status is None and event not in (KitEvent.RECEIVE, KitEvent.RECEIVE_QUARANTINED):
        return f"Kit {kit} is not in stock. Check the number, or receive the kit's shipment first."
    match event:
        case KitEvent.RECEIVE | KitEvent.RECEIVE_QUARANTINED:
            return (
                f"Kit {kit} is already in stock; a kit number is received once. "
                "Check the label or the manifest."
            )
        case KitEvent.DISPENSE:
            effective = (
                KitStatus.EXPIRED if expired_on is not None and status in ON_SHELF else status
            )
            assert effective is not None
            advice = _DISPENSE_ADVICE.get(effective, "Take another kit.")
            return f"Kit {kit} is {effective.value}. {advice}"
        case KitEvent.VOID_DISPENSE:
            return (
                f"Kit {kit} is no longer dispensed; cannot void. It is {shown}: look at the "
                "kit's history before correcting the dispense."
            )
        case KitEvent.RETURN:
            if status is KitStatus.RETURNED:
                return (
                    f"The return of kit {kit} is already recorded. To change the count, record "
                    "a correction that names it."
                )
            return (
                f"Kit {kit} is {shown}; only a dispensed kit comes back from a participant. "
                "Check the kit or the dispense."
            )
        case KitEvent.QUARANTINE:
            return f"Kit {kit} is {shown}; only available kits can be quarantined."
        case KitEvent.RELEASE:
            if status is KitStatus.QUARANTINED and expired_on is not None:
                return (
                    f"Kit {kit} expired on {expired_on.isoformat()}; it stays out of stock. "
                    "Destroy it or return it to the sponsor."
                )
            return f"Kit {kit} is {shown}; only quarantined kits can be released."
        case KitEvent.DESTROY:
            advice = (
                "record its return first"
                if status is KitStatus.DISPENSED
                else "it is already destroyed"
            )
            return f"Kit {kit} is {shown}: {advice}."
