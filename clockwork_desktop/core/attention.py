"""Rules behind automatic timers and the tray's nudges: pure functions over plain values.

Working hours, issue keys in branch names, whether an issue counts as "mine and active", the
replay of a Jira changelog, the guards on long timers, and the typed state the automatic
timers keep between polls. No clock, no I/O: ``services.auto_timers`` and
``services.nudges`` feed these the time and the facts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from clockwork_desktop.core.timeinput import local_wall_to_utc

# A key inside a branch name: `PROJ-123-fix-login`, `feature/PROJ-7_x`. Written in capitals, as
# Jira's own development panel wants them (so `release-2026` is not an issue); the number may
# not start with 0 and the key must not be glued to other letters or digits.
_BRANCH_KEY_RE = re.compile(r"(?<![A-Za-z0-9])([A-Z][A-Z0-9_]{0,49}-[1-9]\d{0,11})(?!\d)")

IN_PROGRESS_CATEGORY = "indeterminate"  # Jira's status category key behind "In Progress"


def issue_key_in_branch(branch: str | None) -> str | None:
    """The first issue key in a branch name, upper-cased; None when there is none."""
    if not branch:
        return None
    match = _BRANCH_KEY_RE.search(branch)
    return match[1].upper() if match else None


# -- working hours ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkingHours:
    """Per weekday (Monday 0) the local start and end of work; holidays have none."""

    days: Mapping[int, tuple[time, time]]
    holidays: frozenset[date] = frozenset()

    def span_on(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The working span of a local day as UTC instants (DST-safe), or None."""
        if day in self.holidays or day.weekday() not in self.days:
            return None
        start, end = self.days[day.weekday()]
        return local_wall_to_utc(day, start, zone), local_wall_to_utc(day, end, zone)

    def span_at(self, at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
        """The working span that contains ``at``, or None outside working hours."""
        span = self.span_on(at.astimezone(zone).date(), zone)
        if span is not None and span[0] <= at < span[1]:
            return span
        return None

    def working(self, at: datetime, zone: ZoneInfo) -> bool:
        return self.span_at(at, zone) is not None

    def end_after(self, at: datetime, zone: ZoneInfo) -> datetime | None:
        """The end of the working span containing ``at``, else of the next one (a week ahead)."""
        day = at.astimezone(zone).date()
        for offset in range(8):
            span = self.span_on(day + timedelta(days=offset), zone)
            if span is not None and span[1] > at:
                return span[1]
        return None


# -- "mine and active" ----------------------------------------------------------------------


class ActiveRule(NamedTuple):
    """Which statuses count as "working on it": status names, else a status category."""

    names: frozenset[str] = frozenset()
    category: str = IN_PROGRESS_CATEGORY

    @classmethod
    def of(cls, names: Iterable[str] | None) -> ActiveRule:
        return cls(frozenset(n.strip().casefold() for n in names or () if n.strip()))

    def matches(self, status: str, category: str | None) -> bool:
        if self.names:
            return status.casefold() in self.names
        return category == self.category


@dataclass(frozen=True)
class IssueFacts:
    """What decides whether an issue is mine and active at one moment."""

    status: str
    status_id: str | None
    category: str | None
    assignee: str | None
    resolved: bool

    def active(self, me: str, rule: ActiveRule) -> bool:
        return (
            self.assignee == me and not self.resolved and rule.matches(self.status, self.category)
        )


class FieldChange(NamedTuple):
    field: str  # "status", "assignee" or "resolution" (others are ignored)
    old: str | None  # ids (status id, account id) as Jira's `from` / `to`
    new: str | None
    old_text: str | None  # Jira's `fromString` / `toString`
    new_text: str | None


class ChangeEvent(NamedTuple):
    """One changelog history: who changed what, when."""

    issue_key: str
    at: datetime
    author: str  # display name
    changes: tuple[FieldChange, ...]
    id: str = ""


def _apply(
    facts: IssueFacts, change: FieldChange, categories: Mapping[str, str], *, forward: bool
) -> IssueFacts:
    value, text = (change.new, change.new_text) if forward else (change.old, change.old_text)
    if change.field == "status":
        return replace(
            facts,
            status=text or "",
            status_id=value,
            category=categories.get(value or "") if value else None,
        )
    if change.field == "assignee":
        return replace(facts, assignee=value)
    if change.field == "resolution":
        return replace(facts, resolved=bool(value or text))
    return facts


def facts_before(
    now: IssueFacts, events: Sequence[ChangeEvent], categories: Mapping[str, str]
) -> IssueFacts:
    """The issue as it was before ``events`` (oldest first), undone from its current facts."""
    facts = now
    for event in reversed(events):
        for change in reversed(event.changes):
            facts = _apply(facts, change, categories, forward=False)
    return facts


class Transition(NamedTuple):
    """An issue became, or stopped being, mine and active."""

    issue_key: str
    at: datetime
    active: bool
    why: dict[str, Any]


def replay(
    before: IssueFacts,
    events: Sequence[ChangeEvent],
    me: str,
    rule: ActiveRule,
    categories: Mapping[str, str],
) -> list[Transition]:
    """Walk the events forward and say when the issue entered or left "mine and active"."""
    out: list[Transition] = []
    facts = before
    was = facts.active(me, rule)
    for event in events:
        for change in event.changes:
            facts = _apply(facts, change, categories, forward=True)
        now_active = facts.active(me, rule)
        if now_active != was:
            fields = {c.field: c.new_text or c.new for c in event.changes}
            why: dict[str, Any] = {
                "kind": "jira",
                "issue": event.issue_key,
                "by": event.author,
                "at": event.at.isoformat(),
                "changed": fields,
            }
            out.append(Transition(event.issue_key, event.at, now_active, why))
            was = now_active
    return out


# -- guards ---------------------------------------------------------------------------------


GuardKind = Literal["long", "midnight"]
GUARD_KINDS: tuple[GuardKind, ...] = ("long", "midnight")
GuardAnswer = Literal["keep", "stop"]  # keep the timer running, or stop it now
GUARD_ANSWERS: tuple[GuardAnswer, ...] = ("keep", "stop")


class Guard(NamedTuple):
    entry_id: int
    kind: GuardKind
    message: str


def guard_for(
    entry_id: int,
    issue_key: str,
    started_at: datetime,
    worked_seconds: int,
    now: datetime,
    zone: ZoneInfo,
    limit_hours: float,
) -> Guard | None:
    """A running timer that has gone on suspiciously long, or past local midnight."""
    if limit_hours and worked_seconds >= limit_hours * 3600:
        hours = worked_seconds // 3600
        return Guard(entry_id, "long", f"{issue_key} has been running for {hours} hours.")
    started_day = started_at.astimezone(zone).date()
    if now.astimezone(zone).date() != started_day:
        return Guard(
            entry_id,
            "midnight",
            f"{issue_key} has been running since {started_at.astimezone(zone):%a %H:%M}, "
            "past midnight.",
        )
    return None


# -- what the automatic timers keep between polls ------------------------------------------------


@dataclass(frozen=True)
class PollCursor:
    """How far the timers from Jira statuses have read one account's changes.

    ``polled``: the moment of the last poll (the next one reads changes from a little before);
    ``seen``: per issue, its ``updated`` when its changes were last read (an issue whose
    ``updated`` has not moved is not read again); ``active``: the issues that were mine and
    active at the last poll (searched for again even when no longer assigned to me).
    """

    polled: datetime
    seen: Mapping[str, datetime] = field(default_factory=dict)
    active: frozenset[str] = frozenset()

    @classmethod
    def fresh(cls, at: datetime) -> PollCursor:
        """Turned on at ``at``: changes before it are never replayed."""
        return cls(at)


@dataclass(frozen=True)
class PendingResume:
    """An automatic timer to start again when working hours next begin, if its issue is
    still active then: stopped by the end of the working day, or made active outside it."""

    issue_key: str
    account: str | None
    after: datetime  # working hours that begin after this moment


class Suggestion(NamedTuple):
    """The issue named by the branch checked out last, for the picker to offer first."""

    issue_key: str
    branch: str
    repo: str


# -- why, in words --------------------------------------------------------------------------


def describe_cause(why: Mapping[str, Any], zone: ZoneInfo) -> str:
    """Why an automatic timer started or stopped, in words: "PROJ-1 moved to … by … at …"."""
    at = str(why.get("at") or "")
    when = f" at {datetime.fromisoformat(at).astimezone(zone):%H:%M}" if at else ""
    kind = why.get("kind")
    if kind == "jira":
        changed = why.get("changed") or {}
        if changed.get("status"):
            what = f"moved to {changed['status']}"
        elif "resolution" in changed:
            what = "resolved"
        elif "assignee" in changed:
            what = "reassigned"
        else:
            what = "changed"
        return f"{why.get('issue', '')} {what} by {why.get('by') or 'someone'}{when}".strip()
    if kind == "branch":
        return f"branch {why.get('branch', '')} checked out{when}"
    if kind == "hours":
        return (
            f"working hours began{when}"
            if why.get("event") == "start"
            else (f"working hours ended{when}")
        )
    return f"{kind or 'unknown reason'}{when}"


def describe_source(events: Sequence[Mapping[str, Any]], zone: ZoneInfo) -> str:
    """An entry's history (from ``entry_history``) as one plain sentence; "" for none."""
    parts = []
    for event in events:
        verb = "started" if event.get("event") == "start" else "stopped"
        how = "when you accepted" if event.get("accepted") else "automatically"
        cause = describe_cause(event, zone)
        if event.get("switched_to"):
            cause = f"switched to {event['switched_to']} ({cause})"
        parts.append(f"{verb} {how}: {cause}")
    return "; ".join(parts)
