"""The Settings dialog's automatic timers and working hours: what is shown is what is stored,
saved with everything else in one transaction, each problem on its own field."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QTime

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.settings import SettingsDialog
from tests.ui.test_settings_dialog import open_dialog, save_and_wait


def auto_tab(dialog: SettingsDialog) -> None:
    dialog.tabs.setCurrentWidget(dialog.auto_tab)


def test_every_automatic_setting_is_saved_in_one_go(
    qtbot, services: AppServices, runner, jira: FakeJira, tmp_path: Path
) -> None:
    services.accounts.login(jira.base_url, "alice-token", email="alice@example.com", name="a")
    services.accounts.login(jira.base_url, "bob-token", email="bob@example.com", name="b")
    repo = tmp_path / "shop"
    (repo / ".git").mkdir(parents=True)
    dialog = open_dialog(qtbot, services, runner)
    page = dialog.auto_page
    page.choose_folder = lambda: str(repo)
    auto_tab(dialog)
    assert [page.jira_accounts.item(i).text() for i in range(2)] == ["a", "b"]
    assert not page.statuses.isEnabled(), "the In Progress category until names are chosen"
    page.set_jira_on("a", True)
    page.status_rule.setCurrentIndex(1)
    assert page.statuses.isEnabled()
    page.statuses.setText("Doing, Code review")
    page.on_conflict.setCurrentIndex(page.on_conflict.findData("switch"))
    page.transition.setCurrentIndex(page.transition.findData("offer"))
    page.add_repo_button.click()
    assert page.repo_paths() == [str(repo)]
    page.branch.setCurrentIndex(page.branch.findData("switch"))
    page.long_timer.setValue(8)
    save_and_wait(qtbot, dialog)
    saved = services.store.load_settings()
    assert saved.auto.jira == (("a", True), ("b", False))
    assert saved.auto.active_statuses == ("Doing", "Code review")
    assert (saved.auto.on_conflict, saved.auto.transition) == ("switch", "offer")
    assert (saved.auto.repos, saved.auto.branch) == ((str(repo),), "switch")
    assert saved.long_timer_hours == 8
    assert services.preferences.jira_enabled("a")
    assert services.store.get_setting("auto:cursor:a") is not None, "no old change replayed"
    again = open_dialog(qtbot, services, runner)
    assert again.auto_page.jira_on("a")
    assert not again.auto_page.jira_on("b")
    assert again.auto_page.statuses.text() == "Doing, Code review"
    assert again.auto_page.repo_paths() == [str(repo)]


def test_a_folder_without_git_is_refused_on_its_field_and_remove_works(
    qtbot, services: AppServices, runner, tmp_path: Path
) -> None:
    plain = tmp_path / "photos"
    plain.mkdir()
    repo = tmp_path / "shop"
    (repo / ".git").mkdir(parents=True)
    dialog = open_dialog(qtbot, services, runner)
    page = dialog.auto_page
    auto_tab(dialog)
    page.choose_folder = lambda: str(plain)
    page.add_repo_button.click()
    assert page.repo_paths() == []
    label = dialog.field_errors["auto:repos"]
    assert label.isVisibleTo(dialog)
    assert "not a git repository" in label.text()
    assert "command" not in label.text().lower(), "no GUI user is sent to the command line"
    page.choose_folder = lambda: str(repo)
    page.add_repo_button.click()
    assert not label.isVisibleTo(dialog), "a good folder clears the message"
    page.choose_folder = lambda: ""  # the chooser was cancelled
    page.add_repo_button.click()
    assert page.repo_paths() == [str(repo)]
    assert not page.remove_repo_button.isEnabled() or page.repos.currentRow() == 0
    page.repos.setCurrentRow(0)
    page.remove_repo_button.click()
    assert page.repo_paths() == []


def test_no_account_says_where_to_sign_in(qtbot, services: AppServices, runner) -> None:
    dialog = open_dialog(qtbot, services, runner)
    page = dialog.auto_page
    assert page.jira_accounts.count() == 0
    assert "Accounts tab" in page.jira_hint.text()


def test_empty_status_names_are_refused_on_their_field(
    qtbot, services: AppServices, runner
) -> None:
    dialog = open_dialog(qtbot, services, runner)
    page = dialog.auto_page
    page.status_rule.setCurrentIndex(1)
    page.statuses.setText(" , ")
    dialog.tabs.setCurrentIndex(0)
    dialog.save_button.click()
    label = dialog.field_errors["auto:active_statuses"]
    assert label.isVisibleTo(dialog)
    assert dialog.tabs.currentWidget() is dialog.auto_tab, "the tab with the bad field is shown"
    assert dialog.result() == 0
    page.statuses.setText("Doing")
    assert not label.isVisibleTo(dialog)
    save_and_wait(qtbot, dialog)
    assert services.store.load_settings().auto.active_statuses == ("Doing",)


def test_hours_per_weekday_and_holidays(qtbot, services: AppServices, runner) -> None:
    dialog = open_dialog(qtbot, services, runner)
    hours = dialog.hours_page
    dialog.tabs.setCurrentWidget(hours)
    assert [box.isChecked() for box in hours.days] == [True] * 5 + [False] * 2
    assert not hours.starts[5].isEnabled(), "no hours on a day off"
    hours.ends[4].setTime(QTime(13, 0))  # short Fridays
    hours.days[5].setChecked(True)
    hours.starts[5].setTime(QTime(10, 0))
    hours.ends[5].setTime(QTime(12, 0))
    hours.holiday.setDate(QDate(2026, 4, 6))
    hours.add_holiday_button.click()
    hours.holiday.setDate(QDate(2026, 4, 6))
    hours.add_holiday_button.click()  # the same day twice is kept once
    assert hours.holiday_dates() == [date(2026, 4, 6)]
    save_and_wait(qtbot, dialog)
    saved = services.store.load_settings()
    assert (saved.work_start, saved.work_end) == (time(9), time(17))
    assert saved.work_days == (0, 1, 2, 3, 4, 5)
    assert saved.day_hours == ((4, time(9), time(13)), (5, time(10), time(12)))
    assert saved.holidays == (date(2026, 4, 6),)
    assert not services.preferences.hours().span_on(date(2026, 4, 6), services.tracker.zone)
    again = open_dialog(qtbot, services, runner)
    assert again.hours_page.ends[4].time() == QTime(13, 0)
    assert again.hours_page.holiday_dates() == [date(2026, 4, 6)]
    again.hours_page.holidays.setCurrentRow(0)
    again.hours_page.remove_holiday_button.click()
    save_and_wait(qtbot, again)
    assert services.store.load_settings().holidays == ()


@pytest.mark.parametrize("day", [0, 3])
def test_a_day_that_ends_before_it_starts_is_named(
    qtbot, services: AppServices, runner, day: int
) -> None:
    dialog = open_dialog(qtbot, services, runner)
    hours = dialog.hours_page
    hours.ends[day].setTime(QTime(8, 0))
    dialog.save_button.click()
    label = dialog.field_errors["day_hours"]
    assert label.isVisibleTo(dialog)
    assert "09:00 to 08:00" in label.text()
    assert ("Monday" if day == 0 else "Thursday") in label.text()
    assert dialog.tabs.currentWidget() is hours
    hours.ends[day].setTime(QTime(17, 0))
    assert not label.isVisibleTo(dialog)
