"""A study file updated at another workstation while a return is typed on the Returns screen:
the return is refused (nothing written, no signature asked), and the screen opens the study
again with the new file, as F5 does, keeping the return as typed, to sign again."""

from __future__ import annotations

from datetime import date

from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window

from dispensary.services import dispensing, queries, studies
from dispensary.ui.return_view import ReturnScreen


def scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def returned(counter: Counter) -> int | None:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return rows[0].returned


def test_a_return_after_a_study_file_update_is_refused_and_kept_as_typed(
    qtbot: QtBot, counter: Counter, signatures: Signatures
) -> None:
    first = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.actor("tech")
    counter.clock.set_date(date(2026, 1, 26))
    window = main_window(qtbot, counter.session("tech"))
    screen = go_to(window, ReturnScreen)
    scan(qtbot, screen.scan_field, first.number)
    qtbot.keyClicks(screen.counted, "19")
    qtbot.keyClicks(screen.condition, "bottle intact")
    qtbot.keyClicks(screen.note, "missed 2 doses")
    text = counter.ctx.study.source_text
    amended = text.replace("Keep out of reach of children", "Keep away from children")
    assert amended != text
    studies.update_study(counter.ctx, counter.actor("admin"), amended, "v2.toml", "amendment 2")

    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)

    assert returned(counter) is None
    assert signatures.asked == []
    qtbot.waitUntil(lambda: window.current_screen() is not screen)
    again = window.current_screen()
    assert isinstance(again, ReturnScreen)
    assert window.session.ctx.version == 2
    assert again.dispense is not None and again.dispense.number == first.number
    assert again.kit.currentData() == "K0101"
    assert again.counted.text() == "19"
    assert again.condition.text() == "bottle intact"
    assert again.note.text() == "missed 2 doses"
    assert again.message.kind == "warning", again.message.text()
    assert again.message.text() == (
        "Nothing was saved: the study file of NCT07198672 was updated after this screen was "
        "opened. The screen read it again (version 2) and checked the return again as it was "
        "typed: check it before signing."
    )
    qtbot.mouseClick(again.sign_button, Qt.MouseButton.LeftButton)
    assert [meaning for _signer, meaning, _summary in signatures.asked] == ["return counted"]
    assert returned(counter) == 19
