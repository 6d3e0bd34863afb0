"""`dispensary study show|update`: the stored study file, replaced by an administrator only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cli_support import Cli

from dispensary.study import default_study_path


def test_show_then_update_by_the_administrator_only(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    shown = cli("--json", "study", "show")
    assert shown.code == 0, shown.err
    assert shown.json()["protocol"] == "NCT07198672"
    assert "herombopag-7.5mg" in cli("study", "show").out

    text = default_study_path().read_text(encoding="utf-8")
    new = tmp_path / "v2.toml"
    new.write_text(text.replace("IP store 1", "IP store 2"), encoding="utf-8")
    before = state(cli.db)
    refused = cli("study", "update", str(new), "--reason", "store moved")
    assert refused.code == 4 and "may not change the study set-up" in refused.err
    assert state(cli.db) == before

    done = cli("study", "update", str(new), "--reason", "store moved", user="admin")
    assert done.code == 0, done.err
    listed = cli("--json", "audit", "list", "--action", "study_updated", user="admin").json()
    assert listed and listed[-1]["reason"] == "store moved"


def test_in_chinese_the_study_is_shown_by_its_chinese_names(cli: Cli) -> None:
    """`--lang zh_CN study show` named the products, dose levels, pharmacy and site in English
    while `study rules` in the same run used the study file's Chinese names."""
    chinese = cli("--lang", "zh_CN", "study", "show", user="monitor")
    assert chinese.code == 0, chinese.err
    lines = chinese.out.splitlines()
    assert lines[0] == "NCT07198672: 海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相关血小板减少症"
    assert lines[1] == "研究者：刘真真 医生；药房：临床试验药房，河南省肿瘤医院"
    assert "  herombopag-7.5mg     海曲泊帕乙醇胺片 7.5 mg，每盒 21" in lines
    assert "   -1  5 mg，每日一次（减量）" in lines
    assert "hetrombopag" not in chinese.out and "once daily" not in chinese.out
    assert "Clinical Trial Pharmacy" not in chinese.out
    english = cli("study", "show", user="monitor").out.splitlines()
    assert english[1] == (
        "Investigator: Zhenzhen Liu, M.D.; pharmacy: Clinical Trial Pharmacy, Henan Cancer Hospital"
    )
    assert "   -1  5 mg once daily (reduced)" in english


def test_a_change_of_the_cycle_schedule_is_refused_until_confirmed(
    cli: Cli, tmp_path: Path, state: Callable[[str], dict[str, Any]]
) -> None:
    """The demo has participants on treatment: a new file with another minimum interval would
    move their next cycles' dates; refused naming them, done with --schedule-change, and the
    audit entry says what changed and for whom."""
    text = default_study_path().read_text(encoding="utf-8")
    new = tmp_path / "v2.toml"
    new.write_text(
        text.replace("min_days_since_previous_day1 = 18\n", "min_days_since_previous_day1 = 19\n"),
        encoding="utf-8",
    )
    before = state(cli.db)
    refused = cli("study", "update", str(new), "--reason", "protocol v2", user="admin")
    assert refused.code == 3, refused.err
    assert "changes the cycle schedule (cycle.min_days_since_previous_day1: 18 → 19)" in (
        refused.err
    )
    assert "participants are on treatment (" in refused.err and "--schedule-change" in (refused.err)
    assert state(cli.db) == before
    done = cli(
        "study", "update", str(new), "--reason", "amendment 3", "--schedule-change", user="admin"
    )
    assert done.code == 0, done.err
    listed = cli("--json", "audit", "list", "--action", "study_updated", user="admin").json()
    assert listed[-1]["new"]["schedule_changed"] == ["cycle.min_days_since_previous_day1: 18 → 19"]
    assert listed[-1]["new"]["participants_on_treatment"]


def test_study_rules_list_the_day1_window_and_the_eligibility(cli: Cli) -> None:
    """Both refuse steps (a dispense, an enrolment): each is listed with its source."""
    rules = {r["rule"]: r for r in cli("--json", "study", "rules", user="admin").json()}
    assert rules["cycle.day1_near"]["title"] == (
        "Day 1 at most 7 days before or after the dispense date"
    )
    assert rules["cycle.day1_near"]["source"].startswith("site decision")
    assert rules["eligibility"]["title"] == "Enrolment: women, age 18 or more"
    assert rules["eligibility"]["source"] == "registry"
    chinese = cli("--lang", "zh_CN", "study", "rules", user="admin").out
    assert "入组：女性，年龄 18 岁及以上" in chinese
    assert "第1天与发放日期前后相差不超过 7 天" in chinese
