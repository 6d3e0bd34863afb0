"""The unexplained adherence flags found from the whole study read at once
(queries.flagged_participants) are exactly those the participants' histories show one by one:
the reconciliation and the Today screen read them so at the size of a site after years."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispensary.db.engine import read_transaction
from dispensary.db.models import Participant
from dispensary.services import demo, queries, setup
from dispensary.services.context import Context
from dispensary.services.results import DispenseHistoryRow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """The demo pharmacy: flags explained and not, corrections, a void, participants who left."""
    path = Path(tmp_path_factory.mktemp("flags")) / "demo.sqlite3"
    demo.build_demo(str(path))
    ctx = setup.open_database(str(path)).context
    yield ctx
    ctx.engine.dispose()


def one_by_one(ctx: Context) -> list[tuple[str, DispenseHistoryRow]]:
    """open_flags as it was: every participant's history read in full."""
    found = []
    with read_transaction(ctx.engine) as session:
        people = session.query(Participant).where(Participant.study_id == ctx.study_id)
        for p in people.order_by(Participant.study_number):
            for row in queries.history_rows(session, ctx, p.id):
                if row.flags and not row.flag_reason:
                    found.append((p.study_number, row))
    return found


def test_the_flags_found_at_once_are_those_of_each_history(site: Context) -> None:
    expected = one_by_one(site)
    with read_transaction(site.engine) as session:
        flagged = queries.flagged_participants(session, site)
        found = queries.open_flags(session, site)
        everyone = session.query(Participant).count()
    assert expected, "the demo has unexplained flags to find"
    assert found == expected
    with read_transaction(site.engine) as session:
        numbers = {
            p.id: p.study_number
            for p in session.query(Participant).where(Participant.id.in_(flagged))
        }
    assert set(numbers.values()) == {number for number, _row in expected}
    assert len(flagged) < everyone  # explained flags and clean histories are left out
