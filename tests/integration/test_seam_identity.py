"""Signing in again as another person never lets the sync touch the first person's worklogs.

End to end through real subprocesses against the fake Jira over real HTTP, Cloud and Data Center.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from clockwork_desktop.fakejira import FakeJira
from tests.integration.test_cli_jira import run
from tests.support.jira import seed
from tests.support.seams import alices, entries, log, login, login_alice, ok, sync

MODES = ["cloud", "dc"]


@pytest.fixture(params=MODES)
def site(request: pytest.FixtureRequest) -> Iterator[FakeJira]:
    with FakeJira(request.param, feed_quiet_s=0) as fake:
        seed(fake)
        yield fake
        assert fake.internal_errors == []


def test_signing_in_as_another_person_under_the_same_name_is_refused(
    tmp_path: Path, site: FakeJira
) -> None:
    login_alice(tmp_path, site)
    refused = login(tmp_path, site, "bob-token", "bob@example.com")
    assert refused.returncode != 0
    message = refused.stderr
    assert "Traceback" not in message
    assert "Bob Builder" in message
    assert "Alice Example" in message
    assert "--name" in message, "says what to do"
    assert "bob-token" not in refused.stdout + refused.stderr
    # Nothing changed: still Alice, with her token.
    (account,) = json.loads(ok(tmp_path, "accounts", "--json"))
    assert account["display_name"] == "Alice Example"
    assert "bob-token" not in (tmp_path / "keyring.json").read_text()
    # Under another name, Bob is welcome.
    bob = run(
        tmp_path,
        "login",
        "--url",
        site.base_url,
        *(("--email", "bob@example.com") if site.mode == "cloud" else ()),
        "--name",
        "bob",
        "--token-stdin",
        stdin="bob-token\n",
    )
    assert bob.returncode == 0, bob.stderr


def alice_with_two_entries_synced_then_edited(home: Path, site: FakeJira) -> dict[int, Any]:
    """Two entries synced as Alice, then one edited and one deleted here; Jira's worklogs as
    they were (what must stay so), by id."""
    site.users["acc-bob"].edit_all = True  # this Jira lets Bob edit and delete all worklogs
    login_alice(home, site)
    log(home, "PROJ-1", "09:00", "first")
    log(home, "PROJ-2", "11:00", "second")
    assert sync(home)["created"] == 2
    first, second = entries(home)
    ok(home, "edit", str(first["id"]), "--comment", "changed")
    ok(home, "delete", str(second["id"]))
    return {w.id: (w.author, w.seconds, w.comment, w.updated_ms) for w in site.worklogs.values()}


def worklogs_now(site: FakeJira) -> dict[int, Any]:
    return {w.id: (w.author, w.seconds, w.comment, w.updated_ms) for w in site.worklogs.values()}


def assert_refused_for_bob(home: Path, site: FakeJira, report: dict[str, Any]) -> None:
    assert (report["updated"], report["deleted"], report["failed"]) == (0, 0, 2)
    for problem in report["errors"]:
        assert "Bob Builder" in problem["message"], problem
        assert "not changed" in problem["message"], problem
    # Kept, visible, and not lost: both wait, failed, for the user.
    assert json.loads(ok(home, "status", "--json"))["sync"]["failed"] == 2


def test_a_token_of_another_person_changes_none_of_the_first_persons_worklogs(
    tmp_path: Path,
) -> None:
    # Data Center: a personal access token alone says who signs in (on Cloud the email and the
    # token go together, and Bob's token with Alice's email is refused).
    with FakeJira("dc", feed_quiet_s=0) as site:
        seed(site)
        before = alice_with_two_entries_synced_then_edited(tmp_path, site)
        report = sync(tmp_path, env={"CLOCKWORK_JIRA_TOKEN": "bob-token"})
        assert worklogs_now(site) == before, "Alice's worklogs are untouched"
        assert_refused_for_bob(tmp_path, site, report)
        # With Alice's own token again, both go through.
        again = json.loads(ok(tmp_path, "sync", "--retry-failed", "--json"))
        assert (again["updated"], again["deleted"]) == (1, 1)
        assert len(alices(site, "PROJ-2")) == 0
        assert site.internal_errors == []


def test_an_account_signed_in_over_by_an_older_version_changes_none_of_the_first_persons_worklogs(
    tmp_path: Path, site: FakeJira
) -> None:
    before = alice_with_two_entries_synced_then_edited(tmp_path, site)
    # What an older version let happen: Bob signed in under Alice's account name.
    bob = site.users["acc-bob"]
    bob_id = bob.account_id if site.mode == "cloud" else bob.key
    conn = sqlite3.connect(tmp_path / "data" / "clockwork.db")
    with conn:
        conn.execute(
            "UPDATE accounts SET email = ?, account_id = ?, display_name = ? WHERE name = 'work'",
            (bob.email if site.mode == "cloud" else None, bob_id, bob.display_name),
        )
    conn.close()
    keyring = tmp_path / "keyring.json"
    keyring.write_text(json.dumps(dict.fromkeys(json.loads(keyring.read_text()), "bob-token")))

    report = sync(tmp_path)
    assert worklogs_now(site) == before, "Alice's worklogs are untouched"
    assert_refused_for_bob(tmp_path, site, report)


def test_a_create_with_another_persons_token_stops_the_accounts_push(tmp_path: Path) -> None:
    # Data Center: Bob's personal access token, given through the environment, signs in as Bob.
    with FakeJira("dc", feed_quiet_s=0) as site:
        seed(site)
        login_alice(tmp_path, site)
        for key, start in (("PROJ-1", "09:00"), ("PROJ-2", "11:00"), ("PROJ-3", "13:00")):
            log(tmp_path, key, start, f"on {key}")
        result = run(tmp_path, "sync", "--json", env={"CLOCKWORK_JIRA_TOKEN": "bob-token"})
        assert result.returncode == 3, "as for a refused token: sign in again"
        report = json.loads(result.stdout)
        made = [w for w in site.worklogs.values() if w.author == "acc-bob"]
        assert len(made) == 1, "one worklog went out as Bob, and no more after its reply"
        assert report["created"] == 0
        message = report["unavailable"]
        assert f"Worklog {made[0].id}" in message
        assert "Bob Builder" in message
        assert "Alice Example" in message
        assert "login" in message, "says what to do"
        failed = [e for e in entries(tmp_path) if e["sync_state"] == "failed"]
        assert len(failed) == 1, "the entry sent as Bob waits, failed, with the reason"
        assert f"Worklog {made[0].id}" in failed[0]["error"]
        # Nothing more is sent for the account until it is signed in again.
        again = run(tmp_path, "sync", "--json", env={"CLOCKWORK_JIRA_TOKEN": "bob-token"})
        assert again.returncode == 3
        assert json.loads(again.stdout)["created"] == 0
        assert len(site.worklogs) == 1
        login_alice(tmp_path, site)
        after = json.loads(ok(tmp_path, "sync", "--retry-failed", "--json"))
        assert after["created"] == 3
        assert sorted(w.comment for w in site.worklogs.values() if w.author == "acc-alice") == [
            "on PROJ-1",
            "on PROJ-2",
            "on PROJ-3",
        ]
        assert site.internal_errors == []
