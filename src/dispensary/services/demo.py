"""The demo database: a study pharmacy six months into the trial, built through the real services.

Used to try the program, for screenshots, the DARF test and the GUI's `--demo`. Every step goes
through the same services as the counter (so every rule is checked), on a clock that walks from
the first shipment to "today". A seeded random generator makes it the same every time for the
same "today".
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from dataclasses import replace as replace_fields
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path

from argon2 import PasswordHasher

from dispensary.db.sqlite_backup import (
    copy_database_private,
    exclusive_lock,
    put_in_place,
    scratch_beside,
    single_file,
)
from dispensary.domain.codes import KitStatus, ParticipantStatus, ReasonCode, Role
from dispensary.domain.errors import DispensaryError, RuleViolation
from dispensary.domain.regimen import days_on_treatment, tablets_needed
from dispensary.files import os_detail, with_detail
from dispensary.i18n import ENGLISH, N_, _, current_language
from dispensary.services import (
    counts,
    destruction,
    dispensing,
    participants,
    quarantine,
    queries,
    receiving,
    reconciliation,
    returns,
    setup,
    studies,
    temperature,
    users,
)
from dispensary.services.assessment import DispenseRequest
from dispensary.services.backup import LOCK_WAIT_SECONDS
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from dispensary.study import Study, default_study_path, load_study

DEMO_PASSWORD = "demo-pass-1"
SEED = 20260105
PARTICIPANTS = 24
MAX_CYCLES = 8
P75, P25 = "herombopag-7.5mg", "herombopag-2.5mg"
STUDIES_FOLDER = default_study_path().parent
OTHER_STUDIES: tuple[tuple[str, tuple[tuple[str, str, str], ...], tuple[str, ...]], ...] = (
    ("DEMO-28D-BID", (("B2001-B2030", "demoxatinib-50mg", "DX2601"),), ("11-001", "11-002")),
    (
        "DEMO-2DRUG",
        (("C3001-C3020", "democapib-100mg", "DC2602"), ("T3001-T3020", "demotinib-25mg", "DT2603")),
        ("21-001", "21-002", "21-003"),
    ),
)
"""The demo's other studies: protocol (its file in resources/studies), kits received (range,
product, lot), participants enrolled."""
OTHER_SPECIAL: dict[tuple[str, str, int], tuple[dict[str, int], str]] = {
    ("DEMO-2DRUG", "21-002", 1): (
        {"demotinib-25mg": 3},
        "Took demotinib twice daily on days 1-3, as the capsules; counselled again: demotinib "
        "once daily, democapib twice daily on days 1-14 only. Investigator informed.",
    ),
}
"""The other studies' returns flagged on purpose (protocol, participant, cycle): tablets taken
beyond the regimen, by product, and the pharmacist's explanation."""

# Order of the steps within one day: stock arrives first, then the counter, then the back office.
STOCK, ENROL, VISIT, OFFICE, CLOSE = range(5)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    full_name: str
    initials: str


DEMO_USERS = (
    DemoUser("admin", Role.ADMINISTRATOR, "Li Wei", "LW"),
    DemoUser("pharmacist", Role.PHARMACIST, "Chen Jing", "CJ"),
    DemoUser("technician", Role.TECHNICIAN, "Wang Fang", "WF"),
    DemoUser("monitor", Role.MONITOR, "Maria Rossi", "MR"),
)


@dataclass(frozen=True)
class DemoInfo:
    """What the demo holds, so a caller can say so (and tests can check it)."""

    database: str
    today: date
    password: str
    users: tuple[DemoUser, ...]
    shipments: int
    kits: int
    participants: int
    dispenses: int
    returns: int
    destroyed_kits: int
    counts: int
    quarantined_kits: tuple[str, ...]
    expiring_soon: tuple[str, ...]  # lots expiring within 90 days that still have stock
    due_this_week: tuple[str, ...]  # participants whose next cycle is due within 7 days
    returns_overdue: tuple[str, ...]
    studies: tuple[str, ...] = ()  # every study of the pharmacy; the figures: the first's


@dataclass
class _Plan:
    """One participant's course: day 1 of each cycle dispensed, and how it ends."""

    index: int
    number: str
    initials: str
    birth_year: int
    visits: list[date]
    end: ParticipantStatus | None = None
    end_day: date | None = None
    dispenses: dict[int, DispenseResult] = field(default_factory=dict)


@dataclass
class _Tally:
    dispenses: int = 0
    returns: int = 0
    destroyed_kits: int = 0
    counts: int = 0


@contextmanager
def _light_hashing() -> Iterator[None]:
    """The demo's password is published, so its hashes use light argon2 settings.

    Argon2 reads its settings from each stored hash, so every signature in the demo (several
    hundred) is then checked in a millisecond instead of a tenth of a second, and the demo builds
    in seconds. Real accounts are never created under this.
    """
    saved = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    try:
        yield
    finally:
        users._hasher = saved


class _Timeline:
    """Steps put down in any order, then run in date order on the walking clock."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.steps: list[tuple[date, int, int, Callable[[], object]]] = []

    def at(self, day: date, order: int, step: Callable[[], object]) -> None:
        self.steps.append((day, order, len(self.steps), step))

    def run(self) -> None:
        minutes: dict[date, int] = {}
        ordered = sorted(self.steps, key=lambda s: s[:3])
        times = []
        for day, *_rest in ordered:
            minutes[day] = minutes.get(day, 0) + 6
            times.append(datetime.combine(day, time(8, 30), UTC) + timedelta(minutes=minutes[day]))
        _before_now(times, datetime.now(UTC))
        for (_day, _order, _seq, step), at in zip(ordered, times, strict=True):
            self.clock.current = at
            step()


def _before_now(times: list[datetime], now: datetime) -> None:
    """The steps that would be dated after this moment moved between the real (UTC) day's
    start and now, in the same order: the next step made on the real clock must not be dated
    before the demo's last entry, which the audit trail refuses. They are the working day's
    steps of a demo built before its 08:30 UTC, and, east of UTC before the UTC date turns
    (Henan before 08:00), every step of "today" (the local date, a day ahead of UTC's)."""
    late = [i for i, at in enumerate(times) if at >= now]
    if not late:
        return
    first = late[0]
    start = datetime.combine(now.date(), time(0, 0), UTC)
    if first > 0 and times[first - 1] >= start:
        start = times[first - 1]
    span = max((now - timedelta(seconds=1)) - start, timedelta(0))
    for k, i in enumerate(late, start=1):
        times[i] = start + span * k / (len(late) + 1)


def demo_studies() -> tuple[Study, ...]:
    """The studies the demo opens (its first, then OTHER_STUDIES), read from the files it adds:
    the front ends check each one's label fits its default stock before the demo is built, as
    `study add` does (labels sit above the services)."""
    others = (load_study(STUDIES_FOLDER / f"{p}.toml") for p, _kits, _first in OTHER_STUDIES)
    return (load_study(default_study_path()), *others)


def build_demo(db: str, clock_today: date | None = None) -> DemoInfo:
    """Creates the demo database at `db` (a new file or an empty database)."""
    today = clock_today or date.today()
    with _light_hashing():
        return _Builder(db, today, load_study(default_study_path())).build()


def build_demo_file(path: Path, clock_today: date | None = None, replace: bool = False) -> DemoInfo:
    """Builds the demo beside `path` (NAME.building), then puts it in place in one step, so that
    a kill leaves the earlier file or the whole new demo, never neither. An existing file is
    replaced only with `replace` and only if it is a training database (the demo,
    `init --training`): a real site database, or any other file, is refused and left byte for
    byte as it was."""
    if path.is_dir():
        raise RuleViolation(
            _("{path} is a folder: give a file name for the demo.").format(path=path)
        )
    if path.exists() and not replace:
        raise RuleViolation(
            _(
                "{path} already exists. Add --replace to overwrite it with a new demo, or give "
                "another --db."
            ).format(path=path)
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        old = None
        if path.exists():
            checked = _training_file(path)
            old = stack.enter_context(exclusive_lock(path, LOCK_WAIT_SECONDS))
            if old.identity != checked:
                raise RuleViolation(
                    _("{path} changed while it was being checked; try again.").format(path=path)
                )
        building = stack.enter_context(scratch_beside(path, ".building", N_("demo build")))
        info = build_demo(str(building), clock_today)
        single_file(building)
        if old is None:
            put_in_place(building, path)
        else:
            old.replace_with(building)  # in one transaction, under the lock
    return replace_fields(info, database=str(path))


def _training_file(path: Path) -> tuple[int, int]:
    """Refuses unless `path` is a Dispensary training database; returns the file's identity.
    Decided on a private copy: opening the file itself would switch it to WAL or upgrade it."""
    found = os.stat(path)
    refused = _(
        "{path} is not a Dispensary training database (the demo, or a database made with "
        "`init --training`), and the demo replaces nothing else. Nothing was changed; give "
        "another --db."
    ).format(path=path)
    with tempfile.TemporaryDirectory(prefix="dispensary-demo-") as scratch:
        copy = Path(scratch) / "check.sqlite3"
        try:
            copy_database_private(path, copy)
        except OSError as exc:
            raise RuleViolation(
                with_detail(
                    _("{path} cannot be read. {refusal}").format(path=path, refusal=refused),
                    os_detail(exc),
                )
            ) from exc
        try:
            opened = setup.open_database(str(copy), backup_dir=Path(scratch))
        except DispensaryError as exc:
            raise RuleViolation(refused) from exc
        try:
            training = setup.training_clock_allowed(opened.context)
        finally:
            opened.context.engine.dispose()
    if not training:
        raise RuleViolation(refused)
    return found.st_dev, found.st_ino


class _Builder:
    def __init__(self, db: str, today: date, study: Study) -> None:
        self.db = db
        self.today = today
        self.start = today - timedelta(days=200)
        self.study = study
        self.rng = random.Random(SEED)
        self.clock = FixedClock()
        self.clock.set_date(self.start - timedelta(days=5))
        self.timeline = _Timeline(self.clock)
        self.tally = _Tally()
        self.other_dispenses: dict[tuple[str, str, int], DispenseResult] = {}
        self.investigator = study.investigator
        self.ctx: Context
        self.admin: Actor
        self.pharmacist: Actor
        self.technician: Actor
        self.monitor: Actor

    # -- the whole story -------------------------------------------------------------------

    def build(self) -> DemoInfo:
        self._set_up()
        self._stock()
        plans = self._plans()
        for plan in plans:
            self._schedule(plan)
        self._back_office()
        self._other_studies()
        self.timeline.run()
        self.clock.current = datetime.combine(self.today, time(17, 0), UTC)
        info = self._info()
        self.ctx.engine.dispose()
        return info

    def _set_up(self) -> None:
        admin = DEMO_USERS[0]
        self.ctx = setup.init_database(
            self.db,
            self.study,
            admin.username,
            admin.full_name,
            admin.initials,
            DEMO_PASSWORD,
            self.clock,
            training=True,
        )
        self.admin = users.sign_in(self.ctx, admin.username, DEMO_PASSWORD)
        for user in DEMO_USERS[1:]:
            users.add_user(
                self.ctx,
                self.admin,
                user.username,
                user.role,
                user.full_name,
                user.initials,
                DEMO_PASSWORD,
                temporary_password=False,  # the demo tells everyone its one password
            )
        self.pharmacist = users.sign_in(self.ctx, "pharmacist", DEMO_PASSWORD)
        self.technician = users.sign_in(self.ctx, "technician", DEMO_PASSWORD)
        self.monitor = users.sign_in(self.ctx, "monitor", DEMO_PASSWORD)
        self._language()

    def _language(self) -> None:
        """A demo built in another language (`--lang zh_CN`) shows a site that works in it: its
        label text confirmed by the administrator, and every demo user's windows in it."""
        language = current_language()
        if language is ENGLISH or language.value not in self.study.texts:
            return
        self._confirm_translation(self.ctx)
        for actor in (self.admin, self.pharmacist, self.technician, self.monitor):
            users.set_language(self.ctx, actor, language.value)

    def _confirm_translation(self, ctx: Context) -> None:
        """The study's label text in the demo's language confirmed, so that its labels and
        leaflets print in it; nothing for English or a study whose file gives no such text."""
        language = current_language()
        if language is ENGLISH or language.value not in ctx.study.texts:
            return
        studies.confirm_rule(
            ctx,
            self.admin,
            f"label.text.{language.value}",
            "Demo: the site's translation, as a site confirms it after checking the approved label",
        )

    def _stock(self) -> None:
        """Four shipments: two lots of 7.5 mg, then a 2.5 mg lot that expires soon, and more."""
        first = self.start - timedelta(days=3)
        self._receive(first, "SH-0001", [
            ("K1001-K1060", P75, "HT2503A", self.start + timedelta(days=540)),
            ("K5001-K5008", P25, "HT2504L", self.start + timedelta(days=450)),
        ])  # fmt: skip
        second = self.start + timedelta(days=85)
        self._receive(second, "SH-0002", [
            ("K1061-K1120", P75, "HT2507B", self.start + timedelta(days=600)),
        ])  # fmt: skip
        self.timeline.at(
            second,
            STOCK,
            lambda: quarantine.quarantine(
                self.ctx,
                self.technician,
                ["K1061"],
                "Cap seal broken on arrival; photos sent to the sponsor, awaiting decision.",
            ),
        )
        third = self.today - timedelta(days=45)
        self._receive(
            third,
            "SH-0003",
            [("K5009-K5014", P25, "HT2509S", self.today + timedelta(days=40))],
            temperature_ok=False,
            condition="Box intact; logger alarm: 26.1 °C for 40 minutes in transit",
        )
        self.timeline.at(
            third + timedelta(days=2),
            STOCK,
            lambda: quarantine.release(
                self.ctx,
                self.pharmacist,
                [f"K{n}" for n in range(5009, 5015)],
                "Sponsor reviewed the transit logger data: excursion acceptable (letter TE-0042).",
                "TE-0042",
                password=DEMO_PASSWORD,
            ),
        )
        self._receive(self.today - timedelta(days=20), "SH-0004", [
            ("K1121-K1160", P75, "HT2510C", self.today + timedelta(days=700)),
        ])  # fmt: skip

    def _receive(
        self,
        day: date,
        number: str,
        lines: list[tuple[str, str, str, date]],
        temperature_ok: bool = True,
        condition: str = "Box intact, logger within 2-25 °C",
    ) -> None:
        def step() -> None:
            kits = [
                kit
                for kit_range, product, lot, expiry in lines
                for kit in receiving.kits_from_range(
                    self.ctx, kit_range, product, lot, expiry, None
                )
            ]
            receiving.receive_shipment(
                self.ctx,
                self.technician,
                number,
                kits,
                condition=condition,
                temperature_ok=temperature_ok,
            )

        self.timeline.at(day, STOCK, step)

    # -- participants ----------------------------------------------------------------------

    def _plans(self) -> list[_Plan]:
        letters = "ABCDEFGHJKLMNPRSTWYZ"
        plans = []
        for index in range(PARTICIPANTS):
            if index == PARTICIPANTS - 1:
                enrolled = self.today - timedelta(days=17)  # cycle 2 is due this week
            else:
                enrolled = self.start + timedelta(days=8 + round(index * 7.5))
            visits: list[date] = []
            day = enrolled
            while day <= self.today and len(visits) < MAX_CYCLES:
                visits.append(day)
                day += timedelta(days=21 + self.rng.choice([0, 0, 0, 0, 0, 0, 1, 2, 3, 7]))
            plan = _Plan(
                index,
                f"01-{index + 1:03d}",
                self.rng.choice(letters) + self.rng.choice(letters),
                self.rng.randint(1952, 1990),
                visits,
            )
            if len(visits) == MAX_CYCLES and day <= self.today:
                plan.end, plan.end_day = ParticipantStatus.COMPLETED, day
            plans.append(plan)
        self._discontinue(plans[2])
        self._miss_a_visit(plans[5])
        return plans

    def _discontinue(self, plan: _Plan) -> None:
        plan.visits = plan.visits[:3]
        plan.end = ParticipantStatus.DISCONTINUED
        plan.end_day = plan.visits[-1] + timedelta(days=21)

    def _miss_a_visit(self, plan: _Plan) -> None:
        """Stops after a visit a month or more ago: the return is overdue."""
        plan.visits = [v for v in plan.visits if v <= self.today - timedelta(days=32)]
        plan.end, plan.end_day = None, None

    def _schedule(self, plan: _Plan) -> None:
        self.timeline.at(plan.visits[0], ENROL, lambda: self._enrol(plan))
        for cycle, day in enumerate(plan.visits, start=1):
            self.timeline.at(day, VISIT, partial(self._visit, plan, cycle))
        end, end_day = plan.end, plan.end_day
        if end is not None and end_day is not None and end_day <= self.today:
            self.timeline.at(end_day, VISIT, lambda: self._finish(plan, end))

    def _enrol(self, plan: _Plan) -> None:
        elig = self.study.eligibility
        checklist = list(elig.inclusion) + [f"Not: {c}" for c in elig.exclusion]
        participants.enroll(
            self.ctx,
            self.pharmacist,
            plan.number,
            plan.initials,
            plan.birth_year,
            "F",
            self.investigator,
            criteria_confirmed=checklist,
        )

    def _visit(self, plan: _Plan, cycle: int) -> None:
        """Day 1 of a cycle: count back the last cycle's bottle, then dispense the next."""
        override = ""
        if cycle > 1:
            if plan.index == 7 and cycle == 3:
                override = "Participant forgot the bottle; she will bring it to the next visit."
            else:
                if plan.index == 7 and cycle == 4:
                    self._return(plan, cycle - 2)
                self._return(plan, cycle - 1)
        self._dispense(plan, cycle, override)

    def _finish(self, plan: _Plan, status: ParticipantStatus) -> None:
        self._return(plan, len(plan.visits))
        reason = (
            f"Completed {MAX_CYCLES} cycles of T-DM1 with herombopag; end-of-treatment visit."
            if status is ParticipantStatus.COMPLETED
            else "Disease progression: the investigator stopped T-DM1 and herombopag."
        )
        participants.set_status(
            self.ctx, self.pharmacist, plan.number, status, reason, password=DEMO_PASSWORD
        )

    def _dispense(self, plan: _Plan, cycle: int, override: str) -> None:
        day1 = self.clock.today()
        dose_level = -1 if plan.index == 1 and cycle >= 4 else 0
        ordered_by = self.investigator if dose_level != 0 else ""
        platelets = float(self.rng.randint(52, 96))
        if plan.index == 3 and cycle == 3:
            platelets = 112.0
            override = (
                "Investigator's instruction: dispense now; start the tablets once platelets fall "
                "below 100 x 10^9/L (she will phone the participant)."
            )
        if plan.index == 8 and cycle == 2:
            wrong = dispensing.dispense_cycle(
                self.ctx,
                self.pharmacist,
                plan.number,
                cycle,
                day1 + timedelta(days=2),
                DEMO_PASSWORD,
                platelet_count=platelets,
            )
            dispensing.void_dispense(
                self.ctx,
                self.pharmacist,
                wrong.number,
                "Wrong day 1 typed on the label; the kit never left the pharmacy.",
                DEMO_PASSWORD,
            )
        # The pharmacist reads the warnings, then names those the reason overrides.
        shown = dispensing.assess_dispense(
            self.ctx,
            self.pharmacist,
            DispenseRequest(
                plan.number,
                cycle=cycle,
                day1=day1,
                dose_level=dose_level,
                override_reason=override,
                platelet_count=platelets,
                dose_ordered_by=ordered_by,
            ),
        )
        result = dispensing.dispense_cycle(
            self.ctx,
            self.pharmacist,
            plan.number,
            cycle,
            day1,
            DEMO_PASSWORD,
            dose_level=dose_level,
            override_reason=override,
            overrides=shown.override_codes if override else (),
            platelet_count=platelets,
            dose_ordered_by=ordered_by,
            checked_by="technician",
            checker_password=DEMO_PASSWORD,
        )
        plan.dispenses[cycle] = result
        self.tally.dispenses += 1

    def _return(self, plan: _Plan, cycle: int) -> None:
        dispensed = plan.dispenses[cycle]
        tablets, held, note, explanation = self._counted(plan, cycle, dispensed.tablets)
        counter = self.technician if self.rng.random() < 0.4 else self.pharmacist
        result = returns.record_return(
            self.ctx,
            counter,
            dispensed.kits[0].kit,
            tablets,
            DEMO_PASSWORD,
            dispense=dispensed.number,
            held_days=held,
            condition="Bottle intact",
            note=note,
        )
        self.tally.returns += 1
        if explanation:
            returns.explain_flag(self.ctx, self.pharmacist, dispensed.number, explanation)
        if plan.index == 10 and cycle == 1:
            returns.correct_return(
                self.ctx,
                self.pharmacist,
                result.return_id,
                tablets - 1,
                "Recount by the pharmacist: one tablet fewer than first counted.",
                DEMO_PASSWORD,
            )

    def _counted(self, plan: _Plan, cycle: int, dispensed: int) -> tuple[int, int, str, str]:
        """(tablets back, days held, note, later explanation) for one return."""
        special = {
            (3, 2): (7, 7, "Investigator held the drug 7 days: platelets 128 x 10^9/L.", ""),
            (4, 2): (7, 0, "Nausea for a week after T-DM1; missed doses. Investigator told.", ""),
            (6, 3): (1, 5, "", ""),  # took tablets during a 5-day hold: over-use, left open
            (9, 3): (
                6,
                0,
                "",
                "In hospital 6 days with febrile neutropenia; could not take the tablets. "
                "Investigator informed.",
            ),
            (10, 1): (3, 0, "", ""),
            (11, 2): (5, 0, "", ""),  # under-use not yet explained
        }
        if (plan.index, cycle) in special:
            return special[(plan.index, cycle)]
        if dispensed > 21:  # the 2.5 mg kits of the reduced dose: two tablets a day
            return self.rng.choice([0, 0, 2, 2, 4]), 0, "", ""
        return self.rng.choice([0, 0, 0, 0, 1, 1, 2, 3]), 0, "", ""

    # -- the back office -------------------------------------------------------------------

    def _back_office(self) -> None:
        visit_day = self.today - timedelta(days=28)
        self.timeline.at(visit_day, OFFICE, self._monitoring_visit)
        self.timeline.at(visit_day, CLOSE, self._destroy_returned)
        self.timeline.at(self.today - timedelta(days=10), OFFICE, self._physical_count)
        self.timeline.at(self.today - timedelta(days=1), OFFICE, self._temperature_log)

    def _monitoring_visit(self) -> None:
        shown = reconciliation.reconcile(self.ctx, self.monitor)  # what the monitor looks at
        reconciliation.sign_off(
            self.ctx,
            self.monitor,
            DEMO_PASSWORD,
            "Monitoring visit: returns verified against the bottles; destruction approved.",
            seen=shown.seen(),
        )

    def _destroy_returned(self) -> None:
        held = queries.inventory(self.ctx, self.pharmacist, status=KitStatus.RETURNED)
        kits = [row.number for row in held]
        destruction.destroy(
            self.ctx,
            self.pharmacist,
            kits,
            DEMO_USERS[2].username,  # the witness signs with their own password
            "Incineration by the hospital's licensed clinical-waste contractor",
            DEMO_PASSWORD,
            reference=f"DEST-{self.clock.today().year}-001",
            witness_password=DEMO_PASSWORD,
        )
        self.tally.destroyed_kits += len(kits)

    def _physical_count(self) -> None:
        shelf = queries.inventory(
            self.ctx, self.technician, status=KitStatus.AVAILABLE, product=P75
        )
        counts.record_count(self.ctx, self.technician, shelf[0].number, 21, DEMO_PASSWORD)
        counts.record_count(
            self.ctx,
            self.technician,
            shelf[-1].number,
            20,
            DEMO_PASSWORD,
            reason_code=ReasonCode.BREAKAGE,
            reason="One tablet found broken in the bottle and set aside for destruction.",
            verified_by="pharmacist",
            verifier_password=DEMO_PASSWORD,
        )
        self.tally.counts += 2

    def _temperature_log(self) -> None:
        end = datetime.combine(self.today - timedelta(days=1), time(6, 0), UTC)
        lines = ["timestamp,celsius"]
        for hour in range(0, 7 * 24, 4):
            at = end - timedelta(hours=7 * 24 - hour)
            lines.append(f"{at.isoformat()},{self.rng.uniform(19.0, 23.5):.1f}")
        temperature.import_logger(
            self.ctx,
            self.technician,
            self.study.storage_area,
            "\n".join(lines) + "\n",
            source="logger-IP-store-1.csv",
        )

    # -- the pharmacy's other studies ------------------------------------------------------

    def _other_studies(self) -> None:
        """Two more (fictional) studies opened ten weeks ago: a 28-day twice-daily study dosed
        by weight band, and a two-drug study. The pharmacist and the technician work in all
        three; the monitor monitors NCT07198672 only."""
        opened = self.today - timedelta(days=70)
        self.timeline.at(opened, STOCK, self._open_other_studies)
        for protocol, kits, first in OTHER_STUDIES:
            cycle = load_study(STUDIES_FOLDER / f"{protocol}.toml").cycle
            self.timeline.at(opened, STOCK, partial(self._other_stock, protocol, kits, opened))
            for index, number in enumerate(first):
                start = opened + timedelta(days=7 + 3 * index)
                self.timeline.at(start, ENROL, partial(self._other_enrol, protocol, number))
                visit, count = start, 1
                while visit < self.today and (not cycle.max_cycles or count <= cycle.max_cycles):
                    step = partial(self._other_visit, protocol, number, count)
                    self.timeline.at(visit, VISIT, step)
                    visit, count = visit + timedelta(days=cycle.length_days), count + 1

    def _open_other_studies(self) -> None:
        for protocol, _kits, _first in OTHER_STUDIES:
            text = (STUDIES_FOLDER / f"{protocol}.toml").read_text(encoding="utf-8")
            studies.add_study(
                self.ctx, self.admin, text, f"{protocol}.toml", "Demo: a second protocol opens"
            )
            for user in ("pharmacist", "technician"):
                studies.set_access(
                    self.ctx, self.admin, user, protocol, True, "Demo: works in every study"
                )
        # Signed in again: each user's studies are read at sign-in.
        self.pharmacist = users.sign_in(self.ctx, "pharmacist", DEMO_PASSWORD)
        self.technician = users.sign_in(self.ctx, "technician", DEMO_PASSWORD)
        self.admin = users.sign_in(self.ctx, "admin", DEMO_PASSWORD)
        for protocol, _kits, _first in OTHER_STUDIES:
            self._confirm_translation(studies.switch_study(self.ctx, self.admin, protocol))

    def _in(self, protocol: str) -> Context:
        return studies.switch_study(self.ctx, self.pharmacist, protocol)

    def _other_stock(
        self, protocol: str, kits: tuple[tuple[str, str, str], ...], day: date
    ) -> None:
        ctx = self._in(protocol)
        listed = [
            kit
            for kit_range, product, lot in kits
            for kit in receiving.kits_from_range(
                ctx, kit_range, product, lot, day + timedelta(days=540), None
            )
        ]
        receiving.receive_shipment(
            ctx, self.technician, f"SH-{protocol}-1", listed, condition="Box intact"
        )

    def _other_enrol(self, protocol: str, number: str) -> None:
        birth = 1950 + self.rng.randrange(0, 40)
        initials = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _letter in range(2))
        participants.enroll(
            self._in(protocol),
            self.pharmacist,
            number,
            initials,
            birth,
            "F",
            self._in(protocol).study.investigator,  # the study's own, not NCT07198672's
            criteria_confirmed=participants.eligibility_checklist(self._in(protocol).study),
        )

    def _other_visit(self, protocol: str, number: str, cycle: int) -> None:
        """One cycle of a participant of another study: the last cycle's bottles counted back
        first, then the cycle dispensed (weight asked where the study doses by weight)."""
        ctx = self._in(protocol)
        today = self.clock.today()
        if cycle > 1:
            self._other_return(ctx, protocol, number, cycle - 1)
        options: dict[str, object] = {}
        if ctx.study.dose_by_weight is not None:
            options = {"dose_level": None, "observations": {"weight": 52.0 + 7 * cycle}}
        self.other_dispenses[(protocol, number, cycle)] = dispensing.dispense_cycle(
            ctx,
            self.pharmacist,
            number,
            cycle,
            today,
            DEMO_PASSWORD,
            **options,  # type: ignore[arg-type]
        )

    def _other_return(self, ctx: Context, protocol: str, number: str, cycle: int) -> None:
        """The bottles of a cycle of another study counted back on the next cycle's day 1.

        What is left is what the study file's regimen leaves (each drug its own doses and days:
        a kit may hold more than the cycle needs, as DEMO-2DRUG's 30 tablets for 21 days) plus
        a few missed doses, so the adherence is within the study's range; `OTHER_SPECIAL`'s
        one return is flagged on purpose and explained."""
        dispensed = self.other_dispenses[(protocol, number, cycle)]
        dose = ctx.study.dose_level(dispensed.dose_level)
        start = dispensed.start_date or dispensed.day1
        supply = max(1, (dispensed.last_day - start).days + 1)  # as the adherence rule counts
        days = days_on_treatment(start, self.clock.today(), supply, 0)
        from_day = (start - dispensed.day1).days + 1
        extra, explanation = OTHER_SPECIAL.get((protocol, number, cycle), ({}, ""))
        left: dict[str, int] = {}
        for kit in dispensed.kits:  # one draw per kit: missed doses 0, 0, 1 or 2
            missed = (0, 0, 1, 2)[self.rng.randrange(0, 4)]
            per_dose = max(c.tablets_per_dose for c in dose.of_product(kit.product))
            left[kit.product] = left.get(kit.product, 0) + missed * per_dose
        for product in left:
            out = sum(k.tablets for k in dispensed.kits if k.product == product)
            expected = tablets_needed(dose, product, days, from_day) + extra.get(product, 0)
            left[product] = max(0, min(out, out - expected + left[product]))
        back: dict[str, int] = {}
        for kit in reversed(dispensed.kits):  # the last kit opened holds what is left
            back[kit.kit] = min(kit.tablets, left[kit.product])
            left[kit.product] -= back[kit.kit]
        for kit in dispensed.kits:
            returns.record_return(
                ctx, self.pharmacist, kit.kit, back[kit.kit], DEMO_PASSWORD, dispensed.number
            )
        if explanation:
            returns.explain_flag(ctx, self.pharmacist, dispensed.number, explanation)

    # -- what was made ---------------------------------------------------------------------

    def _info(self) -> DemoInfo:
        stock = queries.inventory(self.ctx, self.pharmacist)
        people = queries.participants(self.ctx, self.pharmacist)
        soon = self.today + timedelta(days=90)
        week = self.today + timedelta(days=6)
        on_treatment = [p for p in people if p.status is ParticipantStatus.ON_TREATMENT]
        overdue = self.today - timedelta(
            days=self.study.cycle.length_days + self.study.return_grace_days
        )
        return DemoInfo(
            database=self.db,
            today=self.today,
            password=DEMO_PASSWORD,
            users=DEMO_USERS,
            shipments=len(queries.shipments(self.ctx, self.pharmacist)),
            kits=len(stock),
            participants=len(people),
            dispenses=self.tally.dispenses,
            returns=self.tally.returns,
            destroyed_kits=self.tally.destroyed_kits,
            counts=self.tally.counts,
            quarantined_kits=tuple(r.number for r in stock if r.status is KitStatus.QUARANTINED),
            expiring_soon=tuple(
                sorted(
                    {r.lot for r in stock if r.status is KitStatus.AVAILABLE and r.expiry <= soon}
                )
            ),
            due_this_week=tuple(
                p.study_number
                for p in on_treatment
                if p.next_due is not None
                and self.today <= p.next_due <= week
                and (p.last_cycle or 0) < MAX_CYCLES
            ),
            returns_overdue=tuple(
                p.study_number
                for p in on_treatment
                if p.return_pending and p.last_day1 is not None and p.last_day1 < overdue
            ),
            studies=(
                self.study.protocol,
                *(
                    r.protocol
                    for r in studies.list_studies(self.ctx, self.admin)
                    if r.protocol != self.study.protocol
                ),
            ),
        )
