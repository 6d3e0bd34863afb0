"""The reasons the program writes on ledger rows: stored in English, read in the reader's
language, and any other reason left as recorded."""

from __future__ import annotations

import pytest

from dispensary.domain import reasons
from dispensary.domain.codes import MovementKind
from dispensary.i18n import Language, speaking

RECEIVE, DISPENSE, RETURN, DESTROY = (
    reasons.LEDGER_FORMS[k.value]
    for k in (
        MovementKind.RECEIVE,
        MovementKind.DISPENSE,
        MovementKind.RETURN,
        MovementKind.DESTROY,
    )
)
STORED = [
    (reasons.written(reasons.SHIPMENT, shipment="SH-7"), RECEIVE, "shipment SH-7", "货件 SH-7"),
    (reasons.written(reasons.CYCLE, cycle=3), DISPENSE, "cycle 3", "第 3 周期"),
    (
        reasons.written(reasons.CYCLE_IRT, cycle=2, confirmation="IRT-9"),
        DISPENSE,
        "cycle 2, IRT confirmation IRT-9",
        "第 2 周期，IRT 确认号 IRT-9",
    ),
    (reasons.written(reasons.CYCLE_RETURN, cycle=4), RETURN, "cycle 4 return", "第 4 周期退回"),
    (
        reasons.written(reasons.RETURN_CORRECTED, ret=12, reason="miscounted: 3 not 5"),
        RETURN,
        "correction of return 12: miscounted: 3 not 5",
        "更正退回记录 12：miscounted: 3 not 5",
    ),
    (
        reasons.written(reasons.TO_SPONSOR, method="courier to depot"),
        DESTROY,
        "returned to sponsor: courier to depot",
        "退回申办方：courier to depot",
    ),
    (
        reasons.written(reasons.EXCURSION, lowest="-2", highest="31.5"),
        reasons.EXCURSION_FORMS,
        "temperature excursion -2-31.5 °C",
        "温度超标 -2-31.5 °C",
    ),
]


@pytest.mark.parametrize(("stored", "forms", "english", "chinese"), STORED)
def test_a_reason_the_program_wrote_is_read_in_the_readers_language(
    stored: str, forms: tuple[str, ...], english: str, chinese: str
) -> None:
    assert stored == english, "the record is English, whatever the writer's language"
    assert reasons.in_reader_words(stored, forms) == english
    with speaking(Language.ZH_CN):
        assert reasons.in_reader_words(stored, forms) == chinese
        written_in_chinese = reasons.written(reasons.CYCLE, cycle=3)
    assert written_in_chinese == "cycle 3", "written() never translates"


@pytest.mark.parametrize(
    "typed",
    [
        "Wrong participant",
        "cycle three",
        "cycle 3 returned late",
        "shipment",
        "",
        "cycle -1",
        # Typed reasons that start like the program's phrases (a quarantine by hand, a count,
        # a correction): read only against the forms of the row they are on, never half
        # translated.
        "shipment arrived warm, logger missing",
        "cycle 2, IRT confirmation not received",
        "temperature excursion suspected - check logger °C",
        "destroyed: wrong",
    ],
)
def test_any_other_reason_is_printed_as_recorded(typed: str) -> None:
    """Where a user types the reason (a count's adjustment, a correction, a kit quarantined by
    hand, which may name a shipment): printed as recorded, never half translated."""
    typed_rows = (reasons.LEDGER_FORMS.get(MovementKind.ADJUST.value, ()), reasons.RECEIPT_FORMS)
    with speaking(Language.ZH_CN):
        for forms in typed_rows:
            assert reasons.in_reader_words(typed, forms) == typed
