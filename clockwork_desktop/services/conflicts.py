"""Settling what sync could not: entries Jira refused, and entries Jira and we disagree on.

What users call "settle" and "resolve": the Sync panel (Retry, Keep mine, Take Jira's) and
`resolve ID --retry | --mine | --jira` on the command line, both through ``resolve``. The
README calls these entries "conflicts" (and "failed" ones), hence the module's name.

A conflict is never settled by guessing. The user chooses: keep mine (the next sync sends
this computer's version over Jira's, re-creating what was deleted there), take Jira's (this
computer copies the worklog as Jira has it now; a worklog deleted in Jira deletes the entry),
or retry a refused entry after fixing what Jira complained about.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, NamedTuple

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import JiraRefusedError, NotFoundError, OperationError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Entry, RemoteWorklog, SyncState
from clockwork_desktop.core.ports import SyncStore
from clockwork_desktop.core.worklog_state import DayWorklog
from clockwork_desktop.services.accounts import AccountService

log = get_logger(__name__)

NEEDS_YOU = (SyncState.FAILED, SyncState.CONFLICT)

# How an entry is settled, named as `resolve` names them: send it again (--retry), this
# computer's version wins (--mine, "Keep mine"), Jira's version wins (--jira, "Take Jira's").
Resolution = Literal["retry", "mine", "jira"]


class Problem(NamedTuple):
    entry: Entry
    reason: str
    # Take Jira's is possible: a one-day entry whose worklog Jira holds or deleted.
    can_take_jiras: bool
    # Retry settles it: refused by Jira, or a lost write Jira held several candidates for.
    can_retry: bool = True


def _unsettled_write(entry: Entry) -> bool:
    return any(w.unsettled for w in entry.remote.values())


class ConflictService:
    def __init__(self, store: SyncStore, accounts: AccountService, clock: Clock) -> None:
        self._store = store
        self._accounts = accounts
        self._clock = clock

    def problems(self) -> list[Problem]:
        """Entries that need the user, oldest first, with Jira's reason."""
        found = []
        for entry in self._store.needing_attention():
            one_day = len(entry.remote) == 1
            conflict = entry.sync_state is SyncState.CONFLICT
            reason = entry.error or ""
            if entry.deleted:
                reason = f"(deleted here, still in Jira) {reason}"
            found.append(
                Problem(
                    entry,
                    reason,
                    conflict and one_day and not entry.deleted,
                    not conflict or _unsettled_write(entry),
                )
            )
        return found

    def _entry(self, entry_id: int, *states: SyncState, deleted_ok: bool = False) -> Entry:
        entry = self._store.get(entry_id)
        if entry is None or (entry.deleted and not deleted_ok):
            raise NotFoundError(f"No entry #{entry_id}.")
        if entry.sync_state not in states:
            wanted = " or ".join(s.value for s in states)
            raise OperationError(
                f"Entry #{entry_id} is {entry.sync_state.value}, not {wanted}: nothing to settle."
            )
        return entry

    def resolve(self, entry_id: int, how: Resolution) -> Entry | None:
        """Settle one entry as the user chose; None when taking Jira's deleted it."""
        if how == "retry":
            return self.retry(entry_id)
        if how == "mine":
            return self.keep_mine(entry_id)
        return self.take_jiras(entry_id)

    def retry(self, entry_id: int) -> Entry:
        """Send a refused entry (or an unsettled lost write) again at the next sync.

        A worklog changed or deleted in Jira is not settled by trying again: that takes
        keep mine or take Jira's, or the difference would be hidden.
        """

        def requeue() -> Entry:
            entry = self._entry(entry_id, *NEEDS_YOU, deleted_ok=True)
            if entry.sync_state is SyncState.CONFLICT and not _unsettled_write(entry):
                raise OperationError(
                    f"Entry #{entry_id} differs from Jira: choose your version or Jira's."
                )
            entry.sync_state, entry.error = SyncState.PENDING, None
            self._store.save(entry)
            return entry

        return self._store.transaction(requeue)

    def keep_mine(self, entry_id: int) -> Entry:
        """This computer's version wins: the next sync overwrites or re-creates Jira's."""

        def mine() -> Entry:
            entry = self._entry(entry_id, SyncState.CONFLICT, deleted_ok=True)
            entry.remote = {day: w._replace(force=True) for day, w in entry.remote.items()}
            entry.revision += 1
            entry.sync_state, entry.error = SyncState.PENDING, None
            self._store.save(entry)
            return entry

        entry = self._store.transaction(mine)
        log.info("entry %d: keeping this computer's version over Jira's", entry_id)
        return entry

    def jiras_version(self, entry_id: int) -> RemoteWorklog | None:
        """The worklog of a one-day conflict as Jira has it now; None when Jira deleted it.
        Shown beside this computer's version before the user chooses (network)."""
        entry = self._entry(entry_id, SyncState.CONFLICT, deleted_ok=True)
        if len(entry.remote) != 1:
            raise OperationError(
                f"Entry #{entry_id} spans {len(entry.remote)} days in Jira: edit it to match "
                "Jira, or keep your version."
            )
        ((_day, state),) = entry.remote.items()
        if entry.account is None or state.worklog_id is None:
            raise OperationError(f"Entry #{entry_id} has no worklog in Jira to take.")
        if state.gone:
            return None
        client = self._accounts.client(self._accounts.get(entry.account))
        try:
            return client.get_worklog(state.issue, state.worklog_id)
        except JiraRefusedError as exc:
            if exc.status != 404:
                raise
            return None
        finally:
            client.close()

    def take_jiras(self, entry_id: int) -> Entry | None:
        """Jira's version wins: copy its worklog here, or delete the entry if Jira did."""
        entry = self._entry(entry_id, SyncState.CONFLICT)
        current = self.jiras_version(entry_id)
        ((day, state),) = entry.remote.items()
        if current is not None:
            zone = entry.zone
            ends = current.started + timedelta(seconds=current.seconds)
            day = current.started.astimezone(zone).date().isoformat()
            if (ends - timedelta(seconds=1)).astimezone(zone).date().isoformat() != day:
                raise OperationError(
                    f"Jira's worklog {current.id} runs past midnight, which this computer keeps "
                    "as two worklogs: edit the entry to match Jira, or keep your version."
                )

        def take() -> Entry | None:
            fresh = self._entry(entry_id, SyncState.CONFLICT)
            if current is None:
                self._store.remove(fresh.id)
                log.info("entry %d: deleted, as its worklog was in Jira", entry_id)
                return None
            fresh.issue_key = state.issue
            fresh.started_at = current.started
            fresh.ended_at = current.started + timedelta(seconds=current.seconds)
            fresh.breaks = []
            fresh.comment = current.comment
            fresh.revision += 1
            fresh.synced_revision = fresh.revision
            fresh.remote = {
                day: DayWorklog(state.issue, current.id, current.updated, tagged=state.tagged)
            }
            fresh.sync_state, fresh.error = SyncState.SYNCED, None
            self._store.save(fresh)
            log.info("entry %d: took Jira's version of worklog %s", entry_id, current.id)
            return fresh

        return self._store.transaction(take)
