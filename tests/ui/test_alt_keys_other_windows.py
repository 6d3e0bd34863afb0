"""Review s13: the windows the reviews of every screen (s11, s12) did not open give each push
button an Alt key of its own that presses it, and each labelled field a key that leads to it,
in English and in Chinese: the sign-in window (and the lock), every page of the first-run
set-up wizard, the questions the program builds itself (its own buttons keyed; Qt's standard
ones keep Qt's words), the question about prints not recorded as the session ends, and the
label printers' dialog, whose five "Print calibration page" buttons each had the same words
and no key (each now has its row's digit: Alt+1 to Alt+5; the stock captions, which lead to
their printers, take letters).

Review s17: Cancel is keyed too, the wizard's and the questions' (Qt words it with none), and
the label printers' dialog has one scheme, the program's: letters (its calibration pages were
the one place keyed by digits, the program's digits being its Ctrl keys to the screens)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)
from test_alt_keys_every_screen import (
    LANGUAGES,
    buttons_the_key_does_not_press,
    dialog_clashes,
    keys_that_go_nowhere,
    mnemonic,
    without_key,
)

from dispensary import app as gui
from dispensary import config
from dispensary.i18n import ENGLISH, Language
from dispensary.ui.translations import install_language, load_cjk_font


def qt_s_own(button: QPushButton) -> bool:
    """A button Qt words itself: a message box's standard button (its OK), but its Cancel.
    Cancel, a dialog's, a message box's or the wizard's, has its Alt key as every button the
    program shows (review s17: left out as Esc's, none had one)."""
    box = button.parent()
    if isinstance(box, QDialogButtonBox):
        standard = box.standardButton(button)
        if standard == QDialogButtonBox.StandardButton.Cancel:
            return False
        holder = box.parent()
        if isinstance(holder, QMessageBox):
            return standard != QDialogButtonBox.StandardButton.NoButton
    return False


def faults(qtbot: Any, window: QWidget, start: QWidget | None = None) -> dict[str, Any]:
    """What is wrong with the window's keys: a button shown with none, a key given twice, a
    labelled field with none, a label's key that leads nowhere, a key that does not press its
    button (the last throws away what the buttons do)."""
    found: dict[str, Any] = {}
    bare = [
        b.text() or b.objectName()
        for b in window.findChildren(QPushButton)
        if b.isVisible() and mnemonic(b.text()) is None and not qt_s_own(b)
    ]
    if bare:
        found["a button with no key"] = bare
    if clash := dialog_clashes(window):  # type: ignore[arg-type]
        found["the same key"] = clash
    if missing := without_key(window):  # type: ignore[arg-type]
        found["a labelled field with no key"] = missing
    navigation = start or window.focusWidget() or window
    window.navigation = navigation  # type: ignore[attr-defined]
    if nowhere := keys_that_go_nowhere(qtbot, window):  # type: ignore[arg-type]
        found["the key goes nowhere"] = nowhere
    if missed := buttons_the_key_does_not_press(qtbot, window, navigation):
        found["the key does not press its button"] = missed
    return found


@pytest.fixture(params=LANGUAGES, ids=lambda lang: lang.value)
def in_language(request: pytest.FixtureRequest, qapp: Any) -> Iterator[Language]:
    load_cjk_font()
    assert install_language(request.param)
    yield request.param
    install_language(ENGLISH)


# -- the sign-in window and the lock --------------------------------------------------------------


def test_the_sign_in_window_s_buttons_and_fields_have_keys_of_their_own(
    qtbot: Any, pharmacy: Pharmacy, in_language: Language
) -> None:
    """Sign in, Set my password and Opening the database… had no Alt key."""
    from dispensary.ui.sign_in import SignInWindow

    window = SignInWindow(pharmacy.ctx.database)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    found = {"opening": faults(qtbot, window, window.form.username)}
    window.set_context(pharmacy.ctx)
    found["open"] = faults(qtbot, window, window.form.username)
    form = window.form
    form.pending = pharmacy.actor("pharm")  # signed in with a password an administrator set
    form._show_choice(True)
    form.update_button()
    qtbot.wait(10)
    found["own password"] = faults(qtbot, window, form.new_password)
    assert {k: v for k, v in found.items() if v} == {}


def test_the_lock_s_button_has_a_key_of_its_own(
    qtbot: Any, pharmacy: Pharmacy, in_language: Language
) -> None:
    from window_helpers import main_window

    from dispensary.ui.sign_in import LockScreen

    window = main_window(qtbot, pharmacy.session("pharm"))
    lock = LockScreen(pharmacy.ctx, pharmacy.actor("pharm"), window, by_hand=True)
    qtbot.wait(10)
    try:
        assert mnemonic(lock.form.button.text()) is not None, lock.form.button.text()
        assert dialog_clashes(lock) == {}  # type: ignore[arg-type]
        assert without_key(lock) == []  # type: ignore[arg-type]
    finally:
        # Taken off as the program's unlock does (hidden, deleted by Qt) and its filter off the
        # window first: left to the window's teardown, Qt called its Python eventFilter while
        # tearing down, and the test process crashed a few tests later.
        window.removeEventFilter(lock)
        lock.hide()
        lock.deleteLater()
        qtbot.wait(10)


# -- the set-up wizard ----------------------------------------------------------------------------


@pytest.fixture
def first(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[gui.FirstRun]:
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(config.ENV_DB, raising=False)
    run = gui.FirstRun(config.database_from(None))
    run.wizard.show()
    qtbot.waitExposed(run.wizard)
    yield run
    run.close()
    install_language(ENGLISH)


WIZARD_STATES = ["language", "location", "tested", "finish", "pharmacy", "studies", "printers"]
WIZARD_STATES += ["administrator"]


def walk_to(qtbot: Any, wizard: Any, state: str) -> None:
    """The wizard brought to `state` as a user does (the location tested, the pharmacy named)."""
    from dispensary.ui.setup_wizard import Page

    steps: list[tuple[str, Callable[[], object]]] = [
        ("location", wizard.next),
        ("tested", wizard.location.run_test),
        ("pharmacy", wizard.next),
        ("studies", lambda: (wizard.pharmacy.name.setText("Henan Pharmacy"), wizard.next())),
        ("printers", wizard.next),
        ("administrator", wizard.next),
    ]
    if state == "finish":  # the location of a pharmacy already there: Finish shown
        wizard.next()
        assert wizard.location.run_test()
        wizard.location.setFinalPage(True)
        qtbot.wait(20)
        return
    for name, step in steps:
        if state == "language":
            break
        step()
        qtbot.wait(10)
        if name == state:
            break
    assert state != "administrator" or wizard.currentId() == Page.ADMINISTRATOR


@pytest.mark.parametrize("state", WIZARD_STATES)
def test_each_page_of_the_set_up_wizard_gives_each_button_and_field_a_key_of_its_own(
    qtbot: Any, first: gui.FirstRun, state: str, language: Language
) -> None:
    """Each page in turn, Qt's own Back, Next and Finish counted and pressed by their keys."""
    load_cjk_font()
    wizard = first.wizard
    chooser = wizard.language.language
    chooser.setCurrentIndex(chooser.findData(language.value))
    chooser.activated.emit(chooser.currentIndex())
    qtbot.wait(50)
    walk_to(qtbot, wizard, state)
    wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    page = wizard.currentPage()
    start = page.focusWidget() or page
    assert faults(qtbot, wizard, start) == {}


# -- the questions the program builds -------------------------------------------------------------


def questions(pharmacy: Pharmacy) -> Iterator[tuple[str, Callable[[], object]]]:
    """Each question the program builds with buttons of its own, asked as its step asks it."""
    from dispensary.ui import feedback, inventory_view, receive_view, return_view
    from dispensary.ui.setup_wizard import StopSetUpQuestion
    from dispensary.ui.study_rules_view import ConfirmRuleQuestion
    from dispensary.ui.unrecorded_prints import UnrecordedPrintsQuestion

    def translated(context: str, text: str) -> str:
        return QCoreApplication.translate(context, text)

    def go_on(context: str, action: str) -> Callable[[], object]:
        """A question whose action the screen words (the screen's own text, translated)."""
        return lambda: feedback.go_on_question(
            None, "question", "Title", "Text?", translated(context, action)
        )

    yield "next return", lambda: return_view.NextReturnQuestion.ask(None)
    yield "unseen returns", lambda: inventory_view.UnseenReturnsQuestion.ask(None, "Unseen.")
    yield "missing kits", lambda: receive_view.MissingKitsQuestion.ask(None, ("K0001",), 2)
    yield "new shipment", lambda: receive_view.NewShipmentQuestion.ask(None, 2)
    yield "kit labels", lambda: receive_view.UnrecordedPrintQuestion.ask(None, ("K0001",))
    yield "prints", lambda: UnrecordedPrintsQuestion.ask(None, ["Dispensing label, K0001"])
    yield "stop set-up", lambda: StopSetUpQuestion.box(None).exec()
    yield "schedule", go_on("StudiesScreen", "Confirm the change of &schedule")
    yield "enrol", go_on("EnrolDialog", "&Enrol all the same")
    yield "age", go_on("EnrolDialog", "Age confirmed: &enrol")
    yield (
        "rule",
        lambda: ConfirmRuleQuestion.ask(
            None, "<b>Q</b>", "d", translated("StudyRulesScreen", "&Confirm rule")
        ),
    )


def test_each_question_the_program_builds_keys_its_own_buttons(
    qtbot: Any,
    pharmacy: Pharmacy,
    in_language: Language,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Record as missing, Go back, Destroy anyway, Enrol all the same, Age confirmed: enrol,
    Confirm the change of schedule and Confirm rule had no Alt key."""
    found: dict[str, Any] = {}
    asked: list[str] = []
    current = [""]

    def shown(box: QMessageBox) -> int:
        asked.append(current[0])
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        own = [b for b in box.buttons() if not qt_s_own(b)]  # type: ignore[arg-type]
        if not own:
            found[current[0]] = "no button of its own"
        if fault := faults(qtbot, box, box.defaultButton() or box):
            found[current[0]] = fault
        if "&" in box.windowTitle().replace("&&", ""):
            found[f"{current[0]}: title"] = box.windowTitle()
        box.close()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", shown)
    names = []
    for name, ask in questions(pharmacy):
        names.append(name)
        current[0] = name
        ask()
    assert asked == names
    assert found == {}, found


# -- the label printers' dialog -------------------------------------------------------------------


def printers_dialog(qtbot: Any, tmp_path: Path, record: bool) -> Any:
    from dispensary.config import Settings
    from dispensary.ui.label_printers import LabelPrintersDialog

    dialog = LabelPrintersDialog(
        None,
        Settings(),
        tmp_path / "settings.json",
        (lambda *_args: True) if record else None,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def shown_keys(window: QWidget) -> list[str]:
    """Every Alt key the window shows: its labels of fields and its buttons."""
    texts = [
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisible() and label.buddy() is not None
    ]
    texts += [b.text() for b in window.findChildren(QAbstractButton) if b.isVisible()]
    return [key for text in texts if (key := mnemonic(text)) is not None]


@pytest.mark.parametrize("record", [False, True], ids=["read-only", "administrator"])
def test_the_label_printers_dialog_keys_each_calibration_page_and_each_printer(
    qtbot: Any, in_language: Language, tmp_path: Path, record: bool
) -> None:
    """Five buttons said "Print calibration page" with no key, nor had the stocks' printers.
    Review s17: two schemes in one window, the calibration pages by digits (Alt+1 to Alt+5,
    the one window keyed so) beside the printers by letters, and Cancel by none. Now every key
    is a letter, each its own, Cancel's and Close's too."""
    from dispensary.labels.stock import STOCKS

    dialog = printers_dialog(qtbot, tmp_path, record)
    buttons = dialog.panel.calibration_buttons
    assert [mnemonic(buttons[stock].text()) for stock in STOCKS] == ["K", "L", "M", "O", "P"]
    keys = shown_keys(dialog)
    assert keys and all(key.isalpha() for key in keys), keys
    assert "C" in keys  # Close, or Cancel
    assert faults(qtbot, dialog, dialog.panel.choosers[next(iter(STOCKS))]) == {}


@pytest.mark.parametrize("record", [False, True], ids=["read-only", "administrator"])
def test_the_label_printers_dialog_s_keys_act_as_pressed(
    qtbot: Any, in_language: Language, tmp_path: Path, record: bool
) -> None:
    """Alt+K prints the first stock's calibration page (no printer chosen: said so), Alt+C
    leaves the dialog (Cancel, or Close), as a user at the counter presses them. An Enter (a
    scanner's) in the printers shown closes the dialog: it printed the first calibration page,
    the default as the first button of the window."""
    from dispensary.labels.stock import STOCKS

    dialog = printers_dialog(qtbot, tmp_path, record)
    if not record:
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not dialog.isVisible())
        assert dialog.result() == QDialog.DialogCode.Rejected
        assert dialog.panel.message.text() == ""  # no calibration page asked for
        dialog = printers_dialog(qtbot, tmp_path, record)
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_K, alt)
    first = STOCKS[next(iter(STOCKS))]
    qtbot.waitUntil(lambda: first.shown in dialog.panel.message.text())
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_C, alt)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert dialog.result() == QDialog.DialogCode.Rejected
