"""Signing in, and locking an unattended workstation.

The sign-in window is the first thing on screen, so this module imports Qt only: the services
(and with them the database layer) are imported when the first sign-in is attempted.

The sign-in window offers the languages of the windows, by their own names. It opens in the
workstation's language (or the one last used at this desk); a language chosen there puts the
window in it at once and is kept with the user who signs in, whose windows open in it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from dispensary.files import before_detail, os_detail, with_detail
from dispensary.i18n import ENGLISH, Language
from dispensary.ui.feedback import MessageBar
from dispensary.ui.scan_field import KeyBurst
from dispensary.ui.translations import install_language, installed_language

if TYPE_CHECKING:
    from dispensary.services.context import Actor, Context

ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        # A key that is a shortcut (F5, Ctrl+L, a Go menu key) never arrives as a key press:
        # Qt asks the focus widget with ShortcutOverride, then sends Shortcut to the action.
        # A pharmacist working with shortcuts and the scanner only is at work all the same.
        QEvent.Type.ShortcutOverride,
        QEvent.Type.Shortcut,
        # Text typed through an input method (Chinese pinyin) arrives committed, not as keys.
        QEvent.Type.InputMethod,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class ScanBurst(QObject):
    """Times the keystrokes typed into a field (with the scan field's `KeyBurst`), so a barcode
    scanned into it by mistake can be told from typing. `clock` replaces the burst's clock, for
    tests; `KeyBurst.default_clock` does so for every burst made from then on."""

    def __init__(self, field: QLineEdit) -> None:
        super().__init__(field)
        self.keys = KeyBurst()
        field.installEventFilter(self)
        field.textChanged.connect(self._text_changed)

    @property
    def clock(self) -> Callable[[], float]:
        return self.keys.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.keys.clock = clock

    def _text_changed(self, text: str) -> None:
        if not text:
            self.keys.reset()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.text().isprintable()
            and event.text()
        ):
            self.keys.key(event.text())
        return False

    def looks_like_scan(self) -> bool:
        return self.keys.looks_like_scan()


def centred(widget: QWidget) -> QHBoxLayout:
    """A row with the widget in the middle; its height still follows its wrapped text (an
    alignment flag would pin it to its one-line size hint and clip the wrapped lines)."""
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row


class SignInForm(QFrame):
    """User name, password and a Sign in button; emits `signed_in(actor)` on success.

    The context is given later when the database opens after the window is shown; until then
    the button waits (and what the user types is kept)."""

    signed_in = Signal(object)

    def __init__(self, heading: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInForm")
        self.ctx: Context | None = None
        self.waiting = False
        self.action = ""  # the button's word once the database is open ("" : Sign in)
        # The language chosen in the sign-in window's chooser, kept with the user who signs in;
        # None when nobody chose one (the user's own, or the workstation's, then holds).
        self.chosen_language: Language | None = None
        layout = QVBoxLayout(self)
        self.heading = QLabel(heading)
        self.heading.setObjectName("signInHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.detail = QLabel()
        self.detail.setObjectName("signInDetail")
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        form = QFormLayout()
        self.fields = form
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username_label = self.add_row(self.username)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_label = self.add_row(self.password)
        self.burst = ScanBurst(self.password)
        layout.addLayout(form)
        # Shown after a sign-in with a password an administrator set: the user's own, twice.
        self.new_password = QLineEdit()
        self.new_password.setObjectName("newPassword")
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password_label = self.add_row(self.new_password)
        self.new_password_again = QLineEdit()
        self.new_password_again.setObjectName("newPasswordAgain")
        self.new_password_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_password_again_label = self.add_row(self.new_password_again)
        self._show_choice(False)
        self.pending: Actor | None = None  # signed in, own password still to choose
        self._first_password = ""
        self.message = MessageBar(self)
        layout.addWidget(self.message)
        self.button = QPushButton()
        self.button.setObjectName("primary")
        self.button.setAutoDefault(True)
        layout.addWidget(self.button)
        self.username.returnPressed.connect(self._next_field)
        self.password.returnPressed.connect(self._password_entered)
        self.new_password.returnPressed.connect(self.new_password_again.setFocus)
        self.new_password_again.returnPressed.connect(self.choose_password)
        self.button.clicked.connect(self._pressed)
        self.retranslate()
        self.set_context(None)

    def add_row(self, field: QWidget) -> QLabel:
        """A row of the form; its label is worded by `retranslate`."""
        label = QLabel()
        label.setBuddy(field)
        self.fields.addRow(label, field)
        return label

    def retranslate(self) -> None:
        """Every word of the form in the language now installed (the heading and the detail
        are the window's)."""
        self.username.setPlaceholderText(self.tr("user name"))
        self.username_label.setText(self.tr("&User name"))
        self.password_label.setText(self.tr("&Password"))
        self.new_password_label.setText(self.tr("&New password"))
        self.new_password_again_label.setText(self.tr("&Repeat it"))
        self.update_button()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def update_button(self) -> None:
        """The button says what pressing it does now."""
        if self.pending is not None:
            self.button.setText(self.tr("&Set my password"))
        elif self.ctx is None:
            self.button.setText(self.tr("Opening the &database…"))
        else:
            self.button.setText(self.action or self.tr("&Sign in"))

    def _show_choice(self, shown: bool) -> None:
        for field in (self.new_password, self.new_password_again):
            self.fields.setRowVisible(field, shown)

    def _pressed(self) -> None:
        if self.pending is not None:
            self.choose_password()
        else:
            self.attempt()

    def set_context(self, ctx: Context | None) -> None:
        self.ctx = ctx
        self.update_button()
        if ctx is not None and self.waiting:
            self.waiting = False
            self.attempt()

    def _next_field(self) -> None:
        if self.password.text():
            self.attempt()
        else:
            self.password.setFocus()

    def _password_entered(self) -> None:
        """Enter in the password field signs in, unless what came was a scanned barcode: that
        is no attempt at a password and must not count towards locking the account."""
        if self.burst.looks_like_scan():
            self.password.clear()
            self.message.show_message(
                self.tr("That looked like a scan: type your password."), "error"
            )
            self.password.setFocus()
            return
        self.attempt()

    def attempt(self) -> None:
        if self.ctx is None:
            self.waiting = True  # signs in as soon as the database is open
            return
        from dispensary.domain.errors import DispensaryError
        from dispensary.services import users

        name = self.username.text().strip()
        if not name:
            self.message.show_message(self.tr("Type your user name."), "error")
            self.username.setFocus()
            return
        try:
            actor = users.sign_in(self.ctx, name, self.password.text())
        except DispensaryError as exc:
            self.password.clear()
            self.message.show_message(exc.message, "error")
            self.password.setFocus()
            return
        if actor.must_change_password:
            self._ask_for_own_password(actor)
            return
        self.password.clear()
        self.message.clear_message()
        self.signed_in.emit(self._with_language(actor))

    def _with_language(self, actor: Actor) -> Actor:
        """The user signed in: the language chosen in the window, if any, is kept with them
        (their windows open in it). Not kept when the database refuses: this session still
        opens in it."""
        chosen = self.chosen_language
        if chosen is None or self.ctx is None or actor.language == chosen.value:
            return actor
        from dataclasses import replace

        from dispensary.domain.errors import DispensaryError
        from dispensary.services import users

        try:
            return users.set_language(self.ctx, actor, chosen.value)
        except DispensaryError:
            return replace(actor, language=chosen.value)

    def _ask_for_own_password(self, actor: Actor) -> None:
        """An administrator set this password: the user chooses their own before anything else.
        The administrator knows it too: a change made with it is recorded as such, and the
        next sign-in is told of it (users.password_last_set)."""
        self.pending = actor
        self._first_password = self.password.text()
        self.password.clear()
        self.username.setEnabled(False)
        self.password.setEnabled(False)
        self._show_choice(True)
        self.update_button()
        self.message.show_message(
            self.tr(
                "An administrator set this password. Choose your own now: at least 8 characters, "
                "not a common one, not your user name."
            ),
            "warning",
        )
        self.new_password.setFocus()

    def choose_password(self) -> None:
        from dispensary.domain.errors import DispensaryError
        from dispensary.services import users

        if self.pending is None or self.ctx is None:
            return
        if self.new_password.text() != self.new_password_again.text():
            self.message.show_message(
                self.tr("The two passwords differ: type them again."), "error"
            )
            self.new_password.clear()
            self.new_password_again.clear()
            self.new_password.setFocus()
            return
        try:
            actor = users.change_password(
                self.ctx, self.pending, self._first_password, self.new_password.text()
            )
        except DispensaryError as exc:
            self.message.show_message(exc.message, "error")
            self.new_password.clear()
            self.new_password_again.clear()
            self.new_password.setFocus()
            return
        self.leave_password_choice()
        self.signed_in.emit(self._with_language(actor))

    def leave_password_choice(self) -> None:
        self.pending = None
        self._first_password = ""
        self.new_password.clear()
        self.new_password_again.clear()
        self._show_choice(False)
        self.username.setEnabled(True)
        self.password.setEnabled(True)
        self.update_button()
        self.message.clear_message()


class SignInWindow(QWidget):
    """The window a workstation shows when nobody is signed in, with the language chooser."""

    def __init__(self, database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signInWindow")
        self.database = database
        self.ctx: Context | None = None
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.form = SignInForm("")
        self.form.setFixedWidth(440)
        # The languages by their own names: a reader finds theirs whatever the window is in.
        self.language = QComboBox()
        self.language.setObjectName("language")
        for language in Language:
            self.language.addItem(language.native, language.value)
        self.language_label = self.form.add_row(self.language)
        self.language.activated.connect(self._language_chosen)
        outer.addLayout(centred(self.form))
        outer.addStretch(2)
        self.resize(640, 480)
        self._show_language(installed_language())
        self.retranslate()
        self.form.username.setFocus()

    def retranslate(self) -> None:
        """Every word of the window in the language now installed."""
        self.setWindowTitle(self.tr("Dispensary — sign in"))
        self.language_label.setText(self.tr("&Language"))
        study = self.ctx.study if self.ctx is not None else None
        database = self.tr("Database: {path}").format(
            path=self.ctx.database if self.ctx is not None else self.database
        )
        self.form.heading.setText(self.tr("Dispensary"))
        if study is None:
            self.form.detail.setText(database)
            return
        # The site and pharmacy, never a study: before sign-in nothing names the studies the
        # database holds (the user may not be given this one); the window names it after.
        names = study.wording()  # the names in the user's language
        place = self.tr("{site}, {pharmacy}").format(
            site=names.site_name, pharmacy=names.pharmacy_name
        )
        self.form.detail.setText("<br>".join((place, database)))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def chosen(self) -> Language:
        """The language shown in the chooser."""
        return Language(str(self.language.currentData()))

    def _show_language(self, language: Language) -> None:
        self.language.setCurrentIndex(max(0, self.language.findData(language.value)))

    def _language_chosen(self, _index: int) -> None:
        self.choose_language(self.chosen())

    def choose_language(self, language: Language) -> None:
        """The window in that language at once; kept with the user who signs in next. A
        translation that cannot be loaded leaves the window in English, and says so."""
        self._show_language(language)
        warned = self.form.message.property("languageWarning")
        if install_language(language) or language is ENGLISH:
            self.form.chosen_language = language
            if warned:  # an earlier choice failed; this one did not (other messages stay)
                self.form.message.clear_message()
                self.form.message.setProperty("languageWarning", False)
        else:
            install_language(ENGLISH)
            self._show_language(ENGLISH)
            self.form.chosen_language = None
            self.form.message.show_message(
                self.tr("The {language} translation could not be loaded: English is used.").format(
                    language=language.native
                ),
                "warning",
            )
            self.form.message.setProperty("languageWarning", True)
        self.retranslate()
        self.form.retranslate()

    def set_context(self, ctx: Context) -> None:
        self.ctx = ctx
        self.retranslate()
        self.form.set_context(ctx)

    def reset(self) -> None:
        """Back to an empty form after a session, in the language last used at this desk."""
        self.form.leave_password_choice()
        self.form.username.clear()
        self.form.password.clear()
        self.form.message.clear_message()
        self.form.chosen_language = None
        self._show_language(installed_language())
        self.retranslate()
        self.form.retranslate()
        self.form.username.setFocus()


LOCK_BACKGROUND = "#102a43"
"""The lock screen's colour, the style sheet's #lockScreen too."""


class LockScreen(QWidget):
    """Covers the main window after a spell of inactivity or when locked by hand. The same user
    resumes with the password; another user signing in closes the session (`unlocked` says
    who signed in)."""

    unlocked = Signal(object)

    def __init__(self, ctx: Context, actor: Actor, parent: QWidget, by_hand: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        # Opaque of itself, not only through resources/style.qss (which apply_style skips when
        # the file is missing): nothing of the records shows while the desk is unattended.
        shade = self.palette()
        shade.setColor(QPalette.ColorRole.Window, QColor(LOCK_BACKGROUND))
        self.setPalette(shade)
        self.setAutoFillBackground(True)
        self.actor = actor
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.form = SignInForm(self.tr("Locked"))
        self.form.setFixedWidth(440)
        why = (
            self.tr("Locked by {name}").format(name=actor.full_name)
            if by_hand
            else self.tr("Locked after inactivity")
        )
        self.form.detail.setText(
            self.tr(
                "{why}. {name}, type your password to carry on where you were; someone else "
                "signing in closes this session."
            ).format(why=why, name=actor.full_name)
        )
        self.form.action = self.tr("Un&lock")
        self.form.set_context(ctx)
        self.form.username.setText(actor.username)
        outer.addLayout(centred(self.form))
        outer.addStretch(2)
        self.form.signed_in.connect(self.unlocked.emit)
        parent.installEventFilter(self)
        self.setGeometry(parent.rect())
        self.raise_()
        self.show()
        layout = self.layout()
        if layout is not None:
            layout.activate()
        self.form.password.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        parent = self.parentWidget()
        if parent is not None and watched is parent and event.type() == QEvent.Type.Resize:
            self.setGeometry(parent.rect())
        return False


def close_other_windows(keep: tuple[QWidget, ...]) -> list[str]:
    """Every window of the application on screen but those kept (the locked main window, the
    sign-in window) closes: a dialog is cancelled (rejected), so that none is left over the lock
    screen to be read or submitted, modal or not. The titles of those closed come back, to be
    named after the unlock. Closed rather than hidden, to come back after the unlock: a form
    running modally ends when it is hidden, and a form left half-filled while the desk was
    unattended is better typed again, seen whole, than saved later in the user's name."""
    closed: list[str] = []
    for widget in QApplication.topLevelWidgets():
        if widget in keep or not widget.isVisible():
            continue
        kind = widget.windowType()
        if kind in (Qt.WindowType.ToolTip, Qt.WindowType.Popup):
            widget.close()  # a menu or a list dropped open: nothing to name
            continue
        title = widget.windowTitle().replace("[*]", "").strip()
        dismiss(widget)
        if title and title not in closed:
            closed.append(title)
    return closed


def dismiss(widget: QWidget) -> None:
    """A window off the screen: a dialog cancelled (its exec() returns, as Cancel would), then
    closed, and hidden should it refuse to close (a message box without a Cancel button
    ignores a close)."""
    if isinstance(widget, QDialog):
        widget.reject()
    widget.close()
    if widget.isVisible():
        widget.hide()


class WindowGuard(QObject):
    """While the window is locked, and after a session ended, a window the program still opens
    closes as soon as it shows: the next message box of a chain whose first the lock cancelled,
    the answer to a click already on its way, a box opened by a dialog cancelled at a sign-out.
    Only the windows in `keep` (the locked main window, the sign-in window) and the windows
    opened inside a widget of `within` (the lock screen's or the sign-in window's own lists)
    stay: nothing is left over the lock to be read or clicked."""

    def __init__(
        self,
        keep: tuple[QWidget, ...],
        within: tuple[QWidget, ...],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.keep = keep
        self.within = within
        self.pending: list[QWidget] = []
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.pending = []

    def allowed(self, window: QWidget) -> bool:
        if window.windowType() == Qt.WindowType.ToolTip or any(window is w for w in self.keep):
            return True
        here = window.parentWidget()
        while here is not None:
            if any(here is w for w in self.within):
                return True
            here = here.parentWidget()
        return False

    def on_guard(self) -> bool:
        """While a kept window is on screen (the locked window, the sign-in window): once none
        is (the program quitting, the desk's windows closed), what shows is no longer this
        session's to close."""
        return any(shiboken6.isValid(w) and w.isVisible() for w in self.keep)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and self.on_guard()
            and not self.allowed(watched)
        ):
            # Not at once: a dialog shown by exec() has yet to start its loop, and hidden
            # before that the loop would wait for ever on a window no one can see.
            self.pending.append(watched)
            QTimer.singleShot(0, self, self._dismiss_pending)
        return False

    def _dismiss_pending(self) -> None:
        pending, self.pending = self.pending, []
        for widget in pending:
            if shiboken6.isValid(widget) and widget.isVisible():
                dismiss(widget)


class IdleWatcher(QObject):
    """Any key, click or mouse movement anywhere in the application restarts the countdown;
    when it runs out, `idle` fires (the controller locks the window)."""

    idle = Signal()

    def __init__(self, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(max(1, minutes) * 60_000)
        self.enabled = minutes > 0
        self.timer.timeout.connect(self.idle.emit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def start(self) -> None:
        if self.enabled:
            self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def detach(self) -> None:
        self.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY and self.timer.isActive():
            self.timer.start()
        return False


class AccountWatch(QObject):
    """Asks, at the user's next key press or click (at most once every `every` seconds), whether
    the signed-in account was locked or deactivated meanwhile (by five wrong signatures, by an
    administrator elsewhere); if so the action is swallowed and `ended` says why. The services
    refuse every write of such an account anyway: this ends the session before the user types a
    whole form that cannot be saved."""

    ended = Signal(str)

    def __init__(
        self,
        check: Callable[[], str | None],
        every: float = 2.0,
        clock: Callable[[], float] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        import time

        self.check = check
        self.every = every
        self.clock = clock or time.monotonic
        self.last = self.clock()
        self.stopped = False
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def detach(self) -> None:
        self.stopped = True
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            return False
        # An event can reach this filter of the whole application while its Python object is
        # being torn down (its attributes cleared, the Qt object not yet gone): such a watch
        # counts as stopped, and lets the event through.
        if getattr(self, "stopped", True):
            return False
        now = self.clock()
        if now - self.last < self.every:
            return False
        self.last = now
        why = self.check()
        if why is None:
            return False
        self.detach()
        self.ended.emit(why)
        return True


class BackupThread(QThread):
    """The day's automatic backup, off the UI thread: the first sign-in of the day should not
    wait for a copy of the whole database (and its integrity check). `done` carries a line for
    the status bar, and whether it reports a failure."""

    done = Signal(str, bool)

    def __init__(
        self, ctx: Context, actor: Actor, folder: Path, keep: int, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.actor = actor
        self.folder = folder
        self.keep = keep

    def run(self) -> None:
        from dispensary.domain.errors import DatabaseDamaged, DispensaryError
        from dispensary.services.backup import BackupNotRecorded, automatic_backup

        try:
            result = automatic_backup(self.ctx, self.actor, self.folder, self.keep)
        except BackupNotRecorded as exc:  # kept, not failed: it says where and what to do
            self.done.emit(exc.message, True)
            return
        except DatabaseDamaged as exc:  # another backup would not help: it says what to do
            self.done.emit(str(exc), True)
            return
        except DispensaryError as exc:  # what to do before the fault's technical detail
            self.done.emit(
                before_detail(
                    self.tr("The automatic backup failed: {error}").format(error=exc.message),
                    self.tr("It will be tried again at the next sign-in. Tell the administrator."),
                ),
                True,
            )
            return
        except OSError as exc:
            self.done.emit(
                with_detail(
                    self.tr(
                        "The automatic backup failed. It will be tried again at the next sign-in. "
                        "Tell the administrator."
                    ),
                    os_detail(exc),
                ),
                True,
            )
            return
        if result is None:
            self.done.emit("", False)
            return
        if result.chain_broken:  # saved as evidence, marked, no code: said in red
            self.done.emit(result.chain_broken, True)
            return
        self.done.emit(self.tr("Today's backup saved: {path}").format(path=result.path), False)
