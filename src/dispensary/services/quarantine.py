"""Quarantine and release: kits set aside (damage, excursion) until the sponsor decides."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Excursion, Kit, Lot, QuarantineEvent, User
from dispensary.domain import reasons
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus, SignatureMeaning
from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.domain.lifecycle import KitEvent
from dispensary.domain.rules import check_text, effective_status, normalise_kit_number
from dispensary.i18n import N_, _, listed
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kit, get_kits
from dispensary.services.context import Actor, Context
from dispensary.services.labels import QUARANTINE_MARK, RELEASED_REASON, labelled_kits
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.results import StatusChange
from dispensary.services.stock import move_kit, refusal_of
from dispensary.services.temperature import excursion_kits_held
from dispensary.services.users import check_signer, passwords_first, presign, record_signature

CHUNK = 500
"""Kit numbers read per statement (SQLite's bound variables are limited)."""


@dataclass(frozen=True)
class HoldCause:
    """Why a quarantined kit is held, for the sponsor to decide on: its quarantine (the reason,
    and the excursion that set it aside), or an excursion it was exposed to while held (its
    import found it quarantined already: not quarantined again, named in its audit entry)."""

    on: date  # the day of the quarantine, or of the excursion's start
    reason: str  # the quarantine's reason in the reader's words ("" for an exposure)
    excursion: int | None = None  # the excursion's number
    exposed: bool = False  # an excursion the kit was exposed to while quarantined already

    @property
    def text(self) -> str:
        """The cause in one phrase, in the reader's language."""
        if self.exposed:
            return _("exposed to temperature excursion {excursion} on {day} while held").format(
                excursion=self.excursion, day=self.on.isoformat()
            )
        return reasons.quarantined_for(self.on.isoformat(), self.reason, self.excursion)

    @property
    def fact(self) -> dict[str, object]:
        """The cause as the audit entry of a release keeps it (stored values, never words)."""
        found: dict[str, object] = {"on": self.on.isoformat()}
        if self.exposed:
            found["exposed_to_excursion"] = self.excursion
        else:
            found["reason"] = self.reason
            if self.excursion is not None:
                found["excursion"] = self.excursion
        return found


@dataclass(frozen=True)
class ChangeVerdict:
    """One kit named: whether `quarantine` (or `release`) would move it today, and if not, the
    refusal it would give, with what to do instead. A release's names why the kit is held
    (`held_for`): every open quarantine and every excursion it was exposed to while held, for
    the sponsor's decision to cover them all."""

    kit: str  # the kit number (as named, upper-cased, when it is no kit of this study)
    message: str  # the refusal; "" when the kit would be moved
    held_for: tuple[HoldCause, ...] = ()

    @property
    def accepted(self) -> bool:
        return not self.message


def hold_causes(
    session: Session, ctx: Context, kits: Sequence[Kit], stored: bool = False
) -> dict[str, tuple[HoldCause, ...]]:
    """Why each quarantined kit of `kits` is held now: its quarantine since its last release
    (the reason; the excursion that set it aside), then each excursion whose import found it
    quarantined already (`excursion_kits_held`), in time order. `stored`: the reasons as
    recorded (an audit entry's), else in the reader's words. A kit not quarantined: none."""
    held = {k.id: k.number for k in kits if k.status == KitStatus.QUARANTINED.value}
    if not held:
        return {}
    opened: dict[int, QuarantineEvent] = {}
    ids = list(held)
    for start in range(0, len(ids), CHUNK):
        for event in session.scalars(
            select(QuarantineEvent)
            .where(QuarantineEvent.kit_id.in_(ids[start : start + CHUNK]))
            .order_by(QuarantineEvent.at, QuarantineEvent.id)
        ):
            if event.action == "quarantine":
                opened[event.kit_id] = event
            else:  # a release (or a rejection) closes the quarantine before it
                opened.pop(event.kit_id, None)
    exposures: dict[str, list[int]] = {}
    for excursion_id, named in excursion_kits_held(session).items():
        for number in named:
            exposures.setdefault(number, []).append(excursion_id)
    wanted = sorted({e for kit_id in held for e in exposures.get(held[kit_id], [])})
    excursions = {
        e.id: e
        for start in range(0, len(wanted), CHUNK)
        for e in session.scalars(
            select(Excursion).where(Excursion.id.in_(wanted[start : start + CHUNK]))
        )
    }
    found: dict[str, tuple[HoldCause, ...]] = {}
    for kit_id, number in held.items():
        causes: list[tuple[datetime, HoldCause]] = []
        current = opened.get(kit_id)
        since = current.at if current is not None else None
        if current is not None:
            forms = reasons.EXCURSION_FORMS if current.excursion_id else reasons.RECEIPT_FORMS
            why = current.reason if stored else reasons.in_reader_words(current.reason, forms)
            causes.append(
                (current.at, HoldCause(ctx.clock.day_of(current.at), why, current.excursion_id))
            )
        for excursion_id in exposures.get(number, []):
            excursion = excursions.get(excursion_id)
            if excursion is None or excursion.id == (current.excursion_id if current else None):
                continue
            if since is not None and excursion.at < since:
                continue  # found held during an earlier quarantine, released since
            causes.append(
                (
                    excursion.at,
                    HoldCause(
                        ctx.clock.day_of(excursion.started_at), "", excursion.id, exposed=True
                    ),
                )
            )
        found[number] = tuple(c for _at, c in sorted(causes, key=lambda c: c[0]))
    return found


def quarantined_per_product(session: Session, study: int, today: date) -> dict[str, int]:
    """Per product, the kits in quarantine not past their lot's expiry (rules.effective_status:
    an expired one is no kit to ask the sponsor to release, the reconciliation names it): no
    stock until released, which the Today screen and the forecast say apart."""
    found: dict[str, int] = defaultdict(int)
    # Counted per lot from the kits' status index, then each lot's expiry: joined to the lots
    # before counting, the kits were read by product, every kit the study ever received.
    per_lot = (
        select(Kit.lot_id, Kit.product, func.count(Kit.id).label("kits"))
        .where(Kit.study_id == study, Kit.status == KitStatus.QUARANTINED.value)
        .group_by(Kit.lot_id, Kit.product)
        .subquery()
    )
    for product, expiry, count in session.execute(
        select(per_lot.c.product, Lot.expiry, per_lot.c.kits)
        .join(Lot, Lot.id == per_lot.c.lot_id)
        .order_by(per_lot.c.product)
    ):
        if effective_status(KitStatus.QUARANTINED, expiry, today) is KitStatus.QUARANTINED:
            found[str(product)] += int(count)
    return dict(found)


def dispense_refusal(session: Session, ctx: Context, kit: Kit) -> str | None:
    """The counter's refusal of a quarantined kit a temperature excursion holds (its quarantine's,
    or one it was exposed to while held): why it is held, and that only the sponsor's decision,
    with its reference, releases it (`release` refuses a release without it). None: another
    cause, for which the lifecycle's refusal says what to do."""
    causes = hold_causes(session, ctx, [kit]).get(kit.number, ())
    if not any(c.excursion is not None for c in causes):
        return None
    return _(
        "Kit {kit} cannot be dispensed: {causes}. A release needs the sponsor's decision on the "
        "excursion and its reference (Inventory, Release); until then, take another kit."
    ).format(kit=kit.number, causes=_("; ").join(c.text for c in causes))


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
    releasing = action is Permission.RELEASE
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
        causes = hold_causes(session, ctx, list(found.values())) if releasing else {}
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
                verdicts.append(
                    ChangeVerdict(number, refusal_of(kit, event, today), causes.get(number, ()))
                )
    return tuple(verdicts)


def quarantine(ctx: Context, actor: Actor, kits: Sequence[str], reason: str) -> StatusChange:
    return _change(ctx, actor, kits, reason, Permission.QUARANTINE)


def release(
    ctx: Context,
    actor: Actor,
    kits: Sequence[str],
    reason: str,
    sponsor_reference: str,
    *,
    password: str,
) -> StatusChange:
    """Quarantined kits back to usable stock, on the sponsor's written decision: its reference
    (the decision or excursion assessment number) is recorded with each kit's release, as a
    destruction records the sponsor's authorisation. Refused without it, nothing written.
    The releasing user signs it with `password` (meaning "released"): the kits become
    dispensable again, so the release is signed as a destruction or a count is; the signature
    is written with the release, in its audit entry, or nothing is."""
    return _change(ctx, actor, kits, reason, Permission.RELEASE, sponsor_reference, password)


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
    password: str = "",
) -> StatusChange:
    require(actor, action, ctx, recorded=True)
    quarantining = action is Permission.QUARANTINE
    with (
        nullcontext()
        if quarantining  # not signed
        else passwords_first(ctx, actor, password, SignatureMeaning.RELEASED)
    ):
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
    if not quarantining:  # argon2 before the write lock; the transaction still decides
        presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=action)
        signer: User | None = None
        if not quarantining:
            # The release's password first: a wrong one is said and counted (once this is
            # rolled back) whatever else the release would be refused for (users.check_signer).
            signer = check_signer(
                session,
                actor,
                password,
                SignatureMeaning.RELEASED,
                auditor=actor,
                now=rec.now,
            )
        records = get_kits(session, kits, ctx.study_id, reader=Readable(session, actor))
        # What the sponsor's decision covers: read before the kits move (a release closes them).
        stored = {} if quarantining else hold_causes(session, ctx, records, stored=True)
        shown = {} if quarantining else hold_causes(session, ctx, records)
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
        if not quarantining:
            session.flush()
            first = session.scalar(
                select(QuarantineEvent.id)
                .where(QuarantineEvent.kit_id == records[0].id)
                .order_by(QuarantineEvent.id.desc())
                .limit(1)
            )
            assert first is not None  # written by move_kit above
            # One signature for the release, on its first kit's release event (the events of
            # one release share its audit entry, which lists the signature).
            assert signer is not None  # checked first above
            record_signature(
                session, signer, SignatureMeaning.RELEASED, "quarantine_event", first, rec
            )
        new: dict[str, object] = {"kits": [k.number for k in records], "status": target.value}
        if reference is not None:
            new["sponsor_reference"] = reference
            new["held_for"] = {
                number: [c.fact for c in causes] for number, causes in stored.items() if causes
            }
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
        return StatusChange(
            numbers,
            target,
            why,
            relabel,
            _relabel_note(relabel),
            reference or "",
            tuple((n, tuple(c.text for c in shown.get(n, ()))) for n in numbers if shown.get(n)),
        )


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
        kits=listed(kits),
        reason=_(RELEASED_REASON),
        command=" ".join(kits),
        marked=QUARANTINE_MARK,  # as the label prints it
    )
