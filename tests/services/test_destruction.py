"""Destruction and return to the sponsor: witnessed, signed, only what is not with a participant."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from dispensary.domain.codes import DestructionReason, KitStatus
from dispensary.domain.errors import (
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.services import (
    audit,
    destruction,
    inventory_pages,
    quarantine,
    queries,
    reconciliation,
    returns,
    users,
)
from dispensary.services.assessment import DestroyCheck, DestroyRequest
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from signed import seen_now

from .conftest import Stock
from .helpers import P75, TECH_PASSWORD, receive, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def destroy(ctx: Context, actor: Actor, password: str, kits: list[str], **options: Any) -> Any:
    """A destruction witnessed by Tom Tech (user `tech`, signing), authorised by the sponsor,
    with the reason code in-date kits need."""
    witness = options.pop("witness", "tech")
    method = options.pop("method", "incineration")
    options.setdefault("witness_password", TECH_PASSWORD)
    options.setdefault("reference", "AUTH-1")
    options.setdefault("reason_code", DestructionReason.STUDY_CLOSED)
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
    result = destroy(ctx, pharmacist, pw(pharmacist), ["K0011"], unseen_returns_ok=True)
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
        ("", InvalidInput, "Give the witness's user name"),
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
    with refused(ctx, RuleViolation, "Kit K0001 is already destroyed. Check the kit you scanned."):
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
        destroy(ctx, technician, pw(technician), ["K0001"], witness="pharm")


# -- issue 12: destruction as a controlled step --------------------------------------------------


def test_in_date_kit_to_the_bin_with_ones_own_name_reversed_as_witness_is_refused(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """The finding: an in-date kit destroyed by method "bin", witnessed by "Pharm Paula" (the
    destroyer's own name reversed), was accepted. The witness is now a user who signs, and an
    in-date kit needs the reason code of the sponsor's authorisation."""
    with refused(ctx, NotFound, "There is no user 'Pharm Paula'"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], witness="Pharm Paula", method="bin")
    with refused(ctx, InvalidInput, "Kit K0001 is still in date and unused"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], method="bin", reason_code=None)
    with refused(ctx, InvalidInput, "That is not a destruction reason code"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], method="bin", reason_code="bin")
    with refused(ctx, InvalidInput, "Give the sponsor's destruction authorisation reference"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], reference="  ")


def test_the_witness_signs_with_their_own_password(
    ctx: Context,
    stock: Stock,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    with pytest.raises(
        SignatureFailed, match="The witness's password is wrong: tech, the witness, signs"
    ) as failed:
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], witness_password="x")
    assert failed.value.signer == "tech"
    assert queries.kit_detail(ctx, pharmacist, "K0001").status is KitStatus.AVAILABLE
    assert scalar(ctx, "SELECT failed_attempts FROM users WHERE username = 'tech'") == 1
    assert scalar(ctx, "SELECT failed_attempts FROM users WHERE username = 'pharm'") == 0
    result = destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], reason_code="damaged")
    assert (result.witness, result.reference, result.reason_code) == (
        "Tom Tech",
        "AUTH-1",
        "damaged",
    )
    with ctx.engine.connect() as conn:
        signed = conn.execute(
            text(
                "SELECT s.meaning, u.username FROM signatures s JOIN users u ON u.id = s.user_id "
                "WHERE s.record_type = 'destruction' ORDER BY s.id"
            )
        ).all()
    assert [tuple(r) for r in signed] == [("destroyed", "pharm"), ("witnessed", "tech")]
    assert scalar(ctx, "SELECT witness_id FROM destructions") == scalar(
        ctx, "SELECT id FROM users WHERE username = 'tech'"
    )
    assert scalar(ctx, "SELECT reason_code FROM destructions") == "damaged"


def test_the_witness_is_another_active_user(
    ctx: Context, stock: Stock, pharmacist: Actor, admin: Actor, pw: Password, refused: Refused
) -> None:
    users.set_active(ctx, admin, "tech", False, "left the site")
    with refused(ctx, NotPermitted, "tech cannot witness: the account is not active"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"])


def test_returned_tablets_are_not_destroyed_before_their_return(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """The finding: returned tablets were destroyed on a date before they were dispensed."""
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense="DSP000001")
    with refused(ctx, RuleViolation, "Kit K0011 was returned on 2026-01-26: it cannot have"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0011"], destroyed_on=date(2026, 1, 4))
    with refused(ctx, RuleViolation, "Kit K0011 was returned on 2026-01-26"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0011"], destroyed_on=date(2026, 1, 25))
    done = destroy(
        ctx, pharmacist, pw(pharmacist), ["K0011"], reason_code=None, unseen_returns_ok=True
    )
    assert (done.destroyed_on, done.tablets, done.reason_code) == (date(2026, 1, 26), 3, None)


def test_returned_tablets_no_monitor_has_seen_need_an_acknowledgement(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """Returned tablets "held for the monitor" were destroyed, with no word, though recorded
    after the monitor's last sign-off: the assessment warns, and the step needs the
    acknowledgement, written into its audit entry. Once a monitor signed off after the return,
    nothing is asked."""
    clock.set_date(date(2026, 1, 20))
    reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense="DSP000001")
    request = DestroyRequest(["K0011"], "tech", "incineration", reference="AUTH-1")
    found = destruction.assess_destroy(ctx, pharmacist, request)
    warning = (
        "Returned tablets no monitor has seen: kit K0011 (returned 2026-01-26), recorded after "
        "the monitor's last sign-off (2026-01-20)."
    )
    assert found.warnings == (warning,) and found.unseen_returns == ("K0011",)
    assert [r.code for r in found.refusals] == [DestroyCheck.UNSEEN_RETURNS]
    with refused(ctx, RuleViolation, warning + " Destroying them needs an explicit"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0011"])
    acknowledged = replace(request, unseen_returns_ok=True)
    found = destruction.assess_destroy(ctx, pharmacist, acknowledged)
    assert found.accepted and found.warnings == (warning,)  # said, not refused
    done = destroy(ctx, pharmacist, pw(pharmacist), ["K0011"], unseen_returns_ok=True)
    assert done.tablets == 3
    [entry] = audit.list_entries(ctx, pharmacist, action="destroy")
    assert json.loads(entry.new)["unseen_returns_acknowledged"] == ["K0011"]


def test_returned_tablets_no_monitor_has_seen_are_named_by_their_return_day(
    ctx: Context, cycle1_ended: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """The finding: a return brought back on 2026-01-21 and entered on 2026-01-26 was said
    "(returned 2026-01-26)", the day it was entered: the kit is named by its return's date."""
    returns.record_return(
        ctx,
        pharmacist,
        "K0011",
        3,
        pw(pharmacist),
        dispense="DSP000001",
        returned_on=date(2026, 1, 21),
    )
    request = DestroyRequest(["K0011"], "tech", "incineration", reference="AUTH-1")
    found = destruction.assess_destroy(ctx, pharmacist, request)
    assert found.warnings == (
        "Returned tablets no monitor has seen: kit K0011 (returned 2026-01-21); no monitor "
        "has signed off the reconciliation yet.",
    )


def test_returned_tablets_the_monitor_has_signed_off_are_destroyed_without_a_word(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense="DSP000001")
    request = DestroyRequest(["K0011"], "tech", "incineration", reference="AUTH-1")
    assert destruction.assess_destroy(ctx, pharmacist, request).unseen_returns == ("K0011",)
    reconciliation.sign_off(
        ctx, pharmacist, pw(pharmacist), seen=seen_now(ctx)
    )  # a pharmacist's: not the monitor's
    assert destruction.assess_destroy(ctx, pharmacist, request).unseen_returns == ("K0011",)
    clock.set_date(date(2026, 1, 27))
    reconciliation.sign_off(ctx, monitor, pw(monitor), seen=seen_now(ctx))
    found = destruction.assess_destroy(ctx, pharmacist, request)
    assert found.accepted and found.warnings == () and found.unseen_returns == ()
    destroy(ctx, pharmacist, pw(pharmacist), ["K0011"])
    [entry] = audit.list_entries(ctx, pharmacist, action="destroy")
    assert "unseen_returns_acknowledged" not in json.loads(entry.new)


def test_returned_tablets_a_monitor_witnesses_are_seen(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """The monitor who witnesses the destruction sees the returned tablets: no "no monitor has
    seen" warning, no acknowledgement, none on the certificate."""
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 3, pw(pharmacist), dispense="DSP000001")
    request = DestroyRequest(["K0011"], "monitor", "incineration", reference="AUTH-1")
    found = destruction.assess_destroy(ctx, pharmacist, request)
    assert (found.warnings, found.unseen_returns) == ((), ())
    destroy(
        ctx, pharmacist, pw(pharmacist), ["K0011"], witness="monitor",
        witness_password=pw(monitor), unseen_returns_ok=False,
    )  # fmt: skip
    [entry] = audit.list_entries(ctx, pharmacist, action="destroy")
    assert "unseen_returns_acknowledged" not in json.loads(entry.new)
    [row] = queries.destruction_log(ctx, pharmacist)
    assert row.unseen_returns == ()


def test_stock_is_not_destroyed_before_its_receipt(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    received = queries.kit_detail(ctx, pharmacist, "K0001")
    with refused(ctx, RuleViolation, "Kit K0001 was received on"):
        destroy(ctx, pharmacist, pw(pharmacist), ["K0001"], destroyed_on=date(2025, 12, 1))
    assert received.status is KitStatus.AVAILABLE


def test_the_log_lists_tablets_per_product_and_lot_with_both_signatures(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, pw: Password
) -> None:
    """The finding: the log gave one line of "92 tablets" across strengths and lots."""
    destroy(ctx, pharmacist, pw(pharmacist), ["K0001", "K0002", "K0011", "S0001"])
    [log] = queries.destruction_log(ctx, pharmacist)
    lines = [(x.product, x.lot, x.kits, x.tablets, x.from_returned) for x in log.lines]
    name = "herombopag (hetrombopag olamine)"
    small = queries.kit_detail(ctx, pharmacist, "S0001")
    assert lines == [
        (f"{name} 2.5 mg", "S1", ("S0001",), lines[0][3], False),
        (f"{name} 7.5 mg", "L1", ("K0001", "K0002"), 42, False),
        (f"{name} 7.5 mg", "L2", ("K0011",), 21, False),
    ]
    assert small.status is KitStatus.DESTROYED and lines[0][3] > 0
    assert log.tablets == sum(x.tablets for x in log.lines)
    assert [(s.name, s.meaning) for s in log.signatures] == [
        ("Paula Pharm", "destroyed"),
        ("Tom Tech", "witnessed"),
    ]
    assert all(s.at == clock.now() for s in log.signatures)
    assert log.reason_code is DestructionReason.STUDY_CLOSED


@pytest.mark.parametrize("looked_up", [queries.LOOKED_UP, 0])
def test_a_kit_destroyed_empty_is_named_by_its_own_destruction_on_the_inventory(
    ctx: Context,
    clock: FixedClock,
    cycle1: DispenseResult,
    pharmacist: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
    looked_up: int,
) -> None:
    """A kit brought back empty leaves no ledger row when destroyed: only its destruction's
    list of kits names it (found on PostgreSQL by that list's index, migration 0011; with
    more such kits than queries.LOOKED_UP, as in a whole study's list, every list read once).
    The inventory page says which destruction ended each kit, and when."""
    monkeypatch.setattr(queries, "LOOKED_UP", looked_up)
    clock.set_date(date(2026, 1, 26))
    returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), dispense="DSP000001")
    destroy(ctx, pharmacist, pw(pharmacist), ["K0011", "K0012"])
    clock.set_date(date(2026, 1, 28))
    destroy(ctx, pharmacist, pw(pharmacist), ["K0013"], method="courier", to_sponsor=True)
    destroyed = "SELECT COUNT(*) FROM ledger_entries WHERE kind = 'destroy' AND kit_id = "
    assert scalar(ctx, destroyed + "(SELECT id FROM kits WHERE number = 'K0011')") == 0
    page = inventory_pages.inventory_page(ctx, pharmacist, inventory_pages.KitQuery(), 0, 100)
    where = {row.number: row.where for row in page}
    assert where["K0011"] == where["K0012"] == "destroyed on 2026-01-26"
    assert where["K0013"] == "returned to the sponsor on 2026-01-28"
    assert where["K0014"] == ctx.study.storage_area


@pytest.mark.parametrize(
    ("numbers", "start"),
    [
        (["K0011"], '"K0011'),
        (["K0011", "K0012", "K0019"], '"K001'),
        (["K1", "S1"], ""),
        (["KÉ01", "KÉ02"], '"K'),  # written \\u00c9 by json.dumps
        (['K"1', 'K"2'], '"K'),  # written \\"
        (["K\\1", "K\\2"], '"K'),
    ],
)
def test_the_lists_naming_a_page_of_kits_hold_their_common_start(
    numbers: list[str], start: str
) -> None:
    """SQLite parses only the destructions' lists holding the page's kits' common start as
    json.dumps writes it (queries._json_start): every list naming one of them holds it."""
    assert queries._json_start(numbers) == start
    assert all(start in json.dumps(["X", number, "Y"]) for number in numbers)
