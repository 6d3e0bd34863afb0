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
from detail_words import split_detail
from pytestqt.qtbot import QtBot

from dispensary.db.faults import sqlite_fault
from dispensary.db.sqlite_backup import file_fault
from dispensary.domain.errors import DatabaseBusy
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
            "下次登录时将再次尝试备份。请告知管理员。技术细节：[Errno 5] Input/output error"
        )
        assert (
            raw
            == "自动备份失败。下次登录时将再次尝试备份。请告知管理员。技术细节：Input/output error"
        )
    else:
        assert fault == (
            f"The automatic backup failed: Could not write the backup {tmp_path / 'b.sqlite3'}. "
            "Check the disk and the folder, then try again. It will be tried again at the next "
            "sign-in. Tell the administrator. Technical detail: [Errno 5] Input/output error"
        )
        assert raw == (
            "The automatic backup failed. It will be tried again at the next sign-in. Tell the "
            "administrator. Technical detail: Input/output error"
        )
    assert "command line" not in fault + raw, "a pharmacist has no command line"


def test_an_automatic_backup_kept_unrecorded_is_said_as_kept_not_as_failed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The copy is kept (services.backup.BackupNotRecorded): "The automatic backup failed"
    before "...was copied to PATH and kept" would say both."""
    kept = backup.BackupNotRecorded(
        "Today's automatic backup was copied to X and kept, but the audit trail could not "
        "record it.",
        "X",
        DatabaseBusy("busy"),
    )
    said, failed = _said(monkeypatch, tmp_path, kept)
    assert failed, "shown as a problem to act on"
    assert said == kept.message


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


OPENING_FAULT = {
    Language.EN: "The database could not be opened: an error the program does not know stopped "
    "it. Start Dispensary again; if it keeps failing, tell the administrator.",
    Language.ZH_CN: "无法打开数据库：一个程序无法识别的错误使其中止。请重新启动 Dispensary；如仍失败，"
    "请告知管理员。",
}


@pytest.mark.parametrize("lang", [Language.ZH_CN, Language.EN])
def test_an_opening_an_unexpected_error_stopped_says_what_to_do_before_the_detail(
    lang: Language, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The start's opening thread, stopped by an error no fault names: the window's message
    was 'Unexpected error (KeyError: ...).', in English whatever the language."""
    from dispensary import app as gui

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise KeyError("studies")

    monkeypatch.setattr(gui, "open_workstation", broken)
    seen: list[tuple[str, int]] = []
    opener = gui.DatabaseOpener(str(tmp_path / "p.sqlite3"), False)
    opener.failed.connect(lambda text, code: seen.append((text, code)))
    assert install_language(lang)
    try:
        opener.run()  # in this thread: what it emits is seen at once
    finally:
        install_language(Language.EN)
    [(said, code)] = seen
    assert code == 1
    sentence, detail = split_detail(said, lang)
    assert sentence == OPENING_FAULT[lang]
    assert detail == "KeyError: 'studies'"


@pytest.mark.parametrize("lang", [Language.ZH_CN, Language.EN])
def test_a_study_file_the_set_up_cannot_read_says_what_to_do_before_the_detail(
    lang: Language, qtbot: QtBot, tmp_path: Path
) -> None:
    """The set-up's study file chosen by hand: a folder, and a file saved in GBK; Python's words
    were in brackets mid-sentence."""
    from dispensary.domain.errors import StudyFileError
    from dispensary.services.first_run import read_study_file

    folder = tmp_path / "study.toml"
    folder.mkdir()
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('[study]\ntitle = "研究"\n'.encode("gbk"))
    assert install_language(lang)
    try:
        refusals = []
        for path in (folder, gbk):
            with pytest.raises(StudyFileError) as refused:
                read_study_file(path)
            refusals.append(split_detail(refused.value.message, lang))
    finally:
        install_language(Language.EN)
    (unread, os_words), (not_utf8, codec_words) = refusals
    if lang is Language.ZH_CN:
        assert unread == (
            f"无法读取研究文件 {folder}。请确认该文件仍在原处且此账户有权打开它，然后重新选择该文件。"
        )
        assert not_utf8 == (
            f"研究文件 {gbk} 不是 UTF-8 文本。请确认它是该研究的 .toml 文件并以 UTF-8 保存，"
            "然后重新选择该文件。"
        )
    else:
        assert unread == (
            f"The study file {folder} cannot be read. Check that it is still there and that "
            "this account may open it, then choose it again."
        )
        assert not_utf8 == (
            f"The study file {gbk} is not text in UTF-8. Check that it is the study's .toml "
            "file, saved as UTF-8, then choose it again."
        )
    assert os_words == "Is a directory"
    assert "codec can't decode byte" in codec_words
