"""Destroying stock, or returning it to the sponsor: witnessed, signed, one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from dispensary.db.engine import write_transaction
from dispensary.db.models import Destruction
from dispensary.domain.accountability import balance_of
from dispensary.domain.codes import KitStatus, MovementKind, SignatureMeaning
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import check_not_future, check_text
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kits, kit_movements, stock_movement
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import require
from dispensary.services.results import DestroyResult
from dispensary.services.users import check_signature, presign

DESTROYABLE = {KitStatus.AVAILABLE, KitStatus.QUARANTINED, KitStatus.RETURNED, KitStatus.EXPIRED}


def destroy(
    ctx: Context,
    actor: Actor,
    kits: Sequence[str],
    witness: str,
    method: str,
    password: str,
    destroyed_on: date | None = None,
    reference: str = "",
    to_sponsor: bool = False,
) -> DestroyResult:
    """Unused stock leaves the shelf; returned tablets leave the monitor's hold."""
    require(actor, "destroy")
    if not kits:
        raise InvalidInput("Name at least one kit to destroy.")
    today = ctx.clock.today()
    day = check_not_future(destroyed_on, today, "destruction date")
    witness_name = check_text(witness, "witness's name", limit=120)
    if witness_name.lower() in (actor.username.lower(), actor.full_name.lower()):
        raise RuleViolation("The witness must be another person than the one destroying.")
    how = check_text(method, "method (e.g. incineration, or return to sponsor)", limit=200)
    ref = check_text(reference, "reference", required=False, limit=120)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        records = get_kits(session, kits)
        rec = Recorder(session, actor, ctx.clock.now())
        destruction = Destruction(
            destroyed_on=day,
            method=how,
            witness=witness_name,
            reference=ref,
            to_sponsor=to_sponsor,
            user_id=actor.user_id,
            kits=json.dumps([k.number for k in records]),
            created_at=rec.now,
        )
        session.add(destruction)
        session.flush()
        total = 0
        for kit in records:
            status = KitStatus(kit.status)
            if status not in DESTROYABLE:
                advice = (
                    "record its return first"
                    if status is KitStatus.DISPENSED
                    else "it is already destroyed"
                )
                raise RuleViolation(f"Kit {kit.number} is {status.value}: {advice}.")
            balance = balance_of(kit_movements(session, kit.id))
            from_returned = status is KitStatus.RETURNED
            quantity = balance.held_returned if from_returned else balance.on_hand
            kit.status = KitStatus.DESTROYED.value
            if quantity:
                rec.ledger(
                    stock_movement(
                        kit,
                        MovementKind.DESTROY,
                        quantity,
                        day,
                        ("returned to sponsor: " if to_sponsor else "destroyed: ") + how,
                        destruction_id=destruction.id,
                        from_returned=from_returned,
                    )
                )
            total += quantity
        check_signature(
            session, actor, password, SignatureMeaning.DESTROYED, "destruction", destruction.id, rec
        )
        rec.audit(
            "destroy",
            "destruction",
            destruction.id,
            {
                "kits": [k.number for k in records],
                "tablets": total,
                "method": how,
                "witness": witness_name,
                "reference": ref,
                "to_sponsor": to_sponsor,
                "destroyed_on": day,
            },
        )
        return DestroyResult(
            destruction.id,
            tuple(k.number for k in records),
            total,
            how,
            witness_name,
            to_sponsor,
            day,
        )
