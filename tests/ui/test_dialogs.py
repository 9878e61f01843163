"""Dialogs driven like a user would: typing, clicking, and reading what they show."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import AwayPeriod
from clockwork_desktop.fakejira import FakeJira
from clockwork_desktop.ui.dialogs import AwayDialog, EditEntryDialog, EntriesDialog, LogTimeDialog
from clockwork_desktop.ui.signin import SignInDialog
from tests.conftest import FakeClock
from tests.support.jira import fill_sign_in


def ok_button(dialog) -> object:  # type: ignore[no-untyped-def]
    box = dialog.findChild(QDialogButtonBox)
    for role in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Save):
        button = box.button(role)
        if button is not None:
            return button
    raise AssertionError("no OK button")


def test_log_time_refuses_a_bad_duration_and_keeps_the_input(qtbot, services: AppServices) -> None:
    dialog = LogTimeDialog(services)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.issue, "proj-5")
    qtbot.keyClicks(dialog.duration, "1h3x")
    ok_button(dialog).click()
    assert dialog.error.isVisibleTo(dialog)
    assert "1h30m" in dialog.error.text()
    assert dialog.result() == 0
    assert dialog.issue.text() == "proj-5"
    dialog.duration.setText("1h 30m")
    assert dialog.preview.text() == "= 1h 30m"
    dialog.day.setDate(QDate(2026, 3, 5))
    dialog.use_start.setChecked(True)
    dialog.start.setText("14:00")
    ok_button(dialog).click()
    assert dialog.result() == 1
    entry = dialog.saved
    assert entry is not None
    assert entry.issue_key == "PROJ-5"
    assert entry.duration_seconds(services.tracker.now()) == 5400
    assert entry.started_at.astimezone(services.tracker.zone).time() == time(14, 0)


def test_log_time_without_a_start_fits_beside_the_running_timer(
    qtbot, services: AppServices, clock: FakeClock
) -> None:
    tracker = services.tracker
    tracker.log_time("A-1", 30 * 60)  # 14:30-15:00 in Berlin
    running = tracker.start("B-1").started
    clock.advance(minutes=10)
    dialog = LogTimeDialog(services)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.issue, "c-1")
    qtbot.keyClicks(dialog.duration, "5m")
    ok_button(dialog).click()
    assert dialog.error.text() == ""
    assert dialog.result() == 1
    assert dialog.saved is not None
    assert dialog.saved.ended_at is not None
    assert dialog.saved.ended_at.astimezone(tracker.zone).time() == time(14, 30)
    assert tracker.running() == running


def test_edit_entry_changes_end_and_reports_overlaps(qtbot, services: AppServices) -> None:
    tracker = services.tracker
    first = tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    tracker.log_time("B-1", 3600, day=date(2026, 3, 5), start_time=time(11, 0))
    dialog = EditEntryDialog(services, first)
    qtbot.addWidget(dialog)
    dialog.end.setDateTime(dialog.end.dateTime().addSecs(3 * 3600))
    ok_button(dialog).click()
    assert "would overlap" in dialog.error.text()
    assert "B-1" in dialog.error.text()
    dialog.end.setDateTime(dialog.start.dateTime().addSecs(90 * 60))
    dialog.comment.setText("fixed")
    ok_button(dialog).click()
    assert dialog.result() == 1
    edited = tracker.get(first.id)
    assert edited.duration_seconds(tracker.now()) == 5400
    assert edited.comment == "fixed"


def test_entries_dialog_lists_a_day_with_states(qtbot, services: AppServices) -> None:
    services.tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    services.tracker.log_time("B-2", 30, day=date(2026, 3, 5), start_time=time(11, 0))
    dialog = EntriesDialog(services, day=date(2026, 3, 5))
    qtbot.addWidget(dialog)
    rows = [
        [dialog.table.item(r, c).text() for c in range(dialog.table.columnCount())]
        for r in range(dialog.table.rowCount())
    ]
    assert rows[0][:6] == ["09:00", "10:00", "A-1", "1h", "1h", "pending"]
    assert rows[1][2] == "B-2"
    assert rows[1][5] == "too short to log"
    assert dialog.total.text() == "Total: 1h"
    dialog.show_day(date(2026, 3, 6))
    assert dialog.table.rowCount() == 0


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("keep", [("A-1", 100 * 60, True)]),
        ("stop", [("A-1", 60 * 60, False)]),
        ("discard", [("A-1", 60 * 60, True)]),
        ("assign", [("A-1", 60 * 60, False), ("MEET-1", 40 * 60, False), ("A-1", 0, True)]),
    ],
)
def test_away_resolver(
    qtbot, services: AppServices, clock: FakeClock, choice: str, expected: list
) -> None:
    tracker = services.tracker
    tracker.start("A-1")
    clock.advance(hours=1)
    away_start = clock.now()
    clock.advance(minutes=40)
    period = AwayPeriod(away_start, clock.now(), "idle")
    dialog = AwayDialog(services, period, "A-1")
    qtbot.addWidget(dialog)
    local = away_start.astimezone(tracker.zone).strftime("%H:%M")
    assert f"You were away from {local}" in dialog.message.text()
    assert dialog.stop.text() == f"Stop the timer at {local}"
    getattr(dialog, choice).setChecked(True)
    if choice == "assign":
        ok_button(dialog).click()
        assert (
            "Choose the issue" in dialog.error.text()
            or "Not a Jira issue key" in dialog.error.text()
        )
        qtbot.keyClicks(dialog.other, "meet-1")
    ok_button(dialog).click()
    assert dialog.result() == 1
    day = clock.now().astimezone(tracker.zone).date()
    views = tracker.entries(day - timedelta(days=1), day)
    assert [(v.entry.issue_key, v.duration_seconds, v.entry.running) for v in views] == expected


def test_away_resolver_mistyped_issue_keeps_the_timer_and_the_choice(
    qtbot, services: AppServices, clock: FakeClock
) -> None:
    tracker = services.tracker
    started = tracker.start("A-1").started
    clock.advance(hours=1)
    away_start = clock.now()
    clock.advance(minutes=40)
    dialog = AwayDialog(services, AwayPeriod(away_start, clock.now(), "idle"), "A-1")
    qtbot.addWidget(dialog)
    dialog.assign.setChecked(True)
    qtbot.keyClicks(dialog.other, "meet1")
    ok_button(dialog).click()
    assert "Not a Jira issue key" in dialog.error.text()
    assert dialog.result() == 0
    running = tracker.running()
    assert running is not None
    assert (running.id, running.started_at) == (started.id, started.started_at)
    dialog.other.setText("MEET-1")
    ok_button(dialog).click()
    assert dialog.result() == 1
    day = clock.now().astimezone(tracker.zone).date()
    keys = [(v.entry.issue_key, v.duration_seconds) for v in tracker.entries(day, day)]
    assert keys == [("A-1", 3600), ("MEET-1", 40 * 60), ("A-1", 0)]


def sign_in_dialog(qtbot, services: AppServices, runner, jira: FakeJira, token: str):  # type: ignore[no-untyped-def]
    dialog = SignInDialog(services, runner)
    qtbot.addWidget(dialog)
    dialog.url.setText(jira.base_url)
    dialog.email.setText("alice@example.com")
    dialog.token.setText(token)
    return dialog


def test_sign_in_tests_the_connection_then_signs_in(
    qtbot, services: AppServices, runner, jira: FakeJira
) -> None:
    dialog = sign_in_dialog(qtbot, services, runner, jira, "wrong")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "did not accept" in dialog.result_label.text(), timeout=5000)
    # A token that never worked has not "expired", and the message says what to check.
    assert "expired" not in dialog.result_label.text()
    assert "API token" in dialog.result_label.text()
    assert "wrong" not in dialog.result_label.text()
    dialog.token.setText("alice-token")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: "Alice Example" in dialog.result_label.text(), timeout=5000)
    assert services.accounts.accounts() == []  # testing saves nothing
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: dialog.choice == "signed_in", timeout=5000)
    assert [a.display_name for a in services.accounts.accounts()] == ["Alice Example"]
    assert dialog.token.echoMode() == dialog.token.EchoMode.Password


def test_sign_in_to_a_mistyped_address_says_to_check_it(
    qtbot, services: AppServices, runner
) -> None:
    dialog = SignInDialog(services, runner)
    qtbot.addWidget(dialog)
    fill_sign_in(dialog, "http://127.0.0.1:9")  # nothing listens there
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: "Cannot reach" in dialog.result_label.text(), timeout=5000)
    text = dialog.result_label.text()
    assert "check the address" in text.lower()
    assert "sent later" not in text  # nothing was saved: there is nothing to send later
    assert services.accounts.accounts() == []


def test_labels_from_jira_are_plain_text(qtbot, services: AppServices, clock: FakeClock) -> None:
    services.tracker.start("A-1")
    clock.advance(hours=1)
    period = AwayPeriod(clock.now() - timedelta(minutes=5), clock.now(), "sleep")
    dialog = AwayDialog(services, period, "<b>A-1</b>")
    qtbot.addWidget(dialog)
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText


def test_sign_in_refuses_a_token_with_control_characters(
    qtbot, services: AppServices, runner, jira: FakeJira
) -> None:
    dialog = sign_in_dialog(qtbot, services, runner, jira, "alice-token\x1b[2Js3cret")
    dialog.sign_in_button.click()
    qtbot.waitUntil(lambda: "control character" in dialog.result_label.text(), timeout=5000)
    assert "s3cret" not in dialog.result_label.text()
    assert jira.count() == 0
    assert services.accounts.accounts() == []
