"""One running app per data folder; a second launch asks the first to show its picker.

A Unix socket in a private directory, watched with QSocketNotifier: this costs neither the
QtNetwork module (about 3 MiB and 6 ms at start-up) nor a thread. Windows uses QLocalServer.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSocketNotifier

from clockwork_desktop.infra.paths import ensure_private_dir
from clockwork_desktop.infra.running import socket_path

MESSAGE = b"picker\n"


class SingleInstance:
    def __init__(self, data_dir: Path, *, key: Path | None = None) -> None:
        """``key`` names the instance when it is not the data folder (the demo's is new
        every time, so it is named after the real folder instead)."""
        # The folder must exist before the socket's place is chosen, or two launches could
        # choose differently.
        ensure_private_dir(data_dir)
        self._data_dir = key or data_dir
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._qt_server: Any = None
        self._path: Path | None = None

    # -- the second launch ---------------------------------------------------------------------

    def signal_running(self) -> bool:
        """True when another app already runs for this data folder (it was asked to show up)."""
        if sys.platform == "win32":  # pragma: no cover - Windows only
            from PySide6.QtNetwork import QLocalSocket

            client = QLocalSocket()
            client.connectToServer(self._qt_name())
            if not client.waitForConnected(500):
                return False
            client.write(MESSAGE)
            client.waitForBytesWritten(500)
            client.disconnectFromServer()
            return True
        path = socket_path(self._data_dir)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1.0)
            try:
                client.connect(str(path))
                client.sendall(MESSAGE)
            except OSError:
                return False  # nobody listens: a stale socket from a crash, or none at all
        return True

    # -- the first launch ----------------------------------------------------------------------

    def listen(self, on_message: Callable[[], None]) -> None:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            from PySide6.QtNetwork import QLocalServer

            QLocalServer.removeServer(self._qt_name())
            self._qt_server = QLocalServer()
            self._qt_server.listen(self._qt_name())

            def accept() -> None:
                connection = self._qt_server.nextPendingConnection()
                if connection is not None:
                    connection.waitForReadyRead(200)
                    if bytes(connection.readAll().data()).strip() == MESSAGE.strip():
                        on_message()
                    connection.disconnectFromServer()

            self._qt_server.newConnection.connect(accept)
            return
        path = socket_path(self._data_dir)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()  # left by a crash: signal_running() found nobody listening
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            server.bind(str(path))
        finally:
            os.umask(old_umask)
        server.listen(4)
        server.setblocking(False)
        self._server, self._path = server, path
        notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read)

        def accept() -> None:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(0.5)
                try:
                    data = connection.recv(64)
                except OSError:
                    return
            if data.strip() == MESSAGE.strip():
                on_message()

        notifier.activated.connect(accept)
        self._notifier = notifier

    def close(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._path is not None:
            with contextlib.suppress(FileNotFoundError):
                self._path.unlink()
        if self._qt_server is not None:  # pragma: no cover - Windows only
            self._qt_server.close()

    def _qt_name(self) -> str:
        user = os.environ.get("USERNAME") or "user"
        return f"clockwork-desktop-{user}-{zlib.crc32(str(self._data_dir).encode()):08x}"
