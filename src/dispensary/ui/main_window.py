"""The signed-in window: navigation by role, one screen at a time, a scan field that always
takes a code, and a status bar that says who is working on which study and database.

A pharmacy's database holds several studies; the window works in one at a time and switches in
one step (the study chooser in the toolbar, or a code scanned of another study). A switch
rebuilds every screen in the new study's context: no screen keeps the old one."""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QObject,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QColor, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from dispensary.domain.errors import DispensaryError, InOtherStudy, NotFound, NotPermitted
from dispensary.i18n import current_language, sentences
from dispensary.services.context import Context, local_day
from dispensary.services.labels import PrintPlan
from dispensary.services.results import StudyRow
from dispensary.ui.feedback import COLOURS, MessageBar, give_dismiss_keys
from dispensary.ui.forms import ACCESS, BANNER_COLOURS
from dispensary.ui.guide_view import AboutDialog, Guide, GuideWindow
from dispensary.ui.scan_field import ScanCatcher, ScanField
from dispensary.ui.screen import (
    OpenKind,
    Screen,
    context_of_study,
    read_study_again,
    route_scan,
)
from dispensary.ui.session import AppSession
from dispensary.ui.vocabulary import term
from dispensary.ui.widgets import ElidedCombo, ElidedLabel, WrappedLine, shown_date

KeptPrints = tuple[dict[int, dict[str, PrintPlan]], dict[int, PrintPlan], dict[int, Context]]
"""A session's prints waiting for their record (AppSession.unrecorded, .unrecorded_kits) and
the contexts of their studies, kept by the desk from a session ended without its user."""

SCREEN_ROLE = Qt.ItemDataRole.UserRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole

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


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: the keys in one column and what each does in the next, each
    description on its key's line whatever the language (a message box's tab stops left the
    Chinese and the longer English lines ragged)."""

    def __init__(
        self, title: str, rows: list[tuple[str, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsBox")
        self.setWindowTitle(title)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        self.keys: list[QLabel] = []
        self.descriptions: list[QLabel] = []
        for line, (key, text) in enumerate(rows):
            key_label, text_label = QLabel(key), QLabel(text)
            key_label.setObjectName("shortcutKey")
            text_label.setObjectName("shortcutDescription")
            for label in (key_label, text_label):
                label.setTextFormat(Qt.TextFormat.PlainText)
                label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(key_label, line, 0, Qt.AlignmentFlag.AlignLeft)
            grid.addWidget(text_label, line, 1, Qt.AlignmentFlag.AlignLeft)
            self.keys.append(key_label)
            self.descriptions.append(text_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        give_dismiss_keys(buttons)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addStretch(1)
        layout.addWidget(buttons)


SCAN_FIELD_WIDTH = 420
"""The toolbar's scan field is never narrower (wider when its placeholder needs it)."""


class StudySwitcher(ElidedCombo):
    """The toolbar's study chooser: as wide as its studies where the toolbar has the room,
    narrower where it has not (a long title at 1366x768), its study then shown up to an
    ellipsis (ElidedCombo); whole in the tooltip, with the protocol's full title (each item's
    tooltip, set by the window) and `hint`."""

    SHORTEST = 24
    """Characters it keeps when the toolbar is short of room."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.SHORTEST, parent)
        self.hint = ""
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        # After ElidedCombo's own (the current text alone): the whole study and the hint.
        self.currentTextChanged.connect(self.say_whole)

    def say_whole(self) -> None:
        whole = self.itemData(self.currentIndex(), Qt.ItemDataRole.ToolTipRole)
        lines = (str(whole or self.currentText()), self.hint)
        self.setToolTip("\n".join(line for line in lines if line))

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        least = self.SHORTEST * self.fontMetrics().averageCharWidth() + 2 * hint.height()
        return QSize(min(hint.width(), least), hint.height())


class MainWindow(QMainWindow):
    """Screens are built the first time they are shown and kept while the session lasts."""

    lock_requested = Signal()
    sign_out_requested = Signal()
    access_ended = Signal(str)
    """The user has no study left to work in (each access withdrawn): the desk signs out,
    saying why."""

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
        self.studies: list[StudyRow] = []
        self._start_in_a_study_of_the_user()
        role = session.actor.role
        self.classes = [cls for cls in screens if cls.visible_to(role)]
        self.opens = {kind: cls for kind, cls in opens.items() if cls in self.classes}
        self.screens: dict[type[Screen], Screen] = {}
        self.closing_for_good = False
        self.contexts: dict[int, Context] = {}
        """Study id -> the context the window last worked in it with: a print waiting for its
        record is recorded in its own study (`settle_prints`)."""
        self.waiting_in_file: dict[tuple[int, str | None], PrintPlan] = {}
        """The session's prints waiting for their record as the workstation's file last had
        them (`save_waiting`)."""
        session.on_waiting_changed = self.save_waiting
        self.locked = False
        self.session_open = True  # False once the sign-out is recorded: it is recorded once
        self.guide_window: GuideWindow | None = None
        self.about_box: AboutDialog | None = None
        self.shortcuts_box: ShortcutsDialog | None = None

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
        # A click on the screen already shown reads it again (its row does not change, so
        # currentRowChanged says nothing): the row under the press is noted before the list
        # moves its selection to it.
        self.row_at_press = -1
        self.navigation.viewport().installEventFilter(self)
        self.navigation.itemClicked.connect(self._item_clicked)

        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()
        self.setCentralWidget(self._central())
        self._show_study()
        self.reload_studies()
        # Queued: the screen whose refusal said it finishes its slot before it is replaced.
        ACCESS.withdrawn.connect(self._access_withdrawn, Qt.ConnectionType.QueuedConnection)
        self.hearing_access = True
        self.resize(1366, 768)
        if self.classes:
            self.show_screen(self.classes[0])

    # -- building -------------------------------------------------------------------------

    def _central(self) -> QWidget:
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        # Above every screen: a switch of study is said where the user looks, whichever screen.
        self.notice = MessageBar()
        self.notice.setObjectName("studyNotice")
        right.addWidget(self.notice)
        right.addWidget(self.stack, 1)
        layout.addLayout(right, 1)
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
        # As wide as its placeholder: the room after it is the answer's (scan_feedback).
        self.scan_field.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._fit_scan_field()
        bar.addWidget(self.scan_field)
        # The room between the scan field and the study chooser is the answer's: on two lines
        # at most, the rest left out, never in the toolbar's overflow (at 1366x768 a long
        # refusal went there, and the study chooser with it). Cut, it is said whole above the
        # screen too (`_scan_answer_cut`).
        self.scan_feedback = WrappedLine()
        self.scan_feedback.setObjectName("scanFeedback")
        self.scan_feedback.cut_changed.connect(self._scan_answer_cut)
        bar.addWidget(self.scan_feedback)
        self._notice_of_scan = ""  # the scan's answer said whole in `notice`, for it was cut
        self.study_caption = QLabel(self.tr("S&tudy"))
        self.study_caption.setObjectName("studyCaption")
        # As wide as its studies where the toolbar has the room; where it has not (a long
        # title at 1366x768), the title is cut at an ellipsis, whole in the tooltip with the
        # protocol's full title (it was clipped mid-word, its tooltip not saying the rest).
        self.study_switcher = StudySwitcher()
        self.study_switcher.setObjectName("studySwitcher")
        self.study_switcher.hint = self.tr("The study you work in (Ctrl+Shift+S)")
        self.study_switcher.setToolTip(self.study_switcher.hint)
        self.study_caption.setBuddy(self.study_switcher)
        self.study_switcher.activated.connect(self._study_chosen)
        # Shown only to a user with more than one study (a toolbar hides a widget by its action).
        self.switcher_actions = [
            bar.addWidget(self.study_caption),
            bar.addWidget(self.study_switcher),
        ]
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        self.scan_field.scanned.connect(self.handle_scan)
        # A scan into a note or search box opens what was scanned; the filter goes with the
        # window (Qt drops a destroyed object's event filter).
        self.scan_catcher = ScanCatcher(self, self._scanned_elsewhere)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scan_catcher)

    def _fit_scan_field(self) -> None:
        """Wide enough for its placeholder, "(Ctrl+L)" included, in the user's language and the
        program's style (it was cut at 420 pixels in English); never under 420."""
        self.scan_field.setMinimumWidth(max(SCAN_FIELD_WIDTH, self.scan_field.placeholder_width()))

    def showEvent(self, event: QShowEvent) -> None:
        self._fit_scan_field()  # the style sheet may have changed since the window was built
        super().showEvent(event)

    def _build_menus(self) -> None:
        menus = self.menuBar()
        menus.setNativeMenuBar(True)
        file_menu = menus.addMenu(self.tr("&File"))
        self.change_password_action = QAction(self.tr("Change my &password…"), self)
        self.change_password_action.triggered.connect(self.change_password)
        file_menu.addAction(self.change_password_action)
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
        self.switch_action = QAction(self.tr("Switch s&tudy"), self)
        self.switch_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.switch_action.triggered.connect(self.choose_study)
        go_menu.addAction(self.switch_action)
        self.refresh_action = QAction(self.tr("&Refresh"), self)
        self.refresh_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.refresh_action.triggered.connect(self.refresh_screen)
        go_menu.addAction(self.refresh_action)
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
        help_menu.addSeparator()
        self.pharmacist_guide = QAction(self.tr("&Pharmacist's guide"), self)
        self.pharmacist_guide.triggered.connect(lambda: self.show_guide(Guide.PHARMACIST))
        help_menu.addAction(self.pharmacist_guide)
        self.administrator_guide = QAction(self.tr("A&dministrator's guide"), self)
        self.administrator_guide.triggered.connect(lambda: self.show_guide(Guide.ADMINISTRATOR))
        help_menu.addAction(self.administrator_guide)
        help_menu.addSeparator()
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
        self.study_label = QLabel()
        self.study_label.setObjectName("statusStudy")
        self.database_label = QLabel(self.tr("Database {path}").format(path=ctx.database))
        self.database_label.setObjectName("statusDatabase")
        self.backup_label = ElidedLabel()  # a long path loses its middle, not its file name
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
        self.session.locked = locked  # from now on nothing acts as the user (AppSession.actor)
        self.menuBar().setEnabled(not locked)
        for action in self.findChildren(QAction):
            action.setEnabled(not locked)
        self.scan_field.setEnabled(not locked)
        if not locked:
            self._day_may_have_changed()

    def _day_may_have_changed(self) -> None:
        """Unlocked (after a night, say): the Today screen reads its figures again if the day
        changed while the window was locked."""
        from dispensary.ui.dashboard import DashboardScreen

        dashboard = self.screens.get(DashboardScreen)
        if isinstance(dashboard, DashboardScreen):
            dashboard.refresh_if_new_day()

    def show_backup(self, text: str, failed: bool = False) -> None:
        """The day's backup, kept in view (a passing status message is wiped by a hover); a
        failed one in red, since the counter must not work on for days without a backup."""
        self.backup_label.set_line(text)
        self.backup_label.setStyleSheet(f"color: {BANNER_COLOURS[False][1]};" if failed else "")

    # -- studies --------------------------------------------------------------------------

    def _start_in_a_study_of_the_user(self) -> None:
        """The workstation opens the database's first study; a user not given access to it
        starts in the first study they may work in (open ones first)."""
        from dispensary.services import studies

        session = self.session
        if session.ctx.study_id in session.actor.studies or not session.actor.studies:
            return
        try:
            first = studies.list_studies(session.ctx, session.actor)
            if first:
                session.ctx = context_of_study(session, first[0].protocol)
        except DispensaryError:
            pass  # each screen says the refusal of the study it cannot read

    def _show_study(self) -> None:
        """The study worked in, in the title bar and the status bar."""
        ctx = self.session.ctx
        self.setWindowTitle(self.tr("Dispensary — {study}").format(study=ctx.study.protocol))
        text = self.tr("Study {protocol}").format(protocol=ctx.study.protocol)
        if ctx.closed:
            text = self.tr("{study} (closed: read only)").format(study=text)
        self.study_label.setText(text)
        self.study_label.setToolTip(ctx.study.wording().title)

    def study_text(self, row: StudyRow) -> str:
        """A study as the chooser lists it: protocol, short title, and closed when it is."""
        text = self.tr("{protocol} — {title}").format(
            protocol=row.protocol, title=row.title_in(current_language().value)
        )
        if row.status == "closed":
            text = self.tr("{study} (closed)").format(study=text)
        return text

    def reload_studies(self) -> None:
        """The user's studies, read again (an administrator may have given or taken access, or
        added or closed a study): the chooser lists them, and is shown only with two or more."""
        from dispensary.services import studies, users

        session = self.session
        try:
            session.actor = users.current_actor(session.ctx, session.actor)
            self.studies = studies.list_studies(session.ctx, session.actor)
        except DispensaryError:
            self.studies = []  # the account ended or the database is busy: said elsewhere
        self.study_switcher.blockSignals(True)
        self.study_switcher.clear()
        language = current_language().value
        for row in self.studies:
            self.study_switcher.addItem(self.study_text(row), row.protocol)
            index = self.study_switcher.count() - 1
            whole = f"{self.study_text(row)}\n{row.full_title_in(language)}"
            self.study_switcher.setItemData(index, whole, Qt.ItemDataRole.ToolTipRole)
            if row.status == "closed":
                self.study_switcher.setItemData(index, QColor("#616161"), FOREGROUND)
        self.study_switcher.setCurrentIndex(self.study_switcher.findData(session.study))
        self.study_switcher.blockSignals(False)
        self.study_switcher.say_whole()
        mine = next((r for r in self.studies if r.protocol == session.study), None)
        if mine is not None and mine.version != session.ctx.version:
            self._reread_study_file()
        elif mine is not None and (mine.status == "closed") != session.ctx.closed:
            self._reread_study()
        elif mine is None:
            self._say_study_gone()
        several = len(self.studies) > 1
        for action in self.switcher_actions:
            action.setVisible(several)
        self.switch_action.setVisible(several)

    def _say_study_gone(self) -> None:
        """The study worked in is no longer the user's list: when the services say the access
        was withdrawn (an administrator, at another workstation), the window leaves the study
        (`_access_withdrawn`); any other refusal is said in the notice."""
        from dispensary.services.permissions import Permission, require

        try:
            require(self.session.actor, Permission.VIEW, self.session.ctx)
        except NotPermitted as exc:
            if exc.withdrawn:
                ACCESS.withdrawn.emit(exc.message, exc.withdrawn)
            elif self.studies:
                self.notice.show_message(exc.message, "error")
        except DispensaryError as exc:
            if self.studies:
                self.notice.show_message(exc.message, "error")

    def _access_withdrawn(self, message: str, study: str) -> None:
        """A service refused the study worked in because its access was withdrawn: nothing of
        it stays on screen. The window switches to the first study the user still has (the
        screens rebuilt there), saying both; with none left the desk signs out, saying why.
        Not while locked or while a dialog is open over a screen (its own bar said it): the
        next refusal, or the next screen chosen, does it then."""
        from PySide6.QtWidgets import QApplication

        from dispensary.services import studies, users

        session = self.session
        if not self.session_open or self.locked or study != session.study:
            return
        if QApplication.activeModalWidget() is not None:
            return
        try:
            session.actor = users.current_actor(session.ctx, session.actor)
            left = studies.list_studies(session.ctx, session.actor)
            other = context_of_study(session, left[0].protocol) if left else None
        except DispensaryError:
            return  # the account ended or the database is busy: said elsewhere
        if other is None:
            self._clear_screens()
            self.access_ended.emit(message)
            return
        self.use_context(other)
        self.notice.show_message(
            self.tr("{withdrawn} Switched to study {protocol}: {title}.").format(
                withdrawn=message,
                protocol=other.study.protocol,
                title=other.study.wording().short_title,
            ),
            "error",
        )

    def _reread_study(self) -> None:
        """The study worked in was closed (or reopened) since it was opened: its context is
        read again, so the services apply its state (screens read `session.ctx` at each call)."""
        try:
            self.session.ctx = read_study_again(self.session)
        except DispensaryError:
            return
        self._show_study()

    def _reread_study_file(self) -> None:
        """The file of the study worked in was updated since its context was read (on the
        Studies screen, or at another workstation): the study is opened again with it, as a
        switch of study is, so no screen keeps what it built from the old file (dose levels,
        columns, wording; the labels' text)."""
        try:
            fresh = read_study_again(self.session)
        except DispensaryError:
            return  # said by the screens' own refusals
        if not self.screens:  # the window opening: nothing was built from the old file yet
            self.session.ctx = fresh
            self._show_study()
            return
        self.use_context(fresh)

    def choose_study(self) -> None:
        """Go > Switch study: the chooser opens, ready for the arrow keys."""
        if len(self.studies) > 1 and not self.locked:
            self.study_switcher.setFocus()
            self.study_switcher.showPopup()

    def _study_chosen(self, index: int) -> None:
        protocol = self.study_switcher.itemData(index)
        if not isinstance(protocol, str) or protocol == self.session.study:
            return
        self.switch_to(protocol)

    def switch_to(self, protocol: str) -> bool:
        """Works in another study of the pharmacy, when the services give this user its
        context; their refusal is said otherwise. True when switched."""
        try:
            other = context_of_study(self.session, protocol)
        except DispensaryError as exc:
            self.notice.show_message(exc.message, "error")
            self.study_switcher.setCurrentIndex(self.study_switcher.findData(self.session.study))
            return False
        self.use_context(other)
        return True

    def use_context(self, ctx: Context, code: str = "") -> None:
        """Every screen rebuilt in the study of `ctx` (none keeps the one before), the screen
        on show shown again, and a notice saying so; then `code`, scanned of that study, is
        taken there as if scanned again."""
        shown = self.current_screen()
        again = type(shown) if shown is not None else None
        same_study = ctx.study.protocol == self.session.study
        # The same study with its file updated: what was typed and scanned on the screen shown
        # is kept, and assessed again with the new file (a dispense half done is not lost).
        kept = shown.state_for_reload() if same_study and shown is not None else None
        self.contexts[self.session.ctx.study_id] = self.session.ctx
        self.session.ctx = ctx
        self._clear_screens()
        self._show_study()
        self.reload_studies()
        if self.guide_window is not None:  # an open guide's examples: the new study's facts
            self.guide_window.show_study(ctx.study)
        if again is not None:
            target = self.show_screen(again)
            if target is not None and kept is not None:
                target.restore_state(kept)
        elif self.classes:
            self.show_screen(self.classes[0])
        protocol = ctx.study.protocol
        if same_study:  # the study's file was updated: the study opened again with it
            notice = self.tr(
                "The study file of {protocol} was updated (version {version}): every screen "
                "now works with it."
            ).format(protocol=protocol, version=ctx.version)
        elif code:
            notice = self.tr("Switched to study {protocol}: {code} is of that study.").format(
                protocol=protocol, code=code.strip().upper()[:40]
            )
        else:
            notice = self.tr("Switched to study {protocol}: {title}.").format(
                protocol=protocol, title=ctx.study.wording().short_title
            )
        if ctx.closed:
            notice = sentences([notice, self.tr("The study is closed: its records are read only.")])
        self.notice.show_message(notice, "info")
        if code:
            self.handle_scan(code, follow=False)

    def _clear_screens(self) -> None:
        """Every screen built so far taken down (none keeps what it showed of a study)."""
        for built in self.screens.values():
            self.stack.removeWidget(built)
            built.hide()
            built.deleteLater()
        self.screens.clear()

    def _study_requested(self, ctx: object, code: str) -> None:
        """A screen found a code of another study and the services gave its context."""
        if isinstance(ctx, Context):
            self.use_context(ctx, code)

    # -- screens --------------------------------------------------------------------------

    def screen_of(self, cls: type[Screen]) -> Screen:
        """The screen of that class, built on first use."""
        existing = self.screens.get(cls)
        if existing is not None:
            return existing
        built = cls(self.session, self.stack)
        built.changed.connect(self._something_changed)
        built.open_request.connect(self.open_record)
        # Queued: the screen that asked finishes its slot before it is replaced.
        built.study_request.connect(self._study_requested, Qt.ConnectionType.QueuedConnection)
        for field in built.findChildren(ScanField):
            # A code scanned into the screen's own field: the toolbar's echo of the last scan
            # ("01-002 — Dispense") would name another participant than the screen shows.
            field.scanned.connect(self._screen_scanned)
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
                self._navigate(cls)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.classes):
            self._navigate(self.classes[row])

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.navigation.viewport() and event.type() == QEvent.Type.MouseButtonPress:
            self.row_at_press = self.navigation.currentRow()
        return super().eventFilter(watched, event)

    def _item_clicked(self, item: QListWidgetItem) -> None:
        """A click on the row of the screen already shown: chosen again, as its Go menu key
        does, so it reads its figures again (the Today screen after midnight)."""
        row = self.navigation.row(item)
        if row == self.row_at_press:
            self._row_chosen(row)

    def refresh_screen(self) -> None:
        """Go > Refresh (F5): the screen shown chosen again, its figures read again."""
        shown = self.current_screen()
        if shown is not None:
            self._navigate(type(shown))

    def _navigate(self, cls: type[Screen]) -> None:
        """A screen the user chose: the user's studies are read again first (an access taken
        away or a study closed at another workstation since), so the chooser and the status
        bar say what the services will apply, then the screen is shown."""
        self.reload_studies()
        self.show_screen(cls)

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
        if target is not None:
            target.open_record(kind, ref)

    def _something_changed(self) -> None:
        """A screen wrote something: the Today screen reads its figures again, off the UI
        thread (a full reconciliation and chain verification), so the counter goes on; after
        a change of studies or of access, the chooser lists the user's studies again."""
        from dispensary.ui.dashboard import DashboardScreen

        sender = self.sender()
        if isinstance(sender, Screen) and sender.changes_studies:
            self.reload_studies()

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

    def handle_scan(self, code: str, follow: bool = True) -> None:
        """A code from the toolbar's scan field: the screen on show first, then by kind; a
        code of another study switches to it (`follow`: once) when the user may work there."""
        text = code.strip()
        if not text:
            return
        current = self.current_screen()
        if current is not None:
            fields = current.findChildren(ScanField)
            before = sum(f.refusals for f in fields) + current.scans_refused
            if current.handle_scan(text):
                if sum(f.refusals for f in fields) + current.scans_refused > before:
                    self._scan_refused_on(current, text)
                else:
                    self._scan_taken(f"{text.upper()} — {screen_title(type(current))}")
                return
        try:
            routed = route_scan(self.session, text)
        except InOtherStudy as exc:
            self._scanned_of_other_study(exc, text, follow)
            return
        except NotFound as exc:  # another label (a lot number): what it is, what to scan
            self._window_refused(current, exc.message)
            return
        if routed is None:
            self._window_refused(
                current,
                self.tr(
                    "'{code}' is not a kit, dispensing label or participant of this study."
                ).format(code=text[:40]),
            )
            return
        kind, ref = routed
        cls = self.opens.get(kind.value)
        if cls is None:
            what = QCoreApplication.translate("MainWindow", SCANNED_KINDS.get(kind, kind.value))
            self._window_refused(
                current,
                self.tr("{ref} is a {what}; your role does not open it.").format(
                    ref=ref, what=what
                ),
            )
            return
        target = self.show_screen(cls)
        if target is not None:
            target.handle_scan(ref)
        self._scan_taken(f"{ref} — {screen_title(cls)}")

    def _window_refused(self, shown: Screen | None, refusal: str) -> None:
        """The window refused the scanned code itself: red in the toolbar with `refusal`, and
        the screen shown told (`Screen.scan_refused_by_window`), so that an earlier refusal
        in its own message does not stand beside this one."""
        self.scan_field.refused()
        self._say_scan(refusal, "error")
        if shown is not None:
            shown.scan_refused_by_window(refusal)

    def _scanned_of_other_study(self, found: InOtherStudy, code: str, follow: bool) -> None:
        """Switches to the code's study when the services named it (the user may open it);
        else says their refusal, which names no study the user may not open."""
        if follow and found.protocol:
            try:
                other = context_of_study(self.session, found.protocol)
            except DispensaryError as exc:
                refusal = exc.message
            else:
                self.use_context(other, code)
                return
        else:
            refusal = found.message
        self.scan_field.refused()
        self.notice.show_message(refusal, "error")  # first: the bar's answer, cut, is said here
        self._say_scan(refusal, "error")

    def _scan_refused_on(self, screen: Screen, code: str) -> None:
        """The screen shown took the code and its service assessment refused it (a kit not of
        the return open, a kit off the shelf scanned for a count): red here too, with the
        screen's refusal, never green."""
        self.scan_field.setText(code)
        self.scan_field.refused()
        bars = [m for m in screen.findChildren(MessageBar) if m.kind == "error" and m.text()]
        self._say_scan(
            bars[0].text()
            if bars
            else self.tr("{code} — refused on the {screen} screen").format(
                code=code.upper(), screen=screen_title(type(screen))
            ),
            "error",
        )

    def _screen_scanned(self, _code: str) -> None:
        self._say_scan("", "")

    def _scan_taken(self, text: str) -> None:
        self.scan_field.accepted()
        self._say_scan(text, "ok")

    def _say_scan(self, text: str, kind: str) -> None:
        """The scan bar's answer to the last scan: taken ("ok"), refused ("error"), or none
        (""). The last answer's words said above the screen for it was cut go with it."""
        self._drop_notice_of_scan()
        self.scan_feedback.setProperty("kind", kind)
        self.scan_feedback.set_line(text)
        self._scan_answer_cut(self.scan_feedback.cut)

    def _scan_answer_cut(self, cut: bool) -> None:
        """The answer does not fit the scan bar at the window's width (its end left out):
        said whole above the screen too, unless a message there or on the screen shown says
        it already (a screen's refusal the bar repeats). Whole again, that goes."""
        text = self.scan_feedback.text()
        if not cut or not text:
            self._drop_notice_of_scan()
            return
        if text == self._notice_of_scan:
            return
        bars = self.findChildren(MessageBar)
        if any(m.text() == text and m.isVisibleTo(self) for m in bars):
            return
        kind = str(self.scan_feedback.property("kind") or "")
        self.notice.show_message(text, kind if kind in COLOURS else "info")
        self._notice_of_scan = text

    def _drop_notice_of_scan(self) -> None:
        if self._notice_of_scan and self.notice.text() == self._notice_of_scan:
            self.notice.clear_message()
        self._notice_of_scan = ""

    # -- menus ----------------------------------------------------------------------------

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """Each key, as the workstation writes it, and what it does."""
        native = QKeySequence.SequenceFormat.NativeText
        keys = [
            (QKeySequence("Ctrl+L"), self.tr("Scan field")),
            (QKeySequence("Ctrl+Shift+L"), self.tr("Lock")),
            (QKeySequence(Qt.Key.Key_F5), self.tr("Refresh the screen shown")),
        ]
        if len(self.studies) > 1:
            keys.append((QKeySequence("Ctrl+Shift+S"), self.tr("Switch study")))
        keys += [(QKeySequence(c.shortcut), screen_title(c)) for c in self.classes if c.shortcut]
        keys += [
            (QKeySequence(Qt.Key.Key_Enter), self.tr("In a scan field: take the code")),
            (QKeySequence("Ctrl+Enter"), self.tr("Sign / receive on the screen shown")),
            (QKeySequence(Qt.Key.Key_Escape), self.tr("Start the screen's form over")),
            (QKeySequence(Qt.Key.Key_F4), self.tr("In a date field: open the calendar")),
        ]
        return [(key.toString(native), text) for key, text in keys]

    def shortcut_text(self) -> str:
        return "\n".join(f"{key}\t{text}" for key, text in self.shortcut_rows())

    def show_shortcuts(self) -> None:
        box = ShortcutsDialog(self.tr("Keyboard shortcuts"), self.shortcut_rows(), self)
        self.shortcuts_box = box
        box.open()

    def show_guide(self, guide: Guide) -> None:
        """Help > a guide, in the language of the windows; one guide window, brought forward
        again when it is open already."""
        from dispensary.ui.translations import installed_language

        language = installed_language()
        window = self.guide_window
        if window is None or window.language is not language:
            if window is not None:  # the guide in the language the windows now speak, once
                window.close()
                window.deleteLater()
            window = GuideWindow(guide, language, self, self.session.ctx.study)
            self.guide_window = window
        else:
            window.show_study(self.session.ctx.study)  # the study the window works in now
            if window.guide is not guide:
                window.open_guide(guide)
        window.show()
        window.raise_()
        window.activateWindow()

    def about_text(self) -> str:
        """What the About box says, as plain text a user can copy into a support request."""
        import PySide6
        from PySide6.QtCore import qVersion

        from dispensary.services import about

        facts = about.about(self.session.ctx, self.session.actor)
        lines = [
            self.tr("Dispensary {version}").format(version=facts.version),
            self.tr("Investigational drug accountability"),
            "",
            self.tr("Database: {database} ({engine})").format(
                database=facts.database, engine=facts.engine
            ),
            self.tr("Study files loaded:"),
        ]
        for row in facts.studies:
            line = self.tr("  {protocol} version {version}, loaded {day} — {title}").format(
                protocol=row.protocol,
                version=row.version,
                day=shown_date(local_day(row.loaded_at)),
                title=row.title_in(current_language().value),
            )
            if row.status == "closed":
                line = self.tr("{study} (closed)").format(study=line)
            lines.append(line)
        if not facts.studies:
            lines.append(self.tr("  none that you may see"))
        lines += [
            "",
            self.tr("Python {python}, Qt {qt}, PySide6 {pyside}").format(
                python=facts.python, qt=qVersion(), pyside=PySide6.__version__
            ),
            self.tr("Fonts: WenQuanYi Micro Hei (Apache License 2.0)"),
        ]
        return "\n".join(lines)

    def show_about(self) -> None:
        """Help > About: the version, the database and the study files, in text that can be
        selected and copied (a support call asks for exactly these)."""
        box = AboutDialog(self.tr("About Dispensary"), self.about_text(), self)
        self.about_box = box
        box.open()

    def quit(self) -> None:
        self.close()

    def change_password(self) -> None:
        """File > Change my password: the user's own, with the current one (the service of
        `dispensary user password`)."""
        from dispensary.ui.users_view import ChangePasswordDialog

        if ChangePasswordDialog.ask(self, self.session):
            self.statusBar().showMessage(self.tr("Your password is changed."), 8000)

    def sign_out(self) -> None:
        """File > Sign out: recorded, then the desk shows the sign-in window again; first the
        labels printed whose record waits are recorded or discarded, as the user chooses
        (`settle_prints`: Cancel keeps the user signed in)."""
        if not self.settle_prints():
            return
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
            users.record_session_event(self.session.ctx, self.session.user, event)
        except DispensaryError as exc:
            # The lock or sign-out still happens: leaving the screen open is the worse harm.
            self.statusBar().showMessage(
                self.tr("Not recorded in the audit trail: {message}").format(message=exc.message),
                8000,
            )

    def settle_prints(self) -> bool:
        """Before the session ends by the user's hand (the window closed, Quit, Sign out):
        labels printed in it whose record the database refused, in any study, on the Receive
        or the Dispense screen, are recorded now or discarded knowingly, as the user chooses
        in one question that names them (UnrecordedPrintsQuestion); they were dropped without
        a word, the audit trail never to show them printed. True when the session may end;
        False to stay (Cancel, the default; a record refused again, said in the notice; the
        window locked: the question is not asked of whoever stands at the lock)."""
        from dispensary.ui import unrecorded_prints as prints

        pending = prints.pending_prints(self.session)
        if not pending:
            return True
        if self.locked:
            return False
        self.contexts[self.session.ctx.study_id] = self.session.ctx
        named = [prints.described(self.session, self.contexts, one) for one in pending]
        answer = prints.UnrecordedPrintsQuestion.ask(self, named)
        if answer == prints.UnrecordedPrintsQuestion.DISCARD:
            # The discard is in the audit trail (services.labels.discard_print_record); one
            # the database refuses too still waits, said, and the session goes on.
            refused = prints.discard_pending(self.session, self.contexts, pending)
            said = [
                self.tr(
                    "Not discarded (the database refused to note it in the audit trail; the "
                    "print still waits): {what}: {why}"
                ).format(what=what, why=why)
                for what, why in refused
            ]
        elif answer == prints.UnrecordedPrintsQuestion.RECORD:
            refused = prints.record_pending(self.session, self.contexts, pending)
            said = [
                self.tr("Not recorded: {what}: {why}").format(what=what, why=why)
                for what, why in refused
            ]
        else:
            return False
        if not refused:
            return True
        # Some went through: the screen shown offers only what still waits.
        shown = self.current_screen()
        if shown is not None:
            shown.refresh()
        self.notice.show_message(sentences(said), "error")
        return False

    def save_waiting(self) -> None:
        """The workstation's file of the prints waiting for their record brought in step with
        the session, as soon as one starts waiting or is recorded or discarded (write-through):
        the program crashing, or killed, loses none. A file that cannot be written is said
        (the print still waits in the session, and the next change tries again)."""
        from dispensary.files import with_detail
        from dispensary.ui import unrecorded_prints as prints

        now = prints.waiting_of(self.session)
        contexts = {**self.contexts, self.session.ctx.study_id: self.session.ctx}
        protocols = {study: ctx.study.protocol for study, ctx in contexts.items()}
        try:
            prints.write_through(
                self.session.ctx.database, self.session.user, self.waiting_in_file, now, protocols
            )
        except (OSError, ValueError) as exc:
            self.notice.show_message(
                with_detail(
                    self.tr(
                        "Labels printed wait for their record, but this workstation's file of "
                        "them cannot be written: record them before the program is closed, or "
                        "ask the administrator to look at {file}."
                    ).format(file=prints.kept_file()),
                    exc,
                ),
                "error",
            )
            return
        self.waiting_in_file = now

    def keep_prints(self, kept: KeptPrints, in_file: bool = False) -> None:
        """The prints of this user's session ended without them (`take_prints`), or that the
        program closed (or crashed) on, given back at their next sign-in: each screen offers
        Record the print again, and the notice says so. `in_file`: read from the workstation's
        file, where they stay until recorded or discarded (never written there twice); else
        kept in memory (the file could not take them): written to it now."""
        from dispensary.ui import unrecorded_prints as prints

        labels, kits, contexts = kept
        for study, plans in labels.items():
            self.session.unrecorded.setdefault(study, {}).update(plans)
        self.session.unrecorded_kits.update(kits)
        for study, ctx in contexts.items():
            self.contexts.setdefault(study, ctx)
        if in_file:
            self.waiting_in_file.update(
                {
                    (study, key): plan
                    for study, plans in labels.items()
                    for key, plan in plans.items()
                }
            )
            self.waiting_in_file.update({(study, None): plan for study, plan in kits.items()})
        pending = prints.pending_prints(self.session)
        if not pending:
            return
        named = self.tr("; ").join(
            prints.described(self.session, self.contexts, one) for one in pending
        )
        # Record the print is offered on the Receive screen (its kit labels) and the Dispense
        # screen (the other labels): named only to a user the window lists each needed one to;
        # the question as the session ends records them all, for anyone.
        needed = {OpenKind.RECEIVE if one.key is None else OpenKind.DISPENSE for one in pending}
        if needed <= self.opens.keys():
            said = self.tr(
                "Labels printed in your last session are not yet recorded in the audit trail: "
                "{prints}. Press Record the print on the Receive or Dispense screen (they are "
                "not printed again)."
            )
        else:
            said = self.tr(
                "Labels printed in your last session are not yet recorded in the audit trail: "
                "{prints}. They are recorded as you sign out, once the database takes them (you "
                "are asked then; they are not printed again)."
            )
        self.notice.show_message(said.format(prints=named), "warning")
        shown = self.current_screen()
        if shown is not None:
            shown.refresh()
        self.save_waiting()  # after the notice: a file that cannot take them is said last

    def take_prints(self) -> KeptPrints:
        """The prints waiting for their record, taken out of the session as it ends without
        the user there to answer (their account locked elsewhere, their access withdrawn,
        another user signing in at the lock): the desk keeps them for the user's next sign-in
        (`keep_prints`), and no question is left to ask as the window closes."""
        self.contexts[self.session.ctx.study_id] = self.session.ctx
        labels = {study: dict(kept) for study, kept in self.session.unrecorded.items() if kept}
        kits = dict(self.session.unrecorded_kits)
        self.session.unrecorded.clear()
        self.session.unrecorded_kits.clear()
        # Still in the workstation's file (`save_waiting`): the window closing takes none out.
        self.session.on_waiting_changed = None
        self.waiting_in_file = {}
        return labels, kits, dict(self.contexts)

    def closeEvent(self, event: QCloseEvent) -> None:
        from dispensary.ui.dashboard import wait_for_workers

        if self.session_open and not self.settle_prints():
            event.ignore()
            return
        self.closing_for_good = True
        self.end_session()
        if self.hearing_access:  # a window closed twice disconnects once
            self.hearing_access = False
            ACCESS.withdrawn.disconnect(self._access_withdrawn)
        wait_for_workers()  # no reading thread outlives the window and its database
        super().closeEvent(event)
