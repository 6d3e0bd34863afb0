"""A dose change of one drug in another strength: NCT07198672 gives herombopag alone, 7.5 mg
tablets at level 0 and 2.5 mg tablets at its reductions (-1: 2 a day, -2: 1 a day). A 2.5 mg kit
dispensed after a cycle at level 0 compared the products and read "DOSE CHANGED (not taken in
the previous cycle)" on each of its labels: the drug was taken, at another dose. It compares
the drug now: the mark names the previous level ("was 7.5 mg once daily" / "原为7.5 mg，每日
一次"), in English and Chinese. End to end: received, enrolled, dispensed, returned,
dispensed again at the reduced level through the services, printed by the label catalogue,
read from the PDF and scanned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest

from dispensary.domain.regimen import DoseComponent, DoseLevel
from dispensary.i18n import Language, speaking
from dispensary.labels import NO_CALIBRATION, dispensing_label, get_stock
from dispensary.labels import catalogue as label_catalogue
from dispensary.services import returns, studies
from dispensary.services.context import Actor, Context, FixedClock
from dispensary.services.documents import Values
from dispensary.services.receiving import KitIn
from dispensary.services.results import DispensedKit
from dispensary.study import Study
from reports.pdfread import decode_barcodes, pdf_pages_text
from services.helpers import P25, enroll, read_then_dispense, receive, receive_small_kits

from .test_dose_changed_per_kit import STOCK, _dispense, _labels, _study

DAY1 = date(2026, 3, 2)
LATE = date(2027, 6, 30)
PERSON = "01-001"


def _reduced(
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    password: str,
    clock: FixedClock,
    level: int,
    tablets: int,
) -> str:
    """Cycle 1 at level 0 (one 7.5 mg kit), its return, cycle 2 at `level` from 2.5 mg kits
    of `tablets` each; the second dispense's number."""
    studies.confirm_rule(ctx, admin, "label.text.zh_CN", "Test: checked against the label")
    clock.set_date(DAY1)
    receive(ctx, pharmacist, "K0001-K0002", "L1", LATE)
    small = [KitIn(f"S{n:04d}", P25, "S1", LATE, tablets) for n in range(1, 5)]
    receive_small_kits(ctx, pharmacist, "SH-S", small)
    enroll(ctx, pharmacist, PERSON)
    first = read_then_dispense(ctx, pharmacist, password, PERSON, 1, DAY1)
    assert first.dose_level == 0 and [k.product for k in first.kits] == ["herombopag-7.5mg"]
    day1 = DAY1 + timedelta(days=ctx.study.cycle.length_days)
    clock.set_date(day1)
    for kit in first.kits:
        returns.record_return(ctx, pharmacist, kit.kit, 0, password, first.number)
    second = read_then_dispense(
        ctx, pharmacist, password, PERSON, 2, day1, dose_level=level, dose_ordered_by="Dr Liu"
    )
    assert {k.product for k in second.kits} == {P25}
    return second.number


def _printed(ctx: Context, actor: Actor, number: str, language: Language) -> list[str]:
    """Each label of the dispense as the catalogue prints it, spaces dropped; each scans."""
    with speaking(language):
        sheet = label_catalogue.plan_label(
            label_catalogue.label("dispense"),
            ctx,
            actor,
            Values(dispense=number),
            get_stock(ctx.study.label.default_stock),
            NO_CALIBRATION,
            reprint=False,
            languages=(language.value,),
        )
        pdf = sheet.draw()
    assert sheet.plan is not None and sheet.plan.previous_dose == 0
    codes = [code for page in decode_barcodes(pdf) for code, _x, _y in page]
    pages = ["".join(page.split()) for page in pdf_pages_text(pdf)]
    assert codes == [number] * len(pages), codes
    return pages


@pytest.mark.parametrize(
    ("level", "tablets", "labels"),
    [(-1, 21, 2), (-2, 14, 2), (-2, 42, 1)],
    ids=["minus1-two-kits", "minus2-two-kits", "minus2-one-kit"],
)
@pytest.mark.parametrize(
    ("language", "mark"),
    [
        (Language.EN, "DOSECHANGED(was7.5mgoncedaily)"),
        (Language.ZH_CN, "剂量已变更（原为7.5mg，每日一次）"),
    ],
)
def test_a_reduction_to_another_strength_names_the_dose_it_was(
    ctx: Context,
    admin: Actor,
    pharmacist: Actor,
    pw: Callable[[Actor], str],
    clock: FixedClock,
    level: int,
    tablets: int,
    labels: int,
    language: Language,
    mark: str,
) -> None:
    password = pw(pharmacist)
    number = _reduced(ctx, admin, pharmacist, password, clock, level, tablets)
    pages = _printed(ctx, pharmacist, number, language)
    assert len(pages) == labels, pages
    for page in pages:
        assert mark in page, page
        assert "nottaken" not in page and "未服用" not in page, page


def _tablet_of_10mg() -> Study:
    """DEMO-2DRUG with demotinib in a 10 mg tablet too, and a level -2 of the capsule as at
    level 0 with one 10 mg tablet once daily instead of one of 25 mg: two drugs, one of them
    changing strength."""
    study = _study("DEMO-2DRUG")
    tablet = replace(study.products[1], code="demotinib-10mg", strength="10 mg", strength_mg=10)
    capsule = study.dose_level(0).components[0]
    level = DoseLevel(
        -2,
        "democapib 100 mg twice daily days 1-14 with demotinib 10 mg once daily",
        1,
        (capsule, DoseComponent(tablet.code, 1, 1)),
    )
    texts = dict(study.texts)
    zh = texts["zh_CN"]
    texts["zh_CN"] = replace(
        zh,
        products={**zh.products, tablet.code: "德莫替尼片（虚构）10 mg"},
        dose_levels={
            **zh.dose_levels,
            -2: "德莫卡匹布 100 mg每日两次（第1–14天），联合德莫替尼 10 mg每日一次",
        },
    )
    return replace(
        study,
        products=(*study.products, tablet),
        dose_levels=(*study.dose_levels, level),
        texts=texts,
    )


@pytest.mark.parametrize(
    ("languages", "mark", "changed"),
    [
        (("en",), "DOSECHANGED(was1tabletof25mgoncedaily)", "DOSECHANGED"),
        (("zh_CN",), "剂量已变更（原为每日一次，每次1片（25mg））", "剂量已变更"),
    ],
)
def test_two_drugs_one_in_another_strength_names_its_own_dose_with_its_strength(
    languages: tuple[str, ...], mark: str, changed: str
) -> None:
    """Level 0 then -2: the capsule as it was, the tablet now 10 mg instead of 25 mg: the
    tablet's kit is marked with its drug's dose as it was, in its strength; not "not taken"."""
    study = _tablet_of_10mg()
    capsule, tablet = study.products[0], study.products[2]
    kits = tuple(
        DispensedKit(k, p.code, p.name, p.strength, f"L{k}", date(2027, 6, 30), p.tablets_per_kit)
        for k, p in (("C3011", capsule), ("T3011", tablet))
    )
    dispense = _dispense(study, kits, -2)
    pdf = dispensing_label(study, dispense, get_stock(STOCK), previous_dose=0, languages=languages)
    on_capsule, on_tablet = _labels(pdf, 2)
    assert mark in on_tablet, on_tablet
    assert changed not in on_capsule, on_capsule
