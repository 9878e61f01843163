"""Helpers to wire the app's services to a fake Jira over real HTTP."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import Entry
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.infra.credentials import KeyringCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from tests.conftest import FakeClock
from tests.support.jira_seed import ALICE, BOB, seed

__all__ = ["ALICE", "BOB", "seed"]  # the seed lives apart: the fake's own process imports it

# Every way a site can treat inline worklog properties (docs/architecture.md §5.2). Data Center
# as its REST definitions describe it refuses them and has no worklog property resource
# ("dc", "refuse"); "drop" ignores unknown fields; ("dc", "accept") is a site or plugin that
# has worklog properties. The sync sends no tag to any Data Center.
PROPERTY_VARIANTS = [
    ("cloud", "accept"),
    ("cloud", "drop"),
    ("dc", "refuse"),
    ("dc", "drop"),
    ("dc", "accept"),
]
VARIANT_IDS = [f"{mode}-{properties}" for mode, properties in PROPERTY_VARIANTS]


@contextmanager
def variant_site(mode: str, properties: str, **switches: Any) -> Iterator[FakeJira]:
    """A seeded fake Jira of one variant, with feeds that show changes at once; it must end
    without a bug of its own."""
    with FakeJira(mode, inline_properties=properties, feed_quiet_s=0, **switches) as fake:
        seed(fake)
        yield fake
        assert fake.internal_errors == []


def synced_app(data: Path, site: FakeJira) -> AppServices:
    """An app signed in to ``site`` that writes without pacing (the fake's limits allow it)."""
    app = make_app(data, FakeClock(datetime(2026, 3, 9, 12, 0, tzinfo=UTC)))
    app.sync._write_interval_s = 0.0
    login(app, site, dc=site.mode == "dc")
    return app


@contextmanager
def site_and_app(
    data: Path, mode: str, properties: str, **switches: Any
) -> Iterator[tuple[FakeJira, AppServices]]:
    """A variant site and an app signed in to it, both closed afterwards."""
    with variant_site(mode, properties, **switches) as site:
        app = synced_app(data, site)
        try:
            yield site, app
        finally:
            app.close()


# The day most sync tests log on, and 09:00 on it in Berlin (the tests' local zone).
DAY = date(2026, 3, 5)
NINE = datetime(2026, 3, 5, 8, 0, tzinfo=UTC)


def log_minutes(
    app: AppServices, key: str, minutes: int, start: time = time(9, 0), comment: str = ""
) -> Entry:
    return app.tracker.log_time(key, minutes * 60, day=DAY, start_time=start, comment=comment)


def learn(app: AppServices) -> None:
    """One entry synced first: the account knows how the site takes properties."""
    log_minutes(app, "PROJ-2", 10, time(7, 0))
    assert app.sync.sync().created == 1


def alices(site: FakeJira, key: str = "PROJ-1") -> list[Any]:
    """Alice's worklogs on ``key`` (the fake's own records)."""
    return [w for w in site.worklogs_of(key) if w.author == "acc-alice"]


class Sleeps:
    """Records the waits the client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make_app(
    data: Path, clock: FakeClock, *, sleeps: Sleeps | None = None, owned_db: bool = False
) -> AppServices:
    """``owned_db``: as in the tray app, one thread owns the database."""
    app = AppServices(
        data,
        clock,
        connector=HttpJiraConnector(sleep=sleeps or Sleeps()),
        credentials=KeyringCredentials(environ={}),
        owned_db=owned_db,
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


def work_every_hour(data: Path) -> None:
    """Working hours all day, every day, so an automatic timer never waits for them."""
    app = AppServices(data)
    every_day = dataclasses.replace(
        app.store.load_settings(),
        work_start=time(0, 0),
        work_end=time(23, 59),
        work_days=tuple(range(7)),
    )
    app.store.save_settings(every_day)
    app.close()
