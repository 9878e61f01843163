"""Starting the tray app: single instance, first run, demo mode, scheduler, shutdown.

The icon first: the tray icon is shown and the event loop runs before anything the icon does
not need is imported. The database, the services, the menu, the attention service, the
global shortcut and every window are loaded once the event loop runs; httpx, keyring and
apscheduler later still. Without a tray the mini window is the first thing shown, and it
needs the services.
"""

from __future__ import annotations

# Standard modules the app needs soon, imported before PySide6: once PySide6 is loaded, its
# import hook reads the source of every module imported after it (slower, and more memory).
import concurrent.futures  # noqa: F401
import os
import signal
import socket
import sys
import zlib  # noqa: F401
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Not the Qt namespace: importing it builds all its enums (about 16 ms), which the icon does
# not need.
from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from clockwork_desktop import __version__
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.ui.icons import app_icon

if TYPE_CHECKING:
    from clockwork_desktop.app.services import AppServices
    from clockwork_desktop.core.ports import GlobalShortcut
    from clockwork_desktop.core.settings import Settings
    from clockwork_desktop.ui.tasks import TaskRunner
    from clockwork_desktop.ui.tray import TrayController

log = get_logger(__name__)

READY_FILE_ENV = "CLOCKWORK_READY_FILE"
# Names a file that gets the modules imported when the icon shows, one a line (a test reads it).
READY_MODULES_ENV = "CLOCKWORK_READY_MODULES_FILE"
# Set: quit once everything has loaded (a benchmark's peak RSS counts all of it). "shown":
# quit as soon as the icon shows, to time the icon alone from outside the process.
EXIT_WHEN_READY_ENV = "CLOCKWORK_EXIT_WHEN_READY"
FIRST_SYNC_DELAY_MS = 3000
RELEASE_WAIT_S = 5.0  # at quit, the longest wait for the heartbeat's release
BACKUP_CHECK_EVERY_MS = 60 * 60 * 1000  # the backup itself is taken at most once a day


def _drop_source_cache() -> None:
    """Free the source lines that PySide's import hook reads for every module imported after it.

    linecache only serves tracebacks; it refills on demand. Here it held ~40,000 lines (several
    MiB) after start-up, and more after the first sync imported httpx.
    """
    import linecache

    linecache.clearcache()


def _lazy_idle_probe() -> Any:
    """Find the idle-time source on first use: probing loads libraries and D-Bus."""
    probe: list[Any] = []

    def idle_seconds() -> float | None:
        if not probe:
            from clockwork_desktop.infra.idle import idle_probe

            probe.append(idle_probe())
        source = probe[0]
        return source() if source is not None else None

    return idle_seconds


class _SyncBridge(QObject):
    """Carries sync reports from the scheduler's thread to the GUI thread."""

    finished = Signal(object)


class _ShortcutBridge(QObject):
    """Carries a press of the global shortcut from its adapter's thread to the GUI thread."""

    pressed = Signal()


class _QuitOnSignals:
    """SIGTERM and SIGINT end the event loop, so that everything after it runs (the demo's
    folder is removed, the database is closed).

    Python handles a signal only once the interpreter runs again, which it does not while
    Qt's event loop waits. Python's C-level handler also writes the signal's number to the
    wakeup socket: its notifier wakes the loop, which then quits.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.received: int | None = None
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._old_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        # The Python-level handler has nothing to do, but must replace the default one.
        self._old = {sig: signal.signal(sig, lambda *_: None) for sig in self.SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read)
        self._notifier.activated.connect(self._woken)

    def _woken(self) -> None:
        try:
            numbers = self._reader.recv(64)
        except OSError:
            return
        for number in numbers:
            if number in self.SIGNALS and self.received is None:
                self.received = number
                log.info("quitting on %s", signal.Signals(number).name)
                QApplication.exit(0)

    def __enter__(self) -> _QuitOnSignals:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._old_fd)
        for sig, handler in self._old.items():
            signal.signal(sig, handler)
        self._reader.close()
        self._writer.close()


class GuiApp:
    # Set once the rest has loaded, after the icon shows (_load).
    runner: TaskRunner
    controller: TrayController

    def __init__(self, base: Path, *, demo: bool, demo_dir: Path | None = None) -> None:
        self.demo = demo
        self.fake: Any = None
        self.scheduler: Any = None
        self.signals: _QuitOnSignals | None = None
        self.hotkey: GlobalShortcut | None = None
        self.icon: QSystemTrayIcon | None = None  # shown before the rest loads
        self._picker_asked = False  # asked before the controller was loaded
        # One demo at a time, as one app per data folder: the demo's socket is named after
        # the real folder (a name only; nothing is written there).
        self.instance_key = base / "demo" if demo else base
        if demo:
            import tempfile

            base = demo_dir or Path(tempfile.mkdtemp(prefix="clockwork-demo-"))
        self.base = base

    @cached_property
    def services(self) -> AppServices:
        """Built once the icon shows: the store and the services are not on the icon's path."""
        from clockwork_desktop.app.services import AppServices

        if self.demo:
            from clockwork_desktop.infra.credentials import SessionCredentials

            credentials = SessionCredentials()
            return AppServices(self.base, credentials=credentials, owned_db=True)
        return AppServices(self.base, session_fallback=True, owned_db=True)

    def run(self, argv: list[str]) -> int:
        app = QApplication.instance() or QApplication(argv)
        assert isinstance(app, QApplication)
        app.setApplicationName("Clockwork Desktop")
        app.setApplicationVersion(__version__)
        app.setQuitOnLastWindowClosed(False)
        app.setWindowIcon(app_icon())
        from clockwork_desktop.app.instance import SingleInstance
        from clockwork_desktop.core.errors import ClockworkError

        try:
            # The data folder is checked first: one another user owns or anyone may write to
            # is refused before anything is written there (the log included).
            self.instance = SingleInstance(self.base, key=self.instance_key)
        except ClockworkError as exc:
            from clockwork_desktop.ui.plaintext import warn

            sys.stderr.write(f"clockwork-desktop: {exc}\n")
            warn(None, "Clockwork Desktop", str(exc), wait=True)
            return 1
        if self.instance.signal_running():
            what = "The demo" if self.demo else "Clockwork Desktop"
            sys.stdout.write(f"{what} is already running; showing its issue picker.\n")
            return 0
        self.instance.listen(self._asked_by_another_process)
        app.aboutToQuit.connect(self._shutdown)
        self.use_tray = QSystemTrayIcon.isSystemTrayAvailable()
        if self.use_tray:
            # The icon first; the controller takes it over once the rest has loaded.
            self.icon = QSystemTrayIcon(app_icon())
            self.icon.setToolTip("Clockwork Desktop: starting…")
            self.icon.show()
            QTimer.singleShot(0, self._shown)
        else:
            QTimer.singleShot(0, self._load)
        with _QuitOnSignals() as self.signals:
            return int(app.exec())

    def _is_loaded(self) -> bool:
        return "controller" in vars(self)

    def _load(self) -> None:
        """Everything behind the icon: the database, the services, the menu, then the rest."""
        from clockwork_desktop.ui.crash import CrashReporter

        # First after the icon: it imports the Qt namespace. What fails from here on is shown.
        self.crashes = CrashReporter()
        self.crashes.install()
        from clockwork_desktop.core.errors import ClockworkError
        from clockwork_desktop.ui.plaintext import warn

        services = self.services
        try:
            # Open the database now: a damaged file is moved aside and what it still held is
            # recovered before anything reads it, and the notice below can say so.
            services.store  # noqa: B018
        except ClockworkError as exc:
            log.error("cannot start: %s", exc)
            warn(None, "Clockwork Desktop", str(exc), wait=True)
            QApplication.exit(1)
            return
        for notice in services.notices:
            warn(None, "Clockwork Desktop", notice, wait=True)  # before the menu exists
        services.notices.clear()
        from clockwork_desktop.infra.autostart import Autostart
        from clockwork_desktop.ui.tasks import TaskRunner
        from clockwork_desktop.ui.tray import TrayController

        # The DB worker owns the database; errors from any task are told once, by the runner
        # (a bug opens the crash window).
        self.runner = TaskRunner(db=services.db_owner, crashes=self.crashes)
        self.controller = TrayController(
            services,
            self.runner,
            idle_seconds=_lazy_idle_probe(),
            use_tray=self.use_tray,
            autostart=Autostart(),
            tray_icon=self.icon,
        )
        self.controller.settings_saved.connect(self._settings_saved)
        self.window = None
        self.first_run_dialog: Any = None
        self.bridge = _SyncBridge()
        self.bridge.finished.connect(self.controller.sync_finished)
        self.controller.sync_requested.connect(self._sync_soon)
        if self.use_tray:
            self.controller.show()
            self._loaded()
        else:
            from clockwork_desktop.ui.miniwindow import MiniWindow

            self.window = MiniWindow(self.controller)
            self.window.show()
            QTimer.singleShot(0, self._shown)

    def _asked_by_another_process(self, command: str) -> None:
        """A second launch, or `clockwork-desktop pick` from a desktop shortcut."""
        log.info("asked to open the picker (%s)", command)
        if not self._is_loaded():  # the icon shows, the rest still loads
            self._picker_asked = True
            return
        self.controller.show_picker()

    # -- the global shortcut --------------------------------------------------------------------

    def _start_shortcut(self) -> None:
        """Find what this platform allows (X11 connects: off the GUI thread), then take the key."""
        from PySide6.QtCore import Qt

        from clockwork_desktop.infra.hotkey import global_shortcut

        self.hotkey = global_shortcut()
        self.shortcut_bridge = _ShortcutBridge()
        self.shortcut_bridge.pressed.connect(
            self._shortcut_pressed, Qt.ConnectionType.QueuedConnection
        )
        self.runner.network(self.hotkey.available, self._shortcut_known, self._shortcut_failed)

    def _shortcut_known(self, reason: str | None) -> None:
        from clockwork_desktop.core.shortcut import ShortcutSupport

        hotkey, pressed = self.hotkey, self.shortcut_bridge.pressed
        if hotkey is None:
            return

        def claim(spec: str) -> str | None:
            return hotkey.register(spec, pressed.emit)

        self.services.shortcut = ShortcutSupport(reason is None, reason or "", claim)
        if reason is None:
            self.runner.db(self.services.store.load_settings, self._apply_shortcut)
        else:
            log.info("no global shortcut: %s", reason)

    def _apply_shortcut(self, settings: Settings) -> None:
        support = self.services.shortcut
        if not support.available or support.claim is None:
            return
        spec, claim, hotkey = settings.picker_shortcut, support.claim, self.hotkey
        if hotkey is None:
            return

        def take() -> str | None:
            if not spec:
                hotkey.unregister()
                return None
            return claim(spec)

        def taken(problem: str | None) -> None:
            if problem is not None:
                log.warning("global shortcut %s not set: %s", spec, problem)
                self.controller.notify(
                    "Clockwork Desktop", f"The shortcut to open the picker is not set. {problem}"
                )

        self.runner.network(take, taken, self._shortcut_failed)

    def _shortcut_failed(self, exc: BaseException) -> None:
        log.error("global shortcut failed", exc_info=exc)

    def _shortcut_pressed(self) -> None:
        self._asked_by_another_process("shortcut")  # what `clockwork-desktop pick` does

    # -- start-up steps -----------------------------------------------------------------------

    def _shown(self) -> None:
        """The icon (without a tray: the mini window) is shown and the event loop runs.

        Benchmarks and tests wait for the ready file; without a tray the rest has loaded.
        """
        modules_file = os.environ.get(READY_MODULES_ENV)
        if modules_file:
            names = "".join(f"{name}\n" for name in sorted(sys.modules))
            Path(modules_file).write_text(names, encoding="utf-8")
        ready_file = os.environ.get(READY_FILE_ENV)
        if ready_file:
            Path(ready_file).write_text(f"{os.getpid()}\n", encoding="utf-8")
        if os.environ.get(EXIT_WHEN_READY_ENV) == "shown":
            QApplication.exit(0)
        elif not self._is_loaded():
            QTimer.singleShot(0, self._load)
        else:
            self._loaded()

    def _loaded(self) -> None:
        """Everything is loaded; what follows runs in later turns of the event loop."""
        _drop_source_cache()
        if os.environ.get(EXIT_WHEN_READY_ENV):
            QApplication.exit(0)
            return
        QTimer.singleShot(0, self._start_shortcut)
        if self._picker_asked:
            self._picker_asked = False
            QTimer.singleShot(0, self.controller.show_picker)
        QTimer.singleShot(FIRST_SYNC_DELAY_MS, self._start_background)
        QTimer.singleShot(0, self._recover)
        if self.window is not None:
            QTimer.singleShot(0, self.window.explain_once)
        if self.demo:
            return
        services = self.services

        def first_run() -> bool:  # read on the DB worker, as every store read from here
            done = services.store.get_setting("first_run_done", False)
            return not done and not services.accounts.accounts()

        self.runner.db(first_run, lambda ask: self._first_run() if ask else None)

    def _first_run(self) -> None:
        """Offer to sign in, in a window that leaves the tray menu working meanwhile."""
        from clockwork_desktop.ui.signin import SignInDialog

        dialog = SignInDialog(self.services, self.runner)
        dialog.setModal(False)
        dialog.finished.connect(lambda _code: self._first_run_answered(dialog))
        self.first_run_dialog = dialog
        dialog.show()

    def _first_run_answered(self, dialog: Any) -> None:
        self.first_run_dialog = None
        self.runner.db(lambda: self.services.store.set_setting("first_run_done", True))
        if dialog.choice == "demo":
            import subprocess

            # A bundle's executable is the app itself; from source it is Python.
            frozen = getattr(sys, "frozen", False)
            me = [sys.executable] if frozen else [sys.executable, "-m", "clockwork_desktop"]
            subprocess.Popen([*me, "--demo"])
            QApplication.exit(0)
        elif dialog.choice == "signed_in":
            self.controller.signed_in()
            self._sync_soon()
        self.controller.refresh()

    def _recover(self) -> None:
        """Close a timer a crash left running, then ask about the gap without blocking."""
        from clockwork_desktop.ui.recovery import CrashRecovery

        self.recovery = CrashRecovery(self.controller)
        self.recovery.start()

    def _start_background(self) -> None:
        """Start the demo Jira and the sync schedule, once the icon is up."""
        services = self.services
        if self.demo and self.fake is None:
            from clockwork_desktop.fakejira.demo import DEMO_EMAIL, DEMO_TOKEN, demo_jira

            self.fake = demo_jira(services.tracker.zone.key)
            fake_url = self.fake.base_url

            def sign_in() -> None:  # HTTP, even to the demo: never on the GUI thread
                services.accounts.login(fake_url, DEMO_TOKEN, email=DEMO_EMAIL, name="demo")
                services.issues.my_open_issues()

            self.runner.network(sign_in, lambda _r: self._start_schedule())
            return
        self._start_schedule()

    def _settings_saved(self) -> None:
        self.runner.db(self.services.store.load_settings, self._apply_settings)

    def _apply_settings(self, settings: Settings) -> None:
        self.services.apply_settings(settings)
        self._apply_shortcut(settings)
        if self.scheduler is not None:
            self.scheduler.set_interval(float(settings.sync_interval_min) * 60)
        self.controller.refresh()

    def _start_schedule(self) -> None:
        store = self.services.store
        self.runner.db(lambda: store.load_settings().sync_interval_min, self._schedule_every)

    def _schedule_every(self, minutes: int) -> None:
        from clockwork_desktop.infra.scheduler import SyncScheduler

        self.scheduler = SyncScheduler(self._sync_job, interval_s=float(minutes) * 60)
        self.scheduler.start()
        self._watch_network()
        self.controller.refresh()
        QTimer.singleShot(5000, _drop_source_cache)
        # Later lazy imports (dialogs, the timesheet window) refill it: drop it now and then.
        self._source_cache_timer = QTimer()
        self._source_cache_timer.setInterval(10 * 60 * 1000)
        self._source_cache_timer.timeout.connect(_drop_source_cache)
        self._source_cache_timer.start()
        self._backup_soon()
        self._backup_timer = QTimer()
        self._backup_timer.setInterval(BACKUP_CHECK_EVERY_MS)
        self._backup_timer.timeout.connect(self._backup_soon)
        self._backup_timer.start()

    def _backup_soon(self) -> None:
        """The daily backup, on the DB worker: the GUI thread never waits for the copy."""

        def failed(exc: BaseException) -> None:
            log.warning("daily backup failed: %s", exc)

        self.runner.db(self.services.backup_if_due, None, failed)

    def _sync_job(self) -> None:
        report = self.services.scheduled_sync.run()
        if report is not None:
            self.bridge.finished.emit(report)

    def _sync_soon(self) -> None:
        if self.scheduler is not None:
            self.scheduler.run_soon()

    def _release_heartbeat(self) -> None:
        """The one wait on the database's owner from the GUI thread, and only at quit: the
        release must be committed before the database closes. It is bounded, so a stuck
        statement cannot hang the quit; without it the timer keeps its last heartbeat, which
        the next start judges as after a crash (nothing is lost)."""
        from concurrent.futures import TimeoutError as WaitedTooLong

        from clockwork_desktop.core.errors import ClockworkError

        services = self.services

        def release() -> None:
            running = services.tracker.running()
            if running is not None:
                services.store.heartbeat_release(running.id)

        owner = services.db_owner
        if owner is None:
            release()
            return
        try:
            owner.submit(release).result(timeout=RELEASE_WAIT_S)
        except WaitedTooLong:
            log.warning("the running timer's heartbeat was not released in time")
        except ClockworkError as exc:
            log.warning("the running timer's heartbeat was not released: %s", exc)

    def _watch_network(self) -> None:
        """Sync as soon as the network comes back."""
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if not QNetworkInformation.loadDefaultBackend():
                return
            info = QNetworkInformation.instance()
            if info is None:
                return

            def changed(reachability: QNetworkInformation.Reachability) -> None:
                if reachability == QNetworkInformation.Reachability.Online:
                    self._sync_soon()

            info.reachabilityChanged.connect(changed)
        except Exception:  # no backend on this platform: the schedule still runs
            log.info("network reachability is not available")

    def _shutdown(self) -> None:
        if not self._is_loaded():  # quit before the rest loaded
            if self.icon is not None:
                self.icon.hide()
            if "services" in self.__dict__:
                self.services.close()
            self.instance.close()
            return
        self.controller.shutdown()
        if self.hotkey is not None:
            self.hotkey.close()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        self.runner.shutdown()
        signalled = self.signals is not None and self.signals.received is not None
        if not signalled:
            # Quitting on purpose: the timer keeps running, with nobody claiming to watch it.
            # A signal (logout, shutdown, kill) answered no such question: the timer keeps
            # its last heartbeat, as after a crash, and the next start judges from that.
            self._release_heartbeat()
        if self.fake is not None:
            self.fake.stop()
        self.services.close()
        self.instance.close()  # the lock last: `restore` may swap the file only now


def run_gui(base: Path, *, demo: bool, demo_dir: Path | None = None) -> int:
    # A stable WM_CLASS instance name, whichever way the app was started.
    return GuiApp(base, demo=demo, demo_dir=demo_dir).run(["clockwork-desktop"])


def run_timesheet_window(base: Path) -> int:
    """`clockwork-desktop timesheet --window`: the window alone, without the tray."""
    app = QApplication.instance() or QApplication(["clockwork-desktop"])
    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon())
    from clockwork_desktop.app.services import AppServices
    from clockwork_desktop.ui.tasks import TaskRunner

    services = AppServices(base, owned_db=True)
    runner = TaskRunner(db=services.db_owner)
    from clockwork_desktop.ui.timesheet import TimesheetWindow

    window = TimesheetWindow(services, runner, services.timesheets)
    window.show()
    if os.environ.get(EXIT_WHEN_READY_ENV):
        QTimer.singleShot(0, lambda: QApplication.exit(0))
    code = int(app.exec())
    runner.shutdown()
    services.close()
    return code
