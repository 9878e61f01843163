from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import settings

from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services.tracker import TrackerService

# Deterministic by default so CI never flakes; `HYPOTHESIS_PROFILE=explore` searches wider.
settings.register_profile("default", derandomize=True, deadline=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Never let a test touch the real user data dir or a real keyring.
os.environ.pop("CLOCKWORK_DATA_DIR", None)
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """A test that runs the app's entry point in-process may install the log file handler on
    the root logger; close it afterwards, or a later test's log line reopens a file that is
    then left to the garbage collector (a ResourceWarning, an error here)."""
    import logging

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield
    for handler in root.handlers:
        if handler not in saved[0]:
            handler.close()
    root.handlers[:], root.level = saved


class FakeClock:
    """A clock the test moves by hand; monotonic time follows the wall clock unless jumped."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        delta = timedelta(seconds=seconds, **kwargs)
        self._now += delta
        self._mono += delta.total_seconds()
        return self._now

    def set(self, at: datetime) -> None:
        self._now = at


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = open_database(tmp_path / "data")
    s = SqliteStore(opened.conn, opened.path)
    yield s
    s.close()


@pytest.fixture
def zone() -> ZoneInfo:
    return ZoneInfo("Europe/Berlin")


@pytest.fixture
def tracker(store: SqliteStore, clock: FakeClock, zone: ZoneInfo) -> TrackerService:
    return TrackerService(store, store, clock, zone)


@pytest.fixture
def memory_keyring() -> Iterator[object]:
    import keyring

    from tests.support.memkeyring import MemoryKeyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def jira() -> Iterator[object]:
    from clockwork_desktop.fakejira import FakeJira
    from tests.support.jira import seed

    with FakeJira("cloud") as fake:
        seed(fake)
        yield fake
        assert fake.internal_errors == []


@pytest.fixture
def dc_jira() -> Iterator[object]:
    from clockwork_desktop.fakejira import FakeJira
    from tests.support.jira import seed

    with FakeJira("dc") as fake:
        seed(fake)
        yield fake
        assert fake.internal_errors == []
