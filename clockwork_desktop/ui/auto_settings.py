"""Two Settings pages: automatic timers (Jira statuses, git branches, the long-timer guard) and
working hours (per weekday, with holidays).

Each page shows part of the one `Settings` value (`fill`) and writes its part back into a copy
(`chosen`); the dialog checks and saves the whole value. A page's problems are shown on labels
it owns, listed in `errors` so the dialog can find them by the field's name.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.models import Account
from clockwork_desktop.core.settings import DAY_NAMES, LONG_TIMER_RANGE_H, Settings
from clockwork_desktop.ui.plaintext import error_label, plain_label, tooltip

DATA_ROLE = Qt.ItemDataRole.UserRole


def _combo(parent: QWidget, choices: tuple[tuple[str, str], ...]) -> QComboBox:
    box = QComboBox(parent)
    for text, value in choices:
        box.addItem(text, value)
    return box


def _select(box: QComboBox, value: str) -> None:
    box.setCurrentIndex(max(0, box.findData(value)))


def is_git_folder(folder: Path) -> bool:
    """A working tree (``.git`` folder or worktree file) or a bare repository."""
    return (folder / ".git").exists() or (folder / "HEAD").is_file()


class SettingsPage(QWidget):
    edited = Signal(str)  # the name of a field whose message should go

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.errors: dict[str, tuple[QLabel, QWidget]] = {}

    def _error(self, name: str, widget: QWidget) -> QLabel:
        label = error_label(self)
        self.errors[name] = (label, widget)
        return label

    def _show_error(self, name: str, message: str) -> None:
        label = self.errors[name][0]
        label.setText(message)
        label.show()


class AutoTimersPage(SettingsPage):
    """Timers from Jira statuses, per account; the other way; git branches; the guard."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Tests and the desktop both go through this: the native dialog in the app.
        self.choose_folder: Callable[[], str] = self._ask_for_folder
        layout = QVBoxLayout(self)

        jira = QGroupBox("Timers from Jira statuses", self)
        form = QFormLayout(jira)
        form.addRow(
            plain_label(
                "When an issue assigned to you enters an active status, its timer starts; "
                "when it leaves, is reassigned or resolved, the timer stops at that moment.",
                jira,
            )
        )
        self.jira_accounts = QListWidget(jira)
        self.jira_accounts.setMaximumHeight(64)
        self.jira_hint = plain_label("", jira)
        form.addRow("For the accounts", self.jira_accounts)
        form.addRow("", self.jira_hint)
        self.status_rule = _combo(
            jira,
            (("Jira's In Progress category", "category"), ("These statuses (by name)", "names")),
        )
        self.statuses = QLineEdit(jira)
        self.statuses.setPlaceholderText("e.g. In Progress, Code review")
        self.status_rule.currentIndexChanged.connect(self._rule_changed)
        self.statuses.textChanged.connect(lambda _t: self.edited.emit("auto:active_statuses"))
        form.addRow("Active statuses", self.status_rule)
        form.addRow("", self.statuses)
        form.addRow("", self._error("auto:active_statuses", self.statuses))
        self.on_conflict = _combo(
            jira, (("Ask me first", "ask"), ("Switch to the new issue", "switch"))
        )
        form.addRow("When another timer runs", self.on_conflict)
        self.transition = _combo(
            jira,
            (
                ("Do nothing", "off"),
                ("Offer to move it to In Progress", "offer"),
                ("Move it to In Progress", "perform"),
            ),
        )
        form.addRow("Starting a To Do issue", self.transition)
        layout.addWidget(jira)

        git = QGroupBox("Timers from git branches", self)
        git_form = QFormLayout(git)
        self.repos = QListWidget(git)
        self.repos.setMaximumHeight(72)
        self.add_repo_button = QPushButton("Add folder…", git)
        self.add_repo_button.clicked.connect(self._add_repo)
        self.remove_repo_button = QPushButton("Remove", git)
        self.remove_repo_button.setEnabled(False)
        self.remove_repo_button.clicked.connect(self._remove_repo)
        self.repos.currentRowChanged.connect(
            lambda row: self.remove_repo_button.setEnabled(row >= 0)
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_repo_button)
        buttons.addWidget(self.remove_repo_button)
        buttons.addStretch(1)
        git_form.addRow("Repositories", self.repos)
        git_form.addRow("", buttons)
        git_form.addRow("", self._error("auto:repos", self.repos))
        self.branch = _combo(
            git,
            (
                ("Do nothing", "off"),
                ("Offer its issue first", "suggest"),
                ("Switch the timer to its issue", "switch"),
            ),
        )
        git_form.addRow("On a branch with an issue key", self.branch)
        layout.addWidget(git)

        guard = QGroupBox("Every timer", self)
        guard_form = QFormLayout(guard)
        self.long_timer = QSpinBox(guard)
        self.long_timer.setRange(*LONG_TIMER_RANGE_H)
        self.long_timer.setSuffix(" h")
        self.long_timer.setSpecialValueText("never")
        guard_form.addRow("Ask when a timer runs longer than", self.long_timer)
        guard_form.addRow(
            plain_label(
                "A timer still running after midnight is asked about too. Automatic timers "
                "count only inside your working hours (Working hours tab).",
                guard,
            )
        )
        layout.addWidget(guard)
        layout.addStretch(1)
        self._rule_changed()

    # -- showing and reading ------------------------------------------------------------------

    def fill(self, value: Settings, accounts: list[Account]) -> None:
        auto = value.auto
        self.jira_accounts.clear()
        for account in accounts:
            item = QListWidgetItem(account.name, self.jira_accounts)
            item.setData(DATA_ROLE, account.name)
            item.setToolTip(tooltip(f"{account.url} as {account.display_name}"))
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            on = auto.jira_on(account.name)
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.jira_hint.setText(
            "Tick the accounts whose statuses start and stop your timers."
            if accounts
            else "Sign in to Jira on the Accounts tab first."
        )
        self.status_rule.setCurrentIndex(1 if auto.active_statuses else 0)
        self.statuses.setText(", ".join(auto.active_statuses))
        _select(self.on_conflict, auto.on_conflict)
        _select(self.transition, auto.transition)
        self.repos.clear()
        self.repos.addItems(list(auto.repos))
        _select(self.branch, auto.branch)
        self.long_timer.setValue(value.long_timer_hours)

    def chosen(self, base: Settings) -> Settings:
        auto = base.auto
        for row in range(self.jira_accounts.count()):
            item = self.jira_accounts.item(row)
            name = str(item.data(DATA_ROLE))
            auto = auto.with_jira(name, item.checkState() == Qt.CheckState.Checked)
        names: tuple[str, ...] = ()
        if self.status_rule.currentData() == "names":
            # An empty name is kept so that validation can say so on this field.
            names = tuple(n.strip() for n in self.statuses.text().split(","))
        auto = dataclasses.replace(
            auto,
            active_statuses=names,
            on_conflict=str(self.on_conflict.currentData()),
            transition=str(self.transition.currentData()),
            repos=tuple(self.repo_paths()),
            branch=str(self.branch.currentData()),
        )
        return dataclasses.replace(base, auto=auto, long_timer_hours=self.long_timer.value())

    def jira_on(self, name: str) -> bool:
        for row in range(self.jira_accounts.count()):
            item = self.jira_accounts.item(row)
            if item.data(DATA_ROLE) == name:
                return item.checkState() == Qt.CheckState.Checked
        return False

    def set_jira_on(self, name: str, on: bool) -> None:
        for row in range(self.jira_accounts.count()):
            item = self.jira_accounts.item(row)
            if item.data(DATA_ROLE) == name:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def repo_paths(self) -> list[str]:
        return [self.repos.item(r).text() for r in range(self.repos.count())]

    # -- behaviour ------------------------------------------------------------------------------

    def _rule_changed(self) -> None:
        self.statuses.setEnabled(self.status_rule.currentData() == "names")
        self.edited.emit("auto:active_statuses")

    def _ask_for_folder(self) -> str:
        return QFileDialog.getExistingDirectory(self, "Choose a git repository to watch")

    def _add_repo(self) -> None:
        folder = self.choose_folder()
        if not folder:
            return
        if not is_git_folder(Path(folder)):
            self._show_error(
                "auto:repos",
                f"{folder} is not a git repository: choose the folder that holds your "
                "project's .git folder.",
            )
            return
        self.edited.emit("auto:repos")
        if folder not in self.repo_paths():
            self.repos.addItem(folder)
        self.repos.setCurrentRow(self.repo_paths().index(folder))

    def _remove_repo(self) -> None:
        row = self.repos.currentRow()
        if row >= 0:
            self.repos.takeItem(row)
            self.edited.emit("auto:repos")


class WorkingHoursPage(SettingsPage):
    """Per weekday: works or not, from and to; plus holidays. Automatic timers, reminders and
    the timesheet's expected hours all read these."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.days: list[QCheckBox] = []
        self.starts: list[QTimeEdit] = []
        self.ends: list[QTimeEdit] = []
        for day, name in enumerate(DAY_NAMES):
            box = QCheckBox(name, self)
            start, end = QTimeEdit(self), QTimeEdit(self)
            for edit in (start, end):
                edit.setDisplayFormat("HH:mm")
                edit.timeChanged.connect(self._hours_edited)
            box.toggled.connect(self._days_changed)
            grid.addWidget(box, day, 0)
            grid.addWidget(start, day, 1)
            grid.addWidget(QLabel("to", self), day, 2)
            grid.addWidget(end, day, 3)
            self.days.append(box)
            self.starts.append(start)
            self.ends.append(end)
        grid.setColumnStretch(4, 1)
        layout.addWidget(plain_label("Working hours", self))
        layout.addLayout(grid)
        for name in ("work_end", "day_hours", "work_days"):
            layout.addWidget(self._error(name, self.days[0]))

        layout.addWidget(plain_label("Holidays (no working hours)", self))
        self.holidays = QListWidget(self)
        self.holidays.setMaximumHeight(90)
        self.holiday = QDateEdit(self)
        self.holiday.setCalendarPopup(True)
        self.holiday.setDisplayFormat("ddd d MMM yyyy")
        self.holiday.setDate(QDate.currentDate())
        self.add_holiday_button = QPushButton("Add", self)
        self.add_holiday_button.clicked.connect(self._add_holiday)
        self.remove_holiday_button = QPushButton("Remove", self)
        self.remove_holiday_button.setEnabled(False)
        self.remove_holiday_button.clicked.connect(self._remove_holiday)
        self.holidays.currentRowChanged.connect(
            lambda row: self.remove_holiday_button.setEnabled(row >= 0)
        )
        row = QHBoxLayout()
        row.addWidget(self.holiday)
        row.addWidget(self.add_holiday_button)
        row.addWidget(self.remove_holiday_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.holidays)
        layout.addWidget(self._error("holidays", self.holidays))
        layout.addStretch(1)
        self._days_changed()

    def fill(self, value: Settings) -> None:
        for day in range(7):
            hours = value.hours_on(day)
            start, end = hours or (value.work_start, value.work_end)
            self.starts[day].setTime(QTime(start.hour, start.minute))
            self.ends[day].setTime(QTime(end.hour, end.minute))
            self.days[day].setChecked(hours is not None)
        self.holidays.clear()
        for holiday in value.holidays:
            self._add_date(holiday)

    def chosen(self, base: Settings) -> Settings:
        """The most common span is the usual hours; the other days keep their own."""
        spans = {
            day: (_wall(self.starts[day].time()), _wall(self.ends[day].time()))
            for day in range(7)
            if self.days[day].isChecked()
        }
        if not spans:
            return dataclasses.replace(base, work_days=(), day_hours=())
        counts = Counter(spans.values())
        first_day = {span: min(d for d in spans if spans[d] == span) for span in counts}
        usual = max(counts, key=lambda span: (counts[span], -first_day[span]))
        return dataclasses.replace(
            base,
            work_start=usual[0],
            work_end=usual[1],
            work_days=tuple(spans),
            day_hours=tuple((d, s, e) for d, (s, e) in spans.items() if (s, e) != usual),
            holidays=tuple(self.holiday_dates()),
        )

    def holiday_dates(self) -> list[date]:
        return [
            date.fromisoformat(self.holidays.item(r).data(DATA_ROLE))
            for r in range(self.holidays.count())
        ]

    def _days_changed(self) -> None:
        for day, box in enumerate(self.days):
            self.starts[day].setEnabled(box.isChecked())
            self.ends[day].setEnabled(box.isChecked())
        self.edited.emit("work_days")
        self._hours_edited()

    def _hours_edited(self) -> None:
        self.edited.emit("work_end")
        self.edited.emit("day_hours")

    def _add_date(self, day: date) -> None:
        if day in self.holiday_dates():
            return
        item = QListWidgetItem(f"{day:%a %d %b %Y}")
        item.setData(DATA_ROLE, day.isoformat())
        later = [r for r, d in enumerate(self.holiday_dates()) if d > day]
        self.holidays.insertItem(later[0] if later else self.holidays.count(), item)

    def _add_holiday(self) -> None:
        chosen = self.holiday.date()
        self._add_date(date(chosen.year(), chosen.month(), chosen.day()))
        self.edited.emit("holidays")

    def _remove_holiday(self) -> None:
        row = self.holidays.currentRow()
        if row >= 0:
            self.holidays.takeItem(row)
            self.edited.emit("holidays")


def _wall(value: QTime) -> time:
    return time(value.hour(), value.minute())
