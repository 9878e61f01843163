"""The sync bookkeeping adapter (core.ports.SyncStore): what pushing, reconciling and
importing read and record beside the entries, and what each site turned out to do.

What a site does with our tags (``site_tagging``) and where each account's reconcile had read
to (``reconcile_cursor``) are rows of their own tables (migration 10), read back as the typed
records of core.ports; a damaged value reads as "not known yet", which only costs a request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.core.ports import TAGGINGS, ReconcileCursor, SiteTagging, Tagging
from clockwork_desktop.infra.db.base import owned, ts
from clockwork_desktop.infra.db.entries import SqliteEntries

if TYPE_CHECKING:
    from clockwork_desktop.core.worklog_state import DayWorklog, SentWrite

log = get_logger(__name__)


@owned
class SqliteSyncBookkeeping(SqliteEntries):
    def outbox_for(self, account: str) -> list[Entry]:
        return self._many(
            "sync_state = 'pending' AND end_utc IS NOT NULL AND account = ? "
            "ORDER BY issue_key, start_utc",
            (account,),
        )

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
        """Save what a push achieved without overwriting edits made while it ran.

        ``pushed_revision`` is the revision that Jira now holds (None: unchanged). The entry
        counts as synced only if nobody edited it meanwhile. False: the entry is gone.
        """
        with self.atomic():
            current = self.get(entry_id)
            if current is None:
                return False
            current.remote = remote
            current.error = error
            if pushed_revision is not None:
                current.synced_revision = pushed_revision
            if state is not None:
                current.sync_state = state
            if current.sync_state is SyncState.SYNCED and (
                current.revision != current.synced_revision
            ):
                current.sync_state = SyncState.PENDING
            self.save(current)
            if verified:
                # Only here: save() leaves the mark alone, so that no copy of an entry read
                # before the store was marked can clear it.
                self._exec("UPDATE entries SET verify_first = 0 WHERE id = ?", (entry_id,))
            return True

    def remote_entries_between(self, account: str, start: datetime, end: datetime) -> list[Entry]:
        return self._many(
            "sync_state = 'remote' AND account = ? AND start_utc >= ? AND start_utc < ?",
            (account, ts(start), ts(end)),
        )

    def known_worklog_ids(self, account: str) -> set[str]:
        rows = self._exec(
            "SELECT worklog_ids FROM entries WHERE account = ? AND worklog_ids != '{}'",
            (account,),
        ).fetchall()
        found: set[str] = set()
        for (text,) in rows:
            found.update(v for v in json.loads(text).values() if not str(v).startswith("?"))
        return found

    def synced_with_worklogs(self, account: str, since: datetime | None = None) -> list[Entry]:
        where = "sync_state = 'synced' AND account = ? AND worklog_ids != '{}'"
        params: tuple[Any, ...] = (account,)
        if since is not None:
            where += " AND end_utc >= ?"
            params += (ts(since),)
        return self._many(where + " ORDER BY start_utc", params)

    def unsettled_writes(self, account: str) -> list[tuple[str, SentWrite]]:
        """(issue, what was sent) for every create of ``account`` whose answer was lost."""
        entries = self._many("account = ? AND remote_meta LIKE '%\"sent\"%'", (account,))
        return [
            (w.issue, w.sent)
            for e in entries
            for w in e.remote.values()
            if w.unsettled and w.sent is not None
        ]

    def needing_attention(self) -> list[Entry]:
        return self._many("sync_state IN ('failed', 'conflict') ORDER BY start_utc")

    def requeue_failed(self, account: str) -> int:
        """The user asked to try refused entries again, and lost writes Jira held twice."""
        cursor = self._exec(
            "UPDATE entries SET sync_state = 'pending', error = NULL WHERE account = ? AND "
            "(sync_state = 'failed' OR (sync_state = 'conflict' AND remote_meta LIKE "
            "'%\"sent\"%'))",
            (account,),
        )
        return cursor.rowcount

    # -- what each site does with our tags -------------------------------------------------

    def site_tagging(self, account: str) -> SiteTagging:
        row = self._exec(
            "SELECT mode, moves_updated FROM site_tagging WHERE account = ?", (account,)
        ).fetchone()
        return decode_tagging(row[0], row[1]) if row else SiteTagging()

    def set_tagging(self, account: str, mode: Tagging) -> None:
        if mode not in TAGGINGS:
            raise ValueError(f"no such tagging: {mode!r}")
        self._exec(
            "INSERT INTO site_tagging (account, mode) VALUES (?, ?) "
            "ON CONFLICT(account) DO UPDATE SET mode = excluded.mode",
            (account, mode),
        )

    def set_tag_moves_updated(self, account: str, moves: bool) -> None:
        self._exec(
            "INSERT INTO site_tagging (account, moves_updated) VALUES (?, ?) "
            "ON CONFLICT(account) DO UPDATE SET moves_updated = excluded.moves_updated",
            (account, int(moves)),
        )

    # -- where each account's reconcile had read to ----------------------------------------

    def reconcile_cursor(self, account: str) -> ReconcileCursor:
        row = self._exec(
            "SELECT deleted_ms, updated_ms, checked_ms FROM reconcile_cursors WHERE account = ?",
            (account,),
        ).fetchone()
        issues = self._exec(
            "SELECT issue_key, updated FROM reconcile_issues WHERE account = ?", (account,)
        ).fetchall()
        return decode_cursor(row, issues)

    def save_reconcile_cursor(self, account: str, cursor: ReconcileCursor) -> None:
        with self.atomic():
            self._exec(
                "INSERT INTO reconcile_cursors (account, deleted_ms, updated_ms, checked_ms) "
                "VALUES (?, ?, ?, ?) ON CONFLICT(account) DO UPDATE SET "
                "deleted_ms = excluded.deleted_ms, updated_ms = excluded.updated_ms, "
                "checked_ms = excluded.checked_ms",
                (account, cursor.deleted_ms, cursor.updated_ms, epoch_ms(cursor.checked_at)),
            )
            self._exec("DELETE FROM reconcile_issues WHERE account = ?", (account,))
            self._db.executemany(
                "INSERT INTO reconcile_issues (account, issue_key, updated) VALUES (?, ?, ?)",
                [(account, key, at.isoformat()) for key, at in cursor.issues.items()],
            )


# -- codecs: the typed records and their rows (also used by migration 10) -------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_ms(at: datetime | None) -> int | None:
    """Exact to the millisecond (float seconds times 1000 can be one off)."""
    return None if at is None else (at - _EPOCH) // timedelta(milliseconds=1)


def decode_tagging(mode: Any, moves: Any) -> SiteTagging:
    known: Tagging | None = next((t for t in TAGGINGS if t == mode), None)
    if mode is not None and known is None:
        log.warning("a remembered tagging %r is unknown here; it is found out again", mode)
    return SiteTagging(known, bool(moves) if moves in (0, 1) else None)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def decode_cursor(row: Sequence[Any] | None, issues: Sequence[Sequence[Any]]) -> ReconcileCursor:
    verified: dict[str, datetime] = {}
    for key, text in issues:
        try:
            verified[str(key)] = datetime.fromisoformat(text)
        except (TypeError, ValueError):  # that issue's worklogs are read again: no harm
            log.warning("reconcile: the time kept for %s is unreadable", key)
    if row is None:
        return ReconcileCursor(issues=verified)
    checked = _int(row[2])
    return ReconcileCursor(
        deleted_ms=_int(row[0]),
        updated_ms=_int(row[1]),
        checked_at=None if checked is None else _EPOCH + timedelta(milliseconds=checked),
        issues=verified,
    )
