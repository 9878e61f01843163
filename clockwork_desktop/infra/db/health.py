"""The health adapter (core.ports.HealthStore): what the doctor and the measured service
levels read: waiting entries, delays to Jira, the file's soundness and size."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from datetime import datetime

from clockwork_desktop.core.models import SyncState
from clockwork_desktop.infra.db.base import DbAdapter, dt, owned, ts
from clockwork_desktop.infra.db.database import mark_damaged


@owned
class SqliteHealth(DbAdapter):
    def oldest_pending(self, excluding: Collection[int] = ()) -> tuple[datetime, str, int] | None:
        """When the longest-waiting closed entry became ready to send, its issue, and how many
        entries wait in all; ``excluding``: ids that wait for nothing (too short to log)."""
        row = self._exec(
            "SELECT max(end_utc, coalesce(created_utc, end_utc)) AS ready, issue_key, "
            "count(*) OVER () FROM entries WHERE sync_state = 'pending' AND end_utc IS NOT NULL "
            "AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY ready LIMIT 1",
            (json.dumps(sorted(excluding)),),
        ).fetchone()
        if row is None:
            return None
        ready = dt(row[0])
        assert ready is not None
        return ready, str(row[1]), int(row[2])

    def keys_in_state(self, state: SyncState, limit: int = 20) -> list[str]:
        rows = self._exec(
            "SELECT DISTINCT issue_key FROM entries WHERE sync_state = ? ORDER BY issue_key "
            "LIMIT ?",
            (state.value, limit),
        ).fetchall()
        return [str(r[0]) for r in rows]

    def sync_delays(self, since: datetime) -> list[tuple[datetime, datetime | None]]:
        """(ready, first synced) for local entries ready since ``since``; ready is when the
        entry was stopped, or when it was made if it was logged afterwards."""
        rows = self._exec(
            "SELECT max(end_utc, coalesce(created_utc, end_utc)) AS ready, synced_utc "
            "FROM entries WHERE end_utc IS NOT NULL AND sync_state != 'remote' "
            "AND (synced_utc IS NOT NULL OR sync_state != 'synced') AND ready >= ? "
            "ORDER BY ready",
            (ts(since),),
        ).fetchall()
        return [(dt(r[0]), dt(r[1])) for r in rows]  # type: ignore[misc]

    def integrity_problems(self) -> list[str]:
        """``PRAGMA quick_check``'s findings; empty when the file is sound."""
        try:
            found = [str(r[0]) for r in self._exec("PRAGMA quick_check(20)").fetchall()]
        except sqlite3.DatabaseError as exc:  # the check itself stopped at a damaged page
            found = [str(exc)]
        if found == ["ok"]:
            return []
        if self._db.path is not None:
            mark_damaged(self._db.path)  # so that the next start moves it aside and recovers
        return found

    def size_bytes(self) -> int:
        pages = self._exec("PRAGMA page_count").fetchone()[0]
        size = self._exec("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)
