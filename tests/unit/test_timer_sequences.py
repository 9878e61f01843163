"""Random start/stop/switch/edit/log sequences against a real SQLite file.

Invariants after every step: at most one running timer, no two entries share a second, and the
store holds exactly the time a simple reference model says was tracked (none created or lost).
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from clockwork_desktop.core.errors import ClockworkError, InputError, OverlapError
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore
from clockwork_desktop.services.tracker import TrackerService
from tests.conftest import FakeClock

KEYS = st.sampled_from(["A-1", "B-2", "C-3"])


class TimerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        opened = open_database(Path(self.tmp.name))
        self.store = SqliteStore(opened.conn, opened.path)
        self.clock = FakeClock()
        self.tracker = TrackerService(
            self.store, self.store, self.clock, ZoneInfo("America/New_York")
        )
        # Reference model: entry id -> [start, end or None].
        self.model: dict[int, list] = {}

    def teardown(self) -> None:
        self.store.close()
        self.tmp.cleanup()

    @rule(seconds=st.integers(min_value=1, max_value=4 * 3600))
    def wait(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @rule(key=KEYS)
    def start(self, key: str) -> None:
        now = self.clock.now()
        running = [i for i, (_, end) in self.model.items() if end is None]
        before = self.tracker.running()
        result = self.tracker.start(key)
        if before is not None and before.issue_key == key:
            # The same issue again: the timer goes on untouched.
            assert result.stopped is None
            assert result.started == before
            return
        if running:
            assert result.stopped is not None
            if self.model[running[0]][0] == now:
                del self.model[running[0]]  # switched in the same second: an empty entry goes
            else:
                self.model[running[0]][1] = now
        self.model[result.started.id] = [now, None]

    @rule()
    def stop(self) -> None:
        running = [i for i, (_, end) in self.model.items() if end is None]
        try:
            entry = self.tracker.stop()
        except ClockworkError:
            assert not running
            return
        assert [entry.id] == running
        if self.model[entry.id][0] == self.clock.now():
            del self.model[entry.id]
        else:
            self.model[entry.id][1] = self.clock.now()

    @rule(key=KEYS, seconds=st.integers(min_value=60, max_value=3 * 3600))
    def log(self, key: str, seconds: int) -> None:
        refusal = ""
        try:
            entry = self.tracker.log_time(key, seconds)
        except OverlapError:
            return
        except InputError as exc:
            refusal = str(exc)
        if refusal:
            assert "no free stretch" in refusal  # the day so far is too full for it
            return
        assert entry.ended_at is not None
        self.model[entry.id] = [entry.started_at, entry.ended_at]

    @rule(data=st.data(), delta=st.integers(min_value=-3600, max_value=3600))
    def edit_length(self, data: st.DataObject, delta: int) -> None:
        closed = sorted(i for i, (_, end) in self.model.items() if end is not None)
        if not closed:
            return
        entry_id = data.draw(st.sampled_from(closed))
        _, end = self.model[entry_id]
        new_end = min(end + timedelta(seconds=delta), self.clock.now())
        try:
            self.tracker.edit(entry_id, end=new_end)
        except ClockworkError:
            return
        self.model[entry_id][1] = new_end

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if not self.model:
            return
        entry_id = data.draw(st.sampled_from(sorted(self.model)))
        self.tracker.delete(entry_id)
        del self.model[entry_id]

    @invariant()
    def store_matches_model(self) -> None:
        now = self.clock.now()
        entries = [e for e in self.store.all_entries() if not e.deleted]
        assert sum(e.running for e in entries) <= 1
        actual = {e.id: (e.started_at, e.ended_at) for e in entries}
        expected = {i: (s, e) for i, (s, e) in self.model.items()}
        assert actual == expected
        spans = sorted((e.started_at, e.ended_at or now) for e in entries)
        for (_, a_end), (b_start, _) in itertools.pairwise(spans):
            assert a_end <= b_start, "entries overlap"


TimerMachine.TestCase.settings = settings(stateful_step_count=25)
TestTimerSequences = TimerMachine.TestCase
