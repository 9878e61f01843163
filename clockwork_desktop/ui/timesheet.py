"""The timesheet window: my week and my team's week, with a chart and export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QGuiApplication, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.export import encode_table, to_tsv
from clockwork_desktop.core.timesheet import WeekGrid, grid_table, project_totals, week_days
from clockwork_desktop.services.timesheet import Team, TeamWeek, TimesheetService
from clockwork_desktop.ui.dialogs import plain_label
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import ask_text, warn
from clockwork_desktop.ui.tasks import TaskRunner
from clockwork_desktop.ui.timesheet_models import MyWeekModel, TeamModel

PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#ff9da6", "#9d755d"]


class BarChart(QWidget):
    """Hours per day, stacked by project."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(150)
        self._days: list[date] = []
        self._series: dict[str, list[int]] = {}
        self._expected: list[int] = []

    def set_data(self, grid: WeekGrid, expected: list[int]) -> None:
        self._days = list(grid.days)
        self._series = dict(sorted(project_totals(grid).items()))
        self._expected = expected
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        legend_h, label_h, margin = 18, 18, 8
        plot_h = height - legend_h - label_h - 2 * margin
        if not self._days or plot_h <= 10:
            return
        totals = [sum(s[i] for s in self._series.values()) for i in range(len(self._days))]
        peak = max([*totals, *self._expected, 3600])
        slot = (width - 2 * margin) / len(self._days)
        bar_w = slot * 0.6
        base_y = margin + legend_h + plot_h
        colours = {p: QColor(PALETTE[i % len(PALETTE)]) for i, p in enumerate(self._series)}
        for i, day in enumerate(self._days):
            x = margin + i * slot + (slot - bar_w) / 2
            y = float(base_y)
            for project, cells in self._series.items():
                h = plot_h * cells[i] / peak
                if h > 0:
                    painter.fillRect(QRectF(x, y - h, bar_w, h), colours[project])
                    y -= h
            if i < len(self._expected) and self._expected[i]:
                ey = base_y - plot_h * self._expected[i] / peak
                painter.setPen(QColor("#888888"))
                painter.drawLine(int(x - 4), int(ey), int(x + bar_w + 4), int(ey))
            painter.setPen(self.palette().text().color())
            painter.drawText(
                QRectF(margin + i * slot, base_y + 2, slot, label_h),
                Qt.AlignmentFlag.AlignCenter,
                f"{day:%a} {totals[i] / 3600:.1f}h",
            )
        x = float(margin)
        for project, colour in colours.items():
            painter.fillRect(QRectF(x, margin + 4, 10, 10), colour)
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(x + 14, margin, 120, legend_h), project)
            x += 24 + painter.fontMetrics().horizontalAdvance(project)


class _Progress(QObject):
    """Progress from the loading thread, delivered on the GUI thread."""

    changed = Signal(int, int, str)


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
        self._days = week_days(services.tracker.today(), sheets.first_weekday())
        self._cancel = False
        self._loading = False
        self._team_week: TeamWeek | None = None
        self._sign_in_dialog: QWidget | None = None
        self._my_grid: WeekGrid | None = None
        self._progress_signal = _Progress()
        self._progress_signal.changed.connect(self._show_progress)

        toolbar = QToolBar("Week", self)
        toolbar.setMovable(False)
        self.addToolBar(toolbar)
        self.previous = QAction("◀ Previous week", self)
        self.previous.setShortcut(QKeySequence("Alt+Left"))
        self.previous.triggered.connect(lambda: self.go(-7))
        self.next = QAction("Next week ▶", self)
        self.next.setShortcut(QKeySequence("Alt+Right"))
        self.next.triggered.connect(lambda: self.go(7))
        self.this_week = QAction("This week", self)
        self.this_week.setShortcut(QKeySequence("Alt+Home"))
        self.this_week.triggered.connect(lambda: self.show_week(services.tracker.today()))
        self.picker = QDateEdit(self)
        self.picker.setCalendarPopup(True)
        self.picker.dateChanged.connect(
            lambda d: self.show_week(date(d.year(), d.month(), d.day()))
        )
        self.week_label = QLabel(self)
        toolbar.addAction(self.previous)
        toolbar.addWidget(self.picker)
        toolbar.addAction(self.next)
        toolbar.addAction(self.this_week)
        toolbar.addSeparator()
        toolbar.addWidget(self.week_label)
        toolbar.addSeparator()
        for label, handler in (
            ("Export CSV…", lambda: self.export(".csv")),
            ("Export XLSX…", lambda: self.export(".xlsx")),
            ("Copy", self.copy),
        ):
            action = QAction(label, self)
            action.triggered.connect(handler)
            toolbar.addAction(action)
        self.copy_action = toolbar.actions()[-1]
        self.copy_action.setShortcut(QKeySequence.StandardKey.Copy)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._my_tab(), "My week")
        self.tabs.addTab(self._team_tab(), "Team")
        self.tabs.currentChanged.connect(lambda _i: self._update_chart())
        self.setCentralWidget(self.tabs)
        self.resize(980, 620)

        self._live = QTimer(self)
        self._live.setInterval(1000)
        self._live.timeout.connect(self._tick)
        self.show_week(self._days[0])

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        self._live.start()  # the running timer's cell follows the clock while visible
        self._show_signed_in()  # perhaps signed in from the tray meanwhile

    def hideEvent(self, event: Any) -> None:
        self._live.stop()
        super().hideEvent(event)

    # -- tabs -------------------------------------------------------------------------------

    def _my_tab(self) -> QWidget:
        page = QWidget(self)
        self.my_model = MyWeekModel(self)
        self.my_view = QTableView(page)
        self.my_view.setModel(self.my_model)
        self.my_view.verticalHeader().setVisible(False)
        self.my_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.my_view.doubleClicked.connect(self._open_cell)
        self.my_chart = BarChart(page)
        self.my_legend = plain_label(
            "Colours: yellow pending, red failed or conflict, green running, blue logged "
            "elsewhere. Double-click a day to see and fix its entries.",
            page,
        )
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.addWidget(self.my_view)
        splitter.addWidget(self.my_chart)
        layout = QVBoxLayout(page)
        layout.addWidget(splitter)
        layout.addWidget(self.my_legend)
        return page

    def _team_tab(self) -> QWidget:
        page = QWidget(self)
        self.team_choice = QComboBox(page)
        self.team_choice.setMinimumWidth(200)
        self.group_button = QPushButton("Jira group…", page)
        self.group_button.clicked.connect(self._choose_group)
        self.people_button = QPushButton("People…", page)
        self.people_button.clicked.connect(self._choose_people)
        self.project_choice = QComboBox(page)
        self.project_choice.addItem("All projects", None)
        self.refresh_button = QPushButton("Refresh", page)
        self.refresh_button.clicked.connect(lambda: self.load_team(refresh=True))
        self.team_choice.activated.connect(lambda _i: self.load_team(refresh=True))
        self.project_choice.activated.connect(lambda _i: self.load_team(refresh=False))
        row = QHBoxLayout()
        for widget in (
            QLabel("Team", page),
            self.team_choice,
            self.group_button,
            self.people_button,
            QLabel("Project", page),
            self.project_choice,
            self.refresh_button,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        self.progress = QProgressBar(page)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", page)
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self._cancel_loading)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.team_status = plain_label("", page)
        # Signed out, the team's time cannot be read: say so, with the way in right there.
        self.team_signed_out = plain_label(
            "Sign in to Jira to see the time your team logged this week.", page
        )
        self.team_sign_in = QPushButton("Sign in…", page)
        self.team_sign_in.clicked.connect(self._sign_in)
        sign_in_row = QHBoxLayout()
        sign_in_row.addWidget(self.team_signed_out, 1)
        sign_in_row.addWidget(self.team_sign_in)
        self.team_model = TeamModel(self)
        self.team_view = QTreeView(page)
        self.team_view.setModel(self.team_model)
        self.team_view.setUniformRowHeights(True)
        header = self.team_view.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(56)
        for column in range(1, TeamModel.COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.team_chart = BarChart(page)
        splitter = QSplitter(Qt.Orientation.Vertical, page)
        splitter.addWidget(self.team_view)
        splitter.addWidget(self.team_chart)
        layout = QVBoxLayout(page)
        layout.addLayout(sign_in_row)
        layout.addLayout(row)
        layout.addLayout(progress_row)
        layout.addWidget(self.team_status)
        layout.addWidget(splitter)
        self._fill_teams()
        self._show_signed_in()
        return page

    def _show_signed_in(self) -> None:
        signed_in = bool(self._services.accounts.accounts())
        self.team_signed_out.setVisible(not signed_in)
        self.team_sign_in.setVisible(not signed_in)
        for button in (self.group_button, self.people_button, self.refresh_button):
            button.setEnabled(signed_in)

    def _sign_in(self) -> None:
        from clockwork_desktop.ui.signin import SignInDialog

        dialog = SignInDialog(self._services, self._runner, self, offer_offline=False)
        dialog.finished.connect(lambda _code: self._show_signed_in())
        self._sign_in_dialog = dialog
        dialog.open()  # modal to this window only: the tray stays usable

    def _fill_teams(self, select: str | None = None) -> None:
        self.team_choice.clear()
        for team in self._sheets.teams():
            self.team_choice.addItem(team.name, team)
        if select is not None:
            self.team_choice.setCurrentIndex(max(0, self.team_choice.findText(select)))

    # -- weeks ----------------------------------------------------------------------------

    def go(self, days: int) -> None:
        self.show_week(self._days[0] + timedelta(days=days))

    def show_week(self, anchor: date) -> None:
        self._days = week_days(anchor, self._sheets.first_weekday())
        first = self._days[0]
        self.picker.blockSignals(True)
        self.picker.setDate(QDate(anchor.year, anchor.month, anchor.day))
        self.picker.blockSignals(False)
        self.week_label.setText(f"{first:%d %b} – {self._days[-1]:%d %b %Y}")
        self.load_mine()
        if self.team_choice.count():
            self.load_team(refresh=False)
            self.load_team(refresh=True)

    def expected(self) -> list[int]:
        working = self._sheets.working_time()
        return [working.expected_seconds(d) for d in self._days]

    def load_mine(self) -> None:
        grid = self._sheets.my_week(self._days)
        keys = [i.key for r in grid.rows for i in r.issues]
        self._my_grid = grid
        self.my_model.set_grid(grid, self._sheets.summaries(keys), self.expected())
        self.my_view.resizeColumnsToContents()
        self.my_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._update_chart()

    def _tick(self) -> None:
        """The running timer's cell follows the clock: one cell changes, not the model."""
        try:
            running = self._services.tracker.running()
        except ClockworkError:
            return
        if running is None or self._my_grid is None:
            return
        today = self._services.tracker.today()
        if today not in self._days:
            return
        column = self._days.index(today)
        seconds = sum(
            v.duration_seconds
            for v in self._services.tracker.entries(today, today)
            if v.entry.issue_key == running.issue_key
        )
        if not self.my_model.update_cell(running.issue_key, column, seconds):
            self.load_mine()

    def _open_cell(self, index: Any) -> None:
        day = self.my_model.day_at(index.column())
        if day is None:
            day = self._days[0]
        if self._open_day is not None:
            self._open_day(day)
        else:
            from clockwork_desktop.ui.dialogs import EntriesDialog

            EntriesDialog(self._services, self, day=day, runner=self._runner).exec()
        self.load_mine()

    # -- the team ------------------------------------------------------------------------------

    def current_team(self) -> Team | None:
        team = self.team_choice.currentData()
        return team if isinstance(team, Team) else None

    def load_team(self, *, refresh: bool) -> None:
        team = self.current_team()
        if team is None or (refresh and self._loading):
            return
        project = self.project_choice.currentData()
        days = self._days
        if not refresh:
            sheets = self._sheets

            def cached(week: TeamWeek) -> None:
                if days == self._days:
                    self._show_team(week)

            self._runner.db(
                lambda: sheets.team_week(team, days, project=project, refresh=False),
                cached,
                lambda error: self.team_status.setText(str(error)),
            )
            return
        self._loading = True
        self._cancel = False
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        signal = self._progress_signal.changed

        def work() -> TeamWeek:
            return self._sheets.team_week(
                team,
                days,
                project=project,
                refresh=True,
                progress=lambda done, total, text: signal.emit(done, total, text),
                cancel=lambda: self._cancel,
            )

        def done(week: TeamWeek) -> None:
            self._finish_loading()
            if days == self._days:
                self._show_team(week)

        def failed(error: BaseException) -> None:
            self._finish_loading()
            self.team_status.setText(str(error))

        self._runner.network(work, done, failed)

    def _finish_loading(self) -> None:
        self._loading = False
        self.progress.hide()
        self.cancel_button.hide()

    def _cancel_loading(self) -> None:
        self._cancel = True

    def _show_progress(self, done: int, total: int, text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.team_status.setText(text)

    def _show_team(self, week: TeamWeek) -> None:
        self._team_week = week
        self.team_model.set_grid(week.grid)
        self.team_view.expandToDepth(-1)
        self.team_view.collapseAll()
        parts = []
        if week.fetched_at is not None:
            local = week.fetched_at.astimezone(self._sheets.zone)
            parts.append(f"Fetched {local:%d %b %H:%M}")
        else:
            parts.append("Not fetched yet")
        if week.note:
            parts.append(week.note)
        if week.hidden:
            parts.append(
                f"{week.hidden} worklogs could not be read (you lack permission to see them); "
                "they are not in these totals"
            )
        self.team_status.setText(" · ".join(parts))
        projects = sorted({i.key.rsplit("-", 1)[0] for r in week.grid.rows for i in r.issues})
        current = self.project_choice.currentData()
        self.project_choice.blockSignals(True)
        self.project_choice.clear()
        self.project_choice.addItem("All projects", None)
        for project in projects:
            self.project_choice.addItem(project, project)
        if current in projects:
            self.project_choice.setCurrentIndex(self.project_choice.findData(current))
        self.project_choice.blockSignals(False)
        self._update_chart()

    def _choose_group(self) -> None:
        group, ok = QInputDialog.getText(self, "Jira group", "Group name (e.g. jira-developers):")
        if not ok or not group.strip():
            return
        self.team_status.setText(f"Reading the members of {group.strip()}…")

        def done(team: Team) -> None:
            self._fill_teams(select=team.name)
            self.load_team(refresh=True)

        self._runner.network(
            lambda: self._sheets.resolve_team(group=group.strip()),
            done,
            lambda exc: self._warn("Jira group", exc),
        )

    def _choose_people(self) -> None:
        text, ok = QInputDialog.getText(
            self, "People", "Names or emails to search for, separated by commas:"
        )
        if not ok or not text.strip():
            return
        parts = [p.strip() for p in text.split(",") if p.strip()]
        self.team_status.setText("Searching Jira for people…")

        def search() -> list[Any]:
            return [u for part in parts for u in self._sheets.find_people(part)]

        self._runner.network(
            search,
            self._name_team,
            lambda exc: self._warn("People", exc),
        )

    def _warn(self, title: str, error: BaseException) -> None:
        self.team_status.setText("")
        warn(self, title, str(error))

    def _name_team(self, found: list[Any]) -> None:
        try:
            members = list({u.account_id: (u.account_id, u.display_name) for u in found}.values())
            name, ok = ask_text(
                self,
                "Save team",
                "Found: " + ", ".join(m[1] for m in members) + "\nName this team:",
            )
            if not ok:
                return
            team = self._sheets.save_people_team(name, members)
        except ClockworkError as exc:
            warn(self, "People", str(exc))
            return
        self._fill_teams(select=team.name)
        self.load_team(refresh=True)

    # -- chart and export ---------------------------------------------------------------------

    def current_grid(self) -> WeekGrid | None:
        if self.tabs.currentIndex() == 1:
            return self._team_week.grid if self._team_week else None
        return self._my_grid

    def _update_chart(self) -> None:
        if self._my_grid is not None:
            self.my_chart.set_data(self._my_grid, self.expected())
        if self._team_week is not None:
            people = max(1, len(self._team_week.grid.rows))
            self.team_chart.set_data(self._team_week.grid, [e * people for e in self.expected()])

    def table(self) -> list[list[str | int | float]]:
        grid = self.current_grid()
        return grid_table(grid, by_issue=True) if grid else []

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(to_tsv(self.table()))

    def export(self, suffix: str, path: Path | None = None) -> Path | None:
        grid = self.current_grid()
        if grid is None:
            return None
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self,
                "Export timesheet",
                f"timesheet-{grid.week}{suffix}",
                "Spreadsheet (*.xlsx)" if suffix == ".xlsx" else "CSV (*.csv)",
            )
            if not chosen:
                return None
            path = Path(chosen)
        path.write_bytes(
            encode_table(self.table(), path.suffix or suffix, self._services.xlsx_bytes)
        )
        return path
