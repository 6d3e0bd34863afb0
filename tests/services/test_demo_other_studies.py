"""The demo's other studies (DEMO-28D-BID, DEMO-2DRUG) count their bottles back as their own
regimens leave them: a two-drug kit of 30 demotinib tablets for a 21-day cycle comes back with
about 9 left, not 0-3. Their reconciliation shows no flag on every cycle, only the one return
the demo flags on purpose, and that one explained."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from dispensary.db.engine import read_transaction
from dispensary.domain.codes import Flag
from dispensary.services import demo, queries, setup, studies, users
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseHistoryRow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Context, Actor]]:
    path = tmp_path_factory.mktemp("demo-others") / "demo.sqlite3"
    demo.build_demo(str(path), date(2026, 7, 1))
    ctx = setup.open_database(str(path)).context
    yield ctx, users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    ctx.engine.dispose()


def returned_cycles(ctx: Context, actor: Actor) -> list[tuple[str, DispenseHistoryRow]]:
    rows = []
    for person in queries.participants(ctx, actor):
        _row, history = queries.participant_history(ctx, actor, person.study_number)
        rows.extend((person.study_number, r) for r in history if r.returned is not None)
    return rows


def test_the_two_drug_demo_flags_one_cycle_on_purpose_and_explains_it(
    site: tuple[Context, Actor],
) -> None:
    ctx, actor = site
    two = studies.switch_study(ctx, actor, "DEMO-2DRUG")
    returned = returned_cycles(two, actor)
    assert len(returned) >= 6, returned  # three participants, two cycles back each
    flagged = [(number, row) for number, row in returned if row.flags]
    assert [(n, r.cycle, r.flags) for n, r in flagged] == [("21-002", 1, (Flag.OVER_USE,))]
    assert "demotinib twice daily" in flagged[0][1].flag_reason
    for _number, row in returned:
        assert row.adherence is not None
        assert 0.80 <= row.adherence <= 1.00 or row.flags, row
    with read_transaction(two.engine) as session:
        assert queries.open_flags(session, two) == []  # nothing left for the Today screen


def test_the_28_day_demo_returns_fit_its_regimen(site: tuple[Context, Actor]) -> None:
    ctx, actor = site
    bid = studies.switch_study(ctx, actor, "DEMO-28D-BID")
    returned = returned_cycles(bid, actor)
    assert len(returned) >= 4, returned
    assert [(n, r.cycle, r.flags) for n, r in returned if r.flags] == []
