"""The Today screen's table of all the user's studies with a long study title, at 1366x768 in
English and Chinese: the Title column was held to 360 pixels on one line (fit_columns' widest),
a long title cut as the Studies screen's was. It reads whole, wrapping when the room is short,
and its tooltip gives it with the protocol's full title (the Studies screen's approach)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QStyle
from pytestqt.qtbot import QtBot
from window_helpers import main_window

from dispensary.i18n import ENGLISH, Language
from dispensary.ui.translations import install_language

LONG_TITLES = {
    ENGLISH: "Herombopag primary prevention of T-DM1 thrombocytopenia, HER2+ breast cancer",
    Language.ZH_CN: "海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相关血小板减少症（第二项研究）",
}


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    from dispensary.services import studies

    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    admin = place.actor("admin")
    source = place.study.source_text
    english, chinese = '"Herombopag T-DM1 prevention"', '"海曲泊帕预防T-DM1相关血小板减少"'
    assert english in source and chinese in source
    long = (
        source.replace('protocol = "NCT07198672"', 'protocol = "NCT99999999"')
        .replace(english, f'"{LONG_TITLES[ENGLISH]}"')
        .replace(chinese, f'"{LONG_TITLES[Language.ZH_CN]}"')
    )
    studies.add_study(place.ctx, admin, long, "long.toml", "a second study")
    studies.set_access(place.ctx, admin, "pharm", "NCT99999999", True, "both")
    yield place
    place.ctx.engine.dispose()


@pytest.fixture
def language(language: Language, styled: None) -> Language:
    """Each language's windows with the program's style sheet (its fonts take room)."""
    return language


def test_a_long_title_reads_whole_in_the_today_tables_title_column(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language
) -> None:
    from dispensary.ui.dashboard import STUDY_TITLE, DashboardScreen

    window = main_window(qtbot, pharmacy.session("pharm"))
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    section = dashboard.all_studies
    qtbot.waitUntil(lambda: section.model.rowCount() == 2, timeout=20_000)
    qtbot.wait(100)
    table = section.table
    width = table.columnWidth(STUDY_TITLE)
    metrics = table.fontMetrics()
    margin = table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    titles = []
    for line in range(section.proxy.rowCount()):
        cell = section.proxy.index(line, STUDY_TITLE)
        title = str(cell.data())
        titles.append(title)
        bounds = QRect(0, 0, width - 2 * margin - 1, 10_000)
        needs = metrics.boundingRect(bounds, Qt.TextFlag.TextWordWrap, title).height()
        assert table.rowHeight(line) >= needs, (title, width, table.rowHeight(line))
        tip = str(cell.data(Qt.ItemDataRole.ToolTipRole))
        assert tip.split("\n")[0] == title
    assert LONG_TITLES[language] in titles
    assert table.horizontalScrollBar().maximum() == 0
    shots = os.environ.get("DISPENSARY_SHOTS")
    if shots:
        window.grab().save(os.path.join(shots, f"today-long-title-{language.value}.png"))


@pytest.fixture
def two_short_titles(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pharmacy]:
    """Two studies of short titles: the Title column has width to spare."""
    from dispensary.services import studies

    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    admin = place.actor("admin")
    other = place.study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT99999999"')
    studies.add_study(place.ctx, admin, other, "other.toml", "a second study")
    studies.set_access(place.ctx, admin, "pharm", "NCT99999999", True, "both")
    yield place
    place.ctx.engine.dispose()


@pytest.fixture(params=[True, False], ids=["styled", "plain"])
def chinese_style(request: pytest.FixtureRequest, qapp: Any) -> Iterator[bool]:
    """Chinese windows with the program's style sheet and without (Qt's own header font)."""
    from dispensary.ui.app import apply_style
    from dispensary.ui.translations import load_cjk_font

    load_cjk_font()
    assert install_language(Language.ZH_CN)
    if request.param:
        apply_style(qapp)
    try:
        yield bool(request.param)
    finally:
        install_language(ENGLISH)
        qapp.setStyleSheet("")


def test_the_short_stock_column_is_whole_in_the_today_table(
    qtbot: QtBot, two_short_titles: Pharmacy, chinese_style: bool
) -> None:
    """The last column ("库存短缺", Short stock) was cut, under a horizontal scroll bar, where
    its title is narrower than the header's default section (100 pixels; Qt's own header font,
    without the style sheet): the header stretched the last section to that width past the
    widths fitted, beside a Title column given all the width to spare. The title column takes
    the spare width; every column ends inside the table."""
    from dispensary.ui.dashboard import STUDY_COLUMNS, DashboardScreen

    window = main_window(qtbot, two_short_titles.session("pharm"))
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    section = dashboard.all_studies
    qtbot.waitUntil(lambda: section.model.rowCount() == 2, timeout=20_000)
    qtbot.waitUntil(lambda: not dashboard.checking, timeout=20_000)
    qtbot.wait(100)
    table = section.table
    header = table.horizontalHeader()
    last = len(STUDY_COLUMNS) - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) <= (
        table.viewport().width()
    )
    title = str(table.model().headerData(last, Qt.Orientation.Horizontal))
    assert header.sectionSize(last) > header.fontMetrics().horizontalAdvance(title)
    assert table.horizontalScrollBar().maximum() == 0
    shots = os.environ.get("DISPENSARY_SHOTS")
    if shots:
        shot = f"today-short-stock-zh_CN-{'styled' if chinese_style else 'plain'}.png"
        window.grab().save(os.path.join(shots, shot))
