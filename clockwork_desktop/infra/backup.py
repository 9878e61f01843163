"""Daily copies of the database, taken with SQLite's online backup API, the newest seven kept.

A copy is consistent even while another process writes (the API copies a snapshot), and it is
written under a temporary name first, so a crash never leaves a half copy that looks whole.
Each copy is checked (``quick_check``) before it may count: a copy of a damaged database is kept
aside as ``clockwork-STAMP.damaged.db``, never listed as a backup and never the reason an older
one is deleted, so damage cannot rotate the last good backup out.
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
from clockwork_desktop.infra.db.database import is_damage, mark_damaged, quick_check
from clockwork_desktop.infra.db.identity import give_copy_its_own_identity, mark_restored
from clockwork_desktop.infra.paths import DB_FILENAME, ensure_private_dir

log = get_logger(__name__)

BACKUP_DIRNAME = "backups"
KEEP_BACKUPS = 7
BACKUP_EVERY = timedelta(days=1)
_NAME = re.compile(r"^clockwork-(\d{8}T\d{6}Z)\.db$")
_DAMAGED = re.compile(r"^clockwork-(\d{8}T\d{6}Z)\.damaged\.db$")
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


def _highest_entry_id(conn: sqlite3.Connection) -> int:
    """The highest entry id ever given out in this file (its AUTOINCREMENT counter)."""
    found = 0
    for query in (
        "SELECT seq FROM sqlite_sequence WHERE name = 'entries'",
        "SELECT max(id) FROM entries",
    ):
        try:
            row = conn.execute(query).fetchone()
        except sqlite3.Error:  # a file from before ids were kept (no sqlite_sequence)
            continue
        found = max(found, int(row[0] or 0) if row else 0)
    return found


def _carry_entry_ids(previous: Path, restored: Path) -> None:
    """Entry ids are never reused, across a restore too: the restored file's counter moves
    past every id the file it replaces gave out (a script may still hold one of them)."""
    try:
        # Without a WAL beside it the file is complete: read it as immutable, which leaves no
        # -wal and -shm files next to the copy set aside.
        clean = not Path(f"{previous}-wal").exists()
        mode = "mode=ro&immutable=1" if clean else "mode=ro"
        old = sqlite3.connect(f"{previous.as_uri()}?{mode}", uri=True)
        try:
            highest = _highest_entry_id(old)
        finally:
            old.close()
        new = sqlite3.connect(restored)
        try:
            if (
                highest > _highest_entry_id(new)
                and new.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'"
                ).fetchone()
            ):
                with new:
                    new.execute("DELETE FROM sqlite_sequence WHERE name = 'entries'")
                    new.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES ('entries', ?)", (highest,)
                    )
        finally:
            new.close()
    except sqlite3.Error as exc:
        # The restore itself holds; only ids given out after the backup may come again.
        log.warning("after the restore, entry ids could not be carried forward (%s)", exc)


class Backups:
    """The backups of the database in ``data_dir``; ``now`` is the app's clock."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.folder = data_dir / BACKUP_DIRNAME
        self.database = data_dir / DB_FILENAME

    def _names(self) -> list[str]:
        try:
            return os.listdir(self.folder)
        except FileNotFoundError:
            return []
        except NotADirectoryError:
            raise StorageError(
                f"{self.folder} is a file, not a folder, so no backup can be kept there. Move "
                "or rename that file; your data is unchanged."
            ) from None
        except OSError as exc:
            raise StorageError(
                f"The backups in {self.folder} cannot be read ({exc.strerror}); check that "
                "folder's permissions. Your data is unchanged."
            ) from exc

    def _listed(self, pattern: re.Pattern[str]) -> list[BackupInfo]:
        """Newest first; other files in the folder (a stray name, a note) are left alone."""
        found: list[BackupInfo] = []
        for name in self._names():
            match = pattern.match(name)
            if match is None:
                continue
            try:
                taken = datetime.strptime(match[1], _STAMP).replace(tzinfo=UTC)
            except ValueError:  # shaped like ours, but not a time: not one of ours
                log.warning("ignoring %r in the backups folder: not a backup's name", name)
                continue
            path = self.folder / name
            try:
                size = path.stat().st_size
            except FileNotFoundError:
                continue
            found.append(BackupInfo(name, taken, size, path))
        found.sort(key=lambda b: b.taken_at, reverse=True)
        return found

    def all(self) -> list[BackupInfo]:
        """The good backups, newest first."""
        return self._listed(_NAME)

    def damaged(self) -> list[BackupInfo]:
        """Copies that failed their check, kept aside, newest first."""
        return self._listed(_DAMAGED)

    def newest(self) -> BackupInfo | None:
        listed = self.all()
        return listed[0] if listed else None

    def is_due(self, now: datetime) -> bool:
        """Cheap: one directory listing, no database access. A damaged copy counts as today's
        attempt, so a damaged store is copied once a day, not after every command."""
        if not self.database.exists():
            return False
        tried = self._listed(_NAME) + self._listed(_DAMAGED)
        return not tried or now - max(b.taken_at for b in tried) >= BACKUP_EVERY

    def _folder(self) -> None:
        try:
            ensure_private_dir(self.folder)
        except (FileExistsError, NotADirectoryError):
            self._names()  # says what is in the way
            raise
        except OSError as exc:
            raise StorageError(
                f"The backups folder {self.folder} cannot be made ({exc.strerror}). Your data is "
                "unchanged; check the permissions of the data folder."
            ) from exc

    def take(self, now: datetime) -> BackupInfo:
        """Copy the database now; only a copy that passes its check may replace an older one."""
        if not self.database.exists():
            raise OperationError(f"There is no database in {self.data_dir} to back up yet.")
        self._folder()
        stamp = _stamp(now)
        target = self.folder / f"clockwork-{stamp}.db"
        partial = self.folder / f".{target.name}.partial"
        try:
            _copy(self.database, partial, read_only=False)
            check = quick_check(partial)
            if check == "ok":
                give_copy_its_own_identity(partial)  # put back by hand, it is another store
                partial.replace(target)
        except (sqlite3.Error, OSError) as exc:
            partial.unlink(missing_ok=True)
            if isinstance(exc, sqlite3.Error) and is_damage(exc):
                raise self._damaged(str(exc), None) from exc
            raise StorageError(
                f"The daily backup could not be written to {self.folder} ({exc}). Your data is "
                "unchanged; check the free space and permissions of that folder."
            ) from exc
        if check != "ok":
            aside = self.folder / f"clockwork-{stamp}.damaged.db"
            partial.replace(aside)
            self._prune(self.damaged())
            raise self._damaged(check, aside)
        self.prune()
        log.info("database backed up to %s", target)
        return BackupInfo(target.name, now.replace(microsecond=0), target.stat().st_size, target)

    def _damaged(self, problem: str, aside: Path | None) -> StorageError:
        """What to say when the database failed its check; the next open will check it too."""
        mark_damaged(self.database)
        log.error("the database failed its check while being backed up: %s", problem)
        kept = f"the copy was kept aside as {aside.name} and " if aside else ""
        recover = (
            "start Clockwork Desktop (or any command) again: the damaged file is moved aside, "
            "kept as it is, and what can still be read is copied into a new one."
        )
        newest = self.newest()
        if newest is None:
            choice = f"There is no good backup to go back to; {recover}"
        else:
            choice = (
                f"Your last good backup is {newest.name}: `clockwork-desktop restore "
                f"{newest.name}` puts it back (the damaged file is kept). Or {recover}"
            )
        return StorageError(
            f"The database is damaged ({problem}): {kept}no backup was replaced. {choice}"
        )

    def take_if_due(self, now: datetime) -> BackupInfo | None:
        if not self.is_due(now):
            return None
        return self.take(now)

    def prune(self) -> list[str]:
        """Only good backups push good backups out (``take`` prunes after a good copy)."""
        return self._prune(self.all())

    @staticmethod
    def _prune(listed: list[BackupInfo]) -> list[str]:
        removed = []
        for old in listed[KEEP_BACKUPS:]:
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
        if aside.exists():
            _carry_entry_ids(aside, self.database)
        log.info("restored %s; the previous database is at %s", name, aside)
        return aside

    def _aside_name(self, now: datetime) -> Path:
        target = self.data_dir / f"{DB_FILENAME}.before-restore-{_stamp(now)}"
        n = 1
        while target.exists():
            target = self.data_dir / f"{DB_FILENAME}.before-restore-{_stamp(now)}-{n}"
            n += 1
        return target
