"""A sync state reads the same in the CLI, the day's entries, the week grid and the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from PySide6.QtCore import Qt

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.cli import output
from clockwork_desktop.core.models import SyncState
from clockwork_desktop.core.state_words import LABELS, MEANINGS, state_label, state_meaning
from clockwork_desktop.core.timesheet import WorkingTime, WorklogRecord, build_grid
from clockwork_desktop.ui.dialogs import EntriesDialog
from clockwork_desktop.ui.timesheet.models import MyWeekModel
from clockwork_desktop.ui.timesheet.timeline import Block, DayTimeline
from tests.support.team import VIEWER_ZONE, WEEK

DAY = date(2026, 3, 5)


def test_every_state_has_a_label_and_a_meaning() -> None:
    assert set(LABELS) == set(SyncState)
    assert set(MEANINGS) == set(SyncState)
    assert state_label("failed", "Issue does not exist", needs_review=True) == (
        "failed: Issue does not exist (check)"
    )
    assert state_meaning("failed", "open the day to see why") == (
        "Jira refused it: open the day to see why"
    )
    assert state_meaning("") == ""


def test_the_cli_and_the_entries_window_say_the_same_words(qtbot, services: AppServices) -> None:
    tracker = services.tracker
    tracker.log_time("A-1", 3600, day=DAY, start_time=time(9, 0))
    tracker.log_time("B-2", 30, day=DAY, start_time=time(11, 0))  # under Jira's minute
    refused = tracker.log_time("C-3", 1800, day=DAY, start_time=time(12, 0))
    refused.sync_state = SyncState.FAILED
    refused.error = "Issue does not exist or you do not have permission to see it."
    services.store.save(refused)
    reviewed = tracker.log_time("D-4", 1800, day=DAY, start_time=time(13, 0))
    reviewed.needs_review = True  # closed at its last heartbeat: the user should check it
    services.store.save(reviewed)

    views = tracker.entries(DAY, DAY)
    cli_lines = {
        line.split()[0]: line
        for line in output.entries_table(views, tracker.zone).splitlines()[1:-1]
    }
    dialog = EntriesDialog(services, day=DAY)
    qtbot.addWidget(dialog)
    shown = {dialog.table.item(r, 2).text(): dialog.table.item(r, 5).text() for r in range(4)}

    expected = {
        "A-1": "pending",
        "B-2": "too short to log",
        "C-3": "failed: Issue does not exist or you do not have permission to see it.",
        "D-4": "pending (check)",
    }
    assert shown == expected
    for view in views:
        assert expected[view.entry.issue_key] in cli_lines[str(view.entry.id)]


@pytest.mark.parametrize("state", ["pending", "failed", "conflict", "too_short"])
def test_the_week_grid_and_the_timeline_explain_a_state_alike(qtbot, state: str) -> None:
    started = datetime(2026, 3, 9, 10, 0, tzinfo=VIEWER_ZONE).astimezone(UTC)
    record = WorklogRecord("1", "ana", "Ana", "APP-1", started, 3600, state)
    grid = build_grid([record], [("ana", "Ana")], WEEK, VIEWER_ZONE, WorkingTime())
    week = MyWeekModel()
    week.set_grid(grid, {}, [8 * 3600] * 5 + [0, 0])
    week_tip = week.data(week.index(0, 1), Qt.ItemDataRole.ToolTipRole)

    timeline = DayTimeline(VIEWER_ZONE)
    qtbot.addWidget(timeline)
    block = Block(1, "APP-1", "", started, started.replace(hour=started.hour + 1), state)
    timeline_tip = timeline.describe(block).splitlines()[2]

    assert week_tip.startswith(MEANINGS[state])
    assert timeline_tip.startswith(MEANINGS[state])
