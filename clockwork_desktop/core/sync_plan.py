"""What Jira should hold for an entry: one worklog per local day, tagged with our entry.

Jira has no idempotency key, so every worklog we create carries an entity property naming
our entry UUID and day. After a write whose outcome is unknown, we look for that property
before writing again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from clockwork_desktop.core.models import Entry, RemoteWorklog
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.timer import log_segments

PROPERTY_KEY = "com.clockwork-desktop.entry"
# A write whose outcome is unknown is recorded as "?<started in epoch ms>" until resolved.
UNKNOWN_PREFIX = "?"


class WantedWorklog(NamedTuple):
    day: str
    started: datetime
    seconds: int


def wanted_worklogs(
    entry: Entry, policy: RoundingPolicy, now: datetime
) -> dict[str, WantedWorklog]:
    """Per local day (ISO date), the worklog Jira should hold; days under a minute are left out."""
    if entry.deleted or entry.running:
        return {}
    return {
        s.segment.day.isoformat(): WantedWorklog(
            s.segment.day.isoformat(), s.segment.start, s.log_seconds
        )
        for s in log_segments(entry, policy, now)
        if s.loggable
    }


def property_value(entry: Entry, day: str) -> dict[str, Any]:
    return {"uuid": entry.uuid, "day": day, "rev": entry.revision}


def is_ours(worklog: RemoteWorklog, entry_uuid: str, day: str) -> bool:
    value = worklog.properties.get(PROPERTY_KEY)
    return isinstance(value, dict) and value.get("uuid") == entry_uuid and value.get("day") == day


def unknown_marker(started: datetime) -> str:
    return f"{UNKNOWN_PREFIX}{int(started.timestamp() * 1000)}"


def marker_instant(marker: str) -> datetime | None:
    if not marker.startswith(UNKNOWN_PREFIX):
        return None
    return datetime.fromtimestamp(int(marker[1:]) / 1000, UTC)


def differs(remote: RemoteWorklog, wanted: WantedWorklog, comment: str) -> bool:
    return (
        remote.started != wanted.started.replace(microsecond=0)
        or remote.seconds != wanted.seconds
        or remote.comment.strip() != comment.strip()
    )
