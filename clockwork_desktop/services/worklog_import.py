"""Import my own worklogs made elsewhere (Jira's web UI, another tool) as remote entries.

Worklogs we pushed ourselves are recognised by their id (this installation) or their tag
(another installation, where the site returns properties) and skipped; remote entries whose
worklog disappeared from Jira are removed. Synced entries whose worklog was deleted or
changed in Jira become conflicts, as the reconcile after every sync does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clockwork_desktop.core.days import local_day_bounds, split_into_days
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import (
    FALLBACK_ZONE,
    Account,
    RemoteWorklog,
    SyncState,
    unknown_zone_note,
    zone_or_none,
)
from clockwork_desktop.core.ports import JiraPort, NewEntry, SyncStore
from clockwork_desktop.core.sync_plan import (
    PROPERTY_KEY,
    fits,
    mark_remote_changes,
    remote_changes,
)
from clockwork_desktop.services.accounts import AccountService

log = get_logger(__name__)

# Jira accepts any positive number of seconds; anything longer than a week in one worklog
# is not a day's work we can show, and must not stop the rest of the import.
MAX_IMPORTED_S = 7 * 24 * 3600


class WorklogImport:
    def __init__(self, store: SyncStore, accounts: AccountService) -> None:
        self._store = store
        self._accounts = accounts

    def run(self, account_name: str | None, first: date, last: date) -> int:
        account = self._accounts.get(account_name)
        client = self._accounts.client(account)
        try:
            return self._import(account, client, first, last)
        finally:
            client.close()

    def _import(self, account: Account, client: JiraPort, first: date, last: date) -> int:
        zone = zone_or_none(account.time_zone) or ZoneInfo(FALLBACK_ZONE)
        zone_name = zone.key
        note = unknown_zone_note(account.time_zone, f"days are counted in {zone_name}")
        if note:
            log.warning("import: %s", note)
        start, end = local_day_bounds(first, last, zone)
        # JQL dates are whole days in the profile's zone; widen by a day on each side.
        jql = (
            f"worklogAuthor = currentUser() AND worklogDate >= '{first - timedelta(days=1)}' "
            f"AND worklogDate <= '{last + timedelta(days=1)}'"
        )
        issues = client.search(jql, limit=1000)
        self._store.cache_issues(account.name, issues, mine=False)  # their summaries, offline
        ours = self._store.known_worklog_ids(account.name)
        # A create of ours whose answer was lost is not someone else's worklog: the next sync
        # adopts it. Imported here, it would be linked to a copy and posted a second time.
        unsettled = self._store.unsettled_writes(account.name)
        mine: dict[str, tuple[str, RemoteWorklog]] = {}
        for issue in issues:
            for worklog in client.worklogs_started_between(issue.key, start, end):
                if worklog.author_id != account.account_id:
                    continue
                if any(key == issue.key and fits(worklog, sent) for key, sent in unsettled):
                    continue
                if not 0 < worklog.seconds <= MAX_IMPORTED_S:
                    log.warning(
                        "skipped worklog %s on %s: %d seconds",
                        worklog.id,
                        issue.key,
                        worklog.seconds,
                    )
                    continue
                mine[worklog.id] = (issue.key, worklog)
        imported = 0

        def _apply() -> None:
            nonlocal imported
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

        self._store.transaction(_apply)
        return imported

    def _flag_remote_changes(
        self,
        account: Account,
        mine: dict[str, tuple[str, RemoteWorklog]],
        start: datetime,
        end: datetime,
    ) -> None:
        present = {worklog_id: worklog for worklog_id, (_key, worklog) in mine.items()}
        for entry in self._store.between(start, end):
            if entry.account != account.name or entry.sync_state is not SyncState.SYNCED:
                continue
            # Only the days inside the imported range were looked for.
            checked = {
                w.worklog_id
                for day, w in entry.remote.items()
                if w.worklog_id is not None
                and start.date() <= date.fromisoformat(day) <= end.date()
            }
            changes = remote_changes(entry.remote, present, checked)
            if changes:
                mark_remote_changes(entry, changes)
                self._store.save(entry)
