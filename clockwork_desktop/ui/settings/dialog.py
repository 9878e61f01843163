"""Settings: accounts, sync, rounding (with a live preview), working hours and holidays,
automatic timers, time zone, idle, reminders, the picker's shortcut, and the Health page.

The dialog edits one `Settings` value. It is read and written on the DB worker, checked with
`Settings.validate()` (each message shown under its own field), and saved in one transaction.
A sign-out is only marked until Save, so Cancel leaves every account signed in.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account
from clockwork_desktop.core.rounding import (
    ALLOWED_STEPS_MIN,
    RoundingMode,
    RoundingPolicy,
    is_loggable,
)
from clockwork_desktop.core.settings import DEFAULT_SETTINGS, Settings
from clockwork_desktop.core.shortcut import ShortcutSupport
from clockwork_desktop.ui.plaintext import ERROR_STYLE, error_label, plain_label
from clockwork_desktop.ui.settings.accounts import AccountsTab

if TYPE_CHECKING:
    from clockwork_desktop.ui.auto_settings import SettingsPage
    from clockwork_desktop.ui.signin import SignInDialog
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.tasks import TaskRunner, error_words

log = get_logger(__name__)

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
PREVIEW_SAMPLES_S = (40, 7 * 60 + 20, 52 * 60, 67 * 60)


class Loaded(NamedTuple):
    settings: Settings
    accounts: list[Account]
    zones: list[str]
    system_zone: str


def _zone_names() -> list[str]:
    """The IANA zones a person would pick (no posix/ or right/ duplicates)."""
    import zoneinfo

    names = zoneinfo.available_timezones()
    skipped = ("posix/", "right/", "SystemV/")
    return [*sorted(n for n in names if "/" in n and not n.startswith(skipped)), "UTC"]


class SettingsDialog(AccountsTab):
    loaded = Signal()
    saved = Signal(object)  # the Settings value that was written

    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        parent: QWidget | None = None,
        autostart: object | None = None,
        shortcut: ShortcutSupport | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clockwork Desktop settings")
        self._services = services
        self._runner = runner
        self._autostart = autostart
        # Decided in app/ (the platform's adapter); the argument is for tests.
        self._shortcut_support = shortcut or services.shortcut
        self.value: Settings | None = None  # what was loaded, until Save replaces it
        self._accounts: list[Account] = []
        self.sign_in_dialog: SignInDialog | None = None  # referenced while it is open
        self.sign_out_pending: set[str] = set()
        self.field_errors: dict[str, QLabel] = {}
        self._field_places: dict[str, tuple[QWidget, QWidget]] = {}  # field: (tab, widget)
        tabs = QTabWidget(self)
        self.tabs = tabs
        tabs.addTab(self._accounts_tab(), "Accounts")
        tabs.addTab(self._time_tab(), "Time")
        from clockwork_desktop.ui.auto_settings import AutoTimersPage, WorkingHoursPage

        self.hours_page = WorkingHoursPage(self)
        self.days = self.hours_page.days
        tabs.addTab(self.hours_page, "Working hours")
        self._host(self.hours_page, self.hours_page)
        self.auto_page = AutoTimersPage(self)
        self.long_timer = self.auto_page.long_timer
        self.auto_tab = QScrollArea(self)
        self.auto_tab.setWidgetResizable(True)
        self.auto_tab.setFrameShape(QFrame.Shape.NoFrame)
        self.auto_tab.setWidget(self.auto_page)
        tabs.addTab(self.auto_tab, "Automatic timers")
        self._host(self.auto_page, self.auto_tab)
        tabs.addTab(self._general_tab(), "General")
        from clockwork_desktop.ui.health import HealthPage

        self.health = HealthPage(services, runner, self)
        tabs.addTab(self.health, "Health")
        tabs.currentChanged.connect(self._tab_shown)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.error = plain_label("", self)
        self.error.setStyleSheet(ERROR_STYLE)
        layout = QVBoxLayout(self)
        layout.addWidget(tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(600, 560)
        self._set_editable(False)
        self._load()

    # -- tabs -------------------------------------------------------------------------------

    def _field_error(self, name: str, tab: QWidget, widget: QWidget) -> QLabel:
        label = error_label(tab)
        self.field_errors[name] = label
        self._field_places[name] = (tab, widget)
        return label

    def _host(self, page: SettingsPage, tab: QWidget) -> None:
        """Show a page's problems like the dialog's own, and take them away as it is edited."""
        for name, (label, widget) in page.errors.items():
            self.field_errors[name] = label
            self._field_places[name] = (tab, widget)
        page.edited.connect(self._clear_error)

    def _time_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.mode = QComboBox(page)
        for label, mode in (
            ("No rounding", RoundingMode.NONE),
            ("Round up", RoundingMode.UP),
            ("Round to nearest", RoundingMode.NEAREST),
        ):
            self.mode.addItem(label, mode.value)
        self.step = QComboBox(page)
        for minutes in ALLOWED_STEPS_MIN:
            self.step.addItem(f"{minutes} min", minutes)
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
        self.first_day = QComboBox(page)
        for index, name in enumerate(DAYS):
            self.first_day.addItem(name, index)
        form.addRow("Week starts on", self.first_day)
        self.zone = QComboBox(page)
        self.zone.setEditable(True)
        self.zone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        search = self.zone.lineEdit()
        if search is not None:
            search.setPlaceholderText("Type to search, e.g. Berlin")
        completer = QCompleter(self.zone.model(), self.zone)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.zone.setCompleter(completer)
        self.zone.currentTextChanged.connect(lambda _t: self._clear_error("timezone"))
        form.addRow("Time zone", self.zone)
        form.addRow("", self._field_error("timezone", page, self.zone))
        form.addRow(
            "",
            plain_label("Days, weeks and working hours are counted in this zone.", page),
        )
        return page

    def _general_tab(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.interval = QSpinBox(page)
        self.interval.setRange(1, 240)
        self.interval.setSuffix(" min")
        form.addRow("Sync with Jira every", self.interval)
        self.idle = QSpinBox(page)
        self.idle.setRange(0, 240)
        self.idle.setSuffix(" min")
        self.idle.setSpecialValueText("never")
        form.addRow("Ask when idle for", self.idle)
        self.remind_no_timer = QCheckBox("Remind me when no timer runs during working hours", page)
        form.addRow("", self.remind_no_timer)
        self.autostart_box = QCheckBox("Start Clockwork Desktop when I log in", page)
        form.addRow("", self.autostart_box)
        self.shortcut = QKeySequenceEdit(page)
        self.shortcut.setMaximumSequenceLength(1)
        self.shortcut.setClearButtonEnabled(True)
        self.shortcut_hint = plain_label(self._shortcut_text(), page)
        self.shortcut_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self._shortcut_support.available:
            form.addRow("Open the issue picker with", self.shortcut)
            form.addRow("", self._field_error("picker_shortcut", page, self.shortcut))
            form.addRow("", self.shortcut_hint)
            self.shortcut.keySequenceChanged.connect(
                lambda _keys: self._clear_error("picker_shortcut")
            )
        else:  # nothing here could take a key: say how the desktop can do it
            self.shortcut.hide()
            form.addRow("Open the issue picker", self.shortcut_hint)
        return page

    def _shortcut_text(self) -> str:
        support = self._shortcut_support
        if support.available:
            return "Works in every application while Clockwork Desktop runs."
        reason = support.reason or "Clockwork Desktop does not set a global shortcut itself."
        return (
            f"{reason} Add a shortcut in your desktop's keyboard settings instead, with this "
            "command:\n\nclockwork-desktop pick"
        )

    # -- loading ----------------------------------------------------------------------------

    def _set_editable(self, editable: bool) -> None:
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None and page is not self.health:
                page.setEnabled(editable)
        self.save_button.setEnabled(editable)

    def _load(self) -> None:
        services = self._services

        def read() -> Loaded:
            return Loaded(
                services.settings.load_settings(),
                services.accounts.accounts(),
                _zone_names(),
                services.system_zone(),
            )

        self._runner.db(read, self._show_loaded, self._failed)

    def _show_loaded(self, loaded: Loaded) -> None:
        self.value = value = loaded.settings
        self._accounts = loaded.accounts
        self._fill_accounts()
        self.mode.setCurrentIndex(self.mode.findData(value.rounding.mode.value))
        self.step.setCurrentIndex(max(0, self.step.findData(value.rounding.step_minutes)))
        self.hours_page.fill(value)
        self.auto_page.fill(value, loaded.accounts)
        self.first_day.setCurrentIndex(value.first_day_of_week)
        self.zone.clear()
        self.zone.addItem(f"System default ({loaded.system_zone})", "")
        for name in loaded.zones:
            self.zone.addItem(name, name)
        found = self.zone.findData(value.timezone) if value.timezone else 0
        if found >= 0:
            self.zone.setCurrentIndex(found)
        else:
            self.zone.setEditText(value.timezone)
        self.interval.setValue(value.sync_interval_min)
        self.idle.setValue(value.idle_threshold_min)
        self.remind_no_timer.setChecked(value.remind_no_timer)
        self.autostart_box.setChecked(value.autostart)
        self.shortcut.setKeySequence(QKeySequence(value.picker_shortcut))
        self._update_preview()
        self._set_editable(True)
        self.loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        """Shown on the form (the runner has logged it, and opened the crash window for a bug)."""
        self.error.setText(error_words(exc))
        self.save_button.setEnabled(self.value is not None)

    # -- behaviour --------------------------------------------------------------------------

    def _tab_shown(self, index: int) -> None:
        if self.tabs.widget(index) is self.health and self.health.report is None:
            self.health.run_checks()

    def chosen_policy(self) -> RoundingPolicy:
        return RoundingPolicy(RoundingMode(self.mode.currentData()), int(self.step.currentData()))

    def chosen_zone(self) -> str:
        text = self.zone.currentText().strip()
        index = self.zone.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.zone.itemData(index))
        return text

    def chosen(self) -> Settings:
        """The value the form shows now (not yet checked)."""
        base = self.auto_page.chosen(self.hours_page.chosen(self.value or DEFAULT_SETTINGS))
        return dataclasses.replace(
            base,
            rounding=self.chosen_policy(),
            first_day_of_week=int(self.first_day.currentData()),
            timezone=self.chosen_zone(),
            sync_interval_min=self.interval.value(),
            idle_threshold_min=self.idle.value(),
            remind_no_timer=self.remind_no_timer.isChecked(),
            autostart=self.autostart_box.isChecked(),
            picker_shortcut=self.shortcut.keySequence().toString(
                QKeySequence.SequenceFormat.PortableText
            ),
        )

    def _update_preview(self) -> None:
        policy = self.chosen_policy()
        self.step.setEnabled(policy.mode is not RoundingMode.NONE)
        parts = []
        for seconds in PREVIEW_SAMPLES_S:
            logged = policy.apply(seconds)
            shown = format_duration(logged) if is_loggable(logged) else "stays local"
            parts.append(f"{format_duration(seconds)} → {shown}")
        self.preview.setText("\n".join(parts))

    def _clear_error(self, name: str) -> None:
        label = self.field_errors.get(name)
        if label is not None and label.text():
            label.hide()
            label.setText("")
            if not any(lbl.text() for lbl in self.field_errors.values()):
                self.error.setText("")

    def _show_problems(self, problems: dict[str, str]) -> None:
        first: tuple[QWidget, QWidget] | None = None
        for name, message in problems.items():
            label = self.field_errors.get(name)
            if label is not None:
                label.setText(message)
                label.show()
                first = first or self._field_places[name]
        self.error.setText(
            "Nothing was saved: " + " ".join(problems.values())
            if first is None
            else "Nothing was saved: please correct the field marked in red."
        )
        if first is not None:
            self.tabs.setCurrentWidget(first[0])
            first[1].setFocus()

    def save(self) -> None:
        if self.value is None:
            return  # still loading: the fields do not show the stored values yet
        for label in self.field_errors.values():
            label.hide()
            label.setText("")
        value = self.chosen()
        problems = value.validate()
        if problems:
            self._show_problems(problems)
            return
        self.error.setText("")
        self.save_button.setEnabled(False)
        claim = self._shortcut_support.claim
        before = self.value.picker_shortcut
        if claim is None or not value.picker_shortcut or value.picker_shortcut == before:
            self._write(value)
            return

        def claimed(problem: str | None) -> None:
            if problem is None:
                self._write(value)
            else:  # another program holds it: nothing saved, the old key still works
                self._show_problems({"picker_shortcut": problem})
                self.save_button.setEnabled(True)

        # Taken before saving, so a key another program holds is said here, on its field.
        self._runner.network(lambda: claim(value.picker_shortcut), claimed, self._failed)

    def _write(self, value: Settings) -> None:
        services, autostart = self._services, self._autostart
        leaving = [a.name for a in self._accounts if a.name in self.sign_out_pending]

        def write() -> Settings:
            # Through the preferences: an account whose timers from Jira are turned on gets a
            # fresh cursor in the same transaction.
            services.preferences.save_settings(value)
            if autostart is not None:
                autostart.set_enabled(value.autostart)  # type: ignore[attr-defined]
            return value

        def written(_value: Any) -> None:
            self.value = value
            if not leaving:
                self._finish()
                return

            def sign_out() -> None:
                for name in leaving:
                    services.accounts.logout(name)

            # The keyring may be a D-Bus service: a network-pool job, not the DB worker.
            self._runner.network(sign_out, lambda _r: self._finish(), self._failed)

        self._runner.db(write, written, self._failed)

    def _finish(self) -> None:
        self.sign_out_pending.clear()
        assert self.value is not None
        self.saved.emit(self.value)
        self.accept()
