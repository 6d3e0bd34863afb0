"""The demo's other studies (DEMO-28D-BID, DEMO-2DRUG) count their bottles back as their own
regimens leave them: a two-drug kit of 30 demotinib tablets for a 21-day cycle comes back with
about 9 left, not 0-3. Their reconciliation shows no flag on every cycle, only the one return
the demo flags on purpose, and that one explained."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from dispensary.db.engine import read_transaction
from dispensary.domain.codes import Flag
from dispensary.services import counts, dashboard, demo, queries, report_data, setup, studies, users
from dispensary.services import forecast as supply
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseHistoryRow

DEMO_DAY = date(2026, 7, 1)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo-others") / "demo.sqlite3"
    demo.build_demo(str(path), DEMO_DAY)
    return path


@pytest.fixture(scope="module")
def site(demo_file: Path) -> Iterator[tuple[Context, Actor]]:
    ctx = setup.open_database(str(demo_file)).context
    yield ctx, users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    ctx.engine.dispose()


@pytest.fixture
def bid(demo_file: Path, tmp_path: Path) -> Iterator[tuple[Context, Actor]]:
    """DEMO-28D-BID in a copy of the demo of the test's own, on the demo's last day."""
    copy = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_file, copy)
    copy.chmod(0o600)
    clock = FixedClock(datetime.combine(DEMO_DAY, time(9), tzinfo=UTC))
    ctx = setup.open_database(str(copy), clock).context
    pharmacist = users.sign_in(ctx, "pharmacist", demo.DEMO_PASSWORD)
    yield studies.switch_study(ctx, pharmacist, "DEMO-28D-BID"), pharmacist
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


def test_the_28_day_demo_s_full_bottles_are_usable_on_the_today_card(
    bid: tuple[Context, Actor],
) -> None:
    """A cycle of 100 mg twice daily for 28 days takes 112 tablets, two bottles of 60: every
    full bottle serves one (kits combine), so none is left out of the usable stock. The card
    read "20 kits on hand, of which 0 last a cycle started today; 4 kits needed", short."""
    ctx, pharmacist = bid
    [need] = dashboard.dashboard(ctx, pharmacist).stock
    per_kit = ctx.study.product(need.product).tablets_per_kit
    assert (per_kit, need.participants, need.tablets_needed) == (60, 2, 224)
    assert need.kits_needed == 4 and need.tablets_on_hand == per_kit * need.kits_on_hand
    assert need.kits_usable == need.kits_on_hand > need.kits_needed
    assert not need.short


def test_the_28_day_demo_s_full_bottles_are_usable_in_the_forecast(
    bid: tuple[Context, Actor],
) -> None:
    """The forecast (`dispensary forecast --weeks 6`, its report) read 0 bottles usable of the
    20 in every week but the one whose two cycles take 4 (then 4)."""
    ctx, pharmacist = bid
    rows = supply.forecast(ctx, pharmacist, weeks=6).forecast.rows
    assert sum(r.cycles for r in rows) == 2 and sum(r.kits_needed for r in rows) == 4
    assert rows[0].kits_on_hand == 20
    assert [r.kits_usable for r in rows] == [r.kits_on_hand for r in rows]
    assert not any(r.short for r in rows)


def test_a_28_day_bottle_counted_too_small_for_a_cycle_is_not_usable(
    bid: tuple[Context, Actor],
) -> None:
    """A cycle of 112 takes a part-used bottle with one full bottle when it holds the 52 the
    full bottle leaves over (rules.least_usable_tablets); one of 20, choose_fefo puts back (two
    full bottles cover without it): not usable, on the Today card and in the forecast alike."""
    ctx, pharmacist = bid
    technician = users.sign_in(ctx, "technician", demo.DEMO_PASSWORD)
    [before] = dashboard.dashboard(ctx, pharmacist).stock
    for kit, counted in (("B2029", 55), ("B2030", 20)):
        counts.record_count(
            ctx,
            technician,
            kit,
            counted,
            demo.DEMO_PASSWORD,
            "breakage",
            "bottle dropped",
            verified_by=pharmacist.username,
            verifier_password=demo.DEMO_PASSWORD,
        )
    [after] = dashboard.dashboard(ctx, pharmacist).stock
    assert after.kits_on_hand == before.kits_on_hand
    assert after.kits_usable == before.kits_usable - 1  # B2030's 20 tablets
    week = supply.forecast(ctx, pharmacist, weeks=1).forecast.rows[0]
    assert (week.cycles, week.kits_on_hand) == (0, after.kits_on_hand)
    assert week.kits_usable == after.kits_usable


def test_the_other_studies_participants_are_confirmed_eligible_by_their_own_investigator(
    site: tuple[Context, Actor],
) -> None:
    """A DEMO-2DRUG participant's report said eligibility was confirmed by Zhenzhen Liu,
    NCT07198672's investigator, on pages whose DARF names B. Example, its own."""
    ctx, actor = site
    for protocol in ("DEMO-28D-BID", "DEMO-2DRUG"):
        other = studies.switch_study(ctx, actor, protocol)
        people = queries.participants(other, actor)
        assert people
        for person in people:
            report = report_data.participant_report(other, actor, person.study_number)
            assert report.eligibility_confirmed_by == other.study.investigator, (
                protocol,
                person.study_number,
                report.eligibility_confirmed_by,
            )
