"""Team and personal timesheets against the fake Jira over real HTTP."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.export import csv_text
from clockwork_desktop.core.timesheet import grid_table
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.credentials import SessionCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from clockwork_desktop.infra.spreadsheet import xlsx_bytes
from tests.conftest import FakeClock
from tests.support.jira import Sleeps
from tests.support.team import WEEK, expected_grid, seed_team


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


def test_data_center_path(tmp_path: Path) -> None:
    with FakeJira("dc", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        seed_team(jira, people=8, in_week=200, other=300)
        app = manager(tmp_path, jira, dc=True)
        people = ["acc-001", "acc-002", "acc-005"]
        team = app.timesheets.resolve_team(users=people)
        week = app.timesheets.team_week(team, WEEK)
        assert grid_by_person(week.grid) == dict(expected_grid(jira, set(people)))
        assert jira.count(None, "/rest/api/3/") == 0
        assert jira.count("GET", "/worklog/updated") == 0
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


def test_timesheet_cli_json(tmp_path: Path, team_jira: FakeJira) -> None:
    data = tmp_path / "data"
    env = {"TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin", "CLOCKWORK_JIRA_TOKEN": "boss-token"}
    base = [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data)]
    login = subprocess.run(
        [*base, "login", "--url", team_jira.base_url, "--email", "boss@example.com"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
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
    from clockwork_desktop.services.timesheet import TimesheetService

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
