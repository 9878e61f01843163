"""One running app per data folder; a second launch asks the first to show its picker.

A Unix socket in a private directory, watched with QSocketNotifier: this costs neither the
QtNetwork module (about 3 MiB and 6 ms at start-up) nor a thread. Windows uses QLocalServer.

The protocol is one line from the client, one line back: ``picker`` (a second launch; older
versions send it too) or ``pick`` (the `clockwork-desktop pick` verb, for a desktop shortcut)
both open the picker, and the app answers ``ok``. Anything else is answered ``unknown`` and
ignored. A client that sends nothing is only checking that the app runs.

Whether the app runs is the lock it holds in the data folder for its lifetime, and clients
find its socket from the path it records beside that lock (infra.running): the answer does
not depend on the asking shell's environment.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.infra.paths import ensure_private_dir
from clockwork_desktop.infra.running import (
    app_lock,
    forget_socket,
    record_socket,
    recorded_socket,
    socket_path,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QSocketNotifier

log = get_logger(__name__)

SHOW = "picker"  # a second launch of the app
PICK = "pick"  # the `pick` verb
COMMANDS = frozenset({SHOW, PICK})
REPLY_OK = b"ok\n"
REPLY_UNKNOWN = b"unknown\n"
MAX_LINE = 64
REPLY_WAIT_S = 1.0


def _answer(line: bytes) -> tuple[str | None, bytes]:
    """The command a line asks for (None when unknown) and what to send back."""
    command = line.strip().decode("ascii", "replace")
    if command in COMMANDS:
        return command, REPLY_OK
    return None, REPLY_UNKNOWN


class SingleInstance:
    def __init__(self, data_dir: Path, *, key: Path | None = None) -> None:
        """``key`` names the instance when it is not the data folder (the demo's is new
        every time, so it is named after the real folder instead)."""
        # The folder must exist before the socket's place is chosen, or two launches could
        # choose differently.
        ensure_private_dir(data_dir)
        self._folder = data_dir  # where the lock and the socket's path are kept
        self._data_dir = key or data_dir
        # The demo's folder is new every time: one demo at a time is its socket's answer.
        self._lock = None if key is not None else app_lock(data_dir)
        self._holding = False
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._qt_server: Any = None
        self._path: Path | None = None

    # -- the second launch ---------------------------------------------------------------------

    def signal_running(self) -> bool:
        """True when another app already runs for this data folder (it was asked to show up).
        False: this one is the app, and holds the data folder's lock from now on."""
        if self._lock is None:
            return self.send(SHOW)
        if self._take():
            return False
        if not self.send(SHOW):
            log.info("another app holds %s but did not answer (starting?)", self._folder)
        return True

    def _take(self) -> bool:
        if not self._holding and self._lock is not None:
            try:
                self._holding = self._lock.acquire()
            except OSError as exc:  # a folder we cannot write: nothing to swap under us either
                log.warning("cannot take the lock in %s: %s", self._folder, exc)
                return True
        return self._holding

    def send(self, command: str) -> bool:
        """Ask the running app to do ``command``; False when no app listens."""
        line = command.encode("ascii") + b"\n"
        if sys.platform == "win32":  # pragma: no cover - Windows only
            from PySide6.QtNetwork import QLocalSocket

            client = QLocalSocket()
            client.connectToServer(self._qt_name())
            if not client.waitForConnected(500):
                return False
            client.write(line)
            client.waitForBytesWritten(500)
            client.waitForReadyRead(int(REPLY_WAIT_S * 1000))
            client.disconnectFromServer()
            return True
        recorded = recorded_socket(self._folder) if self._lock is not None else None
        path = recorded or socket_path(self._data_dir)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(REPLY_WAIT_S)
            try:
                client.connect(str(path))
                client.sendall(line)
            except OSError:
                return False  # nobody listens: a stale socket from a crash, or none at all
            try:
                reply = client.recv(MAX_LINE)
            except OSError:
                reply = b""  # sent; an older app closes without answering
        if reply and reply != REPLY_OK:
            log.warning("the running app did not understand %r: %r", command, reply)
            return False
        return True

    # -- the first launch ----------------------------------------------------------------------

    def listen(self, on_message: Callable[[str], None]) -> None:
        if self._lock is not None and not self._take():
            log.warning("another app holds the lock of %s", self._folder)
        if sys.platform == "win32":  # pragma: no cover - Windows only
            from PySide6.QtNetwork import QLocalServer

            QLocalServer.removeServer(self._qt_name())
            self._qt_server = QLocalServer()
            self._qt_server.listen(self._qt_name())

            def accept() -> None:
                connection = self._qt_server.nextPendingConnection()
                if connection is not None:
                    connection.waitForReadyRead(200)
                    command, reply = _answer(bytes(connection.readAll().data()))
                    connection.write(reply)
                    connection.waitForBytesWritten(200)
                    connection.disconnectFromServer()
                    if command is not None:
                        on_message(command)

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
        if self._holding:
            record_socket(self._folder, path)
        from PySide6.QtCore import QSocketNotifier

        notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read)

        def accept() -> None:
            try:
                connection, _ = server.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(0.5)
                try:
                    data = connection.recv(MAX_LINE)
                except OSError:
                    return
                if not data:
                    return  # a probe: is the app running?
                command, reply = _answer(data)
                with contextlib.suppress(OSError):  # the client may have stopped waiting
                    connection.sendall(reply)
            if command is not None:
                on_message(command)

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
            self._path = None
        if self._qt_server is not None:  # pragma: no cover - Windows only
            self._qt_server.close()
        if self._holding and self._lock is not None:
            forget_socket(self._folder)
            self._lock.release()
            self._holding = False

    def _qt_name(self) -> str:
        user = os.environ.get("USERNAME") or "user"
        return f"clockwork-desktop-{user}-{zlib.crc32(str(self._data_dir).encode()):08x}"
