"""Manual entries and corrections: log time, edit, delete, and undo of the last change."""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta

from clockwork_desktop.core.days import local_day_bounds
from clockwork_desktop.core.durations import format_duration
from clockwork_desktop.core.errors import InputError, OperationError, OverlapError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Entry, SyncState, normalise_issue_key
from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.timeinput import local_wall_to_utc
from clockwork_desktop.core.timer import check_order, check_span, clamp_future, latest_free_start
from clockwork_desktop.services.tracker_base import (
    DEFAULT_DAY_START,
    MAX_LOG_SECONDS,
    TrackerBase,
    UndoOffer,
    one_transaction,
)

log = get_logger(__name__)


class EntryEdits(TrackerBase):
    # -- manual entries and corrections -----------------------------------------------------

    @one_transaction(durable=True)
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
        start = self._latest_free(lo, hi, length, now)
        if start is None:
            raise InputError(
                f"{day:%Y-%m-%d} has no free stretch of "
                f"{format_duration(int(length.total_seconds()))}: time logged there already "
                "leaves less. Give a start time, or log it on another day."
            )
        return start

    def _latest_free(
        self, lo: datetime, hi: datetime, length: timedelta, now: datetime
    ) -> datetime | None:
        """The latest stretch of ``length`` in ``[lo, hi)`` that no entry of mine covers."""
        busy = [
            (e.started_at, e.ended_at or now)
            for e in self._repo.between(lo, hi)
            if e.sync_state is not SyncState.REMOTE
        ]
        return latest_free_start(busy, lo, hi, length)

    def _latest_free_today(self, length: timedelta, now: datetime) -> datetime:
        midnight, _ = local_day_bounds(self.today(), self.today(), self.zone)
        start = self._latest_free(midnight, now, length, now)
        if start is None:
            raise InputError(
                f"There is no free stretch of {format_duration(int(length.total_seconds()))} "
                f"today before {now.astimezone(self.zone):%H:%M}. Give a start time, or log it "
                "on another day."
            )
        return start

    @one_transaction(durable=True)
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

    @one_transaction(durable=True)
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

    # -- undo -------------------------------------------------------------------------------

    def undo_offer(self) -> UndoOffer | None:
        """The change that can still be taken back, if any (one at a time, this process)."""
        record = self._undo
        if record is None or self.now() > record.offer.expires_at:
            return None
        return record.offer

    @one_transaction(durable=True)
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
