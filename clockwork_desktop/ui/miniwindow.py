"""A small window with the tray's controls, for desktops without a system tray."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

from clockwork_desktop.core.durations import count_entries, format_clock, format_duration
from clockwork_desktop.ui.icons import app_icon
from clockwork_desktop.ui.plaintext import plain_label
from clockwork_desktop.ui.tray import TrayController

EXPLANATION = (
    "Your desktop has no system tray (GNOME on Wayland, for example, needs the "
    "AppIndicator extension). Clockwork Desktop runs in this small window instead; closing "
    "it keeps your timer running — quit from the window's Quit button."
)


class MiniWindow(QWidget):
    def __init__(self, controller: TrayController) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Clockwork Desktop")
        self.setWindowIcon(app_icon())
        self._controller = controller
        self.explanation: QMessageBox | None = None
        self.current = plain_label("", self)
        self.today = plain_label("", self)
        self.sync = plain_label("", self)
        start = QPushButton("Start…", self)
        start.clicked.connect(
            lambda: controller.show_picker(self.mapToGlobal(start.rect().bottomLeft()))
        )
        self.stop = QPushButton("Stop", self)
        self.stop.clicked.connect(controller.stop_timer)
        log = QPushButton("Log time…", self)
        log.clicked.connect(lambda: controller.log_time(self))
        sheet = QPushButton("Entries…", self)
        sheet.clicked.connect(lambda: controller.open_timesheet(self))
        sync = QPushButton("Sync now", self)
        sync.clicked.connect(controller.sync_now)
        self.fix = QPushButton("Fix…", self)
        self.fix.setToolTip("Entries Jira refused or disagrees on, and what to do with each.")
        self.fix.clicked.connect(controller.open_sync_panel)
        settings = QPushButton("Settings…", self)
        settings.clicked.connect(lambda: controller.open_settings(self))
        quit_button = QPushButton("Quit", self)
        quit_button.clicked.connect(self._quit)
        row1 = QHBoxLayout()
        for button in (start, self.stop, log):
            row1.addWidget(button)
        row2 = QHBoxLayout()
        for button in (sheet, sync, self.fix, settings, quit_button):
            row2.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addWidget(self.today)
        layout.addWidget(self.sync)
        layout.addLayout(row1)
        layout.addLayout(row2)
        controller.state_changed.connect(self.update_view)
        self.update_view()

    def update_view(self) -> None:
        c = self._controller
        running = c.status.running
        if running is None:
            self.current.setText("No timer running")
        else:
            summary = c.running_summary
            clock = format_clock(c.elapsed())
            when = f"paused at {clock} (counts no time)" if running.paused else clock
            self.current.setText(f"{running.issue_key} {summary} — {when}".strip())
        self.stop.setEnabled(running is not None)
        self.today.setText(f"Today: {format_duration(c.status.today_seconds)}")
        s = c.status.sync
        unsent = s.failed + s.conflict
        self.sync.setText(
            f"Jira: {s.pending} pending, {count_entries(unsent)} not sent"
            if unsent
            else f"Jira: {s.pending} pending"
        )
        self.fix.setVisible(bool(unsent))

    def explain_once(self) -> None:
        """Say once why there is a window instead of an icon. The setting is read and written
        on the DB worker and the message does not block: a quit while it shows loses nothing."""
        settings = self._controller.services.settings
        runner = self._controller.runner

        def decided(explained: bool) -> None:
            if explained:
                return
            box = QMessageBox(
                QMessageBox.Icon.Information,
                "No system tray",
                EXPLANATION,
                QMessageBox.StandardButton.Ok,
                self,
            )
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.open()
            self.explanation = box
            runner.db(lambda: settings.set_setting("no_tray_explained", True))

        runner.db(lambda: bool(settings.get_setting("no_tray_explained", False)), decided)

    def _quit(self) -> None:
        self._controller.quit()  # says so when a timer would keep running

    def closeEvent(self, event: QCloseEvent) -> None:
        # Closing hides the window; the timer keeps running. Quit is explicit.
        event.ignore()
        self.showMinimized()
