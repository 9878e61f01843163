"""The timesheet window and its parts: toolbar, my week, team, chart and day timeline."""

from clockwork_desktop.ui.timesheet.window import TimesheetWindow

__all__ = ["TimesheetWindow"]
