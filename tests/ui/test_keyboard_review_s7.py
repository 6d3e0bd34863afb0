"""Review s7: the first run, a receipt and a return driven from the keyboard alone. Enter on
the wizard's studies page goes on (it opened the file chooser of "Add a file…", the page's
first control); each Alt key on the Receive and Return screens names one control (Alt+L went
to the lot, never to "Print kit labels", now Alt+B; Alt+H and Alt+F were the Help and File
menus' as well as the held days' and the hold's first day, now Alt+Y and Alt+M)."""

from __future__ import annotations

from collections import Counter as Tally
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter, Printer, Signatures
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from window_helpers import main_window, scan

from dispensary import app as gui
from dispensary import config
from dispensary.i18n import ENGLISH, Language
from dispensary.services import dispensing
from dispensary.ui import setup_wizard
from dispensary.ui.main_window import MainWindow
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.setup_wizard import Page
from dispensary.ui.translations import install_language


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


def test_enter_on_the_studies_page_goes_on_and_the_studies_come_first(
    qtbot: Any, first: gui.FirstRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        setup_wizard.StudyFileChooser,
        "ask",
        classmethod(lambda cls, _parent, title, _filters: asked.append(title)),
    )
    wizard = first.wizard
    press(qtbot, Qt.Key.Key_Return)  # the language: English
    assert wizard.currentId() == Page.LOCATION
    press(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Test
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == Page.PHARMACY
    qtbot.keyClicks(focused(), "Henan Cancer Hospital Pharmacy")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "127 Dongming Road, Zhengzhou")
    press(qtbot, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "+86 371 6558 7000")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == Page.STUDIES
    first_study = wizard.studies.boxes[0][0]
    assert focused() is first_study  # the studies, not "Add a file…"
    chain = [focused()]
    for _box in wizard.studies.boxes:
        press(qtbot, Qt.Key.Key_Tab)
        chain.append(focused())
    assert chain == [box for box, _file in wizard.studies.boxes] + [wizard.studies.add]
    first_study.setFocus()
    press(qtbot, Qt.Key.Key_Return)
    assert asked == []  # no file chooser
    assert wizard.currentId() == Page.PRINTERS


def mnemonics(window: QWidget, menus: tuple[str, ...] = ()) -> list[str]:
    """The Alt keys of what is shown in the window: field labels, buttons, menus."""
    texts = [
        label.text()
        for label in window.findChildren(QLabel)
        if label.isVisible() and label.buddy() is not None
    ]
    texts += [
        button.text() for button in window.findChildren(QAbstractButton) if button.isVisible()
    ]
    texts += list(menus)
    keys = []
    for text in texts:
        plain = text.replace("&&", "")
        if "&" in plain:
            keys.append(plain[plain.index("&") + 1].upper())
    return keys


def clashes(window: MainWindow) -> dict[str, int]:
    menus = tuple(action.text() for action in window.menuBar().actions())
    return {key: n for key, n in Tally(mnemonics(window, menus)).items() if n > 1}


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_each_alt_key_of_the_receive_and_return_screens_is_its_own(
    qtbot: Any, counter: Counter, language: Language
) -> None:
    from dispensary.ui.translations import load_cjk_font

    load_cjk_font()
    assert install_language(language)
    try:
        window = main_window(qtbot, counter.session("pharm"))
        receive = window.show_screen(ReceiveScreen)
        assert isinstance(receive, ReceiveScreen)
        assert clashes(window) == {}
        receive.labels_button.setText(receive.tr("Re&cord the print"))  # a print not recorded
        assert clashes(window) == {}
        back = window.show_screen(ReturnScreen)
        assert isinstance(back, ReturnScreen)
        back.held_period.show()
        back.held_period.setChecked(True)  # the hold's dates and who ordered it
        back.reason.show()
        back.reason_label.show()
        qtbot.wait(20)
        assert clashes(window) == {}
    finally:
        install_language(ENGLISH)


def test_after_a_receipt_alt_b_prints_the_kit_labels(
    qtbot: Any, counter: Counter, printer: Printer
) -> None:
    window = main_window(qtbot, counter.session("tech"))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_screen()
    assert isinstance(screen, ReceiveScreen)
    assert focused() is screen.shipment
    qtbot.keyClicks(screen.shipment, "SH-777")
    press(qtbot, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert focused() is screen.lot
    qtbot.keyClicks(screen.lot, "L2777")
    press(qtbot, Qt.Key.Key_X, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClicks(screen.expiry, "2027-09")
    press(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.AltModifier)
    for kit in ("K0701", "K0702"):
        scan(qtbot, screen.scan_field, kit)
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert "Shipment SH-777 received: 2 kits" in screen.message.text()
    press(qtbot, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: len(printer.shown) == 1)
    assert "SH-777" in printer.shown[0][0]


def test_alt_y_goes_to_the_days_held_alt_m_to_the_hold_s_first_day_and_no_menu_opens(
    qtbot: Any, counter: Counter, signatures: Signatures
) -> None:
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
    qtbot.keyClicks(screen.counted, "3")
    press(qtbot, Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier)
    assert focused() is screen.held
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # held for a period: ticked
    assert screen.held_period.isChecked()
    press(qtbot, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
    assert focused() is screen.held_from
    assert QApplication.activePopupWidget() is None  # no menu opened


def test_esc_after_the_pharmacy_s_answers_asks_before_ending_the_set_up(
    qtbot: Any, first: gui.FirstRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esc (or Cancel, or the window closed) ended the program at once, every page typed lost:
    asked first once the pharmacy's page was answered, going on by default."""
    codes: list[int] = []
    monkeypatch.setattr(gui.QApplication, "exit", staticmethod(codes.append))
    answers = [False, True]
    asked: list[str] = []

    def ask(_cls: object, _parent: QWidget | None) -> bool:
        asked.append("stop?")
        return answers.pop(0)

    monkeypatch.setattr(setup_wizard.StopSetUpQuestion, "ask", classmethod(ask))
    wizard = first.wizard
    press(qtbot, Qt.Key.Key_Return)  # the language
    press(qtbot, Qt.Key.Key_T, Qt.KeyboardModifier.AltModifier)  # Test
    press(qtbot, Qt.Key.Key_Return)
    qtbot.keyClicks(focused(), "Henan Cancer Hospital Pharmacy")
    press(qtbot, Qt.Key.Key_Return)
    assert wizard.currentId() == Page.STUDIES
    press(qtbot, Qt.Key.Key_Escape)  # answered: go on setting up
    assert asked == ["stop?"] and codes == []
    assert wizard.isVisible() and wizard.currentId() == Page.STUDIES
    press(qtbot, Qt.Key.Key_Escape)  # answered: stop
    assert asked == ["stop?", "stop?"] and codes == [0]
    assert not wizard.isVisible()


def test_the_stop_question_reads_in_chinese_and_goes_on_by_default(
    qtbot: Any, first: gui.FirstRun
) -> None:
    from dispensary.ui.translations import load_cjk_font

    load_cjk_font()
    assert install_language(Language.ZH_CN)
    box = setup_wizard.StopSetUpQuestion.box(first.wizard)
    qtbot.addWidget(box)
    assert "设置" in box.windowTitle() and "Set" not in box.text()
    assert box.defaultButton() is not None
    assert box.buttonRole(box.defaultButton()) is box.ButtonRole.RejectRole
