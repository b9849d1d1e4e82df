"""The wallboard's charts (QtCharts): waiting and service level over the day, contacts per channel."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QHBoxLayout, QWidget

from console.domain import Channel

Series = Sequence[tuple[datetime, float | None]]


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().hide()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


# Short labels: "walk-in" is cut off at a third of the board.
_CHANNEL_LABELS = {Channel.SMS: "SMS", Channel.LINE: "LINE", Channel.WALKIN: "visit"}


class LineChart(QChartView):
    """One line over the hours of today; hours are the x axis labels.

    Args:
        title: the chart's title.
        y_max: a fixed top of the y axis (None: fit the data).
        parent: the owning widget.
    """

    def __init__(self, title: str, y_max: float | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(_chart(title), parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._y_max = y_max
        self.series = QLineSeries()
        self.chart().addSeries(self.series)
        self.x_axis, self.y_axis = QValueAxis(), QValueAxis()
        self.x_axis.setLabelFormat("%d")
        self.x_axis.setTitleText("hour")
        self.y_axis.setLabelFormat("%d")
        self.chart().addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart().addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.x_axis)
        self.series.attachAxis(self.y_axis)

    def set_points(self, points: Series, tz: tzinfo, scale: float = 1.0) -> None:
        """Plots (time, value) pairs against local hour-of-day; gaps (None) are skipped."""
        xs = [(t.astimezone(tz).hour + t.astimezone(tz).minute / 60, v * scale)
              for t, v in points if v is not None]
        self.series.clear()
        for x, y in xs:
            self.series.append(x, y)
        self.x_axis.setRange(0, max([24.0 / 4, *[x + 1 for x, _ in xs]]))
        top = self._y_max if self._y_max is not None else max([1.0, *[y for _, y in xs]]) * 1.1
        self.y_axis.setRange(0, top)

    def point_count(self) -> int:
        return int(self.series.count())


class ChannelChart(QChartView):
    """Contacts per channel today, as bars.

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_chart("Contacts per channel today"), parent)
        self.bars = QBarSeries()
        self.chart().addSeries(self.bars)
        self.x_axis, self.y_axis = QBarCategoryAxis(), QValueAxis()
        self.x_axis.append([_CHANNEL_LABELS.get(c, c.value) for c in Channel])
        font = self.x_axis.labelsFont()  # seven channels share a third of the board
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.x_axis.setLabelsFont(font)
        self.y_axis.setLabelFormat("%d")
        self.chart().addAxis(self.x_axis, Qt.AlignmentFlag.AlignBottom)
        self.chart().addAxis(self.y_axis, Qt.AlignmentFlag.AlignLeft)
        self.bars.attachAxis(self.x_axis)
        self.bars.attachAxis(self.y_axis)
        self.counts: dict[Channel, int] = {}

    def set_counts(self, counts: Sequence[tuple[Channel, int]]) -> None:
        self.counts = dict(counts)
        self.bars.clear()
        bar = QBarSet("contacts")
        bar.append([float(self.counts.get(c, 0)) for c in Channel])
        self.bars.append(bar)
        self.y_axis.setRange(0, max([1, *self.counts.values()]) * 1.1)


class WallboardCharts(QWidget):
    """The three charts side by side.

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waiting = LineChart("Waiting contacts today", parent=self)
        self.service_level = LineChart("Service level today (%)", 100.0, self)
        self.channels = ChannelChart(self)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        for view in (self.waiting, self.service_level, self.channels):
            view.setMinimumHeight(180)
            box.addWidget(view)
