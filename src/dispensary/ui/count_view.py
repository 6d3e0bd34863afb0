"""The blind physical count: the counter sees the book balance only after typing the count, and
a difference needs a reason code and a second person's signature."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QIntValidator, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from dispensary.domain.codes import KitStatus, ReasonCode, SignatureMeaning
from dispensary.domain.errors import InvalidInput
from dispensary.domain.rules import normalise_kit_number, parse_whole
from dispensary.services import counts, queries
from dispensary.services.results import CountResult
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import (
    action_button,
    attempt,
    fit_columns,
    row_table,
    signed,
    text_field,
)
from dispensary.ui.models.table import Column
from dispensary.ui.screen import STAFF_ROLES, OpenKind, Screen, route_scan
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import titled_page, wrapped_label

ON_SHELF = (KitStatus.AVAILABLE, KitStatus.QUARANTINED)

COUNT_COLUMNS: list[Column[CountResult]] = [
    Column("Kit", lambda r: r.kit),
    Column("Counted", lambda r: r.counted, align_right=True),
    Column("Book", lambda r: r.book, align_right=True),
    Column(
        "Difference",
        lambda r: f"{r.difference:+d}" if r.difference else "0",
        colour=lambda r: "#c62828" if r.difference else "#2e7d32",
        align_right=True,
    ),
    Column("Ledger adjusted", lambda r: r.adjusted),
]


class EnterClicks(QObject):
    """Enter (either key) on a focused button presses it, as Space does: the count is worked
    from the keyboard alone, and outside a dialog Qt buttons ignore Enter."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(watched, QPushButton)
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        ):
            watched.click()
            return True
        return False


class CountScreen(Screen):
    title = "Physical count"
    shortcut = "Ctrl+7"
    roles = STAFF_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._kit = ""
        self._book: int | None = None
        layout, self.message = titled_page(self, "Physical count (blind)")
        hint = wrapped_label(
            text="Scan a kit, count its tablets and type the number. The book balance is shown "
            "only after your count is entered."
        )
        layout.insertWidget(1, hint)

        entry = QGroupBox("Count")
        form = QFormLayout(entry)
        self.kit = text_field("countKit", "Scan the kit barcode")
        self.kit.returnPressed.connect(self._kit_entered)
        self.counted = text_field("countTablets", "Tablets you counted")
        self.counted.setValidator(QIntValidator(0, 100000, self))
        self.counted.setMinimumWidth(100)
        self.counted.returnPressed.connect(self._reveal)
        self.enter_button = action_button("Enter count", "enterCount", self._reveal)
        counted_row = QHBoxLayout()
        counted_row.addWidget(self.counted)
        counted_row.addWidget(self.enter_button)
        form.addRow("Kit", self.kit)
        form.addRow("Tablets counted", counted_row)
        for field in (self.kit, self.counted):
            field.setStyleSheet("font-size: 15px; padding: 3px;")
        entry.setMaximumWidth(560)
        top = QHBoxLayout()
        top.addWidget(entry, 0, Qt.AlignmentFlag.AlignTop)

        self.result_box = QGroupBox("Against the book")
        self.result_box.setObjectName("countResult")
        result = QFormLayout(self.result_box)
        self.comparison = wrapped_label("comparison")
        self.comparison.setStyleSheet("font-size: 16px; font-weight: 600;")
        result.addRow(self.comparison)
        self.reason_code = QComboBox()
        self.reason_code.setObjectName("reasonCode")
        self.reason_code.addItem("Choose a reason code", "")
        for code in ReasonCode:
            self.reason_code.addItem(code.label, code.value)
        self.reason = text_field("countReason", "What happened, in a few words")
        self.verifier = text_field("verifier", "User name of the person who checked the count")
        self.verifier_password = text_field(
            "verifierPassword", "Their password, typed by them", password=True
        )
        self.difference_rows = [
            ("Reason code", self.reason_code),
            ("Reason", self.reason),
            ("Second person", self.verifier),
            ("Their password", self.verifier_password),
        ]
        for label, widget in self.difference_rows:
            result.addRow(label, widget)
        buttons = QHBoxLayout()
        self.sign_button = action_button("Sign and record count...", "signCount", self._record)
        # Once the book is shown the count cannot be typed again: the only way out without
        # recording is to cancel, and the kit's next count starts blind.
        self.cancel_button = action_button(
            "Cancel this kit",
            "cancelCount",
            self.cancel,
            "Records nothing; count the kit again later, blind",
        )
        self._enter_clicks = EnterClicks(self)
        for button in (self.sign_button, self.cancel_button):
            button.installEventFilter(self._enter_clicks)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        result.addRow(buttons)
        self.result_layout = result
        self.result_box.setMinimumWidth(560)
        self.result_box.setMaximumWidth(760)
        top.addWidget(self.result_box, 1, Qt.AlignmentFlag.AlignTop)
        top.addStretch(0)
        layout.addLayout(top)

        layout.addWidget(QLabel("Counts recorded at this workstation since sign-in"))
        self.log, self.log_proxy, self.log_table = row_table(self, COUNT_COLUMNS, "countLog")
        layout.addWidget(self.log_table, 1)
        self.reset()

    def refresh(self) -> None:
        if not self._kit:
            self.kit.setFocus()

    def handle_scan(self, code: str) -> bool:
        """A kit scanned while the kit field is not focused starts its count; the lookup only
        confirms the kit exists, nothing of its balance is shown. While a count is shown
        against the book, the scanned kit waits: the counter is told, it is not lost."""
        target = route_scan(self.session, code)
        if target is None or target[0] is not OpenKind.KIT:
            return False
        if self._book is not None:
            self._finish_first(target[1])
            return True
        self.start(target[1])
        return True

    def _finish_first(self, scanned: str) -> None:
        self.message.show_message(
            f"Finish or cancel the count of {self._kit} first, then scan {scanned} again.",
            "error",
        )

    def cancel(self) -> None:
        """Drops the count shown against the book without recording anything."""
        kit = self._kit
        self.reset()
        if kit:
            self.message.show_message(
                f"Count of kit {kit} cancelled: nothing recorded. Count it again later; the "
                "book stays hidden until the new count is typed.",
                "info",
            )

    def start(self, kit: str) -> None:
        """Begins the count of a kit, as if it had been scanned here."""
        self.reset()
        self.kit.setText(kit)
        self._kit_entered()

    def reset(self) -> None:
        """Clears the count in progress; the book balance is hidden again."""
        self._kit = ""
        self._book = None
        for field in (self.kit, self.counted):
            field.clear()
            field.setReadOnly(False)
        self.reason_code.setCurrentIndex(0)
        for field in (self.reason, self.verifier, self.verifier_password):
            field.clear()
        self.comparison.clear()
        self.result_box.setVisible(False)
        self.enter_button.setEnabled(True)
        self.kit.setFocus()

    def _kit_entered(self) -> None:
        if self._book is not None:  # the kit field is read-only: a scan here is not taken
            self._finish_first("the next kit")
            return
        try:
            number = normalise_kit_number(self.kit.text())
        except InvalidInput as exc:
            self.message.show_message(exc.message)
            self.kit.selectAll()
            return
        self._kit = number
        self.kit.setText(number)
        self.message.show_message(f"Kit {number}: count its tablets and type the number.", "info")
        self.counted.setFocus()

    def _reveal(self) -> None:
        """Shows the book only now that the count is typed, and locks the count."""
        if self._book is not None:
            return
        if not self._kit:
            self._kit_entered()
            if not self._kit:
                return
        text = self.counted.text().strip()
        if not text:
            self.message.show_message("Type the number of tablets you counted first.")
            self.counted.setFocus()
            return
        try:
            counted = parse_whole(text, "number of tablets counted", minimum=0)
        except InvalidInput as exc:
            self.message.show_message(exc.message)
            self.counted.setFocus()
            self.counted.selectAll()
            return
        detail = attempt(
            self.message,
            lambda: queries.kit_detail(self.session.ctx, self.session.actor, self._kit),
        )
        if detail is None:
            return
        if detail.status not in ON_SHELF:
            self.message.show_message(
                f"Kit {detail.number} is {detail.status.label.lower()}; counts are for kits on "
                "the shelf. A returned kit's count is corrected through its return."
            )
            return
        self._book = detail.tablets
        difference = counted - detail.tablets
        self.kit.setReadOnly(True)
        self.counted.setReadOnly(True)
        self.enter_button.setEnabled(False)
        self.result_box.setVisible(True)
        for _label, widget in self.difference_rows:
            self.result_layout.setRowVisible(widget, bool(difference))
        if difference:
            self.comparison.setText(
                f"Counted {counted}, book {detail.tablets}: difference {difference:+d}"
            )
            self.comparison.setStyleSheet("font-size: 16px; font-weight: 600; color: #c62828;")
            self.message.show_message(
                "The count differs from the book. Give a reason; a second person checks the "
                "count and types their password, then you sign.",
                "warning",
            )
            self.reason_code.setFocus()
        else:
            self.comparison.setText(f"Counted {counted}, book {detail.tablets}: they agree")
            self.comparison.setStyleSheet("font-size: 16px; font-weight: 600; color: #2e7d32;")
            self.message.show_message("The count agrees with the book. Sign to record it.", "ok")
            self.sign_button.setFocus()

    def _record(self) -> None:
        if self._book is None:
            return
        actor = self.session.actor
        counted = parse_whole(self.counted.text(), "number of tablets counted", minimum=0)
        difference = counted - self._book
        meaning = SignatureMeaning.ADJUSTED if difference else SignatureMeaning.COUNT_VERIFIED
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            meaning.value,
            f"Count of kit {self._kit}: {counted} tablets (book {self._book})",
        )
        if password is None:
            return
        code = self.reason_code.currentData() if difference else None
        done = signed(
            self.message,
            self.session,
            lambda: counts.record_count(
                self.session.ctx,
                actor,
                self._kit,
                counted,
                password,
                reason_code=code or None,
                reason=self.reason.text() if difference else "",
                verified_by=self.verifier.text().strip() if difference else "",
                verifier_password=self.verifier_password.text() if difference else "",
            ),
        )
        if done is None:
            return
        self.log.set_rows([*self.log.rows, done])
        fit_columns(self.log_table)
        self.reset()
        note = (
            f"; the ledger was adjusted by {done.difference:+d}" if done.adjusted else ", no change"
        )
        self.message.show_message(
            f"Count of kit {done.kit} recorded: {done.counted} tablets{note}. Scan the next kit.",
            "ok",
        )
        self.changed.emit()
