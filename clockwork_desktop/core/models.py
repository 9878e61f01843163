"""Domain records. Instants are aware datetimes in UTC, whole seconds."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from clockwork_desktop.core.errors import InputError

ISSUE_KEY_RE = re.compile(r"^[A-Z][A-Z0-9_]{0,49}-[1-9]\d{0,11}$")


def normalise_issue_key(text: str) -> str:
    """Upper-case and validate a Jira issue key such as ``PROJ-123``."""
    key = text.strip().upper()
    if not ISSUE_KEY_RE.match(key):
        raise InputError(
            f"Not a Jira issue key: {text!r}. Expected a project key, a dash and a number, "
            "e.g. PROJ-123."
        )
    return key


class SyncState(enum.StrEnum):
    PENDING = "pending"
    SYNCED = "synced"
    FAILED = "failed"
    CONFLICT = "conflict"
    REMOTE = "remote"  # imported from Jira, never pushed back
    # Derived, never stored: every day of the entry is under Jira's one-minute minimum.
    TOO_SHORT = "too_short"
    RUNNING = "running"


@dataclass(slots=True)
class Entry:
    id: int
    uuid: str
    issue_key: str
    started_at: datetime
    ended_at: datetime | None
    tz: str
    account: str | None = None
    comment: str = ""
    revision: int = 1
    sync_state: SyncState = SyncState.PENDING
    worklog_ids: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    last_seen_at: datetime | None = None
    needs_review: bool = False
    deleted: bool = False
    synced_revision: int = 0

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def duration_seconds(self, now: datetime) -> int:
        end = self.ended_at or now
        return max(0, int((end - self.started_at).total_seconds()))

    def local_start_date(self) -> date:
        return self.started_at.astimezone(self.zone).date()


@dataclass(frozen=True, slots=True)
class DaySegment:
    """The part of an entry that falls on one local calendar day."""

    day: date
    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


@dataclass(frozen=True, slots=True)
class AwayPeriod:
    """Time the user was not at the machine (idle, asleep, app not running)."""

    start: datetime
    end: datetime
    reason: str  # "idle", "sleep" or "not_running"

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())
