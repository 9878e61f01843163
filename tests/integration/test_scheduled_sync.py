"""The tray's periodic sync, as a service: push, then bring in this week's worklogs made
elsewhere at most every half hour; nothing at all before anyone has signed in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from clockwork_desktop.core.models import SyncState
from clockwork_desktop.fakejira import FakeJira
from tests.conftest import FakeClock
from tests.support.jira import login, make_app, seed

pytestmark = pytest.mark.usefixtures("memory_keyring")

MONDAY_10 = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def test_the_week_is_imported_at_most_every_half_hour(tmp_path: Path) -> None:
    clock = FakeClock(MONDAY_10)
    with FakeJira("cloud") as jira:
        seed(jira)
        jira.now_ms = lambda: int(clock.now().timestamp() * 1000)
        app = make_app(tmp_path / "data", clock)
        try:
            assert app.scheduled_sync.run() is None  # nobody signed in: nothing is asked
            assert not jira.requests
            login(app, jira)
            today = app.tracker.today()

            def imported() -> int:
                views = app.tracker.entries(today, today)
                return sum(v.state is SyncState.REMOTE for v in views)

            eight = int(datetime(2026, 3, 9, 7, 0, tzinfo=UTC).timestamp() * 1000)
            jira.add_worklog("PROJ-1", "acc-alice", eight, 1800, "stand-up, logged in Jira")
            report = app.scheduled_sync.run()
            assert report is not None
            assert report.ok
            assert imported() == 1
            jira.add_worklog("PROJ-2", "acc-alice", eight + 3_600_000, 900, "review")
            app.scheduled_sync.run()
            assert imported() == 1  # within the half hour: pushed only
            clock.advance(minutes=31)
            app.scheduled_sync.run()
            assert imported() == 2
        finally:
            app.close()
