"""IssueService: my open issues, recent issues and search, cached for offline use."""

from __future__ import annotations

import re

from clockwork_desktop.core.errors import JiraError, JiraRefusedError, JiraUnavailableError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import ISSUE_KEY_RE, JiraIssue
from clockwork_desktop.core.ports import AccountStore
from clockwork_desktop.services.accounts import AccountService

log = get_logger(__name__)

MY_OPEN_JQL = "assignee = currentUser() AND statusCategory != Done ORDER BY updated DESC"


def jql_string(text: str) -> str:
    """``text`` as a quoted JQL string: quotes and backslashes escaped, no injection."""
    cleaned = re.sub(r"[\x00-\x1f]", " ", text)
    return '"' + cleaned.replace("\\", "\\\\").replace('"', '\\"') + '"'


class IssueService:
    def __init__(self, store: AccountStore, accounts: AccountService) -> None:
        self._store = store
        self._accounts = accounts

    def my_open_issues(
        self, account_name: str | None = None, *, refresh: bool = True
    ) -> tuple[list[JiraIssue], str | None]:
        """My open issues, fresh from Jira when possible; the cache (and why) when not."""
        account = self._accounts.get(account_name)
        if refresh:
            try:
                client = self._accounts.client(account)
                try:
                    issues = client.search(MY_OPEN_JQL, limit=200)
                finally:
                    client.close()
                self._store.cache_issues(account.name, issues, mine=True)
                return issues, None
            except (JiraUnavailableError, JiraError) as exc:
                log.info("my issues from cache: %s", exc)
                return self._store.cached_issues(account.name, mine=True), str(exc)
        return self._store.cached_issues(account.name, mine=True), None

    def recent(self, limit: int = 10) -> list[JiraIssue]:
        keys = self._store.recent_issue_keys(limit)
        cached = {i.key: i for i in self._store.cached_issues(None, limit=1000)}
        return [cached.get(k, JiraIssue(k, "")) for k in keys]

    def search(
        self, text: str, account_name: str | None = None
    ) -> tuple[list[JiraIssue], str | None]:
        """Issues matching ``text`` (a key or words); cached matches when offline."""
        text = text.strip()
        if not text:
            return [], None
        account = self._accounts.get(account_name)
        try:
            client = self._accounts.client(account)
            try:
                if ISSUE_KEY_RE.match(text.upper()):
                    try:
                        found = [client.issue(text.upper())]
                    except JiraRefusedError as exc:
                        if exc.status != 404:
                            raise
                        found = []
                else:
                    found = client.pick_issues(text)
                    if not found:
                        found = client.search(f"text ~ {jql_string(text)}", limit=20)
            finally:
                client.close()
            self._store.cache_issues(account.name, found, mine=False)
            return found, None
        except (JiraUnavailableError, JiraError) as exc:
            return self._store.cached_issues(account.name, text, limit=20), str(exc)
