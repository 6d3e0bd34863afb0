"""A kit's life in one table: every (status, event) pair moves the kit or is refused with a
message that names the kit and says what to do."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from dispensary.domain.codes import KitStatus, MovementKind
from dispensary.domain.errors import RuleViolation
from dispensary.domain.lifecycle import (
    MOVEMENTS,
    NOT_IN_STOCK,
    QUARANTINE_ACTIONS,
    REFUSED_WHEN_EXPIRED,
    STORED,
    TRANSITIONS,
    KitEvent,
    refusal,
    transition,
)

EXPIRY = date(2026, 1, 10)
SOURCES: tuple[KitStatus | None, ...] = (NOT_IN_STOCK, *STORED)
PAIRS = list(itertools.product(SOURCES, KitEvent))


def test_every_event_has_a_label_of_its_own() -> None:
    labels = [event.label for event in KitEvent]
    assert all(labels) and len(set(labels)) == len(labels)


def test_expired_is_never_stored() -> None:
    assert KitStatus.EXPIRED not in STORED
    assert set(STORED) | {KitStatus.EXPIRED} == set(KitStatus)
    with pytest.raises(ValueError, match="expired is not a stored status"):
        transition(KitStatus.EXPIRED, KitEvent.DESTROY, kit="K1")


@pytest.mark.parametrize(("status", "event"), PAIRS)
def test_every_pair_moves_the_kit_or_is_refused_with_a_message(
    status: KitStatus | None, event: KitEvent
) -> None:
    for expired_on in (None, EXPIRY):
        refused = (status, event) not in TRANSITIONS or (
            expired_on is not None and event in REFUSED_WHEN_EXPIRED
        )
        if not refused:
            assert (
                transition(status, event, kit="K1", expired_on=expired_on)
                is TRANSITIONS[(status, event)]
            )
            continue
        with pytest.raises(RuleViolation) as info:
            transition(status, event, kit="K1", expired_on=expired_on)
        message = info.value.message
        assert message == refusal(status, event, kit="K1", expired_on=expired_on)
        assert "Kit K1 " in message or "kit K1 " in message
        # What is wrong, then what to do: more than one clause.
        assert message.endswith(".") and (":" in message or ";" in message or ". " in message)


def test_the_table_is_what_the_services_do() -> None:
    """Every event moves some kit; every move lands on a stored status; only receipts start from
    a kit not in stock; a destroyed kit moves no more."""
    assert {event for _, event in TRANSITIONS} == set(KitEvent)
    assert set(TRANSITIONS.values()) <= set(STORED)
    assert {event for status, event in TRANSITIONS if status is NOT_IN_STOCK} == {
        KitEvent.RECEIVE,
        KitEvent.RECEIVE_QUARANTINED,
    }
    assert not [pair for pair in TRANSITIONS if pair[0] is KitStatus.DESTROYED]
    assert dict(TRANSITIONS) == {
        (None, KitEvent.RECEIVE): KitStatus.AVAILABLE,
        (None, KitEvent.RECEIVE_QUARANTINED): KitStatus.QUARANTINED,
        (KitStatus.AVAILABLE, KitEvent.DISPENSE): KitStatus.DISPENSED,
        (KitStatus.DISPENSED, KitEvent.VOID_DISPENSE): KitStatus.AVAILABLE,
        (KitStatus.DISPENSED, KitEvent.RETURN): KitStatus.RETURNED,
        # Not brought back: the kit stays out (with the participant, or lost), never on the
        # shelf or held returned, so it cannot be destroyed until a correction counts it back.
        (KitStatus.DISPENSED, KitEvent.NOT_BROUGHT_BACK): KitStatus.DISPENSED,
        (KitStatus.AVAILABLE, KitEvent.QUARANTINE): KitStatus.QUARANTINED,
        (KitStatus.QUARANTINED, KitEvent.RELEASE): KitStatus.AVAILABLE,
        (KitStatus.AVAILABLE, KitEvent.DESTROY): KitStatus.DESTROYED,
        (KitStatus.QUARANTINED, KitEvent.DESTROY): KitStatus.DESTROYED,
        (KitStatus.RETURNED, KitEvent.DESTROY): KitStatus.DESTROYED,
    }


def test_every_event_says_what_it_writes() -> None:
    assert set(MOVEMENTS) == set(KitEvent)
    assert MOVEMENTS[KitEvent.QUARANTINE] is None and MOVEMENTS[KitEvent.RELEASE] is None
    assert MOVEMENTS[KitEvent.VOID_DISPENSE] is MovementKind.DISPENSE  # reversing the dispense
    assert set(QUARANTINE_ACTIONS) == {
        KitEvent.RECEIVE_QUARANTINED,
        KitEvent.QUARANTINE,
        KitEvent.RELEASE,
    }
    assert set(QUARANTINE_ACTIONS.values()) == {"quarantine", "release"}


def test_an_expired_kit_stays_out_of_stock_but_can_be_set_aside_and_destroyed() -> None:
    assert {KitEvent.DISPENSE, KitEvent.RELEASE} == REFUSED_WHEN_EXPIRED
    with pytest.raises(RuleViolation, match=r"^Kit K1 is expired\. Set it aside for destruction"):
        transition(KitStatus.AVAILABLE, KitEvent.DISPENSE, kit="K1", expired_on=EXPIRY)
    with pytest.raises(RuleViolation, match=r"^Kit K1 is expired\. Set it aside for destruction"):
        transition(KitStatus.QUARANTINED, KitEvent.DISPENSE, kit="K1", expired_on=EXPIRY)
    with pytest.raises(
        RuleViolation,
        match=r"^Kit K1 expired on 2026-01-10; it stays out of stock. Destroy it or return it",
    ):
        transition(KitStatus.QUARANTINED, KitEvent.RELEASE, kit="K1", expired_on=EXPIRY)
    assert (
        transition(KitStatus.AVAILABLE, KitEvent.QUARANTINE, kit="K1", expired_on=EXPIRY)
        is KitStatus.QUARANTINED
    )
    for status in (KitStatus.AVAILABLE, KitStatus.QUARANTINED):
        assert (
            transition(status, KitEvent.DESTROY, kit="K1", expired_on=EXPIRY) is KitStatus.DESTROYED
        )
    # A dispensed kit is with the participant: its lot's expiry does not stop a void or return.
    for event in (KitEvent.VOID_DISPENSE, KitEvent.RETURN, KitEvent.NOT_BROUGHT_BACK):
        assert transition(KitStatus.DISPENSED, event, kit="K1", expired_on=EXPIRY) in STORED


@pytest.mark.parametrize(
    ("status", "event", "message"),
    [
        (
            KitStatus.QUARANTINED,
            KitEvent.DISPENSE,
            "Kit K1 is quarantined. Release it from quarantine first, or take another kit.",
        ),
        (
            KitStatus.RETURNED,
            KitEvent.DISPENSE,
            "Kit K1 is returned. A returned kit is never dispensed again: take another kit.",
        ),
        (
            KitStatus.DISPENSED,
            KitEvent.QUARANTINE,
            "Kit K1 is dispensed; only available kits can be quarantined.",
        ),
        (
            KitStatus.AVAILABLE,
            KitEvent.RELEASE,
            "Kit K1 is available; only quarantined kits can be released.",
        ),
        (KitStatus.DISPENSED, KitEvent.DESTROY, "Kit K1 is dispensed: record its return first."),
        (
            KitStatus.DESTROYED,
            KitEvent.DESTROY,
            "Kit K1 is already destroyed. Check the kit you scanned.",
        ),
        (
            KitStatus.AVAILABLE,
            KitEvent.RECEIVE,
            "Kit K1 is already in stock; a kit number is received once. Check the label or "
            "the manifest.",
        ),
        (
            KitStatus.RETURNED,
            KitEvent.RETURN,
            "The return of kit K1 is already recorded. To change the count, record a correction "
            "that names it: select the cycle in the participant's history (Participants) and "
            "choose Correct return count..., or run `dispensary correct-return` with the "
            "return's number, which `dispensary history` shows.",
        ),
        (
            None,
            KitEvent.DISPENSE,
            "Kit K1 is not in stock. Check the number, or receive the kit's shipment first.",
        ),
    ],
)
def test_refusals_keep_their_wording(
    status: KitStatus | None, event: KitEvent, message: str
) -> None:
    with pytest.raises(RuleViolation) as info:
        transition(status, event, kit="K1")
    assert info.value.message == message


def test_a_void_of_a_kit_no_longer_dispensed_says_where_it_is() -> None:
    with pytest.raises(RuleViolation) as info:
        transition(KitStatus.AVAILABLE, KitEvent.VOID_DISPENSE, kit="K1")
    assert info.value.message.startswith("Kit K1 is no longer dispensed; cannot void. It is ")
    assert "available" in info.value.message
