"""Set-up, settings and accounts as a reviewer found them: the lock screen opaque of itself,
the Settings screen refusing particulars another open study's label cannot hold, a study file
saved by Windows Notepad (UTF-8 with a byte-order mark) read as the command reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, answer_reason, signed_in
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from dispensary.services import first_run, pharmacy, studies
from dispensary.ui.settings_view import SettingsScreen
from dispensary.ui.sign_in import LOCK_BACKGROUND
from tight_labels import two_drug_text


def test_the_lock_screen_hides_the_records_without_the_style_sheet(
    qtbot: Any, place: Pharmacy
) -> None:
    """resources/style.qss missing (apply_style then does nothing): the lock screen paints
    its own background, so a grab of the locked window shows nothing of the records."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    kept = app.styleSheet()
    app.setStyleSheet("")
    try:
        desk = signed_in(qtbot, place, "pharm")
        window = desk.window
        assert window is not None
        window.resize(1100, 700)
        desk.lock(by_hand=True)
        screen = desk.lock_screen
        assert screen is not None
        QApplication.processEvents()
        picture = window.grab().toImage()
        form = screen.form.geometry()
        lock = QColor(LOCK_BACKGROUND).rgb()
        outside = [
            QPoint(x, y)
            for x in range(5, window.width() - 5, 37)
            for y in range(5, window.height() - 5, 29)
            if not form.adjusted(-8, -8, 8, 8).contains(screen.mapFrom(window, QPoint(x, y)))
        ]
        assert outside
        shown = [p for p in outside if picture.pixel(p) != lock]
        assert not shown, f"{len(shown)} of {len(outside)} points show the window beneath"
    finally:
        app.setStyleSheet(kept)


def test_the_status_bar_keeps_the_backup_file_name_in_view_and_the_whole_path_in_its_tooltip(
    qtbot: Any, place: Pharmacy
) -> None:
    desk = signed_in(qtbot, place, "pharm")
    window = desk.window
    assert window is not None
    folder = "/srv/pharmacy/records/dispensary/backups/" + "long-folder-name/" * 6
    line = f"Today's backup saved: {folder}pharmacy-20260126T090000.sqlite3"
    qtbot.waitUntil(lambda: "backup saved" in window.backup_label.text())  # the day's own
    window.show_backup(line)
    window.resize(1366, 768)
    QApplication.processEvents()
    label = window.backup_label
    shown = label.shown_text()
    assert label.toolTip() == line and label.text() == line
    assert "…" in shown and len(shown) < len(line), shown
    assert shown.startswith("Today's backup") and shown.endswith("0000.sqlite3"), shown
    assert label.geometry().right() <= window.statusBar().width()


LONG_ADDRESS = ("No. 127 Dongming Road, Jinshui District " * 2)[:80]
"""Fits a dispensing label of NCT07198672 on the 4 x 2 inch roll, not one of DEMO-2DRUG."""


def _notepad(folder: Path, name: str) -> Path:
    """A bundled study file as Windows Notepad saves it: UTF-8 with a byte-order mark."""
    bundled = first_run.bundled_study_files()[0].parent / name
    copy = folder / name
    copy.write_bytes(b"\xef\xbb\xbf" + bundled.read_bytes())
    return copy


def test_settings_refuse_particulars_another_open_studys_label_cannot_hold(
    qtbot: Any, place: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The study open holds the address; DEMO-2DRUG, also open, does not: the screen shows
    the service's refusal naming it, before a reason is asked, and nothing is saved."""
    admin = place.actor("admin")
    studies.add_study(place.ctx, admin, two_drug_text(), "DEMO-2DRUG.toml", "second study")
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    prompts = answer_reason(monkeypatch, "moved office")
    screen.name.setText("Zhengzhou Trial Pharmacy")
    screen.address.setText(LONG_ADDRESS)
    screen.phone.setText("+86 371 6558 7000")
    screen.change_particulars()
    said = screen.message.text()
    assert "DEMO-2DRUG would not fit" in said, said
    assert prompts == [] and pharmacy.particulars(place.ctx).name == ""


def test_the_studies_screen_and_the_wizard_read_a_study_file_saved_by_notepad(
    qtbot: Any, place: Pharmacy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dispensary.ui import setup_wizard, studies_view

    notepad = _notepad(tmp_path, "DEMO-28D-BID.toml")
    monkeypatch.setattr(studies_view.StudyFileDialog, "ask", classmethod(lambda cls, *a: notepad))
    answer_reason(monkeypatch, "a new study")
    desk = signed_in(qtbot, place, "admin")
    assert desk.window is not None
    screen = desk.window.show_screen(studies_view.StudiesScreen)
    assert isinstance(screen, studies_view.StudiesScreen)
    screen.add_study()
    assert "Study DEMO-28D-BID added" in screen.message.text(), screen.message.text()

    page = setup_wizard.StudiesPage()
    qtbot.addWidget(page)
    monkeypatch.setattr(setup_wizard.StudyFileChooser, "ask", classmethod(lambda cls, *a: notepad))
    page.add_file()
    assert [f.study.protocol for _box, f in page.boxes][-1:] == ["DEMO-28D-BID"]
    broken = tmp_path / "broken.toml"
    broken.write_text("[study]\nprotocol = 'X1'\n", encoding="utf-8")
    monkeypatch.setattr(setup_wizard.StudyFileChooser, "ask", classmethod(lambda cls, *a: broken))
    page.add_file()
    said = page.message.text()
    assert "then choose it again" in said and "start again" not in said, said


def test_the_next_sign_in_after_a_change_made_with_a_temporary_password_is_told(
    qtbot: Any, place: Pharmacy
) -> None:
    from dispensary.services import users

    users.reset_password(place.ctx, place.actor("admin"), "pharm", "set-by-admin-1", "forgot")
    temporary = users.sign_in(place.ctx, "pharm", "set-by-admin-1")  # the admin, say
    users.change_password(place.ctx, temporary, "set-by-admin-1", "chosen-by-admin-7")
    desk = signed_in(qtbot, place, "pharm", "chosen-by-admin-7")
    note = desk.password_note
    assert note is not None and note.isVisible()
    assert "temporary password that admin set on" in note.text(), note.text()
    note.close()
    desk.sign_out()
    again = signed_in(qtbot, place, "pharm", "chosen-by-admin-7")
    assert again.password_note is None  # told once


def test_the_window_says_a_database_whose_study_text_was_cut_short_was_altered(
    place: Pharmacy,
) -> None:
    """The workstation opens through the same service: the study named, a restore advised,
    never "correct the study file and start again" (no one holds the stored file)."""
    from dispensary.app import open_workstation
    from dispensary.domain.errors import DatabaseDamaged
    from tamper import edit_file

    place.ctx.engine.dispose()
    edit_file(place.path, "UPDATE study SET source_text = substr(source_text, 1, 40)")
    with pytest.raises(DatabaseDamaged) as refused:
        open_workstation(str(place.path), place.clock)
    said = refused.value.message
    assert f"the study file stored for study {place.study.protocol} no longer reads" in said
    assert "restores the last good backup" in said and "start again" not in said, said
