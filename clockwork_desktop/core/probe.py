"""What `check-jira` finds out about a site: facts about its behaviour, and our assumptions."""

from __future__ import annotations

import enum
from typing import NamedTuple


class Outcome(enum.StrEnum):
    HOLDS = "holds"  # the assumption is true on this site
    DIFFERS = "differs"  # it is not: the client may be wrong here; please report it
    UNKNOWN = "unknown"  # could not be told this time (e.g. the feeds lag a minute)
    FACT = "fact"  # what the site does, where we handle every variant


class Finding(NamedTuple):
    key: str  # stable identifier, for scripts and bug reports
    outcome: Outcome
    summary: str  # one line for people
    detail: str = ""


class ProbeReport(NamedTuple):
    site: str
    deployment: str
    version: str
    issue: str
    findings: tuple[Finding, ...]
    left_behind: tuple[str, ...]  # ids of probe worklogs that could not be deleted

    @property
    def differs(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.DIFFERS]
