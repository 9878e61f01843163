"""What every tab of the timesheet window holds: the services, the runner and the sheets."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from clockwork_desktop.services.timesheet import TimesheetService
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.tasks import TaskRunner


class SheetPage(QWidget):
    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        sheets: TimesheetService,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._sheets = sheets
        self._build()

    def _build(self) -> None:
        """Make the page's widgets (the services are set by then)."""
