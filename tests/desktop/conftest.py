"""A real X server (Xvfb), a real XEmbed tray host (trayer) and real clicks (xdotool)."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo")
MISSING = [t for t in TOOLS if shutil.which(t) is None]

pytestmark = pytest.mark.desktop


def wait_for(condition: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or condition}")


@dataclass
class Desktop:
    display: str
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def run(self, *args: str) -> str:
        return subprocess.run(
            list(args), env=self.env, capture_output=True, text=True, timeout=20
        ).stdout

    def tree(self) -> str:
        return self.run("xwininfo", "-root", "-tree")

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=20)

    def visible_windows(self) -> set[str]:
        out = self.run("xdotool", "search", "--onlyvisible", "--classname", "clockwork-desktop")
        return set(out.split())


def _free_display() -> int:
    # A random start: a display number just given up may still be shutting down.
    start = random.randrange(100, 400)
    for number in [*range(start, 500), *range(100, start)]:
        if (
            not Path(f"/tmp/.X{number}-lock").exists()
            and not Path(f"/tmp/.X11-unix/X{number}").exists()
        ):
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def desktop() -> Iterator[Desktop]:
    if MISSING:
        reason = (
            f"real-tray tests need {', '.join(MISSING)} (Debian: xvfb trayer xdotool x11-utils)"
        )
        if os.environ.get("CLOCKWORK_REQUIRE_DESKTOP"):
            pytest.fail(reason)  # CI installs them: a skip there would hide a broken setup
        pytest.skip(reason)
    number = _free_display()
    display = f":{number}"
    env = {
        **os.environ,
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "TZ": "Europe/Berlin",
    }
    env.pop("WAYLAND_DISPLAY", None)
    desk = Desktop(display, env)
    xvfb = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    desk.procs.append(xvfb)
    wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), what="Xvfb")
    # The socket appears before the server accepts clients: ask it something first.
    wait_for(
        lambda: subprocess.run(["xwininfo", "-root"], env=env, capture_output=True).returncode == 0,
        what="Xvfb to accept clients",
    )
    trayer_args = [
        "trayer",
        "--edge",
        "top",
        "--align",
        "left",
        "--widthtype",
        "request",
        "--height",
        "32",
        "--SetDockType",
        "true",
        "--expand",
        "false",
    ]
    for _attempt in range(3):
        trayer = subprocess.Popen(
            trayer_args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        desk.procs.append(trayer)
        try:
            wait_for(
                lambda: '"panel"' in desk.tree() or trayer.poll() is not None,  # noqa: B023
                timeout=5,
                what="trayer's panel",
            )
        except AssertionError:
            trayer.kill()
            continue
        if trayer.poll() is None:
            break
    else:
        raise AssertionError("trayer did not start its panel in three attempts")
    yield desk
    for proc in reversed(desk.procs):
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


class App:
    """The real app in a subprocess, on the test desktop."""

    def __init__(self, desk: Desktop, data: Path) -> None:
        self.desk = desk
        self.data = data
        self.proc: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(self.data), *args],
            env=self.desk.env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    def status(self) -> dict:
        return json.loads(self.cli("status", "--json").stdout)

    def start(self) -> tuple[int, int]:
        ready = self.data / "ready"
        ready.unlink(missing_ok=True)
        env = {**self.desk.env, "CLOCKWORK_READY_FILE": str(ready)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(self.data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.desk.procs.append(self.proc)
        wait_for(ready.exists, what="the app's event loop")
        return self.icon_center()

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
