"""A virtual desktop for real-tray tests, screenshots and benchmarks.

Xvfb for the screen, Debian's trayer as an XEmbed tray host, xdotool for real clicks.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

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


XVFB_START_S = 20.0


def _start_xvfb() -> tuple[subprocess.Popen[bytes], int]:
    """Xvfb on a display number it picks itself (``-displayfd``): choosing a free number
    beforehand raced with other test runs on the same machine, and a second server on a taken
    number left the test talking to someone else's, which then went away. Xvfb writes the
    number once it accepts clients."""
    read_end, write_end = os.pipe()
    try:
        command = ["Xvfb", "-displayfd", str(write_end), "-screen", "0", "1280x800x24"]
        # -noreset: by default the server resets when its last client leaves, and a client
        # connecting during the reset is dropped ("connection reset by peer").
        proc = subprocess.Popen(
            [*command, "-nolisten", "tcp", "-noreset"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write_end,),
        )
        os.close(write_end)
        write_end = -1
        text = b""
        deadline = time.monotonic() + XVFB_START_S
        while not text.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready, _, _ = select.select([read_end], [], [], max(0.0, left))
            chunk = os.read(read_end, 16) if ready else b""
            if not chunk:
                proc.kill()
                proc.wait()
                raise AssertionError("Xvfb did not start")
            text += chunk
        return proc, int(text)
    finally:
        os.close(read_end)
        if write_end != -1:
            os.close(write_end)


@contextmanager
def virtual_desktop(env: dict[str, str] | None = None, *, tray: bool = True) -> Iterator[Desktop]:
    """Xvfb with trayer's panel up (unless ``tray`` is false), torn down on exit."""
    xvfb, number = _start_xvfb()
    display = f":{number}"
    full_env = {
        **(env if env is not None else os.environ),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
    }
    full_env.pop("WAYLAND_DISPLAY", None)
    desk = Desktop(display, full_env)
    desk.procs.append(xvfb)
    try:
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
