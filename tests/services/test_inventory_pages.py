"""The inventory a page at a time (issue 15): the database filters, sorts and counts, and the
rows are those of the whole inventory, in the same order, page after page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import Kit, LedgerEntry, Lot
from dispensary.domain.codes import ExpiryStanding, KitStatus
from dispensary.domain.errors import NotPermitted
from dispensary.i18n import Language, speaking
from dispensary.services import counts, inventory_pages, queries, studies, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.inventory_pages import KitOrder, KitQuery
from dispensary.services.results import KitRow
from dispensary.study import Study

from .conftest import Stock
from .helpers import P25, P75, busy_pharmacy, receive

Password = Callable[[Actor], str]
WORKFLOW = (
    "available",
    "held",
    "short",
    "quarantined",
    "dispensed",
    "returned",
    "destroyed",
    "expired",
)
"""The order of a sort on the status as shown: the kit's workflow, the same in every language
(the status filter's order), never the codes' alphabet nor the shown words'."""
KEYS: dict[KitOrder, Callable[[KitRow], tuple[object, ...]]] = {
    KitOrder.NUMBER: lambda r: (r.number,),
    KitOrder.PRODUCT: lambda r: (r.product, r.number),
    KitOrder.LOT: lambda r: (r.lot, r.number),
    KitOrder.EXPIRY: lambda r: (r.expiry, r.product, r.lot, r.number),
    # As shown (held, short apart), in the workflow's order.
    KitOrder.STATUS: lambda r: (WORKFLOW.index(r.shown_status), r.number),
    KitOrder.SHIPMENT: lambda r: (r.shipment, r.number),
}


@pytest.fixture
def busy(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> Context:
    """Every kind of movement (a void, a count, a return, a destruction), and a lot expired."""
    receive(ctx, pharmacist, "E0001-E0003", "OLD1", date(2026, 1, 10))  # expired by the end
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    return ctx


def every_page(ctx: Context, actor: Actor, query: KitQuery, size: int) -> list[KitRow]:
    rows: list[KitRow] = []
    while True:
        page = inventory_pages.inventory_page(ctx, actor, query, len(rows), size)
        rows += page
        if len(page) < size:
            return rows


@pytest.mark.parametrize("order", list(KitOrder))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_give_the_whole_inventory_in_order(
    busy: Context, monitor: Actor, order: KitOrder, descending: bool
) -> None:
    whole = queries.inventory(busy, monitor)
    expected = sorted(whole, key=KEYS[order], reverse=descending)
    query = KitQuery(order=order, descending=descending)
    assert every_page(busy, monitor, query, 4) == expected
    assert inventory_pages.inventory_page(busy, monitor, query, 5, 3) == expected[5:8]
    for place in (0, 7, len(expected) - 1):
        number = expected[place].number
        assert inventory_pages.inventory_position(busy, monitor, query, number) == place


def test_the_summary_is_counted_by_the_database(busy: Context, monitor: Actor) -> None:
    whole = queries.inventory(busy, monitor)
    assert {r.status for r in whole} >= {
        KitStatus.AVAILABLE,
        KitStatus.DISPENSED,
        KitStatus.RETURNED,
        KitStatus.DESTROYED,
        KitStatus.EXPIRED,
    }
    available = [r for r in whole if r.status is KitStatus.AVAILABLE]
    found = inventory_pages.inventory_summary(busy, monitor, KitQuery())
    assert (found.kits, found.tablets_available) == (len(whole), sum(r.tablets for r in available))
    for status in KitStatus:
        query = KitQuery(status=status)
        rows = [r for r in whole if r.status is status]
        assert every_page(busy, monitor, query, 3) == sorted(rows, key=KEYS[KitOrder.EXPIRY])
        found = inventory_pages.inventory_summary(busy, monitor, query)
        on_hand = sum(r.tablets for r in rows if r.status is KitStatus.AVAILABLE)
        assert (found.kits, found.tablets_available) == (len(rows), on_hand)


def test_the_sql_status_and_contents_are_the_python_rules(busy: Context, monitor: Actor) -> None:
    """The two rules the pages restate in SQL give what `effective_status` and `balance_of`
    give for every kit: the status today, the tablets in each kit."""
    whole = {r.number: r for r in queries.inventory(busy, monitor)}
    today = busy.clock.today()
    with read_transaction(busy.engine) as session:
        statuses = dict(
            session.execute(select(Kit.number, inventory_pages.status_today(today)).join(Lot)).all()
        )
        contents = dict(
            session.execute(
                select(Kit.number, inventory_pages.contents_sum())
                .join(LedgerEntry, LedgerEntry.kit_id == Kit.id)
                .group_by(Kit.number)
            ).all()
        )
        for status in KitStatus:
            chosen = set(
                session.scalars(
                    select(Kit.number).join(Lot).where(inventory_pages.status_is(status, today))
                )
            )
            assert chosen == {n for n, r in whole.items() if r.status is status}, status
    assert {n: KitStatus(s) for n, s in statuses.items()} == {n: r.status for n, r in whole.items()}
    assert {n: contents.get(n, 0) for n in whole} == {n: r.tablets for n, r in whole.items()}
    assert any(r.tablets and r.status is not KitStatus.AVAILABLE for r in whole.values())


@pytest.mark.parametrize(
    ("text", "statuses", "expected"),
    [
        ("k0013", (), {"K0013"}),  # the kit's number, whatever its case
        ("S1", (), {"S0001", "S0002", "S0003", "S0004"}),  # the lot
        ("2.5mg", (), {"S0001", "S0002", "S0003", "S0004"}),  # the product
        ("2026-01-10", (), {"E0001", "E0002", "E0003"}),  # the expiry
        ("sh-e0001", (), {"E0001", "E0002", "E0003"}),  # the shipment, SH-E0001-E0003
        ("01-001", (), {"K0012"}),  # the participant the kit is with (K0011 was destroyed)
        ("dsp000004", (), {"K0012"}),  # the dispense it went out on
        ("01-002", (), {"S0001"}),  # back from the participant (K0001's dispense was voided)
        ("dsp000003", (), set()),  # S0001's dispense: a kit back is found by its participant
        ("50%_", (), set()),  # the wildcards are the user's characters
        ("xyz", (KitStatus.EXPIRED,), {"E0001", "E0002", "E0003"}),  # by its shown name
    ],
)
@pytest.mark.parametrize("listed", [inventory_pages.LISTED, 1, 0])
def test_the_text_search(
    busy: Context,
    monitor: Actor,
    text: str,
    statuses: tuple[KitStatus, ...],
    expected: set[str],
    listed: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`listed`: what the text names besides the kits is handed on as lists, or (too many to
    list) as the subqueries they come from; the kits found are the same."""
    monkeypatch.setattr(inventory_pages, "LISTED", listed)
    query = KitQuery(text=text, text_statuses=frozenset(statuses))
    found = every_page(busy, monitor, query, 5)
    assert {r.number for r in found} == expected
    assert inventory_pages.inventory_summary(busy, monitor, query).kits == len(expected)
    whole = {r.number: r for r in queries.inventory(busy, monitor)}
    assert found == [whole[r.number] for r in found]
    for order in KitOrder:
        ordered = replace(query, order=order, descending=True)
        few = inventory_pages.inventory_page(busy, monitor, ordered, 0, 50)
        assert few == sorted(found, key=KEYS[order], reverse=True)


def test_the_product_filter_and_the_largest_page(busy: Context, monitor: Actor) -> None:
    query = KitQuery(product="herombopag-2.5mg", order=KitOrder.NUMBER)
    assert [r.number for r in every_page(busy, monitor, query, 2)] == [
        "S0001",
        "S0002",
        "S0003",
        "S0004",
    ]
    assert inventory_pages.MOST_ROWS < 10**6
    everything = inventory_pages.inventory_page(busy, monitor, KitQuery(), 0, 10**6)
    assert len(everything) == len(queries.inventory(busy, monitor))
    assert inventory_pages.inventory_position(busy, monitor, query, "K0001") is None


def test_only_the_study_open_is_read(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    pharmacist2: Actor,
    pw: Password,
    stock: Stock,
) -> None:
    other_protocol = "NCT99999999"
    text = study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{other_protocol}"')
    studies.add_study(ctx, admin, text, "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", other_protocol, True, "covers both")
    both = users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    other = studies.switch_study(ctx, both, other_protocol)
    receive(other, both, "B0001-B0003", "LB1")
    mine = every_page(ctx, both, KitQuery(), 10)
    theirs = every_page(other, both, KitQuery(), 10)
    assert {r.number[0] for r in mine} == {"K", "S"}
    assert [r.number for r in theirs] == ["B0001", "B0002", "B0003"]
    assert inventory_pages.inventory_summary(other, both, KitQuery(text="k0")).kits == 0
    assert inventory_pages.inventory_position(other, both, KitQuery(), "K0001") is None

    outsider = users.sign_in(ctx, pharmacist2.username, pw(pharmacist2))
    with pytest.raises(NotPermitted):
        inventory_pages.inventory_page(other, outsider, KitQuery(), 0, 10)
    with pytest.raises(NotPermitted):
        inventory_pages.inventory_summary(other, outsider, KitQuery())


def test_the_studys_store_is_found_by_the_name_the_reader_sees(
    busy: Context, monitor: Actor
) -> None:
    """The Chinese screen shows the study's store by the study file's Chinese name; typing part
    of that name finds the kits recorded in it (by its English name), as typing the recorded
    name does in English."""
    study = busy.study
    chinese = study.wording("zh_CN").storage_area
    if not chinese or chinese == study.storage_area:
        pytest.skip("the study file names its store in English only")
    part = chinese[len(chinese) // 2 :]
    english = KitQuery(text=study.storage_area[:5])
    in_store = {r.number for r in every_page(busy, monitor, english, 50)}
    assert in_store
    with speaking(Language.ZH_CN):
        found = {r.number for r in every_page(busy, monitor, KitQuery(text=part), 50)}
        summary = inventory_pages.inventory_summary(busy, monitor, KitQuery(text=part))
    assert found == in_store and summary.kits == len(in_store)
    assert every_page(busy, monitor, KitQuery(text=part), 50) == [], "in English: no such name"


def test_a_kit_held_for_an_open_count_difference_is_not_available(
    ctx: Context, stock: Stock, technician: Actor, monitor: Actor, pw: Password
) -> None:
    """The summary's units available are the kits in stock (rules.in_stock): a kit whose count
    difference is open is held, not dispensed, so left out, and counted apart (review: the
    Inventory screen's "available" still counted it)."""
    from dispensary.services import counts

    before = inventory_pages.inventory_summary(ctx, monitor, KitQuery())
    searched_before = inventory_pages.inventory_summary(ctx, monitor, KitQuery(text="K000"))
    tablets = queries.kit_detail(ctx, monitor, "K0001").tablets
    counts.record_count(ctx, technician, "K0001", tablets - 1, pw(technician))  # open
    after = inventory_pages.inventory_summary(ctx, monitor, KitQuery())
    assert (before.held, after.held) == (0, 1)
    assert after.kits == before.kits
    assert after.tablets_available == before.tablets_available - tablets
    searched = inventory_pages.inventory_summary(ctx, monitor, KitQuery(text="K000"))
    assert searched.held == 1  # a search counts the same way
    assert searched.tablets_available == searched_before.tablets_available - tablets


def test_a_kit_too_short_for_a_cycle_is_not_available(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, monitor: Actor
) -> None:
    """A kit available that expires before a cycle dispensed today would end (every dispense
    refuses it: its receipt warned so) is no stock: the summary leaves its units out and
    counts it apart, as `queries.inventory` (the command's "available to dispense") does, and
    its row is not dispensable (review: the Inventory screen counted it, green, in its total)."""
    today = clock.today()
    receive(ctx, pharmacist, "T0001-T0001", "SHORT1", today + timedelta(days=1))
    whole = queries.inventory(ctx, monitor)
    dispensable = [r for r in whole if r.dispensable]
    assert "T0001" not in {r.number for r in dispensable}
    for query in (KitQuery(), KitQuery(text="0"), KitQuery(status=KitStatus.AVAILABLE)):
        found = inventory_pages.inventory_summary(ctx, monitor, query)
        assert found.tablets_available == sum(r.tablets for r in dispensable), query
        assert found.short == 1, query
    by_product = dict(inventory_pages.inventory_summary(ctx, monitor, KitQuery()).by_product)
    assert by_product == {
        p: sum(r.tablets for r in dispensable if r.product == p) for p in (P75, P25)
    }
    (row,) = inventory_pages.inventory_page(ctx, monitor, KitQuery(text="T0001"), 0, 10)
    assert (row.status, row.dispensable) == (KitStatus.AVAILABLE, False)
    assert row.expiry_standing is ExpiryStanding.SHORT


def test_each_kit_on_the_shelf_says_how_its_expiry_stands(
    ctx: Context, clock: FixedClock, stock: Stock, pharmacist: Actor, monitor: Actor
) -> None:
    """Expired, too short for a cycle, within the Today screen's warning window (90 days), or
    nothing to say; a kit that left the shelf says nothing of its expiry."""
    today = clock.today()
    receive(ctx, pharmacist, "N0001-N0001", "NEAR1", today + timedelta(days=60))
    receive(ctx, pharmacist, "X0001-X0001", "PAST1", today + timedelta(days=2))
    receive(ctx, pharmacist, "T0001-T0001", "SHORT1", today + timedelta(days=20))
    clock.set_date(today + timedelta(days=5))  # X0001 now past its expiry
    rows = {r.number: r for r in every_page(ctx, monitor, KitQuery(), 50)}
    assert rows["X0001"].status is KitStatus.EXPIRED
    standings = {n: rows[n].expiry_standing for n in ("X0001", "T0001", "N0001", "K0001")}
    assert standings == {
        "X0001": ExpiryStanding.EXPIRED,
        "T0001": ExpiryStanding.SHORT,
        "N0001": ExpiryStanding.NEAR,
        "K0001": None,  # expiring in 2027
    }
    assert {r.number: r.expiry_standing for r in queries.inventory(ctx, monitor)} == {
        n: r.expiry_standing for n, r in rows.items()
    }


def test_the_status_filter_finds_the_kits_held_or_short_dated_apart_from_available(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    technician: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """A kit held for an open count difference is shown "Held: count", not Available: the
    Available filter leaves it out (it found it, by its stored status) and the filter's own
    choice (HELD_FOR_COUNT) finds it, in SQL as `queries.inventory` finds it. A kit too
    short-dated for a cycle is shown "Too short-dated" (held or not): Available left it in,
    its own choice (SHORT_DATED) finds it."""
    from dispensary.domain.codes import HELD_FOR_COUNT, SHORT_DATED
    from dispensary.services import counts

    receive(ctx, pharmacist, "T0001-T0002", "SHORT1", clock.today() + timedelta(days=1))
    for kit in ("K0001", "T0001"):
        tablets = queries.kit_detail(ctx, monitor, kit).tablets
        counts.record_count(ctx, technician, kit, tablets - 1, pw(technician))  # left open
    shelf = [r for r in queries.inventory(ctx, monitor) if r.status is KitStatus.AVAILABLE]
    assert {r.number for r in shelf if r.held} == {"K0001", "T0001"}
    short = {"T0001", "T0002"}
    assert {r.number for r in shelf if r.refused_for_expiry} == short
    for choice, expected in (
        (HELD_FOR_COUNT, {"K0001"}),
        (SHORT_DATED, short),
        (KitStatus.AVAILABLE.value, {r.number for r in shelf} - {"K0001"} - short),
    ):
        status, held, too_short = inventory_pages.status_choice(choice)
        for query in (
            KitQuery(status=status, held=held, short=too_short),
            KitQuery(status=status, held=held, short=too_short, text="0"),  # with a search
            KitQuery(status=status, held=held, short=too_short, order=KitOrder.STATUS),
        ):
            found = every_page(ctx, monitor, query, 3)
            assert {r.number for r in found} == expected, (choice, query)
            assert all(r.held_for_count is (choice == HELD_FOR_COUNT) for r in found)
            assert all(r.refused_for_expiry is (choice == SHORT_DATED) for r in found)
            assert inventory_pages.inventory_summary(ctx, monitor, query).kits == len(expected)
        listed = queries.inventory(
            ctx, monitor, status=status, held_for_count=held, too_short=too_short
        )
        assert {r.number for r in listed} == expected, choice
    held_query = KitQuery(status=KitStatus.AVAILABLE, held=True)
    assert inventory_pages.inventory_position(ctx, monitor, held_query, "K0001") == 0
    assert inventory_pages.inventory_position(ctx, monitor, held_query, "K0002") is None
    short_query = KitQuery(status=KitStatus.AVAILABLE, short=True, order=KitOrder.NUMBER)
    assert inventory_pages.inventory_position(ctx, monitor, short_query, "T0002") == 1
    assert inventory_pages.inventory_position(ctx, monitor, short_query, "K0002") is None
    assert inventory_pages.status_choice(None) == (None, None, None)
    assert inventory_pages.status_choice("quarantined") == (KitStatus.QUARANTINED, None, None)


def test_the_search_and_the_sort_follow_the_status_shown(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    pharmacist: Actor,
    technician: Actor,
    monitor: Actor,
    pw: Password,
) -> None:
    """A kit held for an open count difference, or too short-dated for a cycle, is shown so
    (KitRow.shown_status), not Available: the search by the shown name finds it by that, not
    by its stored status, and a sort on the status puts each group apart (it sorted the held
    kit among the available), page after page and where `inventory_position` says."""
    from dispensary.domain.codes import HELD_FOR_COUNT, SHORT_DATED

    receive(ctx, pharmacist, "T0001-T0002", "SHORT1", clock.today() + timedelta(days=1))
    for kit in ("K0001", "T0001"):  # T0001 held and too short-dated: shown short
        tablets = queries.kit_detail(ctx, monitor, kit).tablets
        counts.record_count(ctx, technician, kit, tablets - 1, pw(technician))
    whole = queries.inventory(ctx, monitor)
    shown = {r.number: r.shown_status for r in whole}
    assert [shown[n] for n in ("K0001", "T0001", "T0002")] == [
        HELD_FOR_COUNT,
        SHORT_DATED,
        SHORT_DATED,
    ]
    assert shown["K0002"] == KitStatus.AVAILABLE.value
    for code in (HELD_FOR_COUNT, SHORT_DATED, KitStatus.AVAILABLE.value):
        query = KitQuery(text="xyz", text_statuses=frozenset({code}))
        found = every_page(ctx, monitor, query, 3)
        assert {r.number for r in found} == {n for n, s in shown.items() if s == code}, code
        assert inventory_pages.inventory_summary(ctx, monitor, query).kits == len(found)
    for descending in (False, True):
        query = KitQuery(order=KitOrder.STATUS, descending=descending)
        expected = sorted(whole, key=KEYS[KitOrder.STATUS], reverse=descending)
        assert every_page(ctx, monitor, query, 2) == expected
        for place, row in enumerate(expected):
            assert inventory_pages.inventory_position(ctx, monitor, query, row.number) == place
    ascending = [r.number for r in sorted(whole, key=KEYS[KitOrder.STATUS])]
    assert ascending.index("K0001") > max(
        ascending.index(n) for n, s in shown.items() if s == KitStatus.AVAILABLE.value
    )


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_a_sort_on_the_status_follows_the_kits_workflow_in_either_language(
    busy: Context, monitor: Actor, language: Language
) -> None:
    """Sorted by its code, the status column read in Chinese 可用, 已销毁, 已发放, 已过期 (the
    English words' alphabet): a sort on the status gives the kits in the workflow's order, the
    dispensable ones first, in English and Chinese alike, and the status filter lists the
    statuses in that order."""
    with speaking(language):
        whole = queries.inventory(busy, monitor)
        for descending in (False, True):
            query = KitQuery(order=KitOrder.STATUS, descending=descending)
            groups = [r.shown_status for r in every_page(busy, monitor, query, 5)]
            seen = list(dict.fromkeys(groups))
            in_order = [s for s in WORKFLOW if s in seen]
            assert seen == (in_order[::-1] if descending else in_order), (language, seen)
    assert {"available", "dispensed", "returned", "destroyed", "expired"} <= set(
        r.shown_status for r in whole
    )
    assert inventory_pages.SHOWN_STATUSES == WORKFLOW
