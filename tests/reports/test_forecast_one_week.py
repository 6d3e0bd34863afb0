"""A forecast of one week (--weeks 1, the least allowed) says "1 week" and "the next week",
not "1 weeks" and "the next 1 weeks", on its page, in its CSV and in what was written."""

from __future__ import annotations

from sample_study import SampleStudy

from dispensary.i18n import Language
from dispensary.reports import catalogue
from dispensary.services.documents import Values

from .pdfread import pdf_pages_text


def test_a_one_week_forecast_says_week_in_the_singular(sample: SampleStudy) -> None:
    report = catalogue.report("forecast")
    made = {
        fmt: catalogue.make_report(
            report, sample.ctx, sample.monitor, Values(weeks=1), fmt, Language.EN
        )
        for fmt in ("pdf", "csv")
    }
    text = " ".join(" ".join(pdf_pages_text(made["pdf"].data)).split())
    title = made["csv"].data.decode("utf-8-sig").splitlines()[0]
    for said in (text, title, made["pdf"].says):
        assert "1 weeks" not in said, said
    assert "1 week, to" in text, text
    assert "1 week;" in title and "1 week;" in made["pdf"].says, (title, made["pdf"].says)
    twelve = catalogue.make_report(
        report, sample.ctx, sample.monitor, Values(weeks=12), "csv", Language.EN
    )
    assert "12 weeks;" in twelve.data.decode("utf-8-sig").splitlines()[0]
