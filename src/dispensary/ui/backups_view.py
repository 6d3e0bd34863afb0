"""The Backups screen: the backups of this database the program keeps (when, size, whether
still as written, the verification code logged for each), a backup by hand into a folder the
user picks, and how a backup is restored: with every window closed, by the command line shown
for the chosen backup (a restore is refused while a window has the database open, so there is
no restore button here). services/backup lists, backs up, words the command and checks every
permission.

Every role that reads the audit trail reads the list (Permission.BACKUPS: an inspector sees a
copy kept as evidence of a trail that did not verify). Back up now is switched off, its hint
saying who may, for a role that may not make a backup by hand (Permission.BACKUP); the restore's
reason and command line are the administrator's alone (Permission.RESTORE): the others are told
who restores one, and shown no command. On a database server (KeptBackups.server, the service's
word) neither is offered to anyone: such a database is restored with the server's own tools,
which the screen says instead.

Listing the backups reads each automatic backup whole the first time (its SHA-256 against the
list written with it): seconds for a large database. So the list is read by a worker thread
(`BackupsReader`, started as the Today screen's are: dashboard.start_reader), the screen saying
"Checking backups…" meanwhile, with the actions that need the list off until it arrives.

The copies made as evidence of an audit trail that did not verify (named -CHAIN-BROKEN) are
listed, marked so, and given no restore command: the service says why (not_for_restore)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QThread, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError
from dispensary.files import with_detail
from dispensary.i18n import sentences
from dispensary.services import backup
from dispensary.services.backup import BackupState, KeptBackup, KeptBackups
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import ALLOWED, Permission, may, who_may
from dispensary.services.results import BackupResult
from dispensary.ui.dashboard import start_reader
from dispensary.ui.forms import (
    action_button,
    attempt,
    fit_columns,
    refused,
    row_table,
    select_where,
    selected_rows,
    text_field,
)
from dispensary.ui.models.table import Column, display
from dispensary.ui.screen import Screen
from dispensary.ui.session import AppSession
from dispensary.ui.widgets import button_row, hidden_unless, titled_page, wrapped_label

STATE_COLOURS = {
    BackupState.AS_WRITTEN: "#2e7d32",
    BackupState.HOLDS_CODE: "#2e7d32",
    BackupState.CHANGED: "#b71c1c",
    BackupState.MISSING: "#b34700",
    BackupState.UNCHECKED: "#616161",
    BackupState.CHAIN_BROKEN: "#b71c1c",
}
_log = logging.getLogger(__name__)


def state_text(kept: KeptBackup) -> str:
    """Whether the backup is still the file written, in the user's language."""
    return {
        BackupState.AS_WRITTEN: QCoreApplication.translate("BackupsScreen", "As written"),
        BackupState.HOLDS_CODE: QCoreApplication.translate("BackupsScreen", "Holds its code"),
        BackupState.CHANGED: QCoreApplication.translate("BackupsScreen", "Changed since written"),
        BackupState.MISSING: QCoreApplication.translate("BackupsScreen", "Not found"),
        BackupState.UNCHECKED: QCoreApplication.translate("BackupsScreen", "Not checked"),
        BackupState.CHAIN_BROKEN: QCoreApplication.translate(
            "BackupsScreen",
            "CHAIN BROKEN: audit trail did not verify — kept as evidence, not for restore",
        ),
    }[kept.state]


def state_hint(kept: KeptBackup) -> str:
    """What the state means, on hover."""
    return {
        BackupState.AS_WRITTEN: QCoreApplication.translate(
            "BackupsScreen", "Its size and SHA-256 are those listed when the program wrote it."
        ),
        BackupState.HOLDS_CODE: QCoreApplication.translate(
            "BackupsScreen",
            "Its last audit entry is still the verification code logged when it was made.",
        ),
        BackupState.CHANGED: QCoreApplication.translate(
            "BackupsScreen",
            "It is not the file written (changed since, or it cannot be read): do not restore "
            "it; keep it for investigation.",
        ),
        BackupState.MISSING: QCoreApplication.translate(
            "BackupsScreen",
            "It is not at the place logged: moved, removed, or on removable media not plugged in.",
        ),
        BackupState.UNCHECKED: QCoreApplication.translate(
            "BackupsScreen", "No verification code was logged to check it by."
        ),
        BackupState.CHAIN_BROKEN: kept.not_for_restore,
    }[kept.state]


def kind_text(kept: KeptBackup) -> str:
    return (
        QCoreApplication.translate("BackupsScreen", "Automatic")
        if kept.automatic
        else QCoreApplication.translate("BackupsScreen", "By hand")
    )


def size_text(kept: KeptBackup) -> str:
    if kept.bytes is None:
        return ""
    return QCoreApplication.translate("BackupsScreen", "{value} kB").format(
        value=kept.bytes // 1024 or 1
    )


def written_text(kept: KeptBackup) -> str:
    """When the backup was written; for a copy the audit trail records nowhere, the file's own
    time, said so (not a time the program recorded)."""
    if not kept.file_time:
        return display(kept.at)
    return QCoreApplication.translate("BackupsScreen", "{time} (file's time)").format(
        time=display(kept.at)
    )


def written_hint(kept: KeptBackup) -> str:
    """On hover, where the time comes from when it is the file's."""
    if not kept.file_time:
        return ""
    return QCoreApplication.translate(
        "BackupsScreen",
        "No audit entry records this copy: the time shown is when its file was last changed, "
        "not a time recorded when it was written.",
    )


BACKUP_COLUMNS: list[Column[KeptBackup]] = [
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Written")),
        lambda k: k.at,
        shown=written_text,
        hint=written_hint,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Kind")), kind_text),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "Size")),
        lambda k: k.bytes,
        align_right=True,
        shown=size_text,
    ),
    Column(
        str(QT_TRANSLATE_NOOP("Column", "State")),
        state_text,
        colour=lambda k: STATE_COLOURS[k.state],
        hint=state_hint,
    ),
    Column(str(QT_TRANSLATE_NOOP("Column", "Verification code")), lambda k: k.code),
    Column(str(QT_TRANSLATE_NOOP("Column", "File")), lambda k: k.path),
]
STATE, FILE = 3, 5


class BackupsReader(QThread):
    """Reads the backups kept (services/backup.kept_backups: each automatic backup hashed,
    seconds for a large one) off the UI thread, as the Today screen's DashboardWorker does;
    `ready` carries the KeptBackups, `failed` the service's refusal or the error said."""

    ready = Signal(object)  # a KeptBackups
    failed = Signal(object)  # a DispensaryError

    def __init__(self, ctx: Context, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor = actor

    def run(self) -> None:
        try:
            kept = backup.kept_backups(self.ctx, self.actor)
        except DispensaryError as exc:
            self.failed.emit(exc)
            return
        except Exception as exc:  # a thread's error would vanish: said on the screen, logged
            _log.exception("The backups kept could not be read")
            self.failed.emit(
                DispensaryError(
                    with_detail(
                        self.tr(
                            "The backups could not be read. Open the screen again; if it keeps "
                            "failing, tell the administrator."
                        ),
                        f"{type(exc).__name__}: {exc}",
                    )
                )
            )
            return
        self.ready.emit(kept)


class BackupFolderChooser:
    """Asks for the folder a backup by hand goes in. Tests replace this method."""

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, start: str) -> str | None:
        chosen = QFileDialog.getExistingDirectory(parent, title, start)
        return chosen or None


class BackupsScreen(Screen):
    title = str(QT_TRANSLATE_NOOP("Screen", "Backups"))
    shortcut = QKeySequence("Ctrl+Shift+B").toString()
    roles = ALLOWED[Permission.BACKUPS]

    def __init__(self, session: AppSession, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setObjectName("backupsScreen")
        self.kept: KeptBackups | None = None
        self.reader: BackupsReader | None = None
        self.again = False  # a refresh asked for while the list is read: one more read after
        self.chosen: str | None = None  # the backup to select once the list arrives
        self.server = False  # the service said the database is on a server (KeptBackups.server)
        layout, self.message = titled_page(self, self.tr("Backups of this database"))
        self.checking_label = QLabel(self.tr("Checking backups…"))
        self.checking_label.setObjectName("backupsChecking")
        self.checking_label.setVisible(False)
        layout.addWidget(self.checking_label)
        self.folder = wrapped_label("backupFolder")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.folder)
        self.model, self.proxy, self.table = row_table(
            self, BACKUP_COLUMNS, "backupTable", sort_column=0, descending=True
        )
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self.back_up_button = action_button(
            self.tr("Back up &now…"),
            "backUpNow",
            self.back_up_now,
            self.tr(
                "Copies the database into a folder you choose; the backup is recorded in the "
                "audit trail and its verification code in the anchor log"
            ),
        )
        self.may_back_up = may(session.actor, Permission.BACKUP)
        self.may_restore = may(session.actor, Permission.RESTORE)
        if not self.may_back_up:  # shown, off: the hint says who makes one
            self.back_up_button.setToolTip(
                self.tr("Only these roles make a backup by hand: {roles}.").format(
                    roles=who_may(Permission.BACKUP)
                )
            )
        layout.addLayout(button_row([], [self.back_up_button]))
        layout.addWidget(self._restore_box())
        self._selection_changed()

    def _restore_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Restoring a backup"))
        column = QVBoxLayout(box)
        self.how = wrapped_label(
            "restoreHow",
            self.tr(
                "A backup is restored with the program closed: the restore is refused while any "
                "window, on this or another workstation, has the database open. Close "
                "Dispensary everywhere, then run the command below in a terminal. It asks for "
                "your password, checks the backup, keeps the current database whole beside it "
                "(NAME.replaced-<time>.sqlite3) and records the restore in the audit trail."
            ),
        )
        column.addWidget(self.how)
        if not self.may_restore:
            self.how.setText(
                self.tr(
                    "Only these roles restore a backup: {roles}. A backup is restored with the "
                    "program closed on every workstation; to have one restored, tell them which "
                    "backup (its file and verification code) and why."
                ).format(roles=who_may(Permission.RESTORE))
            )
        reason_row = QHBoxLayout()
        caption = QLabel(self.tr("&Reason"))
        caption.setObjectName("restoreReasonCaption")
        self.reason = text_field(
            "restoreReason", self.tr("Why the database is restored, e.g. damaged by a power cut")
        )
        caption.setBuddy(self.reason)
        self.reason.textChanged.connect(self._show_command)
        reason_row.addWidget(caption)
        reason_row.addWidget(self.reason, 1)
        column.addLayout(reason_row)
        command_row = QHBoxLayout()
        # Read whole, however long its paths: wrapped over three lines, selectable, copied
        # as one line.
        self.command = QPlainTextEdit()
        self.command.setObjectName("restoreCommand")
        self.command.setReadOnly(True)
        self.command.setTabChangesFocus(True)
        self.command.setFixedHeight(self.command.fontMetrics().lineSpacing() * 3 + 14)
        self.command.setAccessibleName(self.tr("Command line of the restore"))
        self.copy_button = action_button(
            self.tr("&Copy the command"), "copyRestoreCommand", self.copy_command
        )
        command_row.addWidget(self.command, 1)
        command_row.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(command_row)
        self.restore_fields: tuple[QWidget, ...] = (
            caption,
            self.reason,
            self.command,
            self.copy_button,
        )
        for field in self.restore_fields:
            hidden_unless(field, self.may_restore)  # no command for one who may not restore
        return box

    @property
    def offers_restore(self) -> bool:
        """The restore's reason and command line are offered: to a role that may restore
        (Permission.RESTORE), unless the service said the database is on a server, which is
        restored with its own tools (restore_command refuses it: backup.SERVER_RESTORE)."""
        return self.may_restore and not self.server

    def _show_restore_fields(self) -> None:
        """The reason (its label and Alt key with it), the command and its copy button shown
        only where they are offered: a reason typed on a server would build nothing."""
        offered = self.offers_restore
        for field in self.restore_fields:
            if field.isHidden() == offered:
                field.setVisible(offered)

    @property
    def checking(self) -> bool:
        """True while the list is read (the actions that need it are off meanwhile)."""
        return self.reader is not None

    def refresh(self, select: str | None = None) -> None:
        """Starts reading the backups kept off the UI thread and returns at once; the table is
        filled when they arrive (`select`: the backup then chosen, else the one chosen now). A
        refresh asked for while one reads reads again after it."""
        chosen = self.current()
        if select is not None:
            self.chosen = select
        elif self.chosen is None and chosen is not None:
            self.chosen = chosen.path
        if self.reader is not None:
            self.again = True
            return
        self.again = False
        reader = BackupsReader(self.session.ctx, self.session.actor)
        reader.ready.connect(self._show)
        reader.failed.connect(self._failed)
        reader.finished.connect(self._reader_finished)
        self.reader = reader
        self._show_checking()
        start_reader(reader)

    def _reader_finished(self) -> None:
        if self.sender() is self.reader:  # the reaper lets go of it
            self.reader = None
        if self.again:
            self.refresh()
        else:
            self._show_checking()

    def _show_checking(self) -> None:
        """While the list is read: said, and nothing done that needs it."""
        checking = self.checking
        self.checking_label.setVisible(checking)
        # The table stays enabled (`checking` keeps the actions off): switched off, it gave the
        # cursor away to the restore command, and F5 in the table left it there.
        self.back_up_button.setEnabled(
            self.may_back_up and not checking and self.kept is not None and not self.kept.server
        )
        self._selection_changed()

    def _failed(self, exc: DispensaryError) -> None:
        refused(self.message, exc)
        self._show(None)

    def _show(self, kept: KeptBackups | None) -> None:
        self.kept = kept
        chosen, self.chosen = self.chosen, None
        if kept is not None and kept.server != self.server:
            self.server = kept.server
            self._show_restore_fields()
        if kept is not None and kept.server:
            # Nor restores one (the restore command refuses it: backup.SERVER_RESTORE).
            self.how.setText(
                self.tr(
                    "A database server is restored with its own tools: pg_restore the dump into "
                    "a new database, check it with `dispensary --db URL audit verify`, then "
                    "point the workstations at it (docs/INSTALL.md, 'Restoring a PostgreSQL "
                    "database')."
                )
            )
        if kept is None:
            self.model.set_rows([])
            self._fit()
            self.folder.clear()
            self._selection_changed()
            return
        if kept.backups:
            said = self.tr("Backup folder: {folder}").format(folder=kept.folder)
        elif kept.server:  # the program makes no copy of a server's database (kept_backups)
            said = self.tr(
                "No backup of this database is kept here: a database server is backed up "
                "with its own tools (pg_dump; see docs/INSTALL.md)."
            )
        else:
            said = self.tr(
                "No backup of this database yet: the first sign-in of each day makes one in "
                "{folder}."
            ).format(folder=kept.folder)
        self.folder.setText(said)
        self.model.set_rows(kept.backups)
        self._fit()
        if chosen is None or not self.select(chosen):
            self.table.selectRow(0)
        self._selection_changed()

    def _fit(self) -> None:
        """The state read whole, over more lines where the window is narrow (the copy kept as
        evidence said why in a long sentence, cut at the column's edge at 1366x768); the file
        takes the width to spare."""
        fit_columns(self.table, widest=420, stretch=FILE, wrap=(STATE, FILE))

    def current(self) -> KeptBackup | None:
        rows = selected_rows(self.table, self.proxy, self.model)
        return rows[0] if rows else None

    def select(self, path: str) -> bool:
        return select_where(self.table, self.proxy, self.model, lambda k: k.path == path)

    def _selection_changed(self) -> None:
        if not self.offers_restore:
            return
        kept = None if self.checking else self.current()
        # A copy of a trail that did not verify is not for restore (the service's words). While
        # the list is read the reason is left as it was: switched off, it gave the cursor away
        # (F5 pressed in it left the user elsewhere); what is typed there waits for the list.
        if not self.checking:
            self.reason.setEnabled(kept is not None and not kept.not_for_restore)
        self.copy_button.setEnabled(False)
        self.command.clear()
        if self.checking:
            self.command.setPlaceholderText(self.tr("Checking backups…"))
            return
        if kept is None:
            self.command.setPlaceholderText(self.tr("Select a backup in the list."))
            return
        self._show_command()

    def _show_command(self) -> None:
        kept = None if self.checking or not self.offers_restore else self.current()
        if kept is None:
            return
        if kept.not_for_restore:
            self.command.clear()
            self.command.setPlaceholderText(kept.not_for_restore)
            self.copy_button.setEnabled(False)
            return
        if not self.reason.text().strip():
            # The service refuses a command without its reason (the restore's audit entry):
            # none is shown until one is typed, rather than a refusal at every selection.
            self.command.clear()
            self.command.setPlaceholderText(
                self.tr("Type the reason above: the command for this backup is shown here.")
            )
            self.copy_button.setEnabled(False)
            return
        command = attempt(
            self.message,
            lambda: backup.restore_command(
                self.session.ctx, self.session.actor, kept.path, self.reason.text()
            ),
        )
        self.command.setPlainText(command or "")
        self.copy_button.setEnabled(bool(command))

    def copy_command(self) -> None:
        text = self.command.toPlainText()
        if not text:
            return
        QGuiApplication.clipboard().setText(text)
        self.message.show_message(
            self.tr(
                "The command is copied. Close Dispensary on every workstation, then paste it "
                "into a terminal."
            ),
            "ok",
        )

    def back_up_now(self) -> None:
        start = self.kept.folder if self.kept is not None else ""
        folder = BackupFolderChooser.ask(self, self.tr("The folder the backup goes in"), start)
        if folder is None:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            done = attempt(
                self.message,
                lambda: backup.backup_into(self.session.ctx, self.session.actor, folder),
            )
        finally:
            QApplication.restoreOverrideCursor()
        if done is None:
            return
        self.refresh(select=done.path)
        self._say_done(done)

    def _say_done(self, done: BackupResult) -> None:
        written = self.tr("Backup written: {path} ({value} kB).").format(
            path=done.path, value=done.bytes // 1024 or 1
        )
        if done.chain_broken:  # made as evidence, marked, without a code: said in red
            self.message.show_message(sentences([written, done.chain_broken]), "error")
            return
        if done.warning:
            self.message.show_message(sentences([written, done.warning]), "warning")
            return
        if done.own_anchor_log:  # written outside the database's own folder: logged there too
            logged = self.tr(
                "Verification code {code}, added to the anchor log {log} and to {own}."
            ).format(code=done.anchor, log=done.anchor_log, own=done.own_anchor_log)
        else:
            logged = self.tr("Verification code {code}, added to the anchor log {log}.").format(
                code=done.anchor, log=done.anchor_log
            )
        self.message.show_message(sentences([written, logged]), "ok")
