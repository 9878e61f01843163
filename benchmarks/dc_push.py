"""What a push costs on Cloud and on Data Center: requests per entry, and 400/404 answers.

Data Center has no worklog property resource and no `properties` in its worklog (its REST
definitions list none), so the sync sends it no tag at all: exactly-once rests on the write
record and the fingerprint. Pushes 1,000 entries on 100 issues (20 ms latency) to:

- Cloud (inline properties kept: the tag rides in the create);
- Data Center as its REST definitions describe it (inline refused, no property resource);
- a Data Center site or plugin that has worklog properties (the sync still sends no tag).

Each once without faults and once with 5 % of writes saved and their answer dropped. Prints
the push's requests per entry (goal on Data Center <= 1.05 without faults), the whole run's
answers of 400 and 404 (goal 0, faults included), the reconcile after the push, and the
duplicates and lost worklogs (goal 0 and 0).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import keyring
from sync_throughput import _FakeProcess, _Memory, bench_app, duplicates_and_lost, push_until_done

LATENCY_S = 0.02
VARIANTS = [
    ("cloud", "accept", "Cloud"),
    ("dc", "refuse", "Data Center as its REST definitions describe it"),
    ("dc", "accept", "Data Center with worklog properties (a site or plugin)"),
]


def _refused(stats: dict[str, Any], before: dict[str, Any]) -> str:
    counts = [stats["answers"].get(s, 0) - before["answers"].get(s, 0) for s in ("400", "404")]
    return f"400: {counts[0]}, 404: {counts[1]}"


def run(
    entries: int, issues: int, drop_rate: float, mode: str, properties: str, label: str
) -> None:
    jira = _FakeProcess(issues, drop_rate, mode, properties)
    with tempfile.TemporaryDirectory() as data:
        app = bench_app(Path(data), jira.base_url, mode, entries, issues)
        jira.send(f"latency {LATENCY_S}")
        start = jira.stats()
        runs, push, reconcile, _wall = push_until_done(app, jira)
        stats = jira.stats()
        in_jira = stats["ids"]
        duplicates, lost = duplicates_and_lost(app, in_jira)
        faults = f"{drop_rate:.0%} of write answers dropped ({stats['dropped']})"
        print(f"[{label}; {faults}]")
        print(
            f"  push requests per entry: {push / entries:.3f} over {runs} sync runs "
            f"(goal on Data Center <= 1.05 without faults); reconcile after it: {reconcile}"
        )
        print(
            f"  answers in the whole run: {_refused(stats, start)} (goal 0); "
            f"duplicates: {duplicates}; lost: {lost}; tagged: {stats['tagged']} of {len(in_jira)}"
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
        print(f"{args.entries} entries on {args.issues} issues, {LATENCY_S * 1000:.0f} ms latency")
        for mode, properties, label in VARIANTS:
            for drop_rate in (0.0, 0.05):
                run(args.entries, args.issues, drop_rate, mode, properties, label)
    finally:
        keyring.set_keyring(previous)


if __name__ == "__main__":
    main()
