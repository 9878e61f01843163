"""The PySide6 user interface: tray, picker, dialogs, timesheet window."""
