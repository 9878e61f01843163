"""Sync against Jira as it really is: Data Center's property variants and paging, lost answers
recovered without tags, colleagues' worklogs left alone, comments cleared, and the two-way
reconcile that every sync runs. All over real HTTP against the fake Jira."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import SyncState
from clockwork_desktop.core.sync_plan import PROPERTY_KEY
from clockwork_desktop.fakejira import FakeJira, Fault
from tests.support.jira import (
    NINE,
    PROPERTY_VARIANTS,
    VARIANT_IDS,
    alices,
    learn,
    log_minutes,
    site_and_app,
    synced_app,
    variant_site,
)

pytestmark = pytest.mark.usefixtures("memory_keyring")


@pytest.fixture(params=PROPERTY_VARIANTS, ids=VARIANT_IDS)
def site(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with variant_site(*request.param) as fake:
        yield fake


@pytest.fixture
def app(tmp_path: Path, site: FakeJira) -> Iterator[AppServices]:
    services = synced_app(tmp_path, site)
    yield services
    services.close()


def test_every_variant_creates_once_and_tags_only_on_cloud(
    app: AppServices, site: FakeJira
) -> None:
    first = log_minutes(app, "PROJ-1", 30)
    second = log_minutes(app, "PROJ-1", 45, time(10, 0))
    report = app.sync.sync()
    assert (report.created, report.failed) == (2, 0)
    assert site.count("POST", "/issue/PROJ-1/worklog") == 2
    assert site.answered(400, 404) == []
    if site.mode == "dc":
        # No tag is sent to Data Center, inline or through a property resource, even to one
        # that would take it: exactly-once rests on the write record and the fingerprint.
        assert site.count(path="/properties") == 0
        assert all(w.properties == {} for w in site.worklogs_of("PROJ-1"))
        return
    tags = {w.properties[PROPERTY_KEY]["uuid"] for w in site.worklogs_of("PROJ-1")}
    assert tags == {first.uuid, second.uuid}
    if site.inline_properties == "accept":
        assert site.count("PUT", "/properties/") == 0
    else:
        assert app.store.site_tagging(app.accounts.accounts()[0].name).mode == "separate"


def test_lost_answer_is_adopted_by_fingerprint_without_a_tag(
    app: AppServices, site: FakeJira
) -> None:
    learn(app)
    entry = log_minutes(app, "PROJ-1", 60, comment="planning")
    site.inject(Fault("drop", "POST", "/issue/PROJ-1/worklog"))
    app.sync.sync()
    (saved,) = alices(site)
    if site.mode == "dc" or site.inline_properties == "drop":
        assert PROPERTY_KEY not in saved.properties  # the answer, and so the tag, was lost
    report = app.sync.sync()
    assert (report.adopted, report.created) == (1, 0)
    (adopted,) = alices(site)
    assert adopted.id == saved.id
    if site.mode == "cloud":
        assert adopted.properties[PROPERTY_KEY]["uuid"] == entry.uuid  # tagged once adopted
    else:
        assert adopted.properties == {}  # Data Center: adopted by fingerprint, never tagged
    assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED


def test_lost_answer_is_found_past_the_first_page(app: AppServices, site: FakeJira) -> None:
    for n in range(45):  # a busy colleague: Data Center answers 20 per page
        site.add_worklog("PROJ-1", "acc-bob", int(NINE.timestamp() * 1000), 3600, f"bob {n}")
    learn(app)
    log_minutes(app, "PROJ-1", 60)
    site.inject(Fault("drop", "POST", "/issue/PROJ-1/worklog"))
    app.sync.sync()
    report = app.sync.sync()
    assert report.adopted == 1
    assert len(alices(site)) == 1
    assert len(site.worklogs_of("PROJ-1")) == 46


def test_a_colleagues_identical_worklog_is_never_adopted(app: AppServices, site: FakeJira) -> None:
    bobs = site.add_worklog("PROJ-1", "acc-bob", int(NINE.timestamp() * 1000), 3600, "sync")
    log_minutes(app, "PROJ-1", 60, comment="sync")
    site.inject(Fault("reset", "POST", "/issue/PROJ-1/worklog"))  # lost before saving
    app.sync.sync()
    report = app.sync.sync()
    assert (report.adopted, report.created) == (0, 1)
    assert len(alices(site)) == 1
    untouched = next(w for w in site.worklogs_of("PROJ-1") if w.id == bobs.id)
    assert (untouched.updated_ms, untouched.properties) == (bobs.updated_ms, {})


def test_two_candidates_make_a_conflict_never_a_guess(app: AppServices, site: FakeJira) -> None:
    learn(app)
    entry = log_minutes(app, "PROJ-1", 60, comment="standup")
    # Alice also logged the same hour by hand in Jira's web page.
    by_hand = site.add_worklog("PROJ-1", "acc-alice", int(NINE.timestamp() * 1000), 3600, "standup")
    site.inject(Fault("drop", "POST", "/issue/PROJ-1/worklog"))
    app.sync.sync()
    report = app.sync.sync()
    if site.inline_properties == "accept" and site.mode == "cloud":
        # Jira kept our tag with the lost create: it tells the two apart.
        assert (report.adopted, report.conflicts) == (1, 0)
        assert len(alices(site)) == 2
        return
    assert report.conflicts == 1
    assert (report.adopted, report.created, report.deleted) == (0, 0, 0)
    stuck = app.tracker.get(entry.id)
    assert stuck.sync_state is SyncState.CONFLICT
    assert str(by_hand.id) in (stuck.error or "")
    assert len(alices(site)) == 2
    # The user deletes the one made by hand; a retry adopts the other.
    site.delete_worklog(by_hand.id)
    retried = app.sync.sync(retry_failed=True)
    assert retried.adopted == 1
    assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED
    assert len(alices(site)) == 1


def test_clearing_a_comment_clears_it_in_jira(app: AppServices, site: FakeJira) -> None:
    entry = log_minutes(app, "PROJ-1", 30, comment="to be removed")
    app.sync.sync()
    app.tracker.edit(entry.id, comment="")
    report = app.sync.sync()
    assert report.updated == 1
    (worklog,) = alices(site)
    assert worklog.comment is None


def test_a_profile_time_zone_change_is_not_a_change_in_jira(
    app: AppServices, site: FakeJira
) -> None:
    entry = log_minutes(app, "PROJ-1", 30)
    app.sync.sync()
    site.users["acc-alice"].time_zone = "Asia/Tokyo"  # every time now comes back as +0900
    app.tracker.edit(entry.id, seconds=40 * 60)
    report = app.sync.sync()
    assert (report.updated, report.conflicts) == (1, 0)
    assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED


# -- the reconcile every sync runs ---------------------------------------------------------


def test_deleted_in_jira_is_a_conflict_in_the_same_sync(app: AppServices, site: FakeJira) -> None:
    entry = log_minutes(app, "PROJ-1", 30)
    app.sync.sync()
    (worklog,) = alices(site)
    site.delete_worklog(worklog.id)
    report = app.sync.sync()
    assert report.conflicts == 1
    flagged = app.tracker.get(entry.id)
    assert flagged.sync_state is SyncState.CONFLICT
    assert "deleted in Jira" in (flagged.error or "")
    # Editing it is the user's answer: it is sent again.
    app.tracker.edit(entry.id, comment="still mine")
    again = app.sync.sync()
    assert again.created == 1
    assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED


def test_changed_in_jira_is_a_conflict_in_the_same_sync(app: AppServices, site: FakeJira) -> None:
    entry = log_minutes(app, "PROJ-1", 30)
    app.sync.sync()
    (worklog,) = alices(site)
    site.edit_worklog(worklog.id, seconds=7200)
    report = app.sync.sync()
    assert report.conflicts == 1
    assert "changed in Jira" in (app.tracker.get(entry.id).error or "")


def test_a_quiet_reconcile_is_cheap_and_our_own_writes_are_not_conflicts(
    app: AppServices, site: FakeJira
) -> None:
    entry = log_minutes(app, "PROJ-1", 30)
    app.sync.sync()
    app.tracker.edit(entry.id, seconds=20 * 60)
    assert app.sync.sync().updated == 1
    app.sync.sync()  # our own update has reached the feed (or moved the issue): not a conflict
    before = len(site.requests)
    report = app.sync.sync()
    assert (report.conflicts, report.errors) == (0, ())
    quiet = site.requests[before:]
    if site.mode == "cloud":
        assert sorted(p for _m, p in quiet) == [
            "/rest/api/3/worklog/deleted",
            "/rest/api/3/worklog/updated",
        ]
    else:
        assert [p for _m, p in quiet] == ["/rest/api/2/search"]
    assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED


def test_a_feed_that_does_not_move_stops_with_an_error(tmp_path: Path) -> None:
    with site_and_app(tmp_path, "cloud", "accept", feed_page_size=2) as (site, app):
        log_minutes(app, "PROJ-1", 30)
        app.sync.sync()
        tie = int(datetime.now(UTC).timestamp() * 1000)  # after the cursor, not after now
        for n in range(3):  # three worklogs share one update time: a full page that ties
            site.add_worklog("PROJ-2", "acc-bob", 0, 600, f"n{n}", updated_ms=tie)
        report = app.sync.sync()
        assert any("did not move" in p.message for p in report.errors)


# -- settling conflicts --------------------------------------------------------------------


def test_keep_mine_sends_this_computers_version_over_a_change_in_jira(
    app: AppServices, site: FakeJira
) -> None:
    entry = log_minutes(app, "PROJ-1", 30, comment="mine")
    app.sync.sync()
    (worklog,) = alices(site)
    site.edit_worklog(worklog.id, seconds=7200)
    assert app.sync.sync().conflicts == 1
    assert [p.entry.id for p in app.conflicts.problems()] == [entry.id]
    app.conflicts.keep_mine(entry.id)
    report = app.sync.sync()
    assert (report.updated, report.conflicts) == (1, 0)
    (after,) = alices(site)
    assert after.seconds == 30 * 60
    assert app.conflicts.problems() == []


def test_take_jiras_copies_the_worklog_or_follows_its_deletion(
    app: AppServices, site: FakeJira
) -> None:
    changed = log_minutes(app, "PROJ-1", 30, comment="mine")
    deleted = log_minutes(app, "PROJ-2", 20, time(11, 0))
    app.sync.sync()
    (worklog,) = alices(site, "PROJ-1")
    site.edit_worklog(worklog.id, seconds=5400)
    (gone,) = alices(site, "PROJ-2")
    site.delete_worklog(gone.id)
    assert app.sync.sync().conflicts == 2
    taken = app.conflicts.take_jiras(changed.id)
    assert taken is not None
    assert taken.duration_seconds(taken.started_at) == 5400
    assert taken.sync_state is SyncState.SYNCED
    assert app.conflicts.take_jiras(deleted.id) is None
    assert app.store.get(deleted.id) is None
    report = app.sync.sync()
    assert (report.created, report.updated, report.deleted, report.conflicts) == (0, 0, 0, 0)
    assert len(alices(site, "PROJ-1")) == 1


@pytest.mark.parametrize("denial", ["captcha", "seraph200"])
def test_data_center_login_challenges_block_the_account(tmp_path: Path, denial: str) -> None:
    with site_and_app(tmp_path, "dc", "refuse", auth_denial=denial) as (site, app):
        log_minutes(app, "PROJ-1", 30)
        site.revoke("acc-alice")
        report = app.sync.sync()
        assert report.unavailable is not None
        if denial == "captcha":
            assert "CAPTCHA" in report.unavailable
            assert "web browser" in report.unavailable
        assert app.accounts.accounts()[0].auth_blocked
        assert site.worklogs_of("PROJ-1") == []
        before = len(site.requests)
        app.sync.sync()
        assert len(site.requests) == before  # nothing more is sent until a new sign-in


@pytest.mark.parametrize("moves", [False, True], ids=["tag-keeps-updated", "tag-moves-updated"])
def test_separate_tagging_never_makes_our_own_worklog_a_conflict(
    tmp_path: Path, moves: bool
) -> None:
    # A Cloud site that drops inline properties: tags go through the property resource.
    with site_and_app(tmp_path, "cloud", "drop", property_moves_updated=moves) as (site, app):
        for hour in (7, 9, 11):
            log_minutes(app, "PROJ-1", 30, time(hour, 0))
        assert app.sync.sync().created == 3
        assert app.sync.sync().conflicts == 0
        # Seen once per account; read after every tag only where tagging moves `updated`.
        reads = site.count("GET", "/issue/PROJ-1/worklog/1")
        assert reads == (3 if moves else 1)
        name = app.accounts.accounts()[0].name
        assert app.store.site_tagging(name).moves_updated is moves
