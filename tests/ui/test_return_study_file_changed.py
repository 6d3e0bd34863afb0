"""A study file updated at another workstation while a return is typed on the Returns screen:
the return is refused (nothing written, no signature asked), and the screen opens the study
again with the new file, as F5 does, keeping the return as typed, to sign again."""

from __future__ import annotations

from datetime import date

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window, scan

from dispensary.services import dispensing, queries, studies
from dispensary.services.results import DispenseResult
from dispensary.ui.main_window import MainWindow
from dispensary.ui.return_view import ReturnScreen


def returns_screen(
    qtbot: QtBot, counter: Counter
) -> tuple[MainWindow, ReturnScreen, DispenseResult]:
    """Participant 01-001's first cycle dispensed, three weeks on: the technician's Returns
    screen open in the main window."""
    first = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.actor("tech")
    counter.clock.set_date(date(2026, 1, 26))
    window = main_window(qtbot, counter.session("tech"))
    return window, go_to(window, ReturnScreen), first


def returned(counter: Counter) -> int | None:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return rows[0].returned


def test_a_return_after_a_study_file_update_is_refused_and_kept_as_typed(
    qtbot: QtBot, counter: Counter, signatures: Signatures
) -> None:
    window, screen, first = returns_screen(qtbot, counter)
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


NOTE = {
    "en": (
        "Nothing was saved: the study file of NCT07198672 was updated after this screen was "
        "opened. The screen read it again (version 2) and checked the return again as it was "
        "typed: check it before signing."
    ),
    "zh": (
        "未保存任何内容：NCT07198672 的研究文件在本界面打开后已更新。本界面已重新载入该文件"
        "（第 2 版），并按已输入的内容重新检查了本次退药：请核对后再签名。"
    ),
}


def update_the_study(counter: Counter) -> None:
    """The study file updated at another workstation."""
    text = counter.ctx.study.source_text
    amended = text.replace("Keep out of reach of children", "Keep away from children")
    assert amended != text
    studies.update_study(counter.ctx, counter.actor("admin"), amended, "v2.toml", "amendment 2")


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> str:
    if request.param == "zh":
        request.getfixturevalue("chinese")
    return str(request.param)


def test_a_label_scanned_after_a_study_file_update_reads_the_study_again(
    qtbot: QtBot, counter: Counter, signatures: Signatures, language: str
) -> None:
    """The screen opened, the study file updated elsewhere, then the label scanned: the screen
    showed the service's refusal word for word ("reload the window (F5) or run the command
    again"), meant for no one at this screen. It reads the study again itself, as every other
    window does, keeps the dispense scanned, and says so in its own words."""
    window, screen, first = returns_screen(qtbot, counter)
    update_the_study(counter)

    scan(qtbot, screen.scan_field, first.number)

    qtbot.waitUntil(lambda: window.current_screen() is not screen)
    again = window.current_screen()
    assert isinstance(again, ReturnScreen)
    assert window.session.ctx.version == 2
    assert again.dispense is not None and again.dispense.number == first.number
    assert again.kit.currentData() == "K0101"
    said = again.message.text()
    assert said == NOTE[language], said
    assert again.message.kind == "warning", said
    assert "F5" not in said and "F5" not in screen.message.text()
    assert returned(counter) is None and signatures.asked == []

    qtbot.keyClicks(again.counted, "19")
    qtbot.mouseClick(again.sign_button, Qt.MouseButton.LeftButton)
    assert len(signatures.asked) == 1
    assert returned(counter) == 19


def test_a_label_scanned_again_after_a_study_file_update_keeps_the_count_typed(
    qtbot: QtBot, counter: Counter, signatures: Signatures
) -> None:
    """A return open with its count typed, the study file updated elsewhere, the label scanned
    again: the study is read again, the return and its count kept, nothing written."""
    window, screen, first = returns_screen(qtbot, counter)
    scan(qtbot, screen.scan_field, first.number)
    qtbot.keyClicks(screen.counted, "19")
    qtbot.keyClicks(screen.note, "missed 2 doses")
    update_the_study(counter)

    screen.scan_field.setFocus()
    scan(qtbot, screen.scan_field, first.number)

    qtbot.waitUntil(lambda: window.current_screen() is not screen)
    again = window.current_screen()
    assert isinstance(again, ReturnScreen)
    assert again.dispense is not None and again.dispense.number == first.number
    assert again.counted.text() == "19"
    assert again.note.text() == "missed 2 doses"
    assert again.message.text() == NOTE["en"], again.message.text()
    assert returned(counter) is None and signatures.asked == []
