"""A realistic study database built through the real services, day by day on a FixedClock.

Used by the report tests, the docs-image script and the DARF benchmark. It holds several lots
(one short-dated, one quarantined at receipt and left to expire), staggered enrolment, cycles
every 21 days with returns at each visit, a dose reduction onto the 2.5 mg product, a voided
dispense, a corrected return, a count adjustment, a temperature excursion in a second store,
and a destruction of returned tablets.

Users' passwords are hashed with light argon2 parameters so that the hundreds of signatures
the set-up makes stay fast; the program verifies whatever parameters a stored hash names.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from argon2 import PasswordHasher

from dispensary.domain.codes import KitStatus, ReasonCode
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    queries,
    receiving,
    returns,
    setup,
    temperature,
    users,
)
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from dispensary.study import Study, default_study_path, load_study

PASSWORDS = {
    "admin": "adminpass1",
    "pharm": "pharmpass1",
    "pharm2": "pharmpass2",
    "tech": "techpass11",
    "monitor": "monitorpass1",
}
STORE = "IP store 1"
SECOND_STORE = "IP store 2"
CYCLE_DAYS = 21


@dataclass
class SampleStudy:
    """The database and who can act on it."""

    ctx: Context
    clock: FixedClock
    admin: Actor
    pharmacist: Actor
    second_pharmacist: Actor
    technician: Actor
    monitor: Actor
    start: date
    today: date
    dispenses: int = 0
    returns: int = 0
    lots: dict[str, str] = field(default_factory=dict)  # lot -> product


@contextmanager
def light_password_hashing() -> Iterator[None]:
    saved = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        users._hasher = saved


def build_sample_study(
    db: str | Path,
    participants_count: int = 24,
    cycles: int = 7,
    start: date = date(2025, 9, 1),
    enrol_every_days: int = 2,
    seed: int = 20250901,
    study: Study | None = None,
) -> SampleStudy:
    """Builds the study from `start` until the last cycle's return (about `cycles` x 3 weeks)."""
    study = study or load_study(default_study_path())
    rng = random.Random(seed)
    clock = FixedClock()
    clock.set_date(start, hour=8)
    with light_password_hashing():
        ctx = setup.init_database(
            str(db), study, "admin", "Ada Admin", "AA", PASSWORDS["admin"], clock
        )
        admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
        users.add_user(
            ctx,
            admin,
            "pharm",
            "pharmacist",
            "Paula Pharm",
            "PP",
            PASSWORDS["pharm"],
            temporary_password=False,
        )
        users.add_user(
            ctx,
            admin,
            "pharm2",
            "pharmacist",
            "Priya Shah",
            "PS",
            PASSWORDS["pharm2"],
            temporary_password=False,
        )
        users.add_user(
            ctx,
            admin,
            "tech",
            "technician",
            "Tom Tech",
            "TT",
            PASSWORDS["tech"],
            temporary_password=False,
        )
        users.add_user(
            ctx,
            admin,
            "monitor",
            "monitor",
            "Mona Monitor",
            "MM",
            PASSWORDS["monitor"],
            temporary_password=False,
        )
    sample = SampleStudy(
        ctx=ctx,
        clock=clock,
        admin=admin,
        pharmacist=users.sign_in(ctx, "pharm", PASSWORDS["pharm"]),
        second_pharmacist=users.sign_in(ctx, "pharm2", PASSWORDS["pharm2"]),
        technician=users.sign_in(ctx, "tech", PASSWORDS["tech"]),
        monitor=users.sign_in(ctx, "monitor", PASSWORDS["monitor"]),
        start=start,
        today=start,
    )
    _Schedule(sample, rng, participants_count, cycles, enrol_every_days).run()
    return sample


class _Schedule:
    """Events by day, run in date order so that every step happens on its own day."""

    def __init__(
        self, sample: SampleStudy, rng: random.Random, people: int, cycles: int, every: int
    ) -> None:
        self.s = sample
        self.rng = rng
        self.people = people
        self.cycles = cycles
        self.every = every
        self.events: dict[date, list[tuple[int, Callable[[], None]]]] = defaultdict(list)
        self.last_dispense: dict[str, DispenseResult] = {}
        self.first_shipment = 0
        self.reduced = "01-003"
        self.voided = "01-005"
        self.heavy_returner = "01-007"
        self.held = "01-009"

    def at(self, day: date, action: Callable[[], None], order: int = 5) -> None:
        self.events[day].append((order, action))

    def run(self) -> None:
        start = self.s.start
        last_enrolment = start + timedelta(days=self.every * (self.people - 1) + 1)
        end = last_enrolment + timedelta(days=CYCLE_DAYS * self.cycles)
        self._stock(start, end)
        for index in range(self.people):
            number = f"01-{index + 1:03d}"
            enrolled = start + timedelta(days=1 + self.every * index)
            self.at(enrolled, self._enrol(number, enrolled), order=2)
            for cycle in range(1, self.cycles + 1):
                day1 = enrolled + timedelta(days=CYCLE_DAYS * (cycle - 1))
                if cycle > 1:
                    self.at(day1, self._return(number, cycle - 1), order=3)
                self.at(day1, self._dispense(number, cycle, day1), order=4)
            final = enrolled + timedelta(days=CYCLE_DAYS * self.cycles)
            self.at(final, self._return(number, self.cycles), order=3)
        self._extras(start, end)
        for day in sorted(self.events):
            self.s.clock.set_date(day, hour=9)
            for _, action in sorted(self.events[day], key=lambda item: item[0]):
                action()
        self.s.today = self.s.clock.today()

    # -- stock ---------------------------------------------------------------------------------

    def _stock(self, start: date, end: date) -> None:
        study = self.s.ctx.study
        main = study.products[0]
        reduced = study.products[1] if len(study.products) > 1 else main
        need = self.people * self.cycles + 20
        first = self.first_shipment = math.ceil(need * 0.45)
        second = need - first
        half_way = start + timedelta(days=(end - start).days // 3)
        self.at(
            start,
            self._receive("SH-0001", "K", 1, first, main.code, "L2401", date(2027, 6, 30), start),
            order=1,
        )
        self.at(
            start,
            self._receive(
                "SH-0002", "P", 1, 20, reduced.code, "L2451", end + timedelta(days=75), start
            ),
            order=1,
        )
        self.at(
            half_way,
            self._receive(
                "SH-0003",
                "K",
                first + 1,
                second,
                main.code,
                "L2402",
                date(2026, 12, 31) if end < date(2026, 11, 1) else end + timedelta(days=400),
                half_way,
            ),
            order=1,
        )
        # Short-dated stock delivered warm: quarantined at receipt and left to expire unreleased.
        self.at(
            start + timedelta(days=10),
            self._receive(
                "SH-0004",
                "K",
                9001,
                4,
                main.code,
                "L2398",
                end - timedelta(days=10),
                start + timedelta(days=10),
                temperature_ok=False,
            ),
            order=1,
        )
        # A few kits kept in a second store: split stock gets a DARF of its own.
        self.at(
            start + timedelta(days=5),
            self._receive(
                "SH-0005",
                "K",
                8001,
                6,
                main.code,
                "L2401",
                date(2027, 6, 30),
                start + timedelta(days=5),
                location=SECOND_STORE,
            ),
            order=1,
        )

    def _receive(
        self,
        shipment: str,
        prefix: str,
        first: int,
        count: int,
        product: str,
        lot: str,
        expiry: date,
        day: date,
        temperature_ok: bool = True,
        location: str | None = None,
    ) -> Callable[[], None]:
        def act() -> None:
            width = 4
            kit_range = f"{prefix}{first:0{width}d}-{prefix}{first + count - 1:0{width}d}"
            kits = receiving.kits_from_range(self.s.ctx, kit_range, product, lot, expiry, None)
            receiving.receive_shipment(
                self.s.ctx,
                self.s.technician,
                shipment,
                kits,
                received_on=day,
                condition="intact" if temperature_ok else "intact; logger shows 31 °C in transit",
                temperature_ok=temperature_ok,
                location=location or STORE,
            )
            self.s.lots[lot] = product

        return act

    # -- participants --------------------------------------------------------------------------

    def _enrol(self, number: str, day: date) -> Callable[[], None]:
        letters = "ABCDEFGHJKLMNPRSTW"

        def act() -> None:
            initials = self.rng.choice(letters) + self.rng.choice(letters)
            participants.enroll(
                self.s.ctx,
                self.s.pharmacist,
                number,
                initials,
                self.rng.randint(1950, 1990),
                "F",
                "Zhenzhen Liu, M.D.",
                enrolled_on=day,
                criteria_confirmed=participants.eligibility_checklist(self.s.ctx.study),
            )

        return act

    def _dispense(self, number: str, cycle: int, day1: date) -> Callable[[], None]:
        def act() -> None:
            s = self.s
            pharmacist, password = self._pharmacist(cycle)
            level = 0
            ordered_by = ""
            if number == self.reduced and cycle >= 4:
                level = -1
                ordered_by = "Zhenzhen Liu, M.D." if cycle == 4 else ""
            result = dispensing.dispense_cycle(
                s.ctx,
                pharmacist,
                number,
                cycle,
                day1,
                password,
                dose_level=level,
                dose_ordered_by=ordered_by,
            )
            if number == self.voided and cycle == 2:
                dispensing.void_dispense(
                    s.ctx,
                    pharmacist,
                    result.number,
                    "Wrong participant's bag; tablets never left the pharmacy",
                    password,
                )
                result = dispensing.dispense_cycle(s.ctx, pharmacist, number, cycle, day1, password)
            self.last_dispense[number] = result
            s.dispenses += 1

        return act

    def _pharmacist(self, cycle: int) -> tuple[Actor, str]:
        if cycle % 3 == 0:
            return self.s.second_pharmacist, PASSWORDS["pharm2"]
        return self.s.pharmacist, PASSWORDS["pharm"]

    def _return(self, number: str, cycle: int) -> Callable[[], None]:
        def act() -> None:
            s = self.s
            dispense = self.last_dispense[number]
            held = 0
            note = ""
            for kit in dispense.kits:
                back = self.rng.choice((0, 0, 0, 1, 1, 2, 3))
                if number == self.heavy_returner and cycle == 2:
                    back = 8
                    note = "Participant was in hospital for a week; doses missed."
                if number == self.held and cycle == 3:
                    held, back = 7, 7 * (kit.tablets // dispense.days)
                    note = "Investigator held the drug: platelets 142 x 10^9/L."
                back = min(back, kit.tablets)
                result = returns.record_return(
                    s.ctx,
                    s.technician,
                    kit.kit,
                    back,
                    PASSWORDS["tech"],
                    dispense=dispense.number,
                    held_days=held,
                    condition="bottle intact",
                    note=note,
                )
                s.returns += 1
                if number == "01-002" and cycle == 1:
                    returns.correct_return(
                        s.ctx,
                        s.pharmacist,
                        result.return_id,
                        back + 1,
                        "Recount: one tablet was stuck under the bottle label",
                        PASSWORDS["pharm"],
                    )

        return act

    # -- one-off events ------------------------------------------------------------------------

    def _extras(self, start: date, end: date) -> None:
        s = self.s
        count_day = start + timedelta(days=40)
        destroy_day = start + timedelta(days=100)
        excursion_day = start + timedelta(days=30)

        def count() -> None:
            kit = f"K{self.first_shipment:04d}"  # the last kit of the first shipment to go out
            counts.record_count(
                s.ctx,
                s.technician,
                kit,
                20,
                PASSWORDS["tech"],
                reason_code=ReasonCode.BREAKAGE,
                reason="One tablet found crushed in the bottle",
                verified_by="pharm",
                verifier_password=PASSWORDS["pharm"],
            )

        def excursion() -> None:
            t = excursion_day.isoformat()
            log = (
                "timestamp,celsius\n"
                f"{t}T01:00:00+00:00,22.5\n{t}T02:00:00+00:00,27.8\n"
                f"{t}T03:00:00+00:00,29.1\n{t}T04:00:00+00:00,23.0\n"
            )
            temperature.import_logger(
                s.ctx, s.technician, SECOND_STORE, log, source="store2-logger.csv"
            )
            quarantine.release(
                s.ctx,
                s.pharmacist,
                ["K8001", "K8002", "K8003"],
                "Sponsor's stability data cover 29.1 °C for 3 hours: release",
                "TE-2026-031",
                password=PASSWORDS[s.pharmacist.username],
            )

        def destroy() -> None:
            held = queries.inventory(s.ctx, s.pharmacist, status=KitStatus.RETURNED)
            kits = [row.number for row in held[:8]]
            destruction.destroy(
                s.ctx,
                s.pharmacist,
                kits,
                "tech",
                "Incineration by the hospital's licensed contractor",
                PASSWORDS["pharm"],
                reference="DEST-2025-01",
                witness_password=PASSWORDS["tech"],
                unseen_returns_ok=True,  # the sample has no monitor's sign-off
            )

        self.at(count_day, count, order=6)
        self.at(excursion_day, excursion, order=6)
        self.at(destroy_day, destroy, order=6)
