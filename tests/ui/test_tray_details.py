"""Small things in the tray menu and picker that people notice first."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.tray import TrayController
from tests.support.tray import refreshed


def _visible(controller: TrayController) -> list:  # type: ignore[type-arg]
    return [a for a in controller.menu.actions() if a.isVisible() and not a.isSeparator()]


def test_running_header_is_readable_and_only_the_running_issue_has_a_check(
    qtbot, controller: TrayController, services: AppServices
) -> None:
    for key in ("PROJ-1", "PROJ-2", "PROJ-3"):
        services.tracker.log_time(key, 600)
    refreshed(qtbot, controller)
    recent = [a for a in _visible(controller) if "PROJ-" in a.text() and "&" in a.text()]
    assert len(recent) == 3
    assert not any(a.isCheckable() for a in recent)  # nothing runs: no empty boxes

    services.tracker.start("PROJ-2")
    refreshed(qtbot, controller)
    header = _visible(controller)[0]
    assert header.text().startswith("PROJ-2")
    assert header.isEnabled()  # not greyed out
    assert header.font().bold()
    checkable = [a for a in _visible(controller) if a.isCheckable()]
    assert [a.text() for a in checkable] == ["&1 PROJ-2"]
    assert checkable[0].isChecked()


def test_search_says_searching_until_jira_answers(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    picker = controller.picker
    controller.show_picker()
    qtbot.waitExposed(picker)
    qtbot.keyClicks(picker.field, "zzzz")
    assert picker.status.text() == "Searching Jira…"
    qtbot.waitUntil(lambda: picker.status.text() == "No matching issues.", timeout=5000)


@pytest.fixture
def exits(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", lambda code=0: codes.append(code))
    return codes


def _quit(controller: TrayController) -> None:
    next(a for a in _visible(controller) if a.text() == "Quit").trigger()


def test_quit_with_a_timer_running_says_it_keeps_running(
    qtbot, controller: TrayController, services: AppServices, exits: list[int]
) -> None:
    services.tracker.start("PROJ-1")
    refreshed(qtbot, controller)
    _quit(controller)
    box = controller.quit_question
    assert isinstance(box, QMessageBox)
    qtbot.waitExposed(box)
    assert exits == []
    assert "keeps running" in box.text()
    assert "Stop" in box.text()
    stop = next(b for b in box.buttons() if b.text() == "Stop the timer and quit")
    stop.click()
    qtbot.waitUntil(lambda: exits == [0], timeout=3000)
    assert services.tracker.running() is None


def test_quit_keeping_the_timer_and_quit_when_idle(
    qtbot, controller: TrayController, services: AppServices, exits: list[int]
) -> None:
    _quit(controller)
    assert exits == [0]  # nothing runs: nothing to say
    services.tracker.start("PROJ-1")
    refreshed(qtbot, controller)
    _quit(controller)
    box = controller.quit_question
    keep = next(b for b in box.buttons() if b.text() == "Quit, keep it running")
    keep.click()
    qtbot.waitUntil(lambda: exits == [0, 0], timeout=3000)
    assert services.tracker.running() is not None


def test_a_paused_timer_has_its_own_icon_words_and_quit_question(
    qtbot, controller: TrayController, services: AppServices, exits: list[int]
) -> None:
    from clockwork_desktop.ui.miniwindow import MiniWindow

    window = MiniWindow(controller)
    qtbot.addWidget(window)
    services.tracker.start("PROJ-1")
    services.tracker.pause()
    refreshed(qtbot, controller)
    assert controller._icon_state() == "paused"
    assert "Paused" in controller.tooltip()
    assert "No timer running" not in controller.tooltip()
    assert "paused" in _visible(controller)[0].text()  # the menu's first line
    assert "paused" in window.current.text()
    assert any(a.text() == "Continue PROJ-1" for a in _visible(controller))
    _quit(controller)
    box = controller.quit_question
    qtbot.waitExposed(box)
    assert "keeps running" not in box.text()
    assert "paused" in box.text()
    keep = next(b for b in box.buttons() if b.text() == "Quit, keep it paused")
    keep.click()
    qtbot.waitUntil(lambda: exits == [0], timeout=3000)
    assert services.tracker.running() is not None
