"""The reconciliation window counts the findings to review as the Today screen does: a count
difference, adjusted with a signed reason, stays listed for the record but is not one of them."""

from __future__ import annotations

from typing import Any

from back_office_fixtures import Pharmacy, count_adjusted
from window_helpers import refreshed

from dispensary.services import dashboard
from dispensary.ui.reconcile_view import ReconcileScreen


def test_a_count_difference_is_on_record_not_to_review(qtbot: Any, pharmacy: Pharmacy) -> None:
    count_adjusted(pharmacy)
    today = dashboard.dashboard(pharmacy.ctx, pharmacy.actor("pharm"))
    screen = refreshed(qtbot, ReconcileScreen(pharmacy.session("pharm")), None)
    listed = screen.discrepancy_view.model().rowCount()
    review = len(today.discrepancies)
    assert listed == review  # the count difference is on record, on a tab of its own
    assert screen.on_record_view.model().rowCount() == 1
    assert f"to review: {review}" in screen.banner.text(), screen.banner.text()
    tab = screen.tabs.tabText(screen.tabs.indexOf(screen.discrepancy_view))
    assert tab == f"To review ({review})"
    on_record = screen.tabs.tabText(screen.tabs.indexOf(screen.on_record_view))
    assert on_record == "Count differences on record (1)"
