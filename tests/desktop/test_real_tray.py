"""The real tray under Xvfb + trayer, clicked with xdotool."""

from __future__ import annotations

import pytest

from tests.desktop.conftest import App, Desktop, wait_for

pytestmark = pytest.mark.desktop


def test_icon_embeds_and_right_click_menu_starts_a_recent_issue(desktop: Desktop, app: App) -> None:
    assert app.cli("log", "PROJ-7", "30m", "--date", "yesterday").returncode == 0
    x, y = app.start()
    assert 0 < x < 64
    assert 0 < y < 32
    before = desktop.visible_windows()
    desktop.xdotool("mousemove", str(x), str(y), "click", "3")
    wait_for(lambda: desktop.visible_windows() - before, what="the tray menu")
    desktop.xdotool("key", "1")  # the first recent issue
    running = wait_for(lambda: app.status()["running"], what="a running timer")
    assert running["issue_key"] == "PROJ-7"  # type: ignore[index]


def test_left_click_picker_typed_key_and_enter(desktop: Desktop, app: App) -> None:
    x, y = app.start()
    before = desktop.visible_windows()
    desktop.xdotool("mousemove", str(x), str(y), "click", "1")
    wait_for(lambda: desktop.visible_windows() - before, what="the issue picker")
    desktop.xdotool("type", "--delay", "20", "abc-123")
    desktop.xdotool("key", "Return")
    running = wait_for(lambda: app.status()["running"], what="a running timer")
    assert running["issue_key"] == "ABC-123"  # type: ignore[index]


def test_sigkill_and_restart_keeps_the_timer(desktop: Desktop, app: App) -> None:
    x, y = app.start()
    desktop.xdotool("mousemove", str(x), str(y), "click", "1")
    wait_for(lambda: desktop.visible_windows(), what="the issue picker")
    desktop.xdotool("type", "--delay", "20", "KILL-1")
    desktop.xdotool("key", "Return")
    running = wait_for(lambda: app.status()["running"], what="a running timer")
    app.kill()
    app.start()
    after = wait_for(lambda: app.status()["running"], what="the timer after restart")
    assert after["id"] == running["id"]  # type: ignore[index]
    assert after["started"] == running["started"]  # type: ignore[index]
    assert after["issue_key"] == "KILL-1"  # type: ignore[index]


def test_cli_change_shows_in_the_tray_menu(desktop: Desktop, app: App) -> None:
    x, y = app.start()
    assert app.cli("start", "CLI-9").returncode == 0
    before = desktop.visible_windows()
    desktop.xdotool("mousemove", str(x), str(y), "click", "3")
    wait_for(lambda: desktop.visible_windows() - before, what="the tray menu")
    # The running header (enabled, so it reads in full contrast, but inert), then Stop.
    desktop.xdotool("key", "Down", "Down", "Return")
    wait_for(lambda: app.status()["running"] is None, what="the timer to stop")


def test_second_launch_shows_the_running_apps_picker(desktop: Desktop, app: App) -> None:
    import subprocess
    import sys

    app.start()
    before = desktop.visible_windows()
    second = subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(app.data)],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert second.returncode == 0
    assert "already running" in second.stdout
    wait_for(lambda: desktop.visible_windows() - before, what="the picker of the first app")
    desktop.xdotool("type", "--delay", "20", "TWO-2")
    desktop.xdotool("key", "Return")
    running = wait_for(lambda: app.status()["running"], what="a running timer")
    assert running["issue_key"] == "TWO-2"  # type: ignore[index]


def test_idle_time_from_the_x_server(desktop: Desktop) -> None:
    import subprocess
    import sys

    probe = (
        "import os, time\n"
        "from clockwork_desktop.infra.idle import idle_probe\n"
        "query = idle_probe()\n"
        "assert query is not None, 'no idle source'\n"
        "time.sleep(1.2)\n"
        "print(query())\n"
    )
    idle = subprocess.run(
        [sys.executable, "-c", probe], env=desktop.env, capture_output=True, text=True, timeout=30
    )
    assert idle.returncode == 0, idle.stderr
    assert float(idle.stdout) >= 1.0  # nobody touched the virtual screen
    desktop.xdotool("mousemove", "200", "200")
    moved = subprocess.run(
        [sys.executable, "-c", probe.replace("time.sleep(1.2)\n", "")],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert float(moved.stdout) < 1.0
