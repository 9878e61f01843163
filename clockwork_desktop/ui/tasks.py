"""Background work with results delivered on the GUI thread.

Network calls run in a small pool, database work in one serial worker; callbacks come back
through a queued Qt signal, so widgets are only ever touched on the GUI thread. In the app
the serial worker is the database's owner (given by the app), the one thread that runs every
statement; the runner then leaves its shutdown to the app, which closes the database on it.

Errors are handled here, once (docs/architecture.md §2.2). A task's ``on_error`` is for a
widget that shows the error where the user looks (a form's error line); it is called with
every error, so the widget can also put itself back. Without one, our own errors
(``ClockworkError``, whose message says what to do) become a notice through the one
``Notices`` the runner holds. Anything else is a bug: it always opens the crash window, with
its traceback. ``always`` runs after either outcome (before ``on_done``/``on_error``), for
the clean-up that must happen whatever the outcome (a busy flag, a disabled button).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.logs import get_logger

if TYPE_CHECKING:
    from clockwork_desktop.ui.crash import CrashReporter

log = get_logger(__name__)

SHUTDOWN_WAIT_S = 3.0
Callback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]
Cleanup = Callable[[], None]
_Then = tuple[Callback | None, ErrorCallback | None, Cleanup | None]
NOTICE_TITLE = "Clockwork Desktop"


def error_words(error: BaseException) -> str:
    """What a widget shows inline for a failed task: our message says what to do; a bug has
    its details in the crash window, which the runner has opened."""
    if isinstance(error, ClockworkError):
        return str(error)
    return "Not done: something went wrong inside Clockwork Desktop (details in the error window)."


class Notices(QObject):
    """The one way background work tells the user something. ``notify`` may be called on any
    thread (it is also the notifier of the nudges and the automatic timers); ``shown`` reaches
    the GUI thread through a queued signal, and the tray shows it."""

    shown = Signal(str, str, bool)  # title, message, critical

    def notify(self, title: str, message: str, actions: tuple[str, ...] = ()) -> None:
        self.shown.emit(title, message, False)

    def refused(self, error: ClockworkError) -> None:
        self.shown.emit(NOTICE_TITLE, str(error), True)


class TaskRunner(QObject):
    _finished = Signal(object)  # carries (future, on_done, on_error, always)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        db: Executor | None = None,
        notices: Notices | None = None,
        crashes: CrashReporter | None = None,
    ) -> None:
        super().__init__(parent)
        self.notices = notices if notices is not None else Notices(self)
        self._crashes = crashes
        self._network = ThreadPoolExecutor(4, thread_name_prefix="net")
        self._own_db = db is None
        self._db: Executor = (
            db if db is not None else ThreadPoolExecutor(1, thread_name_prefix="db")
        )
        self._finished.connect(self._deliver)
        self._closed = False
        self._pending: set[Future[Any]] = set()

    @property
    def crashes(self) -> CrashReporter:
        """The crash window's owner: the app's, or one of its own, made on the first bug."""
        if self._crashes is None:
            from clockwork_desktop.ui.crash import CrashReporter

            self._crashes = CrashReporter(self)
        return self._crashes

    def network(
        self,
        fn: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
        *,
        always: Cleanup | None = None,
    ) -> Future[Any]:
        return self._submit(self._network, fn, (on_done, on_error, always))

    def db(
        self,
        fn: Callable[[], Any],
        on_done: Callback | None = None,
        on_error: ErrorCallback | None = None,
        *,
        always: Cleanup | None = None,
    ) -> Future[Any]:
        return self._submit(self._db, fn, (on_done, on_error, always))

    def _submit(self, pool: Executor, fn: Callable[[], Any], then: _Then) -> Future[Any]:
        future = pool.submit(fn)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        future.add_done_callback(lambda f: self._finished.emit((f, then)))
        return future

    @Slot(object)
    def _deliver(self, item: tuple[Future[Any], _Then]) -> None:
        future, (on_done, on_error, always) = item
        if self._closed or future.cancelled():
            return
        if always is not None:
            always()
        error = future.exception()
        if error is None:
            if on_done is not None:
                on_done(future.result())
            return
        if isinstance(error, ClockworkError):
            log.info("a task was refused: %s", error)
            if on_error is None:
                self.notices.refused(error)
        else:
            self.crashes.report(error, "a background task")
        if on_error is not None:
            on_error(error)

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
