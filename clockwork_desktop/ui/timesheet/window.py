"""The timesheet window: my week and my team's week, with a chart and export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from clockwork_desktop.core.export import encode_table, to_tsv
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.timesheet import WeekGrid, grid_table, week_days
from clockwork_desktop.services.timesheet import TimesheetService
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.tasks import TaskRunner
from clockwork_desktop.ui.timesheet.my_week import MyWeekTab
from clockwork_desktop.ui.timesheet.savedbar import SavedBar
from clockwork_desktop.ui.timesheet.team import TeamTab
from clockwork_desktop.ui.timesheet.timeline_tab import TimelineTab
from clockwork_desktop.ui.timesheet.toolbar import WeekToolbar

log = get_logger(__name__)

LIVE_INTERVAL_MS = 1000
TIMELINE_TICKS = 30  # the timeline's running block grows every 30 live ticks (half a minute)
EXPORT_DIR_SETTING = "export_dir"


class TimesheetWindow(QMainWindow):
    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        sheets: TimesheetService,
        parent: QWidget | None = None,
        *,
        open_day: Callable[[date], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Timesheet — Clockwork Desktop")
        self._services = services
        self._runner = runner
        self._sheets = sheets
        self._open_day = open_day
        self._anchor = services.tracker.today()
        # The first day of the week is a setting: read in the background, Monday until then.
        self.week_start = 0
        self._days = week_days(self._anchor, self.week_start)
        self._mine_request = 0
        self._ticks = 0

        self.toolbar = WeekToolbar(self)
        self.addToolBar(self.toolbar)
        self.toolbar.week_stepped.connect(self.go)
        self.toolbar.week_chosen.connect(self.show_week)
        self.toolbar.this_week_chosen.connect(lambda: self.show_week(services.tracker.today()))
        self.toolbar.export_requested.connect(lambda suffix: self.export(suffix))
        self.toolbar.copy_requested.connect(self.copy)

        self.my_week = MyWeekTab(self)
        self.my_week.day_opened.connect(self._open_day_entries)
        self.team = TeamTab(services, runner, sheets, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.my_week, "My week")
        self.tabs.addTab(self.team, "Team")
        self.timeline = TimelineTab(services, runner, sheets, self)
        self.tabs.addTab(self.timeline, "Timeline")
        self.timeline.entries_changed.connect(self.load_mine)
        self.saved_bar = SavedBar(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.saved_bar)
        self.setCentralWidget(central)
        self._export_dir: Path | None = None  # the last folder used, read from the settings
        self._imported: set[date] = set()  # earlier weeks whose Jira worklogs were read
        runner.db(lambda: services.settings.get_setting(EXPORT_DIR_SETTING), self._set_export_dir)
        self.resize(980, 620)

        self._live = QTimer(self)
        self._live.setInterval(LIVE_INTERVAL_MS)
        self._live.timeout.connect(self._tick)
        self.show_week(self._anchor)
        self._read_week_start()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._live.start()  # the running timer's cell follows the clock while visible
        self.team.show_signed_in()  # perhaps signed in from the tray meanwhile
        self._read_week_start()  # perhaps changed in the settings meanwhile

    def hideEvent(self, event: Any) -> None:
        self._live.stop()
        super().hideEvent(event)

    @property
    def days(self) -> tuple[date, ...]:
        return self._days

    # -- weeks ----------------------------------------------------------------------------

    def go(self, days: int) -> None:
        self.show_week(self._days[0] + timedelta(days=days))

    def show_week(self, anchor: date) -> None:
        self._anchor = anchor
        self._days = week_days(anchor, self.week_start)
        self.toolbar.show_week(anchor, self._days)
        self.load_mine()
        self.timeline.show_week(self._days, anchor)
        self._import_earlier_week()
        self.team.show_days(self._days)

    def _read_week_start(self) -> None:
        def apply(first_weekday: int) -> None:
            if first_weekday != self.week_start:
                self.week_start = first_weekday
                self.timeline.week_start = first_weekday
                self.show_week(self._anchor)

        self._runner.db(self._sheets.first_weekday, apply)

    def _import_earlier_week(self) -> None:
        """An earlier week may hold worklogs I made in Jira's web page or another tool: read
        them once per session (the regular sync keeps the current week up to date)."""
        first, last = self._days[0], self._days[-1]
        tracker = self._services.tracker
        if first in self._imported or last >= week_days(tracker.today(), self.week_start)[0]:
            return
        self._imported.add(first)
        services = self._services

        def work() -> int:
            if not services.accounts.accounts():
                return 0
            return services.sync.import_worklogs(None, first, last)

        def done(count: int) -> None:
            log.info("imported %d of my worklogs for the week of %s", count, first)
            if count and self._days[0] == first:
                self.load_mine()
                self.timeline.reload()

        def failed(error: BaseException) -> None:
            self._imported.discard(first)  # try again when the week is shown next
            log.warning("could not read my worklogs for the week of %s: %s", first, error)

        self._runner.network(work, done, failed)

    def load_mine(self) -> None:
        days = self._days
        sheets = self._sheets
        self._mine_request += 1
        request = self._mine_request

        def work() -> tuple[WeekGrid, dict[str, str], list[int]]:
            grid = sheets.my_week(days)
            keys = [i.key for r in grid.rows for i in r.issues]
            return grid, sheets.summaries(keys), sheets.expected(days)

        def done(result: tuple[WeekGrid, dict[str, str], list[int]]) -> None:
            if request == self._mine_request:
                self.my_week.show_grid(*result)

        self._runner.db(work, done)

    def _tick(self) -> None:
        """The running timer's cell follows the clock: one cell changes, not the model."""
        self._ticks += 1
        if self.tabs.currentWidget() is self.timeline and self._ticks % TIMELINE_TICKS == 0:
            self.timeline.follow_clock()
        tracker = self._services.tracker
        days = self._days

        def work() -> tuple[str, int, int] | None:
            running = tracker.running()
            today = tracker.today()
            if running is None or today not in days:
                return None
            seconds = sum(
                v.duration_seconds
                for v in tracker.entries(today, today)
                if v.entry.issue_key == running.issue_key
            )
            return running.issue_key, days.index(today), seconds

        def done(cell: tuple[str, int, int] | None) -> None:
            if cell is None or days != self._days or self.my_week.grid is None:
                return
            if not self.my_week.model.update_cell(*cell):
                self.load_mine()

        self._runner.db(work, done, lambda _exc: None)

    def _open_day_entries(self, day: date) -> None:
        if self._open_day is not None:
            self._open_day(day)
            self.load_mine()
            return
        from clockwork_desktop.ui.dialogs import EntriesDialog

        dialog = EntriesDialog(self._services, self, day=day, runner=self._runner)
        dialog.finished.connect(lambda _code: self.load_mine())
        dialog.open()  # modal to this window only: the tray stays usable

    # -- export ---------------------------------------------------------------------------------

    def current_grid(self) -> WeekGrid | None:
        if self.tabs.currentWidget() is self.team:
            return self.team.grid
        return self.my_week.grid

    def table(self) -> list[list[str | int | float]]:
        grid = self.current_grid()
        return grid_table(grid, by_issue=True) if grid else []

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(to_tsv(self.table()))

    def _set_export_dir(self, folder: object) -> None:
        if isinstance(folder, str) and folder and self._export_dir is None:
            self._export_dir = Path(folder)

    def export_folder(self) -> Path:
        """Where the save dialog opens: the last folder used, else the Documents folder (never
        the working directory, which for a tray app is wherever it happened to start)."""
        if self._export_dir is not None and self._export_dir.is_dir():
            return self._export_dir
        documents = QStandardPaths.StandardLocation.DocumentsLocation
        return Path(QStandardPaths.writableLocation(documents) or Path.home())

    def export(self, suffix: str, path: Path | None = None) -> Path | None:
        """Write the shown grid (in the background); the bar under the tabs says where it went
        or why it could not. Returns the file being written, or None if cancelled."""
        grid = self.current_grid()
        if grid is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Export timesheet",
                str(self.export_folder() / f"timesheet-{grid.week}{suffix}"),
                "Spreadsheet (*.xlsx)" if suffix == ".xlsx" else "CSV (*.csv)",
            )
            if not chosen:
                return None
            path = Path(chosen)
        target = path
        table = self.table()
        xlsx_bytes = self._services.xlsx_bytes
        settings = self._services.settings
        self._export_dir = target.parent

        def work() -> None:
            target.write_bytes(encode_table(table, target.suffix or suffix, xlsx_bytes))
            settings.set_setting(EXPORT_DIR_SETTING, str(target.parent))

        self._runner.db(
            work,
            lambda _none: self.saved_bar.saved(target),
            lambda error: self.saved_bar.failed(target, error),
        )
        return target
