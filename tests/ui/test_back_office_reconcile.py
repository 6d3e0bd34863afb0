"""The reconciliation screen: balances, findings, flag explanations and signed sign-off."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, build_pharmacy, sign_with
from PySide6.QtCore import Qt

from dispensary.domain.errors import NotPermitted
from dispensary.services import queries, reconciliation
from dispensary.ui.reconcile_view import ReconcileScreen
from tamper import edit_file


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield place
    place.ctx.engine.dispose()


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "pharm") -> ReconcileScreen:
    screen = ReconcileScreen(pharmacy.session(user))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    return screen


def test_balances_and_findings_are_shown(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    for model in (*screen.balances.values(), screen.discrepancies, screen.signoffs):
        qtmodeltester.check(model)
    assert screen.banner.text().startswith("BALANCED")
    assert "1 finding(s)" in screen.banner.text()
    products = {r.key: r for r in screen.balances["products"].rows}
    assert products["herombopag-7.5mg"].received == 126
    assert products["herombopag-7.5mg"].held_returned == 10
    assert len(screen.balances["kits"].rows) == 9
    assert screen.tabs.tabText(4) == "Discrepancies (1)"
    assert screen.flag_choice.currentData() == "DSP000001"
    products_view = screen.views["products"]
    model = products_view.model()
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Strength"
    strengths = {str(model.index(r, 0).data()): model.index(r, 1).data() for r in range(2)}
    assert strengths == {"herombopag-2.5mg": "2.5 mg", "herombopag-7.5mg": "7.5 mg"}
    worked_out = screen.generated.text()
    zone = screen.result.generated_at.astimezone().tzname() if screen.result else None
    assert worked_out.startswith("Worked out ") and worked_out.endswith(f" {zone}")


def test_explaining_the_flag_clears_the_finding(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    qtbot.mouseClick(screen.flag_button, Qt.MouseButton.LeftButton)
    assert screen.message.kind == "error"
    qtbot.keyClicks(screen.flag_reason, "investigator held the drug for 9 days")
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.flag_button, Qt.MouseButton.LeftButton)
    assert screen.tabs.tabText(4) == "Discrepancies (0)"
    assert not screen.flag_button.isEnabled()
    _person, history = queries.participant_history(pharmacy.ctx, pharmacy.actor("pharm"), "01-001")
    assert history[0].flag_reason == "investigator held the drug for 9 days"


def test_monitor_signs_off_with_a_signature(
    qtbot: Any, pharmacy: Pharmacy, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_with(monkeypatch, "not my password")
    screen = make_screen(qtbot, pharmacy, "monitor")
    assert screen.flag_box.isHidden()
    qtbot.keyClicks(screen.note, "visit 3: all kits seen on the shelf")
    qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert "signature password" in screen.message.text()
    assert screen.note.text() == "visit 3: all kits seen on the shelf"

    asked = sign_with(monkeypatch, PASSWORDS["monitor"])
    with qtbot.waitSignal(screen.changed):
        qtbot.mouseClick(screen.sign_button, Qt.MouseButton.LeftButton)
    assert asked[0][1] == "reconciliation signed off"
    assert "balanced, 1 finding(s)" in asked[0][2]
    result = reconciliation.reconcile(pharmacy.ctx, pharmacy.actor("monitor"))
    assert [(s.username, s.note) for s in result.signoffs] == [
        ("monitor", "visit 3: all kits seen on the shelf")
    ]
    assert screen.tabs.tabText(5) == "Sign-offs (1)"


def test_technician_cannot_sign_off(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    assert screen.sign_box.isHidden()
    with pytest.raises(NotPermitted):
        reconciliation.sign_off(pharmacy.ctx, pharmacy.actor("tech"), PASSWORDS["tech"])


def test_a_damaged_ledger_is_shown_as_not_balanced(qtbot: Any, pharmacy: Pharmacy) -> None:
    edit_file(pharmacy.path, "UPDATE ledger_entries SET quantity = 5 WHERE id = 1")
    screen = make_screen(qtbot, pharmacy)
    assert screen.banner.text().startswith("NOT BALANCED")
    findings = {d.kind for d in screen.discrepancies.rows}
    assert {"audit_chain", "unbalanced"} <= findings


def test_double_click_opens_the_participant(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.tabs.setCurrentIndex(4)
    view = screen.discrepancy_view
    index = view.model().index(0, 0)
    where = view.visualRect(index).center()
    with qtbot.waitSignal(screen.open_request) as request:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where)
    assert request.args == ["participant", "01-001"]
