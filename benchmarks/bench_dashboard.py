"""Times the Today screen's figures and how long a refresh holds the UI thread.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_dashboard.py \
        [--participants 60] [--cycles 17] [--db PATH] [--runs 3] [--existing PATH]

`--existing PATH`: the worker's read alone on a database made already (bench_verify.py's
million-row file in the temp folder): the first read, then a refresh with nothing new.

The study is built through the real services (sample_study.py). Then, best of `--runs`:
- the dashboard service (what the worker thread runs): the whole read, and its two slow parts
  alone (the reconciliation, the audit-chain verification);
- the Today screen's `refresh()` as a dispense triggers it: how long the call takes before it
  returns to the event loop, and the longest the event loop then goes without running a 5 ms
  timer until the new figures are shown (the UI thread's longest stall).
Before the worker, the refresh ran the whole read on the UI thread (the issue measured an 11 s
freeze at 10,000 ledger rows); the figure to watch is the stall, which should stay near the
timer's period whatever the size of the ledger.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QApplication
from sample_study import build_sample_study
from sqlalchemy import func, select

from dispensary.config import Settings
from dispensary.db.engine import make_engine, read_transaction
from dispensary.db.models import AuditEntry, LedgerEntry
from dispensary.services import dashboard as dashboard_service
from dispensary.services.audit import verify_session
from dispensary.services.reconciliation import reconcile_session
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.session import AppSession

TICK_MS = 5


class Stall:
    """The longest the event loop goes without running a TICK_MS timer."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.last = 0
        self.longest = 0

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def tick(self) -> None:
        now = self.clock.elapsed()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def stop(self) -> int:
        self.timer.stop()
        return self.longest


def existing(path: Path, runs: int) -> int:
    """The Today screen's read on a database made already (bench_verify.py's million rows,
    or a site's copy): the first read (the whole trail verified, the full reconciliation),
    then refreshes with nothing new (the incremental check from the first read's point)."""
    from datetime import date, timedelta

    from dispensary.domain.codes import Role
    from dispensary.services.context import Context, FixedClock
    from dispensary.services.verification import verify_since
    from dispensary.study import default_study_path, load_study

    info = path.with_suffix(".json")
    clock = FixedClock()
    if info.exists():  # bench_verify.py's: the day after its years of work
        last = json.loads(info.read_text())["last day"]
        clock.set_date(date.fromisoformat(last) + timedelta(days=1), hour=8)
    ctx = Context(make_engine(str(path)), load_study(default_study_path()), clock, str(path))
    from bench_verify import active_actor

    actor = active_actor(ctx, Role.MONITOR)  # account 0 is refused: reads check the account
    started = time.perf_counter()
    first = dashboard_service.dashboard(ctx, actor)
    print(
        f"first read (whole trail verified, full reconciliation): "
        f"{time.perf_counter() - started:.1f} s, verified={first.verification.ok}"
    )
    point = first.verification.point
    times, checks = [], []
    for _ in range(max(1, runs)):
        started = time.perf_counter()
        with read_transaction(ctx.engine) as session:
            verify_since(session, point)  # type: ignore[arg-type]
        checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        dashboard_service.dashboard(ctx, actor, since=point)
        times.append(time.perf_counter() - started)
    print(f"incremental verification, nothing new: {min(checks) * 1000:.0f} ms (best)")
    print(f"Today refresh (the worker's read), nothing new: {min(times) * 1000:.0f} ms (best)")
    ctx.engine.dispose()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description="Time the Today screen on a busy study.")
    parser.add_argument("--participants", type=int, default=60)
    parser.add_argument("--cycles", type=int, default=17)
    parser.add_argument("--db", type=Path, help="an existing database, or where to build it")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--existing", type=Path, help="measure the read on this database")
    args = parser.parse_args()
    if args.existing:
        return existing(args.existing, args.runs)
    app = QApplication.instance() or QApplication(sys.argv[:1])

    with tempfile.TemporaryDirectory(prefix="dispensary-bench-") as folder:
        path = args.db or Path(folder) / "busy.sqlite3"
        started = time.perf_counter()
        sample = build_sample_study(path, participants_count=args.participants, cycles=args.cycles)
        ctx, actor = sample.ctx, sample.pharmacist
        with read_transaction(ctx.engine) as session:
            ledger = session.scalar(select(func.count()).select_from(LedgerEntry)) or 0
            audit = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        print(
            f"set-up: {sample.dispenses} dispenses, {ledger:,} ledger rows, {audit:,} audit "
            f"entries in {time.perf_counter() - started:.1f} s"
        )

        def best(what: str, run: object) -> float:
            times = []
            for _ in range(max(1, args.runs)):
                started = time.perf_counter()
                run()  # type: ignore[operator]
                times.append(time.perf_counter() - started)
            print(f"{what}: {min(times):.2f} s (best of {len(times)})")
            return min(times)

        def reconcile_only() -> None:
            with read_transaction(ctx.engine) as session:
                reconcile_session(session, ctx)

        def verify_only() -> None:
            with read_transaction(ctx.engine) as session:
                verify_session(session)

        best(
            "dashboard service, whole (the worker's read)",
            lambda: dashboard_service.dashboard(ctx, actor),
        )
        best("  of which the reconciliation (with its verification)", reconcile_only)
        best("  of which the audit-chain verification", verify_only)

        screen = DashboardScreen(AppSession(ctx, actor, Settings()))
        screen.show()
        returns, stalls, shown = [], [], []
        for _ in range(max(1, args.runs)):
            stall = Stall()
            started = time.perf_counter()
            screen.refresh()
            returns.append(time.perf_counter() - started)
            stall.start()
            while screen.checking:
                app.processEvents()
                time.sleep(0.001)
            app.processEvents()
            shown.append(time.perf_counter() - started)
            stalls.append(stall.stop())
        print(f"Today screen refresh() returned after {min(returns) * 1000:.1f} ms (best)")
        print(f"longest UI-thread stall while the worker read: {max(stalls)} ms (worst of runs)")
        print(f"new figures shown after {min(shown):.2f} s (best)")
        screen.close()
        ctx.engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
