"""The CLI names a paused timer "paused", and counts only what a sync will send as waiting:
`status`, `entries` and `doctor` agree."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli_jira import run


def _ok(tmp_path: Path, *args: str) -> str:
    result = run(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_paused_timer_is_called_paused_by_status_and_entries(tmp_path: Path) -> None:
    _ok(tmp_path, "start", "PROJ-1")
    _ok(tmp_path, "pause")
    assert _ok(tmp_path, "status").startswith("Paused: PROJ-1")
    table = _ok(tmp_path, "entries")
    row = next(line for line in table.splitlines() if "PROJ-1" in line)
    assert "paused" in row
    assert "running" not in row
    (view,) = json.loads(_ok(tmp_path, "entries", "--json"))
    assert view["sync_state"] == "paused"


def test_too_short_entries_are_not_counted_as_waiting_by_doctor(tmp_path: Path) -> None:
    _ok(tmp_path, "log", "PROJ-1", "30s")  # under Jira's minute: it stays here for good
    status = json.loads(_ok(tmp_path, "status", "--json"))
    assert status["sync"]["pending"] == 0
    result = run(tmp_path, "doctor", "--json")
    report = json.loads(result.stdout)
    waiting = next(c for c in report["checks"] if c["name"] == "waiting entries")
    assert waiting["ok"] is True
    assert waiting["detail"].startswith("none"), waiting["detail"]
    assert "1 too short to log" in waiting["detail"]
