"""Parse and format human durations ("1h 30m", "1:30", "90m", "1.5h")."""

from __future__ import annotations

import re

from clockwork_desktop.core.errors import InputError

ACCEPTED_FORMS = (
    "1h30m, 1h 30m, 1h30, 90m, 1.5h (or 1,5h), 1:30, 2h15m30s, or a bare number of minutes (90)"
)

_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}
_UNITS_RE = re.compile(r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m)?(?:(?P<s>\d+)s)?$")
_CLOCK_RE = re.compile(r"^(?P<h>\d+):(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?$")
_NUMBER_RE = re.compile(r"^\d+(?:\.\d+)?$")
# "1h30" as people write it: minutes after the hours without their unit.
_HOURS_MINUTES_RE = re.compile(r"^(?P<h>\d+)h(?P<m>[0-5]?\d)$")
MAX_DURATION_S = 7 * 24 * 3600


def parse_duration(text: str) -> int:
    """Return whole seconds for ``text``; raise InputError listing the accepted forms."""
    raw = text.strip().lower()
    # A decimal comma ("1,5h") is how much of Europe writes a fraction.
    compact = re.sub(r"(?<=\d),(?=\d)", ".", re.sub(r"\s+", "", raw))
    seconds: float | None = None
    if compact and _NUMBER_RE.match(compact):
        seconds = float(compact) * 60
    elif match := _CLOCK_RE.match(compact):
        seconds = int(match["h"]) * 3600 + int(match["m"]) * 60 + int(match["s"] or 0)
    elif match := _HOURS_MINUTES_RE.match(compact):
        seconds = int(match["h"]) * 3600 + int(match["m"]) * 60
    elif compact and (match := _UNITS_RE.match(compact)):
        seconds = sum(float(match[u]) * _UNIT_SECONDS[u] for u in "hms" if match[u] is not None)
    if seconds is None:
        raise InputError(f"Not a duration: {text!r}. Accepted forms: {ACCEPTED_FORMS}.")
    total = round(seconds)
    if total <= 0:
        raise InputError(f"A duration must be longer than zero: {text!r}.")
    if total > MAX_DURATION_S:
        raise InputError(f"A duration must be at most 7 days: {text!r}.")
    return total


def format_duration(seconds: int) -> str:
    """Format seconds as ``1h 30m``; seconds are shown only under a minute (``45s``)."""
    if seconds < 0:
        return "-" + format_duration(-seconds)
    if seconds < 60:
        return f"{seconds}s"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours}h {minutes}m"
    if hours:
        return f"{hours}h"
    return f"{minutes}m"


def format_clock(seconds: int) -> str:
    """Format seconds as ``H:MM:SS`` for a live timer display."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def count_entries(n: int) -> str:
    """ "1 entry", "3 entries": counts in words people read in menus and notifications."""
    return f"{n} entry" if n == 1 else f"{n} entries"
