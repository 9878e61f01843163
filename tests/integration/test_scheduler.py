from __future__ import annotations

import threading

from clockwork_desktop.infra.scheduler import SyncScheduler


def test_runs_at_start_and_on_demand_never_two_at_once() -> None:
    calls = 0
    running = 0
    overlap = False
    second_run = threading.Event()
    gate = threading.Event()
    lock = threading.Lock()

    def job() -> None:
        nonlocal calls, running, overlap
        with lock:
            calls += 1
            running += 1
            overlap = overlap or running > 1
            n = calls
        if n == 1:
            gate.wait(5)  # hold the first run while more are requested
        with lock:
            running -= 1
        if n >= 2:
            second_run.set()

    scheduler = SyncScheduler(job, interval_s=3600)
    scheduler.start()
    try:
        for _ in range(5):
            scheduler.run_soon()
        gate.set()
        assert second_run.wait(5)
    finally:
        scheduler.shutdown()
    assert not overlap
    assert calls >= 2


def test_a_failing_job_does_not_stop_the_schedule() -> None:
    first = threading.Event()
    done = threading.Event()
    calls = []

    def job() -> None:
        calls.append(1)
        if len(calls) == 1:
            first.set()
            raise RuntimeError("boom")
        done.set()

    scheduler = SyncScheduler(job, interval_s=3600)
    scheduler.start()
    try:
        assert first.wait(5)
        scheduler.run_soon()
        assert done.wait(5)
    finally:
        scheduler.shutdown()
