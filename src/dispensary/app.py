"""The one place that wires the workstation together: settings, the database (engine and study),
the services, and the windows a user sees from sign-in to sign-out.

Nothing else builds a main window or holds the signed-in user: screens get an `AppSession`
and ask the services; the `Desk` here decides which window is on screen.
"""

from __future__ import annotations

# First, before Qt and the rest: PySide6's import hook would keep the source of every module
# imported after it (ui/qt_imports.py).
import dispensary.ui.qt_imports  # noqa: F401

# isort: split
import argparse
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from dispensary import config
from dispensary.cli.core import database_option
from dispensary.config import Settings
from dispensary.files import private_umask, with_detail, write_error_text
from dispensary.i18n import (
    ENGLISH,
    Language,
    language_named,
    parse_language,
    sentences,
    set_language,
    system_language,
)
from dispensary.ui import collection
from dispensary.ui.app import apply_style
from dispensary.ui.sign_in import (
    AccountWatch,
    BackupThread,
    IdleWatcher,
    LockScreen,
    SignInWindow,
    WindowGuard,
    close_other_windows,
)
from dispensary.ui.translations import install_language, installed_language, load_cjk_font

if TYPE_CHECKING:
    from dispensary.domain.errors import DispensaryError
    from dispensary.services.context import Actor, Clock, Context
    from dispensary.ui.main_window import KeptPrints, MainWindow


PROBE = "DISPENSARY_STARTUP_PROBE"
PROBE_SHOWN = "sign-in window shown after"
PROBE_OPEN = "database open after"
PROBE_SET_UP = "set-up wizard shown after"
PROBE_PEAK = "peak memory"
"""The probe's last line: the process's own peak resident memory (VmHWM). A parent's
`wait4` cannot tell it: Linux carries the launching process's peak over the exec into the
child's ru_maxrss, so a large benchmark process saw its own size, not this program's."""


@dataclass
class Workstation:
    """What this computer runs on: its settings and the open database."""

    ctx: Context
    settings: Settings
    warning: str | None = None  # said when the database opened, e.g. other accounts may read it
    upgraded: str | None = None  # said once: this opening upgraded the database, and the copy

    @property
    def backup_dir(self) -> Path:
        return config.backup_dir(self.ctx.database)


def open_workstation(
    database: str, clock: Clock | None = None, settings: Settings | None = None
) -> Workstation:
    """Opens (and checks) the database; a `DatabaseProblem` says why not, nothing written."""
    from dispensary.services.setup import open_database

    opened = open_database(database, clock, backup_dir=config.backup_dir(database))
    loaded = settings if settings is not None else Settings.load()
    upgraded = None
    if opened.migrated_from:  # only the opening that upgraded it: said once
        upgraded = (
            QCoreApplication.translate(
                "Workstation",
                "The database was upgraded to this version of Dispensary (from schema {schema}). "
                "The file as it was before the upgrade is kept at {path}.",
            ).format(schema=opened.migrated_from, path=opened.backup)
            if opened.backup
            else QCoreApplication.translate(
                "Workstation",
                "The database was upgraded to this version of Dispensary (from schema {schema}).",
            ).format(schema=opened.migrated_from)
        )
    return Workstation(opened.context, loaded, opened.warning, upgraded)


def show_opening_notes(workstation: Workstation, window: SignInWindow) -> None:
    """What the opening found, on the sign-in window: a warning (other accounts may read the
    file), and that it upgraded the database, with where the file before it is kept (the
    migration was otherwise said nowhere in the window)."""
    if window.form.message.isVisible():
        return
    notes = [n for n in (workstation.warning, workstation.upgraded) if n]
    if notes:
        window.form.message.show_message(
            "\n\n".join(notes), "warning" if workstation.warning else "info"
        )


def build_demo_if_missing(database: str) -> bool:
    """`--demo`: builds the demo pharmacy at `database` unless a database is already there."""
    if "://" in database:
        return False
    path = Path(database).expanduser()
    if path.exists() and path.stat().st_size > 0:
        return False
    from dispensary.labels.dispensing import check_study_label_fits
    from dispensary.services.demo import build_demo_file, demo_studies

    for study in demo_studies():  # each label fits its stock, as `study add` checks
        check_study_label_fits(study)
    if path.exists():
        path.unlink()  # an empty file holds nothing: SQLite would treat it as a new database
    build_demo_file(path)  # built beside it and put in place in one step
    return True


class Desk(QObject):
    """Who is signed in at this workstation, and what they see: the sign-in window, their
    main window, the lock screen over it, and the day's automatic backup."""

    session_started = Signal(object)  # the MainWindow now on screen

    def __init__(self, workstation: Workstation, sign_in: SignInWindow) -> None:
        super().__init__()
        self.workstation = workstation
        self.sign_in = sign_in
        self.window: MainWindow | None = None
        self.lock_screen: LockScreen | None = None
        self.closed_by_lock: list[str] = []  # the windows the lock closed, named at the unlock
        self.closed_note: QMessageBox | None = None
        self.password_note: QMessageBox | None = None  # how the password was last set
        self.watcher: IdleWatcher | None = None
        self.account_watch: AccountWatch | None = None
        self.guard: WindowGuard | None = None  # while locked, and after a session ended
        self.backup: BackupThread | None = None
        self.prints_note = ""  # why the prints of a session ended could not be kept in the file
        self.kept_prints: dict[int, KeptPrints] = {}
        """User id -> the labels printed in a session of theirs that ended without them (their
        account locked elsewhere, their access withdrawn, another user signing in at the
        lock) whose record the database had refused, when the workstation's file of them
        (unrecorded_prints.KEPT_FILE, where they are kept first, so that the program closed
        meanwhile loses none) could not be written: given back at their next sign-in, to
        record (MainWindow.keep_prints); never asked of whoever stands at the workstation."""
        sign_in.set_context(workstation.ctx)
        sign_in.form.signed_in.connect(self.start_session)

    @property
    def actor(self) -> Actor | None:
        return self.window.session.actor if self.window is not None else None

    def start_session(self, actor: Actor) -> MainWindow:
        from dispensary.ui.main_window import MainWindow
        from dispensary.ui.screens import OPENS, screen_classes
        from dispensary.ui.session import AppSession

        # The user's own language (chosen at sign-in), else the one the sign-in window is in.
        chosen = parse_language(actor.language) or installed_language()
        if not install_language(chosen) and chosen is not ENGLISH:
            self.sign_in.form.message.show_message(
                self.tr("The {language} translation could not be loaded: English is used.").format(
                    language=chosen.native
                ),
                "warning",
            )
        self._unguard()
        session = AppSession(self.workstation.ctx, actor, self.workstation.settings)
        window = MainWindow(
            session, screen_classes(), {kind.value: cls for kind, cls in OPENS.items()}
        )
        window.lock_requested.connect(self.lock_by_hand)
        window.sign_out_requested.connect(self.sign_out)
        window.access_ended.connect(self.end_session)
        window.show()
        self._give_back_prints(window, actor)
        previous = self.window
        self.window = window
        if previous is not None:
            self._close(previous)
        self.sign_in.hide()
        self.watcher = IdleWatcher(self._idle_lock_minutes(), self)
        self.watcher.idle.connect(self.lock)
        self.watcher.start()
        self._watch_account(actor)
        self._back_up(actor, window)
        self._tell_how_the_password_was_set(window, actor)
        self.session_started.emit(window)
        return window

    def _give_back_prints(self, window: MainWindow, actor: Actor) -> None:
        """The prints kept for this user from a session ended without them, in memory or in
        the workstation's file (from a run of the program before this one too), given back
        to their session: it offers Record the print, and asks before it ends."""
        from dispensary.ui import unrecorded_prints as prints

        kept = self.kept_prints.pop(actor.user_id, None)
        if kept is not None:
            window.keep_prints(kept)
        try:
            stored, unopened = prints.read_kept(self.workstation.ctx, actor)
        except (OSError, ValueError) as exc:
            window.notice.show_message(
                with_detail(
                    self.tr(
                        "Labels printed in an earlier session of yours may wait for their "
                        "record, but this workstation's file of them cannot be read: ask the "
                        "administrator to look at {file}."
                    ).format(file=prints.kept_file()),
                    exc,
                ),
                "error",
            )
            return
        if any(stored[:2]):
            window.keep_prints(stored, in_file=True)
        if unopened:  # kept in the file, said: neither lost nor filed under another study
            said = self.tr(
                "Labels you printed in {studies} wait for their record, but you cannot open "
                "that study now: they stay kept on this workstation until you can (ask the "
                "administrator for your access to it)."
            ).format(studies=", ".join(p or "?" for p in unopened))
            shown = window.notice.text() if window.notice.kind == "warning" else ""
            window.notice.show_message(sentences([shown, said]) if shown else said, "warning")

    def _tell_how_the_password_was_set(self, window: MainWindow, actor: Actor) -> None:
        """The first sign-in after a change made with a temporary password (which the
        administrator who set it knew) shows who set it and when the change was made: the
        user recognises their own change, or reports one they did not make."""
        from dispensary.domain.errors import DispensaryError
        from dispensary.services import users

        try:
            said = users.password_last_set(self.workstation.ctx, actor)
        except DispensaryError:
            return  # told at a later sign-in's window, or in the trail
        if said is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("How your password was last set"),
            said,
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setObjectName("passwordLastSet")
        self.password_note = box
        box.open()

    def _idle_lock_minutes(self) -> int:
        """The pharmacy's idle lock time (services/pharmacy: an administrator's audited setting,
        never off); a database that cannot be read just now gives the default, never no lock."""
        from dispensary.domain.errors import DispensaryError
        from dispensary.services import pharmacy

        try:
            return pharmacy.idle_lock_minutes(self.workstation.ctx)
        except DispensaryError:
            return pharmacy.IDLE_LOCK_DEFAULT

    def _watch_account(self, actor: Actor) -> None:
        from dispensary.domain.errors import DispensaryError
        from dispensary.services import users

        ctx = self.workstation.ctx

        def ended() -> str | None:
            try:
                return users.account_state(ctx, actor)
            except DispensaryError:
                return None  # a busy or unreadable database is said by the action itself

        if self.account_watch is not None:
            self.account_watch.detach()
        self.account_watch = AccountWatch(ended, parent=self)
        self.account_watch.ended.connect(self.end_session)

    def end_session(self, why: str) -> None:
        """The account was locked or deactivated elsewhere: back to the sign-in window, saying
        why (nothing more could have been saved from this session)."""
        self.prints_note = ""
        self.sign_out()
        said = sentences([why, self.prints_note]) if self.prints_note else why
        self.sign_in.form.message.show_message(said, "error")

    def _back_up(self, actor: Actor, window: MainWindow) -> None:
        if self.backup is not None and self.backup.isRunning():
            return
        self.backup = BackupThread(
            self.workstation.ctx,
            actor,
            self.workstation.backup_dir,
            self.workstation.settings.backups_kept,
            self,
        )
        self.backup.done.connect(self._backup_done)
        thread = self.backup
        thread.finished.connect(lambda: collection.release(thread))
        collection.hold(thread)  # no garbage collection in its thread (ui/collection.py)
        thread.start()

    @Slot(str, bool)
    def _backup_done(self, text: str, failed: bool) -> None:
        """Runs on the UI thread (the signal is queued from the backup thread)."""
        if text and self.window is not None:
            self.window.show_backup(text, failed)

    def lock_by_hand(self) -> None:
        """The Lock menu: the lock screen says it was locked by hand, not for inactivity."""
        self.lock(by_hand=True)

    def lock(self, by_hand: bool = False) -> None:
        window = self.window
        if window is None or self.lock_screen is not None:
            return
        if self.watcher is not None:
            self.watcher.stop()
        screen = LockScreen(self.workstation.ctx, window.session.actor, window, by_hand=by_hand)
        self.lock_screen = screen
        screen.unlocked.connect(self._unlocked)
        window.set_locked(True)  # the session refuses every action from here (AppSession.actor)
        self.closed_by_lock = close_other_windows((window, self.sign_in))
        self._guard((window, self.sign_in), (self.sign_in, screen))

    def _guard(self, keep: tuple[QWidget, ...], within: tuple[QWidget, ...]) -> None:
        """From now on until a session goes on, a window opened still closes as it shows."""
        self._unguard()
        self.guard = WindowGuard(keep, within, self)

    def _unguard(self) -> None:
        if self.guard is not None:
            self.guard.detach()
            self.guard.deleteLater()
            self.guard = None

    def _unlocked(self, actor: Actor) -> None:
        self._unguard()
        window = self.window
        overlay = self.lock_screen
        self.lock_screen = None
        if overlay is not None:
            overlay.hide()
            overlay.deleteLater()
        if window is None:
            return
        if actor.user_id != window.session.actor.user_id:
            self.start_session(actor)
            return
        window.set_locked(False)
        if self.watcher is not None:
            self.watcher.start()
        current = window.current_screen()
        if current is not None:
            current.setFocus()
        self._name_closed_windows(window)

    def _name_closed_windows(self, window: MainWindow) -> None:
        """After the unlock, the user is told which windows the lock closed, unsaved: they
        open them again rather than believe what they typed there was kept."""
        closed, self.closed_by_lock = self.closed_by_lock, []
        if not closed:
            return
        box = QMessageBox(
            QMessageBox.Icon.Information,
            self.tr("Closed by the lock"),
            self.tr(
                "The lock closed {windows}. Nothing typed there was saved: open it again to "
                "carry on."
            ).format(windows=", ".join(f"“{title}”" for title in closed)),
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setObjectName("closedByLock")
        self.closed_note = box
        box.open()

    def sign_out(self) -> None:
        """Back to the sign-in window. Every other window of the session closes first, a
        message box or a file dialog open at that moment too (a session ended by an account
        locked elsewhere comes at the user's next key, a box open or not), and any the
        session's code still opens closes as it shows."""
        window = self.window
        self.window = None
        self.sign_in.reset()
        self.sign_in.show()
        close_other_windows((self.sign_in,) if window is None else (self.sign_in, window))
        self._guard((self.sign_in,), (self.sign_in,))
        if window is not None:
            self._close(window)

    def _close(self, window: MainWindow) -> None:
        if self.account_watch is not None:
            self.account_watch.detach()
            self.account_watch.deleteLater()
            self.account_watch = None
        if self.watcher is not None:
            self.watcher.detach()
            self.watcher.deleteLater()
            self.watcher = None
        if self.lock_screen is not None and self.lock_screen.parent() is window:
            self.lock_screen = None
        self.closed_by_lock = []  # named to the user of that session only
        # Signed out by hand, the user settled them (MainWindow.settle_prints); else kept.
        labels, kits, contexts = window.take_prints()
        if labels or kits:
            self._keep_prints(window.session.user, (labels, kits, contexts))
        window.lock_requested.disconnect(self.lock_by_hand)
        window.sign_out_requested.disconnect(self.sign_out)
        window.close()
        window.deleteLater()

    def _keep_prints(self, user: Actor, kept: KeptPrints) -> None:
        """Kept in the workstation's file for the user's next sign-in, whenever it comes (the
        program may close before); a file that cannot be written keeps them in memory, and the
        sign-in window says that closing the program loses them."""
        from dispensary.ui import unrecorded_prints as prints

        try:
            prints.store_kept(self.workstation.ctx.database, user, kept)
        except (OSError, ValueError) as exc:
            self.kept_prints[user.user_id] = kept
            self.prints_note = with_detail(
                self.tr(
                    "Labels printed by {user} wait for their record, but they could not "
                    "be kept in this workstation's file: {user} is to sign in again before "
                    "the program is closed, or their record is lost."
                ).format(user=user.username),
                exc,
            )
            # Said where it is seen: the window of the user who signed in at the lock, else
            # the sign-in window.
            if self.window is not None:
                self.window.notice.show_message(self.prints_note, "error")
            else:
                self.sign_in.form.message.show_message(self.prints_note, "error")

    def close_database(self) -> None:
        """At exit: the backup finishes, then the database connections close. The guard of a
        session ended goes too (a window shown from then on, the next desk's, is not one of
        this session's)."""
        self._unguard()
        self.wait_for_backup()
        self.workstation.ctx.engine.dispose()

    def wait_for_backup(self) -> None:
        """Before the program exits: a backup in progress finishes its file."""
        if self.backup is not None:
            self.backup.wait()


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="dispensary-gui", description="Dispensary: the pharmacy's desktop program."
    )
    parser.add_argument(
        "--db",
        type=database_option,  # given empty, a usage mistake: never DISPENSARY_DB in its place
        help="database file or URL (default: DISPENSARY_DB, then the user data folder)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="build the demo pharmacy first if the file does not exist (without --db: "
        "demo.sqlite3 in the data folder)",
    )
    parser.add_argument(
        "--lang",
        type=_language,
        help="language of the windows before sign-in: en or zh_CN (default: the system's; "
        "each user's own choice applies after sign-in)",
    )
    return parser.parse_args(list(argv))


def _language(value: str) -> Language:
    try:
        return language_named(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def demo_database(args: argparse.Namespace) -> str:
    """--demo without --db uses demo.sqlite3 in the data folder, never the real database."""
    return str(args.db or config.data_dir() / "demo.sqlite3")


def peak_memory_mb() -> float | None:
    """This process's peak resident memory since it started (Linux), else None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def process_seconds() -> float:
    """Seconds since this process started (Linux reads it from /proc; elsewhere since import)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            now = float(uptime.read().split()[0])
        return now - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED


_IMPORTED = time.perf_counter()


def open_in_pharmacy_language(workstation: Workstation, window: SignInWindow) -> None:
    """The sign-in window in the language the pharmacy chose (Settings), unless someone
    already chose one in it; not kept with the user who signs in, as a choice made there is."""
    from dispensary.domain.errors import DispensaryError
    from dispensary.services import pharmacy

    if window.form.chosen_language is not None:
        return
    try:
        language = parse_language(pharmacy.particulars(workstation.ctx).language)
    except DispensaryError:
        return  # the sign-in says what is wrong with the database
    if language is not None and language is not installed_language():
        window.choose_language(language)
        window.form.chosen_language = None


def opening_refusal(exc: DispensaryError) -> str:
    """What a window says of a database it cannot open: the services' refusal, except for a
    database missing where it was named. The command's words for that advise `dispensary
    init`, a new, empty pharmacy, where a network drive may only not be connected yet (see
    needs_set_up); a desktop user is told to check the drive, or to ask the administrator."""
    from dispensary.domain.errors import NoDatabase

    if isinstance(exc, NoDatabase):
        return QCoreApplication.translate(
            "FirstRun",
            "There is no database at {path}. Check that the drive or folder it is on is "
            "available (a network drive may not be connected yet), then start Dispensary again. "
            "If it is, ask the administrator which database file this workstation opens.",
        ).format(path=exc.path)
    return exc.message


class DatabaseOpener(QThread):
    """Opens (or first builds, for --demo) the database off the UI thread, so the sign-in
    window takes keystrokes while the database layer loads and the file is checked."""

    opened = Signal(object)  # a Workstation
    failed = Signal(str, int)  # the message, the exit code

    def __init__(self, database: str, demo: bool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database = database
        self.demo = demo

    def run(self) -> None:
        from dispensary.domain.errors import DispensaryError
        from dispensary.services.faults import escaped_fault

        try:
            if self.demo:
                build_demo_if_missing(self.database)
            workstation = open_workstation(self.database)
        except DispensaryError as exc:  # full, read-only, busy, foreign, damaged...: named
            self.failed.emit(opening_refusal(exc), exc.exit_code)
            return
        except OSError as exc:  # the demo's file, the settings: said, not a silent thread
            self.failed.emit(write_error_text(exc, exc.filename or self.database, False), 3)
            return
        except Exception as exc:
            fault = escaped_fault(exc, self.database)
            if fault is not None:
                self.failed.emit(fault.message, fault.exit_code)
            else:
                self.failed.emit(
                    with_detail(
                        QCoreApplication.translate(
                            "FirstRun",
                            "The database could not be opened: an error the program does not "
                            "know stopped it. Start Dispensary again; if it keeps failing, tell "
                            "the administrator.",
                        ),
                        f"{type(exc).__name__}: {exc}",
                    ),
                    1,
                )
            return
        self.opened.emit(workstation)


def needs_set_up(args: argparse.Namespace, database: str) -> bool:
    """A first start: no --db or --demo asked for, no DISPENSARY_DB, no location saved by an
    earlier set-up, and no database in the default file. A database named any of those ways
    but missing (a network drive not mounted yet) is an error said as such by the opening,
    never a reason to set up a new, empty pharmacy in its place."""
    if args.db or args.demo or os.environ.get(config.ENV_DB) or config.saved_database():
        return False
    if "://" in database:
        return False
    path = Path(database).expanduser()
    try:
        return not path.exists() or (path.is_file() and path.stat().st_size == 0)
    except OSError:
        return False  # said by the opening itself, with its reason


class FirstRun(QObject):
    """The set-up wizard, then the workstation it made: the new administrator signed in to the
    Today screen, or the sign-in window of a pharmacy set up from another workstation."""

    signed_in = Signal(object)  # the MainWindow now on screen

    def __init__(self, database: str) -> None:
        super().__init__()
        from dispensary.ui.setup_wizard import SetUpWizard

        self.wizard = SetUpWizard(database)
        self.wizard.set_up_done.connect(self._set_up)
        self.wizard.existing_chosen.connect(self._existing)
        self.wizard.rejected.connect(self._cancelled)
        self.sign_in: SignInWindow | None = None
        self.desk: Desk | None = None

    def _cancelled(self) -> None:
        """Cancel: the program ends, nothing made."""
        QApplication.exit(0)

    def _open(self, database: str) -> Workstation | None:
        from dispensary.domain.errors import DispensaryError

        try:
            config.save_database(database)
            return open_workstation(database)
        except DispensaryError as exc:
            self._failed(opening_refusal(exc), exc.exit_code)
        except OSError as exc:
            self._failed(write_error_text(exc, exc.filename or database, False), 3)
        return None

    def _failed(self, message: str, code: int) -> None:
        QMessageBox.critical(self.wizard, self.tr("Dispensary cannot open the database"), message)
        QApplication.exit(code)

    def _desk(self, workstation: Workstation) -> Desk:
        self.sign_in = SignInWindow(workstation.ctx.database)
        self.desk = Desk(workstation, self.sign_in)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.desk.wait_for_backup)
        return self.desk

    def _set_up(self, ctx: Context, actor: Actor) -> None:
        ctx.engine.dispose()  # the workstation opens it as every start does
        workstation = self._open(ctx.database)
        if workstation is None:
            return
        window = self._desk(workstation).start_session(actor)
        self.signed_in.emit(window)

    def _existing(self, database: str) -> None:
        workstation = self._open(database)
        if workstation is None:
            return
        self._desk(workstation)
        assert self.sign_in is not None
        self.sign_in.show()

    def close(self) -> None:
        self.wizard.rejected.disconnect(self._cancelled)  # closed by the program, not cancelled
        self.wizard.closing = True  # nothing asked
        self.wizard.close()
        if self.desk is not None:
            self.desk.close_database()
        if self.sign_in is not None:
            self.sign_in.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(sys.argv[1:] if argv is None else argv)
    umask = private_umask()  # every file the program creates (SQLite's too) is owner-only
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Dispensary")
    app.setOrganizationName("Dispensary")
    apply_style(app)
    load_cjk_font()  # Chinese text never shows as empty boxes, whatever fonts are installed
    if args.lang is not None:
        set_language(args.lang)  # a demo built now is built in it too
    install_language(args.lang or system_language())
    database = demo_database(args) if args.demo else config.database_from(args.db)
    if needs_set_up(args, database):
        first = FirstRun(database)
        first.wizard.show()
        if os.environ.get(PROBE):  # a start-up probe on a new workstation: shown, then quit

            def wizard_shown() -> None:
                print(f"{PROBE_SET_UP} {process_seconds():.3f} s", flush=True)
                app.quit()

            QTimer.singleShot(0, wizard_shown)
        code = app.exec()
        first.close()
        os.umask(umask)
        return code
    window = SignInWindow(database)
    window.show()
    probe = bool(os.environ.get(PROBE))
    times: dict[str, float] = {}
    kept: dict[str, object] = {}

    def report_when_ready() -> None:
        if probe and len(times) == 2:
            peak = peak_memory_mb()
            if peak is not None:
                print(f"{PROBE_PEAK} {peak:.1f} MB", flush=True)
            app.quit()

    def shown() -> None:
        times["shown"] = process_seconds()
        if probe:
            print(f"{PROBE_SHOWN} {times['shown']:.3f} s", flush=True)
        report_when_ready()

    def opened(workstation: Workstation) -> None:
        times["database"] = process_seconds()
        if probe:
            print(f"{PROBE_OPEN} {times['database']:.3f} s", flush=True)
        desk = Desk(workstation, window)
        kept["desk"] = desk
        if args.lang is None:
            open_in_pharmacy_language(workstation, window)
        show_opening_notes(workstation, window)
        app.aboutToQuit.connect(desk.wait_for_backup)
        report_when_ready()

    def failed(message: str, exit_code: int) -> None:
        title = QCoreApplication.translate("FirstRun", "Dispensary cannot open the database")
        QMessageBox.critical(window, title, message)
        app.exit(exit_code)

    opener = DatabaseOpener(database, args.demo)
    opener.opened.connect(opened)
    opener.failed.connect(failed)
    opener.start()
    QTimer.singleShot(0, shown)
    code = app.exec()
    opener.wait()
    window.close()
    desk = kept.get("desk")
    if isinstance(desk, Desk):
        desk.close_database()
    os.umask(umask)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
