"""The signed-in window: navigation by role, one screen at a time, a scan field that always
takes a code, and a status bar that says who is working on which study and database."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from dispensary.ui.scan_field import ScanCatcher, ScanField
from dispensary.ui.screen import OpenKind, Screen, route_scan
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import term

SCREEN_ROLE = Qt.ItemDataRole.UserRole

SCANNED_KINDS = {
    OpenKind.RETURN: str(QT_TRANSLATE_NOOP("MainWindow", "dispensing label")),
    OpenKind.DISPENSE: str(QT_TRANSLATE_NOOP("MainWindow", "participant")),
    OpenKind.PARTICIPANT: str(QT_TRANSLATE_NOOP("MainWindow", "participant")),
    OpenKind.KIT: str(QT_TRANSLATE_NOOP("MainWindow", "kit")),
}
"""What a scanned code was found to be, as the scan bar names it."""


def screen_title(cls: type[Screen]) -> str:
    """A screen's title in the user's language: each screen writes it in English, marked
    `QT_TRANSLATE_NOOP("Screen", ...)` for lupdate."""
    return QCoreApplication.translate("Screen", cls.title)


class MainWindow(QMainWindow):
    """Screens are built the first time they are shown and kept while the session lasts."""

    lock_requested = Signal()
    sign_out_requested = Signal()

    def __init__(
        self,
        session: AppSession,
        screens: list[type[Screen]],
        opens: dict[str, type[Screen]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("Dispensary — {study}").format(study=session.study))
        role = session.actor.role
        self.classes = [cls for cls in screens if cls.visible_to(role)]
        self.opens = {kind: cls for kind, cls in opens.items() if cls in self.classes}
        self.screens: dict[type[Screen], Screen] = {}
        self.closing_for_good = False
        self.locked = False
        self.session_open = True  # False once the sign-out is recorded: it is recorded once

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setFixedWidth(200)
        self.navigation.setIconSize(QSize(0, 0))
        for cls in self.classes:
            item = QListWidgetItem(screen_title(cls))
            item.setData(SCREEN_ROLE, cls)
            item.setToolTip(cls.shortcut)
            self.navigation.addItem(item)
        self.stack = QStackedWidget()
        self.stack.setObjectName("screens")
        self.navigation.currentRowChanged.connect(self._row_chosen)

        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()
        self.setCentralWidget(self._central())
        self.resize(1366, 768)
        if self.classes:
            self.show_screen(self.classes[0])

    # -- building -------------------------------------------------------------------------

    def _central(self) -> QWidget:
        from PySide6.QtWidgets import QHBoxLayout

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        return central

    def _build_toolbar(self) -> None:
        bar = QToolBar(self.tr("Scan"))
        bar.setObjectName("scanBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        label = QLabel(self.tr("Scan"))
        label.setObjectName("scanLabel")
        bar.addWidget(label)
        self.scan_field = ScanField(
            self.tr("Scan any kit, dispensing label or participant (Ctrl+L)")
        )
        self.scan_field.setObjectName("globalScan")
        self.scan_field.setMinimumWidth(420)
        bar.addWidget(self.scan_field)
        self.scan_feedback = QLabel()
        self.scan_feedback.setObjectName("scanFeedback")
        bar.addWidget(self.scan_feedback)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.scan_field.scanned.connect(self.handle_scan)
        # A scan into a note or search box opens what was scanned; the filter goes with the
        # window (Qt drops a destroyed object's event filter).
        self.scan_catcher = ScanCatcher(self, self._scanned_elsewhere)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scan_catcher)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        menus.setNativeMenuBar(True)
        file_menu = menus.addMenu(self.tr("&File"))
        lock = QAction(self.tr("&Lock"), self)
        lock.setShortcut(QKeySequence("Ctrl+Shift+L"))
        lock.triggered.connect(self.lock_requested.emit)
        file_menu.addAction(lock)
        sign_out = QAction(self.tr("&Sign out"), self)
        sign_out.triggered.connect(self.sign_out)
        file_menu.addAction(sign_out)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        quit_action.triggered.connect(self.quit)
        file_menu.addAction(quit_action)

        go_menu = menus.addMenu(self.tr("&Go"))
        scan = QAction(self.tr("&Scan field"), self)
        scan.setShortcut(QKeySequence("Ctrl+L"))
        scan.triggered.connect(self.focus_scan)
        go_menu.addAction(scan)
        go_menu.addSeparator()
        self.go_actions: dict[type[Screen], QAction] = {}
        for cls in self.classes:
            action = QAction(screen_title(cls), self)
            if cls.shortcut:
                action.setShortcut(QKeySequence(cls.shortcut))
            action.setData(cls)
            action.triggered.connect(self._go_chosen)
            go_menu.addAction(action)
            self.go_actions[cls] = action

        help_menu = menus.addMenu(self.tr("&Help"))
        keys = QAction(self.tr("&Keyboard shortcuts"), self)
        keys.setShortcut(QKeySequence.StandardKey.HelpContents)
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        about = QAction(self.tr("&About Dispensary"), self)
        about.setMenuRole(QAction.MenuRole.AboutRole)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        actor = self.session.actor
        ctx = self.session.ctx
        self.user_label = QLabel(
            self.tr("{name} ({initials}) — {role}").format(
                name=actor.full_name, initials=actor.initials, role=term(actor.role.label)
            )
        )
        self.user_label.setObjectName("statusUser")
        self.study_label = QLabel(self.tr("Study {protocol}").format(protocol=ctx.study.protocol))
        self.database_label = QLabel(self.tr("Database {path}").format(path=ctx.database))
        self.database_label.setObjectName("statusDatabase")
        self.backup_label = QLabel()
        self.backup_label.setObjectName("statusBackup")
        status.addWidget(self.backup_label, 1)
        for widget in (self.user_label, self.study_label, self.database_label):
            status.addPermanentWidget(widget)

    def set_locked(self, locked: bool) -> None:
        """Under the lock screen no menu or shortcut may change what is behind it. The lock
        and the unlock go into the audit trail."""
        if locked != self.locked and self.session_open:
            self.locked = locked
            self.record_session_event("locked" if locked else "unlocked")
        self.menuBar().setEnabled(not locked)
        for action in self.findChildren(QAction):
            action.setEnabled(not locked)
        self.scan_field.setEnabled(not locked)

    def show_backup(self, text: str) -> None:
        """The day's backup, kept in view (a passing status message is wiped by a hover)."""
        self.backup_label.setText(text)
        self.backup_label.setToolTip(text)

    # -- screens --------------------------------------------------------------------------

    def screen_of(self, cls: type[Screen]) -> Screen:
        """The screen of that class, built on first use."""
        existing = self.screens.get(cls)
        if existing is not None:
            return existing
        built = cls(self.session, self.stack)
        built.changed.connect(self._something_changed)
        built.open_request.connect(self.open_record)
        self.stack.addWidget(built)
        self.screens[cls] = built
        return built

    def current_screen(self) -> Screen | None:
        widget = self.stack.currentWidget()
        return widget if isinstance(widget, Screen) else None

    def show_screen(self, cls: type[Screen]) -> Screen | None:
        if cls not in self.classes:
            self.statusBar().showMessage(
                self.tr("{role}s do not use the {screen} screen.").format(
                    role=term(self.session.actor.role.label), screen=screen_title(cls)
                ),
                8000,
            )
            return None
        target = self.screen_of(cls)
        self.stack.setCurrentWidget(target)
        row = self.classes.index(cls)
        if self.navigation.currentRow() != row:
            self.navigation.blockSignals(True)
            self.navigation.setCurrentRow(row)
            self.navigation.blockSignals(False)
        target.refresh()
        return target

    def _go_chosen(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            cls = action.data()
            if isinstance(cls, type) and issubclass(cls, Screen):
                self.show_screen(cls)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.classes):
            self.show_screen(self.classes[row])

    def open_record(self, kind: str, ref: str) -> None:
        """A screen asked for another workflow (`Screen.open_request`)."""
        from dispensary.ui.screens import screen_for

        cls = screen_for(kind)
        if cls is None:
            self.statusBar().showMessage(
                self.tr("Nothing here opens '{kind}'.").format(kind=kind), 8000
            )
            return
        target = self.show_screen(cls)
        if target is not None and ref:
            target.handle_scan(ref)

    def _something_changed(self) -> None:
        """A screen wrote something: the Today screen reads its figures again, off the UI
        thread (a full reconciliation and chain verification), so the counter goes on."""
        from dispensary.ui.dashboard import DashboardScreen

        dashboard = self.screens.get(DashboardScreen)
        if dashboard is not None:
            dashboard.refresh()

    # -- scanning -------------------------------------------------------------------------

    def focus_scan(self) -> None:
        self.scan_field.setFocus()
        self.scan_field.selectAll()

    def _scanned_elsewhere(self, code: str) -> None:
        """A code scanned into an ordinary text field: routed as if scanned into the scan
        field, which shows it (in red, selected, if it is refused)."""
        if self.locked:
            return
        self.scan_field.setText(code)
        self.handle_scan(code)

    def handle_scan(self, code: str) -> None:
        """A code from the toolbar's scan field: the screen on show first, then by kind."""
        text = code.strip()
        if not text:
            return
        current = self.current_screen()
        if current is not None and current.handle_scan(text):
            self._scan_taken(f"{text.upper()} — {screen_title(type(current))}")
            return
        routed = route_scan(self.session, text)
        if routed is None:
            self.scan_field.refused()
            self.scan_feedback.setText(
                self.tr(
                    "'{code}' is not a kit, dispensing label or participant of this study."
                ).format(code=text[:40])
            )
            self.scan_feedback.setProperty("kind", "error")
            return
        kind, ref = routed
        cls = self.opens.get(kind.value)
        if cls is None:
            self.scan_field.refused()
            what = QCoreApplication.translate("MainWindow", SCANNED_KINDS.get(kind, kind.value))
            self.scan_feedback.setText(
                self.tr("{ref} is a {what}; your role does not open it.").format(ref=ref, what=what)
            )
            self.scan_feedback.setProperty("kind", "error")
            return
        target = self.show_screen(cls)
        if target is not None:
            target.handle_scan(ref)
        self._scan_taken(f"{ref} — {screen_title(cls)}")

    def _scan_taken(self, text: str) -> None:
        self.scan_field.accepted()
        self.scan_feedback.setText(text)
        self.scan_feedback.setProperty("kind", "ok")

    # -- menus ----------------------------------------------------------------------------

    def shortcut_text(self) -> str:
        native = QKeySequence.SequenceFormat.NativeText
        keys = [
            (QKeySequence("Ctrl+L"), self.tr("Scan field")),
            (QKeySequence("Ctrl+Shift+L"), self.tr("Lock")),
        ]
        keys += [(QKeySequence(c.shortcut), screen_title(c)) for c in self.classes if c.shortcut]
        keys += [
            (QKeySequence(Qt.Key.Key_Enter), self.tr("In a scan field: take the code")),
            (QKeySequence("Ctrl+Enter"), self.tr("Sign / receive on the screen shown")),
            (QKeySequence(Qt.Key.Key_Escape), self.tr("Start the screen's form over")),
        ]
        return "\n".join(f"{key.toString(native)}\t{text}" for key, text in keys)

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, self.tr("Keyboard shortcuts"), self.shortcut_text())

    def show_about(self) -> None:
        from dispensary import __version__

        study = self.session.ctx.study
        lines = [
            self.tr("Dispensary {version}").format(version=__version__),
            self.tr("Investigational drug accountability"),
            "",
            self.tr("Study {protocol}: {title}").format(
                protocol=study.protocol, title=study.wording().title
            ),
            study.wording().site_name,
        ]
        QMessageBox.about(self, self.tr("About Dispensary"), "\n".join(lines))

    def quit(self) -> None:
        self.closing_for_good = True
        self.close()

    def sign_out(self) -> None:
        """File > Sign out: recorded, then the desk shows the sign-in window again."""
        self.end_session()
        self.sign_out_requested.emit()

    def end_session(self) -> None:
        """The session ends (sign-out, quit, the window closed, or another user signing in
        at the lock screen): the audit trail shows when the workstation was left."""
        if self.session_open:
            self.record_session_event("sign_out")
            self.session_open = False

    def record_session_event(self, event: str) -> None:
        from dispensary.domain.errors import DispensaryError
        from dispensary.services import users

        try:
            users.record_session_event(self.session.ctx, self.session.actor, event)
        except DispensaryError as exc:
            # The lock or sign-out still happens: leaving the screen open is the worse harm.
            self.statusBar().showMessage(
                self.tr("Not recorded in the audit trail: {message}").format(message=exc.message),
                8000,
            )

    def closeEvent(self, event: QCloseEvent) -> None:
        from dispensary.ui.dashboard import wait_for_workers

        self.closing_for_good = True
        self.end_session()
        wait_for_workers()  # no reading thread outlives the window and its database
        super().closeEvent(event)
