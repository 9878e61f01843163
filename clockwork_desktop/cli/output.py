"""Text and JSON renderings of entries and status."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from clockwork_desktop.core.durations import format_clock, format_duration
from clockwork_desktop.core.state_words import state_label
from clockwork_desktop.core.timeinput import format_instant
from clockwork_desktop.services.tracker import EntryView, Status

# Whole escape sequences first (CSI, OSC with either terminator), so no half is left to show.
_ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
# json.dumps escapes C0 controls itself; these it would pass through with ensure_ascii=False.
_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}]")


def clean(text: object) -> str:
    """One line of text from Jira or a server, safe for a terminal.

    A terminal obeys escape sequences it is sent (clear the screen, rewrite the title, plant
    a hyperlink), and bidirectional overrides make a key or a name read backwards.
    """
    flat = str(text).replace("\t", " ").replace("\r\n", " ").replace("\n", " ")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", flat))


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
