"""Two studies of one pharmacy may both have a participant 01-001. An audit entry names a
participant by study number, so what it is about is read from the participants row its step
wrote: a status change in one study must not move the other's day of leaving treatment (the
adherence flags of a full reconciliation and of one carried forward alike), nor make
`audit verify` see the other participant's status as tampered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dispensary.db.engine import read_transaction
from dispensary.domain.codes import ParticipantStatus
from dispensary.services import audit, participants, reconciliation, returns, studies, verification
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study

from .helpers import dispense, enroll, receive
from .test_reconciliation_forward import read_anew
from .test_several_studies import OTHER, other_text, signed_in


def two_studies(
    ctx: Context, study: Study, admin: Actor, pharmacist: Actor, pw: Callable[[Actor], str]
) -> tuple[Actor, Context]:
    studies.add_study(ctx, admin, other_text(study), "other.toml", "second protocol opens")
    studies.set_access(ctx, admin, "pharm", OTHER, True, "covers both protocols")
    both = signed_in(ctx, pharmacist, pw)
    other = studies.switch_study(ctx, both, OTHER)
    receive(ctx, both, "K0001-K0010")
    receive(other, both, "B0001-B0010", lot="LB")
    enroll(ctx, both, "01-001")
    # Enrolment now refuses a number of another study; a pharmacy that enrolled both before
    # that rule keeps both, and the records must still tell them apart.
    with pytest.MonkeyPatch.context() as before_the_rule:
        before_the_rule.setattr(participants, "_check_number_free", lambda *_a: None)
        enroll(other, both, "01-001", initials="CD")
    return both, other


def test_a_status_change_in_another_study_leaves_this_study_s_flags_alone(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> None:
    both, other = two_studies(ctx, study, admin, pharmacist, pw)
    given = dispense(ctx, both, pw(both))
    dispense(other, both, pw(both))
    clock.set_date(date(2026, 1, 8))
    participants.set_status(
        ctx, both, "01-001", ParticipantStatus.DISCONTINUED, "withdrew", password=pw(both)
    )
    participants.set_status(
        other, both, "01-001", ParticipantStatus.DISCONTINUED, "withdrew", password=pw(both)
    )
    clock.set_date(date(2026, 1, 30))
    for kit in given.kits:  # 15 back: 6 taken, where 7 days (8 Jan, when she left) were due
        returns.record_return(ctx, both, kit.kit, 15, pw(both), dispense=given.number)
    before = read_anew(ctx)
    reconciliation.reconcile(ctx, both)  # kept, to be carried forward
    clock.set_date(date(2026, 2, 10))
    participants.set_status(
        other, both, "01-001", ParticipantStatus.COMPLETED, "done", password=pw(both)
    )
    carried = reconciliation.reconcile(ctx, both)
    anew = read_anew(ctx)
    assert carried.discrepancies == anew.discrepancies == before.discrepancies
    assert audit.verify(ctx, admin).ok


def test_audit_verify_tells_two_participants_of_one_number_apart(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> None:
    both, other = two_studies(ctx, study, admin, pharmacist, pw)
    participants.set_status(
        ctx, both, "01-001", ParticipantStatus.DISCONTINUED, "withdrew", password=pw(both)
    )
    result = audit.verify(ctx, admin)  # the other study's 01-001 is still on treatment
    assert result.ok, result.message
    assert walked(ctx).ok  # the row-by-row walk (what names problems) agrees
    participants.set_status(
        other, both, "01-001", ParticipantStatus.COMPLETED, "done", password=pw(both)
    )
    assert audit.verify(ctx, admin).ok
    assert walked(ctx).ok


def walked(ctx: Context) -> verification.VerifyResult:
    with read_transaction(ctx.engine) as session:
        return verification._walk_all(session, verification._Source(session))


def test_a_status_correction_is_listed_in_its_own_study_only(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
) -> None:
    """A correction of the date alone writes no participants row (the study index has it as
    the site's): its record is the study's of the status change it names, listed there and
    not in the other study's 01-001."""
    from dispensary.services import queries

    both, other = two_studies(ctx, study, admin, pharmacist, pw)
    clock.set_date(date(2026, 1, 20))
    participants.set_status(
        other, both, "01-001", ParticipantStatus.DISCONTINUED, "withdrew", password=pw(both),
        effective_on=date(2026, 1, 15),
    )  # fmt: skip
    participants.correct_status(
        other, both, "01-001", effective_on=date(2026, 1, 12), reason="typo", password=pw(both)
    )
    mine = queries.participant_changes(other, both, "01-001")
    assert [(c.field, c.effective_on) for c in mine] == [
        ("status", date(2026, 1, 15)),
        ("status_correction", date(2026, 1, 12)),
    ]
    assert mine[1].corrects == mine[0]
    assert queries.participant_changes(ctx, both, "01-001") == ()
