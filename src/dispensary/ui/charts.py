"""What every chart of the program shares (the Today screen's forecast, a participant's
adherence): built in one place so they look alike."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCharts import QBarSet, QChart
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
