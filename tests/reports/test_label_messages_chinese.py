"""What a reader is told about a label, in their language: the calibration page (its words and
the command's sentence), the paper a leaflet was written on, and the refusal of a label that
does not fit its stock, which says what to do and names the stocks that take it. The study
file's keys, the stocks' names and the numbers stay as they are; English is unchanged."""

from __future__ import annotations

from datetime import date

import pytest

from dispensary.domain.documents import PAPERS, Values
from dispensary.i18n import Language, speaking
from dispensary.labels import NO_CALIBRATION, LabelDoesNotFit, get_stock
from dispensary.labels import catalogue as label_catalogue
from dispensary.labels.calibration import calibration_page
from dispensary.labels.dispensing import check_dispensing_stock, dispensing_layout, sample_dispense
from dispensary.labels.kit import kit_layout
from dispensary.services.report_data import KitLabelRow
from dispensary.study import bundled_studies, load_study

from .pdfread import pdf_text

ZH, EN = Language.ZH_CN, Language.EN
ENGLISH_WORDS = ("does not fit", "longest", "characters", "Print it", "shorten", "fits on")


def _calibration_text(language: Language) -> str:
    with speaking(language):
        return pdf_text(calibration_page(get_stock("thermal-4x2"), NO_CALIBRATION))


def test_the_calibration_page_is_in_the_readers_language() -> None:
    text = _calibration_text(ZH)
    assert "校准：thermal-4x2（101.6 x 50.8 mm），第 1 个标签位" in text
    assert "已保存的校准：偏移 x +0.0 毫米" in text and "四角标记应正好落在标签的四个角上" in text
    for english in ("Calibration", "Saved", "corner marks", "position", "measured length"):
        assert english not in text, english
    english = _calibration_text(EN)
    assert "Calibration: thermal-4x2 (101.6 x 50.8 mm), position 1" in english
    assert "Saved: offset x +0.0 mm" in english and "The corner marks should touch" in english


def test_the_calibration_pages_sentence_names_the_stock_in_the_readers_language() -> None:
    entry, stock = label_catalogue.label("calibration"), get_stock("thermal-4x2")
    with speaking(ZH):
        says = label_catalogue.calibration_sheet(entry, stock, NO_CALIBRATION).says
    assert says == "标签纸 thermal-4x2（热敏卷纸，4 x 2 英寸标签）的校准页"
    with speaking(EN):
        says = label_catalogue.calibration_sheet(entry, stock, NO_CALIBRATION).says
    assert says == "the calibration page of thermal-4x2 (thermal roll, 4 x 2 inch labels)"


def test_a_leaflets_paper_is_said_in_the_readers_language_and_recorded_as_before() -> None:
    leaflet = label_catalogue.label("leaflet")
    recorded = {
        paper: label_catalogue.medium(leaflet, Values(paper=paper), None) for paper in PAPERS
    }
    assert recorded == {"a4": "A4 paper", "letter": "US Letter paper"}  # the audit trail's
    with speaking(ZH):
        assert label_catalogue.medium_shown("A4 paper") == "A4 纸"
        assert label_catalogue.medium_shown("US Letter paper") == "美国信纸"
        assert label_catalogue.medium_shown("thermal-4x2") == "thermal-4x2"
    with speaking(EN):
        assert label_catalogue.medium_shown("A4 paper") == "A4 paper"


TWO_DRUGS = load_study(bundled_studies() / "DEMO-2DRUG.toml")


@pytest.mark.parametrize("printed_in", ["en", "zh_CN"])
def test_a_label_too_large_for_its_stock_is_refused_in_the_readers_language(
    printed_in: str,
) -> None:
    """The two-drug study's dispensing label does not fit the 4 x 2 inch roll, whichever
    language the label prints in: a Chinese reader is told so in Chinese, with the texts to
    shorten (their study-file keys as written) and the stocks that take the label."""
    roll, dispense = get_stock("thermal-4x2"), sample_dispense(TWO_DRUGS)
    with speaking(ZH), pytest.raises(LabelDoesNotFit) as info:
        dispensing_layout(TWO_DRUGS, dispense, roll, False, None, (printed_in,))
    message = info.value.message
    assert message.startswith(
        "thermal-4x2 标签纸（101.6 x 50.8 mm）上的发放标签 DSP000123：即使缩小到 7.59 pt 也放不下；"
    )
    assert "最长的文字是剂量和用法（" in message and "个字符）" in message
    assert "请改用更大的标签纸打印：能完整印下此标签的有 a4-sheet（99.1 x 57.0 mm）" in message
    assert message.endswith("；或缩短上面列出的研究文件文字。")
    for english in ENGLISH_WORDS:
        assert english not in message, english
    with speaking(EN), pytest.raises(LabelDoesNotFit) as info:
        dispensing_layout(TWO_DRUGS, dispense, roll, False, None, (printed_in,))
    english = info.value.message
    assert english.startswith(
        "The dispensing label of DSP000123 on thermal-4x2 stock (101.6 x 50.8 mm) does not fit "
        "even at 7.59 pt; the longest texts are the dose and directions ("
    )
    assert "Print it on a larger stock: it fits on a4-sheet (99.1 x 57.0 mm)" in english


def test_a_kit_label_too_large_for_its_stock_is_refused_in_the_readers_language() -> None:
    kit = KitLabelRow(
        "C3010", TWO_DRUGS.products[0].code, "L1", date(2030, 1, 31), 30, "S", date(2026, 1, 1)
    )
    small = get_stock("thermal-89x36")
    with speaking(ZH), pytest.raises(LabelDoesNotFit) as info:
        kit_layout(TWO_DRUGS, kit, small, False)
    message = info.value.message
    assert message.startswith("thermal-89x36 标签纸（89.0 x 36.0 mm）上的药盒标签 C3010：")
    assert "请选择更大的标签纸：能完整印下此标签的有 thermal-4x2（101.6 x 50.8 mm）" in message
    for english in ENGLISH_WORDS:
        assert english not in message, english


def test_a_dispensing_label_on_a_kit_label_stock_is_refused_in_the_readers_language() -> None:
    with speaking(ZH), pytest.raises(LabelDoesNotFit) as info:
        check_dispensing_stock(get_stock("thermal-89x36"))
    message = info.value.message
    assert message.startswith("发放标签不能印在 thermal-89x36 标签纸（89.0 x 36.0 mm）上")
    assert "thermal-89x36 只用于药盒标签。" in message and "particulars" not in message
