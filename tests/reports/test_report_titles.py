"""One title per report: the list of reports (the screen's, the command's) names each report as
its PDF's pages are headed, in English and in Chinese (the list said "Expiry: stock expiring
soon" for a PDF titled "Expiry report", "Inventory on hand" for "Inventory by product, lot and
kit")."""

from __future__ import annotations

from datetime import date

import pytest
from sample_study import SampleStudy

from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue as reports
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text

ZH, EN = Language.ZH_CN, Language.EN
PERIOD = Values(since=date(2025, 1, 1))

# The certificate's pages are headed by what it certifies (a destruction or a return to the
# sponsor); the monitor pack's first page by its period: both start with the title, or are
# tested elsewhere (tests/reports/test_report_names.py).
ASKED = {
    "darf": PERIOD,
    "inventory": Values(),
    "expiry": Values(),
    "participant": Values(participant="01-001"),
    "reconciliation": Values(),
    "returns": PERIOD,
    "destruction": PERIOD,
    "audit": PERIOD,
    "lot": Values(lot="L2401"),
    "forecast": Values(),
    "monitor": PERIOD,
}


@pytest.mark.parametrize("language", [EN, ZH])
@pytest.mark.parametrize("key", sorted(ASKED))
def test_a_report_is_listed_under_its_pdfs_title(
    sample: SampleStudy, key: str, language: Language
) -> None:
    entry = reports.report(key)
    document = reports.make_report(entry, sample.ctx, sample.monitor, ASKED[key], language=language)
    with speaking(language):
        listed = entry.display_title
    pages = pdf_pages_text(document.data)
    assert pages[0].startswith(listed), (listed, pages[0][:80])
    assert document.title.startswith(listed)
