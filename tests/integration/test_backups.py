"""Daily backups with SQLite's backup API, the last seven kept, and restoring one."""

from __future__ import annotations

import datetime as dt
import json
import socket
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clockwork_desktop.infra.backup import KEEP_BACKUPS, Backups
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.migrations import SCHEMA_VERSION
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.infra.lock import FileSyncLock
from clockwork_desktop.infra.running import app_lock, socket_path, tray_app_running
from tests.integration.test_cli import cli

T0 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def entry_keys(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute("SELECT issue_key FROM entries ORDER BY id")]
    finally:
        conn.close()


def logged(data: Path, key: str) -> None:
    result = cli(data, "log", key, "1h", "--date", "2026-03-05")
    assert result.returncode == 0, result.stderr


def test_daily_backups_keep_seven_private_consistent_copies(tmp_path: Path) -> None:
    data = tmp_path / "data"
    opened = open_database(data)
    conn = opened.conn
    conn.execute(
        "INSERT INTO entries (uuid, issue_key, start_utc, end_utc, tz) "
        "VALUES ('u1', 'PROJ-1', 0, 3600, 'UTC')"
    )
    backups = Backups(data)
    assert backups.take_if_due(T0) is not None
    assert backups.take_if_due(T0 + timedelta(hours=23)) is None, "more than one a day"
    for day in range(1, 10):
        assert backups.take_if_due(T0 + timedelta(days=day)) is not None
    kept = backups.all()
    assert len(kept) == KEEP_BACKUPS
    assert kept[0].taken_at == T0 + timedelta(days=9)
    assert kept[-1].taken_at == T0 + timedelta(days=3)
    assert stat.S_IMODE(backups.folder.stat().st_mode) == 0o700
    for b in kept:
        assert stat.S_IMODE(b.path.stat().st_mode) == 0o600
        # Taken while this connection is open, with rows perhaps only in the WAL.
        assert entry_keys(b.path) == ["PROJ-1"]
        assert not Path(f"{b.path}-wal").exists()
    assert not list(backups.folder.glob(".*partial"))
    conn.close()


def test_synced_utc_is_set_when_an_entry_first_reaches_jira(tmp_path: Path) -> None:
    from clockwork_desktop.core.models import SyncState
    from clockwork_desktop.core.ports import NewEntry

    opened = open_database(tmp_path / "data")
    assert opened.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    now = [T0]
    store = SqliteStore(opened.conn, opened.path, now=lambda: now[0])
    entry = store.add(
        NewEntry(issue_key="PROJ-1", account=None, started_at=T0, ended_at=T0, tz="UTC")
    )

    def synced_utc() -> int | None:
        row = opened.conn.execute("SELECT synced_utc FROM entries WHERE id = ?", (entry.id,))
        return row.fetchone()[0]

    now[0] = T0 + timedelta(minutes=3)
    store.save(entry)
    assert synced_utc() is None, "pending is not synced"
    entry.sync_state = SyncState.SYNCED
    store.save(entry)
    assert synced_utc() == int((T0 + timedelta(minutes=3)).timestamp())
    now[0] = T0 + timedelta(hours=2)
    entry.sync_state = SyncState.PENDING
    store.save(entry)
    entry.sync_state = SyncState.SYNCED
    store.save(entry)
    assert synced_utc() == int((T0 + timedelta(minutes=3)).timestamp()), "only the first"
    assert store.sync_delays(T0 - timedelta(days=1)) == [(T0, T0 + timedelta(minutes=3))]
    store.close()


def test_a_write_command_takes_the_daily_backup_and_restore_keeps_the_current_file(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    logged(data, "PROJ-1")
    listed = json.loads(cli(data, "backups", "--json").stdout)
    assert len(listed) == 1
    name = listed[0]["name"]
    logged(data, "PROJ-2")
    assert len(json.loads(cli(data, "backups", "--json").stdout)) == 1, "one a day"

    declined = subprocess_restore(data, name, answer="n\n")
    assert declined.returncode == 1
    assert "nothing was changed" in declined.stderr
    assert entry_keys(data / "clockwork.db") == ["PROJ-1", "PROJ-2"]

    restored = subprocess_restore(data, name, answer="y\n")
    assert restored.returncode == 0, restored.stderr
    aside = list(data.glob("clockwork.db.before-restore-*"))
    assert len(aside) == 1
    assert str(aside[0]) in restored.stdout
    assert entry_keys(aside[0]) == ["PROJ-1", "PROJ-2"], "the file set aside is intact"
    assert entry_keys(data / "clockwork.db") == ["PROJ-1"]
    assert stat.S_IMODE((data / "clockwork.db").stat().st_mode) == 0o600
    # The restored database is used as usual.
    assert cli(data, "entries", "--date", "2026-03-05").returncode == 0

    again = cli(data, "restore", name, "--yes")
    assert again.returncode == 0, again.stderr
    assert len(list(data.glob("clockwork.db.before-restore-*"))) == 2, "nothing overwritten"

    unknown = cli(data, "restore", "../clockwork.db", "--yes")
    assert unknown.returncode == 2
    assert entry_keys(data / "clockwork.db") == ["PROJ-1"]


def subprocess_restore(data: Path, name: str, answer: str):  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data), "restore", name],
        input=answer,
        capture_output=True,
        text=True,
        timeout=30,
        env={"TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin"},
    )


def test_restore_is_refused_while_a_sync_or_the_tray_app_holds_the_database(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    logged(data, "PROJ-1")
    name = json.loads(cli(data, "backups", "--json").stdout)[0]["name"]
    logged(data, "PROJ-2")

    lock = FileSyncLock(data / "sync.lock")
    assert lock.acquire()
    try:
        busy = cli(data, "restore", name, "--yes")
    finally:
        lock.release()
    assert busy.returncode == 1
    assert "syncing" in busy.stderr
    assert "Nothing was changed" in busy.stderr

    # The tray app holds its lock; a stale socket file alone does not count.
    path = socket_path(data)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()
    app = app_lock(data)
    try:
        assert not tray_app_running(data)
        assert app.acquire()
        assert tray_app_running(data)
        running = cli(data, "restore", name, "--yes")
    finally:
        app.release()
        path.unlink()
    assert running.returncode == 1
    assert "Quit it" in running.stderr
    assert not list(data.glob("clockwork.db.before-restore-*"))
    assert entry_keys(data / "clockwork.db") == ["PROJ-1", "PROJ-2"]


def test_the_tray_app_takes_its_backup_on_the_db_worker(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from clockwork_desktop.app.gui import GuiApp
    from clockwork_desktop.app.services import AppServices
    from clockwork_desktop.ui.tasks import TaskRunner

    services = AppServices(tmp_path / "data")
    services.tracker.log_time("PROJ-1", 3600, day=dt.date(2026, 3, 5), start_time=dt.time(9, 0))
    threads: list[str] = []
    take = services.backup_if_due

    def recording() -> object:
        threads.append(threading.current_thread().name)
        return take()

    services.backup_if_due = recording  # type: ignore[method-assign]
    app = GuiApp.__new__(GuiApp)
    app.services = services
    app.runner = TaskRunner()
    try:
        app._backup_soon()
        qtbot.waitUntil(lambda: len(services.backups.all()) == 1)
        app._backup_soon()
        qtbot.waitUntil(lambda: len(threads) == 2)
    finally:
        app.runner.shutdown()
        services.close()
    assert all(name.startswith("db") for name in threads), threads
    assert len(services.backups.all()) == 1, "at most one a day"


def test_restore_is_refused_while_the_tray_app_runs_whatever_the_shells_environment(
    qtbot, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The app runs in a desktop session (XDG_RUNTIME_DIR set); `restore` runs from a shell
    without it (ssh, cron, a TTY) and must still see the app."""
    from clockwork_desktop.app.instance import SingleInstance

    data = tmp_path / "data"
    logged(data, "PROJ-1")
    name = json.loads(cli(data, "backups", "--json").stdout)[0]["name"]
    logged(data, "PROJ-2")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    app = SingleInstance(data)
    assert not app.signal_running()
    app.listen(lambda _command: None)
    try:
        refused = subprocess_restore(data, name, "y\n")  # no XDG_RUNTIME_DIR there
    finally:
        app.close()
    assert refused.returncode == 1, refused.stdout
    assert "Quit it" in refused.stderr
    assert not list(data.glob("clockwork.db.before-restore-*"))
    assert entry_keys(data / "clockwork.db") == ["PROJ-1", "PROJ-2"]


def test_an_id_given_out_before_a_restore_is_never_given_again(tmp_path: Path) -> None:
    """Found by the seams test: a restore put back the backup's id counter, so the next entry
    took the id of one logged after the backup, and a script holding that id edited another
    entry."""
    from datetime import date, time

    from clockwork_desktop.app.services import AppServices
    from tests.conftest import FakeClock

    data = tmp_path / "data"
    app = AppServices(data, FakeClock(T0))
    app.store.set_setting("timezone", "Europe/Berlin")
    day = date(2026, 3, 5)
    app.tracker.log_time("PROJ-1", 600, day=day, start_time=time(9, 0))
    name = app.backup_now().name
    later = app.tracker.log_time("PROJ-2", 600, day=day, start_time=time(10, 0))
    app.restore_backup(name)
    again = app.tracker.log_time("PROJ-3", 600, day=day, start_time=time(11, 0))
    app.close()
    assert again.id > later.id
