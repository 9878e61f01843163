"""Helpers to wire the app's services to a fake Jira over real HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira, FakeUser
from clockwork_desktop.infra.credentials import KeyringCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from tests.conftest import FakeClock

ALICE = FakeUser(
    "acc-alice",
    "Alice Example",
    "alice@example.com",
    "alice-token",
    time_zone="Europe/Berlin",
    name="alice",
    groups=["team-a"],
)
BOB = FakeUser(
    "acc-bob",
    "Bob Builder",
    "bob@example.com",
    "bob-token",
    time_zone="America/New_York",
    name="bob",
    groups=["team-a"],
)


class Sleeps:
    """Records the waits the client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def seed(jira: FakeJira) -> FakeJira:
    jira.add_user(FakeUser(**ALICE.__dict__))
    jira.add_user(FakeUser(**BOB.__dict__))
    jira.add_issue("PROJ-1", "Build the sync engine", assignee="acc-alice", updated_ms=3000)
    jira.add_issue("PROJ-2", "Write the tray menu", assignee="acc-alice", updated_ms=2000)
    jira.add_issue(
        "PROJ-3",
        "Fix the <b>bold</b> bug",
        assignee="acc-alice",
        updated_ms=1000,
        status="Done",
        status_category="done",
    )
    jira.add_issue("PROJ-4", "Someone else's work", assignee="acc-bob")
    jira.add_issue("OPS-7", "Closed for logging", loggable=False)
    return jira


def make_app(data: Path, clock: FakeClock, *, sleeps: Sleeps | None = None) -> AppServices:
    app = AppServices(
        data,
        clock,
        connector=HttpJiraConnector(sleep=sleeps or Sleeps()),
        credentials=KeyringCredentials(environ={}),
    )
    app.store.set_setting("timezone", "Europe/Berlin")  # the machine's zone in these tests
    return app


def login(app: AppServices, jira: FakeJira, *, dc: bool = False) -> None:
    if dc:
        app.accounts.login(jira.base_url, "alice-token", name="dc")
    else:
        app.accounts.login(jira.base_url, "alice-token", email="alice@example.com", name="cloud")


def fill_sign_in(dialog: Any, url: str) -> None:
    """Type Alice's Cloud credentials into a sign-in dialog."""
    dialog.url.setText(url)
    dialog.email.setText("alice@example.com")
    dialog.token.setText("alice-token")
