"""The Reconcile window's To review table named a participant twice: 01-001 in its Concerns
column, then "01-001 cycle 1: Under-use ..." in its Finding. The finding is said beside its
subject as the service words it for a table (Discrepancy.detail)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from back_office_fixtures import PASSWORDS, Pharmacy, count_adjusted
from PySide6.QtCore import Qt
from window_helpers import refreshed

from dispensary.domain.codes import DiscrepancyKind
from dispensary.i18n import Language, speaking
from dispensary.services import counts, quarantine, reconciliation
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


def _findings_shown(view: Any) -> dict[str, str]:
    """A findings table's Finding by its Concerns (the columns of ui.reconcile_view's
    finding_columns: Kind, Concerns, Date, Finding), in whatever language it speaks."""
    model = view.model()
    return {model.index(r, 1).data(): model.index(r, 3).data() for r in range(model.rowCount())}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_findings_tables_name_the_kit_once(
    qtbot: Any, pharmacy: Pharmacy, tmp_path: Path, request: pytest.FixtureRequest, language: str
) -> None:
    """ "K0004 | Count of kit K0004 on ...", "K0005 | ... 1 kit in quarantine ... (K0005)": a
    kit's findings said beside it, in the To review table and the count differences on record."""
    if language != "en":
        request.getfixturevalue("chinese")
    pharm = pharmacy.actor("pharm")
    count_adjusted(pharmacy)  # K0003: a count difference on record
    counts.record_count(pharmacy.ctx, pharmacy.actor("tech"), "K0004", 19, PASSWORDS["tech"])
    quarantine.quarantine(pharmacy.ctx, pharm, ["K0005"], "Cap seal broken.")
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    screen.resize(1200, 700)
    with speaking(Language(language)):
        result = reconciliation.reconcile(pharmacy.ctx, pharm)
    found = {(d.kind, d.subject): d for d in result.discrepancies}
    to_review = _findings_shown(screen.discrepancy_view)
    on_record = _findings_shown(screen.on_record_view)
    for kind, kit, shown in (
        ("count_open", "K0004", to_review),
        ("quarantine_open", "K0005", to_review),
        ("count_difference", "K0003", on_record),
    ):
        finding = found[(DiscrepancyKind(kind), kit)]
        assert kit in finding.message  # the command's line still names it
        assert shown[kit] == finding.detail, shown[kit]
        assert kit not in shown[kit], shown[kit]
    said = to_review["K0004"]
    assert said.startswith("2026-01-26 的盘点" if language != "en" else "Count on 2026-01-26: ")
    screen.tabs.setCurrentIndex(screen.tabs.indexOf(screen.discrepancy_view))
    screen.grab().save(str(tmp_path / f"to_review_kits_{language}.png"))
    screen.tabs.setCurrentIndex(screen.tabs.indexOf(screen.on_record_view))
    screen.grab().save(str(tmp_path / f"on_record_kits_{language}.png"))
