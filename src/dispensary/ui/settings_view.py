"""The settings after set-up, as the first-run wizard set them: the pharmacy's name, address
and telephone on its labels, the language its windows open in before sign-in, the idle time
after which every workstation's window locks itself, this
workstation's label printers and the database it opens, and the site key that signs the anchor
log at each backup. An administrator changes them with a reason kept in the audit trail;
services/pharmacy, services/workstation and services/site_key check the permission and the
answers. The printers, the database's location and the site key's file stay in this
workstation's own files (settings.json, database.txt), written in the step that records the
change: both or neither."""

from __future__ import annotations

import socket
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from dispensary import config
from dispensary.domain.codes import Role
from dispensary.domain.errors import DispensaryError
from dispensary.i18n import Language
from dispensary.labels.dispensing import check_particulars_fit
from dispensary.labels.stock import STOCKS
from dispensary.services import pharmacy, site_key, workstation
from dispensary.services.setup import Location
from dispensary.ui.feedback import MessageBar, give_dismiss_keys
from dispensary.ui.forms import ReasonDialog, SidePanel, action_button, attempt
from dispensary.ui.label_printers import Keep, LabelPrintersDialog, bound_printer, stock_code
from dispensary.ui.screen import Screen
from dispensary.ui.session import AppSession
from dispensary.ui.setup_wizard import LocationPanel
from dispensary.ui.widgets import button_row, titled_page, wrapped_label


def this_computer() -> str:
    """The workstation's name as its audit entries give it. Tests replace this function."""
    return socket.gethostname()


class SiteKeyFileChooser:
    """Asks where a new site key goes (a folder and a file name: removable media, say), or
    which existing key file. Tests replace these methods."""

    @classmethod
    def ask_new(cls, parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
        # No "replace it?": the service refuses a file already there, saying why.
        path, _ = QFileDialog.getSaveFileName(
            parent, title, start, filters, options=QFileDialog.Option.DontConfirmOverwrite
        )
        return path or None

    @classmethod
    def ask_existing(
        cls, parent: QWidget | None, title: str, start: str, filters: str
    ) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
        return path or None


class SiteKeyBox(QGroupBox):
    """The site key this workstation signs the anchor log with, as services/site_key describes
    it: its fingerprint (read out for the quality binder), where the key and its public file
    are; an administrator makes a new one or sets an existing one, with a reason."""

    def __init__(self, session: AppSession, message: MessageBar) -> None:
        super().__init__()
        self.setObjectName("siteKeyBox")
        self.setTitle(self.tr("Site key of this workstation"))
        self.session, self.message = session, message
        column = QVBoxLayout(self)
        column.addWidget(
            wrapped_label(
                "siteKeyExplained",
                self.tr(
                    "It signs the anchor log at each backup: a log rewritten along with the "
                    "database then fails its signature. Keep the key away from the database "
                    "and the backups (removable media, or a protected folder)."
                ),
            )
        )
        self.state = wrapped_label("siteKeyState")
        column.addWidget(self.state)
        self.details = QWidget()
        form = QFormLayout(self.details)
        form.setContentsMargins(0, 0, 0, 0)
        self.fingerprint = QLabel()
        self.fingerprint.setObjectName("siteKeyFingerprint")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key_file = wrapped_label("siteKeyFile")
        self.public_file = wrapped_label("siteKeyPublicFile")
        for label in (self.key_file, self.public_file):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Fingerprint"), self.fingerprint)
        form.addRow(self.tr("Key"), self.key_file)
        form.addRow(self.tr("Public file"), self.public_file)
        column.addWidget(self.details)
        self.override = wrapped_label("siteKeyOverride")
        column.addWidget(self.override)
        self.use_button = action_button(
            self.tr("&Use an existing key file…"), "useSiteKey", self.use_existing
        )
        self.create_button = action_button(
            self.tr("&Create a new site key…"), "createSiteKey", self.create_new
        )
        column.addLayout(button_row([], [self.use_button, self.create_button]))
        self.key: site_key.SiteKey | None = None

    def show_key(self) -> None:
        """The key as the service reads it now; a key set but unreadable is said with the
        service's words, and can be replaced here."""
        self.key, problem = None, ""
        try:
            self.key = site_key.current()
        except DispensaryError as exc:
            problem = exc.message
        key = self.key
        self.details.setVisible(key is not None)
        self.state.setVisible(key is None)
        if key is None:
            self.state.setText(
                problem
                or self.tr("None set: the anchor log's lines are not signed on this workstation.")
            )
        else:
            self.fingerprint.setText(key.fingerprint)
            self.fingerprint.setToolTip(f"{site_key.SCHEME} {key.public_key}")
            self.key_file.setText(key.path)
            self.public_file.setText(
                key.public_file or self.tr("None beside the key: keep the one made with it.")
            )
        try:  # the service's refusal of any change, said before a button is pressed
            site_key.check_not_overridden()
            overridden = ""
        except DispensaryError as exc:
            overridden = exc.message
        self.override.setVisible(bool(overridden))
        self.override.setText(overridden)
        self.use_button.setEnabled(not overridden)
        self.create_button.setEnabled(not overridden)

    def _start(self) -> str:
        """Where the file dialogs open: the folder of the key in use, else the user's own."""
        configured = site_key.configured()
        return str(configured.parent if configured is not None else Path.home())

    def _filters(self) -> str:
        return self.tr("Site keys (*.pem);;All files (*)")

    def _reason(self, title: str) -> str | None:
        return ReasonDialog.ask(
            self,
            title,
            self.tr("Why? The change and its reason are kept in the audit trail."),
            self.tr("&Save"),
        )

    def create_new(self) -> None:
        chosen = SiteKeyFileChooser.ask_new(
            self,
            self.tr("Where the new site key goes"),
            str(Path(self._start()) / "dispensary-site-key.pem"),
            self._filters(),
        )
        if chosen is None:
            return
        actor = self.session.actor
        if attempt(self.message, lambda: site_key.check_new(actor, chosen)) is None:
            return
        reason = self._reason(self.tr("Create a new site key"))
        if reason is None:
            return
        key = attempt(
            self.message, lambda: site_key.create(self.session.ctx, actor, chosen, reason)
        )
        if key is None:
            return
        self.show_key()
        self.message.show_message(
            self.tr(
                "Saved: each backup's line in the anchor log is signed with the site key "
                "{fingerprint}. Put a copy of {public} and the fingerprint in the site's "
                "quality binder; keep the key itself away from the database and the backups."
            ).format(fingerprint=key.fingerprint, public=key.public_file),
            "ok",
        )

    def use_existing(self) -> None:
        chosen = SiteKeyFileChooser.ask_existing(
            self, self.tr("The site key file to use"), self._start(), self._filters()
        )
        if chosen is None:
            return
        actor = self.session.actor
        if attempt(self.message, lambda: site_key.check_existing(actor, chosen)) is None:
            return
        reason = self._reason(self.tr("Use an existing site key"))
        if reason is None:
            return
        key = attempt(self.message, lambda: site_key.use(self.session.ctx, actor, chosen, reason))
        if key is None:
            return
        self.show_key()
        self.message.show_message(
            self.tr(
                "Saved: each backup's line in the anchor log is signed with the site key "
                "{fingerprint}; the change is in the audit trail."
            ).format(fingerprint=key.fingerprint),
            "ok",
        )


class DatabaseLocationDialog(QDialog):
    """Another existing Dispensary database for this workstation (the wizard's location panel),
    tested by the service before it can be chosen; nothing is written here."""

    def __init__(self, parent: QWidget | None, current: str) -> None:
        super().__init__(parent)
        self.setObjectName("databaseLocationDialog")
        self.setWindowTitle(self.tr("Change the database location"))
        self.location: Location | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                "databaseMoveExplained",
                self.tr(
                    "Choose the pharmacy's other database, already set up: its file, or its "
                    "PostgreSQL server when the pharmacy grows beyond one computer. No records "
                    "are copied: this workstation opens that database from its next start."
                ),
            )
        )
        self.message = MessageBar(self)
        self.message.setObjectName("databaseMoveMessage")
        self.panel = LocationPanel(
            "",
            self.message,
            lambda database: workstation.check_new_database(current, database),
            existing_file=True,
            parent=self,
        )
        self.panel.test.clicked.connect(self.run_test)
        self.panel.changed.connect(self._forget)
        layout.addWidget(self.panel)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save.setText(self.tr("&Use this database…"))
        give_dismiss_keys(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._forget()
        self.resize(680, 420)

    def _forget(self) -> None:
        self.location = None
        self.save.setEnabled(False)

    def run_test(self) -> bool:
        self.location = self.panel.tested()
        if self.location is None:
            self.save.setEnabled(False)
            return False
        self.message.show_message(
            self.tr(
                "{database} is a Dispensary database this workstation can open: it opens it "
                "from its next start."
            ).format(database=self.location.shown),
            "ok",
        )
        self.save.setEnabled(True)
        return True

    @classmethod
    def ask(cls, parent: QWidget | None, current: str) -> Location | None:
        """The location tested and chosen, or None when cancelled."""
        dialog = cls(parent, current)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.location
        return None


class SettingsScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Settings"))
    shortcut = QKeySequence("Ctrl+Shift+G").toString()
    roles = frozenset({Role.ADMINISTRATOR})

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("settingsScreen")
        layout, self.message = titled_page(self, self.tr("Settings of this pharmacy"))
        box = QGroupBox(self.tr("The pharmacy on its labels"))
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setObjectName("pharmacyName")
        self.address = QLineEdit()
        self.address.setObjectName("pharmacyAddress")
        self.phone = QLineEdit()
        self.phone.setObjectName("pharmacyPhone")
        for text, field in (
            (self.tr("Pharmacy's &name"), self.name),
            (self.tr("&Address"), self.address),
            (self.tr("Tele&phone"), self.phone),  # Alt+T: the toolbar's Study
        ):
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)
        self.from_study = wrapped_label("pharmacyFallback")
        form.addRow(self.from_study)
        self.save_particulars = action_button(
            self.tr("&Save the particulars…"), "saveParticulars", self.change_particulars
        )
        form.addRow(button_row([], [self.save_particulars]))
        layout.addWidget(box)
        language_box = QGroupBox(self.tr("Language"))
        language_form = QFormLayout(language_box)
        self.language = QComboBox()
        self.language.setObjectName("pharmacyLanguage")
        self.language.addItem(self.tr("Not set (each user's own choice)"), "")
        for language in Language:
            self.language.addItem(language.native, language.value)
        self.language.currentIndexChanged.connect(self._language_chosen)
        label = QLabel(self.tr("&Windows before sign-in"))
        label.setBuddy(self.language)
        language_form.addRow(label, self.language)
        language_form.addRow(
            wrapped_label(
                "languageExplained",
                self.tr(
                    "Each user's own choice (at sign-in) still applies once they are signed in."
                ),
            )
        )
        self.save_language = action_button(
            self.tr("Save the &language…"), "saveLanguage", self.change_language
        )
        language_form.addRow(button_row([], [self.save_language]))
        left, right = QVBoxLayout(), QVBoxLayout()
        body = QWidget()
        columns = QHBoxLayout(body)
        columns.setContentsMargins(0, 0, 0, 0)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        # The two columns scroll up and down when the screen is lower than they are (at
        # 1366x768 a long database or site key message makes the left one so): squeezed, their
        # wrapped lines were clipped at the bottom.
        self.columns = SidePanel()
        self.columns.setObjectName("settingsColumns")
        self.columns.setWidget(body)
        layout.addWidget(self.columns, 1)
        left.addWidget(box)
        left.addWidget(language_box)
        left.addWidget(self._idle_lock_box())
        left.addWidget(self._database_box())
        left.addStretch(1)
        right.addWidget(self._printers_box())
        self.site_key = SiteKeyBox(session, self.message)
        right.addWidget(self.site_key)
        right.addStretch(1)
        self._language_chosen()

    def _idle_lock_box(self) -> QGroupBox:
        """The pharmacy's idle lock time: every workstation's, within the service's bounds."""
        box = QGroupBox(self.tr("Idle lock"))
        form = QFormLayout(box)
        self.idle_lock = QSpinBox()
        self.idle_lock.setObjectName("idleLockMinutes")
        self.idle_lock.setRange(pharmacy.IDLE_LOCK_MIN, pharmacy.IDLE_LOCK_MAX)
        self.idle_lock.setValue(pharmacy.IDLE_LOCK_DEFAULT)
        # As wide as two digits need, not the whole column.
        self.idle_lock.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        label = QLabel(self.tr("&Minutes without use"))
        label.setBuddy(self.idle_lock)
        form.addRow(label, self.idle_lock)
        form.addRow(
            wrapped_label(
                "idleLockExplained",
                self.tr(
                    "On every workstation, a signed-in window left this long without a key "
                    "press or click locks itself, from each user's next sign-in. It is never "
                    "off: {low} to {high} minutes."
                ).format(low=pharmacy.IDLE_LOCK_MIN, high=pharmacy.IDLE_LOCK_MAX),
            )
        )
        self.save_idle_lock = action_button(
            self.tr("Save the &idle lock time…"), "saveIdleLock", self.change_idle_lock
        )
        form.addRow(button_row([], [self.save_idle_lock]))
        return box

    def _printers_box(self) -> QGroupBox:
        """This workstation's printer of each label stock; changed in the printers' dialog."""
        box = QGroupBox(self.tr("Label printers of this workstation"))
        form = QFormLayout(box)
        self.computer = wrapped_label("printersComputer")
        form.addRow(self.computer)
        self.bound: dict[str, QLabel] = {}
        for stock in STOCKS.values():
            shown = QLabel()
            shown.setObjectName(f"boundPrinter_{stock.name}")
            shown.setWordWrap(True)
            # The stock as the printers' dialog names it: what it is, with its size, in the
            # reader's language; its code (what the command and the study file take) on hover.
            caption = QLabel(stock.shown)
            caption.setToolTip(stock_code(stock))
            caption.setObjectName(f"stockCaption_{stock.name}")
            form.addRow(caption, shown)
            self.bound[stock.name] = shown
        self.change_printers = action_button(
            self.tr("Change the la&bel printers…"), "changePrinters", self.choose_printers
        )
        form.addRow(button_row([], [self.change_printers]))
        return box

    def _database_box(self) -> QGroupBox:
        """The database this workstation opens, and the change of it for the next start."""
        box = QGroupBox(self.tr("Database"))
        column = QVBoxLayout(box)
        self.database = wrapped_label("databaseInUse")
        column.addWidget(self.database)
        self.next_start = wrapped_label("databaseNextStart")
        column.addWidget(self.next_start)
        self.override = wrapped_label("databaseOverride")
        column.addWidget(self.override)
        self.change_database: QPushButton = action_button(
            self.tr("Change the &database location…"), "changeDatabase", self.move_database
        )
        column.addLayout(button_row([], [self.change_database]))
        return box

    def _language_chosen(self) -> None:
        """Nothing chosen is nothing to save: the administrator picks a language first."""
        self.save_language.setEnabled(bool(self.language.currentData()))

    def refresh(self) -> None:
        self._show_workstation()  # the workstation's own files: shown whatever the database says
        current = attempt(self.message, lambda: pharmacy.particulars(self.session.ctx))
        if current is None:
            return
        self.name.setText(current.name)
        self.address.setText(current.address)
        self.phone.setText(current.phone)
        study = self.session.ctx.study
        self.from_study.setVisible(not current.name)
        self.from_study.setText(
            self.tr(
                "Not set yet: the labels print the study file's pharmacy name ({name})."
            ).format(name=study.pharmacy_in())
            if not current.name
            else ""
        )
        self.language.setCurrentIndex(max(0, self.language.findData(current.language)))
        minutes = attempt(self.message, lambda: pharmacy.idle_lock_minutes(self.session.ctx))
        if minutes is not None:
            self.idle_lock.setValue(minutes)

    def _show_workstation(self) -> None:
        """The printers, the database and the site key as this workstation's files hold them
        now."""
        self.site_key.show_key()
        self.computer.setText(self.tr("This computer: {name}").format(name=this_computer()))
        none = self.tr("None: preview, then the print dialog")
        for stock, shown in self.bound.items():
            shown.setText(bound_printer(self.session.settings, stock) or none)
        current = config.stored_form(self.session.ctx.database)
        self.database.setText(self.tr("In use now: {database}").format(database=current))
        upcoming = config.stored_form(config.database_from(None))
        self.next_start.setVisible(upcoming != current)
        self.next_start.setText(
            self.tr("At its next start this workstation opens {database}.").format(
                database=upcoming
            )
        )
        try:  # the service's refusal of a move, said before the button is pressed
            workstation.check_not_overridden()
            overridden = ""
        except DispensaryError as exc:
            overridden = exc.message
        self.override.setVisible(bool(overridden))
        self.override.setText(overridden)
        self.change_database.setEnabled(not overridden)

    def _reason(self, title: str) -> str | None:
        return ReasonDialog.ask(
            self,
            title,
            self.tr("Why? The change and its reason are kept in the audit trail."),
            self.tr("&Save"),
        )

    def change_particulars(self) -> None:
        # Before the reason is asked: once saved, an open study's labels could not print.
        chosen = attempt(
            self.message,
            lambda: pharmacy.check_particulars(
                self.session.ctx,
                self.session.actor,
                self.name.text(),
                self.address.text(),
                self.phone.text(),
                check_particulars_fit,
            ),
        )
        if chosen is None:
            return
        reason = self._reason(self.tr("Change the pharmacy's particulars"))
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: pharmacy.set_particulars(
                self.session.ctx,
                self.session.actor,
                self.name.text(),
                self.address.text(),
                self.phone.text(),
                reason,
                check_particulars_fit,
            ),
        )
        if done is not None:
            self.refresh()
            self.message.show_message(
                self.tr("Saved: the next labels name {name}.").format(name=done.name), "ok"
            )
            self.changed.emit()

    def change_language(self) -> None:
        reason = self._reason(self.tr("Change the pharmacy's language"))
        if reason is None:
            return
        chosen = str(self.language.currentData())
        if not chosen:
            return
        done = attempt(
            self.message,
            lambda: pharmacy.set_language(self.session.ctx, self.session.actor, chosen, reason),
        )
        if done is not None:
            self.message.show_message(
                self.tr("Saved: the sign-in window opens in {language}.").format(
                    language=Language(done.language).native
                ),
                "ok",
            )
            self.changed.emit()

    def change_idle_lock(self) -> None:
        minutes = self.idle_lock.value()
        try:  # before the reason is asked
            pharmacy.checked_idle_lock(minutes)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return
        reason = self._reason(self.tr("Change the idle lock time"))
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: pharmacy.set_idle_lock(self.session.ctx, self.session.actor, minutes, reason),
        )
        if done is not None:
            self.idle_lock.setValue(done)
            self.message.show_message(
                self.tr(
                    "Saved: from each user's next sign-in, a window left {minutes} minutes "
                    "without use locks itself."
                ).format(minutes=done),
                "ok",
            )
            self.changed.emit()

    def _record_printers(
        self, asking: QWidget, before: dict[str, str], after: dict[str, str], keep: Keep
    ) -> bool:
        """The change checked, its reason asked, then recorded and saved with `keep`."""
        workstation.printer_changes(before, after, STOCKS)  # refused before a reason is asked
        reason = ReasonDialog.ask(
            asking,
            self.tr("Change the label printers"),
            self.tr("Why? The change and its reason are kept in the audit trail."),
            self.tr("&Save"),
        )
        if reason is None:
            return False
        workstation.bind_printers(
            self.session.ctx,
            self.session.actor,
            this_computer(),
            before,
            after,
            STOCKS,
            reason,
            keep,
        )
        return True

    def choose_printers(self) -> None:
        if LabelPrintersDialog.ask(self, self.session.settings, None, self._record_printers):
            self._show_workstation()
            self.message.show_message(
                self.tr(
                    "Saved: this workstation prints its labels on the printers chosen; the "
                    "change is in the audit trail."
                ),
                "ok",
            )

    def move_database(self) -> None:
        current = self.session.ctx.database
        chosen = DatabaseLocationDialog.ask(self, current)
        if chosen is None:
            return
        reason = self._reason(self.tr("Change the database location"))
        if reason is None:
            return
        done = attempt(
            self.message,
            lambda: workstation.move_database(
                self.session.ctx, self.session.actor, this_computer(), chosen.database, reason
            ),
        )
        if done is None:
            return
        self._show_workstation()
        self.message.show_message(
            self.tr(
                "Saved: this workstation opens {database} from its next start; close the program "
                "and start it again to use it. Until then it keeps using {current}."
            ).format(database=done.new, current=done.old),
            "ok",
        )
        self.changed.emit()
