"""Lists said in words (kits, lots, studies, excursions) take the language's separator, from
one helper (i18n.listed): "K0003, K0004" in English, "K0003、K0004" in Chinese, where a
reconciliation finding said "K0003, K0004" in the middle of Chinese text."""

from __future__ import annotations

from dispensary.cli.core import kits_text
from dispensary.i18n import Language, speaking
from dispensary.labels.titles import kits_shown
from dispensary.services import quarantine, reconciliation
from dispensary.services.context import Actor, Context
from dispensary.services.studies import _listed as listed_in_refusal

from .conftest import Stock


def quarantine_finding(ctx: Context, pharmacist: Actor, language: Language) -> str:
    with speaking(language):
        result = reconciliation.reconcile(ctx, pharmacist)
    (found,) = [d.message for d in result.to_review if "K0003" in d.message]
    return found


def test_a_reconciliation_finding_lists_its_kits_as_the_reader_writes_a_list(
    ctx: Context, stock: Stock, pharmacist: Actor
) -> None:
    quarantine.quarantine(ctx, pharmacist, ["K0003", "K0004"], "dropped on the floor")
    chinese = quarantine_finding(ctx, pharmacist, Language.ZH_CN)
    assert "K0003、K0004" in chinese and "K0003, K0004" not in chinese, chinese
    english = quarantine_finding(ctx, pharmacist, Language.EN)
    assert "K0003, K0004" in english, english


def test_every_helper_that_lists_kits_says_the_list_one_way() -> None:
    kits = ["K0003", "K0004", "K0005"]
    with speaking(Language.ZH_CN):
        said = {kits_text(kits), kits_shown(kits), listed_in_refusal(kits)}
    assert said == {"K0003、K0004、K0005"}
    with speaking(Language.EN):
        said = {kits_text(kits), kits_shown(kits), listed_in_refusal(kits)}
    assert said == {"K0003, K0004, K0005"}
