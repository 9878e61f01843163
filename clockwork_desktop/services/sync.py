"""SyncService: push the local outbox to Jira exactly once, then notice changes made in Jira.

The rules (docs/architecture.md §3): one worklog per entry per local day; writes to one issue are
serialised and paced, different issues go in parallel within a small bound; every write is
recorded before it is sent, so a lost answer, a crash or a kill never leads to a second
worklog (core.sync_plan recognises it afterwards, tagged or not); refused entries are kept,
marked failed with Jira's message. After pushing, every run reconciles: our synced worklogs
deleted or changed in Jira become conflicts in the same run (services.reconcile).

Long because the push is one engine: scheduling, one entry's push and its steps (look up,
recover, create, tag, check, delete) call each other and share its rules; the records of a
run are in services/sync_run.py.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import (
    CredentialsUnavailableError,
    JiraAuthError,
    JiraError,
    JiraInlinePropertiesRefusedError,
    JiraOutcomeUnknownError,
    JiraRateLimitedError,
    JiraRefusedError,
    JiraUnavailableError,
)
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, Entry, RemoteWorklog, SyncState
from clockwork_desktop.core.ports import JiraPort, SyncLock, SyncStore, WorklogWrite
from clockwork_desktop.core.sync_plan import (
    PROPERTY_KEY,
    RemoteChange,
    Step,
    WantedWorklog,
    check_day,
    describe_changes,
    earlier_versions,
    foreign_change,
    foreign_create,
    is_ours,
    plan_steps,
    property_value,
    recover_create,
    sent_write,
    wanted_worklogs,
)
from clockwork_desktop.core.worklog_state import DayWorklog
from clockwork_desktop.services.accounts import AccountService
from clockwork_desktop.services.reconcile import Reconciler
from clockwork_desktop.services.sync_run import (
    TAG_INLINE,
    TAG_NONE,
    TAG_SEPARATE,
    AccountRun,
    CreatedAsAnother,
    EntryGone,
    NotOurs,
    Push,
    SyncProblem,
    SyncReport,
    Tally,
    summarise,
)

log = get_logger(__name__)

MAX_PARALLEL_ISSUES = 8
# Jira allows 20 writes per 2 s on one issue; keep well inside it.
MIN_WRITE_INTERVAL_S = 0.12


__all__ = ["MAX_PARALLEL_ISSUES", "SyncProblem", "SyncReport", "SyncService", "summarise"]


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

    def sync(
        self, *, retry_failed: bool = False, push: bool = True, reconcile: bool = True
    ) -> SyncReport:
        """Push every pending entry of every account, then reconcile. Never runs twice at once.

        ``push`` and ``reconcile`` leave out one half (benchmarks measure them apart).
        """
        if not self._lock.acquire():
            return SyncReport(busy=True)
        try:
            return self._sync(retry_failed, push, reconcile)
        finally:
            self._lock.release()

    def _sync(self, retry_failed: bool, push: bool, reconcile: bool) -> SyncReport:
        tally = Tally()
        accounts = self._accounts.accounts()
        reconciler = Reconciler(self._store, self._clock)
        for account in accounts:
            if retry_failed:
                self._store.requeue_failed(account.name)
            outbox = self._store.outbox_for(account.name) if push else []
            check = reconcile and reconciler.has_work(account)
            if not outbox and not check:
                if not self._accounts.signed_in(account):
                    tally.needs_sign_in.append(account.name)
                continue
            try:
                client = self._accounts.client(account)
            except (JiraUnavailableError, CredentialsUnavailableError) as exc:
                # No token to send (refused, signed out, or no keyring): nothing is sent, and
                # the report says why, as JSON too.
                tally.unavailable = str(exc)
                if isinstance(exc, JiraAuthError | CredentialsUnavailableError):
                    tally.needs_sign_in.append(account.name)
                continue
            try:
                if outbox:
                    self._push_account(AccountRun(self._store, account, client), outbox, tally)
                if check and tally.unavailable is None:
                    self._reconcile(reconciler, account, client, tally)
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
            conflicts=counts["conflicts"],
            needs_sign_in=tuple(tally.needs_sign_in),
        )

    def _reconcile(
        self, reconciler: Reconciler, account: Account, client: JiraPort, tally: Tally
    ) -> None:
        try:
            flagged = reconciler.run(account, client)
        except JiraUnavailableError as exc:
            tally.unavailable = str(exc)
            return
        except JiraError as exc:
            # The push went through; what Jira changed is looked at again next run.
            tally.problem(None, f"Could not check Jira for changes: {exc}", account.name)
            return
        except Exception as exc:  # a bug here must not lose the push's report
            log.exception("reconcile of %s failed", account.name)
            tally.problem(None, f"Could not check Jira for changes: {exc}", account.name)
            return
        for entry, message in flagged:
            tally.add(conflicts=1)
            tally.problem(entry, message)

    def _has_work(self, entry: Entry) -> bool:
        policy = self._store.rounding_policy(entry.account)
        return bool(wanted_worklogs(entry, policy, self._clock.now())) or bool(entry.remote)

    # -- scheduling: one write per issue at a time, issues in parallel ----------------------

    def _push_account(self, run: AccountRun, outbox: list[Entry], tally: Tally) -> None:
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
                    self._push_one(run, entry, tally)
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

    def _push_one(self, run: AccountRun, queued: Entry, tally: Tally) -> None:
        # The outbox was read when the run began: work from the entry as it is now.
        entry = self._store.get(queued.id)
        if entry is None or entry.sync_state is not SyncState.PENDING or entry.running:
            return
        policy = self._store.rounding_policy(entry.account)
        wanted = wanted_worklogs(entry, policy, self._clock.now())
        push = Push(entry)
        try:
            conflict = self._apply(run, entry, wanted, push)
        except EntryGone:
            tally.add(**push.counts())
            return
        except CreatedAsAnother as exc:
            self._save(entry, push, state=SyncState.FAILED, error=str(exc))
            tally.add(failed=1, **push.counts())
            log.warning("account %s: a worklog was created as someone else", run.account.name)
            self._accounts.block(run.account.name)
            raise JiraAuthError(str(exc)) from None
        except NotOurs as exc:
            self._save(entry, push, state=SyncState.FAILED, error=str(exc))
            tally.add(failed=1, **push.counts())
            tally.problem(entry, str(exc))
            return
        except JiraRefusedError as exc:
            self._save(entry, push, state=SyncState.FAILED, error=exc.args[0])
            tally.add(failed=1, **push.counts())
            tally.problem(entry, exc.args[0])
            return
        except JiraOutcomeUnknownError as exc:
            self._save(entry, push, state=None, error=str(exc))
            tally.add(**push.counts())
            tally.problem(entry, str(exc))
            return
        except JiraError:
            self._save(entry, push, state=None, error=None)
            tally.add(**push.counts())
            raise
        tally.add(**push.counts())
        if conflict:
            self._save(entry, push, state=SyncState.CONFLICT, error=conflict, verified=True)
            tally.add(conflicts=1)
            tally.problem(entry, conflict)
        elif entry.deleted:

            def _settle() -> None:
                current = self._store.get(entry.id)
                if current is not None and current.deleted:
                    self._store.remove(entry.id)
                elif current is not None:
                    # Undone while its worklogs were being deleted: record what Jira holds now,
                    # so the next sync sends it again rather than calling it deleted in Jira.
                    self._save(entry, push, state=None, error=None)

            self._store.transaction(_settle)
        else:
            self._save(
                entry,
                push,
                state=SyncState.SYNCED,
                error=None,
                pushed=entry.revision,
                verified=True,
            )

    def _save(
        self,
        entry: Entry,
        push: Push,
        *,
        state: SyncState | None,
        error: str | None,
        pushed: int | None = None,
        verified: bool = False,
    ) -> None:
        self._store.record_push(
            entry.id,
            remote=dict(push.days),
            pushed_revision=pushed,
            state=state,
            error=error,
            verified=verified and entry.verify_first,
        )

    def _save_ahead(self, entry: Entry, push: Push) -> None:
        """Write-ahead: the record of a write is on disk before the request leaves."""
        if not self._store.record_push(
            entry.id, remote=dict(push.days), pushed_revision=None, state=None, error=None
        ):
            raise EntryGone

    def _apply(
        self, run: AccountRun, entry: Entry, wanted: dict[str, WantedWorklog], push: Push
    ) -> str | None:
        """Make Jira match ``wanted``; return a conflict message when Jira and we disagree."""
        if entry.verify_first:
            self._look_up_first(entry, wanted, push)
        problems = self._recover(run, entry, push)
        changed = entry.revision != entry.synced_revision
        for step in plan_steps(push.days, wanted, issue_key=entry.issue_key, changed=changed):
            if step.action == "delete":
                state = push.days[step.day]
                if not state.gone and step.worklog_id is not None:
                    self._delete_checked(run, step.issue, step.worklog_id, step.day)
                    push.deleted += 1
                del push.days[step.day]
            elif step.action == "create":
                self._create(run, entry, step, push)
            else:
                problem = self._check(run, entry, step, push)
                if problem:
                    problems.append(problem)
        return " ".join(problems) or None

    # -- the steps --------------------------------------------------------------------------

    def _look_up_first(self, entry: Entry, wanted: dict[str, WantedWorklog], push: Push) -> None:
        """An entry of a restored or copied store: Jira may hold its worklogs already.

        Each day without a confirmed worklog is treated as a create whose answer was lost,
        so recovery finds it in Jira by tag or fingerprint, and posts only what is not there.
        """
        for day, want in wanted.items():
            if day not in push.days:
                push.days[day] = DayWorklog(
                    entry.issue_key, sent=sent_write(want, entry.comment, entry.revision)
                )

    def _recover(self, run: AccountRun, entry: Entry, push: Push) -> list[str]:
        """Settle creates whose answer was lost: adopt what Jira saved, or post again."""
        problems: list[str] = []
        for day, state in sorted(push.days.items()):
            if state.worklog_id is not None:
                continue
            if state.sent is None:  # nothing was sent for this day after all
                del push.days[day]
                continue
            worklogs = run.client.worklogs_of(state.issue)
            found = recover_create(
                worklogs,
                me=run.account.account_id,
                entry_uuid=entry.uuid,
                day=day,
                sent=state.sent,
                linked=run.is_linked(),
            )
            earlier = (
                earlier_versions(
                    worklogs,
                    me=run.account.account_id,
                    day=day,
                    zone=entry.zone,
                    linked=run.is_linked(),
                )
                if found.action == "post" and entry.verify_first
                else ()
            )
            if earlier:
                ids = ", ".join(w.id for w in earlier)
                problems.append(
                    f"This entry came back from a backup or another computer, and Jira holds "
                    f"worklogs of yours on {state.issue} for {day} that no entry claims (ids "
                    f"{ids}): one may be this entry as it was changed since. Nothing was posted. "
                    "If Jira's is this time, delete the entry here; if not, retry to post it."
                )
            elif found.action == "post":
                del push.days[day]
            elif found.action == "ask":
                ids = ", ".join(w.id for w in found.candidates)
                problems.append(
                    f"Jira holds {len(found.candidates)} worklogs of yours for {day} that could "
                    f"each be this entry's (ids {ids}); none was adopted. Delete the extra ones "
                    "in Jira, then retry."
                )
            else:
                assert found.worklog is not None
                for duplicate in found.duplicates:  # our own tag: an older build posted twice
                    self._may_change(run, duplicate, day)
                    self._delete(run.client, state.issue, duplicate.id)
                    push.deleted += 1
                worklog = found.worklog
                run.link(worklog.id)
                push.adopted += 1
                push.days[day] = DayWorklog(state.issue, worklog.id, worklog.updated)
                if not is_ours(worklog, entry.uuid, day):
                    self._tag_day(run, entry, day, push)
        return problems

    def _write(self, run: AccountRun, entry: Entry, want: WantedWorklog) -> WorklogWrite:
        properties = (
            {PROPERTY_KEY: property_value(entry, want.day)} if run.tagging == TAG_INLINE else {}
        )
        return WorklogWrite(want.started, entry.tz, want.seconds, entry.comment, properties)

    def _create(self, run: AccountRun, entry: Entry, step: Step, push: Push) -> None:
        assert step.want is not None
        day = step.day
        confirming = run.begin_create()  # before the write-ahead: one held back leaves no record
        try:
            push.days[day] = DayWorklog(
                step.issue, sent=sent_write(step.want, entry.comment, entry.revision)
            )
            self._save_ahead(entry, push)
            write = self._write(run, entry, step.want)
            try:
                remote = run.client.add_worklog(step.issue, write)
            except JiraInlinePropertiesRefusedError:
                # Refused, so nothing was saved: send it again without, tag afterwards.
                run.learn_tagging(TAG_SEPARATE, "the site refuses inline properties")
                write = write._replace(properties={})
                remote = run.client.add_worklog(step.issue, write)
        except BaseException as exc:
            if confirming:
                run.end_create(confirmed=False)
            if isinstance(exc, JiraRefusedError):
                del push.days[day]  # Jira said no: nothing to look for later
            raise
        foreign = foreign_create(run.account, remote, step.issue)
        if confirming:
            run.end_create(confirmed=foreign is None, foreign=foreign)
        if foreign is not None:
            # Not this entry's worklog: it is the other person's, and theirs to remove.
            del push.days[day]
            raise CreatedAsAnother(foreign)
        run.link(remote.id)
        push.created += 1
        push.days[day] = DayWorklog(step.issue, remote.id, remote.updated)
        if not is_ours(remote, entry.uuid, day):
            if write.properties:
                run.learn_tagging(TAG_SEPARATE, "the reply did not confirm inline properties")
            self._tag_day(run, entry, day, push)

    def _tag_day(self, run: AccountRun, entry: Entry, day: str, push: Push) -> None:
        """Tag a day's worklog separately, keeping its `updated` true if tagging moved it.

        Were a site to move `updated` when a property is set, the stamp from the create would
        make the next reconcile call our own worklog changed in Jira. Whether it does is seen
        once per account (one read); only where it does is every tag followed by a read.
        """
        state = push.days[day]
        assert state.worklog_id is not None
        if not self._tag(run, state.issue, state.worklog_id, entry, day):
            push.days[day] = state._replace(tagged=False)
            return
        updated = state.updated
        if run.tag_moves_updated is not False:
            current = run.client.get_worklog(state.issue, state.worklog_id)
            run.learn_tag_moves_updated(current.updated != state.updated)
            updated = current.updated
        push.days[day] = state._replace(tagged=True, updated=updated)

    def _tag(self, run: AccountRun, issue: str, worklog_id: str, entry: Entry, day: str) -> bool:
        """Tag through the property resource; the tag helps, correctness never needs it."""
        if run.tagging == TAG_NONE:
            return False
        try:
            run.client.set_worklog_property(
                issue, worklog_id, PROPERTY_KEY, property_value(entry, day)
            )
        except (JiraRefusedError, JiraOutcomeUnknownError, JiraRateLimitedError) as exc:
            if isinstance(exc, JiraRefusedError) and exc.status in (404, 405):
                run.learn_tagging(TAG_NONE, f"the property resource answered {exc.status}")
            log.info("could not tag worklog %s on %s: %s", worklog_id, issue, exc)
            return False
        return True

    def _check(self, run: AccountRun, entry: Entry, step: Step, push: Push) -> str | None:
        assert step.want is not None
        assert step.worklog_id is not None
        state = push.days[step.day]
        try:
            current = run.client.get_worklog(step.issue, step.worklog_id)
        except JiraRefusedError as exc:
            if exc.status != 404:
                raise
            push.days[step.day] = state._replace(gone=True, sent=None)
            return describe_changes([RemoteChange(step.day, "deleted")])
        verdict = check_day(state, current, step.want, entry.comment)
        if verdict.action == "conflict":
            return describe_changes([RemoteChange(step.day, "changed")])
        if verdict.action == "keep":
            push.days[step.day] = DayWorklog(
                step.issue, step.worklog_id, current.updated, tagged=state.tagged
            )
            return None
        self._may_change(run, current, step.day)
        # Write-ahead, as for creates: a lost answer is recognised by its fingerprint.
        push.days[step.day] = state._replace(
            sent=sent_write(step.want, entry.comment, entry.revision)
        )
        self._save_ahead(entry, push)
        remote = run.client.update_worklog(
            step.issue, step.worklog_id, self._write(run, entry, step.want)
        )
        push.days[step.day] = DayWorklog(
            step.issue, step.worklog_id, remote.updated, tagged=state.tagged
        )
        push.updated += 1
        return None

    def _may_change(self, run: AccountRun, worklog: RemoteWorklog, day: str) -> None:
        reason = foreign_change(run.account, run.signed_in_as(), worklog, day)
        if reason is not None:
            raise NotOurs(reason)

    def _delete_checked(self, run: AccountRun, issue_key: str, worklog_id: str, day: str) -> None:
        """Delete a worklog only after seeing in Jira that it is ours to delete."""
        try:
            current = run.client.get_worklog(issue_key, worklog_id)
        except JiraRefusedError as exc:
            if exc.status != 404:
                raise
            return  # already gone is what we wanted
        self._may_change(run, current, day)
        self._delete(run.client, issue_key, worklog_id)

    def _delete(self, client: JiraPort, issue_key: str, worklog_id: str) -> None:
        try:
            client.delete_worklog(issue_key, worklog_id)
        except JiraRefusedError as exc:
            if exc.status != 404:
                raise  # already gone is what we wanted

    # -- importing my worklogs made elsewhere -----------------------------------------------

    def import_worklogs(self, account_name: str | None, first: date, last: date) -> int:
        """Copy my own worklogs from Jira for ``first``..``last`` (services.worklog_import)."""
        from clockwork_desktop.services.worklog_import import WorklogImport

        return WorklogImport(self._store, self._accounts).run(account_name, first, last)
