"""The running timer: start, stop, pause, resume, discard, its comment, the heartbeat, crash
recovery and away time."""

from __future__ import annotations

import copy
from datetime import datetime

from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import InputError, OperationError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import AwayChoice, AwayPeriod, Entry, normalise_issue_key
from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.core.timer import (
    check_span,
    clamp_future,
    close_at,
    heartbeat_gap,
    is_orphaned,
)
from clockwork_desktop.services.tracker_base import StartResult, TrackerBase, one_transaction

log = get_logger(__name__)


class TimerActions(TrackerBase):
    # -- the running timer ------------------------------------------------------------------

    def running(self) -> Entry | None:
        return self._repo.running()

    @one_transaction(durable=True)
    def start(
        self,
        issue_key: str,
        *,
        at: datetime | None = None,
        comment: str = "",
        account: str | None = None,
    ) -> StartResult:
        """Start a timer; a running one stops at the same instant (no gap, no overlap).

        Starting the issue that is already running (with no other start time) changes nothing
        but the comment: it must not cut the timer into two entries.
        """
        key = normalise_issue_key(issue_key)
        requested_at = at
        with self._repo.atomic(durable=True):
            # "Now" is read once the write lock is held, as in stop(): a wait for another
            # process's write must not start the timer at an instant already past.
            now = self.now()
            at = clamp_future(at or now, now, "start", self.zone)
            check_span(
                at, now, f"{at.astimezone(self.zone):%Y-%m-%d %H:%M} is longer ago than that."
            )
            current = self._repo.running()
            if (
                current is not None
                and current.issue_key == key
                and requested_at is None
                and (account is None or account == current.account)
            ):
                if comment.strip():
                    current.comment = comment.strip()
                if current.paused:
                    self._end_pause(current, now)  # the same issue again: it continues
                self._repo.save(current)
                return StartResult(current, None, already_running=True)
            if current is not None and at < current.started_at:
                raise InputError(
                    f"{current.issue_key} has been running since "
                    f"{current.started_at.astimezone(self.zone):%H:%M}; a new timer must "
                    "start after that."
                )
            self._check_free(at, None, current.id if current else None)
            stopped = None
            if current is not None:
                close_at(current, at)
                current.last_seen_at = None
                if current.ended_at == current.started_at:
                    # Switched within the same second: the first timer tracked nothing.
                    self._repo.remove(current.id)
                else:
                    self._repo.save(current)
                stopped = current
            started = self._repo.add(
                NewEntry(
                    issue_key=key,
                    started_at=at,
                    ended_at=None,
                    tz=self.zone.key,
                    account=self._account_for(account),
                    comment=comment.strip(),
                )
            )
        log.info("timer started on %s (entry %d)", key, started.id)
        return StartResult(started, stopped)

    @one_transaction(durable=True)
    def stop(self, *, at: datetime | None = None, comment: str | None = None) -> Entry:
        with self._repo.atomic(durable=True):
            # "Now" is read once the write lock is held: a wait for another process's write
            # must not stop the timer at an instant that is already in the past.
            now = self.now()
            at = clamp_future(at or now, now, "stop", self.zone)
            current = self._repo.running()
            if current is None:
                raise OperationError("No timer is running.")
            if at < current.started_at:
                raise InputError(
                    f"The timer started at {current.started_at.astimezone(self.zone):%H:%M}; "
                    "it must stop after that."
                )
            check_span(
                current.started_at,
                at,
                f"{current.issue_key} has been running since "
                f"{current.started_at.astimezone(self.zone):%Y-%m-%d %H:%M}: stop it at an "
                "earlier time, or discard it.",
            )
            before = copy.deepcopy(current)
            close_at(current, at)
            current.last_seen_at = None
            if comment is not None:
                current.comment = comment.strip()
            if current.ended_at == current.started_at:
                self._repo.remove(current.id)  # stopped in the second it started: nothing to keep
            else:
                self._repo.save(current)
        if at < now:
            # The time between ``at`` and now is dropped: offer it back for a while.
            when = at.astimezone(self.zone).strftime("%H:%M")
            self._offer_undo(
                f"stop of {current.issue_key} at {when}",
                f"Stopped {current.issue_key} at {when}",
                [before],
            )
        log.info("timer stopped on %s (entry %d)", current.issue_key, current.id)
        return current

    @one_transaction(durable=True)
    def pause(self) -> Entry:
        """Stop counting without ending the entry: one entry, one worklog per day."""
        with self._repo.atomic(durable=True):
            current = self._repo.running()
            if current is None:
                raise OperationError("No timer is running.")
            if current.paused:
                raise OperationError(f"{current.issue_key} is already paused.")
            current.breaks.append((self.now(), None))
            self._repo.save(current)
        log.info("timer paused on %s (entry %d)", current.issue_key, current.id)
        return current

    def _end_pause(self, entry: Entry, at: datetime) -> None:
        start, _ = entry.breaks[-1]
        if at <= start:
            entry.breaks.pop()  # continued in the second it paused: no pause at all
        else:
            entry.breaks[-1] = (start, at)

    @one_transaction(durable=True)
    def resume(self, *, at: datetime | None = None) -> StartResult:
        """Continue a paused timer; with none, start again on the last issue."""
        with self._repo.atomic(durable=True):
            current = self._repo.running()
            if current is not None and current.paused and at is None:
                self._end_pause(current, self.now())
                self._repo.save(current)
                log.info("timer continued on %s (entry %d)", current.issue_key, current.id)
                return StartResult(current, None, already_running=True)
        last = self._repo.last_started()
        if last is None:
            raise OperationError("Nothing to resume: no entry has been tracked yet.")
        if last.running:
            raise OperationError(f"{last.issue_key} is already running.")
        return self.start(last.issue_key, at=at, account=last.account)

    @one_transaction(durable=True)
    def discard(self) -> Entry:
        with self._repo.atomic(durable=True):
            current = self._repo.running()
            if current is None:
                raise OperationError("No timer is running.")
            self._repo.remove(current.id)
        self._offer_undo(
            f"discard of {self._describe(current)}",
            f"Discarded {self._describe(current)}",
            [current],
        )
        log.info("timer discarded on %s", current.issue_key)
        return current

    @one_transaction()
    def set_comment(self, comment: str) -> Entry:
        with self._repo.atomic():
            current = self._repo.running()
            if current is None:
                raise OperationError("No timer is running.")
            current.comment = comment.strip()
            self._repo.save(current)
        return current

    # -- heartbeat, crash recovery, away time -----------------------------------------------

    @one_transaction()
    def heartbeat(self) -> AwayPeriod | None:
        """Record that the app is alive; report a sleep gap since the previous beat."""
        current = self._repo.running()
        if current is None:
            return None
        now = self.now()
        gap = None
        if current.last_seen_at is not None and not current.paused:
            gap = heartbeat_gap(current.last_seen_at, now)  # a pause is not time away
        self._repo.heartbeat(current.id, now)
        return gap

    @one_transaction(durable=True)
    def recover(self) -> Entry | None:
        """On app start: close a timer orphaned by a crash at its last heartbeat, for review."""
        now = self.now()
        with self._repo.atomic(durable=True):
            current = self._repo.running()
            if current is None or not is_orphaned(current, now):
                return None
            assert current.last_seen_at is not None
            close_at(current, current.last_seen_at)
            current.last_seen_at = None
            current.needs_review = True
            self._repo.save(current)
        log.warning("closed timer %d at its last heartbeat after a crash", current.id)
        return current

    @one_transaction(durable=True)
    def reopen(self, entry_id: int) -> Entry:
        """Keep counting an entry that recovery closed: it runs again from its start."""
        with self._repo.atomic(durable=True):
            entry = self._require(entry_id)
            if self._repo.running() is not None:
                raise OperationError("Another timer is running.")
            self._check_free(entry.started_at, None, entry.id)
            entry.ended_at = None
            entry.needs_review = False
            self._repo.save(entry)
        return entry

    @one_transaction(durable=True)
    def resolve_away(
        self, period: AwayPeriod, action: AwayChoice, other_issue: str | None = None
    ) -> Entry | None:
        """Apply the user's choice for an away period of the running timer.

        ``keep``: nothing changes. ``discard``: stop at the period's start and start again on the
        same issue now. ``stop``: stop at the start of the period. ``assign``: stop at the start,
        put the period on ``other_issue``, and continue the original issue now.

        Everything is checked before anything is written, and the whole choice is one
        transaction: a refused step leaves the running timer exactly as it was.
        """
        if action not in ("keep", "discard", "stop", "assign"):
            raise InputError(f"Unknown choice {action!r}: keep, discard, stop or assign.")
        other_key = None
        if action == "assign":
            if not other_issue or not other_issue.strip():
                raise InputError("Choose the issue to assign the away time to.")
            other_key = normalise_issue_key(other_issue)
        earlier_undo = self._undo  # the inner stop offers its own undo; a failure drops it
        try:
            return self._resolve(period, action, other_key)
        except BaseException:
            self._undo = earlier_undo
            raise

    def _resolve(
        self, period: AwayPeriod, action: AwayChoice, other_key: str | None
    ) -> Entry | None:
        with self._repo.atomic(durable=True):
            current = self._repo.running()
            if action == "keep":
                return current
            if current is None:
                raise OperationError("No timer is running.")
            cut = max(period.start, current.started_at)
            away = f"the time away ({format_duration(period.seconds)})"
            label, done = {
                "stop": (
                    f"stop at {cut.astimezone(self.zone):%H:%M}",
                    f"Stopped {current.issue_key}",
                ),
                "discard": (f"discard of {away}", f"Discarded {away}"),
                "assign": (f"assignment of {away}", f"Assigned {away} to {other_key}"),
            }[action]
            created = []
            before = copy.deepcopy(current)
            if action == "discard":
                # Time away is left out of the same entry, as a pause: no second entry.
                after_pauses = max([cut] + [end or cut for _, end in current.breaks])
                if after_pauses < period.end:
                    current.breaks.append((after_pauses, period.end))
                    self._repo.save(current)
                result = current
            else:
                result = self.stop(at=cut)
            if action == "assign":
                assert other_key is not None
                started = self.start(other_key, at=cut, account=current.account).started
                created.append(started.uuid)
                result = self.start(
                    current.issue_key, at=period.end, account=current.account
                ).started
                created.append(result.uuid)
        self._offer_undo(label, done, [before], created)
        return result
