"""A server that misbehaves must not hang the client, fill its memory or crash it (issue 9,
defects 5 and 10): real HTTP on 127.0.0.1, short injected limits so each test takes seconds."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from clockwork_desktop.core.errors import (
    ClockworkError,
    JiraError,
    JiraOutcomeUnknownError,
    JiraProtocolError,
    JiraRateLimitedError,
    JiraUnreachableError,
)
from clockwork_desktop.core.models import Entry
from clockwork_desktop.infra.jira.client import JITTER, MAX_WAIT_S, JiraClient
from tests.conftest import FakeClock
from tests.support.badserver import BadServer, Reply, json_reply
from tests.support.jira import Sleeps, make_app

DEADLINE_S = 1.0
LIMIT = 1024 * 1024


def client(
    server: BadServer,
    sleeps: Sleeps | None = None,
    *,
    deployment: str = "datacenter",
    deadline_s: float = DEADLINE_S,
) -> JiraClient:
    return JiraClient(
        server.base_url,
        auth_kind="bearer",
        email=None,
        token="test-token",
        deployment=deployment,
        sleep=sleeps or Sleeps(),
        deadline_s=deadline_s,
        max_body_bytes=LIMIT,
    )


@pytest.mark.parametrize("status", [429, 500, 503])
@pytest.mark.parametrize("retry_after", ["100000", "inf", "nan", "-5", "1e400", "Infinity"])
def test_absurd_retry_after_never_waits_past_the_cap(status: int, retry_after: str) -> None:
    reply = json_reply('{"errorMessages": ["busy"]}', status, **{"Retry-After": retry_after})
    sleeps = Sleeps()
    with BadServer(lambda _m, _p: reply) as server:
        jira = client(server, sleeps)
        with pytest.raises(JiraError) as caught:
            jira.issue("PROJ-1")
    assert all(math.isfinite(w) and 0 <= w <= MAX_WAIT_S * JITTER[1] for w in sleeps.waits)
    assert len(server.requests) <= 5
    if isinstance(caught.value, JiraRateLimitedError):
        assert math.isfinite(caught.value.retry_after_s)
    assert "inf" not in str(caught.value).lower()


def test_a_dripped_body_stops_at_the_total_deadline() -> None:
    # Each byte arrives well within the read timeout, so only a total deadline can end this.
    reply = Reply(200, {"Content-Type": "application/json"}, b'{"key": "PROJ-1"}' * 100, 0.05)
    with BadServer(lambda _m, _p: reply) as server:
        jira = client(server)
        began = time.monotonic()
        with pytest.raises(JiraUnreachableError, match="did not finish"):
            jira.issue("PROJ-1")
        took = time.monotonic() - began
        # A POST cut off by the deadline may have been saved: it must be checked, not resent.
        with pytest.raises(JiraOutcomeUnknownError):
            jira.request("POST", "/rest/api/2/issue/PROJ-1/worklog", body={})
    assert DEADLINE_S <= took < DEADLINE_S + 2
    assert server.bytes_sent < 200  # far from the 1700 bytes promised


def test_a_server_that_never_answers_stops_at_the_deadline() -> None:
    with BadServer(lambda _m, _p: Reply(stall=True)) as server:
        jira = client(server)
        began = time.monotonic()
        with pytest.raises(JiraUnreachableError):
            jira.issue("PROJ-1")
    assert time.monotonic() - began < DEADLINE_S + 2


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, {"Content-Type": "application/json"}, huge=400 * 1024 * 1024),
        Reply(200, {"Content-Type": "application/json"}, bomb=32 * 1024 * 1024),
    ],
    ids=["400 MB body", "gzip bomb"],
)
def test_a_huge_body_is_refused_without_reading_it(reply: Reply) -> None:
    with BadServer(lambda _m, _p: reply) as server:
        jira = client(server, deadline_s=30)
        with pytest.raises(JiraProtocolError, match="larger than"):
            jira.issue("PROJ-1")
        with pytest.raises(JiraOutcomeUnknownError, match="larger than"):
            jira.request("POST", "/rest/api/2/issue/PROJ-1/worklog", body={})
    assert server.bytes_sent < 32 * 1024 * 1024  # a fraction of what was offered


def test_a_huge_error_body_still_gives_a_readable_refusal() -> None:
    reply = Reply(400, {"Content-Type": "text/plain"}, huge=50 * 1024 * 1024)
    with BadServer(lambda _m, _p: reply) as server, pytest.raises(JiraError):
        client(server).issue("PROJ-1")


# -- wrong JSON types (defect 10) ---------------------------------------------------------------

CALLS: dict[str, Callable[[JiraClient], object]] = {
    "search": lambda j: j.search("assignee = currentUser()"),
    "issue": lambda j: j.issue("PROJ-1"),
    "pick_issues": lambda j: j.pick_issues("proj"),
    "group_members": lambda j: j.group_members("team-a"),
    "find_users": lambda j: j.find_users("al"),
    "user": lambda j: j.user("al"),
    "worklog_feed": lambda j: j.worklog_feed("updated", 0),
    "worklogs_by_ids": lambda j: j.worklogs_by_ids(["1", "2"]),
    "worklogs_of": lambda j: j.worklogs_of("PROJ-1"),
    "issue_keys": lambda j: j.issue_keys(["10001"]),
    "myself": lambda j: j.myself(),
    "get_worklog": lambda j: j.get_worklog("PROJ-1", "1"),
}
WORKLOG = {"id": "1", "started": "2026-03-09T09:00:00.000+0000", "timeSpentSeconds": 60}
WRONG_TYPES = [
    {"issues": {"a": 1}},
    {"issues": 5, "total": 1},
    {"issues": [{"key": "PROJ-1"}], "total": "many", "nextPageToken": {}},
    {"issues": [{"key": "PROJ-1", "fields": {"updated": "9999-12-31T23:59:59.000-1400"}}]},
    {"values": "x", "isLast": False},
    {"values": 7, "total": "x"},
    {"values": [{"worklogId": None, "updatedTime": "soon"}], "until": [], "lastPage": 0},
    {"sections": "x"},
    {"sections": [{"issues": {"key": "PROJ-1"}}]},
    {"worklogs": {}, "total": "1"},
    {"worklogs": [{**WORKLOG, "timeSpentSeconds": 1e400}], "total": None},
    {"worklogs": [{**WORKLOG, "properties": [{"key": {}}]}]},
    {"worklogs": [{**WORKLOG, "comment": {"content": [{"content": [None]}]}}]},
    {**WORKLOG, "started": 20260309, "author": "alice"},
    {"accountId": ["x"], "displayName": {"a": 1}, "timeZone": 5, "emailAddress": []},
    [None, 1, "x", [], {}],
    "a string",
    None,
    12,
]


def _wrong(body: object) -> Callable[[str, str], Reply]:
    text = json.dumps(body)
    return lambda _method, _path: json_reply(text)


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("body", WRONG_TYPES, ids=[str(i) for i in range(len(WRONG_TYPES))])
@pytest.mark.parametrize("deployment", ["cloud", "datacenter"])
def test_wrong_json_types_give_a_protocol_error(name: str, body: object, deployment: str) -> None:
    with BadServer(_wrong(body)) as server:
        jira = client(server, deployment=deployment)
        with contextlib.suppress(JiraProtocolError):  # classified: what we want
            CALLS[name](jira)
        assert len(server.requests) < 50  # no endless paging over a page that never ends


def _jira_that_answers(body: object) -> Callable[[str, str], Reply]:
    """Signs Alice in properly, then answers every other request with ``body``."""

    def answer(_method: str, path: str) -> Reply:
        if path.endswith("/serverInfo"):
            return json_reply('{"deploymentType": "Cloud", "version": "1001.0.0"}')
        if path.endswith("/myself"):
            return json_reply('{"accountId": "acc-alice", "displayName": "Alice"}')
        return json_reply(json.dumps(body))

    return answer


def _what_the_user_made(entry: Entry) -> tuple[object, ...]:
    return (entry.issue_key, entry.started_at, entry.ended_at, entry.comment, entry.deleted)


@pytest.mark.parametrize("body", WRONG_TYPES[::3], ids=[str(i) for i in range(0, 19, 3)])
def test_wrong_json_types_never_change_a_local_entry(
    tmp_path: Path, clock: FakeClock, memory_keyring: object, body: object
) -> None:
    with BadServer(_jira_that_answers(body)) as server:
        app = make_app(tmp_path / "data", clock)
        app.accounts.login(server.base_url, "alice-token", email="alice@example.com")
        made = [
            app.tracker.log_time("PROJ-1", 3600, day=date(2026, 3, 6), start_time=dt.time(h))
            for h in (9, 11)
        ]
        before = [_what_the_user_made(e) for e in made]
        report = app.sync.sync()
        assert report.errors  # each problem is reported, none raised
        assert not report.created
        # Either a valid (empty) answer or a classified error; any other exception fails here.
        with contextlib.suppress(ClockworkError):
            app.sync.import_worklogs(None, date(2026, 3, 2), date(2026, 3, 8))
        with contextlib.suppress(ClockworkError):
            team = app.timesheets.resolve_team(group="team-a")
            app.timesheets.team_week(team, [date(2026, 3, 2) + dt.timedelta(d) for d in range(7)])
        after = [_what_the_user_made(app.tracker.get(e.id)) for e in made]
        assert after == before
        assert all(app.tracker.get(e.id).sync_state != "synced" for e in made)
        app.close()


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("worklogs_of", {"worklogs": [WORKLOG], "total": 10**9}),
        ("group_members", {"values": [{"accountId": "acc-bob"}], "isLast": False}),
    ],
)
def test_a_list_that_repeats_its_page_forever_is_noticed(name: str, body: object) -> None:
    text = json.dumps(body)

    def answer(_method: str, _path: str) -> Reply:
        # The old client paged on forever; give up after a while so it fails, not hangs.
        return json_reply(text) if len(server.requests) < 100 else Reply(404)

    with BadServer(answer) as server:
        with pytest.raises(JiraProtocolError, match="same page"):
            CALLS[name](client(server))
        assert len(server.requests) == 2


YEAR_2100_MS = int(dt.datetime(2100, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([{"worklogId": 7, "updatedTime": 1_770_000_000_000}], 1_770_000_000_000),
        ([], 1_760_000_000_000),
    ],
    ids=["a change", "nothing"],
)
def test_a_feed_until_in_the_year_2100_never_moves_the_cursor_past_what_was_seen(
    values: list[dict[str, int]], expected: int
) -> None:
    from clockwork_desktop.services.feeds import read_feed

    page = {"values": values, "since": 1_760_000_000_000, "until": YEAR_2100_MS, "lastPage": True}
    with BadServer(lambda _m, _p: json_reply(json.dumps(page))) as server:
        read = read_feed(client(server, deployment="cloud"), "updated", 1_760_000_000_000)
    assert read.reached == expected
