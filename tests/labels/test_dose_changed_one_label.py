"""A dose change on a dispense printed as one label (one kit, no per-kit labels) after a level
of two drugs (DEMO-2DRUG level 0: a capsule on days 1-14 and a tablet daily). Its DOSE CHANGED
mark named the previous level in full ("was democapib 100 mg twice daily days 1-14 with
demotinib 25 mg once daily"): a tablet's label naming the capsule, and marked though the
tablet's own dose may be as it was. It now names what changed as the per-kit labels do: the
kit's own product's previous dose, or no mark when that dose is as it was; English and
Chinese."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from dispensary.domain.regimen import DoseComponent, DoseLevel
from dispensary.labels import dispensing_label, get_stock
from dispensary.labels.dispensing import containers
from dispensary.services.results import DispensedKit
from dispensary.study import Study
from reports.pdfread import pdf_pages_text

from .test_dose_changed_per_kit import STOCK, _dispense, _study


def _tablet_level(tablets: int) -> Study:
    """DEMO-2DRUG with a level -2 of the tablet alone, `tablets` a dose once daily."""
    study = _study("DEMO-2DRUG")
    strength = 25 * tablets
    alone = DoseLevel(
        -2,
        f"demotinib {strength} mg once daily alone",
        1,
        (DoseComponent(study.products[1].code, tablets),),
    )
    texts = dict(study.texts)
    texts["zh_CN"] = replace(
        texts["zh_CN"],
        dose_levels={**texts["zh_CN"].dose_levels, -2: f"德莫替尼 {strength} mg每日一次（单药）"},
    )
    return replace(study, dose_levels=(*study.dose_levels, alone), texts=texts)


def _one_label(study: Study, languages: tuple[str, ...]) -> str:
    """The tablet's one kit dispensed at level -2 after level 0: its label's text."""
    tablet = study.products[1]
    kit = DispensedKit(
        "T3012", tablet.code, tablet.name, tablet.strength, "LT1", date(2027, 6, 30), 30
    )
    dispense = _dispense(study, (kit,), -2)
    assert len(containers(study, dispense)) == 1  # one label, no per-kit ones
    pdf = dispensing_label(study, dispense, get_stock(STOCK), previous_dose=0, languages=languages)
    return "".join("".join(page.split()) for page in pdf_pages_text(pdf))


@pytest.mark.parametrize(
    ("languages", "mark", "other"),
    [
        (("en",), "DOSECHANGED(was1tabletoncedaily)", "democapib"),
        (("zh_CN",), "剂量已变更（原为每日一次，每次1片）", "德莫卡匹布"),
    ],
)
def test_one_label_names_its_own_drugs_previous_dose(
    languages: tuple[str, ...], mark: str, other: str
) -> None:
    """The tablet raised to 2 a dose, the capsule stopped: the tablet's dose as it was."""
    text = _one_label(_tablet_level(2), languages)
    assert mark in text, text
    assert other not in text, text  # the capsule is not this label's


@pytest.mark.parametrize("languages", [("en",), ("zh_CN",)])
def test_one_label_of_the_drug_kept_as_it_was_is_not_marked(languages: tuple[str, ...]) -> None:
    """The capsule stopped, the tablet as it was: nothing of this label changed."""
    text = _one_label(_tablet_level(1), languages)
    assert "DOSECHANGED" not in text and "剂量已变更" not in text, text
    assert "democapib" not in text and "德莫卡匹布" not in text, text
