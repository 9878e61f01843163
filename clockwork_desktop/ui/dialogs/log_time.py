"""Log time by hand."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.durations import ACCEPTED_FORMS, format_duration, parse_duration
from clockwork_desktop.core.errors import ClockworkError, InputError
from clockwork_desktop.core.models import Entry, normalise_issue_key
from clockwork_desktop.core.timeinput import WALL_FORMS, parse_hhmm
from clockwork_desktop.ui.dialogs.common import (
    grow_with_contents,
    in_background,
    locale_date_format,
    show_error,
)
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import error_label, plain_label
from clockwork_desktop.ui.tasks import TaskRunner


class LogTimeDialog(QDialog):
    """Log time by hand: issue, duration, date and optional start time, comment."""

    def __init__(
        self,
        services: GuiServices,
        parent: QWidget | None = None,
        issue_key: str = "",
        *,
        runner: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log time")
        self._services = services
        self._runner = runner
        tracker = services.tracker
        self.issue = QLineEdit(issue_key, self)
        self.issue.setPlaceholderText("PROJ-123")
        self.duration = QLineEdit(self)
        self.duration.setPlaceholderText("1h 30m")
        self.duration.setToolTip(f"Accepted: {ACCEPTED_FORMS}")
        self.preview = plain_label("", self)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(locale_date_format())
        today = tracker.today()
        self.day.setDate(QDate(today.year, today.month, today.day))
        self.use_start = QCheckBox("Start at", self)
        # Plain text, read when saving: a time editor rewrites "930" into "09:00" as you type.
        self.start = QLineEdit(self)
        self.start.setPlaceholderText("09:00")
        self.start.setToolTip("9, 930, 9:30 or 09:30")
        self.start.setMaximumWidth(90)
        self.start.setEnabled(False)
        self.use_start.toggled.connect(self.start.setEnabled)
        self.comment = QLineEdit(self)
        self.error = error_label(self)

        form = QFormLayout()
        form.addRow("Issue", self.issue)
        form.addRow("Duration", self.duration)
        form.addRow("", self.preview)
        form.addRow("Date", self.day)
        row = QHBoxLayout()
        row.addWidget(self.use_start)
        row.addWidget(self.start)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("Comment", self.comment)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        grow_with_contents(layout)
        self.duration.textChanged.connect(self._preview)
        self.saved: Entry | None = None

    def _preview(self, text: str) -> None:
        try:
            seconds = parse_duration(text)
        except ClockworkError:
            self.preview.setText("" if not text.strip() else "Not a duration yet")
            return
        self.preview.setText(f"= {format_duration(seconds)}")

    def _show_error(self, message: str) -> None:
        show_error(self.error, message)

    def _save(self) -> None:
        try:
            key = normalise_issue_key(self.issue.text())
            seconds = parse_duration(self.duration.text())
            qd = self.day.date()
            start = None
            if self.use_start.isChecked():
                start = parse_hhmm(self.start.text() or "09:00")
                if start is None:
                    raise InputError(
                        f"Not a start time: {self.start.text()!r}. Accepted: {WALL_FORMS}."
                    )
        except ClockworkError as exc:
            self._show_error(str(exc))
            return
        tracker, comment = self._services.tracker, self.comment.text()
        day = date(qd.year(), qd.month(), qd.day())

        def saved(entry: Entry) -> None:
            self.saved = entry
            self.accept()

        in_background(
            self,
            self._runner,
            lambda: tracker.log_time(key, seconds, day=day, start_time=start, comment=comment),
            saved,
            self._show_error,
        )
