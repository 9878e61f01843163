"""Injected faults: one ``Fault`` per failure a test asks for (``FakeJira.inject``).

``http.HandlerBase._serve`` applies them to the request they match; the site-wide ones are
``FakeJira`` options (``latency_s``, ``drop_rate``, ``rate_limit_writes``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Fault:
    """One injected fault, consumed by the first request it matches.

    kind: ``503``, ``429``, ``500``, ``reset`` (close before processing), ``drop`` (process
    the request, then close the connection without answering), ``delay`` (sleep ``seconds``
    before answering, after processing), ``garbage`` (process, then answer 200 with HTML).
    """

    kind: str
    method: str = "*"
    path: str = ""  # a substring of the path; empty matches every path
    retry_after: int | None = 1
    reason: str = "jira-burst-based"
    seconds: float = 0.0
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.path in path
