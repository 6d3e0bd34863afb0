"""A label print recorded from the real screens names the languages its labels went out in:
the reprint sent to the printer from Reports and labels, its record refused (the database
busy), then recorded by Record the print on the Dispense screen, records the languages the
label was drawn in (PrintPlan.languages, kept with the print waiting); the Audit trail screen says them beside the label, in words."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_print_record_discarded_and_kept import sign_in
from test_reprint_record_waits_with_its_reason import printer_to, type_reason
from window_helpers import refreshed

from dispensary.app import Desk
from dispensary.domain.errors import DatabaseProblem
from dispensary.services import audit, dispensing, studies
from dispensary.services import labels as label_prints
from dispensary.ui.audit_view import AuditScreen
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.reports_view import ReportsScreen

REASON = "label smudged by hand sanitiser"
RECORD, NEW = 4, 6


def test_record_the_print_records_the_languages_the_reprint_went_out_in(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharm, admin = counter.actor("pharm"), counter.actor("admin")
    studies.confirm_rule(counter.ctx, admin, "label.text.zh_CN", "checked against the label")
    number = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    ).number
    label_prints.record_label_print(counter.ctx, pharm, "dispense", [number], False)
    window = sign_in(qtbot, desk, "pharm")
    screen = window.show_screen(ReportsScreen)
    assert isinstance(screen, ReportsScreen)
    monkeypatch.setattr(screen, "ask_printer", lambda: printer_to(tmp_path / "reprint.pdf"))
    screen.choose("dispense")
    screen.handle_scan(number)
    with qtbot.waitSignal(screen.report_ready, timeout=30000):
        qtbot.mouseClick(screen.generate_button, Qt.MouseButton.LeftButton)
    with monkeypatch.context() as refusing:

        def busy(*_args: Any, **_kwargs: Any) -> Any:
            raise DatabaseProblem("The database is busy: try again.")

        refusing.setattr(label_prints, "record_label_print", busy)
        type_reason(qtbot, REASON)
        qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "warning", screen.message.text()
    [plan] = window.session.unrecorded_labels.values()
    assert plan.languages == ("zh_CN",)  # the study's label language, its text confirmed
    dispense = window.show_screen(DispenseScreen)
    assert isinstance(dispense, DispenseScreen)
    qtbot.mouseClick(dispense.record_button, Qt.MouseButton.LeftButton)
    assert dispense.message.kind == "ok", dispense.message.text()

    [entry] = audit.list_entries(counter.ctx, admin, action="label_reprinted")
    assert json.loads(entry.new)["languages"] == ["zh_CN"] and entry.reason == REASON
    assert audit.verify(counter.ctx, admin).ok
    trail = refreshed(qtbot, AuditScreen(window.session), None)
    trail.action.setCurrentIndex(trail.action.findData("label_reprinted"))
    record = trail.proxy.index(0, RECORD).data()
    assert record == f"Dispensing labels {number} (Simplified Chinese)", record
    assert "Label languages: Simplified Chinese" in str(trail.proxy.index(0, NEW).data())
    window.quit()
