"""Labels printed whose record the database refused are never dropped unasked as the session
ends. Closing the main window, Quit and File > Sign out let go of them without a word (the
labels on the kits or the bottle, no trace in the audit trail that they were printed). Now one
question names what waits (the kits; the dispense with its participant and cycle): Record now
(retried, nothing printed again), Discard knowingly, or Cancel, the default (Enter and Esc
lose nothing, the window stays open). A session ended without its user (account locked
elsewhere) asks nothing: the prints are kept for the user's next sign-in."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from test_receive_unrecorded_print import (
    KITS,
    RefusedOnce,
    answer,
    button,
    enter,
    printed_unrecorded,
    printing_session,
    received,
    recorded,
)
from window_helpers import main_window

from dispensary.app import Desk
from dispensary.i18n import ENGLISH, Language
from dispensary.services import audit, dispensing
from dispensary.services import labels as label_prints
from dispensary.ui.main_window import MainWindow
from dispensary.ui.translations import install_language, load_cjk_font
from dispensary.ui.unrecorded_prints import UnrecordedPrintsQuestion, kept_file


def never_asked(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The question replaced by one that notes it was asked (and keeps the window open)."""
    asked: list[object] = []

    def ask(_cls: object, _parent: object, prints: list[str]) -> str:
        asked.append(prints)
        return UnrecordedPrintsQuestion.KEEP

    monkeypatch.setattr(UnrecordedPrintsQuestion, "ask", classmethod(ask))
    return asked


def refused_print_window(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> MainWindow:
    """The main window whose Receive screen printed SH-801's kit labels, their record refused."""
    RefusedOnce(monkeypatch)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    (tmp_path / "kit-labels.pdf").unlink()
    assert recorded(counter) == []
    return window


def test_closing_the_window_asks_and_record_now_puts_the_print_in_the_audit_trail(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Record now"))
    assert window.close()
    [box] = seen
    assert box.objectName() == "unrecordedPrintsQuestion"
    assert "K0801, K0802" in box.informativeText()
    assert "print record was discarded, not that" in box.informativeText()
    assert box.defaultButton() is box.escapeButton()  # Cancel
    assert recorded(counter) == KITS  # in the audit trail now
    assert not (tmp_path / "kit-labels.pdf").exists()  # recorded, not printed again
    assert not window.isVisible() and not window.session_open


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Escape], ids=["enter", "esc"])
def test_cancel_the_default_keeps_the_window_open_and_the_print_to_record(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    key: Qt.Key,
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    seen: list[QMessageBox] = []
    if key == Qt.Key.Key_Return:
        answer(qtbot, seen, enter(qtbot))
    else:
        answer(qtbot, seen, lambda box: qtbot.keyClick(box, Qt.Key.Key_Escape))
    assert not window.close()
    assert len(seen) == 1
    assert window.isVisible() and window.session_open
    assert window.session.unrecorded_kits and recorded(counter) == []
    entries = audit.list_entries(counter.ctx, counter.actor("admin"), action="sign_out")
    assert entries == []  # the session goes on: no sign-out recorded


def test_discard_knowingly_closes_and_records_nothing(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Discard the record"))
    window.quit()  # File > Quit
    assert len(seen) == 1
    assert not window.isVisible() and recorded(counter) == []
    assert window.session.unrecorded_kits == {}


def test_sign_out_asks_and_cancel_keeps_the_user_signed_in(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    asked = never_asked(monkeypatch)
    signed_out: list[bool] = []
    window.sign_out_requested.connect(lambda: signed_out.append(True))
    window.sign_out()
    assert len(asked) == 1 and signed_out == [] and window.session_open
    monkeypatch.setattr(
        UnrecordedPrintsQuestion, "ask", classmethod(lambda *_a: UnrecordedPrintsQuestion.RECORD)
    )
    window.sign_out()
    assert signed_out == [True] and recorded(counter) == KITS


def test_a_record_refused_again_keeps_the_window_open_saying_why(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RefusedOnce(monkeypatch, times=2)
    window = main_window(qtbot, printing_session(counter, tmp_path))
    printed_unrecorded(qtbot, received(qtbot, window), tmp_path)
    monkeypatch.setattr(
        UnrecordedPrintsQuestion, "ask", classmethod(lambda *_a: UnrecordedPrintsQuestion.RECORD)
    )
    assert not window.close()
    assert window.isVisible() and window.session.unrecorded_kits
    assert window.notice.kind == "error"
    assert "Not recorded: kit labels: K0801, K0802" in window.notice.text()
    assert "cannot be reached" in window.notice.text()


def test_a_dispense_label_waiting_is_named_by_participant_and_cycle_and_recorded(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    pharm = counter.actor("pharm")
    result = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    session = counter.session("pharm")
    plan = label_prints.plan_print(session.ctx, pharm, "dispense", [result.number])
    session.unrecorded_labels[result.number] = plan  # as the Dispense screen keeps it
    window = main_window(qtbot, session)
    asked: list[list[str]] = []

    def ask(_cls: object, _parent: object, prints: list[str]) -> str:
        asked.append(prints)
        return UnrecordedPrintsQuestion.RECORD

    monkeypatch.setattr(UnrecordedPrintsQuestion, "ask", classmethod(ask))
    assert window.close()
    assert asked == [
        [f"dispensing label of dispense {result.number} (participant 01-001, cycle 1)"]
    ]
    rows = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_printed")
    assert [json.loads(r.new)["items"] for r in rows] == [[result.number]]
    assert session.unrecorded_labels == {}


def test_nothing_pending_nothing_asked(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = never_asked(monkeypatch)
    window = main_window(qtbot, counter.session("pharm"))
    window.sign_out()
    assert window.close()
    assert asked == []


def test_a_session_ended_without_its_user_asks_nothing_and_keeps_the_print_for_them(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The account locked elsewhere (AccountWatch), the access withdrawn, another user at the
    lock: no one is there to answer, and the question would be closed by the window guard. The
    print is kept for the user's next sign-in, which says so and records it."""
    asked = never_asked(monkeypatch)
    pharm = counter.actor("pharm")
    window = desk.start_session(pharm)
    plan = label_prints.plan_print(window.session.ctx, pharm, "kit", ["K0001"])
    window.session.unrecorded_kits[window.session.ctx.study_id] = plan
    desk.end_session("Your account was locked.")
    assert asked == [] and not window.isVisible()
    assert "K0001" in kept_file().read_text(encoding="utf-8")  # the workstation's file
    again = desk.start_session(pharm)
    [(study, kept)] = again.session.unrecorded_kits.items()
    assert study == again.session.ctx.study_id
    assert (kept.kind, kept.items, kept.reprint) == (plan.kind, plan.items, plan.reprint)
    assert again.notice.kind == "warning" and "K0001" in again.notice.text()
    assert pharm.user_id not in desk.kept_prints
    # Still in the file, once, until recorded or discarded: the program crashing loses none.
    assert kept_file().read_text(encoding="utf-8").count("K0001") == 1


@pytest.mark.parametrize("language", [ENGLISH, Language.ZH_CN], ids=lambda lang: lang.value)
def test_the_question_reads_in_the_language_and_enter_loses_nothing(
    qtbot: QtBot,
    counter: Counter,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    language: Language,
) -> None:
    load_cjk_font()
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    assert install_language(language)
    try:
        seen: list[QMessageBox] = []

        def look_then_enter(box: QMessageBox) -> None:
            box.grab().save(str(tmp_path / f"closing-{language.value}.png"))
            qtbot.keyClick(box, Qt.Key.Key_Return)

        answer(qtbot, seen, look_then_enter)
        assert not window.close()
        [box] = seen
        assert "K0801, K0802" in box.informativeText() or "K0801、K0802" in box.informativeText()
        if language is not ENGLISH:
            assert "药盒标签" in box.informativeText() and "printed" not in box.text()
        assert window.isVisible() and window.session.unrecorded_kits
    finally:
        install_language(ENGLISH)


def test_a_locked_window_is_not_closed_and_asks_no_one(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under the lock the one at the workstation may not be the user who printed: the window
    stays open, nothing asked, nothing lost; unlocked, closing it asks."""
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    asked = never_asked(monkeypatch)
    window.set_locked(True)
    assert not window.close()
    assert asked == [] and window.isVisible() and window.session.unrecorded_kits
    window.set_locked(False)
    assert not window.close()
    assert len(asked) == 1
