"""The site's state: ``FakeJira`` (its options, seeding and inspection), its users, issues and
worklogs, and the clock.

The clock is ``_now_ms``; the other modules read it as ``state._now_ms()`` so that a test can
stop it in one place (tests/support/jira_process.py). ``FakeJira._tick`` stamps changes.

Just over 500 lines because ``FakeJira`` is one class: each of its options keeps the source
of the Jira behaviour it models, and tests seed and inspect the site through its methods.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

from clockwork_desktop.fakejira.faults import Fault
from clockwork_desktop.fakejira.formats import _adf_doc, _format_time
from clockwork_desktop.fakejira.http import HttpError, _errors

# Data Center user keys. Since Jira 8.4 a new user's key is "JIRAUSER" and a number, not the
# username (Atlassian's GDPR notes for Server/DC; the keys seen in pycontribs/jira#1049).
_USER_KEYS = itertools.count(10_100)


@dataclass
class FakeUser:
    account_id: str  # the fake's own id: Cloud accountId; on Data Center only inside the fake
    display_name: str
    email: str
    token: str = "token"
    time_zone: str = "UTC"  # the zone the fake counts this user's days and JQL dates in
    # The name the profile shows, where it differs: Jira keeps zone names that the IANA
    # database retired (US/Pacific-New, dropped in tzdata 2020b), which Python cannot read.
    profile_zone: str = ""
    name: str = ""  # Data Center username (the account id when left empty)
    groups: list[str] = field(default_factory=list)
    active: bool = True
    # A Jira administrator: on Data Center only they may list a group's members.
    admin: bool = False
    # Permissions: may this user log work ("Work on issues"), and edit and delete everyone's
    # worklogs ("Edit all worklogs" / "Delete all worklogs"; with only "Edit/Delete own
    # worklogs", their own) [SPEC "Update worklog" and "Delete worklog": "*Edit all worklogs*
    # ... to update any worklog or *Edit own worklogs* to update worklogs created by the user"].
    can_work: bool = True
    edit_all: bool = False
    key: str = ""  # Data Center user key, JIRAUSER<n> when left empty

    def __post_init__(self) -> None:
        if not self.key:
            self.key = f"JIRAUSER{next(_USER_KEYS)}"

    @property
    def username(self) -> str:
        return self.name or self.account_id

    def json(self, base: str, mode: str) -> dict[str, Any]:
        data: dict[str, Any] = {
            "displayName": self.display_name,
            "active": self.active,
            "timeZone": self.profile_zone or self.time_zone,
            "emailAddress": self.email,
            "self": f"{base}/rest/api/2/user?accountId={self.account_id}",
        }
        if mode == "dc":
            # DC users carry both: `name` (the username, which can be renamed) and `key`
            # (stable, distinct from the username) [DC REST UserBean; pycontribs/jira#1049].
            data["name"] = self.username
            data["key"] = self.key
            data["self"] = f"{base}/rest/api/2/user?username={self.username}"
        else:
            data["accountId"] = self.account_id
            data["accountType"] = "atlassian"
        return data


@dataclass
class FakeIssue:
    id: int
    key: str
    summary: str
    project: str
    status: str = "To Do"
    status_category: str = "new"  # new, indeterminate, done
    assignee: str | None = None
    updated_ms: int = 0
    loggable: bool = True  # False: "Log work" forbidden (answers 400)
    resolution: str | None = None
    # Change histories, oldest first, as Jira's Changelog bean [SPEC components.schemas.Changelog].
    changelog: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class FakeWorklog:
    id: int
    issue_id: int
    author: str
    update_author: str
    started: str
    started_ms: int
    seconds: int
    comment: Any
    properties: dict[str, Any]
    created_ms: int
    updated_ms: int


def _may_edit(user: FakeUser, worklog: FakeWorklog) -> bool:
    """Own worklogs always; everyone's with "Edit/Delete All Worklogs"."""
    return user.edit_all or worklog.author == user.account_id


def _now_ms() -> int:
    return int(time.time() * 1000)


class FakeJira:
    """A Jira site in a thread. ``mode`` is ``cloud`` (v3 and v2) or ``dc`` (v2 only)."""

    def __init__(
        self,
        mode: str = "cloud",
        *,
        latency_s: float = 0.0,
        feed_quiet_s: float = 60.0,
        worklog_limit: int = 10_000,
        rate_limit_writes: bool = True,
        drop_rate: float = 0.0,
        seed: int = 0,
        inline_properties: str | None = None,
        worklog_page: int | None = None,
        feed_page_size: int = 1000,
        search_page_limit: int | None = None,
        auth_denial: str = "401",
        property_moves_updated: bool = False,
        worklog_properties: bool | None = None,
    ) -> None:
        if mode not in ("cloud", "dc"):
            raise ValueError("mode is 'cloud' or 'dc'")
        self.mode = mode
        # Worklog entity properties: the resource GET|PUT|DELETE .../worklog/{id}/properties
        # [/{key}] and `properties` in the worklog bean (with expand=properties). Cloud has
        # both (its OpenAPI document: "Issue worklog properties", Worklog.properties). Data
        # Center has neither: its REST definitions (the "Jira Software Data Center REST API
        # Reference" OpenAPI document for Jira 10.x, and the jira.js client generated from the
        # Data Center 11.3 specification) list entity properties for issues, comments,
        # projects, issue types, users and dashboard items but none for worklogs, and their
        # worklog model (addWorklog, getWorklog, getIdsOfWorklogsModifiedSince) has no
        # `properties`. There the resource answers 404 as any unknown resource does. True on
        # Data Center models a site (or a plugin) that has them, as does a Data Center that
        # keeps inline properties (inline_properties="accept").
        if worklog_properties is None:
            worklog_properties = mode == "cloud" or inline_properties == "accept"
        self.worklog_properties = worklog_properties
        # Inline worklog `properties` on create/update: "accept", "drop" or "refuse".
        # Cloud accepts them (the v3 spec's Worklog bean has `properties`). Data Center's
        # WorklogJsonBean has no such field and refuses unknown fields with 400 "Unrecognized
        # field ... not marked as ignorable" (gioboa/jira-plugin#118, a self-hosted site);
        # "drop" models a server that ignores it silently, "accept" one that keeps it (only
        # where the worklog bean has properties).
        if inline_properties is None:
            inline_properties = "accept" if mode == "cloud" else "refuse"
        if inline_properties not in ("accept", "drop", "refuse"):
            raise ValueError("inline_properties is 'accept', 'drop' or 'refuse'")
        if inline_properties == "accept" and not worklog_properties:
            raise ValueError("inline_properties='accept' needs a worklog with properties")
        self.inline_properties = inline_properties
        # How a refused sign-in is answered: "401", "captcha" (403 + header) or "seraph200".
        self.auth_denial = auth_denial
        # Whether setting a worklog property moves the worklog's `updated`: unknown (no public
        # source says; docs/architecture.md §5.1), so the fake offers both; `check-jira`
        # reports what a site does.
        self.property_moves_updated = property_moves_updated
        # GET .../issue/{k}/worklog without maxResults: Data Center 9.x answers 20 worklogs
        # (sooperset/mcp-atlassian PR #1223: 68 -> 20, 4,035 -> 20); Cloud up to 5000.
        self.worklog_page = worklog_page or (20 if mode == "dc" else 5000)
        # /worklog/updated and /worklog/deleted answer at most 1000 values per page (spec).
        self.feed_page_size = feed_page_size
        self.latency_s = latency_s
        self.feed_quiet_s = feed_quiet_s
        self.worklog_limit = worklog_limit
        self.rate_limit_writes = rate_limit_writes
        self.drop_rate = drop_rate
        # /search/jql may answer with fewer issues than maxResults on any page, the last one
        # included; only a missing nextPageToken ends the list [SPEC
        # searchAndReconsileIssuesUsingJqlPost].
        # None answers full pages; a number caps every page at that many issues.
        self.search_page_limit = search_page_limit
        self._random = random.Random(seed)
        self.lock = threading.RLock()
        self.users: dict[str, FakeUser] = {}
        self.issues: dict[str, FakeIssue] = {}
        # An issue moved to another project keeps answering to its old keys: "Jira reserves
        # all previous historical keys" (Atlassian KB, moving issues), in REST and in JQL.
        self.old_keys: dict[str, str] = {}
        self.worklogs: dict[int, FakeWorklog] = {}
        self.deleted: list[tuple[int, int]] = []
        self.faults: deque[Fault] = deque()
        # Worklogs the caller may not see (restricted visibility): the feed lists their ids,
        # /worklog/list leaves them out, as Jira does for worklogs hidden from the caller.
        self.hidden_worklogs: set[int] = set()
        self.requests: list[tuple[str, str]] = []
        # What each request was answered, in order: (method, path, status); 0 when the
        # connection was closed without an answer (a reset, or a response dropped).
        self.answers: list[tuple[str, str, int]] = []
        self.internal_errors: list[str] = []  # bugs of the fake itself; tests assert none
        self.dropped: list[tuple[str, str]] = []
        # Status name -> (id, category key). Every status belongs to one of Jira's three
        # categories, keys `new`, `indeterminate` and `done` [SPEC StatusCategory; GET /status].
        self.statuses: dict[str, tuple[str, str]] = {
            "To Do": ("10000", "new"),
            "Backlog": ("10003", "new"),
            "In Progress": ("3", "indeterminate"),
            "In Review": ("10001", "indeterminate"),
            "Done": ("10002", "done"),
        }
        # The instant of changes made through the API (transitions), in epoch ms; tests that
        # drive a fake clock replace it.
        self.now_ms: Callable[[], int] = _now_ms
        self._history_ids = itertools.count(20_000)
        self._ids = itertools.count(100_000)
        self._issue_ids = itertools.count(10_000)
        self._writes: dict[int, deque[float]] = {}
        self._last_ms = 0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> str:
        return self.start_on(0)

    def start_on(self, port: int) -> str:
        """Serve on ``port`` (0: any free port), e.g. to come back after a simulated outage."""
        # The handler's modules import this one: the route table is looked up when serving.
        from clockwork_desktop.fakejira.routes import _Handler

        handler = type("Handler", (_Handler,), {"jira": self})
        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._server.daemon_threads = True
        host, port = self._server.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        self.base_url = f"http://{host_text}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.02},
            name="fake-jira",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeJira:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- seeding and inspection -------------------------------------------------------------

    def add_user(self, user: FakeUser) -> FakeUser:
        with self.lock:
            self.users[user.account_id] = user
        return user

    def add_issue(
        self, key: str, summary: str, *, assignee: str | None = None, **kwargs: Any
    ) -> FakeIssue:
        with self.lock:
            issue = FakeIssue(
                id=next(self._issue_ids),
                key=key.upper(),
                summary=summary,
                project=key.split("-")[0].upper(),
                assignee=assignee,
                updated_ms=kwargs.pop("updated_ms", _now_ms()),
                **kwargs,
            )
            self.issues[issue.key] = issue
        return issue

    def _record_change(
        self, issue: FakeIssue, by: str | None, at_ms: int | None, items: list[dict[str, Any]]
    ) -> None:
        """One changelog history; the issue's `updated` moves to its time (as in Jira)."""
        stamp = self.now_ms() if at_ms is None else at_ms
        author = self.users.get(by or "")
        issue.changelog.append(
            {
                "id": str(next(self._history_ids)),
                "author": author.json(self.base_url, self.mode) if author else None,
                "created_ms": stamp,
                "items": items,
            }
        )
        issue.updated_ms = max(issue.updated_ms, stamp)

    def move(
        self, key: str, status: str, *, by: str | None = None, at_ms: int | None = None
    ) -> None:
        """A workflow transition, as someone made it in Jira's web pages.

        Entering a `done` status sets the resolution and leaving it clears it, in the same
        history, as Jira's default workflows do with their resolution post function.
        """
        with self.lock:
            issue = self.issues[key.upper()]
            old_id, _ = self.statuses[issue.status]
            new_id, category = self.statuses[status]
            items: list[dict[str, Any]] = [
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "fieldId": "status",
                    "from": old_id,
                    "fromString": issue.status,
                    "to": new_id,
                    "toString": status,
                }
            ]
            resolution = "Done" if category == "done" else None
            if resolution != issue.resolution:
                items.append(
                    {
                        "field": "resolution",
                        "fieldtype": "jira",
                        "fieldId": "resolution",
                        "from": "10000" if issue.resolution else None,
                        "fromString": issue.resolution,
                        "to": "10000" if resolution else None,
                        "toString": resolution,
                    }
                )
            issue.status, issue.status_category, issue.resolution = status, category, resolution
            self._record_change(issue, by, at_ms, items)

    def assign(
        self, key: str, assignee: str | None, *, by: str | None = None, at_ms: int | None = None
    ) -> None:
        """Reassign; the history's `from`/`to` hold account ids on Cloud, user keys on DC."""
        with self.lock:
            issue = self.issues[key.upper()]

            def ident(account_id: str | None) -> str | None:
                user = self.users.get(account_id or "")
                if user is None:
                    return None
                return user.key if self.mode == "dc" else user.account_id

            def label(account_id: str | None) -> str | None:
                user = self.users.get(account_id or "")
                return user.display_name if user else None

            item = {
                "field": "assignee",
                "fieldtype": "jira",
                "fieldId": "assignee",
                "from": ident(issue.assignee),
                "fromString": label(issue.assignee),
                "to": ident(assignee),
                "toString": label(assignee),
            }
            issue.assignee = assignee
            self._record_change(issue, by, at_ms, [item])

    def add_worklog(
        self,
        issue_key: str,
        author: str,
        started_ms: int,
        seconds: int,
        comment: str = "",
        *,
        updated_ms: int | None = None,
    ) -> FakeWorklog:
        """Seed a worklog as if made elsewhere (Jira web, another tool)."""
        with self.lock:
            issue = self.issues[issue_key]
            user = self.users[author]
            stamp = updated_ms if updated_ms is not None else self._tick()
            worklog = FakeWorklog(
                id=next(self._ids),
                issue_id=issue.id,
                author=author,
                update_author=author,
                started=_format_time(started_ms, ZoneInfo(user.time_zone)),
                started_ms=started_ms,
                seconds=seconds,
                comment=self._comment_for_storage(comment),
                properties={},
                created_ms=stamp,
                updated_ms=stamp,
            )
            self.worklogs[worklog.id] = worklog
            self.touch(issue, stamp)
        return worklog

    def move_issue(self, key: str, new_key: str) -> FakeIssue:
        """An admin moves the issue to another project: new key, old key still resolves."""
        with self.lock:
            issue = self.issues.pop(key.upper())
            issue.key, issue.project = new_key.upper(), new_key.split("-")[0].upper()
            self.issues[issue.key] = issue
            self.old_keys[key.upper()] = issue.key
            self.touch(issue, self._tick())
            return issue

    def resolve_key(self, key: str) -> str:
        key = key.upper()
        return self.old_keys.get(key, key)

    def edit_worklog(self, worklog_id: int, *, at_ms: int | None = None, **changes: Any) -> None:
        """Change a worklog as another user would in Jira's web UI; ``at_ms`` is when (epoch
        ms), else the fake's clock, which runs ahead of real time when changes come faster than
        one a millisecond (and the feeds leave out what is still ahead)."""
        with self.lock:
            worklog = self.worklogs[worklog_id]
            for name, value in changes.items():
                setattr(worklog, name, value)
            worklog.updated_ms = self._tick() if at_ms is None else at_ms
            self.touch(self._issue_by_id(worklog.issue_id), worklog.updated_ms)

    def delete_worklog(self, worklog_id: int, *, at_ms: int | None = None) -> None:
        with self.lock:
            worklog = self.worklogs.pop(worklog_id)
            self.deleted.append((worklog_id, self._tick() if at_ms is None else at_ms))
            self.touch(self._issue_by_id(worklog.issue_id), self.deleted[-1][1])

    def worklogs_of(self, issue_key: str) -> list[FakeWorklog]:
        with self.lock:
            issue = self.issues[issue_key]
            return sorted(
                (w for w in self.worklogs.values() if w.issue_id == issue.id),
                key=lambda w: w.id,
            )

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def answered(self, *statuses: int) -> list[tuple[str, str, int]]:
        """The requests answered with one of ``statuses`` (0: closed without an answer)."""
        with self.lock:
            return [a for a in self.answers if a[2] in statuses]

    def count(self, method: str | None = None, path: str = "") -> int:
        with self.lock:
            return sum(1 for m, p in self.requests if (method is None or m == method) and path in p)

    def revoke(self, account_id: str) -> None:
        """The user's token expires."""
        with self.lock:
            self.users[account_id].token = "expired-" + str(_now_ms())

    # -- internals --------------------------------------------------------------------------

    def touch(self, issue: FakeIssue, stamp: int) -> None:
        """Logging, editing or deleting work changes the issue's `updated` field (as in Jira,
        where the issue's history gains a worklog entry); `check-jira` verifies it on a site."""
        issue.updated_ms = max(issue.updated_ms, stamp)

    def _issue_by_id(self, issue_id: int) -> FakeIssue:
        return next(i for i in self.issues.values() if i.id == issue_id)

    def _tick(self) -> int:
        """A strictly increasing millisecond clock for `updated` stamps."""
        with self.lock:
            self._last_ms = max(self._last_ms + 1, _now_ms())
            return self._last_ms

    def _comment_for_storage(self, text: str) -> Any:
        if not text:
            return None
        if self.mode == "dc":
            return text
        return _adf_doc(text)

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _check_write_rate(self, issue: FakeIssue) -> None:
        """Per-issue write limits: 20 per 2 s and 100 per 30 s."""
        if not self.rate_limit_writes:
            return
        now = time.monotonic()
        window = self._writes.setdefault(issue.id, deque())
        while window and now - window[0] > 30:
            window.popleft()
        recent = sum(1 for t in window if now - t <= 2)
        if recent >= 20 or len(window) >= 100:
            raise HttpError(
                429,
                _errors(["Rate limit exceeded"]),
                {"Retry-After": "1", "RateLimit-Reason": "jira-per-issue-on-write"},
            )
        window.append(now)
