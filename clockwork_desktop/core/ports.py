"""Ports: what the services need from the outside world. Infra implements them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.core.rounding import RoundingPolicy


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

    def rounding_policy(self, account: str | None) -> RoundingPolicy: ...

    def default_account(self) -> str | None: ...
