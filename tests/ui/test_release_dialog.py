"""Releasing quarantined kits asks the sponsor's reference of its decision, in the real dialog:
typed, the kits go back to stock with it recorded; left out, the dialog stays open with the
service's refusal saying what to type, and nothing is released."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.services import audit, quarantine, queries
from dispensary.ui.inventory_view import InventoryScreen, ReleaseDialog

REFUSAL = (
    "Type the sponsor's reference of its decision to release the kits (the decision or "
    "excursion assessment number, e.g. TE-2026-014): a quarantined kit goes back to stock only "
    "on the sponsor's written decision."
)
SHOTS = os.environ.get("DISPENSARY_SHOTS")  # a folder to save the dialog's pictures in, to look at


def make_screen(qtbot: Any, pharmacy: Pharmacy) -> InventoryScreen:
    return refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")), None)


def when_release_asked(answer: Callable[[ReleaseDialog], None]) -> None:
    """Answers the real release dialog once it is up (it blocks in exec until answered)."""

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, ReleaseDialog):
            answer(dialog)
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def status_of(pharmacy: Pharmacy, kit: str) -> KitStatus:
    return queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), kit).status


def test_the_release_dialog_takes_the_sponsors_reference(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, PASSWORDS["pharm"])  # the release is signed ("released")
    quarantine.quarantine(pharmacy.ctx, pharmacy.actor("pharm"), ["K0004"], "excursion")
    screen = make_screen(qtbot, pharmacy)
    assert screen.open_kit("K0004")
    seen: list[str] = []

    def answer(dialog: ReleaseDialog) -> None:
        qtbot.keyClicks(dialog.reason, "stability data cover the excursion")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # no reference yet
        assert dialog.isVisible(), "refused, the dialog stays open"
        seen.append(dialog.refusal.text())
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "release-refused.png"))
        qtbot.keyClicks(dialog.reference, "TE-2026-014")
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "release-typed.png"))
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)

    when_release_asked(answer)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert seen == [REFUSAL]
    assert status_of(pharmacy, "K0004") is KitStatus.AVAILABLE
    assert screen.message.text() == (
        "Released K0004 on the sponsor's decision TE-2026-014: stability data cover the excursion."
    )
    [entry] = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="release")
    assert json.loads(entry.new)["sponsor_reference"] == "TE-2026-014"
    if SHOTS:
        screen.grab().save(str(Path(SHOTS) / "release-done.png"))


def test_a_release_cancelled_in_the_dialog_releases_nothing(qtbot: Any, pharmacy: Pharmacy) -> None:
    quarantine.quarantine(pharmacy.ctx, pharmacy.actor("pharm"), ["K0004"], "excursion")
    screen = make_screen(qtbot, pharmacy)
    assert screen.open_kit("K0004")

    def answer(dialog: ReleaseDialog) -> None:
        qtbot.keyClicks(dialog.reason, "sponsor said yes on the phone")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
        assert dialog.refusal.text() == REFUSAL
        dialog.reject()

    when_release_asked(answer)
    qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.QUARANTINED
    assert audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="release") == []


def test_the_release_dialog_names_why_each_kit_is_held(qtbot: Any, pharmacy: Pharmacy) -> None:
    """The dialog lists each kit's open quarantine (and the excursions it was exposed to while
    held: services.quarantine.assess_release), which the sponsor's decision is to cover."""
    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0004"], "Cap seal broken on arrival.")
    screen = make_screen(qtbot, pharmacy)
    assert screen.open_kit("K0004")
    [verdict] = quarantine.assess_release(pharmacy.ctx, pharm, ["K0004"])
    seen: list[str] = []

    def answer(dialog: ReleaseDialog) -> None:
        seen.append(dialog.held.text())
        assert dialog.held.isVisible()
        if SHOTS:
            dialog.grab().save(str(Path(SHOTS) / "release-held-for.png"))
        dialog.reject()

    when_release_asked(answer)
    qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    [cause] = verdict.held_for
    assert cause.reason == "Cap seal broken on arrival."
    assert seen == [
        f"Held for (the sponsor's decision is to cover every one):\n• K0004: {cause.text}"
    ]
    assert cause.text.endswith(": Cap seal broken on arrival")


def test_the_release_dialog_says_kit_for_one_kit(qtbot: Any) -> None:
    """Review: the dialog said "Kits K5006:" for one kit."""
    one = ReleaseDialog(None, ["K5006"])
    two = ReleaseDialog(None, ["K5006", "K5007"])
    for dialog in (one, two):
        qtbot.addWidget(dialog)
    prompt = one.findChild(QLabel, "releasePrompt")
    assert prompt is not None and prompt.text().startswith("Kit K5006: a quarantined kit goes")
    prompt = two.findChild(QLabel, "releasePrompt")
    assert prompt is not None and prompt.text().startswith("Kits K5006, K5007: a quarantined")


def test_the_release_dialog_in_chinese(chinese: None, qtbot: Any) -> None:
    dialog = ReleaseDialog(None, ["K5006"])
    qtbot.addWidget(dialog)
    prompt = dialog.findChild(QLabel, "releasePrompt")
    assert prompt is not None and prompt.text().startswith("药盒 K5006：隔离的药盒仅凭申办方")
