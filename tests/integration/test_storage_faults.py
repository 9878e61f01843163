"""Disk full, a database that cannot be written, and one locked by another process for longer
than the busy timeout: each ends in a clear message and exit 1, the running timer survives and
nothing already saved is changed. Real SQLite files, through the CLI's entry point."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from clockwork_desktop.app import main as entry
from clockwork_desktop.app import services as composition
from clockwork_desktop.infra.db import database

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    # The entry point in this process, so a fault can be set on its own connection.
    monkeypatch.setattr(entry, "on_first_use", lambda _setup: None)
    monkeypatch.setenv("TZ", "Europe/Berlin")

    def run(*args: str) -> tuple[int, str, str]:
        code = entry.main(["--data-dir", str(tmp_path / "data"), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Run a PRAGMA on the app's connection right after it opens the database."""
    pragmas: list[str] = []
    real_open = composition.open_database

    def opening(data_dir: Path) -> Any:
        opened = real_open(data_dir)
        for pragma in pragmas:
            if pragma == "full":
                pages = opened.conn.execute("PRAGMA page_count").fetchone()[0]
                opened.conn.execute(f"PRAGMA max_page_count = {pages}")
            else:
                opened.conn.execute(pragma)
        return opened

    monkeypatch.setattr(composition, "open_database", opening)
    yield pragmas.append
    pragmas.clear()


def rows(tmp_path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(tmp_path / "data" / "clockwork.db")
    try:
        assert conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        return conn.execute(
            "SELECT id, issue_key, start_utc, end_utc, comment FROM entries ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def start_a_timer(cli: Cli) -> None:
    at = (datetime.now().astimezone() - timedelta(minutes=30)).replace(microsecond=0)
    code, _out, err = cli("log", "PROJ-1", "1h", "--date", "2026-03-05", "--comment", "kept")
    assert code == 0, err
    code, _out, err = cli("start", "PROJ-2", "--at", at.isoformat())
    assert code == 0, err


def still_running(cli: Cli, tmp_path: Path, before: list[tuple[Any, ...]]) -> None:
    assert rows(tmp_path) == before, "nothing saved was changed"
    code, out, _err = cli("status")
    assert code == 0
    assert "PROJ-2" in out


def test_disk_full_says_so_and_keeps_the_timer(cli: Cli, fault: Any, tmp_path: Path) -> None:
    start_a_timer(cli)
    before = rows(tmp_path)
    fault("full")
    code, _out, err = cli("log", "PROJ-3", "1h", "--date", "2026-03-06", "--comment", "x" * 20000)
    assert code == 1
    assert "disk is full" in err
    assert "Free some space" in err
    assert "Traceback" not in err
    still_running(cli, tmp_path, before)


def test_a_database_that_cannot_be_written(cli: Cli, fault: Any, tmp_path: Path) -> None:
    start_a_timer(cli)
    before = rows(tmp_path)
    fault("PRAGMA query_only = ON")  # SQLite's own read-only refusal (root ignores chmod)
    code, _out, err = cli("stop")
    assert code == 1
    assert "cannot be written" in err
    assert "check its permissions" in err
    still_running(cli, tmp_path, before)


def test_locked_longer_than_the_busy_timeout(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    start_a_timer(cli)
    before = rows(tmp_path)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(tmp_path / "data" / "clockwork.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE settings SET value = value")
    try:
        code, _out, err = cli("stop")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 1
    assert "busy" in err
    assert "Try again" in err
    still_running(cli, tmp_path, before)
    code, out, err = cli("stop")
    assert code == 0, err
    assert "Stopped PROJ-2" in out
