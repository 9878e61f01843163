from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.durations import format_duration, parse_duration
from clockwork_desktop.core.errors import InputError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30m", 5400),
        ("1h30", 5400),
        ("2h5", 7500),
        ("1h 30", 5400),
        ("1,5h", 5400),
        ("0,25h", 900),
        ("1h 30m", 5400),
        ("90m", 5400),
        ("1.5h", 5400),
        ("1:30", 5400),
        ("2h15m30s", 8130),
        ("90", 5400),
        ("45", 2700),
        (" 2H ", 7200),
        ("0:45", 2700),
        ("1:02:03", 3723),
        ("30s", 30),
    ],
)
def test_accepted_forms(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "abc", "1x", "h", "1h75", "1h5m5", "-5m", "1:75", "1.5.5h", "3d"]
)
def test_refused_forms_list_what_is_accepted(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_duration(text)
    message = str(info.value)
    assert repr(text) in message
    assert "1h30m" in message
    assert "1:30" in message


@pytest.mark.parametrize(("text", "reason"), [("0", "zero"), ("0m", "zero"), ("200h", "7 days")])
def test_out_of_range_durations_say_why(text: str, reason: str) -> None:
    with pytest.raises(InputError, match=reason):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5400, "1h 30m"), (3600, "1h"), (60, "1m"), (45, "45s"), (0, "0s"), (7260, "2h 1m")],
)
def test_format(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=1, max_value=7 * 24 * 60))
def test_formatted_minutes_parse_back(minutes: int) -> None:
    seconds = minutes * 60
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.integers(min_value=0, max_value=167), st.integers(min_value=0, max_value=59))
def test_all_spellings_agree(hours: int, minutes: int) -> None:
    if hours == 0 and minutes == 0:
        return
    expected = hours * 3600 + minutes * 60
    spellings = [
        f"{hours}h{minutes}m",
        f"{hours}h {minutes}m",
        f"{hours}:{minutes:02d}",
        f"{hours * 60 + minutes}m",
        f"{hours * 60 + minutes}",
    ]
    for text in spellings:
        assert parse_duration(text) == expected, text


@given(st.text(max_size=12))
def test_anything_either_parses_or_raises_input_error(text: str) -> None:
    try:
        value = parse_duration(text)
    except InputError:
        return
    assert 0 < value <= 7 * 24 * 3600
