"""The printer each label stock is loaded in, and a label sent straight to it: at the counter a
signed dispense's label prints with no dialog, so the printer of each stock is chosen once per
workstation (in the first-run set-up, or later by an administrator in Settings, each change
recorded in the audit trail) and checked with a calibration page, which anyone who opens the
printers (Reports and labels) may print.

A printer is reached through `printer_for`, one seam between a printer's name and Qt: a
system printer by name, or "file:<path>", a PDF file written as a printer would print it (the
tests' printer, and a workstation's stand-in for one)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMarginsF,
    QObject,
    QRectF,
    QSize,
    QSizeF,
)
from PySide6.QtGui import QGuiApplication, QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dispensary.config import Settings
from dispensary.domain.errors import DispensaryError
from dispensary.labels.calibration import calibration_page
from dispensary.labels.stock import STOCKS, LabelStock, calibration_for, get_stock
from dispensary.ui.feedback import MessageBar, give_dismiss_keys

PRINT_DPI = 300
FILE_PRINTER = "file:"
"""The name of a printer that writes a PDF file: "file:/path/to/label.pdf"."""
MM_PER_POINT = 25.4 / 72

Keep = Callable[[Mapping[str, str]], object]
"""Saves the bindings given in the workstation's settings (OSError when it cannot)."""
Record = Callable[[QWidget, dict[str, str], dict[str, str], Keep], bool]
"""Records a change of the printers (the dialog asking, the bindings before, after) and saves
it with `Keep` in the same step: False when the user withdrew it (no reason given); raises
DispensaryError when the change is refused, nothing recorded and nothing saved."""


def available_printers() -> list[str]:
    """The printers this computer can print to now (its print system's list)."""
    return list(QPrinterInfo.availablePrinterNames())


def printer_for(name: str) -> QPrinter:
    """A printer by its name, at label resolution; a "file:<path>" name writes that PDF file."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setResolution(PRINT_DPI)
    printer.setCopyCount(1)  # one label per print: it is recorded as one
    if name.startswith(FILE_PRINTER):
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(name.removeprefix(FILE_PRINTER))
    else:
        printer.setPrinterName(name)
    return printer


def label_print_dialog(printer: QPrinter, parent: QWidget | None) -> QPrintDialog:
    """The system's print dialog for labels: one copy and every page. A label print is
    recorded as one print of each label: copies asked for here would go out unmarked under
    that one record (another copy is a reprint, marked and recorded with its reason). Qt's own
    dialog offers no more than one copy; a native one may, and `one_copy` undoes it."""
    printer.setCopyCount(1)
    dialog = QPrintDialog(printer, parent)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCollateCopies, False)
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
    for copies in dialog.findChildren(QSpinBox, "copies"):
        copies.setMaximum(1)
        copies.setEnabled(False)
    return dialog


def one_copy(printer: QPrinter) -> int:
    """The printer set to print one copy, after its dialog (whatever dialog asked): returns
    the copies that were asked for, so that a screen can say only one went out."""
    asked = printer.copyCount()
    printer.setCopyCount(1)
    return asked


def is_connected(name: str) -> bool:
    """Whether the printer is one this computer can print to now. Without this check a name
    the print system does not know would quietly print to nowhere (Qt falls back to a PDF
    writer with no file)."""
    return name.startswith(FILE_PRINTER) or name in available_printers()


def printer_state(name: str) -> QPrinter.PrinterState:
    """What the print system says of the printer now: Error when it knows the printer is
    offline, stopped or faulty (a new QPrinter says Idle whatever the printer is doing). A
    "file:" printer is always ready. Tests replace this function."""
    if name.startswith(FILE_PRINTER):
        return QPrinter.PrinterState.Idle
    return QPrinterInfo.printerInfo(name).state()


def bound_printer(settings: Settings, stock: str) -> str:
    """The printer this workstation loaded with the stock ("" when none is chosen)."""
    return settings.printers.get(stock, "").strip()


def fit_printer_to_stock(printer: QPrinter, stock: LabelStock) -> None:
    """The printer's page set to the stock's page (a roll's label, or the whole sheet) in
    millimetres, its orientation the stock's, with no margin: the label's own margin and the
    saved calibration place the print."""
    width, height = stock.page_width * MM_PER_POINT, stock.page_height * MM_PER_POINT
    portrait = QSizeF(min(width, height), max(width, height))
    page = QPageSize(
        portrait, QPageSize.Unit.Millimeter, stock.name, QPageSize.SizeMatchPolicy.ExactMatch
    )
    orientation = (
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )
    printer.setPageLayout(
        QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    )
    printer.setFullPage(True)


def fit_printer_to(printer: QPrinter, document: QPdfDocument) -> None:
    """The printer's page set to a PDF's first page (a label PDF's page is its stock's page; a
    report's is its paper), as `fit_printer_to_stock` does for a stock."""
    if document.pageCount() < 1:
        return
    size = document.pagePointSize(0)
    width, height = size.width(), size.height()
    portrait = QSizeF(min(width, height), max(width, height))
    page = QPageSize(portrait, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    orientation = (
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )
    printer.setPageLayout(
        QPageLayout(page, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    )
    printer.setFullPage(True)


def pdf_document(pdf: bytes, parent: QObject | None = None) -> QPdfDocument:
    """A PDF held for drawing; its bytes live as long as the document."""
    document = QPdfDocument(parent) if parent is not None else QPdfDocument()
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    return document


def draw_pages(document: QPdfDocument, printer: QPrinter) -> bool:
    """Each page drawn at the printer's resolution, at its true size (labels are to scale).
    False when the printer cannot be opened (switched off, no paper, a file not writable)."""
    painter = QPainter()
    if not painter.begin(printer):
        return False
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            size = document.pagePointSize(page)
            dpi = printer.resolution()
            pixels = QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72))
            image: QImage = document.render(page, pixels)
            painter.drawImage(QRectF(0, 0, pixels.width(), pixels.height()), image)
    finally:
        painter.end()
    return True


def send_pdf(pdf: bytes, name: str, stock: LabelStock) -> str:
    """Sends the PDF to the named printer, its page set to the stock: "" once the print system
    took it, else why it did not, in words to say at once. A failure the print system finds
    later (a jam, paper out mid-job) cannot be known here: the caller says "sent", not
    "printed"."""
    if not is_connected(name):
        return QCoreApplication.translate(
            "LabelPrinters",
            "The printer {printer} is not connected to this computer: check it is switched on"
            " and plugged in.",
        ).format(printer=name)
    if printer_state(name) in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        return QCoreApplication.translate(
            "LabelPrinters",
            "The printer {printer} is offline or reports an error: check it is switched on,"
            " with paper loaded and its cable in.",
        ).format(printer=name)
    printer = printer_for(name)
    fit_printer_to_stock(printer, stock)
    document = pdf_document(pdf)
    try:
        if document.pageCount() < 1:
            return QCoreApplication.translate(
                "LabelPrinters", "The label could not be read for printing."
            )
        if not draw_pages(document, printer):
            return QCoreApplication.translate(
                "LabelPrinters",
                "The printer {printer} did not take the label: check it is switched on, with"
                " paper loaded.",
            ).format(printer=name)
    finally:
        document.deleteLater()
    if printer.printerState() in (QPrinter.PrinterState.Error, QPrinter.PrinterState.Aborted):
        return QCoreApplication.translate(
            "LabelPrinters", "The printer {printer} failed while printing: check it."
        ).format(printer=name)
    return ""


def stock_code(stock: LabelStock) -> str:
    """A label stock's code, as the command and the study file type it (thermal-4x2): the
    tooltip of the stock's description wherever a window names it."""
    return QCoreApplication.translate(
        "LabelPrinters", "Code in the study file and the command: {code}"
    ).format(code=stock.name)


def fit_to_screen(window: QWidget) -> None:
    """The window at the size its contents ask, within the screen's free area."""
    wanted = window.sizeHint().expandedTo(window.minimumSizeHint())
    screen = window.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        free = screen.availableGeometry().size()
        wanted = wanted.boundedTo(free)
    window.resize(wanted)


STOCK_KEYS = "adegh"
"""The Alt keys of the stocks' printers, a row each: not B, N or F (the set-up wizard's Back,
Next and Finish), C or S (the dialog's Close, Cancel and Save, the wizard's Cancel), nor the
calibration pages' (CALIBRATION_KEYS)."""
CALIBRATION_KEYS = "klmop"
"""The Alt keys of the calibration pages' buttons, a row each (five buttons of the same words).
Letters, as every Alt key of the program is: they were the rows' digits, Alt+1 to Alt+5, the
one window keyed by digits, the digits being the program's Ctrl keys (Ctrl+1 to Ctrl+7, the
screens), beside letters for the printers in the same rows."""


class LabelPrintersPanel(QWidget):
    """Each label stock with the printer loaded with it, and a calibration page to check the
    printer places the labels right. `apply()` saves the choice in the workstation's
    settings; nothing is saved before."""

    def __init__(
        self, settings: Settings, settings_file: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("labelPrinters")
        self.settings = settings
        self.settings_file = settings_file
        self.choosers: dict[str, QComboBox] = {}
        self.calibration_buttons: dict[str, QPushButton] = {}
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Choose the printer loaded with each label stock: the counter prints a signed"
                " dispense's label there at once, with no dialog. A stock with no printer is"
                " previewed, then printed through the print dialog."
            )
        )
        intro.setObjectName("printersIntro")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.intro = intro
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("<b>Label stock</b>")), 0, 0)
        grid.addWidget(QLabel(self.tr("<b>Printer</b>")), 0, 1)
        found = available_printers()
        no_printer = self.tr("None: preview, then the print dialog")
        for row, stock in enumerate(STOCKS.values(), start=1):
            # The stock by what it is, with its size, in the reader's language; its code (what
            # the command and the study file take) on hover.
            # On one line: wrapped in the grid, a row was not given the lines' height and the
            # caption was cut at top and bottom. The printer's list gives way instead.
            # Its Alt key leads to its printer: a letter of its row (the stocks' names share
            # no letter of their own in Chinese): STOCK_KEYS.
            caption = QLabel(
                self.tr("{stock} (&{key})", "a stock and the Alt key of its printer").format(
                    stock=stock.shown, key=STOCK_KEYS[row - 1].upper()
                )
            )
            caption.setObjectName(f"stockCaption_{stock.name}")
            caption.setToolTip(stock_code(stock))
            chooser = QComboBox()
            chooser.setObjectName(f"printer_{stock.name}")
            chooser.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            # As wide as "None: ..." reads whole; a longer printer's name is elided (its list
            # shows it whole).
            metrics = chooser.fontMetrics()
            chooser.setMinimumContentsLength(
                -(-metrics.horizontalAdvance(no_printer) // max(1, metrics.horizontalAdvance("x")))
            )
            chooser.addItem(no_printer, "")
            for name in found:
                chooser.addItem(name, name)
            saved = bound_printer(settings, stock.name)
            if saved and chooser.findData(saved) < 0:  # kept, and said, not silently dropped
                gone = self.tr("{printer} (not connected)").format(printer=saved)
                chooser.addItem(saved if is_connected(saved) else gone, saved)
            chooser.setCurrentIndex(max(0, chooser.findData(saved)))
            caption.setBuddy(chooser)
            # Five buttons of the same words: each has its row's letter (CALIBRATION_KEYS).
            button = QPushButton(
                self.tr(
                    "Print calibration page (&{key})", "the Alt key of the row's button"
                ).format(key=CALIBRATION_KEYS[row - 1].upper())
            )
            button.setObjectName(f"calibrate_{stock.name}")
            button.clicked.connect(lambda _=False, key=stock.name: self.print_calibration(key))
            grid.addWidget(caption, row, 0)
            grid.addWidget(chooser, row, 1)
            grid.addWidget(button, row, 2)
            self.choosers[stock.name] = chooser
            self.calibration_buttons[stock.name] = button
        grid.setColumnStretch(1, 1)
        layout.addLayout(grid)
        self.no_printer: QLabel | None = None
        if not found:
            none = QLabel(
                self.tr(
                    "This computer has no printer installed: install the label printer's driver,"
                    " then choose it here."
                )
            )
            none.setObjectName("warningText")
            none.setWordWrap(True)
            layout.addWidget(none)
            self.no_printer = none
        self.message = MessageBar(self)
        layout.addWidget(self.message)

    def chosen(self) -> dict[str, str]:
        """Stock -> printer as chosen on screen (stocks with none left out)."""
        picked = {stock: str(box.currentData() or "") for stock, box in self.choosers.items()}
        return {stock: name for stock, name in picked.items() if name}

    def choose(self, stock: str, printer: str) -> None:
        """Sets a stock's printer as a user would pick it (a printer not listed is added)."""
        box = self.choosers[stock]
        if box.findData(printer) < 0:
            box.addItem(printer, printer)
        box.setCurrentIndex(box.findData(printer))

    def apply(self, bindings: Mapping[str, str] | None = None) -> Path:
        """Saves the printers (`bindings`, else those chosen on screen) in the workstation's
        settings; returns the settings file. When the file cannot be written the printers in
        use stay the ones before."""
        before = self.settings.printers
        self.settings.printers = dict(self.chosen() if bindings is None else bindings)
        try:
            return self.settings.save(self.settings_file)
        except OSError:
            self.settings.printers = before
            raise

    def set_read_only(self) -> None:
        """The printers shown, not changed (a user who may not change them); the calibration
        page still prints on the printer bound to the stock."""
        for box in self.choosers.values():
            box.setEnabled(False)
        # What to do is the administrator's, not this user's: said so, not "choose it here".
        self.intro.setText(
            self.tr(
                "The printer loaded with each label stock: the counter prints a signed"
                " dispense's label there at once, with no dialog. A stock with no printer is"
                " previewed, then printed through the print dialog."
            )
        )
        if self.no_printer is not None:
            self.no_printer.setText(
                self.tr(
                    "This computer has no printer installed: ask an administrator to install the"
                    " label printer's driver and choose it in Settings, Label printers. Until"
                    " then each label is previewed, then printed through the print dialog."
                )
            )

    def print_calibration(self, key: str) -> bool:
        """The stock's calibration page, with its saved calibration, on the printer chosen for
        it: the corner marks should touch the label's corners."""
        stock = get_stock(key)
        name = str(self.choosers[key].currentData() or "")
        if not name:
            self.message.show_message(
                self.tr('Choose a printer for "{stock}" first.').format(stock=stock.shown),
                "error",
            )
            return False
        try:
            pdf = calibration_page(stock, calibration_for(self.settings, stock))
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return False
        why = send_pdf(pdf, name, stock)
        if why:
            self.message.show_message(why, "error")
            return False
        self.message.show_message(
            self.tr(
                'The calibration page of "{shown}" went to {printer}. The corner marks should touch'
                " the label's corners; if not, measure the shift and save it: dispensary label"
                " calibrate --stock {stock} --dx MM --dy MM."
            ).format(shown=stock.shown, stock=stock.name, printer=name),
            "ok",
        )
        return True


class LabelPrintersDialog(QDialog):
    """The panel in a dialog of its own, for a workstation already set up. With `record` (an
    administrator's Settings) the printers can be changed: the change is recorded and saved in
    the workstation's settings in one step. Without it they are only shown, with their
    calibration pages."""

    def __init__(
        self,
        parent: QWidget | None,
        settings: Settings,
        settings_file: Path | None = None,
        record: Record | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Label printers"))
        self.setObjectName("labelPrintersDialog")
        self.record = record
        layout = QVBoxLayout(self)
        self.panel = LabelPrintersPanel(settings, settings_file, self)
        layout.addWidget(self.panel)
        if record is None:
            self.panel.set_read_only()
            note = QLabel(
                self.tr(
                    "An administrator changes the printers of this workstation (Settings, Label"
                    " printers); each change is kept in the audit trail."
                )
            )
            note.setObjectName("printersReadOnly")
            note.setWordWrap(True)
            layout.addWidget(note)
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
            give_dismiss_keys(buttons)
            buttons.rejected.connect(self.reject)
        else:
            buttons = QDialogButtonBox(
                QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
            )
            buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("&Save"))
            give_dismiss_keys(buttons)
            buttons.accepted.connect(self._save)
            buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        if record is None:
            # Enter (a scanner's too) closes the printers shown: the printers' lists taking no
            # cursor, the first calibration page had it, as the default, and an Enter printed
            # it. The cursor starts on Close, the default (made so once in the dialog).
            close = buttons.button(QDialogButtonBox.StandardButton.Close)
            close.setDefault(True)
            close.setFocus()
        fit_to_screen(self)

    def _save(self) -> None:
        if self.record is None:
            return
        before = dict(self.panel.settings.printers)
        after = self.panel.chosen()
        try:
            if not self.record(self, before, after, self.panel.apply):
                return  # withdrawn: nothing recorded, nothing saved
        except DispensaryError as exc:
            self.panel.message.show_message(exc.message, "error")
            return
        self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        settings: Settings,
        settings_file: Path | None = None,
        record: Record | None = None,
    ) -> bool:
        """True once the printers are changed and saved. Tests replace this method."""
        dialog = cls(parent, settings, settings_file, record)
        return dialog.exec() == QDialog.DialogCode.Accepted
