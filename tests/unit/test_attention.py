"""Nudges, automatic timers and their rules, over days of simulated time (no Jira, no Qt)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from clockwork_desktop.core.attention import (
    ActiveRule,
    ChangeEvent,
    FieldChange,
    IssueFacts,
    facts_before,
    issue_key_in_branch,
    replay,
)
from clockwork_desktop.core.errors import InputError
from clockwork_desktop.core.settings import Settings
from clockwork_desktop.core.timer import WAKE_GAP_THRESHOLD_S
from clockwork_desktop.infra.db.auto_state import AutoStateStore
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services.auto_timers import AutoTimerService
from clockwork_desktop.services.nudges import CollectingNotifier, NudgeService
from clockwork_desktop.services.preferences import PreferencesService
from clockwork_desktop.services.tracker import TrackerService
from tests.conftest import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def notes() -> CollectingNotifier:
    return CollectingNotifier()


class Branches:
    def __init__(self) -> None:
        self.heads: dict[str, str | None] = {}
        self.reads = 0

    def branch(self, repo: str) -> str | None:
        self.reads += 1
        return self.heads.get(repo)


@pytest.fixture
def branches() -> Branches:
    return Branches()


@pytest.fixture
def preferences(store: SqliteStore, clock: FakeClock) -> PreferencesService:
    return PreferencesService(store, AutoStateStore(store), clock)


@pytest.fixture
def nudges(
    tracker: TrackerService,
    preferences: PreferencesService,
    store: SqliteStore,
    clock: FakeClock,
    notes: CollectingNotifier,
) -> NudgeService:
    return NudgeService(tracker, preferences, AutoStateStore(store), store, clock, notes)


@pytest.fixture
def auto_timers(
    tracker: TrackerService,
    preferences: PreferencesService,
    store: SqliteStore,
    clock: FakeClock,
    notes: CollectingNotifier,
    branches: Branches,
) -> AutoTimerService:
    state = AutoStateStore(store)
    return AutoTimerService(
        tracker, preferences, state, store, store, clock, notes, branches=branches
    )


def titles(notes: CollectingNotifier) -> list[str]:
    return [title for title, _, _ in notes.shown]


@pytest.mark.parametrize(
    ("branch", "key"),
    [
        ("PROJ-123-fix-login", "PROJ-123"),
        ("feature/PROJ-7_speed", "PROJ-7"),
        ("feature/proj-7", None),
        ("main", None),
        ("release-2026", None),
        ("PROJ-0-x", None),
        (None, None),
        ("xPROJ-1", None),
    ],
)
def test_issue_keys_in_branch_names(branch: str | None, key: str | None) -> None:
    assert issue_key_in_branch(branch) == key


def test_working_hours_follow_the_wall_clock_across_dst() -> None:
    hours = Settings(
        work_start=time(9, 0), work_end=time(18, 0), holidays=(date(2026, 4, 3),)
    ).working_hours()
    # Friday before the change: CET (UTC+1); Monday after: CEST (UTC+2).
    assert hours.span_on(date(2026, 3, 27), BERLIN) == (
        datetime(2026, 3, 27, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 27, 17, 0, tzinfo=UTC),
    )
    assert hours.span_on(date(2026, 3, 30), BERLIN) == (
        datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 16, 0, tzinfo=UTC),
    )
    assert hours.span_on(date(2026, 3, 29), BERLIN) is None  # Sunday
    assert hours.span_on(date(2026, 4, 3), BERLIN) is None  # a holiday
    friday_evening = datetime(2026, 3, 27, 18, 0, tzinfo=UTC)
    assert not hours.working(friday_evening, BERLIN)
    assert hours.end_after(friday_evening, BERLIN) == datetime(2026, 3, 30, 16, 0, tzinfo=UTC)


def test_replay_undoes_then_walks_the_changelog() -> None:
    at = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
    cats = {"1": "new", "3": "indeterminate", "5": "done"}
    events = [
        ChangeEvent("P-1", at, "Bob", (FieldChange("status", "1", "3", "To Do", "Doing"),)),
        ChangeEvent(
            "P-1", at + timedelta(hours=1), "Bob", (FieldChange("assignee", "me", "bob", "", ""),)
        ),
        ChangeEvent(
            "P-1", at + timedelta(hours=2), "Bob", (FieldChange("assignee", "bob", "me", "", ""),)
        ),
        ChangeEvent(
            "P-1",
            at + timedelta(hours=3),
            "Bob",
            (
                FieldChange("status", "3", "5", "Doing", "Closed"),
                FieldChange("resolution", None, "1", None, "Fixed"),
            ),
        ),
    ]
    now = IssueFacts("Closed", "5", "done", "me", True)
    before = facts_before(now, events, cats)
    assert before == IssueFacts("To Do", "1", "new", "me", False)
    moves = replay(before, events, "me", ActiveRule.of([]), cats)
    assert [(m.at - at, m.active) for m in moves] == [
        (timedelta(0), True),
        (timedelta(hours=1), False),
        (timedelta(hours=2), True),
        (timedelta(hours=3), False),
    ]
    assert moves[0].why["by"] == "Bob"
    by_name = replay(before, events, "me", ActiveRule.of(["doing"]), {})
    assert len(by_name) == 4


def test_waking_uses_the_one_threshold_of_core(nudges: NudgeService, clock: FakeClock) -> None:
    assert not nudges.woke_up()
    clock.advance(WAKE_GAP_THRESHOLD_S)
    assert not nudges.woke_up()  # exactly the threshold is not a sleep
    clock.advance(WAKE_GAP_THRESHOLD_S + 1)
    assert nudges.woke_up()
    assert not nudges.woke_up()


def test_idle_period_is_asked_once_input_returns(
    nudges: NudgeService, tracker: TrackerService, clock: FakeClock
) -> None:
    assert nudges.idle_period(900) is None  # no timer: nothing to ask
    tracker.start("PROJ-1")
    clock.advance(minutes=30)
    assert nudges.idle_period(12 * 60) is None
    clock.advance(minutes=3)
    assert nudges.idle_period(12 * 60, asking=True) is None  # a question is open
    period = nudges.idle_period(1)
    assert period is not None
    assert period.seconds == 15 * 60
    assert nudges.idle_period(1) is None


def test_guards_long_timer_and_midnight(
    nudges: NudgeService,
    tracker: TrackerService,
    clock: FakeClock,
    notes: CollectingNotifier,
) -> None:
    tracker.start("PROJ-1")  # Monday 10:00 Berlin
    for _ in range(9 * 60):  # nine hours of minute checks: quiet
        clock.advance(minutes=1)
        nudges.tick()
    assert nudges.warning is None
    clock.advance(hours=1)
    nudges.tick()
    nudges.tick()
    assert nudges.warning is not None
    assert nudges.warning.kind == "long"
    assert notes.shown[-1][2] == ("Keep running", "Stop")
    assert titles(notes).count("Timer still running") == 1
    nudges.answer_guard("keep")
    nudges.tick()
    assert nudges.warning is None
    clock.advance(hours=5)  # past midnight in Berlin
    nudges.tick()
    assert nudges.warning is None  # the long-timer answer still holds for this timer
    tracker.stop()
    clock.set(datetime(2026, 3, 10, 22, 30, tzinfo=UTC))  # Tuesday 23:30 Berlin
    tracker.start("PROJ-2")
    clock.set(datetime(2026, 3, 10, 23, 10, tzinfo=UTC))  # 00:10 Berlin
    nudges.tick()
    assert nudges.warning is not None
    assert nudges.warning.kind == "midnight"
    nudges.answer_guard("stop")
    assert tracker.running() is None
    with pytest.raises(InputError):
        nudges.answer_guard("later")


def test_reminders(
    nudges: NudgeService,
    tracker: TrackerService,
    store: SqliteStore,
    clock: FakeClock,
    notes: CollectingNotifier,
) -> None:
    store.set_setting("remind_no_timer", True)
    for _ in range(120):  # two hours with nothing running: reminded every hour
        nudges.tick()
        clock.advance(minutes=1)
    assert titles(notes) == ["No timer running", "No timer running"]
    clock.set(datetime(2026, 3, 9, 19, 0, tzinfo=UTC))
    tracker.start("LATE-1")
    for _ in range(30):
        clock.advance(minutes=1)
        nudges.tick()
    assert titles(notes)[-1] == "Timer running outside working hours"
    assert titles(notes).count("Timer running outside working hours") == 1


def test_branch_reads_are_throttled(
    preferences: PreferencesService,
    auto_timers: AutoTimerService,
    branches: Branches,
    clock: FakeClock,
    store: SqliteStore,
) -> None:
    preferences.add_repo("/r")
    assert auto_timers.poll_branches() is None
    reads = branches.reads
    for _ in range(10):  # the tray asks every half second; the disk is read every 3 s
        clock.advance(0.5)
        auto_timers.poll_branches()
    assert branches.reads - reads == 1
    branches.heads["/r"] = "PROJ-5-x"
    clock.advance(3)
    assert auto_timers.poll_branches() == "PROJ-5"
    preferences.choose("branch", "off")
    branches.heads["/r"] = "PROJ-6-x"
    clock.advance(3)
    assert auto_timers.poll_branches() is None
    assert preferences.remove_repo("/r") == []
    with pytest.raises(InputError):
        preferences.remove_repo("/r")
    with pytest.raises(InputError):
        preferences.choose("branch", "always")
    assert store.get_setting("auto:branch") == "off"


def test_turning_jira_on_in_settings_starts_a_fresh_cursor(
    preferences: PreferencesService, store: SqliteStore, clock: FakeClock
) -> None:
    import dataclasses

    store.set_setting("auto:cursor:cloud", {"polled": "2020-01-01T00:00:00+00:00"})
    value = preferences.current()
    preferences.save_settings(dataclasses.replace(value, auto=value.auto.with_jira("cloud", True)))
    assert preferences.jira_enabled("cloud")
    assert store.get_setting("auto:cursor:cloud")["polled"] == clock.now().isoformat()
    clock.advance(minutes=5)
    preferences.save_settings(preferences.current())  # still on: the cursor is kept
    assert store.get_setting("auto:cursor:cloud")["polled"] != clock.now().isoformat()


def test_working_hours_come_from_the_typed_settings(
    preferences: PreferencesService, store: SqliteStore
) -> None:
    import dataclasses

    monday = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)  # 11:00 in Berlin
    assert preferences.hours().working(monday, BERLIN)
    store.save_settings(dataclasses.replace(store.load_settings(), holidays=(monday.date(),)))
    assert not preferences.hours().working(monday, BERLIN)


def test_the_suggestion_names_its_branch_and_goes_when_the_branch_does(
    preferences: PreferencesService,
    auto_timers: AutoTimerService,
    branches: Branches,
    clock: FakeClock,
) -> None:
    preferences.add_repo("/r")
    branches.heads["/r"] = "main"
    auto_timers.poll_branches(force=True)
    branches.heads["/r"] = "PROJ-1-fix-login"
    auto_timers.poll_branches(force=True)
    found = auto_timers.suggestion()
    assert found is not None
    assert (found.issue_key, found.branch, found.repo) == ("PROJ-1", "PROJ-1-fix-login", "/r")
    assert auto_timers.suggested_issue() == "PROJ-1"
    branches.heads["/r"] = "main"
    auto_timers.poll_branches(force=True)
    assert auto_timers.suggestion() is None


def test_an_entrys_source_reads_as_a_sentence() -> None:
    from clockwork_desktop.core.attention import describe_source

    moved = {"kind": "jira", "issue": "PROJ-1", "by": "Alice", "changed": {"status": "In Progress"}}
    events = [
        {"event": "start", "at": "2026-03-09T08:12:00+00:00", **moved},
        {
            "event": "stop",
            "at": "2026-03-09T16:00:00+00:00",
            "kind": "hours",
        },
    ]
    assert describe_source(events, BERLIN) == (
        "started automatically: PROJ-1 moved to In Progress by Alice at 09:12; "
        "stopped automatically: working hours ended at 17:00"
    )
    branch = {"kind": "branch", "branch": "PROJ-2-x", "repo": "/r", "accepted": True}
    switched = {"kind": "jira", "issue": "PROJ-3", "by": "Bob", "changed": {"assignee": "acc"}}
    assert describe_source(
        [
            {"event": "start", "at": "2026-03-09T09:00:00+00:00", **branch},
            {
                "event": "stop",
                "at": "2026-03-09T09:30:00+00:00",
                "switched_to": "PROJ-4",
                **switched,
            },
        ],
        BERLIN,
    ) == (
        "started when you accepted: branch PROJ-2-x checked out at 10:00; "
        "stopped automatically: switched to PROJ-4 (PROJ-3 reassigned by Bob at 10:30)"
    )
    assert describe_source([], BERLIN) == ""
