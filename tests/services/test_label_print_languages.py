"""A label print's audit entry says which languages its labels went out in (an inspector must
be able to tell which text the participant got): English, Chinese or both, the main one first,
for a first print, a reprint, a record made later (Record the print) and a discarded record;
the trail says them in words. Entries written before carry none and still read and verify."""

from __future__ import annotations

import json

from dispensary.domain.audit_actions import AuditAction, record_named, value_shown
from dispensary.i18n import Language, speaking
from dispensary.services import audit, labels, studies
from dispensary.services.context import Actor, Context
from dispensary.services.results import DispenseResult

from .conftest import Stock

PDF = b"%PDF-1.4 a label"
ZH = "label.text.zh_CN"


def _printed(ctx: Context, actor: Actor, plan: labels.PrintPlan, reason: str = "") -> None:
    row = labels.print_labels(ctx, actor, plan, lambda _plan: PDF, lambda _pdf: True, reason)
    assert row is not None


def _recorded(ctx: Context, actor: Actor, action: AuditAction) -> list[dict[str, object]]:
    return [json.loads(e.new) for e in audit.list_entries(ctx, actor, action=action.value)]


def test_each_language_choice_is_in_the_print_entry_and_the_trail_still_verifies(
    ctx: Context,
    stock: Stock,
    admin: Actor,
    pharmacist: Actor,
    cycle1: DispenseResult,
) -> None:
    # An entry written before languages were recorded: none in it.
    labels.record_label_print(ctx, pharmacist, "kit", ["K0002"], False)
    # The Chinese text not confirmed: the label goes out in English, and says so.
    english = labels.plan_print(ctx, pharmacist, "kit", ["K0003"])
    assert english.languages == ("en",) and english.language_note
    _printed(ctx, pharmacist, english)
    studies.confirm_rule(ctx, admin, ZH, "checked against the approved Chinese label")
    number = cycle1.number
    chinese = labels.plan_print(ctx, pharmacist, "dispense", [number])
    assert chinese.languages == ("zh_CN",)  # the study's first language
    _printed(ctx, pharmacist, chinese)
    both = labels.plan_print(ctx, pharmacist, "dispense", [number], languages=["zh_CN", "en"])
    assert both.reprint and both.languages == ("zh_CN", "en")
    _printed(ctx, pharmacist, both, "label torn")
    asked = labels.plan_print(ctx, pharmacist, "leaflet", [number], languages=["en"])
    _printed(ctx, pharmacist, asked)

    first = _recorded(ctx, admin, AuditAction.LABEL_PRINTED)
    assert [(e["items"], e.get("languages")) for e in first] == [
        (["K0002"], None),
        (["K0003"], ["en"]),
        ([number], ["zh_CN"]),
        ([number], ["en"]),
    ]
    [again] = _recorded(ctx, admin, AuditAction.LABEL_REPRINTED)
    assert again["languages"] == ["zh_CN", "en"]  # the main language first
    assert audit.verify(ctx, admin).ok


def test_a_record_made_later_and_a_discarded_record_keep_the_languages_the_labels_went_out_in(
    ctx: Context, stock: Stock, admin: Actor, technician: Actor
) -> None:
    plan = labels.plan_print(ctx, technician, "kit", ["K0004"])
    # Record the print: the record of a print out whose record was refused, made from its plan.
    labels.record_label_print(
        ctx, technician, plan.kind, plan.items, False, token=plan.token, languages=plan.languages
    )
    labels.discard_print_record(ctx, technician, "kit", ["K0005"], False, languages=["zh_CN"])
    [printed] = _recorded(ctx, admin, AuditAction.LABEL_PRINTED)
    assert printed["languages"] == ["en"]
    [discarded] = _recorded(ctx, admin, AuditAction.LABEL_PRINT_RECORD_DISCARDED)
    assert discarded["languages"] == ["zh_CN"]
    assert audit.verify(ctx, admin).ok


def test_the_trail_says_the_languages_in_words_and_an_older_entry_as_it_was() -> None:
    both = json.dumps({"items": ["DSP000107"], "languages": ["zh_CN", "en"]})
    several = json.dumps({"items": ["K1", "K2"], "languages": ["en"]})
    older = json.dumps({"items": ["DSP000107"], "stock": "a4", "reprint": False})
    with speaking(Language.EN):
        assert record_named("dispense label", "DSP000107", both) == (
            "Dispensing labels DSP000107 (Simplified Chinese and English)"
        )
        assert record_named("kit label", "K1..K2 (2)", several) == (
            "Kit labels of 2 kits: K1, K2 (English)"
        )
        assert record_named("dispense label", "DSP000107", older) == "Dispensing labels DSP000107"
        assert value_shown("languages", ["zh_CN", "en"]) == "Simplified Chinese and English"
    with speaking(Language.ZH_CN):
        assert record_named("dispense label", "DSP000107", both) == (
            "发放标签 DSP000107（简体中文和英文）"
        )
        assert value_shown("languages", ["zh_CN"]) == "简体中文"
