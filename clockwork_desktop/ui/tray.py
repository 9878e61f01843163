"""The tray: icon, tooltip, menu, and everything that runs while the app sits there.

The menu holds the same actions all the time and they are updated in place whenever the
state changes, so a StatusNotifierItem host that reads it over DBusMenu never sees it empty.
Changes made by the CLI are noticed through SQLite's ``data_version`` within half a second.
Timer operations run on the serial DB worker and the icon says "running" only after the row is
committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QObject, QPoint, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QCursor, QDesktopServices
from PySide6.QtWidgets import QApplication, QInputDialog, QMenu, QSystemTrayIcon, QWidget

from clockwork_desktop.core.durations import count_entries, format_clock, format_duration
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, AwayPeriod, Entry, JiraIssue
from clockwork_desktop.core.timer import HEARTBEAT_INTERVAL_S
from clockwork_desktop.services.auto_timers import Offer
from clockwork_desktop.services.tracker import (
    StartResult,
    Status,
    SyncSummary,
    UndoOffer,
    indicator,
)
from clockwork_desktop.ui.gui_services import GuiServices
from clockwork_desktop.ui.health import copy_diagnostics
from clockwork_desktop.ui.icons import state_icon
from clockwork_desktop.ui.plaintext import raise_window, tray_text
from clockwork_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from clockwork_desktop.services.sync import SyncReport
    from clockwork_desktop.ui.dialogs import AwayDialog, LogTimeDialog
    from clockwork_desktop.ui.picker import IssuePicker
    from clockwork_desktop.ui.settings import SettingsDialog
    from clockwork_desktop.ui.signin import SignInDialog
    from clockwork_desktop.ui.syncpanel import SyncPanel

log = get_logger(__name__)

WATCH_INTERVAL_MS = 500
TICK_INTERVAL_MS = 1000
IDLE_CHECK_MS = 15_000
REMINDER_CHECK_MS = 60_000
MAX_RECENT = 8
SYNC_ANSWER_TIMEOUT_MS = 120_000  # "Syncing…" gives up waiting for a report after this


class TrayState(NamedTuple):
    """Everything the icon, tooltip and menu show, read together on the DB worker."""

    status: Status
    data_version: int
    running_summary: str
    recent: list[JiraIssue]
    accounts: list[Account]


def _showing(window: QWidget | None) -> bool:
    return window is not None and window.isVisible()


class TrayController(QObject):
    """Owns the tray icon and the actions shared by the tray menu and the mini window."""

    state_changed = Signal()
    sync_requested = Signal()
    settings_saved = Signal()
    refreshed = Signal()  # a state read after the latest refresh() request has been shown

    def __init__(
        self,
        services: GuiServices,
        runner: TaskRunner,
        *,
        idle_seconds: Callable[[], float | None] | None = None,
        use_tray: bool = True,
        autostart: Any = None,
        tray_icon: QSystemTrayIcon | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``tray_icon``: an icon the app showed before loading this (the icon first)."""
        super().__init__(parent)
        self.services = services
        self.runner = runner
        self._idle_seconds = idle_seconds
        self._autostart = autostart
        # Idle, sleep, reminders and guards are decided by the nudges, automatic timers by
        # their service; the tray shows their notices, the guard's warning and the offers.
        self.nudges = services.nudges
        self.auto_timers = services.auto_timers
        # One notifier for the runner's refusals and the services' notices: they may come from
        # a worker thread and reach the GUI thread through a queued signal.
        runner.notices.shown.connect(
            lambda title, message, critical: self.notify(title, message, critical=critical)
        )
        self.nudges.notifier = self.auto_timers.notifier = runner.notices
        self._polling = False
        # Nothing is read here: the first state comes from the DB worker (``refresh`` below),
        # so the icon shows without waiting on the database's owner.
        self.status: Status = Status(None, 0, 0, SyncSummary(0, 0, 0, None))
        self.running_summary = ""
        self._data_version = -1
        self._shut_down = False
        self._refresh_wanted = 0  # refresh() requests so far
        self._refresh_reading: int | None = None  # the request the read in flight answers
        self._watching = False
        self._idle_checking = False
        self._last_report: SyncReport | None = None
        self._away_open = False
        self._picker: IssuePicker | None = None
        self._timesheet: Any = None
        self._recent: list[JiraIssue] = []
        self._accounts: list[Account] = []
        self._announced_undo: UndoOffer | None = None
        self._syncing = False  # the user asked for a sync and waits for its answer
        self._sync_wait = QTimer(self)
        self._sync_wait.setSingleShot(True)
        self._sync_wait.setInterval(SYNC_ANSWER_TIMEOUT_MS)
        self._sync_wait.timeout.connect(self._sync_not_answered)
        # Windows stay referenced while they are shown (never modal, never collected);
        # a second request raises the one already open.
        self._sign_in_dialog: SignInDialog | None = None
        self.log_dialog: LogTimeDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.comment_dialog: QInputDialog | None = None
        self.away_dialog: AwayDialog | None = None
        self._sync_panel: SyncPanel | None = None
        self.quit_question: Any = None
        self._message_opens_panel = False  # the last notification was about unsent entries
        self.menu = QMenu()
        self.menu.setObjectName("TrayMenu")
        self._build_menu()
        self.menu.aboutToShow.connect(self.refresh)
        self.tray: QSystemTrayIcon | None = None
        if use_tray:
            self.tray = tray_icon or QSystemTrayIcon(state_icon("idle"))
            self.tray.setParent(self)
            self.tray.setContextMenu(self.menu)
            self.tray.activated.connect(self._activated)
            self.tray.messageClicked.connect(self.message_clicked)
        self._timers: list[QTimer] = []
        self._every(TICK_INTERVAL_MS, self._tick)
        self._every(WATCH_INTERVAL_MS, self._watch)
        self._every(HEARTBEAT_INTERVAL_S * 1000, self.heartbeat)
        self._every(IDLE_CHECK_MS, self.check_idle)
        self._every(REMINDER_CHECK_MS, self._check_reminders)
        # The automatic poll's interval is a setting: read on the DB worker, then timed.
        self.runner.db(self.services.preferences.poll_seconds, self._poll_every)
        self.update_menu()  # complete before the first read answers (a DBusMenu host reads it)
        self.refresh()

    def _poll_every(self, seconds: int) -> None:
        if not self._shut_down:
            self._every(max(10, seconds) * 1000, self.poll_automatic)

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
        self._shut_down = True
        for timer in self._timers:
            timer.stop()
        self._sync_wait.stop()
        if self._picker is not None:
            self._picker.shutdown()
        if self.tray is not None:
            self.tray.hide()

    # -- state ------------------------------------------------------------------------------

    def _read_state(self) -> TrayState:
        services = self.services
        status = services.tracker.status()
        running = status.running
        return TrayState(
            status,
            services.data_version(),
            # Read once per change, not once per second by the tooltip and the menu header.
            services.issue_summary(running.issue_key) if running else "",
            services.issues.recent(MAX_RECENT),
            services.accounts.accounts(),
        )

    def refresh(self) -> None:
        """Re-read the state on the DB worker, then update the icon, tooltip and menu.

        Until the answer arrives the menu keeps showing the last known state (a DBusMenu host
        may read it at any moment). Requests made while a read is on its way are served by one
        more read after it, so ``refreshed`` always follows a read newer than the request.
        """
        self._refresh_wanted += 1
        if self._refresh_reading is None:
            self._start_read()

    def _start_read(self) -> None:
        self._refresh_reading = self._refresh_wanted
        self.runner.db(self._read_state, self._state_read, self._state_not_read)

    def _state_read(self, state: TrayState) -> None:
        self._show_state(state)
        self._read_done()

    def _state_not_read(self, error: BaseException) -> None:
        log.warning("the tray could not read the state: %s", error)
        self._read_done()

    def _read_done(self) -> None:
        answered, self._refresh_reading = self._refresh_reading, None
        if answered is not None and answered < self._refresh_wanted:
            self._start_read()
        else:
            self.refreshed.emit()

    def _show_state(self, state: TrayState) -> None:
        self.status = state.status
        self._data_version = state.data_version
        self.running_summary = state.running_summary
        self._recent = state.recent
        self._accounts = state.accounts
        self._update_icon()
        self.update_menu()
        self.state_changed.emit()

    def _icon_state(self) -> str:
        report = self._last_report
        if self.nudges.warning is not None and self.status.running is not None:
            return "running-question"  # a guard waits for an answer: not a sync problem
        return indicator(
            self.status,
            unreachable=report is not None and bool(report.unavailable),
            needs_sign_in=self._signed_out() is not None,
        )

    def _signed_out(self) -> Account | None:
        """The account that cannot send: Jira refused its token, or this computer has none
        (no keyring, and the session's token went with the last quit)."""
        report = self._last_report
        waiting = set(report.needs_sign_in) if report is not None else set()
        for account in self._accounts:
            if account.auth_blocked or account.name in waiting:
                return account
        return None

    def tooltip(self) -> str:
        s = self.status
        lines = []
        if s.running is not None:
            summary = self.running_summary
            lines.append(tray_text(f"{s.running.issue_key} {summary}".strip()))
            if s.running.paused:
                lines.append(f"Paused at {format_clock(self.elapsed())}: counts no time")
            else:
                lines.append(f"Running {format_clock(self.elapsed())}")
        else:
            lines.append("No timer running")
        lines.append(f"Today {format_duration(s.today_seconds + self._elapsed_since_read())}")
        if s.sync.failed:
            lines.append(f"{s.sync.failed} not sent to Jira")
        warning = self.nudges.warning
        if warning is not None:
            lines.append(tray_text(warning.message))
            lines.append("Still working? Choose “Still working” or “Stop” in the tray menu.")
        state = self._icon_state()
        signed_out = self._signed_out()
        if signed_out is not None and signed_out.auth_blocked:
            lines.append("Jira refused the sign-in: sign in again to send your time")
        elif signed_out is not None:
            lines.append("Signed out: sign in to send your time (it is kept here meanwhile)")
        elif state.endswith("offline"):
            lines.append("Offline: your time is kept here and sent when Jira is back")
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
        if self.nudges.woke_up():  # the machine slept: sync and poll Jira now
            self.sync_requested.emit()
            self.poll_automatic()
        if self.tray is not None:
            self.tray.setToolTip(self.tooltip())
        if self.status.running is not None:
            self._header.setText(self._header_text(self.status.running))
        # Undo offers come and go without a database change (a delete in a dialog, expiry).
        self._update_undo()
        self.state_changed.emit()

    def _watch(self) -> None:
        """Notice writes by other processes (the CLI) and show them."""
        if self._watching or self._refresh_reading is not None:
            return
        self._watching = True
        self.runner.db(self.services.data_version, self._version_read, self._version_not_read)

    def _version_read(self, version: int) -> None:
        self._watching = False
        if version != self._data_version and self._refresh_reading is None:
            self.refresh()

    def _version_not_read(self, _error: BaseException) -> None:
        self._watching = False

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
        text = text.replace("&", "&&")  # a menu reads "&" as a shortcut marker
        if running.paused:
            return f"{text} — paused at {format_clock(self.elapsed())}"
        return f"{text} — {format_clock(self.elapsed())}"

    def _add(self, text: str, slot: Callable[[], Any] | None = None) -> QAction:
        """Add an action owned by the menu; the menu keeps its actions for the app's lifetime."""
        action = QAction(text, self.menu)
        if slot is not None:
            action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    def _build_menu(self) -> None:
        """Every action the menu can show, made once; ``update_menu`` fills them in.

        StatusNotifierItem hosts (KDE Plasma, AppIndicator) read the menu over DBusMenu and
        may never announce that it is about to show, so it must be complete at all times.
        """
        # Enabled, so it is not the greyest line; bold and without a slot, as a title.
        self._header = self._add("")
        font = self._header.font()
        font.setBold(True)
        self._header.setFont(font)
        self._undo_action = self._add("", self.undo)
        self._attention_action = self._add("", self.answer_attention)
        self._continue = self._add("", self.resume_timer)
        self._running_actions = [
            self._add("Stop", self.stop_timer),
            self._add("Pause", self.pause_timer),
            self._add("Discard", self.discard_timer),
            self._add("Edit comment…", lambda: self.edit_comment()),
        ]
        self._resume = self._add("", self.resume_timer)
        self._sign_in_action = self._add("Sign in to Jira…", lambda: self.sign_in())
        self.menu.addSeparator()
        self._recent_title = self._add("Recent issues")
        self._recent_title.setEnabled(False)
        self._recent_keys: list[str] = []
        self._recent_actions: list[QAction] = []
        for index in range(MAX_RECENT):
            recent = self._add("")
            recent.triggered.connect(lambda _c=False, i=index: self._start_recent(i))
            self._recent_actions.append(recent)
        self.menu.addSeparator()
        self._add("Start on issue…", lambda: self.show_picker())
        self._add("Log time…", lambda: self.log_time())
        self._add("Open timesheet…", lambda: self.open_timesheet())
        self.menu.addSeparator()
        self._sync_action = self._add("", self.sync_now)
        self._fix_action = self._add("", lambda: self.open_sync_panel())
        self._add("Settings…", lambda: self.open_settings())
        self._add("Open log folder", self.open_log_folder)
        self._add(
            "Copy diagnostics", lambda: copy_diagnostics(self.services, self.runner, self.notify)
        )
        self.menu.addSeparator()
        self._add("Quit", self.quit)

    def quit(self) -> None:
        """Quit; a running timer keeps counting (a paused one stays paused): say which, and
        offer to stop it first."""
        running = self.status.running
        if running is None:
            QApplication.exit(0)
            return
        from PySide6.QtWidgets import QMessageBox

        from clockwork_desktop.ui.plaintext import open_question

        if running.paused:
            question = (
                f"The timer on {running.issue_key} is paused and stays paused after you quit: "
                "it counts no time until you choose Continue in the tray menu. Stop it now to "
                "keep only the time it has."
            )
            keep_words = "Quit, keep it paused"
        else:
            question = (
                f"The timer on {running.issue_key} keeps running after you quit: its time "
                "still counts. Stop it now, or open Clockwork Desktop again later and choose "
                "Stop in the tray menu."
            )
            keep_words = "Quit, keep it running"
        box = open_question("Quit Clockwork Desktop", question)
        stop = box.addButton("Stop the timer and quit", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton(keep_words, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)

        def answered(button: object) -> None:
            if button is stop:
                self._db(self.services.tracker.stop, lambda _r: QApplication.exit(0))
            elif button is keep:
                QApplication.exit(0)

        box.buttonClicked.connect(answered)
        self.quit_question = box
        box.show()

    def _start_recent(self, index: int) -> None:
        if index < len(self._recent_keys):
            self.start_issue(self._recent_keys[index])

    def update_menu(self) -> None:
        """Bring every action's text, visibility and check mark up to date, in place."""
        status = self.status
        running = status.running
        if running is not None:
            self._header.setText(self._header_text(running))
        else:
            self._header.setText(
                f"No timer running · today {format_duration(status.today_seconds)}"
            )
        for item in self._running_actions:
            item.setVisible(running is not None)
        paused = running is not None and running.paused
        self._running_actions[1].setVisible(running is not None and not paused)  # Pause
        self._continue.setVisible(paused)
        if running is not None:
            self._continue.setText(f"Continue {running.issue_key}")
        recent = self._recent
        self._resume.setVisible(running is None and bool(recent))
        if recent:
            self._resume.setText(f"Resume {recent[0].key}")
        self._recent_keys = [issue.key for issue in recent]
        self._recent_title.setVisible(bool(recent))
        for number, item in enumerate(self._recent_actions, start=1):
            if number > len(recent):
                item.setVisible(False)
                continue
            issue = recent[number - 1]
            label = f"{issue.key}  {issue.summary}".strip()
            if len(label) > 60:
                label = label[:59] + "…"
            # "&" marks the keyboard accelerator; any "&" from Jira must be doubled.
            label = label.replace("&", "&&")
            item.setText(f"&{number} {label}" if number <= 9 else label)
            # A check mark for the running issue only: no row of empty boxes.
            is_running = running is not None and running.issue_key == issue.key
            item.setCheckable(is_running)
            item.setChecked(is_running)
            item.setVisible(True)
        signed_out = self._signed_out()
        self._sign_in_action.setVisible(signed_out is not None or not self._accounts)
        if signed_out is None:
            self._sign_in_action.setText("Sign in to Jira…")
        else:  # a refused token is signed in again; a missing one is simply signed in
            self._sign_in_action.setText(
                "Sign in again…" if signed_out.auth_blocked else "Sign in…"
            )
        self._sync_action.setText("Syncing…" if self._syncing else self._sync_label())
        self._sync_action.setEnabled(not self._syncing)
        unsent = status.sync.failed + status.sync.conflict
        self._fix_action.setVisible(bool(unsent))
        self._fix_action.setText(f"Fix {count_entries(unsent)} not sent to Jira…")
        self._update_undo()
        self._update_attention()

    def _update_attention(self) -> None:
        """The guard's question, else the latest offer, as one menu action."""
        # Two immutable values, each replaced as a whole by its service.
        warning, offers = self.nudges.warning, self.auto_timers.offers
        self._attention_action.setVisible(warning is not None or bool(offers))
        if warning is not None:
            self._attention_action.setText("Still working: keep the timer running")
        elif offers:
            self._attention_action.setText(offers[-1].label)

    def answer_attention(self) -> None:
        warning, offers = self.nudges.warning, self.auto_timers.offers
        if warning is not None:
            self._db(lambda: self.nudges.answer_guard("keep"))
        elif offers:
            offer: Offer = offers[-1]
            self.runner.network(lambda: self.auto_timers.accept(offer), always=self._poll_over)

    def poll_automatic(self) -> None:
        """One poll of the automatic sources (Jira, git branches), off the GUI thread."""
        if self._polling:
            return
        self._polling = True
        self.runner.network(self.auto_timers.poll, always=self._poll_over)

    def _poll_over(self) -> None:
        self._polling = False
        self.refresh()

    def _update_undo(self) -> None:
        """Show the undo offer while it lasts; announce a new one once."""
        offer = self.services.tracker.undo_offer()
        self._undo_action.setVisible(offer is not None)
        if offer is None:
            return
        self._undo_action.setText(offer.label)
        if offer is not self._announced_undo:
            self._announced_undo = offer
            # Text only: on X11, Qt reports any click on the tray icon while a message shows
            # as a click on the message, so a click there must not undo anything.
            self.notify(offer.done, f"To take it back, choose “{offer.label}” in the tray menu.")

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
        """A tray action on the DB worker; the runner tells the user when it fails."""
        self.runner.db(fn, done, always=self.refresh)

    def start_issue(self, key: str) -> None:
        """The start use case (services/starts.py): the timer on the DB worker, shown as soon
        as it is committed; then Jira is asked about the move to In Progress on the network
        pool (an offer comes back as a notice and in the menu)."""
        starts = self.services.starts

        def started(result: StartResult) -> None:
            self.sync_requested.emit()
            self.runner.network(lambda: starts.offer_move(result), always=self.refresh)

        self._db(lambda: starts.start(key), started)

    def stop_timer(self) -> None:
        self._db(self.services.tracker.stop, lambda _r: self.sync_requested.emit())

    def pause_timer(self) -> None:
        self._db(self.services.tracker.pause)

    def resume_timer(self) -> None:
        self._db(self.services.tracker.resume)

    def discard_timer(self) -> None:
        self._db(self.services.tracker.discard)

    def undo(self) -> None:
        self._db(self.services.tracker.undo, lambda _r: self.sync_requested.emit())

    def edit_comment(self, parent: QWidget | None = None) -> None:
        running = self.status.running
        if running is None:
            return
        if _showing(self.comment_dialog):
            assert self.comment_dialog is not None
            raise_window(self.comment_dialog)
            return
        from clockwork_desktop.ui.plaintext import text_dialog

        dialog = text_dialog(
            parent, "Comment", f"What are you doing on {running.issue_key}?", running.comment
        )
        dialog.textValueSelected.connect(
            lambda text: self._db(lambda: self.services.tracker.set_comment(text))
        )
        self.comment_dialog = dialog
        raise_window(dialog)

    def log_time(self, parent: QWidget | None = None) -> None:
        if _showing(self.log_dialog):
            assert self.log_dialog is not None
            raise_window(self.log_dialog)
            return
        from clockwork_desktop.ui.dialogs import LogTimeDialog

        dialog = LogTimeDialog(self.services, parent, runner=self.runner)
        dialog.accepted.connect(self._logged)
        self.log_dialog = dialog
        raise_window(dialog)

    def _logged(self) -> None:
        self.refresh()
        self.sync_requested.emit()

    def open_timesheet(self, parent: QWidget | None = None) -> None:
        from clockwork_desktop.ui.timesheet import TimesheetWindow

        if self._timesheet is None:
            self._timesheet = TimesheetWindow(
                self.services, self.runner, self.services.timesheets, parent
            )
        self._timesheet.show_week(self.services.tracker.today())
        raise_window(self._timesheet)

    def open_settings(self, parent: QWidget | None = None) -> None:
        if _showing(self.settings_dialog):
            assert self.settings_dialog is not None
            raise_window(self.settings_dialog)
            return
        from clockwork_desktop.ui.settings import SettingsDialog

        dialog = SettingsDialog(self.services, self.runner, parent, autostart=self._autostart)
        dialog.accepted.connect(self.settings_saved)
        dialog.finished.connect(lambda _code: self.refresh())
        self.settings_dialog = dialog
        raise_window(dialog)

    def open_log_folder(self) -> None:
        folder = self.services.data_dir / "logs"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

    def sign_in(self, parent: QWidget | None = None) -> None:
        """The sign-in dialog, without blocking the tray; a sync follows a successful sign-in."""
        from clockwork_desktop.ui.signin import SignInDialog

        dialog = self._sign_in_dialog
        if dialog is None or not dialog.isVisible():
            dialog = SignInDialog(
                self.services,
                self.runner,
                parent,
                offer_offline=False,
                account=self._signed_out(),  # filled in: only the token is asked for
            )
            dialog.finished.connect(lambda _code, d=dialog: self._sign_in_closed(d))
            self._sign_in_dialog = dialog
        raise_window(dialog)

    def _sign_in_closed(self, dialog: SignInDialog) -> None:
        if dialog.choice == "signed_in":
            self.signed_in()
            self.sync_requested.emit()

    def signed_in(self) -> None:
        """After a sign-in: show the new state, and say where the token is kept if it matters."""
        self.refresh()
        note = self.services.token_note()
        if note:
            self.notify("Signed in for this session", note)

    def sync_now(self) -> None:
        if not self._accounts:
            self.sign_in()  # nothing can be sent before signing in: say so by asking for it
            return
        self._syncing = True
        self.update_menu()
        self.sync_requested.emit()
        self._sync_wait.start()

    def _sync_not_answered(self) -> None:
        if self._syncing:
            self._syncing = False
            self.update_menu()
            self.notify("Sync did not start", "Try again in a moment.")

    def sync_finished(self, report: SyncReport) -> None:
        previous = self._last_report
        self._last_report = report
        asked, self._syncing = self._syncing, False
        self._sync_wait.stop()
        self._update_icon()  # the report's part now; the counts follow from the DB worker
        self.update_menu()
        self.refresh()
        if self._sync_panel is not None and self._sync_panel.isVisible():
            self._sync_panel.reload()
        if report.conflicts:  # news, asked for or not: the user must choose
            self._conflicts_found(report)
            return
        if asked:
            from clockwork_desktop.services.sync import summarise

            title = "Sync finished" if report.ok else "Sync did not finish"
            changed = report.created + report.updated + report.deleted + report.adopted
            if report.ok and not changed and not report.pending:
                detail = "Nothing to send: Jira has all your time."
            else:
                detail = "\n".join(list(summarise(report))[:3])
            self.notify(title, detail, critical=not report.ok)
            return
        newly_failed = report.failed and (previous is None or report.failed > previous.failed)
        if report.unavailable and (previous is None or not previous.unavailable):
            self.notify("Jira sync paused", report.unavailable, critical=True)
        elif newly_failed:
            first = report.errors[0] if report.errors else None
            detail = f"{first.issue_key}: {first.message}" if first else ""
            self.notify(f"{count_entries(report.failed)} not sent to Jira", detail, critical=True)
            self._message_opens_panel = True

    def _conflicts_found(self, report: SyncReport) -> None:
        """Entries changed or deleted in Jira: say how many, and let a click open the panel
        where both versions are shown side by side."""
        count = report.conflicts
        words = "1 conflict" if count == 1 else f"{count} conflicts"
        sent = report.created + report.updated + report.deleted + report.adopted
        detail = (
            f"{count_entries(count)} changed or deleted in Jira. Nothing is changed until you "
            "choose: click here, or “Fix … not sent to Jira” in the tray menu."
        )
        if sent:
            detail += f" {count_entries(sent)} sent."
        self.notify(f"Sync found {words}", detail)
        self._message_opens_panel = True

    @property
    def sync_panel(self) -> SyncPanel:
        """Built on first use; it reloads after every sync while it is open."""
        if self._sync_panel is None:
            from clockwork_desktop.ui.syncpanel import SyncPanel

            self._sync_panel = SyncPanel(self.services, self.runner)
            self._sync_panel.sync_requested.connect(self.sync_requested)
        return self._sync_panel

    def open_sync_panel(self) -> None:
        panel = self.sync_panel
        panel.reload()
        raise_window(panel)

    def message_clicked(self) -> None:
        """A click on the notification about unsent entries opens the panel to fix them."""
        if self._message_opens_panel:
            self._message_opens_panel = False
            self.open_sync_panel()

    def notify(self, title: str, message: str, *, critical: bool = False) -> None:
        self._message_opens_panel = False
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
        def answered(gap: AwayPeriod | None) -> None:
            if gap is not None:
                self.sync_requested.emit()
                self.resolve_away(gap)

        def failed(exc: BaseException) -> None:
            log.warning("heartbeat failed: %s", exc)

        self.runner.db(self.services.tracker.heartbeat, answered, failed)

    def check_idle(self) -> None:
        """Ask the OS for idle time here; the nudges decide on the DB worker."""
        if self._idle_seconds is None or self.status.running is None or self._idle_checking:
            return
        idle, asking = self._idle_seconds(), self._away_open

        def decided(period: AwayPeriod | None) -> None:
            self._idle_checking = False
            if period is not None:
                self.resolve_away(period)

        def failed(error: BaseException) -> None:
            self._idle_checking = False
            log.warning("the idle check failed: %s", error)

        self._idle_checking = True
        self.runner.db(lambda: self.nudges.idle_period(idle, asking=asking), decided, failed)

    def resolve_away(self, period: AwayPeriod, parent: QWidget | None = None) -> None:
        """Ask what the away time was, in a window that leaves the tray menu working."""
        if self._away_open:
            if self.away_dialog is not None:
                raise_window(self.away_dialog)
            return
        self._away_open = True  # one question at a time, from the moment it is asked

        def read(running: Entry | None) -> None:
            if running is not None:
                self._away_open = True  # ``always`` cleared it; the question is asked now
                self._ask_away(period, running.issue_key, parent)

        def answered() -> None:
            self._away_open = False

        self.runner.db(self.services.tracker.running, read, always=answered)

    def _ask_away(self, period: AwayPeriod, issue_key: str, parent: QWidget | None) -> None:
        from PySide6.QtCore import Qt  # loading the Qt namespace is slow: not at start-up

        from clockwork_desktop.ui.dialogs import AwayDialog

        dialog = AwayDialog(self.services, period, issue_key, parent, runner=self.runner)
        dialog.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        dialog.finished.connect(self._away_answered)
        self.away_dialog = dialog
        raise_window(dialog)

    def _away_answered(self, _code: int) -> None:
        self._away_open = False
        self.refresh()

    def _check_reminders(self) -> None:
        """The minute's check, on the DB worker: working hours stop and restart automatic
        timers, then the guards and reminders."""
        auto_timers, nudges = self.auto_timers, self.nudges

        def check() -> None:
            auto_timers.tick()
            nudges.tick()

        self._db(check)
