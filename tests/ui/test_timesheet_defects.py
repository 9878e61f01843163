"""The timesheet defects of issue 12 (item 11), each pinned by a test that failed before."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import QBrush, QDesktopServices
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QFileDialog

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.timesheet import WorkingTime, WorklogRecord, build_grid
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.timesheet import TimesheetWindow
from clockwork_desktop.ui.timesheet.chart import BarChart
from clockwork_desktop.ui.timesheet.columns import WeekColumn, WeekRole, contrast
from clockwork_desktop.ui.timesheet.models import MyWeekModel, TeamModel
from tests.conftest import FakeClock
from tests.support.team import VIEWER_ZONE, WEEK

FAIL = QAbstractItemModelTester.FailureReportingMode.Fatal


def _record(n: int, key: str, day: int, seconds: int, state: str = "synced") -> WorklogRecord:
    started = datetime(2026, 3, 9 + day, 10, 0, tzinfo=VIEWER_ZONE).astimezone(UTC)
    return WorklogRecord(str(n), "ana", "Ana", key, started, seconds, state)


# -- the chart ------------------------------------------------------------------------------


def test_chart_has_an_axis_a_labelled_expected_line_and_the_tables_units(qtbot) -> None:
    grid = build_grid(
        [_record(1, "APP-1", 0, 5760), _record(2, "WEB-2", 1, 9 * 3600)],
        [("ana", "Ana")],
        WEEK,
        VIEWER_ZONE,
        WorkingTime(),
    )
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(640, 240)
    chart.set_data(grid, [8 * 3600] * 5 + [0, 0])
    layout = chart.chart_layout()
    # An axis: ticks from zero past the tallest bar, labelled as the table labels time.
    assert layout.ticks[0] == (0, "0")
    assert layout.ticks[-1][0] >= 9 * 3600
    assert [label for _, label in layout.ticks[1:3]] == ["2h", "4h"]
    # The day labels use the table's format: 5760 s is "1h 36m", never "1.6h".
    assert layout.day_labels[0] == "Mon 09 · 1h 36m"
    assert all("." not in label for label in layout.day_labels)
    # The expected line is named in the legend, and the legend never overlaps the plot.
    names = [name for name, _ in layout.legend]
    assert names == ["APP", "WEB", "Expected"]
    for _, rect in layout.legend:
        assert not rect.intersects(layout.plot)
        assert chart.rect().toRectF().contains(rect)
    assert layout.plot.left() > 20  # room for the axis labels


def test_chart_legend_wraps_instead_of_running_off_a_narrow_chart(qtbot) -> None:
    records = [_record(n, f"PROJECT{n}-1", n % 5, 3600) for n in range(8)]
    grid = build_grid(records, [("ana", "Ana")], WEEK, VIEWER_ZONE, WorkingTime())
    chart = BarChart()
    qtbot.addWidget(chart)
    chart.resize(320, 260)
    chart.set_data(grid, [8 * 3600] * 5 + [0, 0])
    layout = chart.chart_layout()
    assert len(layout.legend) == 9
    for _, rect in layout.legend:
        assert chart.rect().toRectF().contains(rect)
        assert not rect.intersects(layout.plot)


# -- the models ------------------------------------------------------------------------------


def test_running_cell_is_accented_readable_and_says_running(qtbot) -> None:
    grid = build_grid(
        [_record(1, "APP-1", 0, 3600), _record(2, "APP-1", 2, 1500, "running")],
        [("ana", "Ana")],
        WEEK,
        VIEWER_ZONE,
        WorkingTime(),
    )
    model = MyWeekModel()
    QAbstractItemModelTester(model, FAIL)
    model.set_grid(grid, {"APP-1": "Build it"}, [8 * 3600] * 5 + [0, 0])
    running = model.index(0, WeekColumn.FIRST_DAY + 2)
    assert model.data(running) == "25m running"
    assert model.data(running, WeekRole.SECONDS) == 1500
    background = model.data(running, Qt.ItemDataRole.BackgroundRole)
    foreground = model.data(running, Qt.ItemDataRole.ForegroundRole)
    assert isinstance(background, QBrush)
    assert isinstance(foreground, QBrush)
    assert background.color().hsvSaturationF() > 0.3  # a colour, not grey
    assert contrast(background.color(), foreground.color()) >= 4.5
    synced = model.index(0, WeekColumn.FIRST_DAY)
    assert model.data(synced) == "1h"


def test_team_issue_rows_show_key_and_summary(qtbot) -> None:
    grid = build_grid(
        [_record(1, "APP-1", 0, 3600)], [("ana", "Ana")], WEEK, VIEWER_ZONE, WorkingTime()
    )
    model = TeamModel()
    QAbstractItemModelTester(model, FAIL)
    model.set_grid(grid, {"APP-1": "<b>Build</b> it"})
    ana = model.index(0, 0)
    issue = model.index(0, WeekColumn.LABEL, ana)
    assert model.data(issue) == "APP-1  <b>Build</b> it"  # text, shown as text by the view
    assert model.data(issue, WeekRole.ISSUE_KEY) == "APP-1"
    assert model.data(model.index(0, WeekColumn.TOTAL, ana), WeekRole.SECONDS) == 3600


# -- the window ------------------------------------------------------------------------------


def test_export_defaults_to_documents_then_says_where_it_saved(
    qtbot, window: TimesheetWindow, tmp_path: Path, monkeypatch
) -> None:
    asked: list[str] = []
    target = tmp_path / "out" / "week.csv"
    target.parent.mkdir()

    def save_name(_parent, _title, default, _filter):  # type: ignore[no-untyped-def]
        asked.append(default)
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_name))
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(opened.append))
    window.toolbar.export_csv.trigger()
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert Path(asked[0]).parent == Path(documents)
    assert Path(asked[0]).name == "timesheet-2026-W11.csv"
    bar = window.saved_bar
    qtbot.waitUntil(lambda: target.exists() and not bar.isHidden())
    assert str(target) in bar.message.text()
    assert target.read_text().splitlines()[0].startswith("Person,Issue")
    bar.open_folder.click()
    assert opened == [QUrl.fromLocalFile(str(target.parent))]
    window.toolbar.export_xlsx.trigger()  # the next export starts where the last one went
    assert Path(asked[1]).parent == target.parent
    assert Path(asked[1]).suffix == ".xlsx"


def test_export_failure_is_reported_not_swallowed(
    qtbot, window: TimesheetWindow, tmp_path: Path
) -> None:
    window.export(".csv", tmp_path / "missing-folder" / "week.csv")
    qtbot.waitUntil(lambda: not window.saved_bar.isHidden())
    assert "Could not save" in window.saved_bar.message.text()
    assert window.saved_bar.open_folder.isHidden()


def test_team_tab_without_a_team_says_what_to_do(
    qtbot, window: TimesheetWindow, services: AppServices, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    window.show()
    window.tabs.setCurrentWidget(window.team)
    team = window.team
    qtbot.waitUntil(lambda: team.teams_read)
    assert team.choice.count() == 0
    assert team.empty_hint.isVisible()
    assert "Jira group…" in team.empty_hint.text()
    assert "People…" in team.empty_hint.text()
    assert not team.view.isVisible()


def test_team_tab_opens_a_saved_team_and_labels_groups_readably(
    qtbot, services: AppServices, runner, jira: FakeJira, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=UTC))
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    services.timesheets.resolve_team(group="team-a")
    window = TimesheetWindow(services, runner, services.timesheets)
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.team)
    team = window.team
    qtbot.waitUntil(lambda: team.choice.count() == 1)
    label = team.choice.itemText(0)
    assert "group:" not in label
    assert label == "team-a (Jira group, 2 people)"
    assert not team.empty_hint.isVisible()
    qtbot.waitUntil(lambda: team.week is not None and not team.loading, timeout=5000)
    assert team.model.rowCount() == 2
    assert team.view.isVisible()


def test_people_search_without_a_match_says_so_and_stays_usable(
    qtbot, window: TimesheetWindow, services: AppServices, jira: FakeJira
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    window.team.show_signed_in()
    qtbot.waitUntil(window.team.people_button.isEnabled)
    window.team.people_button.click()
    dialog = window.team.people_dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.query.setText("nobody-like-this")
    dialog.search_button.click()
    qtbot.waitUntil(lambda: "No one" in dialog.status.text(), timeout=5000)
    assert "nobody-like-this" in dialog.status.text()
    assert dialog.isVisible()
    assert dialog.query.isEnabled()
    assert dialog.search_button.isEnabled()
    assert not dialog.save_button.isEnabled()
    dialog.query.setText("bob")
    dialog.search_button.click()
    qtbot.waitUntil(lambda: dialog.results.count() == 1, timeout=5000)
    dialog.results.item(0).setCheckState(Qt.CheckState.Checked)
    dialog.name.setText("Builders")
    assert dialog.save_button.isEnabled()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: window.team.choice.count() == 1, timeout=5000)
    assert window.team.choice.itemText(0) == "Builders (1 person)"
    assert not dialog.isVisible()


def test_earlier_week_pulls_in_my_worklogs_made_elsewhere_once(
    qtbot, window: TimesheetWindow, services: AppServices, runner, jira: FakeJira, monkeypatch
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com")
    started = int(datetime(2026, 3, 3, 8, 0, tzinfo=UTC).timestamp() * 1000)
    jira.add_worklog("PROJ-2", "acc-alice", started, 5400, "from the web")
    calls: list[tuple[date, date]] = []
    real = services.sync.import_worklogs

    def counting(account: str | None, first: date, last: date) -> int:
        calls.append((first, last))
        return real(account, first, last)

    monkeypatch.setattr(services.sync, "import_worklogs", counting)
    model = window.my_week.model
    window.toolbar.previous.trigger()
    qtbot.waitUntil(
        lambda: any(model.issue_at(r) == "PROJ-2" for r in range(model.rowCount())),
        timeout=5000,
    )
    assert calls == [(date(2026, 3, 2), date(2026, 3, 8))]
    row = next(r for r in range(model.rowCount()) if model.issue_at(r) == "PROJ-2")
    assert model.data(model.index(row, WeekColumn.FIRST_DAY + 1), WeekRole.SECONDS) == 5400
    window.toolbar.next.trigger()
    window.toolbar.previous.trigger()  # the same week again in this session: no second import
    window.toolbar.this_week.trigger()  # the current week is kept current by the sync itself
    qtbot.waitUntil(lambda: not runner._pending)
    assert len(calls) == 1


@pytest.fixture
def dark_palette(qapp):  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    before = qapp.palette()
    dark = QPalette(before)
    for role, colour in [
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.WindowText, "#e6e6e6"),
    ]:
        dark.setColor(role, QColor(colour))
    qapp.setPalette(dark)
    yield dark
    qapp.setPalette(before)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_state_cells_and_totals_stay_readable_in_light_and_dark_themes(
    qtbot, request, theme: str
) -> None:
    from PySide6.QtGui import QGuiApplication, QPalette

    if theme == "dark":
        request.getfixturevalue("dark_palette")
    base = QGuiApplication.palette().color(QPalette.ColorRole.Base)
    states = ["pending", "failed", "conflict", "remote", "too_short", "running", "synced"]
    records = [_record(n, f"S-{n}", n % 5, 3600, state) for n, state in enumerate(states)]
    grid = build_grid(records, [("ana", "Ana")], WEEK, VIEWER_ZONE, WorkingTime())
    model = MyWeekModel()
    model.set_grid(grid, {}, [8 * 3600] * 5 + [0, 0])
    for row in range(model.rowCount() - 1):
        for column in range(WeekColumn.FIRST_DAY, WeekColumn.LAST_DAY + 1):
            index = model.index(row, column)
            background = model.data(index, Qt.ItemDataRole.BackgroundRole)
            if background is None:
                continue
            foreground = model.data(index, Qt.ItemDataRole.ForegroundRole)
            assert foreground is not None, model.data(index, WeekRole.STATE)
            assert contrast(background.color(), foreground.color()) >= 4.5
    totals = model.rowCount() - 1
    under = model.data(model.index(totals, WeekColumn.FIRST_DAY), Qt.ItemDataRole.ForegroundRole)
    assert contrast(under.color(), base) >= 4.5


def test_the_window_reads_the_store_only_off_the_gui_thread(
    qtbot, services: AppServices, runner, clock: FakeClock, monkeypatch
) -> None:
    import threading

    clock.set(datetime(2026, 3, 11, 15, 0, tzinfo=UTC))
    services.tracker.log_time("A-1", 3600, day=WEEK[0], start_time=time(9, 0))
    on_gui: list[str] = []
    watched = [
        (services.timesheets, ["teams", "first_weekday", "working_time", "my_week", "summaries"]),
        (services.accounts, ["accounts"]),
        (services.tracker, ["entries", "running", "edit"]),
    ]
    for owner, names in watched:
        for name in names:
            real = getattr(owner, name)

            def spy(*args, _real=real, _name=name, **kwargs):  # type: ignore[no-untyped-def]
                if threading.current_thread() is threading.main_thread():
                    on_gui.append(_name)
                return _real(*args, **kwargs)

            monkeypatch.setattr(owner, name, spy)
    window = TimesheetWindow(services, runner, services.timesheets)
    qtbot.addWidget(window)
    window.show()
    window.toolbar.previous.trigger()
    window.toolbar.this_week.trigger()
    window.tabs.setCurrentWidget(window.timeline)
    window.timeline.set_week_mode(True)
    window._tick()
    qtbot.waitUntil(lambda: window.my_week.grid is not None and window.team.teams_read)
    qtbot.waitUntil(lambda: len(window.timeline.timeline.blocks()) == 1)
    qtbot.waitUntil(lambda: not runner._pending)
    assert on_gui == []
