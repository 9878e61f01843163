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
