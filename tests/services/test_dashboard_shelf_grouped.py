"""The Today screen's stock and expiring cards are counted in SQL, grouped per lot (issue 15: a
busy site's refresh read every kit the study ever received to leave out the kits held for a
count, and loaded the shelf's kits to weigh each one): what they show is what the kits say one
by one, by the domain's rules (status_now, kit_contents, open_differences,
least_usable_tablets), with kits quarantined, held for a count, part-used, short-dated and
expired, in each of several studies."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import Kit
from dispensary.domain.codes import KitStatus
from dispensary.domain.regimen import tablets_needed
from dispensary.domain.rules import least_usable_tablets, supply_cover_until
from dispensary.services import counts, dashboard, quarantine, studies, users
from dispensary.services.common import kit_contents, status_now
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .conftest import Stock
from .helpers import EARLY, LATE, P75, dispense, enroll, receive
from .test_several_studies import OTHER, other_text

Password = Callable[[Actor], str]
Figures = dict[str, tuple[int, int, int, int, int]]
Listed = list[tuple[date, str, str, bool]]


def kit_by_kit(ctx: Context, today: date) -> tuple[Figures, Listed]:
    """The stock card's figures per product (on hand, tablets, usable, held, quarantined) and
    the expiring card's kits, from each of the study's kits in Python: what the card showed
    before its figures were grouped in SQL."""
    study = ctx.study
    cycle = study.cycle
    cover = supply_cover_until(today, cycle.days_of_supply, cycle.expiry_margin_days)
    last_day = today + timedelta(days=dashboard.EXPIRY_WINDOW_DAYS)
    with read_transaction(ctx.engine) as session:
        kits = session.scalars(select(Kit).where(Kit.study_id == ctx.study_id)).all()
        held = set(counts.open_differences(session, [k.id for k in kits]))
        at_level = dashboard._people_due(session, ctx, today, dashboard.DUE_WINDOW_DAYS).at_level
        needs: dict[str, list[int]] = defaultdict(list)
        for level in at_level:
            dose = study.dose_level(level)
            for product in dose.products:
                needs[product].append(tablets_needed(dose, product, cycle.days_of_supply))
        least = {
            p: least_usable_tablets(t, study.product(p).tablets_per_kit) for p, t in needs.items()
        }
        figures = {p.code: [0, 0, 0, 0, 0] for p in study.products}
        expiring: Listed = []
        for kit in kits:
            now = status_now(kit, today)
            if now in (KitStatus.AVAILABLE, KitStatus.QUARANTINED) and kit.lot.expiry <= last_day:
                quarantined = now is KitStatus.QUARANTINED
                expiring.append((kit.lot.expiry, kit.lot.number, kit.number, quarantined))
            line = figures[kit.product]
            if now is KitStatus.QUARANTINED:
                line[4] += 1
            if now is not KitStatus.AVAILABLE:
                continue
            if kit.id in held:
                line[3] += 1
                continue
            contents = kit_contents(session, kit)
            line[0] += 1
            line[1] += contents
            if kit.lot.expiry >= cover and contents >= least.get(kit.product, 0):
                line[2] += 1
    return {p: (a, b, c, d, e) for p, (a, b, c, d, e) in figures.items()}, sorted(expiring)


def shown(snapshot: dashboard.Dashboard) -> tuple[Figures, Listed]:
    figures = {
        s.product: (
            s.kits_on_hand,
            s.tablets_on_hand,
            s.kits_usable,
            s.kits_held,
            s.kits_quarantined,
        )
        for s in snapshot.stock
    }
    listed = [(k.expiry, k.lot, k.number, k.quarantined) for k in snapshot.expiring]
    return figures, listed


def a_shelf_of_every_kind(ctx: Context, actor: Actor, technician: Actor, pw: Password) -> None:
    """On the `stock` fixture's shelf, after a dispense: kits quarantined in the lot expiring
    early and in the late one, a kit held for a count difference, a kit left with 20 tablets
    by an adjusted count, a recount that settled a difference, a lot expiring before a cycle
    started on the first day measured would end."""
    password = pw(actor)
    dispense(ctx, actor, password, "01-001")  # K0011, lot L2 first to expire
    quarantine.quarantine(ctx, actor, ["K0012", "K0003"], "Dropped")
    assert counts.record_count(ctx, actor, "K0004", 20, password).open  # held
    counts.record_count(
        ctx,
        technician,
        "K0005",
        20,
        pw(technician),
        "breakage",
        "one crushed",
        verified_by=actor.username,
        verifier_password=password,
    )  # 20 tablets: too few for a cycle of 21
    assert counts.record_count(ctx, actor, "K0006", 19, password).open
    assert not counts.record_count(ctx, actor, "K0006", 21, password).open  # settled
    receive(ctx, actor, "K0031-K0033", "L3", EARLY - timedelta(days=40))


DAYS = (
    EARLY - timedelta(days=120),  # L2 and L3 within the window, L3 short-dated
    EARLY - timedelta(days=30),  # L3 expired, L2 expiring before a cycle would end
    EARLY + timedelta(days=1),  # L2 expired too, quarantined kit and all
    LATE - timedelta(days=10),  # only L1 and S1: short-dated and expiring
)


def test_the_cards_show_what_each_kit_says(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
) -> None:
    a_shelf_of_every_kind(ctx, pharmacist, technician, pw)
    seen = []
    for day in DAYS:
        clock.set_date(day)
        snapshot = dashboard.dashboard(ctx, pharmacist)
        expected = kit_by_kit(ctx, day)
        assert shown(snapshot) == expected, day
        seen.append(expected)
    # The shelf measured holds what the test is about: on the first day, kits of every kind;
    # on the second, kits on the shelf and in quarantine expiring.
    figures, listed = seen[0]
    on_hand, _tablets, usable, held, quarantined = figures[P75]
    assert held == 1 and quarantined == 2 and usable < on_hand and listed
    listed = seen[1][1]
    assert any(q for *_k, q in listed) and any(not q for *_k, q in listed)


def test_held_for_count_is_held_kits_asked_of_each_kit(
    ctx: Context,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
) -> None:
    """counts.held_for_count (one kit's last count, by its index) and counts.held_kits (the
    study's open counts) name the same kits: open, settled by a recount, adjusted."""
    a_shelf_of_every_kind(ctx, pharmacist, technician, pw)
    assert counts.record_count(ctx, pharmacist, "K0007", 19, pw(pharmacist)).open
    with read_transaction(ctx.engine) as session:
        each = set(
            session.scalars(
                select(Kit.number).where(
                    Kit.study_id == ctx.study_id, counts.held_for_count(Kit.id)
                )
            )
        )
        listed = set(
            session.scalars(select(Kit.number).where(Kit.id.in_(counts.held_kits(ctx.study_id))))
        )
    assert each == listed == {"K0004", "K0007"}


def test_each_study_counts_its_own_shelf(
    ctx: Context,
    clock: FixedClock,
    study: Study,
    stock: Stock,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
) -> None:
    """Two studies, kits of the same products in each, one of the second's held for a count
    and one quarantined: each study's cards count its own kits alone, and the table of all
    studies says each one's expiring kits."""
    studies.add_study(ctx, admin, other_text(study), "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    other = studies.switch_study(ctx, both, OTHER)
    a_shelf_of_every_kind(ctx, both, technician, pw)
    receive(other, both, "B0001-B0006", "LB", EARLY - timedelta(days=20))
    receive(other, both, "B0007-B0008", "LB2", LATE)
    enroll(other, both, "02-001")
    assert counts.record_count(other, both, "B0002", 18, pw(pharmacist)).open
    quarantine.quarantine(other, both, ["B0003"], "Dropped")
    for day in DAYS[:2]:
        clock.set_date(day)
        mine = dashboard.dashboard(ctx, both)
        theirs = dashboard.dashboard(other, both)
        assert shown(mine) == kit_by_kit(ctx, day), day
        assert shown(theirs) == kit_by_kit(other, day), day
        lines = {line.protocol: line for line in dashboard.all_studies(ctx, both)}
        assert lines[OTHER].expiring == len(theirs.expiring)
        assert lines[ctx.study.protocol].expiring == len(mine.expiring)
    clock.set_date(DAYS[1])
    figures, listed = shown(dashboard.dashboard(other, both))
    assert figures[P75][3:] == (1, 1) and len(listed) == 6
