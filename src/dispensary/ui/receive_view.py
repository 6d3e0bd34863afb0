"""Receiving a shipment: the paperwork in a form, the kits by continuous scanning, by range or
from the sponsor's manifest, then one Receive that writes it all, and the kit labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt
from PySide6.QtGui import QFontMetrics, QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStyle,
    QStyleOptionComboBox,
    QStylePainter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.domain.rules import normalise_kit_number, parse_expiry, parse_whole
from dispensary.files import os_detail, with_detail
from dispensary.i18n import sentences
from dispensary.services import queries, receiving
from dispensary.services.assessment import (
    KitIn,
    ReceiveAssessment,
    ReceiveCheck,
    ReceiveLine,
    ReceiveRequest,
    StudyFileChanged,
)
from dispensary.services.assessment.receiving import SEEN_AT_RECEIPT
from dispensary.services.labels import PrintPlan
from dispensary.services.results import ReceiptExcursion, ReceiveResult
from dispensary.study import Study
from dispensary.ui.feedback import go_on_question
from dispensary.ui.forms import OneLine
from dispensary.ui.label_preview import discard_print, print_kit_labels, recorded_print
from dispensary.ui.models.table import Column, RowTableModel
from dispensary.ui.scan_field import ScanField
from dispensary.ui.screen import STAFF_ROLES, Kept, Screen, is_dispense_number
from dispensary.ui.session import AppSession
from dispensary.ui.unrecorded_prints import DISCARD, KEEP, RECORD, record_or_discard
from dispensary.ui.widgets import (
    ElidedCombo,
    ScrolledNotice,
    button_row,
    by_count,
    counter_keys,
    date_edit,
    kit_columns,
    kit_table,
    mistyped_date,
    primary_button,
    product_label,
    qdate,
    scan_row,
    separated,
    separated_first,
    titled_page,
    to_date,
    two_columns,
    units_of,
    units_word,
    wrapped_label,
)

PRODUCT, VERDICT, SCANNED = 1, 5, 6
"""The columns of the kit list that give way: the product cut (whole in its tooltip), the
verdict wrapped onto as many lines as it needs in the spare width; and the manifest's check-off
(a kit of the manifest scanned), shown once a kit of it is scanned."""
TICK = "\u2713"
TABLETS_REFUSED = {ReceiveCheck.TABLET_COUNT, ReceiveCheck.NO_TABLETS, ReceiveCheck.KIT_COUNT}
"""The service's refusals of a kit for its tablets: those of the form's tablets per kit."""


TABLETS = "tablets"
"""The tablets per kit (KitIn.tablets) as a refusal names its field (DispensaryError.field_name):
`_batch` refuses it before the kits are assessed (none, no whole number); the cursor goes there,
the text selected to type it again, not back to the scan field (a scan with the cursor in it
still adds the kit)."""


PRODUCT_WIDEST = 190
"""The product's width at most: "7.5 mg tablet" and "海曲泊帕乙醇胺片 7.5 mg" whole (the
strength tells two products apart); a longer name cut in the middle, both its ends shown."""
PRODUCT_SHORTEST = 16
"""The characters the product chooser is sized by: the form takes its share of the width, not
the longest product name's."""


def keep_strength(text: str, strength: str, metrics: QFontMetrics, room: int) -> str:
    """A product's name cut to `room` pixels, its strength and what follows it kept whole:
    two products of a study differ by their strength ("herombopag (het… 7.5 mg tablet"); a
    name without its strength in it is cut at its end."""
    if metrics.horizontalAdvance(text) <= room:
        return text
    at = text.rfind(strength) if strength else -1
    if at <= 0:
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, room)
    tail = " " + text[at:]
    head = metrics.elidedText(
        text[:at].rstrip(), Qt.TextElideMode.ElideRight, room - metrics.horizontalAdvance(tail)
    )
    return head + tail if head else metrics.elidedText(text, Qt.TextElideMode.ElideLeft, room)


class ProductCombo(ElidedCombo):
    """The product chooser, sized by a short name rather than its longest item (which held
    the form, and so the kit list's verdicts, to its width): a long name is cut before its
    strength, whole in the tooltip and in the list it opens."""

    STRENGTH = Qt.ItemDataRole.UserRole + 1
    """The item's strength, kept whole when its name is cut."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(PRODUCT_SHORTEST, parent)

    def add_product(self, name: str, code: str, strength: str) -> None:
        self.addItem(name, code)
        self.setItemData(self.count() - 1, strength, self.STRENGTH)

    def shown_text(self) -> str:
        """The current product as its field shows it."""
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        room = self.style().subControlRect(
            QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, self
        )
        strength = self.currentData(self.STRENGTH)
        return keep_strength(
            self.currentText(),
            strength if isinstance(strength, str) else "",
            self.fontMetrics(),
            room.width(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QStylePainter(self)
        option = QStyleOptionComboBox()
        self.initStyleOption(option)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, option)
        option.currentText = self.shown_text()
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, option)


def verdict_table(model: RowTableModel[ReceiveLine]) -> QTableView:
    """The kit list: the verdict takes the spare width and wraps (a refusal is a sentence), the
    rows as tall as it needs; the product gives way first, on one line, cut in the middle."""
    view = kit_table(model, stretch_column=VERDICT)
    view.setWordWrap(True)
    view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    view.setItemDelegateForColumn(PRODUCT, OneLine(view))
    view.horizontalHeader().setSectionResizeMode(PRODUCT, QHeaderView.ResizeMode.Interactive)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return view


def fit_product(view: QTableView) -> None:
    """The product column as wide as its names, up to PRODUCT_WIDEST (its header whole)."""
    header = view.horizontalHeader()
    wanted = max(view.sizeHintForColumn(PRODUCT), header.sectionSizeHint(PRODUCT))
    header.resizeSection(PRODUCT, max(min(wanted, PRODUCT_WIDEST), header.sectionSizeHint(PRODUCT)))


def line_columns(
    study: Study, scanned: Callable[[str], bool] = lambda _kit: False
) -> tuple[Column[ReceiveLine], ...]:
    """The kits of the delivery as read off the boxes, with the service's verdict on each, and
    whether a kit of the manifest was scanned (`scanned`, by its number)."""

    def product(code: str) -> str:
        try:
            return product_label(study, code)
        except DispensaryError:  # not a product of the study: the verdict says so
            return code

    def verdict(line: ReceiveLine) -> str:
        if not line.accepted:
            return line.message  # the service's refusal, as it wrote it
        if line.damaged:  # into quarantine for its own cause, as the service words it
            cause = receiving.damage_words(line.damaged)
            return (
                QCoreApplication.translate("ReceiveScreen", "Into quarantine, {cause}, new lot")
                if line.new_lot
                else QCoreApplication.translate("ReceiveScreen", "Into quarantine, {cause}")
            ).format(cause=cause)
        quarantined = line.status is KitStatus.QUARANTINED
        if line.new_lot:
            return (
                QCoreApplication.translate("ReceiveScreen", "Into quarantine, new lot")
                if quarantined
                else QCoreApplication.translate("ReceiveScreen", "Available, new lot")
            )
        return (
            QCoreApplication.translate("ReceiveScreen", "Into quarantine")
            if quarantined
            else QCoreApplication.translate("ReceiveScreen", "Available")
        )

    kits = cast(tuple[Column[ReceiveLine], ...], kit_columns(study, product))
    return (
        *kits,
        Column(
            QCoreApplication.translate("ReceiveScreen", "Verdict"),
            verdict,
            colour=lambda r: "#c62828" if not r.accepted else r.status.colour,
        ),
        Column(
            QCoreApplication.translate("ReceiveScreen", "Scanned"),
            lambda r: TICK if scanned(r.number) else "",
        ),
    )


class MissingKitsQuestion:
    """Asked at Receive when kits of the manifest were not scanned at its check-off: record them
    missing from the shipment, or go back and scan them (the default)."""

    @classmethod
    def ask(cls, parent: QWidget | None, kits: tuple[str, ...], listed: int) -> bool:
        """True when the user records the kits missing. Tests replace this method."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("ReceiveScreen", "Kits of the manifest not scanned"),
            QCoreApplication.translate(
                "ReceiveScreen",
                "{count} of the {listed} kits of the manifest were not scanned: {kits}.",
            ).format(count=len(kits), listed=listed, kits=separated(kits)),
            parent=parent,
        )
        box.setObjectName("missingKitsQuestion")
        box.setInformativeText(
            QCoreApplication.translate(
                "ReceiveScreen",
                "Go back and scan them if they are here. If they did not arrive, record them "
                "missing from the shipment: they are not received, and the receipt's audit entry "
                "names them.",
            )
        )
        record = box.addButton(
            QCoreApplication.translate("ReceiveScreen", "&Record as missing"),
            QMessageBox.ButtonRole.AcceptRole,
        )
        back = box.addButton(
            QCoreApplication.translate("ReceiveScreen", "&Go back"),
            QMessageBox.ButtonRole.RejectRole,
        )
        box.setDefaultButton(back)
        box.exec()
        return box.clickedButton() is record


class NewShipmentQuestion:
    """Asked before "New shipment" empties a list of kits not yet received (it emptied it
    without a word, every scan lost): Cancel is the default, so an Enter typed from habit, or
    a scan's Enter, keeps the list."""

    @classmethod
    def ask(cls, parent: QWidget | None, kits: int) -> bool:
        """True when the user empties the list. Tests replace this method."""
        return go_on_question(
            parent,
            "newShipmentQuestion",
            QCoreApplication.translate("ReceiveScreen", "Start a new shipment?"),
            by_count(
                kits,
                QCoreApplication.translate(
                    "ReceiveScreen",
                    "The {count} kit listed is not received yet: a new shipment starts with an "
                    "empty list, and it is lost.",
                ),
                QCoreApplication.translate(
                    "ReceiveScreen",
                    "The {count} kits listed are not received yet: a new shipment starts with an "
                    "empty list, and they are lost.",
                ),
            ).format(count=kits),
            QCoreApplication.translate("ReceiveScreen", "&Empty the list"),
        )


class UnrecordedPrintQuestion:
    """Asked before the form is emptied ("New shipment") or another shipment is received while
    the kit labels printed here are out but their record was refused: New shipment dropped the
    record without a word, the labels on the kits and no trace in the audit trail that they
    were printed. Record it now (retried, nothing printed again), discard it knowingly, or
    Cancel, the default, so that an Enter typed from habit, or a scan's Enter, loses nothing."""

    RECORD = RECORD
    DISCARD = DISCARD
    KEEP = KEEP

    @classmethod
    def ask(cls, parent: QWidget | None, kits: tuple[str, ...]) -> str:
        """RECORD, DISCARD or KEEP (Cancel, Esc, the window closed). Tests replace this
        method."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            QCoreApplication.translate("ReceiveScreen", "Kit labels printed, not recorded"),
            by_count(
                len(kits),
                QCoreApplication.translate(
                    "ReceiveScreen",
                    "The label of kit {kits} was printed, but the database refused its record: "
                    "the audit trail does not show it printed yet.",
                ),
                QCoreApplication.translate(
                    "ReceiveScreen",
                    "The labels of {count} kits ({kits}) were printed, but the database refused "
                    "their record: the audit trail does not show them printed yet.",
                ),
            ).format(count=len(kits), kits=separated_first(kits, 5)),
            parent=parent,
        )
        box.setObjectName("unrecordedPrintQuestion")
        box.setInformativeText(
            QCoreApplication.translate(
                "ReceiveScreen",
                "Record the print now (the labels are not printed again). If you discard it, "
                "the audit trail shows that its print record was discarded, not that these "
                "labels were printed.",
            )
        )
        return record_or_discard(
            box,
            QCoreApplication.translate("ReceiveScreen", "&Record the print"),
            QCoreApplication.translate("ReceiveScreen", "&Discard the record"),
        )


@dataclass(frozen=True)
class _TypedReceipt(Kept):
    """The shipment as typed and listed, kept while the study is opened again with its updated
    file (ReceiveScreen.kept_state)."""

    shipment: str
    received_on: QDate
    condition: str
    temperature_ok: bool
    kits: tuple[KitIn, ...]
    manifest_kits: frozenset[str]
    scanned: frozenset[str]


class ReceiveScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Receive"))
    shortcut = QKeySequence("Ctrl+4").toString()
    roles = STAFF_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("receiveScreen")
        self.kits: list[KitIn] = []
        self.manifest_kits: set[str] = set()
        """The kits on the list from the sponsor's manifest: a scan of one checks it off."""
        self.scanned: set[str] = set()
        """The manifest's kits scanned (checked off against what arrived)."""
        self.assessment: ReceiveAssessment | None = None
        self.last_result: ReceiveResult | None = None
        self._build()
        self.start_over()

    @property
    def unrecorded(self) -> PrintPlan | None:
        """The kit labels out whose record the database refused: Record the print retries it.
        Kept in the session for the study open (AppSession.unrecorded_kits), so that the
        screen built again still has it."""
        return self.session.unrecorded_kits.get(self.session.ctx.study_id)

    @unrecorded.setter
    def unrecorded(self, plan: PrintPlan | None) -> None:
        if plan is None:
            self.session.unrecorded_kits.pop(self.session.ctx.study_id, None)
        else:
            self.session.unrecorded_kits[self.session.ctx.study_id] = plan
        self.session.waiting_changed()

    def kept_state(self) -> _TypedReceipt | None:
        if not self.kits:
            return None
        return _TypedReceipt(
            shipment=self.shipment.text(),
            received_on=self.received_on.date(),
            condition=self.condition.text(),
            temperature_ok=self.temperature_ok.isChecked(),
            kits=tuple(self.kits),
            manifest_kits=frozenset(self.manifest_kits),
            scanned=frozenset(self.scanned),
        )

    def restore_state(self, kept: Kept) -> None:
        """The shipment as it was typed and listed, assessed again by the study file now in
        force (a line the new file refuses, a product or a count per kit, says so)."""
        if not isinstance(kept, _TypedReceipt):
            return
        self.shipment.setText(kept.shipment)
        self.received_on.setDate(kept.received_on)
        self.condition.setText(kept.condition)
        self.temperature_ok.setChecked(kept.temperature_ok)
        self.kits = list(kept.kits)
        self.manifest_kits = set(kept.manifest_kits)
        self.scanned = set(kept.scanned)
        self._show_kits()
        if kept.note:
            self.message.show_message(kept.note, "warning")

    def _reload_study(self, refusal: str) -> None:
        """The study file was updated after this screen read it, and the service refused the
        receipt for it: the study is opened again with the file in force, as F5 does, and the
        shipment assessed again as it was listed (Screen.reopen_study). Nothing was saved."""
        self.reopen_read_again(
            self.message,
            lambda fresh: self.tr(
                "Nothing was saved: the study file of {protocol} was updated after this screen "
                "was opened. The screen read it again (version {version}) and checked the "
                "shipment again as it was listed: check it before receiving."
            ).format(protocol=fresh.study.protocol, version=fresh.version),
        )

    def _build(self) -> None:
        study = self.session.ctx.study
        outer, self.message = titled_page(self, self.tr("Receive a shipment"))
        # The form takes 2/7 of the width, never less than its fields need (the product
        # chooser no longer sets it); the kit list and its verdicts take the rest.
        grid = two_columns(outer, 2, 5)

        left = QVBoxLayout()
        form = QFormLayout()
        self.shipment = QLineEdit()
        self.shipment.setObjectName("shipmentNumber")
        self.shipment.setPlaceholderText(self.tr("As on the packing list"))
        form.addRow(self.tr("&Shipment number"), self.shipment)
        self.received_on = date_edit()
        form.addRow(self.tr("&Date received"), self.received_on)
        self.condition = QLineEdit()
        form.addRow(self.tr("Co&ndition"), self.condition)
        self.temperature_ok = QCheckBox(self.tr("Temperature record acceptable"))
        self.temperature_ok.setObjectName("temperatureOk")
        self.temperature_ok.setToolTip(
            self.tr("Unticked: the kits go into quarantine until released")
        )
        form.addRow(self.temperature_ok)  # across the form: the fields' width is not its own
        self.product = ProductCombo()
        self.product.setObjectName("receiveProduct")
        for product in study.products:
            self.product.add_product(
                study.product_name(product.code), product.code, product.strength
            )
        form.addRow(self.tr("&Product"), self.product)
        self.lot = QLineEdit()
        self.lot.setObjectName("lotNumber")
        form.addRow(self.tr("&Lot"), self.lot)
        self.expiry = QLineEdit()
        self.expiry.setObjectName("expiry")
        self.expiry.setPlaceholderText(self.tr("YYYY-MM or YYYY-MM-DD"))
        self.expiry.setToolTip(
            self.tr("As on the kit label; must be entered: a month alone means its last day")
        )
        form.addRow(self.tr("E&xpiry"), self.expiry)
        # No input filter: one dropped the keys it refused without a word ("-21" was received
        # as 21 tablets a kit). The number is kept as typed; `_batch` refuses a text that is no
        # whole number, the service a count no kit holds (`TABLETS_REFUSED`).
        self.tablets = QLineEdit()
        self.tablets.setObjectName("tabletsPerKit")
        # Alt+A: Alt+T is the toolbar's Study, shown to a user of several studies (review s11).
        form.addRow(self.tr("T&ablets in a kit"), self.tablets)
        self.tablets_label = form.labelForField(self.tablets)
        left.addLayout(form)
        left.addStretch(1)
        grid.addLayout(left, 0, 0)

        right = QVBoxLayout()
        self.scan_field = ScanField(self.tr("Scan each kit: it is added to the list below"))
        self.scan_field.setObjectName("receiveScanField")
        right.addLayout(scan_row(self.tr("Scan &kits"), self.scan_field))
        range_row = QHBoxLayout()
        self.range_field = QLineEdit()
        self.range_field.setObjectName("kitRange")
        self.range_field.setPlaceholderText(self.tr("or a range: K0001-K0050"))
        self.range_field.setToolTip(self.tr("A range of kit numbers, e.g. K0001-K0050"))
        self.range_button = QPushButton(self.tr("Add &range"))
        self.manifest_button = QPushButton(self.tr("&Import manifest (CSV)…"))
        range_row.addWidget(self.range_field, 1)
        range_row.addWidget(self.range_button)
        range_row.addWidget(self.manifest_button)
        right.addLayout(range_row)
        # Wrapped: "— into quarantine (temperature record not acceptable)" on one line held the
        # window to 1374-1472 px, wider than a 1366x768 screen.
        self.count_label = wrapped_label("sectionTitle")
        right.addWidget(self.count_label)
        # The excursions on record the kits were in the store for (a receipt entered late):
        # the service's assessment, said before Receive. Every line shown where the column
        # has the room, else scrolled to (many excursions beside a long message at 1366x768
        # were cut off unread).
        self.excursion_box = ScrolledNotice("receiveExcursions")
        self.excursion_label = self.excursion_box.label
        right.addWidget(self.excursion_box)
        # Every cell's text is its tooltip: a product cut, a verdict read whole on hovering.
        self.kits_model: RowTableModel[ReceiveLine] = RowTableModel(
            line_columns(study, lambda kit: kit in self.scanned), self, tooltip_from=0
        )
        self.kits_view = verdict_table(self.kits_model)
        right.addWidget(self.kits_view, 1)
        self.remove_button = QPushButton(self.tr("R&emove line"))
        # A kit seen damaged at the counter: the selected line (the kit just scanned) marked,
        # received into quarantine; pressed again, the mark is taken off. Alt+M from the scan
        # field, so that scanning stays Enter-driven.
        self.damaged_button = QPushButton(self.tr("Mark da&maged"))
        self.damaged_button.setObjectName("markDamaged")
        self.damaged_button.setToolTip(
            self.tr(
                "The selected kit arrived damaged: it is received into quarantine until the "
                "sponsor decides. Press again to take the mark off."
            )
        )
        self.clear_button = QPushButton(self.tr("Ne&w shipment"))
        self.labels_button = QPushButton(self.tr("Print kit la&bels"))
        self.receive_button = primary_button(self.tr("Recei&ve"), self.tr("Ctrl+Enter"))
        right.addLayout(
            button_row(
                [self.remove_button, self.damaged_button, self.clear_button],
                [self.labels_button, self.receive_button],
            )
        )
        grid.addLayout(right, 0, 1)

        self.scan_field.scanned.connect(self.add_scanned)
        self.range_field.returnPressed.connect(self.add_range)
        self.range_button.clicked.connect(self.add_range)
        self.manifest_button.clicked.connect(self.import_manifest)
        self.remove_button.clicked.connect(self._remove_line)
        self.damaged_button.clicked.connect(self.mark_damaged)
        self.clear_button.clicked.connect(self.new_shipment)
        self.receive_button.clicked.connect(self.receive)
        self.labels_button.clicked.connect(self.print_labels)
        self.product.currentIndexChanged.connect(self._product_changed)
        self.temperature_ok.toggled.connect(self._show_kits)
        counter_keys(self, self.receive)
        QShortcut(QKeySequence.StandardKey.Delete, self.kits_view, self._remove_line)

    # -- screen contract ------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.kits:
            self.received_on.setDate(qdate(self.session.ctx.clock.today()))
        self._show_print_button()

    def _show_print_button(self) -> None:
        """The kit-labels button as the session has the print now: Record the print while one
        of this study waits; once recorded or discarded elsewhere (as the session was to end,
        some records refused), no longer offered."""
        if self.unrecorded is not None:
            self.labels_button.setText(self.tr("Re&cord the print"))
            self.labels_button.setEnabled(True)
        elif self.labels_button.text() == self.tr("Re&cord the print"):
            self.labels_button.setText(self.tr("Print kit la&bels"))
            self.labels_button.setEnabled(False)

    def handle_scan(self, code: str) -> bool:
        """A kit scanned anywhere while this screen is open belongs to the shipment."""
        text = code.strip()
        if not text or is_dispense_number(text):
            return False
        self.add_scanned(text)
        return True

    # -- the list of kits -----------------------------------------------------------------

    def _product_changed(self) -> None:
        code = str(self.product.currentData())
        study = self.session.ctx.study
        self.tablets.setText(str(study.product(code).tablets_per_kit))
        if isinstance(self.tablets_label, QLabel) and not study.tablets_only:
            # The product's word ("Capsules in a ki&t", 每盒粒数), not 每盒片数 of capsules.
            units = units_word(study, code)
            self.tablets_label.setText(self.tr("{units} in &a kit").format(units=units))

    def _tablets_given(self) -> int | None:
        """The form's tablets in a kit, for a manifest without a tablets column (as `receive
        --manifest` takes --product's): None when the field holds no count (the manifest's
        column is then needed, and its absence said)."""
        try:  # the field's name is never shown: a text that is no count is None here
            return parse_whole(self.tablets.text().strip(), TABLETS)
        except InvalidInput:
            return None

    def _batch(self) -> tuple[str, str, date, int]:
        """Product, lot, expiry and tablets per kit from the form, for scanned or ranged kits."""
        lot = self.lot.text().strip()
        if not lot:
            self.lot.setFocus()
            raise InvalidInput(self.tr("Give the lot number first (it is on the kit label)."))
        text = self.tablets.text().strip()
        study = self.session.ctx.study
        units = units_word(study, str(self.product.currentData()), False)
        if not text:
            raise InvalidInput(
                self.tr("Give the number of tablets in each kit.")
                if study.tablets_only
                else self.tr("Give the number of {units} in each kit.").format(units=units),
                field_name=TABLETS,
            )
        try:  # negative or 0 too: the service refuses the kit, saying why
            tablets = parse_whole(
                text,
                self.tr("number of tablets in each kit")
                if study.tablets_only
                else self.tr("number of {units} in each kit").format(units=units),
            )
        except InvalidInput as exc:  # "2l", "21.5": said, never read as another number
            raise InvalidInput(exc.message, field_name=TABLETS) from None
        try:  # the one reading of an expiry: YYYY-MM is the month's last day, as labels say
            expiry = parse_expiry(self.expiry.text())
        except InvalidInput as exc:
            self.expiry.setFocus()
            self.expiry.selectAll()
            raise InvalidInput(
                exc.message
                if self.expiry.text().strip()
                else self.tr(
                    "Give the expiry date from the kit label (YYYY-MM or YYYY-MM-DD) before"
                    " adding kits."
                )
            ) from None
        return str(self.product.currentData()), lot, expiry, tablets

    def _not_a_participant(self, code: str) -> None:
        """A participant's number scanned into the kit field is named as such, not as a bad
        kit range."""
        try:
            person = queries.participant(self.session.ctx, self.session.actor, code)
        except DispensaryError:
            return
        raise InvalidInput(
            self.tr(
                "'{code}' looks like a participant number ({number}), not a kit. Scan the kit's"
                " own barcode."
            ).format(code=code, number=person.study_number)
        )

    def _assess(self, kits: list[KitIn]) -> ReceiveAssessment:
        """The service's assessment of the shipment as listed, with the paperwork typed; the
        date received as typed, refused (InvalidInput) when it is no date ("2026-02-30" was
        assessed as the date the field held before)."""
        return receiving.assess_receive(
            self.session.ctx,
            self.session.actor,
            ReceiveRequest(
                self.shipment.text(),
                kits,
                received_on=self.received_on.typed_date(self.tr("Date received")),
                condition=receiving.condition_recorded(self.condition.text()),
                temperature_ok=self.temperature_ok.isChecked(),
            ),
        )

    def _new_lines_refused(self, new: list[KitIn]) -> tuple[ReceiveAssessment, str]:
        """The list with the new kits, assessed; and the first refusal of a new line ("" when
        every new line is accepted)."""
        found = self._assess([*self.kits, *new])
        refused = [line for line in found.lines[-len(new) :] if not line.accepted]
        return found, refused[0].message if refused else ""

    def _to_field(self, name: str, found: ReceiveAssessment | None) -> None:
        """The cursor in the field of the form a refusal is about (its `field_name`), its text
        selected to type it again: the one `_batch` refused, or the tablets per kit when the
        service refused the new kits for the tablets typed there (-21, 0). Else it stays where
        the kit was typed."""
        if not name and found is not None:
            codes = {line.code for line in found.lines[len(self.kits) :] if not line.accepted}
            name = TABLETS if codes & TABLETS_REFUSED else ""
        refused = {TABLETS: self.tablets}.get(name)
        if refused is not None:
            refused.setFocus()
            refused.selectAll()

    def _check_off(self, code: str) -> bool:
        """A kit of the imported manifest scanned: its line ticked ("scanned N of M"), True; a
        kit not on the manifest: False (added to the list as any scanned kit)."""
        try:
            number = normalise_kit_number(code)
        except InvalidInput:
            return False
        if number not in self.manifest_kits:
            return False
        listed = len(self.manifest_kits)
        if number in self.scanned:
            self.scan_field.refused()
            self.message.show_message(
                self.tr("Kit {kit} is checked off already: scanned {scanned} of {listed}.").format(
                    kit=number, scanned=len(self.scanned), listed=listed
                ),
                "error",
            )
            return True
        self.scanned.add(number)
        self._show(self.assessment)
        row = next(i for i, kit in enumerate(self.kits) if kit.number == number)
        self.kits_view.setCurrentIndex(self.kits_model.index(row, 0))  # Mark damaged takes it
        self.kits_view.scrollTo(self.kits_model.index(row, 0))
        self.scan_field.accepted()
        self.message.show_message(
            self.tr(
                "Kit {kit} checked off against the manifest: scanned {scanned} of {listed}."
            ).format(kit=number, scanned=len(self.scanned), listed=listed),
            "ok",
        )
        return True

    def add_scanned(self, code: str) -> None:
        if not code:
            return
        if self._check_off(code):
            return
        found: ReceiveAssessment | None = None
        field = ""  # the field of the form refused (DispensaryError.field_name)
        try:
            self._not_a_participant(code)
            numbers = receiving.expand_range(code)  # a dispensing label's number: refused
            if len(numbers) != 1:
                raise InvalidInput(
                    self.tr("'{code}' is a range: use the range field for ranges.").format(
                        code=code
                    )
                )
            product, lot, expiry, tablets = self._batch()
            new = [KitIn(numbers[0], product, lot, expiry, tablets)]
            found, refusal = self._new_lines_refused(new)
        except DispensaryError as exc:
            refusal, field = exc.message, exc.field_name
        if refusal:
            self.scan_field.refused()
            self.message.show_message(refusal, "error")
            self._to_field(field, found)
            return
        assert found is not None  # assessed, nothing refused
        self._add(new, found)
        self.scan_field.accepted()
        self.message.show_message(self.tr("Kit {number} added.").format(number=numbers[0]), "ok")

    def add_range(self) -> None:
        text = self.range_field.text().strip()
        if not text:
            return
        found: ReceiveAssessment | None = None
        field = ""  # the field of the form refused (DispensaryError.field_name)
        try:
            self._not_a_participant(text)
            numbers = receiving.expand_range(text)
            product, lot, expiry, tablets = self._batch()
            new = [KitIn(n, product, lot, expiry, tablets) for n in numbers]
            found, refusal = self._new_lines_refused(new)
        except DispensaryError as exc:
            refusal, field = exc.message, exc.field_name
        if refusal:
            self.message.show_message(refusal, "error")
            self.range_field.selectAll()
            self._to_field(field, found)
            return
        assert found is not None  # assessed, nothing refused
        self._add(new, found)
        self.range_field.clear()
        self.message.show_message(
            self.tr("Kit {number} added.").format(number=numbers[0])
            if len(numbers) == 1  # "1 kits added (K0001 to K0001)" read wrong
            else self.tr("{count} kits added ({first} to {last}).").format(
                count=len(numbers), first=numbers[0], last=numbers[-1]
            ),
            "ok",
        )

    def import_manifest(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import the sponsor's manifest"),
            "",
            self.tr("CSV files (*.csv);;All files (*)"),
        )
        if path:
            self.load_manifest(Path(path))

    def load_manifest(self, path: Path) -> None:
        """Lists every line of the manifest with the service's verdict on it: a refused line is
        shown (and the shipment is not received) until it is taken off or put right."""
        try:  # UTF-8, or GB18030 (Chinese Excel's CSV), as the service reads it
            text, encoding = receiving.manifest_text(path.read_bytes())
        except OSError as exc:
            self.message.show_message(
                with_detail(
                    self.tr(
                        "The manifest {name} cannot be read. Check that it is still there and "
                        "that this account may open it, then choose it again."
                    ).format(name=path.name),
                    os_detail(exc),
                ),
                "error",
            )
            return
        except UnicodeDecodeError as exc:
            self.message.show_message(
                with_detail(
                    self.tr(
                        "The manifest {name} is not a CSV text file. Check that the file is the "
                        "manifest sent with the shipment, as CSV, and choose it again."
                    ).format(name=path.name),
                    exc,
                ),
                "error",
            )
            return
        try:
            manifest = receiving.read_manifest(
                text, str(self.product.currentData()), tablets=self._tablets_given()
            )
            kits = manifest.kits
            found, refusal = self._new_lines_refused(kits)
        except DispensaryError as exc:
            self.message.show_message(
                self.tr("{name}: {message}").format(name=path.name, message=exc.message), "error"
            )
            return
        self._add(kits, found)
        self.manifest_kits.update(kit.number for kit in kits)
        refused = [line for line in found.lines[-len(kits) :] if not line.accepted]
        one = len(kits) == 1  # "1 kits imported" read wrong
        if refused:
            said = (
                self.tr("1 kit imported from {name}; refused (see the list): {reason}")
                if one
                else self.tr(
                    "{count} kits imported from {name}; {refused} refused (see the list): {reason}"
                )
            ).format(count=len(kits), name=path.name, refused=len(refused), reason=refusal)
        else:
            said = (
                self.tr("1 kit imported from {name}.")
                if one
                else self.tr("{count} kits imported from {name}.")
            ).format(count=len(kits), name=path.name)
        damaged = [kit.number for kit in kits if kit.damaged]
        if damaged:  # received, but into quarantine: said before Receive
            said = self.tr("{imported} {columns}").format(
                imported=said,
                columns=(
                    self.tr(
                        "The manifest gives kit {kits} as damaged: it is received into "
                        "quarantine (see the list)."
                    )
                    if len(damaged) == 1
                    else self.tr(
                        "The manifest gives kits {kits} as damaged: they are received into "
                        "quarantine (see the list)."
                    )
                ).format(kits=separated(damaged)),
            )
        if manifest.note:  # a column dropped silently may have held what mattered
            said = self.tr("{imported} {columns}").format(imported=said, columns=manifest.note)
        if receiving.encoding_note(encoding):  # said, so that a misread file would be noticed
            said = self.tr("{imported} {columns}").format(
                imported=said, columns=receiving.encoding_note(encoding)
            )
        warn = refused or damaged or manifest.note or encoding != receiving.UTF8
        self.message.show_message(said, "warning" if warn else "ok")

    def _add(self, kits: list[KitIn], found: ReceiveAssessment) -> None:
        self.kits.extend(kits)
        self._show(found)
        # The last kit added selected: Mark damaged marks the kit just scanned.
        self.kits_view.setCurrentIndex(self.kits_model.index(len(self.kits) - 1, 0))
        self.kits_view.scrollToBottom()

    def mark_damaged(self) -> None:
        """The selected kit marked as arrived damaged (received into quarantine), or the mark
        taken off; a kit the manifest gives as damaged stays so (the sponsor's word)."""
        index = self.kits_view.currentIndex()
        self.scan_field.setFocus()  # the next kit is scanned
        if not index.isValid() or index.row() >= len(self.kits):
            self.message.show_message(
                self.tr(
                    "Select the kit that arrived damaged in the list (a kit scanned is selected "
                    "as it is added), then press Mark damaged."
                ),
                "error",
            )
            return
        row = index.row()
        kit = self.kits[row]
        if kit.damaged and kit.damaged != SEEN_AT_RECEIPT:
            self.message.show_message(
                self.tr(
                    "The manifest gives kit {kit} as damaged ({condition}): it is received into "
                    "quarantine, as the manifest says."
                ).format(kit=kit.number, condition=kit.damaged),
                "warning",
            )
            return
        self.kits[row] = replace(kit, damaged="" if kit.damaged else SEEN_AT_RECEIPT)
        self._show_kits()
        self.kits_view.setCurrentIndex(self.kits_model.index(row, 0))
        self.message.show_message(
            self.tr(
                "Kit {kit} marked damaged: it will be received into quarantine until the "
                "sponsor decides."
            ).format(kit=kit.number)
            if not kit.damaged
            else self.tr("Kit {kit} no longer marked damaged.").format(kit=kit.number),
            "warning" if not kit.damaged else "info",
        )

    def _remove_line(self) -> None:
        index = self.kits_view.currentIndex()
        if not index.isValid():
            return
        removed = self.kits.pop(index.row())
        if all(kit.number != removed.number for kit in self.kits):
            self.manifest_kits.discard(removed.number)
            self.scanned.discard(removed.number)
        self._show_kits()
        self.message.show_message(
            self.tr("Kit {number} taken off the list.").format(number=removed.number), "info"
        )

    def _show_kits(self) -> None:
        """The list assessed afresh (a line taken off, the temperature record changed)."""
        if not self.kits:
            self._show(None)
            return
        try:
            found = self._assess(self.kits)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        self._show(found)

    def _show(self, found: ReceiveAssessment | None) -> None:
        """Shows the service's verdicts and totals, as they are."""
        self.assessment = found
        self.kits_model.set_rows(list(found.lines) if found is not None else [])
        fit_product(self.kits_view)
        if found is None:
            self.count_label.setText(self.tr("Kits to receive: 0"))
        else:
            # What Receive takes once the refused lines are off, as the service counts it: in a
            # study not of tablets only, each product in its own word ("56 capsules, 30
            # tablets"), never capsules summed as tablets.
            study = self.session.ctx.study
            if study.tablets_only:
                text = self.tr("Kits to receive: {kits} ({tablets} tablets)").format(
                    kits=found.accepted_kits, tablets=found.accepted_tablets
                )
            else:
                text = self.tr("Kits to receive: {kits} ({units})").format(
                    kits=found.accepted_kits,
                    units=separated(units_of(study, p, n) for p, n in found.accepted_by_product),
                )
            refused = len(found.refused_lines)
            if refused:
                text += self.tr("; {refused} refused").format(refused=refused)
            if self.scanned:  # the check-off begun
                text += self.tr("; scanned {scanned} of {listed} of the manifest").format(
                    scanned=len(self.scanned), listed=len(self.manifest_kits)
                )
            if found.damaged and not found.into_quarantine:
                text += self.tr("; {damaged} damaged, into quarantine").format(
                    damaged=len(found.damaged)
                )
            if found.quarantined:
                text += self.tr(" — into quarantine (temperature record not acceptable)")
            elif found.excursions:
                text += self.tr(" — into quarantine (temperature excursion on record)")
            self.count_label.setText(text)
        notice = self._excursion_notice(found.excursions if found is not None else ())
        self.excursion_box.show_text(notice)
        self.kits_view.setColumnHidden(SCANNED, not self.scanned)  # the check-off begun
        self.remove_button.setEnabled(bool(self.kits))
        self.damaged_button.setEnabled(bool(self.kits))
        self.receive_button.setEnabled(bool(self.kits))

    def _excursion_notice(self, excursions: tuple[ReceiptExcursion, ...]) -> str:
        """The service's words on the excursions the kits go into quarantine for ("")."""
        ctx = self.session.ctx
        return receiving.excursion_notice(excursions, ctx.study.area_name(ctx.study.storage_area))

    # -- receive --------------------------------------------------------------------------

    def receive(self) -> None:
        if not self.kits:
            self.message.show_message(self.tr("Scan the kits of the shipment first."), "error")
            self.scan_field.setFocus()
            return
        mistyped_day = mistyped_date([(self.received_on, self.tr("Date received"))])
        if mistyped_day is not None:  # "2026-01-3O": said, never the field's old date
            typed_in, said = mistyped_day
            self.message.show_message(said, "error")
            typed_in.refuse()  # left as typed, marked, selected to be typed again
            return
        try:
            found = self._assess(self.kits)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        self._show(found)
        if found.refusals and found.refusals[0].code is ReceiveCheck.STUDY_FILE_CHANGED:
            self._reload_study(found.refusals[0].message)
            return
        if found.refused:
            lines = len(found.refused_lines)
            more = (
                by_count(
                    lines,
                    self.tr(" ({lines} line refused: see the list)"),
                    self.tr(" ({lines} lines refused: see the list)"),
                )
                if lines
                else ""
            )
            self.message.show_message(
                self.tr("Not received: {reason}").format(reason=found.refusals[0].message)
                + more.format(lines=lines),
                "error",
            )
            return
        missing = self._missing()
        if missing is None:
            return
        settled = self._settle_print()  # the last shipment's labels' record, not lost unasked
        if settled is None:
            return
        settled_said, settled_kind = settled
        try:
            result = receiving.receive_shipment(
                self.session.ctx,
                self.session.actor,
                self.shipment.text(),
                [kit for kit in self.kits if kit.number not in missing],
                received_on=to_date(self.received_on.date()),
                condition=receiving.condition_recorded(self.condition.text()),
                temperature_ok=self.temperature_ok.isChecked(),
                missing=missing,
            )
        except StudyFileChanged as exc:  # the study file was updated since the assessment
            self._reload_study(exc.message)
            return
        except DispensaryError as exc:
            self.message.show_message(sentences([settled_said, exc.message]), "error")
            return
        self.last_result = result
        self.manifest_kits.clear()
        self.scanned.clear()
        self.changed.emit()
        self.kits = []
        self._show_kits()
        self.shipment.clear()
        self._clear_batch()  # the next shipment's kits never take this one's lot and expiry
        # The last shipment's print settled above: the new shipment's labels are the ones to print.
        self.labels_button.setText(self.tr("Print kit la&bels"))
        self.labels_button.setEnabled(True)
        study = self.session.ctx.study
        if study.tablets_only:
            done = (
                self.tr(
                    "Shipment {shipment} received: {kits}, {tablets} tablets in quarantine"
                    " (temperature record not acceptable). Print the kit labels if the kits need"
                    " them."
                )
                if result.quarantined
                else self.tr(
                    "Shipment {shipment} received: {kits}, {tablets} tablets. Print the kit"
                    " labels if the kits need them."
                )
            )
        else:  # each product in its word ("28 capsules, 30 tablets"), never summed as tablets
            done = (
                self.tr(
                    "Shipment {shipment} received: {kits}, {units} in quarantine"
                    " (temperature record not acceptable). Print the kit labels if the kits need"
                    " them."
                )
                if result.quarantined
                else self.tr(
                    "Shipment {shipment} received: {kits}, {units}. Print the kit labels if"
                    " the kits need them."
                )
            )
        units = separated(units_of(study, p, n) for p, n in result.by_product)
        kits = (
            self.tr("1 kit")
            if len(result.kits) == 1
            else self.tr("{count} kits").format(count=len(result.kits))
        )
        said = done.format(shipment=result.shipment, kits=kits, tablets=result.tablets, units=units)
        if result.excursions:  # into quarantine for the excursions on record, as assessed
            said = self.tr("{received} {warning}").format(
                received=said, warning=self._excursion_notice(result.excursions)
            )
        if result.damaged:  # each in quarantine for its own cause, named
            # "K7101, damaged on arrival (seen at receipt)": no brackets closing brackets
            causes = [
                self.tr("{kit}, {cause}").format(kit=kit, cause=receiving.damage_words(condition))
                for kit, condition in result.damaged
            ]
            said = self.tr("{received} {warning}").format(
                received=said,
                warning=(
                    self.tr("In quarantine until the sponsor decides: {kits}.")
                    if len(causes) > 1
                    else self.tr("In quarantine until the sponsor decides: kit {kits}.")
                ).format(kits=self.tr("; ").join(causes)),
            )
        if result.missing:  # the manifest's kits that did not arrive: recorded, not received
            said = self.tr("{received} {warning}").format(
                received=said,
                warning=self.tr(
                    "Recorded missing from the shipment (not received): {kits}. Tell the sponsor."
                ).format(kits=separated(result.missing)),
            )
        for warning in result.warnings:  # received, but no dispense will take it
            said = self.tr("{received} {warning}").format(received=said, warning=warning)
        warn = bool(result.into_quarantine or result.warnings or result.damaged or result.missing)
        warn = warn or settled_kind != "ok"  # the last shipment's print record discarded
        self.message.show_message(sentences([settled_said, said]), "warning" if warn else "ok")
        self.labels_button.setFocus()

    def _missing(self) -> tuple[str, ...] | None:
        """The manifest's kits not scanned, once its check-off has begun (a kit scanned): the
        user records them missing from the shipment (not received), or goes back to scan them
        (None). Without a scan, or every kit scanned: none."""
        if not self.scanned:
            return ()
        unscanned = tuple(
            kit.number
            for kit in self.kits
            if kit.number in self.manifest_kits and kit.number not in self.scanned
        )
        if not unscanned:
            return ()
        if MissingKitsQuestion.ask(self, unscanned, len(self.manifest_kits)):
            return unscanned
        self.message.show_message(
            self.tr(
                "Not received yet: scan the kits of the manifest not yet checked off: {kits}."
            ).format(kits=separated(unscanned)),
            "warning",
        )
        self.scan_field.setFocus()
        return None

    def _record_unrecorded(self) -> str | None:
        """The kit labels out but not recorded: their record retried (nothing printed again).
        What to say once recorded ("" when none waited): recorded now, or found in the audit
        trail already (its answer lost: nothing new written, as the service says); None when
        refused again: the refusal is said and the print kept to record."""
        plan = self.unrecorded
        if plan is None:
            return ""
        outcome = recorded_print(self.session, plan)
        if outcome.why:
            self.message.show_message(
                self.tr("Kit labels not recorded: {why}").format(why=outcome.why), "error"
            )
            return None
        self.unrecorded = None
        self.labels_button.setText(self.tr("Print kit la&bels"))
        self.labels_button.setEnabled(False)
        if outcome.discarded_before:  # its discard went in, the answer lost
            return self.tr("Kit labels print record already discarded; nothing new written.")
        if outcome.already is not None:  # its record went in, the answer lost
            return self.tr("Kit labels print already recorded; nothing new written.")
        return self.tr("Kit labels print recorded.")

    def _settle_print(self) -> tuple[str, str] | None:
        """Before the form is emptied or another shipment received: the kit labels out but not
        recorded are recorded now or discarded, as the user chooses (UnrecordedPrintQuestion).
        What to say of it and how ("" when no print waited for its record); None when the
        print is kept to record (Cancel, or its record refused again: said), the step not to
        go on."""
        plan = self.unrecorded
        if plan is None:
            return "", "ok"
        answer = UnrecordedPrintQuestion.ask(self, plan.items)
        if answer == UnrecordedPrintQuestion.RECORD:
            said = self._record_unrecorded()
            if said is None:
                self.labels_button.setFocus()
                return None
            return said, "ok"
        if answer == UnrecordedPrintQuestion.DISCARD:
            why = discard_print(self.session, plan)
            if why:  # the discard not in the audit trail either: the print still waits
                self.message.show_message(
                    self.tr(
                        "The record of the kit labels printed was not discarded: the database "
                        "refused to note it in the audit trail ({why}). The print still waits: "
                        "record or discard it once the database is back."
                    ).format(why=why),
                    "error",
                )
                self.labels_button.setFocus()
                return None
            self.unrecorded = None
            self.labels_button.setText(self.tr("Print kit la&bels"))
            self.labels_button.setEnabled(False)
            return self.tr(
                "The record of the kit labels printed was discarded: the audit trail shows them "
                "discarded, not printed."
            ), "warning"
        self.message.show_message(
            self.tr(
                "The kit labels printed are still to be recorded: press Record the print once "
                "the database is back."
            ),
            "warning",
        )
        self.labels_button.setFocus()
        return None

    def print_labels(self) -> None:
        if self.unrecorded is not None:  # out already: only its record is retried
            said = self._record_unrecorded()
            if said is not None:
                self.message.show_message(said, "ok")
            return
        result = self.last_result
        if result is None:
            return
        printed = print_kit_labels(self, self.session, result)
        if printed.unrecorded is not None:  # a second print would go out unmarked
            self.unrecorded = printed.unrecorded
            self.labels_button.setText(self.tr("Re&cord the print"))
        self.message.show_message(printed.text, printed.kind)

    def _clear_batch(self) -> None:
        """What describes one shipment's kits back to a new shipment's: its condition intact,
        its temperature record acceptable, no lot and no expiry. Kept after Receive, the next
        shipment's scanned kits silently took the last one's lot and expiry."""
        self.condition.setText(receiving.condition_words(receiving.INTACT))
        self.temperature_ok.setChecked(True)
        self.lot.clear()
        self.expiry.clear()

    def new_shipment(self) -> None:
        """ "New shipment": the form emptied, asked first when kits are listed but not received,
        and when the kit labels printed are not recorded (recorded now, or discarded)."""
        settled = self._settle_print()
        if settled is None:
            return
        said, kind = settled
        if self.kits and not NewShipmentQuestion.ask(self, len(self.kits)):
            self.scan_field.setFocus()
            if said:
                self.message.show_message(said, kind)
            return
        self.start_over()
        if said:
            self.message.show_message(said, kind)

    def start_over(self) -> None:
        """The form emptied for a new shipment. A kit-label print out but not recorded stays
        to record (`new_shipment` asks about it first): the screen built again (F5, a study
        opened again) still offers Record the print, and says so."""
        self.kits = []
        self.manifest_kits.clear()
        self.scanned.clear()
        self.last_result = None
        waiting = self.unrecorded is not None
        self.labels_button.setText(
            self.tr("Re&cord the print") if waiting else self.tr("Print kit la&bels")
        )
        self.shipment.clear()
        self._clear_batch()
        self.received_on.setDate(qdate(self.session.ctx.clock.today()))
        self._product_changed()
        self.labels_button.setEnabled(waiting)
        self.scan_field.clear()
        self.scan_field.set_cue("")
        self.message.clear_message()
        self._show_kits()
        self.shipment.setFocus()
        if waiting:
            self.message.show_message(
                self.tr(
                    "Kit labels printed earlier are not recorded in the audit trail: press Record "
                    "the print (they are not printed again)."
                ),
                "warning",
            )
