"""Hours per day as stacked bars, one colour per project, with the expected hours marked.

The chart speaks the table's language: the axis and the day labels say ``2h`` and ``1h 36m``,
never decimal hours. Its layout is computed apart from painting so tests can check that the
legend, the axis and the plot never overlap.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.timesheet import WeekGrid, project_totals
from clockwork_desktop.ui.timesheet.columns import day_header

PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]
EXPECTED = "Expected"
MARGIN = 8
SWATCH = 10
# Axis steps in hours: the first that keeps the ticks (zero included) at six or fewer.
STEPS_H = (1, 2, 4, 5, 10, 20, 40, 50, 100, 200, 400)
MAX_TICKS = 6


class ChartLayout(NamedTuple):
    plot: QRectF
    legend: list[tuple[str, QRectF]]  # one rectangle per entry: swatch and name
    ticks: list[tuple[int, str]]  # seconds on the axis and their labels
    day_labels: list[str]
    peak: int  # seconds at the top of the plot


def tick_step(peak_s: int) -> int:
    for hours in STEPS_H:
        if peak_s <= hours * 3600 * (MAX_TICKS - 1):
            return hours * 3600
    return STEPS_H[-1] * 3600


class BarChart(QWidget):
    """Hours per day, stacked by project, against the expected hours."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(170)
        self._days: list[date] = []
        self._series: dict[str, list[int]] = {}
        self._expected: list[int] = []

    def set_data(self, grid: WeekGrid, expected: list[int]) -> None:
        self._days = list(grid.days)
        self._series = dict(sorted(project_totals(grid).items()))
        self._expected = expected
        self.update()

    def _totals(self) -> list[int]:
        return [sum(s[i] for s in self._series.values()) for i in range(len(self._days))]

    def chart_layout(self) -> ChartLayout:
        metrics = QFontMetricsF(self.font())
        line = metrics.height()
        width = float(self.width())
        totals = self._totals()
        names = [*self._series, *([EXPECTED] if any(self._expected) else [])]
        # The legend flows left to right and wraps: it never runs off the widget.
        legend: list[tuple[str, QRectF]] = []
        x, y = float(MARGIN), float(MARGIN)
        for name in names:
            w = SWATCH + 4 + metrics.horizontalAdvance(name)
            if x > MARGIN and x + w > width - MARGIN:
                x, y = float(MARGIN), y + line + 2
            legend.append((name, QRectF(x, y, w, line)))
            x += w + 14
        legend_bottom = y + line + 6 if legend else float(MARGIN)
        highest = max([*totals, *self._expected, 3600])
        step = tick_step(highest)
        # Round up to a whole step, leaving headroom so a full day's line is not the top edge.
        top = -(-(highest * 11 // 10) // step) * step
        ticks = [(s, format_duration(s) if s else "0") for s in range(0, top + 1, step)]
        axis_w = max(metrics.horizontalAdvance(label) for _, label in ticks) + 8
        labels_h = line + 4
        plot = QRectF(
            MARGIN + axis_w,
            legend_bottom + line / 2,  # room for the top tick's label
            max(0.0, width - 2 * MARGIN - axis_w),
            max(0.0, self.height() - legend_bottom - line / 2 - labels_h - MARGIN),
        )
        day_labels = [
            f"{day_header(day)} · {format_duration(t)}" if t else day_header(day)
            for day, t in zip(self._days, totals, strict=True)
        ]
        return ChartLayout(plot, legend, ticks, day_labels, top)

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._days:
            return
        layout = self.chart_layout()
        plot = layout.plot
        if plot.height() <= 10 or plot.width() <= 10:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().text().color()
        grid_pen = QPen(self.palette().mid().color())
        grid_pen.setWidthF(0.6)
        expected_pen = QPen(text, 1.5, Qt.PenStyle.DashLine)

        def y_of(seconds: int) -> float:
            return plot.bottom() - plot.height() * seconds / layout.peak

        for seconds, label in layout.ticks:  # the axis: labels and faint grid lines
            y = y_of(seconds)
            painter.setPen(grid_pen)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text)
            painter.drawText(
                QRectF(MARGIN, y - 10, plot.left() - MARGIN - 6, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                label,
            )
        colours = {p: QColor(PALETTE[i % len(PALETTE)]) for i, p in enumerate(self._series)}
        slot = plot.width() / len(self._days)
        bar_w = slot * 0.6
        for i in range(len(self._days)):
            x = plot.left() + i * slot + (slot - bar_w) / 2
            y = plot.bottom()
            for project, cells in self._series.items():
                h = plot.height() * cells[i] / layout.peak
                if h > 0:
                    painter.fillRect(QRectF(x, y - h, bar_w, h), colours[project])
                    y -= h
            if i < len(self._expected) and self._expected[i]:
                ey = y_of(self._expected[i])
                painter.setPen(expected_pen)
                painter.drawLine(QPointF(x - 4, ey), QPointF(x + bar_w + 4, ey))
            painter.setPen(text)
            painter.drawText(
                QRectF(plot.left() + i * slot, plot.bottom() + 2, slot, 20),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                layout.day_labels[i],
            )
        for name, rect in layout.legend:
            swatch = QRectF(rect.left(), rect.center().y() - SWATCH / 2, SWATCH, SWATCH)
            if name == EXPECTED and name not in colours:
                painter.setPen(expected_pen)
                y = swatch.center().y()
                painter.drawLine(QPointF(swatch.left(), y), QPointF(swatch.right(), y))
            else:
                painter.fillRect(swatch, colours[name])
            painter.setPen(text)
            painter.drawText(
                rect.adjusted(SWATCH + 4, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, name
            )
        painter.end()
