"""The stock register: every kit with its status today, and what may be done to selected kits
(quarantine, release, count, destroy) for the roles allowed to do it."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import DestructionReason, KitStatus, SignatureMeaning
from dispensary.domain.errors import DispensaryError, InvalidInput
from dispensary.domain.rules import normalise_kit_number
from dispensary.services import destruction, quarantine, queries
from dispensary.services.assessment import DestroyAssessment, DestroyCheck, DestroyRequest
from dispensary.services.permissions import Permission, may
from dispensary.services.results import KitRow
from dispensary.ui.count_view import CountScreen
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import (
    ReasonDialog,
    action_button,
    attempt,
    fit_columns,
    role_buttons,
    row_table,
    select_where,
    selected_rows,
    side_panel,
    signed,
    text_field,
)
from dispensary.ui.models.table import Column
from dispensary.ui.screen import ALL_ROLES, Screen, is_dispense_number
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import date_edit, qdate, titled_page, to_date, wrapped_label

KIT_COLUMNS: list[Column[KitRow]] = [
    Column("Kit", lambda r: r.number),
    Column("Product", lambda r: r.product),
    Column("Lot", lambda r: r.lot),
    Column("Expiry", lambda r: r.expiry),
    Column("Status", lambda r: r.status, colour=lambda r: r.status.colour),
    Column("Tablets", lambda r: r.tablets, align_right=True),
    Column("Where", lambda r: r.where or r.location),
    Column("Shipment", lambda r: r.shipment),
]

DESTRUCTION_METHODS = ["Incineration on site", "Incineration by contractor", "Return to sponsor"]


class CountDialog(QDialog):
    """The blind count of one kit, opened from the inventory; the count screen does the work."""

    def __init__(self, session: AppSession, kit: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Physical count of kit {kit}")
        self.resize(980, 580)
        layout = QVBoxLayout(self)
        self.counter = CountScreen(session, self)
        self.counter.changed.connect(self.accept)
        layout.addWidget(self.counter)
        self.counter.start(kit)

    @classmethod
    def run(cls, parent: QWidget | None, session: AppSession, kit: str) -> bool:
        """True when a count was recorded."""
        return cls(session, kit, parent).exec() == QDialog.DialogCode.Accepted


class InventoryScreen(Screen):
    title = "Inventory"
    shortcut = "Ctrl+5"
    roles = ALL_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.model, self.proxy, self.table = row_table(
            self, KIT_COLUMNS, "inventoryTable", multi=True, sort_column=3
        )
        layout, self.message = titled_page(self, "Inventory: every kit and its status today")
        layout.addLayout(self._filters())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        splitter.addWidget(self.table)
        splitter.addWidget(self._actions())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([840, 290])
        layout.addWidget(splitter, 1)
        self._selection_changed()

    # building -----------------------------------------------------------------------------

    def _filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search = text_field("inventorySearch", "Search kit, lot, shipment...")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._text_filter)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem("All statuses", None)
        for status in KitStatus:
            self.status.addItem(status.label, status.value)
        self.status.currentIndexChanged.connect(self.refresh)
        self.product = QComboBox()
        self.product.setObjectName("productFilter")
        self.product.addItem("All products", None)
        for product in self.session.ctx.study.products:
            self.product.addItem(f"{product.code} ({product.strength})", product.code)
        self.product.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("inventorySummary")
        row.addWidget(QLabel("Search"))
        row.addWidget(self.search, 2)
        row.addWidget(QLabel("Status"))
        row.addWidget(self.status)
        row.addWidget(QLabel("Product"))
        row.addWidget(self.product)
        row.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignRight)
        return row

    def _actions(self) -> QWidget:
        actor = self.session.actor
        panel, column = side_panel(270)
        self.selection_label = wrapped_label("selectionLabel")
        column.addWidget(self.selection_label)

        self.quarantine_button = action_button(
            "Quarantine...", "quarantineButton", self._quarantine
        )
        self.release_button = action_button(
            "Release from quarantine...", "releaseButton", self._release
        )
        self.count_button = action_button(
            "Count...", "countButton", self._count, "A blind physical count of the selected kit"
        )
        role_buttons(
            column,
            actor,
            [
                (self.quarantine_button, Permission.QUARANTINE),
                (self.release_button, Permission.RELEASE),
                (self.count_button, Permission.COUNT),
            ],
        )

        self.destroy_box = QGroupBox("Destroy, or return to sponsor")
        self.destroy_box.setObjectName("destroyBox")
        form = QFormLayout(self.destroy_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # the panel is narrow
        self.witness = text_field("witness", "User name of the witness (another user)")
        self.witness_password = text_field(
            "witnessPassword", "The witness's password, typed by them", password=True
        )
        self.method = QComboBox()
        self.method.setObjectName("method")
        self.method.setEditable(True)
        self.method.addItems(DESTRUCTION_METHODS)
        self.reference = text_field("reference", "The sponsor's destruction authorisation")
        self._destroy_refusal = ""  # the service's refusal of the last assessment, if raised
        self._default_day = self.session.ctx.clock.today()  # followed while left as it is
        self.destroyed_on = date_edit(self._default_day)
        self.destroyed_on.setObjectName("destroyedOn")
        self.destroyed_on.setToolTip(
            "The day the kits were destroyed or sent back: on or after each kit's receipt or "
            "return, and not in the future"
        )
        self.reason_code = QComboBox()
        self.reason_code.setObjectName("reasonCode")
        self.reason_code.addItem("(none: expired or returned stock)", None)
        for reason in DestructionReason:
            self.reason_code.addItem(reason.label, reason.value)
        self.reason_code.setToolTip("Needed when a kit still in date leaves unused")
        self.to_sponsor = QCheckBox("Sent back to the sponsor")
        self.to_sponsor.setToolTip("Ticked: the kits go back to the sponsor, not destroyed here")
        self.to_sponsor.setObjectName("toSponsor")
        self.destroy_button = action_button(
            "Destroy selected kits...", "destroyButton", self._destroy
        )
        self.destroy_verdict = wrapped_label("destroyAssessment")
        self.destroy_verdict.setTextFormat(Qt.TextFormat.RichText)
        form.addRow("Witness", self.witness)
        form.addRow("Witness's password", self.witness_password)
        form.addRow("Method", self.method)
        form.addRow("Sponsor's authorisation", self.reference)
        form.addRow("Date destroyed (or sent back)", self.destroyed_on)
        form.addRow("Reason (in-date kits)", self.reason_code)
        form.addRow(self.to_sponsor)
        form.addRow(self.destroy_verdict)
        form.addRow(self.destroy_button)
        self.witness.textChanged.connect(self._assess_destroy)
        self.method.currentTextChanged.connect(self._assess_destroy)
        self.reference.textChanged.connect(self._assess_destroy)
        self.destroyed_on.dateChanged.connect(self._assess_destroy)
        self.reason_code.currentIndexChanged.connect(self._assess_destroy)
        self.to_sponsor.toggled.connect(self._assess_destroy)
        self.destroy_box.setVisible(may(actor, Permission.DESTROY))
        column.addWidget(self.destroy_box)
        column.addStretch(1)
        return panel

    # reading ------------------------------------------------------------------------------

    def refresh(self) -> None:
        self._follow_today()
        chosen = {r.number for r in self.selected()}
        status = KitStatus(self.status.currentData()) if self.status.currentIndex() else None
        product = self.product.currentData()
        rows = attempt(
            self.message,
            lambda: queries.inventory(
                self.session.ctx, self.session.actor, status=status, product=product
            ),
        )
        if rows is None:
            return
        self.model.set_rows(rows)
        fit_columns(self.table)
        self._reselect(chosen)
        self._update_summary()

    def _follow_today(self) -> None:
        """The destruction date stays today (the screen may stay open past midnight) unless
        the user chose another day."""
        today = self.session.ctx.clock.today()
        if to_date(self.destroyed_on.date()) == self._default_day and today != self._default_day:
            self._default_day = today
            self.destroyed_on.setDate(qdate(today))

    def _reselect(self, numbers: set[str]) -> None:
        """Keeps the user's selection across a reload."""
        if not numbers:
            return
        chosen = QItemSelection()
        last = self.proxy.columnCount() - 1
        for line in range(self.proxy.rowCount()):
            row = self.model.row_at(self.proxy.mapToSource(self.proxy.index(line, 0)).row())
            if row.number in numbers:
                chosen.select(self.proxy.index(line, 0), self.proxy.index(line, last))
        self.table.selectionModel().select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _text_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._update_summary()

    def _update_summary(self) -> None:
        shown = [
            self.model.row_at(self.proxy.mapToSource(self.proxy.index(i, 0)).row())
            for i in range(self.proxy.rowCount())
        ]
        on_hand = sum(r.tablets for r in shown if r.status is KitStatus.AVAILABLE)
        self.summary.setText(f"{len(shown)} kits shown; {on_hand} tablets available")

    def selected(self) -> list[KitRow]:
        return selected_rows(self.table, self.proxy, self.model)

    def _selection_changed(self) -> None:
        kits = self.selected()
        if not kits:
            self.selection_label.setText("Select one or more kits (Ctrl-click for several).")
        elif len(kits) == 1:
            k = kits[0]
            self.selection_label.setText(
                f"<b>Kit {k.number}</b>: {k.product}, lot {k.lot}, expires "
                f"{k.expiry.isoformat()}<br>{k.status.label}, {k.tablets} tablets, "
                f"{k.where or k.location}"
            )
        else:
            self.selection_label.setText(
                f"<b>{len(kits)} kits selected</b>: "
                + ", ".join(k.number for k in kits[:12])
                + (" ..." if len(kits) > 12 else "")
            )
        any_selected = bool(kits)
        for button in (self.quarantine_button, self.release_button, self.destroy_button):
            button.setEnabled(any_selected)
        self.count_button.setEnabled(len(kits) == 1)
        self._assess_destroy()

    def open_kit(self, number: str) -> bool:
        """Selects and shows a kit (e.g. scanned elsewhere); clears filters that hide it."""
        return self._show_kit(number, quiet=False)

    def handle_scan(self, code: str) -> bool:
        """A kit of this pharmacy is shown here; anything else goes back to the main window."""
        if is_dispense_number(code):
            return False
        return self._show_kit(code, quiet=True)

    def _show_kit(self, number: str, quiet: bool) -> bool:
        try:
            wanted = normalise_kit_number(number)
        except InvalidInput as exc:
            if not quiet:
                self.message.show_message(exc.message)
            return False
        self.message.clear_message()
        if self.status.currentIndex() or self.product.currentIndex() or self.search.text():
            self.search.clear()
            for combo in (self.status, self.product):
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
        self.refresh()
        self.table.clearSelection()
        if select_where(self.table, self.proxy, self.model, lambda r: r.number == wanted):
            return True
        if not quiet:
            self.message.show_message(
                f"Kit {wanted} is not in this pharmacy's stock. Check the number, or receive "
                "the kit's shipment first."
            )
        return False

    # writing ------------------------------------------------------------------------------

    def _numbers(self) -> list[str]:
        return [k.number for k in self.selected()]

    def _quarantine(self) -> None:
        kits = self._numbers()
        reason = ReasonDialog.ask(
            self,
            "Quarantine",
            f"Why are {', '.join(kits)} set aside? They cannot be dispensed until released.",
            "Quarantine",
        )
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: quarantine.quarantine(self.session.ctx, self.session.actor, kits, reason),
        )
        if done is not None:
            self._written(f"Quarantined {', '.join(done.kits)}: {done.reason}.")

    def _release(self) -> None:
        kits = self._numbers()
        reason = ReasonDialog.ask(
            self,
            "Release from quarantine",
            f"Why may {', '.join(kits)} be dispensed again (e.g. the sponsor's decision)?",
            "Release",
        )
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: quarantine.release(self.session.ctx, self.session.actor, kits, reason),
        )
        if done is not None:
            self._written(f"Released {', '.join(done.kits)}: {done.reason}.")

    def _count(self) -> None:
        kits = self._numbers()
        if len(kits) != 1:
            return
        if CountDialog.run(self, self.session, kits[0]):
            self._written(f"Count of kit {kits[0]} recorded.")

    def _assess_destroy(self) -> DestroyAssessment | None:
        """The service's verdict on destroying the selected kits with the paperwork typed, shown
        in the panel: each kit refused with what to do, the tablets that would leave."""
        kits = self._numbers()
        self._destroy_refusal = ""
        if not kits or not may(self.session.actor, Permission.DESTROY):
            self.destroy_verdict.clear()
            return None
        request = DestroyRequest(
            tuple(kits),
            self.witness.text(),
            self.method.currentText(),
            destroyed_on=to_date(self.destroyed_on.date()),
            reference=self.reference.text(),
            to_sponsor=self.to_sponsor.isChecked(),
            reason_code=self.reason_code.currentData(),
        )
        try:
            found = destruction.assess_destroy(self.session.ctx, self.session.actor, request)
        except DispensaryError as exc:  # e.g. a date in the future
            self._destroy_refusal = exc.message
            self.destroy_verdict.setText(escape(exc.message))
            return None
        lines = [
            f"<span style='color:#c62828'>{escape(v.message)}</span>"
            for v in found.kits
            if not v.accepted
        ]
        lines.append(
            f"{len(found.destroyable)} kit(s), <b>{found.tablets}</b> tablets would leave: {found.from_stock} "
            f"from the shelf, {found.from_returned} returned (held for the monitor)."
        )
        kit_codes = (DestroyCheck.KIT, DestroyCheck.KIT_UNKNOWN, DestroyCheck.DATE)  # shown above
        paperwork = [r.message for r in found.refusals if r.code not in kit_codes]
        lines += [f"<span style='color:#7a4b00'>{escape(m)}</span>" for m in paperwork]
        self.destroy_verdict.setText("<br>".join(lines))
        return found

    def _destroy(self) -> None:
        found = self._assess_destroy()
        if found is None:
            self.message.show_message(self._destroy_refusal or "Select the kits to destroy.")
            return
        if found.refused:
            self.message.show_message(" ".join(r.message for r in found.refusals))
            return
        actor = self.session.actor
        kits = [v.kit for v in found.kits]
        what = "return to the sponsor" if found.to_sponsor else "destruction"
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.DESTROYED.value,
            f"{what.capitalize()} of {len(kits)} kit(s): {', '.join(kits)} ({found.tablets} "
            f"tablets) on {found.destroyed_on.isoformat()}, witnessed by {found.witness_name}, "
            f"authorised by {found.reference}",
        )
        if password is None:
            return
        done = signed(
            self.message,
            self.session,
            lambda: destruction.destroy(
                self.session.ctx,
                actor,
                kits,
                self.witness.text(),
                self.method.currentText(),
                password,
                destroyed_on=found.destroyed_on,
                reference=self.reference.text(),
                to_sponsor=self.to_sponsor.isChecked(),
                witness_password=self.witness_password.text(),
                reason_code=self.reason_code.currentData(),
            ),
        )
        self.witness_password.clear()  # typed by the witness for this one act
        if done is None:
            return
        self.witness.clear()
        self.reference.clear()
        self.reason_code.setCurrentIndex(0)
        self.to_sponsor.setChecked(False)
        self._default_day = self.session.ctx.clock.today()
        self.destroyed_on.setDate(qdate(self._default_day))
        verb = "returned to the sponsor" if done.to_sponsor else "destroyed"
        self._written(
            f"{len(done.kits)} kit(s), {done.tablets} tablets, {verb} on "
            f"{done.destroyed_on.isoformat()} (record {done.destruction_id}), witnessed by "
            f"{done.witness}."
        )

    def _written(self, text: str) -> None:
        self.refresh()
        self.message.show_message(text, "ok")
        self.changed.emit()
