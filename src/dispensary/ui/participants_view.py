"""The participant register: enrolment against the study's eligibility checklist, status
changes, the signed correction of an enrolment recorded wrongly, and each participant's
dispensing and adherence history."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from PySide6.QtCharts import (
    QChartView,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QDate,
    QEvent,
    QObject,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import Flag, ParticipantStatus, SignatureMeaning
from dispensary.domain.errors import DispensaryError, InvalidInput, ToConfirm
from dispensary.domain.rules import half_width, next_day1_words, parse_whole
from dispensary.i18n import sentences
from dispensary.services import dashboard as dashboard_service
from dispensary.services import dispensing, participants, queries, returns
from dispensary.services.assessment import EnrolmentCheck, StudyFileChanged
from dispensary.services.assessment.status import StatusCorrection
from dispensary.services.context import Context, local_day
from dispensary.services.permissions import Permission
from dispensary.services.results import (
    DispenseHistoryRow,
    ParticipantRow,
    ProductFigures,
    ReturnLine,
)
from dispensary.study import Study
from dispensary.ui.charts import bar_chart, bars_on_axes, dashed_line, round_value_axis, shown_bars
from dispensary.ui.feedback import MessageBar, SignatureDialog, go_on_question
from dispensary.ui.forms import (
    ReasonDialog,
    action_and_cancel,
    action_button,
    attempt,
    fit_columns,
    role_buttons,
    row_table,
    select_where,
    selected_rows,
    signed,
    text_field,
)
from dispensary.ui.models.table import Column, percent
from dispensary.ui.screen import (
    ALL_ROLES,
    Kept,
    OpenKind,
    ReloadingDialog,
    Screen,
    is_dispense_number,
)
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import flag_term, term
from dispensary.ui.widgets import (
    DateEdit,
    count_column,
    date_edit,
    dose_shown,
    mistyped_date,
    separated,
    show_form_rows,
    shown_date,
    titled_page,
    to_date,
    wrapped_label,
)

CRITERION_LINE = 90
"""Characters on one line of an eligibility criterion in the enrolment dialog."""

STATUS_COLOURS = {
    ParticipantStatus.ON_TREATMENT: "#2e7d32",
    ParticipantStatus.DISCONTINUED: "#c62828",
    ParticipantStatus.COMPLETED: "#1565c0",
    ParticipantStatus.VOIDED: "#757575",
}


def next_due(row: ParticipantRow) -> date | None:
    """Only a participant on treatment has a next cycle: none is shown for those who completed
    or were discontinued, whatever the service says."""
    return row.next_due if row.status is ParticipantStatus.ON_TREATMENT else None


FLAG_NAMES = {
    Flag.UNDER_USE: str(QT_TRANSLATE_NOOP("ParticipantsScreen", "under-use")),
    Flag.OVER_USE: str(QT_TRANSLATE_NOOP("ParticipantsScreen", "over-use")),
    Flag.NOT_BROUGHT_BACK: str(QT_TRANSLATE_NOOP("ParticipantsScreen", "not-brought-back")),
}
"""A flag's short name in the history table (its whole label is under the table)."""


def flag_names(flags: Sequence[Flag]) -> str:
    return separated(
        QCoreApplication.translate("ParticipantsScreen", FLAG_NAMES.get(f, f.value)) for f in flags
    )


def status_name(status: ParticipantStatus) -> str:
    """A participant's status as the sentences say it ("on treatment")."""
    return term(status.label).lower()


PARTICIPANT_COLUMNS: list[Column[ParticipantRow]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Study number")), lambda r: r.study_number),
    Column(str(QT_TRANSLATE_NOOP("Column", "Initials")), lambda r: r.initials),
    Column(str(QT_TRANSLATE_NOOP("Column", "Enrolled")), lambda r: r.enrolled_on),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Status")),
        lambda r: r.status,
        colour=lambda r: STATUS_COLOURS[r.status],
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Last cycle")),
        lambda r: r.last_cycle,
        align_right=True,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Last day 1")), lambda r: r.last_day1),
    Column(str(QT_TRANSLATE_NOOP("Column", "Next due")), lambda r: next_due(r)),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Return")),
        lambda r: return_state(r),
        colour=lambda r: return_colour(r),
    ),
]


def return_state(row: ParticipantRow) -> str:
    """The register's Return column, as the service row says (rules.return_due and
    return_overdue): 'not yet due' while the bottle's supply lasts, 'due' once it has ended (the
    Today screen's returns pending), 'overdue' once the return is late. It said 'pending' for
    every bottle out, not yet due too."""
    if not row.return_pending:
        return ""
    if row.return_overdue:
        return QCoreApplication.translate("ParticipantsScreen", "overdue")
    if row.return_due:
        return QCoreApplication.translate("ParticipantsScreen", "due")
    return QCoreApplication.translate("ParticipantsScreen", "not yet due")


def return_colour(row: ParticipantRow) -> str | None:
    """Red overdue, amber due, grey not yet due (nothing to do about it yet)."""
    if not row.return_pending:
        return None
    if row.return_overdue:
        return "#c62828"
    return "#ef6c00" if row.return_due else "#52606d"


def history_columns(study: Study) -> list[Column[DispenseHistoryRow]]:
    """The history's columns, its dose by name in the user's language (Study.dose_name); in a
    study not of tablets only, "Quantity" over each count in its product's word ("28
    capsules", Study.quantity) and the returned, taken and expected likewise."""
    shown: list[Column[DispenseHistoryRow]] = []
    for c in HISTORY_COLUMNS:
        if c.title == "Dose":
            c = replace(c, value=lambda r: dose_shown(study, r.dose_level, r.dose_name))
        elif c.title == "Product":
            c = replace(c, value=lambda r: study.product_name(product_of(r)))
        elif c.title == "Tablets":
            c = count_column(study, product_of, c)
        elif c.title in COUNTED and not study.tablets_only:
            c = replace(c, shown=_in_units(study, c.value))
        shown.append(c)
    return shown


def product_of(row: DispenseHistoryRow) -> str:
    """The product a history line counts (its first: a line of history_lines has one)."""
    return row.products[0].product if row.products else ""


def _in_units(
    study: Study, value: Callable[[DispenseHistoryRow], object]
) -> Callable[[DispenseHistoryRow], str]:
    """A count cell in its product's word ("9 tablets", "0 capsules"); empty while unknown."""

    def text(row: DispenseHistoryRow) -> str:
        count = value(row)
        return study.quantity(product_of(row), count) if isinstance(count, int) else ""

    return text


def voided_text(row: DispenseHistoryRow) -> str:
    """A voided dispense's mark in the history: the day and who (why is under Corrections and
    status changes); empty for a dispense that stands."""
    if row.voided is None:
        return ""
    return QCoreApplication.translate("ParticipantsScreen", "voided {day} by {name}").format(
        day=shown_date(row.voided.on or local_day(row.voided.at)), name=row.voided.full_name
    )


def _person(name: str, initials: str) -> str:
    """'Paula Pharm (PP)' / 'Paula Pharm（PP）': brackets as the language writes them."""
    return QCoreApplication.translate("ParticipantsScreen", "{name} ({initials})").format(
        name=name, initials=initials
    )


def people_words(row: DispenseHistoryRow) -> str:
    """Who dispensed a history line's dispense and who checked it, by name and initials (as the
    DARF signs them): "Cycle 2 (DSP000002): dispensed by Paula Pharm (PP), checked by Priya
    Shah (PS)."; "... no second check." when nobody did. Read with the dispenses by
    queries.participant_record, never looked up here; "" for a row read without them."""
    if not row.dispensed_by:
        return ""
    dispenser = _person(row.dispensed_by, row.dispensed_by_initials)
    if row.checked_by:
        return QCoreApplication.translate(
            "ParticipantsScreen",
            "Cycle {cycle} ({dispense}): dispensed by {pharmacist}, checked by {checker}.",
        ).format(
            cycle=row.cycle,
            dispense=row.dispense_number,
            pharmacist=dispenser,
            checker=_person(row.checked_by, row.checked_by_initials),
        )
    return QCoreApplication.translate(
        "ParticipantsScreen",
        "Cycle {cycle} ({dispense}): dispensed by {pharmacist}; no second check.",
    ).format(cycle=row.cycle, dispense=row.dispense_number, pharmacist=dispenser)


def history_lines(rows: Sequence[DispenseHistoryRow]) -> list[DispenseHistoryRow]:
    """The history table's lines: a dispense of several products a line per product with its
    own dispensed, returned, taken and expected (ProductFigures, what its DARF shows), not
    capsules and tablets summed; a dispense of one product as it is."""
    lines: list[DispenseHistoryRow] = []
    for row in rows:
        if len(row.products) < 2:
            lines.append(row)
            continue
        lines += [
            replace(
                row,
                kits=p.kits,
                tablets=p.dispensed,
                returned=p.returned,
                taken=p.taken,
                expected=p.expected,
                adherence=p.adherence,
                flags=p.flags,
                unaccounted=p.unaccounted,
                products=(p,),
                returns=tuple(x for x in row.returns if x.kit in p.kits),
            )
            for p in row.products
        ]
    return lines


HISTORY_COLUMNS: list[Column[DispenseHistoryRow]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Cycle")), lambda r: r.cycle, align_right=True),
    # Who dispensed and who checked, in the dispense's tooltip and the line under the table
    # for the line selected (people_words): a column of them ("PP / PS", some 85 pixels) left
    # the dose of a two-product history five text lines at 1366x768, its last line out of view.
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Dispense")),
        lambda r: r.dispense_number,
        hint=lambda r: people_words(r),
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Day 1")), lambda r: r.day1),
    Column(str(QT_TRANSLATE_NOOP("Column", "Dose")), lambda r: r.dose_name),
    Column(str(QT_TRANSLATE_NOOP("Column", "Kits")), lambda r: r.kits),
    Column(str(QT_TRANSLATE_NOOP("Column", "Product")), lambda r: product_of(r)),
    Column(str(QT_TRANSLATE_NOOP("Column", "Tablets")), lambda r: r.tablets, align_right=True),
    Column(str(QT_TRANSLATE_NOOP("Column", "Returned")), lambda r: r.returned, align_right=True),
    Column(str(QT_TRANSLATE_NOOP("Column", "Taken")), lambda r: r.taken, align_right=True),
    Column(str(QT_TRANSLATE_NOOP("Column", "Expected")), lambda r: r.expected, align_right=True),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Adherence")),
        lambda r: r.adherence,
        colour=lambda r: "#c62828" if r.flags else None,
        align_right=True,
        text=percent,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Flags")),
        lambda r: flag_names(r.flags) or voided_text(r),  # a voided dispense has no flags
        colour=lambda r: "#c62828" if r.flags else None,
    ),
]
# A return's number is not a column: at 1366x768 it squeezed the dose of a two-product history
# to eight text lines. Correct return count... lists the returns by number, and `history`
# prints them for the command line's correct-return.
PRODUCT_COLUMN = 5
REGISTER_SPLIT = (360, 300)
"""The register's and the history's shares of the pane as the window opens (at 1366x768
about ten participants above the chosen one's history); the register gives up what its rows
do not need."""
"""The history's product column: shown only for a participant with a dispense of several
products (a line per product), its cells the product as the user names it."""
COUNTED = frozenset(c.title for c in HISTORY_COLUMNS[PRODUCT_COLUMN + 2 : PRODUCT_COLUMN + 5])
"""The returned, taken and expected columns: counts of the line's product, as the count's."""
WRAPPED_COLUMNS = tuple(
    i
    for i, c in enumerate(HISTORY_COLUMNS)
    if c.title in ("Dose", "Product", "Tablets", "Flags") or c.title in COUNTED
)
"""The columns whose text goes onto more lines in a narrow window rather than be cut: the dose
(naming two drugs, "democapib 100 mg twice daily days 1-14 with demotinib 25 m…" was cut at
1366x768), the product, the counts in their word ("10" over "capsules") and the flags; the
cycle, dispense, day 1, kits and adherence keep to one line."""


def read_year(field: QLineEdit, what: str, bar: MessageBar) -> int | None:
    """The year of birth typed, read as the domain reads a whole number; None when it is none
    ("19S5"), said in `bar` naming the field, the cursor back in it, the text selected: a year
    typed is never read as another. Its range is the service's to refuse."""
    try:
        return parse_whole(field.text(), what)
    except InvalidInput as exc:
        bar.show_message(exc.message, "error")
        field.setFocus()
        field.selectAll()
        return None


def enrolment_date_read(field: DateEdit, bar: MessageBar) -> bool:
    """The enrolment date reads as typed; else refused naming it in the dialog's bar, the
    cursor back in it ("2026-01-3O" was the field's old date, recorded)."""
    name = QCoreApplication.translate("ParticipantsScreen", "Enrolment date")
    mistyped_day = mistyped_date([(field, name)])
    if mistyped_day is None:
        return True
    typed_in, said = mistyped_day
    bar.show_message(said, "error")
    typed_in.refuse()  # left as typed, marked, selected to be typed again
    return False


class EnrolQuestion:
    """A question the service leaves to the pharmacist before an enrolment (the same initials
    and year of birth on treatment in another study): Cancel is the default."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, question: str, action: str) -> bool:
        """True when the user pressed the action's button."""
        return go_on_question(parent, "enrolQuestion", title, question, action)


@dataclass(frozen=True)
class TypedEnrolment(Kept):
    """What was typed and ticked in the enrolment window, kept while the study is opened again
    with its updated file (the service refused the enrolment, study_file_changed): the window
    opens again with it, the checklist as the new file gives it."""

    texts: dict[str, str]  # the field's object name -> its text
    sex: str
    enrolled_on: QDate
    ticked: frozenset[str]  # the criteria ticked, as the study file words them


@dataclass(frozen=True)
class TypedCorrection(Kept):
    """What was typed in the Correct-enrolment window, kept while the study is opened again
    with its updated file (the service refused the correction, study_file_changed): the window
    opens again on the participant with it."""

    participant: str  # the study number
    enrolled_on: QDate
    initials: str
    birth_year: str
    reason: str


class EnrolDialog(ReloadingDialog[TypedEnrolment]):
    """Enrolment: the investigator's eligibility confirmation, one ticked box per criterion."""

    def __init__(
        self,
        session: AppSession,
        parent: QWidget | None = None,
        typed: TypedEnrolment | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.enrolled: ParticipantRow | None = None
        study = session.ctx.study
        self.setWindowTitle(
            self.tr("Enrol a participant in {protocol}").format(protocol=study.protocol)
        )
        self.resize(880, 720)
        layout = QVBoxLayout(self)
        self.message = MessageBar()
        layout.addWidget(self.message)

        form = QFormLayout()
        self.study_number = text_field(
            "studyNumber", self.tr("As on the enrolment log, e.g. 01-003")
        )
        self.initials = text_field("initials", self.tr("2 to 4 letters; no names"))
        # No input filter: one dropped the keys it refused without a word ("19725" was
        # enrolled as 1972, "19S5" refused as 195). The year is kept as typed; `enrol` refuses
        # a text that is no whole number, the service a year no participant was born in.
        self.birth_year = text_field("birthYear", self.tr("e.g. 1968"))
        self.sex = QComboBox()
        self.sex.setObjectName("sex")
        # The service reads the code in either case ("f" is recorded as F). Nothing chosen at
        # first: a sex taken from the study's criteria would be recorded unread, and the
        # service's check of it would never refuse (it asks for one when none is chosen).
        self.sex.addItem(self.tr("Choose..."), "")
        self.sex.addItem(self.tr("Female"), "f")
        self.sex.addItem(self.tr("Male"), "m")
        self.enrolled_on = date_edit(session.ctx.clock.today())
        # Typed by the user, never filled in: a name there would record a confirmation of
        # eligibility that no one gave. The investigator's name is the hint only ("刘真真 医生"
        # in a Chinese window).
        investigator = study.wording().investigator or study.investigator
        self.confirmed_by = QLineEdit()
        self.confirmed_by.setPlaceholderText(
            self.tr("The investigator who confirmed it, e.g. {name}").format(name=investigator)
            if investigator
            else self.tr("The investigator who confirmed it")
        )
        self.confirmed_by.setObjectName("confirmedBy")
        form.addRow(self.tr("Study number"), self.study_number)
        form.addRow(self.tr("Initials"), self.initials)
        form.addRow(self.tr("Year of birth"), self.birth_year)
        form.addRow(self.tr("Sex"), self.sex)
        form.addRow(self.tr("Enrolment date"), self.enrolled_on)
        form.addRow(self.tr("Eligibility confirmed by"), self.confirmed_by)
        layout.addLayout(form)

        box = QGroupBox(self.tr("Eligibility checklist: tick each item the investigator confirmed"))
        inner = QVBoxLayout()
        self.criteria: list[QCheckBox] = []
        inclusion, exclusion = study.criteria()  # in the reader's language when the file has it
        # The service knows each criterion by the study file's own words ([eligibility]): a
        # box shows the reader's wording and records those (the file gives as many of each).
        recorded = study.eligibility
        inner.addWidget(
            QLabel(self.tr("<b>Inclusion criteria — tick to confirm the participant meets:</b>"))
        )
        for text, criterion in zip(inclusion, recorded.inclusion, strict=True):
            self._criterion(inner, text, criterion)
        # A tick means the exclusion is absent: said in the heading and on every box, so that
        # no one ticks a criterion because the participant has it.
        inner.addWidget(
            QLabel(
                self.tr(
                    "<b>Exclusion criteria — tick to confirm the participant does "
                    "<u>NOT</u> have:</b>"
                )
            )
        )
        for text, criterion in zip(exclusion, recorded.exclusion, strict=True):
            self._criterion(inner, text, criterion, exclusion=True)
        inner.addStretch(1)
        holder = QWidget()
        holder.setLayout(inner)
        scroll = QScrollArea()
        scroll.setWidget(holder)
        scroll.setWidgetResizable(True)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(scroll)
        self.ticked = QLabel()
        box_layout.addWidget(self.ticked)
        layout.addWidget(box, 1)

        # Enter in a field enrols, as the pharmacist types the form and presses it (an open
        # list or calendar takes its own Enter: the item or day chosen, nothing enrolled).
        self.enrol_button = action_and_cancel(
            self, layout, self.tr("&Enrol"), "enrolButton", self.enrol
        )
        self._count_ticks()
        if typed is not None:
            self._take_back(typed)

    def _typed_fields(self) -> list[QLineEdit]:
        return [self.study_number, self.initials, self.birth_year, self.confirmed_by]

    def typed(self, note: str = "") -> TypedEnrolment:
        """What was typed and ticked, to open the window again with (TypedEnrolment)."""
        return TypedEnrolment(
            texts={f.objectName(): f.text() for f in self._typed_fields()},
            sex=str(self.sex.currentData()),
            enrolled_on=self.enrolled_on.date(),
            ticked=frozenset(self.confirmed()),
            note=note,
        )

    def _take_back(self, typed: TypedEnrolment) -> None:
        """The enrolment as typed, on the checklist of the study file now in force: a criterion
        it words as before keeps its tick, a new or reworded one is to tick again."""
        for field in self._typed_fields():
            if field.objectName() in typed.texts:
                field.setText(typed.texts[field.objectName()])
        at = self.sex.findData(typed.sex)
        if at >= 0:
            self.sex.setCurrentIndex(at)
        self.enrolled_on.setDate(typed.enrolled_on)
        for box in self.criteria:
            box.setChecked(str(box.property("criterion")) in typed.ticked)
        if typed.note:
            self.message.show_message(typed.note, "warning")

    def reload_note(self, fresh: Context) -> str:
        """The enrolment refused for the study file updated since opens again as typed
        (ParticipantsScreen), on the checklist of `fresh`."""
        return self.tr(
            "Nothing was saved: the study file of {protocol} was updated after this window was "
            "opened. It was read again (version {version}): check the enrolment and the "
            "eligibility checklist again before enrolling."
        ).format(protocol=fresh.study.protocol, version=fresh.version)

    def _criterion(
        self, layout: QVBoxLayout, text: str, criterion: str, exclusion: bool = False
    ) -> None:
        """A tick box for one criterion of the study file: `text` as the reader reads it,
        `criterion` as [eligibility] gives it, what the service checks. An exclusion is
        confirmed absent: the service knows it as "Not: <criterion>", the box says so in the
        user's language."""
        shown = self.tr("Not: {criterion}").format(criterion=text) if exclusion else text
        # A tick box does not wrap its text: a long criterion is broken into lines here, so
        # that it is read whole without scrolling sideways.
        box = QCheckBox(textwrap.fill(shown, CRITERION_LINE))
        box.setProperty("criterion", f"Not: {criterion}" if exclusion else criterion)
        box.setProperty("shown", shown)
        box.toggled.connect(self._count_ticks)
        self.criteria.append(box)
        layout.addWidget(box)

    def _count_ticks(self) -> None:
        done = sum(box.isChecked() for box in self.criteria)
        self.ticked.setText(
            self.tr("{done} of {total} confirmed").format(done=done, total=len(self.criteria))
        )

    def confirmed(self) -> list[str]:
        return [str(box.property("criterion")) for box in self.criteria if box.isChecked()]

    def unconfirmed(self) -> list[QCheckBox]:
        return [box for box in self.criteria if not box.isChecked()]

    def enrol(self) -> None:
        missing = self.unconfirmed()
        if missing:
            names = "; ".join(str(box.property("shown")) for box in missing[:3])
            more = self.tr("; and {n} more").format(n=len(missing) - 3) if len(missing) > 3 else ""
            self.message.show_message(
                self.tr(
                    "{missing} of {total} eligibility criteria are not confirmed: {names}{more}. "
                    "Tick each one the investigator confirmed; a participant who does not meet "
                    "them all is not enrolled."
                ).format(missing=len(missing), total=len(self.criteria), names=names, more=more)
            )
            missing[0].setFocus()
            return
        year = read_year(self.birth_year, self.tr("year of birth"), self.message)
        if year is None or not enrolment_date_read(self.enrolled_on, self.message):
            return
        ctx, actor = self.session.ctx, self.session.actor
        warnings = attempt(
            self.message,
            lambda: participants.enrolment_warnings(ctx, actor, self.initials.text(), year),
        )
        if warnings is None:
            return
        if warnings and not EnrolQuestion.ask(
            self,
            self.tr("Same initials and year of birth in another study"),
            "\n\n".join(warnings),
            self.tr("&Enrol all the same"),
        ):
            self.message.show_message("\n".join(warnings), "warning")
            return

        def enrol(age_confirmed: bool) -> ParticipantRow:
            return participants.enroll(
                ctx,
                actor,
                self.study_number.text(),
                self.initials.text(),
                year,
                str(self.sex.currentData()),
                self.confirmed_by.text(),
                enrolled_on=to_date(self.enrolled_on.date()),
                criteria_confirmed=self.confirmed(),
                age_confirmed=age_confirmed,
            )

        asked: ToConfirm | None = None
        updated: list[StudyFileChanged] = []
        refused: list[DispensaryError] = []

        def first_try() -> ParticipantRow | None:
            nonlocal asked
            try:
                return enrol(False)
            except ToConfirm as question:  # the age of the year that may be under it
                asked = question
                return None
            except StudyFileChanged as exc:
                updated.append(exc)
                raise
            except DispensaryError as exc:
                refused.append(exc)
                raise

        def confirmed_try() -> ParticipantRow:
            try:
                return enrol(True)
            except StudyFileChanged as exc:
                updated.append(exc)
                raise
            except DispensaryError as exc:
                refused.append(exc)
                raise

        row = attempt(self.message, first_try)
        if asked is not None:
            if not EnrolQuestion.ask(
                self, self.tr("Confirm the age"), asked.message, self.tr("Age confirmed: &enrol")
            ):
                self.message.show_message(asked.message, "warning")
                self.birth_year.setFocus()
                return
            row = attempt(self.message, confirmed_try)
        if updated:
            self.study_updated()
            return
        if row is None:
            if refused:
                self._to_field(refused[-1].field_name)
            return
        self.enrolled = row
        self.accept()

    def _to_field(self, name: str) -> None:
        """The cursor to the field a refusal is about, as the service names it (the parameter
        of `participants.enroll`), its text selected to be typed again; none named, it stays."""
        fields: dict[str, QWidget] = {
            "study_number": self.study_number,
            "initials": self.initials,
            "birth_year": self.birth_year,
            "sex": self.sex,
            "enrolled_on": self.enrolled_on,
            "eligibility_confirmed_by": self.confirmed_by,
        }
        field = fields.get(name)
        if field is None:
            return
        field.setFocus(Qt.FocusReason.OtherFocusReason)
        if isinstance(field, QLineEdit):
            field.selectAll()

    @classmethod
    def ask(cls, parent: QWidget | None, session: AppSession) -> ParticipantRow | None:
        """The participant enrolled, or None when cancelled."""
        dialog = cls(session, parent)
        dialog.exec()
        return dialog.enrolled


class StatusForm(QDialog):
    """The form of a participant's status, changed (StatusDialog) or its last change corrected
    (CorrectStatusDialog): what is recorded now above, the message bar, the status, the
    effective date and the reason, and the button that asks for the signature. Each field is
    built here, once; a dialog gives its words, the statuses offered and the one chosen."""

    def __init__(
        self, session: AppSession, participant: ParticipantRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.participant = participant
        self.setMinimumWidth(520)

    def build_form(
        self,
        above: Sequence[QWidget],
        *,
        status_label: str,
        statuses: Sequence[ParticipantStatus],
        chosen: ParticipantStatus | None,
        day: date,
        names: tuple[str, str, str],
        reason_hint: str,
        action: str,
        action_name: str,
    ) -> QPushButton:
        """The dialog's widgets, `above` first: the statuses offered (`chosen` shown, or none
        chosen for the pharmacist), the effective date from `day`, the reason with its hint;
        `names`, the status's, the date's and the reason's object names. The button that
        signs (`action`), which calls `apply`."""
        layout = QVBoxLayout(self)
        for widget in above:
            layout.addWidget(widget)
        self.message = MessageBar()
        layout.addWidget(self.message)
        form = QFormLayout()
        self.status = QComboBox()
        self.status.setObjectName(names[0])
        for status in statuses:
            self.status.addItem(term(status.label), status.value)
        if chosen is None:
            self.status.setPlaceholderText(self.tr("Choose the new status"))
            self.status.setCurrentIndex(-1)  # nothing chosen for the pharmacist
        else:
            self.status.setCurrentIndex(max(0, self.status.findData(chosen.value)))
        self.effective_on = date_edit(day)
        self.effective_on.setObjectName(names[1])
        self.reason = text_field(names[2], reason_hint)
        form.addRow(status_label, self.status)
        form.addRow(self.tr("Effective date"), self.effective_on)
        form.addRow(self.tr("Reason"), self.reason)
        layout.addLayout(form)
        # Enter asks for the signature, as the click does: the signature is the deliberate act.
        return action_and_cancel(self, layout, action, action_name, self.apply)

    def apply(self) -> None:
        """Checks the form with the service, asks for the signature and records it."""
        raise NotImplementedError

    def day_mistyped(self) -> bool:
        """Whether the effective date is mistyped: said in the bar, the date focused."""
        mistyped = mistyped_date([(self.effective_on, self.tr("Effective date"))])
        if mistyped is None:
            return False
        self.message.show_message(mistyped[1], "error")
        self.effective_on.setFocus()
        return True


class StatusDialog(StatusForm):
    """Taking a participant off treatment (discontinued, completed) or back on: no status
    chosen beforehand, the day it took effect, the reason the audit trail keeps, and the
    pharmacist's signature ("status changed"); the kits still out for return are shown, as
    they are still to come back whatever the status."""

    def __init__(
        self, session: AppSession, participant: ParticipantRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(session, participant, parent)
        self.changed: ParticipantRow | None = None
        self.setWindowTitle(self.tr("Status of {number}").format(number=participant.study_number))
        now = QLabel(
            self.tr("{number} ({initials}) is now <b>{status}</b>.").format(
                number=participant.study_number,
                initials=participant.initials,
                status=status_name(participant.status),
            )
        )
        out = participants.kits_out(session.ctx, session.actor, participant.study_number)
        self.kits_out = wrapped_label(
            "kitsStillOut",
            self.tr(
                "Kits still out for return: <b>{kits}</b>. Record their return as usual."
            ).format(kits=separated(out))
            if out
            else self.tr("No kit is out for return."),
        )
        self.change_button = self.build_form(
            [now, self.kits_out],
            status_label=self.tr("New status"),
            # A voided enrolment has its own signed step (Void enrolment...).
            statuses=[
                s
                for s in ParticipantStatus
                if s not in (participant.status, ParticipantStatus.VOIDED)
            ],
            chosen=None,
            day=session.ctx.clock.today(),
            names=("newStatus", "statusEffectiveOn", "statusReason"),
            reason_hint=self.tr("e.g. withdrew consent; completed 8 cycles"),
            action=self.tr("&Change status and sign..."),
            action_name="changeStatus",
        )

    def apply(self) -> None:
        if self.status.currentIndex() < 0:
            self.message.show_message(self.tr("Choose the new status."), "error")
            self.status.setFocus()
            return
        if self.day_mistyped():
            return
        ctx, actor = self.session.ctx, self.session.actor
        number, chosen = self.participant.study_number, str(self.status.currentData())
        day = to_date(self.effective_on.date())
        checked = attempt(
            self.message,
            lambda: (
                participants.check_status_change(
                    ctx, actor, number, chosen, self.reason.text(), day
                )
                or True
            ),
        )
        if checked is None:  # refused: said in the bar, before the signature is asked for
            return
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.STATUS_CHANGED.value,
            self.tr("Status of {number}: {old} to {new}, effective {date}").format(
                number=number,
                old=term(self.participant.status.label),
                new=self.status.currentText(),
                date=shown_date(day),
            ),
        )
        if password is None:
            return
        row = signed(
            self.message,
            lambda: participants.set_status(
                ctx,
                actor,
                number,
                chosen,
                self.reason.text(),
                password=password,
                effective_on=day,
            ),
        )
        if row is None:
            return
        self.changed = row
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, session: AppSession, participant: ParticipantRow
    ) -> ParticipantRow | None:
        dialog = cls(session, participant, parent)
        dialog.exec()
        return dialog.changed


class CorrectStatusDialog(StatusForm):
    """The participant's last status change corrected (services.participants.correct_status):
    its effective date, the status it set, or the change withdrawn as recorded in error (the
    status before it chosen); the reason and the pharmacist's signature ("corrected"). What
    the service would refuse is said in the bar before the signature is asked for."""

    def __init__(
        self,
        session: AppSession,
        participant: ParticipantRow,
        in_force: StatusCorrection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(session, participant, parent)
        self.corrected: ParticipantRow | None = None
        self.setWindowTitle(
            self.tr("Correct the status change of {number}").format(number=participant.study_number)
        )
        since = in_force.old_effective_on
        recorded = wrapped_label(
            "statusInForce",
            self.tr(
                "{number} ({initials}) is recorded as <b>{status}</b> from {date}. Give "
                "the status and the date as they should have been recorded; the status "
                "before the change withdraws it as recorded in error."
            ).format(
                number=participant.study_number,
                initials=participant.initials,
                status=status_name(participant.status),
                date=shown_date(since) if since else "",
            ),
        )
        self.correct_button = self.build_form(
            [recorded],
            status_label=self.tr("Status"),
            statuses=[s for s in ParticipantStatus if s is not ParticipantStatus.VOIDED],
            chosen=participant.status,
            day=since or session.ctx.clock.today(),
            names=("correctedStatus", "correctedEffectiveOn", "statusCorrectionReason"),
            reason_hint=self.tr("e.g. 2026-12-01 typed for 2026-11-21"),
            action=self.tr("&Correct and sign..."),
            action_name="correctStatus",
        )

    def apply(self) -> None:
        if self.day_mistyped():
            return
        ctx, actor = self.session.ctx, self.session.actor
        number, chosen = self.participant.study_number, str(self.status.currentData())
        reason = self.reason.text()

        def assessed() -> StatusCorrection:
            plan = participants.assess_status_correction(ctx, actor, number, status=chosen)
            # Withdrawn, the change gives the status before it back from its own date.
            day = None if plan.withdrawn else to_date(self.effective_on.date())
            return participants.assess_status_correction(
                ctx, actor, number, status=chosen, effective_on=day, reason=reason
            )

        plan = attempt(self.message, assessed)
        if plan is None:
            return
        if plan.refusals:
            self.message.show_message(plan.refusals[0].message, "error")
            return
        day, withdrawn = plan.new_effective_on, plan.withdrawn
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.CORRECTED.value,
            self.tr("Status change of {number} corrected: {status}, effective {date}").format(
                number=number,
                status=self.status.currentText(),
                date=shown_date(day) if day else "",
            ),
        )
        if password is None:
            return
        row = signed(
            self.message,
            lambda: participants.correct_status(
                ctx,
                actor,
                number,
                status=chosen,
                effective_on=None if withdrawn else day,
                reason=reason,
                password=password,
            ),
        )
        if row is None:
            return
        self.corrected = row
        self.accept()


class CorrectEnrolmentDialog(ReloadingDialog[TypedCorrection]):
    """The correction of what the enrolment recorded wrongly (its date, the initials, the year
    of birth): the values as recorded, changed where they are wrong, with the reason; the
    pharmacist signs it ("corrected"). The service decides what may be corrected: its refusal
    is shown here, before the signature is asked for, and the values stay to be put right."""

    def __init__(
        self,
        session: AppSession,
        participant: ParticipantRow,
        parent: QWidget | None = None,
        typed: TypedCorrection | None = None,
    ) -> None:
        super().__init__(session, parent)
        self.participant = participant
        self.corrected: ParticipantRow | None = None
        self.setWindowTitle(
            self.tr("Correct the enrolment of {number}").format(number=participant.study_number)
        )
        # Room for the refusal that names the cycle to put right (four lines) under the values.
        self.setMinimumWidth(560)
        self.resize(640, 360)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                "recordedEnrolment",
                self.tr(
                    "{number} ({initials}), born {year}, enrolled {date}. Change what was "
                    "recorded wrongly: the audit trail keeps the value recorded, the corrected "
                    "one and the reason, with your signature."
                ).format(
                    number=participant.study_number,
                    initials=participant.initials,
                    year=participant.birth_year,
                    date=shown_date(participant.enrolled_on),
                ),
            )
        )
        self.message = MessageBar()
        layout.addWidget(self.message)
        form = QFormLayout()
        self.enrolled_on = date_edit(participant.enrolled_on)
        self.enrolled_on.setObjectName("correctedEnrolledOn")
        self.initials = text_field("correctedInitials", self.tr("2 to 4 letters; no names"))
        self.initials.setText(participant.initials)
        self.birth_year = text_field("correctedBirthYear", self.tr("e.g. 1968"))  # as typed
        self.birth_year.setText(str(participant.birth_year))
        self.reason = text_field(
            "correctionReason", self.tr("e.g. enrolment typed in on a later day; see the log")
        )
        form.addRow(self.tr("Enrolment date"), self.enrolled_on)
        form.addRow(self.tr("Initials"), self.initials)
        form.addRow(self.tr("Year of birth"), self.birth_year)
        form.addRow(self.tr("Reason"), self.reason)
        layout.addLayout(form)
        layout.addStretch(1)
        # Enter asks for the signature, as the click does: the signature is the deliberate act.
        self.correct_button = action_and_cancel(
            self, layout, self.tr("&Correct and sign..."), "correctEnrolment", self.apply
        )
        self.reason.setFocus()
        if typed is not None:
            self._take_back(typed)

    def typed(self, note: str = "") -> TypedCorrection:
        """What was typed, to open the window again with (TypedCorrection)."""
        return TypedCorrection(
            participant=self.participant.study_number,
            enrolled_on=self.enrolled_on.date(),
            initials=self.initials.text(),
            birth_year=self.birth_year.text(),
            reason=self.reason.text(),
            note=note,
        )

    def _take_back(self, typed: TypedCorrection) -> None:
        """The correction as typed before the study was read again, and the note why."""
        self.enrolled_on.setDate(typed.enrolled_on)
        self.initials.setText(typed.initials)
        self.birth_year.setText(typed.birth_year)
        self.reason.setText(typed.reason)
        if typed.note:
            self.message.show_message(typed.note, "warning")

    def reload_note(self, fresh: Context) -> str:
        """The correction refused for the study file updated since opens again as typed
        (ParticipantsScreen), on the participant as recorded."""
        return self.tr(
            "Nothing was saved: the study file of {protocol} was updated after this window was "
            "opened. It was read again (version {version}) with the correction as typed: check "
            "it again before signing."
        ).format(protocol=fresh.study.protocol, version=fresh.version)

    def _changes(self, old: dict[str, object], new: dict[str, object]) -> str:
        names = {
            "enrolled_on": self.tr("Enrolment date"),
            "initials": self.tr("Initials"),
            "birth_year": self.tr("Year of birth"),
        }
        return self.tr("; ").join(
            self.tr("{field}: {old} to {new}").format(
                field=names.get(key, key), old=_shown(old[key]), new=_shown(new[key])
            )
            for key in new
        )

    def apply(self) -> None:
        year = read_year(self.birth_year, self.tr("year of birth"), self.message)
        if year is None or not enrolment_date_read(self.enrolled_on, self.message):
            return
        number = self.participant.study_number
        day, initials = to_date(self.enrolled_on.date()), self.initials.text()
        ctx, actor = self.session.ctx, self.session.actor
        found = attempt(
            self.message,
            lambda: participants.assess_enrolment_correction(
                ctx,
                actor,
                number,
                enrolled_on=day,
                initials=initials,
                birth_year=year,
                reason=self.reason.text(),
            ),
        )
        if found is None:
            return
        if any(r.code is EnrolmentCheck.STUDY_FILE_CHANGED for r in found.refusals):
            self.study_updated()
            return
        if found.refusals:
            self.message.show_message(found.refusals[0].message)
            return
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.CORRECTED.value,
            self.tr("Correction of the enrolment of {number}: {changes}").format(
                number=number, changes=self._changes(dict(found.old), dict(found.new))
            ),
        )
        if password is None:
            return
        updated: list[StudyFileChanged] = []

        def correct() -> ParticipantRow:
            try:
                return participants.correct_enrolment(
                    ctx,
                    actor,
                    number,
                    enrolled_on=day,
                    initials=initials,
                    birth_year=year,
                    reason=self.reason.text(),
                    password=password,
                )
            except StudyFileChanged as exc:  # updated while the signature was asked
                updated.append(exc)
                raise

        row = signed(self.message, correct)
        if updated:
            self.study_updated()
            return
        if row is None:
            return
        self.corrected = row
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, session: AppSession, participant: ParticipantRow
    ) -> ParticipantRow | None:
        """The participant as corrected, or None when cancelled (or refused for a study file
        updated since: `reloaded`)."""
        dialog = cls(session, participant, parent)
        dialog.exec()
        return dialog.corrected


def _shown(value: object) -> str:
    return shown_date(value) if isinstance(value, date) else str(value)


class KitsBackDialog(ReasonDialog):
    """Asks for the kits of a dispense made before today, scanned as back in the pharmacy,
    before it is voided: OK only once something is scanned."""

    def __init__(
        self, parent: QWidget | None, title: str, prompt: str, action: str, whole: str = ""
    ) -> None:
        super().__init__(parent, title, prompt, action, whole)
        self.reason.setObjectName("kitsBack")
        self.reason.setPlaceholderText(self.tr("Scan each kit (K1234)"))


class CorrectReturnDialog(QDialog):
    """A recount of a return recorded wrongly: the return (kit) of the dispense, the count
    found, the reason; the pharmacist signs it ("corrected"). The service decides what may be
    corrected: its refusal is shown here before the signature is asked for."""

    def __init__(
        self, session: AppSession, line: DispenseHistoryRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.line = line
        self.corrected: ReturnLine | None = None
        self.setWindowTitle(
            self.tr("Correct a return count of {dispense}").format(dispense=line.dispense_number)
        )
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                "recordedReturn",
                self.tr(
                    "Cycle {cycle} ({dispense}). The correction replaces the count recorded: "
                    "the audit trail keeps both, the reason and your signature."
                ).format(cycle=line.cycle, dispense=line.dispense_number),
            )
        )
        self.message = MessageBar()
        layout.addWidget(self.message)
        form = QFormLayout()
        self.which = QComboBox()
        self.which.setObjectName("returnToCorrect")
        study = session.ctx.study
        for ret in line.returns:
            self.which.addItem(
                self.tr("Return {number}: kit {kit}, {count}").format(
                    number=ret.return_id,
                    kit=ret.kit,
                    count=self.tr("not brought back")
                    if ret.not_brought_back
                    else study.units(ret.product, ret.tablets),
                ),
                ret.return_id,
            )
        self.count = text_field("correctedCount", self.tr("the count found"))
        self.reason = text_field(
            "returnCorrectionReason", self.tr("e.g. recounted with the monitor")
        )
        # The return's date and the investigator's hold, corrected with the count when wrong:
        # the date shown is the return's; the hold recorded is kept unless replaced here.
        self.returned_on = date_edit()
        self.returned_on.setObjectName("correctedReturnDate")
        self.held_period = QCheckBox(self.tr("Replace the held period recorded"))
        self.held_period.setObjectName("correctHeldPeriod")
        self.held_from = date_edit()
        self.held_from.setObjectName("correctHeldFrom")
        self.held_until = date_edit()
        self.held_until.setObjectName("correctHeldUntil")
        self.held_by = text_field(
            "correctHeldOrderedBy", self.tr("the investigator who ordered it")
        )
        form.addRow(self.tr("Return"), self.which)
        form.addRow(self.tr("Correct count"), self.count)
        form.addRow(self.tr("Return date"), self.returned_on)
        form.addRow("", self.held_period)
        form.addRow(self.tr("Held from"), self.held_from)
        form.addRow(self.tr("Held until"), self.held_until)
        form.addRow(self.tr("Hold ordered by"), self.held_by)
        form.addRow(self.tr("Reason"), self.reason)
        layout.addLayout(form)
        self._form = form
        self.which.currentIndexChanged.connect(self._show_return)
        self.held_period.toggled.connect(self._show_held_period)
        self._show_return()
        self._show_held_period(False)
        # Enter asks for the signature, as the click does: the signature is the deliberate act.
        self.correct_button = action_and_cancel(
            self, layout, self.tr("&Correct and sign..."), "correctReturn", self.apply
        )
        self.count.setFocus()

    def _show_return(self) -> None:
        """The date of the return chosen, to correct when it was recorded wrongly."""
        return_id = self.which.currentData()
        old = next((r for r in self.line.returns if r.return_id == return_id), None)
        if old is not None:  # the held period's dates start from it too, not from 2000
            for field in (self.returned_on, self.held_from, self.held_until):
                field.setDate(old.returned_on)

    def _show_held_period(self, shown: bool) -> None:
        show_form_rows(self._form, (self.held_from, self.held_until, self.held_by), shown)

    def _change(self, old: ReturnLine) -> returns.ReturnChange | None:
        """The date and held period the correction gives (None for each kept as recorded);
        None, said and the field marked, when a date typed cannot be read."""
        fields = [(self.returned_on, self.tr("Return date"))]
        if self.held_period.isChecked():
            fields += [
                (self.held_from, self.tr("Held from")),
                (self.held_until, self.tr("Held until")),
            ]
        wrong = mistyped_date(fields)
        if wrong is not None:
            field, words = wrong
            self.message.show_message(words, "error")
            field.refuse()
            return None
        day = self.returned_on.typed_date(self.tr("Return date"))
        if not self.held_period.isChecked():
            return returns.ReturnChange(returned_on=day if day != old.returned_on else None)
        return returns.ReturnChange(
            returned_on=day if day != old.returned_on else None,
            held_from=self.held_from.typed_date(self.tr("Held from")),
            held_until=self.held_until.typed_date(self.tr("Held until")),
            held_ordered_by=self.held_by.text(),
        )

    def apply(self) -> None:
        try:
            count = parse_whole(self.count.text(), self.tr("count"))
        except InvalidInput as exc:
            self.message.show_message(exc.message, "error")
            self.count.setFocus()
            self.count.selectAll()
            return
        return_id = int(self.which.currentData())
        old = next(r for r in self.line.returns if r.return_id == return_id)
        change = self._change(old)
        if change is None:
            return
        ctx, actor = self.session.ctx, self.session.actor
        reason = self.reason.text()
        if not attempt(
            self.message,
            lambda: returns.check_return_correction(ctx, actor, return_id, count, reason, change),
        ):
            return
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.CORRECTED.value,
            self.tr(
                "Return {number} of kit {kit} ({dispense}) corrected from {old} to {new}: {reason}"
            ).format(
                number=return_id,
                kit=old.kit,
                dispense=self.line.dispense_number,
                old=old.tablets,
                new=count,
                reason=reason,
            ),
        )
        if password is None:
            return
        result = signed(
            self.message,
            lambda: returns.correct_return(ctx, actor, return_id, count, reason, password, change),
        )
        if result is None:
            return
        self.corrected = ReturnLine(
            result.return_id,
            old.kit,
            count,
            change.returned_on or old.returned_on,
            corrects=return_id,
        )
        self.accept()

    @classmethod
    def ask(
        cls, parent: QWidget | None, session: AppSession, line: DispenseHistoryRow
    ) -> ReturnLine | None:
        """The return as corrected, or None when cancelled."""
        dialog = cls(session, line, parent)
        dialog.exec()
        return dialog.corrected


CHART_LEAST_HEIGHT = 300
"""The adherence chart's least height, in pixels: some 180 for its bars and axis."""


class AdherenceChart(QChartView):
    """Adherence per cycle as bars coloured by finding, with the study's two limits drawn."""

    def __init__(self, under: float, over: float, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.under = under
        self.over = over
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.show_history([])

    def show_history(self, rows: list[DispenseHistoryRow]) -> None:
        chart, sets = bar_chart(
            self.tr("Adherence % per cycle (limits {under}, {over} dashed)").format(
                under=f"{self.under:.0%}", over=f"{self.over:.0%}"
            ),
            [
                ("within", self.tr("Within limits"), "#2e7d32"),
                ("under", self.tr("Under-use"), "#ef6c00"),
                ("over", self.tr("Over-use"), "#c62828"),
            ],
        )
        categories: list[str] = []
        most = self.over * 100  # the upper limit's line is always in sight
        for row in rows:
            value = round(row.adherence * 100) if row.adherence is not None else 0
            most = max(most, value)
            kind = "within"
            if row.adherence is not None and row.adherence < self.under:
                kind = "under"
            elif row.adherence is not None and row.adherence > self.over:
                kind = "over"
            for name, bar_set in sets.items():
                bar_set.append(value if name == kind else 0)
            cycle = self.tr("C{cycle}").format(cycle=row.cycle)
            categories.append(cycle if row.adherence is not None else f"{cycle}?")
        y_axis = QValueAxis()
        round_value_axis(y_axis, most)
        x_axis = bars_on_axes(chart, QStackedBarSeries(), sets, categories, y_axis)
        span = max(len(categories), 1)
        for limit, colour in ((self.under, "#ef6c00"), (self.over, "#c62828")):
            points = [(-0.5, limit * 100), (span - 0.5, limit * 100)]
            line = dashed_line(chart, (x_axis, y_axis), points, colour, 1.5)
            for marker in chart.legend().markers(line):
                marker.setVisible(False)
        self.values = shown_bars(self, chart, sets)


@dataclass(frozen=True, kw_only=True)
class _KeptFilter(Kept):
    """The register's filter, kept while the study is opened again with its updated file
    (ParticipantsScreen.kept_state): the search typed, and the Today card's list it is
    narrowed to (its kind; the day is asked again)."""

    search: str = ""
    listing: OpenKind | None = None
    then: Kept | None = None  # the enrolment or correction window to open again, as typed


class ParticipantsScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Participants"))
    shortcut = QKeySequence("Ctrl+6").toString()
    roles = ALL_ROLES

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        actor = session.actor
        study = session.ctx.study
        self.model, self.proxy, self.table = row_table(
            self, PARTICIPANT_COLUMNS, "participantTable"
        )
        # Newest cycle first: the one a pharmacist opens the record for is in sight at
        # 1366x768 (the table shows 3-4 rows under the summary), not below the fold.
        self.history, self.history_proxy, self.history_table = row_table(
            self, history_columns(study), "historyTable", descending=True
        )

        layout, self.message = titled_page(
            self, self.tr("Participants of {protocol}").format(protocol=study.protocol)
        )
        bar = QHBoxLayout()
        self.search = text_field("participantSearch", self.tr("Number or initials"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.enrol_button = action_button(
            self.tr("&Enrol participant..."), "enrolParticipant", self._enrol
        )
        self.status_button = action_button(
            self.tr("Change st&atus..."), "changeStatusButton", self._change_status
        )
        self.correct_button = action_button(
            self.tr("&Correct enrolment..."), "correctEnrolmentButton", self._correct_enrolment
        )
        self.correct_status_button = action_button(
            self.tr("Correct stat&us change..."),
            "correctStatusButton",
            self._correct_status,
        )
        self.void_button = action_button(
            self.tr("&Void enrolment..."), "voidEnrolmentButton", self._void_enrolment
        )
        self.dispense_button = action_button(
            self.tr("&Dispense next cycle"), "dispenseNext", self._dispense
        )
        # The participants a Today card counts, when its "… and N more" opened them (the
        # service's list, not a rule read again here): ticked while it narrows the register,
        # unticked to list everyone again.
        self.listed = QCheckBox()
        self.listed.setObjectName("listedFilter")
        self.listed.setVisible(False)
        self.listed.toggled.connect(self._listed_toggled)
        # The card's kind; its day is the service's, asked again at each refresh.
        self._listing: OpenKind | None = None
        search_label = QLabel(self.tr("&Search"))
        search_label.setBuddy(self.search)
        bar.addWidget(search_label)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.listed)
        role_buttons(
            bar,
            actor,
            [
                (self.enrol_button, Permission.ENROLL),
                (self.status_button, Permission.PARTICIPANT_STATUS),
                (self.correct_button, Permission.CORRECT_ENROLMENT),
                (self.void_button, Permission.CORRECT_ENROLMENT),
                (self.dispense_button, Permission.DISPENSE),
            ],
        )
        layout.addLayout(bar)

        splitter = QSplitter(Qt.Orientation.Vertical)
        self.table.selectionModel().selectionChanged.connect(self._show_selected)
        splitter.addWidget(self.table)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        self.summary = wrapped_label(
            "participantSummary", self.tr("Select a participant to see the dispensing history.")
        )
        lower_layout.addWidget(self.summary)
        # The history and the chart share the lower pane's whole height and width, a tab each
        # (side by side, the history had one line's height at 1366x768, or its columns cut).
        self.history_tabs = QTabWidget()
        self.history_tabs.setObjectName("historyTabs")
        self.history_tabs.addTab(self.history_table, self.tr("Dispensing history"))
        # Fitted again when shown and whenever its width changes (a scroll bar coming as the
        # wrapped lines grow taller, the window resized); each line as tall as its text.
        self.history_table.installEventFilter(self)
        self.history_table.viewport().installEventFilter(self)
        self.history_table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.chart = AdherenceChart(study.adherence.under_use_below, study.adherence.over_use_above)
        self.chart.setObjectName("adherenceChart")
        # Tall enough for its bars to be read (at 160 pixels, its title, axis labels and legend
        # left the bars some 60 at 1366x768, the axis's 0/50/100/150 crowded): the tab
        # scrolls when the pane is lower.
        self.chart.setMinimumHeight(CHART_LEAST_HEIGHT)
        chart_page = QScrollArea()
        chart_page.setObjectName("adherenceChartPage")
        chart_page.setWidgetResizable(True)
        chart_page.setFrameShape(QFrame.Shape.NoFrame)
        chart_page.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        chart_page.setWidget(self.chart)
        self.history_tabs.addTab(chart_page, self.tr("Adherence chart"))
        # The record's corrections and status changes (the row holds only the values now).
        self.changes = wrapped_label("recordChanges")
        self.changes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.changes.setTextFormat(Qt.TextFormat.PlainText)
        changes_page = QScrollArea()
        changes_page.setObjectName("recordChangesPage")
        changes_page.setWidgetResizable(True)
        changes_page.setFrameShape(QFrame.Shape.NoFrame)
        changes_page.setWidget(self.changes)
        # The last status change corrected from where the changes are read (the bar above the
        # table keeps its width at 1366x768).
        changes_tab = QWidget()
        changes_row = QHBoxLayout(changes_tab)
        changes_row.setContentsMargins(0, 0, 0, 0)
        changes_row.addWidget(changes_page, 1)
        changes_side = QVBoxLayout()
        role_buttons(
            changes_side, actor, [(self.correct_status_button, Permission.PARTICIPANT_STATUS)]
        )
        changes_side.addStretch(1)
        changes_row.addLayout(changes_side)
        self.history_tabs.addTab(changes_tab, self.tr("Corrections and status changes"))
        lower_layout.addWidget(self.history_tabs, 1)
        # The selected history line's signed corrections (the services refuse what may not be),
        # beside the tabs: the history keeps its height at 1366x768.
        corner = QWidget()
        corrections = QHBoxLayout(corner)
        corrections.setContentsMargins(0, 0, 0, 2)
        self.void_dispense_button = action_button(
            self.tr("Vo&id dispense..."), "voidDispenseButton", self._void_dispense
        )
        self.correct_return_button = action_button(
            self.tr("Correct &return count..."), "correctReturnButton", self._correct_return
        )
        role_buttons(
            corrections,
            actor,
            [
                (self.void_dispense_button, Permission.VOID_DISPENSE),
                (self.correct_return_button, Permission.CORRECT_RETURN),
            ],
        )
        self.history_tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.history_table.selectionModel().selectionChanged.connect(self._update_history_buttons)
        # Who dispensed the line selected and who checked it (its dispense's tooltip says it
        # too); no line taken from the history while none is selected.
        self.people = wrapped_label("historyPeople")
        self.people.setTextFormat(Qt.TextFormat.PlainText)
        self.people.setVisible(False)
        lower_layout.addWidget(self.people)
        self.flags = wrapped_label("flagsText")
        self.flags.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        lower_layout.addWidget(self.flags)
        splitter.addWidget(lower)
        # The register gets the larger share: at 1366x768 about ten participants show above
        # the selected one's history.
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes(list(REGISTER_SPLIT))
        self.splitter = splitter
        self.register_dragged = False  # the user's own split is kept from then on
        splitter.splitterMoved.connect(self._register_dragged)
        layout.addWidget(splitter, 1)
        self._update_buttons()
        self._update_history_buttons()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())

    def open_record(self, kind: str, ref: str) -> None:
        """The participants a Today card lists (`kind`: due for their next cycle this week, or
        with a return due), the register narrowed to them as the service lists them, asked
        again each time the screen is refreshed, for the day it is then (a participant
        dispensed or with the return recorded since drops out; left open overnight, the new
        day's list: it kept the day the card was read for); any other record as if scanned."""
        if kind not in (OpenKind.DUE.value, OpenKind.RETURNS_DUE.value):
            super().open_record(kind, ref)
            return
        self.search.clear()
        self._list(OpenKind(kind))

    def _list(self, kind: OpenKind) -> None:
        """The register narrowed to the list of the Today card of `kind`, the box ticked."""
        self._listing = kind
        self.listed.setToolTip(
            self.tr(
                "Only the participants the Today screen lists. Untick to list every participant."
            )
        )
        self.listed.blockSignals(True)
        self.listed.setChecked(True)
        self.listed.blockSignals(False)
        self.listed.setVisible(True)
        self._narrow()

    def _narrow(self) -> None:
        """The register narrowed to the list the Today card counts, asked of the service
        again (dashboard.due_this_week, dashboard.returns_pending: the card's own rule)."""
        kind = self._listing
        if kind is None:
            return
        ctx, actor = self.session.ctx, self.session.actor
        numbers = attempt(
            self.message,
            lambda: frozenset(
                item.study_number
                for item in (
                    dashboard_service.due_this_week(ctx, actor)
                    if kind is OpenKind.DUE
                    else dashboard_service.returns_pending(ctx, actor)
                )
            ),
        )
        if numbers is None:
            return
        self.listed.setText(
            (
                self.tr("{n} due for their next cycle this week")
                if kind is OpenKind.DUE
                else self.tr("{n} with a return due")
            ).format(n=len(numbers))
        )
        self.proxy.only(0, numbers)  # the study number's column

    def _drop_listed(self) -> None:
        """Every participant again, the box put away until a Today card opens it."""
        self._listing = None
        self.proxy.only(0, None)
        self.listed.blockSignals(True)
        self.listed.setChecked(False)
        self.listed.blockSignals(False)
        self.listed.setVisible(False)

    def _listed_toggled(self, on: bool) -> None:
        if not on:
            self._drop_listed()

    def _fit_register(self) -> None:
        """The register no taller than its rows, the history taking the rest: a study of three
        participants left most of the register's share empty while a two-product history,
        its lines three or four text lines tall, showed one and a half of them at 1366x768.
        A register of many participants keeps its share (about ten rows), and a split the user
        dragged stays as they left it."""
        if not self.splitter.isVisible() or self.register_dragged:
            return
        table = self.table
        rows = table.verticalHeader().length() or table.verticalHeader().defaultSectionSize()
        bar = table.horizontalScrollBar()
        needed = (
            table.horizontalHeader().height()
            + rows
            + 2 * table.frameWidth()
            + (bar.height() if bar.isVisible() else 0)
        )
        total = sum(self.splitter.sizes())
        share = total * REGISTER_SPLIT[0] // sum(REGISTER_SPLIT)  # as the window opens
        register = min(needed, share)
        self.splitter.setSizes([register, total - register])

    def _register_dragged(self, _position: int, _index: int) -> None:
        self.register_dragged = True

    def _fit_history(self) -> None:
        """The history's columns shared out over the width it has, the dose, product and
        flags on more lines rather than cut, the lines as tall as their text."""
        fit_columns(self.history_table, widest=240, wrap=WRAPPED_COLUMNS)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The history fitted again to the width it has when it is shown or resized (filled
        behind the chart's tab, or before the window was laid out, it had no width to fit)."""
        if watched is self.history_table and event.type() == QEvent.Type.Show:
            self._fit_register()
        if (watched is self.history_table and event.type() == QEvent.Type.Show) or (
            watched is self.history_table.viewport() and event.type() == QEvent.Type.Resize
        ):
            self._fit_history()
        return super().eventFilter(watched, event)

    def refresh(self) -> None:
        chosen = self.current()
        rows = attempt(
            self.message, lambda: queries.participants(self.session.ctx, self.session.actor)
        )
        if rows is None:
            return
        self.model.set_rows(rows)
        self._narrow()  # the Today card's list asked again, when it narrows the register
        fit_columns(self.table)
        self._fit_register()
        if self._listing is not None:
            # The one chosen stays chosen while listed, and the list is not put away for it
            # (select would: a participant scanned leaves it).
            number = chosen.study_number if chosen is not None else None
            kept = number is not None and select_where(
                self.table, self.proxy, self.model, lambda r: r.study_number == number
            )
            if not kept:
                self._show_selected()
            return
        # The one chosen may have left the list (an enrolment voided): nothing selected then.
        if chosen is None or not self.select(chosen.study_number):
            self._show_selected()

    def current(self) -> ParticipantRow | None:
        rows = selected_rows(self.table, self.proxy, self.model)
        return rows[0] if rows else None

    def select(self, study_number: str) -> bool:
        wanted = half_width(study_number).strip().upper()
        if self.search.text():
            self.search.clear()
        if self.proxy.limited:  # a participant scanned or opened: shown, whoever the list had
            self._drop_listed()
        return select_where(self.table, self.proxy, self.model, lambda r: r.study_number == wanted)

    def handle_scan(self, code: str) -> bool:
        """A participant's study number opens their history here."""
        if is_dispense_number(code):
            return False
        if not self.model.rows:
            self.refresh()
        return self.select(code)

    def _update_history_buttons(self) -> None:
        """Void and correct act on the history line selected."""
        line = self.current_dispense()
        self.void_dispense_button.setEnabled(line is not None)
        self.correct_return_button.setEnabled(line is not None)
        said = people_words(line) if line is not None else ""
        self.people.setText(said)
        self.people.setVisible(bool(said))

    def current_dispense(self) -> DispenseHistoryRow | None:
        """The history line selected (a dispense, or one product of it)."""
        rows = selected_rows(self.history_table, self.history_proxy, self.history)
        return rows[0] if rows else None

    def select_dispense(self, number: str) -> bool:
        """Selects the history line of dispense `number` (its first product's)."""
        return select_where(
            self.history_table,
            self.history_proxy,
            self.history,
            lambda r: r.dispense_number == number,
        )

    def _update_buttons(self) -> None:
        row = self.current()
        self.status_button.setEnabled(row is not None)
        self.correct_button.setEnabled(row is not None)
        self.correct_status_button.setEnabled(row is not None)
        self.void_button.setEnabled(row is not None)
        self.dispense_button.setEnabled(
            row is not None and row.status is ParticipantStatus.ON_TREATMENT
        )

    def _return_note(self, person: ParticipantRow) -> str:
        """The last cycle's return as the register's Return column says it (the service's
        return_due and return_overdue): nothing while it is not yet due, then due, then
        overdue in red. It said 'return of the last cycle not recorded' in bold while the
        column said 'not yet due'."""
        if not person.return_pending or not (person.return_due or person.return_overdue):
            return ""
        if person.return_overdue:
            return self.tr("; <b><span style='color:#c62828'>return overdue</span></b>")
        return self.tr("; return due")

    def _show_selected(self) -> None:
        self._update_buttons()
        row = self.current()
        if row is None:
            self.summary.setText(self.tr("Select a participant to see the dispensing history."))
            self.history.set_rows([])
            self._update_history_buttons()
            self.history_table.setColumnHidden(PRODUCT_COLUMN, True)
            # Its headers whole before anyone is selected too ("Adherence" lost a letter at
            # Qt's default width).
            self._fit_history()
            self.flags.clear()
            self.changes.clear()
            self.chart.show_history([])
            return
        found = attempt(
            self.message,
            lambda: queries.participant_record(
                self.session.ctx, self.session.actor, row.study_number
            ),
        )
        if found is None:
            return
        person, history, changes = found.participant, list(found.history), found.changes
        self.changes.setText(
            "\n\n".join(queries.change_words(c) for c in changes)
            or self.tr("Nothing changed in the record since enrolment.")
        )
        corrected = len(changes)
        due = next_due(person)
        pending = self._return_note(person)
        if person.next_cycle is not None and due and person.last_cycle is not None:
            # as `study show`, `history` and `check dispense` say it (rules.next_day1_words)
            earliest = person.next_earliest or due
            following = self.tr("Next: cycle {cycle}, {when}{pending}.").format(
                cycle=person.next_cycle,
                when=next_day1_words(shown_date(due), shown_date(earliest)),
                pending=pending,
            )
        elif person.next_cycle is not None:  # on treatment, before the protocol's last cycle
            when = shown_date(due) if due else self.tr("any time")
            following = self.tr("Next: cycle {cycle}, from {when}{pending}.").format(
                cycle=person.next_cycle, when=when, pending=pending
            )
        else:
            following = self.tr("No further cycles{pending}.").format(pending=pending)
        summary = self.tr(
            "<b>{number}</b> ({initials}), born {year}, {status}, enrolled {date}. {following}"
        ).format(
            number=person.study_number,
            initials=person.initials,
            year=person.birth_year,
            status=status_name(person.status),
            date=shown_date(person.enrolled_on),
            following=following,
        )
        if corrected:
            summary = sentences(
                [
                    summary,
                    self.tr(
                        "<b>Record changed {count} time(s) since enrolment</b>: see "
                        "Corrections and status changes."
                    ).format(count=corrected),
                ]
            )
        self.summary.setText(summary)
        self.history.set_rows(history_lines(history))
        self._update_history_buttons()
        self.history_table.setColumnHidden(
            PRODUCT_COLUMN, all(len(r.products) < 2 for r in history)
        )
        self._fit_history()
        self.flags.setText(self._flag_text(history))
        self.chart.show_history(list(found.standing))  # a voided dispense took nothing

    def _flag_text(self, history: list[DispenseHistoryRow]) -> str:
        study = self.session.ctx.study
        lines = []
        for row in history:
            if not row.flags:
                continue
            # Each in its products' unit word, as the history and the return say it.
            labels = separated(flag_term(study, f, row.products) for f in row.flags)
            reason = (
                self.tr("reason: {reason}").format(reason=row.flag_reason)
                if row.flag_reason
                else self.tr(
                    "<span style='color:#c62828'>no reason recorded yet "
                    "(record it under Reconciliation)</span>"
                )
            )
            if len(row.products) > 1:  # each product taken of its own expected use
                lines.append(
                    self.tr("Cycle {cycle} ({dispense}): <b>{flags}</b>; {taken}; {reason}").format(
                        cycle=row.cycle,
                        dispense=row.dispense_number,
                        flags=labels,
                        taken=separated(self._taken_of(p) for p in row.products),
                        reason=reason,
                    )
                )
                continue
            study = self.session.ctx.study
            lines.append(
                self.tr(
                    "Cycle {cycle} ({dispense}): <b>{flags}</b>; taken {taken} of {expected} "
                    "expected; {reason}"
                ).format(
                    cycle=row.cycle,
                    dispense=row.dispense_number,
                    flags=labels,
                    taken=row.taken
                    if row.taken is None
                    else study.quantity(product_of(row), row.taken),
                    expected=row.expected
                    if row.expected is None
                    else study.quantity(product_of(row), row.expected),
                    reason=reason,
                )
            )
        return "<br>".join(lines) if lines else self.tr("No adherence flags.")

    def _taken_of(self, p: ProductFigures) -> str:
        """One product of a flagged dispense: "democapib 100 mg capsule taken 20 capsules of
        28 capsules expected", each in its own units."""
        study = self.session.ctx.study
        return self.tr("{product} taken {taken} of {expected} expected").format(
            product=study.product_name(p.product),
            taken=self.tr("unknown")
            if p.taken is None or p.unaccounted
            else study.quantity(p.product, p.taken),
            expected="" if p.expected is None else study.quantity(p.product, p.expected),
        )

    def kept_state(self) -> Kept | None:
        """The register's filter (the search typed, the Today card's list), kept while the
        study is opened again with its updated file (F5): the screen built again listed
        everyone, the filter the user had set dropped."""
        search = self.search.text()
        if not search and self._listing is None:
            return None
        return _KeptFilter(search=search, listing=self._listing)

    def restore_state(self, kept: Kept) -> None:
        """The register's filter as it was (`kept_state`); the enrolment or the correction
        refused for the study file updated since opens again, as typed, on the file now in
        force (once the window has built its screens again: Screen.reopen_study)."""
        if isinstance(kept, _KeptFilter):
            if kept.listing is not None:
                self._list(kept.listing)
            self.search.setText(kept.search)
            if kept.then is not None:
                self.restore_state(kept.then)
        elif isinstance(kept, TypedEnrolment):
            QTimer.singleShot(0, lambda: self._enrol_as(kept))
        elif isinstance(kept, TypedCorrection):
            QTimer.singleShot(0, lambda: self._correct_as(kept))

    def _reopen_keeping_filter(self, fresh: Context, typed: Kept | None) -> None:
        """The study opened again with its updated file for a window refused meanwhile, the
        register's filter kept as F5 keeps it (`kept_state`), then the window as typed: the
        screen built again listed everyone, the filter the user had set dropped."""
        kept = self.kept_state()
        if isinstance(kept, _KeptFilter):
            self.reopen_study(fresh, replace(kept, then=typed))
        else:
            self.reopen_study(fresh, typed)

    def _enrol(self) -> None:
        self._enrol_as(None)

    def _enrol_as(self, typed: TypedEnrolment | None) -> None:
        """The enrolment window, empty or as typed before the study was read again."""
        dialog = EnrolDialog(self.session, self, typed)
        dialog.exec()
        if dialog.reloaded is not None:
            # The study file was updated since: the study opened again with it, as F5 does
            # (the window builds its screens again), and the enrolment window again as typed.
            self._reopen_keeping_filter(*dialog.reloaded)
            return
        row = dialog.enrolled
        if row is None:
            return
        self.refresh()
        self.select(row.study_number)
        self.message.show_message(
            self.tr("Participant {number} ({initials}) enrolled on {date}.").format(
                number=row.study_number, initials=row.initials, date=shown_date(row.enrolled_on)
            ),
            "ok",
        )
        self.changed.emit()

    def _change_status(self) -> None:
        current = self.current()
        if current is None:
            return
        row = StatusDialog.ask(self, self.session, current)
        if row is None:
            return
        self.refresh()
        self.message.show_message(
            self.tr("Participant {number} is now {status}.").format(
                number=row.study_number, status=status_name(row.status)
            ),
            "ok",
        )
        self.changed.emit()

    def _correct_status(self) -> None:
        """The last status change corrected: refused in the screen's bar when there is none."""
        current = self.current()
        if current is None:
            return
        ctx, actor, number = self.session.ctx, self.session.actor, current.study_number
        in_force = attempt(
            self.message, lambda: participants.assess_status_correction(ctx, actor, number)
        )
        if in_force is None:
            return
        if in_force.status_change is None:
            self.message.show_message(in_force.refusals[0].message, "error")
            return
        dialog = CorrectStatusDialog(self.session, current, in_force, self)
        dialog.exec()
        row = dialog.corrected
        if row is None:
            return
        self.refresh()
        self.select(row.study_number)
        self.message.show_message(
            self.tr("Status change of {number} corrected: {status}.").format(
                number=row.study_number, status=status_name(row.status)
            ),
            "ok",
        )
        self.changed.emit()

    def _correct_enrolment(self) -> None:
        current = self.current()
        if current is None:
            return
        self._correct(current, None)

    def _correct_as(self, typed: TypedCorrection) -> None:
        """The correction window again, as typed before the study was read again, on its
        participant as now recorded."""
        if not self.model.rows:
            self.refresh()
        if not self.select(typed.participant) or self.current() is None:
            self.message.show_message(typed.note, "warning")
            return
        current = self.current()
        assert current is not None
        self._correct(current, typed)

    def _correct(self, current: ParticipantRow, typed: TypedCorrection | None) -> None:
        dialog = CorrectEnrolmentDialog(self.session, current, self, typed)
        dialog.exec()
        if dialog.reloaded is not None:  # the study file was updated since: as for enrolment
            self._reopen_keeping_filter(*dialog.reloaded)
            return
        row = dialog.corrected
        if row is None:
            return
        self.refresh()
        self.select(row.study_number)
        self.message.show_message(
            self.tr(
                "Enrolment of {number} corrected: {initials}, born {year}, enrolled {date}."
            ).format(
                number=row.study_number,
                initials=row.initials,
                year=row.birth_year,
                date=shown_date(row.enrolled_on),
            ),
            "ok",
        )
        self.changed.emit()

    def _void_enrolment(self) -> None:
        """The enrolment entered in error voided: the reason, then the signature; the service
        refuses a participant with a dispense (shown in the screen's bar)."""
        current = self.current()
        if current is None:
            return
        number = current.study_number
        ctx, actor = self.session.ctx, self.session.actor
        if not attempt(self.message, lambda: participants.check_enrolment_void(ctx, actor, number)):
            return
        reason = ReasonDialog.ask(
            self,
            self.tr("Void the enrolment of {number}").format(number=number),
            self.tr(
                "Void the enrolment of {number} ({initials}) as entered in error? Only while "
                "nothing has been dispensed to the participant. The participant leaves the "
                "lists and counts; the history and the audit trail keep the enrolment, voided. "
                "Why was it entered in error?"
            ).format(number=number, initials=current.initials),
            self.tr("&Void enrolment"),
        )
        if reason is None:
            return
        password = SignatureDialog.ask(
            self,
            self.session.actor.full_name,
            SignatureMeaning.CORRECTED.value,
            self.tr("Enrolment of {number} voided as entered in error: {reason}").format(
                number=number, reason=reason
            ),
        )
        if password is None:
            return
        row = signed(
            self.message,
            lambda: participants.void_enrolment(ctx, actor, number, reason, password),
        )
        if row is None:
            return
        self.refresh()
        self.message.show_message(
            self.tr("Enrolment of {number} ({initials}) voided as entered in error.").format(
                number=row.study_number, initials=row.initials
            ),
            "ok",
        )
        self.changed.emit()

    def _shown_again(self, number: str, dispense: str) -> None:
        """The register and the participant's history read again, the same line selected."""
        self.refresh()
        self.select(number)
        self._show_selected()
        self.select_dispense(dispense)

    def _void_dispense(self) -> None:
        """The selected dispense voided as made in error: the service's refusal first (a
        return recorded, voided already, the role), then the reason and the signature; the
        line stays in the history, marked voided, its kits back in stock."""
        person, line = self.current(), self.current_dispense()
        if person is None or line is None:
            return
        ctx, actor = self.session.ctx, self.session.actor
        number = line.dispense_number
        check = attempt(self.message, lambda: dispensing.check_void(ctx, actor, number))
        if not check:
            return
        kits_back: list[str] = []
        if check.kits_to_scan:  # made before today: the kits may have left the pharmacy
            scanned = KitsBackDialog.ask(
                self,
                self.tr("Void dispense {dispense}").format(dispense=number),
                self.tr(
                    "Dispense {dispense} was made on {day}, {ago}: its kits ({kits}) "
                    "may have left the pharmacy with {participant}. Void it only if every kit "
                    "is back in the pharmacy: scan each kit's barcode. If the participant has "
                    "the kits, do not void: record their return instead."
                ).format(
                    dispense=number,
                    day=shown_date(check.dispensed_on),
                    ago=self.tr("yesterday")
                    if check.days == 1
                    else self.tr("{days} days ago").format(days=check.days),
                    kits=separated(check.kits),
                    participant=person.study_number,
                ),
                self.tr("&Kits are back"),
            )
            if scanned is None:
                return
            kits_back = scanned.replace(",", " ").split()
            if not attempt(
                self.message, lambda: dispensing.check_void(ctx, actor, number, kits_back)
            ):
                return
        reason = ReasonDialog.ask(
            self,
            self.tr("Void dispense {dispense}").format(dispense=number),
            self.tr(
                "Void dispense {dispense} (cycle {cycle} of {participant}) as made in error? "
                "Only while its kits never left the pharmacy: they go back to stock, and the "
                "cycle can be dispensed again. The history keeps the dispense, marked voided. "
                "Why was it made in error?"
            ).format(dispense=number, cycle=line.cycle, participant=person.study_number),
            self.tr("&Void dispense"),
        )
        if reason is None:
            return
        password = SignatureDialog.ask(
            self,
            actor.full_name,
            SignatureMeaning.CORRECTED.value,
            self.tr("Dispense {dispense} (cycle {cycle} of {participant}) voided: {reason}").format(
                dispense=number, cycle=line.cycle, participant=person.study_number, reason=reason
            ),
        )
        if password is None:
            return
        result = signed(
            self.message,
            lambda: dispensing.void_dispense(ctx, actor, number, reason, password, kits_back),
        )
        if result is None:
            return
        self._shown_again(person.study_number, number)
        self.message.show_message(
            self.tr("Dispense {dispense} voided; back in stock: {kits}.").format(
                dispense=number, kits=separated(k.kit for k in result.kits)
            ),
            "ok",
        )
        self.changed.emit()

    def _correct_return(self) -> None:
        """A recount of the selected dispense's return: the kit, the new count, the reason
        and the signature; the service refuses what may not be corrected."""
        person, line = self.current(), self.current_dispense()
        if person is None or line is None:
            return
        if not line.returns:
            self.message.show_message(
                self.tr(
                    "No return of {dispense} is recorded: there is no count to correct."
                ).format(dispense=line.dispense_number),
                "error",
            )
            return
        corrected = CorrectReturnDialog.ask(self, self.session, line)
        if corrected is None:
            return
        self._shown_again(person.study_number, line.dispense_number)
        self.message.show_message(
            self.tr(
                "Count of kit {kit} ({dispense}) corrected to {count}: return {number}."
            ).format(
                kit=corrected.kit,
                dispense=line.dispense_number,
                count=corrected.tablets,
                number=corrected.return_id,
            ),
            "ok",
        )
        self.changed.emit()

    def _dispense(self) -> None:
        current = self.current()
        if current is not None:
            self.open_request.emit(OpenKind.DISPENSE.value, current.study_number)
