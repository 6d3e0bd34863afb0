"""Times `audit verify` on the database of a busy investigational drug service after years.

    .venv/bin/python benchmarks/bench_verify.py [--rows 1000000] [--quick] [--fresh]
        [--profile] [--db PATH] [--out benchmarks/results/verify.json]

Issue 11's goal: verifying 1,000,000 ledger rows and 1,000,000 audit entries takes at most 3x
the time of hashing the same bytes with hashlib in a plain loop, in under 300 MB resident.

The database: made by the program (migrations, the study, the staff accounts, through the real
services), then years of pharmacy work written straight into it in big batches, every hash as
the program computes it (db/facts.py, services/audit.Recorder): shipments received (now and
then one quarantined at receipt for its temperature record, released two days later),
participants enrolled and dispensed a kit (sometimes two) every 21 days, each kit counted back
at the next visit, returned kits destroyed every Friday, dispensing labels printed, a
participant completing or discontinued, staff signing in and out. Each kit's status follows
its records (available, dispensed, returned, destroyed), as verify rebuilds it. Going through
the services would take hours; this takes a few minutes, and the file is kept in the temp
folder by size (--fresh builds it again). `--quick` is a 1/50 run (20,000 of each).

Measured in one run, after the file has been read once (so both figures are CPU, not disk):
- the floor: the bytes verify hashes (each ledger row's and audit entry's chained content, each
  fact row's content, as db/facts.py builds them), built beforehand, then hashed with
  hashlib.sha256(...).hexdigest() in a plain Python loop; only the loop is timed;
- `audit verify` (services.audit.verify_session, what the command runs), in a fresh process so
  that its peak resident memory is its own; only the call is timed;
- an incremental verification (`since` a verified point) after 100 more steps made through the
  services on a copy of the file, when the program offers one.
`--profile` also runs verify under cProfile and prints where the time goes.

How verify reads (services/verification.py): on SQLite the SQL writes each row's canonical text
itself (db/facts.text_sql: json_array / json_object of the stored values), so Python fetches one
string per row and hashes it; a row the SQL cannot write as Python does (text with control or,
in the chains, non-ASCII characters; a float not whole) gives another hash and is read and
encoded in Python before anything is said. What stays above the floor is SQLite's own work
(reading 1.4 GB of pages and writing the text: about as long as `SELECT *` with sqlite3 alone,
3-4x the floor) and the walk in Python that matches each audit entry's listed facts and ledger
rows and rebuilds the kits' status (a few microseconds per entry). So the 3x goal is out of
reach of a verifier that reads the rows through SQLite at all; the figures say how far.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import inspect
import io
import json
import os
import pstats
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, select

from dispensary.db import facts, migrate
from dispensary.db.engine import make_engine, read_transaction
from dispensary.db.models import Base
from dispensary.domain.codes import Role
from dispensary.services import audit
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import VerifyResult
from dispensary.study import Study, default_study_path, load_study

ROOT = Path(__file__).resolve().parents[1]
RATIO_GOAL = 3.0
RSS_GOAL_MB = 300
FULL_ROWS = 1_000_000
QUICK_DIVISOR = 50
GENERATOR_VERSION = 3  # bump when the generated database changes: the cached files are rebuilt
BATCH = 10_000
NEW_STEPS = 100
SHIPMENT = 500  # kits at most in one shipment

START = date(2019, 1, 7)
ENROLMENT_YEARS = 5
CYCLE_DAYS = 21
CYCLES = 17
PASSWORD = "benchpass1"
STAFF = (
    ("pharm1", "pharmacist", "Paula Pharm", "PP"),
    ("pharm2", "pharmacist", "Priya Shah", "PS"),
    ("pharm3", "pharmacist", "Omar Haddad", "OH"),
    ("pharm4", "pharmacist", "Lena Berg", "LB"),
    ("tech1", "technician", "Tom Tech", "TT"),
    ("tech2", "technician", "Ana Silva", "AS"),
    ("tech3", "technician", "Kofi Mensah", "KM"),
    ("tech4", "technician", "Mei Chen", "MC"),
    ("tech5", "technician", "Ravi Iyer", "RI"),
    ("tech6", "technician", "Sara Novak", "SN"),
    ("monitor1", "monitor", "Mona Monitor", "MM"),
    ("monitor2", "monitor", "Jon Ortiz", "JO"),
)
STORE = "IP store 1"
INVESTIGATOR = "Zhenzhen Liu, M.D."
METHOD = "Incineration by the hospital's licensed contractor"
TABLES: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables}
NAMES: dict[str, list[str]] = {name: [c.name for c in t.columns] for name, t in TABLES.items()}


COLUMNS = {
    "kits": "id number lot_id shipment_id product tablets status location",
    "participants": "id study_number initials birth_year sex enrolled_on "
    "eligibility_confirmed_by eligibility_confirmed_at eligibility_checklist status created_by_id",
    "dispenses": "id number participant_id cycle attempt day1 dose_level dispensed_on "
    "days_supply tablets dispensed_by_id checked_by_id dose_ordered_by platelet_count "
    "warning_override created_at",
    "dispense_kits": "id dispense_id kit_id tablets",
    "returns": "id dispense_id kit_id tablets returned_on held_days condition note flag_reason "
    "counted_by_id corrects_id created_at",
    "destructions": "id destroyed_on method witness reference to_sponsor kits user_id created_at",
    "quarantine_events": "id kit_id action reason excursion_id user_id at",
    "shipments": "id number received_on condition temperature_ok received_by_id created_at",
    "lots": "id product number expiry",
    "signatures": "id user_id meaning record_type record_id at",
}
"""The columns the generator writes by position. Columns a later migration adds go last in the
model: they are left NULL (as in rows written before them); any other schema change stops the
generator instead of writing rows whose hashes would not verify."""


def _padded(table: str, values: Sequence[Any]) -> tuple[Any, ...]:
    """The row with NULL in the columns added after the generator was written."""
    return (*values, *(None,) * (len(NAMES[table]) - len(values)))


@contextmanager
def services_for_bench() -> Iterator[None]:
    """The workflow services with light password hashing (sample_study.py), imported here only:
    the verify process imports what `audit verify` needs, nothing more."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from sample_study import light_password_hashing

    with light_password_hashing():
        yield


def _stored(value: Any) -> Any:
    """A value as SQLAlchemy stores it in SQLite (UTCDateTime, Date, Boolean)."""
    kind = type(value)
    if kind is datetime:
        return f"{value:%Y-%m-%d %H:%M:%S}.{value.microsecond:06d}"
    if kind is date:
        return value.isoformat()
    if kind is bool:
        return int(value)
    return value


@dataclass
class Staff:
    id: int
    username: str
    role: str


@dataclass
class KitState:
    number: str
    lot_id: int
    shipment_id: int
    product: str
    tablets: int
    status: str
    left: int = 0  # tablets counted back at its return

    def values(self, kit_id: int) -> tuple[Any, ...]:
        return (
            kit_id,
            self.number,
            self.lot_id,
            self.shipment_id,
            self.product,
            self.tablets,
            self.status,
            STORE,
        )


@dataclass
class Person:
    id: int
    number: str
    values: list[Any]  # the participants row, status last but one (see NAMES)
    cycles: int  # planned: fewer when discontinued
    cycle: int = 0
    dispense_id: int = 0
    dispense_number: str = ""
    kits: list[int] = field(default_factory=list)


class Generator:
    """Writes years of pharmacy work into a database the program created, in chain order."""

    def __init__(self, path: Path, ledger_target: int, audit_target: int, seed: int = 11) -> None:
        self.path = path
        self.ledger_target = ledger_target
        self.audit_target = audit_target
        self.rng = random.Random(seed)
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.sql: dict[str, str] = {}
        self.kits: dict[int, KitState] = {}
        self.people: dict[int, Person] = {}
        self.pool: deque[int] = deque()  # available kits, first in first out
        self.to_destroy: list[int] = []
        self.reprints: deque[str] = deque(maxlen=50)  # recent dispensing labels
        self.visits: dict[date, list[int]] = {}
        self.releases: dict[date, list[tuple[int, list[int]]]] = {}
        self.step_ledger: list[list[Any]] = []
        self.step_facts: list[tuple[str, int, str]] = []
        self.fact_rows = 0
        self.lot: tuple[int, str, date] = (0, "", START)
        self.audit_hash, self.audit_count = facts.GENESIS, 0
        self.ledger_hash, self.ledger_count = facts.GENESIS, 0
        self.now = datetime(START.year, START.month, START.day, 7, 0, tzinfo=UTC)

    # -- the database the program makes ------------------------------------------------------

    def create(self, study: Study) -> None:
        from dispensary.services import setup, users

        clock = FixedClock()
        clock.set_date(START - timedelta(days=3), hour=8)
        with services_for_bench():
            ctx = setup.init_database(
                str(self.path), study, "admin", "Ada Admin", "AA", PASSWORD, clock
            )
            admin = users.sign_in(ctx, "admin", PASSWORD)
            for name, role, full_name, initials in STAFF:
                users.add_user(
                    ctx, admin, name, role, full_name, initials, PASSWORD, temporary_password=False
                )
        ctx.engine.dispose()

    # -- rows, facts and the two chains, as services/audit.Recorder writes them ----------------

    def insert(self, table: str, values: Sequence[Any]) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(tuple(_stored(v) for v in _padded(table, values)))
        if len(buffer) >= BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        buffer = self.buffers.get(table)
        if not buffer:
            return
        sql = self.sql.get(table)
        if sql is None:
            names = NAMES[table]
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            self.sql[table] = sql
        self.conn.executemany(sql, buffer)
        buffer.clear()

    def fact(self, table: str, values: Sequence[Any], mutable: bool = False) -> int:
        """A row the step writes (or, `mutable`, a kit or participant it changes): listed by the
        step's audit entry with its content hash, as verify reads it back."""
        row_id = int(values[0])
        hashed = facts.fact_hash(table, NAMES[table], _padded(table, values))
        self.step_facts.append((table, row_id, hashed))
        if not mutable:
            self.insert(table, values)
        return row_id

    def kit_fact(self, kit_id: int, status: str) -> None:
        kit = self.kits[kit_id]
        kit.status = status
        self.fact("kits", kit.values(kit_id), mutable=True)

    def ledger(self, kit_id: int, kind: str, quantity: int, user: Staff, **ids: Any) -> None:
        kit = self.kits[kit_id]
        self.ledger_count += 1
        row = {
            "id": self.ledger_count,
            "at": self.now,
            "entry_date": self.now.date(),
            "kind": kind,
            "quantity": quantity,
            "from_returned": ids.pop("from_returned", False),
            "kit_id": kit_id,
            "lot_id": kit.lot_id,
            "product": kit.product,
            "participant_id": ids.pop("participant_id", None),
            "dispense_id": ids.pop("dispense_id", None),
            "return_id": ids.pop("return_id", None),
            "destruction_id": ids.pop("destruction_id", None),
            "count_id": None,
            "reverses_id": None,
            "reason": ids.pop("reason", ""),
            "user_id": user.id,
            "audit_entry_id": self.audit_count + 1,
            "prev_hash": self.ledger_hash,
        }
        if ids:
            raise TypeError(f"unknown ledger fields {sorted(ids)}")
        row["row_hash"] = facts.digest(self.ledger_hash, facts.ledger_content(row))
        self.ledger_hash = row["row_hash"]
        self.step_ledger.append([row["id"], row["row_hash"]])
        self.insert("ledger_entries", [row.get(name) for name in NAMES["ledger_entries"]])

    def audit(
        self,
        user: Staff | None,
        action: str,
        entity: str,
        entity_id: str | int,
        new: dict[str, Any] | None = None,
        old: dict[str, Any] | None = None,
        reason: str = "",
        username: str = "",
    ) -> None:
        new_values = dict(new or {})
        if self.step_ledger:
            new_values["ledger"] = self.step_ledger
            self.step_ledger = []
        listed = sorted(self.step_facts, key=lambda f: (f[0], f[1]))
        self.fact_rows += len(listed)
        self.step_facts = []
        self.audit_count += 1
        entry: dict[str, Any] = {
            "id": self.audit_count,
            "at": self.now,
            "user_id": user.id if user else None,
            "username": username or (user.username if user else "-"),
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "old": facts.canonical(old) if old else "",
            "new": facts.canonical(new_values) if new_values else "",
            "reason": reason,
            "facts": facts.facts_text(listed),
            "prev_hash": self.audit_hash,
        }
        self.audit_hash = facts.digest(self.audit_hash, facts.audit_content(entry))
        entry["entry_hash"] = self.audit_hash
        self.insert("audit_entries", [entry.get(name) for name in NAMES["audit_entries"]])
        self.tick()

    def tick(self) -> None:
        self.now += timedelta(
            seconds=self.rng.randint(4, 40), microseconds=self.rng.randint(0, 999_999)
        )

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -- the years of work -----------------------------------------------------------------------

    def run(self, study: Study) -> dict[str, int]:
        for table, names in COLUMNS.items():
            if NAMES[table][: len(names.split())] != names.split():
                raise RuntimeError(f"{table} is now {NAMES[table]}: update the generator")
        self.create(study)
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA foreign_keys=OFF")  # rows go in table by table; checked after
        self.conn.execute("PRAGMA cache_size=-200000")
        self.conn.execute("BEGIN IMMEDIATE")
        head = self.conn.execute(
            "SELECT audit_hash, audit_count, ledger_hash, ledger_count FROM chain_head WHERE id = 1"
        ).fetchone()
        self.audit_hash, self.audit_count, self.ledger_hash, self.ledger_count = head
        self.ids = {
            name: int(self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}").fetchone()[0])
            for name in TABLES
            if "id" in NAMES[name] and name not in ("ledger_entries", "audit_entries")
        }
        self.staff = [
            Staff(int(i), str(u), str(r))
            for i, u, r in self.conn.execute("SELECT id, username, role FROM users ORDER BY id")
        ]
        self.product = study.products[0]
        self.simulate()
        for table in list(self.buffers):
            self.flush(table)
        for kit_id, kit in self.kits.items():
            self.insert("kits", kit.values(kit_id))
        for person in self.people.values():
            self.insert("participants", [person.id, *person.values])
        for table in list(self.buffers):
            self.flush(table)
        self.conn.execute(
            "UPDATE chain_head SET audit_hash = ?, audit_count = ?, ledger_hash = ?, "
            "ledger_count = ? WHERE id = 1",
            (self.audit_hash, self.audit_count, self.ledger_hash, self.ledger_count),
        )
        self.conn.execute("COMMIT")
        broken = self.conn.execute("PRAGMA foreign_key_check").fetchmany(5)
        if broken:
            raise RuntimeError(f"the generated rows break foreign keys: {broken}")
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()
        return {
            "ledger_entries": self.ledger_count,
            "audit_entries": self.audit_count,
            "kits": len(self.kits),
            "participants": len(self.people),
            "facts listed": self.fact_rows,
        }

    def simulate(self) -> None:
        per_participant_ledger = 52  # about: 17 kits, each received, dispensed, returned, destroyed
        people = max(20, self.ledger_target // per_participant_ledger)
        self.enrol_rate = people / (ENROLMENT_YEARS * 261)
        self.enrol_credit = 0.0
        self.daily_kits = max(2.0, self.enrol_rate * 15.7 * 1.08)  # dispensed a weekday, later
        self.margin = min(1000, self.ledger_target // 20, self.audit_target // 20)
        day = START
        try:
            while True:
                if day.weekday() < 5:
                    self.work_day(day)
                day += timedelta(days=1)
        except Full:
            pass
        self.finish(day)

    def room(self, ledger_rows: int = 0) -> None:
        """Stops the years of work (between two steps) when the counts come near the targets."""
        if (
            self.ledger_count + ledger_rows >= self.ledger_target - self.margin
            or self.audit_count >= self.audit_target - self.margin
        ):
            raise Full

    def start_day(self, day: date) -> None:
        opening = datetime(day.year, day.month, day.day, 7, 30, tzinfo=UTC)
        self.now = max(self.now, opening)

    def work_day(self, day: date) -> None:
        self.start_day(day)
        # Staff sign in and out: as many as keep the audit trail in step with the ledger.
        expected = round(self.ledger_count * self.audit_target / self.ledger_target)
        padding = min(max(0, expected - self.audit_count), 400)
        signed_in = self.sign_ins(padding // 2 + padding % 2)
        for shipment_id, kit_ids in self.releases.pop(day, []):
            self.room()
            self.release(shipment_id, kit_ids)
        self.room()
        self.enrol(day)
        visiting = self.visits.pop(day, [])
        need = sum(len(self.people[p].kits) or 1 for p in visiting) * 1.2 + 4
        if len(self.pool) < max(need, self.daily_kits * 10):
            order = max(int(self.daily_kits * 25), int(need) + 20)
            self.room(order)
            self.receive_kits(day, order)
        for person_id in visiting:
            self.room(6)
            self.visit(day, self.people[person_id])
        if day.weekday() == 4:
            self.destroy(day)
        for user in signed_in[: padding // 2]:
            self.audit(user, "sign_out", "user", user.username)

    def sign_ins(self, count: int) -> list[Staff]:
        signed: list[Staff] = []
        for _ in range(count):
            user = self.rng.choice(self.staff[1:])
            self.audit(
                None, "sign_in", "user", user.username, {"role": user.role}, username=user.username
            )
            signed.append(user)
        return signed

    def pick(self, role: str) -> Staff:
        return self.rng.choice([s for s in self.staff if s.role == role])

    def receive_kits(self, day: date, count: int, temperature_ok: bool | None = None) -> None:
        """Shipments of up to SHIPMENT kits."""
        while count > 0:
            self.receive(day, min(count, SHIPMENT), temperature_ok)
            count -= SHIPMENT

    def receive(self, day: date, count: int, temperature_ok: bool | None = None) -> None:
        tech = self.pick("technician")
        shipment_id = self.next_id("shipments")
        if temperature_ok is None:  # one in 30 arrives warm: quarantined, released 2 days later
            temperature_ok = shipment_id % 30 != 3
        number = f"SH-{shipment_id:05d}"
        condition = "intact" if temperature_ok else "intact; logger shows 31 °C in transit"
        if shipment_id % 4 == 1 or self.ids["lots"] == 0:
            lot_id = self.next_id("lots")
            expiry = day + timedelta(days=730)
            self.lot = (lot_id, f"L{24000 + lot_id}", expiry)
            self.fact("lots", (lot_id, self.product.code, self.lot[1], expiry))
        lot_id, lot_number, expiry = self.lot
        self.fact(
            "shipments", (shipment_id, number, day, condition, temperature_ok, tech.id, self.now)
        )
        numbers: list[str] = []
        received: list[int] = []
        for _ in range(count):
            kit_id = self.next_id("kits")
            kit = KitState(
                f"K{kit_id:07d}",
                lot_id,
                shipment_id,
                self.product.code,
                self.product.tablets_per_kit,
                "",
            )
            self.kits[kit_id] = kit
            numbers.append(kit.number)
            self.ledger(kit_id, "receive", kit.tablets, tech, reason=f"shipment {number}")
            if temperature_ok:
                self.kit_fact(kit_id, "available")
            else:
                self.kit_fact(kit_id, "quarantined")
                self.fact(
                    "quarantine_events",
                    (
                        self.next_id("quarantine_events"),
                        kit_id,
                        "quarantine",
                        f"shipment {number} received with its temperature record not acceptable",
                        None,
                        tech.id,
                        self.now,
                    ),
                )
            received.append(kit_id)
        self.audit(
            tech,
            "receive",
            "shipment",
            number,
            {
                "condition": condition,
                "kits": numbers,
                "location": STORE,
                "lots": [f"{self.product.code}/{lot_number}/{expiry.isoformat()}"],
                "received_on": day,
                "tablets": sum(self.kits[k].tablets for k in received),
                "temperature_ok": temperature_ok,
            },
        )
        if temperature_ok:
            self.pool.extend(received)
        else:
            later = day + timedelta(days=2 if day.weekday() < 3 else 4)
            self.releases.setdefault(later, []).append((shipment_id, received))

    def release(self, shipment_id: int, kit_ids: list[int]) -> None:
        pharmacist = self.pick("pharmacist")
        why = f"Sponsor's stability data cover shipment SH-{shipment_id:05d}'s excursion: release"
        for kit_id in kit_ids:
            self.kit_fact(kit_id, "available")
            self.fact(
                "quarantine_events",
                (
                    self.next_id("quarantine_events"),
                    kit_id,
                    "release",
                    why,
                    None,
                    pharmacist.id,
                    self.now,
                ),
            )
        numbers = [self.kits[k].number for k in kit_ids]
        self.audit(
            pharmacist,
            "release",
            "kit",
            ",".join(numbers)[:60],
            {"kits": numbers, "status": "available"},
            {"status": "quarantined"},
            why,
        )
        self.pool.extend(kit_ids)

    def enrol(self, day: date) -> None:
        self.enrol_credit += self.enrol_rate
        while self.enrol_credit >= 1:
            self.enrol_credit -= 1
            pharmacist = self.pick("pharmacist")
            person_id = self.next_id("participants")
            number = f"{1 + person_id % 6:02d}-{person_id:05d}"
            letters = "ABCDEFGHJKLMNPRSTW"
            initials = self.rng.choice(letters) + self.rng.choice(letters)
            birth_year = self.rng.randint(1945, 1990)
            values = [
                number,
                initials,
                birth_year,
                "F",
                day,
                INVESTIGATOR,
                self.now,
                "[]",
                "on_treatment",
                pharmacist.id,
            ]
            cycles = CYCLES if self.rng.random() > 0.15 else self.rng.randint(1, CYCLES - 1)
            person = Person(person_id, number, values, cycles)
            self.people[person_id] = person
            self.fact("participants", [person_id, *values], mutable=True)
            self.audit(
                pharmacist,
                "enroll",
                "participant",
                number,
                {
                    "birth_year": birth_year,
                    "criteria": 0,
                    "eligibility_confirmed_by": INVESTIGATOR,
                    "enrolled_on": day,
                    "initials": initials,
                    "sex": "F",
                },
            )
            self.visits.setdefault(day, []).append(person_id)

    def visit(self, day: date, person: Person) -> None:
        for kit_id in person.kits:
            self.count_back(day, person, kit_id)
        person.kits = []
        if person.cycle >= person.cycles:
            status = "completed" if person.cycle >= CYCLES else "discontinued"
            why = (
                f"completed {CYCLES} cycles"
                if status == "completed"
                else "investigator's decision: disease progression"
            )
            person.values[-2] = status
            self.fact("participants", [person.id, *person.values], mutable=True)
            self.audit(
                self.pick("pharmacist"),
                "participant_status",
                "participant",
                person.number,
                {"status": status},
                {"status": "on_treatment"},
                why,
            )
            return
        self.dispense(day, person)
        self.visits.setdefault(day + timedelta(days=CYCLE_DAYS), []).append(person.id)

    def dispense(self, day: date, person: Person) -> None:
        pharmacist = self.pick("pharmacist")
        person.cycle += 1
        count = 2 if self.rng.random() < 0.08 else 1
        if len(self.pool) < count:  # the day's shipment went to quarantine: an urgent one
            self.receive(day, SHIPMENT, temperature_ok=True)
        kit_ids = [self.pool.popleft() for _ in range(count)]
        dispense_id = self.next_id("dispenses")
        number = f"DSP{dispense_id:06d}"
        tablets = sum(self.kits[k].tablets for k in kit_ids)
        platelets = round(self.rng.uniform(60, 320), 0) if self.rng.random() < 0.4 else None
        checker = None
        if self.rng.random() < 0.2:
            checker = self.rng.choice(
                [s for s in self.staff if s.role == "pharmacist" and s != pharmacist]
            )
        self.fact(
            "dispenses",
            (
                dispense_id,
                number,
                person.id,
                person.cycle,
                1,
                day,
                0,
                day,
                CYCLE_DAYS,
                tablets,
                pharmacist.id,
                checker.id if checker else None,
                "",
                platelets,
                "",
                self.now,
            ),
        )
        for kit_id in kit_ids:
            kit = self.kits[kit_id]
            self.fact(
                "dispense_kits", (self.next_id("dispense_kits"), dispense_id, kit_id, kit.tablets)
            )
            self.ledger(
                kit_id,
                "dispense",
                kit.tablets,
                pharmacist,
                participant_id=person.id,
                dispense_id=dispense_id,
                reason=f"cycle {person.cycle}",
            )
            self.kit_fact(kit_id, "dispensed")
        self.signature(pharmacist, "dispensed", "dispense", dispense_id)
        if checker is not None:
            self.signature(checker, "checked", "dispense", dispense_id)
        self.audit(
            pharmacist,
            "dispense",
            "dispense",
            number,
            {
                "participant": person.number,
                "cycle": person.cycle,
                "day1": day,
                "dose_level": 0,
                "kits": [self.kits[k].number for k in kit_ids],
                "tablets": tablets,
                "days": CYCLE_DAYS,
                "dispensed_on": day,
                "platelets": platelets,
                "warnings": [],
                "signature": "dispensed",
            },
        )
        self.audit(
            pharmacist,
            "label_printed",
            "dispense label",
            number,
            {"items": [number], "stock": "", "reprint": False},
        )
        person.dispense_id, person.dispense_number, person.kits = dispense_id, number, kit_ids
        self.reprints.append(number)

    def signature(self, user: Staff, meaning: str, record_type: str, record_id: int) -> None:
        self.fact(
            "signatures",
            (self.next_id("signatures"), user.id, meaning, record_type, record_id, self.now),
        )

    def count_back(self, day: date, person: Person, kit_id: int) -> None:
        tech = self.pick("technician")
        kit = self.kits[kit_id]
        back = min(kit.tablets, self.rng.choice((0, 0, 0, 1, 1, 2, 3)))
        return_id = self.next_id("returns")
        self.fact(
            "returns",
            (
                return_id,
                person.dispense_id,
                kit_id,
                back,
                day,
                0,
                "bottle intact",
                "",
                "",
                tech.id,
                None,
                self.now,
            ),
        )
        if back:
            self.ledger(
                kit_id,
                "return",
                back,
                tech,
                participant_id=person.id,
                dispense_id=person.dispense_id,
                return_id=return_id,
                reason=f"cycle {person.cycle} return",
            )
        self.kit_fact(kit_id, "returned")
        kit.left = back
        self.signature(tech, "return counted", "return", return_id)
        self.audit(
            tech,
            "return",
            "return",
            return_id,
            {
                "dispense": person.dispense_number,
                "expected": kit.tablets,
                "flags": [],
                "held_days": 0,
                "kit": kit.number,
                "note": "",
                "returned_on": day,
                "tablets": back,
                "taken": kit.tablets - back,
            },
        )
        self.to_destroy.append(kit_id)

    def destroy(self, day: date) -> None:
        while self.to_destroy:
            self.room(400)
            batch, self.to_destroy = self.to_destroy[:400], self.to_destroy[400:]
            pharmacist = self.pick("pharmacist")
            destruction_id = self.next_id("destructions")
            numbers = [self.kits[k].number for k in batch]
            reference = f"DEST-{day.year}-{destruction_id:04d}"
            witness = self.pick("technician")
            self.fact(
                "destructions",
                (
                    destruction_id,
                    day,
                    METHOD,
                    witness.username,
                    reference,
                    False,
                    json.dumps(numbers),
                    pharmacist.id,
                    self.now,
                ),
            )
            for kit_id in batch:
                kit = self.kits[kit_id]
                if kit.left:
                    self.ledger(
                        kit_id,
                        "destroy",
                        kit.left,
                        pharmacist,
                        from_returned=True,
                        destruction_id=destruction_id,
                        reason=f"destroyed: {METHOD}",
                    )
                self.kit_fact(kit_id, "destroyed")
            self.signature(pharmacist, "destroyed", "destruction", destruction_id)
            self.audit(
                pharmacist,
                "destroy",
                "destruction",
                destruction_id,
                {
                    "destroyed_on": day,
                    "kits": numbers,
                    "method": METHOD,
                    "reference": reference,
                    "tablets": sum(self.kits[k].left for k in batch),
                    "to_sponsor": False,
                    "witness": witness.username,
                },
            )

    def finish(self, day: date) -> None:
        """The end: shipments bring the ledger to its count, then the staff's sign-ins and label
        reprints of the days after bring the audit trail to its own."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.start_day(day)
        self.receive_kits(day, self.ledger_target - self.ledger_count, temperature_ok=True)
        self.last_day = day
        while self.audit_count < self.audit_target:
            if day.weekday() < 5:
                self.start_day(day)
                self.last_day = day
                for _ in range(min(60, self.audit_target - self.audit_count)):
                    if self.rng.random() < 0.7 or not self.reprints:
                        self.sign_ins(1)
                        continue
                    number = self.rng.choice(self.reprints)
                    self.audit(
                        self.pick("pharmacist"),
                        "label_reprinted",
                        "dispense label",
                        number,
                        {"items": [number], "stock": "", "reprint": True},
                        reason="label smudged",
                    )
            day += timedelta(days=1)
        if self.ledger_count != self.ledger_target or self.audit_count != self.audit_target:
            raise RuntimeError("the generator missed its targets")


class Full(Exception):
    """The targets are near: the years of work end here."""


# -- the database, kept by size -----------------------------------------------------------------


def database(rows: int, fresh: bool, given: Path | None) -> tuple[Path, dict[str, Any]]:
    """The generated database (built if missing), and what it holds."""
    folder = Path(tempfile.gettempdir()) / "dispensary-bench-verify"
    path = given or folder / (
        f"verify-{rows}-g{GENERATOR_VERSION}-s{migrate.head_revision()}-h{format_key()}.sqlite3"
    )
    info = path.with_suffix(".json")
    if path.exists() and info.exists() and not fresh:
        return path, dict(json.loads(info.read_text()))
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_name(path.name + ".partial")
    for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm"), path, info):
        stale.unlink(missing_ok=True)
    study = load_study(default_study_path())
    started = time.perf_counter()
    generator = Generator(building, rows, rows)
    counts: dict[str, Any] = dict(generator.run(study))
    counts["generation seconds"] = round(time.perf_counter() - started, 1)
    counts["last day"] = generator.last_day.isoformat()
    building.rename(path)
    info.write_text(json.dumps(counts, indent=2) + "\n")
    return path, counts


def warm(path: Path) -> float:
    """Reads the file once, so that the timed runs find it in the OS cache."""
    started = time.perf_counter()
    for part in (path, Path(f"{path}-wal")):
        if part.exists():
            with part.open("rb") as handle:
                while handle.read(1 << 24):
                    pass
    return time.perf_counter() - started


# -- the floor: the same bytes through hashlib ---------------------------------------------------


@dataclass
class Floor:
    """The hashlib floor, and for context what a verify in Python cannot skip besides."""

    hashing: float = 0.0  # the goal's floor: hashlib.sha256(...).hexdigest() over the bytes
    reading: float = 0.0  # the same rows read through SQLAlchemy Core (typed, as verify reads)
    raw_reading: float = 0.0  # the same rows read with sqlite3 alone (untyped tuples)
    building: float = 0.0  # their canonical content built into bytes (db/facts.py)
    contents: int = 0
    size: int = 0
    fact_rows: int = 0

    @property
    def rebuilt(self) -> float:
        return self.reading + self.building + self.hashing


class Captured:
    """Stands in for hashlib inside db/facts while the floor's bytes are built: keeps the bytes
    the program's own functions (digest, fact_hash) would hash, so the floor follows the
    canonical form whatever it becomes."""

    def __init__(self) -> None:
        self.data: list[bytes] = []

    def sha256(self, data: bytes = b"") -> Captured:
        self.data.append(data)
        return self

    def hexdigest(self) -> str:
        return ""


@contextmanager
def captured() -> Iterator[Captured]:
    capture = Captured()
    real = vars(facts)["hashlib"]
    setattr(facts, "hashlib", capture)  # noqa: B010
    try:
        yield capture
    finally:
        setattr(facts, "hashlib", real)  # noqa: B010


def format_key() -> str:
    """A fingerprint of how the program hashes (facts.digest, fact_hash, facts_text): the cached
    database is built again when it changes."""
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    row: dict[str, Any] = dict.fromkeys(NAMES["ledger_entries"])
    row.update(id=1, at=moment, entry_date=moment.date(), kind="receive", quantity=21)
    row.update(from_returned=False, kit_id=1, lot_id=1, product="p", reason="", user_id=1)
    entry: dict[str, Any] = dict.fromkeys(NAMES["audit_entries"], "")
    entry.update(id=1, at=moment, user_id=None, facts=facts.facts_text([("kits", 1, "0")]))
    dispense = (1, "DSP1", 1, 1, 1, moment.date(), 0, moment.date(), 21, 21, 1, None, "")
    parts = [
        facts.digest(facts.GENESIS, facts.ledger_content(row)),
        facts.digest(facts.GENESIS, facts.audit_content(entry)),
        facts.fact_hash("dispenses", NAMES["dispenses"], (*dispense, 152.0, "", moment)),
        facts.fact_hash(
            "returns", NAMES["returns"], (1, 1, 1, 0, moment.date(), 0, "", "", "", 1, None, moment)
        ),
        facts.fact_hash(
            "shipments", NAMES["shipments"], (1, "S", moment.date(), "", True, 1, None)
        ),
    ]
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:8]


def floor(path: Path, window: int = 50_000) -> Floor:
    """Times hashing, in a plain loop, the bytes verify hashes: every ledger row's and audit
    entry's chained content and every fact row's content. The bytes of each window of rows are
    built first and only the loop is timed; reading and building are timed apart."""
    found = Floor()
    engine = create_engine(f"sqlite:///{path}")
    sha256 = hashlib.sha256
    chained: dict[str, tuple[Callable[[Any], dict[str, Any]], str]] = {
        "ledger_entries": (facts.ledger_content, "row_hash"),
        "audit_entries": (facts.audit_content, "entry_hash"),
    }
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with engine.connect() as conn:
        for name, table in TABLES.items():
            if name in facts.UNTRACKED and name not in chained:
                continue
            started = time.perf_counter()
            cursor = raw.execute(f"SELECT * FROM {name} ORDER BY id")
            while cursor.fetchmany(window):
                pass
            found.raw_reading += time.perf_counter() - started
            names = NAMES[name]
            after = 0
            while True:
                started = time.perf_counter()
                query = select(table).where(table.c.id > after).order_by(table.c.id)
                rows = conn.execute(query.limit(window)).all()
                found.reading += time.perf_counter() - started
                if not rows:
                    break
                after = int(rows[-1].id)
                started = time.perf_counter()
                with captured() as capture:
                    if name in chained:
                        content = chained[name][0]
                        for r in rows:
                            facts.digest(r.prev_hash, content(r._mapping))
                    else:
                        for r in rows:
                            facts.fact_hash(name, names, tuple(r))
                        found.fact_rows += len(rows)
                data = capture.data
                found.building += time.perf_counter() - started
                # The floor hashes what verify hashes: the first rows' hashes are checked.
                if name in chained:
                    expected = [getattr(r, chained[name][1]) for r in rows[:3]]
                else:
                    expected = [facts.fact_hash(name, names, tuple(r)) for r in rows[:3]]
                assert [sha256(b).hexdigest() for b in data[:3]] == expected, name
                started = time.perf_counter()
                for item in data:
                    sha256(item).hexdigest()
                found.hashing += time.perf_counter() - started
                found.contents += len(data)
                found.size += sum(map(len, data))
    raw.close()
    engine.dispose()
    return found


# -- verify, in a process of its own ------------------------------------------------------------


def _rss_mb(field_name: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _point_json(result: VerifyResult) -> Any:
    point = getattr(result, "point", None)
    if point is None:
        return None
    return {
        "position": point.position,
        "audit_hash": point.audit_hash,
        "ledger_position": point.ledger_position,
        "ledger_hash": point.ledger_hash,
        "marks": [list(m) for m in point.marks],
    }


def offers_incremental() -> bool:
    """Whether `audit verify` can check only what was written since a verified point."""
    return "since" in inspect.signature(audit.verify).parameters


def child(path: Path, profile: bool, since: str | None) -> int:
    """Runs in the fresh process: one `audit verify` (services.audit.verify, as the command
    calls it), timed, and the process's peak memory."""
    ctx = Context(make_engine(str(path)), load_study(default_study_path()), FixedClock(), str(path))
    monitor = Actor(0, "bench", "Benchmark", "BB", Role.MONITOR)
    point: Any = None
    if since is not None:  # an incremental verification from the point of a full one
        from dispensary.services.results import VerifiedPoint

        raw = json.loads(since)
        point = VerifiedPoint(
            raw["position"],
            raw["audit_hash"],
            raw["ledger_position"],
            raw["ledger_hash"],
            tuple((str(t), int(i)) for t, i in raw["marks"]),
        )
    before = _rss_mb("VmRSS")
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    if point is None:
        result = audit.verify(ctx, monitor)
    else:
        result = audit.verify(ctx, monitor, since=point)  # type: ignore[call-arg,unused-ignore]
    if profiler is not None:
        profiler.disable()
    took = time.perf_counter() - started
    ctx.engine.dispose()
    # VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over exec from the forked copy
    # of the parent, which holds the generator's and the floor's data.
    peak = _rss_mb("VmHWM")
    if profiler is not None:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        print(out.getvalue())
    print(
        json.dumps(
            {
                "seconds": took,
                "ok": result.ok,
                "entries": result.entries,
                "ledger_entries": result.ledger_entries,
                "message": result.message,
                "findings": list(getattr(result, "findings", ()))[:5],
                "new_entries": getattr(result, "new_entries", None),
                "rss_before_mb": before,
                "peak_rss_mb": peak,
                "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "point": _point_json(result),
            }
        )
    )
    return 0


def run_child(path: Path, profile: bool = False, since: Any = None) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", str(path)]
    if profile:
        command.append("--profile")
    if since is not None:
        command += ["--since", json.dumps(since)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"the verify process failed:\n{done.stderr}")
    *before, last = done.stdout.rstrip("\n").split("\n")
    report: dict[str, Any] = json.loads(last)
    report["printed"] = "\n".join(before)
    return report


# -- 100 more steps, through the services, on a copy ---------------------------------------------


def _entries(ctx: Context) -> int:
    with read_transaction(ctx.engine) as session:
        return audit.count_entries(session)


def append_steps(path: Path, last_day: date, steps: int) -> int:
    """Enrols, dispenses (with its label) and signs in through the real services, the day after
    the last one; returns the number of audit entries written."""
    from dispensary.services import dispensing, labels, participants, users

    day = last_day + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    clock = FixedClock()
    clock.set_date(day, hour=8)
    # setup.open_database would first run PRAGMA quick_check over the whole file: not needed.
    ctx = Context(make_engine(str(path)), load_study(default_study_path()), clock, str(path))
    before = _entries(ctx)
    pharmacist: Actor = users.sign_in(ctx, "pharm1", PASSWORD)
    number = 0
    while _entries(ctx) - before + 3 <= steps:
        number += 1
        study_number = f"99-{number:05d}"
        participants.enroll(ctx, pharmacist, study_number, "ZZ", 1970, "F", INVESTIGATOR, day)
        result = dispensing.dispense_cycle(ctx, pharmacist, study_number, 1, day, PASSWORD)
        labels.record_label_print(
            ctx, pharmacist, labels.LabelKind.DISPENSE, [result.number], False
        )
    while _entries(ctx) - before < steps:
        users.sign_in(ctx, "tech1", PASSWORD)
    total = _entries(ctx) - before
    ctx.engine.dispose()
    return total


def incremental(path: Path, last_day: date, point: Any) -> dict[str, Any] | None:
    if point is None or not offers_incremental():
        return None
    copy = path.with_name(path.stem + ".incremental.sqlite3")
    try:
        shutil.copyfile(path, copy)
        with services_for_bench():
            steps = append_steps(copy, last_day, NEW_STEPS)
        warm(copy)
        report = run_child(copy, since=point)
        report["steps"] = steps
        return report
    finally:
        for part in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            part.unlink(missing_ok=True)


# -- the run --------------------------------------------------------------------------------------


def code_state() -> str:
    """The commit measured, and whether src/ had changes not committed yet."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "src"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit} + uncommitted changes in src/" if changed else commit


def verdict(met: bool) -> str:
    return "PASS" if met else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `audit verify` against hashlib.")
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="ledger rows and audit entries")
    parser.add_argument("--quick", action="store_true", help=f"1/{QUICK_DIVISOR} of the rows")
    parser.add_argument("--fresh", action="store_true", help="build the database again")
    parser.add_argument("--db", type=Path, help="where to keep the database (default: temp)")
    parser.add_argument("--runs", type=int, default=1, help="verify runs (the best is kept)")
    parser.add_argument("--profile", action="store_true", help="also profile verify (cProfile)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON (full runs: results/)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--since", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.child, args.profile, args.since)
    rows = args.rows // QUICK_DIVISOR if args.quick else args.rows
    out = args.out
    if out is None and rows == FULL_ROWS:
        out = ROOT / "benchmarks/results/verify.json"

    load = os.getloadavg()[0]
    if load > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {load:.1f} on {os.cpu_count()} cores: the times are inflated")
    path, counts = database(rows, args.fresh, args.db)
    size_mb = path.stat().st_size / 1e6
    print(
        f"database: {counts['ledger_entries']:,} ledger rows, {counts['audit_entries']:,} audit "
        f"entries, {counts['kits']:,} kits, {counts['participants']:,} participants; "
        f"{size_mb:,.0f} MB at {path} (built in {counts['generation seconds']} s)"
    )
    print(f"read once into the OS cache in {warm(path):.1f} s")

    base = floor(path)
    floor_s, fact_rows = base.hashing, base.fact_rows
    print(
        f"floor: {base.contents:,} contents ({fact_rows:,} fact rows), {base.size / 1e6:,.0f} "
        f"MB, hashed with hashlib.sha256 in a loop: {floor_s:.2f} s"
    )
    print(
        f"  besides (not in the goal): reading those rows {base.reading:.2f} s through "
        f"SQLAlchemy Core ({base.raw_reading:.2f} s with sqlite3 alone), building their "
        f"canonical bytes {base.building:.2f} s; read + build + hash {base.rebuilt:.2f} s"
    )
    runs = [run_child(path) for _ in range(max(1, args.runs))]
    report = min(runs, key=lambda r: float(r["seconds"]))
    report["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    ratio = report["seconds"] / floor_s
    rss = report["peak_rss_mb"]
    print(
        f"audit verify: {report['seconds']:.2f} s (best of {len(runs)}), ok={report['ok']} "
        f"({report['entries']:,} entries, {report['ledger_entries']:,} ledger rows): "
        f"{report['message']}"
    )
    for finding in report["findings"]:
        print(f"  finding: {finding}")
    print(
        f"  {ratio:.1f}x the floor (goal at most {RATIO_GOAL:.0f}x): {verdict(ratio <= RATIO_GOAL)}"
        f" [{report['seconds'] / base.rebuilt:.1f}x read + build + hash]"
    )
    print(
        f"  peak resident memory {rss:.0f} MB (goal under {RSS_GOAL_MB} MB; "
        f"{report['rss_before_mb']:.0f} MB before the call): {verdict(rss < RSS_GOAL_MB)}"
    )
    later = incremental(path, date.fromisoformat(counts["last day"]), report["point"])
    if later is None:
        print("incremental verify: not offered by services.audit (no verified point returned)")
    else:
        print(
            f"incremental verify after {later['steps']} more steps (through the services): "
            f"{later['seconds'] * 1000:.0f} ms, ok={later['ok']}, {later['new_entries']} new "
            f"entries checked, peak {later['peak_rss_mb']:.0f} MB"
        )
    if args.profile:
        profiled = run_child(path, profile=True)
        print(f"\nverify under cProfile ({profiled['seconds']:.1f} s):\n{profiled['printed']}")

    if out is not None and report["ok"]:
        results = {
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "code": code_state(),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
            "cores": os.cpu_count(),
            "load average at start": round(load, 1),
            "rows": {
                "ledger rows": counts["ledger_entries"],
                "audit entries": counts["audit_entries"],
                "fact rows": fact_rows,
                "kits": counts["kits"],
                "participants": counts["participants"],
                "database MB": round(size_mb),
            },
            "seconds": {
                "generation (cached between runs)": counts["generation seconds"],
                "floor: hashlib.sha256 loop over the same bytes": round(floor_s, 2),
                "reading the same rows (SQLAlchemy Core)": round(base.reading, 2),
                "reading the same rows (sqlite3 alone)": round(base.raw_reading, 2),
                "building their canonical bytes": round(base.building, 2),
                "audit verify": round(report["seconds"], 2),
                **(
                    {f"incremental verify after {later['steps']} steps": round(later["seconds"], 3)}
                    if later
                    else {}
                ),
            },
            "figures": {
                "verify / floor": round(ratio, 2),
                "verify / (read + build + hash)": round(report["seconds"] / base.rebuilt, 2),
                "verify peak RSS MB": round(rss),
                "hashed MB": round(base.size / 1e6),
                "contents hashed": base.contents,
            },
            "goals": {
                f"verify within {RATIO_GOAL:.0f}x the floor": verdict(ratio <= RATIO_GOAL),
                f"verify under {RSS_GOAL_MB} MB resident": verdict(rss < RSS_GOAL_MB),
            },
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(f"\nwritten to {out}")
    if not report["ok"]:
        return 2
    return 0 if ratio <= RATIO_GOAL and rss < RSS_GOAL_MB else 1


if __name__ == "__main__":
    sys.exit(main())
