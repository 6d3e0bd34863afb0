"""The counter: one participant's next cycle, from the scan of their number to the signed
dispense and its label, without touching the mouse.

Scan the participant (Enter), scan the kits in hand or press Enter to take the proposed ones,
sign with the password, and print the label from the preview (Enter).
"""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.codes import ParticipantStatus, Role
from dispensary.domain.errors import DispensaryError, NotFound
from dispensary.domain.regimen import tablets_needed
from dispensary.services import dispensing, queries
from dispensary.services.results import DispenseHistoryRow, DispenseResult, KitRow, ParticipantRow
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import signed
from dispensary.ui.label_preview import print_dispensing_label
from dispensary.ui.models.table import RowTableModel
from dispensary.ui.scan_field import ScanField
from dispensary.ui.screen import OpenKind, Screen, is_dispense_number, route_scan
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import (
    KitLine,
    button_row,
    counter_keys,
    date_edit,
    info_card,
    kit_columns,
    kit_table,
    primary_button,
    qdate,
    scan_row,
    titled_page,
    to_date,
    two_columns,
    wrapped_label,
)

PROPOSED_TITLE = "Proposed kits (first expiry first out)"
SCANNED_TITLE = "Kits scanned"


class DispenseScreen(Screen):
    title = "Dispense"
    shortcut = "Ctrl+2"
    roles = frozenset({Role.PHARMACIST})

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("dispenseScreen")
        self.participant: ParticipantRow | None = None
        self.history: list[DispenseHistoryRow] = []
        self.previous_level: int | None = None
        self.proposed: list[KitRow] = []
        self.scanned: list[KitRow] = []
        self.last_result: DispenseResult | None = None
        self._build()
        self._clear_participant()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        study = self.session.ctx.study
        outer, self.message = titled_page(self, "Dispense a cycle")
        self.participant_field = ScanField("Scan or type the participant number, then Enter")
        self.participant_field.setObjectName("participantField")
        outer.insertLayout(1, scan_row("&Participant", self.participant_field))
        grid = two_columns(outer, 5, 6)

        left = QVBoxLayout()
        self.card = info_card("participantCard")
        left.addWidget(self.card)

        form = QFormLayout()
        self.cycle_label = QLabel()
        self.cycle_label.setObjectName("cycleLabel")
        form.addRow("Cycle", self.cycle_label)
        self.day1 = date_edit()
        form.addRow("&Day 1 (infusion date)", self.day1)
        self.dose = QComboBox()
        for level in study.dose_levels:
            self.dose.addItem(f"Level {level.level}: {level.name}", level.level)
        form.addRow("D&ose level", self.dose)
        self.ordered_by = QLineEdit()
        self.ordered_by.setPlaceholderText("The investigator who ordered the change")
        self.ordered_by_label = QLabel("Dose change &ordered by")
        self.ordered_by_label.setBuddy(self.ordered_by)
        form.addRow(self.ordered_by_label, self.ordered_by)
        self.platelets = QLineEdit()
        self.platelets.setValidator(QDoubleValidator(0.0, 5000.0, 1, self.platelets))
        self.platelets.setPlaceholderText("Today's count, if given")
        self.platelets.setToolTip("Today's platelet count, if the investigator gave one")
        self.platelets_label = QLabel("Platelets (x 10<sup>9</sup>/L)")
        form.addRow(self.platelets_label, self.platelets)
        self.platelet_warning = wrapped_label("warningText")
        form.addRow("", self.platelet_warning)
        self.override = QLineEdit()
        self.override.setObjectName("overrideReason")
        self.override.setPlaceholderText("e.g. the investigator's instruction")
        self.override_label = QLabel("&Reason to dispense anyway")
        self.override_label.setBuddy(self.override)
        form.addRow(self.override_label, self.override)
        left.addLayout(form)
        left.addStretch(1)
        grid.addLayout(left, 0, 0)

        right = QVBoxLayout()
        self.kit_field = ScanField("Scan each kit, or Enter for the proposed kits")
        self.kit_field.setObjectName("kitField")
        right.addLayout(scan_row("&Kit in hand", self.kit_field))
        self.kits_title = QLabel(PROPOSED_TITLE)
        self.kits_title.setObjectName("sectionTitle")
        right.addWidget(self.kits_title)
        self.kits_model: RowTableModel[KitLine] = RowTableModel(kit_columns(study), self)
        self.kits_view: QTableView = kit_table(self.kits_model)
        right.addWidget(self.kits_view, 1)
        self.cover_label = QLabel()
        self.cover_label.setObjectName("coverLabel")
        right.addWidget(self.cover_label)

        self.remove_button = QPushButton("Remove kit")
        self.new_button = QPushButton("New participant (Esc)")
        self.sign_button = primary_button(
            "Sign and dispense", "Ctrl+Enter, or Enter in the empty kit field"
        )
        self.sign_button.setAutoDefault(True)
        right.addLayout(button_row([self.remove_button, self.new_button], [self.sign_button]))
        grid.addLayout(right, 0, 1)

        self.participant_field.scanned.connect(self.load_participant)
        self.kit_field.scanned.connect(self._kit_entered)
        self.dose.currentIndexChanged.connect(self._supply_changed)
        self.day1.dateChanged.connect(self._supply_changed)
        self.platelets.textChanged.connect(self._show_warnings)
        self.remove_button.clicked.connect(self._remove_kit)
        self.new_button.clicked.connect(self.start_over)
        self.sign_button.clicked.connect(self.sign)
        counter_keys(self, self.sign, self.start_over)
        has_platelets = bool(study.platelet_hold_at_or_above)
        self.platelets.setVisible(has_platelets)
        self.platelets_label.setVisible(has_platelets)

    # -- screen contract ------------------------------------------------------------------

    def refresh(self) -> None:
        if self.participant is None:
            self.day1.setDate(qdate(self.session.ctx.clock.today()))
            self.participant_field.setFocus()
        else:
            self._propose()

    def handle_scan(self, code: str) -> bool:
        text = code.strip().upper()
        if not text or is_dispense_number(text):
            return False
        if self.participant is not None and self._is_kit(text):
            self.kit_field.setText(text)
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
        try:
            queries.kit_detail(self.session.ctx, self.session.actor, code)
        except DispensaryError:
            return False
        return True

    # -- participant ----------------------------------------------------------------------

    def load_participant(self, code: str) -> None:
        self.message.clear_message()
        if not code:
            self.participant_field.refused()
            self.message.show_message("Scan or type the participant's study number.", "error")
            return
        if is_dispense_number(code):
            self.participant_field.clear()
            self.open_request.emit(OpenKind.RETURN.value, code.upper())
            return
        try:
            row, history = queries.participant_history(self.session.ctx, self.session.actor, code)
        except NotFound as exc:
            routed = route_scan(self.session, code)
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
        self.previous_level = self._level_of(history[-1].dose_name) if history else None
        self._show_participant()
        if row.status is not ParticipantStatus.ON_TREATMENT:
            self.message.show_message(
                f"Participant {row.study_number} is {row.status.label.lower()}; only "
                "participants on treatment are dispensed to.",
                "error",
            )
            self._set_form_enabled(False)
            return
        self._set_form_enabled(True)
        if self.previous_level is not None:
            self._select_level(self.previous_level)
        self._propose()
        self._show_warnings()
        self.kit_field.setFocus()

    def _refuse_participant(self, text: str) -> None:
        self._clear_participant()
        self.message.show_message(text, "error")
        self.participant_field.refused()

    def _level_of(self, dose_name: str) -> int | None:
        for level in self.session.ctx.study.dose_levels:
            if level.name == dose_name:
                return level.level
        return None

    def _select_level(self, level: int) -> None:
        index = self.dose.findData(level)
        if index >= 0:
            self.dose.blockSignals(True)
            self.dose.setCurrentIndex(index)
            self.dose.blockSignals(False)

    def _show_participant(self) -> None:
        row = self.participant
        assert row is not None
        study = self.session.ctx.study
        today = self.session.ctx.clock.today()
        lines = [
            f"<span class='big'><b>{escape(row.study_number)}</b> &nbsp; {escape(row.initials)}"
            f"</span> &nbsp; born {row.birth_year} · {escape(row.sex)} · "
            f"{escape(row.status.label.lower())} · enrolled {row.enrolled_on.isoformat()}"
        ]
        if row.last_day1 is None:
            lines.append(f"Cycle due: <b>{row.next_cycle}</b> (first dispense)")
        else:
            earliest = row.last_day1 + timedelta(days=study.cycle.min_days_since_previous_day1)
            due = row.next_due.isoformat() if row.next_due else "-"
            lines.append(
                f"Cycle due: <b>{row.next_cycle}</b> — due {due}, "
                f"earliest day 1 {earliest.isoformat()}"
            )
            if today < earliest:
                lines.append(
                    f"<span style='color:#8a1c13'>Too early for cycle {row.next_cycle}: the "
                    f"earliest day 1 is {earliest.isoformat()}.</span>"
                )
        if self.history:
            last = self.history[-1]
            lines.append(f"Last dispense: cycle {last.cycle}, {escape(last.dose_name)}")
            lines.append(self._last_return_text(last))
        self.card.setText("<br>".join(lines))
        self.cycle_label.setText(f"{row.next_cycle}")

    def _last_return_text(self, last: DispenseHistoryRow) -> str:
        if last.returned is None:
            return (
                f"<span style='color:#7a4b00'>Return of cycle {last.cycle} "
                f"({escape(last.dispense_number)}) not recorded yet.</span>"
            )
        text = f"Last return: cycle {last.cycle}, {last.returned} tablets back"
        if last.returned_on is not None:
            text += f" on {last.returned_on.isoformat()}"
        if last.adherence is not None:
            text += f", adherence {last.adherence:.0%}"
        if last.flags:
            flags = ", ".join(f.label for f in last.flags)
            text += f" — <span style='color:#8a1c13'>{escape(flags)}</span>"
        return text

    # -- warnings -------------------------------------------------------------------------

    def warnings(self) -> list[str]:
        """What the pharmacist must override with a reason before this dispense goes out."""
        found: list[str] = []
        if self.participant is None:
            return found
        if self.history and self.history[-1].returned is None:
            last = self.history[-1]
            found.append(f"The return of cycle {last.cycle} is not recorded yet.")
        threshold = self.session.ctx.study.platelet_hold_at_or_above
        count = self.platelet_count()
        if threshold and count is not None and count >= threshold:
            found.append(
                f"Platelets {count:g} are at or above {threshold:g} x 10^9/L: the "
                "investigator's rule is to hold the drug."
            )
        return found

    def platelet_count(self) -> float | None:
        text = self.platelets.text().strip().replace(",", ".")
        if not text:
            return None
        try:
            return float(text)
        except ValueError:
            return None

    def _show_warnings(self) -> None:
        found = self.warnings()
        threshold = self.session.ctx.study.platelet_hold_at_or_above
        count = self.platelet_count()
        hold = bool(threshold and count is not None and count >= threshold)
        self.platelet_warning.setText(
            f"Hold rule: at or above {threshold:g} the investigator holds the drug." if hold else ""
        )
        self.platelet_warning.setVisible(hold)
        self.override.setVisible(bool(found))
        self.override_label.setVisible(bool(found))
        changing = self.dose_changing()
        self.ordered_by.setVisible(changing)
        self.ordered_by_label.setVisible(changing)
        if found and self.message.kind != "error":
            self.message.show_message(
                " ".join(found) + " Give the reason to dispense anyway.", "warning"
            )

    # -- kits -----------------------------------------------------------------------------

    def dose_level(self) -> int:
        return int(self.dose.currentData())

    def dose_changing(self) -> bool:
        """A dose other than last cycle's: the investigator's order must be recorded."""
        return self.previous_level is not None and self.dose_level() != self.previous_level

    def day1_date(self) -> date:
        return to_date(self.day1.date())

    def tablets_needed(self) -> int:
        study = self.session.ctx.study
        dose = study.dose_level(self.dose_level())
        return sum(tablets_needed(dose, p, study.cycle.days_of_supply) for p in dose.products)

    def _supply_changed(self) -> None:
        if self.participant is None:
            return
        if self.scanned:
            self.scanned = []
            self.message.show_message("The dose or day 1 changed: scan the kits again.", "warning")
        self._propose()
        self._show_warnings()

    def _propose(self) -> None:
        self.proposed = []
        if self.participant is not None and not self.scanned:
            try:
                self.proposed = dispensing.propose_kits(
                    self.session.ctx, self.session.actor, self.dose_level(), self.day1_date()
                )
            except DispensaryError as exc:
                self.message.show_message(exc.message, "error")
        self._show_kits()

    def kits_to_dispense(self) -> list[KitRow]:
        return list(self.scanned) if self.scanned else list(self.proposed)

    def _show_kits(self) -> None:
        kits = self.kits_to_dispense()
        self.kits_title.setText(SCANNED_TITLE if self.scanned else PROPOSED_TITLE)
        self.kits_model.set_rows(kits)
        self.remove_button.setEnabled(bool(self.scanned))
        if self.participant is None:
            self.cover_label.setText("")
            return
        have = sum(k.tablets for k in kits)
        need = self.tablets_needed()
        self.cover_label.setText(f"Tablets: {have} in {len(kits)} kit(s); {need} needed")
        self.cover_label.setProperty("short", have < need)

    def _kit_entered(self, code: str) -> None:
        if not code:
            self.sign()
            return
        if self.participant is None:
            self.kit_field.refused()
            self.message.show_message("Scan the participant first, then the kits.", "error")
            return
        if is_dispense_number(code):
            self.kit_field.clear()
            self.open_request.emit(OpenKind.RETURN.value, code.upper())
            return
        try:
            kit = dispensing.check_kit_for_dispense(
                self.session.ctx,
                self.session.actor,
                code,
                self.dose_level(),
                self.day1_date(),
                [k.number for k in self.scanned],
            )
        except DispensaryError as exc:
            self.kit_field.refused()
            self.message.show_message(exc.message, "error")
            return
        self.scanned.append(kit)
        self.kit_field.accepted()
        self._show_kits()
        have = sum(k.tablets for k in self.scanned)
        need = self.tablets_needed()
        text = f"Kit {kit.number} taken: lot {kit.lot}, expires {kit.expiry.isoformat()}."
        if have >= need:
            text += " The cycle is covered: press Enter to sign."
        else:
            text += f" {need - have} more tablets needed: scan another kit."
        self.message.show_message(text, "ok")

    def _remove_kit(self) -> None:
        index = self.kits_view.currentIndex()
        if not self.scanned or not index.isValid():
            return
        removed = self.scanned.pop(index.row())
        self.message.show_message(f"Kit {removed.number} removed: put it back.", "info")
        self._propose()

    # -- sign -----------------------------------------------------------------------------

    def sign(self) -> None:
        row = self.participant
        if row is None:
            self.message.show_message("Scan the participant first.", "error")
            self.participant_field.setFocus()
            return
        kits = self.kits_to_dispense()
        if not kits:
            self.message.show_message(
                "No kits to dispense: scan the kits in hand, or receive stock.", "error"
            )
            self.kit_field.setFocus()
            return
        if self.platelets.text().strip() and self.platelet_count() is None:
            self.message.show_message("The platelet count is not a number.", "error")
            self.platelets.setFocus()
            return
        if self.dose_changing() and not self.ordered_by.text().strip():
            self.message.show_message(
                "The dose differs from last cycle's: record who ordered the change "
                "(the investigator).",
                "error",
            )
            self.ordered_by.setFocus()
            return
        if self.warnings() and not self.override.text().strip():
            self.message.show_message(
                " ".join(self.warnings()) + " Give the reason to dispense anyway.", "error"
            )
            self.override.setFocus()
            return
        tablets = sum(k.tablets for k in kits)
        summary = (
            f"Dispense cycle {row.next_cycle} to {row.study_number} ({row.initials}): "
            f"{', '.join(k.number for k in kits)} — {tablets} tablets, day 1 "
            f"{self.day1_date().isoformat()}."
        )
        actor = self.session.actor
        password = SignatureDialog.ask(self, actor.full_name, "dispensed", summary)
        if password is None:
            self.message.show_message("Not signed: nothing was saved.", "info")
            return
        result = signed(
            self.message,
            self.session,
            lambda: dispensing.dispense_cycle(
                self.session.ctx,
                actor,
                row.study_number,
                row.next_cycle,
                self.day1_date(),
                password,
                dose_level=self.dose_level(),
                kits=[k.number for k in kits],
                override_reason=self.override.text().strip() if self.warnings() else "",
                platelet_count=self.platelet_count(),
                dose_ordered_by=self.ordered_by.text().strip() if self.dose_changing() else "",
            ),
        )
        if result is None:
            return
        self.last_result = result
        self.changed.emit()
        printed = print_dispensing_label(self, self.session, result)
        self.start_over()
        self.message.show_message(
            f"{self._done_text(result)} {printed.text}", "ok" if printed.printed else "warning"
        )

    @staticmethod
    def _done_text(result: DispenseResult) -> str:
        kits = ", ".join(f"{k.kit} ({k.tablets})" for k in result.kits)
        return (
            f"Dispensed {result.number}: {result.participant} cycle {result.cycle}, "
            f"{result.tablets} tablets in {kits}, {result.days} days to "
            f"{result.last_day.isoformat()}."
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
        self.previous_level = None
        self.proposed = []
        self.scanned = []
        self.card.setText("Scan the participant's study number to begin.")
        self.cycle_label.setText("-")
        self.override.clear()
        self.ordered_by.clear()
        self.platelets.clear()
        self.kit_field.clear()
        self.kit_field.set_cue("")
        self._select_level(self.session.ctx.study.dose_levels[0].level)
        self.day1.blockSignals(True)
        self.day1.setDate(qdate(self.session.ctx.clock.today()))
        self.day1.blockSignals(False)
        self._set_form_enabled(False)
        self._show_warnings()
        self._show_kits()

    def _set_form_enabled(self, enabled: bool) -> None:
        for widget in (
            self.day1,
            self.dose,
            self.ordered_by,
            self.platelets,
            self.override,
            self.kit_field,
            self.sign_button,
        ):
            widget.setEnabled(enabled)
