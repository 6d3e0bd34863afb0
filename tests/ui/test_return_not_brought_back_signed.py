"""A kit ticked not brought back at the return counter: the pharmacist signs for a kit not
brought back (未带回), never for "0 tablets counted" (清点 0片), and the kit's line then says not
brought back, never returned (已退回): the bottle is still with the participant, or lost."""

from __future__ import annotations

import os
from datetime import date

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from dispensary.domain.codes import KitStatus
from dispensary.services import dispensing, queries
from dispensary.ui.return_view import ReturnScreen

SHOTS = os.environ.get("DISPENSARY_TEST_SHOTS", "")  # a folder: save a picture of the screen
SAID = {
    "en": (
        "Return of kit {kit} from 01-001 cycle 1 ({number}): not brought back, 0 days held.",
        "not brought back",
        "Returned",
    ),
    "zh_CN": (
        "退药：01-001 第 1 周期（{number}）的药盒 {kit}：未带回，暂停用药 0 天。",
        "未带回",
        "已退回",
    ),
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_signature_says_not_brought_back_and_the_kit_is_not_returned(
    qtbot: QtBot,
    counter: Counter,
    signatures: Signatures,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    first = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 26))
    screen = ReturnScreen(counter.session("tech"))
    qtbot.addWidget(screen)
    screen.resize(1166, 760)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.refresh()
    qtbot.keyClicks(screen.scan_field, first.number)
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return)
    screen.not_back.setFocus()
    qtbot.keyClick(screen.not_back, Qt.Key.Key_Space)
    assert screen.not_back.isChecked()
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)

    kit = first.kits[0].kit
    summary, state, returned = SAID[language]
    [(_signer, _meaning, signed)] = signatures.asked
    assert signed == summary.format(kit=kit, number=first.number)
    assert "0 tablets" not in signed and "0片" not in signed

    if SHOTS:
        qtbot.wait(50)
        screen.grab().save(os.path.join(SHOTS, f"return-not-brought-back-signed-{language}.png"))
    column = screen.lines_model.columnCount() - 1
    shown = screen.lines_model.index(0, column).data()
    assert shown == state and shown != returned
    assert f"{kit}</b>: {state}." in screen.result.text().replace("：", ": ").replace("。", ".")
    [row] = [r for r in queries.inventory(counter.ctx, counter.actor("pharm")) if r.number == kit]
    assert row.status is KitStatus.DISPENSED
