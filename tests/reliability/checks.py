"""What "nothing lost, nothing half-written" means, checked on a database after a crash or a
contended run: each returns a list of problems (empty when all is well)."""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select

from dispensary.db.engine import read_transaction, sqlite_path
from dispensary.db.models import (
    AuditEntry,
    Dispense,
    DispenseKit,
    Kit,
    LedgerEntry,
    Return,
    Signature,
)
from dispensary.domain.codes import KitStatus, MovementKind, SignatureMeaning
from dispensary.services import audit, reconciliation
from dispensary.services.context import Actor, Context

OUT = {KitStatus.DISPENSED.value}
AFTER_RETURN = {KitStatus.RETURNED.value, KitStatus.DESTROYED.value}


def integrity(path: Path) -> list[str]:
    """PRAGMA integrity_check on the file, as SQLite itself sees it after recovery."""
    conn = sqlite3.connect(str(path), timeout=30)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()
    return [] if rows == ["ok"] else [f"integrity_check: {rows[:5]}"]


def whole_dispenses(ctx: Context) -> list[str]:
    """Every dispense is whole (its kits, ledger rows, kit states, signature and audit entry
    all there) or absent (none of them there)."""
    found: list[str] = []
    with read_transaction(ctx.engine) as s:
        dispenses = {d.id: d for d in s.scalars(select(Dispense))}
        lines: dict[int, list[DispenseKit]] = defaultdict(list)
        for line in s.scalars(select(DispenseKit)):
            lines[line.dispense_id].append(line)
        ledger: dict[int, list[LedgerEntry]] = defaultdict(list)
        for row in s.scalars(
            select(LedgerEntry).where(LedgerEntry.kind == MovementKind.DISPENSE.value)
        ):
            if row.dispense_id is None:
                found.append(f"dispense ledger row {row.id} names no dispense")
                continue
            ledger[row.dispense_id].append(row)
        signed = Counter(
            sig.record_id
            for sig in s.scalars(
                select(Signature).where(
                    Signature.record_type == "dispense",
                    Signature.meaning == SignatureMeaning.DISPENSED.value,
                )
            )
        )
        audited = Counter(
            e.entity_id
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "dispense"))
        )
        kits = {k.id: k for k in s.scalars(select(Kit))}
        returned = {(r.dispense_id, r.kit_id) for r in s.scalars(select(Return))}

        for orphan in (set(lines) | set(ledger) | set(signed)) - set(dispenses):
            found.append(f"rows of a dispense {orphan} that does not exist")
        for number in set(audited) - {d.number for d in dispenses.values()}:
            found.append(f"audit entry for {number}, which does not exist")
        for d in dispenses.values():
            its_lines = lines.get(d.id, [])
            if not its_lines:
                found.append(f"{d.number} has no kits")
            if sum(x.tablets for x in its_lines) != d.tablets:
                found.append(f"{d.number}: kit lines do not add up to {d.tablets} tablets")
            moves = {(r.kit_id, r.quantity) for r in ledger.get(d.id, [])}
            if moves != {(x.kit_id, x.tablets) for x in its_lines}:
                found.append(f"{d.number}: ledger rows do not match its kits")
            for x in its_lines:
                status = kits[x.kit_id].status
                allowed = AFTER_RETURN if (d.id, x.kit_id) in returned else OUT
                if status not in allowed:
                    found.append(f"{d.number}: kit {kits[x.kit_id].number} is {status}")
            if signed.get(d.id) != 1:
                found.append(f"{d.number}: {signed.get(d.id, 0)} signatures")
            if audited.get(d.number) != 1:
                found.append(f"{d.number}: {audited.get(d.number, 0)} audit entries")

        in_lines = Counter(x.kit_id for xs in lines.values() for x in xs)
        for kit_id, times in in_lines.items():
            if times > 1:
                found.append(f"kit {kits[kit_id].number} is in {times} dispenses")
        for kit in kits.values():
            if kit.status == KitStatus.DISPENSED.value and kit.id not in in_lines:
                found.append(f"kit {kit.number} is dispensed in no dispense")
        cycles = Counter((d.participant_id, d.cycle) for d in dispenses.values())
        for (participant, cycle), times in cycles.items():
            if times > 1:
                found.append(f"participant id {participant} has cycle {cycle} {times} times")
    return found


def books_balance(ctx: Context, actor: Actor) -> list[str]:
    """Reconciliation balances with no status mismatch, and the audit chain verifies."""
    found: list[str] = []
    result = reconciliation.reconcile(ctx, actor)
    # Participant rows hold only what left the pharmacy for them: the stock identity (received =
    # out + on hand + ...) is a property of products, lots and kits.
    for row in (*result.products, *result.lots, *result.kits):
        if not row.balanced:
            found.append(f"{row.scope} {row.key} does not balance")
    for problem in result.discrepancies:
        if problem.kind in ("unbalanced", "status_mismatch", "audit_chain"):
            found.append(f"{problem.kind}: {problem.message}")
    check = audit.verify(ctx, actor)
    if not check.ok:
        found.append(check.message)
    return found


def everything(ctx: Context, actor: Actor) -> list[str]:
    path = sqlite_path(str(ctx.engine.url))
    found = integrity(path) if path is not None else []
    return found + whole_dispenses(ctx) + books_balance(ctx, actor)
