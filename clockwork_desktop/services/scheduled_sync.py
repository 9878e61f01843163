"""The tray's periodic sync, as one use case: push what waits, then bring in this week's
worklogs made elsewhere (Jira's web page, another computer), the import at most every
``IMPORT_EVERY_S``: it reads a whole week, and the push is what must not wait.

The scheduler runs ``run`` on its own thread; the database steps go to the database's owner.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account

if TYPE_CHECKING:
    from clockwork_desktop.services.sync import SyncReport

log = get_logger(__name__)

IMPORT_EVERY_S = 30 * 60


class Syncing(Protocol):
    def sync(self) -> SyncReport: ...

    def import_worklogs(self, account_name: str | None, first: date, last: date) -> int: ...


class ScheduledSync:
    def __init__(
        self,
        sync: Syncing,
        accounts: Callable[[], list[Account]],
        today: Callable[[], date],
        clock: Clock,
    ) -> None:
        self._sync = sync
        self._accounts = accounts
        self._today = today
        self._clock = clock
        self._last_import: float | None = None  # monotonic

    def run(self) -> SyncReport | None:
        """One scheduled run; None when no account is signed in (nothing to send or read)."""
        if not self._accounts():
            return None
        report = self._sync.sync()
        self._import_week(report)
        return report

    def _import_week(self, report: SyncReport) -> None:
        now = self._clock.monotonic()
        last = self._last_import
        if report.unavailable or (last is not None and now - last < IMPORT_EVERY_S):
            return
        today = self._today()
        monday = today - timedelta(days=today.weekday())
        try:
            self._sync.import_worklogs(None, monday, today)
        except Exception as exc:  # the push already happened; an import can wait
            log.info("import of my worklogs failed: %s", exc)
            return
        self._last_import = now
