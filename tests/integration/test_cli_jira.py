"""The Jira commands end to end: real subprocesses, a real HTTP fake Jira, a file keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira
from tests.support.jira import seed

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site() -> Iterator[FakeJira]:
    with FakeJira("cloud") as fake:
        seed(fake)
        yield fake


def run(
    tmp_path: Path, *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "TZ": "Europe/Berlin",
        "PYTHONPATH": str(ROOT),
        "PYTHON_KEYRING_BACKEND": "tests.support.memkeyring.FileKeyring",
        "TEST_KEYRING_FILE": str(tmp_path / "keyring.json"),
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "clockwork_desktop", "--data-dir", str(tmp_path / "data"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**base_env, **(env or {})},
    )


def try_login(tmp_path: Path, site: FakeJira, token: str) -> subprocess.CompletedProcess[str]:
    return run(
        tmp_path,
        "login",
        "--url",
        site.base_url,
        "--email",
        "alice@example.com",
        "--token-stdin",
        stdin=f"{token}\n",
    )


def login(tmp_path: Path, site: FakeJira) -> None:
    result = try_login(tmp_path, site, "alice-token")
    assert result.returncode == 0, result.stderr
    assert "Alice Example" in result.stdout
    assert "Europe/Berlin" in result.stdout


def test_login_accounts_sync_and_logout(tmp_path: Path, site: FakeJira) -> None:
    login(tmp_path, site)
    accounts = json.loads(run(tmp_path, "accounts", "--json").stdout)
    assert accounts[0]["signed_in"] is True
    assert accounts[0]["deployment"] == "cloud"
    assert "alice-token" in (tmp_path / "keyring.json").read_text()
    assert (
        run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", "09:00").returncode
        == 0
    )
    result = run(tmp_path, "sync", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "created": 1,
        "updated": 0,
        "deleted": 0,
        "adopted": 0,
        "failed": 0,
        "pending": 0,
        "conflicts": 0,
        "unavailable": None,
        "busy": False,
        "error": None,
        "errors": [],
    }
    assert len(site.worklogs_of("PROJ-1")) == 1
    entries = json.loads(run(tmp_path, "entries", "--date", "2026-03-05", "--json").stdout)
    assert entries[0]["sync_state"] == "synced"
    assert entries[0]["worklog_ids"] == [str(site.worklogs_of("PROJ-1")[0].id)]
    status = json.loads(run(tmp_path, "status", "--json").stdout)
    assert status["sync"]["last_synced"] is not None
    assert run(tmp_path, "logout").returncode == 0
    assert "alice-token" not in (tmp_path / "keyring.json").read_text()
    run(tmp_path, "log", "PROJ-1", "30m", "--date", "2026-03-05", "--start", "11:00")
    signed_out = run(tmp_path, "sync")
    assert signed_out.returncode == 3
    assert "Not signed in" in signed_out.stdout + signed_out.stderr
    # The token never reached the database or the log.
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert b"alice-token" not in path.read_bytes(), path


def test_refused_credentials_exit_3_without_echoing_the_token(
    tmp_path: Path, site: FakeJira
) -> None:
    result = try_login(tmp_path, site, "s3cret-wrong")
    assert result.returncode == 3
    assert "did not accept this email and API token" in result.stderr
    # A scoped token is refused at the site's address just the same (docs/architecture.md §5.1).
    assert "with scopes" in result.stderr
    assert "s3cret-wrong" not in result.stderr + result.stdout
    assert json.loads(run(tmp_path, "accounts", "--json").stdout) == []


def test_sync_exit_codes(tmp_path: Path, site: FakeJira) -> None:
    login(tmp_path, site)
    run(tmp_path, "log", "OPS-7", "1h", "--date", "2026-03-05", "--start", "09:00")
    refused = run(tmp_path, "sync", "--json")
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["failed"] == 1
    assert report["errors"][0]["issue_key"] == "OPS-7"
    assert "permission" in report["errors"][0]["message"]
    site.stop()
    run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", "11:00")
    offline = run(tmp_path, "sync")
    assert offline.returncode == 3
    assert "Cannot reach Jira" in offline.stdout
    site.start_on(int(site.base_url.rsplit(":", 1)[1]))


def test_sync_json_while_another_sync_runs_says_busy_with_the_real_pending_count(
    tmp_path: Path, site: FakeJira
) -> None:
    from clockwork_desktop.infra.lock import FileSyncLock

    login(tmp_path, site)
    for start in ("09:00", "11:00"):
        run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", start)
    other = FileSyncLock(tmp_path / "data" / "sync.lock")  # the tray's sync, say
    assert other.acquire()
    try:
        busy = run(tmp_path, "sync", "--json")
        plain = run(tmp_path, "sync")
    finally:
        other.release()
    assert busy.returncode == 1
    report = json.loads(busy.stdout)
    assert report["busy"] is True
    assert report["pending"] == 2
    assert "busy" in report["error"]
    assert "busy" in busy.stderr
    assert plain.returncode == 1
    assert "2 pending" in plain.stdout
    assert site.worklogs_of("PROJ-1") == []


def test_environment_token_is_used_and_never_stored(tmp_path: Path, site: FakeJira) -> None:
    env = {"CLOCKWORK_JIRA_TOKEN": "alice-token"}
    result = run(tmp_path, "login", "--url", site.base_url, "--email", "alice@example.com", env=env)
    assert result.returncode == 0, result.stderr
    assert "not stored" in result.stdout
    assert not (tmp_path / "keyring.json").exists()
    run(tmp_path, "log", "PROJ-2", "45m", "--date", "2026-03-05", "--start", "09:00")
    assert run(tmp_path, "sync", env=env).returncode == 0
    assert len(site.worklogs_of("PROJ-2")) == 1


def test_the_environment_token_is_not_sent_to_a_second_site(tmp_path: Path, site: FakeJira) -> None:
    env = {"CLOCKWORK_JIRA_TOKEN": "alice-token"}
    first = run(tmp_path, "login", "--url", site.base_url, "--email", "alice@example.com", env=env)
    assert first.returncode == 0, first.stderr
    with FakeJira("cloud") as other:
        seed(other)
        args = ("login", "--url", other.base_url, "--email", "alice@example.com", "--name", "b")
        refused = run(tmp_path, *args, env=env)
        assert refused.returncode == 2
        assert "Traceback" not in refused.stderr
        assert "CLOCKWORK_JIRA_TOKEN" in refused.stderr
        assert "--token-stdin" in refused.stderr
        assert other.requests == []  # the token never left for the new site
        again = run(
            tmp_path, "login", "--url", site.base_url, "--email", "alice@example.com", env=env
        )
        assert again.returncode == 0, again.stderr  # the same site: meant for it
        given = run(tmp_path, *args, "--token-stdin", stdin="alice-token\n", env=env)
        assert given.returncode == 0, given.stderr
    accounts = json.loads(run(tmp_path, "accounts", "--json").stdout)
    assert sorted(a["name"] for a in accounts) == ["127.0.0.1", "b"]


def test_issues_and_search(tmp_path: Path, site: FakeJira) -> None:
    login(tmp_path, site)
    mine = json.loads(run(tmp_path, "issues", "--json").stdout)
    assert [i["key"] for i in mine] == ["PROJ-1", "PROJ-2"]
    found = run(tmp_path, "search", "tray")
    assert "PROJ-2" in found.stdout
    assert "Write the tray menu" in found.stdout


def test_login_needs_a_token(tmp_path: Path, site: FakeJira) -> None:
    result = run(tmp_path, "login", "--url", site.base_url, "--email", "alice@example.com")
    assert result.returncode == 2
    assert "--token-stdin" in result.stderr


def test_sync_reports_a_worklog_deleted_in_jira_as_a_conflict(tmp_path: Path) -> None:
    with FakeJira("cloud", feed_quiet_s=0) as site:
        seed(site)
        login(tmp_path, site)
        run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", "09:00")
        assert run(tmp_path, "sync").returncode == 0
        (worklog,) = site.worklogs_of("PROJ-1")
        site.delete_worklog(worklog.id)
        result = run(tmp_path, "sync", "--json")
        assert result.returncode == 1
        report = json.loads(result.stdout)
        assert report["conflicts"] == 1
        assert "deleted in Jira" in report["errors"][0]["message"]
        entries = json.loads(run(tmp_path, "entries", "--date", "2026-03-05", "--json").stdout)
        assert entries[0]["sync_state"] == "conflict"
        resolved = run(tmp_path, "resolve", str(entries[0]["id"]), "--mine")
        assert resolved.returncode == 0, resolved.stderr
        assert json.loads(run(tmp_path, "sync", "--json").stdout)["created"] == 1
        assert len(site.worklogs_of("PROJ-1")) == 1
        again = run(tmp_path, "resolve", str(entries[0]["id"]), "--jira")
        assert again.returncode == 1
        assert "synced, not conflict" in again.stderr


def test_sync_json_without_a_keyring_still_answers_in_json(tmp_path: Path, site: FakeJira) -> None:
    no_keyring = {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    token = {**no_keyring, "CLOCKWORK_JIRA_TOKEN": "alice-token"}
    login_args = ("login", "--url", site.base_url, "--email", "alice@example.com")
    assert run(tmp_path, *login_args, env=token).returncode == 0
    run(tmp_path, "log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", "09:00")
    result = run(tmp_path, "sync", "--json", env=no_keyring)
    assert result.returncode == 3
    report = json.loads(result.stdout)
    assert "No keyring" in report["unavailable"]
    assert report["pending"] == 1
    assert site.worklogs_of("PROJ-1") == []
