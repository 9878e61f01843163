"""The Health page in Settings and the tray's "Copy diagnostics", offscreen with pytest-qt."""

from __future__ import annotations

import threading

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QPlainTextEdit

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.settings import SettingsDialog
from clockwork_desktop.ui.tray import TrayController


def test_health_tab_runs_the_checks_off_the_gui_thread_and_copies_a_redacted_report(
    qtbot, services: AppServices, runner, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com", name="work")
    services.tracker.log_time("PROJ-1", 600, comment="a private comment")
    threads: list[str] = []
    run = services.health.run

    def recording(**kwargs: bool):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return run(**kwargs)

    services.health.run = recording  # type: ignore[method-assign]
    dialog = SettingsDialog(services, runner)
    qtbot.addWidget(dialog)
    page = dialog.health
    assert page.report is None, "no request to Jira until the page is opened"
    dialog.tabs.setCurrentWidget(page)
    qtbot.waitUntil(lambda: page.report is not None, timeout=5000)
    assert threads
    assert threads[0] != threading.main_thread().name
    assert isinstance(page.text, QPlainTextEdit)
    shown = page.text.toPlainText()
    assert "account work" in shown
    assert "reachable, token accepted" in shown
    assert "99 % of stopped entries reach Jira within 10 minutes" in shown
    assert "clockwork-desktop" not in shown, "a GUI user is never sent to the command line"
    page.copy.click()
    copied = QGuiApplication.clipboard().text()
    assert "account work" in copied
    for secret in ("alice-token", "alice@example.com", "a private comment"):
        assert secret not in copied


def test_copy_diagnostics_in_the_tray_menu(
    qtbot, controller: TrayController, services: AppServices
) -> None:
    QGuiApplication.clipboard().clear()
    notices: list[tuple[str, str]] = []
    controller.notify = lambda title, text, **_kw: notices.append((title, text))  # type: ignore[method-assign]
    controller.update_menu()
    (copy,) = [a for a in controller.menu.actions() if a.text() == "Copy diagnostics"]
    copy.trigger()
    qtbot.waitUntil(lambda: bool(notices), timeout=5000)
    assert notices[0][0] == "Diagnostics copied"
    assert QGuiApplication.clipboard().text().startswith("Clockwork Desktop diagnostics")
