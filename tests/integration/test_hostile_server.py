"""A server that misbehaves must not hang the client, fill its memory or crash it (issue 9,
defects 5 and 10): real HTTP on 127.0.0.1, short injected limits so each test takes seconds."""

from __future__ import annotations

import math
import time

import pytest

from clockwork_desktop.core.errors import (
    JiraError,
    JiraOutcomeUnknownError,
    JiraProtocolError,
    JiraRateLimitedError,
    JiraUnreachableError,
)
from clockwork_desktop.infra.jira.client import JITTER, MAX_WAIT_S, JiraClient
from tests.support.badserver import BadServer, Reply, json_reply
from tests.support.jira import Sleeps

DEADLINE_S = 1.0
LIMIT = 1024 * 1024


def client(server: BadServer, sleeps: Sleeps | None = None, **kwargs: float) -> JiraClient:
    return JiraClient(
        server.base_url,
        auth_kind="bearer",
        email=None,
        token="test-token",
        deployment="datacenter",
        sleep=sleeps or Sleeps(),
        **{"deadline_s": DEADLINE_S, "max_body_bytes": LIMIT, **kwargs},  # type: ignore[arg-type]
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
