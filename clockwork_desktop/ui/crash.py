"""No silent crashes: an uncaught error (GUI thread or any other) and Qt's own messages go to
the log with their context, and an error is shown in one plain window with "Copy details".

The window is not modal, so the tray stays usable, and there is only ever one: errors that
follow while it is open are logged and added to its details. Details are redacted like the log
(auth headers, passwords in addresses), because people paste them into bug reports.
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QObject,
    Qt,
    QtMsgType,
    Signal,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication, QMessageBox

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.tokens import redact

log = get_logger(__name__)
qt_log = get_logger("qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: 10,
    QtMsgType.QtInfoMsg: 20,
    QtMsgType.QtWarningMsg: 30,
    QtMsgType.QtCriticalMsg: 40,
    QtMsgType.QtFatalMsg: 50,
}


class CrashReporter(QObject):
    # Errors from other threads reach the window through a queued signal.
    _occurred = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: QMessageBox | None = None
        self.details = ""
        self._previous: tuple[Any, Any, Any] | None = None
        self._occurred.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        previous_qt = qInstallMessageHandler(self._qt_message)
        self._previous = (sys.excepthook, threading.excepthook, previous_qt)
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook

    def uninstall(self) -> None:
        if self._previous is None:
            return
        sys.excepthook, threading.excepthook, previous_qt = self._previous
        qInstallMessageHandler(previous_qt)
        self._previous = None

    # -- the hooks (any thread) ---------------------------------------------------------------

    def _excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.exit(130)
            return
        where = threading.current_thread().name
        log.critical("uncaught error in %s", where, exc_info=(kind, error, tb))
        self._occurred.emit(_details(where, kind, error, tb))

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        where = args.thread.name if args.thread is not None else "a thread"
        kind = args.exc_type
        error = args.exc_value if args.exc_value is not None else kind()
        log.critical(
            "uncaught error in thread %s", where, exc_info=(kind, error, args.exc_traceback)
        )
        self._occurred.emit(_details(f"thread {where}", kind, error, args.exc_traceback))

    def _qt_message(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        level = _QT_LEVELS.get(kind, 30)
        where = f" ({context.file}:{context.line})" if context.file else ""
        qt_log.log(level, "%s%s", message, where)

    def report(self, error: BaseException, where: str) -> None:
        """A bug caught by the task runner: logged with its traceback, shown in the window
        (on the GUI thread, so the window shows before this returns)."""
        log.critical("error in %s", where, exc_info=error)
        self._show(_details(where, type(error), error, error.__traceback__))

    # -- the window (GUI thread) ----------------------------------------------------------------

    def _show(self, details: str) -> None:
        self.details = f"{self.details}\n\n{details}" if self.details else details
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.setDetailedText(self.details)
            return
        box = QMessageBox()
        box.setWindowTitle("Clockwork Desktop hit an error")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            "Something went wrong inside Clockwork Desktop. Time saved before this is kept, "
            "and the app keeps running. If it happens again, copy the details into a bug "
            "report; they are also in the log folder (tray menu › Open log folder)."
        )
        box.setDetailedText(self.details)
        copy = box.addButton("Copy details", QMessageBox.ButtonRole.ActionRole)
        # An action button closes the box unless its click is taken over.
        copy.clicked.disconnect()
        copy.clicked.connect(lambda: QApplication.clipboard().setText(self.details))
        box.addButton(QMessageBox.StandardButton.Close)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.finished.connect(self._closed)
        self.dialog = box
        box.show()

    def _closed(self) -> None:
        self.details = ""


def _details(
    where: str, kind: type[BaseException], error: BaseException, tb: TracebackType | None
) -> str:
    from clockwork_desktop import __version__

    lines = traceback.format_exception(kind, error, tb)
    return redact(
        f"Clockwork Desktop {__version__}, Python {sys.version.split()[0]}, in {where}\n"
        + "".join(lines)
    )
