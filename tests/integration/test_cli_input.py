"""What people type at the command line: sensible forms accepted, impossible ones refused."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from clockwork_desktop.cli.output import status_text
from clockwork_desktop.services.tracker import Status, SyncSummary
from tests.integration.test_cli import as_json, cli, ok


def test_log_refuses_more_than_a_day(tmp_path: Path) -> None:
    result = cli(tmp_path, "log", "ABC-1", "25h", "--date", "2026-03-09", "--start", "08:00")
    assert result.returncode != 0
    assert "24h" in result.stderr
    assert as_json(tmp_path, "entries", "--from", "2026-03-09", "--to", "2026-03-09") == []


def test_log_start_accepts_an_hour_alone_and_compact_times(tmp_path: Path) -> None:
    ok(tmp_path, "log", "ABC-1", "30m", "--date", "2026-03-09", "--start", "9")
    ok(tmp_path, "log", "ABC-2", "30m", "--date", "2026-03-09", "--start", "1030")
    entries = as_json(tmp_path, "entries", "--from", "2026-03-09", "--to", "2026-03-09")
    starts = [datetime.fromisoformat(e["started"]).strftime("%H:%M") for e in entries]
    assert starts == ["09:00", "10:30"]


def test_status_shows_the_last_sync_as_local_time() -> None:
    status = Status(None, 0, 0, SyncSummary(0, 0, 0, "2026-03-09T13:05:42.123456+00:00"))
    text = status_text(status, ZoneInfo("Europe/Berlin"))
    assert "last synced 2026-03-09 14:05" in text
    assert "13:05:42" not in text


def test_timesheet_output_refuses_unknown_extensions(tmp_path: Path) -> None:
    result = cli(tmp_path, "timesheet", "--week", "2026-W11", "--output", str(tmp_path / "x.pdf"))
    assert result.returncode != 0
    assert ".pdf" in result.stderr
    for suffix in (".csv", ".xlsx", ".tsv", ".json", ".txt"):
        assert suffix in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def _local_spans(tmp_path: Path, day: str) -> list[tuple[str, str]]:
    entries = as_json(tmp_path, "entries", "--from", day, "--to", day)
    return [
        (
            datetime.fromisoformat(e["started"]).strftime("%Y-%m-%d %H:%M"),
            datetime.fromisoformat(e["ended"]).strftime("%Y-%m-%d %H:%M"),
        )
        for e in entries
    ]


def test_logging_a_full_day_twice_stays_inside_the_day_or_says_why(tmp_path: Path) -> None:
    ok(tmp_path, "log", "PROJ-1", "8h", "--date", "2026-03-09")
    ok(tmp_path, "log", "PROJ-1", "8h", "--date", "2026-03-09")
    spans = _local_spans(tmp_path, "2026-03-09")
    assert len(spans) == 2
    assert all(s.startswith("2026-03-09") and e.startswith("2026-03-09") for s, e in spans)
    third = cli(tmp_path, "log", "PROJ-1", "8h", "--date", "2026-03-09")
    assert third.returncode != 0
    assert "no free stretch of 8h" in third.stderr
    assert len(_local_spans(tmp_path, "2026-03-09")) == 2


def test_durations_as_people_write_them(tmp_path: Path) -> None:
    ok(tmp_path, "log", "PROJ-1", "1h30", "--date", "2026-03-09", "--start", "9")
    ok(tmp_path, "log", "PROJ-2", "1,5h", "--date", "2026-03-09", "--start", "11")
    entries = as_json(tmp_path, "entries", "--from", "2026-03-09", "--to", "2026-03-09")
    assert [e["duration_seconds"] for e in entries] == [5400, 5400]


def test_a_day_long_ago_is_logged_with_a_word_about_it(tmp_path: Path) -> None:
    result = cli(tmp_path, "log", "PROJ-1", "1h", "--date", "1990-01-02")
    assert result.returncode == 0, result.stderr
    assert "1990-01-02 is" in result.stderr
    assert "days ago" in result.stderr
