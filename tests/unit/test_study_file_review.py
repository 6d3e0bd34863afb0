"""The study-file checks a review of many studies asked for: a dose level of two strengths
checked by its total, no placeholder in a text printed as written, directions that name the
product where a level has several, a misspelling hinted only where a near key stands, the day-1
window and the eligibility as study rules with their source, and the schedule's changes named.
The capsule study (tests/fixtures/RV-CAPS.toml) starts at 100 mg + 25 mg twice daily."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.domain.rules import DAY1_NEAR_DAYS
from dispensary.study import (
    bundled_studies,
    default_study_path,
    load_study,
    parse_study,
    rule_digest,
    schedule_changes,
)

CAPS = (Path(__file__).parents[1] / "fixtures" / "RV-CAPS.toml").read_text(encoding="utf-8")
BUNDLED = default_study_path().read_text(encoding="utf-8")


def edited(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def refusal(text: str) -> str:
    with pytest.raises(StudyFileError) as info:
        parse_study(text, "test.toml", new_file=True)
    return info.value.message


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_capsule_study_and_every_shipped_study_load() -> None:
    assert parse_study(CAPS, "caps.toml", new_file=True).protocol == "RV-CAPS-01"
    for path in sorted(bundled_studies().glob("*.toml")):
        assert load_study(path).protocol == path.stem


# A dose level of two strengths of one drug: its total is checked as one strength's is.


def test_a_level_of_two_strengths_is_checked_by_their_sum() -> None:
    wrong = edited(CAPS, 'name = "125 mg twice daily"', 'name = "150 mg twice daily"')
    said = refusal(wrong)
    assert f"line {line_of(wrong, '150 mg twice daily')}" in said, said
    assert "dose_levels[0].name" in said
    assert (
        "says 150 mg, but its components give 1 × 100 mg + 1 × 25 mg per dose, 125 mg in all"
        in (said)
    )
    assert "(250 mg a day)" in said
    chinese = edited(CAPS, '"0" = "125 mg，每日两次"', '"0" = "150 mg，每日两次"')
    assert "label.text.zh_CN.dose_levels.0" in refusal(chinese)
    # Its day's amount is a name the label may give too.
    daily = edited(CAPS, 'name = "125 mg twice daily"', 'name = "250 mg a day"')
    assert parse_study(daily, "daily.toml", new_file=True).dose_level(0).name == "250 mg a day"


def test_two_drugs_are_not_added_up() -> None:
    """DEMO-2DRUG's level of two drugs loads: one amount in its name is not their sum."""
    two = (bundled_studies() / "DEMO-2DRUG.toml").read_text(encoding="utf-8")
    assert len(parse_study(two, "two.toml", new_file=True).dose_level(0).components) == 2


# A text printed as written takes no placeholder.


@pytest.mark.parametrize(
    ("old", "new", "key", "found"),
    [
        (
            'return_instruction = "RVCAPS: bring',
            'return_instruction = "RVCAPS {next_visit}: bring',
            "label.return_instruction",
            "{next_visit}",
        ),
        (
            'caution = "For clinical trial use only"',
            'caution = "For clinical trial {use} only"',
            "label.caution",
            "{use}",
        ),
        (
            'missed_dose = "If you miss a dose',
            'missed_dose = "If you miss {a} dose',
            "label.missed_dose",
            "{a}",
        ),
        (
            'storage = "Store at 2-8 °C."',
            'storage = "Store at {temp}."',
            "temperature.storage",
            "{temp}",
        ),
        (
            'return_instruction = "RVCAPS：',
            'return_instruction = "RVCAPS{next_visit}：',
            "label.text.zh_CN.return_instruction",
            "{next_visit}",
        ),
        ('storage = "2–8 °C保存。"', 'storage = "2–8 °C保存{"', "label.text.zh_CN.storage", "{"),
    ],
)
def test_a_placeholder_in_a_text_printed_as_written_is_refused(
    old: str, new: str, key: str, found: str
) -> None:
    wrong = edited(CAPS, old, new)
    said = refusal(wrong)
    assert f"key '{key}' has '{found}', but this text takes no placeholder" in said, said
    assert f"line {line_of(wrong, new)}" in said


def test_a_database_stored_file_still_opens() -> None:
    """Checks added since a database stored its file never lock that database out: a file
    read back from a database (not new) loads as it did when it was accepted."""
    stored = edited(CAPS, 'name = "125 mg twice daily"', 'name = "150 mg twice daily"')
    stored = edited(stored, "RVCAPS: bring", "RVCAPS {next_visit}: bring")
    stored = stored.replace("Take {tablets} of {product} by", "Take {tablets} by")
    stored = stored.replace('"{product}：口服', '"口服')
    assert parse_study(stored, "stored study").protocol == "RV-CAPS-01"
    with pytest.raises(StudyFileError):
        parse_study(stored, "new.toml", new_file=True)


# Directions shared by the products of a level of several must name the product.


def test_shared_directions_of_a_level_of_two_products_must_name_the_product() -> None:
    english = CAPS.replace("Take {tablets} of {product} by", "Take {tablets} by")
    said = refusal(english)
    assert "key 'label.directions' never names the product" in said, said
    assert "dose level 0 (125 mg twice daily) gives 2 products with these directions" in said
    assert "write {product} in them, or give each product its own directions" in said
    chinese = CAPS.replace('"{product}：口服', '"口服')
    assert "key 'label.text.zh_CN.directions' never names the product" in refusal(chinese)


def test_each_products_own_directions_need_no_product_placeholder() -> None:
    own = CAPS.replace("Take {tablets} of {product} by", "Take {tablets} by").replace(
        '"{product}：口服', '"口服'
    )
    own += (
        "\n[label.product_directions]\n"
        '"capsulinib-100mg" = "Take {tablets} of the 100 mg capsules {frequency}, from {start_date}, for {days} days."\n'
        '"capsulinib-25mg" = "Take {tablets} of the 25 mg capsules {frequency}, from {start_date}, for {days} days."\n'
        "\n[label.text.zh_CN.product_directions]\n"
        '"capsulinib-100mg" = "100 mg胶囊：{frequency}，每次{tablets}，自{start_date}开始，连服{days}天。"\n'
        '"capsulinib-25mg" = "25 mg胶囊：{frequency}，每次{tablets}，自{start_date}开始，连服{days}天。"\n'
    )
    assert parse_study(own, "own.toml", new_file=True).label.product_directions


# A misspelling is hinted only where a near key stands.


def test_a_missing_key_is_not_said_to_be_another_key_the_program_reads() -> None:
    at = BUNDLED.index('title = "海曲泊帕')
    without = BUNDLED[:at] + BUNDLED[BUNDLED.index("\n", at) + 1 :]
    said = refusal(without)
    assert "key 'label.text.zh_CN.title' is missing." in said, said
    assert "misspelt" not in said
    misspelt = BUNDLED.replace('title = "海曲泊帕', 'titel = "海曲泊帕')
    said = refusal(misspelt)
    assert re.search(r"is missing \('titel' on line \d+ misspelt\?\)", said), said


# The day-1 window: the study file's, a site decision shown as such.


def test_the_day1_window_is_read_from_the_cycle_with_its_source() -> None:
    study = parse_study(BUNDLED, "bundled.toml", new_file=True)
    assert study.cycle.day1_near_days == 7
    rule = study.rule("cycle.day1_near")
    assert rule.source.startswith("site decision") and not rule.authoritative
    assert rule.title == "Day 1 at most 7 days before or after the dispense date"
    assert study.rule_title("cycle.day1_near", "zh_CN") == "第1天与发放日期前后相差不超过 7 天"
    five = parse_study(BUNDLED.replace("day1_near_days = 7\n", "day1_near_days = 5\n"), "five.toml")
    assert five.cycle.day1_near_days == 5
    assert five.rule("cycle.day1_near").title.startswith("Day 1 at most 5 days")


def test_without_the_key_the_window_is_the_programs_default_and_no_rule() -> None:
    older = re.sub(r"day1_near_days = 7\nday1_near_source = \"[^\"]*\"\n", "", BUNDLED)
    study = parse_study(older, "older.toml", new_file=True)
    assert study.cycle.day1_near_days == DAY1_NEAR_DAYS == 7
    assert "cycle.day1_near" not in {r.key for r in study.rules}


def test_the_day1_window_needs_a_source_and_its_own_digest() -> None:
    no_source = re.sub(r"day1_near_source = \"[^\"]*\"\n", "", BUNDLED)
    assert "key 'cycle.day1_near_source' is missing" in refusal(no_source)
    bad = re.sub(r'day1_near_source = "[^"]*"', 'day1_near_source = "the pharmacist"', BUNDLED)
    assert "must say where the rule comes from" in refusal(bad)
    data = tomllib.loads(BUNDLED)
    changed = tomllib.loads(BUNDLED.replace("day1_near_days = 7\n", "day1_near_days = 5\n"))
    assert rule_digest(data, "cycle") == rule_digest(changed, "cycle")
    assert rule_digest(data, "cycle.day1_near") != rule_digest(changed, "cycle.day1_near")


# The eligibility: a rule with its source.


def test_the_eligibility_is_a_rule_with_its_source() -> None:
    study = parse_study(BUNDLED, "bundled.toml", new_file=True)
    rule = study.rule("eligibility")
    assert rule.source == "registry" and rule.authoritative
    assert rule.title == "Enrolment: women, age 18 or more"
    assert study.rule_title("eligibility", "zh_CN") == "入组：女性，年龄 18 岁及以上"
    bad = edited(
        BUNDLED,
        '"Eligible Sex: ALL".\nsource = "registry"\n',
        '"Eligible Sex: ALL".\nsource = "NCT07198672 criterion 1"\n',
    )
    said = refusal(bad)
    assert "eligibility.source" in said and "must say where the rule comes from" in said, said


# The cycle schedule a new version changes (services.studies refuses it while participants
# are on treatment).


def test_the_schedules_changes_are_named() -> None:
    old = parse_study(BUNDLED, "v1.toml")
    assert schedule_changes(old, old) == []
    wording = parse_study(BUNDLED.replace("IP store 1", "IP store 2"), "v2.toml")
    assert schedule_changes(old, wording) == []
    shorter = parse_study(
        BUNDLED.replace("length_days = 21\n", "length_days = 19\n").replace(
            "min_days_since_previous_day1 = 18\n", "min_days_since_previous_day1 = 16\n"
        ),
        "v2.toml",
    )
    assert schedule_changes(old, shorter) == [
        "cycle.length_days: 21 → 19",
        "cycle.min_days_since_previous_day1: 18 → 16",
    ]
    caps = parse_study(CAPS, "caps.toml")
    days = parse_study(
        CAPS.replace(
            '{ product = "capsulinib-25mg", tablets_per_dose = 1 }]',
            '{ product = "capsulinib-25mg", tablets_per_dose = 1, days = [1, 14] }]',
        ),
        "days.toml",
    )
    assert schedule_changes(caps, days) == [
        "dose level 0 capsulinib-25mg days: every day → [1, 14]"
    ]
