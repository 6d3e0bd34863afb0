"""A refusal at the counter names a product as the screen's table does, in the reader's
language ("海曲泊帕乙醇胺片 7.5 mg"), never by its code ("herombopag-7.5mg")."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import refreshed

from dispensary.ui.dispense_view import DispenseScreen


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The windows made inside the test in English, or in Simplified Chinese."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    yield request.param


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_kit_of_the_wrong_product_is_refused_by_the_products_names(
    qtbot: QtBot, counter: Counter, language: str
) -> None:
    screen = refreshed(qtbot, DispenseScreen(counter.session("pharm")), None)
    for field, code in ((screen.participant_field, "01-001"), (screen.kit_field, "K2001")):
        field.setFocus()
        qtbot.keyClicks(field, code)
        qtbot.keyClick(field, Qt.Key.Key_Return)
    said = {
        "en": "Kit K2001 holds herombopag (hetrombopag olamine) 2.5 mg tablet; this dose (7.5 mg "
        "once daily) needs herombopag (hetrombopag olamine) 7.5 mg tablet. Take a kit of the "
        "right product.",
        "zh_CN": "药盒 K2001 装的是海曲泊帕乙醇胺片 2.5 mg；此剂量（7.5 mg，每日一次）需要海曲泊帕"
        "乙醇胺片 7.5 mg。请取用正确药品的药盒。",
    }[language]
    assert said in screen.message.text()
    assert "herombopag-" not in screen.message.text()
