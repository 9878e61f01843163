"""Median wall time of `clockwork-desktop status` against `python -c "import sqlite3"`.

Goal: <= 1.5x, the median of the paired ratios (runs alternate; these machines are noisy).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile

from _common import cli_command, interleaved, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        base = [*cli_command(), "--data-dir", data]
        # A past day: "the latest free stretch today" does not exist just after midnight.
        log = [*base, "log", "BENCH-1", "1h", "--date", "2026-01-05", "--start", "09:00"]
        subprocess.run(log, check=True, capture_output=True)
        subprocess.run([*base, "start", "BENCH-2"], check=True, capture_output=True)
        ours, baseline = interleaved(
            [*base, "status"], [sys.executable, "-c", "import sqlite3"], args.runs
        )
    report("clockwork-desktop status", ours, baseline, goal=1.5)


if __name__ == "__main__":
    main()
