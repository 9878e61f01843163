"""A process holding a running timer is killed with SIGKILL mid-write; nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore

CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from zoneinfo import ZoneInfo
    from clockwork_desktop.core.clock import SystemClock
    from clockwork_desktop.infra.db.database import open_database
    from clockwork_desktop.infra.db.store import SqliteStore
    from clockwork_desktop.services.tracker import TrackerService

    opened = open_database(Path(sys.argv[1]))
    store = SqliteStore(opened.conn, opened.path)
    tracker = TrackerService(store, store, SystemClock(), ZoneInfo("Europe/Berlin"))
    entry = tracker.start("CRASH-1", comment="before the crash").started
    print(entry.id, int(entry.started_at.timestamp()), flush=True)
    n = 0
    while True:  # heartbeats and unrelated writes, as fast as the disk allows
        tracker.heartbeat()
        store.set_setting("counter", n)
        n += 1
        if n == 200:
            print("busy", flush=True)
    """
)


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX only")
def test_sigkill_mid_write_keeps_the_running_timer(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        entry_id, started = (int(x) for x in proc.stdout.readline().split())
        assert proc.stdout.readline().strip() == "busy"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL

    opened = open_database(tmp_path)
    assert opened.notices == []
    assert opened.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    store = SqliteStore(opened.conn)
    running = store.running()
    assert running is not None
    assert running.id == entry_id
    assert running.issue_key == "CRASH-1"
    assert running.comment == "before the crash"
    assert int(running.started_at.timestamp()) == started
    assert running.last_seen_at is not None
    opened.conn.close()
