"""What the pharmacist looks at first each morning: stock against need, expiries, who is due,
returns outstanding and open discrepancies, gathered in one read-only snapshot.

It runs a full reconciliation (seconds on a few years' ledger), so the Today screen calls it
off the UI thread and shows the last result with its time. The audit trail is verified in full
at the first read; each later read, given where the last one that passed stood (`since`),
checks only the entries and rows written since (services.verification)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dispensary.db.engine import read_transaction
from dispensary.db.models import Kit, Participant
from dispensary.domain.codes import KitStatus, ParticipantStatus
from dispensary.domain.regimen import kits_needed, tablets_needed
from dispensary.services.common import contents_of_kits, status_now
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.queries import live_dispenses, participant_row
from dispensary.services.reconciliation import reconcile_session
from dispensary.services.results import Discrepancy, VerifiedPoint, VerifyResult
from dispensary.services.verification import verify_session, verify_since

EXPIRY_WINDOW_DAYS = 90
DUE_WINDOW_DAYS = 7
RESOLVED_KINDS = frozenset({"count_difference"})  # adjusted with a signed reason already


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

    @property
    def short(self) -> bool:
        return self.kits_on_hand < self.kits_needed


@dataclass(frozen=True)
class ExpiringKit:
    number: str
    product: str
    lot: str
    expiry: date
    days_left: int


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
    last_day: date  # last day of supply, past: the bottle is due back


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


def dashboard(
    ctx: Context,
    actor: Actor,
    expiring_within_days: int = EXPIRY_WINDOW_DAYS,
    due_within_days: int = DUE_WINDOW_DAYS,
    since: VerifiedPoint | None = None,
) -> Dashboard:
    require(actor, Permission.VIEW, ctx)
    study = ctx.study
    today = ctx.clock.today()
    expiry_limit = today + timedelta(days=expiring_within_days)
    checked_at = ctx.clock.now()
    with read_transaction(ctx.engine) as session:
        kits = list(
            session.scalars(
                select(Kit).where(Kit.study_id == ctx.study_id).options(joinedload(Kit.lot))
            ).unique()
        )
        shelf = [kit for kit in kits if status_now(kit, today) is KitStatus.AVAILABLE]
        contents = contents_of_kits(session, shelf)
        on_hand_kits: dict[str, int] = defaultdict(int)
        on_hand_tablets: dict[str, int] = defaultdict(int)
        expiring: list[ExpiringKit] = []
        for kit in shelf:
            on_hand_kits[kit.product] += 1
            on_hand_tablets[kit.product] += contents[kit.id]
            if kit.lot.expiry <= expiry_limit:
                expiring.append(
                    ExpiringKit(
                        kit.number,
                        kit.product,
                        kit.lot.number,
                        kit.lot.expiry,
                        (kit.lot.expiry - today).days,
                    )
                )

        need_kits: dict[str, int] = defaultdict(int)
        need_tablets: dict[str, int] = defaultdict(int)
        need_people: dict[str, int] = defaultdict(int)
        due: list[DueParticipant] = []
        pending: list[PendingReturn] = []
        due_limit = today + timedelta(days=due_within_days)
        people = session.scalars(
            select(Participant)
            .where(Participant.study_id == ctx.study_id)
            .order_by(Participant.study_number)
        )
        for person in people:
            if person.status != ParticipantStatus.ON_TREATMENT.value:
                continue
            row = participant_row(session, ctx, person)
            live = live_dispenses(session, person.id)
            last = live[-1] if live else None
            dose = study.dose_level(last.dose_level if last else 0)
            for product in dose.products:
                tablets = tablets_needed(dose, product, study.cycle.days_of_supply)
                need_tablets[product] += tablets
                need_kits[product] += kits_needed(tablets, study.product(product).tablets_per_kit)
                need_people[product] += 1
            next_due = row.next_due or person.enrolled_on
            if next_due <= due_limit:
                due.append(
                    DueParticipant(
                        person.study_number,
                        person.initials,
                        row.next_cycle,
                        next_due,
                        next_due < today,
                    )
                )
            if last is not None and row.return_pending:
                last_day = last.day1 + timedelta(days=last.days_supply - 1)
                if last_day < today:  # the bottle is due back
                    pending.append(
                        PendingReturn(
                            person.study_number,
                            person.initials,
                            last.number,
                            last.cycle,
                            last.day1,
                            last_day,
                        )
                    )
        verification = verify_since(session, since) if since else verify_session(session)
        findings = reconcile_session(session, ctx, verification).discrepancies

    stock = tuple(
        StockNeed(
            product.code,
            ctx.study.product_name(product.code),
            on_hand_kits[product.code],
            on_hand_tablets[product.code],
            need_kits[product.code],
            need_tablets[product.code],
            need_people[product.code],
        )
        for product in study.products
    )
    return Dashboard(
        today=today,
        stock=stock,
        expiring=tuple(sorted(expiring, key=lambda k: (k.expiry, k.lot, k.number))),
        due=tuple(sorted(due, key=lambda d: (d.due, d.study_number))),
        returns_pending=tuple(sorted(pending, key=lambda p: (p.day1, p.study_number))),
        discrepancies=tuple(d for d in findings if d.kind not in RESOLVED_KINDS),
        checked_at=checked_at,
        verification=verification,
    )
