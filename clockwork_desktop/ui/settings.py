"""Settings: accounts, sync, rounding (with a live preview), working time, idle, reminders,
and the Health page."""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.rounding import ALLOWED_STEPS_MIN, RoundingMode, RoundingPolicy
from clockwork_desktop.ui.dialogs import plain_label
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.tasks import TaskRunner

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PREVIEW_SAMPLES_S = (40, 7 * 60 + 20, 52 * 60, 67 * 60)

DEFAULTS = {
    "sync_interval_min": 5,
    "work_start": "09:00",
    "work_end": "17:00",
    "work_days": [0, 1, 2, 3, 4],
    "idle_threshold_min": 10,
    "long_timer_hours": 10,
    "remind_no_timer": False,
    "autostart": False,
    "first_day_of_week": 0,
}


def setting(services: GuiServices, key: str) -> object:
    return services.settings.get_setting(key, DEFAULTS.get(key))


class SettingsDialog(QDialog):
    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        parent: QWidget | None = None,
        autostart: object | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clockwork Desktop settings")
        self._services = services
        self._runner = runner
        self._autostart = autostart
        tabs = QTabWidget(self)
        tabs.addTab(self._accounts_tab(), "Accounts")
        tabs.addTab(self._time_tab(), "Time")
        tabs.addTab(self._general_tab(), "General")
        from clockwork_desktop.ui.health import HealthPage

        self.health = HealthPage(services, runner, self)
        tabs.addTab(self.health, "Health")
        tabs.currentChanged.connect(self._tab_shown)
        self.tabs = tabs
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.error = plain_label("", self)
        self.error.setStyleSheet("color: #cf222e;")
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(520, 420)
        self._update_preview()

    # -- tabs -------------------------------------------------------------------------------

    def _accounts_tab(self) -> QWidget:
        page = QWidget(self)
        self.accounts = QListWidget(page)
        self._fill_accounts()
        add = QPushButton("Sign in to Jira…", page)
        add.clicked.connect(self._sign_in)
        remove = QPushButton("Sign out", page)
        remove.clicked.connect(self._sign_out)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.accounts)
        layout.addLayout(buttons)
        return page

    def _fill_accounts(self) -> None:
        self.accounts.clear()
        for a in self._services.accounts.accounts():
            state = "token refused: sign in again" if a.auth_blocked else "signed in"
            default = " (default)" if a.is_default else ""
            self.accounts.addItem(f"{a.name}{default} — {a.url} as {a.display_name} · {state}")
        if self.accounts.count() == 0:
            self.accounts.addItem("Not signed in: your time is kept on this computer.")

    def _time_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        policy = self._current_policy()
        self.mode = QComboBox(page)
        for label, mode in (
            ("No rounding", RoundingMode.NONE),
            ("Round up", RoundingMode.UP),
            ("Round to nearest", RoundingMode.NEAREST),
        ):
            self.mode.addItem(label, mode.value)
        self.mode.setCurrentIndex(self.mode.findData(policy.mode.value))
        self.step = QComboBox(page)
        for minutes in ALLOWED_STEPS_MIN:
            self.step.addItem(f"{minutes} min", minutes)
        self.step.setCurrentIndex(max(0, self.step.findData(policy.step_minutes)))
        self.preview = plain_label("", page)
        self.mode.currentIndexChanged.connect(self._update_preview)
        self.step.currentIndexChanged.connect(self._update_preview)
        row = QHBoxLayout()
        row.addWidget(self.mode)
        row.addWidget(self.step)
        form.addRow("Rounding", row)
        form.addRow("Preview", self.preview)
        form.addRow(
            "",
            plain_label("Jira refuses worklogs under one minute; shorter ones stay local.", page),
        )
        self.work_start = QTimeEdit(
            QTime.fromString(str(setting(self._services, "work_start")), "HH:mm"), page
        )
        self.work_end = QTimeEdit(
            QTime.fromString(str(setting(self._services, "work_end")), "HH:mm"), page
        )
        hours = QHBoxLayout()
        hours.addWidget(self.work_start)
        hours.addWidget(QLabel("to", page))
        hours.addWidget(self.work_end)
        form.addRow("Working hours", hours)
        days_row = QHBoxLayout()
        chosen = set(setting(self._services, "work_days") or [])  # type: ignore[call-overload]
        self.days: list[QCheckBox] = []
        for index, name in enumerate(DAYS):
            box = QCheckBox(name, page)
            box.setChecked(index in chosen)
            self.days.append(box)
            days_row.addWidget(box)
        form.addRow("Working days", days_row)
        self.first_day = QComboBox(page)
        for index, name in enumerate(DAYS):
            self.first_day.addItem(name, index)
        self.first_day.setCurrentIndex(int(setting(self._services, "first_day_of_week")))  # type: ignore[call-overload]
        form.addRow("Week starts on", self.first_day)
        return page

    def _general_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.interval = QSpinBox(page)
        self.interval.setRange(1, 240)
        self.interval.setSuffix(" min")
        self.interval.setValue(int(setting(self._services, "sync_interval_min")))  # type: ignore[call-overload]
        form.addRow("Sync with Jira every", self.interval)
        self.idle = QSpinBox(page)
        self.idle.setRange(0, 240)
        self.idle.setSuffix(" min")
        self.idle.setSpecialValueText("never")
        self.idle.setValue(int(setting(self._services, "idle_threshold_min")))  # type: ignore[call-overload]
        form.addRow("Ask when idle for", self.idle)
        self.long_timer = QSpinBox(page)
        self.long_timer.setRange(0, 24)
        self.long_timer.setSuffix(" h")
        self.long_timer.setSpecialValueText("never")
        self.long_timer.setValue(int(setting(self._services, "long_timer_hours")))  # type: ignore[call-overload]
        form.addRow("Remind when a timer runs longer than", self.long_timer)
        self.remind_no_timer = QCheckBox("Remind me when no timer runs during working hours", page)
        self.remind_no_timer.setChecked(bool(setting(self._services, "remind_no_timer")))
        form.addRow("", self.remind_no_timer)
        self.autostart_box = QCheckBox("Start Clockwork Desktop when I log in", page)
        self.autostart_box.setChecked(bool(setting(self._services, "autostart")))
        form.addRow("", self.autostart_box)
        return page

    # -- behaviour --------------------------------------------------------------------------

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.health and self.health.report is None:
            self.health.run_checks()

    def _current_policy(self) -> RoundingPolicy:
        accounts = self._services.accounts.accounts()
        account = accounts[0].name if accounts else None
        return self._services.settings.rounding_policy(account)

    def chosen_policy(self) -> RoundingPolicy:
        return RoundingPolicy(RoundingMode(self.mode.currentData()), int(self.step.currentData()))

    def _update_preview(self) -> None:
        policy = self.chosen_policy()
        self.step.setEnabled(policy.mode is not RoundingMode.NONE)
        parts = []
        for seconds in PREVIEW_SAMPLES_S:
            logged = policy.apply(seconds)
            shown = format_duration(logged) if logged >= 60 else "stays local"
            parts.append(f"{format_duration(seconds)} → {shown}")
        self.preview.setText("\n".join(parts))

    def _sign_in(self) -> None:
        from clockwork_desktop.ui.signin import SignInDialog

        dialog = SignInDialog(self._services, self._runner, self, offer_offline=False)
        dialog.exec()
        self._fill_accounts()

    def _sign_out(self) -> None:
        accounts = self._services.accounts.accounts()
        row = self.accounts.currentRow()
        if not accounts or row < 0 or row >= len(accounts):
            return
        name = accounts[row].name

        def failed(exc: BaseException) -> None:
            self.error.setText(str(exc) if isinstance(exc, ClockworkError) else repr(exc))
            self._fill_accounts()

        # The keyring may be a D-Bus service: never wait for it on the GUI thread.
        self._runner.network(
            lambda: self._services.accounts.logout(name), lambda _a: self._fill_accounts(), failed
        )

    def save(self) -> None:
        settings = self._services.settings
        try:
            policy = self.chosen_policy()
            accounts = self._services.accounts.accounts()
            if accounts:
                self._services.accounts.set_rounding(accounts[0].name, policy.describe())
            settings.set_setting("rounding", policy.describe())
            settings.set_setting("work_start", self.work_start.time().toString("HH:mm"))
            settings.set_setting("work_end", self.work_end.time().toString("HH:mm"))
            settings.set_setting("work_days", [i for i, b in enumerate(self.days) if b.isChecked()])
            settings.set_setting("first_day_of_week", self.first_day.currentData())
            settings.set_setting("sync_interval_min", self.interval.value())
            settings.set_setting("idle_threshold_min", self.idle.value())
            settings.set_setting("long_timer_hours", self.long_timer.value())
            settings.set_setting("remind_no_timer", self.remind_no_timer.isChecked())
            settings.set_setting("autostart", self.autostart_box.isChecked())
            if self._autostart is not None:
                self._autostart.set_enabled(self.autostart_box.isChecked())  # type: ignore[attr-defined]
        except (ClockworkError, OSError) as exc:
            self.error.setText(str(exc))
            return
        self.accept()
