"""Jira Data Center as its REST definitions describe it: no worklog property resource and no
`properties` in the worklog bean. The fake serves that shape; the sync sends neither an inline
tag nor a property request there, so a push costs one request per entry and no request is
refused, and exactly-once still holds under faults (the write record and the fingerprint)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path

import httpx
import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import SyncState
from clockwork_desktop.core.sync_plan import PROPERTY_KEY
from clockwork_desktop.fakejira import FakeJira, Fault
from tests.support.jira import DAY, site_and_app, variant_site

pytestmark = pytest.mark.usefixtures("memory_keyring")

ISSUES = [f"DCP-{n}" for n in range(1, 11)]
BODY = {"started": "2026-03-09T09:00:00.000+0100", "timeSpentSeconds": 600}


@pytest.fixture
def dc(tmp_path: Path) -> Iterator[tuple[FakeJira, AppServices]]:
    with site_and_app(tmp_path, "dc", "refuse") as (site, app):
        for key in ISSUES:
            site.add_issue(key, f"Data Center work {key}")
        yield site, app


def log_entries(app: AppServices, count: int) -> None:
    """``count`` entries of 20 minutes, spread over ten issues and several days."""
    with app.store.atomic():
        for n in range(count):
            slot = n % 20
            app.tracker.log_time(
                ISSUES[n % len(ISSUES)],
                20 * 60,
                day=DAY - timedelta(days=n // 20),
                start_time=time(7 + slot // 3, (slot % 3) * 20),
                comment=f"entry {n}",
            )


def settled(site: FakeJira, app: AppServices) -> tuple[int, int]:
    """(duplicates, lost): worklogs in Jira no entry links, and entries with no worklog."""
    in_jira = {str(w.id) for key in ISSUES for w in site.worklogs_of(key)}
    linked = [i for e in app.store.all_entries() for i in e.worklog_ids.values()]
    duplicates = len(in_jira - set(linked)) + len(linked) - len(set(linked))
    lost = len(set(linked) - in_jira) + sum(1 for e in app.store.all_entries() if not e.worklog_ids)
    return duplicates, lost


def test_the_fake_data_center_has_no_worklog_properties() -> None:
    with variant_site("dc", "refuse") as site:
        headers = {"Authorization": "Bearer alice-token", "X-Atlassian-Token": "no-check"}
        with httpx.Client(base_url=site.base_url + "/rest/api/2", headers=headers) as http:
            refused = http.post(
                "/issue/PROJ-1/worklog",
                json={**BODY, "properties": [{"key": "k", "value": 1}]},
            )
            assert refused.status_code == 400
            assert 'Unrecognized field "properties"' in refused.json()["errorMessages"][0]
            made = http.post("/issue/PROJ-1/worklog", json=BODY).json()
            wid = made["id"]
            assert "properties" not in made
            resource = f"/issue/PROJ-1/worklog/{wid}/properties"
            assert http.put(f"{resource}/k", json={"a": 1}).status_code == 404
            assert http.get(f"{resource}/k").status_code == 404
            assert http.get(resource).status_code == 404
            read = http.get(f"/issue/PROJ-1/worklog/{wid}", params={"expand": "properties"})
            assert "properties" not in read.json()
            feed = http.get("/worklog/updated", params={"since": 0, "expand": "properties"})
            assert [set(v) for v in feed.json()["values"]] == [{"worklogId", "updatedTime"}]
    # A site (or plugin) that has them, switched on.
    with variant_site("dc", "refuse", worklog_properties=True) as site:
        headers = {"Authorization": "Bearer alice-token", "X-Atlassian-Token": "no-check"}
        with httpx.Client(base_url=site.base_url + "/rest/api/2", headers=headers) as http:
            wid = http.post("/issue/PROJ-1/worklog", json=BODY).json()["id"]
            resource = f"/issue/PROJ-1/worklog/{wid}/properties/k"
            assert http.put(resource, json={"a": 1}).status_code == 201
            assert http.get(resource).json() == {"key": "k", "value": {"a": 1}}


def test_a_data_center_push_is_one_request_per_entry_and_nothing_refused(
    dc: tuple[FakeJira, AppServices],
) -> None:
    site, app = dc
    log_entries(app, 100)
    before = len(site.requests)
    report = app.sync.sync(reconcile=False)
    push = len(site.requests) - before
    assert (report.created, report.failed, report.pending) == (100, 0, 0)
    assert push <= 105, f"{push} requests for 100 entries"
    assert app.sync.sync().conflicts == 0  # the reconcile that follows finds nothing
    assert site.answered(400, 404) == []
    assert site.count(path="/properties") == 0
    assert settled(site, app) == (0, 0)


def test_data_center_exactly_once_under_faults_without_tags(
    dc: tuple[FakeJira, AppServices],
) -> None:
    site, app = dc
    log_entries(app, 40)
    site.inject(
        Fault("drop", "POST", "/issue/DCP-1/worklog", times=2),  # saved, answer lost
        Fault("drop", "POST", "/issue/DCP-2/worklog"),
        Fault("reset", "POST", "/issue/DCP-3/worklog"),  # lost before saving
        Fault("503", "POST", "/issue/DCP-4/worklog", retry_after=0),
        Fault("503", "GET", "/issue/DCP-1/worklog", retry_after=0),  # the recovery's read
        Fault("drop", "POST", "/issue/DCP-5/worklog"),
    )
    adopted = 0
    for _ in range(4):
        report = app.sync.sync()
        adopted += report.adopted
        if report.pending == 0 and not report.errors:
            break
    assert adopted == 4  # the four saved creates whose answer was lost, by fingerprint
    assert report.unavailable is None
    assert not site.faults, "every fault was met"
    assert len(site.answered(0)) >= 4  # the drops and the reset did happen
    assert settled(site, app) == (0, 0)
    assert all(e.sync_state is SyncState.SYNCED for e in app.store.all_entries())
    assert site.answered(400, 404) == []
    assert site.count(path="/properties") == 0
    assert all(not w.properties for key in ISSUES for w in site.worklogs_of(key))


def test_what_an_older_build_learned_is_not_trusted_on_data_center(
    dc: tuple[FakeJira, AppServices],
) -> None:
    site, app = dc
    # Older builds tagged Data Center worklogs through a property resource and remembered it.
    app.store.set_tagging(app.accounts.accounts()[0].name, "separate")
    log_entries(app, 3)
    assert app.sync.sync().created == 3
    assert site.count(path="/properties") == 0
    assert site.answered(400, 404) == []


def test_an_unknown_remembered_tagging_on_cloud_falls_back_to_inline(tmp_path: Path) -> None:
    with site_and_app(tmp_path, "cloud", "accept") as (site, app):
        # A mode this build does not know (a newer build's, or a damaged row).
        app.store.set_tagging(app.accounts.accounts()[0].name, "inline")
        app.store.connection.execute("UPDATE site_tagging SET mode = 'sideways'")
        entry = app.tracker.log_time("PROJ-1", 1800, day=DAY, start_time=time(9, 0))
        assert app.sync.sync().created == 1
        (worklog,) = site.worklogs_of("PROJ-1")
        assert worklog.properties[PROPERTY_KEY]["uuid"] == entry.uuid  # inline, in the create
        assert site.count(path="/properties") == 0
        assert site.count(path="/worklog") == 1  # the create alone
