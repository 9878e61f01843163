"""Ports: what the services need from the outside world. Infra implements them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from clockwork_desktop.core.models import (
    Account,
    Entry,
    JiraIssue,
    JiraUser,
    RemoteWorklog,
    SyncState,
)
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.settings import Settings
from clockwork_desktop.core.worklog_state import DayWorklog


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


class EntryRepository(Protocol):
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


class SettingsStore(Protocol):
    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...

    def load_settings(self) -> Settings: ...

    def save_settings(self, settings: Settings) -> None:
        """All of them in one transaction; refuses settings whose validate() finds problems."""
        ...

    def rounding_policy(self, account: str | None) -> RoundingPolicy: ...

    def default_account(self) -> str | None: ...

    def account_names(self) -> list[str]: ...


class WorklogWrite(NamedTuple):
    """What we send for one worklog: the rounding policy is already applied."""

    started: datetime
    zone: str
    seconds: int
    comment: str
    properties: dict[str, Any]


class JiraPort(Protocol):
    """One signed-in Jira site. Every method may raise the Jira* errors of core.errors."""

    def server_info(self) -> dict[str, Any]: ...

    def myself(self) -> JiraUser: ...

    def add_worklog(self, issue_key: str, write: WorklogWrite) -> RemoteWorklog:
        """Raises JiraInlinePropertiesRefusedError when the site refuses inline properties."""
        ...

    def update_worklog(
        self, issue_key: str, worklog_id: str, write: WorklogWrite
    ) -> RemoteWorklog: ...

    def delete_worklog(self, issue_key: str, worklog_id: str) -> None: ...

    def get_worklog(self, issue_key: str, worklog_id: str) -> RemoteWorklog: ...

    def set_worklog_property(
        self, issue_key: str, worklog_id: str, key: str, value: Any
    ) -> None: ...

    def get_worklog_property(self, issue_key: str, worklog_id: str, key: str) -> Any | None: ...

    def worklogs_of(self, issue_key: str) -> list[RemoteWorklog]:
        """Every worklog of the issue, all pages, with properties where the site gives them."""
        ...

    def worklogs_started_between(
        self, issue_key: str, after: datetime, before: datetime
    ) -> list[RemoteWorklog]:
        """The issue's worklogs whose start is in ``[after, before)``, with properties."""
        ...

    def search(self, jql: str, limit: int = 100) -> list[JiraIssue]: ...

    def issue(self, key: str) -> JiraIssue: ...

    def pick_issues(self, text: str, limit: int = 20) -> list[JiraIssue]: ...

    def close(self) -> None: ...

    # Team timesheets.
    def worklog_feed(self, kind: str, since_ms: int) -> tuple[list[tuple[str, int]], int, bool]:
        """One page of /worklog/{kind} (updated or deleted): ((id, ms)), until, last page."""
        ...

    def worklogs_by_ids(self, ids: list[str]) -> list[RemoteWorklog]: ...

    def issue_keys(self, issue_ids: list[str]) -> dict[str, str]: ...

    def group_members(self, group: str) -> list[JiraUser]: ...

    def find_users(self, text: str) -> list[JiraUser]: ...


class JiraConnector(Protocol):
    """Builds a client for a site and a token (the composition root decides how).

    ``deployment`` is ``cloud`` (email + API token) or ``datacenter`` (personal access token).
    ``on_auth_failure`` runs when Jira refuses the token, whatever the request was.
    """

    def connect(
        self,
        url: str,
        deployment: str,
        email: str | None,
        token: str,
        on_auth_failure: Callable[[], None] | None = None,
    ) -> JiraPort: ...


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


class SyncStore(EntryRepository, SettingsStore, Protocol):
    """What pushing, reconciling and importing need from the store."""

    def outbox_for(self, account: str) -> list[Entry]: ...

    def record_push(
        self,
        entry_id: int,
        *,
        remote: dict[str, DayWorklog],
        pushed_revision: int | None,
        state: SyncState | None,
        error: str | None,
    ) -> None:
        """Save what a push achieved without overwriting edits made while it ran."""
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

    def cache_issues(self, account: str, issues: list[JiraIssue], *, mine: bool) -> None: ...


class SyncLock(Protocol):
    """Held while a sync runs, across processes; released when the holder dies."""

    def acquire(self) -> bool: ...

    def release(self) -> None: ...
