"""The timesheet window and its models (QAbstractItemModelTester), driven offscreen."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QApplication, QLabel

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.timesheet import WorkingTime, WorklogRecord, build_grid
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.timesheet import TimesheetWindow
from clockwork_desktop.ui.timesheet.columns import WeekRole
from clockwork_desktop.ui.timesheet.models import MyWeekModel, TeamModel
from tests.conftest import FakeClock
from tests.support.jira import fill_sign_in
from tests.support.team import VIEWER_ZONE, WEEK, expected_grid, seed_team

FAIL = QAbstractItemModelTester.FailureReportingMode.Fatal


def _record(n: int, author: str, key: str, day: int, seconds: int, state: str = "synced"):
    started = datetime(2026, 3, 9 + day, 10, 0, tzinfo=VIEWER_ZONE).astimezone(UTC)
    return WorklogRecord(str(n), author, author.title(), key, started, seconds, state)


def test_models_pass_the_model_tester(qtbot) -> None:
    records = [
        _record(1, "ana", "APP-1", 0, 3600, "pending"),
        _record(2, "ana", "WEB-2", 2, 1800, "failed"),
        _record(3, "ben", "APP-1", 4, 7200),
    ]
    grid = build_grid(
        records, [("ana", "Ana"), ("ben", "Ben"), ("cy", "Cy")], WEEK, VIEWER_ZONE, WorkingTime()
    )
    team = TeamModel()
    QAbstractItemModelTester(team, FAIL)
    team.set_grid(grid)
    assert team.rowCount() == 3
    ana = team.index(0, 0)
    assert team.rowCount(ana) == 2
    assert team.data(team.index(0, 0, ana)) == "APP-1"
    assert team.data(team.index(0, 8)) == "1h 30m"
    assert team.data(team.index(0, 10)) == "−38h 30m"
    assert team.parent(team.index(1, 3, ana)) == ana
    assert team.rowCount(team.index(2, 0)) == 0
    mine_grid = build_grid(records[:2], [("ana", "Ana")], WEEK, VIEWER_ZONE, WorkingTime())
    mine = MyWeekModel()
    QAbstractItemModelTester(mine, FAIL)
    mine.set_grid(mine_grid, {"APP-1": "Build it"}, [8 * 3600] * 5 + [0, 0])
    assert mine.rowCount() == 3  # two issues and the totals row
    assert mine.data(mine.index(0, 0)) == "APP-1  Build it"
    assert mine.data(mine.index(0, 1)) == "1h"
    assert "waiting" in mine.data(mine.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert mine.data(mine.index(1, 3), Qt.ItemDataRole.BackgroundRole) is not None
    assert mine.data(mine.index(2, 8)) == "1h 30m"
    under = mine.data(mine.index(2, 1), Qt.ItemDataRole.ForegroundRole)
    assert under is not None  # 1h logged against 8h expected


def test_my_week_navigation_and_live_cell(
    qtbot, window: TimesheetWindow, services: AppServices, clock: FakeClock
) -> None:
    model = window.my_week.model
    toolbar = window.toolbar
    assert toolbar.week_label.text() == "09 Mar – 15 Mar 2026"
    qtbot.waitUntil(lambda: model.data(model.index(0, 1)) == "1h")
    services.tracker.start("A-1")
    window.load_mine()
    qtbot.waitUntil(lambda: model.data(model.index(0, 3), WeekRole.STATE) == "running")
    resets: list[int] = []
    changes: list[tuple[int, int]] = []
    model.modelReset.connect(lambda: resets.append(1))
    model.dataChanged.connect(lambda a, b, _r=None: changes.append((a.row(), a.column())))
    clock.advance(120)
    window._tick()
    qtbot.waitUntil(lambda: bool(changes))
    assert resets == []
    assert (0, 3) in changes  # Wednesday's cell of A-1, not a model reset
    assert model.data(model.index(0, 3)) == "2m running"
    assert toolbar.next.shortcut().toString() == "Alt+Right"
    assert toolbar.previous.shortcut().toString() == "Alt+Left"
    toolbar.next.trigger()
    assert toolbar.week_label.text().startswith("16 Mar")
    toolbar.next.trigger()
    assert toolbar.week_label.text().startswith("23 Mar")
    toolbar.this_week.trigger()
    assert toolbar.week_label.text() == "09 Mar – 15 Mar 2026"


def test_team_tab_loads_with_progress_and_exports(
    qtbot, window: TimesheetWindow, services: AppServices, tmp_path: Path
) -> None:
    with FakeJira("cloud", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        seed_team(jira, people=10, in_week=300, other=300)
        services.accounts.login(jira.base_url, "boss-token", email="boss@example.com")
        team = services.timesheets.resolve_team(group="team-a")
        window.tabs.setCurrentIndex(1)
        window.team.set_teams([team], select=team.name)  # loads the chosen team
        assert not window.team.progress.isHidden()
        assert not window.team.cancel_button.isHidden()
        qtbot.waitUntil(
            lambda: window.team.week is not None and not window.team.loading, timeout=10_000
        )
        grid = window.team.week.grid
        expected = expected_grid(jira, {m[0] for m in team.members})
        assert {r.account_id: list(r.days) for r in grid.rows if r.total} == dict(expected)
        assert window.team.model.rowCount() == 10
        assert "Fetched" in window.team.status.text()
        assert window.team.progress.isHidden()
        choice = window.team.project_choice
        projects = [choice.itemText(i) for i in range(choice.count())]
        assert projects[0] == "All projects"
        assert set(projects[1:]) <= {"APP", "WEB", "OPS"}
        out = window.export(".xlsx", tmp_path / "team.xlsx")
        assert out is not None
        qtbot.waitUntil(lambda: str(out) in window.saved_bar.message.text())
        assert "xl/worksheets/sheet1.xml" in zipfile.ZipFile(out).namelist()
        window.copy()
        text = QApplication.clipboard().text()
        assert text.splitlines()[0].startswith("Person\tIssue\t2026-03-09")
        csv_path = window.export(".csv", tmp_path / "team.csv")
        assert csv_path is not None
        qtbot.waitUntil(lambda: str(csv_path) in window.saved_bar.message.text())
        assert csv_path.read_text().splitlines()[-1].startswith("Total")


def test_team_tab_signed_out_offers_a_sign_in_button(
    qtbot, window: TimesheetWindow, services: AppServices, jira: FakeJira
) -> None:
    window.show()
    window.tabs.setCurrentIndex(1)
    team_tab = window.tabs.currentWidget()
    texts = " ".join(label.text() for label in team_tab.findChildren(QLabel))
    assert "clockwork-desktop login" not in texts
    assert window.team.sign_in_button.isVisible()
    assert not window.team.group_button.isEnabled()
    assert not window.team.people_button.isEnabled()
    window.team.sign_in_button.click()
    dialog = window.team.sign_in_dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=3000)
    fill_sign_in(dialog, jira.base_url)
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: not window.team.sign_in_button.isVisible(), timeout=5000)
    assert window.team.group_button.isEnabled()
    assert window.team.people_button.isEnabled()


def test_choosing_a_jira_group_never_blocks_the_tray(
    qtbot, window: TimesheetWindow, services: AppServices, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    window.show()
    window.tabs.setCurrentIndex(1)
    window.team._choose_group()
    dialog = window.team.group_dialog
    assert dialog.isVisible()
    assert dialog.windowModality() != Qt.WindowModality.ApplicationModal  # the tray keeps working
    dialog.setTextValue("team-a")
    dialog.accept()
    qtbot.waitUntil(lambda: "team-a" in window.team.choice.currentText(), timeout=5000)


def test_a_jira_group_hidden_from_non_administrators_says_to_pick_people(
    qtbot, window: TimesheetWindow, services: AppServices
) -> None:
    with FakeJira("dc", feed_quiet_s=0.0, rate_limit_writes=False) as jira:
        seed_team(jira, people=3, in_week=0, other=0)
        services.accounts.login(jira.base_url, "boss-token")
        window.show()
        window.tabs.setCurrentIndex(1)
        window.team._choose_group()
        window.team.group_dialog.setTextValue("team-a")
        window.team.group_dialog.accept()
        status = window.team.status
        qtbot.waitUntil(lambda: "administrators" in status.text(), timeout=5000)
        assert status.textFormat() == Qt.TextFormat.PlainText
        assert status.isVisible()
        assert "People…" in status.text()
        assert "log in" not in status.text().lower()
        assert window.team.people_button.isEnabled()
        assert window.team.choice.count() == 0  # nothing saved from the refusal
