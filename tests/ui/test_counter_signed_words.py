"""The counter as a reviewer drove it: what the dispense's signature names (the dose, its
change and who ordered it, each warning overridden with the reason), a kit scanned before the
participant, Enter in the form's fields, and the screen's keys."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from html import escape

import pytest
from counter_fixtures import Counter, Printer, Signatures, Stopwatch
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick, scan, scan_kits_to_pick

from dispensary.services import dispensing, queries, returns
from dispensary.services.assessment import OverrideNeeds
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.scan_field import KeyBurst
from dispensary.ui.screens import OPENS, screen_classes


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


@pytest.fixture
def screen(qtbot: QtBot, counter: Counter) -> DispenseScreen:
    widget = DispenseScreen(counter.session("pharm"))
    qtbot.addWidget(widget)
    widget.resize(1366, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


def cycle_one_returned(counter: Counter, returned_on: date) -> None:
    """01-001's cycle 1 (level 0, day 1 on 5 January), its kit back empty on `returned_on`,
    which is today."""
    pharm = counter.actor("pharm")
    first = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(returned_on)
    returns.record_return(counter.ctx, pharm, first.kits[0].kit, 0, "pharmpass1", first.number)


def cycles(counter: Counter) -> list[int]:
    _row, rows = queries.participant_history(counter.ctx, counter.actor("pharm"), "01-001")
    return [r.cycle for r in rows]


def test_the_signature_names_the_dose_its_change_and_who_ordered_it(
    qtbot: QtBot, screen: DispenseScreen, counter: Counter, signatures: Signatures, printer: Printer
) -> None:
    cycle_one_returned(counter, date(2026, 1, 26))
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    screen.dose.setCurrentIndex(screen.dose.findData(-1))  # reduced: 5 mg, from 2.5 mg tablets
    assert screen.ordered_by.isVisibleTo(screen)
    scan_kits_to_pick(qtbot, screen)  # the signature waits for who ordered it
    qtbot.keyClicks(screen.ordered_by, "Dr Liu")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)

    [(_signer, _meaning, summary)] = signatures.asked
    name = counter.ctx.study.dose_name(-1)
    assert f"Dose level -1: {name} — changed from level 0, ordered by Dr Liu." in summary
    assert cycles(counter) == [1, 2]


def test_the_signature_names_each_warning_overridden_and_the_reason(
    qtbot: QtBot, screen: DispenseScreen, counter: Counter, signatures: Signatures, printer: Printer
) -> None:
    """Cycle 2 one day after cycle 1: the unconfirmed minimum interval's warning, overridden
    with the reason typed, is in what is signed."""
    cycle_one_returned(counter, date(2026, 1, 6))
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    assert screen.assessment is not None
    [warning] = screen.assessment.needs(OverrideNeeds.REASON)
    assert "only 1 day after" in warning.message
    scan_kits_to_pick(qtbot, screen)  # the signature waits for the reason
    why = "Investigator: day 1 moved for the scan <CT>"
    qtbot.keyClicks(screen.override, why)
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)

    [(_signer, _meaning, summary)] = signatures.asked
    assert f"Dose level 0: {counter.ctx.study.dose_name(0)}." in summary
    assert "changed from" not in summary
    assert f"Overridden: {escape(warning.message)}" in summary
    assert "Reason to dispense anyway: Investigator: day 1 moved for the scan &lt;CT&gt;" in summary
    assert cycles(counter) == [1, 2]


def test_a_wrong_password_names_the_person_the_dialog_names(
    qtbot: QtBot, screen: DispenseScreen, counter: Counter, signatures: Signatures, chinese: None
) -> None:
    signatures.wrong = True
    scan(qtbot, screen.participant_field, "01-001")
    dispense_kits_to_pick(qtbot, screen)
    [(signer, _meaning, _summary)] = signatures.asked
    assert signer == "Paula Pharm"
    assert screen.message.text().startswith("Paula Pharm：pharm 的签名密码错误；未保存任何内容。")
    assert cycles(counter) == []


@pytest.mark.parametrize("field", ["override", "ordered_by", "platelets"])
def test_enter_in_a_field_of_the_form_goes_on(
    qtbot: QtBot,
    screen: DispenseScreen,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    field: str,
) -> None:
    cycle_one_returned(counter, date(2026, 1, 6))  # the interval's warning: a reason
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    screen.dose.setCurrentIndex(screen.dose.findData(-1))  # a change: who ordered it
    scan_kits_to_pick(qtbot, screen)  # the signature waits for the reason and who ordered it
    assert "then press Enter" in screen.message.text()
    qtbot.keyClicks(screen.override, "Investigator's instruction")
    qtbot.keyClicks(screen.ordered_by, "Dr Liu")
    qtbot.keyClicks(screen.platelets, "80")
    qtbot.keyClick(getattr(screen, field), Qt.Key.Key_Return)

    assert len(signatures.asked) == 1
    assert cycles(counter) == [1, 2]


def test_enter_in_the_reason_left_empty_says_what_is_missing(
    qtbot: QtBot, screen: DispenseScreen, counter: Counter, signatures: Signatures
) -> None:
    cycle_one_returned(counter, date(2026, 1, 6))
    screen.refresh()
    scan(qtbot, screen.participant_field, "01-001")
    scan_kits_to_pick(qtbot, screen)
    qtbot.keyClick(screen.override, Qt.Key.Key_Return)
    assert signatures.asked == []
    assert screen.message.kind == "error"
    assert "Give the reason to dispense anyway, then press Enter." in screen.message.text()
    assert focused() is screen.override


def test_each_mnemonic_of_the_dispense_form_is_its_own(
    screen: DispenseScreen, chinese: None, counter: Counter
) -> None:
    for widget in (screen, DispenseScreen(counter.session("pharm"))):  # English, then Chinese
        keys = [
            label.text().split("&")[1][0].upper()
            for label in widget.findChildren(QLabel)
            if "&" in label.text().replace("&&", "") and label.buddy() is not None
        ]
        assert keys and len(keys) == len(set(keys)), keys
        widget.deleteLater()


@pytest.fixture
def window(qtbot: QtBot, counter: Counter) -> Iterator[MainWindow]:
    main = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(main)
    main.scan_catcher.burst.clock = Stopwatch(0.004)  # a barcode scanner's keys
    main.resize(1366, 768)
    main.show()
    qtbot.waitExposed(main)
    main.activateWindow()
    dashboard = main.screens[DashboardScreen]
    assert isinstance(dashboard, DashboardScreen)
    qtbot.waitUntil(lambda: not dashboard.checking, timeout=30_000)
    yield main


def test_a_kit_scanned_before_the_participant_stays_on_dispense(
    qtbot: QtBot, window: MainWindow, signatures: Signatures
) -> None:
    screen = window.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    screen.participant_field.setFocus()
    scan(qtbot, focused(), "K0101")

    assert window.current_screen() is screen
    assert screen.message.kind == "error"
    assert "K0101 is a kit: scan the participant's study number first" in screen.message.text()
    assert focused() is screen.participant_field
    scan(qtbot, focused(), "01-002")  # the next scan types over the refused code
    assert screen.participant is not None and screen.participant.study_number == "01-002"
    assert window.scan_field.text() == ""


def test_a_kit_scanned_into_the_toolbar_before_the_participant_stays_on_dispense(
    qtbot: QtBot, window: MainWindow
) -> None:
    screen = window.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    window.handle_scan("K0101")
    assert window.current_screen() is screen
    assert "scan the participant's study number first" in screen.message.text()


def test_the_card_names_the_reason_as_its_field_does(chinese: None) -> None:
    said = QCoreApplication.translate(
        "DispenseScreen",
        "{window}; a day 1 before {unwarned} needs the reason (rule to confirm)",
    )
    assert "仍然发放的理由" in said, said


def test_the_today_stock_line_counts_kits_in_one_measure_word(chinese: None) -> None:
    said = QCoreApplication.translate(
        "DashboardScreen",
        "{product} — {on_hand} on hand, of which {usable} can serve a cycle started today; "
        "{needed} needed for the next cycles",
    )
    assert "其中 {usable} 盒" in said


def test_fast_keys_in_the_inventory_search_read_once(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scanner's keys in the inventory's search: one read when they stop, not one a key."""
    from dispensary.services import inventory_pages
    from dispensary.ui.inventory_view import InventoryScreen

    monkeypatch.setattr(KeyBurst, "default_clock", Stopwatch(0.004))
    inventory = InventoryScreen(counter.session("pharm"))
    qtbot.addWidget(inventory)
    inventory.show()
    qtbot.waitExposed(inventory)
    inventory.refresh()
    asked: list[str] = []
    page = inventory_pages.inventory_page

    def reading(ctx: object, actor: object, query: object, offset: int, limit: int) -> object:
        asked.append(query.text)  # type: ignore[attr-defined]
        return page(ctx, actor, query, offset, limit)  # type: ignore[arg-type]

    monkeypatch.setattr(inventory_pages, "inventory_page", reading)
    qtbot.keyClicks(inventory.search, "K0102")
    qtbot.waitUntil(lambda: not inventory.counting)
    assert asked == ["k", "k0102"]  # the first key at once, the rest once they stop
    assert [k.number for k in inventory.model.rows] == ["K0102"]
