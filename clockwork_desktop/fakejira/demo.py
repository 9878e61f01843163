"""The built-in demo Jira: a project, issues, colleagues and a week of worklogs."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from clockwork_desktop.fakejira.server import FakeJira, FakeUser

DEMO_EMAIL = "you@demo.example"
DEMO_TOKEN = "demo-token"

ISSUES = [
    ("DEMO-101", "Sync worklogs to Jira exactly once", "you"),
    ("DEMO-102", "Tray menu: show the running timer", "you"),
    ("DEMO-103", "Weekly timesheet for managers", "you"),
    ("DEMO-104", "Away detection after sleep", "you"),
    ("DEMO-105", "Export the timesheet to CSV & XLSX", "you"),
    ("DEMO-110", "Release 1.0 checklist", "ana"),
    ("DEMO-111", "Customer call notes", "ben"),
    ("DEMO-112", "Fix flaky build on Windows", "chen"),
    ("OPS-7", "On-call support", None),
    ("OPS-8", "Team meeting", None),
]
PEOPLE = [
    ("you", "You (demo)", DEMO_EMAIL),
    ("ana", "Ana García", "ana@demo.example"),
    ("ben", "Ben Okafor", "ben@demo.example"),
    ("chen", "Chen Wei", "chen@demo.example"),
    ("dara", "Dara Murphy", "dara@demo.example"),
]


def demo_jira(zone: str = "UTC", now: datetime | None = None) -> FakeJira:
    """A started fake Jira, seeded so every feature has something to show."""
    jira = FakeJira("cloud", feed_quiet_s=0.0)
    for account_id, name, email in PEOPLE:
        token = DEMO_TOKEN if account_id == "you" else f"{account_id}-token"
        jira.add_user(
            FakeUser(account_id, name, email, token, time_zone=zone, groups=["demo-team"])
        )
    stamp = int(time.time() * 1000)
    for n, (key, summary, assignee) in enumerate(ISSUES):
        jira.add_issue(key, summary, assignee=assignee, updated_ms=stamp - n * 60_000)
    rng = random.Random(42)
    tz = ZoneInfo(zone)
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    for offset in range(-7, 7):
        day = monday + timedelta(days=offset)
        if day.weekday() >= 5 or day >= today:
            continue
        for account_id, _name, _email in PEOPLE[1:]:
            start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=tz)
            for _ in range(rng.randint(2, 4)):
                key = rng.choice([k for k, _s, _a in ISSUES])
                minutes = rng.choice([30, 45, 60, 90, 120])
                jira.add_worklog(
                    key, account_id, int(start.timestamp() * 1000), minutes * 60, "demo work"
                )
                start += timedelta(minutes=minutes + 15)
    # My own worklogs made elsewhere (Jira's web page): the team meeting on past weekdays.
    for offset in range(7):
        day = monday + timedelta(days=offset)
        if day.weekday() < 5 and day < today:
            start = datetime(day.year, day.month, day.day, 8, 30, tzinfo=tz)
            jira.add_worklog("OPS-8", "you", int(start.timestamp() * 1000), 1800, "stand-up")
    jira.start()
    return jira
