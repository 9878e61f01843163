"""Where our files live: the platform's user data dir unless the user says otherwise."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from clockwork_desktop.core.errors import StorageError

APP_NAME = "clockwork-desktop"
DATA_DIR_ENV = "CLOCKWORK_DATA_DIR"
DB_FILENAME = "clockwork.db"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` first, then ``CLOCKWORK_DATA_DIR``, then the platform's user data dir."""
    chosen = override or os.environ.get(DATA_DIR_ENV)
    if chosen:
        return Path(chosen).expanduser().resolve()
    import platformdirs  # imported here: only needed when no directory was given

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` readable by its owner only (0700); use a folder that exists as it is.

    A folder the app did not make is never chmod-ed (``--data-dir /tmp`` must not close /tmp
    to everyone else), but one that is unsafe to keep time entries in is refused.
    """
    try:
        path.mkdir(mode=0o700)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return ensure_private_dir(path)
    except FileExistsError:
        check_folder(path)
        return path
    except OSError as exc:
        raise StorageError(
            f"The folder {path} cannot be made ({exc.strerror}). Choose another with --data-dir."
        ) from exc
    if os.name == "posix":
        os.chmod(path, 0o700)  # ours: mkdir's mode is narrowed by the umask, never widened
    return path


def check_folder(path: Path) -> None:
    """Refuse a folder that is not a folder, belongs to someone else, or anyone may write to."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise StorageError(
            f"The folder {path} cannot be read ({exc.strerror}). Choose another with --data-dir."
        ) from exc
    if not stat.S_ISDIR(info.st_mode):
        raise StorageError(f"{path} is a file, not a folder. Choose a folder with --data-dir.")
    if os.name != "posix":
        return
    if info.st_uid != os.geteuid():
        raise StorageError(
            f"The folder {path} belongs to another user, so your time entries would be theirs to "
            "read and change. Choose a folder of your own with --data-dir; nothing was written."
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & stat.S_IWOTH and not mode & stat.S_ISVTX:
        raise StorageError(
            f"The folder {path} is writable by every user, so anyone could replace your files "
            "there. Choose a folder of your own with --data-dir (or remove that permission); "
            "nothing was written."
        )


def is_writable(path: Path) -> bool:
    """Whether new files can be made in the folder ``path`` (the database's journal needs it)."""
    return os.access(path, os.W_OK | os.X_OK, effective_ids=os.access in os.supports_effective_ids)


def log_dir(base: Path) -> Path:
    return base / "logs"
