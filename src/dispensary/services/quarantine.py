"""Quarantine and release: kits set aside (damage, excursion) until the sponsor decides."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Kit
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.domain.lifecycle import KitEvent
from dispensary.domain.rules import check_text, normalise_kit_number
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kit, get_kits
from dispensary.services.context import Actor, Context
from dispensary.services.labels import QUARANTINE_MARK, RELEASED_REASON, labelled_kits
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.results import StatusChange
from dispensary.services.stock import move_kit, refusal_of

CHUNK = 500
"""Kit numbers read per statement (SQLite's bound variables are limited)."""


@dataclass(frozen=True)
class ChangeVerdict:
    """One kit named: whether `quarantine` (or `release`) would move it today, and if not, the
    refusal it would give, with what to do instead."""

    kit: str  # the kit number (as named, upper-cased, when it is no kit of this study)
    message: str  # the refusal; "" when the kit would be moved

    @property
    def accepted(self) -> bool:
        return not self.message


def assess_quarantine(ctx: Context, actor: Actor, kits: Sequence[str]) -> tuple[ChangeVerdict, ...]:
    """Read-only: each kit named, as `quarantine` would take it (a screen offers the step only
    when every kit is accepted; `quarantine` still refuses what it refuses)."""
    return _assess(ctx, actor, kits, Permission.QUARANTINE)


def assess_release(ctx: Context, actor: Actor, kits: Sequence[str]) -> tuple[ChangeVerdict, ...]:
    """Read-only: each kit named, as `release` would take it (an expired kit stays out)."""
    return _assess(ctx, actor, kits, Permission.RELEASE)


def _assess(
    ctx: Context, actor: Actor, kits: Sequence[str], action: Permission
) -> tuple[ChangeVerdict, ...]:
    require(actor, action, ctx)
    event = KitEvent.QUARANTINE if action is Permission.QUARANTINE else KitEvent.RELEASE
    today = ctx.clock.today()
    named: dict[str, str] = {}  # number -> its refusal as malformed, or ""
    for raw in kits:
        try:
            named.setdefault(normalise_kit_number(raw), "")
        except InvalidInput as exc:
            named.setdefault(raw.strip().upper(), exc.message)
    numbers = [n for n, malformed in named.items() if not malformed]
    verdicts: list[ChangeVerdict] = []
    with read_transaction(ctx.engine) as session:
        found: dict[str, Kit] = {}
        for start in range(0, len(numbers), CHUNK):
            chunk = numbers[start : start + CHUNK]
            rows = session.scalars(
                select(Kit)
                .options(joinedload(Kit.lot))
                .where(Kit.study_id == ctx.study_id, Kit.number.in_(chunk))
            )
            found.update((k.number, k) for k in rows)
        for number, malformed in named.items():
            kit = found.get(number)
            if malformed:
                verdicts.append(ChangeVerdict(number, malformed))
            elif kit is None:
                try:  # not in stock, or another study's: refused as `quarantine` refuses it
                    get_kit(session, number, ctx.study_id, reader=Readable(session, actor))
                    message = ""
                except DispensaryError as exc:
                    message = exc.message
                verdicts.append(ChangeVerdict(number, message))
            else:
                verdicts.append(ChangeVerdict(number, refusal_of(kit, event, today)))
    return tuple(verdicts)


def quarantine(ctx: Context, actor: Actor, kits: Sequence[str], reason: str) -> StatusChange:
    return _change(ctx, actor, kits, reason, Permission.QUARANTINE)


def release(
    ctx: Context, actor: Actor, kits: Sequence[str], reason: str, sponsor_reference: str
) -> StatusChange:
    """Quarantined kits back to usable stock, on the sponsor's written decision: its reference
    (the decision or excursion assessment number) is recorded with each kit's release, as a
    destruction records the sponsor's authorisation. Refused without it, nothing written."""
    return _change(ctx, actor, kits, reason, Permission.RELEASE, sponsor_reference)


SPONSOR_REFERENCE = N_("sponsor's reference of the decision to release")
"""What the reference is called in a refusal (too long, hidden characters)."""

REFERENCE_LIMIT = 120
"""As a destruction's authorisation reference (models.QuarantineEvent.sponsor_reference)."""


class NoSponsorReference(InvalidInput):
    """A release without the sponsor's reference: a command or a screen says where to type
    it (--reference, the dialog's field) after the message."""


def check_sponsor_reference(value: str) -> str:
    """The sponsor's reference of a release, as typed; refused (InvalidInput) when missing,
    saying what to type: a quarantined kit goes back to stock only on the sponsor's decision."""
    if not isinstance(value, str) or not value.strip():
        raise NoSponsorReference(
            _(
                "Type the sponsor's reference of its decision to release the kits (the "
                "decision or excursion assessment number, e.g. TE-2026-014): a quarantined kit "
                "goes back to stock only on the sponsor's written decision."
            )
        )
    return check_text(value, SPONSOR_REFERENCE, limit=REFERENCE_LIMIT)


def _change(
    ctx: Context,
    actor: Actor,
    kits: Sequence[str],
    reason: str,
    action: Permission,
    sponsor_reference: str = "",
) -> StatusChange:
    require(actor, action, ctx, recorded=True)
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
    reference = None if quarantining else check_sponsor_reference(sponsor_reference)
    event = KitEvent.QUARANTINE if action is Permission.QUARANTINE else KitEvent.RELEASE
    source, target = (
        (KitStatus.AVAILABLE, KitStatus.QUARANTINED)
        if action is Permission.QUARANTINE
        else (KitStatus.QUARANTINED, KitStatus.AVAILABLE)
    )
    with write_transaction(ctx.engine) as session:
        records = get_kits(session, kits, ctx.study_id, reader=Readable(session, actor))
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=action)
        for kit in records:
            move_kit(
                session,
                rec,
                kit,
                event,
                today=ctx.clock.today(),
                reason=why,
                sponsor_reference=reference,
            )
        new: dict[str, object] = {"kits": [k.number for k in records], "status": target.value}
        if reference is not None:
            new["sponsor_reference"] = reference
        rec.audit(
            AuditAction.QUARANTINE if quarantining else AuditAction.RELEASE,
            "kit",
            ",".join(k.number for k in records)[:60],
            new,
            {"status": source.value},
            why,
        )
        numbers = tuple(k.number for k in records)
        relabel = () if quarantining else tuple(labelled_kits(session, numbers))
        return StatusChange(numbers, target, why, relabel, _relabel_note(relabel), reference or "")


def _relabel_note(kits: Sequence[str]) -> str:
    """Released kits labelled before: a label printed while they were quarantined says
    QUARANTINED: DO NOT DISPENSE; a clean label is a reprint, its reason given here."""
    if not kits:
        return ""
    return _(
        "The kit labels of {kits} were printed before: a label printed while a kit was "
        "quarantined says {marked}. Relabel the kits: print their kit labels "
        "again as a reprint with the reason '{reason}' (Reports and labels, Kit labels by "
        'number; or dispensary label kit {command} --reprint --reason "{reason}" --out '
        "FILE.pdf)."
    ).format(
        kits=", ".join(kits),
        reason=_(RELEASED_REASON),
        command=" ".join(kits),
        marked=QUARANTINE_MARK,  # as the label prints it
    )
