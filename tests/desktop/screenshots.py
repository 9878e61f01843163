"""Regenerate the README screenshots on a virtual screen (Xvfb + trayer), as a user sees them.

    .venv/bin/python -m tests.desktop.screenshots
    .venv/bin/python -m tests.desktop.screenshots timesheet [2] [dark]  # the timesheet alone

Starts the real app with --demo, opens the tray menu and the issue picker with real clicks,
and shows the away resolver, grabbing the screen each time into resources/screenshots/.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.desktop.conftest import App
from tests.support.xdesktop import Desktop, virtual_desktop, wait_for

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "resources" / "screenshots"


def grab(desk: Desktop, name: str, width: int, height: int) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "shot = app.primaryScreen().grabWindow(0, 0, 0, int(sys.argv[2]), int(sys.argv[3]))\n"
        "shot.save(sys.argv[1])\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(OUT / name), str(width), str(height)],
        env=desk.env,
        check=True,
        timeout=30,
    )
    print(f"wrote {OUT / name}")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with (
        virtual_desktop({**os.environ, "TZ": "Europe/Berlin"}) as desk,
        tempfile.TemporaryDirectory() as tmp,
    ):
        app = App(desk, Path(tmp) / "unused")
        ready = Path(tmp) / "ready"
        env = {**desk.env, "CLOCKWORK_READY_FILE": str(ready)}
        proc = subprocess.Popen(
            [sys.executable, "-m", "clockwork_desktop", "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        desk.procs.append(proc)
        wait_for(ready.exists, what="the app")
        x, y = app.icon_center()
        time.sleep(4)  # the demo Jira starts and signs in after the icon is up
        desk.xdotool("mousemove", str(x), str(y), "click", "1")
        time.sleep(1.5)
        grab(desk, "picker.png", 480, 420)
        desk.xdotool("type", "--delay", "30", "sync")
        time.sleep(1.0)
        desk.xdotool("key", "Return")
        time.sleep(66)  # let the timer run past a minute for a realistic menu
        desk.xdotool("mousemove", str(x), str(y), "click", "3")
        time.sleep(1.0)
        grab(desk, "tray-menu.png", 420, 420)
        desk.xdotool("key", "Escape")
        show_away_dialog(desk)
        show_timesheet(desk)


def show_away_dialog(desk: Desktop) -> None:
    """The resolver as it appears after a coffee break (rendered on the same screen)."""
    code = """
import sys
from datetime import timedelta
from pathlib import Path
import tempfile
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import AwayPeriod
from clockwork_desktop.infra.credentials import SessionCredentials
from clockwork_desktop.ui.dialogs import AwayDialog

app = QApplication(["clockwork-desktop"])
services = AppServices(Path(tempfile.mkdtemp()), credentials=SessionCredentials())
tracker = services.tracker
now = tracker.now()
tracker.start("DEMO-101", at=now - timedelta(hours=1, minutes=20))
period = AwayPeriod(now - timedelta(minutes=38), now, "idle")
dialog = AwayDialog(services, period, "DEMO-101")
dialog.move(20, 20)
dialog.show()

def shoot():
    geo = dialog.frameGeometry()
    shot = app.primaryScreen().grabWindow(0, 0, 0, geo.right() + 20, geo.bottom() + 20)
    shot.save(sys.argv[1])
    app.exit(0)

QTimer.singleShot(800, shoot)
app.exec()
"""
    subprocess.run(
        [sys.executable, "-c", code, str(OUT / "away-resolver.png")],
        env=desk.env,
        check=True,
        timeout=60,
    )
    print(f"wrote {OUT / 'away-resolver.png'}")


TIMESHEET_CODE = """
import sys, tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import SyncState
from clockwork_desktop.fakejira.demo import DEMO_EMAIL, DEMO_TOKEN, demo_jira
from clockwork_desktop.infra.credentials import SessionCredentials
from clockwork_desktop.ui.tasks import TaskRunner
from clockwork_desktop.ui.timesheet import TimesheetWindow

ZONE = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 12, 15, 40, tzinfo=ZONE)  # a Thursday afternoon, the same every run


class Clock:
    def now(self):
        return NOW

    def monotonic(self):
        return 0.0


out = dict(arg.split("=", 1) for arg in sys.argv[1:])
app = QApplication(["clockwork-desktop"])
if out.pop("dark", None):  # a dark desktop theme, as Fusion draws it
    from PySide6.QtGui import QColor, QPalette
    app.setStyle("Fusion")
    dark = QPalette()
    for role, colour in [("Window", "#2b2b2b"), ("WindowText", "#e6e6e6"), ("Base", "#1e1e1e"),
                         ("AlternateBase", "#2b2b2b"), ("Text", "#e6e6e6"), ("Button", "#353535"),
                         ("ButtonText", "#e6e6e6"), ("Highlight", "#3d7edb"),
                         ("HighlightedText", "#ffffff"), ("Mid", "#555555"),
                         ("PlaceholderText", "#9a9a9a")]:
        dark.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    app.setPalette(dark)
services = AppServices(Path(tempfile.mkdtemp()), Clock(), credentials=SessionCredentials())
services.store.set_setting("timezone", ZONE.key)
tracker = services.tracker
jira = demo_jira(ZONE.key, now=NOW)
services.accounts.login(jira.base_url, DEMO_TOKEN, email=DEMO_EMAIL, name="demo")
services.issues.my_open_issues()
today = tracker.today()
monday = today - timedelta(days=today.weekday())
plan = [(0, "DEMO-101", 9, 150), (0, "DEMO-102", 13, 120), (1, "DEMO-101", 9, 240),
        (1, "OPS-8", 14, 60), (2, "DEMO-103", 9, 200), (2, "DEMO-104", 14, 90),
        (3, "DEMO-105", 9, 150), (3, "DEMO-104", 13, 45)]
for offset, key, hour, minutes in plan:
    day = monday + timedelta(days=offset)
    tracker.log_time(key, minutes * 60, day=day, start_time=time(hour, 0))
morning = next(v.entry for v in tracker.entries(today, today) if v.entry.issue_key == "DEMO-105")
coffee = datetime.combine(today, time(10, 10), ZONE)
morning.breaks = [(coffee, coffee + timedelta(minutes=25))]  # time away, left out
services.store.save(morning)
services.sync.sync()
services.sync.import_worklogs(None, monday, today)  # the stand-ups logged in Jira's web page
entries = [v.entry for v in tracker.entries(monday, today) if v.state is SyncState.SYNCED]
failed = next(e for e in entries if e.issue_key == "DEMO-104" and e.local_start_date() < today)
failed.sync_state = SyncState.FAILED
failed.error = "You do not have the permission to associate a worklog."
services.store.save(failed)
tracker.start("DEMO-103", at=datetime.combine(today, time(14, 20), ZONE))
runner = TaskRunner()
window = TimesheetWindow(services, runner, services.timesheets)
window.move(0, 0)
window.resize(1000, 600)
window.show()
team = services.timesheets.resolve_team(group="demo-team")
window.team.fill_teams(select=team.name)
steps = []


def step(delay):
    def decorate(fn):
        steps.append((delay, fn))
        return fn
    return decorate


@step(900)
def shoot_mine():
    if "mine" in out:
        window.grab().save(out["mine"])
    window.tabs.setCurrentWidget(window.team)
    window.team.load(refresh=True)


@step(1800)
def shoot_team():
    window.team.view.expand(window.team.model.index(0, 0))
    if "team" in out:
        window.grab().save(out["team"])
    window.tabs.setCurrentWidget(window.timeline)
    window.timeline.timeline.selected = window.timeline.timeline.blocks()[-2].entry_id


@step(700)
def shoot_day():
    if "day" in out:
        window.grab().save(out["day"])
    window.timeline.set_week_mode(True)


@step(700)
def shoot_week():
    if "week" in out:
        window.grab().save(out["week"])
    runner.shutdown()
    jira.stop()
    app.exit(0)


def run(n=0):
    delay, fn = steps[n]

    def go():
        fn()
        if n + 1 < len(steps):
            run(n + 1)
    QTimer.singleShot(delay, go)


run()
app.exec()
"""


def show_timesheet(desk: Desktop, scale: str | None = None, *, dark: bool = False) -> None:
    """The timesheet window on demo data: my week, the team's week and the timeline.

    With a scale or a dark theme the shots go to the temporary folder, to look at, not commit.
    """
    shots = {
        "mine": OUT / "timesheet-my-week.png",
        "team": OUT / "timesheet-team.png",
        "day": OUT / "timesheet-timeline-day.png",
        "week": OUT / "timesheet-timeline-week.png",
    }
    env = dict(desk.env)
    tmp = Path(tempfile.gettempdir())
    if scale is not None:  # a look at a high-density screen
        env["QT_SCALE_FACTOR"] = scale
        shots = {k: tmp / f"{v.stem}@{scale}x.png" for k, v in shots.items()}
    if dark:
        shots = {k: tmp / f"{v.stem}-dark.png" for k, v in shots.items()}
    args = [f"{k}={v}" for k, v in shots.items()] + (["dark=1"] if dark else [])
    subprocess.run(
        [sys.executable, "-c", TIMESHEET_CODE, *args],
        env=env,
        check=True,
        timeout=120,
    )
    for path in shots.values():
        print(f"wrote {path}")


def timesheet_only(options: list[str]) -> None:
    """``python -m tests.desktop.screenshots timesheet [SCALE] [dark]``: the timesheet alone."""
    scale = next((o for o in options if o != "dark"), None)
    with virtual_desktop({**os.environ, "TZ": "Europe/Berlin"}) as desk:
        show_timesheet(desk, scale, dark="dark" in options)


if __name__ == "__main__":
    os.chdir(ROOT)
    if sys.argv[1:2] == ["timesheet"]:
        timesheet_only(sys.argv[2:])
    else:
        main()
