"""[cycle] return_day_doses: the doses of the return day a participant may take before the
visit, a protocol fact with its source (the registry or a protocol section)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.study import parse_study

STUDIES = Path(__file__).parents[2] / "resources" / "studies"
NCT = (STUDIES / "NCT07198672.toml").read_text(encoding="utf-8")
KEYS = 'return_day_doses = 0\nreturn_day_source = "registry"\n'


def test_nct07198672_states_its_evening_start() -> None:
    study = parse_study(NCT, "NCT07198672.toml", new_file=True)
    assert study.cycle.return_day_doses == 0
    rule = next(r for r in study.rules if r.key == "cycle.return_day")
    assert rule.source == "registry"


def test_the_twice_daily_demo_allows_the_morning_dose() -> None:
    text = (STUDIES / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    study = parse_study(text, "DEMO-28D-BID.toml", new_file=True)
    assert study.cycle.return_day_doses == 1
    assert study.rule_title("cycle.return_day", "en") == (
        "Return day: 1 of the day's doses may be taken before the visit"
    )


def test_left_out_the_return_day_is_no_dosing_day() -> None:
    assert KEYS in NCT
    study = parse_study(NCT.replace(KEYS, ""), "old.toml", new_file=True)
    assert study.cycle.return_day_doses == 0
    assert "cycle.return_day" not in {r.key for r in study.rules}


@pytest.mark.parametrize(
    ("keys", "named"),
    [
        ('return_day_doses = 1\nreturn_day_source = "site decision 2026-12"\n', "source"),
        ("return_day_doses = 1\n", "return_day_source"),
        ('return_day_doses = -1\nreturn_day_source = "registry"\n', "return_day_doses"),
        ('return_day_doses = "morning"\nreturn_day_source = "registry"\n', "return_day_doses"),
    ],
)
def test_a_wrong_key_is_refused(keys: str, named: str) -> None:
    with pytest.raises(StudyFileError) as info:
        parse_study(NCT.replace(KEYS, keys), "bad.toml", new_file=True)
    assert named in str(info.value)
