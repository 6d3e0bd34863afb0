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
from dispensary.i18n import N_, _


class KitEvent(StrEnum):
    """What a workflow step does to one kit."""

    RECEIVE = "receive"
    RECEIVE_QUARANTINED = "receive_quarantined"  # the shipment's temperature record failed
    DISPENSE = "dispense"
    VOID_DISPENSE = "void_dispense"  # a dispense made in error: the kit never left
    RETURN = "return"
    NOT_BROUGHT_BACK = "not_brought_back"  # its return recorded, the kit still out (or lost)
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
    KitEvent.NOT_BROUGHT_BACK: "Not brought back by participant",
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
        # The return records the kit as not brought back: it is not in the pharmacy, so it
        # stays out with the participant (or lost) until a correction counts it back.
        (KitStatus.DISPENSED, KitEvent.NOT_BROUGHT_BACK): KitStatus.DISPENSED,
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
        KitEvent.NOT_BROUGHT_BACK: None,  # nothing came back
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
    KitStatus.QUARANTINED: N_("Release it from quarantine first, or take another kit."),
    KitStatus.EXPIRED: N_("Set it aside for destruction and take another kit."),
    KitStatus.DISPENSED: N_("Take another kit."),
    KitStatus.RETURNED: N_("A returned kit is never dispensed again: take another kit."),
    KitStatus.DESTROYED: N_("Check the kit you scanned."),
}

STATUS_WORDS: Mapping[KitStatus | None, str] = MappingProxyType(
    {
        NOT_IN_STOCK: N_("not in stock"),
        KitStatus.AVAILABLE: N_("available"),
        KitStatus.QUARANTINED: N_("quarantined"),
        KitStatus.DISPENSED: N_("dispensed"),
        KitStatus.RETURNED: N_("returned"),
        KitStatus.DESTROYED: N_("destroyed"),
        KitStatus.EXPIRED: N_("expired"),
    }
)
"""A kit's status as a sentence says it ("Kit K0001 is quarantined"): the status's own value in
English, translated where shown."""


def status_word(status: KitStatus | str | None) -> str:
    """The status in the reader's language, for a sentence; a value that is no status (a
    damaged record) is shown as stored."""
    if status is None:
        return _(STATUS_WORDS[NOT_IN_STOCK])
    try:
        return _(STATUS_WORDS[KitStatus(status)])
    except ValueError:
        return str(status)


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
    shown = status_word(status)
    if status is None and event not in (KitEvent.RECEIVE, KitEvent.RECEIVE_QUARANTINED):
        return _(
            "Kit {kit} is not in stock. Check the number, or receive the kit's shipment first."
        ).format(kit=kit)
    match event:
        case KitEvent.RECEIVE | KitEvent.RECEIVE_QUARANTINED:
            return _(
                "Kit {kit} is already in stock; a kit number is received once. "
                "Check the label or the manifest."
            ).format(kit=kit)
        case KitEvent.DISPENSE:
            effective = (
                KitStatus.EXPIRED if expired_on is not None and status in ON_SHELF else status
            )
            assert effective is not None
            advice = _(_DISPENSE_ADVICE.get(effective, N_("Take another kit.")))
            return _("Kit {kit} is {status}. {advice}").format(
                kit=kit, status=status_word(effective), advice=advice
            )
        case KitEvent.VOID_DISPENSE:
            return _(
                "Kit {kit} is no longer dispensed; cannot void. It is {status}: look at the "
                "kit's history before correcting the dispense."
            ).format(kit=kit, status=shown)
        case KitEvent.RETURN | KitEvent.NOT_BROUGHT_BACK:
            if status is KitStatus.RETURNED:
                return _(
                    "The return of kit {kit} is already recorded. To change the count, record "
                    "a correction that names it: select the cycle in the participant's history "
                    "(Participants) and choose Correct return count..., or run `dispensary "
                    "correct-return` with the return's number, which `dispensary history` shows."
                ).format(kit=kit)
            return _(
                "Kit {kit} is {status}; only a dispensed kit comes back from a participant. "
                "Check the kit or the dispense."
            ).format(kit=kit, status=shown)
        case KitEvent.QUARANTINE:
            return _("Kit {kit} is {status}; only available kits can be quarantined.").format(
                kit=kit, status=shown
            )
        case KitEvent.RELEASE:
            if status is KitStatus.QUARANTINED and expired_on is not None:
                return _(
                    "Kit {kit} expired on {expiry}; it stays out of stock. "
                    "Destroy it or return it to the sponsor."
                ).format(kit=kit, expiry=expired_on.isoformat())
            return _("Kit {kit} is {status}; only quarantined kits can be released.").format(
                kit=kit, status=shown
            )
        case KitEvent.DESTROY:
            if status is KitStatus.DISPENSED:
                return _("Kit {kit} is {status}: record its return first.").format(
                    kit=kit, status=shown
                )
            return _("Kit {kit} is already destroyed. Check the kit you scanned.").format(kit=kit)
