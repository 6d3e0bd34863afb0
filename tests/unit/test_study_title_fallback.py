"""A study file without `short_title`: the Studies table and the Today screen's table of all
studies name the study by its title. A Chinese reader got the English title there, though the
file gives the Chinese one ([label.text.zh_CN] title): each language without a short title of its
own now takes its own title, English [study] title."""

from __future__ import annotations

import re

from dispensary.services.dashboard import StudySummary
from dispensary.services.results import study_titles
from dispensary.study import bundled_studies, parse_study

SOURCE = (bundled_studies() / "NCT07198672.toml").read_text(encoding="utf-8")
ENGLISH_TITLE = (
    "Primary Prevention of Thrombocytopenia Associated With T-DM1 Therapy in HER2 Positive "
    "Breast Cancer With Herombopag"
)
CHINESE_TITLE = "海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相关血小板减少症"


def _summary(source: str) -> StudySummary:
    study = parse_study(source)
    return StudySummary(
        "NCT07198672", study.short_title, "open", 0, 0, 0, 0, 0, 0, study_titles(study)
    )


def test_a_study_without_short_titles_is_named_by_its_title_in_each_language() -> None:
    assert SOURCE.count("short_title = ") == 2
    line = _summary(re.sub(r"(?m)^short_title = .*\n", "", SOURCE))
    assert line.title_in("en") == ENGLISH_TITLE
    assert line.title_in("zh_CN") == CHINESE_TITLE


def test_a_short_title_given_is_still_used() -> None:
    line = _summary(SOURCE)
    assert line.title_in("en") == "Herombopag T-DM1 prevention"
    assert line.title_in("zh_CN") == "海曲泊帕预防T-DM1相关血小板减少"
    # English's short title, where the Chinese table gives none, as before.
    chinese_kept = SOURCE.replace('short_title = "海曲泊帕预防T-DM1相关血小板减少"\n', "")
    assert _summary(chinese_kept).title_in("zh_CN") == "Herombopag T-DM1 prevention"
