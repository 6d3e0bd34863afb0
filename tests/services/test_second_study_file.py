"""A second study served from its study file alone (the reviewer's REV-CAPS-28: capsules of two
strengths, twice daily, English only), where the first study's file had set what every file
must say:

- `[cycle] min_days_since_previous_day1` and `[study] contact_phone` were required: a protocol
  with no minimum interval, or no telephone on its label, could not be loaded. Left out, there
  is no such rule, and no telephone on the label and the leaflet (which still decode).
- `--platelets` for a study without a platelet rule was recorded silently (the window hides the
  field): it is refused, naming why.
- The exclusion criterion on other study treatment was found by NCT07198672's words in code: a
  criterion of another study that happened to share a word was quoted. The study file names it.
- A form "capsule, hard" was read by its last word ("hard"): its units stayed English in
  Chinese ("28 capsule, hards").
- A label field's source said "tablets" of a capsule study.
- A dose of two strengths taken together repeated the whole directions per strength on the
  leaflet and the dispense ("Take 1 capsule of ... twice daily, ... Take 2 capsules of ...
  twice daily, ..."): said once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from dispensary.domain.errors import StudyFileError
from dispensary.domain.rules import next_day1_rule
from dispensary.i18n import Language, speaking
from dispensary.labels import dispensing_label, get_stock, participant_leaflet
from dispensary.labels.dispensing import containers
from dispensary.labels.particulars import IncompleteLabel, check_complete, kit_fields
from dispensary.services import (
    dispensing,
    participants,
    queries,
    report_data,
    users,
)
from dispensary.services.context import Context
from dispensary.services.report_data import KitLabelRow
from dispensary.study import (
    default_study_path,
    english_units,
    is_tablet,
    load_study,
    own_unit_word,
    own_units,
    parse_study,
    spaced_count,
)
from reports.pdfread import decode_barcodes, pdf_pages_text, pdf_text
from rev_caps28 import DAY1, FIXTURE, HUNDRED, received

REVIEW = FIXTURE.read_text(encoding="utf-8")
PHONE = 'contact_phone = "+1 555 0100"\n'
INTERVAL = 'min_days_since_previous_day1 = 26\nmin_days_source = "protocol 6.1"\n'
PASSWORD = "pharm-pass-1"


def _without(*keys: str) -> str:
    text = REVIEW
    for key in keys:
        assert text.count(key) == 1, key
        text = text.replace(key, "")
    return text


def _flat(pdf: bytes) -> str:
    return " ".join(pdf_text(pdf).replace("\u00a0", " ").split())


def _pharmacy(text: str, folder: Path) -> Context:
    return received(folder, text, password=PASSWORD)[0]


@pytest.fixture
def plain(tmp_path: Path) -> Iterator[Context]:
    """REV-CAPS-28 without a minimum interval and without a telephone."""
    ctx = _pharmacy(_without(PHONE, INTERVAL), tmp_path)
    yield ctx
    ctx.engine.dispose()


@pytest.fixture
def review(tmp_path: Path) -> Iterator[Context]:
    ctx = _pharmacy(REVIEW, tmp_path)
    yield ctx
    ctx.engine.dispose()


# -- 1. no minimum interval, no telephone ------------------------------------------------------


def test_a_study_file_without_an_interval_or_a_telephone_loads() -> None:
    study = parse_study(_without(PHONE, INTERVAL), "REV-CAPS-28.toml", new_file=True)
    assert study.contact_phone == ""
    assert study.cycle.min_days_since_previous_day1 is None
    assert not study.cycle.has_min_interval and study.cycle.earliest_days == 1
    assert "cycle.min_interval" not in {rule.key for rule in study.rules}
    said = next_day1_rule(study.cycle.length_days, study.cycle.min_days_since_previous_day1)
    assert said == (
        "due 28 days after the previous day 1, any day after the previous day 1 at the earliest "
        "(the study file sets no minimum interval)"
    )
    with speaking(Language.ZH_CN):
        chinese = next_day1_rule(study.cycle.length_days, None)
    assert "研究文件未规定最短间隔" in chinese, chinese
    # Given, both hold as before; the source without the days is still refused.
    given = parse_study(REVIEW, "REV-CAPS-28.toml", new_file=True)
    assert given.cycle.min_days_since_previous_day1 == 26 and given.contact_phone
    assert "cycle.min_interval" in {rule.key for rule in given.rules}
    with pytest.raises(StudyFileError, match=r"cycle\.min_days_since_previous_day1' is missing"):
        parse_study(_without("min_days_since_previous_day1 = 26\n"), "x.toml", new_file=True)


def test_it_dispenses_and_prints_a_label_and_leaflet_without_a_telephone(
    plain: Context,
) -> None:
    pharm = users.sign_in(plain, "pharm", PASSWORD)
    done = dispensing.dispense_cycle(plain, pharm, "01-001", 1, DAY1, PASSWORD)
    assert sum(k.tablets for k in done.kits) == 112
    result = report_data.dispense_for_label(plain, pharm, done.number)
    pdf = dispensing_label(plain.study, result, get_stock(plain.study.label.default_stock))
    assert {found[0][0] for found in decode_barcodes(pdf)} == {done.number}
    text = _flat(pdf)
    assert "Contact: Jane Smith, M.D., City General Hospital, 10 Main Street, Springfield." in (
        text
    ), text
    assert "tel." not in text
    leaflet = _flat(participant_leaflet(plain.study, result))
    assert "Jane Smith, M.D., City General Hospital, 10 Main Street, Springfield." in leaflet
    assert "telephone" not in leaflet
    # No minimum interval: the next day 1 is any day after this one (no rule to warn of).
    row = next(r for r in queries.participants(plain, pharm) if r.study_number == "01-001")
    assert row.next_earliest == DAY1 + timedelta(days=1)
    assert row.next_due == DAY1 + timedelta(days=28)


# -- 2. --platelets of a study without a platelet rule ----------------------------------------


def test_a_platelet_count_of_a_study_without_a_platelet_rule_is_refused(review: Context) -> None:
    assert not review.study.asks_platelets
    pharm = users.sign_in(review, "pharm", PASSWORD)
    with pytest.raises(dispensing.ObservationRefused) as refused:
        dispensing.dispense_cycle(review, pharm, "01-001", 1, DAY1, PASSWORD, platelet_count=120)
    said = " ".join(refused.value.message.split())
    assert said == (
        "Study REV-CAPS-28 records no platelet count at dispense: its study file sets no "
        "platelet rule ([platelets] hold_at_or_above) and asks no platelet count "
        "([[observations]]). Dispense without a platelet count."
    )
    assert refused.value.key == "platelets"
    # Without the count it dispenses; NCT07198672 (a platelet rule) still asks it.
    assert dispensing.dispense_cycle(review, pharm, "01-001", 1, DAY1, PASSWORD).kits
    assert load_study(default_study_path()).asks_platelets


# -- 3. the exclusion criterion on other study treatment ---------------------------------------

PRIOR = '"Unable to swallow capsules"'
OWN_WORDS = '"Unable to swallow capsules", "Prior investigational drug within 30 days"'


def _criterion(text: str) -> str | None:
    study = parse_study(text, "REV-CAPS-28.toml", new_file=True)
    return participants.other_treatment_criterion(cast(Any, SimpleNamespace(study=study)))


def test_the_criterion_on_other_study_treatment_is_the_one_the_study_file_names() -> None:
    # A criterion sharing NCT07198672's words is not the criterion unless the file says so.
    assert _criterion(REVIEW.replace(PRIOR, OWN_WORDS)) is None
    named = REVIEW.replace(PRIOR, OWN_WORDS).replace(
        'exclusion = ["Unable',
        'other_study_exclusion = 1\nother_study_source = "protocol 4.2"\nexclusion = ["Unable',
    )
    assert _criterion(named) == "Unable to swallow capsules"
    # NCT07198672 names its criterion 8, in the reader's language.
    bundled = load_study(default_study_path())
    assert bundled.eligibility.other_study_source == "registry"
    assert bundled.other_study_criterion("en") == (
        "Other interventional study treatment, or investigational drug or device within 4 weeks"
    )
    assert bundled.other_study_criterion("zh_CN") == bundled.criteria("zh_CN")[1][7]
    with pytest.raises(StudyFileError, match="other_study_exclusion' is 3, but exclusion lists 2"):
        parse_study(named.replace("other_study_exclusion = 1", "other_study_exclusion = 3"))
    with pytest.raises(StudyFileError, match="other_study_source' is missing"):
        parse_study(named.replace('other_study_source = "protocol 4.2"\n', ""))


# -- 4. a dosage form of several words ---------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "chinese", "english"),
    [
        ("capsule, hard", "28粒", "28 capsules"),
        ("hard capsule", "28粒", "28 capsules"),
        ("tablet, film-coated", "28片", "28 tablets"),
        ("film-coated tablet", "28片", "28 tablets"),
        ("Capsule", "28粒", "28 capsules"),
    ],
)
def test_a_form_is_read_by_its_noun(form: str, chinese: str, english: str) -> None:
    assert own_units(28, form, "zh_CN") == chinese
    assert own_units(28, form, "en") == english == english_units(28, form)
    assert is_tablet(form) is english.endswith("tablets")
    study = parse_study(REVIEW.replace('form = "capsule"', f'form = "{form}"'))
    assert study.units(HUNDRED, 28, "zh_CN") == spaced_count(chinese)
    assert study.unit_words((), "zh_CN") == chinese.removeprefix("28")


def test_a_form_the_program_does_not_know_stays_as_written() -> None:
    assert own_units(28, "softgel", "zh_CN") == "28 softgels"
    assert own_unit_word("oral solution", "zh_CN") == "oral solutions"


# -- 5. a label field's source in the study's unit ---------------------------------------------


def test_a_refusal_naming_a_label_field_s_source_says_capsules() -> None:
    study = parse_study(REVIEW, "REV-CAPS-28.toml", new_file=True)
    kit = KitLabelRow("R1001", HUNDRED, "LR", date(2028, 6, 30), 0, "SH-1", DAY1)
    with pytest.raises(IncompleteLabel) as refused:
        check_complete(kit_fields(study, kit), "kit label of R1001")
    said = " ".join(refused.value.message.split())
    assert "fill in the receipt of kit R1001 (number of capsules)" in said, said
    assert "tablet" not in said
    with speaking(Language.ZH_CN), pytest.raises(IncompleteLabel) as chinese:
        check_complete(kit_fields(study, kit), "药盒 R1001 的标签")
    assert "药盒 R1001 接收时记录的粒数" in chinese.value.message, chinese.value.message


# -- 6. two strengths taken together: the directions once --------------------------------------

ONCE = (
    "Take 1 capsule of revicapib 100 mg and 2 capsules of revicapib 25 mg by mouth twice daily, "
    "about 12 hours apart, with a meal, starting 2026-03-02, for 28 days."
)


def test_a_dose_of_two_strengths_is_directed_once() -> None:
    study = parse_study(REVIEW, "REV-CAPS-28.toml", new_file=True)
    dose = study.dose_level(-1)
    assert study.directions_for(dose, DAY1, 28) == ONCE
    # Each kit's own label keeps its own product's sentence.
    assert study.product_directions(dose, DAY1, 28) == (
        "Take 1 capsule of revicapib 100 mg by mouth twice daily, about 12 hours apart, with a "
        "meal, starting 2026-03-02, for 28 days.",
        "Take 2 capsules of revicapib 25 mg by mouth twice daily, about 12 hours apart, with a "
        "meal, starting 2026-03-02, for 28 days.",
    )
    # Parts taken on other days are two sentences still: they are not the same directions.
    split = REVIEW.replace(
        '{ product = "revicapib-25mg", tablets_per_dose = 2 }',
        '{ product = "revicapib-25mg", tablets_per_dose = 2, days = [1, 14] }',
    ).replace(
        'directions = "Take {tablets} of {product} by mouth {frequency}, about 12 hours apart, '
        'with a meal, starting {start_date}, for {days} days."',
        'directions = "Take {tablets} of {product} by mouth {frequency} on days {first_day} to '
        '{last_day}, starting {start_date}, for {days} days."',
    )
    two = parse_study(split, "x.toml", new_file=True)
    assert two.directions_for(two.dose_level(-1), DAY1, 28).count("Take ") == 2


def test_the_leaflet_and_the_dispense_say_the_directions_once(review: Context) -> None:
    pharm = users.sign_in(review, "pharm", PASSWORD)
    done = dispensing.dispense_cycle(
        review, pharm, "01-001", 1, DAY1, PASSWORD, dose_level=-1, dose_ordered_by="Dr Example"
    )
    assert done.directions == ONCE
    result = report_data.dispense_for_label(review, pharm, done.number)
    leaflet = _flat(participant_leaflet(review.study, result))
    assert leaflet.count("by mouth") == 1, leaflet
    assert "Take 1 capsule of revicapib 100 mg and 2 capsules of revicapib 25 mg" in leaflet
    # One label per kit, each with its own product's directions once.
    pdf = dispensing_label(review.study, result, get_stock(review.study.label.default_stock))
    labels = [" ".join(page.split()) for page in pdf_pages_text(pdf)]
    assert len(labels) == len(containers(review.study, result)) == 3
    assert all(text.count("by mouth") == 1 for text in labels), labels
