"""Errors from background work are handled once, in the TaskRunner: ours become a notice
with what to do (or a form's inline error, where the form shows it), anything else opens the
crash window with its traceback."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.errors import StorageError
from clockwork_desktop.ui.dialogs import LogTimeDialog
from clockwork_desktop.ui.tray import TrayController


@pytest.fixture
def notices(controller: TrayController, monkeypatch) -> list[tuple[str, str, bool]]:  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str, bool]] = []

    def notify(title: str, message: str, *, critical: bool = False) -> None:
        seen.append((title, message, critical))

    monkeypatch.setattr(controller, "notify", notify)
    return seen


def _crash_window_text(runner: Any) -> str:
    dialog = runner.crashes.dialog
    return dialog.detailedText() if dialog is not None and dialog.isVisible() else ""


def test_our_error_in_a_task_without_a_handler_becomes_a_notice(
    qtbot, controller: TrayController, runner: Any, notices: list[tuple[str, str, bool]]
) -> None:
    def refused() -> None:
        raise StorageError("The disk is full. Free some space, then try again.")

    runner.db(refused)  # no on_error: the runner tells the user, once
    qtbot.waitUntil(lambda: bool(notices), timeout=3000)
    title, message, critical = notices[0]
    assert title == "Clockwork Desktop"
    assert message == "The disk is full. Free some space, then try again."
    assert critical
    assert _crash_window_text(runner) == ""  # ours is not a bug


def test_our_error_in_a_tray_action_shows_a_notice(
    qtbot, controller: TrayController, runner: Any, notices: list[tuple[str, str, bool]]
) -> None:
    controller.stop_timer()  # nothing runs: the tracker refuses with what is true
    qtbot.waitUntil(lambda: bool(notices), timeout=3000)
    assert notices == [("Clockwork Desktop", "No timer is running.", True)]


def test_a_bug_inside_stop_opens_the_crash_window_with_its_traceback(
    qtbot,
    controller: TrayController,
    services: AppServices,
    runner: Any,
    notices: list[tuple[str, str, bool]],
    monkeypatch,
) -> None:
    services.tracker.start("BUG-1")

    def broken_stop(**_kwargs: Any) -> None:
        raise RuntimeError("a bug in Stop")

    monkeypatch.setattr(services.tracker, "stop", broken_stop)
    controller.stop_timer()
    qtbot.waitUntil(lambda: "a bug in Stop" in _crash_window_text(runner), timeout=3000)
    details = _crash_window_text(runner)
    assert "Traceback" in details
    assert "broken_stop" in details  # the frame that raised, for the bug report
    assert notices == []  # a bug is not dressed up as a notice
    assert services.tracker.running() is not None  # nothing was lost


def _log(dialog: LogTimeDialog, qtbot: Any, key: str) -> None:
    qtbot.keyClicks(dialog.issue, key)
    qtbot.keyClicks(dialog.duration, "30m")
    dialog.day.setDate(dialog.day.date().fromString("2026-03-05", "yyyy-MM-dd"))
    dialog.use_start.setChecked(True)
    dialog.start.setText("09:15")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_a_form_keeps_its_inline_error(
    qtbot,
    controller: TrayController,
    services: AppServices,
    runner: Any,
    notices: list[tuple[str, str, bool]],
) -> None:
    services.tracker.log_time("A-2", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    dialog = LogTimeDialog(services, runner=runner)
    qtbot.addWidget(dialog)
    _log(dialog, qtbot, "b-1")
    qtbot.waitUntil(lambda: "overlap" in dialog.error.text(), timeout=3000)
    assert dialog.isEnabled()
    assert notices == []  # shown where the user looks: on the form
    assert _crash_window_text(runner) == ""


def test_a_bug_in_a_form_opens_the_crash_window_and_frees_the_form(
    qtbot,
    controller: TrayController,
    services: AppServices,
    runner: Any,
    notices: list[tuple[str, str, bool]],
    monkeypatch,
) -> None:
    def broken_log_time(*_args: Any, **_kwargs: Any) -> None:
        raise KeyError("a bug in Log time")

    monkeypatch.setattr(services.tracker, "log_time", broken_log_time)
    dialog = LogTimeDialog(services, runner=runner)
    qtbot.addWidget(dialog)
    _log(dialog, qtbot, "b-1")
    qtbot.waitUntil(lambda: "a bug in Log time" in _crash_window_text(runner), timeout=3000)
    assert "broken_log_time" in _crash_window_text(runner)
    assert dialog.isEnabled()  # the user can try again or cancel
    assert "error window" in dialog.error.text()
    assert notices == []
