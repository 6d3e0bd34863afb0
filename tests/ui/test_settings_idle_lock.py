"""The idle lock time is the pharmacy's, set by an administrator in the Settings screen with a
reason (services/pharmacy), never off: a workstation's settings.json that once held
`"idle_lock_minutes": 0` no longer switches the lock off, and every window signed in afterwards
locks itself after the pharmacy's time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, answer_reason, signed_in
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from dispensary import config
from dispensary.services import audit, pharmacy
from dispensary.ui.settings_view import SettingsScreen


def test_a_settings_file_saying_0_no_longer_switches_the_idle_lock_off(
    qtbot: Any, place: Pharmacy, tmp_path: Path
) -> None:
    old = tmp_path / "settings.json"
    old.write_text(json.dumps({"idle_lock_minutes": 0, "backups_kept": 3}), encoding="utf-8")
    desk = signed_in(qtbot, place, "pharm", settings=config.Settings.load(old))
    watcher = desk.watcher
    assert watcher is not None
    assert watcher.timer.isActive()  # the lock is counting down
    assert watcher.timer.interval() == pharmacy.IDLE_LOCK_DEFAULT * 60_000
    desk.sign_out()


def test_an_administrator_sets_the_idle_lock_time_with_a_reason_and_the_next_sign_in_uses_it(
    qtbot: Any, place: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = SettingsScreen(place.session("admin"))
    qtbot.addWidget(screen)
    screen.refresh()
    spin = screen.idle_lock
    assert spin.value() == 10
    assert (spin.minimum(), spin.maximum()) == (1, 30)  # never off
    assert "never off: 1 to 30 minutes" in screen.findChild(QLabel, "idleLockExplained").text()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "3")
    prompts = answer_reason(monkeypatch, "The counter faces the waiting room")
    qtbot.mouseClick(screen.save_idle_lock, Qt.MouseButton.LeftButton)
    assert prompts and "audit trail" in prompts[0]
    assert screen.message.kind == "ok", screen.message.text()
    assert screen.message.text() == (
        "Saved: from each user's next sign-in, a window left 3 minutes without use locks itself."
    )
    admin = place.actor("admin")
    [entry] = audit.list_entries(place.ctx, admin, action="pharmacy_idle_lock_set")
    assert (json.loads(entry.old), json.loads(entry.new), entry.username) == (
        {"idle_lock_minutes": 10},
        {"idle_lock_minutes": 3},
        "admin",
    )
    assert entry.reason == "The counter faces the waiting room"
    assert audit.verify(place.ctx, admin).ok
    desk = signed_in(qtbot, place, "pharm", settings=config.Settings(backups_kept=3))
    assert desk.watcher is not None and desk.watcher.timer.interval() == 3 * 60_000
    desk.sign_out()
    again = SettingsScreen(place.session("admin"))
    qtbot.addWidget(again)
    again.refresh()
    assert again.idle_lock.value() == 3
