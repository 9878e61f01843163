"""The "Timeline" tab: one day, or the week as seven columns, edited through the tracker."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
)

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Entry
from clockwork_desktop.core.timesheet import week_days
from clockwork_desktop.ui.plaintext import plain_label
from clockwork_desktop.ui.tasks import error_words
from clockwork_desktop.ui.timesheet.page import SheetPage
from clockwork_desktop.ui.timesheet.timeline import Block, DayTimeline

log = get_logger(__name__)


class TimelineTab(SheetPage):
    entries_changed = Signal()  # an edit, delete, undo or new entry was stored

    def _build(self) -> None:
        self._day = self._services.tracker.today()
        self._week: tuple[date, ...] = (self._day,)
        self._request = 0
        self.week_start = 0  # the first day of the week, as the window read it
        self.dialog: QDialog | None = None

        self.day_button = QPushButton("Day", self)
        self.week_button = QPushButton("Week", self)
        self.modes = QButtonGroup(self)
        for button in (self.day_button, self.week_button):
            button.setCheckable(True)
            self.modes.addButton(button)
        self.day_button.setChecked(True)
        self.modes.buttonClicked.connect(lambda _b: self.reload())
        self.previous_day = QPushButton("◀", self)
        self.previous_day.setToolTip("Previous day")
        self.previous_day.clicked.connect(lambda: self.show_day(self._day - timedelta(days=1)))
        self.next_day = QPushButton("▶", self)
        self.next_day.setToolTip("Next day")
        self.next_day.clicked.connect(lambda: self.show_day(self._day + timedelta(days=1)))
        self.hint = plain_label(
            "Drag an edge to change a start or end, drag a block to move it (to another day "
            "in the week), double-click a gap to log time there. Keys: ←/→ choose a block, "
            "↑/↓ move it 5 min, Shift+↑/↓ its end, Alt+↑/↓ its start, Enter edit, Delete.",
            self,
        )
        self.message = plain_label("", self)
        self.message.hide()
        self.undo_button = QPushButton("Undo", self)
        self.undo_button.hide()
        self.undo_button.clicked.connect(self.undo)
        for button in (self.previous_day, self.next_day):
            button.setFixedWidth(button.sizeHint().height() + 8)
        top = QHBoxLayout()
        for widget in (self.day_button, self.week_button, self.previous_day, self.next_day):
            top.addWidget(widget)
        top.addStretch(1)
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.undo_button)

        self.timeline = DayTimeline(self._services.tracker.zone, self)
        self.timeline.edit_requested.connect(self.edit)
        self.timeline.delete_requested.connect(self.delete)
        self.timeline.open_requested.connect(self.open_entry)
        self.timeline.log_requested.connect(self.log_time)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setWidget(self.timeline)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(message_row)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.hint)

    # -- what is shown -------------------------------------------------------------------------

    @property
    def week_mode(self) -> bool:
        return self.week_button.isChecked()

    def set_week_mode(self, on: bool) -> None:
        (self.week_button if on else self.day_button).setChecked(True)
        self.reload()

    def show_week(self, days: tuple[date, ...], anchor: date) -> None:
        self._week = days
        self._day = anchor if anchor in days else days[0]
        self.reload()

    def show_day(self, day: date) -> None:
        self._day = day
        if day not in self._week:
            self._week = week_days(day, self.week_start)
        self.reload()

    def shown_days(self) -> list[date]:
        return list(self._week) if self.week_mode else [self._day]

    def reload(self) -> None:
        days = self.shown_days()
        self.previous_day.setEnabled(not self.week_mode)
        self.next_day.setEnabled(not self.week_mode)
        tracker = self._services.tracker
        sheets = self._sheets
        self._request += 1
        request = self._request

        week = self._week if self._day in self._week else (self._day,)

        def work() -> tuple[list[Block], datetime, tuple[int, int]]:
            views = tracker.entries(week[0], week[-1])
            summaries = sheets.summaries(sorted({v.entry.issue_key for v in views}))
            now = tracker.now()
            blocks = [
                _block(v.entry, v.state.value, summaries.get(v.entry.issue_key, ""), now)
                for v in views
            ]
            working = sheets.working_time()
            hours = (working.start.hour, working.end.hour + (1 if working.end.minute else 0))
            return blocks, now, hours

        def done(result: tuple[list[Block], datetime, tuple[int, int]]) -> None:
            if request == self._request:
                blocks, now, hours = result
                self.timeline.set_content(days, blocks, now, hours)

        self._runner.db(work, done, self._failed)

    def follow_clock(self) -> bool:
        """Let a running block grow with the clock; never under the user's drag."""
        line = self.timeline
        if line.dragging or not any(b.running for b in line.blocks()):
            return False
        self.reload()
        return True

    # -- changes ---------------------------------------------------------------------------------

    def _say(self, text: str, *, undo: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.undo_button.setVisible(undo)

    def _changed(self) -> None:
        self.reload()
        self.entries_changed.emit()

    def _failed(self, error: BaseException) -> None:
        """Shown under the timeline (the runner has logged it, and opened the crash window for
        a bug)."""
        self.timeline.drop_draft()
        self._say(f"Not changed: {error_words(error)}")
        self.reload()  # and read back what the tracker has

    def edit(self, entry_id: int, start: datetime | None, end: datetime | None) -> None:
        tracker = self._services.tracker

        def done(entry: Entry) -> None:
            zone = tracker.zone
            until = "now" if entry.ended_at is None else f"{entry.ended_at.astimezone(zone):%H:%M}"
            self._say(f"{entry.issue_key} now {entry.started_at.astimezone(zone):%H:%M}–{until}.")
            self._changed()

        self._runner.db(lambda: tracker.edit(entry_id, start=start, end=end), done, self._failed)

    def delete(self, entry_id: int) -> None:
        tracker = self._services.tracker

        def work() -> str:
            tracker.delete(entry_id)
            offer = tracker.undo_offer()
            return offer.done if offer is not None else "Deleted."

        def done(text: str) -> None:
            self._say(text + ".", undo=True)
            self._changed()

        self._runner.db(work, done, self._failed)

    def undo(self) -> None:
        tracker = self._services.tracker

        def done(_entry: object) -> None:
            self._say("Undone.")
            self._changed()

        self._runner.db(tracker.undo, done, self._failed)

    def open_entry(self, entry_id: int) -> None:
        from clockwork_desktop.ui.dialogs import EditEntryDialog, entry_for_editing

        def show(loaded: tuple[Entry, str]) -> None:
            entry, state = loaded
            dialog = EditEntryDialog(self._services, entry, self, runner=self._runner, state=state)
            dialog.finished.connect(lambda _code: self._changed())
            self.dialog = dialog
            dialog.open()

        services = self._services
        self._runner.db(lambda: entry_for_editing(services, entry_id), show, self._failed)

    def log_time(self, start: datetime, seconds: int) -> None:
        """The log-time dialog, filled in with the gap: its day, start and length."""
        from clockwork_desktop.ui.dialogs import LogTimeDialog

        local = start.astimezone(self._services.tracker.zone)
        dialog = LogTimeDialog(self._services, self, runner=self._runner)
        dialog.day.setDate(QDate(local.year, local.month, local.day))
        dialog.use_start.setChecked(True)
        dialog.start.setText(f"{local:%H:%M}")
        dialog.duration.setText(format_duration(seconds))
        dialog.finished.connect(lambda _code: self._changed())
        self.dialog = dialog
        dialog.open()


def _block(entry: Entry, state: str, summary: str, now: datetime) -> Block:
    end = entry.ended_at or now
    breaks = tuple((s, e or now) for s, e in entry.breaks)
    return Block(
        entry_id=entry.id,
        issue_key=entry.issue_key,
        summary=summary,
        start=entry.started_at,
        end=end,
        state=state,
        comment=entry.comment,
        breaks=breaks,
        editable=state != "remote",
        source=getattr(entry, "source", None),
    )
