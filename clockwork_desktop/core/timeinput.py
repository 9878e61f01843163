"""Parse the time, date and week arguments people type."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clockwork_desktop.core.errors import InputError

TIME_FORMS = "HH:MM (local, today) or an ISO 8601 instant such as 2026-03-09T09:00+01:00"
# 09:30, 9:30, 9.30, 9h30, 0930, 930, or an hour alone (9 is 09:00).
_HHMM_RE = re.compile(r"^(?P<h>[01]?\d|2[0-3])(?:[:.h]?(?P<m>[0-5]\d))?$")
WALL_FORMS = "HH:MM such as 09:30, or an hour alone such as 9"
_WEEK_RE = re.compile(r"^(?P<y>\d{4})-?W(?P<w>\d{2})$", re.IGNORECASE)
# Far enough either way for any real timesheet; near year 1 or 9999 a day's bounds or a time
# zone shift no longer fit in a datetime.
MIN_YEAR, MAX_YEAR = 1970, 9000


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InputError(
            f"{text.strip()!r} is out of range: dates from {MIN_YEAR} to {MAX_YEAR} are accepted."
        )


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
    return time(int(match["h"]), int(match["m"] or 0))


def parse_time(text: str, zone: ZoneInfo, base_day: date) -> datetime:
    """``HH:MM`` on ``base_day`` in ``zone``, or an ISO 8601 instant (local if no offset)."""
    wall = parse_hhmm(text)
    if wall is not None:
        return local_wall_to_utc(base_day, wall, zone)
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"Not a time: {text!r}. Accepted: {TIME_FORMS}.") from None
    _check_year(parsed.year, text)
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
        day = date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"Not a date: {text!r}. Accepted: YYYY-MM-DD, today or yesterday."
        ) from None
    _check_year(day.year, text)
    return day


def parse_week(text: str) -> tuple[int, int]:
    """``YYYY-Www`` (ISO week) as (year, week)."""
    match = _WEEK_RE.match(text.strip())
    if match:
        year, week = int(match["y"]), int(match["w"])
        _check_year(year, text)
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
