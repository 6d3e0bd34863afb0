"""The supply forecast report: its figures read back from the PDF, in English and Chinese, and
its CSV's stable header."""

from __future__ import annotations

import pytest
from sample_study import SampleStudy

from dispensary.domain.errors import InvalidInput
from dispensary.i18n import Language, speaking
from dispensary.reports import catalogue as report_catalogue
from dispensary.reports import forecast_csv, forecast_pdf
from dispensary.reports.csvfile import read_rows
from dispensary.services import forecast, report_data
from dispensary.services.documents import Param, Values

from .pdfread import pdf_text


def test_the_pdf_carries_the_forecast_figures(sample: SampleStudy) -> None:
    result = forecast.forecast(sample.ctx, sample.monitor, weeks=12)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    text = pdf_text(forecast_pdf(meta, sample.ctx.study, result))
    first = result.forecast.first_short
    assert first is not None  # the sample study runs short within a quarter
    assert f"Stock falls short in week {first.week}, from {first.start.isoformat()}" in text
    assert f"Participants on treatment: {result.participants}." in text
    assert "21 days (site decision 2026-11, to confirm)" in text
    for order in result.forecast.resupply:
        assert f"{order.kits} {order.tablets} {order.first_short.isoformat()}" in text
        assert order.order_by.isoformat() in text
    for kit in result.forecast.unused:
        assert f"{kit.number} {kit.product} {kit.lot} {kit.expiry.isoformat()}" in text
    assert meta.anchor in text
    with speaking(Language.ZH_CN):
        chinese = pdf_text(forecast_pdf(meta, sample.ctx.study, result))
    assert "供药预测" in chinese and f"库存将在第{first.week}周" in chinese


def test_the_csv_has_stable_keys(sample: SampleStudy) -> None:
    result = forecast.forecast(sample.ctx, sample.monitor, weeks=6)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    rows = read_rows(forecast_csv(meta, result))
    assert list(rows[0]) == [
        "record", "week", "week_start", "product", "cycles", "tablets_needed", "kits_needed",
        "kits_on_hand", "kits_short", "kit", "lot", "expiry", "last_day1", "order_by",
    ]  # fmt: skip
    weeks = [r for r in rows if r["record"] == "week"]
    assert len(weeks) == 6 * len(sample.ctx.study.products)
    assert [int(r["kits_needed"]) for r in weeks] == [r.kits_needed for r in result.forecast.rows]
    orders = [r for r in rows if r["record"] == "resupply"]
    assert [(r["product"], int(r["kits_needed"])) for r in orders] == [
        (o.product, o.kits) for o in result.forecast.resupply
    ]


def test_the_catalogue_makes_the_forecast_over_the_weeks_given(sample: SampleStudy) -> None:
    """The report catalogue's forecast asks the horizon (Param.WEEKS): 12 weeks unless given."""
    entry = report_catalogue.report("forecast")
    assert [f.param for f in entry.fields] == [Param.WEEKS]
    assert Values().weeks == forecast.DEFAULT_WEEKS == 12
    made = report_catalogue.make_report(entry, sample.ctx, sample.monitor, Values(weeks=26), "csv")
    assert made.says.startswith("supply forecast (26 weeks;")
    rows = read_rows(made.data.decode("utf-8-sig"))
    assert max(int(r["week"]) for r in rows if r["record"] == "week") == 26
    default = report_catalogue.make_report(entry, sample.ctx, sample.monitor, Values(), "pdf")
    assert default.says.startswith("supply forecast (12 weeks;")
    with pytest.raises(InvalidInput, match="Forecast 1 to 156 weeks ahead, not 200"):
        report_catalogue.make_report(entry, sample.ctx, sample.monitor, Values(weeks=200))
