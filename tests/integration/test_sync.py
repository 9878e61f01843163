"""The sync engine against the strict fake Jira, over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.errors import (
    CredentialsUnavailableError,
    InputError,
    JiraAuthError,
)
from clockwork_desktop.core.models import SyncState
from clockwork_desktop.core.sync_plan import PROPERTY_KEY
from clockwork_desktop.fakejira import FakeJira, Fault
from clockwork_desktop.infra.lock import FileSyncLock
from tests.conftest import FakeClock
from tests.support.jira import Sleeps, alices, log_minutes, login, make_app, site_and_app

pytestmark = pytest.mark.usefixtures("memory_keyring")
DAY = date(2026, 3, 5)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 9, 12, 0, tzinfo=UTC))


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def app(tmp_path: Path, clock: FakeClock, sleeps: Sleeps) -> Iterator[AppServices]:
    services = make_app(tmp_path, clock, sleeps=sleeps)
    yield services
    services.close()


@pytest.fixture
def signed_in(app: AppServices, jira: FakeJira) -> AppServices:
    login(app, jira)
    return app


def log(app: AppServices, key: str, minutes: int, start: time, day: date = DAY, comment: str = ""):
    return app.tracker.log_time(key, minutes * 60, day=day, start_time=start, comment=comment)


# -- accounts ------------------------------------------------------------------------------


def test_login_checks_the_token_and_keeps_it_in_the_keyring(
    app: AppServices, jira: FakeJira, memory_keyring: object
) -> None:
    result = app.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    assert result.account.deployment == "cloud"
    assert result.user.display_name == "Alice Example"
    assert result.account.time_zone == "Europe/Berlin"
    assert result.account.is_default
    assert "alice-token" in memory_keyring.secrets.values()  # type: ignore[attr-defined]
    db_bytes = (app.data_dir / "clockwork.db").read_bytes()
    assert b"alice-token" not in db_bytes


def test_login_with_a_wrong_token_saves_nothing(
    app: AppServices, jira: FakeJira, memory_keyring: object
) -> None:
    with pytest.raises(JiraAuthError, match="did not accept") as info:
        app.accounts.login(jira.base_url, "wrong", email="alice@example.com")
    assert "wrong" not in str(info.value)
    assert app.accounts.accounts() == []
    assert memory_keyring.secrets == {}  # type: ignore[attr-defined]


def test_login_tells_cloud_from_data_center(
    app: AppServices, jira: FakeJira, dc_jira: FakeJira
) -> None:
    with pytest.raises(InputError, match="Jira Cloud: sign in with your Atlassian email"):
        app.accounts.login(jira.base_url, "alice-token")
    with pytest.raises(InputError, match="Data Center"):
        app.accounts.login(dc_jira.base_url, "alice-token", email="alice@example.com")
    result = app.accounts.login(dc_jira.base_url, "alice-token", name="dc")
    assert result.account.deployment == "datacenter"
    assert result.account.auth_kind == "bearer"


def test_login_without_a_keyring_names_the_options(app: AppServices, jira: FakeJira) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(CredentialsUnavailableError, match="CLOCKWORK_JIRA_TOKEN") as info:
        app.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    assert "GNOME Keyring" in str(info.value)
    assert app.accounts.accounts() == []
    assert jira.count() == 0  # refused before any request


def test_plain_http_only_for_loopback(app: AppServices) -> None:
    with pytest.raises(InputError, match="https"):
        app.accounts.login("http://jira.example.com", "t", email="a@example.com")


def test_entries_tracked_before_login_join_the_default_account(
    app: AppServices, jira: FakeJira
) -> None:
    entry = log(app, "PROJ-1", 30, time(9, 0))
    assert entry.account is None
    result = app.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    assert result.adopted_entries == 1
    assert app.tracker.get(entry.id).account == result.account.name


# -- pushing -------------------------------------------------------------------------------


def test_push_creates_one_worklog_per_entry_exactly_once(
    signed_in: AppServices, jira: FakeJira
) -> None:
    entry = log(signed_in, "PROJ-1", 90, time(9, 0), comment="Pairing on sync")
    report = signed_in.sync.sync()
    assert (report.created, report.failed, report.pending) == (1, 0, 0)
    (worklog,) = jira.worklogs_of("PROJ-1")
    assert worklog.started == "2026-03-05T09:00:00.000+0100"
    assert worklog.seconds == 5400
    assert worklog.comment["type"] == "doc"
    assert worklog.properties[PROPERTY_KEY]["uuid"] == entry.uuid
    synced = signed_in.tracker.get(entry.id)
    assert synced.sync_state is SyncState.SYNCED
    assert synced.worklog_ids == {"2026-03-05": str(worklog.id)}
    writes = jira.count("POST")
    again = signed_in.sync.sync()
    assert (again.created, again.updated) == (0, 0)
    assert jira.count("POST") == writes
    assert len(jira.worklogs_of("PROJ-1")) == 1


def test_midnight_and_dst_give_one_worklog_per_local_day(
    signed_in: AppServices, jira: FakeJira, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 4, 2, tzinfo=UTC))
    # Berlin: 28 March 23:00 to 29 March 04:00 local crosses midnight and the DST jump.
    log(signed_in, "PROJ-2", 240, time(23, 0), day=date(2026, 3, 28))
    signed_in.sync.sync()
    worklogs = sorted(jira.worklogs_of("PROJ-2"), key=lambda w: w.started_ms)
    assert [(w.started, w.seconds) for w in worklogs] == [
        ("2026-03-28T23:00:00.000+0100", 3600),
        ("2026-03-29T00:00:00.000+0100", 3 * 3600),
    ]


@pytest.mark.parametrize(
    ("zone", "offset"),
    [("Asia/Kolkata", "+0530"), ("Asia/Kathmandu", "+0545"), ("America/St_Johns", "-0330")],
)
def test_fractional_offsets(signed_in: AppServices, jira: FakeJira, zone: str, offset: str) -> None:
    from zoneinfo import ZoneInfo

    signed_in.tracker.zone = ZoneInfo(zone)
    log(signed_in, "PROJ-1", 30, time(10, 15))
    signed_in.sync.sync()
    (worklog,) = jira.worklogs_of("PROJ-1")
    assert worklog.started == f"2026-03-05T10:15:00.000{offset}"


def test_edit_updates_and_delete_deletes(signed_in: AppServices, jira: FakeJira) -> None:
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    signed_in.sync.sync()
    signed_in.tracker.edit(entry.id, seconds=45 * 60, comment="shorter")
    report = signed_in.sync.sync()
    assert (report.created, report.updated) == (0, 1)
    (worklog,) = jira.worklogs_of("PROJ-1")
    assert worklog.seconds == 45 * 60
    assert worklog.properties[PROPERTY_KEY] == {"uuid": entry.uuid, "day": "2026-03-05"}
    signed_in.tracker.delete(entry.id)
    report = signed_in.sync.sync()
    assert report.deleted == 1
    assert jira.worklogs_of("PROJ-1") == []
    assert signed_in.store.get(entry.id) is None


def test_moving_an_entry_to_another_issue_moves_the_worklog(
    signed_in: AppServices, jira: FakeJira
) -> None:
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    signed_in.sync.sync()
    signed_in.tracker.edit(entry.id, issue_key="PROJ-2")
    signed_in.sync.sync()
    assert jira.worklogs_of("PROJ-1") == []
    assert len(jira.worklogs_of("PROJ-2")) == 1


def test_too_short_stays_local_until_rounding_allows(
    signed_in: AppServices, jira: FakeJira
) -> None:
    entry = log(signed_in, "PROJ-1", 1, time(9, 0))
    signed_in.tracker.edit(entry.id, seconds=40)
    assert signed_in.tracker.view(signed_in.tracker.get(entry.id)).state is SyncState.TOO_SHORT
    report = signed_in.sync.sync()
    assert report.created == 0
    assert jira.count("POST", "/worklog") == 0
    signed_in.accounts.set_rounding(None, "up:15")
    signed_in.sync.sync()
    (worklog,) = jira.worklogs_of("PROJ-1")
    assert worklog.seconds == 15 * 60


def test_data_center_uses_v2_and_string_comments(app: AppServices, dc_jira: FakeJira) -> None:
    login(app, dc_jira, dc=True)
    entry = log(app, "PROJ-1", 30, time(9, 0), comment="plain text")
    app.sync.sync()
    (worklog,) = dc_jira.worklogs_of("PROJ-1")
    assert worklog.comment == "plain text"
    # Data Center has no worklog properties: one create, untagged, nothing refused.
    assert dc_jira.count("POST", "/rest/api/2/issue/PROJ-1/worklog") == 1
    assert worklog.properties == {}
    assert app.tracker.get(entry.id).worklog_ids == {"2026-03-05": str(worklog.id)}
    assert dc_jira.answered(400, 404) == []
    assert dc_jira.count(None, "/rest/api/3/") == 0


# -- faults --------------------------------------------------------------------------------


def test_saved_but_answer_lost_is_adopted_not_posted_twice(
    signed_in: AppServices, jira: FakeJira
) -> None:
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    jira.inject(Fault("drop", "POST", "/worklog"))
    first = signed_in.sync.sync()
    assert first.created == 0
    assert first.errors
    assert len(jira.worklogs_of("PROJ-1")) == 1  # Jira saved it
    lost = signed_in.tracker.get(entry.id).remote["2026-03-05"]
    assert lost.worklog_id is None
    assert lost.sent is not None
    assert lost.sent.seconds == 3600
    second = signed_in.sync.sync()
    assert second.adopted == 1
    assert second.created == 0
    assert len(jira.worklogs_of("PROJ-1")) == 1
    assert signed_in.tracker.get(entry.id).sync_state is SyncState.SYNCED


def test_a_lost_answer_with_a_multiline_comment_is_adopted_by_fingerprint(tmp_path: Path) -> None:
    """Cloud without tags: the comment read back (ADF) must equal the one sent, blank lines,
    line breaks and CRLF included, or the recovered worklog is written a second time."""
    with site_and_app(tmp_path / "data", "cloud", "drop") as (site, app):
        comment = "first line\n\nsecond line\r\nthird"
        entry = log_minutes(app, "PROJ-1", 60, comment=comment)
        site.inject(Fault("drop", "POST", "/issue/PROJ-1/worklog"))
        assert app.sync.sync().created == 0
        assert len(alices(site)) == 1  # Jira saved it; the answer was lost
        assert alices(site)[0].properties == {}  # dropped: only the fingerprint can find it
        second = app.sync.sync()
        assert (second.adopted, second.created) == (1, 0)
        assert site.count("POST", "/issue/PROJ-1/worklog") == 1
        assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED
        # What Jira shows is what was written: paragraphs and a line break.
        stored = alices(site)[0].comment
        assert [p.get("content") for p in stored["content"]] == [
            [{"type": "text", "text": "first line"}],
            [
                {"type": "text", "text": "second line"},
                {"type": "hardBreak"},
                {"type": "text", "text": "third"},
            ],
        ]
        # And a later sync neither rewrites nor flags it.
        third = app.sync.sync()
        assert not third.errors
        rewrites = [p for m, p in site.requests if m == "PUT" and "/properties/" not in p]
        assert rewrites == []


def test_reset_before_saving_is_retried_once(signed_in: AppServices, jira: FakeJira) -> None:
    log(signed_in, "PROJ-1", 60, time(9, 0))
    jira.inject(Fault("reset", "POST", "/worklog"))
    signed_in.sync.sync()
    assert jira.worklogs_of("PROJ-1") == []
    report = signed_in.sync.sync()
    assert report.created == 1
    assert len(jira.worklogs_of("PROJ-1")) == 1


def test_garbage_answer_to_a_post_is_checked_before_retrying(
    signed_in: AppServices, jira: FakeJira
) -> None:
    log(signed_in, "PROJ-1", 60, time(9, 0))
    jira.inject(Fault("garbage", "POST", "/worklog"))
    report = signed_in.sync.sync()
    assert report.errors
    assert "not JSON" in report.errors[0].message
    signed_in.sync.sync()
    assert len(jira.worklogs_of("PROJ-1")) == 1


def test_429_and_503_honour_retry_after(
    signed_in: AppServices, jira: FakeJira, sleeps: Sleeps
) -> None:
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    jira.inject(Fault("429", "POST", "/worklog", retry_after=7, reason="jira-per-issue-on-write"))
    report = signed_in.sync.sync()
    assert report.created == 1
    assert len(jira.worklogs_of("PROJ-1")) == 1
    assert any(w >= 7 for w in sleeps.waits)
    signed_in.tracker.edit(entry.id, comment="again")
    jira.inject(Fault("503", "GET", "/worklog/", retry_after=3, times=2))
    report = signed_in.sync.sync()
    assert report.updated == 1
    assert sum(1 for w in sleeps.waits if w >= 3) >= 2


def test_long_retry_after_leaves_entries_pending(
    signed_in: AppServices, jira: FakeJira, sleeps: Sleeps
) -> None:
    log(signed_in, "PROJ-1", 60, time(9, 0))
    jira.inject(
        Fault("429", "POST", "/worklog", retry_after=1847, reason="jira-quota-global-based")
    )
    report = signed_in.sync.sync()
    assert report.pending == 1
    assert "busy" in report.errors[0].message
    assert all(w < 1847 for w in sleeps.waits)


@pytest.mark.parametrize(
    ("key", "needle"),
    [("OPS-7", "permission to associate a worklog"), ("NOPE-1", "Issue does not exist")],
)
def test_refused_entries_are_failed_with_jiras_message_and_kept(
    signed_in: AppServices, jira: FakeJira, key: str, needle: str
) -> None:
    entry = log(signed_in, key, 60, time(9, 0))
    good = log(signed_in, "PROJ-1", 60, time(11, 0))
    report = signed_in.sync.sync()
    assert report.failed == 1
    assert report.created == 1
    failed = signed_in.tracker.get(entry.id)
    assert failed.sync_state is SyncState.FAILED
    assert needle in (failed.error or "")
    assert signed_in.tracker.get(good.id).sync_state is SyncState.SYNCED
    posts = jira.count("POST")
    signed_in.sync.sync()
    assert jira.count("POST") == posts  # never retried blindly
    signed_in.sync.sync(retry_failed=True)
    assert jira.count("POST") == posts + 1


def test_per_issue_limit_413(signed_in: AppServices, jira: FakeJira) -> None:
    jira.worklog_limit = 0
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    signed_in.sync.sync()
    assert "per-issue limit" in (signed_in.tracker.get(entry.id).error or "")


def test_expired_token_mid_sync_stops_every_request(signed_in: AppServices, jira: FakeJira) -> None:
    for hour in range(8, 16):
        log(signed_in, f"PROJ-{1 + hour % 2}", 30, time(hour, 0))
    jira.inject(Fault("delay", "POST", "/worklog", seconds=0.05, times=2))
    jira.revoke("acc-alice")
    report = signed_in.sync.sync()
    assert report.unavailable is not None
    assert "refused the sign-in" in report.unavailable
    account = signed_in.store.account("cloud")
    assert account is not None
    assert account.auth_blocked
    before = len(jira.requests)
    again = signed_in.sync.sync()
    assert again.unavailable is not None
    assert len(jira.requests) == before  # nothing sent until a new sign-in
    jira.users["acc-alice"].token = "new-token"
    signed_in.accounts.login(jira.base_url, "new-token", email="alice@example.com", name="cloud")
    final = signed_in.sync.sync()
    assert final.pending == 0
    assert len(jira.worklogs_of("PROJ-1")) + len(jira.worklogs_of("PROJ-2")) == 8


def test_offline_then_online(app: AppServices, tmp_path: Path) -> None:
    offline = FakeJira("cloud")
    from tests.support.jira import seed

    seed(offline)
    offline.start()
    login(app, offline)
    url = offline.base_url
    offline.stop()
    log(app, "PROJ-1", 60, time(9, 0))
    report = app.sync.sync()
    assert report.unavailable is not None
    assert "Cannot reach Jira" in report.unavailable
    assert report.pending == 1
    # The network returns: the same site answers again on the same address.
    port = int(url.rsplit(":", 1)[1])
    online = FakeJira("cloud")
    seed(online)
    online.start_on(port)
    try:
        report = app.sync.sync()
        assert report.created == 1
        assert len(online.worklogs_of("PROJ-1")) == 1
    finally:
        online.stop()


# -- conflicts and time zones ---------------------------------------------------------------


def test_worklog_deleted_in_jira_becomes_a_conflict(signed_in: AppServices, jira: FakeJira) -> None:
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    signed_in.sync.sync()
    (worklog,) = jira.worklogs_of("PROJ-1")
    jira.delete_worklog(worklog.id)
    signed_in.tracker.edit(entry.id, comment="changed locally")
    report = signed_in.sync.sync()
    assert report.created == 0
    conflicted = signed_in.tracker.get(entry.id)
    assert conflicted.sync_state is SyncState.CONFLICT
    assert "deleted in Jira" in (conflicted.error or "")
    assert jira.worklogs_of("PROJ-1") == []  # never silently re-created
    signed_in.tracker.edit(entry.id, comment="send mine again")
    signed_in.sync.sync()
    assert len(jira.worklogs_of("PROJ-1")) == 1
    assert signed_in.tracker.get(entry.id).sync_state is SyncState.SYNCED


def test_worklog_changed_in_jira_is_not_overwritten(signed_in: AppServices, jira: FakeJira) -> None:
    entry = log(signed_in, "PROJ-1", 60, time(9, 0))
    signed_in.sync.sync()
    (worklog,) = jira.worklogs_of("PROJ-1")
    jira.edit_worklog(worklog.id, seconds=7200)
    signed_in.tracker.edit(entry.id, comment="mine")
    signed_in.sync.sync()
    assert jira.worklogs_of("PROJ-1")[0].seconds == 7200
    assert signed_in.tracker.get(entry.id).sync_state is SyncState.CONFLICT
    signed_in.tracker.edit(entry.id, comment="mine wins")
    signed_in.sync.sync()
    assert jira.worklogs_of("PROJ-1")[0].seconds == 3600


def test_profile_zone_differs_from_the_machine(signed_in: AppServices, jira: FakeJira) -> None:
    # Alice's Jira profile is New York; the machine (and the entry) are in Berlin.
    jira.users["acc-alice"].time_zone = "America/New_York"
    entry = log(signed_in, "PROJ-1", 30, time(0, 30))
    signed_in.sync.sync()
    (worklog,) = jira.worklogs_of("PROJ-1")
    assert worklog.started == "2026-03-05T00:30:00.000+0100"
    # Reading it back (Jira answers in the profile's zone) gives the same instant.
    client = signed_in.accounts.client(signed_in.accounts.get(None))
    remote = client.get_worklog("PROJ-1", str(worklog.id))
    client.close()
    assert remote.started == signed_in.tracker.get(entry.id).started_at


def test_sync_lock_prevents_two_syncs(signed_in: AppServices) -> None:
    other = FileSyncLock(signed_in.data_dir / "sync.lock")
    assert other.acquire()
    try:
        assert signed_in.sync.sync().busy
    finally:
        other.release()
    assert not signed_in.sync.sync().busy


# -- import and issues ----------------------------------------------------------------------


def test_import_my_worklogs_made_elsewhere(signed_in: AppServices, jira: FakeJira) -> None:
    start = int(datetime(2026, 3, 4, 8, 0, tzinfo=UTC).timestamp() * 1000)
    mine = jira.add_worklog("PROJ-2", "acc-alice", start, 5400, "from the web")
    jira.add_worklog("PROJ-2", "acc-bob", start, 3600, "not mine")
    pushed = log(signed_in, "PROJ-1", 30, time(9, 0))
    signed_in.sync.sync()
    count = signed_in.sync.import_worklogs(None, date(2026, 3, 2), date(2026, 3, 8))
    assert count == 1
    views = signed_in.tracker.entries(date(2026, 3, 2), date(2026, 3, 8))
    remote = [v for v in views if v.state is SyncState.REMOTE]
    assert [(v.entry.issue_key, v.duration_seconds, v.entry.comment) for v in remote] == [
        ("PROJ-2", 5400, "from the web")
    ]
    assert signed_in.sync.import_worklogs(None, date(2026, 3, 2), date(2026, 3, 8)) == 0
    posts = jira.count("POST", "/worklog")
    signed_in.sync.sync()
    assert jira.count("POST", "/worklog") == posts  # never pushed back
    jira.delete_worklog(mine.id)
    signed_in.sync.import_worklogs(None, date(2026, 3, 2), date(2026, 3, 8))
    views = signed_in.tracker.entries(date(2026, 3, 2), date(2026, 3, 8))
    assert [v.entry.id for v in views] == [pushed.id]


def test_import_flags_our_worklog_deleted_in_jira(signed_in: AppServices, jira: FakeJira) -> None:
    entry = log(signed_in, "PROJ-1", 30, time(9, 0))
    signed_in.sync.sync()
    jira.delete_worklog(jira.worklogs_of("PROJ-1")[0].id)
    signed_in.sync.import_worklogs(None, date(2026, 3, 2), date(2026, 3, 8))
    assert signed_in.tracker.get(entry.id).sync_state is SyncState.CONFLICT


def test_my_open_issues_and_search_work_offline_from_cache(
    signed_in: AppServices, jira: FakeJira
) -> None:
    issues, note = signed_in.issues.my_open_issues()
    assert note is None
    assert [i.key for i in issues] == ["PROJ-1", "PROJ-2"]
    found, _ = signed_in.issues.search("tray")
    assert [i.key for i in found] == ["PROJ-2"]
    by_key, _ = signed_in.issues.search("proj-4")
    assert [i.summary for i in by_key] == ["Someone else's work"]
    jira.stop()
    cached, note = signed_in.issues.my_open_issues()
    assert note is not None
    assert [i.key for i in cached] == ["PROJ-1", "PROJ-2"]
    offline, note = signed_in.issues.search("sync")
    assert note is not None
    assert [i.key for i in offline] == ["PROJ-1"]
    jira.start_on(int(jira.base_url.rsplit(":", 1)[1]))


def test_search_text_is_quoted_in_jql(signed_in: AppServices, jira: FakeJira) -> None:
    found, note = signed_in.issues.search('x" OR project = OPS OR text ~ "y')
    assert note is None
    assert found == []


def test_a_refused_token_outside_sync_also_stops_requests(
    signed_in: AppServices, jira: FakeJira
) -> None:
    jira.revoke("acc-alice")
    _issues, note = signed_in.issues.my_open_issues()
    assert note is not None
    assert "refused the sign-in" in note
    account = signed_in.store.account("cloud")
    assert account is not None
    assert account.auth_blocked
    before = len(jira.requests)
    signed_in.issues.search("sync")
    signed_in.sync.sync()
    assert len(jira.requests) == before
