"""A number mistyped at the counter is kept as typed and refused, never read as another number:
the platelet field dropped the letter of "12O" (a letter O for a zero) and a dispense was signed
with 12 (120 would have needed the hold override's reason); the return's tablets field dropped
the minus of "-2" and recorded 2 back. A refused count puts the cursor back in its field, the
count selected so the number typed again replaces it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from counter_fixtures import Counter, Printer, Signatures
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from dispensary.services import dispensing, queries, studies
from dispensary.services.results import DispenseResult
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.return_view import ReturnScreen


def show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    """What a scanner (or a person) does: the keys into the field, then Enter."""
    field.setFocus()
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def dispensed(counter: Counter) -> list[int]:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return [r.cycle for r in rows]


def returned(counter: Counter) -> int | None:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return rows[0].returned


@pytest.fixture
def first_cycle(counter: Counter) -> DispenseResult:
    """01-001 took home kit K0101 (21 tablets) on 5 January; today is 26 January."""
    result = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.actor("tech")
    counter.clock.set_date(date(2026, 1, 26))
    return result


@pytest.fixture
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    """The windows made inside the test in English, or in Simplified Chinese."""
    if request.param == "zh_CN":
        request.getfixturevalue("chinese")
    yield request.param


def typed_platelets(qtbot: QtBot, counter: Counter, typed: str) -> DispenseScreen:
    """01-001 scanned, the platelet count typed, then Enter in the kit field: the proposed
    kits taken and the signature asked, unless something is refused first."""
    screen = DispenseScreen(counter.session("pharm"))
    show(qtbot, screen)
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    screen.platelets.setFocus()
    qtbot.keyClicks(screen.platelets, typed)
    scan(qtbot, screen.kit_field, "")
    return screen


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_letter_in_the_platelet_count_is_kept_and_refused(
    qtbot: QtBot, counter: Counter, signatures: Signatures, printer: Printer, language: str
) -> None:
    # The shipped platelet rule is a site decision: it holds once an administrator confirms it.
    studies.confirm_rule(counter.ctx, counter.actor("admin"), "platelets", "investigator's rule")
    screen = typed_platelets(qtbot, counter, "12O")
    assert screen.platelets.text() == "12O"  # as typed: not 12
    assert signatures.asked == []
    assert dispensed(counter) == []
    said = {
        "en": "'12O' is not a number: write the platelet count with the digits 0-9 and a "
        "decimal point only.",
        "zh_CN": "“12O”不是数字：血小板计数只能用数字 0-9 和小数点书写。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.platelets
    assert screen.platelets.selectedText() == "12O"  # typed again over it

    qtbot.keyClicks(screen.platelets, "120")  # corrected: now the hold asks its reason
    assert screen.platelets.text() == "120"
    assert screen.platelet_warning.isVisibleTo(screen)


def test_an_impossible_platelet_count_puts_the_cursor_back_in_its_field(
    qtbot: QtBot, counter: Counter, signatures: Signatures, printer: Printer
) -> None:
    screen = typed_platelets(qtbot, counter, "99999")
    assert screen.message.text().startswith("A platelet count of 99999")
    assert signatures.asked == [] and dispensed(counter) == []
    assert QApplication.focusWidget() is screen.platelets  # it stayed in the kit field
    assert screen.platelets.selectedText() == "99999"


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_minus_typed_in_the_tablets_returned_is_kept_and_refused(
    qtbot: QtBot,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
    language: str,
) -> None:
    screen = ReturnScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    scan(qtbot, screen.scan_field, first_cycle.number)
    assert QApplication.focusWidget() is screen.counted
    scan(qtbot, screen.counted, "-2")
    assert screen.counted.text() == "-2"  # as typed: not 2
    assert signatures.asked == []
    assert returned(counter) is None
    said = {
        "en": "The number of tablets returned cannot be negative (-2). Count again.",
        "zh_CN": "退回片数不能为负数（-2）。请重新清点。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == "-2"  # selected, as the platelets' field is
    qtbot.keyClicks(screen.counted, "30")  # typed again: replaces "-2" (it made "-230")
    assert screen.counted.text() == "30"
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)  # 30 of the kit's 21: refused too
    assert signatures.asked == [] and returned(counter) is None
    assert screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == "30"

    scan(qtbot, screen.counted, "1O")  # a letter O for a zero, typed over the 30
    assert screen.counted.text() == "1O"
    assert signatures.asked == [] and returned(counter) is None
    said = {
        "en": "'1O' is not a whole number: write the number of tablets returned with the digits "
        "0-9 only (no separators, decimal point or spaces inside).",
        "zh_CN": "“1O”不是整数：退回片数只能用数字 0-9 书写（中间不能有分隔符、小数点或空格）。",
    }[language]
    assert screen.message.text() == said
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == "1O"


def held_refused_with(qtbot: QtBot, screen: ReturnScreen, said: str, typed: str) -> None:
    """Signing (Enter in the count) is refused with `said`, the days kept as typed, the cursor
    back in them, selected so the number typed next replaces them."""
    scan(qtbot, screen.counted, "")  # Enter in the count field: the sign step
    assert screen.held.text() == typed  # as typed: not read as another number
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.held
    assert screen.held.selectedText() == typed


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
def test_a_minus_or_a_letter_in_the_days_held_is_kept_and_refused(
    qtbot: QtBot,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
    language: str,
) -> None:
    """The days held by the investigator were a spin box: "-3" was held as 3 days and "1O" as 1,
    each changing the adherence signed, without a word."""
    screen = ReturnScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    scan(qtbot, screen.scan_field, first_cycle.number)
    qtbot.keyClicks(screen.counted, "10")
    screen.held.setFocus()
    qtbot.keyClick(screen.held, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(screen.held, "-3")
    assert screen.held.text() == "-3"
    screen.counted.setFocus()
    held_refused_with(
        qtbot,
        screen,
        {
            "en": "The days the drug was held cannot be negative (-3): enter 0 or more.",
            "zh_CN": "停药天数不能为负数（-3）：请填写 0 或更大的数。",
        }[language],
        "-3",
    )
    assert signatures.asked == [] and returned(counter) is None

    qtbot.keyClicks(screen.held, "1O")  # a letter O for a zero, over the selected "-3"
    screen.counted.setFocus()
    held_refused_with(
        qtbot,
        screen,
        {
            "en": "'1O' is not a whole number: write the days held by the investigator with the "
            "digits 0-9 only (no separators, decimal point or spaces inside).",
            "zh_CN": "“1O”不是整数：研究者暂停用药天数只能用数字 0-9 书写（中间不能有分隔符、"
            "小数点或空格）。",
        }[language],
        "1O",
    )
    assert signatures.asked == [] and returned(counter) is None

    qtbot.keyClicks(screen.held, "10")  # typed again: ten days held, signed
    assert screen.held.text() == "10"
    scan(qtbot, screen.held, "")  # Enter in the days held signs too
    assert len(signatures.asked) == 1
    assert returned(counter) == 10


@pytest.mark.parametrize("language", ["en", "zh_CN"], indirect=True)
@pytest.mark.parametrize("typed", ["２１", "2　1"])
def test_a_count_typed_in_full_width_says_to_switch_the_input_method(
    qtbot: QtBot,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
    language: str,
    typed: str,
) -> None:
    """A Chinese input method in full-width mode types "２１", which reads as 21: the refusal
    said "'２１' is not a whole number: write it with the digits 0-9" (and showed a full-width
    space as '?'), leaving the pharmacist looking at the digits 2 and 1. It says what to change."""
    screen = ReturnScreen(counter.session("tech"))
    show(qtbot, screen)
    screen.refresh()
    scan(qtbot, screen.scan_field, first_cycle.number)
    assert QApplication.focusWidget() is screen.counted
    committed = QInputMethodEvent()  # what the input method commits: no key of its own
    committed.setCommitString(typed)
    QApplication.sendEvent(screen.counted, committed)
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    assert screen.counted.text() == typed
    assert signatures.asked == [] and returned(counter) is None
    said = {
        "en": f"'{typed}' is typed in full-width characters (the input method's full-width "
        "mode): switch the input method to half-width and type it again.",
        "zh_CN": f"“{typed}”是用全角字符输入的（输入法处于全角模式）：请将输入法切换为半角后重新输入。",
    }[language]
    assert screen.message.text() == said and screen.message.kind == "error"
    assert QApplication.focusWidget() is screen.counted
    assert screen.counted.selectedText() == typed
    qtbot.keyClicks(screen.counted, "21")  # typed again in half-width: recorded
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    assert len(signatures.asked) == 1
    assert returned(counter) == 21
