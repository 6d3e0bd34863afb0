"""A dose change on the labels of a dispense of two drugs (DEMO-2DRUG: a capsule on days 1-14
and a tablet daily, one kit of each, each kit its own label). Level -1 reduces the capsule from
twice to once daily and keeps the tablet as it was. Both kits' labels were marked "DOSE CHANGED
(was democapib 100 mg twice daily days 1-14 with demotinib 25 mg once daily)": the tablet, whose
dose did not change, read as changed, and each label named the other drug in a dose that was
not its own. Now only the kit whose product's dose changed is marked, with that product's own
previous dose ("was 1 capsule twice daily, days 1-14"), in English and in Chinese; two bottles
of one drug keep the dose level's name, which names that drug only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from dispensary.domain.regimen import DoseComponent, DoseLevel
from dispensary.labels import dispensing_label, get_stock
from dispensary.labels.dispensing import containers
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, bundled_studies, load_study
from reports.pdfread import char_boxes, decode_barcodes, page_count, pdf_pages_text

DAY1 = date(2026, 3, 23)
DPI = 300
STOCK = "a4-sheet"  # DEMO-2DRUG's default: both kits' labels side by side on one page


def _study(protocol: str) -> Study:
    return load_study(bundled_studies() / f"{protocol}.toml")


def _dispense(study: Study, kits: tuple[DispensedKit, ...], level: int) -> DispenseResult:
    dose = study.dose_level(level)
    days = study.cycle.days_of_supply
    return DispenseResult(
        dispense_id=2,
        number="DSP000131",
        participant="001-0007",
        initials="HT",
        cycle=2,
        day1=DAY1,
        dose_level=level,
        dose_name=dose.name,
        directions=study.directions_for(dose, DAY1, days),
        kits=kits,
        tablets=sum(k.tablets for k in kits),
        days=days,
        last_day=DAY1 + timedelta(days=days - 1),
        dispensed_on=DAY1,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
        start_date=DAY1,
        product_directions=study.product_directions(dose, DAY1, days),
    )


def _two_drugs(level: int, study: Study | None = None) -> tuple[Study, DispenseResult]:
    study = study or _study("DEMO-2DRUG")
    kits = tuple(
        DispensedKit(
            kit, p.code, p.name, p.strength, f"L{kit}", date(2027, 6, 30), p.tablets_per_kit
        )
        for kit, p in zip(("C3011", "T3011"), study.products, strict=True)
    )
    return study, _dispense(study, kits, level)


def _labels(pdf: bytes, count: int) -> list[str]:
    """The text of each label, read from its place on the sheet, spaces dropped."""
    stock = get_stock(STOCK)
    scale = DPI / 72
    found = []
    for index in range(count):
        page, slot = divmod(index, stock.per_page)
        x, y = stock.origin(slot)
        left, right = x * scale, (x + stock.label_width) * scale
        top = (stock.page_height - y - stock.label_height) * scale
        bottom = (stock.page_height - y) * scale
        found.append(
            "".join(
                char
                for char, box in char_boxes(pdf, DPI, page)
                if box[0] >= left - 1
                and box[2] <= right + 1
                and box[1] >= top - 1
                and box[3] <= bottom + 1
                and not char.isspace()
            )
        )
    return found


def _printed(
    level: int, previous: int | None, languages: tuple[str, ...], study: Study | None = None
) -> list[str]:
    study, dispense = _two_drugs(level, study)
    pdf = dispensing_label(
        study, dispense, get_stock(STOCK), previous_dose=previous, languages=languages
    )
    assert page_count(pdf) == 1
    # Both labels scan as the dispense's number at the return.
    assert [code for page in decode_barcodes(pdf) for code, _x, _y in page] == [
        dispense.number,
        dispense.number,
    ]
    first, second = _labels(pdf, 2)
    whole = "".join(pdf_pages_text(pdf)).replace(" ", "").replace("\u00a0", "")
    assert len(first) + len(second) == len(whole.replace("\n", ""))  # nothing off the labels
    return [first, second]


def test_only_the_capsule_whose_dose_was_reduced_is_marked_in_english() -> None:
    capsule, tablet = _printed(-1, 0, ("en",))
    assert "DOSECHANGED(was1capsuletwicedaily,days1-14)" in capsule, capsule
    assert "Take1capsuleofdemocapib(fictional)100mgbymouthoncedaily" in capsule, capsule
    assert "demotinib" not in capsule, capsule  # the other drug's dose is not this kit's
    assert "DOSECHANGED" not in tablet, tablet  # its dose is as it was
    assert "democapib" not in tablet, tablet
    assert "Take1tabletofdemotinib(fictional)25mgbymouthoncedaily" in tablet, tablet


def test_only_the_capsule_whose_dose_was_reduced_is_marked_in_chinese() -> None:
    capsule, tablet = _printed(-1, 0, ("zh_CN",))
    assert "剂量已变更（原为每日两次，每次1粒，第1–14天）" in capsule, capsule
    assert "德莫卡匹布胶囊（虚构）100mg：仅每周期第1–14天服用，每日一次，每次1粒" in capsule
    assert "德莫替尼" not in capsule, capsule
    assert "剂量已变更" not in tablet, tablet
    assert "德莫卡匹布" not in tablet, tablet
    assert "德莫替尼片（虚构）25mg：每日一次，每次1片" in tablet, tablet


@pytest.mark.parametrize(
    ("languages", "was"),
    [
        (("en",), "DOSECHANGED(was1capsuleoncedaily,days1-14)"),
        (("zh_CN",), "（原为每日一次，每次1粒，第1–14天）"),
    ],
)
def test_the_dose_raised_back_names_the_reduced_one(languages: tuple[str, ...], was: str) -> None:
    capsule, tablet = _printed(0, -1, languages)
    assert was in capsule, capsule
    assert "DOSECHANGED" not in tablet and "剂量已变更" not in tablet, tablet


@pytest.mark.parametrize("languages", [("en",), ("zh_CN",)])
def test_the_same_dose_marks_neither_kit(languages: tuple[str, ...]) -> None:
    for label in _printed(-1, -1, languages) + _printed(0, None, languages):
        assert "DOSECHANGED" not in label and "剂量已变更" not in label, label


def _tablet_alone() -> Study:
    """A test study: DEMO-2DRUG with a level -2 of the tablet alone (the capsule stopped)."""
    study = _study("DEMO-2DRUG")
    alone = DoseLevel(
        -2, "demotinib 25 mg once daily alone", 1, (DoseComponent(study.products[1].code, 1),)
    )
    texts = dict(study.texts)
    texts["zh_CN"] = replace(
        texts["zh_CN"],
        dose_levels={**texts["zh_CN"].dose_levels, -2: "德莫替尼 25 mg每日一次（单药）"},
    )
    return replace(study, dose_levels=(*study.dose_levels, alone), texts=texts)


def test_a_drug_not_taken_in_the_previous_cycle_is_marked_as_new() -> None:
    """Back from level -2 to level -1 the capsule is taken again, the tablet as before."""
    study = _tablet_alone()
    for languages, new, changed in (
        (("en",), "DOSECHANGED(nottakeninthepreviouscycle)", "DOSECHANGED"),
        (("zh_CN",), "剂量已变更（上一周期未服用）", "剂量已变更"),
    ):
        capsule, tablet = _printed(-1, -2, languages, study)
        assert new in capsule, capsule
        assert changed not in tablet, tablet


@pytest.mark.parametrize(
    ("languages", "mark"),
    [(("en",), "DOSECHANGED(was50mgtwicedaily)"), (("zh_CN",), "剂量已变更（原为50mg，每日两次）")],
)
def test_two_bottles_of_one_drug_keep_the_dose_levels_name(
    languages: tuple[str, ...], mark: str
) -> None:
    study = _study("DEMO-28D-BID")
    product = study.products[0]
    kits = tuple(
        DispensedKit(
            k, product.code, product.name, product.strength, "L2601", date(2027, 6, 30), 60
        )
        for k in ("B2007", "B2008")
    )
    dispense = _dispense(study, kits, 1)
    assert len(containers(study, dispense)) == 2
    pdf = dispensing_label(
        study, dispense, get_stock(study.label.default_stock), previous_dose=0, languages=languages
    )
    pages = ["".join(t.split()) for t in pdf_pages_text(pdf)]
    assert len(pages) == 2 and all(mark in page for page in pages), pages


@pytest.mark.parametrize("languages", [("en",), ("zh_CN",)])
def test_the_drug_kept_is_not_marked_when_the_other_stops(languages: tuple[str, ...]) -> None:
    """The capsule stopped (level 0 to -2), two bottles of the tablet dispensed: the tablet's
    dose is as it was, so neither bottle is marked, nor names the capsule the level named."""
    study = _tablet_alone()
    tablet = study.products[1]
    kits = tuple(
        DispensedKit(k, tablet.code, tablet.name, tablet.strength, "LT1", date(2027, 6, 30), 30)
        for k in ("T3012", "T3013")
    )
    dispense = _dispense(study, kits, -2)
    pdf = dispensing_label(study, dispense, get_stock(STOCK), previous_dose=0, languages=languages)
    for label in _labels(pdf, 2):
        assert "DOSECHANGED" not in label and "剂量已变更" not in label, label
        assert "democapib" not in label and "德莫卡匹布" not in label, label
