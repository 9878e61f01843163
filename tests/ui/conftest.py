from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.infra.credentials import SessionCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from tests.conftest import FakeClock
from tests.support.jira import Sleeps
from tests.support.timesheet import window  # noqa: F401  (a fixture for the timesheet tests)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))


@pytest.fixture
def services(tmp_path: Path, clock: FakeClock) -> Iterator[AppServices]:
    app = AppServices(
        tmp_path / "data",
        clock,
        connector=HttpJiraConnector(sleep=Sleeps()),
        credentials=SessionCredentials(),
        owned_db=True,  # as in the app: one thread owns the database
    )
    app.store.set_setting("timezone", "Europe/Berlin")
    yield app
    app.close()


@pytest.fixture
def runner(qtbot: object, services: AppServices) -> Iterator[object]:
    from clockwork_desktop.ui.tasks import TaskRunner

    tasks = TaskRunner(db=services.db_owner)
    yield tasks
    tasks.shutdown()


@pytest.fixture
def controller(services: AppServices, runner: object, qtbot: object) -> Iterator[object]:
    from clockwork_desktop.ui.tray import TrayController
    from tests.support.tray import refreshed

    tray = TrayController(services, runner, use_tray=False)  # type: ignore[arg-type]
    refreshed(qtbot, tray)  # its first state is read on the DB worker
    yield tray
    tray.shutdown()
    tray.picker.close()
