"""Quarantine and release: kits set aside (damage, excursion) until the sponsor decides."""

from __future__ import annotations

from collections.abc import Sequence

from dispensary.db.engine import write_transaction
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import InvalidInput
from dispensary.domain.lifecycle import KitEvent
from dispensary.domain.rules import check_text
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kits
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.results import StatusChange
from dispensary.services.stock import move_kit


def quarantine(ctx: Context, actor: Actor, kits: Sequence[str], reason: str) -> StatusChange:
    return _change(ctx, actor, kits, reason, Permission.QUARANTINE)


def release(ctx: Context, actor: Actor, kits: Sequence[str], reason: str) -> StatusChange:
    return _change(ctx, actor, kits, reason, Permission.RELEASE)


def _change(
    ctx: Context, actor: Actor, kits: Sequence[str], reason: str, action: Permission
) -> StatusChange:
    require(actor, action, ctx)
    quarantining = action is Permission.QUARANTINE
    if not kits:
        raise InvalidInput(
            _("Name at least one kit to quarantine.")
            if quarantining
            else _("Name at least one kit to release.")
        )
    why = check_text(
        reason, N_("reason to quarantine") if quarantining else N_("reason to release")
    )
    event = KitEvent.QUARANTINE if action is Permission.QUARANTINE else KitEvent.RELEASE
    source, target = (
        (KitStatus.AVAILABLE, KitStatus.QUARANTINED)
        if action is Permission.QUARANTINE
        else (KitStatus.QUARANTINED, KitStatus.AVAILABLE)
    )
    with write_transaction(ctx.engine) as session:
        records = get_kits(session, kits, ctx.study_id)
        rec = Recorder(session, actor, ctx.clock.now())
        for kit in records:
            move_kit(session, rec, kit, event, today=ctx.clock.today(), reason=why)
        rec.audit(
            AuditAction.QUARANTINE if quarantining else AuditAction.RELEASE,
            "kit",
            ",".join(k.number for k in records)[:60],
            {"kits": [k.number for k in records], "status": target.value},
            {"status": source.value},
            why,
        )
        return StatusChange(tuple(k.number for k in records), target, why)
