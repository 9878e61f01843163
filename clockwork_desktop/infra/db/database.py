"""Opening the database file safely: permissions, WAL, migrations, corruption, newer versions."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from clockwork_desktop.core.errors import StorageError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.infra.db.identity import check_identity
from clockwork_desktop.infra.db.migrations import SCHEMA_VERSION, migrate
from clockwork_desktop.infra.paths import DB_FILENAME, ensure_private_dir, is_writable

log = get_logger(__name__)

BUSY_TIMEOUT_MS = 5000
_CORRUPT_MARKERS = ("not a database", "malformed", "corrupt", "encrypted")
MAX_ROWID = 2**63 - 1


def _damage_mark(path: Path) -> Path:
    """Left beside the file when a query met a damaged page: the next open checks the file."""
    return path.with_name(f"{path.name}.damaged")


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


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite's error says the file itself is damaged (not busy, full or refused)."""
    text = str(exc).lower()
    return any(marker in text for marker in _CORRUPT_MARKERS)


def mark_damaged(path: Path) -> None:
    """Have the next open check ``path`` and, if it is damaged, move it aside and recover."""
    try:
        _damage_mark(path).touch()
    except OSError:
        log.warning("could not mark %s as damaged", path)


def quick_check(path: Path) -> str:
    """``PRAGMA quick_check`` of the file at ``path``, read-only: "ok" or what is wrong."""
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)


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
        return StorageError(
            f"The database cannot be written{where}: check its permissions and those of its "
            "folder. Nothing was changed."
        )
    if is_damage(exc):
        if path is not None:
            mark_damaged(path)
        return StorageError(
            f"The database file is damaged{where}. Start Clockwork Desktop (or any command) "
            "again: the file will be checked, moved aside and kept as it is, and what can "
            "still be read copied into a new one."
        )
    return StorageError(f"Database error{where}: {exc}")


def _probe(conn: sqlite3.Connection) -> int:
    """Read the schema version; raises DatabaseError on a file that is not a valid database."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    return version


def _connect(path: Path, same_thread: bool) -> sqlite3.Connection:
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=same_thread
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _next_readable(old: sqlite3.Connection, next_row: str, after: int) -> int | None:
    """A rowid past ``after`` from which the table can be walked again, or None."""
    step = 1
    while after + step <= MAX_ROWID:
        try:
            old.execute(next_row, (after + step,)).fetchone()
            return after + step
        except sqlite3.DatabaseError:
            step *= 2
    return None


def _copy_table(
    old: sqlite3.Connection, new: sqlite3.Connection, table: str, columns: list[str]
) -> int:
    """Copy row by row, so that one unreadable page costs only the rows on it."""
    names = ", ".join(f'"{c}"' for c in columns)
    next_row = f'SELECT rowid FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT 1'  # noqa: S608
    read_row = f'SELECT {names} FROM "{table}" WHERE rowid = ?'  # noqa: S608
    insert = (
        f'INSERT OR IGNORE INTO "{table}" ({names}) '  # noqa: S608
        f"VALUES ({', '.join('?' * len(columns))})"
    )
    copied = 0
    after: int | None = -MAX_ROWID - 1
    while after is not None:
        try:
            found = old.execute(next_row, (after,)).fetchone()
        except sqlite3.DatabaseError:
            after = _next_readable(old, next_row, after)
            continue
        if found is None:
            break
        after = int(found[0])
        try:
            row = old.execute(read_row, (after,)).fetchone()
            if row is not None:
                new.execute(insert, row)
                copied += 1
        except sqlite3.DatabaseError:
            continue  # this row is on a damaged page (or breaks a constraint): skip it
    return copied


def _recover(conn: sqlite3.Connection, damaged: Path) -> dict[str, int]:
    """Rows per table copied from the damaged file (opened read-only) into ``conn``."""
    copied: dict[str, int] = {}
    try:
        old = sqlite3.connect(f"{damaged.as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return copied
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("BEGIN")
    try:
        for table in tables:
            try:
                have = [r[1] for r in old.execute(f'PRAGMA table_info("{table}")')]
            except sqlite3.DatabaseError:
                continue
            wanted = {r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')}
            columns = [c for c in have if c in wanted]
            if columns:
                copied[table] = _copy_table(old, conn, table, columns)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        old.close()
        conn.execute("PRAGMA foreign_keys = ON")
    return copied


def _check_if_marked(conn: sqlite3.Connection, path: Path) -> None:
    mark = _damage_mark(path)
    if not mark.exists():
        return
    check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    if check != "ok":
        raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
    mark.unlink(missing_ok=True)


def open_database(data_dir: Path, *, same_thread: bool = False) -> OpenedDatabase:
    """Open (creating or migrating as needed) the database in ``data_dir``.

    ``same_thread``: the connection may be used only on this thread (the tray app opens it
    on its DB owner, infra.db.owner); the command line shares it with the sync's workers.
    """
    ensure_private_dir(data_dir)
    path = data_dir / DB_FILENAME
    if not is_writable(data_dir):
        return _open_read_only(data_dir, path)
    notices: list[str] = []
    moved: Path | None = None
    damage = ""
    if not path.exists():
        _create_private_file(path)
    conn = _connect(path, same_thread)
    try:
        version = _probe(conn)
        if version and version < SCHEMA_VERSION:
            check = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(f"database disk image is malformed: {check}")
        _check_if_marked(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        if not is_damage(exc):
            raise translate_error(exc, path) from exc
        moved = _move_aside(path)
        _damage_mark(path).unlink(missing_ok=True)
        damage = (
            f"The database {path} was damaged ({exc}). It was moved to {moved} and kept "
            "as it was; a new database was started."
        )
        _create_private_file(path)
        conn = _connect(path, same_thread)
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
    if moved is not None:
        notices.append(f"{damage} {_recovery_notice(conn, moved)}")
    check_identity(conn, data_dir)
    for notice in notices:
        log.error("%s", notice)
    _chmod_private(path)
    return OpenedDatabase(conn, path, notices)


def _open_read_only(data_dir: Path, path: Path) -> OpenedDatabase:
    """A folder that cannot be written (a read-only mount, a locked-down copy) still shows
    what it holds; every change fails with SQLite's read-only error, which says so."""
    if not path.exists():
        raise StorageError(
            f"The data folder {data_dir} is read-only and holds no database yet. Make it "
            "writable, or choose another folder with --data-dir."
        )
    # Without a WAL beside it the file is complete as it is: nothing needs to be created.
    extra = "" if Path(f"{path}-wal").exists() else "&immutable=1"
    try:
        conn = sqlite3.connect(
            f"{path.as_uri()}?mode=ro{extra}",
            uri=True,
            isolation_level=None,
            timeout=BUSY_TIMEOUT_MS / 1000,
            check_same_thread=False,
        )
        version = _probe(conn)
    except sqlite3.Error as exc:
        raise translate_error(exc, path) from exc
    if version != SCHEMA_VERSION:
        conn.close()
        raise StorageError(
            f"The database {path} is of schema {version} and this version reads {SCHEMA_VERSION}"
            f", but its folder {data_dir} is read-only, so it cannot be upgraded. Make the "
            "folder writable, then try again. The file was not changed."
        )
    notice = (
        f"The data folder {data_dir} is read-only: what it holds is shown, and anything that "
        "changes your data fails until the folder can be written."
    )
    log.warning("%s", notice)
    return OpenedDatabase(conn, path, [notice])


def _recovery_notice(conn: sqlite3.Connection, moved: Path) -> str:
    try:
        copied = _recover(conn, moved)
    except sqlite3.Error as exc:
        log.exception("recovery from %s failed", moved)
        return f"Nothing could be recovered from the damaged file ({exc}); it is kept as it was."
    if not any(copied.values()):
        return "Nothing readable was left in the damaged file; the new database starts empty."
    rows = sum(copied.values())
    return (
        f"From the damaged file, {rows} readable rows were recovered into the new database, "
        f"{copied.get('entries', 0)} of them time entries. Check your recent entries: those "
        "on damaged pages are missing (the damaged file is kept)."
    )
