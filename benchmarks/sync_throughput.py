"""Push 1,000 pending entries on 100 issues to the fake Jira with 50 ms latency per request.

For Cloud and for Data Center (which has no worklog properties, so nothing is tagged there),
prints the push's requests per entry (goal <= 1.05 on both) and its wall time over the
latency bound, requests x latency / parallelism (goal <= 1.3); then the reconcile that
follows the push, and the cost of a sync when nothing changed (goal: <= 2 requests per
account on Cloud). Then again with 5 % of writes answered by "save, then drop the
response": duplicates and lost worklogs must both be 0.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keyring
from keyring.backend import KeyringBackend

from clockwork_desktop.app.services import AppServices
from clockwork_desktop.infra.credentials import KeyringCredentials
from clockwork_desktop.infra.jira.client import HttpJiraConnector
from clockwork_desktop.services.sync import MAX_PARALLEL_ISSUES

LATENCY_S = 0.05


class _Memory(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


class _Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 1, 12, 0, tzinfo=UTC)  # the entries are of the weeks before

    def monotonic(self) -> float:
        return time.monotonic()


class _FakeProcess:
    def __init__(self, issues: int, drop_rate: float, mode: str, properties: str) -> None:
        script = Path(__file__).with_name("_fake_process.py")
        self.proc = subprocess.Popen(
            [sys.executable, str(script), str(issues), str(drop_rate), mode, properties],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().strip()

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stats(self) -> dict[str, Any]:
        self.send("stats")
        assert self.proc.stdout is not None
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.send("quit")
        self.proc.wait(timeout=30)


class Pushed(NamedTuple):
    runs: int
    push_requests: int
    reconcile_requests: int
    wall_s: float  # the pushes alone


def bench_app(data: Path, base_url: str, mode: str, entries: int, issues: int) -> AppServices:
    """An app signed in to the fake with ``entries`` pending 20-minute entries on ``issues``."""
    app = AppServices(
        data, _Clock(), connector=HttpJiraConnector(), credentials=KeyringCredentials(environ={})
    )
    app.store.set_setting("timezone", "Europe/Berlin")
    if mode == "cloud":
        app.accounts.login(base_url, "tok", email="bench@example.com", name="bench")
    else:
        app.accounts.login(base_url, "tok", name="bench")
    with app.store.atomic():
        for n in range(entries):
            day = date(2026, 1, 5) + timedelta(days=n // 20)
            slot = n % 20
            app.tracker.log_time(
                f"BEN-{n % issues + 1}",
                20 * 60,
                day=day,
                start_time=datetime(2000, 1, 1, 7 + slot // 3, (slot % 3) * 20).time(),
                comment=f"entry {n}",
            )
    return app


def push_until_done(app: AppServices, jira: _FakeProcess) -> Pushed:
    """Sync until nothing is pending (at most 6 runs): each push, then the reconcile every
    sync ends with, counted apart."""
    wall = 0.0
    runs = push_requests = reconcile_requests = 0
    while True:
        runs += 1
        before = jira.stats()["requests"]
        started = time.perf_counter()
        report = app.sync.sync(reconcile=False)
        wall += time.perf_counter() - started
        pushed = jira.stats()["requests"]
        app.sync.sync(push=False)
        push_requests += pushed - before
        reconcile_requests += jira.stats()["requests"] - pushed
        if (report.pending == 0 and not report.errors) or runs >= 6:
            return Pushed(runs, push_requests, reconcile_requests, wall)


def duplicates_and_lost(app: AppServices, in_jira: list[str]) -> tuple[int, int]:
    """Worklogs in Jira that no entry links (or two do), and entries without their worklog."""
    linked = [i for e in app.store.all_entries() for i in e.worklog_ids.values()]
    duplicates = len(set(in_jira) - set(linked)) + len(linked) - len(set(linked))
    lost = len(set(linked) - set(in_jira)) + sum(
        1 for e in app.store.all_entries() if not e.worklog_ids
    )
    return duplicates, lost


def run(entries: int, issues: int, drop_rate: float, mode: str, properties: str) -> None:
    jira = _FakeProcess(issues, drop_rate, mode, properties)
    with tempfile.TemporaryDirectory() as data:
        app = bench_app(Path(data), jira.base_url, mode, entries, issues)
        per_issue = entries // issues
        jira.send(f"latency {LATENCY_S}")
        start_requests = jira.stats()["requests"]
        runs, push_requests, reconcile_requests, wall = push_until_done(app, jira)
        stats = jira.stats()
        requests = stats["requests"] - start_requests
        quiet_before = stats["requests"]
        app.sync.sync()
        quiet = jira.stats()["requests"] - quiet_before
        bound = push_requests * LATENCY_S / MAX_PARALLEL_ISSUES
        in_jira = stats["ids"]
        duplicates, lost = duplicates_and_lost(app, in_jira)
        goal = 1.05
        label = f"{mode}, inline properties {properties}, {drop_rate:.0%} of writes dropped"
        print(
            f"[{label}] {entries} entries on {issues} issues ({per_issue} each), "
            f"{LATENCY_S * 1000:.0f} ms latency, {MAX_PARALLEL_ISSUES} issues in parallel"
        )
        print(f"  sync runs: {runs}; requests: {requests}; dropped answers: {stats['dropped']}")
        print(
            f"  push requests per entry: {push_requests / entries:.3f} (goal <= {goal} without "
            f"faults); the reconcile after it: {reconcile_requests} requests "
            f"({reconcile_requests / entries:.3f} per entry)"
        )
        print(
            f"  wall {wall:.2f} s vs push latency bound {bound:.2f} s: ratio {wall / bound:.2f} "
            "(goal <= 1.3)"
        )
        print(f"  a sync when nothing changed: {quiet} requests (goal on Cloud <= 2)")
        print(
            f"  worklogs in Jira: {len(in_jira)} ({stats['tagged']} tagged); "
            f"duplicates: {duplicates}; lost: {lost}"
        )
        app.close()
    jira.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--issues", type=int, default=100)
    args = parser.parse_args()
    previous = keyring.get_keyring()
    keyring.set_keyring(_Memory())
    try:
        for mode, properties in (("cloud", "accept"), ("dc", "refuse")):
            run(args.entries, args.issues, 0.0, mode, properties)
            run(args.entries, args.issues, 0.05, mode, properties)
    finally:
        keyring.set_keyring(previous)


if __name__ == "__main__":
    main()
