"""A window names a few kits of a long list, then the reader's ellipsis: "K0101, K0102…" in
English, "K0101、K0102……" in Chinese (the Inventory screen said "K0101、K0102 ..." in Chinese)."""

from __future__ import annotations

from typing import Any

from dispensary.ui.widgets import separated, separated_first

KITS = [f"K01{n:02d}" for n in range(1, 15)]


def test_a_long_list_is_named_in_part_with_the_english_ellipsis(qapp: Any) -> None:
    assert separated_first(KITS, 12) == separated(KITS[:12]) + "…"
    assert separated_first(KITS, 12).startswith("K0101, K0102, ")
    assert separated_first(KITS[:3], 12) == "K0101, K0102, K0103"


def test_a_long_list_is_named_in_part_with_the_chinese_ellipsis(chinese: None) -> None:
    said = separated_first(KITS, 12)
    assert said.startswith("K0101、K0102、") and said.endswith("K0112……"), said
    assert " ..." not in said and ", " not in said
    assert separated_first(KITS[:2], 12) == "K0101、K0102"
