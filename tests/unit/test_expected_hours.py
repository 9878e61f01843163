"""Expected hours follow the working hours as Settings has them: per-day hours and holidays."""

from __future__ import annotations

from datetime import date, time

from clockwork_desktop.core.timesheet import WorkingTime


def test_expected_hours_honour_short_days_and_holidays() -> None:
    working = WorkingTime(
        time(9, 0),
        time(17, 0),
        frozenset({0, 1, 2, 3, 4}),
        day_hours=((4, time(9, 0), time(13, 0)),),
        holidays=frozenset({date(2026, 12, 24)}),
    )
    assert working.expected_seconds(date(2026, 12, 21)) == 8 * 3600  # Monday
    assert working.expected_seconds(date(2026, 12, 24)) == 0  # a holiday, a Thursday
    assert working.expected_seconds(date(2026, 12, 25)) == 4 * 3600  # Friday, short
    assert working.expected_seconds(date(2026, 12, 26)) == 0  # Saturday
