"""Audit tampering: every kind of edit behind the program's back is caught by `audit verify`,
which names the first bad entry; and what it cannot see without an outside anchor, shown.

The edits are made as someone with a database tool would make them: SQL on the file (or the
server), with hashes recomputed where a clever tamperer would recompute them. The database
itself refuses to change or delete a ledger row or an audit entry (migration 0004's triggers):
that is shown first; the tamperer with the file (or the server's owner role) then drops the
triggers, makes the edit and puts them back (tests/tamper.py), and `audit verify` still
catches it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from dispensary.db.engine import is_sqlite
from dispensary.db.models import AuditEntry, ChainHead, LedgerEntry
from dispensary.services import audit, dispensing, participants, receiving, reconciliation, returns
from dispensary.services.audit import audit_content, digest, ledger_content
from dispensary.services.context import Actor, Context
from tamper import triggers_off

from .conftest import Figures


@dataclass(frozen=True)
class Scene:
    """A small pharmacy day whose records the tamperer goes after."""

    dispense_entry: int  # audit entry of the first dispense
    dispense_row: int  # its ledger row
    last_entry: int
    last_row: int
    last_row_entry: int  # the audit entry that wrote the last ledger row


def _sql(ctx: Context, statement: str, triggers: bool = False, **params: object) -> None:
    """The edit, with the append-only triggers dropped first (kept with `triggers=True`)."""
    bind = (
        ctx.engine.execution_options(sqlite_begin="IMMEDIATE")
        if is_sqlite(ctx.engine)
        else ctx.engine
    )
    with bind.begin() as conn:
        if triggers:
            conn.execute(text(statement), params)
            return
        with triggers_off(conn):
            conn.execute(text(statement), params)


def _session(ctx: Context) -> Session:
    return Session(ctx.engine, expire_on_commit=False)


@pytest.fixture
def scene(ctx: Context, pharmacist: Actor, pw: Callable[[Actor], str]) -> Scene:
    secret = pw(pharmacist)
    kits = receiving.kits_from_range(
        ctx, "K0001-K0006", "herombopag-7.5mg", "L1", date(2027, 6, 30), None
    )
    receiving.receive_shipment(ctx, pharmacist, "SH-1", kits)
    for number in ("01-001", "01-002"):
        participants.enroll(ctx, pharmacist, number, "AB", 1970, "F", "Dr Liu")
    first = dispensing.dispense_cycle(ctx, pharmacist, "01-001", 1, date(2026, 1, 5), secret)
    dispensing.dispense_cycle(ctx, pharmacist, "01-002", 1, date(2026, 1, 5), secret)
    returns.record_return(
        ctx, pharmacist, first.kits[0].kit, 2, secret, study_number="01-001", cycle=1
    )
    with _session(ctx) as s:
        entry = s.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == "dispense", AuditEntry.entity_id == first.number
            )
        )
        row = s.scalar(  # the dispense's own row, not its return's (same dispense_id)
            select(LedgerEntry.id).where(
                LedgerEntry.dispense_id == first.dispense_id, LedgerEntry.kind == "dispense"
            )
        )
        last_entry = s.scalar(select(func.max(AuditEntry.id)))
        last_row = s.scalar(select(func.max(LedgerEntry.id)))
        writer = s.scalar(select(AuditEntry.id).where(AuditEntry.action == "return"))
    assert None not in (entry, row, last_entry, last_row, writer)
    assert audit.verify(ctx, pharmacist).ok
    return Scene(
        int(entry or 0), int(row or 0), int(last_entry or 0), int(last_row or 0), int(writer or 0)
    )


def _loaded(ctx: Context, model: type[AuditEntry] | type[LedgerEntry], ids: list[int]) -> list[Any]:
    """Rows read through the models but detached from any session: the program's own guards
    (db.guards) refuse to save a changed one, so the tamperer writes them back with SQL."""
    with _session(ctx) as s:
        rows = list(s.scalars(select(model).where(model.id.in_(ids)).order_by(model.id)))
        s.expunge_all()
    assert [r.id for r in rows] == ids
    return rows


def _write_back(ctx: Context, table: str, rows: list[Any], columns: tuple[str, ...]) -> None:
    assignments = ", ".join(f"{c} = :{c}" for c in columns)
    for row in rows:
        values = {c: getattr(row, c) for c in columns}
        _sql(ctx, f"UPDATE {table} SET {assignments} WHERE id = :id", id=row.id, **values)


def _rehash_audit(ctx: Context, entry_id: int, change: Callable[[AuditEntry], None]) -> None:
    [entry] = _loaded(ctx, AuditEntry, [entry_id])
    change(entry)
    entry.entry_hash = digest(entry.prev_hash, audit_content(entry))
    _write_back(ctx, "audit_entries", [entry], ("reason", "entry_hash"))


def _rehash_ledger(ctx: Context, row_id: int, change: Callable[[LedgerEntry], None]) -> None:
    [row] = _loaded(ctx, LedgerEntry, [row_id])
    change(row)
    row.row_hash = digest(row.prev_hash, ledger_content(row))
    _write_back(ctx, "ledger_entries", [row], ("quantity", "row_hash"))


def _forge_ledger_row(ctx: Context, move_head: bool) -> int:
    """Appends a correctly hashed ledger row (a kit 'found' out of nowhere)."""
    with _session(ctx) as s, s.begin():
        last = s.scalars(select(LedgerEntry).order_by(LedgerEntry.id.desc()).limit(1)).one()
        forged = LedgerEntry(
            id=last.id + 1,
            at=last.at,
            entry_date=last.entry_date,
            kind="adjust",
            quantity=5,
            from_returned=False,
            kit_id=last.kit_id,
            lot_id=last.lot_id,
            product=last.product,
            reason="found: extra",
            user_id=last.user_id,
            prev_hash=last.row_hash,
        )
        forged.row_hash = digest(forged.prev_hash, ledger_content(forged))
        s.add(forged)
        if move_head:
            head = s.get(ChainHead, 1)
            assert head is not None
            head.ledger_count, head.ledger_hash = forged.id, forged.row_hash
        return forged.id


def _forge_audit_entry(ctx: Context) -> int:
    with _session(ctx) as s, s.begin():
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        forged = AuditEntry(
            id=last.id + 1,
            at=last.at,
            user_id=last.user_id,
            username=last.username,
            action="destroy",
            entity="destruction",
            entity_id="99",
            old="",
            new='{"kits":["K0005"]}',
            reason="",
            prev_hash=last.entry_hash,
        )
        forged.entry_hash = digest(forged.prev_hash, audit_content(forged))
        s.add(forged)
        return forged.id


def _set_reason(text_: str) -> Callable[[AuditEntry], None]:
    def change(entry: AuditEntry) -> None:
        entry.reason = text_

    return change


def _set_quantity(quantity: int) -> Callable[[LedgerEntry], None]:
    def change(row: LedgerEntry) -> None:
        row.quantity = quantity

    return change


# Each case: the tampering, then (first bad entry named, words of the message).
Case = Callable[[Context, Scene], tuple[int | None, str]]


def audit_text_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(
        ctx,
        "UPDATE audit_entries SET reason = 'nothing happened' WHERE id = :i",
        i=sc.dispense_entry,
    )
    return sc.dispense_entry, f"audit entry {sc.dispense_entry} was changed"


def audit_values_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(
        ctx,
        "UPDATE audit_entries SET new = REPLACE(new, :was, :now) WHERE id = :i",
        was='"tablets":21',
        now='"tablets":14',
        i=sc.dispense_entry,
    )
    return sc.dispense_entry, f"audit entry {sc.dispense_entry} was changed"


def audit_user_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "UPDATE audit_entries SET username = 'tech' WHERE id = :i", i=sc.dispense_entry)
    return sc.dispense_entry, f"audit entry {sc.dispense_entry} was changed"


def ledger_quantity_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "UPDATE ledger_entries SET quantity = 14 WHERE id = :i", i=sc.dispense_row)
    return sc.dispense_entry, f"ledger row {sc.dispense_row} was changed"


def ledger_kit_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "UPDATE ledger_entries SET kit_id = kit_id + 1 WHERE id = :i", i=sc.dispense_row)
    return sc.dispense_entry, f"ledger row {sc.dispense_row} was changed"


def ledger_middle_row_deleted(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "DELETE FROM ledger_entries WHERE id = :i", i=sc.dispense_row)
    return sc.dispense_entry, f"ledger row {sc.dispense_row} is missing"


def ledger_last_row_deleted(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "DELETE FROM ledger_entries WHERE id = :i", i=sc.last_row)
    return sc.last_row_entry, "are missing"


def audit_last_entry_deleted(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "DELETE FROM audit_entries WHERE id = :i", i=sc.last_entry)
    return sc.last_entry, "audit entries at the end are missing"


def audit_middle_entry_deleted(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "DELETE FROM audit_entries WHERE id = :i", i=sc.dispense_entry)
    return sc.dispense_entry, f"audit entry {sc.dispense_entry} is missing"


def ledger_row_forged(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    forged = _forge_ledger_row(ctx, move_head=False)
    return None, f"ledger row {forged} was added outside the program"


def ledger_row_forged_head_moved(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    forged = _forge_ledger_row(ctx, move_head=True)
    return None, f"ledger row {forged} has no audit entry"


def audit_entry_forged(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    forged = _forge_audit_entry(ctx)
    return forged, f"audit entry {forged} was added outside the program"


def audit_entry_rehashed(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _rehash_audit(ctx, sc.dispense_entry, _set_reason("nothing happened"))
    nxt = sc.dispense_entry + 1  # its own hash matches: the chain breaks at the next entry
    return nxt, f"audit entry {nxt} was changed"


def last_audit_entry_rehashed(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _rehash_audit(ctx, sc.last_entry, _set_reason("nothing happened"))
    return sc.last_entry, "does not match the chain head"


def ledger_row_rehashed(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _rehash_ledger(ctx, sc.dispense_row, _set_quantity(14))
    return sc.dispense_entry, f"ledger row {sc.dispense_row + 1} was changed"


def chain_head_hash_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "UPDATE chain_head SET audit_hash = :h", h="f" * 64)
    return sc.last_entry, "does not match the chain head"


def chain_head_count_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "UPDATE chain_head SET audit_count = audit_count - 1")
    return sc.last_entry, f"audit entry {sc.last_entry} was added outside the program"


def chain_head_ledger_edited(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "UPDATE chain_head SET ledger_hash = :h", h="e" * 64)
    return sc.last_row_entry, "the last ledger row does not match the chain head"


def chain_head_removed(ctx: Context, sc: Scene) -> tuple[int | None, str]:
    _sql(ctx, "DELETE FROM chain_head")
    return None, "the chain head (the last hashes) was removed"


CASES: list[Case] = [
    audit_text_edited,
    audit_values_edited,
    audit_user_edited,
    ledger_quantity_edited,
    ledger_kit_edited,
    ledger_middle_row_deleted,
    ledger_last_row_deleted,
    audit_last_entry_deleted,
    audit_middle_entry_deleted,
    ledger_row_forged,
    ledger_row_forged_head_moved,
    audit_entry_forged,
    audit_entry_rehashed,
    last_audit_entry_rehashed,
    ledger_row_rehashed,
    chain_head_hash_edited,
    chain_head_count_edited,
    chain_head_ledger_edited,
    chain_head_removed,
]


REFUSED_BY_THE_DATABASE = {
    "audit entry edited": "UPDATE audit_entries SET reason = 'nothing happened' WHERE id = :i",
    "ledger row edited": "UPDATE ledger_entries SET quantity = 14 WHERE id = :i",
    "audit entry deleted": "DELETE FROM audit_entries WHERE id = :i",
    "ledger row deleted": "DELETE FROM ledger_entries WHERE id = :i",
}


@pytest.mark.parametrize("edit", sorted(REFUSED_BY_THE_DATABASE))
def test_the_database_refuses_the_edit_while_its_triggers_are_there(
    edit: str, ctx: Context, scene: Scene, monitor: Actor, snapshot: Callable[[Context], Any]
) -> None:
    """SQL on the file (or the server) that does not drop the triggers first changes nothing."""
    before = snapshot(ctx)
    row = scene.dispense_row if "ledger" in edit else scene.dispense_entry
    with pytest.raises(DBAPIError, match="is append-only"):
        _sql(ctx, REFUSED_BY_THE_DATABASE[edit], triggers=True, i=row)
    assert snapshot(ctx) == before
    assert audit.verify(ctx, monitor).ok


@pytest.mark.parametrize("tamper", CASES, ids=[c.__name__ for c in CASES])
def test_tampering_is_caught(
    tamper: Case, ctx: Context, scene: Scene, monitor: Actor, figures: Figures
) -> None:
    first_bad, words = tamper(ctx, scene)
    result = audit.verify(ctx, monitor)
    assert not result.ok
    assert result.first_bad == first_bad, result.message
    assert words in result.message, result.message
    assert "restore the last good backup" in result.message
    found = reconciliation.reconcile(ctx, monitor).discrepancies
    assert found and found[0].kind == "audit_chain", "the reconciliation leads with it"
    figures.add("tampering.cases caught")


def test_state_edits_outside_the_chains_show_in_the_reconciliation(
    ctx: Context, scene: Scene, monitor: Actor, figures: Figures
) -> None:
    """Kit states are not hashed; a kit put back on the shelf by SQL contradicts its ledger."""
    _sql(ctx, "UPDATE kits SET status = 'available' WHERE status = 'dispensed'")
    assert audit.verify(ctx, monitor).ok, "kit states are outside the hash chains"
    kinds = {d.kind for d in reconciliation.reconcile(ctx, monitor).discrepancies}
    assert "status_mismatch" in kinds
    figures.add("tampering.cases caught")


def test_a_whole_rewritten_chain_is_not_detectable_without_an_outside_anchor(
    ctx: Context, scene: Scene, monitor: Actor
) -> None:
    """The limit of a self-contained hash chain, shown rather than claimed: someone with write
    access who edits an entry and recomputes every later hash and the chain head leaves a
    database that verifies. Only a copy of the head kept elsewhere (a printed or e-mailed
    verification code, a backup) would show it."""
    entries = _loaded(ctx, AuditEntry, list(range(1, scene.last_entry + 1)))
    entries[scene.dispense_entry - 1].reason = "rewritten history"
    prev = audit.GENESIS
    for entry in entries:
        entry.prev_hash = prev
        entry.entry_hash = prev = digest(prev, audit_content(entry))
    _write_back(ctx, "audit_entries", entries, ("reason", "prev_hash", "entry_hash"))
    _sql(ctx, "UPDATE chain_head SET audit_hash = :h", h=prev)
    assert audit.verify(ctx, monitor).ok
