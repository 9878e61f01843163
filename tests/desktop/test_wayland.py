"""The app on Wayland: a headless weston compositor, the app on Qt's wayland platform.

weston has no system tray, so the app runs in its small window; the picker must open from
`clockwork-desktop pick` (a desktop shortcut's command) and from a second launch. A grabbing
popup needs a parent window that has just received input, which a shortcut never gives, so
the picker is an ordinary window on Wayland. Qt believes a refused popup is on screen too, so
the check is the compositor's own: weston's screenshots (pixman renderer, --debug for the
screenshooter) before and after, and the picker's rows must appear.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.xdesktop import wait_for

pytestmark = pytest.mark.desktop

PANEL_ROWS = 40  # weston's panel (its clock changes by the minute)
PICKER_ROWS = 150  # the picker is 200 pixels tall


@pytest.fixture
def wayland(tmp_path: Path) -> Iterator[dict[str, str]]:
    if shutil.which("weston") is None:
        reason = "Wayland tests need weston (Debian: weston)"
        if os.environ.get("CLOCKWORK_REQUIRE_DESKTOP"):
            pytest.fail(reason)  # CI installs it: a skip there would hide a broken setup
        pytest.skip(reason)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {
        **os.environ,
        "XDG_RUNTIME_DIR": str(runtime),
        "WAYLAND_DISPLAY": "wayland-test",
        "QT_QPA_PLATFORM": "wayland",
    }
    env.pop("DISPLAY", None)
    weston = subprocess.Popen(
        [
            "weston",
            "--backend=headless-backend.so",
            "--use-pixman",
            "--debug",  # lets weston-screenshooter read the screen
            "--width=1024",
            "--height=768",
            "--socket=wayland-test",
            "--idle-time=0",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for((runtime / "wayland-test").exists, what="weston's socket")
        yield env
    finally:
        weston.terminate()
        weston.wait(timeout=10)


class WaylandApp:
    def __init__(self, env: dict[str, str], data: Path) -> None:
        self.env = env
        self.data = data
        self.command = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
        self.proc: subprocess.Popen[bytes] | None = None

    def launch(self) -> None:
        ready = self.data / "ready"
        self.proc = subprocess.Popen(
            self.command,
            env={**self.env, "CLOCKWORK_READY_FILE": str(ready)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(ready.exists, what="the app's event loop on Wayland")

    def log(self) -> str:
        return "".join(p.read_text() for p in sorted((self.data / "logs").glob("*.log*")))

    def screenshot(self) -> list[bytes]:
        """The screen's rows below weston's panel, as weston itself draws them."""
        from PySide6.QtGui import QImage

        folder = self.data / "shots"
        folder.mkdir(exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        subprocess.run(["weston-screenshooter"], env=self.env, cwd=folder, timeout=20, check=True)
        (shot,) = folder.iterdir()
        image = QImage(str(shot)).convertToFormat(QImage.Format.Format_RGB32)
        data = bytes(image.constBits())
        stride = image.bytesPerLine()
        return [data[y * stride : (y + 1) * stride] for y in range(PANEL_ROWS, image.height())]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=15)


@pytest.fixture
def wayland_app(wayland: dict[str, str], tmp_path: Path) -> Iterator[WaylandApp]:
    from clockwork_desktop.infra.db.database import open_database
    from clockwork_desktop.infra.db.store import SqliteStore

    data = tmp_path / "data"
    opened = open_database(data)
    SqliteStore(opened.conn).set_setting("first_run_done", True)
    opened.conn.close()
    app = WaylandApp(wayland, data)
    try:
        yield app
    finally:
        app.stop()


def _settled(app: WaylandApp) -> list[bytes]:
    """The screen once the app's window and its one-time note are shown."""
    app.launch()
    wait_for(lambda: "no_tray_explained" in _settings(app.data), what="the no-tray note")
    return app.screenshot()


def _changed_rows(app: WaylandApp, before: list[bytes]) -> int:
    return sum(a != b for a, b in zip(before, app.screenshot(), strict=True))


def test_pick_opens_the_picker_on_wayland(wayland_app: WaylandApp) -> None:
    before = _settled(wayland_app)
    done = subprocess.run(
        [*wayland_app.command, "pick"], env=wayland_app.env, capture_output=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    wait_for(
        lambda: _changed_rows(wayland_app, before) >= PICKER_ROWS,
        what="the picker on weston's screen",
    )
    assert "Failed to create grabbing popup" not in wayland_app.log()


def test_a_second_launch_opens_the_picker_on_wayland(wayland_app: WaylandApp) -> None:
    before = _settled(wayland_app)
    second = subprocess.run(wayland_app.command, env=wayland_app.env, timeout=30)
    assert second.returncode == 0
    wait_for(
        lambda: _changed_rows(wayland_app, before) >= PICKER_ROWS,
        what="the picker on weston's screen",
    )


def test_quitting_while_the_no_tray_note_shows_loses_nothing(wayland_app: WaylandApp) -> None:
    """weston has no tray: the app explains its small window once, without blocking; a quit
    while the note shows is clean (it used to write to a closed database and crash)."""
    wayland_app.launch()
    assert wayland_app.proc is not None
    wait_for(lambda: "no_tray_explained" in _settings(wayland_app.data), what="the no-tray note")
    wayland_app.stop()
    assert wayland_app.proc.returncode == 0
    assert "uncaught error" not in wayland_app.log()


def _settings(data: Path) -> str:
    import sqlite3

    conn = sqlite3.connect(f"file:{data / 'clockwork.db'}?mode=ro", uri=True)
    try:
        return " ".join(str(row) for row in conn.execute("SELECT key FROM settings"))
    finally:
        conn.close()
