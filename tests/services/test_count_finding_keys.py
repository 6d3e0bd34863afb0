"""A finding's key (Discrepancy.key) tells it from every other of the reconciliation: two
counts of one kit on one day, each a difference, had one key (their kind, kit and day), so the
one of them a screen chose by it was the first. The count's id tells them apart."""

from __future__ import annotations

from collections.abc import Callable

from dispensary.domain.codes import DiscrepancyKind
from dispensary.services import counts, reconciliation
from dispensary.services.context import Actor, Context

from .conftest import Stock


def test_counts_of_one_kit_on_one_day_have_each_their_key(
    ctx: Context, stock: Stock, pharmacist: Actor, pw: Callable[[Actor], str]
) -> None:
    for counted in (19, 18, 17):  # each counted again the same day, none adjusted
        counts.record_count(ctx, pharmacist, "K0003", counted, pw(pharmacist))
    found = [
        d for d in reconciliation.reconcile(ctx, pharmacist).discrepancies if d.subject == "K0003"
    ]
    assert [d.kind for d in found] == [
        DiscrepancyKind.COUNT_DIFFERENCE,
        DiscrepancyKind.COUNT_DIFFERENCE,
        DiscrepancyKind.COUNT_OPEN,
    ]
    assert len({d.on for d in found}) == 1
    assert len({d.key for d in found}) == 3
