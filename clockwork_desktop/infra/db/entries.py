"""The entries adapter (core.ports.EntryRepository): the local record of tracked time, the
sync's outbox, and how a row becomes an ``Entry`` even when one of its values is damaged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.core.timer import MAX_ENTRY_S
from clockwork_desktop.core.worklog_state import DayWorklog
from clockwork_desktop.infra.db import worklog_codec
from clockwork_desktop.infra.db.base import DbAdapter, at_utc, dt, owned, ts

_ENTRY_COLUMNS = (
    "id, uuid, issue_key, account, start_utc, end_utc, tz, comment, revision, synced_revision, "
    "sync_state, worklog_ids, error, last_seen_utc, needs_review, deleted, remote_meta, breaks, "
    "verify_first"
)

log = get_logger(__name__)


def _offset(at: datetime | None, tz: str) -> int | None:
    if at is None:
        return None
    try:
        zone = ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):  # a damaged or retired name: kept as it is
        zone = ZoneInfo("UTC")
    offset = at.astimezone(zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


_UNREADABLE = (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, OSError)


class _Fields:
    """Decodes one row's columns, each on its own: a damaged value costs only that value.

    The row keeps what was stored (a save writes back the stored zone name, never a guess);
    the decoded entry is shown as a conflict naming the damaged columns, so that a sync never
    acts on a guess and the user sees it.
    """

    def __init__(self, row: Sequence[Any]) -> None:
        self.row = row
        self.damaged: list[str] = []

    def get(self, name: str, decode: Callable[[], Any], fallback: Any) -> Any:
        try:
            return decode()
        except _UNREADABLE:
            self.damaged.append(name)
            return fallback


def _zone_name(value: Any) -> str:
    ZoneInfo(value)  # raises for a name this computer cannot read
    return str(value)


def _row_to_entry(row: Sequence[Any]) -> Entry:
    f = _Fields(row)
    entry = Entry(
        id=row[0],
        uuid=row[1],
        issue_key=f.get("issue_key", lambda: str(row[2]), "?"),
        account=row[3],
        started_at=f.get("start_utc", lambda: at_utc(row[4]), at_utc(0)),
        ended_at=f.get("end_utc", lambda: dt(row[5]), None),
        tz=f.get("tz", lambda: _zone_name(row[6]), str(row[6])),
        comment=f.get("comment", lambda: str(row[7] or ""), ""),
        revision=f.get("revision", lambda: int(row[8]), 1),
        synced_revision=f.get("synced_revision", lambda: int(row[9] or 0), 0),
        sync_state=f.get("sync_state", lambda: SyncState(row[10]), SyncState.CONFLICT),
        remote=f.get("worklog_ids", lambda: worklog_codec.decode(row[11], row[16], row[2]), {}),
        error=row[12],
        last_seen_at=f.get("last_seen_utc", lambda: dt(row[13]), None),
        needs_review=f.get("needs_review", lambda: bool(int(row[14] or 0)), True),
        deleted=f.get("deleted", lambda: bool(int(row[15] or 0)), False),
        breaks=f.get(
            "breaks", lambda: [(at_utc(b[0]), dt(b[1])) for b in json.loads(row[17] or "[]")], []
        ),
        verify_first=f.get("verify_first", lambda: bool(int(row[18] or 0)), False),
    )
    if f.damaged:
        log.warning("entry #%s is damaged on disk: %s", row[0], ", ".join(f.damaged))
        entry.sync_state = SyncState.CONFLICT
        entry.error = (
            f"This entry is damaged on disk (unreadable: {', '.join(f.damaged)}); it is shown "
            "with stand-in values and not sent to Jira. Check it, then edit or delete it."
        )
    return entry


def _breaks(entry: Entry) -> str:
    return json.dumps([[ts(start), ts(end)] for start, end in entry.breaks])


@owned
class SqliteEntries(DbAdapter):
    # ``where`` is always a literal from an adapter; values go through parameters.
    def _one(self, where: str, params: Sequence[Any] = ()) -> Entry | None:
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where}"  # noqa: S608
        row = self._exec(sql, params).fetchone()
        return _row_to_entry(row) if row else None

    def _many(self, where: str, params: Sequence[Any] = ()) -> list[Entry]:
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where}"  # noqa: S608
        rows = self._exec(sql, params)
        return [_row_to_entry(r) for r in rows.fetchall()]

    def add(self, new: NewEntry) -> Entry:
        now = int(self._db.now().timestamp())
        if new.uuid:
            entry_uuid = new.uuid
        else:
            import uuid  # only writers need it; keeps read-only commands fast

            entry_uuid = str(uuid.uuid4())
        cursor = self._exec(
            "INSERT INTO entries (uuid, issue_key, account, start_utc, end_utc, start_offset_s, "
            "end_offset_s, tz, comment, revision, synced_revision, sync_state, worklog_ids, "
            "remote_meta, last_seen_utc, remote_author, created_utc, updated_utc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry_uuid,
                new.issue_key,
                new.account,
                ts(new.started_at),
                ts(new.ended_at),
                _offset(new.started_at, new.tz),
                _offset(new.ended_at, new.tz),
                new.tz,
                new.comment,
                new.sync_state.value,
                *worklog_codec.encode(
                    {
                        day: DayWorklog(issue=new.issue_key, worklog_id=worklog_id)
                        for day, worklog_id in (new.worklog_ids or {}).items()
                    }
                ),
                ts(new.last_seen_at),
                new.remote_author,
                now,
                now,
            ),
        )
        entry = self.get(int(cursor.lastrowid or 0))
        assert entry is not None
        return entry

    def save(self, entry: Entry) -> None:
        ids_text, meta_text = worklog_codec.encode(entry.remote)
        self._exec(
            "UPDATE entries SET issue_key = ?, account = ?, start_utc = ?, end_utc = ?, "
            "start_offset_s = ?, end_offset_s = ?, tz = ?, comment = ?, revision = ?, "
            "synced_revision = ?, sync_state = ?, worklog_ids = ?, error = ?, last_seen_utc = ?, "
            "needs_review = ?, deleted = ?, remote_meta = ?, breaks = ?, updated_utc = ?, "
            "synced_utc = CASE WHEN ? = 'synced' THEN coalesce(synced_utc, ?) "
            "ELSE synced_utc END WHERE id = ?",
            (
                entry.issue_key,
                entry.account,
                ts(entry.started_at),
                ts(entry.ended_at),
                _offset(entry.started_at, entry.tz),
                _offset(entry.ended_at, entry.tz),
                entry.tz,
                entry.comment,
                entry.revision,
                entry.synced_revision,
                entry.sync_state.value,
                ids_text,
                entry.error,
                ts(entry.last_seen_at),
                int(entry.needs_review),
                int(entry.deleted),
                meta_text,
                _breaks(entry),
                int(self._db.now().timestamp()),
                entry.sync_state.value,
                int(self._db.now().timestamp()),
                entry.id,
            ),
        )

    def remove(self, entry_id: int) -> None:
        self._exec("DELETE FROM entries WHERE id = ?", (entry_id,))

    def get(self, entry_id: int) -> Entry | None:
        return self._one("id = ?", (entry_id,))

    def get_by_uuid(self, uuid: str) -> Entry | None:
        return self._one("uuid = ?", (uuid,))

    def running(self) -> Entry | None:
        return self._one("end_utc IS NULL AND deleted = 0")

    def last_started(self) -> Entry | None:
        return self._one(
            "deleted = 0 AND sync_state != 'remote' ORDER BY start_utc DESC, id DESC LIMIT 1"
        )

    def overlapping(
        self, start: datetime, end: datetime | None, exclude_id: int | None = None
    ) -> Entry | None:
        # Remote (imported) worklogs are other tools' records; they never block local time.
        where = (
            "deleted = 0 AND sync_state != 'remote' AND id != ? "
            "AND (end_utc IS NULL OR end_utc > ?)"
        )
        params: list[Any] = [exclude_id or -1, ts(start)]
        if end is not None:
            where += " AND start_utc < ?"
            params.append(ts(end))
        return self._one(where + " ORDER BY start_utc LIMIT 1", params)

    def between(self, start: datetime, end: datetime) -> list[Entry]:
        # A closed entry is at most MAX_ENTRY_S long, so a bounded look-back keeps the start_utc
        # index useful; a running timer may be older than that and is added on its own.
        found = self._many(
            "deleted = 0 AND start_utc < ? AND start_utc >= ? "
            "AND (end_utc IS NULL OR end_utc > ?) ORDER BY start_utc, id",
            (ts(end), (ts(start) or 0) - MAX_ENTRY_S, ts(start)),
        )
        current = self.running()
        if (
            current is not None
            and current.started_at < end
            and all(e.id != current.id for e in found)
        ):
            found.insert(0, current)
        return found

    def latest_end_between(self, start: datetime, end: datetime) -> datetime | None:
        row = self._exec(
            "SELECT max(end_utc) FROM entries WHERE deleted = 0 AND sync_state != 'remote' "
            "AND start_utc >= ? AND start_utc < ?",
            (ts(start), ts(end)),
        ).fetchone()
        return dt(row[0]) if row and row[0] is not None else None

    def outbox(self) -> Iterator[Entry]:
        return iter(
            self._many(
                "sync_state = 'pending' AND end_utc IS NOT NULL ORDER BY issue_key, start_utc"
            )
        )

    def count_by_state(self) -> dict[str, int]:
        rows = self._exec(
            "SELECT sync_state, count(*) FROM entries WHERE end_utc IS NOT NULL GROUP BY sync_state"
        ).fetchall()
        return {state: count for state, count in rows}

    def heartbeat(self, entry_id: int, at: datetime) -> None:
        self._exec("UPDATE entries SET last_seen_utc = ? WHERE id = ?", (ts(at), entry_id))

    def heartbeat_release(self, entry_id: int) -> None:
        """No app watches this timer any more (clean quit): it is not an orphan later."""
        self._exec("UPDATE entries SET last_seen_utc = NULL WHERE id = ?", (entry_id,))

    def data_version(self) -> int:
        return int(self._exec("PRAGMA data_version").fetchone()[0])

    def all_entries(self) -> list[Entry]:
        return self._many("1 ORDER BY start_utc, id")
