"""What the count windows say matches what happens. The count window says "sign" once
everything the difference needs is given, and who signs: the counter, then the second person
with their own user name and password. And a count from the inventory that leaves a difference
open says the kit is held for it, and what to do next, not "recorded" as if all were well.
Driven as the counter would, with the real signature dialogs."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy
from count_window_helpers import second_person_signs, sign, when_signatures_asked
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from window_helpers import refreshed, scan

from dispensary.services import audit, queries
from dispensary.ui.count_view import CountScreen
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.inventory_view import CountDialog, InventoryScreen


def signs(qtbot: Any, user: str) -> list[str]:
    """Answers the real signature dialog with `user`'s password once it is up."""
    seen: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SignatureDialog):
            seen.append(dialog.windowTitle())
            dialog.password.setText(PASSWORDS[user])
            box = dialog.findChild(QDialogButtonBox)
            assert box is not None
            box.button(QDialogButtonBox.StandardButton.Ok).click()
        else:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)
    return seen


def counted_open(qtbot: Any, pharmacy: Pharmacy, user: str = "tech") -> CountScreen:
    screen = refreshed(qtbot, CountScreen(pharmacy.session(user)), None)
    scan(qtbot, screen.kit, "K0003")
    asked = signs(qtbot, user)
    scan(qtbot, screen.counted, "19")
    assert asked and "-2" in screen.comparison.text()
    return screen


def test_the_needs_say_who_signs_once_everything_is_given(qtbot: Any, pharmacy: Pharmacy) -> None:
    """Everything the service asks given: "sign" is said; the counter signs, then the second
    person in their own dialog, typing their user name and password."""
    screen = counted_open(qtbot, pharmacy)
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    qtbot.keyClicks(screen.reason, "two tablets crushed in the bottle")
    message = screen.message.text()
    assert message == (
        "The count differs from the book. It needs a reason code; the reason, in a few words; a "
        "second person who may verify counts, and their password; then you sign, and the second "
        "person signs with their own user name and password."
    )
    qtbot.keyClicks(screen.verifier, "pharm")
    assert screen.assessment is not None and not screen.assessment.needs_missing
    assert screen.sign_button.isEnabled()
    assert screen.needs_label.text() == "Everything the difference needs is given: sign."
    assert "everything the difference needs is given: sign" in screen.message.text()
    seen = when_signatures_asked(qtbot, [sign, second_person_signs()])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert len(seen) == 2 and screen.message.kind == "ok"
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 19
    failures = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="signature_failed")
    assert failures == []


def test_the_second_signer_wording_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, chinese: None
) -> None:
    screen = counted_open(qtbot, pharmacy)
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    screen.reason.setText("两片压碎")  # typed by an input method, not keys
    assert "再由核对人用其本人的用户名和密码签名" in screen.message.text()
    qtbot.keyClicks(screen.verifier, "pharm")
    assert screen.needs_label.text() == "差异所需信息已齐全：请签名。"


def inventory(qtbot: Any, pharmacy: Pharmacy) -> InventoryScreen:
    return refreshed(qtbot, InventoryScreen(pharmacy.session("pharm")), None)


def count_from_inventory(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, figure: str
) -> InventoryScreen:
    """K0006 counted `figure` in the inventory's Count... dialog, then left open."""

    def count_in_dialog(dialog: CountDialog) -> int:
        dialog.show()
        counter = dialog.counter
        asked = signs(qtbot, "pharm")
        scan(qtbot, counter.counted, figure)
        assert asked
        if counter.result_box.isVisible():
            qtbot.mouseClick(counter.cancel_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CountDialog, "exec", count_in_dialog)
    screen = inventory(qtbot, pharmacy)
    screen.open_kit("K0006")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.count_button, Qt.MouseButton.LeftButton)
    return screen


def test_a_count_left_open_from_the_inventory_says_the_kit_is_held(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = count_from_inventory(qtbot, pharmacy, monkeypatch, "19")
    assert screen.message.kind == "warning"
    assert screen.message.text() == (
        "Count of kit K0006 recorded: 19 counted, 21 in the book, not adjusted. The kit is held "
        "for the difference: it is neither dispensed nor destroyed until you count it again "
        "(Count...) or record the adjustment with a reason code, a reason and a second person."
    )


def test_a_count_that_matches_from_the_inventory_is_simply_recorded(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = count_from_inventory(qtbot, pharmacy, monkeypatch, "21")
    assert (screen.message.kind, screen.message.text()) == ("ok", "Count of kit K0006 recorded.")


def test_a_count_left_open_from_the_inventory_in_chinese(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch, chinese: None
) -> None:
    screen = count_from_inventory(qtbot, pharmacy, monkeypatch, "19")
    assert screen.message.kind == "warning"
    assert screen.message.text().startswith("药盒 K0006 的盘点已记录：盘点数 19，账面 21，未调整。")
