"""The audit trail screen: filters, the full entry, and the chain verdict."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import Pharmacy, build_pharmacy
from PySide6.QtCore import Qt

from dispensary.ui.audit_view import AuditScreen
from tamper import edit_file


@pytest.fixture
def pharmacy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pharmacy]:
    place = build_pharmacy(tmp_path, tmp_path_factory.getbasetemp() / "back_office")
    yield place
    place.ctx.engine.dispose()


def make_screen(qtbot: Any, pharmacy: Pharmacy, user: str = "monitor") -> AuditScreen:
    screen = AuditScreen(pharmacy.session(user))
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    screen.refresh()
    return screen


def actions(screen: AuditScreen) -> list[str]:
    return [r.action for r in screen.model.rows]


def test_filters_by_user_action_text_and_dates(
    qtbot: Any, qtmodeltester: Any, pharmacy: Pharmacy
) -> None:
    screen = make_screen(qtbot, pharmacy)
    qtmodeltester.check(screen.model)
    assert "dispense" in actions(screen)
    assert screen.count.text().startswith(f"{len(screen.model.rows)} entries")

    screen.user.setCurrentIndex(screen.user.findData("pharm"))
    screen.action.setCurrentIndex(screen.action.findData("receive"))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert [r.entity_id for r in screen.model.rows] == ["SH-1", "SH-2"]

    screen.action.setCurrentIndex(0)
    qtbot.keyClicks(screen.text, "01-002")
    qtbot.keyClick(screen.text, Qt.Key.Key_Return)
    assert actions(screen) == ["enroll"]

    screen.text.clear()
    screen.user.setCurrentIndex(0)
    screen.dates.set_range(date(2026, 1, 26), date(2026, 1, 26))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    assert "return" in actions(screen)
    assert "dispense" not in actions(screen)


def test_selected_entry_is_shown_in_full(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy)
    screen.action.setCurrentIndex(screen.action.findData("dispense"))
    qtbot.mouseClick(screen.apply, Qt.MouseButton.LeftButton)
    screen.table.selectRow(0)
    assert "Record: dispense DSP000001" in screen.detail.toPlainText()
    assert '"cycle": 1' in screen.detail.toPlainText()


def test_verify_reports_an_intact_chain(qtbot: Any, pharmacy: Pharmacy) -> None:
    screen = make_screen(qtbot, pharmacy, "tech")
    assert not screen.verdict.isVisible()
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.isVisible()
    assert screen.verdict.text().startswith("CHAIN INTACT")


def test_verify_names_the_entry_changed_behind_the_program(qtbot: Any, pharmacy: Pharmacy) -> None:
    edit_file(pharmacy.path, "UPDATE audit_entries SET reason = 'edited' WHERE id = 9")
    screen = make_screen(qtbot, pharmacy)
    qtbot.mouseClick(screen.verify_button, Qt.MouseButton.LeftButton)
    assert screen.verdict.text().startswith("CHAIN BROKEN")
    assert "First entry that does not match: 9" in screen.verdict.text()
    chosen = screen.table.selectionModel().selectedRows()
    assert [screen.proxy.index(i.row(), 0).data() for i in chosen] == ["9"]
