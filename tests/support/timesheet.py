"""A timesheet window on a Wednesday in WEEK, with one hour logged on its Monday."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from tests.support.team import WEEK


@pytest.fixture
def window(qtbot, services, runner, clock):  # type: ignore[no-untyped-def]
    from clockwork_desktop.ui.timesheet import TimesheetWindow

    clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=UTC))
    services.tracker.log_time("A-1", 3600, day=WEEK[0], start_time=time(9, 0))
    win = TimesheetWindow(services, runner, services.timesheets)
    qtbot.addWidget(win)
    qtbot.waitUntil(lambda: win.my_week.grid is not None)
    return win
