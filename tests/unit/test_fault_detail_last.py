"""The system's own words for a fault (SQLite's, the operating system's, a database server's) are
not translated: they follow the sentence in the reader's words as its technical detail, last,
never in its middle ('无法读写 X（磁盘错误：disk I/O error）'). A message that quotes a fault
and says more after it keeps that detail last (files.before_detail).
tests/reliability/test_fault_messages.py makes the real faults."""

from __future__ import annotations

import errno
import sqlite3
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from dispensary.db import faults, sqlite_backup
from dispensary.domain.errors import DatabaseProblem, ReadOnlyDatabase
from dispensary.files import before_detail, with_detail, write_error_text
from dispensary.i18n import Language, _, speaking

ZH = Language.ZH_CN
DB = "/srv/pharmacy/dispensary.sqlite3"
URL = "postgresql+psycopg://dispensary@db.example/pharmacy"


def test_the_detail_follows_the_sentence_and_stays_last_when_more_is_said() -> None:
    with speaking(ZH):
        said = with_detail("无法打开 X。请检查路径。", "unable to open database file")
        assert said == "无法打开 X。请检查路径。技术细节：unable to open database file"
        assert before_detail(said, "请加上 --force。") == (
            "无法打开 X。请检查路径。请加上 --force。技术细节：unable to open database file"
        )
        assert with_detail("无法打开 X。", " ") == "无法打开 X。", "no detail, no label"
    said = with_detail("X cannot be opened. Check the path.", "unable to open\ndatabase file")
    assert (
        said == "X cannot be opened. Check the path. Technical detail: unable to open database file"
    )
    assert before_detail(said, "Add --force.") == (
        "X cannot be opened. Check the path. Add --force. Technical detail: unable to open "
        "database file"
    )
    assert before_detail("Nothing was changed.", "Add --force.") == (
        "Nothing was changed. Add --force."
    )


def test_a_file_sqlite_cannot_open_and_a_disk_error_are_said_then_sqlites_words() -> None:
    cannot_open = sqlite3.OperationalError("unable to open database file")
    disk_error = sqlite3.OperationalError("disk I/O error")
    with speaking(ZH):
        opened = faults.sqlite_fault(cannot_open, DB, None)
        disk = faults.sqlite_fault(disk_error, DB, None)
    assert opened is not None and disk is not None
    assert opened.message == (
        f"无法打开 {DB}。未保存任何内容。请检查路径，并确认此账户可以读写该文件及其文件夹。"
        "技术细节：unable to open database file"
    )
    assert disk.message == (
        f"无法读写 {DB}：磁盘报告了错误。未保存任何内容。请检查磁盘或网络驱动器，然后重试；"
        "如果问题反复出现，请先请人检查磁盘，再考虑恢复任何备份。技术细节：disk I/O error"
    )
    english = faults.sqlite_fault(disk_error, DB, None)
    assert english is not None and english.message == (
        f"{DB} could not be read or written: the disk reported an error. Nothing was saved. "
        "Check the disk or network drive, then try again; if it keeps happening, have it checked "
        "before restoring anything. Technical detail: disk I/O error"
    )


class _ServerError(Exception):
    """A driver's error as psycopg raises it: the server's SQLSTATE and its (English) words."""

    def __init__(self, words: str, sqlstate: str) -> None:
        super().__init__(words)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "words", "chinese"),
    [
        (
            "53100",
            'could not extend file "base/16384/2619": No space left',
            "数据库服务器的磁盘已满",
        ),
        ("25006", "cannot execute INSERT in a read-only transaction", "只允许此连接读取"),
        ("XX001", "invalid page in block 4 of relation base/16384/2619", "中的数据已损坏"),
        ("28P01", 'password authentication failed for user "dispensary"', "拒绝了"),
        ("3D000", 'database "pharmacy" does not exist', "数据库服务器上没有此数据库"),
        ("57P03", "the database system is starting up", "无法连接"),
    ],
    ids=["disk_full", "read_only", "damaged", "password", "no_database", "not_now"],
)
def test_a_servers_fault_is_said_in_chinese_then_the_servers_words(
    sqlstate: str, words: str, chinese: str
) -> None:
    error: Any = OperationalError("SELECT 1", {}, _ServerError(words, sqlstate))
    with speaking(ZH):
        problem = faults.server_fault(error, URL)
    assert isinstance(problem, DatabaseProblem)
    said, mark, detail = problem.message.partition("技术细节：")
    assert mark and detail == words, problem.message
    assert chinese in said and words not in said, problem.message
    english = faults.server_fault(error, URL)
    assert english is not None and english.message.endswith(f". Technical detail: {words}")
    assert f"({words})" not in english.message


def test_a_file_the_program_cannot_use_is_said_then_the_systems_words() -> None:
    other = OSError(errno.ENOTDIR, "Not a directory")
    with speaking(ZH):
        written = write_error_text(other, "/srv/reports/DARF.pdf")
        backup = sqlite_backup.file_fault(
            OSError(errno.EIO, "Input/output error"), _("the backup {path}").format(path="/b/x")
        )
        denied = sqlite_backup.file_fault(
            OSError(errno.EACCES, "Permission denied"), _("the backup {path}").format(path="/b/x")
        )
    assert written == (
        "无法写入 /srv/reports/DARF.pdf。未保存任何内容。请检查文件夹，并确认该文件未在其他程序中"
        "打开。技术细节：Not a directory"
    )
    assert backup.message == (
        "无法写入备份 /b/x。请检查磁盘和文件夹，然后重试。技术细节：[Errno 5] Input/output error"
    )
    assert isinstance(denied, ReadOnlyDatabase)
    assert denied.message == (
        "此账户无权写入备份 /b/x。请检查该文件夹的权限，然后重试。技术细节：Permission denied"
    )
    english = sqlite_backup.file_fault(
        OSError(errno.EACCES, "Permission denied"), _("the backup {path}").format(path="/b/x")
    )
    assert english.message == (
        "This account may not write the backup /b/x. Check the folder's permissions, then try "
        "again. Technical detail: Permission denied"
    )
