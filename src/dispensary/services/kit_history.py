"""One kit's history, from its records: received, quarantined (why, which excursion), exposed
to an excursion while held, released (on which sponsor's decision), dispensed (and voided),
returned, counted, destroyed or returned to the sponsor. Read-only; the Inventory screen's kit
history opens it (the audit trail of the kit keeps who changed what, entry by entry)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction
from dispensary.db.facts import parse_facts
from dispensary.db.models import (
    AuditEntry,
    Destruction,
    Dispense,
    DispenseKit,
    DispenseVoid,
    Excursion,
    Kit,
    LedgerEntry,
    Participant,
    PhysicalCount,
    QuarantineEvent,
    Return,
    Shipment,
    User,
)
from dispensary.domain import reasons
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import KitStatus
from dispensary.domain.lifecycle import status_word
from dispensary.i18n import _, sentences
from dispensary.services.assessment.returns import NOT_BROUGHT_BACK
from dispensary.services.common import get_kit
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, require
from dispensary.services.reconciliation import reason_code_words
from dispensary.services.temperature import excursion_kits_held


@dataclass(frozen=True)
class KitHistoryEvent:
    """One step of a kit's history, in the reader's words."""

    at: datetime  # when it was recorded (the order of the history)
    on: date  # the day it counts for
    what: str  # "Received", "Quarantined", "Released"...
    detail: str  # the facts: reason, excursion, sponsor's reference, participant, figures
    by: str  # who recorded it (full name; "" when not known)


@dataclass(frozen=True)
class KitHistory:
    kit: str
    product: str
    lot: str
    expiry: date
    status: KitStatus
    events: tuple[KitHistoryEvent, ...]


def kit_history(ctx: Context, actor: Actor, number: str) -> KitHistory:
    """The kit's history, oldest first; a kit of another study refused as everywhere."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        kit = get_kit(session, number, ctx.study_id, reader=Readable(session, actor))
        names = dict(session.execute(select(User.id, User.full_name)).tuples().all())
        events = [
            *_receipt(session, ctx, kit, names),
            *_quarantines(session, ctx, kit, names),
            *_dispenses(session, ctx, kit, names),
            *_returns(session, ctx, kit, names),
            *_counts(session, ctx, kit, names),
            *_destructions(session, kit, names),
        ]
        events.sort(key=lambda e: e.at)
        return KitHistory(
            kit.number,
            kit.product,
            kit.lot.number,
            kit.lot.expiry,
            KitStatus(kit.status),
            tuple(events),
        )


def _receipt(
    session: Session, ctx: Context, kit: Kit, names: dict[int, str]
) -> list[KitHistoryEvent]:
    shipment = session.get(Shipment, kit.shipment_id)
    if shipment is None:
        return []
    detail = _("Shipment {shipment}, {quantity}, lot {lot}; stored in {area}.").format(
        shipment=shipment.number,
        quantity=ctx.study.units(kit.product, kit.tablets),
        lot=kit.lot.number,
        area=kit.location,
    )
    if not shipment.temperature_ok:
        detail = sentences([detail, _("Temperature record not acceptable.")])
    return [
        KitHistoryEvent(
            shipment.created_at,
            shipment.received_on,
            _("Received"),
            detail,
            names.get(shipment.received_by_id, ""),
        )
    ]


def _quarantines(
    session: Session, ctx: Context, kit: Kit, names: dict[int, str]
) -> list[KitHistoryEvent]:
    found: list[KitHistoryEvent] = []
    for event in session.scalars(
        select(QuarantineEvent)
        .where(QuarantineEvent.kit_id == kit.id)
        .order_by(QuarantineEvent.at, QuarantineEvent.id)
    ):
        day, by = ctx.clock.day_of(event.at), names.get(event.user_id, "")
        if event.action == "quarantine":
            forms = reasons.EXCURSION_FORMS if event.excursion_id else reasons.RECEIPT_FORMS
            why = reasons.in_reader_words(event.reason, forms)
            detail = (
                _("Temperature excursion {excursion}: {reason}").format(
                    excursion=event.excursion_id, reason=why
                )
                if event.excursion_id
                else why
            )
            found.append(KitHistoryEvent(event.at, day, _("Quarantined"), detail, by))
        elif event.action == "release":
            detail = (
                _("Sponsor's decision {reference}: {reason}").format(
                    reference=event.sponsor_reference, reason=event.reason
                )
                if event.sponsor_reference
                else event.reason
            )
            found.append(KitHistoryEvent(event.at, day, _("Released"), detail, by))
        else:
            found.append(KitHistoryEvent(event.at, day, event.action, event.reason, by))
    exposed = [e for e, kits in excursion_kits_held(session).items() if kit.number in kits]
    for excursion in session.scalars(select(Excursion).where(Excursion.id.in_(exposed))):
        found.append(
            KitHistoryEvent(
                excursion.at,
                ctx.clock.day_of(excursion.started_at),
                _("Exposed to an excursion"),
                _(
                    "Temperature excursion {excursion} in {area} ({lowest:g} to {highest:g} °C) "
                    "while quarantined already: not quarantined again."
                ).format(
                    excursion=excursion.id,
                    area=excursion.storage_area,
                    lowest=excursion.lowest,
                    highest=excursion.highest,
                ),
                names.get(excursion.user_id, ""),
            )
        )
    return found


def _dispenses(
    session: Session, ctx: Context, kit: Kit, names: dict[int, str]
) -> list[KitHistoryEvent]:
    found: list[KitHistoryEvent] = []
    rows = session.execute(
        select(Dispense, DispenseKit.tablets, Participant.study_number)
        .join(DispenseKit, DispenseKit.dispense_id == Dispense.id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .where(DispenseKit.kit_id == kit.id)
        .order_by(Dispense.id)
    ).all()
    for dispense, tablets, participant in rows:
        found.append(
            KitHistoryEvent(
                dispense.created_at,
                dispense.dispensed_on,
                _("Dispensed"),
                _("{dispense}: participant {participant}, cycle {cycle}, {quantity}.").format(
                    dispense=dispense.number,
                    participant=participant,
                    cycle=dispense.cycle,
                    quantity=ctx.study.units(kit.product, tablets),
                ),
                names.get(dispense.dispensed_by_id, ""),
            )
        )
        void = session.scalar(select(DispenseVoid).where(DispenseVoid.dispense_id == dispense.id))
        if void is not None:
            found.append(
                KitHistoryEvent(
                    void.at,
                    ctx.clock.day_of(void.at),
                    _("Dispense voided"),
                    _("{dispense}: {reason}").format(dispense=dispense.number, reason=void.reason),
                    names.get(void.user_id, ""),
                )
            )
    return found


def _returns(
    session: Session, ctx: Context, kit: Kit, names: dict[int, str]
) -> list[KitHistoryEvent]:
    found: list[KitHistoryEvent] = []
    for ret in session.scalars(select(Return).where(Return.kit_id == kit.id).order_by(Return.id)):
        if ret.outcome == NOT_BROUGHT_BACK:  # nothing came back: never "0 counted back"
            what = _("Not brought back")
            detail = _(
                "The participant did not bring the kit back: it is still with them or lost, "
                "its contents unaccounted for until its return is recorded."
            )
        else:
            what = _("Return corrected") if ret.corrects_id else _("Returned")
            detail = _("{quantity} counted back.").format(
                quantity=ctx.study.units(kit.product, ret.tablets)
            )
        found.append(
            KitHistoryEvent(
                ret.created_at,
                ret.returned_on,
                what,
                detail,
                names.get(ret.counted_by_id, ""),
            )
        )
    return found


def _counts(
    session: Session, ctx: Context, kit: Kit, names: dict[int, str]
) -> list[KitHistoryEvent]:
    found: list[KitHistoryEvent] = []
    adjusted = set(
        session.scalars(
            select(LedgerEntry.count_id).where(
                LedgerEntry.kit_id == kit.id, LedgerEntry.count_id.is_not(None)
            )
        )
    )
    records = list(
        session.scalars(
            select(PhysicalCount).where(PhysicalCount.kit_id == kit.id).order_by(PhysicalCount.id)
        )
    )
    by_id = {count.id: count for count in records}
    # As recorded: the count written as the adjustment of an open count (its audit entry's
    # action and adjustment_of), and the open count it adjusted, not two counts alike.
    adjusting = {
        count: by_id[of]
        for count, of in _adjustments(session, kit).items()
        if count in by_id and of in by_id
    }
    adjusted_by = {opened.id: by_id[count] for count, opened in adjusting.items()}
    for count in records:
        what = _("Physical count")
        later = adjusted_by.get(count.id)
        opened = adjusting.get(count.id)
        if opened is not None:
            difference = count.counted - count.book
            what = _("Count difference adjusted")
            detail = _(
                "{difference}, reason {code}: {reason}; verified by {verifier}; adjusting the "
                "count of {day}."
            ).format(
                difference=("+" if difference > 0 else "-")
                + ctx.study.units(kit.product, abs(difference)),
                code=reason_code_words(count.reason_code),
                reason=count.reason,
                verifier=names.get(count.verified_by_id, "") if count.verified_by_id else "?",
                day=opened.counted_on.isoformat(),
            )
        elif count.counted == count.book:
            detail = _("{counted} counted, as the book.").format(counted=count.counted)
        elif count.id in adjusted:
            detail = _("{counted} counted, {book} in the book: adjusted ({reason}).").format(
                counted=count.counted, book=count.book, reason=count.reason
            )
        elif later is not None:
            detail = _(
                "{counted} counted, {book} in the book: adjusted on {day} by the record that "
                "followed it."
            ).format(counted=count.counted, book=count.book, day=later.counted_on.isoformat())
        else:
            detail = _("{counted} counted, {book} in the book: not adjusted.").format(
                counted=count.counted, book=count.book
            )
        found.append(
            KitHistoryEvent(
                count.created_at,
                count.counted_on,
                what,
                detail,
                names.get(count.counted_by_id, ""),
            )
        )
    return found


def _adjustments(session: Session, kit: Kit) -> dict[int, int]:
    """The kit's counts written as the adjustment of an open count, by the audit entry of
    their step (count_adjusted): the count's id (the physical count its step wrote) to the id
    of the open count it adjusted (the entry's adjustment_of)."""
    found: dict[int, int] = {}
    entries = session.execute(
        select(AuditEntry.new, AuditEntry.facts).where(
            AuditEntry.entity == "kit",
            AuditEntry.entity_id == kit.number,
            AuditEntry.action == AuditAction.COUNT_ADJUSTED.value,
        )
    ).tuples()
    for new, written in entries:
        try:
            values = json.loads(new) if new else {}
        except ValueError:
            continue
        of = values.get("adjustment_of") if isinstance(values, dict) else None
        if not isinstance(of, int):
            continue
        for table, row, _hash in parse_facts(written):
            if table == PhysicalCount.__tablename__:
                found[row] = of
    return found


def _destructions(session: Session, kit: Kit, names: dict[int, str]) -> list[KitHistoryEvent]:
    found: list[KitHistoryEvent] = []
    ids = sorted(
        {
            int(d)
            for d in session.scalars(
                select(LedgerEntry.destruction_id).where(
                    LedgerEntry.kit_id == kit.id, LedgerEntry.destruction_id.is_not(None)
                )
            )
            if d is not None
        }
    )
    for record in session.scalars(select(Destruction).where(Destruction.id.in_(ids))):
        what = (
            status_word(KitStatus.DESTROYED.value)
            if not record.to_sponsor
            else _("Returned to the sponsor")
        )
        detail = _("{method}; witness {witness}").format(
            method=reasons.destruction_method(record.method), witness=record.witness
        )
        if record.reference:
            detail += _("; sponsor's authorisation {reference}").format(reference=record.reference)
        found.append(
            KitHistoryEvent(
                record.created_at,
                record.destroyed_on,
                what.capitalize() if what.isascii() else what,
                detail + ".",
                names.get(record.user_id, ""),
            )
        )
    return found
