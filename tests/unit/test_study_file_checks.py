"""Study-file mistakes a review found accepted, each now refused at load naming its key: a dose
level's name that says another amount than its components, a strength in an unknown unit or
disagreeing with strength_mg, directions that never say how many per dose, no dose level 0.
The study file is a capsule study (tests/fixtures/ZX-201.toml)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.i18n import Language, reset_language, set_language
from dispensary.study import Study, parse_study

CAPSULES = (Path(__file__).parents[1] / "fixtures" / "ZX-201.toml").read_text(encoding="utf-8")


def edited(old: str, new: str) -> str:
    """The capsule study with one exact fragment replaced (it must stand there once)."""
    assert CAPSULES.count(old) == 1, f"{old!r} is not in the study file once"
    return CAPSULES.replace(old, new)


def refusal(text: str) -> str:
    with pytest.raises(StudyFileError) as info:
        parse_study(text, "zx.toml")
    return info.value.message


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_capsule_study_loads() -> None:
    study: Study = parse_study(CAPSULES, "zx.toml")
    assert study.protocol == "ZX-201" and study.form_of("zanexitinib-80mg") == "capsule"


def test_a_dose_name_saying_another_amount_than_its_components_is_refused() -> None:
    text = edited('name = "160 mg twice daily"', 'name = "60 mg twice daily"')
    message = refusal(text)
    assert f"line {line_of(text, '60 mg twice daily')}: key 'dose_levels[0].name'" in message
    assert '(dose level 0, "60 mg twice daily") says 60 mg' in message
    assert "2 × 80 mg per dose, 160 mg (320 mg a day)" in message


def test_a_dose_name_in_a_label_language_is_checked_too() -> None:
    text = edited('"0" = "160 mg，每日两次"', '"0" = "80 mg，每日两次"')
    message = refusal(text)
    assert "key 'label.text.zh_CN.dose_levels.0'" in message
    line = line_of(text, '"0" = "80 mg')
    assert f"line {line}:" in message
    assert "says 80 mg" in message and "160 mg" in message


@pytest.mark.parametrize(
    "name",
    [
        "320 mg daily",  # the day's amount: 2 doses of 160 mg
        "0.16 g twice daily",  # the same amount in g
        "160 mg (2 × 80 mg) twice daily",  # two figures: which is the dose is not read
        "Starting dose",  # no figure at all
    ],
)
def test_a_dose_name_of_the_same_amount_or_of_no_single_figure_loads(name: str) -> None:
    study = parse_study(edited('name = "160 mg twice daily"', f'name = "{name}"'), "zx.toml")
    assert study.dose_level(0).name == name


def test_the_dose_name_refusal_reads_in_chinese() -> None:
    token = set_language(Language.ZH_CN)
    try:
        message = refusal(edited('name = "160 mg twice daily"', 'name = "60 mg twice daily"'))
    finally:
        reset_language(token)
    assert not re.search(r"\b(says|components|correct)\b", message), message
    assert "60 mg" in message and "160 mg" in message


def test_a_strength_in_another_unit_than_strength_mg_is_refused() -> None:
    """ "80 mcg" beside strength_mg = 80: the English label said micrograms, the dose and the
    Chinese label milligrams."""
    text = edited('strength = "80 mg"', 'strength = "80 mcg"')
    message = refusal(text)
    assert f"line {line_of(text, 'strength_mg = 80')}: key 'products[0].strength_mg'" in message
    assert "is 80 mg, but strength says 80 mcg (0.08 mg)" in message


def test_a_strength_in_an_unknown_unit_is_refused() -> None:
    text = edited('strength = "80 mg"', 'strength = "80 mgs"')
    message = refusal(text)
    assert f"line {line_of(text, 'strength = ')}: key 'products[0].strength'" in message
    assert "writes the unit 'mgs', which the program does not know: use mg, g, mcg, µg" in message
    assert "must begin with the amount" in refusal(edited('strength = "80 mg"', 'strength = "mg"'))


def test_strength_mg_must_be_the_strength() -> None:
    assert "is 8 mg, but strength says 80 mg (80 mg)" in refusal(
        edited("strength_mg = 80", "strength_mg = 8")
    )


def test_a_strength_in_micrograms_loads_and_its_printed_names_must_agree() -> None:
    micro = edited('strength = "80 mg"', 'strength = "80 µg"').replace(
        "strength_mg = 80", "strength_mg = 0.08"
    )
    # The Chinese name still says 80 mg (and the dose names 160 mg): refused by name.
    message = refusal(micro)
    assert "key 'label.text.zh_CN.products'" in message
    assert "of 80 mg, but its strength is 80 µg" in message
    fixed = (
        micro.replace("扎奈替尼胶囊 80 mg", "扎奈替尼胶囊 80 µg")
        .replace("160 mg", "160 µg")
        .replace("80 mg", "80 µg")
    )
    study = parse_study(fixed, "zx.toml")
    assert study.product("zanexitinib-80mg").strength == "80 µg"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("Take {tablets} by mouth", "Take by mouth", "label.directions"),
        ("每次{tablets}，", "", "label.text.zh_CN.directions"),
    ],
)
def test_directions_that_never_say_how_many_per_dose_are_refused(
    old: str, new: str, key: str
) -> None:
    text = edited(old, new)
    message = refusal(text)
    assert f"key '{key}' never says how many to take at each dose" in message
    assert "write {tablets}" in message and "{tablets_per_dose} (the number alone)" in message


def test_a_product_s_own_directions_must_say_how_many_per_dose() -> None:
    own = (
        '\n[label.product_directions]\n"zanexitinib-80mg" = "Take by mouth {frequency}."\n'
        '\n[label.text.zh_CN.product_directions]\n"zanexitinib-80mg" = "口服，{frequency}。"\n'
    )
    text = edited("bilingual = false\n", "bilingual = false\n" + own)
    assert "key 'label.product_directions.zanexitinib-80mg' never says how many" in refusal(text)
    counted = text.replace("Take by mouth", "Take {tablets_per_dose} capsules by mouth").replace(
        "口服，{frequency}", "口服，{frequency}，每次{tablets}"
    )
    assert parse_study(counted, "zx.toml").label.product_directions


def test_a_study_without_dose_level_0_is_refused() -> None:
    """Every dispense was refused afterwards: "Dose level 0 is not in study ..."."""
    text = edited("level = 0\n", "level = 1\n").replace('"0" = "160', '"1" = "160')
    message = refusal(text)
    assert f"line {line_of(text, '[[dose_levels]]')}: key 'dose_levels' has no level 0" in message
    assert "a dose level 0, the starting dose, is required (the levels given: 1, -1)" in message


@pytest.mark.parametrize(
    ("old", "new", "english"),
    [
        ("length_days = 28", "length_days = 0", "must be 1 or more"),
        ("strength_mg = 80\n", "", "is missing ("),
        ("starting {start_date}", "starting {startdate}", "has an unknown placeholder"),
        (
            'product = "zanexitinib-80mg", tablets_per_dose = 1',
            'product = "zanexitinib-40mg", tablets_per_dose = 1',
            "names unknown product",
        ),
        ('capsule = "胶囊"', 'sachet = "袋"', "which no product"),
        ('"zanexitinib-80mg" = "扎奈替尼胶囊 80 mg"\n', "", "must give"),
    ],
)
def test_a_chinese_reader_reads_the_refusal_in_chinese(old: str, new: str, english: str) -> None:
    """The refusal's own words were English inside the Chinese sentence ("键“cycle.length_days”
    must be 1 or more"); only the file's own words (keys, values) stay as written."""
    assert english in refusal(edited(old, new))
    token = set_language(Language.ZH_CN)
    try:
        message = refusal(edited(old, new))
    finally:
        reset_language(token)
    assert english not in message, message
    assert not re.search(r"\b(must|missing|names|unknown|misspelt|use only)\b", message), message


def test_a_chinese_reader_reads_the_source_refusal_in_chinese() -> None:
    """A rule's `source` refused was English inside the Chinese sentence ("must say where the
    rule comes from"); the file's words ("registry", "protocol <section>") stay as written."""
    text = edited('source = "protocol 6.1"', 'source = "the protocol"')
    assert "must say where the rule comes from" in refusal(text)
    token = set_language(Language.ZH_CN)
    try:
        message = refusal(text)
    finally:
        reset_language(token)
    assert "rule comes from" not in message, message
    assert "“protocol <section>”" in message and "site decision 2026-11" in message, message


STUDIES = Path(__file__).parents[2] / "resources" / "studies"


def _study_text(name: str, old: str, new: str) -> str:
    text = (STUDIES / name).read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {name} once"
    return text.replace(old, new)


@pytest.mark.parametrize("hold", ["6000", "0.5"])
def test_a_platelet_hold_outside_the_counts_a_dispense_accepts_is_refused(hold: str) -> None:
    """6000 never fires (a dispense takes 0 to 5000); with the field's lowest raised to 1, a
    hold at 0.5 would hold every count: both are typos of the protocol's number."""
    text = _study_text("NCT07198672.toml", "hold_at_or_above = 100", f"hold_at_or_above = {hold}")
    if hold == "0.5":
        text += '\n[[observations]]\nkey = "platelets"\nname = "Platelets"\nunit = "x 10^9/L"\n'
        text += "min = 1\nmax = 2000\n"
    message = refusal(text)
    assert f"line {line_of(text, 'hold_at_or_above')}: key 'platelets.hold_at_or_above'" in message
    assert f"is {hold}, outside the platelet counts a dispense accepts" in message


def test_the_bundled_platelet_hold_and_weight_bands_load() -> None:
    """The checks refuse only what could never apply: the study files as shipped load."""
    for name in ("NCT07198672.toml", "DEMO-28D-BID.toml"):
        parse_study((STUDIES / name).read_text(encoding="utf-8"), name)


@pytest.mark.parametrize("below", ["600", "20"])
def test_a_weight_band_limit_outside_the_weights_a_dispense_accepts_is_refused(
    below: str,
) -> None:
    """600 for 60 kg (the weight field takes 25-250): nobody would ever get the higher level;
    20 kg: nobody the lower one."""
    text = _study_text(
        "DEMO-28D-BID.toml", "{ below_kg = 60, level = 0 }", f"{{ below_kg = {below}, level = 0 }}"
    )
    message = refusal(text)
    assert "key 'dose_by_weight.bands[0].below_kg'" in message
    assert f"is {below}, outside the weights a dispense accepts (25 to 250 kg)" in message


def test_the_new_study_file_refusals_read_in_chinese() -> None:
    text = _study_text("NCT07198672.toml", "hold_at_or_above = 100", "hold_at_or_above = 6000")
    token = set_language(Language.ZH_CN)
    try:
        message = refusal(text)
    finally:
        reset_language(token)
    assert "6000" in message and "outside" not in message
