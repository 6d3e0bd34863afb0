"""A status change recorded wrongly (its effective date mistyped, 2026-01-15 for 2026-01-12; the
wrong status; the change itself in error) is corrected by a new signed entry naming the change it
corrects, never an update of it: audited with the status and date before and after and the
reason, refused (nothing written) when nothing changes or when the corrected date is after
today, before the enrolment or the status before it, or against a dispense recorded. The
figures follow the corrected date: expected doses, kits due back, the next change's order."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry, Participant
from dispensary.domain.errors import (
    InvalidInput,
    NotPermitted,
    RuleViolation,
    SignatureFailed,
)
from dispensary.i18n import Language, speaking
from dispensary.services import audit, participants, queries, returns
from dispensary.services.assessment import ReturnRequest
from dispensary.services.assessment.status import StatusCorrectionCheck
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult

from .conftest import Stock
from .helpers import dispense, scalar

Refused = Callable[..., Any]
Password = Callable[[Actor], str]


def _set(ctx: Context, actor: Actor, secret: str, status: str, day: date) -> None:
    participants.set_status(
        ctx, actor, "01-001", status, "investigator's letter", password=secret, effective_on=day
    )


def _correct(ctx: Context, actor: Actor, secret: str, **given: Any) -> Any:
    return participants.correct_status(
        ctx, actor, "01-001", reason="typed from the wrong letter", password=secret, **given
    )


def _entries(ctx: Context, action: str) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    with read_transaction(ctx.engine) as session:
        found = session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)
        return [(e.id, json.loads(e.new or "{}"), json.loads(e.old or "{}")) for e in found]


def _effective(ctx: Context) -> date | None:
    with read_transaction(ctx.engine) as session:
        person = session.query(Participant).filter_by(study_number="01-001").one()
        return queries.status_changed_last(session, {person.id: "01-001"}).get(person.id)


def test_a_mistyped_effective_date_is_corrected_and_the_doses_follow_it(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """Discontinued from 2026-01-15, a typo for 2026-01-12: corrected, the change's own entry
    is kept as it was, the correction names it; the return counts the doses to 2026-01-11
    (7), and a later change is dated against the corrected date."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 20))
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 15))
    [(change, new, _old)] = _entries(ctx, "participant_status")
    row = _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 12))
    assert row.status == "discontinued"
    assert _entries(ctx, "participant_status") == [(change, new, {"status": "on_treatment"})]
    [(_id, after, before)] = _entries(ctx, "participant_status_corrected")
    assert after == {
        "status": "discontinued",
        "effective_on": "2026-01-12",
        "status_change": change,
    }
    assert before == {"status": "discontinued", "effective_on": "2026-01-15"}
    assert _effective(ctx) == date(2026, 1, 12)
    signed = scalar(ctx, "SELECT meaning FROM signatures ORDER BY id DESC LIMIT 1")
    assert signed == "corrected"
    request = ReturnRequest(dispense=cycle1.number, kit=cycle1.kits[0].kit, tablets=14)
    preview = returns.assess_return(ctx, pharmacist, request).preview
    assert preview is not None and (preview.taken, preview.expected) == (7, 7)
    _set(ctx, pharmacist, secret, "on_treatment", date(2026, 1, 13))  # after 01-12: accepted
    assert audit.verify(ctx, pharmacist).ok


def test_the_wrong_status_or_a_change_in_error_is_put_right(
    ctx: Context, clock: FixedClock, cycle1: DispenseResult, pharmacist: Actor, pw: Password
) -> None:
    """Discontinued, for completed: the status corrected on the same date. Then the change
    withdrawn as in error (the status before it given): on treatment again, from the
    enrolment, so a discontinuation dated before the withdrawn change's date is accepted."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 20))
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 15))
    assert _correct(ctx, pharmacist, secret, status="completed").status == "completed"
    assert _effective(ctx) == date(2026, 1, 15)
    assessed = participants.assess_status_correction(
        ctx, pharmacist, "01-001", status="on_treatment"
    )
    assert assessed.withdrawn and assessed.new_effective_on == date(2026, 1, 5)
    assert not assessed.refusals
    assert _correct(ctx, pharmacist, secret, status="on_treatment").status == "on_treatment"
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 10))
    assert _effective(ctx) == date(2026, 1, 10)
    assert audit.verify(ctx, pharmacist).ok


@pytest.mark.parametrize(
    ("given", "code", "error", "words"),
    [
        ({"effective_on": date(2026, 1, 15)}, "nothing_to_change", InvalidInput, "Nothing to"),
        ({"effective_on": date(2026, 1, 21)}, "future_date", InvalidInput, "after today"),
        ({"effective_on": date(2026, 1, 4)}, "before_enrolment", InvalidInput, "was enrolled"),
        ({"effective_on": date(2026, 1, 7)}, "before_previous", RuleViolation, "on or after"),
        ({"effective_on": date(2026, 1, 8)}, "dispensed", RuleViolation, "(DSP000001)"),
    ],
)
def test_a_correction_is_refused_saying_why_and_nothing_is_written(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
    given: dict[str, Any],
    code: str,
    error: type[Exception],
    words: str,
) -> None:
    """Discontinued from 2026-01-06, back on treatment from 2026-01-08, dispensed cycle 1 on
    2026-01-09, then discontinued from 2026-01-15: its date corrected."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 8))
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 6))
    _set(ctx, pharmacist, secret, "on_treatment", date(2026, 1, 8))
    clock.set_date(date(2026, 1, 9))
    dispense(ctx, pharmacist, secret)
    clock.set_date(date(2026, 1, 20))
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 15))
    assessed = participants.assess_status_correction(ctx, pharmacist, "01-001", **given)
    assert [r.code for r in assessed.refusals][:1] == [StatusCorrectionCheck(code)]
    with refused(ctx, error, words):
        _correct(ctx, pharmacist, secret, **given)


def test_nothing_to_correct_before_a_status_change(
    ctx: Context, enrolled: str, pharmacist: Actor, pw: Password, refused: Refused
) -> None:
    assessed = participants.assess_status_correction(
        ctx, pharmacist, "01-001", effective_on=date(2026, 1, 5)
    )
    assert [r.code for r in assessed.refusals] == [StatusCorrectionCheck.NO_STATUS_CHANGE]
    with refused(ctx, RuleViolation, "status was never changed"):
        _correct(ctx, pharmacist, pw(pharmacist), effective_on=date(2026, 1, 5))


def test_a_return_to_treatment_is_not_dated_after_a_dispense_it_allowed(
    ctx: Context,
    clock: FixedClock,
    stock: Stock,
    enrolled: str,
    pharmacist: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 9))
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 6))
    _set(ctx, pharmacist, secret, "on_treatment", date(2026, 1, 8))
    dispense(ctx, pharmacist, secret)
    clock.set_date(date(2026, 1, 10))
    with refused(ctx, RuleViolation, "puts them back on treatment by then"):
        _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 10))
    _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 9))


def test_the_password_first_the_permission_and_the_form(
    ctx: Context,
    clock: FixedClock,
    enrolled: str,
    pharmacist: Actor,
    technician: Actor,
    pw: Password,
    refused: Refused,
) -> None:
    """A wrong password is said and counted before anything else (signed "corrected"); a
    technician may not correct a status change; a voided enrolment is not a status a change
    sets; a withdrawal takes its own date back, no other."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 8))
    with refused(ctx, SignatureFailed, "password for pharm is wrong"):
        _correct(ctx, pharmacist, "not-the-password", status="voided")
    failed = _entries(ctx, "signature_failed")
    assert failed[-1][1]["meaning"] == "corrected"
    with refused(ctx, NotPermitted, ""):
        _correct(ctx, technician, "tech-pass-1", effective_on=date(2026, 1, 6))
    with refused(ctx, InvalidInput, "participant-void"):
        _correct(ctx, pharmacist, secret, status="voided")
    with refused(ctx, InvalidInput, "Give the reason for the correction"):
        participants.correct_status(
            ctx, pharmacist, "01-001", effective_on=date(2026, 1, 6), reason=" ", password=secret
        )
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 7))
    with refused(ctx, InvalidInput, "give no effective date"):
        _correct(ctx, pharmacist, secret, status="on_treatment", effective_on=date(2026, 1, 6))


def test_the_corrected_entry_stays_as_it_was(
    ctx: Context, clock: FixedClock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The correction is a new entry: the audit trail refuses an update of the change it
    names, and `audit verify` passes with both."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 8))
    _set(ctx, pharmacist, secret, "completed", date(2026, 1, 7))
    _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 6))
    [(change, _new, _old)] = _entries(ctx, "participant_status")
    with ctx.engine.begin() as conn, pytest.raises(DBAPIError):
        conn.exec_driver_sql(f"UPDATE audit_entries SET new = '{{}}' WHERE id = {change}")
    assert audit.verify(ctx, pharmacist).ok


def test_the_participant_record_lists_each_correction_naming_the_change(
    ctx: Context, clock: FixedClock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """A correction of a status change is a change of the record (`history`, the Participants
    screen, the participant report, the monitor pack): listed after the change it corrects,
    naming it (when recorded, the status before and after, from when), with who signed it,
    when and why, and the status and date before and after; a withdrawal says so. In Chinese
    too."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 20))
    _set(ctx, pharmacist, secret, "discontinued", date(2026, 1, 15))
    _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 12))
    participants.correct_status(
        ctx, pharmacist, "01-001", status="on_treatment", reason="wrong participant's letter",
        password=secret,
    )  # fmt: skip
    changes = queries.participant_changes(ctx, pharmacist, "01-001")
    assert [(c.field, c.old, c.new, c.effective_on, c.old_effective_on) for c in changes] == [
        ("status", "on_treatment", "discontinued", date(2026, 1, 15), None),
        (
            "status_correction",
            "discontinued",
            "discontinued",
            date(2026, 1, 12),
            date(2026, 1, 15),
        ),
        (
            "status_correction",
            "discontinued",
            "on_treatment",
            date(2026, 1, 5),
            date(2026, 1, 12),
        ),
    ]
    change, dated, withdrawn = changes
    assert dated.corrects == change and withdrawn.corrects == change
    assert (dated.withdrawn, withdrawn.withdrawn) == (False, True)
    assert dated.signed and dated.reason == "typed from the wrong letter"
    assert not dated.correction  # not a correction of the enrolment (the sign-offs' reading)
    at = change.at.strftime("%Y-%m-%d %H:%M UTC")
    when = dated.at.strftime("%Y-%m-%d %H:%M UTC")
    assert queries.change_words(dated) == (
        f"{when}: the status change of {at} (On treatment to Discontinued, effective "
        "2026-01-15) corrected by Paula Pharm (pharm, pharmacist) (signed): Discontinued from "
        "2026-01-12, recorded as Discontinued from 2026-01-15. Reason: typed from the wrong "
        "letter"
    )
    assert queries.change_words(withdrawn) == (
        f"{when}: the status change of {at} (On treatment to Discontinued, effective "
        "2026-01-15) withdrawn as recorded in error by Paula Pharm (pharm, pharmacist) "
        "(signed): On treatment again from 2026-01-05. Reason: wrong participant's letter"
    )
    with speaking(Language.ZH_CN):
        chinese = queries.change_words(dated), queries.change_words(withdrawn)
    assert chinese == (
        f"{when}：Paula Pharm（pharm，药师） 更正了状态变更（{at} 录入：由“治疗中”改为“已终止治疗”，"
        "自 2026-01-15 起生效）（已签名）：更正为自 2026-01-12 起“已终止治疗”，原记录为自 "
        "2026-01-15 起“已终止治疗”。原因：typed from the wrong letter",
        f"{when}：Paula Pharm（pharm，药师） 将状态变更（{at} 录入：由“治疗中”改为“已终止治疗”，"
        "自 2026-01-15 起生效）作为误录撤回（已签名）：自 2026-01-05 起恢复为“治疗中”。"
        "原因：wrong participant's letter",
    )


def test_a_correction_in_a_period_names_the_change_made_before_it(
    ctx: Context, clock: FixedClock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """The monitor pack reads the changes made in its period: a correction in it names the
    status change it corrects, recorded before the period."""
    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 8))
    _set(ctx, pharmacist, secret, "completed", date(2026, 1, 7))
    clock.set_date(date(2026, 1, 20))
    _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 6))
    with read_transaction(ctx.engine) as session:
        since = clock.now().replace(hour=0, minute=0)
        found = queries.record_changes(session, ctx.study_id, since=since)
    [correction] = found["01-001"]
    assert correction.field == "status_correction" and correction.corrects is not None
    assert (correction.corrects.new, correction.corrects.effective_on) == (
        "completed",
        date(2026, 1, 7),
    )


def test_the_participant_report_lists_the_correction(
    ctx: Context, clock: FixedClock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    from dispensary.reports.participant import participant_pdf
    from dispensary.services import report_data

    from .test_participant_record_changes import pdf_text

    secret = pw(pharmacist)
    clock.set_date(date(2026, 1, 20))
    _set(ctx, pharmacist, secret, "completed", date(2026, 1, 15))
    _correct(ctx, pharmacist, secret, effective_on=date(2026, 1, 12))
    report = report_data.participant_report(ctx, pharmacist, "01-001")
    text = pdf_text(participant_pdf(report_data.report_meta(ctx, pharmacist), ctx.study, report))
    assert "(On treatment to Completed, effective 2026-01-15) corrected by Paula Pharm" in text
    assert "Completed from 2026-01-12, recorded as Completed from 2026-01-15." in text
