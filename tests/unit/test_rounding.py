from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.rounding import (
    ALLOWED_STEPS_MIN,
    RoundingMode,
    RoundingPolicy,
    is_loggable,
)

steps = st.sampled_from(ALLOWED_STEPS_MIN)
seconds = st.integers(min_value=1, max_value=48 * 3600)


@given(seconds)
def test_none_keeps_seconds(s: int) -> None:
    assert RoundingPolicy().apply(s) == s


@given(steps, seconds)
def test_up_is_smallest_multiple_at_or_above(step: int, s: int) -> None:
    out = RoundingPolicy(RoundingMode.UP, step).apply(s)
    assert out % (step * 60) == 0
    assert s <= out < s + step * 60


@given(steps, seconds)
def test_nearest_is_within_half_a_step(step: int, s: int) -> None:
    out = RoundingPolicy(RoundingMode.NEAREST, step).apply(s)
    assert out % (step * 60) == 0
    assert abs(out - s) <= step * 30


@given(steps, seconds, seconds)
def test_rounding_is_monotonic(step: int, a: int, b: int) -> None:
    for mode in RoundingMode:
        policy = RoundingPolicy(mode, step)
        lo, hi = sorted((a, b))
        assert policy.apply(lo) <= policy.apply(hi)


def test_examples() -> None:
    assert RoundingPolicy(RoundingMode.UP, 15).apply(61) == 900
    assert RoundingPolicy(RoundingMode.NEAREST, 15).apply(7 * 60 + 29) == 0
    assert RoundingPolicy(RoundingMode.NEAREST, 15).apply(7 * 60 + 30) == 900
    assert RoundingPolicy(RoundingMode.UP, 1).apply(30) == 60


def test_minimum() -> None:
    assert not is_loggable(59)
    assert is_loggable(60)


@pytest.mark.parametrize(
    ("text", "policy"),
    [
        ("none", RoundingPolicy()),
        ("up:15", RoundingPolicy(RoundingMode.UP, 15)),
        ("NEAREST:5", RoundingPolicy(RoundingMode.NEAREST, 5)),
    ],
)
def test_parse(text: str, policy: RoundingPolicy) -> None:
    assert RoundingPolicy.parse(text) == policy
    assert RoundingPolicy.parse(policy.describe()) == policy


@pytest.mark.parametrize("text", ["up:7", "sideways", "up:x", "nearest:0"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(InputError):
        RoundingPolicy.parse(text)
