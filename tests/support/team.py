"""A fake Jira seeded like a real team: people, a busy week and many other weeks."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from clockwork_desktop.fakejira import FakeJira, FakeUser

WEEK = [date(2026, 3, 9) + timedelta(days=i) for i in range(7)]
VIEWER_ZONE = ZoneInfo("Europe/Berlin")


def seed_team(
    jira: FakeJira, people: int = 50, in_week: int = 2500, other: int = 5000, seed: int = 1
) -> list[FakeUser]:
    rng = random.Random(seed)
    users = []
    for n in range(people):
        zone = rng.choice(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"])
        user = FakeUser(
            f"acc-{n:03d}",
            f"Person {n:03d}",
            f"p{n}@example.com",
            f"tok-{n}",
            time_zone=zone,
            groups=["team-a"],
        )
        users.append(jira.add_user(user))
    viewer = FakeUser(
        "acc-boss",
        "The Manager",
        "boss@example.com",
        "boss-token",
        time_zone="Europe/Berlin",
        groups=["managers"],
    )
    jira.add_user(viewer)
    for project in ("APP", "WEB", "OPS"):
        for k in range(1, 41):
            jira.add_issue(f"{project}-{k}", f"{project} work item {k}")
    keys = list(jira.issues)
    week_start = datetime(2026, 3, 9, tzinfo=VIEWER_ZONE).astimezone(UTC)

    def add(started: datetime) -> None:
        author = rng.choice(users)
        seconds = rng.choice([15, 30, 45, 60, 90, 120, 240]) * 60
        ms = int(started.timestamp() * 1000)
        # Logged the same day, as people do: `updated` follows `started`.
        jira.add_worklog(
            rng.choice(keys), author.account_id, ms, seconds, "work", updated_ms=ms + seconds * 1000
        )

    for _ in range(in_week):
        add(week_start + timedelta(seconds=rng.randrange(0, 7 * 24 * 3600)))
    for _ in range(other):
        offset = rng.randrange(-300, 300) * 24 * 3600 + rng.randrange(0, 24 * 3600)
        if 0 <= offset < 7 * 24 * 3600:
            offset += 14 * 24 * 3600
        add(week_start + timedelta(seconds=offset))
    return users


def expected_grid(
    jira: FakeJira,
    members: set[str],
    zone: ZoneInfo = VIEWER_ZONE,
    project: str | None = None,
    week: list[date] = WEEK,
) -> dict[str, list[int]]:
    """Seconds per person per day of ``week``, computed straight from the fake's worklogs."""
    out: dict[str, list[int]] = defaultdict(lambda: [0] * 7)
    issue_key = {i.id: i.key for i in jira.issues.values()}
    for w in jira.worklogs.values():
        if w.author not in members or w.id in jira.hidden_worklogs:
            continue
        key = issue_key[w.issue_id]
        if project and not key.startswith(project + "-"):
            continue
        day = datetime.fromtimestamp(w.started_ms / 1000, UTC).astimezone(zone).date()
        if day in week:
            out[w.author][week.index(day)] += w.seconds
    return out
