"""Daily copies of the database, taken with SQLite's online backup API, the newest seven kept.

A copy is consistent even while another process writes (the API copies a snapshot), and it is
written under a temporary name first, so a crash never leaves a half copy that looks whole.
Restoring moves the current file (with its WAL) aside under a new name: nothing is overwritten;
the restored store's pending entries are looked up in Jira before they are posted.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from clockwork_desktop.core.errors import InputError, OperationError, StorageError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.infra.db.identity import mark_restored
from clockwork_desktop.infra.paths import DB_FILENAME, ensure_private_dir

log = get_logger(__name__)

BACKUP_DIRNAME = "backups"
KEEP_BACKUPS = 7
BACKUP_EVERY = timedelta(days=1)
_NAME = re.compile(r"^clockwork-(\d{8}T\d{6}Z)\.db$")
_STAMP = "%Y%m%dT%H%M%SZ"


class BackupInfo(NamedTuple):
    name: str
    taken_at: datetime
    size_bytes: int
    path: Path


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime(_STAMP)


def _private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)


def _copy(source: Path, target: Path, *, read_only: bool) -> None:
    """Copy the database ``source`` into a new private file ``target`` with the backup API."""
    if read_only:
        src = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True, timeout=5)
    else:
        src = sqlite3.connect(source, timeout=5)
    try:
        _private_file(target)
        dest = sqlite3.connect(target)
        try:
            src.backup(dest)
            # One self-contained file: a copy must not need a WAL beside it.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
    finally:
        src.close()


def _rename_with_wal(source: Path, target: Path) -> None:
    """Move a database file together with its WAL companions, which belong to its name."""
    source.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{source}{suffix}")
        if companion.exists():
            companion.rename(Path(f"{target}{suffix}"))


class Backups:
    """The backups of the database in ``data_dir``; ``now`` is the app's clock."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / BACKUP_DIRNAME
        self.database = data_dir / DB_FILENAME

    def all(self) -> list[BackupInfo]:
        """Newest first."""
        found: list[BackupInfo] = []
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        for name in names:
            match = _NAME.match(name)
            if match is None:
                continue
            taken = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
            path = self.folder / name
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            found.append(BackupInfo(name, taken, size, path))
        found.sort(key=lambda b: b.taken_at, reverse=True)
        return found

    def newest(self) -> BackupInfo | None:
        listed = self.all()
        return listed[0] if listed else None

    def is_due(self, now: datetime) -> bool:
        """Cheap: one directory listing, no database access."""
        if not self.database.exists():
            return False
        newest = self.newest()
        return newest is None or now - newest.taken_at >= BACKUP_EVERY

    def take(self, now: datetime) -> BackupInfo:
        """Copy the database now and keep only the newest ``KEEP_BACKUPS`` copies."""
        if not self.database.exists():
            raise OperationError(f"There is no database in {self.data_dir} to back up yet.")
        ensure_private_dir(self.folder)
        name = f"clockwork-{_stamp(now)}.db"
        target = self.folder / name
        partial = self.folder / f".{name}.partial"
        try:
            _copy(self.database, partial, read_only=False)
            partial.replace(target)
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            raise StorageError(
                f"The daily backup could not be written to {self.folder} ({exc}). Your data is "
                "unchanged; check the free space and permissions of that folder."
            ) from exc
        self.prune()
        log.info("database backed up to %s", target)
        return BackupInfo(name, now.replace(microsecond=0), target.stat().st_size, target)

    def take_if_due(self, now: datetime) -> BackupInfo | None:
        if not self.is_due(now):
            return None
        return self.take(now)

    def prune(self) -> list[str]:
        removed = []
        for old in self.all()[KEEP_BACKUPS:]:
            old.path.unlink(missing_ok=True)
            removed.append(old.name)
        return removed

    def find(self, name: str) -> BackupInfo:
        for backup in self.all():
            if backup.name == name:
                return backup
        known = ", ".join(b.name for b in self.all()) or "none yet"
        raise InputError(f"No backup named {name!r}. Backups: {known}.")

    def restore(self, name: str, now: datetime) -> Path:
        """Put backup ``name`` in place of the database; returns where the old file went.

        The caller makes sure no other process has the database open.
        """
        backup = self.find(name)
        try:
            check = sqlite3.connect(f"{backup.path.as_uri()}?mode=ro", uri=True)
            try:
                result = check.execute("PRAGMA quick_check(1)").fetchone()[0]
            finally:
                check.close()
        except sqlite3.Error as exc:
            result = str(exc)
        if result != "ok":
            raise OperationError(
                f"The backup {name} is damaged ({result}); nothing was changed. Choose another."
            )
        try:
            # Before the swap: whatever happens next, the next open looks up the pending
            # entries in Jira before posting them (infra.db.identity).
            mark_restored(self.data_dir)
        except OSError as exc:
            raise StorageError(
                f"Restoring {name} failed ({exc}); nothing was changed. Check the permissions "
                f"of {self.data_dir}."
            ) from exc
        aside = self._aside_name(now)
        if self.database.exists():
            _rename_with_wal(self.database, aside)
        try:
            _copy(backup.path, self.database, read_only=True)
        except (sqlite3.Error, OSError) as exc:
            self.database.unlink(missing_ok=True)
            if aside.exists():
                _rename_with_wal(aside, self.database)
            raise StorageError(
                f"Restoring {name} failed ({exc}); the database was put back as it was."
            ) from exc
        log.info("restored %s; the previous database is at %s", name, aside)
        return aside

    def _aside_name(self, now: datetime) -> Path:
        target = self.data_dir / f"{DB_FILENAME}.before-restore-{_stamp(now)}"
        n = 1
        while target.exists():
            target = self.data_dir / f"{DB_FILENAME}.before-restore-{_stamp(now)}-{n}"
            n += 1
        return target
