"""A label printed at the counter: straight to its stock's printer when the workstation has one
for it, else (or when asked) on screen first: Print, Save, or Close. A label is recorded in the
audit trail once printed or saved, never for a preview closed unused or a printer that failed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QRectF, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.errors import DispensaryError
from dispensary.files import before_detail, write_error_text, write_private
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.catalogue import LabelSheet
from dispensary.labels.stock import STOCKS, get_stock
from dispensary.services import labels as label_prints
from dispensary.services.documents import Values
from dispensary.services.labels import PrintPlan, PrintRefused
from dispensary.services.results import DispenseResult, ReceiveResult
from dispensary.ui.feedback import MessageBar
from dispensary.ui.label_printers import (
    PRINT_DPI,
    bound_printer,
    draw_pages,
    fit_printer_to,
    label_print_dialog,
    one_copy,
    send_pdf,
)
from dispensary.ui.session import AppSession

Outcome = Literal["printed", "saved", ""]
"""What became of a previewed label: sent to a printer, saved as a PDF, or neither."""

Check = Callable[[], str]
"""Asked just before a previewed label goes out: "" while it may, else why not (the service's
refusal: the dispense was voided or came back, or the label was printed elsewhere, since the
preview was made)."""


LABELS_ON = re.compile(r"Labels on (\S+) stock(?:, from position (\d+))?")
"""A label PDF's subject (labels.render.new_canvas): its stock, and its first label's position."""
AROUND_LABEL = 12.0
"""Points shown around the first label the preview opens on (a calibration's offset too)."""
ZOOM_STEP = 1.25


def first_label_area(subject: str) -> QRectF | None:
    """Where the first label printed is on its sheet (points from the page's top-left corner,
    with a little around it), read from the PDF's subject; None for a page that is the label
    (a label printer's roll), or no labels (a leaflet, a calibration page)."""
    found = LABELS_ON.fullmatch(subject.strip())
    stock = STOCKS.get(found.group(1)) if found else None
    if found is None or stock is None or not stock.is_sheet:
        return None
    slot = (int(found.group(2) or 1) - 1) % stock.per_page
    x, bottom = stock.origin(slot)  # PDF coordinates: from the bottom-left corner
    top = stock.page_height - bottom - stock.label_height
    return QRectF(
        x - AROUND_LABEL,
        top - AROUND_LABEL,
        stock.label_width + 2 * AROUND_LABEL,
        stock.label_height + 2 * AROUND_LABEL,
    )


class LabelPreviewDialog(QDialog):
    """Shows the PDF as it will print; Print is the default button so Enter prints. `check`
    is asked before the label is printed or saved (the preview may stay open while another
    workstation voids the dispense): refused, nothing goes out and the refusal is shown."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        pdf: bytes,
        file_name: str = "label.pdf",
        check: Check | None = None,
        note: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("labelPreview")
        # As large as the screen allows (a 1366 x 768 laptop's too), the label read as printed.
        room = QGuiApplication.primaryScreen().availableGeometry()
        self.resize(min(960, int(room.width() * 0.9)), min(760, int(room.height() * 0.9)))
        self.pdf = pdf
        self.file_name = file_name
        self.check = check
        self.refused = ""
        """Why the label may no longer go out ("" while it may), once `check` said so."""
        self.printed = False
        self.saved = False
        self._bytes = QByteArray(pdf)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.focus = first_label_area(
            str(self.document.metaData(QPdfDocument.MetaDataField.Subject) or "")
        )
        """The first label's area on a sheet: the preview opens on it (the whole A4 sheet in
        the window left its text a few pixels high), None to show the whole page."""
        self._opened = False

        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{title}</b>")
        layout.addWidget(heading)
        # Why the label is in fewer languages than the study asks (a label text still to
        # confirm): said before it is printed, not only after.
        self.note = QLabel(note)
        self.note.setObjectName("languageNote")
        self.note.setWordWrap(True)
        self.note.setProperty("kind", "warning")
        self.note.setVisible(bool(note))
        layout.addWidget(self.note)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)
        self.view.setObjectName("labelPreviewPages")
        layout.addWidget(self.view, 1)
        self.message = MessageBar(self)
        layout.addWidget(self.message)

        buttons = QHBoxLayout()
        # The zoom, by buttons and keys: the first label, larger or smaller, the whole page.
        self.zoom_out_button = QPushButton(self.tr("Zoom &out"))
        self.zoom_out_button.setToolTip(self.tr("Smaller (Ctrl+-)"))
        self.zoom_in_button = QPushButton(self.tr("Zoom &in"))
        self.zoom_in_button.setToolTip(self.tr("Larger (Ctrl++)"))
        self.whole_button = QPushButton(self.tr("&Whole page"))
        self.whole_button.setToolTip(self.tr("The whole page in the window (Ctrl+0)"))
        for button in (self.zoom_out_button, self.zoom_in_button, self.whole_button):
            button.setAutoDefault(False)  # Enter still prints
            buttons.addWidget(button)
        self.zoom_out_button.clicked.connect(self.zoom_out)
        self.zoom_in_button.clicked.connect(self.zoom_in)
        self.whole_button.clicked.connect(self.whole_page)
        for keys, act in (
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            (QKeySequence("Ctrl+="), self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (QKeySequence("Ctrl+0"), self.whole_page),
        ):
            QShortcut(keys, self, act)
        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setDefault(True)
        self.print_button.setAutoDefault(True)
        self.save_button = QPushButton(self.tr("&Save as PDF…"))
        self.close_button = QPushButton(self.tr("&Close"))
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.print_button)
        layout.addLayout(buttons)
        self.print_button.clicked.connect(self.print_pdf)
        self.save_button.clicked.connect(self.save_pdf)
        self.close_button.clicked.connect(self.accept)
        QShortcut(QKeySequence.StandardKey.Print, self, self.print_pdf)
        self.print_button.setFocus()

    @property
    def pages(self) -> int:
        return self.document.pageCount()

    def showEvent(self, event: QShowEvent) -> None:  # Qt's name
        super().showEvent(event)
        if not self._opened:  # once laid out: the zoom is worked out from the window's size
            self._opened = True
            QTimer.singleShot(0, self.show_first_label)

    def _points_to_pixels(self) -> float:
        """Pixels a point at zoom 1, as the view draws a page (the screen's logical DPI)."""
        return self.view.logicalDpiX() / 72.0

    def show_first_label(self) -> None:
        """The first label of a sheet filling the window, the page's top-left corner at it;
        a page that is one label (or a leaflet) whole in the window."""
        if self.focus is None or not self.pages:
            self.whole_page()
            return
        margins = self.view.documentMargins()
        room = self.view.viewport().size()
        unit = self._points_to_pixels()
        zoom = min(
            (room.width() - margins.left() - margins.right()) / (self.focus.width() * unit),
            (room.height() - margins.top() - margins.bottom()) / (self.focus.height() * unit),
        )
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(zoom)
        scale = zoom * unit
        self.view.horizontalScrollBar().setValue(round(self.focus.left() * scale))
        self.view.verticalScrollBar().setValue(round(self.focus.top() * scale))

    def zoom_in(self) -> None:
        self._zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_by(1 / ZOOM_STEP)

    def _zoom_by(self, step: float) -> None:
        zoom = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(min(8.0, max(0.1, zoom * step)))

    def whole_page(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitInView)

    def may_go_out(self) -> bool:
        """Asks `check` just before the label goes out. Refused: said here, and Print and
        Save are disabled (a PDF that may not go out stays on screen only to be closed)."""
        why = self.check() if self.check is not None else ""
        if not why:
            return True
        self.refused = why
        self.print_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.message.show_message(self.tr("Not printed: {why}").format(why=why), "error")
        return False

    def print_pdf(self) -> None:
        if not self.may_go_out():
            return
        printer = self.make_printer()
        dialog = label_print_dialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        one_copy(printer)  # a native dialog's copies: one label, recorded as one print
        if not self.may_go_out():  # the print dialog, too, may have stayed open a while
            return
        if not self.print_to(printer):
            self.message.show_message(
                self.tr("The printer did not take the label: check it, then print again."),
                "error",
            )
            return
        self.printed = True
        self.message.show_message(self.tr("Sent to the printer."), "ok")
        self.accept()

    def make_printer(self) -> QPrinter:
        """A printer set to the label stock's page size and orientation, before the dialog."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setResolution(PRINT_DPI)
        fit_printer_to(printer, self.document)
        return printer

    def print_to(self, printer: QPrinter) -> bool:
        """False when the printer could not be opened."""
        return draw_pages(self.document, printer)

    def save_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save label"), self.file_name, self.tr("PDF (*.pdf)")
        )
        if not path or not self.may_go_out():
            return
        try:  # whole or not at all, readable by its owner only: a label holds study data
            write_private(Path(path), self.pdf)
        except OSError as exc:
            self.message.show_message(write_error_text(exc, path), "error")
            return
        self.saved = True
        self.message.show_message(self.tr("Saved to {path}.").format(path=path), "ok")

    @property
    def outcome(self) -> Outcome:
        return "printed" if self.printed else "saved" if self.saved else ""

    @classmethod
    def show_pdf(
        cls,
        parent: QWidget | None,
        title: str,
        pdf: bytes,
        file_name: str = "label.pdf",
        check: Check | None = None,
        note: str = "",
    ) -> Outcome:
        """Shows the preview until closed; says whether it was printed or saved (neither
        once `check` refused: the caller's `check` keeps its words). `note`: why the label
        is in fewer languages than the study asks, shown above it. Tests replace this
        method."""
        dialog = cls(parent, title, pdf, file_name, check, note)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.exec()
        return dialog.outcome


@dataclass(frozen=True)
class PrintOutcome:
    """Whether labels went to a printer, and a sentence for the screen that asked; `queued`
    when the bound printer failed and the labels wait for a print again; `unrecorded`, the
    print that went out but whose record the database refused: only its record is to retry
    (`record_print`), never a second first print."""

    printed: bool
    text: str
    queued: bool = False
    unrecorded: PrintPlan | None = None
    language_note: str = ""  # why a language the study asks for is not printed

    @property
    def kind(self) -> str:
        """How the screen says it: ok once out and recorded, a warning when out but not
        recorded or not put out, an error when the printer failed and the labels wait."""
        if self.printed:
            return "warning" if self.unrecorded is not None else "ok"
        return "error" if self.queued else "warning"


@dataclass(frozen=True)
class PrintTexts:
    """What the counter says of the labels it was asked to print, in the user's language;
    `{why}` is the service's (or the printer's) reason, as it wrote it."""

    printed: str
    saved: str
    printed_before: str
    cannot_make: str
    not_printed: str
    sent: str  # {printer}: printed with no dialog on the stock's printer
    went: str  # {printer}: as `sent`, when its record was refused (no reprint to suggest)
    failed: str  # {why}: the stock's printer did not take them


def _sheet(session: AppSession, key: str, values: Values) -> LabelSheet:
    """The counter's first print of a label from the catalogue, on this workstation's stock
    and calibration (a label printed before is refused here: a reprint needs its reason, given
    in Reports and labels)."""
    from dispensary import labels

    study = session.ctx.study
    stock = labels.choose_stock(study, session.settings)
    calibration = labels.calibration_for(session.settings, stock)
    entry = label_catalogue.label(key)
    return label_catalogue.plan_label(
        entry, session.ctx, session.actor, values, stock, calibration, reprint=False
    )


def dispensing_label_pdf(session: AppSession, result: DispenseResult) -> tuple[bytes, str]:
    """The dispensing label of a dispense on this workstation's label stock and calibration;
    returns the PDF and the stock's name."""
    sheet = _sheet(session, "dispense", Values(dispense=result.number))
    return sheet.draw(), sheet.plan.stock if sheet.plan else ""


def print_dispensing_label(
    parent: QWidget | None, session: AppSession, result: DispenseResult
) -> PrintOutcome:
    """The new dispense's label, on the stock's printer with no dialog (previewed when the
    workstation has no printer for the stock); a print is recorded in the audit trail."""
    return print_dispense_label(parent, session, result.number)


def print_dispense_label(
    parent: QWidget | None, session: AppSession, number: str, preview: bool = False
) -> PrintOutcome:
    """A dispense's first label: straight to the stock's printer, or previewed (`preview`, or
    no printer bound to the stock) and printed from there."""
    return _print_and_record(
        parent,
        session,
        lambda: _sheet(session, "dispense", Values(dispense=number)),
        PrintTexts(
            printed=QCoreApplication.translate("LabelPrinting", "Label printed."),
            saved=QCoreApplication.translate("LabelPrinting", "Label saved."),
            printed_before=QCoreApplication.translate(
                "LabelPrinting",
                "The label was printed before: to print it again, reprint it from Reports and"
                " labels, with the reason.",
            ),
            cannot_make=QCoreApplication.translate(
                "LabelPrinting", "The label cannot be made: {why}"
            ),
            # The counter's own label (its screen lists it as waiting, with Print again).
            not_printed=QCoreApplication.translate(
                "LabelPrinting",
                "Label not printed: it waits under the form. Press Print again to print it, or "
                "Ctrl+P to preview it again.",
            ),
            sent=QCoreApplication.translate(
                "LabelPrinting",
                "Label sent to {printer}. If it does not come out, reprint it from Reports and"
                " labels (Dispensing label), with the reason.",
            ),
            went=QCoreApplication.translate("LabelPrinting", "Label sent to {printer}."),
            failed=QCoreApplication.translate(
                "LabelPrinting",
                "Label not printed: {why} It waits: press Print again once the printer is back.",
            ),
        ),
        preview,
    )


def print_dispense_leaflet(
    parent: QWidget | None, session: AppSession, number: str
) -> PrintOutcome:
    """A dispense's participant leaflet, the one Reports and labels prints (on A4 paper, in the
    study's languages): previewed, then printed or saved from the preview, as a document on
    paper goes to the office printer, not the label printer. Its first print is recorded in
    the audit trail as the label's is; a leaflet printed before is reprinted from Reports and
    labels, with the reason."""
    return _print_and_record(
        parent,
        session,
        lambda: label_catalogue.plan_label(
            label_catalogue.label("leaflet"),
            session.ctx,
            session.actor,
            Values(dispense=number),
            None,
            None,
            reprint=False,
        ),
        PrintTexts(
            printed=QCoreApplication.translate("LabelPrinting", "Leaflet printed."),
            saved=QCoreApplication.translate("LabelPrinting", "Leaflet saved."),
            printed_before=QCoreApplication.translate(
                "LabelPrinting",
                "The leaflet was printed before: to print it again, reprint it from Reports and"
                " labels (Participant leaflet), with the reason.",
            ),
            cannot_make=QCoreApplication.translate(
                "LabelPrinting", "The leaflet cannot be made: {why}"
            ),
            not_printed=QCoreApplication.translate(
                "LabelPrinting",
                "Leaflet not printed: press Leaflet again to print it, or print it later from "
                "Reports and labels (Participant leaflet).",
            ),
            sent=QCoreApplication.translate("LabelPrinting", "Leaflet sent to {printer}."),
            went=QCoreApplication.translate("LabelPrinting", "Leaflet sent to {printer}."),
            failed=QCoreApplication.translate(
                "LabelPrinting",
                "Leaflet not printed: {why} Print it from Reports and labels (Participant"
                " leaflet) once the printer is back.",
            ),
        ),
        preview=True,
    )


def print_kit_labels(
    parent: QWidget | None, session: AppSession, result: ReceiveResult
) -> PrintOutcome:
    """The labels of the kits just received, on the stock's printer (previewed when the
    workstation has none for it); a print is recorded in the audit trail."""
    count = len(result.kits)
    return _print_and_record(
        parent,
        session,
        lambda: _sheet(session, "shipment", Values(shipment=result.shipment)),
        PrintTexts(
            printed=QCoreApplication.translate(
                "LabelPrinting", "{count} kit labels printed."
            ).format(count=count),
            saved=QCoreApplication.translate("LabelPrinting", "{count} kit labels saved.").format(
                count=count
            ),
            printed_before=QCoreApplication.translate(
                "LabelPrinting",
                "The kit labels were printed before: to print them again, reprint them from"
                " Reports and labels, with the reason.",
            ),
            cannot_make=QCoreApplication.translate(
                "LabelPrinting", "The kit labels cannot be made: {why}"
            ),
            not_printed=QCoreApplication.translate("LabelPrinting", "Kit labels not printed."),
            sent=QCoreApplication.translate(
                "LabelPrinting",
                "{count} kit labels sent to {printer}. If they do not come out, reprint them"
                " from Reports and labels (Kit labels for a shipment), with the reason.",
            ).replace("{count}", str(count)),
            went=QCoreApplication.translate(
                "LabelPrinting", "{count} kit labels sent to {printer}."
            ).replace("{count}", str(count)),
            failed=QCoreApplication.translate(
                "LabelPrinting",
                "Kit labels not printed: {why} Press Print kit labels once the printer is back,"
                " or print them later from Reports and labels (Kit labels for a shipment).",
            ),
        ),
    )


def _print_and_record(
    parent: QWidget | None,
    session: AppSession,
    plan: Callable[[], LabelSheet],
    texts: PrintTexts,
    preview: bool = False,
) -> PrintOutcome:
    """Plans the labels, then sends them to the stock's printer, or previews them when asked
    or when no printer is bound to the stock (a new workstation still prints, through the
    print dialog). services.labels records the print once it is out, never before."""
    try:
        sheet = plan()
    except PrintRefused:
        return PrintOutcome(False, texts.printed_before)
    except DispensaryError as exc:
        return PrintOutcome(False, texts.cannot_make.format(why=exc.message))
    assert sheet.plan is not None  # a label, not a calibration page
    printer = bound_printer(session.settings, sheet.plan.stock)
    if printer and not preview:
        outcome = _send_and_record(session, sheet, printer, texts)
    else:
        outcome = _preview_and_record(parent, session, sheet, texts)
    return _with_language_note(outcome, sheet.plan.language_note)


def _with_language_note(outcome: PrintOutcome, note: str) -> PrintOutcome:
    """Labels put out in fewer languages than the study asks for (a label text still to
    confirm): the service's note, in the user's language, after what was printed, so that
    English labels are never handed out unexplained at a Chinese counter."""
    if not note or not outcome.printed:
        return outcome
    text = QCoreApplication.translate("LabelPrinting", "{done} {note}").format(
        done=outcome.text, note=note
    )
    return replace(outcome, text=text, language_note=note)


def _send_and_record(
    session: AppSession, sheet: LabelSheet, printer: str, texts: PrintTexts
) -> PrintOutcome:
    """No dialog: the labels go to the printer; a printer that fails is said, and nothing is
    recorded, so the labels wait for a print again."""
    assert sheet.plan is not None
    stock = get_stock(sheet.plan.stock)
    failures: list[str] = []
    sent: list[bool] = []

    def send(pdf: bytes) -> bool:
        why = send_pdf(pdf, printer, stock)
        if why:
            failures.append(why)
            return False
        sent.append(True)
        return True

    done = texts.sent.format(printer=printer)
    try:
        row = label_prints.print_labels(
            session.ctx, session.actor, sheet.plan, lambda _: sheet.draw(), send
        )
    except DispensaryError as exc:
        if sent:  # out, but the record was refused
            went = texts.went.format(printer=printer)
            return PrintOutcome(True, _not_recorded(went, exc), unrecorded=sheet.plan)
        return PrintOutcome(False, texts.cannot_make.format(why=exc.message))
    if row is None:
        return PrintOutcome(False, texts.failed.format(why=failures[0] if failures else ""), True)
    return PrintOutcome(True, done)


def _preview_and_record(
    parent: QWidget | None, session: AppSession, sheet: LabelSheet, texts: PrintTexts
) -> PrintOutcome:
    """Shows the labels; once printed or saved (not merely looked at) services.labels records
    the print. Nothing is recorded if the labels cannot be made or are not put out."""
    assert sheet.plan is not None  # a label, not a calibration page
    plan = sheet.plan
    outcomes: list[Outcome] = []
    refused: list[str] = []

    def still_current() -> str:
        """Asked by the preview as Print or Save is pressed: the rules the print was checked
        by before the preview opened (services.labels.still_current), asked again."""
        try:
            label_prints.still_current(session.ctx, session.actor, plan)
        except DispensaryError as exc:
            refused.append(exc.message)
            return exc.message
        return ""

    def show(pdf: bytes) -> bool:
        # The language note only when there is one: a preview replaced in a test keeps the
        # arguments it always had.
        note = (plan.language_note,) if plan.language_note else ()
        outcomes.append(
            LabelPreviewDialog.show_pdf(
                parent, sheet.title, pdf, sheet.file_name, still_current, *note
            )
        )
        return bool(outcomes[-1])

    try:
        row = label_prints.print_labels(
            session.ctx, session.actor, plan, lambda _: sheet.draw(), show
        )
    except DispensaryError as exc:
        if outcomes and outcomes[-1]:  # out, but the record was refused
            return PrintOutcome(
                True, _not_recorded(_done(texts, outcomes[-1]), exc), unrecorded=plan
            )
        return PrintOutcome(False, texts.cannot_make.format(why=exc.message))
    if row is None:
        if refused:  # refused as it was to go out: nothing printed, nothing recorded
            return PrintOutcome(False, texts.cannot_make.format(why=refused[-1]))
        return PrintOutcome(False, texts.not_printed)
    return PrintOutcome(True, _done(texts, outcomes[-1]))


def _not_recorded(done: str, exc: DispensaryError) -> str:
    """What to do is said before the database fault's technical detail, which stays last."""
    return before_detail(
        QCoreApplication.translate(
            "LabelPrinting", "{done} Not recorded in the audit trail: {why}"
        ).format(done=done, why=exc.message),
        QCoreApplication.translate(
            "LabelPrinting",
            "Press Record the print once the database is back (the label is not printed again).",
        ),
    )


@dataclass(frozen=True)
class RecordedPrint:
    """What retrying a waiting print's record came to (`recorded_print`)."""

    why: str = ""
    """Why it was not recorded; "" once it is in the audit trail."""
    already: AuditAction | None = None
    """The entry the print already had in the audit trail when this retry wrote nothing (its
    record went in after all, the answer lost; or its discard): the service's answer
    (LabelPrintRow.already), None when this retry wrote the record."""

    @property
    def discarded_before(self) -> bool:
        """The entry found is the discard of its record, not its record."""
        return self.already is AuditAction.LABEL_PRINT_RECORD_DISCARDED


def record_print(session: AppSession, plan: PrintPlan) -> str:
    """`recorded_print`'s answer as why not: "" once recorded (now, or before)."""
    return recorded_print(session, plan).why


def recorded_print(session: AppSession, plan: PrintPlan) -> RecordedPrint:
    """Records a print that went out but whose record was refused: the record alone, as the
    print was planned (a first print stays a first print; a reprint keeps the reason given
    as it went out: `PrintPlan.reason`), under the print's identity (`PrintPlan.token`): one
    whose record went in after all (its answer lost) is not recorded twice, and leaves the
    waiting list as recorded, the service's word that nothing new was written kept
    (`RecordedPrint.already`) for the screen to say so."""
    try:
        row = label_prints.record_label_print(
            session.ctx,
            session.actor,
            plan.kind,
            plan.items,
            plan.reprint,
            plan.stock,
            plan.reason,
            plan.token,
            languages=plan.languages,  # as it went out: the audit entry says which text
        )
    except PrintRefused as exc:
        if plan.token:  # not this print's record (none is under its identity): said, it waits
            return RecordedPrint(exc.message)
        return RecordedPrint()  # kept by an older version, without an identity: taken as recorded
    except DispensaryError as exc:
        return RecordedPrint(exc.message)
    return RecordedPrint(already=row.already)


def discard_print(session: AppSession, plan: PrintPlan) -> str:
    """A print out whose record waits, discarded knowingly: the discard put in the audit trail
    (services.labels.discard_print_record). "" once written, or once found settled already by
    the print's identity (its record went in after all, or its discard did, the answer lost:
    nothing more is written), else why not: the print then still waits, to record or
    discard."""
    try:
        label_prints.discard_print_record(
            session.ctx,
            session.actor,
            plan.kind,
            plan.items,
            plan.reprint,
            plan.stock,
            token=plan.token,
            languages=plan.languages,
        )
    except DispensaryError as exc:
        return exc.message
    return ""


def _done(texts: PrintTexts, outcome: Outcome) -> str:
    return texts.printed if outcome == "printed" else texts.saved
