"""The tray, the picker and the entries window read the store on the DB worker: the event loop
never waits for SQLite, and the menu shows the last known state until the new one arrives."""

from __future__ import annotations

import threading
from datetime import date, time

from PySide6.QtCore import Qt

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.ui.dialogs import EntriesDialog
from clockwork_desktop.ui.tray import TrayController
from tests.ui.test_background_saves import _record_threads


def _visible(controller: TrayController) -> list[str]:
    return [a.text() for a in controller.menu.actions() if a.isVisible() and not a.isSeparator()]


def test_refresh_reads_on_the_db_worker(
    qtbot, controller: TrayController, services: AppServices, monkeypatch
) -> None:
    threads: list[str] = []
    _record_threads(services.tracker, "status", threads, monkeypatch)
    _record_threads(services.issues, "recent", threads, monkeypatch)
    _record_threads(services.accounts, "accounts", threads, monkeypatch)
    _record_threads(services, "data_version", threads, monkeypatch)
    _record_threads(services, "issue_summary", threads, monkeypatch)
    services.tracker.start("PROJ-1")
    threads.clear()
    with qtbot.waitSignal(controller.refreshed, timeout=3000):
        controller.refresh()
    assert controller.status.running is not None
    controller._watch()  # the half-second check for changes made by the CLI
    controller._check_reminders()
    with qtbot.waitSignal(controller.refreshed, timeout=3000):
        controller.refresh()
    assert len(threads) >= 6
    assert threading.main_thread().name not in threads


def test_the_menu_keeps_the_last_state_until_the_new_one_arrives(
    qtbot, controller: TrayController, services: AppServices, runner
) -> None:
    with qtbot.waitSignal(controller.refreshed, timeout=3000):
        controller.refresh()
    before = _visible(controller)
    assert before[0].startswith("No timer running")
    services.tracker.start("PROJ-7")
    gate = threading.Event()
    runner.db(gate.wait)  # the DB worker is busy: the read waits behind it
    controller.refresh()
    qtbot.wait(100)
    assert _visible(controller) == before  # never empty, never half-updated
    with qtbot.waitSignal(controller.refreshed, timeout=3000):
        gate.set()
    assert _visible(controller)[0].startswith("PROJ-7")


def test_idle_check_reads_on_the_db_worker(
    qtbot, services: AppServices, runner, monkeypatch
) -> None:
    threads: list[str] = []
    tray = TrayController(services, runner, idle_seconds=lambda: 5.0, use_tray=False)
    try:
        _record_threads(services.nudges, "idle_period", threads, monkeypatch)
        services.tracker.start("PROJ-1")
        with qtbot.waitSignal(tray.refreshed, timeout=3000):
            tray.refresh()
        tray.check_idle()
        qtbot.waitUntil(lambda: bool(threads), timeout=3000)
        assert threading.main_thread().name not in threads
    finally:
        tray.shutdown()


def test_picker_reads_recent_and_cached_issues_on_the_db_worker(
    qtbot, controller: TrayController, services: AppServices, monkeypatch
) -> None:
    services.tracker.log_time("PROJ-3", 600)
    threads: list[str] = []
    _record_threads(services.issues, "recent", threads, monkeypatch)
    _record_threads(services.issues, "my_open_issues", threads, monkeypatch)
    _record_threads(services.accounts, "accounts", threads, monkeypatch)
    _record_threads(services.auto_timers, "suggestion", threads, monkeypatch)
    _record_threads(services.tracker, "running", threads, monkeypatch)
    _record_threads(services, "issue_summary", threads, monkeypatch)
    picker = controller.picker
    controller.show_picker()
    qtbot.waitExposed(picker)
    qtbot.waitUntil(
        lambda: any(
            picker.list.item(i).text().startswith("PROJ-3") for i in range(picker.list.count())
        ),
        timeout=3000,
    )
    qtbot.keyClicks(picker.field, "xy-9")
    assert picker.list.currentItem().data(Qt.ItemDataRole.UserRole) == "XY-9"
    qtbot.wait(400)  # past the search delay: nothing else is read on the GUI thread
    assert len(threads) >= 4
    assert threading.main_thread().name not in threads


def test_entries_window_reads_its_day_on_the_db_worker(
    qtbot, services: AppServices, runner, monkeypatch
) -> None:
    services.tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    threads: list[str] = []
    _record_threads(services.tracker, "entries", threads, monkeypatch)
    _record_threads(services.auto_timers, "sources", threads, monkeypatch)
    dialog = EntriesDialog(services, day=date(2026, 3, 5), runner=runner)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=3000)
    assert dialog.table.item(0, 2).text() == "A-1"
    dialog.show_day(date(2026, 3, 6))
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 0, timeout=3000)
    assert "6 March 2026" in dialog.title.text()
    assert len(threads) >= 4
    assert threading.main_thread().name not in threads


def test_the_tray_is_built_without_waiting_on_the_database(
    qtbot, services: AppServices, runner
) -> None:
    """The first state and the poll interval come from the DB worker: building the tray while
    the worker is busy returns at once, with a complete menu, and the state follows."""
    services.tracker.start("PROJ-9")
    gate, finished = threading.Event(), threading.Event()

    def busy() -> None:
        gate.wait(5)
        finished.set()

    runner.db(busy)
    tray = TrayController(services, runner, use_tray=False)
    try:
        assert not finished.is_set()  # built while the worker was still busy
        assert _visible(tray)[0].startswith("No timer running")  # never an empty menu
        with qtbot.waitSignal(tray.refreshed, timeout=3000):
            gate.set()
        assert tray.status.running is not None
        assert _visible(tray)[0].startswith("PROJ-9")
    finally:
        tray.shutdown()
