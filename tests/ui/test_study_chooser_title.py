"""The study chooser at the top of the main window, at 1366x768 in English and Chinese: it was
sized to its longest study and cut where the toolbar had less room (its title clipped
mid-word, "… HER2+ b", with no sign that more was left out and a tooltip that did not give it).
A title that fits is shown whole; one that does not is shown up to an ellipsis, whole in the
tooltip with the protocol's full title, as the program's other shortened choices are."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy
from PySide6.QtWidgets import QStyle, QStyleOptionComboBox
from pytestqt.qtbot import QtBot
from window_helpers import main_window

from dispensary.i18n import ENGLISH, Language

LONG_TITLES = {
    ENGLISH: "Herombopag primary prevention of T-DM1 thrombocytopenia, HER2+ breast cancer",
    Language.ZH_CN: "海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相关血小板减少症（第二项研究）",
}
SHORT_TITLES = {
    ENGLISH: '"Herombopag T-DM1 prevention"',
    Language.ZH_CN: '"海曲泊帕预防T-DM1相关血小板减少"',
}


def _two_studies(tmp_path: Path, base: Path, long: bool) -> Pharmacy:
    from dispensary.services import studies

    place = build_pharmacy(tmp_path, base / "back_office")
    admin = place.actor("admin")
    source = place.study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT99999999"')
    if long:
        for language, short in SHORT_TITLES.items():
            assert short in source
            source = source.replace(short, f'"{LONG_TITLES[language]}"')
    studies.add_study(place.ctx, admin, source, "other.toml", "a second study")
    studies.set_access(place.ctx, admin, "pharm", "NCT99999999", True, "both")
    return place


@pytest.fixture(params=[True, False], ids=["long", "demo"])
def pharmacy(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Pharmacy, bool]]:
    place = _two_studies(tmp_path, tmp_path_factory.getbasetemp(), bool(request.param))
    yield place, bool(request.param)
    place.ctx.engine.dispose()


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    """Each language's windows with the program's style sheet (its fonts take room)."""
    return language


def test_the_study_chooser_shows_its_title_whole_or_says_it_is_cut(
    qtbot: QtBot, pharmacy: tuple[Pharmacy, bool], language: Language
) -> None:
    place, long = pharmacy
    window = main_window(qtbot, place.session("pharm"))
    qtbot.wait(100)
    chooser = window.study_switcher
    assert chooser.isVisible() and chooser.count() == 2

    # Inside the window, not in the toolbar's overflow, once the toolbar has laid out at the
    # window's size. In a full run of tests/ui (one process), this file's first window had its
    # chooser at its whole width (809 px, its right edge at 1458 of 1366) until the toolbar was
    # laid out again; alone, or after either half of the files before it, it is 712 px at once.
    # Why is not known (see the session's closing note); the toolbar is laid out again here.
    bar = chooser.parentWidget()
    assert bar is not None and bar.layout() is not None
    bar.layout().invalidate()
    bar.layout().activate()

    def right() -> int:
        return chooser.mapTo(window, chooser.rect().topRight()).x()

    qtbot.waitUntil(lambda: 0 < right() <= window.width(), timeout=3000)
    metrics = chooser.fontMetrics()
    shots = os.environ.get("DISPENSARY_SHOTS")
    for index in range(chooser.count()):
        chooser.setCurrentIndex(index)  # shown, not chosen: no switch of study
        qtbot.wait(20)
        option = QStyleOptionComboBox()
        chooser.initStyleOption(option)
        room = chooser.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox,
            option,
            QStyle.SubControl.SC_ComboBoxEditField,
            chooser,
        )
        text = chooser.currentText()
        tip = chooser.toolTip()
        assert text in tip, (text, tip)  # the whole of it, cut or not
        if metrics.horizontalAdvance(text) <= room.width():
            assert chooser.shown_text() == text
        else:
            shown = chooser.shown_text()
            assert shown.endswith("…") and metrics.horizontalAdvance(shown) <= room.width()
            assert text.startswith(shown.removesuffix("…"))
        if not long:  # the demo's titles: whole at 1366x768
            assert chooser.shown_text() == text, (text, room.width())
        if shots:
            name = f"study-chooser-{'long' if long else 'demo'}-{language.value}-{index}.png"
            window.grab().save(os.path.join(shots, name))
    if long:  # the long title's protocol title said in the tooltip, in the reader's language
        chooser.setCurrentIndex(chooser.findData("NCT99999999"))
        assert "\n" in chooser.toolTip()
