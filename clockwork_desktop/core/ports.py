"""Ports: what the services need from the outside world. Infra implements them.

The Jira ports live in core/jira_ports.py and are re-exported here."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol, TypeVar

# Re-exported: callers import the Jira ports from here too.
from clockwork_desktop.core.jira_ports import AutoJiraPort as AutoJiraPort
from clockwork_desktop.core.jira_ports import IssueNow as IssueNow
from clockwork_desktop.core.jira_ports import JiraConnector as JiraConnector
from clockwork_desktop.core.jira_ports import JiraPort as JiraPort
from clockwork_desktop.core.jira_ports import Transition as Transition
from clockwork_desktop.core.jira_ports import WorklogWrite as WorklogWrite
from clockwork_desktop.core.models import Account, Entry, JiraIssue, SyncState
from clockwork_desktop.core.rounding import RoundingPolicy

if TYPE_CHECKING:  # annotations only: every CLI command imports this module
    from clockwork_desktop.core.attention import GuardKind, PendingResume, PollCursor, Suggestion
    from clockwork_desktop.core.settings import Settings
    from clockwork_desktop.core.timesheet import WorklogRecord
    from clockwork_desktop.core.worklog_state import DayWorklog, SentWrite


T = TypeVar("T")


class NewEntry(NamedTuple):
    issue_key: str
    started_at: datetime
    ended_at: datetime | None
    tz: str
    account: str | None
    comment: str = ""
    sync_state: SyncState = SyncState.PENDING
    worklog_ids: dict[str, str] | None = None
    last_seen_at: datetime | None = None
    uuid: str | None = None
    remote_author: str | None = None


class Transactional(Protocol):
    def transaction(self, fn: Callable[[], T], durable: bool = False) -> T:
        """Run ``fn`` as one transaction on the thread that owns the database, and wait for
        it: the way a service on another thread (the sync, an automatic poll) changes several
        rows at once. ``fn`` must not wait for the network or for another thread."""
        ...


class EntryRepository(Transactional, Protocol):
    def atomic(self, durable: bool = False) -> AbstractContextManager[None]:
        """One transaction; ``durable`` asks for a full fsync (timer start and stop)."""
        ...

    def add(self, new: NewEntry) -> Entry: ...

    def save(self, entry: Entry) -> None:
        """Write every mutable field of ``entry``."""
        ...

    def remove(self, entry_id: int) -> None:
        """Delete the row for good."""
        ...

    def get(self, entry_id: int) -> Entry | None: ...

    def get_by_uuid(self, uuid: str) -> Entry | None: ...

    def running(self) -> Entry | None: ...

    def last_started(self) -> Entry | None: ...

    def overlapping(
        self, start: datetime, end: datetime | None, exclude_id: int | None = None
    ) -> Entry | None:
        """An entry sharing time with ``[start, end)``; ``end`` None means open-ended."""
        ...

    def between(self, start: datetime, end: datetime) -> list[Entry]:
        """Entries that share time with ``[start, end)``, oldest first, deleted excluded."""
        ...

    def latest_end_between(self, start: datetime, end: datetime) -> datetime | None: ...

    def outbox(self) -> Iterator[Entry]:
        """Entries that need a push (pending, including soft-deleted ones)."""
        ...

    def count_by_state(self) -> dict[str, int]: ...

    def heartbeat(self, entry_id: int, at: datetime) -> None: ...

    def data_version(self) -> int:
        """Changes when another connection commits (for noticing outside writes)."""
        ...


class SettingsStore(Transactional, Protocol):
    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...

    def load_settings(self) -> Settings: ...

    def save_settings(self, settings: Settings, also: Mapping[str, Any] | None = None) -> None:
        """All of them (and the keys in ``also``) in one transaction; refuses settings whose
        validate() finds problems."""
        ...

    def rounding_policy(self, account: str | None) -> RoundingPolicy: ...

    def default_account(self) -> str | None: ...

    def account_names(self) -> list[str]: ...


class CredentialStore(Protocol):
    def get_token(self, account: Account) -> str | None: ...

    def set_token(self, account: Account, token: str) -> None: ...

    def delete_token(self, account: Account) -> None: ...

    def check_available(self) -> None:
        """Raise CredentialsUnavailableError, naming the options, when tokens cannot be kept."""
        ...


class AccountStore(Protocol):
    def accounts(self) -> list[Account]: ...

    def account(self, name: str) -> Account | None: ...

    def save_account(self, account: Account) -> None: ...

    def set_auth_blocked(self, name: str, blocked: bool) -> None: ...

    def adopt_orphan_entries(self, account: str) -> int:
        """Give entries tracked before any sign-in to ``account``."""
        ...

    def cache_issues(self, account: str, issues: list[JiraIssue], *, mine: bool) -> None: ...

    def cached_issues(
        self, account: str | None, text: str = "", limit: int = 50, *, mine: bool = False
    ) -> list[JiraIssue]: ...

    def recent_issue_keys(self, limit: int = 10) -> list[str]: ...


# How a site takes our entity property (the worklog's tag): inside the worklog body ("inline",
# Cloud), through the property resource after the create ("separate"), or not at all ("none").
Tagging = Literal["inline", "separate", "none"]
TAGGINGS: tuple[Tagging, ...] = ("inline", "separate", "none")


class SiteTagging(NamedTuple):
    """What one account's site turned out to do with our tags; None: not seen yet."""

    mode: Tagging | None = None
    # Whether tagging through the property resource moves the worklog's `updated`.
    moves_updated: bool | None = None


class ReconcileCursor(NamedTuple):
    """Where one account's reconcile had read to (services.reconcile).

    Cloud: the `/worklog/deleted` and `/worklog/updated` feeds, in epoch ms. Data Center: when
    the last run searched, and per issue the `updated` it had when all its worklogs were read.
    """

    deleted_ms: int | None = None
    updated_ms: int | None = None
    checked_at: datetime | None = None
    issues: Mapping[str, datetime] = {}  # a Mapping: read, never changed in place


class SyncStore(EntryRepository, SettingsStore, Protocol):
    """What pushing, reconciling and importing need from the store."""

    def site_tagging(self, account: str) -> SiteTagging: ...

    def set_tagging(self, account: str, mode: Tagging) -> None: ...

    def set_tag_moves_updated(self, account: str, moves: bool) -> None: ...

    def reconcile_cursor(self, account: str) -> ReconcileCursor: ...

    def save_reconcile_cursor(self, account: str, cursor: ReconcileCursor) -> None:
        """Replaces what was kept for ``account`` (issues left out are forgotten)."""
        ...

    def outbox_for(self, account: str) -> list[Entry]: ...

    def record_push(
        self,
        entry_id: int,
        *,
        remote: dict[str, DayWorklog],
        pushed_revision: int | None,
        state: SyncState | None,
        error: str | None,
        verified: bool = False,
    ) -> bool:
        """Save what a push achieved without overwriting edits made while it ran; False when
        the entry no longer exists (deleted for good meanwhile). ``verified``: what Jira held
        for a restored or copied entry has been looked up (Entry.verify_first is cleared)."""
        ...

    def remote_entries_between(
        self, account: str, start: datetime, end: datetime
    ) -> list[Entry]: ...

    def known_worklog_ids(self, account: str) -> set[str]: ...

    def synced_with_worklogs(self, account: str, since: datetime | None = None) -> list[Entry]:
        """Synced entries of ``account`` that have worklogs in Jira (started since ``since``)."""
        ...

    def requeue_failed(self, account: str) -> int: ...

    def needing_attention(self) -> list[Entry]:
        """Failed and conflict entries, oldest first."""
        ...

    def unsettled_writes(self, account: str) -> list[tuple[str, SentWrite]]:
        """(issue, what was sent) for every create of ``account`` whose answer was lost."""
        ...

    def cache_issues(self, account: str, issues: list[JiraIssue], *, mine: bool) -> None: ...


class SyncLock(Protocol):
    """Held while a sync runs, across processes; released when the holder dies."""

    def acquire(self) -> bool: ...

    def release(self) -> None: ...


class SavedTeam(NamedTuple):
    name: str
    kind: str  # "group", "people" or "me"
    ref: str  # the Jira group, for kind "group"
    members: tuple[tuple[str, ...], ...]  # (account id, display name[, username])
    account: str


class TimesheetStore(SettingsStore, Protocol):
    def atomic(self, durable: bool = False) -> AbstractContextManager[None]: ...

    def upsert_remote_worklogs(self, account: str, rows: Sequence[Sequence[object]]) -> None: ...

    def delete_remote_worklogs(self, account: str, ids: Sequence[str]) -> None: ...

    def known_issue_keys(self, account: str, issue_ids: Sequence[str]) -> dict[str, str]: ...

    def remote_worklogs_between(
        self, account: str, start: datetime, end: datetime, authors: Sequence[str] | None = None
    ) -> list[WorklogRecord]: ...

    def feed_cursor(self, account: str, feed: str) -> tuple[int | None, int | None]: ...

    def set_feed_cursor(self, account: str, feed: str, since_ms: int, fetched_utc: int) -> None: ...

    def forget_feed_cursor(self, account: str, feed: str) -> None: ...

    def prune_team_cache(self, started_before: datetime, weeks_before: date) -> int:
        """Forget the team's worklogs, computed weeks and "read by date" marks older than these
        bounds, in one transaction; the number of worklogs forgotten."""
        ...

    def save_team(
        self, name: str, kind: str, ref: str, members: Sequence[Sequence[str]], account: str
    ) -> None: ...

    def teams(self) -> list[SavedTeam]: ...

    def seeded_authors(self, account: str, week: str) -> set[str]: ...

    def mark_seeded(
        self, account: str, week: str, authors: Sequence[str], fetched_utc: int
    ) -> None: ...

    def issue_summaries(self, keys: Sequence[str]) -> dict[str, str]: ...

    def cache_version(self) -> int: ...

    def cached_grid(self, key: str) -> tuple[int, str] | None: ...

    def save_grid(self, key: str, version: int, data: str, week_start: date) -> None: ...


class HealthStore(Protocol):
    def count_by_state(self) -> dict[str, int]: ...

    def oldest_pending(
        self, excluding: Collection[int] = ()
    ) -> tuple[datetime, str, int] | None: ...

    def keys_in_state(self, state: SyncState, limit: int = 20) -> list[str]: ...

    def sync_delays(self, since: datetime) -> list[tuple[datetime, datetime | None]]: ...

    def integrity_problems(self) -> list[str]: ...

    def size_bytes(self) -> int: ...

    def get_setting(self, key: str, default: Any = None) -> Any: ...


class HealthEnvironment(Protocol):
    """What only the adapters can see: the keyring, the disk, the backups."""

    def keyring_backend(self) -> str | None:
        """The keyring's name, or None when there is no usable one."""
        ...

    def env_token_set(self) -> bool: ...

    def free_bytes(self) -> int: ...

    def newest_backup(self) -> tuple[str, datetime] | None: ...

    def backup_count(self) -> int: ...


class Notifier(Protocol):
    def notify(self, title: str, message: str, actions: tuple[str, ...] = ()) -> None:
        """Tell the user; ``actions`` name the answers offered (the tray shows them)."""
        ...


class BranchReader(Protocol):
    def branch(self, repo: str) -> str | None:
        """The branch checked out in ``repo`` (a worktree too); None if detached or unreadable."""
        ...


class EntryHistory(Protocol):
    """Why automatic timers started and stopped, kept beside the entries."""

    def add_history(
        self, entry_uuid: str, at: datetime, event: str, why: dict[str, Any]
    ) -> None: ...

    def history_of(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        """Per entry uuid, its events oldest first: {"event", "at", ...why}."""
        ...


class AutoTimerState(Protocol):
    """What the automatic timers keep between polls, typed (infra/db/auto_state.py). Unreadable
    state reads as none: the next poll starts afresh rather than failing."""

    def poll_cursor(self, account: str) -> PollCursor | None: ...

    def set_poll_cursor(self, account: str, cursor: PollCursor) -> None: ...

    def pending_resume(self) -> PendingResume | None: ...

    def set_pending_resume(self, resume: PendingResume | None) -> None: ...

    def suggestion(self) -> Suggestion | None:
        """The issue of the branch checked out last, while that branch stays checked out."""
        ...

    def set_suggestion(self, suggestion: Suggestion | None) -> None: ...

    def branches_seen(self) -> dict[str, str | None]:
        """Per watched repository, the branch seen last (None: detached or unreadable)."""
        ...

    def set_branches_seen(self, branches: Mapping[str, str | None]) -> None: ...


class GuardAnswers(Protocol):
    """The guards the user answered: (entry id, kind), the latest few."""

    def answered_guards(self) -> list[tuple[int, GuardKind]]: ...

    def set_answered_guards(self, answered: Sequence[tuple[int, GuardKind]]) -> None: ...


class GlobalShortcut(Protocol):
    """A key combination that reaches us from any application (infra/hotkey.py)."""

    def available(self) -> str | None:
        """None where a shortcut can be taken here; otherwise why not, in a sentence."""
        ...

    def register(self, spec: str, callback: Callable[[], None]) -> str | None:
        """Take ``spec`` (Qt's portable text), replacing the key held before; None when it
        worked, else the problem. ``callback`` runs on a background thread."""
        ...

    def unregister(self) -> None: ...

    def close(self) -> None: ...
