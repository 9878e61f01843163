"""What TrackerService's parts share: the store transaction per use case, the results they
return, and the helpers for overlap, accounts, changes, deletes and undo offers."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from typing import Concatenate, NamedTuple, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import InputError, NotFoundError, OverlapError
from clockwork_desktop.core.models import Entry, SyncState
from clockwork_desktop.core.ports import EntryRepository, SettingsStore
from clockwork_desktop.core.timer import describe_entry

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound="TrackerBase")


def one_transaction(
    durable: bool = False,
) -> Callable[[Callable[Concatenate[S, P], R]], Callable[Concatenate[S, P], R]]:
    """The whole use case is one store transaction, run where the database is owned (in the
    tray app, its DB worker), whichever thread calls it: the sync, an automatic poll, a test."""

    def wrap(
        method: Callable[Concatenate[S, P], R],
    ) -> Callable[Concatenate[S, P], R]:
        @functools.wraps(method)
        def run(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
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


class TrackerBase:
    """The state and helpers that timers, entries and undo share."""

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
