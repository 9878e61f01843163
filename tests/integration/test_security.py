"""Defects from the security review (issue 9), each reproduced end to end before its fix."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clockwork_desktop.fakejira import FakeJira, FakeUser
from tests.integration.test_cli_jira import login, run
from tests.support.jira import seed

BEA = FakeUser("acc-bea", "Bea Second", "bea@example.com", "bea-token", time_zone="UTC")


@pytest.fixture
def site(jira: FakeJira) -> FakeJira:
    return jira


@pytest.fixture
def other_site() -> Iterator[FakeJira]:
    """A second Jira where the first site's token means nothing."""
    with FakeJira("cloud") as fake:
        seed(fake).add_user(BEA)
        yield fake


def _two_accounts(tmp_path: Path, site: FakeJira, other_site: FakeJira) -> None:
    login(tmp_path, site)
    second = run(
        tmp_path,
        *("login", "--url", other_site.base_url, "--email", BEA.email, "--name", "second"),
        "--token-stdin",
        stdin="bea-token\n",
    )
    assert second.returncode == 0, second.stderr
    for account, start in (("127.0.0.1", "09:00"), ("second", "11:00")):
        logged = run(
            tmp_path,
            *("log", "PROJ-1", "1h", "--date", "2026-03-05", "--start", start),
            *("--account", account),
        )
        assert logged.returncode == 0, logged.stderr


def test_env_token_is_not_sent_to_another_site(
    tmp_path: Path, site: FakeJira, other_site: FakeJira
) -> None:
    _two_accounts(tmp_path, site, other_site)
    before = other_site.count()
    result = run(tmp_path, "sync", env={"CLOCKWORK_JIRA_TOKEN": "alice-token"})
    assert result.returncode == 3
    assert "--account" in result.stdout + result.stderr
    assert other_site.count() == before  # not one request carried the first site's token
    accounts = json.loads(run(tmp_path, "accounts", "--json").stdout)
    assert [a["token_refused"] for a in accounts] == [False, False]


def test_env_token_applies_to_the_account_named(
    tmp_path: Path, site: FakeJira, other_site: FakeJira
) -> None:
    _two_accounts(tmp_path, site, other_site)
    env = {"CLOCKWORK_JIRA_TOKEN": "alice-token"}
    result = run(tmp_path, "sync", "--json", "--account", "127.0.0.1", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == 2
    assert len(site.worklogs_of("PROJ-1")) == 1
    assert [w.author for w in other_site.worklogs_of("PROJ-1")] == ["acc-bea"]
