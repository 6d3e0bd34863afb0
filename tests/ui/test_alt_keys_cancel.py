"""Review s17: every dialog's Cancel or Close has an Alt key of its own, as the dialog's other
buttons do, in English and in Chinese ("&Cancel", "取消(&C)"; "C&lose", "关闭(&L)" beside the
About box's "&Copy"), and pressing it, as a pharmacist at the counter does with no mouse,
leaves the dialog. Qt words its standard Cancel and Close with none: they were left out of the
reviews before (s12, s13) as Esc's. Run with the other Alt-key tests, in a process of their
own (scripts/test)."""

from __future__ import annotations

import re
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
    QMessageBox,
    QPushButton,
)
from pytestqt.exceptions import TimeoutError as WaitedTooLong
from test_alt_keys_every_screen import LANGUAGES, dialog_clashes, mnemonic

from dispensary.i18n import ENGLISH, Language
from dispensary.ui.translations import install_language, load_cjk_font

UI = Path(__file__).resolve().parents[2] / "src" / "dispensary" / "ui"
REJECT = QDialogButtonBox.ButtonRole.RejectRole
CANCEL = QDialogButtonBox.StandardButton.Cancel


@pytest.fixture(params=LANGUAGES, ids=lambda lang: lang.value)
def in_language(request: pytest.FixtureRequest, qapp: Any) -> Iterator[Language]:
    load_cjk_font()
    assert install_language(request.param)
    yield request.param
    install_language(ENGLISH)


def dismissing(dialog: QDialog) -> list[QAbstractButton]:
    """The dialog's Cancel or Close: its button boxes' buttons of the reject role (Qt's standard
    Cancel and Close), and a Close made by hand (the label preview's)."""
    found: list[QAbstractButton] = []
    for box in dialog.findChildren(QDialogButtonBox):
        found += [b for b in box.buttons() if b.isVisible() and box.buttonRole(b) == REJECT]
    by_hand = getattr(dialog, "close_button", None)
    if isinstance(by_hand, QPushButton) and by_hand.isVisible():
        found.append(by_hand)
    return found


def alt(qtbot: Any, window: QDialog, key: str) -> None:
    """Alt and the key, pressed where the cursor is, as the user presses them."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    where = QApplication.focusWidget() or window
    qtbot.keyClick(where, getattr(Qt.Key, f"Key_{key}"), Qt.KeyboardModifier.AltModifier)


def faults_of(qtbot: Any, dialog: QDialog) -> dict[str, Any]:
    """What is wrong with the dialog's Cancel or Close: none there, one with no key, a key
    another control of the dialog has too, a key that does not leave the dialog."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    found: dict[str, Any] = {}
    buttons = dismissing(dialog)
    if len(buttons) != 1:
        found["Cancel or Close"] = [b.text() for b in buttons]
        return found
    (button,) = buttons
    key = mnemonic(button.text())
    if key is None:
        found["no key"] = button.text()
    if clash := dialog_clashes(dialog):
        found["the same key"] = clash
    if key is not None:
        alt(qtbot, dialog, key)
        try:
            qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=1000)
        except WaitedTooLong:
            found["the key does not leave"] = button.text()
        else:
            box = button.parent()
            cancel = isinstance(box, QDialogButtonBox) and box.standardButton(button) == CANCEL
            if cancel and dialog.result() != QDialog.DialogCode.Rejected:
                found["left, but not cancelled"] = dialog.result()
    dialog.close()
    return found


def dialogs(pharmacy: Pharmacy, tmp_path: Path) -> Iterator[tuple[str, Callable[[], QDialog]]]:
    """Each dialog of src/dispensary/ui with a Cancel or a Close, made as its step makes it."""
    from dispensary.config import Settings
    from dispensary.services import queries
    from dispensary.services.kit_history import kit_history
    from dispensary.ui.feedback import SignatureDialog
    from dispensary.ui.forms import ReasonDialog
    from dispensary.ui.guide_view import AboutDialog, Guide, GuideWindow
    from dispensary.ui.inventory_view import KitHistoryDialog, ReleaseDialog
    from dispensary.ui.label_preview import LabelPreviewDialog
    from dispensary.ui.label_printers import LabelPrintersDialog
    from dispensary.ui.main_window import ShortcutsDialog
    from dispensary.ui.participants_view import (
        CorrectEnrolmentDialog,
        CorrectReturnDialog,
        EnrolDialog,
        StatusDialog,
    )
    from dispensary.ui.settings_view import DatabaseLocationDialog
    from dispensary.ui.users_view import ChangePasswordDialog

    session = pharmacy.session("pharm")
    pharm = pharmacy.actor("pharm")
    person = queries.participant(pharmacy.ctx, pharm, "01-002")
    _row, rows = queries.participant_history(pharmacy.ctx, pharm, "01-001")
    settings_file = tmp_path / "settings.json"
    yield "signature", lambda: SignatureDialog(None, "pharm", "Dispensed", "Dispense K0001")
    yield "reason", lambda: ReasonDialog(None, "Quarantine", "Why?", "&Quarantine")
    yield "enrol", lambda: EnrolDialog(session)
    yield "status", lambda: StatusDialog(session, person)
    yield "correct enrolment", lambda: CorrectEnrolmentDialog(session, person)
    yield "correct return", lambda: CorrectReturnDialog(session, rows[0])
    yield "change password", lambda: ChangePasswordDialog(session)
    yield "release", lambda: ReleaseDialog(None, ["K5006"])
    yield (
        "kit history",
        lambda: KitHistoryDialog(None, kit_history(pharmacy.ctx, pharm, "K0001"), pharmacy.study),
    )
    yield "label preview", lambda: LabelPreviewDialog(None, "Dispensing label", b"", "label.pdf")
    yield "printers shown", lambda: LabelPrintersDialog(None, Settings(), settings_file)
    yield (
        "printers changed",
        lambda: LabelPrintersDialog(None, Settings(), settings_file, lambda *_args: True),
    )
    yield "shortcuts", lambda: ShortcutsDialog("Keyboard shortcuts", [("Ctrl+L", "Scan field")])
    yield "guide", lambda: GuideWindow(next(iter(Guide)), ENGLISH)
    yield "about", lambda: AboutDialog("About Dispensary", "Dispensary")
    yield "database location", lambda: DatabaseLocationDialog(None, str(pharmacy.path))


def test_each_dialog_s_cancel_or_close_has_an_alt_key_of_its_own_that_leaves_it(
    qtbot: Any, pharmacy: Pharmacy, in_language: Language, tmp_path: Path
) -> None:
    """Cancel (and Close, but where it was worded by hand) had no Alt key in any dialog."""
    found = {}
    for name, make in dialogs(pharmacy, tmp_path):
        if fault := faults_of(qtbot, make()):
            found[name] = fault
    assert found == {}, found


def questions() -> Iterator[tuple[str, Callable[[], object]]]:
    """The questions the program asks with a Cancel of Qt's (the default, Esc's too)."""
    from dispensary.ui import feedback, receive_view
    from dispensary.ui.study_rules_view import ConfirmRuleQuestion
    from dispensary.ui.unrecorded_prints import UnrecordedPrintsQuestion

    def translated(context: str, text: str) -> str:
        return QCoreApplication.translate(context, text)

    yield (
        "go on",
        lambda: feedback.go_on_question(
            None, "question", "Title", "Text?", translated("EnrolDialog", "&Enrol all the same")
        ),
    )
    # "&Confirm rule" has C: Cancel takes another letter.
    yield (
        "rule",
        lambda: ConfirmRuleQuestion.ask(
            None, "<b>Q</b>", "d", translated("StudyRulesScreen", "&Confirm rule")
        ),
    )
    yield "prints", lambda: UnrecordedPrintsQuestion.ask(None, ["Dispensing label, K0001"])
    yield "kit labels", lambda: receive_view.UnrecordedPrintQuestion.ask(None, ("K0001",))


def test_each_question_s_cancel_has_an_alt_key_of_its_own_that_cancels(
    qtbot: Any, in_language: Language, monkeypatch: pytest.MonkeyPatch
) -> None:
    found: dict[str, Any] = {}
    current = [""]

    def shown(box: QMessageBox) -> int:
        qtbot.addWidget(box)
        box.show()
        qtbot.waitExposed(box)
        cancel = box.button(QMessageBox.StandardButton.Cancel)
        if cancel is None:
            found[current[0]] = "no Cancel"
            return 0
        key = mnemonic(cancel.text())
        if key is None:
            found[current[0]] = f"no key: {cancel.text()}"
        elif clash := dialog_clashes(box):
            found[current[0]] = clash
        else:
            alt(qtbot, box, key)
            qtbot.waitUntil(lambda: not box.isVisible(), timeout=1000)
            if box.clickedButton() is not cancel:
                found[current[0]] = "the key did not press Cancel"
        box.close()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", shown)
    for name, ask in questions():
        current[0] = name
        ask()
    assert found == {}, found


def test_every_module_that_makes_a_cancel_or_a_close_gives_it_its_key() -> None:
    """A Cancel or Close made anywhere in src/dispensary/ui (a button box's, a message box's)
    goes through feedback's give_dismiss_key(s) or dismiss_text: a dialog added later without
    its key fails here before a pharmacist finds it."""
    made = re.compile(r"StandardButton\.(Cancel|Close)\b|WizardButton\.CancelButton")
    keyed = re.compile(r"give_dismiss_keys?\(|dismiss_text\(")
    missing = [
        path.name
        for path in sorted(UI.rglob("*.py"))
        if made.search(text := path.read_text(encoding="utf-8")) and not keyed.search(text)
    ]
    assert missing == []
