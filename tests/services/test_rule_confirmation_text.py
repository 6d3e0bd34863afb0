"""A rule's confirmation covers the text it confirmed (services.studies.rule_confirmations): a
study file updated with a confirmed rule's text changed, its source kept, makes the rule "to
confirm" again. The reviewer's case: the Chinese label's directions reworded kept
`label.text.zh_CN` confirmed, and the next dispense's label printed the new, unchecked words.
Now the label prints in English and says why, the update names the confirmations it undid, and
a confirmation of the new text is a new entry. A confirmation made before confirmations kept
their text (migration 0019) covers the text of the file in force when it was made."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from dispensary.db.engine import read_transaction
from dispensary.db.models import RuleConfirmation
from dispensary.domain.audit_actions import AuditAction
from dispensary.services import audit, labels, studies
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult
from dispensary.study import Study

from .conftest import Stock
from .helpers import dispense, enroll

Password = Callable[[Actor], str]
ZH = "label.text.zh_CN"
OLD_ZH = "每晚空腹口服{tablets}"
NEW_ZH = "每晚睡前空腹口服{tablets}"


def _updated(ctx: Context, admin: Actor, text: str, why: str = "label text v2") -> Context:
    """The study file updated; the context of a workstation that opened the study after it."""
    new = studies.update_study(ctx, admin, text, "v2.toml", why)
    return replace(ctx, study=new)


def _states(ctx: Context, admin: Actor) -> dict[str, tuple[bool, bool, str]]:
    return {r.key: (r.confirmed, r.changed, r.state) for r in studies.study_rules(ctx, admin)}


def _confirmations(ctx: Context, key: str) -> list[str | None]:
    with read_transaction(ctx.engine) as session:
        return list(
            session.scalars(
                select(RuleConfirmation.digest)
                .where(RuleConfirmation.rule == key)
                .order_by(RuleConfirmation.id)
            )
        )


def test_a_changed_chinese_label_text_is_to_confirm_again_and_prints_in_english(
    ctx: Context,
    study: Study,
    admin: Actor,
    pharmacist: Actor,
    cycle1: DispenseResult,
    pw: Password,
) -> None:
    studies.confirm_rule(ctx, admin, ZH, "checked against the approved Chinese label")
    assert labels.plan_print(ctx, pharmacist, "dispense", [cycle1.number]).languages == ("zh_CN",)
    assert _states(ctx, admin)[ZH] == (True, False, "confirmed")
    text = study.source_text.replace(OLD_ZH, NEW_ZH)
    assert text != study.source_text and study.label.directions in text  # English unchanged

    v2 = _updated(ctx, admin, text)

    assert _states(v2, admin)[ZH] == (False, True, "to confirm (changed since confirmed)")
    assert ZH in [r.key for r in studies.rules_to_confirm(v2, admin)]
    assert studies.confirmations_undone(v2, admin, study, v2.study) == [ZH]
    said = studies.undone_said([ZH])
    assert ZH in said and "to confirm again" in said
    entry = next(e for e in audit.list_entries(v2, admin) if e.action == AuditAction.STUDY_UPDATED)
    assert json.loads(entry.new)["confirmations_undone"] == [ZH]

    # The next dispense, made with the new file: its label in English, saying why.
    other = enroll(v2, pharmacist, "01-002").study_number
    after = dispense(v2, pharmacist, pw(pharmacist), other)
    plan = labels.plan_print(v2, pharmacist, "dispense", [after.number])
    assert plan.languages == ("en",)
    assert ZH in plan.language_note and "changed since it was confirmed" in plan.language_note
    # The dispense made before: worded from the file it was made with, whose text was confirmed.
    before = labels.plan_print(v2, pharmacist, "dispense", [cycle1.number])
    assert before.languages == ("zh_CN",)

    # Confirmed again: a new entry beside the first, for the new text.
    studies.confirm_rule(v2, admin, ZH, "new directions checked against the approved label")
    assert _states(v2, admin)[ZH] == (True, False, "confirmed")
    assert labels.plan_print(v2, pharmacist, "dispense", [after.number]).languages == ("zh_CN",)
    digests = _confirmations(v2, ZH)
    assert digests == [study.rule(ZH).digest, v2.study.rule(ZH).digest]
    assert digests[0] != digests[1]
    assert audit.verify(v2, admin).ok


def test_a_changed_site_decision_number_is_to_confirm_again_and_an_unrelated_change_is_not(
    ctx: Context, study: Study, admin: Actor
) -> None:
    """The same for every confirmed rule: the platelet hold's number changed, its source kept,
    undoes its confirmation; a change elsewhere in the file (the store's name) undoes none."""
    studies.confirm_rule(ctx, admin, "platelets", "investigator's letter")
    studies.confirm_rule(ctx, admin, ZH, "checked against the approved Chinese label")
    moved = study.source_text.replace('storage_area = "IP store 1"', 'storage_area = "IP store 2"')
    assert moved != study.source_text
    v2 = _updated(ctx, admin, moved, "store moved")
    assert studies.confirmations_undone(v2, admin, study, v2.study) == []
    states = _states(v2, admin)
    assert states["platelets"][0] and states[ZH][0]

    lower = moved.replace("hold_at_or_above = 100", "hold_at_or_above = 50")
    assert lower != moved
    v3 = _updated(v2, admin, lower, "hold lowered")
    assert studies.confirmations_undone(v3, admin, v2.study, v3.study) == ["platelets"]
    states = _states(v3, admin)
    assert states["platelets"] == (False, True, "to confirm (changed since confirmed)")
    assert states[ZH][0]


def test_a_confirmation_without_its_text_covers_the_file_in_force_when_it_was_made(
    ctx: Context, study: Study, admin: Actor, stock: Stock
) -> None:
    """A confirmation recorded before confirmations kept their text (digest NULL, as an older
    release wrote it): it covers the rule as the file in force then said it, as the study's
    versions in the audit trail establish it; a later change of that text undoes it."""
    older = replace(study, rules=tuple(replace(r, digest=None) for r in study.rules))  # type: ignore[arg-type]
    studies.confirm_rule(replace(ctx, study=older), admin, ZH, "confirmed by release 0018")
    assert _confirmations(ctx, ZH) == [None]
    assert _states(ctx, admin)[ZH][0]

    moved = study.source_text.replace('storage_area = "IP store 1"', 'storage_area = "IP store 2"')
    v2 = _updated(ctx, admin, moved, "store moved")
    assert _states(v2, admin)[ZH][0], "the Chinese text confirmed then is the text now"

    v3 = _updated(v2, admin, moved.replace(OLD_ZH, NEW_ZH))
    assert _states(v3, admin)[ZH] == (False, True, "to confirm (changed since confirmed)")
    assert studies.confirmations_undone(v3, admin, v2.study, v3.study) == [ZH]
