"""A busy pharmacy's database after years of work, for the benchmarks: built fast, provably the
database the services would have written.

    database(size, fresh, given) -> (path, counts)

`size` is "full" (1,000,000 ledger rows and as many audit entries, ~300,000 kits, ~18,000
participants, 1.4 GB: about 4 minutes of CPU), "quick" (1/50 of that), "small", or a number of
ledger rows (`python benchmarks/sitegen.py [size] [--fresh]` builds one and prints its
counts). The file is kept in the temp folder by size, generator version, schema head and
hashing format (`fresh` builds it again; `given` is where to keep it instead).

The site: one pharmacy serving three studies (resources/studies/NCT07198672.toml,
DEMO-28D-BID.toml, DEMO-2DRUG.toml), each with its own regimen read from its Study object: the
kits of each product a cycle needs (domain.regimen.tablets_needed), its cycle length, its cap on
cycles, its weight bands (DEMO-28D-BID records the weight at each dispense) and its storage area.

The base database is made by the program itself (services_for_bench: light password hashing):
migrations and the first study (services.setup.init_database), the staff (users.add_user), the
two other studies (studies.add_study), every member of staff given access to them
(studies.set_access, the study_access rows), and every study-file rule an administrator still
had to confirm confirmed (studies.confirm_rule). The test makes it once and copies the file for
both paths, so both start from the same bytes (password hashes included); `database` makes it
again for each build, so it is always what the services write now.

The years of work are decided by `Generator` (a seeded random.Random, one step at a time, in
the order a pharmacy works through a day): staff sign in and out; shipments are received (one
in 30 quarantined for its temperature record, released two days later); participants enrolled
in each study at its own rate; at each visit the last cycle's kits are counted back, then the
next cycle dispensed (first expiry first out, as the counter picks), its label printed, now and
then with a second pharmacist's check; a participant completes or is discontinued; returned
kits are destroyed every Friday with a witness; at the end, label reprints. Each step is handed
to a `Writer`, which writes exactly one audit entry for it:

- `ServiceWriter` makes the step through the real services (receiving, participants,
  dispensing, labels, returns, destruction, quarantine, users), with a FixedClock set to the
  generator's time. Hours for a full-size site: used for the proof on a small one.
- `BulkWriter` writes the same rows straight into SQLite in batches of 10,000: each row with
  the values the service gives it (the same ids, in the order the service's flushes assign
  them), each ledger row and audit entry chained as services/audit.Recorder chains them
  (db/facts.digest over facts.ledger_content / facts.audit_content, `ledger` listed in the audit
  entry's new values), and each audit entry's `facts` listing the rows its step wrote with their
  content hashes (db/facts.fact_hash) as the Recorder lists them; the kits and participants
  (rows changed in place) are written once at the end in their last state, each step listing
  the state it gave them. The audit entry's values (`new`, `old`, `reason`) are those the
  service records, the return's taken/expected/flags worked out with the same domain functions
  (regimen.days_on_treatment, tablets_needed, accountability.adherence_of, by_product) as
  services/queries.dispense_adherence; a dispense or return of several products records each
  product's figures by the services' own functions (dispensing._units_recorded,
  queries._product_figures and judged_product, returns._return_values).

Why the two are equal: the generator decides everything a service would otherwise decide or
read from the clock. Each step is made at the generator's time (the service's Recorder stamps
created_at / at / the signatures with it; the bulk writer the same value), on the step's day
(entry_date, received_on, dispensed_on...); the kits a dispense takes are the ones first expiry
first out gives (the generator keeps each study's shelf ordered by lot expiry, lot number, kit
number, as services/dispensing._usable_stock does, and skips kits too short-dated for the
cycle); ids follow the services' order of inserts. The steps are ones the services take without
a warning: every rule confirmed in the base, platelets below the study's hold, each kit counted
back before the next dispense, a participant's weight staying in one band. The service writer
checks the dispense number, its kits, the return id and the destruction id against the
generator's as it goes, and tests/benchmarks/test_sitegen.py builds a small site both ways and
finds every table of the file equal row for row (ids, values, content hashes, both chains), and
`audit verify` passing on the bulk one. A service that changes what it writes fails that test
until the bulk writer follows it.

Normalisations: none. Every column of every table is compared as stored.

Steps the test's small site does not reach: none by kind (it receives, quarantines at receipt
and releases, enrols in all three studies, dispenses one kit, two kits of a weight band and two
products, with and without a second check, prints and reprints labels, counts back,
discontinues, destroys, signs in and out). A participant completing is the same
participants.set_status call as a discontinuation, with another status; the end's large
shipment is the same receiving step with more kits.
"""

from __future__ import annotations

import heapq
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from sqlalchemy import Table, create_engine
from sqlalchemy.pool import NullPool

from dispensary.db import entry_studies, facts, migrate
from dispensary.db.models import Base
from dispensary.domain.accountability import ProductTally, adherence_of, by_product
from dispensary.domain.codes import Flag
from dispensary.domain.regimen import DoseLevel, days_on_treatment, tablets_needed
from dispensary.domain.rules import supply_cover_until
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.study_versions import file_sha256
from dispensary.study import Study, bundled_studies, load_study

if TYPE_CHECKING:
    from dispensary.services.results import ReturnResult

GENERATOR_VERSION = 9  # bump when the generated database changes: the cached files are rebuilt
SIZES = {"full": 1_000_000, "quick": 20_000, "small": 600}
BATCH = 10_000
SHIPMENT = 500  # kits at most in one shipment
STUDY_FILES = ("NCT07198672", "DEMO-28D-BID", "DEMO-2DRUG")
SHARES = {"NCT07198672": 0.6, "DEMO-28D-BID": 0.25, "DEMO-2DRUG": 0.15}  # of enrolments
START = date(2019, 1, 7)
ENROLMENT_YEARS = 5
CYCLES = 17  # cycles of a participant who completes, in a study without a cap
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
INVESTIGATOR = "Zhenzhen Liu, M.D."  # the first study's; each study names its own
METHOD = "Incineration by the hospital's licensed contractor"
CONDITION = "bottle intact"
TABLES: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables}
NAMES: dict[str, list[str]] = {name: [c.name for c in t.columns] for name, t in TABLES.items()}
WRITTEN = [
    "kits",
    "participants",
    "dispenses",
    "dispense_kits",
    "dispense_observations",
    "returns",
    "destructions",
    "quarantine_events",
    "shipments",
    "lots",
    "signatures",
    "ledger_entries",
    "audit_entries",
]
"""The tables the bulk path writes (by column name; a column it does not name is NULL)."""


def study_path(protocol: str) -> Path:
    return bundled_studies() / f"{protocol}.toml"


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


# -- the site's state, as the generator keeps it ---------------------------------------------------


@dataclass
class Staff:
    id: int
    username: str
    role: str
    full_name: str


@dataclass
class LotState:
    id: int
    product: str
    number: str
    expiry: date


@dataclass
class KitState:
    id: int
    number: str
    lot: LotState
    shipment_id: int
    product: str
    tablets: int
    study_id: int
    location: str
    status: str = ""
    left: int = 0  # tablets counted back at its return
    held: tuple[date, str] | None = None  # its open quarantine: the day and the reason

    def row(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "lot_id": self.lot.id,
            "shipment_id": self.shipment_id,
            "product": self.product,
            "tablets": self.tablets,
            "status": self.status,
            "location": self.location,
            "study_id": self.study_id,
        }


@dataclass
class DispenseState:
    id: int
    number: str
    cycle: int
    day: date
    dose: DoseLevel
    kits: list[KitState]
    tablets: int
    returned: dict[int, int] = field(default_factory=dict)  # kit id: tablets counted back


@dataclass
class Person:
    id: int
    number: str
    site: Site
    row: dict[str, Any]
    cycles: int  # planned: fewer when discontinued
    weight: float | None
    cycle: int = 0
    dispense: DispenseState | None = None


@dataclass
class Site:
    """One study of the pharmacy: its regimen, stock and people."""

    id: int
    study: Study
    rate: float = 0.0  # enrolments a working day
    credit: float = 0.0
    pools: dict[str, list[tuple[date, str, str, int]]] = field(default_factory=dict)  # FEFO
    lots: dict[str, LotState] = field(default_factory=dict)  # the lot each product gets now
    receipts: dict[str, int] = field(default_factory=dict)  # shipments of each product
    daily: dict[str, float] = field(default_factory=dict)  # kits of each product a day
    to_destroy: list[int] = field(default_factory=list)

    @property
    def protocol(self) -> str:
        return self.study.protocol

    @property
    def cap(self) -> int:
        return self.study.cycle.max_cycles or CYCLES

    def dose_for(self, weight: float | None) -> DoseLevel:
        rule = self.study.dose_by_weight
        if rule is not None and weight is not None:
            return self.study.dose_level(rule.level_for(weight))
        return self.study.dose_level(0)

    def kits_for(self, dose: DoseLevel) -> dict[str, int]:
        days = self.study.cycle.days_of_supply
        out = {}
        for product in dose.products:
            per_kit = self.study.product(product).tablets_per_kit
            out[product] = -(-tablets_needed(dose, product, days) // per_kit)
        return out


# -- the writers ------------------------------------------------------------------------------------


class Writer(Protocol):
    """Writes one step of the generator's; each method writes exactly one audit entry."""

    def sign_in(self, user: Staff) -> None: ...

    def sign_out(self, user: Staff) -> None: ...

    def receive(
        self,
        site: Site,
        user: Staff,
        shipment_id: int,
        day: date,
        condition: str,
        ok: bool,
        kits: list[KitState],
        new_lots: list[LotState],
    ) -> None: ...

    def release(
        self, site: Site, user: Staff, kits: list[KitState], why: str, reference: str
    ) -> None: ...

    def enrol(self, site: Site, user: Staff, person: Person) -> None: ...

    def dispense(
        self,
        site: Site,
        user: Staff,
        person: Person,
        record: DispenseState,
        checker: Staff | None,
        platelets: float | None,
    ) -> None: ...

    def label(
        self, site: Site, user: Staff, number: str, reprint: bool, reason: str = ""
    ) -> None: ...

    def count_back(
        self,
        site: Site,
        user: Staff,
        person: Person,
        record: DispenseState,
        kit: KitState,
        return_id: int,
        day: date,
    ) -> None: ...

    def set_status(self, site: Site, user: Staff, person: Person, status: str, why: str) -> None:
        """Changes the participant's status to `status`."""

    def destroy(
        self,
        site: Site,
        user: Staff,
        witness: Staff,
        destruction_id: int,
        day: date,
        kits: list[KitState],
    ) -> None: ...

    def close(self) -> None: ...


class Counted(NamedTuple):
    """A kit counted back, as services/queries.ReturnFigures reads a return (outcome None:
    counted, as the service stores it)."""

    dispense_id: int
    kit_id: int
    tablets: int
    outcome: str | None = None


def return_result(
    site: Site, person: Person, record: DispenseState, kit: KitState, return_id: int, day: date
) -> ReturnResult:
    """The ReturnResult services/returns._result gives a return (from queries.history_row):
    taken, expected, adherence and flags once every kit of the dispense is back
    (services/queries.dispense_adherence), each product's figures (queries._product_figures,
    judged_product) for services/returns._return_values to record."""
    from dispensary.services.queries import _product_figures, judged_product
    from dispensary.services.results import ReturnResult

    returned = sum(record.returned.values())
    products = _product_figures(
        [(k.id, k.number, k.product, k.tablets) for k in record.kits],
        [Counted(record.id, kit_id, back) for kit_id, back in record.returned.items()],
    )
    taken, expected, adherence, flags = record.tablets - returned, 0, None, ()
    if len(record.returned) == len(record.kits):
        study = site.study
        expected_days = days_on_treatment(record.day, day, study.cycle.days_of_supply, 0)
        expected_of = {
            p: tablets_needed(record.dose, p, expected_days, 1) for p in record.dose.products
        }
        under, over = study.adherence.under_use_below, study.adherence.over_use_above
        found = adherence_of(record.tablets, returned, sum(expected_of.values()), under, over)
        taken, expected, adherence, flags = (
            found.taken,
            found.expected,
            found.adherence,
            found.flags,
        )
        if len(record.dose.products) > 1:
            tallies = {p: ProductTally(0, 0) for p in record.dose.products}
            for each_kit in record.kits:
                was = tallies[each_kit.product]
                back = was.returned + record.returned.get(each_kit.id, 0)
                tallies[each_kit.product] = ProductTally(was.dispensed + each_kit.tablets, back)
            each = by_product(tallies, expected_of, under, over)
            flags = tuple(f for f in Flag if any(f in a.flags for _p, a in each))
            judged = dict(each)
            products = tuple(judged_product(p, judged[p.product]) for p in products)
    return ReturnResult(
        return_id,
        record.number,
        person.number,
        record.cycle,
        kit.number,
        record.returned[kit.id],
        record.tablets,
        returned,
        taken,
        expected,
        adherence,
        flags,
        None,
        products,
    )


class BulkWriter:
    """Writes each step's rows, facts and chained entries straight into SQLite, in batches."""

    SUB_ROWS = ("dispense_kits", "dispense_observations", "quarantine_events", "signatures")

    def __init__(self, path: Path, clock: Generator) -> None:
        self.gen = clock
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA foreign_keys=OFF")  # rows go in table by table; checked after
        self.conn.execute("PRAGMA cache_size=-200000")
        self.conn.execute("BEGIN IMMEDIATE")
        head = self.conn.execute(
            "SELECT audit_hash, audit_count, ledger_hash, ledger_count FROM chain_head WHERE id = 1"
        ).fetchone()
        self.audit_hash, self.audit_count, self.ledger_hash, self.ledger_count = head
        self.ids = {name: self._max_id(name) for name in self.SUB_ROWS}
        self.path = path
        self.indexed = int(
            self.conn.execute(
                "SELECT COALESCE(MAX(audit_entry_id), 0) FROM audit_entry_studies"
            ).fetchone()[0]
        )
        self.buffers: dict[str, list[tuple[Any, ...]]] = {}
        self.sql: dict[str, str] = {}
        self.step_ledger: list[list[Any]] = []
        self.step_facts: dict[tuple[str, int], str] = {}
        self.fact_rows = 0
        self.kits: dict[int, KitState] = {}
        self.people: dict[int, Person] = {}

    def _max_id(self, table: str) -> int:
        return int(self.conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()[0])

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # -- rows, facts and the two chains, as services/audit.Recorder writes them ----------------

    @staticmethod
    def values(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
        unknown = set(row) - set(NAMES[table])
        if unknown:
            raise RuntimeError(f"{table} has no columns {sorted(unknown)}: update the generator")
        return tuple(row.get(name) for name in NAMES[table])

    def insert(self, table: str, row: dict[str, Any]) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(tuple(_stored(v) for v in self.values(table, row)))
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

    def fact(self, table: str, row: dict[str, Any], mutable: bool = False) -> int:
        """A row the step writes (or, `mutable`, a kit or participant it changes): listed by the
        step's audit entry with its content hash, as verify reads it back."""
        row_id = int(row["id"])
        hashed = facts.fact_hash(table, NAMES[table], self.values(table, row))
        self.step_facts[(table, row_id)] = hashed
        if not mutable:
            self.insert(table, row)
        return row_id

    def kit_fact(self, kit: KitState, status: str) -> None:
        kit.status = status
        self.kits[kit.id] = kit
        self.fact("kits", kit.row(), mutable=True)

    def person_fact(self, person: Person) -> None:
        self.people[person.id] = person
        self.fact("participants", person.row, mutable=True)

    def signature(self, user: Staff, meaning: str, record_type: str, record_id: int) -> None:
        self.fact(
            "signatures",
            {
                "id": self.next_id("signatures"),
                "user_id": user.id,
                "meaning": meaning,
                "record_type": record_type,
                "record_id": record_id,
                "at": self.gen.now,
            },
        )

    def ledger(
        self, kit: KitState, kind: str, quantity: int, user: Staff, day: date, **ids: Any
    ) -> None:
        self.ledger_count += 1
        row = {
            "id": self.ledger_count,
            "at": self.gen.now,
            "entry_date": day,
            "kind": kind,
            "quantity": quantity,
            "from_returned": ids.pop("from_returned", False),
            "kit_id": kit.id,
            "lot_id": kit.lot.id,
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
        self.insert("ledger_entries", row)

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
        listed = sorted((t, i, h) for (t, i), h in self.step_facts.items())
        self.fact_rows += len(listed)
        self.step_facts = {}
        self.audit_count += 1
        entry: dict[str, Any] = {
            "id": self.audit_count,
            "at": self.gen.now,
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
        self.insert("audit_entries", entry)

    def close(self) -> None:
        for table in list(self.buffers):
            self.flush(table)
        for kit in self.kits.values():
            self.insert("kits", kit.row())
        for person in self.people.values():
            self.insert("participants", person.row)
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
        # The studies each entry concerns, derived from the rows written as the Recorder
        # derives them (db/entry_studies.py): the same functions, so the same rows.
        engine = create_engine(f"sqlite:///{self.path}", poolclass=NullPool)
        try:
            with engine.begin() as conn:
                entry_studies.back_fill(conn, self.indexed)
        finally:
            engine.dispose()
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.conn.close()

    # -- the steps, as the services write them ---------------------------------------------------

    def sign_in(self, user: Staff) -> None:
        self.audit(
            None, "sign_in", "user", user.username, {"role": user.role}, username=user.username
        )

    def sign_out(self, user: Staff) -> None:
        self.audit(user, "sign_out", "user", user.username)

    def receive(
        self,
        site: Site,
        user: Staff,
        shipment_id: int,
        day: date,
        condition: str,
        ok: bool,
        kits: list[KitState],
        new_lots: list[LotState],
    ) -> None:
        number = shipment_number(shipment_id)
        now = self.gen.now
        self.fact(
            "shipments",
            {
                "id": shipment_id,
                "number": number,
                "received_on": day,
                "condition": condition,
                "temperature_ok": ok,
                "received_by_id": user.id,
                "created_at": now,
                "study_id": site.id,
            },
        )
        for lot in new_lots:
            self.fact(
                "lots",
                {"id": lot.id, "product": lot.product, "number": lot.number, "expiry": lot.expiry},
            )
        why = f"shipment {number} received with its temperature record not acceptable"
        for kit in kits:
            self.kit_fact(kit, "available" if ok else "quarantined")
            self.ledger(kit, "receive", kit.tablets, user, day, reason=f"shipment {number}")
            if not ok:
                self.quarantine_event(kit, "quarantine", why, user)
                kit.held = (now.date(), why)
        self.audit(
            user,
            "receive",
            "shipment",
            number,
            {
                "received_on": day,
                "kits": [k.number for k in kits],
                "tablets": sum(k.tablets for k in kits),
                "condition": condition,
                "temperature_ok": ok,
                "location": site.study.storage_area,
                "lots": sorted(
                    {f"{k.product}/{k.lot.number}/{k.lot.expiry.isoformat()}" for k in kits}
                ),
            },
        )

    def quarantine_event(
        self, kit: KitState, action: str, why: str, user: Staff, reference: str | None = None
    ) -> int:
        event_id = self.next_id("quarantine_events")
        self.fact(
            "quarantine_events",
            {
                "id": event_id,
                "kit_id": kit.id,
                "action": action,
                "reason": why,
                "excursion_id": None,
                "user_id": user.id,
                "at": self.gen.now,
                "sponsor_reference": reference,
            },
        )
        return event_id

    def release(
        self, site: Site, user: Staff, kits: list[KitState], why: str, reference: str
    ) -> None:
        events = []
        for kit in kits:
            self.kit_fact(kit, "available")
            events.append(self.quarantine_event(kit, "release", why, user, reference))
        # Signed ("released") on the first kit's release event, as quarantine.release signs it.
        self.signature(user, "released", "quarantine_event", events[0])
        numbers = [k.number for k in kits]
        # why each kit was held, as services/quarantine.hold_causes stores it (no excursions here)
        held_for = {
            k.number: [{"on": k.held[0].isoformat(), "reason": k.held[1]}]
            for k in kits
            if k.held is not None
        }
        for kit in kits:
            kit.held = None
        self.audit(
            user,
            "release",
            "kit",
            ",".join(numbers)[:60],
            {
                "kits": numbers,
                "status": "available",
                "sponsor_reference": reference,
                "held_for": held_for,
            },
            {"status": "quarantined"},
            why,
        )

    def enrol(self, site: Site, user: Staff, person: Person) -> None:
        from dispensary.services.participants import eligibility_checklist

        row = person.row
        self.person_fact(person)
        self.audit(
            user,
            "enroll",
            "participant",
            person.number,
            {
                "initials": row["initials"],
                "birth_year": row["birth_year"],
                "sex": row["sex"],
                "enrolled_on": row["enrolled_on"],
                "eligibility_confirmed_by": row["eligibility_confirmed_by"],
                "criteria": len(eligibility_checklist(site.study)),
                "status": row["status"],
            },
        )

    def dispense(
        self,
        site: Site,
        user: Staff,
        person: Person,
        record: DispenseState,
        checker: Staff | None,
        platelets: float | None,
    ) -> None:
        day, days = record.day, site.study.cycle.days_of_supply
        self.fact(
            "dispenses",
            {
                "id": record.id,
                "number": record.number,
                "participant_id": person.id,
                "cycle": record.cycle,
                "attempt": 1,
                "day1": day,
                "dose_level": record.dose.level,
                "dispensed_on": day,
                "days_supply": days,
                "tablets": record.tablets,
                "dispensed_by_id": user.id,
                "checked_by_id": checker.id if checker else None,
                "dose_ordered_by": "",
                "platelet_count": platelets,
                "warning_override": "",
                "created_at": self.gen.now,
                "study_sha256": file_sha256(site.study.source_text),
            },
        )
        observations = observed(site, person)
        for key, value in observations.items():
            self.fact(
                "dispense_observations",
                {
                    "id": self.next_id("dispense_observations"),
                    "dispense_id": record.id,
                    "key": key,
                    "value": value,
                    "text": None,
                    "unit": site.study.observation(key).unit,
                },
            )
        for kit in record.kits:
            self.fact(
                "dispense_kits",
                {
                    "id": self.next_id("dispense_kits"),
                    "dispense_id": record.id,
                    "kit_id": kit.id,
                    "tablets": kit.tablets,
                },
            )
            self.ledger(
                kit,
                "dispense",
                kit.tablets,
                user,
                day,
                participant_id=person.id,
                dispense_id=record.id,
                reason=f"cycle {record.cycle}",
            )
            self.kit_fact(kit, "dispensed")
        self.signature(user, "dispensed", "dispense", record.id)
        if checker is not None:
            self.signature(checker, "checked", "dispense", record.id)
        from dispensary.services.dispensing import _units_recorded

        extra: dict[str, Any] = {"observations": observations} if observations else {}
        self.audit(
            user,
            "dispense",
            "dispense",
            record.number,
            {
                **extra,
                "participant": person.number,
                "cycle": record.cycle,
                "day1": day,
                "dose_level": record.dose.level,
                "kits": [k.number for k in record.kits],
                **_units_recorded([(k, k.tablets) for k in record.kits], record.tablets),
                "days": days,
                "dispensed_on": day,
                "platelets": platelets,
                "warnings": [],
                "overrides": [],
                "notices": [],
                "signature": "dispensed",
                "study_sha256": file_sha256(site.study.source_text),
            },
        )

    def label(self, site: Site, user: Staff, number: str, reprint: bool, reason: str = "") -> None:
        self.audit(
            user,
            "label_reprinted" if reprint else "label_printed",
            "dispense label",
            number,
            {
                "items": [number],
                "stock": "",
                "reprint": reprint,
                "study_version": 1,  # the study file as loaded: the site never updates it
                "study_sha256": file_sha256(site.study.source_text),
            },
            reason=reason,
        )

    def count_back(
        self,
        site: Site,
        user: Staff,
        person: Person,
        record: DispenseState,
        kit: KitState,
        return_id: int,
        day: date,
    ) -> None:
        from dispensary.services.returns import _return_values

        back = record.returned[kit.id]
        result = return_result(site, person, record, kit, return_id, day)
        self.fact(
            "returns",
            {
                "id": return_id,
                "dispense_id": record.id,
                "kit_id": kit.id,
                "tablets": back,
                "returned_on": day,
                "held_days": 0,
                "condition": CONDITION,
                "note": "",
                "flag_reason": "",
                "counted_by_id": user.id,
                "corrects_id": None,
                "created_at": self.gen.now,
            },
        )
        if back:
            self.ledger(
                kit,
                "return",
                back,
                user,
                day,
                participant_id=person.id,
                dispense_id=record.id,
                return_id=return_id,
                reason=f"cycle {record.cycle} return",
            )
        self.kit_fact(kit, "returned")
        self.signature(user, "return counted", "return", return_id)
        self.audit(
            user,
            "return",
            "return",
            return_id,
            _return_values(
                {
                    "dispense": record.number,
                    "kit": kit.number,
                    "tablets": back,
                    "returned_on": day,
                    "held_days": 0,
                    "held_from": None,
                    "held_until": None,
                    "held_ordered_by": "",
                    "outcome": "counted",
                    "taken": result.taken,
                    "expected": result.expected,
                    "flags": [f.value for f in result.flags],
                    "note": "",
                },
                result,
                kit.product,
            ),
        )

    def set_status(self, site: Site, user: Staff, person: Person, status: str, why: str) -> None:
        old = person.row["status"]
        person.row["status"] = status
        # Signed ("status changed") and dated, as participants.set_status records it.
        self.signature(user, "status changed", "participant", person.id)
        self.person_fact(person)
        self.audit(
            user,
            "participant_status",
            "participant",
            person.number,
            {"status": status, "effective_on": self.gen.now.date()},
            {"status": old},
            why,
        )

    def destroy(
        self,
        site: Site,
        user: Staff,
        witness: Staff,
        destruction_id: int,
        day: date,
        kits: list[KitState],
    ) -> None:
        numbers = [k.number for k in kits]
        reference = destruction_reference(day, destruction_id)
        self.fact(
            "destructions",
            {
                "id": destruction_id,
                "destroyed_on": day,
                "method": METHOD,
                "witness": witness.full_name,
                "reference": reference,
                "to_sponsor": False,
                "kits": json.dumps(numbers),
                "user_id": user.id,
                "created_at": self.gen.now,
                "witness_id": witness.id,
                "reason_code": None,
            },
        )
        for kit in kits:
            if kit.left:
                self.ledger(
                    kit,
                    "destroy",
                    kit.left,
                    user,
                    day,
                    from_returned=True,
                    destruction_id=destruction_id,
                    reason=f"destroyed: {METHOD}",
                )
            self.kit_fact(kit, "destroyed")
        self.signature(user, "destroyed", "destruction", destruction_id)
        self.signature(witness, "witnessed", "destruction", destruction_id)
        self.audit(
            user,
            "destroy",
            "destruction",
            destruction_id,
            {
                "kits": numbers,
                "tablets": sum(k.left for k in kits),
                "method": METHOD,
                "witness": witness.username,
                "reference": reference,
                "reason_code": "",
                "to_sponsor": False,
                "destroyed_on": day,
                # The site has no monitor's sign-off: every kit's returned tablets are unseen.
                **(
                    {"unseen_returns_acknowledged": [k.number for k in kits if k.left]}
                    if any(k.left for k in kits)
                    else {}
                ),
            },
        )


def shipment_number(shipment_id: int) -> str:
    return f"SH-{shipment_id:05d}"


def destruction_reference(day: date, destruction_id: int) -> str:
    return f"DEST-{day.year}-{destruction_id:04d}"


def observed(site: Site, person: Person) -> dict[str, float]:
    """The observations recorded at the person's dispenses (the weight, where the study doses
    by weight band)."""
    rule = site.study.dose_by_weight
    if rule is None or person.weight is None:
        return {}
    return {rule.observation: person.weight}


class ServiceWriter:
    """Makes each step through the real services, the clock set to the generator's time."""

    def __init__(self, path: Path, gen: Generator) -> None:
        from sqlalchemy import select

        from dispensary.db.engine import make_engine, read_transaction
        from dispensary.db.models import User
        from dispensary.services import studies, users

        self.gen = gen
        self.clock = FixedClock(gen.now)
        first = load_study(study_path(STUDY_FILES[0]))
        base = Context(make_engine(str(path)), first, self.clock, str(path))
        with read_transaction(base.engine) as session:
            self.actors: dict[int, Actor] = {
                u.id: users.actor_of(session, u) for u in session.scalars(select(User))
            }
        admin = next(a for a in self.actors.values() if a.username == "admin")
        self.contexts = {
            protocol: studies.switch_study(base, admin, protocol) for protocol in STUDY_FILES
        }
        self.base = base

    def ctx(self, site: Site) -> Context:
        self.clock.current = self.gen.now
        return self.contexts[site.protocol]

    def actor(self, user: Staff) -> Actor:
        self.clock.current = self.gen.now
        return self.actors[user.id]

    def close(self) -> None:
        self.base.engine.dispose()

    def sign_in(self, user: Staff) -> None:
        from dispensary.services import users

        self.clock.current = self.gen.now
        users.sign_in(self.base, user.username, PASSWORD)

    def sign_out(self, user: Staff) -> None:
        from dispensary.services import users

        users.record_session_event(self.base, self.actor(user), "sign_out")

    def receive(
        self,
        site: Site,
        user: Staff,
        shipment_id: int,
        day: date,
        condition: str,
        ok: bool,
        kits: list[KitState],
        new_lots: list[LotState],
    ) -> None:
        from dispensary.services import receiving
        from dispensary.services.assessment.receiving import KitIn

        listed = [KitIn(k.number, k.product, k.lot.number, k.lot.expiry, k.tablets) for k in kits]
        receiving.receive_shipment(
            self.ctx(site),
            self.actor(user),
            shipment_number(shipment_id),
            listed,
            day,
            condition,
            ok,
        )

    def release(
        self, site: Site, user: Staff, kits: list[KitState], why: str, reference: str
    ) -> None:
        from dispensary.services import quarantine

        numbers = [k.number for k in kits]
        quarantine.release(
            self.ctx(site), self.actor(user), numbers, why, reference, password=PASSWORD
        )

    def enrol(self, site: Site, user: Staff, person: Person) -> None:
        from dispensary.services import participants

        row = person.row
        participants.enroll(
            self.ctx(site),
            self.actor(user),
            person.number,
            row["initials"],
            row["birth_year"],
            row["sex"],
            row["eligibility_confirmed_by"],
            row["enrolled_on"],
            criteria_confirmed=participants.eligibility_checklist(self.ctx(site).study),
        )

    def dispense(
        self,
        site: Site,
        user: Staff,
        person: Person,
        record: DispenseState,
        checker: Staff | None,
        platelets: float | None,
    ) -> None:
        from dispensary.services import dispensing

        observations = observed(site, person)
        result = dispensing.dispense_cycle(
            self.ctx(site),
            self.actor(user),
            person.number,
            record.cycle,
            record.day,
            PASSWORD,
            dose_level=None if observations else record.dose.level,
            dispensed_on=record.day,
            platelet_count=platelets,
            checked_by=checker.username if checker else "",
            checker_password=PASSWORD if checker else "",
            observations=observations or None,
        )
        chosen = [k.kit for k in result.kits]
        if result.number != record.number or chosen != [k.number for k in record.kits]:
            raise RuntimeError(
                f"the services dispensed {result.number} {chosen}, the generator "
                f"{record.number} {[k.number for k in record.kits]}"
            )

    def label(self, site: Site, user: Staff, number: str, reprint: bool, reason: str = "") -> None:
        from dispensary.services import labels

        labels.record_label_print(
            self.ctx(site),
            self.actor(user),
            labels.LabelKind.DISPENSE,
            [number],
            reprint,
            reason=reason,
        )

    def count_back(
        self,
        site: Site,
        user: Staff,
        person: Person,
        record: DispenseState,
        kit: KitState,
        return_id: int,
        day: date,
    ) -> None:
        from dispensary.services import returns

        result = returns.record_return(
            self.ctx(site),
            self.actor(user),
            kit.number,
            record.returned[kit.id],
            PASSWORD,
            dispense=record.number,
            returned_on=day,
            condition=CONDITION,
        )
        if result.return_id != return_id:
            raise RuntimeError(f"return {result.return_id}, the generator's {return_id}")

    def set_status(self, site: Site, user: Staff, person: Person, status: str, why: str) -> None:
        from dispensary.services import participants

        participants.set_status(
            self.ctx(site), self.actor(user), person.number, status, why, password=PASSWORD
        )

    def destroy(
        self,
        site: Site,
        user: Staff,
        witness: Staff,
        destruction_id: int,
        day: date,
        kits: list[KitState],
    ) -> None:
        from dispensary.services import destruction

        result = destruction.destroy(
            self.ctx(site),
            self.actor(user),
            [k.number for k in kits],
            witness.username,
            METHOD,
            PASSWORD,
            destroyed_on=day,
            reference=destruction_reference(day, destruction_id),
            witness_password=PASSWORD,
            unseen_returns_ok=True,  # the generated site has no monitor's sign-off
        )
        if result.destruction_id != destruction_id:
            raise RuntimeError(
                f"destruction {result.destruction_id}, the generator's {destruction_id}"
            )


# -- the years of work ------------------------------------------------------------------------------


GENERATED_IDS = (
    "shipments",
    "lots",
    "kits",
    "participants",
    "dispenses",
    "returns",
    "destructions",
)
"""Tables whose ids the generator gives (their numbers name them); the bulk writer numbers the
rest (dispense kits, observations, quarantine events, signatures)."""


class Full(Exception):
    """The targets are near: the years of work end here."""


class Generator:
    """Decides years of pharmacy work, step by step in chain order, and hands each step to a
    writer (BulkWriter, or ServiceWriter with `services=True`)."""

    def __init__(
        self,
        path: Path,
        ledger_target: int,
        audit_target: int,
        seed: int = 11,
        services: bool = False,
    ) -> None:
        self.path = path
        self.ledger_target = ledger_target
        self.audit_target = audit_target
        self.services = services
        self.rng = random.Random(seed)
        self.kits: dict[int, KitState] = {}
        self.people: dict[int, Person] = {}
        self.reprints: list[tuple[Site, str]] = []  # recent dispensing labels (the last 50)
        self.visits: dict[date, list[Person]] = {}
        self.releases: dict[date, list[tuple[Site, int, list[KitState]]]] = {}
        self.now = datetime(START.year, START.month, START.day, 7, 0, tzinfo=UTC)
        self.last_day = START
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        conn = sqlite3.connect(self.path)
        self.staff = [
            Staff(int(i), str(u), str(r), str(n))
            for i, u, r, n in conn.execute(
                "SELECT id, username, role, full_name FROM users ORDER BY id"
            )
        ]
        ids = dict(conn.execute("SELECT protocol, id FROM study").fetchall())
        self.ids = {
            name: int(conn.execute(f"SELECT COALESCE(MAX(id), 0) FROM {name}").fetchone()[0])
            for name in GENERATED_IDS
        }
        self.audit_count, self.ledger_count = conn.execute(
            "SELECT audit_count, ledger_count FROM chain_head WHERE id = 1"
        ).fetchone()
        conn.close()
        self.sites = [Site(int(ids[p]), load_study(study_path(p))) for p in STUDY_FILES]
        self.out: Writer = (
            ServiceWriter(self.path, self) if self.services else BulkWriter(self.path, self)
        )
        self.simulate()
        self.out.close()
        return {
            "ledger_entries": self.ledger_count,
            "audit_entries": self.audit_count,
            "kits": len(self.kits),
            "participants": len(self.people),
            "studies": len(self.sites),
        }

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def wrote(self, ledger_rows: int = 0) -> None:
        """One step written (one audit entry): the clock moves on."""
        self.audit_count += 1
        self.ledger_count += ledger_rows
        self.now += timedelta(
            seconds=self.rng.randint(4, 40), microseconds=self.rng.randint(0, 999_999)
        )

    def pick(self, role: str, other_than: Staff | None = None) -> Staff:
        return self.rng.choice([s for s in self.staff if s.role == role and s != other_than])

    # -- the plan ------------------------------------------------------------------------------

    def simulate(self) -> None:
        ledger_each = 0.0  # ledger rows a participant brings, about (each kit: 3.6 rows)
        for site in self.sites:
            mean_cycles = 0.85 * site.cap + 0.15 * site.cap / 2
            kits = sum(site.kits_for(site.dose_for(70.0)).values())
            ledger_each += SHARES[site.protocol] * mean_cycles * kits * 3.6
        people = max(12, int(self.ledger_target * 0.93 / ledger_each))
        # Enrolment runs five years at full size; a small site enrols its few in weeks.
        enrolling = min(ENROLMENT_YEARS * 261, max(20, people * 3))
        for site in self.sites:
            site.rate = SHARES[site.protocol] * people / enrolling
            mean_cycles = 0.85 * site.cap + 0.15 * site.cap / 2
            for product, count in site.kits_for(site.dose_for(70.0)).items():
                site.daily[product] = max(0.5, site.rate * mean_cycles * count * 1.08)
                site.pools[product] = []
        self.margin = min(1000, self.ledger_target // 20, self.audit_target // 20)
        # Orders of 15 working days' use; a small site (the test's) orders little and often.
        self.stock_days = 15 if self.ledger_target >= 100_000 else 3
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
        for site, shipment_id, kits in self.releases.pop(day, []):
            self.room()
            self.release(site, shipment_id, kits)
        for site in self.sites:
            self.room()
            self.enrol(site, day)
        visiting = self.visits.pop(day, [])
        for site in self.sites:
            for product, pool in site.pools.items():
                need = sum(
                    p.site.kits_for(p.site.dose_for(p.weight)).get(product, 0)
                    for p in visiting
                    if p.site is site
                )
                if len(pool) < max(need * 1.2 + 2, site.daily[product] * self.stock_days / 3):
                    order = max(int(site.daily[product] * self.stock_days), need + 5)
                    self.room(order)
                    self.receive_kits(site, product, day, order)
        for person in visiting:
            self.room(8)
            self.visit(day, person)
        if day.weekday() == 4:
            for site in self.sites:
                self.destroy(site, day)
        for user in signed_in[: padding // 2]:
            self.out.sign_out(user)
            self.wrote()

    def sign_ins(self, count: int) -> list[Staff]:
        signed: list[Staff] = []
        for _ in range(count):
            user = self.rng.choice(self.staff[1:])
            self.out.sign_in(user)
            self.wrote()
            signed.append(user)
        return signed

    # -- stock -----------------------------------------------------------------------------------

    def receive_kits(
        self, site: Site, product: str, day: date, count: int, ok: bool | None = None
    ) -> None:
        """Shipments of up to SHIPMENT kits."""
        while count > 0:
            self.receive(site, product, day, min(count, SHIPMENT), ok)
            count -= SHIPMENT

    def receive(
        self, site: Site, product: str, day: date, count: int, ok: bool | None = None
    ) -> None:
        tech = self.pick("technician")
        shipment_id = self.next_id("shipments")
        if ok is None:  # one in 30 arrives warm: quarantined, released 2 days later
            ok = shipment_id % 30 != 3
        condition = "intact" if ok else "intact; logger shows 31 °C in transit"
        site.receipts[product] = site.receipts.get(product, 0) + 1
        new_lots: list[LotState] = []
        if site.receipts[product] % 4 == 1 or product not in site.lots:
            lot_id = self.next_id("lots")
            site.lots[product] = LotState(
                lot_id, product, f"L{24000 + lot_id}", day + timedelta(days=730)
            )
            new_lots.append(site.lots[product])
        lot = site.lots[product]
        tablets = site.study.product(product).tablets_per_kit
        kits: list[KitState] = []
        for _ in range(count):
            kit_id = self.next_id("kits")
            kit = KitState(
                kit_id,
                f"K{kit_id:07d}",
                lot,
                shipment_id,
                product,
                tablets,
                site.id,
                site.study.storage_area,
            )
            self.kits[kit_id] = kit
            kits.append(kit)
        self.out.receive(site, tech, shipment_id, day, condition, ok, kits, new_lots)
        self.wrote(len(kits))
        if ok:
            self.shelve(site, kits)
        else:
            later = day + timedelta(days=2 if day.weekday() < 3 else 4)
            self.releases.setdefault(later, []).append((site, shipment_id, kits))

    def shelve(self, site: Site, kits: list[KitState]) -> None:
        for kit in kits:
            pool = site.pools[kit.product]
            heapq.heappush(pool, (kit.lot.expiry, kit.lot.number, kit.number, kit.id))

    def release(self, site: Site, shipment_id: int, kits: list[KitState]) -> None:
        pharmacist = self.pick("pharmacist")
        why = (
            f"Sponsor's stability data cover shipment {shipment_number(shipment_id)}'s "
            "excursion: release"
        )
        # The sponsor's decision the kits go back to stock on (services/quarantine.release).
        reference = f"TE-{shipment_id:04d}"
        self.out.release(site, pharmacist, kits, why, reference)
        self.wrote()
        self.shelve(site, kits)

    def take(self, site: Site, product: str, count: int, day: date) -> list[KitState]:
        """The kits first expiry first out hands out (services/dispensing._usable_stock), a
        shipment received first when there are too few (the day's went to quarantine)."""
        study = site.study
        cover = supply_cover_until(day, study.cycle.days_of_supply, study.cycle.expiry_margin_days)
        pool = site.pools[product]
        while pool and pool[0][0] < cover:  # too short-dated for a cycle: stays on the shelf
            heapq.heappop(pool)
        if len(pool) < count:
            order = max(count + 5, int(site.daily[product] * self.stock_days))
            self.receive_kits(site, product, day, order, ok=True)
        return [self.kits[heapq.heappop(pool)[3]] for _ in range(count)]

    # -- participants ------------------------------------------------------------------------------

    def enrol(self, site: Site, day: date) -> None:
        from dispensary.services.participants import eligibility_checklist

        site.credit += site.rate
        while site.credit >= 1:
            site.credit -= 1
            pharmacist = self.pick("pharmacist")
            person_id = self.next_id("participants")
            number = f"{1 + person_id % 6:02d}-{person_id:05d}"
            letters = "ABCDEFGHJKLMNPRSTW"
            initials = self.rng.choice(letters) + self.rng.choice(letters)
            birth_year = self.rng.randint(1945, 1990)
            sex = "F" if site.study.eligibility.sex == "F" else self.rng.choice("FM")
            weight = None
            if site.study.dose_by_weight is not None:
                weight = round(self.rng.uniform(45.0, 95.0), 1)
            cycles = site.cap if self.rng.random() > 0.15 else self.rng.randint(1, site.cap - 1)
            row = {
                "id": person_id,
                "study_number": number,
                "initials": initials,
                "birth_year": birth_year,
                "sex": sex,
                "enrolled_on": day,
                "eligibility_confirmed_by": site.study.investigator,
                "eligibility_confirmed_at": self.now,
                "eligibility_checklist": json.dumps(eligibility_checklist(site.study)),
                "status": "on_treatment",
                "created_by_id": pharmacist.id,
                "study_id": site.id,
            }
            person = Person(person_id, number, site, row, cycles, weight)
            self.people[person_id] = person
            self.out.enrol(site, pharmacist, person)
            self.wrote()
            self.visits.setdefault(day, []).append(person)

    def visit(self, day: date, person: Person) -> None:
        site = person.site
        if person.dispense is not None:
            for kit in person.dispense.kits:
                self.count_back(day, person, person.dispense, kit)
        if person.cycle >= person.cycles:
            completed = person.cycle >= site.cap
            why = (
                f"completed {person.cycle} cycles"
                if completed
                else "investigator's decision: disease progression"
            )
            status = "completed" if completed else "discontinued"
            self.out.set_status(site, self.pick("pharmacist"), person, status, why)
            self.wrote()
            return
        self.dispense(day, person)
        self.visits.setdefault(day + timedelta(days=site.study.cycle.length_days), []).append(
            person
        )

    def dispense(self, day: date, person: Person) -> None:
        site = person.site
        pharmacist = self.pick("pharmacist")
        person.cycle += 1
        dose = site.dose_for(person.weight)
        kits = [
            kit
            for product, count in site.kits_for(dose).items()
            for kit in self.take(site, product, count, day)
        ]
        dispense_id = self.next_id("dispenses")
        threshold = site.study.platelet_hold_at_or_above
        platelets = None
        if threshold and self.rng.random() < 0.4:
            platelets = float(self.rng.randint(20, int(threshold) - 1))
        checker = self.pick("pharmacist", pharmacist) if self.rng.random() < 0.2 else None
        record = DispenseState(
            dispense_id,
            f"DSP{dispense_id:06d}",
            person.cycle,
            day,
            dose,
            kits,
            sum(k.tablets for k in kits),
        )
        self.out.dispense(site, pharmacist, person, record, checker, platelets)
        self.wrote(len(kits))
        self.out.label(site, pharmacist, record.number, False)
        self.wrote()
        person.dispense = record
        self.reprints.append((site, record.number))
        if len(self.reprints) > 100:
            del self.reprints[:50]

    def count_back(self, day: date, person: Person, record: DispenseState, kit: KitState) -> None:
        """One kit back: what the cycle did not need (whole kits go out), and a few tablets
        missed."""
        tech = self.pick("technician")
        same = [k for k in record.kits if k.product == kit.product]
        needed = tablets_needed(record.dose, kit.product, person.site.study.cycle.days_of_supply)
        spare = sum(k.tablets for k in same) - needed if kit is same[-1] else 0
        back = min(kit.tablets, spare + self.rng.choice((0, 0, 0, 1, 1, 2, 3)))
        return_id = self.next_id("returns")
        record.returned[kit.id] = back
        kit.left = back
        self.out.count_back(person.site, tech, person, record, kit, return_id, day)
        self.wrote(1 if back else 0)
        if all(k.id in record.returned for k in record.kits):  # every bottle back: no label
            gone = (person.site, record.number)
            self.reprints = [r for r in self.reprints if r != gone]
        person.site.to_destroy.append(kit.id)

    def destroy(self, site: Site, day: date) -> None:
        while site.to_destroy:
            batch, site.to_destroy = site.to_destroy[:400], site.to_destroy[400:]
            self.room(len(batch))
            kits = [self.kits[k] for k in batch]
            pharmacist = self.pick("pharmacist")
            witness = self.pick("technician")
            destruction_id = self.next_id("destructions")
            self.out.destroy(site, pharmacist, witness, destruction_id, day, kits)
            self.wrote(sum(1 for k in kits if k.left))

    def finish(self, day: date) -> None:
        """The end: shipments bring the ledger to its count, then the staff's sign-ins and label
        reprints of the days after bring the audit trail to its own."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.start_day(day)
        first = self.sites[0]
        product = first.study.dose_level(0).products[0]
        self.receive_kits(first, product, day, self.ledger_target - self.ledger_count, ok=True)
        self.last_day = day
        while self.audit_count < self.audit_target:
            if day.weekday() < 5:
                self.start_day(day)
                self.last_day = day
                for _ in range(min(60, self.audit_target - self.audit_count)):
                    draw = self.rng.random()
                    if draw < 0.5 or not self.reprints:
                        self.sign_ins(1)
                        continue
                    if draw < 0.7:
                        self.out.sign_out(self.rng.choice(self.staff[1:]))
                        self.wrote()
                        continue
                    site, number = self.rng.choice(self.reprints)
                    self.out.label(site, self.pick("pharmacist"), number, True, "label smudged")
                    self.wrote()
            day += timedelta(days=1)
        if self.ledger_count != self.ledger_target or self.audit_count != self.audit_target:
            raise RuntimeError("the generator missed its targets")


# -- the base database, made by the program -----------------------------------------------------------


def create_base(path: Path) -> None:
    """Migrations, the three studies, the staff and their access, every rule confirmed: through
    the services, three days before the years of work start."""
    from dispensary.services import setup, studies, users

    clock = FixedClock()
    clock.set_date(START - timedelta(days=3), hour=8)
    first = load_study(study_path(STUDY_FILES[0]))
    with services_for_bench():
        ctx = setup.init_database(str(path), first, "admin", "Ada Admin", "AA", PASSWORD, clock)
        admin = users.sign_in(ctx, "admin", PASSWORD)
        for name, role, full_name, initials in STAFF:
            users.add_user(
                ctx, admin, name, role, full_name, initials, PASSWORD, temporary_password=False
            )
        for protocol in STUDY_FILES[1:]:
            text = study_path(protocol).read_text(encoding="utf-8")
            studies.add_study(ctx, admin, text, f"{protocol}.toml", "A new protocol opens")
            for name, _role, _full_name, _initials in STAFF:
                studies.set_access(ctx, admin, name, protocol, True, "Works in every study")
        admin = users.sign_in(ctx, "admin", PASSWORD)  # the studies are read at sign-in
        for protocol in STUDY_FILES:
            here = studies.switch_study(ctx, admin, protocol)
            for rule in studies.rules_to_confirm(here, admin):
                studies.confirm_rule(here, admin, rule.key, "Checked against the protocol")
    ctx.engine.dispose()


def base_copy(folder: Path, name: str) -> Path:
    """A copy of the base database (made once per folder), for one path to write into: both
    paths start from the same bytes, password hashes included."""
    base = folder / f"base-g{GENERATOR_VERSION}-s{migrate.head_revision()}-h{format_key()}.sqlite3"
    if not base.exists():
        building = base.with_name(base.name + ".partial")
        for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
            stale.unlink(missing_ok=True)
        create_base(building)
        checkpoint(building)
        building.rename(base)
    target = folder / name
    for stale in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        stale.unlink(missing_ok=True)
    shutil.copyfile(base, target)
    return target


def checkpoint(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def build(
    path: Path, ledger_rows: int, audit_entries: int, services: bool = False, seed: int = 11
) -> Generator:
    """Years of work written into `path` (a copy of the base database), by the bulk path or
    through the services."""
    generator = Generator(path, ledger_rows, audit_entries, seed, services)
    if services:
        with services_for_bench():
            generator.counts = generator.run()
    else:
        generator.counts = generator.run()
    checkpoint(path)
    return generator


# -- the database, kept by size -----------------------------------------------------------------------


def size_rows(size: str | int) -> int:
    if isinstance(size, int):
        return size
    if size in SIZES:
        return SIZES[size]
    return int(size)


def database(size: str | int, fresh: bool, given: Path | None) -> tuple[Path, dict[str, Any]]:
    """The generated database (built if missing), and what it holds: `size` "full", "quick",
    "small" or a number of ledger rows (and as many audit entries)."""
    rows = size_rows(size)
    folder = Path(tempfile.gettempdir()) / "dispensary-bench-site"
    path = given or folder / (
        f"site-{rows}-g{GENERATOR_VERSION}-s{migrate.head_revision()}-h{format_key()}.sqlite3"
    )
    info = path.with_suffix(".json")
    if path.exists() and info.exists() and not fresh:
        return path, dict(json.loads(info.read_text()))
    folder.mkdir(parents=True, exist_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), info):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    building = path.with_name(path.name + ".partial")
    for stale in (building, Path(f"{building}-wal"), Path(f"{building}-shm")):
        stale.unlink(missing_ok=True)
    create_base(building)  # made again each time: the services' own rows as they are now
    generator = build(building, rows, rows)
    counts: dict[str, Any] = dict(generator.counts)
    counts["generation seconds"] = round(time.perf_counter() - started, 1)
    counts["last day"] = generator.last_day.isoformat()
    conn = sqlite3.connect(building)
    counts["rows"] = {
        name: int(conn.execute(f"SELECT COUNT(*) FROM {name}").fetchone()[0]) for name in TABLES
    }
    conn.close()
    shutil.move(building, path)
    info.write_text(json.dumps(counts, indent=2) + "\n")
    return path, counts


def format_key() -> str:
    """A fingerprint of how the program hashes (facts.digest, fact_hash, facts_text) and of the
    study files: the cached database is built again when either changes."""
    import hashlib

    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    row: dict[str, Any] = dict.fromkeys(NAMES["ledger_entries"])
    row.update(id=1, at=moment, entry_date=moment.date(), kind="receive", quantity=21)
    row.update(from_returned=False, kit_id=1, lot_id=1, product="p", reason="", user_id=1)
    entry: dict[str, Any] = dict.fromkeys(NAMES["audit_entries"], "")
    entry.update(id=1, at=moment, user_id=None, facts=facts.facts_text([("kits", 1, "0")]))
    dispense = {"id": 1, "number": "DSP1", "day1": moment.date(), "platelet_count": 152.0}
    ret = {"id": 1, "returned_on": moment.date(), "created_at": moment, "held_from": None}
    parts = [
        facts.digest(facts.GENESIS, facts.ledger_content(row)),
        facts.digest(facts.GENESIS, facts.audit_content(entry)),
        facts.fact_hash("dispenses", NAMES["dispenses"], BulkWriter.values("dispenses", dispense)),
        facts.fact_hash("returns", NAMES["returns"], BulkWriter.values("returns", ret)),
        facts.fact_hash(
            "shipments", NAMES["shipments"], (1, "S", moment.date(), "", True, 1, None)
        ),
    ]
    # The study files the site is made with: the benchmark opens the site with the bundled file,
    # which the step's study check refuses when it is not the one stored (a key added to a
    # study file made every counter step of a cached site fail).
    parts += [file_sha256(study_path(name).read_text(encoding="utf-8")) for name in STUDY_FILES]
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:8]


def main(argv: list[str] | None = None) -> int:
    """Builds (or finds) the database of a size and prints what it holds."""
    import argparse

    parser = argparse.ArgumentParser(description="Build the benchmarks' site database.")
    parser.add_argument("size", nargs="?", default="full", help="full, quick, small or rows")
    parser.add_argument("--fresh", action="store_true", help="build it again")
    parser.add_argument("--db", type=Path, help="where to keep it (default: temp)")
    args = parser.parse_args(argv)
    path, counts = database(args.size, args.fresh, args.db)
    print(json.dumps(counts, indent=2))
    print(f"{path}: {path.stat().st_size / 1e6:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
