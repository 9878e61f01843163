"""The strict fake enforces Jira's contract (docs/architecture.md §5), over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from clockwork_desktop.fakejira import FakeJira

AUTH = ("alice@example.com", "alice-token")
HEADERS = {"X-Atlassian-Token": "no-check"}


@pytest.fixture
def http(jira: FakeJira):  # type: ignore[no-untyped-def]
    with httpx.Client(base_url=jira.base_url, auth=AUTH, headers=HEADERS) as client:
        yield client


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"started": "2026-03-09T09:00:00.000Z", "timeSpentSeconds": 600}, "started"),
        ({"started": "2026-03-09T09:00:00.000+01:00", "timeSpentSeconds": 600}, "started"),
        ({"started": "2026-03-09T09:00:00.000+0100", "timeSpentSeconds": 59}, "timeLogged"),
        ({"started": "2026-03-09T09:00:00.000+0100"}, "timeLogged"),
    ],
)
def test_worklog_formats_and_minimum(http: httpx.Client, body: dict, field: str) -> None:
    response = http.post("/rest/api/3/issue/PROJ-1/worklog", json=body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_v3_needs_adf_and_properties_need_expand(http: httpx.Client) -> None:
    base = {"started": "2026-03-09T09:00:00.000+0100", "timeSpentSeconds": 600}
    refused = http.post("/rest/api/3/issue/PROJ-1/worklog", json={**base, "comment": "text"})
    assert refused.status_code == 400
    created = http.post(
        "/rest/api/3/issue/PROJ-1/worklog",
        json={**base, "properties": [{"key": "k", "value": {"a": 1}}]},
    )
    assert created.status_code == 201
    assert "properties" not in created.json()
    listed = http.get("/rest/api/3/issue/PROJ-1/worklog", params={"expand": "properties"})
    assert listed.json()["worklogs"][0]["properties"] == [{"key": "k", "value": {"a": 1}}]


def test_old_search_is_gone_and_bad_paging_is_refused(http: httpx.Client) -> None:
    assert http.get("/rest/api/3/search", params={"jql": "project = PROJ"}).status_code == 410
    bad = http.get("/rest/api/3/group/member", params={"groupname": "team-a", "startAt": "x"})
    assert bad.status_code == 400
    assert http.post("/rest/api/3/search/jql", json={"jql": ""}).status_code == 400


def test_browser_user_agent_needs_the_xsrf_header(jira: FakeJira) -> None:
    body = {"started": "2026-03-09T09:00:00.000+0100", "timeSpentSeconds": 600}
    agent = {"User-Agent": "Mozilla/5.0 (X11)"}
    with httpx.Client(base_url=jira.base_url, auth=AUTH, headers=agent) as client:
        assert client.post("/rest/api/3/issue/PROJ-1/worklog", json=body).status_code == 403
