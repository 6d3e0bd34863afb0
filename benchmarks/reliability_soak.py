"""The reliability soak: runs tests/reliability with its long versions and gathers the figures
(kills survived, concurrent attempts, bad inputs tried, tampering cases caught) for the README.

    .venv/bin/python benchmarks/reliability_soak.py [--out benchmarks/results/reliability.json]

Everything runs on SQLite; with DISPENSARY_TEST_DB set to a PostgreSQL URL (as
scripts/pg_cluster.sh prints) the two-workstation runs are repeated on that server. Prints the
figures as a Markdown table and writes them, with the run's date and durations, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES_ENV = "DISPENSARY_RELIABILITY_FIGURES"
PG_ENV = "DISPENSARY_TEST_DB"


def run_pytest(targets: list[str], postgres: str | None) -> tuple[dict[str, int], float]:
    """One pytest run with every reliability test, long versions included."""
    with tempfile.TemporaryDirectory() as folder:
        figures = Path(folder) / "figures.json"
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        env[FIGURES_ENV] = str(figures)
        env.pop(PG_ENV, None)
        if postgres:
            env[PG_ENV] = postgres
        started = time.monotonic()
        command = [sys.executable, "-m", "pytest", *targets, "-m", "soak or not soak", "-q"]
        done = subprocess.run(command, cwd=ROOT, env=env, check=False)
        took = time.monotonic() - started
        if done.returncode != 0:
            raise SystemExit(f"pytest failed (exit {done.returncode}): the figures are not valid")
        values: dict[str, int] = json.loads(figures.read_text()) if figures.exists() else {}
    return values, took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/reliability.json")
    args = parser.parse_args(argv)
    figures, took = run_pytest(["tests/reliability"], None)
    durations = {"sqlite, all reliability tests with soak": round(took)}
    server = os.environ.get(PG_ENV)
    if server:
        on_server, took = run_pytest(["tests/reliability/test_workstations.py"], server)
        figures.update({k: v for k, v in on_server.items() if "postgresql" in k})
        durations["postgresql, workstation tests with soak"] = round(took)
    report = {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "cores": os.cpu_count(),
        "seconds": durations,
        "figures": dict(sorted(figures.items())),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print("\n| figure | count |\n| --- | ---: |")
    for name, value in sorted(figures.items()):
        print(f"| {name} | {value:,} |")
    print(f"\nwritten to {args.out}; durations (s): {durations}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
