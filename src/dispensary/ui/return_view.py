"""Returns at the counter: the bottle comes back, its tablets are counted and signed for, and an
adherence flag gets the pharmacist's reason while the participant is still there."""

from __future__ import annotations

from dataclasses import dataclass, replace
from html import escape

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError, InOtherStudy, InvalidInput
from dispensary.domain.rules import parse_whole
from dispensary.i18n import sentences
from dispensary.services import returns
from dispensary.services.assessment import (
    Refusal,
    ReturnAssessment,
    ReturnCheck,
    ReturnKitLine,
    ReturnRequest,
    StudyFileChanged,
)
from dispensary.services.assessment.returns import NOT_BROUGHT_BACK
from dispensary.services.results import DispenseResult, ProductFigures, ReturnResult
from dispensary.study import Study
from dispensary.ui.feedback import SignatureDialog, go_on_question
from dispensary.ui.forms import signed
from dispensary.ui.models.table import Column, RowTableModel
from dispensary.ui.scan_field import ScanField
from dispensary.ui.screen import STAFF_ROLES, Kept, OpenKind, Screen
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import flag_term, term
from dispensary.ui.widgets import (
    DateEdit,
    button_row,
    by_count,
    counter_keys,
    date_edit,
    dose_shown,
    info_card,
    kit_table,
    mistyped_date,
    primary_button,
    product_label,
    qdate,
    scan_row,
    separated,
    show_form_rows,
    shown_date,
    titled_page,
    to_date,
    two_columns,
    units_of,
    units_word,
    wrapped_label,
)

COUNT_REFUSED = frozenset({ReturnCheck.TOO_MANY})
"""The refusals of the count itself: the count is typed again (selected, to be replaced)."""

KIT_SCANNED_REFUSED = frozenset(
    {ReturnCheck.KIT, ReturnCheck.KIT_ELSEWHERE, ReturnCheck.ALREADY_RECORDED}
)
"""The refusals of a kit scanned while a return is open that is not one to count in it."""


def line_columns(study: Study) -> tuple[Column[ReturnKitLine], ...]:
    """The kits of the dispense: what each held, and whether it is back (its status then); in
    a study not of tablets only, each count in its kit's word ("28 capsules", 28粒), never
    under "Dispensed" read as 发放片数."""

    def state(line: ReturnKitLine) -> str:
        if line.to_count:
            return QCoreApplication.translate("ReturnScreen", "to count")
        if line.not_brought_back:  # still out with the participant, or lost: never "returned"
            return QCoreApplication.translate("ReturnScreen", "not brought back")
        return term(line.status.label)

    return (
        Column(QCoreApplication.translate("ReturnScreen", "Kit"), lambda r: r.kit),
        Column(
            QCoreApplication.translate("ReturnScreen", "Product"),
            lambda r: product_label(study, r.product),
        ),
        Column(QCoreApplication.translate("ReturnScreen", "Lot"), lambda r: r.lot),
        Column(
            QCoreApplication.translate("ReturnScreen", "Dispensed")
            if study.tablets_only
            else QCoreApplication.translate("ReturnScreen", "Dispensed", "a count in its word"),
            lambda r: study.quantity(r.product, r.dispensed),
            align_right=True,
        ),
        Column(
            QCoreApplication.translate("ReturnScreen", "Return"),
            state,
            colour=lambda r: "#7a4b00" if r.to_count or r.not_brought_back else "#1b5e20",
        ),
    )


class NextReturnQuestion:
    """Asked before Esc or "Next return" empties a return typed but not signed (it emptied the
    count, the hold and the note without a word): Cancel is the default, so an Enter typed from
    habit, or a scan's Enter, keeps them."""

    @classmethod
    def ask(cls, parent: QWidget | None) -> bool:
        """True when the user empties the form. Tests replace this method."""
        return go_on_question(
            parent,
            "nextReturnQuestion",
            QCoreApplication.translate("ReturnScreen", "Start the next return?"),
            QCoreApplication.translate(
                "ReturnScreen",
                "What is typed for this return is not signed: the next return starts with an "
                "empty form, and it is lost.",
            ),
            QCoreApplication.translate("ReturnScreen", "&Empty the form"),
        )


@dataclass(frozen=True)
class TypedReturn(Kept):
    """The return as typed and chosen, kept while the study is opened again with its updated
    file (ReturnScreen.kept_state)."""

    dispense: str
    kit: str
    counted: str
    not_back: bool
    held: str
    held_period: bool
    held_from: QDate
    held_until: QDate
    held_by: str
    returned_on: QDate
    condition: str
    remark: str  # the return's own note (what the participant said)


class ReturnScreen(Screen):
    """Shows the service's assessment of the return as it is typed (`returns.assess_return`):
    the dispense the scan names, its kits, the refusals and the adherence the count gives. The
    screen works nothing out itself."""

    title = str(QT_TRANSLATE_NOOP("Screen", "Returns"))
    shortcut = QKeySequence("Ctrl+3").toString()
    roles = STAFF_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("returnScreen")
        self.assessment: ReturnAssessment | None = None
        self.last_result: ReturnResult | None = None
        self._refusal_shown = False
        self._reload_asked = False  # the study asked to be opened again (its file updated)
        self._build()
        self._clear()

    @property
    def dispense(self) -> DispenseResult | None:
        """The dispense on the screen, as the last assessment found it."""
        return self.assessment.dispense if self.assessment is not None else None

    def _build(self) -> None:
        outer, self.message = titled_page(self, self.tr("Record a return"))
        self.scan_field = ScanField(
            self.tr("Scan the dispensing label, or a kit, or type the participant number")
        )
        self.scan_field.setObjectName("returnScanField")
        outer.insertLayout(1, scan_row(self.tr("&Scan"), self.scan_field))
        grid = two_columns(outer, 5, 6)

        left = QVBoxLayout()
        self.card = info_card("participantCard")
        left.addWidget(self.card)
        self.lines_model: RowTableModel[ReturnKitLine] = RowTableModel(
            line_columns(self.session.ctx.study), self
        )
        self.lines_view = kit_table(self.lines_model)
        left.addWidget(self.lines_view, 1)
        grid.addLayout(left, 0, 0)

        right = QVBoxLayout()
        form = QFormLayout()
        self._form = form
        self.kit = QComboBox()
        self.kit.setObjectName("returnKit")
        form.addRow(self.tr("&Kit"), self.kit)
        self.counted = QLineEdit()
        self.counted.setObjectName("tabletsCounted")
        # No input filter: one dropped the keys it refused without a word, and "-2" was
        # recorded as 2. The count is kept as typed; the service refuses a negative count, and
        # `sign` a text that is no whole number.
        self.counted.setPlaceholderText(self.tr("Tablets in the bottle, counted"))
        form.addRow(self.tr("Tablets &counted"), self.counted)
        self.counted_label = form.labelForField(self.counted)
        self.not_back = QCheckBox(
            self.tr("Not brought back (0 tablets; flagged, not counted as taken)")
        )
        self.not_back.setObjectName("notBroughtBack")
        form.addRow("", self.not_back)
        # No spin box: it dropped the keys it refused without a word ("-3" was held as 3 days,
        # "1O" as 1). The days are kept as typed; `sign` refuses a text that is no whole
        # number, the service a negative one, the cursor back here.
        self.held = QLineEdit("0")
        self.held.setObjectName("heldDays")
        self.held.setPlaceholderText(self.tr("0 when not held"))
        form.addRow(self.tr("Da&ys held by the investigator"), self.held)
        self.held_period = QCheckBox(self.tr("Held for a &period the investigator ordered"))
        self.held_period.setObjectName("heldPeriod")
        form.addRow("", self.held_period)
        self.held_from = date_edit()
        self.held_from.setObjectName("heldFrom")
        form.addRow(self.tr("Held fro&m"), self.held_from)
        self.held_until = date_edit()
        self.held_until.setObjectName("heldUntil")
        form.addRow(self.tr("Held &until"), self.held_until)
        self.held_by = QLineEdit()
        self.held_by.setObjectName("heldOrderedBy")
        self.held_by.setPlaceholderText(self.tr("The investigator who ordered the hold"))
        form.addRow(self.tr("Hold ordered &by"), self.held_by)
        self.returned_on = date_edit()
        form.addRow(self.tr("Return &date"), self.returned_on)
        self.condition = QLineEdit()
        self.condition.setPlaceholderText(self.tr("e.g. bottle intact"))
        form.addRow(self.tr("Co&ndition"), self.condition)
        self.note = QLineEdit()
        self.note.setPlaceholderText(self.tr("e.g. missed 2 doses (vomiting)"))
        self.note.setToolTip(self.tr("Anything the participant said about missed or extra doses"))
        form.addRow(self.tr("N&ote"), self.note)
        right.addLayout(form)
        self.tally = wrapped_label("tally")
        self.tally.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.tally)

        self.new_button = QPushButton(self.tr("Ne&xt return (Esc)"))
        self.sign_button = primary_button(
            self.tr("S&ign return count"),
            self.tr("Ctrl+Enter, or Enter in the tablets field")
            if self.session.ctx.study.tablets_only
            else self.tr("Ctrl+Enter, or Enter in the count field"),  # of capsules too
        )
        self.sign_button.setAutoDefault(True)
        right.addLayout(button_row([self.new_button], [self.sign_button]))

        self.result = wrapped_label("resultPanel")
        self.result.setTextFormat(Qt.TextFormat.RichText)
        right.addWidget(self.result)
        reason_row = QHBoxLayout()
        self.reason_label = QLabel(self.tr("&Reason for the flag"))
        self.reason = QLineEdit()
        self.reason.setObjectName("flagReason")
        self.reason.setPlaceholderText(
            self.tr("e.g. doses held by the investigator; vomited 2 doses")
        )
        self.reason_label.setBuddy(self.reason)
        self.reason_button = QPushButton(self.tr("Save re&ason"))
        reason_row.addWidget(self.reason_label)
        reason_row.addWidget(self.reason, 1)
        reason_row.addWidget(self.reason_button)
        right.addLayout(reason_row)
        right.addStretch(1)
        grid.addLayout(right, 0, 1)

        self.scan_field.scanned.connect(self.scan)
        self.counted.textChanged.connect(self._reassess)
        self.kit.currentIndexChanged.connect(self._reassess)
        self.held.textChanged.connect(self._reassess)
        self.held.returnPressed.connect(self.sign)
        self.not_back.toggled.connect(self._not_back_toggled)
        self.held_period.toggled.connect(self._held_period_toggled)
        self.held_from.dateChanged.connect(self._reassess)
        self.held_until.dateChanged.connect(self._reassess)
        self.held_by.textChanged.connect(self._reassess)
        self.returned_on.dateChanged.connect(self._reassess)
        for day in (self.held_from, self.held_until, self.returned_on):
            day.retyped.connect(self._reassess)  # "2026-01-2O": no other day assessed
        self.note.textChanged.connect(self._reassess)
        self.counted.returnPressed.connect(self.sign)
        self.sign_button.clicked.connect(self.sign)
        self.new_button.clicked.connect(self.next_return)
        self.reason.returnPressed.connect(self.save_reason)
        self.reason_button.clicked.connect(self.save_reason)
        counter_keys(self, self.sign, self.next_return)

    # -- screen contract ------------------------------------------------------------------

    def refresh(self) -> None:
        dispense = self.dispense
        if dispense is None:
            self.returned_on.setDate(qdate(self.session.ctx.clock.today()))
            self.scan_field.setFocus()
        else:
            self._load(dispense.number)

    def kept_state(self) -> TypedReturn | None:
        dispense = self.dispense
        if dispense is None:
            return None
        return TypedReturn(
            dispense=dispense.number,
            kit=str(self.kit.currentData() or ""),
            counted=self.counted.text(),
            not_back=self.not_back.isChecked(),
            held=self.held.text(),
            held_period=self.held_period.isChecked(),
            held_from=self.held_from.date(),
            held_until=self.held_until.date(),
            held_by=self.held_by.text(),
            returned_on=self.returned_on.date(),
            condition=self.condition.text(),
            remark=self.note.text(),
        )

    def restore_state(self, kept: Kept) -> None:
        """The return as it was typed and chosen, assessed again by the study file now in
        force (a count or a hold the new file refuses says so)."""
        if not isinstance(kept, TypedReturn):
            return
        self._reload_asked = True  # one reading of the study per refusal: no loop
        try:
            self._restore(kept)
        finally:
            self._reload_asked = False

    def _restore(self, kept: TypedReturn) -> None:
        self.returned_on.blockSignals(True)
        self.returned_on.setDate(kept.returned_on)
        self.returned_on.blockSignals(False)
        self._load(kept.dispense)
        if self.dispense is None:
            return  # refused now: the message says why
        fields = (
            self.kit,
            self.counted,
            self.not_back,
            self.held,
            self.held_period,
            self.held_from,
            self.held_until,
            self.held_by,
            self.condition,
            self.note,
        )
        for widget in fields:
            widget.blockSignals(True)
        self._select_kit(kept.kit)
        self.not_back.setChecked(kept.not_back)
        self.counted.setText(kept.counted)
        self.held.setText(kept.held)
        self.held_period.setChecked(kept.held_period)
        self.held_from.setDate(kept.held_from)
        self.held_until.setDate(kept.held_until)
        self.held_by.setText(kept.held_by)
        self.condition.setText(kept.condition)
        self.note.setText(kept.remark)
        for widget in fields:
            widget.blockSignals(False)
        self.counted.setEnabled(not kept.not_back and self.kit.isEnabled())
        self._show_held_period(kept.held_period)
        found = self._reassess()
        if kept.note:
            refused = found is None or bool(found.refusals)
            shown = sentences([kept.note, self.message.text()]) if refused else kept.note
            self.message.show_message(shown, "error" if refused else "warning")
            self._refusal_shown = refused
        self.counted.setFocus()

    def _reload_study(self, refusal: str) -> None:
        """The study file was updated after this screen read it, and the service refused the
        return for it: the study is opened again with the file in force, as F5 does, and the
        return assessed again as it was typed (Screen.reopen_study). Nothing was saved."""
        if self._reload_asked:
            return
        # One reading of the study per refusal, no loop: in the window this screen is being
        # replaced (asked once); on its own it assessed the return again (restore_state).
        self._reload_asked = self.reopen_read_again(
            self.message,
            lambda fresh: self.tr(
                "Nothing was saved: the study file of {protocol} was updated after this screen "
                "was opened. The screen read it again (version {version}) and checked the "
                "return again as it was typed: check it before signing."
            ).format(protocol=fresh.study.protocol, version=fresh.version),
        )

    def handle_scan(self, code: str) -> bool:
        """A code scanned elsewhere in the window (the toolbar): taken here when it names a
        return, or is a kit refused for the return open; else the window routes it by kind
        (a participant with nothing to count goes on to the dispense of the next cycle)."""
        text = code.strip().upper()
        if not text:
            return False
        if self.assessment is not None and self._select_kit(text):
            return True
        try:
            found = self._assess_scan(text)
        except InOtherStudy as exc:
            self._elsewhere(exc, text)
            return True
        except DispensaryError:
            return False
        self.scan_field.setText(text)
        if not self._kit_refused(found, text):
            self._show_found(found)
        return True

    # -- finding the dispense -------------------------------------------------------------

    def scan(self, code: str) -> None:
        """Every code scanned here stays here: what it names is opened, or the service's refusal
        says what the code is and what to do; a kit that is not of the return open is refused,
        the return staying open (another participant's bottle is never opened in its place)."""
        text = code.strip().upper()
        self.message.clear_message()
        if text and self.assessment is not None and self._select_kit(text):
            self.scan_field.accepted()
            self.counted.setFocus()
            return
        try:
            found = self._assess_scan(text)
        except InOtherStudy as exc:
            self._elsewhere(exc, text)
            return
        except DispensaryError as exc:
            if self._her_next_cycle(text):
                return
            self.scan_field.refused()
            self.message.show_message(exc.message, "error")
            return
        if not self._kit_refused(found, text):
            self._show_found(found)

    def _her_next_cycle(self, code: str) -> bool:
        """The participant of the return just counted, every kit back, scanned again: her next
        cycle is what is wanted (count the return, then scan her for the next dispense), so the
        Dispense screen opens on her, for one who dispenses. Any other participant with nothing
        to count is refused here, in the service's words."""
        from dispensary.ui.screens import screen_for  # the screens list imports this one

        found = self.assessment
        if found is None or found.kits_to_count or code != found.dispense.participant.upper():
            return False
        opens = screen_for(OpenKind.DISPENSE.value)
        if opens is None or not opens.visible_to(self.session.actor.role):
            return False  # a technician: the service's words, here
        self.scan_field.clear()
        self.open_request.emit(OpenKind.DISPENSE.value, found.dispense.participant)
        return True

    def _kit_refused(self, found: ReturnAssessment, code: str) -> bool:
        """A kit scanned while a return is open that the service refuses for it: its refusal
        is shown and the return stays as it was. False for any other code (shown as found)."""
        refused = [r for r in found.refusals if r.code in KIT_SCANNED_REFUSED]
        if self.assessment is None or found.kit != code or not refused:
            return False
        self.scan_field.refused()
        advice = (
            [self.tr("To open that return, press Esc, then scan the kit again.")]
            if any(r.code is ReturnCheck.KIT_ELSEWHERE for r in refused)
            else []
        )
        self.message.show_message(sentences([*(r.message for r in refused), *advice]), "error")
        return True

    def _elsewhere(self, found: InOtherStudy, code: str) -> None:
        """A label, kit or participant of another study: the window switches to it and opens
        the return there, or the refusal is shown here."""
        refusal = self.follow_to_study(found, code)
        if refusal is None:
            self.scan_field.clear()
            return
        self.scan_field.setText(code)
        self.scan_field.refused()
        self.message.show_message(refusal, "error")

    def _assess_scan(self, text: str) -> ReturnAssessment:
        """The service finds the dispense a code names (label, kit, participant number); with
        a return open, a kit is assessed as one of it (a kit of another is refused)."""
        open_now = self.dispense
        return returns.assess_return(
            self.session.ctx,
            self.session.actor,
            ReturnRequest(
                scanned=text,
                dispense=open_now.number if open_now is not None else None,
                returned_on=to_date(self.returned_on.date()),
            ),
        )

    def _show_found(self, found: ReturnAssessment) -> None:
        self.scan_field.accepted()
        self._show(found, reload_kits=True)
        self._reassess()
        self.counted.setFocus()

    def _load(self, number: str) -> None:
        """The dispense assessed afresh (after a write, or when the screen is shown again)."""
        try:
            found = returns.assess_return(
                self.session.ctx,
                self.session.actor,
                ReturnRequest(dispense=number, returned_on=to_date(self.returned_on.date())),
            )
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        self._show(found, reload_kits=True)
        self._reassess()

    def _card_text(self, d: DispenseResult) -> str:
        return "<br>".join(
            [
                self.tr(
                    "<span class='big'><b>{participant}</b> &nbsp; {initials}</span> &nbsp;"
                    " cycle <b>{cycle}</b> · {number}"
                ).format(
                    participant=escape(d.participant),
                    initials=escape(d.initials),
                    cycle=d.cycle,
                    number=escape(d.number),
                ),
                self.tr("Day 1 {day1} · {days} days to {last_day}").format(
                    day1=shown_date(d.day1), days=d.days, last_day=shown_date(d.last_day)
                ),
                self._dispensed_text(d),
            ]
        )

    def _select_kit(self, code: str) -> bool:
        index = self.kit.findData(code.strip().upper())
        if index < 0:
            return False
        self.kit.setCurrentIndex(index)
        return True

    # -- the assessment -------------------------------------------------------------------

    def counted_tablets(self) -> int | None:
        """The whole number typed, negative too (the service refuses it, saying why); None
        when empty or no whole number (`sign` says why)."""
        try:
            return parse_whole(self.counted.text(), "tablets")
        except InvalidInput:
            return None

    def held_days(self) -> int:
        """The days held as typed, negative too (the service refuses it, saying why); 0 when
        empty or no whole number (`sign` refuses it before anything is written)."""
        try:
            return parse_whole(self.held.text() or "0", "days")
        except InvalidInput:
            return 0

    def _dates(self) -> list[tuple[DateEdit, str]]:
        """The dates the return records, each with its name in a refusal."""
        dates = [(self.returned_on, self.tr("Return date"))]
        if self.held_period.isChecked():
            dates += [
                (self.held_from, self.tr("Held from")),
                (self.held_until, self.tr("Held until")),
            ]
        return dates

    def _held_named(self) -> str:
        return self.tr("days held by the investigator")

    def _held_refused(self) -> bool:
        """Whether the days held are what the service refused: the same request with none held
        is not refused."""
        dispense = self.dispense
        if dispense is None or self.held_period.isChecked() or not self.held_days():
            return False
        try:
            returns.assess_return(
                self.session.ctx,
                self.session.actor,
                replace(self._request(dispense.number), held_days=0),
            )
        except DispensaryError:
            return False
        return True

    def _held_again(self) -> None:
        """The cursor in the days held, the text selected: typed again over it."""
        self.held.setFocus()
        self.held.selectAll()

    def _count_refused(self) -> bool:
        """Whether the count typed is what the service refused: the same request without it
        is not refused (a held period's dates, say, are not the count's fault)."""
        dispense = self.dispense
        if dispense is None or self.counted_tablets() is None:
            return False
        try:
            returns.assess_return(
                self.session.ctx,
                self.session.actor,
                replace(self._request(dispense.number), tablets=None),
            )
        except DispensaryError:
            return False
        return True

    def _count_again(self) -> None:
        """The cursor in the count, its text selected: what is typed next replaces the count
        refused (a "2" typed after a refused "-2" made "-22")."""
        self.counted.setFocus()
        self.counted.selectAll()

    def _not_back_toggled(self, checked: bool) -> None:
        """A kit not brought back has nothing to count: the count is 0."""
        self.counted.blockSignals(True)
        self.counted.setText("0" if checked else "")
        self.counted.blockSignals(False)
        self.counted.setEnabled(not checked and self.kit.isEnabled())
        self._reassess()

    def _held_period_toggled(self, checked: bool) -> None:
        """A held period by its dates and who ordered it, instead of a bare number of days."""
        self._show_held_period(checked)
        self._reassess()

    def _show_held_period(self, shown: bool) -> None:
        show_form_rows(self._form, (self.held_from, self.held_until, self.held_by), shown)
        self.held.setEnabled(not shown and self.kit.isEnabled())

    def _request(self, dispense: str) -> ReturnRequest:
        kit = self.kit.currentData()
        period = self.held_period.isChecked()
        return ReturnRequest(
            dispense=dispense,
            kit=str(kit) if kit else None,
            tablets=self.counted_tablets(),
            returned_on=to_date(self.returned_on.date()),
            held_days=0 if period else self.held_days(),
            condition=self.condition.text(),
            note=self.note.text(),
            outcome=NOT_BROUGHT_BACK if self.not_back.isChecked() else "",
            held_from=to_date(self.held_from.date()) if period else None,
            held_until=to_date(self.held_until.date()) if period else None,
            held_ordered_by=self.held_by.text() if period else "",
        )

    def _reassess(self) -> ReturnAssessment | None:
        """The service's assessment of the form as it stands, shown; None when the request
        itself is refused (its message is shown)."""
        dispense = self.dispense
        if dispense is None:
            return None
        mistyped_day = mistyped_date(self._dates())
        if mistyped_day is not None:  # shown as typed, no date: no tally of another day
            self.message.show_message(mistyped_day[1], "error")
            self._refusal_shown = True
            self.tally.setText("")
            self.sign_button.setEnabled(False)
            return None
        try:
            found = returns.assess_return(
                self.session.ctx, self.session.actor, self._request(dispense.number)
            )
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            self._refusal_shown = True
            return None
        self._show(found)
        return found

    def _show(self, found: ReturnAssessment, reload_kits: bool = False) -> None:
        """Shows an assessment as it is: the kits, the kit's tally, refusals, the adherence."""
        self.assessment = found
        self._name_count(next((k.product for k in found.kits if k.kit == found.kit), ""))
        self.lines_model.set_rows(list(found.kits))
        self.card.setText(self._card_text(found.dispense))
        if reload_kits:
            self.kit.blockSignals(True)
            self.kit.clear()
            for line in found.kits_to_count:
                self.kit.addItem(self._kit_choice(line), line.kit)
            if found.kit:
                self._select_kit(found.kit)
            self.kit.blockSignals(False)
        open_kits = bool(found.kits_to_count)
        self._set_form_enabled(open_kits)
        self.sign_button.setEnabled(open_kits and not found.refused)
        self.tally.setText(self._tally_text(found))
        stale = [r for r in found.refusals if r.code is ReturnCheck.STUDY_FILE_CHANGED]
        if stale:  # the study file was updated since the screen read it: never its F5 words
            self._reload_study(stale[0].message)
            return
        if found.refusals:
            only_back = all(r.code is ReturnCheck.ALL_BACK for r in found.refusals)
            text = sentences(self._refusal_text(r, found) for r in found.refusals)
            self.message.show_message(text, "info" if only_back else "error")
            self._refusal_shown = True
        elif self._refusal_shown:
            self.message.clear_message()
            self._refusal_shown = False

    def _refusal_text(self, refusal: Refusal[ReturnCheck], found: ReturnAssessment) -> str:
        """A refusal as the service says it; every kit back says the window's own way to
        change a count (the service's names the command line's)."""
        if refusal.code is not ReturnCheck.ALL_BACK:
            return refusal.message
        return self.tr(
            "Every kit of {dispense} is already counted back. To change a count, open "
            "{participant} under Participants, select cycle {cycle} in the history and choose "
            "Correct return count..."
        ).format(
            dispense=found.dispense.number,
            participant=found.dispense.participant,
            cycle=found.dispense.cycle,
        )

    def _kit_choice(self, line: ReturnKitLine) -> str:
        """A kit to count as the chooser lists it: "K0101 (21 dispensed)" (发放 21 片) in a
        study of tablets only; else in the kit's own word ("C3007 (28 capsules dispensed)",
        发放 28粒), never 片 of capsules."""
        study = self.session.ctx.study
        if study.tablets_only:
            return self.tr("{kit} ({dispensed} dispensed)").format(
                kit=line.kit, dispensed=line.dispensed
            )
        return self.tr("{kit} ({units} dispensed)").format(
            kit=line.kit, units=study.units(line.product, line.dispensed)
        )

    def _tally_text(self, found: ReturnAssessment) -> str:
        preview = found.preview
        line = found.line(found.kit) if found.kit else None
        if line is None or not line.to_count:
            return ""
        study = self.session.ctx.study
        if study.tablets_only:
            if preview is None:
                return self.tr("Kit {kit}: {dispensed} dispensed").format(
                    kit=line.kit, dispensed=line.dispensed
                )
            # The service's tally: a kit not brought back is neither back nor taken.
            kit_line = (
                self.tr("Kit {kit}: {dispensed} dispensed · not brought back")
                if preview.kit_unaccounted
                else self.tr(
                    "Kit {kit}: {dispensed} dispensed · {returned} counted back · {taken} taken"
                )
            ).format(
                kit=preview.kit,
                dispensed=preview.kit_dispensed,
                returned=preview.kit_returned,
                taken=preview.kit_taken,
            )
        else:  # each number in the kit's own word: "28 capsules", 28粒, never 片 of capsules
            if preview is None:
                return self.tr("Kit {kit}: {units} dispensed").format(
                    kit=line.kit, units=escape(study.units(line.product, line.dispensed))
                )
            kit_line = (
                self.tr("Kit {kit}: {units} dispensed · not brought back")
                if preview.kit_unaccounted
                else self.tr("Kit {kit}: {units} dispensed · {back} counted back · {used} taken")
            ).format(
                kit=preview.kit,
                units=escape(study.units(line.product, preview.kit_dispensed)),
                back=escape(study.units(line.product, preview.kit_returned)),
                used=escape(study.units(line.product, preview.kit_taken)),
            )
        parts = [kit_line]
        if not preview.complete:
            parts.append(
                by_count(
                    preview.kits_left,
                    self.tr(
                        "Adherence is worked out when every kit is back: {left} kit still to"
                        " count after this one."
                    ),
                    self.tr(
                        "Adherence is worked out when every kit is back: {left} kits still to"
                        " count after this one."
                    ),
                ).format(left=preview.kits_left)
            )
            return "<br>".join(parts)
        if self._by_product(preview.products):  # each drug of its own use, flagged apart
            parts.extend(self._product_line(p) for p in preview.products)
            parts.extend(self._return_day(preview.return_day_note))
            if preview.flags and not preview.explained:
                parts.append(self._ask_why())
            return "<br>".join(parts)
        parts.append(self._adherence_text(preview.expected, preview.taken, preview.adherence))
        parts.extend(self._return_day(preview.return_day_note))
        if preview.flags:
            flags = escape(separated(flag_term(study, f, preview.products) for f in preview.flags))
            flagged = (
                self.tr("<span style='color:#8a1c13'><b>{flags}</b></span>")
                if preview.explained
                else self.tr(
                    "<span style='color:#8a1c13'><b>{flags}</b>: ask the participant why</span>"
                )
            )
            parts.append(flagged.format(flags=flags))
        return "<br>".join(parts)

    def _by_product(self, products: tuple[ProductFigures, ...]) -> bool:
        """The adherence said product by product, each in its own units: a dose of several
        products (their sums count no one unit), or a study not of tablets only (片 of
        capsules); a study of tablets only, one product, as the dispense's own figures."""
        return len(products) > 1 or (bool(products) and not self.session.ctx.study.tablets_only)

    def _product_line(self, p: ProductFigures) -> str:
        """One product of a dose of several with its own figures, in its own units, and its
        flags (the service's: ProductFigures), so a flag says which drug it is of; the
        dispense's mixed sums said "adherence 98%" beside "Under-use, Over-use"."""
        study = self.session.ctx.study

        def units(count: int | None) -> str:
            return "—" if count is None else escape(study.units(p.product, count))

        line = self.tr(
            "{product}: expected <b>{expected}</b> · taken <b>{taken}</b> · adherence"
            " <b>{adherence}</b>"
        ).format(
            product=escape(study.product_name(p.product)),
            expected=units(p.expected),
            taken=units(p.taken),
            adherence="—" if p.adherence is None else f"{p.adherence:.0%}",
        )
        if not p.flags:
            return line
        flags = escape(separated(flag_term(study, f, (p,)) for f in p.flags))
        return self.tr("{line} · {flags}").format(
            line=line,
            flags=self.tr("<span style='color:#8a1c13'><b>{flags}</b></span>").format(flags=flags),
        )

    def _return_day(self, note: str) -> list[str]:
        """The service's word on the return day beside the expected count (the doses allowed
        for beyond it, or why none is): a line of its own, none when it says nothing."""
        return [f"<i>{escape(note)}</i>"] if note else []

    def _ask_why(self) -> str:
        return self.tr("<span style='color:#8a1c13'>Ask the participant why.</span>")

    def _adherence_text(self, expected: int, taken: int, adherence: float | None) -> str:
        return self.tr(
            "Expected <b>{expected}</b> · taken <b>{taken}</b> · adherence <b>{adherence}</b>"
        ).format(
            expected=expected,
            taken=taken,
            adherence="—" if adherence is None else f"{adherence:.0%}",
        )

    # -- signing --------------------------------------------------------------------------

    def sign(self) -> None:
        if self.dispense is None:
            self.message.show_message(self.tr("Scan the dispensing label first."), "error")
            self.scan_field.setFocus()
            return
        if self.counted.text().strip():
            try:
                parse_whole(self.counted.text(), self._count_named())
            except InvalidInput as exc:  # "12O", "1.5": said, never read as another number
                self.message.show_message(exc.message, "error")
                self._refusal_shown = True
                self._count_again()
                return
        if not self.held_period.isChecked() and self.held.text().strip():
            try:
                parse_whole(self.held.text(), self._held_named())
            except InvalidInput as exc:  # "1O", "2.5": said, never read as another number
                self.message.show_message(exc.message, "error")
                self._refusal_shown = True
                self._held_again()
                return
        mistyped_day = mistyped_date(self._dates())
        if mistyped_day is not None:  # "2026-01-3O": said, never the field's old date
            typed_in, said = mistyped_day
            self.message.show_message(said, "error")
            self._refusal_shown = True
            typed_in.refuse()  # left as typed, marked, selected to be typed again
            return
        found = self._reassess()
        if found is None:
            if self._held_refused():  # "-3": said by the service; typed again over it
                self._held_again()
            elif self._count_refused():  # "-2": selected, so the count typed again replaces it
                self._count_again()
            return
        if any(r.code is ReturnCheck.STUDY_FILE_CHANGED for r in found.refusals):
            return  # the study file was updated since: read again by _show, nothing signed
        if found.refused:
            if any(r.code is ReturnCheck.HELD_DAYS for r in found.refusals):
                self._held_again()  # more days held than the supply: typed again
                return
            self.counted.setFocus()
            if any(r.code in COUNT_REFUSED for r in found.refusals):
                self.counted.selectAll()
            return
        tablets = found.tablets
        if tablets is None:
            self.message.show_message(
                self.tr("Type the number of tablets counted back.")
                if self.session.ctx.study.tablets_only
                else self.tr("Type the number of {units} counted back.").format(
                    units=units_word(self.session.ctx.study, self._product_of(found.kit), False)
                ),
                "error",
            )
            self._refusal_shown = True
            self.counted.setFocus()
            return
        dispense = found.dispense
        study = self.session.ctx.study
        asked = self._request(dispense.number)  # what is signed is what is recorded
        # What the pharmacist signs: "1 tablet counted, 1 day held", never "1 tablets"; a kit
        # not brought back is said so, never "0 tablets counted".
        summary = (
            by_count(
                found.held_days,
                self.tr(
                    "Return of kit {kit} from {participant} cycle {cycle} ({number}): not brought"
                    " back, {held} day held."
                ),
                self.tr(
                    "Return of kit {kit} from {participant} cycle {cycle} ({number}): not brought"
                    " back, {held} days held."
                ),
            )
            if asked.outcome == NOT_BROUGHT_BACK
            else by_count(
                found.held_days,
                self.tr(
                    "Return of kit {kit} from {participant} cycle {cycle} ({number}): {counted}"
                    " counted, {held} day held."
                ),
                self.tr(
                    "Return of kit {kit} from {participant} cycle {cycle} ({number}): {counted}"
                    " counted, {held} days held."
                ),
            )
        )
        summary = summary.format(
            kit=found.kit,
            participant=dispense.participant,
            cycle=dispense.cycle,
            number=dispense.number,
            counted=units_of(study, self._product_of(found.kit), tablets),
            held=found.held_days,
        )
        password = SignatureDialog.ask(
            self, self.session.actor.full_name, self.tr("return counted"), summary
        )
        if password is None:
            self.message.show_message(self.tr("Not signed: nothing was saved."), "info")
            return
        updated: list[StudyFileChanged] = []

        def record() -> ReturnResult:
            try:
                return returns.record_return(
                    self.session.ctx,
                    self.session.actor,
                    found.kit,
                    tablets,
                    password,
                    dispense=dispense.number,
                    returned_on=found.returned_on,
                    held_days=asked.held_days,
                    condition=self.condition.text(),
                    note=self.note.text(),
                    outcome=asked.outcome,
                    held_from=asked.held_from,
                    held_until=asked.held_until,
                    held_ordered_by=asked.held_ordered_by,
                )
            except StudyFileChanged as exc:  # updated while the signature was asked
                updated.append(exc)
                raise

        result = signed(self.message, record)
        if updated:
            self._reload_study(updated[0].message)
            return
        if result is None:
            return
        self.last_result = result
        self.changed.emit()
        note_given = bool(self.note.text().strip())
        for field in (self.counted, self.note, self.condition):
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        self.not_back.blockSignals(True)
        self.not_back.setChecked(False)
        self.not_back.blockSignals(False)
        self._load(dispense.number)
        self._show_result(result, note_given)

    def _show_result(self, result: ReturnResult, note_given: bool) -> None:
        self._refusal_shown = False
        self.tally.clear()
        parts = [self._back_text(result)]
        if result.adherence is None and not result.flags:
            found = self.assessment
            left = len(found.kits_to_count) if found is not None else 0
            parts.append(
                by_count(
                    left,
                    self.tr(
                        "Adherence is worked out when every kit is back: {left} kit still to count."
                    ),
                    self.tr(
                        "Adherence is worked out when every kit is back: {left} kits still to"
                        " count."
                    ),
                ).format(left=left)
            )
            self.result.setText("<br>".join(parts))
            self.message.show_message(self.tr("Return recorded."), "ok")
            self._next_action(bool(left))
            return
        # Flags are shown and explained whatever was expected: a return on the dispense day
        # (nothing expected yet) is flagged too, and has no adherence to show.
        by_product = self._by_product(result.products)
        if by_product:  # each drug of its own expected use, flagged apart
            parts.extend(self._product_line(p) for p in result.products)
        else:
            parts.append(self._adherence_text(result.expected, result.taken, result.adherence))
        parts.extend(self._return_day(result.return_day_note))
        if result.flags and not by_product:
            flags = separated(
                flag_term(self.session.ctx.study, f, result.products) for f in result.flags
            )
            parts.append(
                self.tr("<span style='color:#8a1c13'><b>{flags}</b></span>").format(
                    flags=escape(flags)
                )
            )
        self.result.setText("<br>".join(parts))
        if result.flags and not note_given:
            self._ask_reason(True)
            self.message.show_message(
                self.tr("Flagged: ask the participant why, and record the reason below."),
                "warning",
            )
            self.reason.setFocus()
            return
        self.message.show_message(
            self.tr("Return recorded with your note as the reason for the flag.")
            if result.flags
            else self.tr("Return recorded."),
            "ok",
        )
        self._next_action(False)

    def _next_action(self, kits_left: bool) -> None:
        """The cursor where the next step is typed: the count of the next kit of the return,
        else the scan field (the next participant, or her next cycle, is scanned); never the
        button the disabled count field would hand it to, where a scan is lost."""
        if kits_left:
            self.counted.setFocus()
            return
        self.scan_field.setFocus()
        self.scan_field.selectAll()

    def _ask_reason(self, show: bool) -> None:
        for widget in (self.reason_label, self.reason, self.reason_button):
            widget.setVisible(show)
        if not show:
            self.reason.clear()

    def save_reason(self) -> None:
        result = self.last_result
        if result is None:
            return
        try:
            returns.explain_flag(
                self.session.ctx, self.session.actor, result.dispense_number, self.reason.text()
            )
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            self.reason.setFocus()
            return
        self._ask_reason(False)
        self.changed.emit()
        self.message.show_message(
            self.tr("Reason recorded for {number}. Scan the next return.").format(
                number=result.dispense_number
            ),
            "ok",
        )
        self.scan_field.setFocus()

    # -- reset ----------------------------------------------------------------------------

    def typed(self) -> bool:
        """Whether the form holds what the user typed or chose and has not signed or saved: a
        count (or "not brought back"), a hold, the condition, a note, a flag's reason."""
        if not self.reason.isHidden() and self.reason.text().strip():
            return True
        if self.dispense is None:
            return False
        return (
            bool(self.counted.text().strip())
            or self.not_back.isChecked()
            or self.held.text().strip() not in ("", "0")
            or self.held_period.isChecked()
            or bool(self.held_by.text().strip())
            or bool(self.condition.text().strip())
            or bool(self.note.text().strip())
        )

    def next_return(self) -> None:
        """Esc or "Next return (Esc)": the form emptied for the next participant, asked first
        when something typed would be lost."""
        if self.typed() and not NextReturnQuestion.ask(self):
            return
        self.start_over()

    def start_over(self) -> None:
        self._clear()
        self.message.clear_message()
        self.scan_field.clear()
        self.scan_field.set_cue("")
        self.scan_field.setFocus()

    def _name_count(self, product: str) -> None:
        """The count's label in the kit's product's word ("Capsules &counted", 清点粒数) in a
        study not of tablets only; "Tablets &counted" in a study of tablets only. Alt+C: Alt+T
        is the toolbar's Study, shown to a user of several studies (review s11)."""
        study = self.session.ctx.study
        label = self.counted_label
        if not isinstance(label, QLabel) or study.tablets_only:
            return
        label.setText(
            self.tr("{units} &counted").format(units=units_word(study, product))
            if product
            else self.tr("Quantity &counted")
        )
        # The placeholder and the box in its word too ("0 capsules", 0粒), not 片.
        self.counted.setPlaceholderText(
            self.tr("{units} in the bottle, counted").format(units=units_word(study, product))
            if product
            else self.tr("Quantity in the bottle, counted")
        )
        self.not_back.setText(
            self.tr("Not brought back ({none}; flagged, not counted as taken)").format(
                none=units_of(study, product, 0)
            )
            if product
            else self.tr("Not brought back (counted as 0; flagged, not counted as taken)")
        )

    def _count_named(self) -> str:
        """The count field as a refusal names it: in the chosen kit's word ("number of capsules
        returned", 退回粒数), as the count and receive screens name theirs."""
        study = self.session.ctx.study
        if study.tablets_only:
            return self.tr("number of tablets returned")
        kit = self.kit.currentData()
        return self.tr("number of {units} returned").format(
            units=units_word(study, self._product_of(str(kit or "")), False)
        )

    def _product_of(self, kit: str) -> str:
        """The product of a kit of the dispense shown ("" when not one of its kits)."""
        found = self.assessment
        lines = found.kits if found is not None else ()
        return next((line.product for line in lines if line.kit == kit), "")

    def _each_product(self, counts: list[tuple[str, int]]) -> str:
        """Counts of the dispense's products, each in its word, summed by product in the kits'
        order ("28 capsules, 30 tablets"): capsules and tablets summed as one number
        misstated both."""
        study = self.session.ctx.study
        summed: dict[str, int] = {}
        for product, count in counts:
            summed[product] = summed.get(product, 0) + count
        return separated(units_of(study, code, count) for code, count in summed.items())

    def _dispensed_text(self, d: DispenseResult) -> str:
        """The card's line of what was dispensed: "{dose} · 21 tablets dispensed ..." in a
        study of tablets only, else each product's count in its word; the second person who
        checked the dispense named after the pharmacist, when one did (only the pharmacist's
        initials were said)."""
        study = self.session.ctx.study
        dose = escape(dose_shown(study, d.dose_level, d.dose_name))
        day, initials = shown_date(d.dispensed_on), escape(d.pharmacist_initials)
        if study.tablets_only:
            line = self.tr("{dose} · {tablets} tablets dispensed on {date} by {initials}").format(
                dose=dose, tablets=d.tablets, date=day, initials=initials
            )
        else:
            dispensed = self._each_product([(k.product, k.tablets) for k in d.kits])
            line = self.tr("{dose} · {dispensed} dispensed on {date} by {initials}").format(
                dose=dose, dispensed=escape(dispensed), date=day, initials=initials
            )
        if not d.checked_by:
            return line
        return self.tr("{dispensed}, checked by {checker}").format(
            dispensed=line, checker=escape(d.checked_by)
        )

    def _back_text(self, result: ReturnResult) -> str:
        """What came back of the kit and of the dispense so far: bare tablets in a study of
        tablets only, else in each product's word (from the dispense's kits as read again)."""
        study = self.session.ctx.study
        lines = self.assessment.kits if self.assessment is not None else ()
        if any(k.kit == result.kit and k.not_brought_back for k in lines):
            # Nothing came back: said so, never "0 tablets back".
            return self.tr(
                "<b>{kit}</b>: not brought back. {number}: {dispensed} dispensed, {returned}"
                " returned so far."
            ).format(
                kit=escape(result.kit),
                number=escape(result.dispense_number),
                dispensed=escape(self._each_product([(k.product, k.dispensed) for k in lines])),
                returned=escape(self._each_product([(k.product, k.returned or 0) for k in lines])),
            )
        if study.tablets_only:
            return by_count(
                result.tablets_returned,
                self.tr(
                    "<b>{kit}</b>: {back} tablet back. {number}: {dispensed} dispensed, {returned}"
                    " returned so far."
                ),
                self.tr(
                    "<b>{kit}</b>: {back} tablets back. {number}: {dispensed} dispensed, {returned}"
                    " returned so far."
                ),
            ).format(
                kit=escape(result.kit),
                back=result.tablets_returned,
                number=escape(result.dispense_number),
                dispensed=result.dispensed,
                returned=result.returned,
            )
        return self.tr(
            "<b>{kit}</b>: {back} back. {number}: {dispensed} dispensed, {returned} returned so"
            " far."
        ).format(
            kit=escape(result.kit),
            back=escape(units_of(study, self._product_of(result.kit), result.tablets_returned)),
            number=escape(result.dispense_number),
            dispensed=escape(self._each_product([(k.product, k.dispensed) for k in lines])),
            returned=escape(self._each_product([(k.product, k.returned or 0) for k in lines])),
        )

    def _clear(self) -> None:
        self.assessment = None
        self._name_count("")
        self._refusal_shown = False
        self.lines_model.set_rows([])
        for widget in (self.kit, self.counted, self.held, self.returned_on, self.note):
            widget.blockSignals(True)
        self.kit.clear()
        self.counted.clear()
        self.held.setText("0")
        self.note.clear()
        for box in (self.not_back, self.held_period):
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.held_by.clear()
        for edit in (self.held_from, self.held_until):
            edit.blockSignals(True)
            edit.setDate(qdate(self.session.ctx.clock.today()))
            edit.blockSignals(False)
        self.returned_on.setDate(qdate(self.session.ctx.clock.today()))
        for widget in (self.kit, self.counted, self.held, self.returned_on, self.note):
            widget.blockSignals(False)
        self.condition.clear()
        self.result.clear()
        self.tally.clear()
        self.card.setText(
            self.tr("Scan the barcode on the dispensing label the participant brought back.")
        )
        self._ask_reason(False)
        self._set_form_enabled(False)

    def _set_form_enabled(self, enabled: bool) -> None:
        for widget in (
            self.kit,
            self.counted,
            self.held,
            self.returned_on,
            self.condition,
            self.note,
            self.sign_button,
            self.not_back,
            self.held_period,
            self.held_from,
            self.held_until,
            self.held_by,
        ):
            widget.setEnabled(enabled)
        if enabled and self.not_back.isChecked():
            self.counted.setEnabled(False)
        self._show_held_period(self.held_period.isChecked())
