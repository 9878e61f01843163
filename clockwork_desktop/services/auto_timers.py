"""Automatic timers: from Jira statuses, from git branches, and within working hours.

- **From Jira statuses** (per account): a poll reads the issues assigned to me that changed
  and replays their history (``core.attention.replay``); an issue becoming mine and active
  starts its timer at the moment of that change, leaving stops it. If another timer runs,
  the user is offered the switch, or it happens, as chosen.
- **The other way**: a timer started by hand on an issue in a To Do status offers, or makes,
  the move to In Progress (``after_manual_start``).
- **From git branches**: a watched repository checking out a branch that names an issue makes
  that issue the picker's suggestion, and the timer switches to it if so chosen.
- **Working hours**: automatic timers count inside them only. One still running when the day
  ends stops then and starts again when the next working day begins, if its issue is still
  active (``tick``).

Each automatic start and stop records why (the entry's history). What the service keeps
between polls is typed (``core.ports.AutoTimerState``); choices come from
``PreferencesService``.

Threads: no lock is held across network or file I/O. A poll reads Jira and the watched HEAD
files first, with nothing held, under a time budget; then it applies what it found in one
store transaction, which in the tray runs on the thread that owns the database. So the
minute's check and every tray action wait at most for that short transaction, never for
Jira. What the tray shows from here (``offers``) is one immutable tuple, replaced as a whole.

Long because the three sources share one way to start a timer (with
its reason, its offers and the working-hours rule), and splitting them apart would spread
that one rule over several modules.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from clockwork_desktop.core.attention import (
    ActiveRule,
    ChangeEvent,
    IssueFacts,
    PendingResume,
    PollCursor,
    Suggestion,
    Transition,
    describe_cause,
    facts_before,
    issue_key_in_branch,
    replay,
)
from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import ClockworkError, TimeBudgetSpentError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, Entry
from clockwork_desktop.core.ports import (
    AutoJiraPort,
    AutoTimerState,
    BranchReader,
    EntryHistory,
    IssueNow,
    Notifier,
    Transactional,
)
from clockwork_desktop.services.preferences import PreferencesService
from clockwork_desktop.services.tracker import TrackerService

__all__ = ["AutoTimerService", "Offer", "OfferKind", "PollReport", "Suggestion"]

log = get_logger(__name__)

# git HEAD files are read at most this often, however often they are asked for.
BRANCH_MIN_INTERVAL_S = 3.0

# One poll reads Jira for at most this long; what is left is read by the next one.
POLL_BUDGET_S = 30.0

# Jira's `updated >=` takes minutes; look back a little further and skip what we have seen.
POLL_MARGIN = timedelta(minutes=2)

# Seen awake this close before working hours began: the restart counts from their start.
AWAKE_AT_START = timedelta(minutes=5)

# "switch" to an issue now active, "start" a branch's issue, "move" an issue to In Progress,
# "resume" a timer the end of the working day stopped.
OfferKind = Literal["switch", "start", "move", "resume"]


class Offer(NamedTuple):
    """Something the user may accept from a notification or the tray menu."""

    kind: OfferKind
    issue_key: str
    account: str | None
    label: str
    why: dict[str, Any]
    transition_id: str = ""


class PollReport(NamedTuple):
    started: list[str]
    stopped: list[str]
    offers: list[Offer]
    errors: list[str]


class _Run:
    def __init__(self, deadline: float | None = None) -> None:
        self.deadline = deadline  # monotonic; the budget of the network reads
        self.started: list[str] = []
        self.stopped: list[str] = []
        self.offers: list[Offer] = []
        self.errors: list[str] = []

    def report(self) -> PollReport:
        return PollReport(self.started, self.stopped, self.offers, self.errors)


class AutoTimerService:
    def __init__(
        self,
        tracker: TrackerService,
        preferences: PreferencesService,
        state: AutoTimerState,
        history: EntryHistory,
        db: Transactional,
        clock: Clock,
        notifier: Notifier,
        *,
        accounts: Callable[[], list[Account]] = list,
        jira_for: Callable[[Account], AutoJiraPort] | None = None,
        branches: BranchReader | None = None,
        last_awake: Callable[[], datetime | None] = lambda: None,
    ) -> None:
        """``last_awake``: when the machine was last seen awake (``NudgeService.last_awake``),
        so that a timer restarted in the morning counts from the start of working hours."""
        self._tracker = tracker
        self._preferences = preferences
        self._state = state
        self._history = history
        self._db = db
        self._clock = clock
        self.notifier = notifier
        self._accounts = accounts
        self._jira_for = jira_for
        self._branches = branches
        self._last_awake = last_awake
        self._categories: dict[str, dict[str, str]] = {}
        self._last_branch_read: float | None = None
        self._lock = threading.Lock()  # guards the two below; never held across I/O
        self._polling = False
        self._offers: tuple[Offer, ...] = ()

    # -- what the tray shows --------------------------------------------------------------------

    @property
    def offers(self) -> tuple[Offer, ...]:
        """What the user may accept now, the latest last (immutable, replaced as a whole)."""
        return self._offers

    def _keep_offers(self, keep: Callable[[Offer], bool], add: Offer | None = None) -> None:
        with self._lock:
            kept = tuple(o for o in self._offers if keep(o))
            self._offers = kept + ((add,) if add else ())

    def _offer(self, offer: Offer) -> None:
        self._keep_offers(lambda o: o.issue_key != offer.issue_key, offer)

    def summary(self, accounts: list[str]) -> dict[str, Any]:
        """The choices and what is offered now, as `auto status` shows them."""
        return self._preferences.auto_summary(accounts) | {
            "suggested_issue": self.suggested_issue(),
            "offers": [o.label for o in self.offers],
        }

    # -- why ----------------------------------------------------------------------------------

    def sources(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        return self._history.history_of(uuids)

    def is_auto(self, entry: Entry) -> bool:
        events = self._history.history_of([entry.uuid]).get(entry.uuid, [])
        return any(e.get("event") == "start" for e in events)

    def _record(self, entry: Entry, event: str, at: datetime, why: dict[str, Any]) -> None:
        self._history.add_history(entry.uuid, at, event, why)

    # -- working hours: the minute's check ----------------------------------------------------

    def tick(self) -> None:
        """Once a minute: an automatic timer stops when working hours end, and starts again
        when they begin, as one transaction (on the thread that owns the database)."""
        self._db.transaction(self._tick)

    def _tick(self) -> None:
        now = self._clock.now()
        self._end_of_day(now)
        self._resume_if_due(now)

    def _end_of_day(self, now: datetime) -> None:
        running = self._tracker.running()
        if running is None or not self.is_auto(running):
            return
        end = self._preferences.hours().end_after(running.started_at, self._tracker.zone)
        if end is None or now < end:
            return
        stopped = self._tracker.stop(at=max(end, running.started_at))
        self._record(stopped, "stop", end, {"kind": "hours", "at": end.isoformat()})
        self._state.set_pending_resume(PendingResume(stopped.issue_key, stopped.account, end))
        when = end.astimezone(self._tracker.zone).strftime("%H:%M")
        offer = Offer(
            "resume", stopped.issue_key, stopped.account, f"Resume {stopped.issue_key}", {}
        )
        self._offer(offer)
        self.notifier.notify(
            f"Stopped {stopped.issue_key} at {when}",
            "The working day ended. Still working? Resume",
            ("Resume",),
        )

    def _resume_if_due(self, now: datetime) -> None:
        resume = self._state.pending_resume()
        if resume is None or self._tracker.running() is not None:
            return
        span = self._preferences.hours().span_at(now, self._tracker.zone)
        if span is None or span[0] <= resume.after:
            return
        account = resume.account
        cursor = self._state.poll_cursor(account) if account else None
        if cursor is None or cursor.polled < span[0]:
            return  # what Jira says since the day began is not known yet: the next poll
        self._state.set_pending_resume(None)
        if resume.issue_key not in cursor.active:
            return
        awake = self._last_awake()
        at = span[0] if awake is not None and awake >= span[0] - AWAKE_AT_START else now
        why = {"kind": "hours", "at": at.isoformat(), "resumed": True}
        self._start(resume.issue_key, account, at, why)

    def _forget_resume_of(self, key: str) -> None:
        resume = self._state.pending_resume()
        if resume is not None and resume.issue_key == key:
            self._state.set_pending_resume(None)

    # -- offers -------------------------------------------------------------------------------

    def accept(self, offer: Offer) -> None:
        """The user said yes to an offer from a notification or the menu."""
        self._keep_offers(lambda o: o != offer)
        if offer.kind == "move":
            port = self._port(offer.account)
            if port is not None:
                port.do_transition(offer.issue_key, offer.transition_id)
            return
        why = dict(offer.why, accepted=True)
        self._db.transaction(
            lambda: self._start(offer.issue_key, offer.account, self._clock.now(), why)
        )

    def suggested_issue(self) -> str | None:
        """The issue the picker offers first (from the branch checked out last)."""
        found = self.suggestion()
        return found.issue_key if found else None

    def suggestion(self) -> Suggestion | None:
        return self._state.suggestion()

    # -- timers from Jira ---------------------------------------------------------------------

    def _port(self, account_name: str | None) -> AutoJiraPort | None:
        if self._jira_for is None:
            return None
        for account in self._accounts():
            if account_name is None or account.name == account_name:
                return self._jira_for(account)
        return None

    def poll(self) -> PollReport:
        """One poll of every automatic source (Jira accounts opted in, watched repositories),
        then the minute's check. A poll asked for while one runs returns at once, empty."""
        with self._lock:
            if self._polling:
                return PollReport([], [], [], [])
            self._polling = True
        try:
            return self._poll()
        finally:
            with self._lock:
                self._polling = False

    def _poll(self) -> PollReport:
        run = _Run(self._clock.monotonic() + POLL_BUDGET_S)
        if self._jira_for is not None:
            for account in self._accounts():
                if not self._preferences.jira_enabled(account.name) or account.auth_blocked:
                    continue
                try:
                    self._poll_account(account, self._jira_for(account), run)
                except ClockworkError as exc:
                    log.warning("automatic timers: %s: %s", account.name, exc)
                    run.errors.append(f"{account.name}: {exc}")
        self.poll_branches(run)
        self.tick()
        return run.report()

    def _spent(self, run: _Run) -> bool:
        return run.deadline is not None and self._clock.monotonic() >= run.deadline

    def _poll_account(self, account: Account, port: AutoJiraPort, run: _Run) -> None:
        """Read the cursor, then Jira (nothing held), then apply all in one transaction."""
        name = account.name

        def read() -> tuple[PollCursor | None, str | None, ActiveRule]:
            running = self._tracker.running()
            rule = ActiveRule.of(self._preferences.auto().active_statuses)
            return self._state.poll_cursor(name), running.issue_key if running else None, rule

        stored, running_key, rule = self._db.transaction(read)
        now = self._clock.now()
        cursor = stored or PollCursor.fresh(now)
        since = cursor.polled - POLL_MARGIN
        seen: dict[str, datetime] = dict(cursor.seen)
        active = set(cursor.active)
        also = sorted(active | ({running_key} if running_key else set()))
        issues = port.updated_since(since, account.time_zone, also)
        transitions: list[Transition] = []
        for issue in issues:
            facts = IssueFacts(
                issue.status, issue.status_id, issue.category, issue.assignee, issue.resolved
            )
            if seen.get(issue.key) != issue.updated:
                if self._spent(run):
                    raise TimeBudgetSpentError(
                        f"The poll stopped after {POLL_BUDGET_S:.0f} s, before reading the "
                        f"changes of {issue.key}; the next poll reads on from there."
                    )
                after = seen.get(issue.key, since)
                changes = port.changelog(issue.key, spent=lambda: self._spent(run))
                events = [e for e in changes if e.at > after]
                transitions.extend(self._transitions(account, port, issue, facts, events, rule))
                seen[issue.key] = issue.updated
            if facts.active(account.account_id, rule):
                active.add(issue.key)
            else:
                active.discard(issue.key)
        # Forget issues not seen for a week: the cursor stays small.
        horizon = now - timedelta(days=7)
        seen = {k: v for k, v in seen.items() if v >= horizon or k in active}
        polled = PollCursor(now, seen, frozenset(active))

        def apply() -> None:
            if self._state.poll_cursor(name) != stored:
                log.info("automatic timers: %s: the cursor moved meanwhile", name)
                return  # settings saved meanwhile (a fresh cursor): the next poll reads again
            for transition in sorted(transitions, key=lambda t: t.at):
                self._apply(account, transition, run)
            self._state.set_poll_cursor(name, polled)

        self._db.transaction(apply)

    def _transitions(
        self,
        account: Account,
        port: AutoJiraPort,
        issue: IssueNow,
        facts: IssueFacts,
        events: list[ChangeEvent],
        rule: ActiveRule,
    ) -> list[Transition]:
        if not events:
            return []
        categories = self._status_categories(account, port, events, rule)
        before = facts_before(facts, events, categories)
        return replay(before, events, account.account_id, rule, categories)

    def _status_categories(
        self, account: Account, port: AutoJiraPort, events: list[ChangeEvent], rule: ActiveRule
    ) -> dict[str, str]:
        known = self._categories.get(account.name, {})
        if rule.names:
            return known  # status names decide: no categories needed
        wanted = {
            value
            for e in events
            for c in e.changes
            if c.field == "status"
            for value in (c.old, c.new)
            if value
        }
        if wanted - known.keys():
            known = port.status_categories()
            self._categories[account.name] = known
        return known

    def _apply(self, account: Account, transition: Transition, run: _Run) -> None:
        key = transition.issue_key
        running = self._tracker.running()
        hours, zone = self._preferences.hours(), self._tracker.zone
        if not transition.active:
            self._forget_resume_of(key)
            self._keep_offers(lambda o: o.issue_key != key or o.kind == "move")
            if running is None or running.issue_key != key:
                return
            at = max(transition.at, running.started_at)
            if self.is_auto(running):
                end = hours.end_after(running.started_at, zone)
                at = min(at, end) if end is not None else at
            stopped = self._tracker.stop(at=at)
            self._record(stopped, "stop", at, transition.why)
            run.stopped.append(key)
            self.notifier.notify(f"Stopped {key}", describe_cause(transition.why, zone))
            return
        if running is not None and running.issue_key == key:
            return
        if not hours.working(transition.at, zone):
            # Automatic timers count inside working hours only: start when they begin.
            self._state.set_pending_resume(PendingResume(key, account.name, transition.at))
            return
        if running is not None and self._preferences.auto().on_conflict != "switch":
            offer = Offer("switch", key, account.name, f"Switch to {key}", transition.why)
            self._offer(offer)
            run.offers.append(offer)
            cause = describe_cause(transition.why, zone)
            self.notifier.notify(
                f"{key} is in progress",
                f"{cause}. {running.issue_key} is running: switch?",
                ("Switch",),
            )
            return
        at = max(transition.at, running.started_at) if running is not None else transition.at
        self._start(key, account.name, at, transition.why, run)
        self.notifier.notify(f"Started {key}", describe_cause(transition.why, zone))

    def _start(
        self,
        key: str,
        account: str | None,
        at: datetime,
        why: dict[str, Any],
        run: _Run | None = None,
    ) -> None:
        try:
            result = self._tracker.start(key, at=at, account=account)
        except ClockworkError as exc:
            # Most often the moment is already covered by an entry: start now instead.
            log.info("automatic start of %s at %s refused (%s); starting now", key, at, exc)
            at = self._clock.now()
            result = self._tracker.start(key, at=at, account=account)
        if result.stopped is not None:
            self._record(result.stopped, "stop", at, dict(why, switched_to=key))
        self._record(result.started, "start", at, why)
        if run is not None:
            run.started.append(key)
        self._keep_offers(lambda o: o.issue_key != key)
        self._forget_resume_of(key)
        log.info("automatic timer on %s from %s", key, why.get("kind"))

    # -- the other way: a timer started by hand moves its issue to In Progress ----------------

    def after_manual_start(self, issue_key: str, account: str | None) -> Offer | None:
        """Offer (or perform) the move to In Progress of an issue still in a To Do status."""
        auto = self._preferences.auto()
        if auto.transition == "off":
            return None
        port = self._port(account)
        if port is None:
            return None
        now = port.issue_now(issue_key)
        if now.category != "new":
            return None
        rule = ActiveRule.of(auto.active_statuses)
        target = next(
            (t for t in port.transitions(issue_key) if rule.matches(t.to_status, t.to_category)),
            None,
        )
        if target is None:
            return None
        offer = Offer(
            "move", issue_key, account, f"Move {issue_key} to {target.to_status}", {}, target.id
        )
        if auto.transition == "perform":
            port.do_transition(issue_key, target.id)
            log.info("moved %s to %s", issue_key, target.to_status)
            return offer
        self._offer(offer)
        self.notifier.notify(f"{issue_key} is in {now.status}", f"{offer.label}?", ("Move",))
        return offer

    # -- timers from the git branch -------------------------------------------------------------

    def poll_branches(self, run: _Run | None = None, *, force: bool = False) -> str | None:
        """Read each watched repository's HEAD (at most every few seconds, unless ``force``);
        on a switch to a branch naming an issue, suggest it or switch to it. Returns the issue."""
        if self._branches is None:
            return None
        mono = self._clock.monotonic()
        last = self._last_branch_read
        if not force and last is not None and mono - last < BRANCH_MIN_INTERVAL_S:
            return None
        self._last_branch_read = mono
        auto = self._preferences.auto()
        mode = auto.branch
        if mode == "off":
            return None
        # The files first, with nothing held; then what they say, in one transaction.
        branches = {repo: self._branches.branch(repo) for repo in auto.repos}
        return self._db.transaction(lambda: self._branches_read(branches, mode, run))

    def _branches_read(
        self, branches: dict[str, str | None], mode: str, run: _Run | None
    ) -> str | None:
        before = self._state.branches_seen()
        known = dict(before)
        found = None
        for repo, branch in branches.items():
            if repo in known and known[repo] == branch:
                continue
            first = repo not in known
            known[repo] = branch
            key = issue_key_in_branch(branch)
            if first:
                continue
            if key is None:
                suggested = self.suggestion()
                if suggested is not None and suggested.repo == repo:
                    self._state.set_suggestion(None)  # left that branch
                continue
            found = key
            self._switch_branch(repo, branch or "", key, mode, run or _Run())
        if known != before:  # a write changes every other process's data_version
            self._state.set_branches_seen(known)
        return found

    def _switch_branch(self, repo: str, branch: str, key: str, mode: str, run: _Run) -> None:
        self._state.set_suggestion(Suggestion(key, branch, repo))
        now = self._clock.now()
        why = {"kind": "branch", "repo": repo, "branch": branch, "at": now.isoformat()}
        running = self._tracker.running()
        if running is not None and running.issue_key == key:
            return
        working = self._preferences.hours().working(now, self._tracker.zone)
        if mode == "switch" and working:
            self._start(key, None, now, why, run)
            self.notifier.notify(f"Started {key}", f"Branch {branch} checked out in {repo}")
            return
        offer = Offer("start", key, None, f"Start {key} (branch {branch})", why)
        self._offer(offer)
        run.offers.append(offer)
        self.notifier.notify(f"Branch {branch}", f"Start the timer on {key}?", ("Start",))
