"""Week grids: seconds per person (or issue) per local day, with totals and expected hours.

A worklog counts on the local day it starts, as in Jira; days are those of the viewer's zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from clockwork_desktop.core.days import local_day_bounds
from clockwork_desktop.core.export import Cell


class WorklogRecord(NamedTuple):
    """One worklog as the timesheet sees it (from Jira's cache or from local entries)."""

    id: str
    author_id: str
    author_name: str
    issue_key: str
    started: datetime
    seconds: int
    state: str = "synced"  # for my own week: pending, synced, failed, conflict, remote...

    @property
    def project(self) -> str:
        return self.issue_key.rsplit("-", 1)[0]


class IssueRow(NamedTuple):
    key: str
    days: tuple[int, ...]
    total: int
    states: tuple[str, ...]  # per day: the state that needs attention most ("" if empty)


class PersonRow(NamedTuple):
    account_id: str
    display_name: str
    days: tuple[int, ...]
    total: int
    expected: int
    issues: tuple[IssueRow, ...]

    @property
    def difference(self) -> int:
        return self.total - self.expected


class WeekGrid(NamedTuple):
    week: str
    timezone: str
    days: tuple[date, ...]
    rows: tuple[PersonRow, ...]
    totals: tuple[int, ...]
    total: int


# Which state wins when a cell mixes entries: the one that needs the user most.
STATE_PRIORITY = (
    "failed",
    "conflict",
    "pending",
    "too_short",
    "running",
    "paused",
    "remote",
    "synced",
    "",
)


_STATE_RANK = {state: n for n, state in enumerate(STATE_PRIORITY)}


class WorkingTime(NamedTuple):
    start: time = time(9, 0)
    end: time = time(17, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    # Days whose hours differ, as (weekday, start, end); holidays expect nothing.
    day_hours: tuple[tuple[int, time, time], ...] = ()
    holidays: frozenset[date] = frozenset()

    def expected_seconds(self, day: date) -> int:
        if day.weekday() not in self.weekdays or day in self.holidays:
            return 0
        first, last = self.start, self.end
        for weekday, start, end in self.day_hours:
            if weekday == day.weekday():
                first, last = start, end
        start_at = datetime.combine(day, first)
        end_at = datetime.combine(day, last)
        return max(0, int((end_at - start_at).total_seconds()))


def week_days(anchor: date, first_weekday: int = 0) -> tuple[date, ...]:
    """The seven days of the week containing ``anchor``; weeks start on ``first_weekday``."""
    start = anchor - timedelta(days=(anchor.weekday() - first_weekday) % 7)
    return tuple(start + timedelta(days=i) for i in range(7))


def week_label(days: Sequence[date]) -> str:
    year, week, _ = days[0].isocalendar()
    if days[0].weekday() != 0:  # a week that does not start on Monday: name its Thursday's ISO week
        year, week, _ = days[3].isocalendar()
    return f"{year}-W{week:02d}"


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def build_grid(
    records: Iterable[WorklogRecord],
    people: Sequence[tuple[str, str]],
    days: Sequence[date],
    zone: ZoneInfo,
    working: WorkingTime,
    *,
    project: str | None = None,
) -> WeekGrid:
    """Seconds per person per day. ``people`` fixes the rows (and their order)."""
    index = {d: i for i, d in enumerate(days)}
    width = len(days)
    # Per person, per issue: seconds per day and the state that needs attention most per day.
    per_person: dict[str, dict[str, tuple[list[int], list[str]]]] = {pid: {} for pid, _ in people}
    names = dict(people)
    rank = _STATE_RANK
    for record in records:
        if project and record.project != project:
            continue
        person = per_person.get(record.author_id)
        if person is None:
            continue
        column = index.get(_local_day(record.started, zone))
        if column is None:
            continue
        cell = person.get(record.issue_key)
        if cell is None:
            cell = person[record.issue_key] = ([0] * width, [""] * width)
        cell[0][column] += record.seconds
        current = cell[1][column]
        if not current or rank.get(record.state, 99) < rank.get(current, 99):
            cell[1][column] = record.state
    expected_day = [working.expected_seconds(d) for d in days]
    expected_week = sum(expected_day)
    rows = []
    totals = [0] * width
    for pid, _name in people:
        issues = []
        person_days = [0] * width
        for key in sorted(per_person[pid]):
            cells, cell_states = per_person[pid][key]
            issues.append(IssueRow(key, tuple(cells), sum(cells), tuple(cell_states)))
            for i, seconds in enumerate(cells):
                person_days[i] += seconds
        for i, seconds in enumerate(person_days):
            totals[i] += seconds
        rows.append(
            PersonRow(
                pid, names[pid], tuple(person_days), sum(person_days), expected_week, tuple(issues)
            )
        )
    return WeekGrid(
        week=week_label(days),
        timezone=zone.key,
        days=tuple(days),
        rows=tuple(rows),
        totals=tuple(totals),
        total=sum(totals),
    )


def week_bounds(days: Sequence[date], zone: ZoneInfo) -> tuple[datetime, datetime]:
    return local_day_bounds(days[0], days[-1], zone)


def project_totals(grid: WeekGrid) -> dict[str, list[int]]:
    """Seconds per project per day, for the stacked bar chart."""
    out: dict[str, list[int]] = {}
    for row in grid.rows:
        for issue in row.issues:
            project = issue.key.rsplit("-", 1)[0]
            cells = out.setdefault(project, [0] * len(grid.days))
            for i, seconds in enumerate(issue.days):
                cells[i] += seconds
    return out


def hours(seconds: int) -> int | float:
    """Decimal hours to two places (a whole number stays whole: ``2``, not ``2.0``)."""
    value = round(seconds / 3600, 2)
    return int(value) if value == int(value) else value


def hours_minutes(seconds: int) -> str:
    """``h:mm`` without a day roll-over: ``40:00`` for a week, ``-1:30`` for a shortfall."""
    sign = "-" if seconds < 0 else ""
    minutes = round(abs(seconds) / 60)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def grid_table(grid: WeekGrid, *, by_issue: bool = False) -> list[list[Cell]]:
    """The grid as rows of cells for CSV, XLSX and the clipboard: a header, a unit row, then
    durations in decimal hours, with the totals also as h:mm (spreadsheets sum the former,
    people read the latter)."""
    header: list[Cell] = ["Person", "Issue", *[d.isoformat() for d in grid.days]]
    header += ["Total", "Expected", "Difference"]
    header += ["Total (h:mm)", "Expected (h:mm)", "Difference (h:mm)"]
    units: list[Cell] = ["", "", *["hours"] * (len(grid.days) + 3), *["h:mm"] * 3]
    table: list[list[Cell]] = [header, units]
    for row in grid.rows:
        sums = (row.total, row.expected, row.difference)
        table.append(
            [
                row.display_name,
                "",
                *map(hours, row.days),
                *map(hours, sums),
                *map(hours_minutes, sums),
            ]
        )
        if by_issue:
            for issue in row.issues:
                table.append(
                    [
                        row.display_name,
                        issue.key,
                        *map(hours, issue.days),
                        hours(issue.total),
                        "",
                        "",
                        hours_minutes(issue.total),
                        "",
                        "",
                    ]
                )
    total = grid.total
    table.append(
        ["Total", "", *map(hours, grid.totals), hours(total), "", "", hours_minutes(total), "", ""]
    )
    return table


def grid_to_json(grid: WeekGrid) -> str:
    import json

    return json.dumps(
        {
            "week": grid.week,
            "timezone": grid.timezone,
            "days": [d.isoformat() for d in grid.days],
            "rows": [
                [
                    r.account_id,
                    r.display_name,
                    r.days,
                    r.total,
                    r.expected,
                    [[i.key, i.days, i.total, i.states] for i in r.issues],
                ]
                for r in grid.rows
            ],
            "totals": grid.totals,
            "total": grid.total,
        },
        separators=(",", ":"),
    )


def grid_from_json(text: str) -> WeekGrid:
    import json

    data = json.loads(text)
    return WeekGrid(
        week=data["week"],
        timezone=data["timezone"],
        days=tuple(date.fromisoformat(d) for d in data["days"]),
        rows=tuple(
            PersonRow(
                pid,
                name,
                tuple(days),
                total,
                expected,
                tuple(IssueRow(k, tuple(d), t, tuple(st)) for k, d, t, st in issues),
            )
            for pid, name, days, total, expected, issues in data["rows"]
        ),
        totals=tuple(data["totals"]),
        total=data["total"],
    )
