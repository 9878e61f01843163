"""`entries --week` on ten years of entries (>= 50,000) against the same on 100 entries."""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import cli_command, interleaved, report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clockwork_desktop.core.ports import NewEntry
from clockwork_desktop.infra.db.database import open_database
from clockwork_desktop.infra.db.store import SqliteStore

WEEK = "2026-W10"


def fill(data: Path, count: int, end: datetime) -> None:
    """``count`` entries, 14 per working day, going back from ``end``."""
    opened = open_database(data)
    store = SqliteStore(opened.conn, opened.path)
    made = 0
    day = end
    with store.atomic():
        while made < count:
            day -= timedelta(days=1)
            if day.weekday() >= 5:
                continue
            start = day.replace(hour=7, minute=0)
            for i in range(min(14, count - made)):
                s = start + timedelta(minutes=35 * i)
                store.add(
                    NewEntry(
                        f"P{i % 7}-{made % 500 + 1}",
                        s,
                        s + timedelta(minutes=30),
                        "Europe/Berlin",
                        None,
                        comment="benchmark entry",
                    )
                )
                made += 1
    opened.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--entries", type=int, default=52_000)
    args = parser.parse_args()
    week_end = datetime(2026, 3, 9, tzinfo=UTC) + timedelta(days=7)
    with tempfile.TemporaryDirectory() as big, tempfile.TemporaryDirectory() as small:
        fill(Path(big), args.entries, week_end)
        fill(Path(small), 100, week_end)
        cmd = [*cli_command(), "--data-dir"]
        tail = ["entries", "--week", WEEK, "--json"]
        large, baseline = interleaved([*cmd, big, *tail], [*cmd, small, *tail], args.runs)
    report(f"entries --week on {args.entries} entries", large, baseline, goal=1.5)


if __name__ == "__main__":
    main()
