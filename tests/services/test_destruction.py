"""Destruction and return to the sponsor: witnessed, signed, only what is not with a participant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.services import audit, destruction, quarantine, queries, reconciliation, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import P75, receive, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def destroy(ctx: Context, actor: Actor, password: str, kits: list[str], **options: Any) -> Any:
    witness = options.pop("witness", "Tom Tech")
    method = options.pop("method", "incineration")
    return destruction.destroy(ctx, actor, kits, witness, method, password, **options)


def test_unused_stock_is_destroyed(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    result = destroy(ctx, pharmacist, pw(pharmacist), ["K0001", "k0002", "K0001"], reference="D-7")
    assert (result.kits, result.tablets, result.witness, result.to_sponsor) == (
        ("K0001", "K0002"),
        42,
        "Tom Tech",
        False,
    )
    assert result.destroyed_on == date(2026, 1, 5)
    for number in ("K0001", "K0002"):
        kit = queries.kit_detail(ctx, pharmacist, number)
        assert (kit.status, kit.tablets) == (KitStatus.DESTROYED, 0)
    rows = [r for r in queries.ledger_rows(ctx, pharmacist) if r.kind == "destroy"]
    assert [(r.kit, r.quantity, r.from_returned, r.reason) for r in rows] == [
        ("K0001", 21, False, "destroyed: incineration"),
        ("K0002", 21, False, "destroyed: incineration"),
    ]
    [log] = queries.destruction_log(ctx, pharmacist)
    assert (log.kits, log.tablets, log.reference, log.by) == (("K0001", "K0002"), 42, "D-7", "PP")
    assert scalar(ctx, "SELECT meaning FROM signatures WHERE record_type = 'destruction'") == (
        "destroyed"
    )
    assert audit.verify(ctx, pharmacist).ok


def test_returned_kit_destroys_the_held_tablets(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense="DSP000001")
    result = destroy(ctx, pharmacist, pw(pharmacist), ["K0011"])
    assert result.tablets == 3
    last = queries.ledger_rows(ctx, pharmacist)[-1]
    assert (last.kind, last.quantity, last.from_returned) == ("destroy", 3, True)
    [product] = [p for p in reconciliation.reconcile(ctx, pharmacist).products if p.key == P75]
    assert (product.returned, product.destroyed, product.held_returned) == (3, 3, 0)
    assert product.balanced


def test_returned_to_the_sponsor(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    result = destroy(
        ctx, pharmacist, pw(pharmacist), ["K0003"], method="courier to depot", to_sponsor=True
    )
    assert result.to_sponsor
    assert (
        queries.ledger_rows(ctx, pharmacist)[-1].reason == "returned to sponsor: courier to depot"
    )
    assert queries.destruction_log(ctx, pharmacist)[0].to_sponsor


def test_quarantined_and_expired_kits_can_be_destroyed(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    quarantine.quarantine(ctx, pharmacist, ["K0004"], "leaking")
    receive(ctx, pharmacist, "K0900", "SHORT", date(2026, 1, 10))
    clock.set_date(date(2026, 2, 1))
    assert queries.kit_detail(ctx, pharmacist, "K0900").status is KitStatus.EXPIRED
    assert destroy(ctx, pharmacist, pw(pharmacist), ["K0004", "K0900"]).tablets == 42


@pytest.mark.parametrize(
    ("witness", "error", "words"),
    [
        ("", InvalidInput, "Give the witness's name"),
        ("pharm", RuleViolation, "The witness must be another person"),
        ("paula pharm", RuleViolation, "The witness must be another person"),
    ],
)
def test_witness_required_and_not_oneself(
    ctx: Context,
    stock: Stock,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    witness: str,
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], witness=witness)


def test_dispensed_kit_is_refused(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    with refused(ctx, RuleViolation, "Kit K0011 is dispensed: record its return first"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001", "K0011"])


def test_destroyed_twice_is_refused(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    destroy(ctx, pharmacist, pw(pharmacist), ["K0001"])
    with refused(ctx, RuleViolation, "Kit K0001 is destroyed: it is already destroyed"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"])


@pytest.mark.parametrize(
    ("kits", "options", "error", "words"),
    [
        ([], {}, InvalidInput, "Name at least one kit to destroy"),
        (["K0001"], {"method": ""}, InvalidInput, "Give the method"),
        (["K0001"], {"destroyed_on": date(2026, 1, 6)}, InvalidInput, "is in the future"),
        (["K0001", "Z9"], {}, NotFound, "Kit Z9 is not in this pharmacy's stock"),
    ],
)
def test_malformed_destructions(
    ctx: Context,
    stock: Stock,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    kits: list[str],
    options: dict[str, Any],
    error: type[Exception],
    words: str,
) -> None:
    with refused(ctx, error, words):
        destroy(ctx, pharmacist, pw(pharmacist), kits, **options)


def test_signature_and_role(
    ctx: Context,
    stock: Stock,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    with refused(ctx, SignatureFailed, "signature password for pharm is wrong"):
        destroy(ctx, pharmacist, "nope-nope-1", ["K0001"])
    with refused(ctx, NotPermitted, "tech (technician) may not destroy stock"):
        destroy(ctx, technician, pw(technician), ["K0001"], witness="Paula Pharm")
