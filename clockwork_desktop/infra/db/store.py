"""SqliteStore: the entry repository and settings store on one SQLite connection.

In the tray app the connection belongs to one thread, the DB owner (infra.db.owner): every
public method called on another thread runs there and is waited for, and ``transaction(fn)``
runs ``fn`` there as one transaction. ``atomic()`` is for code already on the owner (the
store itself, services the tray runs on its DB worker, the command line).

Queries use the standard ``sqlite3`` module directly: the CLI answers in a few tens of
milliseconds, and importing sqlite-utils alone would cost several times that.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, Entry, JiraIssue, SyncState
from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.timer import MAX_ENTRY_S
from clockwork_desktop.core.worklog_state import DayWorklog

if TYPE_CHECKING:
    from clockwork_desktop.core.settings import Settings
    from clockwork_desktop.core.timesheet import WorklogRecord
    from clockwork_desktop.core.worklog_state import SentWrite
    from clockwork_desktop.infra.db.owner import DbOwner
from clockwork_desktop.infra.db import worklog_codec
from clockwork_desktop.infra.db.database import mark_damaged, translate_error

_ENTRY_COLUMNS = (
    "id, uuid, issue_key, account, start_utc, end_utc, tz, comment, revision, synced_revision, "
    "sync_state, worklog_ids, error, last_seen_utc, needs_review, deleted, remote_meta, breaks, "
    "verify_first"
)


log = get_logger(__name__)
T = TypeVar("T")


def _ts(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def _dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


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
        started_at=f.get("start_utc", lambda: _at(row[4]), _at(0)),
        ended_at=f.get("end_utc", lambda: _dt(row[5]), None),
        tz=f.get("tz", lambda: _zone_name(row[6]), str(row[6])),
        comment=f.get("comment", lambda: str(row[7] or ""), ""),
        revision=f.get("revision", lambda: int(row[8]), 1),
        synced_revision=f.get("synced_revision", lambda: int(row[9] or 0), 0),
        sync_state=f.get("sync_state", lambda: SyncState(row[10]), SyncState.CONFLICT),
        remote=f.get("worklog_ids", lambda: worklog_codec.decode(row[11], row[16], row[2]), {}),
        error=row[12],
        last_seen_at=f.get("last_seen_utc", lambda: _dt(row[13]), None),
        needs_review=f.get("needs_review", lambda: bool(int(row[14] or 0)), True),
        deleted=f.get("deleted", lambda: bool(int(row[15] or 0)), False),
        breaks=f.get(
            "breaks", lambda: [(_at(b[0]), _dt(b[1])) for b in json.loads(row[17] or "[]")], []
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


def _at(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def _breaks(entry: Entry) -> str:
    return json.dumps([[_ts(start), _ts(end)] for start, end in entry.breaks])


def _wall_now() -> datetime:
    return datetime.now(UTC)


class SqliteStore:
    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None = None,
        now: Callable[[], datetime] = _wall_now,
        *,
        owner: DbOwner | None = None,
    ) -> None:
        self._conn = conn
        self._path = path
        # The app's clock: creation and first-sync instants feed the measured service levels.
        self._now = now
        self._depth = 0
        self._owner = owner
        # With an owner, one thread runs every statement: nothing to keep apart. Without one
        # (the command line), the sync's workers share the connection: one at a time.
        self._lock: AbstractContextManager[Any] = (
            contextlib.nullcontext() if owner is not None else threading.RLock()
        )

    @property
    def connection(self) -> sqlite3.Connection:
        return self._conn

    def close(self) -> None:
        self._conn.close()

    # -- plumbing ---------------------------------------------------------------------------

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            with self._lock:
                return self._conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise translate_error(exc, self._path) from exc

    @contextmanager
    def atomic(self, durable: bool = False) -> Iterator[None]:
        if self._owner is not None and not self._owner.is_current():
            raise RuntimeError(
                "atomic() on a thread that does not own the database: use transaction(fn)"
            )
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            try:
                if durable:
                    self._conn.execute("PRAGMA synchronous = FULL")
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate_error(exc, self._path) from exc
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise
            else:
                self._depth = 0
                try:
                    self._conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                    raise translate_error(exc, self._path) from exc
            finally:
                if durable:
                    self._conn.execute("PRAGMA synchronous = NORMAL")

    def transaction(self, fn: Callable[[], T], durable: bool = False) -> T:
        """Run ``fn`` as one transaction (see core.ports.Transactional)."""
        with self.atomic(durable):
            return fn()

    # ``where`` is always a literal from this module; values go through parameters.
    def _one(self, where: str, params: Sequence[Any] = ()) -> Entry | None:
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where}"  # noqa: S608
        row = self._exec(sql, params).fetchone()
        return _row_to_entry(row) if row else None

    def _many(self, where: str, params: Sequence[Any] = ()) -> list[Entry]:
        sql = f"SELECT {_ENTRY_COLUMNS} FROM entries WHERE {where}"  # noqa: S608
        rows = self._exec(sql, params)
        return [_row_to_entry(r) for r in rows.fetchall()]

    # -- EntryRepository --------------------------------------------------------------------

    def add(self, new: NewEntry) -> Entry:
        now = int(self._now().timestamp())
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
                _ts(new.started_at),
                _ts(new.ended_at),
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
                _ts(new.last_seen_at),
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
                _ts(entry.started_at),
                _ts(entry.ended_at),
                _offset(entry.started_at, entry.tz),
                _offset(entry.ended_at, entry.tz),
                entry.tz,
                entry.comment,
                entry.revision,
                entry.synced_revision,
                entry.sync_state.value,
                ids_text,
                entry.error,
                _ts(entry.last_seen_at),
                int(entry.needs_review),
                int(entry.deleted),
                meta_text,
                _breaks(entry),
                int(self._now().timestamp()),
                entry.sync_state.value,
                int(self._now().timestamp()),
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
        params: list[Any] = [exclude_id or -1, _ts(start)]
        if end is not None:
            where += " AND start_utc < ?"
            params.append(_ts(end))
        return self._one(where + " ORDER BY start_utc LIMIT 1", params)

    def between(self, start: datetime, end: datetime) -> list[Entry]:
        # A closed entry is at most MAX_ENTRY_S long, so a bounded look-back keeps the start_utc
        # index useful; a running timer may be older than that and is added on its own.
        found = self._many(
            "deleted = 0 AND start_utc < ? AND start_utc >= ? "
            "AND (end_utc IS NULL OR end_utc > ?) ORDER BY start_utc, id",
            (_ts(end), (_ts(start) or 0) - MAX_ENTRY_S, _ts(start)),
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
            (_ts(start), _ts(end)),
        ).fetchone()
        return _dt(row[0]) if row and row[0] is not None else None

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

    # -- health -----------------------------------------------------------------------------

    def oldest_pending(self) -> tuple[datetime, str, int] | None:
        """When the longest-waiting closed entry became ready to send, its issue, and how many
        entries wait in all."""
        row = self._exec(
            "SELECT max(end_utc, coalesce(created_utc, end_utc)) AS ready, issue_key, "
            "count(*) OVER () FROM entries WHERE sync_state = 'pending' AND end_utc IS NOT NULL "
            "ORDER BY ready LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        ready = _dt(row[0])
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
            (_ts(since),),
        ).fetchall()
        return [(_dt(r[0]), _dt(r[1])) for r in rows]  # type: ignore[misc]

    def integrity_problems(self) -> list[str]:
        """``PRAGMA quick_check``'s findings; empty when the file is sound."""
        try:
            found = [str(r[0]) for r in self._exec("PRAGMA quick_check(20)").fetchall()]
        except sqlite3.DatabaseError as exc:  # the check itself stopped at a damaged page
            found = [str(exc)]
        if found == ["ok"]:
            return []
        if self._path is not None:
            mark_damaged(self._path)  # so that the next start moves it aside and recovers
        return found

    def size_bytes(self) -> int:
        pages = self._exec("PRAGMA page_count").fetchone()[0]
        size = self._exec("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(size)

    def heartbeat(self, entry_id: int, at: datetime) -> None:
        self._exec("UPDATE entries SET last_seen_utc = ? WHERE id = ?", (_ts(at), entry_id))

    def heartbeat_release(self, entry_id: int) -> None:
        """No app watches this timer any more (clean quit): it is not an orphan later."""
        self._exec("UPDATE entries SET last_seen_utc = NULL WHERE id = ?", (entry_id,))

    def data_version(self) -> int:
        return int(self._exec("PRAGMA data_version").fetchone()[0])

    def all_entries(self) -> list[Entry]:
        return self._many("1 ORDER BY start_utc, id")

    # -- SettingsStore ----------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        row = self._exec("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        if row is None:
            return default
        try:
            return json.loads(row[0])
        except (ValueError, TypeError):  # a damaged value: its default, the row left as it is
            log.warning("setting %s is unreadable; its default is used", key)
            return default

    def set_setting(self, key: str, value: Any) -> None:
        self._exec(
            "INSERT INTO settings (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def load_settings(self) -> Settings:
        """All settings in one read; the default account's rounding wins over the shared one."""
        from clockwork_desktop.core.settings import JIRA_KEY_PREFIX, Settings

        keys = Settings.keys()
        marks = ", ".join("?" * len(keys))
        with self._lock:
            rows = self._exec(
                f"SELECT key, value FROM settings WHERE key IN ({marks}) "  # noqa: S608
                "OR substr(key, 1, ?) = ?",
                (*keys, len(JIRA_KEY_PREFIX), JIRA_KEY_PREFIX),
            ).fetchall()
            values: dict[str, Any] = {}
            for key, value in rows:
                try:
                    values[key] = json.loads(value)
                except ValueError:
                    log.warning("setting %s is unreadable; its default is used", key)
            account = self.default_account()
            if account is not None:
                values["rounding"] = self.rounding_policy(account).describe()
        return Settings.from_values(values)

    def save_settings(self, settings: Settings, also: Mapping[str, Any] | None = None) -> None:
        """Every setting in one transaction: a failure leaves all of them as they were.
        ``also`` holds other keys written in the same transaction (state tied to a setting)."""
        settings.check()
        with self.atomic():
            for key, value in (settings.to_values() | dict(also or {})).items():
                self.set_setting(key, value)
            account = self.default_account()
            if account is not None:
                self._exec(
                    "UPDATE accounts SET rounding = ? WHERE name = ?",
                    (settings.rounding.describe(), account),
                )

    def rounding_policy(self, account: str | None) -> RoundingPolicy:
        text = None
        if account is not None:
            row = self._exec("SELECT rounding FROM accounts WHERE name = ?", (account,)).fetchone()
            text = row[0] if row else None
        if text is None:
            text = self.get_setting("rounding", "none")
        return RoundingPolicy.parse(str(text))

    def account_names(self) -> list[str]:
        return [r[0] for r in self._exec("SELECT name FROM accounts ORDER BY name").fetchall()]

    def default_account(self) -> str | None:
        row = self._exec(
            "SELECT name FROM accounts ORDER BY is_default DESC, created_utc LIMIT 1"
        ).fetchone()
        return str(row[0]) if row else None

    # -- AccountStore -----------------------------------------------------------------------

    _ACCOUNT_COLUMNS = (
        "name, url, deployment, auth_kind, email, account_id, display_name, time_zone, "
        "is_default, rounding, auth_blocked"
    )

    @staticmethod
    def _account(row: Sequence[Any]) -> Account:
        return Account(
            name=row[0],
            url=row[1],
            deployment=row[2],
            auth_kind=row[3],
            email=row[4],
            account_id=row[5] or "",
            display_name=row[6] or "",
            time_zone=row[7],
            is_default=bool(row[8]),
            rounding=row[9] or "none",
            auth_blocked=bool(row[10]),
        )

    def accounts(self) -> list[Account]:
        rows = self._exec(
            f"SELECT {self._ACCOUNT_COLUMNS} FROM accounts ORDER BY is_default DESC, name"  # noqa: S608
        ).fetchall()
        return [self._account(r) for r in rows]

    def account(self, name: str) -> Account | None:
        row = self._exec(
            f"SELECT {self._ACCOUNT_COLUMNS} FROM accounts WHERE name = ?",  # noqa: S608
            (name,),
        ).fetchone()
        return self._account(row) if row else None

    def save_account(self, account: Account) -> None:
        with self.atomic():
            if account.is_default:
                self._exec("UPDATE accounts SET is_default = 0 WHERE name != ?", (account.name,))
            self._exec(
                "INSERT INTO accounts (name, url, deployment, auth_kind, email, account_id, "
                "display_name, time_zone, is_default, rounding, auth_blocked, created_utc) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "url = excluded.url, deployment = excluded.deployment, "
                "auth_kind = excluded.auth_kind, email = excluded.email, "
                "account_id = excluded.account_id, display_name = excluded.display_name, "
                "time_zone = excluded.time_zone, is_default = excluded.is_default, "
                "rounding = excluded.rounding, auth_blocked = excluded.auth_blocked",
                (
                    account.name,
                    account.url,
                    account.deployment,
                    account.auth_kind,
                    account.email,
                    account.account_id,
                    account.display_name,
                    account.time_zone,
                    int(account.is_default),
                    account.rounding,
                    int(account.auth_blocked),
                    int(datetime.now(UTC).timestamp()),
                ),
            )

    def set_auth_blocked(self, name: str, blocked: bool) -> None:
        self._exec("UPDATE accounts SET auth_blocked = ? WHERE name = ?", (int(blocked), name))

    def adopt_orphan_entries(self, account: str) -> int:
        cursor = self._exec(
            "UPDATE entries SET account = ? WHERE account IS NULL AND sync_state != 'remote'",
            (account,),
        )
        return cursor.rowcount

    def cache_issues(self, account: str, issues: list[JiraIssue], *, mine: bool) -> None:
        with self.atomic():
            if mine:
                self._exec("UPDATE issues SET assigned_to_me = 0 WHERE account = ?", (account,))
            for issue in issues:
                self._exec(
                    "INSERT INTO issues (account, key, summary, status, assigned_to_me, "
                    "updated_utc) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(account, key) DO UPDATE "
                    "SET summary = excluded.summary, "
                    "status = CASE WHEN excluded.status != '' THEN excluded.status "
                    "ELSE issues.status END, "
                    "assigned_to_me = max(issues.assigned_to_me, excluded.assigned_to_me), "
                    "updated_utc = coalesce(excluded.updated_utc, issues.updated_utc)",
                    (
                        account,
                        issue.key,
                        issue.summary,
                        issue.status,
                        int(mine and not issue.done),
                        _ts(issue.updated),
                    ),
                )

    def cached_issues(
        self, account: str | None, text: str = "", limit: int = 50, *, mine: bool = False
    ) -> list[JiraIssue]:
        where, params = ["1"], []
        if account is not None:
            where.append("account = ?")
            params.append(account)
        if mine:
            where.append("assigned_to_me = 1")
        if text:
            where.append("(key LIKE ? ESCAPE '\\' OR summary LIKE ? ESCAPE '\\')")
            pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params.extend([pattern, pattern])
        sql = (
            "SELECT key, summary, status, updated_utc FROM issues WHERE "  # noqa: S608
            + " AND ".join(where)
            + " ORDER BY updated_utc DESC, key LIMIT ?"
        )
        rows = self._exec(sql, [*params, limit]).fetchall()
        return [JiraIssue(r[0], r[1] or "", r[2] or "", False, _dt(r[3])) for r in rows]

    def issue_summaries(self, keys: Sequence[str]) -> dict[str, str]:
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self._exec(
            f"SELECT key, summary FROM issues WHERE key IN ({marks})",  # noqa: S608
            list(keys),
        ).fetchall()
        return {k: s for k, s in rows if s}

    def recent_issue_keys(self, limit: int = 10) -> list[str]:
        rows = self._exec(
            "SELECT issue_key FROM entries WHERE deleted = 0 AND sync_state != 'remote' "
            "GROUP BY issue_key ORDER BY max(start_utc) DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [r[0] for r in rows]

    # -- sync bookkeeping -------------------------------------------------------------------

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
            (account, _ts(start), _ts(end)),
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
            params += (_ts(since),)
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

    # -- team timesheet cache ---------------------------------------------------------------

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
        with self.atomic(), self._lock:
            self._bump_cache_version()
            try:
                self._conn.executemany(
                    "INSERT INTO remote_worklogs (account, id, issue_id, issue_key, author_id,"
                    " author_name, start_utc, seconds, updated_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(account, id) DO UPDATE SET "
                    "issue_id = excluded.issue_id, issue_key = excluded.issue_key, "
                    "author_id = excluded.author_id, author_name = excluded.author_name, "
                    "start_utc = excluded.start_utc, seconds = excluded.seconds, "
                    "updated_ms = excluded.updated_ms",
                    [(account, *row) for row in rows],
                )
            except sqlite3.Error as exc:
                raise translate_error(exc, self._path) from exc

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
        params: list[Any] = [account, _ts(start), _ts(end)]
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
                "DELETE FROM remote_worklogs WHERE start_utc < ?", (_ts(started_before),)
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
        with self.atomic(), self._lock:
            try:
                self._conn.executemany(
                    "INSERT INTO feed_cursors (account, feed, since_ms, fetched_utc) "
                    "VALUES (?, ?, 0, ?) ON CONFLICT(account, feed) DO UPDATE SET "
                    "fetched_utc = excluded.fetched_utc",
                    [(account, f"seed:{week}:{a}", fetched_utc) for a in authors],
                )
            except sqlite3.Error as exc:
                raise translate_error(exc, self._path) from exc

    def save_team(
        self, name: str, kind: str, ref: str, members: Sequence[Sequence[str]], account: str
    ) -> None:
        self._exec(
            "INSERT INTO teams (name, kind, ref, members, account) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET kind = excluded.kind, ref = excluded.ref, "
            "members = excluded.members, account = excluded.account",
            (name, kind, ref, json.dumps([list(m) for m in members]), account),
        )

    def teams(self) -> list[tuple[str, str, str, list[tuple[str, ...]], str]]:
        rows = self._exec("SELECT name, kind, ref, members, account FROM teams ORDER BY name")
        return [
            (r[0], r[1], r[2] or "", [tuple(m) for m in json.loads(r[3] or "[]")], r[4] or "")
            for r in rows.fetchall()
        ]

    # -- why automatic timers started and stopped (services.attention) -------------------------

    def add_history(self, entry_uuid: str, at: datetime, event: str, why: dict[str, Any]) -> None:
        self._exec(
            "INSERT INTO entry_history (entry_uuid, at_utc, event, why) VALUES (?, ?, ?, ?)",
            (entry_uuid, _ts(at), event, json.dumps(why)),
        )

    def history_of(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(uuids), 500):
            chunk = uuids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT entry_uuid, at_utc, event, why FROM entry_history WHERE entry_uuid IN ({marks}) ORDER BY at_utc, rowid"  # noqa: S608, E501
            rows = self._exec(sql, chunk).fetchall()
            for uuid, at_utc, event, why in rows:
                item = {"event": event, "at": _at(at_utc).isoformat(), **json.loads(why or "{}")}
                found.setdefault(uuid, []).append(item)
        return found


def _on_owner(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def run(self: SqliteStore, *args: Any, **kwargs: Any) -> T:
        owner = self._owner
        if owner is None or owner.is_current():
            return method(self, *args, **kwargs)
        return owner.call(lambda: method(self, *args, **kwargs))

    return run


# Every public method runs on the owner (``atomic`` refuses other threads instead: its body
# would run on the caller's thread).
for _name, _method in list(vars(SqliteStore).items()):
    if not _name.startswith("_") and _name != "atomic" and inspect.isfunction(_method):
        setattr(SqliteStore, _name, _on_owner(_method))
