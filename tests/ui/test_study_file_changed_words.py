"""The refusal of a step for the study file updated since (study_file_changed) is the services'
words, shown by the window and printed by the command line alike: it said "press F5 to
reload", which means nothing to `dispensary enroll`, and gave the update's time in local time
with no zone. It names the update's time in UTC, as the other refusals give a time, and says
what to do at either front end.

A window never shows it: it reads the study again itself and says so (its own note). When the
study cannot be read again (the access taken away meanwhile, the account locked, the file in
force unreadable here), "reload the window (F5)" was wrong advice right after saying the study
could not be opened: the window says nothing was saved, why, and what to do instead."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import main_window, receipt_typed, scan

from dispensary.domain.errors import (
    DatabaseProblem,
    DispensaryError,
    NotPermitted,
    SessionLocked,
    StudyFileError,
)
from dispensary.services import studies
from dispensary.services.context import Actor, Context
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.screen import not_read_again


def refused_receipt(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> tuple[ReceiveScreen, str]:
    """The Receive screen refused for the study file updated since, the technician's access to
    the study taken away at another workstation before the window reads the study again."""
    screen = receipt_typed(qtbot, main_window(qtbot, counter.session("tech")))
    scan(qtbot, screen.scan_field, "K0701")
    admin = counter.actor("admin")
    text = counter.ctx.study.source_text
    amended = text.replace("Keep out of reach of children", "Keep away from children")
    studies.update_study(counter.ctx, admin, amended, "v2.toml", "amendment 2")
    switch = studies.switch_study

    def withdrawn_meanwhile(ctx: Context, actor: Actor, named: str) -> Context:
        studies.set_access(counter.ctx, admin, "tech", named, False, "moved to another site")
        return switch(ctx, actor, named)

    monkeypatch.setattr(studies, "switch_study", withdrawn_meanwhile)
    qtbot.mouseClick(screen.receive_button, Qt.MouseButton.LeftButton)
    return screen, " ".join(screen.message.text().split())


def test_a_study_not_read_again_is_said_with_what_to_do_not_reload(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen, said = refused_receipt(qtbot, counter, monkeypatch)

    assert screen.message.kind == "error"
    assert said.startswith(
        "Nothing was saved: the study file of NCT07198672 was updated after this window read "
        "it, and the window could not read the study again. tech has no study NCT07198672 to "
        "work in"
    ), said
    assert said.endswith(
        "Nothing more can be done in NCT07198672 from this window: once an administrator "
        "gives you access to it again, press F5 and do this again."
    ), said
    assert "reload the window (F5)" not in said and "run the command again" not in said
    assert screen.kits and screen.shipment.text() == "SH-077"  # as typed, nothing received


def test_a_study_not_read_again_is_said_in_chinese(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch, chinese: None
) -> None:
    screen, said = refused_receipt(qtbot, counter, monkeypatch)

    assert screen.message.kind == "error"
    assert said.startswith(
        "未保存任何内容：NCT07198672 的研究文件在本窗口读取后已更新，而本窗口无法重新读取该研究。"
        "tech 没有可工作的研究 NCT07198672"
    ), said
    assert said.endswith(
        "本窗口无法再在 NCT07198672 中进行任何操作：管理员重新为您开通该研究的访问权限后，"
        "请按 F5 再操作一次。"
    ), said
    assert "重新载入窗口（F5）" not in said and "重新运行命令" not in said


WHY: dict[str, tuple[Callable[[], DispensaryError], str]] = {
    # the refusal of reading the study again -> what the window adds (nothing: it says it)
    "locked": (lambda: SessionLocked("The window is locked: unlock it."), ""),
    "database": (lambda: DatabaseProblem("The database cannot be reached."), ""),
    "file": (
        lambda: StudyFileError("The study file is not valid."),
        "Close the window and tell the administrator: the study file now in force for "
        "NCT07198672 cannot be read at this workstation.",
    ),
    "other": (
        lambda: DispensaryError("Something else."),
        "Close the window and sign in again; if NCT07198672 still cannot be opened, tell the "
        "administrator.",
    ),
}


@pytest.mark.parametrize("why", list(WHY))
def test_what_to_do_is_worded_from_the_reason_shown(qapp: object, why: str) -> None:
    made, then = WHY[why]
    refusal = made()
    said = not_read_again("NCT07198672", refusal)
    lead = (
        "Nothing was saved: the study file of NCT07198672 was updated after this window read "
        "it, and the window could not read the study again."
    )
    assert said == " ".join(p for p in (lead, refusal.message, then) if p)
    assert "F5" not in said


def test_a_refusal_with_braces_is_shown_as_it_is(qapp: object) -> None:
    said = not_read_again("NCT07198672", NotPermitted("No study {study} here."))
    assert "No study {study} here." in said


def test_what_to_do_in_chinese(qapp: object, chinese: None) -> None:
    said = not_read_again("NCT07198672", StudyFileError("研究文件无效。"))
    assert said == (
        "未保存任何内容：NCT07198672 的研究文件在本窗口读取后已更新，而本窗口无法重新读取该研究。"
        "研究文件无效。请关闭窗口并告知管理员：本工作站无法读取 NCT07198672 现行的研究文件。"
    )
    said = not_read_again("NCT07198672", DispensaryError("出错了。"))
    assert said.endswith("请关闭窗口并重新登录；如仍无法打开 NCT07198672，请告知管理员。")
