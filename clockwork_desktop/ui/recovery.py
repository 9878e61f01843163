"""After a crash: the timer that was running is closed at its last heartbeat, and the user is
asked whether the time since then counts.

The question is a window of its own, not a modal dialog: the tray menu keeps working while it
waits for an answer, and an unanswered question loses nothing (the entry stays closed at its
last heartbeat, which is what was surely worked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.ui.plaintext import open_question

if TYPE_CHECKING:
    from clockwork_desktop.core.models import Entry
    from clockwork_desktop.ui.tray import TrayController

log = get_logger(__name__)


class CrashRecovery(QObject):
    def __init__(self, controller: TrayController) -> None:
        super().__init__(controller)
        self._controller = controller
        self.question: QMessageBox | None = None

    def start(self) -> None:
        """Close an orphaned timer on the DB worker, then ask about it."""
        controller = self._controller
        tracker = controller.services.tracker
        # A failure is told by the runner: a notice, or the crash window for a bug.
        controller.runner.db(tracker.recover, self._recovered, always=controller.refresh)

    def _recovered(self, recovered: Entry | None) -> None:
        controller = self._controller
        controller.heartbeat()  # claim the running timer: this app now watches it
        controller.refresh()
        if recovered is None:
            return
        tracker = controller.services.tracker
        assert recovered.ended_at is not None
        gap = tracker.now() - recovered.ended_at
        box = open_question(
            "Timer stopped while the app was not running",
            f"Clockwork Desktop was not running from "
            f"{recovered.ended_at.astimezone(tracker.zone):%H:%M} until now "
            f"({format_duration(int(gap.total_seconds()))}) while {recovered.issue_key} was "
            "running. The timer was stopped when the app stopped. Keep that time too?",
        )
        keep = box.addButton("Keep it (timer continues)", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Leave it stopped", QMessageBox.ButtonRole.RejectRole)

        def answered(button: object) -> None:
            if button is keep:
                controller.runner.db(
                    lambda: tracker.reopen(recovered.id), always=controller.refresh
                )

        box.buttonClicked.connect(answered)
        self.question = box
        box.show()
