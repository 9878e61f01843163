"""Where time logged without a start time goes: the latest free stretch that fits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.timer import latest_free_start

LO = datetime(2026, 3, 9, tzinfo=UTC)
HI = LO + timedelta(hours=12)
MINUTES = st.integers(min_value=0, max_value=12 * 60)


@given(
    busy=st.lists(st.tuples(MINUTES, st.integers(min_value=1, max_value=300)), max_size=8),
    length=st.integers(min_value=1, max_value=6 * 60),
)
def test_the_slot_is_free_and_no_later_one_is(busy: list[tuple[int, int]], length: int) -> None:
    spans = [(LO + timedelta(minutes=s), LO + timedelta(minutes=s + d)) for s, d in busy]
    need = timedelta(minutes=length)
    start = latest_free_start(spans, LO, HI, need)

    def free(at: datetime) -> bool:
        return at >= LO and at + need <= HI and all(e <= at or s >= at + need for s, e in spans)

    later = [LO + timedelta(minutes=m) for m in range(12 * 60 + 1)]
    if start is None:
        assert not any(free(at) for at in later)
    else:
        assert free(start)
        assert not any(free(at) for at in later if at > start)
