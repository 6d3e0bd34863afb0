"""Printing with no dialog at the counter: each label stock bound to a printer, the label sent
there after the signature, a failed printer said at once and its label kept waiting until
printed again. The printer is a file-backed one ("file:<path>", ui.label_printers'
seam); the label printed is read back as a scanner would."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from counter_fixtures import Counter, Signatures
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPageLayout
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick, go_to, main_window

from dispensary.config import Settings
from dispensary.domain.errors import DatabaseProblem
from dispensary.labels import STOCKS, choose_stock, get_stock
from dispensary.services import audit, dispensing
from dispensary.services import labels as label_prints
from dispensary.services.results import AuditRow
from dispensary.ui import label_printers
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.label_preview import LabelPreviewDialog, record_print
from dispensary.ui.label_printers import (
    FILE_PRINTER,
    LabelPrintersPanel,
    fit_printer_to_stock,
    printer_for,
)
from dispensary.ui.session import AppSession
from dispensary.ui.unrecorded_prints import kept_file

LATE = date(2027, 6, 30)


def barcodes(pdf: bytes) -> list[str]:
    """The Code 128 barcodes of every page, rasterised at 300 dpi."""
    document = pdfium.PdfDocument(pdf)
    found: list[str] = []
    try:
        for page in document:
            image = page.render(scale=300 / 72).to_pil().convert("L")
            codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
            found += [code.text for code in codes]
    finally:
        document.close()
    return found


class Actions:
    """Counts what the pharmacist does: a scan (the code typed, then Enter), the password
    typed, a key pressed."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.count = 0

    def scan(self, field: QWidget, code: str) -> None:
        self.qtbot.keyClicks(field, code)
        self.qtbot.keyClick(field, Qt.Key.Key_Return)
        self.count += 1

    def type(self, field: QWidget, text: str) -> None:
        self.qtbot.keyClicks(field, text)
        self.count += 1

    def enter(self, field: QWidget) -> None:
        self.qtbot.keyClick(field, Qt.Key.Key_Return)
        self.count += 1


def when_signature_asked(answer: Callable[[SignatureDialog], None]) -> None:
    """Answers the real signature dialog once it is up (it blocks in exec until answered)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog):
            answer(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


@pytest.fixture
def no_preview(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Fails the test's point if a preview (and so the print dialog) is opened: records it."""
    opened: list[str] = []

    def show(cls: Any, _parent: Any, title: str, *_rest: Any) -> str:
        opened.append(title)
        return ""

    monkeypatch.setattr(LabelPreviewDialog, "show_pdf", classmethod(show))
    return opened


def counter_screen(qtbot: QtBot, session: AppSession) -> DispenseScreen:
    screen = DispenseScreen(session)
    qtbot.addWidget(screen)
    screen.resize(1166, 700)
    screen.show()
    qtbot.waitExposed(screen)
    screen.activateWindow()
    screen.refresh()
    return screen


def bound_session(counter: Counter, printer: str) -> tuple[AppSession, str]:
    """The pharmacist's session, this workstation's stock bound to `printer`."""
    session = counter.session("pharm")
    stock = choose_stock(counter.ctx.study, session.settings).name
    session.settings.printers[stock] = printer
    return session, stock


def label_prints_of(counter: Counter, number: str) -> list[AuditRow]:
    rows = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_printed")
    return [r for r in rows if r.entity_id == number]


def test_a_routine_dispense_is_four_actions_and_the_label_prints_on_the_stock_printer(
    qtbot: QtBot, counter: Counter, tmp_path: Path, no_preview: list[str]
) -> None:
    out = tmp_path / "counter-printer.pdf"
    session, stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    screen = counter_screen(qtbot, session)
    actions = Actions(qtbot)

    actions.scan(screen.participant_field, "01-001")  # 1
    assert [k.number for k in screen.kits_model.rows] == ["K0101"]

    def sign(dialog: SignatureDialog) -> None:
        actions.type(dialog.password, "pharmpass1")  # 3
        actions.enter(dialog.password)  # 4

    when_signature_asked(sign)
    actions.scan(screen.kit_field, "K0101")  # 2: it covers the cycle, the signature follows

    assert actions.count == 4
    result = screen.last_result
    assert result is not None and result.kits[0].kit == "K0101"
    assert no_preview == []  # no preview, so no print dialog either
    assert screen.message.kind == "ok", screen.message.text()
    assert f"Label sent to {FILE_PRINTER}{out}." in screen.message.text()
    assert "reprint it from Reports and labels" in screen.message.text()
    printed = out.read_bytes()
    assert result.number in barcodes(printed)
    page = PdfReader(io.BytesIO(printed)).pages[0]
    paper = get_stock(stock)
    assert float(page.mediabox.width) == pytest.approx(paper.page_width, abs=1)
    assert float(page.mediabox.height) == pytest.approx(paper.page_height, abs=1)
    [entry] = label_prints_of(counter, result.number)
    assert json.loads(entry.new)["stock"] == stock
    assert not screen.print_again_button.isVisible()
    assert screen.focusWidget() is screen.participant_field  # ready for the next participant
    screen.grab().save(str(tmp_path / "counter.png"))


def test_an_offline_printer_is_said_at_once_and_the_label_waits_until_printed_again(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    signatures: Signatures,
    no_preview: list[str],
) -> None:
    out = tmp_path / "switched-off" / "label.pdf"  # no such folder: the printer cannot open
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    screen = counter_screen(qtbot, session)
    pharm = counter.actor("pharm")

    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    dispense_kits_to_pick(qtbot, screen)  # the proposed kit scanned, signed

    result = screen.last_result
    assert result is not None
    assert screen.message.kind == "error"
    assert "Label not printed" in screen.message.text()
    assert "did not take the label" in screen.message.text()
    assert screen.print_again_button.isVisible()
    assert screen.waiting_label.text() == f"1 label waiting: {result.number}"
    assert label_prints.already_printed(counter.ctx, pharm, "dispense", [result.number]) == []
    assert label_prints_of(counter, result.number) == []
    assert no_preview == []

    screen.grab().save(str(tmp_path / "waiting.png"))
    qtbot.mouseClick(screen.print_again_button, Qt.MouseButton.LeftButton)  # still off
    assert screen.message.kind == "error" and screen.print_again_button.isVisible()
    assert label_prints_of(counter, result.number) == []

    # The application closed and opened again: the label still waits (read from the records).
    screen.close()
    again = counter_screen(qtbot, session)
    assert again.waiting == [result.number]
    assert again.print_again_button.isVisible()

    out.parent.mkdir()  # the printer is back
    qtbot.mouseClick(again.print_again_button, Qt.MouseButton.LeftButton)
    assert again.message.kind == "ok", again.message.text()
    assert result.number in barcodes(out.read_bytes())
    assert len(label_prints_of(counter, result.number)) == 1
    assert again.waiting == [] and not again.print_again_button.isVisible()
    qtbot.mouseClick(again.print_again_button, Qt.MouseButton.LeftButton)  # nothing left
    assert len(label_prints_of(counter, result.number)) == 1


def test_a_printer_this_computer_does_not_know_is_said_and_nothing_recorded(
    qtbot: QtBot, counter: Counter, signatures: Signatures, no_preview: list[str]
) -> None:
    session, _stock = bound_session(counter, "Zebra ZD421 at the counter")
    screen = counter_screen(qtbot, session)
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    dispense_kits_to_pick(qtbot, screen)
    result = screen.last_result
    assert result is not None
    assert "Zebra ZD421 at the counter is not connected" in screen.message.text()
    assert screen.waiting == [result.number]
    assert label_prints_of(counter, result.number) == []


def test_with_no_printer_bound_the_label_is_previewed_as_before_and_ctrl_p_previews(
    qtbot: QtBot, counter: Counter, signatures: Signatures, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    answers = iter(["", "printed"])  # closed unused after the dispense; printed from Ctrl+P

    def show(cls: Any, _parent: Any, title: str, *_rest: Any) -> str:
        shown.append(title)
        return next(answers)

    monkeypatch.setattr(LabelPreviewDialog, "show_pdf", classmethod(show))
    screen = counter_screen(qtbot, counter.session("pharm"))
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    dispense_kits_to_pick(qtbot, screen)
    result = screen.last_result
    assert result is not None and len(shown) == 1
    assert "Label not printed" in screen.message.text()
    assert screen.waiting == [result.number]

    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow)
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert len(shown) == 2 and result.number in shown[1]
    assert screen.waiting == []
    assert len(label_prints_of(counter, result.number)) == 1


def test_a_label_waits_only_while_unprinted_and_never_for_a_voided_dispense(
    counter: Counter,
) -> None:
    pharm = counter.actor("pharm")
    today = counter.clock.today()
    first = dispensing.dispense_cycle(counter.ctx, pharm, "01-001", 1, today, "pharmpass1")
    second = dispensing.dispense_cycle(counter.ctx, pharm, "01-002", 1, today, "pharmpass1")
    assert label_prints.labels_waiting(counter.ctx, pharm, today) == [first.number, second.number]
    label_prints.record_label_print(counter.ctx, pharm, "dispense", [first.number], False)
    assert label_prints.labels_waiting(counter.ctx, pharm, today) == [second.number]
    dispensing.void_dispense(counter.ctx, pharm, second.number, "Wrong participant", "pharmpass1")
    assert label_prints.labels_waiting(counter.ctx, pharm, today) == []


@pytest.mark.parametrize("name", sorted(STOCKS))
def test_the_printer_page_is_set_from_the_stock_in_millimetres(name: str, qapp: object) -> None:
    stock = get_stock(name)
    printer = printer_for(f"{FILE_PRINTER}/tmp/unused.pdf")
    fit_printer_to_stock(printer, stock)
    layout = printer.pageLayout()
    full = layout.fullRectPoints()
    assert (full.width(), full.height()) == (
        pytest.approx(stock.page_width, abs=1),
        pytest.approx(stock.page_height, abs=1),
    )
    wide = stock.page_width > stock.page_height
    assert layout.orientation() == (
        QPageLayout.Orientation.Landscape if wide else QPageLayout.Orientation.Portrait
    )
    assert printer.fullPage()
    assert printer.outputFormat() is QPrinter.OutputFormat.PdfFormat


def test_the_printers_panel_binds_a_stock_saves_it_and_prints_a_calibration_page(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings_file = tmp_path / "settings.json"
    settings = Settings(printers={"a4-sheet": "Old laser (gone)"})
    panel = LabelPrintersPanel(settings, settings_file)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.chosen() == {"a4-sheet": "Old laser (gone)"}  # kept, marked not connected
    assert "not connected" in panel.choosers["a4-sheet"].currentText()

    qtbot.mouseClick(panel.calibration_buttons["thermal-4x2"], Qt.MouseButton.LeftButton)
    assert panel.message.kind == "error" and "Choose a printer" in panel.message.text()

    out = tmp_path / "calibration.pdf"
    panel.choose("thermal-4x2", f"{FILE_PRINTER}{out}")
    panel.choosers["a4-sheet"].setCurrentIndex(0)  # none: previewed again
    qtbot.mouseClick(panel.calibration_buttons["thermal-4x2"], Qt.MouseButton.LeftButton)
    assert panel.message.kind == "ok", panel.message.text()
    page = PdfReader(io.BytesIO(out.read_bytes())).pages[0]
    assert float(page.mediabox.width) == pytest.approx(get_stock("thermal-4x2").page_width, abs=1)
    panel.adjustSize()
    panel.grab().save(str(tmp_path / "panel.png"))

    assert not settings_file.exists()  # nothing saved before apply
    panel.apply()
    saved = Settings.load(settings_file)
    assert saved.printers == {"thermal-4x2": f"{FILE_PRINTER}{out}"}


def test_settings_saved_before_printers_existed_still_load(tmp_path: Path) -> None:
    old = tmp_path / "settings.json"
    old.write_text(
        json.dumps({"idle_lock_minutes": 5, "label_stock": "a4-sheet", "printer": "HP"}),
        encoding="utf-8",
    )
    loaded = Settings.load(old)  # the idle lock time is the pharmacy's now: ignored here
    assert (loaded.label_stock, loaded.printers) == ("a4-sheet", {})
    old.write_text(json.dumps({"backups_kept": 5, "printers": ["bad"]}), encoding="utf-8")
    assert Settings.load(old).backups_kept == 5  # a bad entry loses only itself
    old.write_text(json.dumps({"printers": {"a4-sheet": 3, "thermal-4x2": "Zebra"}}))
    assert Settings.load(old).printers == {"thermal-4x2": "Zebra"}


def test_the_printers_panel_and_a_printer_failure_are_said_in_chinese(
    qtbot: QtBot, chinese: None, tmp_path: Path
) -> None:
    panel = LabelPrintersPanel(Settings(), tmp_path / "settings.json")
    qtbot.addWidget(panel)
    assert panel.calibration_buttons["a4-sheet"].text() == "打印校准页(&M)"  # its row's letter
    assert panel.choosers["a4-sheet"].currentText() == "无：先预览，再用打印对话框"
    panel.choose("thermal-4x2", "Zebra")
    qtbot.mouseClick(panel.calibration_buttons["thermal-4x2"], Qt.MouseButton.LeftButton)
    assert panel.message.text().startswith("打印机 Zebra 未连接到这台电脑")


def test_received_kits_labels_print_on_the_stock_printer_with_no_dialog(
    qtbot: QtBot, counter: Counter, tmp_path: Path, no_preview: list[str]
) -> None:
    from counter_fixtures import P75

    from dispensary.services import receiving
    from dispensary.ui.label_preview import print_kit_labels

    pharm = counter.actor("pharm")
    kits = receiving.kits_from_range(counter.ctx, "K0301-K0302", P75, "L2410", LATE, None)
    result = receiving.receive_shipment(counter.ctx, pharm, "SH-010", kits)
    out = tmp_path / "kit-labels.pdf"
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{out}")

    printed = print_kit_labels(None, session, result)
    assert printed.printed
    assert printed.text.startswith(f"2 kit labels sent to {FILE_PRINTER}{out}.")
    assert {"K0301", "K0302"} <= set(barcodes(out.read_bytes()))
    assert label_prints.already_printed(counter.ctx, pharm, "kit", ["K0301", "K0302"]) == [
        "K0301",
        "K0302",
    ]
    assert no_preview == []


def when_printers_dialog(answer: Callable[[Any], None]) -> None:
    """Answers the real label printers dialog once it is up (it blocks in exec until closed)."""
    from dispensary.ui.label_printers import LabelPrintersDialog

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, LabelPrintersDialog):
            answer(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_label_printers_shown_from_reports_and_labels_are_read_only_with_calibration_pages(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pharmacist sees the workstation's printers and prints a calibration page after loading
    a new roll; an administrator changes them, in Settings."""
    from PySide6.QtWidgets import QDialogButtonBox

    from dispensary.ui.reports_view import ReportsScreen

    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path))  # where settings.json would be written
    out = tmp_path / "zebra.pdf"
    session, stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    screen = ReportsScreen(session)
    qtbot.addWidget(screen)
    assert screen.printers_button.isVisibleTo(screen)
    seen: dict[str, Any] = {}

    def answer(dialog: Any) -> None:
        panel = dialog.panel
        seen["enabled"] = [box.isEnabled() for box in panel.choosers.values()]
        seen["note"] = dialog.findChild(QWidget, "printersReadOnly").text()
        seen["save"] = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(panel.calibration_buttons[stock], Qt.MouseButton.LeftButton)
        seen["said"] = (panel.message.kind, panel.message.text())
        close = dialog.buttons.button(QDialogButtonBox.StandardButton.Close)
        qtbot.mouseClick(close, Qt.MouseButton.LeftButton)

    when_printers_dialog(answer)
    qtbot.mouseClick(screen.printers_button, Qt.MouseButton.LeftButton)
    assert seen["enabled"] and not any(seen["enabled"])  # shown, not changed
    assert seen["save"] is None
    assert "An administrator changes the printers" in seen["note"]
    assert seen["said"][0] == "ok", seen["said"]
    assert float(PdfReader(io.BytesIO(out.read_bytes())).pages[0].mediabox.width) == (
        pytest.approx(get_stock(stock).page_width, abs=1)
    )
    assert not (tmp_path / "settings.json").exists()  # nothing saved
    assert session.settings.printers == {stock: f"{FILE_PRINTER}{out}"}


def printers_entries(counter: Counter) -> list[AuditRow]:
    from dispensary.services import workstation

    return audit.list_entries(
        counter.ctx, counter.actor("admin"), action=workstation.PRINTERS_BOUND
    )


def test_an_administrator_changes_a_printer_in_settings_with_a_reason_recorded_then_saved(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from back_office_fixtures import answer_reason
    from PySide6.QtWidgets import QDialogButtonBox

    from dispensary.ui import settings_view
    from dispensary.ui.settings_view import SettingsScreen

    monkeypatch.setenv("DISPENSARY_HOME", str(tmp_path))
    monkeypatch.setattr(settings_view, "this_computer", lambda: "counter-pc-1")
    session = counter.session("admin")
    session.settings.printers = {"a4-sheet": "Old laser"}
    screen = SettingsScreen(session)
    qtbot.addWidget(screen)
    screen.refresh()
    assert screen.bound["a4-sheet"].text() == "Old laser"
    assert screen.bound["thermal-4x2"].text() == "None: preview, then the print dialog"
    assert "counter-pc-1" in screen.computer.text()
    # Each stock named as the printers' dialog names it: its key and what it is.
    caption = screen.findChild(QLabel, "stockCaption_a4-sheet-6")
    assert caption is not None and "A4 sheet, 6 labels of 99.1 x 93.1 mm" in caption.text()
    prompts = answer_reason(monkeypatch, "New roll printer at the counter")
    out = f"{FILE_PRINTER}{tmp_path / 'zebra.pdf'}"
    said: list[str] = []

    def answer(dialog: Any) -> None:
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)  # nothing changed yet
        said.append(dialog.panel.message.text())
        dialog.panel.choose("thermal-4x2", out)
        dialog.panel.choosers["a4-sheet"].setCurrentIndex(0)  # none: the print dialog again
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)

    when_printers_dialog(answer)
    qtbot.mouseClick(screen.change_printers, Qt.MouseButton.LeftButton)
    assert "nothing to save" in said[0]
    assert len(prompts) == 1  # asked once, for the real change
    assert screen.message.kind == "ok", screen.message.text()
    assert session.settings.printers == {"thermal-4x2": out}
    assert Settings.load(tmp_path / "settings.json").printers == {"thermal-4x2": out}
    assert screen.bound["thermal-4x2"].text() == out
    [entry] = printers_entries(counter)
    assert (entry.entity, entry.entity_id, entry.username) == (
        "workstation",
        "counter-pc-1",
        "admin",
    )
    assert json.loads(entry.new) == {"a4-sheet": "", "thermal-4x2": out}
    assert json.loads(entry.old) == {"a4-sheet": "Old laser", "thermal-4x2": ""}
    assert entry.reason == "New roll printer at the counter"


def test_printers_that_cannot_be_saved_on_the_workstation_are_not_recorded_either(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from back_office_fixtures import answer_reason
    from PySide6.QtWidgets import QDialogButtonBox

    from dispensary.ui.settings_view import SettingsScreen

    not_a_folder = tmp_path / "home"
    not_a_folder.write_text("a file where the settings folder should be", encoding="utf-8")
    monkeypatch.setenv("DISPENSARY_HOME", str(not_a_folder))
    session = counter.session("admin")
    screen = SettingsScreen(session)
    qtbot.addWidget(screen)
    screen.refresh()
    answer_reason(monkeypatch, "New roll printer")
    seen: list[tuple[str, str]] = []

    def answer(dialog: Any) -> None:
        dialog.panel.choose("thermal-4x2", "Zebra ZD421")
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
        )
        seen.append((dialog.panel.message.kind, dialog.panel.message.text()))
        qtbot.mouseClick(
            dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
            Qt.MouseButton.LeftButton,
        )

    when_printers_dialog(answer)
    qtbot.mouseClick(screen.change_printers, Qt.MouseButton.LeftButton)
    [(kind, text)] = seen
    assert kind == "error"
    assert "The printers could not be saved on this workstation" in text
    assert "Nothing was changed: it prints as before" in text
    assert session.settings.printers == {}  # still the printers before
    assert printers_entries(counter) == []  # one step: neither saved nor recorded
    assert screen.message.kind != "ok"


def sign_a_dispense(qtbot: QtBot, screen: DispenseScreen, participant: str = "01-001") -> str:
    qtbot.keyClicks(screen.participant_field, participant)
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    dispense_kits_to_pick(qtbot, screen)  # the proposed kit scanned, signed
    assert screen.last_result is not None
    return screen.last_result.number


def test_the_leaflet_of_the_dispense_just_signed_prints_from_the_counter(
    qtbot: QtBot, counter: Counter, signatures: Signatures, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaflet, beside the label's buttons: the participant leaflet Reports and labels makes
    for that dispense, previewed to print on paper, its first print recorded; a second is a
    reprint, asked for in Reports and labels with its reason."""
    shown: list[tuple[str, bytes]] = []

    def show(cls: Any, _parent: Any, title: str, pdf: bytes, *_rest: Any) -> str:
        shown.append((title, pdf))
        return "printed"

    monkeypatch.setattr(LabelPreviewDialog, "show_pdf", classmethod(show))
    screen = counter_screen(qtbot, counter.session("pharm"))
    assert not screen.leaflet_button.isEnabled()  # nothing dispensed here yet
    number = sign_a_dispense(qtbot, screen)  # its label previewed (no printer bound)
    assert screen.leaflet_button.isEnabled()
    qtbot.mouseClick(screen.leaflet_button, Qt.MouseButton.LeftButton)
    title, pdf = shown[-1]
    assert title.startswith(f"Participant leaflet {number}"), title
    assert pdf.startswith(b"%PDF")
    assert screen.message.text().startswith(f"{number}: Leaflet printed."), screen.message.text()
    pharm = counter.actor("pharm")
    assert label_prints.already_printed(counter.ctx, pharm, "leaflet", [number]) == [number]

    qtbot.mouseClick(screen.leaflet_button, Qt.MouseButton.LeftButton)
    assert shown[-1][0] == title and len(shown) == 2  # the label, the leaflet: no second
    assert "The leaflet was printed before" in screen.message.text()


def test_a_printer_the_print_system_says_is_offline_keeps_the_label_waiting(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    signatures: Signatures,
    no_preview: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "label.pdf"
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    asked: list[str] = []

    def offline(name: str) -> QPrinter.PrinterState:
        asked.append(name)
        return QPrinter.PrinterState.Error

    monkeypatch.setattr(label_printers, "printer_state", offline, raising=False)
    screen = counter_screen(qtbot, session)
    number = sign_a_dispense(qtbot, screen)
    assert asked == [f"{FILE_PRINTER}{out}"]
    assert screen.message.kind == "error"
    assert "is offline or reports an error" in screen.message.text()
    assert not out.exists()  # nothing sent
    assert screen.waiting == [number] and screen.print_again_button.isVisible()
    assert label_prints_of(counter, number) == []

    monkeypatch.undo()  # switched on again
    qtbot.mouseClick(screen.print_again_button, Qt.MouseButton.LeftButton)
    assert number in barcodes(out.read_bytes())
    assert len(label_prints_of(counter, number)) == 1


def test_preview_shows_the_label_of_the_dispense_just_signed_not_the_oldest_waiting(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    signatures: Signatures,
    no_preview: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two labels wait (the printer is down): Preview shows the one of the dispense just signed
    at this counter, not the oldest waiting, another participant's."""
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{tmp_path / 'label.pdf'}")
    monkeypatch.setattr(
        label_printers, "printer_state", lambda _name: QPrinter.PrinterState.Error, raising=False
    )
    screen = counter_screen(qtbot, session)
    first = sign_a_dispense(qtbot, screen, "01-001")
    second = sign_a_dispense(qtbot, screen, "01-002")
    assert screen.waiting == [first, second]
    qtbot.mouseClick(screen.preview_button, Qt.MouseButton.LeftButton)
    assert screen.message.text().startswith(f"{second}:"), screen.message.text()


def test_a_label_out_whose_record_is_refused_is_recorded_again_never_printed_again(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    signatures: Signatures,
    no_preview: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "label.pdf"
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    record = label_prints.record_label_print

    def server_gone(*_args: Any, **_kwargs: Any) -> Any:
        raise DatabaseProblem("The database server cannot be reached.")

    monkeypatch.setattr(label_prints, "record_label_print", server_gone)
    screen = counter_screen(qtbot, session)
    number = sign_a_dispense(qtbot, screen)
    assert number in barcodes(out.read_bytes())  # out on the printer
    assert screen.message.kind == "warning"
    assert "Not recorded in the audit trail" in screen.message.text()
    assert "Record the print" in screen.message.text()
    assert label_prints_of(counter, number) == []
    # Not offered to print again (a second, unmarked first print): only its record.
    assert screen.waiting == [] and not screen.print_again_button.isVisible()
    assert screen.record_button.isVisible()
    assert number in screen.unrecorded_label.text()
    screen.grab().save(str(tmp_path / "unrecorded.png"))

    assert "reprint it" not in screen.message.text()  # a reprint is not what it needs
    out.unlink()
    qtbot.mouseClick(screen.preview_button, Qt.MouseButton.LeftButton)
    assert no_preview == []  # not previewed to print a second first print
    assert "press Record the print" in screen.message.text()

    qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)  # still gone
    assert screen.message.kind == "error" and screen.record_button.isVisible()

    monkeypatch.setattr(label_prints, "record_label_print", record)  # the server is back
    qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    [entry] = label_prints_of(counter, number)
    assert json.loads(entry.new)["reprint"] is False
    assert not out.exists()  # recorded, not printed a second time
    assert not screen.record_button.isVisible() and screen.waiting == []


def test_a_dispensing_label_whose_record_is_refused_is_in_the_workstation_file_at_once(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    signatures: Signatures,
    no_preview: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The label out, its record refused on the main window's Dispense screen: written to the
    workstation's file of prints waiting as it starts waiting (the program killed then loses
    it not); Record the print, once the server is back, takes it out of the file."""
    out = tmp_path / "label.pdf"
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    record = label_prints.record_label_print

    def server_gone(*_args: Any, **_kwargs: Any) -> Any:
        raise DatabaseProblem("The database server cannot be reached.")

    monkeypatch.setattr(label_prints, "record_label_print", server_gone)
    window = main_window(qtbot, session)
    screen = go_to(window, DispenseScreen)
    number = sign_a_dispense(qtbot, screen)
    assert screen.record_button.isVisible()
    rows = json.loads(kept_file().read_text(encoding="utf-8"))["prints"]
    assert [(r["username"], r["key"], r["kind"], r["items"]) for r in rows] == [
        ("pharm", number, "dispense", [number])
    ]
    assert rows[0]["study"] == session.study

    monkeypatch.setattr(label_prints, "record_label_print", record)  # the server is back
    qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert not kept_file().exists()  # recorded: no print waits


def test_a_print_not_recorded_stays_with_its_study_when_another_is_opened(
    counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prints out but not recorded were kept for the session whatever study was open:
    "Record the print" after a switch filed one study's print under the other."""
    pharm = counter.actor("pharm")
    result = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    session = counter.session("pharm")
    plan = label_prints.plan_print(session.ctx, pharm, "dispense", [result.number])
    session.unrecorded_labels[result.number] = plan
    first = session.ctx
    session.ctx = dataclasses.replace(first, study_id=first.study_id + 1)  # another study open
    assert session.unrecorded_labels == {}
    asked: list[object] = []
    monkeypatch.setattr(label_prints, "record_label_print", lambda *a, **k: asked.append(a))
    for kept in list(session.unrecorded_labels.values()):  # as Record the print does
        record_print(session, kept)
    assert asked == []
    session.ctx = first  # opened again: its print is still to record
    assert session.unrecorded_labels == {result.number: plan}


def test_kit_labels_out_whose_record_is_refused_are_recorded_not_printed_again(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    no_preview: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from counter_fixtures import P75

    from dispensary.services import receiving
    from dispensary.ui.receive_view import ReceiveScreen

    pharm = counter.actor("pharm")
    kits = receiving.kits_from_range(counter.ctx, "K0301-K0302", P75, "L2410", LATE, None)
    result = receiving.receive_shipment(counter.ctx, pharm, "SH-010", kits)
    out = tmp_path / "kit-labels.pdf"
    session, _stock = bound_session(counter, f"{FILE_PRINTER}{out}")
    screen = ReceiveScreen(session)
    qtbot.addWidget(screen)
    screen.show()
    screen.last_result = result
    screen.labels_button.setEnabled(True)
    record = label_prints.record_label_print

    def server_gone(*_args: Any, **_kwargs: Any) -> Any:
        raise DatabaseProblem("The database server cannot be reached.")

    monkeypatch.setattr(label_prints, "record_label_print", server_gone)
    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "warning"
    assert screen.labels_button.text().replace("&", "") == "Record the print"
    out.unlink()
    monkeypatch.setattr(label_prints, "record_label_print", record)
    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert not out.exists()  # recorded, not printed again
    assert label_prints.already_printed(counter.ctx, pharm, "kit", ["K0301", "K0302"]) == [
        "K0301",
        "K0302",
    ]


def test_each_counter_lists_its_own_labels_waiting_for_a_week(counter: Counter) -> None:
    from dispensary.services import users

    pharm, tech = counter.actor("pharm"), counter.actor("tech")
    users.add_user(  # the pharmacist at the other counter
        counter.ctx,
        counter.actor("admin"),
        "pharm2",
        "pharmacist",
        "Bea Counter",
        "BC",
        "pharm2pass1",
        temporary_password=False,
    )
    other = users.sign_in(counter.ctx, "pharm2", "pharm2pass1")
    today = counter.clock.today()
    mine = dispensing.dispense_cycle(counter.ctx, pharm, "01-001", 1, today, "pharmpass1")
    theirs = dispensing.dispense_cycle(counter.ctx, other, "01-002", 1, today, "pharm2pass1")
    assert label_prints.labels_waiting(counter.ctx, pharm, today) == [mine.number]
    assert label_prints.labels_waiting(counter.ctx, other, today) == [theirs.number]
    assert label_prints.labels_waiting(counter.ctx, tech, today) == []
    later = date.fromordinal(today.toordinal() + label_prints.WAITING_DAYS - 1)
    assert label_prints.labels_waiting(counter.ctx, pharm, later) == [mine.number]  # a week
    too_late = date.fromordinal(later.toordinal() + 1)
    assert label_prints.labels_waiting(counter.ctx, pharm, too_late) == []


def test_an_offline_printer_is_said_in_chinese(
    qtbot: QtBot, chinese: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        label_printers, "printer_state", lambda _name: QPrinter.PrinterState.Error, raising=False
    )
    panel = LabelPrintersPanel(Settings(), tmp_path / "settings.json")
    qtbot.addWidget(panel)
    panel.choose("thermal-4x2", f"{FILE_PRINTER}{tmp_path / 'calibration.pdf'}")
    qtbot.mouseClick(panel.calibration_buttons["thermal-4x2"], Qt.MouseButton.LeftButton)
    assert panel.message.kind == "error"
    assert "离线或报告错误" in panel.message.text()
    assert not (tmp_path / "calibration.pdf").exists()


def test_the_read_only_printers_dialog_says_in_chinese_who_changes_them(
    qtbot: QtBot, chinese: None
) -> None:
    from PySide6.QtWidgets import QLabel

    from dispensary.ui.label_printers import LabelPrintersDialog

    dialog = LabelPrintersDialog(None, Settings(printers={"a4-sheet": "Zebra"}))
    qtbot.addWidget(dialog)
    note = dialog.findChild(QLabel, "printersReadOnly")
    assert note is not None and note.text().startswith("本工作站的打印机由管理员更改")
    assert not dialog.panel.choosers["a4-sheet"].isEnabled()
    assert dialog.panel.calibration_buttons["a4-sheet"].isEnabled()  # still prints the page
