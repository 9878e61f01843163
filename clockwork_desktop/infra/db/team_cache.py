"""The team cache adapter (core.ports.TimesheetStore): Jira's worklogs for team timesheets,
read incrementally, where each feed was read to, saved teams and computed weeks."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from clockwork_desktop.core.ports import SavedTeam
from clockwork_desktop.infra.db.base import DbAdapter, owned, ts

if TYPE_CHECKING:
    from clockwork_desktop.core.timesheet import WorklogRecord


@owned
class SqliteTeamCache(DbAdapter):
    def cache_version(self) -> int:
        """Bumped by every write to the worklog cache: computed weeks older than it are stale."""
        found = self._exec(
            "SELECT value FROM settings WHERE key = 'remote_cache_version'"
        ).fetchone()
        return int(json.loads(found[0])) if found else 0

    def _bump_cache_version(self) -> None:
        self._exec(
            "INSERT INTO settings (key, value) VALUES ('remote_cache_version', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def cached_grid(self, key: str) -> tuple[int, str] | None:
        row = self._exec("SELECT version, data FROM grid_cache WHERE key = ?", (key,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def save_grid(self, key: str, version: int, data: str, week_start: date) -> None:
        with self.atomic():
            self._exec(
                "INSERT INTO grid_cache (key, version, data, week_start) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET version = excluded.version, data = excluded.data, "
                "week_start = excluded.week_start",
                (key, version, data, week_start.isoformat()),
            )
            # Keep the cache small: the 64 most recently computed weeks.
            self._exec(
                "DELETE FROM grid_cache WHERE rowid NOT IN "
                "(SELECT rowid FROM grid_cache ORDER BY rowid DESC LIMIT 64)"
            )

    def upsert_remote_worklogs(self, account: str, rows: Sequence[Sequence[Any]]) -> None:
        """Rows of (id, issue_id, issue_key, author_id, author_name, start_utc, seconds, ms)."""
        with self.atomic():
            self._bump_cache_version()
            self._db.executemany(
                "INSERT INTO remote_worklogs (account, id, issue_id, issue_key, author_id,"
                " author_name, start_utc, seconds, updated_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(account, id) DO UPDATE SET "
                "issue_id = excluded.issue_id, issue_key = excluded.issue_key, "
                "author_id = excluded.author_id, author_name = excluded.author_name, "
                "start_utc = excluded.start_utc, seconds = excluded.seconds, "
                "updated_ms = excluded.updated_ms",
                [(account, *row) for row in rows],
            )

    def delete_remote_worklogs(self, account: str, ids: Sequence[str]) -> None:
        with self.atomic():
            self._bump_cache_version()
            for start in range(0, len(ids), 500):
                batch = list(ids[start : start + 500])
                marks = ",".join("?" * len(batch))
                self._exec(
                    f"DELETE FROM remote_worklogs WHERE account = ? AND id IN ({marks})",  # noqa: S608
                    [account, *batch],
                )

    def known_issue_keys(self, account: str, issue_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(issue_ids), 500):
            batch = list(issue_ids[start : start + 500])
            marks = ",".join("?" * len(batch))
            rows = self._exec(
                "SELECT DISTINCT issue_id, issue_key FROM remote_worklogs "  # noqa: S608
                f"WHERE account = ? AND issue_id IN ({marks})",
                [account, *batch],
            ).fetchall()
            found.update({str(i): str(k) for i, k in rows})
        return found

    def remote_worklogs_between(
        self, account: str, start: datetime, end: datetime, authors: Sequence[str] | None = None
    ) -> list[WorklogRecord]:
        sql = (
            "SELECT id, author_id, author_name, issue_key, start_utc, seconds FROM "
            "remote_worklogs WHERE account = ? AND start_utc >= ? AND start_utc < ?"
        )
        params: list[Any] = [account, ts(start), ts(end)]
        if authors is not None:
            sql += f" AND author_id IN ({','.join('?' * len(authors))})"
            params.extend(authors)
        from clockwork_desktop.core.timesheet import WorklogRecord  # team timesheets only

        rows = self._exec(sql, params).fetchall()
        return [
            WorklogRecord(
                str(r[0]),
                str(r[1]),
                str(r[2] or ""),
                str(r[3]),
                datetime.fromtimestamp(r[4], UTC),
                int(r[5]),
            )
            for r in rows
        ]

    def feed_cursor(self, account: str, feed: str) -> tuple[int | None, int | None]:
        row = self._exec(
            "SELECT since_ms, fetched_utc FROM feed_cursors WHERE account = ? AND feed = ?",
            (account, feed),
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else (None, None)

    def set_feed_cursor(self, account: str, feed: str, since_ms: int, fetched_utc: int) -> None:
        self._exec(
            "INSERT INTO feed_cursors (account, feed, since_ms, fetched_utc) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(account, feed) DO UPDATE SET since_ms = excluded.since_ms, "
            "fetched_utc = excluded.fetched_utc",
            (account, feed, since_ms, fetched_utc),
        )

    def forget_feed_cursor(self, account: str, feed: str) -> None:
        self._exec("DELETE FROM feed_cursors WHERE account = ? AND feed = ?", (account, feed))

    def prune_team_cache(self, started_before: datetime, weeks_before: date) -> int:
        """Drop cached worklogs that started before ``started_before``, and the computed weeks,
        "read by date" marks and Data Center week cursors of weeks whose first day is before
        ``weeks_before``, all accounts, in one transaction. Returns how many worklogs went."""
        day = weeks_before.isoformat()
        with self.atomic():
            worklogs = self._exec(
                "DELETE FROM remote_worklogs WHERE start_utc < ?", (ts(started_before),)
            ).rowcount
            grids = self._exec(
                "DELETE FROM grid_cache WHERE week_start IS NULL OR week_start < ?", (day,)
            ).rowcount
            # Seed marks are "seed:<first>/<last>:<author>", Data Center's "week:<first>".
            marks = self._exec(
                "DELETE FROM feed_cursors WHERE "
                "(substr(feed, 1, 5) = 'seed:' OR substr(feed, 1, 5) = 'week:') "
                "AND substr(feed, 6, 10) < ?",
                (day,),
            ).rowcount
            if worklogs or grids or marks:
                self._bump_cache_version()
        return worklogs

    def seeded_authors(self, account: str, week: str) -> set[str]:
        """The people whose worklogs in ``week`` were read by date (see mark_seeded)."""
        prefix = f"seed:{week}:"
        rows = self._exec(
            "SELECT feed FROM feed_cursors WHERE account = ? AND substr(feed, 1, ?) = ?",
            (account, len(prefix), prefix),
        ).fetchall()
        return {str(r[0])[len(prefix) :] for r in rows}

    def mark_seeded(
        self, account: str, week: str, authors: Sequence[str], fetched_utc: int
    ) -> None:
        with self.atomic():
            self._db.executemany(
                "INSERT INTO feed_cursors (account, feed, since_ms, fetched_utc) "
                "VALUES (?, ?, 0, ?) ON CONFLICT(account, feed) DO UPDATE SET "
                "fetched_utc = excluded.fetched_utc",
                [(account, f"seed:{week}:{a}", fetched_utc) for a in authors],
            )

    def save_team(
        self, name: str, kind: str, ref: str, members: Sequence[Sequence[str]], account: str
    ) -> None:
        self._exec(
            "INSERT INTO teams (name, kind, ref, members, account) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, ref = excluded.ref, "
            "members = excluded.members, account = excluded.account",
            (name, kind, ref, json.dumps([list(m) for m in members]), account),
        )

    def teams(self) -> list[SavedTeam]:
        rows = self._exec("SELECT name, kind, ref, members, account FROM teams ORDER BY name")
        return [
            SavedTeam(
                r[0],
                r[1],
                r[2] or "",
                tuple(tuple(m) for m in json.loads(r[3] or "[]")),
                r[4] or "",
            )
            for r in rows.fetchall()
        ]
