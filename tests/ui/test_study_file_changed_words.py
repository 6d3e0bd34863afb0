"""The refusal of a step for the study file updated since (study_file_changed) is the services'
words, shown by the window and printed by the command line alike: it said "press F5 to
reload", which means nothing to `dispensary enroll`, and gave the update's time in local time
with no zone. It names the update's time in UTC, as the other refusals give a time, and says
what to do at either front end. The window shows it when it cannot read the study again."""

from __future__ import annotations

import re
from datetime import UTC

import pytest
from counter_fixtures import Counter
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from window_helpers import go_to, main_window

from dispensary.domain.errors import NotPermitted
from dispensary.services import studies
from dispensary.ui.receive_view import ReceiveScreen
from dispensary.ui.screen import Screen


def scan(qtbot: QtBot, field: QWidget, code: str) -> None:
    qtbot.keyClicks(field, code)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_the_window_says_the_refusal_in_words_for_the_window_and_in_utc(
    qtbot: QtBot, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = main_window(qtbot, counter.session("tech"))
    screen = go_to(window, ReceiveScreen)
    qtbot.keyClicks(screen.shipment, "SH-077")
    qtbot.keyClicks(screen.lot, "L7701")
    qtbot.keyClicks(screen.expiry, "2027-09-30")
    screen.scan_field.setFocus()
    scan(qtbot, screen.scan_field, "K0701")
    text = counter.ctx.study.source_text
    amended = text.replace("Keep out of reach of children", "Keep away from children")
    studies.update_study(counter.ctx, counter.actor("admin"), amended, "v2.toml", "amendment 2")
    at = counter.ctx.clock.now().astimezone(UTC)

    def unreadable(self: Screen) -> object:
        raise NotPermitted("The study cannot be opened now.")

    monkeypatch.setattr(Screen, "study_read_again", unreadable)
    qtbot.mouseClick(screen.receive_button, Qt.MouseButton.LeftButton)

    said = " ".join(screen.message.text().split())
    assert said == (
        f"The study file of NCT07198672 was updated at {at:%Y-%m-%d %H:%M} UTC by admin "
        "(version 2) after this window or command read it. Nothing was written: reload the "
        "window (F5) or run the command again, then check the receipt again. The study cannot "
        "be opened now."
    ), said
    assert not re.search(r"press F5", said)
