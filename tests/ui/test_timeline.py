"""The day timeline: mouse drags, double-clicks and keys change the stored entries."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.ui.dialogs import EditEntryDialog, LogTimeDialog
from clockwork_desktop.ui.timesheet.timeline import DayTimeline
from clockwork_desktop.ui.timesheet.timeline_tab import TimelineTab
from tests.conftest import FakeClock
from tests.support.team import VIEWER_ZONE, WEEK

MONDAY, TUESDAY = WEEK[0], WEEK[1]
LEFT = Qt.MouseButton.LeftButton
NONE = Qt.KeyboardModifier.NoModifier


def local(day, hour: int, minute: int = 0) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(hour, minute), VIEWER_ZONE).astimezone(UTC)


@pytest.fixture
def tab(qtbot, services: AppServices, runner, clock: FakeClock):  # type: ignore[no-untyped-def]
    clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=UTC))
    services.tracker.log_time("A-1", 3600, day=MONDAY, start_time=time(9, 0))
    services.tracker.log_time("B-2", 3600, day=MONDAY, start_time=time(11, 0))
    widget = TimelineTab(services, runner, services.timesheets)
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.show_week(tuple(WEEK), MONDAY)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: len(widget.timeline.blocks()) == 2)
    return widget


def stored(services: AppServices) -> dict[str, tuple[datetime, datetime | None]]:
    views = services.tracker.entries(MONDAY, WEEK[-1])
    return {v.entry.issue_key: (v.entry.started_at, v.entry.ended_at) for v in views}


def entry_id(timeline: DayTimeline, key: str) -> int:
    return next(b.entry_id for b in timeline.blocks() if b.issue_key == key)


def point(timeline: DayTimeline, column: int, instant: datetime, x: float | None = None) -> QPoint:
    area = timeline.column_rect(column)
    return QPoint(
        int(area.center().x() if x is None else x), round(timeline.y_for(column, instant))
    )


def drag(timeline: DayTimeline, start: QPoint, end: QPoint) -> None:
    QTest.mousePress(timeline, LEFT, NONE, start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    QTest.mouseMove(timeline, middle)
    QTest.mouseMove(timeline, end)
    QTest.mouseRelease(timeline, LEFT, NONE, end)


def test_dragging_the_bottom_edge_changes_the_end(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    grab = point(line, 0, local(MONDAY, 10)) - QPoint(0, 2)  # just inside the block's edge
    drag(line, grab, point(line, 0, local(MONDAY, 10, 30)) - QPoint(0, 2))
    qtbot.waitUntil(lambda: stored(services)["A-1"][1] == local(MONDAY, 10, 30))
    assert stored(services)["A-1"][0] == local(MONDAY, 9)
    qtbot.waitUntil(lambda: line.block(entry_id(line, "A-1")).end == local(MONDAY, 10, 30))
    assert "A-1 now 09:00–10:30" in tab.message.text()


def test_dragging_the_top_edge_changes_the_start(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    grab = point(line, 0, local(MONDAY, 11)) + QPoint(0, 2)
    drag(line, grab, point(line, 0, local(MONDAY, 10, 45)) + QPoint(0, 2))
    qtbot.waitUntil(lambda: stored(services)["B-2"][0] == local(MONDAY, 10, 45))
    assert stored(services)["B-2"][1] == local(MONDAY, 12)


def test_dragging_a_block_moves_it_and_to_another_day_in_the_week(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    drag(line, point(line, 0, local(MONDAY, 9, 30)), point(line, 0, local(MONDAY, 13, 30)))
    qtbot.waitUntil(lambda: stored(services)["A-1"] == (local(MONDAY, 13), local(MONDAY, 14)))
    tab.set_week_mode(True)
    qtbot.waitUntil(
        lambda: len(line.days()) == 7 and line.block_rect(entry_id(line, "A-1")).isValid()
    )
    rect = line.block_rect(entry_id(line, "A-1"))
    assert line.column_rect(0).contains(rect.center())
    tuesday = line.column_rect(1).center().x()
    drag(
        line,
        point(line, 0, local(MONDAY, 13, 30)),
        point(line, 1, local(TUESDAY, 13, 30), x=tuesday),
    )
    qtbot.waitUntil(lambda: stored(services)["A-1"] == (local(TUESDAY, 13), local(TUESDAY, 14)))
    qtbot.waitUntil(
        lambda: line.column_rect(1).contains(line.block_rect(entry_id(line, "A-1")).center())
    )


def test_an_overlapping_drag_is_refused_with_the_reason(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    before = stored(services)
    drag(line, point(line, 0, local(MONDAY, 11, 30)), point(line, 0, local(MONDAY, 10)))
    qtbot.waitUntil(lambda: "overlap" in tab.message.text())
    assert tab.message.text().startswith("Not changed:")
    assert "A-1" in tab.message.text()
    assert stored(services) == before
    qtbot.waitUntil(lambda: line.block(entry_id(line, "B-2")).start == local(MONDAY, 11))
    assert line.block_rect(entry_id(line, "B-2")).top() == pytest.approx(
        line.y_for(0, local(MONDAY, 11)), abs=1
    )


def test_double_clicking_a_gap_offers_log_time_filled_in(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    assert (local(MONDAY, 10), local(MONDAY, 11)) in [tuple(g) for g in line.gaps(0)]
    QTest.mouseDClick(line, LEFT, NONE, point(line, 0, local(MONDAY, 10, 20)))
    dialog = tab.dialog
    assert isinstance(dialog, LogTimeDialog)
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.day.date().toPython() == MONDAY
    assert dialog.use_start.isChecked()
    assert dialog.start.text() == "10:00"
    assert dialog.duration.text() == "1h"
    dialog.issue.setText("C-3")
    buttons = dialog.findChild(QDialogButtonBox)
    buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: stored(services).get("C-3") == (local(MONDAY, 10), local(MONDAY, 11)))
    qtbot.waitUntil(lambda: len(line.blocks()) == 3)


def test_keys_move_resize_edit_delete_and_undo(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    QTest.mouseClick(line, LEFT, NONE, point(line, 0, local(MONDAY, 9, 30)))
    assert line.selected == entry_id(line, "A-1")
    QTest.keyClick(line, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: stored(services)["A-1"] == (local(MONDAY, 9, 5), local(MONDAY, 10, 5)))
    qtbot.waitUntil(lambda: line.block(line.selected).start == local(MONDAY, 9, 5))
    QTest.keyClick(line, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: stored(services)["A-1"][1] == local(MONDAY, 10, 10))
    qtbot.waitUntil(lambda: line.block(line.selected).end == local(MONDAY, 10, 10))
    QTest.keyClick(line, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: stored(services)["A-1"][0] == local(MONDAY, 9))
    QTest.keyClick(line, Qt.Key.Key_Right)
    assert line.selected == entry_id(line, "B-2")
    QTest.keyClick(line, Qt.Key.Key_Left)
    assert line.selected == entry_id(line, "A-1")
    QTest.keyClick(line, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(tab.dialog, EditEntryDialog) and tab.dialog.isVisible())
    assert tab.dialog.issue.text() == "A-1"
    tab.dialog.reject()
    line.setFocus()
    QTest.keyClick(line, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: "A-1" not in stored(services))
    qtbot.waitUntil(lambda: tab.undo_button.isVisible())
    assert "Deleted A-1" in tab.message.text()
    tab.undo_button.click()
    qtbot.waitUntil(
        lambda: stored(services).get("A-1") == (local(MONDAY, 9), local(MONDAY, 10, 10))
    )
    qtbot.waitUntil(lambda: len(line.blocks()) == 2)


def test_week_view_shows_seven_days_away_time_gaps_and_tooltips(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    entry = services.tracker.log_time("D-4", 2 * 3600, day=TUESDAY, start_time=time(14, 0))
    entry.breaks = [(local(TUESDAY, 15), local(TUESDAY, 15, 30))]
    services.store.save(entry)
    tab.set_week_mode(True)
    line = tab.timeline
    qtbot.waitUntil(lambda: len(line.days()) == 7 and len(line.blocks()) == 3)
    assert line.days() == list(WEEK)
    block = line.block(entry.id)
    assert block.breaks == ((local(TUESDAY, 15), local(TUESDAY, 15, 30)),)
    assert line.column_rect(1).contains(line.block_rect(entry.id).center())
    text = line.describe(block)
    assert text.splitlines()[1] == "14:00–16:00 (1h 30m)"
    assert "Paused or away: 30m" in text
    assert "Source:" not in text  # shown once entries carry one
    assert line.describe(block._replace(source="calendar")).endswith("Source: calendar")
    gaps = [tuple(g) for g in line.gaps(1)]
    assert (local(TUESDAY, 16), local(TUESDAY, 17)) in gaps  # up to the end of working hours
    assert line.gaps(3) == []  # Thursday is still to come: no gap to fill yet
    tab.set_week_mode(False)
    qtbot.waitUntil(lambda: len(line.days()) == 1)
    tab.next_day.click()
    qtbot.waitUntil(lambda: line.days() == [TUESDAY])


def test_an_imported_entry_cannot_be_dragged(qtbot, tab, services) -> None:  # type: ignore[no-untyped-def]
    line = tab.timeline
    block = line.block(entry_id(line, "A-1"))
    line.set_content(
        [MONDAY], [block._replace(editable=False, state="remote")], services.tracker.now()
    )
    edits: list[object] = []
    line.edit_requested.connect(lambda *args: edits.append(args))
    drag(line, point(line, 0, local(MONDAY, 9, 30)), point(line, 0, local(MONDAY, 12)))
    QTest.keyClick(line, Qt.Key.Key_Down)
    assert edits == []
    assert "another tool" in line.describe(line.block(block.entry_id))


def test_a_running_block_follows_the_clock_but_not_during_a_drag(
    qtbot, tab, services, clock: FakeClock
) -> None:  # type: ignore[no-untyped-def]
    services.tracker.start("R-9", at=local(WEEK[2], 15, 30))
    tab.show_day(WEEK[2])
    line = tab.timeline
    qtbot.waitUntil(lambda: [b.issue_key for b in line.blocks()] == ["R-9"])
    running = line.blocks()[0]
    assert running.running
    assert running.end == services.tracker.now()
    clock.advance(600)
    top_edge = point(line, 0, local(WEEK[2], 15, 30)) + QPoint(0, 2)
    QTest.mousePress(line, LEFT, NONE, top_edge)
    assert tab.follow_clock() is False  # a drag is under way: nothing is reloaded under it
    QTest.mouseRelease(line, LEFT, NONE, top_edge)
    assert tab.follow_clock() is True
    qtbot.waitUntil(lambda: line.blocks()[0].end == services.tracker.now())
