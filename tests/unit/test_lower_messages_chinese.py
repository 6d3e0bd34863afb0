"""The layers under the services tell a fault in the reader's language (issue 13): a damaged or
locked database, a full disk, a read-only folder, a name no file may have. In English otherwise,
word for word as before; the path and the driver's own words are shown as they are."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from dispensary.db import faults
from dispensary.db.engine import checked_url
from dispensary.domain.codes import SignatureMeaning
from dispensary.domain.errors import DatabaseBusy, DatabaseDamaged, DatabaseProblem, DiskFull
from dispensary.files import NOTHING_SAVED, path_refusal, write_error_text
from dispensary.i18n import Language, speaking
from dispensary.labels.catalogue import label
from dispensary.labels.stock import Calibration, get_stock

ZH = Language.ZH_CN
DB = "/srv/pharmacy/dispensary.sqlite3"


def _damaged() -> DatabaseProblem | None:
    return faults.sqlite_fault(sqlite3.DatabaseError("database disk image is malformed"), DB, None)


def test_a_damaged_database_is_told_in_chinese() -> None:
    with speaking(ZH):
        chinese = _damaged()
    assert isinstance(chinese, DatabaseDamaged)
    assert chinese.message == (  # SQLite's English only as the technical detail, at the end
        f"{DB} 已损坏：文件的一部分无法作为数据库读取。未做任何更改。"
        "请恢复最近一次备份（dispensary restore，或联系管理员：见管理员指南中的“备份与恢复演练”）。"
        "技术细节：database disk image is malformed"
    )
    with speaking(Language.EN):
        english = _damaged()
    assert english is not None
    assert english.message == (
        f"{DB} is damaged: part of the file cannot be read as a database. Nothing was changed. "
        'Restore the last backup (dispensary restore, or ask the administrator: see "Backups and '
        "a restore drill\" in the administrator's guide). Technical detail: database disk image "
        "is malformed"
    )


def test_a_full_disk_and_a_locked_database_keep_the_records_safe_in_chinese() -> None:
    with speaking(ZH):
        full = faults.sqlite_fault(sqlite3.OperationalError("database or disk is full"), DB, None)
        busy = faults.sqlite_fault(
            sqlite3.OperationalError("database is locked"), DB, None, waited_ms=15_000
        )
    assert isinstance(full, DiskFull)
    assert full.message.startswith(f"存放 {DB} 的磁盘已满。未保存任何内容。请清理")
    assert full.message.endswith("已保存的记录完好无损：请勿恢复备份。")
    assert isinstance(busy, DatabaseBusy)
    assert busy.message == (
        "数据库正忙：另一台工作站正在写入，请稍后重试。本工作站已等待 15 秒。未保存任何内容。"
    )


def test_a_file_the_program_cannot_write_is_told_in_chinese(tmp_path: Path) -> None:
    target = tmp_path / "DARF.pdf"
    with speaking(ZH):
        full = write_error_text(OSError(errno.ENOSPC, "No space left on device"), target)
        denied = faults.file_fault(OSError(errno.EACCES, "Permission denied"), target)
        read_only = write_error_text(OSError(errno.EROFS, "Read-only file system"), target)
    assert full == f"磁盘已满：无法写入 {target}。未保存任何内容。请清理一些空间，然后重试。"
    assert denied.message == (  # the system's English only as the technical detail, at the end
        f"此账户无权使用 {target}。未做任何更改。请联系此计算机的管理人员，为您的账户授予该文件"
        "及其文件夹的读写权限。已保存的记录完好无损：请勿恢复备份。技术细节：Permission denied"
    )
    assert read_only == f"{target} 位于只读磁盘上。未保存任何内容。请选择另一磁盘上的文件夹。"
    english = write_error_text(OSError(errno.ENOSPC, "No space left on device"), target)
    assert english == (
        f"The disk is full: {target} could not be written. Nothing was saved. Free some space, "
        "then try again."
    )
    assert NOTHING_SAVED == "Nothing was saved."  # the constant stays English: said translated


def test_a_name_no_file_may_have_and_a_url_of_no_database_are_refused_in_chinese() -> None:
    with speaking(ZH):
        refusal = path_refusal("report\0.pdf")
        with pytest.raises(DatabaseProblem) as not_a_database:
            checked_url("mysql://server/pharmacy")
    assert refusal is not None and refusal.startswith("“report\\x00.pdf”含有 NUL 字节")
    assert not_a_database.value.message.startswith("“mysql://server/pharmacy”是 mysql URL")


def test_a_signature_meaning_is_shown_in_chinese_and_stored_in_english() -> None:
    with speaking(ZH):
        assert SignatureMeaning.RECONCILIATION_SIGNED_OFF.shown == "对账已签核"
        assert SignatureMeaning.RETURN_COUNTED.shown == "退药已清点"
    assert SignatureMeaning.RECONCILIATION_SIGNED_OFF.value == "reconciliation signed off"
    assert SignatureMeaning.RECONCILIATION_SIGNED_OFF.shown == "reconciliation signed off"


def test_label_titles_and_stocks_are_shown_in_chinese() -> None:
    from dispensary.i18n import _

    stock = get_stock("a4-sheet")
    with speaking(ZH):
        assert _(label("shipment").title) == "货件的药盒标签"
        assert stock.shown == "A4 标签纸，每张 10 枚 99.1 x 57 毫米标签，L7173 版式"
        assert Calibration(1.0, -0.5, 1.0).text == "偏移 x +1.0 毫米，y -0.5 毫米，缩放 1.000"
    assert stock.description == stock.shown == "A4 sheet, 10 labels of 99.1 x 57 mm (L7173 layout)"
