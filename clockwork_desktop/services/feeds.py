"""Reading Jira's worklog change feeds (/worklog/updated, /worklog/deleted), page by page.

Both the reconcile after every sync and the team timesheet follow these feeds from a cursor.
A feed that advances a millisecond at a time could keep one reading going for very long, so
every reading stops after a number of pages and reports where it got to: the next reading
goes on from there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from clockwork_desktop.core.ports import JiraPort

FEED_PAGES_PER_READ = 200


class FeedRead(NamedTuple):
    times: dict[str, int]  # worklog id -> the feed's time for it, in the order listed
    reached: int  # `since` for the next page
    complete: bool  # False: the page cap stopped the reading before Jira's last page


def read_feed(
    client: JiraPort,
    kind: str,
    since: int,
    *,
    max_pages: int = FEED_PAGES_PER_READ,
    on_page: Callable[[int], None] | None = None,
) -> FeedRead:
    """The worklogs in one feed from ``since``, up to its last page or ``max_pages``.

    ``on_page`` hears how many worklogs were found so far, after every page.
    """
    times: dict[str, int] = {}
    reached = since
    for _page in range(max_pages):
        values, until, last = client.worklog_feed(kind, reached)
        times.update(values)
        # Jira's `until` is the youngest time on the page: never trust it past what the page
        # listed, or one bad answer (a year-2100 `until`) would skip every later change.
        newest = max((ms for _id, ms in values), default=reached)
        reached = max(reached, min(until, newest))
        if on_page is not None:
            on_page(len(times))
        if last or not values:
            return FeedRead(times, reached, True)
    return FeedRead(times, reached, False)
