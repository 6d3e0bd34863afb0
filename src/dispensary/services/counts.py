"""Physical counts, done blind: the book balance is shown only after the count is entered.

A difference is written to the ledger as an adjustment with a reason code, countersigned by a
second person.
"""

from __future__ import annotations

from datetime import date

from dispensary.db.engine import write_transaction
from dispensary.db.models import PhysicalCount
from dispensary.domain.accountability import balance_of
from dispensary.domain.codes import KitStatus, MovementKind, ReasonCode, SignatureMeaning
from dispensary.domain.errors import InvalidInput, NotPermitted, RuleViolation
from dispensary.domain.rules import check_count, check_not_future, check_text
from dispensary.services.audit import Recorder
from dispensary.services.common import get_kit, kit_movements, stock_movement
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import may, require
from dispensary.services.results import CountResult
from dispensary.services.users import actor_of, check_signature, find_user, presign

ON_SHELF = {KitStatus.AVAILABLE.value, KitStatus.QUARANTINED.value}


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
    require(actor, "count")
    today = ctx.clock.today()
    day = check_not_future(counted_on, today, "count date")
    tablets = check_count(counted, "number of tablets counted")
    why = check_text(reason, "reason", required=False)
    presign(ctx, (actor.username, password), (verified_by, verifier_password))
    with write_transaction(ctx.engine) as session:
        record = get_kit(session, kit)
        if record.status not in ON_SHELF:
            raise RuleViolation(
                f"Kit {record.number} is {record.status}; counts are for kits on the shelf. "
                "A returned kit's count is corrected through its return."
            )
        book = balance_of(kit_movements(session, record.id)).on_hand
        difference = tablets - book
        code: ReasonCode | None = None
        verifier_id = None
        rec = Recorder(session, actor, ctx.clock.now())
        if difference:
            if reason_code is None or reason_code == "":
                raise RuleViolation(
                    f"The count of kit {record.number} differs from the book by {difference:+d}. "
                    "Give a reason code (breakage, miscount, lost, found, other) and a reason."
                )
            try:
                code = ReasonCode(reason_code)
            except ValueError as exc:
                raise InvalidInput(
                    f"'{reason_code}' is not a reason code: use "
                    f"{', '.join(r.value for r in ReasonCode)}."
                ) from exc
            if not why:
                raise RuleViolation("Explain the difference in a few words.")
            if not verified_by:
                raise RuleViolation(
                    f"The count of kit {record.number} differs from the book by {difference:+d}: "
                    "a second person must check it and sign."
                )
            verifier = find_user(session, verified_by)
            if verifier.id == actor.user_id:
                raise RuleViolation("The second signature must be another person's.")
            verifier_actor = actor_of(verifier)
            if not may(verifier_actor, "verify_count"):
                raise NotPermitted(f"{verifier.username} may not countersign a count.")
            verifier_id = verifier.id
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
            SignatureMeaning.ADJUSTED if difference else SignatureMeaning.COUNT_VERIFIED,
            "count",
            count.id,
            rec,
        )
        if difference:
            check_signature(
                session,
                actor_of(find_user(session, verified_by)),
                verifier_password,
                SignatureMeaning.COUNT_VERIFIED,
                "count",
                count.id,
                rec,
            )
            coded = f"{code.value if code else ''}: {why}"
            rec.ledger(
                stock_movement(
                    record, MovementKind.ADJUST, difference, day, coded, count_id=count.id
                )
            )
        rec.audit(
            "count",
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
