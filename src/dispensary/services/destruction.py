"""Destroying stock, or returning it to the sponsor: witnessed, signed, one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Destruction, Kit
from dispensary.domain.accountability import balance_of
from dispensary.domain.codes import KitStatus, MovementKind, SignatureMeaning
from dispensary.domain.errors import InvalidInput, RuleViolation
from dispensary.domain.lifecycle import KitEvent, transition
from dispensary.domain.rules import check_not_future, check_text
from dispensary.services.assessment import (
    DestroyAssessment,
    DestroyCheck,
    DestroyKitVerdict,
    DestroyRequest,
    Refusal,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kit, kit_movements, status_now, stock_movement
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.results import DestroyResult
from dispensary.services.stock import move_kit
from dispensary.services.users import check_signature, presign


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
    require(actor, Permission.DESTROY)
    today = ctx.clock.today()
    request = DestroyRequest(kits, witness, method, destroyed_on, reference, to_sponsor)
    checked = _checked_destruction(actor, request, today)
    if checked.refusals:  # the paperwork is refused before anyone signs
        first = checked.refusals[0]
        raise first.error(first.message)
    day, witness_name, how, ref = checked.day, checked.witness, checked.method, checked.reference
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        plan = _plan_destruction(session, checked, today)
        if plan.assessment.refusals:
            first = plan.assessment.refusals[0]
            raise first.error(first.message)
        records = plan.kits
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
            balance = balance_of(kit_movements(session, kit.id))
            from_returned = kit.status == KitStatus.RETURNED.value
            quantity = balance.held_returned if from_returned else balance.on_hand
            movement = (
                stock_movement(
                    kit,
                    MovementKind.DESTROY,
                    quantity,
                    day,
                    ("returned to sponsor: " if to_sponsor else "destroyed: ") + how,
                    destruction_id=destruction.id,
                    from_returned=from_returned,
                )
                if quantity
                else None
            )
            move_kit(
                session, rec, kit, KitEvent.DESTROY, today=today, ledger=movement, fact=destruction
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


def assess_destroy(ctx: Context, actor: Actor, request: DestroyRequest) -> DestroyAssessment:
    """Read-only: a verdict on each kit named (the kit lifecycle table's), the tablets that
    would leave the shelf and the monitor's hold, and the witness rules: what `destroy` would
    refuse, computed by the same policy in one read transaction. No kit named, or a date in the
    future, raises, as it does for the destruction."""
    require(actor, Permission.DESTROY)
    today = ctx.clock.today()
    checked = _checked_destruction(actor, request, today)
    with read_transaction(ctx.engine) as session:
        return _plan_destruction(session, checked, today).assessment


@dataclass(frozen=True)
class _Checked:
    """The request's own fields, checked before any record is read (and before signing), with
    the refusals of the paperwork (witness, method, reference)."""

    kits: tuple[str, ...]
    day: date
    witness: str
    method: str
    reference: str
    to_sponsor: bool
    refusals: tuple[Refusal[DestroyCheck], ...]


def _checked_destruction(actor: Actor, request: DestroyRequest, today: date) -> _Checked:
    kits = request.kits
    if not kits:
        raise InvalidInput("Name at least one kit to destroy.")
    day = check_not_future(request.destroyed_on, today, "destruction date")
    refusals: list[Refusal[DestroyCheck]] = []

    def text(code: DestroyCheck, value: str, what: str, required: bool, limit: int) -> str:
        try:
            return check_text(value, what, required=required, limit=limit)
        except InvalidInput as exc:
            refusals.append(Refusal(code, exc.message, InvalidInput))
            return ""

    witness = text(DestroyCheck.WITNESS, request.witness, "witness's name", True, 120)
    if witness and witness.lower() in (actor.username.lower(), actor.full_name.lower()):
        refusals.append(
            Refusal(
                DestroyCheck.WITNESS_SELF,
                "The witness must be another person than the one destroying.",
            )
        )
    what = "method (e.g. incineration, or return to sponsor)"
    method = text(DestroyCheck.METHOD, request.method, what, True, 200)
    reference = text(DestroyCheck.REFERENCE, request.reference, "reference", False, 120)
    return _Checked(
        tuple(kits), day, witness, method, reference, request.to_sponsor, tuple(refusals)
    )


@dataclass
class _Plan:
    """The assessment, with the kits the destruction writes when it is accepted."""

    assessment: DestroyAssessment
    kits: list[Kit]


def _plan_destruction(session: Session, checked: _Checked, today: date) -> _Plan:
    """The one destruction policy: the paperwork, then every kit named, in the order destroy
    meets them (a kit named twice is destroyed once)."""
    verdicts: list[DestroyKitVerdict] = []
    unknown: list[Refusal[DestroyCheck]] = []
    refused: list[Refusal[DestroyCheck]] = []
    kits: list[Kit] = []
    for raw in checked.kits:
        try:
            kit = get_kit(session, raw)
        except RuleViolation as exc:
            code = raw.strip().upper() if isinstance(raw, str) else repr(raw)[:40]
            verdicts.append(DestroyKitVerdict(code, None, False, exc.message, 0, 0, False))
            unknown.append(Refusal(DestroyCheck.KIT_UNKNOWN, exc.message, type(exc)))
            continue
        if any(k.id == kit.id for k in kits):
            continue
        kits.append(kit)
        status = KitStatus(kit.status)
        expired_on = kit.lot.expiry if kit.lot.expiry < today else None
        message = ""
        try:
            transition(status, KitEvent.DESTROY, kit=kit.number, expired_on=expired_on)
        except RuleViolation as exc:
            message = exc.message
            refused.append(Refusal(DestroyCheck.KIT, message, type(exc)))
        balance = balance_of(kit_movements(session, kit.id))
        verdicts.append(
            DestroyKitVerdict(
                kit.number,
                status_now(kit, today),
                not message,
                message,
                balance.on_hand,
                balance.held_returned,
                status is KitStatus.RETURNED,
            )
        )
    assessment = DestroyAssessment(
        kits=tuple(verdicts),
        refusals=(*checked.refusals, *unknown, *refused),
        witness=checked.witness,
        method=checked.method,
        destroyed_on=checked.day,
        to_sponsor=checked.to_sponsor,
    )
    return _Plan(assessment, kits)
