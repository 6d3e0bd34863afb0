"""Printing a label sets the printer's page to the label stock: size and orientation, no
margin (a 4 x 2 inch label must not land top-left on an A4 page). No real printer: the page
layout is read back, and a PDF printer's output is measured."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from dispensary.labels import STOCKS, calibration_page, get_stock
from dispensary.ui.label_preview import LabelPreviewDialog


@pytest.mark.parametrize("name", sorted(STOCKS))
def test_the_printer_page_is_the_label_stock(qtbot: QtBot, tmp_path: Path, name: str) -> None:
    stock = get_stock(name)
    dialog = LabelPreviewDialog(None, "Calibration", calibration_page(stock), "c.pdf")
    qtbot.addWidget(dialog)
    printer = dialog.make_printer()
    layout = printer.pageLayout()
    full = layout.fullRectPoints()
    assert (full.width(), full.height()) == (
        pytest.approx(stock.page_width, abs=1),
        pytest.approx(stock.page_height, abs=1),
    )
    wide = stock.page_width > stock.page_height
    assert layout.orientation() == (
        QPageLayout.Orientation.Landscape if wide else QPageLayout.Orientation.Portrait
    )
    margins = layout.margins()
    assert (margins.left(), margins.top(), margins.right(), margins.bottom()) == (0, 0, 0, 0)
    assert printer.fullPage()

    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    dialog.print_to(printer)
    page = PdfReader(io.BytesIO(out.read_bytes())).pages[0]
    assert float(page.mediabox.width) == pytest.approx(stock.page_width, abs=1)
    assert float(page.mediabox.height) == pytest.approx(stock.page_height, abs=1)
