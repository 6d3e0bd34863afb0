"""Review s12 of the Backups screen: the State column's words were cut at the column's edge at
1366x768 (the copy kept as evidence said why whole only on hover): they go onto more lines now;
a copy no audit entry records was listed at its file's time as if recorded: said so now; and F5
pressed in the Reason switched it off while the list was read, the cursor going elsewhere."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from back_office_fixtures import Pharmacy
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window, shoot, shown

from dispensary.i18n import ENGLISH, Language
from dispensary.services import audit, backup
from dispensary.services.backup import BROKEN_MARK, BackupState
from dispensary.ui.backups_view import STATE, BackupsScreen
from tamper import edit_file

FILE_TIME = {ENGLISH: "(file's time)", Language.ZH_CN: "（文件时间）"}


def read(qtbot: QtBot, screen: BackupsScreen) -> None:
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.checking)


def broken_trail(pharmacy: Pharmacy) -> None:
    database = pharmacy.ctx.engine.url.database
    assert database
    edit_file(database, "UPDATE kits SET tablets = tablets + 3 WHERE id = 1")
    assert not audit.verify(pharmacy.ctx, pharmacy.session("admin").actor).ok


def test_the_state_reads_whole_at_1366x768(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, tmp_path: Path, styled: None
) -> None:
    """Each state's words fit their cell, over as many lines as they need (none cut)."""
    session = pharmacy.session("admin")
    backup.backup(pharmacy.ctx, session.actor, tmp_path / "backups" / "good.sqlite3")
    broken_trail(pharmacy)
    backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    screen = BackupsScreen(session)
    shown(qtbot, screen)  # 1366x768
    read(qtbot, screen)
    assert {r.state for r in screen.model.rows} >= {BackupState.CHAIN_BROKEN}
    shoot(screen, f"backups-state-whole-{language.value}")
    table = screen.table
    width = table.columnWidth(STATE) - 8  # the cell's margins
    assert table.columnViewportPosition(STATE) + table.columnWidth(STATE) <= table.width()
    for row in range(screen.proxy.rowCount()):
        text = str(screen.proxy.index(row, STATE).data())
        needs = table.fontMetrics().boundingRect(
            QRect(0, 0, width, 10_000), Qt.TextFlag.TextWordWrap, text
        )
        assert needs.width() <= width and needs.height() <= table.rowHeight(row), (
            text,
            needs,
            width,
            table.rowHeight(row),
        )


def test_a_copy_no_entry_records_is_listed_at_its_file_s_time_said_so(
    qtbot: QtBot, pharmacy: Pharmacy, language: Language, tmp_path: Path
) -> None:
    """An evidence copy in the backup folder whose audit entry could not be written is found
    by its name, at the time its file was last changed: the Written column says it is the
    file's time, and why on hover; a recorded backup's time is said as before."""
    session = pharmacy.session("admin")
    daily = backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    assert daily is not None
    stem = Path(str(pharmacy.ctx.engine.url.database)).stem
    found = Path(daily.path).with_name(f"{stem}-2026-02-27T101500{BROKEN_MARK}.sqlite3")
    shutil.copyfile(daily.path, found)
    changed = datetime(2026, 2, 27, 10, 15, tzinfo=UTC).timestamp()
    os.utime(found, (changed, changed))
    screen = BackupsScreen(session)
    shown(qtbot, screen)
    read(qtbot, screen)
    rows = {r.path: r for r in screen.model.rows}
    assert rows[str(found)].file_time and not rows[daily.path].file_time
    assert screen.select(str(found))
    row = screen.table.currentIndex().row()
    written = str(screen.proxy.index(row, 0).data())
    assert written.endswith(FILE_TIME[language]), written
    tip = str(screen.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole))
    assert tip and tip != written
    assert screen.select(daily.path)
    row = screen.table.currentIndex().row()
    assert FILE_TIME[language] not in str(screen.proxy.index(row, 0).data())
    assert screen.proxy.index(row, 0).data(Qt.ItemDataRole.ToolTipRole) is None


@pytest.mark.parametrize("language", [ENGLISH], ids=lambda lang: lang.value)
def test_f5_in_the_reason_leaves_the_cursor_and_the_reason_there(
    qtbot: QtBot, pharmacy: Pharmacy, tmp_path: Path, language: Language
) -> None:
    """F5 pressed while typing the reason: the list is read again, the cursor stays in the
    Reason (it was switched off meanwhile: the cursor went to the next control), the reason
    typed kept, the command for it shown again once the list is back."""
    session = pharmacy.session("admin")
    daily = backup.automatic_backup(pharmacy.ctx, session.actor, tmp_path / "backups")
    assert daily is not None
    window = main_window(qtbot, session)
    screen = go_to(window, BackupsScreen)
    qtbot.waitUntil(lambda: not screen.checking and bool(screen.model.rows))
    window.activateWindow()
    qtbot.waitUntil(lambda: QGuiApplication.focusWindow() is window.windowHandle())
    screen.reason.setFocus()
    qtbot.waitUntil(screen.reason.hasFocus)
    qtbot.keyClicks(screen.reason, "damaged")
    assert daily.path in screen.command.toPlainText()
    qtbot.keyClick(screen.reason, Qt.Key.Key_F5)
    assert screen.checking or screen.reader is None
    qtbot.waitUntil(lambda: not screen.checking, timeout=20000)
    qtbot.wait(20)
    assert screen.reason.hasFocus(), QGuiApplication.focusObject()
    assert screen.reason.text() == "damaged"
    assert daily.path in screen.command.toPlainText()
