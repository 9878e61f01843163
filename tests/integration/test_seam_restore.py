"""A restored or copied store never posts what Jira already has.

End to end through real subprocesses against the fake Jira over real HTTP: on Cloud our tag is
kept inline and found by it; on Data Center the tag is gone (inline properties refused, and no
worklog property resource on some versions), so what Jira holds is found by its fingerprint.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira
from tests.support.jira import seed
from tests.support.seams import entries, log, login_alice, ok, sync


@pytest.fixture(params=["cloud", "dc"])
def site(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, feed_quiet_s=0) as fake:
        seed(fake)
        yield fake
        assert fake.internal_errors == []


def backup_now(home: Path) -> str:
    listed = json.loads(ok(home, "backups", "--now", "--json"))
    name: str = listed[0]["name"]
    return name


def untag_on_dc(site: FakeJira) -> None:
    """Data Center keeps no tag of ours (inline properties refused, and no worklog property
    resource on some versions): what a restored store finds there, it finds by fingerprint."""
    if site.mode == "dc":
        for worklog in site.worklogs.values():
            worklog.properties.clear()


def test_restoring_a_backup_posts_no_second_worklog(tmp_path: Path, site: FakeJira) -> None:
    login_alice(tmp_path, site)
    log(tmp_path, "PROJ-1", "09:00", "review")
    name = backup_now(tmp_path)
    assert sync(tmp_path)["created"] == 1
    untag_on_dc(site)
    ok(tmp_path, "restore", name, "--yes")
    assert entries(tmp_path)[0]["sync_state"] == "pending", "the backup was taken before"

    report = sync(tmp_path)
    assert report["created"] == 0
    assert report["adopted"] == 1
    assert len(site.worklogs_of("PROJ-1")) == 1, "no second worklog"
    (entry,) = entries(tmp_path)
    assert entry["sync_state"] == "synced"
    assert entry["worklog_ids"] == [str(site.worklogs_of("PROJ-1")[0].id)]

    # Looked up once: from now on the store syncs as any other.
    log(tmp_path, "PROJ-1", "11:00", "second")
    lists = site.count("GET", "/issue/PROJ-1/worklog")
    assert sync(tmp_path)["created"] == 1
    assert site.count("GET", "/issue/PROJ-1/worklog") == lists, "no lookup on an ordinary sync"
    assert len(site.worklogs_of("PROJ-1")) == 2


def test_a_restored_entry_jira_does_not_have_is_posted(tmp_path: Path, site: FakeJira) -> None:
    login_alice(tmp_path, site)
    log(tmp_path, "PROJ-1", "09:00", "review")
    name = backup_now(tmp_path)
    ok(tmp_path, "restore", name, "--yes")
    report = sync(tmp_path)
    assert (report["created"], report["adopted"]) == (1, 0)
    assert len(site.worklogs_of("PROJ-1")) == 1


def test_a_store_copied_from_another_computer_posts_no_second_worklog(
    tmp_path: Path, site: FakeJira
) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    here.mkdir()
    login_alice(here, site)
    log(here, "PROJ-1", "09:00", "review")
    log(here, "PROJ-2", "11:00", "")
    # A copy of the store goes to another computer (signed in as Alice there too) before this
    # one syncs; then this one syncs.
    (there / "data").mkdir(parents=True, mode=0o700)
    shutil.copy2(here / "data" / "clockwork.db", there / "data" / "clockwork.db")
    shutil.copy2(here / "keyring.json", there / "keyring.json")
    assert sync(here)["created"] == 2
    untag_on_dc(site)

    report = sync(there)
    assert report["created"] == 0
    assert report["adopted"] == 2
    assert len(site.worklogs_of("PROJ-1")) == 1
    assert len(site.worklogs_of("PROJ-2")) == 1
    assert {e["sync_state"] for e in entries(there)} == {"synced"}
    # The first computer's own store is not a copy: its next sync looks nothing up.
    log(here, "PROJ-1", "13:00", "later")
    lists = site.count("GET", "/issue/PROJ-1/worklog")
    assert sync(here)["created"] == 1
    assert site.count("GET", "/issue/PROJ-1/worklog") == lists


def test_an_entry_changed_after_the_backup_is_not_posted_again(
    tmp_path: Path, site: FakeJira
) -> None:
    """The newer file sent a changed version; the backup holds the old one. Without our tag
    (Data Center) the old fingerprint matches nothing, yet Jira has the time: the entry waits
    for the user's word instead of putting the time in Jira twice."""
    login_alice(tmp_path, site)
    log(tmp_path, "PROJ-1", "09:00", "review")
    name = backup_now(tmp_path)
    assert sync(tmp_path)["created"] == 1
    ok(tmp_path, "edit", "1", "--comment", "review of the sync engine", "--duration", "45m")
    assert sync(tmp_path)["updated"] == 1
    untag_on_dc(site)
    ok(tmp_path, "restore", name, "--yes")

    sync(tmp_path)
    assert len(site.worklogs_of("PROJ-1")) == 1, "the time is in Jira once"
    (entry,) = entries(tmp_path)
    if site.mode == "cloud":  # our tag finds it: the restored version is written over it
        assert entry["sync_state"] == "synced"
        assert site.worklogs_of("PROJ-1")[0].seconds == 3600
    else:
        assert entry["sync_state"] == "conflict"
        assert "came back from a backup" in entry["error"]
        worklog_id = str(site.worklogs_of("PROJ-1")[0].id)
        assert worklog_id in entry["error"]
        # The user says it is another piece of work: then, and only then, it is posted.
        ok(tmp_path, "resolve", "1", "--retry")
        assert sync(tmp_path)["created"] == 1
        assert len(site.worklogs_of("PROJ-1")) == 2
