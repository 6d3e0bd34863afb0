"""Signing in, the lock after inactivity, and the day's automatic backup."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from counter_fixtures import OPENING_DAY, Counter, Stopwatch
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_helpers import answer_eligibility

from dispensary.app import Desk, Workstation
from dispensary.config import Settings
from dispensary.domain.errors import DispensaryError
from dispensary.services import audit, pharmacy, setup, users
from dispensary.services.context import FixedClock
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.forms import BANNER_COLOURS
from dispensary.ui.main_window import MainWindow
from dispensary.ui.sign_in import SignInWindow
from tamper import lose_index_rows


@pytest.fixture
def desk(qtbot: QtBot, counter: Counter) -> Desk:
    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    workstation = Workstation(counter.ctx, Settings(backups_kept=3))
    desk = Desk(workstation, window)
    window.show()
    qtbot.waitExposed(window)
    return desk


def sign_in(qtbot: QtBot, desk: Desk, username: str, password: str) -> None:
    form = desk.sign_in.form
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, password)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)


def signed_in_window(qtbot: QtBot, desk: Desk) -> MainWindow:
    window = desk.window
    assert window is not None
    qtbot.addWidget(window)
    if desk.backup is not None:
        desk.backup.wait()  # the backup thread finishes its file
    return window


def test_sign_in_opens_the_main_window_and_makes_the_days_backup(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    assert desk.sign_in.form.button.isEnabled()
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    assert window.isVisible() and not desk.sign_in.isVisible()
    assert "Paula Pharm" in window.user_label.text() and "Pharmacist" in window.user_label.text()
    assert counter.ctx.database in window.database_label.text()
    assert [c.title for c in window.classes][:4] == ["Today", "Dispense", "Returns", "Receive"]
    backups = list((counter.path.parent / "backups").glob("pharmacy-*.sqlite3"))
    assert len(backups) == 1
    qtbot.waitUntil(lambda: "backup saved" in window.backup_label.text())


def test_a_wrong_password_is_refused_and_five_lock_the_account(qtbot: QtBot, desk: Desk) -> None:
    sign_in(qtbot, desk, "pharm", "guess-one")
    form = desk.sign_in.form
    assert form.message.text() == users.SIGN_IN_FAILED  # the same words for every failure
    assert form.password.text() == ""
    assert desk.window is None
    for attempt in range(4):
        sign_in(qtbot, desk, "pharm", f"guess-{attempt}")
    assert form.message.text() == users.SIGN_IN_FAILED
    # Locked: the right password is refused in the words of a wrong one (nothing confirms it).
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    assert form.message.text() == users.SIGN_IN_FAILED
    assert desk.window is None


def test_a_monitor_sees_only_what_a_monitor_may_use(qtbot: QtBot, desk: Desk) -> None:
    sign_in(qtbot, desk, "monitor", "monitorpass1")
    window = signed_in_window(qtbot, desk)
    titles = [c.title for c in window.classes]
    assert "Dispense" not in titles and "Receive" not in titles and "Returns" not in titles
    assert "Today" in titles and "Inventory" in titles
    assert "Backups" in titles and "Audit trail" in titles  # who reads the trail reads the backups
    assert "Users" not in titles and "Settings" not in titles


class CountingTimer:
    """Stands in for the idle countdown so a test sees each restart without waiting."""

    def __init__(self) -> None:
        self.starts = 0

    def isActive(self) -> bool:
        return True

    def start(self) -> None:
        self.starts += 1

    def stop(self) -> None:
        pass


def test_activity_restarts_the_idle_countdown(qtbot: QtBot, desk: Desk) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    watcher = desk.watcher
    assert watcher is not None and watcher.timer.isActive()
    assert watcher.timer.interval() == pharmacy.IDLE_LOCK_DEFAULT * 60_000  # the pharmacy's
    counting = CountingTimer()
    watcher.timer = counting  # type: ignore[assignment]
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    QApplication.sendEvent(window.scan_field, key)
    assert counting.starts >= 1  # (the field is offered the key as a shortcut first: twice)


def test_idle_lock_covers_the_window_and_the_same_user_resumes_where_they_were(
    qtbot: QtBot, desk: Desk
) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    dispense = window.show_screen(DispenseScreen)
    assert isinstance(dispense, DispenseScreen)
    dispense.load_participant("01-001")
    assert desk.watcher is not None
    desk.watcher.idle.emit()  # the countdown ran out

    lock = desk.lock_screen
    assert lock is not None and lock.isVisible()
    assert lock.geometry() == window.rect()
    assert not window.menuBar().isEnabled()
    assert not window.go_actions[DispenseScreen].isEnabled()  # no shortcut behind the lock
    assert lock.form.username.text() == "pharm"
    qtbot.keyClicks(lock.form.password, "not-it-at-all")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    assert lock.form.message.text() == users.SIGN_IN_FAILED
    assert desk.lock_screen is lock

    qtbot.keyClicks(lock.form.password, "pharmpass1")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    assert desk.lock_screen is None and desk.window is window
    assert window.menuBar().isEnabled() and window.go_actions[DispenseScreen].isEnabled()
    assert window.current_screen() is dispense
    assert dispense.participant is not None and dispense.participant.study_number == "01-001"


def test_unlocking_on_another_day_shows_that_days_figures_on_the_today_screen(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    """Locked at night and unlocked in the morning, the Today screen kept the night's date,
    who was due and the forecast's dates until the user went to another screen and back."""
    from datetime import date

    from dispensary.ui.dashboard import DashboardScreen

    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    dashboard = window.current_screen()
    assert isinstance(dashboard, DashboardScreen)
    dashboard.day_timer.stop()  # the unlock, not the timer
    qtbot.waitUntil(
        lambda: dashboard.snapshot is not None and not dashboard.checking, timeout=30_000
    )
    assert dashboard.snapshot is not None
    night = dashboard.snapshot.today
    qtbot.keyClick(
        window,
        Qt.Key.Key_L,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    lock = desk.lock_screen
    assert lock is not None
    counter.clock.set_date(date.fromordinal(night.toordinal() + 2), hour=8)
    qtbot.keyClicks(lock.form.password, "pharmpass1")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    assert desk.lock_screen is None and window.current_screen() is dashboard
    morning = counter.clock.today()
    qtbot.waitUntil(
        lambda: dashboard.snapshot is not None and dashboard.snapshot.today == morning,
        timeout=30_000,
    )
    assert morning.isoformat() in dashboard.heading.text()


def test_another_user_signing_in_on_the_lock_screen_closes_the_session(
    qtbot: QtBot, desk: Desk
) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    first = signed_in_window(qtbot, desk)
    desk.lock()
    lock = desk.lock_screen
    assert lock is not None
    lock.form.username.clear()
    qtbot.keyClicks(lock.form.username, "tech")
    qtbot.keyClicks(lock.form.password, "techpass11")
    qtbot.mouseClick(lock.form.button, Qt.MouseButton.LeftButton)
    second = signed_in_window(qtbot, desk)
    assert second is not first and not first.isVisible()
    assert second.session.actor.username == "tech"
    assert desk.lock_screen is None


def test_sign_out_returns_to_the_sign_in_window(qtbot: QtBot, desk: Desk) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    window.sign_out_requested.emit()
    assert desk.window is None and not window.isVisible()
    assert desk.sign_in.isVisible()
    assert desk.sign_in.form.username.text() == ""


def session_events(counter: Counter) -> list[tuple[str, str]]:
    """(user, event) of the counter staff's sign-ins, sign-outs, locks and unlocks, in order
    (the administrator who reads the trail signs in to do so)."""
    wanted = {"sign_in", "sign_out", "locked", "unlocked"}
    rows = audit.list_entries(counter.ctx, counter.actor("admin"))
    return [(r.username, r.action) for r in rows if r.action in wanted and r.username != "admin"]


def test_lock_unlock_and_sign_out_are_in_the_audit_trail(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    assert desk.watcher is not None
    desk.watcher.idle.emit()
    lock = desk.lock_screen
    assert lock is not None
    qtbot.keyClicks(lock.form.password, "pharmpass1")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    assert desk.lock_screen is None
    sign_out = next(a for a in window.findChildren(QAction) if a.text() == "&Sign out")
    sign_out.trigger()
    assert desk.window is None and desk.sign_in.isVisible()
    window.close()  # closed again: the sign-out is recorded once
    assert session_events(counter)[-5:] == [
        ("pharm", "sign_in"),
        ("pharm", "locked"),
        ("pharm", "sign_in"),  # the password typed on the lock screen
        ("pharm", "unlocked"),
        ("pharm", "sign_out"),
    ]


def test_another_user_at_the_lock_screen_ends_the_first_session_in_the_audit_trail(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    signed_in_window(qtbot, desk)
    desk.lock()
    lock = desk.lock_screen
    assert lock is not None
    lock.form.username.clear()
    qtbot.keyClicks(lock.form.username, "tech")
    qtbot.keyClicks(lock.form.password, "techpass11")
    qtbot.mouseClick(lock.form.button, Qt.MouseButton.LeftButton)
    signed_in_window(qtbot, desk)
    assert session_events(counter)[-4:] == [
        ("pharm", "sign_in"),
        ("pharm", "locked"),
        ("tech", "sign_in"),
        ("pharm", "sign_out"),
    ]


def test_barcodes_scanned_into_the_lock_screen_are_not_failed_sign_ins(
    qtbot: QtBot, desk: Desk
) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    assert desk.watcher is not None
    desk.watcher.idle.emit()
    lock = desk.lock_screen
    assert lock is not None
    assert "Locked after inactivity" in lock.form.detail.text()
    lock.form.burst.clock = Stopwatch(0.004)  # a scanner: 9 keys in 36 ms
    for _ in range(6):  # more than the 5 failures that would lock the account
        qtbot.keyClicks(lock.form.password, "K0001-K01")
        qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
        assert "That looked like a scan: type your password" in lock.form.message.text()
        assert lock.form.password.text() == ""
    lock.form.burst.clock = Stopwatch(0.15)  # typed by hand
    qtbot.keyClicks(lock.form.password, "pharmpass1")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    assert desk.lock_screen is None and desk.window is window  # the account is not locked


def test_a_lock_by_hand_says_so(qtbot: QtBot, desk: Desk) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    lock_action = next(a for a in window.findChildren(QAction) if a.text() == "&Lock")
    lock_action.trigger()
    lock = desk.lock_screen
    assert lock is not None
    assert lock.form.detail.text().startswith("Locked by Paula Pharm.")
    assert "inactivity" not in lock.form.detail.text()


def test_a_password_set_by_the_administrator_is_replaced_at_sign_in(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    """Reset by the administrator: the form asks for her own password (twice) before the main
    window opens; two that differ, or a common one, are refused on the spot."""
    users.reset_password(
        counter.ctx, counter.actor("admin"), "pharm", "given-by-admin-3", "forgotten"
    )
    sign_in(qtbot, desk, "pharm", "given-by-admin-3")
    form = desk.sign_in.form
    assert desk.window is None and form.new_password.isVisibleTo(form)
    assert "Choose your own now" in form.message.text()
    assert form.new_password.hasFocus()
    qtbot.keyClicks(form.new_password, "paula-own-77")
    qtbot.keyClick(form.new_password, Qt.Key.Key_Return)
    qtbot.keyClicks(form.new_password_again, "paula-own-78")
    qtbot.keyClick(form.new_password_again, Qt.Key.Key_Return)
    assert "differ" in form.message.text() and desk.window is None
    qtbot.keyClicks(form.new_password, "password123")
    qtbot.keyClicks(form.new_password_again, "password123")
    qtbot.mouseClick(form.button, Qt.MouseButton.LeftButton)
    assert "common passwords" in form.message.text() and desk.window is None
    qtbot.keyClicks(form.new_password, "paula-own-77")
    qtbot.keyClicks(form.new_password_again, "paula-own-77")
    qtbot.keyClick(form.new_password_again, Qt.Key.Key_Return)
    window = signed_in_window(qtbot, desk)
    assert not window.session.actor.must_change_password
    assert not form.new_password.isVisibleTo(form)
    assert users.sign_in(counter.ctx, "pharm", "paula-own-77").username == "pharm"


def test_a_session_whose_account_is_locked_elsewhere_ends_at_the_next_key(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    watch = desk.account_watch
    assert watch is not None
    watch.last = 0.0
    moments = iter([100.0, 200.0, 300.0])
    watch.clock = lambda: next(moments)
    qtbot.keyClick(
        window, Qt.Key.Key_F6
    )  # an ordinary key (F5 is Go > Refresh): the account is fine
    assert desk.window is window
    for _ in range(users.MAX_FAILURES):  # someone guesses at another workstation
        with pytest.raises(DispensaryError):
            users.sign_in(counter.ctx, "pharm", "a-wrong-guess-1")
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert desk.window is None and desk.sign_in.isVisible()
    assert "has been locked: this session has ended" in desk.sign_in.form.message.text()


def test_a_session_whose_account_is_deactivated_elsewhere_reads_no_more(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    """Within the account watch's pause (no check at every key), the Today screen's refresh
    and a screen chosen show the services' refusal of a read, as a write's is shown; the next
    key ends the session, and the sign-in window takes the next user."""
    from dispensary.ui.dashboard import DashboardScreen
    from dispensary.ui.participants_view import ParticipantsScreen

    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    today = window.current_screen()
    assert isinstance(today, DashboardScreen)
    qtbot.waitUntil(lambda: not today.checking and today.snapshot is not None)
    users.set_active(counter.ctx, counter.actor("admin"), "pharm", False, "left the pharmacy")
    today.refresh()
    qtbot.waitUntil(lambda: not today.checking)
    ended = "pharm can no longer sign: the account is not active"
    assert today.message.kind == "error" and ended in today.message.text()
    window._navigate(ParticipantsScreen)
    chosen = window.current_screen()
    assert isinstance(chosen, ParticipantsScreen)
    assert chosen.message.kind == "error" and ended in chosen.message.text()
    assert chosen.model.rowCount() == 0
    watch = desk.account_watch
    assert watch is not None
    watch.last = 0.0
    watch.clock = lambda: 100.0
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert desk.window is None and desk.sign_in.isVisible()
    assert "has been deactivated" in desk.sign_in.form.message.text()
    sign_in(qtbot, desk, "tech", "techpass11")
    assert signed_in_window(qtbot, desk).session.actor.username == "tech"


def test_a_damaged_database_turns_the_days_backup_line_red_saying_what_to_do(
    qtbot: QtBot, counter_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "pharmacy.sqlite3"
    shutil.copyfile(counter_template, path)
    lose_index_rows(path)  # the opening's quick check passes
    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    opened = setup.open_database(str(path), clock)
    try:
        window = SignInWindow(opened.context.database)
        qtbot.addWidget(window)
        desk = Desk(Workstation(opened.context, Settings(backups_kept=3)), window)
        window.show()
        sign_in(qtbot, desk, "pharm", "pharmpass1")
        main = signed_in_window(qtbot, desk)
        line = main.backup_label
        qtbot.waitUntil(lambda: "damaged" in line.text())
        assert "restore the last good backup" in line.text()
        assert "command line" not in line.text(), "another backup would not help"
        assert BANNER_COLOURS[False][1] in line.styleSheet()
        assert not list((path.parent / "backups").glob("*.sqlite3"))
        main.close()
    finally:
        opened.context.engine.dispose()


def test_the_lock_closes_an_open_dialog_and_nothing_is_saved_from_it(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    """A dialog is a window of its own, never under the lock screen: the lock closes it, a
    click that still reaches it saves nothing, and after the unlock the user is told what the
    lock closed."""
    from PySide6.QtCore import QTimer

    from dispensary.services import queries
    from dispensary.ui.participants_view import EnrolDialog, ParticipantsScreen

    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    screen = window.show_screen(ParticipantsScreen)
    assert isinstance(screen, ParticipantsScreen)
    seen: dict[str, object] = {}

    def while_the_dialog_is_open() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, EnrolDialog) and w.isVisible()
        )
        qtbot.keyClicks(dialog.study_number, "01-099")
        qtbot.keyClicks(dialog.initials, "QX")
        answer_eligibility(qtbot, dialog)
        qtbot.keyClicks(dialog.birth_year, "1970")
        qtbot.keyClicks(dialog.confirmed_by, "Dr Test")
        for box in dialog.criteria:
            box.setChecked(True)
        assert desk.watcher is not None
        desk.watcher.idle.emit()  # the countdown runs out, the form still open
        seen["open after the lock"] = [
            w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible()
        ]
        dialog.enrol_button.click()  # a click already on its way: refused
        seen["message"] = dialog.message.text()
        if dialog.isVisible():  # left open by the lock: closed, so that the test goes on
            dialog.reject()

    QTimer.singleShot(0, while_the_dialog_is_open)
    qtbot.mouseClick(screen.enrol_button, Qt.MouseButton.LeftButton)

    assert seen["open after the lock"] == [window.windowTitle()]
    assert "The window is locked: nothing was done" in str(seen["message"])
    admin = counter.actor("admin")
    assert "01-099" not in [p.study_number for p in queries.participants(counter.ctx, admin)]
    lock = desk.lock_screen
    assert lock is not None
    qtbot.keyClicks(lock.form.password, "pharmpass1")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    note = desk.closed_note
    assert note is not None and note.isVisible()
    assert "The lock closed “Enrol a participant in NCT07198672”" in note.text()


def test_the_user_changes_their_own_password_from_the_file_menu(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    """File > Change my password: signed with the current password, through the service of
    `dispensary user password` (a wrong current one is refused, nothing changed)."""
    from PySide6.QtCore import QTimer

    from dispensary.ui.users_view import ChangePasswordDialog

    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    seen: dict[str, str] = {}

    def in_the_dialog() -> None:
        dialog = next(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, ChangePasswordDialog) and w.isVisible()
        )
        qtbot.keyClicks(dialog.current, "not-my-password")
        qtbot.keyClicks(dialog.new_password, "paula-new-pass-8")
        qtbot.keyClicks(dialog.new_password_again, "paula-new-pass-8")
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        seen["wrong"] = dialog.message.text()
        qtbot.keyClicks(dialog.current, "pharmpass1")
        qtbot.mouseClick(dialog.change_button, Qt.MouseButton.LeftButton)
        seen["open"] = str(dialog.isVisible())

    assert window.change_password_action.isEnabled()
    QTimer.singleShot(0, in_the_dialog)
    window.change_password_action.trigger()
    assert "The current password is wrong" in seen["wrong"]
    assert seen["open"] == "False"
    assert users.sign_in(counter.ctx, "pharm", "paula-new-pass-8").username == "pharm"
    trail = audit.list_entries(counter.ctx, counter.actor("admin"), action="password_changed")
    assert [e.entity_id for e in trail] == ["pharm"]
    assert desk.window is window  # the session goes on


def test_a_session_whose_password_is_reset_by_an_administrator_ends_at_the_next_key(
    qtbot: QtBot, desk: Desk, counter: Counter
) -> None:
    """As on a deactivation: the administrator who set the password must not find a window
    still working as the user; the user signs in again with it and chooses their own."""
    sign_in(qtbot, desk, "pharm", "pharmpass1")
    window = signed_in_window(qtbot, desk)
    watch = desk.account_watch
    assert watch is not None
    watch.last = 0.0
    moments = iter([100.0, 200.0, 300.0])
    watch.clock = lambda: next(moments)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert desk.window is window
    users.reset_password(
        counter.ctx, counter.actor("admin"), "pharm", "given-by-admin-4", "forgotten"
    )
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert desk.window is None and desk.sign_in.isVisible()
    assert "An administrator has reset the password of 'pharm'" in (
        desk.sign_in.form.message.text()
    )
