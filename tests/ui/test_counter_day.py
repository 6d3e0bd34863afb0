"""A whole day at the counter, through the main window as the pharmacist works it."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import P75, Counter, Printer, Signatures
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot
from window_helpers import answer_eligibility, dispense_kits_to_pick, go_to

from dispensary.domain.codes import KitStatus, Role
from dispensary.services import dispensing, queries, reconciliation
from dispensary.ui.dashboard import DashboardScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.participants_view import EnrolDialog, ParticipantsScreen
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.reconcile_view import ReconcileScreen
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screens import OPENS, screen_classes

MONDAY = date(2026, 1, 26)


def pdf_printer(path: Path) -> QPrinter:
    """A printer that writes a PDF file, in place of the one chosen in the print dialog."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setResolution(150)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def enrol_as_the_pharmacist(qtbot: QtBot) -> Any:
    """Answers the enrolment dialog: the participant's details and every criterion ticked."""

    def fill(dialog: EnrolDialog) -> int:
        qtbot.keyClicks(dialog.study_number, "01-003")
        qtbot.keyClicks(dialog.initials, "EF")
        answer_eligibility(qtbot, dialog)
        qtbot.keyClicks(dialog.birth_year, "1972")
        for box in dialog.criteria:
            box.setChecked(True)
        qtbot.mouseClick(dialog.enrol_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    return fill


def test_a_whole_day_at_the_counter(
    qtbot: QtBot,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pharm = counter.actor("pharm")
    first = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    counter.clock.set_date(MONDAY)
    window = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    assert pharm.role is Role.PHARMACIST

    def scan(field: Any, code: str) -> None:
        qtbot.keyClicks(field, code)
        qtbot.keyClick(field, Qt.Key.Key_Return)

    # 08:30 the depot's shipment arrives: two kits scanned in.
    receive = go_to(window, ReceiveScreen)
    qtbot.keyClicks(receive.shipment, "SH-010")
    qtbot.keyClicks(receive.lot, "L2410")
    qtbot.keyClicks(receive.expiry, "2027-01")
    for kit in ("K0301", "K0302"):
        scan(receive.scan_field, kit)
    qtbot.mouseClick(receive.receive_button, Qt.MouseButton.LeftButton)
    assert [k.number for k in queries.shipment_kits(counter.ctx, pharm, "SH-010")] == [
        "K0301",
        "K0302",
    ]
    qtbot.mouseClick(receive.labels_button, Qt.MouseButton.LeftButton)

    # 09:00 a new participant is enrolled from the register.
    monkeypatch.setattr(EnrolDialog, "exec", enrol_as_the_pharmacist(qtbot))
    register = go_to(window, ParticipantsScreen)
    qtbot.mouseClick(register.enrol_button, Qt.MouseButton.LeftButton)
    assert queries.participant(counter.ctx, pharm, "01-003").initials == "EF"

    # 09:15 and is dispensed cycle 1: the counter screen, the participant scanned in the
    # toolbar (on the register, a scan would select them there), kit K0301 in hand.
    window.go_actions[DispenseScreen].trigger()
    window.focus_scan()
    scan(window.scan_field, "01-003")
    dispense = window.current_screen()
    assert isinstance(dispense, DispenseScreen)
    scan(dispense.kit_field, "K0301")  # expires after K0102, the first-expiry kit: a reason
    assert "Give the reason" in dispense.message.text()
    qtbot.keyClicks(dispense.override, "Investigator: start her on the new lot")
    qtbot.keyClick(dispense.kit_field, Qt.Key.Key_Return)
    assert dispense.last_result is not None and dispense.last_result.participant == "01-003"

    # 10:00 01-001 brings back cycle 1's bottle (label scanned) with 1 tablet left ...
    window.focus_scan()
    scan(window.scan_field, first.number)
    returned = window.current_screen()
    assert isinstance(returned, ReturnScreen)
    scan(returned.counted, "1")
    assert returned.last_result is not None and returned.last_result.flags == ()

    # ... and takes cycle 2, first expiry first out.
    window.focus_scan()
    scan(window.scan_field, "01-001")
    assert window.current_screen() is dispense
    dispense_kits_to_pick(qtbot, dispense)  # the kit to pick scanned: signed
    assert dispense.last_result is not None and dispense.last_result.cycle == 2

    assert [title.split()[0] for title, _ in printer.shown] == ["Kit", "Dispensing", "Dispensing"]
    assert [meaning for _, meaning, _ in signatures.asked] == [
        "dispensed",
        "return counted",
        "dispensed",
    ]

    # 16:30 the books are reconciled and signed off.
    books = go_to(window, ReconcileScreen)
    assert books.result is not None and books.result.balanced
    assert books.banner.text().startswith("BALANCED")
    qtbot.keyClicks(books.note, "End of day")
    qtbot.mouseClick(books.sign_button, Qt.MouseButton.LeftButton)
    signed = reconciliation.reconcile(counter.ctx, pharm).signoffs
    assert [(s.username, s.note) for s in signed] == [("pharm", "End of day")]

    # 17:00 the day's accountability record (DARF) is printed for the binder.
    reports = go_to(window, ReportsScreen)
    reports.choose("darf")
    reports.product.setCurrentIndex(reports.product.findData(P75))
    with qtbot.waitSignal(reports.report_ready, timeout=30_000):
        qtbot.mouseClick(reports.generate_button, Qt.MouseButton.LeftButton)
    printed = tmp_path / "darf-printed.pdf"
    monkeypatch.setattr(reports, "ask_printer", lambda: pdf_printer(printed))
    qtbot.mouseClick(reports.print_button, Qt.MouseButton.LeftButton)
    assert reports.made is not None
    darf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(reports.made.pdf)).pages)
    assert "Accountability Record" in darf and "01-003" in darf
    assert len(PdfReader(printed).pages) == reports.document.pageCount()

    # The dashboard agrees: nobody due, nothing outstanding.
    today = go_to(window, DashboardScreen)
    qtbot.waitUntil(lambda: not today.checking, timeout=30_000)  # read off the UI thread
    assert today.snapshot is not None
    assert today.snapshot.returns_pending == ()
    assert today.snapshot.discrepancies == ()
    dispensed = {k.number for k in queries.inventory(counter.ctx, pharm, KitStatus.DISPENSED)}
    assert dispensed == {"K0301", *(k.kit for k in dispense.last_result.kits)}
