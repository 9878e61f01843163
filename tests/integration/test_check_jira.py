"""`check-jira` against the fake Jira in each of its variants: it tells them apart, every
assumption holds, and it leaves nothing behind."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from clockwork_desktop.cli.jira_commands import cmd_check_jira
from clockwork_desktop.core.probe import ProbeReport
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.fakejira.server import Fault
from clockwork_desktop.infra.jira.client import JiraClient
from clockwork_desktop.infra.jira.probe import MARK, probe_site
from tests.integration.test_cli_jira import login as cli_login
from tests.integration.test_cli_jira import run
from tests.support.jira import PROPERTY_VARIANTS, VARIANT_IDS, seed, variant_site


@pytest.fixture(params=PROPERTY_VARIANTS, ids=VARIANT_IDS)
def site(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with variant_site(*request.param) as fake:
        yield fake


def sign_in(tmp_path: Path, site: FakeJira) -> None:
    if site.mode == "cloud":
        cli_login(tmp_path, site)
    else:
        result = run(
            tmp_path, "login", "--url", site.base_url, "--token-stdin", stdin="alice-token\n"
        )
        assert result.returncode == 0, result.stderr


def test_check_jira_reports_what_the_site_does(tmp_path: Path, site: FakeJira) -> None:
    site.add_worklog("PROJ-1", "acc-bob", 0, 600, "a colleague's")
    before = [(w.id, w.seconds, w.comment) for w in site.worklogs_of("PROJ-1")]
    sign_in(tmp_path, site)
    result = run(tmp_path, "check-jira", "--issue", "proj-1", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    found = {f["key"]: f for f in report["findings"]}
    assert not [f for f in report["findings"] if f["outcome"] == "differs"]
    inline = {"accept": "kept", "drop": "dropped", "refuse": "refused"}[site.inline_properties]
    assert f"are {inline}" in found["inline-properties"]["summary"]
    if site.worklog_properties:
        assert found["property-resource"]["outcome"] == "holds"
    else:
        assert found["property-resource"]["outcome"] == "fact"
        assert "no worklog property resource" in found["property-resource"]["summary"]
    page = "20" if site.mode == "dc" else "5000"
    assert f"answers {page} per page" in found["worklog-page-size"]["summary"]
    for key in (
        "worklog-paging",
        "issue-updated-moves",
        "null-comment-kept",
        "empty-comment-clears",
    ):
        assert found[key]["outcome"] == "holds", found[key]
    if site.mode == "cloud":
        assert found["feed-time-is-updated"]["outcome"] == "holds"
    assert report["left_behind"] == []
    assert [(w.id, w.seconds, w.comment) for w in site.worklogs_of("PROJ-1")] == before


def test_check_jira_in_words_and_an_unknown_issue(tmp_path: Path) -> None:
    with FakeJira("cloud") as site:
        seed(site)
        cli_login(tmp_path, site)
        result = run(tmp_path, "check-jira", "--issue", "PROJ-2")
        assert result.returncode == 0, result.stderr
        assert "Left nothing behind" in result.stdout
        assert "Entity properties inside a new worklog are kept." in result.stdout
        # With the default one-minute quiet period, our edit is not in the feed yet.
        assert "run again later" in result.stdout
        missing = run(tmp_path, "check-jira", "--issue", "NOPE-9")
        assert missing.returncode == 1
        assert "does not exist" in missing.stderr
        assert site.worklogs_of("PROJ-2") == []


# Where Jira saves a test worklog but its answer is lost (the connection drops after the
# commit) or is not JSON (an HTML error page with 200), on every variant that keeps the create.
LOST_ANSWERS = [
    ("cloud", "accept", "drop"),
    ("cloud", "drop", "garbage"),
    ("dc", "accept", "garbage"),
    ("dc", "drop", "drop"),
]


def _probe_start(zone: str = "Europe/Berlin") -> datetime:
    """The `started` of the probe's first worklog: 03:00 yesterday in the profile's zone."""
    day = (datetime.now(UTC).astimezone(ZoneInfo(zone)) - timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(("mode", "properties", "fault"), LOST_ANSWERS)
def test_a_test_worklog_whose_answer_was_lost_is_found_and_deleted(
    tmp_path: Path, mode: str, properties: str, fault: str
) -> None:
    with variant_site(mode, properties) as site:
        started_ms = int(_probe_start().timestamp() * 1000)
        # Look-alikes that are not this run's: a colleague's and the user's own, same start
        # and length, one even with the probe's words.
        site.add_worklog("PROJ-1", "acc-bob", started_ms, 120, MARK)
        site.add_worklog("PROJ-1", "acc-alice", started_ms, 120, MARK)
        before = [(w.id, w.author, w.seconds) for w in site.worklogs_of("PROJ-1")]
        sign_in(tmp_path, site)
        site.inject(Fault(fault, "POST", "/worklog"))
        result = run(tmp_path, "check-jira", "--issue", "PROJ-1")
        assert result.returncode == 1, result.stdout + result.stderr
        assert [(w.id, w.author, w.seconds) for w in site.worklogs_of("PROJ-1")] == before
        assert "Left nothing behind" in result.stdout
        assert "check-jira stopped" in result.stderr
        assert "checked before trying again" not in result.stdout + result.stderr


def _client(site: FakeJira) -> JiraClient:
    cloud = site.mode == "cloud"
    return JiraClient(
        site.base_url,
        auth_kind="basic" if cloud else "bearer",
        email="alice@example.com" if cloud else None,
        token="alice-token",
        deployment=site.mode,
        sleep=lambda _s: None,
    )


def _probe(site: FakeJira) -> ProbeReport:
    client = _client(site)
    try:
        return probe_site(client, "PROJ-1", now=datetime.now(UTC), zone="Europe/Berlin", site="s")
    finally:
        client.close()


@pytest.mark.parametrize("mode", ["cloud", "dc"])
def test_what_could_not_be_deleted_is_named_by_id(mode: str) -> None:
    with variant_site(mode, "drop") as site:
        site.inject(Fault("503", "DELETE", "/worklog", retry_after=None, times=1000))
        report = _probe(site)
        remaining = sorted(str(w.id) for w in site.worklogs_of("PROJ-1"))
        assert len(remaining) == 2
        assert sorted(report.left_behind) == remaining
        assert report.error  # the first failed delete stopped the run


@pytest.mark.parametrize("mode", ["cloud", "dc"])
def test_a_lost_create_that_cannot_be_looked_up_is_described(mode: str) -> None:
    with variant_site(mode, "drop") as site:
        site.inject(
            Fault("drop", "POST", "/worklog"),
            Fault("503", "GET", "/worklog", retry_after=None, times=1000),
        )
        report = _probe(site)
        (left,) = site.worklogs_of("PROJ-1")
        assert report.left_behind == ()
        (what,) = report.unconfirmed
        started = datetime.fromtimestamp(left.started_ms / 1000, UTC)
        assert started == _probe_start()
        assert started.isoformat() in what
        assert "120 s" in what
        assert MARK in what


def test_the_report_names_the_issue_and_what_remains(capsys: pytest.CaptureFixture[str]) -> None:
    report = ProbeReport(
        site="https://acme.example.com",
        deployment="Cloud",
        version="1001.0.0\x1b]0;owned\x07",
        issue="PROJ-1",
        findings=(),
        left_behind=("100001", "100002"),
        unconfirmed=("started 2026-03-08T02:00:00+00:00, 120 s, comment 'x'",),
        error="Jira at https://acme.example.com stopped answering.",
    )

    class Services:
        def check_jira(self, account: str | None, issue: str) -> ProbeReport:
            return report

    args = argparse.Namespace(account=None, issue="PROJ-1", json=False)
    assert cmd_check_jira(args, Services()) == 1  # type: ignore[arg-type]
    out, err = capsys.readouterr()
    assert "100001, 100002 on PROJ-1" in out
    assert "may remain on PROJ-1" in out
    assert "2026-03-08T02:00:00+00:00" in out
    assert "check-jira stopped: Jira at https://acme.example.com stopped answering." in err
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "1001.0.0" in out
