"""The Dispense screen's hint for an overdue cycle said "Its day 1 is the day it really starts
(the infusion)" in every study: study-specific words written into the code. It now names day 1
as the study file does ([cycle] day1_event: NCT07198672's "the first day of the T-DM1 treatment
cycle", its Chinese from [label.text.zh_CN]); a study that does not say names no event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from counter_fixtures import OPENING_DAY, Counter, study_pharmacy
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import refreshed

from dispensary.study import bundled_studies, load_study
from dispensary.ui.dispense_view import DispenseScreen


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The windows made inside the test in English, or in Simplified Chinese."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    yield request.param


def overdue_card(qtbot: QtBot, pharmacy: Counter) -> str:
    """01-001, enrolled on the opening day and given nothing, scanned a day later: overdue."""
    pharmacy.clock.set_date(OPENING_DAY + timedelta(days=1))
    screen = refreshed(qtbot, DispenseScreen(pharmacy.session("pharm")), (1166, 700))
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    return screen.card.text()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Its day 1 is the day it really starts (the first day of the T-DM1 treatment "),
        ("zh_CN", "其第1天为该周期实际开始之日（T-DM1治疗周期第1天），须在上述日期范围内。"),
    ],
    indirect=["language"],
)
def test_an_overdue_cycle_names_day_1_as_the_study_file_does(
    qtbot: QtBot, counter: Counter, language: str, said: str
) -> None:
    card = overdue_card(qtbot, counter)
    assert said in " ".join(card.split()), card
    assert "infusion" not in card and "输注" not in card


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "Its day 1 is the day it really starts, within the dates above."),
        ("zh_CN", "其第1天为该周期实际开始之日，须在上述日期范围内。"),
    ],
    indirect=["language"],
)
def test_a_study_that_does_not_name_day_1_is_told_of_no_event(
    qtbot: QtBot, tmp_path: Path, language: str, said: str
) -> None:
    study = load_study(bundled_studies() / "DEMO-28D-BID.toml")
    assert not study.cycle.day1_event
    pharmacy = study_pharmacy(study, [("B0001-B0004", "demoxatinib-50mg")], tmp_path / "p.db")
    try:
        card = overdue_card(qtbot, pharmacy)
    finally:
        pharmacy.ctx.engine.dispose()
    assert said in card, card
    assert "infusion" not in card and "输注" not in card
