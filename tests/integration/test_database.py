from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clockwork_desktop.core.errors import StorageError
from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.infra.db import migrations
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore

AT = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def _add(store: SqliteStore, key: str = "A-1") -> int:
    entry = store.add(NewEntry(key, AT, None, "Europe/Berlin", None, comment="x"))
    return entry.id


def test_new_database_is_private_wal_and_current(tmp_path: Path) -> None:
    data = tmp_path / "data"
    opened = open_database(data)
    store = SqliteStore(opened.conn, opened.path)
    _add(store)
    assert opened.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    for name in os.listdir(data):
        assert stat.S_IMODE(os.stat(data / name).st_mode) == 0o600, name
    opened.conn.close()


def test_reopen_keeps_data(tmp_path: Path) -> None:
    first = open_database(tmp_path)
    entry_id = _add(SqliteStore(first.conn))
    first.conn.close()
    second = open_database(tmp_path)
    entry = SqliteStore(second.conn).get(entry_id)
    assert entry is not None
    assert entry.started_at == AT
    assert second.notices == []
    second.conn.close()


def test_one_running_timer_enforced_by_the_database(tmp_path: Path) -> None:
    opened = open_database(tmp_path)
    store = SqliteStore(opened.conn)
    _add(store, "A-1")
    with pytest.raises(StorageError):
        _add(store, "B-1")
    opened.conn.close()


def test_migration_takes_a_backup_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_database(tmp_path)
    entry_id = _add(SqliteStore(opened.conn))
    opened.conn.close()

    def v2(db: Any) -> None:
        db["entries"].add_column("billable", int)

    current = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, v2])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr("clockwork_desktop.infra.db.database.SCHEMA_VERSION", current + 1)
    upgraded = open_database(tmp_path)
    assert upgraded.conn.execute("PRAGMA user_version").fetchone()[0] == current + 1
    columns = [r[1] for r in upgraded.conn.execute("PRAGMA table_info(entries)")]
    assert "billable" in columns
    assert SqliteStore(upgraded.conn).get(entry_id) is not None
    upgraded.conn.close()
    backups = list(tmp_path.glob(f"clockwork.db.v{current}-backup-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as old:
        assert old.execute("PRAGMA user_version").fetchone()[0] == current
        assert old.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    old.close()


def test_failed_migration_is_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = open_database(tmp_path)
    _add(SqliteStore(opened.conn))
    opened.conn.close()

    def broken(db: Any) -> None:
        db["entries"].add_column("half_done", int)
        raise RuntimeError("boom")

    current = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr("clockwork_desktop.infra.db.database.SCHEMA_VERSION", current + 1)
    with pytest.raises(StorageError, match="failed step was undone") as info:
        open_database(tmp_path)
    assert "backup" in str(info.value)
    with sqlite3.connect(tmp_path / "clockwork.db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == current
        columns = [r[1] for r in conn.execute("PRAGMA table_info(entries)")]
        assert "half_done" not in columns
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    conn.close()


def test_newer_version_is_refused_and_untouched(tmp_path: Path) -> None:
    opened = open_database(tmp_path)
    _add(SqliteStore(opened.conn))
    opened.conn.execute("PRAGMA user_version = 99")
    opened.conn.close()
    before = (tmp_path / "clockwork.db").read_bytes()
    with pytest.raises(StorageError, match="newer Clockwork Desktop") as info:
        open_database(tmp_path)
    assert "schema 99" in str(info.value)
    assert (tmp_path / "clockwork.db").read_bytes() == before


def test_garbage_file_is_moved_aside(tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    garbage = b"this is not a database at all\n" * 200
    (tmp_path / "clockwork.db").write_bytes(garbage)
    opened = open_database(tmp_path)
    assert len(opened.notices) == 1
    moved = list(tmp_path.glob("clockwork.db.corrupt-*"))
    assert len(moved) == 1
    assert str(moved[0]) in opened.notices[0]
    assert moved[0].read_bytes() == garbage
    # A fresh, working database took its place.
    _add(SqliteStore(opened.conn))
    opened.conn.close()


def test_damaged_pages_found_before_a_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = open_database(tmp_path)
    for i in range(300):
        opened.conn.execute(
            "INSERT INTO entries (uuid, issue_key, start_utc, end_utc, tz, sync_state, comment)"
            " VALUES (?, ?, ?, ?, 'UTC', 'pending', ?)",
            (f"u{i}", f"A-{i + 1}", i * 10, i * 10 + 5, "padding " * 40),
        )
    opened.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    opened.conn.close()
    path = tmp_path / "clockwork.db"
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 12)):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))

    current = migrations.SCHEMA_VERSION
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, lambda db: None])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", current + 1)
    monkeypatch.setattr("clockwork_desktop.infra.db.database.SCHEMA_VERSION", current + 1)
    reopened = open_database(tmp_path)
    assert reopened.notices
    assert "moved to" in reopened.notices[0]
    assert list(tmp_path.glob("clockwork.db.corrupt-*"))
    reopened.conn.close()


def test_full_disk_gives_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    opened = open_database(tmp_path)
    store = SqliteStore(opened.conn, opened.path)
    entry_id = _add(store)
    pages = opened.conn.execute("PRAGMA page_count").fetchone()[0]
    opened.conn.execute(f"PRAGMA max_page_count = {pages}")
    entry = store.get(entry_id)
    assert entry is not None
    entry.comment = "y" * 200_000
    with pytest.raises(StorageError, match="disk is full"), store.atomic():
        store.save(entry)
    kept = store.get(entry_id)
    assert kept is not None
    assert kept.comment == "x"
    opened.conn.close()


def test_a_version_1_file_is_migrated_with_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", 1)
    monkeypatch.setattr("clockwork_desktop.infra.db.database.SCHEMA_VERSION", 1)
    old = open_database(tmp_path)
    # Written as version 1 wrote it: today's store reads columns that file does not have yet.
    with old.conn:
        cursor = old.conn.execute(
            "INSERT INTO entries (uuid, issue_key, start_utc, tz) VALUES (?, ?, ?, ?)",
            ("v1-entry", "A-1", int(AT.timestamp()), "Europe/Berlin"),
        )
    entry_id = int(cursor.lastrowid or 0)
    old.conn.close()
    monkeypatch.undo()
    opened = open_database(tmp_path)
    version = opened.conn.execute("PRAGMA user_version").fetchone()[0]
    assert version == migrations.SCHEMA_VERSION >= 2
    tables = {r[0] for r in opened.conn.execute("SELECT name FROM sqlite_master")}
    assert {"remote_worklogs", "feed_cursors", "teams"} <= tables
    migrated = SqliteStore(opened.conn).get(entry_id)
    assert migrated is not None
    assert (migrated.issue_key, migrated.started_at, migrated.breaks) == ("A-1", AT, [])
    opened.conn.close()
    assert list(tmp_path.glob("clockwork.db.v1-backup-*"))


def _closed(store: SqliteStore, key: str) -> int:
    return store.add(NewEntry(key, AT, AT, "Europe/Berlin", None)).id


def _v7_entry(conn: sqlite3.Connection, key: str) -> int:
    """A closed entry as a v7 release wrote it (today's store knows later columns)."""
    at = int(AT.timestamp())
    cursor = conn.execute(
        "INSERT INTO entries (uuid, issue_key, start_utc, end_utc, tz) "
        "VALUES (?, ?, ?, ?, 'Europe/Berlin')",
        (f"uuid-{key}", key, at, at),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


def _open_at(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: int) -> Any:
    """A database built by running the migrations up to ``version``, as that release did."""
    monkeypatch.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:version])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", version)
    monkeypatch.setattr("clockwork_desktop.infra.db.database.SCHEMA_VERSION", version)
    opened = open_database(tmp_path)
    monkeypatch.undo()
    return opened


def test_entry_ids_are_never_reused_after_the_v8_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _open_at(tmp_path, monkeypatch, 7)
    ids = [_v7_entry(old.conn, f"A-{n}") for n in range(1, 5)]
    # v7 keeps no trace of a deleted largest id: 3 is the largest left
    old.conn.execute("DELETE FROM entries WHERE id = ?", (ids[-1],))
    old.conn.execute("UPDATE entries SET end_utc = NULL WHERE id = ?", (ids[1],))
    before = old.conn.execute("SELECT * FROM entries ORDER BY id").fetchall()
    old.conn.close()

    opened = open_database(tmp_path)
    conn = opened.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION >= 8
    after = conn.execute("SELECT * FROM entries ORDER BY id").fetchall()
    assert [row[: len(before[0])] for row in after] == before  # later versions add columns
    assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert list(tmp_path.glob("clockwork.db.v7-backup-*"))
    # The indexes came along: still one running timer at most, still one row per uuid.
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO entries (uuid, issue_key, start_utc, tz) VALUES ('n', 'B-1', 0, 'UTC')"
        )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO entries (uuid, issue_key, start_utc, end_utc, tz) "
            "VALUES (?, 'B-1', 0, 1, 'UTC')",
            (before[0][1],),
        )
    store = SqliteStore(conn)
    fresh = _closed(store, "B-1")
    assert fresh == ids[2] + 1
    store.remove(fresh)
    again = _closed(store, "B-2")
    assert again == fresh + 1, "the id of a deleted entry was given to a new one"
    conn.close()


def test_a_failed_v8_migration_leaves_the_v7_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _open_at(tmp_path, monkeypatch, 7)
    _v7_entry(old.conn, "A-1")
    old.conn.close()
    real = migrations.MIGRATIONS[7]

    def breaks_halfway(db: Any) -> None:
        real(db)
        raise RuntimeError("power cut")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS[:7], breaks_halfway])
    with pytest.raises(StorageError, match="undone"):
        open_database(tmp_path)
    conn = sqlite3.connect(tmp_path / "clockwork.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
    schema = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'entries'").fetchone()[0]
    assert "AUTOINCREMENT" not in schema
    assert conn.execute("SELECT issue_key FROM entries").fetchall() == [("A-1",)]
    conn.close()
