"""The built bundle on a real tray: its icon embeds, its menu opens and its actions work.

Runs when CLOCKWORK_BUNDLE names the bundle's executable (`.ci/bundle` does that after the
build); the rest of the suite runs from source and skips it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.desktop.conftest import App, Desktop, wait_for

BUNDLE = os.environ.get("CLOCKWORK_BUNDLE", "")
SCREENSHOT = os.environ.get("CLOCKWORK_BUNDLE_SCREENSHOT", "")

pytestmark = [
    pytest.mark.desktop,
    pytest.mark.skipif(not BUNDLE, reason="set CLOCKWORK_BUNDLE to a built bundle (.ci/bundle)"),
]


def test_bundle_icon_embeds_menu_opens_and_starts_a_timer(
    desktop: Desktop, app: App, tmp_path: Path
) -> None:
    bundled = App(desktop, app.data, command=[str(Path(BUNDLE).resolve())])
    assert bundled.cli("log", "PACK-1", "15m", "--date", "yesterday").returncode == 0
    x, y = bundled.start()
    assert 0 < x < 64
    assert 0 < y < 32
    before = desktop.visible_windows()
    desktop.xdotool("mousemove", str(x), str(y), "click", "3")
    wait_for(lambda: desktop.visible_windows() - before, what="the bundle's tray menu")
    if SCREENSHOT:
        _screenshot(desktop, SCREENSHOT)
    desktop.xdotool("key", "1")  # the first recent issue
    running = wait_for(lambda: bundled.status()["running"], what="a timer started from the menu")
    assert running["issue_key"] == "PACK-1"  # type: ignore[index]
    assert shutil.which(bundled.command[0]) or Path(bundled.command[0]).is_file()


def _screenshot(desktop: Desktop, path: str) -> None:
    """The whole virtual screen, grabbed by Qt from another process, to look at."""
    grab = (
        "import sys; from PySide6.QtGui import QGuiApplication; "
        "app = QGuiApplication(['grab']); "
        "sys.exit(0 if app.primaryScreen().grabWindow(0).save(sys.argv[1]) else 1)"
    )
    subprocess.run([sys.executable, "-c", grab, path], env=desktop.env, check=True, timeout=30)
