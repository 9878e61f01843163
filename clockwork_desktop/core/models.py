"""Domain records. Instants are aware datetimes in UTC, whole seconds."""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.worklog_state import DayWorklog, linked_ids

# The zone used where a stored or received zone name cannot be read here; callers say so.
FALLBACK_ZONE = "UTC"


def zone_or_none(name: object) -> ZoneInfo | None:
    """The IANA zone ``name``; None for no name or one this computer's zone database cannot
    read: a retired name that Jira profiles may still carry (``US/Pacific-New``), a damaged
    one, a folder of zones (``America``). Every zone name from outside goes through here."""
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def unknown_zone_note(name: str | None, instead: str) -> str | None:
    """What to tell the user when their Jira profile's zone cannot be read here."""
    if not name or zone_or_none(name) is not None:
        return None
    return (
        f"Your Jira profile's time zone {name!r} is not one this computer knows (a retired or "
        f"damaged name); {instead}."
    )


# The name of the environment variable that carries a token for one run (never stored).
TOKEN_ENV_VAR = "CLOCKWORK_JIRA_TOKEN"  # noqa: S105 - a variable name, not a secret
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
    PAUSED = "paused"  # derived too: an open entry whose timer counts no time for now


# A pause inside an entry: its start, and its end (None while it lasts).
Break = tuple[datetime, datetime | None]


class Entry:
    """One stretch of tracked time. Mutable: services change it and save it back.

    A plain slotted class rather than a dataclass: the CLI imports this on every command, and
    generating dataclasses costs more start-up time than the whole status query.
    """

    __slots__ = (
        "account",
        "breaks",
        "comment",
        "deleted",
        "ended_at",
        "error",
        "id",
        "issue_key",
        "last_seen_at",
        "needs_review",
        "remote",
        "revision",
        "started_at",
        "sync_state",
        "synced_revision",
        "tz",
        "uuid",
        "verify_first",
    )

    def __init__(
        self,
        id: int,
        uuid: str,
        issue_key: str,
        started_at: datetime,
        ended_at: datetime | None,
        tz: str,
        account: str | None = None,
        comment: str = "",
        revision: int = 1,
        sync_state: SyncState = SyncState.PENDING,
        remote: dict[str, DayWorklog] | None = None,
        error: str | None = None,
        last_seen_at: datetime | None = None,
        needs_review: bool = False,
        deleted: bool = False,
        synced_revision: int = 0,
        breaks: list[Break] | None = None,
        verify_first: bool = False,
    ) -> None:
        self.id = id
        self.uuid = uuid
        self.issue_key = issue_key
        self.started_at = started_at
        self.ended_at = ended_at
        self.tz = tz
        self.account = account
        self.comment = comment
        self.revision = revision
        self.sync_state = sync_state
        # Per local day (ISO date), the Jira worklog behind it (core.worklog_state).
        self.remote: dict[str, DayWorklog] = remote if remote is not None else {}
        self.error = error
        self.last_seen_at = last_seen_at
        self.needs_review = needs_review
        self.deleted = deleted
        self.synced_revision = synced_revision
        # Pauses inside the entry, oldest first; the last one is open while the timer is paused.
        # Paused time is part of the entry's span but never counted or logged.
        self.breaks: list[Break] = breaks if breaks is not None else []
        # From a restored or copied store: what Jira may already hold for it is looked up
        # (by tag or fingerprint) before anything is posted, once.
        self.verify_first = verify_first

    def _fields(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Entry(id={self.id}, issue_key={self.issue_key!r}, started_at={self.started_at}, "
            f"ended_at={self.ended_at}, sync_state={self.sync_state.value})"
        )

    @property
    def worklog_ids(self) -> dict[str, str]:
        """Day -> id of the worklogs Jira has confirmed."""
        return linked_ids(self.remote)

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def paused(self) -> bool:
        return self.running and bool(self.breaks) and self.breaks[-1][1] is None

    def paused_seconds(self, lo: datetime, hi: datetime, now: datetime) -> int:
        """Seconds of pause inside ``[lo, hi)``."""
        total = 0.0
        for start, end in self.breaks:
            overlap = (min(end or now, hi) - max(start, lo)).total_seconds()
            total += max(0.0, overlap)
        return int(total)

    @property
    def zone(self) -> ZoneInfo:
        """The zone the entry's days are counted in; UTC when this computer cannot read the
        stored name (a damaged row, a retired zone), so one row never stops a listing."""
        return zone_or_none(self.tz) or ZoneInfo(FALLBACK_ZONE)

    def duration_seconds(self, now: datetime) -> int:
        """Worked seconds: the span up to the end (or now) without its pauses."""
        end = self.ended_at or now
        span = int((end - self.started_at).total_seconds())
        if self.breaks:
            span -= self.paused_seconds(self.started_at, end, now)
        return max(0, span)

    def local_start_date(self) -> date:
        return self.started_at.astimezone(self.zone).date()


class DaySegment(NamedTuple):
    """The part of an entry that falls on one local calendar day."""

    day: date
    start: datetime
    end: datetime

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


# What the user chose for an away period (services.tracker.TrackerService.resolve_away).
AwayChoice = Literal["keep", "discard", "stop", "assign"]


class AwayPeriod(NamedTuple):
    """Time the user was not at the machine (idle, asleep, app not running)."""

    start: datetime
    end: datetime
    reason: str  # "idle", "sleep" or "not_running"

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


class Account(NamedTuple):
    """A Jira site the user signed in to. Never holds the token."""

    name: str
    url: str
    deployment: str  # "cloud" or "datacenter"
    auth_kind: str  # "basic" (email + API token) or "bearer" (personal access token)
    email: str | None
    account_id: str
    display_name: str
    time_zone: str | None
    is_default: bool = False
    rounding: str = "none"
    auth_blocked: bool = False

    @property
    def is_cloud(self) -> bool:
        return self.deployment == "cloud"


class JiraUser(NamedTuple):
    account_id: str  # Cloud: the accountId; Data Center: the user key (worklog authors carry it)
    display_name: str
    time_zone: str | None
    email: str | None = None
    name: str | None = None  # Data Center username: what JQL takes; None on Cloud


class JiraIssue(NamedTuple):
    key: str
    summary: str
    status: str = ""
    done: bool = False
    updated: datetime | None = None


class RemoteWorklog(NamedTuple):
    id: str
    issue_id: str
    started: datetime
    seconds: int
    comment: str
    author_id: str
    updated: datetime | None
    properties: dict[str, object]
    author_name: str = ""
