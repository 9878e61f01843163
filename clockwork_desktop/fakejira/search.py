"""Search and JQL: Cloud's ``/search/jql`` (token paging; the old ``/search`` answers 410) and
Data Center's ``/search`` (``startAt`` paging), over a small JQL subset."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from clockwork_desktop.fakejira import state
from clockwork_desktop.fakejira.http import HttpError, _errors, _paging
from clockwork_desktop.fakejira.issues import IssueResources
from clockwork_desktop.fakejira.state import FakeIssue, FakeUser, FakeWorklog

SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)


class SearchResources(IssueResources):
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
        return state._now_ms() + int(relative[1]) * unit * 1000
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
