"""Lock files: one held while a sync runs, so the tray app and the CLI never sync at once;
one held by the tray app for its lifetime (infra.running), so "is the app running" is known
from any shell.

The operating system drops the lock when the holding process dies, so a crash never leaves
a stale lock behind. fcntl.flock on Linux and macOS, msvcrt.locking on Windows.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO


class FileSyncLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        if self._handle is not None:
            return False
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+b")
        try:
            if sys.platform == "win32":  # pragma: no cover - Windows
                import msvcrt

                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        handle, self._handle = self._handle, None
        if handle is None:
            return
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def held_elsewhere(path: Path) -> bool:
    """True while another open file (this process's or another's) holds the lock ``path``.

    Only looks: the file is opened read-only and never created, so a read-only data folder
    answers too.
    """
    if sys.platform == "win32":  # pragma: no cover - Windows
        probe = FileSyncLock(path)
        if not path.exists():
            return False
        if probe.acquire():
            probe.release()
            return False
        return True
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # closing drops the shared lock, if it was taken
    return False
