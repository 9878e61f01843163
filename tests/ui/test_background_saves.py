"""Dialog saves go to the DB worker: the event loop never waits for SQLite."""

from __future__ import annotations

import threading
from datetime import date, time, timedelta

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import AwayPeriod
from clockwork_desktop.ui.dialogs import AwayDialog, EditEntryDialog, LogTimeDialog
from tests.conftest import FakeClock


def _record_threads(obj: object, name: str, threads: list[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = getattr(obj, name)

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(obj, name, recording)


def _ok(dialog) -> None:  # type: ignore[no-untyped-def]
    box = dialog.findChild(QDialogButtonBox)
    for role in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Save):
        if box.button(role) is not None:
            box.button(role).click()
            return


def test_log_time_saves_on_the_db_worker_and_shows_its_refusal(
    qtbot, services: AppServices, runner, monkeypatch
) -> None:
    threads: list[str] = []
    services.tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    gate = threading.Event()  # the save waits here until the test has seen the dialog held
    real_log_time = services.tracker.log_time

    def held_log_time(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(5)
        return real_log_time(*args, **kwargs)

    monkeypatch.setattr(services.tracker, "log_time", held_log_time)
    _record_threads(services.tracker, "log_time", threads, monkeypatch)
    dialog = LogTimeDialog(services, runner=runner)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.issue, "b-1")
    qtbot.keyClicks(dialog.duration, "30m")
    dialog.day.setDate(dialog.day.date().fromString("2026-03-05", "yyyy-MM-dd"))
    dialog.use_start.setChecked(True)
    dialog.start.setText("09:15")
    _ok(dialog)
    assert not dialog.isEnabled(), dialog.error.text()
    gate.set()
    qtbot.waitUntil(lambda: dialog.error.text() != "", timeout=3000)
    assert dialog.isEnabled()
    assert dialog.result() == 0
    dialog.start.setText("11:00")
    _ok(dialog)
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=3000)
    assert dialog.saved is not None
    assert threads
    assert threading.main_thread().name not in threads


def test_edit_and_delete_run_on_the_db_worker(
    qtbot, services: AppServices, runner, monkeypatch
) -> None:
    threads: list[str] = []
    _record_threads(services.tracker, "edit", threads, monkeypatch)
    _record_threads(services.tracker, "delete", threads, monkeypatch)
    entry = services.tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    dialog = EditEntryDialog(services, entry, runner=runner)
    qtbot.addWidget(dialog)
    dialog.comment.setText("reviewed")
    _ok(dialog)
    qtbot.waitUntil(lambda: dialog.result() == 1, timeout=3000)
    assert services.tracker.get(entry.id).comment == "reviewed"  # type: ignore[union-attr]
    again = EditEntryDialog(services, services.tracker.get(entry.id), runner=runner)  # type: ignore[arg-type]
    qtbot.addWidget(again)
    again.delete_button.click()
    assert again.confirm is not None
    again.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: again.deleted, timeout=3000)
    assert threads
    assert threading.main_thread().name not in threads


def test_the_away_resolution_is_applied_on_the_db_worker(
    qtbot, services: AppServices, runner, clock: FakeClock, monkeypatch
) -> None:
    threads: list[str] = []
    _record_threads(services.tracker, "resolve_away", threads, monkeypatch)
    services.tracker.start("A-1")
    clock.advance(hours=1)
    period = AwayPeriod(clock.now() - timedelta(minutes=30), clock.now(), "idle")
    dialog = AwayDialog(services, period, "A-1", runner=runner)
    qtbot.addWidget(dialog)
    dialog.discard.setChecked(True)
    _ok(dialog)
    qtbot.waitUntil(lambda: dialog.choice == "discard", timeout=3000)
    assert threads
    assert threading.main_thread().name not in threads
    assert services.tracker.running() is not None
