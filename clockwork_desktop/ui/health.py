"""The Health page in Settings and "Copy diagnostics": the same checks as `doctor`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from clockwork_desktop.services.health import HealthReport

log = get_logger(__name__)

COPIED_TITLE = "Diagnostics copied"
COPIED_TEXT = (
    "Paste them into your support request. Tokens, email addresses, comments and issue "
    "summaries are left out."
)


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, ClockworkError):
        return f"The checks could not run: {exc}"
    log.error("health checks failed", exc_info=exc)
    return "The checks could not run; the details are in the log (tray menu › Open log folder)."


def copy_diagnostics(
    services: GuiServices, runner: TaskRunner, notify: Callable[..., Any] | None = None
) -> None:
    """Run the checks off the GUI thread, then put the redacted report on the clipboard."""

    def copy(report: HealthReport) -> None:
        QGuiApplication.clipboard().setText(report.support_report())
        if notify is not None:
            notify(COPIED_TITLE, COPIED_TEXT)

    def failed(exc: BaseException) -> None:
        if notify is not None:
            notify("Diagnostics", _failure_text(exc), critical=True)

    runner.network(services.health.run, copy, failed)


class HealthPage(QWidget):
    """Plain text, filled when first shown: the checks contact each Jira site."""

    def __init__(self, services: GuiServices, runner: TaskRunner, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self.report: HealthReport | None = None
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText("Not checked yet.")
        self.check_again = QPushButton("Check again", self)
        self.check_again.clicked.connect(self.run_checks)
        self.copy = QPushButton("Copy diagnostics", self)
        self.copy.setToolTip(COPIED_TEXT)
        self.copy.clicked.connect(self._copy)
        self.copy.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_again)
        buttons.addWidget(self.copy)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)

    def run_checks(self) -> None:
        self.check_again.setEnabled(False)
        self.text.setPlainText("Checking…")
        self._runner.network(self._services.health.run, self._show, self._failed)

    def _show(self, report: HealthReport) -> None:
        self.report = report
        self.text.setPlainText(report.text())
        self.check_again.setEnabled(True)
        self.copy.setEnabled(True)

    def _failed(self, exc: BaseException) -> None:
        self.text.setPlainText(_failure_text(exc))
        self.check_again.setEnabled(True)

    def _copy(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(self.report.support_report())
