"""No screen, built, flashes a piece of itself as a window of its own: a widget shown before it
was laid out (a role's buttons, the destroy form, the sign-off boxes, the printers button, the
Today screen's card of all studies) became a top-level window, and afterwards the main window
was no longer the active one and nothing had the keyboard, so a code scanned next went nowhere.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from counter_fixtures import Stopwatch
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from dispensary.services import participants, receiving, studies
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screens import OPENS, screen_classes

SCANNER = 0.004  # seconds between the keys a barcode scanner types


class WindowsShown(QObject):
    """Every widget that is shown as a window of its own, other than the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window = window
        self.names: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and watched is not self.window
        ):
            self.names.append(f"{type(watched).__name__}#{watched.objectName()}")
        return False


def open_window(qtbot: QtBot, pharmacy: Pharmacy, username: str) -> MainWindow:
    window = MainWindow(
        pharmacy.session(username), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.scan_catcher.burst.clock = Stopwatch(SCANNER)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def stray_windows(window: MainWindow) -> list[str]:
    """The visible top-level widgets other than the main window."""
    return [
        f"{type(w).__name__}#{w.objectName()}"
        for w in QApplication.topLevelWidgets()
        if w.isVisible() and w is not window
    ]


def open_every_screen(qtbot: QtBot, window: MainWindow) -> None:
    """Each screen of the Go menu opened in turn, as the user does: no window flashes, the
    main window keeps the keyboard."""
    shown = WindowsShown(window)
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(shown)
    try:
        for cls, action in window.go_actions.items():
            action.trigger()
            qtbot.wait(20)
            assert shown.names == [], f"{cls.__name__} showed windows of its own: {shown.names}"
            assert stray_windows(window) == [], cls.__name__
            assert window.isActiveWindow(), cls.__name__
            focus = QApplication.focusWidget()
            assert focus is not None and focus.window() is window, (cls.__name__, focus)
    finally:
        app.removeEventFilter(shown)


@pytest.mark.parametrize("username", ["pharm", "tech", "monitor", "admin"])
def test_every_screen_opens_inside_the_window_for_each_role(
    qtbot: QtBot, pharmacy: Pharmacy, username: str
) -> None:
    window = open_window(qtbot, pharmacy, username)
    open_every_screen(qtbot, window)


def test_the_today_card_of_all_studies_opens_inside_the_window(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    """The card shows only when the user works in several studies: then it was shown before
    it was laid out."""
    admin = pharmacy.actor("admin")
    source = pharmacy.study.source_text.replace(
        f'protocol = "{pharmacy.study.protocol}"', 'protocol = "NCT99999999"'
    )
    studies.add_study(pharmacy.ctx, admin, source, "other.toml", "opens")
    studies.set_access(pharmacy.ctx, admin, "pharm", "NCT99999999", True, "covers both")
    pharm = pharmacy.actor("pharm")
    other = studies.switch_study(pharmacy.ctx, pharm, "NCT99999999")
    kits = receiving.kits_from_range(
        other, "B0001-B0002", "herombopag-7.5mg", "LB1", date(2027, 6, 30), None
    )
    receiving.receive_shipment(other, pharm, "SH-B", kits)
    participants.enroll(
        other,
        pharm,
        "02-001",
        "XY",
        1980,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(other.study),
    )

    window = open_window(qtbot, pharmacy, "pharm")
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.snapshot is not None)
    assert dashboard.all_studies.isVisible()
    # The study switched by the chooser: every screen is built again, the Today card too.
    window.switch_to("NCT99999999")
    qtbot.wait(20)
    assert stray_windows(window) == []
    assert window.isActiveWindow()
    open_every_screen(qtbot, window)


def test_a_scan_that_moves_the_user_leaves_the_keyboard_ready_for_the_next(
    qtbot: QtBot, pharmacy: Pharmacy
) -> None:
    """On the Today screen a kit is scanned: the program opens the Inventory (built then);
    the next code scanned is taken, there, from the field that has the keyboard. (The Return
    screen keeps a kit scanned there and says why: tests/ui/test_counter_return_scans.py.)"""
    window = open_window(qtbot, pharmacy, "pharm")
    window.show_screen(DashboardScreen)
    window.scan_field.setFocus()
    qtbot.keyClicks(window.scan_field, "K0102")
    qtbot.keyClick(window.scan_field, Qt.Key.Key_Return)
    qtbot.wait(50)  # the window system says which window is active after the events
    inventory = window.current_screen()
    assert isinstance(inventory, InventoryScreen)
    assert stray_windows(window) == []
    assert window.isActiveWindow()
    focus: Any = QApplication.focusWidget()
    assert focus is not None and focus.window() is window
    qtbot.keyClicks(focus, "DSP000001")
    qtbot.keyClick(focus, Qt.Key.Key_Return)
    again = window.current_screen()
    assert isinstance(again, ReturnScreen)
    assert again.dispense is not None and again.dispense.number == "DSP000001"
