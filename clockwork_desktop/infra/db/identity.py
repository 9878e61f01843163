"""Which store this is: a restored or copied database is a seam for exactly-once.

Jira has no idempotency key, so a database that comes back from a backup, or is copied to
another computer, holds pending entries that Jira may already have (posted from the newer
file, or from the other computer). Such entries are marked (``entries.verify_first``); the
sync looks each one up in Jira, by tag or fingerprint, before posting it, once.

How such a store is told apart, at the cost of one small file read on an ordinary open:

- the database carries an identity (table ``store_identity``), and the data folder a small
  file naming the identity of the database that belongs there (``store-id``);
- a restore writes ``restored`` into that file before it puts the backup in place;
- on open, a database whose identity is not the one the folder names (restored, copied in
  from elsewhere, or a file from before identities put where a newer one was) has its
  pending entries marked, then gets a new identity that the folder file names from then on,
  so a copy of the old file put back later is recognised too.

A folder without the file and a database without an identity is a new store, or one from
before identities in its own folder: it is given an identity, and nothing is marked.

Each backup copy gets an identity of its own (in the copy, never in the live database): a
copy put back by hand, not through ``restore``, is then another store even when the live
one kept its identity since the backup was taken.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from clockwork_desktop.core.logs import get_logger

log = get_logger(__name__)

SIDECAR_NAME = "store-id"
RESTORED = "restored"
_MAX_BYTES = 100


def _sidecar(data_dir: Path) -> Path:
    return data_dir / SIDECAR_NAME


def _read(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            text = f.read(_MAX_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("could not read %s (%s): the store is checked as a copy", path, exc)
        return ""
    return text.decode("ascii", "replace").strip()


def _write(path: Path, text: str) -> None:
    """Replace the file in one step (a crash leaves the old or the new name, never half)."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


def mark_restored(data_dir: Path) -> None:
    """Before a backup replaces the database: the next open checks its pending entries."""
    _write(_sidecar(data_dir), RESTORED)


def _identity(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT id FROM store_identity LIMIT 1").fetchone()
    return str(row[0]) if row else None


def _set_identity(conn: sqlite3.Connection, identity: str) -> None:
    conn.execute("DELETE FROM store_identity")
    conn.execute("INSERT INTO store_identity (id) VALUES (?)", (identity,))


def give_copy_its_own_identity(copy: Path) -> None:
    """A fresh identity in ``copy`` (a backup being written), so it never passes for the store
    it was taken from. A copy from before identities (no table) needs none: it has no name."""
    import uuid

    conn = sqlite3.connect(copy)
    try:
        with conn:
            if conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_identity'"
            ).fetchone():
                _set_identity(conn, str(uuid.uuid4()))
    finally:
        conn.close()


def check_identity(conn: sqlite3.Connection, data_dir: Path) -> int:
    """Mark the pending entries of a restored or copied store; how many were marked.

    The ordinary open reads one small file and one row and writes nothing. Any failure here
    is logged and leaves the database as it was: the check runs again on the next open.
    """
    try:
        return _check(conn, _sidecar(data_dir))
    except (sqlite3.Error, OSError) as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        log.warning("could not check whether the store was restored or copied: %s", exc)
        return 0


def _check(conn: sqlite3.Connection, sidecar: Path) -> int:
    named = _read(sidecar)
    if named is not None and named == _identity(conn):
        return 0
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have settled it meanwhile: look again under the write lock.
        named, current = _read(sidecar), _identity(conn)
        if named is not None and named == current:
            conn.execute("COMMIT")
            return 0
        marked = 0
        if named is not None or current is not None:
            marked = conn.execute(
                "UPDATE entries SET verify_first = 1 WHERE deleted = 0 "
                "AND sync_state IN ('pending', 'failed', 'conflict')"
            ).rowcount
        import uuid  # only when the identity changes: everyday commands stay fast

        fresh = str(uuid.uuid4())
        try:
            _write(sidecar, fresh)
        except OSError as exc:
            # The marks still count; the identity stays, so the next open looks again.
            log.warning("could not write %s (%s)", sidecar, exc)
        else:
            _set_identity(conn, fresh)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if marked:
        why = "restored from a backup" if named == RESTORED else "copied from another place"
        log.info(
            "the store was %s: %d entries will be looked up in Jira before posting", why, marked
        )
    return marked
