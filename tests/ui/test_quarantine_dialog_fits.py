"""The Quarantine dialog of a whole shelf's kits (a temperature excursion: hundreds of kits set
aside at once) fits a 1366x768 screen. Its question named every kit: at 500 kits it grew
taller than the screen and its buttons went below it. It names the first kits as the release
does (inventory_view.kits_named), counts the rest, and holds every kit in its tooltip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from counter_fixtures import Counter, study_pharmacy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window

from dispensary.study import bundled_studies, load_study
from dispensary.ui.forms import ReasonDialog
from dispensary.ui.inventory_view import KITS_NAMED, InventoryScreen

PRODUCT = "demoxatinib-50mg"
SHELF = 500
KITS = [f"B{n:04d}" for n in range(1, SHELF + 1)]


@pytest.fixture
def shelf(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-28D-BID with a shelf of 500 kits, B0001-B0500."""
    study = load_study(bundled_studies() / "DEMO-28D-BID.toml")
    counter = study_pharmacy(study, [(f"B0001-B{SHELF:04d}", PRODUCT)], tmp_path / "p.sqlite3")
    yield counter
    counter.ctx.engine.dispose()


def test_a_shelfs_quarantine_fits_a_1366x768_screen(
    qtbot: QtBot, shelf: Counter, styled: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    window = main_window(qtbot, shelf.session("pharm"), (1366, 768))
    screen = go_to(window, InventoryScreen)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert sorted(screen._numbers()) == KITS
    assert screen.quarantine_button.isEnabled()
    seen: list[ReasonDialog] = []

    def shown(dialog: ReasonDialog) -> int:
        """The dialog as the pharmacist sees it, then cancelled."""
        dialog.show()
        qtbot.waitExposed(dialog)
        seen.append(dialog)
        return 0

    monkeypatch.setattr(ReasonDialog, "exec", shown)
    qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    [dialog] = seen
    qtbot.wait(50)  # the prompt's lines laid out
    dialog.grab().save(str(tmp_path / "quarantine-500.png"))
    prompt = dialog.findChild(QLabel)  # the question, over the reason
    assert isinstance(prompt, QLabel)
    text = prompt.text()
    assert text.startswith("Why are B0001, B0002, "), text
    assert f", … and {SHELF - KITS_NAMED} more kits set aside?" in text, text
    assert sum(kit in text for kit in KITS) == KITS_NAMED
    assert sorted(prompt.toolTip().split(", ")) == KITS  # every kit, on hovering
    # Within the screen, with its title bar and the task bar; the prompt shown whole and the
    # buttons inside the dialog.
    assert dialog.height() <= 768 - 40, dialog.height()
    assert dialog.sizeHint().height() <= 768 - 40
    assert prompt.height() >= prompt.heightForWidth(prompt.width())
    buttons = dialog.findChildren(QPushButton)
    assert {b.text() for b in buttons} == {"&Quarantine", "&Cancel"}
    for button in buttons:
        corner = button.mapTo(dialog, button.rect().bottomRight())
        assert button.isVisible() and dialog.rect().contains(corner), (corner, dialog.rect())


def test_a_shelfs_quarantine_says_its_reason_in_sight(
    qtbot: QtBot, shelf: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done, the message named all 500 kits before the reason: eight lines of kit numbers,
    the reason cut off below them. It names the first kits, counts the rest, then the reason."""
    window = main_window(qtbot, shelf.session("pharm"), (1366, 768))
    screen = go_to(window, InventoryScreen)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)

    def answered(dialog: ReasonDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        qtbot.keyClicks(dialog.reason, "Fridge excursion overnight")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(ReasonDialog, "exec", answered)
    qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    said = screen.message.text()
    assert said.startswith("Quarantined B0001, B0002, "), said
    assert said.endswith(
        f"B{KITS_NAMED:04d}, … and {SHELF - KITS_NAMED} more kits: Fridge excursion overnight."
    ), said


def test_in_chinese(
    qtbot: QtBot,
    shelf: Counter,
    styled: None,
    chinese: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = main_window(qtbot, shelf.session("pharm"), (1366, 768))
    screen = go_to(window, InventoryScreen)
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    seen: list[ReasonDialog] = []

    def shown(dialog: ReasonDialog) -> int:
        dialog.show()
        qtbot.waitExposed(dialog)
        seen.append(dialog)
        return 0

    monkeypatch.setattr(ReasonDialog, "exec", shown)
    qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    [dialog] = seen
    qtbot.wait(50)
    dialog.grab().save(str(tmp_path / "quarantine-500-zh.png"))
    prompt = dialog.findChild(QLabel)
    assert isinstance(prompt, QLabel)
    assert f"另有 {SHELF - KITS_NAMED} 个药盒" in prompt.text(), prompt.text()
    assert sorted(prompt.toolTip().split("、")) == KITS
    assert prompt.height() >= prompt.heightForWidth(prompt.width())
    assert dialog.height() <= 768 - 40, dialog.height()
