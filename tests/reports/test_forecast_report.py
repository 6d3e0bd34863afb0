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
        name = result.product_names[kit.product]
        assert f"{kit.number} {name} {kit.lot} {kit.expiry.isoformat()}" in text
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
        "kits_usable",
    ]  # fmt: skip
    weeks = [r for r in rows if r["record"] == "week"]
    assert len(weeks) == 6 * len(sample.ctx.study.products)
    assert [int(r["kits_needed"]) for r in weeks] == [r.kits_needed for r in result.forecast.rows]
    assert [int(r["kits_usable"]) for r in weeks] == [r.kits_usable for r in result.forecast.rows]
    orders = [r for r in rows if r["record"] == "resupply"]
    assert [(r["product"], int(r["kits_needed"])) for r in orders] == [
        (o.product, o.kits) for o in result.forecast.resupply
    ]


def test_the_catalogue_makes_the_forecast_over_the_weeks_given(sample: SampleStudy) -> None:
    """The report catalogue's forecast asks the horizon (Param.WEEKS): 12 weeks unless given."""
    entry = report_catalogue.report("forecast")
    assert [f.param for f in entry.fields] == [Param.WEEKS, Param.PAPER]
    assert Values().weeks == forecast.DEFAULT_WEEKS == 12
    made = report_catalogue.make_report(entry, sample.ctx, sample.monitor, Values(weeks=26), "csv")
    assert made.says.startswith("supply forecast (26 weeks;")
    rows = read_rows(made.data.decode("utf-8-sig"))
    assert max(int(r["week"]) for r in rows if r["record"] == "week") == 26
    default = report_catalogue.make_report(entry, sample.ctx, sample.monitor, Values(), "pdf")
    assert default.says.startswith("supply forecast (12 weeks;")
    with pytest.raises(InvalidInput, match="Forecast 1 to 156 weeks ahead, not 200"):
        report_catalogue.make_report(entry, sample.ctx, sample.monitor, Values(weeks=200))


def test_a_short_week_says_how_many_of_the_kits_on_hand_are_usable(sample: SampleStudy) -> None:
    """The sample's 2.5 mg kits of lot L2451 expire 2026-05-28: on the shelf in week 10 (from
    05-16) but too short-dated for any cycle starting that week (the counter's cover: last day
    of supply plus the margin). The week read "on hand 13, short 1"; it now says none of the 13
    is usable, in the PDF (English and Chinese) and the CSV."""
    result = forecast.forecast(sample.ctx, sample.monitor, weeks=12)
    [row] = [r for r in result.forecast.product_rows("herombopag-2.5mg") if r.week == 10]
    assert (row.kits_needed, row.kits_on_hand, row.kits_usable, row.kits_short) == (1, 13, 0, 1)
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    text = pdf_text(forecast_pdf(meta, sample.ctx.study, result))
    assert "Kits needed Kits on hand Kits usable Kits short" in text
    name = result.product_names["herombopag-2.5mg"]
    assert f"10 2026-05-16 {name} 1 42 1 13 0 1" in text
    assert (
        "Kits usable: of the kits on hand at the week's start, those the week's cycles can be "
        "given: the kits they take and, in a week that is not short, the kits left that the "
        "counter would hand out for a cycle starting on any day of the week (lasting until its "
        "last day of supply plus 7 days)"
    ) in text
    # The rule as rules.least_usable_tablets has it: a part-used kit that holds enough is
    # usable on its own terms (it read "it serves a cycle only with another kit").
    assert (
        "A full kit is always usable; a part-used kit is usable when it holds at least what a "
        "coming cycle needs beyond its full kits"
    ) in text
    assert "a part-used kit holding less that no cycle takes" in text
    assert "only with another kit" not in text
    assert "Kits short: the new kits to order, kits needed less kits usable." in text
    with speaking(Language.ZH_CN):
        chinese = pdf_text(forecast_pdf(meta, sample.ctx.study, result))
    assert "现有药盒 可用药盒 短缺药盒" in chinese and "可用药盒：每周开始时的现有药盒中" in chinese
    assert "短缺药盒：需订购的新药盒，即所需药盒减去可用药盒。" in chinese.replace(" ", "")
    assert "整盒药盒总是可用；已部分使用的药盒，片数不少于" in chinese.replace(" ", "")
    assert "须与另一药盒合用" not in chinese.replace(" ", "")
    rows = read_rows(forecast_csv(meta, result))
    [line] = [
        r
        for r in rows
        if r["record"] == "week" and r["week"] == "10" and r["product"] == "herombopag-2.5mg"
    ]
    assert (line["kits_on_hand"], line["kits_usable"], line["kits_short"]) == ("13", "0", "1")


@pytest.mark.parametrize("language", [Language.EN, Language.ZH_CN])
def test_every_table_names_the_product_as_the_rest_of_the_report(
    sample: SampleStudy, language: Language
) -> None:
    """The "Week by week" and "Kits that will expire unused" tables' Product column printed the
    product's code ("herombopag-7.5mg") where the summary and the re-supply table name it (in
    Chinese: 海曲泊帕乙醇胺片 7.5 mg)."""
    from dispensary.reports.words import product_name

    result = forecast.forecast(sample.ctx, sample.monitor, weeks=12)
    assert result.forecast.unused  # the table is there to read
    meta = report_data.report_meta(sample.ctx, sample.monitor)
    study = sample.ctx.study
    with speaking(language):
        text = pdf_text(forecast_pdf(meta, study, result))
        names = {
            code: product_name(study, code, result.product_names[code])
            for code in result.product_names
        }
    assert "herombopag-" not in text
    if language is Language.ZH_CN:
        assert names["herombopag-7.5mg"] == "海曲泊帕乙醇胺片 7.5 mg"
    shown = [r for r in result.forecast.rows if r.cycles or r.kits_on_hand]
    if language is Language.EN:
        for row in shown:
            assert f"{row.week} {row.start.isoformat()} {names[row.product]} {row.cycles} " in text
        for kit in result.forecast.unused:
            assert f"{kit.number} {names[kit.product]} {kit.lot} {kit.expiry.isoformat()}" in text
    else:  # the Chinese runs are read apart from the table's other cells: counted
        text = text.replace(" ", "")
        for code, name in names.items():
            rows = sum(1 for r in shown if r.product == code)
            kits = sum(1 for k in result.forecast.unused if k.product == code)
            assert text.count(name.replace(" ", "")) >= rows + kits, name
