"""Local calendar days, DST-safe in any zone (including +05:30, +05:45 and half-hour DST)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clockwork_desktop.core.models import DaySegment


def start_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone``.

    Where midnight does not exist (a DST jump at 00:00), the day begins at the jump; fold=0
    maps the missing wall time onto the transition instant for forward jumps.
    """
    local = datetime.combine(day, time(0), tzinfo=zone)
    instant = local.astimezone(UTC)
    # A nonexistent local midnight round-trips to a later wall time on the same day; an instant
    # that lands on the previous day would mean the zone skipped the whole hour before it.
    if instant.astimezone(zone).date() < day:
        instant = datetime.combine(day, time(1), tzinfo=zone).astimezone(UTC)
    return instant


def split_into_days(start: datetime, end: datetime, zone: ZoneInfo) -> list[DaySegment]:
    """Cut ``[start, end)`` at each local midnight of ``zone``; an empty span gives no segments."""
    if end <= start:
        return []
    segments: list[DaySegment] = []
    cursor = start
    day = start.astimezone(zone).date()
    while cursor < end:
        next_start = start_of_local_day(day + timedelta(days=1), zone)
        seg_end = min(end, next_start)
        if seg_end > cursor:
            segments.append(DaySegment(day, cursor.astimezone(UTC), seg_end.astimezone(UTC)))
        cursor = seg_end
        day += timedelta(days=1)
    return segments


def local_day_bounds(first: date, last: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC instants covering local days ``first`` to ``last`` inclusive."""
    return start_of_local_day(first, zone), start_of_local_day(last + timedelta(days=1), zone)
