"""Receive: kit labels out whose record the database refused are never dropped unasked. New
shipment (and Receive of the next shipment) emptied the screen's "Record the print" without a
word: the labels on the kits, no trace in the audit trail that they were printed. Now the user
is asked first, and records the print now (nothing printed again), discards it knowingly, or
cancels (the default: Enter loses nothing). A screen built again still has it to record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from window_helpers import main_window, scan

from dispensary.domain.errors import DatabaseProblem
from dispensary.i18n import ENGLISH, Language
from dispensary.labels import choose_stock
from dispensary.services import audit
from dispensary.services import labels as label_prints
from dispensary.ui import receive_view
from dispensary.ui.label_printers import FILE_PRINTER
from dispensary.ui.main_window import MainWindow
from dispensary.ui.receive_view import ReceiveScreen, UnrecordedPrintQuestion
from dispensary.ui.session import AppSession
from dispensary.ui.translations import install_language, load_cjk_font

KITS = ["K0801", "K0802"]


class RefusedOnce:
    """`services.labels.record_label_print` refusing its first `times` calls, as a database
    server gone for a moment does; then the real one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, times: int = 1) -> None:
        self.real = label_prints.record_label_print
        self.left = times
        monkeypatch.setattr(label_prints, "record_label_print", self)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.left:
            self.left -= 1
            raise DatabaseProblem("The database server cannot be reached.")
        return self.real(*args, **kwargs)


def printing_session(counter: Counter, tmp_path: Path) -> AppSession:
    """The pharmacist's session, this workstation's label stock bound to a file printer."""
    session = counter.session("pharm")
    stock = choose_stock(counter.ctx.study, session.settings).name
    session.settings.printers[stock] = f"{FILE_PRINTER}{tmp_path / 'kit-labels.pdf'}"
    return session


def received(qtbot: QtBot, window: MainWindow) -> ReceiveScreen:
    """Shipment SH-801 typed, its kits scanned and received (Ctrl+Enter), on the window's
    Receive screen."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_screen()
    assert isinstance(screen, ReceiveScreen)
    qtbot.keyClicks(screen.shipment, "SH-801")
    qtbot.keyClicks(screen.lot, "L2801")
    qtbot.keyClicks(screen.expiry, "2027-09")
    for kit in KITS:
        scan(qtbot, screen.scan_field, kit)
    assert len(screen.kits) == 2
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert screen.kits == [] and screen.last_result is not None, screen.message.text()
    return screen


def printed_unrecorded(qtbot: QtBot, screen: ReceiveScreen, tmp_path: Path) -> None:
    """The kit labels printed (on the file printer), their record refused."""
    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)
    assert (tmp_path / "kit-labels.pdf").is_file()  # out on the printer
    assert screen.message.kind == "warning", screen.message.text()
    assert screen.labels_button.text().replace("&", "") == "Record the print"
    assert screen.unrecorded is not None


def recorded(counter: Counter) -> list[str]:
    """The kits of SH-801 whose labels the audit trail shows printed."""
    rows = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_printed")
    return sorted(kit for r in rows for kit in json.loads(r.new)["items"] if kit in KITS)


def answer(qtbot: QtBot, seen: list[QMessageBox], press: Callable[[QMessageBox], None]) -> None:
    """The question's box, when it shows, kept in `seen` and answered by `press`."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(50, look)
            return
        seen.append(box)
        press(box)

    QTimer.singleShot(50, look)


def button(text: str) -> Callable[[QMessageBox], None]:
    """Clicks the box's button whose text (without its Alt key) is `text`."""

    def press(box: QMessageBox) -> None:
        [chosen] = [b for b in box.buttons() if b.text().replace("&", "") == text]
        chosen.click()

    return press


def enter(qtbot: QtBot) -> Callable[[QMessageBox], None]:
    def press(box: QMessageBox) -> None:
        qtbot.keyClick(box, Qt.Key.Key_Return)

    return press


def test_new_shipment_asks_and_records_the_print_refused(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RefusedOnce(monkeypatch)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    assert recorded(counter) == []
    (tmp_path / "kit-labels.pdf").unlink()

    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Record the print"))
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen))
    [box] = seen
    assert box.objectName() == "unrecordedPrintQuestion"
    assert "K0801, K0802" in box.text() and "refused" in box.text()
    assert "print record was discarded, not that" in box.informativeText()
    assert recorded(counter) == KITS  # in the audit trail now
    assert not (tmp_path / "kit-labels.pdf").exists()  # recorded, not printed again
    assert screen.unrecorded is None
    assert screen.message.kind == "ok" and "print recorded" in screen.message.text()
    assert screen.labels_button.text().replace("&", "") == "Print kit labels"
    assert not screen.labels_button.isEnabled()


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_enter_on_the_question_keeps_the_print_to_record_and_reads_in_the_language(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: Language,
) -> None:
    load_cjk_font()
    RefusedOnce(monkeypatch)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    assert install_language(language)
    try:
        printed_unrecorded_any_language(qtbot, screen)
        next_kit_scanned(qtbot, screen)  # the next shipment begun
        seen: list[QMessageBox] = []
        answer(qtbot, seen, enter(qtbot))
        qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(seen))
        [box] = seen
        assert box.objectName() == "unrecordedPrintQuestion"
        box.grab().save(str(tmp_path / f"question-{language.value}.png"))
        assert screen.unrecorded is not None and recorded(counter) == []  # nothing lost
        assert len(screen.kits) == 1  # nor emptied
        assert screen.message.kind == "warning"
        if language is ENGLISH:
            assert "still to be recorded" in screen.message.text()
        else:
            assert "refused" not in box.text() and "printed" not in box.informativeText()
            assert "药盒" in box.text()
    finally:
        install_language(ENGLISH)


def next_kit_scanned(qtbot: QtBot, screen: ReceiveScreen) -> None:
    """Kit K0803 of the next shipment scanned, its lot and expiry typed first."""
    qtbot.keyClicks(screen.lot, "L2802")
    qtbot.keyClicks(screen.expiry, "2027-09")
    scan(qtbot, screen.scan_field, "K0803")
    assert len(screen.kits) == 1, screen.message.text()


def printed_unrecorded_any_language(qtbot: QtBot, screen: ReceiveScreen) -> None:
    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)
    assert screen.unrecorded is not None, screen.message.text()


def test_discarded_knowingly_the_form_empties_and_nothing_is_recorded(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RefusedOnce(monkeypatch)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Discard the record"))
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen))
    assert screen.unrecorded is None and recorded(counter) == []
    assert screen.message.kind == "warning" and "discarded" in screen.message.text()
    assert screen.labels_button.text().replace("&", "") == "Print kit labels"


def test_the_record_refused_again_keeps_the_print_and_the_form(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RefusedOnce(monkeypatch, times=2)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    asked = [UnrecordedPrintQuestion.RECORD]
    monkeypatch.setattr(
        receive_view.UnrecordedPrintQuestion, "ask", classmethod(lambda *_a: asked.pop(0))
    )
    next_kit_scanned(qtbot, screen)
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
    assert asked == []
    assert screen.message.kind == "error" and "not recorded" in screen.message.text()
    assert screen.unrecorded is not None and len(screen.kits) == 1


def test_receiving_the_next_shipment_asks_first(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RefusedOnce(monkeypatch)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    answers = [UnrecordedPrintQuestion.KEEP, UnrecordedPrintQuestion.RECORD]
    monkeypatch.setattr(
        receive_view.UnrecordedPrintQuestion, "ask", classmethod(lambda *_a: answers.pop(0))
    )
    qtbot.keyClicks(screen.shipment, "SH-802")
    next_kit_scanned(qtbot, screen)
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(answers) == 1 and len(screen.kits) == 1  # kept: not received, nothing lost
    assert screen.unrecorded is not None and recorded(counter) == []
    qtbot.keyClick(screen.scan_field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert answers == [] and screen.kits == []  # recorded, then received
    assert recorded(counter) == KITS
    assert screen.message.text().startswith("Kit labels print recorded. Shipment SH-802 received")
    assert screen.labels_button.text().replace("&", "") == "Print kit labels"


def test_the_screen_built_again_still_offers_to_record_the_print(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screens are built again when the study is opened again (its file updated, another
    study and back): the print out but not recorded is the session's, not lost with them."""
    RefusedOnce(monkeypatch)
    session = printing_session(counter, tmp_path)
    window = main_window(qtbot, session)
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    window.use_context(session.ctx)  # as when the study's file was updated: screens rebuilt
    again = window.current_screen()
    assert isinstance(again, ReceiveScreen) and again is not screen
    assert again.labels_button.isEnabled()
    assert again.labels_button.text().replace("&", "") == "Record the print"
    assert again.message.kind == "warning" and "not recorded" in again.message.text()
    window.grab().save(str(tmp_path / "rebuilt.png"))
    qtbot.mouseClick(again.labels_button, Qt.MouseButton.LeftButton)
    assert again.message.kind == "ok" and recorded(counter) == KITS
    assert session.unrecorded_kits == {}
