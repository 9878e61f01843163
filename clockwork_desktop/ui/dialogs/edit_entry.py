"""Edit or delete one entry."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.models import Entry
from clockwork_desktop.ui.dialogs.common import (
    ask_first,
    grow_with_contents,
    in_background,
    instant_of,
    qdatetime,
    show_error,
    state_text,
)
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.plaintext import error_label, plain_label
from clockwork_desktop.ui.tasks import TaskRunner


class EditEntryDialog(QDialog):
    """Fix a mistake: issue, start, end, comment; or delete the entry."""

    def __init__(
        self,
        services: GuiServices,
        entry: Entry,
        parent: QWidget | None = None,
        *,
        runner: TaskRunner | None = None,
        state: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit entry #{entry.id}")
        self._services = services
        self._runner = runner
        self._entry = entry
        self.entry_id = entry.id
        zone = services.tracker.zone
        self.issue = QLineEdit(entry.issue_key, self)
        self.start = QDateTimeEdit(qdatetime(entry.started_at, zone), self)
        self.start.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.end = QDateTimeEdit(self)
        self.end.setDisplayFormat("yyyy-MM-dd HH:mm")
        if entry.ended_at is not None:
            self.end.setDateTime(qdatetime(entry.ended_at, zone))
        else:
            self.end.setEnabled(False)
            self.end.setToolTip("The timer is running; stop it to set its end.")
        self.comment = QLineEdit(entry.comment, self)
        # A caller that already read the entry's state passes it: no store read here.
        self.state = plain_label(state if state is not None else self._state_text(), self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow("Issue", self.issue)
        form.addRow("Start", self.start)
        form.addRow("End", self.end)
        form.addRow("Comment", self.comment)
        form.addRow("Sync", self.state)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.delete_button = buttons.addButton(
            "Delete", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.delete_button.clicked.connect(self._delete)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        grow_with_contents(layout)
        self.deleted = False
        self.confirm: QMessageBox | None = None

    def _state_text(self) -> str:
        return state_text(self._services, self._entry)

    def _save(self) -> None:
        e = self._entry
        try:
            start = instant_of(self.start.dateTime())
            end = instant_of(self.end.dateTime()) if e.ended_at is not None else None
            new_key = self.issue.text().strip().upper()
        except ClockworkError as exc:
            self._show_error(str(exc))
            return
        tracker, comment = self._services.tracker, self.comment.text()
        in_background(
            self,
            self._runner,
            lambda: tracker.edit(
                e.id,
                issue_key=new_key if new_key != e.issue_key else None,
                start=start if start != e.started_at else None,
                end=end if end is not None and end != e.ended_at else None,
                comment=comment if comment != e.comment else None,
            ),
            lambda _r: self.accept(),
            self._show_error,
        )

    def _show_error(self, message: str) -> None:
        show_error(self.error, message)

    def _delete(self) -> None:
        seconds = self._entry.duration_seconds(self._services.tracker.now())
        self.confirm = ask_first(
            self,
            "Delete entry",
            f"Delete {self._entry.issue_key} ({format_duration(seconds)})?",
            self._delete_answered,
        )

    def _delete_answered(self, answer: int) -> None:
        if answer != QMessageBox.StandardButton.Yes:
            return
        tracker, entry_id = self._services.tracker, self._entry.id

        def deleted(_result: Any) -> None:
            self.deleted = True
            self.accept()

        in_background(
            self, self._runner, lambda: tracker.delete(entry_id), deleted, self._show_error
        )
