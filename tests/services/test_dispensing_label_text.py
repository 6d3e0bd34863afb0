"""Issue 12 follow-ups: what the dispensing label and leaflet print, read from the PDF the real
data path gives (dispensing -> report_data.dispense_for_label -> labels): the start date, a
partial kit, no "rule to confirm" warning, and the study file's 21 CFR 312.6 caution line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.domain.rules import RULE_TO_CONFIRM
from dispensary.labels import dispensing_label, get_stock, participant_leaflet, wording
from dispensary.labels.leaflet import friendly_date
from dispensary.labels.text import LEGIBLE
from dispensary.services import counts, report_data
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.study import Study, parse_study
from reports.pdfread import decode_barcodes, pdf_text, smallest_size, text_sizes

from .conftest import Stock
from .helpers import dispense

Password = Callable[[Actor], str]
STOCK = "thermal-4x2"


def _flat(pdf: bytes) -> str:
    """The label's text as one line: wrapping and non-breaking spaces do not split a phrase."""
    return " ".join(pdf_text(pdf).replace("\u00a0", " ").split())


def _label(ctx: Context, actor: Actor, number: str, study: Study | None = None) -> bytes:
    result = report_data.dispense_for_label(ctx, actor, number)
    pdf = dispensing_label(study or ctx.study, result, get_stock(STOCK))
    assert decode_barcodes(pdf)[0][0][0] == number
    return pdf


def test_the_label_starts_the_evening_of_the_start_date_never_a_past_day1(
    ctx: Context, clock: FixedClock, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    clock.set_date(date(2026, 1, 10))
    result = dispense(ctx, pharmacist, pw(pharmacist), day1=date(2026, 1, 5))
    pdf = _label(ctx, pharmacist, result.number)
    text = _flat(pdf)
    # The date as the leaflet writes it (not the ISO date the service's directions give).
    assert f"starting the evening of {friendly_date(date(2026, 1, 10))}, for 16 days" in text
    assert "Sat 10 Jan 2026" in text
    assert "2026-01-05" not in text and "evening of 2026-01-10" not in text
    assert smallest_size(text_sizes(pdf), "starting the evening of") >= LEGIBLE
    leaflet = " ".join(pdf_text(participant_leaflet(ctx.study, result)).split())
    assert f"First dose: the evening of {friendly_date(date(2026, 1, 10))}" in leaflet
    assert friendly_date(date(2026, 1, 5)) not in leaflet  # the diary starts on the 10th too


def test_a_partial_kit_is_labelled_with_its_tablets(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    for kit, left in (("K0011", 20), ("K0012", 1)):
        counts.record_count(
            ctx, pharmacist, kit, left, pw(pharmacist), "breakage", "broken", "tech", "tech-pass-1"
        )
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert [k.partial for k in result.kits] == [True, True]
    pdf = _label(ctx, pharmacist, result.number)
    text = _flat(pdf)
    assert "K0011 (partial kit: 20 tablets)" in text
    assert "K0012 (partial kit: 1 tablet)" in text
    assert smallest_size(text_sizes(pdf), "partial kit: 20 tablets") >= LEGIBLE


def test_a_full_kit_is_not_called_partial(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert "partial" not in _flat(_label(ctx, pharmacist, result.number))


def test_a_rule_to_confirm_warning_is_not_printed_on_the_label(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    result = dispense(ctx, pharmacist, pw(pharmacist), platelet_count=150)
    assert any(n.startswith(RULE_TO_CONFIRM) for n in result.notices)
    assert not any(w.startswith(RULE_TO_CONFIRM) for w in result.warnings)  # not overridden
    pdf = dispensing_label(ctx.study, result, get_stock(STOCK))  # with its warnings
    leaflet = participant_leaflet(ctx.study, result)
    for text in (_flat(pdf), _flat(leaflet)):
        assert RULE_TO_CONFIRM.lower() not in text.lower()
        assert "platelet" not in text.lower()


def _with_label_key(study: Study, line: str) -> str:
    assert "\n[label]\n" in study.source_text
    return study.source_text.replace("\n[label]\n", f"\n[label]\n{line}\n", 1)


def test_the_us_caution_line_follows_the_study_file(
    ctx: Context, stock: Stock, enrolled: str, pharmacist: Actor, pw: Password
) -> None:
    """21 CFR 312.6: `us_caution = true` in the study file's [label]; off by default."""
    assert ctx.study.label.us_caution is False
    result = dispense(ctx, pharmacist, pw(pharmacist))
    assert "Limited by Federal" not in _flat(_label(ctx, pharmacist, result.number))
    us = parse_study(_with_label_key(ctx.study, "us_caution = true"))
    assert us.label.us_caution is True
    pdf = _label(ctx, pharmacist, result.number, us)
    assert wording.US_CAUTION in _flat(pdf)
    assert smallest_size(text_sizes(pdf), wording.US_CAUTION) >= LEGIBLE
    with pytest.raises(StudyFileError, match=r"label\.us_caution"):
        parse_study(_with_label_key(ctx.study, 'us_caution = "yes"'))
