"""A study file updated while windows are open reaches the screens they already built. They
kept the old file: a pharmacist's window at another workstation worked on with the context it
read at sign-in (the old dose names in the Dispense screen's list, the old directions on the
dispensing label) until restarted; the administrator's own window took the new context, but
the screens built before kept what they had built from the old file (the title in the status
bar too). Now the window opens the study again with the new file, as a switch of study does,
when it reads the user's studies (each screen chosen, F5) and finds a newer version, and at
once after "Update study file…" on its own Studies screen."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from back_office_fixtures import answer_reason
from counter_fixtures import Counter, Printer, Signatures
from pypdf import PdfReader
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from window_helpers import dispense_kits_to_pick, main_window, shoot

from dispensary.i18n import ENGLISH, Language
from dispensary.services import studies
from dispensary.ui.dispense_view import DispenseScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow
from dispensary.ui.session import AppSession
from dispensary.ui.studies_view import StudiesScreen, StudyFileDialog

OLD_DOSE = {ENGLISH: "5 mg once daily (reduced)", Language.ZH_CN: "5 mg，每日一次（减量）"}
NEW_DOSE = {
    ENGLISH: "5 mg once daily (first reduction)",
    Language.ZH_CN: "5 mg，每日一次（首次减量）",
}
OLD_DIRECTIONS = "once daily in the evening, on an empty stomach"
NEW_DIRECTIONS = "once daily at bedtime, on an empty stomach"
OLD_TITLE = {
    ENGLISH: "Primary Prevention of Thrombocytopenia Associated With T-DM1 Therapy",
    Language.ZH_CN: "海曲泊帕一级预防HER2阳性乳腺癌T-DM1治疗相关血小板减少症",
}
NEW_TITLE = {
    ENGLISH: "Prevention of Thrombocytopenia During T-DM1 Therapy (amendment 2)",
    Language.ZH_CN: "海曲泊帕预防T-DM1治疗相关血小板减少症（修订2）",
}
UPDATED = {
    ENGLISH: "The study file of NCT07198672 was updated (version 2): every screen now works",
    Language.ZH_CN: "NCT07198672 的研究文件已更新（第 2 版）",
}


def amended(source: str) -> str:
    """The shipped study file with a dose level renamed, other label directions and another
    title, in English and Chinese: what the sponsor's amendment 2 changes."""
    text = source
    for old, new in (
        (f'name = "{OLD_DOSE[ENGLISH]}"', f'name = "{NEW_DOSE[ENGLISH]}"'),
        (f'"-1" = "{OLD_DOSE[Language.ZH_CN]}"', f'"-1" = "{NEW_DOSE[Language.ZH_CN]}"'),
        (OLD_DIRECTIONS, NEW_DIRECTIONS),
        *((OLD_TITLE[language], NEW_TITLE[language]) for language in OLD_TITLE),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def opened(qtbot: QtBot, session: AppSession) -> MainWindow:
    window = main_window(qtbot, session)
    window.activateWindow()
    return window


def reduced(screen: DispenseScreen) -> str:
    """The first reduced dose level as the Dispense screen lists it ("Level -1: ...")."""
    return screen.dose.itemText(screen.dose.findData(-1))


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_update_made_at_another_workstation_reaches_the_open_dispense_screen_and_label(
    qtbot: QtBot,
    counter: Counter,
    signatures: Signatures,
    printer: Printer,
    language: Language,
) -> None:
    window = opened(qtbot, counter.session("pharm"))
    window.go_actions[DispenseScreen].trigger()
    before = window.current_screen()
    assert isinstance(before, DispenseScreen)
    assert reduced(before).endswith(OLD_DOSE[language]), reduced(before)

    # The administrator, at another workstation, loads amendment 2.
    studies.update_study(
        counter.ctx,
        counter.actor("admin"),
        amended(counter.ctx.study.source_text),
        "NCT07198672-v2.toml",
        "protocol amendment 2 approved",
    )
    window.refresh_screen()  # F5, or the screen chosen again: the user's studies read again

    screen = window.current_screen()
    assert isinstance(screen, DispenseScreen)
    assert reduced(screen).endswith(NEW_DOSE[language]), reduced(screen)
    assert window.session.ctx.version == 2
    assert window.study_label.toolTip().startswith(NEW_TITLE[language])
    assert window.notice.kind == "info", window.notice.text()
    assert UPDATED[language] in window.notice.text(), window.notice.text()
    shoot(window, f"study-file-reaches-dispense-{language.value}")

    # The label printed for the next dispense has the new directions.
    qtbot.keyClicks(screen.participant_field, "01-001")
    qtbot.keyClick(screen.participant_field, Qt.Key.Key_Return)
    dispense_kits_to_pick(qtbot, screen)
    assert screen.last_result is not None, screen.message.text()
    [(_title, pdf)] = printer.shown
    words = " ".join(pdf_text(pdf).split())
    assert "at bedtime" in words, words
    assert "in the evening, on an empty" not in words, words


def test_an_update_on_the_studies_screen_reaches_the_screens_of_the_same_window(
    qtbot: QtBot,
    counter: Counter,
    language: Language,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = opened(qtbot, counter.session("admin"))
    window.go_actions[InventoryScreen].trigger()
    inventory = window.current_screen()
    assert isinstance(inventory, InventoryScreen)
    window.go_actions[StudiesScreen].trigger()
    screen = window.current_screen()
    assert isinstance(screen, StudiesScreen)
    assert window.study_label.toolTip().startswith(OLD_TITLE[language])

    amendment = tmp_path / "NCT07198672-v2.toml"
    amendment.write_text(amended(counter.ctx.study.source_text), encoding="utf-8")
    monkeypatch.setattr(StudyFileDialog, "ask", classmethod(lambda cls, *a: amendment))
    answer_reason(monkeypatch, "protocol amendment 2 approved")
    qtbot.mouseClick(screen.update_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: UPDATED[language] in window.notice.text())

    assert window.session.ctx.version == 2
    # Every screen built before is gone: built again, from the new file, when shown.
    assert inventory not in window.screens.values()
    again = window.current_screen()
    assert isinstance(again, StudiesScreen) and again is not screen
    assert [r.version for r in again.model.rows] == [2]
    assert window.study_label.toolTip().startswith(NEW_TITLE[language])
    shoot(window, f"study-file-updated-window-{language.value}")
    window.go_actions[InventoryScreen].trigger()
    assert window.current_screen() is not inventory
