"""The fake Jira's public face: what tests, benchmarks and the demo import.

The fake is split by resource, so that a rule and its source sit together:

- ``state``: ``FakeJira`` (options, seeding, inspection), ``FakeUser``, ``FakeIssue``,
  ``FakeWorklog`` and the clock;
- ``faults``: ``Fault``, one injected failure;
- ``http``: the request handler's plumbing, auth, paging and ``HttpError``;
- ``routes``: the route table, joining the resource families below;
- ``issues``: issues, transitions, statuses, change history, the picker;
- ``search``: search and JQL;
- ``worklogs``: worklogs and their property resource;
- ``feeds``: ``/worklog/updated``, ``/worklog/deleted``, ``/worklog/list``;
- ``users``: users, groups, ``/myself``;
- ``formats``: times, time spent and ADF as Jira writes them.
"""

from __future__ import annotations

from clockwork_desktop.fakejira.faults import Fault
from clockwork_desktop.fakejira.formats import _adf_doc, _adf_text
from clockwork_desktop.fakejira.http import HttpError
from clockwork_desktop.fakejira.routes import _Handler
from clockwork_desktop.fakejira.state import FakeIssue, FakeJira, FakeUser, FakeWorklog

__all__ = [
    "FakeIssue",
    "FakeJira",
    "FakeUser",
    "FakeWorklog",
    "Fault",
    "HttpError",
    "_Handler",
    "_adf_doc",
    "_adf_text",
]
