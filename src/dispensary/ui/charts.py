"""What every chart of the program shares (the Today screen's forecast, a participant's
adherence): built in one place so they look alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QPen


def bar_chart(
    title: str, sets: Sequence[tuple[str, str, str]]
) -> tuple[QChart, dict[str, QBarSet]]:
    """A chart with its title, slim margins and the legend below, and one bar set per (key,
    label, colour), in that order."""
    chart = QChart()
    chart.setTitle(title)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    made: dict[str, QBarSet] = {}
    for key, label, colour in sets:
        made[key] = QBarSet(label)
        made[key].setColor(QColor(colour))
    return chart, made


ROUND_STEPS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
"""The intervals a value axis may step by: numbers a reader counts in."""


def round_scale(most: float, intervals: int = 3) -> tuple[int, int]:
    """(top, step) of a value axis from 0 that shows `most` below its top: the least round
    step for which the top, the next multiple of the step above `most`, is no more than
    `intervals` steps (a low chart has room for few labels: Qt drops those that would touch)."""
    for step in ROUND_STEPS:
        top = step * (int(most // step) + 1)
        if top // step <= intervals:
            return top, step
    step = ROUND_STEPS[-1]
    return step * (int(most // step) + 1), step


def round_value_axis(axis: QValueAxis, most: float) -> int:
    """Sets `axis` to run from 0 to a round top above `most`, ticked at a round step from 0
    (the default five ticks split any top in four: "0, 33, 67, 101, 135"). Returns the top."""
    top, step = round_scale(most)
    value_ticks(axis, top, step)
    return top


def value_ticks(axis: QValueAxis, top: int, step: int) -> None:
    """Sets `axis` to run from 0 to `top`, ticked every `step` from 0, in whole numbers. One
    home for the value axis of both charts (the forecast steps by whole kits, the adherence
    chart by round percents: round_value_axis), so that they tick alike."""
    axis.setRange(0, top)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%d")


def bars_on_axes(
    chart: QChart,
    bars: QAbstractBarSeries,
    sets: Mapping[str, QBarSet],
    categories: Sequence[str],
    y_axis: QValueAxis,
) -> QBarCategoryAxis:
    """The bar sets (bar_chart's) put in `bars` and on `chart`, a category a group of bars
    along the bottom ("-" alone when there is none: an empty chart keeps its axis) and
    `y_axis`, set up by the caller, on the left. Returns the category axis, for the lines
    drawn over the bars (dashed_line). One home for what the forecast and the adherence chart
    both build, so that they are laid out alike."""
    for bar_set in sets.values():
        bars.append(bar_set)
    chart.addSeries(bars)
    x_axis = QBarCategoryAxis()
    x_axis.append(list(categories) or ["-"])
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    bars.attachAxis(x_axis)
    bars.attachAxis(y_axis)
    return x_axis


def dashed_line(
    chart: QChart,
    axes: tuple[QBarCategoryAxis, QValueAxis],
    points: Sequence[tuple[float, float]],
    colour: str,
    width: float,
    name: str = "",
) -> QLineSeries:
    """A dashed line through `points` drawn over the bars on `chart` against its two `axes`
    (bars_on_axes'): the forecast's first short week, the adherence chart's two limits.
    `name`: its words in the legend, when it has any."""
    line = QLineSeries()
    if name:
        line.setName(name)
    for x, y in points:
        line.append(x, y)
    line.setPen(QPen(QColor(colour), width, Qt.PenStyle.DashLine))
    chart.addSeries(line)
    for axis in axes:
        line.attachAxis(axis)
    return line


def shown_bars(
    view: QChartView, chart: QChart, sets: Mapping[str, QBarSet]
) -> dict[str, list[float]]:
    """`chart` put in `view` in place of the chart it showed (that one deleted later, not
    while Qt may still paint it); returns the bars' values by bar set, for the view to keep
    (what its readers and tests read of the bars). One home for how both charts change."""
    values = {key: [bar_set.at(i) for i in range(bar_set.count())] for key, bar_set in sets.items()}
    old = view.chart()
    view.setChart(chart)
    if old is not None:
        old.deleteLater()
    return values
