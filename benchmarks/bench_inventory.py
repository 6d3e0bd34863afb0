"""Times the Inventory screen on the full site (issue 15: 35 s to open at 95,000 kits, 12-25 s
per search keystroke, 600-790 MB).

    QT_QPA_PLATFORM=offscreen PYTHONPATH=src:benchmarks .venv/bin/python \\
        benchmarks/bench_inventory.py [--db PATH] [--no-indexes]

Without --db the benchmark site of sitegen.py (1,000,000 ledger rows, ~300,000 kits in three
studies) is used, built if missing (several minutes, once; cached in the temp folder). The
screen is timed on a copy made once beside it; `--no-indexes` drops the indexes migration 0010 adds for the paged inventory, to compare.

Each measurement runs in a fresh process (`measure`), so that its peak memory (VmHWM) is the
screen's alone: the screen opened (built, shown, first page and summary read, painted), each
keystroke of a search typed into it (its rows), the count of the search once typing pauses,
header clicks (sorts), a scroll to the end of the rows read, a kit far down opened by its
number."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

INVENTORY_INDEXES = (
    "ix_kits_study_number",
    "ix_kits_study_product_number",
    "ix_kits_study_status_number",
    "ix_kits_lot_number",
    "ix_kits_shipment_number",
    "ix_lots_number",
    "ix_lots_expiry_product_number",
)
"""The indexes migration 0010 adds for the paged inventory (services/inventory_pages.py)."""

SEARCH = "K0123"
"""Typed a key at a time: a kit number's start, as a user looking for a kit types it."""


def working_copy(source: Path, indexes: bool = True) -> Path:
    """The copy of `source` the screen is timed on (made once per source file and choice)."""
    folder = Path(tempfile.gettempdir()) / "dispensary-bench-inventory"
    folder.mkdir(parents=True, exist_ok=True)
    stat = source.stat()
    suffix = "ix" if indexes else "plain"
    copy = folder / f"{source.stem}-{stat.st_size}-{int(stat.st_mtime)}-{suffix}.sqlite3"
    info = source.with_suffix(".json")
    if copy.exists():
        return copy
    building = copy.with_name(copy.name + ".partial")
    shutil.copyfile(source, building)
    if Path(f"{source}-wal").exists():  # what is committed but not yet in the file
        shutil.copyfile(f"{source}-wal", f"{building}-wal")
    if info.exists():
        shutil.copyfile(info, copy.with_suffix(".json"))
    conn = sqlite3.connect(building)
    try:
        if not indexes:  # to see what the indexes of migration 0010 are worth
            for name in INVENTORY_INDEXES:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # all of it in the file renamed below
    finally:
        conn.close()
    building.rename(copy)
    return copy


def child(path: Path | str, quick: bool = False) -> dict[str, Any]:
    """Runs in the fresh process: the screen timed, and the process's peak memory."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from dispensary.config import Settings
    from dispensary.db.engine import make_engine
    from dispensary.domain.codes import Role
    from dispensary.services.context import Context, FixedClock
    from dispensary.study import default_study_path, load_study
    from dispensary.ui.inventory_view import InventoryScreen
    from dispensary.ui.session import AppSession

    app = QApplication.instance() or QApplication(sys.argv[:1])
    info = None if "://" in str(path) else Path(path).with_suffix(".json")
    clock = FixedClock()
    if info is not None and info.exists():
        last = date.fromisoformat(json.loads(info.read_text())["last day"])
        clock.set_date(last + timedelta(days=1), hour=9)
    ctx = Context(make_engine(str(path)), load_study(default_study_path()), clock, str(path))
    from bench_verify import active_actor

    actor = active_actor(ctx, Role.PHARMACIST)  # account 0 is refused: reads check the account
    figures: dict[str, Any] = {"database": str(path), "rss before MB": _rss("VmRSS")}

    def timed(what: str, step: Callable[[], object]) -> float:
        started, cpu = time.perf_counter(), time.process_time()
        step()
        app.processEvents()  # laid out and painted
        figures[what] = round((time.perf_counter() - started) * 1000, 1)
        # The processor time too: on a machine shared with other work the wall clock waits.
        figures[what.replace(" ms", " cpu ms")] = round((time.process_time() - cpu) * 1000, 1)
        return float(figures[what])

    screen: Any = None

    def open_screen() -> None:
        nonlocal screen
        screen = InventoryScreen(AppSession(ctx, actor, Settings()))
        screen.resize(1280, 800)
        screen.show()
        screen.refresh()

    timed("open ms", open_screen)
    figures["rows read"] = screen.model.rowCount()
    figures["summary"] = screen.summary.text()
    keys = [
        timed(f"keystroke {i + 1} ms", lambda k=k: QTest.keyClicks(screen.search, k))
        for i, k in enumerate(SEARCH[:1] if quick else SEARCH)
    ]
    # A search is counted once typing pauses (inventory_view.COUNT_AFTER_TYPING_MS): the time
    # from the last keystroke to the count on screen, that pause included.
    started, cpu = time.perf_counter(), time.process_time()
    while getattr(screen, "counting", False):
        QTest.qWait(2)
    app.processEvents()
    figures["search counted after the last key ms"] = round(
        (time.perf_counter() - started) * 1000, 1
    )
    figures["search counted cpu ms"] = round((time.process_time() - cpu) * 1000, 1)
    figures["search summary"] = screen.summary.text()
    timed("search cleared ms", screen.search.clear)
    sorts = [
        timed(f"sort {name} ms", lambda c=c, o=o: screen.table.sortByColumn(c, o))
        for name, c, o in (
            ("kit", 0, Qt.SortOrder.AscendingOrder),
            ("kit descending", 0, Qt.SortOrder.DescendingOrder),
            ("lot", 2, Qt.SortOrder.AscendingOrder),
            ("status", 4, Qt.SortOrder.AscendingOrder),
            ("shipment", 7, Qt.SortOrder.AscendingOrder),
            ("expiry", 3, Qt.SortOrder.AscendingOrder),
        )[: 1 if quick else None]
    ]
    bar = screen.table.verticalScrollBar()
    timed("scroll to the end ms", lambda: bar.setValue(bar.maximum()))
    figures["rows read after scrolling"] = screen.model.rowCount()
    far = (
        ctx.engine.connect()
        .exec_driver_sql("SELECT number FROM kits ORDER BY number LIMIT 1 OFFSET 200000")
        .scalar()
    )
    if far and not quick:
        timed("open a kit far down ms", lambda: screen.open_kit(str(far)))
        figures["kit far down selected"] = [k.number for k in screen.selected()] == [far]
    figures["keystroke worst ms"] = max(keys)
    figures["sort worst ms"] = max(sorts)
    figures["peak RSS MB"] = _rss("VmHWM")
    screen.close()
    return figures


def _rss(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(
    path: Path | str,
    indexes: bool = True,
    source: Path | None = None,
    quick: bool = False,
    keep: bool = True,
) -> dict[str, Any]:
    """The figures of the screen on the database at `path` (a working copy is made and used),
    measured in a fresh process. `source`: the `src` folder of the program timed (another
    checkout's, for a before-and-after), this one's by default; `quick`: one keystroke and
    one sort only (the screen before issue 15 takes many seconds over each); `keep=False`:
    the working copy is removed afterwards (a copy of a throwaway file, as benchmarks/run
    gives, is never used again: each left 1.5 GB in the temp folder). A PostgreSQL URL is
    measured as it is (no working copy: benchmarks/run gives a throwaway database; the
    screen only reads), with all its indexes."""
    if "://" in str(path):
        if not indexes:
            raise ValueError("--no-indexes drops indexes from a SQLite working copy only")
        return _measure_copy(str(path), indexes, source, quick)
    copy = working_copy(Path(path), indexes)
    try:
        return _measure_copy(copy, indexes, source, quick)
    finally:
        if not keep:
            for leftover in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
                leftover.unlink(missing_ok=True)
            copy.with_suffix(".json").unlink(missing_ok=True)


def _measure_copy(
    copy: Path | str, indexes: bool, source: Path | None, quick: bool
) -> dict[str, Any]:
    here = Path(__file__).resolve().parent
    src = source or here.parent / "src"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=f"{src}{os.pathsep}{here}")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", str(copy)]
        + (["--quick"] if quick else []),
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the timed process failed:\n{done.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["indexes added"] = indexes
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description="Time the Inventory screen on ~300,000 kits.")
    parser.add_argument(
        "--db", help="a database file or PostgreSQL URL (default: sitegen's full site, built)"
    )
    parser.add_argument(
        "--no-indexes", action="store_true", help="time without the inventory indexes"
    )
    parser.add_argument("--source", type=Path, help="the src folder of the program to time")
    parser.add_argument("--quick", action="store_true", help="one keystroke and one sort")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a file's path or a URL
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.quick)))
        return 0
    path = args.db
    if path is None:
        import sitegen

        path, counts = sitegen.database(1_000_000, False, None)
        print(f"database {path}: {counts.get('kits')} kits")
    figures = measure(path, not args.no_indexes, args.source, args.quick)
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
