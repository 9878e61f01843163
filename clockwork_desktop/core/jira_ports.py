"""The Jira ports: what the services need from a signed-in Jira site (JiraPort, AutoJiraPort),
how a client is built (JiraConnector), and the records they exchange. infra/jira implements them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from clockwork_desktop.core.models import JiraIssue, JiraUser, RemoteWorklog

if TYPE_CHECKING:  # annotations only: every CLI command imports this module
    from clockwork_desktop.core.attention import ChangeEvent


class WorklogWrite(NamedTuple):
    """What we send for one worklog: the rounding policy is already applied."""

    started: datetime
    zone: str
    seconds: int
    comment: str
    properties: dict[str, Any]


class JiraPort(Protocol):
    """One signed-in Jira site. Every method may raise the Jira* errors of core.errors."""

    def server_info(self) -> dict[str, Any]: ...

    def myself(self) -> JiraUser: ...

    def add_worklog(self, issue_key: str, write: WorklogWrite) -> RemoteWorklog:
        """Raises JiraInlinePropertiesRefusedError when the site refuses inline properties."""
        ...

    def update_worklog(
        self, issue_key: str, worklog_id: str, write: WorklogWrite
    ) -> RemoteWorklog: ...

    def delete_worklog(self, issue_key: str, worklog_id: str) -> None: ...

    def get_worklog(self, issue_key: str, worklog_id: str) -> RemoteWorklog: ...

    def set_worklog_property(
        self, issue_key: str, worklog_id: str, key: str, value: Any
    ) -> None: ...

    def get_worklog_property(self, issue_key: str, worklog_id: str, key: str) -> Any | None: ...

    def worklogs_of(self, issue_key: str) -> list[RemoteWorklog]:
        """Every worklog of the issue, all pages, with properties where the site gives them."""
        ...

    def worklogs_started_between(
        self, issue_key: str, after: datetime, before: datetime
    ) -> list[RemoteWorklog]:
        """The issue's worklogs whose start is in ``[after, before)``, with properties."""
        ...

    def search(self, jql: str, limit: int = 100) -> list[JiraIssue]: ...

    def issue(self, key: str) -> JiraIssue: ...

    def pick_issues(self, text: str, limit: int = 20) -> list[JiraIssue]: ...

    def close(self) -> None: ...

    # Team timesheets.
    def worklog_feed(self, kind: str, since_ms: int) -> tuple[list[tuple[str, int]], int, bool]:
        """One page of /worklog/{kind} (updated or deleted): ((id, ms)), until, last page."""
        ...

    def worklogs_by_ids(self, ids: list[str]) -> list[RemoteWorklog]: ...

    def issue_keys(self, issue_ids: list[str]) -> dict[str, str]: ...

    def group_members(self, group: str) -> list[JiraUser]: ...

    def find_users(self, text: str) -> list[JiraUser]: ...

    def user(self, ref: str) -> JiraUser | None:
        """One person by Cloud account id, or Data Center username or key, people who left
        included (search leaves them out); None if Jira knows no such user."""
        ...


class JiraConnector(Protocol):
    """Builds a client for a site and a token (the composition root decides how).

    ``deployment`` is ``cloud`` (email + API token) or ``datacenter`` (personal access token).
    ``on_auth_failure`` runs when Jira refuses the token, whatever the request was.
    """

    def connect(
        self,
        url: str,
        deployment: str,
        email: str | None,
        token: str,
        on_auth_failure: Callable[[], None] | None = None,
    ) -> JiraPort: ...


# -- automatic timers (services.auto_timers) -------------------------------------------------


class IssueNow(NamedTuple):
    """An issue's current state as a status search returns it."""

    key: str
    updated: datetime
    status: str
    status_id: str | None
    category: str | None
    assignee: str | None  # Cloud accountId, Data Center user key
    resolved: bool


class Transition(NamedTuple):
    """One transition Jira offers for an issue now."""

    id: str
    name: str
    to_status: str  # the target status's name
    to_category: str | None  # its status category key ("new", "indeterminate", "done")


class AutoJiraPort(Protocol):
    """What automatic timers read from (and, for "the other way", write to) one Jira site."""

    def updated_since(self, since: datetime, zone: str | None, also: list[str]) -> list[IssueNow]:
        """One search: issues assigned to me (or listed in ``also``) updated at or after
        ``since``, with the fields status, assignee, resolution and updated."""
        ...

    def changelog(
        self, issue_key: str, *, spent: Callable[[], bool] | None = None
    ) -> list[ChangeEvent]:
        """Every change history of the issue (all pages), oldest first. Before each page
        after the first, ``spent()`` True stops the read with TimeBudgetSpentError."""
        ...

    def status_categories(self) -> dict[str, str]:
        """Status id -> status category key, for every status of the site."""
        ...

    def transitions(self, issue_key: str) -> list[Transition]: ...

    def do_transition(self, issue_key: str, transition_id: str) -> None: ...

    def issue_now(self, issue_key: str) -> IssueNow: ...
