"""A virtual desktop for real-tray tests, screenshots and benchmarks.

Xvfb for the screen, Debian's trayer as an XEmbed tray host, xdotool for real clicks.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo")
MISSING = [t for t in TOOLS if shutil.which(t) is None]
TRAYER_ARGS = [
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

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


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


@contextmanager
def virtual_desktop(env: dict[str, str] | None = None, *, tray: bool = True) -> Iterator[Desktop]:
    """Xvfb with trayer's panel up (unless ``tray`` is false), torn down on exit."""
    number = _free_display()
    display = f":{number}"
    full_env = {
        **(env if env is not None else os.environ),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
    }
    full_env.pop("WAYLAND_DISPLAY", None)
    desk = Desktop(display, full_env)
    try:
        desk.procs.append(
            subprocess.Popen(
                ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        wait_for(lambda: Path(f"/tmp/.X11-unix/X{number}").exists(), what="Xvfb")
        # The socket appears before the server accepts clients: ask it something first.
        wait_for(
            lambda: (
                subprocess.run(["xwininfo", "-root"], env=full_env, capture_output=True).returncode
                == 0
            ),
            what="Xvfb to accept clients",
        )
        if tray:
            _start_trayer(desk)
        yield desk
    finally:
        desk.stop()


def _start_trayer(desk: Desktop) -> None:
    for _attempt in range(3):
        trayer = subprocess.Popen(
            TRAYER_ARGS, env=desk.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
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
            return
    raise AssertionError("trayer did not start its panel in three attempts")
