"""The dispense's kit refusals say a capsule product's count in capsules (粒): "The kits
scanned hold 0 tablets of democapib (fictional) 100 mg capsule; 28 are needed" called capsules
tablets. A tablet product is said as it always was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dispensary.i18n import Language, speaking
from dispensary.services.context import FixedClock
from dispensary.study import load_study

from .test_study_files import START, STUDIES, Counter

CAPSULE, TABLET = "democapib-100mg", "demotinib-25mg"


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Counter]:
    """DEMO-2DRUG (28 capsules and 21 tablets a cycle), its kits in, 01-001 enrolled."""
    made = Counter(load_study(STUDIES / "DEMO-2DRUG.toml"), tmp_path, FixedClock(START))
    made.receive("C0001-C0002", CAPSULE, "LC1")
    made.receive("T0001-T0002", TABLET, "LT1")
    made.enroll()
    yield made
    made.ctx.engine.dispose()


@pytest.mark.parametrize(
    ("language", "short", "extra", "tablets"),
    [
        (
            Language.EN,
            "The kits scanned hold 0 capsules of democapib (fictional) 100 mg capsule; 28"
            " capsules are needed for the cycle. Scan another kit.",
            "Kit C0002 is not needed: the kits scanned already hold the 28 capsules of democapib"
            " (fictional) 100 mg capsule for the cycle. Put it back.",
            "Kit T0002 is not needed: the kits scanned already hold the 21 tablets of demotinib"
            " (fictional) 25 mg tablet for the cycle. Put it back.",
        ),
        (
            Language.ZH_CN,
            "已扫描的药盒共有德莫卡匹布胶囊（虚构）100 mg 0 粒；本周期需要 28 粒。请再扫描一个药盒。",
            "不需要药盒 C0002：已扫描的药盒已包含本周期所需的德莫卡匹布胶囊（虚构）100 mg 28 粒。"
            "请将其放回。",
            "不需要药盒 T0002：已扫描的药盒已包含本周期所需的德莫替尼片（虚构）25 mg 21 片。请将其放回。",
        ),
    ],
)
def test_a_capsule_kit_refusal_counts_capsules(
    counter: Counter, language: Language, short: str, extra: str, tablets: str
) -> None:
    with speaking(language):
        missing = counter.assess(kits=("T0001",))
        too_many = counter.assess(kits=("C0001", "C0002", "T0001", "T0002"))
    assert short in [r.message for r in missing.refusals]
    said = [r.message for r in too_many.refusals]
    assert extra in said and tablets in said
