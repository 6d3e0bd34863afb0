"""A study file updated at another workstation while a shipment is listed on the Receive screen:
the receipt is refused (nothing written), and the screen opens the study again with the new
file, as F5 does, keeping the shipment as typed and listed, to receive again."""

from __future__ import annotations

from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import main_window, receipt_typed, scan

from dispensary.domain.errors import NotFound
from dispensary.services import queries, studies
from dispensary.ui.receive_view import ReceiveScreen


def received(counter: Counter) -> list[str]:
    try:
        rows = queries.shipment_kits(counter.ctx, counter.actor("tech"), "SH-077")
    except NotFound:
        return []
    return [k.number for k in rows]


def test_a_receipt_after_a_study_file_update_is_refused_and_listed_again(
    qtbot: QtBot, counter: Counter
) -> None:
    window = main_window(qtbot, counter.session("tech"))
    screen = receipt_typed(qtbot, window)
    for code in ("K0701", "K0702"):
        scan(qtbot, screen.scan_field, code)
    assert [k.number for k in screen.kits] == ["K0701", "K0702"]
    text = counter.ctx.study.source_text
    amended = text.replace("Keep out of reach of children", "Keep away from children")
    assert amended != text
    studies.update_study(counter.ctx, counter.actor("admin"), amended, "v2.toml", "amendment 2")

    qtbot.mouseClick(screen.receive_button, Qt.MouseButton.LeftButton)

    assert received(counter) == []
    qtbot.waitUntil(lambda: window.current_screen() is not screen)
    again = window.current_screen()
    assert isinstance(again, ReceiveScreen)
    assert window.session.ctx.version == 2
    assert again.shipment.text() == "SH-077"
    assert [k.number for k in again.kits] == ["K0701", "K0702"]
    assert again.message.kind == "warning", again.message.text()
    assert again.message.text() == (
        "Nothing was saved: the study file of NCT07198672 was updated after this screen was "
        "opened. The screen read it again (version 2) and checked the shipment again as it "
        "was listed: check it before receiving."
    )
    qtbot.mouseClick(again.receive_button, Qt.MouseButton.LeftButton)
    assert received(counter) == ["K0701", "K0702"]
