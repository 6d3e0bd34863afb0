"""The Today screen's read (services.dashboard): who is due and whose return is pending come from
each participant's last live dispense, read for everyone at once, as queries.participant_row
gives them one by one; the reconciliation's findings are read again whenever an audit entry was
written since the last read, or the day changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from dispensary.db.engine import is_sqlite, make_engine, read_transaction
from dispensary.db.models import Kit, Participant
from dispensary.domain.codes import DiscrepancyKind, KitStatus, ParticipantStatus
from dispensary.domain.rules import supply_cover_until
from dispensary.services import (
    audit_check,
    counts,
    dashboard,
    dispensing,
    participants,
    queries,
    returns,
    studies,
    users,
)
from dispensary.services.common import kit_contents, last_live_dispense, status_now
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.queries import participant_row
from dispensary.study import Study

from .conftest import Stock
from .helpers import EARLY, LATE, P75, busy_pharmacy, dispense, enroll, receive, scalar, sql
from .test_query_plans import SMALL, capturing, full_scans

Password = Callable[[Actor], str]


def _overdue(snapshot: dashboard.Dashboard) -> list[str]:
    return [d.subject for d in snapshot.discrepancies if d.kind is DiscrepancyKind.RETURN_OVERDUE]


def test_due_and_pending_returns_are_participant_row_s(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    password = pw(pharmacist)
    enroll(ctx, pharmacist, "01-002", "CD")
    enroll(ctx, pharmacist, "01-003", "EF")
    first = dispense(ctx, pharmacist, password, "01-001")
    dispense(ctx, pharmacist, password, "01-002")
    returns.record_return(ctx, pharmacist, first.kits[0].kit, 0, password, dispense=first.number)
    clock.set_date(clock.today() + timedelta(days=25))
    snapshot = dashboard.dashboard(ctx, pharmacist, due_within_days=60)
    with read_transaction(ctx.engine) as session:
        rows = [
            participant_row(session, ctx, p)
            for p in session.scalars(
                select(Participant).where(Participant.status == ParticipantStatus.ON_TREATMENT)
            )
        ]
    due = {d.study_number: (d.next_cycle, d.due) for d in snapshot.due}
    assert len(rows) == len(due) == 3
    for row in rows:
        assert due[row.study_number] == (row.next_cycle, row.next_due or row.enrolled_on)
    pending = [r.study_number for r in rows if r.return_pending]
    assert [r.study_number for r in snapshot.returns_pending] == pending
    assert due["01-001"][0] == 2 and due["01-002"][0] == 2 and due["01-003"][0] == 1
    assert [r.study_number for r in snapshot.returns_pending] == ["01-002"]


def test_a_return_is_not_yet_due_then_due_then_overdue_on_the_participant_row(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The register reads the row's facts: a bottle out is due back once its last day of supply
    has passed (rules.return_due, the Today screen's returns pending), overdue once the cycle
    and the grace period have (rules.return_overdue, the reconciliation's finding)."""
    given = dispense(ctx, pharmacist, pw(pharmacist), "01-001")
    study = ctx.study
    day1 = given.day1
    last_day = day1 + timedelta(days=study.cycle.days_of_supply - 1)
    late_after = day1 + timedelta(days=study.cycle.length_days + study.return_grace_days)
    for day, due, overdue in (
        (day1, False, False),
        (last_day, False, False),
        (last_day + timedelta(days=1), True, False),
        (late_after, True, False),
        (late_after + timedelta(days=1), True, True),
    ):
        clock.set_date(day)
        [row] = [r for r in queries.participants(ctx, pharmacist) if r.study_number == "01-001"]
        assert row.return_pending
        assert (row.return_due, row.return_overdue) == (due, overdue), day
        today = dashboard.dashboard(ctx, pharmacist)
        assert [p.study_number for p in today.returns_pending] == (["01-001"] if due else [])
    returns.record_return(
        ctx, pharmacist, given.kits[0].kit, 0, pw(pharmacist), dispense=given.number
    )
    [row] = [r for r in queries.participants(ctx, pharmacist) if r.study_number == "01-001"]
    assert not (row.return_pending or row.return_due or row.return_overdue)


def test_a_discontinued_participants_bottle_is_still_due_back_on_the_today_screen(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The bottle a participant took before stopping treatment is the return most worth
    chasing: the Today screen lists it, as the register says it is due."""
    given = dispense(ctx, pharmacist, pw(pharmacist), "01-001")
    participants.set_status(
        ctx, pharmacist, "01-001", "discontinued", "withdrew consent", password=pw(pharmacist)
    )
    clock.set_date(given.day1 + timedelta(days=ctx.study.cycle.days_of_supply + 2))
    [row] = [r for r in queries.participants(ctx, pharmacist) if r.study_number == "01-001"]
    assert row.return_due
    today = dashboard.dashboard(ctx, pharmacist)
    assert [p.study_number for p in today.returns_pending] == ["01-001"]
    assert "01-001" not in [d.study_number for d in today.due]  # no next cycle


def test_findings_are_read_again_after_a_step(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    password = pw(pharmacist)
    given = dispense(ctx, pharmacist, password, "01-001")
    clock.set_date(clock.today() + timedelta(days=60))
    first = dashboard.dashboard(ctx, pharmacist)
    assert _overdue(first) == ["01-001"]
    again = dashboard.dashboard(ctx, pharmacist, since=first.verification.point)
    assert again.discrepancies == first.discrepancies  # nothing written since: the same
    returns.record_return(ctx, pharmacist, given.kits[0].kit, 0, password, dispense=given.number)
    after = dashboard.dashboard(ctx, pharmacist, since=again.verification.point)
    assert after.verification.ok and after.verification.new_entries
    assert _overdue(after) == []  # the return's entry: the findings were read again


def test_findings_are_read_again_the_next_day(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """A return falls overdue with the day alone, no entry written."""
    password = pw(pharmacist)
    dispense(ctx, pharmacist, password, "01-001")
    clock.set_date(clock.today() + timedelta(days=ctx.study.cycle.length_days))
    first = dashboard.dashboard(ctx, pharmacist)
    assert _overdue(first) == []
    clock.set_date(clock.today() + timedelta(days=ctx.study.return_grace_days + 1))
    later = dashboard.dashboard(ctx, pharmacist, since=first.verification.point)
    assert _overdue(later) == ["01-001"]


def test_the_table_of_all_studies_reuses_each_studys_findings_while_nothing_is_written(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each study is read in a context of its own at every refresh (its study file parsed
    again): the findings are kept by the study's content, not by the object holding it, so a
    refresh with nothing written reconciles no study again; a step in any study does."""
    other = study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT-OTHER-1"')
    studies.add_study(ctx, admin, other, "other.toml", "second protocol opens")
    actor = users.sign_in(ctx, admin.username, pw(admin))
    reconciled: list[int] = []
    real = dashboard.findings_session

    def counted(session: Any, of: Context, *args: Any, **kwargs: Any) -> Any:
        reconciled.append(of.study_id)
        return real(session, of, *args, **kwargs)

    monkeypatch.setattr(dashboard, "findings_session", counted)
    first = dashboard.all_studies(ctx, actor)
    assert sorted(line.protocol for line in first) == ["NCT-OTHER-1", "NCT07198672"]
    assert len(reconciled) == 2
    assert dashboard.all_studies(ctx, actor) == first
    assert len(reconciled) == 2  # nothing written: nothing reconciled again
    enroll(ctx, pharmacist, "01-009")
    dashboard.all_studies(ctx, actor)
    assert len(reconciled) == 4  # an entry was written: every study read again


def test_the_last_live_dispense_of_everyone_is_live_dispenses_last(
    ctx: Context,
    clock: FixedClock,
    study: Study,
    stock: Stock,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
) -> None:
    """common.last_live_dispense, read for everyone at once, names queries.live_dispenses'
    last: a voided last cycle leaves the cycle before it, a cycle voided and dispensed again
    its new attempt; the Today screen of each study reads its own participants only."""
    password = pw(pharmacist)
    busy_pharmacy(ctx, clock, pharmacist, password)  # 01-002: cycle 1 voided, dispensed again
    enroll(ctx, pharmacist, "01-003", "EF")  # never dispensed
    clock.set_date(date(2026, 2, 23))
    wrong = dispense(
        ctx,
        pharmacist,
        password,
        "01-001",
        cycle=3,
        override_reason="in hand",
        overrides=["previous_return_missing"],
    )
    dispensing.void_dispense(ctx, pharmacist, wrong.number, "wrong participant", password)
    other_text = study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT-OTHER-1"')
    studies.add_study(ctx, admin, other_text, "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, pharmacist.username, "NCT-OTHER-1", True, "both protocols")
    both = users.sign_in(ctx, pharmacist.username, password)
    other = studies.switch_study(ctx, both, "NCT-OTHER-1")
    receive(other, both, "K0101-K0103", "L9", LATE)
    # The same number, in the other study: refused now, kept by a pharmacy enrolled before.
    with pytest.MonkeyPatch.context() as before_the_rule:
        before_the_rule.setattr(participants, "_check_number_free", lambda *_a: None)
        enroll(other, both, "01-001", "GH")
    dispense(other, both, password, "01-001")

    with read_transaction(ctx.engine) as session:
        people = list(session.scalars(select(Participant)))
        lasts = dict(
            session.execute(select(Participant.id, last_live_dispense(Participant.id))).all()
        )
        expected = {}
        for person in people:
            live = queries.live_dispenses(session, person.id)
            expected[person.id] = live[-1].id if live else None
    assert len(people) == 4 and lasts == expected
    assert sum(1 for last in expected.values() if last is None) == 1  # 01-003

    for place in (ctx, other):
        snapshot = dashboard.dashboard(place, both, due_within_days=60)
        with read_transaction(place.engine) as session:
            mine = [
                participant_row(session, place, p)
                for p in session.scalars(
                    select(Participant)
                    .where(Participant.study_id == place.study_id)
                    .order_by(Participant.study_number)
                )
            ]
        assert [(d.study_number, d.next_cycle, d.due) for d in snapshot.due] == sorted(
            ((r.study_number, r.next_cycle, r.next_due or r.enrolled_on) for r in mine),
            key=lambda item: (item[2], item[0]),
        )
        assert {p.study_number for p in snapshot.returns_pending} <= {
            r.study_number for r in mine if r.return_pending
        }
    first = dashboard.dashboard(ctx, both, due_within_days=60)
    assert {d.study_number: d.next_cycle for d in first.due} == {
        "01-001": 3,  # cycle 3 voided: cycle 2 is the last
        "01-002": 2,  # cycle 1's second attempt
        "01-003": 1,
    }


def test_the_shelf_is_each_kit_s_contents_summed(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The tablets on the shelf, summed per lot in SQL and balanced once, are the sum of each
    kit's contents (kit_contents) over the kits available and not expired; the kits expiring
    within the window are listed whole."""
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))  # dispenses, a void, a count, returns
    clock.set_date(EARLY - timedelta(days=30))
    snapshot = dashboard.dashboard(ctx, pharmacist)
    today = clock.today()
    with read_transaction(ctx.engine) as session:
        kits = [
            k
            for k in session.scalars(select(Kit).where(Kit.status == KitStatus.AVAILABLE.value))
            if status_now(k, today) is KitStatus.AVAILABLE
        ]
        tablets = {p.code: 0 for p in ctx.study.products}
        count = {p.code: 0 for p in ctx.study.products}
        for kit in kits:
            tablets[kit.product] += kit_contents(session, kit)
            count[kit.product] += 1
        soon = sorted(
            (k.lot.expiry, k.lot.number, k.number)
            for k in kits
            if k.lot.expiry <= today + timedelta(days=dashboard.EXPIRY_WINDOW_DAYS)
        )
    assert {s.product: (s.kits_on_hand, s.tablets_on_hand) for s in snapshot.stock} == {
        code: (count[code], tablets[code]) for code in tablets
    }
    assert count[P75] > 0 and tablets[P75] % 21 != 0  # a count adjusted one kit
    assert [(k.expiry, k.lot, k.number) for k in snapshot.expiring] == soon and soon
    assert all(k.days_left == (k.expiry - today).days for k in snapshot.expiring)
    clock.set_date(EARLY + timedelta(days=1))  # lot L2 past its expiry: off the shelf
    later = dashboard.dashboard(ctx, pharmacist)
    assert later.expiring == ()
    assert {s.product: s.kits_on_hand for s in later.stock}[P75] == count[P75] - len(soon)


def test_stock_is_measured_by_the_kits_a_cycle_started_today_could_take(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
) -> None:
    """Lot L2 is on the shelf and not expired, but expires before a cycle started today would
    end (rules.supply_cover_until): the counter would never hand it out, so the card measures
    the next cycles against the other kits and says it is short where it said it covered."""
    cycle = ctx.study.cycle
    clock.set_date(EARLY - timedelta(days=cycle.days_of_supply))
    today = clock.today()
    cover = supply_cover_until(today, cycle.days_of_supply, cycle.expiry_margin_days)
    snapshot = dashboard.dashboard(ctx, pharmacist)
    with read_transaction(ctx.engine) as session:
        kits = [
            (k.product, k.lot.expiry)
            for k in session.scalars(select(Kit).where(Kit.status == KitStatus.AVAILABLE.value))
            if status_now(k, today) is KitStatus.AVAILABLE
        ]
    on_hand = {p.code: sum(1 for k in kits if k[0] == p.code) for p in ctx.study.products}
    lasting = {
        p.code: sum(1 for k in kits if k[0] == p.code and k[1] >= cover) for p in ctx.study.products
    }
    assert {s.product: s.kits_on_hand for s in snapshot.stock} == on_hand
    assert {s.product: s.kits_usable for s in snapshot.stock} == lasting
    assert lasting[P75] == on_hand[P75] - 10, "lot L2's ten kits on hand, none usable"
    for need in snapshot.stock:
        assert need.short == (need.kits_usable < need.kits_needed)
    # A lasting kit left with 20 tablets by a breakage count serves no cycle of 21 alone: not
    # usable, as the forecast counts it (the card read it usable beside a forecast short).
    with read_transaction(ctx.engine) as session:
        broken = next(
            k.number
            for k in session.scalars(select(Kit).where(Kit.status == KitStatus.AVAILABLE.value))
            if k.product == P75 and k.lot.expiry >= cover
        )
    counts.record_count(
        ctx,
        technician,
        broken,
        20,
        pw(technician),
        "breakage",
        "one crushed",
        verified_by=pharmacist.username,
        verifier_password=pw(pharmacist),
    )
    after = {s.product: s.kits_usable for s in dashboard.dashboard(ctx, pharmacist).stock}
    assert after[P75] == lasting[P75] - 1


def test_a_refresh_reads_the_shelf_and_the_participants_by_index(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """A refresh after a step (the findings carried forward, the figures read again) reads no
    big table whole: the shelf by the kits' study and status, each participant's last dispense
    by its index. With nothing written since, it reads next to nothing (the figures kept)."""
    if not is_sqlite(ctx.engine):
        pytest.skip("the query plans asked of SQLite")
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))
    first = dashboard.dashboard(ctx, pharmacist)
    with capturing(ctx) as unchanged:
        kept = dashboard.dashboard(ctx, pharmacist, since=first.verification.point)
    assert kept.due == first.due and kept.stock == first.stock
    assert full_scans(ctx, unchanged, SMALL) == []
    enroll(ctx, pharmacist, "01-777", "ZZ")
    with capturing(ctx) as captured:
        again = dashboard.dashboard(ctx, pharmacist, since=kept.verification.point)
    assert [s.kits_on_hand for s in again.stock] == [s.kits_on_hand for s in first.stock]
    assert sum(s.participants for s in again.stock) == sum(s.participants for s in first.stock) + 1
    assert len(captured.queries) > len(unchanged.queries) + 4  # read again, not kept
    assert full_scans(ctx, captured, SMALL) == []


def test_the_table_of_all_studies_takes_the_study_on_show_from_its_figures(
    ctx: Context,
    study: Study,
    admin: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Today screen reads its own study, then the table of all studies: that study's line
    is made from the figures just read, not read again; the table is the one read whole."""
    other = study.source_text.replace('protocol = "NCT07198672"', 'protocol = "NCT-OTHER-1"')
    studies.add_study(ctx, admin, other, "other.toml", "second protocol opens")
    actor = users.sign_in(ctx, admin.username, pw(admin))
    shown = dashboard.dashboard(ctx, actor)
    whole = dashboard.all_studies(ctx, actor)
    read: list[str] = []
    real = dashboard.dashboard

    def counted(of: Context, *args: Any, **kwargs: Any) -> dashboard.Dashboard:
        read.append(of.study.protocol)
        return real(of, *args, **kwargs)

    monkeypatch.setattr(dashboard, "dashboard", counted)
    assert dashboard.all_studies(ctx, actor, shown=shown) == whole
    assert read == ["NCT-OTHER-1"]


def test_figures_kept_while_nothing_is_written_read_again_after_another_workstation_s_step(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """A refresh with no entry written since reuses the last figures; a step written at another
    workstation (its own engine on the same database) moves the trail's point, so the next
    refresh reads them again: a participant enrolled there is due, a last dispense voided there
    leaves the cycle before it (none: cycle 1 due again, no return pending)."""
    password = pw(pharmacist)
    given = dispense(ctx, pharmacist, password, "01-001")
    clock.set_date(clock.today() + timedelta(days=ctx.study.cycle.length_days))
    first = dashboard.dashboard(ctx, pharmacist)
    assert [(d.study_number, d.next_cycle) for d in first.due] == [("01-001", 2)]
    assert [r.study_number for r in first.returns_pending] == ["01-001"]
    again = dashboard.dashboard(ctx, pharmacist, since=first.verification.point)
    assert again.stock is first.stock and again.due is first.due  # kept: nothing read again
    assert again.checked_at == clock.now() and again.verification.new_entries == 0

    other = Context(make_engine(ctx.database), ctx.study, clock, ctx.database)
    enroll(other, pharmacist, "01-002", "CD")
    after = dashboard.dashboard(ctx, pharmacist, since=again.verification.point)
    assert after.verification.ok and after.verification.new_entries
    assert [(d.study_number, d.next_cycle) for d in after.due] == [("01-001", 2), ("01-002", 1)]
    need = {s.product: s.participants for s in after.stock}
    assert need[P75] == 2

    dispensing.void_dispense(  # a cycle later: its kits scanned back
        other, pharmacist, given.number, "wrong participant", password, [k.kit for k in given.kits]
    )
    voided = dashboard.dashboard(ctx, pharmacist, since=after.verification.point)
    assert [(d.study_number, d.next_cycle) for d in voided.due] == [
        ("01-001", 1),
        ("01-002", 1),
    ]
    assert voided.returns_pending == ()
    # What was kept and carried forward is what a read of everything gives.
    dashboard._KEPT.clear()
    fresh = dashboard.dashboard(ctx, pharmacist)
    for field in ("stock", "expiring", "due", "returns_pending", "discrepancies"):
        assert getattr(voided, field) == getattr(fresh, field), field
    other.engine.dispose()


def test_a_long_trail_is_checked_in_full_in_a_process_of_its_own(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With no point kept, a long trail's full check runs in a child process (the window's
    keeps a small high-water mark); the child writes the point and the read checks from it. A
    trail that does not verify there is checked here in full, and the finding shown. On
    PostgreSQL too: the child is given the server's URL."""
    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))

    def not_here(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the full check ran in the window's process")

    # A context of its own: undoing it keeps the fixtures' patches (DISPENSARY_HOME, where a
    # server's point file is kept).
    with monkeypatch.context() as patched:
        patched.setattr(dashboard, "APART_ENTRIES", 1)
        patched.setattr(audit_check, "verify_session", not_here)
        assert audit_check.kept_point(ctx) is None
        snapshot = dashboard.dashboard(ctx, pharmacist)
        kept = audit_check.kept_point(ctx)
        assert kept is not None and kept.full_at == clock.now()  # written by the child
        assert snapshot.verification.ok and snapshot.verification.new_entries == 0
        assert snapshot.verification.point == kept.point
        assert not dashboard.check_apart(ctx)  # the point holds: nothing to check apart

    # A trail that does not verify: the child says so, and the check here finds what.
    audit_check.point_file(ctx).unlink()
    row = scalar(ctx, "SELECT MAX(id) FROM ledger_entries")
    sql(ctx, "UPDATE ledger_entries SET quantity = quantity + 1 WHERE id = :i", i=row)
    monkeypatch.setattr(dashboard, "APART_ENTRIES", 1)
    assert not dashboard.check_apart(ctx)

    def no_child(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a child started again for a trail it found not to verify")

    with monkeypatch.context() as patched:
        patched.setattr(dashboard.subprocess, "run", no_child)
        assert not dashboard.check_apart(ctx)  # the same chain: checked here at once
    failed = dashboard.dashboard(ctx, pharmacist)
    assert not failed.verification.ok and f"ledger row {row}" in failed.verification.message
    assert audit_check.kept_point(ctx) is None
    monkeypatch.setattr(dashboard, "APART_ENTRIES", 10**9)  # short: checked here
    assert not dashboard.check_apart(ctx)


def test_a_stalled_check_apart_is_stopped_and_the_check_made_here(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that does not finish in APART_TIMEOUT_S is killed (subprocess.run's timeout) and
    the window's read checks the trail itself, rather than waiting for ever."""
    monkeypatch.setattr(dashboard, "APART_ENTRIES", 1)
    asked: list[float] = []

    def stalled(*args: Any, **kwargs: Any) -> Any:
        asked.append(kwargs["timeout"])
        raise dashboard.subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(dashboard.subprocess, "run", stalled)
    assert not dashboard.check_apart(ctx)
    assert asked == [dashboard.APART_TIMEOUT_S]


def test_the_table_of_all_studies_kept_while_nothing_is_written_anywhere(
    ctx: Context,
    clock: FixedClock,
    study: Study,
    enrolled: str,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The screen's refresh (the study on show read, its trail verified, then the table): with
    no entry written since, the other studies' lines are the last ones, the shown study's made
    from its new figures; a participant enrolled in the other study at another workstation
    moves the chain head, and every line is read again."""
    other_protocol = "NCT-OTHER-2"
    other = study.source_text.replace('protocol = "NCT07198672"', f'protocol = "{other_protocol}"')
    studies.add_study(ctx, admin, other, "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, pharmacist.username, other_protocol, True, "both protocols")
    actor = users.sign_in(ctx, pharmacist.username, pw(pharmacist))
    listed: list[int] = []
    real = dashboard.list_studies

    def counted(*args: Any, **kwargs: Any) -> Any:
        listed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(dashboard, "list_studies", counted)

    def refresh(since: Any) -> tuple[dashboard.Dashboard, tuple[dashboard.StudySummary, ...]]:
        shown = dashboard.dashboard(ctx, actor, since=since)
        point = shown.verification.point
        return shown, dashboard.all_studies(ctx, actor, since=point, shown=shown)

    shown, first = refresh(None)
    assert [line.protocol for line in first] == sorted(["NCT07198672", other_protocol])
    assert len(listed) == 1
    shown, again = refresh(shown.verification.point)
    assert again == first and len(listed) == 1  # kept: nothing read again
    elsewhere = Context(make_engine(ctx.database), ctx.study, clock, ctx.database)
    enroll(studies.switch_study(elsewhere, actor, other_protocol), actor, "02-001", "XY")
    shown, after = refresh(shown.verification.point)
    assert len(listed) == 2
    due = {line.protocol: line.due for line in after}
    assert due == {"NCT07198672": 1, other_protocol: 1}
    assert {line.protocol: line.due for line in first} == {"NCT07198672": 1, other_protocol: 0}
    # Not kept without the shown study's verified figures (a caller of its own).
    assert dashboard.all_studies(ctx, actor) == after and len(listed) == 3
    elsewhere.engine.dispose()


def test_due_this_week_is_the_forecasts_week_one(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """ "Due this week" and the forecast's week 1 are one week: today and the six days after. A
    participant due the seventh day after today (next Saturday, seen from a Saturday) was
    counted due "within a week" while the forecast put the cycle in week 2."""
    from dispensary.services import forecast

    given = dispense(ctx, pharmacist, pw(pharmacist), enrolled)
    next_due = given.day1 + timedelta(days=ctx.study.cycle.length_days)
    for days_before, due in ((7, False), (6, True)):
        clock.set_date(next_due - timedelta(days=days_before))
        snapshot = dashboard.dashboard(ctx, pharmacist)
        planned = forecast.forecast(ctx, pharmacist).forecast
        in_week_one = any(
            c.participant == enrolled and c.day1 < planned.rows[0].start + timedelta(days=7)
            for c in planned.cycles
        )
        assert [d.study_number for d in snapshot.due] == ([enrolled] if due else [])
        assert in_week_one is due


def test_an_empty_study_is_not_assessed_covered(ctx: Context, pharmacist: Actor) -> None:
    """Right after the set-up (no kit received, nobody enrolled) the Today screen said the
    stock covered everyone's next cycle and every cycle of the next 12 weeks."""
    from dispensary.services import forecast
    from dispensary.services.dashboard import StockCover
    from dispensary.services.forecast import ForecastOutlook

    snapshot = dashboard.dashboard(ctx, pharmacist)
    assert snapshot.kits_received == 0
    assert snapshot.stock_cover is StockCover.NOTHING_RECEIVED
    planned = forecast.forecast(ctx, pharmacist)
    assert planned.outlook is ForecastOutlook.NOTHING
    assert planned.no_shortage() == (
        "No kit on hand and no cycle to supply in the next 12 weeks: nothing to forecast yet."
    )

    receive(ctx, pharmacist, "K0001-K0004", "L1", LATE)
    snapshot = dashboard.dashboard(ctx, pharmacist)
    assert snapshot.kits_received == 4
    assert snapshot.stock_cover is StockCover.NO_CYCLE
    planned = forecast.forecast(ctx, pharmacist)
    assert planned.outlook is ForecastOutlook.NO_CYCLE
    assert planned.no_shortage().startswith("No cycle to supply in the next 12 weeks")

    enroll(ctx, pharmacist)
    assert dashboard.dashboard(ctx, pharmacist).stock_cover is StockCover.COVERED
    planned = forecast.forecast(ctx, pharmacist)
    assert planned.outlook is ForecastOutlook.COVERED
    assert planned.no_shortage() == ("The stock on hand covers every cycle of the next 12 weeks.")


def test_the_inventory_filtered_to_the_expiring_window_lists_the_cards_kits(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The Today screen's expiring card and the Inventory its "… and N more" opens
    (KitQuery.expiring_by = Dashboard.expiring_by) list the same kits, by one rule
    (inventory_pages.expiring_by): on the shelf or in quarantine, held for a count or not, not
    expired, none dispensed, returned or destroyed; on each day, an expired lot's kits off."""
    from dispensary.services import inventory_pages, quarantine
    from dispensary.services.inventory_pages import KitQuery

    busy_pharmacy(ctx, clock, pharmacist, pw(pharmacist))  # dispenses, a void, a count, returns
    for day in (EARLY - timedelta(days=30), EARLY, EARLY + timedelta(days=1)):
        clock.set_date(day)
        snapshot = dashboard.dashboard(ctx, pharmacist)
        assert snapshot.expiring_by == day + timedelta(days=dashboard.EXPIRY_WINDOW_DAYS)
        query = KitQuery(expiring_by=snapshot.expiring_by)
        rows = inventory_pages.inventory_page(ctx, pharmacist, query, 0, 1000)
        assert sorted(r.number for r in rows) == sorted(k.number for k in snapshot.expiring)
        summary = inventory_pages.inventory_summary(ctx, pharmacist, query)
        assert summary.kits == len(snapshot.expiring)
    clock.set_date(EARLY - timedelta(days=30))
    first = dashboard.dashboard(ctx, pharmacist).expiring[0].number
    quarantine.quarantine(ctx, pharmacist, [first], "Dropped")
    snapshot = dashboard.dashboard(ctx, pharmacist)
    assert [k.quarantined for k in snapshot.expiring if k.number == first] == [True]
    query = KitQuery(expiring_by=snapshot.expiring_by)
    rows = inventory_pages.inventory_page(ctx, pharmacist, query, 0, 1000)
    assert sorted(r.number for r in rows) == sorted(k.number for k in snapshot.expiring)
