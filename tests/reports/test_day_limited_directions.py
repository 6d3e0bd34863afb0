"""A product a dose level gives on some days of the cycle only (one part, days 8-21) printed
with the study's general directions ("... starting {start_date}, for {days} days") read
"starting <day 1>, for 14 days" on the label and the leaflet: the participant would take it
from day 1. Its {start_date} is now the date of its own first day (day 1 + 7 days), in
English and in Chinese; a file whose directions for such a product say neither when it starts
nor when it ends is refused, naming the product."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.i18n import Language, reset_language, set_language
from dispensary.labels import dispensing_label, get_stock, participant_leaflet
from dispensary.services.results import DispensedKit, DispenseResult
from dispensary.study import Study, bundled_studies, parse_study

from .pdfread import decode_barcodes, pdf_text

DAY1 = date(2026, 3, 2)  # a Monday; day 8 is Monday 9 March
LEVEL_1 = (
    'name = "100 mg twice daily"\ndoses_per_day = 2\n'
    'components = [{ product = "demoxatinib-50mg", tablets_per_dose = 2 }]'
)
DAYS_8_TO_21 = (
    'name = "100 mg twice daily, days 8-21"\ndoses_per_day = 2\n'
    'components = [{ product = "demoxatinib-50mg", tablets_per_dose = 2, days = [8, 21] }]'
)


def _study(directions: str | None = None) -> Study:
    """DEMO-28D-BID with its dose level 1 taken on days 8-21 of the cycle only, with the
    study's general directions (or `directions` in place of the English ones)."""
    text = (bundled_studies() / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    assert LEVEL_1 in text
    text = text.replace(LEVEL_1, DAYS_8_TO_21)
    if directions is not None:
        general = 'directions = "Take {tablets} by mouth {frequency}, with food, starting'
        assert general in text
        line = next(line for line in text.splitlines() if line.startswith(general))
        text = text.replace(line, f'directions = "{directions}"')
    return parse_study(text, "days.toml")


def _dispense(study: Study, start: date = DAY1) -> DispenseResult:
    """A full kit at dose level 1 from `start` to the cycle's last day of supply, as the
    dispense service returns it."""
    product = study.products[0]
    days = study.cycle.days_of_supply - (start - DAY1).days
    dose = study.dose_level(1)
    return DispenseResult(
        dispense_id=1,
        number="DSP000001",
        participant="001",
        initials="AB",
        cycle=1,
        day1=DAY1,
        dose_level=1,
        dose_name=dose.name,
        directions=study.directions_for(dose, start, days),
        kits=(DispensedKit("K0001", product.code, product.name, product.strength, "L1", DAY1, 60),),
        tablets=56,
        days=study.cycle.days_of_supply,
        last_day=DAY1 + timedelta(days=study.cycle.days_of_supply - 1),
        dispensed_on=start,
        pharmacist="Pat Pharmacist",
        pharmacist_initials="PP",
        checked_by="",
        warnings=(),
        start_date=start,
        product_directions=study.product_directions(dose, start, days),
    )


def _flat(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def test_a_part_on_days_8_to_21_starts_on_day_8_on_the_label_and_leaflet() -> None:
    study = _study()
    dispense = _dispense(study)
    assert dispense.directions == (
        "Take 2 tablets by mouth twice daily, with food, starting 2026-03-09, for 14 days."
    )
    stock = get_stock(study.label.default_stock)
    label = dispensing_label(study, dispense, stock, languages=("en",))
    for said in (" ".join(pdf_text(label).split()), pdf_text(participant_leaflet(study, dispense))):
        said = " ".join(said.replace("\u00a0", " ").split())
        assert "starting 9 Mar 2026, for 14 days" in said or (
            "starting Mon 9 Mar 2026, for 14 days" in said
        ), said
        assert "2 Mar 2026, for 14 days" not in said
    leaflet = " ".join(pdf_text(participant_leaflet(study, dispense)).split())
    assert "First dose: Mon 9 Mar 2026. Last dose: Sun 22 Mar 2026 (14 days)." in leaflet
    assert [t for t, _x, _y in decode_barcodes(label)[0]] == ["DSP000001"]
    chinese = dispensing_label(study, dispense, stock, languages=("zh_CN",))
    for said in (_flat(chinese), _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))):
        assert "自2026年3月9日" in said and "连服14天" in said, said
        assert "自2026年3月2日" not in said
    zh_leaflet = _flat(participant_leaflet(study, dispense, languages=("zh_CN",)))
    assert "首次服药：2026年3月9日周一。末次服药：2026年3月22日周日（共14天）" in zh_leaflet
    assert [t for t, _x, _y in decode_barcodes(chinese)[0]] == ["DSP000001"]


def test_a_dispense_started_within_the_part_starts_it_that_day() -> None:
    """Dispensed on day 10 (day 1 already past): the part is taken from the start, 12 days."""
    study = _study()
    dose = study.dose_level(1)
    late = DAY1 + timedelta(days=9)
    assert study.directions_for(dose, late, 19) == (
        "Take 2 tablets by mouth twice daily, with food, starting 2026-03-11, for 12 days."
    )
    everyday = study.dose_level(0)  # taken every day: from the dispense's start, as always
    assert "starting 2026-03-02, for 28 days" in study.directions_for(everyday, DAY1, 28)


@pytest.mark.parametrize(
    "directions",
    [
        "Take {tablets} by mouth {frequency}, with food, for {days} days.",  # no start
        "Take {tablets} by mouth {frequency}, with food, starting {start_date}.",  # no end
    ],
)
def test_directions_that_cannot_say_the_days_are_refused(directions: str) -> None:
    with pytest.raises(StudyFileError) as refused:
        _study(directions)
    message = str(refused.value)
    assert "key 'dose_levels[1].components'" in message, message
    assert "product 'demoxatinib-50mg' on some days of the cycle only (days 8-21)" in message
    assert "(label.directions)" in message
    assert "{start_date} (the date of its first day) or {first_day}" in message
    assert "{days} or {last_day}" in message


SPLIT = (
    'name = "100 mg twice daily, days 1-7 and 8-21"\ndoses_per_day = 2\n'
    "components = ["
    '{ product = "demoxatinib-50mg", tablets_per_dose = 1, days = [1, 7] }, '
    '{ product = "demoxatinib-50mg", tablets_per_dose = 2, days = [8, 21] }]'
)


@pytest.mark.parametrize(
    ("level", "english", "kept"),
    [
        (DAYS_8_TO_21, "do not say when it starts", "{start_date}（其第一天的日期）或 {first_day}"),
        (SPLIT, "cannot be told apart", "写明 {first_day} 和 {last_day}"),
    ],
)
def test_a_chinese_reader_reads_the_day_limited_refusals_in_chinese(
    level: str, english: str, kept: str
) -> None:
    """The refusals of directions that cannot say a part's days were English inside the Chinese
    sentence; the file's own words (product, key, placeholders) stay as written."""
    text = (bundled_studies() / "DEMO-28D-BID.toml").read_text(encoding="utf-8")
    general = 'directions = "Take {tablets} by mouth {frequency}, with food, starting'
    line = next(line for line in text.splitlines() if line.startswith(general))
    text = text.replace(LEVEL_1, level).replace(
        line, 'directions = "Take {tablets} by mouth {frequency}, with food, for {days} days."'
    )
    with pytest.raises(StudyFileError) as refused:
        parse_study(text, "days.toml")
    assert english in str(refused.value), str(refused.value)
    token = set_language(Language.ZH_CN)
    try:
        with pytest.raises(StudyFileError) as refused:
            parse_study(text, "days.toml")
    finally:
        reset_language(token)
    message = str(refused.value)
    assert not re.search(r"\b(gives|cycle|say|parts|supply|its own)\b", message), message
    assert "“demoxatinib-50mg”" in message and "（label.directions）" in message, message
    assert kept in message, message
