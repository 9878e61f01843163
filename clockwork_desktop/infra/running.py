"""Where the tray app listens for a second launch, and whether it is running now."""

from __future__ import annotations

import os
import socket
import sys
import zlib
from pathlib import Path

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


def tray_app_running(data_dir: Path) -> bool:
    """True when a tray app for ``data_dir`` answers on its socket.

    The probe connects and sends nothing, which the app ignores (a launch sends a message).
    Windows uses a named pipe that needs Qt to reach; there the sync lock alone guards.
    """
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return False
    if not data_dir.is_dir():
        return False
    try:
        path = socket_path(data_dir)
    except OSError:
        return False
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(1.0)
        try:
            client.connect(str(path))
        except OSError:
            return False  # a stale socket left by a crash
    return True
