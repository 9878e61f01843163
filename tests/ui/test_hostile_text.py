"""Jira text with markup is shown as the characters it is, in every widget that shows it.

Qt guesses rich text for tooltips, message boxes and labels left on AutoText: an ``<img
src="file:///…">`` would be loaded, an ``<a href>`` opened in the browser.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocumentFragment
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QSystemTrayIcon

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.errors import JiraRefusedError
from clockwork_desktop.core.models import JiraUser
from clockwork_desktop.core.timesheet import WorkingTime, build_grid
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.timesheet import TimesheetWindow
from clockwork_desktop.ui.timesheet.models import TeamModel
from clockwork_desktop.ui.tray import TrayController
from tests.support.hostile import HTML_SUMMARY, MALLORY, seed_hostile
from tests.support.team import VIEWER_ZONE, WEEK
from tests.support.tray import refreshed


def shown(text: str, fmt: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt puts on screen for ``text`` in this format."""
    rich = fmt == Qt.TextFormat.RichText or (
        fmt == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
    )
    return QTextDocumentFragment.fromHtml(text).toPlainText() if rich else text


def on_next_modal(check) -> list[str]:  # type: ignore[no-untyped-def]
    """Run ``check`` on the modal window that opens next, then close it."""
    seen: list[str] = []

    def inspect() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(10, inspect)
            return
        seen.append(check(modal))
        modal.close()

    QTimer.singleShot(0, inspect)
    return seen


def test_picker_tooltip_menu_and_tray_show_markup_as_text(
    qtbot, controller: TrayController, services: AppServices, jira: FakeJira, monkeypatch
) -> None:
    seed_hostile(jira)
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    picker = controller.picker
    controller.show_picker()
    qtbot.waitUntil(lambda: picker.list.count() > 3, timeout=3000)
    items = [picker.list.item(i) for i in range(picker.list.count())]
    evil = next(i for i in items if i.text().startswith("EVIL-1"))
    assert shown(evil.toolTip()) == f"EVIL-1: {HTML_SUMMARY}"
    services.tracker.start("EVIL-1")
    refreshed(qtbot, controller)
    controller.update_menu()
    header = next(a.text() for a in controller.menu.actions() if a.text().startswith("EVIL-1"))
    assert header.startswith("EVIL-1 " + HTML_SUMMARY[:30])  # menus never render markup
    tooltip = controller.tooltip()
    assert "<" not in tooltip
    assert 'img src="file:///etc/passwd"' in tooltip
    # Notifications: desktop notification servers honour a markup subset in the body.
    sent: list[tuple[str, str]] = []

    class Tray(QSystemTrayIcon):
        def showMessage(self, title, message, *args) -> None:  # type: ignore[no-untyped-def]
            sent.append((title, message))

    monkeypatch.setattr(QSystemTrayIcon, "supportsMessages", staticmethod(lambda: True))
    controller.tray = Tray()
    try:
        controller.notify("<b>Jira</b>", f"EVIL-1: {HTML_SUMMARY}", critical=True)
    finally:
        controller.tray = None
    assert len(sent) == 1
    assert "<" not in "".join(sent[0])
    assert "Open" in sent[0][1]


def test_timesheet_tooltips_message_boxes_and_team_dialog_are_plain(
    qtbot, services: AppServices, runner
) -> None:
    window = TimesheetWindow(services, runner, services.timesheets)
    qtbot.addWidget(window)
    boxes = on_next_modal(lambda box: (box.textFormat(), box.text()))
    window.team.warn("People", JiraRefusedError(400, '<a href="https://evil.example">Open</a>'))
    qtbot.waitUntil(lambda: bool(boxes), timeout=3000)
    box_format, box_text = boxes[0]  # type: ignore[misc]
    assert shown(box_text, box_format) == '<a href="https://evil.example">Open</a>'
    window.team._choose_people()
    dialog = window.team.people_dialog
    assert dialog is not None
    dialog.show_results("<b>x</b>", [])
    dialog.show_results("mal", [JiraUser(MALLORY.account_id, MALLORY.display_name, None, "UTC")])
    assert dialog.results.item(0).text() == MALLORY.display_name  # list items are plain text
    dialog.show_results("<b>x</b>", [])
    labels = [shown(lb.text(), lb.textFormat()) for lb in dialog.findChildren(QLabel)]
    assert any("<b>x</b>" in text for text in labels)
    dialog.close()
    team = TeamModel()
    hostile_id = '<img src="file:///etc/passwd">'
    team.set_grid(build_grid([], [(hostile_id, "Mallory")], WEEK, VIEWER_ZONE, WorkingTime()))
    assert shown(team.data(team.index(0, 0), Qt.ItemDataRole.ToolTipRole)) == hostile_id


def test_message_box_format_is_checked(qtbot) -> None:
    """The helper above must tell plain from rich, or the test proves nothing."""
    assert shown("<b>x</b>") == "x"
    assert shown("<b>x</b>", QMessageBox().textFormat()) == "x"
    assert shown("<b>x</b>", Qt.TextFormat.PlainText) == "<b>x</b>"
