"""A restored or copied store is told apart from the one that belongs in its data folder, on
real SQLite files: its unsent entries are marked to be looked up in Jira before posting."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clockwork_desktop.core.models import SyncState
from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.infra.backup import Backups
from clockwork_desktop.infra.db import migrations
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore

AT = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def marked(data: Path) -> dict[str, bool]:
    """Issue key -> whether the entry waits for a look-up, as the store reads it."""
    opened = open_database(data)
    try:
        return {
            e.issue_key: e.verify_first for e in SqliteStore(opened.conn, opened.path).all_entries()
        }
    finally:
        opened.conn.close()


def store_with_entries(data: Path) -> None:
    """A pending entry (A-1), a synced one (B-2) and a running one (C-3)."""
    opened = open_database(data)
    store = SqliteStore(opened.conn, opened.path)
    store.add(NewEntry("A-1", AT, AT + timedelta(hours=1), "UTC", "work"))
    synced = store.add(NewEntry("B-2", AT, AT + timedelta(hours=1), "UTC", "work"))
    store.record_push(synced.id, remote={}, pushed_revision=1, state=SyncState.SYNCED, error=None)
    store.add(NewEntry("C-3", AT + timedelta(hours=2), None, "UTC", "work"))
    opened.conn.close()


def test_the_store_in_its_own_folder_is_never_marked(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store_with_entries(data)
    assert marked(data) == {"A-1": False, "B-2": False, "C-3": False}
    sidecar = (data / "store-id").read_text()
    assert marked(data) == {"A-1": False, "B-2": False, "C-3": False}
    assert (data / "store-id").read_text() == sidecar, "an ordinary open writes nothing"


def test_a_store_copied_to_another_folder_has_its_unsent_entries_marked(tmp_path: Path) -> None:
    data, other = tmp_path / "data", tmp_path / "other"
    store_with_entries(data)
    other.mkdir()
    shutil.copy2(data / "clockwork.db", other / "clockwork.db")
    assert marked(other) == {"A-1": True, "B-2": False, "C-3": True}
    assert marked(data) == {"A-1": False, "B-2": False, "C-3": False}, "the original is not"
    # Once only: the copy now belongs to its folder.
    opened = open_database(other)
    opened.conn.execute("UPDATE entries SET verify_first = 0")
    opened.conn.close()
    assert marked(other) == {"A-1": False, "B-2": False, "C-3": False}
    # The file it was copied from, put there again, is another store: marked again.
    shutil.copy2(data / "clockwork.db", other / "clockwork.db")
    assert marked(other)["A-1"] is True


def test_a_restored_store_is_marked_even_from_before_identities(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store_with_entries(data)
    backups = Backups(data)
    taken = backups.take(AT)
    # A backup from a version before identities: no identity, no column.
    old = sqlite3.connect(taken.path)
    old.execute("DROP TABLE store_identity")
    old.execute("ALTER TABLE entries DROP COLUMN verify_first")
    old.execute("PRAGMA user_version = 7")
    old.close()
    backups.restore(taken.name, AT + timedelta(minutes=1))
    assert marked(data) == {"A-1": True, "B-2": False, "C-3": True}


def test_a_backup_copied_over_the_database_by_hand_is_another_store(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store_with_entries(data)
    assert marked(data)["A-1"] is False
    backups = Backups(data)
    taken = backups.take(AT)
    # No identity change since the backup: the live store is still the one its folder names.
    assert marked(data) == {"A-1": False, "B-2": False, "C-3": False}
    shutil.copy2(taken.path, data / "clockwork.db")  # not through `restore`
    assert marked(data) == {"A-1": True, "B-2": False, "C-3": True}
    assert not list(backups.folder.glob("*.partial*")), "the copy leaves nothing beside it"


def test_an_upgrade_in_place_marks_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store_with_entries(data)
    (data / "store-id").unlink()
    conn = sqlite3.connect(data / "clockwork.db")
    conn.execute("DROP TABLE store_identity")
    conn.execute("ALTER TABLE entries DROP COLUMN verify_first")
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    assert marked(data) == {"A-1": False, "B-2": False, "C-3": False}


def test_migration_9_runs_the_same_whatever_number_8_did(tmp_path: Path) -> None:
    import sqlite_utils

    conn = sqlite3.connect(tmp_path / "x.db")
    db = sqlite_utils.Database(conn)
    for step in migrations.MIGRATIONS[:7]:
        step(db)
    migrations.MIGRATIONS[8](db)
    migrations.MIGRATIONS[8](db)  # again, as after a number 8 that added the same
    columns = {r[1] for r in conn.execute("PRAGMA table_info(entries)")}
    assert "verify_first" in columns
    conn.close()
