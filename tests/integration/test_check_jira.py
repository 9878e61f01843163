"""`check-jira` against the fake Jira in each of its variants: it tells them apart, every
assumption holds, and it leaves nothing behind."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira
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
