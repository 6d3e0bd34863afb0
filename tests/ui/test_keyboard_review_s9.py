"""Review s9: the keyboard alone through the set-up wizard, a return and a receipt. Each Alt key
of a wizard page names one control, Qt's own buttons counted ("Pharmacy's &name" was Alt+N as
"&Next" was, "&Full name" Alt+F as "&Finish", "&Browse…" Alt+B as "< &Back"); Enter on the
location page tests the location and goes on (it did nothing, and nothing said why, until Test
was pressed); Esc on Returns and "New shipment" on Receive ask before the work typed or scanned
is lost (Cancel the default), and ask nothing when there is nothing to lose."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QMessageBox, QWidget
from window_helpers import main_window, scan

from dispensary import app as gui
from dispensary import config
from dispensary.i18n import ENGLISH, Language
from dispensary.services import dispensing
from dispensary.ui import receive_view, return_view
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.setup_wizard import Page
from dispensary.ui.translations import install_language, load_cjk_font


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(
    qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """A key pressed where the cursor is, then the time a button's animated click takes."""
    target = focused()
    assert target is not None
    qtbot.keyClick(target, key, modifier)
    qtbot.wait(200)


def mnemonics(window: QWidget) -> list[str]:
    """The Alt keys of what the window shows: its fields' labels and its buttons."""
    texts = [
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisible() and label.buddy() is not None
    ]
    texts += [
        button.text() for button in window.findChildren(QAbstractButton) if button.isVisible()
    ]
    keys = []
    for text in texts:
        plain = text.replace("&&", "")
        if "&" in plain:
            keys.append(plain[plain.index("&") + 1].upper())
    return keys


def clashes(window: QWidget) -> dict[str, int]:
    return {key: n for key, n in Tally(mnemonics(window)).items() if n > 1}


@pytest.fixture
def first(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[gui.FirstRun]:
    """The set-up wizard of a new workstation, the active window."""
    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(config.ENV_DB, raising=False)
    run = gui.FirstRun(config.database_from(None))
    run.wizard.show()
    qtbot.waitExposed(run.wizard)
    run.wizard.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is run.wizard)
    yield run
    run.close()
    install_language(ENGLISH)


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_each_alt_key_of_each_wizard_page_is_its_own(
    qtbot: Any, first: gui.FirstRun, language: Language
) -> None:
    load_cjk_font()
    wizard = first.wizard
    chooser = wizard.language.language
    chooser.setCurrentIndex(chooser.findData(language.value))
    chooser.activated.emit(chooser.currentIndex())  # as a choice in the list does
    qtbot.wait(50)
    seen: dict[int, dict[str, int]] = {}

    def look() -> None:
        qtbot.wait(20)
        seen[wizard.currentId()] = clashes(wizard)

    look()
    wizard.next()
    assert wizard.currentId() == Page.LOCATION
    look()
    assert wizard.location.run_test()
    look()
    wizard.location.setFinalPage(True)  # as for a pharmacy already there: Finish shown
    qtbot.wait(20)
    finish = clashes(wizard)
    wizard.location.setFinalPage(False)
    wizard.next()
    assert wizard.currentId() == Page.PHARMACY
    look()
    wizard.pharmacy.name.setText("Henan Cancer Hospital Pharmacy")
    wizard.next()
    assert wizard.currentId() == Page.STUDIES
    look()
    wizard.next()
    assert wizard.currentId() == Page.PRINTERS
    look()
    wizard.next()
    assert wizard.currentId() == Page.ADMINISTRATOR
    look()
    assert set(seen) == {int(page) for page in Page}
    seen[-1] = finish  # the location page with Finish
    assert seen == {**{int(page): {} for page in Page}, -1: {}}


def test_enter_on_the_location_page_tests_it_and_goes_on(
    qtbot: Any, first: gui.FirstRun, tmp_path: Path
) -> None:
    """Enter did nothing until Test (Alt+T) was pressed, and nothing said why."""
    wizard = first.wizard
    press(qtbot, Qt.Key.Key_Return)  # the language: English
    assert wizard.currentId() == Page.LOCATION
    page = wizard.location
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("hello", encoding="utf-8")
    page.file.setFocus()
    page.file.selectAll()
    qtbot.keyClicks(page.file, str(notes))
    press(qtbot, Qt.Key.Key_Return)  # tested, refused: said, and the page stays
    assert wizard.currentId() == Page.LOCATION
    assert "is not a Dispensary database" in page.message.text()
    assert page.message.kind == "error"
    page.file.setFocus()
    page.file.selectAll()
    qtbot.keyClicks(page.file, str(tmp_path / "pharmacy.sqlite3"))
    press(qtbot, Qt.Key.Key_Return)  # tested and good: on to the pharmacy's page
    assert wizard.currentId() == Page.PHARMACY
    assert page.location is not None and not page.location.existing
    assert not (tmp_path / "pharmacy.sqlite3").exists()  # nothing made before Finish


class Asked:
    """The questions asked before a form is emptied, answered in turn (True: empty it)."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.asked = 0

    def __call__(self, *_args: object) -> bool:
        self.asked += 1
        return self.answers.pop(0)


def a_return_scanned(qtbot: Any, counter: Counter) -> ReturnScreen:
    handed = dispensing.dispense_cycle(
        counter.ctx, counter.actor("pharm"), "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(date(2026, 1, 26))
    window = main_window(qtbot, counter.session("pharm"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_screen()
    assert isinstance(screen, ReturnScreen)
    scan(qtbot, focused(), handed.number)
    assert focused() is screen.counted
    return screen


def test_esc_on_returns_asks_before_the_count_hold_and_note_typed_are_lost(
    qtbot: Any, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked(False, True)
    monkeypatch.setattr(return_view.NextReturnQuestion, "ask", classmethod(asked))
    screen = a_return_scanned(qtbot, counter)
    qtbot.keyClicks(screen.counted, "3")
    press(qtbot, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    screen.held.selectAll()
    qtbot.keyClicks(screen.held, "2")
    press(qtbot, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(screen.note, "missed 2 doses")
    press(qtbot, Qt.Key.Key_Escape)  # Cancel: all kept
    assert asked.asked == 1
    assert (screen.counted.text(), screen.held.text(), screen.note.text()) == (
        "3",
        "2",
        "missed 2 doses",
    )
    assert screen.dispense is not None
    press(qtbot, Qt.Key.Key_Escape)  # emptied, as asked
    assert asked.asked == 2
    assert screen.dispense is None and screen.counted.text() == "" and screen.note.text() == ""
    assert focused() is screen.scan_field


def test_esc_on_returns_asks_nothing_when_nothing_is_typed(
    qtbot: Any, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked()
    monkeypatch.setattr(return_view.NextReturnQuestion, "ask", classmethod(asked))
    screen = a_return_scanned(qtbot, counter)
    press(qtbot, Qt.Key.Key_Escape)
    assert asked.asked == 0 and screen.dispense is None
    press(qtbot, Qt.Key.Key_Escape)  # an empty screen: nothing asked either
    assert asked.asked == 0


def answered_with_enter(qtbot: Any, seen: list[QMessageBox]) -> None:
    """The question's box, when it shows, answered with Enter as one typed from habit."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, answer)
            return
        seen.append(box)
        qtbot.keyClick(box, Qt.Key.Key_Return)

    QTimer.singleShot(50, answer)


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_the_return_s_question_keeps_the_work_on_enter_and_reads_in_the_language(
    qtbot: Any, counter: Counter, language: Language
) -> None:
    load_cjk_font()
    assert install_language(language)
    try:
        screen = a_return_scanned(qtbot, counter)
        qtbot.keyClicks(screen.counted, "3")
        seen: list[QMessageBox] = []
        answered_with_enter(qtbot, seen)
        qtbot.mouseClick(screen.new_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(seen))
        [box] = seen
        assert box.objectName() == "nextReturnQuestion"
        assert screen.counted.text() == "3" and screen.dispense is not None  # Cancel: kept
        if language is ENGLISH:
            assert "is not signed" in box.text()
        else:
            assert "未签名" in box.text() and "signed" not in box.text()
    finally:
        install_language(ENGLISH)


def test_new_shipment_asks_before_the_kits_listed_are_lost(
    qtbot: Any, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = Asked(False, True)
    monkeypatch.setattr(receive_view.NewShipmentQuestion, "ask", classmethod(asked))
    window = main_window(qtbot, counter.session("tech"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_screen()
    assert isinstance(screen, ReceiveScreen)
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)  # nothing listed
    assert asked.asked == 0
    qtbot.keyClicks(screen.shipment, "SH-778")
    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(screen.lot, "L2778")
    press(qtbot, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(screen.expiry, "2027-09")
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    for kit in ("K0801", "K0802"):
        scan(qtbot, screen.scan_field, kit)
    assert len(screen.kits) == 2
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)  # Cancel: kept
    assert asked.asked == 1 and len(screen.kits) == 2 and screen.shipment.text() == "SH-778"
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)  # emptied, as asked
    assert asked.asked == 2 and screen.kits == [] and screen.shipment.text() == ""
    for kit in ("K0803",):
        scan(qtbot, screen.scan_field, kit)
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # received
    assert screen.kits == []
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)  # nothing to lose
    assert asked.asked == 2


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_the_new_shipment_question_keeps_the_list_on_enter_and_reads_in_the_language(
    qtbot: Any, counter: Counter, language: Language
) -> None:
    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, counter.session("tech"))
        screen = window.show_screen(ReceiveScreen)
        assert isinstance(screen, ReceiveScreen)
        qtbot.keyClicks(screen.shipment, "SH-779")
        qtbot.keyClicks(screen.lot, "L2779")
        qtbot.keyClicks(screen.expiry, "2027-09")
        scan(qtbot, screen.scan_field, "K0901")
        assert len(screen.kits) == 1
        seen: list[QMessageBox] = []
        answered_with_enter(qtbot, seen)
        qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(seen))
        [box] = seen
        assert box.objectName() == "newShipmentQuestion"
        assert len(screen.kits) == 1  # Cancel: kept
        if language is ENGLISH:
            assert "The 1 kit listed is not received yet" in box.text()
        else:
            assert "尚未接收" in box.text() and "received" not in box.text()
    finally:
        install_language(ENGLISH)
