"""The Today screen's read (services.dashboard): who is due and whose return is pending come from
each participant's last live dispense, read for everyone at once, as queries.participant_row
gives them one by one; the reconciliation's findings are read again whenever an audit entry was
written since the last read, or the day changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import Participant
from dispensary.domain.codes import DiscrepancyKind, ParticipantStatus
from dispensary.services import dashboard, returns, studies, users
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.queries import participant_row
from dispensary.study import Study

from .conftest import Stock
from .helpers import dispense, enroll

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
    real = dashboard.reconcile_session

    def counted(session: Any, of: Context, *args: Any, **kwargs: Any) -> Any:
        reconciled.append(of.study_id)
        return real(session, of, *args, **kwargs)

    monkeypatch.setattr(dashboard, "reconcile_session", counted)
    first = dashboard.all_studies(ctx, actor)
    assert sorted(line.protocol for line in first) == ["NCT-OTHER-1", "NCT07198672"]
    assert len(reconciled) == 2
    assert dashboard.all_studies(ctx, actor) == first
    assert len(reconciled) == 2  # nothing written: nothing reconciled again
    enroll(ctx, pharmacist, "01-009")
    dashboard.all_studies(ctx, actor)
    assert len(reconciled) == 4  # an entry was written: every study read again
