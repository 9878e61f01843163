"""What the health checks need from the machine: the keyring, free space, the backups."""

from __future__ import annotations

import os
import shutil
from datetime import datetime
from pathlib import Path

from clockwork_desktop.core.models import TOKEN_ENV_VAR
from clockwork_desktop.infra.backup import Backups


class MachineHealth:
    def __init__(self, data_dir: Path, environ: dict[str, str] | None = None) -> None:
        self._data_dir = data_dir
        self._backups = Backups(data_dir)
        self._env = environ if environ is not None else dict(os.environ)

    def keyring_backend(self) -> str | None:
        import keyring
        from keyring.backends import fail

        try:
            backend = keyring.get_keyring()
        except Exception:  # a broken keyring configuration: no usable keyring
            return None
        if isinstance(backend, fail.Keyring) or getattr(backend, "backends", None) == []:
            return None
        name = getattr(backend, "name", "") or type(backend).__name__
        return str(name)

    def env_token_set(self) -> bool:
        return bool(self._env.get(TOKEN_ENV_VAR, "").strip())

    def free_bytes(self) -> int:
        return int(shutil.disk_usage(self._data_dir).free)

    def newest_backup(self) -> tuple[str, datetime] | None:
        newest = self._backups.newest()
        return (newest.name, newest.taken_at) if newest else None

    def backup_count(self) -> int:
        return len(self._backups.all())
