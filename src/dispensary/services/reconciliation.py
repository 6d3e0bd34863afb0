"""Reconciliation: balances per product, lot, kit and participant, and every discrepancy."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any, NamedTuple

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import (
    Dispense,
    DispenseKit,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    PhysicalCount,
    ReconciliationSignOff,
    Return,
    User,
)
from dispensary.domain.accountability import Balance
from dispensary.domain.codes import DiscrepancyKind, KitStatus, MovementKind, Role, SignatureMeaning
from dispensary.domain.lifecycle import status_word
from dispensary.domain.rules import check_text
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.audit_check import TrailCheck, check_trail
from dispensary.services.common import not_voided, of_study, voided_ids
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.queries import open_flags
from dispensary.services.results import (
    BalanceRow,
    Discrepancy,
    KitCountCheck,
    ReconcileResult,
    SignOffRow,
    VerifyResult,
)
from dispensary.services.users import check_signature, presign


def reconcile(ctx: Context, actor: Actor) -> ReconcileResult:
    require(actor, Permission.RECONCILE, ctx)
    with read_transaction(ctx.engine) as session:
        return reconcile_session(session, ctx)


def reconcile_session(
    session: Session,
    ctx: Context,
    verification: VerifyResult | TrailCheck | None = None,
    full: bool = False,
) -> ReconcileResult:
    """`verification`: the audit trail's check made already in this read (the Today screen's,
    incremental); else it is made here from the last point that verified (audit_check), or in
    full (`full`, as the sign-off needs)."""
    today = ctx.clock.today()
    study = ctx.study_id
    kits = _kits(session, study)
    people = {
        p.id: p for p in session.scalars(select(Participant).where(Participant.study_id == study))
    }
    kit_balances = _kit_balances(session, study, kits)
    voided = voided_ids(session)

    # A participant accounts for the whole of every kit handed out to them (not voided): what
    # they took, what came back, and what of it has been destroyed since.
    # Per product: a 7.5 mg tablet and a 2.5 mg tablet are never added together.
    by_participant: dict[tuple[int, str], Balance] = defaultdict(Balance)
    for participant_id, dispense_id, kit_id in session.execute(
        select(Dispense.participant_id, DispenseKit.dispense_id, DispenseKit.kit_id)
        .join(Dispense, Dispense.id == DispenseKit.dispense_id)
        .join(Participant, Participant.id == Dispense.participant_id)
        .where(Participant.study_id == study)
    ):
        if dispense_id not in voided and kit_id in kit_balances:
            by_participant[(participant_id, kits[kit_id].product)] += kit_balances[kit_id]
    # Each lot's figures added up as plain numbers (a Balance made per kit added would be
    # hundreds of thousands of objects), then each product's from its lots.
    lot_sums: dict[tuple[str, str], list[int]] = {}
    for kid, b in kit_balances.items():
        kit = kits[kid]
        key = (kit.product, _lot_number(kit))
        sums = lot_sums.get(key)
        if sums is None:
            sums = lot_sums[key] = [0] * 7
        sums[0] += b.received
        sums[1] += b.dispensed
        sums[2] += b.returned
        sums[3] += b.destroyed
        sums[4] += b.adjusted
        sums[5] += b.on_hand
        sums[6] += b.held_returned
    lots = {key: Balance(*sums) for key, sums in lot_sums.items()}
    products: dict[str, Balance] = defaultdict(Balance)
    for (product, _lot), balance in lots.items():
        products[product] += balance

    discrepancies: list[Discrepancy] = []
    # In kit id order on every engine (PostgreSQL returns an updated row after the others).
    for kid in sorted(kit_balances):
        discrepancies.extend(_kit_findings(kits[kid], kit_balances[kid], today))
    for count in session.scalars(select(PhysicalCount).order_by(PhysicalCount.id)):
        if count.counted != count.book and count.kit_id in kits:
            kit = kits[count.kit_id]
            discrepancies.append(
                Discrepancy(
                    DiscrepancyKind.COUNT_DIFFERENCE,
                    kit.number,
                    _(
                        "Count of kit {kit} on {day}: {counted} counted, {book} in the book "
                        "({difference}); adjusted with reason '{code}: {reason}'."
                    ).format(
                        kit=kit.number,
                        day=count.counted_on.isoformat(),
                        counted=count.counted,
                        book=count.book,
                        difference=f"{count.counted - count.book:+d}",
                        code=count.reason_code,
                        reason=count.reason,
                    ),
                    count.counted_on,
                )
            )
    for number, row in open_flags(session, ctx):
        labels = ", ".join(_(f.label) for f in row.flags)
        discrepancies.append(
            Discrepancy(
                DiscrepancyKind.ADHERENCE,
                number,
                _(
                    "{dispense} cycle {cycle}: {flags}; taken {taken} of {expected} expected. "
                    "Record the reason."
                ).format(
                    dispense=number,
                    cycle=row.cycle,
                    flags=labels,
                    taken=row.taken,
                    expected=row.expected,
                ),
                row.returned_on,
            )
        )
    pending = _returns_pending(session, study)
    for p in people.values():
        last = pending.get(p.id)
        if last is not None:
            last_cycle, last_day1 = last
            due = last_day1 + timedelta(
                days=ctx.study.cycle.length_days + ctx.study.return_grace_days
            )
            if today > due:
                discrepancies.append(
                    Discrepancy(
                        DiscrepancyKind.RETURN_OVERDUE,
                        p.study_number,
                        _(
                            "{participant}: the return of cycle {cycle} is overdue (day 1 {day1})."
                        ).format(
                            participant=p.study_number,
                            cycle=last_cycle,
                            day1=last_day1.isoformat(),
                        ),
                        due,
                    )
                )
    trail = _trail(session, ctx, verification, full)
    check = trail.verification
    if not check.ok:
        discrepancies.insert(
            0, Discrepancy(DiscrepancyKind.AUDIT_CHAIN, "audit trail", check.message)
        )

    signoffs = tuple(
        SignOffRow(u.username, u.full_name, Role(s.role), s.at, s.note)
        for s, u in session.execute(
            select(ReconciliationSignOff, User)
            .join(User, User.id == ReconciliationSignOff.user_id)
            .where(of_study(ReconciliationSignOff.study_id, study))
            .order_by(ReconciliationSignOff.id)
        )
    )
    return ReconcileResult(
        generated_at=ctx.clock.now(),
        products=tuple(
            _row("product", code, ctx.study.product(code).display, b)
            for code, b in sorted(products.items())
        ),
        lots=tuple(
            _row("lot", f"{code}/{lot}", _("{product} lot {lot}").format(product=code, lot=lot), b)
            for (code, lot), b in sorted(lots.items())
        ),
        kits=tuple(
            _row("kit", kits[kid].number, kits[kid].product, b)
            for kid, b in sorted(kit_balances.items(), key=lambda i: kits[i[0]].number)
        ),
        participants=tuple(
            _row("participant", _number(people, pid), _initials(people, pid), balance, code)
            for (pid, code), balance in sorted(
                by_participant.items(), key=lambda i: (_number(people, i[0][0]), i[0][1])
            )
        ),
        discrepancies=tuple(discrepancies),
        signoffs=signoffs,
        counts=_count_checks(session, kits, kit_balances),
        audit_check=trail.words,
        audit_checked_in_full=trail.full,
    )


def _trail(
    session: Session, ctx: Context, given: VerifyResult | TrailCheck | None, full: bool
) -> TrailCheck:
    """The audit trail's check: the one given, else one made now."""
    if isinstance(given, TrailCheck):
        return given
    if given is None:
        return check_trail(session, ctx, full=full)
    if given.new_entries is None or given.point is None:
        return TrailCheck(given)
    return TrailCheck(given, since=given.point.position - given.new_entries)


class _LotLine(NamedTuple):
    number: str
    expiry: date


class _KitLine(NamedTuple):
    """What the reconciliation reads of a kit: read as plain rows, not as mapped objects (a
    site has hundreds of thousands of kits; a named tuple is made several times faster than a
    frozen dataclass)."""

    id: int
    number: str
    product: str
    status: str
    lot_id: int
    lot: _LotLine | None  # None: the lot row is missing (a damaged database)


_RECEIVE, _DISPENSE, _RETURN, _DESTROY, _ADJUST = (
    MovementKind.RECEIVE.value,
    MovementKind.DISPENSE.value,
    MovementKind.RETURN.value,
    MovementKind.DESTROY.value,
    MovementKind.ADJUST.value,
)


def _kit_balances(session: Session, study: int, kits: dict[int, _KitLine]) -> dict[int, Balance]:
    """Each kit's balance (domain.accountability.balance_of of its movements) summed in SQL,
    one row per kit along the ledger's (kit, kind, from_returned, quantity) index, instead of
    a movement object per ledger row. A movement kind the program does not know raises, as
    balance_of's MovementKind does: the balances would not mean anything."""
    e = LedgerEntry
    q = e.quantity

    def of(*whens: tuple[Any, Any]) -> Any:
        return func.coalesce(func.sum(case(*whens, else_=0)), 0)

    returned_destroy = and_(e.kind == _DESTROY, e.from_returned.is_(True))
    shelf_destroy = and_(e.kind == _DESTROY, e.from_returned.is_not(True))
    known = (_RECEIVE, _DISPENSE, _RETURN, _DESTROY, _ADJUST)
    rows = session.execute(
        select(
            e.kit_id,
            of((e.kind == _RECEIVE, q)),
            of((e.kind == _DISPENSE, q)),
            of((e.kind == _RETURN, q)),
            of((e.kind == _DESTROY, q)),
            of((e.kind == _ADJUST, -q)),
            of(
                (e.kind == _RECEIVE, q),
                (e.kind == _DISPENSE, -q),
                (shelf_destroy, -q),
                (e.kind == _ADJUST, q),
            ),
            of((e.kind == _RETURN, q), (returned_destroy, -q)),
            func.max(case((e.kind.not_in(known), e.kind), else_=None)),
        )
        .join(Kit, Kit.id == e.kit_id)
        .where(Kit.study_id == study)
        .group_by(e.kit_id)
    ).tuples()
    balances = {kit_id: _NOTHING for kit_id in kits}
    for kit_id, received, dispensed, returned, destroyed, adjusted, on_hand, held, odd in rows:
        if odd is not None:
            MovementKind(odd)  # raises: the kind is not one of the program's
        balances[kit_id] = Balance(
            int(received),
            int(dispensed),
            int(returned),
            int(destroyed),
            int(adjusted),
            int(on_hand),
            int(held),
        )
    return balances


_NOTHING = Balance()


def _kits(session: Session, study: int) -> dict[int, _KitLine]:
    rows = session.execute(
        select(Kit.id, Kit.number, Kit.product, Kit.status, Kit.lot_id, Lot.number, Lot.expiry)
        .outerjoin(Lot, Lot.id == Kit.lot_id)
        .where(Kit.study_id == study)
    )
    return {
        kit_id: _KitLine(
            kit_id,
            number,
            product,
            status,
            lot_id,
            _LotLine(lot, expiry) if lot is not None else None,
        )
        for kit_id, number, product, status, lot_id, lot, expiry in rows
    }


def _returns_pending(session: Session, study: int) -> dict[int, tuple[int, date]]:
    """The cycle and day 1 of each participant's last dispense (voided ones left out, as
    queries.participant_row) when no return of it is recorded: one query for the study."""
    ranked = (
        select(
            Dispense.participant_id,
            Dispense.id,
            Dispense.cycle,
            Dispense.day1,
            func.row_number()
            .over(
                partition_by=Dispense.participant_id,
                order_by=(Dispense.cycle.desc(), Dispense.attempt.desc()),
            )
            .label("rank"),
        )
        .join(Participant, Participant.id == Dispense.participant_id)
        .where(Participant.study_id == study, not_voided())
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.participant_id, ranked.c.cycle, ranked.c.day1).where(
            ranked.c.rank == 1, ~exists().where(Return.dispense_id == ranked.c.id)
        )
    )
    return {pid: (cycle, day1) for pid, cycle, day1 in rows}


def _count_checks(
    session: Session, kits: dict[int, _KitLine], balances: dict[int, Balance]
) -> tuple[KitCountCheck, ...]:
    """Each kit on the shelf, its book now against its last physical count: what the count
    found against what the book said then, and what recorded movements changed since."""
    last: dict[int, PhysicalCount] = {}
    for count in session.scalars(select(PhysicalCount).order_by(PhysicalCount.id)):
        last[count.kit_id] = count
    adjusted = set(
        session.scalars(select(LedgerEntry.count_id).where(LedgerEntry.count_id.is_not(None)))
    )
    names = {user_id: name for user_id, name in session.execute(select(User.id, User.full_name))}
    checks = []
    for kid, balance in sorted(balances.items(), key=lambda i: kits[i[0]].number):
        if balance.on_hand <= 0:
            continue
        kit = kits[kid]
        found = last.get(kid)
        after = None
        if found is not None:
            after = found.counted if found.id in adjusted else found.book
        checks.append(
            KitCountCheck(
                kit=kit.number,
                product=kit.product,
                lot=_lot_number(kit),
                book=balance.on_hand,
                counted_on=found.counted_on if found is not None else None,
                counted=found.counted if found is not None else None,
                book_then=found.book if found is not None else None,
                moved_since=balance.on_hand - after if after is not None else None,
                counted_by=_name(names, found.counted_by_id) if found is not None else "",
                verified_by=(
                    _name(names, found.verified_by_id)
                    if found is not None and found.verified_by_id is not None
                    else ""
                ),
            )
        )
    return tuple(checks)


def _name(names: dict[int, str], user_id: int) -> str:
    return names.get(user_id, _("(user id {id} missing)").format(id=user_id))


def _lot_number(kit: _KitLine) -> str:
    # A lot row missing (a damaged or tampered database, which `audit verify` names) is shown,
    # not a crash: the reconciliation leads with the audit trail's finding then.
    if kit.lot is not None:
        return kit.lot.number
    return _("(lot id {id} missing)").format(id=kit.lot_id)


def _number(people: dict[int, Participant], pid: int) -> str:
    person = people.get(pid)
    if person is not None:
        return person.study_number
    return _("(participant id {id} missing)").format(id=pid)


def _initials(people: dict[int, Participant], pid: int) -> str:
    person = people.get(pid)
    return person.initials if person is not None else ""


def _kit_findings(kit: _KitLine, balance: Balance, today: date) -> Iterable[Discrepancy]:
    if not balance.balanced:
        yield Discrepancy(
            DiscrepancyKind.UNBALANCED,
            kit.number,
            _("Kit {kit} does not balance: {balance}.").format(kit=kit.number, balance=balance),
        )
    expected = _status_from_ledger(kit, balance)
    if expected is not None and kit.status not in expected:
        yield Discrepancy(
            DiscrepancyKind.STATUS_MISMATCH,
            kit.number,
            _(
                "Kit {kit} is recorded as {status}, but its ledger shows {on_hand} on hand and "
                "{held} held."
            ).format(
                kit=kit.number,
                status=status_word(kit.status),
                on_hand=balance.on_hand,
                held=balance.held_returned,
            ),
        )
    if (
        kit.status in (KitStatus.AVAILABLE.value, KitStatus.QUARANTINED.value)
        and kit.lot is not None
        and kit.lot.expiry < today
    ):
        yield Discrepancy(
            DiscrepancyKind.EXPIRED_IN_STOCK,
            kit.number,
            _(
                "Kit {kit} (lot {lot}) expired on {expiry} and is still in stock: destroy it or "
                "return it to the sponsor."
            ).format(kit=kit.number, lot=kit.lot.number, expiry=kit.lot.expiry.isoformat()),
            kit.lot.expiry,
        )


def _status_from_ledger(kit: _KitLine, balance: Balance) -> set[str] | None:
    if balance.on_hand > 0:
        return {KitStatus.AVAILABLE.value, KitStatus.QUARANTINED.value}
    if balance.held_returned > 0:
        return {KitStatus.RETURNED.value}
    if balance.received and balance.dispensed > balance.returned and balance.on_hand == 0:
        return {KitStatus.DISPENSED.value, KitStatus.RETURNED.value, KitStatus.DESTROYED.value}
    return None


def _row(scope: str, key: str, label: str, b: Balance, product: str = "") -> BalanceRow:
    return BalanceRow(
        scope,
        key,
        label,
        b.received,
        b.dispensed,
        b.returned,
        b.destroyed,
        b.adjusted,
        b.on_hand,
        b.held_returned,
        b.balanced,
        product,
    )


def sign_off(ctx: Context, actor: Actor, password: str, note: str = "") -> ReconcileResult:
    """The monitor's (or pharmacist's) signature under today's reconciliation. The audit trail
    is verified in full first, not from the last verified point: a signature says every record
    was checked, and only the full check sees an old row edited outside the program since the
    last full check. At a million rows it takes most of a minute; a visit signs once."""
    require(actor, Permission.SIGN_OFF, ctx)
    text = check_text(note, N_("note"), required=False)
    presign(ctx, (actor.username, password))
    with write_transaction(ctx.engine) as session:
        trail = check_trail(session, ctx, full=True)
        result = reconcile_session(session, ctx, trail)
        summary = json.dumps(
            {
                "products": [
                    [r.key, r.received, r.on_hand, r.held_returned, r.balanced]
                    for r in result.products
                ],
                "discrepancies": len(result.discrepancies),
            }
        )
        rec = Recorder(session, actor, ctx.clock.now())
        signoff = ReconciliationSignOff(
            user_id=actor.user_id,
            role=actor.role.value,
            summary=summary,
            note=text,
            at=rec.now,
            study_id=ctx.study_id,
        )
        session.add(signoff)
        session.flush()
        check_signature(
            session,
            actor,
            password,
            SignatureMeaning.RECONCILIATION_SIGNED_OFF,
            "reconciliation",
            signoff.id,
            rec,
        )
        rec.audit(
            "reconciliation_signed_off",
            "reconciliation",
            signoff.id,
            json.loads(summary),
            reason=text,
        )
        return reconcile_session(session, ctx, trail)
