"""The first-run sign-in and the crash-recovery question leave the tray menu working."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from clockwork_desktop.app.gui import GuiApp
from clockwork_desktop.app.services import AppServices
from clockwork_desktop.ui.tray import TrayController
from tests.conftest import FakeClock


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
