"""Timer rules: pure functions over entries and instants."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import NamedTuple
from zoneinfo import ZoneInfo

from clockwork_desktop.core.days import split_into_days
from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.models import AwayPeriod, Break, DaySegment, Entry, SyncState
from clockwork_desktop.core.rounding import RoundingPolicy, is_loggable

HEARTBEAT_INTERVAL_S = 30
# A heartbeat this late means the machine slept or the app was frozen or killed.
WAKE_GAP_THRESHOLD_S = 5 * 60
# On start-up, a running timer whose last heartbeat is older than this was orphaned by a crash.
STALE_HEARTBEAT_S = 2 * HEARTBEAT_INTERVAL_S + 30
FUTURE_TOLERANCE_S = 60
# No single entry may cover more than this; a longer one is almost surely a mistake.
MAX_ENTRY_S = 7 * 24 * 3600


def clamp_future(at: datetime, now: datetime, what: str, zone: tzinfo | None = None) -> datetime:
    """Refuse an instant in the future; one within the current minute becomes ``now``.

    People type HH:MM, so "15:31" typed at 15:30:40 means "now", not 20 seconds from now.
    Nothing may end in the future, or the next timer would overlap it.
    """
    if at > now + timedelta(seconds=FUTURE_TOLERANCE_S):
        local, current = at.astimezone(zone), now.astimezone(zone)
        raise InputError(
            f"The {what} time {local:%Y-%m-%d %H:%M} is in the future; it is now "
            f"{current:%H:%M}. Use a time up to now."
        )
    return min(at, now)


def check_order(start: datetime, end: datetime) -> None:
    if end <= start:
        raise InputError("An entry must end after it starts.")
    check_span(start, end)


def check_span(start: datetime, end: datetime, hint: str = "") -> None:
    """Refuse an entry (or a running timer up to ``end``) longer than MAX_ENTRY_S.

    Whatever makes the entry (start at, stop at, log, edit), the limit is the same: queries
    look back only that far, and a longer entry is almost surely a typo in the date.
    """
    if (end - start).total_seconds() > MAX_ENTRY_S:
        raise InputError(f"An entry can be at most 7 days long.{hint and ' ' + hint}")


def latest_free_start(
    busy: Iterable[tuple[datetime, datetime]], lo: datetime, hi: datetime, length: timedelta
) -> datetime | None:
    """The start of the latest stretch of ``length`` inside ``[lo, hi)`` that nothing covers.

    Time logged without a start time goes there, flush against what follows it, the way
    Tempo and Clockwork place it; None when no free stretch is long enough.
    """
    covered: list[list[datetime]] = []  # merged, clipped to [lo, hi), in order
    for start, stop in sorted(busy):
        start, stop = max(start, lo), min(stop, hi)
        if stop <= start:
            continue
        if covered and start <= covered[-1][1]:
            covered[-1][1] = max(covered[-1][1], stop)
        else:
            covered.append([start, stop])
    gap_ends = [c[0] for c in covered] + [hi]
    gap_starts = [lo] + [c[1] for c in covered]
    for gap_start, gap_end in reversed(list(zip(gap_starts, gap_ends, strict=True))):
        if gap_end - gap_start >= length:
            return gap_end - length
    return None


class LoggedSegment(NamedTuple):
    segment: DaySegment
    log_seconds: int

    @property
    def loggable(self) -> bool:
        return is_loggable(self.log_seconds)


def worked_segments(
    entry: Entry, now: datetime, zone: ZoneInfo | None = None
) -> list[tuple[DaySegment, int]]:
    """Per local day of the entry's span, the seconds worked (its pauses left out).

    Days are the entry's own (where its worklogs go) unless ``zone`` names the days to count
    in, e.g. the user's "today" for totals.
    """
    end = entry.ended_at or now
    return [
        (seg, seg.seconds - entry.paused_seconds(seg.start, seg.end, now))
        for seg in split_into_days(entry.started_at, end, zone or entry.zone)
    ]


def log_segments(entry: Entry, policy: RoundingPolicy, now: datetime) -> list[LoggedSegment]:
    """Per local day, the seconds that will be logged to Jira (rounding applied per worklog)."""
    return [LoggedSegment(seg, policy.apply(worked)) for seg, worked in worked_segments(entry, now)]


def close_at(entry: Entry, at: datetime) -> None:
    """End ``entry`` at ``at``; a pause still going then ends it where the pause began.

    Pauses after ``at`` go, and one that reaches ``at`` means the work stopped when it began.
    """
    breaks: list[Break] = [(s, min(e or at, at)) for s, e in entry.breaks if s < at]
    while breaks and (breaks[-1][1] or at) >= at:
        at = breaks.pop()[0]
    entry.breaks = breaks
    entry.ended_at = max(at, entry.started_at)


def will_log_seconds(entry: Entry, policy: RoundingPolicy, now: datetime) -> int:
    """What Jira will receive for this entry: the loggable days only."""
    return sum(s.log_seconds for s in log_segments(entry, policy, now) if s.loggable)


def display_state(entry: Entry, policy: RoundingPolicy, now: datetime) -> SyncState:
    """The state shown to the user; "too short", "running" and "paused" are derived, never
    stored."""
    if entry.running:
        return SyncState.PAUSED if entry.paused else SyncState.RUNNING
    if entry.sync_state is SyncState.PENDING and not entry.deleted:
        segments = log_segments(entry, policy, now)
        if not any(s.loggable for s in segments):
            return SyncState.TOO_SHORT
    return entry.sync_state


def heartbeat_gap(last_seen: datetime, now: datetime) -> AwayPeriod | None:
    """A gap between heartbeats long enough to mean sleep or suspend."""
    if (now - last_seen).total_seconds() > WAKE_GAP_THRESHOLD_S:
        return AwayPeriod(last_seen, now, "sleep")
    return None


def is_orphaned(entry: Entry, now: datetime) -> bool:
    """A running timer whose watching app stopped heartbeating (crash, kill, power loss).

    Timers started from the command line while no app runs have no heartbeat and are never
    considered orphaned: nobody promised to watch them.
    """
    if not entry.running or entry.last_seen_at is None:
        return False
    return (now - entry.last_seen_at).total_seconds() > STALE_HEARTBEAT_S


def describe_entry(entry: Entry, now: datetime) -> str:
    local = entry.started_at.astimezone(entry.zone)
    when = local.strftime("%Y-%m-%d %H:%M")
    if entry.ended_at is None:
        return f"#{entry.id} {entry.issue_key} running since {when}"
    end_local = entry.ended_at.astimezone(entry.zone).strftime("%H:%M")
    length = format_duration(entry.duration_seconds(now))
    return f"#{entry.id} {entry.issue_key} {when}–{end_local} ({length})"
