"""The inventory builds a list of kits at the scanner: each kit scanned (the toolbar's scan field,
keys and Enter) is added to the kits selected, a kit scanned twice is listed once, Esc (or Clear
selection) starts the list again, and the buttons that act on the list have Alt keys. Scanned
before, each scan replaced the selection: only the last kit was quarantined or destroyed."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, answer_reason, answer_release, sign_with
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from window_helpers import main_window

from dispensary.domain.codes import KitStatus
from dispensary.services import queries
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow


def status_of(pharmacy: Pharmacy, kit: str) -> KitStatus:
    return queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), kit).status


def inventory_at_the_scanner(qtbot: Any, pharmacy: Pharmacy) -> tuple[MainWindow, InventoryScreen]:
    window = main_window(qtbot, pharmacy.session("pharm"))
    window.activateWindow()  # keys reach a window's shortcuts when it is the active one
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    screen = window.show_screen(InventoryScreen)
    assert isinstance(screen, InventoryScreen)
    return window, screen


def scan(qtbot: Any, window: MainWindow, code: str) -> None:
    """A code typed into the toolbar's scan field and Enter, as the scanner sends it."""
    window.scan_field.setFocus()
    window.scan_field.clear()
    qtbot.keyClicks(window.scan_field, code)
    qtbot.keyClick(window.scan_field, Qt.Key.Key_Return)


def selected(screen: InventoryScreen) -> list[str]:
    return [k.number for k in screen.selected()]


def alt(qtbot: Any, window: MainWindow, letter: Qt.Key, done: Any) -> None:
    """Alt and the letter, the cursor in the scan field: the button's (animated) click."""
    qtbot.keyClick(window.scan_field, letter, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(done, timeout=3000)


def test_two_kits_scanned_are_both_quarantined_then_both_released(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, screen = inventory_at_the_scanner(qtbot, pharmacy)
    scan(qtbot, window, "K0005")
    assert selected(screen) == ["K0005"]
    scan(qtbot, window, "k0006")
    assert selected(screen) == ["K0005", "K0006"]
    assert screen.message.text() == "Kit K0006 added: 2 kits selected. Esc clears the list."
    assert "<b>2 kits selected</b>: K0005, K0006" in screen.selection_label.text()

    scan(qtbot, window, "K0005")  # scanned twice: listed once, and said
    assert selected(screen) == ["K0005", "K0006"]
    assert screen.message.kind == "warning"
    assert screen.message.text() == ("Kit K0005 is already selected, listed once: 2 kits selected.")

    prompts = answer_reason(monkeypatch, "seal broken")
    assert screen.quarantine_button.shortcut() == QKeySequence("Alt+Q")
    alt(qtbot, window, Qt.Key.Key_Q, lambda: bool(prompts))
    assert "K0005, K0006" in prompts[0]
    assert [status_of(pharmacy, k) for k in ("K0005", "K0006")] == [KitStatus.QUARANTINED] * 2

    # The step written, the next scan starts a new list.
    scan(qtbot, window, "K0006")
    assert selected(screen) == ["K0006"]
    scan(qtbot, window, "K0005")
    assert selected(screen) == ["K0006", "K0005"] or selected(screen) == ["K0005", "K0006"]
    asked = answer_release(monkeypatch, "sponsor assessed the seal")
    sign_with(monkeypatch, PASSWORDS["pharm"])
    assert screen.release_button.shortcut() == QKeySequence("Alt+R")
    alt(qtbot, window, Qt.Key.Key_R, lambda: bool(asked))
    assert asked == ["K0005, K0006"]
    assert [status_of(pharmacy, k) for k in ("K0005", "K0006")] == [KitStatus.AVAILABLE] * 2


def test_two_kits_scanned_are_destroyed_together_and_esc_clears_the_list(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, screen = inventory_at_the_scanner(qtbot, pharmacy)
    scan(qtbot, window, "K0002")
    scan(qtbot, window, "K0003")
    assert selected(screen) == ["K0002", "K0003"]

    # Esc, the cursor in the scan field (or on the screen): no kit selected, the next scan alone
    qtbot.keyClick(window.scan_field, Qt.Key.Key_Escape)
    assert selected(screen) == []
    scan(qtbot, window, "K0003")
    assert selected(screen) == ["K0003"]
    scan(qtbot, window, "K0002")
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_Escape)
    assert selected(screen) == []
    scan(qtbot, window, "K0003")
    assert selected(screen) == ["K0003"]
    assert screen.clear_button.shortcut() == QKeySequence("Alt+L")
    alt(qtbot, window, Qt.Key.Key_L, lambda: not screen.selected())  # Clear selection
    assert selected(screen) == []

    scan(qtbot, window, "K0002")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-9")
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("damaged"))
    scan(qtbot, window, "K0003")  # the form in use: added all the same
    assert selected(screen) == ["K0002", "K0003"]
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)
    sign_with(monkeypatch, PASSWORDS["pharm"], witness=PASSWORDS["tech"])
    assert screen.destroy_button.shortcut() == QKeySequence("Alt+D")
    alt(qtbot, window, Qt.Key.Key_D, lambda: "destroyed" in screen.message.text())
    assert "2 kits, 42 tablets, destroyed on" in screen.message.text(), screen.message.text()
    assert [status_of(pharmacy, k) for k in ("K0002", "K0003")] == [KitStatus.DESTROYED] * 2


def test_a_kit_scanned_on_another_screen_opens_the_inventory_with_it_alone(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The list is the screen's while it is shown: left, the next kit scanned starts again."""
    window, screen = inventory_at_the_scanner(qtbot, pharmacy)
    scan(qtbot, window, "K0002")
    scan(qtbot, window, "K0003")
    assert selected(screen) == ["K0002", "K0003"]
    window.show_screen(DashboardScreen)
    scan(qtbot, window, "K0005")
    assert window.current_screen() is screen
    assert selected(screen) == ["K0005"]
