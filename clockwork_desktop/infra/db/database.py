"""Opening the database file safely: permissions, WAL, migrations, corruption, newer versions."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from clockwork_desktop.core.errors import StorageError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.infra.db.migrations import SCHEMA_VERSION, migrate
from clockwork_desktop.infra.paths import DB_FILENAME, ensure_private_dir

log = get_logger(__name__)

BUSY_TIMEOUT_MS = 5000
_CORRUPT_MARKERS = ("not a database", "malformed", "corrupt", "encrypted")


class OpenedDatabase:
    __slots__ = ("conn", "notices", "path")

    def __init__(self, conn: sqlite3.Connection, path: Path, notices: list[str]) -> None:
        self.conn = conn
        self.path = path
        self.notices = notices


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def _chmod_private(path: Path) -> None:
    if os.name != "posix":
        return
    for suffix in ("", "-wal", "-shm"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            os.chmod(candidate, 0o600)


def _create_private_file(path: Path) -> None:
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def _move_aside(path: Path) -> Path:
    """Rename a damaged file (and its WAL companions) out of the way; never overwrite it."""
    target = path.with_name(f"{path.name}.corrupt-{_stamp()}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{_stamp()}-{n}")
        n += 1
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            companion.rename(Path(f"{target}{suffix}"))
    return target


def _backup(conn: sqlite3.Connection, path: Path, version: int) -> Path:
    target = path.with_name(f"{path.name}.v{version}-backup-{_stamp()}")
    _create_private_file(target)
    dest = sqlite3.connect(target)
    try:
        conn.backup(dest)
    finally:
        dest.close()
    return target


def translate_error(exc: sqlite3.Error, path: Path | None = None) -> StorageError:
    """Our error with an actionable message for a failed SQLite operation."""
    text = str(exc).lower()
    where = f" ({path})" if path else ""
    if "disk is full" in text or "database or disk is full" in text:
        return StorageError(
            f"The disk is full{where}: nothing was changed. Free some space and try again."
        )
    if "locked" in text or "busy" in text:
        return StorageError(
            "The database is busy: another Clockwork Desktop process is writing. Try again."
        )
    if "readonly" in text or "read-only" in text:
        return StorageError(f"The database cannot be written{where}: check its permissions.")
    if any(marker in text for marker in _CORRUPT_MARKERS):
        return StorageError(
            f"The database file is damaged{where}. Start Clockwork Desktop again to move it "
            "aside and begin a new one; the damaged file is kept."
        )
    return StorageError(f"Database error{where}: {exc}")


def _probe(conn: sqlite3.Connection) -> int:
    """Read the schema version; raises DatabaseError on a file that is not a valid database."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return version


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_database(data_dir: Path) -> OpenedDatabase:
    """Open (creating or migrating as needed) the database in ``data_dir``."""
    ensure_private_dir(data_dir)
    path = data_dir / DB_FILENAME
    notices: list[str] = []
    if not path.exists():
        _create_private_file(path)
    conn = _connect(path)
    try:
        version = _probe(conn)
        if version and version < SCHEMA_VERSION:
            check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if not any(marker in str(exc).lower() for marker in _CORRUPT_MARKERS):
            raise translate_error(exc, path) from exc
        moved = _move_aside(path)
        notice = (
            f"The database {path} was damaged ({exc}). It was moved to {moved} and kept "
            "as it was; a new, empty database was started."
        )
        log.error("%s", notice)
        notices.append(notice)
        _create_private_file(path)
        conn = _connect(path)
        version = _probe(conn)

    if version > SCHEMA_VERSION:
        conn.close()
        raise StorageError(
            f"The database {path} was written by a newer Clockwork Desktop (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION}). Upgrade Clockwork Desktop, or use "
            "--data-dir to keep a separate database. The file was not changed."
        )
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if version < SCHEMA_VERSION:
            backup = None
            if version > 0:
                backup = _backup(conn, path, version)
                log.info("backed up schema %d database to %s before migrating", version, backup)
            try:
                migrate(conn, version)
            except Exception as exc:
                conn.close()
                log.exception("migration from schema %d failed", version)
                kept = f" A copy from before the upgrade is at {backup}." if backup else ""
                raise StorageError(
                    f"Upgrading the database {path} failed ({exc}); the failed step was undone."
                    + kept
                ) from exc
    except sqlite3.Error as exc:
        conn.close()
        raise translate_error(exc, path) from exc
    _chmod_private(path)
    return OpenedDatabase(conn, path, notices)
