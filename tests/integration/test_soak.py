"""Soak: weeks of simulated use against the fake Jira over real HTTP, with a fake clock.

Timers, switches, sleeps (discarded away time), syncs meeting injected faults, a token that
expires and a new sign-in, worklogs deleted in Jira. It must end with Jira equal to the store,
no duplicate, no lost second. CI runs 30 simulated days; ``CLOCKWORK_SOAK_DAYS=365`` runs longer.
The figures are printed (``-s``) and recorded as test properties.
"""

from __future__ import annotations

import os
import random
import resource
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring

from clockwork_desktop.core.models import SyncState
from clockwork_desktop.core.sync_plan import wanted_worklogs
from clockwork_desktop.fakejira import FakeJira, Fault
from tests.conftest import FakeClock
from tests.integration.test_sync_convergence import FAULTS, comment_text
from tests.support.jira import login, make_app, seed
from tests.support.memkeyring import MemoryKeyring

DAYS = int(os.environ.get("CLOCKWORK_SOAK_DAYS", "30"))
KEYS = ("PROJ-1", "PROJ-2")
START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)


def test_soak(record_property) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20260309)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    began = time.monotonic()
    figures = {"days": DAYS, "syncs": 0, "faults": 0, "expiries": 0, "remote_deletes": 0}
    figures |= {"sleeps": 0, "timers": 0}
    with tempfile.TemporaryDirectory() as tmp:
        jira = seed(FakeJira("cloud", rate_limit_writes=False, feed_quiet_s=0))
        jira.start()
        clock = FakeClock(START)
        app = make_app(Path(tmp), clock)
        try:
            login(app, jira)
            app.sync._write_interval_s = 0.0
            tracker = app.tracker
            worked = 0

            def sync(faults: int = 0) -> object:
                jira.faults.clear()
                for _ in range(faults):
                    jira.inject(Fault(**rng.choice(FAULTS.elements).__dict__))
                figures["faults"] += faults
                figures["syncs"] += 1
                report = app.sync.sync()
                for entry in app.store.all_entries():
                    if entry.sync_state is SyncState.CONFLICT:  # the user keeps their version
                        tracker.edit(entry.id, comment=entry.comment + " kept")
                return report

            for day in range(DAYS):
                clock.set(START + timedelta(days=day))
                for _ in range(rng.randint(2, 5)):
                    tracker.start(rng.choice(KEYS))
                    figures["timers"] += 1
                    minutes = rng.randint(5, 90)
                    clock.advance(minutes=minutes)
                    worked += minutes * 60
                    if rng.random() < 0.2:  # the laptop sleeps; the user discards that time
                        tracker.heartbeat()
                        clock.advance(minutes=rng.randint(20, 120))
                        period = tracker.heartbeat()
                        assert period is not None, "a sleep went unnoticed"
                        tracker.resolve_away(period, "discard")
                        figures["sleeps"] += 1
                        clock.advance(minutes=10)
                        worked += 600
                    if rng.random() < 0.5:
                        tracker.stop()
                        clock.advance(minutes=rng.randint(1, 30))
                if tracker.running() is not None:
                    tracker.stop()
                clock.advance(minutes=5)
                if day % 10 == 9:  # the token expires mid-month: sync stops until a new sign-in
                    jira.revoke("acc-alice")
                    assert sync().unavailable  # type: ignore[attr-defined]
                    jira.users["acc-alice"].token = "alice-token"
                    login(app, jira)
                    figures["expiries"] += 1
                sync(faults=rng.randint(0, 3))
                if day % 3 == 2:
                    ours = [w for k in KEYS for w in jira.worklogs_of(k)]
                    if ours:
                        jira.delete_worklog(rng.choice(ours).id)
                        figures["remote_deletes"] += 1

            for _ in range(6):  # settle: no faults, every conflict answered
                clock.advance(minutes=5)
                report = sync()
                if not report.errors and report.pending == 0:  # type: ignore[attr-defined]
                    break

            now = clock.now()
            expected = set()
            stored = 0
            for entry in app.store.all_entries():
                assert entry.sync_state is SyncState.SYNCED, entry
                stored += entry.duration_seconds(now)
                policy = app.store.rounding_policy(entry.account)
                for d, want in wanted_worklogs(entry, policy, now).items():
                    expected.add(
                        (entry.issue_key, entry.worklog_ids[d], int(want.started.timestamp()),
                         want.seconds, entry.comment.strip())
                    )  # fmt: skip
            actual = [
                (k, str(w.id), w.started_ms // 1000, w.seconds, comment_text(w))
                for k in KEYS
                for w in jira.worklogs_of(k)
            ]
            figures["duplicates"] = len(actual) - len(set(actual)) + len(set(actual) - expected)
            figures["lost_seconds"] = worked - stored
            figures["jira_minus_store_seconds"] = sum(a[3] for a in actual) - stored
            conn = app.store.connection
            pages = conn.execute("PRAGMA page_count").fetchone()[0]
            figures["database_bytes"] = pages * conn.execute("PRAGMA page_size").fetchone()[0]
            figures["entries"] = len(app.store.all_entries())
            figures["worklogs_in_jira"] = len(actual)
            figures["peak_rss_mib"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            )
            figures["wall_seconds"] = round(time.monotonic() - began, 1)
            print("soak figures:", figures)
            for name, value in figures.items():
                record_property(name, value)
            assert set(actual) == expected, "Jira differs from the store"
            assert figures["duplicates"] == 0
            assert figures["lost_seconds"] == 0
            assert figures["jira_minus_store_seconds"] == 0
            assert figures["faults"] > 0
            assert figures["remote_deletes"] > 0
            # About 150 kB for a month; far below this even for a year of use.
            assert figures["database_bytes"] < 4 * 1024 * 1024
        finally:
            app.close()
            jira.stop()
            keyring.set_keyring(previous)
