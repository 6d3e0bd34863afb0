"""The study a database serves: read it, or replace its study file (administrator only).

The study file is stored in the database so that every workstation applies the same rules. A
new version (corrected label wording, a new dose level) replaces the stored text; the old and
new texts are kept in the audit trail, so nothing of the old set-up is lost.
"""

from __future__ import annotations

from sqlalchemy import select

from dispensary.db.engine import write_transaction
from dispensary.db.models import Dispense, Kit, StudyRecord
from dispensary.domain.errors import DatabaseProblem, RuleViolation
from dispensary.domain.rules import check_text
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.study import Study, parse_study


def update_study(ctx: Context, actor: Actor, text: str, origin: str, reason: str) -> Study:
    """Checks the new study file against what the records already use, then stores it."""
    require(actor, Permission.STUDY)
    why = check_text(reason, "reason for changing the study file")
    new = parse_study(text, origin)
    if new.protocol != ctx.study.protocol:
        raise RuleViolation(
            f"{origin} is for study {new.protocol}, but this database serves "
            f"{ctx.study.protocol}. A new study needs its own database (`dispensary init`)."
        )
    with write_transaction(ctx.engine) as session:
        record = session.scalar(select(StudyRecord))
        if record is None:
            raise DatabaseProblem("This database has no study recorded.")
        if record.source_text == text:
            raise RuleViolation("The study file is the same as the one in use; nothing to change.")
        codes = {p.code for p in new.products}
        used_products = set(session.scalars(select(Kit.product).distinct()))
        if used_products - codes:
            missing = sorted(used_products - codes)[0]
            raise RuleViolation(
                f"Kits of product {missing} are on record, but the new study file does not list "
                "it. Keep every product that has stock in the file."
            )
        levels = {d.level for d in new.dose_levels}
        used_levels = set(session.scalars(select(Dispense.dose_level).distinct()))
        if used_levels - levels:
            missing_level = sorted(used_levels - levels)[0]
            raise RuleViolation(
                f"Dispenses at dose level {missing_level} are on record, but the new study file "
                "does not define it. Keep every dose level that has been dispensed."
            )
        old_text = record.source_text
        record.source_text = text
        rec = Recorder(session, actor, ctx.clock.now())
        record.loaded_at = rec.now
        rec.audit(
            "study_updated",
            "study",
            new.protocol,
            {"source_text": text, "origin": origin},
            {"source_text": old_text},
            why,
        )
    return new
