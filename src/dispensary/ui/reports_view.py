"""Reports and labels: pick one, give its parameters, and the PDF is made on a worker thread,
previewed here, saved as PDF or printed. A label or leaflet goes into the audit trail once it
is saved or printed (a preview is not a print), a second one as a reprint with its reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    Signal,
)
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dispensary.db.faults import write_error_text
from dispensary.db.files import write_private
from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.labels.calibration import calibration_page
from dispensary.labels.dispensing import dispensing_label
from dispensary.labels.kit import kit_labels
from dispensary.labels.leaflet import participant_leaflet
from dispensary.labels.stock import STOCKS, calibration_for, choose_stock, get_stock
from dispensary.reports import (
    audit_pdf,
    darf_pdf,
    destruction_pdf,
    expiry_pdf,
    inventory_pdf,
    lot_pdf,
    monitor_pack_pdf,
    participant_pdf,
    reconciliation_pdf,
)
from dispensary.services import queries, reconciliation, report_data
from dispensary.services.permissions import may
from dispensary.ui.forms import DateRange, ReasonDialog, action_button, attempt, text_field
from dispensary.ui.label_preview import PRINT_DPI, draw_pages
from dispensary.ui.screen import ALL_ROLES, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import titled_page, wrapped_label

LABEL_PAGE_WIDEST = 400
"""Pages narrower than this (points) are labels: shown near their size, several at once."""
LABEL_ZOOM = 1.5
PAPERS = {"a4": "A4", "letter": "US Letter"}
"""Leaflet paper sizes: the renderer's key and the name a user (and the audit trail) reads."""


@dataclass(frozen=True)
class Choice:
    """One report or label the user can pick, and the parameters it asks for."""

    key: str
    title: str
    params: frozenset[str]
    label: bool = False
    needs_dates: bool = False


CHOICES = (
    Choice("darf", "Drug accountability record (DARF)", frozenset({"product", "dates"})),
    Choice("inventory", "Inventory on hand", frozenset({"product"})),
    Choice("expiry", "Expiry: stock expiring soon", frozenset({"days"})),
    Choice("participant", "Participant history", frozenset({"participant"})),
    Choice("reconciliation", "Reconciliation", frozenset()),
    Choice("destruction", "Destruction log", frozenset({"dates"})),
    Choice("audit", "Audit trail", frozenset({"dates"})),
    Choice("lot", "Lot trace (recall list)", frozenset({"lot"})),
    Choice("monitor", "Monitor visit pack", frozenset({"dates"}), needs_dates=True),
    Choice("kit_labels", "Kit labels for a shipment", frozenset({"shipment", "stock"}), True),
    Choice("dispense_label", "Dispensing label", frozenset({"dispense", "stock"}), True),
    Choice("leaflet", "Participant leaflet", frozenset({"dispense", "paper"}), True),
    Choice("calibration", "Label calibration page", frozenset({"stock"}), True),
)


@dataclass(frozen=True)
class Made:
    """A finished PDF, with what to record in the audit trail when labels are printed."""

    title: str
    file_name: str
    pdf: bytes
    label_kind: str = ""
    label_items: tuple[str, ...] = ()
    reprint: bool = False
    stock: str = ""


class JobSignals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)


class ReportJob(QRunnable):
    """Runs the service reads and the renderer away from the window, so it never freezes."""

    def __init__(self, number: int, make: Callable[[], Made]) -> None:
        super().__init__()
        self.number = number
        self.make = make
        self.signals = JobSignals()

    def run(self) -> None:
        try:
            made = self.make()
        except DispensaryError as exc:
            self.signals.failed.emit(self.number, exc.message)
        except Exception as exc:  # a worker must report, not die: shown in plain words
            self.signals.failed.emit(
                self.number,
                f"The document could not be made ({type(exc).__name__}: {exc}). "
                "Try again; if it happens again, tell the administrator.",
            )
        else:
            self.signals.done.emit(self.number, made)


class ReportsScreen(Screen):
    title = "Reports and labels"
    shortcut = "Ctrl+9"
    roles = ALL_ROLES

    report_ready = Signal()
    """Emitted when a PDF is in the preview (or the attempt failed): tests wait on it."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.made: Made | None = None
        self._job = 0
        self._jobs: dict[int, ReportJob] = {}
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None
        self.document = QPdfDocument(self)

        layout, self.message = titled_page(self, "Reports and labels")
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._chooser())
        splitter.addWidget(self._preview())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([400, 900])
        layout.addWidget(splitter, 1)
        self.choices.setCurrentRow(0)

    # building -----------------------------------------------------------------------------

    def _chooser(self) -> QWidget:
        panel = QWidget()
        panel.setMinimumWidth(380)
        panel.setMaximumWidth(480)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 8, 0)
        self.choices = QListWidget()
        self.choices.setObjectName("reportChoices")
        may_print = may(self.session.actor, "print_label")
        for choice in CHOICES:
            if choice.label and not may_print:
                continue
            item = QListWidgetItem(("Label: " if choice.label else "") + choice.title)
            item.setData(Qt.ItemDataRole.UserRole, choice.key)
            self.choices.addItem(item)
        self.choices.setSpacing(2)
        self.choices.currentRowChanged.connect(self._choice_changed)
        column.addWidget(self.choices, 1)

        box = QGroupBox("Parameters")
        self.params = QFormLayout(box)
        self.params.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        self.product = QComboBox()
        self.product.setObjectName("reportProduct")
        self.product.addItem("All products", "")
        for product in self.session.ctx.study.products:
            self.product.addItem(f"{product.name} {product.strength}", product.code)
        self.participant = QComboBox()
        self.participant.setObjectName("reportParticipant")
        self.lot = QComboBox()
        self.lot.setObjectName("reportLot")
        self.shipment = QComboBox()
        self.shipment.setObjectName("reportShipment")
        self.dispense = text_field("reportDispense", "Scan the label or type e.g. DSP000012")
        self.days = QSpinBox()
        self.days.setObjectName("reportDays")
        self.days.setRange(0, 730)
        self.days.setValue(90)
        self.days.setSuffix(" days")
        self.dates = DateRange(self.session.ctx.clock.today(), stacked=True)
        self.paper = QComboBox()
        self.paper.setObjectName("reportPaper")
        for key, name in PAPERS.items():
            self.paper.addItem(name, key)
        self.stock = QComboBox()
        self.stock.setObjectName("reportStock")
        for stock in STOCKS.values():
            self.stock.addItem(f"{stock.name}: {stock.description}", stock.name)
        chosen = attempt(
            self.message,
            lambda: choose_stock(self.session.ctx.study, self.session.settings),
        )
        if chosen is not None:
            self.stock.setCurrentIndex(self.stock.findData(chosen.name))
        self.rows: dict[str, QWidget] = {
            "product": self.product,
            "participant": self.participant,
            "lot": self.lot,
            "shipment": self.shipment,
            "dispense": self.dispense,
            "days": self.days,
            "dates": self.dates,
            "stock": self.stock,
            "paper": self.paper,
        }
        names = {
            "product": "Product",
            "participant": "Participant",
            "lot": "Lot",
            "shipment": "Shipment",
            "dispense": "Dispense",
            "days": "Expiring within",
            "dates": "Period",
            "stock": "Label stock",
            "paper": "Paper",
        }
        for key, widget in self.rows.items():
            if isinstance(widget, QComboBox):
                widget.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                widget.setMinimumContentsLength(24)
            self.params.addRow(names[key], widget)
        self.no_params = QLabel("Nothing to choose: it covers all records.")
        self.params.addRow(self.no_params)
        self._show_params(CHOICES[0])  # before the box joins the panel, so its size is right
        column.addWidget(box)

        self.generate_button = action_button("Make PDF", "makeReport", self.generate)
        self.generate_button.setDefault(True)
        column.addWidget(self.generate_button)
        self.busy = QProgressBar()
        self.busy.setObjectName("reportBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        column.addWidget(self.busy)
        return panel

    def _preview(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(8, 0, 0, 0)
        self.preview_title = wrapped_label("previewTitle", "The preview appears here.")
        column.addWidget(self.preview_title)
        self.view = QPdfView(panel)
        self.view.setObjectName("reportPreview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        column.addWidget(self.view, 1)
        buttons = QHBoxLayout()
        self.pages = QLabel()
        buttons.addWidget(self.pages, 1)
        self.save_button = action_button("Save as PDF...", "saveReport", self.save)
        self.print_button = action_button("Print...", "printReport", self.print_document)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        column.addLayout(buttons)
        self._set_ready(False)
        return panel

    # choosing -----------------------------------------------------------------------------

    def choice(self) -> Choice:
        item = self.choices.currentItem()
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else CHOICES[0].key
        return next(c for c in CHOICES if c.key == key)

    def choose(self, key: str) -> None:
        for row in range(self.choices.count()):
            if self.choices.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.choices.setCurrentRow(row)
                return
        raise KeyError(key)

    def _choice_changed(self) -> None:
        self._show_params(self.choice())
        self.message.clear_message()

    def _show_params(self, choice: Choice) -> None:
        for key, widget in self.rows.items():
            self.params.setRowVisible(widget, key in choice.params)
        self.params.setRowVisible(self.no_params, not choice.params)
        if choice.needs_dates:
            self.dates.limit.setChecked(True)

    def refresh(self) -> None:
        """Reloads the lists the parameters offer (participants, lots, shipments)."""
        ctx, actor = self.session.ctx, self.session.actor
        people = attempt(self.message, lambda: queries.participants(ctx, actor)) or []
        stock = attempt(self.message, lambda: queries.inventory(ctx, actor)) or []
        arrivals = attempt(self.message, lambda: queries.shipments(ctx, actor)) or []
        self._refill(
            self.participant, [(f"{p.study_number} ({p.initials})", p.study_number) for p in people]
        )
        lots = sorted({(k.lot, k.product, k.expiry) for k in stock})
        self._refill(
            self.lot,
            [
                (f"{lot} ({product}, exp {expiry.isoformat()})", lot)
                for lot, product, expiry in lots
            ],
        )
        self._refill(
            self.shipment,
            [
                (f"{number} (received {day.isoformat()}, {n} kits)", number)
                for number, day, n in arrivals
            ],
        )

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.clear()
        for text, value in items:
            combo.addItem(text, value)
        if current is not None and combo.findData(current) >= 0:
            combo.setCurrentIndex(combo.findData(current))

    # making -------------------------------------------------------------------------------

    def generate(self) -> None:
        self.message.clear_message()
        try:
            make = self._maker(self.choice())
        except DispensaryError as exc:
            self.message.show_message(exc.message)
            return
        self._job += 1
        job = ReportJob(self._job, make)
        job.signals.done.connect(self._done)
        job.signals.failed.connect(self._failed)
        self._jobs[self._job] = job
        self.generate_button.setEnabled(False)
        self.busy.setVisible(True)
        self.preview_title.setText(f"Preparing: {self.choice().title}...")
        self.pool.start(job)

    def _maker(self, choice: Choice) -> Callable[[], Made]:
        """Reads the parameters now, on the window's thread; the returned call does the work."""
        ctx, actor, study = self.session.ctx, self.session.actor, self.session.ctx.study
        since, until = self.dates.value()
        if since is not None and until is not None and since > until:
            raise InvalidInput("The period's first day is after its last day; swap them.")
        stamp = ctx.clock.today().isoformat()
        product = str(self.product.currentData() or "") or None

        def meta() -> report_data.ReportMeta:
            return report_data.report_meta(ctx, actor)

        if choice.key == "darf":
            return lambda: Made(
                choice.title,
                f"DARF {product or 'all products'} {stamp}.pdf",
                darf_pdf(meta(), report_data.darf_records(ctx, actor, product, since, until)),
            )
        if choice.key == "inventory":
            return lambda: Made(
                choice.title,
                f"Inventory {stamp}.pdf",
                inventory_pdf(meta(), study, queries.inventory(ctx, actor, product=product)),
            )
        if choice.key == "expiry":
            days = self.days.value()
            return lambda: Made(
                choice.title,
                f"Expiry {stamp}.pdf",
                expiry_pdf(meta(), study, report_data.expiry_report(ctx, actor, days)),
            )
        if choice.key == "participant":
            person = self._required(self.participant, "Choose the participant.")
            return lambda: Made(
                f"{choice.title}: {person}",
                f"Participant {person} {stamp}.pdf",
                participant_pdf(meta(), study, report_data.participant_report(ctx, actor, person)),
            )
        if choice.key == "reconciliation":
            return lambda: Made(
                choice.title,
                f"Reconciliation {stamp}.pdf",
                reconciliation_pdf(meta(), study, reconciliation.reconcile(ctx, actor)),
            )
        if choice.key == "destruction":
            return lambda: Made(
                choice.title,
                f"Destruction log {stamp}.pdf",
                destruction_pdf(
                    meta(),
                    study,
                    [
                        d
                        for d in queries.destruction_log(ctx, actor)
                        if (since is None or d.destroyed_on >= since)
                        and (until is None or d.destroyed_on <= until)
                    ],
                ),
            )
        if choice.key == "audit":
            return lambda: Made(
                choice.title,
                f"Audit trail {stamp}.pdf",
                audit_pdf(meta(), study, report_data.audit_report(ctx, actor, since, until)),
            )
        if choice.key == "lot":
            lot = self._required(self.lot, "Choose the lot.")
            return lambda: Made(
                f"{choice.title}: lot {lot}",
                f"Lot trace {lot} {stamp}.pdf",
                lot_pdf(meta(), study, report_data.lot_trace(ctx, actor, lot)),
            )
        if choice.key == "monitor":
            if since is None or until is None:
                raise InvalidInput("Give the period of the monitor's visit.")
            first, last = since, until
            return lambda: Made(
                choice.title,
                f"Monitor pack {first.isoformat()} to {last.isoformat()}.pdf",
                monitor_pack_pdf(meta(), study, report_data.monitor_pack(ctx, actor, first, last)),
            )
        stock = get_stock(str(self.stock.currentData()))
        calibration = calibration_for(self.session.settings, stock)
        if choice.key == "kit_labels":
            shipment = self._required(self.shipment, "Choose the shipment.")

            def make_kit_labels() -> Made:
                rows = report_data.kit_label_rows(ctx, actor, shipment=shipment)
                items = tuple(r.number for r in rows)
                printed = report_data.already_printed(ctx, actor, "kit", items)
                reprint = bool(printed)
                if printed and len(printed) < len(items):
                    raise InvalidInput(
                        f"Labels of {len(printed)} of the {len(items)} kits of {shipment} were "
                        "printed before; reprint those from the kits' own numbers."
                    )
                pdf = kit_labels(study, rows, stock, calibration, reprint=reprint)
                return Made(
                    f"Kit labels of shipment {shipment}" + (" (REPRINT)" if reprint else ""),
                    f"Kit labels {shipment}.pdf",
                    pdf,
                    "kit",
                    items,
                    reprint,
                    stock.name,
                )

            return make_kit_labels
        if choice.key in ("dispense_label", "leaflet"):
            number = self.dispense.text().strip().upper()
            if not number:
                raise InvalidInput("Scan or type the dispense number printed on the label.")
            leaflet = choice.key == "leaflet"
            paper = str(self.paper.currentData())
            kind, what = (
                ("leaflet", "Participant leaflet") if leaflet else ("dispense", "Dispensing label")
            )

            def make_dispensing_label() -> Made:
                # A voided dispense is refused: no bottle may carry its label.
                dispense = report_data.dispense_for_label(ctx, actor, number)
                reprint = bool(report_data.already_printed(ctx, actor, kind, [dispense.number]))
                if leaflet:
                    pdf = participant_leaflet(study, dispense, paper, reprint)
                    medium = f"{PAPERS[paper]} paper"
                else:
                    pdf = dispensing_label(study, dispense, stock, calibration, reprint=reprint)
                    medium = stock.name
                return Made(
                    f"{what} {dispense.number} ({dispense.participant}, cycle "
                    f"{dispense.cycle})" + (" (REPRINT)" if reprint else ""),
                    f"{what} {dispense.number}.pdf",
                    pdf,
                    kind,
                    (dispense.number,),
                    reprint,
                    medium,
                )

            return make_dispensing_label
        return lambda: Made(
            f"Calibration page of {stock.name} ({calibration.text})",
            f"Calibration {stock.name}.pdf",
            calibration_page(stock, calibration),
        )

    @staticmethod
    def _required(combo: QComboBox, advice: str) -> str:
        value = str(combo.currentData() or "")
        if not value:
            raise InvalidInput(advice)
        return value

    def _done(self, number: int, made: object) -> None:
        self._jobs.pop(number, None)
        if number != self._job or not isinstance(made, Made):
            return
        self._finish()
        self.made = made
        self._bytes = QByteArray(made.pdf)
        old = self._buffer
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        if old is not None:
            old.deleteLater()
        self.preview_title.setText(f"<b>{made.title}</b>")
        count = self.document.pageCount()
        if count and self.document.pagePointSize(0).width() < LABEL_PAGE_WIDEST:
            self.view.setZoomMode(QPdfView.ZoomMode.Custom)
            self.view.setZoomFactor(LABEL_ZOOM)
        else:
            self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.pages.setText(f"{count} page{'s' if count != 1 else ''}")
        self._set_ready(True)
        self.report_ready.emit()

    def _failed(self, number: int, text: str) -> None:
        self._jobs.pop(number, None)
        if number != self._job:
            return
        self._finish()
        self.preview_title.setText("Nothing to preview.")
        self.message.show_message(text)
        self.report_ready.emit()

    def _finish(self) -> None:
        self.generate_button.setEnabled(True)
        self.busy.setVisible(False)

    def _set_ready(self, ready: bool) -> None:
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)

    # output -------------------------------------------------------------------------------

    def _reprint_reason(self) -> str | None:
        """Before a label goes out: still as made (not printed by someone else meanwhile), and
        a reprint's reason. "" for a report or a first print; None stops the output."""
        made = self.made
        if made is None:
            return None
        if not made.label_kind:
            return ""
        ctx, actor = self.session.ctx, self.session.actor
        printed = attempt(
            self.message,
            lambda: report_data.already_printed(ctx, actor, made.label_kind, made.label_items),
        )
        if printed is None:
            return None
        if bool(printed) != made.reprint:
            self.message.show_message(
                "These labels were printed from another screen since this PDF was made: make "
                "it again, so that it is marked as a reprint."
            )
            return None
        if not made.reprint:
            return ""
        reason = ReasonDialog.ask(
            self,
            "Reprint",
            f"{made.title}: printed before. Why is it printed again? The reprint is marked "
            "REPRINT and recorded with your reason.",
            "Reprint",
        )
        if reason is None:
            return None
        if not reason.strip():
            self.message.show_message("A reprint is recorded with its reason: give one.")
            return None
        return reason

    def _record_labels(self, reason: str) -> str:
        """Records the labels now out (saved or printed); the refusal's words, or ""."""
        made = self.made
        if made is None or not made.label_kind:
            return ""
        try:
            report_data.record_label_print(
                self.session.ctx,
                self.session.actor,
                made.label_kind,
                made.label_items,
                made.reprint,
                made.stock,
                reason,
            )
        except DispensaryError as exc:
            return exc.message
        return ""

    def save(self) -> None:
        made = self.made
        reason = self._reprint_reason()
        if made is None or reason is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save as PDF", str(Path.home() / made.file_name), "PDF (*.pdf)"
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        target = Path(path)
        try:  # whole or not at all (a half-written label must not be printed), owner-only
            write_private(target, made.pdf)
        except OSError as exc:
            self.message.show_message(write_error_text(exc, target))
            return
        refused = self._record_labels(reason)
        if refused:
            # As the command line does: a label print that cannot be recorded is not kept.
            target.unlink(missing_ok=True)
            self.message.show_message(f"{refused} The file was not kept.")
            return
        self._after_labels()
        self.message.show_message(f"Saved to {path}.", "ok")

    def ask_printer(self) -> QPrinter | None:
        """The printer chosen in the system's print dialog, or None. Tests replace this."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setResolution(PRINT_DPI)
        printer.setDocName(self.made.file_name if self.made else "Dispensary")
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    def print_document(self) -> None:
        reason = self._reprint_reason()
        if reason is None:
            return
        printer = self.ask_printer()
        if printer is None:
            return
        self.print_to(printer)
        where = printer.printerName() or "the printer"
        refused = self._record_labels(reason)
        if refused:
            self.message.show_message(
                f"Sent to {where}, but not recorded in the audit trail: {refused}", "warning"
            )
            return
        self._after_labels()
        self.message.show_message(f"Sent to {where}.", "ok")

    def print_to(self, printer: QPrinter) -> None:
        """Every page drawn at the printer's resolution and true size (labels are to scale)."""
        draw_pages(self.document, printer)

    def _after_labels(self) -> None:
        """A label printed once is a reprint next time: the preview is marked so."""
        made = self.made
        if made is not None and made.label_kind:
            self.changed.emit()
            if not made.reprint:
                self.preview_title.setText(
                    f"<b>{made.title}</b> (printed; make it again to print a marked reprint)"
                )
                self._set_ready(False)

    def handle_scan(self, code: str) -> bool:
        """A dispensing label scanned here names the dispense of a label or leaflet."""
        if self.choice().key not in ("dispense_label", "leaflet"):
            return False
        self.dispense.setText(code.strip().upper())
        return True
