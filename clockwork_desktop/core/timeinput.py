"""Parse the time, date and week arguments people type."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clockwork_desktop.core.errors import InputError

TIME_FORMS = "HH:MM (local, today) or an ISO 8601 instant such as 2026-03-09T09:00+01:00"
_HHMM_RE = re.compile(r"^(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)$")
_WEEK_RE = re.compile(r"^(?P<y>\d{4})-?W(?P<w>\d{2})$", re.IGNORECASE)


def local_wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time on ``day`` as a UTC instant.

    In a DST gap the wall time does not exist; we take the instant it would have been before
    the jump (fold=0). In an overlap the first occurrence wins.
    """
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def parse_hhmm(text: str) -> time | None:
    match = _HHMM_RE.match(text.strip())
    if not match:
        return None
    return time(int(match["h"]), int(match["m"]))


def parse_time(text: str, zone: ZoneInfo, base_day: date) -> datetime:
    """``HH:MM`` on ``base_day`` in ``zone``, or an ISO 8601 instant (local if no offset)."""
    wall = parse_hhmm(text)
    if wall is not None:
        return local_wall_to_utc(base_day, wall, zone)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"Not a time: {text!r}. Accepted: {TIME_FORMS}.") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC).replace(microsecond=0)


def parse_date(text: str, today: date) -> date:
    """``YYYY-MM-DD``, ``today`` or ``yesterday``."""
    value = text.strip().lower()
    if value == "today":
        return today
    if value == "yesterday":
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"Not a date: {text!r}. Accepted: YYYY-MM-DD, today or yesterday."
        ) from None


def parse_week(text: str) -> tuple[int, int]:
    """``YYYY-Www`` (ISO week) as (year, week)."""
    match = _WEEK_RE.match(text.strip())
    if match:
        year, week = int(match["y"]), int(match["w"])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            pass
        else:
            return year, week
    raise InputError(f"Not an ISO week: {text!r}. Accepted: YYYY-Www, e.g. 2026-W09.")


def format_instant(at: datetime, zone: ZoneInfo) -> str:
    """ISO 8601 with the local offset, whole seconds."""
    return at.astimezone(zone).replace(microsecond=0).isoformat()
