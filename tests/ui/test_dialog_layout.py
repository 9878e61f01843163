"""Dialogs that fit their contents: width, the error line, dates people read, times they type."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.core.models import AwayPeriod
from clockwork_desktop.ui.dialogs import AwayDialog, EditEntryDialog, LogTimeDialog
from tests.conftest import FakeClock
from tests.ui.test_dialogs import ok_button

MIN_WIDTH_PX = 360


@pytest.fixture
def locale() -> Iterator[None]:
    before = QLocale()
    yield
    QLocale.setDefault(before)


def _fits(label: QLabel) -> bool:
    """A wrapped label shown at the height its text needs (not clipped)."""
    return label.height() >= label.heightForWidth(label.width())


def _show_error(qtbot, dialog: QDialog, error: QLabel, before: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    """The error line is shown whole and no field lost height to make room for it."""
    qtbot.waitUntil(error.isVisible, timeout=2000)
    qtbot.waitUntil(lambda: _fits(error), timeout=2000)
    assert {field: field.height() for field in before} == before


def _heights(dialog: QDialog) -> dict:  # type: ignore[type-arg]
    fields = dialog.findChildren(QLineEdit, options=Qt.FindChildOption.FindDirectChildrenOnly)
    assert fields
    return {field: field.height() for field in fields}


def test_log_time_is_wide_enough_and_grows_for_its_error(qtbot, services: AppServices) -> None:
    dialog = LogTimeDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() >= MIN_WIDTH_PX
    height = dialog.height()
    dialog.issue.setText("PROJ-1")
    dialog.duration.setText("25h")
    before = _heights(dialog)
    ok_button(dialog).click()
    _show_error(qtbot, dialog, dialog.error, before)
    assert "24h" in dialog.error.text()
    assert dialog.height() > height


def test_other_dialogs_grow_for_their_error(qtbot, services: AppServices, clock: FakeClock) -> None:
    entry = services.tracker.log_time("A-1", 3600, day=date(2026, 3, 9), start_time=time(9, 0))
    services.tracker.log_time("A-2", 3600, day=date(2026, 3, 9), start_time=time(11, 0))
    edit = EditEntryDialog(services, entry)
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.width() >= MIN_WIDTH_PX
    edit.end.setDateTime(edit.end.dateTime().addSecs(3 * 3600))  # runs into A-2
    before = _heights(edit)
    edit.save_button.click()
    _show_error(qtbot, edit, edit.error, before)

    running = services.tracker.start("B-1").started
    clock.advance(hours=1)
    period = AwayPeriod(running.started_at, clock.now(), "idle")
    away = AwayDialog(services, period, "B-1")
    qtbot.addWidget(away)
    away.show()
    qtbot.waitExposed(away)
    away.assign.setChecked(True)
    away.other.setText("not a key")
    before = _heights(away)
    ok_button(away).click()
    _show_error(qtbot, away, away.error, before)


def test_log_time_dates_follow_the_locale(qtbot, services: AppServices, locale) -> None:
    QLocale.setDefault(QLocale(QLocale.Language.C))
    dialog = LogTimeDialog(services)
    qtbot.addWidget(dialog)
    dialog.day.setDate(QDate(2026, 11, 30))
    assert dialog.day.text() != "30 11 2026"  # Qt's C-locale default: digits and spaces
    assert "Nov" in dialog.day.text()
    QLocale.setDefault(QLocale("de_DE"))
    german = LogTimeDialog(services)
    qtbot.addWidget(german)
    german.day.setDate(QDate(2026, 11, 30))
    assert "30.11.26" in german.day.text()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9", time(9, 0)), ("930", time(9, 30)), ("14:15", time(14, 15)), ("7.05", time(7, 5))],
)
def test_log_time_start_takes_what_people_type(
    qtbot, services: AppServices, typed: str, expected: time
) -> None:
    dialog = LogTimeDialog(services)
    qtbot.addWidget(dialog)
    dialog.issue.setText("PROJ-1")
    dialog.duration.setText("15m")
    dialog.day.setDate(QDate(2026, 3, 5))
    dialog.use_start.setChecked(True)
    dialog.start.clear()
    qtbot.keyClicks(dialog.start, typed)
    assert dialog.start.text() == typed  # the box does not rewrite what is being typed
    ok_button(dialog).click()
    assert dialog.saved is not None
    local = dialog.saved.started_at.astimezone(services.tracker.zone)
    assert local.time() == expected


def test_log_time_refuses_a_start_that_is_not_a_time(qtbot, services: AppServices) -> None:
    dialog = LogTimeDialog(services)
    qtbot.addWidget(dialog)
    dialog.issue.setText("PROJ-1")
    dialog.duration.setText("15m")
    dialog.use_start.setChecked(True)
    dialog.start.setText("25:00")
    ok_button(dialog).click()
    assert dialog.saved is None
    assert "25:00" in dialog.error.text()
