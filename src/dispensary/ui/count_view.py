"""The blind physical count: the counter signs the figure counted and it is recorded before the
book balance is shown; a count that differs stays recorded as counted (open) and is then
adjusted (a reason code and a second person's signature), counted again, or left open."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from dispensary.domain.codes import ReasonCode, SignatureMeaning
from dispensary.domain.errors import (
    DispensaryError,
    InOtherStudy,
    InvalidInput,
    SignatureFailed,
)
from dispensary.domain.rules import parse_whole
from dispensary.i18n import sentences
from dispensary.services import counts
from dispensary.services.assessment import CountAssessment, CountNeeds, CountRequest
from dispensary.services.results import CountResult
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import (
    action_button,
    fit_columns,
    refused,
    row_table,
    signed,
    text_field,
)
from dispensary.ui.models.table import Column
from dispensary.ui.screen import STAFF_ROLES, OpenKind, Screen, route_scan
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import term
from dispensary.ui.widgets import titled_page, units_word, wrapped_label

COUNT_COLUMNS: list[Column[CountResult]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Kit")), lambda r: r.kit),
    Column(str(QT_TRANSLATE_NOOP("Column", "Counted")), lambda r: r.counted, align_right=True),
    Column(str(QT_TRANSLATE_NOOP("Column", "Book")), lambda r: r.book, align_right=True),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Difference")),
        lambda r: f"{r.difference:+d}" if r.difference else "0",
        colour=lambda r: "#c62828" if r.difference else "#2e7d32",
        align_right=True,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Ledger adjusted")), lambda r: r.adjusted),
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
    title = str(QT_TRANSLATE_NOOP("Screen", "Physical count"))
    shortcut = QKeySequence("Ctrl+7").toString()
    roles = STAFF_ROLES
    kit_done = Signal()
    """The count of the kit is over: recorded as the book (or its difference adjusted), or
    left open. Not at a count recorded open (`changed`): the book is shown then, to adjust."""

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self._kit = ""
        self._book: int | None = None
        self._shown_count: int | None = None  # the open count shown with the book (its number)
        self.assessment: CountAssessment | None = None
        layout, self.message = titled_page(self, self.tr("Physical count (blind)"))
        hint = wrapped_label(
            text=self.tr(
                "Scan a kit, count its tablets and type the number. Your count is signed and "
                "recorded before the book balance is shown."
            )
            if session.ctx.study.tablets_only
            else self.tr(
                "Scan a kit, count what it holds and type the number. Your count is signed and "
                "recorded before the book balance is shown."
            )
        )
        layout.insertWidget(1, hint)

        entry = QGroupBox(self.tr("Count"))
        form = QFormLayout(entry)
        self.kit = text_field("countKit", self.tr("Scan the kit barcode"))
        self.kit.returnPressed.connect(self._kit_entered)
        # No input filter: one dropped the keys it refused without a word, and a blind count
        # typed "-2" was shown against the book, and recorded, as 2. The count is kept as
        # typed; `_reveal` refuses a text that is no whole number, the service a negative one.
        self.counted = text_field("countTablets", self.tr("Tablets you counted"))
        self._product = ""  # the kit's product: the count is said in its word
        self.counted.setMinimumWidth(100)
        self.counted.returnPressed.connect(self._reveal)
        self.enter_button = action_button(self.tr("&Enter count"), "enterCount", self._reveal)
        counted_row = QHBoxLayout()
        counted_row.addWidget(self.counted)
        counted_row.addWidget(self.enter_button)
        form.addRow(self.tr("&Kit"), self.kit)
        self.counted_label = QLabel()
        self.counted_label.setBuddy(self.counted)  # its Alt key, C, whatever the product
        self._name_count()
        form.addRow(self.counted_label, counted_row)
        for field in (self.kit, self.counted):
            field.setStyleSheet("font-size: 15px; padding: 3px;")
        entry.setMaximumWidth(560)
        top = QHBoxLayout()
        top.addWidget(entry, 0, Qt.AlignmentFlag.AlignTop)

        self.result_box = QGroupBox(self.tr("Against the book"))
        self.result_box.setObjectName("countResult")
        result = QFormLayout(self.result_box)
        self.comparison = wrapped_label("comparison")
        self.comparison.setStyleSheet("font-size: 16px; font-weight: 600;")
        result.addRow(self.comparison)
        self.reason_code = QComboBox()
        self.reason_code.setObjectName("reasonCode")
        self.reason_code.addItem(self.tr("Choose a reason code"), "")
        for code in ReasonCode:
            self.reason_code.addItem(term(code.label), code.value)
        self.reason = text_field("countReason", self.tr("What happened, in a few words"))
        self.verifier = text_field(
            "verifier", self.tr("User name of the person who checked the count")
        )
        self.difference_rows = [
            (self.tr("Reason co&de"), self.reason_code),
            (self.tr("&Reason"), self.reason),
            (self.tr("Second &person"), self.verifier),
        ]
        for label, widget in self.difference_rows:
            result.addRow(label, widget)
        # Who the user name typed is (the service's finding): the counter sees the second
        # person's full name and role, not a user name alone, before both sign (as the
        # destruction's witness is shown).
        self.verifier_who = wrapped_label("verifierWho")
        self.verifier_who.setTextFormat(Qt.TextFormat.PlainText)
        self.verifier_who.setStyleSheet("color: #455a64")  # a note under the field, not a label
        result.addRow(self.verifier_who)
        self.needs_label = wrapped_label("countNeeds")
        result.addRow(self.needs_label)
        self.reason_code.currentIndexChanged.connect(self._show_needs)
        self.reason.textChanged.connect(self._show_needs)
        # The second person is named here; they sign in their own signature window, typing
        # their user name and password (21 CFR 11.200(a)(1): they are not signed in).
        self.verifier.textChanged.connect(self._show_needs)
        buttons = QHBoxLayout()
        self.sign_button = action_button(
            self.tr("&Sign and adjust the book..."), "signCount", self._record
        )
        # The book is shown once the count is recorded: the count shown cannot be dropped or
        # typed again. A recount is a count of its own, recorded as one (not blind).
        self.recount_button = action_button(
            self.tr("Count &again"),
            "recountKit",
            self._count_again,
            self.tr("Type a new count of the kit; it is recorded as a recount, not blind"),
        )
        self.cancel_button = action_button(
            self.tr("&Leave it open"),
            "cancelCount",
            self.cancel,
            self.tr("The count stays recorded, not adjusted; the reconciliation lists it"),
        )
        self._enter_clicks = EnterClicks(self)
        for button in (self.sign_button, self.recount_button, self.cancel_button):
            button.installEventFilter(self._enter_clicks)
        buttons.addWidget(self.sign_button)
        buttons.addWidget(self.recount_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        result.addRow(buttons)
        self.result_layout = result
        self.result_box.setMinimumWidth(560)
        self.result_box.setMaximumWidth(760)
        top.addWidget(self.result_box, 1, Qt.AlignmentFlag.AlignTop)
        top.addStretch(0)
        layout.addLayout(top)

        layout.addWidget(QLabel(self.tr("Counts recorded at this workstation since sign-in")))
        self.log, self.log_proxy, self.log_table = row_table(self, COUNT_COLUMNS, "countLog")
        # Columns as wide as their titles and values, the rest of the width left empty (the
        # last one stretched put "Ledger adjusted" in the middle of the window).
        self.log_table.horizontalHeader().setStretchLastSection(False)
        # Until a count is recorded, the list says what it will hold, inside it, under its
        # headers.
        self.log_empty = QLabel(
            self.tr(
                "Counts you record this session are listed here; every count is in the "
                "reconciliation's Physical count tab and the audit trail."
            ),
            self.log_table.viewport(),
        )
        self.log_empty.setObjectName("countLogEmpty")
        self.log_empty.setWordWrap(True)
        self.log_empty.setStyleSheet("color: #52606d; padding: 12px;")
        self.log_table.viewport().installEventFilter(self)
        self.log.modelReset.connect(self._show_log_empty)
        layout.addWidget(self.log_table, 1)
        self._show_log_empty()
        self.reset()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.log_table.viewport() and event.type() == QEvent.Type.Resize:
            self._place_log_empty()
        return super().eventFilter(watched, event)

    def _place_log_empty(self) -> None:
        width = self.log_table.viewport().width()
        self.log_empty.setGeometry(0, 0, width, self.log_empty.heightForWidth(width))

    def _show_log_empty(self) -> None:
        self.log_empty.setVisible(not self.log.rows)
        self._place_log_empty()

    def refresh(self) -> None:
        fit_columns(self.log_table)  # in the window's style, once it is shown
        if not self._kit:
            self.kit.setFocus()

    def handle_scan(self, code: str) -> bool:
        """A kit scanned while the kit field is not focused starts its count; the lookup only
        confirms the kit exists, nothing of its balance is shown. While a count is shown
        against the book, the scanned kit waits: the counter is told, it is not lost."""
        try:
            target = route_scan(self.session, code)
        except InOtherStudy:
            if self._book is not None:  # a count shown is not dropped for another study
                self._finish_first(code.strip().upper())
                return True
            return False  # the main window switches to the kit's study
        except DispensaryError:  # another label (a lot number): the window says what it is
            return False
        if target is None or target[0] is not OpenKind.KIT:
            return False
        if self._book is not None:
            self._finish_first(target[1])
            return True
        self.start(target[1])
        return True

    def scan_refused_by_window(self, refusal: str) -> None:
        """The refusal of an earlier code said here is replaced by the window's of the later
        one, as the toolbar says it: the screen and the toolbar never disagree. Any other
        message (a count's needs, its book) stays."""
        if self.message.kind == "error":
            self.message.show_message(refusal, "error")

    def _finish_first(self, scanned: str) -> None:
        self.refuse_scan()  # the kit field keeps the kit counted: the toolbar shows it red
        self.message.show_message(
            self.tr("Finish or cancel the count of {kit} first, then scan {scanned} again.").format(
                kit=self._kit, scanned=scanned
            ),
            "error",
        )

    def cancel(self) -> None:
        """Leaves the count shown against the book open: it is recorded as counted already."""
        kit, shown = self._kit, self._book is not None
        self.reset()
        if kit and shown:
            self.message.show_message(
                self.tr(
                    "Count of kit {kit} left open: it stays recorded as counted, not adjusted, "
                    "and the reconciliation lists it to review until the kit is counted again "
                    "or the difference adjusted."
                ).format(kit=kit),
                "info",
            )
            self.kit_done.emit()

    def _count_again(self) -> None:
        """A new count of the kit whose count differs: typed, signed and recorded as a recount
        (the book was shown), the count before it kept as recorded."""
        if self._book is None:
            return
        self._book = None
        self._shown_count = None
        self.assessment = None
        self.result_box.setVisible(False)
        # What the difference shown was given (its reason, its second person) is not the next
        # count's: that one is shown against the book afresh.
        self.reason_code.setCurrentIndex(0)
        for field in (self.reason, self.verifier):
            field.clear()
        self.counted.setReadOnly(False)
        self.counted.clear()
        self.enter_button.setEnabled(True)
        self.message.show_message(
            self.tr(
                "Count kit {kit} again and type the number: it is recorded as a recount, the "
                "count before it kept."
            ).format(kit=self._kit),
            "info",
        )
        self.counted.setFocus()

    def start(self, kit: str) -> None:
        """Begins the count of a kit, as if it had been scanned here."""
        self.reset()
        self.kit.setText(kit)
        self._kit_entered()

    def _name_count(self, product: str = "") -> None:
        """The count's label: "Tablets counted" in a study of tablets only; else the kit's
        product's word once a kit is scanned ("Capsules counted", 清点粒数), "Quantity counted"
        before."""
        self._product = product
        study = self.session.ctx.study
        if study.tablets_only:
            self.counted_label.setText(self.tr("Tablets &counted"))
        elif product:
            units = units_word(study, product)
            self.counted_label.setText(self.tr("{units} &counted").format(units=units))
            self.counted.setPlaceholderText(self.tr("{units} you counted").format(units=units))
        else:
            self.counted_label.setText(self.tr("Quantity &counted"))
            self.counted.setPlaceholderText(self.tr("Quantity you counted"))

    def reset(self) -> None:
        """Clears the count in progress; the book balance is hidden again."""
        self._kit = ""
        self._name_count()
        self._book = None
        self._shown_count = None
        self.assessment = None
        for field in (self.kit, self.counted):
            field.clear()
            field.setReadOnly(False)
        self.reason_code.setCurrentIndex(0)
        for field in (self.reason, self.verifier):
            field.clear()
        self.comparison.clear()
        self.result_box.setVisible(False)
        self.enter_button.setEnabled(True)
        self.kit.setFocus()

    def _assess(self, counted: int | None = None) -> CountAssessment | None:
        """The service's assessment of the count as typed; a refusal of the request itself
        (no such kit, a malformed number) is shown and gives None."""
        kit = self._kit or self.kit.text()
        code = self.reason_code.currentData()
        request = CountRequest(
            kit,
            counted,
            reason_code=code or None,
            reason=self.reason.text(),
            verified_by=self.verifier.text().strip(),
            # The book shown, once a record showed it: assessed against it (book_changed when
            # another workstation recorded the kit since).
            expected_book=self._book,
            adjusting_count=self._shown_count,
        )
        try:
            return counts.assess_count(self.session.ctx, self.session.actor, request)
        except DispensaryError as exc:
            self.message.show_message(exc.message)
            return None

    def _kit_entered(self) -> None:
        if self._book is not None:  # the kit field is read-only: a scan here is not taken
            self._finish_first(self.tr("the next kit"))
            return
        self._kit = ""
        found = self._assess()
        if found is None or found.refused:
            if found is not None:
                self.message.show_message(found.refusals[0].message)
            self.refuse_scan()
            self.kit.setFocus()
            self.kit.selectAll()
            return
        self._kit = found.kit
        self.kit.setText(found.kit)
        self._name_count(found.product)
        self.message.show_message(
            self.tr("Kit {kit}: count its tablets and type the number.").format(kit=found.kit)
            if self.session.ctx.study.tablets_only
            else self.tr("Kit {kit}: count its {units} and type the number.").format(
                kit=found.kit, units=units_word(self.session.ctx.study, found.product, False)
            ),
            "info",
        )
        self.counted.setFocus()

    def _reveal(self) -> None:
        """Signs and records the count typed; the book is shown only then, when the count
        differs (the service keeps it hidden until a count is recorded)."""
        if self._book is not None:
            return
        if not self._kit:
            self._kit_entered()
            if not self._kit:
                return
        text = self.counted.text().strip()
        if not text:
            self.message.show_message(
                self.tr("Type the number of tablets you counted first.")
                if self.session.ctx.study.tablets_only
                else self.tr("Type the number of {units} you counted first.").format(
                    units=units_word(self.session.ctx.study, self._product, False)
                )
            )
            self.counted.setFocus()
            return
        try:  # negative too: the service refuses it, saying to count again
            counted = parse_whole(
                text,
                self.tr("number of tablets counted")
                if self.session.ctx.study.tablets_only
                else self.tr("number of {units} counted").format(
                    units=units_word(self.session.ctx.study, self._product, False)
                ),
            )
        except InvalidInput as exc:  # "2O", "1.5": said, never read as another number
            self.message.show_message(exc.message)
            self.counted.setFocus()
            self.counted.selectAll()
            return
        found = self._assess(counted)
        if found is None:  # the count refused (negative, too many): typed again
            self.counted.setFocus()
            self.counted.selectAll()
            return
        refused = [r.message for r in found.refusals if not r.code.needs_the_book]
        if refused:
            self.message.show_message(sentences(refused))
            self.counted.setFocus()  # to count again and type the number
            self.counted.selectAll()
            return
        # The figure is signed and recorded before the book is shown: the first count is a
        # fact, never a try against the book.
        password = SignatureDialog.ask(
            self,
            self.session.actor.full_name,
            counts.counter_meaning(0).value,
            self._counted_text(found.kit, found.product, counted),
        )
        if password is None:
            return
        done = signed(
            self.message,
            lambda: counts.record_count(
                self.session.ctx, self.session.actor, found.kit, counted, password
            ),
        )
        if done is None:
            return
        self._logged(done)
        if not done.open:
            self._recorded(done, found.product)
            return
        self._show_open(done)

    def _show_open(self, done: CountResult) -> None:
        """The count recorded differs from the book: the book shown now, with what adjusting it
        needs; or count again, or leave it open."""
        self._book = done.book
        self._shown_count = done.count_id
        self.assessment = self._assess(done.counted)
        self.kit.setReadOnly(True)
        self.counted.setReadOnly(True)
        self.enter_button.setEnabled(False)
        self.result_box.setVisible(True)
        found = self.assessment
        rows = {
            self.reason_code: CountNeeds.REASON_CODE,
            self.reason: CountNeeds.REASON,
            self.verifier: CountNeeds.SECOND_PERSON,
        }
        for widget, need in rows.items():
            self.result_layout.setRowVisible(widget, found is not None and found.needed(need))
        self._name_verifier()
        self.comparison.setText(
            self.tr("Counted {counted}, book {book}: difference {difference}").format(
                counted=done.counted, book=done.book, difference=f"{done.difference:+d}"
            )
        )
        self.comparison.setStyleSheet("font-size: 16px; font-weight: 600; color: #c62828;")
        self.reason_code.setFocus()
        self._show_needs()
        self.message.show_message(
            self.tr(
                "Count of kit {kit} recorded as counted ({counted}); it differs from the book by "
                "{difference}. Adjust the book (reason code, reason, second person, then sign), "
                "count the kit again, or leave it open."
            ).format(kit=done.kit, counted=done.counted, difference=f"{done.difference:+d}"),
            "warning",
        )

    def _show_needs(self) -> None:
        """What the difference still needs, as the service assesses the fields typed."""
        if self._book is None or self.assessment is None:
            self.needs_label.clear()
            self._name_verifier()
            return
        found = self._assess(self.assessment.counted)
        if found is None:
            return
        self.assessment = found
        self._say_needs()

    def _say_needs(self, banner: bool = True) -> None:
        """The needs and the banner, as the last assessment (`_show_needs`) says. Sign stays
        offered: pressed, it says what is still needed; once everything is given, you sign,
        then the second person signs in their own window (`_sign_adjustment`)."""
        found = self.assessment
        self._name_verifier()
        if self._book is None or found is None:
            return
        self.needs_label.setVisible(bool(found.needs))
        missing = [term(n.needs.label) for n in found.needs_missing]
        refusals = [r.message for r in found.refusals]
        if refusals:
            self.needs_label.setText(sentences(refusals))
        elif missing:
            self.needs_label.setText(
                self.tr("Still needed: {needs}.").format(needs=self.tr("; ").join(missing))
            )
        else:
            self.needs_label.setText(self.tr("Everything the difference needs is given: sign."))
        if found.difference and banner:
            # The banner follows the fields typed (it went on listing what was needed after
            # everything was given).
            if missing or refusals:
                needed = self.tr("; ").join(term(n.needs.label) for n in found.needs)
                self.message.show_message(
                    self.tr(
                        "The count differs from the book. It needs {needed}; then you sign, and "
                        "the second person signs with their own user name and password."
                    ).format(needed=needed),
                    "warning",
                )
            else:
                self.message.show_message(
                    self.tr(
                        "The count differs from the book and everything the difference needs "
                        "is given: sign to record it."
                    ),
                    "warning",
                )

    def _name_verifier(self) -> None:
        """The second person's full name and role under the user name typed, as the last
        assessment found them; nothing while no one who may verify the count is named."""
        found = self.assessment
        shown = found.verifier_shown if found is not None and self._book is not None else ""
        needed = found is not None and found.needed(CountNeeds.SECOND_PERSON)
        self.verifier_who.setText(shown)
        self.result_layout.setRowVisible(self.verifier_who, bool(shown) and needed)

    def _counted_text(self, kit: str, product: str, counted: int, book: int | None = None) -> str:
        """What the signature is for: the count, in the kit's word ("28 capsules") in a study
        not of tablets only, and the book once a record showed it (never before: blind)."""
        study = self.session.ctx.study
        if book is None and study.tablets_only:
            return self.tr("Count of kit {kit}: {counted} tablets").format(kit=kit, counted=counted)
        if book is None:
            return self.tr("Count of kit {kit}: {counted}").format(
                kit=kit, counted=study.units(product, counted)
            )
        if study.tablets_only:
            return self.tr("Count of kit {kit}: {counted} tablets (book {book})").format(
                kit=kit, counted=counted, book=book
            )
        return self.tr("Count of kit {kit}: {counted} (book {book})").format(
            kit=kit, counted=study.units(product, counted), book=study.units(product, book)
        )

    def _record(self) -> None:
        """Signs the adjustment: the counter, then the second person in their own window.
        Whatever comes of it, the needs follow the last assessment (a book changed since it
        was shown is said there too), and the banner unless it says why the attempt was
        refused."""
        try:
            self._sign_adjustment()
        finally:
            self._say_needs(banner=self.message.kind == "warning")

    def _sign_adjustment(self) -> None:
        if self._book is None or self.assessment is None:
            return
        found = self._assess(self.assessment.counted)
        if found is None:
            return
        if found.refusals:
            self.assessment = found  # the needs say it too (a book changed since it was shown)
            self.message.show_message(found.refusals[0].message)
            return
        if found.needs_missing:
            need = found.needs_missing[0]
            self.message.show_message(need.message)
            field = {
                CountNeeds.REASON_CODE: self.reason_code,
                CountNeeds.REASON: self.reason,
                CountNeeds.SECOND_PERSON: self.verifier,
            }[need.needs]
            field.setFocus()
            return
        needs_second = found.needed(CountNeeds.SECOND_PERSON)
        counted, book, difference = found.counted, found.book, found.difference
        assert counted is not None and book is not None
        shown = self._book  # the book the counter signs against: the one the window shows
        actor = self.session.actor
        meaning = counts.counter_meaning(counted - book)
        said = self._counted_text(found.kit, found.product, counted, book)
        password = SignatureDialog.ask(self, actor.full_name, meaning.value, said)
        if password is None:
            return
        # The second person signs last, what the counter signed. Not signed in, they type both
        # components, their own user name and their password (11.200(a)(1)); the service
        # refuses a user name that is not that of the second person named here.
        named = self.verifier.text().strip() if needs_second else ""
        # The second person as the other signed steps name a signer: by full name (the user
        # name is theirs to type), not by the user name the counter typed.
        second_signer = found.verifier_name or named
        second: tuple[str, str] | None = None
        if needs_second:
            second = SignatureDialog.ask_second(
                self, second_signer, SignatureMeaning.COUNT_VERIFIED.value, said
            )
            if second is None:
                self.message.show_message(
                    self.tr(
                        "Nothing adjusted: the second person did not sign. The count stays "
                        "recorded as counted."
                    ),
                    "info",  # not "warning": the banner of the needs would replace it
                )
                return
        code = self.reason_code.currentData() if difference else None
        while True:
            verifier_typed, verifier_password = second or (None, "")
            try:
                done = counts.record_count(
                    self.session.ctx,
                    actor,
                    found.kit,
                    counted,
                    password,
                    reason_code=code or None,
                    reason=self.reason.text() if difference else "",
                    verified_by=named,
                    verifier_password=verifier_password,
                    expected_book=shown,
                    adjusting_count=self._shown_count,
                    verifier_typed=verifier_typed,
                )
            except SignatureFailed as failed:  # counted by the service; if not, the bar says why
                uncounted = f" ({failed.uncounted})" if failed.uncounted else ""
                self.message.show_message(f"{failed.message}{uncounted}", "error")
                if not (failed.second and needs_second):
                    return
                # The second person types both again; the counter does not sign twice.
                second = SignatureDialog.ask_second(
                    self,
                    second_signer,
                    SignatureMeaning.COUNT_VERIFIED.value,
                    f"{escape(failed.message, quote=False)}<br><br>{said}",  # read as rich text
                )
                if second is None:
                    return
                continue
            except DispensaryError as exc:
                refused(self.message, exc)
                return
            break
        self._logged(done)
        if done.open:  # the adjustment refused meanwhile: recorded as counted, open again
            self._show_open(done)
            return
        self._recorded(done, found.product)

    def _logged(self, done: CountResult) -> None:
        self.log.set_rows([*self.log.rows, done])
        fit_columns(self.log_table)
        self.changed.emit()

    def _recorded(self, done: CountResult, product: str) -> None:
        """A count that matched the book, or whose difference was adjusted: done with the kit."""
        self.reset()
        note = (
            self.tr("; the ledger was adjusted by {difference}").format(
                difference=f"{done.difference:+d}"
            )
            if done.adjusted
            else self.tr(", no change")
        )
        study = self.session.ctx.study
        self.message.show_message(
            self.tr(
                "Count of kit {kit} recorded: {counted} tablets{note}. Scan the next kit."
            ).format(kit=done.kit, counted=done.counted, note=note)
            if study.tablets_only
            else self.tr("Count of kit {kit} recorded: {counted}{note}. Scan the next kit.").format(
                kit=done.kit, counted=study.units(product, done.counted), note=note
            ),
            "ok",
        )
        self.kit_done.emit()
