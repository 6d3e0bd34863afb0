"""The reconciliation's tables (and the monitor pack's, which has them) named the products of
its lots, participants, kits and shelf counts by their code (herombopag-7.5mg) where the study
file names them in the reader's language ("海曲泊帕乙醇胺片 7.5 mg"): only the table by product
shows the code, beside the name."""

from __future__ import annotations

from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language, _, speaking
from dispensary.reports import catalogue as reports
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

ZH, EN = Language.ZH_CN, Language.EN


@pytest.mark.parametrize("key", ["reconciliation", "monitor"])
@pytest.mark.parametrize("language", [EN, ZH])
def test_the_tables_name_the_products(sample: SampleStudy, key: str, language: Language) -> None:
    values = Values(since=date(2025, 1, 1)) if key == "monitor" else Values()
    document = reports.make_report(
        reports.report(key), sample.ctx, sample.monitor, values, language=language
    )
    said = " ".join(pdf_pages_text(document.data))
    study = sample.ctx.study
    codes = [p.code for p in study.products]
    with speaking(language):
        by_lot, signoffs = _("By lot"), _("Sign-offs recorded in the program")
        names = [study.product_name(code) for code in codes]
    start = said.index(by_lot)
    after = said[start : said.index(signoffs, start)]  # the DARFs' headers name the code
    assert not [c for c in codes if c in after], "a product named by its code"
    for name in names:
        assert name in after
