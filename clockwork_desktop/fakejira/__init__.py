"""A strict fake Jira (Cloud v3/v2 and Data Center v2) over real HTTP on 127.0.0.1.

It enforces the contract we know of Jira's REST API (formats, one-minute minimum, ADF,
properties only with ``expand``, per-issue limits, permissions as 400, 410 on the old search)
and injects faults (latency, 503 with Retry-After, 429 bursts, resets, and "save the worklog,
then drop the response"). The tests run against it, and ``--demo`` starts one in-process.

Standard library only, and independent of the client code it checks.
"""

from clockwork_desktop.fakejira.server import FakeJira, FakeUser, Fault

__all__ = ["FakeJira", "FakeUser", "Fault"]
