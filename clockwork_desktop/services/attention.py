"""AttentionService: every "should we tell the user, or act by ourselves?" decision.

Idle time, waking from sleep, reminders, working hours, guards on long timers and the automatic
timers (from Jira statuses and from git branches) are decided here, with an injected clock and
notifier. The tray asks and shows; the CLI's `auto poll` runs the same code.

Every setting comes from the one typed value, `core.settings.Settings` (its ``auto`` part for
the automatic timers, ``working_hours()`` for working time); what the service keeps for itself
(poll cursors, offers answered, the issue a branch suggests) is plain store state under ``auto:*``.

Threads: no lock is held across network or file I/O. A poll reads Jira and the watched HEAD
files first, with nothing held, under a time budget; then it applies what it found in one
store transaction, which in the tray runs on the thread that owns the database. So the
minute's check and every tray action wait at most for that short transaction, never for
Jira. What the tray shows (``warning``, ``offers``) is one immutable snapshot, ``view``,
replaced as a whole.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from clockwork_desktop.core.attention import (
    ActiveRule,
    ChangeEvent,
    Guard,
    IssueFacts,
    Transition,
    WorkingHours,
    describe_cause,
    facts_before,
    guard_for,
    issue_key_in_branch,
    replay,
)
from clockwork_desktop.core.clock import Clock
from clockwork_desktop.core.errors import ClockworkError, InputError, TimeBudgetSpentError
from clockwork_desktop.core.logs import get_logger
from clockwork_desktop.core.models import Account, AwayPeriod, Entry
from clockwork_desktop.core.ports import (
    AutoJiraPort,
    BranchReader,
    EntryHistory,
    IssueNow,
    Notifier,
    SettingsStore,
)
from clockwork_desktop.core.settings import AutoSettings, Settings
from clockwork_desktop.core.timer import WAKE_GAP_THRESHOLD_S
from clockwork_desktop.services.tracker import TrackerService

log = get_logger(__name__)

# git HEAD files are read at most this often, however often they are asked for.
BRANCH_MIN_INTERVAL_S = 3.0

# One poll reads Jira for at most this long; what is left is read by the next one.
POLL_BUDGET_S = 30.0

# Jira's `updated >=` takes minutes; look back a little further and skip what we have seen.
POLL_MARGIN = timedelta(minutes=2)
REMIND_EVERY = timedelta(hours=1)
OUTSIDE_HOURS_GRACE_S = 15 * 60


# "switch" (to an issue now active), "start" (a branch's issue), "move" (the issue to a
# status), "resume" (the timer stopped at the end of the working day).
OfferKind = Literal["switch", "start", "move", "resume"]
# The answers to a guard's question (a timer running long, or outside working hours).
GuardAnswer = Literal["keep", "stop"]


class Offer(NamedTuple):
    """Something the user may accept from a notification or the tray menu."""

    kind: OfferKind
    issue_key: str
    account: str | None
    label: str
    why: dict[str, Any]
    transition_id: str = ""


class Suggestion(NamedTuple):
    """The issue named by the branch checked out last, for the picker to offer first."""

    issue_key: str
    branch: str
    repo: str


class AttentionView(NamedTuple):
    """What the tray shows from this service, replaced as a whole (never changed in place)."""

    warning: Guard | None = None
    offers: tuple[Offer, ...] = ()


class CollectingNotifier:
    """Keeps notifications for whoever asks later (the command line prints them)."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, tuple[str, ...]]] = []

    def notify(self, title: str, message: str, actions: tuple[str, ...] = ()) -> None:
        log.info("notification: %s: %s", title, message)
        self.shown.append((title, message, actions))


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


def _iso(at: datetime) -> str:
    return at.isoformat()


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


class AttentionService:
    def __init__(
        self,
        tracker: TrackerService,
        settings: SettingsStore,
        history: EntryHistory,
        clock: Clock,
        notifier: Notifier,
        *,
        accounts: Callable[[], list[Account]] = list,
        jira_for: Callable[[Account], AutoJiraPort] | None = None,
        branches: BranchReader | None = None,
    ) -> None:
        self._tracker = tracker
        self._settings = settings
        self._history = history
        self._clock = clock
        self.notifier = notifier
        self._accounts = accounts
        self._jira_for = jira_for
        self._branches = branches
        self._categories: dict[str, dict[str, str]] = {}
        self._last_tick: datetime | None = None
        self._idle_since: datetime | None = None
        self._reminded_at: datetime | None = None
        self._told_outside: int | None = None
        self._last_branch_read: float | None = None
        self._state = threading.Lock()  # guards the flags below; never held across I/O
        self._polling = False
        self._view = AttentionView()

    # -- what the tray shows --------------------------------------------------------------------

    @property
    def view(self) -> AttentionView:
        return self._view

    @property
    def warning(self) -> Guard | None:
        return self._view.warning

    @property
    def offers(self) -> tuple[Offer, ...]:
        return self._view.offers

    def _set_warning(self, guard: Guard | None) -> None:
        with self._state:
            self._view = self._view._replace(warning=guard)

    def _keep_offers(self, keep: Callable[[Offer], bool], add: Offer | None = None) -> None:
        with self._state:
            offers = tuple(o for o in self._view.offers if keep(o))
            self._view = self._view._replace(offers=offers + ((add,) if add else ()))

    # -- settings ---------------------------------------------------------------------------

    def _get(self, key: str, default: Any = None) -> Any:
        return self._settings.get_setting(key, default)

    def current(self) -> Settings:
        """The typed settings as stored now: the one source for every rule here."""
        return self._settings.load_settings()

    def _auto(self) -> AutoSettings:
        return self.current().auto

    def save_settings(self, value: Settings) -> None:
        """Save every setting in one transaction. An account whose timers from Jira are turned
        on now gets a fresh poll cursor with them: changes from before are never replayed."""
        before = self._auto()
        now = _iso(self._clock.now())
        also = {
            f"auto:cursor:{name}": {"polled": now, "seen": {}, "active": []}
            for name, on in value.auto.jira
            if on and not before.jira_on(name)
        }
        self._settings.save_settings(value, also)

    def _save_auto(self, auto: AutoSettings) -> None:
        chosen = dataclasses.replace(self.current(), auto=auto)
        chosen.check()
        self.save_settings(chosen)

    def hours(self) -> WorkingHours:
        return self.current().working_hours()

    def jira_enabled(self, account: str) -> bool:
        return self._auto().jira_on(account)

    def set_jira(self, account: str, enabled: bool) -> None:
        """Opt an account in or out; changes before this moment are never replayed."""
        self._save_auto(self._auto().with_jira(account, enabled))

    def choose(self, key: str, value: str) -> None:
        """Set one of the automatic timers' choices (validated with the rest of the settings)."""
        choices: dict[str, Any] = {key: value}
        self._save_auto(dataclasses.replace(self._auto(), **choices))

    def set_active_statuses(self, names: list[str]) -> None:
        """Status names that count as working on an issue; none: the In Progress category."""
        chosen = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
        self._save_auto(dataclasses.replace(self._auto(), active_statuses=chosen))

    def repos(self) -> list[str]:
        return list(self._auto().repos)

    def add_repo(self, path: str) -> list[str]:
        repos = self.repos()
        if path not in repos:
            repos.append(path)
        self._save_auto(dataclasses.replace(self._auto(), repos=tuple(repos)))
        return repos

    def remove_repo(self, path: str) -> list[str]:
        repos = self.repos()
        if path not in repos:
            raise InputError(f"{path} is not watched. Watched: {', '.join(repos) or 'none'}.")
        repos.remove(path)
        self._save_auto(dataclasses.replace(self._auto(), repos=tuple(repos)))
        return repos

    def settings_summary(self) -> dict[str, Any]:
        auto = self._auto()
        accounts = {a.name: auto.jira_on(a.name) for a in self._accounts()}
        return {
            "jira": accounts,
            "active_statuses": list(auto.active_statuses) or "In Progress",
            "on_other_timer": auto.on_conflict,
            "transition": auto.transition,
            "branch": auto.branch,
            "repos": list(auto.repos),
            "poll_seconds": auto.poll_s,
            "suggested_issue": self.suggested_issue(),
            "offers": [o.label for o in self.offers],
            "warning": self.warning.message if self.warning else None,
        }

    def poll_seconds(self) -> int:
        return self._auto().poll_s

    # -- why ----------------------------------------------------------------------------------

    def sources(self, uuids: list[str]) -> dict[str, list[dict[str, Any]]]:
        return self._history.history_of(uuids)

    def is_auto(self, entry: Entry) -> bool:
        events = self._history.history_of([entry.uuid]).get(entry.uuid, [])
        return any(e.get("event") == "start" for e in events)

    def _record(self, entry: Entry, event: str, at: datetime, why: dict[str, Any]) -> None:
        self._history.add_history(entry.uuid, at, event, why)

    # -- sleep, idle, reminders -------------------------------------------------------------

    def woke_up(self) -> bool:
        """Called often (every second): True once after the machine slept.

        One threshold for everything: the heartbeat's (core.timer.WAKE_GAP_THRESHOLD_S).
        """
        now = self._clock.now()
        last, self._last_tick = self._last_tick, now
        if last is not None and (now - last).total_seconds() > WAKE_GAP_THRESHOLD_S:
            log.info("woke up after %s", now - last)
            return True
        return False

    def idle_period(self, idle_seconds: float | None, *, asking: bool = False) -> AwayPeriod | None:
        """The idle stretch to ask about, once input returns after a long pause."""
        running = self._tracker.running()
        if idle_seconds is None or running is None or running.paused or asking:
            return None
        threshold_min = self.current().idle_threshold_min
        if not threshold_min:
            return None
        now = self._clock.now()
        if idle_seconds >= threshold_min * 60:
            if self._idle_since is None:
                self._idle_since = now - timedelta(seconds=idle_seconds)
            return None
        if self._idle_since is None:
            return None
        period = AwayPeriod(self._idle_since, now, "idle")
        self._idle_since = None
        return period

    def _reminders(self, now: datetime, running: Entry | None) -> None:
        working = self.hours().working(now, self._tracker.zone)
        if running is None:
            due = self._reminded_at is None or now - self._reminded_at >= REMIND_EVERY
            if self.current().remind_no_timer and working and due:
                self._reminded_at = now
                self.notifier.notify("No timer running", "Click the tray icon to start one.")
            return
        elapsed = running.duration_seconds(now)
        if not working and self._told_outside != running.id and elapsed > OUTSIDE_HOURS_GRACE_S:
            self._told_outside = running.id
            self.notifier.notify(
                "Timer running outside working hours",
                f"{running.issue_key} is still running. Stop it if you are done.",
            )

    # -- the periodic check -----------------------------------------------------------------

    def tick(self) -> None:
        """Once a minute: working hours, automatic restarts, guards and reminders, as one
        transaction (on the thread that owns the database)."""
        self._settings.transaction(self._tick)

    def _tick(self) -> None:
        now = self._clock.now()
        self._end_of_day(now)
        self._resume_if_due(now)
        running = self._tracker.running()
        self._guard(now, running)
        self._reminders(now, running)

    def _end_of_day(self, now: datetime) -> None:
        running = self._tracker.running()
        if running is None or not self.is_auto(running):
            return
        end = self.hours().end_after(running.started_at, self._tracker.zone)
        if end is None or now < end:
            return
        stopped = self._tracker.stop(at=max(end, running.started_at))
        why = {"kind": "hours", "at": _iso(end)}
        self._record(stopped, "stop", end, why)
        self._settings.set_setting(
            "auto:resume",
            {"key": stopped.issue_key, "account": stopped.account, "after": _iso(end)},
        )
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
        resume = self._get("auto:resume")
        if not resume or self._tracker.running() is not None:
            return
        span = self.hours().span_at(now, self._tracker.zone)
        if span is None or span[0] <= _at(resume["after"]):
            return
        account = resume.get("account")
        cursor = self._get(f"auto:cursor:{account}") if account else None
        if not cursor or _at(cursor["polled"]) < span[0]:
            return  # what Jira says since the day began is not known yet: the next poll
        self._settings.set_setting("auto:resume", None)
        if resume["key"] not in cursor.get("active", []):
            return
        awake = self._last_tick is not None and self._last_tick >= span[0] - timedelta(minutes=5)
        at = span[0] if awake else now
        why = {"kind": "hours", "at": _iso(at), "resumed": True}
        self._start(resume["key"], account, at, why)

    def _guard(self, now: datetime, running: Entry | None) -> None:
        if running is None:
            self._set_warning(None)
            return
        guard = guard_for(
            running.id,
            running.issue_key,
            running.started_at,
            running.duration_seconds(now),
            now,
            self._tracker.zone,
            float(self.current().long_timer_hours or 0),
        )
        answered = {tuple(a) for a in self._get("auto:guard_answered", [])}
        if guard is None or (guard.entry_id, guard.kind) in answered:
            self._set_warning(None)
            return
        if self.warning != guard:
            self._set_warning(guard)
            self.notifier.notify("Timer still running", guard.message, ("Keep running", "Stop"))

    def answer_guard(self, action: GuardAnswer) -> None:
        """``keep``: the warning goes until the next guard; ``stop``: the timer stops now."""
        if action not in ("keep", "stop"):
            raise InputError(f"Answer keep or stop, not {action!r}.")
        guard = self.warning
        if guard is None:
            return
        answered = [list(a) for a in self._get("auto:guard_answered", [])][-20:]
        answered.append([guard.entry_id, guard.kind])
        self._settings.set_setting("auto:guard_answered", answered)
        self._set_warning(None)
        if action == "stop":
            self._tracker.stop()

    # -- offers -------------------------------------------------------------------------------

    def _offer(self, offer: Offer) -> None:
        self._keep_offers(lambda o: o.issue_key != offer.issue_key, offer)

    def accept(self, offer: Offer) -> None:
        """The user said yes to an offer from a notification or the menu."""
        self._keep_offers(lambda o: o != offer)
        if offer.kind == "move":
            port = self._port(offer.account)
            if port is not None:
                port.do_transition(offer.issue_key, offer.transition_id)
            return
        why = dict(offer.why, accepted=True)
        self._settings.transaction(
            lambda: self._start(offer.issue_key, offer.account, self._clock.now(), why)
        )

    def suggested_issue(self) -> str | None:
        """The issue the picker offers first (from the branch checked out last)."""
        found = self.suggestion()
        return found.issue_key if found else None

    def suggestion(self) -> Suggestion | None:
        value = self._get("auto:suggested")
        if not isinstance(value, dict) or not value.get("key"):
            return None
        return Suggestion(str(value["key"]), str(value.get("branch", "")), str(value.get("repo")))

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
        then the periodic check. A poll asked for while one runs returns at once, empty."""
        with self._state:
            if self._polling:
                return PollReport([], [], [], [])
            self._polling = True
        try:
            return self._poll()
        finally:
            with self._state:
                self._polling = False

    def _poll(self) -> PollReport:
        run = _Run(self._clock.monotonic() + POLL_BUDGET_S)
        if self._jira_for is not None:
            for account in self._accounts():
                if not self.jira_enabled(account.name) or account.auth_blocked:
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
        key = f"auto:cursor:{account.name}"

        def read() -> tuple[Any, str | None, ActiveRule]:
            running = self._tracker.running()
            rule = ActiveRule.of(self._auto().active_statuses)
            return self._get(key), running.issue_key if running else None, rule

        stored, running_key, rule = self._settings.transaction(read)
        now = self._clock.now()
        cursor = stored or {"polled": _iso(now), "seen": {}, "active": []}
        since = _at(cursor["polled"]) - POLL_MARGIN
        seen: dict[str, str] = dict(cursor.get("seen", {}))
        active = set(cursor.get("active", []))
        also = sorted(active | ({running_key} if running_key else set()))
        issues = port.updated_since(since, account.time_zone, also)
        transitions: list[Transition] = []
        for issue in issues:
            facts = IssueFacts(
                issue.status, issue.status_id, issue.category, issue.assignee, issue.resolved
            )
            if seen.get(issue.key) != _iso(issue.updated):
                if self._spent(run):
                    raise TimeBudgetSpentError(
                        f"The poll stopped after {POLL_BUDGET_S:.0f} s, before reading the "
                        f"changes of {issue.key}; the next poll reads on from there."
                    )
                after = _at(seen[issue.key]) if issue.key in seen else since
                changes = port.changelog(issue.key, spent=lambda: self._spent(run))
                events = [e for e in changes if e.at > after]
                transitions.extend(self._transitions(account, port, issue, facts, events, rule))
                seen[issue.key] = _iso(issue.updated)
            if facts.active(account.account_id, rule):
                active.add(issue.key)
            else:
                active.discard(issue.key)
        # Forget issues not seen for a week: the cursor stays small.
        horizon = now - timedelta(days=7)
        seen = {k: v for k, v in seen.items() if _at(v) >= horizon or k in active}
        polled = {"polled": _iso(now), "seen": seen, "active": sorted(active)}

        def apply() -> None:
            if self._get(key) != stored:
                log.info("automatic timers: %s: the cursor moved meanwhile", account.name)
                return  # settings saved meanwhile (a fresh cursor): the next poll reads again
            for transition in sorted(transitions, key=lambda t: t.at):
                self._apply(account, transition, run)
            self._settings.set_setting(key, polled)

        self._settings.transaction(apply)

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
        if not transition.active:
            resume = self._get("auto:resume")
            if resume and resume.get("key") == key:
                self._settings.set_setting("auto:resume", None)
            self._keep_offers(lambda o: o.issue_key != key or o.kind == "move")
            if running is None or running.issue_key != key:
                return
            at = max(transition.at, running.started_at)
            if self.is_auto(running):
                end = self.hours().end_after(running.started_at, self._tracker.zone)
                at = min(at, end) if end is not None else at
            stopped = self._tracker.stop(at=at)
            self._record(stopped, "stop", at, transition.why)
            run.stopped.append(key)
            self.notifier.notify(
                f"Stopped {key}", describe_cause(transition.why, self._tracker.zone)
            )
            return
        if running is not None and running.issue_key == key:
            return
        if not self.hours().working(transition.at, self._tracker.zone):
            # Automatic timers count inside working hours only: start when they begin.
            self._settings.set_setting(
                "auto:resume", {"key": key, "account": account.name, "after": _iso(transition.at)}
            )
            return
        if running is not None and self._auto().on_conflict != "switch":
            offer = Offer("switch", key, account.name, f"Switch to {key}", transition.why)
            self._offer(offer)
            run.offers.append(offer)
            cause = describe_cause(transition.why, self._tracker.zone)
            self.notifier.notify(
                f"{key} is in progress",
                f"{cause}. {running.issue_key} is running: switch?",
                ("Switch",),
            )
            return
        at = max(transition.at, running.started_at) if running is not None else transition.at
        self._start(key, account.name, at, transition.why, run)
        self.notifier.notify(f"Started {key}", describe_cause(transition.why, self._tracker.zone))

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
        resume = self._get("auto:resume")
        if resume and resume.get("key") == key:
            self._settings.set_setting("auto:resume", None)
        log.info("automatic timer on %s from %s", key, why.get("kind"))

    # -- the other way: a timer started by hand moves its issue to In Progress ----------------

    def after_manual_start(self, issue_key: str, account: str | None) -> Offer | None:
        """Offer (or perform) the move to In Progress of an issue still in a To Do status."""
        mode = self._auto().transition
        if mode == "off":
            return None
        port = self._port(account)
        if port is None:
            return None
        now = port.issue_now(issue_key)
        if now.category != "new":
            return None
        rule = ActiveRule.of(self._auto().active_statuses)
        target = next(
            (t for t in port.transitions(issue_key) if rule.matches(t.to_status, t.to_category)),
            None,
        )
        if target is None:
            return None
        offer = Offer(
            "move", issue_key, account, f"Move {issue_key} to {target.to_status}", {}, target.id
        )
        if mode == "perform":
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
        auto = self._auto()
        mode = auto.branch
        if mode == "off":
            return None
        # The files first, with nothing held; then what they say, in one transaction.
        branches = {repo: self._branches.branch(repo) for repo in auto.repos}
        return self._settings.transaction(lambda: self._branches_read(branches, mode, run))

    def _branches_read(
        self, branches: dict[str, str | None], mode: str, run: _Run | None
    ) -> str | None:
        before: dict[str, str | None] = dict(self._get("auto:branch_seen", {}))
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
                    self._settings.set_setting("auto:suggested", None)  # left that branch
                continue
            found = key
            self._switch_branch(repo, branch or "", key, mode, run or _Run())
        if known != before:  # a write changes every other process's data_version
            self._settings.set_setting("auto:branch_seen", known)
        return found

    def _switch_branch(self, repo: str, branch: str, key: str, mode: str, run: _Run) -> None:
        self._settings.set_setting("auto:suggested", {"key": key, "branch": branch, "repo": repo})
        now = self._clock.now()
        why = {"kind": "branch", "repo": repo, "branch": branch, "at": _iso(now)}
        running = self._tracker.running()
        if running is not None and running.issue_key == key:
            return
        working = self.hours().working(now, self._tracker.zone)
        if mode == "switch" and working:
            self._start(key, None, now, why, run)
            self.notifier.notify(f"Started {key}", f"Branch {branch} checked out in {repo}")
            return
        offer = Offer("start", key, None, f"Start {key} (branch {branch})", why)
        self._offer(offer)
        run.offers.append(offer)
        self.notifier.notify(f"Branch {branch}", f"Start the timer on {key}?", ("Start",))
