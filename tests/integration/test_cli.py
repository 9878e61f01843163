"""The command-line contract, end to end through real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(data), *args],
        capture_output=True,
        text=True,
        timeout=30,
        env={"TZ": "Europe/Berlin", "PATH": "/usr/bin:/bin"},
    )


def ok(data: Path, *args: str) -> str:
    result = cli(data, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def as_json(data: Path, *args: str) -> Any:
    return json.loads(ok(data, *args, "--json"))


def test_start_switch_stop_and_status(tmp_path: Path) -> None:
    now = datetime.now().astimezone().replace(microsecond=0)
    at = (now - timedelta(minutes=30)).isoformat()
    assert "Started PROJ-1" in ok(tmp_path, "start", "proj-1", "--comment", "review", "--at", at)
    status = as_json(tmp_path, "status")
    assert status["running"]["issue_key"] == "PROJ-1"
    assert status["running"]["comment"] == "review"
    assert status["running"]["elapsed_seconds"] >= 0
    assert set(status) == {"running", "today_seconds", "sync"}
    assert set(status["sync"]) == {"pending", "failed", "last_synced"}
    # The running issue again: one timer goes on, not two entries.
    assert "PROJ-1 is already running" in ok(tmp_path, "start", "PROJ-1")
    out = ok(tmp_path, "start", "PROJ-2", "--at", (now - timedelta(minutes=10)).isoformat())
    assert "Stopped PROJ-1" in out
    ok(tmp_path, "stop", "--comment", "done")
    status = as_json(tmp_path, "status")
    assert status["running"] is None
    entries = as_json(tmp_path, "entries")
    assert [e["issue_key"] for e in entries] == ["PROJ-1", "PROJ-2"]
    assert entries[0]["ended"] == entries[1]["started"]
    assert entries[1]["comment"] == "done"
    assert set(entries[0]) == {
        "id",
        "uuid",
        "issue_key",
        "account",
        "started",
        "ended",
        "duration_seconds",
        "log_seconds",
        "comment",
        "sync_state",
        "worklog_ids",
        "error",
        "source",  # why an automatic timer started or stopped; null for these
    }
    assert entries[0]["source"] is None
    # Instants carry the local offset.
    assert datetime.fromisoformat(entries[0]["started"]).utcoffset() is not None


def test_log_entries_edit_delete(tmp_path: Path) -> None:
    ok(
        tmp_path,
        "log",
        "ABC-7",
        "1h 30m",
        "--date",
        "2026-03-09",
        "--start",
        "14:00",
        "--comment",
        "pairing",
    )
    ok(tmp_path, "log", "ABC-8", "20s", "--date", "2026-03-09", "--start", "16:00")
    entries = as_json(tmp_path, "entries", "--week", "2026-W11")
    assert [(e["issue_key"], e["duration_seconds"]) for e in entries] == [
        ("ABC-7", 5400),
        ("ABC-8", 20),
    ]
    assert entries[0]["started"] == "2026-03-09T14:00:00+01:00"
    assert entries[0]["sync_state"] == "pending"
    assert entries[1]["sync_state"] == "too_short"
    assert entries[1]["log_seconds"] == 0
    first = entries[0]["id"]
    refused = cli(tmp_path, "edit", str(first), "--end", "16:30")
    assert refused.returncode == 1
    assert "would overlap entry" in refused.stderr
    assert "ABC-8" in refused.stderr
    bad_time = cli(tmp_path, "edit", str(first), "--end", "16:30:00")
    assert bad_time.returncode == 2  # neither HH:MM nor a full ISO instant
    ok(tmp_path, "edit", str(first), "--end", "15:45")
    entries = as_json(tmp_path, "entries", "--date", "2026-03-09")
    assert entries[0]["duration_seconds"] == 105 * 60
    overlap = cli(tmp_path, "edit", str(first), "--duration", "3h")
    assert overlap.returncode == 1
    assert "ABC-8" in overlap.stderr
    ok(tmp_path, "edit", str(first), "--issue", "abc-9", "--duration", "1h")
    listed = as_json(tmp_path, "entries", "--from", "2026-03-09", "--to", "2026-03-09")
    assert listed[0]["issue_key"] == "ABC-9"
    assert listed[0]["duration_seconds"] == 3600
    ok(tmp_path, "delete", str(first))
    assert len(as_json(tmp_path, "entries", "--date", "2026-03-09")) == 1
    text = ok(tmp_path, "entries", "--date", "2026-03-09")
    assert "too short to log" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("log", "ABC-1", "1x"), "1h30m"),
        (("log", "nokey", "1h"), "PROJ-123"),
        (("start", "ABC-1", "--at", "soon"), "HH:MM"),
        (("entries", "--week", "2026-53x"), "YYYY-Www"),
        (("entries", "--date", "9.3.2026"), "YYYY-MM-DD"),
        (("log", "ABC-1", "1h", "--start", "25:00"), "HH:MM"),
        (("edit", "abc"), "entry id"),
        (("frobnicate",), "invalid choice"),
        (("entries", "--from", "2026-03-09"), "--to"),
    ],
)
def test_bad_input_exits_2_with_what_is_accepted(
    tmp_path: Path, args: tuple[str, ...], needle: str
) -> None:
    result = cli(tmp_path, *args)
    assert result.returncode == 2, result
    assert needle in result.stderr


@pytest.mark.parametrize(
    "args",
    [("stop",), ("discard",), ("resume",), ("delete", "42"), ("edit", "42", "--comment", "x")],
)
def test_impossible_operations_exit_1(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = cli(tmp_path, *args)
    assert result.returncode == 1
    assert result.stderr.startswith("clockwork-desktop: ")


def test_start_at_and_stop_at(tmp_path: Path) -> None:
    start = (datetime.now().astimezone() - timedelta(hours=2)).replace(microsecond=0)
    ok(tmp_path, "start", "T-1", "--at", start.isoformat())
    stop_at = start + timedelta(minutes=45)
    ok(tmp_path, "stop", "--at", stop_at.isoformat())
    entries = as_json(
        tmp_path,
        "entries",
        "--from",
        (start.date() - timedelta(days=1)).isoformat(),
        "--to",
        date.today().isoformat(),
    )
    assert entries[-1]["duration_seconds"] == 45 * 60


def test_corrupt_database_is_reported(tmp_path: Path) -> None:
    (tmp_path / "clockwork.db").write_bytes(b"garbage" * 1000)
    result = cli(tmp_path, "status")
    assert result.returncode == 0
    assert "moved to" in result.stderr
    assert list(tmp_path.glob("clockwork.db.corrupt-*"))


def test_no_arguments_starts_the_app(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    result = subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(tmp_path / "data")],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "TZ": "Europe/Berlin",
            "PATH": "/usr/bin:/bin",
            "QT_QPA_PLATFORM": "offscreen",
            "CLOCKWORK_READY_FILE": str(ready),
            "CLOCKWORK_EXIT_WHEN_READY": "1",
        },
    )
    assert result.returncode == 0, result.stderr
    assert ready.read_text().strip().isdigit()


def test_status_does_not_import_heavy_modules(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from clockwork_desktop.app.main import main\n"
        f"main(['--data-dir', {str(tmp_path)!r}, 'status', '--json'])\n"
        "heavy = [m for m in ('PySide6', 'httpx', 'keyring', 'apscheduler', 'sqlite_utils',"
        " 'platformdirs') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    # First run creates the schema (which uses sqlite-utils); the second is the everyday case.
    subprocess.run([sys.executable, "-c", probe], capture_output=True, check=True, timeout=30)
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=30
    )
    assert "HEAVY []" in result.stdout


def test_timesheet_window_opens(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "clockwork_desktop",
            "--data-dir",
            str(tmp_path / "data"),
            "timesheet",
            "--window",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "TZ": "Europe/Berlin",
            "PATH": "/usr/bin:/bin",
            "QT_QPA_PLATFORM": "offscreen",
            "CLOCKWORK_EXIT_WHEN_READY": "1",
        },
    )
    assert result.returncode == 0, result.stderr


def test_my_week_from_the_cli(tmp_path: Path) -> None:
    ok(tmp_path, "log", "WK-1", "2h", "--date", "2026-03-10", "--start", "09:00")
    result = cli(tmp_path, "timesheet", "--week", "2026-W11", "--format", "json")
    assert result.returncode == 0, result.stderr
    week = json.loads(result.stdout)
    (row,) = week["rows"]
    assert row["days"] == [0, 7200, 0, 0, 0, 0, 0]
    assert row["issues"] == [{"key": "WK-1", "days": [0, 7200, 0, 0, 0, 0, 0], "total": 7200}]
    assert week["totals"] == {"days": [0, 7200, 0, 0, 0, 0, 0], "total": 7200}


def test_pause_and_resume_keep_one_entry(tmp_path: Path) -> None:
    # Started minutes ago: a timer stopped in the second it started leaves no entry.
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat(timespec="seconds")
    ok(tmp_path, "start", "PROJ-3", "--at", earlier)
    assert "Paused PROJ-3" in ok(tmp_path, "pause")
    assert as_json(tmp_path, "status")["running"]["paused"] is True
    assert "Paused: PROJ-3" in ok(tmp_path, "status")
    assert "Continued PROJ-3" in ok(tmp_path, "resume")
    assert as_json(tmp_path, "status")["running"]["paused"] is False
    ok(tmp_path, "stop")
    assert len(as_json(tmp_path, "entries")) == 1
