"""A window's line that quotes a database or file fault says what to do before the fault's
technical detail (the system's own words), which stays last: the day's automatic backup that
failed read 'failed: ...（[Errno 5] Input/output error）。。请从命令行进行备份。'; a label out
whose record a disk error refused read '...技术细节：disk I/O error数据库恢复后请按...'."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from dispensary.db.faults import sqlite_fault
from dispensary.db.sqlite_backup import file_fault
from dispensary.i18n import Language, _
from dispensary.services import backup
from dispensary.ui.label_preview import _not_recorded
from dispensary.ui.sign_in import BackupThread
from dispensary.ui.translations import install_language


def _said(monkeypatch: pytest.MonkeyPatch, folder: Path, failure: Exception) -> tuple[str, bool]:
    def failing(*_args: Any, **_kwargs: Any) -> None:
        raise failure

    monkeypatch.setattr(backup, "automatic_backup", failing)
    seen: list[tuple[str, bool]] = []
    thread = BackupThread(None, None, folder, 3)  # type: ignore[arg-type]  # never used here
    thread.done.connect(lambda text, failed: seen.append((text, failed)))
    thread.run()  # in this thread: what it emits is seen at once
    [said] = seen
    return said


@pytest.mark.parametrize("lang", [Language.ZH_CN, Language.EN])
def test_a_failed_automatic_backup_says_what_to_do_before_the_technical_detail(
    lang: Language, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert install_language(lang)
    try:
        where = _("the backup {path}").format(path=tmp_path / "b.sqlite3")
        refused = file_fault(OSError(errno.EIO, "Input/output error"), where)
        fault, failed = _said(monkeypatch, tmp_path, refused)
        raw, raw_failed = _said(monkeypatch, tmp_path, OSError(errno.EIO, "Input/output error"))
    finally:
        install_language(Language.EN)
    assert failed and raw_failed
    if lang is Language.ZH_CN:
        assert fault == (
            f"自动备份失败：无法写入备份 {tmp_path / 'b.sqlite3'}。请检查磁盘和文件夹，然后重试。"
            "请从命令行进行备份。技术细节：[Errno 5] Input/output error"
        )
        assert raw == "自动备份失败。请从命令行进行备份。技术细节：Input/output error"
    else:
        assert fault == (
            f"The automatic backup failed: Could not write the backup {tmp_path / 'b.sqlite3'}. "
            "Check the disk and the folder, then try again. Make a backup from the command line. "
            "Technical detail: [Errno 5] Input/output error"
        )
        assert raw == (
            "The automatic backup failed. Make a backup from the command line. Technical detail: "
            "Input/output error"
        )


@pytest.mark.parametrize("lang", [Language.ZH_CN, Language.EN])
def test_a_label_out_whose_record_a_disk_error_refused_says_what_to_do_before_the_detail(
    lang: Language, qtbot: QtBot
) -> None:
    assert install_language(lang)
    try:
        refused = sqlite_fault(sqlite3.OperationalError("disk I/O error"), "/srv/p.sqlite3", None)
        assert refused is not None
        said = _not_recorded("Label sent to Zebra.", refused)
    finally:
        install_language(Language.EN)
    if lang is Language.ZH_CN:
        assert said.startswith("Label sent to Zebra.未记入稽查轨迹：无法读写 /srv/p.sqlite3：")
        assert said.endswith(
            "数据库恢复后请按“记录此次打印”（标签不会再次打印）。技术细节：disk I/O error"
        ), said
    else:
        assert said.startswith("Label sent to Zebra. Not recorded in the audit trail: ")
        assert said.endswith(
            "Press Record the print once the database is back (the label is not printed "
            "again). Technical detail: disk I/O error"
        ), said
