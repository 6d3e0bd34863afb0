"""Quarantine and release: kits set aside (damage, excursion) until the sponsor decides."""

from __future__ import annotations

from collections.abc import Sequence

from dispensary.db.engine import write_transaction
from dispensary.db.models import QuarantineEvent
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.rules import check_text
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kits
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import require
from dispensary.services.results import StatusChange


def quarantine(ctx: Context, actor: Actor, kits: Sequence[str], reason: str) -> StatusChange:
    return _change(ctx, actor, kits, reason, "quarantine")


def release(ctx: Context, actor: Actor, kits: Sequence[str], reason: str) -> StatusChange:
    return _change(ctx, actor, kits, reason, "release")


def _change(
    ctx: Context, actor: Actor, kits: Sequence[str], reason: str, action: str
) -> StatusChange:
    require(actor, action)
    if not kits:
        raise InvalidInput(f"Name at least one kit to {action}.")
    why = check_text(reason, f"reason to {action}")
    source, target = (
        (KitStatus.AVAILABLE, KitStatus.QUARANTINED)
        if action == "quarantine"
        else (KitStatus.QUARANTINED, KitStatus.AVAILABLE)
    )
    with write_transaction(ctx.engine) as session:
        records = get_kits(session, kits)
        rec = Recorder(session, actor, ctx.clock.now())
        for kit in records:
            if kit.status != source.value:
                raise RuleViolation(
                    f"Kit {kit.number} is {kit.status}; only {source.value} kits can be "
                    f"{'quarantined' if action == 'quarantine' else 'released'}."
                )
            if action == "release" and kit.lot.expiry < ctx.clock.today():
                raise RuleViolation(
                    f"Kit {kit.number} expired on {kit.lot.expiry.isoformat()}; it stays out of "
                    "stock. Destroy it or return it to the sponsor."
                )
            kit.status = target.value
            session.add(
                QuarantineEvent(
                    kit_id=kit.id, action=action, reason=why, user_id=actor.user_id, at=rec.now
                )
            )
        rec.audit(
            action,
            "kit",
            ",".join(k.number for k in records)[:60],
            {"kits": [k.number for k in records], "status": target.value},
            {"status": source.value},
            why,
        )
        return StatusChange(tuple(k.number for k in records), target, why)
