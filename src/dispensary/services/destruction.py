"""Destroying stock, or returning it to the sponsor: authorised by the sponsor (its reference),
signed by the one destroying and by a witness who is another active user, one transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Destruction, Kit, Return, User
from dispensary.domain import reasons
from dispensary.domain.accountability import Balance
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import (
    DestructionReason,
    KitStatus,
    MovementKind,
    Role,
    SignatureMeaning,
)
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.lifecycle import ON_SHELF, KitEvent, transition
from dispensary.domain.rules import check_not_future, check_text
from dispensary.i18n import N_, _, listed
from dispensary.services.assessment import (
    DestroyAssessment,
    DestroyCheck,
    DestroyKitVerdict,
    DestroyRequest,
    Refusal,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    balances_by_id,
    find_kits,
    last_events,
    status_now,
    stock_movement,
)
from dispensary.services.context import Actor, Context, local_day
from dispensary.services.counts import open_differences
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.queries import kits_not_brought_back
from dispensary.services.reconciliation import last_monitor_signoff
from dispensary.services.results import DestroyResult
from dispensary.services.stock import move_kit
from dispensary.services.users import (
    SecondSigner,
    actor_of,
    check_second_signer,
    check_signer,
    find_user,
    outside_study,
    passwords_first,
    presign,
    record_signature,
)


def signer_meaning(to_sponsor: bool) -> SignatureMeaning:
    """What the person destroying (or returning) the stock signs: "returned to sponsor" for a
    return to the sponsor, which a certificate signed "destroyed" misstated."""
    return SignatureMeaning.RETURNED_TO_SPONSOR if to_sponsor else SignatureMeaning.DESTROYED


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
    witness_password: str = "",
    reason_code: DestructionReason | str | None = None,
    unseen_returns_ok: bool = False,
    witness_typed: str | None = None,
) -> DestroyResult:
    """Unused stock leaves the shelf; returned tablets leave the monitor's hold. `witness` is
    the user name of the witness, who signs with `witness_password`; `reference` is the
    sponsor's authorisation; `reason_code` says why kits still in date leave;
    `unseen_returns_ok` acknowledges destroying returned tablets the monitor has not seen
    (recorded after the monitor's last sign-off), written into the audit entry.
    `witness_typed`: the user name the witness typed themself when signing (the window's
    signature dialog), refused when it is not `witness`'s (users.check_second_signer); None
    when the caller names the witness and gives their password together (a command)."""
    require(actor, Permission.DESTROY, ctx, recorded=True)
    today = ctx.clock.today()
    request = DestroyRequest(
        kits, witness, method, destroyed_on, reference, to_sponsor, reason_code, unseen_returns_ok
    )
    # The signatures' passwords first: a wrong one is said and counted (once the step is
    # rolled back) whatever else the destruction would be refused for (users.check_signer),
    # the paperwork too.
    witness_signs = SecondSigner(
        witness_typed or (witness if isinstance(witness, str) else ""),
        witness_password,
        SignatureMeaning.WITNESSED,
    )
    with passwords_first(ctx, actor, password, signer_meaning(to_sponsor), witness_signs):
        checked = _checked_destruction(actor, request, today)
        if checked.refusals:  # the paperwork
            first = checked.refusals[0]
            raise first.error(first.message)
    day, how, ref = checked.day, checked.method, checked.reference
    presign(ctx, (actor.username, password), (witness_typed or checked.witness, witness_password))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.DESTROY)
        # The passwords first here too, before every refusal of the records.
        signer = check_signer(
            session, actor, password, signer_meaning(to_sponsor), auditor=actor, now=rec.now
        )
        plan = _plan_destruction(
            session, actor, checked, today, ctx.study_id, ctx.study.tablets_only
        )
        witness_signer: User | None = None
        if plan.witness is not None:  # a witness who may sign: their password before the kits
            witness_signer = check_second_signer(
                session,
                actor_of(session, plan.witness),
                witness_typed,
                witness_password,
                SignatureMeaning.WITNESSED,
                auditor=actor,
                now=rec.now,
            )
        if plan.assessment.refusals:
            first = plan.assessment.refusals[0]
            raise first.error(first.message)
        records, witness_user = plan.kits, plan.witness
        unseen = plan.assessment.unseen_returns  # acknowledged, else refused above
        assert witness_user is not None  # else refused above
        code = checked.reason_code
        destruction = Destruction(
            destroyed_on=day,
            method=how,
            witness=witness_user.full_name,
            reference=ref,
            to_sponsor=to_sponsor,
            user_id=actor.user_id,
            kits=json.dumps([k.number for k in records]),
            created_at=rec.now,
            witness_id=witness_user.id,
            reason_code=code.value if code else None,
        )
        session.add(destruction)
        session.flush()
        total = 0
        by_product: dict[str, int] = {}
        for kit in records:
            balance = plan.balances[kit.id]  # read before any kit of them moved
            from_returned = kit.status == KitStatus.RETURNED.value
            quantity = balance.held_returned if from_returned else balance.on_hand
            movement = (
                stock_movement(
                    kit,
                    MovementKind.DESTROY,
                    quantity,
                    day,
                    reasons.written(
                        reasons.TO_SPONSOR if to_sponsor else reasons.DESTROYED, method=how
                    ),
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
            by_product[kit.product] = by_product.get(kit.product, 0) + quantity
        record_signature(
            session, signer, signer_meaning(to_sponsor), "destruction", destruction.id, rec
        )
        assert witness_signer is not None  # the witness of the plan, checked above
        record_signature(
            session, witness_signer, SignatureMeaning.WITNESSED, "destruction", destruction.id, rec
        )
        rec.audit(
            AuditAction.DESTROY,
            "destruction",
            destruction.id,
            {
                "kits": [k.number for k in records],
                "tablets": total,
                "method": how,
                "witness": witness_user.username,
                "reference": ref,
                "reason_code": code.value if code else "",
                "to_sponsor": to_sponsor,
                "destroyed_on": day,
                # Returned tablets the monitor had not seen, destroyed knowingly:
                **({"unseen_returns_acknowledged": list(unseen)} if unseen else {}),
            },
        )
        return DestroyResult(
            destruction.id,
            tuple(k.number for k in records),
            total,
            how,
            witness_user.full_name,
            to_sponsor,
            day,
            ref,
            code,
            tuple(by_product.items()),
            witness_username=witness_user.username,
        )


def assess_destroy(ctx: Context, actor: Actor, request: DestroyRequest) -> DestroyAssessment:
    """Read-only: a verdict on each kit named (the kit lifecycle table's), the tablets that
    would leave the shelf and the monitor's hold, and the paperwork's rules: what `destroy`
    would refuse, computed by the same policy in one read transaction (the witness's password
    is not asked here). No kit named, or a date in the future, raises, as it does for the
    destruction."""
    require(actor, Permission.DESTROY, ctx)
    today = ctx.clock.today()
    checked = _checked_destruction(actor, request, today)
    with read_transaction(ctx.engine) as session:
        return _plan_destruction(
            session, actor, checked, today, ctx.study_id, ctx.study.tablets_only
        ).assessment


@dataclass(frozen=True)
class _Checked:
    """The request's own fields, checked before any record is read (and before signing), with
    the refusals of the paperwork (witness, method, reference, reason code)."""

    kits: tuple[str, ...]
    day: date
    witness: str
    method: str
    reference: str
    to_sponsor: bool
    reason_code: DestructionReason | None
    refusals: tuple[Refusal[DestroyCheck], ...]
    unseen_returns_ok: bool = False


def _checked_destruction(actor: Actor, request: DestroyRequest, today: date) -> _Checked:
    kits = request.kits
    if not kits:
        raise InvalidInput(_("Name at least one kit to destroy."))
    day = check_not_future(request.destroyed_on, today, N_("destruction date"))
    refusals: list[Refusal[DestroyCheck]] = []

    def text(code: DestroyCheck, value: str, what: str, required: bool, limit: int) -> str:
        try:
            return check_text(value, what, required=required, limit=limit)
        except InvalidInput as exc:
            refusals.append(Refusal(code, exc.message, InvalidInput))
            return ""

    witness = text(DestroyCheck.WITNESS, request.witness, N_("witness's user name"), True, 120)
    if witness and witness.lower() in (actor.username.lower(), actor.full_name.lower()):
        refusals.append(
            Refusal(
                DestroyCheck.WITNESS_SELF,
                _("The witness must be another person than the one destroying."),
            )
        )
    what = N_("method (e.g. incineration, or return to sponsor)")
    method = text(DestroyCheck.METHOD, request.method, what, True, 200)
    what = N_("sponsor's destruction authorisation reference")
    reference = text(DestroyCheck.REFERENCE, request.reference, what, True, 120)
    reason_code: DestructionReason | None = None
    if request.reason_code:
        try:
            reason_code = DestructionReason(request.reason_code)
        except ValueError:
            codes = ", ".join(r.value for r in DestructionReason)
            refusals.append(
                Refusal(
                    DestroyCheck.REASON_CODE,
                    _("That is not a destruction reason code: use one of {codes}.").format(
                        codes=codes
                    ),
                    InvalidInput,
                )
            )
    return _Checked(
        tuple(kits),
        day,
        witness,
        method,
        reference,
        request.to_sponsor,
        reason_code,
        tuple(refusals),
        request.unseen_returns_ok,
    )


@dataclass
class _Plan:
    """The assessment, with the kits the destruction writes when it is accepted (and their
    balances, by kit id)."""

    assessment: DestroyAssessment
    kits: list[Kit]
    witness: User | None
    balances: dict[int, Balance]


def _plan_destruction(
    session: Session,
    actor: Actor,
    checked: _Checked,
    today: date,
    study: int,
    tablets_only: bool = True,
) -> _Plan:
    """The one destruction policy: the paperwork, the witness, then every kit named, in the
    order destroy meets them (a kit named twice is destroyed once), then the date against each
    kit's receipt or return and the reason code an in-date kit from the shelf needs.

    The records are read for all the kits at once, in batches (the kits with their lots, their
    balances, their last events): the statements sent do not grow with the kits named (Select
    all on the Inventory screen names up to 2,000)."""
    day = checked.day
    witnessing: list[Refusal[DestroyCheck]] = []
    witness = _witness(session, actor, checked, witnessing, study)
    verdicts: list[DestroyKitVerdict] = []
    unknown: list[Refusal[DestroyCheck]] = []
    refused: list[Refusal[DestroyCheck]] = []
    too_early: list[Refusal[DestroyCheck]] = []
    needing: list[str] = []
    named = find_kits(session, checked.kits, study, reader=Readable(session, actor))
    kits: list[Kit] = []
    seen: set[int] = set()
    for found in named:
        if isinstance(found, Kit) and found.id not in seen:
            seen.add(found.id)
            kits.append(found)
    balances = balances_by_id(session, [k.id for k in kits])
    events = last_events(session, kits)
    held = open_differences(session, [k.id for k in kits if KitStatus(k.status) in ON_SHELF])
    # Kits whose return records them as not brought back: still out (an older version made
    # them 'returned', with nothing back): never destroyed until a correction counts them back.
    not_back = kits_not_brought_back(
        session, [k.id for k in kits if k.status in (KitStatus.DISPENSED, KitStatus.RETURNED)]
    )
    seen.clear()
    for raw, found in zip(checked.kits, named, strict=True):
        if not isinstance(found, Kit):
            code = raw.strip().upper() if isinstance(raw, str) else repr(raw)[:40]
            verdicts.append(DestroyKitVerdict(code, None, False, found.message, 0, 0, False))
            unknown.append(Refusal(DestroyCheck.KIT_UNKNOWN, found.message, type(found)))
            continue
        kit = found
        if kit.id in seen:
            continue
        seen.add(kit.id)
        status = KitStatus(kit.status)
        expired_on = kit.lot.expiry if kit.lot.expiry < today else None
        message = ""
        if kit.id in not_back:  # its return is recorded: the kit never came back
            ret, on = not_back[kit.id]
            message = _(
                "Kit {kit} was not brought back (return {ret} of {date}): it is not in the "
                "pharmacy, so it cannot be destroyed. When the participant brings it back, "
                "record its return: correct return {ret} with the count (Participants, "
                "Correct return count..., or `dispensary correct-return {ret}`); then "
                "destroy it."
            ).format(kit=kit.number, ret=ret, date=on.isoformat())
            refused.append(Refusal(DestroyCheck.KIT, message, RuleViolation))
        else:
            try:
                transition(status, KitEvent.DESTROY, kit=kit.number, expired_on=expired_on)
            except RuleViolation as exc:
                message = exc.message
                refused.append(Refusal(DestroyCheck.KIT, message, type(exc)))
        if not message and kit.id in held:
            # From the shelf the destruction writes the book's quantity, which the kit's last
            # count contradicts: the difference is settled first (recount or adjustment).
            message = held[kit.id].message
            refused.append(Refusal(DestroyCheck.KIT, message, RuleViolation))
        if not message:
            since, what = events[kit.id]
            if day < since:
                message = _(
                    "Kit {kit} was {what} on {since}: it cannot have been destroyed on {day}. "
                    "Give the day it was destroyed (on or after that date)."
                ).format(kit=kit.number, what=_(what), since=since.isoformat(), day=day.isoformat())
                too_early.append(Refusal(DestroyCheck.DATE, message, RuleViolation))
        needs_reason = not message and status in ON_SHELF and kit.lot.expiry >= day
        if needs_reason:
            needing.append(kit.number)
        balance = balances[kit.id]
        verdicts.append(
            DestroyKitVerdict(
                kit.number,
                status_now(kit, today),
                not message,
                message,
                balance.on_hand,
                balance.held_returned,
                status is KitStatus.RETURNED,
                needs_reason,
                kit.product,
            )
        )
    reasons: list[Refusal[DestroyCheck]] = []
    if needing and checked.reason_code is None:
        reasons.append(
            Refusal(
                DestroyCheck.REASON_NEEDED,
                (
                    _(
                        "Kit {kits} is still in date and unused: give the reason for in-date "
                        "kits that the sponsor's authorisation records: {reasons}."
                    )
                    if len(needing) == 1
                    else _(
                        "Kits {kits} are still in date and unused: give the reason for in-date "
                        "kits that the sponsor's authorisation records: {reasons}."
                    )
                ).format(kits=listed(needing), reasons=reason_names()),
                InvalidInput,
            )
        )
    warnings, unseen_refusals, unseen = (
        ((), (), ())  # a monitor witnessing the destruction sees the returned tablets
        if witness is not None and witness.role == Role.MONITOR.value
        else _unseen_returns(session, checked, study, kits, verdicts, tablets_only)
    )
    assessment = DestroyAssessment(
        kits=tuple(verdicts),
        refusals=(
            *checked.refusals,
            *witnessing,
            *unknown,
            *refused,
            *too_early,
            *reasons,
            *unseen_refusals,
        ),
        witness=checked.witness,
        method=checked.method,
        destroyed_on=day,
        to_sponsor=checked.to_sponsor,
        reference=checked.reference,
        reason_code=checked.reason_code,
        witness_name=witness.full_name if witness is not None else "",
        witness_role=witness.role if witness is not None else "",
        unseen_returns=unseen,
        warnings=warnings,
        unseen_returns_ok=checked.unseen_returns_ok,
    )
    return _Plan(assessment, kits, witness, balances)


def _unseen_returns(
    session: Session,
    checked: _Checked,
    study: int,
    kits: list[Kit],
    verdicts: list[DestroyKitVerdict],
    tablets_only: bool = True,
) -> tuple[tuple[str, ...], tuple[Refusal[DestroyCheck], ...], tuple[str, ...]]:
    """Returned tablets held for the monitor that no monitor has seen: the kit's return was
    recorded after the study's last sign-off by a monitor (or no monitor signed off yet). Said
    as a warning; refused unless the request acknowledges it (they were destroyed before any
    monitor saw them, with no word). Returns (warnings, refusals, kits). `tablets_only`: the
    study's units are tablets; else the warning names no unit (a capsule study's said
    "Returned tablets")."""
    held = {v.kit for v in verdicts if v.accepted and v.from_returned and v.held_returned}
    ids = {k.id: k.number for k in kits if k.number in held}
    if not ids:
        return (), (), ()
    signed = last_monitor_signoff(session, study)
    recorded: dict[str, datetime] = {}  # when the return was entered (against the sign-off)
    returned: dict[str, date] = {}  # the day the participant brought the tablets back (said)
    for kid, at, day in session.execute(
        select(Return.kit_id, func.max(Return.created_at), func.max(Return.returned_on))
        .where(Return.kit_id.in_(ids))
        .group_by(Return.kit_id)
    ).tuples():
        recorded[ids[kid]], returned[ids[kid]] = at, day
    unseen = tuple(
        v.kit
        for v in verdicts
        if v.kit in recorded and (signed is None or recorded[v.kit] > signed)
    )
    if not unseen:
        return (), (), ()
    kits_said = listed(
        _("kit {kit} (returned {day})").format(kit=k, day=returned[k].isoformat()) for k in unseen
    )
    if signed is None:
        warning = (
            _(
                "Returned tablets no monitor has seen: {kits}; no monitor has signed off the "
                "reconciliation yet."
            )
            if tablets_only
            else _(
                "Returns no monitor has seen: {kits}; no monitor has signed off the "
                "reconciliation yet."
            )
        ).format(kits=kits_said)
    else:
        warning = (
            _(
                "Returned tablets no monitor has seen: {kits}, recorded after the monitor's "
                "last sign-off ({signed})."
            )
            if tablets_only
            else _(
                "Returns no monitor has seen: {kits}, recorded after the monitor's last "
                "sign-off ({signed})."
            )
        ).format(kits=kits_said, signed=local_day(signed).isoformat())
    refusals: tuple[Refusal[DestroyCheck], ...] = ()
    if not checked.unseen_returns_ok:
        refusals = (
            Refusal(
                DestroyCheck.UNSEEN_RETURNS,
                _("{warning} Destroying them needs an explicit acknowledgement.").format(
                    warning=warning
                ),
            ),
        )
    return (warning,), refusals, unseen


def reason_names() -> str:
    """The reasons an in-date kit may leave for, by the names the destruction form gives them
    (DestructionReason.label), in the reader's language; the command adds the codes it takes."""
    return _("; ").join(_(r.label) for r in DestructionReason)


def _witness(
    session: Session,
    actor: Actor,
    checked: _Checked,
    refusals: list[Refusal[DestroyCheck]],
    study: int,
) -> User | None:
    """The witness's user record, or the refusal of who was named: another active user."""
    if not checked.witness or any(r.code is DestroyCheck.WITNESS_SELF for r in checked.refusals):
        return None
    try:
        user = find_user(session, checked.witness)
    except RuleViolation as exc:
        message = _("{refusal} The witness is a user of the program, who signs.").format(
            refusal=exc.message
        )
        refusals.append(Refusal(DestroyCheck.WITNESS_UNKNOWN, message, type(exc)))
        return None
    if user.id == actor.user_id:
        refusals.append(
            Refusal(
                DestroyCheck.WITNESS_SELF,
                _("The witness must be another person than the one destroying."),
            )
        )
        return None
    if not user.active or user.locked:
        refusals.append(
            Refusal(
                DestroyCheck.WITNESS_INACTIVE,
                _("{user} cannot witness: the account is not active. Name another witness.").format(
                    user=user.username
                ),
                NotPermitted,
            )
        )
        return None
    outside = outside_study(session, actor_of(session, user), study)
    if outside is not None:
        refusals.append(Refusal(DestroyCheck.WITNESS_ACCESS, outside, NotPermitted))
        return None
    return user
