"""What the automatic timers and guards keep between runs survives the database as typed values,
rows written by earlier versions read as the same values, and a damaged row reads as none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from clockwork_desktop.core.attention import PendingResume, PollCursor, Suggestion
from clockwork_desktop.infra.db.auto_state import AutoStateStore
from clockwork_desktop.infra.db.store import SqliteStore

BERLIN_WINTER = timezone(timedelta(hours=1))
instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
keys = st.from_regex(r"[A-Z]{1,4}-[1-9][0-9]{0,3}", fullmatch=True)
cursors = st.builds(
    PollCursor,
    instants,
    st.dictionaries(keys, instants, max_size=4),
    st.frozensets(keys, max_size=4),
)


def test_a_poll_cursor_round_trips_through_the_database(store: SqliteStore) -> None:
    state = AutoStateStore(store)
    assert state.poll_cursor("cloud") is None

    @given(cursors)
    def round_trip(cursor: PollCursor) -> None:
        state.set_poll_cursor("cloud", cursor)
        assert state.poll_cursor("cloud") == cursor

    round_trip()
    assert state.poll_cursor("dc") is None  # one cursor per account


def test_the_other_state_round_trips(store: SqliteStore) -> None:
    state = AutoStateStore(store)
    at = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    assert state.pending_resume() is None
    state.set_pending_resume(PendingResume("PROJ-1", "cloud", at))
    assert state.pending_resume() == PendingResume("PROJ-1", "cloud", at)
    state.set_pending_resume(PendingResume("PROJ-2", None, at))
    assert state.pending_resume() == PendingResume("PROJ-2", None, at)
    state.set_pending_resume(None)
    assert state.pending_resume() is None

    assert state.suggestion() is None
    state.set_suggestion(Suggestion("PROJ-7", "PROJ-7-fix", "/r"))
    assert state.suggestion() == Suggestion("PROJ-7", "PROJ-7-fix", "/r")
    state.set_suggestion(None)
    assert state.suggestion() is None

    assert state.branches_seen() == {}
    state.set_branches_seen({"/r": "main", "/s": None})
    assert state.branches_seen() == {"/r": "main", "/s": None}

    assert state.answered_guards() == []
    state.set_answered_guards([(3, "long"), (4, "midnight")])
    assert state.answered_guards() == [(3, "long"), (4, "midnight")]


def test_rows_written_by_the_earlier_version_read_as_typed_values(store: SqliteStore) -> None:
    store.set_setting(
        "auto:cursor:cloud",
        {
            "polled": "2026-03-09T10:00:00+01:00",
            "seen": {"PROJ-1": "2026-03-09T09:58:12.345000+01:00"},
            "active": ["PROJ-1", "PROJ-2"],
        },
    )
    store.set_setting(
        "auto:resume", {"key": "PROJ-1", "account": "cloud", "after": "2026-03-09T17:00:00+00:00"}
    )
    store.set_setting("auto:suggested", {"key": "PROJ-7", "branch": "PROJ-7-x", "repo": "/r"})
    store.set_setting("auto:branch_seen", {"/r": "PROJ-7-x"})
    store.set_setting("auto:guard_answered", [[3, "long"]])
    state = AutoStateStore(store)
    assert state.poll_cursor("cloud") == PollCursor(
        datetime(2026, 3, 9, 10, 0, tzinfo=BERLIN_WINTER),
        {"PROJ-1": datetime(2026, 3, 9, 9, 58, 12, 345000, tzinfo=BERLIN_WINTER)},
        frozenset({"PROJ-1", "PROJ-2"}),
    )
    assert state.pending_resume() == PendingResume(
        "PROJ-1", "cloud", datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
    )
    assert state.suggestion() == Suggestion("PROJ-7", "PROJ-7-x", "/r")
    assert state.branches_seen() == {"/r": "PROJ-7-x"}
    assert state.answered_guards() == [(3, "long")]


def test_a_damaged_row_reads_as_none_and_is_replaced_by_the_next_write(
    store: SqliteStore,
) -> None:
    state = AutoStateStore(store)
    for damaged in ({"polled": "yesterday"}, ["x"], {"seen": {}}, "2026", 7):
        store.set_setting("auto:cursor:cloud", damaged)
        assert state.poll_cursor("cloud") is None
    store.set_setting("auto:cursor:cloud", {"polled": "2026-03-09T10:00:00+00:00", "seen": [1]})
    assert state.poll_cursor("cloud") is None
    store.set_setting("auto:resume", {"key": "PROJ-1", "after": 5})
    assert state.pending_resume() is None
    store.set_setting("auto:suggested", {"branch": "x"})
    assert state.suggestion() is None
    store.set_setting("auto:branch_seen", ["/r"])
    assert state.branches_seen() == {}
    store.set_setting("auto:guard_answered", [[3, "sometime"], "x", [4, "long"]])
    assert state.answered_guards() == [(4, "long")]
    at = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    state.set_poll_cursor("cloud", PollCursor.fresh(at))
    assert state.poll_cursor("cloud") == PollCursor(at)
