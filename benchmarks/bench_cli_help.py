"""Time of `dispensary --help` (and of a few other command lines that only parse), as a user runs it.

Runs each command line a few times in a fresh process (the installed `dispensary` script, else
`python -m dispensary.cli`) and prints the median and worst wall-clock time, with the number of
modules `main()` imported for it and whether SQLAlchemy, the database layer, the services,
reportlab or Qt were among them (none should be: they load when a command runs). `label --help`
still loads the services (the label catalogue imports them): it is printed for comparison, not
held to the target.

    .venv/bin/python benchmarks/bench_cli_help.py [--runs 7] [--target 0.3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = Path(sys.executable).parent / "dispensary"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "dispensary.cli"]
LINES = [
    ["--help"],
    ["dispense", "--help"],
    ["user", "--help"],
    ["report", "--help"],
    ["report", "darf", "--help"],
    ["--lang", "zh_CN", "report", "--help"],
    ["label", "--help"],
]
HEAVY = ("sqlalchemy", "alembic", "dispensary.db", "dispensary.services", "reportlab", "PySide6")
PROBE = """\
import contextlib, io, json, sys
from dispensary.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(json.loads(sys.argv[1]))
print(json.dumps(sorted(sys.modules)))
"""


def wall_time(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([*COMMAND, *argv], capture_output=True, check=True, timeout=60)
    return time.perf_counter() - started


def modules(argv: list[str]) -> list[str]:
    probe = [sys.executable, "-c", PROBE, json.dumps(argv)]
    found: list[str] = json.loads(subprocess.run(probe, capture_output=True, check=True).stdout)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--target", type=float, default=0.3, help="seconds, for --help")
    args = parser.parse_args(argv)
    median_help = 0.0
    for line in LINES:
        wall_time(line)  # the first run warms the disk cache
        times = [wall_time(line) for _ in range(max(1, args.runs))]
        loaded = modules(line)
        heavy = sorted({h for h in HEAVY for m in loaded if m == h or m.startswith(f"{h}.")})
        median = statistics.median(times)
        if line == ["--help"]:
            median_help = median
        print(
            f"dispensary {' '.join(line):<28} median {median:.3f} s, worst {max(times):.3f} s; "
            f"{len(loaded)} modules" + (f", with {', '.join(heavy)}" if heavy else "")
        )
    met = median_help < args.target
    print(f"--help target < {args.target} s: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
