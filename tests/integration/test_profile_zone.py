"""A Jira profile whose time zone this computer does not know (``US/Pacific-New``, which the
IANA database retired and Jira still offers): every command that reads it goes on, and says
which zone it uses instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira
from tests.integration.test_cli_jira import run, try_login
from tests.support.jira import seed, work_every_hour

RETIRED = "US/Pacific-New"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[FakeJira]:
    with FakeJira("cloud") as jira:
        seed(jira)
        alice = jira.users["acc-alice"]
        alice.time_zone, alice.profile_zone = "America/Los_Angeles", RETIRED
        signed_in = try_login(tmp_path, jira, "alice-token")
        assert signed_in.returncode == 0, signed_in.stderr
        assert RETIRED in signed_in.stdout
        yield jira


def test_import_counts_days_in_utc_and_says_so(tmp_path: Path, site: FakeJira) -> None:
    started = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
    site.add_worklog("PROJ-1", "acc-alice", int(started.timestamp() * 1000), 3600, "on the web")
    result = run(tmp_path, "import", "--from", "2026-03-02", "--to", "2026-03-08")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "Imported 1 worklogs" in result.stdout
    assert f"time zone '{RETIRED}' is not one this computer knows" in result.stderr
    assert "days are counted in UTC" in result.stderr
    entries = json.loads(run(tmp_path, "entries", "--json", "--date", "2026-03-05").stdout)
    assert [(e["issue_key"], e["comment"]) for e in entries] == [("PROJ-1", "on the web")]
    log = (tmp_path / "data" / "logs" / "clockwork.log").read_text()
    assert "days are counted in UTC" in log


def test_auto_poll_searches_by_minutes_back_instead(tmp_path: Path, site: FakeJira) -> None:
    work_every_hour(tmp_path / "data")
    assert run(tmp_path, "auto", "on").returncode == 0
    site.move("PROJ-2", "In Progress", by="acc-alice", at_ms=site.now_ms() - 30_000)
    polled = run(tmp_path, "auto", "poll")
    assert polled.returncode == 0, polled.stderr
    assert "Traceback" not in polled.stderr
    assert "Started PROJ-2." in polled.stdout
    log = (tmp_path / "data" / "logs" / "clockwork.log").read_text()
    assert "the search counts minutes back from now instead" in log


def test_check_jira_writes_its_test_worklogs_in_utc_and_says_so(
    tmp_path: Path, site: FakeJira
) -> None:
    before = [w.id for w in site.worklogs_of("PROJ-1")]
    result = run(tmp_path, "check-jira", "--issue", "PROJ-1", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    found = {f["key"]: f for f in report["findings"]}
    assert RETIRED in found["profile-zone"]["summary"]
    assert "the test worklogs are written in UTC" in found["profile-zone"]["summary"]
    assert found["started-kept"]["outcome"] == "holds"
    assert report["left_behind"] == []
    assert [w.id for w in site.worklogs_of("PROJ-1")] == before
