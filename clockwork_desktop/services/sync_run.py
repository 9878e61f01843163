"""The records of one sync run: how a site takes our tags, the report and its wording, the
counts the workers share, what one account's push shares across threads, what one entry's
push changed, and the reasons a push stops (services.sync runs them)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import NamedTuple

from clockwork_desktop.core.errors import JiraAuthError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, Entry, JiraUser
from clockwork_desktop.core.ports import JiraPort, SyncStore, Tagging

log = get_logger(__name__)

# How this site takes our entity property. Data Center has no worklog properties at all
# (fakejira.FakeJira's worklog_properties names the sources): there it is always TAG_NONE,
# known from the account's deployment without a request. On Cloud it starts inline and what
# a site turns out to do is remembered per account (SyncStore.site_tagging).
TAG_INLINE: Tagging = "inline"  # inside the worklog body, confirmed in the reply (Cloud)
TAG_SEPARATE: Tagging = "separate"  # PUT .../worklog/{id}/properties/{key} after the create
TAG_NONE: Tagging = "none"  # no tags: our worklogs are recognised by the write record and
# their fingerprint alone


def site_tagging_mode(store: SyncStore, account: Account) -> Tagging:
    if not account.is_cloud:
        return TAG_NONE
    return store.site_tagging(account.name).mode or TAG_INLINE


class SyncProblem(NamedTuple):
    entry_id: int | None
    issue_key: str
    message: str


class SyncReport(NamedTuple):
    created: int = 0
    updated: int = 0
    deleted: int = 0
    adopted: int = 0
    failed: int = 0
    pending: int = 0
    errors: tuple[SyncProblem, ...] = ()
    unavailable: str | None = None  # Jira unreachable or refusing the credentials
    busy: bool = False  # another process is syncing
    conflicts: int = 0  # entries that Jira and this computer disagree on, for the user
    # Accounts that need a sign-in before anything can be sent (refused, or no token here).
    needs_sign_in: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.unavailable and not self.failed and not self.busy


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts = dict.fromkeys(
            ("created", "updated", "deleted", "adopted", "failed", "conflicts"), 0
        )
        self.errors: list[SyncProblem] = []
        self.unavailable: str | None = None
        self.needs_sign_in: list[str] = []

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, value in counts.items():
                self.counts[name] += value

    def problem(self, entry: Entry | None, message: str, issue: str = "") -> None:
        with self.lock:
            self.errors.append(
                SyncProblem(
                    entry.id if entry else None, entry.issue_key if entry else issue, message
                )
            )


class AccountRun:
    """What one account's push shares across its worker threads."""

    def __init__(self, store: SyncStore, account: Account, client: JiraPort) -> None:
        self.store = store
        self.account = account
        self.client = client
        self.lock = threading.Lock()
        self.linked = store.known_worklog_ids(account.name)
        self.tagging: Tagging = site_tagging_mode(store, account)
        # Whether tagging through the property resource moves the worklog's `updated` (not
        # known for every Jira version): None until seen once on this account.
        self.tag_moves_updated = store.site_tagging(account.name).moves_updated
        self._signed_in_as: JiraUser | None = None
        # Until one create's reply shows it was made as the account's own person, creates
        # leave one at a time; once one was made as someone else, none leaves.
        self._creates = threading.Condition(self.lock)
        self._create_in_flight = False
        self._author_confirmed = False
        self.foreign: str | None = None

    def begin_create(self) -> bool:
        """Wait until a create may leave; True when it must be confirmed (see `end_create`)."""
        with self._creates:
            while self._create_in_flight:
                self._creates.wait()
            if self.foreign is not None:
                raise JiraAuthError(self.foreign)
            if self._author_confirmed:
                return False
            self._create_in_flight = True
            return True

    def end_create(self, *, confirmed: bool, foreign: str | None = None) -> None:
        with self._creates:
            self._create_in_flight = False
            self._author_confirmed = self._author_confirmed or confirmed
            if foreign is not None:
                self.foreign = foreign
            self._creates.notify_all()

    def signed_in_as(self) -> JiraUser:
        """Whom the token belongs to: asked once per run, only before a first update or delete."""
        with self.lock:
            known = self._signed_in_as
        if known is None:
            known = self.client.myself()
            with self.lock:
                self._signed_in_as = known
        return known

    def link(self, worklog_id: str) -> None:
        with self.lock:
            self.linked.add(worklog_id)

    def is_linked(self) -> frozenset[str]:
        with self.lock:
            return frozenset(self.linked)

    def learn_tag_moves_updated(self, moves: bool) -> None:
        with self.lock:
            if self.tag_moves_updated is moves:
                return
            self.tag_moves_updated = moves
        log.info("account %s: tagging moves a worklog's updated: %s", self.account.name, moves)
        self.store.set_tag_moves_updated(self.account.name, moves)

    def learn_tagging(self, mode: Tagging, why: str) -> None:
        with self.lock:
            if self.tagging == mode:
                return
            self.tagging = mode
        log.info("account %s: tagging worklogs %s (%s)", self.account.name, mode, why)
        self.store.set_tagging(self.account.name, mode)


class Push:
    """What one entry's push changed, saved to the store as it goes and at the end."""

    def __init__(self, entry: Entry) -> None:
        self.days = dict(entry.remote)
        self.created = self.updated = self.deleted = self.adopted = 0

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "adopted": self.adopted,
        }


class EntryGone(Exception):
    """The entry was deleted for good while its push waited: send nothing for it."""


class NotOurs(Exception):
    """A worklog that is not this account's person's to change, or a token that is not theirs:
    nothing is sent, and the entry waits, failed, with the reason."""


class CreatedAsAnother(NotOurs):
    """A create's reply shows it was made as another person: stop the account's push."""


def summarise(report: SyncReport) -> Iterable[str]:
    """Lines for people: what happened and what needs them."""
    if report.busy:
        yield "Another Clockwork Desktop process is syncing right now; try again shortly."
        return
    parts = [
        f"{report.created} created",
        f"{report.updated} updated",
        f"{report.deleted} deleted",
    ]
    if report.adopted:
        parts.append(f"{report.adopted} recovered")
    tail = f"; {report.failed} failed, {report.pending} pending"
    if report.conflicts:
        tail += f", {report.conflicts} in conflict"
    yield "Sync: " + ", ".join(parts) + tail + "."
    for problem in report.errors:
        where = f"#{problem.entry_id} " if problem.entry_id is not None else ""
        yield f"  {where}{problem.issue_key}: {problem.message}"
    if report.unavailable:
        yield report.unavailable
