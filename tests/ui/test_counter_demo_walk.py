"""The Dispense screen as a reviewer drove it on the demo database (six months into the trial,
"today" 2026-12-06), with a scanner (fast typing and Enter): what it said and where the cursor
went at each step."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import Printer
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot
from window_helpers import scan

from dispensary.cli.check import _assessment_lines
from dispensary.config import Settings
from dispensary.services import demo, dispensing, setup, studies, users
from dispensary.services.assessment import DispenseRequest
from dispensary.services.context import Context, FixedClock
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.label_preview import LabelPreviewDialog, print_dispense_label
from dispensary.ui.session import AppSession

DEMO_DAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-walk") / "demo.sqlite3"
    demo.build_demo(str(path), DEMO_DAY)
    return path


@pytest.fixture
def ctx(demo_file: Path, tmp_path: Path) -> Iterator[Context]:
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_file, copy)
    clock = FixedClock()
    clock.set_date(DEMO_DAY)
    opened = setup.open_database(str(copy), clock).context
    yield opened
    opened.engine.dispose()


def session_of(ctx: Context) -> AppSession:
    actor = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    return AppSession(ctx, actor, Settings(backups_kept=3))


def shown(qtbot: QtBot, session: AppSession) -> DispenseScreen:
    widget = DispenseScreen(session)
    qtbot.addWidget(widget)
    widget.resize(1166, 700)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.refresh()
    return widget


class Signed:
    """Stands in for the signature dialog: the demo pharmacist signs with the demo password."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ask(self, *args: object) -> str:
        self.asked.append(str(args[-1]))
        return demo.DEMO_PASSWORD


@pytest.fixture
def signatures(monkeypatch: pytest.MonkeyPatch) -> Signed:
    answers = Signed()
    monkeypatch.setattr(SignatureDialog, "ask", classmethod(lambda cls, *a: answers.ask(*a)))
    return answers


@pytest.fixture
def screen(qtbot: QtBot, ctx: Context) -> DispenseScreen:
    return shown(qtbot, session_of(ctx))


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def text_of(screen: DispenseScreen) -> str:
    return " ".join(screen.message.text().split())


def test_the_reason_a_warning_asks_for_is_typed_where_the_cursor_goes(
    qtbot: QtBot, screen: DispenseScreen, signatures: Signed, printer: Printer
) -> None:
    scan(qtbot, screen.participant_field, "01-004")
    assert focused() is screen.kit_field
    scan(qtbot, screen.kit_field, "K1115")
    assert "Give the reason to dispense anyway, then press Enter." in text_of(screen)
    assert focused() is screen.override  # not left in the kit field, to be read as a kit
    scan(qtbot, focused() or screen, "Investigator confirmed by phone")
    assert len(signatures.asked) == 1
    assert "Dispensed DSP" in text_of(screen)


@pytest.mark.parametrize(
    ("number", "status"), [("01-003", "discontinued"), ("01-001", "completed")]
)
def test_a_participant_off_treatment_is_given_no_kit_to_pick_and_a_next_step(
    qtbot: QtBot, screen: DispenseScreen, number: str, status: str
) -> None:
    scan(qtbot, screen.participant_field, number)
    said = text_of(screen)
    assert f"Participant {number} is {status}" in said
    assert "still to scan" not in said and "K1115" not in said
    assert "change the status in Participants (Change status...)" in said
    assert screen.kits_model.rows == []
    assert screen.kits_title.text().startswith("No kit to pick")
    assert screen.cover_label.text() == ""
    assert "Cycle due" not in screen.card.text()
    assert "No cycle due" in screen.card.text()
    assert screen.cycle_label.text() == "-"
    assert focused() is screen.participant_field


def test_a_second_dispense_the_same_day_names_the_first(
    qtbot: QtBot, screen: DispenseScreen, signatures: Signed, printer: Printer
) -> None:
    scan(qtbot, screen.participant_field, "01-002")
    scan(qtbot, screen.kit_field, screen.kits_to_scan()[0].number)
    scan(qtbot, focused() or screen, "Investigator's instruction")
    done = text_of(screen)
    assert "Dispensed DSP000135: 01-002 cycle 9" in done, done

    scan(qtbot, screen.participant_field, "01-002")
    said = text_of(screen)
    assert said.startswith("Cycle 9 was dispensed today, 2026-12-06 (DSP000135)."), said
    assert "still to scan" not in said
    assert screen.kits_model.rows == []
    assert "Last dispense: cycle 9 (DSP000135, 2026-12-06)" in screen.card.text()
    assert focused() is screen.participant_field  # no Weight, no kit: the next participant


def test_check_dispense_names_the_previous_dispense_of_a_timing_refusal(ctx: Context) -> None:
    actor = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    done = dispensing.dispense_cycle(
        ctx,
        actor,
        "01-004",
        9,
        DEMO_DAY,
        demo.DEMO_PASSWORD,
        kits=["K1115"],
        override_reason="Investigator's instruction",
        overrides=("previous_return_missing",),
    )
    found = dispensing.assess_dispense(ctx, actor, DispenseRequest("01-004"))
    assert found.previous_number == done.number and found.timing_refused
    lines = _assessment_lines(found, ctx.study)
    assert lines[1] == (
        f"  Previous    Cycle 9 was dispensed today, 2026-12-06 ({done.number})."
    ), lines
    assert "  Next cycle  due 2026-12-27, day 1 from 2026-12-24 at the earliest" in lines, lines


def test_too_early_in_another_study_keeps_the_cursor_off_its_weight(
    qtbot: QtBot, ctx: Context
) -> None:
    pharmacist = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    other = studies.switch_study(ctx, pharmacist, "DEMO-28D-BID")
    screen = shown(qtbot, AppSession(other, pharmacist, Settings(backups_kept=3)))
    scan(qtbot, screen.participant_field, "11-001")
    said = text_of(screen)
    assert "Too early for cycle" in said, said
    assert "still to scan" not in said
    assert screen.kits_model.rows == []
    assert screen.focusWidget() is screen.participant_field  # not Weight: no cycle today


def test_the_card_gives_the_due_date_and_the_limit_of_day_1_as_entered(
    qtbot: QtBot, screen: DispenseScreen
) -> None:
    scan(qtbot, screen.participant_field, "01-005")
    card = screen.card.text()
    assert "Cycle due: <b>9</b>, due 2026-12-17, day 1 from 2026-12-14 at the earliest" in card
    assert "the day 1 entered today must be from 2026-11-29 to 2026-12-13" in card
    assert "may be entered from" not in card


def test_a_kit_of_another_study_scanned_during_a_dispense_is_put_back(
    qtbot: QtBot, screen: DispenseScreen
) -> None:
    scan(qtbot, screen.participant_field, "01-004")
    scan(qtbot, screen.kit_field, "B2011")
    said = text_of(screen)
    assert "Kit B2011 belongs to study DEMO-28D-BID, not to this dispense: put it back" in said
    assert "Switch to study" not in said
    assert screen.participant is not None and screen.participant.study_number == "01-004"


def test_a_later_kit_is_removed_by_the_keyboard_to_take_the_first_expiring(
    qtbot: QtBot, screen: DispenseScreen
) -> None:
    scan(qtbot, screen.participant_field, "01-004")
    assert [k.number for k in screen.kits_to_scan()] == ["K1115"]
    scan(qtbot, screen.kit_field, "K1121")  # of a later lot: the warning names K1115
    assert "take kit K1115 instead" in text_of(screen)
    assert screen.remove_button.isEnabled()
    screen.kit_field.setFocus()
    qtbot.keyClick(screen.kit_field, Qt.Key.Key_Delete)  # no row selected: the last scanned
    assert screen.scanned == []
    assert "Kit K1121 removed: put it back." in text_of(screen)
    assert [k.number for k in screen.kits_to_scan()] == ["K1115"]
    scan(qtbot, screen.kit_field, "K1115")
    assert [k.number for k in screen.scanned] == ["K1115"]
    assert "take kit K1115 instead" not in text_of(screen)


def test_the_first_expiring_kit_scanned_after_the_warning_replaces_the_later_kit(
    qtbot: QtBot, screen: DispenseScreen, signatures: Signed, printer: Printer
) -> None:
    """The warning says to take K1115 instead of K1125: scanning K1115 is all it takes."""
    scan(qtbot, screen.participant_field, "01-007")
    scan(qtbot, screen.kit_field, "K1125")
    assert "take kit K1115 instead" in text_of(screen)
    scan(qtbot, screen.kit_field, "K1115")
    said = text_of(screen)
    assert said.startswith("Kit K1115 replaces kit K1125: put K1125 back."), said
    assert "not needed" not in said and "take kit K1115 instead" not in said
    assert [k.number for k in screen.scanned] == ["K1115"]
    assert [line.kit.number for line in screen.pick_lines()] == ["K1115"]
    assert screen.kit_field.cue != "error"
    assert screen.assessment is not None and not screen.assessment.refused
    assert focused() is screen.override  # the return not recorded: the reason is next
    shots = os.environ.get("DISPENSARY_SHOTS")
    if shots:
        screen.grab().save(str(Path(shots) / "dispense-swap-en.png"))
    scan(qtbot, screen.override, "Investigator's instruction")
    assert len(signatures.asked) == 1
    assert "Dispensed DSP" in text_of(screen)
    assert screen.last_result is not None
    assert [k.kit for k in screen.last_result.kits] == ["K1115"]


def test_remove_kit_removes_the_last_scanned_with_no_row_selected(
    qtbot: QtBot, screen: DispenseScreen
) -> None:
    scan(qtbot, screen.participant_field, "01-004")
    scan(qtbot, screen.kit_field, "K1121")
    screen.kits_view.setCurrentIndex(screen.kits_model.index(-1, -1))
    assert screen.remove_button.shortcut().toString() == "Alt+M"  # Re&move kit
    screen.remove_button.click()
    assert screen.scanned == []
    assert "Kit K1121 removed: put it back." in text_of(screen)


def test_remove_kit_and_leaflet_have_their_own_keys(
    screen: DispenseScreen, ctx: Context, chinese: None
) -> None:
    for widget in (screen, DispenseScreen(session_of(ctx))):  # English, then Chinese
        assert widget.remove_button.text().replace("&&", "").count("&") == 1
        assert widget.leaflet_button.text().replace("&&", "").count("&") == 1
        keys = [
            label.text().split("&")[1][0].upper()
            for label in widget.findChildren(QLabel)
            if "&" in label.text().replace("&&", "") and label.buddy() is not None
        ] + [
            button.text().split("&")[1][0].upper()
            for button in widget.findChildren(QAbstractButton)
            if "&" in button.text().replace("&&", "")
        ]
        assert len(keys) == len(set(keys)), keys
        widget.deleteLater()


def test_a_chinese_preview_of_an_english_only_label_says_why(
    qtbot: QtBot, ctx: Context, chinese: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes: list[str] = []

    def closed(*args: object) -> str:
        notes.append(str(args[5]) if len(args) > 5 else "")
        return ""  # closed unused

    monkeypatch.setattr(LabelPreviewDialog, "show_pdf", classmethod(lambda cls, *a: closed(*a)))
    session = session_of(ctx)
    actor = session.actor
    done = dispensing.dispense_cycle(
        ctx,
        actor,
        "01-004",
        9,
        DEMO_DAY,
        demo.DEMO_PASSWORD,
        kits=["K1115"],
        override_reason="Investigator's instruction",
        overrides=("previous_return_missing",),
    )
    outcome = print_dispense_label(None, session, done.number, preview=True)
    assert notes and notes[0], notes  # the language note, shown in the preview
    said = QCoreApplication.translate(
        "LabelPrinting",
        "Label not printed: it waits under the form. Press Print again to print it, or "
        "Ctrl+P to preview it again.",
    )
    assert outcome.text == said
    assert "报告与标签" not in outcome.text


def test_the_preview_shows_the_language_note_above_the_label(qtbot: QtBot) -> None:
    note = "The Chinese text of this label is not confirmed yet: printed in English only."
    dialog = LabelPreviewDialog(None, "Dispensing label", b"", "label.pdf", None, note)
    qtbot.addWidget(dialog)
    assert dialog.note.text() == note and not dialog.note.isHidden()
    plain = LabelPreviewDialog(None, "Dispensing label", b"", "label.pdf")
    qtbot.addWidget(plain)
    assert plain.note.isHidden()
