"""Hours per day as stacked bars, one colour per project, with the expected hours marked."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from clockwork_desktop.core.timesheet import WeekGrid, project_totals

PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]


class BarChart(QWidget):
    """Hours per day, stacked by project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self._days: list[date] = []
        self._series: dict[str, list[int]] = {}
        self._expected: list[int] = []

    def set_data(self, grid: WeekGrid, expected: list[int]) -> None:
        self._days = list(grid.days)
        self._series = dict(sorted(project_totals(grid).items()))
        self._expected = expected
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        legend_h, label_h, margin = 18, 18, 8
        plot_h = height - legend_h - label_h - 2 * margin
        if not self._days or plot_h <= 10:
            return
        totals = [sum(s[i] for s in self._series.values()) for i in range(len(self._days))]
        peak = max([*totals, *self._expected, 3600])
        slot = (width - 2 * margin) / len(self._days)
        bar_w = slot * 0.6
        base_y = margin + legend_h + plot_h
        colours = {p: QColor(PALETTE[i % len(PALETTE)]) for i, p in enumerate(self._series)}
        for i, day in enumerate(self._days):
            x = margin + i * slot + (slot - bar_w) / 2
            y = float(base_y)
            for project, cells in self._series.items():
                h = plot_h * cells[i] / peak
                if h > 0:
                    painter.fillRect(QRectF(x, y - h, bar_w, h), colours[project])
                    y -= h
            if i < len(self._expected) and self._expected[i]:
                ey = base_y - plot_h * self._expected[i] / peak
                painter.setPen(QColor("#888888"))
                painter.drawLine(int(x - 4), int(ey), int(x + bar_w + 4), int(ey))
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(margin + i * slot, base_y + 2, slot, label_h),
                Qt.AlignmentFlag.AlignCenter,
                f"{day:%a} {totals[i] / 3600:.1f}h",
            )
        x = float(margin)
        for project, colour in colours.items():
            painter.fillRect(QRectF(x, margin + 4, 10, 10), colour)
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(x + 14, margin, 120, legend_h), project)
            x += 24 + painter.fontMetrics().horizontalAdvance(project)
