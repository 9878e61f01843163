"""One owner of the database in the tray app: every statement runs on one thread, whoever
asks (the sync on the scheduler's thread and its workers, an automatic poll, the GUI)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services.tracker import TrackerService
from tests.conftest import FakeClock
from tests.support.jira import login, make_app, seed

pytestmark = pytest.mark.usefixtures("memory_keyring")


def test_a_sync_and_a_poll_from_other_threads_run_every_statement_on_the_owner(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    with FakeJira("cloud") as jira:
        seed(jira)
        app = make_app(tmp_path / "data", clock, owned_db=True)
        owner = app.db_owner
        assert owner is not None
        threads: set[str] = set()
        app.store.connection  # noqa: B018 - opened (on the owner) before the trace is set
        owner.call(
            lambda: app.store.connection.set_trace_callback(
                lambda _sql: threads.add(threading.current_thread().name)
            )
        )
        try:
            login(app, jira)
            app.preferences.set_jira("cloud", True)
            for key in ("PROJ-1", "PROJ-2", "PROJ-3"):  # three issues: the sync's workers
                app.tracker.log_time(key, 3600, comment=key)
            reports: list[object] = []

            def off_the_owner() -> None:  # as the scheduler's thread and the network pool do
                reports.append(app.sync.sync())
                reports.append(app.auto_timers.poll())

            worker = threading.Thread(target=off_the_owner, name="scheduler")
            worker.start()
            worker.join(timeout=60)
            assert not worker.is_alive()
            assert reports[0].created == 3  # type: ignore[attr-defined]
            assert sum(len(jira.worklogs_of(k)) for k in ("PROJ-1", "PROJ-2", "PROJ-3")) == 3
        finally:
            app.close()
        assert threads
        assert all(name.startswith("db") for name in threads), threads


def test_the_owners_connection_refuses_other_threads(tmp_path: Path) -> None:
    app = make_app(tmp_path / "data", FakeClock(), owned_db=True)
    try:
        with pytest.raises(sqlite3.ProgrammingError):
            app.store.connection.execute("SELECT 1")  # this thread is not the owner
        with pytest.raises(RuntimeError, match="transaction"), app.store.atomic():
            pass
        assert app.store.transaction(lambda: app.store.get_setting("timezone")) == "Europe/Berlin"
    finally:
        app.close()


def test_start_reads_now_inside_its_transaction(tmp_path: Path) -> None:
    """Another process holds the write lock; the clock moves on while Start waits for it:
    the timer starts when Start got the lock, not at an instant already past."""
    clock = FakeClock()
    opened = open_database(tmp_path / "data")
    store = SqliteStore(opened.conn, opened.path, now=clock.now)
    tracker = TrackerService(store, store, clock, ZoneInfo("UTC"))
    waiting = threading.Event()
    opened.conn.set_trace_callback(lambda sql: waiting.set() if sql.startswith("BEGIN") else None)
    other = sqlite3.connect(opened.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    started: list[object] = []
    starter = threading.Thread(target=lambda: started.append(tracker.start("PROJ-1")))
    starter.start()
    try:
        assert waiting.wait(10)  # Start is at its BEGIN, waiting for the other's lock
        got_lock_at = clock.advance(minutes=10)
    finally:
        other.execute("COMMIT")
        other.close()
    starter.join(timeout=30)
    assert not starter.is_alive()
    assert started[0].started.started_at == got_lock_at  # type: ignore[attr-defined]
    store.close()
