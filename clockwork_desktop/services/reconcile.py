"""Reconcile: notice, on every sync, our synced worklogs that were deleted or changed in Jira.

Cheap when nothing changed. Cloud reads the site's `/worklog/deleted` and `/worklog/updated`
feeds from a cursor kept per account: one request each when nothing moved, and a worklog is
fetched only if the feed's time for it differs from the `updated` we recorded. Data Center
has no such feeds for us to rely on: one search finds, among the issues of our recent synced
entries, those whose `updated` moved since the last run (logging, editing or deleting work
moves it), and only those issues' worklogs are read again, every page.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import JiraRefusedError
from clockwork_desktop.core.jira_format import to_epoch_ms
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, Entry, RemoteWorklog, SyncState
from clockwork_desktop.core.ports import JiraPort, ReconcileCursor, SyncStore
from clockwork_desktop.core.sync_plan import RemoteChange, mark_remote_changes, remote_changes
from clockwork_desktop.services.feeds import read_feed
from clockwork_desktop.services.issues import jql_string

log = get_logger(__name__)

# The first run of an account looks this far back; later runs continue from the cursor.
FIRST_LOOKBACK = timedelta(days=14)
# Data Center: entries older than this are not re-read (their issues rarely change).
DC_WINDOW = timedelta(days=31)
# Data Center: a relative JQL window a little wider than the time since the last run, for
# clock differences and for changes made while the last run was reading.
DC_MARGIN_MIN = 5
DC_KEY_BATCH = 200


class Reconciler:
    def __init__(self, store: SyncStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def has_work(self, account: Account) -> bool:
        return bool(self._store.synced_with_worklogs(account.name, self._since(account)))

    def _since(self, account: Account) -> datetime | None:
        return None if account.is_cloud else self._clock.now() - DC_WINDOW

    def run(self, account: Account, client: JiraPort) -> list[tuple[Entry, str]]:
        """Flag what changed in Jira; returns the entries now in conflict, with the reason."""
        entries = self._store.synced_with_worklogs(account.name, self._since(account))
        if not entries:
            return []
        if account.is_cloud:
            present, checked = self._cloud(account, client, entries)
        else:
            present, checked = self._datacenter(account, client, entries)
        return self._flag(account, entries, present, checked)

    # -- Cloud: the feeds -------------------------------------------------------------------

    def _cloud(
        self, account: Account, client: JiraPort, entries: list[Entry]
    ) -> tuple[dict[str, RemoteWorklog], set[str]]:
        ours: dict[str, datetime | None] = {
            w.worklog_id: w.updated
            for e in entries
            for w in e.remote.values()
            if w.worklog_id is not None and not w.gone
        }
        cursor = self._store.reconcile_cursor(account.name)
        first = to_epoch_ms(self._clock.now() - FIRST_LOOKBACK)
        deleted_since = first if cursor.deleted_ms is None else cursor.deleted_ms
        updated_since = first if cursor.updated_ms is None else cursor.updated_ms

        checked: set[str] = set()
        deleted = read_feed(client, "deleted", deleted_since)
        checked.update(i for i in deleted.times if i in ours)
        changed = read_feed(client, "updated", updated_since)
        suspects = sorted(
            i
            for i, ms in changed.times.items()
            if i in ours and i not in checked and ms != _ms(ours[i])
        )
        present = {w.id: w for w in client.worklogs_by_ids(suspects)} if suspects else {}
        # A suspect that /worklog/list does not return was deleted after the deleted feed was
        # read (or is hidden from us): the next run's deleted feed says which.
        checked.update(i for i in suspects if i in present)
        # A reading stopped by the page cap goes on from where it got to next time.
        self._store.save_reconcile_cursor(
            account.name, ReconcileCursor(deleted_ms=deleted.reached, updated_ms=changed.reached)
        )
        return present, checked

    # -- Data Center: one search, then the issues that moved ---------------------------------

    def _datacenter(
        self, account: Account, client: JiraPort, entries: list[Entry]
    ) -> tuple[dict[str, RemoteWorklog], set[str]]:
        ids_by_issue: dict[str, set[str]] = {}
        for entry in entries:
            for w in entry.remote.values():
                if w.worklog_id is not None and not w.gone:
                    ids_by_issue.setdefault(w.issue, set()).add(w.worklog_id)
        now = self._clock.now()
        saved = self._store.reconcile_cursor(account.name)
        # Per issue, the `updated` it had when we last read all its worklogs: unchanged since
        # means nothing to read again. Our own writes move it too, so an issue we wrote to is
        # read once more afterwards; that is what tells a colleague's change just before ours.
        verified: dict[str, datetime] = dict(saved.issues)
        last = saved.checked_at
        if last is not None:
            elapsed = max(0.0, (now - last).total_seconds())
            minutes = math.ceil(elapsed / 60) + DC_MARGIN_MIN
        else:
            minutes = int(DC_WINDOW.total_seconds() // 60)
        present: dict[str, RemoteWorklog] = {}
        checked: set[str] = set()
        for issue_key, updated in self._moved_issues(client, sorted(ids_by_issue), minutes):
            if updated is not None and verified.get(issue_key) == updated:
                continue
            try:
                worklogs = client.worklogs_of(issue_key)
            except JiraRefusedError as exc:
                if exc.status != 404:
                    raise
                # Deleted, or hidden from us now: we cannot tell, so we do not judge.
                log.info("reconcile: %s cannot be read (%s); not checked", issue_key, exc)
                continue
            present.update((w.id, w) for w in worklogs)
            checked.update(ids_by_issue[issue_key])
            if updated is not None:
                verified[issue_key] = updated
        kept = {k: v for k, v in verified.items() if k in ids_by_issue}
        self._store.save_reconcile_cursor(
            account.name, ReconcileCursor(checked_at=now, issues=kept)
        )
        return present, checked

    @staticmethod
    def _moved_issues(
        client: JiraPort, keys: list[str], minutes: int
    ) -> list[tuple[str, datetime | None]]:
        """The issues among ``keys`` updated in the last ``minutes``, with their `updated`."""
        moved: list[tuple[str, datetime | None]] = []
        for start in range(0, len(keys), DC_KEY_BATCH):
            batch = keys[start : start + DC_KEY_BATCH]
            listed = ", ".join(jql_string(k) for k in batch)
            jql = f"key in ({listed}) AND updated >= -{minutes}m"
            try:
                found = client.search(jql, limit=len(batch))
            except JiraRefusedError as exc:
                # Jira refuses the whole query when one key no longer exists (moved, deleted):
                # read those issues one by one instead.
                log.info("reconcile search refused (%s); reading %d issues", exc, len(batch))
                moved.extend((key, None) for key in batch)
                continue
            asked = set(batch)
            moved.extend((i.key, i.updated) for i in found if i.key in asked)
            if any(i.key not in asked for i in found):
                # An issue moved to another project answers with its new key: we cannot tell
                # which of ours it was, so read the ones not answered by their own key (their
                # old keys still lead to them).
                answered = {i.key for i in found}
                moved.extend((key, None) for key in batch if key not in answered)
        return moved

    # -- flagging ---------------------------------------------------------------------------

    def _flag(
        self,
        account: Account,
        entries: Iterable[Entry],
        present: dict[str, RemoteWorklog],
        checked: set[str],
    ) -> list[tuple[Entry, str]]:
        flagged: list[tuple[Entry, str]] = []
        for entry in entries:
            changes = remote_changes(entry.remote, present, checked)
            if not changes:
                continue
            found = self._store.transaction(functools.partial(self._flag_one, entry.id, changes))
            if found is None:
                continue
            current, message = found
            log.info("entry %d of %s: %s", entry.id, account.name, message)
            flagged.append((current, message))
        return flagged

    def _flag_one(self, entry_id: int, changes: list[RemoteChange]) -> tuple[Entry, str] | None:
        current = self._store.get(entry_id)
        # Edited meanwhile: the user's new version is on its way, and the push will look at
        # Jira's copy itself before writing.
        if current is None or current.sync_state is not SyncState.SYNCED:
            return None
        message = mark_remote_changes(current, changes)
        self._store.save(current)
        return current, message


def _ms(instant: datetime | None) -> int | None:
    return None if instant is None else to_epoch_ms(instant)
