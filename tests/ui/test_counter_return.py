"""Returns at the counter: scan the label, count, sign, and explain a flag on the spot."""

from __future__ import annotations

from datetime import date

import pytest
from counter_fixtures import Counter, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.domain.codes import Flag
from dispensary.services import dispensing, queries, reconciliation
from dispensary.services.results import DispenseResult
from dispensary.ui.return_view import ReturnScreen


@pytest.fixture
def first_cycle(counter: Counter) -> DispenseResult:
    """01-001 took home kit K0101 (21 tablets) on 5 January; today is 26 January."""
    result = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.actor("tech")  # signed in that morning: a test may still count a return that day
    counter.clock.set_date(date(2026, 1, 26))
    return result


@pytest.fixture
def screen(qtbot: QtBot, counter: Counter, first_cycle: DispenseResult) -> ReturnScreen:
    widget = ReturnScreen(counter.session("tech"))
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


def cycle_one(counter: Counter) -> tuple[int | None, tuple[Flag, ...], str]:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return rows[0].returned, rows[0].flags, rows[0].flag_reason


def test_a_flagged_return_asks_for_the_reason_and_records_it(
    qtbot: QtBot,
    screen: ReturnScreen,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
    qtmodeltester: object,
) -> None:
    scan(qtbot, screen.scan_field, first_cycle.number)  # the label's barcode
    assert [line.kit for line in screen.lines_model.rows] == ["K0101"]
    qtmodeltester.check(screen.lines_model)  # type: ignore[attr-defined]
    assert QApplication.focusWidget() is screen.counted
    scan(qtbot, screen.counted, "10")  # 10 back: 11 of 21 taken

    assert signatures.asked[0][:2] == ("Tom Tech", "return counted")
    assert cycle_one(counter) == (10, (Flag.UNDER_USE,), "")
    assert "52%" in screen.result.text()
    assert screen.message.kind == "warning"
    assert screen.reason.isVisibleTo(screen)
    assert QApplication.focusWidget() is screen.reason

    scan(qtbot, screen.reason, "Vomited after 4 doses; told to skip, as the protocol says")
    assert cycle_one(counter)[2].startswith("Vomited after 4 doses")
    assert not screen.reason.isVisibleTo(screen)
    assert screen.message.kind == "ok"
    findings = reconciliation.reconcile(counter.ctx, counter.actor("pharm")).discrepancies
    assert not [d for d in findings if d.kind == "adherence"]


def test_days_held_by_the_investigator_are_not_missed_doses(
    qtbot: QtBot,
    screen: ReturnScreen,
    counter: Counter,
    signatures: Signatures,
) -> None:
    scan(qtbot, screen.scan_field, "01-001")  # participant number: their open dispense
    screen.held.setText("10")
    screen.condition.setText("bottle intact")
    qtbot.keyClicks(screen.counted, "10")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert cycle_one(counter) == (10, (), "")
    assert "100%" in screen.result.text()
    assert not screen.reason.isVisibleTo(screen)


def test_more_tablets_than_dispensed_are_refused_and_nothing_is_written(
    qtbot: QtBot, screen: ReturnScreen, counter: Counter, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "K0101")  # the kit's own barcode
    assert screen.kit.currentData() == "K0101"
    scan(qtbot, screen.counted, "25")
    assert screen.message.kind == "error"
    assert "Count the kit again" in screen.message.text()
    assert cycle_one(counter)[0] is None
    assert screen.counted.text() == "25"  # kept for correction


def test_an_unknown_code_is_refused_in_place(
    qtbot: QtBot, screen: ReturnScreen, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "DSP999999")
    assert screen.scan_field.cue == "error"
    assert "no dispense" in screen.message.text()
    assert not screen.sign_button.isEnabled()
    assert signatures.asked == []


def test_a_flagged_return_on_the_dispense_day_asks_for_the_reason(
    qtbot: QtBot,
    screen: ReturnScreen,
    counter: Counter,
    first_cycle: DispenseResult,
    signatures: Signatures,
) -> None:
    counter.clock.set_date(date(2026, 1, 5))  # brought back the day it was dispensed
    screen.refresh()
    scan(qtbot, screen.scan_field, first_cycle.number)
    scan(qtbot, screen.counted, "15")  # 6 tablets gone, none expected yet

    result = screen.last_result
    assert result is not None and result.expected == 0 and result.flags
    returned, flags, _reason = cycle_one(counter)
    assert returned == 15 and flags == result.flags
    assert "still to count" not in screen.result.text()
    assert result.flags[0].label in screen.result.text()
    assert screen.message.kind == "warning"
    assert screen.reason.isVisibleTo(screen)
    scan(qtbot, screen.reason, "Dropped 6 tablets down the sink in the car park")
    assert cycle_one(counter)[2].startswith("Dropped 6 tablets")
    assert not screen.reason.isVisibleTo(screen)


def test_the_return_is_assessed_as_it_is_typed_and_a_refusal_is_never_signed(
    qtbot: QtBot, screen: ReturnScreen, counter: Counter, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "DSP000001")
    assert screen.tally.text() == "Kit K0101: 21 dispensed"
    qtbot.keyClicks(screen.counted, "25")  # more than went out: refused before signing
    assert screen.message.kind == "error"
    assert screen.message.text().startswith("25 tablets returned for kit K0101, but only")
    assert not screen.sign_button.isEnabled()
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    qtbot.keyClick(screen, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert signatures.asked == []
    assert cycle_one(counter)[0] is None

    screen.counted.clear()  # the refusal goes with the count that caused it
    assert screen.message.kind == ""
    qtbot.keyClicks(screen.counted, "10")
    assert screen.sign_button.isEnabled()
    tally = screen.tally.text()
    assert "21 dispensed · 10 counted back · 11 taken" in tally
    assert "adherence <b>52%</b>" in tally and "Under-use" in tally  # before signing
    assert "ask the participant why" in tally
    qtbot.keyClicks(screen.note, "vomited twice")
    assert "ask the participant why" not in screen.tally.text()

    screen.held.setText("22")  # more days held than the days of supply
    assert "22 days held is more than the 21 days of supply" in screen.message.text()
    assert not screen.sign_button.isEnabled()
    screen.held.setText("10")
    assert screen.message.kind == "" and "adherence <b>100%</b>" in screen.tally.text()
    qtbot.keyClick(screen.counted, Qt.Key.Key_Return)
    assert [a[1] for a in signatures.asked] == ["return counted"]
    assert cycle_one(counter) == (10, (), "")


def test_a_participant_with_every_bottle_back_is_told_so(
    qtbot: QtBot, screen: ReturnScreen, counter: Counter, signatures: Signatures
) -> None:
    scan(qtbot, screen.scan_field, "01-001")
    scan(qtbot, screen.counted, "0")
    assert cycle_one(counter)[0] == 0
    screen.start_over()
    with qtbot.assertNotEmitted(screen.open_request):  # nothing to count: said here
        scan(qtbot, screen.scan_field, "01-001")
    assert screen.message.text() == (
        "Participant 01-001 has no dispense waiting for a return: every return is recorded. To"
        " change a count, select the cycle in the participant's history (Participants) and"
        " choose Correct return count..., or run `dispensary correct-return` with the return's"
        " number, which `dispensary history 01-001` shows."
    )
    assert screen.scan_field.cue == "error"
    assert QApplication.focusWidget() is screen.scan_field
    scan(qtbot, screen.scan_field, "DSP000001")  # the label still shows what came back
    assert [(r.kit, r.state) for r in screen.lines_model.rows] == [("K0101", "Returned")]
    assert screen.message.text() == (  # the window's own way to change a count
        "Every kit of DSP000001 is already counted back. To change a count, open 01-001 under"
        " Participants, select cycle 1 in the history and choose Correct return count..."
    )
    assert not screen.sign_button.isEnabled()


def test_one_tablet_and_one_day_are_said_in_the_singular(
    qtbot: QtBot, screen: ReturnScreen, signatures: Signatures
) -> None:
    """What the pharmacist signs said "1 tablets counted, 1 days held" and the result "1
    tablets back" (the command line said "1 tablet")."""
    scan(qtbot, screen.scan_field, "01-001")
    screen.held.setText("1")
    screen.condition.setText("bottle intact")
    qtbot.keyClicks(screen.counted, "1")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    summary = signatures.asked[0][2]
    assert summary.endswith(": 1 tablet counted, 1 day held."), summary
    assert "<b>K0101</b>: 1 tablet back." in screen.result.text(), screen.result.text()


def test_the_dispense_card_says_one_tablet_back(
    qtbot: QtBot, counter: Counter, first_cycle: DispenseResult
) -> None:
    from dispensary.services import returns
    from dispensary.ui.dispense_view import DispenseScreen

    pharm = counter.actor("pharm")
    returns.record_return(counter.ctx, pharm, "K0101", 1, "pharmpass1", first_cycle.number)
    widget = DispenseScreen(counter.session("pharm"))
    qtbot.addWidget(widget)
    widget.show()
    widget.refresh()
    scan(qtbot, widget.participant_field, "01-001")
    assert "Last return: cycle 1, 1 tablet back on " in widget.card.text(), widget.card.text()
