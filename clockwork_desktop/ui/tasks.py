"""Background work with results delivered on the GUI thread.

Network calls run in a small pool, database work in one serial worker; callbacks come back
through a queued Qt signal, so widgets are only ever touched on the GUI thread. In the app
the serial worker is the database's owner (given by the app), the one thread that runs every
statement; the runner then leaves its shutdown to the app, which closes the database on it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from clockwork_desktop.core.logs import get_logger

log = get_logger(__name__)

SHUTDOWN_WAIT_S = 3.0
Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


class TaskRunner(QObject):
    _finished = Signal(object)  # carries (future, on_done, on_error)

    def __init__(self, parent: QObject | None = None, *, db: Executor | None = None) -> None:
        super().__init__(parent)
        self._network = ThreadPoolExecutor(4, thread_name_prefix="net")
        self._own_db = db is None
        self._db: Executor = (
            db if db is not None else ThreadPoolExecutor(1, thread_name_prefix="db")
        )
        self._finished.connect(self._deliver)
        self._closed = False
        self._pending: set[Future[Any]] = set()

    def network(
        self,
        fn: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        return self._submit(self._network, fn, on_done, on_error)

    def db(
        self,
        fn: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
    ) -> Future[Any]:
        return self._submit(self._db, fn, on_done, on_error)

    def _submit(
        self,
        pool: Executor,
        fn: Callable[[], Any],
        on_done: Callback | None,
        on_error: ErrorCallback | None,
    ) -> Future[Any]:
        future = pool.submit(fn)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        future.add_done_callback(lambda f: self._finished.emit((f, on_done, on_error)))
        return future

    @Slot(object)
    def _deliver(self, item: tuple[Future[Any], Callback | None, ErrorCallback | None]) -> None:
        future, on_done, on_error = item
        if self._closed or future.cancelled():
            return
        error = future.exception()
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                log.error("background task failed", exc_info=error)
            return
        if on_done is not None:
            on_done(future.result())

    def shutdown(self, timeout_s: float = SHUTDOWN_WAIT_S) -> None:
        """Stop taking work; give running tasks a moment to finish before the DB closes."""
        self._closed = True
        self._network.shutdown(wait=False, cancel_futures=True)
        if self._own_db:
            self._db.shutdown(wait=False, cancel_futures=True)
        else:  # the app's DB owner goes on until the app closes the database on it
            for future in list(self._pending):
                future.cancel()
        wait(list(self._pending), timeout=timeout_s)
