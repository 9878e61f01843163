"""The periodic sync job on APScheduler 3.x.

One job, ``max_instances=1`` and ``coalesce=True``: a run that is due while another is still
going is merged into it, never stacked. "Sync now", a stopped timer, the network coming back
and waking from sleep all call :meth:`SyncScheduler.run_soon`, which moves the same job's
next run to now. Across processes the SyncService's lock file keeps syncs apart.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from clockwork_desktop.core.logs import get_logger

log = get_logger(__name__)

DEFAULT_INTERVAL_S = 5 * 60
JOB_ID = "sync"


class SyncScheduler:
    def __init__(self, job: Callable[[], Any], interval_s: float = DEFAULT_INTERVAL_S) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._job = job
        self._interval_s = interval_s
        self._state = threading.Lock()
        self._running = False
        self._again = False
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )

    def _run(self) -> None:
        while True:
            with self._state:
                self._running = True
                self._again = False
            try:
                self._job()
            except Exception:  # the scheduler must survive a failing run
                log.exception("scheduled sync failed")
            with self._state:
                self._running = False
                if not self._again:
                    return

    def start(self) -> None:
        self._scheduler.add_job(
            self._run,
            "interval",
            seconds=self._interval_s,
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()

    def run_soon(self) -> None:
        """Run the sync now (or right after the running one): "Sync now", wake, network back."""
        with self._state:
            if self._running:
                self._again = True  # one more run right after this one, not a second at once
                return
        job = self._scheduler.get_job(JOB_ID)
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    def set_interval(self, seconds: float) -> None:
        self._interval_s = seconds
        if self._scheduler.get_job(JOB_ID) is not None:
            self._scheduler.reschedule_job(JOB_ID, trigger="interval", seconds=seconds)

    @property
    def interval_s(self) -> float:
        return self._interval_s

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
