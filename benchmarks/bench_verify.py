"""Times `audit verify` on the database of a busy investigational drug service after years.

    .venv/bin/python benchmarks/bench_verify.py [--rows 1000000] [--quick] [--fresh]
        [--profile] [--db PATH] [--out benchmarks/results/verify.json]

Issue 11's goal: verifying 1,000,000 ledger rows and 1,000,000 audit entries takes at most 3x
the time of hashing the same bytes with hashlib in a plain loop, in under 300 MB resident.

The database: benchmarks/sitegen.py's three-study pharmacy after years of work, made by the
program (migrations, the studies, the staff accounts, through the real services), then the
years written straight into it in big batches exactly as the services would write them (a test
builds a small site both ways and finds every table equal). Going through the services would
take hours; this takes a few minutes, and the file is kept in the temp folder by size (--fresh
builds it again). `--quick` is a 1/50 run (20,000 of each).

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
in the chains, non-ASCII characters; a float not whole) is read and encoded in Python before
anything is said. A database file of 200,000 rows or more is verified by a quick pass in two
processes: a second one (services/verification_jobs.py, standard library only) checks both
chains' links and hashes and digests each fact table's (id, hash) listing, while the main one
walks the audit entries' listed facts and ledger rows and rebuilds the kits' status. The quick
pass can only say that everything verifies: at the first difference it hands over to the
row-by-row walk, which names each problem. What stays above the floor is SQLite's own work
(reading 1.4 GB of pages and writing the text: about as long as `SELECT *` with sqlite3 alone,
3-4x the floor, now split between two cores) and the decoding of each entry's JSON in Python.
The figures say how far that is from the 3x goal.
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
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, select

from dispensary.db import facts
from dispensary.db.engine import make_engine, read_transaction
from dispensary.db.models import Base, StudyRecord, User
from dispensary.domain.codes import Role
from dispensary.services import audit
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import VerifyResult
from dispensary.study import default_study_path, load_study

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
TABLES: dict[str, Table] = {t.name: t for t in Base.metadata.sorted_tables}
NAMES: dict[str, list[str]] = {name: [c.name for c in t.columns] for name, t in TABLES.items()}
RATIO_GOAL = 3.0
RSS_GOAL_MB = 300
FULL_ROWS = 1_000_000
QUICK_DIVISOR = 50
NEW_STEPS = 100


def database(rows: int, fresh: bool, given: Path | None) -> tuple[Path, dict[str, Any]]:
    """The generated database (benchmarks/sitegen.py, built if missing), and what it holds.
    Imported here only: the verify process imports what `audit verify` needs, nothing more."""
    import sitegen

    return sitegen.database(rows, fresh, given)


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


def monitor_of(ctx: Context) -> Actor:
    """The site's first active monitor, as a signed-in session holds it: a read is judged by the
    account as the database holds it (services.permissions.judge_now), so an id no account has
    is refused. Not signed in: a sign-in would add an audit entry to the chain timed."""
    return active_actor(ctx, Role.MONITOR)


def active_actor(ctx: Context, role: Role) -> Actor:
    """The site's first active account of `role`, with every study (see monitor_of)."""
    with read_transaction(ctx.engine) as session:
        row = session.execute(
            select(User.id, User.username, User.full_name, User.initials)
            .where(User.role == role.value, User.active.is_(True))
            .order_by(User.id)
            .limit(1)
        ).first()
        studies = frozenset(int(i) for i in session.scalars(select(StudyRecord.id)))
    if row is None:
        raise RuntimeError(f"the site has no active {role.value} to act as")
    return Actor(int(row[0]), str(row[1]), str(row[2]), str(row[3]), role, studies=studies)


def child(path: Path, profile: bool, since: str | None) -> int:
    """Runs in the fresh process: one `audit verify` (services.audit.verify, as the command
    calls it), timed, and the process's peak memory."""
    ctx = Context(make_engine(str(path)), load_study(default_study_path()), FixedClock(), str(path))
    monitor = monitor_of(ctx)
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
    from sitegen import INVESTIGATOR, PASSWORD

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
        participants.enroll(
            ctx,
            pharmacist,
            study_number,
            "ZZ",
            1970,
            "F",
            INVESTIGATOR,
            day,
            criteria_confirmed=participants.eligibility_checklist(ctx.study),
        )
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
        from sitegen import services_for_bench

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
