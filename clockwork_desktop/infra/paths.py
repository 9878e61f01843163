"""Where our files live: the platform's user data dir unless the user says otherwise."""

from __future__ import annotations

import os
from pathlib import Path

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
    """Create ``path`` readable by its owner only (0700)."""
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        os.chmod(path, 0o700)
    return path


def log_dir(base: Path) -> Path:
    return base / "logs"
