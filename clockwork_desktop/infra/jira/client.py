"""JiraClient: Jira Cloud (REST v3) and Data Center (REST v2) over httpx.

Every failure becomes one of our error classes with a message a person can act on (the
session, infra/jira/session.py); the calls are grouped by resource in worklogs.py,
directory.py and workflow.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from clockwork_desktop.infra.jira.directory import DirectoryCalls
from clockwork_desktop.infra.jira.session import JITTER, MAX_WAIT_S, JiraSession, ssl_context
from clockwork_desktop.infra.jira.workflow import WorkflowCalls
from clockwork_desktop.infra.jira.worklogs import WorklogCalls

__all__ = ["JITTER", "MAX_WAIT_S", "HttpJiraConnector", "JiraClient", "JiraSession", "ssl_context"]


class JiraClient(WorklogCalls, DirectoryCalls, WorkflowCalls):
    """Every call JiraPort and AutoJiraPort name, over one JiraSession."""


class HttpJiraConnector:
    """Builds JiraClients: Cloud signs in with email + API token, Data Center with a PAT."""

    def __init__(
        self, ca_bundle: str | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._ca_bundle = ca_bundle
        self._sleep = sleep

    def connect(
        self,
        url: str,
        deployment: str,
        email: str | None,
        token: str,
        on_auth_failure: Callable[[], None] | None = None,
    ) -> JiraClient:
        return JiraClient(
            url,
            auth_kind="basic" if deployment == "cloud" else "bearer",
            email=email,
            token=token,
            deployment=deployment,
            ca_bundle=self._ca_bundle,
            sleep=self._sleep,
            on_auth_failure=on_auth_failure,
        )
