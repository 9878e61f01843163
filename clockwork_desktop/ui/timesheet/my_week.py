"""The "My week" tab: my issues by day with their sync states, and the chart beneath."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHeaderView, QSplitter, QTableView, QVBoxLayout, QWidget

from clockwork_desktop.core.timesheet import WeekGrid
from clockwork_desktop.ui.plaintext import plain_label
from clockwork_desktop.ui.timesheet.chart import BarChart
from clockwork_desktop.ui.timesheet.columns import WeekColumn
from clockwork_desktop.ui.timesheet.models import MyWeekModel


class MyWeekTab(QWidget):
    day_opened = Signal(object)  # the date whose entries the user wants to see

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = MyWeekModel(self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.verticalHeader().setVisible(False)
        self.view.doubleClicked.connect(self._open_cell)
        self.chart = BarChart(self)
        self.legend = plain_label(
            "Colours: yellow pending, red failed or conflict, accent running, blue logged "
            "elsewhere. Double-click a day to see and fix its entries.",
            self,
        )
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.chart)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addWidget(self.legend)
        self.grid: WeekGrid | None = None

    def show_grid(self, grid: WeekGrid, summaries: dict[str, str], expected: list[int]) -> None:
        self.grid = grid
        self.model.set_grid(grid, summaries, expected)
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(WeekColumn.LABEL, QHeaderView.ResizeMode.Stretch)
        self.chart.set_data(grid, expected)

    def _open_cell(self, index: QModelIndex) -> None:
        day = self.model.day_at(index.column())
        if day is None and self.grid is not None:
            day = self.grid.days[0]
        if isinstance(day, date):
            self.day_opened.emit(day)
