"""The tray controller, menu and picker, driven offscreen with pytest-qt."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import AwayPeriod
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services.tracker import TrackerService
from clockwork_desktop.ui.tray import TrayController
from tests.conftest import FakeClock
from tests.support.jira import fill_sign_in
from tests.support.tray import refreshed


@pytest.fixture
def shown(controller: TrayController, monkeypatch) -> list[tuple[str, str]]:
    """The notifications the controller shows, as (title, message)."""
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(
        controller, "notify", lambda title, msg, critical=False: seen.append((title, msg))
    )
    return seen


def actions(menu: QMenu) -> list[str]:
    """The texts a user sees: hidden actions and separators left out."""
    return [a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()]


def action(menu: QMenu, needle: str):  # type: ignore[no-untyped-def]
    return next(a for a in menu.actions() if a.isVisible() and needle in a.text())


def test_typed_key_and_enter_starts_a_timer(
    qtbot, controller: TrayController, services: AppServices
) -> None:
    picker = controller.picker
    controller.show_picker()
    qtbot.waitExposed(picker)
    qtbot.keyClicks(picker.field, "abc-12")
    assert picker.list.currentItem().data(Qt.ItemDataRole.UserRole) == "ABC-12"
    qtbot.keyClick(picker.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.status.running is not None, timeout=3000)
    assert controller.status.running.issue_key == "ABC-12"
    assert not picker.isVisible()


def test_picker_sections_search_and_plain_text(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    services.tracker.log_time("PROJ-3", 600)
    picker = controller.picker
    controller.show_picker()
    qtbot.waitUntil(lambda: "PROJ-1   Build the sync engine" in _texts(picker), timeout=3000)
    texts = _texts(picker)
    assert texts.index("My open issues") < texts.index("Recent")
    qtbot.keyClicks(picker.field, "bold")
    qtbot.waitUntil(lambda: "Search results" in _texts(picker), timeout=3000)
    # Jira's text is shown as it is, never rendered as HTML.
    assert "PROJ-3   Fix the <b>bold</b> bug" in _texts(picker)
    picker.field.clear()
    qtbot.keyClicks(picker.field, "sync")
    qtbot.keyClick(picker.field, Qt.Key.Key_Down)
    qtbot.keyClick(picker.field, Qt.Key.Key_Up)
    with qtbot.waitSignal(picker.issue_chosen, timeout=3000) as chosen:
        qtbot.keyClick(picker.field, Qt.Key.Key_Return)
    assert chosen.args == ["PROJ-1"]


def _texts(picker) -> list[str]:  # type: ignore[no-untyped-def]
    return [picker.list.item(i).text() for i in range(picker.list.count())]


def test_menu_shows_running_timer_recent_and_sync_counts(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock
) -> None:
    services.tracker.log_time("PROJ-1", 1800)
    services.tracker.log_time("PROJ-2", 60, day=clock.now().date() - timedelta(days=1))
    refreshed(qtbot, controller)
    texts = actions(controller.menu)
    assert any(t.startswith("No timer running") for t in texts)
    assert any("Sync now (2 pending" in t for t in texts)
    # Most recent first, numbered as keyboard accelerators.
    assert [t for t in texts if t.startswith("&")] == ["&1 PROJ-1", "&2 PROJ-2"]
    action(controller.menu, "&2 PROJ-2").trigger()
    qtbot.waitUntil(lambda: controller.status.running is not None, timeout=3000)
    clock.advance(65)
    refreshed(qtbot, controller)
    texts = actions(controller.menu)
    assert texts[0].startswith("PROJ-2")
    assert texts[0].endswith("0:01:05")
    assert {"Stop", "Pause", "Discard", "Edit comment…"} <= set(texts)
    checked = [a.text() for a in controller.menu.actions() if a.isChecked()]
    assert checked == ["&1 PROJ-2"]
    action(controller.menu, "Stop").trigger()
    qtbot.waitUntil(lambda: controller.status.running is None, timeout=3000)
    refreshed(qtbot, controller)
    assert "Resume PROJ-2" in actions(controller.menu)


def test_menu_escapes_ampersands_from_jira(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira
) -> None:
    jira.add_issue("DOC-1", "R&D budget")
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    services.issues.search("DOC-1")
    services.tracker.log_time("DOC-1", 600)
    refreshed(qtbot, controller)
    assert any("R&&D budget" in t for t in actions(controller.menu))


def test_cli_changes_show_within_a_second(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock
) -> None:
    other = open_database(services.data_dir)
    store = SqliteStore(other.conn, other.path)
    cli = TrackerService(store, store, clock, services.tracker.zone)
    cli.start("OUT-7")
    qtbot.waitUntil(
        lambda: (
            controller.status.running is not None and controller.status.running.issue_key == "OUT-7"
        ),
        timeout=1000,
    )
    cli.stop()
    qtbot.waitUntil(lambda: controller.status.running is None, timeout=1000)
    other.conn.close()


def test_tooltip_and_icon_state(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock
) -> None:
    assert controller._icon_state() == "idle"
    services.tracker.start("PROJ-9")
    refreshed(qtbot, controller)
    clock.advance(125)
    assert controller._icon_state() == "running"
    tip = controller.tooltip()
    assert "PROJ-9" in tip
    assert "Running 0:02:05" in tip
    assert "Today 2m" in tip
    services.tracker.stop()
    refreshed(qtbot, controller)
    assert controller._icon_state() == "pending"


def test_sleep_gap_asks_the_away_resolver(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock, monkeypatch
) -> None:
    asked: list[AwayPeriod] = []
    monkeypatch.setattr(controller, "resolve_away", asked.append)
    threads: list[str] = []
    beat = services.tracker.heartbeat

    def recording():  # type: ignore[no-untyped-def]
        gap = beat()
        threads.append(threading.current_thread().name)  # once the beat is written
        return gap

    monkeypatch.setattr(services.tracker, "heartbeat", recording)
    services.tracker.start("PROJ-1")
    controller.heartbeat()
    qtbot.waitUntil(lambda: len(threads) == 1, timeout=3000)
    clock.advance(minutes=40)
    controller.heartbeat()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=3000)
    assert threading.main_thread().name not in threads, "the heartbeat writes on the DB worker"
    assert asked[0].reason == "sleep"
    assert asked[0].seconds == 40 * 60


def test_idle_time_asks_when_input_returns(
    qtbot, services: AppServices, runner, clock: FakeClock, monkeypatch
) -> None:
    idle = {"seconds": 0.0}
    tray = TrayController(services, runner, idle_seconds=lambda: idle["seconds"], use_tray=False)
    asked: list[AwayPeriod] = []
    monkeypatch.setattr(tray, "resolve_away", asked.append)
    services.tracker.start("PROJ-1")
    refreshed(qtbot, tray)
    clock.advance(minutes=20)
    idle["seconds"] = 12 * 60
    tray.check_idle()
    qtbot.waitUntil(lambda: not tray._idle_checking, timeout=3000)
    assert asked == []
    clock.advance(minutes=3)
    idle["seconds"] = 2
    tray.check_idle()
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=3000)
    assert asked[0].reason == "idle"
    assert asked[0].seconds == 15 * 60
    tray.shutdown()


def test_no_tray_mini_window(qtbot, controller: TrayController, services: AppServices) -> None:
    from clockwork_desktop.ui.miniwindow import MiniWindow

    window = MiniWindow(controller)
    qtbot.addWidget(window)
    services.tracker.start("MINI-1")
    refreshed(qtbot, controller)
    assert window.current.text().startswith("MINI-1")
    assert window.stop.isEnabled()
    window.stop.click()
    qtbot.waitUntil(lambda: "No timer running" in window.current.text(), timeout=3000)
    assert window.current.textFormat() == Qt.TextFormat.PlainText


def test_no_tray_explanation_is_shown_once_without_blocking(
    qtbot, controller: TrayController, services: AppServices
) -> None:
    """The explanation is a non-modal message: the event loop runs while it shows, and a quit
    then does not meet a closed database when the box is dismissed."""
    from clockwork_desktop.ui.miniwindow import MiniWindow

    window = MiniWindow(controller)
    qtbot.addWidget(window)
    window.explain_once()
    qtbot.waitUntil(lambda: window.explanation is not None and window.explanation.isVisible())
    box = window.explanation
    assert box is not None
    assert box.windowModality() != Qt.WindowModality.ApplicationModal
    qtbot.waitUntil(lambda: services.store.get_setting("no_tray_explained") is True)
    box.close()
    window.explanation = None
    window.explain_once()
    done: list[bool] = []  # the serial DB worker answers the second read before this one
    controller.runner.db(lambda: None, lambda _: done.append(True))
    qtbot.waitUntil(lambda: bool(done))
    assert window.explanation is None


def test_failed_sync_notifies_once(qtbot, controller: TrayController, monkeypatch) -> None:
    from clockwork_desktop.services.sync import SyncProblem, SyncReport

    shown: list[str] = []
    monkeypatch.setattr(
        controller, "notify", lambda title, msg, critical=False: shown.append(title)
    )
    report = SyncReport(failed=1, errors=(SyncProblem(1, "OPS-7", "no permission"),))
    controller.sync_finished(report)
    controller.sync_finished(report)
    assert shown == ["1 entry not sent to Jira"]


def test_open_log_folder_opens_the_private_logs_folder(
    controller: TrayController, services: AppServices, monkeypatch
) -> None:
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()))
    controller.open_log_folder()
    assert opened == [str(services.data_dir / "logs")]
    assert (services.data_dir / "logs").is_dir()
    if os.name == "posix":
        assert (services.data_dir / "logs").stat().st_mode & 0o077 == 0


def test_reminders_inside_and_outside_working_hours(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock, monkeypatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        controller, "notify", lambda title, msg, critical=False: shown.append(title)
    )
    services.settings.set_setting("remind_no_timer", True)
    refreshed(qtbot, controller)
    # The nudges decide, on the DB worker; their notices reach the tray's notify.
    controller._check_reminders()  # Monday 15:00 Berlin: working hours, nothing running
    controller._check_reminders()
    qtbot.waitUntil(lambda: shown == ["No timer running"], timeout=3000)
    clock.set(clock.now().replace(hour=20))  # 21:00 Berlin
    services.tracker.start("LATE-1")
    refreshed(qtbot, controller)
    clock.advance(minutes=20)
    controller._check_reminders()
    controller._check_reminders()
    expected = ["No timer running", "Timer running outside working hours"]
    qtbot.waitUntil(lambda: shown == expected, timeout=3000)
    done: list[int] = []
    controller.runner.db(lambda: None, lambda _r: done.append(1))  # after every queued check
    qtbot.waitUntil(lambda: done == [1], timeout=3000)
    assert shown == expected  # each said once


def test_waking_from_sleep_asks_for_a_sync(
    qtbot, controller: TrayController, clock: FakeClock
) -> None:
    controller._tick()
    clock.advance(1)
    with qtbot.assertNotEmitted(controller.sync_requested):
        controller._tick()
    clock.advance(minutes=45)
    with qtbot.waitSignal(controller.sync_requested, timeout=1000):
        controller._tick()


def test_menu_is_populated_before_it_opens_and_updates_in_place(
    qtbot, services: AppServices, runner, clock: FakeClock
) -> None:
    # StatusNotifierItem hosts read the exported layout without asking the menu to show first.
    services.tracker.log_time("PROJ-1", 1800)
    tray = TrayController(services, runner, use_tray=False)
    # Complete before its first read answers ...
    assert {"Start on issue…", "Log time…", "Quit"} <= set(actions(tray.menu))
    refreshed(qtbot, tray)  # ... which comes from the DB worker
    texts = actions(tray.menu)
    assert texts[0].startswith("No timer running")
    assert {"Resume PROJ-1", "&1 PROJ-1", "Start on issue…", "Log time…", "Quit"} <= set(texts)
    assert "Stop" not in texts
    kept = list(tray.menu.actions())
    services.tracker.start("PROJ-2")
    refreshed(qtbot, tray)
    texts = actions(tray.menu)
    assert texts[0].startswith("PROJ-2")
    assert {"Stop", "Pause", "Discard", "&1 PROJ-2", "&2 PROJ-1"} <= set(texts)
    assert "Resume PROJ-1" not in texts
    assert tray.menu.actions() == kept  # the same actions, changed in place
    clock.advance(65)
    tray._tick()
    assert actions(tray.menu)[0].endswith("0:01:05")
    action(tray.menu, "Stop").trigger()
    qtbot.waitUntil(lambda: "Resume PROJ-2" in actions(tray.menu), timeout=3000)
    assert tray.menu.actions() == kept
    tray.shutdown()


def test_discard_offers_undo_in_the_menu_and_a_notification(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock, shown
) -> None:
    started = services.tracker.start("PROJ-4").started
    refreshed(qtbot, controller)
    clock.advance(minutes=12)
    action(controller.menu, "Discard").trigger()
    qtbot.waitUntil(lambda: controller.status.running is None, timeout=3000)
    assert "Undo discard of PROJ-4 (12m)" in actions(controller.menu)
    assert shown == [
        (
            "Discarded PROJ-4 (12m)",
            "To take it back, choose “Undo discard of PROJ-4 (12m)” in the tray menu.",
        )
    ]
    action(controller.menu, "Undo discard").trigger()
    qtbot.waitUntil(lambda: controller.status.running is not None, timeout=3000)
    assert controller.status.running.started_at == started.started_at
    assert not any(t.startswith("Undo") for t in actions(controller.menu))
    # The offer disappears from the menu once its time is up.
    action(controller.menu, "Discard").trigger()
    qtbot.waitUntil(lambda: controller.status.running is None, timeout=3000)
    assert any(t.startswith("Undo discard") for t in actions(controller.menu))
    clock.advance(61)
    controller._tick()
    assert not any(t.startswith("Undo") for t in actions(controller.menu))


def test_delete_in_a_dialog_offers_undo_from_the_tray(
    qtbot, controller: TrayController, services: AppServices, monkeypatch, shown
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from clockwork_desktop.ui.dialogs import EditEntryDialog

    entry = services.tracker.log_time("A-1", 3600)
    dialog = EditEntryDialog(services, entry)
    qtbot.addWidget(dialog)
    dialog.delete_button.click()
    assert dialog.confirm is not None
    dialog.confirm.button(QMessageBox.StandardButton.Yes).click()
    assert dialog.deleted
    controller._tick()
    assert [title for title, _message in shown] == ["Deleted A-1 (1h)"]
    action(controller.menu, "Undo delete of A-1 (1h)").trigger()
    today = services.tracker.today()
    qtbot.waitUntil(lambda: len(services.tracker.entries(today, today)) == 1, timeout=3000)


def test_icon_shows_running_with_a_failure_offline_and_ignores_too_short(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock
) -> None:
    from clockwork_desktop.core.models import SyncState
    from clockwork_desktop.services.sync import SyncReport

    services.tracker.log_time("A-1", 30)  # under Jira's minute: it stays on this computer
    refreshed(qtbot, controller)
    assert controller.status.sync.pending == 0
    assert controller._icon_state() == "idle"
    assert "all synced" in action(controller.menu, "Sync now").text()
    refused = services.tracker.log_time("A-2", 600)
    refused.sync_state, refused.error = SyncState.FAILED, "no permission"
    services.store.save(refused)
    refreshed(qtbot, controller)
    assert controller._icon_state() == "failed"
    services.tracker.start("B-1")
    refreshed(qtbot, controller)
    assert controller._icon_state() == "running-failed"  # both: running, and a problem
    refused.sync_state = SyncState.SYNCED
    services.store.save(refused)
    with qtbot.waitSignal(controller.refreshed, timeout=3000):
        controller.sync_finished(SyncReport(unavailable="Jira cannot be reached (offline)."))
    assert controller._icon_state() == "running-offline"
    clock.advance(minutes=5)
    services.tracker.stop()
    refreshed(qtbot, controller)
    assert controller._icon_state() == "offline"
    controller.sync_finished(SyncReport())
    assert controller._icon_state() == "pending"


def test_enter_on_the_running_issue_keeps_the_timer_whole(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock
) -> None:
    running = services.tracker.start("PROJ-1").started
    refreshed(qtbot, controller)
    clock.advance(10)
    picker = controller.picker
    controller.show_picker()
    qtbot.waitExposed(picker)
    qtbot.keyClicks(picker.field, "proj-1")
    with qtbot.waitSignal(picker.issue_chosen, timeout=3000):
        qtbot.keyClick(picker.field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: controller.runner._pending == set(), timeout=3000)
    entries = services.store.all_entries()
    assert [(e.id, e.started_at, e.running) for e in entries] == [
        (running.id, running.started_at, True)
    ]


def test_signed_out_menu_offers_sign_in_and_sync_now_answers(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira, shown
) -> None:
    from clockwork_desktop.services.sync import SyncReport

    assert "Sign in to Jira…" in actions(controller.menu)
    # Signed out, "Sync now" leads to signing in instead of doing nothing.
    action(controller.menu, "Sync now").trigger()
    dialog = controller._sign_in_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    fill_sign_in(dialog, jira.base_url)
    with qtbot.waitSignal(controller.sync_requested, timeout=5000):
        dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: "Sign in to Jira…" not in actions(controller.menu), timeout=3000)
    with qtbot.waitSignal(controller.sync_requested, timeout=1000):
        action(controller.menu, "Sync now").trigger()
    syncing = action(controller.menu, "Syncing")
    assert not syncing.isEnabled()
    controller.sync_finished(SyncReport(created=2))
    assert shown[-1][0] == "Sync finished"
    assert "2 created" in shown[-1][1]
    assert action(controller.menu, "Sync now").isEnabled()
    action(controller.menu, "Sync now").trigger()
    controller.sync_finished(SyncReport())
    assert shown[-1] == ("Sync finished", "Nothing to send: Jira has all your time.")
    # A refused token: the menu asks for a new sign-in.
    services.accounts.block(services.accounts.accounts()[0].name)
    refreshed(qtbot, controller)
    assert "Sign in again…" in actions(controller.menu)


def test_pause_and_continue_keep_one_entry(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock
) -> None:
    services.tracker.start("PROJ-5")
    refreshed(qtbot, controller)
    clock.advance(minutes=10)
    action(controller.menu, "Pause").trigger()
    qtbot.waitUntil(
        lambda: controller.status.running is not None and controller.status.running.paused,
        timeout=3000,
    )
    texts = actions(controller.menu)
    assert texts[0].startswith("PROJ-5")
    assert texts[0].endswith("paused at 0:10:00")
    assert {"Continue PROJ-5", "Stop", "Discard"} <= set(texts)
    assert "Pause" not in texts
    assert controller._icon_state() == "paused"  # a timer, counting nothing for now
    assert "Paused at 0:10:00" in controller.tooltip()
    clock.advance(minutes=30)
    controller._tick()
    assert actions(controller.menu)[0].endswith("paused at 0:10:00")
    action(controller.menu, "Continue PROJ-5").trigger()
    qtbot.waitUntil(lambda: not controller.status.running.paused, timeout=3000)
    clock.advance(minutes=5)
    controller._tick()
    assert actions(controller.menu)[0].endswith("0:15:00")
    assert controller._icon_state() == "running"
    assert len(services.store.all_entries()) == 1
