"""A real X server (Xvfb), a real XEmbed tray host (trayer) and real clicks (xdotool)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.xdesktop import MISSING, Desktop, virtual_desktop, wait_for

__all__ = ["App", "Desktop", "wait_for"]

pytestmark = pytest.mark.desktop


@pytest.fixture
def desktop() -> Iterator[Desktop]:
    if MISSING:
        reason = (
            f"real-tray tests need {', '.join(MISSING)} (Debian: xvfb trayer xdotool x11-utils)"
        )
        if os.environ.get("CLOCKWORK_REQUIRE_DESKTOP"):
            pytest.fail(reason)  # CI installs them: a skip there would hide a broken setup
        pytest.skip(reason)
    with virtual_desktop({**os.environ, "TZ": "Europe/Berlin"}) as desk:
        yield desk


class App:
    """The real app in a subprocess, on the test desktop."""

    def __init__(self, desk: Desktop, data: Path, command: list[str] | None = None) -> None:
        self.desk = desk
        self.data = data
        # From source by default; a built bundle's executable for the bundle check.
        self.command = command or [sys.executable, "-m", "clockwork_desktop"]
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, "--data-dir", str(self.data), *args],
            env=self.desk.env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def status(self) -> dict:
        return json.loads(self.cli("status", "--json").stdout)

    def start(self) -> tuple[int, int]:
        """Start the app and wait for its icon to embed in trayer; the icon's centre."""
        self.launch()
        return self.icon_center()

    def launch(self) -> None:
        """Start the app and wait until its event loop runs."""
        ready = self.data / "ready"
        ready.unlink(missing_ok=True)
        env = {**self.desk.env, "CLOCKWORK_READY_FILE": str(ready)}
        self.proc = subprocess.Popen(
            [*self.command, "--data-dir", str(self.data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.desk.procs.append(self.proc)
        wait_for(ready.exists, what="the app's event loop")

    def icon_center(self) -> tuple[int, int]:
        pattern = re.compile(
            r'"Clockwork Desktop": \("clockwork-desktop" "Clockwork Desktop"\)\s+'
            r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)"
        )

        def embedded() -> tuple[int, int] | None:
            tree = self.desk.tree()
            panel = tree.split('"panel"', 1)
            if len(panel) < 2:
                return None
            match = pattern.search(panel[1])
            if not match:
                return None
            w, h, x, y = (int(g) for g in match.groups())
            if w < 2 or h < 2:
                return None
            return x + w // 2, y + h // 2

        return wait_for(embedded, what="the tray icon embedded in trayer")  # type: ignore[return-value]

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)


@pytest.fixture
def app(desktop: Desktop, tmp_path: Path) -> App:
    from clockwork_desktop.infra.db.database import open_database
    from clockwork_desktop.infra.db.store import SqliteStore

    data = tmp_path / "data"
    opened = open_database(data)
    SqliteStore(opened.conn).set_setting("first_run_done", True)
    opened.conn.close()
    return App(desktop, data)
