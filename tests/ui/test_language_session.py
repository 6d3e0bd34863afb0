"""Issue 13: the windows open in the signed-in user's own language; the workstation's before."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from dispensary import app as gui
from dispensary.app import Desk, Workstation
from dispensary.config import Settings
from dispensary.i18n import Language, system_language
from dispensary.services import users
from dispensary.ui.sign_in import SignInWindow
from dispensary.ui.translations import install_language, installed_language


@pytest.fixture
def english_after() -> Iterator[None]:
    yield
    install_language(Language.EN)


def test_the_workstation_language_comes_from_the_locale() -> None:
    assert system_language({"LANG": "zh_CN.UTF-8"}) is Language.ZH_CN
    assert system_language({"LC_ALL": "zh_TW.UTF-8"}) is Language.EN  # not Simplified
    assert system_language({"LANG": "C"}) is Language.EN
    assert system_language({"DISPENSARY_LANG": "zh-Hans", "LANG": "en_GB"}) is Language.ZH_CN
    assert gui.parse_arguments(["--lang", "zh_CN"]).lang is Language.ZH_CN
    with pytest.raises(SystemExit):
        gui.parse_arguments(["--lang", "fr"])


def test_a_user_who_chose_chinese_gets_the_main_window_in_chinese(
    qtbot: QtBot, counter: Counter, english_after: None
) -> None:
    pharm = counter.actor("pharm")
    chosen = users.set_language(counter.ctx, pharm, "zh_CN")
    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    desk = Desk(Workstation(counter.ctx, Settings()), window)
    main = desk.start_session(chosen)
    qtbot.addWidget(main)
    if desk.backup is not None:
        desk.backup.wait()
    assert installed_language() is Language.ZH_CN
    assert QLocale().name() == "zh_CN"


def test_a_user_who_chose_nothing_keeps_the_sign_in_windows_language(
    qtbot: QtBot, counter: Counter, english_after: None
) -> None:
    window = SignInWindow(counter.ctx.database)
    qtbot.addWidget(window)
    desk = Desk(Workstation(counter.ctx, Settings()), window)
    main = desk.start_session(counter.actor("pharm"))
    qtbot.addWidget(main)
    if desk.backup is not None:
        desk.backup.wait()
    assert installed_language() is Language.EN
