"""The per-day worklog state survives the database, and rows of earlier versions still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.worklog_state import LEGACY_UPDATE_START, DayWorklog, SentWrite
from clockwork_desktop.infra.db.worklog_codec import decode, encode

instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
days = st.dictionaries(
    st.dates().map(lambda d: d.isoformat()),
    st.builds(
        DayWorklog,
        issue=st.from_regex(r"[A-Z]{1,4}-[1-9][0-9]{0,3}", fullmatch=True),
        worklog_id=st.none() | st.from_regex(r"[1-9][0-9]{0,8}", fullmatch=True),
        updated=st.none() | instants,
        sent=st.none()
        | st.builds(
            SentWrite,
            instants.map(lambda d: d.replace(microsecond=0)),
            st.none() | st.integers(60, 10**6),
            st.none() | st.text(max_size=20),
            st.none() | st.integers(1, 99),
        ),
        gone=st.booleans(),
        force=st.booleans(),
        tagged=st.booleans(),
    ),
    max_size=4,
)


@given(days)
def test_round_trip(state: dict[str, DayWorklog]) -> None:
    ids, meta = encode(state)
    assert decode(ids, meta, "X-1") == state
    assert json.loads(ids) == {d: w.worklog_id for d, w in state.items() if w.worklog_id}


def test_rows_of_earlier_versions_read_as_typed_values() -> None:
    lost_ms = int(datetime(2026, 3, 5, 8, 0, tzinfo=UTC).timestamp() * 1000)
    ids = json.dumps({"2026-03-05": f"?{lost_ms}", "2026-03-06": "100"})
    meta = json.dumps(
        {
            "2026-03-06": {
                "issue": "B-2",
                "updated": "2026-03-06T11:00:00.000+0100",
                "gone": "1",
                "force": "1",
                "sent_rev": "3",
            }
        }
    )
    state = decode(ids, meta, "A-1")
    assert state["2026-03-05"] == DayWorklog(
        "A-1", None, sent=SentWrite(datetime(2026, 3, 5, 8, 0, tzinfo=UTC), None, None)
    )
    assert state["2026-03-06"] == DayWorklog(
        "B-2",
        "100",
        updated=datetime(2026, 3, 6, 10, 0, tzinfo=UTC),
        sent=SentWrite(LEGACY_UPDATE_START, None, None, 3),
        gone=True,
        force=True,
    )
    assert state["2026-03-06"].updated == datetime(2026, 3, 6, 11, 0, tzinfo=UTC) - timedelta(
        hours=1
    )
