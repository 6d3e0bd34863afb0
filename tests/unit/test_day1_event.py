"""[cycle] day1_event: what day 1 of a cycle is, named where a date of day 1 is to be checked
(rules.check_interval's refusals), from the study file in the reader's language; "day 1" when
the file does not say. The refusals said "Check the infusion date." in every study."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dispensary.domain.errors import RuleViolation, StudyFileError
from dispensary.domain.rules import check_interval
from dispensary.i18n import Language, speaking
from dispensary.study import Study, bundled_studies, parse_study

DAY1 = date(2026, 2, 12)
ENROLLED = date(2026, 1, 1)
EVENT = 'day1_event = "the first day of the T-DM1 treatment cycle"\n'
CHINESE_EVENT = 'day1_event = "T-DM1治疗周期第1天"\n'


def _text(protocol: str) -> str:
    return (bundled_studies() / f"{protocol}.toml").read_text(encoding="utf-8")


def _refusal(study: Study, gap: int) -> str:
    with pytest.raises(RuleViolation) as refused:
        check_interval(DAY1 + timedelta(days=gap), DAY1, 19, ENROLLED, study.day1_event_named)
    return refused.value.message


def test_the_bundled_study_names_its_day_1_in_both_languages() -> None:
    text = _text("NCT07198672")
    assert EVENT in text and CHINESE_EVENT in text
    study = parse_study(text, "NCT07198672.toml")
    assert study.day1_event_named("en") == "the first day of the T-DM1 treatment cycle"
    assert study.day1_event_named("zh_CN") == "T-DM1治疗周期第1天"
    assert _refusal(study, 13).endswith(
        "Check the date of the first day of the T-DM1 treatment cycle."
    )
    assert _refusal(study, 0).endswith(
        "a new cycle starts on a later day. Check the date of the first day of the T-DM1 "
        "treatment cycle."
    )
    with speaking(Language.ZH_CN):
        assert _refusal(study, 13).endswith("。请核对T-DM1治疗周期第1天的日期。")


def test_a_study_that_does_not_say_is_asked_for_the_date_of_day_1() -> None:
    study = parse_study(_text("DEMO-2DRUG"), "DEMO-2DRUG.toml")
    assert study.day1_event_named("en") == study.day1_event_named("zh_CN") == ""
    said = _refusal(study, 13)
    assert said.endswith("(19 days). Check the date of day 1."), said
    assert "infusion" not in said
    with speaking(Language.ZH_CN):
        chinese = _refusal(study, 0)
    assert chinese.endswith("新周期应在更晚的日期开始。请核对第1天的日期。"), chinese
    assert "输注" not in chinese


def test_day1_event_is_given_in_every_language_or_in_none() -> None:
    text = _text("NCT07198672").replace(CHINESE_EVENT, "")
    with pytest.raises(StudyFileError) as refused:
        parse_study(text, "NCT07198672.toml")
    message = str(refused.value)
    assert "label.text.zh_CN.day1_event" in message
    assert "must be given in [cycle] and in each [label.text.<language>], or in none" in message
