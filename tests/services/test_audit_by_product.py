"""The audit entries of a dispense of several products and of its return record each product's
own figures: a capsule kit's return read "Tablets expected: 0 ... Tablets taken: 58" (the
capsules and tablets of the whole dispense summed, nothing expected yet) and the dispense
"Tablets: 58" (28 capsules and 30 tablets). A study of one product records what it always has;
`audit verify` holds on both."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from dispensary.db.engine import read_transaction
from dispensary.db.models import AuditEntry
from dispensary.domain.audit_actions import AuditAction, value_shown
from dispensary.i18n import Language, speaking
from dispensary.services import audit, returns
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.results import DispenseResult
from dispensary.study import load_study

from .test_study_files import PASSWORD, START, STUDIES, Counter

CAPSULE, TABLET = "democapib-100mg", "demotinib-25mg"


def recorded(ctx: Context, action: AuditAction) -> dict[str, object]:
    """The values the latest entry of `action` recorded, as stored (and hashed)."""
    with read_transaction(ctx.engine) as session:
        entries = session.query(AuditEntry).filter(AuditEntry.action == action.value).all()
    value: dict[str, object] = json.loads(entries[-1].new)
    return value


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Counter]:
    """A pharmacy of DEMO-2DRUG: a capsule on days 1-14 with a tablet daily."""
    made = Counter(load_study(STUDIES / "DEMO-2DRUG.toml"), tmp_path, FixedClock(START))
    yield made
    made.ctx.engine.dispose()


def test_a_two_product_dispense_and_its_return_record_each_products_figures(
    counter: Counter,
) -> None:
    counter.receive("C0001-C0002", CAPSULE, "LC1")
    counter.receive("T0001-T0002", TABLET, "LT1")
    counter.enroll()
    first = counter.dispense(1)
    dispensed = recorded(counter.ctx, AuditAction.DISPENSE)
    assert "tablets" not in dispensed
    assert dispensed["by_product"] == [
        {"product": CAPSULE, "dispensed": 28},
        {"product": TABLET, "dispensed": 30},
    ]

    counter.clock.set_date(date(2026, 1, 26))
    part = returns.record_return(counter.ctx, counter.pharm, "C0001", 10, PASSWORD, first.number)
    values = recorded(counter.ctx, AuditAction.RETURN)
    assert (values["kit"], values["product"], values["tablets"]) == ("C0001", CAPSULE, 10)
    assert "taken" not in values and "expected" not in values  # 58 "taken", 0 expected
    assert values["by_product"] == [p.recorded() for p in part.products]
    assert values["by_product"] == [
        {"product": CAPSULE, "dispensed": 28, "returned": 10},
        {"product": TABLET, "dispensed": 30},
    ]

    whole = returns.record_return(counter.ctx, counter.pharm, "T0001", 9, PASSWORD, first.number)
    values = recorded(counter.ctx, AuditAction.RETURN)
    assert values["by_product"] == [p.recorded() for p in whole.products]
    [row] = counter.history()
    assert values["by_product"] == [p.recorded() for p in row.products]
    assert values["by_product"] == [
        {
            "product": CAPSULE,
            "dispensed": 28,
            "returned": 10,
            "taken": 18,
            "expected": 28,
            "flags": ["under_use"],
        },
        {"product": TABLET, "dispensed": 30, "returned": 9, "taken": 21, "expected": 21},
    ]
    assert values["flags"] == ["under_use"]
    assert audit.verify(counter.ctx, counter.admin).ok

    names = counter.ctx.study.product_name
    assert value_shown("by_product", values["by_product"], names) == (
        "democapib (fictional) 100 mg capsule: dispensed 28, returned 10, taken 18, expected 28,"
        " under-use (missed doses); demotinib (fictional) 25 mg tablet: dispensed 30, returned"
        " 9, taken 21, expected 21"
    )
    assert value_shown("product", CAPSULE, names) == "democapib (fictional) 100 mg capsule"
    with speaking(Language.ZH_CN):
        chinese = value_shown("by_product", values["by_product"], names)
    assert chinese == (
        f"{names(CAPSULE, 'zh_CN')}：发放 28，退回 10，已服 18，应服 28，用药不足（漏服）；"
        f"{names(TABLET, 'zh_CN')}：发放 30，退回 9，已服 21，应服 21"
    )


def test_a_one_product_return_records_what_it_always_has(
    ctx: Context, cycle1_ended: DispenseResult, technician: Actor, pw: Callable[[Actor], str]
) -> None:
    dispensed = recorded(ctx, AuditAction.DISPENSE)
    assert dispensed["tablets"] == 21 and "by_product" not in dispensed
    returns.record_return(ctx, technician, "K0011", 3, pw(technician), dispense="DSP000001")
    values = recorded(ctx, AuditAction.RETURN)
    assert set(values) == {
        "dispense",
        "kit",
        "tablets",
        "returned_on",
        "held_days",
        "held_from",
        "held_until",
        "held_ordered_by",
        "outcome",
        "taken",
        "expected",
        "flags",
        "note",
        "ledger",
    }
    assert (values["tablets"], values["taken"], values["expected"]) == (3, 18, 21)
    assert audit.verify(ctx, technician).ok
