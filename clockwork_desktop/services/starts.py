"""Starting a timer by hand, the one use case behind the tray's Start, the picker, and
`clockwork-desktop start`: start the timer, then offer (or make) the move of its issue to
In Progress when it is still in a To Do status (`auto transition offer|perform`).

It has two steps on purpose. The timer is committed first and never waits for Jira (the
tray says "running" as soon as the row is committed, and runs this step on its DB worker);
then Jira is asked about the move (the network step, on the tray's network pool). The
command line runs both in a row with ``start_and_offer``; both callers go through this
service, so they make the same offer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple, Protocol

from clockwork_desktop.core.errors import ClockworkError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.ports import SettingsStore
from clockwork_desktop.services.tracker import StartResult, TrackerService

if TYPE_CHECKING:
    from clockwork_desktop.services.auto_timers import Offer

log = get_logger(__name__)


class MoveOffers(Protocol):
    """What starting needs from the automatic-timers service."""

    def after_manual_start(self, issue_key: str, account: str | None) -> Offer | None: ...

    def accept(self, offer: Offer) -> None: ...


class Started(NamedTuple):
    result: StartResult
    offer: Offer | None = None  # the move to In Progress (offered, or made when ``moved``)
    moved: bool = False
    problem: str = ""  # why Jira could not be asked; the timer runs all the same


class StartService:
    def __init__(
        self,
        tracker: TrackerService,
        settings: SettingsStore,
        moves: Callable[[], MoveOffers],
    ) -> None:
        self._tracker = tracker
        self._settings = settings
        self._moves = moves  # built on first use: most starts never need Jira

    def start(
        self,
        issue_key: str,
        *,
        at: datetime | None = None,
        comment: str = "",
        account: str | None = None,
    ) -> StartResult:
        """The first step: the timer, committed (a running one stops at the same instant)."""
        return self._tracker.start(issue_key, at=at, comment=comment, account=account)

    def offer_move(self, result: StartResult, *, move: bool = False) -> Started:
        """The second step: ask Jira whether the started issue is still to do, and offer the
        move (``move``: make it now). Raises what Jira's client raises."""
        mode = self._settings.load_settings().auto.transition
        if mode == "off":
            return Started(result)
        entry = result.started
        moves = self._moves()
        offer = moves.after_manual_start(entry.issue_key, entry.account)
        if offer is None:
            return Started(result)
        moved = mode == "perform"
        if move and not moved:
            moves.accept(offer)
            moved = True
        return Started(result, offer, moved)

    def start_and_offer(
        self,
        issue_key: str,
        *,
        at: datetime | None = None,
        comment: str = "",
        account: str | None = None,
        move: bool = False,
    ) -> Started:
        """Both steps in a row. The timer is started whatever Jira answers; a Jira that cannot
        be asked is reported in ``problem``, not raised."""
        result = self.start(issue_key, at=at, comment=comment, account=account)
        try:
            return self.offer_move(result, move=move)
        except ClockworkError as exc:
            log.info("the move of %s was not offered: %s", result.started.issue_key, exc)
            return Started(result, problem=str(exc))
