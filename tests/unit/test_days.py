from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clockwork_desktop.core.days import split_into_days, start_of_local_day

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "UTC",
]

instants = st.datetimes(min_value=datetime(2019, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)


@settings(max_examples=300)
@given(st.sampled_from(ZONES), instants, st.integers(min_value=0, max_value=4 * 24 * 3600))
def test_segments_cover_span_exactly_one_local_day_each(
    zone_name: str, start: datetime, length: int
) -> None:
    zone = ZoneInfo(zone_name)
    end = start + timedelta(seconds=length)
    segments = split_into_days(start, end, zone)
    if length == 0:
        assert segments == []
        return
    # Contiguous, no time created or lost.
    assert segments[0].start == start
    assert segments[-1].end == end
    for a, b in itertools.pairwise(segments):
        assert a.end == b.start
        assert b.day == a.day + timedelta(days=1)
    assert sum(s.seconds for s in segments) == length
    for seg in segments:
        assert seg.seconds > 0
        # Every instant of the segment lies on its local day.
        assert seg.start.astimezone(zone).date() == seg.day
        assert (seg.end - timedelta(seconds=1)).astimezone(zone).date() == seg.day


@given(st.sampled_from(ZONES), st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)))
def test_day_start_is_first_instant_of_the_day(zone_name: str, day: date) -> None:
    zone = ZoneInfo(zone_name)
    start = start_of_local_day(day, zone)
    assert start.astimezone(zone).date() == day
    assert (start - timedelta(seconds=1)).astimezone(zone).date() == day - timedelta(days=1)


@pytest.mark.parametrize(
    ("zone_name", "day", "hours"),
    [
        ("Europe/Berlin", date(2026, 3, 29), 23),  # spring forward
        ("Europe/Berlin", date(2026, 10, 25), 25),  # fall back
        ("America/New_York", date(2026, 3, 8), 23),
        ("Australia/Lord_Howe", date(2026, 4, 5), 24.5),  # half-hour DST
        ("Asia/Kolkata", date(2026, 3, 29), 24),
    ],
)
def test_day_lengths_across_dst(zone_name: str, day: date, hours: float) -> None:
    zone = ZoneInfo(zone_name)
    start = start_of_local_day(day, zone)
    end = start_of_local_day(day + timedelta(days=1), zone)
    (segment,) = split_into_days(start, end, zone)
    assert segment.seconds == hours * 3600


def test_midnight_split_in_kolkata() -> None:
    zone = ZoneInfo("Asia/Kolkata")
    start = datetime(2026, 3, 9, 23, 0, tzinfo=zone).astimezone(UTC)
    end = datetime(2026, 3, 10, 1, 30, tzinfo=zone).astimezone(UTC)
    first, second = split_into_days(start, end, zone)
    assert (first.day, first.seconds) == (date(2026, 3, 9), 3600)
    assert (second.day, second.seconds) == (date(2026, 3, 10), 5400)
