"""The away resolver: what to do with time the computer was idle."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.models import AwayChoice, AwayPeriod
from clockwork_desktop.ui.dialogs.common import grow_with_contents, in_background, show_error
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import error_label, plain_label
from clockwork_desktop.ui.tasks import TaskRunner


class AwayDialog(QDialog):
    """You were away from 12:03 to 12:41: keep / discard / stop at 12:03 / assign to another."""

    def __init__(
        self,
        services: GuiServices,
        period: AwayPeriod,
        issue_key: str,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.period = period
        zone = services.tracker.zone
        start = period.start.astimezone(zone).strftime("%H:%M")
        end = period.end.astimezone(zone).strftime("%H:%M")
        reason = {
            "idle": "You were away",
            "sleep": "The computer was asleep",
            "not_running": "Clockwork Desktop was not running",
        }.get(period.reason, "You were away")
        self.setWindowTitle("Were you working?")
        self.message = plain_label(
            f"{reason} from {start} to {end} ({format_duration(period.seconds)}) while "
            f"{issue_key} was running. What should happen to that time?",
            self,
        )
        self.keep = QRadioButton(f"Keep it on {issue_key}", self)
        self.discard = QRadioButton("Discard it, and keep the timer running", self)
        self.stop = QRadioButton(f"Stop the timer at {start}", self)
        self.assign = QRadioButton("Assign it to another issue:", self)
        self.other = QLineEdit(self)
        self.other.setPlaceholderText("PROJ-123")
        self.other.setEnabled(False)
        self.assign.toggled.connect(self.other.setEnabled)
        self.keep.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.keep, self.discard, self.stop, self.assign):
            group.addButton(button)
        self.error = error_label(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok, self)
        buttons.accepted.connect(self._apply)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        for button in (self.keep, self.discard, self.stop):
            layout.addWidget(button)
        row = QHBoxLayout()
        row.addWidget(self.assign)
        row.addWidget(self.other, 1)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        grow_with_contents(layout)
        self.choice = "keep"

    def _apply(self) -> None:
        choice: AwayChoice = "keep"
        if self.discard.isChecked():
            choice = "discard"
        elif self.stop.isChecked():
            choice = "stop"
        elif self.assign.isChecked():
            choice = "assign"
        tracker, period = self._services.tracker, self.period
        other = self.other.text() if choice == "assign" else None

        def applied(_result: Any) -> None:
            self.choice = choice
            self.accept()

        in_background(
            self,
            self._runner,
            lambda: tracker.resolve_away(period, choice, other),
            applied,
            lambda message: show_error(self.error, message),
        )
