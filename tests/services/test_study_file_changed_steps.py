"""Every write step that applies a rule of the study file refuses, nothing written, when the
file in force in the database is no longer the one the process read: an enrolment (its
eligibility), the correction of an enrolment (the eligibility at the corrected values), a
receipt (the products and tablets per kit), a return (its adherence flags), a logger file's import (the study's temperature
range). Before, only the dispense was checked
(test_dispense_study_file_changed): a window or a command opened before an administrator's
update at another workstation enrolled and received under the old file's rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import func, select

from dispensary.db.models import AuditEntry, Excursion, Kit, Participant
from dispensary.services import participants, receiving, returns, setup, studies, temperature
from dispensary.services.assessment import StudyFileChanged
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from dispensary.study import Study

from .helpers import P75, enroll, receive

Password = Callable[[Actor], str]
STALE_SINCE = (
    "The study file of NCT07198672 was updated at 2026-01-05 09:00 UTC by admin (version 2) "
    "after this window or command read it. "
)
STALE = (
    STALE_SINCE + "Nothing was written: reload the window (F5) or run the command again, then "
    "check the {step} again."
)


def _written(ctx: Context) -> tuple[int, int, int, list[tuple[str, date, int]]]:
    """Participants, kits and audit entries, and each participant's corrected values."""
    with ctx.engine.connect() as conn:
        people = conn.scalar(select(func.count()).select_from(Participant)) or 0
        kits = conn.scalar(select(func.count()).select_from(Kit)) or 0
        entries = conn.scalar(select(func.count()).select_from(AuditEntry)) or 0
        values = [
            (row.initials, row.enrolled_on, row.birth_year)
            for row in conn.execute(select(Participant).order_by(Participant.id))
        ]
    return people, kits, entries, values


def _amend(
    ctx: Context, admin: Actor, study: Study, clock: FixedClock, edit: tuple[str, str] = ("", "")
) -> Context:
    """The administrator, at another workstation, raises the minimum age to 21 (or makes
    `edit`) (version 2); the context given back is the study opened again (F5)."""
    other = setup.open_database(ctx.database, clock).context
    try:
        text = study.source_text.replace(*edit) if edit[0] else study.source_text
        text = text.replace("min_age = 18", "min_age = 21")
        assert text != study.source_text
        studies.update_study(other, admin, text, "v2.toml", "protocol amendment 2: adults of 21")
    finally:
        other.engine.dispose()
    fresh = studies.switch_study(ctx, admin, study.protocol)
    assert fresh.version == 2 and fresh.study.eligibility.min_age == 21
    return fresh


def test_an_enrolment_under_an_updated_study_file_is_refused_with_nothing_written(
    ctx: Context, study: Study, clock: FixedClock, admin: Actor, pharmacist: Actor
) -> None:
    fresh = _amend(ctx, admin, study, clock)
    before = _written(ctx)
    # Born 2006: 19, an adult under version 1, too young under version 2.
    with pytest.raises(StudyFileChanged) as refused:
        enroll(ctx, pharmacist, birth_year=2006, age_confirmed=True)
    assert refused.value.message == STALE.format(step="enrolment")
    assert _written(ctx) == before
    # Read again, the file in force decides: too young now; an older participant is enrolled.
    with pytest.raises(Exception, match="21"):
        enroll(fresh, pharmacist, birth_year=2006, age_confirmed=True)
    assert enroll(fresh, pharmacist, birth_year=1990).study_number == "01-001"


def test_a_correction_of_an_enrolment_under_an_updated_study_file_is_refused(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    enrolled: str,
) -> None:
    fresh = _amend(ctx, admin, study, clock)
    found = participants.assess_enrolment_correction(ctx, pharmacist, enrolled, birth_year=2006)
    assert found.refusals[0].code == "study_file_changed"
    assert found.refusals[0].message == STALE.format(step="correction")
    before = _written(ctx)
    with pytest.raises(StudyFileChanged, match="check the correction again"):
        participants.correct_enrolment(
            ctx, pharmacist, enrolled, birth_year=1969, reason="typed", password=pw(pharmacist)
        )
    assert _written(ctx) == before
    now = participants.assess_enrolment_correction(fresh, pharmacist, enrolled, birth_year=2006)
    assert [r.code for r in now.refusals] == ["eligibility"]
    row = participants.correct_enrolment(
        fresh, pharmacist, enrolled, birth_year=1969, reason="typed", password=pw(pharmacist)
    )
    assert row.birth_year == 1969


def test_a_receipt_under_an_updated_study_file_is_refused_with_nothing_written(
    ctx: Context, study: Study, clock: FixedClock, admin: Actor, pharmacist: Actor
) -> None:
    listed = receiving.kits_from_range(ctx, "K0001-K0004", P75, "L1", date(2027, 6, 30), None)
    request = receiving.ReceiveRequest("SH-1", listed)
    assert not receiving.assess_receive(ctx, pharmacist, request).refusals
    fresh = _amend(ctx, admin, study, clock)
    found = receiving.assess_receive(ctx, pharmacist, request)
    assert found.refusals[0].code == "study_file_changed"
    before = _written(ctx)
    with pytest.raises(StudyFileChanged) as refused:
        receiving.receive_shipment(ctx, pharmacist, "SH-1", listed)
    assert refused.value.message == STALE.format(step="receipt")
    assert _written(ctx) == before
    assert receive(fresh, pharmacist, "K0001-K0004", shipment="SH-1").kits == (
        "K0001",
        "K0002",
        "K0003",
        "K0004",
    )


LOG = """timestamp,celsius
2026-01-05T06:00:00+00:00,21.0
2026-01-05T07:00:00+00:00,27.0
2026-01-05T08:00:00+00:00,21.0
"""


def test_a_logger_file_under_an_updated_study_file_is_refused_with_nothing_written(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    technician: Actor,
) -> None:
    """27 °C is an excursion under version 1 (up to 25 °C), not under version 2 (up to 30 °C):
    the import judged by the old range would quarantine the shelf."""
    receive(ctx, pharmacist, "K0001-K0002")
    fresh = _amend(ctx, admin, study, clock, ("max_celsius = 25.0", "max_celsius = 30.0"))
    assert fresh.study.temperature.max_celsius == 30.0
    before = _written(ctx)
    with pytest.raises(StudyFileChanged) as refused:
        temperature.import_logger(ctx, technician, "IP store 1", LOG)
    message = refused.value.message
    assert message == STALE_SINCE + (
        "Nothing was imported: reload the window (F5) and import the logger file again, or run "
        "the command again."
    ), message
    assert _written(ctx) == before
    with ctx.engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Excursion)) == 0
    assert temperature.import_logger(fresh, technician, "IP store 1", LOG) == []


def test_a_return_under_an_updated_study_file_is_refused_with_nothing_written(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    cycle1: DispenseResult,
) -> None:
    fresh = _amend(ctx, admin, study, clock)
    request = returns.ReturnRequest(dispense=cycle1.number, kit="K0011", tablets=2)
    found = returns.assess_return(ctx, pharmacist, request)
    assert found.refusals[0].code == "study_file_changed"
    before = _written(ctx)
    with pytest.raises(StudyFileChanged) as refused:
        returns.record_return(ctx, pharmacist, "K0011", 2, pw(pharmacist), dispense=cycle1.number)
    assert refused.value.message == STALE.format(step="return")
    assert _written(ctx) == before
    assert not returns.assess_return(fresh, pharmacist, request).refusals
    done = returns.record_return(
        fresh, pharmacist, "K0011", 2, pw(pharmacist), dispense=cycle1.number
    )
    assert (done.dispense_number, done.kit, done.tablets_returned) == (cycle1.number, "K0011", 2)
