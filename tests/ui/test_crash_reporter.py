"""An error nobody caught is logged with its context and shown once, plainly, with its details
ready to copy (secrets removed)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import qWarning
from PySide6.QtWidgets import QApplication

from clockwork_desktop.ui.crash import CrashReporter

SECRET = "Bearer s3cr3t-t0ken-value"


@pytest.fixture
def reporter(qtbot) -> Iterator[CrashReporter]:  # type: ignore[no-untyped-def]
    crashes = CrashReporter()
    crashes.install()
    yield crashes
    crashes.uninstall()
    if crashes.dialog is not None:
        crashes.dialog.close()


def _raise(message: str) -> None:
    raise RuntimeError(message)


def test_an_uncaught_error_is_logged_and_shown_once_with_copyable_details(
    qtbot, reporter: CrashReporter, caplog
) -> None:
    caplog.set_level(logging.INFO)
    try:
        _raise(f"Jira said no to {SECRET}")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    qtbot.waitUntil(
        lambda: reporter.dialog is not None and reporter.dialog.isVisible(), timeout=2000
    )
    dialog = reporter.dialog
    assert dialog is not None
    assert QApplication.activeModalWidget() is None  # the tray keeps working
    assert "s3cr3t" not in dialog.text()
    assert any("uncaught" in r.getMessage() and r.exc_info for r in caplog.records)
    copy = next(b for b in dialog.buttons() if b.text() == "Copy details")
    copy.click()
    copied = QApplication.clipboard().text()
    assert "_raise" in copied  # the traceback, for a bug report
    assert "RuntimeError" in copied
    assert "s3cr3t" not in copied
    assert dialog.isVisible()  # copying does not close it

    # A second error while the first is shown: logged, one dialog still.
    thread = threading.Thread(target=_raise, args=("from a worker",), name="worker-7")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: "from a worker" in reporter.details, timeout=2000)
    assert reporter.dialog is dialog
    assert any("worker-7" in r.getMessage() for r in caplog.records)


def test_qt_warnings_go_to_the_log(qtbot, reporter: CrashReporter, caplog) -> None:
    caplog.set_level(logging.INFO)
    qWarning("something odd in a widget")
    assert any(
        r.levelno == logging.WARNING and "something odd in a widget" in r.getMessage()
        for r in caplog.records
    )
    assert reporter.dialog is None  # a warning is not a crash
