"""Labels printed whose record the database refused, as the session ends or a new shipment
starts: a discard is an entry of the audit trail (who, which labels, why), and one the database
refuses too leaves the print waiting, said; the prints kept for a user whose session ended
without them survive the program closing (the workstation's file) and are given back at that
user's next sign-in, in a new run of the program; after Record now recorded some and not
others, the Receive screen no longer offers the print recorded."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from counter_fixtures import PASSWORDS, Counter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from test_close_unrecorded_prints import refused_print_window
from test_receive_unrecorded_print import (
    KITS,
    RefusedOnce,
    answer,
    button,
    printed_unrecorded,
    printing_session,
    received,
    recorded,
)
from window_helpers import main_window

from dispensary.app import Desk, Workstation
from dispensary.config import Settings
from dispensary.domain.codes import LabelKind
from dispensary.domain.errors import DatabaseProblem
from dispensary.labels import choose_stock
from dispensary.services import audit, dispensing
from dispensary.services import labels as label_prints
from dispensary.ui.label_printers import FILE_PRINTER
from dispensary.ui.main_window import MainWindow
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.sign_in import SignInWindow
from dispensary.ui.unrecorded_prints import kept_file, store_kept


def discarded(counter: Counter) -> list[tuple[str, list[str], str]]:
    """The discards in the audit trail: who, which items, why."""
    rows = audit.list_entries(
        counter.ctx, counter.actor("admin"), action="label_print_record_discarded"
    )
    return [(r.username, json.loads(r.new)["items"], r.reason) for r in rows]


def refuse_discards(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: Any, **_kwargs: Any) -> Any:
        raise DatabaseProblem("The database server cannot be reached.")

    monkeypatch.setattr(label_prints, "discard_print_record", refused)


# -- the discard in the audit trail --------------------------------------------------------


def test_discard_at_quit_is_written_in_the_audit_trail(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    seen: list[QMessageBox] = []

    def look_then_discard(box: QMessageBox) -> None:
        box.grab().save(str(tmp_path / "closing-discard.png"))
        button("Discard the record")(box)

    answer(qtbot, seen, look_then_discard)
    window.quit()  # File > Quit
    assert len(seen) == 1 and not window.isVisible()
    assert recorded(counter) == []
    [(who, items, why)] = discarded(counter)
    assert who == "pharm" and items == KITS and "refused its record" in why


def test_a_discard_the_database_refuses_keeps_the_window_and_the_print(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    refuse_discards(monkeypatch)
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Discard the record"))
    assert not window.close()
    assert window.isVisible() and window.session_open and window.session.unrecorded_kits
    assert window.notice.kind == "error"
    assert "Not discarded" in window.notice.text() and "K0801, K0802" in window.notice.text()
    assert "cannot be reached" in window.notice.text()


def test_new_shipment_discard_is_written_and_a_refused_one_keeps_the_print(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = refused_print_window(qtbot, counter, tmp_path, monkeypatch)
    screen = window.current_screen()
    assert isinstance(screen, ReceiveScreen)
    with monkeypatch.context() as refusing:
        refuse_discards(refusing)
        seen: list[QMessageBox] = []
        answer(qtbot, seen, button("Discard the record"))
        qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: bool(seen))
        assert screen.unrecorded is not None and discarded(counter) == []
        assert screen.message.kind == "error" and "not discarded" in screen.message.text()
        assert screen.labels_button.text().replace("&", "") == "Record the print"
    seen = []
    answer(qtbot, seen, button("Discard the record"))
    qtbot.mouseClick(screen.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(seen))
    assert screen.unrecorded is None and recorded(counter) == []
    assert [items for _who, items, _why in discarded(counter)] == [KITS]
    assert screen.message.kind == "warning" and "discarded" in screen.message.text()


# -- Record now, some recorded, some refused -----------------------------------------------


def test_after_a_partial_record_now_the_receive_screen_offers_only_what_still_waits(
    qtbot: QtBot, counter: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kit labels recorded, the dispense label refused: the window stays open, and the
    Receive screen's button no longer says Record the print (its print is recorded)."""
    pharm = counter.actor("pharm")
    result = dispensing.dispense_cycle(
        counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1"
    )
    real = label_prints.record_label_print
    calls: list[str] = []

    def refuse_the_first_kit_print_and_any_dispense(*args: Any, **kwargs: Any) -> Any:
        calls.append(str(args[2]))
        if args[2] != LabelKind.KIT or calls.count(str(args[2])) == 1:
            raise DatabaseProblem("The database server cannot be reached.")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        label_prints, "record_label_print", refuse_the_first_kit_print_and_any_dispense
    )
    session = printing_session(counter, tmp_path)
    window = main_window(qtbot, session)
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    plan = label_prints.plan_print(session.ctx, pharm, "dispense", [result.number])
    session.unrecorded_labels[result.number] = plan  # as the Dispense screen keeps it
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Record now"))
    assert not window.close()
    assert recorded(counter) == KITS  # the kit labels went in
    assert window.session.unrecorded_kits == {}
    assert list(window.session.unrecorded_labels) == [result.number]  # still waits
    assert "Not recorded: dispensing label" in window.notice.text()
    assert screen.labels_button.text().replace("&", "") == "Print kit labels"
    assert not screen.labels_button.isEnabled()


# -- kept for an absent user, across a restart of the program ------------------------------


def new_desk(qtbot: QtBot, counter: Counter) -> Desk:
    """The program started again on the same database: a new sign-in window and desk."""
    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    desk = Desk(Workstation(counter.ctx, Settings(backups_kept=3)), window)
    window.show()
    qtbot.waitExposed(window)
    return desk


def sign_in(qtbot: QtBot, desk: Desk, username: str) -> MainWindow:
    form = desk.sign_in.form
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, PASSWORDS[username])
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: desk.window is not None)
    window = desk.window
    assert window is not None and window.session.user.username == username
    if desk.backup is not None:
        desk.backup.wait()
    return window


def test_prints_kept_for_an_absent_user_survive_the_program_closing(
    qtbot: QtBot, counter: Counter, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pharmacist's session ends without them (their account locked elsewhere) while a
    kit-label print waits for its record; the program is closed; started again, another user
    signs in first (not given it, nothing asked), then the pharmacist: their session has it,
    says so, and Quit records it."""
    window = sign_in(qtbot, desk, "pharm")
    plan = label_prints.plan_print(window.session.ctx, window.session.actor, "kit", ["K0001"])
    window.session.unrecorded_kits[window.session.ctx.study_id] = plan
    desk.end_session("Your account was locked.")  # as AccountWatch ends it
    assert not window.isVisible()
    desk.sign_in.close()  # the program quits from the sign-in window
    desk.close_database()
    assert kept_file().is_file()

    again = new_desk(qtbot, counter)
    other = sign_in(qtbot, again, "tech")
    assert other.session.unrecorded_kits == {} and other.notice.text() == ""
    other.sign_out()
    mine = sign_in(qtbot, again, "pharm")
    [kept] = mine.session.unrecorded_kits.values()
    assert kept.kind is LabelKind.KIT and kept.items == ("K0001",) and not kept.reprint
    assert mine.notice.kind == "warning" and "K0001" in mine.notice.text()
    assert kept_file().is_file()  # kept there until recorded or discarded: a crash loses none
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Record now"))
    mine.quit()
    assert len(seen) == 1 and not mine.isVisible()
    rows = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_printed")
    assert [json.loads(r.new)["items"] for r in rows] == [["K0001"]]
    assert not kept_file().exists()  # recorded: out of the file
    again.close_database()


def test_a_file_that_cannot_be_written_keeps_them_in_memory_and_says_so(
    qtbot: QtBot, counter: Counter, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The data folder cannot take the file: the sign-in window says that the pharmacist is to
    sign in again before the program is closed; their next sign-in has the print all the same."""
    window = sign_in(qtbot, desk, "pharm")
    plan = label_prints.plan_print(window.session.ctx, window.session.actor, "kit", ["K0001"])
    window.session.unrecorded_kits[window.session.ctx.study_id] = plan
    kept_file().parent.mkdir(parents=True, exist_ok=True)
    kept_file().mkdir()  # a folder where the file goes: it cannot be read nor written
    desk.end_session("Your account was locked.")
    said = desk.sign_in.form.message.text()
    assert "Your account was locked." in said
    assert "could not be kept in this workstation's file" in said and "pharm" in said
    kept_file().rmdir()
    mine = sign_in(qtbot, desk, "pharm")
    [kept] = mine.session.unrecorded_kits.values()
    assert kept.items == ("K0001",)
    assert "K0001" in mine.notice.text()


def test_an_unreadable_file_is_said_at_sign_in_and_never_written_over(
    qtbot: QtBot, desk: Desk
) -> None:
    kept_file().parent.mkdir(parents=True, exist_ok=True)
    kept_file().write_text("{not json", encoding="utf-8")
    window = sign_in(qtbot, desk, "pharm")
    assert window.notice.kind == "error" and "cannot be read" in window.notice.text()
    assert kept_file().read_text(encoding="utf-8") == "{not json"


def test_a_print_of_a_study_the_user_cannot_open_stays_kept_and_is_said(
    qtbot: QtBot, counter: Counter, desk: Desk
) -> None:
    """Kept for the pharmacist in a study they can no longer open: never recorded under the
    study open now, never dropped; their sign-in says it waits."""
    pharm = counter.actor("pharm")
    plan = label_prints.PrintPlan(LabelKind.KIT, ("K0001",), False)
    store_kept(counter.ctx.database, pharm, ({}, {99: plan}, {}))
    kept = kept_file().read_text(encoding="utf-8")
    window = sign_in(qtbot, desk, "pharm")
    assert window.session.unrecorded_kits == {}
    assert window.notice.kind == "warning" and "cannot open that study" in window.notice.text()
    assert kept_file().read_text(encoding="utf-8") == kept


# -- kept in step with the session: a crash loses none -------------------------------------


def crash(desk: Desk) -> None:
    """The program killed: its window gone without its close path (no question, no sign-out,
    nothing taken out of the session and kept), what it held in memory gone with it."""
    window = desk.window
    assert window is not None
    window.session.on_waiting_changed = None  # nothing of the dead process reaches the file
    window.session.unrecorded.clear()
    window.session.unrecorded_kits.clear()
    window.hide()
    if desk.backup is not None:
        desk.backup.wait()
    for watch in (desk.watcher, desk.account_watch):
        if watch is not None:
            watch.detach()


def kept_rows() -> list[dict[str, Any]]:
    if not kept_file().exists():
        return []
    return list(json.loads(kept_file().read_text(encoding="utf-8"))["prints"])


def refused_kit_labels(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> ReceiveScreen:
    """SH-801 received on the signed-in window's Receive screen, its kit labels printed (on a
    file printer), their record refused."""
    RefusedOnce(monkeypatch)
    settings = window.session.settings
    stock = choose_stock(window.session.ctx.study, settings).name
    settings.printers[stock] = f"{FILE_PRINTER}{tmp_path / 'kit-labels.pdf'}"
    screen = received(qtbot, window)
    printed_unrecorded(qtbot, screen, tmp_path)
    return screen


def record_on_receive(qtbot: QtBot, window: MainWindow) -> None:
    """Record the print pressed on the Receive screen."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    screen = window.current_screen()
    assert isinstance(screen, ReceiveScreen)
    assert screen.labels_button.text().replace("&", "") == "Record the print"
    qtbot.mouseClick(screen.labels_button, Qt.MouseButton.LeftButton)
    assert screen.unrecorded is None, screen.message.text()


def test_a_print_that_starts_waiting_is_in_the_file_at_once_and_survives_a_crash(
    qtbot: QtBot,
    counter: Counter,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The kit labels' record refused mid-session: the workstation's file has the print at
    once; the program killed before it is recorded, the pharmacist's next sign-in offers it;
    recorded then, the file no longer holds it."""
    other = counter.actor("tech")
    elsewhere = label_prints.PrintPlan(LabelKind.KIT, ("K0009",), False)
    study = counter.ctx.study_id
    store_kept(counter.ctx.database, other, ({}, {study: elsewhere}, {study: counter.ctx}))
    window = sign_in(qtbot, desk, "pharm")
    refused_kit_labels(qtbot, window, tmp_path, monkeypatch)
    mine = [r for r in kept_rows() if r["username"] == "pharm"]
    assert [(r["kind"], r["items"], r["key"]) for r in mine] == [("kit", KITS, None)]
    crash(desk)

    again = new_desk(qtbot, counter)
    window = sign_in(qtbot, again, "pharm")
    [kept] = window.session.unrecorded_kits.values()
    assert list(kept.items) == KITS
    assert window.notice.kind == "warning" and "K0801" in window.notice.text()
    assert len([r for r in kept_rows() if r["username"] == "pharm"]) == 1  # never twice
    record_on_receive(qtbot, window)
    assert recorded(counter) == KITS
    assert [r["username"] for r in kept_rows()] == ["tech"]  # another user's, untouched
    window.quit()  # nothing left to ask
    assert not window.isVisible()
    again.close_database()


def test_a_print_offered_at_sign_in_stays_in_the_file_until_recorded(
    qtbot: QtBot, counter: Counter, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kept for the pharmacist, offered at their sign-in, not yet recorded when the program is
    killed: the next sign-in offers it again (once); recorded, the file no longer holds it."""
    pharm = counter.actor("pharm")
    plan = label_prints.plan_print(counter.ctx, pharm, "kit", ["K0001"])
    study = counter.ctx.study_id
    store_kept(counter.ctx.database, pharm, ({}, {study: plan}, {study: counter.ctx}))
    window = sign_in(qtbot, desk, "pharm")
    assert [p.items for p in window.session.unrecorded_kits.values()] == [("K0001",)]
    assert len(kept_rows()) == 1  # offered, not taken out
    crash(desk)

    again = new_desk(qtbot, counter)
    window = sign_in(qtbot, again, "pharm")
    [kept] = window.session.unrecorded_kits.values()
    assert kept.items == ("K0001",) and "K0001" in window.notice.text()
    assert len(kept_rows()) == 1
    record_on_receive(qtbot, window)
    rows = audit.list_entries(counter.ctx, counter.actor("admin"), action="label_printed")
    assert [json.loads(r.new)["items"] for r in rows] == [["K0001"]]
    assert not kept_file().exists()  # the only print waiting, recorded
    window.quit()
    assert not window.isVisible()
    again.close_database()


def test_a_print_discarded_at_sign_out_leaves_the_file(
    qtbot: QtBot, counter: Counter, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discarded through the question as the session ends (in the audit trail): out of the
    file, never offered again."""
    window = sign_in(qtbot, desk, "pharm")
    refused_kit_labels(qtbot, window, tmp_path, monkeypatch)
    assert len(kept_rows()) == 1
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Discard the record"))
    window.sign_out()
    assert len(seen) == 1 and [items for _w, items, _why in discarded(counter)] == [KITS]
    assert not kept_file().exists()
    window = sign_in(qtbot, desk, "pharm")
    assert window.session.unrecorded_kits == {} and window.notice.text() == ""


def test_a_file_that_cannot_take_a_print_starting_to_wait_is_said(
    qtbot: QtBot, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = sign_in(qtbot, desk, "pharm")
    kept_file().parent.mkdir(parents=True, exist_ok=True)
    kept_file().mkdir()  # a folder where the file goes: it cannot be read nor written
    screen = refused_kit_labels(qtbot, window, tmp_path, monkeypatch)
    assert screen.unrecorded is not None  # still waits, in the session
    assert window.notice.kind == "error" and "cannot be written" in window.notice.text()
    window.grab().save(str(tmp_path / "file-not-written.png"))
    kept_file().rmdir()
    seen: list[QMessageBox] = []
    answer(qtbot, seen, button("Record now"))
    window.quit()
    assert len(seen) == 1 and not window.isVisible()
