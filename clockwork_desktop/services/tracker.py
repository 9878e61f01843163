"""TrackerService: every timer and entry operation the tray and the CLI offer.

The operations live by concern: the running timer in tracker_timers.py, manual entries,
edits and undo in tracker_entries.py, what they share in tracker_base.py; this module adds
the reads and keeps the public names.
"""

from __future__ import annotations

from datetime import date, datetime

from clockwork_desktop.core.days import local_day_bounds
from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.timer import display_state, will_log_seconds, worked_segments
from clockwork_desktop.services.tracker_base import (
    UNDO_WINDOW_S,
    EntryView,
    StartResult,
    Status,
    SyncSummary,
    UndoOffer,
    indicator,
)
from clockwork_desktop.services.tracker_entries import EntryEdits
from clockwork_desktop.services.tracker_timers import TimerActions

__all__ = [
    "UNDO_WINDOW_S",
    "EntryView",
    "StartResult",
    "Status",
    "SyncSummary",
    "TrackerService",
    "UndoOffer",
    "indicator",
]


class TrackerService(TimerActions, EntryEdits):
    def get(self, entry_id: int) -> Entry:
        return self._require(entry_id)

    # -- reading ----------------------------------------------------------------------------

    def view(self, entry: Entry) -> EntryView:
        now = self.now()
        policy = self._settings.rounding_policy(entry.account)
        return EntryView(
            entry=entry,
            duration_seconds=entry.duration_seconds(now),
            log_seconds=will_log_seconds(entry, policy, now),
            state=display_state(entry, policy, now),
        )

    def entries(self, first: date, last: date) -> list[EntryView]:
        lo, hi = local_day_bounds(first, last, self.zone)
        return [self.view(e) for e in self._repo.between(lo, hi)]

    def seconds_between(self, first: date, last: date) -> int:
        """Tracked seconds that fall on local days ``first`` to ``last``."""
        lo, hi = local_day_bounds(first, last, self.zone)
        now = self.now()
        return sum(
            worked
            for entry in self._repo.between(lo, hi)
            for seg, worked in worked_segments(entry, now, self.zone)
            if first <= seg.day <= last
        )

    def _outbox_split(self, now: datetime) -> tuple[int, set[int]]:
        """How many pending entries a sync will send, and the ids of those too short to log
        (they stay on this computer for good: not waiting for anything)."""
        policies: dict[str | None, RoundingPolicy] = {}
        waiting, too_short = 0, set()
        for entry in self._repo.outbox():
            if entry.account not in policies:
                policies[entry.account] = self._settings.rounding_policy(entry.account)
            if display_state(entry, policies[entry.account], now) is SyncState.TOO_SHORT:
                too_short.add(entry.id)
            else:
                waiting += 1
        return waiting, too_short

    def too_short_ids(self) -> set[int]:
        """Pending entries under Jira's minimum: ``status`` does not count them as pending,
        and neither does the health check."""
        return self._outbox_split(self.now())[1]

    def status(self) -> Status:
        now = self.now()
        current = self._repo.running()
        counts = self._repo.count_by_state()
        today = self.today()
        pending = counts.get(SyncState.PENDING.value, 0)
        return Status(
            running=current,
            elapsed_seconds=current.duration_seconds(now) if current else 0,
            today_seconds=self.seconds_between(today, today),
            sync=SyncSummary(
                pending=self._outbox_split(now)[0] if pending else 0,
                failed=counts.get(SyncState.FAILED.value, 0),
                conflict=counts.get(SyncState.CONFLICT.value, 0),
                last_synced=self._settings.get_setting("last_synced"),
            ),
        )
