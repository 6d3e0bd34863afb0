"""Kit status changes in one place: every status written goes through `stock.move_kit` and the
lifecycle table; quarantine at receipt writes its quarantine event; a void is a row of its own,
and "voided" is read from that row everywhere."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session

import dispensary
import signed
from dispensary.db import facts
from dispensary.db.models import DispenseVoid, Kit
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import RuleViolation
from dispensary.domain.lifecycle import TRANSITIONS, KitEvent
from dispensary.services import (
    audit,
    destruction,
    dispensing,
    quarantine,
    queries,
    reconciliation,
    report_data,
    returns,
    stock,
    temperature,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import P75, WITNESSED, busy_pharmacy, receive, scalar, sql

Refused = Callable[..., Any]
Password = Callable[[Actor], str]
Move = tuple[KitStatus | None, KitEvent, KitStatus]
SERVICES = Path(dispensary.__file__).resolve().parent / "services"
MOVERS = (stock.move_kit.__code__, stock.receive_kits.__code__)
"""Where a kit's status is set: one kit's move, and a shipment's kits received at once."""


@pytest.fixture
def moves(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[list[Move], list[str]]]:
    """Every kit status set while the test runs, on the object or by a Core UPDATE of a
    direct step (facts.update): (status before, event, status after) when set by
    `stock.move_kit` (or `stock.receive_kits`), else where it was set from."""
    done: list[Move] = []
    outside: list[str] = []
    core_update = facts.update

    def updated(session: Session, row: Any, **values: Any) -> None:
        if isinstance(row, Kit) and "status" in values:
            on_set(row, values["status"], None, None, depth=2)
        core_update(session, row, **values)

    monkeypatch.setattr(facts, "update", updated)

    def on_set(kit: Kit, value: str, _old: Any, _initiator: Any, depth: int = 1) -> None:
        frame = sys._getframe(depth)
        while frame is not None and frame.f_code not in MOVERS:
            frame = frame.f_back  # type: ignore[assignment]
        if frame is None:
            caller = sys._getframe(depth)
            outside.append(f"{kit.number} -> {value} at {caller.f_code.co_filename}")
            return
        status, kit_event = frame.f_locals["status"], frame.f_locals["event"]
        done.append((status, kit_event, KitStatus(value)))

    event.listen(Kit.status, "set", on_set)
    try:
        yield done, outside
    finally:
        event.remove(Kit.status, "set", on_set)


def test_every_status_change_is_a_move_of_the_table(
    ctx: Context,
    clock: FixedClock,
    moves: tuple[list[Move], list[str]],
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    stock: Stock,
    enrolled: str,
) -> None:
    """A day of every workflow that changes a kit: each change is a move of the table, made by
    `stock.move_kit`, and every move of the table is made by some workflow."""
    password = pw(pharmacist)
    receive(ctx, pharmacist, "K0100", temperature_ok=False)
    busy_pharmacy(ctx, clock, pharmacist, password)  # dispense, void, return, destroy
    returns.record_return(  # cycle 2's kit (K0012): its return recorded, the kit still out
        ctx, pharmacist, "K0012", 0, password, dispense="DSP000004", outcome="not_brought_back"
    )
    quarantine.quarantine(ctx, technician, ["K0002"], "box crushed")
    signed.release(ctx, pharmacist, ["K0002"], "sponsor: use", "TE-2026-014")
    destruction.destroy(ctx, pharmacist, ["K0100"], "tech", "incineration", password, **WITNESSED)
    log = "timestamp,celsius\n2026-01-25T08:00:00+00:00,21.0\n2026-01-25T09:00:00+00:00,31.0\n"
    [excursion] = temperature.import_logger(ctx, technician, "IP store 1", log)
    assert excursion.kits_quarantined

    done, outside = moves
    assert outside == []
    for before, kit_event, after in done:
        assert TRANSITIONS.get((before, kit_event)) is after, (before, kit_event, after)
    assert {(before, kit_event) for before, kit_event, _ in done} == set(TRANSITIONS)
    assert audit.verify(ctx, pharmacist).ok


def test_a_refused_move_writes_no_status(
    ctx: Context,
    cycle1: DispenseResult,
    moves: tuple[list[Move], list[str]],
    pharmacist: Actor,
    refused: Refused,
) -> None:
    with refused(ctx, RuleViolation, "Kit K0011 is dispensed; only available kits can be quar"):
        quarantine.quarantine(ctx, pharmacist, ["K0011"], "recall")
    assert moves == ([], [])


def test_no_service_sets_a_kit_status_itself() -> None:
    """A supplement to the test above, for paths no test runs: only stock.py assigns `.status`
    in the services (a participant's status is not a kit's)."""
    assignment = re.compile(r"\.status\s*=(?!=)")
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(SERVICES.rglob("*.py"))
        if path.name != "stock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if assignment.search(line) and "participant.status" not in line
    ]
    assert found == []


# -- quarantine at receipt ----------------------------------------------------------------------


def test_quarantine_at_receipt_writes_its_quarantine_event(
    ctx: Context, pharmacist: Actor, technician: Actor
) -> None:
    receive(ctx, pharmacist, "K0001-K0002", shipment="SH-7", temperature_ok=False)
    receive(ctx, pharmacist, "K0003", shipment="SH-8")  # in good order: no event
    rows = report_data.quarantine_log(ctx, technician)
    why = "shipment SH-7 received with its temperature record not acceptable"
    assert [(r.kit, r.action, r.reason, r.by, r.excursion_id) for r in rows] == [
        ("K0001", "quarantine", why, "PP", None),
        ("K0002", "quarantine", why, "PP", None),
    ]
    # The receipt, its kits' events and its ledger rows are one step with one audit entry.
    [entry] = audit.list_entries(ctx, technician, action="receive", text="SH-7")
    assert {r.at for r in rows} == {entry.at}
    released = signed.release(
        ctx, pharmacist, ["K0001"], "sponsor: temperature data fine", "TE-2026-014"
    )
    assert released.status is KitStatus.AVAILABLE
    assert [r.action for r in report_data.quarantine_log(ctx, technician)] == [
        "quarantine",
        "quarantine",
        "release",
    ]


# -- a void is a row of its own -----------------------------------------------------------------


def void_rows(ctx: Context) -> list[Any]:
    with ctx.engine.connect() as conn:
        return list(
            conn.execute(text("SELECT id, dispense_id, reason, user_id FROM dispense_voids"))
        )


def test_a_void_writes_its_row_and_a_second_void_is_refused(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    dispensing.void_dispense(ctx, pharmacist, "DSP000001", "wrong label", pw(pharmacist))
    [(void_id, dispense_id, reason, user_id)] = void_rows(ctx)
    assert (dispense_id, reason, user_id) == (1, "wrong label", pharmacist.user_id)
    [entry] = audit.list_entries(ctx, pharmacist, action="dispense_voided")
    assert json.loads(entry.new)["void"] == void_id
    with Session(ctx.engine) as session:
        void = session.scalars(select(DispenseVoid)).one()
        assert void.at == entry.at
    with refused(ctx, RuleViolation, "Dispense DSP000001 has already been voided."):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "again", pw(pharmacist))
    assert len(void_rows(ctx)) == 1
    assert scalar(ctx, "SELECT status FROM kits WHERE number = 'K0011'") == "available"


def test_a_refused_void_writes_no_void_row(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    sql(ctx, "UPDATE kits SET status = 'available' WHERE number = 'K0011'")  # behind our back
    with refused(ctx, RuleViolation, "Kit K0011 is no longer dispensed; cannot void"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "typo", pw(pharmacist))
    assert void_rows(ctx) == []


def test_voided_is_read_from_the_void_row_everywhere(
    ctx: Context, cycle1: DispenseResult, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    """A void row alone (its ledger rows left as they were, as no program would) makes every
    view read the dispense as voided: none works it out from the ledger's sums."""
    with ctx.engine.begin() as conn:  # Core: no step, no audit entry (the recorder's refusal)
        conn.execute(
            insert(DispenseVoid).values(
                dispense_id=1, reason="test", user_id=pharmacist.user_id, at=ctx.clock.now()
            )
        )
    row = queries.participant(ctx, pharmacist, "01-001")
    assert (row.last_cycle, row.next_cycle) == (None, 1)
    assert queries.current_dose_level(ctx, pharmacist, "01-001") == 0
    [line] = report_data.lot_trace(ctx, pharmacist, "L2").dispenses
    assert line.voided
    with refused(ctx, RuleViolation, "Dispense DSP000001 was voided: it has no label"):
        report_data.dispense_for_label(ctx, pharmacist, "DSP000001")
    with refused(ctx, RuleViolation, "Dispense DSP000001 was voided: its kits never left"):
        returns.record_return(ctx, pharmacist, "K0011", 0, pw(pharmacist), dispense="DSP000001")
    with refused(ctx, RuleViolation, "Dispense DSP000001 has already been voided"):
        dispensing.void_dispense(ctx, pharmacist, "DSP000001", "again", pw(pharmacist))
    assert reconciliation.reconcile(ctx, pharmacist).participants == ()


def test_a_voided_dispense_shows_in_the_lot_trace(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
) -> None:
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))  # DSP000002 (K0001, lot L1) voided
    trace = report_data.lot_trace(ctx, pharmacist, "L1")
    assert [(r.dispense, r.kit, r.voided) for r in trace.dispenses] == [
        ("DSP000002", "K0001", True)
    ]
    assert trace.product == P75
