"""The study's own names on a Chinese report: a product, a dose, the sponsor, the pharmacy, a
store, the manufacturer and the dose form are printed as the study file names them in Chinese
([label.text.zh_CN]), never left in English beside the Chinese words; what a person typed (a
return's condition, a reason) stays as typed. The English reports are unchanged."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language
from dispensary.reports import catalogue as reports
from dispensary.services import forecast
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


def test_the_reconciliation_names_each_product_in_chinese(sample: SampleStudy) -> None:
    text = made(sample, "reconciliation", Values())
    assert "海曲泊帕乙醇胺片 7.5 mg" in text and "海曲泊帕乙醇胺片 2.5 mg" in text
    assert PRODUCT_EN not in text and "mg tablet" not in text
    assert "herombopag-7.5mg" in text  # the product's code, a code in every language
    assert f"{PRODUCT_EN} 7.5 mg tablet" in made(sample, "reconciliation", Values(), EN)


def test_the_supply_forecast_names_the_product_in_chinese(sample: SampleStudy) -> None:
    """The sentence of the first short week and the suggested re-supply name the product."""
    result = forecast.forecast(sample.ctx, sample.monitor, weeks=12)
    assert result.forecast.first_short is not None and result.forecast.resupply
    text = made(sample, "forecast", Values())
    assert "短缺（海曲泊帕乙醇胺片" in text
    assert text.count("海曲泊帕乙醇胺片") >= 1 + len(result.forecast.resupply)
    assert PRODUCT_EN not in text and "mg tablet" not in text
    assert f"({PRODUCT_EN} " in made(sample, "forecast", Values(), EN)


def test_the_destruction_certificate_names_products_sponsor_and_pharmacy_in_chinese(
    sample: SampleStudy,
) -> None:
    text = made(sample, "certificate", Values(destruction="1"))
    assert "海曲泊帕乙醇胺片 7.5 mg" in text
    assert "刘真真（申办者-研究者）" in text and "临床试验药房" in text and "刘真真 医生" in text
    for english in (PRODUCT_EN, "Zhenzhen Liu", "sponsor-investigator", "Clinical Trial Pharmacy"):
        assert english not in text, english
    english = made(sample, "certificate", Values(destruction="1"), EN)
    assert f"{PRODUCT_EN} 7.5 mg" in english
    assert "Zhenzhen Liu (sponsor-investigator)" in english and "Clinical Trial Pharmacy" in english


def test_the_participant_report_says_doses_sex_and_the_investigator_in_chinese(
    sample: SampleStudy,
) -> None:
    """01-003 is on the reduced dose from cycle 4; the investigator who confirmed eligibility is
    recorded under the study file's English name. The return's condition ("bottle intact") is
    typed at the counter: it stays as typed."""
    text = made(sample, "participant", Values(participant="01-003"))
    joined = text.replace(" ", "")  # the dose's cell wraps
    assert "7.5mg，每日一次" in joined and "5mg，每日一次（减量）" in joined
    assert " / 女" in text and "刘真真 医生" in text
    for english in ("once daily", "(reduced)", " / F", "Zhenzhen Liu"):
        assert english not in text, english
    assert "bottle intact" in text
    english = made(sample, "participant", Values(participant="01-003"), EN)
    assert "5 mg once daily (reduced)" in english and " / F " in english
    assert "Zhenzhen Liu, M.D." in english


def test_the_monitor_pack_names_the_store_reason_codes_investigator_and_products_in_chinese(
    sample: SampleStudy,
) -> None:
    """The study's store by the study file's Chinese name, as the DARF writes it (another store,
    which the file does not name, as recorded); a count's reason code by its Chinese word, the
    reason typed beside it as typed; the dose change ordered by the investigator recorded under
    the study file's English name, by the file's Chinese name; the products of the destruction
    log and the DARFs' contents in Chinese."""
    text = made(sample, "monitor", PERIOD)
    assert "试验药物库房1" in text and "IP store 1" not in text
    assert "IP store 2" in text
    # The count difference, adjusted and countersigned, is a record of the reconciliation
    # (with who verified it), not an open item.
    assert "已按原因“破损：One tablet found crushed in the bottle”调整，由 Paula Pharm 核对" in text
    assert "原因：破损，One tablet found crushed in the bottle" not in text
    assert "盘点调整（破损：One tablet found crushed in the bottle）" in text
    assert "遵刘真真医生医嘱" in re.sub(r"\s", "", text)  # wherever its line breaks
    assert "药物清点记录表：海曲泊帕乙醇胺片 7.5 mg，试验药物库房1" in text
    for english in ("breakage", "Zhenzhen Liu", PRODUCT_EN, "tablet (oral)"):
        assert english not in text, english
    english = made(sample, "monitor", PERIOD, EN)
    assert "adjusted with reason 'breakage: One tablet found crushed in the bottle'" in english
    assert (
        "Count adjustment (breakage: One tablet found crushed in the bottle), verified by PP"
        in english
    )
    assert "ordered by Zhenzhen Liu, M.D." in english and "IP store 1" in english


def test_the_destruction_log_names_the_products_in_chinese(sample: SampleStudy) -> None:
    text = made(sample, "destruction", Values())
    assert "海曲泊帕乙醇胺片 7.5 mg" in text and PRODUCT_EN not in text
    assert f"{PRODUCT_EN} 7.5 mg" in made(sample, "destruction", Values(), EN)


def test_the_inventory_names_each_product_as_the_darf_does(sample: SampleStudy) -> None:
    """The totals' sentences name the product by the study file's Chinese name, as the DARF,
    the reconciliation and the forecast do; the stores by their Chinese name."""
    text = made(sample, "inventory", Values())
    assert "海曲泊帕乙醇胺片 7.5 mg：库存药片" in text
    assert "试验药物库房1" in text and "IP store 1" not in text
    for english in (PRODUCT_EN, "mg tablet"):
        assert english not in text, english
    assert f"{PRODUCT_EN} 7.5 mg tablet: " in made(sample, "inventory", Values(), EN)


def test_the_lot_trace_names_the_product_and_stores_in_chinese(sample: SampleStudy) -> None:
    text = made(sample, "lot", Values(lot="L2401"))
    assert "药品 海曲泊帕乙醇胺片 7.5 mg" in text
    assert "试验药物库房1" in text and "IP store 1" not in text
    for english in (PRODUCT_EN, "mg tablet"):
        assert english not in text, english
    english = made(sample, "lot", Values(lot="L2401"), EN)
    assert f"Product {PRODUCT_EN} 7.5 mg tablet" in english and "IP store 1" in english


def test_the_expiry_report_names_the_store_as_the_inventory_does(sample: SampleStudy) -> None:
    """The Location column: 试验药物库房1, the study file's Chinese name of its store (the
    inventory's and the DARF's), not the English name the kits were received under."""
    text = made(sample, "expiry", Values(days=3650))
    assert "试验药物库房1" in text and "IP store 1" not in text
    assert "IP store 2" in text  # a store the study file does not name: as recorded
    assert "IP store 1" in made(sample, "expiry", Values(days=3650), EN)
