"""The workstation's file of the prints waiting for their record (prints-waiting.json) keeps
every fact of a print, not its kind, items, reprint, stock and kits alone: a two-language
dispensing label (its languages, its language note, the dose before it, the pharmacy, the
study file it is worded from) kept there, the program killed, is given back at the next
sign-in as it went out, and recorded as it would have been at once. A file of the first
format is read as that format's reader read it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_print_record_discarded_and_kept import crash, kept_rows, new_desk, sign_in

from dispensary.app import Desk
from dispensary.config import stored_form
from dispensary.domain.codes import LabelKind
from dispensary.domain.errors import DatabaseProblem
from dispensary.services import audit, dispensing, pharmacy, studies
from dispensary.services import labels as label_prints
from dispensary.services.labels import PrintPlan
from dispensary.services.pharmacy import Particulars
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.unrecorded_prints import (
    FILE_VERSION,
    decoded,
    encoded,
    kept_file,
    read_kept,
    store_kept,
)

# -- the file's encoding, field by field ---------------------------------------------------


def every_field() -> PrintPlan:
    """A print with no field left at its default (but `study`, kept by its version)."""
    return PrintPlan(
        LabelKind.DISPENSE,
        ("DSP000002",),
        True,
        "sheet-a4",
        ("K0003",),
        previous_dose=2,
        languages=("zh_CN", "en"),
        language_note="印刷为英文，未印中文：中文标签文字待确认。",
        pharmacy=Particulars("城东医院药房", "郑州市金水路 1 号", "0371-1234", "zh_CN"),
        study=None,
        study_version=3,
        reason="标签被污损",
        token="5f1c0a9e2b7d4c3a8e6f1b2d3c4a5e6f",
    )


def test_every_field_of_a_print_comes_back_from_the_file_as_it_went_in() -> None:
    plan = every_field()
    defaults = PrintPlan(LabelKind.KIT, (), False)
    changed = [f for f in plan.__dataclass_fields__ if getattr(plan, f) != getattr(defaults, f)]
    assert set(changed) == set(plan.__dataclass_fields__) - {"study"}  # none left at default
    row = json.loads(json.dumps(encoded(plan), ensure_ascii=False))  # as the file keeps it
    assert decoded(row) == plan
    first = PrintPlan(LabelKind.KIT, ("K0001",), False)
    assert decoded(json.loads(json.dumps(encoded(first)))) == first
    leaflet = PrintPlan(LabelKind.LEAFLET, ("DSP000001",), False, previous_dose=0)
    assert decoded(json.loads(json.dumps(encoded(leaflet)))) == leaflet  # dose 0 is a dose


def test_a_row_of_the_first_format_is_read_as_before() -> None:
    """Written by the program before this one: what that program's reader gave (the rest at
    PrintPlan's defaults, which the print's record never took); its languages unknown, none
    (the record names none, never English for a label that may have gone out in Chinese)."""
    row: dict[str, Any] = {
        "kind": "dispense",
        "items": ["DSP000002"],
        "reprint": False,
        "stock": "sheet-a4",
        "quarantined": [],
    }
    assert decoded(row) == PrintPlan(
        LabelKind.DISPENSE, ("DSP000002",), False, "sheet-a4", languages=()
    )
    odd = dict(row, languages="zh_CN", previous_dose=True, pharmacy=["x"], study_version="3")
    assert decoded(odd) == decoded(row)  # a field not of its type: as if not there


def test_a_file_of_the_first_format_is_given_back_and_its_rows_kept(counter: Counter) -> None:
    pharm = counter.actor("pharm")
    study = counter.ctx.study_id
    row = {
        "study_id": study,
        "study": counter.ctx.study.protocol,
        "key": None,
        "kind": "kit",
        "items": ["K0001"],
        "reprint": False,
        "stock": "",
        "quarantined": [],
        "database": stored_form(counter.ctx.database),
        "user_id": pharm.user_id,
        "username": "pharm",
    }
    kept_file().parent.mkdir(parents=True, exist_ok=True)
    first = {"version": 1, "prints": [row]}
    kept_file().write_text(json.dumps(first), encoding="utf-8")
    store_kept(counter.ctx.database, counter.actor("tech"), ({}, {}, {}))  # nothing new
    assert json.loads(kept_file().read_text(encoding="utf-8"))["prints"] == [row]
    (labels, kits, _contexts), unopened = read_kept(counter.ctx, pharm)
    assert (
        unopened == []
        and labels == {}
        # Its languages unknown to that format: none recorded, never taken for English.
        and kits == {study: PrintPlan(LabelKind.KIT, ("K0001",), False, languages=())}
    )


# -- a two-language label, kept, the program killed, recorded at the next sign-in ----------


def two_language_dispense(counter: Counter) -> str:
    """Cycle 2 of participant 01-001 dispensed (cycle 1 before it), the Chinese label text
    confirmed and the pharmacy named: its label prints in Chinese and English, names the dose
    before it, the pharmacy and the study file version."""
    admin, pharm = counter.actor("admin"), counter.actor("pharm")
    studies.confirm_rule(counter.ctx, admin, "label.text.zh_CN", "checked against the protocol")
    pharmacy.set_particulars(counter.ctx, admin, "城东医院药房", "郑州市", "0371-1234", "named")
    dispensing.dispense_cycle(counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1")
    counter.clock.set_date(date(2026, 2, 2))
    second = dispensing.dispense_cycle(
        counter.ctx,
        pharm,
        "01-001",
        2,
        date(2026, 2, 2),
        "pharmpass1",
        override_reason="investigator instruction",
        overrides=["previous_return_missing"],
    )
    return second.number


def test_a_two_language_label_kept_through_a_crash_is_recorded_as_it_went_out(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    number = two_language_dispense(counter)
    window = sign_in(qtbot, desk, "pharm")
    session = window.session
    plan = label_prints.plan_print(
        session.ctx, session.actor, "dispense", [number], languages=["zh_CN", "en"]
    )
    assert plan.languages == ("zh_CN", "en") and plan.previous_dose is not None
    assert plan.study is not None and plan.study_version is not None and plan.pharmacy.is_set
    with monkeypatch.context() as refusing:

        def server_gone(*_args: Any, **_kwargs: Any) -> Any:
            raise DatabaseProblem("The database server cannot be reached.")

        refusing.setattr(label_prints, "record_label_print", server_gone)
        session.unrecorded_labels[number] = plan  # as the Dispense screen keeps a refused one
        session.waiting_changed()
        screen = window.show_screen(DispenseScreen)
        assert isinstance(screen, DispenseScreen)
        qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)  # refused again
        assert screen.message.kind == "error"
    [row] = kept_rows()
    assert row["languages"] == ["zh_CN", "en"] and row["study_version"] == plan.study_version
    assert json.loads(kept_file().read_text(encoding="utf-8"))["version"] == FILE_VERSION
    crash(desk)

    again = new_desk(qtbot, counter)
    window = sign_in(qtbot, again, "pharm")
    assert window.session.unrecorded_labels == {number: plan}  # every fact, the study too
    assert number in window.notice.text()
    screen = window.show_screen(DispenseScreen)
    assert isinstance(screen, DispenseScreen)
    recording: list[PrintPlan] = []
    real = label_prints.record_label_print

    def seen(*args: Any, **kwargs: Any) -> Any:
        recording.append(window.session.unrecorded_labels[number])
        return real(*args, **kwargs)

    monkeypatch.setattr(label_prints, "record_label_print", seen)
    qtbot.mouseClick(screen.record_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok", screen.message.text()
    assert recording == [plan]  # recorded from the print as it went out
    screen.grab().save(str(tmp_path / "recorded-after-crash.png"))
    [entry] = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_printed")
    facts = json.loads(entry.new)
    assert facts["items"] == [number] and facts["stock"] == plan.stock
    assert facts["reprint"] is False and facts["study_version"] == plan.study_version
    assert not kept_file().exists()
    window.quit()
    again.close_database()
