"""The record an entry names by its row (audit_actions.referred_shown) is named with the audit
entry that recorded it when one lists its row, and without it when none does (a record written
before the entries listed their facts), never with an empty "entry No."."""

from __future__ import annotations

from dispensary.domain.audit_actions import referred_shown
from dispensary.i18n import Language, speaking


def test_a_count_and_a_return_are_named_with_their_entry_when_one_recorded_them() -> None:
    with speaking(Language.EN):
        count = referred_shown("adjustment_of", 3, ("count", "K5010", "2026-12-05", "336"))
        back = referred_shown("corrects", 1, ("return", "K0011", "DSP000001", "01-001", "335"))
        unlisted = referred_shown("recount_of", 3, ("count", "K5010", "2026-12-05", ""))
        untold = referred_shown("corrects", 1, ("return", "K0011", "DSP000001", "01-001", ""))
    assert count == "count of kit K5010 on 2026-12-05 (count number 3, entry No. 336)"
    assert back == "Return 1 (K0011, DSP000001, 01-001, entry No. 335)"
    assert unlisted == "count of kit K5010 on 2026-12-05 (count number 3)"
    assert untold == "Return 1 (K0011, DSP000001, 01-001)"
    with speaking(Language.ZH_CN):
        count = referred_shown("adjustment_of", 3, ("count", "K5010", "2026-12-05", "336"))
        back = referred_shown("corrects", 1, ("return", "K0011", "DSP000001", "01-001", "335"))
    assert count == "药盒 K5010 于 2026-12-05 的盘点（盘点编号 3，条目编号 336）"
    assert back == "退回 1（K0011，DSP000001，01-001，条目编号 335）"
