"""`clockwork-desktop timesheet`: a week as a table, CSV or JSON; or the timesheet window."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

from clockwork_desktop.cli import output
from clockwork_desktop.cli.commands import CliServices
from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import InputError, OperationError
from clockwork_desktop.core.export import Table, csv_text, encode_table
from clockwork_desktop.core.timeinput import parse_date, parse_week
from clockwork_desktop.core.timesheet import WeekGrid, grid_table, week_days
from clockwork_desktop.services.timesheet import GroupMembersHiddenError, TimesheetService


class TimesheetCliServices(CliServices, Protocol):
    @property
    def timesheets(self) -> TimesheetService: ...

    def xlsx_bytes(self, table: Table) -> bytes: ...


def grid_json(grid: WeekGrid) -> dict[str, Any]:
    return {
        "week": grid.week,
        "timezone": grid.timezone,
        "days": [d.isoformat() for d in grid.days],
        "rows": [
            {
                "user": {"accountId": r.account_id, "displayName": r.display_name},
                "days": list(r.days),
                "total": r.total,
                "expected": r.expected,
                "issues": [
                    {"key": i.key, "days": list(i.days), "total": i.total} for i in r.issues
                ],
            }
            for r in grid.rows
        ],
        "totals": {"days": list(grid.totals), "total": grid.total},
    }


def grid_text(grid: WeekGrid) -> str:
    head = ["", *[d.strftime("%a %d") for d in grid.days], "Total", "Expected", "Diff"]
    rows = [head]

    def fmt(seconds: int) -> str:
        return format_duration(seconds) if seconds else "·"

    for r in grid.rows:
        rows.append(
            [
                output.clean(r.display_name),
                *[fmt(s) for s in r.days],
                fmt(r.total),
                fmt(r.expected),
                ("+" if r.difference > 0 else "") + format_duration(r.difference),
            ]
        )
        for i in r.issues:
            rows.append(
                [f"  {output.clean(i.key)}", *[fmt(s) for s in i.days], fmt(i.total), "", ""]
            )
    rows.append(["Total", *[fmt(s) for s in grid.totals], fmt(grid.total), "", ""])
    widths = [max(len(row[c]) for row in rows) for c in range(len(head))]
    lines = [f"Week {grid.week} ({grid.timezone})"]
    for row in rows:
        lines.append(
            row[0].ljust(widths[0])
            + "  "
            + "  ".join(cell.rjust(widths[c + 1]) for c, cell in enumerate(row[1:]))
        )
    return "\n".join(line.rstrip() for line in lines)


OUTPUT_SUFFIXES = (".csv", ".xlsx", ".tsv", ".json", ".txt")


def cmd_timesheet(args: argparse.Namespace, s: CliServices) -> int:
    services: TimesheetCliServices = s  # type: ignore[assignment]
    sheets = services.timesheets
    today = services.tracker.today()
    suffix = Path(args.output).suffix.lower() if args.output else ""
    if args.output and suffix not in OUTPUT_SUFFIXES:
        raise InputError(
            f"Cannot write {suffix or 'a file without an extension'}: the file name must end "
            f"in {', '.join(OUTPUT_SUFFIXES)}."
        )
    if suffix == ".json":
        args.format = "json"
    if args.week:
        year, week = parse_week(args.week)
        anchor = date.fromisocalendar(year, week, 1)
        days = tuple(anchor + timedelta(days=i) for i in range(7))
    else:
        anchor = parse_date(args.date, today) if args.date else today
        days = week_days(anchor, sheets.first_weekday())
    if not (args.team or args.group or args.user):
        grid = sheets.my_week(days)
        note = None
    else:
        try:
            team = sheets.resolve_team(team=args.team, group=args.group, users=args.user or ())
        except GroupMembersHiddenError as exc:
            raise OperationError(
                f"{exc} Name the people instead, one --user each (their usernames on Data "
                "Center, account ids on Cloud), or pick them by name with People… in the "
                "timesheet window (timesheet --window) and use the saved team with --team."
            ) from exc
        result = sheets.team_week(team, days, refresh=not args.offline)
        grid, note = result.grid, result.note
        if result.hidden:
            print(
                f"clockwork-desktop: {result.hidden} worklogs could not be read (no "
                "permission to see them); they are not in the totals.",
                file=sys.stderr,
            )
    if note:
        print(f"clockwork-desktop: {output.clean(note)}", file=sys.stderr)
    if args.format == "json":
        text = output.dumps(grid_json(grid))
    elif args.format == "csv":
        text = csv_text(grid_table(grid, by_issue=True))
    else:
        text = grid_text(grid)
    if args.output:
        path = Path(args.output)
        if path.suffix.lower() in (".xlsx", ".tsv", ".csv"):
            table = grid_table(grid, by_issue=True)
            path.write_bytes(encode_table(table, path.suffix, services.xlsx_bytes))
        else:
            path.write_text(text + ("\n" if not text.endswith("\n") else ""), encoding="utf-8")
        print(f"Wrote {path}.")
    else:
        print(text.rstrip("\n"))
    return 0
