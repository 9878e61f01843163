"""Every tray action answers while an automatic poll, a sync and a team-week load each wait
on a Jira that does not answer (held on an Event: provably waiting, no timing involved).

The latencies are printed (run with ``-s``) for the record; the assertions are that each
action completed while all three were still blocked.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QPoint

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.tray import TrayController

WAIT_MS = 5000


class HeldJira:
    """Holds every request once armed: each arrival is counted, then waits for ``release``."""

    def __init__(self, jira: FakeJira) -> None:
        self.release = threading.Event()
        self.arrived = 0
        self._armed = False
        self._lock = threading.Lock()
        take = jira.take_fault

        def holding(method: str, path: str) -> Any:
            if self._armed:
                with self._lock:
                    self.arrived += 1
                self.release.wait()
            return take(method, path)

        jira.take_fault = holding  # type: ignore[method-assign]

    def arm(self) -> None:
        self._armed = True


def texts(picker: Any) -> list[str]:
    return [picker.list.item(i).text() for i in range(picker.list.count())]


def test_tray_actions_answer_while_a_poll_a_sync_and_a_team_week_wait_on_jira(
    qtbot: Any, controller: TrayController, services: AppServices, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    account = services.accounts.accounts()[0].name
    services.preferences.set_jira(account, True)
    team = services.timesheets.save_people_team("Us", [("acc-alice", "Alice Example")])
    services.issues.my_open_issues()  # the picker's cached list
    services.tracker.log_time("PROJ-3", 1800, comment="waiting to be sent")
    today = services.tracker.today()
    monday = today - timedelta(days=today.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    held = HeldJira(jira)
    held.arm()

    # The three slow readers, each provably waiting on Jira before the next starts.
    controller.poll_automatic()  # on the network pool, as the tray's timer does
    qtbot.waitUntil(lambda: held.arrived >= 1, timeout=WAIT_MS)
    sync = threading.Thread(target=services.sync.sync, name="scheduler", daemon=True)
    sync.start()  # as the scheduler's thread does
    qtbot.waitUntil(lambda: held.arrived >= 2, timeout=WAIT_MS)
    week_loaded: list[date] = []
    controller.runner.network(
        lambda: services.timesheets.team_week(team, days), lambda _w: week_loaded.append(today)
    )
    qtbot.waitUntil(lambda: held.arrived >= 3, timeout=WAIT_MS)
    controller._check_reminders()  # the minute's check queues on the DB worker meanwhile

    def blocked() -> bool:
        return not held.release.is_set() and sync.is_alive() and not week_loaded

    latencies: dict[str, float] = {}

    def timed(name: str, act: Any, done: Any) -> None:
        began = time.perf_counter()
        act()
        qtbot.waitUntil(done, timeout=WAIT_MS)
        latencies[name] = (time.perf_counter() - began) * 1000
        assert blocked(), f"{name} answered only after Jira did"

    def running_key() -> str | None:
        running = controller.status.running
        return running.issue_key if running else None

    try:
        timed("Start", lambda: controller.start_issue("PROJ-1"), lambda: running_key() == "PROJ-1")
        timed(
            "Pause",
            controller.pause_timer,
            lambda: controller.status.running is not None and controller.status.running.paused,
        )
        timed(
            "Continue",
            controller.resume_timer,
            lambda: controller.status.running is not None and not controller.status.running.paused,
        )
        timed("Switch", lambda: controller.start_issue("PROJ-2"), lambda: running_key() == "PROJ-2")
        shown: list[bool] = []
        controller.refreshed.connect(lambda: shown.append(True))
        timed("Open the menu", controller.menu.aboutToShow.emit, lambda: bool(shown))
        picker = controller.picker
        for first in (True, False):  # the first opening builds the picker
            timed(
                "Open the picker" + (" (1st)" if first else ""),
                lambda: controller.show_picker(QPoint(10, 10)),
                lambda: picker.isVisible() and "My open issues" in texts(picker),
            )
            picker.close()

        def log_time() -> None:
            controller.log_time()
            dialog = controller.log_dialog
            assert dialog is not None
            dialog.issue.setText("PROJ-1")
            dialog.duration.setText("15m")
            dialog._save()

        timed(
            "Log time",
            log_time,
            lambda: (
                controller.log_dialog is not None
                and getattr(controller.log_dialog, "saved", None) is not None
            ),
        )
        timed("Stop", controller.stop_timer, lambda: controller.status.running is None)
    finally:
        print("\ntray action latencies while a poll, a sync and a team week wait on Jira:")
        for name, ms in latencies.items():
            print(f"  {name:<22} {ms:7.1f} ms")
        held.release.set()
    sync.join(timeout=30)
    assert not sync.is_alive()
    qtbot.waitUntil(lambda: bool(week_loaded), timeout=30_000)
    qtbot.waitUntil(lambda: not controller._polling, timeout=30_000)
