"""The one thread that owns the SQLite connection in the tray app.

The connection is opened on this thread (``check_same_thread`` stays on, so a slip is an
error, not a race), and every statement runs here: a store call made on another thread (the
sync, an automatic poll, the scheduler) is run here and waited for; a multi-statement
transaction from another thread is one function run here (``SqliteStore.transaction``).
Nothing run here waits for the network or for another thread, so nothing waits long for it.
The GUI's task runner uses it as its serial DB worker.

The command line is single-threaded but for the sync's workers; it keeps an owner-less store
(statements inline, kept apart by the store's lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class DbOwner(Executor):
    def __init__(self, name: str = "db") -> None:
        self._ident: int | None = None
        self._pool = ThreadPoolExecutor(1, thread_name_prefix=name, initializer=self._started)

    def _started(self) -> None:
        self._ident = threading.get_ident()

    def is_current(self) -> bool:
        """True on the owning thread."""
        return self._ident is not None and threading.get_ident() == self._ident

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        return self._pool.submit(fn, *args, **kwargs)

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` on the owning thread: at once when already there, else queued and waited
        for (its exception is raised here)."""
        if self.is_current():
            return fn()
        return self._pool.submit(fn).result()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=cancel_futures)
