"""The inventory screen: filtering, and the actions each role may take on selected kits."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import (
    PASSWORDS,
    RETURN_DAY,
    Pharmacy,
    answer_reason,
    answer_release,
    release_signed,
    sign_with,
)
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit, QSplitter
from window_helpers import refreshed

from dispensary.domain.codes import KitStatus
from dispensary.domain.errors import NotPermitted
from dispensary.services import audit, destruction, dispensing, labels, quarantine, queries
from dispensary.services.assessment import DestroyAssessment, DestroyRequest
from dispensary.ui.feedback import SignatureDialog
from dispensary.ui.inventory_view import CountDialog, InventoryScreen, UnseenReturnsQuestion
from dispensary.ui.reports_view import ReportsScreen
from dispensary.ui.widgets import qdate, to_date


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> InventoryScreen:
    return refreshed(qtbot, InventoryScreen(pharmacy.session(user)), None)


def assessed(qtbot: Any, screen: InventoryScreen) -> None:
    """Once typing in the destroy form pauses, the destruction is assessed again and Destroy
    is given back (inventory_view.ASSESS_AFTER_TYPING_MS)."""
    qtbot.waitUntil(lambda: not screen.assessing, timeout=3000)


def status_of(pharmacy: Pharmacy, kit: str) -> KitStatus:
    return queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), kit).status


def shown_kits(screen: InventoryScreen) -> list[str]:
    proxy = screen.proxy
    return [
        screen.model.row_at(proxy.mapToSource(proxy.index(i, 0)).row()).number
        for i in range(proxy.rowCount())
    ]


def every_kit(screen: InventoryScreen) -> list[str]:
    """The kits the filters find: the rows shown, and those further down read as a scroll
    would read them."""
    while screen.model.canFetchMore():
        screen.model.fetchMore()
    return shown_kits(screen)


def test_table_lists_kits_and_filters(qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtmodeltester.check(screen.model)
    assert len(shown_kits(screen)) == 9
    status_column = 4
    dispensed = screen.model.rows.index(
        next(r for r in screen.model.rows if r.status is KitStatus.RETURNED)
    )
    brush = screen.model.index(dispensed, status_column).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == KitStatus.RETURNED.colour

    screen.product.setCurrentIndex(screen.product.findData("herombopag-2.5mg"))
    assert sorted(shown_kits(screen)) == ["K0101", "K0102", "K0103"]
    screen.product.setCurrentIndex(0)
    screen.status.setCurrentIndex(screen.status.findData("returned"))
    assert shown_kits(screen) == ["K0001"]
    screen.status.setCurrentIndex(0)
    qtbot.keyClicks(screen.search, "k000")
    assert len(shown_kits(screen)) == 6
    qtbot.waitUntil(lambda: not screen.counting)  # a search is counted once typing pauses
    assert "6 kits shown" in screen.summary.text()


def test_quarantine_and_release_with_reasons(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = answer_reason(monkeypatch, "bottle seal broken")
    screen = make_screen(qtbot, pharmacy)
    assert screen.open_kit("K0004")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    assert "K0004" in prompts[0]
    assert status_of(pharmacy, "K0004") is KitStatus.QUARANTINED
    assert screen.message.kind == "ok"
    assert [k.number for k in screen.selected()] == ["K0004"]

    answer_release(monkeypatch, "sponsor confirmed the kit may be used")
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.AVAILABLE
    assert asked == [
        (
            "Paula Pharm",
            "released",
            "Release of K0004 from quarantine on the sponsor's decision TE-2026-014",
        )
    ]


def test_a_release_is_signed_or_not_made(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release took no signature: the kit went back to dispensable stock unsigned.
    Cancelled at the signature, nothing is released; a wrong password is said, nothing
    released; signed, the release's audit entry holds the signature "released"."""
    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0004"], "bottle seal broken")
    answer_release(monkeypatch, "sponsor confirmed the kit may be used")
    sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    assert screen.open_kit("K0004")
    sign_with(monkeypatch, None)
    qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.QUARANTINED
    sign_with(monkeypatch, "not-the-password")
    qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.QUARANTINED
    assert screen.message.kind == "error"
    assert "signature password for pharm is wrong" in screen.message.text()
    sign_with(monkeypatch, PASSWORDS["pharm"])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.AVAILABLE
    [entry] = audit.list_entries(pharmacy.ctx, pharm, action="release")
    [signature] = audit.signers_of(pharmacy.ctx, pharm, [entry.id]).signatures[entry.id]
    assert (signature.username, signature.meaning) == ("pharm", "released")


def test_a_kit_quarantined_out_of_the_filtered_list_leaves_the_panel(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under "Available", a kit quarantined leaves the list; the panel went on describing it
    as available, 42 tablets, with Quarantine still enabled and Release not."""
    answer_reason(monkeypatch, "bottle seal broken")
    screen = make_screen(qtbot, pharmacy)
    screen.status.setCurrentIndex(screen.status.findData(KitStatus.AVAILABLE.value))
    assert "K0004" in shown_kits(screen)
    screen.table.selectRow(shown_kits(screen).index("K0004"))
    assert "Kit K0004" in screen.selection_label.text()
    assert screen.quarantine_button.isEnabled()
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.quarantine_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.QUARANTINED
    assert "K0004" not in shown_kits(screen)
    assert screen.selected() == []
    assert "K0004" not in screen.selection_label.text()
    assert not screen.quarantine_button.isEnabled()
    assert not screen.release_button.isEnabled()


def test_quarantine_and_release_are_offered_for_the_kits_the_service_would_move(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both buttons were enabled for any kit, a quarantined or a destroyed one too: each is
    enabled as the service's assessment says (its refusal in the tooltip); the step itself
    still refuses a kit moved since (here by another workstation), in the form."""
    from dispensary.services import quarantine

    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0004"], "box crushed")
    destruction.destroy(
        pharmacy.ctx,
        pharm,
        ["K0006"],
        "tech",
        "Incineration on site",
        PASSWORDS["pharm"],
        reference="AUTH-1",
        witness_password=PASSWORDS["tech"],
        reason_code="damaged",
    )
    screen = make_screen(qtbot, pharmacy)

    def offered() -> tuple[bool, bool]:
        return screen.quarantine_button.isEnabled(), screen.release_button.isEnabled()

    assert offered() == (False, False)  # nothing selected
    screen.open_kit("K0005")  # available
    assert offered() == (True, False)
    assert "only quarantined kits can be released" in screen.release_button.toolTip()
    screen.open_kit("K0004")  # quarantined
    assert offered() == (False, True)
    assert screen.quarantine_button.toolTip() == (
        "Kit K0004 is quarantined; only available kits can be quarantined."
    )
    screen.open_kit("K0006")  # destroyed
    assert offered() == (False, False)
    select_kits(screen, {"K0004", "K0005"})  # one of each: the service refuses both steps
    assert offered() == (False, False)

    screen.open_kit("K0004")
    release_signed(
        pharmacy.ctx, pharm, ["K0004"], "released at the other workstation", "TE-2026-014"
    )
    answer_release(monkeypatch, "checking")
    sign_with(monkeypatch, PASSWORDS["pharm"])
    qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    assert "only quarantined kits can be released" in screen.message.text()


def test_destroy_needs_another_witness_and_a_signature(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The witness is another user, named by user name, who signs in the signature dialog."""
    acknowledge_unseen(monkeypatch)  # K0001's returned tablets: no monitor has signed off
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0001")
    qtbot.keyClicks(screen.witness, "Paula Pharm")
    qtbot.keyClicks(screen.reference, "CERT-77")
    assessed(qtbot, screen)
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert "witness must be another person" in screen.message.text()
    assert screen.reference.text() == "CERT-77"
    assert screen.witness_who.text() == ""  # no witness found: nobody named

    screen.witness.clear()
    qtbot.keyClicks(screen.witness, "Pharm Paula")  # one's own name reversed: no such user
    assessed(qtbot, screen)
    assert "There is no user &#x27;Pharm Paula&#x27;" in screen.destroy_verdict.text()
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert "There is no user 'Pharm Paula'" in screen.message.text()
    assert asked == []

    screen.witness.clear()
    qtbot.keyClicks(screen.witness, "tech")
    assessed(qtbot, screen)
    # The user name typed, and who that is: the witness's full name and role.
    assert screen.witness_who.text() == "Tom Tech (Technician)"
    screen.resize(1366, 768)
    screen.grab().save(str(pharmacy.path) + "-witness.png")
    asked = answer_signatures(
        monkeypatch, {"destroyed": PASSWORDS["pharm"], "witnessed": ["not-tech-1", None]}
    )
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert "The witness's password is wrong: tech, the witness" in screen.message.text()
    assert status_of(pharmacy, "K0001") is KitStatus.RETURNED

    asked = answer_signatures(
        monkeypatch, {"destroyed": PASSWORDS["pharm"], "witnessed": PASSWORDS["tech"]}
    )
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert [meaning for _signer, meaning, _said in asked] == ["destroyed", "witnessed"]
    assert asked[1][0] == "Tom Tech"  # the witness signs what the one destroying signed
    assert "witnessed by Tom Tech (Technician), authorised by CERT-77" in asked[1][2]
    assert asked[1][2] == asked[0][2]
    log = queries.destruction_log(pharmacy.ctx, pharmacy.actor("pharm"))
    assert log[-1].kits == ("K0001",)
    assert (log[-1].witness, log[-1].reference, log[-1].tablets) == ("Tom Tech", "CERT-77", 10)
    assert status_of(pharmacy, "K0001") is KitStatus.DESTROYED


def answer_signatures(
    monkeypatch: pytest.MonkeyPatch, passwords: dict[str, str | list[str | None] | None]
) -> list[tuple[str, str, str]]:
    """Answers each signature dialog with the password for what it signs ("destroyed",
    "witnessed"; None: cancelled; a list: one answer per ask, in turn); returns what was
    asked, in order."""
    asked: list[tuple[str, str, str]] = []

    def ask(
        cls: type, parent: object, signer: str, meaning: str, summary: str, whole: str = ""
    ) -> str | None:
        asked.append((signer, meaning, summary))
        answer = passwords[meaning]
        return answer.pop(0) if isinstance(answer, list) else answer

    monkeypatch.setattr(SignatureDialog, "ask", classmethod(ask))
    return asked


def acknowledge_unseen(monkeypatch: pytest.MonkeyPatch, answer: bool = True) -> list[str]:
    """Answers the question before returned tablets no monitor has seen are destroyed (True:
    Destroy anyway); returns the warnings shown."""
    shown: list[str] = []

    def ask(cls: type, parent: object, warning: str, _tablets_only: bool = True) -> bool:
        shown.append(warning)
        return answer

    monkeypatch.setattr(UnseenReturnsQuestion, "ask", classmethod(ask))
    return shown


def signatures_of(pharmacy: Pharmacy) -> int:
    with pharmacy.ctx.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM signatures").scalar() or 0)


def test_a_wrong_witness_password_is_typed_again_without_a_second_signature(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The witness's wrong password is refused after the one destroying signed (the service
    checks both in the one submission, and offers no check that records nothing): the witness
    types it again, and the destruction goes with the signature already given; the one
    destroying is asked once. Nothing is written on the refusal, nor when the witness cancels."""
    acknowledge_unseen(monkeypatch)  # K0001's returned tablets: no monitor has signed off
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0001")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "CERT-77")
    assessed(qtbot, screen)
    before = (
        signatures_of(pharmacy),
        len(queries.destruction_log(pharmacy.ctx, pharmacy.actor("pharm"))),
    )
    asked = answer_signatures(
        monkeypatch, {"destroyed": PASSWORDS["pharm"], "witnessed": ["not-tech-1", None]}
    )
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert [(signer, meaning) for signer, meaning, _said in asked] == [
        ("Paula Pharm", "destroyed"),
        ("Tom Tech", "witnessed"),  # wrong
        ("Tom Tech", "witnessed"),  # the witness, asked again; cancelled
    ]
    assert "The witness's password is wrong: tech, the witness" in asked[2][2]
    assert "The witness's password is wrong" in screen.message.text()
    assert status_of(pharmacy, "K0001") is KitStatus.RETURNED
    after = (
        signatures_of(pharmacy),
        len(queries.destruction_log(pharmacy.ctx, pharmacy.actor("pharm"))),
    )
    assert after == before  # nothing written

    asked = answer_signatures(
        monkeypatch,
        {"destroyed": PASSWORDS["pharm"], "witnessed": ["not-tech-2", PASSWORDS["tech"]]},
    )
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert [meaning for _signer, meaning, _said in asked] == ["destroyed", "witnessed", "witnessed"]
    assert status_of(pharmacy, "K0001") is KitStatus.DESTROYED
    assert "witnessed by Tom Tech" in screen.message.text()
    assert signatures_of(pharmacy) == before[0] + 2  # the one destroying's and the witness's


def test_an_in_date_kit_needs_a_reason_code(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["pharm"], witness=PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0003")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-9")
    assessed(qtbot, screen)
    assert "Kit K0003 is still in date and unused" in screen.destroy_verdict.text()
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert "give the reason for in-date kits" in screen.message.text()
    assert "Damaged or contaminated" in screen.message.text()
    assert asked == [] and status_of(pharmacy, "K0003") is KitStatus.AVAILABLE

    screen.reason_code.setFocus()
    QTest.keyClick(screen.reason_code, Qt.Key.Key_Down)  # the first reason: damaged
    assert screen.reason_code.currentData() == "damaged"
    assessed(qtbot, screen)
    assert "still in date" not in screen.destroy_verdict.text()
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0003") is KitStatus.DESTROYED


def test_cancelled_signature_writes_nothing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, None)
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0002")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-9")
    screen.reason_code.setFocus()
    QTest.keyClick(screen.reason_code, Qt.Key.Key_Down)
    assessed(qtbot, screen)
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert [meaning for _signer, meaning, _summary in asked] == ["destroyed"]  # cancelled
    assert status_of(pharmacy, "K0002") is KitStatus.AVAILABLE
    assert screen.witness.text() == "tech"


def test_the_witness_signs_in_the_signature_dialog_what_is_destroyed_now(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The witness typed a password into the panel, kept after the one destroying cancelled
    their signature, and it went with other kits selected since (the witness had agreed to the
    first only). No password in the panel: the witness signs in the signature dialog, after the
    one destroying, the kits, their units and the authorisation selected then, meaning
    "witnessed"; a cancel by either signer records nothing and keeps no password."""
    screen = make_screen(qtbot, pharmacy)
    typed_secretly = [
        field
        for field in screen.findChildren(QLineEdit)
        if field.echoMode() is QLineEdit.EchoMode.Password
    ]
    assert typed_secretly == []
    screen.open_kit("K0002")
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "SP-7")
    screen.reason_code.setFocus()
    QTest.keyClick(screen.reason_code, Qt.Key.Key_Down)  # damaged
    assessed(qtbot, screen)
    asked = answer_signatures(monkeypatch, {"destroyed": None, "witnessed": PASSWORDS["tech"]})
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert [meaning for _signer, meaning, _said in asked] == ["destroyed"]  # cancelled

    screen.open_kit("K0003")  # another kit selected: the witness has agreed to nothing
    assessed(qtbot, screen)
    asked = answer_signatures(monkeypatch, {"destroyed": PASSWORDS["pharm"], "witnessed": None})
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert [(signer, meaning) for signer, meaning, _said in asked] == [
        ("Paula Pharm", "destroyed"),
        ("Tom Tech", "witnessed"),  # cancelled by the witness
    ]
    witnessed = asked[1][2]
    assert "K0003 (21 tablets)" in witnessed and "authorised by SP-7" in witnessed
    assert "K0002" not in witnessed
    assert screen.message.text() == "Nothing recorded: the witness did not sign."
    assert status_of(pharmacy, "K0003") is KitStatus.AVAILABLE
    assert queries.destruction_log(pharmacy.ctx, pharmacy.actor("pharm")) == []

    asked = answer_signatures(
        monkeypatch, {"destroyed": PASSWORDS["pharm"], "witnessed": PASSWORDS["tech"]}
    )
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    [record] = queries.destruction_log(pharmacy.ctx, pharmacy.actor("pharm"))
    assert record.kits == ("K0003",) and record.witness == "Tom Tech"
    assert status_of(pharmacy, "K0002") is KitStatus.AVAILABLE


def test_returned_tablets_no_monitor_has_seen_are_destroyed_only_when_acknowledged(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Returned tablets held for the monitor were destroyed before any monitor had seen them,
    with no word: the panel shows the service's warning, Destroy asks for the acknowledgement
    (Cancel: nothing signed, nothing written), and the audit entry records it."""
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0001")  # returned on 2026-01-26; no monitor has signed off
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "CERT-77")
    assessed(qtbot, screen)
    warning = (
        "Returned tablets no monitor has seen: kit K0001 (returned 2026-01-26); no monitor has "
        "signed off the reconciliation yet."
    )
    assert warning in screen.destroy_verdict.text()
    shown = acknowledge_unseen(monkeypatch, answer=False)
    asked = sign_with(monkeypatch, PASSWORDS["pharm"], witness=PASSWORDS["tech"])
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert shown == [warning] and asked == []  # not acknowledged: no one signs
    assert status_of(pharmacy, "K0001") is KitStatus.RETURNED

    shown = acknowledge_unseen(monkeypatch)
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert shown == [warning]
    assert [meaning for _signer, meaning, _said in asked] == ["destroyed", "witnessed"]
    assert status_of(pharmacy, "K0001") is KitStatus.DESTROYED
    [entry] = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="destroy")
    assert json.loads(entry.new)["unseen_returns_acknowledged"] == ["K0001"]


def test_monitor_sees_no_actions_and_the_service_refuses_anyway(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy, "monitor")
    assert screen.destroy_box.isHidden()
    assert screen.quarantine_button.isHidden()
    assert screen.count_button.isHidden()
    with pytest.raises(NotPermitted):
        destruction.destroy(
            pharmacy.ctx, pharmacy.actor("monitor"), ["K0002"], "tech", "x", "monitorpass1"
        )


def test_technician_may_quarantine_but_not_release(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    assert not screen.quarantine_button.isHidden()
    assert screen.release_button.isHidden()
    assert screen.destroy_box.isHidden()


def test_open_kit_clears_filters_and_selects(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.status.setCurrentIndex(screen.status.findData("returned"))
    assert screen.handle_scan("k0102")
    assert screen.status.currentIndex() == 0
    assert [k.number for k in screen.selected()] == ["K0102"]
    assert not screen.handle_scan("DSP000001")
    assert not screen.handle_scan("01-002")
    assert not screen.message.isVisible()
    assert not screen.open_kit("K9999")
    assert "not in this pharmacy's stock" in screen.message.text()


def test_count_from_the_inventory_opens_the_blind_count(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, PASSWORDS["pharm"])

    def count_in_dialog(dialog: CountDialog) -> int:
        assert dialog.counter.kit.text() == "K0006"
        assert not dialog.counter.result_box.isVisibleTo(dialog)
        qtbot.keyClicks(dialog.counter.counted, "21")
        qtbot.keyClick(dialog.counter.counted, Qt.Key.Key_Return)
        qtbot.mouseClick(dialog.counter.sign_button, Qt.MouseButton.LeftButton)
        return dialog.result()

    monkeypatch.setattr(CountDialog, "exec", count_in_dialog)
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0006")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.count_button, Qt.MouseButton.LeftButton)
    assert "Count of kit K0006 recorded" in screen.message.text()
    counted = audit.list_entries(pharmacy.ctx, pharmacy.actor("pharm"), action="count")
    assert [e.entity_id for e in counted] == ["K0006"]


def test_a_count_that_differs_stays_in_the_dialog_to_be_adjusted(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dialog closed as soon as a count that differed was recorded (open): the counter
    never saw the book nor the adjustment, and the kit was left open unknowingly. It stays
    open with the book shown until the difference is adjusted (or the kit counted again, or
    left open)."""
    sign_with(monkeypatch, PASSWORDS["pharm"], witness=PASSWORDS["tech"])
    shown: list[tuple[bool, str]] = []

    def count_in_dialog(dialog: CountDialog) -> int:
        dialog.show()
        counter = dialog.counter
        qtbot.keyClicks(counter.counted, "19")
        qtbot.keyClick(counter.counted, Qt.Key.Key_Return)
        shown.append((dialog.isVisible(), counter.comparison.text()))
        counter.reason_code.setCurrentIndex(counter.reason_code.findData("breakage"))
        qtbot.keyClicks(counter.reason, "two tablets crushed in the bottle")
        qtbot.keyClicks(counter.verifier, "tech")
        qtbot.mouseClick(counter.sign_button, Qt.MouseButton.LeftButton)
        shown.append((dialog.isVisible(), counter.message.text()))
        return dialog.result()

    monkeypatch.setattr(CountDialog, "exec", count_in_dialog)
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0006")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.count_button, Qt.MouseButton.LeftButton)
    assert shown[0] == (True, "Counted 19, book 21: difference -2")
    assert shown[1][0] is False and "the ledger was adjusted by -2" in shown[1][1]
    assert "Count of kit K0006 recorded" in screen.message.text()
    assert queries.kit_detail(pharmacy.ctx, pharmacy.actor("pharm"), "K0006").tablets == 19


def test_the_table_lists_more_kits_than_sqlite_takes_variables(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """SQLite's limit on bound variables lowered to its old default (999, the new one is
    32,766) and 1,200 kits more: the screen lists every kit and shows no refusal (it once
    showed 0 rows and no message: the kits' ids went into one IN list)."""
    import sqlite3

    from sqlalchemy import event

    from dispensary.services import receiving

    pharm = pharmacy.actor("pharm")
    for first in (1001, 1601):
        kits = receiving.kits_from_range(
            pharmacy.ctx,
            f"K{first}-K{first + 599}",
            "herombopag-7.5mg",
            f"LOT{first}",
            date(2027, 12, 31),
            None,
        )
        receiving.receive_shipment(pharmacy.ctx, pharm, f"SH-{first}", kits)

    def lower(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)

    pharmacy.ctx.engine.dispose()
    event.listen(pharmacy.ctx.engine, "connect", lower)
    try:
        screen = make_screen(qtbot, pharmacy)
        assert screen.message.text() == ""
        assert "1209 kits shown" in screen.summary.text()
        assert len(every_kit(screen)) == 9 + 1200  # read a page at a time (issue 15)
        screen.status.setCurrentIndex(screen.status.findData(KitStatus.AVAILABLE.value))
        assert len(every_kit(screen)) >= 1200
        assert screen.message.text() == ""
    finally:
        event.remove(pharmacy.ctx.engine, "connect", lower)


def select_kits(screen: InventoryScreen, numbers: set[str]) -> None:
    """Ctrl-click each kit's row."""
    screen.table.clearSelection()
    for line in range(screen.proxy.rowCount()):
        index = screen.proxy.index(line, 0)
        if screen.model.row_at(screen.proxy.mapToSource(index).row()).number in numbers:
            rect = screen.table.visualRect(index)
            QTest.mouseClick(
                screen.table.viewport(),
                Qt.MouseButton.LeftButton,
                Qt.KeyboardModifier.ControlModifier,
                rect.center(),
            )


def test_the_destroy_panel_shows_the_services_verdict_before_signing(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = sign_with(monkeypatch, PASSWORDS["pharm"])
    pharm = pharmacy.actor("pharm")
    dispensing.dispense_cycle(pharmacy.ctx, pharm, "01-002", 1, RETURN_DAY, PASSWORDS["pharm"])
    out = queries.participant_history(pharmacy.ctx, pharm, "01-002")[1][0].kits[0]
    screen = make_screen(qtbot, pharmacy)
    select_kits(screen, {"K0001", "K0003"})  # returned (10 held), and on the shelf
    assert [k.number for k in screen.selected()] == ["K0001", "K0003"]
    verdict = screen.destroy_verdict.text()
    assert "2 kits, <b>31</b> tablets would leave: 21 from the shelf, 10 returned" in verdict
    assert "Give the witness&#x27;s user name" in verdict  # the paperwork is assessed too

    select_kits(screen, {"K0003", out})
    assert f"Kit {out} is dispensed: record its return first." in screen.destroy_verdict.text()
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-9")
    assessed(qtbot, screen)
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    assert f"Kit {out} is dispensed: record its return first." in screen.message.text()
    assert asked == []  # refused before the signature
    assert status_of(pharmacy, "K0003") is KitStatus.AVAILABLE


def test_the_table_shows_where_each_kit_really_is(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    """Issue 12: a kit held for the monitor (or with a participant) is not at the storage area."""
    screen = make_screen(qtbot, pharmacy)
    model = screen.model
    headers = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    where = headers.index("Where")
    held = model.rows.index(next(r for r in model.rows if r.status is KitStatus.RETURNED))
    shelf = model.rows.index(next(r for r in model.rows if r.status is KitStatus.AVAILABLE))
    held_text = model.index(held, where).data()
    assert held_text == model.rows[held].where
    assert "held for the monitor" in held_text
    assert model.index(shelf, where).data() == model.rows[shelf].where
    screen.grab().save(str(tmp_path / "inventory.png"))


def written_so_far(pharmacy: Pharmacy, screen: InventoryScreen) -> tuple[int, int]:
    """Audit entries and destructions on record (read without signing in again)."""
    actor = screen.session.actor
    return (
        len(audit.list_entries(pharmacy.ctx, actor)),
        len(queries.destruction_log(pharmacy.ctx, actor)),
    )


def test_the_destruction_date_is_chosen_in_the_panel(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: the day the kits were destroyed, today unless another is chosen; a day before
    a kit's return (or receipt) is the service's refusal, shown before anyone signs, and
    nothing is written; the day chosen is the destruction's and its ledger rows'."""
    pharmacy.clock.set_date(date(2026, 1, 30))
    acknowledge_unseen(monkeypatch)  # K0001's returned tablets: no monitor has signed off
    asked = sign_with(monkeypatch, PASSWORDS["pharm"], witness=PASSWORDS["tech"])
    screen = make_screen(qtbot, pharmacy)
    field = screen.destroyed_on
    assert field.calendarPopup() and to_date(field.date()) == date(2026, 1, 30)
    screen.open_kit("K0001")  # returned by 01-001 on 2026-01-26
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-DATE-1")
    assessed(qtbot, screen)
    assert (
        "2 kits" not in screen.destroy_verdict.text() and "1 kit, " in screen.destroy_verdict.text()
    )
    before = written_so_far(pharmacy, screen)

    field.setDate(qdate(date(2026, 1, 20)))  # re-assessed on change
    assessed(qtbot, screen)
    refusal = "Kit K0001 was returned on 2026-01-26: it cannot have been destroyed on 2026-01-20."
    assert refusal in screen.destroy_verdict.text()
    assert screen.destroy_verdict.text().count("cannot have been destroyed") == 1
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error" and refusal in screen.message.text()
    assert asked == []  # refused before the signature
    assert written_so_far(pharmacy, screen) == before
    kit = queries.kit_detail(pharmacy.ctx, screen.session.actor, "K0001")
    assert kit.status is KitStatus.RETURNED

    field.setDate(qdate(date(2026, 2, 2)))  # after today: refused too
    assessed(qtbot, screen)
    assert "is in the future (today is 2026-01-30)" in screen.destroy_verdict.text()
    qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert "is in the future" in screen.message.text()
    assert asked == [] and written_so_far(pharmacy, screen) == before

    field.setDate(qdate(date(2026, 1, 28)))
    assessed(qtbot, screen)
    assert "cannot have been destroyed" not in screen.destroy_verdict.text()
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.destroy_button, Qt.MouseButton.LeftButton)
    assert " on 2026-01-28, witnessed by Tom Tech" in asked[-1][2]
    assert "destroyed on 2026-01-28 (record 1)" in screen.message.text()
    pharm = screen.session.actor
    [record] = queries.destruction_log(pharmacy.ctx, pharm)
    assert (record.kits, record.destroyed_on) == (("K0001",), date(2026, 1, 28))
    rows = [r for r in queries.ledger_rows(pharmacy.ctx, pharm) if r.kind == "destroy"]
    assert [(r.kit, r.entry_date) for r in rows] == [("K0001", date(2026, 1, 28))]
    assert to_date(field.date()) == date(2026, 1, 30)  # today again for the next one

    # The Reports screen offers that destruction's certificate, dated as chosen.
    reports = refreshed(qtbot, ReportsScreen(pharmacy.session("monitor")), None)
    reports.choose("certificate")
    assert reports.destruction.isVisibleTo(reports)
    assert reports.destruction.currentText() == (
        "No. 1, 2026-01-28, authorisation AUTH-DATE-1, 1 kit destroyed"
    )
    with qtbot.waitSignal(reports.report_ready, timeout=30000):
        qtbot.mouseClick(reports.generate_button, Qt.MouseButton.LeftButton)
    assert reports.made is not None, reports.message.text()
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(reports.made.pdf)).pages
    )
    assert "Certificate of destruction" in text and "Destroyed on 2026-01-28" in text
    assert "Destroyed by Paula Pharm (Pharmacist) destroyed" in text
    assert "Witness Tom Tech (Technician) witnessed" in text


def test_the_product_reads_as_on_the_shelf_not_as_its_code(qtbot: Any, pharmacy: Pharmacy) -> None:
    """'7.5 mg tablet' (the dispense and receive screens' words), not 'herombopag-7.5mg'."""
    screen = make_screen(qtbot, pharmacy)
    shown = {str(screen.proxy.index(i, 1).data()) for i in range(screen.proxy.rowCount())}
    assert shown == {"7.5 mg tablet", "2.5 mg tablet"}, shown


STATUS_COLUMN, WHERE_COLUMN = 4, 6


@pytest.fixture
def styled(qapp: Any) -> Iterator[None]:
    """The program's style sheet (its fonts and paddings size the columns)."""
    from dispensary.ui.app import apply_style

    apply_style(qapp)
    yield
    qapp.setStyleSheet("")


def test_a_status_further_down_than_the_rows_read_is_not_cut(
    qtbot: Any, pharmacy: Pharmacy, styled: None
) -> None:
    """The columns were fitted to the rows read (a page), none of them quarantined: the
    quarantined kit further down read "Quarant…". The status is as wide as any status reads,
    the whereabouts take the width to spare (the table most of the window, beside a narrow
    panel), and every cell's text is its tooltip."""
    from dispensary.services import quarantine, receiving

    pharm = pharmacy.actor("pharm")
    kits = receiving.kits_from_range(
        pharmacy.ctx, "K3001-K3040", "herombopag-7.5mg", "L2801", date(2028, 6, 30), None
    )
    receiving.receive_shipment(pharmacy.ctx, pharm, "SH-30", kits)  # listed after the 9
    quarantine.quarantine(pharmacy.ctx, pharm, ["K3040"], "box crushed")  # the 49th
    screen = InventoryScreen(pharmacy.session("pharm"), page_size=5)
    qtbot.addWidget(screen)
    screen.resize(1166, 700)  # the screen's area of a 1366x768 window
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    qtbot.wait(20)
    assert all(r.status is not KitStatus.QUARANTINED for r in screen.model.rows)
    header = screen.table.horizontalHeader()
    status_width = header.sectionSize(STATUS_COLUMN)
    every_kit(screen)  # read on, as a scroll would
    line = next(i for i, r in enumerate(screen.model.rows) if r.number == "K3040")
    needed = screen.table.sizeHintForIndex(screen.proxy.index(line, STATUS_COLUMN)).width()
    assert status_width >= needed
    assert header.sectionSize(STATUS_COLUMN) == status_width
    cell = screen.model.index(line, STATUS_COLUMN)
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "Quarantined"
    where = screen.model.index(line, WHERE_COLUMN)
    assert where.data(Qt.ItemDataRole.ToolTipRole) == screen.model.rows[line].where
    sizes = [header.sectionSize(c) for c in range(header.count())]
    assert max(sizes) == sizes[WHERE_COLUMN]
    splitter = screen.findChild(QSplitter)
    panel = splitter.widget(1)
    # It took 407 pixels, the table 733; now as wide as its form needs (its placeholders read
    # whole), at most a third of the width.
    assert panel.width() <= splitter.width() // 3


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_product_is_named_alike_in_the_table_the_filter_and_the_panel(
    qtbot: Any, pharmacy: Pharmacy, language: str, request: pytest.FixtureRequest
) -> None:
    """The table said '7.5 mg tablet', the filter 'herombopag-7.5mg (7.5 mg)', the panel
    'Kit K0003: herombopag-7.5mg': one name, the table's, in Chinese the study's Chinese name."""
    if language != "en":
        request.getfixturevalue("chinese")
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0003")
    [line] = [i for i, r in enumerate(screen.model.rows) if r.number == "K0003"]
    in_table = str(screen.proxy.index(line, 1).data())
    in_filter = screen.product.itemText(screen.product.findData("herombopag-7.5mg"))
    assert in_table == in_filter == pharmacy.study.product_name("herombopag-7.5mg") or (
        language == "en" and in_table == in_filter == "7.5 mg tablet"
    )
    assert f"K0003</b>{':' if language == 'en' else '：'} {in_table}".replace("： ", "：") in (
        screen.selection_label.text()
    )
    assert "herombopag" not in screen.selection_label.text()


def test_select_all_selects_every_kit_found_or_says_how_many_of_how_many(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Select all selected the rows read (a page): '60 kits selected' beside '99 kits shown'.
    It reads the rest first (few enough kits); beyond that it says how many of how many."""
    from dispensary.services import receiving
    from dispensary.ui import inventory_view

    kits = receiving.kits_from_range(
        pharmacy.ctx, "K3001-K3040", "herombopag-7.5mg", "L2801", date(2028, 6, 30), None
    )
    receiving.receive_shipment(pharmacy.ctx, pharmacy.actor("pharm"), "SH-30", kits)
    screen = refreshed(qtbot, InventoryScreen(pharmacy.session("pharm"), page_size=20), (1166, 700))
    assert screen.model.canFetchMore() and "49 kits shown" in screen.summary.text()
    QTest.keyClick(screen.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert len(screen.selected()) == 49
    assert screen.selection_label.text().startswith("<b>49 kits selected</b>")

    monkeypatch.setattr(inventory_view, "SELECT_ALL_READS", 30)  # too many to read at once
    screen.table.clearSelection()
    screen.product.setCurrentIndex(screen.product.findData("herombopag-7.5mg"))  # a page again
    assert "46 kits shown" in screen.summary.text()
    read = screen.model.rowCount()
    assert read < 46
    screen.table.selectAll()  # as the table's corner button does
    assert len(screen.selected()) == read
    assert screen.selection_label.text().startswith(
        f"<b>{read} of 46 kits selected</b> (scroll to load the rest)"
    )


def test_typing_in_the_destroy_form_never_waits_for_the_assessment(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The assessment reads every kit selected (up to 2,000 after Select all): it runs once
    typing in the form pauses, for what is typed then, not at each keystroke or change; Destroy
    stays disabled until it has come back."""
    screen = make_screen(qtbot, pharmacy)
    screen.open_kit("K0003")
    assert screen.destroy_button.isEnabled() and not screen.assessing
    asked: list[DestroyRequest] = []
    real = destruction.assess_destroy

    def counted(ctx: Any, actor: Any, request: DestroyRequest) -> DestroyAssessment:
        asked.append(request)
        return real(ctx, actor, request)

    monkeypatch.setattr(destruction, "assess_destroy", counted)
    qtbot.keyClicks(screen.witness, "tech")
    qtbot.keyClicks(screen.reference, "AUTH-9")
    screen.to_sponsor.setChecked(True)
    screen.destroyed_on.setDate(qdate(pharmacy.clock.today()))
    assert asked == []  # no keystroke waited for the service
    assert screen.assessing and not screen.destroy_button.isEnabled()
    assessed(qtbot, screen)
    assert [(r.kits, r.witness, r.reference, r.to_sponsor) for r in asked] == [
        (("K0003",), "tech", "AUTH-9", True)
    ]
    assert screen.destroy_button.isEnabled()
    assert "Kit K0003 is still in date and unused" in screen.destroy_verdict.text()

    screen.reason_code.setCurrentIndex(screen.reason_code.findData("damaged"))
    assert not screen.destroy_button.isEnabled()
    screen.table.clearSelection()  # a new selection is assessed at once: nothing left waiting
    assert not screen.assessing and not screen.destroy_button.isEnabled()
    assert screen.destroy_verdict.text() == ""
    screen.open_kit("K0003")
    assert screen.destroy_button.isEnabled() and not screen.assessing
    assert "still in date" not in screen.destroy_verdict.text()
    assert len(asked) == 2


def test_a_release_of_a_labelled_kit_says_to_relabel_it(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a release the kit labels printed in quarantine still said QUARANTINED: DO NOT
    DISPENSE, and the window said only "Released"."""
    pharm = pharmacy.actor("pharm")
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0004"], "temperature excursion")
    labels.record_label_print(pharmacy.ctx, pharm, "kit", ["K0004"], False, "a4")
    answer_release(monkeypatch, "sponsor confirmed the kit may be used")
    sign_with(monkeypatch, PASSWORDS["pharm"])
    screen = make_screen(qtbot, pharmacy)
    assert screen.open_kit("K0004")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.release_button, Qt.MouseButton.LeftButton)
    assert status_of(pharmacy, "K0004") is KitStatus.AVAILABLE
    assert screen.message.kind == "warning"
    said = screen.message.text()
    assert said.startswith(
        "Released K0004 on the sponsor's decision TE-2026-014: sponsor confirmed the kit may be "
        "used. The kit"
    )
    assert "Relabel the kits" in said and "'released from quarantine'" in said


def test_a_kit_no_dispense_takes_is_not_shown_available_and_its_expiry_is_coloured(
    qtbot: Any, pharmacy: Pharmacy
) -> None:
    """Review: a kit received expiring the next day (too short for any cycle: its receipt
    warned every dispense refuses it) read as a green "Available", its tablets in the summary,
    while `dispensary inventory` leaves it out of "available to dispense". The screen shows the
    service's assessment: its status and expiry red, the summary the command's figures; a kit
    within the Today screen's 90-day window has its expiry amber; the others no colour."""
    from datetime import timedelta

    from dispensary.domain.codes import ExpiryStanding
    from dispensary.services import receiving

    ctx, today = pharmacy.ctx, pharmacy.clock.today()
    pharm = pharmacy.actor("pharm")
    for kits, lot, days, shipment in (
        ("K3001", "L9901", 1, "SH-TECH"),
        ("K3101-K3102", "L9902", 60, "SH-NEAR"),
    ):
        listed = receiving.kits_from_range(
            ctx, kits, "herombopag-7.5mg", lot, today + timedelta(days=days), None
        )
        receiving.receive_shipment(ctx, pharm, shipment, listed)
    screen = make_screen(qtbot, pharmacy)
    every_kit(screen)
    line = {r.number: i for i, r in enumerate(screen.model.rows)}
    expiry, status = 3, 4

    def cell(kit: str, column: int, role: Qt.ItemDataRole) -> Any:
        return screen.proxy.index(line[kit], column).data(role)

    def colour(kit: str, column: int) -> str | None:
        brush = cell(kit, column, Qt.ItemDataRole.ForegroundRole)
        return None if brush is None else brush.color().name()

    red, amber = ExpiryStanding.SHORT.colour, ExpiryStanding.NEAR.colour
    assert cell("K3001", status, Qt.ItemDataRole.DisplayRole) == "Too short-dated"
    assert colour("K3001", status) == red != KitStatus.AVAILABLE.colour
    assert cell("K3101", status, Qt.ItemDataRole.DisplayRole) == "Available"
    assert colour("K3101", status) == KitStatus.AVAILABLE.colour
    assert [colour(k, expiry) for k in ("K3001", "K3101", "K0002")] == [red, amber, None]
    said = cell("K3001", expiry, Qt.ItemDataRole.ToolTipRole)
    assert "Too short-dated" in said and "2026-01-27" in said
    # The summary: the command's "available to dispense" (queries.inventory's dispensable).
    rows = queries.inventory(ctx, pharm)
    each = {
        code: sum(r.tablets for r in rows if r.dispensable and r.product == code)
        for code in ("herombopag-7.5mg", "herombopag-2.5mg")
    }
    text = screen.summary.text()
    assert f"{each['herombopag-7.5mg']} tablets (7.5 mg tablet)" in text, text
    assert f"{each['herombopag-2.5mg']} tablets (2.5 mg tablet)" in text, text
    assert "1 kit too short-dated, not counted" in text


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_a_shipment_further_down_than_the_rows_read_is_not_cut(
    qtbot: Any, pharmacy: Pharmacy, styled: None, language: str, request: pytest.FixtureRequest
) -> None:
    """Review (in Chinese, 1366x768): the Shipment column, fitted to the rows read, cut a
    shipment read later ("SH-…" for SH-TECH) while the whereabouts had room to spare. The
    column is as wide as the study's longest shipment numbers read, the whereabouts giving way
    first."""
    from dispensary.services import receiving

    if language != "en":
        request.getfixturevalue("chinese")
    pharm = pharmacy.actor("pharm")
    kits = receiving.kits_from_range(
        pharmacy.ctx, "K3001-K3040", "herombopag-7.5mg", "L2801", date(2028, 6, 30), None
    )
    receiving.receive_shipment(pharmacy.ctx, pharm, "SH-0000", kits)
    kits = receiving.kits_from_range(
        pharmacy.ctx, "K4001-K4002", "herombopag-7.5mg", "L2901", date(2029, 6, 30), None
    )
    receiving.receive_shipment(pharmacy.ctx, pharm, "SH-TECHWWWW", kits)  # the last by expiry
    screen = InventoryScreen(pharmacy.session("pharm"), page_size=5)
    qtbot.addWidget(screen)
    screen.resize(1166, 700)  # the screen's area of a 1366x768 window
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    qtbot.wait(20)
    assert all(r.shipment != "SH-TECHWWWW" for r in screen.model.rows)
    every_kit(screen)  # read on, as a scroll would
    line = next(i for i, r in enumerate(screen.model.rows) if r.number == "K4001")
    screen.table.scrollTo(screen.proxy.index(line, 0))
    qtbot.wait(20)
    shipment = screen.model.columnCount() - 1
    header = screen.table.horizontalHeader()
    needed = screen.table.sizeHintForIndex(screen.proxy.index(line, shipment)).width()
    assert header.sectionSize(shipment) >= needed
    assert header.sectionSize(WHERE_COLUMN) > 0
