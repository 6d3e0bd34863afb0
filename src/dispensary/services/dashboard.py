"""What the pharmacist looks at first each morning: stock against need, expiries, who is due,
returns outstanding and the findings to review, gathered in one read-only snapshot.

It runs a reconciliation (seconds on a few years' history), so the Today screen calls it off
the UI thread and shows the last result with its time; a read finding no audit entry written
since the last and the same day reuses its figures (_figures), and the reconciliation's findings
are carried forward from the last read without keeping every kit in memory
(reconciliation.findings_session). The audit trail is checked
from the last point that verified: the screen's own (`since`), else the one kept beside the
database's backups (services.audit_check), else in full; only the entries and rows written
since are read (services.verification). The stock
and the participants due are read without the history, in a few queries: the kits stored as
available counted, and their contents summed from their ledger rows, per lot by one grouped SQL
statement (`_shelf`: no kit of the shelf comes to Python), and one row per participant on
treatment with its last live dispense."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from dispensary.db.engine import is_sqlite, make_engine, read_transaction, sqlite_path
from dispensary.db.models import (
    ChainHead,
    Dispense,
    DispenseKit,
    Kit,
    LedgerEntry,
    Lot,
    Participant,
    Return,
)
from dispensary.domain.codes import KitStatus, ParticipantStatus
from dispensary.domain.forecast import WEEK_DAYS, week_end
from dispensary.domain.regimen import kits_needed, last_day_of_supply, tablets_needed
from dispensary.domain.rules import (
    EXPIRY_WARNING_DAYS,
    cycle_overdue,
    effective_status,
    least_usable_tablets,
    next_cycle,
    return_due,
    return_overdue,
    supply_cover_until,
    treatment_ended_on,
)
from dispensary.i18n import current_language
from dispensary.services.audit_check import TrailCheck, check_trail, holds, kept_point
from dispensary.services.common import last_live_dispense
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.counts import held_for_count
from dispensary.services.inventory_pages import contents_sum, expiring_by
from dispensary.services.permissions import Permission, require
from dispensary.services.quarantine import quarantined_per_product
from dispensary.services.queries import status_changed_last
from dispensary.services.reconciliation import findings_session
from dispensary.services.results import (
    Discrepancy,
    VerifiedPoint,
    VerifyResult,
    title_in,
)
from dispensary.services.studies import list_studies, switch_study
from dispensary.study import Study, parse_study

EXPIRY_WINDOW_DAYS = EXPIRY_WARNING_DAYS
DUE_WINDOW_DAYS = WEEK_DAYS
"""Who is due "this week": the supply forecast's week 1, today and the six days after
(domain.forecast.week_end)."""


@dataclass(frozen=True)
class StockNeed:
    """One product: what is on the shelf against what the next cycles of everyone on
    treatment will take (whole kits, at each participant's current dose)."""

    product: str
    product_name: str
    kits_on_hand: int
    tablets_on_hand: int
    kits_needed: int
    tablets_needed: int
    participants: int
    kits_usable: (
        int  # of those on hand, the kits a cycle starting today may take (expiry, contents)
    )
    kits_held: int = 0
    """Kits on the shelf, unexpired, held for a count difference not settled (counts.held_kits):
    none of the figures above counts them (rules.in_stock), and the screen says so."""
    kits_quarantined: int = 0
    """Kits in quarantine, unexpired, awaiting the sponsor's decision (an excursion, damage):
    no stock either, until released; the screen says so, a shortage being theirs to settle."""

    @property
    def short(self) -> bool:
        """Fewer kits than the next cycles need that the counter would hand out today: a kit
        expiring before a cycle started today would end is on hand, but never dispensed."""
        return self.kits_usable < self.kits_needed


@dataclass(frozen=True)
class ExpiringKit:
    number: str
    product: str
    lot: str
    expiry: date
    days_left: int
    quarantined: bool = False
    """In quarantine, awaiting the sponsor's decision: due before the kit expires, else it is
    to destroy unused (a kit on the shelf is to use first)."""


@dataclass(frozen=True)
class DueParticipant:
    study_number: str
    initials: str
    next_cycle: int
    due: date  # earliest day 1 of the next cycle (the enrolment date for cycle 1)
    overdue: bool


@dataclass(frozen=True)
class PendingReturn:
    study_number: str
    initials: str
    dispense_number: str
    cycle: int
    day1: date
    last_day: date  # last day of supply (or of treatment, if it ended first), past: due back
    overdue: bool  # rules.return_overdue: the screen's red, the register's "overdue"


class StockCover(StrEnum):
    """The stock against the next cycles, in one word: what the Today screen's stock card says
    first. An empty study (no kit received, nobody on treatment) is not "covered": there is
    nothing yet to cover or to cover it with."""

    SHORT = "short"  # a product has fewer usable kits than the next cycles take
    NOTHING_RECEIVED = "nothing_received"  # no kit ever received, and no cycle to come
    NO_CYCLE = "no_cycle"  # kits received, but nobody on treatment has a cycle to come
    COVERED = "covered"  # every next cycle of everyone on treatment, from the shelf


@dataclass(frozen=True)
class Dashboard:
    today: date
    stock: tuple[StockNeed, ...]
    expiring: tuple[ExpiringKit, ...]
    due: tuple[DueParticipant, ...]
    returns_pending: tuple[PendingReturn, ...]
    discrepancies: tuple[Discrepancy, ...]
    checked_at: datetime  # when it was read: the screen says how old the figures are
    verification: VerifyResult  # its point is the next read's `since` when it passed
    kits_received: int = 0  # kits ever received in the study, whatever became of them
    # When the audit trail was last checked in full: this read's time where it checked in full,
    # the kept point's full check where it checked only what is new since (None: not known).
    full_check_at: datetime | None = None
    expiring_by: date | None = None
    """The last day of the expiring card's window: `expiring` are the kits on the shelf whose
    lot expires by then (inventory_pages.expiring_by), and the Inventory lists them all when
    given it (KitQuery.expiring_by)."""

    @property
    def stock_cover(self) -> StockCover:
        if any(need.short for need in self.stock):
            return StockCover.SHORT
        if not any(need.participants for need in self.stock):
            if not self.kits_received:
                return StockCover.NOTHING_RECEIVED
            return StockCover.NO_CYCLE
        return StockCover.COVERED


def dashboard(
    ctx: Context,
    actor: Actor,
    expiring_within_days: int = EXPIRY_WINDOW_DAYS,
    due_within_days: int = DUE_WINDOW_DAYS,
    since: VerifiedPoint | None = None,
) -> Dashboard:
    require(actor, Permission.VIEW, ctx)
    today = ctx.clock.today()
    checked_at = ctx.clock.now()
    windows = (expiring_within_days, due_within_days)
    if since is None:
        check_apart(ctx)
    with read_transaction(ctx.engine) as session:
        trail = check_trail(session, ctx, since=since)
        figures = _figures(session, ctx, trail, today, windows)
    return Dashboard(
        today=today,
        stock=figures.stock,
        expiring=figures.expiring,
        due=figures.due,
        returns_pending=figures.returns_pending,
        discrepancies=figures.discrepancies,
        checked_at=checked_at,
        verification=trail.verification,
        kits_received=figures.kits_received,
        full_check_at=checked_at if trail.full else trail.full_at,
        expiring_by=today + timedelta(days=expiring_within_days),
    )


APART_ENTRIES = 100_000
"""Audit entries from which the Today screen's full check of the trail runs in a process of its
own (see check_apart)."""
APART_TIMEOUT_S = 1800
"""A child still checking after this long is stopped and the check made here (a stalled child
would otherwise hold the Today screen's worker, and the window's closing, for ever)."""
_apart_failed: dict[tuple[str, int], int] = {}
"""(database, study) -> the audit entries of a trail the child found not to verify: the next
refresh checks here at once, instead of once apart and once here, until the chain moves."""


def check_apart(ctx: Context) -> bool:
    """The audit trail checked in full in a process of its own, when this read would check it
    in full (no point kept that the chain still holds) and the trail is long: the walk of a
    million entries holds 160 MB while it runs, which the window's process would keep as its
    high-water mark (and part of it after: freed memory is not all given back). The child
    runs the same check (audit_check.check_trail) and, when it passes, writes the point this
    read then starts from; when it does not pass (or cannot run: a SQLite database not in a
    file, a frozen build with no Python to start), the read checks in full itself, and says
    what it found. True: checked apart, and the trail verified. A server's database is checked
    apart too (the walk holds as much whichever engine it reads): its URL, password and all,
    goes to the child on its stdin, never on its command line."""
    if getattr(sys, "frozen", False):
        return False
    database = ctx.engine.url.render_as_string(hide_password=False)
    if is_sqlite(ctx.engine):
        path = sqlite_path(database)
        if path is None or not path.is_file():
            return False
        database = str(path)
    kept = kept_point(ctx)
    with read_transaction(ctx.engine) as session:
        if kept is not None and holds(session, kept.point):
            return False
        entries = session.scalar(select(ChainHead.audit_count).where(ChainHead.id == 1))
    if entries is None or entries < APART_ENTRIES:
        return False
    failed_key = (database, ctx.study_id)
    if _apart_failed.get(failed_key) == entries:
        return False
    work = {
        "database": database,
        "study": ctx.study.source_text,
        "study_id": ctx.study_id,
        "now": ctx.clock.now().isoformat(),
    }
    # The child runs this program's code, wherever it was imported from.
    here = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "dispensary.services.dashboard"],
            input=json.dumps(work).encode("utf-8"),
            capture_output=True,
            check=False,
            env=env,
            # Windows: no console window flashes up over the counter's screen.
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            timeout=APART_TIMEOUT_S,  # run() kills the child when it expires
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    if done.returncode != 0:
        _apart_failed[failed_key] = int(entries)
        return False
    _apart_failed.pop(failed_key, None)
    return True


def _check_here(work: dict[str, Any]) -> int:
    """The child of check_apart: the full check of the database's trail, which writes the point
    when it passes. 0: it passed."""
    clock = FixedClock(datetime.fromisoformat(str(work["now"])))
    database = str(work["database"])
    engine = make_engine(database)
    try:
        ctx = Context(
            engine, parse_study(str(work["study"])), clock, database, int(work["study_id"])
        )
        with read_transaction(engine) as session:
            trail = check_trail(session, ctx, full=True)
    finally:
        engine.dispose()
    return 0 if trail.verification.ok else 1


@dataclass(frozen=True)
class _Figures:
    """A Today screen's figures, all but when they were read and the audit trail's check."""

    stock: tuple[StockNeed, ...]
    expiring: tuple[ExpiringKit, ...]
    due: tuple[DueParticipant, ...]
    returns_pending: tuple[PendingReturn, ...]
    discrepancies: tuple[Discrepancy, ...]
    kits_received: int


_KEPT: dict[tuple[object, ...], tuple[object, Study, _Figures]] = {}
"""The last figures of each database and study, by the state they were read in and the study
file they were read with (see _figures)."""


def _figures(
    session: Session, ctx: Context, trail: TrailCheck, today: date, windows: tuple[int, int]
) -> _Figures:
    """The figures. While no audit entry was written since the last read (every write of the
    program writes one, and the verification's point names the last by its hash, which chains
    all before it: a step at another workstation moves it too) and the day and windows are
    the same (and the language, which the findings are worded in), they are the last read's: a refresh with nothing new reads nothing but the
    trail's new entries (none). Only a trail that verified up to its last entry is trusted so.
    Else read: the shelf and who is due in a few grouped queries, and the reconciliation's
    findings (reconciliation.findings_session, carried forward from its last read)."""
    verification = trail.verification
    point = verification.point if verification.ok else None
    # By the study's content, not its object: the table of all studies reads each study in a
    # context of its own at every refresh (studies.switch_study parses its file again).
    place = (str(ctx.engine.url), ctx.study_id)
    state = (
        (point.position, point.audit_hash, today, windows, current_language())
        if point is not None
        else None
    )
    kept = _KEPT.get(place)
    if (
        state is not None
        and kept is not None
        and kept[0] == state
        and (kept[1] is ctx.study or kept[1] == ctx.study)
    ):
        return kept[2]
    figures = _read_figures(session, ctx, trail, today, windows)
    if state is not None:
        if len(_KEPT) > 32:
            _KEPT.clear()
        _KEPT[place] = (state, ctx.study, figures)
    return figures


def _read_figures(
    session: Session, ctx: Context, trail: TrailCheck, today: date, windows: tuple[int, int]
) -> _Figures:
    study = ctx.study
    expiring_within_days, due_within_days = windows
    expiry_limit = today + timedelta(days=expiring_within_days)
    cover_until = supply_cover_until(
        today, study.cycle.days_of_supply, study.cycle.expiry_margin_days
    )
    quarantined = quarantined_per_product(session, ctx.study_id, today)
    expiring = _expiring(session, ctx.study_id, today, expiry_limit)
    who = _people_due(session, ctx, today, due_within_days)
    at_level = who.at_level
    findings = findings_session(session, ctx, trail)

    # Each participant's next cycle at the current dose, whole kits each: the same figures for
    # everyone at one level.
    need_kits: dict[str, int] = defaultdict(int)
    need_tablets: dict[str, int] = defaultdict(int)
    need_people: dict[str, int] = defaultdict(int)
    needs: dict[str, list[int]] = defaultdict(list)
    for level, people in at_level.items():
        dose = study.dose_level(level)
        for product in dose.products:
            tablets = tablets_needed(dose, product, study.cycle.days_of_supply)
            need_tablets[product] += tablets * people
            need_kits[product] += (
                kits_needed(tablets, study.product(product).tablets_per_kit) * people
            )
            need_people[product] += people
            needs[product].append(tablets)
    # A part-used kit holding less than rules.least_usable_tablets of those cycles is one the
    # full kits serve them without: not a usable kit, as the forecast counts it (a kit of 20
    # for cycles of 21 read "1 usable, 1 needed" beside a forecast short of it). A full kit
    # always is (a cycle of 112 tablets from kits of 60 takes two of them).
    least = {
        product: least_usable_tablets(tablets, study.product(product).tablets_per_kit)
        for product, tablets in needs.items()
    }
    shelf = _shelf(session, ctx.study_id, today, cover_until, least)
    stock = tuple(
        StockNeed(
            product.code,
            ctx.study.product_name(product.code),
            shelf.kits[product.code],
            shelf.tablets.get(product.code, 0),
            need_kits[product.code],
            need_tablets[product.code],
            need_people[product.code],
            shelf.lasting[product.code] - shelf.too_small.get(product.code, 0),
            shelf.held[product.code],
            quarantined.get(product.code, 0),
        )
        for product in study.products
    )
    return _Figures(
        stock=stock,
        expiring=tuple(sorted(expiring, key=lambda k: (k.expiry, k.lot, k.number))),
        due=who.due,
        returns_pending=who.returns_pending,
        discrepancies=tuple(d for d in findings if d.kind.to_review),
        kits_received=int(
            session.scalar(select(func.count(Kit.id)).where(Kit.study_id == ctx.study_id)) or 0
        ),
    )


@dataclass(frozen=True)
class _PeopleDue:
    """Who is due for their next cycle within the window, whose bottle is due back, and how
    many of those on treatment have a next cycle, per dose level (the stock card's needs)."""

    due: tuple[DueParticipant, ...]
    returns_pending: tuple[PendingReturn, ...]
    at_level: dict[int, int]


def _people_due(session: Session, ctx: Context, today: date, due_within_days: int) -> _PeopleDue:
    """The Today screen's due and returns cards' lists, and the register's narrowed to them
    (due_this_week, returns_pending): one rule for both."""
    study = ctx.study
    at_level: dict[int, int] = defaultdict(int)  # participants with a next cycle, per dose level
    due: list[DueParticipant] = []
    pending: list[PendingReturn] = []
    due_end = week_end(today, due_within_days)  # the first day not counted
    cycle_days = timedelta(days=study.cycle.length_days)
    # The bottle is due back (rules.return_due, the register's "due") whatever the
    # participant's status: a discontinued participant's bottle is the one to chase. Those on
    # treatment are read below; the others only where a kit is still out with them.
    # Off treatment, the kits still out are due back from the status's effective date.
    off = _off_treatment_out(session, ctx)
    left = status_changed_last(session, {p.participant_id: p.study_number for p in off})
    since = {p.study_number: left.get(p.participant_id) for p in off}
    for person in (*_on_treatment(session, ctx.study_id), *off):
        out = person.number is not None and not person.returned
        ended = treatment_ended_on(person.status, since.get(person.study_number))
        if out and return_due(person.day1, person.days_supply, today, person.status, ended):
            last_day = last_day_of_supply(person.day1, person.days_supply)
            if ended is not None:  # no dose expected from the effective date
                last_day = min(last_day, ended - timedelta(days=1))
            pending.append(
                PendingReturn(
                    person.study_number,
                    person.initials,
                    person.number,
                    person.cycle,
                    person.day1,
                    last_day,
                    return_overdue(
                        person.day1,
                        study.cycle.length_days,
                        study.return_grace_days,
                        today,
                        person.status,
                        ended,
                    ),
                )
            )
        if person.status != ParticipantStatus.ON_TREATMENT.value:
            continue
        # queries.participant_row of a participant on treatment: the next cycle is due a
        # cycle after the last live dispense's day 1 (the enrolment day for the first), and
        # none after the protocol's last cycle (rules.next_cycle).
        coming = next_cycle(None if person.number is None else person.cycle, study.cycle.max_cycles)
        if coming is not None:
            at_level[person.dose_level if person.number is not None else 0] += 1
        next_due = person.enrolled_on if person.number is None else person.day1 + cycle_days
        if coming is not None and next_due < due_end:
            due.append(
                DueParticipant(
                    person.study_number,
                    person.initials,
                    coming,
                    next_due,
                    cycle_overdue(next_due, today),
                )
            )
    return _PeopleDue(
        due=tuple(sorted(due, key=lambda d: (d.due, d.study_number))),
        returns_pending=tuple(sorted(pending, key=lambda p: (p.day1, p.study_number))),
        at_level=dict(at_level),
    )


def due_this_week(
    ctx: Context,
    actor: Actor,
    today: date | None = None,
    due_within_days: int = DUE_WINDOW_DAYS,
) -> tuple[DueParticipant, ...]:
    """Those due for their next cycle within the window from `today` (None: the clock's day
    now), as the Today screen's due card lists them (Dashboard.due): the Participants register
    narrowed to the card's list asks again here, for the day it is asked on, each time it is
    shown, so a participant dispensed since drops out, and a window left open overnight lists
    the new day's (it kept the day the card was read for until opened from the card again)."""
    require(actor, Permission.VIEW, ctx)
    day = today if today is not None else ctx.clock.today()
    with read_transaction(ctx.engine) as session:
        return _people_due(session, ctx, day, due_within_days).due


def returns_pending(
    ctx: Context, actor: Actor, today: date | None = None
) -> tuple[PendingReturn, ...]:
    """The returns due on `today` (None: the clock's day now), as the Today screen's returns
    card lists them (Dashboard.returns_pending): asked again by the register narrowed to
    them, for the day it is asked on (as due_this_week)."""
    require(actor, Permission.VIEW, ctx)
    day = today if today is not None else ctx.clock.today()
    with read_transaction(ctx.engine) as session:
        return _people_due(session, ctx, day, DUE_WINDOW_DAYS).returns_pending


def _expiring(session: Session, study: int, today: date, last_day: date) -> list[ExpiringKit]:
    """The kits on the shelf, available (held for a count or not) or in quarantine, whose lot
    expires by `last_day`, not yet expired (an expired one the reconciliation names): a kit
    on the shelf to use first, one in quarantine for the sponsor to decide on before it
    expires. The Inventory filtered to them finds the same kits (inventory_pages.expiring_by,
    KitQuery.expiring_by)."""
    return [
        ExpiringKit(
            number,
            product,
            lot,
            expiry,
            (expiry - today).days,
            quarantined=status == KitStatus.QUARANTINED.value,
        )
        for number, product, lot, expiry, status in session.execute(
            select(Kit.number, Kit.product, Lot.number, Lot.expiry, Kit.status)
            .join(Lot, Lot.id == Kit.lot_id)
            .where(Kit.study_id == study, expiring_by(today, last_day))
        )
    ]


@dataclass(frozen=True)
class _Shelf:
    """The kits in stock on the shelf (rules.in_stock), per product."""

    kits: dict[str, int]
    lasting: dict[str, int]  # of `kits`, those whose lot lasts until the cover day
    tablets: dict[str, int]  # in `kits`
    held: dict[str, int]  # on the shelf, unexpired, held for a count difference: not in `kits`
    too_small: dict[str, int]  # of `lasting`, those holding fewer tablets than the least given


def _shelf(
    session: Session, study: int, today: date, cover_until: date, least: dict[str, int]
) -> _Shelf:
    """The kits in stock on the shelf (rules.in_stock): their number per product, of those the
    number that last until `cover_until` (rules.supply_cover_until of a cycle starting today,
    the counter's own limit), their tablets, the kits held for a count difference (no stock,
    counted apart: counts.held_for_count; those expiring soon: `_expiring`), and of the kits
    lasting, those holding fewer tablets than `least` (rules.least_usable_tablets of the next
    cycles, per product: not usable, as the forecast counts them). Only a kit stored as
    available can be on the shelf, and not past its lot's expiry (rules.effective_status,
    asked of each lot: a few hundred). One statement: each available kit's contents summed
    from its ledger rows in SQL (the kit-balance index; inventory_pages.contents_sum, the
    domain's balance per kind of movement), then the kits counted and their contents added
    per lot, held or not and too small or not; no kit comes to Python."""
    contents = (
        select(contents_sum()).where(LedgerEntry.kit_id == Kit.id).correlate(Kit).scalar_subquery()
    )
    kits = (
        select(
            Kit.lot_id.label("lot_id"),
            Kit.product.label("product"),
            held_for_count(Kit.id).label("held"),
            contents.label("contents"),
        )
        .where(Kit.study_id == study, Kit.status == KitStatus.AVAILABLE.value)
        .subquery()
    )
    small: ColumnElement[int] = (
        case(
            *(
                (and_(kits.c.product == product, kits.c.contents < tablets), 1)
                for product, tablets in sorted(least.items())
            ),
            else_=0,
        )
        if least
        else literal(0)
    )
    # The flags in a statement of their own, grouped by its columns: a CASE with parameters
    # repeated in GROUP BY is another expression to PostgreSQL.
    flagged = select(
        kits.c.lot_id, kits.c.product, kits.c.held, small.label("small"), kits.c.contents
    ).subquery()
    groups = session.execute(
        select(
            flagged.c.lot_id,
            flagged.c.product,
            flagged.c.held,
            flagged.c.small,
            func.count(),
            func.coalesce(func.sum(flagged.c.contents), 0),
        ).group_by(flagged.c.lot_id, flagged.c.product, flagged.c.held, flagged.c.small)
    ).all()
    expiries = {
        lot_id: expiry
        for lot_id, expiry in session.execute(
            select(Lot.id, Lot.expiry).where(Lot.id.in_(sorted({row[0] for row in groups})))
        )
    }
    shelf = _Shelf(*(defaultdict(int) for _field in range(5)))
    for lot_id, product, is_held, is_small, count, tablets in groups:
        expiry = expiries[lot_id]
        if effective_status(KitStatus.AVAILABLE, expiry, today) is not KitStatus.AVAILABLE:
            continue
        if is_held:
            shelf.held[product] += count
            continue
        shelf.kits[product] += count
        shelf.tablets[product] += int(tablets)
        if expiry >= cover_until:
            shelf.lasting[product] += count
            if is_small:
                shelf.too_small[product] += count
    return shelf


def _person_and_last(last: Any) -> tuple[Any, ...]:
    """The columns of a participant's row on the Today screen: who, and the last live
    dispense (`last`, an alias of Dispense)."""
    return (
        Participant.study_number,
        Participant.initials,
        Participant.enrolled_on,
        Participant.status,
        last.number,
        last.cycle,
        last.day1,
        last.days_supply,
        last.dose_level,
    )


def _on_treatment(session: Session, study: int) -> Sequence[Row[Any]]:
    """Each participant on treatment with its status and its last live dispense
    (common.last_live_dispense: its number, cycle, day 1, days of supply and dose level, and
    whether a return of it is recorded; all None before the first), in one query of one row
    per participant, by study number."""
    last = aliased(Dispense)
    return session.execute(
        select(
            *_person_and_last(last),
            exists().where(Return.dispense_id == last.id).label("returned"),
        )
        .outerjoin(last, last.id == last_live_dispense(Participant.id))
        .where(
            Participant.study_id == study,
            Participant.status == ParticipantStatus.ON_TREATMENT.value,
        )
        .order_by(Participant.study_number)
    ).all()


def _off_treatment_out(session: Session, ctx: Context) -> Sequence[Row[Any]]:
    """The participants no longer on treatment whose last live dispense has a kit still out
    with them and no return recorded, in the rows `_on_treatment` gives (and the participant's
    id, for the effective date of the status: queries.status_changed_last): read from the kits
    still dispensed (ix_kits_study_status_number), a few at a site after years, not from
    every participant who ever completed."""
    last = aliased(Dispense)
    return session.execute(
        select(
            *_person_and_last(last),
            literal(False).label("returned"),
            Participant.id.label("participant_id"),
        )
        .select_from(Kit)
        .join(DispenseKit, DispenseKit.kit_id == Kit.id)
        .join(last, last.id == DispenseKit.dispense_id)
        .join(Participant, Participant.id == last.participant_id)
        .where(
            Kit.study_id == ctx.study_id,
            Kit.status == KitStatus.DISPENSED.value,
            Participant.status != ParticipantStatus.ON_TREATMENT.value,
            last.id == last_live_dispense(Participant.id),
            ~exists().where(Return.dispense_id == last.id),
        )
        .distinct()
        .order_by(Participant.study_number)
    ).all()


@dataclass(frozen=True)
class StudySummary:
    """One study's line on the Today screen's table of all the user's studies: the counts of
    the study's own Today screen, so a pharmacist running many protocols sees where work waits
    without opening each."""

    protocol: str
    short_title: str  # in English; `title_in` gives the reader's
    status: str  # "open" or "closed"
    due: int  # participants due for a cycle within the week
    overdue: int
    returns_pending: int
    expiring: int  # kits on the shelf or in quarantine expiring within the window
    discrepancies: int
    short_products: int  # products whose stock on hand is short of the next cycles
    titles: tuple[tuple[str, str], ...] = ()  # StudyRow.titles

    def title_in(self, language: str) -> str:
        return title_in(self.short_title, self.titles, language)


def all_studies(
    ctx: Context,
    actor: Actor,
    since: VerifiedPoint | None = None,
    shown: Dashboard | None = None,
) -> tuple[StudySummary, ...]:
    """The Today figures of every study the user may work in, one line each, in the study
    list's order. Each study is read in its own context (`studies.switch_study`, which applies
    the user's access); the audit chain, which is the pharmacy's, is verified once: each study
    after the first checks only what was written since the one before. `shown`: the figures
    of the study of `ctx` just read for its own screen, its line made from them rather than
    read again (the cards and the table then agree)."""
    require(actor, Permission.VIEW, ctx)
    place = (str(ctx.engine.url), ctx.study.protocol, actor.user_id, actor.role, actor.studies)
    state = _head_state(ctx, shown, since)
    kept = _LINES.get(place)
    if state is not None and kept is not None and kept[0] == state and shown is not None:
        return tuple(
            _summary(line.protocol, line.short_title, line.status, shown, line.titles)
            if line.protocol == ctx.study.protocol
            else line
            for line in kept[1]
        )
    point = since
    lines: list[StudySummary] = []
    for row in list_studies(ctx, actor):
        if shown is not None and row.protocol == ctx.study.protocol:
            snapshot = shown
        else:
            snapshot = dashboard(switch_study(ctx, actor, row.protocol), actor, since=point)
        if snapshot.verification.ok:
            point = snapshot.verification.point
        lines.append(_summary(row.protocol, row.short_title, row.status, snapshot, row.titles))
    if state is not None and point == since:  # nothing written while they were read
        if len(_LINES) > 32:
            _LINES.clear()
        _LINES[place] = (state, tuple(lines))
    return tuple(lines)


def _summary(
    protocol: str,
    short_title: str,
    status: str,
    snapshot: Dashboard,
    titles: tuple[tuple[str, str], ...] = (),
) -> StudySummary:
    return StudySummary(
        protocol=protocol,
        short_title=short_title,
        status=status,
        due=len(snapshot.due),
        overdue=sum(1 for d in snapshot.due if d.overdue),
        returns_pending=len(snapshot.returns_pending),
        expiring=len(snapshot.expiring),
        discrepancies=len(snapshot.discrepancies),
        short_products=sum(1 for s in snapshot.stock if s.short),
        titles=titles,
    )


_LINES: dict[tuple[object, ...], tuple[object, tuple[StudySummary, ...]]] = {}
"""The last table of all studies of each database, study on show and user, by the state it
was read in (see _head_state)."""


def _head_state(
    ctx: Context, shown: Dashboard | None, since: VerifiedPoint | None
) -> tuple[object, ...] | None:
    """The state a table of all studies is read in, when it may be kept: the study on show was
    just read and its audit trail verified up to `since`, and nothing was written after (the
    chain head is still there): every study's figures are then the last ones read in it (each
    study, its users' access and its file are rows whose every change writes an entry). None:
    read them."""
    if shown is None or since is None or not shown.verification.ok:
        return None
    if shown.verification.point != since:
        return None
    with read_transaction(ctx.engine) as session:
        head = session.execute(
            select(ChainHead.audit_count, ChainHead.audit_hash, ChainHead.ledger_count).where(
                ChainHead.id == 1
            )
        ).first()
    if head is None or tuple(head) != (since.position, since.audit_hash, since.ledger_position):
        return None
    return (since.position, since.audit_hash, shown.today, current_language())


if __name__ == "__main__":  # check_apart's child: the work as JSON on stdin
    sys.exit(_check_here(json.loads(sys.stdin.buffer.read())))
