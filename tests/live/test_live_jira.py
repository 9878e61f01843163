"""The same checks as `clockwork-desktop check-jira`, against a real site, for verifying a release.

Skipped unless CLOCKWORK_LIVE_JIRA_URL, CLOCKWORK_LIVE_JIRA_TOKEN and CLOCKWORK_LIVE_JIRA_ISSUE
are set (and CLOCKWORK_LIVE_JIRA_EMAIL for Cloud). The issue must be one you may log work on:
the tests write a few short worklogs there, a day in the past, and delete every one of them.

    CLOCKWORK_LIVE_JIRA_URL=https://example.atlassian.net \\
    CLOCKWORK_LIVE_JIRA_EMAIL=me@example.com CLOCKWORK_LIVE_JIRA_TOKEN=... \\
    CLOCKWORK_LIVE_JIRA_ISSUE=SCRATCH-1 \\
    .venv/bin/python -m pytest -m live tests/live
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import SyncState
from clockwork_desktop.infra.credentials import SessionCredentials

ENV = {
    name: os.environ.get(f"CLOCKWORK_LIVE_JIRA_{name}", "")
    for name in ("URL", "EMAIL", "TOKEN", "ISSUE")
}

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not (ENV["URL"] and ENV["TOKEN"] and ENV["ISSUE"]),
        reason="live Jira: set CLOCKWORK_LIVE_JIRA_URL, _TOKEN, _ISSUE (and _EMAIL for Cloud)",
    ),
]


@pytest.fixture
def app(tmp_path: Path) -> Iterator[AppServices]:
    services = AppServices(tmp_path / "data", credentials=SessionCredentials())
    services.accounts.login(ENV["URL"], ENV["TOKEN"], email=ENV["EMAIL"] or None, name="live")
    yield services
    services.close()


def test_every_assumption_holds_and_nothing_is_left(app: AppServices) -> None:
    report = app.check_jira(None, ENV["ISSUE"])
    assert report.left_behind == ()
    assert report.differs == [], "\n".join(
        f"{f.key}: {f.summary} {f.detail}" for f in report.differs
    )


def test_a_sync_round_trip_with_reconcile(app: AppServices) -> None:
    yesterday = app.tracker.today() - timedelta(days=1)
    entry = app.tracker.log_time(
        ENV["ISSUE"], 60 * 5, day=yesterday, comment="clockwork-desktop live test, deleted at once"
    )
    try:
        assert app.sync.sync().created == 1
        assert app.tracker.get(entry.id).sync_state is SyncState.SYNCED
        app.tracker.edit(entry.id, seconds=60 * 6)
        report = app.sync.sync()
        assert (report.updated, report.conflicts) == (1, 0)
    finally:
        app.tracker.delete(entry.id)
        app.sync.sync()
    assert app.store.get(entry.id) is None, "the worklog could not be deleted: delete it by hand"
