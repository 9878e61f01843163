"""The Sync panel: entries Jira refused or disagrees on, settled from the GUI.

Conflicts are made for real: a sync against the fake Jira over HTTP, then a change in Jira
(a deleted or edited worklog), then another sync that notices it from Jira's feeds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.tray import TrayController
from tests.support.jira import seed
from tests.support.tray import refreshed

DAY = date(2026, 3, 9)


@pytest.fixture
def quiet_jira() -> Iterator[FakeJira]:
    """Jira whose change feeds show a change at once, so the next sync sees it."""
    with FakeJira("cloud", feed_quiet_s=0) as fake:
        seed(fake)
        yield fake


def _log(services: AppServices, key: str, hour: int) -> Entry:
    return services.tracker.log_time(key, 3600, day=DAY, start_time=time(hour, 0))


@pytest.fixture
def troubled(services: AppServices, quiet_jira: FakeJira) -> dict[str, int]:
    """Three entries that need the user: deleted in Jira, edited in Jira, refused by Jira."""
    services.accounts.login(quiet_jira.base_url, "alice-token", email="alice@example.com")
    gone = _log(services, "PROJ-1", 8)
    edited = _log(services, "PROJ-2", 10)
    services.sync.sync()
    (worklog,) = quiet_jira.worklogs_of("PROJ-1")
    quiet_jira.delete_worklog(worklog.id)
    (worklog,) = quiet_jira.worklogs_of("PROJ-2")
    quiet_jira.edit_worklog(worklog.id, seconds=7200)
    refused = _log(services, "OPS-7", 12)
    services.sync.sync()
    states = {e: services.tracker.get(e).sync_state for e in (gone.id, edited.id, refused.id)}
    assert states == {
        gone.id: SyncState.CONFLICT,
        edited.id: SyncState.CONFLICT,
        refused.id: SyncState.FAILED,
    }
    return {"gone": gone.id, "edited": edited.id, "refused": refused.id}


@pytest.fixture
def wired(controller: TrayController, services: AppServices, runner) -> list[int]:  # type: ignore[no-untyped-def]
    """Sync requests run the real sync in the background, as the app's scheduler would."""
    runs: list[int] = []

    def sync() -> None:
        runs.append(1)
        runner.network(services.sync.sync, controller.sync_finished)

    controller.sync_requested.connect(sync)
    return runs


def _sent(qtbot, services: AppServices, entry_id: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(
        lambda: services.tracker.get(entry_id).sync_state is SyncState.SYNCED, timeout=5000
    )


def _open_panel(qtbot, controller: TrayController):  # type: ignore[no-untyped-def]
    refreshed(qtbot, controller)
    fix = next(
        a for a in controller.menu.actions() if a.isVisible() and "not sent to Jira" in a.text()
    )
    assert fix.text() == "Fix 3 entries not sent to Jira…"
    fix.trigger()
    panel = controller.sync_panel
    qtbot.waitExposed(panel)
    qtbot.waitUntil(lambda: panel.table.rowCount() == 3, timeout=5000)
    return panel


def test_panel_lists_problems_with_jiras_reason_and_settles_them(
    qtbot, controller: TrayController, services: AppServices, quiet_jira: FakeJira, troubled, wired
) -> None:
    panel = _open_panel(qtbot, controller)
    assert panel.windowModality().name == "NonModal"
    reasons = {panel.entry_id(r): panel.reason_text(r) for r in range(3)}
    assert "deleted in Jira" in reasons[troubled["gone"]]
    assert "changed in Jira" in reasons[troubled["edited"]]
    assert reasons[troubled["refused"]]  # Jira's own words, whatever they are

    # A refused entry offers Retry and Edit, not the conflict choices.
    panel.select(troubled["refused"])
    assert panel.retry_button.isEnabled()
    assert panel.edit_button.isEnabled()
    assert not panel.keep_button.isEnabled()
    assert not panel.take_button.isEnabled()

    # Take Jira's on a worklog deleted in Jira: the entry goes, a sync follows.
    panel.select(troubled["gone"])
    assert panel.take_button.isEnabled()
    assert panel.delete_button.isEnabled()
    before = len(wired)
    panel.take_button.click()
    qtbot.waitUntil(lambda: panel.confirm is not None, timeout=5000)  # Jira's version, read
    panel.confirm.button(QMessageBox.StandardButton.Yes).click()  # it asks first
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    assert len(wired) > before
    assert troubled["gone"] not in [e.entry.id for e in services.tracker.entries(DAY, DAY)]

    # Keep mine on the worklog edited in Jira: the next sync sends this computer's hour.
    panel.select(troubled["edited"])
    panel.confirm = None
    panel.keep_button.click()
    qtbot.waitUntil(lambda: panel.confirm is not None, timeout=5000)
    panel.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 1, timeout=5000)
    _sent(qtbot, services, troubled["edited"])
    assert [w.seconds for w in quiet_jira.worklogs_of("PROJ-2")] == [3600]
    assert panel.table.rowCount() == 1


def test_edit_from_the_panel_fixes_a_refused_entry(
    qtbot, controller: TrayController, services: AppServices, quiet_jira: FakeJira, troubled, wired
) -> None:
    panel = _open_panel(qtbot, controller)
    panel.select(troubled["refused"])
    panel.edit_button.click()
    qtbot.waitUntil(lambda: panel.edit_dialog is not None, timeout=3000)
    dialog = panel.edit_dialog
    qtbot.waitExposed(dialog)
    # The edit dialog does not block the tray menu or the panel.
    assert QApplication.activeModalWidget() is None
    dialog.issue.setText("PROJ-3")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    _sent(qtbot, services, troubled["refused"])
    assert [w.seconds for w in quiet_jira.worklogs_of("PROJ-3")] == [3600]


def test_retry_and_delete_from_the_panel(
    qtbot, controller: TrayController, services: AppServices, troubled, wired
) -> None:
    panel = _open_panel(qtbot, controller)
    panel.select(troubled["refused"])
    panel.retry_button.click()
    # Jira refuses it again, and the panel says so again after the sync.
    qtbot.waitUntil(lambda: len(wired) >= 1, timeout=5000)
    qtbot.waitUntil(
        lambda: (
            services.tracker.get(troubled["refused"]).sync_state is SyncState.FAILED
            and controller.sync_panel.table.rowCount() == 3
        ),
        timeout=5000,
    )
    panel.select(troubled["gone"])
    panel.delete_button.click()
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    # Undo is there, as for any delete.
    assert services.tracker.undo_offer() is not None


def test_failure_notification_counts_in_words_and_opens_the_panel(
    qtbot, controller: TrayController, services: AppServices, troubled, monkeypatch
) -> None:
    from clockwork_desktop.services.sync import SyncReport

    seen: list[str] = []
    monkeypatch.setattr(controller, "notify", lambda title, msg, critical=False: seen.append(title))
    controller.sync_finished(SyncReport(failed=1))
    assert seen
    assert seen[-1] == "1 entry not sent to Jira"
    controller.message_clicked()
    qtbot.waitExposed(controller.sync_panel)


def test_a_sync_that_finds_conflicts_says_so_and_the_panel_lists_them(
    qtbot,
    controller: TrayController,
    services: AppServices,
    quiet_jira: FakeJira,
    wired,
    monkeypatch,
) -> None:
    services.accounts.login(quiet_jira.base_url, "alice-token", email="alice@example.com")
    gone, edited = _log(services, "PROJ-1", 8), _log(services, "PROJ-2", 10)
    services.sync.sync()
    refreshed(qtbot, controller)  # the tray knows the account
    panel = controller.sync_panel
    panel.reload()
    qtbot.waitUntil(lambda: "Nothing needs you" in panel.message.text(), timeout=5000)
    panel.show()
    (worklog,) = quiet_jira.worklogs_of("PROJ-1")
    quiet_jira.delete_worklog(worklog.id)
    (worklog,) = quiet_jira.worklogs_of("PROJ-2")
    quiet_jira.edit_worklog(worklog.id, seconds=7200)
    seen: list[tuple[str, str]] = []
    monkeypatch.setattr(
        controller, "notify", lambda title, msg, critical=False: seen.append((title, msg))
    )
    controller.sync_now()  # "Sync now" from the menu: the user waits for its answer
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    title, message = seen[-1]
    assert "Nothing to send" not in message
    assert "2 conflicts" in f"{title} {message}"
    controller.message_clicked()  # the notice leads to the panel, where they are settled
    qtbot.waitUntil(lambda: panel.table.rowCount() == 2, timeout=5000)
    assert {panel.entry_id(r) for r in range(2)} == {gone.id, edited.id}
    assert "Nothing needs you" not in panel.message.text()
    assert panel.intro.isVisible()
    assert "2 conflicts" in panel.intro.text()


def test_keep_mine_and_take_jiras_show_both_versions_before_the_choice(
    qtbot, controller: TrayController, services: AppServices, quiet_jira: FakeJira, troubled, wired
) -> None:
    (worklog,) = quiet_jira.worklogs_of("PROJ-2")
    quiet_jira.edit_worklog(worklog.id, comment=quiet_jira._comment_for_storage("fixed the boiler"))
    panel = _open_panel(qtbot, controller)
    panel.select(troubled["edited"])
    for button in (panel.keep_button, panel.take_button):
        panel.confirm = None
        button.click()
        qtbot.waitUntil(lambda: panel.confirm is not None, timeout=5000)
        compare = panel.confirm.comparison
        assert compare.header() == ("", "This computer", "Jira")
        rows = compare.rows()
        assert rows["Duration"] == ("1h", "2h")
        assert rows["Start"][0] == rows["Start"][1] == "Mon 09 Mar 10:00"
        assert rows["Comment"][1] == "fixed the boiler"
        panel.confirm.button(QMessageBox.StandardButton.No).click()
    assert services.tracker.get(troubled["edited"]).sync_state is SyncState.CONFLICT
    # A worklog deleted in Jira says so in Jira's column.
    panel.select(troubled["gone"])
    panel.confirm = None
    panel.take_button.click()
    qtbot.waitUntil(lambda: panel.confirm is not None, timeout=5000)
    assert panel.confirm.comparison.rows()["Duration"] == ("1h", "deleted in Jira")
    panel.confirm.button(QMessageBox.StandardButton.No).click()
