"""21 CFR 11.200(a)(1): the witness of a destruction is not signed in, so signs with both
components. The finding: the pharmacist named the witness in the form, and the witness typed only
a password in the signature dialog. The witness's dialog now has an empty user-name field the
witness types; the service refuses a user name that is not the witness's, nothing written. Driven
here with the real dialog, as the witness types (the one destroying signs in the usual way)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus, SignatureMeaning
from dispensary.services import queries
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.inventory_view import InventoryScreen, UnseenReturnsQuestion

Typing = Callable[[SignatureDialog], None]

REAL_ASK_SECOND = SignatureDialog.__dict__["ask_second"]
"""The real dialog, as collected (the UI tests' conftest answers it as `ask` is answered)."""


def witness_types(username: str, password: str) -> Typing:
    """The witness types their user name and password in the real dialog, and signs."""

    def typing(dialog: SignatureDialog) -> None:
        assert dialog.username is not None
        dialog.username.setText(username)
        dialog.password.setText(password)
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        box.button(QDialogButtonBox.StandardButton.Ok).click()

    return typing


def cancels(dialog: SignatureDialog) -> None:
    dialog.reject()


def answer_witness(answers: list[Typing]) -> list[dict[str, Any]]:
    """Answers the real witness's dialogs, one answer each in turn, as they come up (each
    blocks in exec until answered); returns what each showed before anything was typed."""
    seen: list[dict[str, Any]] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog) and dialog.property("answered") is None:
            dialog.setProperty("answered", True)
            box = dialog.findChild(QDialogButtonBox)
            assert box is not None
            seen.append(
                {
                    "username": None if dialog.username is None else dialog.username.text(),
                    "password": dialog.password.text(),
                    "says": " ".join(label.text() for label in dialog.findChildren(QLabel)),
                    "sign_enabled": box.button(QDialogButtonBox.StandardButton.Ok).isEnabled(),
                }
            )
            answers.pop(0)(dialog)
        if answers:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    return seen


@pytest.fixture
def destroying(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> Callable[[list[Typing]], tuple[InventoryScreen, list[dict[str, Any]]]]:
    """K0001 set to be destroyed, witnessed by `tech`, authorised by CERT-77; the one destroying
    (pharm, signed in) signs with their password; Destroy clicked, the witness's real dialogs
    answered in turn."""
    monkeypatch.setattr(SignatureDialog, "ask_second", REAL_ASK_SECOND)
    monkeypatch.setattr(
        SignatureDialog, "ask", classmethod(lambda cls, *a: PASSWORDS["pharm"])
    )  # the one destroying: password only, signed in
    monkeypatch.setattr(UnseenReturnsQuestion, "ask", classmethod(lambda cls, *a: True))
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")), None)
    screen.open_kit("K0001")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "CERT-77")
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)

    def destroy(answers: list[Typing]) -> tuple[InventoryScreen, list[dict[str, Any]]]:
        seen = answer_witness(answers)
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
        return screen, seen

    return destroy


def failures(pharmacy: Pharmacy, user: str) -> int:
    with pharmacy.ctx.engine.connect() as connection:
        return int(
            connection.exec_driver_sql(
                f"SELECT failed_attempts FROM users WHERE username = '{user}'"
            ).scalar()
            or 0
        )


def status_of(pharmacy: Pharmacy, kit: str) -> KitStatus:
    return queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), kit).status


def test_the_witness_types_their_own_user_name_and_password(
    pharmacy: Pharmacy, destroying: Any
) -> None:
    screen, seen = destroying([witness_types("tech", PASSWORDS["tech"])])
    assert status_of(pharmacy, "K0001") is KitStatus.DESTROYED
    assert "witnessed by Tom Tech" in screen.message.text()
    # The witness's dialog: the user name empty for them to type, never chosen for them;
    # the printed name and the meaning shown; Sign only once both are typed.
    (asked,) = seen
    assert (asked["username"], asked["password"], asked["sign_enabled"]) == ("", "", False)
    assert "By signing, <b>Tom Tech</b> confirms: <b>witnessed</b>." in asked["says"]
    assert "Tom Tech types their own user name and password" in asked["says"]


def test_another_user_name_is_refused_and_typed_again(pharmacy: Pharmacy, destroying: Any) -> None:
    """The pharmacist types their own user name and password in the witness's dialog: refused,
    nothing written, nothing counted (no wrong password of any account); the witness's dialog
    comes again, empty, and the witness cancels."""
    screen, seen = destroying([witness_types("pharm", PASSWORDS["pharm"]), cancels])
    refusal = (
        "The user name typed is not Tom Tech's: the witness signs with their own user name "
        "and password. Nothing was saved."
    )
    assert refusal in screen.message.text()
    assert refusal in seen[1]["says"]  # said in the dialog typed again
    assert (seen[1]["username"], seen[1]["password"]) == ("", "")
    assert status_of(pharmacy, "K0001") is KitStatus.RETURNED
    assert queries.destruction_log(pharmacy.ctx, pharmacy.actor("pharm")) == []
    assert (failures(pharmacy, "pharm"), failures(pharmacy, "tech")) == (0, 0)


def test_a_wrong_password_of_the_account_typed_counts_and_the_witness_signs_again(
    pharmacy: Pharmacy, destroying: Any
) -> None:
    screen, seen = destroying(
        [
            witness_types("pharm2", PASSWORDS["tech"]),  # the name of another: wrong for pharm2
            witness_types("tech", "not-tech-1"),  # their own name, a wrong password
            witness_types("Tech ", PASSWORDS["tech"]),  # as typed at sign-in
        ]
    )
    assert len(seen) == 3
    assert "The password typed is not that of pharm2 either." in seen[1]["says"]
    assert "The witness's password is wrong: tech, the witness" in seen[2]["says"]
    assert (failures(pharmacy, "pharm2"), failures(pharmacy, "tech")) == (1, 0)  # tech signed
    assert status_of(pharmacy, "K0001") is KitStatus.DESTROYED
    assert "witnessed by Tom Tech" in screen.message.text()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_witness_dialog_reads_in_each_language(
    qtbot: Any, request: pytest.FixtureRequest, tmp_path: Path, language: str
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    dialog = SignatureDialog(
        None,
        "Tom Tech",
        SignatureMeaning.WITNESSED.value,
        "Destruction of 1 kit: K0001 (10 tablets) on 2026-01-26, witnessed by Tom Tech "
        "(Technician), authorised by CERT-77",
        second=True,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / f"witness-dialog-{language}.png"))
    says = " ".join(label.text() for label in dialog.findChildren(QLabel))
    if language == "zh_CN":
        assert "用户名" in says and "密码" in says and "见证" in says and "第二签名人" in says
    else:
        assert "User name" in says and "Password" in says


def test_the_signed_in_users_dialog_asks_the_password_only(qtbot: Any) -> None:
    """11.200(a)(1)(i): the signed-in user signs within their session with the password."""
    dialog = SignatureDialog(None, "Paula Pharm", SignatureMeaning.DESTROYED.value, "K0001")
    qtbot.addWidget(dialog)
    assert dialog.username is None
