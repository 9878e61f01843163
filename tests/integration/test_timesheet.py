"""Team and personal timesheets against the fake Jira over real HTTP."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import httpx
import openpyxl
import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.errors import NotFoundError
from clockwork_desktop.core.export import csv_text
from clockwork_desktop.core.timesheet import grid_table, week_bounds
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.credentials import SessionCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from clockwork_desktop.infra.spreadsheet import xlsx_bytes
from clockwork_desktop.services.timesheet import (
    PRUNED_SETTING,
    TEAM_CACHE_RETENTION_WEEKS,
    GroupMembersHiddenError,
    TimesheetService,
)
from tests.conftest import FakeClock
from tests.support.jira import Sleeps
from tests.support.team import VIEWER_ZONE, WEEK, expected_grid, seed_team


@pytest.fixture(scope="module")
def team_jira() -> Iterator[FakeJira]:
    jira = FakeJira("cloud", feed_quiet_s=0.0, rate_limit_writes=False)
    seed_team(jira)
    jira.start()
    yield jira
    jira.stop()


def manager(tmp_path: Path, jira: FakeJira, *, dc: bool = False) -> AppServices:
    app = AppServices(
        tmp_path / "data",
        FakeClock(datetime(2026, 3, 12, 12, 0, tzinfo=UTC)),
        connector=HttpJiraConnector(sleep=Sleeps()),
        credentials=SessionCredentials(),
    )
    app.store.set_setting("timezone", "Europe/Berlin")
    if dc:
        app.accounts.login(jira.base_url, "boss-token", name="dc")
    else:
        app.accounts.login(jira.base_url, "boss-token", email="boss@example.com", name="site")
    return app


def grid_by_person(grid) -> dict[str, list[int]]:  # type: ignore[no-untyped-def]
    return {r.account_id: list(r.days) for r in grid.rows if r.total}


def test_team_week_matches_an_independent_computation(tmp_path: Path, team_jira: FakeJira) -> None:
    app = manager(tmp_path, team_jira)
    team = app.timesheets.resolve_team(group="team-a")
    assert len(team.members) == 50
    week = app.timesheets.team_week(team, WEEK)
    expected = expected_grid(team_jira, {m[0] for m in team.members})
    assert grid_by_person(week.grid) == dict(expected)
    assert week.grid.total == sum(sum(v) for v in expected.values())
    assert sum(week.grid.totals) == week.grid.total
    assert week.fetched_at is not None
    assert week.hidden == 0
    row = week.grid.rows[0]
    assert row.expected == 5 * 8 * 3600
    assert row.difference == row.total - row.expected
    for r in week.grid.rows:  # person totals are the sum of their issues
        assert [sum(i.days[d] for i in r.issues) for d in range(7)] == list(r.days)
    # Project filter.
    app_only = app.timesheets.team_week(team, WEEK, project="APP", refresh=False)
    assert grid_by_person(app_only.grid) == dict(
        expected_grid(team_jira, {m[0] for m in team.members}, project="APP")
    )
    app.close()


def test_incremental_refresh_reads_only_changes(tmp_path: Path, team_jira: FakeJira) -> None:
    app = manager(tmp_path, team_jira)
    team = app.timesheets.resolve_team(group="team-a")
    app.timesheets.team_week(team, WEEK)
    members = {m[0] for m in team.members}
    monday = int(datetime(2026, 3, 9, 10, 0, tzinfo=UTC).timestamp() * 1000)
    added = team_jira.add_worklog("APP-1", "acc-001", monday, 3600, "new")
    changed = next(
        w
        for w in team_jira.worklogs.values()
        if w.author in members
        and w.id != added.id
        and WEEK[0] <= datetime.fromtimestamp(w.started_ms / 1000, UTC).date() < WEEK[-1]
    )
    team_jira.edit_worklog(changed.id, seconds=changed.seconds + 1800)
    gone = next(
        w
        for w in team_jira.worklogs.values()
        if w.author in members and w.id not in (added.id, changed.id)
    )
    team_jira.delete_worklog(gone.id)
    team_jira.hidden_worklogs.add(added.id)
    before = len(team_jira.requests)
    week = app.timesheets.team_week(team, WEEK)
    requests = len(team_jira.requests) - before
    assert requests <= 6  # group, feed pages, one list call, the deleted feed
    assert week.hidden == 1
    assert grid_by_person(week.grid) == dict(expected_grid(team_jira, members))
    team_jira.hidden_worklogs.discard(added.id)
    week = app.timesheets.team_week(team, WEEK)
    assert grid_by_person(week.grid) == dict(expected_grid(team_jira, members))
    # Offline: the saved week opens at once, with the time it was fetched.
    port = int(team_jira.base_url.rsplit(":", 1)[1])
    team_jira.stop()
    try:
        offline = app.timesheets.team_week(team, WEEK)
        assert offline.note is not None
        assert "saved data" in offline.note
        assert offline.fetched_at is not None
        assert grid_by_person(offline.grid) == dict(expected_grid(team_jira, members))
    finally:
        team_jira.start_on(port)
    app.close()


def test_my_week_combines_local_entries_with_states(tmp_path: Path) -> None:
    app = AppServices(
        tmp_path,
        FakeClock(datetime(2026, 3, 12, 12, 0, tzinfo=UTC)),
        credentials=SessionCredentials(),
    )
    app.store.set_setting("timezone", "Europe/Berlin")
    tracker = app.tracker
    tracker.log_time("A-1", 3600, day=WEEK[0], start_time=time(9, 0))
    tracker.log_time("A-1", 1800, day=WEEK[1], start_time=time(9, 0))
    tracker.log_time("B-2", 30, day=WEEK[1], start_time=time(11, 0))
    tracker.log_time("B-2", 1800, day=WEEK[0] - timedelta(days=1), start_time=time(9, 0))
    grid = app.timesheets.my_week(WEEK)
    (me,) = grid.rows
    by_key = {i.key: i for i in me.issues}
    assert by_key["A-1"].days[:2] == (3600, 1800)
    assert by_key["A-1"].states[0] == "pending"
    assert by_key["B-2"].states[1] == "too_short"
    assert grid.total == 3600 + 1800 + 30
    app.close()


def test_exports_read_back(tmp_path: Path, team_jira: FakeJira) -> None:
    app = manager(tmp_path, team_jira)
    team = app.timesheets.resolve_team(group="team-a")
    grid = app.timesheets.team_week(team, WEEK).grid
    table = grid_table(grid, by_issue=True)
    rows = list(__import__("csv").reader(io.StringIO(csv_text(table))))
    assert rows[0][:3] == ["Person", "Issue", "2026-03-09"]
    assert rows[-1][0] == "Total"
    assert float(rows[-1][9]) == pytest.approx(grid.total / 3600, abs=0.005)
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table)))
    cells = list(workbook.active.iter_rows(values_only=True))
    assert len(cells) == len(table)
    assert cells[-1][0] == "Total"
    assert cells[-1][9] == pytest.approx(grid.total / 3600, abs=0.005)
    app.close()


def run_cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command line as a manager runs it, with the token in the environment."""
    env = {"TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin", "CLOCKWORK_JIRA_TOKEN": "boss-token"}
    return subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_timesheet_cli_json(tmp_path: Path, team_jira: FakeJira) -> None:
    data = tmp_path / "data"
    env = {"TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin", "CLOCKWORK_JIRA_TOKEN": "boss-token"}
    base = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
    login = run_cli(data, "login", "--url", team_jira.base_url, "--email", "boss@example.com")
    assert login.returncode == 0, login.stderr
    result = subprocess.run(
        [*base, "timesheet", "--week", "2026-W11", "--group", "team-a", "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data_json = json.loads(result.stdout)
    assert set(data_json) == {"week", "timezone", "days", "rows", "totals"}
    assert data_json["week"] == "2026-W11"
    assert data_json["timezone"] == "Europe/Berlin"
    assert data_json["days"][0] == "2026-03-09"
    row = data_json["rows"][0]
    assert set(row) == {"user", "days", "total", "expected", "issues"}
    assert set(row["user"]) == {"accountId", "displayName"}
    expected = expected_grid(team_jira, {r["user"]["accountId"] for r in data_json["rows"]})
    assert {r["user"]["accountId"]: r["days"] for r in data_json["rows"] if r["total"]} == dict(
        expected
    )
    assert data_json["totals"]["total"] == sum(r["total"] for r in data_json["rows"])
    out = tmp_path / "week.xlsx"
    written = subprocess.run(
        [
            *base,
            "timesheet",
            "--week",
            "2026-W11",
            "--group",
            "team-a",
            "--offline",
            "--output",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert written.returncode == 0, written.stderr
    assert zipfile.ZipFile(out).namelist()
    mine = subprocess.run(
        [*base, "timesheet", "--week", "2026-W11"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert mine.returncode == 0
    assert "Week 2026-W11" in mine.stdout


def test_cancel_keeps_the_saved_week(tmp_path: Path, team_jira: FakeJira) -> None:
    app = manager(tmp_path, team_jira)
    team = app.timesheets.resolve_team(group="team-a")
    steps: list[str] = []
    cancelled = app.timesheets.team_week(
        team, WEEK, progress=lambda d, t, text: steps.append(text), cancel=lambda: True
    )
    assert cancelled.note is not None
    assert "cancelled" in cancelled.note
    assert cancelled.grid.total == 0  # nothing saved yet, and nothing invented
    full = app.timesheets.team_week(team, WEEK, progress=lambda d, t, text: steps.append(text))
    assert full.grid.total > 0
    assert any("Reading worklogs" in s for s in steps)
    app.close()


def test_a_computed_week_reopens_after_a_restart_without_rebuilding(
    tmp_path: Path, team_jira: FakeJira, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = manager(tmp_path, team_jira)
    team = app.timesheets.resolve_team(group="team-a")
    first = app.timesheets.team_week(team, WEEK)
    restarted = TimesheetService(app.store, app.accounts, app.tracker, app.clock)

    def no_rebuild(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the week was rebuilt from the worklog cache")

    monkeypatch.setattr(app.store, "remote_worklogs_between", no_rebuild)
    again = restarted.team_week(team, WEEK, refresh=False)
    assert again.grid == first.grid
    assert again.fetched_at == first.fetched_at
    monkeypatch.undo()
    # Any write to the worklog cache makes the stored week stale.
    app.store.delete_remote_worklogs("site", [first.grid.rows[0].account_id + "-nothing"])
    stale = TimesheetService(app.store, app.accounts, app.tracker, app.clock)
    assert stale._stored_week(app.accounts.get(None), ("x",), WEEK) is None
    assert stale.team_week(team, WEEK, refresh=False).grid == first.grid
    app.close()


# -- Jira as it really is: Data Center users, short pages, departed people, planned work -------

BOSS_DC = {"Authorization": "Bearer boss-token"}


def week_start_utc() -> datetime:
    return datetime.combine(WEEK[0], time(0, 0), VIEWER_ZONE).astimezone(UTC)


def ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def test_fake_group_members_hide_people_who_left_unless_asked() -> None:
    with FakeJira("cloud") as jira:
        users = seed_team(jira, people=3, in_week=0, other=0)
        users[1].active = False
        with httpx.Client(base_url=jira.base_url, auth=("boss@example.com", "boss-token")) as http:
            url = "/rest/api/3/group/member"
            active = http.get(url, params={"groupname": "team-a"}).json()
            everyone = http.get(
                url, params={"groupname": "team-a", "includeInactiveUsers": "true"}
            ).json()
        assert [u["accountId"] for u in active["values"]] == ["acc-000", "acc-002"]
        assert active["total"] == 2
        assert len(everyone["values"]) == everyone["total"] == 3


def test_client_follows_every_page_when_jira_sends_short_ones() -> None:
    with FakeJira("cloud", search_page_limit=7) as jira:
        users = seed_team(jira, people=60, in_week=0, other=0)
        users[59].active = False
        client = HttpJiraConnector(sleep=Sleeps()).connect(
            jira.base_url, "cloud", "boss@example.com", "boss-token"
        )
        try:
            ids = [str(i.id) for i in jira.issues.values()]
            keys = client.issue_keys(ids)
            assert keys == {str(i.id): i.key for i in jira.issues.values()}
            found = client.search("project = APP", limit=100)
            assert len(found) == 40
            assert len(client.search("project = APP", limit=12)) == 12
            members = client.group_members("team-a")
            assert sorted(m.account_id for m in members) == [u.account_id for u in users]
        finally:
            client.close()


def test_fake_data_center_jql_takes_usernames_not_user_keys() -> None:
    with FakeJira("dc") as jira:
        seed_team(jira, people=3, in_week=30, other=0)
        user = jira.users["acc-001"]
        key = user.json(jira.base_url, "dc")["key"]
        assert key.startswith("JIRAUSER")
        with httpx.Client(base_url=jira.base_url, headers=BOSS_DC) as http:

            def search(jql: str) -> httpx.Response:
                return http.get("/rest/api/2/search", params={"jql": jql, "fields": "key"})

            refused = search(f'worklogAuthor in ("{key}")')
            assert refused.status_code == 400
            assert refused.json()["errorMessages"] == [
                f"The value '{key}' does not exist for the field 'worklogAuthor'."
            ]
            by_name = search('worklogAuthor in ("acc-001")')
            assert by_name.status_code == 200
            expected = {
                i.key
                for i in jira.issues.values()
                if any(w.issue_id == i.id and w.author == "acc-001" for w in jira.worklogs.values())
            }
            assert {i["key"] for i in by_name.json()["issues"]} == expected
            by_group = search('worklogAuthor in membersOf("team-a")')
            assert by_group.json()["total"] == len(
                {w.issue_id for w in jira.worklogs.values() if w.author != "acc-boss"}
            )
            worklog = next(w for w in jira.worklogs.values() if w.author == "acc-001")
            issue = next(i for i in jira.issues.values() if i.id == worklog.issue_id)
            listed = http.get(f"/rest/api/2/issue/{issue.key}/worklog").json()["worklogs"]
            author = next(w["author"] for w in listed if w["id"] == str(worklog.id))
            assert (author["key"], author["name"]) == (key, "acc-001")


def test_data_center_team_weeks_use_usernames_and_match_keys(tmp_path: Path) -> None:
    with FakeJira("dc", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        seed_team(jira, people=8, in_week=200, other=300)
        for day in range(3):
            jira.add_worklog(
                f"APP-{day + 1}",
                "acc-boss",
                ms(week_start_utc() + timedelta(days=day, hours=9)),
                3600,
                "review",
            )
        jira.users["acc-boss"].admin = True  # only administrators may list a group on DC
        keys = {u.account_id: u.json(jira.base_url, "dc")["key"] for u in jira.users.values()}

        def by_key(people: set[str]) -> dict[str, list[int]]:
            return {keys[a]: days for a, days in expected_grid(jira, people).items()}

        app = manager(tmp_path, jira, dc=True)
        group = app.timesheets.resolve_team(group="team-a")
        assert {m[0] for m in group.members} == {keys[f"acc-{n:03d}"] for n in range(8)}
        people = {f"acc-{n:03d}" for n in range(8)}
        week = app.timesheets.team_week(group, WEEK)
        assert week.note is None
        assert grid_by_person(week.grid) == by_key(people)
        # People named on the command line: DC usernames.
        named = app.timesheets.resolve_team(users=["acc-001", "acc-005"])
        assert grid_by_person(app.timesheets.team_week(named, WEEK).grid) == by_key(
            {"acc-001", "acc-005"}
        )
        # People found by search and saved as a team (as the window does).
        found = app.timesheets.find_people("Person 002")
        saved = app.timesheets.save_people_team(
            "two", [(u.account_id, u.display_name) for u in found]
        )
        assert grid_by_person(app.timesheets.team_week(saved, WEEK).grid) == by_key({"acc-002"})
        # A team saved without usernames (by an older version): looked up when read.
        older = TimesheetService(app.store, app.accounts, app.tracker, app.clock)
        legacy = older.save_people_team("old", [(keys["acc-003"], "Person 003")])
        assert grid_by_person(older.team_week(legacy, WEEK).grid) == by_key({"acc-003"})
        # The viewer's own week.
        mine = app.timesheets.team_week(app.timesheets.resolve_team(), WEEK)
        assert mine.note is None
        assert grid_by_person(mine.grid) == by_key({"acc-boss"})
        assert jira.count(None, "/rest/api/3/") == 0
        assert jira.count("GET", "/worklog/updated") == 0
        app.close()


def test_first_load_finds_work_logged_weeks_ahead_and_people_who_left(tmp_path: Path) -> None:
    with FakeJira("cloud", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        users = seed_team(jira, people=10, in_week=150, other=300)
        # The manager's Jira profile zone is far from the app's: worklogDate days differ.
        jira.users["acc-boss"].time_zone = "Pacific/Auckland"
        users[3].active = False  # left after this week; the week still has their time
        planned = week_start_utc() - timedelta(days=30)
        for n, user in enumerate(users):
            # Holidays and planned meetings, logged a month ahead and never edited.
            jira.add_worklog(
                f"OPS-{n + 1}",
                user.account_id,
                ms(week_start_utc() + timedelta(days=n % 5, hours=8)),
                8 * 3600,
                "holiday",
                updated_ms=ms(planned),
            )
        app = manager(tmp_path, jira)
        team = app.timesheets.resolve_team(group="team-a")
        assert {m[0] for m in team.members} == {u.account_id for u in users}
        before = len(jira.requests)
        week = app.timesheets.team_week(team, WEEK)
        assert week.note is None
        assert grid_by_person(week.grid) == dict(expected_grid(jira, {u.account_id for u in users}))
        # Cost: one worklog page per issue JQL can name (worklogDate has a day of margin for
        # the profile zone), two JQL pages, and the feeds from now on (a few pages).
        lo, hi = week_start_utc() - timedelta(hours=36), week_start_utc() + timedelta(days=8.5)
        near = {w.issue_id for w in jira.worklogs.values() if ms(lo) <= w.started_ms < ms(hi)}
        reads = jira.count("GET", "/issue/")
        assert len(near) - 25 < reads <= len(near)
        assert len(jira.requests) - before <= reads + 2 + 6
        # Once read, the week stays current through the feeds alone.
        searches, before = jira.count("POST", "/search/jql"), len(jira.requests)
        app.timesheets.team_week(team, WEEK)
        assert jira.count("POST", "/search/jql") == searches
        assert len(jira.requests) - before <= 3
        app.close()


# -- how long the team cache keeps weeks, and how much one refresh reads --------------------

OLD_WEEK = [d - timedelta(weeks=30) for d in WEEK]  # older than the retention period
MID_WEEK = [d - timedelta(weeks=20) for d in WEEK]  # within it
LATER = datetime(2100, 1, 1, tzinfo=UTC)


def week_text(days: list[date]) -> str:
    return f"{days[0].isoformat()}/{days[-1].isoformat()}"


def cached(app: AppServices, start: datetime, end: datetime) -> dict[str, tuple[object, ...]]:
    """The team cache's rows starting in [start, end), by worklog id."""
    return {r.id: tuple(r) for r in app.store.remote_worklogs_between("site", start, end)}


def grid_weeks(app: AppServices) -> set[str]:
    rows = app.store.connection.execute("SELECT week_start FROM grid_cache").fetchall()
    return {str(r[0]) for r in rows}


def test_weeks_past_retention_are_forgotten_and_load_again_complete(tmp_path: Path) -> None:
    with FakeJira("cloud", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        users = seed_team(jira, people=6, in_week=60, other=400)
        for days, hours in ((OLD_WEEK, 2), (MID_WEEK, 3)):
            first = datetime.combine(days[0], time(9, 0), VIEWER_ZONE).astimezone(UTC)
            for n, user in enumerate(users):
                started = first + timedelta(days=n % 5)
                jira.add_worklog(
                    f"WEB-{n + 1}",
                    user.account_id,
                    ms(started),
                    hours * 3600,
                    "then",
                    updated_ms=ms(started + timedelta(hours=hours)),
                )
        app = manager(tmp_path, jira)
        clock = app.clock
        assert isinstance(clock, FakeClock)
        team = app.timesheets.resolve_team(group="team-a")
        members = {m.account_id for m in team.members}
        expected_old = dict(expected_grid(jira, members, week=OLD_WEEK))
        assert expected_old
        for days in (WEEK, MID_WEEK, OLD_WEEK):
            week = app.timesheets.team_week(team, days)
            assert week.note is None
            assert grid_by_person(week.grid) == dict(expected_grid(jira, members, week=days))
        old_start, old_end = week_bounds(OLD_WEEK, VIEWER_ZONE)
        old_rows = cached(app, old_start, old_end)
        assert len(old_rows) >= len(users)
        assert app.store.seeded_authors("site", week_text(OLD_WEEK)) == members
        assert OLD_WEEK[0].isoformat() in grid_weeks(app)

        # Later the same day: the cache is checked at most once a day, so nothing goes yet.
        clock.advance(hours=20)
        app.timesheets.team_week(team, WEEK)
        assert cached(app, old_start, old_end) == old_rows

        clock.advance(hours=5)
        cutoff = clock.now() - timedelta(weeks=TEAM_CACHE_RETENTION_WEEKS)
        recent = cached(app, cutoff, LATER)
        app.timesheets.team_week(team, WEEK)
        assert cached(app, datetime(1970, 1, 1, tzinfo=UTC), cutoff) == {}
        assert cached(app, cutoff, LATER) == recent
        assert app.store.seeded_authors("site", week_text(OLD_WEEK)) == set()
        assert app.store.seeded_authors("site", week_text(MID_WEEK)) == members
        assert OLD_WEEK[0].isoformat() not in grid_weeks(app)
        assert MID_WEEK[0].isoformat() in grid_weeks(app)

        # Opened again, the old week is read from Jira by date, as a first load is.
        searches = jira.count("POST", "/search/jql")
        again = app.timesheets.team_week(team, OLD_WEEK)
        assert jira.count("POST", "/search/jql") > searches
        assert again.note is None
        assert grid_by_person(again.grid) == expected_old
        assert app.store.seeded_authors("site", week_text(OLD_WEEK)) == members

        # A day later the cache is pruned again, but never under the week being shown.
        clock.advance(days=1)
        requests = len(jira.requests)
        shown = app.timesheets.team_week(team, OLD_WEEK, refresh=False)
        assert len(jira.requests) == requests
        assert app.store.get_setting(PRUNED_SETTING) == int(clock.now().timestamp())
        assert grid_by_person(shown.grid) == expected_old
        app.close()


def test_a_feed_that_creeps_forward_is_read_over_several_refreshes(tmp_path: Path) -> None:
    with FakeJira("cloud", feed_quiet_s=0.0, rate_limit_writes=False, feed_page_size=2) as jira:
        users = seed_team(jira, people=3, in_week=0, other=0)
        logged = [
            jira.add_worklog(
                f"APP-{n + 1}",
                users[n % 3].account_id,
                ms(week_start_utc() + timedelta(days=n % 3, hours=9)),
                3600,
                "work",
                updated_ms=ms(week_start_utc() + timedelta(hours=12)),
            )
            for n in range(20)
        ]
        app = manager(tmp_path, jira)
        team = app.timesheets.resolve_team(group="team-a")
        members = {m.account_id for m in team.members}
        assert app.timesheets.team_week(team, WEEK).grid.total == 20 * 3600
        # Each change a millisecond after the one before, just after the feed cursor: each
        # page of two moves the feed on by one worklog.
        edited, deleted = logged[:12], logged[12:17]
        after_cursor = ms(datetime(2026, 3, 12, 11, 50, tzinfo=UTC))
        for n, worklog in enumerate(edited):
            jira.edit_worklog(worklog.id, seconds=4200, at_ms=after_cursor + n)
        for n, worklog in enumerate(deleted):
            jira.delete_worklog(worklog.id, at_ms=after_cursor + 100 + n)
        capped = TimesheetService(
            app.store, app.accounts, app.tracker, app.clock, feed_page_limit=3
        )
        start, end = week_bounds(WEEK, VIEWER_ZONE)

        def refresh() -> tuple[str | None, int, int]:
            updated = jira.count("GET", "/worklog/updated")
            gone = jira.count("GET", "/worklog/deleted")
            week = capped.team_week(team, WEEK)
            return (
                week.note,
                jira.count("GET", "/worklog/updated") - updated,
                jira.count("GET", "/worklog/deleted") - gone,
            )

        note, updated_pages, deleted_pages = refresh()
        assert (updated_pages, deleted_pages) == (3, 3)
        assert note is not None
        assert "may be incomplete" in note
        # What was read is kept: pages of two, each starting at the last one's final worklog.
        seconds = {r.id: r.seconds for r in app.store.remote_worklogs_between("site", start, end)}
        assert [seconds[str(w.id)] for w in edited] == [4200] * 4 + [3600] * 8
        assert [str(w.id) in seconds for w in deleted] == [False] * 4 + [True]
        # Each later refresh goes on from where the last stopped, still within the cap.
        refreshes = 1
        while note is not None:
            note, updated_pages, deleted_pages = refresh()
            refreshes += 1
            assert updated_pages <= 3
            assert deleted_pages <= 3
            assert refreshes <= 6
        assert refreshes == 4
        shown = capped.team_week(team, WEEK, refresh=False)
        assert grid_by_person(shown.grid) == dict(expected_grid(jira, members))
        assert shown.grid.total == 12 * 4200 + 3 * 3600
        app.close()


# -- Data Center without admin rights, and people who left ------------------------------------

NOT_AUTHORIZED = "You are not authorized to perform this operation. Please log in."


def test_fake_data_center_lists_group_members_to_administrators_only() -> None:
    with FakeJira("dc") as jira:
        seed_team(jira, people=3, in_week=0, other=0)
        with httpx.Client(base_url=jira.base_url, headers=BOSS_DC) as http:
            url = "/rest/api/2/group/member"
            refused = http.get(url, params={"groupname": "team-a"})
            assert refused.status_code == 403
            assert refused.json()["errorMessages"] == [NOT_AUTHORIZED]
            jira.users["acc-boss"].admin = True
            listed = http.get(url, params={"groupname": "team-a"})
            assert listed.status_code == 200
            assert listed.json()["total"] == 3


def test_fake_finds_people_who_left_only_when_asked_or_named() -> None:
    with FakeJira("dc") as jira:
        users = seed_team(jira, people=3, in_week=0, other=0)
        users[1].active = False
        with httpx.Client(base_url=jira.base_url, headers=BOSS_DC) as http:

            def search(**params: str) -> list[str]:
                found = http.get("/rest/api/2/user/search", params=params).json()
                return [u["name"] for u in found]

            assert search(username="Person 00") == ["acc-000", "acc-002"]
            assert search(username="Person 00", includeInactive="true") == [
                "acc-000",
                "acc-001",
                "acc-002",
            ]
            named = http.get("/rest/api/2/user", params={"username": "acc-001"})
            assert named.status_code == 200
            assert (named.json()["name"], named.json()["active"]) == ("acc-001", False)
            key = named.json()["key"]
            by_key = http.get("/rest/api/2/user", params={"key": key}).json()
            assert by_key["name"] == "acc-001"
            missing = http.get("/rest/api/2/user", params={"username": "nobody"})
            assert missing.status_code == 404
    with FakeJira("cloud") as jira:
        users = seed_team(jira, people=2, in_week=0, other=0)
        users[0].active = False
        with httpx.Client(base_url=jira.base_url, auth=("boss@example.com", "boss-token")) as http:
            found = http.get("/rest/api/3/user", params={"accountId": "acc-000"}).json()
            assert (found["accountId"], found["active"]) == ("acc-000", False)
            assert http.get("/rest/api/3/user", params={"accountId": "x"}).status_code == 404


def test_a_manager_who_is_not_an_administrator_is_told_to_name_people(tmp_path: Path) -> None:
    with FakeJira("dc", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        seed_team(jira, people=3, in_week=30, other=0)
        app = manager(tmp_path, jira, dc=True)
        with pytest.raises(GroupMembersHiddenError) as refused:
            app.timesheets.resolve_team(group="team-a")
        message = str(refused.value)
        assert "administrators" in message
        assert "log in" not in message.lower()
        assert app.timesheets.teams() == []  # nothing half-saved
        app.close()


def test_timesheet_cli_group_without_admin_rights_says_what_to_do(tmp_path: Path) -> None:
    with FakeJira("dc", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        seed_team(jira, people=3, in_week=30, other=0)
        data = tmp_path / "data"
        login = run_cli(data, "login", "--url", jira.base_url)
        assert login.returncode == 0, login.stderr
        result = run_cli(data, "timesheet", "--week", "2026-W11", "--group", "team-a")
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
        assert "administrators" in result.stderr
        assert "--user" in result.stderr
        assert NOT_AUTHORIZED not in result.stderr


def test_a_person_who_left_mid_week_is_found_and_their_week_shown(tmp_path: Path) -> None:
    with FakeJira("dc", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        users = seed_team(jira, people=50, in_week=300, other=0)
        gone = users[49]
        gone.active = False  # left on Wednesday; Monday to Wednesday are theirs
        keys = {u.account_id: u.json(jira.base_url, "dc")["key"] for u in jira.users.values()}
        app = manager(tmp_path, jira, dc=True)
        team = app.timesheets.resolve_team(users=["acc-049"])
        assert [(m.account_id, m.display_name) for m in team.members] == [
            (keys["acc-049"], "Person 049")
        ]
        week = app.timesheets.team_week(team, WEEK)
        expected = expected_grid(jira, {"acc-049"})
        assert sum(expected["acc-049"]) > 0
        assert grid_by_person(week.grid) == {keys["acc-049"]: expected["acc-049"]}
        with pytest.raises(NotFoundError, match="nobody"):
            app.timesheets.resolve_team(users=["nobody"])
        # The window's search (People…) finds them too.
        found = app.timesheets.find_people("Person 049")
        assert [u.account_id for u in found] == [keys["acc-049"]]
        app.close()
    with FakeJira("cloud", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        users = seed_team(jira, people=5, in_week=60, other=0)
        users[2].active = False
        app = manager(tmp_path / "cloud", jira)
        team = app.timesheets.resolve_team(users=["acc-002"])
        assert [(m.account_id, m.display_name) for m in team.members] == [("acc-002", "Person 002")]
        week = app.timesheets.team_week(team, WEEK)
        assert grid_by_person(week.grid) == dict(expected_grid(jira, {"acc-002"}))
        app.close()
