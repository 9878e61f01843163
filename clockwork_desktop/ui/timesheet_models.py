"""Qt models for the week grids: my week (issues x days) and the team (people > issues)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.timesheet import IssueRow, PersonRow, WeekGrid
from clockwork_desktop.ui.plaintext import tooltip

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
STATE_COLOURS = {
    "pending": "#fff4d6",
    "failed": "#ffd7d5",
    "conflict": "#ffd7d5",
    "running": "#dcf5e3",
    "remote": "#e8eefc",
    "too_short": "#eeeeee",
}
STATE_TEXT = {
    "pending": "waiting to be sent to Jira",
    "synced": "in Jira",
    "failed": "Jira refused it: open the day to see why",
    "conflict": "changed or deleted in Jira: open the day to resolve",
    "running": "timer running",
    "remote": "logged in Jira by another tool",
    "too_short": "under a minute: stays on this computer",
}
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
ALIGN = Qt.ItemDataRole.TextAlignmentRole
OVER = QColor("#1a7f37")
UNDER = QColor("#cf222e")


def _duration(seconds: int) -> str:
    return format_duration(seconds) if seconds else ""


def _signed(seconds: int) -> str:
    if seconds == 0:
        return "0"
    return ("+" if seconds > 0 else "−") + format_duration(abs(seconds))


class MyWeekModel(QAbstractTableModel):
    """Rows: my issues, then a totals row; columns: issue, the seven days, total."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._grid: WeekGrid | None = None
        self._issues: list[IssueRow] = []
        self._summaries: dict[str, str] = {}
        self._expected: list[int] = []

    # -- content ----------------------------------------------------------------------------

    def set_grid(self, grid: WeekGrid, summaries: dict[str, str], expected: list[int]) -> None:
        self.beginResetModel()
        self._grid = grid
        self._issues = list(grid.rows[0].issues) if grid.rows else []
        self._summaries = summaries
        self._expected = expected
        self.endResetModel()

    def update_cell(self, issue_key: str, day_index: int, seconds: int) -> bool:
        """Set one live cell (the running timer) without resetting the model."""
        for row, issue in enumerate(self._issues):
            if issue.key == issue_key:
                days = list(issue.days)
                days[day_index] = seconds
                self._issues[row] = issue._replace(days=tuple(days), total=sum(days))
                first = self.index(row, day_index + 1)
                self.dataChanged.emit(first, self.index(row, 8), [DISPLAY])
                totals = self.rowCount() - 1
                self.dataChanged.emit(self.index(totals, 1), self.index(totals, 8), [DISPLAY])
                return True
        return False

    def issue_at(self, row: int) -> str | None:
        return self._issues[row].key if 0 <= row < len(self._issues) else None

    def day_at(self, column: int) -> Any:
        if self._grid is None or not 1 <= column <= 7:
            return None
        return self._grid.days[column - 1]

    def _day_totals(self) -> list[int]:
        totals = [0] * 7
        for issue in self._issues:
            for i, seconds in enumerate(issue.days):
                totals[i] += seconds
        return totals

    # -- Qt ---------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._grid is None:
            return 0
        return len(self._issues) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 9

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal or self._grid is None:
            return None
        if section == 0:
            return "Issue"
        if section == 8:
            return "Total"
        return self._grid.days[section - 1].strftime("%a %d")

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or self._grid is None:
            return None
        row, column = index.row(), index.column()
        totals_row = row == len(self._issues)
        if totals_row:
            return self._totals_data(column, role)
        issue = self._issues[row]
        state = issue.states[column - 1] if 1 <= column <= 7 else ""
        if role == DISPLAY:
            if column == 0:
                summary = self._summaries.get(issue.key, "")
                return f"{issue.key}  {summary}".strip()
            if column == 8:
                return _duration(issue.total)
            return _duration(issue.days[column - 1])
        if role == Qt.ItemDataRole.ToolTipRole and state:
            return STATE_TEXT.get(state, state)
        if role == Qt.ItemDataRole.BackgroundRole and state in STATE_COLOURS:
            return QBrush(QColor(STATE_COLOURS[state]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return issue.total if column == 8 else (issue.days[column - 1] if column else issue.key)
        return None

    def _totals_data(self, column: int, role: int) -> Any:
        totals = self._day_totals()
        if role == DISPLAY:
            if column == 0:
                return "Total"
            if column == 8:
                return _duration(sum(totals))
            return _duration(totals[column - 1])
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        expected = (
            sum(self._expected)
            if column == 8
            else (self._expected[column - 1] if 1 <= column <= 7 else 0)
        )
        value = sum(totals) if column == 8 else (totals[column - 1] if 1 <= column <= 7 else 0)
        if role == Qt.ItemDataRole.ToolTipRole and column:
            return f"Expected {format_duration(expected)}; logged {format_duration(value)}"
        if role == Qt.ItemDataRole.ForegroundRole and column and expected:
            if value > expected:
                return QBrush(OVER)
            if value < expected:
                return QBrush(UNDER)
        return None


class TeamModel(QAbstractItemModel):
    """People, each expandable to their issues; columns: name, days, total, expected, diff."""

    COLUMNS = 11

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._grid: WeekGrid | None = None
        self._rows: list[PersonRow] = []
        self._text: list[list[str]] = []

    def set_grid(self, grid: WeekGrid) -> None:
        self.beginResetModel()
        self._grid = grid
        self._rows = list(grid.rows)
        # Display strings computed once: views ask for them again and again while scrolling.
        self._text = [
            [
                p.display_name,
                *[_duration(s) for s in p.days],
                _duration(p.total),
                _duration(p.expected),
                _signed(p.difference),
            ]
            for p in self._rows
        ]
        self.endResetModel()

    # Internal ids: 0 for a person row, person index + 1 for their issue rows.
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0)
        if parent.internalId() == 0:
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(int(index.internalId()) - 1, 0, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._rows)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._rows[parent.row()].issues)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal or self._grid is None:
            return None
        if section == 0:
            return "Person / issue"
        if 1 <= section <= 7:
            return self._grid.days[section - 1].strftime("%a %d")
        return ("Total", "Expected", "Difference")[section - 8]

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid():
            return None
        column = index.column()
        if index.internalId() == 0:
            if role == DISPLAY:
                return self._text[index.row()][column]
            if role == ALIGN:
                return RIGHT if column else None
            person = self._rows[index.row()]
            return self._person_data(person, column, role)
        person = self._rows[int(index.internalId()) - 1]
        issue = person.issues[index.row()]
        if role == DISPLAY:
            if column == 0:
                return issue.key
            if 1 <= column <= 7:
                return _duration(issue.days[column - 1])
            return _duration(issue.total) if column == 8 else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _person_data(self, person: PersonRow, column: int, role: int) -> Any:
        if role == DISPLAY:
            if column == 0:
                return person.display_name
            if 1 <= column <= 7:
                return _duration(person.days[column - 1])
            return (
                _duration(person.total),
                _duration(person.expected),
                _signed(person.difference),
            )[column - 8]
        if role == Qt.ItemDataRole.TextAlignmentRole and column:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 10 and person.difference:
            return QBrush(OVER if person.difference > 0 else UNDER)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return tooltip(person.account_id)
        return None
