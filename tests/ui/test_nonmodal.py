"""No window blocks the tray: the first-run sign-in, the crash-recovery question, Log time,
Settings, the comment, the away resolver and the entries window all leave its menu working."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget

from clockwork_desktop.app.gui import GuiApp
from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import AwayPeriod
from clockwork_desktop.ui.dialogs import EditEntryDialog, EntriesDialog
from clockwork_desktop.ui.tray import TrayController
from tests.conftest import FakeClock
from tests.support.tray import refreshed


@pytest.fixture
def gui(
    tmp_path: Path, services: AppServices, controller: TrayController, runner
) -> Iterator[GuiApp]:  # type: ignore[no-untyped-def]
    app = GuiApp(tmp_path / "unused", demo=False)
    app.services = services
    app.runner = runner
    app.controller = controller
    return app


@pytest.fixture
def modal_seen(qtbot) -> list[QWidget | None]:  # type: ignore[no-untyped-def]
    """What is application-modal shortly after the window opens; a modal one is closed so that
    a regression fails this test instead of hanging it."""
    seen: list[QWidget | None] = []

    def look() -> None:
        modal = QApplication.activeModalWidget()
        seen.append(modal)
        if modal is not None:
            modal.close()

    QTimer.singleShot(200, look)
    return seen


def _menu_still_works(qtbot, controller: TrayController) -> None:  # type: ignore[no-untyped-def]
    start = next(a for a in controller.menu.actions() if a.text() == "Start on issue…")
    start.trigger()
    qtbot.waitExposed(controller.picker)
    controller.picker.hide()


def test_first_run_sign_in_does_not_block_the_tray(
    qtbot, gui: GuiApp, controller: TrayController, modal_seen
) -> None:
    gui._first_run()
    qtbot.waitUntil(lambda: bool(modal_seen), timeout=3000)
    assert modal_seen == [None]
    dialog = gui.first_run_dialog
    assert dialog is not None
    assert dialog.isVisible()
    _menu_still_works(qtbot, controller)
    dialog.reject()
    qtbot.waitUntil(lambda: gui.services.store.get_setting("first_run_done", False), timeout=3000)


def test_crash_recovery_question_does_not_block_the_tray(
    qtbot,
    gui: GuiApp,
    controller: TrayController,
    services: AppServices,
    clock: FakeClock,
    modal_seen,
) -> None:
    services.tracker.start("PROJ-1")
    services.tracker.heartbeat()
    clock.advance(hours=15)  # the app died and the machine ran on
    gui._recover()
    qtbot.waitUntil(lambda: bool(modal_seen), timeout=3000)
    assert modal_seen == [None]
    question = gui.recovery.question
    assert question is not None
    assert question.isVisible()
    assert "not running from 15:00" in question.text()
    assert services.tracker.running() is None  # closed at its last heartbeat meanwhile
    _menu_still_works(qtbot, controller)
    keep = next(b for b in question.buttons() if b.text().startswith("Keep it"))
    keep.click()
    qtbot.waitUntil(lambda: controller.status.running is not None, timeout=3000)
    assert controller.status.running.issue_key == "PROJ-1"


# -- every window the tray opens ------------------------------------------------------------


def _never_modal(qtbot, modal_seen: list[QWidget | None]) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: bool(modal_seen), timeout=3000)
    assert modal_seen == [None]


def _nothing_modal_and_menu_works(qtbot, controller: TrayController, window: QWidget) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitExposed(window)
    assert QApplication.activeModalWidget() is None
    assert window.windowModality() == Qt.WindowModality.NonModal
    _menu_still_works(qtbot, controller)
    assert window.isVisible()


def _opens_once(qtbot, controller: TrayController, open_it, name: str):  # type: ignore[no-untyped-def]
    """Open a window from the tray, check it blocks nothing, ask again: the same window."""
    open_it()
    window = getattr(controller, name)
    assert window is not None
    _nothing_modal_and_menu_works(qtbot, controller, window)
    open_it()
    assert getattr(controller, name) is window
    return window


def test_log_time_leaves_the_tray_working_and_saves_through_a_signal(
    qtbot, controller: TrayController, services: AppServices, modal_seen
) -> None:
    dialog = _opens_once(qtbot, controller, controller.log_time, "log_dialog")
    qtbot.keyClicks(dialog.issue, "ABC-4")
    qtbot.keyClicks(dialog.duration, "20m")
    with qtbot.waitSignal(controller.sync_requested, timeout=3000):
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert not dialog.isVisible()
    today = services.tracker.today()
    assert [v.entry.issue_key for v in services.tracker.entries(today, today)] == ["ABC-4"]
    controller.log_time()  # closed: the next request opens a fresh, empty one
    assert controller.log_dialog is not dialog
    assert controller.log_dialog.issue.text() == ""
    controller.log_dialog.reject()
    _never_modal(qtbot, modal_seen)


def test_settings_leave_the_tray_working_and_cancel_closes(
    qtbot, controller: TrayController, modal_seen
) -> None:
    saved: list[bool] = []
    controller.settings_saved.connect(lambda: saved.append(True))
    dialog = _opens_once(qtbot, controller, controller.open_settings, "settings_dialog")
    dialog.reject()
    assert not dialog.isVisible()
    assert saved == []
    _never_modal(qtbot, modal_seen)


def test_edit_comment_leaves_the_tray_working(
    qtbot, controller: TrayController, services: AppServices, modal_seen
) -> None:
    services.tracker.start("PROJ-1")
    refreshed(qtbot, controller)
    dialog = _opens_once(qtbot, controller, controller.edit_comment, "comment_dialog")
    dialog.setTextValue("reviewing")
    dialog.accept()
    qtbot.waitUntil(lambda: services.tracker.running().comment == "reviewing", timeout=3000)  # type: ignore[union-attr]
    _never_modal(qtbot, modal_seen)


def test_away_resolver_leaves_the_tray_working(
    qtbot, controller: TrayController, services: AppServices, clock: FakeClock, modal_seen
) -> None:
    services.tracker.start("PROJ-1")
    clock.advance(hours=1)
    period = AwayPeriod(clock.now() - timedelta(minutes=30), clock.now(), "idle")
    controller.resolve_away(period)
    qtbot.waitUntil(lambda: controller.away_dialog is not None, timeout=3000)
    dialog = controller.away_dialog
    _nothing_modal_and_menu_works(qtbot, controller, dialog)
    controller.resolve_away(period)  # asked again while it is open: still one question
    qtbot.wait(50)
    assert controller.away_dialog is dialog
    dialog.discard.setChecked(True)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert dialog.choice == "discard"
    assert services.tracker.running() is not None
    _never_modal(qtbot, modal_seen)


def test_entries_window_opens_its_editors_without_blocking(
    qtbot, controller: TrayController, services: AppServices, runner, modal_seen
) -> None:
    entry = services.tracker.log_time("A-1", 3600)
    entries = EntriesDialog(services, day=services.tracker.today(), runner=runner)
    qtbot.addWidget(entries)
    entries.show()
    qtbot.waitUntil(lambda: entries.table.rowCount() == 1, timeout=3000)
    assert entries.windowModality() == Qt.WindowModality.NonModal
    entries.table.cellDoubleClicked.emit(0, 0)
    qtbot.waitUntil(lambda: entries.edit_dialog is not None, timeout=3000)
    edit = entries.edit_dialog
    _nothing_modal_and_menu_works(qtbot, controller, edit)
    entries.table.cellDoubleClicked.emit(0, 0)  # the same entry again: the same editor
    qtbot.wait(50)
    assert entries.edit_dialog is edit
    edit.comment.setText("checked")
    edit.save_button.click()
    qtbot.waitUntil(lambda: not edit.isVisible(), timeout=3000)
    assert services.tracker.get(entry.id).comment == "checked"  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: entries.table.item(0, 6).text() == "checked", timeout=3000)
    entries.add_button.click()
    log = entries.log_dialog
    assert log is not None
    _nothing_modal_and_menu_works(qtbot, controller, log)
    log.reject()
    _never_modal(qtbot, modal_seen)


def test_delete_confirmation_is_modal_to_its_own_window_only(
    qtbot, services: AppServices, runner
) -> None:
    entry = services.tracker.log_time("A-1", 3600)
    edit = EditEntryDialog(services, entry, runner=runner)
    qtbot.addWidget(edit)
    edit.show()
    edit.delete_button.click()
    box = edit.confirm
    assert box is not None
    qtbot.waitExposed(box)
    assert box.windowModality() == Qt.WindowModality.WindowModal
    assert box.parent() is edit  # it blocks the entry it would delete, nothing else
    box.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: edit.deleted, timeout=3000)
    today = services.tracker.today()
    assert services.tracker.entries(today, today) == []


def test_sign_in_from_settings_blocks_only_settings(qtbot, controller: TrayController) -> None:
    controller.open_settings()
    settings = controller.settings_dialog
    assert settings is not None
    qtbot.waitExposed(settings)
    qtbot.waitUntil(settings.sign_in_button.isEnabled, timeout=3000)  # once settings are read
    settings.sign_in_button.click()
    sign_in = settings.sign_in_dialog
    assert sign_in is not None
    qtbot.waitExposed(sign_in)
    assert sign_in.windowModality() == Qt.WindowModality.WindowModal
    assert sign_in.parent() is settings
    _menu_still_works(qtbot, controller)
    sign_in.reject()
    assert not sign_in.isVisible()
    assert settings.isVisible()
    settings.reject()
