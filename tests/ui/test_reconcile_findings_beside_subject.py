"""The Reconcile window's To review table named a participant twice: 01-001 in its Concerns
column, then "01-001 cycle 1: Under-use ..." in its Finding. The finding is said beside its
subject as the service words it for a table (Discrepancy.detail)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from back_office_fixtures import Pharmacy
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.services import reconciliation
from dispensary.ui.reconcile_view import ReconcileScreen


def test_the_to_review_table_names_the_participant_once(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path
) -> None:
    result = reconciliation.reconcile(pharmacy.ctx, pharmacy.actor("pharm"))
    [flag] = [d for d in result.to_review if d.kind == "adherence"]
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    screen.tabs.setCurrentIndex(screen.tabs.indexOf(screen.discrepancy_view))
    screen.resize(1200, 700)
    model = screen.discrepancy_view.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    concerns, finding = headers.index("Concerns"), headers.index("Finding")
    [row] = [r for r in range(model.rowCount()) if model.index(r, concerns).data() == flag.subject]
    said = model.index(row, finding).data()
    assert flag.subject not in said, said
    assert said == flag.detail and said.startswith("Cycle "), said
    assert flag.message.startswith(flag.subject)  # the command's line still names them
    screen.grab().save(str(tmp_path / "to_review.png"))
