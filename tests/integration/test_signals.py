"""SIGTERM and SIGINT (logout, shutdown, Ctrl+C, `kill`) end the tray app as cleanly as Quit."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clockwork_desktop.infra.paths import DB_FILENAME
from tests.integration.test_demo import _demo, _env

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

SIGNALS = pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])


def _wait_for(proc: subprocess.Popen[str], condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not condition():
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(0.05)


def _stop(proc: subprocess.Popen[str], signum: int) -> str:
    """Send ``signum``; the app must be gone within a few seconds. Its stderr."""
    try:
        proc.send_signal(signum)
        _out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return err


@SIGNALS
def test_a_signal_quits_the_demo_cleanly_and_removes_its_folder(
    tmp_path: Path, signum: int
) -> None:
    ready = tmp_path / "ready"
    demo = _demo(_env(tmp_path, CLOCKWORK_READY_FILE=str(ready)))
    _wait_for(demo, ready.exists, "the demo's event loop")
    assert len(list((tmp_path / "tmp").glob("clockwork-demo-*"))) == 1
    err = _stop(demo, signum)
    assert demo.returncode == 0, err
    assert list((tmp_path / "tmp").glob("clockwork-demo-*")) == []


@SIGNALS
def test_a_signal_is_no_answer_to_keep_the_timer_running(tmp_path: Path, signum: int) -> None:
    """Quit asks whether a running timer keeps counting unwatched; a signal cannot answer, so
    the timer keeps its last heartbeat, and the next start closes it there if that is old."""
    ready = tmp_path / "ready"
    env = _env(tmp_path, CLOCKWORK_READY_FILE=str(ready))
    cli = [sys.executable, "-m", "clockwork_desktop"]
    subprocess.run([*cli, "start", "SIG-1"], env=env, check=True, capture_output=True)
    database = tmp_path / "real" / DB_FILENAME

    def last_seen() -> int | None:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT last_seen_utc FROM entries WHERE end_utc IS NULL").fetchone()
        assert row is not None, "the timer is no longer running"
        return row[0]

    assert last_seen() is None  # started from the command line: nobody watches it yet
    app = subprocess.Popen(cli, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(app, lambda: ready.exists() and last_seen() is not None, "the app claims the timer")
    err = _stop(app, signum)
    assert app.returncode == 0, err
    assert last_seen() is not None, "a signal released the timer as if the user chose to keep it"
