"""The lock, and the end of a session, leave no window of the program over the lock screen or
the sign-in window: a message box, a file dialog or an input dialog open at that moment is
cancelled, and one the program still opens after it (the next box of a chain, the answer to a
click already on its way) closes as it shows. Before, such a box stayed over the lock, showing
study data and taking a click in the user's name; after a sign-out it stayed over the sign-in
window."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from dispensary.app import Desk
from dispensary.services import users
from dispensary.ui.main_window import MainWindow
from dispensary.ui.participants_view import EnrolQuestion, ParticipantsScreen

LEFT_OPEN = 3000  # ms: a box the program failed to close is closed by the test, and counted


def signed_in(qtbot: QtBot, desk: Desk, keep: bool = True) -> MainWindow:
    form = desk.sign_in.form
    qtbot.keyClicks(form.username, "pharm")
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, "pharmpass1")
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    window = desk.window
    assert window is not None
    if keep:  # a window the session closes itself is not qtbot's to close
        qtbot.addWidget(window)
    if desk.backup is not None:
        desk.backup.wait()
    return window


def dialogs_shown() -> list[str]:
    """The titles of the dialogs on screen (message boxes, file and input dialogs)."""
    return [
        w.windowTitle()
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QDialog) and w.isVisible()
    ]


class LeftOpen:
    """Closes, after a while, a dialog the program left open (so that a failing test ends
    rather than waiting for ever in the dialog's exec()), and counts it. Its timer stops with
    the test (the `left_open` fixture): it must not close the next test's windows."""

    def __init__(self) -> None:
        self.titles: list[str] = []
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.close_all)

    def start(self, ms: int = LEFT_OPEN) -> None:
        self.timer.start(ms)

    def close_all(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                self.titles.append(widget.windowTitle())
                widget.reject()
                widget.hide()


@pytest.fixture
def left_open(qapp: QApplication) -> Iterator[LeftOpen]:
    watch = LeftOpen()
    yield watch
    watch.timer.stop()


def ask_question(parent: QWidget | None) -> None:
    QMessageBox.question(parent, "Destroy K0001?", "Participant 01-001, 2 tablets returned")


def choose_file(parent: QWidget | None) -> None:
    QFileDialog.getOpenFileName(parent, "Temperature log", "", "CSV files (*.csv)")


def type_text(parent: QWidget | None) -> None:
    QInputDialog.getText(parent, "Reason", "Why", QLineEdit.EchoMode.Normal, "01-001 moved")


OPENERS = {"message box": ask_question, "file dialog": choose_file, "input dialog": type_text}


def open_while(
    opener: Callable[[QWidget | None], None], parent: QWidget, then: Callable[[], None]
) -> None:
    """Opens a dialog the way the program does (a static function, modal) and, while it is
    open, does `then`."""
    QTimer.singleShot(0, then)
    opener(parent)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", list(OPENERS))
def test_the_idle_lock_closes_a_box_open_and_the_next_one_the_program_opens(
    qtbot: QtBot, desk: Desk, left_open: LeftOpen, kind: str
) -> None:
    opener = OPENERS[kind]
    window = signed_in(qtbot, desk)
    screen = window.show_screen(ParticipantsScreen)
    assert screen is not None
    seen: dict[str, list[str]] = {}

    def lock_runs_out() -> None:
        seen["open before the lock"] = dialogs_shown()
        assert desk.watcher is not None
        desk.watcher.idle.emit()  # the countdown runs out, the box still open

    left_open.start()
    open_while(opener, screen, lock_runs_out)
    seen["after the lock"] = dialogs_shown()
    # The code that opened the box goes on, and opens another (a chain of questions, a
    # refusal said in a box): it closes as it shows, before anyone sees or clicks it.
    opener(screen)
    seen["next one"] = dialogs_shown()

    assert len(seen["open before the lock"]) == 1
    assert seen["after the lock"] == [] and seen["next one"] == []
    assert left_open.titles == [], f"left open over the lock: {left_open.titles}"
    lock = desk.lock_screen
    assert lock is not None and lock.isVisible()
    assert lock.form.password.isVisible()
    qtbot.keyClicks(lock.form.password, "pharmpass1")
    qtbot.keyClick(lock.form.password, Qt.Key.Key_Return)
    assert desk.lock_screen is None
    note = desk.closed_note
    assert note is not None and note.isVisible()  # shown after the unlock, not closed
    assert seen["open before the lock"][0] in note.text()
    note.close()
    # Unlocked, the program's boxes open again as ever.
    QTimer.singleShot(0, lambda: seen.__setitem__("unlocked", dialogs_shown()))
    left_open.start(200)  # (this one closed by the test)
    opener(screen)
    assert len(seen["unlocked"]) == 1


@pytest.mark.timeout(120)
def test_a_question_from_a_screen_open_at_the_lock_is_answered_no(
    qtbot: QtBot, desk: Desk, left_open: LeftOpen
) -> None:
    """The screen's own question (as the Participants screen asks it before an enrolment):
    cancelled by the lock, its answer is no."""
    window = signed_in(qtbot, desk)
    screen = window.show_screen(ParticipantsScreen)
    assert screen is not None
    answers: list[bool] = []

    def lock_runs_out() -> None:
        assert desk.watcher is not None
        desk.watcher.idle.emit()

    QTimer.singleShot(0, lock_runs_out)
    left_open.start()
    answers.append(EnrolQuestion.ask(screen, "Enrol 01-099?", "QX 1970 is on treatment", "Enrol"))
    answers.append(EnrolQuestion.ask(screen, "Enrol 01-099?", "asked again", "Enrol"))
    assert answers == [False, False]
    assert left_open.titles == []
    assert dialogs_shown() == []


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", list(OPENERS))
def test_a_session_ended_elsewhere_closes_the_box_and_the_sign_in_window_shows(
    qtbot: QtBot, desk: Desk, counter: Counter, left_open: LeftOpen, kind: str
) -> None:
    """The account deactivated by an administrator: the session ends at the next key, a box
    open or not; the box went with the session, over the sign-in window nothing."""
    opener = OPENERS[kind]
    window = signed_in(qtbot, desk, keep=False)
    screen = window.show_screen(ParticipantsScreen)
    assert screen is not None
    users.set_active(counter.ctx, counter.actor("admin"), "pharm", False, "left the pharmacy")
    watch = desk.account_watch
    assert watch is not None
    watch.last = 0.0
    watch.clock = lambda: 100.0
    seen: dict[str, list[str]] = {}

    def next_key() -> None:
        seen["open"] = dialogs_shown()
        box = QApplication.activeModalWidget()
        if box is not None:  # (asserted after: an assertion here would end no exec())
            qtbot.keyClick(box, Qt.Key.Key_F6)  # the account watch ends the session

    left_open.start()
    open_while(opener, screen, next_key)
    seen["after"] = dialogs_shown()
    opener(None)  # what the ended session's code opens still, a window of its own
    seen["next one"] = dialogs_shown()
    assert len(seen["open"]) == 1
    assert seen["after"] == [] and seen["next one"] == []
    assert left_open.titles == [], f"left open over the sign-in window: {left_open.titles}"
    assert desk.window is None and desk.sign_in.isVisible()
    assert "has been deactivated" in desk.sign_in.form.message.text()
    # The sign-in window's own list of languages still drops open.
    language = desk.sign_in.language
    language.showPopup()
    qtbot.wait(50)
    assert language.view().isVisible()
    language.hidePopup()
