"""Physical counts, done blind: the book balance is shown only once a count is recorded.

The first figure counted is a fact: a count that differs from the book is recorded as counted
(a physical count, signed and audited) before anyone sees the book. A difference is written to
the ledger as an adjustment with a reason code, countersigned by a second person, in the same
step when everything it needs is given with the count; else the count stays open, and what
follows (a recount, or the figure counted again with its reason and second person) is a
count of its own that follows it: recorded as not blind, the book having been shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, ColumnExpressionArgument, Select, exists, func, select
from sqlalchemy.orm import Session, aliased

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Kit, LedgerEntry, PhysicalCount, User
from dispensary.domain.accountability import balance_of
from dispensary.domain.audit_actions import AuditAction
from dispensary.domain.codes import MovementKind, ReasonCode, SignatureMeaning
from dispensary.domain.errors import Conflict, InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.lifecycle import ON_SHELF, status_word
from dispensary.domain.rules import (
    PHYSICAL_COUNT,
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
    last_written,
    status_now,
    stock_movement,
)
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, Readable, may, require, role_refusal
from dispensary.services.results import CountResult
from dispensary.services.users import (
    SecondSigner,
    actor_of,
    check_second_signer,
    check_signer,
    find_user,
    outside_study,
    passwords_first,
    presign,
    record_signature,
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
    expected_book: int | None = None,
    adjusting_count: int | None = None,
    verifier_typed: str | None = None,
) -> CountResult:
    """Records a count once the assessment that `assess_count` shows (run again here, inside
    the write) has no refusal of the count itself. A difference is adjusted in the same step
    when its reason code, reason and second person are given and accepted; else the count is
    recorded as counted, open (`CountResult.still_needed` says why): the figure is never lost
    to a refusal that would show the book first. `expected_book`: the book the counter was
    shown and signs against; refused, nothing written, when it is no longer the book.
    `adjusting_count`: the open count shown with it (its number); refused when the kit's open
    count is no longer that one. `verifier_typed`: the user name the second person typed
    themself when signing (the window's signature dialog), refused when it is not
    `verified_by`'s (users.check_second_signer); None when the caller names the second person
    and gives their password together (a command)."""
    require(actor, Permission.COUNT, ctx, recorded=True)
    today = ctx.clock.today()
    request = CountRequest(
        kit, counted, reason_code, reason, verified_by, counted_on, expected_book, adjusting_count
    )
    # The counter's password first: a wrong one is said and counted (once the step is rolled
    # back) whatever else the count would be refused for (users.check_signer), noted with what
    # the counter was signing.
    signing = attempted_meaning(counted, expected_book)
    verifier_signs = (
        (
            SecondSigner(
                verifier_typed or verified_by,
                verifier_password,
                SignatureMeaning.COUNT_VERIFIED,
                Permission.VERIFY_COUNT,
            ),
        )
        if verified_by
        else ()
    )
    with passwords_first(ctx, actor, password, signing, *verifier_signs):
        checked = _checked(request, today, writing=True, tablets_only=ctx.study.tablets_only)
    day, why = checked.day, checked.reason
    presign(ctx, (actor.username, password), (verifier_typed or verified_by, verifier_password))
    with write_transaction(ctx.engine) as session:
        rec = Recorder(session, actor, ctx.clock.now(), study=ctx, action=Permission.COUNT)
        # The counter's password first here too, before every refusal of the records.
        signer = check_signer(session, actor, password, signing, auditor=actor, now=rec.now)
        # The second person's too, when one who may countersign is named: whether or not the
        # count differs (which a refusal must not tell before the count is recorded), and
        # before the count's other refusals.
        verifier: User | None = None
        named_id = _verifier(session, actor, verified_by, [], ctx.study_id) if verified_by else None
        if named_id is not None:
            named = session.get(User, named_id)
            assert named is not None
            verifier = check_second_signer(
                session,
                actor_of(session, named),
                verifier_typed,
                verifier_password,
                SignatureMeaning.COUNT_VERIFIED,
                auditor=actor,
                now=rec.now,
            )
        plan = _plan(session, actor, request, checked, today, ctx.study_id, reveal=True)
        found = plan.assessment
        of_count = [r for r in found.refusals if not r.code.needs_the_book]
        if of_count:
            first = of_count[0]
            raise first.error(first.message)
        record, code, verifier_id = plan.kit, plan.code, plan.verifier_id
        assert found.counted is not None and found.book is not None
        tablets, book = found.counted, found.book
        difference = tablets - book
        still_needed = tuple(r.message for r in found.refusals) + tuple(
            n.message for n in found.needs_missing
        )
        adjusting = bool(difference) and not still_needed
        count = PhysicalCount(
            kit_id=record.id,
            counted=tablets,
            book=book,
            reason_code=code.value if adjusting and code else "",
            reason=why if adjusting else "",
            counted_on=day,
            counted_by_id=actor.user_id,
            verified_by_id=verifier_id if adjusting else None,
            created_at=rec.now,
        )
        session.add(count)
        session.flush()
        record_signature(
            session, signer, counter_meaning(difference if adjusting else 0), "count", count.id, rec
        )
        if adjusting:
            assert verifier is not None and verifier.id == verifier_id  # checked above
            record_signature(
                session, verifier, SignatureMeaning.COUNT_VERIFIED, "count", count.id, rec
            )
            coded = f"{code.value if code else ''}: {why}"
            rec.ledger(
                stock_movement(
                    record, MovementKind.ADJUST, difference, day, coded, count_id=count.id
                )
            )
        recount_of = found.recount_of
        opened = plan.opened
        # The open count's figure given again against its book, with what the difference needs:
        # the adjustment of that count (named so in the trail), not a count again.
        adjustment_of = (
            opened.count_id
            if adjusting and opened is not None and (opened.counted, opened.book) == (tablets, book)
            else None
        )
        followed = (
            {"adjustment_of": adjustment_of}
            if adjustment_of is not None
            else {"recount_of": recount_of}
        )
        rec.audit(
            AuditAction.COUNT if adjustment_of is None else AuditAction.COUNT_ADJUSTED,
            "kit",
            record.number,
            {
                # The count's own number, by which a recount or an adjustment names it
                # (audit_actions.referred_shown: "count number 4812"), so a reader of the
                # trail finds the count those entries refer to.
                "count_number": count.id,
                "counted": tablets,
                "book": book,
                "difference": difference,
                "reason_code": code.value if adjusting and code else "",
                "verified_by": verified_by if adjusting else "",
                "adjusted": adjusting,
                # The first figure is a fact: a count after a record showed the book says so.
                "blind": recount_of is None,
                **followed,
            },
            reason=why if adjusting else "",
        )
        return CountResult(
            count.id,
            record.number,
            tablets,
            book,
            difference,
            adjusting,
            blind=recount_of is None,
            recount_of=recount_of,
            still_needed=still_needed if difference else (),
            verified_by_username=verifier.username if adjusting and verifier else "",
            verified_by_name=verifier.full_name if adjusting and verifier else "",
        )


def counter_meaning(difference: int) -> SignatureMeaning:
    """What the counter's own signature means (Part 11 §11.50): a count that differs from the
    book adjusts it; one that matches is counted. "Count verified" is the second person's
    countersignature alone: nobody verified a count the counter signed by themself."""
    return SignatureMeaning.ADJUSTED if difference else SignatureMeaning.COUNTED


def attempted_meaning(counted: object, expected_book: int | None) -> SignatureMeaning:
    """What the counter signs, as the signature window showed it, for a wrong password's
    entry (the book is read only after the password): "adjusted" when the count differs from
    the book the counter was shown and signs against (`expected_book`: an open count's
    adjustment); else "counted", the meaning a blind count is signed under, the book not yet
    read. A blind count's entry must not tell whether the figure matches the book (the
    counter may read the audit trail and count again); the count, recorded once signed, says."""
    if expected_book is None or type(counted) is not int or type(expected_book) is not int:
        return SignatureMeaning.COUNTED
    return counter_meaning(counted - expected_book)


def assess_count(ctx: Context, actor: Actor, request: CountRequest) -> CountAssessment:
    """Read-only: whether the kit can be counted, by the same policy as `record_count`. The
    book (and so the difference and what it needs) is given only for a recount: when the kit's
    last count differed and is not adjusted, its record showed the book already. Before a
    count is recorded the book stays hidden (None), whatever figure is tried here: the count
    is blind, and a figure tried against the book would be a count nobody recorded. Malformed
    input and an unknown kit raise, as they do for the count."""
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
            counted=PHYSICAL_COUNT,
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
    opened: OpenDifference | None = None  # the kit's open count (`recount_of`), its figures


def _plan(
    session: Session,
    actor: Actor,
    request: CountRequest,
    checked: _Checked,
    today: date,
    study: int,
    reveal: bool = False,
) -> _Plan:
    """The one counting policy: every rule, in the order record_count meets them. `reveal`:
    the book is read for the count being recorded; else it is given only for a recount."""
    record = get_kit(session, request.kit, study, reader=Readable(session, actor))
    opened = open_differences(session, [record.id]).get(record.id)
    recount_of = None if opened is None else opened.count_id
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
    shown = request.expected_book, request.adjusting_count
    if not refusals and balance is not None and shown != (None, None):
        changed = _book_changed(session, record, *shown, balance.on_hand, opened)
        if changed is not None:
            refusals.append(changed)
    blind = not reveal and recount_of is None  # no book before a count is recorded
    verifier_id: int | None = None
    if not refusals and counted is not None:
        # What was given for an adjustment is checked whether or not the count differs (the
        # code is one, the second person may countersign): none of it tells the book.
        verifier_id = _given(session, actor, request, refusals, study)
    # Who the user name typed as second person is, for the counter to see before both sign
    # (the destruction's witness is named so too): their full name and their account's role.
    named = session.get(User, verifier_id) if verifier_id is not None else None
    verifier = (named.full_name, named.role) if named is not None else ("", "")
    if refusals or counted is None or balance is None or blind:
        assessment = CountAssessment(
            record.number,
            status,
            counted,
            None,
            None,
            tuple(refusals),
            (),
            record.product,
            recount_of,
            *verifier,
        )
        return _Plan(assessment, record, None, None)
    book = balance.on_hand
    difference = counted - book
    needs: list[CountNeed] = []
    code: ReasonCode | None = None
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
        code = _code(reason_code) if given_code else None  # one that is none: refused above
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
    else:
        verifier_id = None  # a count that matches the book is signed by the counter alone
    assessment = CountAssessment(
        record.number,
        status,
        counted,
        book,
        difference,
        tuple(refusals),
        tuple(needs),
        record.product,
        recount_of,
        *verifier,
    )
    return _Plan(assessment, record, code, verifier_id, opened)


def _book_changed(
    session: Session,
    record: Kit,
    shown: int | None,
    shown_count: int | None,
    book: int,
    opened: OpenDifference | None,
) -> Refusal[CountCheck] | None:
    """Why a count signed against the book `shown` with the open count `shown_count` is
    refused, or None when both are still the kit's: the book given is compared with the book
    recorded with the open count (the one shown with it). Another workstation is blamed only
    when it recorded the kit since (book_changed); a book given that no count of the kit showed
    is said to be the wrong one; a book given with no count open, and none settled since the
    one shown, is no adjustment at all (no_open_count). When the kit's count is no longer open
    (settled elsewhere), the book is not told: the next count is blind."""
    if opened is None:
        if _settled_since(session, record.id, shown, shown_count):
            return Refusal(
                CountCheck.BOOK_CHANGED,
                _(
                    "Kit {kit} has no count open against the book {shown} given: another "
                    "workstation may have counted the kit since it was shown. Nothing was "
                    "written: count the kit again (blind), or review its history."
                ).format(kit=record.number, shown=shown if shown is not None else "?"),
                Conflict,
            )
        return Refusal(
            CountCheck.NO_OPEN_COUNT,
            _(
                "Kit {kit} has no count open to adjust: the book (--expected-book) and the open "
                "count (--adjusting-count) are given only to adjust a count recorded open, whose "
                "record showed the book. Nothing was written: count the kit without them (the "
                "count is blind)."
            ).format(kit=record.number),
            InvalidInput,
        )
    if shown_count is not None and shown_count != opened.count_id:
        return Refusal(
            CountCheck.BOOK_CHANGED,
            _(
                "The open count of kit {kit} is no longer count {shown_count}, the one shown: "
                "another workstation counted the kit again since (count {count}: {counted} "
                "counted on {day}, {book} in the book). Nothing was written: review the kit's "
                "history, then adjust its open count or count the kit again."
            ).format(
                kit=record.number,
                shown_count=shown_count,
                count=opened.count_id,
                counted=opened.counted,
                day=opened.counted_on.isoformat() if opened.counted_on else "",
                book=opened.book,
            ),
            Conflict,
        )
    if shown is None or book == shown:
        return None
    if book == opened.book and not (shown_count is None and _shown_before(session, opened, shown)):
        # Nothing changed since the open count: the figure given is not the one it showed.
        return Refusal(
            CountCheck.BOOK_CHANGED,
            _(
                "The book of kit {kit} shown with the count of {day} was {book}, not {shown}. "
                "Nothing was written: give the book the count showed ({book}), or count the kit "
                "again."
            ).format(
                kit=record.number,
                day=opened.counted_on.isoformat() if opened.counted_on else "",
                book=book,
                shown=shown,
            ),
            InvalidInput,
        )
    what, since = last_written(session, record.id) or (N_("received"), record.shipment.received_on)
    return Refusal(
        CountCheck.BOOK_CHANGED,
        _(
            "The book of kit {kit} changed from {shown} to {book} since it was shown: another "
            "workstation recorded the kit since ({what}, {day}). Nothing was written: count the "
            "kit again, or review its history."
        ).format(kit=record.number, shown=shown, book=book, what=_(what), day=since.isoformat()),
        Conflict,
    )


def _settled_since(
    session: Session, kit_id: int, shown: int | None, shown_count: int | None
) -> bool:
    """Whether the count shown (`shown_count`, else the kit's last count that was open against
    the book `shown`) is a count of the kit, settled since (adjusted, or counted again)."""
    if shown_count is not None:
        return (
            session.scalar(
                select(PhysicalCount.id).where(
                    PhysicalCount.id == shown_count, PhysicalCount.kit_id == kit_id
                )
            )
            is not None
        )
    last_open = session.execute(
        select(PhysicalCount.book)
        .where(PhysicalCount.kit_id == kit_id, PhysicalCount.counted != PhysicalCount.book)
        .order_by(PhysicalCount.id.desc())
        .limit(1)
    ).first()
    return last_open is not None and last_open[0] == shown


def _shown_before(session: Session, opened: OpenDifference, shown: int) -> bool:
    """Whether an earlier count of the kit was recorded against the book `shown`: the book given
    may be the one an earlier count showed (changed since), not a figure typed wrong."""
    earlier = select(PhysicalCount.id).where(
        PhysicalCount.kit_id
        == select(PhysicalCount.kit_id)
        .where(PhysicalCount.id == opened.count_id)
        .scalar_subquery(),
        PhysicalCount.id < opened.count_id,
        PhysicalCount.book == shown,
    )
    return session.scalar(earlier.limit(1)) is not None


def open_count(session: Session, kit_id: int) -> int | None:
    """The kit's last count when it differed from the book and no adjustment was written for
    it: recorded, its book shown, waiting for a recount or an adjustment. None otherwise."""
    found = open_differences(session, [kit_id]).get(kit_id)
    return None if found is None else found.count_id


@dataclass(frozen=True)
class OpenDifference:
    """A kit's open count difference (`open_differences`): what its last count found against
    the book, neither adjusted nor counted again."""

    count_id: int
    kit: str
    counted: int
    book: int
    counted_on: date | None = None  # the open count's date (said when it is not the one shown)

    @property
    def message(self) -> str:
        """Why the kit may not leave (dispensed, destroyed) until the difference is settled:
        its contents are in doubt, and the book the step would write the count contradicts."""
        return _(
            "Kit {kit} has a count difference not adjusted: {counted} counted, {book} in the "
            "book. Recount the kit or record the adjustment first: Physical count (Ctrl+7), or "
            "count {kit} on the command line."
        ).format(kit=self.kit, counted=self.counted, book=self.book)


_CHUNK = 500  # kit ids bound per statement (the destruction names up to 2,000 kits)


def open_differences(session: Session, kit_ids: Sequence[int]) -> dict[int, OpenDifference]:
    """The kits (by id) whose last count differed from the book and has no adjustment written
    for it: the one rule of an "open" count (`_open_counts`), which the count screen's recount,
    the dispense, the destruction and the supply forecast all read. One statement per _CHUNK
    kits."""
    ids = list(dict.fromkeys(kit_ids))
    found: dict[int, OpenDifference] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        columns = (PhysicalCount.id, PhysicalCount.kit_id, Kit.number, PhysicalCount.counted)
        rows = session.execute(
            _open_counts(PhysicalCount.kit_id.in_(chunk), *columns).add_columns(
                PhysicalCount.book, PhysicalCount.counted_on
            )
        ).tuples()
        for count_id, kit_id, number, counted, book, day in rows:
            found[kit_id] = OpenDifference(int(count_id), number, int(counted), int(book), day)
    return found


def held_kits(study: int) -> Select[tuple[int]]:
    """The ids of the study's kits held for an open count difference, as SQL (the rule of
    `open_differences`, `_open_counts`): for a statement that counts the shelf in SQL (the
    Today screen's) to leave them out of the usable stock, and count them apart."""
    of_study = PhysicalCount.kit_id.in_(select(Kit.id).where(Kit.study_id == study))
    return _open_counts(of_study, PhysicalCount.kit_id)


def held_for_count(kit_id: ColumnExpressionArgument[int]) -> ColumnElement[bool]:
    """Whether the kit `kit_id` names (a column of the enclosing statement, one row per kit) is
    held for an open count difference: `held_kits`' rule asked of that kit alone, its last
    count found by the index of its counts (ix_physical_counts_kit_id). For a statement over
    the shelf's few thousand kits (the Today screen's), which `held_kits` would check against
    a list of every kit the study ever received."""
    counts = aliased(PhysicalCount)
    last = (
        select(func.max(counts.id))
        .where(counts.kit_id == kit_id)
        .correlate_except(counts)  # to the kits of the enclosing statement, not past them
        .scalar_subquery()
    )
    return exists().where(PhysicalCount.id == last, *_unsettled()).correlate_except(PhysicalCount)


def _unsettled() -> tuple[ColumnElement[bool], ...]:
    """A count (PhysicalCount) that differs from the book and no ledger row (its adjustment)
    names: open, when it is its kit's last."""
    return (
        PhysicalCount.counted != PhysicalCount.book,
        ~exists().where(LedgerEntry.count_id == PhysicalCount.id),
    )


def _open_counts(kits: ColumnElement[bool], *columns: Any) -> Select[Any]:
    """`columns` of the open counts of the kits `kits` picks (a condition on
    PhysicalCount.kit_id): each kit's last count, when it differs from the book and no ledger
    row (its adjustment) names it. The one rule of an open count, in SQL (`held_for_count`
    asks it of one kit)."""
    last = (
        select(func.max(PhysicalCount.id).label("id"))
        .where(kits)
        .group_by(PhysicalCount.kit_id)
        .subquery()
    )
    return (
        select(*columns)
        .select_from(PhysicalCount)
        .join(last, last.c.id == PhysicalCount.id)
        .join(Kit, Kit.id == PhysicalCount.kit_id)
        .where(*_unsettled())
    )


def _given(
    session: Session,
    actor: Actor,
    request: CountRequest,
    refusals: list[Refusal[CountCheck]],
    study: int,
) -> int | None:
    """The reason code and second person given with a count, checked before the book is
    read (nothing of it depends on the book); the second person's user id when accepted."""
    code = request.reason_code
    if code is not None and code != "" and _code(code) is None:
        refusals.append(
            Refusal(
                CountCheck.REASON_CODE,
                _("'{code}' is not a reason code: use {codes}.").format(
                    code=code, codes=", ".join(r.value for r in ReasonCode)
                ),
                InvalidInput,
            )
        )
    if request.verified_by:
        return _verifier(session, actor, request.verified_by, refusals, study)
    return None


def _code(given: ReasonCode | str | None) -> ReasonCode | None:
    """The reason code given, or None when it is none (a typo, or not even text)."""
    try:
        return ReasonCode(given)  # type: ignore[arg-type]  # not always text: refused
    except (ValueError, TypeError):
        return None


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
    second = actor_of(session, verifier)
    if not may(second, Permission.VERIFY_COUNT):
        refusals.append(
            Refusal(
                CountCheck.VERIFIER_ROLE,
                role_refusal(second, Permission.VERIFY_COUNT),
                NotPermitted,
            )
        )
        return None
    outside = outside_study(session, actor_of(session, verifier), study)
    if outside is not None:
        refusals.append(Refusal(CountCheck.VERIFIER_ACCESS, outside, NotPermitted))
        return None
    return verifier.id
