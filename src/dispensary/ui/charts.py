"""What every chart of the program shares (the Today screen's forecast, a participant's
adherence): built in one place so they look alike."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QBarSet, QChart, QValueAxis
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor


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
    axis.setRange(0, top)
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%d")
    return top
