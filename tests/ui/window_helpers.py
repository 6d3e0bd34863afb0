"""Windows shown as a test drives them: at the size of a small laptop's screen, exposed before
the test types into them, and pictured when DISPENSARY_TEST_SHOTS names a folder (to look at
what a test saw). The back office's pharmacy and the languages are fixtures (conftest.py)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.screen import Screen
from dispensary.ui.screens import OPENS, screen_classes

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from dispensary.ui.session import AppSession

S = TypeVar("S", bound=Screen)

SHOTS = os.environ.get("DISPENSARY_TEST_SHOTS", "")  # a folder: save a picture of each window
SCREEN = (1366, 768)


def shoot(widget: QWidget, name: str) -> None:
    """The widget's picture saved as NAME.png in the DISPENSARY_TEST_SHOTS folder, if named."""
    if SHOTS:
        QApplication.processEvents()
        widget.grab().save(os.path.join(SHOTS, f"{name}.png"))


def shown(qtbot: QtBot, widget: QWidget, size: tuple[int, int] | None = SCREEN) -> None:
    """The widget shown at `size` (None: the size it takes), closed by qtbot at the test's
    end, exposed."""
    qtbot.addWidget(widget)
    if size is not None:
        widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)


def refreshed(qtbot: QtBot, screen: S, size: tuple[int, int] | None = SCREEN) -> S:
    """The screen shown (as `shown`), then read from the database."""
    shown(qtbot, screen, size)
    screen.refresh()
    return screen


def main_window(qtbot: QtBot, session: AppSession, size: tuple[int, int] = SCREEN) -> MainWindow:
    """The program's main window of the signed-in session, with every screen, shown."""
    window = MainWindow(session, screen_classes(), {k.value: c for k, c in OPENS.items()})
    shown(qtbot, window, size)
    return window


def today_screen(window: MainWindow) -> DashboardScreen:
    """The main window's Today screen (its first)."""
    dashboard = window.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    return dashboard


def go_to(window: MainWindow, screen: type[S]) -> S:
    """The screen chosen in the window's toolbar (its action triggered), now the one shown."""
    window.go_actions[screen].trigger()
    current = window.current_screen()
    assert isinstance(current, screen)
    return current


def scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    """`code` scanned into `field` as a scanner does: typed, then Enter."""
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def receipt_typed(qtbot: QtBot, window: MainWindow) -> ReceiveScreen:
    """The window's Receive screen, shipment SH-077 of lot L7701 (expiring 2027-09-30) typed
    in, the focus in the kit field for the kits to be scanned."""
    screen = go_to(window, ReceiveScreen)
    qtbot.keyClicks(screen.shipment, "SH-077")
    qtbot.keyClicks(screen.lot, "L7701")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    screen.scan_field.setFocus()
    return screen


def header_widths(view: QTableView) -> list[int]:
    """The width each header's text needs (with the sort arrow on the sorted column only)."""
    header = view.horizontalHeader()
    header.setSortIndicatorShown(False)
    widths = [header.sectionSizeHint(c) for c in range(header.count())]
    header.setSortIndicatorShown(True)
    widths[header.sortIndicatorSection()] = header.sectionSizeHint(header.sortIndicatorSection())
    return widths


def scan_kits_to_pick(qtbot: QtBot, screen: DispenseScreen) -> list[str]:
    """Scans each kit the dispense screen lists to pick, as a scanner does (its number typed
    into the kit field, then Enter): the last asks for the signature when nothing else is
    missing. The kits scanned."""
    kits = [k.number for k in screen.kits_to_scan()]
    for number in kits:
        screen.kit_field.clear()
        qtbot.keyClicks(screen.kit_field, number)
        qtbot.keyClick(screen.kit_field, Qt.Key.Key_Return)
    return kits


def dispense_kits_to_pick(
    qtbot: QtBot, screen: DispenseScreen, enter_in: QWidget | None = None
) -> list[str]:
    """What Enter alone did before each kit handed over had to be scanned: scans each kit to
    pick (`scan_kits_to_pick`); when the last scan did not ask for the signature (a reason or
    a field still to give, a refusal, no kit to pick), Enter in `enter_in` (the kit field
    unless named), which signs or says what is missing. The kits scanned."""
    kits = scan_kits_to_pick(qtbot, screen)
    found = screen.assessment
    asked = bool(kits) and (
        screen.participant is None  # signed, the form cleared for the next participant
        or (found is not None and found.accepted and screen.still_to_type() is None)
    )
    if not asked:
        qtbot.keyClick(enter_in or screen.kit_field, Qt.Key.Key_Return)
    return kits


def answer_eligibility(qtbot: QtBot, dialog: QWidget, sex: str = "f", by: str = "Dr Liu") -> None:
    """The enrolment's sex and the investigator who confirmed eligibility, chosen and typed by
    the user: the dialog fills in neither (a default would record what no one confirmed)."""
    combo = dialog.sex  # type: ignore[attr-defined]
    combo.setCurrentIndex(combo.findData(sex))
    qtbot.keyClicks(dialog.confirmed_by, by)  # type: ignore[attr-defined]
