"""The reviewer's second study (REV-CAPS-28: capsules of two strengths) served from its study
file alone still met refusals and findings that said its capsules were tablets (片):

- the receipt's kit count: "Kit R2001 is listed with 60 tablets, but a kit of ... holds 56";
  a kit of no units: "Kit R2001 has no tablets";
- a return of more than was dispensed: "60 tablets returned for kit R1001 ... Count the
  tablets again";
- the reconciliation's count differences, in Chinese "盘点数 55 片，账面 56 片", and its kit whose
  status disagrees with its ledger ("在库 56 片").

Each count is said in its product's word (Study.units): capsules / 粒 here, tablets / 片 in
NCT07198672 (tests/services/test_receiving.py, test_returns.py, test_counts.py and
test_messages_chinese.py say those). Through the services and through the command line."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from dispensary.domain.errors import RuleViolation
from dispensary.i18n import Language, speaking
from dispensary.services import (
    counts,
    receiving,
    reconciliation,
    returns,
    users,
)
from dispensary.services.assessment import KitIn
from dispensary.services.assessment.receiving import ReceiveRequest
from dispensary.services.context import Context
from dispensary.services.demo import DEMO_PASSWORD
from dispensary.study import parse_study
from rev_caps28 import BACK, DAY1, FIXTURE, HUNDRED, pharmacy

NAMED = "revicapib 100 mg capsule"


@pytest.fixture
def review(tmp_path: Path) -> Iterator[Context]:
    ctx, _db = pharmacy(tmp_path)
    yield ctx
    ctx.engine.dispose()


def _kit(count: int) -> KitIn:
    return KitIn("R2001", HUNDRED, "LR2", date(2028, 6, 30), count)


def _receipt_refusal(ctx: Context, count: int) -> str:
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    found = receiving.assess_receive(ctx, pharm, ReceiveRequest("SH-R2", [_kit(count)]))
    [line] = found.lines
    assert not line.accepted
    return line.message


def test_the_receipts_kit_count_refusal_says_capsules(review: Context) -> None:
    english = _receipt_refusal(review, 60)
    assert english.startswith(
        f"Kit R2001 is listed with 60 capsules, but a kit of {NAMED} holds 56 capsules (the "
        "study file)."
    ), english
    assert "if the kit really holds 60 capsules, do not receive it" in english
    with speaking(Language.ZH_CN):
        chinese = _receipt_refusal(review, 60)
    assert chinese.startswith("药盒 R2001 列出的数量为 60 粒，但 "), chinese
    assert "每盒为 56 粒（研究文件）" in chinese and "片" not in chinese, chinese
    assert _receipt_refusal(review, 0) == "Kit R2001 is listed with 0 capsules; check the count."
    with speaking(Language.ZH_CN):
        assert _receipt_refusal(review, 0) == "药盒 R2001 列出的数量为 0 粒；请核对数量。"
        negative = _receipt_refusal(review, -1)
    assert "药盒 R2001 的粒数" in negative and "片" not in negative, negative
    assert "The number of capsules in kit R2001" in _receipt_refusal(review, -1)


def _give_back(ctx: Context, count: int) -> None:
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    returns.record_return(ctx, pharm, "R1001", count, DEMO_PASSWORD, study_number="01-001", cycle=1)


def test_a_return_of_more_than_was_dispensed_says_capsules(review: Context) -> None:
    review.clock.set_date(BACK)  # type: ignore[attr-defined]
    with pytest.raises(RuleViolation) as english:
        _give_back(review, 60)
    assert english.value.message == (
        "60 capsules returned for kit R1001, but only 56 capsules were dispensed from it. Count "
        "the kit again."
    )
    with speaking(Language.ZH_CN), pytest.raises(RuleViolation) as chinese:
        _give_back(review, 60)
    assert (
        chinese.value.message
        == "药盒 R1001 登记退回 60 粒，但该药盒只发放了 56 粒。请重新清点该药盒。"
    )
    pharm = users.sign_in(review, "pharm", DEMO_PASSWORD)
    found = returns.assess_return(
        review,
        pharm,
        returns.ReturnRequest(kit="R1001", tablets=57, study_number="01-001", cycle=1),
    )
    assert [r.message for r in found.refusals] == [
        "57 capsules returned for kit R1001, but only 56 capsules were dispensed from it. Count "
        "the kit again."
    ]


def _findings(ctx: Context) -> list[str]:
    pharm = users.sign_in(ctx, "pharm", DEMO_PASSWORD)
    found = reconciliation.reconcile(ctx, pharm)
    return [d.message for d in found.discrepancies if d.subject == "R1003"]


def test_the_reconciliations_count_difference_says_capsules(review: Context) -> None:
    pharm = users.sign_in(review, "pharm", DEMO_PASSWORD)
    counts.record_count(review, pharm, "R1003", 55, DEMO_PASSWORD)
    [english] = _findings(review)
    assert english.startswith(
        f"Count of kit R1003 on {DAY1.isoformat()}: 55 capsules counted, 56 capsules in the book "
        "(-1); not adjusted"
    ), english
    with speaking(Language.ZH_CN):
        [chinese] = _findings(review)
    assert chinese.startswith(
        f"药盒 R1003 于 {DAY1.isoformat()} 的盘点：盘点数 55 粒，账面 56 粒（-1）；未调整"
    ), chinese
    assert "片" not in chinese


def test_a_kit_whose_status_disagrees_with_its_ledger_is_said_in_capsules(
    review: Context,
) -> None:
    with review.engine.begin() as conn:  # edited behind the program's back
        conn.execute(text("UPDATE kits SET status = 'dispensed' WHERE number = 'R1003'"))
    english = [m for m in _findings(review) if "ledger shows" in m]
    assert english == [
        "Kit R1003 is recorded as dispensed, but its ledger shows 56 capsules on hand and 0 "
        "capsules held."
    ], english
    with speaking(Language.ZH_CN):
        chinese = [m for m in _findings(review) if "台账" in m]
    assert len(chinese) == 1 and "在库 56 粒、退回留存 0 粒" in chinese[0], chinese


def test_a_study_of_tablets_still_says_tablets() -> None:
    """The same helper says NCT07198672's counts in tablets / 片 (its own word)."""
    from dispensary.study import default_study_path, load_study

    study = load_study(default_study_path())
    code = study.products[0].code
    assert study.units(code, 60) == "60 tablets"
    assert study.units(code, 60, "zh_CN") == "60 片"
    rev = parse_study(FIXTURE.read_text(encoding="utf-8"), str(FIXTURE), new_file=True)
    assert rev.units(HUNDRED, 60, "zh_CN") == "60 粒"
