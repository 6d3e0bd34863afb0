"""A reprint whose record the database refused is still recordable later, with the reason typed
as it went out. Reports and labels is the one screen that prints a label again (the Dispense
screen's Print again and preview, and the Receive screen's kit labels, print a first print
only: a label printed before is refused there and sent to Reports and labels). Its print sent
to a printer, the record refused, was said and then lost: nothing kept it to record, and the
waiting print (PrintPlan, prints-waiting.json) had no reason, which the record of a reprint
needs (services.labels.record_label_print). Now it waits with its reason, in the session and
the workstation's file, through a crash, and Record the print writes the reprint with the
reason typed the first time."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_print_record_discarded_and_kept import crash, kept_rows, new_desk, sign_in

from dispensary.app import Desk
from dispensary.config import Settings
from dispensary.domain.codes import LabelKind
from dispensary.domain.errors import DatabaseProblem
from dispensary.services import audit, dispensing
from dispensary.services import labels as label_prints
from dispensary.services.labels import PrintPlan
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.forms import ReasonDialog
from dispensary.ui.label_preview import record_print
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.session import AppSession
from dispensary.ui.unrecorded_prints import FILE_VERSION, decoded, encoded, kept_file

REASON = "label smudged by hand sanitiser"


def printer_to(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setResolution(150)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def type_reason(qtbot: QtBot, text: str) -> list[str]:
    """Types `text` in the reason dialog as it opens, then Enter; the prompts seen."""
    seen: list[str] = []

    def answer() -> None:
        dialog = next(
            (
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, ReasonDialog) and w.isVisible()
            ),
            None,
        )
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        seen.append(dialog.prompt.text())
        qtbot.keyClicks(dialog.reason, text)
        qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)

    QTimer.singleShot(0, answer)
    return seen


def reprints(counter: Counter) -> list[tuple[list[str], str]]:
    rows = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_reprinted")
    return [(json.loads(r.new)["items"], r.reason) for r in rows]


WAITS = {
    "en": ("not recorded in the audit trail", "press Record the print on the Dispense screen"),
    "zh_CN": ("未记入稽查轨迹", "请在“发放”界面按“记录此次打印”"),
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_reprint_refused_its_record_is_recorded_after_a_crash_with_its_reason(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    request: pytest.FixtureRequest,
) -> None:
    if language == "zh_CN":
        request.getfixturevalue("chinese")
    pharm = counter.actor("pharm")
    number = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    ).number
    label_prints.record_label_print(counter.ctx, pharm, "dispense", [number], False)
    window = sign_in(qtbot, desk, "pharm")
    screen = window.show_screen(ReportsScreen)
    assert isinstance(screen, ReportsScreen)
    out = tmp_path / "reprint.pdf"
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(out))
    screen.choose("dispense")
    screen.handle_scan(number)
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    assert screen.made is not None and screen.made.reprint

    with monkeypatch.context() as refusing:

        def busy(*_args: Any, **_kwargs: Any) -> Any:
            raise DatabaseProblem("The database is busy: try again.")

        refusing.setattr(label_prints, "record_label_print", busy)
        prompts = type_reason(qtbot, REASON)
        qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
        assert prompts and number in prompts[0]
    assert out.read_bytes().startswith(b"%PDF")  # out: it cannot be taken back
    assert screen.message.kind == "warning", screen.message.text()
    refused, waits = WAITS[language]
    assert refused in screen.message.text() and waits in screen.message.text()
    screen.grab().save(str(tmp_path / f"reprint-record-refused-{language}.png"))
    assert reprints(counter) == []
    [(key, plan)] = window.session.unrecorded_labels.items()
    assert number in key and plan.reprint and plan.reason == REASON
    [row] = kept_rows()  # in the workstation's file at once, with its reason
    assert row["reprint"] is True and row["reason"] == REASON
    assert json.loads(kept_file().read_text(encoding="utf-8"))["version"] == FILE_VERSION
    crash(desk)

    again = new_desk(qtbot, counter)
    window = sign_in(qtbot, again, "pharm")
    assert number in window.notice.text()
    assert list(window.session.unrecorded_labels.values()) == [plan]
    dispense = window.show_screen(DispenseScreen)
    assert isinstance(dispense, DispenseScreen)
    assert dispense.record_button.isVisible()
    qtbot.mouseClick(dispense.record_button, Qt.MouseButton.LeftButton)
    assert dispense.message.kind == "ok", dispense.message.text()
    dispense.grab().save(str(tmp_path / f"reprint-recorded-after-crash-{language}.png"))
    assert reprints(counter) == [([number], REASON)]  # the reason typed the first time
    assert window.session.unrecorded_labels == {} and not kept_file().exists()
    window.quit()
    again.close_database()


def test_a_waiting_reprint_keeps_its_reason_in_the_file() -> None:
    """The file's row of a reprint gives its reason back; a row without one (the formats
    before) reads as before, its reason empty."""
    plan = PrintPlan(LabelKind.KIT, ("K0001",), True, reason=REASON)
    row = json.loads(json.dumps(encoded(plan)))
    assert row["reason"] == REASON and decoded(row) == plan
    del row["reason"]
    assert decoded(row) == PrintPlan(LabelKind.KIT, ("K0001",), True)


def test_a_waiting_reprint_is_recorded_with_its_reason(counter: Counter) -> None:
    """`record_print` gives the service the reason kept with the print; without one the
    service refuses it (the rule is the service's), and the print still waits."""
    pharm = counter.actor("pharm")
    number = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    ).number
    label_prints.record_label_print(counter.ctx, pharm, "dispense", [number], False)
    session = AppSession(counter.ctx, pharm, Settings())
    bare = PrintPlan(LabelKind.DISPENSE, (number,), True)
    assert "reason" in record_print(session, bare)
    assert (
        record_print(session, PrintPlan(LabelKind.DISPENSE, (number,), True, reason=REASON)) == ""
    )
    assert reprints(counter) == [([number], REASON)]
