"""Sync planning: pure decisions over typed values; services/sync.py carries them out.

What Jira should hold for an entry is one worklog per local day. Jira has no idempotency key,
so exactly-once rests on two things: the write-ahead record of every write whose answer may
be lost (core.worklog_state.SentWrite), and recognising that write in Jira afterwards, by our
entity property where the site keeps it and otherwise by its fingerprint (author is me, same
`started` to the second, same seconds, same comment, not linked to another entry). Where
several worklogs fit, we never guess: the entry becomes a conflict for the user to settle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from datetime import datetime
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

from clockwork_desktop.core.jira_format import same_comment
from clockwork_desktop.core.models import Account, Entry, JiraUser, RemoteWorklog, SyncState
from clockwork_desktop.core.rounding import RoundingPolicy
from clockwork_desktop.core.timer import log_segments
from clockwork_desktop.core.worklog_state import LEGACY_UPDATE_START, DayWorklog, SentWrite

PROPERTY_KEY = "com.clockwork-desktop.entry"


class WantedWorklog(NamedTuple):
    day: str
    started: datetime
    seconds: int


def wanted_worklogs(
    entry: Entry, policy: RoundingPolicy, now: datetime
) -> dict[str, WantedWorklog]:
    """Per local day (ISO date), the worklog Jira should hold; days under a minute are left out."""
    if entry.deleted or entry.running:
        return {}
    return {
        s.segment.day.isoformat(): WantedWorklog(
            s.segment.day.isoformat(), s.segment.start, s.log_seconds
        )
        for s in log_segments(entry, policy, now)
        if s.loggable
    }


def property_value(entry: Entry, day: str) -> dict[str, Any]:
    return {"uuid": entry.uuid, "day": day}


def tag_of(worklog: RemoteWorklog) -> dict[str, Any] | None:
    value = worklog.properties.get(PROPERTY_KEY)
    return value if isinstance(value, dict) else None


def is_ours(worklog: RemoteWorklog, entry_uuid: str, day: str) -> bool:
    tag = tag_of(worklog)
    return tag is not None and tag.get("uuid") == entry_uuid and tag.get("day") == day


def sent_write(want: WantedWorklog, comment: str, revision: int) -> SentWrite:
    return SentWrite(want.started.replace(microsecond=0), want.seconds, comment.strip(), revision)


def fits(worklog: RemoteWorklog, sent: SentWrite) -> bool:
    """Does ``worklog`` hold exactly what ``sent`` asked for? Comments compare in their normal
    form (line ends), as every comparison of ours does: Jira gives back LF where we sent CRLF."""
    return (
        worklog.started.replace(microsecond=0) == sent.started
        and (sent.seconds is None or worklog.seconds == sent.seconds)
        and (sent.comment is None or same_comment(worklog.comment, sent.comment))
    )


def differs(remote: RemoteWorklog, wanted: WantedWorklog, comment: str) -> bool:
    return not fits(remote, sent_write(wanted, comment, 0))


class Recovery(NamedTuple):
    """What to do about a create whose answer was lost."""

    action: Literal["adopt", "post", "ask"]
    worklog: RemoteWorklog | None = None
    # Further worklogs tagged as this very entry-day (an older build posted twice): ours to
    # delete. Never anyone else's.
    duplicates: tuple[RemoteWorklog, ...] = ()
    candidates: tuple[RemoteWorklog, ...] = ()


def recover_create(
    worklogs: Iterable[RemoteWorklog],
    *,
    me: str,
    entry_uuid: str,
    day: str,
    sent: SentWrite,
    linked: Set[str],
) -> Recovery:
    """Find the worklog a lost create made, among all of the issue's worklogs.

    ``linked`` holds the ids already tied to a local entry: those belong to someone else's
    story even when they look the same (two identical meetings logged on purpose).
    """
    mine = [w for w in worklogs if w.author_id == me]
    tagged = [w for w in mine if is_ours(w, entry_uuid, day)]
    if tagged:
        return Recovery("adopt", tagged[0], duplicates=tuple(tagged[1:]))
    candidates = tuple(
        w for w in mine if w.id not in linked and tag_of(w) is None and fits(w, sent)
    )
    if len(candidates) == 1:
        return Recovery("adopt", candidates[0])
    if not candidates:
        return Recovery("post")
    return Recovery("ask", candidates=candidates)


def earlier_versions(
    worklogs: Iterable[RemoteWorklog],
    *,
    me: str,
    day: str,
    zone: ZoneInfo,
    linked: Set[str],
) -> tuple[RemoteWorklog, ...]:
    """Worklogs of mine on ``day`` that no entry claims: for an entry of a restored or copied
    store with no exact match, what Jira may hold of it as it was changed after the backup.

    Without our tag (Data Center) a version edited in the newer file no longer fits the
    backup's fingerprint; posting the backup's version would put the time in Jira twice.
    """
    return tuple(
        w
        for w in worklogs
        if w.author_id == me
        and w.id not in linked
        and tag_of(w) is None
        and w.started.astimezone(zone).date().isoformat() == day
    )


# Where a user signs in again: the GUI first (the message shows there too), then the CLI.
_SIGN_IN_AGAIN = (
    "Settings › Accounts in the app, or `clockwork-desktop login --url {url} --name {name}`"
)


def foreign_change(
    account: Account, signed_in_as: JiraUser, worklog: RemoteWorklog, day: str
) -> str | None:
    """Why the sync must not update or delete ``worklog``, or None when it may.

    Only the account's own person's worklogs are ours to change, and only with their own
    token: Jira lets someone with "Edit all worklogs" change anyone's, so its permission
    check alone would let a second person's token edit or delete the first person's work.
    """
    me = account.account_id or signed_in_as.account_id
    owner = account.display_name or me
    who = signed_in_as.display_name or signed_in_as.account_id
    if signed_in_as.account_id != me:
        return (
            f"Account {account.name!r} is {owner}'s, but its token belongs to {who}: the "
            f"worklog for {day} was not changed in Jira. Sign in again with {owner}'s own "
            f"token ({_SIGN_IN_AGAIN.format(url=account.url, name=account.name)}), then retry."
        )
    if worklog.author_id != me:
        author = worklog.author_name or worklog.author_id or "someone else"
        return (
            f"The worklog for {day} in Jira is {author}'s, not {who}'s (whom account "
            f"{account.name!r} signs in as): it was not changed in Jira. Only {author} can "
            "change it; take Jira's version to keep it as it is."
        )
    return None


def foreign_create(account: Account, created: RemoteWorklog, issue_key: str) -> str | None:
    """Why the account's push must stop after ``created``, or None when it is the account's.

    Jira makes a worklog in the name of whoever the token belongs to, so a token of another
    person (a Data Center token in ``CLOCKWORK_JIRA_TOKEN``) logs our time as theirs. The create's
    own reply names its author: no request is spent to see it.
    """
    if not account.account_id or not created.author_id or created.author_id == account.account_id:
        return None
    author = created.author_name or created.author_id
    owner = account.display_name or account.account_id
    return (
        f"Worklog {created.id} on {issue_key} was created as {author} ({created.author_id}), "
        f"not as {owner}: the token used for account {account.name!r} is {author}'s, so that "
        f"worklog is {author}'s time in Jira now (only they or a Jira administrator can delete "
        f"it). Nothing more is sent for {account.name!r} until it signs in again with "
        f"{owner}'s own token ({_SIGN_IN_AGAIN.format(url=account.url, name=account.name)}), "
        "then retry the refused entries (Retry in the Sync panel, or `sync --retry-failed`)."
    )


class Step(NamedTuple):
    """One change to make in Jira for one day of an entry."""

    action: Literal["delete", "create", "check"]
    day: str
    issue: str
    worklog_id: str | None = None
    want: WantedWorklog | None = None


def plan_steps(
    days: dict[str, DayWorklog],
    wanted: dict[str, WantedWorklog],
    *,
    issue_key: str,
    changed: bool,
) -> list[Step]:
    """The deletes, creates and checks that make Jira hold ``wanted``; deletes first.

    A day whose create is still unresolved (no id) is left alone: it is settled by recovery.
    ``check`` reads the worklog, flags a change made in Jira, and updates it if it differs.
    """
    deletes: list[Step] = []
    creates: list[Step] = []
    checks: list[Step] = []
    for day, state in sorted(days.items()):
        if state.worklog_id is None:
            continue
        if day not in wanted or state.issue != issue_key:
            deletes.append(Step("delete", day, state.issue, state.worklog_id))
    for day, want in sorted(wanted.items()):
        held = days.get(day)
        if held is None or held.gone or (held.issue != issue_key and held.worklog_id is not None):
            creates.append(Step("create", day, issue_key, want=want))
        elif held.worklog_id is not None and (changed or held.sent is not None):
            checks.append(Step("check", day, issue_key, held.worklog_id, want))
    return deletes + creates + checks


def _legacy_tag_says_ours(current: RemoteWorklog, sent: SentWrite) -> bool:
    """An update an earlier version sent and lost: its tag carried the revision it wrote."""
    if sent.started != LEGACY_UPDATE_START or sent.revision is None:
        return False
    tag = tag_of(current)
    return tag is not None and str(tag.get("rev")) == str(sent.revision)


class CheckVerdict(NamedTuple):
    action: Literal["update", "keep", "conflict"]


def check_day(
    state: DayWorklog, current: RemoteWorklog, want: WantedWorklog, comment: str
) -> CheckVerdict:
    """Decide about a worklog we hold an id for, having just read it from Jira.

    Changed in Jira since we last saw it (a different `updated` instant) is a conflict,
    unless the change is our own update whose answer was lost, or the user chose their
    version (``force``).
    """
    ours_landed = state.sent is not None and (
        fits(current, state.sent) or _legacy_tag_says_ours(current, state.sent)
    )
    changed_there = (
        state.updated is not None
        and current.updated is not None
        and current.updated != state.updated
        and not ours_landed
    )
    if changed_there and not state.force:
        return CheckVerdict("conflict")
    if differs(current, want, comment):
        return CheckVerdict("update")
    return CheckVerdict("keep")


class RemoteChange(NamedTuple):
    day: str
    kind: Literal["deleted", "changed"]


def remote_changes(
    days: dict[str, DayWorklog],
    present: dict[str, RemoteWorklog],
    checked_ids: Set[str],
) -> list[RemoteChange]:
    """Days of a synced entry whose worklog Jira deleted or someone changed.

    ``present`` holds the current worklogs by id, ``checked_ids`` the ids we looked for
    (only those can be judged missing).
    """
    found: list[RemoteChange] = []
    for day, state in sorted(days.items()):
        worklog_id = state.worklog_id
        if worklog_id is None or state.gone or worklog_id not in checked_ids:
            continue
        current = present.get(worklog_id)
        if current is None:
            found.append(RemoteChange(day, "deleted"))
        elif (
            state.updated is not None
            and current.updated is not None
            and current.updated != state.updated
        ):
            found.append(RemoteChange(day, "changed"))
    return found


def describe_changes(changes: Iterable[RemoteChange]) -> str:
    parts = [f"The worklog for {c.day} was {c.kind} in Jira." for c in changes]
    return " ".join(parts) + " Keep your version or take Jira's (Sync panel, or `resolve`)."


def mark_remote_changes(entry: Entry, changes: Sequence[RemoteChange]) -> str:
    """Make ``entry`` a conflict for ``changes`` found in Jira; the message for the user."""
    for change in changes:
        if change.kind == "deleted":
            entry.remote[change.day] = entry.remote[change.day]._replace(gone=True)
    entry.sync_state = SyncState.CONFLICT
    entry.error = describe_changes(changes)
    return entry.error
