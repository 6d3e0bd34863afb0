"""Reports and labels: pick one, give its parameters, and the PDF is made on a worker thread,
previewed here, saved as PDF or printed. The list, the parameters and the making of each
document come from the catalogue (reports.catalogue), as the command line's do; a label or
leaflet goes into the audit trail through services.labels once it is saved or printed (a
preview is not a print), a second one as a reprint with its reason.

The screen's own words are translated (Qt). A report is made in the language of the windows,
and the catalogue's titles are shown in it (the reports' own translations, dispensary.i18n);
what the services write (label stocks, refusals) is shown as they wrote it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    Qt,
    QThread,
    Signal,
)
from PySide6.QtGui import QKeySequence
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
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.domain.rules import parse_whole
from dispensary.files import Staged, before_detail, with_detail, write_error_text
from dispensary.i18n import Language, _, speaking
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.catalogue import Label
from dispensary.labels.stock import STOCKS, calibration_for, choose_stock, get_stock
from dispensary.reports import catalogue as report_catalogue
from dispensary.reports.catalogue import Report
from dispensary.services import documents, queries, report_data
from dispensary.services import labels as label_prints
from dispensary.services.documents import PAPERS, Param
from dispensary.services.labels import PrintPlan
from dispensary.services.permissions import Permission, may
from dispensary.ui.audit_pickers import ActionPicker, UserPicker
from dispensary.ui.dashboard import start_reader
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.forms import DateRange, ReasonDialog, action_button, attempt, text_field
from dispensary.ui.label_printers import (
    PRINT_DPI,
    LabelPrintersDialog,
    draw_pages,
    fit_printer_to,
    label_print_dialog,
    one_copy,
)
from dispensary.ui.screen import ALL_ROLES, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.translations import installed_language
from dispensary.ui.widgets import (
    hidden_unless,
    product_label,
    separated,
    shown_date,
    titled_page,
    wrapped_label,
)

LABEL_PAGE_WIDEST = 400
"""Pages narrower than this (points) are labels: shown near their size, several at once."""
LABEL_ZOOM = 1.5
ENTRIES: tuple[Report | Label, ...] = (*report_catalogue.REPORTS, *label_catalogue.LABELS)
"""What the list offers: every report, then every label (to those who may print them)."""
PARAM_NAMES = {
    Param.PRODUCT: QT_TRANSLATE_NOOP("ReportsScreen", "&Product"),
    Param.PARTICIPANT: QT_TRANSLATE_NOOP("ReportsScreen", "Partic&ipant"),
    Param.LOT: QT_TRANSLATE_NOOP("ReportsScreen", "&Lot"),
    Param.SHIPMENT: QT_TRANSLATE_NOOP("ReportsScreen", "&Shipment"),
    Param.DESTRUCTION: QT_TRANSLATE_NOOP("ReportsScreen", "Destr&uction"),
    Param.KITS: QT_TRANSLATE_NOOP("ReportsScreen", "&Kits"),
    Param.KIT: QT_TRANSLATE_NOOP("ReportsScreen", "&Kit"),
    Param.USER: QT_TRANSLATE_NOOP("ReportsScreen", "&User"),
    Param.ACTION: QT_TRANSLATE_NOOP("ReportsScreen", "&Action"),
    Param.TEXT: QT_TRANSLATE_NOOP("ReportsScreen", "Te&xt"),
    Param.DISPENSE: QT_TRANSLATE_NOOP("ReportsScreen", "&Dispense"),
    Param.DAYS: QT_TRANSLATE_NOOP("ReportsScreen", "&Expiring within"),
    Param.WEEKS: QT_TRANSLATE_NOOP("ReportsScreen", "&Weeks ahead"),
    Param.PERIOD: QT_TRANSLATE_NOOP("ReportsScreen", "Peri&od"),
    Param.STOCK: QT_TRANSLATE_NOOP("ReportsScreen", "L&abel stock"),
    Param.PAPER: QT_TRANSLATE_NOOP("ReportsScreen", "Pape&r"),
}
"""Every parameter's row in the form, in this order; a catalogue entry shows its own. In
English, translated (context "ReportsScreen") where shown."""

PAPER_NAMES = (
    QT_TRANSLATE_NOOP("ReportsScreen", "A4"),
    QT_TRANSLATE_NOOP("ReportsScreen", "US Letter"),
)
"""The papers' names (documents.PAPERS) as the paper choice shows them, translated (context
"ReportsScreen"): US Letter is 美国信纸 in Chinese."""


def entry_title(entry: Report | Label, language: Language) -> str:
    """A report's or label's title as the catalogue gives it in `language` (English when the
    catalogue has no translation of it)."""
    with speaking(language):
        return _(entry.title)


@dataclass(frozen=True)
class Made:
    """A finished PDF and, for labels, the print planned (what the audit trail records)."""

    title: str
    file_name: str
    pdf: bytes
    plan: PrintPlan | None = None

    @property
    def label_kind(self) -> str:
        return self.plan.kind if self.plan else ""

    @property
    def label_items(self) -> tuple[str, ...]:
        return self.plan.items if self.plan else ()

    @property
    def reprint(self) -> bool:
        return bool(self.plan and self.plan.reprint)

    @property
    def stock(self) -> str:
        return self.plan.stock if self.plan else ""


class ReportJob(QThread):
    """Runs the service reads and the renderer away from the window, so it never freezes (the
    Reports screen's preview, the Audit trail screen's report saved: `done` carries what
    `make` returned). Started as the Today screen's readers are (dashboard.start_reader):
    never owned by its screen, and waited for when the window closes (`wait_for_workers`), so
    a job is never cut short nor left reading a database closed under it, and a screen gone
    (a sign-out, another study) does not wait for it."""

    done = Signal(int, object)
    failed = Signal(int, str, bool)
    """The job, the words shown, and whether the service refused (not a fault)."""

    def __init__(self, number: int, make: Callable[[], object]) -> None:
        super().__init__()
        self.number = number
        self.make = make

    def run(self) -> None:
        try:
            made = self.make()
        except DispensaryError as exc:
            self.failed.emit(self.number, exc.message, True)
        except Exception as exc:  # a worker must report, not die: shown in plain words
            self.failed.emit(
                self.number,
                with_detail(
                    QCoreApplication.translate(
                        "ReportsScreen",
                        "The document could not be made. Try again; if it happens again, tell "
                        "the administrator.",
                    ),
                    f"{type(exc).__name__}: {exc}",
                ),
                False,
            )
        else:
            self.done.emit(self.number, made)


class ReportsScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Reports and labels"))
    shortcut = QKeySequence("Ctrl+9").toString()
    roles = ALL_ROLES

    report_ready = Signal()
    """Emitted when a PDF is in the preview (or the attempt failed): tests wait on it."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.made: Made | None = None
        self._job = 0
        self._jobs: dict[int, ReportJob] = {}
        self._bytes = QByteArray()
        self._buffer: QBuffer | None = None
        self.document = QPdfDocument(self)
        self.language = installed_language()  # the windows': the reports are made in it

        layout, self.message = titled_page(self, self.tr("Reports and labels"))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._chooser())
        splitter.addWidget(self._preview())
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([340, 820])
        layout.addWidget(splitter, 1)
        self.choices.setCurrentRow(0)

    # building -----------------------------------------------------------------------------

    def _chooser(self) -> QWidget:
        panel = QWidget()
        panel.setMinimumWidth(300)
        panel.setMaximumWidth(420)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 0, 8, 0)
        self.choices = QListWidget()
        self.choices.setObjectName("reportChoices")
        may_print = may(self.session.actor, Permission.PRINT_LABEL)
        for entry in ENTRIES:
            label = isinstance(entry, Label)
            if label and not may_print:
                continue
            # Each document by its one name, as its title and the messages pointing to it say
            # ("Dispensing label"; it read "Label: dispensing" here).
            item = QListWidgetItem(entry_title(entry, self.language))
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            self.choices.addItem(item)
        self.choices.setSpacing(2)
        # A long title ("Participant dispensing and adherence history", as its PDF is titled)
        # goes on over a second line rather than past the column's edge.
        self.choices.setWordWrap(True)
        self.choices.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.choices.currentRowChanged.connect(self._choice_changed)
        # The list has the column's whole height, every report and label in sight: it shared
        # it with the parameters, and its last line was cut in half at 1366x768.
        column.addWidget(self.choices, 1)
        # This workstation's printer for each label stock, shown with its calibration page; an
        # administrator changes them in Settings (audited).
        self.printers_button = action_button(
            self.tr("La&bel printers…"), "labelPrinters", self.show_printers
        )
        column.addWidget(self.printers_button)
        hidden_unless(self.printers_button, may_print)
        return panel

    def _parameters(self) -> QWidget:
        """The chosen report's parameters, and the button that makes it: above the preview."""
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        box = QGroupBox(self.tr("Parameters"))
        self.params = QFormLayout(box)
        self.params.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.product = QComboBox()
        self.product.setObjectName("reportProduct")
        self.product.addItem(self.tr("All products"), "")
        for product in self.session.ctx.study.products:
            self.product.addItem(self.session.ctx.study.product_name(product.code), product.code)
        self.participant = QComboBox()
        self.participant.setObjectName("reportParticipant")
        self.lot = QComboBox()
        self.lot.setObjectName("reportLot")
        self.shipment = QComboBox()
        self.shipment.setObjectName("reportShipment")
        self.destruction = QComboBox()
        self.destruction.setObjectName("reportDestruction")
        self.destruction.setPlaceholderText(self.tr("No destruction on record yet"))
        self.kits = text_field("reportKits", self.tr("Scan the kits or type e.g. K0001, K0002"))
        self.kit = text_field("reportKit", self.tr("All kits, or scan one kit"))
        # The audit trail's other filters, as its screen's (which saves its report with them):
        # its pickers, where typed names gave an empty report for a typo, saying nothing.
        self.audit_user = UserPicker("reportUser")
        self.audit_action = ActionPicker("reportAction")
        self.audit_text = text_field("reportText", self.tr("Kit, participant, dispense, reason..."))
        self.dispense = text_field(
            "reportDispense", self.tr("Scan the label or type e.g. DSP000012")
        )
        # No spin boxes: they dropped the keys they refused without a word ("-3" became 3 days,
        # "1O" 1 week). The numbers are kept as typed; `generate` refuses a text that is no
        # whole number naming the field, the service one out of its range, the cursor back here.
        self.days = text_field("reportDays")
        self.days.setText(str(documents.Values().days))
        self.weeks = text_field("reportWeeks")
        self.weeks.setText(str(documents.Values().weeks))
        for field in (self.days, self.weeks):
            field.returnPressed.connect(self.generate)
        self.dates = DateRange(self.session.ctx.clock.today())
        self.paper = QComboBox()
        self.paper.setObjectName("reportPaper")
        for key, name in PAPERS.items():
            self.paper.addItem(QCoreApplication.translate("ReportsScreen", name), key)
        # The paper last chosen on this workstation (a US site's Letter), else the command's
        # default; a choice is kept in the workstation's settings for the next report.
        last = self.paper.findData(self.session.settings.paper)
        self.paper.setCurrentIndex(
            last if last >= 0 else self.paper.findData(documents.Values().paper)
        )
        self.paper.currentIndexChanged.connect(self._paper_chosen)
        self.stock = QComboBox()
        self.stock.setObjectName("reportStock")
        for stock in STOCKS.values():
            self.stock.addItem(stock.shown, stock.name)
        chosen = attempt(
            self.message,
            lambda: choose_stock(self.session.ctx.study, self.session.settings),
        )
        if chosen is not None:
            self.stock.setCurrentIndex(self.stock.findData(chosen.name))
        widgets: dict[Param, QWidget] = {
            Param.PRODUCT: self.product,
            Param.PARTICIPANT: self.participant,
            Param.LOT: self.lot,
            Param.SHIPMENT: self.shipment,
            Param.DESTRUCTION: self.destruction,
            Param.KITS: self.kits,
            Param.KIT: self.kit,
            Param.USER: self.audit_user,
            Param.ACTION: self.audit_action,
            Param.TEXT: self.audit_text,
            Param.DISPENSE: self.dispense,
            Param.DAYS: self._with_unit(self.days, self.tr("days")),
            Param.WEEKS: self._with_unit(self.weeks, self.tr("weeks")),
            Param.PERIOD: self.dates,
            Param.STOCK: self.stock,
            Param.PAPER: self.paper,
        }
        self.rows = {param: widgets[param] for param in PARAM_NAMES}
        for key, widget in self.rows.items():
            if isinstance(widget, QComboBox):
                widget.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                widget.setMinimumContentsLength(24)
            self.params.addRow(
                QCoreApplication.translate("ReportsScreen", str(PARAM_NAMES[key])), widget
            )
        self.no_params = QLabel(self.tr("Nothing to choose: it covers all records."))
        self.params.addRow(self.no_params)
        self._show_params(ENTRIES[0])  # before the box joins the panel, so its size is right
        line.addWidget(box, 1)

        making = QVBoxLayout()
        making.addStretch(1)
        self.generate_button = action_button(self.tr("&Create PDF"), "makeReport", self.generate)
        self.generate_button.setDefault(True)
        making.addWidget(self.generate_button)
        self.busy = QProgressBar()
        self.busy.setObjectName("reportBusy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setVisible(False)
        making.addWidget(self.busy)
        line.addLayout(making)
        return row

    def _paper_chosen(self) -> None:
        """Keeps the paper chosen as this workstation's; a settings file that cannot be written
        loses only the remembering, not the choice on screen."""
        self.session.settings.paper = str(self.paper.currentData() or "")
        with contextlib.suppress(OSError):
            self.session.settings.save()

    @staticmethod
    def _with_unit(field: QLineEdit, unit: str) -> QWidget:
        """A short number field with its unit after it ("90 days"), as the spin box showed."""
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        field.setMaximumWidth(field.fontMetrics().horizontalAdvance("0") * 12)
        line.addWidget(field)
        line.addWidget(QLabel(unit))
        line.addStretch(1)
        # The row is its label's buddy: its Alt key ("&Expiring within") goes to the field.
        row.setFocusPolicy(field.focusPolicy())
        row.setFocusProxy(field)
        return row

    def _numbers(self) -> dict[Param, QLineEdit]:
        """The typed numbers of the form, by the parameter each gives."""
        return {Param.DAYS: self.days, Param.WEEKS: self.weeks}

    def _number_named(self, param: Param) -> str:
        """The field's name in a refusal of what was typed in it."""
        if param is Param.DAYS:
            return self.tr("number of days (expiring within)")
        return self.tr("number of weeks ahead")

    def _number_again(self, param: Param) -> None:
        """The cursor in the number refused, the text selected: typed again over it."""
        field = self._numbers()[param]
        field.setFocus()
        field.selectAll()

    def _typed_number(self, param: Param) -> int:
        """The whole number typed in the field, negative or out of range too (the service
        refuses it, saying why); a text that is no whole number is refused naming the field,
        never read as another number."""
        return parse_whole(self._numbers()[param].text(), self._number_named(param))

    def _asked_number(self, entry: Report | Label) -> Param | None:
        """The typed number the entry asks for, if any (the expiry's days, the forecast's
        weeks): a refusal of the document is put back to it."""
        params = {f.param for f in entry.fields}
        return next((p for p in self._numbers() if p in params), None)

    def show_printers(self) -> None:
        """The printers of this workstation and their calibration pages, read-only."""
        LabelPrintersDialog.ask(self, self.session.settings)

    def _preview(self) -> QWidget:
        panel = QWidget()
        column = QVBoxLayout(panel)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self._parameters())
        self.preview_title = wrapped_label("previewTitle", self.tr("The preview appears here."))
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
        self.save_button = action_button(self.tr("Sa&ve as PDF..."), "saveReport", self.save)
        self.print_button = action_button(
            self.tr("Print a cop&y..."), "printReport", self.print_document
        )
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        column.addLayout(buttons)
        self._set_ready(False)
        return panel

    # choosing -----------------------------------------------------------------------------

    def choice(self) -> Report | Label:
        item = self.choices.currentItem()
        key = item.data(Qt.ItemDataRole.UserRole) if item is not None else ENTRIES[0].key
        return next(e for e in ENTRIES if e.key == key)

    def _needs_participant(self) -> bool:
        """The entry chosen asks for one participant (not "All participants")."""
        return any(f.param is Param.PARTICIPANT and f.required for f in self.choice().fields)

    def choose(self, key: str) -> None:
        for row in range(self.choices.count()):
            if self.choices.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.choices.setCurrentRow(row)
                return
        raise KeyError(key)

    def _choice_changed(self) -> None:
        self._show_params(self.choice())
        self.message.clear_message()
        if self._jobs.get(self._job) is not None:  # the other entry's document, still being made
            self._job += 1  # its result is not shown
            self._finish()
        # The other entry's document must not stay printable under this one.
        self._clear_preview(self.tr("The preview appears here."))

    def _show_params(self, entry: Report | Label) -> None:
        fields = {f.param: f for f in entry.fields}
        for param, widget in self.rows.items():
            self.params.setRowVisible(widget, param in fields)
        self.params.setRowVisible(self.no_params, not fields)
        period = fields.get(Param.PERIOD)
        if period is not None and period.required:
            self.dates.limit.setChecked(True)
        person = fields.get(Param.PARTICIPANT)
        if person is not None:  # "All participants" where optional (the audit trail), else one
            if not person.required:
                self.participant.setCurrentIndex(0)
            elif not self.participant.currentData() and self.participant.count() > 1:
                self.participant.setCurrentIndex(1)
        lot = fields.get(Param.LOT)
        if lot is not None:  # "All lots" where the lot is optional, a lot where it is needed
            if not lot.required:
                self.lot.setCurrentIndex(0)
            elif not self.lot.currentData() and self.lot.count() > 1:
                self.lot.setCurrentIndex(1)

    def refresh(self) -> None:
        """Reloads the lists the parameters offer (participants, lots, shipments,
        destructions, the audit trail's users)."""
        ctx, actor = self.session.ctx, self.session.actor
        people = attempt(self.message, lambda: queries.participants(ctx, actor)) or []
        stock = attempt(self.message, lambda: queries.inventory(ctx, actor)) or []
        arrivals = attempt(self.message, lambda: queries.shipments(ctx, actor)) or []
        destroyed = attempt(self.message, lambda: report_data.destruction_choices(ctx, actor)) or []
        self._refill(
            self.participant,
            [(self.tr("All participants"), "")]
            + [(f"{p.study_number} ({p.initials})", p.study_number) for p in people],
        )
        if not self.participant.currentData() and self._needs_participant():
            self.participant.setCurrentIndex(min(1, self.participant.count() - 1))
        lots = sorted({(k.lot, k.product, k.expiry) for k in stock})
        self._refill(
            self.lot,
            [(self.tr("All lots"), "")]
            + [
                (
                    # The product as every other screen shows it ("7.5 mg tablet"), not its
                    # code ("herombopag-7.5mg").
                    self.tr("{lot} ({product}, exp {expiry})").format(
                        lot=lot,
                        product=product_label(ctx.study, product),
                        expiry=shown_date(expiry),
                    ),
                    lot,
                )
                for lot, product, expiry in lots
            ],
        )
        self._show_params(self.choice())
        self._refill(
            self.shipment,
            [
                (
                    self.tr("{shipment} (received {day}, {n} kits)").format(
                        shipment=number, day=shown_date(day), n=n
                    ),
                    number,
                )
                for number, day, n in arrivals
            ],
        )
        self._refill(self.destruction, self._destruction_items(destroyed))
        if may(actor, Permission.AUDIT):  # the audit report's users, for whoever may read it
            self.audit_user.load(self.session, self.message)
        if self.destruction.currentIndex() < 0 and self.destruction.count():
            self.destruction.setCurrentIndex(0)  # a placeholder leaves none chosen: the latest

    @staticmethod
    def _destruction_items(
        choices: list[report_data.DestructionChoice],
    ) -> list[tuple[str, str]]:
        """Each destruction (the latest first), then each authorisation that covers several:
        a certificate is made for one or for all of them."""
        items = [(c.text, c.key) for c in choices]
        shared: dict[str, list[report_data.DestructionChoice]] = {}
        for c in reversed(choices):  # the oldest first
            if c.reference:  # as the service matches it: whatever the case
                shared.setdefault(c.reference.casefold(), []).append(c)
        for same in shared.values():
            if len(same) > 1:
                numbers = separated(str(c.destruction_id) for c in same)
                reference = same[0].reference
                text = QCoreApplication.translate(
                    "ReportsScreen", "Authorisation {reference}: destructions No. {numbers}"
                ).format(reference=reference, numbers=numbers)
                items.append((text, reference))
        return items

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
        entry = self.choice()
        asked = self._asked_number(entry)
        if asked is not None:
            try:
                self._typed_number(asked)
            except InvalidInput as exc:  # "1O", "-": said at once, nothing made
                self._clear_preview(self.tr("Nothing to preview."))
                self.message.show_message(exc.message, "error")
                self._number_again(asked)
                return
        mistyped_day = (
            self.dates.mistyped() if any(f.param is Param.PERIOD for f in entry.fields) else None
        )
        if mistyped_day is not None:  # "2026-02-30": said at once, never another day
            typed_in, said = mistyped_day
            self._clear_preview(self.tr("Nothing to preview."))
            self.message.show_message(said, "error")
            typed_in.refuse()  # left as typed, marked, selected to be typed again
            return
        try:
            make = self._maker(entry)
        except DispensaryError as exc:
            self._clear_preview(self.tr("Nothing to preview."))
            self.message.show_message(exc.message)
            # As a date typed wrong: the date to correct (after today; an end before the start)
            if isinstance(exc, documents.PeriodRefused):
                self.dates.end(exc.end).refuse()  # marked, selected to be typed again
            return
        self._job += 1
        job = ReportJob(self._job, make)
        job.done.connect(self._done)
        job.failed.connect(self._failed)
        self._jobs[self._job] = job
        self.generate_button.setEnabled(False)
        self.busy.setVisible(True)
        self._clear_preview(
            self.tr("Preparing: {title}...").format(title=entry_title(self.choice(), self.language))
        )
        start_reader(job)  # waited for when the window closes; garbage collection held off

    def _values(self, entry: Report | Label) -> documents.Values:
        """The parameters as the form shows them, read now, on the window's thread; the period
        only of an entry that shows it (a date typed wrong in the hidden one is not read)."""
        shown = any(f.param is Param.PERIOD for f in entry.fields)
        since, until = self.dates.value() if shown else (None, None)
        return documents.Values(
            product=str(self.product.currentData() or "") or None,
            lot=str(self.lot.currentData() or "") or None,
            participant=str(self.participant.currentData() or "") or None,
            days=self._value_of(Param.DAYS),
            weeks=self._value_of(Param.WEEKS),
            since=since,
            until=until,
            kits=tuple(k for k in self.kits.text().replace(",", " ").upper().split() if k),
            shipment=str(self.shipment.currentData() or "") or None,
            dispense=self.dispense.text().strip().upper() or None,
            paper=str(self.paper.currentData() or documents.Values().paper),
            destruction=str(self.destruction.currentData() or "") or None,
            kit=self.kit.text().strip().upper() or None,
            user=self.audit_user.chosen(),
            action=self.audit_action.chosen(),
            text=self.audit_text.text().strip() or None,
        )

    def _value_of(self, param: Param) -> int:
        """The number typed for `param`; the default when it is no whole number (`generate`
        refuses that before it is used, for the entry that asks for it)."""
        try:
            return self._typed_number(param)
        except InvalidInput:
            defaults = documents.Values()
            return defaults.days if param is Param.DAYS else defaults.weeks

    def _maker(self, entry: Report | Label) -> Callable[[], Made]:
        """Reads and checks the parameters now; the returned call does the work (the service
        reads and the drawing), on the worker."""
        ctx, actor, language = self.session.ctx, self.session.actor, self.language
        values = self._values(entry)
        # Today too: a period after it (the dates have no maximum) is refused at once, in the
        # service's words, before anything is made.
        documents.check(entry.fields, values, ctx.clock.today())
        if isinstance(entry, Report):

            def make_report() -> Made:
                # The worker thread does not share the window's language: it is given here.
                with speaking(language):
                    document = report_catalogue.make_report(entry, ctx, actor, values)
                return Made(document.title, document.file_name, document.data)

            return make_report
        stock = get_stock(str(self.stock.currentData())) if entry.on_stock else None
        calibration = calibration_for(self.session.settings, stock) if stock else None

        def make_label() -> Made:
            # A second print is planned as a reprint: the preview shows REPRINT.
            sheet = label_catalogue.plan_label(entry, ctx, actor, values, stock, calibration)
            return Made(sheet.title, sheet.file_name, sheet.draw(), sheet.plan)

        return make_label

    def _done(self, number: int, made: object) -> None:
        self._jobs.pop(number, None)  # let go by dashboard's reaper when it has finished
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
        self.pages.setText(
            self.tr("1 page") if count == 1 else self.tr("{n} pages").format(n=count)
        )
        self._set_ready(True)
        self.report_ready.emit()

    def _failed(self, number: int, text: str, refused: bool) -> None:
        self._jobs.pop(number, None)  # let go by dashboard's reaper when it has finished
        if number != self._job:
            return
        self._finish()
        self._clear_preview(self.tr("Nothing to preview."))
        self.message.show_message(text)
        asked = self._asked_number(self.choice())
        if refused and asked is not None:  # its one parameter: "-3 days", "200 weeks"
            self._number_again(asked)
        self.report_ready.emit()

    def _finish(self) -> None:
        self.generate_button.setEnabled(True)
        self.busy.setVisible(False)

    def _clear_preview(self, title: str) -> None:
        """No document on screen, nothing to save or print: a refused or another entry's
        document must not stay in the preview, printable under the new title."""
        self.made = None
        self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
        self._bytes = QByteArray()
        self.pages.clear()
        self.preview_title.setText(title)
        self._set_ready(False)

    def _set_ready(self, ready: bool) -> None:
        self.save_button.setEnabled(ready)
        self.print_button.setEnabled(ready)

    # output -------------------------------------------------------------------------------

    def _reprint_reason(self) -> str | None:
        """Before a label goes out: its reason if it is a reprint, checked by the print rule
        with whether it is still as made. "" for a report or a first print; None stops."""
        made = self.made
        if made is None:
            return None
        if made.plan is None:
            return ""
        ctx, actor, plan = self.session.ctx, self.session.actor, made.plan
        # Refused before a reason is asked: a PDF that no longer says what is so.
        if attempt(self.message, lambda: label_prints.still_current(ctx, actor, plan)) is None:
            return None
        reason = ""
        if made.reprint:
            asked = ReasonDialog.ask(
                self,
                self.tr("Reprint"),
                self.tr(
                    "{title}: printed before. Why is it printed again? The reprint is marked "
                    "REPRINT and recorded with your reason."
                ).format(title=made.title),
                self.tr("&Reprint"),
            )
            if asked is None:
                return None
            reason = asked
        return attempt(self.message, lambda: label_prints.confirm(ctx, actor, plan, reason))

    def _put_out(
        self,
        reason: str,
        output: Callable[[bytes], bool],
        withdraw: Callable[[], None] | None,
        failed: str = "",
    ) -> tuple[bool, str]:
        """Puts the document out; a label through services.labels, which records it once out
        (nothing if the output fails: `output` returns False, said as `failed`). Whether it went
        out, and the refusal's words or ""."""
        made = self.made
        if made is None:
            return False, ""
        went: list[bool] = []

        def out(pdf: bytes) -> bool:
            if not output(pdf):
                return False
            went.append(True)
            return True

        try:
            if made.plan is None:
                out(made.pdf)
            else:
                label_prints.print_labels(
                    self.session.ctx,
                    self.session.actor,
                    made.plan,
                    lambda _: made.pdf,
                    out,
                    reason,
                    withdraw,
                )
        except DispensaryError as exc:
            return bool(went), exc.message
        finally:
            if went and made.plan is not None and self.made is made:
                # Printed again from this PDF (a reprint's next copy), it is a print of its
                # own: its record is its own too, never taken for this one's (PrintPlan.token).
                self.made = replace(made, plan=label_prints.another_print(made.plan))
        if not went:
            return False, failed
        return True, ""

    def save(self) -> None:
        made = self.made
        reason = self._reprint_reason()
        if made is None or reason is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Save as PDF"), str(Path.home() / made.file_name), self.tr("PDF (*.pdf)")
        )
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        target = Path(path)
        # Whole or not at all (a half-written label must not be printed), owner-only, written
        # beside the file chosen and put in its place once out (a label: once recorded). As the
        # command line does: a label print that cannot be recorded is not kept, and a file the
        # save dialog was told to replace is left as it was.
        staged, existed = Staged(target), target.exists()

        def write(pdf: bytes) -> bool:
            try:
                staged.write(pdf)
            except OSError as exc:
                raise InvalidInput(write_error_text(exc, target)) from exc
            return True

        went, refused = self._put_out(reason, write, staged.discard)
        if not refused and went:
            try:
                staged.keep()
            except OSError as exc:
                staged.discard()
                refused = write_error_text(exc, target)
                if made.plan is not None:  # recorded: printed again, it is a reprint
                    refused = self.tr(
                        "{refused} The print is recorded in the audit trail: to have the file, "
                        "make it again (it is then a reprint)."
                    ).format(refused=refused)
                self.message.show_message(refused)
                self._after_labels()
                return
        if refused:
            if not went:
                self.message.show_message(refused)
            elif existed:
                self.message.show_message(
                    self.tr(
                        "{refused} The file was not saved: {path} is kept as it was before."
                    ).format(refused=refused, path=path)
                )
            else:
                self.message.show_message(
                    self.tr("{refused} The file was not kept.").format(refused=refused)
                )
            return
        self._after_labels()
        self.message.show_message(self.tr("Saved to {path}.").format(path=path), "ok")

    def ask_printer(self) -> QPrinter | None:
        """The printer chosen in the system's print dialog, or None. A label's dialog offers
        one copy (label_print_dialog); a report's any number (a report is not an accountable
        item: its copies are the user's). Tests replace this."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setResolution(PRINT_DPI)
        printer.setDocName(self.made.file_name if self.made else QCoreApplication.applicationName())
        fit_printer_to(printer, self.document)  # the label stock's (or report's) page
        is_label = self.made is not None and self.made.plan is not None
        dialog = label_print_dialog(printer, self) if is_label else QPrintDialog(printer, self)
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
        # A label print is recorded as one print of each label: one copy, whatever a native
        # print dialog was told (another copy is a reprint, marked, with its reason).
        made = self.made
        copies = one_copy(printer) if made is not None and made.plan is not None else 1
        where = printer.printerName() or self.tr("the printer")
        failed = self.tr(
            "{printer} did not take the document: check it is switched on, with paper loaded,"
            " then print again."
        ).format(printer=where)
        went, refused = self._put_out(reason, lambda _: self.print_to(printer), None, failed)
        if refused:
            if went:  # a page sent to a printer cannot be taken back: said, as a warning
                said = self.tr(
                    "Sent to {printer}, but not recorded in the audit trail: {refused}"
                ).format(printer=where, refused=refused)
                if made is not None and made.plan is not None:
                    self._keep_waiting(made, reason)
                    said = before_detail(said, self._waiting_said())
                self.message.show_message(said, "warning")
            else:
                self.message.show_message(refused)
            return
        self._after_labels()
        if copies > 1:
            self.message.show_message(
                self.tr(
                    "Sent to {printer}: one copy, not {copies}. A label prints once; for another "
                    "copy, make it again and reprint it, with the reason."
                ).format(printer=where, copies=copies),
                "warning",
            )
            return
        self.message.show_message(self.tr("Sent to {printer}.").format(printer=where), "ok")

    def _waiting_said(self) -> str:
        """What the user can do about a print waiting for its record: Record the print on the
        Dispense screen, for a user the window lists it to (the screen's roles, which are the
        service's Permission.DISPENSE), or the question as the session ends, for anyone."""
        if DispenseScreen.visible_to(self.session.actor.role):
            return self.tr(
                "The print waits for its record (it is not printed again): press Record the "
                "print on the Dispense screen once the database is back, or record it as you "
                "sign out."
            )
        return self.tr(
            "The print waits for its record (it is not printed again): record it as you sign "
            "out, once the database is back (you are asked then)."
        )

    def _keep_waiting(self, made: Made, reason: str) -> None:
        """A label out whose record the database refused, kept in the session (and the
        workstation's file) with the reprint's reason as given, as the Dispense screen keeps
        its own: Record the print, or the question as the session ends, records it later as
        it would have been recorded at once; it is never lost, nor printed again unmarked."""
        assert made.plan is not None
        waiting = self.session.unrecorded_labels
        key = base = made.title  # names its items: "Dispensing label DSP000001 (…) (REPRINT)"
        count = 1
        while key in waiting:  # another print of it waits too: each is recorded
            count += 1
            key = self.tr("{key} ({count})").format(key=base, count=count)
        waiting[key] = replace(made.plan, reason=reason)
        self.session.waiting_changed()

    def print_to(self, printer: QPrinter) -> bool:
        """Every page drawn at the printer's resolution and true size (labels are to scale);
        False when the printer could not be opened."""
        return draw_pages(self.document, printer)

    def _after_labels(self) -> None:
        """A label printed once is a reprint next time: the preview is marked so."""
        made = self.made
        if made is not None and made.label_kind:
            self.changed.emit()
            if not made.reprint:
                self.preview_title.setText(
                    self.tr(
                        "<b>{title}</b> (printed; make it again to print a marked reprint)"
                    ).format(title=made.title)
                )
                self._set_ready(False)

    def handle_scan(self, code: str) -> bool:
        """A dispensing label scanned here names the dispense of a label or leaflet; kit labels
        scanned one after another name the kits to label."""
        params = {f.param for f in self.choice().fields}
        if Param.DISPENSE in params:
            self.dispense.setText(code.strip().upper())
            return True
        if Param.KITS in params:  # kits scanned one after another make the list
            self.kits.setText(
                ", ".join([*self.kits.text().split(", "), code.strip().upper()]).strip(", ")
            )
            return True
        return False
