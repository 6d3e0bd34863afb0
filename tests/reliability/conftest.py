"""Fixtures of the reliability suite: a figures board printed at the end of the run, and sites
(databases with stock, participants and staff) built for the crash and contention runs.

The figures (kills survived, attempts, bad inputs tried, tampering cases caught) are printed in
the terminal summary; with DISPENSARY_RELIABILITY_FIGURES=path they are also written there as
JSON, which benchmarks/reliability_soak.py turns into the README's table.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

FIGURES_ENV = "DISPENSARY_RELIABILITY_FIGURES"


class Figures:
    """Counters that tests add to; one board for the whole session."""

    def __init__(self) -> None:
        self.values: Counter[str] = Counter()

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] += amount


_BOARD = Figures()


@pytest.fixture(scope="session")
def figures() -> Iterator[Figures]:
    yield _BOARD


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _BOARD.values:
        return
    terminalreporter.section("reliability figures")
    for name, value in sorted(_BOARD.values.items()):
        terminalreporter.write_line(f"{name:<54} {value:>9,}")
    target = os.environ.get(FIGURES_ENV)
    if target:
        Path(target).write_text(json.dumps(dict(sorted(_BOARD.values.items())), indent=2) + "\n")
