"""The meaning of a signature is shown in the reader's language (issue 13); the screens pass it
as it is recorded (SignatureMeaning's English value), and the record keeps that."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from dispensary.domain.codes import SignatureMeaning
from dispensary.ui.feedback import SignatureDialog


def _text(dialog: SignatureDialog) -> str:
    return dialog.findChildren(QLabel)[0].text()


def test_a_recorded_meaning_is_shown_in_chinese(qtbot: QtBot, chinese: None) -> None:
    meaning = SignatureMeaning.RECONCILIATION_SIGNED_OFF.value
    dialog = SignatureDialog(None, "Mona Monitor", meaning, "NCT07198672 对账")
    qtbot.addWidget(dialog)
    assert "签名即确认：<b>对账已签核</b>。" in _text(dialog)
    assert meaning == "reconciliation signed off"


def test_a_meaning_is_shown_in_english_to_an_english_reader(qtbot: QtBot) -> None:
    dialog = SignatureDialog(None, "Paula Pharm", SignatureMeaning.COUNT_VERIFIED.value, "K0001")
    qtbot.addWidget(dialog)
    assert "confirms: <b>count verified</b>." in _text(dialog)
