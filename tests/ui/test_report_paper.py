"""Every report on US Letter from Reports and labels, as the command makes it with
`--paper letter` (the screen offered the paper for the leaflet only: every report was A4), and
the paper chosen offered again on this workstation."""

from __future__ import annotations

import io
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from pypdf import PdfReader
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.config import Settings
from dispensary.reports import catalogue as report_catalogue
from dispensary.services.documents import Param
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.session import AppSession

LETTER = (612, 792)  # points: 8.5 x 11 in
A4 = (595, 842)


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    """Each page's size in whole points, portrait (a landscape page turned back)."""
    sizes = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        width, height = round(float(page.mediabox.width)), round(float(page.mediabox.height))
        sizes.add((min(width, height), max(width, height)))
    return sizes


def make(qtbot: Any, screen: ReportsScreen, key: str) -> bytes:
    screen.choose(key)
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None, screen.message.text()
    return screen.made.pdf


def test_every_report_offers_the_paper_as_the_command_does() -> None:
    for entry in report_catalogue.REPORTS:
        assert Param.PAPER in {f.param for f in entry.fields}, entry.key


@pytest.mark.parametrize("key", ["reconciliation", "audit"])
def test_a_report_made_on_letter_from_the_screen_is_letter(
    qtbot: Any, pharmacy: Pharmacy, key: str
) -> None:
    settings = Settings()
    session = AppSession(pharmacy.ctx, pharmacy.actor("pharm"), settings)
    screen = refreshed(qtbot, ReportsScreen(session), None)
    screen.choose(key)
    assert screen.paper.isVisibleTo(screen), "the paper is chosen on the screen"
    assert screen.paper.currentData() == "a4"  # the command's default
    assert page_sizes(make(qtbot, screen, key)) == {A4}

    screen.paper.setCurrentIndex(screen.paper.findData("letter"))
    assert page_sizes(make(qtbot, screen, key)) == {LETTER}
    assert settings.paper == "letter"
    assert Settings.load().paper == "letter", "kept in this workstation's settings"

    # The next time the screen opens on this workstation, Letter is offered again.
    again = refreshed(
        qtbot, ReportsScreen(AppSession(pharmacy.ctx, session.user, Settings.load())), None
    )
    assert again.paper.currentData() == "letter"


def test_the_paper_is_named_in_the_windows_language(
    qtbot: Any, chinese: None, pharmacy: Pharmacy
) -> None:
    """The Chinese window offered "A4" and "US Letter": the Letter paper is 美国信纸 (the
    glossary's term), A4 stays A4; the choice is still the command's a4 or letter."""
    session = AppSession(pharmacy.ctx, pharmacy.actor("pharm"), Settings())
    screen = refreshed(qtbot, ReportsScreen(session), None)
    screen.choose("reconciliation")
    offered = {screen.paper.itemData(i): screen.paper.itemText(i) for i in range(2)}
    assert offered == {"a4": "A4", "letter": "美国信纸"}
