"""A dispense assessed with a study file that was updated before it was signed is refused. A
pharmacist's window keeps the study file it read until F5, and the service applied the rules of
that copy (the context's study), not the file in force in the database: a dispense checked at
09:00 and signed after an administrator's amendment at another workstation went out under the
old rules. Now the dispense names the study file its assessment was made with, the service
compares it (and the context's) with the file in force, and refuses, saying who updated it and
when, with nothing written."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import func, select

from dispensary.db.models import AuditEntry, Dispense, Kit
from dispensary.services import dispensing, setup, studies
from dispensary.services.assessment import DispenseCheck, DispenseRequest, StudyFileChanged
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from dispensary.services.study_versions import file_sha256
from dispensary.study import Study

from .conftest import Stock

Password = Callable[[Actor], str]


def _written(ctx: Context) -> tuple[int, int, list[str]]:
    """What a dispense writes: its row, its audit entries, the kits' statuses."""
    with ctx.engine.connect() as conn:
        dispenses = conn.scalar(select(func.count()).select_from(Dispense)) or 0
        entries = conn.scalar(select(func.count()).select_from(AuditEntry)) or 0
        statuses = list(conn.scalars(select(Kit.status).order_by(Kit.number)))
    return dispenses, entries, statuses


def _amend(ctx: Context, admin: Actor, study: Study, clock: FixedClock) -> None:
    """The administrator, in another session (another workstation's context), loads v2."""
    other = setup.open_database(ctx.database, clock).context
    try:
        text = study.source_text.replace("Keep out of reach of children", "Keep away from children")
        studies.update_study(other, admin, text, "v2.toml", "sponsor's label text v2")
    finally:
        other.engine.dispose()


def _sign(
    ctx: Context,
    pharmacist: Actor,
    pw: Password,
    enrolled: str,
    clock: FixedClock,
    kits: Sequence[str] = (),
    study_sha256: str = "",
) -> DispenseResult:
    """The pharmacist signs the participant's cycle 1 today at dose level 0: the kits scanned
    (none: the first to expire) and the study file the assessment was made with (none named:
    the context's)."""
    return dispensing.dispense_cycle(
        ctx,
        pharmacist,
        enrolled,
        1,
        clock.today(),
        pw(pharmacist),
        dose_level=0,
        kits=kits,
        study_sha256=study_sha256,
    )


def test_a_dispense_assessed_before_a_study_file_update_is_refused_with_nothing_written(
    ctx: Context,
    study: Study,
    clock: FixedClock,
    admin: Actor,
    pharmacist: Actor,
    pw: Password,
    stock: Stock,
    enrolled: str,
) -> None:
    request = DispenseRequest(study_number=enrolled, cycle=1, day1=clock.today(), dose_level=0)
    shown = dispensing.assess_dispense(ctx, pharmacist, request)
    assert not shown.refused
    assert shown.study_sha256 == file_sha256(study.source_text)
    kits = [k.number for k in shown.kits_to_dispense]

    _amend(ctx, admin, study, clock)
    before = _written(ctx)

    with pytest.raises(StudyFileChanged) as refused:
        _sign(ctx, pharmacist, pw, enrolled, clock, kits, shown.study_sha256)
    message = refused.value.message
    assert message == (
        "The study file of NCT07198672 was updated at 2026-01-05 09:00 UTC by admin (version 2) "
        "after this window or command read it. Nothing was written: reload the window (F5) or "
        "run the command again, then check the dispense again."
    ), message
    assert _written(ctx) == before

    # Named or not, the context's own copy of the old file is refused too (a script's context
    # opened before the update), and the screen's assessment says so first, by its code.
    with pytest.raises(StudyFileChanged):
        _sign(ctx, pharmacist, pw, enrolled, clock)
    again = dispensing.assess_dispense(ctx, pharmacist, request)
    assert again.refusals[0].code is DispenseCheck.STUDY_FILE_CHANGED
    assert _written(ctx) == before

    # The study read again (F5): the dispense goes out, made with version 2.
    fresh = studies.switch_study(ctx, pharmacist, "NCT07198672")
    assert fresh.version == 2
    now = dispensing.assess_dispense(fresh, pharmacist, request)
    assert not now.refused and now.study_sha256 != shown.study_sha256
    # The old assessment's file is still refused on the fresh context.
    with pytest.raises(StudyFileChanged):
        _sign(fresh, pharmacist, pw, enrolled, clock, study_sha256=shown.study_sha256)
    result = _sign(fresh, pharmacist, pw, enrolled, clock, study_sha256=now.study_sha256)
    assert result.number == "DSP000001"
    with ctx.engine.connect() as conn:
        made_with = conn.scalar(select(Dispense.study_sha256))
    assert made_with == now.study_sha256
