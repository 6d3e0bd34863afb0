"""A realistic study built once through the real services (benchmarks/sample_study.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))

from sample_study import SampleStudy, build_sample_study  # noqa: E402


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleStudy]:
    """24 participants, 7 cycles each, several lots, a void, a corrected return, a count
    adjustment, an excursion in a second store and a destruction (about 4 s to build)."""
    folder = tmp_path_factory.mktemp("sample")
    study = build_sample_study(folder / "sample.sqlite3")
    yield study
    study.ctx.engine.dispose()
