"""The "Team" tab: a saved team's (or a Jira group's) week, person by person."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.timesheet import WeekGrid
from clockwork_desktop.services.timesheet import GroupMembersHiddenError, Team, TeamWeek
from clockwork_desktop.ui.plaintext import plain_label, text_dialog, warn
from clockwork_desktop.ui.timesheet.chart import BarChart
from clockwork_desktop.ui.timesheet.columns import WeekColumn
from clockwork_desktop.ui.timesheet.models import TeamModel
from clockwork_desktop.ui.timesheet.page import SheetPage


def team_label(team: Team) -> str:
    """How a team reads in the list: a group by its Jira name, with how many people."""
    count = len(team.members)
    people = f"{count} {'person' if count == 1 else 'people'}"
    if team.kind == "group":
        return f"{team.ref} (Jira group, {people})"
    return f"{team.name} ({people})"


# A loaded week: the grid, the issues' summaries and the expected seconds per day.
Loaded = tuple[TeamWeek, dict[str, str], list[int]]


class _Progress(QObject):
    """Progress from the loading thread, delivered on the GUI thread."""

    changed = Signal(int, int, str)


class TeamTab(SheetPage):
    week_shown = Signal()  # a week's grid arrived (the chart and export follow it)

    def _build(self) -> None:
        self._days: tuple[date, ...] = ()
        self._cancel = False
        self.loading = False
        self.week: TeamWeek | None = None
        self.sign_in_dialog: QWidget | None = None
        self._request = 0  # loads answer out of order: only the newest one is shown
        self._shown_request = 0
        self._progress_signal = _Progress()
        self._progress_signal.changed.connect(self._show_progress)

        self.choice = QComboBox(self)
        self.choice.setMinimumWidth(200)
        self.group_button = QPushButton("Jira group…", self)
        self.group_button.clicked.connect(self._choose_group)
        self.people_button = QPushButton("People…", self)
        self.people_button.clicked.connect(self._choose_people)
        self.project_choice = QComboBox(self)
        self.project_choice.addItem("All projects", None)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(lambda: self.load(refresh=True))
        self.choice.activated.connect(lambda _i: self.load(refresh=True))
        self.project_choice.activated.connect(lambda _i: self.load(refresh=False))
        row = QHBoxLayout()
        for widget in (
            QLabel("Team", self),
            self.choice,
            self.group_button,
            self.people_button,
            QLabel("Project", self),
            self.project_choice,
            self.refresh_button,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self._cancel_loading)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.status = plain_label("", self)
        # Signed out, the team's time cannot be read: say so, with the way in right there.
        self.signed_out = plain_label(
            "Sign in to Jira to see the time your team logged this week.", self
        )
        self.sign_in_button = QPushButton("Sign in…", self)
        self.sign_in_button.clicked.connect(self._sign_in)
        sign_in_row = QHBoxLayout()
        sign_in_row.addWidget(self.signed_out, 1)
        sign_in_row.addWidget(self.sign_in_button)
        self.model = TeamModel(self)
        self.view = QTreeView(self)
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(56)
        for column in range(WeekColumn.FIRST_DAY, TeamModel.COLUMNS):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(WeekColumn.LABEL, QHeaderView.ResizeMode.Stretch)
        self.chart = BarChart(self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.view)
        splitter.addWidget(self.chart)
        layout = QVBoxLayout(self)
        layout.addLayout(sign_in_row)
        layout.addLayout(row)
        layout.addLayout(progress_row)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.empty_hint = plain_label(
            "No team yet. Choose “Jira group…” to follow the members of a Jira group, or "
            "“People…” to pick people by name; the team is saved for next time.",
            self,
        )
        layout.addWidget(self.empty_hint)
        layout.addStretch(0)  # the hint alone sits at the top, not in the middle
        self._splitter = splitter
        self.people_dialog: QDialog | None = None
        self.empty_hint.hide()  # until the saved teams are known
        self.teams_read = False
        self.fill_teams()
        self.show_signed_in()

    @property
    def grid(self) -> WeekGrid | None:
        return self.week.grid if self.week else None

    def show_signed_in(self) -> None:
        accounts = self._services.accounts
        self._runner.db(lambda: bool(accounts.accounts()), self._show_signed_in)

    def _show_signed_in(self, signed_in: bool) -> None:
        self.signed_out.setVisible(not signed_in)
        self.sign_in_button.setVisible(not signed_in)
        for button in (self.group_button, self.people_button, self.refresh_button):
            button.setEnabled(signed_in)

    def _sign_in(self) -> None:
        from clockwork_desktop.ui.signin import SignInDialog

        dialog = SignInDialog(self._services, self._runner, self, offer_offline=False)
        dialog.finished.connect(lambda _code: self.show_signed_in())
        self.sign_in_dialog = dialog
        dialog.open()  # modal to this window only: the tray stays usable

    def fill_teams(self, select: str | None = None, then: Callable[[], None] | None = None) -> None:
        """Read the saved teams (in the background), select ``select``, then call ``then``."""

        def fill(teams: list[Team]) -> None:
            self.set_teams(teams, select)
            if then is not None:
                then()

        self._runner.db(self._sheets.teams, fill)

    def set_teams(self, teams: list[Team], select: str | None = None) -> None:
        current = self.current_team()
        wanted = select if select is not None else (current.name if current else None)
        self.choice.clear()
        for team in teams:
            self.choice.addItem(team_label(team), team)
            if team.name == wanted:
                self.choice.setCurrentIndex(self.choice.count() - 1)
        empty = self.choice.count() == 0
        self.empty_hint.setVisible(empty)
        self._splitter.setVisible(not empty)
        self.teams_read = True
        if self._days and (select is not None or current is None):
            self.load(refresh=False)
            self.load(refresh=True)

    def current_team(self) -> Team | None:
        team = self.choice.currentData()
        return team if isinstance(team, Team) else None

    # -- loading --------------------------------------------------------------------------------

    def show_days(self, days: tuple[date, ...]) -> None:
        self._days = days
        if self.choice.count():
            self.load(refresh=False)
            self.load(refresh=True)

    def load(self, *, refresh: bool) -> None:
        team = self.current_team()
        if team is None or (refresh and self.loading):
            return
        project = self.project_choice.currentData()
        days = self._days
        sheets = self._sheets
        self._request += 1
        request = self._request

        def summaries(week: TeamWeek) -> Loaded:
            keys = [i.key for r in week.grid.rows for i in r.issues]
            return week, sheets.summaries(keys), sheets.expected(days)

        def show(result: Loaded) -> None:
            if days == self._days and request > self._shown_request:
                self._shown_request = request
                self._show(*result)

        if not refresh:
            self._runner.db(
                lambda: summaries(sheets.team_week(team, days, project=project, refresh=False)),
                show,
                lambda exc: self.status.setText(str(exc)),
            )
            return
        self.loading = True
        self._cancel = False
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.show()
        signal = self._progress_signal.changed

        def work() -> Loaded:
            week = sheets.team_week(
                team,
                days,
                project=project,
                refresh=True,
                progress=lambda done, total, text: signal.emit(done, total, text),
                cancel=lambda: self._cancel,
            )
            return summaries(week)

        def done(result: Loaded) -> None:
            self._finish_loading()
            show(result)

        def failed(error: BaseException) -> None:
            self._finish_loading()
            self.status.setText(str(error))

        self._runner.network(work, done, failed)

    def _finish_loading(self) -> None:
        self.loading = False
        self.progress.hide()
        self.cancel_button.hide()

    def _cancel_loading(self) -> None:
        self._cancel = True

    def _show_progress(self, done: int, total: int, text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.status.setText(text)

    def _show(self, week: TeamWeek, summaries: dict[str, str], expected: list[int]) -> None:
        self.week = week
        self.model.set_grid(week.grid, summaries)
        self.view.collapseAll()
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
        self.status.setText(" · ".join(parts))
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
        people = max(1, len(week.grid.rows))
        self.chart.set_data(week.grid, [e * people for e in expected])
        self.week_shown.emit()

    # -- choosing a team ------------------------------------------------------------------------

    def _choose_group(self) -> None:
        """Ask for the group's name, modal to this window only (the tray keeps working)."""
        dialog = text_dialog(self, "Jira group", "Group name (e.g. jira-developers):")
        dialog.textValueSelected.connect(self._read_group)
        self.group_dialog = dialog
        dialog.open()

    def _read_group(self, group: str) -> None:
        if not group.strip():
            return
        self.status.setText(f"Reading the members of {group.strip()}…")

        def done(team: Team) -> None:
            self.fill_teams(select=team.name)

        def failed(error: BaseException) -> None:
            if isinstance(error, GroupMembersHiddenError):
                # Not a sign-in problem: say what is true and the way that works, right here.
                self.status.setText(
                    f"{error} Choose “People…” to find the people by name instead; the team "
                    "is saved for next time."
                )
                return
            self.warn("Jira group", error)

        self._runner.network(lambda: self._sheets.resolve_team(group=group.strip()), done, failed)

    def _choose_people(self) -> None:
        from clockwork_desktop.ui.timesheet.people import PeopleDialog

        self.people_dialog = PeopleDialog(
            self._runner, self._sheets, lambda team: self.fill_teams(select=team.name), self
        )
        self.people_dialog.open()  # modal to this window only: the tray stays usable

    def warn(self, title: str, error: BaseException) -> None:
        self.status.setText("")
        warn(self, title, str(error))
