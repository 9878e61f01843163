"""What we know of the Jira worklog behind each local day of an entry: a typed value.

An entry becomes one worklog per local day (docs/architecture.md §3.2). For each day we keep
the issue the worklog is on, its id once Jira has told us, the `updated` instant we last saw
(a different one later means someone changed it in Jira), and the fingerprint of a write
whose answer was lost, so the next sync can recognise it in Jira with or without our tag.
Only ``infra`` turns this into text for the database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

# Earlier versions recognised a lost update by the revision in the worklog's tag only; such a
# record carries no fingerprint, and this start, which no worklog has.
LEGACY_UPDATE_START = datetime(1970, 1, 1, tzinfo=UTC)


class SentWrite(NamedTuple):
    """A create or update that left without an answer: what Jira may now hold.

    ``seconds`` and ``comment`` are None only for records written by older versions, which
    kept the start time alone; a match then ignores them.
    """

    started: datetime  # UTC, whole seconds (Jira keeps `started` to the second at best)
    seconds: int | None
    comment: str | None
    revision: int | None = None


class DayWorklog(NamedTuple):
    issue: str
    worklog_id: str | None = None  # None while a create's outcome is unknown
    updated: datetime | None = None  # Jira's `updated`, as an instant, when we last saw it
    sent: SentWrite | None = None  # a write whose answer never came
    gone: bool = False  # deleted in Jira (a conflict until the user answers)
    force: bool = False  # the user chose their version over Jira's
    tagged: bool = True  # our entity property is on the worklog (or was never tried)

    @property
    def unsettled(self) -> bool:
        """A create whose answer was lost: the next sync finds it in Jira, or sends it again."""
        return self.worklog_id is None and self.sent is not None


def linked_ids(days: dict[str, DayWorklog]) -> dict[str, str]:
    """Day -> worklog id, for the days whose worklog Jira has confirmed."""
    return {day: w.worklog_id for day, w in days.items() if w.worklog_id is not None}
