"""Qt models for the week grids: my week (issues x days) and the team (people > issues)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.state_words import state_meaning
from clockwork_desktop.core.timesheet import IssueRow, PersonRow, WeekGrid
from clockwork_desktop.ui.plaintext import tooltip
from clockwork_desktop.ui.timesheet.columns import (
    DAYS_IN_WEEK,
    PASTEL_INK,
    RIGHT,
    ROLE_NAMES,
    WeekColumn,
    WeekRole,
    accent,
    day_header,
    duration_text,
    issue_text,
    over_under,
    signed_text,
)

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
STATE_COLOURS = {
    "pending": "#fff4d6",
    "failed": "#ffd7d5",
    "conflict": "#ffd7d5",
    "remote": "#e8eefc",
    "too_short": "#eeeeee",
}
# The running cell wears the platform's accent with its matching text colour: readable in light
# and dark themes, and unlike any sync state's pastel.
ACCENT_ROLES = (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
# What the user can do about a cell's state from the week grid.
STATE_HINTS = {"failed": "open the day to see why", "conflict": "open the day to resolve"}


class MyWeekModel(QAbstractTableModel):
    """Rows: my issues, then a totals row; columns: issue, the seven days, total."""

    COLUMNS = WeekColumn.TOTAL + 1

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
                column = WeekColumn.FIRST_DAY + day_index
                roles = [DISPLAY, WeekRole.SECONDS]
                self.dataChanged.emit(
                    self.index(row, column), self.index(row, WeekColumn.TOTAL), roles
                )
                totals = self.rowCount() - 1
                self.dataChanged.emit(
                    self.index(totals, WeekColumn.FIRST_DAY),
                    self.index(totals, WeekColumn.TOTAL),
                    roles,
                )
                return True
        return False

    def issue_at(self, row: int) -> str | None:
        return self._issues[row].key if 0 <= row < len(self._issues) else None

    def day_at(self, column: int) -> Any:
        position = WeekColumn.day(column)
        if self._grid is None or position is None:
            return None
        return self._grid.days[position]

    def _day_totals(self) -> list[int]:
        totals = [0] * DAYS_IN_WEEK
        for issue in self._issues:
            for i, seconds in enumerate(issue.days):
                totals[i] += seconds
        return totals

    # -- Qt ---------------------------------------------------------------------------------

    def roleNames(self) -> dict[int, QByteArray]:
        return {**super().roleNames(), **ROLE_NAMES}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._grid is None:
            return 0
        return len(self._issues) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal or self._grid is None:
            return None
        if section == WeekColumn.LABEL:
            return "Issue"
        if section == WeekColumn.TOTAL:
            return "Total"
        position = WeekColumn.day(section)
        return day_header(self._grid.days[position]) if position is not None else None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or self._grid is None:
            return None
        row, column = index.row(), index.column()
        position = WeekColumn.day(column)
        if role == WeekRole.DAY:
            return self._grid.days[position] if position is not None else None
        if row == len(self._issues):
            return self._totals_data(column, role)
        issue = self._issues[row]
        state = issue.states[position] if position is not None else ""
        if column == WeekColumn.LABEL:
            seconds = issue.total
        else:
            seconds = issue.total if position is None else issue.days[position]
        if role == DISPLAY:
            if column == WeekColumn.LABEL:
                return issue_text(issue.key, self._summaries.get(issue.key, ""))
            if state in ("running", "paused"):
                return f"{duration_text(seconds) or '0m'} {state}"
            return duration_text(seconds)
        if state in ("running", "paused") and role in ACCENT_ROLES:
            return QBrush(accent()[ACCENT_ROLES.index(role)])
        if role == WeekRole.SECONDS:
            return seconds
        if role == WeekRole.STATE:
            return state
        if role == WeekRole.ISSUE_KEY:
            return issue.key
        if role == Qt.ItemDataRole.ToolTipRole and state:
            return state_meaning(state, STATE_HINTS.get(state, ""))
        if role == Qt.ItemDataRole.BackgroundRole and state in STATE_COLOURS:
            return QBrush(QColor(STATE_COLOURS[state]))
        if role == Qt.ItemDataRole.ForegroundRole and state in STATE_COLOURS:
            return QBrush(PASTEL_INK)
        if role == Qt.ItemDataRole.TextAlignmentRole and column != WeekColumn.LABEL:
            return RIGHT
        return None

    def _totals_data(self, column: int, role: int) -> Any:
        totals = self._day_totals()
        position = WeekColumn.day(column)
        if column == WeekColumn.TOTAL:
            expected, value = sum(self._expected), sum(totals)
        elif position is not None:
            expected, value = self._expected[position], totals[position]
        else:
            expected, value = 0, sum(totals)
        if role == DISPLAY:
            return "Total" if column == WeekColumn.LABEL else duration_text(value)
        if role == WeekRole.SECONDS:
            return value
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if column == WeekColumn.LABEL:
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Expected {format_duration(expected)}; logged {format_duration(value)}"
        if role == Qt.ItemDataRole.ForegroundRole and expected and value != expected:
            over, under = over_under()
            return QBrush(over if value > expected else under)
        return None


class TeamModel(QAbstractItemModel):
    """People, each expandable to their issues; columns: name, days, total, expected, diff."""

    COLUMNS = WeekColumn.DIFFERENCE + 1

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._grid: WeekGrid | None = None
        self._rows: list[PersonRow] = []
        self._text: list[list[str]] = []
        self._summaries: dict[str, str] = {}

    def set_grid(self, grid: WeekGrid, summaries: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        self._grid = grid
        self._rows = list(grid.rows)
        self._summaries = summaries or {}
        # Display strings computed once: views ask for them again and again while scrolling.
        self._text = [
            [
                p.display_name,
                *[duration_text(s) for s in p.days],
                duration_text(p.total),
                duration_text(p.expected),
                signed_text(p.difference),
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
        if parent.internalId() == 0 and parent.column() == WeekColumn.LABEL:
            return len(self._rows[parent.row()].issues)
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return self.COLUMNS

    def roleNames(self) -> dict[int, QByteArray]:
        return {**super().roleNames(), **ROLE_NAMES}

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if role != DISPLAY or orientation != Qt.Orientation.Horizontal or self._grid is None:
            return None
        position = WeekColumn.day(section)
        if position is not None:
            return day_header(self._grid.days[position])
        return {
            WeekColumn.LABEL: "Person / issue",
            WeekColumn.TOTAL: "Total",
            WeekColumn.EXPECTED: "Expected",
            WeekColumn.DIFFERENCE: "Difference",
        }.get(WeekColumn(section))

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if not index.isValid() or self._grid is None:
            return None
        column = index.column()
        position = WeekColumn.day(column)
        if role == WeekRole.DAY:
            return self._grid.days[position] if position is not None else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT if column != WeekColumn.LABEL else None
        if index.internalId() == 0:
            if role == DISPLAY:
                return self._text[index.row()][column]
            return self._person_data(self._rows[index.row()], column, role)
        person = self._rows[int(index.internalId()) - 1]
        issue = person.issues[index.row()]
        if role == DISPLAY:
            if column == WeekColumn.LABEL:
                return issue_text(issue.key, self._summaries.get(issue.key, ""))
            if position is not None:
                return duration_text(issue.days[position])
            return duration_text(issue.total) if column == WeekColumn.TOTAL else ""
        if role == WeekRole.ISSUE_KEY:
            return issue.key
        if role == WeekRole.ACCOUNT_ID:
            return person.account_id
        if role == WeekRole.SECONDS:
            if position is not None:
                return issue.days[position]
            return issue.total if column == WeekColumn.TOTAL else None
        return None

    def _person_data(self, person: PersonRow, column: int, role: int) -> Any:
        position = WeekColumn.day(column)
        if role == WeekRole.ACCOUNT_ID:
            return person.account_id
        if role == WeekRole.SECONDS:
            if position is not None:
                return person.days[position]
            return {
                WeekColumn.TOTAL: person.total,
                WeekColumn.EXPECTED: person.expected,
                WeekColumn.DIFFERENCE: person.difference,
            }.get(WeekColumn(column))
        difference = person.difference if column == WeekColumn.DIFFERENCE else 0
        if role == Qt.ItemDataRole.ForegroundRole and difference:
            over, under = over_under()
            return QBrush(over if difference > 0 else under)
        if role == Qt.ItemDataRole.ToolTipRole and column == WeekColumn.LABEL:
            return tooltip(person.account_id)
        return None
