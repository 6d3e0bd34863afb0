"""The sign-offs' look-up of the records written after them that change what they attested
(services.reconciliation.signoff_rows), timed on a copy of the benchmark site.

    python benchmarks/bench_signoffs.py SITE.sqlite3 [--runs N] [--keep DIR]

SITE is copied first (the cached site is never written). On the copy the migrations are run to
the head of the code imported (PYTHONPATH says which: run it once with the code before a change
and once after), then, per study, sign-offs are written straight into reconciliation_signoffs
in one of two histories, and a few records are recorded late (copies of existing returns,
dispenses and destructions written after a sign-off, dated before it, and a correction of a
return), so that the look-up finds something:

- recent: one sign-off per study, 14 days before the site's last day;
- monthly: a sign-off per study every 30 days from the site's first half-year on.

Each history (`--history`, both by default) is timed with `--runs` calls of signoff_rows per study after one warm-up
(median and slowest in ms; a call taking over `--limit` seconds is interrupted), and the records each sign-off lists are printed in short (their
number), so that two runs can be compared.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

LATE_PER_TABLE = 20
"""Records of each kind recorded late in each history (a site's paper records entered after)."""


def _sign_offs(conn: Any, history: str, last: date, first: date) -> None:
    studies = [row[0] for row in conn.exec_driver_sql("SELECT id FROM study ORDER BY id")]
    user = conn.exec_driver_sql("SELECT id FROM users ORDER BY id LIMIT 1").scalar()
    if history == "recent":
        days = [last - timedelta(days=14)]
    else:
        days = []
        day = first + timedelta(days=180)
        while day < last:
            days.append(day)
            day += timedelta(days=30)
    for day in days:
        at = datetime(day.year, day.month, day.day, 17, 0, tzinfo=UTC)
        for study in studies:
            conn.exec_driver_sql(
                "INSERT INTO reconciliation_signoffs (user_id, role, summary, note, at, study_id)"
                " VALUES (?, 'pharmacist', '{}', '', ?, ?)",
                (user, at.replace(tzinfo=None).isoformat(sep=" "), study),
            )


def _late_records(conn: Any, last: date) -> None:
    """Copies of existing records, written after the last sign-off but one (the day before the
    site's last day, at noon) and dated a week before it; and a correction of a return."""
    written = datetime(last.year, last.month, last.day, 12, 0) - timedelta(days=1)
    dated = (last - timedelta(days=21)).isoformat()
    stamp = written.isoformat(sep=" ")
    conn.exec_driver_sql(
        "INSERT INTO returns (dispense_id, kit_id, tablets, returned_on, held_days, condition,"
        " note, flag_reason, counted_by_id, corrects_id, created_at, outcome, held_from,"
        " held_until, held_ordered_by) SELECT dispense_id, kit_id, tablets, ?, held_days,"
        " condition, note, flag_reason, counted_by_id, NULL, ?, outcome, held_from, held_until,"
        " held_ordered_by FROM returns ORDER BY id DESC LIMIT ?",
        (dated, stamp, LATE_PER_TABLE),
    )
    conn.exec_driver_sql(
        "INSERT INTO returns (dispense_id, kit_id, tablets, returned_on, held_days, condition,"
        " note, flag_reason, counted_by_id, corrects_id, created_at, outcome, held_from,"
        " held_until, held_ordered_by) SELECT dispense_id, kit_id, tablets, returned_on,"
        " held_days, condition, note, flag_reason, counted_by_id, id, ?, outcome, held_from,"
        " held_until, held_ordered_by FROM returns WHERE created_at < ? ORDER BY id DESC LIMIT 1",
        (stamp, (written - timedelta(days=30)).isoformat(sep=" ")),
    )
    conn.exec_driver_sql(
        "INSERT INTO dispenses (number, participant_id, cycle, attempt, day1, dose_level,"
        " dispensed_on, days_supply, tablets, dispensed_by_id, checked_by_id, dose_ordered_by,"
        " platelet_count, warning_override, created_at) SELECT 'LATE-' || id, participant_id,"
        " cycle, attempt + 100, day1, dose_level, ?, days_supply, tablets, dispensed_by_id,"
        " checked_by_id, dose_ordered_by, platelet_count, warning_override, ? FROM dispenses"
        " ORDER BY id DESC LIMIT ?",
        (dated, stamp, LATE_PER_TABLE),
    )
    conn.exec_driver_sql(
        "INSERT INTO destructions (destroyed_on, method, witness, reference, to_sponsor, kits,"
        " user_id, created_at, witness_id, reason_code) SELECT ?, method, witness, reference,"
        " to_sponsor, kits, user_id, ?, witness_id, reason_code FROM destructions"
        " ORDER BY id DESC LIMIT 3",
        (dated, stamp),
    )


def _time(ctx: Any, runs: int, limit: float) -> tuple[list[float], list[str]]:
    """The times of signoff_rows per study (after a warm-up), and what it listed. A call still
    running after `limit` seconds is interrupted (sqlite3's interrupt) and counted as `limit`,
    and the study's other runs are not made."""
    import sqlite3

    from sqlalchemy import text

    from dispensary.db.engine import read_transaction
    from dispensary.services import reconciliation

    with read_transaction(ctx.engine) as session:
        studies = [row[0] for row in session.execute(text("SELECT id FROM study ORDER BY id"))]
    times: list[float] = []
    said: list[str] = []
    for study in studies:
        rows: tuple[Any, ...] = ()
        for run in range(runs + 1):
            with read_transaction(ctx.engine) as session:
                raw = session.connection().connection.driver_connection
                timer = threading.Timer(limit, raw.interrupt)
                timer.start()
                started = time.perf_counter()
                try:
                    rows = reconciliation.signoff_rows(session, study, ctx.study, ctx.clock)
                except Exception as exc:  # sqlite3.OperationalError: interrupted
                    if not isinstance(getattr(exc, "orig", exc), sqlite3.OperationalError):
                        raise
                    said.append(f"study {study}: interrupted after {limit:.0f} s")
                    times.append(limit)
                    break
                finally:
                    timer.cancel()
                took = time.perf_counter() - started
            if run:
                times.append(took)
        said.extend(
            f"study {study} sign-off {row.at:%Y-%m-%d}: {len(row.changed_since)} records"
            f" ({', '.join(sorted(row.changed_since)[:2])}...)"
            for row in rows
            if row.changed_since
        )
    return times, said


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", type=Path, help="folder for the copies (default: a temp one)")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds a call may take")
    parser.add_argument("--history", choices=("recent", "monthly"), action="append")
    args = parser.parse_args()

    from dispensary.db import migrate
    from dispensary.db.engine import make_engine, writing
    from dispensary.services.context import Context, FixedClock
    from dispensary.study import default_study_path, load_study

    folder = Path(tempfile.mkdtemp(dir=args.keep))
    try:
        for history in args.history or ("recent", "monthly"):
            copy = folder / f"{history}.sqlite3"
            shutil.copyfile(args.site, copy)
            engine = make_engine(str(copy))
            started = time.perf_counter()
            migrate.upgrade(engine)
            upgraded = time.perf_counter() - started
            with writing(engine).begin() as conn:
                first, last = (
                    date.fromisoformat(day)
                    for day in conn.exec_driver_sql(
                        "SELECT min(dispensed_on), max(dispensed_on) FROM dispenses"
                    ).one()
                )
                _sign_offs(conn, history, last, first)
                _late_records(conn, last)
                signoffs = conn.exec_driver_sql(
                    "SELECT count(*) FROM reconciliation_signoffs"
                ).scalar()
            clock = FixedClock()
            clock.set_date(last + timedelta(days=1), hour=8)
            ctx = Context(engine, load_study(default_study_path()), clock, str(copy))
            times, said = _time(ctx, args.runs, args.limit)
            ms = [t * 1000 for t in times]
            print(
                f"{history}: {signoffs} sign-offs, head {migrate.current_revision(engine)}"
                f" (upgrade {upgraded:.1f} s); signoff_rows per study: median"
                f" {statistics.median(ms):.2f} ms, slowest {max(ms):.2f} ms ({len(ms)} calls)"
            )
            for line in said:
                print("   ", line)
            engine.dispose()
            copy.unlink()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
