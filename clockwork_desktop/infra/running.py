"""Where the tray app listens for a second launch, and whether it is running now.

"Running" is a lock the tray app holds on ``app.lock`` in the data folder for its lifetime,
and the socket it listens on is written beside it (``app.socket``): neither depends on the
environment of the shell that asks (``XDG_RUNTIME_DIR`` is unset under ssh, cron or a TTY).
"""

from __future__ import annotations

import contextlib
import os
import zlib
from pathlib import Path

from clockwork_desktop.infra.lock import FileSyncLock, held_elsewhere

_UNIX_PATH_MAX = 100


def socket_path(data_dir: Path) -> Path:
    """A short path in a directory only this user can enter."""
    tag = f"{zlib.crc32(str(data_dir).encode()):08x}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    candidates = [Path(runtime)] if runtime else []
    candidates.append(data_dir)
    for folder in candidates:
        path = folder / f"clockwork-desktop-{tag}.sock"
        if folder.is_dir() and len(str(path)) < _UNIX_PATH_MAX:
            return path
    private = Path("/tmp") / f"clockwork-desktop-{os.getuid()}"  # noqa: S108 - 0700, checked
    private.mkdir(mode=0o700, exist_ok=True)
    if private.stat().st_uid != os.getuid() or private.stat().st_mode & 0o077:
        raise OSError(f"{private} is not private to this user")
    return private / f"{tag}.sock"


APP_LOCK_NAME = "app.lock"
SOCKET_NOTE_NAME = "app.socket"
_MAX_NOTE_BYTES = 4096


def app_lock(data_dir: Path) -> FileSyncLock:
    """The lock the tray app holds while it runs (and `restore` while it swaps the file)."""
    return FileSyncLock(data_dir / APP_LOCK_NAME)


def tray_app_running(data_dir: Path) -> bool:
    """True while a tray app for ``data_dir`` holds its lock, whatever this shell's
    environment; a crashed app's lock is gone with it."""
    return held_elsewhere(data_dir / APP_LOCK_NAME)


def record_socket(data_dir: Path, path: Path) -> None:
    """Write where the app listens beside its lock (private to the user, as the folder)."""
    note = data_dir / SOCKET_NOTE_NAME
    fd = os.open(note, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(f"{path}\n")


def forget_socket(data_dir: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (data_dir / SOCKET_NOTE_NAME).unlink()


def recorded_socket(data_dir: Path) -> Path | None:
    """Where the running app said it listens; None when it said nothing usable."""
    try:
        with open(data_dir / SOCKET_NOTE_NAME, "rb") as note:
            text = note.read(_MAX_NOTE_BYTES).decode("utf-8", "replace").strip()
    except OSError:
        return None
    path = Path(text) if text else None
    return path if path is not None and path.is_absolute() else None
