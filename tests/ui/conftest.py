"""Fixtures of the counter tests (tests/ui/test_counter_*.py). Qt runs offscreen: the variable
is set here, before anything imports Qt."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy
from counter_fixtures import (
    OPENING_DAY,
    Counter,
    Printer,
    Signatures,
    Stopwatch,
    build_counter,
)

from dispensary.i18n import ENGLISH, Language
from dispensary.services import setup
from dispensary.services.context import FixedClock
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.label_preview import LabelPreviewDialog
from dispensary.ui.scan_field import KeyBurst

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from dispensary.app import Desk


KEPT_FOR_QTBOT: list[Any] = []
"""The windows given to qtbot, held until Qt has deleted them (pytest_runtest_teardown).
qtbot holds a weak reference only: a window whose Python object is otherwise held only by
reference cycles of its own (a model's slots, its screen's attributes) was then garbage
as soon as its test returned, and a full garbage collection that happened to run before
qtbot closed it tore it apart while Qt still showed it (its attributes cleared under its
live widgets: a model without its columns, a wrapper freed under a live tab page, the
segmentation fault seen in the full run after test_the_register_has_room_at_1366x768...)."""


def _kept_add_widget(original: Any) -> Any:
    def add_widget(self: Any, widget: Any, **kwargs: Any) -> None:
        original(self, widget, **kwargs)
        KEPT_FOR_QTBOT.append(widget)

    return add_widget


def _keep_qtbot_widgets() -> None:
    from pytestqt.qtbot import QtBot

    if not getattr(QtBot, "_dispensary_keeps_widgets", False):
        QtBot.addWidget = _kept_add_widget(QtBot.addWidget)  # type: ignore[method-assign]
        QtBot.add_widget = QtBot.addWidget  # type: ignore[method-assign]
        QtBot._dispensary_keeps_widgets = True  # type: ignore[attr-defined]


_keep_qtbot_widgets()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """Every Today-screen reading thread ends before any fixture closes its database: a window
    a test leaves open (closed only by qtbot, after the database fixture's teardown) must not
    leave a thread reading a disposed engine (a segmentation fault seen in a full run)."""
    import shiboken6

    from dispensary.ui.dashboard import wait_for_workers

    wait_for_workers()
    let_go_of_unrecorded_prints()
    # A window the test deleted itself is let go, as qtbot's weak reference would be: qtbot
    # closes only those still alive.
    KEPT_FOR_QTBOT[:] = [w for w in KEPT_FOR_QTBOT if shiboken6.isValid(w)]
    yield
    # The windows qtbot closed are deleted later, at the next turn of an event loop: a test
    # that runs none left them alive under the next tests, and one that applies the style
    # sheet to the whole application re-polished them (a crash inside Qt, seen in a full run
    # after the Users screen's tests). Deleted now.
    from PySide6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    KEPT_FOR_QTBOT.clear()


def let_go_of_unrecorded_prints() -> None:
    """A window a test leaves open with labels printed whose record it made the database refuse
    would ask about them as qtbot closes it (MainWindow.settle_prints), the question waiting
    for an answer no one gives: they are let go first. A test of that question closes its
    window itself."""
    from PySide6.QtWidgets import QApplication

    from dispensary.ui.main_window import MainWindow

    if QApplication.instance() is None:
        return
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, MainWindow):
            widget.session.unrecorded.clear()
            widget.session.unrecorded_kits.clear()


@pytest.fixture(autouse=True)
def typed_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests type at a person's pace (0.15 s a key), not as a barcode scanner."""
    monkeypatch.setattr(KeyBurst, "default_clock", Stopwatch(0.15))


@pytest.fixture(scope="session")
def counter_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("counter-template") / "template.sqlite3"
    build_counter(path)
    return path


@pytest.fixture
def counter(counter_template: Path, tmp_path: Path) -> Iterator[Counter]:
    path = tmp_path / "pharmacy.sqlite3"
    shutil.copyfile(counter_template, path)
    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    opened = setup.open_database(str(path), clock)
    yield Counter(opened.context, clock, path)
    opened.context.engine.dispose()


TEST_USERS = {
    "Ada Admin": "admin",
    "Paula Pharm": "pharm",
    "Peter Second": "pharm2",
    "Tom Tech": "tech",
    "Mona Monitor": "monitor",
}
"""The test users' user names by full name (back_office_fixtures, counter_fixtures)."""


REAL_ASK = SignatureDialog.__dict__["ask"]
REAL_ASK_SECOND = SignatureDialog.__dict__["ask_second"]


@pytest.fixture(autouse=True)
def second_signer_answers_as_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests answer the signature dialog by replacing SignatureDialog.ask: a second
    signer's dialog (SignatureDialog.ask_second, user name and password) is then answered by
    the same answer, the second signer typing their own user name (the one of the full name
    asked for, or the user name the window named them by). A test that leaves `ask` real gets
    the real second signer's dialog too, to answer as a user types."""

    def ask_second(
        cls: type[SignatureDialog], parent: Any, signer: str, meaning: str, summary: str
    ) -> tuple[str, str] | None:
        if SignatureDialog.__dict__["ask"] is REAL_ASK:
            return REAL_ASK_SECOND.__func__(cls, parent, signer, meaning, summary)  # type: ignore[no-any-return]
        password = cls.ask(parent, signer, meaning, summary)
        return None if password is None else (TEST_USERS.get(signer, signer), password)

    monkeypatch.setattr(SignatureDialog, "ask_second", classmethod(ask_second))


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> Signatures:
    answers = Signatures()
    monkeypatch.setattr(SignatureDialog, "ask", classmethod(lambda cls, *a: answers.ask(*a)))
    return answers


@pytest.fixture
def printer(monkeypatch: pytest.MonkeyPatch) -> Printer:
    fake = Printer()
    monkeypatch.setattr(LabelPreviewDialog, "show_pdf", classmethod(lambda cls, *a: fake.show(*a)))
    return fake


@pytest.fixture
def chinese(qapp: object) -> Iterator[None]:
    """The windows made inside the test are in Simplified Chinese (the translation is built
    from the .ts files when missing); English again afterwards."""
    from dispensary.i18n import Language
    from dispensary.ui.translations import install_language, load_cjk_font

    load_cjk_font()
    assert install_language(Language.ZH_CN), "the zh_CN translation could not be loaded"
    try:
        yield
    finally:
        install_language(Language.EN)


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    """The back office's pharmacy (back_office_fixtures.build_pharmacy), a copy of its own for
    the test (a test file may have its own)."""
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield place
    place.ctx.engine.dispose()


@pytest.fixture
def place(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pharmacy]:
    """The back office's pharmacy, as `pharmacy`, with the program's data folder the test's own
    (DISPENSARY_HOME) whatever the environment says: the tests that start the program on it."""
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    built = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield built
    built.ctx.engine.dispose()


@pytest.fixture(params=[ENGLISH, Language.ZH_CN], ids=lambda language: language.value)
def language(request: pytest.FixtureRequest, qapp: object) -> Iterator[Language]:
    """The windows made inside the test in English, then in Simplified Chinese (each test run
    once in each); English again afterwards."""
    from dispensary.ui.translations import install_language, load_cjk_font

    chosen: Language = request.param
    if chosen is not ENGLISH:
        load_cjk_font()
    assert install_language(chosen)
    try:
        yield chosen
    finally:
        install_language(ENGLISH)


@pytest.fixture
def styled(qapp: Any) -> Iterator[None]:
    """The program's style sheet (its fonts and paddings size the rows and columns)."""
    from dispensary.ui.app import apply_style

    apply_style(qapp)
    yield
    qapp.setStyleSheet("")


@pytest.fixture
def desk(qtbot: QtBot, counter: Counter) -> Iterator[Desk]:
    """The sign-in window of the counter's pharmacy, as the program starts it (a test file may
    have its own). At the end the session's watchers and guard leave the application's event
    filters, and what the test left is collected here, on the UI thread (never later, by
    another thread)."""
    import gc

    from dispensary.app import Desk, Workstation
    from dispensary.config import Settings
    from dispensary.ui.sign_in import SignInWindow

    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    desk = Desk(Workstation(counter.ctx, Settings(backups_kept=3)), window)
    window.show()
    qtbot.waitExposed(window)
    yield desk
    if desk.window is not None:
        desk.window.close()
    desk.close_database()
    for watch in (desk.watcher, desk.account_watch):
        if watch is not None:
            watch.detach()
    gc.collect()
