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
    # Writes whose answer was lost and that could not be looked up afterwards: each says what
    # Jira may hold (start, length, comment), so the user can find and delete it.
    unconfirmed: tuple[str, ...] = ()
    error: str = ""  # why the probe stopped early, when it did

    @property
    def differs(self) -> list[Finding]:
        return [f for f in self.findings if f.outcome is Outcome.DIFFERS]
