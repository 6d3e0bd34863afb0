"""The inventory a page at a time (issue 15): the database filters, sorts and counts the kits,
and only the page's kits are read whole (their contents and whereabouts, by the same code as
`queries.inventory`), so a screen over 300,000 kits reads a few hundred of them per step.

What the rows say is `queries._kit_rows`'s: the same KitRow for a kit as the whole inventory
gives. Two rules are also written here as SQL, each checked against its Python original by the
tests: a kit's status today (`domain.rules.effective_status`) and its contents (the ledger's
balance, `domain.accountability.balance_of`, whose signs are read from that function itself).

The text search matches, case aside, a kit's number, product, lot, expiry (YYYY-MM-DD),
storage area (as recorded, or the study's store by the name the reader sees:
Study.area_name) and shipment, the statuses the caller names (a status is matched by its shown
name, which is the screen's, in the user's language: the status as shown, KitRow.shown_status,
so "held" finds the kits held for a count difference and "available" leaves them out, as it
leaves out those too short-dated), and for a kit that left the shelf the
participant it went to and the dispense it went out on. It does not match the tablet count
nor the other words of the whereabouts ("held for the monitor", a destruction's date).
The tablet count and the whereabouts cannot be sorted on: both are worked out per kit. The
status is sorted on as shown (KitRow.shown_status), in the kit's workflow order
(SHOWN_STATUSES), the same in every language: the kits held for a count difference, or too
short-dated, each a group of their own, not among those available.

A substring has no index, so a search reads the study's kits once per statement; what the
text names elsewhere (lots, shipments, participants, dispenses) is looked up first, each in
a statement of its own (`_looked_up`), the dispenses from the few kits out with participants
rather than from the whole history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.selectable import FromClause, Join

from dispensary.db.engine import read_transaction
from dispensary.db.models import (
    Dispense,
    DispenseKit,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    Shipment,
)
from dispensary.domain.accountability import Movement, balance_of
from dispensary.domain.codes import HELD_FOR_COUNT, SHORT_DATED, KitStatus, MovementKind
from dispensary.domain.rules import supply_cover_until
from dispensary.services.common import not_voided, shipments_of
from dispensary.services.context import Actor, Context
from dispensary.services.counts import held_kits
from dispensary.services.permissions import Permission, require
from dispensary.services.queries import _kit_rows, counted_in
from dispensary.services.results import InventorySummary, KitRow


class KitOrder(Enum):
    """The orders the database can give the inventory in; ties go by kit number."""

    NUMBER = "number"
    PRODUCT = "product"
    LOT = "lot"
    EXPIRY = "expiry"  # then product and lot: the order of `queries.inventory` within a day
    STATUS = "status"
    SHIPMENT = "shipment"


@dataclass(frozen=True)
class KitQuery:
    """Which kits, in which order: the inventory screen's filters and sort, as the service
    takes them."""

    text: str = ""
    text_statuses: frozenset[str] = frozenset()
    """The statuses as shown (KitRow.shown_status: a KitStatus's value, HELD_FOR_COUNT,
    SHORT_DATED) whose shown name holds the text (the caller's words, so the caller's)."""
    status: KitStatus | None = None
    held: bool | None = None
    """True: only the kits held for an open count difference (KitRow.held_for_count, "Held:
    count" in the Status column: the filter's HELD_FOR_COUNT); False: none of them (the
    filter's Available, with `status`); None: either."""
    short: bool | None = None
    """True: only the kits available but too short-dated for a cycle dispensed today
    (KitRow.refused_for_expiry, "Too short-dated" in the Status column: the filter's
    SHORT_DATED); False: none of them (the filter's Available, with `status`); None: either."""
    product: str | None = None
    expiring_by: date | None = None
    """Only the kits on the shelf today (available, held or not, or in quarantine) whose lot
    expires by this day (`expiring_by`): the kits the Today screen's expiring card lists
    (services.dashboard, Dashboard.expiring_by), which its "… and N more" opens."""
    order: KitOrder = KitOrder.EXPIRY
    descending: bool = False


def status_choice(value: str | None) -> tuple[KitStatus | None, bool | None, bool | None]:
    """A status filter's choice (a KitStatus's value, HELD_FOR_COUNT, SHORT_DATED, or None:
    every status) as the status, `held` and `short` a query takes (KitQuery; queries.inventory's
    `held_for_count` and `too_short`): the kits whose status the Inventory screen's Status
    column and `dispensary inventory` show so. Available leaves out the kits held for a count
    difference, shown held, and those too short-dated for a cycle, shown so."""
    if not value:
        return None, None, None
    if value == HELD_FOR_COUNT:
        return KitStatus.AVAILABLE, True, None  # `held` leaves out a kit too short-dated
    if value == SHORT_DATED:
        return KitStatus.AVAILABLE, None, True
    status = KitStatus(value)
    if status is KitStatus.AVAILABLE:
        return status, False, False
    return status, None, None


MOST_ROWS = 5000
"""The most rows one call returns: a screen asks for pages, not for the whole register."""

_SHELF = (KitStatus.AVAILABLE.value, KitStatus.QUARANTINED.value)


def _expired_lots(today: date) -> Select[tuple[int]]:
    """The lots past expiry: read once per statement, so that no kit is joined to its lot to
    know its status."""
    return select(Lot.id).where(Lot.expiry < today)


def status_today(today: date) -> ColumnElement[str]:
    """`effective_status` in SQL, over kits."""
    past = and_(Kit.status.in_(_SHELF), Kit.lot_id.in_(_expired_lots(today)))
    return case((past, literal(KitStatus.EXPIRED.value)), else_=Kit.status)


def status_is(status: KitStatus, today: date) -> ColumnElement[bool]:
    """`status_today(today) == status`, written so that the index on the kit's status serves."""
    if status.value in _SHELF:
        return and_(Kit.status == status.value, Kit.lot_id.not_in(_expired_lots(today)))
    if status is KitStatus.EXPIRED:
        past = and_(Kit.status.in_(_SHELF), Kit.lot_id.in_(_expired_lots(today)))
        return or_(Kit.status == status.value, past)
    return Kit.status == status.value


def expiring_by(today: date, last_day: date) -> ColumnElement[bool]:
    """The kits on the shelf today (`effective_status` available, held for a count difference
    or not, or in quarantine) whose lot expires by `last_day`: a kit to use first or to have
    the sponsor decide on before it expires. The one statement of that rule: the Today
    screen's expiring card (services.dashboard) and the Inventory filtered to its kits
    (KitQuery.expiring_by) list the same kits."""
    # status_is(AVAILABLE) or status_is(QUARANTINED), each "not in an expired lot", written as
    # one IN over the statuses and one list of lots: the index on the kit's status serves (an
    # OR of the two read every kit the study ever received, 160,000 at a busy site).
    return and_(
        Kit.status.in_(_SHELF),
        Kit.lot_id.in_(select(Lot.id).where(Lot.expiry >= today, Lot.expiry <= last_day)),
    )


def _content_sign(kind: MovementKind) -> int:
    """What one tablet of a movement of this kind does to a kit's contents (on hand plus held
    returned), as `balance_of` says; a destruction takes one either way."""
    signs = set()
    for from_returned in (False, True):
        balance = balance_of([Movement(kind, 1, from_returned)])
        signs.add(balance.on_hand + balance.held_returned)
    (sign,) = signs
    return sign


def contents_sum() -> ColumnElement[int]:
    """The sum of the ledger rows' effect on their kits' contents."""
    signed = case(
        *(
            (LedgerEntry.kind == k.value, LedgerEntry.quantity * _content_sign(k))
            for k in MovementKind
        ),
        else_=0,
    )
    return func.coalesce(func.sum(signed), 0)


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


LISTED = 500
"""The most values a search's first look-ups hand on as lists, all together (one parameter
each: well within the 999 an SQLite build may allow). A look-up that finds more leaves its
subquery in the kits' statement."""


@dataclass(frozen=True)
class _Named:
    """What the search text names outside the kits' own columns, looked up before the kits
    are read: the kits' statement then checks each of the study's kits against short lists (a
    term whose list is empty is left out), not against subqueries. None: too many to list,
    the subquery is kept."""

    products: tuple[str, ...] | None = ()
    lots: tuple[int, ...] | None = ()
    shipments: tuple[int, ...] | None = ()
    with_people: tuple[int, ...] | None = ()
    """The kits back from the participants the text names (held for the monitor), and those
    out with them or on the dispenses it names."""


@dataclass(frozen=True)
class _Scope:
    """What every statement of one call filters on."""

    query: KitQuery
    study: int
    today: date
    sqlite: bool  # SQLite's LIKE ignores (ASCII) case: no lower() on each of 300,000 rows
    cover_until: date | None = None  # _cover_until: read only by a query of `held`, `short`
    named: _Named = _Named()
    places: tuple[str, ...] = ()
    """Storage areas the text names by the name the reader sees, not the recorded one (the
    study's store, 试验药物库房1 on the Chinese screen, recorded as "IP store 1")."""


def _like_text(scope: _Scope, column: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """The column holds the text, case aside."""
    pattern = _like(scope.query.text.strip())
    if scope.sqlite:
        return column.like(pattern, escape="\\")
    return column.ilike(pattern, escape="\\")


def _side_queries(scope: _Scope) -> dict[str, Select[tuple[Any]]]:
    """What the text names outside the kits, each as a statement of ids (or products): the
    same conditions the search has always had, asked once before the kits are read."""

    def like(column: SQLColumnExpression[str]) -> ColumnElement[bool]:
        return _like_text(scope, column)

    people = select(Participant.id).where(
        Participant.study_id == scope.study, like(Participant.study_number)
    )
    # The kits out with a participant (or back) are few, found by the index on the kits'
    # study and status; each is matched through its own dispenses, by the index on the kit,
    # in a subquery per kit that no database turns into a join: PostgreSQL, taking a short
    # substring to match half of all dispenses, joined every dispense of the site's history
    # instead (110 ms at 237,000 dispenses, 12 ms so; SQLite 2-3 ms either way).
    went_out_on = (
        select(literal(1))
        .select_from(
            DispenseKit.__table__.join(Dispense.__table__, Dispense.id == DispenseKit.dispense_id)
        )
        .where(
            DispenseKit.kit_id == Kit.id,
            or_(
                Dispense.participant_id.in_(people),
                and_(Kit.status == KitStatus.DISPENSED.value, like(Dispense.number)),
            ),
            not_voided(),
        )
        .limit(1)
        .correlate(Kit)
        .scalar_subquery()
    )
    out = (KitStatus.DISPENSED.value, KitStatus.RETURNED.value)
    return {
        # A kit's product is its lot's: the few lots are matched, not each kit's product.
        "products": select(Lot.product).where(like(Lot.product)).distinct(),
        "lots": select(Lot.id).where(or_(like(Lot.number), like(cast(Lot.expiry, String)))),
        "shipments": select(Shipment.id).where(like(Shipment.number)),
        "with_people": select(Kit.id).where(
            Kit.study_id == scope.study, Kit.status.in_(out), went_out_on.is_not(None)
        ),
    }


def _looked_up(session: Session, scope: _Scope) -> _Scope:
    """The scope with what the text names outside the kits looked up (in the caller's read
    transaction, so the kits are matched against the same state)."""
    if not scope.query.text.strip():
        return scope
    found: dict[str, tuple[Any, ...] | None] = {}
    room = LISTED
    for name, statement in _side_queries(scope).items():
        values = tuple(session.scalars(statement.limit(room + 1)))
        listed = len(values) <= room
        found[name] = values if listed else None
        room -= len(values) if listed else 0
    return replace(scope, named=_Named(**found))


def _matches(scope: _Scope) -> ColumnElement[bool]:
    """The text search, on kits."""
    text = scope.query.text.strip()
    if not text:
        return true()
    sides = _side_queries(scope)
    named = scope.named

    def among(
        column: SQLColumnExpression[Any], listed: tuple[Any, ...] | None, name: str
    ) -> list[ColumnElement[bool]]:
        if listed is None:
            return [column.in_(sides[name])]
        return [column.in_(listed)] if listed else []

    found = [
        _like_text(scope, Kit.number),
        _like_text(scope, Kit.location),
        *([Kit.location.in_(scope.places)] if scope.places else []),
        *among(Kit.product, named.products, "products"),
        *among(Kit.lot_id, named.lots, "lots"),
        *among(Kit.shipment_id, named.shipments, "shipments"),
        *among(Kit.id, named.with_people, "with_people"),
    ]
    found += [shown_status_is(scope, s) for s in sorted(scope.query.text_statuses)]
    return or_(*found)


def _shown_statuses() -> tuple[str, ...]:
    """Every status as shown, in the kit's workflow order (KitStatus's own): on the shelf and
    dispensable, then on the shelf but held for a count difference or too short-dated, then
    quarantined, dispensed, returned, destroyed, expired."""
    shown: list[str] = []
    for status in KitStatus:
        shown.append(status.value)
        if status is KitStatus.AVAILABLE:
            shown += [HELD_FOR_COUNT, SHORT_DATED]
    return tuple(shown)


SHOWN_STATUSES = _shown_statuses()
"""Every status as shown (KitRow.shown_status), in the order a sort on the status gives, and
the order the Inventory screen's status filter lists them in.

A fixed order, the same in every language, not the order of the words shown: sorted by their
codes the Chinese column read 可用, 已销毁, 已发放, 已过期, 暂扣…, an order of nothing a
pharmacist reads, and sorted by the shown word it would be alphabetical in English and by
pinyin or strokes in Chinese, so that two pharmacists talking over one inventory would see
its groups in different orders. The workflow order is what the pharmacist looks for: the
kits that can be handed out first, those on the shelf that cannot next, then those gone
from it in the order they went; the filter's list says them in the same order."""


def shown_status_is(scope: _Scope, shown: str) -> ColumnElement[bool]:
    """KitRow.shown_status == shown, in SQL: a kit held for an open count difference is shown
    held (HELD_FOR_COUNT), one too short-dated for a cycle so (SHORT_DATED), not available."""
    assert scope.cover_until is not None
    if shown == HELD_FOR_COUNT:
        return _held_for_count(scope)
    if shown == SHORT_DATED:
        return _short_dated(scope)
    status = KitStatus(shown)
    if status is KitStatus.AVAILABLE:
        return and_(
            status_is(status, scope.today),
            Kit.id.not_in(held_kits(scope.study)),
            ~_too_short(scope.cover_until),
        )
    return status_is(status, scope.today)


def shown_status(scope: _Scope) -> ColumnElement[str]:
    """KitRow.shown_status in SQL, over kits (sorted on by its place, `_status_rank`)."""
    return case(
        (_short_dated(scope), literal(SHORT_DATED)),
        (_held_for_count(scope), literal(HELD_FOR_COUNT)),
        else_=status_today(scope.today),
    )


def _status_rank(scope: _Scope) -> ColumnElement[int]:
    """The place of a kit's status as shown in SHOWN_STATUSES: the key of a sort on the status
    (its code would sort it by the English word)."""
    return case(
        {code: place for place, code in enumerate(SHOWN_STATUSES)}, value=shown_status(scope)
    )


def _where(scope: _Scope, by_lot: bool = False) -> list[ColumnElement[bool]]:
    """`by_lot`: the kits are read lot by lot (or shipment by shipment), by the index on their
    lot: SQLite then checks the study on each kit read, so that it does not read a whole
    study's kits once per lot through the index on the study. PostgreSQL plans the join
    itself, and needs the plain condition to estimate it (with `+ 0` it took a study's kits
    for 1 in 200 and read 76 lots' worth of them, 0.4 s for one search keystroke)."""
    query = scope.query
    hide_index = by_lot and scope.sqlite
    study = (Kit.study_id + 0 == scope.study) if hide_index else (Kit.study_id == scope.study)
    conditions = [study, _matches(scope)]
    if query.status is not None:
        conditions.append(status_is(query.status, scope.today))
    if query.held is not None:
        held = _held_for_count(scope)
        conditions.append(held if query.held else ~held)
    if query.short is not None:
        short = _short_dated(scope)
        conditions.append(short if query.short else ~short)
    if query.product:
        conditions.append(Kit.product == query.product)
    if query.expiring_by is not None:
        conditions.append(expiring_by(scope.today, query.expiring_by))
    return conditions


def _held_for_count(scope: _Scope) -> ColumnElement[bool]:
    """KitRow.held_for_count in SQL: available today, held for an open count difference
    (counts.held_kits), and lasting a cycle dispensed today (a kit expiring sooner is shown
    by its expiry, as refused by every dispense)."""
    assert scope.cover_until is not None
    return and_(
        status_is(KitStatus.AVAILABLE, scope.today),
        Kit.id.in_(held_kits(scope.study)),
        ~_too_short(scope.cover_until),
    )


def _short_dated(scope: _Scope) -> ColumnElement[bool]:
    """KitRow.refused_for_expiry in SQL: available today and expiring before a cycle dispensed
    today would end (held for a count difference or not): shown "Too short-dated"."""
    assert scope.cover_until is not None
    return and_(status_is(KitStatus.AVAILABLE, scope.today), _too_short(scope.cover_until))


def _order(scope: _Scope) -> list[SQLColumnExpression[Any]]:
    query = scope.query
    keys: dict[KitOrder, list[SQLColumnExpression[Any]]] = {
        KitOrder.NUMBER: [],
        KitOrder.PRODUCT: [Kit.product],
        KitOrder.LOT: [Lot.number],
        KitOrder.EXPIRY: [Lot.expiry, Kit.product, Lot.number],
        KitOrder.STATUS: [_status_rank(scope)],
        KitOrder.SHIPMENT: [Shipment.number],
    }
    return [*keys[query.order], Kit.number]


class _LeadingJoin(Join):
    """A join whose left table SQLite must read first (its CROSS JOIN): the kits of each lot
    (or shipment) in the lots' order, by the index on the kits' lot and number, instead of
    every kit of the study sorted. Other databases plan the join themselves."""

    inherit_cache = True


@compiles(_LeadingJoin, "sqlite")
def _cross_join(element: _LeadingJoin, compiler: SQLCompiler, **kw: Any) -> str:
    text = str(compiler.visit_join(element, **kw))  # type: ignore[no-untyped-call]
    return text.replace(" JOIN ", " CROSS JOIN ", 1)


def _by_lot(order: KitOrder) -> bool:
    return order in (KitOrder.LOT, KitOrder.EXPIRY, KitOrder.SHIPMENT)


def _tables(order: KitOrder) -> FromClause:
    """Kits, with the lot or the shipment their order needs. Sorted on the lot or shipment, the
    kits are read lot by lot (shipment by shipment) in order, by the index on their lot and
    number."""
    kits, lots, shipments = Kit.__table__, Lot.__table__, Shipment.__table__
    if order in (KitOrder.LOT, KitOrder.EXPIRY):
        other, on = lots, Lot.id == Kit.lot_id
    elif order is KitOrder.SHIPMENT:
        other, on = shipments, Shipment.id == Kit.shipment_id
    else:
        return kits
    return _LeadingJoin(other, kits, on)


def _ids(
    session: Session,
    scope: _Scope,
    offset: int,
    limit: int,
    extra: ColumnElement[bool] | None = None,
) -> list[int]:
    """The ids of the kits from `offset`, in the query's order."""
    query = scope.query
    keys = _order(scope)
    statement = (
        select(Kit.id)
        .select_from(_tables(query.order))
        .where(*_where(scope, _by_lot(query.order)), true() if extra is None else extra)
        .order_by(*(key.desc() if query.descending else key.asc() for key in keys))
        .offset(offset)
        .limit(limit)
    )
    return list(session.scalars(statement))


def _ids_by_status(session: Session, scope: _Scope, offset: int, limit: int) -> list[int]:
    """In the order of the status as shown today (SHOWN_STATUSES): one after the other, each by
    kit number (the status today is worked out, so no index gives that order whole)."""
    statuses = SHOWN_STATUSES[::-1] if scope.query.descending else SHOWN_STATUSES
    by_number = replace(scope, query=replace(scope.query, order=KitOrder.NUMBER))
    found: list[int] = []
    for status in statuses:
        if len(found) >= limit:
            break
        only = shown_status_is(scope, status)
        if offset:
            count = session.scalar(
                select(func.count())
                .select_from(_tables(KitOrder.NUMBER))
                .where(*_where(scope), only)
            )
            if offset >= (count or 0):
                offset -= count or 0
                continue
        found += _ids(session, by_number, offset, limit - len(found), only)
        offset = 0
    return found


def inventory_page(
    ctx: Context, actor: Actor, query: KitQuery, offset: int, limit: int
) -> list[KitRow]:
    """The kits from `offset` (at most `limit`, itself at most MOST_ROWS) of the study open
    that the query finds, in its order: each row as `queries.inventory` gives it."""
    require(actor, Permission.VIEW, ctx)
    offset, limit = max(0, offset), max(0, min(limit, MOST_ROWS))
    with read_transaction(ctx.engine) as session:
        scope = _scope(ctx, query, session)
        if query.order is KitOrder.STATUS:
            ids = _ids_by_status(session, scope, offset, limit)
        else:
            ids = _ids(session, scope, offset, limit)
        kits = {
            k.id: k
            for k in session.scalars(
                select(Kit)
                .options(joinedload(Kit.lot), joinedload(Kit.shipment))
                .where(Kit.id.in_(ids))
            )
        }
        return _kit_rows(
            session,
            [kits[i] for i in ids],
            scope.today,
            area=ctx.study.area_name,
            units=counted_in(ctx.study),
            cover_until=_cover_until(ctx, scope.today),
        )


def _cover_until(ctx: Context, today: date) -> date:
    """The day a cycle dispensed today must last until (rules.supply_cover_until): a kit
    available that expires sooner is no stock to dispense (`queries.inventory`'s rule)."""
    cycle = ctx.study.cycle
    return supply_cover_until(today, cycle.days_of_supply, cycle.expiry_margin_days)


def _too_short(cover_until: date) -> ColumnElement[bool]:
    """Kits whose lot expires before `cover_until` (rules.covers_supply, in SQL: the few lots
    read once per statement)."""
    return Kit.lot_id.in_(select(Lot.id).where(Lot.expiry < cover_until))


def _scope(ctx: Context, query: KitQuery, session: Session) -> _Scope:
    sqlite = ctx.engine.dialect.name == "sqlite"
    store = ctx.study.storage_area
    text = query.text.strip().casefold()
    shown = ctx.study.area_name(store).casefold()
    places = (store,) if text and shown != store.casefold() and text in shown else ()
    today = ctx.clock.today()
    cover_until = _cover_until(ctx, today)
    return _looked_up(
        session, _Scope(query, ctx.study_id, today, sqlite, cover_until, places=places)
    )


def inventory_summary(ctx: Context, actor: Actor, query: KitQuery) -> InventorySummary:
    """How many kits the query finds, and the tablets in those of them available to dispense
    today (the inventory screen's summary line: the kits `queries.inventory` gives as
    dispensable, less those held for a count difference), counted by the database. A search
    reads every kit: once, for both figures; without one, each is read from the indexes (the
    count from the study's, the tablets of the kits available from the status')."""
    require(actor, Permission.VIEW, ctx)
    contents = select(contents_sum()).where(LedgerEntry.kit_id == Kit.id).scalar_subquery()
    with read_transaction(ctx.engine) as session:
        scope = _scope(ctx, query, session)
        # In stock (rules.in_stock): available today, and not held for an open count
        # difference (counts.held_kits), which the dispense never hands out; those counted apart.
        # Nor expiring before a cycle dispensed today would end (rules.covers_supply), which
        # every dispense refuses: counted apart too, as `queries.inventory` leaves them out.
        on_shelf = status_is(KitStatus.AVAILABLE, scope.today)
        held_ids = held_kits(ctx.study_id)
        short = _too_short(_cover_until(ctx, scope.today))
        available = and_(on_shelf, Kit.id.not_in(held_ids), ~short)
        held_here = and_(on_shelf, Kit.id.in_(held_ids))
        short_here = and_(on_shelf, Kit.id.not_in(held_ids), short)
        held_found: int | None
        short_found: int | None
        codes = [p.code for p in ctx.study.products]
        several = len(codes) > 1  # each product's units, in the same reads
        found: dict[str, int] = {}
        kits: int | None
        tablets: int | None
        if query.text.strip():
            held = func.sum(case((available, contents), else_=0))
            # in the same statement: a search reads every kit, once
            apart = func.sum(case((held_here, 1), else_=0))
            too_short = func.sum(case((short_here, 1), else_=0))
            if several:
                searched = select(Kit.product, func.count(), held, apart, too_short).where(
                    *_where(scope)
                )
                rows = session.execute(searched.group_by(Kit.product)).tuples().all()
                kits = sum(int(n or 0) for _code, n, _units, _apart, _short in rows)
                found = {code: int(units or 0) for code, _n, units, _apart, _short in rows}
                tablets = sum(found.values())
                held_found = sum(int(n or 0) for _code, _n, _units, n, _short in rows)
                short_found = sum(int(n or 0) for _code, _n, _units, _apart, n in rows)
            else:
                kits, tablets, held_found, short_found = session.execute(
                    select(func.count(), held, apart, too_short).where(*_where(scope))
                ).one()
        else:
            kits = session.scalar(select(func.count()).where(*_where(scope)))
            held_found = session.scalar(select(func.count()).where(*_where(scope), held_here))
            short_found = session.scalar(select(func.count()).where(*_where(scope), short_here))
            if several:
                each = select(Kit.product, func.sum(contents)).where(*_where(scope), available)
                held_rows = session.execute(each.group_by(Kit.product)).tuples().all()
                found = {code: int(units or 0) for code, units in held_rows}
                tablets = sum(found.values())
            else:
                tablets = session.scalar(
                    select(func.sum(contents)).where(*_where(scope), available)
                )
        by_product = tuple((code, found.get(code, 0)) for code in codes) if several else ()
    return InventorySummary(
        int(kits or 0),
        int(tablets or 0),
        by_product,
        int(held_found or 0),
        int(short_found or 0),
    )


LONGEST_SHIPMENTS = 20
"""How many of the study's longest shipment numbers `longest_shipments` gives."""


def longest_shipments(ctx: Context, actor: Actor) -> tuple[str, ...]:
    """The study's longest shipment numbers (at most LONGEST_SHIPMENTS, the longest first):
    the inventory's Shipment column is made as wide as they read, whichever page of kits is
    read (fitted to the rows read, it cut a shipment further down, "SH-…")."""
    require(actor, Permission.VIEW, ctx)
    with read_transaction(ctx.engine) as session:
        return tuple(
            session.scalars(
                select(Shipment.number)
                .where(shipments_of(ctx.study_id))
                .order_by(func.length(Shipment.number).desc(), Shipment.number)
                .limit(LONGEST_SHIPMENTS)
            )
        )


def inventory_position(ctx: Context, actor: Actor, query: KitQuery, number: str) -> int | None:
    """Where the kit stands among those the query finds, in its order (0 the first); None
    when the query does not find it."""
    require(actor, Permission.VIEW, ctx)
    tables = Kit.__table__.join(Lot, Lot.id == Kit.lot_id).join(
        Shipment, Shipment.id == Kit.shipment_id
    )
    with read_transaction(ctx.engine) as session:
        scope = _scope(ctx, query, session)
        order = _order(scope)
        values = session.execute(
            select(*order).select_from(tables).where(*_where(scope), Kit.number == number)
        ).first()
        if values is None:
            return None
        before = _before(order, list(values), query.descending)
        statement = select(func.count()).select_from(tables).where(*_where(scope), before)
        return int(session.scalar(statement) or 0)


def _before(
    order: Sequence[SQLColumnExpression[Any]], values: list[object], descending: bool
) -> ColumnElement[bool]:
    """Rows that come before the one with these order values (the order's keys are never
    NULL: every one is a NOT NULL column or the status shown today)."""
    alternatives: list[ColumnElement[bool]] = []
    for i, key in enumerate(order):
        ahead = key > values[i] if descending else key < values[i]
        same = [order[j] == values[j] for j in range(i)]
        alternatives.append(and_(*same, ahead) if same else ahead)
    return or_(false(), *alternatives)
