"""The study's own names on a Chinese report: a product, a dose, the sponsor, the pharmacy, a
store, the manufacturer and the dose form are printed as the study file names them in Chinese
([label.text.zh_CN]), never left in English beside the Chinese words; what a person typed (a
return's condition, a reason) stays as typed. The English reports are unchanged."""

from __future__ import annotations

from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language
from dispensary.reports import catalogue as reports
from dispensary.services.documents import Values

from .pdfread import pdf_text

ZH, EN = Language.ZH_CN, Language.EN
PERIOD = Values(since=date(2025, 1, 1))
PRODUCT_EN = "herombopag (hetrombopag olamine)"


def made(sample: SampleStudy, key: str, values: Values, language: Language = ZH) -> str:
    document = reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, values, language=language
    )
    return pdf_text(document.data)


@pytest.fixture(scope="module")
def darf(sample: SampleStudy) -> dict[Language, str]:
    return {language: made(sample, "darf", PERIOD, language) for language in (ZH, EN)}


def test_the_darf_names_the_manufacturer_and_dose_form_in_chinese(
    darf: dict[Language, str],
) -> None:
    text = darf[ZH]
    assert "江苏恒瑞医药股份有限公司" in text
    assert "7.5 mg 片剂（口服）" in text and "2.5 mg 片剂（口服）" in text
    for english in ("Jiangsu Hengrui", "tablet (oral)", "(oral)", PRODUCT_EN):
        assert english not in text, english
    english = darf[EN]
    assert "Jiangsu Hengrui Pharmaceuticals Co., Ltd." in english
    assert "7.5 mg tablet (oral)" in english and "江苏" not in english
