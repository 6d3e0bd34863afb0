"""The first-run set-up: a workstation with no database is walked from nothing to a pharmacy
its administrator is signed in to, one page a question.

The pages only gather and show: services/first_run checks each page's answers as it is left
(the refusal is shown on the page, nothing is made yet) and makes the pharmacy at Finish;
services/setup tests the database's location on the spot. A page another part of the program
provides goes in with `add_page`; the label printers' page wraps ui.label_printers' panel.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from dispensary.config import Settings, in_data_folder, without_password
from dispensary.domain.errors import DispensaryError
from dispensary.domain.rules import initials_from_name
from dispensary.files import os_detail, with_detail
from dispensary.i18n import ENGLISH, Language
from dispensary.labels.dispensing import check_particulars_fit, check_study_label_fits
from dispensary.labels.stock import STOCKS
from dispensary.services import first_run, pharmacy, workstation
from dispensary.services.context import Actor, Context
from dispensary.services.setup import Location, check_location
from dispensary.ui.feedback import MessageBar, dismiss_text
from dispensary.ui.label_printers import LabelPrintersPanel
from dispensary.ui.translations import install_language, installed_language
from dispensary.ui.widgets import wrapped_label


class Page(IntEnum):
    """The pages in order; the gaps leave room for pages added later (`add_page`)."""

    LANGUAGE = 10
    LOCATION = 20
    PHARMACY = 30
    STUDIES = 40
    PRINTERS = 50  # the label stocks and their printers (ui.label_printers)
    ADMINISTRATOR = 90


class StudyFileChooser:
    """Asks for a study file to add. Tests replace this method."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, filters: str) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
        return Path(path) if path else None


class UnfinishedNotice:
    """Says that the set-up stopped after the pharmacy was made. Tests replace this method."""

    @classmethod
    def tell(cls, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)


class StopSetUpQuestion:
    """Asked before the set-up ends unfinished (Cancel, Esc, the window closed) once the
    pharmacy's page was answered: every answer typed is lost with it. Going on is the default."""

    @classmethod
    def box(cls, parent: QWidget | None) -> QMessageBox:
        box = QMessageBox(
            QMessageBox.Icon.Question,
            QCoreApplication.translate("SetUpWizard", "Stop the set-up?"),
            QCoreApplication.translate(
                "SetUpWizard",
                "The program ends and nothing is created: the answers typed on these pages are "
                "lost, and the set-up starts again at the next start.",
            ),
            parent=parent,
        )
        box.setObjectName("stopSetUpQuestion")
        box.addButton(
            QCoreApplication.translate("SetUpWizard", "&Stop the set-up"),
            QMessageBox.ButtonRole.AcceptRole,
        )
        back = box.addButton(
            QCoreApplication.translate("SetUpWizard", "&Go on"), QMessageBox.ButtonRole.RejectRole
        )
        box.setDefaultButton(back)
        box.setEscapeButton(back)
        return box

    @classmethod
    def ask(cls, parent: QWidget | None) -> bool:
        """True when the user stops the set-up. Tests replace this method."""
        box = cls.box(parent)
        box.exec()
        return box.buttonRole(box.clickedButton()) is QMessageBox.ButtonRole.AcceptRole


class DatabaseFileChooser:
    """Asks where the new database file goes, or which existing file. Tests replace these
    methods."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, start: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, title, start, filters)
        return path or None

    @classmethod
    def ask_existing(
        cls, parent: QWidget | None, title: str, start: str, filters: str
    ) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, title, start, filters)
        return path or None


def _field(name: str, password: bool = False) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    if password:
        field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def with_password(url: str, password: str) -> str:
    """The URL the driver is given: the password quoted, so that '@', ':' or '/' in it are
    read as part of it; the URL as typed when no password was given or it names no user."""
    parts = urlsplit(url)
    user, at, host = parts.netloc.rpartition("@")
    if not password or not at or not user:
        return url
    name = user.partition(":")[0]
    netloc = f"{name}:{quote(password, safe='')}@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


class SetUpPage(QWizardPage):
    """A page with a message bar for the refusals of its answers, retranslated in place."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = QVBoxLayout(self)
        self.explained = wrapped_label()
        self.column.addWidget(self.explained)
        self.message = MessageBar(self)
        self.message.setObjectName("pageMessage")

    def retranslate(self) -> None:
        """Every word of the page in the language now installed."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def refused(self, exc: DispensaryError) -> bool:
        self.message.show_message(exc.message, "error")
        return False


class LanguagePage(SetUpPage):
    """First, so that every other page is read in the pharmacy's language."""

    def __init__(self) -> None:
        super().__init__()
        self.language = QComboBox()
        self.language.setObjectName("setUpLanguage")
        for language in Language:
            self.language.addItem(language.native, language.value)
        self.language.setCurrentIndex(max(0, self.language.findData(installed_language().value)))
        self.language.activated.connect(self._chosen)
        form = QFormLayout()
        self.language_label = QLabel()
        form.addRow(self.language_label, self.language)
        self.column.addLayout(form)
        self.column.addWidget(self.message)
        self.column.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Welcome to Dispensary"))
        self.explained.setText(
            self.tr(
                "This computer has no pharmacy database yet. These pages set one up: where the "
                "records are kept, the pharmacy's name on its labels, the studies it serves and "
                "its first administrator. Choose the language of the windows first; each user "
                "may choose their own later."
            )
        )
        self.language_label.setText(self.tr("&Language"))
        self.language_label.setBuddy(self.language)

    def chosen(self) -> Language:
        return Language(str(self.language.currentData()))

    def _chosen(self, _index: int) -> None:
        language = self.chosen()
        if install_language(language) or language is ENGLISH:
            self.message.clear_message()
            return
        install_language(ENGLISH)
        self.language.setCurrentIndex(self.language.findData(ENGLISH.value))
        self.message.show_message(
            self.tr("The {language} translation could not be loaded: English is used.").format(
                language=language.native
            ),
            "warning",
        )


class LocationPanel(QWidget):
    """Where the records are kept: a database file on this computer, or a PostgreSQL database
    with its password typed apart, and the Test button. Used by the wizard's location page and
    by Settings' change of location; `check` is the service's test of the location (a new
    pharmacy's, or an existing one's), whose refusal is shown in `message`."""

    changed = Signal()  # another answer: to be tested again

    def __init__(
        self,
        default: str,
        message: MessageBar,
        check: Callable[[str], Location],
        existing_file: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("databaseLocation")
        self.message = message
        self.check = check
        self.existing_file = existing_file  # browse for a file there, not a new file's name
        self.as_file = QRadioButton()
        self.as_file.setObjectName("databaseAsFile")
        self.as_server = QRadioButton()
        self.as_server.setObjectName("databaseOnServer")
        choice = QButtonGroup(self)
        choice.addButton(self.as_file)
        choice.addButton(self.as_server)
        self.file = _field("databaseFile")
        self.file.setText(default)
        self.browse = QPushButton()
        self.browse.setObjectName("browseDatabaseFile")
        self.browse.clicked.connect(self._browse)
        self.url = _field("databaseUrl")
        self.url.setPlaceholderText("postgresql+psycopg://user@server/dispensary")
        self.password = _field("databasePassword", password=True)
        self.password_label = QLabel()
        self.password_label.setBuddy(self.password)
        self.password_note = wrapped_label("databasePasswordNote")
        self.test = QPushButton()
        self.test.setObjectName("testDatabase")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file, 1)
        file_row.addWidget(self.browse)
        column.addWidget(self.as_file)
        column.addLayout(file_row)
        column.addWidget(self.as_server)
        column.addWidget(self.url)
        password_row = QHBoxLayout()
        password_row.addWidget(self.password_label)
        password_row.addWidget(self.password, 1)
        column.addLayout(password_row)
        column.addWidget(self.password_note)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test)
        test_row.addStretch(1)
        column.addLayout(test_row)
        self.as_file.setChecked(True)
        for edited in (self.file.textChanged, self.url.textChanged, self.password.textChanged):
            edited.connect(self._forget)
        self.as_file.toggled.connect(self._forget)
        self._enable()
        self.retranslate()

    def retranslate(self) -> None:
        self.password_note.setText(
            self.tr(
                "The server's password is used now but not kept with the location: at each "
                "start this computer takes it from its PostgreSQL password file (PGPASSFILE, "
                "else ~/.pgpass, or %APPDATA%\\postgresql\\pgpass.conf on Windows), as psql does."
            )
        )
        self.password_label.setText(self.tr("Pass&word"))
        self.as_file.setText(self.tr("A &database file on this computer"))
        self.as_server.setText(self.tr("A &PostgreSQL database (URL)"))
        self.browse.setText(self.tr("Br&owse…"))
        self.test.setText(self.tr("&Test"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def database(self) -> str:
        """The file, or the URL with the password typed apart (never shown in the URL)."""
        if self.as_file.isChecked():
            return in_data_folder(self.file.text().strip())
        return with_password(self.url.text().strip(), self.password.text())

    def in_data_folder(self) -> bool:
        """Whether the file was typed without its folder, and is taken in the data folder."""
        typed = self.file.text().strip()
        return self.as_file.isChecked() and bool(typed) and in_data_folder(typed) != typed

    def _password_out_of_url(self) -> None:
        """A password typed into the URL moves to the password field, out of sight."""
        url, password = without_password(self.url.text().strip())
        if password is not None:
            self.url.setText(url)
            self.password.setText(password)

    def _enable(self) -> None:
        self.file.setEnabled(self.as_file.isChecked())
        self.browse.setEnabled(self.as_file.isChecked())
        self.url.setEnabled(self.as_server.isChecked())
        self.password.setEnabled(self.as_server.isChecked())

    def _forget(self) -> None:
        self._enable()
        self.message.clear_message()
        self.changed.emit()

    def _browse(self) -> None:
        filters = self.tr("Database files (*.sqlite3);;All files (*)")
        if self.existing_file:
            chosen = DatabaseFileChooser.ask_existing(
                self, self.tr("The pharmacy's database file"), self.file.text(), filters
            )
        else:
            chosen = DatabaseFileChooser.ask(
                self, self.tr("The new database file"), self.file.text(), filters
            )
        if chosen:
            self.file.setText(chosen)

    def tested(self) -> Location | None:
        """The location tested now (a server may take a few seconds to answer); None when it
        was refused, said in the message bar."""
        if self.as_server.isChecked():
            self._password_out_of_url()
        database = self.database()
        if not database:
            self.message.show_message(self.tr("Give the database's file or URL."), "error")
            return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return self.check(database)
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()


class LocationPage(SetUpPage):
    """A file in the data folder (one workstation) or a PostgreSQL database (several), tested
    before the wizard goes on."""

    def __init__(self, default: str) -> None:
        super().__init__()
        self.location: Location | None = None
        self.panel = LocationPanel(default, self.message, check_location, parent=self)
        # The panel's fields, as the page's own (the wizard's tests type into them).
        panel = self.panel
        self.as_file, self.as_server, self.file, self.browse = (
            panel.as_file,
            panel.as_server,
            panel.file,
            panel.browse,
        )
        self.url, self.password, self.test = panel.url, panel.password, panel.test
        self.test.clicked.connect(self.run_test)
        self.column.addWidget(panel)
        self.column.addWidget(self.message)
        self.column.addStretch(1)
        panel.changed.connect(self._forget)
        self._forget()
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Where the records are kept"))
        self.explained.setText(
            self.tr(
                "One computer: a database file in this computer's data folder. Several "
                "workstations: a PostgreSQL database on a server they all reach. Next (or Enter) "
                "tests it before going on, Test without going on; nothing is created until Finish."
            )
        )
        # The test's answer in the new language; a refusal (worded by the services in the
        # language of its time) is cleared: Test says it again.
        if self.location is not None:
            self._show_tested(self.location)
        else:
            self.message.clear_message()

    def database(self) -> str:
        return self.panel.database()

    def _forget(self) -> None:
        """Another answer: it is tested again before the wizard goes on."""
        self.location = None
        self.setFinalPage(False)
        self.completeChanged.emit()

    def run_test(self) -> bool:
        """Tests the location now (a server may take a few seconds to answer)."""
        self.location = self.panel.tested()
        if self.location is None:
            self.completeChanged.emit()
            return False
        self._show_tested(self.location)
        self.setFinalPage(self.location.existing)  # Finish instead of Next
        self.completeChanged.emit()
        return True

    def _show_tested(self, location: Location) -> None:
        if location.existing:
            text = self.tr(
                "{database} already holds a Dispensary database: Finish opens it as it is, "
                "for its users to sign in (nothing is set up again)."
            )
        else:
            text = self.tr("{database} can be used: the new database will be created there.")
        text = text.format(database=location.shown)
        if self.panel.in_data_folder():
            text = self.tr("{first} {second}", "two sentences in a row").format(
                first=self.tr(
                    "A file named without its folder is kept in this computer's data folder."
                ),
                second=text,
            )
        self.message.show_message(text, "ok")

    def validatePage(self) -> bool:
        """Next, or Enter anywhere on the page, tests a location not yet tested and goes on when
        it can be used: Next stayed disabled until Test was pressed, and Enter did nothing,
        saying nothing. A refusal is said on the page; a pharmacy already there stays on it,
        Finish offered to open it."""
        if self.location is not None:
            return True
        if not self.run_test() or self.location is None:
            return False
        return not self.location.existing

    def nextId(self) -> int:
        if self.location is not None and self.location.existing:
            return -1  # an existing pharmacy: nothing more to ask
        return super().nextId()


class PharmacyPage(SetUpPage):
    """`studies`: the study files ticked so far; the particulars must leave room on each one's
    dispensing label (labels.dispensing), or no dispensing label could print after Finish."""

    def __init__(self, studies: Callable[[], Sequence[first_run.StudyFile]] = tuple) -> None:
        super().__init__()
        self.studies = studies
        self.name = _field("pharmacyName")
        self.address = _field("pharmacyAddress")
        self.phone = _field("pharmacyPhone")
        self.form = QFormLayout()
        self.labels = [QLabel(), QLabel(), QLabel()]
        for label, field in zip(self.labels, (self.name, self.address, self.phone), strict=True):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.column.addLayout(self.form)
        self.column.addWidget(self.message)
        self.column.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("The pharmacy"))
        self.explained.setText(
            self.tr(
                "Printed on every dispensing label and leaflet, whatever the study. "
                "An administrator can change them later (Settings)."
            )
        )
        # Alt+N, Alt+F and Alt+B are the wizard's own Next, Finish and Back on every page.
        for label, text in zip(
            self.labels,
            (self.tr("&Pharmacy's name"), self.tr("&Address"), self.tr("&Telephone")),
            strict=True,
        ):
            label.setText(text)

    def particulars(self) -> pharmacy.Particulars:
        return pharmacy.checked(self.name.text(), self.address.text(), self.phone.text())

    def validatePage(self) -> bool:
        try:
            chosen = self.particulars()
            for file in self.studies():
                check_particulars_fit(file.study, chosen)
        except DispensaryError as exc:
            return self.refused(exc)
        self.message.clear_message()
        return True


class StudiesPage(SetUpPage):
    """The study files that come with the program, and any other the pharmacy was sent."""

    def __init__(
        self, particulars: Callable[[], pharmacy.Particulars] = lambda: pharmacy.NONE_SET
    ) -> None:
        super().__init__()
        self.particulars = particulars  # a study added here must leave them room too
        self.boxes: list[tuple[QCheckBox, first_run.StudyFile]] = []
        self.list = QVBoxLayout()
        self.column.addLayout(self.list)
        self.add = QPushButton()
        self.add.setObjectName("addStudyFile")
        self.add.clicked.connect(self.add_file)
        row = QHBoxLayout()
        row.addWidget(self.add)
        row.addStretch(1)
        self.column.addLayout(row)
        self.column.addWidget(self.message)
        self.column.addStretch(1)
        for number, path in enumerate(first_run.bundled_study_files()):
            try:
                self._offer(first_run.read_study_file(path), checked=number == 0)
            except DispensaryError as exc:
                self.message.show_message(exc.message, "warning")
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("The studies"))
        self.explained.setText(
            self.tr(
                "Tick each study this pharmacy serves. The first ticked is the one the windows "
                "open in; more can be added later (Studies)."
            )
        )
        self.add.setText(self.tr("Add a &file…"))
        for box, file in self.boxes:
            box.setText(self._named(file))

    def _named(self, file: first_run.StudyFile) -> str:
        """The study by its protocol and its short title in the reader's language (the study
        file's own, as the other windows name it; English when the file gives none)."""
        return self.tr("{protocol}: {title}").format(
            protocol=file.study.protocol, title=file.study.wording().short_title
        )

    def _offer(self, file: first_run.StudyFile, checked: bool) -> QCheckBox:
        box = QCheckBox(self._named(file))
        box.setObjectName(f"study-{file.study.protocol}")
        box.setToolTip(file.origin)
        box.setChecked(checked)
        self.list.addWidget(box)
        # The studies first, in their order, then "Add a file…": made before them, the button
        # had the page's first focus, and Enter there opened the file chooser, not Next.
        if self.boxes:
            QWidget.setTabOrder(self.boxes[-1][0], box)
        QWidget.setTabOrder(box, self.add)
        self.boxes.append((box, file))
        return box

    def add_file(self) -> None:
        path = StudyFileChooser.ask(
            self, self.tr("A study file"), self.tr("Study files (*.toml);;All files (*)")
        )
        if path is None:
            return
        try:
            file = first_run.read_study_file(path)
        except DispensaryError as exc:
            self.refused(exc)
            return
        self.message.clear_message()
        self._offer(file, checked=True)

    def chosen(self) -> tuple[first_run.StudyFile, ...]:
        return tuple(file for box, file in self.boxes if box.isChecked())

    def validatePage(self) -> bool:
        try:
            for file in first_run.check_studies(self.chosen()):
                # Its label fits its default stock: else refused only at the first print,
                # after a dispense is saved (as `study add` and the Studies screen check).
                check_study_label_fits(file.study)
                check_particulars_fit(file.study, self.particulars())
        except DispensaryError as exc:
            return self.refused(exc)
        self.message.clear_message()
        return True


class PrintersPage(SetUpPage):
    """The label stocks and their printers (ui.label_printers' panel), saved in this
    workstation's settings when the page is left: printers belong to the workstation, not to
    the pharmacy's database, so a Cancel later still leaves them chosen. Finish records them
    in the new pharmacy's audit trail, as its administrator's step."""

    def __init__(self, settings_file: Path | None = None) -> None:
        super().__init__()
        self.settings_file = settings_file
        self.panel: LabelPrintersPanel | None = None
        self.before: dict[str, str] | None = None  # as the workstation had them
        self.column.addWidget(self.message)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("Label printers"))
        self.explained.setText(
            self.tr(
                "Each label stock goes to the printer loaded with it. Print a calibration page "
                "to check the labels land in place. An administrator can change this later "
                "(Settings, Label printers)."
            )
        )

    def initializePage(self) -> None:
        """Built when shown, so that it is in the language chosen on the first page; what was
        chosen before is kept if the user comes back."""
        chosen = self.panel.chosen() if self.panel is not None else None
        if self.panel is not None:
            self.column.removeWidget(self.panel)
            self.panel.deleteLater()
        settings = Settings.load(self.settings_file)
        if self.before is None:
            self.before = dict(settings.printers)
        self.panel = LabelPrintersPanel(settings, self.settings_file)
        for stock, printer in (chosen or {}).items():
            self.panel.choose(stock, printer)
        self.column.insertWidget(1, self.panel)

    def choice(self, computer: str) -> workstation.PrinterChoice | None:
        """The printers as chosen, for the set-up to record; None when the page was not shown."""
        if self.panel is None or self.before is None:
            return None
        return workstation.PrinterChoice(
            computer, dict(self.before), self.panel.chosen(), frozenset(STOCKS)
        )

    def validatePage(self) -> bool:
        choice = self.choice(socket.gethostname())
        if self.panel is None or choice is None:
            return True
        try:  # refused on this page, before it is saved, not at Finish
            choice.check()
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            return False
        try:
            self.panel.apply()
        except OSError as exc:
            self.message.show_message(
                with_detail(
                    self.tr(
                        "The printers could not be saved on this workstation. Check that this "
                        "account may write its settings folder, then try again."
                    ),
                    os_detail(exc),
                ),
                "error",
            )
            return False
        return True


class AdministratorPage(SetUpPage):
    def __init__(self) -> None:
        super().__init__()
        self.username = _field("adminUsername")
        self.full_name = _field("adminFullName")
        self.initials = _field("adminInitials")
        self.initials.setMaxLength(4)
        self.password = _field("adminPassword", password=True)
        self.again = _field("adminPasswordAgain", password=True)
        self.fields = (self.username, self.full_name, self.initials, self.password, self.again)
        self.labels = [QLabel() for _field_ in self.fields]
        form = QFormLayout()
        for label, field in zip(self.labels, self.fields, strict=True):
            label.setBuddy(field)
            form.addRow(label, field)
        self.full_name.textEdited.connect(self._suggest_initials)
        self.column.addLayout(form)
        self.column.addWidget(self.message)
        self.column.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.setTitle(self.tr("The first administrator"))
        self.explained.setText(
            self.tr(
                "The administrator adds the other users and looks after the studies and "
                "settings. Finish creates the pharmacy and signs the administrator in."
            )
        )
        words = (
            self.tr("&User name"),
            self.tr("Full na&me"),
            self.tr("&Initials"),
            self.tr("&Password"),
            self.tr("Password a&gain"),
        )
        for label, text in zip(self.labels, words, strict=True):
            label.setText(text)

    def _suggest_initials(self, name: str) -> None:
        """The initials `init` would make of the name (one rule); a name with Chinese
        characters gives none, and the page asks for them as it is typed, not at Finish."""
        if self.initials.isModified():
            return
        suggested = initials_from_name(name)
        self.initials.setText(suggested)
        if name.strip() and not suggested:
            self.message.show_message(
                self.tr(
                    "Initials cannot be made from this name: type them in Initials, 2 to 4 "
                    "letters A-Z (e.g. the pinyin initials)."
                ),
                "info",
            )
        elif self.message.kind == "info":
            self.message.clear_message()

    def administrator(self) -> first_run.Administrator:
        return first_run.check_administrator(
            self.username.text(),
            self.full_name.text(),
            self.initials.text(),
            self.password.text(),
            self.again.text(),
        )

    def validatePage(self) -> bool:
        try:
            self.administrator()
        except DispensaryError as exc:
            # The cursor on the field refused (DispensaryError.field_name); the passwords
            # typed kept unless refused.
            if exc.field_name == first_run.AdministratorField.PASSWORD:
                self.password.clear()
                self.again.clear()
            fields: dict[str, QLineEdit] = {
                first_run.AdministratorField.USERNAME: self.username,
                first_run.AdministratorField.FULL_NAME: self.full_name,
                first_run.AdministratorField.INITIALS: self.initials,
                first_run.AdministratorField.PASSWORD: self.password,
            }
            field = fields.get(exc.field_name)
            if field is not None:
                field.setFocus()
            return self.refused(exc)
        self.message.clear_message()
        return True


class SetUpWizard(QWizard):
    """The first-run set-up. `set_up_done` carries the new pharmacy's context and its signed-in
    administrator; `existing_chosen` the location of a pharmacy already set up elsewhere."""

    set_up_done = Signal(object, object)  # Context, Actor
    existing_chosen = Signal(str)  # the database

    def __init__(self, default_database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("setUpWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.language = LanguagePage()
        self.location = LocationPage(default_database)
        self.pharmacy = PharmacyPage(lambda: self.studies.chosen())
        self.studies = StudiesPage(lambda: self.pharmacy.particulars())
        self.printers = PrintersPage()
        self.administrator = AdministratorPage()
        self.setPage(Page.LANGUAGE, self.language)
        self.setPage(Page.LOCATION, self.location)
        self.setPage(Page.PHARMACY, self.pharmacy)
        self.setPage(Page.STUDIES, self.studies)
        self.setPage(Page.PRINTERS, self.printers)
        self.setPage(Page.ADMINISTRATOR, self.administrator)
        self.setStartId(Page.LANGUAGE)
        self.closing = False  # closed by the program (FirstRun.close), not by the user
        self.resize(720, 520)
        self.retranslate()

    def add_page(self, page: QWizardPage, where: Page = Page.PRINTERS) -> None:
        """Another module's page (the label printers), shown before the administrator's."""
        self.setPage(where, page)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Set up Dispensary"))
        # Its Cancel keyed as Back, Next and Finish are (Qt words it with none).
        self.setButtonText(QWizard.WizardButton.CancelButton, dismiss_text())
        # QWizard words its own buttons (Next, Cancel...) only as it shows a page, not on a
        # change of language: the first page, where the language is chosen, kept the old
        # words. Shown again (nothing on it is lost: no page after it has been visited).
        if self.currentId() == self.startId() and self.visitedIds() == [self.startId()]:
            self.restart()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def reject(self) -> None:
        """Cancel, Esc or the window closed: once the pharmacy's answers are typed, asked
        first (Esc ended the program at once, every page lost)."""
        answered = Page.PHARMACY in self.visitedIds()
        if answered and not self.closing and not StopSetUpQuestion.ask(self):
            return
        super().reject()

    def plan(self) -> first_run.SetUpPlan:
        """What the pages gathered, each answer checked again as the services will take it."""
        return first_run.SetUpPlan(
            self.location.database(),
            first_run.check_studies(self.studies.chosen()),
            self.pharmacy.particulars(),
            self.language.chosen().value,
            self.administrator.administrator(),
            self.printers.choice(socket.gethostname()),
        )

    def accept(self) -> None:
        if not self.validateCurrentPage():  # QWizard validates in done(), after this
            return
        location = self.location.location
        if location is not None and location.existing:
            self.existing_chosen.emit(location.database)
            super().accept()
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        unfinished: first_run.SetUpUnfinished | None = None
        try:
            ctx, actor = first_run.set_up(self.plan())
        except first_run.SetUpUnfinished as exc:
            unfinished = exc
        except DispensaryError as exc:
            self.currentPage().message.show_message(exc.message, "error")  # type: ignore[attr-defined]
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        if unfinished is not None:
            UnfinishedNotice.tell(self, self.tr("Set-up not finished"), unfinished.message)
            self.existing_chosen.emit(unfinished.database)  # the pharmacy exists: its sign-in
            super().accept()
            return
        self.finish(ctx, actor)

    def finish(self, ctx: Context, actor: Actor) -> None:
        self.set_up_done.emit(ctx, actor)
        super().accept()
