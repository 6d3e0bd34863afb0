"""The study a database serves: read it, or replace its study file (administrator only).

The study file is stored in the database so that every workstation applies the same rules. A
new version (corrected label wording, a new dose level) replaces the stored text; the old and
new texts are kept in the audit trail, so nothing of the old set-up is lost.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dispensary.db.engine import read_transaction, write_transaction
from dispensary.db.models import Dispense, Kit, RuleConfirmation, StudyRecord, User
from dispensary.domain.errors import DatabaseProblem, InvalidInput, RuleViolation
from dispensary.domain.rules import check_text
from dispensary.i18n import N_, _
from dispensary.services.audit import Recorder
from dispensary.services.context import Actor, Context
from dispensary.services.permissions import Permission, require
from dispensary.services.results import RuleState
from dispensary.study import Study, parse_study


def update_study(ctx: Context, actor: Actor, text: str, origin: str, reason: str) -> Study:
    """Checks the new study file against what the records already use, then stores it."""
    require(actor, Permission.STUDY)
    why = check_text(reason, N_("reason for changing the study file"))
    new = parse_study(text, origin)
    if new.protocol != ctx.study.protocol:
        raise RuleViolation(
            _(
                "{origin} is for study {protocol}, but this database serves {serves}. A new "
                "study needs its own database (`dispensary init`)."
            ).format(origin=origin, protocol=new.protocol, serves=ctx.study.protocol)
        )
    with write_transaction(ctx.engine) as session:
        record = session.scalar(select(StudyRecord))
        if record is None:
            raise DatabaseProblem(_("This database has no study recorded."))
        if record.source_text == text:
            raise RuleViolation(
                _("The study file is the same as the one in use; nothing to change.")
            )
        codes = {p.code for p in new.products}
        used_products = set(session.scalars(select(Kit.product).distinct()))
        if used_products - codes:
            missing = sorted(used_products - codes)[0]
            raise RuleViolation(
                _(
                    "Kits of product {product} are on record, but the new study file does not "
                    "list it. Keep every product that has stock in the file."
                ).format(product=missing)
            )
        levels = {d.level for d in new.dose_levels}
        used_levels = set(session.scalars(select(Dispense.dose_level).distinct()))
        if used_levels - levels:
            missing_level = sorted(used_levels - levels)[0]
            raise RuleViolation(
                _(
                    "Dispenses at dose level {level} are on record, but the new study file does "
                    "not define it. Keep every dose level that has been dispensed."
                ).format(level=missing_level)
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


def confirmed_rules(session: Session, study: Study) -> frozenset[str]:
    """The keys of the study's rules that hold: from the registry or the protocol, or confirmed
    by an administrator for the source the study file gives now."""
    confirmed = {
        (rule, source)
        for rule, source in session.execute(select(RuleConfirmation.rule, RuleConfirmation.source))
    }
    return frozenset(
        r.key for r in study.rules if r.authoritative or (r.key, r.source) in confirmed
    )


def study_rules(ctx: Context, actor: Actor) -> list[RuleState]:
    """Every rule of the study file with its source and whether it holds (confirmed)."""
    require(actor, Permission.VIEW)
    with read_transaction(ctx.engine) as session:
        found = {
            (c.rule, c.source): c
            for c in session.scalars(select(RuleConfirmation).order_by(RuleConfirmation.id))
        }
        names = {u.id: u.username for u in session.scalars(select(User))}
        states = []
        for rule in ctx.study.rules:
            row = found.get((rule.key, rule.source))
            states.append(
                RuleState(
                    key=rule.key,
                    title=rule.title,
                    source=rule.source,
                    confirmed=rule.authoritative or row is not None,
                    by_source=rule.authoritative,
                    confirmed_by=names.get(row.confirmed_by_id, "") if row else "",
                    confirmed_at=row.confirmed_at if row else None,
                    reason=row.reason if row else "",
                    said=ctx.study.rule_title(rule.key),
                )
            )
        return states


def rules_to_confirm(ctx: Context, actor: Actor) -> list[RuleState]:
    """The rules an administrator still has to confirm (source neither registry nor protocol)."""
    return [r for r in study_rules(ctx, actor) if not r.confirmed]


def confirm_rule(ctx: Context, actor: Actor, rule: str, reason: str) -> RuleState:
    """An administrator confirms a site-decision rule of the study file (audited); from then on
    the counter applies it as written."""
    require(actor, Permission.STUDY)
    why = check_text(reason, N_("reason for confirming the rule"))
    if not isinstance(rule, str):
        raise InvalidInput(
            _("A rule is named by its key (e.g. cycle.min_interval), not {value}.").format(
                value=repr(rule)
            )
        )
    found = ctx.study.rule(rule.strip())
    if found.authoritative:
        raise RuleViolation(
            _(
                "Rule {rule} comes from the {source}: it holds as written and needs no "
                "confirmation."
            ).format(rule=found.key, source=found.source)
        )
    with write_transaction(ctx.engine) as session:
        if session.scalar(
            select(RuleConfirmation.id).where(
                RuleConfirmation.rule == found.key, RuleConfirmation.source == found.source
            )
        ):
            raise RuleViolation(
                _("Rule {rule} ({source}) is already confirmed.").format(
                    rule=found.key, source=found.source
                )
            )
        rec = Recorder(session, actor, ctx.clock.now())
        row = RuleConfirmation(
            rule=found.key,
            source=found.source,
            reason=why,
            confirmed_by_id=actor.user_id,
            confirmed_at=rec.now,
        )
        session.add(row)
        session.flush()
        rec.audit(
            "rule_confirmed",
            "rule",
            found.key,
            {"rule": found.key, "title": found.title, "source": found.source, "confirmed": True},
            {"confirmed": False},
            why,
        )
        return RuleState(
            key=found.key,
            title=found.title,
            source=found.source,
            confirmed=True,
            by_source=False,
            confirmed_by=actor.username,
            confirmed_at=row.confirmed_at,
            reason=why,
            said=ctx.study.rule_title(found.key),
        )
