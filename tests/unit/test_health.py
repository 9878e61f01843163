"""The health checks' rules and the measured service level, with fakes for the machine."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from clockwork_desktop.core.models import Account
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services import health
from clockwork_desktop.services.health import HealthService, measure_service_level

NOW = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
SITE = Account("work", "https://acme.atlassian.net", "cloud", "basic", "a@b.c", "id", "A", None)


class Machine:
    def __init__(self, free: int = 10**10, backup_age: timedelta | None = timedelta(hours=1)):
        self.free = free
        self.backup_age = backup_age

    def keyring_backend(self) -> str | None:
        return "TestKeyring"

    def env_token_set(self) -> bool:
        return False

    def free_bytes(self) -> int:
        return self.free

    def newest_backup(self) -> tuple[str, datetime] | None:
        if self.backup_age is None:
            return None
        return "clockwork-x.db", NOW - self.backup_age

    def backup_count(self) -> int:
        return 0 if self.backup_age is None else 1


class Accounts:
    def __init__(self, client: Any = None) -> None:
        self._client = client

    def accounts(self) -> list[Account]:
        return [SITE] if self._client is not None else []

    def client(self, account: Account) -> Any:
        return self._client


def failing(report: health.HealthReport) -> set[str]:
    return {c.name for c in report.checks if not c.ok}


def test_service_level_counts_late_and_overdue_entries_but_not_young_ones() -> None:
    ready = NOW - timedelta(hours=5)
    delays: list[tuple[datetime, datetime | None]] = [
        (ready, ready + timedelta(seconds=5 * s)) for s in range(1, 99)
    ]
    delays.append((ready, ready + timedelta(minutes=45)))  # late
    delays.append((NOW - timedelta(hours=2), None))  # still waiting, overdue
    delays.append((NOW - timedelta(minutes=3), None))  # still within its ten minutes
    level = measure_service_level(delays, NOW)
    assert (level.measured, level.within) == (100, 98)
    assert level.share == pytest.approx(0.98)
    assert level.median_s == 250
    assert "98.0 % (98 of 100)" in level.describe()


def test_low_disk_old_backup_and_a_damaged_file_need_the_user(store: SqliteStore) -> None:
    healthy = HealthService(store, Machine(), Accounts(), lambda: NOW).run()
    assert healthy.exit_code == 0, healthy.text()
    low = HealthService(store, Machine(free=50 * 2**20), Accounts(), lambda: NOW).run()
    assert failing(low) == {"disk space"}
    assert low.exit_code == 1
    old = HealthService(store, Machine(backup_age=timedelta(days=3)), Accounts(), lambda: NOW)
    assert failing(old.run()) == {"backups"}
    store.integrity_problems = lambda: ["row 3 missing from index"]  # type: ignore[method-assign]
    damaged = HealthService(store, Machine(), Accounts(), lambda: NOW).run()
    assert failing(damaged) == {"database"}
    assert "row 3 missing" in damaged.text()


def test_a_jira_that_never_answers_is_reported_within_the_deadline(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(health, "ACCOUNT_CHECK_TIMEOUT_S", 0.2)
    release = threading.Event()

    class Hanging:
        def myself(self) -> None:
            release.wait(10)

        def close(self) -> None:
            pass

    try:
        report = HealthService(store, Machine(), Accounts(Hanging()), lambda: NOW).run()
    finally:
        release.set()
    (check,) = [c for c in report.checks if c.name == "account work"]
    assert not check.ok
    assert "no answer within 0.2 s" in check.detail
    assert report.exit_code == 1
