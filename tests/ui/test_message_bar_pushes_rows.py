"""A long message in a screen's message bar pushes the rows under it down as it is shown, never
over them. The bar took the height of its lines at once (its least height grows the widget
itself), while the rows below kept their place until the screen was laid out again at the next
turn of the event loop: whatever looked at the screen in between (a picture of the window, a
test, code reading the fields' places) found the kit-label refusal's three or four lines over the
"Shipment number" row. The screen is now laid out as the message is shown. The Receive screen's
kit labels printed and their record refused (at 1366x768 and 1920x1080), and the Dispense
screen's first kit taken (at 1366x768), in English and in Chinese."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot
from test_message_bar_lines import pharmacy as pharmacy  # the fixture, for the Dispense test
from test_receive_unrecorded_print import RefusedOnce, printing_session, received
from window_helpers import SCREEN, SHOTS, go_to, main_window, scan

from dispensary.i18n import Language
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import MessageBar

pytestmark = pytest.mark.usefixtures("printer", "styled")
SIZES = pytest.mark.parametrize("size", [SCREEN, (1920, 1080)], ids=["1366", "1920"])


def place(widget: QWidget, screen: QWidget) -> QRect:
    """The widget's rectangle in the screen's coordinates."""
    return QRect(widget.mapTo(screen, widget.rect().topLeft()), widget.size())


def pictured(window: QWidget, name: str) -> None:
    """The window as it is now, without the events waiting (`shoot` handles them first), saved
    as NAME.png in the DISPENSARY_TEST_SHOTS folder, if named."""
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, f"{name}.png"))


def clear_of(bar: MessageBar, screen: QWidget, widgets: list[QWidget]) -> None:
    """The bar whole (as tall as its lines at its width) and over none of `widgets`."""
    assert bar.isVisible()
    assert bar.height() >= bar.heightForWidth(bar.width()), (bar.height(), bar.text())
    for widget in widgets:
        assert not place(bar, screen).intersects(place(widget, screen)), (
            widget.objectName() or widget.metaObject().className(),
            place(bar, screen),
            place(widget, screen),
        )


@SIZES
def test_the_refused_kit_label_record_pushes_the_shipment_row_down(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: Language,
    size: tuple[int, int],
) -> None:
    RefusedOnce(monkeypatch)
    window = main_window(qtbot, printing_session(counter, tmp_path), size)
    screen = received(qtbot, window)
    bar = screen.message
    qtbot.waitUntil(lambda: bar.height() >= bar.heightForWidth(bar.width()))
    one_message = bar.height()

    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)  # the record refused

    assert bar.kind == "warning" and screen.unrecorded is not None, bar.text()
    pictured(window, f"receive-refused-record-{language.value}-{size[0]}")
    assert bar.height() > one_message  # long indeed: more lines than the receipt's message
    [label] = [w for w in screen.findChildren(QLabel) if w.buddy() is screen.shipment]
    clear_of(bar, screen, [screen.shipment, label, screen.scan_field])
    assert place(screen.shipment, screen).top() > place(bar, screen).bottom()


def test_a_kit_taken_on_dispense_pushes_the_kit_row_down(
    qtbot: QtBot, pharmacy: Counter, language: Language
) -> None:
    """The same bar on the Dispense screen: the first kit scanned, its two lines ("Kit B0001
    taken. The kits scanned hold ...") lay over the kit field."""
    window = main_window(qtbot, pharmacy.session("pharm"))
    screen = go_to(window, DispenseScreen)
    scan(qtbot, screen.participant_field, "01-001")
    screen.observation_fields["weight"].setText("70")
    bar = screen.message
    qtbot.waitUntil(lambda: bar.height() >= bar.heightForWidth(bar.width()))
    one_line = bar.height()

    scan(qtbot, screen.kit_field, "B0001")

    assert bar.text().count("B0001") == 1, bar.text()
    pictured(window, f"dispense-kit-taken-{language.value}")
    assert bar.height() > one_line
    clear_of(bar, screen, [screen.participant_field, screen.kit_field])
