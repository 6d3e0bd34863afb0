"""`dispensary demo` adds its studies as `study add` does, but without the check that each
study's dispensing label fits its default stock (labels.dispensing.check_study_label_fits):
a study file of the demo whose label does not fit is refused before anything is built."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import Cli

from dispensary.services import demo
from dispensary.study import bundled_studies


def test_the_demo_refuses_a_study_whose_label_does_not_fit_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DEMO-28D-BID's directions made too long for its stock: the demo was built, and its
    labels refused only at print time."""
    folder = tmp_path / "studies"
    shutil.copytree(bundled_studies(), folder)
    path = folder / "DEMO-28D-BID.toml"
    text = path.read_text(encoding="utf-8")
    start = 'directions = "Take {tablets} by mouth {frequency}, with food, '
    assert text.count(start) == 1
    long = start + "with a full glass of water, never with grapefruit juice or antacids, " * 5
    path.write_text(text.replace(start, long), encoding="utf-8")
    monkeypatch.setattr(demo, "STUDIES_FOLDER", folder)
    home = tmp_path / "home"
    home.mkdir()
    database = tmp_path / "demo.sqlite3"
    built = Cli(str(database), home)("demo", "--db", str(database), user=None)
    assert built.code == 3, (built.code, built.err)
    said = " ".join(built.err.split())
    assert "Study DEMO-28D-BID, its default stock checked with a sample dispense in" in said, said
    assert "Name a larger stock in the study file's [label] default_stock" in said, said
    assert not database.exists()  # nothing built
