"""Automatic timers as a GUI user meets them: the branch's issue first in the picker, the
tray's question and warning, notifications that say why, and the reason beside each entry."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.tray import TrayController
from tests.support.tray import refreshed


def checkout(repo: Path, branch: str) -> None:
    (repo / ".git").mkdir(parents=True, exist_ok=True)
    (repo / ".git" / "HEAD").write_text(f"ref: refs/heads/{branch}\n", encoding="utf-8")


def texts(picker) -> list[str]:  # type: ignore[no-untyped-def]
    return [picker.list.item(i).text() for i in range(picker.list.count())]


def test_the_picker_offers_the_branchs_issue_first(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira, tmp_path: Path
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    repo = tmp_path / "shop"
    checkout(repo, "main")
    services.preferences.add_repo(str(repo))
    services.auto_timers.poll_branches(force=True)
    checkout(repo, "PROJ-2-fix-login-page")
    services.auto_timers.poll_branches(force=True)
    picker = controller.picker
    controller.show_picker()
    qtbot.waitUntil(lambda: "My open issues" in texts(picker), timeout=3000)
    shown = texts(picker)
    assert shown[0] == "From your git branch"
    assert shown[1].startswith("PROJ-2")
    assert shown[1].endswith("(from branch PROJ-2-fix-login-page)")
    assert picker.list.currentRow() == 1, "Enter starts the branch's issue"
    assert shown.count(shown[1]) == 1
    assert not any(t.startswith("PROJ-2 ") for t in shown[2:]), "listed once"
    qtbot.keyClicks(picker.field, "login")  # matches the branch, not the summary
    assert texts(picker)[1].startswith("PROJ-2")
    picker.field.clear()
    qtbot.keyClicks(picker.field, "zzz")
    assert "From your git branch" not in texts(picker)
    picker.field.clear()
    with qtbot.waitSignal(picker.issue_chosen, timeout=3000) as chosen:
        qtbot.keyClick(picker.field, Qt.Key.Key_Return)
    assert chosen.args == ["PROJ-2"]


def ms(at) -> int:  # type: ignore[no-untyped-def]
    return int(at.timestamp() * 1000)


def test_the_tray_shows_what_the_automatic_timers_decide(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira, clock, monkeypatch
) -> None:
    """Jira moves issues (fake Jira, fake clock); the tray polls and shows the outcome."""
    from tests.ui.test_tray import action, actions

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        controller, "notify", lambda title, msg, critical=False: shown.append((title, msg))
    )
    jira.now_ms = lambda: ms(clock.now())
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    services.preferences.set_jira(services.accounts.accounts()[0].name, True)

    # Monday 15:00 in Berlin: PROJ-2 moved to In Progress half a minute ago.
    jira.move("PROJ-2", "In Progress", by="acc-alice", at_ms=ms(clock.now()) - 30_000)
    clock.advance(minutes=1)
    controller.poll_automatic()
    qtbot.waitUntil(lambda: controller.status.running is not None, timeout=5000)
    assert controller.status.running.issue_key == "PROJ-2"
    qtbot.waitUntil(lambda: bool(shown), timeout=3000)
    assert shown[-1] == ("Started PROJ-2", "PROJ-2 moved to In Progress by Alice Example at 14:59")

    # Another issue becomes active while PROJ-2 runs: the default asks, in the menu.
    jira.move("PROJ-1", "In Progress", by="acc-bob", at_ms=ms(clock.now()))
    clock.advance(minutes=1)
    controller.poll_automatic()
    qtbot.waitUntil(lambda: "Switch to PROJ-1" in actions(controller.menu), timeout=5000)
    assert shown[-1][0] == "PROJ-1 is in progress"
    assert "by Bob Builder" in shown[-1][1]
    action(controller.menu, "Switch to PROJ-1").trigger()
    qtbot.waitUntil(
        lambda: (
            controller.status.running is not None
            and controller.status.running.issue_key == "PROJ-1"
        ),
        timeout=5000,
    )
    assert "Switch to PROJ-1" not in actions(controller.menu)

    # Moved on in Jira: the timer stops, and the notification says who moved it.
    jira.move("PROJ-1", "Done", by="acc-alice", at_ms=ms(clock.now()))
    _because = "PROJ-1 moved to Done by Alice Example at 15:02"
    clock.advance(minutes=1)
    controller.poll_automatic()
    qtbot.waitUntil(lambda: controller.status.running is None, timeout=5000)
    qtbot.waitUntil(lambda: ("Stopped PROJ-1", _because) in shown, timeout=3000)


def test_a_guard_warns_until_answered_from_the_menu(
    qtbot, controller: TrayController, services: AppServices, clock, monkeypatch
) -> None:
    from tests.ui.test_tray import action, actions

    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(
        controller, "notify", lambda title, msg, critical=False: shown.append((title, msg))
    )
    services.settings.set_setting("long_timer_hours", 2)
    services.tracker.start("LONG-1")
    refreshed(qtbot, controller)
    clock.advance(minutes=90)
    controller._check_reminders()
    done: list[int] = []
    controller.runner.db(lambda: None, lambda _r: done.append(1))
    qtbot.waitUntil(lambda: done == [1], timeout=3000)
    assert controller._icon_state() == "running"
    clock.advance(minutes=31)  # past two hours
    controller._check_reminders()
    # Its own icon: a question waits, which is not a sync problem.
    qtbot.waitUntil(lambda: controller._icon_state() == "running-question", timeout=3000)
    assert ("Timer still running", "LONG-1 has been running for 2 hours.") in shown
    tip = controller.tooltip().splitlines()
    assert "LONG-1 has been running for 2 hours." in tip
    assert "Still working? Choose “Still working” or “Stop” in the tray menu." in tip
    assert "Still working: keep the timer running" in actions(controller.menu)
    assert "Stop" in actions(controller.menu)
    action(controller.menu, "Still working").trigger()
    qtbot.waitUntil(lambda: controller._icon_state() == "running", timeout=3000)
    assert "Still working: keep the timer running" not in actions(controller.menu)
    assert not any(line.startswith("Still working?") for line in controller.tooltip().splitlines())
    clock.advance(minutes=5)
    controller._check_reminders()  # answered: no new warning for the same timer
    done.clear()
    controller.runner.db(lambda: None, lambda _r: done.append(1))
    qtbot.waitUntil(lambda: done == [1], timeout=3000)
    assert controller._icon_state() == "running"
    assert services.tracker.running() is not None, "keep means keep"


def test_the_entries_dialog_says_why_a_timer_started_and_stopped(
    qtbot, services: AppServices, clock
) -> None:
    from datetime import time, timedelta

    from clockwork_desktop.ui.dialogs import EntriesDialog

    services.tracker.log_time("HAND-1", 600, day=services.tracker.today(), start_time=time(8))
    started = services.tracker.start("PROJ-1", at=clock.now() - timedelta(minutes=48)).started
    moved = {
        "kind": "jira",
        "issue": "PROJ-1",
        "by": "<b>Alice</b>",
        "at": started.started_at.isoformat(),
    }
    services.store.add_history(
        started.uuid, started.started_at, "start", dict(moved, changed={"status": "In Progress"})
    )
    dialog = EntriesDialog(services)
    qtbot.addWidget(dialog)
    why = dialog.COLUMNS.index("Why")
    cells = {
        dialog.table.item(r, 2).text(): dialog.table.item(r, why)
        for r in range(dialog.table.rowCount())
    }
    assert cells["PROJ-1"].text() == (
        "started automatically: PROJ-1 moved to In Progress by <b>Alice</b> at 14:12"
    )
    assert "&lt;b&gt;Alice" in cells["PROJ-1"].toolTip(), "Jira's names stay plain text"
    assert cells["HAND-1"].text() == ""
