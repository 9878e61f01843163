"""Error classes shared by every layer.

Each error carries a message a person can act on. The CLI maps the classes to its exit codes:
``InputError`` is bad usage (2), ``OperationError`` an operation that cannot be done (1),
``JiraUnavailableError`` Jira unreachable or refusing the credentials (3).
"""

from __future__ import annotations


class ClockworkError(Exception):
    """Base for every error we raise on purpose."""

    exit_code = 1


class InputError(ClockworkError):
    """The user typed something we cannot accept; the message says what is accepted."""

    exit_code = 2


class OperationError(ClockworkError):
    """The request was understood but cannot be carried out (nothing running, unknown id)."""

    exit_code = 1


class NotFoundError(OperationError):
    """An entry, account or issue that does not exist."""


class OverlapError(OperationError):
    """An entry would overlap another one."""


class StorageError(ClockworkError):
    """The local database cannot be used (corrupt, newer version, disk full, locked)."""

    exit_code = 1


class JiraError(ClockworkError):
    """Base for Jira failures."""

    exit_code = 1


class JiraUnavailableError(JiraError):
    """Jira cannot be reached, or it refuses our credentials."""

    exit_code = 3


class JiraAuthError(JiraUnavailableError):
    """Jira refused the credentials (401, or a login challenge). Stop asking until a new token."""


class JiraUnreachableError(JiraUnavailableError):
    """No connection to Jira (offline, DNS, TLS, proxy)."""


class JiraRefusedError(JiraError):
    """Jira answered and refused this request (400, 403, 404, 410, 413): never retry blindly."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class JiraInlinePropertiesRefusedError(JiraRefusedError):
    """The site refuses entity properties inside a worklog body (Data Center): nothing was
    saved; tag through the worklog property resource instead."""


class JiraOutcomeUnknownError(JiraError):
    """A write was sent but no answer came back: it may or may not have been saved."""


class JiraRateLimitedError(JiraError):
    """Jira asked us to wait longer than we are willing to wait now."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class JiraProtocolError(JiraError):
    """Jira's answer was not what its API promises (malformed JSON, missing fields)."""


class TimeBudgetSpentError(JiraError):
    """A read was stopped because the time allowed for it was spent (an automatic poll)."""


class CredentialsUnavailableError(ClockworkError):
    """No usable secret store: the message names the options."""

    exit_code = 1
