"""The Today screen's supply forecast: the chart shows, week by week, the kits the forecast
service says are needed and on hand, and marks its first short week."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from counter_fixtures import Counter
from PySide6.QtCharts import QBarCategoryAxis
from pytestqt.qtbot import QtBot
from window_helpers import main_window, today_screen

from dispensary.services import dispensing, participants
from dispensary.services import forecast as forecast_service
from dispensary.ui.dashboard import ForecastSection
from dispensary.ui.main_window import MainWindow
from dispensary.ui.screens import OPENS, screen_classes

P75 = "herombopag-7.5mg"


def test_the_today_screen_charts_the_forecast(qtbot: QtBot, counter: Counter) -> None:
    # Four on treatment from 5 January, 9 kits of 7.5 mg left after 01-001's cycle 1 (3 of
    # lot L2399 lasting only cycles from up to 4 March): the shelf falls short within 12 weeks.
    pharm = counter.actor("pharm")
    dispensing.dispense_cycle(counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1")
    participants.enroll(
        counter.ctx,
        pharm,
        "01-003",
        "EF",
        1972,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
    )
    participants.enroll(
        counter.ctx,
        pharm,
        "01-004",
        "GH",
        1980,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
    )
    window = main_window(qtbot, counter.session("pharm"), (1366, 900))
    dashboard = today_screen(window)
    section = dashboard.forecast
    qtbot.waitUntil(lambda: not dashboard.checking and section.result is not None)

    expected = forecast_service.forecast(counter.ctx, pharm)
    chosen = section.product.currentData()
    rows = expected.forecast.product_rows(chosen)
    chart = section.chart
    assert chart.values["needed"] == [r.kits_needed for r in rows]
    assert chart.values["on_hand"] == [r.kits_on_hand for r in rows]
    assert chart.values["usable"] == [r.kits_usable for r in rows]
    assert chart.values["short"] == [r.kits_short for r in rows]
    assert chart.short_week == next((r.week for r in rows if r.short), None)
    assert chart.chart().title() == "Kits needed, on hand and usable, week by week"
    assert [s.label() for s in chart.chart().series()[0].barSets()] == [
        "Kits needed",
        "Kits on hand",
        "Kits usable",
        "Kits short",
    ]
    assert chart.toolTip().startswith("Kits usable: of the kits on hand at the week's start")
    # The rule of rules.least_usable_tablets: not "the whole kits left" only.
    assert "whole kits" not in chart.toolTip()
    assert (
        "a full kit always, a part-used kit when it holds at least what a coming cycle needs "
        "beyond its full kits." in chart.toolTip()
    )
    assert len(chart.values["needed"]) == expected.forecast.weeks
    first = expected.forecast.first_short
    assert first is not None and chosen == first.product == P75
    assert chart.short_week == first.week
    assert f"Stock falls short in week {first.week}" in section.summary.text()
    [marker] = [s for s in chart.chart().series() if s.name().startswith("First short week")]
    assert marker.name() == f"First short week: {first.week}"

    # Another product: its own figures.
    other = next(i for i in range(section.product.count()) if section.product.itemData(i) != chosen)
    section.product.setCurrentIndex(other)
    code = section.product.itemData(other)
    assert chart.values["on_hand"] == [r.kits_on_hand for r in expected.forecast.product_rows(code)]
    section.product.setCurrentIndex(section.product.findData(chosen))

    shot = os.environ.get("DISPENSARY_FORECAST_SHOT")
    if shot:  # docs/images/forecast-chart.png is made this way
        qtbot.wait(50)
        section.grab().save(str(Path(shot)))


def test_the_forecast_reads_in_chinese(qtbot: QtBot, counter: Counter, chinese: None) -> None:
    """The sentence's dates as the Chinese windows write them, no space after 。, and each
    week's date under its number on the chart (it was cut to '第1周 07…')."""
    pharm = counter.actor("pharm")
    dispensing.dispense_cycle(counter.ctx, pharm, "01-001", 1, date(2026, 1, 5), "pharmpass1")
    participants.enroll(
        counter.ctx,
        pharm,
        "01-003",
        "EF",
        1972,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
    )
    participants.enroll(
        counter.ctx,
        pharm,
        "01-004",
        "GH",
        1980,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
    )
    result = forecast_service.forecast(counter.ctx, pharm)
    section = ForecastSection("供药预测")
    qtbot.addWidget(section)
    section.show_result(result, {p: p for p in result.forecast.products})
    text = section.summary.text()
    first = result.forecast.first_short
    assert first is not None
    day = first.start
    assert f"自{day.isoformat()}起" in text, text
    assert "。 " not in text
    tip = section.chart.toolTip()
    assert "整盒药盒总是可用；已部分使用的药盒，所含数量不少于" in tip and "片" not in tip, tip
    axis = next(a for a in section.chart.chart().axes() if isinstance(a, QBarCategoryAxis))
    assert axis.categories()[0] == "第1周<br>" + result.forecast.product_rows(P75)[
        0
    ].start.strftime("%m-%d")


def test_an_empty_study_is_said_empty_not_covered(qtbot: QtBot, tmp_path: Path) -> None:
    """Right after the set-up, no kit received and nobody enrolled: the stock card said the
    stock "covers the next cycle of everyone on treatment", the forecast that it "covers every
    cycle of the next 12 weeks", over an empty chart (its axis title cut to "⋮" in Chinese).
    They say what the services assess: nothing received, nothing to forecast."""
    from counter_fixtures import NAMES, OPENING_DAY, PASSWORDS

    from dispensary.services import setup, users
    from dispensary.services.context import FixedClock
    from dispensary.study import default_study_path, load_study

    clock = FixedClock()
    clock.set_date(OPENING_DAY)
    path = tmp_path / "new.sqlite3"
    ctx = setup.init_database(
        str(path),
        load_study(default_study_path()),
        "admin",
        NAMES["admin"],
        "AA",
        PASSWORDS["admin"],
        clock,
    )
    admin = users.sign_in(ctx, "admin", PASSWORDS["admin"])
    users.add_user(
        ctx,
        admin,
        "pharm",
        "pharmacist",
        NAMES["pharm"],
        "PP",
        PASSWORDS["pharm"],
        temporary_password=False,
    )
    empty = Counter(ctx, clock, path)
    window = main_window(qtbot, empty.session("pharm"))
    dashboard = today_screen(window)
    section = dashboard.forecast
    qtbot.waitUntil(lambda: not dashboard.checking and section.result is not None)
    assert dashboard.stock.summary.text() == (
        "No kit has been received in this study yet, and nobody is on treatment."
    )
    assert section.summary.text() == (
        "No kit on hand and no cycle to supply in the next 12 weeks: nothing to forecast yet."
    )
    assert not section.chart.isVisible() and not section.product.isVisible()
    ctx.engine.dispose()


def test_the_forecast_charts_axis_reaches_ten_kits_at_least(qtbot: QtBot) -> None:
    """With ticks of one digit (a chart of a few kits) the axis left its title no room: in
    Chinese it read "⋮"."""
    from PySide6.QtCharts import QValueAxis

    section = ForecastSection("Supply forecast")
    qtbot.addWidget(section)
    chart = section.chart
    [axis] = [a for a in chart.chart().axes() if isinstance(a, QValueAxis)]
    assert axis.max() >= 10


def test_a_forecast_read_before_a_switch_of_study_is_not_shown(
    qtbot: QtBot, counter: Counter
) -> None:
    """The worker's forecast of the study worked in before arrived after a switch to a study
    of other products: the card looked its products up in the new study (KeyError)."""
    from dataclasses import replace

    pharm = counter.actor("pharm")
    participants.enroll(
        counter.ctx,
        pharm,
        "01-003",
        "EF",
        1972,
        "F",
        "Dr Liu",
        criteria_confirmed=participants.eligibility_checklist(counter.ctx.study),
    )
    window = MainWindow(
        counter.session("pharm"), screen_classes(), {k.value: c for k, c in OPENS.items()}
    )
    qtbot.addWidget(window)
    window.show()
    dashboard = today_screen(window)
    qtbot.waitUntil(lambda: not dashboard.checking and dashboard.forecast.result is not None)
    shown = dashboard.forecast.result
    read = forecast_service.forecast(counter.ctx, pharm)
    other = replace(
        read,
        protocol="DEMO-2DRUG",
        forecast=replace(
            read.forecast,
            rows=tuple(replace(r, product="demotinib-25mg") for r in read.forecast.rows),
        ),
    )
    dashboard._show_forecast(other)  # as the old worker's signal delivers it
    assert dashboard.forecast.result is shown
