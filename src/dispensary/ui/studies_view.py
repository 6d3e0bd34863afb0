"""The studies of the pharmacy's database: everyone reads the list of the studies they work in
(status, version, participants, kits) and may switch to one; an administrator adds a study from
its file and closes one whose stock has left the pharmacy, each with a reason kept in the audit
trail. services/studies decides every step: the buttons are hidden from other roles only to
spare them a refusal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import shiboken6
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError
from dispensary.i18n import current_language, sentences
from dispensary.labels.dispensing import check_particulars_fit, check_study_label_fits
from dispensary.services import first_run, studies
from dispensary.services.permissions import Permission, may
from dispensary.services.results import StudyRow
from dispensary.study import parse_study
from dispensary.ui.feedback import go_on_question
from dispensary.ui.forms import (
    OneLine,
    ReasonDialog,
    action_button,
    attempt,
    fit_columns,
    row_table,
    select_where,
    selected_rows,
)
from dispensary.ui.models.table import Column
from dispensary.ui.screen import ALL_ROLES, Screen, context_of_study
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import titled_page, wrapped_label

_T = TypeVar("_T")


def study_status(row: StudyRow) -> str:
    """Open or closed, in the user's language."""
    if row.status == "closed":
        return QCoreApplication.translate("StudiesScreen", "closed")
    return QCoreApplication.translate("StudiesScreen", "open")


def title_hint(row: StudyRow) -> str:
    """The title's tooltip: the short title, and the protocol's full title under it."""
    language = current_language().value
    short, full = row.title_in(language), row.full_title_in(language)
    return short if not full or full == short else f"{short}\n{full}"


STUDY_COLUMNS: list[Column[StudyRow]] = [
    Column(str(QT_TRANSLATE_NOOP("Column", "Protocol")), lambda r: r.protocol),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Title")),
        lambda r: r.title_in(current_language().value),
        hint=title_hint,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Status")),
        study_status,
        colour=lambda r: "#616161" if r.status == "closed" else "#2e7d32",
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Version")), lambda r: r.version, align_right=True),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Participants")),
        lambda r: r.participants,
        align_right=True,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Kits")), lambda r: r.kits, align_right=True),
    Column(str(QT_TRANSLATE_NOOP("Column", "Loaded")), lambda r: r.loaded_at),
    Column(str(QT_TRANSLATE_NOOP("Column", "Closed")), lambda r: r.closed_at),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Why closed")),
        lambda r: r.closed_reason,
        hint=lambda r: r.closed_reason,  # the whole reason on hover, however narrow the column
    ),
]
TITLE_COLUMN, WHY_CLOSED_COLUMN = 1, len(STUDY_COLUMNS) - 1
WIDEST = 720
"""A column's width at most: a long title whole on one line when the window has the room (at
360 pixels a Chinese title was cut while empty columns took the spare width)."""
TITLE_NARROWEST = 200
"""The title's width at least when the columns share too little room: it wraps, rows as tall
as it needs, rather than falling to its header's width."""


class StudyFileDialog:
    """Where the study file to add is: a TOML file as `resources/studies/` holds them."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, filters: str) -> Path | None:
        """The file chosen, or None when cancelled. Tests replace this method."""
        path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(path) if path else None


class ScheduleQuestion:
    """Asks the administrator to confirm a change of the cycle schedule while participants are
    on treatment (services.studies.schedule_change_of): Cancel is the default."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, question: str, action: str) -> bool:
        """True when the administrator pressed the action's button. Tests replace this."""
        return go_on_question(parent, "scheduleQuestion", title, question, action)


class StudiesScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Studies"))
    shortcut = QKeySequence("Ctrl+Shift+P").toString()
    roles = ALL_ROLES
    changes_studies = True  # a study added or closed: the window's chooser lists it

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("studiesScreen")
        self.may_change = may(session.actor, Permission.STUDY)
        self.model, self.proxy, self.table = row_table(self, STUDY_COLUMNS, "studyTable")
        # The title wraps (each row as tall as its title needs); every other value keeps to
        # one line, the reason a study was closed cut there and whole in its tooltip.
        self.table.setWordWrap(True)
        for column in range(len(STUDY_COLUMNS)):
            if column != TITLE_COLUMN:
                self.table.setItemDelegateForColumn(column, OneLine(self.table))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout, self.message = titled_page(self, self.tr("Studies of this pharmacy"))
        self.explained = wrapped_label("studiesExplained")
        self.explained.setText(
            self.tr(
                "Each study's kits, participants and records are its own. You work in one study "
                "at a time: choose it here, in the toolbar or with Ctrl+Shift+S."
            )
        )
        layout.addWidget(self.explained)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self.work_in)
        self.table.viewport().installEventFilter(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self._actions())
        self._selection_changed()

    def _actions(self) -> QWidget:
        box = QGroupBox(self.tr("Selected study"))
        column = QVBoxLayout(box)
        self.chosen = wrapped_label("chosenStudy")
        self.chosen.setTextFormat(Qt.TextFormat.PlainText)
        column.addWidget(self.chosen)
        buttons = QHBoxLayout()
        self.work_button = action_button(
            self.tr("&Work in this study"), "workInStudy", self.work_in
        )
        self.add_button = action_button(
            self.tr("&Add a study from its file…"), "addStudy", self.add_study
        )
        self.update_button = action_button(
            self.tr("&Update study file…"), "updateStudy", self.update_study
        )
        self.update_button.setToolTip(
            self.tr(
                "Loads an amended file of the study you work in (as the command `dispensary "
                "study update` does); the old file is kept in the audit trail."
            )
        )
        self.close_button = action_button(
            self.tr("&Close the study…"), "closeStudy", self.close_study
        )
        buttons.addWidget(self.work_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.update_button)
        buttons.addWidget(self.close_button)
        column.addLayout(buttons)
        # Only an administrator adds, amends or closes a study; the service refuses anyone else.
        self.add_button.setVisible(self.may_change)
        self.update_button.setVisible(self.may_change)
        self.close_button.setVisible(self.may_change)
        return box

    def refresh(self) -> None:
        chosen = self.current()
        rows = attempt(
            self.message, lambda: studies.list_studies(self.session.ctx, self.session.actor)
        )
        if rows is None:
            return
        self.model.set_rows(rows)
        self._fit_columns()
        self.select(chosen.protocol if chosen is not None else self.session.study)
        self._selection_changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The table fitted again whenever its width changes: fitted once, before the
        window's layout settled, the last column ("Why closed") and its header were cut."""
        if (
            event.type() == QEvent.Type.Resize
            and shiboken6.isValid(self.table)
            and watched is self.table.viewport()
        ):
            self._fit_columns()
        return super().eventFilter(watched, event)

    def _fit_columns(self) -> None:
        # Why closed takes the width to spare and gives way first; then the title, which
        # wraps rather than being cut.
        fit_columns(
            self.table,
            widest=WIDEST,
            stretch=WHY_CLOSED_COLUMN,
            yielding=(TITLE_COLUMN,),
            keep={TITLE_COLUMN: TITLE_NARROWEST},
        )

    def current(self) -> StudyRow | None:
        rows = selected_rows(self.table, self.proxy, self.model)
        return rows[0] if rows else None

    def select(self, protocol: str) -> bool:
        return select_where(self.table, self.proxy, self.model, lambda r: r.protocol == protocol)

    def _selection_changed(self) -> None:
        row = self.current()
        if row is None:
            self.chosen.setText(self.tr("Select a study in the list."))
        else:
            self.chosen.setText(
                self.tr("{protocol}: {title} (version {version}, {status})").format(
                    protocol=row.protocol,
                    title=row.full_title_in(current_language().value),
                    version=row.version,
                    status=study_status(row),
                )
            )
        self.work_button.setEnabled(row is not None and row.protocol != self.session.study)
        self.close_button.setEnabled(row is not None and row.status == "open")
        # The file amended is that of the study worked in (the services amend the study open).
        self.update_button.setEnabled(
            row is not None and row.protocol == self.session.study and row.status == "open"
        )

    def work_in(self) -> None:
        """The window switches to the selected study (the services give its context)."""
        row = self.current()
        if row is None or row.protocol == self.session.study:
            return
        try:
            other = context_of_study(self.session, row.protocol)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        self.study_request.emit(other, "")

    def _study_file(self, title: str) -> tuple[Path, str] | None:
        """A study file chosen and read (one reader for every way in: a Notepad file's BOM
        too); None when cancelled or unreadable (said on the screen)."""
        path = StudyFileDialog.ask(self, title, self.tr("Study files (*.toml);;All files (*)"))
        if path is None:
            return None
        text = attempt(self.message, lambda: first_run.read_study_text(path))
        return None if text is None else (path, text)

    def add_study(self) -> None:
        """A new study from its file, with the reason for the audit trail."""
        chosen = self._study_file(self.tr("Add a study from its file"))
        if chosen is None:
            return
        path, text = chosen
        # The file is checked first: one refused is said before a reason is typed for it.
        checked = attempt(
            self.message,
            lambda: check_study_label_fits(
                studies.check_new_study(
                    self.session.ctx, self.session.actor, text, path.name, check_particulars_fit
                )
            ),
        )
        if checked is None:
            return
        row = self._with_reason(
            self.tr("Add a study"),
            self.tr("Why is the study {name} added to this pharmacy?").format(name=path.name),
            self.tr("&Add the study"),
            lambda reason: studies.add_study(
                self.session.ctx, self.session.actor, text, path.name, reason, check_particulars_fit
            ),
        )
        if row is None:
            return
        self._done(
            row,
            self.tr(
                "Study {protocol} added. Give its pharmacists, technicians and monitors access "
                "to it on the Users screen."
            ).format(protocol=row.protocol),
        )

    def update_study(self) -> None:
        """An amended file of the study worked in, with the reason for the audit trail: the
        same service as `dispensary study update`, with its refusals."""
        protocol = self.session.study
        chosen = self._study_file(
            self.tr("Update the study file of {protocol}").format(protocol=protocol)
        )
        if chosen is None:
            return
        path, text = chosen
        before = self.session.ctx
        # A file whose label cannot fit is said before a reason is typed for it (as the command).
        checked = attempt(
            self.message,
            lambda: check_study_label_fits(parse_study(text, path.name, new_file=True)),
        )
        if checked is None:
            return
        # A change of the cycle schedule while participants are on treatment: the
        # administrator confirms the sponsor changed it mid-study, or nothing is done.
        found = attempt(
            self.message,
            lambda: (
                studies.schedule_change_of(self.session.ctx, self.session.actor, text, path.name),
            ),
        )
        if found is None:  # refused (said on the bar); None inside: no change of schedule
            return
        asked = found[0]
        rescheduled = asked is not None
        if rescheduled and not ScheduleQuestion.ask(
            self,
            self.tr("Change the cycle schedule"),
            self.tr(
                "{change}\n\nConfirm only if the sponsor changed the schedule mid-study: the "
                "change is recorded in the audit trail with these participants named. "
                "Otherwise cancel, and finish or end their cycles first."
            ).format(change=asked.said() if asked is not None else ""),
            self.tr("Confirm the change of &schedule"),
        ):
            return
        new = self._with_reason(
            self.tr("Update the study file"),
            self.tr(
                "Replace the file of study {protocol} with {name}? The old file is kept in the "
                "audit trail. Why is the study file changed?"
            ).format(protocol=protocol, name=path.name),
            self.tr("&Update the study file"),
            lambda reason: studies.update_study(
                self.session.ctx,
                self.session.actor,
                text,
                path.name,
                reason,
                check_particulars_fit,
                schedule_change=rescheduled,
            ),
        )
        if new is None:
            return
        # The confirmations the update undid (a confirmed rule's text changed), said with it.
        undone = attempt(
            self.message,
            lambda: studies.confirmations_undone(before, self.session.actor, before.study, new),
        )
        # The window works on with the new file: the context read again from the database,
        # and every screen opened again with it, as on a switch of study (none keeps what it
        # built from the old file).
        fresh = attempt(self.message, lambda: context_of_study(self.session, protocol))
        if fresh is not None:
            self.session.ctx = fresh
            self.study_request.emit(fresh, "")
        self.changed.emit()
        self.refresh()
        self.select(protocol)
        replaced = self.tr(
            "The study file of {protocol} was replaced; the old text is in the audit trail."
        ).format(protocol=protocol)
        self.message.show_message(
            sentences([replaced, studies.undone_said(undone or [])]),
            "warning" if undone else "ok",
        )

    def close_study(self) -> None:
        """Closes the selected study: its records stay to be read; nothing more is done in it."""
        chosen = self.current()
        if chosen is None:
            return
        row = self._with_reason(
            self.tr("Close a study"),
            self.tr(
                "Close study {protocol}? Its records stay to be read and reported; nothing more "
                "can be received, dispensed or returned in it. Why is it closed?"
            ).format(protocol=chosen.protocol),
            self.tr("C&lose the study"),
            lambda reason: studies.close_study(
                self.session.ctx, self.session.actor, chosen.protocol, reason
            ),
        )
        if row is not None:
            self._done(row, self.tr("Study {protocol} closed.").format(protocol=row.protocol))

    def _with_reason(
        self, title: str, question: str, button: str, step: Callable[[str], _T]
    ) -> _T | None:
        """The reason for the audit trail asked, then the step run with it: None when the
        reason is cancelled (nothing done) or the step refused (said on the screen)."""
        reason = ReasonDialog.ask(self, title, question, button)
        if reason is None:
            return None
        return attempt(self.message, lambda: step(reason))

    def _done(self, row: StudyRow, text: str) -> None:
        self.changed.emit()  # first: the window reads the user's studies again
        self.refresh()
        self.select(row.protocol)
        self.message.show_message(text, "ok")
