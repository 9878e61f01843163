"""TimesheetService: my week from the local store, my team's week from Jira's worklogs.

Team data is read into a SQLite cache. The first load of a week finds its worklogs by date:
JQL on worklogAuthor and worklogDate, then each issue's worklogs. Jira Cloud then keeps the
cache current through /worklog/updated from a cursor, /worklog/list for the changed ids (1000
at a time) and /worklog/deleted, so later refreshes only read what changed; the feed alone
cannot load a week, because it is ordered by update time and work logged long before its
week and never edited is not near that week in it. Data Center reads the week by date on
every refresh. Cached weeks open at once, offline too. Who is in a team is TeamDirectory's
concern (services/teams.py).

The cache keeps TEAM_CACHE_RETENTION_WEEKS of the team's history: once a day, worklogs that
started before that are dropped with what was built from them (computed weeks, the marks that
say a week was read by date), so an older week opened again is read from Jira as at first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import (
    JiraError,
    NotFoundError,
    OperationError,
)
from clockwork_desktop.core.jira_format import to_epoch_ms
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, RemoteWorklog
from clockwork_desktop.core.ports import JiraPort, TimesheetStore
from clockwork_desktop.core.timesheet import (
    WeekGrid,
    WorkingTime,
    WorklogRecord,
    build_grid,
    grid_from_json,
    grid_to_json,
    week_bounds,
)
from clockwork_desktop.services.accounts import AccountService
from clockwork_desktop.services.feeds import FEED_PAGES_PER_READ, read_feed
from clockwork_desktop.services.issues import jql_string
from clockwork_desktop.services.teams import GroupMembersHiddenError, Member, Team, TeamDirectory
from clockwork_desktop.services.tracker import TrackerService

# The team types keep their import path here, where the windows and the CLI find them.
__all__ = [
    "Cancelled",
    "GroupMembersHiddenError",
    "Member",
    "Team",
    "TeamWeek",
    "TimesheetService",
]

log = get_logger(__name__)

# Re-read this much before the cursor: the feed leaves out the last minute, and clocks differ.
FEED_OVERLAP_MS = 5 * 60 * 1000
# A new feed cursor starts this long before the first load read Jira by date: it covers our
# clock being behind Jira's and a search index that is a little behind the worklogs.
NEW_CURSOR_MARGIN_MS = 15 * 60 * 1000
# One refresh reads at most this many pages of each feed (Cloud pages hold up to 1000 changes):
# a feed whose pages move on a millisecond at a time cannot keep a refresh going for hours.
# What was read is kept and the next refresh goes on from the page where this one stopped.
FEED_PAGES_PER_REFRESH = FEED_PAGES_PER_READ
# The team cache forgets worklogs that started more than this many weeks ago (half a year:
# enough for monthly and quarterly reviews), so it does not grow with the team's whole history.
TEAM_CACHE_RETENTION_WEEKS = 26
# How often, at most, the cache is checked for worklogs past the retention period.
TEAM_CACHE_PRUNE_EVERY_S = 24 * 3600
PRUNED_SETTING = "team_cache_pruned_utc"
# The two feeds; one stopped by the page cap keeps its place in the cursor "<feed>:resume"
# until a refresh reads it to its end.
FEEDS = ("updated", "deleted")

Progress = Callable[[int, int, str], None]


class Cancelled(OperationError):
    """The user pressed Cancel while a team week was loading."""


class _FeedRead(NamedTuple):
    ids: list[str]
    reached: int  # `since` for the next page
    complete: bool  # False: the page cap stopped the reading before Jira's last page


class TeamWeek(NamedTuple):
    grid: WeekGrid
    fetched_at: datetime | None
    hidden: int  # worklogs Jira would not show the viewer
    note: str | None  # why the data may be stale (offline...), or None
    requests: int


class _Counter:
    def __init__(self, cancel: Callable[[], bool] | None, progress: Progress | None) -> None:
        self.requests = 0
        self._cancel = cancel
        self._progress = progress

    def step(self, done: int, total: int, what: str) -> None:
        if self._cancel is not None and self._cancel():
            raise Cancelled("Loading was cancelled; the saved data is shown.")
        if self._progress is not None:
            self._progress(done, total, what)


class TimesheetService(TeamDirectory):
    def __init__(
        self,
        store: TimesheetStore,
        accounts: AccountService,
        tracker: TrackerService,
        clock: Clock,
        *,
        feed_page_limit: int = FEED_PAGES_PER_REFRESH,
    ) -> None:
        super().__init__(store, accounts)
        self._feed_page_limit = feed_page_limit
        # When the cache was last checked for old weeks (UTC seconds), once known.
        self._pruned_at: int | None = None
        self._tracker = tracker
        self._clock = clock
        # Weeks already computed from the cache, valid while nothing wrote to it: reopening a
        # week costs what showing it costs, not re-adding thousands of worklogs.
        # (cache version, week): valid while the worklog cache keeps that version.
        self._grids: dict[tuple[object, ...], tuple[int, TeamWeek]] = {}

    # -- settings -----------------------------------------------------------------------------

    @property
    def zone(self) -> ZoneInfo:
        return self._tracker.zone

    def working_time(self) -> WorkingTime:
        chosen = self._store.load_settings()
        return WorkingTime(
            chosen.work_start,
            chosen.work_end,
            frozenset(chosen.work_days),
            tuple(chosen.day_hours),
            frozenset(chosen.holidays),
        )

    def expected(self, days: Sequence[date]) -> list[int]:
        """Expected seconds for each of ``days`` under the working-time settings."""
        working = self.working_time()
        return [working.expected_seconds(d) for d in days]

    def first_weekday(self) -> int:
        return self._store.load_settings().first_day_of_week

    # -- my week --------------------------------------------------------------------------------

    def my_week(self, days: Sequence[date]) -> WeekGrid:
        """My entries (local and imported) with their sync states; rows are issues."""
        views = self._tracker.entries(days[0], days[-1])
        me = self._me()
        records = [
            WorklogRecord(
                str(v.entry.id),
                me[0],
                me[1],
                v.entry.issue_key,
                v.entry.started_at,
                v.duration_seconds,
                v.state.value,
            )
            for v in views
        ]
        return build_grid(records, [me], days, self.zone, self.working_time())

    def summaries(self, keys: Sequence[str]) -> dict[str, str]:
        return self._store.issue_summaries(keys)

    # -- the team's week ------------------------------------------------------------------------

    def team_week(
        self,
        team: Team,
        days: Sequence[date],
        *,
        project: str | None = None,
        refresh: bool = True,
        progress: Progress | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> TeamWeek:
        account = self._accounts.get(team.account or None)
        start, end = week_bounds(days, self.zone)
        self._prune_if_due(start)
        counter = _Counter(cancel, progress)
        note = None
        hidden = 0
        key = (account.name, team.members, tuple(days), project, self.zone.key, self.working_time())
        if not refresh:
            cached = self._grids.get(key)
            if cached is not None and cached[0] == self._store.cache_version():
                return cached[1]
            stored = self._stored_week(account, key, days)
            if stored is not None:
                return stored
        if refresh:
            try:
                hidden, note = self._refresh(account, team, days, counter)
            except Cancelled as exc:
                note = str(exc)
            except JiraError as exc:
                note = f"Showing saved data: {exc}"
        # A day of margin on each side: worklogs count on their local day in the viewer's zone.
        records = self._store.remote_worklogs_between(
            account.name,
            start - timedelta(days=1),
            end + timedelta(days=1),
            [m.account_id for m in team.members],
        )
        people = [(m.account_id, m.display_name) for m in team.members]
        grid = build_grid(records, people, days, self.zone, self.working_time(), project=project)
        _since, fetched = self._store.feed_cursor(account.name, self._feed_key(account, days))
        fetched_at = datetime.fromtimestamp(fetched, UTC) if fetched else None
        version = self._store.cache_version()
        # Kept without the note: a later reopen shows the data, not this run's excuse.
        self._grids[key] = (version, TeamWeek(grid, fetched_at, hidden, None, 0))
        self._store.save_grid(
            self._disk_key(key), version, f"{hidden}\n{grid_to_json(grid)}", days[0]
        )
        if len(self._grids) > 32:
            self._grids.pop(next(iter(self._grids)))
        return TeamWeek(grid, fetched_at, hidden, note, counter.requests)

    def _prune_if_due(self, shown_from: datetime) -> None:
        """Forget cached weeks past the retention period, at most once a day (a look at one
        setting otherwise), never the week about to be shown, which starts at ``shown_from``."""
        now = self._clock.now()
        stamp = int(now.timestamp())
        if self._pruned_at is not None and 0 <= stamp - self._pruned_at < TEAM_CACHE_PRUNE_EVERY_S:
            return
        last = self._store.get_setting(PRUNED_SETTING)
        if isinstance(last, int) and 0 <= stamp - last < TEAM_CACHE_PRUNE_EVERY_S:
            self._pruned_at = last  # another process did it
            return
        cutoff = min(
            now - timedelta(weeks=TEAM_CACHE_RETENTION_WEEKS), shown_from - timedelta(days=2)
        )
        # A week whose first day is d starts after (d - 1) 00:00 UTC in any zone (UTC+14 at
        # most), so a week that can have lost a worklog begins before cutoff's UTC date + 2;
        # the shown week begins at least two days after cutoff (UTC-12 at least), so it stays.
        weeks_before = cutoff.astimezone(UTC).date() + timedelta(days=2)

        def prune() -> int:
            removed = self._store.prune_team_cache(cutoff, weeks_before)
            self._store.set_setting(PRUNED_SETTING, stamp)
            return removed

        removed = self._store.transaction(prune)
        self._pruned_at = stamp
        if removed:
            log.info("team cache: %d worklogs before %s forgotten", removed, weeks_before)

    @staticmethod
    def _disk_key(key: tuple[object, ...]) -> str:
        import hashlib

        return hashlib.sha256(repr(key).encode()).hexdigest()

    def _stored_week(
        self, account: Account, key: tuple[object, ...], days: Sequence[date]
    ) -> TeamWeek | None:
        """A week computed in an earlier run, if the worklog cache has not changed since."""
        stored = self._store.cached_grid(self._disk_key(key))
        if stored is None or stored[0] != self._store.cache_version():
            return None
        hidden_text, _, grid_text = stored[1].partition("\n")
        grid = grid_from_json(grid_text)
        _since, fetched = self._store.feed_cursor(account.name, self._feed_key(account, days))
        fetched_at = datetime.fromtimestamp(fetched, UTC) if fetched else None
        week = TeamWeek(grid, fetched_at, int(hidden_text or 0), None, 0)
        self._grids[key] = (stored[0], week)
        return week

    def _feed_key(self, account: Account, days: Sequence[date]) -> str:
        # Cloud reads one site-wide feed; Data Center reads per week.
        return "updated" if account.is_cloud else f"week:{days[0].isoformat()}"

    def _refresh(
        self, account: Account, team: Team, days: Sequence[date], counter: _Counter
    ) -> tuple[int, str | None]:
        """Hidden worklogs, and why the week may be incomplete (or None)."""
        client = self._accounts.client(account)
        try:
            if account.is_cloud:
                return self._refresh_cloud(account, client, team, days, counter)
            members = self._named(client, account, team.members)
            self._read_by_date(account, client, members, days, counter)
            self._store.set_feed_cursor(
                account.name, self._feed_key(account, days), 0, int(self._clock.now().timestamp())
            )
            return 0, None
        finally:
            client.close()

    def _named(self, client: JiraPort, account: Account, members: Sequence[Member]) -> list[Member]:
        """Data Center members with their usernames (teams saved before we kept them)."""
        named = []
        for m in members:
            if not m.name and m.account_id != account.account_id:
                user = client.user(m.account_id)  # by key; found even if they left
                if user is None:
                    raise NotFoundError(f"Jira knows no user {m.display_name!r} any more.")
                m = Member(user.account_id, user.display_name, user.name or "")
            named.append(m)
        return named

    def _refresh_cloud(
        self,
        account: Account,
        client: JiraPort,
        team: Team,
        days: Sequence[date],
        counter: _Counter,
    ) -> tuple[int, str | None]:
        started_at = self._clock.now()
        week = f"{days[0].isoformat()}/{days[-1].isoformat()}"
        seeded = self._store.seeded_authors(account.name, week)
        unread = [m for m in team.members if m.account_id not in seeded]
        if unread:
            self._read_by_date(account, client, unread, days, counter)
        cursor, _fetched = self._store.feed_cursor(account.name, "updated")
        if cursor is None:
            since = max(0, to_epoch_ms(started_at) - NEW_CURSOR_MARGIN_MS)
        else:
            since = max(0, cursor - FEED_OVERLAP_MS)
        # After a refresh stopped by the page cap, each feed goes on exactly where it stopped:
        # with the overlap it could read the same pages again every time.
        starts = {}
        for kind in FEEDS:
            resume, _at = self._store.feed_cursor(account.name, f"{kind}:resume")
            starts[kind] = since if resume is None else resume
        counter.step(0, 0, "Asking Jira what changed…")
        changed = self._read_feed(client, "updated", starts["updated"], counter, "changed")
        hidden = 0
        total = len(changed.ids)
        unique = list(dict.fromkeys(changed.ids))
        for start in range(0, len(unique), 1000):
            batch = unique[start : start + 1000]
            worklogs = client.worklogs_by_ids(batch)
            counter.requests += 1
            hidden += len(batch) - len(worklogs)
            self._store_worklogs(account, client, worklogs, counter)
            counter.step(min(start + 1000, total), total, "Reading worklogs…")
        deleted = self._read_feed(client, "deleted", starts["deleted"], counter, "deleted")
        if deleted.ids:
            self._store.delete_remote_worklogs(account.name, deleted.ids)
        fetched = int(started_at.timestamp())
        complete = changed.complete and deleted.complete

        def _save_cursors() -> None:
            if complete:
                self._store.set_feed_cursor(
                    account.name, "updated", max(changed.reached, since), fetched
                )
                for kind in FEEDS:
                    self._store.forget_feed_cursor(account.name, f"{kind}:resume")
            else:
                # The cursor stays until both feeds reach their end; each keeps its place.
                kept = since + FEED_OVERLAP_MS if cursor is None else cursor
                self._store.set_feed_cursor(account.name, "updated", kept, fetched)
                for kind, read in (("updated", changed), ("deleted", deleted)):
                    if read.complete:  # at the tail: the overlap again, but never backwards
                        place = max(read.reached - FEED_OVERLAP_MS, starts[kind])
                    else:
                        place = read.reached
                    self._store.set_feed_cursor(account.name, f"{kind}:resume", place, fetched)
            # Only now: had the feed failed, a week read by date but not followed since then
            # would be read by date again. A capped feed is followed on from where it stopped.
            self._store.mark_seeded(account.name, week, [m.account_id for m in unread], fetched)

        self._store.transaction(_save_cursors)
        if complete:
            return hidden, None
        log.info("feed refresh stopped after %d pages; it goes on next time", self._feed_page_limit)
        return hidden, (
            f"Jira listed more changes than one refresh reads ({self._feed_page_limit} pages), "
            "so this week may be incomplete; the next refresh goes on where this one stopped."
        )

    def _read_feed(
        self, client: JiraPort, kind: str, since: int, counter: _Counter, label: str
    ) -> _FeedRead:
        """The ids in one feed from ``since``, up to its last page or the page cap."""

        def page_read(found: int) -> None:
            counter.requests += 1
            counter.step(found, 0, f"{found} {label} worklogs found…")

        read = read_feed(client, kind, since, max_pages=self._feed_page_limit, on_page=page_read)
        return _FeedRead(list(read.times), read.reached, read.complete)

    def _store_worklogs(
        self, account: Account, client: JiraPort, worklogs: list[RemoteWorklog], counter: _Counter
    ) -> None:
        issue_ids = sorted({w.issue_id for w in worklogs})
        keys = self._store.known_issue_keys(account.name, issue_ids)
        missing = [i for i in issue_ids if i not in keys]
        if missing:
            keys.update(client.issue_keys(missing))
            counter.requests += -(-len(missing) // 500)
        rows = [_row(w, keys.get(w.issue_id, f"#{w.issue_id}")) for w in worklogs]
        self._store.upsert_remote_worklogs(account.name, rows)

    def _read_by_date(
        self,
        account: Account,
        client: JiraPort,
        members: Sequence[Member],
        days: Sequence[date],
        counter: _Counter,
    ) -> None:
        """The members' worklogs in the week as Jira has them now, found by date.

        JQL finds the issues (worklogDate counts days in the viewer's Jira profile zone, which
        may not be ours: a day of margin each side), then each issue's worklogs are read and
        kept by author and start instant. What the cache holds for these people in the week
        and Jira no longer has is dropped.
        """
        authors = ", ".join(_jql_author(account, m) for m in members)
        # One clause per day, not `>= first AND <= last`: Jira decides each clause per issue
        # on its own, so a range would also name every issue with work before and after it.
        dates = [days[0] + timedelta(days=n) for n in range(-1, len(days) + 1)]
        on_days = " OR ".join(f"worklogDate = '{d.isoformat()}'" for d in dates)
        jql = f"worklogAuthor in ({authors}) AND ({on_days})"
        counter.step(0, 0, "Finding the team's issues…")
        issues = client.search(jql, limit=5000)
        counter.requests += max(1, -(-len(issues) // 100))
        start, end = week_bounds(days, self.zone)
        wanted = {m.account_id for m in members}
        rows: list[tuple[object, ...]] = []
        for n, issue in enumerate(issues, start=1):
            worklogs = client.worklogs_started_between(issue.key, start, end)
            counter.requests += 1
            rows.extend(_row(w, issue.key) for w in worklogs if w.author_id in wanted)
            counter.step(n, len(issues), f"Reading worklogs of {issue.key}…")
        seen = {row[0] for row in rows}
        old = self._store.remote_worklogs_between(account.name, start, end, sorted(wanted))
        gone = [r.id for r in old if r.id not in seen]
        if gone:
            self._store.delete_remote_worklogs(account.name, gone)
        self._store.upsert_remote_worklogs(account.name, rows)


def _jql_author(account: Account, member: Member) -> str:
    """The member as JQL's worklogAuthor takes them: accountId on Cloud, username on DC."""
    if account.is_cloud:
        return jql_string(member.account_id)
    if member.name:
        return jql_string(member.name)
    if member.account_id == account.account_id:
        return "currentUser()"  # the viewer: the account keeps the key, not the username
    return jql_string(member.account_id)


def _row(w: RemoteWorklog, issue_key: str) -> tuple[object, ...]:
    """A worklog as the store's cache row; the start as an instant (UTC seconds)."""
    return (
        w.id,
        w.issue_id,
        issue_key,
        w.author_id,
        w.author_name,
        int(w.started.timestamp()),
        w.seconds,
        0,
    )
