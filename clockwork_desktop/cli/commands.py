"""Command handlers. Each returns an exit code; errors are raised and mapped by ``run``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from clockwork_desktop.cli import output
from clockwork_desktop.core.durations import format_duration, parse_duration
from clockwork_desktop.core.errors import ClockworkError, InputError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.timeinput import (
    WALL_FORMS,
    parse_date,
    parse_hhmm,
    parse_time,
    parse_week,
)

if TYPE_CHECKING:
    from clockwork_desktop.services.starts import StartService
    from clockwork_desktop.services.tracker import TrackerService

log = get_logger(__name__)


class CliServices(Protocol):
    """What the composition root hands to the CLI; built lazily, so commands stay fast."""

    @property
    def tracker(self) -> TrackerService: ...

    @property
    def starts(self) -> StartService: ...

    @property
    def notices(self) -> list[str]: ...

    def backup_if_due(self) -> object:
        """Take the daily backup when the newest is older than a day."""
        ...

    def entry_sources(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Why automatic timers started or stopped, per entry uuid."""
        ...


Handler = Callable[[argparse.Namespace, CliServices], int]


def _say(text: str) -> None:
    print(text)


def _time(text: str | None, services: CliServices, base: date | None = None) -> datetime | None:
    if text is None:
        return None
    tracker = services.tracker
    return parse_time(text, tracker.zone, base or tracker.today())


def cmd_start(args: argparse.Namespace, s: CliServices) -> int:
    started = s.starts.start_and_offer(
        args.key, at=_time(args.at, s), comment=args.comment, account=args.account, move=args.move
    )
    result = started.result
    if result.stopped is not None:
        stopped = result.stopped
        _say(
            f"Stopped {stopped.issue_key} after "
            f"{format_duration(stopped.duration_seconds(s.tracker.now()))}."
        )
    e = result.started
    since = f"{e.started_at.astimezone(s.tracker.zone):%H:%M}"
    if result.already_running:
        _say(f"{e.issue_key} is already running, since {since} (#{e.id}).")
    else:
        _say(f"Started {e.issue_key} at {since} (#{e.id}).")
    offer = started.offer
    if started.problem:
        _say(f"Jira could not be asked about moving {e.issue_key}: {started.problem}")
    elif offer is not None and started.moved:
        _say(f"Moved {e.issue_key} to {offer.label.rsplit(' to ', 1)[-1]}.")
    elif offer is not None:
        _say(f"{offer.label}? Run: clockwork-desktop start {e.issue_key} --move")
    return 0


def cmd_stop(args: argparse.Namespace, s: CliServices) -> int:
    e = s.tracker.stop(at=_time(args.at, s), comment=args.comment)
    _say(f"Stopped {e.issue_key} after {format_duration(e.duration_seconds(s.tracker.now()))}.")
    return 0


def cmd_pause(args: argparse.Namespace, s: CliServices) -> int:
    e = s.tracker.pause()
    _say(f"Paused {e.issue_key} after {format_duration(e.duration_seconds(s.tracker.now()))}.")
    return 0


def cmd_resume(args: argparse.Namespace, s: CliServices) -> int:
    result = s.tracker.resume()
    e = result.started
    if result.already_running:
        _say(f"Continued {e.issue_key} (#{e.id}).")
    else:
        _say(f"Resumed {e.issue_key} at {e.started_at.astimezone(s.tracker.zone):%H:%M} (#{e.id}).")
    return 0


def cmd_discard(args: argparse.Namespace, s: CliServices) -> int:
    e = s.tracker.discard()
    _say(f"Discarded the timer on {e.issue_key}.")
    return 0


def cmd_status(args: argparse.Namespace, s: CliServices) -> int:
    status = s.tracker.status()
    if args.json:
        data = output.status_json(status, s.tracker.zone)
        if status.running is not None:
            events = s.entry_sources([status.running.uuid]).get(status.running.uuid, [])
            data["running"]["auto"] = any(e.get("event") == "start" for e in events)
        _say(output.dumps(data))
    else:
        _say(output.status_text(status, s.tracker.zone))
    return 0


LONG_AGO_DAYS = 62  # two months back: further is more often a typo than a plan


def cmd_log(args: argparse.Namespace, s: CliServices) -> int:
    seconds = parse_duration(args.duration)
    today = s.tracker.today()
    day = parse_date(args.date, today) if args.date else None
    if day is not None and (today - day).days > LONG_AGO_DAYS:
        # Accepted (Jira takes any past day), but a mistyped year should not pass unseen.
        print(f"Note: {day:%Y-%m-%d} is {(today - day).days} days ago.", file=sys.stderr)
    start = None
    if args.start is not None:
        start = parse_hhmm(args.start)
        if start is None:
            raise InputError(f"Not a start time: {args.start!r}. Accepted: {WALL_FORMS}.")
    e = s.tracker.log_time(
        args.key, seconds, day=day, start_time=start, comment=args.comment, account=args.account
    )
    local = e.started_at.astimezone(s.tracker.zone)
    _say(
        f"Logged {format_duration(seconds)} on {e.issue_key}, {local:%Y-%m-%d} from "
        f"{local:%H:%M} (#{e.id})."
    )
    return 0


def date_range(args: argparse.Namespace, today: date) -> tuple[date, date]:
    if args.week:
        year, week = parse_week(args.week)
        monday = date.fromisocalendar(year, week, 1)
        return monday, monday + timedelta(days=6)
    if args.from_ or args.to:
        if not (args.from_ and args.to):
            raise InputError("Give both --from and --to (YYYY-MM-DD).")
        first, last = parse_date(args.from_, today), parse_date(args.to, today)
        if last < first:
            raise InputError("--to must not be before --from.")
        if (last - first).days > 366:
            raise InputError("A range can cover at most one year.")
        return first, last
    day = parse_date(args.date, today) if args.date else today
    return day, day


def cmd_entries(args: argparse.Namespace, s: CliServices) -> int:
    first, last = date_range(args, s.tracker.today())
    views = s.tracker.entries(first, last)
    zone = s.tracker.zone
    if args.json:
        sources = s.entry_sources([v.entry.uuid for v in views])
        _say(
            output.dumps(
                [dict(output.entry_json(v, zone), source=sources.get(v.entry.uuid)) for v in views]
            )
        )
    else:
        _say(output.entries_table(views, zone))
    return 0


def cmd_edit(args: argparse.Namespace, s: CliServices) -> int:
    entry = s.tracker.get(args.id)
    base = entry.local_start_date()
    edited = s.tracker.edit(
        args.id,
        issue_key=args.issue,
        start=_time(args.start, s, base),
        end=_time(args.end, s, base),
        seconds=parse_duration(args.duration) if args.duration else None,
        comment=args.comment,
    )
    _say(f"Changed entry #{edited.id}.")
    return 0


def cmd_delete(args: argparse.Namespace, s: CliServices) -> int:
    e = s.tracker.delete(args.id)
    _say(f"Deleted entry #{e.id} ({e.issue_key}).")
    return 0


def _backup_if_due(services: CliServices) -> None:
    try:
        services.backup_if_due()
    except ClockworkError as exc:  # the command itself matters more than today's copy
        log.warning("daily backup skipped: %s", exc)
        services.notices.append(str(exc))


def run(handler: Handler, args: argparse.Namespace, services: CliServices, *, writes: bool) -> int:
    """Run one command; map our errors to exit codes with the message on stderr. A command
    that ``writes`` to the database takes the daily backup after it succeeds, when one is due."""
    with output.safe_terminal():
        return _run(handler, args, services, writes)


def _run(handler: Handler, args: argparse.Namespace, services: CliServices, writes: bool) -> int:
    try:
        code = handler(args, services)
        if writes:
            _backup_if_due(services)
    except ClockworkError as exc:
        log.info("%s failed: %s", args.command, exc)
        print(f"clockwork-desktop: {output.clean(exc)}", file=sys.stderr)
        return exc.exit_code
    finally:
        for notice in services.notices:
            print(f"clockwork-desktop: {output.clean(notice)}", file=sys.stderr)
        services.notices.clear()
    return code
