"""The plumbing every store adapter shares: one connection, one owner, one transaction.

Each port (entries, settings, accounts, issues, sync bookkeeping, team cache, history, health)
has its own adapter class in its own module; all of them run over one ``Db``. In the tray app
the connection belongs to one thread, the DB owner (infra.db.owner): every public adapter
method called on another thread runs there and is waited for (see ``owned``), and
``transaction(fn)`` runs ``fn`` there as one transaction. ``atomic()`` is for code already on
the owner (the adapters themselves, services the tray runs on its DB worker, the command line).

Queries use the standard ``sqlite3`` module directly: the CLI answers in a few tens of
milliseconds, and importing sqlite-utils alone would cost several times that.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from clockwork_desktop.infra.db.database import translate_error

if TYPE_CHECKING:
    from clockwork_desktop.infra.db.owner import DbOwner

T = TypeVar("T")
A = TypeVar("A", bound=type)


def ts(at: datetime | None) -> int | None:
    return None if at is None else int(at.timestamp())


def dt(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, UTC)


def at_utc(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def wall_now() -> datetime:
    return datetime.now(UTC)


class Db:
    """One connection and how statements reach it; shared by every adapter of one store."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path | None,
        now: Callable[[], datetime],
        owner: DbOwner | None,
    ) -> None:
        self.conn = conn
        self.path = path
        # The app's clock: creation and first-sync instants feed the measured service levels.
        self.now = now
        self.owner = owner
        self._depth = 0
        # With an owner, one thread runs every statement: nothing to keep apart. Without one
        # (the command line), the sync's workers share the connection: one at a time.
        self.lock: AbstractContextManager[Any] = (
            contextlib.nullcontext() if owner is not None else threading.RLock()
        )

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            with self.lock:
                return self.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path) from exc

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            with self.lock:
                self.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path) from exc

    @contextmanager
    def atomic(self, durable: bool = False) -> Iterator[None]:
        if self.owner is not None and not self.owner.is_current():
            raise RuntimeError(
                "atomic() on a thread that does not own the database: use transaction(fn)"
            )
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            conn = self.conn
            try:
                if durable:
                    conn.execute("PRAGMA synchronous = FULL")
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path) from exc
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            else:
                self._depth = 0
                try:
                    conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise translate_error(exc, self.path) from exc
            finally:
                if durable:
                    conn.execute("PRAGMA synchronous = NORMAL")


def owned(cls: A) -> A:
    """Every public method of ``cls`` runs on the database's owner when there is one.

    ``atomic`` is left alone: its body would run on the caller's thread, so it refuses other
    threads instead. Applied to each adapter class, so a store composed of several adapters
    hops to the owner once per call, whichever adapter the method comes from.
    """
    for name, method in list(vars(cls).items()):
        if not name.startswith("_") and name != "atomic" and isinstance(method, types.FunctionType):
            setattr(cls, name, _on_owner(method))
    return cls


def _on_owner(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def run(self: DbAdapter, *args: Any, **kwargs: Any) -> T:
        owner = self._db.owner
        if owner is None or owner.is_current():
            return method(self, *args, **kwargs)
        return owner.call(lambda: method(self, *args, **kwargs))

    return run


@owned
class DbAdapter:
    """What every adapter has: its ``Db``, transactions, and the connection for the few that
    need it (backups, the self-test, tests reading raw rows)."""

    def __init__(self, db: Db) -> None:
        self._db = db

    @property
    def db(self) -> Db:
        return self._db

    @property
    def connection(self) -> sqlite3.Connection:
        return self._db.conn

    def close(self) -> None:
        self._db.conn.close()

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, params)

    def atomic(self, durable: bool = False) -> AbstractContextManager[None]:
        return self._db.atomic(durable)

    def transaction(self, fn: Callable[[], T], durable: bool = False) -> T:
        """Run ``fn`` as one transaction (see core.ports.Transactional)."""
        with self._db.atomic(durable):
            return fn()
