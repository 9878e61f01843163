"""The longest event-loop stall while the app works: does the GUI stay responsive?

A QTimer ticks every few milliseconds on the GUI thread and records the largest gap between two
ticks beyond its interval. Baseline: the same loop, with the same tray controller and its timers,
idle for as long as the load takes. Load, started together through the app's TaskRunner (as the
tray does): a sync pushing 1,000 pending entries to the fake Jira (50 ms latency per request, in
its own process), the team's week loaded from Jira, and the week exported as XLSX. Prints both
figures (goal: loaded stall <= 50 ms) and their ratio, median over several runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks.sync_throughput import LATENCY_S, _Clock, _FakeProcess, _Memory
from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.export import encode_table
from clockwork_desktop.core.timesheet import grid_table, week_days
from clockwork_desktop.infra.credentials import KeyringCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from clockwork_desktop.ui.tasks import TaskRunner
from clockwork_desktop.ui.tray import TrayController

TICK_MS = 5
GOAL_MS = 50.0
ISSUES = 100
FIRST_DAY = date(2026, 1, 5)


class StallMeter:
    """The largest gap between ticks of a precise timer, less the interval itself."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.clock = QElapsedTimer()
        self.worst_ms = 0.0
        self._last = 0.0

    def start(self) -> None:
        self.worst_ms = 0.0
        self.clock.start()
        self._last = self.clock.nsecsElapsed() / 1e6
        self.timer.start()

    def _tick(self) -> None:
        now = self.clock.nsecsElapsed() / 1e6
        self.worst_ms = max(self.worst_ms, now - self._last - TICK_MS)
        self._last = now

    def stop(self) -> float:
        self.timer.stop()
        return self.worst_ms


def spin_until(app: QApplication, done: object, timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.001)
        if time.monotonic() > deadline:
            raise TimeoutError("the load did not finish")


def prepare(data: Path, jira: _FakeProcess, entries: int) -> AppServices:
    app = AppServices(
        data, _Clock(), connector=HttpJiraConnector(), credentials=KeyringCredentials(environ={})
    )
    app.store.set_setting("timezone", "Europe/Berlin")
    app.store.set_setting("first_run_done", True)
    app.accounts.login(jira.base_url, "tok", email="bench@example.com", name="bench")
    with app.store.atomic():
        for n in range(entries):
            slot = n % 20
            app.tracker.log_time(
                f"BEN-{n % ISSUES + 1}",
                20 * 60,
                day=FIRST_DAY + timedelta(days=n // 20),
                start_time=datetime(2000, 1, 1, 7 + slot // 3, (slot % 3) * 20).time(),
                comment=f"entry {n}",
            )
    return app


def one_run(qt: QApplication, entries: int) -> tuple[float, float, float]:
    """(idle stall ms, loaded stall ms, load wall s)."""
    jira = _FakeProcess(ISSUES, 0.0, "cloud", "accept")
    with tempfile.TemporaryDirectory() as folder:
        app = prepare(Path(folder), jira, entries)
        team = app.timesheets.save_people_team("bench", [("acc-1", "Bench User")])
        days = week_days(FIRST_DAY + timedelta(days=7))
        runner = TaskRunner()
        tray = TrayController(app, runner, use_tray=False)  # its timers run as in the app
        meter = StallMeter()
        jira.send(f"latency {LATENCY_S}")

        finished: list[str] = []

        def export() -> int:
            grid = app.timesheets.my_week(days)
            return len(encode_table(grid_table(grid, by_issue=True), ".xlsx", app.xlsx_bytes))

        meter.start()
        started = time.perf_counter()
        runner.network(app.sync.sync, lambda _r: finished.append("sync"))
        runner.network(
            lambda: app.timesheets.team_week(team, days, refresh=True),
            lambda _w: finished.append("team week"),
        )
        runner.db(export, lambda _b: finished.append("export"))
        spin_until(qt, lambda: len(finished) == 3)
        wall = time.perf_counter() - started
        loaded = meter.stop()
        pushed = len(jira.stats()["ids"])
        if pushed < entries:
            print(f"  the sync pushed only {pushed} of {entries} entries")

        meter.start()  # the same loop and controller, nothing in the background
        idle_until = time.perf_counter() + wall
        spin_until(qt, lambda: time.perf_counter() >= idle_until)
        idle = meter.stop()

        tray.shutdown()
        runner.shutdown()
        app.close()
    jira.close()
    return idle, loaded, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    qt = QApplication.instance() or QApplication(["event-loop-stall"])
    previous = keyring.get_keyring()
    keyring.set_keyring(_Memory())
    results = []
    try:
        for n in range(args.runs):
            idle, loaded, wall = one_run(qt, args.entries)  # type: ignore[arg-type]
            results.append((idle, loaded, wall))
            print(
                f"run {n + 1}: idle stall {idle:.1f} ms; under load {loaded:.1f} ms "
                f"(load took {wall:.1f} s)"
            )
    finally:
        keyring.set_keyring(previous)
    idle = statistics.median(r[0] for r in results)
    loaded = statistics.median(r[1] for r in results)
    print(
        f"longest event-loop stall, median of {len(results)} runs: {loaded:.1f} ms during a "
        f"{args.entries}-entry sync ({LATENCY_S * 1000:.0f} ms latency), a team-week load and "
        f"an XLSX export (goal <= {GOAL_MS:.0f} ms); idle baseline {idle:.1f} ms; "
        f"ratio {loaded / max(idle, 0.1):.1f}x"
    )


if __name__ == "__main__":
    main()
