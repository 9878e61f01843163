"""Helpers for the seam tests: the CLI in a subprocess, signed in to the fake Jira as Alice
under the account name "work"."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from clockwork_desktop.fakejira import FakeJira
from tests.integration.test_cli_jira import run


def ok(home: Path, *args: str, **kwargs: Any) -> str:
    result = run(home, *args, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def login(
    home: Path, site: FakeJira, token: str, email: str, **kwargs: Any
) -> subprocess.CompletedProcess[str]:
    cloud = ("--email", email) if site.mode == "cloud" else ()
    return run(
        home,
        "login",
        "--url",
        site.base_url,
        *cloud,
        "--name",
        "work",
        "--token-stdin",
        stdin=f"{token}\n",
        **kwargs,
    )


def login_alice(home: Path, site: FakeJira, **kwargs: Any) -> None:
    result = login(home, site, "alice-token", "alice@example.com", **kwargs)
    assert result.returncode == 0, result.stderr


def sync(home: Path, **kwargs: Any) -> dict[str, Any]:
    result = run(home, "sync", "--json", **kwargs)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def entries(home: Path, **kwargs: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(
        ok(home, "entries", "--date", "2026-03-05", "--json", **kwargs)
    )
    return found


def log(home: Path, key: str, start: str, comment: str = "", **kwargs: Any) -> None:
    ok(
        home,
        "log",
        key,
        "1h",
        "--date",
        "2026-03-05",
        "--start",
        start,
        "--comment",
        comment,
        **kwargs,
    )


def alices(site: FakeJira, key: str) -> list[Any]:
    return [w for w in site.worklogs_of(key) if w.author == "acc-alice"]
