"""A [cycle] whose numbers contradict each other, so that no cycle given on time could pass, is
refused at load naming the file, the line, the key and both values: a minimum interval between
day 1s longer than the cycle, a drug taken after the days of supply. An overage (more days of
supply than the cycle is long) is not a contradiction and loads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.i18n import Language, reset_language, set_language
from dispensary.study import bundled_studies, parse_study

CAPSULES = (Path(__file__).parents[1] / "fixtures" / "ZX-201.toml").read_text(encoding="utf-8")
"""28-day cycles, 28 days of supply, the next cycle from 25 days after the previous day 1."""
TWO_DRUGS = (bundled_studies() / "DEMO-2DRUG.toml").read_text(encoding="utf-8")
"""21 days of supply; democapib on days 1-14 of each cycle."""
DEMOCAPIB_DAYS = "tablets_per_dose = 1, doses_per_day = 2, days = [1, 14]"


def edited(text: str, old: str, new: str) -> str:
    """`text` with one exact fragment replaced (it must stand there once)."""
    assert text.count(old) == 1, f"{old!r} is not in the study file once"
    return text.replace(old, new)


def refusal(text: str, origin: str) -> str:
    with pytest.raises(StudyFileError) as info:
        parse_study(text, origin)
    return info.value.message


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_a_minimum_interval_longer_than_the_cycle_is_refused() -> None:
    """Loaded, the next cycle due 28 days after day 1 was always "too soon" (a warning to
    override until the rule was confirmed, then a refusal): every on-time dispense failed."""
    text = edited(
        CAPSULES, "min_days_since_previous_day1 = 25", "min_days_since_previous_day1 = 30"
    )
    message = refusal(text, "zx.toml")
    line = line_of(text, "min_days_since_previous_day1 = 30")
    assert f"Study file zx.toml, line {line}: key 'cycle.min_days_since_previous_day1'" in message
    assert "is 30 days, more than cycle.length_days (28 days)" in message
    assert "could never be dispensed on time" in message


def test_a_minimum_interval_of_the_whole_cycle_loads() -> None:
    """Equal to the cycle's length: the next cycle is dispensed on its due day, never earlier."""
    text = edited(
        CAPSULES, "min_days_since_previous_day1 = 25", "min_days_since_previous_day1 = 28"
    )
    assert parse_study(text, "zx.toml").cycle.min_days_since_previous_day1 == 28


def test_more_days_of_supply_than_the_cycle_is_long_loads() -> None:
    """An overage (a late visit's days covered) is a supply some protocols prescribe, and the
    next cycle is still dispensed on time: not refused."""
    text = edited(CAPSULES, "days_of_supply = 28", "days_of_supply = 31")
    cycle = parse_study(text, "zx.toml").cycle
    assert (cycle.length_days, cycle.days_of_supply) == (28, 31)


def test_a_drug_taken_after_the_days_of_supply_is_refused() -> None:
    """Loaded, democapib's label directed it until day 22 while a dispense supplied 21 days."""
    text = edited(TWO_DRUGS, DEMOCAPIB_DAYS, DEMOCAPIB_DAYS.replace("[1, 14]", "[1, 22]"))
    message = refusal(text, "two.toml")
    line = line_of(text, "days = [1, 22]")
    assert f"Study file two.toml, line {line}: key 'dose_levels[0].components[0].days'" in message
    assert "takes product 'democapib-100mg' until day 22 of the cycle" in message
    assert "cycle.days_of_supply is 21" in message


def test_a_drug_taken_until_the_last_day_of_supply_loads() -> None:
    text = edited(TWO_DRUGS, DEMOCAPIB_DAYS, DEMOCAPIB_DAYS.replace("[1, 14]", "[8, 21]"))
    assert parse_study(text, "two.toml").dose_level(0).components[0].last_day == 21


@pytest.mark.parametrize(
    ("text", "english"),
    [
        (
            edited(
                CAPSULES, "min_days_since_previous_day1 = 25", "min_days_since_previous_day1 = 30"
            ),
            "more than cycle.length_days",
        ),
        (
            edited(TWO_DRUGS, DEMOCAPIB_DAYS, DEMOCAPIB_DAYS.replace("[1, 14]", "[1, 22]")),
            "until day 22 of the cycle",
        ),
    ],
)
def test_the_contradiction_reads_in_chinese(text: str, english: str) -> None:
    """Only the file's own words (keys, values, product codes) stay as written."""
    assert english in refusal(text, "x.toml")
    token = set_language(Language.ZH_CN)
    try:
        message = refusal(text, "x.toml")
    finally:
        reset_language(token)
    assert english not in message, message
    # The key itself ends in "days": the sentence's own words are looked for.
    assert not re.search(r"\b(more|than|takes|until|never|could|supplies)\b", message), message
