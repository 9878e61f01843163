"""Numbered schema migrations, recorded in ``PRAGMA user_version``.

sqlite-utils builds the tables; it is imported only when a migration runs, so everyday
commands do not pay for it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


def _v1(db: Any) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["accounts"].create(
        {
            "name": str,
            "url": str,
            "deployment": str,  # "cloud" or "datacenter"
            "auth_kind": str,  # "basic" (email + API token) or "bearer" (personal access token)
            "email": str,
            "account_id": str,
            "display_name": str,
            "time_zone": str,
            "is_default": int,
            "rounding": str,
            "auth_blocked": int,
            "created_utc": int,
        },
        pk="name",
        not_null={"url", "deployment", "auth_kind"},
        defaults={"is_default": 0, "rounding": "none", "auth_blocked": 0},
    )
    db["issues"].create(
        {
            "account": str,
            "key": str,
            "summary": str,
            "status": str,
            "assigned_to_me": int,
            "updated_utc": int,
            "last_used_utc": int,
        },
        pk=("account", "key"),
        defaults={"assigned_to_me": 0, "summary": ""},
    )
    db["entries"].create(
        {
            "id": int,
            "uuid": str,
            "issue_key": str,
            "account": str,
            "start_utc": int,
            "end_utc": int,
            "start_offset_s": int,
            "end_offset_s": int,
            "tz": str,
            "comment": str,
            "revision": int,
            "synced_revision": int,
            "sync_state": str,
            "worklog_ids": str,
            "remote_meta": str,
            "error": str,
            "last_seen_utc": int,
            "needs_review": int,
            "deleted": int,
            "remote_author": str,
            "created_utc": int,
            "updated_utc": int,
        },
        pk="id",
        not_null={"uuid", "issue_key", "start_utc", "tz", "sync_state"},
        defaults={
            "comment": "",
            "revision": 1,
            "synced_revision": 0,
            "sync_state": "pending",
            "worklog_ids": "{}",
            "remote_meta": "{}",
            "needs_review": 0,
            "deleted": 0,
        },
    )
    db["entries"].create_index(["uuid"], unique=True)
    db["entries"].create_index(["start_utc"])
    db["entries"].create_index(["sync_state"])
    db["issues"].create_index(["last_used_utc"])
    # At most one running timer, whichever process starts it.
    db.execute(
        "CREATE UNIQUE INDEX entries_one_running ON entries((end_utc IS NULL)) "
        "WHERE end_utc IS NULL AND deleted = 0"
    )


def _v2(db: Any) -> None:
    """Team timesheets: a cache of Jira's worklogs, read incrementally, and saved teams."""
    db["remote_worklogs"].create(
        {
            "account": str,
            "id": str,
            "issue_id": str,
            "issue_key": str,
            "author_id": str,
            "author_name": str,
            "start_utc": int,
            "seconds": int,
            "updated_ms": int,
        },
        pk=("account", "id"),
        not_null={"start_utc", "seconds"},
    )
    db["remote_worklogs"].create_index(["account", "start_utc"])
    db["feed_cursors"].create(
        {"account": str, "feed": str, "since_ms": int, "fetched_utc": int},
        pk=("account", "feed"),
    )
    db["teams"].create(
        {"name": str, "kind": str, "ref": str, "members": str, "account": str},
        pk="name",
        defaults={"members": "[]"},
    )


def _v3(db: Any) -> None:
    """Team weeks already computed, so a week reopens at once after a restart too."""
    db["grid_cache"].create({"key": str, "version": int, "data": str}, pk="key")


def _v4(db: Any) -> None:
    """Pauses inside an entry: [[start, end or null], ...] in epoch seconds."""
    db.execute("ALTER TABLE entries ADD COLUMN breaks TEXT NOT NULL DEFAULT '[]'")


def _v5(db: Any) -> None:
    """When each entry first reached Jira, so service levels are measured, not guessed.

    Entries synced before this version keep NULL: their first sync time was never recorded.
    """
    db["entries"].add_column("synced_utc", int)


def _v6(db: Any) -> None:
    """Why automatic timers started and stopped: one row per event, by entry uuid.

    A table of its own (not a column): an entry may gather several events, and entries that
    were never touched by the automatic rules cost nothing.
    """
    db["entry_history"].create(
        {"entry_uuid": str, "at_utc": int, "event": str, "why": str},
        not_null={"entry_uuid", "at_utc", "event"},
        defaults={"why": "{}"},
    )
    db["entry_history"].create_index(["entry_uuid"])


def _v7(db: Any) -> None:
    """The first day of the week each computed team week shows, so that weeks past the team
    cache's retention can be dropped with their worklogs. Rows computed before this version
    keep NULL and go at the next prune: they are cheap to compute again."""
    db["grid_cache"].add_column("week_start", str)


def _v8(db: Any) -> None:
    """Entry ids are never reused: a script that remembered #12 must not edit another entry
    after #12 was deleted or discarded. SQLite gives a deleted largest rowid out again unless
    the key is AUTOINCREMENT, which only a new table can have: the table is rebuilt with every
    row and id as they were, then its indexes. Copying the ids seeds the counter from the
    largest id left (a largest id deleted before this version left no trace to start from)."""
    conn = db.conn
    columns = conn.execute('PRAGMA table_info("entries")').fetchall()
    indexes = [
        row[0]
        for row in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entries' "
            "AND sql IS NOT NULL"
        )
    ]
    definitions = []
    for _cid, name, kind, not_null, default, pk in columns:
        if pk:
            definitions.append(f'"{name}" INTEGER PRIMARY KEY AUTOINCREMENT')
            continue
        text = f'"{name}" {kind}'
        if not_null:
            text += " NOT NULL"
        if default is not None:
            text += f" DEFAULT {default}"
        definitions.append(text)
    names = ", ".join(f'"{c[1]}"' for c in columns)
    conn.execute(f'CREATE TABLE "entries_v8" ({", ".join(definitions)})')
    conn.execute(f'INSERT INTO "entries_v8" ({names}) SELECT {names} FROM "entries"')  # noqa: S608
    conn.execute('DROP TABLE "entries"')
    conn.execute('ALTER TABLE "entries_v8" RENAME TO "entries"')
    for sql in indexes:
        conn.execute(sql)


def _v9(db: Any) -> None:
    """Exactly-once across a restore or a copy (infra.db.identity): entries to look up in Jira
    before they are posted, and the store's own identity. Adds only its own column and table,
    so it runs the same after any number 8."""
    columns = {row[1] for row in db.execute("PRAGMA table_info(entries)").fetchall()}
    if "verify_first" not in columns:
        db.execute("ALTER TABLE entries ADD COLUMN verify_first INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE TABLE IF NOT EXISTS store_identity (id TEXT NOT NULL)")


def _v10(db: Any) -> None:
    """Sync bookkeeping gets tables of its own instead of JSON under settings keys: what each
    site does with our tags (was "tagging:NAME" and "tag-moves-updated:NAME") and where each
    account's reconcile had read to (was "reconcile:NAME"). Values are moved over and the keys
    removed; a value this version cannot read is dropped, which costs the sync a request or a
    longer first look-back, never an entry. Like number 9 it runs the same on a file that
    already has its tables (a file whose version number was set back)."""
    conn = db.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS site_tagging "
        "(account TEXT PRIMARY KEY, mode TEXT, moves_updated INTEGER)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS reconcile_cursors "
        "(account TEXT PRIMARY KEY, deleted_ms INTEGER, updated_ms INTEGER, checked_ms INTEGER)"
    )
    conn.execute(
        "CREATE TABLE IF NOT EXISTS reconcile_issues (account TEXT NOT NULL, "
        "issue_key TEXT NOT NULL, updated TEXT NOT NULL, PRIMARY KEY (account, issue_key))"
    )
    moved = conn.execute(
        "SELECT key, value FROM settings WHERE substr(key, 1, 8) = 'tagging:' "
        "OR substr(key, 1, 18) = 'tag-moves-updated:' OR substr(key, 1, 10) = 'reconcile:'"
    ).fetchall()
    for key, text in moved:
        prefix, account = key.split(":", 1)
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            continue
        if prefix == "tagging" and value in ("inline", "separate", "none"):
            conn.execute(
                "INSERT INTO site_tagging (account, mode) VALUES (?, ?) ON CONFLICT(account) "
                "DO UPDATE SET mode = excluded.mode",
                (account, value),
            )
        elif prefix == "tag-moves-updated" and isinstance(value, bool):
            conn.execute(
                "INSERT INTO site_tagging (account, moves_updated) VALUES (?, ?) "
                "ON CONFLICT(account) DO UPDATE SET moves_updated = excluded.moves_updated",
                (account, int(value)),
            )
        elif prefix == "reconcile" and isinstance(value, dict):
            _v10_cursor(conn, account, value)
    conn.execute(
        "DELETE FROM settings WHERE substr(key, 1, 8) = 'tagging:' "
        "OR substr(key, 1, 18) = 'tag-moves-updated:' OR substr(key, 1, 10) = 'reconcile:'"
    )


def _v10_cursor(conn: sqlite3.Connection, account: str, value: dict[str, Any]) -> None:
    """One "reconcile:NAME" value as version 9 wrote it: {"deleted", "updated"} (epoch ms) on
    Cloud, {"at": ISO instant, "issues": {key: ISO instant}} on Data Center."""

    def ms(item: Any) -> int | None:
        return item if isinstance(item, int) and not isinstance(item, bool) else None

    checked = None
    try:
        at = datetime.fromisoformat(value["at"]) if value.get("at") else None
    except (TypeError, ValueError):
        at = None
    if at is not None:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        checked = (at.replace(tzinfo=at.tzinfo or UTC) - epoch) // timedelta(milliseconds=1)
    conn.execute(
        "INSERT OR REPLACE INTO reconcile_cursors (account, deleted_ms, updated_ms, checked_ms) "
        "VALUES (?, ?, ?, ?)",
        (account, ms(value.get("deleted")), ms(value.get("updated")), checked),
    )
    issues = value.get("issues")
    for key, stamp in (issues if isinstance(issues, dict) else {}).items():
        if isinstance(stamp, str):
            conn.execute(
                "INSERT OR REPLACE INTO reconcile_issues (account, issue_key, updated) "
                "VALUES (?, ?, ?)",
                (account, str(key), stamp),
            )


MIGRATIONS: list[Callable[[Any], None]] = [_v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8, _v9, _v10]
SCHEMA_VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, current: int) -> None:
    """Bring the schema from ``current`` to ``SCHEMA_VERSION``, one transaction per step."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    for number in range(current + 1, SCHEMA_VERSION + 1):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            conn.execute(f"PRAGMA user_version = {number}")
