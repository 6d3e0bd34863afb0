"""Issue 5: on any screen, a kit or dispense barcode scanned while the cursor is in an ordinary
text field opens that kit or dispense, and the field is left as it was; typing stays typing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, sign_with
from counter_fixtures import Stopwatch
from PySide6.QtCore import Qt

from dispensary.ui.count_view import CountScreen
from dispensary.ui.inventory_view import InventoryScreen
from dispensary.ui.main_window import MainWindow, screen_title
from dispensary.ui.reconcile_view import ReconcileScreen
from dispensary.ui.return_view import ReturnScreen
from dispensary.ui.screens import OPENS, screen_classes

SCANNER = 0.004  # seconds between the keys a barcode scanner types
PERSON = 0.15


def open_window(qtbot: Any, pharmacy: Pharmacy, keys_every: float) -> MainWindow:
    window = MainWindow(
        pharmacy.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.scan_catcher.burst.clock = Stopwatch(keys_every)
    window.show()
    qtbot.waitExposed(window)
    return window


def type_into(qtbot: Any, field: Any, text: str) -> None:
    field.setFocus()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)


def test_a_kit_scanned_into_the_sign_off_note_opens_the_kit_and_leaves_the_note(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, SCANNER)
    reconcile = window.show_screen(ReconcileScreen)
    assert isinstance(reconcile, ReconcileScreen)
    reconcile.note.setText("Counted with MM")
    reconcile.note.setCursorPosition(7)
    type_into(qtbot, reconcile.note, "K0102")
    assert reconcile.note.text() == "Counted with MM"
    assert reconcile.note.cursorPosition() == 7
    inventory = window.current_screen()
    assert isinstance(inventory, InventoryScreen)
    assert [k.number for k in inventory.selected()] == ["K0102"]
    assert window.scan_feedback.text() == f"K0102 — {InventoryScreen.title}"


def test_a_dispense_number_scanned_into_the_inventory_search_opens_its_return(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    window = open_window(qtbot, pharmacy, SCANNER)
    inventory = window.show_screen(InventoryScreen)
    assert isinstance(inventory, InventoryScreen)
    type_into(qtbot, inventory.search, "DSP000001")
    assert inventory.search.text() == ""
    returns = window.current_screen()
    assert isinstance(returns, ReturnScreen)
    assert returns.dispense is not None and returns.dispense.number == "DSP000001"
    assert window.scan_feedback.text() == f"DSP000001 — {ReturnScreen.title}"


def test_typing_the_same_text_by_hand_stays_in_the_field(qtbot: Any, pharmacy: Pharmacy) -> None:
    window = open_window(qtbot, pharmacy, PERSON)
    reconcile = window.show_screen(ReconcileScreen)
    assert isinstance(reconcile, ReconcileScreen)
    type_into(qtbot, reconcile.note, "K0102")
    assert reconcile.note.text() == "K0102"
    assert window.current_screen() is reconcile
    inventory = window.show_screen(InventoryScreen)
    assert isinstance(inventory, InventoryScreen)
    type_into(qtbot, inventory.search, "DSP000001")
    assert inventory.search.text() == "DSP000001"
    assert window.current_screen() is inventory
    assert window.scan_feedback.text() == ""


def test_a_participant_scanned_on_the_screen_clears_the_toolbars_echo_of_another(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The toolbar went on saying "01-001 — Dispense" while the dispense screen showed the
    participant scanned into its own field since."""
    from dispensary.ui.dispense_view import DispenseScreen

    window = open_window(qtbot, pharmacy, SCANNER)
    window.handle_scan("01-001")
    screen = window.current_screen()
    assert isinstance(screen, DispenseScreen)
    assert window.scan_feedback.text() == f"01-001 — {DispenseScreen.title}"
    type_into(qtbot, screen.participant_field, "01-002")
    assert "01-001" not in window.scan_feedback.text()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_kit_the_return_screen_refuses_is_shown_refused_in_the_toolbar(
    qtbot: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The toolbar's field turned green ("K0102 — 退药") while the Return screen refused the
    kit for the return open: the field follows what the screen's assessment said."""
    if language != "en":
        request.getfixturevalue("chinese")
    window = open_window(qtbot, pharmacy, SCANNER)
    window.resize(1366, 768)
    window.handle_scan("DSP000001")
    returns = window.current_screen()
    assert isinstance(returns, ReturnScreen) and returns.dispense is not None
    assert window.scan_field.cue == "ok"
    window.scan_field.setText("K0102")
    window.handle_scan("K0102")
    assert returns.scan_field.cue == "error" and returns.message.kind == "error"
    assert window.current_screen() is returns
    assert window.scan_field.cue == "error"
    assert window.scan_field.text() == "K0102"
    assert window.scan_feedback.property("kind") == "error"
    assert window.scan_feedback.text() == returns.message.text()
    window.grab().save(str(tmp_path / f"refused-{language}.png"))  # looked at: red, the refusal
    # A code the screen then takes is green again.
    window.handle_scan("DSP000001")
    assert window.scan_field.cue == "ok"
    assert window.scan_feedback.text() == f"DSP000001 — {screen_title(ReturnScreen)}"


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_kit_the_count_screen_refuses_is_shown_refused_in_the_toolbar(
    qtbot: Any,
    pharmacy: Pharmacy,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    """The Physical count screen refused a kit off the shelf, and any kit scanned while a
    count is shown against the book, in its own message alone: the toolbar's field turned
    green ("K0001 — Physical count"). Red now, with the screen's refusal."""
    if language != "en":
        request.getfixturevalue("chinese")
    window = open_window(qtbot, pharmacy, SCANNER)
    window.resize(1366, 768)
    counting = window.show_screen(CountScreen)
    assert isinstance(counting, CountScreen)

    def refused_in_the_toolbar(code: str) -> None:
        assert window.current_screen() is counting and counting.message.kind == "error"
        assert window.scan_field.cue == "error"
        assert window.scan_field.text() == code
        assert window.scan_feedback.property("kind") == "error"
        assert window.scan_feedback.text() == counting.message.text()

    window.scan_field.setText("K0001")
    window.handle_scan("K0001")  # dispensed to 01-001: counts are for kits on the shelf
    refused_in_the_toolbar("K0001")
    if language == "en":
        assert "counts are for kits on the shelf" in window.scan_feedback.text()
    window.grab().save(str(tmp_path / f"count-refused-{language}.png"))  # looked at: red
    # A kit on the shelf is taken: green.
    sign_with(monkeypatch, PASSWORDS["pharm"])
    window.handle_scan("K0003")
    assert window.scan_field.cue == "ok" and counting.kit.text() == "K0003"
    qtbot.keyClicks(counting.counted, "19")
    qtbot.keyClick(counting.counted, Qt.Key.Key_Return)
    assert counting.result_box.isVisibleTo(counting)  # counted open, the book shown
    # Another kit scanned while the book is shown waits: refused, the count of K0003 kept.
    window.scan_field.setText("K0002")
    window.handle_scan("K0002")
    refused_in_the_toolbar("K0002")
    assert counting.kit.text() == "K0003" and counting.result_box.isVisibleTo(counting)
    if language == "en":
        assert window.scan_feedback.text() == (
            "Finish or cancel the count of K0003 first, then scan K0002 again."
        )


def test_a_lot_number_scanned_on_the_count_screen_is_refused_in_the_toolbar(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """A lot number scanned in the toolbar on the Physical count screen raised out of the scan
    (the screen asked what the code is and did not take the answer that it is another label):
    the window says what it is, red, and the count screen is left as it was."""
    window = open_window(qtbot, pharmacy, SCANNER)
    counting = window.show_screen(CountScreen)
    assert isinstance(counting, CountScreen)
    window.scan_field.setText("L2401")
    window.handle_scan("L2401")
    assert window.current_screen() is counting and counting.kit.text() == ""
    assert window.scan_field.cue == "error"
    assert window.scan_feedback.text().startswith("L2401 is a lot number, not a kit.")


def test_a_code_the_window_refuses_replaces_the_count_screens_earlier_refusal(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """The Physical count screen kept the refusal of an earlier kit in its message while the
    toolbar refused a later code (a lot number, a code of nothing): the two disagreed. The
    screen now says the window's refusal of the later code, as the toolbar does."""
    window = open_window(qtbot, pharmacy, SCANNER)
    counting = window.show_screen(CountScreen)
    assert isinstance(counting, CountScreen)
    window.scan_field.setText("K0001")
    window.handle_scan("K0001")  # dispensed to 01-001: refused by the screen
    assert counting.message.kind == "error" and "K0001" in counting.message.text()
    for code, said in (
        ("L2401", "L2401 is a lot number, not a kit."),
        ("ZZ-NOTHING", "'ZZ-NOTHING' is not a kit, dispensing label or participant"),
    ):
        window.scan_field.setText(code)
        window.handle_scan(code)
        assert window.scan_field.cue == "error" and window.current_screen() is counting
        assert window.scan_feedback.text().startswith(said)
        assert counting.message.kind == "error" and counting.message.text().startswith(said)
        assert "K0001" not in counting.message.text()
