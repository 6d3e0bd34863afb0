"""The counter's label preview opens on the first label of a sheet, large enough to read (it fit
the whole A4 sheet in the window: at 1366 x 768 the label's text was a few pixels high and the
white-on-black DOSE CHANGED band unreadable), with keys and buttons to zoom."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdfWidgets import QPdfView
from pytestqt.qtbot import QtBot
from reportlab.pdfgen.canvas import Canvas

from dispensary.labels import get_stock
from dispensary.labels.render import render_labels
from dispensary.labels.stock import NO_CALIBRATION
from dispensary.ui.label_preview import LabelPreviewDialog


def draw(canvas: Canvas) -> None:
    canvas.drawString(10, 10, "DOSE CHANGED")


def opened(qtbot: QtBot, pdf: bytes) -> LabelPreviewDialog:
    dialog = LabelPreviewDialog(None, "Dispensing label", pdf, "label.pdf")
    qtbot.addWidget(dialog)
    dialog.resize(960, 690)  # as on a 1366 x 768 laptop's screen
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(
        lambda: (
            dialog.view.zoomMode() is QPdfView.ZoomMode.Custom
            or (dialog.focus is None and dialog._opened)
        )
    )
    return dialog


def shown_width(dialog: LabelPreviewDialog, points: float) -> float:
    """Pixels `points` take on screen at the preview's zoom."""
    return points * dialog.view.zoomFactor() * dialog.view.logicalDpiX() / 72


@pytest.mark.parametrize("position", [1, 4])
def test_a_sheet_opens_on_its_first_label(qtbot: QtBot, position: int) -> None:
    stock = get_stock("a4-sheet")
    pdf = render_labels(stock, NO_CALIBRATION, [draw], "Dispensing label", position)
    dialog = opened(qtbot, pdf)
    assert dialog.focus is not None
    width = dialog.view.viewport().width()
    label = shown_width(dialog, stock.label_width)
    assert 0.8 * width <= label <= width, "the label fills the window's width"
    # Scrolled to it: its top-left corner near the view's.
    x, bottom = stock.origin(position - 1)
    top = stock.page_height - bottom - stock.label_height
    scale = shown_width(dialog, 1)
    assert abs(dialog.view.horizontalScrollBar().value() - x * scale) < 0.1 * width
    assert abs(dialog.view.verticalScrollBar().value() - top * scale) < 60

    zoom = dialog.view.zoomFactor()
    qtbot.keyClick(dialog, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomFactor() < zoom
    qtbot.keyClick(dialog, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomFactor() > zoom
    qtbot.keyClick(dialog, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomMode() is QPdfView.ZoomMode.FitInView
    qtbot.mouseClick(dialog.zoom_in_button, Qt.MouseButton.LeftButton)
    assert dialog.view.zoomMode() is QPdfView.ZoomMode.Custom
    assert not dialog.print_button.isHidden() and dialog.print_button.isDefault()


def test_a_label_printers_label_is_shown_whole(qtbot: QtBot) -> None:
    """A roll's page is the label: the whole of it in the window."""
    pdf = render_labels(get_stock("thermal-4x2"), NO_CALIBRATION, [draw], "Dispensing label")
    dialog = opened(qtbot, pdf)
    assert dialog.focus is None
    assert dialog.view.zoomMode() is QPdfView.ZoomMode.FitInView
