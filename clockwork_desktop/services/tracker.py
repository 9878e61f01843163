"""TrackerService: every timer and entry operation the tray and the CLI offer."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Concatenate, NamedTuple, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.days import local_day_bounds
from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import InputError, NotFoundError, OperationError, OverlapError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import (
    AwayChoice,
    AwayPeriod,
    Entry,
    SyncState,
    normalise_issue_key,
)
from clockwork_desktop.core.ports import EntryRepository, NewEntry, SettingsStore
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.timeinput import local_wall_to_utc
from clockwork_desktop.core.timer import (
    check_order,
    check_span,
    clamp_future,
    close_at,
    describe_entry,
    display_state,
    heartbeat_gap,
    is_orphaned,
    latest_free_start,
    will_log_seconds,
    worked_segments,
)

log = get_logger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


def _one_transaction(
    durable: bool = False,
) -> Callable[
    [Callable[Concatenate[TrackerService, P], R]], Callable[Concatenate[TrackerService, P], R]
]:
    """The whole use case is one store transaction, run where the database is owned (in the
    tray app, its DB worker), whichever thread calls it: the sync, an automatic poll, a test."""

    def wrap(
        method: Callable[Concatenate[TrackerService, P], R],
    ) -> Callable[Concatenate[TrackerService, P], R]:
        @functools.wraps(method)
        def run(self: TrackerService, /, *args: P.args, **kwargs: P.kwargs) -> R:
            return self._repo.transaction(lambda: method(self, *args, **kwargs), durable)

        return run

    return wrap


DEFAULT_DAY_START = time(9, 0)
# How long a discard, delete or stop at a past time can be taken back.
UNDO_WINDOW_S = 60


MAX_LOG_SECONDS = 24 * 3600  # one log is one day's work at most


class EntryView(NamedTuple):
    entry: Entry
    duration_seconds: int
    log_seconds: int
    state: SyncState


class SyncSummary(NamedTuple):
    pending: int
    failed: int
    conflict: int
    last_synced: str | None


class Status(NamedTuple):
    running: Entry | None
    elapsed_seconds: int
    today_seconds: int
    sync: SyncSummary


def indicator(status: Status, *, unreachable: bool, needs_sign_in: bool) -> str:
    """The tray icon's state: the timer (running, paused or none), plus the most urgent sync
    problem.

    The timer always shows, with a problem beside it: no token to send with (the user must
    sign in), then a refused entry (the user must act), then "offline" (nothing to do but
    wait); "pending" when there is no timer. Signed out is not offline: Jira may answer, this
    computer just has nothing to send with.
    """
    problem = ""
    if needs_sign_in:
        problem = "signed-out"
    elif status.sync.failed or status.sync.conflict:
        problem = "failed"
    elif unreachable:
        problem = "offline"
    if status.running is not None:
        timer = "paused" if status.running.paused else "running"
        return f"{timer}-{problem}" if problem else timer
    if problem:
        return problem
    return "pending" if status.sync.pending else "idle"


class StartResult(NamedTuple):
    started: Entry
    stopped: Entry | None
    already_running: bool = False  # the issue was running: nothing was started or stopped


class UndoOffer(NamedTuple):
    label: str  # e.g. "Undo discard of PROJ-1 (12m)"
    done: str  # what happened, e.g. "Discarded PROJ-1 (12m)"
    expires_at: datetime


class _UndoRecord(NamedTuple):
    """How to take back the last change that lost time: the rows as they were before it, and
    the rows it created."""

    offer: UndoOffer
    before: tuple[Entry, ...]
    created: tuple[str, ...]  # uuids: a row id may be reused once its row is gone


class TrackerService:
    def __init__(
        self, repo: EntryRepository, settings: SettingsStore, clock: Clock, zone: ZoneInfo
    ) -> None:
        self._repo = repo
        self._settings = settings
        self._clock = clock
        self.zone = zone
        self._undo: _UndoRecord | None = None

    # -- helpers ---------------------------------------------------------------------------

    def now(self) -> datetime:
        return self._clock.now()

    def today(self) -> date:
        return self.now().astimezone(self.zone).date()

    def _require(self, entry_id: int) -> Entry:
        entry = self._repo.get(entry_id)
        if entry is None or entry.deleted:
            raise NotFoundError(f"There is no entry #{entry_id}. See `entries` for the ids.")
        return entry

    def _check_free(self, start: datetime, end: datetime | None, exclude: int | None) -> None:
        other = self._repo.overlapping(start, end, exclude)
        if other is not None:
            raise OverlapError(
                f"That would overlap entry {describe_entry(other, self.now())}. "
                "Edit or delete that entry first, or choose another time."
            )

    def _account_for(self, account: str | None) -> str | None:
        if account is None:
            return self._settings.default_account()
        known = self._settings.account_names()
        if account not in known:
            listed = ", ".join(known) or "none yet; sign in with `login`"
            raise InputError(f"No Jira account named {account!r} (accounts: {listed}).")
        return account

    def _mark_changed(self, entry: Entry) -> None:
        """A local change: bump the revision and queue a push if Jira holds an older copy.

        Editing an entry in conflict is the user's answer to it: their version wins, so the
        next sync overwrites what changed in Jira and re-creates what was deleted there.
        """
        entry.revision += 1
        if entry.sync_state is SyncState.CONFLICT:
            entry.remote = {day: w._replace(force=True) for day, w in entry.remote.items()}
        if entry.sync_state in (SyncState.SYNCED, SyncState.FAILED, SyncState.CONFLICT):
            entry.sync_state = SyncState.PENDING
            entry.error = None

    # -- the running timer ------------------------------------------------------------------

    def running(self) -> Entry | None:
        return self._repo.running()

    @_one_transaction(durable=True)
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

    @_one_transaction(durable=True)
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

    @_one_transaction(durable=True)
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

    @_one_transaction(durable=True)
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

    @_one_transaction(durable=True)
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

    @_one_transaction()
    def set_comment(self, comment: str) -> Entry:
        with self._repo.atomic():
            current = self._repo.running()
            if current is None:
                raise OperationError("No timer is running.")
            current.comment = comment.strip()
            self._repo.save(current)
        return current

    # -- heartbeat, crash recovery, away time -----------------------------------------------

    @_one_transaction()
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

    @_one_transaction(durable=True)
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

    @_one_transaction(durable=True)
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

    @_one_transaction(durable=True)
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

    # -- manual entries and corrections -----------------------------------------------------

    @_one_transaction(durable=True)
    def log_time(
        self,
        issue_key: str,
        seconds: int,
        *,
        day: date | None = None,
        start_time: time | None = None,
        comment: str = "",
        account: str | None = None,
    ) -> Entry:
        key = normalise_issue_key(issue_key)
        if seconds <= 0:
            raise InputError("A duration must be longer than zero.")
        if seconds > MAX_LOG_SECONDS:
            raise InputError(
                f"{format_duration(seconds)} does not fit in one day: at most 24h can be logged "
                "at once. Log each day on its own."
            )
        now = self.now()
        day = day or self.today()
        length = timedelta(seconds=seconds)
        if start_time is not None:
            start = local_wall_to_utc(day, start_time, self.zone)
        elif day == self.today():
            start = self._latest_free_today(length, now)
        else:
            start = self._free_on(day, length, now)
        end = start + length
        if end > now:
            clamp_future(
                end, now, "end", self.zone
            )  # refuses a manual entry that ends in the future
            start, end = now - length, now
        check_order(start, end)
        with self._repo.atomic(durable=True):
            self._check_free(start, end, None)
            entry = self._repo.add(
                NewEntry(
                    issue_key=key,
                    started_at=start,
                    ended_at=end,
                    tz=self.zone.key,
                    account=self._account_for(account),
                    comment=comment.strip(),
                )
            )
        log.info("logged %ds on %s (entry %d)", seconds, key, entry.id)
        return entry

    def _free_on(self, day: date, length: timedelta, now: datetime) -> datetime:
        """Another day: after its last entry (from 09:00 on an empty day) when that fits before
        midnight, else the latest free stretch inside the day; never across midnight."""
        lo, hi = local_day_bounds(day, day, self.zone)
        after = self._repo.latest_end_between(lo, hi) or local_wall_to_utc(
            day, DEFAULT_DAY_START, self.zone
        )
        if after + length <= hi:
            return after
        busy = [
            (e.started_at, e.ended_at or now)
            for e in self._repo.between(lo, hi)
            if e.sync_state is not SyncState.REMOTE
        ]
        start = latest_free_start(busy, lo, hi, length)
        if start is None:
            raise InputError(
                f"{day:%Y-%m-%d} has no free stretch of "
                f"{format_duration(int(length.total_seconds()))}: time logged there already "
                "leaves less. Give a start time, or log it on another day."
            )
        return start

    def _latest_free_today(self, length: timedelta, now: datetime) -> datetime:
        midnight, _ = local_day_bounds(self.today(), self.today(), self.zone)
        busy = [
            (e.started_at, e.ended_at or now)
            for e in self._repo.between(midnight, now)
            if e.sync_state is not SyncState.REMOTE
        ]
        start = latest_free_start(busy, midnight, now, length)
        if start is None:
            raise InputError(
                f"There is no free stretch of {format_duration(int(length.total_seconds()))} "
                f"today before {now.astimezone(self.zone):%H:%M}. Give a start time, or log it "
                "on another day."
            )
        return start

    @_one_transaction(durable=True)
    def edit(
        self,
        entry_id: int,
        *,
        issue_key: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        seconds: int | None = None,
        comment: str | None = None,
    ) -> Entry:
        if end is not None and seconds is not None:
            raise InputError("Give either an end time or a duration, not both.")
        now = self.now()
        with self._repo.atomic(durable=True):
            entry = self._require(entry_id)
            if entry.sync_state is SyncState.REMOTE:
                raise OperationError(
                    f"Entry #{entry_id} was imported from Jira; change it in Jira instead."
                )
            new_start = start or entry.started_at
            new_end = entry.ended_at
            if end is not None:
                new_end = end
            elif seconds is not None:
                if seconds <= 0:
                    raise InputError("A duration must be longer than zero.")
                new_end = new_start + timedelta(seconds=seconds)
            if entry.running and (end is not None or seconds is not None):
                raise OperationError(
                    f"Entry #{entry_id} is running; stop it first, or change only its start."
                )
            new_start = clamp_future(new_start, now, "start", self.zone)
            if new_end is not None:
                new_end = clamp_future(new_end, now, "end", self.zone)
                check_order(new_start, new_end)
            else:
                check_span(new_start, now)
            self._check_free(new_start, new_end, entry.id)
            if issue_key is not None:
                entry.issue_key = normalise_issue_key(issue_key)
            entry.breaks = [
                (
                    max(b_start, new_start),
                    b_end if new_end is None else min(b_end or new_end, new_end),
                )
                for b_start, b_end in entry.breaks
                if (new_end is None or b_start < new_end) and (b_end is None or b_end > new_start)
            ]
            entry.started_at = new_start
            entry.ended_at = new_end
            if comment is not None:
                entry.comment = comment.strip()
            entry.needs_review = False
            self._mark_changed(entry)
            self._repo.save(entry)
        return entry

    @_one_transaction(durable=True)
    def delete(self, entry_id: int) -> Entry:
        with self._repo.atomic(durable=True):
            entry = self._require(entry_id)
            if entry.sync_state is SyncState.REMOTE:
                raise OperationError(
                    f"Entry #{entry_id} was imported from Jira; delete it in Jira instead."
                )
            before = copy.deepcopy(entry)
            self._drop(entry)
        self._offer_undo(
            f"delete of {self._describe(before)}", f"Deleted {self._describe(before)}", [before]
        )
        return entry

    def _drop(self, entry: Entry) -> None:
        """Delete an entry; one with worklogs in Jira stays as a tombstone until the sync ran."""
        with self._repo.atomic(durable=True):
            if entry.remote:
                # Jira holds (or may hold) worklogs for it: keep a tombstone until the sync
                # deletes them.
                entry.deleted = True
                entry.ended_at = entry.ended_at or self.now()
                self._mark_changed(entry)
                entry.sync_state = SyncState.PENDING
                self._repo.save(entry)
            else:
                self._repo.remove(entry.id)

    # -- undo -------------------------------------------------------------------------------

    def _describe(self, entry: Entry) -> str:
        return f"{entry.issue_key} ({format_duration(entry.duration_seconds(self.now()))})"

    def _offer_undo(
        self, label: str, done: str, before: Iterable[Entry], created: Iterable[str] = ()
    ) -> None:
        expires = self.now() + timedelta(seconds=UNDO_WINDOW_S)
        self._undo = _UndoRecord(
            UndoOffer(f"Undo {label}", done, expires),
            tuple(copy.deepcopy(e) for e in before),
            tuple(created),
        )

    def undo_offer(self) -> UndoOffer | None:
        """The change that can still be taken back, if any (one at a time, this process)."""
        record = self._undo
        if record is None or self.now() > record.offer.expires_at:
            return None
        return record.offer

    @_one_transaction(durable=True)
    def undo(self) -> Entry | None:
        """Take back the last discard, delete, stop at a past time or away resolution.

        One transaction: the rows it created go, the rows it changed or removed come back as
        they were. Anything Jira already received is sent again; nothing may overlap what was
        tracked since, or the undo is refused and nothing changes.
        """
        record = self._undo
        if record is None or self.undo_offer() is None:
            raise OperationError("Nothing to undo (an undo is offered for a minute).")
        restored: list[Entry] = []
        with self._repo.atomic(durable=True):
            for uuid in record.created:
                made = self._repo.get_by_uuid(uuid)
                if made is not None and not made.deleted:
                    self._drop(made)
            for old in record.before:
                current = self._repo.get_by_uuid(old.uuid)
                try:
                    self._check_free(old.started_at, old.ended_at, current.id if current else None)
                except OverlapError as exc:
                    raise OperationError(f"Cannot undo: {exc}") from exc
                restored.append(self._restore(old, current))
        self._undo = None
        log.info("undid: %s", record.offer.label)
        return restored[0] if restored else None

    def _restore(self, old: Entry, current: Entry | None) -> Entry:
        if current is None:
            # Removed outright (or its worklogs are already gone from Jira): add it back as new.
            added = self._repo.add(
                NewEntry(
                    issue_key=old.issue_key,
                    started_at=old.started_at,
                    ended_at=old.ended_at,
                    tz=old.tz,
                    account=old.account,
                    comment=old.comment,
                    uuid=None if old.remote else old.uuid,
                )
            )
            if old.breaks:
                added.breaks = list(old.breaks)
                self._repo.save(added)
            return added
        current.issue_key = old.issue_key
        current.started_at = old.started_at
        current.ended_at = old.ended_at
        current.comment = old.comment
        current.account = old.account
        current.deleted = False
        current.breaks = list(old.breaks)
        current.needs_review = old.needs_review
        current.last_seen_at = None
        self._mark_changed(current)
        self._repo.save(current)
        return current

    def set_default_rounding(self, text: str) -> RoundingPolicy:
        """The rounding for entries that belong to no account yet."""
        policy = RoundingPolicy.parse(text)
        self._settings.set_setting("rounding", policy.describe())
        return policy

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
