"""A long message in the screens' message bar reads whole at 1366x768, in English and in
Chinese: the dispense refused at the save for warnings met while the signature was asked, with
the kit to put back, the warnings and what to do, is the counter's longest. The bar keeps its
lines (its least height) when the screen is short of height, the rest of the screen giving
way; the screen still fits the window and the Sign button stays in it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import Counter, study_pharmacy
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window, scan, shoot

from dispensary.i18n import Language
from dispensary.services import receiving
from dispensary.study import bundled_studies, load_study
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import MOST_LINES, MessageBar, SignatureDialog

pytestmark = pytest.mark.usefixtures("printer", "styled")
PRODUCT = "demoxatinib-50mg"
SCREEN_AREA = (1166, 700)
"""What a screen gets of a 1366x768 window, beside the navigation and under the scan bar."""


@pytest.fixture
def pharmacy(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-28D-BID: B0001-B0004 expiring mid-2028 (L1), B0011-B0012 a year sooner (L0)."""
    study = load_study(bundled_studies() / "DEMO-28D-BID.toml")
    counter = study_pharmacy(study, [("B0001-B0004", PRODUCT)], tmp_path / "p.sqlite3")
    kits = receiving.kits_from_range(
        counter.ctx, "B0011-B0012", PRODUCT, "L0", date(2027, 6, 30), None
    )
    receiving.receive_shipment(counter.ctx, counter.actor("pharm"), "SH-EARLY", kits)
    yield counter
    counter.ctx.engine.dispose()


def whole(bar: MessageBar) -> bool:
    """Every line of the bar's message in sight: as tall as its text at its width."""
    return bar.isVisible() and bar.height() >= bar.heightForWidth(bar.width())


def longest_message(
    qtbot: QtBot, screen: DispenseScreen, pharmacy: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kits expiring sooner are received while the signature is asked for B0011 and B0012
    (B0012 replacing B0001): refused at the save, the warnings met since and the kit to put
    back are said."""
    pharm = pharmacy.actor("pharm")

    def received_meanwhile(_cls: object, *_args: object) -> str:
        sooner = receiving.kits_from_range(
            pharmacy.ctx, "B0021-B0022", PRODUCT, "LS", date(2027, 3, 31), None
        )
        receiving.receive_shipment(pharmacy.ctx, pharm, "SH-SOONER", sooner)
        return "pharmpass1"

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(received_meanwhile))
    scan(qtbot, screen.participant_field, "01-001")
    screen.observation_fields["weight"].setText("70")
    for kit in ("B0011", "B0001", "B0012"):
        scan(qtbot, screen.kit_field, kit)
    assert screen.message.kind == "warning"
    assert "B0001" in screen.message.text()  # the kit to put back


def test_the_longest_counter_message_reads_whole_and_the_screen_fits(
    qtbot: QtBot, pharmacy: Counter, monkeypatch: pytest.MonkeyPatch, language: Language
) -> None:
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = go_to(window, DispenseScreen)
    longest_message(qtbot, screen, pharmacy, monkeypatch)
    bar = screen.message
    qtbot.waitUntil(lambda: whole(bar))
    lines = bar.heightForWidth(bar.width()) // bar.fontMetrics().lineSpacing()
    assert lines >= 3, bar.text()  # long indeed: more than one line at the screen's width
    shoot(window, f"message-bar-longest-{language.value}")
    # The window keeps its size, and the screen its place in it.
    assert window.size().toTuple() == (1366, 768)
    hint = screen.minimumSizeHint()
    assert hint.width() <= SCREEN_AREA[0] and hint.height() <= SCREEN_AREA[1], hint
    corner = screen.sign_button.mapTo(window, screen.sign_button.rect().bottomRight())
    assert window.rect().contains(corner)
    assert screen.sign_button.isVisible()
    assert bar.toolTip() == ""  # nothing left for the tooltip to say


def test_the_screens_least_height_keeps_the_message_lines(
    qtbot: QtBot, pharmacy: Counter, monkeypatch: pytest.MonkeyPatch, language: Language
) -> None:
    """The least height the screen asks of its window counted one line of the bar, whatever
    the message: a window or layout giving the screen only that (a taskbar and a title bar
    on a 1366x768 display, a larger font) left the bar the room of its first line. The bar's
    lines are now in the screen's least height, which still fits the window; at that height
    the message reads whole."""
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = go_to(window, DispenseScreen)
    longest_message(qtbot, screen, pharmacy, monkeypatch)
    bar = screen.message
    qtbot.waitUntil(lambda: whole(bar))
    long_least = screen.minimumSizeHint().height()
    long_bar, said = bar.height(), bar.text()
    bar.show_message("Scan the kits handed over.", "info")  # one line
    qtbot.waitUntil(lambda: bar.height() < long_bar)
    short_least = screen.minimumSizeHint().height()
    assert long_least - short_least >= long_bar - bar.height(), (long_least, short_least)
    assert long_least <= SCREEN_AREA[1]
    bar.show_message(said, "warning")
    window.resize(1366, 300)  # lower than the screen's least: the screen at its least
    qtbot.wait(50)
    shoot(window, f"message-bar-short-window-{language.value}")
    assert window.height() < 768
    assert whole(bar), (bar.height(), bar.heightForWidth(bar.width()))


def test_a_message_longer_than_the_bar_keeps_reads_whole_in_its_tooltip(qtbot: QtBot) -> None:
    bar = MessageBar()
    qtbot.addWidget(bar)
    bar.resize(400, 40)
    bar.show()
    qtbot.waitExposed(bar)
    long = " ".join(["Put kit B0001 back on the shelf."] * 40)
    bar.show_message(long, "warning")
    most = bar.minimumHeight()
    assert bar.toolTip() == long
    assert most < bar.heightForWidth(bar.width())
    assert most >= MOST_LINES * bar.fontMetrics().lineSpacing()
    bar.show_message("Kit B0001 taken.", "ok")
    assert bar.toolTip() == "" and bar.minimumHeight() < most
    bar.clear_message()
    assert bar.minimumHeight() == 0
