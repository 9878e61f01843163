from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from clockwork_desktop.core.errors import InputError, NotFoundError, OperationError, OverlapError
from clockwork_desktop.core.models import AwayPeriod, Entry, SyncState
from clockwork_desktop.core.timer import STALE_HEARTBEAT_S, WAKE_GAP_THRESHOLD_S, worked_segments
from clockwork_desktop.core.worklog_state import DayWorklog
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services.tracker import TrackerService
from tests.conftest import FakeClock


def test_switch_has_no_gap_and_no_overlap(tracker: TrackerService, clock: FakeClock) -> None:
    first = tracker.start("proj-1").started
    assert first.issue_key == "PROJ-1"
    clock.advance(minutes=25)
    result = tracker.start("PROJ-2")
    assert result.stopped is not None
    assert result.stopped.id == first.id
    assert result.stopped.ended_at == result.started.started_at == clock.now()
    assert tracker.running() is not None
    assert tracker.running().issue_key == "PROJ-2"  # type: ignore[union-attr]


def test_only_one_timer_runs(tracker: TrackerService, store: SqliteStore, clock: FakeClock) -> None:
    tracker.start("A-1")
    clock.advance(60)
    tracker.start("B-1")
    clock.advance(60)
    tracker.start("C-1")
    running = [e for e in store.all_entries() if e.running]
    assert [e.issue_key for e in running] == ["C-1"]


def test_stop_without_timer_is_an_operation_error(tracker: TrackerService) -> None:
    with pytest.raises(OperationError, match="No timer is running"):
        tracker.stop()


def test_stop_with_comment_and_time(tracker: TrackerService, clock: FakeClock) -> None:
    tracker.start("A-1")
    clock.advance(minutes=90)
    stopped = tracker.stop(at=clock.now() - timedelta(minutes=30), comment=" done ")
    assert stopped.duration_seconds(clock.now()) == 3600
    assert stopped.comment == "done"


def test_stop_before_start_is_refused(tracker: TrackerService, clock: FakeClock) -> None:
    tracker.start("A-1")
    clock.advance(60)
    with pytest.raises(InputError, match="must stop after"):
        tracker.stop(at=clock.now() - timedelta(hours=1))
    assert tracker.running() is not None


def test_start_in_the_future_is_refused(tracker: TrackerService, clock: FakeClock) -> None:
    with pytest.raises(InputError, match="future"):
        tracker.start("A-1", at=clock.now() + timedelta(hours=1))


def test_bad_issue_key_is_refused(tracker: TrackerService) -> None:
    with pytest.raises(InputError, match="PROJ-123"):
        tracker.start("not a key")


def test_resume_and_discard(tracker: TrackerService, clock: FakeClock) -> None:
    with pytest.raises(OperationError):
        tracker.resume()
    tracker.start("A-7")
    clock.advance(600)
    tracker.stop()
    clock.advance(600)
    resumed = tracker.resume().started
    assert resumed.issue_key == "A-7"
    clock.advance(60)
    discarded = tracker.discard()
    assert discarded.id == resumed.id
    assert tracker.running() is None
    with pytest.raises(OperationError):
        tracker.discard()


def test_log_today_ends_now(tracker: TrackerService, clock: FakeClock) -> None:
    entry = tracker.log_time("A-1", 1800, comment="call")
    assert entry.ended_at == clock.now()
    assert entry.duration_seconds(clock.now()) == 1800


def test_log_today_goes_into_the_latest_free_slot(
    tracker: TrackerService, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 9, 14, 0, tzinfo=UTC))  # 15:00 in Berlin

    def local(entry) -> tuple[str, str]:  # type: ignore[no-untyped-def]
        return (
            f"{entry.started_at.astimezone(tracker.zone):%H:%M}",
            f"{entry.ended_at.astimezone(tracker.zone):%H:%M}",
        )

    tracker.log_time("A-1", 3600, start_time=time(9, 0))
    tracker.log_time("A-2", 30 * 60)  # ends now: 14:30-15:00
    tracker.start("B-1")
    clock.advance(minutes=10)
    # "Now minus five minutes" is inside the running timer: it goes before the last entry.
    assert local(tracker.log_time("C-1", 5 * 60)) == ("14:25", "14:30")
    assert local(tracker.log_time("C-2", 4 * 3600)) == ("10:25", "14:25")
    # 10:00-10:25 has room for 20 minutes; 30 minutes only fits before 09:00.
    assert local(tracker.log_time("C-3", 20 * 60)) == ("10:05", "10:25")
    assert local(tracker.log_time("C-4", 30 * 60)) == ("08:30", "09:00")


def test_log_today_without_room_says_what_to_do(tracker: TrackerService, clock: FakeClock) -> None:
    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=UTC))  # 09:00 in Berlin
    tracker.log_time("A-1", 8 * 3600, start_time=time(0, 30))
    with pytest.raises(InputError, match="start time") as info:
        tracker.log_time("B-1", 3600)
    assert "1h" in str(info.value)
    assert tracker.log_time("B-1", 30 * 60).started_at == datetime(2026, 3, 9, 7, 30, tzinfo=UTC)
    # The first half hour after midnight is the only room left.
    assert tracker.log_time("B-2", 30 * 60).started_at == datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    with pytest.raises(InputError, match="start time"):
        tracker.log_time("B-3", 60)


def test_log_other_day_stacks_after_last_entry(tracker: TrackerService) -> None:
    day = date(2026, 3, 5)
    first = tracker.log_time("A-1", 3600, day=day)
    second = tracker.log_time("A-2", 1800, day=day)
    assert first.started_at.astimezone(tracker.zone).time() == time(9, 0)
    assert second.started_at == first.ended_at


def test_overlap_is_refused_with_the_other_entry_named(tracker: TrackerService) -> None:
    day = date(2026, 3, 5)
    first = tracker.log_time("A-1", 3600, day=day, start_time=time(10, 0))
    with pytest.raises(OverlapError) as info:
        tracker.log_time("B-2", 1800, day=day, start_time=time(10, 30))
    assert f"#{first.id}" in str(info.value)
    assert "A-1" in str(info.value)
    # Touching end to start is not an overlap.
    tracker.log_time("B-2", 1800, day=day, start_time=time(11, 0))


def test_manual_entry_cannot_overlap_running_timer(
    tracker: TrackerService, clock: FakeClock
) -> None:
    running = tracker.start("A-1").started
    clock.advance(hours=1)
    with pytest.raises(OverlapError):
        tracker.log_time("B-1", 600, start_time=time(10, 30))
    # Without a start time it goes before the timer instead.
    assert tracker.log_time("B-1", 600).ended_at == running.started_at


def test_start_at_inside_existing_entry_is_refused(
    tracker: TrackerService, clock: FakeClock
) -> None:
    tracker.log_time("A-1", 3600)
    with pytest.raises(OverlapError):
        tracker.start("B-1", at=clock.now() - timedelta(minutes=30))


def test_edit_changes_and_requeues(tracker: TrackerService, store: SqliteStore) -> None:
    entry = tracker.log_time("A-1", 3600, day=date(2026, 3, 5))
    entry.sync_state = SyncState.SYNCED
    entry.remote = {"2026-03-05": DayWorklog("A-1", "10001")}
    store.save(entry)
    edited = tracker.edit(entry.id, issue_key="b-2", seconds=5400, comment="x")
    assert edited.issue_key == "B-2"
    assert edited.duration_seconds(tracker.now()) == 5400
    assert edited.revision == entry.revision + 1
    assert edited.sync_state is SyncState.PENDING


def test_edit_refuses_overlap_and_bad_order(tracker: TrackerService) -> None:
    day = date(2026, 3, 5)
    a = tracker.log_time("A-1", 3600, day=day, start_time=time(9, 0))
    b = tracker.log_time("B-1", 3600, day=day, start_time=time(11, 0))
    with pytest.raises(OverlapError, match=f"#{b.id}"):
        tracker.edit(a.id, seconds=3 * 3600)
    with pytest.raises(InputError, match="end after it starts"):
        tracker.edit(a.id, end=a.started_at - timedelta(minutes=1))
    with pytest.raises(InputError, match="either"):
        tracker.edit(a.id, end=a.started_at, seconds=60)
    with pytest.raises(NotFoundError):
        tracker.edit(999, seconds=60)


def test_delete_unsynced_removes_synced_keeps_tombstone(
    tracker: TrackerService, store: SqliteStore
) -> None:
    a = tracker.log_time("A-1", 600, day=date(2026, 3, 5))
    tracker.delete(a.id)
    assert store.get(a.id) is None
    b = tracker.log_time("A-1", 600, day=date(2026, 3, 5))
    b.sync_state, b.remote = SyncState.SYNCED, {"2026-03-05": DayWorklog("A-1", "1")}
    store.save(b)
    tracker.delete(b.id)
    kept = store.get(b.id)
    assert kept is not None
    assert kept.deleted
    assert kept.sync_state is SyncState.PENDING
    assert tracker.entries(date(2026, 3, 5), date(2026, 3, 5)) == []
    with pytest.raises(NotFoundError):
        tracker.delete(b.id)


def test_too_short_and_rounding(tracker: TrackerService, store: SqliteStore) -> None:
    short = tracker.log_time("A-1", 30, day=date(2026, 3, 5))
    assert tracker.view(short).state is SyncState.TOO_SHORT
    assert tracker.view(short).log_seconds == 0
    store.set_setting("rounding", "up:1")
    assert tracker.view(short).state is SyncState.PENDING
    assert tracker.view(short).log_seconds == 60


def test_midnight_entry_rounds_per_day(tracker: TrackerService, store: SqliteStore) -> None:
    store.set_setting("rounding", "up:15")
    entry = tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(23, 40))
    # 20 minutes before midnight -> 30m; 40 minutes after -> 45m.
    assert tracker.view(entry).log_seconds == 75 * 60
    assert tracker.seconds_between(date(2026, 3, 5), date(2026, 3, 5)) == 20 * 60
    assert tracker.seconds_between(date(2026, 3, 6), date(2026, 3, 6)) == 40 * 60


def test_day_totals_count_the_users_days_for_an_entry_made_in_another_zone(
    tracker: TrackerService, store: SqliteStore
) -> None:
    entry = tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(23, 40))
    entry.tz = "Asia/Tokyo"  # recorded while travelling: its worklogs go by Tokyo's days
    entry.breaks = [
        (entry.started_at + timedelta(minutes=10), entry.started_at + timedelta(minutes=20))
    ]
    store.save(entry)
    now = tracker.now()
    # The entry's own days (Tokyo): all of it on one day, the pause left out.
    assert [worked for _, worked in worked_segments(entry, now)] == [50 * 60]
    # The user's days (Berlin): split at Berlin's midnight, the pause left out.
    by_day = {seg.day: worked for seg, worked in worked_segments(entry, now, tracker.zone)}
    assert by_day == {date(2026, 3, 5): 10 * 60, date(2026, 3, 6): 40 * 60}
    assert tracker.seconds_between(date(2026, 3, 5), date(2026, 3, 5)) == 10 * 60
    assert tracker.seconds_between(date(2026, 3, 6), date(2026, 3, 6)) == 40 * 60


def test_status_counts(tracker: TrackerService, clock: FakeClock) -> None:
    tracker.log_time("A-1", 600)
    tracker.start("B-1")
    clock.advance(300)
    status = tracker.status()
    assert status.running is not None
    assert status.elapsed_seconds == 300
    assert status.today_seconds == 900
    assert status.sync.pending == 1


def test_crash_recovery_closes_orphan_at_last_heartbeat(
    tracker: TrackerService, clock: FakeClock
) -> None:
    tracker.start("A-1")
    clock.advance(60)
    tracker.heartbeat()
    last_beat = clock.now()
    clock.advance(STALE_HEARTBEAT_S + 3600)
    recovered = tracker.recover()
    assert recovered is not None
    assert recovered.ended_at == last_beat
    assert recovered.needs_review
    assert tracker.running() is None


def test_recent_heartbeat_keeps_running(tracker: TrackerService, clock: FakeClock) -> None:
    tracker.start("A-1")
    tracker.heartbeat()
    clock.advance(10)
    assert tracker.recover() is None
    assert tracker.running() is not None


def test_cli_timer_without_heartbeat_is_never_orphaned(
    tracker: TrackerService, clock: FakeClock
) -> None:
    tracker.start("A-1")
    clock.advance(hours=5)
    assert tracker.recover() is None
    assert tracker.running() is not None


def test_heartbeat_gap_reports_sleep(tracker: TrackerService, clock: FakeClock) -> None:
    tracker.start("A-1")
    assert tracker.heartbeat() is None
    clock.advance(30)
    assert tracker.heartbeat() is None
    before = clock.now()
    clock.advance(WAKE_GAP_THRESHOLD_S + 600)
    gap = tracker.heartbeat()
    assert gap is not None
    assert gap.start == before
    assert gap.reason == "sleep"


@pytest.mark.parametrize("action", ["keep", "stop", "discard", "assign"])
def test_resolve_away(tracker: TrackerService, clock: FakeClock, action: str) -> None:
    start = clock.now()
    tracker.start("A-1")
    clock.advance(hours=1)
    away_start = clock.now()
    clock.advance(minutes=38)
    period = AwayPeriod(away_start, clock.now(), "idle")
    tracker.resolve_away(period, action, other_issue="B-9" if action == "assign" else None)
    views = tracker.entries(start.date(), start.date())
    summary = [(v.entry.issue_key, v.duration_seconds, v.entry.running) for v in views]
    if action == "keep":
        assert summary == [("A-1", 98 * 60, True)]
    elif action == "stop":
        assert summary == [("A-1", 3600, False)]
    elif action == "discard":
        assert summary == [("A-1", 3600, True)]  # one entry; the time away left out
    else:
        assert summary == [("A-1", 3600, False), ("B-9", 38 * 60, False), ("A-1", 0, True)]


def test_entries_in_week_across_dst(tracker: TrackerService, clock: FakeClock) -> None:
    clock.set(datetime(2026, 4, 1, 12, 0, tzinfo=UTC))
    # Berlin springs forward on 2026-03-29; an entry from 01:30 to 03:30 local is one hour.
    e = tracker.log_time("A-1", 3600, day=date(2026, 3, 29), start_time=time(1, 30))
    assert e.started_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    views = tracker.entries(date(2026, 3, 23), date(2026, 3, 29))
    assert [v.entry.id for v in views] == [e.id]


def test_switch_in_the_same_second_replaces_the_empty_timer(
    tracker: TrackerService, store: SqliteStore
) -> None:
    tracker.start("A-1")
    result = tracker.start("B-1")
    assert [e.issue_key for e in store.all_entries()] == ["B-1"]
    assert result.stopped is not None
    tracker.stop()
    assert store.all_entries() == []


def test_unknown_account_is_refused(tracker: TrackerService) -> None:
    with pytest.raises(InputError, match="No Jira account named 'nope'"):
        tracker.start("A-1", account="nope")
    with pytest.raises(InputError, match="sign in"):
        tracker.log_time("A-1", 600, account="nope")
    assert tracker.running() is None


def test_future_times_are_refused_in_local_time_with_what_to_do(
    tracker: TrackerService, clock: FakeClock
) -> None:
    with pytest.raises(InputError) as info:
        tracker.start("A-1", at=clock.now() + timedelta(hours=2))
    # 09:00 UTC is 10:00 in Berlin; two hours later is 12:00.
    assert "2026-03-09 12:00 is in the future" in str(info.value)
    assert "it is now 10:00" in str(info.value)
    assert "up to now" in str(info.value)


def away_after_an_hour(tracker: TrackerService, clock: FakeClock) -> tuple[Entry, AwayPeriod]:
    """A-1 runs for an hour, then nobody is at the machine for half an hour."""
    started = tracker.start("A-1").started
    clock.advance(hours=1)
    away_start = clock.now()
    clock.advance(minutes=30)
    return started, AwayPeriod(away_start, clock.now(), "idle")


def test_resolve_away_with_a_mistyped_issue_leaves_the_timer_running(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    started, period = away_after_an_hour(tracker, clock)
    before = store.all_entries()
    with pytest.raises(InputError, match="PROJ-123"):
        tracker.resolve_away(period, "assign", other_issue="not a key")
    assert store.all_entries() == before
    running = tracker.running()
    assert running is not None
    assert running.id == started.id
    assert running.started_at == started.started_at


def test_resolve_away_is_all_or_nothing(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock, monkeypatch
) -> None:
    _started, period = away_after_an_hour(tracker, clock)
    before = store.all_entries()
    real_add = store.add
    calls = []

    def add_then_fail(new):  # type: ignore[no-untyped-def]
        calls.append(new.issue_key)
        if len(calls) == 2:
            raise OperationError("disk full")
        return real_add(new)

    monkeypatch.setattr(store, "add", add_then_fail)
    with pytest.raises(OperationError, match="disk full"):
        tracker.resolve_away(period, "assign", other_issue="B-2")
    assert calls == ["B-2", "A-1"]
    assert store.all_entries() == before
    assert tracker.undo_offer() is None  # nothing happened, so there is nothing to undo


@pytest.mark.parametrize(
    "at", [datetime(2026, 2, 17, 9, 0, tzinfo=UTC), datetime(1900, 1, 1, tzinfo=UTC)]
)
def test_start_longer_ago_than_an_entry_may_last_is_refused(
    tracker: TrackerService, store: SqliteStore, at: datetime
) -> None:
    with pytest.raises(InputError, match="7 days"):
        tracker.start("A-1", at=at)
    assert store.all_entries() == []


def test_every_way_of_making_an_entry_keeps_the_seven_day_limit(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    # Logging by hand is tighter still: one day's work at most.
    with pytest.raises(InputError, match="at most 24h"):
        tracker.log_time("A-1", 8 * 24 * 3600, day=date(2026, 2, 20), start_time=time(9, 0))
    entry = tracker.log_time("A-1", 3600, day=date(2026, 3, 5), start_time=time(9, 0))
    with pytest.raises(InputError, match="7 days"):
        tracker.edit(entry.id, start=datetime(2026, 2, 1, tzinfo=UTC))
    started = tracker.start("B-1").started
    with pytest.raises(InputError, match="7 days"):
        tracker.edit(started.id, start=datetime(2026, 2, 1, tzinfo=UTC))
    # A timer forgotten for eight days cannot simply stop now: it must stop at a real time.
    clock.advance(days=8)
    with pytest.raises(InputError, match="earlier"):
        tracker.stop()
    assert tracker.running() is not None
    stopped = tracker.stop(at=started.started_at + timedelta(hours=9))
    assert stopped.duration_seconds(clock.now()) == 9 * 3600
    assert all(e.duration_seconds(clock.now()) <= 7 * 24 * 3600 for e in store.all_entries())


def test_stop_reads_now_inside_its_transaction(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock, monkeypatch
) -> None:
    from contextlib import contextmanager

    tracker.start("A-1")
    clock.advance(minutes=10)
    real_atomic = store.atomic

    @contextmanager
    def slow_atomic(durable: bool = False):  # type: ignore[no-untyped-def]
        clock.advance(5)  # waiting for another process's write lock
        with real_atomic(durable):
            yield

    monkeypatch.setattr(store, "atomic", slow_atomic)
    stopped = tracker.stop()
    assert stopped.ended_at == clock.now()


def test_discard_can_be_undone_for_a_while(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    from clockwork_desktop.services.tracker import UNDO_WINDOW_S

    started = tracker.start("A-1", comment="review").started
    clock.advance(minutes=12)
    tracker.discard()
    offer = tracker.undo_offer()
    assert offer is not None
    assert offer.label == "Undo discard of A-1 (12m)"
    clock.advance(UNDO_WINDOW_S - 1)
    back = tracker.undo()
    assert back is not None
    assert (back.issue_key, back.started_at, back.comment, back.uuid) == (
        "A-1",
        started.started_at,
        "review",
        started.uuid,
    )
    assert back.running
    assert tracker.undo_offer() is None
    with pytest.raises(OperationError, match="Nothing to undo"):
        tracker.undo()
    tracker.discard()
    clock.advance(UNDO_WINDOW_S + 1)
    assert tracker.undo_offer() is None
    with pytest.raises(OperationError, match="Nothing to undo"):
        tracker.undo()
    assert store.all_entries() == []


def test_delete_can_be_undone_and_a_synced_entry_is_sent_again(
    tracker: TrackerService, store: SqliteStore
) -> None:
    entry = tracker.log_time("A-1", 3600, day=date(2026, 3, 5))
    entry.sync_state, entry.remote = SyncState.SYNCED, {"2026-03-05": DayWorklog("A-1", "10001")}
    store.save(entry)
    tracker.delete(entry.id)
    assert tracker.undo_offer().label == "Undo delete of A-1 (1h)"  # type: ignore[union-attr]
    tracker.undo()
    back = store.get(entry.id)
    assert back is not None
    assert not back.deleted
    assert back.worklog_ids == {"2026-03-05": "10001"}
    assert back.sync_state is SyncState.PENDING
    assert back.revision > entry.revision
    plain = tracker.log_time("B-1", 600, day=date(2026, 3, 6))
    tracker.delete(plain.id)
    restored = tracker.undo()
    assert restored is not None
    assert (restored.uuid, restored.started_at, restored.ended_at) == (
        plain.uuid,
        plain.started_at,
        plain.ended_at,
    )


def test_stop_at_a_past_time_can_be_undone_without_a_fragment(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    started = tracker.start("A-1").started
    clock.advance(hours=2)
    tracker.stop()
    assert tracker.undo_offer() is None  # stopping now loses nothing: Resume is the way back
    tracker.start("A-2")
    clock.advance(hours=2)
    tracker.stop(at=clock.now() - timedelta(hours=1))
    assert tracker.undo_offer().label == "Undo stop of A-2 at 13:00"  # type: ignore[union-attr]
    tracker.undo()
    assert [(e.issue_key, e.running) for e in store.all_entries()] == [
        ("A-1", False),
        ("A-2", True),
    ]
    assert store.all_entries()[0].started_at == started.started_at


def test_away_resolution_can_be_undone(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    _started, period = away_after_an_hour(tracker, clock)
    before = store.all_entries()
    tracker.resolve_away(period, "assign", "B-2")
    assert len(store.all_entries()) == 3
    assert tracker.undo_offer().label.startswith("Undo ")  # type: ignore[union-attr]
    tracker.undo()
    assert [(e.id, e.started_at, e.ended_at) for e in store.all_entries()] == [
        (e.id, e.started_at, e.ended_at) for e in before
    ]


def test_undo_never_overlaps_what_was_tracked_since(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    tracker.start("A-1")
    clock.advance(minutes=5)
    tracker.discard()
    tracker.start("B-1")
    clock.advance(minutes=1)
    with pytest.raises(OperationError, match="B-1"):
        tracker.undo()
    assert [(e.issue_key, e.running) for e in store.all_entries()] == [("B-1", True)]


def test_pause_keeps_one_entry_and_leaves_the_paused_time_out(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    from clockwork_desktop.core.sync_plan import wanted_worklogs

    started = tracker.start("A-1").started
    clock.advance(minutes=50)
    paused = tracker.pause()
    assert paused.paused
    clock.advance(minutes=30)  # lunch
    assert tracker.running().duration_seconds(clock.now()) == 50 * 60  # type: ignore[union-attr]
    assert tracker.heartbeat() is None  # a pause is not time away
    resumed = tracker.resume().started
    assert resumed.id == started.id
    assert not resumed.paused
    clock.advance(minutes=40)
    stopped = tracker.stop()
    assert [e.id for e in store.all_entries()] == [started.id]
    assert stopped.duration_seconds(clock.now()) == 90 * 60
    today = clock.now().date()
    assert tracker.seconds_between(today, today) == 90 * 60
    wanted = wanted_worklogs(stopped, store.rounding_policy(None), clock.now())
    assert [(w.started, w.seconds) for w in wanted.values()] == [(started.started_at, 90 * 60)]


def test_stopping_or_switching_while_paused_ends_at_the_pause(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    tracker.start("A-1")
    clock.advance(minutes=20)
    tracker.pause()
    pause_start = clock.now()
    clock.advance(minutes=15)
    tracker.start("B-1")
    first = store.all_entries()[0]
    assert (first.ended_at, first.breaks) == (pause_start, [])
    clock.advance(minutes=5)
    tracker.pause()
    clock.advance(minutes=5)
    # Starting the paused issue again continues it.
    assert tracker.start("B-1").started.paused is False
    clock.advance(minutes=5)
    tracker.pause()
    clock.advance(minutes=10)
    stopped = tracker.stop()
    assert stopped.duration_seconds(clock.now()) == 10 * 60
    assert stopped.ended_at == clock.now() - timedelta(minutes=10)


def test_discarding_away_time_leaves_one_entry(
    tracker: TrackerService, store: SqliteStore, clock: FakeClock
) -> None:
    _started, period = away_after_an_hour(tracker, clock)
    tracker.resolve_away(period, "discard")
    entries = store.all_entries()
    assert len(entries) == 1
    assert entries[0].running
    assert entries[0].duration_seconds(clock.now()) == 60 * 60
    tracker.undo()
    assert store.all_entries()[0].duration_seconds(clock.now()) == 90 * 60
    tracker.resolve_away(period, "discard")
    clock.advance(minutes=10)
    assert tracker.running().duration_seconds(clock.now()) == 70 * 60  # type: ignore[union-attr]
