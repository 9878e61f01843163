"""A day (or week) timeline: entries as blocks on a vertical time axis, edited by hand.

Drag a block's top or bottom edge to change its start or end, drag the block to move it (to
another day too, in the week view), double-click a gap to log time there. The keyboard does
the same: Left/Right pick a block, Up/Down move it by five minutes, Shift+Up/Down change its
end, Alt+Up/Down its start, Enter edits it and Delete deletes it.

The widget only draws and reports what the user asked for (signals); the tab around it sends
the edits to the tracker through the TaskRunner and reloads. This module is the editing;
the drawing and geometry it builds on are in timeline_view.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent

from clockwork_desktop.ui.timesheet.timeline_view import Block, Drag, TimelineView

__all__ = ["Block", "DayTimeline", "snap"]

STEP_MIN = 5  # drags and arrow keys move in steps of five minutes
NEW_ENTRY_S = 3600  # what a double-click in open space offers to log


def snap(instant: datetime, minutes: int = STEP_MIN) -> datetime:
    """Round to the nearest step: edits land on 09:05, not 09:03:41."""
    step = minutes * 60
    epoch = int(instant.timestamp())
    return datetime.fromtimestamp(round(epoch / step) * step, instant.tzinfo)


class DayTimeline(TimelineView):
    edit_requested = Signal(int, object, object)  # entry id, new start, new end (None: keep)
    open_requested = Signal(int)  # entry id: show the edit dialog
    delete_requested = Signal(int)
    log_requested = Signal(object, object)  # start (UTC), seconds: a gap was double-clicked
    selection_changed = Signal(int)  # entry id, or 0 when nothing is selected

    # -- mouse ----------------------------------------------------------------------------------

    def _select(self, entry_id: int) -> None:
        if entry_id != self.selected:
            self.selected = entry_id
            self.selection_changed.emit(entry_id)
            self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        hit = self._hit(event.position())
        if hit is None:
            self._select(0)
            return
        block, mode, column = hit
        self._select(block.entry_id)
        if block.editable and not (mode == "move" and block.running):
            self._drag = Drag(block, mode, column, event.position().y())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        if drag is None:
            hit = self._hit(event.position())
            if hit is not None and hit[1] in ("start", "end"):
                self.setCursor(Qt.CursorShape.SizeVerCursor)
            else:
                self.unsetCursor()
            return
        minutes = (event.position().y() - drag.press_y) / self._px_per_minute()
        delta = timedelta(minutes=round(minutes / STEP_MIN) * STEP_MIN)
        block = drag.block
        start, end, column = block.start, block.end, drag.column
        if drag.mode == "start":
            start = min(snap(block.start + delta), block.end - timedelta(minutes=STEP_MIN))
        elif drag.mode == "end":
            end = max(snap(block.end + delta), block.start + timedelta(minutes=STEP_MIN))
        else:
            over = self.column_at(event.position().x())
            column = drag.column if over is None else over
            shift = delta + timedelta(days=(self._days[column] - self._days[drag.column]).days)
            start, end = block.start + shift, block.end + shift
        self._draft = (block.entry_id, start, end, column)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, draft = self._drag, self._draft
        self._drag = None
        if drag is None or draft is None:
            self._draft = None
            return
        block = drag.block
        _, start, end, _ = draft
        if (start, end) == (block.start, block.end):
            self._draft = None
            self.update()
            return
        # The draft stays drawn until the tab reloads with what the tracker stored.
        if drag.mode == "start":
            self.edit_requested.emit(block.entry_id, start, None)
        elif drag.mode == "end":
            self.edit_requested.emit(block.entry_id, None, end)
        else:
            self.edit_requested.emit(block.entry_id, start, end)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self._hit(event.position())
        if hit is not None:
            self.open_requested.emit(hit[0].entry_id)
            return
        column = self.column_at(event.position().x())
        if column is None:
            return
        clicked = self.time_at(column, event.position().y())
        for gap in self.gaps(column):
            if gap.start <= clicked < gap.end:
                self._offer_log(gap.start, gap.end)
                return
        # Open space after the last entry and outside any marked gap: offer an hour from here.
        start = snap(clicked, 15)
        end = start + timedelta(seconds=NEW_ENTRY_S)
        following = [b.start for b in self._blocks[column] if b.start >= start]
        if following:
            end = min(end, min(following))
        if self._now is not None:
            end = min(end, self._now)
        if end > start:
            self._offer_log(start, end)

    def _offer_log(self, start: datetime, end: datetime) -> None:
        self.log_requested.emit(start, int((end - start).total_seconds()))

    # -- keyboard -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        mods = event.modifiers()
        ordered = self.blocks()
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and ordered:
            ids = [b.entry_id for b in ordered]
            step = -1 if key == Qt.Key.Key_Left else 1
            if self.selected in ids:
                at = max(0, min(len(ids) - 1, ids.index(self.selected) + step))
            else:
                at = 0 if step > 0 else len(ids) - 1
            self._select(ids[at])
            return
        block = self.block(self.selected)
        if block is None:
            super().keyPressEvent(event)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit(block.entry_id)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            if block.editable:
                self.delete_requested.emit(block.entry_id)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and block.editable:
            delta = timedelta(minutes=STEP_MIN if key == Qt.Key.Key_Down else -STEP_MIN)
            if mods & Qt.KeyboardModifier.ShiftModifier:
                if not block.running and block.end + delta > block.start:
                    self.edit_requested.emit(block.entry_id, None, block.end + delta)
            elif mods & Qt.KeyboardModifier.AltModifier:
                if block.start + delta < block.end:
                    self.edit_requested.emit(block.entry_id, block.start + delta, None)
            elif block.running:
                self.edit_requested.emit(block.entry_id, block.start + delta, None)
            else:
                self.edit_requested.emit(block.entry_id, block.start + delta, block.end + delta)
        else:
            super().keyPressEvent(event)
