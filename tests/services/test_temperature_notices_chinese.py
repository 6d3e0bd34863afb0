"""The notices of a temperature import list their kits as the reader's language lists: "K0101,
K0102" in English, "K0101、K0102" in Chinese (they were joined with ", " in both, where every
other Chinese message joins kits with the enumeration comma: i18n.listed)."""

from __future__ import annotations

from datetime import date

from dispensary.i18n import ENGLISH, Language, listed, speaking
from dispensary.services.temperature import KitGone, kits_gone_notices

ZH = Language.ZH_CN
GONE = [
    KitGone("K0101", "dispensed", date(2026, 1, 5), "01-001", "A-B"),
    KitGone("K0102", "dispensed", date(2026, 1, 5), "01-001", "A-B"),
    KitGone("K0103", "destroyed", date(2026, 1, 9)),
    KitGone("K0104", "destroyed", date(2026, 1, 9)),
    KitGone("K0105", "returned", None),
    KitGone("K0106", "returned", None),
]


def _notices(language: Language) -> list[str]:
    with speaking(language):
        return kits_gone_notices(GONE, "Fridge 1", ["K0107", "K0108"], held=["K0109", "K0110"])


def test_the_kits_of_the_chinese_notices_are_joined_with_the_enumeration_comma() -> None:
    said = _notices(ZH)
    assert len(said) == 5
    for pair in ("K0109、K0110", "K0101、K0102", "K0103、K0104", "K0105、K0106", "K0107、K0108"):
        assert any(pair in notice for notice in said), (pair, said)
    assert not any("K0101, K0102" in notice or ", K01" in notice for notice in said), said
    assert "（K0101、K0102，" in said[1], said[1]


def test_the_english_notices_keep_the_comma() -> None:
    said = _notices(ENGLISH)
    assert "K0109, K0110" in said[0] and "K0101, K0102" in said[1] and "K0107, K0108" in said[4]


def test_the_list_separator_is_the_languages() -> None:
    with speaking(ZH):
        assert listed(["K0001", "K0002", "K0003"]) == "K0001、K0002、K0003"
    with speaking(ENGLISH):
        assert listed(["K0001", "K0002"]) == "K0001, K0002"
