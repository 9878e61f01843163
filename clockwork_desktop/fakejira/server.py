"""The fake Jira server: state, routing, validation and fault injection."""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import random
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

STARTED_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{3})([+-])(\d{2})(\d{2})$")
BAD_STARTED = (
    "Invalid date format. Please enter the date in the format \"yyyy-MM-dd'T'HH:mm:ss.SSSZ\"."
)
NOT_FOUND_ISSUE = "Issue does not exist or you do not have permission to see it."
SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
PROPERTY_KEY_MAX = 255
PROPERTY_VALUE_MAX = 32_768


_PROP_KEYS = r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>\d+)/properties"
_PROP = _PROP_KEYS + r"/(?P<prop>[^/]+)"


class HttpError(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def _errors(messages: list[str] | None = None, **fields: str) -> dict[str, Any]:
    return {"errorMessages": messages or [], "errors": fields}


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


@dataclass
class Fault:
    """One injected fault, consumed by the first request it matches.

    kind: ``503``, ``429``, ``500``, ``reset`` (close before processing), ``drop`` (process
    the request, then close the connection without answering), ``delay`` (sleep ``seconds``
    before answering, after processing), ``garbage`` (process, then answer 200 with HTML).
    """

    kind: str
    method: str = "*"
    path: str = ""  # a substring of the path; empty matches every path
    retry_after: int | None = 1
    reason: str = "jira-burst-based"
    seconds: float = 0.0
    times: int = 1

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and self.path in path


def _now_ms() -> int:
    return int(time.time() * 1000)


def _format_time(ms: int, zone: ZoneInfo) -> str:
    local = datetime.fromtimestamp(ms / 1000, UTC).astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    total = int(offset.total_seconds()) // 60
    sign = "+" if total >= 0 else "-"
    hh, mm = divmod(abs(total), 60)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}{sign}{hh:02d}{mm:02d}"


def _parse_started(text: str) -> int | None:
    match = STARTED_RE.match(text)
    if not match:
        return None
    wall, millis, sign, hh, mm = match.groups()
    delta = timedelta(hours=int(hh), minutes=int(mm))
    tz = timezone(delta if sign == "+" else -delta)
    try:
        dt = datetime.fromisoformat(wall).replace(tzinfo=tz)
    except ValueError:
        return None
    return int(dt.timestamp()) * 1000 + int(millis)


def _time_spent_text(seconds: int) -> str:
    parts = []
    for unit, size in (("w", 5 * 8 * 3600), ("d", 8 * 3600), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return " ".join(parts) or "0m"


def _parse_time_spent(text: str) -> int | None:
    total = 0
    units = {"w": 5 * 8 * 3600, "d": 8 * 3600, "h": 3600, "m": 60}
    tokens = text.strip().split()
    if not tokens:
        return None
    for token in tokens:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([wdhm]?)", token)
        if not match:
            return None
        total += int(float(match[1]) * units[match[2] or "m"])
    return total


def _valid_adf(doc: Any) -> bool:
    if not isinstance(doc, dict) or doc.get("type") != "doc" or doc.get("version") != 1:
        return False

    def ok(node: Any) -> bool:
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            return False
        if node["type"] == "text":
            return isinstance(node.get("text"), str) and len(node["text"]) > 0
        return all(ok(child) for child in node.get("content", []) or [])

    content = doc.get("content")
    return isinstance(content, list) and all(ok(n) for n in content)


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


class _Handler(BaseHTTPRequestHandler):
    jira: FakeJira
    protocol_version = "HTTP/1.1"
    server_version = "FakeJira/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer, which real Jira does not.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # -- plumbing ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _answered(self, status: int) -> None:
        with self.jira.lock:
            self.jira.answers.append((self.command, urlsplit(self.path).path, status))

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self._answered(status)
        if body is None:
            payload = b""
        elif isinstance(body, str):
            payload = body.encode()
        else:
            payload = json.dumps(body).encode()
        self.send_response(status)
        content_type = "application/json" if not isinstance(body, str) else "text/plain"
        self.send_header("Content-Type", f"{content_type};charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    def _hang_up(self) -> None:
        self._answered(0)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _serve(self, method: str) -> None:
        jira = self.jira
        split = urlsplit(self.path)
        path = split.path
        query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        with jira.lock:
            jira.requests.append((method, path))
        if jira.latency_s:
            time.sleep(jira.latency_s)
        fault = jira.take_fault(method, path)
        if fault is not None and fault.kind == "reset":
            self._hang_up()
            return
        if fault is not None and fault.kind in ("503", "429", "500"):
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = str(fault.retry_after)
            if fault.kind == "429":
                headers["RateLimit-Reason"] = fault.reason
                headers["X-RateLimit-Remaining"] = "0"
            self._send(int(fault.kind), _errors(["Injected failure"]), headers)
            return
        try:
            status, body, headers = self._route(method, path, query, raw)
        except HttpError as exc:
            status, body, headers = exc.status, exc.body, exc.headers
        except Exception as exc:  # a bug in the fake: answer, and keep it for the tests
            with jira.lock:
                jira.internal_errors.append(f"{method} {path}: {exc!r}")
            status, body, headers = 500, f"fake Jira bug: {exc!r}", {}
        is_write = method in ("POST", "PUT", "DELETE") and "/worklog" in path
        dropped_by_rate = (
            is_write and status < 300 and jira.drop_rate and jira._random.random() < jira.drop_rate
        )
        if (fault is not None and fault.kind == "drop") or dropped_by_rate:
            with jira.lock:
                jira.dropped.append((method, path))
            self._hang_up()
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "garbage":
            self._send(200, "<html>Service temporarily unavailable</html>")
            return
        self._send(status, body, headers)

    # -- auth -------------------------------------------------------------------------------

    def _user(self) -> FakeUser:
        jira = self.jira
        header = self.headers.get("Authorization", "")
        unauthorized = HttpError(
            401,
            {
                "message": "Client must be authenticated to access this resource.",
                "status-code": 401,
            },
            {"WWW-Authenticate": 'Basic realm="protected-area"'},
        )
        with jira.lock:
            if jira.mode == "cloud" and header.startswith("Basic "):
                try:
                    email, _, token = base64.b64decode(header[6:]).decode().partition(":")
                except ValueError:
                    raise unauthorized from None
                for user in jira.users.values():
                    if user.email == email and user.token == token:
                        return user
            if jira.mode == "dc" and header.startswith("Bearer "):
                for user in jira.users.values():
                    if user.token == header[7:]:
                        return user
            # After repeated failed logins Data Center asks for a CAPTCHA: 403 with
            # X-Authentication-Denied-Reason; old servers answer 200 with X-Seraph-LoginReason:
            # AUTHENTICATION_DENIED (Data Center basic-authentication docs, "CAPTCHA":
            # https://developer.atlassian.com/server/jira/platform/basic-authentication/;
            # gioboa/jira-plugin#26).
            if jira.auth_denial == "captcha":
                raise HttpError(
                    403,
                    "<html>CAPTCHA required</html>",
                    {
                        "X-Authentication-Denied-Reason": (
                            f"CAPTCHA_CHALLENGE; login-url={jira.base_url}/login.jsp"
                        )
                    },
                )
            if jira.auth_denial == "seraph200":
                raise HttpError(
                    200, "<html>Log in</html>", {"X-Seraph-LoginReason": "AUTHENTICATION_DENIED"}
                )
        raise unauthorized

    def _check_xsrf(self, method: str) -> None:
        if method == "GET":
            return
        agent = self.headers.get("User-Agent", "")
        if "Mozilla/" in agent and self.headers.get("X-Atlassian-Token") != "no-check":
            raise HttpError(403, "XSRF check failed")

    # -- routing ----------------------------------------------------------------------------

    def _route(
        self, method: str, path: str, query: dict[str, str], raw: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        match = re.match(r"^/rest/api/(2|3|latest)(/.*)$", path)
        if not match:
            raise HttpError(404, _errors(["Not found"]))
        version = "2" if match[1] == "latest" else match[1]
        if version == "3" and jira.mode == "dc":
            raise HttpError(404, "<html>Not found</html>")
        rest = match[2].rstrip("/")
        if rest == "/serverInfo" and method == "GET":
            return 200, self._server_info(), {}
        user = self._user()
        self._check_xsrf(method)
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                raise HttpError(400, _errors(["Unexpected character in the JSON body"])) from None
        routes: list[tuple[str, str, Callable[..., tuple[int, Any, dict[str, str]]]]] = [
            ("GET", r"/myself", self._myself),
            ("GET", r"/issue/picker", self._picker),
            ("GET", r"/search/jql", self._search_jql),
            ("POST", r"/search/jql", self._search_jql),
            ("GET", r"/search", self._search_old),
            ("POST", r"/search", self._search_old),
            ("GET", r"/worklog/updated", self._feed_updated),
            ("GET", r"/worklog/deleted", self._feed_deleted),
            ("POST", r"/worklog/list", self._worklog_list),
            ("GET", r"/user/search", self._user_search),
            ("GET", r"/group/member", self._group_member),
            ("GET", r"/user", self._user_get),
            ("POST", r"/issue/(?P<key>[^/]+)/worklog", self._worklog_add),
            ("GET", r"/issue/(?P<key>[^/]+)/worklog", self._worklog_list_issue),
            ("GET", r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>[^/]+)", self._worklog_get),
            ("PUT", r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>[^/]+)", self._worklog_put),
            ("DELETE", r"/issue/(?P<key>[^/]+)/worklog/(?P<wid>[^/]+)", self._worklog_delete),
            ("GET", r"/status", self._statuses),
            ("GET", r"/issue/(?P<key>[^/]+)/changelog", self._changelog),
            ("GET", r"/issue/(?P<key>[^/]+)/transitions", self._transitions_get),
            ("POST", r"/issue/(?P<key>[^/]+)/transitions", self._transitions_post),
            ("GET", r"/issue/(?P<key>[^/]+)", self._issue_get),
        ]
        if jira.worklog_properties:  # else no such resource: 404 below, as for any unknown path
            routes += [
                ("GET", _PROP_KEYS, self._property_keys),
                ("GET", _PROP, self._property_get),
                ("PUT", _PROP, self._property_put),
                ("DELETE", _PROP, self._property_delete),
            ]
        for route_method, pattern, handler in routes:
            found = re.fullmatch(pattern, rest)
            if found and route_method == method:
                ctx = {"user": user, "version": version, "query": query, "body": body}
                with jira.lock:
                    return handler(ctx, **found.groupdict())
        raise HttpError(404, _errors([f"No route for {method} {path}"]))

    # -- resources --------------------------------------------------------------------------

    def _server_info(self) -> dict[str, Any]:
        cloud = self.jira.mode == "cloud"
        return {
            "baseUrl": self.jira.base_url,
            "version": "1001.0.0-SNAPSHOT" if cloud else "9.12.2",
            "versionNumbers": [1001, 0, 0] if cloud else [9, 12, 2],
            "deploymentType": "Cloud" if cloud else "Server",
            "serverTitle": "Fake Jira",
        }

    def _myself(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        return 200, ctx["user"].json(self.jira.base_url, self.jira.mode), {}

    def _issue(self, key: str) -> FakeIssue:
        jira = self.jira
        issue = jira.issues.get(jira.resolve_key(key))
        if issue is None and key.isdigit():
            issue = next((i for i in jira.issues.values() if i.id == int(key)), None)
        if issue is None:
            raise HttpError(404, _errors([NOT_FOUND_ISSUE]))
        return issue

    def _issue_json(self, issue: FakeIssue, fields: list[str] | None) -> dict[str, Any]:
        all_fields: dict[str, Any] = {
            "summary": issue.summary,
            "status": {
                "id": self.jira.statuses.get(issue.status, ("1", ""))[0],
                "name": issue.status,
                "statusCategory": {"key": issue.status_category},
            },
            "project": {"key": issue.project},
            "updated": _format_time(issue.updated_ms, ZoneInfo("UTC")),
            "resolution": ({"id": "10000", "name": issue.resolution} if issue.resolution else None),
            "assignee": (
                self.jira.users[issue.assignee].json(self.jira.base_url, self.jira.mode)
                if issue.assignee in self.jira.users
                else None
            ),
        }
        data: dict[str, Any] = {"id": str(issue.id), "key": issue.key}
        if fields is None:
            data["fields"] = all_fields
        else:
            chosen = {f: all_fields[f] for f in fields if f in all_fields}
            if chosen:
                data["fields"] = chosen
        return data

    def _issue_get(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(key)
        fields = ctx["query"].get("fields")
        data = self._issue_json(issue, fields.split(",") if fields else None)
        if "changelog" in ctx["query"].get("expand", "").split(","):
            # `expand=changelog` on an issue: the way Data Center gives histories (it has no
            # /changelog resource) [DC REST docs, "expand ... changelog"; jira.js server
            # getIssue]. Cloud caps this at 100 histories [SPEC getIssue: "changelog ...
            # returns the 100 most recent"]; here both give them all, oldest first.
            histories = [self._history_json(h) for h in issue.changelog]
            data["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return 200, data, {}

    def _history_json(self, history: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in history.items() if k != "created_ms"}
        out["created"] = _format_time(history["created_ms"], ZoneInfo("UTC"))
        if out["author"] is None:
            out.pop("author")
        return out

    def _statuses(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """GET /status: every status with its category [SPEC getStatuses, StatusDetails]."""
        return (
            200,
            [
                {"id": sid, "name": name, "statusCategory": {"key": category}}
                for name, (sid, category) in self.jira.statuses.items()
            ],
            {},
        )

    def _changelog(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        """GET /issue/{key}/changelog: oldest first, paged by startAt/maxResults (default
        100), a PageBeanChangelog with isLast [SPEC getChangeLogs]. Cloud only: Data Center
        answers 404 (it has no such resource; histories come with expand=changelog)."""
        if self.jira.mode == "dc":
            raise HttpError(404, "<html>Not found</html>")
        issue = self._issue(key)
        start, size = _paging(ctx["query"], default=100, cap=100)
        page = issue.changelog[start : start + size]
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(issue.changelog),
                "isLast": start + len(page) >= len(issue.changelog),
                "values": [self._history_json(h) for h in page],
            },
            {},
        )

    def _transitions_get(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        """GET /issue/{key}/transitions: the transitions from the issue's status [SPEC
        getTransitions, IssueTransition: id, name, to (StatusDetails)]. The fake's workflow
        lets every status reach every other; transition ids are the target's id + "1"."""
        issue = self._issue(key)
        transitions = [
            {
                "id": f"{sid}1",
                "name": name,
                "to": {"id": sid, "name": name, "statusCategory": {"key": category}},
                "isAvailable": True,
                "hasScreen": False,
            }
            for name, (sid, category) in self.jira.statuses.items()
            if name != issue.status
        ]
        return 200, {"transitions": transitions}, {}

    def _transitions_post(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        """POST /issue/{key}/transitions {"transition": {"id"}}: 204 when done; an id that is
        not a transition from the current status is 400 [SPEC doTransition responses]."""
        issue = self._issue(key)
        body = ctx["body"] or {}
        wanted = str((body.get("transition") or {}).get("id", ""))
        target = next(
            (
                name
                for name, (sid, _) in self.jira.statuses.items()
                if f"{sid}1" == wanted and name != issue.status
            ),
            None,
        )
        if target is None:
            raise HttpError(
                400, _errors([f"Transition id '{wanted}' is not valid for this issue."])
            )
        self.jira.move(issue.key, target, by=ctx["user"].account_id)
        return 204, None, {}

    def _picker(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        text = ctx["query"].get("query", "").lower()
        found = [
            i
            for i in self.jira.issues.values()
            if text and (text in i.summary.lower() or text in i.key.lower())
        ][:20]
        section = {
            "id": "cs",
            "label": "Current Search",
            "issues": [
                {
                    "id": i.id,
                    "key": i.key,
                    "keyHtml": i.key,
                    "summary": i.summary,
                    "summaryText": i.summary,
                }
                for i in found
            ],
        }
        return 200, {"sections": [section]}, {}

    # -- search -----------------------------------------------------------------------------

    def _search_old(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if self.jira.mode == "cloud":
            raise HttpError(410, _errors([SEARCH_GONE]))
        params = ctx["body"] if isinstance(ctx["body"], dict) else ctx["query"]
        issues = self._run_jql(str(params.get("jql", "")), ctx["user"], bounded=False)
        start, size = _paging(params, default=50, cap=1000)
        fields = params.get("fields")
        if isinstance(fields, str):
            fields = fields.split(",")
        page = issues[start : start + size]
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(issues),
                "issues": [self._issue_json(i, fields or None) for i in page],
            },
            {},
        )

    def _search_jql(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        params = ctx["body"] if isinstance(ctx["body"], dict) else ctx["query"]
        issues = self._run_jql(str(params.get("jql", "")), ctx["user"], bounded=True)
        fields = params.get("fields") or ["id"]
        if isinstance(fields, str):
            fields = fields.split(",")
        try:
            size = int(params.get("maxResults", 50))
        except ValueError:
            raise HttpError(400, _errors(["maxResults must be a number"])) from None
        if not 1 <= size <= 5000:
            raise HttpError(400, _errors(["maxResults must be between 1 and 5000"]))
        token = params.get("nextPageToken")
        start = 0
        if token:
            try:
                start = int(base64.urlsafe_b64decode(str(token)).decode().split(":")[1])
            except (ValueError, IndexError):
                raise HttpError(400, _errors(["Invalid nextPageToken"])) from None
        if self.jira.search_page_limit is not None:
            size = min(size, self.jira.search_page_limit)
        page = issues[start : start + size]
        data: dict[str, Any] = {
            "issues": [
                self._issue_json(i, [f for f in fields if f not in ("id", "key")]) for i in page
            ]
        }
        if start + size < len(issues):
            data["nextPageToken"] = base64.urlsafe_b64encode(
                f"page:{start + size}".encode()
            ).decode()
            data["isLast"] = False
        else:
            data["isLast"] = True
        return 200, data, {}

    def _run_jql(self, jql: str, user: FakeUser, *, bounded: bool) -> list[FakeIssue]:
        """A small JQL subset: clauses joined by AND and OR, parentheses, and ORDER BY.

        Each clause is decided per issue on its own, as Jira does: `worklogAuthor = a AND
        worklogDate = d` matches an issue where a logged work on any day and someone logged
        work on d, not only where one worklog has both.
        """
        where = re.split(r"(?i)\border\s+by\b", jql, maxsplit=1)[0]
        order_match = re.search(r"(?i)\border\s+by\s+(\w+)\s*(asc|desc)?", jql)
        if not where.strip():
            if bounded:
                raise HttpError(400, _errors([UNBOUNDED]))
            candidates = list(self.jira.issues.values())
        else:
            self._issue_worklogs: dict[int, list[FakeWorklog]] = {}
            for w in self.jira.worklogs.values():
                self._issue_worklogs.setdefault(w.issue_id, []).append(w)
            candidates = [
                i for i in self.jira.issues.values() if self._matches(where.strip(), i, user)
            ]
        if order_match:
            field_name, direction = order_match[1].lower(), (order_match[2] or "asc").lower()
            key_fn: Callable[[FakeIssue], Any] = {
                "updated": lambda i: i.updated_ms,
                "key": lambda i: (i.project, int(i.key.split("-")[1])),
                "created": lambda i: i.id,
            }.get(field_name, lambda i: i.id)
            candidates.sort(key=key_fn, reverse=direction == "desc")
        else:
            candidates.sort(key=lambda i: i.id)
        return candidates

    def _matches(self, expr: str, issue: FakeIssue, user: FakeUser) -> bool:
        expr = expr.strip()
        for word, combine in (("or", any), ("and", all)):  # AND binds tighter than OR
            parts = _split_outside(expr, word)
            if len(parts) > 1:
                return combine(self._matches(part, issue, user) for part in parts)
        if expr.startswith("(") and expr.endswith(")"):
            return self._matches(expr[1:-1], issue, user)
        return self._clause(expr, issue, user)

    def _values(self, text: str, user: FakeUser, *, users: str = "") -> list[str]:
        """The clause's values. `currentUser()` becomes the caller and `membersOf("g")` the
        group's members, as the fake's account ids; with ``users`` (the field's name) on Data
        Center, other values are usernames, resolved to account ids too."""
        text = text.strip()
        if text.startswith("(") and text.endswith(")"):
            items = [v.strip() for v in text[1:-1].split(",")]
        else:
            items = [text]
        out: list[str] = []
        for item in items:
            group = re.fullmatch(r"(?i)membersOf\(\s*[\"']?(.*?)[\"']?\s*\)", item.strip())
            if group:
                # Tempo's server docs: "for worklogAuthor username or membersOf() can be used".
                out.extend(u.account_id for u in self.jira.users.values() if group[1] in u.groups)
                continue
            item = item.strip().strip("\"'")
            if item.lower() == "currentuser()":
                out.append(user.account_id)
            elif users and self.jira.mode == "dc":
                out.append(self._dc_username(item, users))
            else:
                out.append(item)
        return out

    def _clause(self, clause: str, issue: FakeIssue, user: FakeUser) -> bool:
        match = re.fullmatch(r"(?i)(\w+)\s*(!=|>=|<=|=|>|<|~|\bin\b|\bnot in\b)\s*(.+)", clause)
        if not match:
            raise HttpError(400, _errors([f"Error in the JQL Query: cannot parse {clause!r}."]))
        name, op, raw = match[1].lower(), match[2].lower(), match[3]
        values = self._values(raw, user)
        if name in ("key", "issuekey", "issue", "id"):  # `issue` is issuekey's alias
            wanted = {self.jira.resolve_key(v) for v in values}
            hit = issue.key in wanted or str(issue.id) in wanted
            return hit if op in ("=", "in") else not hit
        if name == "project":
            hit = issue.project in {v.upper() for v in values}
            return hit if op in ("=", "in") else not hit
        if name == "assignee":
            hit = issue.assignee in values
            return hit if op in ("=", "in") else not hit
        if name == "statuscategory":
            names = {"done": "done", "to do": "new", "in progress": "indeterminate"}
            wanted = {names.get(v.lower(), v.lower()) for v in values}
            hit = issue.status_category in wanted
            return hit if op in ("=", "in") else not hit
        if name == "updated":
            return _compare(op, issue.updated_ms, _jql_instant_ms(values[0], user))
        if name in ("text", "summary"):
            return values[0].lower() in issue.summary.lower()
        if name == "worklogauthor":
            values = self._values(raw, user, users="worklogAuthor")
            return any(w.author in values for w in self._issue_worklogs.get(issue.id, []))
        if name == "worklogdate":
            day = date.fromisoformat(values[0].replace("/", "-"))
            zone = ZoneInfo(user.time_zone)
            for w in self._issue_worklogs.get(issue.id, []):
                local = datetime.fromtimestamp(w.started_ms / 1000, UTC).astimezone(zone).date()
                if {
                    "=": local == day,
                    ">=": local >= day,
                    "<=": local <= day,
                    ">": local > day,
                    "<": local < day,
                }.get(op, False):
                    return True
            return False
        raise HttpError(
            400,
            _errors(
                [f"Field '{match[1]}' does not exist or you do not have permission to view it."]
            ),
        )

    def _dc_username(self, value: str, field_name: str) -> str:
        """A DC JQL user value (a username) as the fake's account id; anything else is 400.

        DC's JQL resolves users by username: a user key such as JIRAUSER10100 is refused
        with "User 'JIRAUSER<id>' does not exist" [pycontribs/jira#1049]; for
        worklogAuthor Tempo's server docs say "username or membersOf() can be used".
        """
        for user in self.jira.users.values():
            if value == user.username:
                return user.account_id
        raise HttpError(
            400, _errors([f"The value '{value}' does not exist for the field '{field_name}'."])
        )

    # -- worklogs ---------------------------------------------------------------------------

    def _worklog_json(
        self, w: FakeWorklog, version: str, expand: str, viewer: FakeUser
    ) -> dict[str, Any]:
        jira = self.jira
        author = jira.users[w.author]
        updater = jira.users[w.update_author]
        zone = ZoneInfo(viewer.time_zone)
        comment = w.comment
        if version == "2" and isinstance(comment, dict):
            comment = _adf_text(comment)
        data: dict[str, Any] = {
            "self": f"{jira.base_url}/rest/api/{version}/issue/{w.issue_id}/worklog/{w.id}",
            "author": author.json(jira.base_url, jira.mode),
            "updateAuthor": updater.json(jira.base_url, jira.mode),
            "created": _format_time(w.created_ms, zone),
            "updated": _format_time(w.updated_ms, zone),
            "started": _format_time(w.started_ms, zone),
            "timeSpent": _time_spent_text(w.seconds),
            "timeSpentSeconds": w.seconds,
            "id": str(w.id),
            "issueId": str(w.issue_id),
        }
        if comment is not None:
            data["comment"] = comment
        # Data Center's worklog reads take no `expand` and its worklog has no `properties`
        # (see worklog_properties); a site that has them is modelled as Cloud shows them.
        if "properties" in expand.split(",") and jira.worklog_properties:
            data["properties"] = [{"key": k, "value": v} for k, v in w.properties.items()]
        return data

    def _validate_worklog_body(self, body: Any, version: str, *, creating: bool) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise HttpError(400, _errors(["Worklog must not be null."]))
        out: dict[str, Any] = {}
        if "started" in body:
            started = body["started"]
            ms = _parse_started(started) if isinstance(started, str) else None
            if ms is None:
                if (
                    self.jira.mode == "dc"
                    and isinstance(started, str)
                    and not re.search(r"[+-]\d{4}$", started)
                ):
                    raise HttpError(500, "<html>Internal server error</html>")
                raise HttpError(400, _errors(started=BAD_STARTED))
            out["started_ms"], out["started"] = ms, started
        elif creating:
            ms = _now_ms()
            out["started_ms"] = ms
        has_seconds, has_text = "timeSpentSeconds" in body, "timeSpent" in body
        if has_seconds and has_text:
            raise HttpError(
                400, _errors(timeSpent="Provide either timeSpent or timeSpentSeconds, not both.")
            )
        if creating and not (has_seconds or has_text):
            raise HttpError(
                400,
                _errors(
                    ["Worklog must not be null."],
                    timeLogged="You must indicate the time spent working.",
                ),
            )
        if has_seconds or has_text:
            seconds = (
                body["timeSpentSeconds"]
                if has_seconds
                else _parse_time_spent(str(body["timeSpent"]))
            )
            if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 60:
                raise HttpError(
                    400,
                    _errors(
                        ["Worklog must not be null."],
                        timeLogged="You must indicate the time spent working.",
                    ),
                )
            out["seconds"] = seconds
        # "Fields which are not set will not be updated" (updateWorklog, as documented for
        # Data Center in jira.js): a `null` comment leaves the old one. An empty ADF document
        # (v3) or "" (v2) clears it.
        if body.get("comment") is not None:
            comment = body["comment"]
            if version == "3":
                if not _valid_adf(comment):
                    raise HttpError(400, _errors(["INVALID_INPUT"]))
                out["comment"] = comment if comment.get("content") else None
            else:
                # v2 takes a string; an object is accepted and its text silently dropped.
                out["comment"] = (comment if isinstance(comment, str) else "") or None
        if "properties" in body and self.jira.inline_properties == "refuse":
            raise HttpError(
                400,
                _errors(
                    [
                        'Unrecognized field "properties" (Class com.atlassian.jira.issue.fields.'
                        "rest.json.beans.WorklogJsonBean), not marked as ignorable"
                    ]
                ),
            )
        if "properties" in body:
            props = body["properties"]
            if not isinstance(props, list):
                raise HttpError(400, _errors(properties="Properties must be a list."))
            parsed = {}
            for prop in props:
                key = prop.get("key") if isinstance(prop, dict) else None
                if not isinstance(key, str) or not 0 < len(key) <= PROPERTY_KEY_MAX:
                    raise HttpError(400, _errors(["The property key is not valid."]))
                if len(json.dumps(prop.get("value"))) > PROPERTY_VALUE_MAX:
                    raise HttpError(400, _errors(["The property value is too long."]))
                parsed[key] = prop.get("value")
            if self.jira.inline_properties == "accept":
                out["properties"] = parsed
        allowed = {
            "started",
            "timeSpentSeconds",
            "timeSpent",
            "comment",
            "properties",
            "visibility",
            "author",
            "updateAuthor",
            "created",
            "updated",
            "id",
            "self",
            "issueId",
        }
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise HttpError(400, _errors([f'Unrecognized field "{unknown[0]}"']))
        return out

    def _check_query(self, query: dict[str, str]) -> None:
        adjust = query.get("adjustEstimate", "auto")
        if adjust not in ("new", "leave", "manual", "auto"):
            raise HttpError(400, _errors(adjustEstimate="Invalid value for adjustEstimate."))
        if adjust == "new" and "newEstimate" not in query:
            raise HttpError(
                400,
                _errors(
                    ["Worklog must not be null."],
                    newEstimate="You must supply a valid new estimate.",
                ),
            )
        for flag in ("notifyUsers", "overrideEditableFlag"):
            if flag in query and query[flag] not in ("true", "false"):
                raise HttpError(400, _errors([f"{flag} must be true or false"]))
        if query.get("overrideEditableFlag") == "true":
            raise HttpError(403, _errors(["Only apps may override the editable flag."]))

    def _worklog_add(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        issue = self._issue(key)
        self._check_query(ctx["query"])
        user: FakeUser = ctx["user"]
        if not issue.loggable or not user.can_work:
            raise HttpError(
                400,
                _errors(["You do not have the permission to associate a worklog to this issue."]),
            )
        fields = self._validate_worklog_body(ctx["body"], ctx["version"], creating=True)
        count = sum(1 for w in jira.worklogs.values() if w.issue_id == issue.id)
        if count >= jira.worklog_limit:
            raise HttpError(
                413, _errors([f"The per-issue limit has been breached for {issue.key} worklogs."])
            )
        jira._check_write_rate(issue)
        stamp = jira._tick()
        worklog = FakeWorklog(
            id=next(jira._ids),
            issue_id=issue.id,
            author=user.account_id,
            update_author=user.account_id,
            started=fields.get("started", ""),
            started_ms=fields["started_ms"],
            seconds=fields["seconds"],
            comment=fields.get("comment"),
            properties=fields.get("properties", {}),
            created_ms=stamp,
            updated_ms=stamp,
        )
        jira.worklogs[worklog.id] = worklog
        jira.touch(issue, stamp)
        expand = ctx["query"].get("expand", "")
        return 201, self._worklog_json(worklog, ctx["version"], expand, user), {}

    def _worklog_list_issue(self, ctx: dict[str, Any], key: str) -> tuple[int, Any, dict[str, str]]:
        issue = self._issue(key)
        query = ctx["query"]
        mine = sorted(
            (w for w in self.jira.worklogs.values() if w.issue_id == issue.id),
            key=lambda w: w.created_ms,
        )
        # Non-numeric startAt/maxResults answer 404 and maxResults defaults to 5000 on Cloud
        # [SPEC getIssueWorklog].
        try:
            start = int(query.get("startAt", 0))
            size = min(int(query.get("maxResults", self.jira.worklog_page)), 5000)
            after = int(query["startedAfter"]) if "startedAfter" in query else None
            before = int(query["startedBefore"]) if "startedBefore" in query else None
        except ValueError:
            raise HttpError(404, _errors(["Not found"])) from None
        # startedAfter/startedBefore are Cloud parameters; Data Center ignores them.
        if self.jira.mode == "cloud":
            if after is not None:
                mine = [w for w in mine if w.started_ms >= after]
            if before is not None:
                mine = [w for w in mine if w.started_ms < before]
        page = mine[start : start + size]
        expand = query.get("expand", "")
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(mine),
                "worklogs": [
                    self._worklog_json(w, ctx["version"], expand, ctx["user"]) for w in page
                ],
            },
            {},
        )

    # -- worklog properties -------------------------------------------------------------------
    # GET|PUT|DELETE /issue/{k}/worklog/{id}/properties/{key} and GET .../properties (keys),
    # where the site has them (worklog_properties: Cloud; not Data Center). Cloud spec "Issue
    # worklog properties"; keys up to 255 characters, values up to 32 KB (entity-properties
    # docs).

    def _property_keys(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        _, worklog = self._find(key, wid)
        base = f"{self.jira.base_url}/rest/api/{ctx['version']}/issue/{key}/worklog/{wid}"
        keys = [{"key": k, "self": f"{base}/properties/{k}"} for k in worklog.properties]
        return 200, {"keys": keys}, {}

    def _property_get(
        self, ctx: dict[str, Any], key: str, wid: str, prop: str
    ) -> tuple[int, Any, dict[str, str]]:
        _, worklog = self._find(key, wid)
        if prop not in worklog.properties:
            raise HttpError(404, _errors([f"The property with key '{prop}' does not exist."]))
        return 200, {"key": prop, "value": worklog.properties[prop]}, {}

    def _editable(self, ctx: dict[str, Any], key: str, wid: str) -> FakeWorklog:
        # Setting a worklog property needs "Edit own/all worklogs", else 403 [SPEC
        # setWorklogProperty]. The fake lets the author.
        _, worklog = self._find(key, wid)
        if not _may_edit(ctx["user"], worklog):
            raise HttpError(403, _errors(["You do not have permission to edit this worklog."]))
        return worklog

    def _property_put(
        self, ctx: dict[str, Any], key: str, wid: str, prop: str
    ) -> tuple[int, Any, dict[str, str]]:
        worklog = self._editable(ctx, key, wid)
        if not 0 < len(prop) <= PROPERTY_KEY_MAX:
            raise HttpError(400, _errors(["The property key is not valid."]))
        if ctx["body"] is None or len(json.dumps(ctx["body"])) > PROPERTY_VALUE_MAX:
            raise HttpError(400, _errors(["The property value is not valid."]))
        existed = prop in worklog.properties
        worklog.properties[prop] = ctx["body"]
        if self.jira.property_moves_updated:
            worklog.updated_ms = self.jira._tick()
        return (200 if existed else 201), None, {}

    def _property_delete(
        self, ctx: dict[str, Any], key: str, wid: str, prop: str
    ) -> tuple[int, Any, dict[str, str]]:
        worklog = self._editable(ctx, key, wid)
        if worklog.properties.pop(prop, None) is None:
            raise HttpError(404, _errors([f"The property with key '{prop}' does not exist."]))
        return 204, None, {}

    def _find(self, key: str, wid: str) -> tuple[FakeIssue, FakeWorklog]:
        issue = self._issue(key)
        worklog = self.jira.worklogs.get(int(wid)) if wid.isdigit() else None
        if worklog is None or worklog.issue_id != issue.id:
            raise HttpError(404, _errors(["Cannot find worklog with id: " + wid]))
        return issue, worklog

    def _worklog_get(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        _, worklog = self._find(key, wid)
        expand = ctx["query"].get("expand", "")
        return 200, self._worklog_json(worklog, ctx["version"], expand, ctx["user"]), {}

    def _worklog_put(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        issue, worklog = self._find(key, wid)
        self._check_query(ctx["query"])
        user: FakeUser = ctx["user"]
        if not _may_edit(user, worklog):
            raise HttpError(400, _errors(["You do not have the permission to edit this worklog."]))
        fields = self._validate_worklog_body(ctx["body"], ctx["version"], creating=False)
        jira._check_write_rate(issue)
        if "started_ms" in fields:
            worklog.started_ms, worklog.started = fields["started_ms"], fields["started"]
        if "seconds" in fields:
            worklog.seconds = fields["seconds"]
        if "comment" in fields:
            worklog.comment = fields["comment"]
        if "properties" in fields:
            worklog.properties.update(fields["properties"])
        worklog.update_author = user.account_id
        worklog.updated_ms = jira._tick()
        jira.touch(issue, worklog.updated_ms)
        expand = ctx["query"].get("expand", "")
        return 200, self._worklog_json(worklog, ctx["version"], expand, user), {}

    def _worklog_delete(
        self, ctx: dict[str, Any], key: str, wid: str
    ) -> tuple[int, Any, dict[str, str]]:
        jira = self.jira
        issue, worklog = self._find(key, wid)
        self._check_query(ctx["query"])
        if not _may_edit(ctx["user"], worklog):
            raise HttpError(
                400, _errors(["You do not have the permission to delete this worklog."])
            )
        jira._check_write_rate(issue)
        del jira.worklogs[worklog.id]
        jira.deleted.append((worklog.id, jira._tick()))
        jira.touch(issue, jira.deleted[-1][1])
        return 204, None, {}

    # -- feeds ------------------------------------------------------------------------------

    def _since(self, query: dict[str, str]) -> int:
        try:
            return int(query.get("since", 0))
        except ValueError:
            raise HttpError(400, _errors(["since must be a number of milliseconds"])) from None

    def _feed(
        self, items: list[tuple[int, int, dict[str, Any]]], since: int, path: str
    ) -> dict[str, Any]:
        # The feed leaves out changes younger than the quiet period. Stamps come from _tick(),
        # which can run a few ms ahead of the wall clock under load: with no quiet period,
        # everything stamped so far is shown.
        cutoff = _now_ms() - int(self.jira.feed_quiet_s * 1000)
        if not self.jira.feed_quiet_s:
            cutoff = max(cutoff, self.jira._last_ms)
        size = self.jira.feed_page_size
        chosen = sorted((t, i, extra) for t, i, extra in items if since <= t <= cutoff)
        last_page = len(chosen) <= size
        chosen = chosen[:size]
        until = chosen[-1][0] if chosen else since
        base = f"{self.jira.base_url}{path}"
        data: dict[str, Any] = {
            "values": [{"worklogId": i, "updatedTime": t, **extra} for t, i, extra in chosen],
            "since": since,
            "until": until,
            "self": f"{base}?since={since}",
            "lastPage": last_page,
        }
        if not last_page:
            data["nextPage"] = f"{base}?since={until}"
        return data

    def _feed_properties(self, worklog: FakeWorklog | None, expand: bool) -> dict[str, Any]:
        # Data Center's change bean is updatedTime and worklogId alone (see worklog_properties).
        if not self.jira.worklog_properties:
            return {}
        if worklog is None or not expand:
            return {"properties": []}
        return {"properties": [{"key": k, "value": v} for k, v in worklog.properties.items()]}

    def _feed_updated(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        expand = "properties" in ctx["query"].get("expand", "")
        items: list[tuple[int, int, dict[str, Any]]] = [
            (w.updated_ms, w.id, self._feed_properties(w, expand))
            for w in self.jira.worklogs.values()
        ]
        return 200, self._feed(items, self._since(ctx["query"]), "/worklog/updated"), {}

    def _feed_deleted(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        items: list[tuple[int, int, dict[str, Any]]] = [
            (t, i, self._feed_properties(None, False)) for i, t in self.jira.deleted
        ]
        return 200, self._feed(items, self._since(ctx["query"]), "/worklog/deleted"), {}

    def _worklog_list(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        body = ctx["body"]
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not ids or len(ids) > 1000:
            raise HttpError(400, _errors(["The number of worklog ids must be between 1 and 1000."]))
        expand = ctx["query"].get("expand", "")
        found = [
            self.jira.worklogs[int(i)]
            for i in ids
            if int(i) in self.jira.worklogs and int(i) not in self.jira.hidden_worklogs
        ]
        return (
            200,
            [self._worklog_json(w, ctx["version"], expand, ctx["user"]) for w in found],
            {},
        )

    # -- users ------------------------------------------------------------------------------

    def _user_search(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        query = ctx["query"]
        text = (query.get("query") or query.get("username") or "").lower()
        # Data Center finds inactive users only with includeInactive=true (Data Center REST
        # definition, findUsers, takes includeActive and includeInactive; Jira Server's REST
        # docs give them the defaults true and false). Cloud's user search is left as it was.
        inactive = self.jira.mode == "dc" and query.get("includeInactive", "").lower() == "true"

        def hit(u: FakeUser) -> bool:
            # DC's `username` parameter searches "username, name or e-mail address" (DC REST
            # docs, user/search); Cloud's `query` searches display name and email [SPEC].
            names = [u.display_name, u.email]
            if self.jira.mode == "dc":
                names.append(u.username)
            return any(text in n.lower() for n in names)

        found = [
            u.json(self.jira.base_url, self.jira.mode)
            for u in self.jira.users.values()
            if (u.active or inactive) and text and hit(u)
        ]
        _start, size = _paging(query, default=50, cap=1000)
        return 200, found[:size], {}

    def _user_get(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        """One user, active or not, with `active` saying which.

        Data Center: `GET /rest/api/2/user?username=` or `?key=` (Data Center REST definition,
        getUser_1 "Get user by username or key"; 404 "if the requested user is not found").
        Cloud: `GET /rest/api/3/user?accountId=` (Cloud OpenAPI, getUser; `username` and `key`
        are "no longer available"; 404 "if the user is not found").
        """
        query = ctx["query"]
        users = self.jira.users.values()
        if self.jira.mode == "dc":
            wanted = query.get("username")
            found = [u for u in users if wanted is not None and u.username == wanted]
            if wanted is None and query.get("key"):
                found = [u for u in users if u.key == query["key"]]
        else:
            found = [u for u in users if u.account_id == query.get("accountId")]
        if not found:
            raise HttpError(404, _errors(["The user named does not exist."]))
        return 200, found[0].json(self.jira.base_url, self.jira.mode), {}

    def _group_member(self, ctx: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        query = ctx["query"]
        group = query.get("groupname") or query.get("groupId") or ""
        # Data Center answers 403 "if the calling user is not admin or sysadmin" (Data Center
        # REST definition, getUsersFromGroup; go-jira quotes the Server docs alike), with the
        # body Jira gives for a missing permission.
        if self.jira.mode == "dc" and not ctx["user"].admin:
            raise HttpError(
                403,
                _errors(["You are not authorized to perform this operation. Please log in."]),
            )
        members = [u for u in self.jira.users.values() if group in u.groups]
        if not members:  # the fake knows a group only through its members
            raise HttpError(404, _errors([f"Group {group!r} does not exist."]))
        # Inactive members (people who left) are listed only with includeInactiveUsers=true;
        # it defaults to false [SPEC /rest/api/3/group/member; DC group/member has the same].
        if query.get("includeInactiveUsers", "false").lower() != "true":
            members = [u for u in members if u.active]
        start, size = _paging(query, default=50, cap=50)
        page = members[start : start + size]
        return (
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(members),
                "isLast": start + size >= len(members),
                "values": [u.json(self.jira.base_url, self.jira.mode) for u in page],
            },
            {},
        )


def _compare(op: str, left: int, right: int) -> bool:
    ops: dict[str, Callable[[int, int], bool]] = {
        "=": lambda a, b: a == b,
        "!=": lambda a, b: a != b,
        ">=": lambda a, b: a >= b,
        "<=": lambda a, b: a <= b,
        ">": lambda a, b: a > b,
        "<": lambda a, b: a < b,
    }
    if op not in ops:
        raise HttpError(400, _errors([f"The operator '{op}' is not supported by the date field."]))
    return ops[op](left, right)


def _jql_instant_ms(text: str, user: FakeUser) -> int:
    """A JQL date: relative (``-15m``, ``-2h``, ``-1d``, ``-1w``) or ``yyyy-MM-dd [HH:mm]``
    (also with slashes) in the searching user's profile zone, as Jira reads it."""
    relative = re.fullmatch(r"([+-]?\d+)([mhdw])", text.strip())
    if relative:
        unit = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}[relative[2]]
        return _now_ms() + int(relative[1]) * unit * 1000
    try:
        local = datetime.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise HttpError(400, _errors([f"Date value '{text}' is invalid."])) from None
    return int(local.replace(tzinfo=ZoneInfo(user.time_zone)).timestamp() * 1000)


def _split_outside(text: str, word: str) -> list[str]:
    """``text`` split at the JQL keyword ``word`` where it is outside quotes and brackets."""
    parts: list[str] = []
    depth, quote, start, i = 0, "", 0, 0
    keyword = re.compile(rf"(?i)\s+{word}\s+")
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0:
            found = keyword.match(text, i)
            if found:
                parts.append(text[start:i])
                i = start = found.end()
                continue
        i += 1
    parts.append(text[start:])
    return parts


def _paging(params: Any, *, default: int, cap: int) -> tuple[int, int]:
    """startAt and maxResults, refused with 400 when they are not numbers (as Jira does)."""
    try:
        start = int(params.get("startAt", 0))
        size = int(params.get("maxResults", default))
    except (TypeError, ValueError):
        raise HttpError(400, _errors(["startAt and maxResults must be numbers."])) from None
    if start < 0 or size < 0:
        raise HttpError(400, _errors(["startAt and maxResults must not be negative."]))
    return start, min(size, cap)


# ADF as Jira's editor writes plain text: a paragraph per block, a `hardBreak` node for a line
# break inside one ("the equivalent to a <br/> in HTML"), text nodes never empty (Atlassian's
# ADF node reference, developer.atlassian.com/cloud/jira/platform/apis/document/nodes/:
# paragraph, hardBreak, text).


def _adf_doc(text: str) -> dict[str, Any]:
    def inline(block: str) -> list[dict[str, Any]]:
        parts = re.split(r"(\n)", block)
        return [
            {"type": "hardBreak"} if part == "\n" else {"type": "text", "text": part}
            for part in parts
            if part
        ]

    blocks = text.replace("\r\n", "\n").split("\n\n")
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": inline(b)} for b in blocks],
    }


def _adf_text(doc: dict[str, Any]) -> str:
    """A v3 comment read through v2, as plain text: blocks a blank line apart, a hard break a
    line break (the inverse of ``_adf_doc``; Jira's own v2 rendering is not documented in the
    sources above, and the client reads Cloud comments through v3 only)."""

    def walk(node: Any) -> str:
        if not isinstance(node, dict):
            return ""
        if node.get("type") == "text":
            return str(node.get("text", ""))
        if node.get("type") == "hardBreak":
            return "\n"
        return "".join(walk(child) for child in node.get("content", []) or [])

    return "\n\n".join(walk(block) for block in doc.get("content", []) or [])
