"""Text and JSON renderings of entries and status."""

from __future__ import annotations

import contextlib
import json
import re
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO, cast
from zoneinfo import ZoneInfo

from clockwork_desktop.core.durations import format_clock, format_duration
from clockwork_desktop.core.state_words import state_label
from clockwork_desktop.core.timeinput import format_instant
from clockwork_desktop.services.tracker import EntryView, Status

_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Everything a terminal may obey: C0 (but tab and line feed), DEL, C1, bidirectional controls.
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
# json.dumps escapes C0 controls itself; these it would pass through with ensure_ascii=False.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every control character written out (ESC as ``\\x1b``), line ends kept.

    A terminal obeys escape sequences it is sent (clear the screen, rewrite the title, plant
    a hyperlink), and bidirectional overrides make a key or a name read backwards: shown
    visibly, the user sees that Jira or a repository sent them.
    """
    return _UNSAFE.sub(_shown, text)


def clean(text: object) -> str:
    """One line of text from Jira, a server or a repository, safe for a terminal."""
    flat = str(text).replace("\t", " ").replace("\r\n", " ").replace("\n", " ")
    return visible(flat)


class _Visible:
    """A text stream that writes through ``visible``: whatever a command prints is safe."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(visible(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def safe_terminal() -> Iterator[None]:
    """While a command runs, its standard output and error show control characters visibly.

    The one place that makes server- and repository-supplied text safe, so a print that forgot
    ``clean`` cannot reach the terminal with an escape sequence.
    """
    saved = sys.stdout, sys.stderr
    sys.stdout = cast("TextIO", _Visible(sys.stdout))
    sys.stderr = cast("TextIO", _Visible(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def dumps(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def entry_json(view: EntryView, zone: ZoneInfo) -> dict[str, Any]:
    e = view.entry
    return {
        "id": e.id,
        "uuid": e.uuid,
        "issue_key": e.issue_key,
        "account": e.account,
        "started": format_instant(e.started_at, zone),
        "ended": format_instant(e.ended_at, zone) if e.ended_at else None,
        "duration_seconds": view.duration_seconds,
        "log_seconds": view.log_seconds,
        "comment": e.comment,
        "sync_state": view.state.value,
        "worklog_ids": sorted(e.worklog_ids.values()),
        "error": e.error,
    }


def status_json(status: Status, zone: ZoneInfo) -> dict[str, Any]:
    running = None
    if status.running is not None:
        r = status.running
        running = {
            "id": r.id,
            "issue_key": r.issue_key,
            "started": format_instant(r.started_at, zone),
            "elapsed_seconds": status.elapsed_seconds,
            "comment": r.comment,
            "paused": r.paused,
        }
    return {
        "running": running,
        "today_seconds": status.today_seconds,
        "sync": {
            "pending": status.sync.pending,
            "failed": status.sync.failed,
            "last_synced": status.sync.last_synced,
        },
    }


def _local_minute(instant: str | None, zone: ZoneInfo) -> str:
    """A stored instant as people read it: local date and time to the minute."""
    if not instant:
        return "never"
    try:
        return datetime.fromisoformat(instant).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return instant


def status_text(status: Status, zone: ZoneInfo) -> str:
    lines = []
    if status.running is None:
        lines.append("No timer running.")
    else:
        r = status.running
        since = r.started_at.astimezone(zone).strftime("%H:%M")
        state = "Paused" if r.paused else "Running"
        lines.append(
            f"{state}: {clean(r.issue_key)} since {since} "
            f"({format_clock(status.elapsed_seconds)})"
            + (f" — {clean(r.comment)}" if r.comment else "")
        )
    lines.append(f"Today: {format_duration(status.today_seconds)}")
    sync = status.sync
    parts = [f"{sync.pending} pending", f"{sync.failed} failed"]
    if sync.conflict:
        parts.append(f"{sync.conflict} in conflict")
    lines.append(f"Sync: {', '.join(parts)}; last synced {_local_minute(sync.last_synced, zone)}")
    return "\n".join(lines)


def entries_table(views: list[EntryView], zone: ZoneInfo) -> str:
    if not views:
        return "No entries."
    header = ("ID", "DATE", "START", "END", "ISSUE", "TRACKED", "LOGS AS", "STATE", "COMMENT")
    rows = [header]
    total = 0
    for v in views:
        e = v.entry
        start = e.started_at.astimezone(zone)
        end = e.ended_at.astimezone(zone).strftime("%H:%M") if e.ended_at else "…"
        state = clean(state_label(v.state, e.error, e.needs_review))
        total += v.duration_seconds
        rows.append(
            (
                str(e.id),
                start.strftime("%Y-%m-%d"),
                start.strftime("%H:%M"),
                end,
                clean(e.issue_key),
                format_duration(v.duration_seconds),
                format_duration(v.log_seconds) if v.log_seconds else "—",
                state,
                clean(e.comment),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header) - 1)]
    lines = [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:-1])) + "  " + r[-1]
        for r in rows
    ]
    lines.append(f"Total tracked: {format_duration(total)}")
    return "\n".join(line.rstrip() for line in lines)
