"""The study file: the bundled one loads; a malformed one is refused naming key and line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dispensary.domain.errors import NotFound, StudyFileError
from dispensary.i18n import Language, speaking
from dispensary.study import Study, default_study_path, load_study, parse_study

BUNDLED = default_study_path().read_text(encoding="utf-8")


def says(error: type[Exception], words: str) -> pytest.RaisesExc[Exception]:
    """pytest.raises for an error whose message holds these exact words."""
    return pytest.raises(error, match=re.escape(words))


def edited(old: str, new: str, occurrence: int = 0) -> str:
    """The bundled text with one exact fragment replaced (the n-th time it occurs)."""
    starts = [m.start() for m in re.finditer(re.escape(old), BUNDLED)]
    assert len(starts) > occurrence, f"{old!r} is not in the study file {occurrence + 1} times"
    at = starts[occurrence]
    return BUNDLED[:at] + new + BUNDLED[at + len(old) :]


def line_of(text: str, fragment: str, occurrence: int = 0) -> int:
    """1-based line of the n-th occurrence of a fragment in the text."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence]


def refusal(text: str) -> str:
    with pytest.raises(StudyFileError) as info:
        parse_study(text, "test.toml")
    return info.value.message


def test_bundled_study_loads_with_every_fact() -> None:
    study = load_study(default_study_path())
    assert study.protocol == "NCT07198672"
    assert [p.code for p in study.products] == ["herombopag-7.5mg", "herombopag-2.5mg"]
    assert study.product("herombopag-2.5mg").tablets_per_kit == 42
    assert [d.level for d in study.dose_levels] == [0, -1, -2]
    assert study.dose_level(-1).tablets_per_day("herombopag-2.5mg") == 2
    assert study.cycle.days_of_supply == 21
    assert study.cycle.min_days_since_previous_day1 == 18
    assert study.cycle.expiry_margin_days == 7
    assert study.cycle.previous_return_missing == "warn"
    assert study.adherence.under_use_below == 0.80
    assert study.adherence.over_use_above == 1.00
    assert study.platelet_hold_at_or_above == 100.0
    assert study.eligibility.sex == "F" and study.eligibility.min_age == 18
    assert len(study.eligibility.inclusion) == 7 and len(study.eligibility.exclusion) == 9
    assert study.source_text == BUNDLED


def test_directions_come_word_for_word_from_the_file(study: Study) -> None:
    text = study.directions_for(study.dose_level(-1), date(2026, 1, 5), 21)
    assert text == (
        "Take 2 tablets by mouth once daily in the evening, on an empty stomach, starting the "
        "evening of 2026-01-05, for 21 days."
    )


def test_directions_say_an_empty_stomach_in_both_languages_once_daily_said_once(
    study: Study,
) -> None:
    """The product is taken on an empty stomach (its exposure falls sharply with food), in the
    evening; the Chinese label said 每日一次 twice, in the dose name and the directions."""
    assert "on an empty stomach" in study.label.directions
    chinese = study.text("zh_CN").directions
    assert "空腹" in chinese and "每晚" in chinese
    assert "每日一次" not in chinese  # the dose name above the directions says it


def test_unknown_product_or_dose_level_is_a_clear_refusal(study: Study) -> None:
    with says(NotFound, "Known: herombopag-7.5mg, herombopag-2.5mg"):
        study.product("aspirin-100mg")
    with pytest.raises(NotFound, match="Dose level 3 is not in study NCT07198672"):
        study.dose_level(3)


def test_unknown_product_in_chinese_lists_the_known_in_chinese(study: Study) -> None:
    """A manifest's unknown product was refused in Chinese with the products listed in English
    ("已有：herombopag-7.5mg, herombopag-2.5mg。"): a list reads with the enumeration comma, as
    every other Chinese message's list (i18n.listed)."""
    with speaking(Language.ZH_CN):
        with says(NotFound, "已有：herombopag-7.5mg、herombopag-2.5mg。"):
            study.product("aspirin-100mg")
        with says(NotFound, "已有：0、-1、-2。"):
            study.dose_level(3)


def test_bad_toml_names_the_line() -> None:
    text = edited("length_days = 21", "length_days = 21 21")
    message = refusal(text)
    assert "is not valid TOML" in message
    assert f"line {line_of(text, 'length_days = 21 21')}" in message


def test_missing_key_names_key_and_its_table_line() -> None:
    text = edited('title = "Primary', 'titel = "Primary')
    message = refusal(text)
    assert "key 'study.title' is missing" in message
    assert f"line {line_of(text, '[study]')}:" in message


def test_missing_table_is_named() -> None:
    text = edited("[adherence]", "[adherance]")
    assert "key 'adherence' is missing or is not a table" in refusal(text)


def test_wrong_type_names_the_line_of_the_value() -> None:
    text = edited("length_days = 21", 'length_days = "21"')
    message = refusal(text)
    assert "key 'cycle.length_days' must be int, not str" in message
    assert f"line {line_of(text, 'length_days =')}:" in message


def test_wrong_type_in_the_second_product_names_its_own_line() -> None:
    text = edited("tablets_per_kit = 42", "tablets_per_kit = 42.5")
    message = refusal(text)
    assert "key 'products[1].tablets_per_kit' must be int, not float" in message
    assert f"line {line_of(text, 'tablets_per_kit = 42.5')}:" in message


def test_boolean_is_not_a_number() -> None:
    text = edited("planned_enrolment = 45", "planned_enrolment = true")
    message = refusal(text)
    assert "'study.planned_enrolment' must be int, not true/false" in message
    assert f"line {line_of(text, 'planned_enrolment')}:" in message


def test_unknown_product_in_a_dose_level_names_its_line() -> None:
    old = '{ product = "herombopag-2.5mg", tablets_per_dose = 1 }'
    text = edited(old, '{ product = "herombopag-5mg", tablets_per_dose = 1 }')
    message = refusal(text)
    assert "key 'dose_levels[2].components[0].product' names unknown product" in message
    assert "'herombopag-5mg'" in message
    assert f"line {line_of(text, 'herombopag-5mg')}:" in message


def test_second_component_on_its_own_line_is_found() -> None:
    old = 'components = [{ product = "herombopag-2.5mg", tablets_per_dose = 1 }]'
    new = (
        "components = [\n"
        '    { product = "herombopag-2.5mg", tablets_per_dose = 1 },\n'
        '    { product = "no-such-thing", tablets_per_dose = 1 },\n'
        "]"
    )
    text = edited(old, new)
    message = refusal(text)
    assert "dose_levels[2].components[1].product" in message
    assert f"line {line_of(text, 'no-such-thing')}:" in message


def test_bad_directions_placeholder_names_its_line() -> None:
    text = edited("for {days} days.", "for {day} days.")
    message = refusal(text)
    assert "key 'label.directions' has an unknown placeholder 'day'" in message
    assert f"line {line_of(text, 'directions =')}:" in message


@pytest.mark.parametrize(
    ("old", "new", "words", "key_line"),
    [
        (
            'previous_return_missing = "warn"',
            'previous_return_missing = "ask"',
            'must be "refuse" or "warn"',
            "previous_return_missing =",
        ),
        (
            "under_use_below = 0.80",
            "under_use_below = 1.5",
            "must be between 0 and 1",
            "under_use_below =",
        ),
        (
            "min_celsius = 2.0",
            "min_celsius = 30.0",
            "must be lower than max_celsius",
            "min_celsius =",
        ),
        ('sex = "F"', 'sex = "female"', 'must be "F", "M" or "ALL"', "sex ="),
        ("strength_mg = 2.5", "strength_mg = 0", "must be more than 0", "strength_mg = 0"),
        ("level = -2", "level = -1", "repeats dose level -1", "level = -1"),
        (
            'code = "herombopag-2.5mg"',
            'code = "herombopag-7.5mg"',
            "repeats the product code",
            'code = "herombopag-7.5mg"',
        ),
        (
            'code = "herombopag-2.5mg"',
            'code = "herombopag 2.5mg"',
            "may hold only letters",
            'code = "herombopag 2.5mg"',
        ),
        ("tablets_per_kit = 21", "tablets_per_kit = 0", "must be 1 or more", "tablets_per_kit = 0"),
        (
            '"ECOG performance status 0-2",',
            '"",',
            "must be a list of non-empty texts",
            "inclusion =",
        ),
        (
            "min_days_since_previous_day1 = 18",
            "min_days_since_previous_day1 = -1",
            "must be 0 or more",
            "min_days_since_previous_day1",
        ),
    ],
)
def test_invalid_values_are_refused_at_their_line(
    old: str, new: str, words: str, key_line: str
) -> None:
    text = edited(old, new)
    message = refusal(text)
    assert words in message
    occurrence = 1 if key_line in ("level = -1", 'code = "herombopag-7.5mg"') else 0
    assert f"line {line_of(text, key_line, occurrence)}:" in message, message


def test_platelets_that_is_not_a_table_is_refused() -> None:
    text = "platelets = 100\n" + BUNDLED.replace("[platelets]", "[platelet_rules]")
    message = refusal(text)
    assert "key 'platelets' is missing or is not a table" in message


def test_platelet_question_is_optional() -> None:
    text = edited("hold_at_or_above = 100", "")
    assert parse_study(text).platelet_hold_at_or_above == 0.0


def test_empty_file_is_refused() -> None:
    assert "key 'study' is missing" in refusal("")


def test_missing_file_and_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(StudyFileError, match="does not exist"):
        load_study(tmp_path / "nope.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes("title = 'caf\xe9'".encode("latin-1"))
    with pytest.raises(StudyFileError, match="cannot be read"):
        load_study(latin)


@pytest.mark.parametrize(
    ("old", "new", "occurrence", "key"),
    [
        ("hold_at_or_above = 100", "hold_at_or_abov = 100", 0, "platelets.hold_at_or_abov"),
        ("[cycle]\n", "[cycle]\nmax_cylces = 8\n", 0, "cycle.max_cylces"),
        ('default_stock = "', 'defualt_stock = "', 0, "label.defualt_stock"),
        ("form = ", "colour = 1\nform = ", 1, "products[1].colour"),
        ("doses_per_day", "note = 1\ndoses_per_day", 2, "dose_levels[2].note"),
        (
            "tablets_per_dose = ",
            "tablets = 1, tablets_per_dose = ",
            1,
            "s[1].components[0].tablets",
        ),
        ("[platelets]", "[platelet]", 0, "platelet"),
    ],
)
def test_an_unknown_key_is_refused_naming_it_and_its_line(
    old: str, new: str, occurrence: int, key: str
) -> None:
    """A misspelt optional key would leave its rule silently unapplied (no platelet hold)."""
    text = edited(old, new, occurrence)
    message = refusal(text)
    assert f"{key}' is not one the program reads (misspelt?); the keys here: " in message
    written = next(line for line in new.splitlines() if line not in old)
    assert f"line {line_of(text, written)}:" in message


def test_a_misspelt_required_key_points_at_the_misspelling() -> None:
    text = edited("length_days = 21", "lenght_days = 21")
    message = refusal(text)
    assert "key 'cycle.length_days' is missing ('lenght_days' on line " in message
    assert f"on line {line_of(text, 'lenght_days')} misspelt?)" in message


# -- the study's data in the reader's language (issue 13) -------------------------------------


def test_products_and_dose_levels_are_named_in_the_language_asked(study: Study) -> None:
    assert study.product_name("herombopag-7.5mg", "zh_CN") == "海曲泊帕乙醇胺片 7.5 mg"
    assert study.product_name("herombopag-7.5mg", "en") == (
        "herombopag (hetrombopag olamine) 7.5 mg tablet"
    )
    assert study.dose_name(-1, "zh_CN") == "5 mg，每日一次（减量）"
    assert study.dose_name(-1, "en") == "5 mg once daily (reduced)"


def test_a_language_or_a_name_the_file_does_not_give_falls_back_to_english(study: Study) -> None:
    assert study.product_name("herombopag-2.5mg", "fr") == study.product("herombopag-2.5mg").display
    assert study.dose_name(0, "fr") == "7.5 mg once daily"
    assert study.wording("fr").site_name == "Henan Cancer Hospital"
    # a record of a product or level the file no longer has still shows
    assert study.product_name("retired-1mg", "zh_CN") == "retired-1mg"
    assert study.dose_name(-9, "zh_CN") == "-9"


def test_the_windows_names_of_the_study_in_chinese(study: Study) -> None:
    names = study.wording("zh_CN")
    assert (names.site_name, names.pharmacy_name) == ("河南省肿瘤医院", "临床试验药房")
    assert names.short_title == "海曲泊帕预防T-DM1相关血小板减少"
    assert names.storage_area == "试验药物库房1"
    assert study.storage_area == "IP store 1"  # what the records keep


def test_the_products_form_route_and_manufacturer_in_the_readers_language(study: Study) -> None:
    maker = study.product("herombopag-7.5mg").manufacturer
    assert study.manufacturer_name(maker, "zh_CN") == "江苏恒瑞医药股份有限公司"
    assert (study.form_name("tablet", "zh_CN"), study.route_name("oral", "zh_CN")) == (
        "片剂",
        "口服",
    )
    assert (
        study.manufacturer_name(maker, "en") == maker == "Jiangsu Hengrui Pharmaceuticals Co., Ltd."
    )
    assert (study.form_name("tablet", "en"), study.route_name("oral", "fr")) == ("tablet", "oral")


def test_the_products_words_are_optional_and_only_for_words_the_products_use() -> None:
    bare = parse_study(BUNDLED.replace('[label.text.zh_CN.routes]\noral = "口服"\n', ""))
    assert bare.route_name("oral", "zh_CN") == "oral"  # left out: the English
    assert bare.form_name("tablet", "zh_CN") == "片剂"
    message = refusal(edited('tablet = "片剂"', 'capsule = "胶囊"'))
    assert "label.text.zh_CN.forms" in message and "'capsule'" in message
    assert "tablet" in message  # the words it may give


def test_a_dosage_form_is_counted_in_its_own_word() -> None:
    """Chinese counts capsules in 粒 and tablets in 片 ([label.text.<language>.units], by the
    form [[products]] gives): a form left out counts as tablets_one and tablets_many say; a
    word for a form no product has, or without {count}, is refused naming its key."""
    forms = '[label.text.zh_CN.forms]\ntablet = "片剂"\n'
    counted = parse_study(
        edited(forms, forms + '\n[label.text.zh_CN.units]\ntablet = "{count}粒"\n')
    )
    zh = counted.text("zh_CN")
    assert (zh.counted(2, "tablet"), zh.unit_word("tablet")) == ("2粒", "粒")
    dose = counted.dose_level(-1)
    assert "2粒" in counted.directions_for(dose, date(2026, 3, 2), 21, "zh_CN")
    bare = parse_study(BUNDLED).text("zh_CN")
    assert (bare.units, bare.counted(42, "tablet"), bare.unit_word("tablet")) == ({}, "42片", "片")
    message = refusal(edited(forms, forms + '\n[label.text.zh_CN.units]\ncapsule = "{count}粒"\n'))
    assert "label.text.zh_CN.units" in message and "'capsule'" in message
    message = refusal(edited(forms, forms + '\n[label.text.zh_CN.units]\ntablet = "片"\n'))
    assert "label.text.zh_CN.units.tablet" in message and "{count}" in message


def test_the_eligibility_criteria_in_the_readers_language(study: Study) -> None:
    inclusion, exclusion = study.criteria("zh_CN")
    assert inclusion[0] == "女性，年龄≥18岁" and exclusion[4] == "妊娠期或哺乳期"
    assert (len(inclusion), len(exclusion)) == (
        len(study.eligibility.inclusion),
        len(study.eligibility.exclusion),
    )
    assert study.criteria("en") == (study.eligibility.inclusion, study.eligibility.exclusion)
    assert study.criteria("fr") == (study.eligibility.inclusion, study.eligibility.exclusion)


def test_a_language_missing_a_criterion_is_refused_naming_its_line() -> None:
    short = edited('    "妊娠期或哺乳期",\n', "")
    message = refusal(short)
    assert "label.text.zh_CN.exclusion" in message
    assert "must translate each criterion of [eligibility], in its order" in message


def test_rule_titles_are_the_programs_words_with_the_files_values(study: Study) -> None:
    """The audit trail keeps the English title; the windows show it in the reader's language,
    with the same values (a changed interval cannot leave a stale Chinese title)."""
    assert study.rule("cycle.min_interval").title == (
        "At least 18 days between day 1 of two cycles"
    )
    assert study.rule_title("cycle.min_interval", "zh_CN") == "两个周期的第1天之间至少间隔 18 天"
    assert study.rule_title("dose_levels.-1", "zh_CN") == "剂量水平 -1：5 mg，每日一次（减量）"
    assert study.rule_title("products.herombopag-7.5mg", "zh_CN") == (
        "药品 海曲泊帕乙醇胺片 7.5 mg，每盒 21 片"
    )
    for rule in study.rules:
        assert study.rule_title(rule.key, "en") == rule.title
        chinese = study.rule_title(rule.key, "zh_CN")
        assert re.search(r"[\u4e00-\u9fff]", chinese), chinese
    shorter = parse_study(
        default_study_path()
        .read_text(encoding="utf-8")
        .replace("min_days_since_previous_day1 = 18", "min_days_since_previous_day1 = 15")
    )
    assert shorter.rule_title("cycle.min_interval", "zh_CN") == "两个周期的第1天之间至少间隔 15 天"


def test_rule_titles_say_percent_and_the_language_by_name(study: Study) -> None:
    """The study rules said "below 0.8 and above 1" (the return screen says "86%") and "text in
    zh_CN" (a file's code)."""
    from dispensary.i18n import Language, speaking

    assert study.rule_title("adherence") == "Adherence flags below 80% and above 100%"
    assert study.rule_title("label.text.zh_CN") == "Label and leaflet text in Simplified Chinese"
    with speaking(Language.ZH_CN):
        assert study.rule_title("adherence") == "依从性低于 80% 或高于 100% 时标记"
        assert study.rule_title("label.text.zh_CN") == "简体中文标签与说明书文字"


def test_the_investigator_is_one_person_whichever_name_of_the_file_recorded_them(
    study: Study,
) -> None:
    """A Chinese window records 刘真真 医生, the command Zhenzhen Liu, M.D.: each report says
    the reader's name for them; a name typed otherwise stays as typed."""
    for recorded in ("刘真真 医生", "Zhenzhen Liu, M.D.", "Zhenzhen Liu, M.D"):
        assert study.person_name(recorded, "en") == study.investigator
        assert study.person_name(recorded, "zh_CN") == "刘真真 医生"
    assert study.person_name("Dr Wang", "zh_CN") == "Dr Wang"
    assert study.person_name("王医生", "en") == "王医生"


@pytest.mark.parametrize(
    ("old", "new", "key", "name"),
    [
        ("the evening of {last}", "the evening of {end}", "label.leaflet_doses", "end"),
        ("{last}晚间", "{last_day}晚间", "label.text.zh_CN.leaflet_doses", "last_day"),
        ("taken {dose}; write", "taken {tablets}; write", "label.diary_tick", "tablets"),
        ('"Date (evening)"', '"Date ({first})"', "label.diary_date", "first"),
    ],
)
def test_a_leaflet_dosing_time_with_an_unknown_placeholder_is_refused(
    old: str, new: str, key: str, name: str
) -> None:
    """The leaflet fills these in for every dispense: a placeholder it does not know would fail
    at the counter, so the study file is refused when it loads."""
    text = edited(old, new)
    message = refusal(text)
    assert f"key '{key}' has an unknown placeholder '{name}'" in message
    if not key.startswith("label.text."):  # line_of names [label]'s line for those
        assert f"line {line_of(text, new)}:" in message


def test_a_leaflet_dosing_time_is_given_in_every_language_or_none() -> None:
    """A Chinese leaflet must not fall back to the program's wording (no time of day) while the
    English one says "the evening"."""
    text = edited('diary_date = "日期（晚间）"\n', "")
    assert "key 'label.text.zh_CN.diary_date' must be given in [label] and in each" in refusal(text)
    assert "key 'label.text.zh_CN.diary_tick' must be given" in refusal(
        edited('diary_tick = "Tick the box each evening', 'x_tick = "Tick the box each evening')
    )
    empty = edited('diary_date = "Date (evening)"', 'diary_date = " "')
    assert "key 'label.diary_date' must not be empty" in refusal(empty)


def test_a_study_file_without_leaflet_dosing_times_loads() -> None:
    text = BUNDLED
    for line in BUNDLED.splitlines():
        if line.startswith(("leaflet_doses =", "diary_date =", "diary_tick =")):
            text = text.replace(line + "\n", "")
    study = parse_study(text, "test.toml")
    assert (study.label.leaflet_doses, study.label.diary_date, study.label.diary_tick) == ("",) * 3
    assert study.text("zh_CN").diary_tick == ""


def test_a_mistake_under_a_dotted_table_names_its_own_line() -> None:
    """[label.text.zh_CN.units] and the like: the line of the key itself, not [label]'s."""
    forms = '[label.text.zh_CN.forms]\ntablet = "片剂"\n'
    text = edited(forms, forms + '\n[label.text.zh_CN.units]\ntablet = "片"\n')
    message, wrong = refusal(text), 'tablet = "片"'
    assert f"line {line_of(text, wrong)}:" in message, message
    text = edited('tablet = "片剂"', 'capsule = "胶囊"')
    assert f"line {line_of(text, '[label.text.zh_CN.forms]')}:" in refusal(text)
