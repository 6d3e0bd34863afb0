"""The review: the Audit screen's "New value" of a release showed its `held_for` as stored JSON
(`隔离原因：{"K1061": [{"o…`); it reads as the release's dialog says why each kit was held, in
the reader's language (the audit report reads it the same way: audit_actions.value_shown)."""

from __future__ import annotations

from dispensary.domain.audit_actions import value_shown
from dispensary.i18n import Language, speaking

HELD = {
    "K1061": [
        {"on": "2026-10-01", "reason": "temperature excursion 2.1-9.4 °C", "excursion": 3},
        {"on": "2026-10-09", "exposed_to_excursion": 4},
    ],
    "K1062": [{"on": "2026-10-02", "reason": "bottle cracked."}],
}


def test_held_for_reads_in_english() -> None:
    assert value_shown("held_for", HELD) == (
        # The excursion's temperatures, not "temperature excursion" said twice (review).
        "K1061: quarantined 2026-10-01 for temperature excursion 3 (2.1-9.4 °C), exposed to temperature excursion 4 on 2026-10-09 while held; "
        "K1062: quarantined 2026-10-02: bottle cracked"
    )


def test_held_for_reads_in_chinese() -> None:
    with speaking(Language.ZH_CN):
        shown = value_shown("held_for", HELD)
    assert shown == (  # the recorded excursion reason in Chinese too; free text as typed
        "K1061：2026-10-01 因温度超标 3 隔离（2.1-9.4 °C），2026-10-09 隔离期间暴露于"
        "温度超标 4；K1062：2026-10-02 隔离：bottle cracked"
    )


def test_a_value_of_another_shape_is_left_as_stored() -> None:
    assert value_shown("held_for", ["K1061"]) == ["K1061"]


def test_a_reason_typed_for_an_excursion_is_said_after_it() -> None:
    """Only the excursion's own reason (its temperatures) is folded in: any other is said."""
    held = {
        "K1063": [
            {"on": "2026-10-03", "reason": "damaged on arrival (seen at receipt)", "excursion": 3}
        ]
    }
    assert value_shown("held_for", held) == (
        "K1063: quarantined 2026-10-03 for temperature excursion 3: damaged on arrival (seen at "
        "receipt)"
    )
