"""The icon first: nothing heavy is imported before the tray icon shows.

The app writes the names in ``sys.modules`` at the moment its icon shows (without a tray: its
mini window) to the file named by CLOCKWORK_READY_MODULES_FILE; these tests read it. The
database is up to date, as on every start but the first.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.xdesktop import MISSING, virtual_desktop

# Loaded after the icon: each costs milliseconds the icon does not need.
HEAVY_ALWAYS = (
    "sqlite_utils",  # migrations and exports only
    "click",
    "dateutil",
    "pluggy",  # sqlite-utils' plugin machinery
    "importlib.metadata",
    "Xlib",  # the global shortcut, taken after the icon
    "clockwork_desktop.infra.hotkey",
    "httpx",
    "keyring",
    "apscheduler",
    "clockwork_desktop.ui.dialogs",
    "clockwork_desktop.ui.settings",
    "clockwork_desktop.ui.signin",
    "clockwork_desktop.ui.picker",
    "clockwork_desktop.ui.syncpanel",
    "clockwork_desktop.ui.recovery",
    "clockwork_desktop.ui.timesheet",
)
# With a tray, the icon needs neither the window nor the services behind the menu.
HEAVY_WITH_A_TRAY = (
    *HEAVY_ALWAYS,
    "clockwork_desktop.ui.miniwindow",
    "clockwork_desktop.services.attention",
    "clockwork_desktop.infra.db.store",
)


def _up_to_date_data(data: Path) -> None:
    from clockwork_desktop.infra.db.database import open_database
    from clockwork_desktop.infra.db.store import SqliteStore

    opened = open_database(data)
    SqliteStore(opened.conn).set_setting("first_run_done", True)
    opened.conn.close()


def _modules_when_shown(tmp_path: Path, env: dict[str, str]) -> set[str]:
    data = tmp_path / "data"
    _up_to_date_data(data)
    modules = tmp_path / "modules"
    result = subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            **env,
            "TZ": "Europe/Berlin",
            "CLOCKWORK_READY_FILE": str(tmp_path / "ready"),
            "CLOCKWORK_READY_MODULES_FILE": str(modules),
            "CLOCKWORK_EXIT_WHEN_READY": "1",
        },
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ready").read_text().strip().isdigit()
    names = set(modules.read_text(encoding="utf-8").split())
    assert "PySide6.QtWidgets" in names  # the file is the app's own list
    return names


def _imported(names: set[str], heavy: tuple[str, ...]) -> list[str]:
    return [h for h in heavy if any(n == h or n.startswith(h + ".") for n in names)]


@pytest.mark.desktop
def test_nothing_heavy_is_imported_before_the_tray_icon_shows(tmp_path: Path) -> None:
    if MISSING:
        reason = f"needs {', '.join(MISSING)} (Debian: xvfb trayer xdotool x11-utils)"
        if os.environ.get("CLOCKWORK_REQUIRE_DESKTOP"):
            pytest.fail(reason)
        pytest.skip(reason)
    with virtual_desktop(dict(os.environ)) as desk:
        names = _modules_when_shown(tmp_path, desk.env)
    assert _imported(names, HEAVY_WITH_A_TRAY) == []


def test_without_a_tray_the_mini_window_shows_before_anything_heavy(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen"}
    names = _modules_when_shown(tmp_path, env)
    assert "clockwork_desktop.ui.miniwindow" in names  # no tray here: the window is shown
    assert _imported(names, HEAVY_ALWAYS) == []
