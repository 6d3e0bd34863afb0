"""Labels and the leaflet in Chinese (issue 13), read back as a participant, a scanner and a
printer would: the Chinese directions are in the PDF's text, every font is embedded, the glyphs
are real characters (not empty boxes), barcodes decode, every particular is legible. The study's
Chinese text prints only once confirmed; until then the label is English and the plan says why.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from PIL import Image, ImageChops
from sample_study import PASSWORDS, SampleStudy, build_sample_study, light_password_hashing

from dispensary import pdffonts
from dispensary.i18n import Language, catalogue, format_date
from dispensary.labels import (
    NO_CALIBRATION,
    LabelDoesNotFit,
    UnprintableText,
    dispensing_label,
    expiry_text,
    get_stock,
    kit_labels,
    participant_leaflet,
)
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.languages import speeches
from dispensary.labels.leaflet import friendly_date
from dispensary.labels.text import LEGIBLE, keep_together, wrap
from dispensary.pdffonts import NO_LINE_END, NO_LINE_START
from dispensary.services import dispensing, queries, report_data, studies
from dispensary.services import labels as label_prints
from dispensary.services.documents import Values
from dispensary.services.report_data import KitLabelRow
from dispensary.services.results import DispenseResult
from dispensary.study import Study

from .pdfread import (
    char_boxes,
    decode_barcodes,
    pdf_fonts,
    pdf_pages_text,
    pdf_text,
    render_page,
    smallest_size,
    text_sizes,
    without_embedded_fonts,
)
from .test_labels import printed_directions, spaced

ZH = ("zh_CN",)
RULE = "label.text.zh_CN"
SRC = Path(__file__).resolve().parents[2] / "src" / "dispensary"


def _small_study(folder: Path, participants: int = 3) -> SampleStudy:
    """A small study of its own (its Chinese text gets confirmed here) whose participant
    01-001 has just been dispensed cycle 3 (DSP number LIVE): a bottle still out, so a label
    may be printed for it (the sample's other dispenses have all come back)."""
    built = build_sample_study(folder / "zh.sqlite3", participants_count=participants, cycles=2)
    with light_password_hashing():
        result = dispensing.dispense_cycle(
            built.ctx, built.pharmacist, "01-001", 3, built.clock.today(), PASSWORDS["pharm"]
        )
    assert result.number == live_number(built)
    return built


def live_number(sample: SampleStudy) -> str:
    return f"DSP{sample.dispenses + 1:06d}"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleStudy]:
    built = _small_study(tmp_path_factory.mktemp("chinese"))
    yield built
    built.ctx.engine.dispose()


@pytest.fixture
def confirmed(sample: SampleStudy) -> SampleStudy:
    """The site confirmed the study file's Chinese label text."""
    open_rules = [r.key for r in studies.rules_to_confirm(sample.ctx, sample.admin)]
    if RULE in open_rules:
        studies.confirm_rule(
            sample.ctx, sample.admin, RULE, "Checked against the approved Chinese label"
        )
    return sample


def _dispense(sample: SampleStudy) -> DispenseResult:
    return queries.get_dispense_detail(sample.ctx, sample.pharmacist, live_number(sample))


def _kit(sample: SampleStudy) -> KitLabelRow:
    """The kit just dispensed (others may be destroyed or back: no label for those)."""
    number = _dispense(sample).kits[0].kit
    return report_data.kit_label_rows(sample.ctx, sample.pharmacist, kits=[number])[0]


def _flat(text: str) -> str:
    """Without any whitespace: Chinese has no spaces, and a wrapped line adds one."""
    return "".join(text.split())


def chinese_directions(study: Study, dispense: DispenseResult) -> str:
    start = dispense.start_date or dispense.day1
    days = (dispense.last_day - start).days + 1
    dose = study.dose_level(dispense.dose_level)
    speech = speeches(study, ("zh_CN",))[0]  # the date as the leaflet writes it
    return study.directions_for(dose, start, days, "zh_CN", lambda day: friendly_date(day, speech))


def _draw(sample: SampleStudy, key: str, values: Values, stock: str = "thermal-4x2") -> bytes:
    """The label as the command line and the screens make it: planned by the services (which
    decide its languages), then drawn."""
    entry = label_catalogue.label(key)
    chosen = get_stock(stock) if entry.on_stock else None
    cal = NO_CALIBRATION if chosen is not None else None
    sheet = label_catalogue.plan_label(
        entry, sample.ctx, sample.pharmacist, values, chosen, cal, reprint=False
    )
    return sheet.draw()


def assert_fonts_embedded(pdf: bytes) -> None:
    """Every font not among the 14 every reader has is embedded; the CJK font as a subset of
    TrueType outlines (FontFile2)."""
    fonts = pdf_fonts(pdf)
    assert fonts
    for font in fonts:
        assert font.standard or font.embedded, font
    chinese = [f for f in fonts if "WenQuanYiMicroHei" in f.name]
    assert chinese, fonts
    for font in chinese:
        assert font.embedded == "FontFile2" and font.subset, font


# -- which language prints -------------------------------------------------------------------


def test_an_unconfirmed_chinese_text_prints_in_english_and_the_plan_says_why(
    tmp_path: Path,
) -> None:
    fresh = _small_study(tmp_path, participants=1)
    try:
        ctx, pharmacist, number = fresh.ctx, fresh.pharmacist, live_number(fresh)
        assert ctx.study.label_languages == ("zh_CN", "en") and not ctx.study.label_bilingual
        plan = label_prints.plan_print(ctx, pharmacist, "dispense", [number])
        assert plan.languages == ("en",)
        assert RULE in plan.language_note and "to confirm" in plan.language_note
        assert "site decision 2026-12" in plan.language_note
        pdf = _draw(fresh, "dispense", Values(dispense=number))
        text = pdf_text(pdf)
        assert printed_directions(_dispense(fresh)) in spaced(text)
        assert not any(pdffonts.is_wide(ch) for ch in text)
        assert all(f.standard for f in pdf_fonts(pdf))  # English only: nothing to embed

        studies.confirm_rule(ctx, fresh.admin, RULE, "Checked against the approved label")
        plan = label_prints.plan_print(ctx, pharmacist, "dispense", [number])
        assert (plan.languages, plan.language_note) == (("zh_CN",), "")
        asked = label_prints.plan_print(ctx, pharmacist, "leaflet", [number], languages=["en"])
        assert (asked.languages, asked.language_note) == (("en",), "")
    finally:
        fresh.ctx.engine.dispose()


def test_the_languages_follow_the_study_less_the_unconfirmed(sample: SampleStudy) -> None:
    study = sample.ctx.study
    bilingual = dataclasses.replace(study, label_bilingual=True)
    english_only = dataclasses.replace(study, label_languages=("zh_CN",))
    cases = [
        (study, set(), (), ("en",), True),
        (study, {RULE}, (), ("zh_CN",), False),
        (bilingual, set(), (), ("en",), True),
        (bilingual, {RULE}, (), ("zh_CN", "en"), False),
        (study, set(), ("en",), ("en",), False),  # asked for English: nothing left out
        (study, set(), ("zh_CN",), ("en",), True),  # asked, but still to confirm
        (study, {RULE}, ("en", "zh_CN"), ("en", "zh_CN"), False),
        (study, {RULE}, ("fr",), ("zh_CN",), True),  # the study gives no French
        (english_only, set(), (), ("en",), True),  # English as the last resort
    ]
    for chosen, confirmed, asked, expected, noted in cases:
        languages, note = label_prints.print_languages(chosen, confirmed, asked)
        assert languages == expected, (confirmed, asked)
        assert bool(note) is noted, (confirmed, asked, note)
    _languages, note = label_prints.print_languages(study, set(), ("fr",))
    assert "gives no fr label text" in note


def test_a_label_is_never_in_a_language_the_study_file_does_not_list(
    sample: SampleStudy,
) -> None:
    """`languages = ["en"]` with a Chinese text given and confirmed: `--lang zh_CN label
    dispense` printed a Chinese label all the same."""
    english = dataclasses.replace(sample.ctx.study, label_languages=("en",))
    languages, note = label_prints.print_languages(english, {RULE}, ("zh_CN",))
    assert languages == ("en",)
    assert (
        "Printed in English, not in Simplified Chinese: the study file does not list zh_CN in "
        "[label] languages"
    ) in note


# -- the labels in Chinese -------------------------------------------------------------------


def test_the_chinese_dispensing_label_carries_the_chinese_directions(
    confirmed: SampleStudy,
) -> None:
    study, dispense = confirmed.ctx.study, _dispense(confirmed)
    pdf = _draw(confirmed, "dispense", Values(dispense=dispense.number))
    assert decode_barcodes(pdf)[0][0][0] == dispense.number
    text = _flat(pdf_text(pdf))
    zh = study.text("zh_CN")
    kit = dispense.kits[0]
    for expected in (
        chinese_directions(study, dispense),  # 8. with the start date written the Chinese way
        "剂量：" + zh.dose_levels[dispense.dose_level],
        zh.products[kit.product],  # 2.
        "数量：21片，口服",  # 3.
        f"批号{kit.lot}",  # 4.
        expiry_text(kit.expiry, Language.ZH_CN),  # 11.
        study.protocol,  # 5.
        zh.contact_name,  # 1.
        zh.contact_address,
        study.contact_phone,
        f"第{dispense.cycle}周期",  # 6.
        zh.caution,  # 9.
        zh.storage,  # 10.
        zh.keep_out_of_reach,  # 12.
        f"由{dispense.pharmacist_initials}发放",
    ):
        assert _flat(expected) in text, expected
    assert "Take 1 tablet" not in text and "Dose:" not in text
    assert "2025年" in chinese_directions(study, dispense)
    assert_fonts_embedded(pdf)


def test_the_chinese_kit_label_and_leaflet(confirmed: SampleStudy) -> None:
    study = confirmed.ctx.study
    zh = study.text("zh_CN")
    kit = _kit(confirmed)
    kit_pdf = _draw(confirmed, "kit", Values(kits=[kit.number]))
    assert decode_barcodes(kit_pdf)[0][0][0] == kit.number
    kit_text = _flat(pdf_text(kit_pdf))
    for expected in (
        zh.products[kit.product],
        f"批号{kit.lot}",
        expiry_text(kit.expiry, Language.ZH_CN),
        f"{kit.tablets}片，口服",
        zh.storage,
        zh.caution,
        zh.contact_address,
    ):
        assert _flat(expected) in kit_text, expected
    assert_fonts_embedded(kit_pdf)

    dispense = _dispense(confirmed)
    leaflet = _draw(confirmed, "leaflet", Values(dispense=dispense.number))
    pages = [_flat(page) for page in pdf_pages_text(leaflet)]
    first = "".join(pages[:-1])
    for expected in (
        chinese_directions(study, dispense),
        zh.missed_dose,
        zh.return_instruction,
        zh.title,
        "服用方法",
        "如果漏服",
        f"您的研究用药：第{dispense.cycle}周期",
    ):
        assert _flat(expected) in first, expected
    for english in ("How to take them", "If you miss a dose", "Tablet diary", "Your study"):
        assert _flat(english) not in "".join(pages)
    diary = pages[-1]
    assert "服药日记" in diary and "日期（晚间）" in diary
    start = dispense.start_date or dispense.day1
    for n in range((dispense.last_day - start).days + 1):
        day = start + timedelta(days=n)
        assert _flat(format_date(day, Language.ZH_CN)) in diary
    assert _flat(f"第 1 页，共 {len(pages)} 页") in first
    assert_fonts_embedded(leaflet)


def _particulars(study: Study, dispense: DispenseResult) -> dict[str, str]:
    zh = study.text("zh_CN")
    kit = dispense.kits[0]
    return {
        "substance and strength": zh.products[kit.product],
        "units": "数量：",
        "lot and expiry": expiry_text(kit.expiry, Language.ZH_CN),
        "dose": "剂量：" + zh.dose_levels[dispense.dose_level],
        "directions": chinese_directions(study, dispense),
        "participant": dispense.participant,
        "cycle": f"第{dispense.cycle}周期",
        "protocol": study.protocol,
        "caution": zh.caution,
        "storage": zh.storage,
        "keep out of reach": zh.keep_out_of_reach,
        "contact": zh.contact_address,
        "telephone": study.contact_phone,
        "pharmacy": zh.pharmacy_name,  # the site's Chinese name of its pharmacy
        "reprint mark": "补打",
        "dose changed": "剂量已变更",
    }


@pytest.mark.parametrize("stock", ["thermal-4x2", "a4-sheet", "letter-sheet", "a4-sheet-6"])
def test_every_chinese_particular_prints_at_a_legible_size(sample: SampleStudy, stock: str) -> None:
    """Measured in the PDF: every particular at LEGIBLE or more (7 pt, x-height 1.4 mm in the
    CJK font too), the product's name the largest text; the barcode decodes."""
    study, dispense = sample.ctx.study, _dispense(sample)
    previous = next(d.level for d in study.dose_levels if d.level != dispense.dose_level)
    pdf = dispensing_label(
        study, dispense, get_stock(stock), reprint=True, previous_dose=previous, languages=ZH
    )
    assert decode_barcodes(pdf)[0][0][0] == dispense.number
    runs = [(_flat(text), size) for text, size in text_sizes(pdf)]
    particulars = _particulars(study, dispense)
    for name, text in particulars.items():
        assert smallest_size(runs, _flat(text)) >= LEGIBLE, (stock, name)
    assert min(size for _text, size in runs) >= LEGIBLE
    product = _flat(particulars["substance and strength"])
    largest = smallest_size(runs, product)
    assert all(size < largest for text, size in runs if text not in product), stock

    kit_pdf = kit_labels(study, [_kit(sample)], get_stock(stock), reprint=True, languages=ZH)
    assert min(size for _text, size in text_sizes(kit_pdf)) >= LEGIBLE


def test_the_legible_size_holds_in_the_chinese_font() -> None:
    """7 pt and an x-height of 1.4 mm: Micro Hei's x-height is read from its OS/2 table."""
    cjk = pdffonts.cjk_font()
    assert pdffonts.x_height(cjk) == pytest.approx(1098 / 2048)
    assert pdffonts.legible_size(cjk) == pytest.approx(7.40, abs=0.01)
    assert max(pdffonts.legible_size(pdffonts.HELVETICA), pdffonts.legible_size(cjk)) == LEGIBLE
    assert LEGIBLE * pdffonts.x_height(cjk) * 25.4 / 72 >= 1.4 - 1e-3
    assert LEGIBLE >= 7.0  # the em-box rule of the ideographs


def test_the_expiry_in_chinese_is_a_full_date_or_the_month() -> None:
    assert expiry_text(date(2027, 1, 11), Language.ZH_CN) == "有效期至 2027年1月11日"
    assert expiry_text(date(2027, 6, 30), Language.ZH_CN) == "有效期至 2027年6月"
    assert expiry_text(date(2028, 2, 29), Language.ZH_CN) == "有效期至 2028年2月"
    assert expiry_text(date(2027, 1, 11)) == "EXP 11 JAN 2027"
    assert friendly_date(date(2025, 9, 10)) == "Wed 10 Sep 2025"


# -- glyphs, not boxes -----------------------------------------------------------------------


def _ink(image: Image.Image) -> float:
    """The share of dark pixels."""
    histogram = image.histogram()
    return sum(histogram[:128]) / max(1, image.width * image.height)


def _glyph(image: Image.Image, box: tuple[int, ...]) -> Image.Image:
    return image.crop(box).resize((24, 24))


def _differ(one: Image.Image, other: Image.Image) -> float:
    """The share of pixels that differ clearly."""
    difference = ImageChops.difference(one, other).histogram()
    return sum(difference[64:]) / (one.width * one.height)


def test_the_chinese_glyphs_are_drawn_not_empty_boxes(confirmed: SampleStudy) -> None:
    """Rendered to pixels, each Chinese character of the directions has its own shape (an
    empty box or a missing glyph looks the same for every character), and the shapes come from
    the font in the PDF: with it taken out, they are gone."""
    study, dispense = confirmed.ctx.study, _dispense(confirmed)
    for pdf in (
        _draw(confirmed, "dispense", Values(dispense=dispense.number)),
        _draw(confirmed, "leaflet", Values(dispense=dispense.number)),
    ):
        drawn = render_page(pdf)
        bare = render_page(without_embedded_fonts(pdf))
        assert drawn.size == bare.size
        wanted = [ch for ch in dict.fromkeys(chinese_directions(study, dispense)) if ch > "\u4e00"]
        boxes = {}
        for char, box in char_boxes(pdf):
            if char in wanted and char not in boxes:
                boxes[char] = box
        assert len(boxes) >= 10, boxes.keys()
        glyphs = {char: _glyph(drawn, box) for char, box in boxes.items()}
        for char, glyph in glyphs.items():
            assert 0.08 < _ink(glyph) < 0.9, char  # ink, and not a filled block
        for (a, one), (b, other) in itertools.combinations(glyphs.items(), 2):
            assert _differ(one, other) > 0.05, (a, b)  # every character its own shape
        for char, box in boxes.items():
            assert _differ(glyphs[char], _glyph(bare, box)) > 0.08, char  # from the PDF's font


# -- refusals --------------------------------------------------------------------------------


def _with_chinese(study: Study, **texts: str) -> Study:
    zh = dataclasses.replace(study.text("zh_CN"), **texts)
    return dataclasses.replace(study, texts={**study.texts, "zh_CN": zh})


def test_a_character_the_fonts_lack_is_refused_naming_the_field(sample: SampleStudy) -> None:
    study, dispense = sample.ctx.study, _dispense(sample)
    emoji = _with_chinese(study, directions=study.text("zh_CN").directions + "😀")
    with pytest.raises(UnprintableText) as info:
        dispensing_label(emoji, dispense, get_stock("thermal-4x2"), languages=ZH)
    message = info.value.message
    assert "[label.text.zh_CN] directions" in message and "'😀' (U+1F600)" in message
    with pytest.raises(UnprintableText, match=r"\[label\.text\.zh_CN\] directions"):
        participant_leaflet(emoji, dispense, languages=ZH)
    rare = _with_chinese(study, storage="𠀀" + study.text("zh_CN").storage)  # CJK extension B
    with pytest.raises(UnprintableText, match=r"storage.*U\+20000"):
        kit_labels(rare, [_kit(sample)], get_stock("thermal-4x2"), languages=ZH)
    assert pdffonts.missing_glyphs("每日一次，晚间空腹口服 7.5 mg") == ""


def test_bilingual_labels_fit_the_large_sheet_and_are_refused_on_a_small_stock(
    sample: SampleStudy,
) -> None:
    """Every particular in both languages, Chinese first: too much for 99.1 x 57 mm or 4 x 2
    inch at a legible size (refused, naming the stock that takes it), whole on a4-sheet-6."""
    study = dataclasses.replace(sample.ctx.study, label_bilingual=True)
    assert study.print_languages == ("zh_CN", "en")
    dispense = _dispense(sample)
    for small in ("thermal-4x2", "a4-sheet", "letter-sheet"):
        with pytest.raises(LabelDoesNotFit) as info:
            dispensing_label(study, dispense, get_stock(small), languages=study.print_languages)
        message = info.value.message
        assert f"{small} stock" in message and f"does not fit even at {LEGIBLE:g} pt" in message
        assert "larger stock: it fits on a4-sheet-6 (99.1 x 93.1 mm)" in message
    previous = next(d.level for d in study.dose_levels if d.level != dispense.dose_level)
    pdf = dispensing_label(
        study,
        dispense,
        get_stock("a4-sheet-6"),
        reprint=True,
        previous_dose=previous,
        languages=study.print_languages,
    )
    assert decode_barcodes(pdf)[0][0][0] == dispense.number
    text = _flat(pdf_text(pdf))
    assert _flat(chinese_directions(study, dispense)) in text
    assert _flat(printed_directions(dispense)) in text
    assert text.index(_flat(chinese_directions(study, dispense))) < text.index(
        _flat(printed_directions(dispense))
    )
    assert "补打·REPRINT" in text
    assert min(size for _text, size in text_sizes(pdf)) >= LEGIBLE
    assert_fonts_embedded(pdf)
    kit_pdf = kit_labels(study, [_kit(sample)], get_stock("a4-sheet-6"), languages=("zh_CN", "en"))
    assert study.temperature.storage in pdf_text(kit_pdf)
    leaflet = _flat(pdf_text(participant_leaflet(study, dispense, languages=("zh_CN", "en"))))
    assert _flat(chinese_directions(study, dispense)) in leaflet
    assert _flat(printed_directions(dispense)) in leaflet


# -- line breaking ---------------------------------------------------------------------------


def test_chinese_breaks_between_characters_never_before_closing_punctuation() -> None:
    font = pdffonts.cjk_font()
    text = (
        "每日一次，晚间空腹口服1片（随水吞服），自2026年3月10日晚间开始，连服21天。"
        "如漏服一次，请跳过该次；在平常时间服用下一次：切勿一次服用两倍剂量「重要」。"
        "海曲泊帕乙醇胺片 herombopag 7.5 mg。"
    )
    for width in range(63, 260, 3):  # the widest piece kept whole, the date, is 62 pt
        lines = wrap(text, font, 9, width)
        assert lines is not None
        assert _flat("".join(lines)) == _flat(text)
        for line in lines:
            assert pdffonts.string_width(line, font, 9) <= width + 1e-6
        for before, after in itertools.pairwise(lines):
            assert after[0] not in NO_LINE_START, (width, before, after)
            assert before[-1] not in NO_LINE_END, (width, before, after)
        assert all("herombopag" in line for line in lines if "herom" in line)  # a word whole
        assert all("7.5\u00a0mg" in line for line in lines if "7.5" in line)  # with its unit
    many = wrap(text, font, 9, 120)
    assert many is not None and len(many) > 5  # Chinese breaks without spaces
    kept = keep_together("有效期至 2027年1月11日")
    assert wrap(f"数量：21片，口服。药盒 K0001；批号 L2401，{kept}", font, 9, 110) == [
        "数量：21片，口服。药盒",
        "K0001；批号 L2401，",
        "有效期至\u00a02027年1月11日",
    ]


# -- the label's own words ---------------------------------------------------------------------


def test_every_word_of_the_labels_has_its_chinese() -> None:
    """Each message the labels and the leaflet print (wording, leaflet) is translated in
    resources/i18n/zh_CN.po: none prints in English on a Chinese label."""
    translated = catalogue(Language.ZH_CN)
    messages = {
        message
        for path in sorted((SRC / "labels").glob("*.py"))
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"_": None, "N_": None}
        )
    }
    assert len(messages) > 30
    missing = sorted(m for m in messages if m not in translated)
    assert not missing, missing
