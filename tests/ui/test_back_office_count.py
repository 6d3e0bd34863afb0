"""The blind count screen, driven as the counter would: scan, type, sign, then see the book."""

from __future__ import annotations

from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, count_adjusted, sign_with
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from window_helpers import refreshed, scan

from dispensary.services import audit, queries, reconciliation
from dispensary.ui.count_view import CountScreen
from dispensary.ui.feedback import SignatureDialog


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "tech") -> CountScreen:
    return refreshed(qtbot, CountScreen(pharmacy.session(user)), None)


def lose_two(pharmacy: Pharmacy, kit: str = "K0003") -> None:
    """Two tablets of the kit written off as lost (book 19 of the 21 received): a count may
    find them again, never more than the kit was received with."""
    count_adjusted(pharmacy, 19, "lost", "two missing", kit)


def test_book_stays_hidden_until_the_count_is_signed_and_recorded(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of COUNTS, item 1: the book was shown as soon as a count was typed, before it was
    recorded. A count typed is signed first; the signature cancelled, nothing is shown."""
    asked = sign_with(monkeypatch, None)
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "k0003")
    assert screen.focusWidget() is screen.counted
    assert not screen.result_box.isVisible()
    scan(qtbot, screen.counted, "19")
    assert asked == [("Tom Tech", "counted", "Count of kit K0003: 19 tablets")]
    assert not screen.result_box.isVisible() and screen.comparison.text() == ""
    assert "21" not in screen.message.text()
    assert counts_recorded(pharmacy) == []


def test_agreeing_count_is_signed_and_the_kit_field_is_ready_again(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    with qtbot.waitSignal(screen.changed):
        scan(qtbot, screen.kit, "K0002")
        scan(qtbot, screen.counted, "21")
    assert asked[0][:2] == ("Tom Tech", "counted")
    assert screen.log.rows[0].kit == "K0002"
    assert screen.log.rows[0].difference == 0
    assert not screen.result_box.isVisible()
    assert "recorded: 21 tablets, no change" in screen.message.text()
    assert screen.kit.text() == ""
    assert screen.focusWidget() is screen.kit
    result = reconciliation.reconcile(pharmacy.ctx, pharmacy.actor("tech"))
    assert not [d for d in result.discrepancies if d.kind == "count_difference"]


def test_difference_needs_reason_and_a_second_person(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["tech"], witness=PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    scan(qtbot, screen.counted, "19")
    assert "-2" in screen.comparison.text()
    assert screen.verifier.isVisible()
    # Recorded as counted before the book was shown.
    [first] = counts_recorded(pharmacy)
    assert '"counted":19' in first and '"adjusted":false' in first and '"blind":true' in first

    # The needs say what is missing.
    assert screen.needs_label.text().startswith("Still needed: a reason code")
    assert screen.counted.text() == "19"

    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    qtbot.keyClicks(screen.reason, "two tablets crushed in the bottle")
    qtbot.keyClicks(screen.verifier, "tech")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert "another person" in screen.message.text()
    assert screen.reason.text() == "two tablets crushed in the bottle"

    screen.verifier.clear()
    qtbot.keyClicks(screen.verifier, "pharm")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "ok"
    # The counter, then the second person in their own dialog, named by full name as the
    # counter is (answered as pharm typing their user name and password: tests/ui/conftest.py).
    assert [(signer, meaning) for signer, meaning, _said in asked[-2:]] == [
        ("Tom Tech", "adjusted"),
        ("Paula Pharm", "count verified"),
    ]
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 19
    # The adjustment follows the count it adjusts: a count of its own, not blind.
    assert [(r.counted, r.adjusted, r.blind) for r in screen.log.rows] == [
        (19, False, True),
        (19, True, False),
    ]
    qtmodeltester.check(screen.log)


def test_a_dispensed_kit_is_refused_in_plain_words(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0001")
    scan(qtbot, screen.counted, "0")
    assert screen.message.kind == "error"
    assert "counts are for kits on the shelf" in screen.message.text()
    assert not screen.result_box.isVisible()


def test_scan_routed_by_the_main_window_starts_a_count(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    assert not screen.handle_scan("DSP000001")
    assert not screen.handle_scan("01-001")
    assert not screen.handle_scan("K9999")
    assert screen.handle_scan("K0004")
    assert screen.kit.text() == "K0004"
    assert screen.focusWidget() is screen.counted


def counts_recorded(pharmacy: Pharmacy) -> list[str]:
    entries = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="count")
    return [f"{e.entity_id} {e.new}" for e in entries]


def test_once_the_book_is_shown_the_count_stays_recorded_and_a_recount_is_no_blind_count(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review of COUNTS, item 1: "Cancel this kit" recorded nothing once the book was shown,
    so the counter could scan the kit again and type the figure just seen, recorded as a blind
    count that agreed. The count shown is recorded already; the next count is a recount."""
    asked = sign_with(monkeypatch, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    scan(qtbot, screen.counted, "19")
    assert "book 21" in screen.comparison.text()
    assert screen.findChild(QPushButton, "startOver") is None  # no retyping the book figure
    assert screen.counted.isReadOnly()

    qtbot.keyClicks(screen.kit, "K0004")  # a kit scanned into the read-only field ...
    qtbot.keyClick(screen.kit, Qt.Key.Key_Return)
    assert "Finish or cancel the count of K0003 first" in screen.message.text()
    assert screen.handle_scan("K0004")  # ... or into the toolbar: not lost, not started
    assert "Finish or cancel the count of K0003 first" in screen.message.text()
    assert screen.kit.text() == "K0003" and screen.counted.text() == "19"

    screen.cancel_button.setFocus()
    qtbot.keyClick(screen.cancel_button, Qt.Key.Key_Return)
    assert "left open: it stays recorded as counted, not adjusted" in screen.message.text()
    [first] = counts_recorded(pharmacy)
    assert '"counted":19' in first and '"book":21' in first and '"blind":true' in first
    assert len(asked) == 1
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 21
    tech = pharmacy.actor("tech")
    [open_one] = [
        d for d in reconciliation.reconcile(pharmacy.ctx, tech).to_review if d.subject == "K0003"
    ]
    assert "not adjusted" in open_one.message

    # The figure just seen typed in: recorded, but as a recount, never as a blind count.
    scan(qtbot, screen.kit, "K0003")
    with qtbot.waitSignal(screen.changed):
        scan(qtbot, screen.counted, "21")
    assert [(r.counted, r.book, r.blind) for r in screen.log.rows] == [
        (19, 21, True),
        (21, 21, False),
    ]
    [recount] = [c for c in counts_recorded(pharmacy) if '"counted":21' in c]
    assert '"blind":false' in recount and '"recount_of":' in recount
    result = reconciliation.reconcile(pharmacy.ctx, tech)
    assert [d for d in result.to_review if d.subject == "K0003"] == []
    [record] = [d for d in result.discrepancies if d.subject == "K0003"]
    assert "not adjusted: counted again on" in record.message


def test_count_again_records_a_recount_and_keeps_the_count_before_it(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    scan(qtbot, screen.counted, "19")
    qtbot.mouseClick(screen.recount_button, Qt.MouseButton.LeftButton)
    assert not screen.result_box.isVisible()
    assert screen.focusWidget() is screen.counted and screen.counted.text() == ""
    assert "recorded as a recount" in screen.message.text()
    scan(qtbot, screen.counted, "21")
    assert [(r.counted, r.blind, r.difference) for r in screen.log.rows] == [
        (19, True, -2),
        (21, False, 0),
    ]
    assert screen.kit.text() == "" and not screen.result_box.isVisible()


def test_the_count_is_signed_with_the_keyboard_alone(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0002")
    with qtbot.waitSignal(screen.changed):
        qtbot.keyClicks(screen.counted, "21")
        qtbot.keyClick(screen.counted, Qt.Key.Key_Enter)
    assert asked[0][1] == "counted"
    assert [r.kit for r in screen.log.rows] == ["K0002"]
    assert any("K0002" in s for s in counts_recorded(pharmacy))


def test_a_wrong_second_person_password_counts_against_the_second_person(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, PASSWORDS["tech"])
    typed = [("pharm", "not-pharms-password"), None]  # wrong, then the second person cancels
    monkeypatch.setattr(SignatureDialog, "ask_second", classmethod(lambda cls, *a: typed.pop(0)))
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    scan(qtbot, screen.counted, "19")
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    qtbot.keyClicks(screen.reason, "two tablets crushed in the bottle")
    qtbot.keyClicks(screen.verifier, "pharm")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert typed == []
    assert screen.message.kind == "error"
    failures = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="signature_failed")
    assert [e.entity_id for e in failures] == ["pharm"]
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 21


def test_a_difference_shows_what_it_needs_as_the_service_assesses_it(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["tech"], witness=PASSWORDS["pharm"])
    lose_two(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    assert screen.assessment is None and "book" not in screen.comparison.text()  # blind
    scan(qtbot, screen.counted, "20")
    assert [a[1] for a in asked] == ["counted"]  # the count signed before the book is shown
    assert screen.assessment is not None and screen.assessment.book == 19
    assert "difference +1" in screen.comparison.text()
    assert screen.needs_label.text().startswith("Still needed: a reason code; the reason")

    screen.reason_code.setCurrentIndex(screen.reason_code.findData("found"))
    qtbot.keyClicks(screen.reason, "one loose tablet in the tray")
    assert screen.needs_label.text() == (
        "Still needed: a second person who may verify counts, and their password."
    )
    message = screen.message.text()
    assert "a reason code" in message and "a second person who may verify counts" in message
    qtbot.keyClicks(screen.verifier, "monitor")  # may not countersign
    assert screen.needs_label.text() == (
        "monitor (monitor) may not countersign a count. Ask a user with the role: pharmacist, "
        "technician."
    )
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.text() == (
        "monitor (monitor) may not countersign a count. Ask a user with the role: pharmacist, "
        "technician."
    )
    assert len(asked) == 1  # refused before anyone signs the adjustment

    screen.verifier.clear()
    qtbot.keyClicks(screen.verifier, "pharm")
    # Given all the service asks: you sign, then pharm in their own signature dialog.
    assert screen.needs_label.text().startswith("Everything the difference needs is given")
    # The banner follows: it went on listing what was needed once everything was given.
    assert "a reason code" not in screen.message.text()
    assert "everything the difference needs is given" in screen.message.text()
    screen.reason.clear()
    assert "It needs a reason code; the reason" in screen.message.text()
    qtbot.keyClicks(screen.reason, "one loose tablet in the tray")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert [a[1] for a in asked[-2:]] == ["adjusted", "count verified"]
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 20


def test_a_kit_off_the_shelf_is_refused_when_it_is_scanned(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0001")  # dispensed to 01-001
    assert screen.message.kind == "error"
    assert "counts are for kits on the shelf" in screen.message.text()
    assert screen.focusWidget() is screen.kit
    scan(qtbot, screen.kit, "Z#1")
    assert "is not a kit number" in screen.message.text()


def test_breakage_for_more_tablets_than_the_book_is_refused_as_soon_as_it_is_chosen(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["tech"])
    lose_two(pharmacy)
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    scan(qtbot, screen.counted, "20")
    screen.reason_code.setCurrentIndex(screen.reason_code.findData("breakage"))
    qtbot.keyClicks(screen.reason, "one loose tablet in the tray")
    qtbot.keyClicks(screen.verifier, "pharm")
    assert "'breakage' cannot explain" in screen.needs_label.text()
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error" and "'breakage' cannot explain" in screen.message.text()
    assert [a[1] for a in asked] == ["counted"], "the adjustment refused before anyone signs it"
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 19


def test_a_count_above_what_the_kit_was_received_with_is_refused_without_the_book(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    scan(qtbot, screen.kit, "K0003")
    scan(qtbot, screen.counted, "500")
    assert screen.message.kind == "error"
    assert screen.message.text() == (
        "500 tablets counted in kit K0003, which was received with 21: a kit cannot hold more "
        "than it was received with. Count the tablets again; if it really holds more, "
        "quarantine it and ask the sponsor (its receipt's count would be wrong)."
    )
    assert not screen.result_box.isVisible() and screen.assessment is None  # still blind
    assert screen.focusWidget() is screen.counted and not screen.counted.isReadOnly()
    assert asked == []
    screen.counted.clear()
    scan(qtbot, screen.counted, "21")
    assert [a[2] for a in asked] == ["Count of kit K0003: 21 tablets"]  # no book in it
    assert "no change" in screen.message.text()
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("tech"), "K0003").tablets == 21


def test_the_empty_list_of_counts_says_what_it_will_list(
    qtbot: Any, qapp: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list of this session's counts showed only its headers, "Ledger adjusted" centred
    over a column as wide as the rest of the window: it now says what it will list and where
    every count is, and its columns are as wide as their titles; the line goes once a count is
    recorded."""
    from dispensary.ui.app import apply_style

    sign_with(monkeypatch, PASSWORDS["tech"])
    apply_style(qapp)
    try:
        screen = refreshed(qtbot, CountScreen(pharmacy.session("tech")), (1166, 674))
        qtbot.wait(20)
        empty = screen.log_empty
        assert empty.isVisible()
        assert "listed here" in empty.text()
        assert "Physical count tab" in empty.text() and "audit trail" in empty.text()
        table = screen.log_table
        header = table.horizontalHeader()
        for column in range(header.count()):
            title = header.sectionSizeHint(column)
            assert title <= header.sectionSize(column) <= title + 60, column
        # Whole inside the table, under its headers.
        assert table.viewport().rect().contains(empty.geometry())
        with qtbot.waitSignal(screen.changed):
            scan(qtbot, screen.kit, "K0002")
            scan(qtbot, screen.counted, "21")
        assert [r.kit for r in screen.log.rows] == ["K0002"]
        assert not empty.isVisible()
    finally:
        qapp.setStyleSheet("")
