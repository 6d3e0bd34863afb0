"""Review s17: every dialog's accept button (its OK, worded for the step: Sign, Release,
Quarantine, "Use this database…") has an Alt key of its own, as its Cancel has, in
English and in Chinese ("&Sign", "签名(&S)"), and pressing it, as a pharmacist at the counter
does with no mouse, does what a click does: the signature dialog, its password typed, signs.
Enter still presses the default button (a scanner's Enter). Run with the other Alt-key tests,
in a process of their own (scripts/test)."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QWidget,
)
from pytestqt.exceptions import TimeoutError as WaitedTooLong
from test_alt_keys_cancel import UI, alt, dialogs, in_language
from test_alt_keys_every_screen import dialog_clashes, mnemonic

from dispensary.i18n import ENGLISH, Language
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.forms import ReasonDialog
from dispensary.ui.inventory_view import ReleaseDialog
from dispensary.ui.participants_view import KitsBackDialog
from dispensary.ui.settings_view import DatabaseLocationDialog

__all__ = ["in_language"]  # the fixture, in English and in Chinese

Role = QDialogButtonBox.ButtonRole
ACCEPTING = (Role.AcceptRole, Role.ActionRole, Role.YesRole, Role.ApplyRole)
ACCEPTED = QDialog.DialogCode.Accepted


def accepting(dialog: QDialog) -> list[QAbstractButton]:
    """The dialog's accept buttons: its button boxes' buttons of the accept, action, yes and
    apply roles (a standard OK worded for the step, an action added by hand), and its default
    button made by hand (the label preview's Print)."""
    found: list[QAbstractButton] = []
    for box in dialog.findChildren(QDialogButtonBox):
        found += [b for b in box.buttons() if b.isVisible() and box.buttonRole(b) in ACCEPTING]
    found += [
        b
        for b in dialog.findChildren(QPushButton)
        if b.isVisible() and b.isDefault() and b not in found
    ]
    return found


def key_faults(qtbot: Any, dialog: QDialog) -> dict[str, Any]:
    """What is wrong with the Alt keys of the dialog's accept buttons: none to accept with, one
    with no key, a key another control of the dialog has too."""
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    found: dict[str, Any] = {}
    buttons = accepting(dialog)
    if not buttons:
        found["no accept button"] = True
    if keyless := [b.text() for b in buttons if mnemonic(b.text()) is None]:
        found["no key"] = keyless
    if clash := dialog_clashes(dialog):
        found["the same key"] = clash
    dialog.close()
    return found


def test_each_dialog_s_accept_button_has_an_alt_key_of_its_own(
    qtbot: Any, pharmacy: Pharmacy, in_language: Language, tmp_path: Path
) -> None:
    """Sign, Release and "Use this database…" had none; each dialog's accept is checked."""
    found = {}
    for name, make in [*dialogs(pharmacy, tmp_path), *shown_for_keys(pharmacy)]:
        if name in ("kit history", "shortcuts", "guide", "printers shown"):
            continue  # a Close only: nothing to accept
        if fault := key_faults(qtbot, make()):
            found[name] = fault
    assert found == {}, found


def shown_for_keys(pharmacy: Pharmacy) -> Iterator[tuple[str, Callable[[], QDialog]]]:
    """The dialogs with an accept that the Cancel review builds otherwise, or not at all: the
    reason dialog with each step's own words, the second signer's signature."""
    for where, context, action in reason_actions():
        yield (
            f"reason {where}",
            lambda c=context, a=action: ReasonDialog(None, "T", "Why?", translated(c, a)),
        )
    yield (
        "second signature",
        lambda: SignatureDialog(None, "pharm", "Verified", "Count of K0001", second=True),
    )
    yield (
        "kits back",
        lambda: KitsBackDialog(
            None, "Void", "Scan", translated("ParticipantsScreen", "&Kits are back")
        ),
    )


def translated(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


def reason_actions() -> list[tuple[str, str, str]]:
    """Each step's words of the reason dialog's action, as src/dispensary/ui words them: the
    `action` of each ReasonDialog.ask, KitsBackDialog.ask and the studies screen's _with_reason
    (where, the context of its translation, the words). A step added with an action of its own
    is checked here without a line of this test changed."""
    found: list[tuple[str, str, str]] = []
    for path in sorted(UI.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            for call in (n for n in ast.walk(cls) if isinstance(n, ast.Call)):
                at = action_at(call)
                if at is None or len(call.args) <= at:
                    continue
                worded = call.args[at]
                if isinstance(worded, ast.Name):
                    continue  # passed on (_with_reason's button): its callers are read
                assert (
                    isinstance(worded, ast.Call)
                    and isinstance(worded.func, ast.Attribute)
                    and worded.func.attr == "tr"
                    and isinstance(worded.args[0], ast.Constant)
                ), f"{path.name}:{call.lineno}: the action is not a self.tr of its words"
                found.append((f"{path.name}:{call.lineno}", cls.name, worded.args[0].value))
    assert len(found) >= 10, found  # the ten steps asked a reason in s17
    return found


def action_at(call: ast.Call) -> int | None:
    """Where a call that makes a reason dialog has its action's words: ReasonDialog.ask and
    KitsBackDialog.ask (parent, title, prompt, action), self._with_reason (title, question,
    button)."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    made = func.value
    if func.attr == "ask" and isinstance(made, ast.Name):
        return 3 if made.id in ("ReasonDialog", "KitsBackDialog") else None
    return 2 if func.attr == "_with_reason" else None


def pressed(qtbot: Any, dialog: QDialog, button: QAbstractButton, by: str) -> bool:
    """Whether the dialog was accepted by the key: Alt and the button's key, or Enter where the
    cursor is (`by`: "alt" or "enter")."""
    if by == "alt":
        key = mnemonic(button.text())
        assert key is not None, button.text()
        alt(qtbot, dialog, key)
    else:
        focused = dialog.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Return)
    try:
        qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=1000)
    except WaitedTooLong:
        return False
    return dialog.result() == ACCEPTED


def typed(qtbot: Any, field: QWidget, text: str) -> None:
    """The text typed in the field, the cursor in it as the user leaves it."""
    field.setFocus()
    qtbot.keyClicks(field, text)


def shown(qtbot: Any, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.mark.parametrize("by", ["alt", "enter"])
def test_the_signature_dialog_signs_with_its_key_once_the_password_is_typed(
    qtbot: Any, in_language: Language, by: str
) -> None:
    dialog = shown(qtbot, SignatureDialog(None, "pharm", "Dispensed", "Dispense K0001"))
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    assert mnemonic(ok.text()) == "S", ok.text()
    typed(qtbot, dialog.password, "secret-pw")
    assert pressed(qtbot, dialog, ok, by)
    assert dialog.password.text() == "secret-pw"


def test_the_second_signer_signs_with_the_key_once_both_are_typed(
    qtbot: Any, in_language: Language
) -> None:
    dialog = shown(qtbot, SignatureDialog(None, "pharm", "Verified", "Count of K0001", second=True))
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    alt(qtbot, dialog, "S")  # nothing typed: Sign is not pressed
    qtbot.wait(200)
    assert dialog.isVisible()
    assert dialog.username is not None
    typed(qtbot, dialog.username, "tech")
    typed(qtbot, dialog.password, "secret-pw")
    assert pressed(qtbot, dialog, ok, "alt")


@pytest.mark.parametrize("by", ["alt", "enter"])
def test_the_release_dialog_releases_with_its_key(
    qtbot: Any, in_language: Language, by: str
) -> None:
    dialog = shown(qtbot, ReleaseDialog(None, ["K5006"]))
    assert mnemonic(dialog.ok.text()) == "R", dialog.ok.text()
    typed(qtbot, dialog.reference, "TE-2026-014")
    typed(qtbot, dialog.reason, "sponsor says usable")
    assert pressed(qtbot, dialog, dialog.ok, by)


@pytest.mark.parametrize("by", ["alt", "enter"])
def test_each_step_s_reason_dialog_goes_on_with_its_key_once_the_reason_is_typed(
    qtbot: Any, in_language: Language, by: str
) -> None:
    failed = []
    for where, context, action in reason_actions():
        worded = translated(context, action)
        if in_language is not ENGLISH and worded == action:
            failed.append((where, f"{action} untranslated in {context}"))
        dialog = shown(qtbot, ReasonDialog(None, "T", "Why?", worded))
        alt(qtbot, dialog, mnemonic(dialog.ok.text()) or "Q")  # no reason: nothing done
        qtbot.wait(150)
        if not dialog.isVisible():
            failed.append((where, "went on with no reason"))
            continue
        typed(qtbot, dialog.reason, "damaged")
        if not pressed(qtbot, dialog, dialog.ok, by):
            failed.append((where, dialog.ok.text()))
    assert failed == []


def test_the_database_location_is_used_with_its_key_once_tested(
    qtbot: Any, in_language: Language, pharmacy: Pharmacy
) -> None:
    dialog = shown(qtbot, DatabaseLocationDialog(None, str(pharmacy.path)))
    assert mnemonic(dialog.save.text()) == "U", dialog.save.text()
    alt(qtbot, dialog, "U")  # not tested yet: not used
    qtbot.wait(200)
    assert dialog.isVisible()
    dialog.save.setEnabled(True)  # as a test that passed leaves it
    assert pressed(qtbot, dialog, dialog.save, "alt")
