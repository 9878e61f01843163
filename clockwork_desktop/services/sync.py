"""SyncService: push the local outbox to Jira exactly once, and import my worklogs.

The rules (DESIGN.md §4): one worklog per entry per local day; writes to one issue are
serialised and paced, different issues go in parallel within a small bound; a create is
recorded as "in flight" before it is sent, so a lost answer, a crash or a kill never leads
to a second worklog; refused entries are kept, marked failed with Jira's message.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import NamedTuple, Protocol

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.days import local_day_bounds, split_into_days
from clockwork_desktop.core.errors import (
    JiraError,
    JiraOutcomeUnknownError,
    JiraRateLimitedError,
    JiraRefusedError,
    JiraUnavailableError,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, Entry, JiraIssue, RemoteWorklog, SyncState
from clockwork_desktop.core.ports import (
    EntryRepository,
    JiraPort,
    NewEntry,
    SettingsStore,
    SyncLock,
    WorklogWrite,
)
from clockwork_desktop.core.sync_plan import (
    PROPERTY_KEY,
    WantedWorklog,
    differs,
    is_ours,
    marker_instant,
    property_value,
    unknown_marker,
    wanted_worklogs,
)
from clockwork_desktop.services.accounts import AccountService

log = get_logger(__name__)

MAX_PARALLEL_ISSUES = 8
# Jira allows 20 writes per 2 s on one issue; keep well inside it.
MIN_WRITE_INTERVAL_S = 0.12
LOOKUP_WINDOW = timedelta(minutes=1)


class SyncStore(EntryRepository, SettingsStore, Protocol):
    def outbox_for(self, account: str) -> list[Entry]: ...

    def record_push(
        self,
        entry_id: int,
        *,
        worklog_ids: dict[str, str],
        remote_meta: dict[str, dict[str, str]],
        pushed_revision: int | None,
        state: SyncState | None,
        error: str | None,
    ) -> None: ...

    def remote_entries_between(
        self, account: str, start: datetime, end: datetime
    ) -> list[Entry]: ...

    def known_worklog_ids(self, account: str) -> set[str]: ...

    def requeue_failed(self, account: str) -> int: ...

    def cache_issues(self, account: str, issues: list[JiraIssue], *, mine: bool) -> None: ...


class SyncProblem(NamedTuple):
    entry_id: int | None
    issue_key: str
    message: str


class SyncReport(NamedTuple):
    created: int = 0
    updated: int = 0
    deleted: int = 0
    adopted: int = 0
    failed: int = 0
    pending: int = 0
    errors: tuple[SyncProblem, ...] = ()
    unavailable: str | None = None  # Jira unreachable or refusing the credentials
    busy: bool = False  # another process is syncing

    @property
    def ok(self) -> bool:
        return not self.unavailable and not self.failed and not self.busy


class _Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts = dict.fromkeys(("created", "updated", "deleted", "adopted", "failed"), 0)
        self.errors: list[SyncProblem] = []
        self.unavailable: str | None = None

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                self.counts[name] += value

    def problem(self, entry: Entry | None, message: str, issue: str = "") -> None:
        with self.lock:
            self.errors.append(
                SyncProblem(
                    entry.id if entry else None, entry.issue_key if entry else issue, message
                )
            )


class _Outcome:
    """What one entry's push changed, applied to the store at the end."""

    def __init__(self, entry: Entry) -> None:
        self.ids = dict(entry.worklog_ids)
        self.meta = {day: dict(m) for day, m in entry.remote_meta.items()}
        self.created = self.updated = self.deleted = self.adopted = 0


class SyncService:
    def __init__(
        self,
        store: SyncStore,
        accounts: AccountService,
        clock: Clock,
        lock: SyncLock,
        *,
        max_parallel: int = MAX_PARALLEL_ISSUES,
        write_interval_s: float = MIN_WRITE_INTERVAL_S,
    ) -> None:
        self._store = store
        self._accounts = accounts
        self._clock = clock
        self._lock = lock
        self._max_parallel = max_parallel
        self._write_interval_s = write_interval_s

    # -- the whole run ----------------------------------------------------------------------

    def sync(self, *, retry_failed: bool = False) -> SyncReport:
        """Push every pending entry of every account. Never runs twice at once."""
        if not self._lock.acquire():
            return SyncReport(busy=True)
        try:
            return self._sync(retry_failed)
        finally:
            self._lock.release()

    def _sync(self, retry_failed: bool) -> SyncReport:
        tally = _Tally()
        accounts = self._accounts.accounts()
        for account in accounts:
            if retry_failed:
                self._store.requeue_failed(account.name)
            outbox = self._store.outbox_for(account.name)
            if not outbox:
                continue
            try:
                client = self._accounts.client(account)
            except JiraUnavailableError as exc:
                tally.unavailable = str(exc)
                continue
            try:
                self._push_account(account, client, outbox, tally)
            finally:
                client.close()
        pending = sum(
            1 for a in accounts for e in self._store.outbox_for(a.name) if self._has_work(e)
        )
        if tally.unavailable is None:
            self._store.set_setting("last_synced", self._clock.now().isoformat())
        counts = tally.counts
        return SyncReport(
            created=counts["created"],
            updated=counts["updated"],
            deleted=counts["deleted"],
            adopted=counts["adopted"],
            failed=counts["failed"],
            pending=pending,
            errors=tuple(tally.errors),
            unavailable=tally.unavailable,
        )

    def _has_work(self, entry: Entry) -> bool:
        policy = self._store.rounding_policy(entry.account)
        return bool(wanted_worklogs(entry, policy, self._clock.now())) or bool(entry.worklog_ids)

    # -- scheduling: one write per issue at a time, issues in parallel ----------------------

    def _push_account(
        self, account: Account, client: JiraPort, outbox: list[Entry], tally: _Tally
    ) -> None:
        by_issue: dict[str, list[Entry]] = {}
        for entry in outbox:
            if self._has_work(entry):
                by_issue.setdefault(entry.issue_key, []).append(entry)
        if not by_issue:
            return
        order = itertools.count()
        ready: list[tuple[float, int, str]] = [(0.0, next(order), key) for key in by_issue]
        heapq.heapify(ready)
        cond = threading.Condition()
        state = {"inflight": 0, "stop": False}

        def next_issue() -> str | None:
            with cond:
                while True:
                    if state["stop"] or (not ready and not state["inflight"]):
                        return None
                    if ready:
                        wait = ready[0][0] - time.monotonic()
                        if wait <= 0:
                            state["inflight"] += 1
                            return heapq.heappop(ready)[2]
                        cond.wait(wait)
                    else:
                        cond.wait()

        def done(key: str) -> None:
            with cond:
                state["inflight"] -= 1
                if by_issue[key] and not state["stop"]:
                    heapq.heappush(
                        ready, (time.monotonic() + self._write_interval_s, next(order), key)
                    )
                cond.notify_all()

        def worker() -> None:
            while (key := next_issue()) is not None:
                entry = by_issue[key].pop(0)
                try:
                    self._push_one(account, client, entry, tally)
                except JiraUnavailableError as exc:
                    # 401 or offline: stop every request for this account at once. (A 401 has
                    # already blocked the account, through the client AccountService built.)
                    tally.unavailable = str(exc)
                    with cond:
                        state["stop"] = True
                        cond.notify_all()
                except JiraRateLimitedError as exc:
                    tally.problem(entry, str(exc))
                    by_issue[key].clear()  # leave this issue for the next run
                except Exception as exc:  # a bug must not lose the others' results
                    log.exception("unexpected error pushing entry %d", entry.id)
                    tally.problem(entry, f"Unexpected error: {exc}")
                finally:
                    done(key)

        workers = min(self._max_parallel, len(by_issue))
        with ThreadPoolExecutor(workers, thread_name_prefix="sync") as pool:
            for _ in range(workers):
                pool.submit(worker)

    # -- one entry --------------------------------------------------------------------------

    def _push_one(self, account: Account, client: JiraPort, entry: Entry, tally: _Tally) -> None:
        policy = self._store.rounding_policy(entry.account)
        wanted = wanted_worklogs(entry, policy, self._clock.now())
        out = _Outcome(entry)
        try:
            conflict = self._apply(account, client, entry, wanted, out)
        except JiraRefusedError as exc:
            self._finish(entry, out, state=SyncState.FAILED, error=exc.args[0])
            tally.add(failed=1, created=out.created, deleted=out.deleted, adopted=out.adopted)
            tally.problem(entry, exc.args[0])
            return
        except JiraOutcomeUnknownError as exc:
            self._finish(entry, out, state=None, error=str(exc))
            tally.add(created=out.created, deleted=out.deleted, adopted=out.adopted)
            tally.problem(entry, str(exc))
            return
        except JiraError:
            self._finish(entry, out, state=None, error=None)
            tally.add(created=out.created, deleted=out.deleted, adopted=out.adopted)
            raise
        tally.add(
            created=out.created, updated=out.updated, deleted=out.deleted, adopted=out.adopted
        )
        if conflict:
            self._finish(entry, out, state=SyncState.CONFLICT, error=conflict)
            tally.problem(entry, conflict)
        elif entry.deleted:
            with self._store.atomic():
                current = self._store.get(entry.id)
                if current is not None and current.deleted:
                    self._store.remove(entry.id)
        else:
            self._finish(entry, out, state=SyncState.SYNCED, error=None, pushed=entry.revision)

    def _finish(
        self,
        entry: Entry,
        out: _Outcome,
        *,
        state: SyncState | None,
        error: str | None,
        pushed: int | None = None,
    ) -> None:
        self._store.record_push(
            entry.id,
            worklog_ids=out.ids,
            remote_meta=out.meta,
            pushed_revision=pushed,
            state=state,
            error=error,
        )

    def _write(self, entry: Entry, wanted: WantedWorklog) -> WorklogWrite:
        return WorklogWrite(
            started=wanted.started,
            zone=entry.tz,
            seconds=wanted.seconds,
            comment=entry.comment,
            properties={PROPERTY_KEY: property_value(entry, wanted.day)},
        )

    def _apply(
        self,
        account: Account,
        client: JiraPort,
        entry: Entry,
        wanted: dict[str, WantedWorklog],
        out: _Outcome,
    ) -> str | None:
        """Make Jira match ``wanted``; return a conflict message when Jira changed under us."""
        issue_of = {day: out.meta.get(day, {}).get("issue", entry.issue_key) for day in out.ids}
        # 1. Writes whose outcome was unknown: adopt what Jira saved, never post twice.
        for day, marker in list(out.ids.items()):
            started = marker_instant(marker)
            if started is None:
                continue
            found = [
                w
                for w in client.worklogs_started_between(
                    issue_of[day], started - LOOKUP_WINDOW, started + LOOKUP_WINDOW
                )
                if is_ours(w, entry.uuid, day)
            ]
            if found:
                keep, extra = found[0], found[1:]
                out.ids[day] = keep.id
                out.meta[day] = {"issue": issue_of[day], "updated": keep.updated}
                out.adopted += 1
                for duplicate in extra:  # only possible if an older build posted twice
                    self._delete(client, issue_of[day], duplicate.id)
                    out.deleted += 1
            else:
                del out.ids[day]
                out.meta.pop(day, None)
        # 2. Worklogs that should no longer exist: deleted entry, fewer days, moved issue.
        for day, worklog_id in list(out.ids.items()):
            moved = issue_of.get(day, entry.issue_key) != entry.issue_key
            if day not in wanted or moved:
                if out.meta.get(day, {}).get("gone") != "1":
                    self._delete(client, issue_of[day], worklog_id)
                    out.deleted += 1
                del out.ids[day]
                out.meta.pop(day, None)
        # 3. Create the missing days; update the changed ones.
        changed = entry.revision != entry.synced_revision
        conflict: str | None = None
        for day, want in wanted.items():
            write = self._write(entry, want)
            if day not in out.ids or out.meta.get(day, {}).get("gone") == "1":
                out.ids[day] = unknown_marker(want.started)
                out.meta[day] = {"issue": entry.issue_key}
                # Write-ahead: the marker is on disk before the request leaves.
                self._finish(entry, out, state=None, error=None)
                try:
                    remote = client.add_worklog(entry.issue_key, write)
                except JiraRefusedError:
                    # Jira answered "no": nothing was saved, so nothing to look for later.
                    del out.ids[day]
                    out.meta.pop(day, None)
                    raise
                out.ids[day] = remote.id
                out.meta[day] = {"issue": entry.issue_key, "updated": remote.updated}
                out.created += 1
                continue
            if not changed:
                continue
            try:
                current = client.get_worklog(entry.issue_key, out.ids[day])
            except JiraRefusedError as exc:
                if exc.status != 404:
                    raise
                out.meta[day] = {**out.meta.get(day, {}), "gone": "1"}
                conflict = (
                    f"The worklog for {day} was deleted in Jira. Edit the entry to send it "
                    "again, or delete the entry."
                )
                continue
            meta = out.meta.get(day, {})
            seen = meta.get("updated")
            tag = current.properties.get(PROPERTY_KEY)
            our_lost_write = (
                isinstance(tag, dict)
                and meta.get("sent_rev") is not None
                and str(tag.get("rev")) == meta.get("sent_rev")
            )
            if seen and current.updated != seen and not meta.get("force") and not our_lost_write:
                conflict = (
                    f"The worklog for {day} was changed in Jira. Edit the entry to overwrite "
                    "Jira with your version, or delete the entry."
                )
                continue
            if differs(current, want, entry.comment) or self._stale_tag(current, entry):
                # Write-ahead, as for creates: if the answer is lost, the tag tells it was us.
                out.meta[day] = {**meta, "sent_rev": str(entry.revision)}
                self._finish(entry, out, state=None, error=None)
                remote = client.update_worklog(entry.issue_key, out.ids[day], write)
                out.meta[day] = {"issue": entry.issue_key, "updated": remote.updated}
                out.updated += 1
            else:
                out.meta[day] = {"issue": entry.issue_key, "updated": current.updated}
        return conflict

    @staticmethod
    def _stale_tag(remote: RemoteWorklog, entry: Entry) -> bool:
        value = remote.properties.get(PROPERTY_KEY)
        return not isinstance(value, dict) or value.get("rev") != entry.revision

    def _delete(self, client: JiraPort, issue_key: str, worklog_id: str) -> None:
        try:
            client.delete_worklog(issue_key, worklog_id)
        except JiraRefusedError as exc:
            if exc.status != 404:
                raise  # already gone is what we wanted

    # -- importing my worklogs made elsewhere -----------------------------------------------

    def import_worklogs(self, account_name: str | None, first: date, last: date) -> int:
        """Copy my own worklogs from Jira for ``first``..``last`` as remote entries.

        Worklogs we pushed ourselves are recognised by their property (or their id) and
        skipped; remote entries whose worklog disappeared from Jira are removed. A synced
        entry whose worklog was deleted or changed in Jira is marked as a conflict.
        """
        account = self._accounts.get(account_name)
        client = self._accounts.client(account)
        zone_name = account.time_zone or "UTC"
        try:
            return self._import(account, client, first, last, zone_name)
        finally:
            client.close()

    def _import(
        self, account: Account, client: JiraPort, first: date, last: date, zone_name: str
    ) -> int:
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(zone_name)
        start, end = local_day_bounds(first, last, zone)
        # JQL dates are whole days in the profile's zone; widen by a day on each side.
        jql = (
            f"worklogAuthor = currentUser() AND worklogDate >= '{first - timedelta(days=1)}' "
            f"AND worklogDate <= '{last + timedelta(days=1)}'"
        )
        issues = client.search(jql, limit=1000)
        self._store.cache_issues(account.name, issues, mine=False)  # their summaries, offline
        ours = self._store.known_worklog_ids(account.name)
        mine: dict[str, tuple[str, RemoteWorklog]] = {}
        for issue in issues:
            for worklog in client.worklogs_started_between(issue.key, start, end):
                if worklog.author_id == account.account_id:
                    mine[worklog.id] = (issue.key, worklog)
        imported = 0
        with self._store.atomic():
            existing = {
                next(iter(e.worklog_ids.values()), ""): e
                for e in self._store.remote_entries_between(account.name, start, end)
            }
            for worklog_id, (issue_key, worklog) in mine.items():
                if worklog_id in ours and worklog_id not in existing:
                    continue
                if PROPERTY_KEY in worklog.properties:
                    continue  # one of ours, from this or another installation
                ended = worklog.started + timedelta(seconds=worklog.seconds)
                day = split_into_days(worklog.started, ended, zone)[0].day.isoformat()
                local = existing.pop(worklog_id, None)
                if local is None:
                    self._store.add(
                        NewEntry(
                            issue_key=issue_key,
                            started_at=worklog.started,
                            ended_at=ended,
                            tz=zone_name,
                            account=account.name,
                            comment=worklog.comment,
                            sync_state=SyncState.REMOTE,
                            worklog_ids={day: worklog_id},
                            uuid=f"jira:{account.name}:{worklog_id}",
                        )
                    )
                    imported += 1
                elif (local.started_at, local.ended_at, local.comment, local.issue_key) != (
                    worklog.started,
                    ended,
                    worklog.comment,
                    issue_key,
                ):
                    local.started_at, local.ended_at = worklog.started, ended
                    local.comment, local.issue_key = worklog.comment, issue_key
                    self._store.save(local)
            for gone in existing.values():
                self._store.remove(gone.id)
            self._flag_remote_changes(account, mine, start, end)
        return imported

    def _flag_remote_changes(
        self,
        account: Account,
        mine: dict[str, tuple[str, RemoteWorklog]],
        start: datetime,
        end: datetime,
    ) -> None:
        for entry in self._store.between(start, end):
            if entry.account != account.name or entry.sync_state is not SyncState.SYNCED:
                continue
            problems = []
            for day, worklog_id in entry.worklog_ids.items():
                seen = entry.remote_meta.get(day, {}).get("updated")
                day_start = datetime.fromisoformat(day)
                if not (start.date() <= day_start.date() <= end.date()):
                    continue
                if worklog_id not in mine:
                    entry.remote_meta.setdefault(day, {})["gone"] = "1"
                    problems.append(f"The worklog for {day} was deleted in Jira.")
                elif seen and mine[worklog_id][1].updated != seen:
                    problems.append(f"The worklog for {day} was changed in Jira.")
            if problems:
                entry.sync_state = SyncState.CONFLICT
                entry.error = " ".join(problems) + " Edit the entry to send yours, or delete it."
                self._store.save(entry)


def summarise(report: SyncReport) -> Iterable[str]:
    """Lines for people: what happened and what needs them."""
    if report.busy:
        yield "Another Clockwork Desktop process is syncing right now; try again shortly."
        return
    parts = [
        f"{report.created} created",
        f"{report.updated} updated",
        f"{report.deleted} deleted",
    ]
    if report.adopted:
        parts.append(f"{report.adopted} recovered")
    yield "Sync: " + ", ".join(parts) + f"; {report.failed} failed, {report.pending} pending."
    for problem in report.errors:
        where = f"#{problem.entry_id} " if problem.entry_id is not None else ""
        yield f"  {where}{problem.issue_key}: {problem.message}"
    if report.unavailable:
        yield report.unavailable
