"""The tray: icon, tooltip, menu, and everything that runs while the app sits there.

The menu is rebuilt each time it opens, so it never shows stale state. Changes made by the
CLI are noticed through SQLite's ``data_version`` within half a second. Timer operations run
on the serial DB worker and the icon says "running" only after the row is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QPoint, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCursor, QDesktopServices
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QSystemTrayIcon, QWidget

from clockwork_desktop.core.durations import format_clock, format_duration
from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import AwayPeriod, Entry
from clockwork_desktop.core.timer import HEARTBEAT_INTERVAL_S
from clockwork_desktop.services.tracker import Status
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.health import copy_diagnostics
from clockwork_desktop.ui.icons import state_icon
from clockwork_desktop.ui.plaintext import tray_text
from clockwork_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from clockwork_desktop.services.sync import SyncReport
    from clockwork_desktop.ui.picker import IssuePicker

log = get_logger(__name__)

WATCH_INTERVAL_MS = 500
TICK_INTERVAL_MS = 1000
IDLE_CHECK_MS = 15_000
REMINDER_CHECK_MS = 60_000
MAX_RECENT = 8
DEFAULT_IDLE_THRESHOLD_MIN = 10
DEFAULT_LONG_TIMER_H = 10
WAKE_AFTER_S = 120  # a 1-second tick that comes this late means the machine slept


class TrayController(QObject):
    """Owns the tray icon and the actions shared by the tray menu and the mini window."""

    state_changed = Signal()
    sync_requested = Signal()
    settings_saved = Signal()

    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        *,
        idle_seconds: Callable[[], float | None] | None = None,
        use_tray: bool = True,
        autostart: Any = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self._idle_seconds = idle_seconds
        self._autostart = autostart
        self._reminded_at: datetime | None = None
        self._last_tick: datetime | None = None
        self._notified_outside: int | None = None
        self.status: Status = services.tracker.status()
        self.running_summary = ""
        self._data_version = services.data_version()
        self._last_report: SyncReport | None = None
        self._away_open = False
        self._idle_since: datetime | None = None
        self._notified_long: int | None = None
        self._picker: IssuePicker | None = None
        self._timesheet: Any = None
        self.menu = QMenu()
        self.menu.setObjectName("TrayMenu")
        self.menu.aboutToShow.connect(self.rebuild_menu)
        self.menu.aboutToHide.connect(lambda: setattr(self, "_header", None))
        self._header: QAction | None = None
        self.tray: QSystemTrayIcon | None = None
        if use_tray:
            self.tray = QSystemTrayIcon(state_icon("idle"), self)
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._activated)
        self._timers: list[QTimer] = []
        self._every(TICK_INTERVAL_MS, self._tick)
        self._every(WATCH_INTERVAL_MS, self._watch)
        self._every(HEARTBEAT_INTERVAL_S * 1000, self.heartbeat)
        self._every(IDLE_CHECK_MS, self.check_idle)
        self._every(REMINDER_CHECK_MS, self._check_long_timer)
        self.refresh()

    def _every(self, ms: int, slot: Callable[[], None]) -> None:
        timer = QTimer(self)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        timer.start()
        self._timers.append(timer)

    @property
    def picker(self) -> IssuePicker:
        """Built on first use: the icon should not wait for widgets nobody has asked for."""
        if self._picker is None:
            from clockwork_desktop.ui.picker import IssuePicker

            self._picker = IssuePicker(self.services, self.runner)
            self._picker.issue_chosen.connect(self.start_issue)
        return self._picker

    def show(self) -> None:
        if self.tray is not None:
            self.tray.show()

    def shutdown(self) -> None:
        for timer in self._timers:
            timer.stop()
        if self._picker is not None:
            self._picker.shutdown()
        if self.tray is not None:
            self.tray.hide()

    # -- state ------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the state from the database and update the icon and tooltip."""
        self.status = self.services.tracker.status()
        self._data_version = self.services.data_version()
        running = self.status.running
        # Read once per change, not once per second by the tooltip and the menu header.
        self.running_summary = self.services.issue_summary(running.issue_key) if running else ""
        self._update_icon()
        self.state_changed.emit()

    def _icon_state(self) -> str:
        report = self._last_report
        if report is not None and (report.unavailable or report.failed):
            return "failed"
        if self.status.sync.failed or self.status.sync.conflict:
            return "failed"
        if self.status.running is not None:
            return "running"
        if self.status.sync.pending:
            return "pending"
        return "idle"

    def tooltip(self) -> str:
        s = self.status
        lines = []
        if s.running is not None:
            summary = self.running_summary
            lines.append(tray_text(f"{s.running.issue_key} {summary}".strip()))
            lines.append(f"Running {format_clock(self.elapsed())}")
        else:
            lines.append("No timer running")
        lines.append(f"Today {format_duration(s.today_seconds + self._elapsed_since_read())}")
        if s.sync.failed:
            lines.append(f"{s.sync.failed} not sent to Jira")
        return "\n".join(lines)

    def _elapsed_since_read(self) -> int:
        return self.elapsed() - self.status.elapsed_seconds if self.status.running else 0

    def elapsed(self) -> int:
        running = self.status.running
        if running is None:
            return 0
        return running.duration_seconds(self.services.tracker.now())

    def _update_icon(self) -> None:
        if self.tray is None:
            return
        self.tray.setIcon(state_icon(self._icon_state()))
        self.tray.setToolTip(self.tooltip())

    def _tick(self) -> None:
        now = self.services.tracker.now()
        if self._last_tick is not None and (now - self._last_tick).total_seconds() > WAKE_AFTER_S:
            # The event loop stood still far longer than a tick: the machine slept. Sync now.
            log.info("woke up after %s", now - self._last_tick)
            self.sync_requested.emit()
        self._last_tick = now
        if self.tray is not None:
            self.tray.setToolTip(self.tooltip())
        if self._header is not None and self.status.running is not None:
            self._header.setText(self._header_text(self.status.running))
        self.state_changed.emit()

    def _watch(self) -> None:
        """Notice writes by other processes (the CLI) and show them."""
        try:
            version = self.services.data_version()
        except ClockworkError:
            return
        if version != self._data_version:
            self.refresh()

    # -- the menu ---------------------------------------------------------------------------

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_picker()

    def show_picker(self, anchor: QPoint | None = None) -> None:
        self.picker.open_at(anchor or QCursor.pos())

    def _header_text(self, running: Entry) -> str:
        summary = self.running_summary
        text = f"{running.issue_key} {summary}".strip()
        if len(text) > 48:
            text = text[:47] + "…"
        return f"{text} — {format_clock(self.elapsed())}"

    def _add(self, text: str, slot: Callable[[], Any] | None = None) -> QAction:
        """Add an action owned by the menu, so ``menu.clear()`` deletes it with the menu's rebuild.

        (PySide6 6.12.0 crashed after a few thousand menu rebuilds through the
        ``addAction(text, callable)`` overload; that release is excluded in pyproject.toml.)
        """
        action = QAction(text, self.menu)
        if slot is not None:
            action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    def rebuild_menu(self) -> None:
        self.refresh()
        menu = self.menu
        menu.clear()
        status = self.status
        running = status.running
        if running is not None:
            self._header = self._add(self._header_text(running))
            self._header.setEnabled(False)
            self._add("Stop", self.stop_timer)
            self._add("Pause", self.pause_timer)
            self._add("Discard", self.discard_timer)
            self._add("Edit comment…", lambda: self.edit_comment())
        else:
            self._header = None
            header = self._add(f"No timer running · today {format_duration(status.today_seconds)}")
            header.setEnabled(False)
            last = self.services.issues.recent(1)
            if last:
                self._add(f"Resume {last[0].key}", self.resume_timer)
        menu.addSeparator()
        recent = self.services.issues.recent(MAX_RECENT)
        if recent:
            section = self._add("Recent issues")
            section.setEnabled(False)
        for number, issue in enumerate(recent, start=1):
            label = f"{issue.key}  {issue.summary}".strip()
            if len(label) > 60:
                label = label[:59] + "…"
            # "&" marks the keyboard accelerator; any "&" from Jira must be doubled.
            text = (
                f"&{number} {label.replace('&', '&&')}" if number <= 9 else label.replace("&", "&&")
            )
            action = self._add(text)
            action.setCheckable(True)
            action.setChecked(running is not None and running.issue_key == issue.key)
            action.triggered.connect(lambda _c=False, k=issue.key: self.start_issue(k))
        menu.addSeparator()
        self._add("Start on issue…", lambda: self.show_picker())
        self._add("Log time…", lambda: self.log_time())
        self._add("Open timesheet…", lambda: self.open_timesheet())
        menu.addSeparator()
        self._add(self._sync_label(), self.sync_now)
        self._add("Settings…", lambda: self.open_settings())
        self._add("Open log folder", self.open_log_folder)
        self._add(
            "Copy diagnostics", lambda: copy_diagnostics(self.services, self.runner, self.notify)
        )
        menu.addSeparator()
        self._add("Quit", lambda: QApplication.exit(0))

    def _sync_label(self) -> str:
        s = self.status.sync
        parts = []
        if s.pending:
            parts.append(f"{s.pending} pending")
        if s.failed:
            parts.append(f"{s.failed} failed")
        if s.conflict:
            parts.append(f"{s.conflict} conflicts")
        last = "never"
        if s.last_synced:
            try:
                when = datetime.fromisoformat(s.last_synced).astimezone(self.services.tracker.zone)
                last = when.strftime("%H:%M")
            except ValueError:
                last = s.last_synced
        detail = ", ".join(parts) or "all synced"
        return f"Sync now ({detail} · last {last})"

    # -- actions ----------------------------------------------------------------------------

    def _db(self, fn: Callable[[], Any], done: Callable[[Any], None] | None = None) -> None:
        def finished(result: Any) -> None:
            self.refresh()
            if done is not None:
                done(result)

        self.runner.db(fn, finished, self._failed)

    def _failed(self, error: BaseException) -> None:
        self.refresh()
        if isinstance(error, ClockworkError):
            self.notify("Clockwork Desktop", str(error), critical=True)
        else:
            log.error("action failed", exc_info=error)

    def start_issue(self, key: str) -> None:
        def started(_result: Any) -> None:
            self.sync_requested.emit()

        self._db(lambda: self.services.tracker.start(key), started)

    def stop_timer(self) -> None:
        self._db(self.services.tracker.stop, lambda _r: self.sync_requested.emit())

    def pause_timer(self) -> None:
        self.stop_timer()

    def resume_timer(self) -> None:
        self._db(self.services.tracker.resume)

    def discard_timer(self) -> None:
        self._db(self.services.tracker.discard)

    def edit_comment(self, parent: QWidget | None = None) -> None:
        running = self.status.running
        if running is None:
            return
        text, ok = QInputDialog.getText(
            parent, "Comment", f"What are you doing on {running.issue_key}?", text=running.comment
        )
        if ok:
            self._db(lambda: self.services.tracker.set_comment(text))

    def log_time(self, parent: QWidget | None = None) -> None:
        from clockwork_desktop.ui.dialogs import LogTimeDialog

        dialog = LogTimeDialog(self.services, parent)
        if dialog.exec():
            self.refresh()
            self.sync_requested.emit()

    def open_timesheet(self, parent: QWidget | None = None) -> None:
        from clockwork_desktop.ui.timesheet import TimesheetWindow

        if self._timesheet is None:
            self._timesheet = TimesheetWindow(
                self.services, self.runner, self.services.timesheets, parent
            )
        self._timesheet.show_week(self.services.tracker.today())
        self._timesheet.show()
        self._timesheet.raise_()
        self._timesheet.activateWindow()

    def open_settings(self, parent: QWidget | None = None) -> None:
        from clockwork_desktop.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.services, self.runner, parent, autostart=self._autostart)
        if dialog.exec():
            self.settings_saved.emit()
        self.refresh()

    def open_log_folder(self) -> None:
        folder = self.services.data_dir / "logs"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def sync_now(self) -> None:
        self.sync_requested.emit()

    def sync_finished(self, report: SyncReport) -> None:
        previous = self._last_report
        self._last_report = report
        self.refresh()
        newly_failed = report.failed and (previous is None or report.failed > previous.failed)
        if report.unavailable and (previous is None or not previous.unavailable):
            self.notify("Jira sync paused", report.unavailable, critical=True)
        elif newly_failed:
            first = report.errors[0] if report.errors else None
            detail = f"{first.issue_key}: {first.message}" if first else ""
            self.notify(f"{report.failed} entries not sent to Jira", detail, critical=True)

    def notify(self, title: str, message: str, *, critical: bool = False) -> None:
        if self.tray is not None and QSystemTrayIcon.supportsMessages():
            icon = (
                QSystemTrayIcon.MessageIcon.Critical
                if critical
                else QSystemTrayIcon.MessageIcon.Information
            )
            self.tray.showMessage(tray_text(title), tray_text(message), icon, 8000)
        log.info("notification: %s: %s", title, message)

    # -- heartbeat, sleep and idle ----------------------------------------------------------

    def heartbeat(self) -> None:
        try:
            gap = self.services.tracker.heartbeat()
        except ClockworkError as exc:
            log.warning("heartbeat failed: %s", exc)
            return
        if gap is not None:
            self.sync_requested.emit()
            self.resolve_away(gap)

    def check_idle(self) -> None:
        if self._idle_seconds is None or self.status.running is None or self._away_open:
            return
        idle = self._idle_seconds()
        if idle is None:
            return
        threshold_min = self.services.settings.get_setting(
            "idle_threshold_min", DEFAULT_IDLE_THRESHOLD_MIN
        )
        if not threshold_min:
            return
        now = self.services.tracker.now()
        if idle >= threshold_min * 60:
            if self._idle_since is None:
                self._idle_since = now - timedelta(seconds=idle)
            return
        if self._idle_since is not None:
            # Input is back after a long pause: ask what the idle time was.
            period = AwayPeriod(self._idle_since, now, "idle")
            self._idle_since = None
            self.resolve_away(period)

    def resolve_away(self, period: AwayPeriod, parent: QWidget | None = None) -> None:
        running = self.services.tracker.running()
        if running is None or self._away_open:
            return
        from clockwork_desktop.ui.dialogs import AwayDialog

        self._away_open = True
        try:
            dialog = AwayDialog(self.services, period, running.issue_key, parent)
            from PySide6.QtCore import Qt  # loading the Qt namespace is slow: not at start-up

            dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
            dialog.exec()
        finally:
            self._away_open = False
            self.refresh()

    def _working_now(self) -> bool:
        settings = self.services.settings
        local = self.services.tracker.now().astimezone(self.services.tracker.zone)
        days = settings.get_setting("work_days", [0, 1, 2, 3, 4])
        start = str(settings.get_setting("work_start", "09:00"))
        end = str(settings.get_setting("work_end", "17:00"))
        return local.weekday() in days and start <= local.strftime("%H:%M") < end

    def _check_reminders(self) -> None:
        """No timer during working hours (if asked for), or one running outside them."""
        running = self.status.running
        now = self.services.tracker.now()
        working = self._working_now()
        if running is None:
            remind = self.services.settings.get_setting("remind_no_timer", False)
            due = self._reminded_at is None or now - self._reminded_at >= timedelta(hours=1)
            if remind and working and due:
                self._reminded_at = now
                self.notify("No timer running", "Click the tray icon to start one.")
            return
        if not working and self._notified_outside != running.id and self.elapsed() > 15 * 60:
            self._notified_outside = running.id
            self.notify(
                "Timer running outside working hours",
                f"{running.issue_key} is still running. Stop it if you are done.",
            )

    def _check_long_timer(self) -> None:
        self._check_reminders()
        running = self.status.running
        if running is None:
            self._notified_long = None
            return
        limit_h = self.services.settings.get_setting("long_timer_hours", DEFAULT_LONG_TIMER_H)
        if limit_h and self.elapsed() >= limit_h * 3600 and self._notified_long != running.id:
            self._notified_long = running.id
            self.notify(
                "Timer still running",
                f"{running.issue_key} has been running for {format_duration(self.elapsed())}.",
            )
