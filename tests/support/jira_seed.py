"""The people and issues every fake Jira in the tests starts with.

Kept apart from ``tests.support.jira`` so that the fake's own process
(``tests.support.jira_process``) seeds a site without importing the app.
"""

from __future__ import annotations

from clockwork_desktop.fakejira import FakeJira, FakeUser

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
