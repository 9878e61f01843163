"""Runs the fake Jira in its own process, so its work does not share our interpreter's GIL.

Arguments: issues, drop rate, and optionally the mode (cloud, dc) and how the site treats
inline properties (accept, drop, refuse). Reads commands on stdin, one per line:
`latency SECONDS`, `stats` (prints one JSON line), `quit`. Prints the base URL first.
A Data Center that accepts inline properties has worklog properties (FakeJira's
worklog_properties); one that refuses them has none, as its REST definitions describe.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clockwork_desktop.core.sync_plan import PROPERTY_KEY
from clockwork_desktop.fakejira import FakeJira, FakeUser


def main() -> None:
    issues, drop_rate = int(sys.argv[1]), float(sys.argv[2])
    mode = sys.argv[3] if len(sys.argv) > 3 else "cloud"
    properties = sys.argv[4] if len(sys.argv) > 4 else None
    jira = FakeJira(mode, drop_rate=drop_rate, seed=7, inline_properties=properties, feed_quiet_s=0)
    jira.add_user(
        FakeUser("acc-1", "Bench User", "bench@example.com", "tok", time_zone="Europe/Berlin")
    )
    for i in range(issues):
        jira.add_issue(f"BEN-{i + 1}", f"Benchmark issue {i + 1}")
    print(jira.start(), flush=True)
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "latency":
            jira.latency_s = float(arg)
        elif command == "stats":
            with jira.lock:
                tagged = sum(1 for w in jira.worklogs.values() if PROPERTY_KEY in w.properties)
                data = {
                    "requests": len(jira.requests),
                    # How many answers of each status (0: closed without one), so far.
                    "answers": dict(Counter(str(status) for *_, status in jira.answers)),
                    "dropped": len(jira.dropped),
                    "ids": [str(i) for i in jira.worklogs],
                    "tagged": tagged,
                }
            print(json.dumps(data), flush=True)
        elif command == "quit":
            break
    jira.stop()


if __name__ == "__main__":
    main()
