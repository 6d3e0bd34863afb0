"""The site benchmark: one table of the program's daily steps on a large realistic site.

    benchmarks/run [--quick] [--runs 5] [--fresh] [--only NAME ...] [--no-postgres]
        [--out benchmarks/results/site.json] [--merge FILE | --new-table] [--readme]

The site is the generated database of a busy investigational drug service after about five
years (see `site_database`: 1,000,000 ledger rows and 1,000,000 audit entries, about 326,000
kits; `--quick` is a 1/50 site), built once and cached in the temp folder. On PostgreSQL the
site is a copy of exactly the rows the SQLite site holds (pg_copy.py: the program's migrations,
then COPY table by table), kept on the server for the run. The server is DISPENSARY_TEST_DB,
else a throwaway cluster (scripts/pg_cluster.sh: fsync and synchronous_commit off, so its
commits are cheaper than a production server's), stopped at the end.

Each measurement runs in a fresh process (its peak resident memory is VmHWM, its own) on a copy
of the site (a file copy; CREATE DATABASE ... TEMPLATE on PostgreSQL), so that measurements that
write neither grow the site nor see each other's records. Each is repeated `--runs` times after
one untimed warm-up (the two slow ones, `audit verify` and the DARF, at most 3 times); the table
gives the median and the 95th percentile, the floor measured in the same process where the
target is a ratio, the target, and whether it is met (with why not). The measurements:

- dispense: a new participant's first cycle, as the pharmacist does it: `dispense_cycle` with
  the real argon2 signature check (the program's parameters), then the dispensing label planned,
  drawn to PDF and its print recorded. Its database part: the same `dispense_cycle` with the
  password already checked (the argon2 answer memoised), against the floor of a bare INSERT and
  COMMIT of one row on the same connection (same pragmas: WAL, synchronous=FULL). The signature
  check alone: argon2 verify of the user's stored hash. What the database itself needs for the
  database part: every statement the program sent is recorded with its parameters, and
  replayed in order through the driver alone (sqlite3, psycopg) on a copy of the site taken
  before the first, the database parts' statements timed against the same floor on that copy
  (the copy must end with the site's rows: `table_sizes`).
- return: one kit of such a dispense counted back 21 days later, signed.
- receive: a 500-kit shipment (manifest lines) received.
- reconcile: the whole-site reconciliation (services.reconciliation.reconcile).
- darf: the DARF of the site's product for the last ~2,000 lines (gathered and drawn to PDF).
- verify: `audit verify` (bench_verify's child) against bench_verify.floor's hashlib loop over
  the same bytes; then the incremental verification the Today screen runs after 100 more steps.
- startup: launch to the sign-in window (DISPENSARY_STARTUP_PROBE, as bench_startup.py).
- today: the Today screen's refresh until its figures are shown (Qt offscreen).
- inventory: bench_inventory.measure, when that module exists (a file, or a PostgreSQL URL).
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import json
import os
import platform
import pstats
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

FULL_SIZE = 1_000_000  # ledger rows and audit entries: 2,000,000 entries to verify
QUICK_SIZE = 20_000
HEAVY_RUNS = 3  # audit verify and the DARF: at most this many runs
BUDGET_S = 120.0  # a measurement's process stops repeating after this long
TIMEOUT_S = 900.0  # and is given up after this long
PROFILE_MAX_S = 30.0  # a step over its target is profiled once, if a run takes less than this
PASSWORD = "benchpass1"  # the generated staff's password (bench_verify.PASSWORD)
SIGNING_PASSWORD = "Bench-sign-2026!"  # set through the service: stored with real argon2
PHARMACIST = "pharm1"
MANIFEST_KITS = 500
DARF_LINES = 2_000
NEW_STEPS = 100
DEFAULT_OUT = HERE / "results" / "site.json"
README = ROOT / "README.md"
START_MARK = "<!-- perf:start -->"
END_MARK = "<!-- perf:end -->"
GROUPS = (
    "dispense",
    "return",
    "receive",
    "reconcile",
    "darf",
    "verify",
    "startup",
    "today",
    "inventory",
)


def site_database(size: int, fresh: bool, given: Path | None = None) -> tuple[Path, dict[str, Any]]:
    """The generated site, built if missing and cached by size (or at `given`): the one place
    that names the generator (sitegen.py: through the services' own rows, proven equal to
    them by tests/benchmarks/test_sitegen.py)."""
    from sitegen import database

    return database(size, fresh, given)


# -- targets and judging -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a row must meet; None: no such limit."""

    seconds: float | None = None  # the median under this
    ratio: float | None = None  # the median at most this many times the floor's
    rss_mb: float | None = None  # the peak resident memory under this

    def text(self) -> str:
        parts = []
        if self.ratio is not None:
            parts.append(f"≤ {self.ratio:g}× floor")
        if self.seconds is not None:
            parts.append(f"< {duration(self.seconds)}")
        if self.rss_mb is not None:
            parts.append(f"< {self.rss_mb:g} MB")
        return ", ".join(parts) or "—"


GUI_MB = 250.0
TARGETS: dict[str, Target] = {
    "dispense_db": Target(seconds=0.050, ratio=5.0),
    "dispense": Target(seconds=0.5),
    "reconcile": Target(seconds=0.5),
    "darf": Target(seconds=3.0),
    "verify": Target(ratio=3.0, rss_mb=300.0),
    "verify_today": Target(seconds=0.050),
    "startup": Target(seconds=1.5, rss_mb=GUI_MB),
    "today": Target(seconds=0.3, rss_mb=GUI_MB),
    "inventory_open": Target(seconds=1.0, rss_mb=GUI_MB),
    "inventory_search": Target(seconds=0.2),
    "inventory_sort": Target(seconds=0.2),
}
LABELS: dict[str, str] = {
    "dispense": "dispense, whole (scan to committed to label PDF)",
    "dispense_db": "dispense, database part",
    "dispense_sql": "dispense, its statements in the driver alone",
    "signature": "signature check (argon2 verify)",
    "return": "return of one kit (signed)",
    "receive": f"receive a {MANIFEST_KITS}-kit manifest",
    "reconcile": "whole-site reconciliation",
    "darf": f"DARF of a {DARF_LINES:,}-line record",
    "verify": "audit verify, whole chain",
    "verify_today": f"incremental verify on Today ({NEW_STEPS} new steps)",
    "startup": "start to sign-in window",
    "today": "Today screen refresh",
    "inventory_open": "inventory screen open",
    "inventory_search": "inventory search keystroke",
    "inventory_sort": "inventory sort",
}


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (the 95th of 5 runs is the slowest)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))
    return ordered[int(rank) - 1]


@dataclass
class Row:
    """One line of the table: the run times of one measurement on one engine."""

    key: str
    engine: str
    times: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    floor_text: str = ""
    peak_rss_mb: float | None = None
    note: str = ""
    skipped: str = ""  # not measured: why
    unfinished: str = ""  # did not finish: its target is not met

    @property
    def label(self) -> str:
        return LABELS.get(self.key, self.key)

    @property
    def target(self) -> Target:
        return TARGETS.get(self.key, Target())

    @property
    def median(self) -> float | None:
        return statistics.median(self.times) if self.times else None

    @property
    def p95(self) -> float | None:
        return percentile(self.times, 0.95) if self.times else None

    @property
    def floor_median(self) -> float | None:
        return statistics.median(self.floor) if self.floor else None

    @property
    def ratio(self) -> float | None:
        median, base = self.median, self.floor_median
        return median / base if median is not None and base else None

    def judged(self) -> tuple[bool | None, str]:
        """Met (True), not met (False) or nothing to judge (None), and why not."""
        if self.unfinished:
            return False, self.unfinished
        if self.skipped:
            return None, self.skipped
        target, median = self.target, self.median
        if target == Target() or median is None:
            return None, ""
        missed = []
        if target.seconds is not None and not median < target.seconds:
            missed.append(f"median {duration(median)} is not under {duration(target.seconds)}")
        if target.ratio is not None:
            ratio = self.ratio
            if ratio is None:
                missed.append("no floor was measured")
            elif ratio > target.ratio:
                missed.append(f"{ratio:.1f}× the floor, over {target.ratio:g}×")
        if target.rss_mb is not None:
            if self.peak_rss_mb is None:
                missed.append("peak memory not measured")
            elif not self.peak_rss_mb < target.rss_mb:
                missed.append(f"peak {self.peak_rss_mb:.0f} MB, not under {target.rss_mb:g} MB")
        if not missed:
            return True, ""
        return False, "; ".join(missed) + (f" ({self.note})" if self.note else "")

    def as_json(self) -> dict[str, Any]:
        met, why = self.judged()
        found = asdict(self)
        found.update(
            label=self.label,
            median_s=self.median,
            p95_s=self.p95,
            floor_median_s=self.floor_median,
            ratio=self.ratio,
            target=self.target.text(),
            met=met,
            why=why,
        )
        return found


def duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms" if seconds < 0.01 else f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def verdict(met: bool | None) -> str:
    return {True: "met", False: "NOT MET", None: "—"}[met]


def table_cells(row: dict[str, Any]) -> list[str]:
    """One row of the table (from its JSON), as the text and the README show it."""

    def maybe(value: float | None) -> str:
        return "" if value is None else duration(value)

    ratio = row.get("ratio")
    rss = row.get("peak_rss_mb")
    if row.get("skipped") or row.get("unfinished"):
        said = row.get("skipped") or "NOT MET"
        return [row["label"], row["engine"], "", "", "", "", "", row["target"], said]
    return [
        row["label"],
        row["engine"],
        maybe(row.get("median_s")),
        maybe(row.get("p95_s")),
        maybe(row.get("floor_median_s")),
        "" if ratio is None else f"{ratio:.1f}×",
        "" if rss is None else f"{rss:.0f} MB",
        row["target"],
        verdict(row.get("met")),
    ]


HEADER = ["Measurement", "Engine", "Median", "p95", "Floor", "Ratio", "Peak RSS", "Target", "Met"]


def ordered(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows in the table's order: by measurement, SQLite before PostgreSQL."""
    order = list(LABELS)
    return sorted(
        rows,
        key=lambda r: (order.index(r["key"]) if r["key"] in order else 99, r["engine"] != "SQLite"),
    )


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """The text table, then each target not met with why, then each row's note."""
    rows = ordered(rows)
    cells = [HEADER, *(table_cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADER))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    for row in rows:
        if row.get("met") is False:
            lines.append(f"not met: {row['label']} ({row['engine']}): {row['why']}")
    for row in rows:
        if row.get("note") and row.get("met") is not False:
            lines.append(f"note: {row['label']} ({row['engine']}): {row['note']}")
    return "\n".join(lines)


def markdown_table(results: dict[str, Any]) -> str:
    """The README's Performance table, from the JSON `main` writes."""
    machine = results["machine"]
    lines = [
        f"Last run {results['date']} on {machine['cpu']} ({machine['cores']} cores, "
        f"{machine['ram_gb']} GB RAM, load average {machine.get('load_average_at_start', '?')} "
        f"at the start), {machine['os']}, Python {machine['python']}, SQLite "
        f"{machine['sqlite']}, PostgreSQL {machine.get('postgresql') or 'not run'}; code "
        f"{results['code']}; site: {results['site']}. Median and 95th percentile of "
        f"{results['runs']} runs (`benchmarks/run`, figures in `benchmarks/results/site.json`)."
        + earlier_runs(results["rows"]),
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for row in ordered(results["rows"]):
        cells = [c.replace("|", "\\|") for c in table_cells(row)]
        if row.get("met") is False:
            cells[-1] = f"**not met**: {row['why']}"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def merged(results: dict[str, Any], earlier: dict[str, Any]) -> None:
    """The earlier run's rows of each measurement and engine this run did not measure, added
    to this run's results, each with the run it comes from (a run of both engines at full size
    takes over an hour: the engines, or some measurements, may be measured apart)."""
    measured = {(row["key"], row["engine"]) for row in results["rows"]}
    for row in earlier["rows"]:
        if (row["key"], row["engine"]) in measured:
            continue
        kept = dict(row)
        kept.setdefault("run", {"date": earlier["date"], "code": earlier["code"]})
        results["rows"].append(kept)
        if row["engine"] == "PostgreSQL" and not results["machine"].get("postgresql"):
            results["machine"]["postgresql"] = earlier["machine"].get("postgresql")


def merge_source(given: Path | None, out: Path, new_table: bool) -> Path | None:
    """The earlier JSON whose rows this run keeps: --merge, else the --out file when there is
    one, so that a run of some measurements, or of one engine, never drops the other rows from
    the table and the README; None with --new-table."""
    if new_table:
        return None
    if given is not None:
        return given
    return out if out.is_file() else None


def earlier_runs(rows: Sequence[dict[str, Any]]) -> str:
    """Where the rows kept from earlier runs come from, a sentence per run and engine."""
    runs: dict[tuple[str, str, str], list[str]] = {}
    everything: dict[str, int] = {}
    for row in ordered(rows):
        everything[row["engine"]] = everything.get(row["engine"], 0) + 1
        if "run" in row:
            key = (row["engine"], row["run"]["date"], row["run"]["code"])
            runs.setdefault(key, []).append(row["label"])
    said = []
    for (engine, day, code), labels in runs.items():
        which = "" if len(labels) == everything[engine] else " of " + ", ".join(labels)
        said.append(f" The {engine} rows{which} are from the run of {day} (code {code}).")
    return "".join(said)


def update_readme(results: dict[str, Any], readme: Path = README) -> None:
    """Rewrites the table between the perf markers of the README's Performance section."""
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(START_MARK) + len(START_MARK), text.index(END_MARK)
    readme.write_text(
        text[:start] + "\n" + markdown_table(results) + "\n" + text[end:], encoding="utf-8"
    )


# -- the sites: a cached original, and copies for the measurements -------------------------------


class Site:
    engine = "SQLite"

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def copy(self) -> Iterator[str]:
        """A copy of the site, removed afterwards."""
        folder = Path(tempfile.mkdtemp(prefix="dispensary-site-"))
        target = folder / "site.sqlite3"
        try:
            shutil.copyfile(self.path, target)
            yield str(target)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


class PostgresSite(Site):
    engine = "PostgreSQL"

    def __init__(self, path: Path, url: str, name: str) -> None:
        super().__init__(path)
        self.url, self.name = url, name
        self.copies = 0

    @contextmanager
    def copy(self) -> Iterator[str]:
        import pg_copy

        self.copies += 1
        name = f"{self.name}_c{os.getpid()}_{self.copies}"
        try:
            yield pg_copy.clone(self.url, self.name, name)
        finally:
            pg_copy.drop(self.url, name)


@contextmanager
def postgres_server() -> Iterator[str | None]:
    """DISPENSARY_TEST_DB, else a throwaway cluster made and removed here; None if neither."""
    given = os.environ.get("DISPENSARY_TEST_DB")
    if given:
        yield given
        return
    script = ROOT / "scripts" / "pg_cluster.sh"
    started = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True)
    if started.returncode != 0:
        print(f"PostgreSQL not measured: no server ({started.stderr.strip()[-300:]})")
        yield None
        return
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in started.stdout.splitlines()
        if line.startswith("export ")
    )
    try:
        yield env["DISPENSARY_TEST_DB"]
    finally:
        subprocess.run(["bash", str(script), "stop", env["PG_CLUSTER_DIR"]], check=False)


# -- the measurements, each in a process of its own ----------------------------------------------


def _rss_mb(name: str = "VmHWM") -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def _work_day(last_day: date) -> date:
    day = last_day + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _context(db: str, day: date) -> tuple[Any, Any]:
    """The site's study on a clock set to `day`, and the pharmacist signed in with a password
    stored as the program stores it (argon2, the program's parameters): the generator stored
    light hashes, so the password is changed through the service first."""
    from dispensary.db.engine import make_engine
    from dispensary.services import users
    from dispensary.services.context import Context, FixedClock
    from dispensary.study import default_study_path, load_study

    clock = FixedClock()
    clock.set_date(day, hour=8)
    ctx = Context(make_engine(db), load_study(default_study_path()), clock, db)
    actor = users.sign_in(ctx, PHARMACIST, PASSWORD)
    actor = users.change_password(ctx, actor, PASSWORD, SIGNING_PASSWORD)
    return ctx, actor


@contextmanager
def signature_memoised() -> Iterator[None]:
    """The argon2 check answered from memory after its first time: what is left of a signed
    step is its database part."""
    from dispensary.services import users

    real = vars(users)["_verify"]
    setattr(users, "_verify", functools.cache(real))  # noqa: B010
    try:
        yield
    finally:
        setattr(users, "_verify", real)  # noqa: B010


def _timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _over_budget(started: float, done: int) -> bool:
    """Whether a measurement has had its time: at least one timed run, BUDGET_S spent."""
    return done >= 1 and time.perf_counter() - started > BUDGET_S


def where_time_goes(step: Callable[[], object], top: int = 3) -> str:
    """One more run of `step` under cProfile: the program's functions that take the most of it
    (cumulative, leaving out those that merely wrap nearly all of it), with their calls."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        step()
    finally:
        profiler.disable()
    table: dict[Any, Any] = getattr(pstats.Stats(profiler), "stats", {})
    own = [
        (cumulative, calls, f"{Path(file).stem}.{name}")
        for (file, _line, name), (_cc, calls, _tt, cumulative, _callers) in table.items()
        if f"{os.sep}dispensary{os.sep}" in file
    ]
    if not own:
        return ""
    total = max(c for c, _n, _f in own)
    inner = sorted((o for o in own if o[0] < 0.9 * total), reverse=True)[:top]
    said = ", ".join(f"{name} {c / total:.0%} ({n:,} call{'s' * (n != 1)})" for c, n, name in inner)
    return f"where the time goes: {said}" if said else ""


def _profiled_if_slow(key: str, times: list[float], step: Callable[[], object]) -> str:
    """Why a step misses its time target, when one more run is affordable."""
    limit = TARGETS.get(key, Target()).seconds
    if limit is None or not times or statistics.median(times) < limit:
        return ""
    if max(times) > PROFILE_MAX_S:
        return ""
    return where_time_goes(step)


def _repeat(
    step: Callable[[], object],
    runs: int,
    key: str = "",
    profile: Callable[[], object] | None = None,
) -> tuple[list[float], str]:
    """`runs` timed runs after an untimed warm-up, fewer when over the time budget (a warm-up
    over the budget is then the one run: it is what a user waits for anyway); then, when the
    median misses the target of `key`, where the time goes (`profile`, else `step`, profiled)."""
    started = time.perf_counter()
    warm = _timed(step)
    if warm > BUDGET_S:
        return [warm], f"1 run: the first took over the {BUDGET_S:.0f} s budget"
    times: list[float] = []
    for _ in range(runs):
        if _over_budget(started, len(times)):
            break
        times.append(_timed(step))
    said = [] if len(times) == runs else [f"{len(times)} run{'s' * (len(times) > 1)} in budget"]
    said.append(_profiled_if_slow(key, times, profile or step))
    return times, ", ".join(x for x in said if x)


def floor_insert(ctx: Any) -> Callable[[], None]:
    """The floor of a write: one row INSERTed and COMMITted on a connection of the program's
    engine (its pragmas: WAL, synchronous=FULL, foreign keys), nothing else."""
    from sqlalchemy import text

    sqlite = ctx.engine.dialect.name == "sqlite"
    key = "INTEGER PRIMARY KEY" if sqlite else "SERIAL PRIMARY KEY"
    with ctx.engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE bench_floor (id {key}, note TEXT)"))
    raw = ctx.engine.raw_connection()
    cursor = raw.cursor()
    mark = "?" if sqlite else "%s"

    def insert() -> None:
        if sqlite:
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f"INSERT INTO bench_floor (note) VALUES ({mark})", ("one row",))
            cursor.execute("COMMIT")
        else:
            cursor.execute(f"INSERT INTO bench_floor (note) VALUES ({mark})", ("one row",))
            raw.commit()

    return insert


def _enrol(ctx: Any, actor: Any, number: str) -> None:
    from dispensary.services import participants

    participants.enroll(
        ctx,
        actor,
        number,
        "ZZ",
        1970,
        "F",
        "Zhenzhen Liu, M.D.",
        criteria_confirmed=participants.eligibility_checklist(ctx.study),
    )


def _stored_hash(ctx: Any) -> str:
    from sqlalchemy import select

    from dispensary.db.engine import read_transaction
    from dispensary.db.models import User

    with read_transaction(ctx.engine) as session:
        query = select(User.password_hash).where(User.username == PHARMACIST)
        return str(session.execute(query).scalar_one())


DISPENSE_DB_NOTE = (
    "dispense_cycle with the password already checked; over the floor: its commit appends and "
    "syncs the pages of 8 tables and their indexes (the floor: one row, no index, 1-2 pages), "
    "and each statement costs 40-100 µs of SQLAlchemy (Core, or the ORM where objects are "
    "loaded) besides the rules, the hashes and the audit entry in Python"
)
"""Why the database part of a dispense stays over 5x the floor (measured in the issue 15 work)."""


class Statements:
    """Every statement the program's engines send, in order, with their parameters and the
    ends of their transactions: the dispenses' own SQL, replayed through sqlite3 alone on a
    copy of the site taken before the first (`replay`), says what SQLite itself needs for
    them, the least any program writing the same rows could take."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, Any]] = []

    def _statement(self, *args: Any) -> None:
        _conn, _cursor, statement, parameters, _context, many = args
        self.log.append(("many" if many else "one", statement, parameters))

    def _commit(self, _conn: Any) -> None:
        self.log.append(("commit", "", None))

    def _rollback(self, _conn: Any) -> None:
        self.log.append(("rollback", "", None))

    @contextmanager
    def recording(self) -> Iterator[Statements]:
        from sqlalchemy import event
        from sqlalchemy.engine import Engine

        hooks = (
            ("before_cursor_execute", self._statement),
            ("commit", self._commit),
            ("rollback", self._rollback),
        )
        for name, hook in hooks:
            event.listen(Engine, name, hook)
        try:
            yield self
        finally:
            for name, hook in hooks:
                event.remove(Engine, name, hook)


class _Target:
    """A connection to the replay's copy: sqlite3 with the program's pragmas (it issues BEGIN
    itself, as the program does), or the server's driver through a bare engine (no event of the
    program's engine), in the driver's own transactions."""

    def __init__(self, target: str) -> None:
        self.sqlite = "://" not in target
        self.engine: Any = None
        if self.sqlite:
            self.conn: Any = sqlite3.connect(target, isolation_level=None)
            for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=FULL"):
                self.conn.execute(f"PRAGMA {pragma}")
        else:
            from sqlalchemy import create_engine

            self.engine = create_engine(target)
            self.conn = self.engine.raw_connection()
        self.cursor = self.conn.cursor()

    def end(self, kind: str) -> None:
        if not self.sqlite:
            self.conn.commit() if kind == "commit" else self.conn.rollback()
        elif self.conn.in_transaction:
            self.cursor.execute("COMMIT" if kind == "commit" else "ROLLBACK")

    def floor(self) -> float:
        """One row inserted and committed, as `floor_insert` does."""
        started = time.perf_counter()
        if self.sqlite:
            self.cursor.execute("BEGIN IMMEDIATE")
            self.cursor.execute("INSERT INTO bench_floor (note) VALUES (?)", ("one row",))
            self.cursor.execute("COMMIT")
        else:
            self.cursor.execute("INSERT INTO bench_floor (note) VALUES (%s)", ("one row",))
            self.conn.commit()
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()
        if self.engine is not None:
            self.engine.dispose()


def replay(
    target: str, log: Sequence[tuple[str, str, Any]], timed: Sequence[tuple[int, int]]
) -> tuple[list[float], list[float]]:
    """`log` replayed in order on the copy `target` (a file, or a server's URL): the time of
    each `timed` slice of it, and after each the floor (one INSERT+COMMIT) on the same
    connection; the whole log, so that the copy ends as the program left the site
    (`table_sizes`)."""
    to = _Target(target)
    cursor = to.cursor

    def run(items: Sequence[tuple[str, str, Any]]) -> None:
        for kind, statement, parameters in items:
            if kind == "one":
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            elif kind == "many":
                cursor.executemany(statement, parameters)
            else:
                to.end(kind)

    times: list[float] = []
    floor: list[float] = []
    at = 0
    try:
        for start, end in timed:
            run(log[at:start])
            times.append(_timed(lambda a=start, b=end: run(log[a:b])))  # type: ignore[misc]
            at = end
            floor.append(to.floor())
        run(log[at:])  # the rest: the copy ends as the program left the site
        to.end("commit")
    finally:
        to.close()
    return times, floor


def child_dispense(db: str, runs: int, day: date) -> dict[str, Any]:
    """Whole dispenses, their database part, the insert floor and the argon2 check, in turn;
    then the database parts' own statements replayed through the driver alone on a copy of
    the site taken before the first (`replay`)."""
    sqlite = "://" not in db
    statements = Statements()
    copy = f"{db}.replay" if sqlite else _server_copy(db)
    if sqlite:
        shutil.copyfile(db, copy)
    try:
        with statements.recording():
            found = _dispenses(db, runs, day, statements.log)
        slices = found.pop("slices")
        times, floor = replay(copy, statements.log, slices)
        if table_sizes(copy) != table_sizes(db):
            raise RuntimeError("the replay did not write the rows the program wrote")
    finally:
        _drop_copy(db, copy)
    part = found["rows"]["dispense_db"]
    statements_each = statements_of(statements.log, slices)
    replayed = statistics.median(times)
    left = TARGETS["dispense_db"].ratio * statistics.median(floor) - replayed  # type: ignore[operator]
    driver = "sqlite3" if sqlite else "the driver (psycopg)"
    found["rows"]["dispense_sql"] = {
        "times": times,
        "floor": floor,
        "floor_text": "the same floor, on the copy",
        "note": (
            f"the {statements_each} statements of each timed database part above, in "
            f"order, with their parameters, replayed through {driver} alone on a copy of the "
            "site taken before the first: what the database itself needs to read and write them"
        ),
    }
    said = (
        f"the database's own work for its statements is "
        f"{replayed / statistics.median(floor):.1f}× the floor (next row), which "
        + (
            f"leaves {left * 1e6:.0f} µs for all the program does in Python within 5×"
            if left > 0
            else "is over 5× before the program does anything in Python"
        )
    )
    part["note"] = f"{said}; {part['note']}"
    return found


def _server_copy(url: str) -> str:
    import pg_copy
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    return str(pg_copy.clone(url, str(name), f"{name}_replay"))


def _drop_copy(db: str, copy: str) -> None:
    if "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(copy + suffix).unlink(missing_ok=True)
        return
    import pg_copy
    from sqlalchemy.engine import make_url

    pg_copy.drop(db, str(make_url(copy).database))


def table_sizes(target: str) -> dict[str, tuple[int, ...]]:
    """Each table's rows (on SQLite, and its highest rowid; the floor's table left out): a
    replay that wrote what the program wrote leaves its copy with the same."""
    if "://" in target:
        from sqlalchemy import create_engine, text

        engine = create_engine(target)
        try:
            with engine.connect() as conn:
                query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                names = [n for (n,) in conn.execute(text(query)) if n != "bench_floor"]
                return {
                    n: (int(conn.execute(text(f'SELECT COUNT(*) FROM "{n}"')).scalar_one()),)
                    for n in names
                }
        finally:
            engine.dispose()
    with sqlite3.connect(target) as conn:
        names = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if name != "bench_floor" and not name.startswith("sqlite_")
        ]
        return {
            name: conn.execute(f'SELECT COUNT(*), COALESCE(MAX(rowid), 0) FROM "{name}"').fetchone()
            for name in names
        }


def statements_of(log: Sequence[tuple[str, str, Any]], sizes: Sequence[tuple[int, int]]) -> str:
    """How many statements (BEGIN and COMMIT included) each timed database part sent: a
    number, or a range."""
    counts = sorted(
        sum(1 for kind, *_rest in log[a:b] if kind in ("one", "many")) + 1 for a, b in sizes
    )
    return str(counts[0]) if counts[0] == counts[-1] else f"{counts[0]}-{counts[-1]}"


def _dispenses(db: str, runs: int, day: date, log: Sequence[Any]) -> dict[str, Any]:
    """child_dispense's runs; with `log` (the statements recorded so far) the slices of it that
    each timed database part sent."""
    from dispensary.labels import NO_CALIBRATION, get_stock
    from dispensary.labels import catalogue as label_catalogue
    from dispensary.services import dispensing, users
    from dispensary.services import labels as label_prints
    from dispensary.services.documents import Values

    ctx, actor = _context(db, day)
    insert = floor_insert(ctx)
    stored = _stored_hash(ctx)
    check = vars(users)["_verify"]
    entry, stock = label_catalogue.label("dispense"), get_stock("thermal-4x2")
    pdf_sizes: list[int] = []

    def label(number: str) -> None:
        sheet = label_catalogue.plan_label(
            entry, ctx, actor, Values(dispense=number), stock, NO_CALIBRATION, reprint=False
        )
        assert sheet.plan is not None
        label_prints.print_labels(ctx, actor, sheet.plan, lambda _plan: sheet.draw(), output)

    def output(pdf: bytes) -> bool:
        pdf_sizes.append(len(pdf))
        return bool(pdf)

    found: dict[str, list[float]] = {"dispense": [], "dispense_db": [], "floor": [], "sig": []}
    slices: list[tuple[int, int]] = []
    started = time.perf_counter()
    for run in range(runs + 1):  # the first is the warm-up
        if _over_budget(started, run - 1):
            break
        whole, part = f"98-{run:05d}", f"97-{run:05d}"
        _enrol(ctx, actor, whole)
        _enrol(ctx, actor, part)

        def dispense_whole(number: str = whole) -> None:
            result = dispensing.dispense_cycle(ctx, actor, number, 1, day, SIGNING_PASSWORD)
            label(result.number)

        took = {"dispense": _timed(dispense_whole)}
        with signature_memoised():
            vars(users)["_verify"](stored, SIGNING_PASSWORD)

            def dispense_part(number: str = part) -> None:
                dispensing.dispense_cycle(ctx, actor, number, 1, day, SIGNING_PASSWORD)

            start = len(log)
            took["dispense_db"] = _timed(dispense_part)
            if run:
                slices.append((start, len(log)))
        took["floor"] = _timed(insert)
        took["sig"] = _timed(lambda: check(stored, SIGNING_PASSWORD))
        if run:
            for key, value in took.items():
                found[key].append(value)
    extra = [f"98-9{run:04d}" for run in range(2)]
    for number in extra:
        _enrol(ctx, actor, number)
    slow_whole = _profiled_if_slow("dispense", found["dispense"], lambda: dispense_whole(extra[0]))
    with signature_memoised():
        vars(users)["_verify"](stored, SIGNING_PASSWORD)
        slow_part = _profiled_if_slow(
            "dispense_db", found["dispense_db"], lambda: dispense_part(extra[1])
        )
    params = stored.split("$")[3] if stored.count("$") >= 4 else "?"
    floor_text = "INSERT+COMMIT of one row, same connection and pragmas"
    return {
        "slices": slices,
        "rows": {
            "dispense": {
                "times": found["dispense"],
                "note": ", ".join(
                    x
                    for x in (
                        f"FEFO kit, signed (argon2), label PDF of {max(pdf_sizes) // 1024} KiB",
                        slow_whole,
                    )
                    if x
                ),
            },
            "dispense_db": {
                "times": found["dispense_db"],
                "floor": found["floor"],
                "floor_text": floor_text,
                "note": ", ".join(x for x in (DISPENSE_DB_NOTE, slow_part) if x),
            },
            "signature": {"times": found["sig"], "note": f"argon2id {params}"},
        },
    }


def child_return(db: str, runs: int, day: date) -> dict[str, Any]:
    """Kits dispensed today, counted back (signed) 21 days later, one by one."""
    from dispensary.services import dispensing, returns

    ctx, actor = _context(db, day)
    dispensed = []
    with signature_memoised():
        for run in range(runs + 1):
            number = f"96-{run:05d}"
            _enrol(ctx, actor, number)
            result = dispensing.dispense_cycle(ctx, actor, number, 1, day, SIGNING_PASSWORD)
            dispensed.append((result.number, result.kits[0].kit))
    ctx.clock.set_date(_work_day(day + timedelta(days=20)), hour=9)
    waiting = iter(dispensed)

    def count_back() -> None:
        number, kit = next(waiting)
        returns.record_return(ctx, actor, kit, 0, SIGNING_PASSWORD, dispense=number)

    times, said = _repeat(count_back, runs)
    note = ", ".join(x for x in ("with its argon2 signature", said) if x)
    return {"rows": {"return": {"times": times, "note": note}}}


def child_receive(db: str, runs: int, day: date) -> dict[str, Any]:
    """Shipments of MANIFEST_KITS kits of a new lot received."""
    from dispensary.services import receiving
    from dispensary.services.assessment.receiving import KitIn

    ctx, actor = _context(db, day)
    product = ctx.study.products[0]
    made = [0]

    def receive() -> None:
        run = made[0] = made[0] + 1
        lot, expiry = f"BENCH{run:02d}", day + timedelta(days=730)
        kits = [
            KitIn(f"BK{run:02d}{n:04d}", product.code, lot, expiry, product.tablets_per_kit)
            for n in range(MANIFEST_KITS)
        ]
        receiving.receive_shipment(ctx, actor, f"BENCH-SH-{run:02d}", kits, day)

    times, said = _repeat(receive, runs)
    return {"rows": {"receive": {"times": times, "note": said}}}


def child_reconcile(db: str, runs: int, day: date) -> dict[str, Any]:
    """The reconciliation after the counter's last steps: before each timed one, a participant's
    first cycle dispensed and a kit of an earlier cycle counted back (signed), through the
    services, as child_dispense and child_return make them."""
    from dispensary.db.engine import read_transaction
    from dispensary.services import dispensing, reconciliation, returns

    ctx, actor = _context(db, day)
    # A site in use has reconciled before: its last verified point is kept beside the database
    # (services.audit_check). The copy's first reconciliation, which verifies the whole audit
    # trail, writes that point and reads everything, is timed apart and said in the note; so is
    # one read anew (as the sign-off reads, and the first in a process).
    first = _timed(lambda: reconciliation.reconcile(ctx, actor))

    def read_anew() -> None:
        with read_transaction(ctx.engine) as session:
            reconciliation.reconcile_session(session, ctx, fresh=True)

    anew = _timed(read_anew)
    dispensed = []
    with signature_memoised():
        for run in range(runs + 2):  # one each for the warm-up, the runs, a profile
            number = f"94-{run:05d}"
            _enrol(ctx, actor, number)
            result = dispensing.dispense_cycle(ctx, actor, number, 1, day, SIGNING_PASSWORD)
            dispensed.append((result.number, result.kits[0].kit))
    later = _work_day(day + timedelta(days=20))
    ctx.clock.set_date(later, hour=9)
    waiting = iter(dispensed)
    made = [0]

    def counter() -> None:
        made[0] += 1
        number = f"93-{made[0]:05d}"
        _enrol(ctx, actor, number)
        dispensing.dispense_cycle(ctx, actor, number, 1, later, SIGNING_PASSWORD)
        earlier, kit = next(waiting)
        returns.record_return(ctx, actor, kit, 0, SIGNING_PASSWORD, dispense=earlier)

    def reconcile() -> None:
        reconciliation.reconcile(ctx, actor)

    times: list[float] = []
    started = time.perf_counter()
    with signature_memoised():
        # The warm-up is the new day's first reconciliation (carried forward to the new day).
        counter()
        new_day = _timed(reconcile)
        for _ in range(runs):
            if _over_budget(started, len(times)):
                break
            counter()
            times.append(_timed(reconcile))
        counter()
        said = [] if len(times) == runs else [f"{len(times)} run{'s' * (len(times) > 1)} in budget"]
        said.append(_profiled_if_slow("reconcile", times, reconcile))
    note = ", ".join(
        x
        for x in (
            "each after one dispense and one return through the services, carried forward "
            "from the last reconciliation",
            f"the first (audit trail in full, everything read): {first:.0f} s",
            f"everything read anew (the sign-off's; the first after a start): {anew:.1f} s",
            f"the first of a new day: {new_day:.2f} s",
            *said,
        )
        if x
    )
    return {"rows": {"reconcile": {"times": times, "note": note}}}


def child_darf(db: str, runs: int, day: date) -> dict[str, Any]:
    """The DARF from the day its last DARF_LINES stock movements began, gathered and drawn."""
    from sqlalchemy import text

    from dispensary.reports import darf_pdf
    from dispensary.services import report_data

    ctx, actor = _context(db, day)
    query = text(
        "SELECT entry_date FROM ledger_entries WHERE kind <> 'return' "
        "ORDER BY id DESC LIMIT 1 OFFSET :n"
    )
    count_sql = "SELECT COUNT(*) FROM ledger_entries WHERE kind <> 'return'"
    made: list[tuple[int, int]] = []
    since: date | None = None

    def darf() -> None:
        meta = report_data.report_meta(ctx, actor)
        records = report_data.darf_records(ctx, actor, since=since)
        pdf = darf_pdf(meta, records)
        made.append((sum(len(r.lines) for r in records), len(pdf)))

    # The period: from the day of the last `rows` stock movements, `rows` searched (untimed,
    # gathering only) for a record of about DARF_LINES lines: a line may group movements.
    with ctx.engine.connect() as conn:
        total = int(conn.execute(text(count_sql)).scalar() or 0)
        lowest, highest, rows = 1, max(1, total), min(DARF_LINES, max(1, total))
        tried: list[tuple[int, date | None, int]] = []
        for _ in range(3):
            first = conn.execute(query, {"n": rows - 1}).scalar()
            since = None if first is None else date.fromisoformat(str(first))
            lines = sum(len(r.lines) for r in report_data.darf_records(ctx, actor, since=since))
            tried.append((abs(lines - DARF_LINES), since, lines))
            if abs(lines - DARF_LINES) < DARF_LINES // 10 or not lines:
                break
            lowest, highest = (rows, highest) if lines < DARF_LINES else (lowest, rows)
            guess = rows * DARF_LINES // lines
            rows = guess if lowest < guess < highest else (lowest + highest) // 2
    since = min(tried, key=lambda t: t[0])[1]
    times, said = _repeat(darf, runs, "darf")
    lines, size = made[-1]
    period = f"since {since}" if since else "the whole record"
    note = ", ".join(x for x in (f"{lines:,} lines {period}, {size // 1024:,} KiB PDF", said) if x)
    return {"rows": {"darf": {"times": times, "note": note}}}


def child_today(db: str, runs: int, day: date) -> dict[str, Any]:
    """The Today screen shown, then refreshed until its figures are on screen, each time after
    a step at the counter (a participant enrolled and a first cycle dispensed, through the
    services, untimed): what the pharmacist sees on coming back to it. A refresh with nothing
    written since (served from what the screen kept) is timed too and said in the note."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import dispensary.ui.qt_imports  # noqa: F401  (first, as dispensary.app imports it)

    # isort: split
    from PySide6.QtWidgets import QApplication

    from dispensary.config import Settings
    from dispensary.services import dashboard, dispensing
    from dispensary.ui.dashboard import DashboardScreen
    from dispensary.ui.session import AppSession

    app = QApplication.instance() or QApplication(sys.argv[:1])
    ctx, actor = _context(db, day)
    # As for the reconciliation: the copy's first read verifies the whole audit trail and
    # writes the kept point; it is timed apart and said in the note.
    first = _timed(lambda: dashboard.dashboard(ctx, actor))
    screen = DashboardScreen(AppSession(ctx, actor, Settings()))
    screen.show()
    made = [0]

    def counter() -> None:
        made[0] += 1
        number = f"92-{made[0]:05d}"
        _enrol(ctx, actor, number)
        dispensing.dispense_cycle(ctx, actor, number, 1, day, SIGNING_PASSWORD)

    whole: list[float] = []

    def refresh() -> float:
        """Seconds until the figures are on screen; the supply forecast and the table of all
        studies, read after them by the same worker, are waited for too (`whole`)."""
        before = screen.snapshot
        began = time.perf_counter()
        screen.refresh()
        while screen.checking and screen.snapshot is before:
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()  # _show has drawn the figures when the snapshot is replaced
        shown = time.perf_counter() - began
        while screen.checking:
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()
        whole.append(time.perf_counter() - began)
        return shown

    times: list[float] = []
    started = time.perf_counter()
    # Each counter step checks its signature for real (argon2, 64 MiB), as at the counter: the
    # peak memory is the window's after its refreshes plus that check, not the first one's only.
    held: list[float] = []
    signing: list[float] = []

    def step() -> None:
        held.append(_rss_mb("VmRSS"))
        before = _rss_mb()
        counter()
        if _rss_mb() > before:
            signing.append(_rss_mb())

    step()
    refresh()  # the warm-up
    whole.clear()
    for _ in range(runs):
        if _over_budget(started, len(times)):
            break
        step()
        times.append(refresh())
    after_step = list(whole)
    unchanged = [refresh() for _ in range(runs)]
    step()
    # The refresh's read runs in a worker thread, which cProfile does not see: the service.
    said = _profiled_if_slow("today", times, lambda: dashboard.dashboard(ctx, actor))
    screen.close()
    parts = [
        "figures shown after a step at the counter, read in its worker",
        "the supply forecast and the table of all studies on screen after "
        f"{statistics.median(after_step) * 1000:.0f} ms",
        f"with nothing written since: {statistics.median(unchanged) * 1000:.0f} ms",
        f"the first read, audit trail in full: {first:.0f} s",
        f"the peak, {max(signing):.0f} MB, is reached in a counter step's signature check "
        f"(argon2, 64 MiB, each step's) on the {max(held):.0f} MB the window held"
        if signing and max(signing) >= _rss_mb() - 1
        else "",
        said,
    ]
    return {"rows": {"today": {"times": times, "note": ", ".join(x for x in parts if x)}}}


def child_inventory(db: str, runs: int, day: date) -> dict[str, Any]:
    """bench_inventory.measure's figures: lists of seconds (or one) per open, search, sort."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import bench_inventory  # type: ignore[import-not-found,unused-ignore]

    where = db if "://" in db else Path(db)  # a PostgreSQL copy by its URL
    measured: dict[str, Any] = dict(bench_inventory.measure(where, keep=False))

    def seconds(names: list[str]) -> list[float]:  # bench_inventory gives milliseconds
        return [float(measured[n]) / 1000 for n in names]

    keys = [n for n in measured if n.startswith("keystroke ") and n[10:-3].isdigit()]
    sorts = [
        n
        for n in measured
        if n.startswith("sort ") and n.endswith(" ms") and " cpu " not in n and "worst" not in n
    ]
    rows: dict[str, Any] = {
        "inventory_open": {"times": seconds(["open ms"]), "note": "built, first page, painted"},
        "inventory_search": {
            "times": seconds(keys),
            "note": f"each keystroke of '{bench_inventory.SEARCH}' typed",
        },
        "inventory_sort": {
            "times": seconds(sorts),
            "note": "header clicks: " + ", ".join(n[5:-3] for n in sorts),
        },
    }
    peaks = [float(v) for k, v in measured.items() if "rss" in k.lower() and v is not None]
    return {"rows": rows, "peak_rss_mb": max(peaks) if peaks else None}


CHILDREN: dict[str, Callable[[str, int, date], dict[str, Any]]] = {
    "dispense": child_dispense,
    "return": child_return,
    "receive": child_receive,
    "reconcile": child_reconcile,
    "darf": child_darf,
    "today": child_today,
    "inventory": child_inventory,
}


class Unfinished(RuntimeError):
    """A measurement that did not finish in TIMEOUT_S: a target it has is not met."""


def run_child(
    name: str, db: str, runs: int, day: date, since: Any = None, timeout: float = TIMEOUT_S
) -> dict[str, Any]:
    """One measurement in a fresh process: the JSON its last line prints."""
    command = [sys.executable, __file__, "--child", name, "--db", db, "--runs", str(runs)]
    command += ["--day", day.isoformat()]
    if since is not None:
        command += ["--since", json.dumps(since)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise Unfinished(f"given up after {timeout:.0f} s") from exc
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    found: dict[str, Any] = json.loads(done.stdout.rstrip("\n").split("\n")[-1])
    return found


def child_main(name: str, db: str, runs: int, day: date, since: str | None) -> int:
    if name == "verify":  # bench_verify's own child; it only str()s the path it is given
        import bench_verify

        return bench_verify.child(cast(Path, db), False, since)
    found = CHILDREN[name](db, runs, day)
    if found.get("peak_rss_mb") is None:
        found["peak_rss_mb"] = _rss_mb()
    print(json.dumps(found))
    return 0


# -- the parent: copies, floors, rows -------------------------------------------------------------


@dataclass
class Plan:
    runs: int
    day: date  # the first working day after the site's last
    floor: dict[str, Any] = field(default_factory=dict)  # the verify floor, once per harness run
    timeout: float = TIMEOUT_S  # a measurement's process is given up after this long


def rows_of(found: dict[str, Any], engine: str) -> list[Row]:
    peak = found.get("peak_rss_mb")
    return [
        Row(
            key,
            engine,
            list(part.get("times", [])),
            list(part.get("floor", [])),
            part.get("floor_text", ""),
            peak,
            part.get("note", ""),
        )
        for key, part in found["rows"].items()
    ]


def measure_verify(site: Site, plan: Plan) -> list[Row]:
    """`audit verify` against the hashlib loop over the same bytes (bench_verify.floor, on the
    SQLite site: the PostgreSQL copy holds the same rows, so the same bytes), then the
    incremental verification after NEW_STEPS more steps."""
    import bench_verify
    import sitegen

    if not plan.floor:
        bench_verify.warm(site.path)
        base = bench_verify.floor(site.path)
        plan.floor = {
            "hashing": base.hashing,
            "contents": base.contents,
            "mb": base.size / 1e6,
            "raw_reading": base.raw_reading,
        }
    runs = min(plan.runs, HEAVY_RUNS)
    floor_text = (
        f"hashlib.sha256 loop over the same {plan.floor['contents']:,} contents "
        f"({plan.floor['mb']:,.0f} MB)"
    )
    with site.copy() as db:
        if site.engine == "SQLite":
            bench_verify.warm(Path(db))
        reports = [run_child("verify", db, 1, plan.day, timeout=plan.timeout) for _ in range(runs)]
    if not all(r["ok"] for r in reports):
        raise RuntimeError(f"audit verify failed on the copy: {reports[0]['message']}")
    whole = Row(
        "verify",
        site.engine,
        [float(r["seconds"]) for r in reports],
        [plan.floor["hashing"]],
        floor_text,
        max(float(r["peak_rss_mb"]) for r in reports),
        f"{reports[0]['entries']:,} audit entries and {reports[0]['ledger_entries']:,} ledger "
        "rows" + read_alone(plan.floor, site.engine),
    )
    point = reports[0].get("point")
    later = Row("verify_today", site.engine)
    if point is None:
        later.skipped = "not measured: audit.verify returns no verified point"
        return [whole, later]
    with site.copy() as db, sitegen.services_for_bench():
        steps = bench_verify.append_steps(cast(Path, db), plan.day - timedelta(days=1), NEW_STEPS)
        incremental = [
            run_child("verify", db, 1, plan.day, point, plan.timeout) for _ in range(plan.runs)
        ]
    later.times = [float(r["seconds"]) for r in incremental]
    later.peak_rss_mb = max(float(r["peak_rss_mb"]) for r in incremental)
    later.note = f"{steps} entries written through the services after a verified point"
    return [whole, later]


def read_alone(floor: dict[str, Any], engine: str) -> str:
    """What reading the same rows costs before any checking (SQLite: measured with the floor),
    against the floor: why the ratio of verify stays where it is."""
    raw = floor.get("raw_reading")
    if engine != "SQLite" or not raw or not floor.get("hashing"):
        return ""
    return (
        f"; reading the same rows with sqlite3 alone (SELECT *, nothing done with them) takes "
        f"{raw:.2f} s, {raw / floor['hashing']:.1f}× the floor, on one core: verify reads "
        "them in two processes and decodes each entry's JSON besides"
    )


def startup_run(db: str) -> tuple[float, float, float]:
    """Launch to the sign-in window shown, to the database open, and the peak memory (MB) of
    the program's process: its own VmHWM, which it prints last. Its rusage is only the
    fallback: Linux carries this (larger) process's peak over the exec into the child's
    ru_maxrss, so rusage said 266 MB for a program that peaked at 125 MB."""
    from bench_startup import OPEN, PEAK, PROBE, SHOWN

    env = dict(os.environ, **{PROBE: "1"})
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "dispensary", "--db", db],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    seen: dict[str, float] = {}
    peak: float | None = None
    for line in process.stdout:
        for prefix in (SHOWN, OPEN):
            if line.startswith(prefix):
                seen[prefix] = time.perf_counter() - started
        if line.startswith(PEAK):
            peak = float(line.split()[-2])
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if len(seen) < 2:
        raise RuntimeError(f"the program did not report its sign-in window ({status})")
    return seen[SHOWN], seen[OPEN], peak if peak is not None else usage.ru_maxrss / 1024


def measure_startup(site: Site, plan: Plan) -> list[Row]:
    with site.copy() as db:
        runs = [startup_run(db) for _ in range(plan.runs + 1)][1:]
    opened = statistics.median(o for _, o, _ in runs)
    return [
        Row(
            "startup",
            site.engine,
            [s for s, _, _ in runs],
            peak_rss_mb=max(m for _, _, m in runs),
            note=f"database open behind it after {duration(opened)} (median)",
        )
    ]


def measure_group(name: str, site: Site, plan: Plan) -> list[Row]:
    """The rows of one measurement on one site; a failure is a row that says it."""
    try:
        if name == "verify":
            return measure_verify(site, plan)
        if name == "startup":
            return measure_startup(site, plan)
        if name == "inventory":
            try:
                import bench_inventory  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
            except ImportError:
                why = "not measured (bench_inventory missing)"
                return [Row(f"inventory_{w}", site.engine, skipped=why) for w in ("open",)]
        runs = min(plan.runs, HEAVY_RUNS) if name == "darf" else plan.runs
        with site.copy() as db:
            found = run_child(name, db, runs, plan.day, timeout=plan.timeout)
            return rows_of(found, site.engine)
    except Unfinished as exc:
        return [Row(name, site.engine, unfinished=str(exc))]
    except Exception as exc:  # the table says which measurement failed, and why
        return [Row(name, site.engine, skipped=f"failed: {exc}")]


def machine(pg_version: str | None) -> dict[str, Any]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg_version,
        "load_average_at_start": round(os.getloadavg()[0], 1),
    }


def postgres_version(url: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar()).split()[0]
    finally:
        engine.dispose()


def measure_all(site: Site, groups: Sequence[str], plan: Plan) -> list[Row]:
    rows = []
    for name in groups:
        started = time.perf_counter()
        found = measure_group(name, site, plan)
        print(f"  {site.engine} {name}: {time.perf_counter() - started:.0f} s", flush=True)
        rows += found
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The site benchmark: one table, both engines.")
    parser.add_argument("--quick", action="store_true", help=f"a small site ({QUICK_SIZE:,})")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--fresh", action="store_true", help="build the site again")
    parser.add_argument("--only", nargs="+", choices=GROUPS, help="only these measurements")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--merge",
        type=Path,
        help="an earlier JSON whose rows not measured here are kept (default: the --out file)",
    )
    parser.add_argument(
        "--new-table", action="store_true", help="keep no earlier row: only this run's"
    )
    parser.add_argument("--out", type=Path, help=f"the JSON (default {DEFAULT_OUT.name})")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_S, help="seconds a measurement may take"
    )
    parser.add_argument("--readme", action="store_true", help="put the table in README.md")
    parser.add_argument("--readme-only", action="store_true", help="README from --out, no run")
    parser.add_argument("--child", choices=[*CHILDREN, "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--day", type=date.fromisoformat, help=argparse.SUPPRESS)
    parser.add_argument("--since", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child_main(args.child, args.db, args.runs, args.day, args.since)
    out: Path = args.out or (
        DEFAULT_OUT.with_name("site-quick.json") if args.quick else DEFAULT_OUT
    )
    if args.readme_only:
        update_readme(json.loads(out.read_text(encoding="utf-8")))
        print(f"README.md's Performance table rewritten from {out}")
        return 0

    import pg_copy
    from bench_verify import code_state

    size = QUICK_SIZE if args.quick else FULL_SIZE
    groups = args.only or list(GROUPS)
    path, counts = site_database(size, args.fresh)
    site_text = (
        f"{counts['ledger_entries']:,} ledger rows, {counts['audit_entries']:,} audit entries, "
        f"{counts['kits']:,} kits, {counts['participants']:,} participants"
    )
    print(f"site: {site_text} ({path.stat().st_size / 1e6:,.0f} MB, {path})", flush=True)
    plan = Plan(max(1, args.runs), _work_day(date.fromisoformat(counts["last day"])))
    plan.timeout = args.timeout
    rows = [] if args.no_sqlite else measure_all(Site(path), groups, plan)
    pg_version = None
    if not args.no_postgres:
        with postgres_server() as url:
            if url is not None:
                pg_version = postgres_version(url)
                name = f"bench_site_{size}"
                started = time.perf_counter()
                pg_url, _copied = pg_copy.copy_site(str(path), url, name)
                took = time.perf_counter() - started
                print(f"PostgreSQL {pg_version}: the site copied in {took:.0f} s", flush=True)
                try:
                    rows += measure_all(PostgresSite(path, url, name), groups, plan)
                finally:
                    pg_copy.drop(url, name)
                del pg_url
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code_state(),
        "machine": machine(pg_version),
        "site": site_text,
        "runs": plan.runs,
        "rows": [r.as_json() for r in rows],
    }
    earlier = merge_source(args.merge, out, args.new_table)
    if earlier is not None:
        merged(results, json.loads(earlier.read_text(encoding="utf-8")))
        print(f"rows not measured in this run kept from {earlier}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print()
    print(format_table(results["rows"]))
    print(f"\nwritten to {out}")
    if args.readme:
        update_readme(results)
        print("README.md's Performance table rewritten")
    return 0 if all(r.judged()[0] is not False for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
