"""The counter: one participant's next cycle, from the scan of their number to the signed
dispense and its label, without touching the mouse.

Scan the participant (Enter): the kits to pick are listed (first expiry first out, with lot,
expiry and shelf). Scan each kit as it is handed over (or type its number and Enter): another kit
the assessment accepts (another lot of the same product) takes the place of one proposed. The
signature is asked for as soon as the kits scanned cover the cycle; Enter before that names the
kits still to scan and signs nothing. A second check, when asked for (Alt+E, the second
person's user name), is signed after the pharmacist by that person, with their own user name
and password. Sign with the password: the label prints on the stock's
printer with no dialog (the preview is Ctrl+P away). A label whose printer failed waits, shown
under the form, until printed again. Leaflet prints the participant leaflet of the dispense
just signed, on paper, from its preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import cast

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDate, QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import SignatureMeaning
from dispensary.domain.errors import (
    DispensaryError,
    InOtherStudy,
    InvalidInput,
    NotFound,
    SignatureFailed,
)
from dispensary.domain.rules import parse_decimal
from dispensary.i18n import current_language, sentences
from dispensary.services import dispensing, queries
from dispensary.services import labels as label_prints
from dispensary.services.assessment import (
    DispenseAssessment,
    DispenseCheck,
    DispenseRequest,
    OverrideMissing,
    OverrideNeeds,
    OverrideUnmatched,
    StudyFileChanged,
)
from dispensary.services.dispensing import ObservationRefused
from dispensary.services.permissions import ALLOWED, Permission
from dispensary.services.results import (
    DispenseHistoryRow,
    DispenseResult,
    KitRow,
    ParticipantRow,
    SecondPerson,
)
from dispensary.study import PLATELETS, Study
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import signed
from dispensary.ui.label_preview import (
    PrintOutcome,
    print_dispense_label,
    print_dispense_leaflet,
    print_dispensing_label,
    recorded_print,
)
from dispensary.ui.models.table import Column, RowTableModel
from dispensary.ui.scan_field import ScanField
from dispensary.ui.screen import (
    Kept,
    OpenKind,
    Screen,
    is_dispense_number,
    route_scan,
)
from dispensary.ui.session import AppSession
from dispensary.ui.unrecorded_prints import PendingPrint, described
from dispensary.ui.vocabulary import flag_term, term
from dispensary.ui.widgets import (
    ElidedCombo,
    button_row,
    by_count,
    counter_keys,
    date_edit,
    dose_shown,
    info_card,
    kit_columns,
    kit_table,
    mistyped_date,
    primary_button,
    product_label,
    qdate,
    scan_row,
    separated,
    shown_date,
    titled_page,
    to_date,
    two_columns,
    units_of,
    wrapped_label,
)


@dataclass(frozen=True)
class _Typed(Kept):
    """What the pharmacist typed and scanned for a dispense, kept while the study is opened
    again with its updated file (DispenseScreen.kept_state)."""

    participant: str
    day1: QDate
    dose_level: int | None  # the level chosen by hand (None: as due, or the weight band's)
    texts: dict[str, str]  # the field's name (DispenseScreen._typed_fields) -> its text
    kits: tuple[str, ...]
    acknowledged: tuple[str, ...] = ()  # the warnings' codes on screen when the reason was typed
    second_check: bool = False  # a second check asked for (its person in texts["checkedBy"])


@dataclass(frozen=True)
class PickLine:
    """A kit of the dispense as the counter lists it: scanned already, or still to pick from
    its shelf and scan."""

    kit: KitRow
    scanned: bool

    @property
    def number(self) -> str:
        return self.kit.number

    @property
    def product(self) -> str:
        return self.kit.product

    @property
    def lot(self) -> str:
        return self.kit.lot

    @property
    def expiry(self) -> date:
        return self.kit.expiry

    @property
    def tablets(self) -> int:
        return self.kit.tablets

    @property
    def shelf(self) -> str:
        """Where the kit is kept, if known (its storage area)."""
        return self.kit.where or self.kit.location


DAY1_REFUSALS = frozenset({DispenseCheck.DAY1_FAR, DispenseCheck.DAY1_INTERVAL})
"""Refusals of the day 1 typed: another day 1 may lift them (the cursor goes to it)."""

SCANNED = str(QT_TRANSLATE_NOOP("PickLine", "Scanned"))
TO_PICK = str(QT_TRANSLATE_NOOP("PickLine", "To pick"))


def pick_columns(study: Study) -> tuple[Column[PickLine], ...]:
    """The kits of the dispense: each as read off its box, where it is kept, and whether its
    scan confirmed it yet."""
    # A PickLine is a KitLine: the kit table's columns read it as they read a kit.
    kits = cast(tuple[Column[PickLine], ...], kit_columns(study))
    return (
        *kits,
        Column(str(QT_TRANSLATE_NOOP("Column", "Shelf")), lambda k: k.shelf),
        Column(
            str(QT_TRANSLATE_NOOP("Column", "Scan")),
            lambda k: k.scanned,
            text=lambda scanned: QCoreApplication.translate(
                "PickLine", SCANNED if scanned else TO_PICK
            ),
            colour=lambda k: "#2e7d32" if k.scanned else "#7a4b00",
        ),
    )


class DispenseScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Dispense"))
    shortcut = QKeySequence("Ctrl+2").toString()
    roles = ALLOWED[Permission.DISPENSE]  # the service's rule: the window lists it to them

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("dispenseScreen")
        self.participant: ParticipantRow | None = None
        self.history: list[DispenseHistoryRow] = []
        self.scanned: list[KitRow] = []
        # Kits scanned that an assessment since refuses (the IRT kit typed after them is
        # another), taken off the list: said until the next scan.
        self._put_back = ""
        self.assessment: DispenseAssessment | None = None
        # The codes of the warnings on screen when the reason was typed: what the pharmacist
        # acknowledged. A warning met since (a later kit scanned) needs its own reason.
        self._acknowledged: tuple[str, ...] = ()
        self._refusal: DispensaryError | None = None  # the last assessment's refusal, if any
        self.last_result: DispenseResult | None = None
        self._reload_asked = False  # the study asked to be opened again (its file updated)
        self._build()
        self._clear_participant()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        study = self.session.ctx.study
        outer, self.message = titled_page(self, self.tr("Dispense a cycle"))
        self.participant_field = ScanField(
            self.tr("Scan or type the participant number, then Enter")
        )
        self.participant_field.setObjectName("participantField")
        outer.insertLayout(1, scan_row(self.tr("&Participant"), self.participant_field))
        grid = two_columns(outer, 5, 6)

        left = QVBoxLayout()
        self.card = info_card("participantCard")
        left.addWidget(self.card)

        form = QFormLayout()
        self.cycle_label = QLabel()
        self.cycle_label.setObjectName("cycleLabel")
        form.addRow(self.tr("Cycle"), self.cycle_label)
        self.day1 = date_edit()
        form.addRow(self.tr("&Day 1 of the cycle"), self.day1)
        # A level of several drugs is one long line ("Level 0: democapib 100 mg twice daily
        # days 1-14 with demotinib 25 mg once daily"): shown up to what fits, whole on hover.
        self.dose = ElidedCombo()
        for level in study.dose_levels:
            self.dose.addItem(
                self.tr("Level {level}: {name}").format(
                    level=level.level, name=study.dose_name(level.level)
                ),
                level.level,
            )
        self.dose.setToolTip(self.dose.currentText())
        form.addRow(self.tr("D&ose level"), self.dose)
        self.ordered_by = QLineEdit()
        self.ordered_by.setPlaceholderText(self.tr("The investigator who ordered the change"))
        self.ordered_by_label = QLabel(self.tr("Dose change ordered &by"))
        self.ordered_by_label.setBuddy(self.ordered_by)
        form.addRow(self.ordered_by_label, self.ordered_by)
        # The unit is the study file's (Study.platelet_observation); the range too, which the
        # service checks. No input filter: one dropped the keys it refused without a word, and
        # "12O" (a letter O for a zero) was signed as 12. The count is kept as typed, and a
        # text that is no number is refused at the signature (`_mistyped_number`).
        counted = study.platelet_observation()
        self.platelets = QLineEdit()
        self.platelets.setObjectName("platelets")
        self.platelets.setPlaceholderText(self.tr("Today's count, if given"))
        self.platelets.setToolTip(self.tr("Today's platelet count, if the investigator gave one"))
        self.platelets_label = QLabel(
            self.tr("Platelet&s ({unit})").format(unit=escape(counted.unit))
        )
        self.platelets_label.setBuddy(self.platelets)
        form.addRow(self.platelets_label, self.platelets)
        self.platelet_warning = wrapped_label("warningText")
        form.addRow("", self.platelet_warning)
        # The study file's other observations (a weight): one field each, named by the file.
        self.observation_fields: dict[str, QLineEdit] = {}
        language = current_language().value
        for observation in study.observations:
            if observation.in_dispense_column:
                continue  # the platelet count has its field above
            field = QLineEdit()
            field.setObjectName(f"observation_{observation.key}")  # as typed, as the count
            field.setPlaceholderText(
                self.tr("Required") if observation.required else self.tr("If given")
            )
            name = study.observation_name(observation.key, language)
            label = QLabel(
                self.tr("{name} ({unit})").format(name=escape(name), unit=observation.unit)
            )
            label.setBuddy(field)
            form.addRow(label, field)
            field.textChanged.connect(self._platelets_changed)
            self.observation_fields[observation.key] = field
        # A study whose kits the sponsor's IRT assigns: its confirmation and the kit.
        self.irt_confirmation = QLineEdit()
        self.irt_confirmation.setObjectName("irtConfirmation")
        self.irt_kit = QLineEdit()
        self.irt_kit.setObjectName("irtKit")
        if study.kit_assignment == "irt":
            form.addRow(self.tr("&IRT confirmation no."), self.irt_confirmation)
            form.addRow(self.tr("Kit the IRT &assigned"), self.irt_kit)
            self.irt_kit.setPlaceholderText(
                self.tr("As the IRT's confirmation gives it; then scan the bottle")
            )
            self.irt_confirmation.editingFinished.connect(self._platelets_changed)
            self.irt_kit.editingFinished.connect(self._platelets_changed)
        else:
            self.irt_confirmation.hide()
            self.irt_kit.hide()
        self.override = QLineEdit()
        self.override.setObjectName("overrideReason")
        self.override.setPlaceholderText(self.tr("e.g. the investigator's instruction"))
        self.override_label = QLabel(self.tr("&Reason to dispense anyway"))
        self.override_label.setBuddy(self.override)
        form.addRow(self.override_label, self.override)
        self.override.textEdited.connect(self._reason_typed)
        # A second check, when the pharmacist asks for one (a site that double-checks its
        # dispenses): the second person's user name here; after the pharmacist's signature they
        # sign in their own window, typing their user name and password. Optional: nothing
        # makes a check required.
        self.second_check = QCheckBox(self.tr("S&econd check by"))
        self.second_check.setObjectName("secondCheck")
        self.second_check.setToolTip(
            self.tr("Another person checks this dispense and signs after you")
        )
        self.checker = QLineEdit()
        self.checker.setObjectName("checkedBy")
        self.checker.setPlaceholderText(self.tr("User name of the person who checks"))
        self.checker.setEnabled(False)
        form.addRow(self.second_check, self.checker)
        # Who the user name typed is (the service's finding), or why they may not check.
        self.checker_who = wrapped_label("checkerWho")
        self.checker_who.setTextFormat(Qt.TextFormat.PlainText)
        self.checker_who.setVisible(False)
        form.addRow("", self.checker_who)
        self.second_check.toggled.connect(self._second_check_toggled)
        self.checker.editingFinished.connect(self._name_checker)
        self.checker.textEdited.connect(self._checker_typed)
        left.addLayout(form)
        left.addStretch(1)
        grid.addLayout(left, 0, 0)

        right = QVBoxLayout()
        self.kit_field = ScanField(
            self.tr("Scan the bottle of the kit the IRT assigned, then Enter")
            if study.kit_assignment == "irt"
            else self.tr("Scan each kit handed over (or type its number, Enter)")
        )
        self.kit_field.setObjectName("kitField")
        right.addLayout(scan_row(self.tr("&Kit in hand"), self.kit_field))
        self.kits_title = QLabel(self._kits_heading())
        self.kits_title.setObjectName("sectionTitle")
        right.addWidget(self.kits_title)
        self.kits_model: RowTableModel[PickLine] = RowTableModel(pick_columns(study), self)
        self.kits_view: QTableView = kit_table(self.kits_model)
        # A product named in full in another language ("德莫卡匹布胶囊（虚构）100 mg") wraps in
        # its cell, the row as tall as it needs, rather than being cut with an ellipsis.
        self.kits_view.setWordWrap(True)
        self.kits_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        right.addWidget(self.kits_view, 1)
        # Under the kits they are about, where the list leaves room: a rule to confirm is
        # long, and the form beside the card must keep its height at 1366x768.
        self.notices = wrapped_label("noticeText")
        # Always rich text: one notice alone has no tag, and Qt's guess showed its "&#9888;"
        # as those very characters.
        self.notices.setTextFormat(Qt.TextFormat.RichText)
        self.notices.setToolTip(self.tr("To know; nothing to override: the dispense goes on"))
        right.addWidget(self.notices)
        self.cover_label = QLabel()
        self.cover_label.setObjectName("coverLabel")
        self.cover_label.setWordWrap(True)  # a line per product of a dose of several
        right.addWidget(self.cover_label)

        self.remove_button = QPushButton(self.tr("Re&move kit"))
        self.remove_button.setObjectName("removeKit")
        self.remove_button.setToolTip(
            self.tr(
                "The kit selected in the list, else the last kit scanned (Delete, in the empty "
                "kit field or in the list)"
            )
        )
        self.new_button = QPushButton(self.tr("Ne&w participant (Esc)"))
        self.sign_button = primary_button(
            self.tr("S&ign and dispense"),
            self.tr("Enter in the empty kit field or in a field of the form, or Ctrl+Enter"),
        )
        self.sign_button.setAutoDefault(True)
        right.addLayout(button_row([self.remove_button, self.new_button], [self.sign_button]))
        self.waiting_label = QLabel()
        self.waiting_label.setObjectName("labelsWaiting")
        self.waiting_label.setWordWrap(True)  # never wider than the screen (1366x768)
        # Alt+N: Alt+G is the Go menu's (review s11).
        self.print_again_button = QPushButton(self.tr("Pri&nt again"))
        self.print_again_button.setObjectName("printAgain")
        self.preview_button = QPushButton(self.tr("Pre&view label (Ctrl+P)"))
        self.preview_button.setObjectName("previewLabel")
        self.leaflet_button = QPushButton(self.tr("&Leaflet"))
        self.leaflet_button.setObjectName("printLeaflet")
        self.leaflet_button.setToolTip(
            self.tr("The participant leaflet of the dispense just signed, to print on paper")
        )
        right.addLayout(
            button_row(
                [self.waiting_label],
                [self.print_again_button, self.leaflet_button, self.preview_button],
            )
        )
        # A label out whose record the database refused: its record is retried, never its print.
        self.unrecorded_label = QLabel()
        self.unrecorded_label.setObjectName("labelsUnrecorded")
        self.unrecorded_label.setWordWrap(True)
        self.record_button = QPushButton(self.tr("Re&cord the print"))
        self.record_button.setObjectName("recordPrint")
        right.addLayout(button_row([self.unrecorded_label], [self.record_button]))
        grid.addLayout(right, 0, 1)
        self.waiting: list[str] = []

        self.participant_field.scanned.connect(self.load_participant)
        self.kit_field.scanned.connect(self._kit_entered)
        self.dose.currentIndexChanged.connect(self._supply_changed)
        self._dose_chosen = False  # a level chosen by hand (else a weight band's is shown)
        self.dose.activated.connect(self._dose_picked)
        self.day1.dateChanged.connect(self._supply_changed)
        self.day1.retyped.connect(self._supply_changed)  # "2026-02-30": no other day assessed
        self.platelets.textChanged.connect(self._platelets_changed)
        self.remove_button.clicked.connect(self._remove_kit)
        self.new_button.clicked.connect(self.start_over)
        self.sign_button.clicked.connect(self.sign)
        self.print_again_button.clicked.connect(self.print_again)
        self.record_button.clicked.connect(self.record_prints)
        self.preview_button.clicked.connect(self.preview_label)
        self.leaflet_button.clicked.connect(self.print_leaflet)
        counter_keys(self, self.sign, self.start_over)
        # Enter in a field of the form goes on, as Enter in the empty kit field does: the
        # signature, or the field still missing with what to type in it.
        for field in (
            self.override,
            self.ordered_by,
            self.platelets,
            self.irt_confirmation,
            self.irt_kit,
            self.checker,
            *self.observation_fields.values(),
        ):
            field.returnPressed.connect(self.sign)
        # Delete removes a kit: in the list (its row, else the last scanned), and in the kit
        # field while it is empty (a field with text deletes its characters, as any field).
        QShortcut(
            QKeySequence(Qt.Key.Key_Delete),
            self.kits_view,
            self._remove_kit,
            context=Qt.ShortcutContext.WidgetShortcut,
        )
        self.kit_field.installEventFilter(self)
        QShortcut(
            QKeySequence.StandardKey.Print,
            self,
            self.preview_label,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        has_platelets = study.asks_platelets  # a hold rule, or the count declared as asked
        self.platelets.setVisible(has_platelets)
        self.platelets_label.setVisible(has_platelets)

    # -- screen contract ------------------------------------------------------------------

    def refresh(self) -> None:
        self._show_waiting()
        if self.participant is None:
            self.day1.setDate(qdate(self.session.ctx.clock.today()))
            self.participant_field.setFocus()
        else:
            self._reassess()

    def _typed_fields(self) -> dict[str, QLineEdit]:
        """The form's text fields by a name that stays the same when the screen is built again
        (an observation's field only while the study file still asks it)."""
        return {
            "platelets": self.platelets,
            "irtConfirmation": self.irt_confirmation,
            "irtKit": self.irt_kit,
            "overrideReason": self.override,
            "orderedBy": self.ordered_by,
            "checkedBy": self.checker,
            **{f"observation_{key}": f for key, f in self.observation_fields.items()},
        }

    def kept_state(self) -> _Typed | None:
        if self.participant is None:
            return None
        return _Typed(
            participant=self.participant.study_number,
            day1=self.day1.date(),
            dose_level=self.dose_level() if self._dose_chosen else None,
            texts={name: f.text() for name, f in self._typed_fields().items() if f.text()},
            kits=tuple(k.number for k in self.scanned),
            acknowledged=self._acknowledged,
            second_check=self.second_check.isChecked(),
        )

    def restore_state(self, kept: Kept) -> None:
        """The dispense as it was typed and scanned, assessed again by the study file now in
        force: the participant, day 1, a level chosen by hand, the fields typed and the kits
        scanned (a kit or a level the new file refuses is said by the assessment)."""
        if not isinstance(kept, _Typed):
            return
        self._reload_asked = True  # one reading of the study per refusal: no loop
        try:
            self.load_participant(kept.participant)
            if self.participant is None:
                return  # refused now: the message says why
            fields = self._typed_fields()
            for name, text in kept.texts.items():
                if name in fields:
                    fields[name].blockSignals(True)
                    fields[name].setText(text)
                    fields[name].blockSignals(False)
            self._acknowledged = kept.acknowledged
            self.second_check.setChecked(kept.second_check)
            if kept.dose_level is not None and self.dose.findData(kept.dose_level) >= 0:
                self._dose_chosen = True
                self._select_level(kept.dose_level)
            self.day1.blockSignals(True)
            self.day1.setDate(kept.day1)
            self.day1.blockSignals(False)
            found = self._assess(kits=list(kept.kits))
            self._show(found)
            if kept.note:
                text, kind = self._status(found) if found is not None else ("", "error")
                shown = self._then(kept.note, text) if found is not None else kept.note
                self.message.show_message(shown, "warning" if kind in ("ok", "info") else kind)
        finally:
            self._reload_asked = False

    def _stale_file(self, found: DispenseAssessment | None) -> str:
        """The refusal of an assessment made with a study file updated since, else ""."""
        if found is None:
            return ""
        return next(
            (r.message for r in found.refusals if r.code is DispenseCheck.STUDY_FILE_CHANGED),
            "",
        )

    def _reload_study(self, refusal: str) -> None:
        """The study file was updated after this screen read it, and the service refused the
        dispense (or its assessment) for it: the study is opened again with the file in force,
        as F5 does (Screen.reopen_study: the window builds its screens again from it), and the
        dispense assessed again with what was typed and scanned. Nothing was saved."""
        if self._reload_asked:
            return
        # One reading of the study per refusal, no loop: in the window this screen is being
        # replaced (asked once); on its own it assessed the dispense again (restore_state).
        self._reload_asked = self.reopen_read_again(
            self.message,
            lambda fresh: self.tr(
                "Nothing was saved: the study file of {protocol} was updated after this screen "
                "was opened. The screen read it again (version {version}) and checked the "
                "dispense again with what was typed and scanned: check it before signing."
            ).format(protocol=fresh.study.protocol, version=fresh.version),
        )

    def handle_scan(self, code: str) -> bool:
        text = code.strip().upper()
        if not text or is_dispense_number(text):
            return False
        if self._is_kit(text):
            if self.participant is None:  # a kit before the participant: this screen says so
                self.participant_field.setText(text)
                self._kit_first(text)
                return True
            self.kit_field.setText(text)
            self.kit_field.set_cue("")  # a new code, not Enter on a refused one
            self._kit_entered(text)
            return True
        try:
            queries.participant(self.session.ctx, self.session.actor, text)
        except DispensaryError:
            return False
        self.participant_field.setText(text)
        self.load_participant(text)
        return True

    def _is_kit(self, code: str) -> bool:
        """A kit of this pharmacy: one of another study, scanned while a participant's cycle is
        open, is a kit picked in error; the kit check refuses it and the cycle stays open."""
        try:
            queries.kit_detail(self.session.ctx, self.session.actor, code)
        except InOtherStudy:
            return True
        except DispensaryError:
            return False
        return True

    # -- participant ----------------------------------------------------------------------

    def load_participant(self, code: str, note: str = "") -> None:
        self.message.clear_message()
        if not code:
            self.participant_field.refused()
            self.message.show_message(
                self.tr("Scan or type the participant's study number."), "error"
            )
            return
        if is_dispense_number(code):
            self.participant_field.clear()
            self.open_request.emit(OpenKind.RETURN.value, code.upper())
            return
        try:
            row, history = queries.participant_history(self.session.ctx, self.session.actor, code)
        except InOtherStudy as exc:
            self._elsewhere(exc, code)
            return
        except NotFound as exc:
            try:
                routed = route_scan(self.session, code)
            except InOtherStudy as other:
                self._elsewhere(other, code)
                return
            except NotFound as label:  # another label (a lot number): what it is, what to scan
                instead = queries.other_label_scanned(
                    self.session.ctx, self.session.actor, code, participant=True
                )
                self._refuse_participant(instead or label.message)
                return
            if routed is not None and routed[0] is OpenKind.KIT:
                self._kit_first(routed[1])
                return
            if routed is not None and routed[0] is not OpenKind.DISPENSE:
                self.participant_field.clear()
                self.open_request.emit(routed[0].value, routed[1])
                return
            self._refuse_participant(exc.message)
            return
        except DispensaryError as exc:
            self._refuse_participant(exc.message)
            return
        self._clear_participant()
        self.participant_field.setText(row.study_number)
        self.participant_field.set_cue("ok")
        self.participant = row
        self.history = history
        self._set_form_enabled(True)
        found = self._assess(dose_as_due=True)
        if found is not None:
            self._select_level(found.dose_level)
        self._show(found, note)
        self._focus_next()

    def _focus_next(self) -> None:
        """The cursor to the first required field still empty (the IRT's confirmation, a
        required observation) that the message asks for, else to the kit field. A refusal no
        kit or entry lifts (not on treatment, too early, a cycle dispensed today already): the
        participant field, selected, for the next participant's scan; a day 1 refused: day 1,
        to type it again."""
        found = self.assessment
        if found is not None and found.cycle_refused:
            again = found.previous_dispensed_on == found.dispensed_on  # dispensed today already
            if not again and any(r.code in DAY1_REFUSALS for r in found.refusals):
                self.day1.setFocus()
                return
            self.participant_field.setFocus()
            self.participant_field.selectAll()
            return
        (self.still_to_type() or self.kit_field).setFocus()

    def _kit_first(self, kit: str) -> None:
        """A kit scanned before the participant: the cycle is the participant's, so the
        screen stays here and asks for them first (it opened the kit in the inventory, whose
        search then took the next scan)."""
        self._refuse_participant(
            self.tr(
                "{kit} is a kit: scan the participant's study number first, then the kits."
            ).format(kit=kit)
        )

    def _elsewhere(self, found: InOtherStudy, code: str) -> None:
        """A participant (or kit) of another study: the window switches to it and opens the
        code there, or the refusal is shown here."""
        refusal = self.follow_to_study(found, code)
        if refusal is None:
            self.participant_field.clear()
        else:
            self._refuse_participant(refusal)

    def _refuse_participant(self, text: str) -> None:
        self._clear_participant()
        self.message.show_message(text, "error")
        self.participant_field.refused()

    def _select_level(self, level: int) -> None:
        index = self.dose.findData(level)
        if index >= 0:
            self.dose.blockSignals(True)
            self.dose.setCurrentIndex(index)
            self.dose.blockSignals(False)

    def _show_participant(self) -> None:
        row, found = self.participant, self.assessment
        assert row is not None
        lines = [
            self.tr(
                "<span class='big'><b>{number}</b> &nbsp; {initials}</span> &nbsp; born {born}"
                " · {sex} · {status} · enrolled {enrolled}"
            ).format(
                number=escape(row.study_number),
                initials=escape(row.initials),
                born=row.birth_year,
                sex=escape(self._sex(row.sex)),
                status=escape(term(row.status.label).lower()),
                enrolled=shown_date(row.enrolled_on),
            )
        ]
        if found is not None:
            lines.append(self._due_text(found))
        if row.overdue:  # as the Today screen lists the participant
            lines.append(self._overdue_text(row))
        if self.history:
            last = self.history[-1]
            lines.append(
                self.tr("Last dispense: cycle {cycle} ({number}, {date}), {dose}").format(
                    cycle=last.cycle,
                    number=escape(last.dispense_number),
                    date=shown_date(last.dispensed_on),
                    dose=escape(
                        dose_shown(self.session.ctx.study, last.dose_level, last.dose_name)
                    ),
                )
            )
            lines.append(self._last_return_text(last))
        self.card.setText("<br>".join(lines))
        no_cycle = found is None or any(
            r.code is DispenseCheck.NOT_ON_TREATMENT for r in found.refusals
        )
        self.cycle_label.setText(str(found.cycle) if found is not None and not no_cycle else "-")

    def _due_text(self, found: DispenseAssessment) -> str:
        """The card's cycle line, as the service assessed it: the cycle due, its due date and
        earliest day 1 (as `check dispense` says them), then the dates day 1 may be entered as
        today (near the dispense date); no cycle for a participant off treatment."""
        if any(r.code is DispenseCheck.NOT_ON_TREATMENT for r in found.refusals):
            return self.tr("No cycle due: only participants on treatment are dispensed to.")
        earliest, latest = shown_date(found.earliest_day1), shown_date(found.latest_day1)
        window = (
            self.tr("the day 1 entered today must be from {earliest} to {latest}").format(
                earliest=earliest, latest=latest
            )
            if found.earliest_day1 <= found.latest_day1
            else self.tr("no day 1 can be entered today: earliest day 1 {earliest}").format(
                earliest=earliest
            )
        )
        if found.day1_unwarned is not None:
            window = self.tr(
                "{window}; a day 1 before {unwarned} needs the reason (rule to confirm)"
            ).format(window=window, unwarned=shown_date(found.day1_unwarned))
        if found.due_day1 is None or found.earliest_due_day1 is None:
            due = self.tr("Cycle due: <b>{cycle}</b> (first dispense)").format(
                cycle=found.cycle_due
            )
        else:
            due = self.tr(
                "Cycle due: <b>{cycle}</b>, due {due}, day 1 from {earliest} at the earliest"
            ).format(
                cycle=found.cycle_due,
                due=shown_date(found.due_day1),
                earliest=shown_date(found.earliest_due_day1),
            )
        return self.tr("{due} — {window}").format(due=due, window=window)

    def _overdue_text(self, row: ParticipantRow) -> str:
        """An overdue cycle's hint: its day 1 is the day it really starts, named as the study
        file names day 1 ([cycle] day1_event, in the reader's language: "the first day of the
        T-DM1 treatment cycle"); a study that does not say is told of no event (it said "the
        infusion" in every study)."""
        due = shown_date(row.next_due or row.enrolled_on)
        event = self.session.ctx.study.day1_event_named()
        if not event:
            return self.tr(
                "<span style='color:#a40000'><b>Overdue:</b> cycle {cycle} was due from "
                "{due}.</span> Its day 1 is the day it really starts, within the dates above."
            ).format(cycle=row.next_cycle, due=due)
        return self.tr(
            "<span style='color:#a40000'><b>Overdue:</b> cycle {cycle} was due from "
            "{due}.</span> Its day 1 is the day it really starts ({event}), within the dates "
            "above."
        ).format(cycle=row.next_cycle, due=due, event=escape(event))

    def _sex(self, code: str) -> str:
        """The participant's sex as recorded ("F", "M"), in the user's language."""
        if code == "F":
            return self.tr("F", "sex: female")
        if code == "M":
            return self.tr("M", "sex: male")
        return code

    def _last_return_text(self, last: DispenseHistoryRow) -> str:
        if last.returned is None:
            return self.tr(
                "<span style='color:#7a4b00'>Return of cycle {cycle} ({number}) not recorded"
                " yet.</span>"
            ).format(cycle=last.cycle, number=escape(last.dispense_number))
        if last.returned_by_product:  # a dispense of several products: each in its units
            return self._products_back(last, self._each_product(last.returned_by_product))
        study = self.session.ctx.study
        if not study.tablets_only and last.products:  # one product, in its word: "2 capsules"
            return self._products_back(last, study.units(last.products[0].product, last.returned))
        if last.kits_out:  # a part return: the service names the kits still out
            return by_count(
                len(last.kits_out),
                self.tr(
                    "<span style='color:#7a4b00'>Return of cycle {cycle} ({number}) not complete:"
                    " kit {kits} still to count ({tablets} tablets back so far).</span>"
                ),
                self.tr(
                    "<span style='color:#7a4b00'>Return of cycle {cycle} ({number}) not complete:"
                    " kits {kits} still to count ({tablets} tablets back so far).</span>"
                ),
            ).format(
                cycle=last.cycle,
                number=escape(last.dispense_number),
                kits=escape(separated(last.kits_out)),
                tablets=last.returned,
            )
        if last.returned_on is not None:
            text = by_count(
                last.returned,
                self.tr("Last return: cycle {cycle}, {tablets} tablet back on {date}"),
                self.tr("Last return: cycle {cycle}, {tablets} tablets back on {date}"),
            ).format(cycle=last.cycle, tablets=last.returned, date=shown_date(last.returned_on))
        else:
            text = by_count(
                last.returned,
                self.tr("Last return: cycle {cycle}, {tablets} tablet back"),
                self.tr("Last return: cycle {cycle}, {tablets} tablets back"),
            ).format(cycle=last.cycle, tablets=last.returned)
        return self._with_adherence(text, last)

    def _with_adherence(self, text: str, last: DispenseHistoryRow) -> str:
        """A complete return's line with its adherence and flags, as the service assessed them."""
        if last.adherence is not None:
            text += self.tr(", adherence {adherence}").format(adherence=f"{last.adherence:.0%}")
        if last.flags:
            study = self.session.ctx.study
            flags = separated(flag_term(study, f, last.products) for f in last.flags)
            text = self.tr("{text} — <span style='color:#8a1c13'>{flags}</span>").format(
                text=text, flags=escape(flags)
            )
        return text

    def _products_back(self, last: DispenseHistoryRow, back: str) -> str:
        """The return of a dispense with what came `back` in its products' words: each
        product with its units ("28 × 100 mg capsule, 3 × 25 mg tablet"), or one capsule
        product's count ("2 capsules"): capsules said as "tablets" misstated them."""
        if last.kits_out:
            return by_count(
                len(last.kits_out),
                self.tr(
                    "<span style='color:#7a4b00'>Return of cycle {cycle} ({number}) not complete:"
                    " kit {kits} still to count ({back} back so far).</span>"
                ),
                self.tr(
                    "<span style='color:#7a4b00'>Return of cycle {cycle} ({number}) not complete:"
                    " kits {kits} still to count ({back} back so far).</span>"
                ),
            ).format(
                cycle=last.cycle,
                number=escape(last.dispense_number),
                kits=escape(separated(last.kits_out)),
                back=escape(back),
            )
        if last.returned_on is not None:
            text = self.tr("Last return: cycle {cycle}, {back} back on {date}").format(
                cycle=last.cycle, back=escape(back), date=shown_date(last.returned_on)
            )
        else:
            text = self.tr("Last return: cycle {cycle}, {back} back").format(
                cycle=last.cycle, back=escape(back)
            )
        return self._with_adherence(text, last)

    # -- the assessment -------------------------------------------------------------------

    def dose_level(self) -> int:
        return int(self.dose.currentData())

    def day1_date(self) -> date:
        return to_date(self.day1.date())

    def platelet_count(self) -> float | None:
        """The count typed, read as the domain reads a number (None when empty or no number:
        `sign` refuses the latter); out of range it goes to the service, which refuses it."""
        try:
            return parse_decimal(self.platelets.text(), "platelets")
        except InvalidInput:
            return None

    def observations(self) -> dict[str, float]:
        """The study file's observations typed in (a value that is no number is left out: the
        service then asks for it, or `sign` names it)."""
        found: dict[str, float] = {}
        for key, field in self.observation_fields.items():
            try:
                found[key] = parse_decimal(field.text(), key)
            except InvalidInput:
                continue
        return found

    def _mistyped_number(self) -> tuple[QLineEdit, str] | None:
        """The first number field whose text is no number ("12O", "12,5"), and the domain's
        message naming the field and how to write it: a number typed is never read as another."""
        study = self.session.ctx.study
        language = current_language().value
        fields = [] if self.platelets.isHidden() else [(self.platelets, self.tr("platelet count"))]
        fields += [
            (field, study.observation_name(key, language))
            for key, field in self.observation_fields.items()
        ]
        for field, what in fields:
            if field.text().strip():
                try:
                    parse_decimal(field.text(), what)
                except InvalidInput as exc:
                    return field, exc.message
        return None

    def _field_of(self, key: str) -> QLineEdit | None:
        """The field of an observation the service refused, by its key in the study file."""
        if key in self.observation_fields:
            return self.observation_fields[key]
        return self.platelets if key == PLATELETS else None

    def _request(
        self, kits: list[str], dose_level: int | None, acknowledged: tuple[str, ...] | None = None
    ) -> DispenseRequest:
        """The form as a request; `acknowledged`: the warnings the reason overrides, those shown
        (None while the form is filled in: the reason typed covers what the screen shows)."""
        row = self.participant
        assert row is not None
        return DispenseRequest(
            study_number=row.study_number,
            day1=self.day1_date(),
            dose_level=dose_level,
            kits=tuple(kits),
            override_reason=self.override.text().strip(),
            overrides=acknowledged,
            platelet_count=self.platelet_count(),
            dose_ordered_by=self.ordered_by.text().strip(),
            observations=self.observations(),
            irt_confirmation=self.irt_confirmation.text().strip(),
            irt_kit=self.irt_kit.text().strip(),
        )

    def _assess(
        self,
        kits: list[str] | None = None,
        dose_as_due: bool = False,
        acknowledged: tuple[str, ...] | None = None,
    ) -> DispenseAssessment | None:
        """The service's assessment of the form as it stands (with `kits` in place of those
        scanned, and the participant's current dose when `dose_as_due`; `acknowledged`: the
        warnings the reason overrides, as the dispense names them); a refusal of the request
        itself is shown and gives None."""
        self._refusal = None
        # Day 1 shown as typed and no date ("2026-02-30", half typed): the cycle is not
        # assessed on the date the field held before, which the pharmacist did not enter.
        mistyped_day = mistyped_date([(self.day1, self.tr("Day 1 of the cycle"))])
        if mistyped_day is not None:
            self.message.show_message(mistyped_day[1], "error")
            return None
        codes = [k.number for k in self.scanned] if kits is None else kits
        level = None if dose_as_due else self.dose_level()
        if self.session.ctx.study.dose_by_weight is not None and not self._dose_chosen:
            level = None  # the weight band's level, until a level is chosen by hand
        try:
            found = dispensing.assess_dispense(
                self.session.ctx, self.session.actor, self._request(codes, level, acknowledged)
            )
            if acknowledged is None and self.override.text().strip():
                # The reason covers the warnings it was typed for: one met since (a later kit
                # scanned) is assessed as still missing its override, to be shown and given
                # its own reason, never signed under the reason written for another.
                known = [c for c in found.override_codes if c in self._acknowledged]
                if len(known) < len(found.override_codes):
                    found = dispensing.assess_dispense(
                        self.session.ctx,
                        self.session.actor,
                        self._request(codes, level, tuple(known)),
                    )
            return found
        except DispensaryError as exc:
            self._refusal = exc
            self.message.show_message(exc.message, "error")
            return None

    def _reason_typed(self, text: str) -> None:
        """The reason typed covers the warnings on screen as it is typed (and no other)."""
        shown = self.assessment
        self._acknowledged = shown.override_codes if shown is not None and text.strip() else ()

    def _reassess(self, note: str = "") -> None:
        if self.participant is not None:
            self._show(self._assess(), note)

    def _show(self, found: DispenseAssessment | None, note: str = "") -> None:
        """Shows an assessment as it is: refusals, warnings with their overrides, kits."""
        self.assessment = found
        if found is not None:
            taken_off = self._taken_off(found)
            if taken_off:
                self._put_back = taken_off
            self.scanned = list(found.scanned)
            if found.weight_band_level is not None and not self._dose_chosen:
                self.dose.blockSignals(True)
                self._select_level(found.dose_level)
                self.dose.blockSignals(False)
        if self.participant is not None:
            self._show_participant()
        open_to_override = found is not None and not found.refused  # a refusal comes first
        reasons = found.needs(OverrideNeeds.REASON) if found and open_to_override else ()
        orders = found.needs(OverrideNeeds.ORDERED_BY) if found and open_to_override else ()
        hold = [w for w in reasons if w.code is DispenseCheck.PLATELETS_HOLD]
        self.platelet_warning.setText(hold[0].message if hold else "")
        self.platelet_warning.setVisible(bool(hold))
        self.override.setVisible(bool(reasons))
        self.override_label.setVisible(bool(reasons))
        self.ordered_by.setVisible(bool(orders))
        self.ordered_by_label.setVisible(bool(orders))
        self.sign_button.setEnabled(found is not None and not found.refused)
        self._show_notices(found)
        self._show_kits()
        if found is not None:
            text, kind = self._status(found, told=self._put_back)
            if self._put_back:
                note = self._then(self._put_back, note)
                kind = "warning" if kind in ("info", "ok") else kind
            self.message.show_message(self._then(note, text), kind)
        stale = self._stale_file(found)
        if stale:
            self._reload_study(stale)

    def _taken_off(self, found: DispenseAssessment) -> str:
        """The kits on the list that the assessment now refuses (scanned before the kit the
        IRT assigned was typed, and not that kit), each with the refusal and what to do: the
        list drops them, the pharmacist is told, never silently."""
        listed = {k.number for k in self.scanned}
        return sentences(
            self._then(
                v.message,
                self.tr("Kit {number} is taken off the list: put it back.").format(number=v.code),
            )
            for v in found.kits
            if not v.accepted and v.code in listed
        )

    def _then(self, first: str, second: str) -> str:
        """Two sentences of a message one after the other, as the language writes them (with a
        space in English, none in Chinese)."""
        if not first or not second:
            return first or second
        return self.tr("{first} {second}", "two sentences in a row").format(
            first=first, second=second
        )

    def _show_notices(self, found: DispenseAssessment | None) -> None:
        """The assessment's notices (a rule to confirm, an unexplained safety signal): shown as
        they are, never blocking the dispense."""
        notices = found.notices if found is not None else ()
        self.notices.setText(
            "<br>".join(
                f"{'&#9888;' if n.code is DispenseCheck.SAFETY_SIGNAL else '&bull;'} "
                f"{escape(n.message)}"
                for n in notices
            )
        )
        self.notices.setVisible(bool(notices))

    def _status(self, found: DispenseAssessment, told: str = "") -> tuple[str, str]:
        """The message bar for an assessment: what blocks, what to give, or Enter to sign
        (a refusal already `told` not repeated)."""
        to_scan = [self._to_scan_text(found)] if found.to_scan else []
        if found.refusals:
            only_short = all(r.code is DispenseCheck.KITS_SHORT for r in found.refusals)
            refusals = [r.message for r in found.refusals if not told or r.message not in told]
            if found.timing_refused and found.previous_said:  # dispensed today already?
                refusals.insert(0, found.previous_said)
            if any(r.code is DispenseCheck.NOT_ON_TREATMENT for r in found.refusals):
                refusals.append(
                    self.tr(
                        "If the investigator put the participant back on treatment, change the "
                        "status in Participants (Change status...), then scan them again here."
                    )
                )
            text = sentences([*refusals, *to_scan])
            return text, "info" if only_short else "error"
        missing = found.overrides_missing
        if missing:
            said = [w.message for w in missing]
            if any(w.needs is OverrideNeeds.REASON for w in missing):
                said.append(
                    self.tr(
                        "The reason typed covers only the warnings shown before it: add the "
                        "reason for this one, then press Enter."
                    )
                    if self.override.text().strip()
                    else self.tr("Give the reason to dispense anyway, then press Enter.")
                )
            else:
                said.append(self.tr("Type who ordered it, then press Enter."))
            return sentences([*said, *to_scan]), "warning"
        if to_scan:
            return to_scan[0], "info"
        if found.kits:
            return self.tr("The cycle is covered: press Enter to sign."), "ok"
        return self.tr("Scan the kits handed over."), "info"

    def _to_scan_text(self, found: DispenseAssessment) -> str:
        """The kits still to scan, named, and what to do: each kit handed over is confirmed by
        its scan before the signature is asked."""
        kits = found.to_scan
        if found.irt:  # the kit typed from the IRT's confirmation: its bottle scanned
            return by_count(
                len(kits),
                self.tr(
                    "Kit the IRT assigned, still to scan: {kits}. Pick it and scan the bottle; "
                    "the signature follows."
                ),
                self.tr(
                    "Kits the IRT assigned, still to scan: {kits}. Pick each and scan its "
                    "bottle; the signature follows the last."
                ),
            ).format(kits=separated(k.number for k in kits))
        return by_count(
            len(kits),
            self.tr("Kit still to scan: {kits}. Pick it and scan it; the signature follows."),
            self.tr(
                "Kits still to scan: {kits}. Pick each and scan it; the signature follows the last."
            ),
        ).format(kits=separated(k.number for k in kits))

    def _supply_changed(self) -> None:
        if self.participant is None:
            return
        note = ""
        if self.scanned:
            self.scanned = []
            note = self.tr("The dose or day 1 changed: scan the kits again.")
        self._reassess(note)

    def _dose_picked(self) -> None:
        self._dose_chosen = True
        self._supply_changed()

    def _platelets_changed(self) -> None:
        if self.participant is not None:
            self._reassess()

    # -- kits -----------------------------------------------------------------------------

    def kits_to_dispense(self) -> list[KitRow]:
        """The kits that would go out: those scanned, and those still to pick and scan."""
        return [line.kit for line in self.pick_lines()]

    def kits_to_scan(self) -> list[KitRow]:
        """The proposed kits not scanned yet (a kit scanned in place of one stands for it)."""
        found = self.assessment
        return list(found.to_scan) if found is not None else []

    def pick_lines(self) -> list[PickLine]:
        found = self.assessment
        if found is None:
            return []
        return [
            *(PickLine(k, True) for k in found.scanned),
            *(PickLine(k, False) for k in found.to_scan),
        ]

    def _kits_heading(self) -> str:
        found = self.assessment
        if found is not None and found.cycle_refused and not self.scanned:
            return self.tr("No kit to pick: the dispense is refused (see the message above)")
        if self.session.ctx.study.kit_assignment == "irt":
            if found is not None and found.to_scan:
                return self.tr("Kit the IRT assigned: {scanned} of {total} scanned").format(
                    scanned=len(found.scanned), total=len(found.scanned) + len(found.to_scan)
                )
            if self.scanned:
                return self.tr("Kits scanned")
            return self.tr("Kit the IRT assigned: type its number, then scan the bottle")
        if found is not None and found.to_scan:
            return self.tr(
                "Kits to pick (first expiry first out): {scanned} of {total} scanned"
            ).format(scanned=len(found.scanned), total=len(found.scanned) + len(found.to_scan))
        if self.scanned:
            return self.tr("Kits scanned")
        return self.tr("Kits to pick (first expiry first out): scan each")

    def _show_kits(self) -> None:
        self.kits_title.setText(self._kits_heading())
        self.kits_model.set_rows(self.pick_lines())
        found = self.assessment
        kits = list(found.kits_to_dispense) if found is not None else []  # the tablets counted
        self.remove_button.setEnabled(bool(self.scanned))
        if self.participant is None or found is None or found.cycle_refused:
            self.cover_label.setText("")  # nothing to cover while no kit may go out
            return
        have, need = found.tablets_in_kits, found.tablets_needed
        if len(found.products) > 1:  # each product in its own unit (capsules, tablets)
            self.cover_label.setText(self._products_cover(found, kits))
            short = any(p.tablets_in_kits < p.tablets_needed for p in found.products)
            self.cover_label.setProperty("short", short)
            return
        study = self.session.ctx.study
        if study.tablets_only or not found.products:
            cover = by_count(
                len(kits),
                self.tr("Tablets: {have} in {kits} kit; {need} needed"),
                self.tr("Tablets: {have} in {kits} kits; {need} needed"),
            ).format(have=have, kits=len(kits), need=need)
        else:  # one product not of tablets, in the study's word: "112 capsules in 2 kits"
            product = found.products[0].product
            cover = by_count(
                len(kits),
                self.tr("{have} in {kits} kit; {need} needed"),
                self.tr("{have} in {kits} kits; {need} needed"),
            ).format(
                have=units_of(study, product, have),
                kits=len(kits),
                need=units_of(study, product, need),
            )
        self.cover_label.setText(cover)
        self.cover_label.setProperty("short", have < need)

    def _products_cover(self, found: DispenseAssessment, kits: list[KitRow]) -> str:
        """The cover of a dose of several products, a line each with its count in its own
        unit's word ("28 capsules (100 mg capsule) in 1 kit; 28 capsules needed")."""
        study = self.session.ctx.study
        lines = []
        for need in found.products:
            count = sum(1 for k in kits if k.product == need.product)
            lines.append(
                by_count(
                    count,
                    self.tr("{units} ({product}) in {kits} kit; {need} needed"),
                    self.tr("{units} ({product}) in {kits} kits; {need} needed"),
                ).format(
                    units=units_of(study, need.product, need.tablets_in_kits),
                    product=product_label(study, need.product),
                    kits=count,
                    need=units_of(study, need.product, need.tablets_needed),
                )
            )
        return "\n".join(lines)

    def _kit_entered(self, code: str) -> None:
        if not code or self.kit_field.cue == "error":
            # Enter alone signs; so does Enter on a refused code left as it was (a new scan
            # types over it first).
            self.kit_field.clear()
            self.sign()
            return
        self._put_back = ""  # a new scan: the kits taken off the list were said
        if self.participant is None:
            self.kit_field.refused()
            self.message.show_message(
                self.tr("Scan the participant first, then the kits."), "error"
            )
            return
        if is_dispense_number(code):
            self.kit_field.clear()
            self.open_request.emit(OpenKind.RETURN.value, code.upper())
            return
        found = self._assess([*(k.number for k in self.scanned), code])
        if found is None:
            self.kit_field.refused()
            return
        verdict = found.kits[-1]
        if verdict.participant and verdict.participant != self.participant.study_number:
            self.kit_field.clear()
            self.participant_field.setText(verdict.participant)
            self.load_participant(
                verdict.participant,
                self.tr(
                    "{number} is a participant's study number, not a kit: their cycle is open now."
                ).format(number=verdict.participant),
            )
            return
        if not verdict.accepted:
            self.kit_field.refused()
            self.message.show_message(verdict.message, "error")
            return
        self.kit_field.accepted()
        row = verdict.row
        assert row is not None
        taken = self.tr("Kit {number} taken.").format(number=row.number)
        if verdict.replaces:
            # The first-expiring kit a warning named: the service replaces the later kit
            # with it. The list drops the later kit and the pharmacist is told to put it back
            # (said again with each message until the next scan, as a kit taken off the list).
            replaced = next(v for v in found.kits if v.code == verdict.replaces)
            self._put_back, taken = replaced.message, ""
            kept = [k.number for k in self.scanned if k.number != verdict.replaces]
            found = self._assess([*kept, code])
            if found is None:
                return
        self._show(found, taken)
        if found.refused:
            return
        if found.overrides_missing:
            if not found.to_scan:  # the kits cover the cycle: the reason (or who) is next
                self._override_field(found).setFocus()
            return
        still = self.still_to_type()
        if still is not None:  # a required entry first, then Enter in the kit field signs
            still.setFocus()
            self.message.show_message(
                self.tr(
                    "Kit {number} taken. Fill in the field the cursor is now in, then press Enter"
                    " to sign."
                ).format(number=row.number),
                "info",
            )
            return
        self.sign()  # the kits in hand cover the cycle: the signature is the next step

    def _override_field(self, found: DispenseAssessment) -> QLineEdit:
        """The field of the override still missing: who ordered it (a dose change), else the
        reason to dispense anyway."""
        ordered = any(w.needs is OverrideNeeds.ORDERED_BY for w in found.overrides_missing)
        return self.ordered_by if ordered else self.override

    def still_to_type(self) -> QLineEdit | None:
        """The first field the study file makes required that is still empty (a required
        observation, the IRT's confirmation and kit): the signature waits for it rather than
        opening over it. The service refuses the dispense without it; this only orders the
        steps so that the pharmacist is not asked to sign what would be refused."""
        study = self.session.ctx.study
        for observation in study.observations:
            field = self.observation_fields.get(observation.key)
            if field is not None and observation.required and not field.text().strip():
                return field
        if study.kit_assignment == "irt":
            for field in (self.irt_confirmation, self.irt_kit):
                if not field.text().strip():
                    return field
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Delete in the empty kit field removes a kit, as Remove kit does."""
        if (
            watched is self.kit_field
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Delete
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and not self.kit_field.text()
        ):
            self._remove_kit()
            return True
        return super().eventFilter(watched, event)

    def _remove_kit(self) -> None:
        """Removes the kit selected in the list, else the last kit scanned (the one a first
        expiry first out warning asks to exchange), and says to put it back."""
        if not self.scanned:
            self.message.show_message(self.tr("No kit scanned to remove."), "info")
            return
        index = self.kits_view.currentIndex()
        row = index.row() if index.isValid() else len(self.scanned) - 1
        if row >= len(self.scanned):
            # A kit still to pick was never scanned: nothing of it to remove.
            self.message.show_message(
                self.tr("That kit is still to pick, not scanned: nothing to remove."), "info"
            )
            return
        removed = self.scanned.pop(row)
        self._put_back = ""
        self._reassess(self.tr("Kit {number} removed: put it back.").format(number=removed.number))

    # -- sign -----------------------------------------------------------------------------

    def sign(self) -> None:
        row = self.participant
        if row is None:
            self.message.show_message(self.tr("Scan the participant first."), "error")
            self.participant_field.setFocus()
            return
        mistyped = self._mistyped_number()
        if mistyped is not None:
            typed, said = mistyped
            self.message.show_message(said, "error")
            typed.setFocus()
            typed.selectAll()
            return
        # Day 1 as typed: "2026-02-30" or a half-typed day was the field's old date, dispensed.
        mistyped_day = mistyped_date([(self.day1, self.tr("Day 1 of the cycle"))])
        if mistyped_day is not None:
            typed_in, said = mistyped_day
            self.message.show_message(said, "error")
            typed_in.refuse()  # left as typed, marked, selected to be typed again
            return
        # The warnings the reason overrides are those shown when it was typed, and shown
        # still: a warning met since (another workstation's return, a later kit scanned) is
        # shown before anything is signed, never overridden by a reason written for another.
        shown = self.assessment
        acknowledged = (
            tuple(c for c in shown.override_codes if c in self._acknowledged)
            if shown is not None and self.override.text().strip()
            else ()
        )
        found = self._assess(acknowledged=acknowledged)
        if found is None:
            # An observation refused (a platelet count of 99999): its field, to type it again.
            refused = self._refusal
            field = self._field_of(refused.key) if isinstance(refused, ObservationRefused) else None
            if field is not None:
                field.setFocus()
                field.selectAll()
            return
        stale = self._stale_file(found)
        if stale:  # the study file was updated since the screen read it
            self._reload_study(stale)
            return
        if any(r.code is DispenseCheck.OVERRIDE_UNMATCHED for r in found.refusals):
            self._warnings_changed(acknowledged)  # a warning shown no longer applies
            return
        short_only = all(r.code is DispenseCheck.KITS_SHORT for r in found.refusals)
        if found.to_scan and short_only:
            # Every kit handed over is confirmed by its scan: never signed for unseen.
            self._show(found)
            self.message.show_message(
                self._then(self._put_back, self._to_scan_text(found)), "warning"
            )
            self.kit_field.setFocus()
            return
        if found.refused:
            self._show(found)
            self._focus_next()
            return
        if found.overrides_missing:
            self._show(found)
            text, _kind = self._status(found)
            if self.override.text().strip() and any(
                w.needs is OverrideNeeds.REASON
                and (shown is None or str(w.code) not in shown.override_codes)
                for w in found.overrides_missing
            ):
                text = self._then(self.tr("A warning was not shown before:"), text)
            self.message.show_message(text, "error")
            self._override_field(found).setFocus()
            return
        # The second person asked for, as the dispense will accept them, said before anyone
        # signs (the service's refusal: no such user, the pharmacist themself, a role that may
        # not check, no access to the study).
        checker: SecondPerson | None = None
        if self.second_check.isChecked():
            checker = self._second_person()
            if checker is None:
                return
        kits = list(found.kits_to_dispense)
        products = self._products_counted((k.product, k.tablets) for k in kits)
        if products:
            what = products
        elif (units := self._one_unit((k.product, k.tablets) for k in kits)) is None:
            what = self.tr("{tablets} tablets", "all the tablets of a dispense").format(
                tablets=found.tablets_in_kits
            )
        else:  # one product not of tablets, in the study's word: "112 capsules"
            what = self.tr("{units}", "all the units of a dispense").format(units=units)
        summary = self.tr(
            "Dispense cycle {cycle} to {participant} ({initials}): {kits} — {what}, day 1 {day1}."
        ).format(
            cycle=found.cycle,
            participant=row.study_number,
            initials=row.initials,
            kits=separated(k.number for k in kits),
            what=what,
            day1=shown_date(found.day1),
        )
        if not self.platelets.isHidden():  # said before signing, as it will be recorded
            count = self.platelet_count()
            said = (
                self.tr("No platelet count given.")
                if count is None
                else self.tr("Platelet count {count} {unit}.").format(
                    count=f"{count:g}", unit=self.session.ctx.study.platelet_observation().unit
                )
            )
            # Two sentences, joined as the language joins them (no space in Chinese).
            summary = self.tr("{sentence} {next}").format(sentence=summary, next=said)
        # A kit the list dropped (replaced by the first expiry, or taken off): the signature
        # is asked at once when the kits cover the cycle, so the dialog says to put it back,
        # and so does the message after it (the dialog covered the one before).
        put_back = self._put_back
        checked = (
            [
                self.tr("Second check by {person}, who signs after you.").format(
                    person=escape(checker.shown)
                )
            ]
            if checker is not None
            else []
        )
        summary = "<br>".join(
            [
                summary,
                *self._signed_too(found),
                *checked,
                *([escape(put_back)] if put_back else []),
            ]
        )
        actor = self.session.actor
        password = SignatureDialog.ask(self, actor.full_name, self.tr("dispensed"), summary)
        if password is None:
            self.message.show_message(
                self._then(put_back, self.tr("Not signed: nothing was saved.")),
                "warning" if put_back else "info",
            )
            return
        # The second person signs last, what the pharmacist signed. Not signed in, they type
        # both components, their own user name and their password (11.200(a)(1)); the service
        # refuses a user name that is not that of the person named here.
        second: tuple[str, str] | None = None
        if checker is not None:
            second = SignatureDialog.ask_second(
                self, checker.full_name, SignatureMeaning.CHECKED.value, summary
            )
            if second is None:
                self.message.show_message(
                    self._then(
                        put_back,
                        self.tr("Nothing was saved: the second person did not sign."),
                    ),
                    "warning",
                )
                self.checker.setFocus()
                return
        reasons = found.needs(OverrideNeeds.REASON)
        orders = found.needs(OverrideNeeds.ORDERED_BY)
        named = acknowledged if reasons else ()  # the codes of the warnings shown
        changed: list[DispensaryError] = []
        updated: list[StudyFileChanged] = []
        second_failed: list[SignatureFailed] = []

        def save() -> DispenseResult:
            checker_typed, checker_password = second or (None, "")
            try:
                return dispensing.dispense_cycle(
                    self.session.ctx,
                    actor,
                    row.study_number,
                    found.cycle,
                    found.day1,
                    password,
                    dose_level=found.dose_level,
                    kits=[k.number for k in kits],
                    override_reason=self.override.text().strip() if reasons else "",
                    overrides=named,
                    platelet_count=self.platelet_count(),
                    dose_ordered_by=self.ordered_by.text().strip() if orders else "",
                    observations=self.observations(),
                    irt_confirmation=self.irt_confirmation.text().strip(),
                    irt_kit=self.irt_kit.text().strip(),
                    study_sha256=found.study_sha256,
                    checked_by=checker.username if checker is not None else "",
                    checker_password=checker_password,
                    checker_typed=checker_typed,
                )
            except SignatureFailed as exc:  # the second person's is typed again by them
                if exc.second:
                    second_failed.append(exc)
                raise
            except (OverrideMissing, OverrideUnmatched) as exc:  # the warnings changed
                changed.append(exc)
                raise
            except StudyFileChanged as exc:  # the study file was updated while signing
                updated.append(exc)
                raise

        result = signed(self.message, save)
        while result is None and second_failed and checker is not None:
            # The second person's password was wrong, or the user name typed not theirs: said
            # by the service (nothing saved, a wrong password counted); they type both again,
            # and the same dispense goes again: the pharmacist does not sign twice.
            failed = second_failed.pop()
            second = SignatureDialog.ask_second(
                self,
                checker.full_name,
                SignatureMeaning.CHECKED.value,
                f"{escape(failed.message, quote=False)}<br><br>{summary}",
            )
            if second is None:
                break  # the refusal stays said (below, with a kit to put back); nothing saved
            result = signed(self.message, save)
        if result is None:
            # Refused at the save for warnings changed while the signature was asked: the
            # screen shows them as they are now, to read before signing again.
            if changed:
                self._warnings_changed(named)
            elif updated:
                self._reload_study(updated[0].message)
            elif put_back:
                # Any other refusal (a wrong password): the kit dropped from the list is still
                # on the counter, so the instruction to put it back stays with the refusal.
                self.message.show_message(
                    self._then(put_back, self.message.text()), self.message.kind or "error"
                )
            return
        self.last_result = result
        self.changed.emit()
        printed = print_dispensing_label(self, self.session, result)
        self._keep_unrecorded(result.number, printed)
        self.start_over()
        done = self._done_text(result)
        if result.checked_by:
            done = self._then(
                done, self.tr("Checked by {person}.").format(person=result.checked_by)
            )
        self.message.show_message(
            self._then(put_back, self._then(done, printed.text)),
            "warning" if put_back and printed.kind in ("info", "ok") else printed.kind,
        )
        self._show_waiting()

    def _signed_too(self, found: DispenseAssessment) -> list[str]:
        """What the signature covers beyond the kits and day 1, each a line of the summary: the
        dose level (and its change from the previous cycle, with who ordered it), and every
        warning overridden with what overrides it (the reason typed, who ordered it), in the
        assessment's own words. Rich text: what was typed is escaped."""
        study = self.session.ctx.study
        level = found.dose_level
        name = escape(dose_shown(study, level, found.dose_name))
        ordered = self.ordered_by.text().strip()
        orders = found.needs(OverrideNeeds.ORDERED_BY)
        change = [w for w in orders if w.code is DispenseCheck.DOSE_CHANGE]
        previous = found.previous_dose_level
        if previous is None or previous == level:
            lines = [self.tr("Dose level {level}: {name}.").format(level=level, name=name)]
        elif change:
            lines = [
                self.tr(
                    "Dose level {level}: {name} — changed from level {previous}, ordered by {who}."
                ).format(level=level, name=name, previous=previous, who=escape(ordered))
            ]
        else:  # changed with no order needed (the weight band's level): its notice says why
            lines = [
                self.tr("Dose level {level}: {name} — changed from level {previous}.").format(
                    level=level, name=name, previous=previous
                )
            ]
        for warning in orders:
            if warning.code is DispenseCheck.DOSE_CHANGE:
                continue  # said with the dose
            lines.append(
                self.tr("Overridden: {warning} Ordered by: {who}.").format(
                    warning=escape(warning.message), who=escape(ordered)
                )
            )
        reasons = found.needs(OverrideNeeds.REASON)
        for warning in reasons:
            lines.append(self.tr("Overridden: {warning}").format(warning=escape(warning.message)))
        if reasons:
            lines.append(
                self.tr("Reason to dispense anyway: {reason}").format(
                    reason=escape(self.override.text().strip())
                )
            )
        return lines

    def _second_check_toggled(self, on: bool) -> None:
        """A second check asked for: the cursor to its person's user name; no longer asked
        for: nothing said of anyone."""
        self.checker.setEnabled(on and self.second_check.isEnabled())
        if on:
            self.checker.setFocus()
            self._name_checker()
        else:
            self._say_checker("")

    def _checker_typed(self) -> None:
        """A user name being typed: who the last one was is no longer said."""
        self._say_checker("")

    def _say_checker(self, text: str, refused: bool = False) -> None:
        self.checker_who.setText(text)
        self.checker_who.setStyleSheet("color: #8a1c13" if refused else "color: #455a64")
        self.checker_who.setVisible(bool(text))

    def _name_checker(self) -> None:
        """Under the user name typed: who they are (full name and role), or the service's
        refusal of them as the dispense's second person."""
        name = self.checker.text().strip()
        if not self.second_check.isChecked() or not name or self.participant is None:
            self._say_checker("")
            return
        try:
            person = dispensing.check_second_person(self.session.ctx, self.session.actor, name)
        except DispensaryError as exc:
            self._say_checker(exc.message, refused=True)
            return
        self._say_checker(person.shown)

    def _second_person(self) -> SecondPerson | None:
        """The second person named, as the service accepts them; None, said in the message
        bar with the cursor in their field, when no one is named or the service refuses them."""
        name = self.checker.text().strip()
        if not name:
            self.message.show_message(
                self.tr(
                    "Type the user name of the person who checks the dispense, or untick "
                    "Second check."
                ),
                "error",
            )
            self.checker.setFocus()
            return None
        try:
            person = dispensing.check_second_person(self.session.ctx, self.session.actor, name)
        except DispensaryError as exc:
            self._say_checker("")  # said in the message bar, once
            self.message.show_message(exc.message, "error")
            self.checker.setFocus()
            self.checker.selectAll()
            return None
        self._say_checker(person.shown)
        return person

    def _warnings_changed(self, acknowledged: tuple[str, ...]) -> None:
        """The warnings are not those shown when the pharmacist signed (`acknowledged`): nothing
        was saved; the screen shows them as they are now, the new ones said (once: the status
        names those still to override), to read before signing again. A kit the list dropped
        is still on the counter: the instruction to put it back is said too, as with every
        other message until the next scan."""
        found = self._assess()
        self._show(found)
        if found is None:
            return
        text, _kind = self._status(found, told=self._put_back)
        new = [
            w.message
            for w in found.needs(OverrideNeeds.REASON)
            if str(w.code) not in acknowledged and w.message not in text
        ]
        said = sentences(
            [self.tr("The warnings changed since they were shown: nothing was saved."), *new]
        )
        self.message.show_message(self._then(said, self._then(self._put_back, text)), "warning")
        self.override.setFocus()

    # -- labels ---------------------------------------------------------------------------

    def _show_waiting(self) -> None:
        """The labels of today's dispenses never recorded as printed (a printer that failed, a
        preview closed unused, the application closed meanwhile), read from the records."""
        unrecorded = self.session.unrecorded_labels
        try:
            waiting = label_prints.labels_waiting(
                self.session.ctx, self.session.actor, self.session.ctx.clock.today()
            )
        except DispensaryError:
            waiting = []
        self.waiting = [number for number in waiting if number not in unrecorded]
        count = len(self.waiting)
        if count == 1:
            text = self.tr("1 label waiting: {number}").format(number=self.waiting[0])
        else:
            text = self.tr("{count} labels waiting: {numbers}").format(
                count=count, numbers=_first_few(self.waiting)
            )
        self.waiting_label.setText(text if count else "")
        self.waiting_label.setToolTip(separated(self.waiting))
        self.waiting_label.setVisible(bool(count))
        self.print_again_button.setVisible(bool(count))
        out = list(self._waiting_named().values())
        self.unrecorded_label.setText(
            self.tr("Printed, not yet recorded in the audit trail: {numbers}").format(
                numbers=_first_few(out)
            )
            if out
            else ""
        )
        self.unrecorded_label.setToolTip(separated(out))
        self.unrecorded_label.setVisible(bool(out))
        self.record_button.setVisible(bool(out))
        self.leaflet_button.setEnabled(self.last_result is not None)

    def _waiting_named(self) -> dict[str, str]:
        """The session's key of each print of this study waiting for its record -> the print as
        the user is told of it, in the window's language (unrecorded_prints.described, as the
        question at sign-out names it): a print from Reports and labels is keyed by its PDF's
        title, in the label's languages, which is not the user's to read."""
        study = self.session.ctx.study_id
        return {
            key: described(self.session, {}, PendingPrint(study, key, plan))
            for key, plan in sorted(self.session.unrecorded_labels.items())
        }

    def _keep_unrecorded(self, number: str, printed: PrintOutcome) -> None:
        """A label out but not recorded is kept for the session: Record the print retries its
        record, and Print again leaves it out (a second label would go out unmarked)."""
        if printed.unrecorded is not None:
            self.session.unrecorded_labels[number] = printed.unrecorded
            self.session.waiting_changed()

    def record_prints(self) -> None:
        """Records the labels printed but not recorded, in turn; stops at the first refused."""
        said: list[str] = []
        kind = "ok"
        for key, named in self._waiting_named().items():
            outcome = recorded_print(self.session, self.session.unrecorded_labels[key])
            if outcome.why:
                said.append(
                    self.tr("{number}: not recorded: {why}").format(number=named, why=outcome.why)
                )
                kind = "error"
                break
            del self.session.unrecorded_labels[key]
            self.session.waiting_changed()
            if outcome.discarded_before:  # its discard went in, the answer lost
                text = self.tr("{number}: print record already discarded; nothing new written.")
            elif outcome.already is not None:  # its record went in, the answer lost
                text = self.tr("{number}: print already recorded; nothing new written.")
            else:
                text = self.tr("{number}: print recorded.")
            said.append(text.format(number=named))
        self._show_waiting()
        if said:
            self.message.show_message(sentences(said), kind)

    def print_again(self) -> None:
        """Prints the waiting labels in turn; stops at the first the printer does not take."""
        self._show_waiting()
        said: list[str] = []
        kind = "ok"
        for number in list(self.waiting):
            printed = print_dispense_label(self, self.session, number)
            self._keep_unrecorded(number, printed)
            said.append(self.tr("{number}: {text}").format(number=number, text=printed.text))
            if printed.kind != "ok":
                kind = printed.kind
            if not printed.printed:
                break
        self._show_waiting()
        if said:
            self.message.show_message(sentences(said), kind)

    def print_leaflet(self) -> None:
        """The participant leaflet of the dispense just signed here, as Reports and labels
        prints it (the study's languages, A4), previewed to print on paper; its first print is
        recorded. Another dispense's leaflet, or a reprint, is printed from Reports and labels."""
        result = self.last_result
        if result is None:
            self.message.show_message(self.tr("No leaflet to print: dispense first."), "info")
            return
        number = result.number
        printed = print_dispense_leaflet(self, self.session, number)
        if printed.unrecorded is not None:  # out, its record refused: Record the print retries
            key = self.tr("{number} leaflet").format(number=number)
            self.session.unrecorded_labels[key] = printed.unrecorded
            self.session.waiting_changed()
        self._show_waiting()
        self.message.show_message(
            self.tr("{number}: {text}").format(number=number, text=printed.text), printed.kind
        )

    def preview_label(self) -> None:
        """The label on screen before it prints: the dispense just signed here, while its label
        waits or as its last; else the first waiting (another participant's: its number is
        said). A label printed before is reprinted from Reports and labels."""
        self._show_waiting()
        last = self.last_result.number if self.last_result is not None else None
        number = last if last in self.waiting or not self.waiting else self.waiting[0]
        if number is None:
            self.message.show_message(self.tr("No label to preview: dispense first."), "info")
            return
        if number in self.session.unrecorded_labels:  # out already: a preview would print it again
            self.message.show_message(
                self.tr(
                    "{number}: its label was printed but not yet recorded: press Record the print."
                ).format(number=number),
                "warning",
            )
            return
        printed = print_dispense_label(self, self.session, number, preview=True)
        self._keep_unrecorded(number, printed)
        self._show_waiting()
        self.message.show_message(
            self.tr("{number}: {text}").format(number=number, text=printed.text),
            "ok" if printed.kind == "ok" else "warning",
        )

    def _products_counted(self, kits: Iterable[tuple[str, int]]) -> str:
        """Kits of several products, each product with its units ("28 × 100 mg capsule,
        30 × 25 mg tablet"): a total of capsules and tablets called tablets would misstate
        them. "" for kits of one product, whose total in tablets is said as before."""
        counts: dict[str, int] = {}
        for product, tablets in kits:
            counts[product] = counts.get(product, 0) + tablets
        return self._each_product(counts.items()) if len(counts) > 1 else ""

    def _one_unit(self, kits: Iterable[tuple[str, int]]) -> str | None:
        """The units of kits of one product not of tablets, in the study's word for its form
        ("112 capsules", 112粒): a capsule study's dispense said "112 tablets" (片). None in a
        study of tablets only, whose total is said in tablets as before."""
        study = self.session.ctx.study
        counts: dict[str, int] = {}
        for product, tablets in kits:
            counts[product] = counts.get(product, 0) + tablets
        if study.tablets_only or len(counts) != 1:
            return None
        [(product, count)] = counts.items()
        return units_of(study, product, count)

    def _each_product(self, counts: Iterable[tuple[str, int]]) -> str:
        """Each product with its units ("28 × 100 mg capsule, 30 × 25 mg tablet")."""
        study = self.session.ctx.study
        return separated(
            self.tr("{count} × {product}").format(count=count, product=product_label(study, code))
            for code, count in counts
        )

    def _done_text(self, result: DispenseResult) -> str:
        kits = separated(
            self.tr("{kit} ({tablets})", "a kit and its tablets").format(
                kit=k.kit, tablets=k.tablets
            )
            for k in result.kits
        )
        products = self._products_counted((k.product, k.tablets) for k in result.kits)
        if products:
            return self.tr(
                "Dispensed {number}: {participant} cycle {cycle}, {products} in {kits},"
                " {days} days to {last_day}."
            ).format(
                number=result.number,
                participant=result.participant,
                cycle=result.cycle,
                products=products,
                kits=kits,
                days=result.days,
                last_day=shown_date(result.last_day),
            )
        units = self._one_unit((k.product, k.tablets) for k in result.kits)
        if units is not None:  # one product not of tablets: "112 capsules in R1001 (56), ..."
            return self.tr(
                "Dispensed {number}: {participant} cycle {cycle}, {units} in {kits},"
                " {days} days to {last_day}."
            ).format(
                number=result.number,
                participant=result.participant,
                cycle=result.cycle,
                units=units,
                kits=kits,
                days=result.days,
                last_day=shown_date(result.last_day),
            )
        return self.tr(
            "Dispensed {number}: {participant} cycle {cycle}, {tablets} tablets in {kits},"
            " {days} days to {last_day}."
        ).format(
            number=result.number,
            participant=result.participant,
            cycle=result.cycle,
            tablets=result.tablets,
            kits=kits,
            days=result.days,
            last_day=shown_date(result.last_day),
        )

    # -- reset ----------------------------------------------------------------------------

    def start_over(self) -> None:
        self._clear_participant()
        self.message.clear_message()
        self.participant_field.clear()
        self.participant_field.set_cue("")
        self.participant_field.setFocus()

    def _clear_participant(self) -> None:
        self.participant = None
        self.history = []
        self.scanned = []
        self._put_back = ""
        self.assessment = None
        self._acknowledged = ()
        self.card.setText(self.tr("Scan the participant's study number to begin."))
        self.cycle_label.setText("-")
        self.override.clear()
        self.ordered_by.clear()
        self.second_check.setChecked(False)  # each dispense's check asked for anew
        self.checker.clear()
        self._say_checker("")
        self._dose_chosen = False
        for field in (
            self.platelets,
            self.irt_confirmation,
            self.irt_kit,
            *self.observation_fields.values(),
        ):
            field.blockSignals(True)
            field.clear()
            field.blockSignals(False)
        self.kit_field.clear()
        self.kit_field.set_cue("")
        self._select_level(self.session.ctx.study.dose_levels[0].level)
        self.day1.blockSignals(True)
        self.day1.setDate(qdate(self.session.ctx.clock.today()))
        self.day1.blockSignals(False)
        self._set_form_enabled(False)
        self._show(None)

    def _set_form_enabled(self, enabled: bool) -> None:
        for widget in (
            self.day1,
            self.dose,
            self.ordered_by,
            self.platelets,
            self.irt_confirmation,
            self.irt_kit,
            *self.observation_fields.values(),
            self.override,
            self.second_check,
            self.kit_field,
            self.sign_button,
        ):
            widget.setEnabled(enabled)
        self.checker.setEnabled(enabled and self.second_check.isChecked())


SHOWN_NUMBERS = 3
"""Dispense numbers named in a line of waiting labels; the rest in its tooltip (a busy day's
list would widen the screen past 1366 pixels)."""


def _first_few(numbers: list[str]) -> str:
    more = ["…"] if len(numbers) > SHOWN_NUMBERS else []
    return separated([*numbers[:SHOWN_NUMBERS], *more])
