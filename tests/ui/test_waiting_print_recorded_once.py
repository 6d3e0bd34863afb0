"""A reprint sent to the printer from Reports and labels whose record went in, but whose answer
was lost (the connection dropped after COMMIT): the window, told the database failed, keeps the
print waiting. Record the print then wrote a second reprint entry, a print that never happened
in the audit trail an inspector reads (only a first print was guarded: "printed before" was
taken as recorded meanwhile). The print waits with its identity (PrintPlan.token, in the
session and the workstation's file): its record is found by it and not written again, its
discard is not written for a print recorded, and the file does not offer it again."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_print_record_discarded_and_kept import crash, kept_rows, new_desk, sign_in
from test_reprint_record_waits_with_its_reason import printer_to, reprints, type_reason

from dispensary.app import Desk
from dispensary.domain.codes import LabelKind
from dispensary.domain.errors import DatabaseProblem
from dispensary.services import audit, dispensing
from dispensary.services import labels as label_prints
from dispensary.services.labels import PrintPlan
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.label_preview import discard_print
from dispensary.ui.main_window import MainWindow
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.unrecorded_prints import (
    discard_pending,
    kept_file,
    pending_prints,
    write_through,
)

REASON = "label torn off the bottle"


def reprint_whose_answer_is_lost(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[MainWindow, str]:
    """A dispense's label reprinted from Reports and labels: its record goes in, then the
    connection drops (the window is told the database failed)."""
    pharm = counter.actor("pharm")
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
    recorded = label_prints.record_label_print
    with monkeypatch.context() as dropping:

        def committed_then_lost(*args: Any, **kwargs: Any) -> Any:
            recorded(*args, **kwargs)
            raise DatabaseProblem("The database server cannot be reached.")

        dropping.setattr(label_prints, "record_label_print", committed_then_lost)
        type_reason(qtbot, REASON)
        qtbot.mouseClick(screen.print_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "warning", screen.message.text()
    assert reprints(counter) == [([number], REASON)]  # in, though the window was told not
    [plan] = window.session.unrecorded_labels.values()
    assert plan.reprint and plan.token
    [row] = kept_rows()
    assert row["token"] == plan.token
    return window, number


def test_record_the_print_after_a_lost_answer_writes_no_second_reprint(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, number = reprint_whose_answer_is_lost(qtbot, counter, desk, tmp_path, monkeypatch)
    dispense = window.show_screen(DispenseScreen)
    assert isinstance(dispense, DispenseScreen)
    assert dispense.record_button.isVisible()
    qtbot.mouseClick(dispense.record_button, Qt.MouseButton.LeftButton)
    assert dispense.message.kind == "ok", dispense.message.text()
    dispense.grab().save(str(tmp_path / "reprint-recorded-once.png"))
    assert reprints(counter) == [([number], REASON)]  # one reprint, not two
    assert window.session.unrecorded_labels == {} and not kept_file().exists()
    assert audit.verify(counter.ctx, counter.actor("admin")).ok
    window.quit()


def test_no_discard_is_written_for_a_print_recorded_after_all(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window, _number = reprint_whose_answer_is_lost(qtbot, counter, desk, tmp_path, monkeypatch)
    [plan] = window.session.unrecorded_labels.values()
    assert discard_print(window.session, plan) == ""  # nothing left to do
    # As the question at sign-out discards it: let go, nothing refused.
    assert discard_pending(window.session, window.contexts, pending_prints(window.session)) == []
    assert window.session.unrecorded_labels == {} and not kept_file().exists()
    admin = counter.actor("admin")
    assert audit.list_entries(counter.ctx, admin, action="label_print_record_discarded") == []
    window.quit()


def test_a_print_kept_in_the_file_and_recorded_is_not_offered_again(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The program killed while the print waited (its record in, the answer lost): at the next
    sign-in the file's row is found recorded by its identity, not offered, and leaves the
    file."""
    reprint_whose_answer_is_lost(qtbot, counter, desk, tmp_path, monkeypatch)
    crash(desk)
    again = new_desk(qtbot, counter)
    window = sign_in(qtbot, again, "pharm")
    assert window.session.unrecorded_labels == {}
    assert not kept_file().exists()
    window.quit()
    again.close_database()


def test_a_rows_print_is_found_by_its_identity_whatever_study_id_it_names(
    counter: Counter,
) -> None:
    """A file row written against a database since rebuilt (its study numbered anew): once
    the print is recorded it leaves the file, found by its identity, not by the study id."""
    pharm = counter.actor("pharm")
    plan = PrintPlan(LabelKind.KIT, ("K0001",), False, token=label_prints.new_print_token())
    study = counter.ctx.study_id
    write_through(counter.ctx.database, pharm, {}, {(study + 7, None): plan}, {})
    [row] = kept_rows()
    assert row["study_id"] == study + 7 and row["token"] == plan.token
    write_through(counter.ctx.database, pharm, {(study, None): plan}, {}, {})
    assert not kept_file().exists()
