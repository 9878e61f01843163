"""`clockwork-desktop pick` against a real running app as a desktop shortcut would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clockwork_desktop.app.services import AppServices

START_TIMEOUT_S = 60


@pytest.mark.skipif(sys.platform == "win32", reason="the Unix socket path")
def test_pick_opens_the_picker_of_the_running_app(tmp_path: Path) -> None:
    data = tmp_path / "data"
    prepared = AppServices(data)
    prepared.store.set_setting("first_run_done", True)  # no sign-in dialog in the way
    prepared.close()
    ready = tmp_path / "ready"
    env = {
        "TZ": "Europe/Berlin",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "CLOCKWORK_READY_FILE": str(ready),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready.exists():  # a file another process writes: nothing to wait on but it
            assert app.poll() is None, app.stderr.read() if app.stderr else ""
            assert time.monotonic() < deadline, "the app never reached its event loop"
            time.sleep(0.05)
        verb = subprocess.run(
            [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data), "pick"],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert verb.returncode == 0, verb.stderr
        log = data / "logs" / "clockwork.log"
        deadline = time.monotonic() + 10
        while "asked to open the picker (pick)" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "the app never opened its picker"
            time.sleep(0.05)
    finally:
        os.kill(app.pid, signal.SIGTERM)
        app.wait(timeout=30)
        if app.stderr:
            app.stderr.close()
