"""Builds the adapters and services on first use, so each command pays only for what it uses."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from clockwork_desktop.core.clock import Clock, SystemClock
from clockwork_desktop.infra.db.database import OpenedDatabase, open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.infra.localzone import local_zone
from clockwork_desktop.services.tracker import TrackerService


class AppServices:
    def __init__(self, data_dir: Path, clock: Clock | None = None) -> None:
        self.data_dir = data_dir
        self.clock: Clock = clock or SystemClock()
        self.notices: list[str] = []
        self._db: OpenedDatabase | None = None

    @cached_property
    def store(self) -> SqliteStore:
        self._db = open_database(self.data_dir)
        self.notices.extend(self._db.notices)
        return SqliteStore(self._db.conn, self._db.path)

    @cached_property
    def zone(self) -> ZoneInfo:
        return local_zone(self.store.get_setting("timezone"))

    @cached_property
    def tracker(self) -> TrackerService:
        return TrackerService(self.store, self.store, self.clock, self.zone)

    def close(self) -> None:
        if self._db is not None:
            self._db.conn.close()
            self._db = None
