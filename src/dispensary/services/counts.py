"""Physical counts, done blind: the book balance is shown only after the count is entered.

A difference is written to the ledger as an adjustment with a reason code, countersigned by a
second person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Kit, PhysicalCount
from dispensary.domain.accountability import balance_of
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import MovementKind, ReasonCode, SignatureMeaning
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.lifecycle import ON_SHELF, status_word
from dispensary.domain.rules import (
    check_count,
    check_count_fits,
    check_counted_after,
    check_not_future,
    check_text,
)
from dispensary.i18n import N_, _
from dispensary.services.assessment import (
    CountAssessment,
    CountCheck,
    CountNeed,
    CountNeeds,
    CountRequest,
    Refusal,
)
from dispensary.services.audit import Recorder
from dispensary.services.common import (
    get_kit,
    kit_movements,
    last_events,
    status_now,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, may, require
from dispensary.services.results import CountResult
from dispensary.services.users import (
    actor_of,
    check_signature,
    find_user,
    outside_study,
    presign,
)


def record_count(
    ctx: Context,
    actor: Actor,
    kit: str,
    counted: int,
    password: str,
    reason_code: ReasonCode | str | None = None,
    reason: str = "",
    verified_by: str = "",
    verifier_password: str = "",
    counted_on: date | None = None,
) -> CountResult:
    """Records a count once the assessment that `assess_count` shows (run again here, inside
    the write) has no refusal and the difference, if any, has all it needs."""
    require(actor, Permission.COUNT, ctx, recorded=True)
    today = ctx.clock.today()
    request = CountRequest(kit, counted, reason_code, reason, verified_by, counted_on)
    checked = _checked(request, today, writing=True, tablets_only=ctx.study.tablets_only)
    day, why = checked.day, checked.reason
    presign(ctx, (actor.username, password), (verified_by, verifier_password))
    with write_transaction(ctx.engine) as session:
        plan = _plan(session, actor, request, checked, today, ctx.study_id)
        found = plan.assessment
        if found.refusals:
            first = found.refusals[0]
            raise first.error(first.message)
        if found.needs_missing:
            raise RuleViolation(found.needs_missing[0].message)
        record, code, verifier_id = plan.kit, plan.code, plan.verifier_id
        assert found.counted is not None and found.book is not None
        tablets, book = found.counted, found.book
        difference = tablets - book
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.COUNT)
        count = PhysicalCount(
            kit_id=record.id,
            counted=tablets,
            book=book,
            reason_code=code.value if code else "",
            reason=why,
            counted_on=day,
            counted_by_id=actor.user_id,
            verified_by_id=verifier_id,
            created_at=rec.now,
        )
        session.add(count)
        session.flush()
        check_signature(
            session,
            actor,
            password,
            counter_meaning(difference),
            "count",
            count.id,
            rec,
        )
        if difference:
            check_signature(
                session,
                actor_of(session, find_user(session, verified_by)),
                verifier_password,
                SignatureMeaning.COUNT_VERIFIED,
                "count",
                count.id,
                rec,
                second=True,
            )
            coded = f"{code.value if code else ''}: {why}"
            rec.ledger(
                stock_movement(
                    record, MovementKind.ADJUST, difference, day, coded, count_id=count.id
                )
            )
        rec.audit(
            AuditAction.COUNT,
            "kit",
            record.number,
            {
                "counted": tablets,
                "book": book,
                "difference": difference,
                "reason_code": code.value if code else "",
                "verified_by": verified_by or "",
            },
            reason=why,
        )
        return CountResult(count.id, record.number, tablets, book, difference, bool(difference))


def counter_meaning(difference: int) -> SignatureMeaning:
    """What the counter's own signature means (Part 11 §11.50): a count that differs from the
    book adjusts it; one that matches is counted. "Count verified" is the second person's
    countersignature alone: nobody verified a count the counter signed by themself."""
    return SignatureMeaning.ADJUSTED if difference else SignatureMeaning.COUNTED


def assess_count(ctx: Context, actor: Actor, request: CountRequest) -> CountAssessment:
    """Read-only: whether the kit can be counted, and once the count is given the book, the
    difference and what it needs, computed by the same policy as `record_count`. The book
    stays hidden (None) until the count is given: the count is blind. Malformed input and an
    unknown kit raise, as they do for the count."""
    require(actor, Permission.COUNT, ctx)
    today = ctx.clock.today()
    checked = _checked(request, today, writing=False, tablets_only=ctx.study.tablets_only)
    with read_transaction(ctx.engine) as session:
        return _plan(session, actor, request, checked, today, ctx.study_id).assessment


@dataclass(frozen=True)
class _Checked:
    """The request's own fields, checked before any record is read (and before signing)."""

    day: date
    counted: int | None
    reason: str
    tablets_only: bool = True  # the study's units are all tablets (else a refusal says units)


def _checked(request: CountRequest, today: date, writing: bool, tablets_only: bool) -> _Checked:
    """The request's own figures; the count named "number of tablets counted" in a study of
    tablets only, else "number of units counted" (a capsule kit's count is no tablets)."""
    day = check_not_future(request.counted_on, today, N_("count date"))
    counted = request.counted
    if writing or counted is not None:
        counted = check_count(
            counted,  # type: ignore[arg-type]
            N_("number of tablets counted") if tablets_only else N_("number of units counted"),
            counted=True,
        )
    why = check_text(request.reason, N_("reason"), required=False)
    return _Checked(day, counted, why, tablets_only)


@dataclass
class _Plan:
    """The assessment, with what the count writes when it is accepted."""

    assessment: CountAssessment
    kit: Kit
    code: ReasonCode | None
    verifier_id: int | None


def _plan(
    session: Session,
    actor: Actor,
    request: CountRequest,
    checked: _Checked,
    today: date,
    study: int,
) -> _Plan:
    """The one counting policy: every rule, in the order record_count meets them."""
    record = get_kit(session, request.kit, study, reader=Readable(session, actor))
    refusals: list[Refusal[CountCheck]] = []
    if record.status not in {s.value for s in ON_SHELF}:
        refusals.append(
            Refusal(
                CountCheck.NOT_ON_SHELF,
                _(
                    "Kit {kit} is {status}; counts are for kits on the shelf. "
                    "A returned kit's count is corrected through its return."
                ).format(kit=record.number, status=status_word(record.status)),
            )
        )
    since, what = last_events(session, [record])[record.id]
    try:
        check_counted_after(record.number, what, since, checked.day)
    except RuleViolation as exc:
        refusals.append(Refusal(CountCheck.DATE, exc.message))
    status = status_now(record, today)
    counted = checked.counted
    balance = None
    if not refusals and counted is not None:
        balance = balance_of(kit_movements(session, record.id))
        try:
            check_count_fits(
                record.number, counted, balance.received, balance.on_hand, checked.tablets_only
            )
        except RuleViolation as exc:
            refusals.append(Refusal(CountCheck.TOO_MANY, exc.message))
    if refusals or counted is None or balance is None:  # blind: no book before the count
        assessment = CountAssessment(
            record.number, status, counted, None, None, tuple(refusals), (), record.product
        )
        return _Plan(assessment, record, None, None)
    book = balance.on_hand
    difference = counted - book
    needs: list[CountNeed] = []
    code: ReasonCode | None = None
    verifier_id: int | None = None
    if difference:
        reason_code, verified_by = request.reason_code, request.verified_by
        given_code = not (reason_code is None or reason_code == "")
        needs.append(
            CountNeed(
                CountNeeds.REASON_CODE,
                _(
                    "The count of kit {kit} differs from the book by {difference}. "
                    "Give a reason code (breakage, miscount, lost, found, other) and a reason."
                ).format(kit=record.number, difference=f"{difference:+d}"),
                given_code,
            )
        )
        if reason_code is not None and reason_code != "":
            try:
                code = ReasonCode(reason_code)
            except ValueError:
                refusals.append(
                    Refusal(
                        CountCheck.REASON_CODE,
                        _("'{code}' is not a reason code: use {codes}.").format(
                            code=reason_code, codes=", ".join(r.value for r in ReasonCode)
                        ),
                        InvalidInput,
                    )
                )
        if code is not None and not code.explains(difference):
            refusals.append(
                Refusal(
                    CountCheck.REASON_DIRECTION,
                    (
                        _(
                            "The count of kit {kit} is {difference} from the book, which '{code}' "
                            "cannot explain: breakage and lost take tablets away, found adds "
                            "them. Count the kit again, or give the reason code that says what "
                            "happened (miscount or other, with the reason)."
                        )
                        if checked.tablets_only
                        else _(  # a capsule kit's units are not tablets
                            "The count of kit {kit} is {difference} from the book, which '{code}' "
                            "cannot explain: breakage and lost take units away, found adds them. "
                            "Count the kit again, or give the reason code that says what happened "
                            "(miscount or other, with the reason)."
                        )
                    ).format(kit=record.number, difference=f"{difference:+d}", code=code.value),
                    InvalidInput,
                )
            )
        needs.append(
            CountNeed(
                CountNeeds.REASON,
                _("Explain the difference in a few words."),
                bool(checked.reason),
            )
        )
        needs.append(
            CountNeed(
                CountNeeds.SECOND_PERSON,
                _(
                    "The count of kit {kit} differs from the book by {difference}: "
                    "a second person must check it and sign."
                ).format(kit=record.number, difference=f"{difference:+d}"),
                bool(verified_by),
            )
        )
        if verified_by:
            verifier_id = _verifier(session, actor, verified_by, refusals, study)
    assessment = CountAssessment(
        record.number,
        status,
        counted,
        book,
        difference,
        tuple(refusals),
        tuple(needs),
        record.product,
    )
    return _Plan(assessment, record, code, verifier_id)


def _verifier(
    session: Session,
    actor: Actor,
    verified_by: str,
    refusals: list[Refusal[CountCheck]],
    study: int,
) -> int | None:
    """The second person's user id, or the refusal of who was named."""
    try:
        verifier = find_user(session, verified_by)
    except RuleViolation as exc:
        refusals.append(Refusal(CountCheck.VERIFIER_UNKNOWN, exc.message, type(exc)))
        return None
    if verifier.id == actor.user_id:
        refusals.append(
            Refusal(CountCheck.VERIFIER_SELF, _("The second signature must be another person's."))
        )
        return None
    if not may(actor_of(session, verifier), Permission.VERIFY_COUNT):
        refusals.append(
            Refusal(
                CountCheck.VERIFIER_ROLE,
                _("{user} may not countersign a count.").format(user=verifier.username),
                NotPermitted,
            )
        )
        return None
    outside = outside_study(session, actor_of(session, verifier), study)
    if outside is not None:
        refusals.append(Refusal(CountCheck.VERIFIER_ACCESS, outside, NotPermitted))
        return None
    return verifier.id
